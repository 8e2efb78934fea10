/* sakernels.c - see sakernels.h for the formulas each function computes or
 * differentiates. Activations are feature-major, [features,T], so that inner
 * loops run along the tokens: long and contiguous, where a row of d = 8 or 16
 * features (and a head of dh = 4 or 8) is too short to fill vectors well. */
#include "sakernels.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "gemm.h"
#include "sakfull.h"

/* Tokens per chunk of the LayerNorm loops: per-token sums on the stack. */
enum { SAK_LN_CHUNK = 64 };

SAKMHA_AVX2_CLONE void sak_layernorm_forward(float *y, float *mean, float *rstd, const float *x, const float *g,
                                          const float *b, int T, int d)
{
    for (int t = 0; t < T; t++) mean[t] = rstd[t] = 0.0f;
    for (int i = 0; i < d; i++) {
        const float *xi = x + (size_t)i * T;
#pragma omp simd
        for (int t = 0; t < T; t++) mean[t] += xi[t];
    }
    for (int t = 0; t < T; t++) mean[t] /= (float)d;
    for (int i = 0; i < d; i++) { /* rstd holds the sum of squares until the end */
        const float *xi = x + (size_t)i * T;
#pragma omp simd
        for (int t = 0; t < T; t++) rstd[t] += (xi[t] - mean[t]) * (xi[t] - mean[t]);
    }
    for (int t = 0; t < T; t++) rstd[t] = 1.0f / sqrtf(rstd[t] / (float)d + SAK_LN_EPS);
    for (int i = 0; i < d; i++) {
        const float *xi = x + (size_t)i * T;
        float *yi = y + (size_t)i * T;
        const float gi = g[i], bi = b[i];
#pragma omp simd
        for (int t = 0; t < T; t++) yi[t] = gi * ((xi[t] - mean[t]) * rstd[t]) + bi;
    }
}

void sak_layernorm_backward(float *dx, float *dg, float *db, const float *dy, const float *x, const float *mean,
                            const float *rstd, const float *g, int T, int d)
{
    for (int t0 = 0; t0 < T; t0 += SAK_LN_CHUNK) {
        const int n = T - t0 < SAK_LN_CHUNK ? T - t0 : SAK_LN_CHUNK;
        const float *mu = mean + t0, *rs = rstd + t0;
        float me[SAK_LN_CHUNK] = {0}, mex[SAK_LN_CHUNK] = {0}; /* mean_i(e), mean_i(e * xh) */
        for (int i = 0; i < d; i++) {
            const float *xi = x + (size_t)i * T + t0, *dyi = dy + (size_t)i * T + t0;
            const float gi = g[i];
            float sg = 0.0f, sb = 0.0f;
#pragma omp simd reduction(+ : sg, sb)
            for (int t = 0; t < n; t++) {
                const float xh = (xi[t] - mu[t]) * rs[t], e = dyi[t] * gi;
                me[t] += e;
                mex[t] += e * xh;
                sg += dyi[t] * xh;
                sb += dyi[t];
            }
            dg[i] += sg;
            db[i] += sb;
        }
        for (int t = 0; t < n; t++) me[t] /= (float)d, mex[t] /= (float)d;
        for (int i = 0; i < d; i++) {
            const float *xi = x + (size_t)i * T + t0, *dyi = dy + (size_t)i * T + t0;
            float *dxi = dx + (size_t)i * T + t0;
            const float gi = g[i];
#pragma omp simd
            for (int t = 0; t < n; t++) dxi[t] += rs[t] * (dyi[t] * gi - me[t] - (xi[t] - mu[t]) * rs[t] * mex[t]);
        }
    }
}

void sak_linear_forward(float *Y, const float *X, const float *W, const float *b, int T, int in, int out)
{
    for (int o = 0; o < out; o++) {
        float *yo = Y + (size_t)o * T;
        const float bo = b ? b[o] : 0.0f;
#pragma omp simd
        for (int t = 0; t < T; t++) yo[t] = bo;
    }
    gemm_nn(Y, T, W, in, 1, X, T, out, T, in);
}

/* sak_linear_backward, with dX = W^T dY (written, not added to) when set. */
/* db += sum_t dY_t */
static void sak_bias_backward(float *db /* [o] */, const float *dY /* [o,T] */, int T, int out)
{
    for (int o = 0; o < out; o++) {
        const float *dyo = dY + (size_t)o * T;
        float s = 0.0f;
#pragma omp simd reduction(+ : s)
        for (int t = 0; t < T; t++) s += dyo[t];
        db[o] += s;
    }
}

static void sak_linear_backward_to(float *dX, float *dW, float *db, const float *dY, const float *X, const float *W,
                                   int T, int in, int out, int set)
{
    if (db) sak_bias_backward(db, dY, T, out);
    gemm_nt(dW, in, dY, T, X, T, out, in, T);     /* dW[o,i] += sum_t dY[o,t] X[i,t] */
    if (dX && set) gemm_nn_set(dX, T, W, 1, in, dY, T, in, T, out);
    else if (dX) gemm_nn(dX, T, W, 1, in, dY, T, in, T, out); /* dX[i,t] += sum_o W[o,i] dY[o,t] */
}

void sak_linear_backward(float *dX, float *dW, float *db, const float *dY, const float *X, const float *W, int T,
                         int in, int out)
{
    sak_linear_backward_to(dX, dW, db, dY, X, W, T, in, out, 0);
}

void sak_linear_forward_naive(float *Y, const float *X, const float *W, const float *b, int T, int in, int out)
{
    for (int t = 0; t < T; t++)
        for (int o = 0; o < out; o++) {
            float s = b ? b[o] : 0.0f;
            for (int i = 0; i < in; i++) s += W[(size_t)o * in + i] * X[(size_t)i * T + t];
            Y[(size_t)o * T + t] = s;
        }
}

void sak_linear_backward_naive(float *dX, float *dW, float *db, const float *dY, const float *X, const float *W,
                               int T, int in, int out)
{
    for (int t = 0; t < T; t++)
        for (int o = 0; o < out; o++) {
            const float g = dY[(size_t)o * T + t];
            if (db) db[o] += g;
            for (int i = 0; i < in; i++) {
                dW[(size_t)o * in + i] += g * X[(size_t)i * T + t];
                if (dX) dX[(size_t)i * T + t] += g * W[(size_t)o * in + i];
            }
        }
}

void sak_positions_forward(float *y, const float *x, const float *pos, int T, int d, int P)
{
    for (int t = 0; t < T; t++) {
        const float *pt = pos + (size_t)(t < P ? t : P - 1) * d, *xt = x + (size_t)t * d;
        float *yt = y + (size_t)t * d;
#pragma omp simd
        for (int i = 0; i < d; i++) yt[i] = xt[i] + pt[i];
    }
}

void sak_positions_backward(float *dpos, const float *dy, int T, int d, int P)
{
    for (int t = 0; t < T; t++) {
        const float *dyt = dy + (size_t)t * d;
        float *dp = dpos + (size_t)(t < P ? t : P - 1) * d;
#pragma omp simd
        for (int i = 0; i < d; i++) dp[i] += dyt[i];
    }
}

/* dst[c,r] = src[r,c] */
static void sak_transpose(float *dst /* [cols,rows] */, const float *src /* [rows,cols] */, int rows, int cols)
{
    gemm_transpose(dst, rows, src, cols, rows, cols, 0);
}

/* dst[c,r] += src[r,c] */
static void sak_transpose_add(float *dst /* [cols,rows] */, const float *src /* [rows,cols] */, int rows, int cols)
{
    gemm_transpose(dst, rows, src, cols, rows, cols, 1);
}

void sak_ffn_forward(float *Y, float *f, const float *X, const float *W1, const float *b1, const float *W2,
                     const float *b2, int T, int d, int F)
{
    sak_linear_forward(f, X, W1, b1, T, d, F);
#pragma omp simd
    for (size_t i = 0; i < (size_t)T * F; i++) f[i] = f[i] > 0.0f ? f[i] : 0.0f;
    sak_linear_forward(Y, f, W2, b2, T, F, d);
}

void sak_ffn_backward(float *dX, float *dW1, float *db1, float *dW2, float *db2, float *df, const float *dY,
                      const float *f, const float *X, const float *W1, const float *W2, int T, int d, int F)
{
    memset(df, 0, (size_t)T * F * sizeof *df);
    sak_linear_backward(df, dW2, db2, dY, f, W2, T, F, d);
#pragma omp simd
    for (size_t i = 0; i < (size_t)T * F; i++) df[i] = f[i] > 0.0f ? df[i] : 0.0f;
    sak_linear_backward(dX, dW1, db1, df, X, W1, T, d, F);
}

/* Rounds a view's size up to 16 floats, so views of an aligned block stay 64-byte aligned. */
static size_t sak_round16(size_t n)
{
    return (n + 15) & ~(size_t)15;
}

/* Carves views of the given sizes off block in order (none without a block);
 * returns the floats used. */
static size_t sak_carve(float *block, float **const *views, const size_t *sizes, int n)
{
    size_t off = 0;
    for (int i = 0; i < n; i++) {
        if (block) *views[i] = sizes[i] ? block + off : NULL;
        off += sak_round16(sizes[i]);
    }
    return off;
}

static size_t sak_cache_layout(SakCache *c, float *block, const SakDims *D, int cap_t)
{
    SakCache unused;
    if (!c) c = &unused;
    const size_t T = (size_t)cap_t, td = T * D->d, tf = T * D->ffn, ln2 = D->ffn ? T : 0;
    const size_t sizes[] = {T, T, ln2, ln2, td, td, td, td, td, td, td, D->ffn ? td : 0,
                            (size_t)D->heads * T * sakmha_span(cap_t, D->window), tf};
    float **const views[] = {&c->mean1, &c->rstd1, &c->mean2, &c->rstd2, &c->x, &c->h1, &c->q, &c->k,
                             &c->v, &c->a, &c->y, &c->h2, &c->p, &c->f};
    return sak_carve(block, views, sizes, (int)(sizeof sizes / sizeof *sizes));
}

size_t sak_cache_floats(const SakDims *D, int cap_t)
{
    return sak_cache_layout(NULL, NULL, D, cap_t);
}

void sak_cache_bind(SakCache *c, float *block, const SakDims *D, int cap_t)
{
    sak_cache_layout(c, block, D, cap_t);
}

static size_t sak_work_layout(SakWork *w, float *block, const SakDims *D, int cap_t)
{
    SakWork unused;
    if (!w) w = &unused;
    const size_t td = (size_t)cap_t * D->d, doc = 8 * (size_t)D->d * (cap_t < SAK_PACK_MAX ? cap_t : SAK_PACK_MAX);
    const size_t sizes[] = {sakmha_work_floats(cap_t, D->d, D->window), td, td, td, td, td, td,
                            (size_t)cap_t * D->ffn, doc};
    float **const views[] = {&w->mha, &w->dy, &w->dh, &w->dq, &w->dk, &w->dv, &w->da, &w->df, &w->doc};
    return sak_carve(block, views, sizes, (int)(sizeof sizes / sizeof *sizes));
}

size_t sak_work_floats(const SakDims *D, int cap_t)
{
    return sak_work_layout(NULL, NULL, D, cap_t);
}

void sak_work_bind(SakWork *w, float *block, const SakDims *D, int cap_t)
{
    sak_work_layout(w, block, D, cap_t);
}

/* A pack's document b (columns o .. o+n-1 of rows T apart) as a document alone
 * ([rows,n]), and back. */
static void sak_cols_get(float *dst /* [rows,n] */, const float *src /* [rows,T] */, int rows, int T, int o, int n)
{
    for (int i = 0; i < rows; i++) memcpy(dst + (size_t)i * n, src + (size_t)i * T + o, (size_t)n * sizeof *dst);
}

static void sak_cols_put(float *dst /* [rows,T] */, const float *src /* [rows,n] */, int rows, int T, int o, int n)
{
    for (int i = 0; i < rows; i++) memcpy(dst + (size_t)i * T + o, src + (size_t)i * n, (size_t)n * sizeof *dst);
}

/* Whether sakfull attends a packed document of n tokens where it lies. */
static int sak_in_place(const SakDims *D, int n)
{
    return (D->window == 0 || D->window >= n - 1) && sakfull_takes(n, D->d / D->heads);
}

/* Where a pack's next document's block of p starts, and that its documents fit
 * SakWork.doc (a caller that breaks SAK_PACK_MAX has a bug that would write past it). */
static size_t sak_pack_block(const SakDims *D, int n)
{
    if (n > SAK_PACK_MAX) abort();
    return (size_t)D->heads * sakmha_span(n, D->window) * n;
}

/* a = MHA(q, k, v) over each document of the pack (sakmha.h). */
static void sak_attend(SakCache *c, SakWork *w, const SakDims *D, int T, const SakPack *k)
{
    const int d = D->d, H = D->heads;
    if (!k || k->n == 1) {
        sakmha_forward(c->a, c->p, w->mha, c->q, c->k, c->v, T, d, H, D->window);
        return;
    }
    float *p = c->p;
    for (int b = 0; b < k->n; b++) {
        const int o = k->off[b], n = k->off[b + 1] - o;
        const size_t dn = (size_t)d * n;
        if (sak_in_place(D, n)) {
            sakfull_forward(c->a + o, p, w->mha, c->q + o, c->k + o, c->v + o, n, T, d, H);
        } else {
            float *q = w->doc, *kk = q + dn, *v = kk + dn, *a = v + dn;
            sak_cols_get(q, c->q, d, T, o, n);
            sak_cols_get(kk, c->k, d, T, o, n);
            sak_cols_get(v, c->v, d, T, o, n);
            sakmha_forward(a, p, w->mha, q, kk, v, n, d, H, D->window);
            sak_cols_put(c->a, a, d, T, o, n);
        }
        p += sak_pack_block(D, n);
    }
}

/* Its backward from w->da into w->dq, w->dk, w->dv (written, not added to). */
static void sak_attend_backward(SakWork *w, const SakCache *c, const SakDims *D, int T, const SakPack *k)
{
    const int d = D->d, H = D->heads;
    if (!k || k->n == 1) {
        sakmha_backward_to(w->dq, w->dk, w->dv, w->mha, w->da, c->a, c->p, c->q, c->k, c->v, T, d, H, D->window, 1);
        return;
    }
    const float *p = c->p;
    for (int b = 0; b < k->n; b++) {
        const int o = k->off[b], n = k->off[b + 1] - o;
        const size_t dn = (size_t)d * n;
        if (sak_in_place(D, n)) {
            sakfull_backward(w->dq + o, w->dk + o, w->dv + o, w->mha, w->da + o, c->a + o, p, c->q + o, c->k + o,
                             c->v + o, n, T, d, H, 1);
        } else {
            float *in[5], *out[3];
            for (int j = 0; j < 5; j++) in[j] = w->doc + j * dn;
            for (int j = 0; j < 3; j++) out[j] = w->doc + (5 + j) * dn;
            const float *src[5] = {w->da, c->a, c->q, c->k, c->v};
            for (int j = 0; j < 5; j++) sak_cols_get(in[j], src[j], d, T, o, n);
            sakmha_backward_to(out[0], out[1], out[2], w->mha, in[0], in[1], p, in[2], in[3], in[4], n, d, H,
                               D->window, 1);
            sak_cols_put(w->dq, out[0], d, T, o, n);
            sak_cols_put(w->dk, out[1], d, T, o, n);
            sak_cols_put(w->dv, out[2], d, T, o, n);
        }
        p += sak_pack_block(D, n);
    }
}

void sak_layer_forward(float *out, SakCache *c, SakWork *w, const float *x, const float *keep, const SakLayer *p,
                       const SakDims *D, int T, const SakPack *pack)
{
    const int d = D->d;
    const size_t td = (size_t)T * d;
    if (T <= 0) return; /* the views of an empty binding may be NULL */
    sak_transpose(c->x, x, T, d);
    sak_layernorm_forward(c->h1, c->mean1, c->rstd1, c->x, p->ln1_g, p->ln1_b, T, d);
    sak_linear_forward(c->q, c->h1, p->wq, p->bq, T, d, d);
    sak_linear_forward(c->k, c->h1, p->wk, NULL, T, d, d);
    sak_linear_forward(c->v, c->h1, p->wv, p->bv, T, d, d);
    sak_attend(c, w, D, T, pack);
    sak_linear_forward(c->y, c->a, p->wo, p->bo, T, d, d);
    if (keep)
#pragma omp simd
        for (size_t i = 0; i < td; i++) c->y[i] = c->x[i] + keep[i] * c->y[i];
    else
#pragma omp simd
        for (size_t i = 0; i < td; i++) c->y[i] += c->x[i];
    if (!D->ffn) {
        sak_transpose(out, c->y, d, T);
        return;
    }
    float *o = w->dy; /* out^T */
    sak_layernorm_forward(c->h2, c->mean2, c->rstd2, c->y, p->ln2_g, p->ln2_b, T, d);
    sak_ffn_forward(o, c->f, c->h2, p->w1, p->b1, p->w2, p->b2, T, d, D->ffn);
    if (keep)
#pragma omp simd
        for (size_t i = 0; i < td; i++) o[i] = c->y[i] + keep[td + i] * o[i];
    else
#pragma omp simd
        for (size_t i = 0; i < td; i++) o[i] += c->y[i];
    sak_transpose(out, o, d, T);
}

/* dst = m * src when there is a mask, else src itself (no copy). */
static const float *sak_masked(float *dst, const float *src, const float *m, size_t n)
{
    if (!m) return src;
#pragma omp simd
    for (size_t i = 0; i < n; i++) dst[i] = m[i] * src[i];
    return dst;
}

void sak_layer_backward(float *dx, const SakLayer *g, SakWork *w, const float *dout, const SakCache *c,
                        const float *keep, const SakLayer *p, const SakDims *D, int T, const SakPack *pack)
{
    const int d = D->d;
    const size_t td = (size_t)T * d, bytes = td * sizeof(float);
    if (T <= 0) return;
    /* dy: dout through the FFN's residual, plus the FFN branch through LN2. w->dq
     * is free until the attention's backward, so it holds a branch's masked
     * gradient. */
    sak_transpose(w->dy, dout, T, d);
    if (D->ffn) {
        const float *dbranch = sak_masked(w->dq, w->dy, keep ? keep + td : NULL, td);
        memset(w->dh, 0, bytes);
        sak_ffn_backward(w->dh, g->w1, g->b1, g->w2, g->b2, w->df, dbranch, c->f, c->h2, p->w1, p->w2, T, d,
                         D->ffn);
        sak_layernorm_backward(w->dy, g->ln2_g, g->ln2_b, w->dh, c->y, c->mean2, c->rstd2, p->ln2_g, T, d);
    }
    /* The first product into each of da, dq, dk, dv and dh writes it: no zeroing. */
    sak_linear_backward_to(w->da, g->wo, g->bo, sak_masked(w->dq, w->dy, keep, td), c->a, p->wo, T, d, d, 1);
    sak_attend_backward(w, c, D, T, pack);
    /* The three projections of h1, as sak_linear_backward each, with h1 transposed once for their dW. */
    sak_bias_backward(g->bq, w->dq, T, d);
    sak_bias_backward(g->bv, w->dv, T, d);
    float *const dw[3] = {g->wq, g->wk, g->wv};
    const float *const dy[3] = {w->dq, w->dk, w->dv};
    gemm_nt_shared(dw, d, dy, T, 3, c->h1, T, d, d, T);
    gemm_nn_set(w->dh, T, p->wq, 1, d, w->dq, T, d, T, d);
    gemm_nn(w->dh, T, p->wk, 1, d, w->dk, T, d, T, d);
    gemm_nn(w->dh, T, p->wv, 1, d, w->dv, T, d, T, d);
    float *dxt = w->dq; /* free again */
    memcpy(dxt, w->dy, bytes); /* the attention's residual */
    sak_layernorm_backward(dxt, g->ln1_g, g->ln1_b, w->dh, c->x, c->mean1, c->rstd1, p->ln1_g, T, d);
    sak_transpose_add(dx, dxt, d, T);
}
