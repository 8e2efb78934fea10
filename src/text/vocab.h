/* vocab.h - a string table with counts: the word vocabulary and the label set.
 * Open addressing over hash_word(), ids dense from 0 in insertion order until
 * vocab_prune/vocab_sort renumber them. */
#ifndef ATTNCLF_VOCAB_H
#define ATTNCLF_VOCAB_H

#include <stddef.h>
#include <stdint.h>

#include "ckpt.h"
#include "status.h"

/* What building a vocabulary from a corpus keeps. */
typedef struct VocabOptions {
    int min_count;       /* words seen fewer times are UNK */
    int64_t max_vocab;   /* the most frequent words kept, 0 = no limit */
} VocabOptions;

typedef struct Vocab {
    char **words;      /* [n] owned NUL-terminated strings */
    uint32_t *lens;    /* [n] byte lengths */
    uint64_t *hashes;  /* [n] hash_word() of each word */
    int64_t *counts;   /* [n] */
    int64_t n, cap;
    int64_t *table;    /* [table_size] word id or -1 */
    uint64_t table_size; /* power of two, kept >= 2n */
} Vocab;

void vocab_init(Vocab *v);
void vocab_free(Vocab *v);
/* Adds one occurrence of word (counts it) and returns its id. */
int64_t vocab_add(Vocab *v, const char *word, size_t len);
/* Id of word, or -1. `hash` must be hash_word(word, len). */
int64_t vocab_find_hashed(const Vocab *v, const char *word, size_t len, uint64_t hash);
int64_t vocab_find(const Vocab *v, const char *word, size_t len);
/* Keeps words with count >= min_count, at most max_vocab of them (0 = all),
 * ordered by count descending, ties by bytes ascending, so the result does not
 * depend on insertion order. If remap != NULL, remap[old_id] = new id or -1
 * ([old n] entries, caller-allocated). */
void vocab_prune(Vocab *v, int64_t min_count, int64_t max_vocab, int64_t *remap);
/* Orders entries "naturally" (runs of digits compare as numbers: "2" < "10"), for
 * label sets; remap as in vocab_prune. */
void vocab_sort_natural(Vocab *v, int64_t *remap);

/* Keeps the entries with keep[id] != 0, in their order (ids renumbered from 0);
 * remap as in vocab_prune. */
void vocab_filter(Vocab *v, const uint8_t *keep /* [n] */, int64_t *remap);

/* Section `tag` (VOCB for words, LABL for labels), version 1: u64 n, then per
 * entry its bytes (u32 length + bytes) and u64 count, in id order. Version 2
 * (compact, for a shipped model, which never reads the counts): u64 n, then per
 * entry its length as a LEB128 varint and its bytes. */
void vocab_save(const Vocab *v, CkptWriter *w, const char *tag, int compact);
/* Reads section `tag` (either version; version 2 leaves the counts 0) into an
 * empty v; an absent or inconsistent section is an error. */
int vocab_load(Vocab *v, const CkptReader *r, const char *tag, Status *st);
/* The same bytes into and out of any buffer (cache files); vocab_get returns
 * NULL, or what is wrong with the bytes ("is cut short"). */
void vocab_put(const Vocab *v, CkptBuf *b);
const char *vocab_get(Vocab *v, CkptCursor *c);
/* The same entries in the same order with the same counts. */
int vocab_equal(const Vocab *a, const Vocab *b);

#endif
