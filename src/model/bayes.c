/* bayes.c - see bayes.h. */
#include "bayes.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "mem.h"

/* An empty member of n features (arrays allocated); bayes_index once keys are in. */
static void bayes_init(Bayes *b, int64_t n, int classes, const BayesOptions *o)
{
    b->o = *o;
    b->n = n;
    b->classes = classes;
    b->weight = (float)o->weight;
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

/* The slot of an open-addressing index (slot [mask+1]: a position in keys, or -1)
 * that holds key, or the empty slot where it would go. */
static uint64_t bayes_probe(const int32_t *slot, uint64_t mask, const uint64_t *keys, uint64_t key)
{
    uint64_t h = bayes_slot_of(key, mask);
    while (slot[h] >= 0 && keys[slot[h]] != key) h = (h + 1) & mask;
    return h;
}

/* (Re)builds an index of `size` slots (a power of two > n) over keys [n]. */
static void bayes_build_index(int32_t **slot, uint64_t *mask, const uint64_t *keys, int64_t n, uint64_t size)
{
    free(*slot);
    *slot = xmalloc((size_t)size * sizeof **slot);
    memset(*slot, 0xff, (size_t)size * sizeof **slot);
    *mask = size - 1;
    for (int64_t i = 0; i < n; i++) (*slot)[bayes_probe(*slot, *mask, keys, keys[i])] = (int32_t)i;
}

/* Builds the lookup index over b->keys. */
static void bayes_index(Bayes *b)
{
    uint64_t size = 2;
    while (size < 2 * (uint64_t)b->n) size *= 2;
    bayes_build_index(&b->slot, &b->mask, b->keys, b->n, size);
}

void bayes_free(Bayes *b)
{
    free(b->slot);
    free(b->keys);
    free(b->prior);
    free(b->logp);
    memset(b, 0, sizeof *b);
}

/* Per-class document counts of each distinct feature, in first-seen order. */
typedef struct Counts {
    uint64_t *keys;   /* [n] */
    int32_t *count;   /* [n,C] */
    int64_t n, cap;   /* n <= BAYES_MAX_CELLS, so positions fit the int32 index */
    int32_t *slot;    /* [mask+1] the index over keys */
    uint64_t mask;
    int C;
} Counts;

static void counts_free(Counts *t)
{
    free(t->keys);
    free(t->count);
    free(t->slot);
}

static void counts_add(Counts *t, uint64_t key, int y)
{
    if ((uint64_t)(t->n + 1) * 2 > t->mask + 1) bayes_build_index(&t->slot, &t->mask, t->keys, t->n, (t->mask + 1) * 2);
    uint64_t h = bayes_probe(t->slot, t->mask, t->keys, key);
    if (t->slot[h] < 0) {
        if (t->n == t->cap) {
            t->cap = t->cap ? 2 * t->cap : 1 << 16;
            t->keys = xrealloc(t->keys, (size_t)t->cap * sizeof *t->keys);
            t->count = xrealloc(t->count, (size_t)t->cap * (size_t)t->C * sizeof *t->count);
        }
        t->keys[t->n] = key;
        memset(t->count + t->n * t->C, 0, (size_t)t->C * sizeof *t->count);
        t->slot[h] = (int32_t)t->n++;
    }
    t->count[(int64_t)t->slot[h] * t->C + y]++;
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

int bayes_fit(Bayes *b, const Dataset *ds, int classes, const BayesOptions *o, Status *st)
{
    const double alpha = o->alpha;
    const int C = classes;
    Counts t = {.C = C};
    bayes_build_index(&t.slot, &t.mask, t.keys, 0, 1 << 16);
    int64_t *docs = xcalloc((size_t)C, sizeof *docs), *total = xcalloc((size_t)C, sizeof *total), n = 0;
    for (int64_t i = 0; i < ds->n; i++) {
        int32_t y = dataset_label(ds, i);
        if (y < 0 || y >= C) continue;
        docs[y]++;
        n++;
        for (int64_t k = ds->foff[i]; k < ds->foff[i + 1]; k++) counts_add(&t, ds->feat[k], y);
        total[y] += ds->foff[i + 1] - ds->foff[i];
        if (t.n * C > BAYES_MAX_CELLS) break;
    }
    if (t.n * C > BAYES_MAX_CELLS) {
        counts_free(&t);
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
    bayes_init(b, t.n, C, o);
    for (int c = 0; c < C; c++) {
        b->prior[c] = (float)log(((double)docs[c] + alpha) / ((double)n + alpha * C));
        double denom = log((double)total[c] + alpha * (double)t.n);
        for (int64_t i = 0; i < t.n; i++)
            b->logp[i * C + c] = (float)(log((double)t.count[order[i].index * C + c] + alpha) - denom);
    }
    for (int64_t i = 0; i < t.n; i++) b->keys[i] = order[i].key;
    bayes_index(b);
    free(order);
    counts_free(&t);
    free(docs);
    free(total);
    return 0;
}

void bayes_logits(const Bayes *b, const uint64_t *feat, int64_t nf, float *logits)
{
    const int C = b->classes;
    for (int c = 0; c < C; c++) logits[c] = b->prior[c];
    for (int64_t k = 0; k < nf; k++) {
        int32_t i = b->slot[bayes_probe(b->slot, b->mask, b->keys, feat[k])];
        if (i >= 0)
            for (int c = 0; c < C; c++) logits[c] += b->logp[(int64_t)i * C + c];
    }
    for (int c = 0; c < C; c++) logits[c] *= b->weight;
}

void bayes_save(const Bayes *b, CkptWriter *w)
{
    CkptBuf *h = ckpt_section(w, "BAYS", 2);
    ckpt_put_f64(h, b->o.weight);
    ckpt_put_u32(h, (uint32_t)b->o.ngrams);
    ckpt_put_f64(h, b->o.alpha);
    ckpt_put_u64(h, (uint64_t)b->n);
    ckpt_put(h, b->keys, (size_t)b->n * sizeof *b->keys);
    ckpt_put(h, b->prior, (size_t)b->classes * sizeof *b->prior);
    ckpt_section_ref(w, b->logp, (uint64_t)b->n * (uint64_t)b->classes * sizeof *b->logp);
}

int bayes_load(Bayes *b, const CkptReader *r, int classes, const BayesOptions *legacy, Status *st)
{
    CkptSection sec;
    if (!ckpt_find(r, "BAYS", &sec)) return ckpt_damaged(r, st, "no BAYS section (naive Bayes member)");
    CkptCursor c = ckpt_cursor(&sec);
    BayesOptions o = legacy ? *legacy : (BayesOptions){0};
    if (r->version >= 4) {
        o.weight = ckpt_f64(&c);
        uint32_t ngrams = ckpt_u32(&c);
        o.ngrams = ngrams > 6 ? 0 : (int)ngrams;
        o.alpha = ckpt_f64(&c);
    }
    const uint64_t C = (uint64_t)classes, n = ckpt_u64(&c), left = c.n - c.pos;
    /* Sizes are checked before any multiplication can overflow. */
    if (c.bad || (r->version >= 4 && sec.version != 2) || !(o.weight > 0) || o.ngrams < 1 || o.ngrams > 6 ||
        !(o.alpha > 0) || n > left / 8 || (C && n > left / (4 * C)) || left != n * 8 + C * 4 + n * C * 4)
        return ckpt_damaged(r, st, "bad BAYS section (naive Bayes member)");
    bayes_init(b, (int64_t)n, classes, &o);
    ckpt_copy(&c, b->keys, n * 8);
    ckpt_copy(&c, b->prior, C * 4);
    ckpt_copy(&c, b->logp, n * C * 4);
    for (uint64_t i = 1; i < n; i++)
        if (b->keys[i] <= b->keys[i - 1]) return ckpt_damaged(r, st, "BAYS feature hashes are not ascending");
    bayes_index(b);
    return 0;
}
