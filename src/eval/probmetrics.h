/* probmetrics.h - how far predicted probabilities can be read as probabilities:
 * log loss, expected calibration error and the reliability diagram's bins
 * (Guo et al. 2017, "On Calibration of Modern Neural Networks"). Probabilities
 * are per-document vectors [n,C]; true labels are CSR as in labelindex.h (ids
 * >= C have no probability).
 *
 * Bins: PROB_BINS equal-width bins over [0, 1], bin b = min(floor(15 p), 14),
 * so bin b holds [b/15, (b+1)/15) and the last one also p = 1.
 *   ECE = sum_b (count_b / total) |accuracy_b - confidence_b|
 * softmax: one item per document with a true label: confidence = the top
 *   probability (ties: the lowest id), correct = that label is in the set (a
 *   document whose labels are all unknown to the model is never correct, as in
 *   metrics.h's accuracy).
 * ova: one item per (document, label c < C) pair: confidence = p_ic, correct =
 *   c is one of the document's labels; documents with no label count (every
 *   pair a negative). */
#ifndef ATTNCLF_PROBMETRICS_H
#define ATTNCLF_PROBMETRICS_H

#include <stdint.h>

enum { PROB_BINS = 15 };

typedef struct Reliability {
    int64_t total;                  /* items binned */
    int64_t count[PROB_BINS];
    double confidence[PROB_BINS];   /* mean probability of the bin's items (0 when empty) */
    double accuracy[PROB_BINS];     /* fraction of them correct (0 when empty) */
    double ece;
} Reliability;

/* Log loss with probabilities clipped to [1e-15, 1 - 1e-15] (as scikit-learn's
 * log_loss was), so one confident miss costs at most 34.5 nats:
 * softmax: the mean over documents with a known label of -(1/|Y'|) sum_{y in Y'}
 *   log p_y, Y' = the labels < C (loss.h's label-set loss, unweighted);
 * ova: the mean over (document, label c < C) pairs of the binary cross-entropy
 *   (Keras' binary_crossentropy), so it reads on the same scale for any C. */
double probmetrics_softmax_log_loss(const float *probs /* [n,C] */, const int64_t *off /* [n+1] */,
                                    const int32_t *lab /* [off[n]] */, int64_t n, int C);
double probmetrics_ova_log_loss(const float *probs /* [n,C] */, const int64_t *off /* [n+1] */,
                                const int32_t *lab /* [off[n]] */, int64_t n, int C);

void probmetrics_softmax_reliability(Reliability *r, const float *probs /* [n,C] */, const int64_t *off /* [n+1] */,
                                     const int32_t *lab /* [off[n]] */, int64_t n, int C);
void probmetrics_ova_reliability(Reliability *r, const float *probs /* [n,C] */, const int64_t *off /* [n+1] */,
                                 const int32_t *lab /* [off[n]] */, int64_t n, int C);

#endif
