/* rollout.h - one weight per input token from a stack of self-attention layers,
 * for explanations: attention rollout (Abnar & Zuidema 2020, "Quantifying
 * Attention Flow in Transformers") over the attention sakernels.h stores, in its
 * layout (per head [span,T], sakmha_span / sakmha_index). Pure functions. */
#ifndef ATTNCLF_ROLLOUT_H
#define ATTNCLF_ROLLOUT_H

/* A layer's head-averaged attention, in p's layout:
 *   A_tu = (1/H) sum_h p_tu of head h. */
void rollout_head_mean(float *A /* [span,T] */, const float *p /* [H,span,T] */, int T, int H, int W);
/* With L layers, A[0] the lowest (nearest the embeddings), each [span,T] in p's
 * layout, and A[t,u] meaning A_tu, the residual connection folded in as
 *   Ah_l[t,u] = (0.5 A_l[t,u] + 0.5 [t = u]) / (0.5 sum_u' A_l[t,u'] + 0.5)
 * (rows of the softmax sum to 1, so the division only removes rounding), the
 * rollout is R = Ah_{L-1} ... Ah_1 Ah_0: R[t,u] is how much of output t flows from
 * input u, and its rows sum to 1. L = 0 gives the identity. R is row-major
 * (R[t*T + u]); O(L T^2 span): for tests and short documents. */
void rollout_matrix(float *R /* [T,T] */, float *work /* [T*T+2T] */, const float *const *A /* L x [span,T] */,
                    int L, int T, int W);
/* Pooling weights over the top layer's outputs mapped to the inputs:
 *   w = alpha^T R,  w_u = sum_t alpha_t R[t,u],
 * computed without R as v = alpha, v <- Ah_l^T v for l = L-1 down to 0, in
 * O(L T span). w sums to what alpha sums to. Linear in alpha: the mean of several
 * pooling heads' w is the w of their mean alpha. work [2T]. */
void rollout_weights(float *w /* [T] */, float *work /* [2T] */, const float *alpha /* [T] */,
                     const float *const *A /* L x [span,T] */, int L, int T, int W);

#endif
