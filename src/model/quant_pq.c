/* quant_pq.c - the product quantizer of quant.h. The k-means follows fastText's
 * ProductQuantizer (Lloyd iterations on a bounded sample, empty clusters split off
 * the largest) with its inner loop turned around: centroids are transposed per
 * sub-space so the distance to all ksub of them is one vectorised sweep per
 * dimension. */
#include "quant.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#ifdef _OPENMP
#include <omp.h>
#endif

#include "mem.h"
#include "rng.h"

static uint32_t pq_get_u32(const unsigned char *p)
{
    uint32_t v;
    memcpy(&v, p, 4);
    return v;
}

static uint64_t pq_get_u64(const unsigned char *p)
{
    uint64_t v;
    memcpy(&v, p, 8);
    return v;
}

static int pq_floats_ok(const unsigned char *p, size_t count)
{
    for (size_t i = 0; i < count; i++) {
        float v;
        memcpy(&v, p + 4 * i, 4);
        if (!isfinite(v)) return 0;
    }
    return 1;
}

static int pq_threads(int requested)
{
#ifdef _OPENMP
    return requested > 0 ? requested : omp_get_max_threads();
#else
    (void)requested;
    return 1;
#endif
}

/* ---- product quantization: shapes and codes ---- */

QuantPQOpts quant_pq_defaults(void)
{
    return (QuantPQOpts){.bits = 8, .dsub = 2, .iters = 25, .plusplus = 1, .max_sample = 65536, .qnorm = 0, .seed = 1234, .threads = 0};
}

static void pq_shape(QuantPQ *pq, int dim, int dsub, int bits)
{
    pq->dim = dim;
    pq->dsub = dsub;
    pq->nsub = (dim + dsub - 1) / dsub;
    pq->lastdsub = dim - (pq->nsub - 1) * dsub;
    pq->bits = bits;
    pq->ksub = 1 << bits;
    pq->centroids = xcalloc((size_t)pq->ksub * (size_t)dim, sizeof *pq->centroids);
}

static int pq_len(const QuantPQ *pq, int s)
{
    return s == pq->nsub - 1 ? pq->lastdsub : pq->dsub;
}

/* Sub-space s's codebook [ksub, len(s)]. */
static float *pq_book(const QuantPQ *pq, int s)
{
    return pq->centroids + (size_t)s * pq->ksub * pq->dsub;
}

static int64_t pq_code_bytes(const QuantPQ *pq)
{
    return pq->bits == 8 ? pq->nsub : (pq->nsub + 1) / 2;
}

static int pq_get(const uint8_t *code, int bits, int s)
{
    return bits == 8 ? code[s] : (code[s >> 1] >> ((s & 1) * 4)) & 15;
}

/* code must start zeroed. */
static void pq_set(uint8_t *code, int bits, int s, int k)
{
    if (bits == 8) code[s] = (uint8_t)k;
    else code[s >> 1] |= (uint8_t)(k << ((s & 1) * 4));
}

int quant_pq_code(const QuantPQMat *m, int64_t i, int s)
{
    return pq_get(m->codes + i * m->code_bytes, m->pq.bits, s);
}

static float pq_norm_of(const QuantPQMat *m, int64_t i)
{
    return m->qnorm ? m->npq.centroids[m->norm_codes[i]] : 1.0f;
}

/* ---- k-means ---- */

/* ct [len,ksub] = the transpose of book [ksub,len]. */
static void pq_transpose(float *ct, const float *book, int len, int ksub)
{
    for (int k = 0; k < ksub; k++)
        for (int j = 0; j < len; j++) ct[(size_t)j * ksub + k] = book[(size_t)k * len + j];
}

/* The nearest centroid by squared L2, the lowest index among equals. ct is
 * [len,ksub]. Centroids go in blocks of PQ_LANES, each lane keeping its best so
 * far, so distances and the running minimum stay in registers; of the lanes'
 * bests, the smallest distance with the lowest index wins, which is the first
 * minimum overall. */
#define PQ_LANES 8

/* GCC on x86-64 also builds an AVX2 copy and picks one at load time: twice as
 * fast where AVX2 exists. Both do the same IEEE operations lane by lane (no FMA:
 * C11 mode keeps contraction off), so the codes are the same bits either way. */
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)
#define PQ_CLONES __attribute__((target_clones("avx2", "default")))
#else
#define PQ_CLONES
#endif

PQ_CLONES static int pq_assign(const float *x /* [len] */, const float *ct, int len, int ksub)
{
    float bd[PQ_LANES];
    int bi[PQ_LANES];
    for (int l = 0; l < PQ_LANES; l++) bd[l] = INFINITY, bi[l] = l;
    for (int k0 = 0; k0 < ksub; k0 += PQ_LANES) {
        float d[PQ_LANES] = {0};
        for (int j = 0; j < len; j++) {
            const float xj = x[j], *c = ct + (size_t)j * ksub + k0;
#pragma omp simd
            for (int l = 0; l < PQ_LANES; l++) {
                float t = xj - c[l];
                d[l] += t * t;
            }
        }
#pragma omp simd
        for (int l = 0; l < PQ_LANES; l++) {
            /* A mask, not a branch, so the update vectorises (a min and a blend). */
            const float old = bd[l];
            const int mask = -(int)(d[l] < old);
            bd[l] = d[l] < old ? d[l] : old;
            bi[l] = (bi[l] & ~mask) | ((k0 + l) & mask);
        }
    }
    int best = 0;
    for (int l = 1; l < PQ_LANES; l++)
        if (bd[l] < bd[best] || (bd[l] == bd[best] && bi[l] < bi[best])) best = l;
    return bi[best];
}

/* Assigns every point; returns how many codes changed (all of them when first). */
static int64_t pq_estep(uint8_t *codes /* [n] */, const float *x /* [n,len] */, const float *ct, int64_t n, int len,
                        int ksub, int first)
{
    int64_t changed = 0;
    for (int64_t i = 0; i < n; i++) {
        int k = pq_assign(x + i * len, ct, len, ksub);
        changed += first || k != codes[i];
        codes[i] = (uint8_t)k;
    }
    return changed;
}

/* Centroids = means of their points, summed in double. An empty cluster takes half of the largest
 * (lowest index among equals): both centroids move apart by a relative 1/1024
 * (1e-7 where a coordinate is 0), signs alternating over the dims. Returns
 * whether any cluster was split. */
static int pq_mstep(float *book /* [ksub,len] */, const float *x /* [n,len] */, const uint8_t *codes, int64_t n,
                    int len, int ksub, double *sum /* [ksub,len] */, int64_t *cnt /* [ksub] */)
{
    memset(sum, 0, (size_t)ksub * len * sizeof *sum);
    memset(cnt, 0, (size_t)ksub * sizeof *cnt);
    for (int64_t i = 0; i < n; i++) {
        const int k = codes[i];
        cnt[k]++;
        for (int j = 0; j < len; j++) sum[(size_t)k * len + j] += x[i * len + j];
    }
    for (int k = 0; k < ksub; k++)
        if (cnt[k] > 0)
            for (int j = 0; j < len; j++) book[(size_t)k * len + j] = (float)(sum[(size_t)k * len + j] / (double)cnt[k]);
    int split = 0;
    for (int k = 0; k < ksub; k++) {
        if (cnt[k] > 0) continue;
        int big = 0;
        for (int c = 1; c < ksub; c++)
            if (cnt[c] > cnt[big]) big = c;
        if (cnt[big] < 2) continue; /* every point has its own centroid already */
        for (int j = 0; j < len; j++) {
            float c = book[(size_t)big * len + j];
            float delta = c != 0.0f ? fabsf(c) * (1.0f / 1024.0f) : 1e-7f;
            float sign = (j & 1) ? 1.0f : -1.0f;
            book[(size_t)k * len + j] = c + sign * delta;
            book[(size_t)big * len + j] = c - sign * delta;
        }
        cnt[k] = cnt[big] / 2;
        cnt[big] -= cnt[k];
        split = 1;
    }
    return split;
}

/* fastText's start: ksub distinct points (a partial Fisher-Yates draw). */
static int pq_init_random(float *book, const float *x, int64_t n, int len, int ksub, Rng *rng)
{
    int64_t *idx = xmalloc((size_t)n * sizeof *idx);
    for (int64_t i = 0; i < n; i++) idx[i] = i;
    const int take = n < ksub ? (int)n : ksub;
    for (int k = 0; k < take; k++) {
        int64_t j = k + (int64_t)rng_below(rng, (uint64_t)(n - k));
        int64_t t = idx[k];
        idx[k] = idx[j];
        idx[j] = t;
        memcpy(book + (size_t)k * len, x + idx[k] * len, (size_t)len * sizeof *book);
    }
    free(idx);
    return take;
}

static float pq_dist(const float *a, const float *b, int len)
{
    float d = 0.0f;
    for (int j = 0; j < len; j++) d += (a[j] - b[j]) * (a[j] - b[j]);
    return d;
}

/* The index in block b of d2 [n] where the running sum (from run) passes u, among
 * points with d2 > 0; rounding can leave u unpassed, then the last such point. */
static int64_t pq_pick_in(const float *d2, int64_t lo, int64_t hi, double run, double u)
{
    int64_t pick = -1;
    for (int64_t i = lo; i < hi; i++) {
        run += d2[i];
        if (d2[i] > 0.0f) pick = i;
        if (run > u && pick == i) break;
    }
    return pick;
}

/* k-means++ (Arthur & Vassilvitskii 2007): each next centroid is a point drawn
 * with probability proportional to its squared distance to the nearest centroid
 * so far; points at distance 0 are never drawn, so the centroids are distinct.
 * Stops early when every point is a centroid; returns how many it drew. The sums
 * go by blocks of PQ_BLOCK points, so a draw scans one block, not all n. */
#define PQ_BLOCK 1024

static int pq_init_plusplus(float *book, const float *x, int64_t n, int len, int ksub, Rng *rng)
{
    float *d2 = xmalloc((size_t)n * sizeof *d2);
    const int64_t nb = (n + PQ_BLOCK - 1) / PQ_BLOCK;
    double *bsum = xmalloc((size_t)nb * sizeof *bsum);
    int64_t pick = (int64_t)rng_below(rng, (uint64_t)n);
    int have = 0;
    for (;;) {
        const float *c = x + pick * len;
        memcpy(book + (size_t)have * len, c, (size_t)len * sizeof *book);
        have++;
        for (int64_t b = 0; b < nb; b++) {
            const int64_t hi = (b + 1) * PQ_BLOCK < n ? (b + 1) * PQ_BLOCK : n;
            double sb = 0.0;
            for (int64_t i = b * PQ_BLOCK; i < hi; i++) {
                float d = pq_dist(x + i * len, c, len);
                if (have == 1 || d < d2[i]) d2[i] = d;
                sb += d2[i];
            }
            bsum[b] = sb;
        }
        double total = 0.0;
        for (int64_t b = 0; b < nb; b++) total += bsum[b];
        if (have == ksub || !(total > 0.0)) break;
        double u = (double)(rng_next(rng) >> 11) * (1.0 / 9007199254740992.0) * total;
        double run = 0.0;
        int64_t b = 0, last = 0;
        for (; b < nb; b++) {
            if (bsum[b] > 0.0) last = b;
            if (bsum[b] > 0.0 && run + bsum[b] > u) break;
            run += bsum[b];
        }
        if (b == nb) b = last, u = INFINITY; /* rounding: the last block with weight, its last point */
        pick = pq_pick_in(d2, b * PQ_BLOCK, (b + 1) * PQ_BLOCK < n ? (b + 1) * PQ_BLOCK : n, run, u);
    }
    free(d2);
    free(bsum);
    return have;
}

/* Lloyd's k-means of x [n,len] (n >= 1) into book [ksub,len]. Centroids the start
 * could not fill (fewer distinct points than ksub) repeat the first ones. */
static void pq_kmeans(float *book, const float *x, int64_t n, int len, int ksub, int iters, int plusplus, Rng *rng)
{
    const int take = plusplus ? pq_init_plusplus(book, x, n, len, ksub, rng)
                              : pq_init_random(book, x, n, len, ksub, rng);
    for (int k = take; k < ksub; k++) memcpy(book + (size_t)k * len, book + (size_t)(k % take) * len, (size_t)len * sizeof *book);
    float *ct = xmalloc((size_t)len * ksub * sizeof *ct);
    double *sum = xmalloc((size_t)len * ksub * sizeof *sum);
    int64_t *cnt = xmalloc((size_t)ksub * sizeof *cnt);
    uint8_t *codes = xmalloc((size_t)n);
    int split = 1;
    for (int it = 0; it < iters; it++) {
        pq_transpose(ct, book, len, ksub);
        int64_t changed = pq_estep(codes, x, ct, n, len, ksub, it == 0);
        /* Same codes after a round that split nothing: the centroids are a fixed
         * point, so the remaining rounds would leave every bit as it is. */
        if (changed == 0 && !split) break;
        split = pq_mstep(book, x, codes, n, len, ksub, sum, cnt);
    }
    free(ct);
    free(sum);
    free(cnt);
    free(codes);
}

/* ---- product quantization: building ---- */

static int pq_cmp_i64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

/* The rows k-means trains on, ascending: all of them, or a uniform sample of max
 * (reservoir sampling: one draw per row past the first max). */
static int64_t *pq_sample(int64_t rows, int64_t max, Rng *rng, int64_t *ns)
{
    *ns = rows < max ? rows : max;
    int64_t *idx = xmalloc((size_t)*ns * sizeof *idx);
    for (int64_t i = 0; i < *ns; i++) idx[i] = i;
    if (rows <= max) return idx;
    for (int64_t i = max; i < rows; i++) {
        uint64_t j = rng_below(rng, (uint64_t)i + 1);
        if (j < (uint64_t)max) idx[j] = i;
    }
    qsort(idx, (size_t)*ns, sizeof *idx, pq_cmp_i64);
    return idx;
}

/* y = x / ||x|| (0 for a zero row); returns ||x||. */
static float pq_direction(float *y, const float *x, int dim)
{
    float nrm = quant_row_norm(x, dim);
    for (int j = 0; j < dim; j++) y[j] = nrm > 0.0f ? x[j] / nrm : 0.0f;
    return nrm;
}

static int pq_check_opts(const QuantPQOpts *o, int64_t rows, int dim, Status *st)
{
    if (o->bits != 8 && o->bits != 4) return status_usage(st, "quantize: bits must be 8 or 4, not %d", o->bits);
    if (dim < 1 || dim > QUANT_MAX_DIM) return status_error(st, "quantize: dim %d is outside 1..%d", dim, QUANT_MAX_DIM);
    if (o->dsub < 1 || o->dsub > dim) return status_usage(st, "quantize: dsub %d is outside 1..%d (the dim)", o->dsub, dim);
    if (o->iters < 1) return status_usage(st, "quantize: %d k-means iterations; need at least 1", o->iters);
    if (o->max_sample < 1) return status_usage(st, "quantize: a sample of %lld rows; need at least 1", (long long)o->max_sample);
    if (o->threads < 0) return status_usage(st, "quantize: %d threads", o->threads);
    if (rows < 1) return status_error(st, "quantize: %lld rows; need at least 1", (long long)rows);
    return 0;
}

/* Codes for every row, each row on its own (any thread split gives the same). */
static void pq_encode_all(QuantPQMat *m, const float *x, int threads)
{
    (void)threads; /* only the OpenMP pragma reads it */
    const QuantPQ *pq = &m->pq;
    const int dim = pq->dim, ksub = pq->ksub;
    float *ct = xmalloc((size_t)ksub * dim * sizeof *ct);
    for (int s = 0; s < pq->nsub; s++) pq_transpose(ct + (size_t)s * ksub * pq->dsub, pq_book(pq, s), pq_len(pq, s), ksub);
    float nct[256];
    if (m->qnorm) pq_transpose(nct, m->npq.centroids, 1, 256);
#pragma omp parallel num_threads(threads) if (m->rows >= 1024)
    {
        float *y = xmalloc((size_t)dim * sizeof *y);
#pragma omp for schedule(static)
        for (int64_t i = 0; i < m->rows; i++) {
            const float *r = x + i * dim;
            if (m->qnorm) {
                float nrm = pq_direction(y, r, dim);
                m->norm_codes[i] = (uint8_t)pq_assign(&nrm, nct, 1, 256);
                r = y;
            }
            uint8_t *code = m->codes + i * m->code_bytes;
            for (int s = 0; s < pq->nsub; s++)
                pq_set(code, pq->bits, s,
                       pq_assign(r + s * pq->dsub, ct + (size_t)s * ksub * pq->dsub, pq_len(pq, s), ksub));
        }
        free(y);
    }
    free(ct);
}

int quant_pq_build(QuantPQMat *m, const float *x, int64_t rows, int dim, const QuantPQOpts *o, Status *st)
{
    if (pq_check_opts(o, rows, dim, st) || quant_check_finite(x, rows, dim, st)) return -1;
    const int threads = pq_threads(o->threads);
    memset(m, 0, sizeof *m);
    m->rows = rows;
    m->qnorm = o->qnorm != 0;
    pq_shape(&m->pq, dim, o->dsub, o->bits);
    m->code_bytes = pq_code_bytes(&m->pq);
    m->codes = xcalloc((size_t)rows, (size_t)m->code_bytes);
    Rng rng;
    rng_seed(&rng, o->seed);
    int64_t ns;
    int64_t *idx = pq_sample(rows, o->max_sample, &rng, &ns);
    float *xs = xmalloc((size_t)ns * dim * sizeof *xs), *norms = xmalloc((size_t)ns * sizeof *norms);
    for (int64_t t = 0; t < ns; t++) {
        const float *r = x + idx[t] * dim;
        if (m->qnorm) norms[t] = pq_direction(xs + t * dim, r, dim);
        else memcpy(xs + t * dim, r, (size_t)dim * sizeof *xs);
    }
    free(idx);
    if (m->qnorm) {
        pq_shape(&m->npq, 1, 1, 8);
        m->norm_codes = xmalloc((size_t)rows);
    }
    /* One k-means per sub-space (and one for the norms), each on its own thread
     * with its own random stream, so the thread count cannot change a draw. A
     * round is too short to split across threads: with 65536 points it is a few
     * milliseconds, and a parallel region per round stalls on a loaded machine. */
    const int tasks = m->pq.nsub + m->qnorm;
#pragma omp parallel for schedule(dynamic, 1) num_threads(threads) if (tasks > 1)
    for (int s = 0; s < tasks; s++) {
        Rng r;
        rng_seed(&r, rng_mix(o->seed, 1, (uint64_t)s));
        if (s == m->pq.nsub) {
            pq_kmeans(m->npq.centroids, norms, ns, 1, 256, o->iters, o->plusplus, &r);
            continue;
        }
        const int len = pq_len(&m->pq, s);
        float *slice = xmalloc((size_t)ns * len * sizeof *slice);
        for (int64_t t = 0; t < ns; t++) memcpy(slice + t * len, xs + t * dim + s * o->dsub, (size_t)len * sizeof *slice);
        pq_kmeans(pq_book(&m->pq, s), slice, ns, len, m->pq.ksub, o->iters, o->plusplus, &r);
        free(slice);
    }
    free(xs);
    free(norms);
    pq_encode_all(m, x, threads);
    return 0;
}

void quant_pq_free(QuantPQMat *m)
{
    free(m->pq.centroids);
    free(m->npq.centroids);
    free(m->codes);
    free(m->norm_codes);
    memset(m, 0, sizeof *m);
}

/* ---- product quantization: using the codes ---- */

void quant_pq_row(const QuantPQMat *m, int64_t i, float *out)
{
    const QuantPQ *pq = &m->pq;
    const uint8_t *code = m->codes + i * m->code_bytes;
    const float nrm = pq_norm_of(m, i);
    for (int s = 0; s < pq->nsub; s++) {
        const int len = pq_len(pq, s);
        const float *c = pq_book(pq, s) + (size_t)pq_get(code, pq->bits, s) * len;
        for (int j = 0; j < len; j++) out[s * pq->dsub + j] = m->qnorm ? nrm * c[j] : c[j];
    }
}

void quant_pq_axpy(const QuantPQMat *m, int64_t i, float a, float *y)
{
    const QuantPQ *pq = &m->pq;
    const uint8_t *code = m->codes + i * m->code_bytes;
    const float an = a * pq_norm_of(m, i);
    for (int s = 0; s < pq->nsub; s++) {
        const int len = pq_len(pq, s);
        const float *c = pq_book(pq, s) + (size_t)pq_get(code, pq->bits, s) * len;
        for (int j = 0; j < len; j++) y[s * pq->dsub + j] += an * c[j];
    }
}

float quant_pq_dot(const QuantPQMat *m, int64_t i, const float *v)
{
    const QuantPQ *pq = &m->pq;
    const uint8_t *code = m->codes + i * m->code_bytes;
    float r = 0.0f;
    for (int s = 0; s < pq->nsub; s++) {
        const int len = pq_len(pq, s);
        const float *c = pq_book(pq, s) + (size_t)pq_get(code, pq->bits, s) * len;
        for (int j = 0; j < len; j++) r += v[s * pq->dsub + j] * c[j];
    }
    return m->qnorm ? r * pq_norm_of(m, i) : r;
}

void quant_pq_lut(const QuantPQMat *m, const float *v, float *lut)
{
    const QuantPQ *pq = &m->pq;
    for (int s = 0; s < pq->nsub; s++) {
        const int len = pq_len(pq, s);
        const float *book = pq_book(pq, s), *vs = v + s * pq->dsub;
        for (int k = 0; k < pq->ksub; k++) {
            float r = 0.0f;
            for (int j = 0; j < len; j++) r += vs[j] * book[(size_t)k * len + j];
            lut[(size_t)s * pq->ksub + k] = r;
        }
    }
}

float quant_pq_dot_lut(const QuantPQMat *m, const float *lut, int64_t i)
{
    const QuantPQ *pq = &m->pq;
    const uint8_t *code = m->codes + i * m->code_bytes;
    float r = 0.0f;
    for (int s = 0; s < pq->nsub; s++) r += lut[(size_t)s * pq->ksub + pq_get(code, pq->bits, s)];
    return m->qnorm ? r * pq_norm_of(m, i) : r;
}

/* ---- product quantization: bytes ---- */

#define QUANT_PQ_HEADER 24

size_t quant_pq_size(const QuantPQMat *m)
{
    size_t n = QUANT_PQ_HEADER + (size_t)m->pq.ksub * m->pq.dim * 4 + (size_t)m->rows * (size_t)m->code_bytes;
    return m->qnorm ? n + 256 * 4 + (size_t)m->rows : n;
}

void quant_pq_write(const QuantPQMat *m, unsigned char *out)
{
    const uint64_t rows = (uint64_t)m->rows;
    const uint32_t head[4] = {(uint32_t)m->pq.dim, (uint32_t)m->pq.dsub, (uint32_t)m->pq.bits, m->qnorm ? 1u : 0u};
    memcpy(out, &rows, 8);
    memcpy(out + 8, head, sizeof head);
    unsigned char *p = out + QUANT_PQ_HEADER;
    size_t nc = (size_t)m->pq.ksub * m->pq.dim * 4, ncodes = (size_t)m->rows * (size_t)m->code_bytes;
    memcpy(p, m->pq.centroids, nc);
    memcpy(p + nc, m->codes, ncodes);
    if (m->qnorm) {
        memcpy(p + nc + ncodes, m->npq.centroids, 256 * 4);
        memcpy(p + nc + ncodes + 256 * 4, m->norm_codes, (size_t)m->rows);
    }
}

int quant_pq_read(QuantPQMat *m, const unsigned char *p, size_t n, const char *what, Status *st)
{
    if (n < QUANT_PQ_HEADER)
        return status_error(st, "%s: product quantizer: %zu bytes, shorter than its %d-byte header", what, n, QUANT_PQ_HEADER);
    const uint64_t rows = pq_get_u64(p);
    const uint32_t dim = pq_get_u32(p + 8), dsub = pq_get_u32(p + 12), bits = pq_get_u32(p + 16),
                   flags = pq_get_u32(p + 20);
    if (dim < 1 || dim > QUANT_MAX_DIM)
        return status_error(st, "%s: product quantizer: dim %u is outside 1..%d", what, dim, QUANT_MAX_DIM);
    if (dsub < 1 || dsub > dim) return status_error(st, "%s: product quantizer: dsub %u is outside 1..%u", what, dsub, dim);
    if (bits != 8 && bits != 4) return status_error(st, "%s: product quantizer: %u bits, not 8 or 4", what, bits);
    if (flags > 1) return status_error(st, "%s: product quantizer: unknown flags %#x", what, flags);
    const uint32_t nsub = (dim + dsub - 1) / dsub, ksub = 1u << bits;
    const uint64_t code_bytes = bits == 8 ? nsub : (nsub + 1) / 2, per_row = code_bytes + flags;
    const uint64_t fixed = QUANT_PQ_HEADER + (uint64_t)ksub * dim * 4 + (flags ? 256 * 4 : 0);
    if (rows > (UINT64_MAX - fixed) / per_row)
        return status_error(st, "%s: product quantizer: %llu rows of dim %u (dsub %u, %u bits%s) do not fit in %zu bytes",
                            what, (unsigned long long)rows, dim, dsub, bits, flags ? ", qnorm" : "", n);
    if (fixed + rows * per_row != n)
        return status_error(st, "%s: product quantizer: %llu rows of dim %u (dsub %u, %u bits%s) take %llu bytes, the section has %zu",
                            what, (unsigned long long)rows, dim, dsub, bits, flags ? ", qnorm" : "",
                            (unsigned long long)(fixed + rows * per_row), n);
    const unsigned char *cent = p + QUANT_PQ_HEADER, *codes = cent + (size_t)ksub * dim * 4;
    const unsigned char *ncent = codes + rows * code_bytes, *ncodes = ncent + 256 * 4;
    if (!pq_floats_ok(cent, (size_t)ksub * dim) || (flags && !pq_floats_ok(ncent, 256)))
        return status_error(st, "%s: product quantizer: a centroid is not a finite number", what);
    if (bits == 4 && nsub % 2)
        for (uint64_t i = 0; i < rows; i++)
            if (codes[i * code_bytes + code_bytes - 1] >> 4)
                return status_error(st, "%s: product quantizer: row %llu has a code past its last sub-vector", what,
                                    (unsigned long long)i);
    memset(m, 0, sizeof *m);
    m->rows = (int64_t)rows;
    m->qnorm = (int)flags;
    pq_shape(&m->pq, (int)dim, (int)dsub, (int)bits);
    m->code_bytes = (int64_t)code_bytes;
    memcpy(m->pq.centroids, cent, (size_t)ksub * dim * 4);
    m->codes = xmalloc(rows ? rows * code_bytes : 1);
    memcpy(m->codes, codes, rows * code_bytes);
    if (flags) {
        pq_shape(&m->npq, 1, 1, 8);
        memcpy(m->npq.centroids, ncent, 256 * 4);
        m->norm_codes = xmalloc(rows ? rows : 1);
        memcpy(m->norm_codes, ncodes, rows);
    }
    return 0;
}
