/* bayes.c - see bayes.h. */
#include "bayes.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "bayes_pack.h"
#include "mem.h"

/* An empty member of n features (arrays allocated); bayes_index once keys are in. */
static void bayes_init(Bayes *b, int64_t n, int classes, const BayesOptions *o)
{
    memset(b, 0, sizeof *b);
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
    free(b->u);
    free(b->fp);
    free(b->q);
    free(b->pack);
    memset(b, 0, sizeof *b);
}

int64_t bayes_find(const Bayes *b, uint64_t key)
{
    return b->slot[bayes_probe(b->slot, b->mask, b->keys, key)];
}

int bayes_present(const Bayes *b)
{
    return b->logp != NULL || b->compact;
}

/* ---- the compact member ---- */

/* A feature's fingerprint: the high half of a multiplicative mix, as the slots
 * of the exact index use it. */
static uint32_t bayes_fingerprint(uint64_t key)
{
    return (uint32_t)((key * 0x9e3779b97f4a7c15ull) >> 32);
}

static uint64_t bayes_fp_slot(uint32_t fp, uint64_t mask)
{
    return ((uint64_t)fp * 0x9E3779B97F4A7C15ull) >> 40 & mask;
}

static int64_t bayes_fp_find(const Bayes *b, uint32_t fp)
{
    for (uint64_t h = bayes_fp_slot(fp, b->mask);; h = (h + 1) & b->mask) {
        int32_t i = b->slot[h];
        if (i < 0 || b->fp[i] == fp) return i;
    }
}

static void bayes_index_compact(Bayes *b)
{
    uint64_t size = 2;
    while (size < 2 * (uint64_t)b->n) size *= 2;
    free(b->slot);
    b->slot = xmalloc((size_t)size * sizeof *b->slot);
    memset(b->slot, 0xff, (size_t)size * sizeof *b->slot);
    b->mask = size - 1;
    for (int64_t i = 0; i < b->n; i++) {
        uint64_t h = bayes_fp_slot(b->fp[i], b->mask);
        while (b->slot[h] >= 0) h = (h + 1) & b->mask;
        b->slot[h] = (int32_t)i;
    }
}

typedef struct FpIndex {
    uint32_t fp;
    int64_t index;
} FpIndex;

static int bayes_cmp_fp(const void *a, const void *b)
{
    const FpIndex *x = a, *y = b;
    if (x->fp != y->fp) return x->fp < y->fp ? -1 : 1;
    return (x->index > y->index) - (x->index < y->index);
}

/* The packed bytes no longer describe tables about to change. */
static void bayes_unpack(Bayes *b)
{
    free(b->pack);
    b->pack = NULL;
    b->pack_n = 0;
}

/* Feature i's score for class c less its score for class 0. */
static double bayes_relative(const Bayes *b, int64_t i, int c)
{
    const float *lp = b->logp + i * b->classes;
    return ((double)lp[c] - lp[0]) * (b->u ? b->u[i] : 1.0);
}

void bayes_compact(Bayes *b)
{
    if (b->compact) return;
    bayes_unpack(b);
    const int C = b->classes;
    const int64_t n = b->n;
    FpIndex *o = xmalloc((size_t)(n ? n : 1) * sizeof *o);
    for (int64_t i = 0; i < n; i++) o[i] = (FpIndex){bayes_fingerprint(b->keys[i]), i};
    qsort(o, (size_t)n, sizeof *o, bayes_cmp_fp);
    int64_t m = 0;
    for (int64_t i = 0; i < n; i++)
        if (m == 0 || o[i].fp != o[m - 1].fp) o[m++] = o[i];
    double amax = 0.0;
    for (int64_t i = 0; i < m; i++)
        for (int c = 1; c < C; c++) amax = fmax(amax, fabs(bayes_relative(b, o[i].index, c)));
    b->scale = amax > 0.0 ? (float)(amax / 127.0) : 1.0f;
    b->fp = xmalloc((size_t)(m ? m : 1) * sizeof *b->fp);
    b->q = xmalloc((size_t)(m ? m : 1) * (size_t)(C - 1));
    for (int64_t i = 0; i < m; i++) {
        b->fp[i] = o[i].fp;
        for (int c = 1; c < C; c++) {
            long v = lrint(bayes_relative(b, o[i].index, c) / b->scale);
            b->q[i * (C - 1) + c - 1] = (int8_t)(v > 127 ? 127 : v < -127 ? -127 : v);
        }
    }
    free(o);
    free(b->keys);
    free(b->logp);
    free(b->u);
    b->keys = NULL;
    b->logp = NULL;
    b->u = NULL;
    b->n = m;
    b->compact = 1;
    bayes_index_compact(b);
}

typedef struct FeatScore {
    double score;
    int64_t index;
} FeatScore;

static int bayes_cmp_score(const void *a, const void *b)
{
    const FeatScore *x = a, *y = b;
    if (x->score != y->score) return x->score > y->score ? -1 : 1;
    return (x->index > y->index) - (x->index < y->index);
}

void bayes_prune(Bayes *b, int64_t keep)
{
    const int C = b->classes;
    const int64_t n = b->n;
    if (b->compact || keep < 0 || keep >= n) return;
    bayes_unpack(b);
    double *low = xmalloc((size_t)C * sizeof *low);
    for (int c = 0; c < C; c++) {
        low[c] = INFINITY;
        for (int64_t i = 0; i < n; i++) low[c] = fmin(low[c], (double)b->logp[i * C + c]);
    }
    FeatScore *s = xmalloc((size_t)(n ? n : 1) * sizeof *s);
    for (int64_t i = 0; i < n; i++) {
        const float *lp = b->logp + i * C;
        double docs = 0.0, hi = -INFINITY, lo = INFINITY;
        for (int c = 0; c < C; c++) {
            docs += b->o.alpha * expm1((double)lp[c] - low[c]);
            hi = fmax(hi, lp[c]);
            lo = fmin(lo, lp[c]);
        }
        s[i] = (FeatScore){docs * (hi - lo) * (b->u ? fabs((double)b->u[i]) : 1.0), i};
    }
    qsort(s, (size_t)n, sizeof *s, bayes_cmp_score);
    uint8_t *kept = xcalloc((size_t)(n ? n : 1), 1);
    for (int64_t k = 0; k < keep; k++) kept[s[k].index] = 1;
    int64_t m = 0;
    for (int64_t i = 0; i < n; i++)
        if (kept[i]) {
            b->keys[m] = b->keys[i];
            memmove(b->logp + m * C, b->logp + i * C, (size_t)C * sizeof *b->logp);
            if (b->u) b->u[m] = b->u[i];
            m++;
        }
    b->n = m;
    bayes_index(b);
    free(kept);
    free(s);
    free(low);
}

/* The lowest l with n 2^l <= 2^32 < n 2^(l+1) (at most 31): the low bits kept
 * apart, so the high parts take about 2 bits a feature. */
static int bayes_low_bits(uint64_t n)
{
    int l = 0;
    while (l < 31 && (n << (l + 1)) <= ((uint64_t)1 << 32)) l++;
    return l;
}

static void bayes_put_bits(uint64_t *w, uint64_t at, uint64_t v, int l)
{
    w[at >> 6] |= v << (at & 63);
    if ((at & 63) + (uint64_t)l > 64) w[(at >> 6) + 1] |= v >> (64 - (at & 63));
}

static uint64_t bayes_get_bits(const uint64_t *w, uint64_t at, int l)
{
    uint64_t v = w[at >> 6] >> (at & 63);
    if ((at & 63) + (uint64_t)l > 64) v |= w[(at >> 6) + 1] << (64 - (at & 63));
    return v & (((uint64_t)1 << l) - 1);
}

static void bayes_save_compact(const Bayes *b, CkptWriter *w)
{
    const uint64_t n = (uint64_t)b->n;
    const int l = bayes_low_bits(n ? n : 1);
    const uint64_t hw = (n + ((uint64_t)1 << (32 - l)) + 63) / 64, lw = (n * (uint64_t)l + 63) / 64;
    uint64_t *high = xcalloc((size_t)hw, sizeof *high), *low = xcalloc((size_t)(lw ? lw : 1), sizeof *low);
    for (uint64_t i = 0; i < n; i++) {
        const uint64_t p = ((uint64_t)b->fp[i] >> l) + i;
        high[p >> 6] |= (uint64_t)1 << (p & 63);
        if (l) bayes_put_bits(low, i * (uint64_t)l, b->fp[i] & (((uint64_t)1 << l) - 1), l);
    }
    CkptBuf *h = ckpt_section(w, "BAYS", 3);
    ckpt_put_f64(h, b->o.weight);
    ckpt_put_u32(h, (uint32_t)b->o.ngrams);
    ckpt_put_f64(h, b->o.alpha);
    ckpt_put_u64(h, n);
    ckpt_put_u32(h, (uint32_t)l);
    ckpt_put_u32(h, 0);
    ckpt_put(h, &b->scale, 4);
    ckpt_put(h, b->prior, (size_t)b->classes * sizeof *b->prior);
    ckpt_put(h, high, (size_t)hw * 8);
    ckpt_put(h, low, (size_t)lw * 8);
    ckpt_put(h, b->q, (size_t)(n * (uint64_t)(b->classes - 1)));
    free(high);
    free(low);
}

/* Decodes the fingerprints; -1 unless they are n, strictly ascending, in 32 bits. */
static int bayes_decode_fp(Bayes *b, const uint64_t *high, uint64_t hw, const uint64_t *low, int l)
{
    uint64_t i = 0, prev = 0;
    for (uint64_t wi = 0; wi < hw; wi++)
        for (uint64_t bits = high[wi]; bits; bits &= bits - 1) {
            const uint64_t p = wi * 64 + (uint64_t)__builtin_ctzll(bits);
            if (i >= (uint64_t)b->n) return -1;
            const uint64_t v = ((p - i) << l) | (l ? bayes_get_bits(low, i * (uint64_t)l, l) : 0);
            if (v > UINT32_MAX || (i > 0 && v <= prev)) return -1;
            b->fp[i++] = (uint32_t)v;
            prev = v;
        }
    return i == (uint64_t)b->n ? 0 : -1;
}

static int bayes_load_compact(Bayes *b, const CkptReader *r, CkptCursor *c, int classes, const BayesOptions *o,
                              Status *st)
{
    const uint64_t C = (uint64_t)classes, n = ckpt_u64(c);
    const uint32_t l = ckpt_u32(c), zero = ckpt_u32(c);
    float scale;
    ckpt_copy(c, &scale, 4);
    const uint64_t left = c->n - c->pos;
    if (c->bad || l > 31 || zero != 0 || !isfinite(scale) || !(scale > 0) || C < 2 || n > left || n > UINT32_MAX)
        return ckpt_damaged(r, st, "bad BAYS section (naive Bayes member)");
    const uint64_t hw = (n + ((uint64_t)1 << (32 - l)) + 63) / 64, lw = (n * l + 63) / 64;
    if (left != C * 4 + hw * 8 + lw * 8 + n * (C - 1)) return ckpt_damaged(r, st, "bad BAYS section (naive Bayes member)");
    memset(b, 0, sizeof *b);
    b->o = *o;
    b->n = (int64_t)n;
    b->classes = classes;
    b->weight = (float)o->weight;
    b->compact = 1;
    b->scale = scale;
    b->prior = xmalloc((size_t)C * sizeof *b->prior);
    ckpt_copy(c, b->prior, (size_t)C * 4);
    uint64_t *high = xmalloc((size_t)hw * 8), *low = xmalloc((size_t)(lw ? lw : 1) * 8);
    ckpt_copy(c, high, (size_t)hw * 8);
    ckpt_copy(c, low, (size_t)lw * 8);
    b->fp = xmalloc((size_t)(n ? n : 1) * sizeof *b->fp);
    b->q = xmalloc((size_t)(n ? n * (C - 1) : 1));
    ckpt_copy(c, b->q, (size_t)(n * (C - 1)));
    int rc = bayes_decode_fp(b, high, hw, low, (int)l);
    free(high);
    free(low);
    for (uint64_t k = 0; rc == 0 && k < C; k++) rc = isfinite(b->prior[k]) ? 0 : -1;
    if (rc) {
        bayes_free(b);
        return ckpt_damaged(r, st, "bad BAYS section: the feature fingerprints do not decode");
    }
    bayes_index_compact(b);
    return 0;
}

/* BAYS version 4 (5: then u [n]): every feature takes at least a byte (its pattern's number). */
static int bayes_load_packed(Bayes *b, const CkptReader *r, CkptCursor *c, int classes, const BayesOptions *o,
                             int with_u, Status *st)
{
    const uint64_t n = ckpt_u64(c);
    if (c->bad || !(o->weight > 0) || o->ngrams < 1 || o->ngrams > 6 || !(o->alpha > 0) || classes < 2 ||
        n > c->n - c->pos || n > INT32_MAX || (n && (uint64_t)classes > BAYES_MAX_CELLS / n))
        return ckpt_damaged(r, st, "bad BAYS section (naive Bayes member)");
    bayes_init(b, (int64_t)n, classes, o);
    int bad = bayes_pack_get(c, b->keys, b->prior, b->logp, (int64_t)n, classes);
    if (!bad && with_u) {
        b->u = xmalloc((size_t)(n ? n : 1) * sizeof *b->u);
        ckpt_copy(c, b->u, (size_t)n * sizeof *b->u);
        for (uint64_t i = 0; !c->bad && i < n; i++)
            if (!isfinite(b->u[i])) bad = 1;
    }
    if (bad || c->bad || !ckpt_done(c)) {
        bayes_free(b);
        return ckpt_damaged(r, st, "bad BAYS section: the packed naive Bayes tables do not decode");
    }
    b->packed = 1;
    bayes_index(b);
    return 0;
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

struct BayesCount {
    Counts t;
    int64_t *docs, *total; /* [C] documents and feature occurrences per class */
    int64_t n;             /* documents counted */
};

BayesCount *bayes_count_init(int classes)
{
    BayesCount *k = xcalloc(1, sizeof *k);
    k->t.C = classes;
    bayes_build_index(&k->t.slot, &k->t.mask, k->t.keys, 0, 1 << 16);
    k->docs = xcalloc((size_t)classes, sizeof *k->docs);
    k->total = xcalloc((size_t)classes, sizeof *k->total);
    return k;
}

void bayes_count_free(BayesCount *k)
{
    if (!k) return;
    counts_free(&k->t);
    free(k->docs);
    free(k->total);
    free(k);
}

int bayes_count_add(BayesCount *k, const Dataset *ds, Status *st)
{
    Counts *t = &k->t;
    const int C = t->C;
    for (int64_t i = 0; i < ds->n; i++) {
        int32_t y = dataset_label(ds, i);
        if (y < 0 || y >= C) continue;
        k->docs[y]++;
        k->n++;
        for (int64_t j = ds->foff[i]; j < ds->foff[i + 1]; j++) counts_add(t, ds->feat[j], y);
        k->total[y] += ds->foff[i + 1] - ds->foff[i];
        if (t->n * C > BAYES_MAX_CELLS)
            return status_error(st, "bayes: over %lld features x %d labels exceed %lld table cells; "
                                "lower bayes.ngrams or set bayes.weight to 0", (long long)t->n, C,
                                (long long)BAYES_MAX_CELLS);
    }
    return 0;
}

void bayes_count_finish(Bayes *b, const BayesCount *k, const BayesOptions *o, const float *class_w)
{
    const double alpha = o->alpha;
    const Counts *t = &k->t;
    const int C = t->C;
    /* Ascending keys: the table, and so the checkpoint, does not depend on document order. */
    KeyIndex *order = xmalloc((size_t)(t->n ? t->n : 1) * sizeof *order);
    int64_t n = 0;
    for (int64_t i = 0; i < t->n; i++) {
        int64_t docs = 0;
        for (int c = 0; c < C; c++) docs += t->count[i * C + c];
        if (docs >= o->min_count) order[n++] = (KeyIndex){t->keys[i], i};
    }
    qsort(order, (size_t)n, sizeof *order, bayes_cmp_key);
    bayes_init(b, n, C, o);
    /* V and T_c stay those of every feature seen: a kept feature has the value it
     * has in the whole table, and a dropped one is as if unseen. */
    double docs = 0.0;
    for (int c = 0; c < C; c++) docs += (class_w ? class_w[c] : 1.0) * (double)k->docs[c];
    for (int c = 0; c < C; c++) {
        const double w = class_w ? class_w[c] : 1.0;
        b->prior[c] = (float)log((w * (double)k->docs[c] + alpha) / (docs + alpha * C));
        double denom = log(w * (double)k->total[c] + alpha * (double)t->n);
        for (int64_t i = 0; i < n; i++)
            b->logp[i * C + c] = (float)(log(w * (double)t->count[order[i].index * C + c] + alpha) - denom);
    }
    for (int64_t i = 0; i < n; i++) b->keys[i] = order[i].key;
    bayes_index(b);
    free(order);
}

int bayes_fit(Bayes *b, const Dataset *ds, int classes, const BayesOptions *o, const float *class_w, Status *st)
{
    BayesCount *k = bayes_count_init(classes);
    int rc = bayes_count_add(k, ds, st);
    if (rc == 0) bayes_count_finish(b, k, o, class_w);
    bayes_count_free(k);
    return rc;
}

/* Integer sums of the int8 steps (exact), then one scale and the priors. */
static void bayes_logits_compact(const Bayes *b, const uint64_t *feat, int64_t nf, float *logits)
{
    const int C = b->classes;
    for (int c = 0; c < C; c++) logits[c] = 0.0f;
    for (int64_t k = 0; k < nf; k++) {
        int64_t i = bayes_fp_find(b, bayes_fingerprint(feat[k]));
        if (i >= 0)
            for (int c = 1; c < C; c++) logits[c] += (float)b->q[i * (C - 1) + c - 1];
    }
    for (int c = 0; c < C; c++) logits[c] = b->weight * (b->prior[c] + b->scale * logits[c]);
}

void bayes_logits(const Bayes *b, const uint64_t *feat, int64_t nf, float *logits)
{
    if (b->compact) {
        bayes_logits_compact(b, feat, nf, logits);
        return;
    }
    const int C = b->classes;
    for (int c = 0; c < C; c++) logits[c] = b->prior[c];
    for (int64_t k = 0; k < nf; k++) {
        int32_t i = b->slot[bayes_probe(b->slot, b->mask, b->keys, feat[k])];
        if (i < 0) continue;
        const float *lp = b->logp + (int64_t)i * C;
        if (b->u) {
            float mean = 0.0f;
            for (int c = 0; c < C; c++) mean += lp[c];
            mean /= (float)C;
            for (int c = 0; c < C; c++) logits[c] += b->u[i] * (lp[c] - mean);
        } else {
            for (int c = 0; c < C; c++) logits[c] += lp[c];
        }
    }
    for (int c = 0; c < C; c++) logits[c] *= b->weight;
}

void bayes_pack(Bayes *b)
{
    if (!bayes_present(b) || b->compact) return;
    bayes_unpack(b);
    CkptBuf t = {0};
    bayes_pack_put(&t, b->keys, b->prior, b->logp, b->n, b->classes);
    b->pack = t.p;
    b->pack_n = t.n;
    b->packed = 1;
}

void bayes_save(const Bayes *b, CkptWriter *w)
{
    if (b->compact) {
        bayes_save_compact(b, w);
        return;
    }
    CkptBuf *h = ckpt_section(w, "BAYS", b->u ? 5 : b->packed ? 4 : 2);
    ckpt_put_f64(h, b->o.weight);
    ckpt_put_u32(h, (uint32_t)b->o.ngrams);
    ckpt_put_f64(h, b->o.alpha);
    ckpt_put_u64(h, (uint64_t)b->n);
    if (b->packed || b->u) {
        if (b->pack) ckpt_section_ref(w, b->pack, b->pack_n);
        else bayes_pack_put(h, b->keys, b->prior, b->logp, b->n, b->classes);
        if (b->u) ckpt_section_ref(w, b->u, (uint64_t)b->n * sizeof *b->u);
        return;
    }
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
    if (r->version >= 4 && sec.version == 3) {
        if (c.bad || !(o.weight > 0) || o.ngrams < 1 || o.ngrams > 6 || !(o.alpha > 0))
            return ckpt_damaged(r, st, "bad BAYS section (naive Bayes member)");
        return bayes_load_compact(b, r, &c, classes, &o, st);
    }
    if (r->version >= 4 && (sec.version == 4 || sec.version == 5))
        return bayes_load_packed(b, r, &c, classes, &o, sec.version == 5, st);
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
