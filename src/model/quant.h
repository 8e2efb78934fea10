/* quant.h - compressing an embedding matrix [rows,d] for a model that ships:
 * per-row int8, product quantization (Jegou et al. 2011, as FastText.zip uses it,
 * Joulin et al. 2016), and the choice of which rows to keep (--cutoff).
 *
 * Int8: row i is stored as q[i,:] in [-127, 127] and one scale s_i = max_j |x_ij| / 127,
 *   x_ij ~ s_i q_ij, with |x_ij - s_i q_ij| <= s_i / 2 (plus float rounding).
 *
 * Product quantization: d is cut into nsub = ceil(d / dsub) sub-vectors; the first
 * nsub-1 have dsub numbers and the last has lastdsub = d - (nsub-1) dsub (fastText's
 * remainder sub-vector). Each sub-space m has its own codebook of ksub centroids
 * (ksub = 2^bits: 256 for 8 bits, 16 for 4), trained by k-means, and a row is stored
 * as its nsub centroid indices: x_i ~ [c_0(code_i0), ..., c_{nsub-1}(code_i,nsub-1)].
 * With qnorm (fastText's -qnorm) row i is stored as its norm n_i = ||x_i|| and its
 * direction x_i / n_i: the directions go through the product quantizer and the norms
 * through their own one-dimensional one (8 bits), x_i ~ c(ncode_i) * PQ(x_i / n_i).
 *
 * Every structure is plain arrays, so a checkpoint section stores it as bytes:
 * quant_*_size gives the length, quant_*_write fills a buffer of that length, and
 * quant_*_read checks every size field against the bytes it was given (exact
 * lengths, dimensions, bit widths, finite values, canonical padding) before it
 * allocates. A layout that reads back writes the same bytes. The byte layouts are
 * little-endian (the machines we run on), as in ckpt.h:
 *   int8: u64 rows  u32 dim  u32 0  scale f32 [rows]  q i8 [rows,dim]
 *   PQ:   u64 rows  u32 dim  u32 dsub  u32 bits  u32 flags (1 = qnorm)
 *         centroids f32 [ksub*dim]  codes u8 [rows,code_bytes]
 *         with qnorm: norm centroids f32 [256]  norm codes u8 [rows]
 * With 4 bits, code byte b of a row holds sub-space 2b in its low nibble and 2b+1
 * in its high nibble; an odd nsub leaves the last high nibble 0. */
#ifndef ATTNCLF_QUANT_H
#define ATTNCLF_QUANT_H

#include <stddef.h>
#include <stdint.h>

#include "status.h"

#define QUANT_MAX_DIM 65536

/* The product quantizer lives in quant_pq.c, the rest in quant.c. */

/* ||x||, summed in double. */
float quant_row_norm(const float *x /* [dim] */, int dim);
/* An error naming the first non-finite value ("quantize: row 3, column 1 is not a
 * finite number"), else 0. */
int quant_check_finite(const float *x /* [rows,dim] */, int64_t rows, int dim, Status *st);

/* ---- per-row symmetric int8 ---- */

typedef struct QuantI8 {
    int64_t rows;
    int dim;
    float *scale; /* [rows] s_i >= 0 */
    int8_t *q;    /* [rows,dim] in [-127, 127] */
} QuantI8;

/* Quantizes x. Non-finite values and dim outside 1..QUANT_MAX_DIM are errors. */
int quant_i8_build(QuantI8 *m, const float *x /* [rows,dim] */, int64_t rows, int dim, Status *st);
void quant_i8_free(QuantI8 *m);
/* out = s_i q_i */
void quant_i8_row(const QuantI8 *m, int64_t i, float *out /* [dim] */);
/* y += a s_i q_i */
void quant_i8_axpy(const QuantI8 *m, int64_t i, float a, float *y /* [dim] */);
/* v . (s_i q_i), summed as s_i (v . q_i) */
float quant_i8_dot(const QuantI8 *m, int64_t i, const float *v /* [dim] */);
size_t quant_i8_size(const QuantI8 *m);
void quant_i8_write(const QuantI8 *m, unsigned char *out /* [quant_i8_size(m)] */);
/* what names the bytes in errors ("model.bin: section QEMB"); m is untouched on error. */
int quant_i8_read(QuantI8 *m, const unsigned char *p, size_t n, const char *what, Status *st);

/* ---- product quantization ---- */

/* A codebook: sub-space m's centroids start at centroids + m*ksub*dsub, ksub of
 * them, each len(m) floats (dsub, or lastdsub for the last sub-space). */
typedef struct QuantPQ {
    int dim, dsub, nsub, lastdsub;
    int bits, ksub;
    float *centroids; /* [ksub*dim] */
} QuantPQ;

typedef struct QuantPQMat {
    int64_t rows;
    QuantPQ pq;
    int64_t code_bytes;  /* per row: nsub (8 bits) or ceil(nsub / 2) (4 bits) */
    uint8_t *codes;      /* [rows,code_bytes] */
    int qnorm;
    QuantPQ npq;         /* qnorm only: dim 1, dsub 1, 8 bits */
    uint8_t *norm_codes; /* qnorm only: [rows] */
} QuantPQMat;

typedef struct QuantPQOpts {
    int bits;           /* 8 or 4 */
    int dsub;           /* 1..dim; fastText's default is 2 */
    int iters;          /* k-means iterations, >= 1; fastText runs 25 */
    int plusplus;       /* 1: k-means++ start; 0: ksub random rows (fastText's) */
    int64_t max_sample; /* k-means sees at most this many rows, >= 1 */
    int qnorm;
    uint64_t seed;
    int threads;        /* 0 = OpenMP's default; the result does not depend on it */
} QuantPQOpts;

/* bits 8, dsub 2, 25 iterations, k-means++, 65536 rows (fastText's 256 per
 * centroid), no qnorm, seed 1234, threads 0. */
QuantPQOpts quant_pq_defaults(void);

/* Trains the codebooks on a sample of the rows (every row when rows <= max_sample,
 * else a uniform sample drawn from o->seed, taken in row order), then encodes every
 * row. Same input, options and seed give the same bytes whatever o->threads is.
 * k-means (Lloyd) starts each sub-space from ksub distinct sample rows, drawn by
 * k-means++ or uniformly (fewer distinct rows than ksub: every one, the rest
 * repeat), runs o->iters rounds and stops early only at a fixed point, where more
 * rounds would change nothing; an empty cluster takes half of the largest one (its
 * centroid split in two), as fastText does. Errors:
 * bad options, rows < 1, dim outside 1..QUANT_MAX_DIM, non-finite values. */
int quant_pq_build(QuantPQMat *m, const float *x /* [rows,dim] */, int64_t rows, int dim,
                   const QuantPQOpts *o, Status *st);
void quant_pq_free(QuantPQMat *m);
/* Sub-space s's code of row i. */
int quant_pq_code(const QuantPQMat *m, int64_t i, int s);
/* out = the row's centroids, times its norm with qnorm. */
void quant_pq_row(const QuantPQMat *m, int64_t i, float *out /* [dim] */);
/* y += a * row */
void quant_pq_axpy(const QuantPQMat *m, int64_t i, float a, float *y /* [dim] */);
/* v . row without decoding: summed over the dims in order, so without qnorm it is
 * bit-identical to a sequential dot of v with quant_pq_row; with qnorm the norm
 * multiplies the sum once (as fastText's mulcode). */
float quant_pq_dot(const QuantPQMat *m, int64_t i, const float *v /* [dim] */);
/* For many rows against one v: lut[s*ksub + k] = v_s . c_s(k), then
 * quant_pq_dot_lut is nsub additions per row (equal to quant_pq_dot up to rounding). */
void quant_pq_lut(const QuantPQMat *m, const float *v /* [dim] */, float *lut /* [nsub*ksub] */);
float quant_pq_dot_lut(const QuantPQMat *m, const float *lut /* [nsub*ksub] */, int64_t i);
size_t quant_pq_size(const QuantPQMat *m);
void quant_pq_write(const QuantPQMat *m, unsigned char *out /* [quant_pq_size(m)] */);
int quant_pq_read(QuantPQMat *m, const unsigned char *p, size_t n, const char *what, Status *st);

/* ---- which rows to keep (--cutoff) ---- */

/* score_i = ||x_i|| (fastText's choice: small rows move a sum least when dropped). */
void quant_score_norm(float *score /* [rows] */, const float *x /* [rows,dim] */, int64_t rows, int dim);
/* score_i = ||x_i|| log(1 + count_i): a row's norm weighted by how often it is used;
 * negative counts count as 0. */
void quant_score_norm_freq(float *score /* [rows] */, const float *x /* [rows,dim] */,
                           const int64_t *count /* [rows] */, int64_t rows, int dim);
/* Keeps the pinned rows (pinned may be NULL), then the highest scores until n rows
 * are kept (or all of them); equal scores go to the lower row, NaN ranks last.
 * Writes the kept rows ascending into keep and returns how many:
 * min(rows, max(n, pinned count)). */
int64_t quant_select(int64_t *keep /* [rows] */, const float *score /* [rows] */,
                     const uint8_t *pinned /* [rows] or NULL */, int64_t rows, int64_t n);

#endif
