/* folds.c - see folds.h. */
#include "folds.h"

#include <stdlib.h>
#include <string.h>

#include "mem.h"
#include "rng.h"

/* Whether every label of document i is one training has. */
static int folds_known(const Dataset *ds, int64_t i, int64_t classes)
{
    for (int64_t k = ds->loff[i]; k < ds->loff[i + 1]; k++)
        if (ds->lab[k] >= classes) return 0;
    return 1;
}

/* Appends document i of src to dst, with its weight. */
static void folds_copy(Dataset *dst, const Dataset *src, int64_t i)
{
    const int64_t o = src->off[i], f = src->foff[i], l = src->loff[i];
    dataset_append(dst, src->ids + o, src->off[i + 1] - o, src->feat + f, src->foff[i + 1] - f, src->lab + l,
                   src->loff[i + 1] - l);
    dataset_set_weight(dst, dataset_weight(src, i));
}

/* Document i of the pool (the training documents, then the validation ones)
 * of words and, with rows, of the encoded documents, onto the fold's side. */
static void folds_put(TrainData *out, const TrainData *src, int64_t i, int valid, int rows)
{
    const int64_t nt = src->words_train.n;
    const int own = i >= nt;
    const int64_t j = own ? i - nt : i;
    folds_copy(valid ? &out->words_valid : &out->words_train, own ? &src->words_valid : &src->words_train, j);
    if (rows) folds_copy(valid ? &out->valid : &out->train, own ? &src->valid : &src->train, j);
}

int folds_make(const TrainData *src, int64_t classes, int fold, uint64_t seed, int rows, TrainData *out)
{
    const Dataset *wt = &src->words_train, *wv = &src->words_valid;
    int64_t block = 0;
    for (int64_t i = 0; i < wv->n; i++) block += folds_known(wv, i, classes);
    if (fold < 1 || block == 0 || wt->n < 2 * block) return -1;
    /* The training documents' order, the same for every fold. */
    int64_t *order = xmalloc((size_t)wt->n * sizeof *order);
    for (int64_t i = 0; i < wt->n; i++) order[i] = i;
    Rng r;
    rng_seed(&r, rng_mix(seed, 0x666f6c64ull /* "fold" */, 0));
    for (int64_t i = wt->n - 1; i > 0; i--) {
        int64_t k = (int64_t)rng_below(&r, (uint64_t)(i + 1)), x = order[i];
        order[i] = order[k];
        order[k] = x;
    }
    unsigned char *held = xcalloc((size_t)(wt->n + wv->n), 1);
    for (int64_t j = 0; j < block; j++) held[order[((int64_t)(fold - 1) * block + j) % wt->n]] = 1;
    for (int64_t i = 0; i < wv->n; i++) held[wt->n + i] = !folds_known(wv, i, classes);
    memset(out, 0, sizeof *out);
    dataset_init(&out->words_train);
    dataset_init(&out->words_valid);
    dataset_init(&out->train);
    dataset_init(&out->valid);
    /* The pool in its order, so that the documents keep their relative order on each side. */
    for (int64_t i = 0; i < wt->n + wv->n; i++) folds_put(out, src, i, held[i], rows);
    free(order);
    free(held);
    corpus_inherit(out, src);
    return 0;
}

void folds_free(TrainData *fold)
{
    corpus_free(fold);
}
