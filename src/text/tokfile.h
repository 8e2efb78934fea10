/* tokfile.h - a corpus file tokenized once, into a cache file (cfile.h): each
 * document as the hash_word() values of its words and as its labels, the
 * table of words (wordcount.h, counted over every document, bounded), the
 * label names and the reader's statistics. Word hashes, not vocabulary ids,
 * because the vocabulary is decided later (over the training part only, after
 * the validation split) and a bounded table may drop and re-add words; the
 * hashes are what the n-gram buckets need anyway.
 *
 * Keyed by the file (its real path, size, modification time and XXH64 of its
 * first and last MiB), the reader and tokenizer settings, the table's bound and
 * a fingerprint of this build's tokenizer (the tokens of a fixed text), so a
 * change to any of them, or to the tokenizer's code, makes a new file. */
#ifndef ATTNCLF_TOKFILE_H
#define ATTNCLF_TOKFILE_H

#include <stdint.h>

#include "cfile.h"
#include "ckpt.h"
#include "reader.h"
#include "status.h"
#include "tokenizer.h"
#include "vocab.h"
#include "wordcount.h"

typedef struct TokFile {
    CFile f;
    int64_t n;              /* documents */
    const int64_t *off;     /* [n+1] document i's words are hash[off[i] .. off[i+1]) */
    const uint64_t *hash;   /* [off[n]] */
    const int64_t *loff;    /* [n+1] */
    const int32_t *lab;     /* [loff[n]] label ids, into labels */
    const float *w;         /* [n] each document's weight (data.weight_column), NULL: all 1 */
    const char *str;        /* with strings: word k's bytes are str[soff[k] .. soff[k+1]); else NULL */
    const uint64_t *soff;   /* [off[n]+1] */
    Vocab labels;           /* in first-seen order, counted per row */
    WordCount words;        /* in first-seen order, counted over every document */
    ReaderStats stats;
    int64_t max_words;      /* longest document */
} TokFile;

/* How tokenizing reports progress: `done` of `total` bytes (0: unknown) of
 * path after `seconds`. */
typedef struct TokProgress {
    void *ctx;
    void (*fn)(void *ctx, const char *path, int64_t done, int64_t total, double seconds);
} TokProgress;

/* The key of path read with o and tokenized by tk into a table bounded at
 * `bound` words, with every word's bytes kept when `strings` (character
 * n-grams need them); 0 (no key, nothing to reuse) for standard input. `key` gets
 * the key's bytes, `source` a hash of the file's real path (0 for standard
 * input): a file's older token files are those of the same source. */
uint64_t tokfile_key(const char *path, const ReaderOptions *o, const Tokenizer *tk, int64_t bound, int strings,
                     CkptBuf *key, uint64_t *source, Status *st);
/* Reads and tokenizes path on `threads` threads into the cache file `cache`
 * (NULL: a temporary file next to tmp_dir, removed once mapped) and opens it.
 * Dropping rare words to stay in `bound` starts at min_count. */
int tokfile_build(TokFile *t, const char *path, const ReaderOptions *o, const Tokenizer *tk, int64_t bound,
                  int64_t min_count, int strings, const CkptBuf *key, uint64_t key_hash, const char *cache, const char *tmp_dir,
                  int threads, const TokProgress *progress, Status *st);
/* Opens and verifies a cache file built for key. */
CFileState tokfile_open(TokFile *t, const char *cache, const CkptBuf *key, uint64_t key_hash, Status *st);
void tokfile_free(TokFile *t);

#endif
