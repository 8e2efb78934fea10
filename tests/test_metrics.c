/* test_metrics.c - metrics against a confusion matrix worked out by hand. */
#include <check.h>

#include "metrics.h"

START_TEST(test_metrics_by_hand)
{
    /* Two training classes (0, 1) and one label never seen in training (2).
     * truth: 0 0 0 1 1 2   pred: 0 0 1 1 0 1
     * class 0: tp 2, predicted 3, support 3 -> P 2/3, R 2/3, F1 2/3
     * class 1: tp 1, predicted 3, support 2 -> P 1/3, R 1/2, F1 0.4
     * label 2: support 1, never right      -> 0, 0, 0
     * macro over the three: (2/3 + 0.4 + 0) / 3 */
    int32_t truth[6] = {0, 0, 0, 1, 1, 2}, pred[6] = {0, 0, 1, 1, 0, 1};
    Metrics m;
    metrics_compute(&m, truth, pred, 6, 3, 2);
    ck_assert_int_eq(m.correct, 3);
    ck_assert_double_eq_tol(m.accuracy, 0.5, 1e-12);
    ck_assert_double_eq_tol(m.precision[0], 2.0 / 3, 1e-12);
    ck_assert_double_eq_tol(m.recall[1], 0.5, 1e-12);
    ck_assert_double_eq_tol(m.f1[1], 0.4, 1e-12);
    ck_assert_double_eq_tol(m.f1[2], 0.0, 1e-12);
    ck_assert_int_eq(m.support[2], 1);
    ck_assert_double_eq_tol(m.macro_f1, (2.0 / 3 + 0.4) / 3, 1e-12);
    ck_assert_int_eq(m.confusion[2 * 2 + 1], 1);
    ck_assert_int_eq(m.confusion[1 * 2 + 0], 1);
    metrics_free(&m);
}
END_TEST

START_TEST(test_metrics_empty)
{
    Metrics m;
    metrics_compute(&m, NULL, NULL, 0, 2, 2);
    ck_assert_double_eq(m.accuracy, 0.0);
    ck_assert_double_eq(m.macro_f1, 0.0);
    metrics_free(&m);
}
END_TEST

Suite *metrics_suite(void)
{
    Suite *s = suite_create("metrics");
    TCase *tc = tcase_create("metrics");
    tcase_add_test(tc, test_metrics_by_hand);
    tcase_add_test(tc, test_metrics_empty);
    suite_add_tcase(s, tc);
    return s;
}
