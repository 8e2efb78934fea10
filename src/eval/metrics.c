/* metrics.c - see metrics.h. */
#include "metrics.h"

#include <stdlib.h>
#include <string.h>

#include "mem.h"

void metrics_compute(Metrics *m, const int32_t *truth, const int32_t *pred, int64_t n, int K, int C)
{
    memset(m, 0, sizeof *m);
    m->K = K;
    m->C = C;
    m->n = n;
    m->confusion = xcalloc((size_t)K * (size_t)C, sizeof *m->confusion);
    m->support = xcalloc((size_t)K, sizeof *m->support);
    m->predicted = xcalloc((size_t)K, sizeof *m->predicted);
    m->precision = xcalloc((size_t)K, sizeof *m->precision);
    m->recall = xcalloc((size_t)K, sizeof *m->recall);
    m->f1 = xcalloc((size_t)K, sizeof *m->f1);
    for (int64_t i = 0; i < n; i++) {
        m->confusion[(size_t)truth[i] * C + pred[i]]++;
        m->support[truth[i]]++;
        m->predicted[pred[i]]++;
        m->correct += truth[i] == pred[i];
    }
    m->accuracy = n ? (double)m->correct / (double)n : 0.0;
    int counted = 0;
    double sum = 0.0;
    for (int k = 0; k < K; k++) {
        int64_t tp = k < C ? m->confusion[(size_t)k * C + k] : 0;
        if (m->predicted[k]) m->precision[k] = (double)tp / (double)m->predicted[k];
        if (m->support[k]) m->recall[k] = (double)tp / (double)m->support[k];
        double pr = m->precision[k] + m->recall[k];
        if (pr > 0) m->f1[k] = 2.0 * m->precision[k] * m->recall[k] / pr;
        if (m->support[k] || m->predicted[k]) {
            sum += m->f1[k];
            counted++;
        }
    }
    m->macro_f1 = counted ? sum / counted : 0.0;
}

void metrics_free(Metrics *m)
{
    free(m->confusion);
    free(m->support);
    free(m->predicted);
    free(m->precision);
    free(m->recall);
    free(m->f1);
    memset(m, 0, sizeof *m);
}
