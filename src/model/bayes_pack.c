/* bayes_pack.c - see bayes_pack.h. */
#include "bayes_pack.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "eliasfano.h"
#include "mem.h"

static uint32_t pack_bits_of(float v)
{
    uint32_t u;
    memcpy(&u, &v, sizeof u);
    return u;
}

static int pack_cmp_u32(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return (x > y) - (x < y);
}

static void pack_put_keys(CkptBuf *b, const uint64_t *keys, uint64_t n, int l)
{
    const uint64_t hw = ef_high_words(n, 64, l), lw = ef_low_words(n, l);
    uint64_t *high = xcalloc((size_t)hw, sizeof *high), *low = xcalloc((size_t)(lw ? lw : 1), sizeof *low);
    ef_encode(keys, n, l, high, low);
    ckpt_put(b, high, (size_t)hw * 8);
    ckpt_put(b, low, (size_t)lw * 8);
    free(high);
    free(low);
}

/* place [n,C]: each feature's value's index in its class's table of distinct
 * values, which is written. */
static void pack_put_tables(CkptBuf *b, const float *logp, int64_t n, int C, uint32_t *place)
{
    uint32_t *t = xmalloc((size_t)(n ? n : 1) * sizeof *t);
    for (int c = 0; c < C; c++) {
        for (int64_t i = 0; i < n; i++) t[i] = pack_bits_of(logp[i * C + c]);
        qsort(t, (size_t)n, sizeof *t, pack_cmp_u32);
        int64_t m = 0;
        for (int64_t i = 0; i < n; i++)
            if (m == 0 || t[i] != t[m - 1]) t[m++] = t[i];
        ckpt_put_u32(b, (uint32_t)m);
        ckpt_put(b, t, (size_t)m * sizeof *t);
        for (int64_t i = 0; i < n; i++) {
            const uint32_t v = pack_bits_of(logp[i * C + c]);
            const uint32_t *at = bsearch(&v, t, (size_t)m, sizeof *t, pack_cmp_u32);
            place[i * C + c] = (uint32_t)(at - t);
        }
    }
    free(t);
}

static uint64_t pack_hash(const uint32_t *x, int C)
{
    uint64_t h = 0x9e3779b97f4a7c15ull;
    for (int c = 0; c < C; c++) h = (h ^ x[c]) * 0xff51afd7ed558ccdull;
    return h ^ (h >> 29);
}

typedef struct PackUse {
    int64_t count;
    uint32_t id;
} PackUse;

static int pack_cmp_use(const void *a, const void *b)
{
    const PackUse *x = a, *y = b;
    if (x->count != y->count) return x->count > y->count ? -1 : 1;
    return (x->id > y->id) - (x->id < y->id);
}

/* id [n] each feature's pattern (its row of place) numbered by first use;
 * returns how many, their rows first-use-ordered in pat [P,C]. */
static int64_t pack_patterns(const uint32_t *place, int64_t n, int C, uint32_t *id, uint32_t *pat)
{
    uint64_t size = 2;
    while (size < 2 * (uint64_t)n) size *= 2;
    int32_t *slot = xmalloc((size_t)size * sizeof *slot);
    memset(slot, 0xff, (size_t)size * sizeof *slot);
    int64_t P = 0;
    for (int64_t i = 0; i < n; i++) {
        const uint32_t *x = place + i * C;
        uint64_t h = pack_hash(x, C) & (size - 1);
        while (slot[h] >= 0 && memcmp(pat + (int64_t)slot[h] * C, x, (size_t)C * sizeof *x) != 0) h = (h + 1) & (size - 1);
        if (slot[h] < 0) {
            memcpy(pat + P * C, x, (size_t)C * sizeof *x);
            slot[h] = (int32_t)P++;
        }
        id[i] = (uint32_t)slot[h];
    }
    free(slot);
    return P;
}

/* Numbers the patterns by use, most used first (so the common ones take one
 * varint byte), and writes them and each feature's number. */
static void pack_put_patterns(CkptBuf *b, const uint32_t *place, int64_t n, int C)
{
    uint32_t *id = xmalloc((size_t)(n ? n : 1) * sizeof *id), *pat = xmalloc((size_t)(n ? n : 1) * (size_t)C * 4);
    const int64_t P = pack_patterns(place, n, C, id, pat);
    PackUse *use = xcalloc((size_t)(P ? P : 1), sizeof *use);
    for (int64_t p = 0; p < P; p++) use[p].id = (uint32_t)p;
    for (int64_t i = 0; i < n; i++) use[id[i]].count++;
    qsort(use, (size_t)P, sizeof *use, pack_cmp_use);
    uint32_t *rank = xmalloc((size_t)(P ? P : 1) * sizeof *rank);
    ckpt_put_u32(b, (uint32_t)P);
    for (int64_t k = 0; k < P; k++) {
        rank[use[k].id] = (uint32_t)k;
        ckpt_put(b, pat + (int64_t)use[k].id * C, (size_t)C * 4);
    }
    CkptBuf v = {0};
    for (int64_t i = 0; i < n; i++) {
        unsigned char byte[5];
        int k = 0;
        for (uint32_t x = rank[id[i]];; x >>= 7) {
            byte[k++] = (unsigned char)((x & 127) | (x >= 128 ? 128 : 0));
            if (x < 128) break;
        }
        ckpt_put(&v, byte, (size_t)k);
    }
    ckpt_put_u64(b, (uint64_t)v.n);
    ckpt_put(b, v.p, v.n);
    free(v.p);
    free(rank);
    free(use);
    free(pat);
    free(id);
}

void bayes_pack_put(CkptBuf *b, const uint64_t *keys, const float *prior, const float *logp, int64_t n, int C)
{
    const int l = ef_low_bits((uint64_t)n, 64);
    ckpt_put_u32(b, (uint32_t)l);
    ckpt_put_u32(b, 0);
    ckpt_put(b, prior, (size_t)C * sizeof *prior);
    pack_put_keys(b, keys, (uint64_t)n, l);
    uint32_t *place = xmalloc((size_t)(n ? n : 1) * (size_t)C * sizeof *place);
    pack_put_tables(b, logp, n, C, place);
    pack_put_patterns(b, place, n, C);
    free(place);
}

static int pack_get_keys(CkptCursor *c, uint64_t *keys, uint64_t n, int l)
{
    const uint64_t hw = ef_high_words(n, 64, l), lw = ef_low_words(n, l);
    if (hw > (c->n - c->pos) / 8) return -1;
    const unsigned char *hp = ckpt_take(c, hw * 8);
    if (!hp || lw > (c->n - c->pos) / 8) return -1;
    const unsigned char *lp = ckpt_take(c, lw * 8);
    if (!lp) return -1;
    uint64_t *high = xmalloc((size_t)hw * 8), *low = xmalloc((size_t)(lw ? lw : 1) * 8);
    memcpy(high, hp, (size_t)hw * 8);
    memcpy(low, lp, (size_t)lw * 8);
    int rc = ef_decode(high, low, n, 64, l, keys);
    free(high);
    free(low);
    return rc;
}

/* Each class's table of values: tab[c] points into the section, m[c] long. */
static int pack_get_tables(CkptCursor *c, int C, const unsigned char **tab, uint32_t *m)
{
    for (int k = 0; k < C; k++) {
        m[k] = ckpt_u32(c);
        if (c->bad || m[k] > (c->n - c->pos) / 4 || !(tab[k] = ckpt_take(c, (uint64_t)m[k] * 4))) return -1;
        uint32_t prev = 0;
        for (uint32_t j = 0; j < m[k]; j++) {
            uint32_t u;
            float v;
            memcpy(&u, tab[k] + 4 * (size_t)j, 4);
            memcpy(&v, &u, 4);
            if (!isfinite(v) || (j > 0 && u <= prev)) return -1;
            prev = u;
        }
    }
    return 0;
}

int bayes_pack_get(CkptCursor *c, uint64_t *keys, float *prior, float *logp, int64_t n, int C)
{
    const uint32_t l = ckpt_u32(c), zero = ckpt_u32(c);
    ckpt_copy(c, prior, (size_t)C * sizeof *prior);
    if (c->bad || zero != 0 || (int)l != ef_low_bits((uint64_t)n, 64)) return -1;
    for (int k = 0; k < C; k++)
        if (!isfinite(prior[k])) return -1;
    if (pack_get_keys(c, keys, (uint64_t)n, (int)l)) return -1;
    const unsigned char **tab = xmalloc((size_t)C * sizeof *tab);
    uint32_t *m = xmalloc((size_t)C * sizeof *m);
    int rc = pack_get_tables(c, C, tab, m);
    const uint32_t P = rc ? 0 : ckpt_u32(c);
    const unsigned char *pat = NULL, *ids = NULL;
    if (rc == 0 && (c->bad || P > (c->n - c->pos) / 4 / (uint64_t)C || !(pat = ckpt_take(c, (uint64_t)P * C * 4))))
        rc = -1;
    for (uint64_t k = 0; rc == 0 && k < (uint64_t)P * C; k++) {
        uint32_t place;
        memcpy(&place, pat + 4 * k, 4);
        if (place >= m[k % C]) rc = -1;
    }
    const uint64_t nb = rc ? 0 : ckpt_u64(c);
    if (rc == 0 && (c->bad || nb > c->n - c->pos || !(ids = ckpt_take(c, nb)))) rc = -1;
    uint64_t at = 0;
    for (int64_t i = 0; rc == 0 && i < n; i++) {
        uint64_t x = 0;
        for (int shift = 0;; shift += 7) {
            if (at >= nb || shift > 28) {
                rc = -1;
                break;
            }
            const unsigned char byte = ids[at++];
            x |= (uint64_t)(byte & 127) << shift;
            if (!(byte & 128)) break;
        }
        if (rc || x >= P) {
            rc = -1;
            break;
        }
        for (int k = 0; k < C; k++) {
            uint32_t place;
            memcpy(&place, pat + 4 * (x * (uint64_t)C + (uint64_t)k), 4);
            memcpy(&logp[i * C + k], tab[k] + 4 * (size_t)place, 4);
        }
    }
    if (rc == 0 && at != nb) rc = -1;
    free(tab);
    free(m);
    return rc;
}
