/* bayes.c - see bayes.h. */
#include "bayes.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "mem.h"

void bayes_init(Bayes *b, int64_t n, int classes, float weight)
{
    b->n = n;
    b->classes = classes;
    b->weight = weight;
    b->keys = xmalloc((size_t)(n ? n : 1) * sizeof *b->keys);
    b->prior = xcalloc((size_t)classes, sizeof *b->prior);
    b->logp = xcalloc((size_t)(n ? n : 1) * (size_t)classes, sizeof *b->logp);
    b->slot = NULL;
    b->mask = 0;
}

/* Feature hashes mix their high bits into the low ones only weakly (fastText's
 * n-gram combination), so the slot comes from a multiplicative hash's top bits. */
static uint64_t bayes_slot_of(uint64_t key, uint64_t mask)
{
    return (key * 0x9e3779b97f4a7c15ull) >> 32 & mask;
}

void bayes_index(Bayes *b)
{
    uint64_t size = 1;
    while (size < 2 * (uint64_t)b->n) size *= 2;
    free(b->slot);
    b->slot = xmalloc((size_t)size * sizeof *b->slot);
    memset(b->slot, 0xff, (size_t)size * sizeof *b->slot);
    b->mask = size - 1;
    for (int64_t i = 0; i < b->n; i++) {
        uint64_t h = bayes_slot_of(b->keys[i], b->mask);
        while (b->slot[h] >= 0) h = (h + 1) & b->mask;
        b->slot[h] = (int32_t)i;
    }
}

void bayes_free(Bayes *b)
{
    free(b->slot);
    free(b->keys);
    free(b->prior);
    free(b->logp);
    memset(b, 0, sizeof *b);
}

/* Per-class document counts of each distinct feature, in first-seen order,
 * found through an open-addressing index over the keys. */
typedef struct Counts {
    uint64_t *keys;   /* [n] */
    int32_t *count;   /* [n,C] */
    int64_t n, cap;
    int64_t *slot;    /* [mask+1] index into keys, or -1 */
    uint64_t mask;
    int C;
} Counts;

static void counts_rehash(Counts *t, uint64_t size)
{
    free(t->slot);
    t->slot = xmalloc((size_t)size * sizeof *t->slot);
    memset(t->slot, 0xff, (size_t)size * sizeof *t->slot);
    t->mask = size - 1;
    for (int64_t i = 0; i < t->n; i++) {
        uint64_t h = t->keys[i] & t->mask;
        while (t->slot[h] >= 0) h = (h + 1) & t->mask;
        t->slot[h] = i;
    }
}

static void counts_add(Counts *t, uint64_t key, int y)
{
    if ((uint64_t)(t->n + 1) * 2 > t->mask + 1) counts_rehash(t, (t->mask + 1) * 2);
    uint64_t h = key & t->mask;
    while (t->slot[h] >= 0 && t->keys[t->slot[h]] != key) h = (h + 1) & t->mask;
    if (t->slot[h] < 0) {
        if (t->n == t->cap) {
            t->cap = t->cap ? 2 * t->cap : 1 << 16;
            t->keys = xrealloc(t->keys, (size_t)t->cap * sizeof *t->keys);
            t->count = xrealloc(t->count, (size_t)t->cap * (size_t)t->C * sizeof *t->count);
        }
        t->keys[t->n] = key;
        memset(t->count + t->n * t->C, 0, (size_t)t->C * sizeof *t->count);
        t->slot[h] = t->n++;
    }
    t->count[t->slot[h] * t->C + y]++;
}

typedef struct KeyIndex {
    uint64_t key;
    int64_t index;
} KeyIndex;

static int bayes_cmp_key(const void *a, const void *b)
{
    uint64_t x = ((const KeyIndex *)a)->key, y = ((const KeyIndex *)b)->key;
    return (x > y) - (x < y);
}

int bayes_fit(Bayes *b, const Dataset *ds, int classes, double alpha, float weight, Status *st)
{
    const int C = classes;
    Counts t = {.C = C};
    counts_rehash(&t, 1 << 16);
    int64_t *docs = xcalloc((size_t)C, sizeof *docs), *total = xcalloc((size_t)C, sizeof *total), n = 0;
    for (int64_t i = 0; i < ds->n; i++) {
        int32_t y = ds->labels[i];
        if (y < 0 || y >= C) continue;
        docs[y]++;
        n++;
        for (int64_t k = ds->foff[i]; k < ds->foff[i + 1]; k++) counts_add(&t, ds->feat[k], y);
        total[y] += ds->foff[i + 1] - ds->foff[i];
        if (t.n * C > BAYES_MAX_CELLS) break;
    }
    if (t.n * C > BAYES_MAX_CELLS) {
        free(t.keys);
        free(t.count);
        free(t.slot);
        free(docs);
        free(total);
        return status_error(st, "bayes: over %lld features x %d labels exceed %lld table cells; "
                            "lower bayes.ngrams or set bayes.weight to 0", (long long)t.n, C,
                            (long long)BAYES_MAX_CELLS);
    }
    /* Ascending keys: the table, and so the checkpoint, does not depend on document order. */
    KeyIndex *order = xmalloc((size_t)(t.n ? t.n : 1) * sizeof *order);
    for (int64_t i = 0; i < t.n; i++) order[i] = (KeyIndex){t.keys[i], i};
    qsort(order, (size_t)t.n, sizeof *order, bayes_cmp_key);
    bayes_init(b, t.n, C, weight);
    for (int c = 0; c < C; c++) {
        b->prior[c] = (float)log(((double)docs[c] + alpha) / ((double)n + alpha * C));
        double denom = log((double)total[c] + alpha * (double)t.n);
        for (int64_t i = 0; i < t.n; i++)
            b->logp[i * C + c] = (float)(log((double)t.count[order[i].index * C + c] + alpha) - denom);
    }
    for (int64_t i = 0; i < t.n; i++) b->keys[i] = order[i].key;
    bayes_index(b);
    free(order);
    free(t.keys);
    free(t.count);
    free(t.slot);
    free(docs);
    free(total);
    return 0;
}

void bayes_logits(const Bayes *b, const uint64_t *feat, int64_t nf, float *logits)
{
    const int C = b->classes;
    for (int c = 0; c < C; c++) logits[c] = b->prior[c];
    for (int64_t k = 0; k < nf; k++) {
        uint64_t h = bayes_slot_of(feat[k], b->mask);
        int32_t i;
        while ((i = b->slot[h]) >= 0 && b->keys[i] != feat[k]) h = (h + 1) & b->mask;
        if (i >= 0)
            for (int c = 0; c < C; c++) logits[c] += b->logp[(int64_t)i * C + c];
    }
    for (int c = 0; c < C; c++) logits[c] *= b->weight;
}
