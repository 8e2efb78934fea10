/* wordcount.h - a table of word counts whose size can be bounded, for building a
 * vocabulary from a corpus of any size. Words are keyed by their 64-bit
 * hash_word() (two words whose hashes collide count as one; with 64-bit FNV-1a
 * that is a one-in-a-trillion event at a million distinct words, and their
 * n-grams share rows already), and kept in first-seen order with their bytes.
 *
 * Bounded, it behaves like fastText's Dictionary::threshold: once the table
 * passes 3/4 of its bound, the words seen fewer than t times so far are dropped,
 * with t = min_count first (words that rare would mostly be cut anyway) and then
 * higher, until half the bound is left. A word dropped and seen again starts
 * counting afresh. */
#ifndef ATTNCLF_WORDCOUNT_H
#define ATTNCLF_WORDCOUNT_H

#include <stddef.h>
#include <stdint.h>

#include "vocab.h"

/* The bound when tokenizer.max_vocab does not set one: fastText's table size. */
#define WORDCOUNT_DEFAULT_BOUND ((int64_t)30000000)
/* The most entries a table holds (slots are 32-bit). */
#define WORDCOUNT_MAX ((int64_t)1 << 30)

typedef struct WordCount {
    uint64_t *hash;      /* [n] hash_word() of each word */
    int64_t *count;      /* [n] */
    uint64_t *at;        /* [n] where its NUL-terminated bytes start in text */
    uint32_t *len;       /* [n] byte length */
    char *text;
    uint64_t text_len, text_cap;
    int64_t n, cap;
    int32_t *slot;       /* [mask+1] entry index or -1 */
    uint64_t mask;
    int64_t seen;        /* entries ever made (a word dropped and seen again twice) */
    int64_t dropped_below; /* words seen fewer times than this were dropped; 0 if none */
} WordCount;

void wordcount_init(WordCount *w);
void wordcount_free(WordCount *w);
/* Empties the table, keeping its memory. */
void wordcount_clear(WordCount *w);
/* Adds `count` occurrences of the word s[0..len) whose hash_word() is `hash`;
 * returns its entry. Entries stay put until the next wordcount_bound. */
int64_t wordcount_add(WordCount *w, const char *s, size_t len, uint64_t hash, int64_t count);
/* The entry of hash, or -1. */
int64_t wordcount_find(const WordCount *w, uint64_t hash);
static inline const char *wordcount_word(const WordCount *w, int64_t i)
{
    return w->text + w->at[i];
}
/* Adds src's words and counts to w, in src's order. */
void wordcount_merge(WordCount *w, const WordCount *src);
/* The bound for tokenizer.max_vocab (0: none given). */
int64_t wordcount_bound_for(int64_t max_vocab);
/* Keeps w within `bound` entries (see above); returns 1 if it dropped words. */
int wordcount_bound(WordCount *w, int64_t bound, int64_t min_count);
/* The vocabulary: the words whose counts[i] ([n], e.g. counted over the
 * training part only) are >= min_count, at most max_vocab of them (0: all),
 * ordered as vocab_prune orders them (count descending, then bytes), so the
 * result is vocab_prune's on the same words and counts. remap [n] gets each
 * entry's id or -1. */
void wordcount_vocab(const WordCount *w, const int64_t *counts, int64_t min_count, int64_t max_vocab, Vocab *out,
                     int64_t *remap);

#endif
