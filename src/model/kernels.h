/* kernels.h - the model's math as pure functions: outputs first, then inputs,
 * then parameters, then dimensions. Shapes are row-major. Every backward
 * ACCUMULATES (+=) into its gradient outputs, so callers zero them first.
 *
 * Notation: T tokens, d = dim, H heads, C classes, K = H*d.
 * Attention pooling (per head h):
 *   dot:      s_ht = q_h . xs_t / sqrt(d)
 *   additive: u_t = tanh(W xs_t + b), s_ht = v_h . u_t         (HAN, Yang et al. 2016)
 *   alpha_h = softmax_t(s_h),  z_h = sum_t alpha_ht x_t
 * xs is the scoring input (x plus positional encoding, or x itself); x is pooled.
 * Context attention (model.context / model.gate) adds to the dot scores the sums of
 * the words to the left and right of t, and pools gated values v instead of x:
 *   L_t = sum_{u<t} x_u,  R_t = sum_{u>t} x_u
 *   s_ht = (q_h . xs_t + ql_h . L_t + qr_h . R_t) / sqrt(d)
 *   v_t = x_t * (1 + tanh(G x_{t-1} + c))        (x_{-1} = 0)
 * "Left", "right" and "previous" are over the rows the model is given: words and
 * their n-grams interleaved (encoder.h), and during training only the tokens that
 * token dropout kept, so the sums are then ~(1 - p) of what inference sees;
 * scaling them by 1 - p at inference made no difference (README "Choosing the
 * defaults"), so they are left as they are.
 * A document with T = 0 pools to z = 0. */
#ifndef ATTNCLF_KERNELS_H
#define ATTNCLF_KERNELS_H

#include <stdint.h>

#include "quant.h"

/* dst[t,:] = table[ids[t],:]. */
void kernel_gather(float *dst /* [T,d] */, const float *table /* [rows,d] */,
                   const int32_t *ids /* [T] */, int T, int d);
/* The gather of a shipped model's stored rows (embed.h), k = sid[t]; k < 0 gives
 * a zero row. Each gives the bits of its codec's own decoder (quant.h) with a
 * plain loop, which the tests keep beside it as the reference:
 *   rows:  dst[t,:] = table[k,:]
 *   int8:  dst[t,j] = scale_k * q[k,j]                        (quant_i8_row)
 *   PQ:    dst[t,:] = [c_0(code_k0), ..., c_{nsub-1}(code_k,nsub-1)], each entry
 *          times the decoded norm with qnorm                  (quant_pq_row) */
void kernel_gather_rows(float *dst /* [T,d] */, const float *table /* [stored,d] */,
                        const int32_t *sid /* [T] */, int T, int d);
void kernel_gather_i8(float *dst /* [T,d] */, const int8_t *q /* [stored,d] */, const float *scale /* [stored] */,
                      const int32_t *sid /* [T] */, int T, int d);
void kernel_gather_pq(float *dst /* [T,d] */, const QuantPQMat *m, const int32_t *sid /* [T] */, int T);

/* Bags of rows (a word and its character n-grams): ids [n] lists positions'
 * rows in order, a position's first row as itself and the rest as ~row (< 0).
 * The number of positions (ids >= 0). */
int kernel_bag_count(const int32_t *ids /* [n] */, int n);
/* x_p = (1/|B_p|) sum_{r in B_p} table[r,:] over each position's bag B_p;
 * returns the positions P. With no ~row ids this is kernel_gather. */
int kernel_gather_bags(float *dst /* [P,d] */, const float *table /* [rows,d] */, const int32_t *ids /* [n] */,
                       int n, int d);
/* The gradient of each id's row: demb_i = dx_p / |B_p| for the position p of id
 * i (overwritten, one row per id, as the gather's backward). */
void kernel_scatter_bags(float *demb /* [n,d] */, const float *dx /* [P,d] */, const int32_t *ids /* [n] */, int n,
                         int d);

/* Sinusoidal encoding (Vaswani et al. 2017): pe[t,2i] = sin(t / 10000^(2i/d)),
 * pe[t,2i+1] = cos(t / 10000^(2i/d)). */
void kernel_posenc(float *pe /* [T,d] */, int T, int d);

/* In-place softmax over each row of s [H,T]. */
void kernel_softmax_rows(float *s /* [H,T] */, int H, int T);

void kernel_dot_attn_forward(float *alpha /* [H,T] */, float *z /* [H,d] */,
                             const float *x /* [T,d] */, const float *xs /* [T,d] */,
                             const float *q /* [H,d] */, int T, int d, int H);
/* Given dz = dL/dz: with g_ht = dz_h . x_t and the softmax Jacobian
 * ds_ht = alpha_ht (g_ht - sum_t' alpha_ht' g_ht') = alpha_ht (g_ht - dz_h . z_h),
 *   dx_t  += sum_h alpha_ht dz_h
 *   dxs_t += sum_h ds_ht q_h / sqrt(d)
 *   dq_h  += sum_t ds_ht xs_t / sqrt(d)
 * dx and dxs may be the same buffer (xs = x + pe makes both flow to x). */
void kernel_dot_attn_backward(float *dx /* [T,d] */, float *dxs /* [T,d] */, float *dq /* [H,d] */,
                              const float *dz /* [H,d] */, const float *z /* [H,d] */,
                              const float *alpha /* [H,T] */, const float *x /* [T,d] */,
                              const float *xs /* [T,d] */, const float *q /* [H,d] */,
                              int T, int d, int H);

void kernel_add_attn_forward(float *alpha /* [H,T] */, float *z /* [H,d] */, float *u /* [T,d] */,
                             const float *x /* [T,d] */, const float *xs /* [T,d] */,
                             const float *W /* [d,d] */, const float *b /* [d] */,
                             const float *v /* [H,d] */, int T, int d, int H);
/* With ds as in the dot kernel:
 *   du_t = sum_h ds_ht v_h;  dv_h += sum_t ds_ht u_t;  da_t = du_t * (1 - u_t^2)
 *   dW += sum_t da_t xs_t^T;  db += sum_t da_t;  dxs_t += W^T da_t;  dx_t += sum_h alpha_ht dz_h
 * `da` is scratch [T,d] overwritten. */
void kernel_add_attn_backward(float *dx /* [T,d] */, float *dxs /* [T,d] */, float *dW /* [d,d] */,
                              float *db /* [d] */, float *dv /* [H,d] */, float *da /* [T,d] */,
                              const float *dz /* [H,d] */, const float *z /* [H,d] */,
                              const float *alpha /* [H,T] */, const float *u /* [T,d] */, const float *x /* [T,d] */,
                              const float *xs /* [T,d] */, const float *W /* [d,d] */,
                              const float *v /* [H,d] */, int T, int d, int H);

/* L_t = sum_{u<t} x_u, summed left to right, and R_t = sum_{u>t} x_u, right to left. */
void kernel_context_sums(float *L /* [T,d] */, float *R /* [T,d] */, const float *x /* [T,d] */, int T, int d);
/* dx_u += sum_{t>u} dL_t + sum_{t<u} dR_t. */
void kernel_context_sums_backward(float *dx /* [T,d] */, const float *dL /* [T,d] */,
                                  const float *dR /* [T,d] */, int T, int d);

/* The previous word scales this one's value per dimension, by a factor in (0, 2):
 *   g_t = tanh(G x_{t-1} + c),  v_t = x_t * (1 + g_t)   (x_{-1} = 0, so g_0 = tanh(c)). */
void kernel_gate_forward(float *v /* [T,d] */, float *g /* [T,d] */, const float *x /* [T,d] */,
                         const float *G /* [d,d] */, const float *c /* [d] */, int T, int d);
/* With da_t = dv_t * x_t * (1 - g_t^2):
 *   dx_t += dv_t * (1 + g_t);  dx_{t-1} += G^T da_t;  dG += da_t x_{t-1}^T;  dc += da_t */
void kernel_gate_backward(float *dx /* [T,d] */, float *dG /* [d,d] */, float *dc /* [d] */,
                          const float *dv /* [T,d] */, const float *g /* [T,d] */, const float *x /* [T,d] */,
                          const float *G /* [d,d] */, int T, int d);

/* Context attention pooling of v: the scores above, with ql_h = qc[h] and
 * qr_h = qc[H+h]. L, R and qc are NULL for no context terms, which makes this
 * kernel_dot_attn_forward with x = v (the test holds them to that). */
void kernel_ctx_attn_forward(float *alpha /* [H,T] */, float *z /* [H,d] */, const float *v /* [T,d] */,
                             const float *xs /* [T,d] */, const float *L /* [T,d] */, const float *R /* [T,d] */,
                             const float *q /* [H,d] */, const float *qc /* [2H,d] */, int T, int d, int H);
/* With ds_ht = alpha_ht (dz_h . v_t - dz_h . z_h) / sqrt(d) (the softmax Jacobian
 * as in the dot kernel):
 *   dv_t  += sum_h alpha_ht dz_h
 *   dxs_t += sum_h ds_ht q_h;   dq_h     += sum_t ds_ht xs_t
 *   dL_t  += sum_h ds_ht ql_h;  dqc[h]   += sum_t ds_ht L_t
 *   dR_t  += sum_h ds_ht qr_h;  dqc[H+h] += sum_t ds_ht R_t
 * dL, dR and dqc are NULL when L is. */
void kernel_ctx_attn_backward(float *dv /* [T,d] */, float *dxs /* [T,d] */, float *dL /* [T,d] */,
                              float *dR /* [T,d] */, float *dq /* [H,d] */, float *dqc /* [2H,d] */,
                              const float *dz /* [H,d] */, const float *z /* [H,d] */,
                              const float *alpha /* [H,T] */, const float *v /* [T,d] */,
                              const float *xs /* [T,d] */, const float *L /* [T,d] */, const float *R /* [T,d] */,
                              const float *q /* [H,d] */, const float *qc /* [2H,d] */, int T, int d, int H);

/* out = W in + b. */
void kernel_linear_forward(float *out /* [C] */, const float *in /* [K] */,
                           const float *W /* [C,K] */, const float *b /* [C] */, int C, int K);
/* din += W^T dout;  dW += dout in^T;  db += dout. din may be NULL. */
void kernel_linear_backward(float *din /* [K] */, float *dW /* [C,K] */, float *db /* [C] */,
                            const float *dout /* [C] */, const float *in /* [K] */,
                            const float *W /* [C,K] */, int C, int K);

/* probs = softmax(logits); returns -log probs[y] (y < 0: returns 0). */
float kernel_softmax_xent_forward(float *probs /* [C] */, const float *logits /* [C] */, int C, int y);
/* dlogits = scale * (probs - onehot(y)): d/dlogits of -log softmax(logits)_y. */
void kernel_softmax_xent_backward(float *dlogits /* [C] */, const float *probs /* [C] */,
                                  int C, int y, float scale);

#endif
