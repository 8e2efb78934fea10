/* sakernels.h - the self-attention encoder layer's math as pure functions, in the
 * style of kernels.h: outputs first, then inputs, then parameters, then
 * dimensions; every backward ACCUMULATES (+=) into its gradient outputs, so
 * callers zero them first. Nothing here allocates: callers pass scratch, sized by
 * the *_floats functions. The attention between the projections is sakmha.h's.
 *
 * Layout: the kernels below the layer take activations FEATURE-MAJOR, [n,T]: row
 * i holds feature i of every token, x[i*T + t] (the transpose of the model's
 * [T,d] rows). Their loops then run along the tokens, long and contiguous, where
 * a row of d = 8 or 16 features is too short to fill vectors (bench/sak.md has
 * the measurements). The layer itself takes and returns [T,d] rows, like the rest
 * of the model, and transposes on the way in and out. Weights are row-major as
 * everywhere: W [out,in].
 *
 * Notation: T tokens, d = dim, H heads of dh = d / H dimensions each (d must be
 * divisible by H: the kernels do not check, config_validate must), F = FFN width,
 * W = window. One pre-norm layer (Vaswani et al. 2017; pre-norm as in Xiong et al.
 * 2020, "On Layer Normalization in the Transformer Architecture"):
 *   h1 = LN1(x);  q = Wq h1 + bq,  k = Wk h1,  v = Wv h1 + bv
 *   y  = x + m1 * (Wo MHA(q, k, v) + bo)
 *   out = y + m2 * FFN(LN2(y))        (out = y when F = 0)
 * m1, m2 are dropout's elementwise scales (0, or 1/(1-p) for a kept unit), all 1
 * without dropout: residual dropout as in Vaswani et al. 2017, section 5.4.
 * k has no bias: q_t . (k_u + b) = q_t . k_u + q_t . b shifts all of query t's
 * scores by the same amount, which the softmax cancels, so its gradient is 0. */
#ifndef ATTNCLF_SAKERNELS_H
#define ATTNCLF_SAKERNELS_H

#include <stddef.h>

#include "sakmha.h"

/* Added to the variance in LayerNorm. */
#define SAK_LN_EPS 1e-5f

/* LayerNorm (Ba et al. 2016) of each token (column) of x:
 *   mean_t = (1/d) sum_i x_it,  var_t = (1/d) sum_i (x_it - mean_t)^2 (biased),
 *   rstd_t = 1 / sqrt(var_t + SAK_LN_EPS),  xh_it = (x_it - mean_t) rstd_t,
 *   y_it = g_i xh_it + b_i.
 * mean and rstd are saved for the backward. */
void sak_layernorm_forward(float *y /* [d,T] */, float *mean /* [T] */, float *rstd /* [T] */,
                           const float *x /* [d,T] */, const float *g /* [d] */, const float *b /* [d] */,
                           int T, int d);
/* With e_it = dy_it g_i:
 *   dx_t += rstd_t (e_t - mean_i(e_t) - xh_t mean_i(e_t * xh_t))
 *   dg += sum_t dy_t * xh_t;  db += sum_t dy_t */
void sak_layernorm_backward(float *dx /* [d,T] */, float *dg /* [d] */, float *db /* [d] */,
                            const float *dy /* [d,T] */, const float *x /* [d,T] */,
                            const float *mean /* [T] */, const float *rstd /* [T] */,
                            const float *g /* [d] */, int T, int d);

/* Y = W X + b (each token: Y_t = W X_t + b). b may be NULL (no bias). A
 * register-blocked GEMM. */
void sak_linear_forward(float *Y /* [o,T] */, const float *X /* [i,T] */, const float *W /* [o,i] */,
                        const float *b /* [o] */, int T, int in, int out);
/* dX += W^T dY;  dW += dY X^T;  db += sum_t dY_t. dX and db may be NULL. */
void sak_linear_backward(float *dX /* [i,T] */, float *dW /* [o,i] */, float *db /* [o] */,
                         const float *dY /* [o,T] */, const float *X /* [i,T] */, const float *W /* [o,i] */,
                         int T, int in, int out);
/* The naive references of the two: one dot product per output. */
void sak_linear_forward_naive(float *Y /* [o,T] */, const float *X /* [i,T] */, const float *W /* [o,i] */,
                              const float *b /* [o] */, int T, int in, int out);
void sak_linear_backward_naive(float *dX /* [i,T] */, float *dW /* [o,i] */, float *db /* [o] */,
                               const float *dY /* [o,T] */, const float *X /* [i,T] */,
                               const float *W /* [o,i] */, int T, int in, int out);

/* Learned positions, on the model's [T,d] rows before the layer:
 *   y_t = x_t + pos[min(t, P-1)]
 * Positions past the table (documents longer than any it was sized for) share its
 * last row. */
void sak_positions_forward(float *y /* [T,d] */, const float *x /* [T,d] */, const float *pos /* [P,d] */,
                           int T, int d, int P);
/* dpos[min(t, P-1)] += dy_t. (dx += dy is the caller's: often dy's own buffer.) */
void sak_positions_backward(float *dpos /* [P,d] */, const float *dy /* [T,d] */, int T, int d, int P);

/* Position-wise feed-forward block: f = ReLU(W1 X + b1), Y = W2 f + b2.
 * f is saved for the backward. */
void sak_ffn_forward(float *Y /* [d,T] */, float *f /* [F,T] */, const float *X /* [d,T] */,
                     const float *W1 /* [F,d] */, const float *b1 /* [F] */, const float *W2 /* [d,F] */,
                     const float *b2 /* [d] */, int T, int d, int F);
/* df = (W2^T dY) * [f > 0] (df is scratch, overwritten);  dW2 += dY f^T;  db2 += sum_t dY_t;
 * dX += W1^T df;  dW1 += df X^T;  db1 += sum_t df_t */
void sak_ffn_backward(float *dX /* [d,T] */, float *dW1 /* [F,d] */, float *db1 /* [F] */, float *dW2 /* [d,F] */,
                      float *db2 /* [d] */, float *df /* [F,T] */, const float *dY /* [d,T] */,
                      const float *f /* [F,T] */, const float *X /* [d,T] */, const float *W1 /* [F,d] */,
                      const float *W2 /* [d,F] */, int T, int d, int F);

/* One layer's shape. ffn 0: no FFN sub-layer (and LN2 unused); window 0: whole document. */
typedef struct SakDims {
    int d, heads, ffn, window;
} SakDims;

/* Named views of one layer's parameters, or of their gradients. */
typedef struct SakLayer {
    float *ln1_g, *ln1_b;           /* [d] */
    float *wq, *bq, *wk, *wv, *bv;  /* [d,d], [d], [d,d], [d,d], [d] */
    float *wo, *bo;                 /* [d,d], [d] */
    float *ln2_g, *ln2_b;           /* [d], with the FFN only */
    float *w1, *b1, *w2, *b2;       /* [F,d], [F], [d,F], [d], with the FFN only */
} SakLayer;

/* The forward's saved activations, one per layer, feature-major. */
typedef struct SakCache {
    float *mean1, *rstd1, *mean2, *rstd2;     /* [T] */
    float *x, *h1, *q, *k, *v, *a, *y, *h2;   /* [d,T]: x^T; a = MHA output before Wo */
    float *p;                                 /* [H,span,T] */
    float *f;                                 /* [F,T] */
} SakCache;

/* Temporaries of a forward or backward; one per thread can serve every layer. */
typedef struct SakWork {
    float *mha;                         /* [sakmha_work_floats] */
    float *dy, *dh, *dq, *dk, *dv, *da; /* [d,T] */
    float *df;                          /* [F,T] */
    float *doc;                         /* [8,d,min(T,SAK_PACK_MAX)] a packed document's columns alone */
} SakWork;

/* Floats a cache or work for up to cap_t tokens needs, and binding them to a
 * caller's block (each view 64-byte aligned when the block is). A binding for
 * cap_t serves any T <= cap_t. */
size_t sak_cache_floats(const SakDims *D, int cap_t);
void sak_cache_bind(SakCache *c, float *block, const SakDims *D, int cap_t);
size_t sak_work_floats(const SakDims *D, int cap_t);
void sak_work_bind(SakWork *w, float *block, const SakDims *D, int cap_t);

/* Several documents packed into one sequence of T tokens: document b is tokens
 * off[b] .. off[b+1]-1 (off[0] = 0, off[n] = T; a document may be empty), each at
 * most SAK_PACK_MAX. The position-wise parts (LayerNorm, projections, residuals,
 * FFN) run over all T tokens at once, the attention within each document only (a
 * block mask), so each document's outputs and input gradients are the bits it
 * gets alone, on any processor; the parameter gradients are the same sums in
 * another order. Short documents are where this pays: alone, a product of a few
 * tokens fills a few of a vector's lanes. p then holds each document's
 * [H,span_b,T_b] block in turn. A document sakfull.h takes is attended where it
 * lies (its rows T apart); another is copied out to SakWork.doc and back. */
#define SAK_PACK_MAX 64
typedef struct SakPack {
    int n;
    const int *off; /* [n+1] */
} SakPack;

/* The layer above on rows: x and out are [T,d] like the model's embeddings; out
 * must not alias x. keep holds m1 then m2 (feature-major like the activations;
 * m2 only with the FFN), or is NULL for no dropout. pack: the documents of the
 * T tokens, or NULL for one. */
void sak_layer_forward(float *out /* [T,d] */, SakCache *c, SakWork *w, const float *x /* [T,d] */,
                       const float *keep /* [2,d,T] or NULL */, const SakLayer *p, const SakDims *D, int T,
                       const SakPack *pack);
/* Backward of the layer's last forward on c (with the same keep and pack): dx +=
 * dL/dx, g's tensors += dL/dparams. */
void sak_layer_backward(float *dx /* [T,d] */, const SakLayer *g, SakWork *w, const float *dout /* [T,d] */,
                        const SakCache *c, const float *keep /* [2,d,T] or NULL */, const SakLayer *p,
                        const SakDims *D, int T, const SakPack *pack);

#endif
