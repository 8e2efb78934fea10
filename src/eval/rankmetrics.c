/* rankmetrics.c - see rankmetrics.h. */
#include "rankmetrics.h"

#include <stdlib.h>
#include <string.h>

#include "mem.h"

int rankmetrics_topk(int32_t *idx, const float *scores, int C, int k, float threshold)
{
    if (k <= 0 || k > C) k = C;
    int m = 0;
    for (int c = 0; c < C; c++) {
        float s = scores[c];
        if (!(s >= threshold)) continue;
        /* A later label only displaces an earlier one by scoring strictly higher:
         * that is the ascending-id rule for ties. */
        if (m == k && !(s > scores[idx[m - 1]])) continue;
        int pos = m < k ? m++ : m - 1;
        while (pos > 0 && s > scores[idx[pos - 1]]) {
            idx[pos] = idx[pos - 1];
            pos--;
        }
        idx[pos] = c;
    }
    return m;
}

static int rankmetrics_contains(const int32_t *set, int64_t n, int32_t x)
{
    for (int64_t j = 0; j < n; j++)
        if (set[j] == x) return 1;
    return 0;
}

void rankmetrics_at_k(RankMetrics *m, const float *scores, const int64_t *off, const int32_t *lab, int64_t n, int C,
                      int k, float threshold, int drop_unknown)
{
    memset(m, 0, sizeof *m);
    m->k = k;
    m->threshold = threshold;
    int kk = k <= 0 || k > C ? C : k;
    int32_t *idx = xmalloc((size_t)(kk ? kk : 1) * sizeof *idx);
    for (int64_t i = 0; i < n; i++) {
        const int32_t *y = lab + off[i];
        int64_t ny = off[i + 1] - off[i], gold = ny;
        if (drop_unknown)
            for (int64_t j = 0; j < ny; j++) gold -= y[j] >= C;
        if (gold == 0) continue;
        int got = rankmetrics_topk(idx, scores + (size_t)i * C, C, k, threshold);
        m->n++;
        m->gold += gold;
        m->predicted += got;
        for (int j = 0; j < got; j++) m->predicted_gold += rankmetrics_contains(y, ny, idx[j]);
    }
    free(idx);
    if (m->predicted) m->precision = (double)m->predicted_gold / (double)m->predicted;
    if (m->gold) m->recall = (double)m->predicted_gold / (double)m->gold;
}
