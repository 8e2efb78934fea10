/* sakmha.h - multi-head scaled dot-product attention between the tokens of one
 * document, the part of the self-attention layer (sakernels.h) after the Q, K and
 * V projections and before the output one, as pure functions in the style of
 * kernels.h: outputs first, then inputs, then dimensions; every backward
 * ACCUMULATES (+=) into its gradient outputs unless said otherwise. Nothing here
 * allocates: callers pass scratch sized by sakmha_work_floats. Activations are
 * FEATURE-MAJOR, [d,T] (sakernels.h says why). */
#ifndef ATTNCLF_SAKMHA_H
#define ATTNCLF_SAKMHA_H

#include <stddef.h>

/* An AVX2 clone beside the SSE2 build, picked when the program loads, for loops
 * that are elementwise along the tokens: each lane computes exactly what the SSE
 * code does (no sums across lanes, whose order would change with the width; no
 * fused multiply-adds: -std=c11 sets -ffp-contract=off), so the bits do not
 * depend on the processor. bench/sak.md has what it gains. */
#if defined(__GNUC__) && (defined(__x86_64__) || defined(__i386__))
#define SAKMHA_AVX2_CLONE __attribute__((target_clones("avx2", "default")))
#else
#define SAKMHA_AVX2_CLONE
#endif

/* Multi-head scaled dot-product attention before the output projection, per head
 * h (rows h*dh .. h*dh+dh-1 of q, k, v, o) and token t:
 *   N(t) = {u : |t - u| <= W}, all u when W = 0 (the whole document)
 *   s_tu = q_t . k_u / sqrt(dh),  p_tu = softmax_{u in N(t)}(s_t),  o_t = sum_{u in N(t)} p_tu v_u
 * Layout of p: per head a block [span,T], span = sakmha_span(T, W), whose
 * column t holds query t's weights, so that the loops run along t. With a window
 * narrower than the document (2W+1 < T), row r holds key u = t - W + r (a band:
 * O(T W) memory and time); otherwise row r is key u = r (full: O(T^2)). Entries of
 * keys outside N(t) or the document are 0. sakmha_index finds an entry. */
int sakmha_span(int T, int W);
/* Index of p_tu within a head's block, or -1 when u is not in N(t). */
ptrdiff_t sakmha_index(int t, int u, int T, int W);
/* The queries [*lo, *hi) that row r of a head's block serves (the rest of the row
 * is 0), and the offset of its key from the query (band: u = t + off) or the key
 * itself (full: u = off). */
void sakmha_row(int r, int T, int W, int *lo, int *hi, int *off);
/* Scratch floats sakmha_forward and sakmha_backward need (any T' <= T needs
 * no more). The cost of either is O(T span d). */
size_t sakmha_work_floats(int T, int d, int W);
void sakmha_forward(float *o /* [d,T] */, float *p /* [H,span,T] */, float *work /* [sakmha_work_floats] */,
                    const float *q /* [d,T] */, const float *k /* [d,T] */, const float *v /* [d,T] */,
                    int T, int d, int H, int W);
/* Given do = dL/do, with g_tu = do_t . v_u and, since sum_u p_tu g_tu = do_t . o_t,
 * ds_tu = p_tu (g_tu - do_t . o_t) (the softmax Jacobian), per head:
 *   dq_t += sum_u ds_tu k_u / sqrt(dh);  dk_u += sum_t ds_tu q_t / sqrt(dh);  dv_u += sum_t p_tu do_t
 * o and p are the forward's outputs. */
void sakmha_backward(float *dq /* [d,T] */, float *dk /* [d,T] */, float *dv /* [d,T] */,
                     float *work /* [sakmha_work_floats] */, const float *dout /* [d,T] */,
                     const float *o /* [d,T] */, const float *p /* [H,span,T] */,
                     const float *q /* [d,T] */, const float *k /* [d,T] */, const float *v /* [d,T] */,
                     int T, int d, int H, int W);
/* The same, with dq, dk and dv written rather than added to when set (the layer's
 * first products into them: no zeroing first). */
void sakmha_backward_to(float *dq /* [d,T] */, float *dk /* [d,T] */, float *dv /* [d,T] */,
                        float *work /* [sakmha_work_floats] */, const float *dout /* [d,T] */,
                        const float *o /* [d,T] */, const float *p /* [H,span,T] */,
                        const float *q /* [d,T] */, const float *k /* [d,T] */, const float *v /* [d,T] */,
                        int T, int d, int H, int W, int set);
/* The naive reference: the full T x T scores with the mask as -infinity, expf,
 * p stored p[h,t,u] (query-major, unlike the above); the backward sums p_tu g_tu
 * explicitly. O(T^2 d). work is [T]. */
void sakmha_forward_naive(float *o /* [d,T] */, float *p /* [H,T,T] */, const float *q /* [d,T] */,
                          const float *k /* [d,T] */, const float *v /* [d,T] */, int T, int d, int H, int W);
void sakmha_backward_naive(float *dq /* [d,T] */, float *dk /* [d,T] */, float *dv /* [d,T] */,
                           float *work /* [T] */, const float *dout /* [d,T] */, const float *p /* [H,T,T] */,
                           const float *q /* [d,T] */, const float *k /* [d,T] */, const float *v /* [d,T] */,
                           int T, int d, int H);

#endif
