/* gemm.c - see gemm.h. */
#include "gemm.h"

#include <string.h>

/* GCC/Clang vector extension: four floats, one SSE register. The GEMM's 4x8
 * accumulator block must live in registers, and GCC 12 at -O2 spills a plain
 * float array of it to the stack (3x slower). Loads and stores go through
 * memcpy, so no alignment is assumed. */
typedef float gemm_v4 __attribute__((vector_size(16)));

static inline gemm_v4 gemm_ld(const float *p)
{
    gemm_v4 v;
    memcpy(&v, p, sizeof v);
    return v;
}

static inline void gemm_st(float *p, gemm_v4 v)
{
    memcpy(p, &v, sizeof v);
}

/* gemm_nn: every element sums its k in order 0..K-1 from zero and then adds to
 * C, in the register blocks and at the edges alike, so a result does not depend
 * on where a block falls. */
static void gemm_4x8(float *C, ptrdiff_t ldc, const float *A, ptrdiff_t am, ptrdiff_t ak, const float *B,
                     ptrdiff_t ldb, int K)
{
    gemm_v4 c00 = {0}, c01 = {0}, c10 = {0}, c11 = {0}, c20 = {0}, c21 = {0}, c30 = {0}, c31 = {0};
    for (int k = 0; k < K; k++) {
        const float *b = B + k * ldb, *a = A + k * ak;
        const gemm_v4 b0 = gemm_ld(b), b1 = gemm_ld(b + 4);
        const float a0 = a[0], a1 = a[am], a2 = a[2 * am], a3 = a[3 * am];
        c00 += a0 * b0;
        c01 += a0 * b1;
        c10 += a1 * b0;
        c11 += a1 * b1;
        c20 += a2 * b0;
        c21 += a2 * b1;
        c30 += a3 * b0;
        c31 += a3 * b1;
    }
    gemm_v4 acc[8] = {c00, c01, c10, c11, c20, c21, c30, c31};
    for (int r = 0; r < 4; r++) {
        float *c = C + r * ldc;
        gemm_st(c, gemm_ld(c) + acc[2 * r]);
        gemm_st(c + 4, gemm_ld(c + 4) + acc[2 * r + 1]);
    }
}

/* gemm_4x8 in AVX registers, one per row of the block, on processors that have
 * AVX2 (checked once, gemm_nn): half the instructions. Every lane computes what
 * the SSE kernel's does, in the same order and without fused multiply-adds, so
 * the bits do not depend on which kernel ran. */
#if defined(__GNUC__) && (defined(__x86_64__) || defined(__i386__))
#define GEMM_AVX 1
typedef float gemm_v8 __attribute__((vector_size(32)));

__attribute__((target("avx2"))) static void gemm_4x8_avx(float *C, ptrdiff_t ldc, const float *A, ptrdiff_t am,
                                                         ptrdiff_t ak, const float *B, ptrdiff_t ldb, int K)
{
    gemm_v8 c0 = {0}, c1 = {0}, c2 = {0}, c3 = {0};
    for (int k = 0; k < K; k++) {
        const float *a = A + k * ak;
        gemm_v8 b;
        memcpy(&b, B + k * ldb, sizeof b);
        c0 += a[0] * b;
        c1 += a[am] * b;
        c2 += a[2 * am] * b;
        c3 += a[3 * am] * b;
    }
    gemm_v8 acc[4] = {c0, c1, c2, c3};
    for (int r = 0; r < 4; r++) {
        gemm_v8 c;
        memcpy(&c, C + r * ldc, sizeof c);
        c += acc[r];
        memcpy(C + r * ldc, &c, sizeof c);
    }
}

/* Sixteen columns: two AVX registers a row. */
__attribute__((target("avx2"))) static void gemm_4x16_avx(float *C, ptrdiff_t ldc, const float *A, ptrdiff_t am,
                                                          ptrdiff_t ak, const float *B, ptrdiff_t ldb, int K)
{
    gemm_v8 c00 = {0}, c01 = {0}, c10 = {0}, c11 = {0}, c20 = {0}, c21 = {0}, c30 = {0}, c31 = {0};
    for (int k = 0; k < K; k++) {
        const float *a = A + k * ak, *bp = B + k * ldb;
        gemm_v8 b0, b1;
        memcpy(&b0, bp, sizeof b0);
        memcpy(&b1, bp + 8, sizeof b1);
        const float a0 = a[0], a1 = a[am], a2 = a[2 * am], a3 = a[3 * am];
        c00 += a0 * b0;
        c01 += a0 * b1;
        c10 += a1 * b0;
        c11 += a1 * b1;
        c20 += a2 * b0;
        c21 += a2 * b1;
        c30 += a3 * b0;
        c31 += a3 * b1;
    }
    gemm_v8 acc[8] = {c00, c01, c10, c11, c20, c21, c30, c31};
    for (int r = 0; r < 4; r++)
        for (int j = 0; j < 2; j++) {
            gemm_v8 c;
            memcpy(&c, C + r * ldc + 8 * j, sizeof c);
            c += acc[2 * r + j];
            memcpy(C + r * ldc + 8 * j, &c, sizeof c);
        }
}

static int gemm_has_avx2(void)
{
    static int has = -1; /* a race here only writes the same value twice */
    if (has < 0) has = __builtin_cpu_supports("avx2") ? 1 : 0;
    return has;
}
#else
#define GEMM_AVX 0
#endif

/* The same for four columns: heads of dh = 4. */
static void gemm_4x4(float *C, ptrdiff_t ldc, const float *A, ptrdiff_t am, ptrdiff_t ak, const float *B,
                     ptrdiff_t ldb, int K)
{
    gemm_v4 c0 = {0}, c1 = {0}, c2 = {0}, c3 = {0};
    for (int k = 0; k < K; k++) {
        const float *a = A + k * ak;
        const gemm_v4 b = gemm_ld(B + k * ldb);
        c0 += a[0] * b;
        c1 += a[am] * b;
        c2 += a[2 * am] * b;
        c3 += a[3 * am] * b;
    }
    gemm_v4 acc[4] = {c0, c1, c2, c3};
    for (int r = 0; r < 4; r++) gemm_st(C + r * ldc, gemm_ld(C + r * ldc) + acc[r]);
}

/* Columns n < r of a row, the rest 0: an edge of fewer than four columns still
 * goes through vector registers. The kernels below are instantiated for each r
 * (always inlined with a constant r), so that a partial load is one or two
 * moves. */
#define GEMM_INLINE static inline __attribute__((always_inline))

GEMM_INLINE gemm_v4 gemm_ld_part(const float *p, int r)
{
    /* Lane by lane: a memcpy of r floats into a vector goes through the stack
     * and stalls on store forwarding (measured 1.7x slower layers). */
    return r == 1 ? (gemm_v4){p[0], 0.0f, 0.0f, 0.0f}
         : r == 2 ? (gemm_v4){p[0], p[1], 0.0f, 0.0f}
                  : (gemm_v4){p[0], p[1], p[2], 0.0f};
}

GEMM_INLINE void gemm_add_part(float *c, gemm_v4 v, int r)
{
    for (int j = 0; j < r; j++) c[j] += v[j];
}

/* Four rows, r < 4 columns. */
GEMM_INLINE void gemm_4xr_body(float *C, ptrdiff_t ldc, const float *A, ptrdiff_t am, ptrdiff_t ak, const float *B,
                               ptrdiff_t ldb, int K, int r)
{
    gemm_v4 c0 = {0}, c1 = {0}, c2 = {0}, c3 = {0};
    for (int k = 0; k < K; k++) {
        const float *a = A + k * ak;
        const gemm_v4 b = gemm_ld_part(B + k * ldb, r);
        c0 += a[0] * b;
        c1 += a[am] * b;
        c2 += a[2 * am] * b;
        c3 += a[3 * am] * b;
    }
    gemm_add_part(C, c0, r);
    gemm_add_part(C + ldc, c1, r);
    gemm_add_part(C + 2 * ldc, c2, r);
    gemm_add_part(C + 3 * ldc, c3, r);
}

static void gemm_4xr(float *C, ptrdiff_t ldc, const float *A, ptrdiff_t am, ptrdiff_t ak, const float *B,
                     ptrdiff_t ldb, int K, int r)
{
    switch (r) {
    case 1: gemm_4xr_body(C, ldc, A, am, ak, B, ldb, K, 1); break;
    case 2: gemm_4xr_body(C, ldc, A, am, ak, B, ldb, K, 2); break;
    default: gemm_4xr_body(C, ldc, A, am, ak, B, ldb, K, 3); break;
    }
}

/* One row: eight, four or r < 4 columns. */
static void gemm_1x8(float *C, const float *A, ptrdiff_t ak, const float *B, ptrdiff_t ldb, int K)
{
    gemm_v4 c0 = {0}, c1 = {0};
    for (int k = 0; k < K; k++) {
        const float a = A[k * ak], *b = B + k * ldb;
        c0 += a * gemm_ld(b);
        c1 += a * gemm_ld(b + 4);
    }
    gemm_st(C, gemm_ld(C) + c0);
    gemm_st(C + 4, gemm_ld(C + 4) + c1);
}

static void gemm_1x4(float *C, const float *A, ptrdiff_t ak, const float *B, ptrdiff_t ldb, int K)
{
    gemm_v4 c0 = {0};
    for (int k = 0; k < K; k++) c0 += A[k * ak] * gemm_ld(B + k * ldb);
    gemm_st(C, gemm_ld(C) + c0);
}

GEMM_INLINE void gemm_1xr_body(float *C, const float *A, ptrdiff_t ak, const float *B, ptrdiff_t ldb, int K, int r)
{
    gemm_v4 c0 = {0};
    for (int k = 0; k < K; k++) c0 += A[k * ak] * gemm_ld_part(B + k * ldb, r);
    gemm_add_part(C, c0, r);
}

static void gemm_1xr(float *C, const float *A, ptrdiff_t ak, const float *B, ptrdiff_t ldb, int K, int r)
{
    switch (r) {
    case 1: gemm_1xr_body(C, A, ak, B, ldb, K, 1); break;
    case 2: gemm_1xr_body(C, A, ak, B, ldb, K, 2); break;
    default: gemm_1xr_body(C, A, ak, B, ldb, K, 3); break;
    }
}

void gemm_nn(float *C, ptrdiff_t ldc, const float *A, ptrdiff_t am, ptrdiff_t ak, const float *B, ptrdiff_t ldb,
             int M, int N, int K)
{
    int m0 = 0;
#if GEMM_AVX
    void (*const k4x8)(float *, ptrdiff_t, const float *, ptrdiff_t, ptrdiff_t, const float *, ptrdiff_t, int) =
        gemm_has_avx2() ? gemm_4x8_avx : gemm_4x8;
#else
    void (*const k4x8)(float *, ptrdiff_t, const float *, ptrdiff_t, ptrdiff_t, const float *, ptrdiff_t, int) =
        gemm_4x8;
#endif
    for (; m0 + 4 <= M; m0 += 4) {
        float *c = C + m0 * ldc;
        const float *a = A + m0 * am;
        int n0 = 0;
#if GEMM_AVX
        if (k4x8 != gemm_4x8)
            for (; n0 + 16 <= N; n0 += 16) gemm_4x16_avx(c + n0, ldc, a, am, ak, B + n0, ldb, K);
#endif
        for (; n0 + 8 <= N; n0 += 8) k4x8(c + n0, ldc, a, am, ak, B + n0, ldb, K);
        for (; n0 + 4 <= N; n0 += 4) gemm_4x4(c + n0, ldc, a, am, ak, B + n0, ldb, K);
        if (n0 < N) gemm_4xr(c + n0, ldc, a, am, ak, B + n0, ldb, K, N - n0);
    }
    for (; m0 < M; m0++) {
        float *c = C + m0 * ldc;
        const float *a = A + m0 * am;
        int n0 = 0;
        for (; n0 + 8 <= N; n0 += 8) gemm_1x8(c + n0, a, ak, B + n0, ldb, K);
        for (; n0 + 4 <= N; n0 += 4) gemm_1x4(c + n0, a, ak, B + n0, ldb, K);
        if (n0 < N) gemm_1xr(c + n0, a, ak, B + n0, ldb, K, N - n0);
    }
}

/* gemm_nt: each element sums its k in four interleaved lanes, adds them up in
 * lane order and then the tail in order, in the 2x4 block and at the edges alike. */
static float gemm_hsum(gemm_v4 v)
{
    return ((v[0] + v[1]) + v[2]) + v[3];
}

static float gemm_dot_nt(const float *a, const float *b, int K)
{
    gemm_v4 acc = {0};
    int k = 0;
    for (; k + 4 <= K; k += 4) acc += gemm_ld(a + k) * gemm_ld(b + k);
    float s = gemm_hsum(acc);
    for (; k < K; k++) s += a[k] * b[k];
    return s;
}

static void gemm_nt_2x4(float *C, ptrdiff_t ldc, const float *A, ptrdiff_t lda, const float *B, ptrdiff_t ldb,
                        int K)
{
    gemm_v4 c00 = {0}, c01 = {0}, c02 = {0}, c03 = {0}, c10 = {0}, c11 = {0}, c12 = {0}, c13 = {0};
    const float *a1 = A + lda, *b1 = B + ldb, *b2 = B + 2 * ldb, *b3 = B + 3 * ldb;
    int k = 0;
    for (; k + 4 <= K; k += 4) {
        const gemm_v4 x0 = gemm_ld(A + k), x1 = gemm_ld(a1 + k);
        const gemm_v4 y0 = gemm_ld(B + k), y1 = gemm_ld(b1 + k), y2 = gemm_ld(b2 + k), y3 = gemm_ld(b3 + k);
        c00 += x0 * y0;
        c01 += x0 * y1;
        c02 += x0 * y2;
        c03 += x0 * y3;
        c10 += x1 * y0;
        c11 += x1 * y1;
        c12 += x1 * y2;
        c13 += x1 * y3;
    }
    float s[8] = {gemm_hsum(c00), gemm_hsum(c01), gemm_hsum(c02), gemm_hsum(c03),
                  gemm_hsum(c10), gemm_hsum(c11), gemm_hsum(c12), gemm_hsum(c13)};
    for (; k < K; k++)
        for (int m = 0; m < 2; m++)
            for (int n = 0; n < 4; n++) s[4 * m + n] += A[m * lda + k] * B[n * ldb + k];
    for (int m = 0; m < 2; m++)
        for (int n = 0; n < 4; n++) C[m * ldc + n] += s[4 * m + n];
}

/* Below GEMM_NT_SHORT terms, gemm_nt runs as gemm_nn on B^T: B's rows are copied
 * transposed into a panel on the stack (GEMM_NT_N columns at a time), k-major
 * like a gemm_nn operand, so that the products run in vector registers along n
 * instead of as dot products along k, whose horizontal sums and scalar tails
 * cost more than the products when K is a short document's T. Longer sums keep
 * the dot products, which then need no copy. Either way an element's sum
 * depends only on K, not on where its block falls. */
enum { GEMM_NT_SHORT = 32, GEMM_NT_N = 16 };

static void gemm_nt_short(float *C, ptrdiff_t ldc, const float *A, ptrdiff_t lda, const float *B, ptrdiff_t ldb,
                          int M, int N, int K)
{
    float panel[GEMM_NT_SHORT * GEMM_NT_N];
    for (int n0 = 0; n0 < N; n0 += GEMM_NT_N) {
        const int nc = N - n0 < GEMM_NT_N ? N - n0 : GEMM_NT_N;
        const float *b = B + n0 * ldb;
        for (int k = 0; k < K; k++)
            for (int j = 0; j < nc; j++) panel[k * GEMM_NT_N + j] = b[j * ldb + k];
        gemm_nn(C + n0, ldc, A, lda, 1, panel, GEMM_NT_N, M, nc, K);
    }
}

void gemm_nt(float *C, ptrdiff_t ldc, const float *A, ptrdiff_t lda, const float *B, ptrdiff_t ldb, int M, int N,
             int K)
{
    if (K < GEMM_NT_SHORT) {
        gemm_nt_short(C, ldc, A, lda, B, ldb, M, N, K);
        return;
    }
    int m0 = 0;
    for (; m0 + 2 <= M; m0 += 2) {
        int n0 = 0;
        for (; n0 + 4 <= N; n0 += 4) gemm_nt_2x4(C + m0 * ldc + n0, ldc, A + m0 * lda, lda, B + n0 * ldb, ldb, K);
        for (; n0 < N; n0++)
            for (int m = m0; m < m0 + 2; m++) C[m * ldc + n0] += gemm_dot_nt(A + m * lda, B + n0 * ldb, K);
    }
    for (; m0 < M; m0++)
        for (int n = 0; n < N; n++) C[m0 * ldc + n] += gemm_dot_nt(A + m0 * lda, B + n * ldb, K);
}
