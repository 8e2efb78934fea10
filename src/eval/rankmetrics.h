/* rankmetrics.h - labels ranked by score: top-k selection, and precision and
 * recall at k counted exactly as fastText's `test` counts them (src/meter.cc,
 * Meter::log): over the documents that have a true label,
 *   predicted      = sum_i |top_k(i)|        (at most k labels scoring >= threshold)
 *   predicted_gold = sum_i |top_k(i) & Y_i|
 *   gold           = sum_i |Y_i|
 *   P@k = predicted_gold / predicted,  R@k = predicted_gold / gold.
 * Scores are per-document vectors [n,C] (probabilities or logits: only the order
 * and the threshold matter) and are never NaN; true labels are CSR as in
 * labelindex.h. fastText also skips a document with no words; that is the
 * caller's to leave out. */
#ifndef ATTNCLF_RANKMETRICS_H
#define ATTNCLF_RANKMETRICS_H

#include <stdint.h>

typedef struct RankMetrics {
    int k;                 /* as given; k <= 0 or k > C selects up to C labels */
    float threshold;
    int64_t n;             /* documents counted: fastText's N */
    int64_t gold, predicted, predicted_gold;
    double precision, recall; /* 0 where the denominator is 0 (fastText prints nan) */
} RankMetrics;

/* idx[0..m) = the labels with score >= threshold, at most k of them (k <= 0: all
 * C), best first, equal scores by ascending id; returns m. idx holds min(k, C)
 * entries (C when k <= 0). O(C) when few labels pass, O(C k) at worst. */
int rankmetrics_topk(int32_t *idx /* [min(k,C)] */, const float *scores /* [C] */, int C, int k, float threshold);

/* fastText's P@k and R@k. Ids >= C in lab are true labels no score can reach:
 * with drop_unknown = 0 they count in gold (misses, as attnclf's accuracy counts
 * them); drop_unknown = 1 leaves them out, and a document left with no label out
 * of N, which is what fastText's reader does with labels its model never saw.
 * Allocates one [min(k,C)] buffer. */
void rankmetrics_at_k(RankMetrics *m, const float *scores /* [n,C] */, const int64_t *off /* [n+1] */,
                      const int32_t *lab /* [off[n]] */, int64_t n, int C, int k, float threshold, int drop_unknown);

#endif
