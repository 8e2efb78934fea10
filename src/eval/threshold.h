/* threshold.h - decision thresholds tuned on a validation split to maximise F1
 * (the thresholded predictions of setmetrics.h: label c is predicted when its
 * score >= t_c). Scores are [n,C] and never NaN; true labels are CSR as in
 * labelindex.h (ids >= C count in the global sweep's gold as misses).
 *
 * The sweep is exact: the scores are sorted once (O(N log N)), and every
 * distinct score is a candidate cut, with F1 = 2 tp / (predicted + gold)
 * compared as exact integer ratios. Ties are deterministic: among cuts of equal
 * F1 the highest (fewest predictions) wins. The threshold returned sits halfway
 * between the chosen cut's score and the next lower score (in the gap, not on
 * a validation score, so it predicts the validation set exactly as the cut did);
 * when the cut predicts everything it is the lowest score itself.
 *
 * min_labels 1 tunes for the rule that each document's top-scoring label is
 * predicted even below its threshold (setmetrics.h): those pairs count as
 * predicted at every cut, and the cut that adds no other pair (a threshold just
 * above the highest other score, at most 1) is a candidate too. */
#ifndef ATTNCLF_THRESHOLD_H
#define ATTNCLF_THRESHOLD_H

#include <stdint.h>

/* Per-label thresholds fall back to the global one below this many validation
 * positives: an F1 maximum over a handful of positives is mostly noise, and a
 * noisy low threshold adds false positives on every new document. The value
 * and the measurement behind it: bench/cooking-fasttext.md. */
enum { THRESHOLD_MIN_POSITIVES = 30 };

typedef struct ThresholdFit {
    float threshold;
    double f1;                        /* at the threshold, on the data it was tuned on */
    int64_t tp, predicted, gold;
    int tuned;                        /* 0: fell back (no positive, too few, or predict-all) */
} ThresholdFit;

/* One threshold for every label, maximising micro-F1 over all (document, label)
 * pairs. With no positive pair at all there is nothing to tune: threshold 0.5,
 * tuned 0. Allocates the sorted copies: n*C + (number of known labels) floats
 * (and n labels with min_labels). */
void threshold_global(ThresholdFit *fit, const float *scores /* [n,C] */, const int64_t *off /* [n+1] */,
                      const int32_t *lab /* [off[n]] */, int64_t n, int C, int min_labels);

/* thr[c] maximises label c's own F1 over the n documents when c has at least
 * min_positives (>= 1) validation positives, else thr[c] = global (tuned 0).
 * It falls back too when the best cut predicts c on every document: that is the
 * trivial classifier (F1 2 np / (n + np)), and it wins when all of c's positives
 * score at the bottom, where it would then mark c on every new document. fits [C]
 * may be NULL. With min_labels, c's F1 counts the documents whose top label is c
 * as predicting it. Allocates 2n floats and the label index. */
void threshold_per_label(float *thr /* [C] */, ThresholdFit *fits /* [C] or NULL */, const float *scores /* [n,C] */,
                         const int64_t *off /* [n+1] */, const int32_t *lab /* [off[n]] */, int64_t n, int C,
                         float global, int min_positives, int min_labels);

#endif
