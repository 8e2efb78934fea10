/* dataset.h - documents encoded once into a compact integer form (CSR):
 * document i is ids[off[i] .. off[i+1]) (embedding rows, see encoder.h) with the
 * label set lab[loff[i] .. loff[i+1]) and naive Bayes features
 * feat[foff[i] .. foff[i+1]) (empty when the encoder makes none). Epochs reuse it;
 * nothing re-reads or re-tokenizes text. */
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
} Dataset;

void dataset_init(Dataset *ds);
void dataset_free(Dataset *ds);
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
