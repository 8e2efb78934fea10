/* loss.h - the output layer's losses as pure functions of the logits, a target
 * label SET and optional per-class weights; outputs first, then inputs, then
 * dimensions. Forward fills probs and returns the loss; backward WRITES
 * dlogits = scale * dL/dlogits (as kernel_softmax_xent_backward does: the
 * logits are the head of the chain, so nothing is there to accumulate into).
 *
 * Y = y[0..ny) holds distinct class ids in [0, C) (the caller drops repeats and
 * labels the model does not know); w is [C] per-class weights, or NULL for all 1.
 *
 *   softmax: p = softmax(l),  L = -(1/ny) sum_{y in Y} w_y log p_y      (ny = 0: L = 0)
 *            dL/dl_c = wbar p_c - [c in Y] w_c / ny,  wbar = (1/ny) sum_{y in Y} w_y
 *     With ny = 1 and w = NULL this is kernel_softmax_xent_* bit for bit.
 *   ova:     p_c = sigmoid(l_c),  L = sum_c v_c BCE(p_c, [c in Y]),  v_c = w_c for c in Y, else 1
 *            (fastText's -loss ova with the weight on the positives, Joulin et al. 2017)
 *            BCE written through softplus(s) = log(1 + e^s) so that it is exact for any |l|:
 *              c in Y: softplus(-l_c)     c not in Y: softplus(l_c)
 *            dL/dl_c = v_c (p_c - [c in Y])
 *     Loss, probabilities and gradient stay finite for logits of +-1000. */
#ifndef ATTNCLF_LOSS_H
#define ATTNCLF_LOSS_H

#include <stdint.h>

/* Which of the two an output layer uses; AUTO is a setting, resolved from the
 * training data (ova when any document has several labels) before a network
 * exists. */
typedef enum { LOSS_SOFTMAX = 0, LOSS_OVA, LOSS_AUTO } LossKind;

float loss_softmax_forward(float *probs /* [C] */, const float *logits /* [C] */, const int32_t *y /* [ny] */,
                           int ny, const float *w /* [C] or NULL */, int C);
void loss_softmax_backward(float *dlogits /* [C] */, const float *probs /* [C] */, const int32_t *y /* [ny] */,
                           int ny, const float *w /* [C] or NULL */, int C, float scale);

float loss_ova_forward(float *probs /* [C] */, const float *logits /* [C] */, const int32_t *y /* [ny] */, int ny,
                       const float *w /* [C] or NULL */, int C);
void loss_ova_backward(float *dlogits /* [C] */, const float *probs /* [C] */, const int32_t *y /* [ny] */, int ny,
                       const float *w /* [C] or NULL */, int C, float scale);

/* The loss of kind (SOFTMAX or OVA) and its gradient, as above. */
float loss_forward(LossKind kind, float *probs /* [C] */, const float *logits /* [C] */, const int32_t *y /* [ny] */,
                   int ny, const float *w /* [C] or NULL */, int C);
void loss_backward(LossKind kind, float *dlogits /* [C] */, const float *probs /* [C] */, const int32_t *y /* [ny] */,
                   int ny, const float *w /* [C] or NULL */, int C, float scale);

/* sigmoid(x) = 1 / (1 + e^-x), through e^-|x| so that it never overflows. */
float loss_sigmoid(float x);
/* softplus(x) = log(1 + e^x) = max(x, 0) + log1p(e^-|x|): exact for any finite x. */
double loss_softplus(double x);

#endif
