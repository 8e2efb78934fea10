/* corpus.h - a training corpus from its files: raw rows (words as provisional
 * ids), the validation split, the vocabulary and label set built from the
 * training part only, and both parts encoded into Datasets. */
#ifndef ATTNCLF_CORPUS_H
#define ATTNCLF_CORPUS_H

#include <stdint.h>

#include "dataset.h"
#include "encoder.h"
#include "reader.h"
#include "status.h"
#include "vocab.h"

typedef struct CorpusOptions {
    const char *train;           /* required */
    const char *valid;           /* NULL: split valid_fraction of train off by seed */
    double valid_fraction;       /* in [0, 1) */
    uint64_t seed;               /* decides the split */
    const ReaderOptions *read;
    VocabOptions vocab;
    int keep_words;              /* also keep the documents as words (corpus_reencode) */
} CorpusOptions;

typedef struct TrainData {
    Dataset train, valid;
    /* With keep_words: the same documents as words, each word's row in ids and
     * its hash_word in feat; empty otherwise. */
    Dataset words_train, words_valid;
    ReaderStats train_stats, valid_stats;
    Vocab unknown_valid;   /* valid labels not in training (ids offset by n classes) */
    int64_t words_seen;    /* distinct words before min_count/max_vocab */
} TrainData;

/* Reads o->train (and o->valid when given, else splits valid_fraction off by
 * seed), builds the vocabulary into enc->vocab (enc's tokenizer and n-gram
 * settings must be set) from the training part only, the label set into
 * `labels` (natural order), and encodes both parts. Needs at least two labels. */
int corpus_build(const CorpusOptions *o, Encoder *enc, Vocab *labels, TrainData *out, Status *st);
/* The same data for a resumed run, encoded with the vocabulary and labels it
 * was trained with; the validation split is the same as the original run's. */
int corpus_reload(const CorpusOptions *o, const Encoder *enc, const Vocab *labels, TrainData *out, Status *st);
/* The documents of src (built with keep_words) encoded again by enc, whose
 * vocabulary must be the one src was built with and whose n-gram and naive Bayes
 * settings may differ: a tuning trial's data without reading or tokenizing. out
 * gets no words of its own. With character n-grams (whose letters src does not
 * keep) the rows are src's own, so enc's n-gram settings must be src's; only the
 * naive Bayes features are made again. */
void corpus_reencode(const TrainData *src, const Encoder *enc, TrainData *out);
void corpus_free(TrainData *td);
/* Which of a training file's n rows the split puts in validation (1) rather
 * than training (0): a shuffle seeded by seed, then the first
 * round(n * fraction) of it, at most n - 1 (malloc'd, [n]; all 0 for a
 * fraction of 0). corpus_build, corpus_reload and the report's reading of a
 * run's validation split all call it, so they cannot disagree. */
unsigned char *corpus_valid_mask(int64_t n, double fraction, uint64_t seed);

#endif
