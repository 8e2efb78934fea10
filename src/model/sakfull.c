/* sakfull.c - see sakfull.h. One head at a time; a block is eight queries
 * (forward, and the query side of the backward) or eight keys (the key side),
 * one per lane, the last block under a mask. Activations are feature-major
 * [d,T] as in sakmha.c, so a head's row of q, k, v or do over a block is one
 * load, and a key's (or query's) feature is one broadcast. */
#include "sakfull.h"

#include <math.h>
#include <stdint.h>
#include <string.h>

/* Rows of the backward's padded [T8,T8] blocks, T8 = T rounded up to 8. */
static int sakfull_pad(int T)
{
    return (T + 7) & ~7;
}

size_t sakfull_work_floats(int T)
{
    const size_t t8 = (size_t)sakfull_pad(T < SAKFULL_MAX_T ? T : SAKFULL_MAX_T);
    return 8 * t8 + 4 * t8 * t8; /* the forward's scores [T8,8]; the backward's ds, p and their transposes */
}

#if defined(__GNUC__) && (defined(__x86_64__) || defined(__i386__))
#include <immintrin.h>

#include "avxstore.h"

typedef float sf_v8 __attribute__((vector_size(32)));
#define SF_INLINE static inline __attribute__((always_inline, target("avx2")))
#define SF_AVX2 __attribute__((target("avx2")))

/* -1 until first asked; sakfull_use may turn it off. A race only writes the same value twice. */
static int sakfull_on = -1;

static int sakfull_avx2(void)
{
    if (sakfull_on < 0) sakfull_on = __builtin_cpu_supports("avx2") ? 1 : 0;
    return sakfull_on;
}

int sakfull_use(int on)
{
    const int was = sakfull_avx2();
    sakfull_on = on && __builtin_cpu_supports("avx2");
    return was;
}

int sakfull_takes(int T, int dh)
{
    return T >= 1 && T <= SAKFULL_MAX_T && (dh == 2 || dh == 4 || dh == 8) && sakfull_avx2();
}

SF_INLINE sf_v8 sf_bc(float x)
{
    return (sf_v8)_mm256_set1_ps(x);
}

/* The first n lanes of eight. */
SF_INLINE __m256i sf_mask(int n)
{
    return _mm256_cmpgt_epi32(_mm256_set1_epi32(n), _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
}

/* n < 8 lanes load under the mask (0 elsewhere, never read past a row's end). */
SF_INLINE sf_v8 sf_ld(const float *p, int n, __m256i m)
{
    return (sf_v8)(n < 8 ? _mm256_maskload_ps(p, m) : _mm256_loadu_ps(p));
}

/* n < 8 lanes go out without a masked store (avxstore.h): short documents make
 * most stores partial. */
SF_INLINE void sf_st(float *p, sf_v8 v, int n)
{
    avxstore_part(p, (__m256)v, n);
}

SF_INLINE sf_v8 sf_ldu(const float *p)
{
    return (sf_v8)_mm256_loadu_ps(p);
}

SF_INLINE void sf_stu(float *p, sf_v8 v)
{
    _mm256_storeu_ps(p, (__m256)v);
}

/* sakmha_exp_neg in eight lanes, operation for operation (sakmha.c gives the
 * method and its error): the same bits. The clamp at -87 is an unsigned min of
 * the bits, the rounding of n an addition of 1.5 * 2^23, and n is integral, so
 * truncating it to an integer is exact. */
SF_INLINE sf_v8 sf_exp_neg(sf_v8 x)
{
    const __m256i u = _mm256_min_epu32(_mm256_castps_si256((__m256)x), _mm256_set1_epi32((int)0xC2AE0000u));
    x = (sf_v8)_mm256_castsi256_ps(u);
    sf_v8 n = x * sf_bc(1.44269504088896341f) + sf_bc(12582912.0f);
    n -= sf_bc(12582912.0f);
    sf_v8 r = x - n * sf_bc(0.693359375f);
    r = r + n * sf_bc(2.12194440e-4f);
    sf_v8 p = sf_bc(1.9875691500e-4f);
    p = p * r + sf_bc(1.3981999507e-3f);
    p = p * r + sf_bc(8.3334519073e-3f);
    p = p * r + sf_bc(4.1665795894e-2f);
    p = p * r + sf_bc(1.6666665459e-1f);
    p = p * r + sf_bc(5.0000001201e-1f);
    p = p * r * r + r + sf_bc(1.0f);
    const __m256i e = _mm256_add_epi32(_mm256_cvttps_epi32((__m256)n), _mm256_set1_epi32(127));
    return p * (sf_v8)_mm256_castsi256_ps(_mm256_slli_epi32(e, 23));
}

/* Queries t0 .. t0+n-1 of one head (q, k, v, o at its first row, p at its
 * block): s_u = sum_i k[i,u] q_i (sakmha's gemm_nn_set of k^T q), kept in es
 * [T,8]; the softmax over u against the lanes' maxima (sakmha_softmax_keys);
 * then p's columns and o_i = sum_u v[i,u] p_u (the gemm_nn_set of v p). */
SF_INLINE void sf_fwd_block(float *o, float *p, float *es, const float *q, const float *k, const float *v, int T,
                            int ld, int t0, int n, const int dh, float scale)
{
    const __m256i m = sf_mask(n);
    sf_v8 qv[8], mx = sf_bc(-INFINITY), sum = {0}, acc[8];
#pragma GCC unroll 8
    for (int i = 0; i < dh; i++) qv[i] = sf_ld(q + (size_t)i * ld + t0, n, m), acc[i] = (sf_v8){0};
    for (int u = 0; u < T; u++) {
        sf_v8 s = {0};
#pragma GCC unroll 8
        for (int i = 0; i < dh; i++) s += sf_bc(k[(size_t)i * ld + u]) * qv[i];
        sf_stu(es + 8 * u, s);
        mx = (sf_v8)_mm256_max_ps((__m256)s, (__m256)mx); /* s > mx ? s : mx, as sakmha's loop */
    }
    const sf_v8 sc = sf_bc(scale);
    for (int u = 0; u < T; u++) {
        const sf_v8 e = sf_exp_neg((sf_ldu(es + 8 * u) - mx) * sc);
        sf_stu(es + 8 * u, e);
        sum += e;
    }
    const sf_v8 rs = sf_bc(1.0f) / sum;
    for (int u = 0; u < T; u++) {
        const sf_v8 pu = sf_ldu(es + 8 * u) * rs;
        sf_st(p + (size_t)u * T + t0, pu, n);
#pragma GCC unroll 8
        for (int i = 0; i < dh; i++) acc[i] += sf_bc(v[(size_t)i * ld + u]) * pu;
    }
#pragma GCC unroll 8
    for (int i = 0; i < dh; i++) sf_st(o + (size_t)i * ld + t0, acc[i], n);
}

SF_INLINE void sf_forward(float *o, float *p, float *work, const float *q, const float *k, const float *v, int T,
                          int ld, int H, const int dh)
{
    const float scale = 1.0f / sqrtf((float)dh);
    for (int h = 0; h < H; h++) {
        const size_t c0 = (size_t)h * dh * ld;
        for (int t0 = 0; t0 < T; t0 += 8)
            sf_fwd_block(o + c0, p + (size_t)h * T * T, work, q + c0, k + c0, v + c0, T, ld, t0,
                         T - t0 < 8 ? T - t0 : 8, dh, scale);
    }
}

/* The query side of one head's backward for queries t0 .. t0+n-1: c = do . o
 * (sakmha_pg), g_u = sum_i v[i,u] do_i, ds_u = p_u (g_u - c) / sqrt(dh), and dq_i
 * (+)= sum_u k[i,u] ds_u (sakmha_full_backward's products, the same operands in
 * the same order). ds and p go to the padded blocks dsp and pp [T8,T8] (0 in
 * the lanes past T), whose transposes the key side reads. */
SF_INLINE void sf_bwd_queries(float *dq, float *dsp, float *pp, const float *dout, const float *o, const float *p,
                              const float *k, const float *v, int T, int ld, int T8, int t0, int n, const int dh,
                              float scale, int set)
{
    const __m256i m = sf_mask(n);
    sf_v8 dov[8], acc[8], c = {0};
#pragma GCC unroll 8
    for (int i = 0; i < dh; i++) {
        dov[i] = sf_ld(dout + (size_t)i * ld + t0, n, m);
        c += dov[i] * sf_ld(o + (size_t)i * ld + t0, n, m);
        acc[i] = (sf_v8){0};
    }
    const sf_v8 sc = sf_bc(scale);
    for (int u = 0; u < T; u++) {
        sf_v8 g = {0};
#pragma GCC unroll 8
        for (int i = 0; i < dh; i++) g += sf_bc(v[(size_t)i * ld + u]) * dov[i];
        const sf_v8 pu = sf_ld(p + (size_t)u * T + t0, n, m), ds = pu * (g - c) * sc;
        sf_stu(dsp + (size_t)u * T8 + t0, ds);
        sf_stu(pp + (size_t)u * T8 + t0, pu);
#pragma GCC unroll 8
        for (int i = 0; i < dh; i++) acc[i] += sf_bc(k[(size_t)i * ld + u]) * ds;
    }
#pragma GCC unroll 8
    for (int i = 0; i < dh; i++) {
        float *dst = dq + (size_t)i * ld + t0;
        sf_st(dst, set ? acc[i] : sf_ld(dst, n, m) + acc[i], n);
    }
}

/* One of the key side's sums for keys u0 .. u0+n-1 (lanes), from a transpose
 * whose row t holds the block's keys: dst_i (+)= sum_t rows_t b[i,t], summed
 * over t in order as sakmha's products over the rows of ds (dk, with b = q) and
 * p (dv, with b = do). */
SF_INLINE void sf_key_sums(float *dst, const float *rows, const float *b, int T, int ld, int T8, int u0, int n,
                           const int dh, int set)
{
    const __m256i m = sf_mask(n);
    sf_v8 acc[8];
#pragma GCC unroll 8
    for (int i = 0; i < dh; i++) acc[i] = (sf_v8){0};
    for (int t = 0; t < T; t++) {
        const sf_v8 r = sf_ldu(rows + (size_t)t * T8 + u0);
#pragma GCC unroll 8
        for (int i = 0; i < dh; i++) acc[i] += r * sf_bc(b[(size_t)i * ld + t]);
    }
#pragma GCC unroll 8
    for (int i = 0; i < dh; i++) {
        float *d = dst + (size_t)i * ld + u0;
        sf_st(d, set ? acc[i] : sf_ld(d, n, m) + acc[i], n);
    }
}

/* dst [T8,T8] = src^T, in 8x8 register blocks (both with rows of T8). */
SF_INLINE void sf_transpose(float *dst, const float *src, int T8)
{
    for (int r = 0; r < T8; r += 8)
        for (int c = 0; c < T8; c += 8) {
            const float *s = src + (size_t)r * T8 + c;
            __m256 x[8], y[8];
#pragma GCC unroll 8
            for (int j = 0; j < 8; j++) x[j] = _mm256_loadu_ps(s + (size_t)j * T8);
#pragma GCC unroll 8
            for (int j = 0; j < 8; j += 2) {
                y[j] = _mm256_unpacklo_ps(x[j], x[j + 1]);
                y[j + 1] = _mm256_unpackhi_ps(x[j], x[j + 1]);
            }
#pragma GCC unroll 8
            for (int j = 0; j < 8; j += 4) {
                x[j] = _mm256_shuffle_ps(y[j], y[j + 2], 0x44);
                x[j + 1] = _mm256_shuffle_ps(y[j], y[j + 2], 0xEE);
                x[j + 2] = _mm256_shuffle_ps(y[j + 1], y[j + 3], 0x44);
                x[j + 3] = _mm256_shuffle_ps(y[j + 1], y[j + 3], 0xEE);
            }
            float *o = dst + (size_t)c * T8 + r;
#pragma GCC unroll 8
            for (int j = 0; j < 4; j++) {
                _mm256_storeu_ps(o + (size_t)j * T8, _mm256_permute2f128_ps(x[j], x[j + 4], 0x20));
                _mm256_storeu_ps(o + (size_t)(j + 4) * T8, _mm256_permute2f128_ps(x[j], x[j + 4], 0x31));
            }
        }
}

SF_INLINE void sf_backward(float *dq, float *dk, float *dv, float *work, const float *dout, const float *o,
                           const float *p, const float *q, const float *k, const float *v, int T, int ld, int H,
                           const int dh, int set)
{
    const float scale = 1.0f / sqrtf((float)dh);
    const int T8 = sakfull_pad(T);
    const size_t bb = (size_t)T8 * T8;
    float *dsp = work, *pp = dsp + bb, *dsT = pp + bb, *pT = dsT + bb;
    /* The rows past T, which no head writes, are keys the transposes' lanes hold: 0. */
    memset(dsp + (size_t)T * T8, 0, (size_t)(T8 - T) * T8 * sizeof *dsp);
    memset(pp + (size_t)T * T8, 0, (size_t)(T8 - T) * T8 * sizeof *pp);
    for (int h = 0; h < H; h++) {
        const size_t c0 = (size_t)h * dh * ld;
        const float *ph = p + (size_t)h * T * T;
        for (int t0 = 0; t0 < T; t0 += 8)
            sf_bwd_queries(dq + c0, dsp, pp, dout + c0, o + c0, ph, k + c0, v + c0, T, ld, T8, t0,
                           T - t0 < 8 ? T - t0 : 8, dh, scale, set);
        sf_transpose(dsT, dsp, T8);
        sf_transpose(pT, pp, T8);
        for (int u0 = 0; u0 < T; u0 += 8) {
            const int n = T - u0 < 8 ? T - u0 : 8;
            sf_key_sums(dk + c0, dsT, q + c0, T, ld, T8, u0, n, dh, set);
            sf_key_sums(dv + c0, pT, dout + c0, T, ld, T8, u0, n, dh, set);
        }
    }
}

/* One instance per head width, so that a block's dh rows live in registers. */
#define SF_WIDTH(DH)                                                                                              \
    SF_AVX2 static void sf_forward##DH(float *o, float *p, float *work, const float *q, const float *k,          \
                                       const float *v, int T, int ld, int H)                                       \
    {                                                                                                             \
        sf_forward(o, p, work, q, k, v, T, ld, H, DH);                                                            \
    }                                                                                                             \
    SF_AVX2 static void sf_backward##DH(float *dq, float *dk, float *dv, float *work, const float *dout,         \
                                        const float *o, const float *p, const float *q, const float *k,          \
                                        const float *v, int T, int ld, int H, int set)                           \
    {                                                                                                             \
        sf_backward(dq, dk, dv, work, dout, o, p, q, k, v, T, ld, H, DH, set);                                    \
    }
SF_WIDTH(2)
SF_WIDTH(4)
SF_WIDTH(8)

void sakfull_forward(float *o, float *p, float *work, const float *q, const float *k, const float *v, int T, int ld,
                     int d, int H)
{
    switch (d / H) {
    case 2: sf_forward2(o, p, work, q, k, v, T, ld, H); break;
    case 4: sf_forward4(o, p, work, q, k, v, T, ld, H); break;
    default: sf_forward8(o, p, work, q, k, v, T, ld, H); break;
    }
}

void sakfull_backward(float *dq, float *dk, float *dv, float *work, const float *dout, const float *o, const float *p,
                      const float *q, const float *k, const float *v, int T, int ld, int d, int H, int set)
{
    switch (d / H) {
    case 2: sf_backward2(dq, dk, dv, work, dout, o, p, q, k, v, T, ld, H, set); break;
    case 4: sf_backward4(dq, dk, dv, work, dout, o, p, q, k, v, T, ld, H, set); break;
    default: sf_backward8(dq, dk, dv, work, dout, o, p, q, k, v, T, ld, H, set); break;
    }
}

#else /* no AVX2 build: sakmha's general path runs everywhere */

int sakfull_use(int on)
{
    (void)on;
    return 0;
}

int sakfull_takes(int T, int dh)
{
    (void)T, (void)dh;
    return 0;
}

void sakfull_forward(float *o, float *p, float *work, const float *q, const float *k, const float *v, int T, int ld,
                     int d, int H)
{
    (void)o, (void)p, (void)work, (void)q, (void)k, (void)v, (void)T, (void)ld, (void)d, (void)H;
}

void sakfull_backward(float *dq, float *dk, float *dv, float *work, const float *dout, const float *o, const float *p,
                      const float *q, const float *k, const float *v, int T, int ld, int d, int H, int set)
{
    (void)dq, (void)dk, (void)dv, (void)work, (void)dout, (void)o, (void)p, (void)q, (void)k, (void)v, (void)T,
        (void)ld, (void)d, (void)H, (void)set;
}
#endif
