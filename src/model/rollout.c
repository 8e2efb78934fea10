/* rollout.c - see rollout.h. */
#include "rollout.h"

#include <string.h>

#include "sakernels.h"

void rollout_head_mean(float *A, const float *p, int T, int H, int W)
{
    const size_t n = (size_t)T * sakmha_span(T, W);
    memset(A, 0, n * sizeof *A);
    for (int h = 0; h < H; h++) {
        const float *ph = p + (size_t)h * n;
#pragma omp simd
        for (size_t i = 0; i < n; i++) A[i] += ph[i] / (float)H;
    }
}

/* c[t] = a / (0.5 sum_u A[t,u] + 0.5): row t's normaliser of 0.5 A + 0.5 I, times a[t]. */
static void rollout_norm(float *c, const float *a, const float *A, int T, int W)
{
    const int span = sakmha_span(T, W);
    for (int t = 0; t < T; t++) c[t] = 0.0f;
    for (int r = 0; r < span; r++) {
        const float *row = A + (size_t)r * T;
#pragma omp simd
        for (int t = 0; t < T; t++) c[t] += row[t]; /* entries outside the row's range are 0 */
    }
    for (int t = 0; t < T; t++) c[t] = a[t] / (0.5f * c[t] + 0.5f);
}

void rollout_matrix(float *R, float *work, const float *const *A, int L, int T, int W)
{
    const int span = sakmha_span(T, W), band = span != T;
    const size_t tt = (size_t)T * T;
    float *Rn = work, *c = work + tt, *half = c + T;
    memset(R, 0, tt * sizeof *R);
    for (int t = 0; t < T; t++) R[(size_t)t * T + t] = 1.0f, half[t] = 0.5f;
    for (int l = 0; l < L; l++) {
        /* Rn = Ah_l R: row t is c_t (0.5 R_t + 0.5 sum_u A[t,u] R_u). */
        rollout_norm(c, half, A[l], T, W);
        for (int t = 0; t < T; t++) {
            float *out = Rn + (size_t)t * T;
            const float *self = R + (size_t)t * T;
#pragma omp simd
            for (int u = 0; u < T; u++) out[u] = c[t] * self[u];
        }
        for (int r = 0; r < span; r++) {
            int lo, hi, off;
            sakmha_row(r, T, W, &lo, &hi, &off);
            const float *row = A[l] + (size_t)r * T;
            for (int t = lo; t < hi; t++) {
                const float a = c[t] * row[t], *src = R + (size_t)(band ? t + off : off) * T;
                float *out = Rn + (size_t)t * T;
#pragma omp simd
                for (int u = 0; u < T; u++) out[u] += a * src[u];
            }
        }
        memcpy(R, Rn, tt * sizeof *R);
    }
}

void rollout_weights(float *w, float *work, const float *alpha, const float *const *A, int L, int T, int W)
{
    const int span = sakmha_span(T, W), band = span != T;
    float *wn = work, *c = work + T;
    memcpy(w, alpha, (size_t)T * sizeof *w);
    for (int l = L - 1; l >= 0; l--) {
        /* wn = Ah_l^T w: each t hands 0.5 c_t w_t to itself and 0.5 c_t w_t A[t,u] to each key u. */
        rollout_norm(c, w, A[l], T, W);
        for (int t = 0; t < T; t++) wn[t] = c[t] *= 0.5f;
        for (int r = 0; r < span; r++) {
            int lo, hi, off;
            sakmha_row(r, T, W, &lo, &hi, &off);
            const float *row = A[l] + (size_t)r * T;
            if (band) {
                float *dst = wn + off;
#pragma omp simd
                for (int t = lo; t < hi; t++) dst[t] += c[t] * row[t];
            } else {
                float s = 0.0f;
                for (int t = lo; t < hi; t++) s += c[t] * row[t];
                wn[r] += s;
            }
        }
        memcpy(w, wn, (size_t)T * sizeof *w);
    }
}
