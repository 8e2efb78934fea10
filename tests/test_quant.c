/* test_quant.c - int8 rows, the product quantizer (determinism, reconstruction on
 * clustered data, 4 and 8 bits, the remainder sub-vector, qnorm, dot without
 * decoding), the byte layouts (round trip, every corrupted size field rejected)
 * and the --cutoff row selection. */
#include <check.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "quant.h"
#include "rng.h"

/* n rows around `centers` points drawn in [-1, 1)^dim, noise uniform in
 * [-noise, noise); row i belongs to center i % centers. */
static float *clustered(int64_t n, int dim, int centers, float noise, uint64_t seed)
{
    Rng r;
    rng_seed(&r, seed);
    float *c = malloc((size_t)centers * dim * sizeof *c), *x = malloc((size_t)n * dim * sizeof *x);
    ck_assert_ptr_nonnull(c);
    ck_assert_ptr_nonnull(x);
    for (int i = 0; i < centers * dim; i++) c[i] = 2.0f * rng_uniform(&r) - 1.0f;
    for (int64_t i = 0; i < n; i++)
        for (int j = 0; j < dim; j++)
            x[i * dim + j] = c[(i % centers) * dim + j] + noise * (2.0f * rng_uniform(&r) - 1.0f);
    free(c);
    return x;
}

static double variance(const float *x, int64_t n, int dim)
{
    double s = 0, s2 = 0;
    for (int64_t k = 0; k < n * dim; k++) s += x[k], s2 += (double)x[k] * x[k];
    double m = s / (double)(n * dim);
    return s2 / (double)(n * dim) - m * m;
}

static double pq_mse(const QuantPQMat *m, const float *x)
{
    const int dim = m->pq.dim;
    float *y = malloc((size_t)dim * sizeof *y);
    double e = 0;
    for (int64_t i = 0; i < m->rows; i++) {
        quant_pq_row(m, i, y);
        for (int j = 0; j < dim; j++) e += ((double)x[i * dim + j] - y[j]) * ((double)x[i * dim + j] - y[j]);
    }
    free(y);
    return e / (double)(m->rows * dim);
}

static float seq_dot(const float *a, const float *b, int d)
{
    float s = 0.0f;
    for (int j = 0; j < d; j++) s += a[j] * b[j];
    return s;
}

static unsigned char *pq_bytes(const QuantPQMat *m, size_t *n)
{
    *n = quant_pq_size(m);
    unsigned char *b = malloc(*n);
    ck_assert_ptr_nonnull(b);
    quant_pq_write(m, b);
    return b;
}

/* ---- int8 ---- */

START_TEST(test_i8_round_trip_error)
{
    const int64_t rows = 40;
    const int dim = 13;
    float *x = clustered(rows, dim, 7, 0.5f, 3);
    for (int j = 0; j < dim; j++) x[5 * dim + j] = 0.0f;       /* a zero row */
    for (int j = 0; j < dim; j++) x[6 * dim + j] *= 1e-6f;     /* a tiny one */
    for (int j = 0; j < dim; j++) x[7 * dim + j] *= 1e6f;      /* a huge one */
    QuantI8 q;
    Status st;
    ck_assert_int_eq(quant_i8_build(&q, x, rows, dim, &st), 0);
    float y[13], v[13], acc[13] = {0};
    for (int j = 0; j < dim; j++) v[j] = (float)j - 6.0f;
    for (int64_t i = 0; i < rows; i++) {
        const float s = q.scale[i];
        float amax = 0;
        for (int j = 0; j < dim; j++) amax = fmaxf(amax, fabsf(x[i * dim + j]));
        ck_assert_float_eq(s, amax / 127.0f);
        quant_i8_row(&q, i, y);
        for (int j = 0; j < dim; j++) {
            ck_assert_int_ge(q.q[i * dim + j], -127);
            /* s/2 is the rounding bound; the relative slack covers x / s and s * q in float. */
            ck_assert_msg(fabsf(x[i * dim + j] - y[j]) <= 0.5f * s * (1.0f + 1e-5f), "row %d col %d: %g vs %g (s %g)",
                          (int)i, j, x[i * dim + j], y[j], s);
        }
        ck_assert_float_eq_tol(quant_i8_dot(&q, i, v), seq_dot(v, y, dim), 1e-4f * (1.0f + fabsf(seq_dot(v, y, dim))));
    }
    quant_i8_axpy(&q, 3, 2.0f, acc);
    quant_i8_row(&q, 3, y);
    for (int j = 0; j < dim; j++) ck_assert_float_eq_tol(acc[j], 2.0f * y[j], 1e-6f);
    quant_i8_row(&q, 5, y);
    for (int j = 0; j < dim; j++) ck_assert(y[j] == 0.0f);
    quant_i8_free(&q);
    free(x);
}
END_TEST

START_TEST(test_i8_bytes)
{
    const int64_t rows = 9;
    const int dim = 5;
    float *x = clustered(rows, dim, 3, 0.2f, 4);
    QuantI8 q, r;
    Status st;
    ck_assert_int_eq(quant_i8_build(&q, x, rows, dim, &st), 0);
    size_t n = quant_i8_size(&q);
    ck_assert_uint_eq(n, 16 + rows * (4 + dim));
    unsigned char *b = malloc(n + 1), *b2 = malloc(n);
    quant_i8_write(&q, b);
    ck_assert_int_eq(quant_i8_read(&r, b, n, "t", &st), 0);
    quant_i8_write(&r, b2);
    ck_assert(memcmp(b, b2, n) == 0);
    quant_i8_free(&r);
    /* Each corruption on its own copy; all are rejected with a message naming `t`. */
    struct { size_t at; uint64_t v; int width; size_t len; } bad[] = {
        {0, rows + 1, 8, n}, {0, rows - 1, 8, n}, {0, UINT64_MAX, 8, n}, {0, UINT64_MAX / 5, 8, n},
        {8, 0, 4, n}, {8, dim + 1, 4, n}, {8, dim - 1, 4, n}, {8, UINT32_MAX, 4, n}, {8, QUANT_MAX_DIM + 1, 4, n},
        {12, 1, 4, n}, {0, rows, 8, n - 1}, {0, rows, 8, n + 1}, {0, rows, 8, 15}, {0, rows, 8, 0},
    };
    for (size_t k = 0; k < sizeof bad / sizeof bad[0]; k++) {
        unsigned char *c = malloc(n + 1);
        memcpy(c, b, n);
        c[n] = 0;
        memcpy(c + bad[k].at, &bad[k].v, (size_t)bad[k].width);
        st.msg[0] = 0;
        ck_assert_msg(quant_i8_read(&r, c, bad[k].len, "t", &st) == -1, "case %zu accepted", k);
        ck_assert_msg(strncmp(st.msg, "t: int8 matrix: ", 16) == 0, "case %zu: %s", k, st.msg);
        free(c);
    }
    /* A NaN scale, a negative one, and -128. */
    float nan = NAN, neg = -1.0f;
    memcpy(b2, b, n);
    memcpy(b2 + 16 + 4, &nan, 4);
    ck_assert_int_eq(quant_i8_read(&r, b2, n, "t", &st), -1);
    memcpy(b2, b, n);
    memcpy(b2 + 16, &neg, 4);
    ck_assert_int_eq(quant_i8_read(&r, b2, n, "t", &st), -1);
    memcpy(b2, b, n);
    b2[n - 1] = 0x80;
    ck_assert_int_eq(quant_i8_read(&r, b2, n, "t", &st), -1);
    ck_assert_str_eq(st.msg, "t: int8 matrix: row 8 holds -128, outside -127..127");
    ck_assert_int_eq(quant_i8_read(&r, b, n - 1, "t", &st), -1);
    ck_assert_str_eq(st.msg, "t: int8 matrix: 9 rows of dim 5 take 97 bytes, the section has 96");
    uint64_t huge = UINT64_MAX;
    memcpy(b2, b, n);
    memcpy(b2, &huge, 8);
    ck_assert_int_eq(quant_i8_read(&r, b2, n, "t", &st), -1);
    ck_assert_str_eq(st.msg, "t: int8 matrix: 18446744073709551615 rows of dim 5 do not fit in 97 bytes");
    quant_i8_free(&q);
    free(b);
    free(b2);
    free(x);
}
END_TEST

START_TEST(test_i8_errors)
{
    QuantI8 q;
    Status st;
    float x[4] = {0, 1, INFINITY, 2};
    ck_assert_int_eq(quant_i8_build(&q, x, 2, 2, &st), -1);
    ck_assert_str_eq(st.msg, "quantize: row 1, column 0 is not a finite number");
    ck_assert_int_eq(quant_i8_build(&q, x, 1, 0, &st), -1);
}
END_TEST

/* ---- product quantization ---- */

START_TEST(test_pq_deterministic)
{
    const int64_t rows = 5000;
    const int dim = 8;
    float *x = clustered(rows, dim, 40, 0.1f, 5);
    QuantPQOpts o = quant_pq_defaults();
    o.max_sample = 3000; /* the sampled path */
    o.iters = 10;
    QuantPQMat a, b, c;
    Status st;
    o.threads = 1;
    ck_assert_int_eq(quant_pq_build(&a, x, rows, dim, &o, &st), 0);
    o.threads = 2;
    ck_assert_int_eq(quant_pq_build(&b, x, rows, dim, &o, &st), 0);
    o.seed = 99;
    ck_assert_int_eq(quant_pq_build(&c, x, rows, dim, &o, &st), 0);
    size_t na, nb, nc;
    unsigned char *ba = pq_bytes(&a, &na), *bb = pq_bytes(&b, &nb), *bc = pq_bytes(&c, &nc);
    ck_assert_uint_eq(na, nb);
    ck_assert(memcmp(ba, bb, na) == 0);
    ck_assert_uint_eq(na, nc);
    ck_assert(memcmp(ba, bc, na) != 0);
    quant_pq_free(&a);
    quant_pq_free(&b);
    quant_pq_free(&c);
    free(ba);
    free(bb);
    free(bc);
    /* fastText's uniform start, and qnorm, are reproducible across threads too. */
    o.plusplus = 0;
    o.qnorm = 1;
    o.threads = 1;
    ck_assert_int_eq(quant_pq_build(&a, x, rows, dim, &o, &st), 0);
    o.threads = 2;
    ck_assert_int_eq(quant_pq_build(&b, x, rows, dim, &o, &st), 0);
    ba = pq_bytes(&a, &na);
    bb = pq_bytes(&b, &nb);
    ck_assert_uint_eq(na, nb);
    ck_assert(memcmp(ba, bb, na) == 0);
    quant_pq_free(&a);
    quant_pq_free(&b);
    free(ba);
    free(bb);
    free(x);
}
END_TEST

/* Clustered data with fewer clusters than centroids per sub-space: the error is
 * the noise's, far below the data's variance. */
static void check_reconstruction(int bits, int dim, int dsub, int qnorm)
{
    const int64_t rows = 4000;
    const int centers = bits == 8 ? 100 : 10;
    const float noise = 0.01f;
    float *x = clustered(rows, dim, centers, noise, 6 + (uint64_t)bits);
    QuantPQOpts o = quant_pq_defaults();
    o.bits = bits;
    o.dsub = dsub;
    o.qnorm = qnorm;
    QuantPQMat m;
    Status st;
    ck_assert_int_eq(quant_pq_build(&m, x, rows, dim, &o, &st), 0);
    ck_assert_int_eq(m.pq.nsub, (dim + dsub - 1) / dsub);
    ck_assert_int_eq(m.pq.lastdsub, dim - (m.pq.nsub - 1) * dsub);
    ck_assert_int_eq(m.code_bytes, bits == 8 ? m.pq.nsub : (m.pq.nsub + 1) / 2);
    double var = variance(x, rows, dim), mse = pq_mse(&m, x);
    /* Uniform noise of half-width a has variance a^2/3; allow 30 times that. */
    ck_assert_msg(mse < 30.0 * noise * noise / 3.0 && mse < var / 500.0, "bits %d dim %d dsub %d qnorm %d: mse %g, var %g",
                  bits, dim, dsub, qnorm, mse, var);
    quant_pq_free(&m);
    free(x);
}

START_TEST(test_pq_reconstruction_8bit)
{
    check_reconstruction(8, 8, 2, 0);
}
END_TEST

START_TEST(test_pq_reconstruction_4bit)
{
    check_reconstruction(4, 8, 2, 0);
}
END_TEST

START_TEST(test_pq_remainder_subvector)
{
    check_reconstruction(8, 7, 3, 0); /* 3 + 3 + 1 */
    check_reconstruction(4, 7, 3, 0); /* nsub 3: the last byte's high nibble is unused */
    check_reconstruction(4, 5, 5, 0); /* one sub-vector */
}
END_TEST

START_TEST(test_pq_qnorm)
{
    check_reconstruction(8, 8, 2, 1);
    check_reconstruction(4, 7, 3, 1);
}
END_TEST

/* Fewer rows than centroids: every row is its own centroid, reconstructed exactly. */
START_TEST(test_pq_few_rows_exact)
{
    float *x = clustered(10, 6, 10, 0.0f, 7);
    QuantPQOpts o = quant_pq_defaults();
    QuantPQMat m;
    Status st;
    ck_assert_int_eq(quant_pq_build(&m, x, 10, 6, &o, &st), 0);
    ck_assert(pq_mse(&m, x) == 0.0);
    quant_pq_free(&m);
    o.bits = 4; /* 10 rows, 16 centroids */
    ck_assert_int_eq(quant_pq_build(&m, x, 10, 6, &o, &st), 0);
    ck_assert(pq_mse(&m, x) == 0.0);
    quant_pq_free(&m);
    o.plusplus = 0;
    ck_assert_int_eq(quant_pq_build(&m, x, 10, 6, &o, &st), 0);
    ck_assert(pq_mse(&m, x) == 0.0);
    quant_pq_free(&m);
    free(x);
}
END_TEST

static void check_dots(int bits, int dim, int dsub, int qnorm)
{
    const int64_t rows = 600;
    float *x = clustered(rows, dim, 30, 0.2f, 8);
    QuantPQOpts o = quant_pq_defaults();
    o.bits = bits;
    o.dsub = dsub;
    o.qnorm = qnorm;
    o.iters = 5;
    QuantPQMat m;
    Status st;
    ck_assert_int_eq(quant_pq_build(&m, x, rows, dim, &o, &st), 0);
    float v[16], y[16], acc[16], lut[8 * 256];
    Rng r;
    rng_seed(&r, 9);
    for (int j = 0; j < dim; j++) v[j] = 2.0f * rng_uniform(&r) - 1.0f;
    quant_pq_lut(&m, v, lut);
    for (int64_t i = 0; i < rows; i++) {
        quant_pq_row(&m, i, y);
        float want = seq_dot(v, y, dim), got = quant_pq_dot(&m, i, v);
        if (qnorm) ck_assert_float_eq_tol(got, want, 1e-5f * (1.0f + fabsf(want)));
        else ck_assert_msg(got == want, "row %d: %.9g vs %.9g", (int)i, got, want);
        ck_assert_float_eq_tol(quant_pq_dot_lut(&m, lut, i), want, 1e-5f * (1.0f + fabsf(want)));
        for (int j = 0; j < dim; j++) acc[j] = 1.0f;
        quant_pq_axpy(&m, i, -0.5f, acc);
        for (int j = 0; j < dim; j++) ck_assert_float_eq_tol(acc[j], 1.0f - 0.5f * y[j], 1e-6f);
        for (int s = 0; s < m.pq.nsub; s++) ck_assert_int_lt(quant_pq_code(&m, i, s), m.pq.ksub);
    }
    quant_pq_free(&m);
    free(x);
}

START_TEST(test_pq_dot_equals_decoded_dot)
{
    check_dots(8, 8, 2, 0);
    check_dots(4, 8, 2, 0);
    check_dots(8, 11, 4, 0);
    check_dots(4, 11, 4, 0);
    check_dots(8, 11, 4, 1);
    check_dots(4, 16, 2, 1);
}
END_TEST

START_TEST(test_pq_build_errors)
{
    float x[8] = {0}, bad[4] = {0, NAN, 0, 0};
    QuantPQOpts o = quant_pq_defaults();
    QuantPQMat m;
    Status st;
    o.bits = 5;
    ck_assert_int_eq(quant_pq_build(&m, x, 4, 2, &o, &st), -1);
    ck_assert_str_eq(st.msg, "quantize: bits must be 8 or 4, not 5");
    o = quant_pq_defaults();
    o.dsub = 3;
    ck_assert_int_eq(quant_pq_build(&m, x, 4, 2, &o, &st), -1);
    ck_assert_str_eq(st.msg, "quantize: dsub 3 is outside 1..2 (the dim)");
    o = quant_pq_defaults();
    ck_assert_int_eq(quant_pq_build(&m, x, 0, 2, &o, &st), -1);
    ck_assert_int_eq(quant_pq_build(&m, bad, 2, 2, &o, &st), -1);
    ck_assert_str_eq(st.msg, "quantize: row 0, column 1 is not a finite number");
    o.iters = 0;
    ck_assert_int_eq(quant_pq_build(&m, x, 4, 2, &o, &st), -1);
}
END_TEST

static void check_pq_bytes(int bits, int dim, int dsub, int qnorm)
{
    const int64_t rows = 300;
    float *x = clustered(rows, dim, 20, 0.1f, 10);
    QuantPQOpts o = quant_pq_defaults();
    o.bits = bits;
    o.dsub = dsub;
    o.qnorm = qnorm;
    o.iters = 3;
    QuantPQMat m, r;
    Status st;
    ck_assert_int_eq(quant_pq_build(&m, x, rows, dim, &o, &st), 0);
    size_t n;
    unsigned char *b = pq_bytes(&m, &n);
    ck_assert_int_eq(quant_pq_read(&r, b, n, "t", &st), 0);
    size_t n2;
    unsigned char *b2 = pq_bytes(&r, &n2);
    ck_assert_uint_eq(n, n2);
    ck_assert(memcmp(b, b2, n) == 0);
    float y[16], z[16];
    for (int64_t i = 0; i < rows; i++) {
        quant_pq_row(&m, i, y);
        quant_pq_row(&r, i, z);
        ck_assert(memcmp(y, z, (size_t)dim * sizeof *y) == 0);
    }
    quant_pq_free(&r);
    /* Every size field, alone: rows, dim, dsub, bits, flags, and the length. */
    const uint32_t other_bits = bits == 8 ? 4 : 8;
    struct { size_t at; uint64_t v; int width; size_t len; } bad[] = {
        {0, rows + 1, 8, n}, {0, rows - 1, 8, n}, {0, 0, 8, n}, {0, UINT64_MAX, 8, n}, {0, UINT64_MAX / 3, 8, n},
        {8, 0, 4, n}, {8, (uint64_t)dim + 1, 4, n}, {8, (uint64_t)dim - 1, 4, n}, {8, UINT32_MAX, 4, n},
        {8, QUANT_MAX_DIM + 1, 4, n}, {12, 0, 4, n}, {12, (uint64_t)dim + 1, 4, n}, {12, 1, 4, n},
        {12, UINT32_MAX, 4, n}, {16, other_bits, 4, n}, {16, 5, 4, n}, {16, 0, 4, n}, {20, (uint64_t)!qnorm, 4, n},
        {20, 2, 4, n}, {0, rows, 8, n - 1}, {0, rows, 8, n + 1}, {0, rows, 8, 23}, {0, rows, 8, 0},
    };
    unsigned char *c = malloc(n + 1);
    for (size_t k = 0; k < sizeof bad / sizeof bad[0]; k++) {
        memcpy(c, b, n);
        c[n] = 0;
        memcpy(c + bad[k].at, &bad[k].v, (size_t)bad[k].width);
        st.msg[0] = 0;
        ck_assert_msg(quant_pq_read(&r, c, bad[k].len, "t", &st) == -1, "bits %d case %zu accepted", bits, k);
        ck_assert_msg(strncmp(st.msg, "t: product quantizer: ", 22) == 0, "case %zu: %s", k, st.msg);
    }
    /* A non-finite centroid, in each codebook. */
    const size_t nc = (size_t)m.pq.ksub * dim * 4, codes = 24 + nc;
    memcpy(c, b, n);
    float inf = INFINITY;
    memcpy(c + 24 + nc - 4, &inf, 4);
    ck_assert_int_eq(quant_pq_read(&r, c, n, "t", &st), -1);
    if (qnorm) {
        memcpy(c, b, n);
        memcpy(c + codes + rows * (size_t)m.code_bytes, &inf, 4);
        ck_assert_int_eq(quant_pq_read(&r, c, n, "t", &st), -1);
    }
    /* With 4 bits and an odd nsub the last high nibble must be 0. */
    if (bits == 4 && m.pq.nsub % 2) {
        memcpy(c, b, n);
        c[codes + 7 * (size_t)m.code_bytes + (size_t)m.code_bytes - 1] |= 0x10;
        ck_assert_int_eq(quant_pq_read(&r, c, n, "t", &st), -1);
        ck_assert_str_eq(st.msg, "t: product quantizer: row 7 has a code past its last sub-vector");
    }
    free(c);
    free(b);
    free(b2);
    quant_pq_free(&m);
    free(x);
}

START_TEST(test_pq_bytes)
{
    check_pq_bytes(8, 8, 2, 0);
    check_pq_bytes(4, 8, 2, 0);
    check_pq_bytes(4, 7, 3, 0);
    check_pq_bytes(8, 7, 3, 1);
    check_pq_bytes(4, 5, 2, 1);
}
END_TEST

/* ---- selection ---- */

START_TEST(test_select)
{
    const float score[] = {1.0f, 3.0f, 3.0f, NAN, 2.0f, 0.0f, 3.0f};
    int64_t keep[7];
    ck_assert_int_eq(quant_select(keep, score, NULL, 7, 3), 3);
    /* Three 3s: rows 1, 2 and 6 (the tie goes to the lower rows, all kept). */
    ck_assert_int_eq(keep[0], 1);
    ck_assert_int_eq(keep[1], 2);
    ck_assert_int_eq(keep[2], 6);
    ck_assert_int_eq(quant_select(keep, score, NULL, 7, 2), 2);
    ck_assert_int_eq(keep[0], 1);
    ck_assert_int_eq(keep[1], 2);
    const uint8_t pin[] = {0, 0, 0, 0, 0, 1, 0};
    ck_assert_int_eq(quant_select(keep, score, pin, 7, 4), 4);
    const int64_t want[] = {1, 2, 5, 6};
    for (int i = 0; i < 4; i++) ck_assert_int_eq(keep[i], want[i]);
    ck_assert_int_eq(quant_select(keep, score, pin, 7, 0), 1);
    ck_assert_int_eq(keep[0], 5);
    /* NaN last: keeping 6 drops only row 3. */
    ck_assert_int_eq(quant_select(keep, score, NULL, 7, 6), 6);
    for (int i = 0; i < 6; i++) ck_assert_int_ne(keep[i], 3);
    ck_assert_int_eq(quant_select(keep, score, NULL, 7, 100), 7);
    for (int i = 0; i < 7; i++) ck_assert_int_eq(keep[i], i);
}
END_TEST

START_TEST(test_scores)
{
    const float x[] = {3, 4, 0, 0, 1, 0};
    const int64_t count[] = {0, 5, 0};
    float s[3];
    quant_score_norm(s, x, 3, 2);
    ck_assert_float_eq(s[0], 5.0f);
    ck_assert_float_eq(s[1], 0.0f);
    ck_assert_float_eq(s[2], 1.0f);
    const int64_t c2[] = {1, 5, -3};
    quant_score_norm_freq(s, x, count, 3, 2);
    ck_assert_float_eq(s[0], 0.0f);
    quant_score_norm_freq(s, x, c2, 3, 2);
    ck_assert_float_eq_tol(s[0], 5.0f * logf(2.0f), 1e-6f);
    ck_assert_float_eq(s[1], 0.0f);
    ck_assert_float_eq(s[2], 0.0f);
}
END_TEST

Suite *quant_suite(void)
{
    Suite *s = suite_create("quant");
    TCase *tc = tcase_create("quant");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_i8_round_trip_error);
    tcase_add_test(tc, test_i8_bytes);
    tcase_add_test(tc, test_i8_errors);
    tcase_add_test(tc, test_pq_deterministic);
    tcase_add_test(tc, test_pq_reconstruction_8bit);
    tcase_add_test(tc, test_pq_reconstruction_4bit);
    tcase_add_test(tc, test_pq_remainder_subvector);
    tcase_add_test(tc, test_pq_qnorm);
    tcase_add_test(tc, test_pq_few_rows_exact);
    tcase_add_test(tc, test_pq_dot_equals_decoded_dot);
    tcase_add_test(tc, test_pq_build_errors);
    tcase_add_test(tc, test_pq_bytes);
    tcase_add_test(tc, test_select);
    tcase_add_test(tc, test_scores);
    suite_add_tcase(s, tc);
    return s;
}
