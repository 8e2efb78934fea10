/* kernels.c - see kernels.h for the formulas each function computes or
 * differentiates. Inner loops run over the contiguous dim so they vectorise. */
#include "kernels.h"

#include <math.h>
#include <string.h>

static float kernel_dot(const float *a, const float *b, int d)
{
    float s = 0.0f;
#pragma omp simd reduction(+ : s)
    for (int i = 0; i < d; i++) s += a[i] * b[i];
    return s;
}

/* y += a * x */
static void kernel_axpy(float *y, float a, const float *x, int d)
{
#pragma omp simd
    for (int i = 0; i < d; i++) y[i] += a * x[i];
}

void kernel_gather(float *dst, const float *table, const int32_t *ids, int T, int d)
{
    for (int t = 0; t < T; t++) {
        /* Rows are scattered over a large table: ask for the ones ahead early. */
        if (t + 8 < T) __builtin_prefetch(table + (size_t)ids[t + 8] * d);
        const float *src = table + (size_t)ids[t] * d;
        float *out = dst + (size_t)t * d;
#pragma omp simd
        for (int e = 0; e < d; e++) out[e] = src[e];
    }
}

void kernel_posenc(float *pe, int T, int d)
{
    for (int t = 0; t < T; t++) {
        for (int i = 0; i < d; i += 2) {
            double freq = pow(10000.0, -(double)i / d);
            pe[(size_t)t * d + i] = (float)sin(t * freq);
            if (i + 1 < d) pe[(size_t)t * d + i + 1] = (float)cos(t * freq);
        }
    }
}

void kernel_softmax_rows(float *s, int H, int T)
{
    for (int h = 0; h < H; h++) {
        float *row = s + (size_t)h * T;
        float mx = -INFINITY, sum = 0.0f;
        for (int t = 0; t < T; t++) mx = row[t] > mx ? row[t] : mx;
        for (int t = 0; t < T; t++) {
            row[t] = expf(row[t] - mx);
            sum += row[t];
        }
        float inv = 1.0f / sum;
        for (int t = 0; t < T; t++) row[t] *= inv;
    }
}

/* z_h = sum_t alpha_ht x_t */
static void kernel_pool(float *z, const float *alpha, const float *x, int T, int d, int H)
{
    memset(z, 0, (size_t)H * d * sizeof *z);
    for (int t = 0; t < T; t++)
        for (int h = 0; h < H; h++)
            kernel_axpy(z + (size_t)h * d, alpha[(size_t)h * T + t], x + (size_t)t * d, d);
}

void kernel_dot_attn_forward(float *alpha, float *z, const float *x, const float *xs,
                             const float *q, int T, int d, int H)
{
    const float scale = 1.0f / sqrtf((float)d);
    for (int t = 0; t < T; t++)
        for (int h = 0; h < H; h++)
            alpha[(size_t)h * T + t] = kernel_dot(q + (size_t)h * d, xs + (size_t)t * d, d) * scale;
    kernel_softmax_rows(alpha, H, T);
    kernel_pool(z, alpha, x, T, d, H);
}

void kernel_dot_attn_backward(float *dx, float *dxs, float *dq, const float *dz, const float *z,
                              const float *alpha, const float *x, const float *xs,
                              const float *q, int T, int d, int H)
{
    const float scale = 1.0f / sqrtf((float)d);
    float c[64]; /* dz_h . z_h per head; heads <= 64 is enforced by config_validate */
    for (int h = 0; h < H; h++) c[h] = kernel_dot(dz + (size_t)h * d, z + (size_t)h * d, d);
    for (int t = 0; t < T; t++) {
        const float *xt = x + (size_t)t * d, *xst = xs + (size_t)t * d;
        for (int h = 0; h < H; h++) {
            const float *dzh = dz + (size_t)h * d;
            float a = alpha[(size_t)h * T + t];
            float ds = a * (kernel_dot(dzh, xt, d) - c[h]) * scale;
            kernel_axpy(dx + (size_t)t * d, a, dzh, d);
            kernel_axpy(dxs + (size_t)t * d, ds, q + (size_t)h * d, d);
            kernel_axpy(dq + (size_t)h * d, ds, xst, d);
        }
    }
}

void kernel_add_attn_forward(float *alpha, float *z, float *u, const float *x, const float *xs,
                             const float *W, const float *b, const float *v, int T, int d, int H)
{
    for (int t = 0; t < T; t++) {
        float *ut = u + (size_t)t * d;
        const float *xst = xs + (size_t)t * d;
        for (int i = 0; i < d; i++) ut[i] = tanhf(kernel_dot(W + (size_t)i * d, xst, d) + b[i]);
        for (int h = 0; h < H; h++) alpha[(size_t)h * T + t] = kernel_dot(v + (size_t)h * d, ut, d);
    }
    kernel_softmax_rows(alpha, H, T);
    kernel_pool(z, alpha, x, T, d, H);
}

void kernel_add_attn_backward(float *dx, float *dxs, float *dW, float *db, float *dv, float *da,
                              const float *dz, const float *z, const float *alpha, const float *u,
                              const float *x, const float *xs, const float *W, const float *v,
                              int T, int d, int H)
{
    float c[64]; /* dz_h . z_h per head */
    for (int h = 0; h < H; h++) c[h] = kernel_dot(dz + (size_t)h * d, z + (size_t)h * d, d);
    for (int t = 0; t < T; t++) {
        const float *xt = x + (size_t)t * d, *xst = xs + (size_t)t * d, *ut = u + (size_t)t * d;
        float *dat = da + (size_t)t * d;
        memset(dat, 0, (size_t)d * sizeof *dat);
        for (int h = 0; h < H; h++) {
            const float *dzh = dz + (size_t)h * d;
            float a = alpha[(size_t)h * T + t];
            float ds = a * (kernel_dot(dzh, xt, d) - c[h]);
            kernel_axpy(dx + (size_t)t * d, a, dzh, d);
            kernel_axpy(dat, ds, v + (size_t)h * d, d); /* du_t */
            kernel_axpy(dv + (size_t)h * d, ds, ut, d);
        }
        for (int i = 0; i < d; i++) dat[i] *= 1.0f - ut[i] * ut[i];
        for (int i = 0; i < d; i++) {
            db[i] += dat[i];
            kernel_axpy(dW + (size_t)i * d, dat[i], xst, d);
            kernel_axpy(dxs + (size_t)t * d, dat[i], W + (size_t)i * d, d);
        }
    }
}

void kernel_linear_forward(float *out, const float *in, const float *W, const float *b, int C, int K)
{
    for (int c = 0; c < C; c++) out[c] = b[c] + kernel_dot(W + (size_t)c * K, in, K);
}

void kernel_linear_backward(float *din, float *dW, float *db, const float *dout, const float *in,
                            const float *W, int C, int K)
{
    for (int c = 0; c < C; c++) {
        db[c] += dout[c];
        kernel_axpy(dW + (size_t)c * K, dout[c], in, K);
        if (din) kernel_axpy(din, dout[c], W + (size_t)c * K, K);
    }
}

float kernel_softmax_xent_forward(float *probs, const float *logits, int C, int y)
{
    float mx = -INFINITY, sum = 0.0f;
    for (int c = 0; c < C; c++) mx = logits[c] > mx ? logits[c] : mx;
    for (int c = 0; c < C; c++) {
        probs[c] = expf(logits[c] - mx);
        sum += probs[c];
    }
    for (int c = 0; c < C; c++) probs[c] /= sum;
    /* -log softmax_y = log sum_c exp(l_c - max) + max - l_y: exact even when
     * probs[y] underflows, and infinite or NaN only when the logits are. */
    return y < 0 ? 0.0f : logf(sum) + mx - logits[y];
}

void kernel_softmax_xent_backward(float *dlogits, const float *probs, int C, int y, float scale)
{
    for (int c = 0; c < C; c++) dlogits[c] = scale * (probs[c] - (c == y ? 1.0f : 0.0f));
}
