/* test_calib.c - calibration with known answers: a temperature recovered from
 * labels drawn at that temperature, the fitted T a minimum of loss.h's NLL, T
 * finite for separable data (the smoothed targets) and at its bound for data
 * wrong by a margin, 1 for flat data; two temperatures (a network's part and a
 * member's) recovered and a minimum; Platt's (a, b) recovered from
 * labels drawn from a known sigmoid, finite on separable data, and for a label
 * with no positive exactly the constant 1/(N + 2) unregularised and the model's
 * ranking kept when regularised. */
#include <check.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "calib.h"
#include "loss.h"
#include "rng.h"

/* Draws label y ~ p (a distribution over C) with one uniform. */
static int32_t draw(const float *p, int C, Rng *r)
{
    float u = rng_uniform(r), acc = 0.0f;
    for (int c = 0; c < C - 1; c++) {
        acc += p[c];
        if (u < acc) return c;
    }
    return C - 1;
}

/* n documents with C logits uniform in [-span, span] and one label each drawn
 * from softmax(logits / T0). */
static void softmax_data(float *z, int64_t *off, int32_t *lab, int n, int C, float span, double T0, Rng *r)
{
    float p[16];
    off[0] = 0;
    for (int i = 0; i < n; i++) {
        for (int c = 0; c < C; c++) z[i * C + c] = span * (2.0f * rng_uniform(r) - 1.0f);
        calib_temperature_apply(p, z + i * C, C, (float)T0);
        lab[i] = draw(p, C, r);
        off[i + 1] = i + 1;
    }
}

START_TEST(test_temperature_recovered)
{
    enum { N = 20000, C = 5 };
    float *z = malloc(sizeof(float) * N * C);
    int64_t *off = malloc(sizeof(int64_t) * (N + 1));
    int32_t *lab = malloc(sizeof(int32_t) * N);
    const double T0[3] = {0.5, 1.0, 2.5};
    for (int k = 0; k < 3; k++) {
        Rng r;
        rng_seed(&r, 100 + k);
        softmax_data(z, off, lab, N, C, 4.0f, T0[k], &r);
        TemperatureFit fit;
        calib_temperature_fit(&fit, z, off, lab, N, C);
        ck_assert_msg(fabs(fit.T - T0[k]) < 0.05 * T0[k], "T %.4f, drawn at %.2f", fit.T, T0[k]);
        ck_assert(fit.nll_after <= fit.nll_before + 1e-12);
        ck_assert_int_eq(fit.docs, N);
        ck_assert_msg(fit.iterations > 0 && fit.iterations < 30, "iterations %d T %g", fit.iterations, fit.T);
    }
    free(z);
    free(off);
    free(lab);
}
END_TEST

/* The mean label-set NLL of softmax(logits / T) through loss.h. */
static double nll_at(const float *z, const int64_t *off, const int32_t *lab, int n, int C, double T)
{
    float scaled[8], p[8];
    double sum = 0.0;
    for (int i = 0; i < n; i++) {
        for (int c = 0; c < C; c++) scaled[c] = (float)(z[i * C + c] / T);
        sum += loss_softmax_forward(p, scaled, lab + off[i], (int)(off[i + 1] - off[i]), NULL, C);
    }
    return sum / n;
}

/* n documents of two parts, a network's a and a member's m (each uniform in
 * [-span, span]), logits l = a + m, and one label drawn from
 * softmax(a / T0 + m / Tm0). */
static void two_part_data(float *l, float *m, int64_t *off, int32_t *lab, int n, int C, double T0, double Tm0,
                          Rng *r)
{
    float z[16], p[16];
    off[0] = 0;
    for (int i = 0; i < n; i++) {
        for (int c = 0; c < C; c++) {
            const float a = 4.0f * (2.0f * rng_uniform(r) - 1.0f);
            m[i * C + c] = 3.0f * (2.0f * rng_uniform(r) - 1.0f);
            l[i * C + c] = a + m[i * C + c];
            z[c] = (float)(a / T0 + m[i * C + c] / Tm0);
        }
        calib_temperature_apply(p, z, C, 1.0f);
        lab[i] = draw(p, C, r);
        off[i + 1] = i + 1;
    }
}

/* The mean NLL of softmax((l - m) / T + m / Tm). */
static double nll_two(const float *l, const float *m, const int32_t *lab, int n, int C, double T, double Tm)
{
    double sum = 0.0;
    for (int i = 0; i < n; i++) {
        double mx = -INFINITY, s0 = 0.0, zy = 0.0;
        for (int c = 0; c < C; c++) {
            const double z = (l[i * C + c] - m[i * C + c]) / T + m[i * C + c] / Tm;
            mx = fmax(mx, z);
            if (c == lab[i]) zy = z;
        }
        for (int c = 0; c < C; c++) s0 += exp((l[i * C + c] - m[i * C + c]) / T + m[i * C + c] / Tm - mx);
        sum += mx + log(s0) - zy;
    }
    return sum / n;
}

/* Two temperatures drawn apart are recovered, their NLL is a minimum (each
 * direction of a 3% move raises it) and no worse than the one temperature's;
 * with a member part of 0 the network's temperature is the one temperature. */
START_TEST(test_two_temperatures_recovered)
{
    enum { N = 20000, C = 4 };
    float *l = malloc(sizeof(float) * N * C), *m = malloc(sizeof(float) * N * C);
    int64_t *off = malloc(sizeof(int64_t) * (N + 1));
    int32_t *lab = malloc(sizeof(int32_t) * N);
    const double T0[3] = {1.6, 0.7, 1.0}, Tm0[3] = {0.9, 2.0, 1.0};
    for (int k = 0; k < 3; k++) {
        Rng r;
        rng_seed(&r, 40 + k);
        two_part_data(l, m, off, lab, N, C, T0[k], Tm0[k], &r);
        ScalesFit fit;
        calib_scales_fit(&fit, l, m, off, lab, N, C);
        ck_assert_msg(fabs(fit.T - T0[k]) < 0.06 * T0[k] && fabs(fit.Tm - Tm0[k]) < 0.06 * Tm0[k],
                      "T %.4f Tm %.4f, drawn at %.2f and %.2f", fit.T, fit.Tm, T0[k], Tm0[k]);
        const double at = nll_two(l, m, lab, N, C, fit.T, fit.Tm);
        ck_assert_double_eq_tol(at, fit.nll_after, 1e-6);
        ck_assert_double_eq_tol(nll_two(l, m, lab, N, C, 1.0, 1.0), fit.nll_before, 1e-6);
        const double f[2] = {1.03, 1 / 1.03};
        for (int j = 0; j < 2; j++) {
            ck_assert(nll_two(l, m, lab, N, C, fit.T * f[j], fit.Tm) > at);
            ck_assert(nll_two(l, m, lab, N, C, fit.T, fit.Tm * f[j]) > at);
        }
        TemperatureFit one;
        calib_temperature_fit(&one, l, off, lab, N, C);
        ck_assert(at <= one.nll_after + 1e-9);
    }
    memset(m, 0, sizeof(float) * N * C);
    ScalesFit fit;
    TemperatureFit one;
    calib_scales_fit(&fit, l, m, off, lab, N, C);
    calib_temperature_fit(&one, l, off, lab, N, C);
    ck_assert_double_eq_tol(fit.T, one.T, 1e-6 * one.T);
    ck_assert_double_eq_tol(fit.nll_after, one.nll_after, 1e-9);
    calib_scales_fit(&fit, l, m, off, lab, 0, C);
    ck_assert(fit.T == 1.0 && fit.Tm == 1.0 && fit.docs == 0);
    free(l);
    free(m);
    free(off);
    free(lab);
}
END_TEST

START_TEST(test_temperature_minimises_the_label_set_loss)
{
    /* Label sets of one to three labels, drawn at temperature 2. */
    enum { N = 400, C = 6 };
    float z[N * C], p[C];
    int64_t off[N + 1];
    int32_t lab[N * 3];
    Rng r;
    rng_seed(&r, 5);
    off[0] = 0;
    for (int i = 0; i < N; i++) {
        for (int c = 0; c < C; c++) z[i * C + c] = 3.0f * (2.0f * rng_uniform(&r) - 1.0f);
        calib_temperature_apply(p, z + i * C, C, 2.0f);
        int ny = 1 + (int)rng_below(&r, 3);
        off[i + 1] = off[i];
        for (int j = 0; j < ny; j++) {
            int32_t y = draw(p, C, &r), seen = 0;
            for (int64_t q = off[i]; q < off[i + 1]; q++) seen |= lab[q] == y;
            if (!seen) lab[off[i + 1]++] = y;
        }
    }
    TemperatureFit fit;
    calib_temperature_fit(&fit, z, off, lab, N, C);
    double at = nll_at(z, off, lab, N, C, fit.T);
    ck_assert_double_eq_tol(at, fit.nll_after, 1e-5);
    ck_assert_double_eq_tol(nll_at(z, off, lab, N, C, 1.0), fit.nll_before, 1e-5);
    ck_assert(nll_at(z, off, lab, N, C, fit.T * 1.05) > at);
    ck_assert(nll_at(z, off, lab, N, C, fit.T / 1.05) > at);
}
END_TEST

START_TEST(test_temperature_bounds)
{
    /* Every document right by a margin of 10: unsmoothed, sharper is always better
     * (T -> 0, every probability 1); against the smoothed targets the optimum
     * gives the true label 1 - 1/(N + 2): e^(10/T) / (e^(10/T) + 2) = 51/52, so
     * T = 10 / ln 102, nowhere near the floor. */
    enum { N = 50, C = 3 };
    float z[N * C];
    int64_t off[N + 1];
    int32_t lab[N];
    off[0] = 0;
    for (int i = 0; i < N; i++) {
        for (int c = 0; c < C; c++) z[i * C + c] = c == i % C ? 10.0f : 0.0f;
        lab[i] = i % C;
        off[i + 1] = i + 1;
    }
    TemperatureFit fit;
    calib_temperature_fit(&fit, z, off, lab, N, C);
    ck_assert_double_eq_tol(fit.T, 10.0 / log(102.0), 1e-9);
    float p[C];
    calib_temperature_apply(p, z, C, (float)fit.T);
    ck_assert_float_eq_tol(p[0], 51.0f / 52.0f, 1e-6f);
    ck_assert_double_eq_tol(fit.nll_after, -log(51.0 / 52.0), 1e-9);
    /* Every document wrong by a margin: as flat as allowed. */
    for (int i = 0; i < N; i++) lab[i] = (i + 1) % C;
    calib_temperature_fit(&fit, z, off, lab, N, C);
    ck_assert_double_eq(fit.T, CALIB_T_MAX);
    /* Equal logits: T changes nothing, and stays 1. */
    memset(z, 0, sizeof z);
    calib_temperature_fit(&fit, z, off, lab, N, C);
    ck_assert_double_eq(fit.T, 1.0);
    /* No document with a known label. */
    for (int i = 0; i < N; i++) lab[i] = C + 2;
    calib_temperature_fit(&fit, z, off, lab, N, C);
    ck_assert_int_eq(fit.docs, 0);
    ck_assert_double_eq(fit.T, 1.0);
}
END_TEST

START_TEST(test_temperature_apply_at_one_is_softmax)
{
    const float z[5] = {1.5f, -2.0f, 0.25f, 7.0f, -0.5f};
    float p1[5], p2[5];
    const int32_t y = 0;
    loss_softmax_forward(p1, z, &y, 1, NULL, 5);
    calib_temperature_apply(p2, z, 5, 1.0f);
    ck_assert(memcmp(p1, p2, sizeof p1) == 0);
    calib_temperature_apply(p2, z, 5, 2.0f);
    double norm = 0.0;
    for (int c = 0; c < 5; c++) norm += exp(z[c] / 2.0);
    ck_assert_double_eq_tol(p2[3], exp(3.5) / norm, 1e-6);
}
END_TEST

/* One label (C = 1): n logits uniform in [-4, 4], positive with probability
 * sigmoid(a0 z + b0). */
static int64_t platt_data(float *z, int64_t *off, int32_t *lab, int n, double a0, double b0, Rng *r)
{
    off[0] = 0;
    for (int i = 0; i < n; i++) {
        z[i] = 8.0f * rng_uniform(r) - 4.0f;
        off[i + 1] = off[i];
        if (rng_uniform(r) < 1.0 / (1.0 + exp(-(a0 * z[i] + b0)))) lab[off[i + 1]++] = 0;
    }
    return off[n];
}

START_TEST(test_platt_recovered)
{
    enum { N = 20000 };
    float *z = malloc(sizeof(float) * N);
    int64_t *off = malloc(sizeof(int64_t) * (N + 1));
    int32_t *lab = malloc(sizeof(int32_t) * N);
    const double a0[3] = {0.5, 2.0, 1.0}, b0[3] = {-1.0, 0.5, -3.0};
    for (int k = 0; k < 3; k++) {
        Rng r;
        rng_seed(&r, 200 + k);
        platt_data(z, off, lab, N, a0[k], b0[k], &r);
        for (int reg = 0; reg < 2; reg++) {
            float a, b;
            calib_platt_fit(&a, &b, z, off, lab, N, 1, reg ? CALIB_PLATT_LAMBDA : 0.0);
            ck_assert_msg(fabs(a - a0[k]) < 0.05 * a0[k] + 0.02 && fabs(b - b0[k]) < 0.1,
                          "a %.4f b %.4f, drawn at %.2f %.2f (lambda %d)", a, b, a0[k], b0[k], reg);
        }
    }
    free(z);
    free(off);
    free(lab);
}
END_TEST

START_TEST(test_platt_separable)
{
    /* Positives at logits in [1, 3], negatives in [-3, -1]: plain maximum likelihood
     * would send a to infinity; Platt's targets keep it finite. */
    enum { N = 100 };
    float z[N], p[N];
    int64_t off[N + 1];
    int32_t lab[N];
    off[0] = 0;
    for (int i = 0; i < N; i++) {
        int pos = i % 2;
        z[i] = (pos ? 1.0f : -3.0f) + 2.0f * (float)i / N;
        off[i + 1] = off[i];
        if (pos) lab[off[i + 1]++] = 0;
    }
    const double tpos = 51.0 / 52.0, tneg = 1.0 / 52.0;
    for (int reg = 0; reg < 2; reg++) {
        float a, b;
        calib_platt_fit(&a, &b, z, off, lab, N, 1, reg ? CALIB_PLATT_LAMBDA : 0.0);
        ck_assert(isfinite(a) && isfinite(b) && a > 0.0f && a < 20.0f);
        double sum = 0.0;
        for (int i = 0; i < N; i++) {
            calib_platt_apply(p + i, z + i, &a, &b, 1);
            if (i % 2) ck_assert(p[i] > 0.85f && p[i] < tpos + 0.02);
            else ck_assert(p[i] < 0.15f && p[i] > 0.0f);
            sum += p[i];
        }
        /* At the unregularised optimum dF/db = sum (p - t) = 0. */
        if (!reg) ck_assert_double_eq_tol(sum, 50 * tpos + 50 * tneg, 1e-4);
    }
}
END_TEST

START_TEST(test_platt_no_positives)
{
    /* Every target is 1/(N + 2). Unregularised, the fit is that constant: a = 0,
     * b = -log(N + 1). Regularised, it keeps a positive slope (the model's ranking)
     * and its probabilities stay small and in (0, 1). */
    enum { N = 300 };
    float z[N];
    int64_t off[N + 1];
    Rng r;
    rng_seed(&r, 9);
    for (int i = 0; i < N; i++) {
        z[i] = -6.0f + 4.0f * rng_uniform(&r);
        off[i] = 0;
    }
    off[N] = 0;
    float a, b;
    calib_platt_fit(&a, &b, z, off, NULL, N, 1, 0.0);
    ck_assert_double_eq_tol(a, 0.0, 1e-4);
    ck_assert_double_eq_tol(b, -log(N + 1.0), 1e-3);
    calib_platt_fit(&a, &b, z, off, NULL, N, 1, CALIB_PLATT_LAMBDA);
    ck_assert(isfinite(a) && isfinite(b) && a > 0.0f);
    double mean = 0.0;
    for (int i = 0; i < N; i++) {
        float p;
        calib_platt_apply(&p, z + i, &a, &b, 1);
        ck_assert(p > 0.0f && p < 0.05f);
        mean += p / N;
    }
    ck_assert(mean < 0.01);
}
END_TEST

START_TEST(test_platt_columns_are_independent)
{
    /* Two labels fitted together equal each fitted alone. */
    enum { N = 500 };
    float z1[N], z2[N], z[2 * N];
    int64_t o1[N + 1], o2[N + 1], off[N + 1];
    int32_t l1[N], l2[N], lab[2 * N];
    Rng r;
    rng_seed(&r, 31);
    platt_data(z1, o1, l1, N, 1.5, -0.5, &r);
    platt_data(z2, o2, l2, N, 0.7, 1.0, &r);
    off[0] = 0;
    for (int i = 0; i < N; i++) {
        z[2 * i] = z1[i];
        z[2 * i + 1] = z2[i];
        off[i + 1] = off[i];
        if (o1[i + 1] > o1[i]) lab[off[i + 1]++] = 0;
        if (o2[i + 1] > o2[i]) lab[off[i + 1]++] = 1;
    }
    float a[2], b[2], a1, b1, a2, b2;
    calib_platt_fit(a, b, z, off, lab, N, 2, CALIB_PLATT_LAMBDA);
    calib_platt_fit(&a1, &b1, z1, o1, l1, N, 1, CALIB_PLATT_LAMBDA);
    for (int i = 0; i < o2[N]; i++) l2[i] = 0;
    calib_platt_fit(&a2, &b2, z2, o2, l2, N, 1, CALIB_PLATT_LAMBDA);
    ck_assert_float_eq(a[0], a1);
    ck_assert_float_eq(b[0], b1);
    ck_assert_float_eq(a[1], a2);
    ck_assert_float_eq(b[1], b2);
}
END_TEST

Suite *calib_suite(void)
{
    Suite *s = suite_create("calib");
    TCase *tc = tcase_create("calib");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_temperature_recovered);
    tcase_add_test(tc, test_temperature_minimises_the_label_set_loss);
    tcase_add_test(tc, test_temperature_bounds);
    tcase_add_test(tc, test_two_temperatures_recovered);
    tcase_add_test(tc, test_temperature_apply_at_one_is_softmax);
    tcase_add_test(tc, test_platt_recovered);
    tcase_add_test(tc, test_platt_separable);
    tcase_add_test(tc, test_platt_no_positives);
    tcase_add_test(tc, test_platt_columns_are_independent);
    suite_add_tcase(s, tc);
    return s;
}
