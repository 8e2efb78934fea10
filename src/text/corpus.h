/* corpus.h - a training corpus from its files, through the token cache: the
 * files are read and tokenized once, on all threads, into token files
 * (tokfile.h, word hashes per document, keyed by each file and the tokenizer
 * settings), and those are encoded into a data file (datafile.h: the
 * validation split, the vocabulary and label set built from the training part
 * only, both parts as embedding rows; keyed by the token files and the split,
 * vocabulary and encoder settings). Both live in a cache directory and are
 * reused by a resumed run and by any run with the same data and settings; one
 * that is damaged (a checksum fails) or stale (its input or settings changed,
 * so its key did) is never used: it is built again. The Datasets are views of
 * the mapped data file, so a corpus larger than memory trains with its pages
 * coming from the page cache or the disk. */
#ifndef ATTNCLF_CORPUS_H
#define ATTNCLF_CORPUS_H

#include <stdint.h>

#include "cfile.h"
#include "dataset.h"
#include "encoder.h"
#include "reader.h"
#include "status.h"
#include "vocab.h"

/* What happens while a corpus is made ready: reading progress, and each cache
 * file used or built. */
typedef enum { CORPUS_READING = 0, CORPUS_CACHE } CorpusEventKind;

typedef struct CorpusEvent {
    CorpusEventKind kind;
    const char *path;      /* the file being read, or the cache file */
    int64_t done, total;   /* READING: bytes read of total (0: unknown); CACHE: the file's size in done */
    double seconds;        /* READING: since it began; CACHE: what building took (0 when reused) */
    int built;             /* CACHE: built now, not reused */
    int kept;              /* CACHE: the file stays in the cache (else it is removed once mapped) */
    const char *why;       /* CACHE: why a file there was not used ("checksum mismatch ..."), or NULL */
} CorpusEvent;

typedef struct CorpusWatch {
    void *ctx;
    void (*fn)(void *ctx, const CorpusEvent *e);
} CorpusWatch;

typedef struct CorpusOptions {
    const char *train;           /* required */
    const char *valid;           /* NULL: split valid_fraction of train off by seed */
    double valid_fraction;       /* in [0, 1) */
    uint64_t seed;               /* decides the split */
    const ReaderOptions *read;
    VocabOptions vocab;
    const char *cache;           /* the cache directory (made when missing) */
    int transient;               /* keep nothing there: every file is removed once mapped, as
                                  * standard input's always are */
    int threads;                 /* reading and encoding; 0 = all cores */
    const CorpusWatch *watch;    /* may be NULL */
    int keep_words;              /* also keep the documents as words (corpus_reencode) */
} CorpusOptions;

typedef struct TrainData {
    Dataset train, valid;  /* views of `file` (corpus_build, corpus_reload), or their own (corpus_reencode) */
    /* With keep_words: the same documents as words, each word's row in ids and
     * its hash_word in feat; empty otherwise. */
    Dataset words_train, words_valid;
    ReaderStats train_stats, valid_stats;
    Vocab unknown_valid;   /* valid labels not in training (ids offset by n classes) */
    int64_t words_seen;    /* distinct words before min_count/max_vocab */
    CFile file;            /* the mapped data file */
} TrainData;

/* Reads o->train (and o->valid when given, else splits valid_fraction off by
 * seed), builds the vocabulary into enc->vocab (enc's tokenizer, n-gram and
 * feature settings must be set) from the training part only, the label set
 * into `labels` (natural order), and encodes both parts. Needs at least two
 * labels. */
int corpus_build(const CorpusOptions *o, Encoder *enc, Vocab *labels, TrainData *out, Status *st);
/* The same data for a resumed run, encoded with the vocabulary and labels it
 * was trained with; the validation split is the same as the original run's.
 * It is the original run's cache file when the data have not changed. */
int corpus_reload(const CorpusOptions *o, const Encoder *enc, const Vocab *labels, TrainData *out, Status *st);
/* The documents of src (built with keep_words) encoded again by enc, whose
 * vocabulary must be the one src was built with and whose n-gram and naive Bayes
 * settings may differ: a tuning trial's data without reading or tokenizing. out
 * gets no words of its own. With character n-grams (whose letters src does not
 * keep) the rows are src's own, so enc's n-gram settings must be src's; only the
 * naive Bayes features are made again. */
void corpus_reencode(const TrainData *src, const Encoder *enc, TrainData *out);
/* What a corpus made from src's documents keeps of src: the readers'
 * statistics, the words seen and the validation labels training never saw. */
void corpus_inherit(TrainData *out, const TrainData *src);
/* A digest of the data (documents, vocabulary, labels), not of where they came
 * from: equal on two hosts that read the same bytes from different paths. */
uint64_t corpus_digest(const TrainData *td);
/* Lets go of the resident pages of a large data file (cfile_release): a pass
 * over it then keeps at most what it touched since. Safe during training. */
void corpus_release(const TrainData *td);
/* The data file training should read the documents' ids from (cfile_read)
 * rather than through its mapping: a file large enough to be let go of
 * (corpus_release) whose training ids it holds; NULL otherwise. */
const CFile *corpus_stream(const TrainData *td);
void corpus_free(TrainData *td);
/* Which of a training file's n rows the split puts in validation (1) rather
 * than training (0): a shuffle seeded by seed, then the first
 * round(n * fraction) of it, at most n - 1 (malloc'd, [n]; all 0 for a
 * fraction of 0). corpus_build, corpus_reload and the report's reading of a
 * run's validation split all call it, so they cannot disagree. */
unsigned char *corpus_valid_mask(int64_t n, double fraction, uint64_t seed);

#endif
