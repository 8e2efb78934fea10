/* calib.h - probability calibration fitted on a validation split: one
 * temperature for a softmax model (Guo et al. 2017), one Platt scale per label
 * for a one-vs-all model (Platt 1999, with the Newton method and the smoothed
 * targets of Lin, Lin and Weng 2007). Logits are [n,C]; true labels are CSR as
 * in labelindex.h (ids >= C are left out; they have no logit).
 *
 * Temperature: p = softmax(l / T), T minimising the mean over documents with a
 *   known label of the cross-entropy against smoothed targets in the manner of
 *   Platt's below: 1 - 1/(N + 2) on the document's known labels and 1/(N + 2) on
 *   the others, for N such documents (loss.h's unweighted label-set loss but for
 *   that). The smoothing keeps T finite on a split the network ranks perfectly
 *   (unsmoothed, its optimum is T -> 0 and every probability 0 or 1, though a
 *   few hundred right answers are no evidence of certainty). In beta = 1/T the
 *   objective is convex (its second derivative is the variance of l under p), so
 *   its derivative is monotone and one bracket holds the minimum: Newton in beta,
 *   falling back to a geometric bisection of the bracket whenever the step would
 *   leave it. T is kept in [CALIB_T_MIN, CALIB_T_MAX]; an optimum beyond a bound
 *   (every validation document wrong by a wide margin: T -> infinity) returns
 *   the bound; when the objective does not depend on T at all (equal logits),
 *   T = 1. nll_before and nll_after are the unsmoothed label-set NLL.
 * Platt: p_c = sigmoid(a_c l_c + b_c). Label c's targets are (N+ + 1)/(N+ + 2)
 *   for its N+ positives and 1/(N- + 2) for its N- negatives, which keeps (a, b)
 *   finite even for separable data; the objective adds
 *   lambda/2 ((a - 1)^2 + b^2), a pull towards the uncalibrated sigmoid, so that
 *   a label with few or no validation positives keeps the model's ranking instead
 *   of collapsing to one constant. Newton with a backtracking line search on the
 *   2x2 system (positive definite for lambda > 0). */
#ifndef ATTNCLF_CALIB_H
#define ATTNCLF_CALIB_H

#include <stdint.h>

#define CALIB_T_MIN 0.01
#define CALIB_T_MAX 100.0
/* See bench/cooking-fasttext.md for the measurement behind it. */
#define CALIB_PLATT_LAMBDA 1.0

typedef struct TemperatureFit {
    double T;
    double nll_before, nll_after; /* at T = 1 and at T */
    int64_t docs;                 /* documents with a known label; 0: T = 1 */
    int iterations;
} TemperatureFit;

void calib_temperature_fit(TemperatureFit *fit, const float *logits /* [n,C] */, const int64_t *off /* [n+1] */,
                           const int32_t *lab /* [off[n]] */, int64_t n, int C);
/* probs = softmax(logits / T). */
void calib_temperature_apply(float *probs /* [C] */, const float *logits /* [C] */, int C, float T);

/* Two temperatures, for logits l that hold another member's scores m added in
 * (bayes.h): p = softmax((l - m) / T + m / Tm), each part its own scale. Fitted
 * as the one temperature is (the same smoothed targets), in (1/T, 1/Tm), where
 * the objective is convex (its Hessian is the covariance under p of l - m and
 * m): Newton on the 2x2 system with a backtracking line search, from the one
 * temperature's optimum (so the fit is never worse on the smoothed objective),
 * each inside [CALIB_T_MIN, CALIB_T_MAX]. */
typedef struct ScalesFit {
    double T, Tm;                 /* the network's part, the member's */
    double nll_before, nll_after; /* at T = Tm = 1 and at the fit */
    int64_t docs;
    int iterations;
} ScalesFit;

void calib_scales_fit(ScalesFit *fit, const float *logits /* [n,C] */, const float *member /* [n,C] */,
                      const int64_t *off /* [n+1] */, const int32_t *lab /* [off[n]] */, int64_t n, int C);

/* a[c], b[c] for every label; lambda >= 0 (0: plain Platt). Allocates the label
 * index. */
void calib_platt_fit(float *a /* [C] */, float *b /* [C] */, const float *logits /* [n,C] */,
                     const int64_t *off /* [n+1] */, const int32_t *lab /* [off[n]] */, int64_t n, int C,
                     double lambda);
/* The same with the labels shared among `threads` OpenMP threads (each label's
 * fit is its own, so the result does not depend on threads). */
void calib_platt_fit_threads(float *a /* [C] */, float *b /* [C] */, const float *logits /* [n,C] */,
                             const int64_t *off /* [n+1] */, const int32_t *lab /* [off[n]] */, int64_t n, int C,
                             double lambda, int threads);
/* probs[c] = sigmoid(a[c] logits[c] + b[c]). */
void calib_platt_apply(float *probs /* [C] */, const float *logits /* [C] */, const float *a /* [C] */,
                       const float *b /* [C] */, int C);

#endif
