/* embed.h - how a model's embedding rows are stored and read back. A training
 * checkpoint stores every row as floats in the parameter block (model.h). A
 * shipped model (`attnclf export`, `attnclf quantize`) may store only some rows
 * (rowmap.h), as floats, per-row int8 or product-quantized (quant.h), and says
 * what a row it does not store is:
 *   EMBED_MISSING_INIT  its initial value, rebuilt from the run's seed exactly as
 *                       model_randomize drew it (a word's row random, UNK and
 *                       the n-gram rows 0). An exported model leaves out the
 *                       rows training never touched (their values are still the
 *                       initial ones, bit for bit), so its predictions are the
 *                       checkpoint's, bit for bit.
 *   EMBED_MISSING_SKIP  nothing: a token of such a row is left out of the
 *                       document, as if the word were not there (a quantized
 *                       model: rows a --cutoff dropped and rows never trained).
 *                       A skipped row is left out of its position's bag (the
 *                       mean of the rows kept), and a position whose bag is all
 *                       skipped is left out. Attention pooling gives a zero row a
 *                       share of the weight (exp(0) in each head's softmax), so
 *                       leaving the token out is not the same as a zero row; it
 *                       is what fastText's averaging does with a pruned n-gram.
 * The gather hands the network the positions it keeps and where they were, so
 * classifier_score works on every kind of model alike. */
#ifndef ATTNCLF_EMBED_H
#define ATTNCLF_EMBED_H

#include <stdint.h>

#include "ckpt.h"
#include "quant.h"
#include "rng.h"
#include "rowmap.h"
#include "status.h"

/* EMBED_I8D (an exported model's rows, EMBED_MISSING_INIT only): per-row int8 of
 * each stored row's difference from its initial value (embed_init_row), which
 * the loader adds back once into floats (dec). A row moves from its start by the
 * training's steps, a few hundredths for an n-gram seen in a few documents,
 * while its start spans +-1/sqrt(dim): int8 of the difference errs by
 * max|row - start| / 254, several times less than int8 of the row. */
typedef enum { EMBED_F32 = 0, EMBED_I8 = 1, EMBED_PQ = 2, EMBED_I8D = 3 } EmbedCodec;
typedef enum { EMBED_MISSING_INIT = 0, EMBED_MISSING_SKIP = 1 } EmbedMissing;

typedef struct Embed {
    int64_t rows;          /* rows the encoder can ask for (ModelDims.rows) */
    int dim;
    EmbedCodec codec;
    int mapped;            /* 0: every row stored, in row order; 1: map's rows */
    RowMap map;
    EmbedMissing missing;
    uint64_t seed;         /* EMBED_MISSING_INIT: the seed the rows were drawn from */
    int64_t random_rows;   /* rows [0, random_rows) start random (the words), the others at 0 */
    const float *f32;      /* EMBED_F32: [stored,dim], the model's emb tensor */
    QuantI8 i8;            /* EMBED_I8: stored rows; EMBED_I8D: their differences from the initial rows */
    float *dec;            /* NULL, or [stored,dim] the stored rows decoded once at load (owned), which
                              the gather then copies as a float table's */
    QuantPQMat pq;         /* EMBED_PQ: stored rows */
} Embed;

/* The initial value model_randomize gives each embedding entry, in draw order
 * over the whole table (entry r*dim + j is draw r*dim + j): (2u - 1) a. */
static inline float embed_uniform(Rng *r, float a)
{
    return (2.0f * rng_uniform(r) - 1.0f) * a;
}
/* Row r's initial values as model_randomize(seed) drew them: a = 1/sqrt(dim)
 * below random_rows (the words, drawn first), 0 from there on (UNK, n-grams). */
void embed_init_row(float *out /* [dim] */, int64_t r, int dim, uint64_t seed, int64_t random_rows);
/* Whether row [dim] holds exactly (bit for bit) row r's initial values. */
int embed_row_is_initial(const float *row /* [dim] */, int64_t r, int dim, uint64_t seed, int64_t random_rows);

/* Every row as floats in row order: a training model's table (borrowed). */
void embed_init_plain(Embed *e, const float *table /* [rows,dim] */, int64_t rows, int dim);
void embed_free(Embed *e);
int64_t embed_stored(const Embed *e);
/* The stored rows of table [rows,dim] (every row; those e's map lists, which
 * must be set, EMBED_MISSING_INIT) as EMBED_I8D: e->i8, to be written; the
 * float rows to score with come from embed_decode_i8d. */
int embed_build_i8d(Embed *e, const float *table, Status *st);
/* e->dec = each stored row's initial value plus its int8 difference, in float
 * arithmetic: the one way an I8D table is decoded, at load and in tests. */
void embed_decode_i8d(Embed *e);
/* Whether this is a training model's plain table (model_backward works only there). */
static inline int embed_is_plain(const Embed *e)
{
    return e->codec == EMBED_F32 && !e->mapped;
}
/* Row r's index among the stored rows, or -1. */
static inline int64_t embed_index(const Embed *e, int64_t r)
{
    return e->mapped ? rowmap_index(&e->map, r) : r;
}
/* Stored row k as floats. */
void embed_stored_row(const Embed *e, int64_t k, float *out /* [dim] */);
/* Row r as the network sees it (stored, or rebuilt from the seed): 0; a skipped
 * row: -1, out zeroed. */
int embed_row(const Embed *e, int64_t r, float *out /* [dim] */);

/* The positions of a document of n ids (bags of rows, kernel_gather_bags: a
 * row r >= 0 starts a position, ~r adds r to it): x [T,dim] the T positions the
 * network sees, each the mean of its bag's rows not skipped, summed in bag order
 * as kernel_gather_bags sums them (an exported model's positions are the
 * checkpoint's bit for bit); kid [nk] those rows as bags again (*nk of them),
 * pos [T] each kept position's index among the document's *P positions; sid [n]
 * is scratch and x needs n rows. Returns T. */
int embed_gather(const Embed *e, float *x /* [n,dim] */, int32_t *kid /* [n] */, int *nk, int32_t *pos /* [n] */,
                 int *P, int32_t *sid /* [n] */, const int32_t *ids /* [n] */, int n);

/* A loaded model's int8 or PQ rows are decoded once into floats (dec) when
 * these take at most this many bytes: 32 MiB holds 2M rows of dim 4, 500k of
 * 16. A gather then copies floats instead of decoding rows. */
#define EMBED_DECODE_BUDGET ((uint64_t)32 << 20)

/* Sections of a shipped model's embedding: EMBD version 1: u32 codec, u32
 * missing, u64 seed, u64 random_rows, u32 mapped, u32 0, u64 stored rows; RMAP (rowmap.h) when
 * mapped; QEMB version 1 for int8 or PQ rows: u32 codec, u32 0, then the quant.h
 * byte layout (quant_i8_write, quant_pq_write; EMBED_I8D the int8 one). EMBD is
 * version 2, the same bytes, when the codec is EMBED_I8D. F32 rows
 * are the model's emb tensor (TDAT). Nothing is written for a plain table. */
void embed_save(const Embed *e, CkptWriter *w);
/* Reads EMBD (and RMAP, QEMB) for a model of rows x dim; the F32 rows are set
 * by the caller (embed_set_f32) once the parameter block is in place. */
int embed_load(Embed *e, const CkptReader *r, int64_t rows, int dim, Status *st);
static inline void embed_set_f32(Embed *e, const float *rows /* [stored,dim] */)
{
    e->f32 = rows;
}

#endif
