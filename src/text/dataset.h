/* dataset.h - documents encoded once into a compact integer form (CSR):
 * document i is ids[off[i] .. off[i+1]) (embedding rows, see encoder.h) with the
 * label set lab[loff[i] .. loff[i+1]) and naive Bayes features
 * feat[foff[i] .. foff[i+1]) (empty when the encoder makes none). Epochs reuse it;
 * nothing re-reads or re-tokenizes text. The arrays are either the dataset's
 * own (dataset_init, dataset_append) or a view of memory someone else owns,
 * such as a mapped cache file (dataset_view); offsets are absolute, so a view
 * of documents lo..hi of another dataset shares its arrays. */
#ifndef ATTNCLF_DATASET_H
#define ATTNCLF_DATASET_H

#include <stdint.h>

#include "encoder.h"
#include "reader.h"
#include "status.h"
#include "vocab.h"

typedef struct Dataset {
    int64_t n;        /* documents */
    int64_t *off;     /* [n+1] */
    int32_t *ids;     /* [off[n]] */
    int64_t *loff;    /* [n+1] */
    int32_t *lab;     /* [loff[n]] < classes: a training label; >= classes: a label training never saw */
    int64_t *foff;    /* [n+1] */
    uint64_t *feat;   /* [foff[n]] */
    float *w;         /* [n] each document's weight in the loss (data.weight_column); NULL: all 1 */
    int64_t max_len;  /* longest document */
    int64_t cap_docs, cap_ids, cap_lab, cap_feat;
    int owned;        /* 1: the arrays are the dataset's; 0: a view (read-only, never freed here) */
} Dataset;

void dataset_init(Dataset *ds);
/* Frees the arrays when they are the dataset's own. */
void dataset_free(Dataset *ds);
/* A view of n documents in arrays that stay another's: off [n+1] into ids,
 * loff [n+1] into lab, foff [n+1] into feat, and w [n] (NULL: all 1). */
void dataset_view(Dataset *ds, int64_t n, const int64_t *off, const int32_t *ids, const int64_t *loff,
                  const int32_t *lab, const int64_t *foff, const uint64_t *feat, const float *w, int64_t max_len);
/* Documents lo..hi-1 of ds as a view (max_len stays ds's: a bound). */
void dataset_slice(Dataset *out, const Dataset *ds, int64_t lo, int64_t hi);
/* feat may be NULL when nf == 0. */
void dataset_append(Dataset *ds, const int32_t *ids, int64_t n, const uint64_t *feat, int64_t nf,
                    const int32_t *lab, int64_t nl);
/* Sets the weight of the last document appended (all others keep theirs, 1 by default). */
void dataset_set_weight(Dataset *ds, float w);
static inline float dataset_weight(const Dataset *ds, int64_t i)
{
    return ds->w ? ds->w[i] : 1.0f;
}
/* The first label of document i: a single-label corpus's only one. */
static inline int32_t dataset_label(const Dataset *ds, int64_t i)
{
    return ds->lab[ds->loff[i]];
}

/* Reads and encodes a labelled file with an existing encoder. A label not in
 * `labels` is added to `unknown` and stored as labels->n + its id there. With
 * words != NULL it also gets the documents as words: each word's row in ids and
 * its hash_word in feat (for encoding them again with other n-gram settings). */
int dataset_load(const char *path, const ReaderOptions *ro, const Encoder *enc, const Vocab *labels,
                 Vocab *unknown, Dataset *out, Dataset *words, ReaderStats *rs, Status *st);

#endif
