/* keywords.c - see keywords.h. */
#include "keywords.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "kernels.h"
#include "mem.h"

#define KEYWORDS_MASS_SCALE 4294967296.0 /* 2^32: a document's mass per head is 1, so totals fit n < 2^31 */
#define KEYWORDS_LOGIT_SCALE 16777216.0  /* 2^24 */

void keywords_init(KeywordSums *k, const Model *m)
{
    memset(k, 0, sizeof *k);
    k->rows = m->dims.rows;
    k->by_class = m->dims.gate != 0;
    k->P = k->by_class ? m->dims.classes : m->dims.heads;
    k->cell = xcalloc((size_t)k->rows * (size_t)(k->P + 2), sizeof *k->cell);
}

void keywords_free(KeywordSums *k)
{
    free(k->cell);
    memset(k, 0, sizeof *k);
}

/* x in fixed point with scale, as the two's complement bits that integer adds sum exactly. */
static uint64_t keywords_fixed(double x, double scale)
{
    return (uint64_t)llrint(x * scale);
}

static double keywords_real(uint64_t v, double scale)
{
    return (double)(int64_t)v / scale;
}

/* Row of id (a bag's first row, or ~row for the others: kernels.h). */
static int64_t keywords_row(int32_t id)
{
    return id < 0 ? ~(int64_t)id : id;
}

void keywords_add(KeywordSums *k, const Model *m, int64_t doc, const int32_t *ids, int n, const float *alpha,
                  const float *v)
{
    const int H = m->dims.heads, d = m->dims.dim, C = m->dims.classes, K = H * d;
    const int T = kernel_bag_count(ids, n);
    for (int i = 0, t = -1, size = 1; i < n; i++) {
        if (ids[i] >= 0) {
            t++;
            size = 1;
            while (i + size < n && ids[i + size] < 0) size++;
        }
        /* A row of a bag of `size` rows has 1/size of its position's share (the bag is their mean). */
        const double share = 1.0 / (double)size;
        const int64_t row = keywords_row(ids[i]);
        /* Rows are scattered over a large table: ask for the ones ahead early (as kernel_gather). */
        if (i + 8 < n) __builtin_prefetch(k->cell + (size_t)keywords_row(ids[i + 8]) * (k->P + 2), 1);
        uint64_t *s = k->cell + (size_t)row * (k->P + 2);
        if (!k->by_class) {
            for (int h = 0; h < H; h++) s[h] += keywords_fixed(share * alpha[(size_t)h * T + t], KEYWORDS_MASS_SCALE);
        } else {
            /* a_ct = sum_h alpha_ht W_ch . v_t */
            const float *vt = v + (size_t)t * d;
            for (int c = 0; c < C; c++) {
                const float *w = m->p.out_w + (size_t)c * K;
                double a = 0.0;
                for (int h = 0; h < H; h++) {
                    double dot = 0.0;
                    for (int j = 0; j < d; j++) dot += (double)w[h * d + j] * vt[j];
                    a += alpha[(size_t)h * T + t] * dot;
                }
                s[c] += keywords_fixed(share * a, KEYWORDS_LOGIT_SCALE);
            }
        }
        s[k->P]++;
        uint64_t at = 1 + ((uint64_t)doc << 32 | (uint32_t)t);
        if (s[k->P + 1] == 0 || at < s[k->P + 1]) s[k->P + 1] = at;
    }
}

void keywords_prefetch(const KeywordSums *k, const int32_t *ids, int T)
{
    for (int t = 0; t < T; t++) __builtin_prefetch(k->cell + (size_t)keywords_row(ids[t]) * (k->P + 2), 1);
}

void keywords_merge(KeywordSums *a, const KeywordSums *b)
{
    const int P = a->P;
    for (int64_t r = 0; r < a->rows; r++) {
        uint64_t *x = a->cell + (size_t)r * (P + 2);
        const uint64_t *y = b->cell + (size_t)r * (P + 2);
        if (!y[P]) continue;
        for (int p = 0; p <= P; p++) x[p] += y[p];
        if (x[P + 1] == 0 || y[P + 1] < x[P + 1]) x[P + 1] = y[P + 1];
    }
}

void keywords_contribution(const KeywordSums *k, const Model *m, int64_t row, double *out)
{
    const int H = m->dims.heads, d = m->dims.dim, C = m->dims.classes, K = H * d;
    const uint64_t *s = k->cell + (size_t)row * (k->P + 2);
    if (k->by_class) {
        for (int c = 0; c < C; c++) out[c] = keywords_real(s[c], KEYWORDS_LOGIT_SCALE);
        return;
    }
    /* sum_h (mass_h) W_ch . e_row; a shipped model's row decoded (embed.h; a skipped one is 0) */
    float decoded[4096]; /* dims.dim <= 4096 (model.c) */
    const float *e = m->p.emb + (size_t)row * d;
    if (!embed_is_plain(&m->emb)) {
        embed_row(&m->emb, row, decoded);
        e = decoded;
    }
    for (int c = 0; c < C; c++) {
        const float *w = m->p.out_w + (size_t)c * K;
        double a = 0.0;
        for (int h = 0; h < H; h++) {
            double dot = 0.0;
            for (int j = 0; j < d; j++) dot += (double)w[h * d + j] * e[j];
            a += keywords_real(s[h], KEYWORDS_MASS_SCALE) * dot;
        }
        out[c] = a;
    }
}

/* Puts x into list [n] (found of it filled), sorted by score descending; an
 * equal score stays behind the ones already there. */
static void keywords_insert(Keyword *list, int *found, int n, const Keyword *x)
{
    if (*found == n && !(x->score > list[n - 1].score)) return;
    int i = *found < n ? (*found)++ : n - 1;
    while (i > 0 && list[i - 1].score < x->score) {
        list[i] = list[i - 1];
        i--;
    }
    list[i] = *x;
}

void keywords_top(const KeywordSums *k, const Model *m, int n, int per_occurrence, int64_t min_count, Keyword *out,
                  int *found)
{
    const int C = m->dims.classes;
    double *a = xmalloc((size_t)C * sizeof *a);
    memset(found, 0, (size_t)C * sizeof *found);
    for (int64_t r = 0; r < k->rows && n > 0; r++) {
        const uint64_t *cell = k->cell + (size_t)r * (k->P + 2);
        const int64_t count = (int64_t)cell[k->P];
        if (count == 0 || (per_occurrence && count < min_count)) continue;
        keywords_contribution(k, m, r, a);
        double mean = 0.0;
        for (int c = 0; c < C; c++) mean += a[c];
        mean /= C;
        const double per = per_occurrence ? 1.0 / (double)count : 1.0;
        uint64_t at = cell[k->P + 1] - 1;
        for (int c = 0; c < C; c++) {
            Keyword x = {.row = r, .score = (a[c] - mean) * per, .count = count,
                         .doc = (int64_t)(at >> 32), .pos = (int)(at & 0xffffffffu)};
            if (x.score > 0) keywords_insert(out + (size_t)c * n, &found[c], n, &x);
        }
    }
    free(a);
}
