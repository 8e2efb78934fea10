/* metrics.h - accuracy, per-class precision/recall/F1, macro-F1 and the
 * confusion matrix. True labels range over K >= C ids: the C training classes
 * then labels the model never saw (always wrong, never predicted). */
#ifndef ATTNCLF_METRICS_H
#define ATTNCLF_METRICS_H

#include <stdint.h>

typedef struct Metrics {
    int K, C;
    int64_t n, correct;
    double accuracy;
    double macro_f1;     /* mean F1 over labels that occur as truth or prediction */
    int64_t *confusion;  /* [K,C] rows = truth, columns = prediction */
    int64_t *support;    /* [K] */
    int64_t *predicted;  /* [K] times predicted (0 for unknown labels) */
    double *precision, *recall, *f1; /* [K]; 0 where undefined */
} Metrics;

void metrics_compute(Metrics *m, const int32_t *truth, const int32_t *pred, int64_t n, int K, int C);
void metrics_free(Metrics *m);

#endif
