/* setmetrics.h - multi-label metrics of thresholded predictions. Document i is
 * predicted the label set {c < C : scores[i,c] >= t_c}, with t_c one global
 * threshold or one per label; it may be empty, unless min_labels is 1: then its
 * top-scoring label (the first of equal scores) is in it even below its
 * threshold. True labels are CSR as in
 * labelindex.h and range over K >= C ids (ids >= C: labels the model never saw,
 * always missed, never predicted). Documents with no true label count: what
 * they are predicted is false positives.
 *   micro: P = tp / predicted, R = tp / gold, F1 = 2 tp / (predicted + gold)
 *   per label k: the same over that label's pairs; macro-F1 = the mean F1 over
 *   the labels that occur as truth or prediction (as metrics.h).
 * Every ratio is 0 where its denominator is. */
#ifndef ATTNCLF_SETMETRICS_H
#define ATTNCLF_SETMETRICS_H

#include <stdint.h>

typedef struct SetMetrics {
    int K, C;
    int64_t n;
    int64_t tp, predicted, gold;       /* micro counts over (document, label) pairs */
    double micro_precision, micro_recall, micro_f1, macro_f1;
    int64_t *support, *npredicted, *ntp; /* [K] */
    double *precision, *recall, *f1;     /* [K] */
} SetMetrics;

/* thresholds [C] gives t_c per label; NULL uses `threshold` for every label.
 * min_labels is 0 or 1. Allocates the six [K] arrays. */
void setmetrics_compute(SetMetrics *m, const float *scores /* [n,C] */, const int64_t *off /* [n+1] */,
                        const int32_t *lab /* [off[n]] */, int64_t n, int K, int C, float threshold,
                        const float *thresholds /* [C] or NULL */, int min_labels);
void setmetrics_free(SetMetrics *m);

#endif
