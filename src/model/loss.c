/* loss.c - see loss.h for the formulas. */
#include "loss.h"

#include <math.h>

float loss_sigmoid(float x)
{
    if (x >= 0.0f) return 1.0f / (1.0f + expf(-x));
    float e = expf(x);
    return e / (1.0f + e);
}

double loss_softplus(double x)
{
    return (x > 0.0 ? x : 0.0) + log1p(exp(-fabs(x)));
}

float loss_softmax_forward(float *probs, const float *logits, const int32_t *y, int ny, const float *w, int C)
{
    /* The same operations in the same order as kernel_softmax_xent_forward, so that
     * one unweighted label gives the same bits. */
    float mx = -INFINITY, sum = 0.0f;
    for (int c = 0; c < C; c++) mx = logits[c] > mx ? logits[c] : mx;
    for (int c = 0; c < C; c++) {
        probs[c] = expf(logits[c] - mx);
        sum += probs[c];
    }
    for (int c = 0; c < C; c++) probs[c] /= sum;
    if (ny <= 0) return 0.0f;
    /* -log p_y = log sum_c exp(l_c - max) + max - l_y: exact even when p_y underflows. */
    float lse = logf(sum) + mx, acc = 0.0f;
    for (int j = 0; j < ny; j++) acc += (w ? w[y[j]] : 1.0f) * (lse - logits[y[j]]);
    return acc / (float)ny;
}

void loss_softmax_backward(float *dlogits, const float *probs, const int32_t *y, int ny, const float *w, int C,
                           float scale)
{
    if (ny <= 0) {
        for (int c = 0; c < C; c++) dlogits[c] = 0.0f;
        return;
    }
    float wbar = 1.0f;
    if (w) {
        wbar = 0.0f;
        for (int j = 0; j < ny; j++) wbar += w[y[j]];
        wbar /= (float)ny;
    }
    for (int c = 0; c < C; c++) dlogits[c] = wbar * probs[c];
    for (int j = 0; j < ny; j++) dlogits[y[j]] -= (w ? w[y[j]] : 1.0f) / (float)ny;
    for (int c = 0; c < C; c++) dlogits[c] *= scale;
}

float loss_ova_forward(float *probs, const float *logits, const int32_t *y, int ny, const float *w, int C)
{
    /* Every class as a negative, then each positive's term swapped in: no scratch to
     * mark Y, and O(C + ny) rather than O(C ny). */
    double L = 0.0;
    for (int c = 0; c < C; c++) {
        probs[c] = loss_sigmoid(logits[c]);
        L += loss_softplus(logits[c]);
    }
    for (int j = 0; j < ny; j++) {
        double l = logits[y[j]];
        L += (w ? w[y[j]] : 1.0) * loss_softplus(-l) - loss_softplus(l);
    }
    return (float)L;
}

void loss_ova_backward(float *dlogits, const float *probs, const int32_t *y, int ny, const float *w, int C,
                       float scale)
{
    for (int c = 0; c < C; c++) dlogits[c] = scale * probs[c];
    for (int j = 0; j < ny; j++) {
        int c = y[j];
        dlogits[c] = scale * (w ? w[c] : 1.0f) * (probs[c] - 1.0f);
    }
}

float loss_forward(LossKind kind, float *probs, const float *logits, const int32_t *y, int ny, const float *w, int C)
{
    return kind == LOSS_OVA ? loss_ova_forward(probs, logits, y, ny, w, C) : loss_softmax_forward(probs, logits, y, ny, w, C);
}

void loss_backward(LossKind kind, float *dlogits, const float *probs, const int32_t *y, int ny, const float *w, int C,
                   float scale)
{
    if (kind == LOSS_OVA) loss_ova_backward(dlogits, probs, y, ny, w, C, scale);
    else loss_softmax_backward(dlogits, probs, y, ny, w, C, scale);
}
