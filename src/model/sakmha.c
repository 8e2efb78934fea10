/* sakmha.c - see sakmha.h for the formulas. Activations are feature-major,
 * [features,T], so that inner loops run along the tokens: long and contiguous,
 * where a head of dh = 4 or 8 features is too short to fill vectors well. */
#include "sakmha.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "gemm.h"
#include "sakfull.h"

/* exp(x) for x <= 0 (a score minus its row's maximum) by Cody-Waite reduction
 * x = n ln2 + r, |r| <= ln2/2, and Cephes' expf polynomial for e^r: within
 * 1.4 ulp of exp over [-87, 0], measured; below -87 it gives exp(-87) = 1.6e-38
 * rather than 0, which no softmax here can tell apart. Unlike a call to expf it
 * vectorises, and every attention score needs one. Rounding n by adding and
 * subtracting 1.5 * 2^23 is exact in round-to-nearest. x is clamped at -87
 * through its bits, as unsigned, where negative floats order by magnitude above
 * every non-negative one: a float comparison is control flow that GCC does not
 * vectorise without -ffinite-math-only, while an integer min is. */
static inline float sakmha_exp_neg(float x)
{
    uint32_t u;
    memcpy(&u, &x, sizeof u);
    u = u > 0xC2AE0000u ? 0xC2AE0000u : u; /* -87.0f */
    memcpy(&x, &u, sizeof x);
    float n = x * 1.44269504088896341f + 12582912.0f;
    n -= 12582912.0f;
    float r = x - n * 0.693359375f;
    r = r + n * 2.12194440e-4f;
    float p = 1.9875691500e-4f;
    p = p * r + 1.3981999507e-3f;
    p = p * r + 8.3334519073e-3f;
    p = p * r + 4.1665795894e-2f;
    p = p * r + 1.6666665459e-1f;
    p = p * r + 5.0000001201e-1f;
    p = p * r * r + r + 1.0f;
    const int32_t bits = ((int32_t)n + 127) << 23;
    float two_n;
    memcpy(&two_n, &bits, sizeof two_n);
    return p * two_n;
}

int sakmha_span(int T, int W)
{
    return W > 0 && 2 * (int64_t)W + 1 < T ? 2 * W + 1 : T;
}

/* sakmha_row for a layout already known to be a band or not: inlined into the
 * softmax's loops, which run it for every row of every head. */
static inline void sakmha_row_in(int r, int T, int W, int band, int *lo, int *hi, int *off)
{
    if (band) {
        *off = r - W;
        *lo = *off < 0 ? -*off : 0;
        *hi = *off > 0 ? T - *off : T;
    } else {
        *off = r;
        *lo = W > 0 && r > W ? r - W : 0;
        *hi = W > 0 && W < T - 1 - r ? r + W + 1 : T;
    }
}

void sakmha_row(int r, int T, int W, int *lo, int *hi, int *off)
{
    sakmha_row_in(r, T, W, sakmha_span(T, W) != T, lo, hi, off);
}

ptrdiff_t sakmha_index(int t, int u, int T, int W)
{
    if (t < 0 || t >= T || u < 0 || u >= T || (W > 0 && abs(t - u) > W)) return -1;
    const int r = sakmha_span(T, W) != T ? u - t + W : u;
    return (ptrdiff_t)r * T + t;
}

/* pat [T*T] = v [T] repeated T times, in copies that double. */
static void sakmha_repeat(float *pat, const float *v, int T)
{
    const size_t tt = (size_t)T * T;
    memcpy(pat, v, (size_t)T * sizeof *pat);
    for (size_t n = (size_t)T; n < tt; n *= 2) memcpy(pat + n, pat, (n < tt - n ? n : tt - n) * sizeof *pat);
}

/* For each query t, the softmax over the keys it has (the rows' valid ranges) of
 * scale times one head's scores s [span,T]; entries outside the ranges become 0.
 * scale > 0. mx, sum [T]; pat [T*T] scratch when every row covers the whole
 * document (W = 0 or W >= T - 1, never with a band). */
SAKMHA_AVX2_CLONE static void sakmha_softmax_keys(float *s, float *mx, float *sum, float *pat, float scale, int T,
                                                  int W)
{
    const int span = sakmha_span(T, W), band = span != T;
    for (int t = 0; t < T; t++) mx[t] = -INFINITY, sum[t] = 0.0f;
    for (int r = 0; r < span; r++) {
        int lo, hi, off;
        sakmha_row_in(r, T, W, band, &lo, &hi, &off);
        const float *row = s + (size_t)r * T;
#pragma omp simd
        for (int t = lo; t < hi; t++) mx[t] = row[t] > mx[t] ? row[t] : mx[t];
    }
    if (!band && (W == 0 || W >= T - 1)) {
        /* Every row covers the whole document: the elementwise steps run over
         * the block as one array, against the per-query maxima and sums
         * repeated once a row, in full vectors, where a short document's rows
         * of T would leave most of them to the scalar tail. The same values,
         * summed in the same order. */
        const size_t tt = (size_t)T * T;
        sakmha_repeat(pat, mx, T);
#pragma omp simd
        for (size_t i = 0; i < tt; i++) s[i] = sakmha_exp_neg((s[i] - pat[i]) * scale);
        for (int r = 0; r < T; r++) {
            const float *row = s + (size_t)r * T;
#pragma omp simd
            for (int t = 0; t < T; t++) sum[t] += row[t];
        }
        for (int t = 0; t < T; t++) sum[t] = 1.0f / sum[t];
        sakmha_repeat(pat, sum, T);
#pragma omp simd
        for (size_t i = 0; i < tt; i++) s[i] *= pat[i];
        return;
    } else {
        for (int r = 0; r < span; r++) {
            int lo, hi, off;
            sakmha_row_in(r, T, W, band, &lo, &hi, &off);
            float *row = s + (size_t)r * T;
            /* Most rows of a short document's full attention cover it whole: no
             * calls for empty ranges. */
            for (int t = 0; t < lo; t++) row[t] = 0.0f;
            for (int t = hi; t < T; t++) row[t] = 0.0f;
#pragma omp simd
            for (int t = lo; t < hi; t++) {
                row[t] = sakmha_exp_neg((row[t] - mx[t]) * scale);
                sum[t] += row[t];
            }
        }
    }
    for (int t = 0; t < T; t++) sum[t] = 1.0f / sum[t]; /* >= 1: the largest score's term is exp(0) */
    for (int r = 0; r < span; r++) {
        int lo, hi, off;
        sakmha_row_in(r, T, W, band, &lo, &hi, &off);
        float *row = s + (size_t)r * T;
#pragma omp simd
        for (int t = lo; t < hi; t++) row[t] *= sum[t];
    }
}

/* dst[t] (+)= sum_{j<n} a_j[t] b_j[t] for t < T, a_j = a + j sa, b_j = b + j sb,
 * overwriting dst unless acc: four terms per pass, so dst is loaded and stored a
 * quarter as often. Every product of the band kernels has this form (strides of
 * a row, or of one key). n >= 1. */
SAKMHA_AVX2_CLONE static void sakmha_sum_products(float *dst, int acc, const float *a, ptrdiff_t sa, const float *b,
                                                  ptrdiff_t sb, int n, int T)
{
    int j = 0;
    for (; j + 4 <= n; j += 4, acc = 1) {
        const float *a0 = a + j * sa, *a1 = a0 + sa, *a2 = a1 + sa, *a3 = a2 + sa;
        const float *b0 = b + j * sb, *b1 = b0 + sb, *b2 = b1 + sb, *b3 = b2 + sb;
        if (acc) {
#pragma omp simd
            for (int t = 0; t < T; t++) dst[t] += a0[t] * b0[t] + a1[t] * b1[t] + a2[t] * b2[t] + a3[t] * b3[t];
        } else {
#pragma omp simd
            for (int t = 0; t < T; t++) dst[t] = a0[t] * b0[t] + a1[t] * b1[t] + a2[t] * b2[t] + a3[t] * b3[t];
        }
    }
    for (; j < n; j++, acc = 1) {
        const float *aj = a + j * sa, *bj = b + j * sb;
        if (acc) {
#pragma omp simd
            for (int t = 0; t < T; t++) dst[t] += aj[t] * bj[t];
        } else {
#pragma omp simd
            for (int t = 0; t < T; t++) dst[t] = aj[t] * bj[t];
        }
    }
}

size_t sakmha_work_floats(int T, int d, int W)
{
    /* band: q, k, v, do padded to [d,T+2W], one head's ds and p padded
     * [2W+1,T+2W], a row of per-query sums (the forward needs less); full: one
     * head's scores' gradient [T,T], a row of per-query sums repeated [T,T]
     * and three rows of per-query sums. Both parts always, so that the size for
     * T covers any shorter document, whose layout may be full where T's is a
     * band: then T'^2 <= T span. The full backward also uses 4 T dh <= 4 d T
     * floats, which the band part always holds. */
    const size_t Wb = W > 0 && W < T ? (size_t)W : 0, tp = (size_t)T + 2 * Wb;
    const size_t band = 4 * (size_t)d * tp + 2 * (2 * Wb + 1) * tp + (size_t)T;
    const size_t n = band + 2 * (size_t)T * sakmha_span(T, W) + 3 * (size_t)T, blocks = sakfull_work_floats(T);
    return n > blocks ? n : blocks;
}

/* The rows of src [d,T] copied to dst [d,T+2W] between W zero columns either
 * side, so that key t + off of any band row is in bounds (and 0 off the document). */
static void sakmha_pad(float *dst, const float *src, int T, int d, int W)
{
    const size_t tp = (size_t)T + 2 * (size_t)W;
    for (int c = 0; c < d; c++) {
        float *row = dst + c * tp;
        memset(row, 0, (size_t)W * sizeof *row);
        memcpy(row + W, src + (size_t)c * T, (size_t)T * sizeof *row);
        memset(row + W + T, 0, (size_t)W * sizeof *row);
    }
}

/* With a band, row r pairs query t with key t + r - W. In the padded rows of q, k,
 * v every product is elementwise along t: no reductions, no bounds. */
static void sakmha_band_forward(float *o, float *p, float *work, const float *q, const float *k, const float *v,
                                int T, int d, int H, int W)
{
    const int dh = d / H, span = 2 * W + 1;
    const float scale = 1.0f / sqrtf((float)dh);
    const ptrdiff_t tp = T + 2 * W, dtp = (ptrdiff_t)d * tp;
    float *qp = work + W, *kp = work + dtp + W, *vp = work + 2 * dtp + W, *mx = work + 3 * dtp, *sum = mx + T;
    sakmha_pad(qp - W, q, T, d, W);
    sakmha_pad(kp - W, k, T, d, W);
    sakmha_pad(vp - W, v, T, d, W);
    for (int h = 0; h < H; h++) {
        float *ph = p + (size_t)h * span * T;
        const ptrdiff_t c0 = (ptrdiff_t)h * dh * tp;
        for (int r = 0; r < span; r++) /* scores q_t . k_{t+r-W} */
            sakmha_sum_products(ph + (size_t)r * T, 0, qp + c0, tp, kp + c0 + r - W, tp, dh, T);
        sakmha_softmax_keys(ph, mx, sum, NULL, scale, T, W);
        for (int c = h * dh; c < (h + 1) * dh; c++) /* o_c[t] = sum_r p_r[t] v_c[t + r - W] */
            sakmha_sum_products(o + (size_t)c * T, 0, ph, T, vp + c * tp - W, 1, span, T);
    }
}

/* The whole document (or a window as wide): per head, scores k_h^T q_h and
 * o_h = v_h p_h as GEMMs. */
static void sakmha_full_forward(float *o, float *p, float *work, const float *q, const float *k, const float *v,
                                int T, int d, int H, int W)
{
    const int dh = d / H;
    float *mx = work, *sum = mx + T, *pat = sum + T; /* 2T + T^2 <= sakmha_work_floats */
    for (int h = 0; h < H; h++) {
        float *ph = p + (size_t)h * T * T;
        const size_t c0 = (size_t)h * dh * T;
        gemm_nn_set(ph, T, k + c0, 1, T, q + c0, T, T, T, dh); /* s[u,t] = k_u . q_t */
        sakmha_softmax_keys(ph, mx, sum, pat, 1.0f / sqrtf((float)dh), T, W);
        gemm_nn_set(o + c0, T, v + c0, T, 1, ph, T, dh, T, T); /* o[i,t] = sum_u v[i,u] p[u,t] */
    }
}

void sakmha_forward(float *o, float *p, float *work, const float *q, const float *k, const float *v, int T, int d,
                    int H, int W)
{
    if (T <= 0) return;
    if (sakmha_span(T, W) != T)
        sakmha_band_forward(o, p, work, q, k, v, T, d, H, W);
    else if ((W == 0 || W >= T - 1) && sakfull_takes(T, d / H))
        sakfull_forward(o, p, work, q, k, v, T, T, d, H);
    else
        sakmha_full_forward(o, p, work, q, k, v, T, d, H, W);
}

/* c[t] = do_t . o_t over head h's rows c0 .. c0+dh-1: sum_u p_tu g_tu. */
static void sakmha_pg(float *c, const float *dout, const float *o, int T, int c0, int dh)
{
    for (int t = 0; t < T; t++) c[t] = 0.0f;
    for (int i = c0; i < c0 + dh; i++) {
        const float *di = dout + (size_t)i * T, *oi = o + (size_t)i * T;
#pragma omp simd
        for (int t = 0; t < T; t++) c[t] += di[t] * oi[t];
    }
}

static void sakmha_band_backward(float *dq, float *dk, float *dv, float *work, const float *dout, const float *o,
                                 const float *p, const float *q, const float *k, const float *v, int T, int d,
                                 int H, int W)
{
    const int dh = d / H, span = 2 * W + 1;
    const float scale = 1.0f / sqrtf((float)dh);
    const ptrdiff_t tp = T + 2 * W, dtp = (ptrdiff_t)d * tp, stp = (ptrdiff_t)span * tp;
    float *qp = work + W, *kp = work + dtp + W, *vp = work + 2 * dtp + W, *dop = work + 3 * dtp + W;
    /* One head's ds and p, padded like q so that the key-side sums read them at t - off. */
    float *ds = work + 4 * dtp + W, *pp = ds + stp, *c = pp - W + stp;
    sakmha_pad(qp - W, q, T, d, W);
    sakmha_pad(kp - W, k, T, d, W);
    sakmha_pad(vp - W, v, T, d, W);
    sakmha_pad(dop - W, dout, T, d, W);
    for (int r = 0; r < 2 * span; r++) { /* the pads of ds and pp */
        memset(ds - W + r * tp, 0, (size_t)W * sizeof *ds);
        memset(ds + T + r * tp, 0, (size_t)W * sizeof *ds);
    }
    for (int h = 0; h < H; h++) {
        const float *ph = p + (size_t)h * span * T;
        const ptrdiff_t c0 = (ptrdiff_t)h * dh * tp;
        sakmha_pg(c, dout, o, T, h * dh, dh);
        for (int r = 0; r < span; r++) {
            /* ds_r[t] = p_r[t] (g_r[t] - c[t]) / sqrt(dh), g_r[t] = do_t . v_{t+r-W}; 0 where p is. */
            float *dsr = ds + r * tp;
            const float *pr = ph + (size_t)r * T;
            memcpy(pp + r * tp, pr, (size_t)T * sizeof *pp);
            sakmha_sum_products(dsr, 0, dop + c0, tp, vp + c0 + r - W, tp, dh, T);
#pragma omp simd
            for (int t = 0; t < T; t++) dsr[t] = pr[t] * (dsr[t] - c[t]) * scale;
        }
        for (int e = h * dh; e < (h + 1) * dh; e++) {
            const ptrdiff_t ce = (ptrdiff_t)e * tp;
            const size_t re = (size_t)e * T;
            /* dq_t += sum_r ds_r[t] k_{t+r-W}: row r, key t + r - W. */
            sakmha_sum_products(dq + re, 1, ds, tp, kp + ce - W, 1, span, T);
            /* dk_u += sum_r ds_r[u-r+W] q_{u-r+W}, dv_u += sum_r p_r[u-r+W] do_{u-r+W}: key u. */
            sakmha_sum_products(dk + re, 1, ds + W, tp - 1, qp + ce + W, -1, span, T);
            sakmha_sum_products(dv + re, 1, pp + W, tp - 1, dop + ce + W, -1, span, T);
        }
    }
}

/* With set, dq, dk and dv are written rather than added to. */
SAKMHA_AVX2_CLONE static void sakmha_full_backward(float *dq, float *dk, float *dv, float *work, const float *dout,
                                                   const float *o, const float *p, const float *q, const float *k,
                                                   const float *v, int T, int d, int H, int set)
{
    const int dh = d / H;
    const float scale = 1.0f / sqrtf((float)dh);
    const size_t tt = (size_t)T * T, th = (size_t)T * dh;
    /* The key-side sums run over t, along the rows of ds and p: as products with
     * the head's q and do transposed ([T,dh], small) rather than with ds and p
     * transposed (T^2 each, gemm_nt's way for short sums), into [T,dh] blocks
     * added back transposed. 2 T^2 + 3T + 4 T dh floats of work
     * (sakmha_work_floats). */
    float *ds = work, *c = ds + tt, *qt = c + 3 * (size_t)T, *dot = qt + th, *dkt = dot + th, *dvt = dkt + th;
    float *pat = dvt + th; /* c repeated a row of ds each (sakmha_softmax_keys) */
    for (int h = 0; h < H; h++) {
        const float *ph = p + (size_t)h * tt;
        const size_t c0 = (size_t)h * dh * T;
        sakmha_pg(c, dout, o, T, h * dh, dh);
        gemm_nn_set(ds, T, v + c0, 1, T, dout + c0, T, T, T, dh); /* g[u,t] = v_u . do_t */
        sakmha_repeat(pat, c, T);
#pragma omp simd
        for (size_t i = 0; i < tt; i++) ds[i] = ph[i] * (ds[i] - pat[i]) * scale;
        if (set) gemm_nn_set(dq + c0, T, k + c0, T, 1, ds, T, dh, T, T);
        else gemm_nn(dq + c0, T, k + c0, T, 1, ds, T, dh, T, T); /* dq[i,t] += sum_u k[i,u] ds[u,t] */
        gemm_transpose(qt, dh, q + c0, T, dh, T, 0);
        gemm_transpose(dot, dh, dout + c0, T, dh, T, 0);
        gemm_nn_set(dkt, dh, ds, T, 1, qt, dh, T, dh, T); /* dk[i,u] = sum_t ds[u,t] q[i,t] */
        gemm_nn_set(dvt, dh, ph, T, 1, dot, dh, T, dh, T); /* dv[i,u] = sum_t p[u,t] do[i,t] */
        if (set) {
            gemm_transpose(dk + c0, T, dkt, dh, T, dh, 0);
            gemm_transpose(dv + c0, T, dvt, dh, T, dh, 0);
        } else {
            gemm_transpose(dk + c0, T, dkt, dh, T, dh, 1);
            gemm_transpose(dv + c0, T, dvt, dh, T, dh, 1);
        }
    }
}

/* sakmha_backward, with dq, dk, dv written rather than added to when set: the
 * full part's products overwrite (the same bits as adding to zeros, gemm.h);
 * the band's add, onto zeros. */
void sakmha_backward_to(float *dq, float *dk, float *dv, float *work, const float *dout, const float *o,
                        const float *p, const float *q, const float *k, const float *v, int T, int d, int H, int W,
                        int set)
{
    if (T <= 0) return;
    if (sakmha_span(T, W) != T) {
        if (set) {
            const size_t bytes = (size_t)T * d * sizeof *dq;
            memset(dq, 0, bytes);
            memset(dk, 0, bytes);
            memset(dv, 0, bytes);
        }
        sakmha_band_backward(dq, dk, dv, work, dout, o, p, q, k, v, T, d, H, W);
    } else if ((W == 0 || W >= T - 1) && sakfull_takes(T, d / H)) {
        sakfull_backward(dq, dk, dv, work, dout, o, p, q, k, v, T, T, d, H, set);
    } else {
        sakmha_full_backward(dq, dk, dv, work, dout, o, p, q, k, v, T, d, H, set);
    }
}

void sakmha_backward(float *dq, float *dk, float *dv, float *work, const float *dout, const float *o,
                     const float *p, const float *q, const float *k, const float *v, int T, int d, int H, int W)
{
    sakmha_backward_to(dq, dk, dv, work, dout, o, p, q, k, v, T, d, H, W, 0);
}

void sakmha_forward_naive(float *o, float *p, const float *q, const float *k, const float *v, int T, int d, int H,
                          int W)
{
    const int dh = d / H;
    for (int h = 0; h < H; h++)
        for (int t = 0; t < T; t++) {
            float *row = p + ((size_t)h * T + t) * T, mx = -INFINITY, sum = 0.0f;
            for (int u = 0; u < T; u++) {
                float s = 0.0f;
                for (int i = h * dh; i < (h + 1) * dh; i++) s += q[(size_t)i * T + t] * k[(size_t)i * T + u];
                row[u] = W > 0 && abs(t - u) > W ? -INFINITY : s / sqrtf((float)dh);
                mx = row[u] > mx ? row[u] : mx;
            }
            for (int u = 0; u < T; u++) sum += row[u] = expf(row[u] - mx);
            for (int u = 0; u < T; u++) row[u] /= sum;
            for (int i = h * dh; i < (h + 1) * dh; i++) {
                float acc = 0.0f;
                for (int u = 0; u < T; u++) acc += row[u] * v[(size_t)i * T + u];
                o[(size_t)i * T + t] = acc;
            }
        }
}

void sakmha_backward_naive(float *dq, float *dk, float *dv, float *work, const float *dout, const float *p,
                           const float *q, const float *k, const float *v, int T, int d, int H)
{
    const int dh = d / H;
    const float scale = 1.0f / sqrtf((float)dh);
    float *g = work;
    for (int h = 0; h < H; h++)
        for (int t = 0; t < T; t++) {
            const float *row = p + ((size_t)h * T + t) * T;
            float pg = 0.0f;
            for (int u = 0; u < T; u++) {
                g[u] = 0.0f;
                for (int i = h * dh; i < (h + 1) * dh; i++) g[u] += dout[(size_t)i * T + t] * v[(size_t)i * T + u];
                pg += row[u] * g[u];
            }
            for (int u = 0; u < T; u++) {
                const float ds = row[u] * (g[u] - pg) * scale;
                for (int i = h * dh; i < (h + 1) * dh; i++) {
                    dq[(size_t)i * T + t] += ds * k[(size_t)i * T + u];
                    dk[(size_t)i * T + u] += ds * q[(size_t)i * T + t];
                    dv[(size_t)i * T + u] += row[u] * dout[(size_t)i * T + t];
                }
            }
        }
}
