/* dataset.h - a corpus tokenized once into a compact integer form (CSR):
 * document i is ids[off[i] .. off[i+1]) (embedding rows, see encoder.h) with
 * label labels[i], and naive Bayes features feat[foff[i] .. foff[i+1]) (empty
 * when the encoder makes none). Epochs reuse it; nothing re-reads or re-tokenizes text. */
#ifndef ATTNCLF_DATASET_H
#define ATTNCLF_DATASET_H

#include <stdint.h>

#include "config.h"
#include "encoder.h"
#include "reader.h"
#include "status.h"
#include "vocab.h"

typedef struct Dataset {
    int64_t n;        /* documents */
    int64_t *off;     /* [n+1] */
    int32_t *ids;     /* [off[n]] */
    int32_t *labels;  /* [n] < n_classes: a training label; >= n_classes: unknown label */
    int64_t *foff;    /* [n+1] */
    uint64_t *feat;   /* [foff[n]] */
    int64_t max_len;  /* longest document */
    int64_t cap_docs, cap_ids, cap_feat;
} Dataset;

typedef struct TrainData {
    Dataset train, valid;
    ReaderStats train_stats, valid_stats;
    Vocab unknown_valid;   /* valid labels not in training (ids offset by n classes) */
    int64_t words_seen;    /* distinct words before min_count/max_vocab */
} TrainData;

void dataset_init(Dataset *ds);
void dataset_free(Dataset *ds);
/* feat may be NULL when nf == 0. */
void dataset_append(Dataset *ds, const int32_t *ids, int64_t n, const uint64_t *feat, int64_t nf, int32_t label);

/* Reads cfg->data.train (and data.valid when given, else splits valid_fraction
 * off by seed), builds the vocabulary into enc->vocab (enc->tk, ngrams and
 * buckets must be set) from the training part only, the label set into `labels`
 * (natural order), and encodes both parts. Needs at least two labels. */
int dataset_build_train(const Config *cfg, Encoder *enc, Vocab *labels, TrainData *out, Status *st);
/* The same data for a resumed run, encoded with the vocabulary and labels the
 * checkpoint holds; the validation split is the same as the original run's. */
int dataset_load_train(const Config *cfg, const Encoder *enc, const Vocab *labels, TrainData *out,
                       Status *st);
void traindata_free(TrainData *td);

/* Reads and encodes a labelled file with an existing encoder. A label not in
 * `labels` is added to `unknown` and stored as labels->n + its id there. */
int dataset_load(const char *path, const DataConfig *dc, const Encoder *enc, const Vocab *labels,
                 Vocab *unknown, Dataset *out, ReaderStats *rs, Status *st);

#endif
