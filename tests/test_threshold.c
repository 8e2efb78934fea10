/* test_threshold.c - the F1 sweeps: small cases worked out by hand (including
 * the tie rule), the thresholds' predictions re-scored by setmetrics, and both
 * sweeps against trying every candidate threshold. */
#include <check.h>
#include <math.h>
#include <stdlib.h>

#include "rng.h"
#include "setmetrics.h"
#include "threshold.h"

START_TEST(test_global_by_hand)
{
    /* pairs by score: .9+ .8- .6+ .4- .3- .2-, gold 2.
     * cut .9: 2/3; .8: 2/4; .6: 4/5 (best); .4: 4/6 ... -> threshold (.6 + .4) / 2 */
    const float s[6] = {0.9f, 0.3f, 0.8f, 0.6f, 0.4f, 0.2f};
    const int64_t off[4] = {0, 1, 2, 2};
    const int32_t lab[2] = {0, 1};
    ThresholdFit fit;
    threshold_global(&fit, s, off, lab, 3, 2, 0);
    ck_assert_int_eq(fit.tuned, 1);
    ck_assert_float_eq_tol(fit.threshold, 0.5f, 1e-7f);
    ck_assert_double_eq_tol(fit.f1, 0.8, 1e-15);
    ck_assert_int_eq(fit.tp, 2);
    ck_assert_int_eq(fit.predicted, 3);
    ck_assert_int_eq(fit.gold, 2);
}
END_TEST

START_TEST(test_ties_pick_the_higher_cut)
{
    /* .9+ .8- .7- .6+ .5-, gold 2: cut .9 gives 2/3 and cut .6 gives 4/6 = 2/3:
     * the higher one wins, threshold (.9 + .8) / 2. */
    const float s[5] = {0.9f, 0.8f, 0.7f, 0.6f, 0.5f};
    const int64_t off[6] = {0, 1, 1, 1, 2, 2};
    const int32_t lab[2] = {0, 0};
    ThresholdFit fit;
    threshold_global(&fit, s, off, lab, 5, 1, 0);
    ck_assert_float_eq_tol(fit.threshold, 0.85f, 1e-7f);
    ck_assert_double_eq_tol(fit.f1, 2.0 / 3, 1e-15);
    ck_assert_int_eq(fit.predicted, 1);
    /* Equal scores are one cut: .5 .5 (one positive) then .1. */
    const float t[3] = {0.5f, 0.5f, 0.1f};
    const int64_t off2[4] = {0, 0, 1, 1};
    threshold_global(&fit, t, off2, lab, 3, 1, 0);
    ck_assert_int_eq(fit.predicted, 2);
    ck_assert_float_eq_tol(fit.threshold, 0.3f, 1e-7f);
}
END_TEST

START_TEST(test_degenerate_cases)
{
    /* No positive pair: nothing to tune. */
    const float s[4] = {0.2f, 0.7f, 0.1f, 0.4f};
    const int64_t off0[3] = {0, 0, 0};
    ThresholdFit fit;
    threshold_global(&fit, s, off0, NULL, 2, 2, 0);
    ck_assert_int_eq(fit.tuned, 0);
    ck_assert_float_eq(fit.threshold, 0.5f);
    /* Best cut predicts everything: the threshold is the lowest score itself. */
    const int64_t off[3] = {0, 2, 4};
    const int32_t lab[4] = {0, 1, 0, 1};
    threshold_global(&fit, s, off, lab, 2, 2, 0);
    ck_assert_float_eq(fit.threshold, 0.1f);
    ck_assert_double_eq(fit.f1, 1.0);
    /* Adjacent floats: no float strictly between, so the cut's own score. */
    const float a[2] = {0.5f, nextafterf(0.5f, 0.0f)};
    const int64_t offa[3] = {0, 1, 1};
    threshold_global(&fit, a, offa, lab, 2, 1, 0);
    ck_assert(fit.threshold > a[1] && fit.threshold <= a[0]);
    /* An unknown label counts in gold: F1 = 2 / (1 + 2). */
    const int32_t labu[2] = {0, 9};
    const int64_t offu[3] = {0, 2, 2};
    threshold_global(&fit, a, offu, labu, 2, 1, 0);
    ck_assert_int_eq(fit.gold, 2);
    ck_assert_double_eq_tol(fit.f1, 2.0 / 3, 1e-15);
}
END_TEST

/* Random multi-label data: n documents, C labels, scores on a grid of 20 values
 * so that ties are common, each label on a document with probability q. */
static void random_data(float *s, int64_t *off, int32_t *lab, int n, int C, double q, Rng *r)
{
    off[0] = 0;
    for (int i = 0; i < n; i++) {
        off[i + 1] = off[i];
        for (int c = 0; c < C; c++) {
            int y = rng_uniform(r) < q;
            /* Positives score a little higher on average, so F1 has an interior maximum. */
            s[i * C + c] = 0.05f * (float)rng_below(r, 20) * (y ? 1.0f : 0.7f) + (y ? 0.05f : 0.0f);
            if (y) lab[off[i + 1]++] = c;
        }
    }
}

/* The sweeps' F1 (global, then per label) is what setmetrics scores with the same
 * min_labels rule, and no candidate (any score, or 1) beats them; 30 random sets. */
static void check_sweeps(int min_labels, uint64_t seed)
{
    enum { N = 40, C = 5 };
    float s[N * C];
    int64_t off[N + 1];
    int32_t lab[N * C];
    Rng r;
    rng_seed(&r, seed);
    for (int trial = 0; trial < 30; trial++) {
        random_data(s, off, lab, N, C, 0.1 + 0.02 * trial, &r);
        ThresholdFit g;
        threshold_global(&g, s, off, lab, N, C, min_labels);
        SetMetrics m;
        setmetrics_compute(&m, s, off, lab, N, C, C, g.threshold, NULL, min_labels);
        ck_assert_double_eq_tol(m.micro_f1, g.f1, 1e-12);
        ck_assert_int_eq(m.predicted, g.predicted);
        if (min_labels) ck_assert(m.predicted >= N);
        setmetrics_free(&m);
        double best_label[C] = {0};
        for (int j = 0; j <= N * C; j++) {
            setmetrics_compute(&m, s, off, lab, N, C, C, j < N * C ? s[j] : 1.0f, NULL, min_labels);
            ck_assert(m.micro_f1 <= g.f1 + 1e-12);
            for (int k = 0; k < C; k++) best_label[k] = fmax(best_label[k], m.f1[k]);
            setmetrics_free(&m);
        }
        float thr[C];
        ThresholdFit fits[C];
        threshold_per_label(thr, fits, s, off, lab, N, C, g.threshold, 1, min_labels);
        setmetrics_compute(&m, s, off, lab, N, C, C, 0.0f, thr, min_labels);
        for (int k = 0; k < C; k++) {
            if (!fits[k].tuned) continue; /* no positive, or the best cut predicts every document */
            ck_assert_double_eq_tol(m.f1[k], fits[k].f1, 1e-12);
            ck_assert_double_eq_tol(fits[k].f1, best_label[k], 1e-12);
        }
        setmetrics_free(&m);
    }
}

START_TEST(test_sweeps_against_every_candidate)
{
    check_sweeps(0, 23);
}
END_TEST

START_TEST(test_top_label_forced_by_hand)
{
    /* Three documents, two labels; tops: doc 0 label 0 (.9, right), doc 1 label 1
     * (.6, wrong), doc 2 label 0 (.4, wrong). Gold: (0,0), (1,0), (2,1).
     * Forced: 3 predicted, 1 right. The rest by score: (1,0) .5+ (0,1) .3-
     * (2,1) .2+: adding .5 gives 2 * 2 / (4 + 3) = 4/7, then 4/8, then 6/9 = 2/3
     * (best: everything), so the threshold is the lowest score, .2. */
    const float s[6] = {0.9f, 0.3f, 0.5f, 0.6f, 0.4f, 0.2f};
    const int64_t off[4] = {0, 1, 2, 3};
    const int32_t lab[3] = {0, 0, 1};
    ThresholdFit fit;
    threshold_global(&fit, s, off, lab, 3, 2, 1);
    ck_assert_int_eq(fit.predicted, 6);
    ck_assert_int_eq(fit.tp, 3);
    ck_assert_float_eq(fit.threshold, 0.2f);
    ck_assert_double_eq_tol(fit.f1, 2.0 / 3, 1e-15);
    /* Doc 2 scoring (.4, .45): its top label is 1, right. Forced: 3 predicted, 2
     * right, 4/6; the rest (1,0) .5+ (2,0) .4- (0,1) .3-: adding .5 gives 6/7,
     * the best, so the threshold sits between .5 and .4. */
    const float t[6] = {0.9f, 0.3f, 0.5f, 0.6f, 0.4f, 0.45f};
    threshold_global(&fit, t, off, lab, 3, 2, 1);
    ck_assert_int_eq(fit.predicted, 4);
    ck_assert_int_eq(fit.tp, 3);
    ck_assert_float_eq_tol(fit.threshold, 0.45f, 1e-7f); /* between .5 and .4 */
    /* Every positive a top label: no pair added, just above the highest other score. */
    const float u[6] = {0.9f, 0.3f, 0.2f, 0.8f, 0.1f, 0.7f};
    const int64_t offu[4] = {0, 1, 2, 3};
    const int32_t labu[3] = {0, 1, 1};
    threshold_global(&fit, u, offu, labu, 3, 2, 1);
    ck_assert_int_eq(fit.predicted, 3);
    ck_assert_double_eq(fit.f1, 1.0);
    ck_assert_float_eq(fit.threshold, nextafterf(0.3f, 1.0f));
    SetMetrics m;
    setmetrics_compute(&m, u, offu, labu, 3, 2, 2, fit.threshold, NULL, 1);
    ck_assert_double_eq(m.micro_f1, 1.0);
    setmetrics_free(&m);
    setmetrics_compute(&m, u, offu, labu, 3, 2, 2, fit.threshold, NULL, 0);
    ck_assert_int_eq(m.predicted, 3);
    setmetrics_free(&m);
    setmetrics_compute(&m, u, offu, labu, 3, 2, 2, 0.95f, NULL, 0);
    ck_assert_int_eq(m.predicted, 0);
    setmetrics_free(&m);
}
END_TEST

START_TEST(test_forced_sweeps_against_every_candidate)
{
    check_sweeps(1, 29); /* min_labels 1: every document keeps its top label */
}
END_TEST

START_TEST(test_per_label_never_predicts_everywhere)
{
    /* Label 0's two positives score lowest: the only cut that reaches them predicts
     * all four documents (F1 4/6, against 0 for the others); that falls back. */
    const float s[4] = {0.9f, 0.8f, 0.1f, 0.1f};
    const int64_t off[5] = {0, 0, 0, 1, 2};
    const int32_t lab[2] = {0, 0};
    float thr[1];
    ThresholdFit fits[1];
    threshold_per_label(thr, fits, s, off, lab, 4, 1, 0.5f, 1, 0);
    ck_assert_int_eq(fits[0].tuned, 0);
    ck_assert_float_eq(thr[0], 0.5f);
    ck_assert_int_eq(fits[0].gold, 2);
}
END_TEST

START_TEST(test_per_label_falls_back)
{
    /* Label 0 has 3 positives, label 1 one: with min_positives 2 only label 0 is tuned. */
    const float s[8] = {0.9f, 0.2f, 0.8f, 0.1f, 0.7f, 0.3f, 0.1f, 0.05f};
    const int64_t off[5] = {0, 1, 2, 4, 4};
    const int32_t lab[4] = {0, 0, 0, 1};
    float thr[2];
    ThresholdFit fits[2];
    threshold_per_label(thr, fits, s, off, lab, 4, 2, 0.42f, 2, 0);
    ck_assert_int_eq(fits[0].tuned, 1);
    ck_assert_float_eq_tol(thr[0], 0.4f, 1e-7f); /* between .7 and .1 */
    ck_assert_double_eq(fits[0].f1, 1.0);
    ck_assert_int_eq(fits[1].tuned, 0);
    ck_assert_float_eq(thr[1], 0.42f);
    ck_assert_int_eq(fits[1].gold, 1);
    threshold_per_label(thr, NULL, s, off, lab, 4, 2, 0.42f, 1, 0);
    ck_assert_float_eq_tol(thr[1], 0.25f, 1e-7f); /* between .3 and .2 */
}
END_TEST

Suite *threshold_suite(void)
{
    Suite *s = suite_create("threshold");
    TCase *tc = tcase_create("threshold");
    tcase_add_test(tc, test_global_by_hand);
    tcase_add_test(tc, test_top_label_forced_by_hand);
    tcase_add_test(tc, test_forced_sweeps_against_every_candidate);
    tcase_add_test(tc, test_ties_pick_the_higher_cut);
    tcase_add_test(tc, test_degenerate_cases);
    tcase_add_test(tc, test_sweeps_against_every_candidate);
    tcase_add_test(tc, test_per_label_falls_back);
    tcase_add_test(tc, test_per_label_never_predicts_everywhere);
    suite_add_tcase(s, tc);
    return s;
}
