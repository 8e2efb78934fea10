/* avxstore.h - the first n of eight floats stored without a masked store, for
 * the AVX2 kernels' partial rows (gemm.c, sakfull.c). Masked stores are
 * microcoded on AMD processors (measured slower than SSE edges there), so a
 * partial row goes out as four, two and one lanes. Include only where
 * <immintrin.h> and AVX2 targets are available (x86 with GCC or Clang). */
#ifndef ATTNCLF_AVXSTORE_H
#define ATTNCLF_AVXSTORE_H

#include <immintrin.h>

/* p[0..n-1] = v's first n lanes (1 <= n <= 8). */
static inline __attribute__((always_inline, target("avx2"))) void avxstore_part(float *p, __m256 v, int n)
{
    if (n == 8) {
        _mm256_storeu_ps(p, v);
        return;
    }
    __m128 lo = _mm256_castps256_ps128(v);
    if (n >= 4) {
        _mm_storeu_ps(p, lo);
        lo = _mm256_extractf128_ps(v, 1);
        p += 4;
        n -= 4;
    }
    if (n >= 2) {
        _mm_storel_pi((__m64 *)p, lo);
        lo = _mm_movehl_ps(lo, lo);
        p += 2;
        n -= 2;
    }
    if (n) _mm_store_ss(p, lo);
}

#endif
