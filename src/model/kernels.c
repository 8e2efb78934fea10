/* kernels.c - see kernels.h for the formulas each function computes or
 * differentiates. Inner loops run over the contiguous dim so they vectorise. */
#include "kernels.h"

#include <math.h>
#include <string.h>

/* The per-token kernels below are each one body (NAME_d) compiled three times:
 * for d = 8, for d = 16 and for any d. With the dimension a constant the
 * compiler unrolls the loops over it, which at IMDB's dim 8 cost more than
 * their arithmetic (the specialised build trains IMDB on 15% less CPU). Every
 * loop keeps its order and its vector width, so each copy computes the bits of
 * the general one: IMDB (dim 8), SST-2 and the sample (dim 16, SST-2's with
 * context and gate) trained into byte-identical checkpoints with and without
 * the copies; tests/test_kernels.c gradient-checks them at both dims. */
#define KERNEL_BODY static inline __attribute__((always_inline))
#define KERNEL_BY_DIM(d, call)                                                                    \
    do {                                                                                          \
        if ((d) == 8) {                                                                           \
            enum { KD = 8 };                                                                      \
            call;                                                                                 \
        } else if ((d) == 16) {                                                                   \
            enum { KD = 16 };                                                                     \
            call;                                                                                 \
        } else {                                                                                  \
            const int KD = (d);                                                                   \
            call;                                                                                 \
        }                                                                                         \
    } while (0)

KERNEL_BODY float kernel_dot(const float *a, const float *b, int d)
{
    float s = 0.0f;
#pragma omp simd reduction(+ : s)
    for (int i = 0; i < d; i++) s += a[i] * b[i];
    return s;
}

/* y += a * x */
KERNEL_BODY void kernel_axpy(float *y, float a, const float *x, int d)
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

int kernel_bag_count(const int32_t *ids, int n)
{
    int P = 0;
    for (int i = 0; i < n; i++) P += ids[i] >= 0;
    return P;
}

KERNEL_BODY int kernel_gather_bags_d(float *dst, const float *table, const int32_t *ids, int n, int d)
{
    int p = -1, size = 0;
    for (int i = 0; i <= n; i++) {
        if (i == n || ids[i] >= 0) {
            /* The mean of the finished bag: one row needs no division (it keeps the bits). */
            if (size > 1) {
                float *out = dst + (size_t)p * d, inv = 1.0f / (float)size;
#pragma omp simd
                for (int e = 0; e < d; e++) out[e] *= inv;
            }
            if (i == n) break;
            p++;
            size = 1;
            if (i + 8 < n) __builtin_prefetch(table + (size_t)(ids[i + 8] < 0 ? ~ids[i + 8] : ids[i + 8]) * d);
            const float *src = table + (size_t)ids[i] * d;
            float *out = dst + (size_t)p * d;
#pragma omp simd
            for (int e = 0; e < d; e++) out[e] = src[e];
        } else {
            size++;
            const float *src = table + (size_t)~ids[i] * d;
            float *out = dst + (size_t)p * d;
#pragma omp simd
            for (int e = 0; e < d; e++) out[e] += src[e];
        }
    }
    return p + 1;
}

int kernel_gather_bags(float *dst, const float *table, const int32_t *ids, int n, int d)
{
    int r;
    KERNEL_BY_DIM(d, r = kernel_gather_bags_d(dst, table, ids, n, KD));
    return r;
}

KERNEL_BODY void kernel_scatter_bags_d(float *demb, const float *dx, const int32_t *ids, int n, int d)
{
    for (int i = 0, p = -1; i < n;) {
        int j = i + 1;
        while (j < n && ids[j] < 0) j++;
        p++;
        const float *g = dx + (size_t)p * d;
        const float scale = j - i > 1 ? 1.0f / (float)(j - i) : 1.0f;
        for (int k = i; k < j; k++) {
            float *out = demb + (size_t)k * d;
#pragma omp simd
            for (int e = 0; e < d; e++) out[e] = j - i > 1 ? g[e] * scale : g[e];
        }
        i = j;
    }
}

void kernel_scatter_bags(float *demb, const float *dx, const int32_t *ids, int n, int d)
{
    KERNEL_BY_DIM(d, kernel_scatter_bags_d(demb, dx, ids, n, KD));
}

void kernel_gather_rows(float *dst, const float *table, const int32_t *sid, int T, int d)
{
    for (int t = 0; t < T; t++) {
        if (t + 8 < T && sid[t + 8] >= 0) __builtin_prefetch(table + (size_t)sid[t + 8] * d);
        float *out = dst + (size_t)t * d;
        if (sid[t] < 0) {
            memset(out, 0, (size_t)d * sizeof *out);
            continue;
        }
        const float *src = table + (size_t)sid[t] * d;
#pragma omp simd
        for (int e = 0; e < d; e++) out[e] = src[e];
    }
}

void kernel_gather_i8(float *dst, const int8_t *q, const float *scale, const int32_t *sid, int T, int d)
{
    for (int t = 0; t < T; t++) {
        float *out = dst + (size_t)t * d;
        const int64_t k = sid[t];
        if (k < 0) {
            memset(out, 0, (size_t)d * sizeof *out);
            continue;
        }
        const int8_t *src = q + k * d;
        const float s = scale[k];
#pragma omp simd
        for (int e = 0; e < d; e++) out[e] = s * (float)src[e];
    }
}

/* A row's codes are a few bytes and its centroids sit in small codebooks that
 * stay in cache, so the gather is nsub short copies; the codes, scattered over
 * the rows like a float table's rows, are asked for early. */
void kernel_gather_pq(float *dst, const QuantPQMat *m, const int32_t *sid, int T)
{
    const QuantPQ *pq = &m->pq;
    const int d = pq->dim, ds = pq->dsub, ns = pq->nsub, ksub = pq->ksub, four = pq->bits == 4;
    const int pair = !four && ds == 2 && pq->lastdsub == 2;
    for (int t = 0; t < T; t++) {
        if (t + 8 < T && sid[t + 8] >= 0) {
            __builtin_prefetch(m->codes + (int64_t)sid[t + 8] * m->code_bytes);
            if (m->qnorm) __builtin_prefetch(m->norm_codes + sid[t + 8]);
        }
        float *out = dst + (size_t)t * d;
        const int64_t k = sid[t];
        if (k < 0) {
            memset(out, 0, (size_t)d * sizeof *out);
            continue;
        }
        const uint8_t *code = m->codes + k * m->code_bytes;
        if (pair) { /* 8-bit codes of 2 numbers each (the default): one 8-byte copy per code */
            for (int s = 0; s < ns; s++)
                memcpy(out + 2 * s, pq->centroids + (size_t)s * ksub * 2 + (size_t)code[s] * 2, 2 * sizeof *out);
        } else {
            for (int s = 0; s < ns; s++) {
                const int len = s == ns - 1 ? pq->lastdsub : ds;
                const int c = four ? (code[s >> 1] >> ((s & 1) * 4)) & 15 : code[s];
                const float *src = pq->centroids + (size_t)s * ksub * ds + (size_t)c * len;
                for (int j = 0; j < len; j++) out[s * ds + j] = src[j];
            }
        }
        if (m->qnorm) {
            const float nrm = m->npq.centroids[m->norm_codes[k]];
#pragma omp simd
            for (int e = 0; e < d; e++) out[e] = nrm * out[e];
        }
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
KERNEL_BODY void kernel_pool(float *z, const float *alpha, const float *x, int T, int d, int H)
{
    memset(z, 0, (size_t)H * d * sizeof *z);
    for (int t = 0; t < T; t++)
        for (int h = 0; h < H; h++)
            kernel_axpy(z + (size_t)h * d, alpha[(size_t)h * T + t], x + (size_t)t * d, d);
}

KERNEL_BODY void kernel_dot_attn_forward_d(float *alpha, float *z, const float *x, const float *xs,
                             const float *q, int T, int d, int H)
{
    const float scale = 1.0f / sqrtf((float)d);
    for (int t = 0; t < T; t++)
        for (int h = 0; h < H; h++)
            alpha[(size_t)h * T + t] = kernel_dot(q + (size_t)h * d, xs + (size_t)t * d, d) * scale;
    kernel_softmax_rows(alpha, H, T);
    kernel_pool(z, alpha, x, T, d, H);
}

void kernel_dot_attn_forward(float *alpha, float *z, const float *x, const float *xs,
                             const float *q, int T, int d, int H)
{
    KERNEL_BY_DIM(d, kernel_dot_attn_forward_d(alpha, z, x, xs, q, T, KD, H));
}

KERNEL_BODY void kernel_dot_attn_backward_d(float *dx, float *dxs, float *dq, const float *dz, const float *z,
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

void kernel_dot_attn_backward(float *dx, float *dxs, float *dq, const float *dz, const float *z,
                              const float *alpha, const float *x, const float *xs,
                              const float *q, int T, int d, int H)
{
    KERNEL_BY_DIM(d, kernel_dot_attn_backward_d(dx, dxs, dq, dz, z, alpha, x, xs, q, T, KD, H));
}

void kernel_context_sums(float *L, float *R, const float *x, int T, int d)
{
    if (T == 0) return;
    memset(L, 0, (size_t)d * sizeof *L);
    for (int t = 1; t < T; t++) {
        const float *prev = L + (size_t)(t - 1) * d, *xp = x + (size_t)(t - 1) * d;
        float *out = L + (size_t)t * d;
#pragma omp simd
        for (int i = 0; i < d; i++) out[i] = prev[i] + xp[i];
    }
    memset(R + (size_t)(T - 1) * d, 0, (size_t)d * sizeof *R);
    for (int t = T - 2; t >= 0; t--) {
        const float *next = R + (size_t)(t + 1) * d, *xn = x + (size_t)(t + 1) * d;
        float *out = R + (size_t)t * d;
#pragma omp simd
        for (int i = 0; i < d; i++) out[i] = next[i] + xn[i];
    }
}

void kernel_context_sums_backward(float *dx, const float *dL, const float *dR, int T, int d)
{
    /* Running sums of the output gradients: sum_{t>u} dL_t from the right,
     * sum_{t<u} dR_t from the left, 64 dimensions at a time so acc stays on the stack. */
    for (int i0 = 0; i0 < d; i0 += 64) {
        int n = d - i0 < 64 ? d - i0 : 64;
        float acc[64];
        memset(acc, 0, sizeof acc);
        for (int u = T - 1; u >= 0; u--) {
            float *o = dx + (size_t)u * d + i0;
            const float *g = dL + (size_t)u * d + i0;
            for (int i = 0; i < n; i++) {
                o[i] += acc[i];
                acc[i] += g[i];
            }
        }
        memset(acc, 0, sizeof acc);
        for (int u = 0; u < T; u++) {
            float *o = dx + (size_t)u * d + i0;
            const float *g = dR + (size_t)u * d + i0;
            for (int i = 0; i < n; i++) {
                o[i] += acc[i];
                acc[i] += g[i];
            }
        }
    }
}

/* tanh through one expf: glibc's tanhf was a fifth of SST-2 training time. */
KERNEL_BODY float kernel_tanh(float a)
{
    return 1.0f - 2.0f / (expf(2.0f * a) + 1.0f);
}

KERNEL_BODY void kernel_gate_forward_d(float *v, float *g, const float *x, const float *G, const float *c, int T, int d)
{
    for (int t = 0; t < T; t++) {
        const float *xt = x + (size_t)t * d, *prev = t > 0 ? x + (size_t)(t - 1) * d : NULL;
        float *gt = g + (size_t)t * d, *vt = v + (size_t)t * d;
        for (int i = 0; i < d; i++) gt[i] = kernel_tanh(c[i] + (prev ? kernel_dot(G + (size_t)i * d, prev, d) : 0.0f));
#pragma omp simd
        for (int i = 0; i < d; i++) vt[i] = xt[i] * (1.0f + gt[i]);
    }
}

void kernel_gate_forward(float *v, float *g, const float *x, const float *G, const float *c, int T, int d)
{
    KERNEL_BY_DIM(d, kernel_gate_forward_d(v, g, x, G, c, T, KD));
}

KERNEL_BODY void kernel_gate_backward_d(float *dx, float *dG, float *dc, const float *dv, const float *g, const float *x,
                          const float *G, int T, int d)
{
    for (int t = 0; t < T; t++) {
        const float *xt = x + (size_t)t * d, *gt = g + (size_t)t * d, *dvt = dv + (size_t)t * d;
        float *dxt = dx + (size_t)t * d;
#pragma omp simd
        for (int i = 0; i < d; i++) dxt[i] += dvt[i] * (1.0f + gt[i]);
        for (int i = 0; i < d; i++) {
            float da = dvt[i] * xt[i] * (1.0f - gt[i] * gt[i]);
            dc[i] += da;
            if (t == 0) continue; /* x_{-1} = 0: no weight or input gradient */
            kernel_axpy(dG + (size_t)i * d, da, x + (size_t)(t - 1) * d, d);
            kernel_axpy(dx + (size_t)(t - 1) * d, da, G + (size_t)i * d, d);
        }
    }
}

void kernel_gate_backward(float *dx, float *dG, float *dc, const float *dv, const float *g, const float *x,
                          const float *G, int T, int d)
{
    KERNEL_BY_DIM(d, kernel_gate_backward_d(dx, dG, dc, dv, g, x, G, T, KD));
}

KERNEL_BODY void kernel_ctx_attn_forward_d(float *alpha, float *z, const float *v, const float *xs, const float *L,
                             const float *R, const float *q, const float *qc, int T, int d, int H)
{
    const float scale = 1.0f / sqrtf((float)d);
    for (int t = 0; t < T; t++)
        for (int h = 0; h < H; h++) {
            float s = kernel_dot(q + (size_t)h * d, xs + (size_t)t * d, d);
            if (L)
                s += kernel_dot(qc + (size_t)h * d, L + (size_t)t * d, d) +
                     kernel_dot(qc + (size_t)(H + h) * d, R + (size_t)t * d, d);
            alpha[(size_t)h * T + t] = s * scale;
        }
    kernel_softmax_rows(alpha, H, T);
    kernel_pool(z, alpha, v, T, d, H);
}

void kernel_ctx_attn_forward(float *alpha, float *z, const float *v, const float *xs, const float *L,
                             const float *R, const float *q, const float *qc, int T, int d, int H)
{
    KERNEL_BY_DIM(d, kernel_ctx_attn_forward_d(alpha, z, v, xs, L, R, q, qc, T, KD, H));
}

KERNEL_BODY void kernel_ctx_attn_backward_d(float *dv, float *dxs, float *dL, float *dR, float *dq, float *dqc,
                              const float *dz, const float *z, const float *alpha, const float *v,
                              const float *xs, const float *L, const float *R, const float *q,
                              const float *qc, int T, int d, int H)
{
    const float scale = 1.0f / sqrtf((float)d);
    float c[64]; /* dz_h . z_h per head */
    for (int h = 0; h < H; h++) c[h] = kernel_dot(dz + (size_t)h * d, z + (size_t)h * d, d);
    for (int t = 0; t < T; t++) {
        const size_t td = (size_t)t * d;
        for (int h = 0; h < H; h++) {
            const float *dzh = dz + (size_t)h * d;
            float a = alpha[(size_t)h * T + t];
            float ds = a * (kernel_dot(dzh, v + td, d) - c[h]) * scale;
            kernel_axpy(dv + td, a, dzh, d);
            kernel_axpy(dxs + td, ds, q + (size_t)h * d, d);
            kernel_axpy(dq + (size_t)h * d, ds, xs + td, d);
            if (!L) continue;
            kernel_axpy(dL + td, ds, qc + (size_t)h * d, d);
            kernel_axpy(dqc + (size_t)h * d, ds, L + td, d);
            kernel_axpy(dR + td, ds, qc + (size_t)(H + h) * d, d);
            kernel_axpy(dqc + (size_t)(H + h) * d, ds, R + td, d);
        }
    }
}

void kernel_ctx_attn_backward(float *dv, float *dxs, float *dL, float *dR, float *dq, float *dqc,
                              const float *dz, const float *z, const float *alpha, const float *v,
                              const float *xs, const float *L, const float *R, const float *q,
                              const float *qc, int T, int d, int H)
{
    KERNEL_BY_DIM(d, kernel_ctx_attn_backward_d(dv, dxs, dL, dR, dq, dqc, dz, z, alpha, v, xs, L, R, q, qc, T, KD, H));
}

KERNEL_BODY void kernel_add_attn_forward_d(float *alpha, float *z, float *u, const float *x, const float *xs,
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

void kernel_add_attn_forward(float *alpha, float *z, float *u, const float *x, const float *xs,
                             const float *W, const float *b, const float *v, int T, int d, int H)
{
    KERNEL_BY_DIM(d, kernel_add_attn_forward_d(alpha, z, u, x, xs, W, b, v, T, KD, H));
}

KERNEL_BODY void kernel_add_attn_backward_d(float *dx, float *dxs, float *dW, float *db, float *dv, float *da,
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

void kernel_add_attn_backward(float *dx, float *dxs, float *dW, float *db, float *dv, float *da,
                              const float *dz, const float *z, const float *alpha, const float *u,
                              const float *x, const float *xs, const float *W, const float *v,
                              int T, int d, int H)
{
    KERNEL_BY_DIM(d, kernel_add_attn_backward_d(dx, dxs, dW, db, dv, da, dz, z, alpha, u, x, xs, W, v, T, KD, H));
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
