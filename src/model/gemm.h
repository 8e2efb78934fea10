/* gemm.h - dense matrix products for small dimensions: register-blocked (4x8
 * and 4x4 tiles of C in SSE registers, 4x16 and 4x8 in AVX registers where the
 * processor has AVX2, and at the edges tiles of fewer rows or columns, still in
 * vectors) in plain C with the GCC/Clang vector extension, no library. Every
 * kernel sums each element in the same order, without fused multiply-adds, so
 * the bits do not depend on the processor. Pure functions; C ACCUMULATES (+=) except in gemm_nn_set. Row-major with
 * explicit strides, so one kernel serves a matrix or its transpose. */
#ifndef ATTNCLF_GEMM_H
#define ATTNCLF_GEMM_H

#include <stddef.h>

/* C[m,n] += sum_k A[m*am + k*ak] B[k*ldb + n] for m < M, n < N, k < K: B's rows
 * contiguous in n, A read through two strides (am = lda, ak = 1 for A; am = 1,
 * ak = lda for A^T). C's rows are ldc apart. */
void gemm_nn(float *C, ptrdiff_t ldc, const float *A, ptrdiff_t am, ptrdiff_t ak, const float *B, ptrdiff_t ldb,
             int M, int N, int K);
/* The same with C = the product: C is written, never read, so it needs no
 * zeroing first; the same bits as gemm_nn onto zeros. */
void gemm_nn_set(float *C, ptrdiff_t ldc, const float *A, ptrdiff_t am, ptrdiff_t ak, const float *B,
                 ptrdiff_t ldb, int M, int N, int K);
/* C[m,n] += sum_k A[m*lda + k] B[n*ldb + k]: both operands contiguous in k
 * (C = A B^T, e.g. dW = dY X^T over tokens). For K < 32 B is transposed in
 * blocks on the stack and the products run as in gemm_nn. */
void gemm_nt(float *C, ptrdiff_t ldc, const float *A, ptrdiff_t lda, const float *B, ptrdiff_t ldb, int M, int N,
             int K);
/* C[j] += A[j] B^T for j < count, products that share B (dW_q, dW_k, dW_v over
 * one layer input): B is transposed once for all of them. Each C[j] gets the
 * bits gemm_nt gives it. */
void gemm_nt_shared(float *const *C, ptrdiff_t ldc, const float *const *A, ptrdiff_t lda, int count, const float *B,
                    ptrdiff_t ldb, int M, int N, int K);

/* dst[c*ldd + r] = src[r*lds + c] for r < rows, c < cols, or += with add. */
void gemm_transpose(float *dst, ptrdiff_t ldd, const float *src, ptrdiff_t lds, int rows, int cols, int add);

/* Tests: on 0 makes every product run in the SSE kernels, on 1 in the AVX ones
 * where the processor has AVX2; returns whether they ran before. Not for use
 * while other threads multiply. */
int gemm_use_avx2(int on);

#endif
