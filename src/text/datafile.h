/* datafile.h - the training data as the trainer reads it, cached (cfile.h): the
 * training and validation documents encoded into embedding rows (n-gram buckets
 * included), label ids and naive Bayes features, with the vocabulary built
 * from the training part and the label set. It is built from token files
 * (tokfile.h) and keyed by their keys and by the validation split, the
 * vocabulary and the encoder settings; a resumed run's data, encoded with its
 * checkpoint's vocabulary and labels, is keyed by those too. The Datasets are
 * views into the file's mapping, so epochs read it from the page cache (or the
 * disk) instead of holding it in memory.
 *
 * Encoding is corpus.c's old in-memory encoding, step by step: the split
 * (a seeded shuffle, first valid_fraction), the words counted over the training
 * part only, vocab_prune's order, each word's row found by its hash, the
 * n-grams and features from the word hashes, labels in natural order; so the
 * documents, vocabulary and labels are the same bytes. */
#ifndef ATTNCLF_DATAFILE_H
#define ATTNCLF_DATAFILE_H

#include <stdint.h>

#include "cfile.h"
#include "ckpt.h"
#include "dataset.h"
#include "encoder.h"
#include "status.h"
#include "tokfile.h"
#include "vocab.h"

typedef struct DataSpec {
    const TokFile *train;       /* the training file's tokens */
    const TokFile *valid;       /* a validation file's, or NULL: split valid_fraction of train off */
    double valid_fraction;      /* in [0, 1) */
    uint64_t seed;              /* decides the split */
    VocabOptions vocab;
    const Vocab *given_words;   /* NULL: built from the training part; else encode with these */
    const Vocab *given_labels;  /* the same for labels (both or neither) */
} DataSpec;

typedef struct DataFile {
    CFile f;
    Dataset train, valid;   /* views into f */
    Vocab words;            /* the vocabulary */
    Vocab labels;           /* the label set, in natural order */
    Vocab unknown;          /* labels of documents training never saw (ids offset by labels.n) */
    int64_t words_seen;     /* distinct words in the training file */
    ReaderStats train_stats, valid_stats;
} DataFile;

/* The key of the data spec s describes, given its token files' keys (empty:
 * not keyed) and the encoder's n-gram and feature settings; 0 when an input is
 * not keyed. */
uint64_t datafile_key(const DataSpec *s, const CkptBuf *train_key, const CkptBuf *valid_key, const Encoder *enc,
                      CkptBuf *key);
/* Encodes into the cache file `cache` (NULL: a temporary file in tmp_dir,
 * removed once mapped) on `threads` threads and opens it. enc gives the n-gram
 * and feature settings; its vocabulary is not used. */
int datafile_build(DataFile *d, const DataSpec *s, const Encoder *enc, const CkptBuf *key, uint64_t key_hash,
                   const char *cache, const char *tmp_dir, int threads, Status *st);
/* Opens and verifies a cache file built for key. */
CFileState datafile_open(DataFile *d, const char *cache, const CkptBuf *key, uint64_t key_hash, Status *st);
void datafile_free(DataFile *d);
/* The documents of d, built from s's token files, as words (each word's row in
 * ids, its hash_word in feat; corpus_reencode encodes them again) into train
 * and valid, which must be empty datasets. */
void datafile_words(const DataFile *d, const DataSpec *s, Dataset *train, Dataset *valid);

/* Marks which of n documents go to validation: a seeded shuffle, the first
 * round(n * fraction) (at least one document is left for training). */
unsigned char *datafile_split(int64_t n, double fraction, uint64_t seed);

#endif
