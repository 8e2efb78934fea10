/* wordcount.c - see wordcount.h. */
#include "wordcount.h"

#include <stdlib.h>
#include <string.h>

#include "mem.h"

void wordcount_init(WordCount *w)
{
    memset(w, 0, sizeof *w);
}

void wordcount_free(WordCount *w)
{
    free(w->hash);
    free(w->count);
    free(w->at);
    free(w->len);
    free(w->text);
    free(w->slot);
    memset(w, 0, sizeof *w);
}

void wordcount_clear(WordCount *w)
{
    w->n = 0;
    w->text_len = 0;
    w->seen = 0;
    w->dropped_below = 0;
    if (w->slot) memset(w->slot, 0xff, (size_t)(w->mask + 1) * sizeof *w->slot);
}

/* FNV-1a's low bits are weak; the slot comes from a multiplicative hash's top bits. */
static uint64_t wordcount_home(uint64_t hash, uint64_t mask)
{
    return (hash * 0x9E3779B97F4A7C15ull) >> 32 & mask;
}

static void wordcount_reindex(WordCount *w, uint64_t size)
{
    free(w->slot);
    w->slot = xmalloc((size_t)size * sizeof *w->slot);
    memset(w->slot, 0xff, (size_t)size * sizeof *w->slot);
    w->mask = size - 1;
    for (int64_t i = 0; i < w->n; i++) {
        uint64_t s = wordcount_home(w->hash[i], w->mask);
        while (w->slot[s] >= 0) s = (s + 1) & w->mask;
        w->slot[s] = (int32_t)i;
    }
}

int64_t wordcount_find(const WordCount *w, uint64_t hash)
{
    if (!w->slot) return -1;
    for (uint64_t s = wordcount_home(hash, w->mask);; s = (s + 1) & w->mask) {
        int32_t i = w->slot[s];
        if (i < 0 || w->hash[i] == hash) return i;
    }
}

static void wordcount_grow(WordCount *w)
{
    w->cap = w->cap ? 2 * w->cap : 1024;
    w->hash = xrealloc(w->hash, (size_t)w->cap * sizeof *w->hash);
    w->count = xrealloc(w->count, (size_t)w->cap * sizeof *w->count);
    w->at = xrealloc(w->at, (size_t)w->cap * sizeof *w->at);
    w->len = xrealloc(w->len, (size_t)w->cap * sizeof *w->len);
}

int64_t wordcount_add(WordCount *w, const char *s, size_t len, uint64_t hash, int64_t count)
{
    if (w->slot) {
        uint64_t h = wordcount_home(hash, w->mask);
        for (;; h = (h + 1) & w->mask) {
            int32_t i = w->slot[h];
            if (i < 0) break;
            if (w->hash[i] == hash) {
                w->count[i] += count;
                return i;
            }
        }
    }
    if (w->n == w->cap) wordcount_grow(w);
    if (w->text_len + len + 1 > w->text_cap) {
        w->text_cap = w->text_cap ? 2 * w->text_cap : 1 << 16;
        while (w->text_cap < w->text_len + len + 1) w->text_cap *= 2;
        w->text = xrealloc(w->text, (size_t)w->text_cap);
    }
    int64_t i = w->n++;
    memcpy(w->text + w->text_len, s, len);
    w->text[w->text_len + len] = '\0';
    w->at[i] = w->text_len;
    w->len[i] = (uint32_t)len;
    w->text_len += len + 1;
    w->hash[i] = hash;
    w->count[i] = count;
    w->seen++;
    if ((uint64_t)w->n * 2 > (w->slot ? w->mask + 1 : 0)) {
        wordcount_reindex(w, w->slot ? 2 * (w->mask + 1) : 2048);
    } else {
        uint64_t h = wordcount_home(hash, w->mask);
        while (w->slot[h] >= 0) h = (h + 1) & w->mask;
        w->slot[h] = (int32_t)i;
    }
    return i;
}

void wordcount_merge(WordCount *w, const WordCount *src)
{
    for (int64_t i = 0; i < src->n; i++)
        wordcount_add(w, wordcount_word(src, i), src->len[i], src->hash[i], src->count[i]);
}

int64_t wordcount_bound_for(int64_t max_vocab)
{
    if (max_vocab <= 0) return WORDCOUNT_DEFAULT_BOUND;
    /* Room for four candidates per kept word: the most frequent ones of the
     * whole corpus are mostly among the most frequent of what has been seen. */
    int64_t b = max_vocab < WORDCOUNT_MAX / 4 ? 4 * max_vocab : WORDCOUNT_MAX;
    return b > ((int64_t)1 << 20) ? b : (int64_t)1 << 20;
}

/* Drops the words counted fewer than `below` times, keeping the others in order. */
static void wordcount_drop(WordCount *w, int64_t below)
{
    int64_t k = 0;
    uint64_t t = 0;
    for (int64_t i = 0; i < w->n; i++) {
        if (w->count[i] < below) continue;
        uint32_t len = w->len[i];
        memmove(w->text + t, w->text + w->at[i], (size_t)len + 1);
        w->hash[k] = w->hash[i];
        w->count[k] = w->count[i];
        w->len[k] = len;
        w->at[k] = t;
        t += len + 1;
        k++;
    }
    w->n = k;
    w->text_len = t;
    uint64_t size = 2048;
    while (size < 2 * (uint64_t)k) size *= 2;
    wordcount_reindex(w, size);
}

int wordcount_bound(WordCount *w, int64_t bound, int64_t min_count)
{
    if (bound <= 0 || w->n * 4 <= bound * 3) return 0;
    int64_t t = min_count > w->dropped_below ? min_count : w->dropped_below;
    if (t < 2) t = 2;
    while (w->n * 2 > bound) {
        wordcount_drop(w, t);
        w->dropped_below = t++;
    }
    return 1;
}

/* ---- the vocabulary ---- */

typedef struct Ranked {
    int64_t count;
    const char *word;
    int64_t entry;
} Ranked;

/* vocab_prune's order: count descending, then bytes ascending. */
static int wordcount_cmp(const void *a, const void *b)
{
    const Ranked *x = a, *y = b;
    if (x->count != y->count) return x->count > y->count ? -1 : 1;
    return strcmp(x->word, y->word);
}

void wordcount_vocab(const WordCount *w, const int64_t *counts, int64_t min_count, int64_t max_vocab, Vocab *out,
                     int64_t *remap)
{
    Ranked *r = xmalloc((size_t)(w->n ? w->n : 1) * sizeof *r);
    int64_t keep = 0;
    for (int64_t i = 0; i < w->n; i++) {
        remap[i] = -1;
        if (counts[i] >= min_count) r[keep++] = (Ranked){counts[i], wordcount_word(w, i), i};
    }
    qsort(r, (size_t)keep, sizeof *r, wordcount_cmp);
    if (max_vocab > 0 && keep > max_vocab) keep = max_vocab;
    vocab_init(out);
    for (int64_t k = 0; k < keep; k++) {
        int64_t id = vocab_add(out, r[k].word, w->len[r[k].entry]);
        out->counts[id] = r[k].count;
        remap[r[k].entry] = id;
    }
    free(r);
}
