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

/* gemm_nn's blocks in AVX registers on processors that have AVX2 (checked
 * once, gemm_nn): four rows by sixteen columns or eight rows by eight, and the
 * edges in the same kernels rather than in narrower ones. A last block of 1-15
 * columns loads under a mask (no read past its row); a last block of fewer rows
 * reads its missing rows as copies of its last and stores only its own. Short
 * documents make most
 * products edges (T of 10 is an 8-column block and an edge of 2), where the SSE
 * kernels spent as long on the edge as on the block. Every lane computes what
 * the SSE kernels' does, in the same order and without fused multiply-adds
 * (target "avx2" does not enable FMA; -std=c11 sets -ffp-contract=off), so the
 * bits do not depend on which kernel ran. With acc 0 the block is stored
 * without reading C: the same bits as adding to zeros (a sum from +0 is never
 * -0). */
#if defined(__GNUC__) && (defined(__x86_64__) || defined(__i386__))
#define GEMM_AVX 1
#include <immintrin.h>

#include "avxstore.h"

typedef float gemm_v8 __attribute__((vector_size(32)));
#define GEMM_AVX_INLINE static inline __attribute__((always_inline, target("avx2")))

/* The first n lanes of eight (1 <= n <= 8). */
GEMM_AVX_INLINE __m256i gemm_mask(int n)
{
    return _mm256_cmpgt_epi32(_mm256_set1_epi32(n), _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
}

GEMM_AVX_INLINE gemm_v8 gemm_ld8(const float *p, int part, __m256i mask)
{
    return (gemm_v8)(part ? _mm256_maskload_ps(p, mask) : _mm256_loadu_ps(p));
}

/* A partial row's n lanes (1-7) go out without a masked store (avxstore.h). */
GEMM_AVX_INLINE void gemm_st8(float *p, gemm_v8 v, int acc, int part, int n)
{
    if (acc) v += gemm_ld8(p, part, gemm_mask(n));
    avxstore_part(p, (__m256)v, part ? n : 8);
}

/* nv (1 or 2) registers a row, the last one under mask when part; rows of A at
 * A, A + o[1], A + o[2], A + o[3], of which the first `rows` are stored. */
GEMM_AVX_INLINE void gemm_avx_body(float *C, ptrdiff_t ldc, const float *A, const ptrdiff_t *o, ptrdiff_t ak,
                                   const float *B, ptrdiff_t ldb, int K, int rows, int acc, int nv, int part,
                                   int n)
{
    gemm_v8 c00 = {0}, c01 = {0}, c10 = {0}, c11 = {0}, c20 = {0}, c21 = {0}, c30 = {0}, c31 = {0};
    const ptrdiff_t o1 = o[1], o2 = o[2], o3 = o[3];
    const __m256i mask = gemm_mask(n);
    for (int k = 0; k < K; k++) {
        const float *a = A + k * ak, *b = B + k * ldb;
        const float a0 = a[0], a1 = a[o1], a2 = a[o2], a3 = a[o3];
        const gemm_v8 b0 = gemm_ld8(b, nv == 1 && part, mask);
        c00 += a0 * b0;
        c10 += a1 * b0;
        c20 += a2 * b0;
        c30 += a3 * b0;
        if (nv == 2) {
            const gemm_v8 b1 = gemm_ld8(b + 8, part, mask);
            c01 += a0 * b1;
            c11 += a1 * b1;
            c21 += a2 * b1;
            c31 += a3 * b1;
        }
    }
    const gemm_v8 r0[4] = {c00, c10, c20, c30}, r1[4] = {c01, c11, c21, c31};
    for (int r = 0; r < rows; r++) {
        float *c = C + r * ldc;
        if (nv == 1) {
            gemm_st8(c, r0[r], acc, part, n);
        } else {
            gemm_st8(c, r0[r], acc, 0, 8);
            gemm_st8(c + 8, r1[r], acc, part, n);
        }
    }
}

/* Eight rows of one register each: with one register a row, four rows give
 * only four chains of additions, and a product of short documents' sizes then
 * waits on the adds' latency. */
GEMM_AVX_INLINE void gemm_avx_body8(float *C, ptrdiff_t ldc, const float *A, const ptrdiff_t *o, ptrdiff_t ak,
                                    const float *B, ptrdiff_t ldb, int K, int rows, int acc, int part, int n)
{
    gemm_v8 c0 = {0}, c1 = {0}, c2 = {0}, c3 = {0}, c4 = {0}, c5 = {0}, c6 = {0}, c7 = {0};
    const ptrdiff_t o1 = o[1], o2 = o[2], o3 = o[3], o4 = o[4], o5 = o[5], o6 = o[6], o7 = o[7];
    const __m256i mask = gemm_mask(n);
    for (int k = 0; k < K; k++) {
        const float *a = A + k * ak;
        const gemm_v8 b = gemm_ld8(B + k * ldb, part, mask);
        c0 += a[0] * b;
        c1 += a[o1] * b;
        c2 += a[o2] * b;
        c3 += a[o3] * b;
        c4 += a[o4] * b;
        c5 += a[o5] * b;
        c6 += a[o6] * b;
        c7 += a[o7] * b;
    }
    const gemm_v8 r[8] = {c0, c1, c2, c3, c4, c5, c6, c7};
    for (int i = 0; i < rows; i++) gemm_st8(C + i * ldc, r[i], acc, part, n);
}

/* One column block (n columns at most 16, at most 8 with nv 1) of every row
 * block, each kernel instantiated for its register count and mask; with one
 * register a row, blocks of eight rows while more than four are left. */
#define GEMM_AVX_KERNEL(name, nv, part)                                                                            \
    __attribute__((target("avx2"))) static void name(float *C, ptrdiff_t ldc, const float *A, ptrdiff_t am,        \
                                                     ptrdiff_t ak, const float *B, ptrdiff_t ldb, int M, int K,     \
                                                     int acc, int n)                                                \
    {                                                                                                              \
        int m0 = 0;                                                                                                \
        if (nv == 1)                                                                                               \
            for (; M - m0 > 4; m0 += 8) {                                                                          \
                const int rows = M - m0 < 8 ? M - m0 : 8;                                                          \
                ptrdiff_t o[8];                                                                                    \
                for (int i = 0; i < 8; i++) o[i] = (i < rows ? i : rows - 1) * am;                                 \
                gemm_avx_body8(C + m0 * ldc, ldc, A + m0 * am, o, ak, B, ldb, K, rows, acc, part, n);              \
            }                                                                                                      \
        for (; m0 < M; m0 += 4) {                                                                                  \
            const int rows = M - m0 < 4 ? M - m0 : 4;                                                              \
            const ptrdiff_t o[4] = {0, (rows > 1 ? 1 : 0) * am, (rows > 2 ? 2 : rows - 1) * am,                    \
                                    (rows > 3 ? 3 : rows - 1) * am};                                               \
            gemm_avx_body(C + m0 * ldc, ldc, A + m0 * am, o, ak, B, ldb, K, rows, acc, nv, part, n);               \
        }                                                                                                          \
    }
GEMM_AVX_KERNEL(gemm_avx_16, 2, 0)
GEMM_AVX_KERNEL(gemm_avx_16p, 2, 1)
GEMM_AVX_KERNEL(gemm_avx_8, 1, 0)
GEMM_AVX_KERNEL(gemm_avx_8p, 1, 1)

/* C (+)= A B in the kernels above: add with acc, overwrite without. */
static void gemm_nn_avx(float *C, ptrdiff_t ldc, const float *A, ptrdiff_t am, ptrdiff_t ak, const float *B,
                        ptrdiff_t ldb, int M, int N, int K, int acc)
{
    int n0 = 0;
    for (; n0 + 16 <= N; n0 += 16) gemm_avx_16(C + n0, ldc, A, am, ak, B + n0, ldb, M, K, acc, 8);
    const int rest = N - n0;
    if (rest > 8) gemm_avx_16p(C + n0, ldc, A, am, ak, B + n0, ldb, M, K, acc, rest - 8);
    else if (rest == 8) gemm_avx_8(C + n0, ldc, A, am, ak, B + n0, ldb, M, K, acc, 8);
    else if (rest > 0) gemm_avx_8p(C + n0, ldc, A, am, ak, B + n0, ldb, M, K, acc, rest);
}

/* Whether the AVX kernels run: -1 until first asked; gemm_use_avx2 may turn them off. */
static int gemm_avx2 = -1; /* a race here only writes the same value twice */

static int gemm_has_avx2(void)
{
    if (gemm_avx2 < 0) gemm_avx2 = __builtin_cpu_supports("avx2") ? 1 : 0;
    return gemm_avx2;
}
#else
#define GEMM_AVX 0
#endif

int gemm_use_avx2(int on)
{
#if GEMM_AVX
    const int was = gemm_has_avx2();
    gemm_avx2 = on && __builtin_cpu_supports("avx2");
    return was;
#else
    (void)on;
    return 0;
#endif
}

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

/* The SSE kernels: C += A B. */
static void gemm_nn_sse(float *C, ptrdiff_t ldc, const float *A, ptrdiff_t am, ptrdiff_t ak, const float *B,
                        ptrdiff_t ldb, int M, int N, int K)
{
    int m0 = 0;
    for (; m0 + 4 <= M; m0 += 4) {
        float *c = C + m0 * ldc;
        const float *a = A + m0 * am;
        int n0 = 0;
        for (; n0 + 8 <= N; n0 += 8) gemm_4x8(c + n0, ldc, a, am, ak, B + n0, ldb, K);
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

void gemm_nn(float *C, ptrdiff_t ldc, const float *A, ptrdiff_t am, ptrdiff_t ak, const float *B, ptrdiff_t ldb,
             int M, int N, int K)
{
#if GEMM_AVX
    if (gemm_has_avx2()) {
        gemm_nn_avx(C, ldc, A, am, ak, B, ldb, M, N, K, 1);
        return;
    }
#endif
    gemm_nn_sse(C, ldc, A, am, ak, B, ldb, M, N, K);
}

void gemm_nn_set(float *C, ptrdiff_t ldc, const float *A, ptrdiff_t am, ptrdiff_t ak, const float *B,
                 ptrdiff_t ldb, int M, int N, int K)
{
#if GEMM_AVX
    if (gemm_has_avx2()) {
        gemm_nn_avx(C, ldc, A, am, ak, B, ldb, M, N, K, 0);
        return;
    }
#endif
    for (int m = 0; m < M; m++) memset(C + m * ldc, 0, (size_t)N * sizeof *C);
    gemm_nn_sse(C, ldc, A, am, ak, B, ldb, M, N, K);
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
 * cost more than the products when K is a short document's T, or a pack's of up
 * to 64 (selfattn.h; with 32, the dot products were 8% of SST-2's encoder runs).
 * Longer sums keep the dot products, which then need no copy. Either way an
 * element's sum depends only on K, not on where its block falls. */
enum { GEMM_NT_SHORT = 65, GEMM_NT_N = 16 };

/* Shuffles of two vectors (lane indices into their concatenation). */
#if defined(__clang__)
#define GEMM_SHUF(a, b, i, j, k, l) __builtin_shufflevector(a, b, i, j, k, l)
#else
typedef int gemm_m4 __attribute__((vector_size(16)));
#define GEMM_SHUF(a, b, i, j, k, l) __builtin_shuffle(a, b, (gemm_m4){i, j, k, l})
#endif

/* 4x4 blocks transposed in registers, the edges one at a time: one float at a
 * time, the layer's transposes were 8% of a short document's instructions.
 * Instantiated for add 0 and 1. */
GEMM_INLINE void gemm_transpose_body(float *dst, ptrdiff_t ldd, const float *src, ptrdiff_t lds, int rows, int cols,
                                     int add)
{
    int r = 0;
    for (; r + 4 <= rows; r += 4) {
        const float *s0 = src + r * lds, *s1 = s0 + lds, *s2 = s1 + lds, *s3 = s2 + lds;
        int c = 0;
        for (; c + 4 <= cols; c += 4) {
            const gemm_v4 r0 = gemm_ld(s0 + c), r1 = gemm_ld(s1 + c), r2 = gemm_ld(s2 + c), r3 = gemm_ld(s3 + c);
            const gemm_v4 t0 = GEMM_SHUF(r0, r1, 0, 4, 1, 5), t1 = GEMM_SHUF(r2, r3, 0, 4, 1, 5);
            const gemm_v4 t2 = GEMM_SHUF(r0, r1, 2, 6, 3, 7), t3 = GEMM_SHUF(r2, r3, 2, 6, 3, 7);
            const gemm_v4 o[4] = {GEMM_SHUF(t0, t1, 0, 1, 4, 5), GEMM_SHUF(t0, t1, 2, 3, 6, 7),
                                  GEMM_SHUF(t2, t3, 0, 1, 4, 5), GEMM_SHUF(t2, t3, 2, 3, 6, 7)};
            float *dp = dst + c * ldd + r;
            for (int j = 0; j < 4; j++, dp += ldd) gemm_st(dp, add ? gemm_ld(dp) + o[j] : o[j]);
        }
        for (float *dp = dst + c * ldd + r; c < cols; c++, dp += ldd) {
            const gemm_v4 v = {s0[c], s1[c], s2[c], s3[c]};
            gemm_st(dp, add ? gemm_ld(dp) + v : v);
        }
    }
    for (; r < rows; r++) {
        const float *sr = src + r * lds;
        float *dp = dst + r;
        for (int c = 0; c < cols; c++, dp += ldd) *dp = add ? *dp + sr[c] : sr[c];
    }
}

void gemm_transpose(float *dst, ptrdiff_t ldd, const float *src, ptrdiff_t lds, int rows, int cols, int add)
{
    if (add) gemm_transpose_body(dst, ldd, src, lds, rows, cols, 1);
    else gemm_transpose_body(dst, ldd, src, lds, rows, cols, 0);
}

static void gemm_nt_short(float *const *C, ptrdiff_t ldc, const float *const *A, ptrdiff_t lda, int count,
                          const float *B, ptrdiff_t ldb, int M, int N, int K)
{
    float panel[GEMM_NT_SHORT * GEMM_NT_N];
    for (int n0 = 0; n0 < N; n0 += GEMM_NT_N) {
        const int nc = N - n0 < GEMM_NT_N ? N - n0 : GEMM_NT_N;
        const float *b = B + n0 * ldb;
        gemm_transpose(panel, GEMM_NT_N, b, ldb, nc, K, 0); /* panel[k][j] = b[j][k] */
        for (int j = 0; j < count; j++) gemm_nn(C[j] + n0, ldc, A[j], lda, 1, panel, GEMM_NT_N, M, nc, K);
    }
}

void gemm_nt(float *C, ptrdiff_t ldc, const float *A, ptrdiff_t lda, const float *B, ptrdiff_t ldb, int M, int N,
             int K)
{
    if (K < GEMM_NT_SHORT) {
        gemm_nt_short(&C, ldc, &A, lda, 1, B, ldb, M, N, K);
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

void gemm_nt_shared(float *const *C, ptrdiff_t ldc, const float *const *A, ptrdiff_t lda, int count, const float *B,
                    ptrdiff_t ldb, int M, int N, int K)
{
    if (K < GEMM_NT_SHORT) {
        gemm_nt_short(C, ldc, A, lda, count, B, ldb, M, N, K);
        return;
    }
    for (int j = 0; j < count; j++) gemm_nt(C[j], ldc, A[j], lda, B, ldb, M, N, K);
}
