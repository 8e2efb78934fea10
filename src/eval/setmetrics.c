/* setmetrics.c - see setmetrics.h. One pass over the scores for the predictions,
 * one over the true labels for support and hits, so no per-document scratch. */
#include "setmetrics.h"

#include <stdlib.h>
#include <string.h>

#include "mem.h"
#include "model.h"

void setmetrics_compute(SetMetrics *m, const float *scores, const int64_t *off, const int32_t *lab, int64_t n, int K,
                        int C, float threshold, const float *thresholds, int min_labels)
{
    memset(m, 0, sizeof *m);
    m->K = K;
    m->C = C;
    m->n = n;
    m->support = xcalloc((size_t)K, sizeof *m->support);
    m->npredicted = xcalloc((size_t)K, sizeof *m->npredicted);
    m->ntp = xcalloc((size_t)K, sizeof *m->ntp);
    m->precision = xcalloc((size_t)K, sizeof *m->precision);
    m->recall = xcalloc((size_t)K, sizeof *m->recall);
    m->f1 = xcalloc((size_t)K, sizeof *m->f1);
    for (int64_t i = 0; i < n; i++) {
        const float *s = scores + (size_t)i * C;
        const int top = min_labels && C > 0 ? model_argmax(s, C) : -1;
        for (int c = 0; c < C; c++) m->npredicted[c] += c == top || s[c] >= (thresholds ? thresholds[c] : threshold);
        for (int64_t j = off[i]; j < off[i + 1]; j++) {
            int32_t y = lab[j];
            m->support[y]++;
            if (y < C) m->ntp[y] += y == top || s[y] >= (thresholds ? thresholds[y] : threshold);
        }
    }
    int counted = 0;
    double sum = 0.0;
    for (int k = 0; k < K; k++) {
        m->tp += m->ntp[k];
        m->predicted += m->npredicted[k];
        m->gold += m->support[k];
        if (m->npredicted[k]) m->precision[k] = (double)m->ntp[k] / (double)m->npredicted[k];
        if (m->support[k]) m->recall[k] = (double)m->ntp[k] / (double)m->support[k];
        if (m->npredicted[k] + m->support[k] == 0) continue;
        m->f1[k] = 2.0 * (double)m->ntp[k] / (double)(m->npredicted[k] + m->support[k]);
        sum += m->f1[k];
        counted++;
    }
    if (m->predicted) m->micro_precision = (double)m->tp / (double)m->predicted;
    if (m->gold) m->micro_recall = (double)m->tp / (double)m->gold;
    if (m->predicted + m->gold) m->micro_f1 = 2.0 * (double)m->tp / (double)(m->predicted + m->gold);
    m->macro_f1 = counted ? sum / counted : 0.0;
}

void setmetrics_free(SetMetrics *m)
{
    free(m->support);
    free(m->npredicted);
    free(m->ntp);
    free(m->precision);
    free(m->recall);
    free(m->f1);
    memset(m, 0, sizeof *m);
}
