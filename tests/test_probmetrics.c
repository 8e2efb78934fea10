/* test_probmetrics.c - log loss, ECE and the reliability bins on small examples
 * worked out by hand, for softmax and one-vs-all probabilities. */
#include <check.h>
#include <math.h>

#include "probmetrics.h"

START_TEST(test_softmax_by_hand)
{
    /* doc: probs, Y -> confidence, right, bin floor(15 conf)
     *   0: .9 .1   {0} -> .9  yes 13
     *   1: .8 .2   {1} -> .8  no  12
     *   2: .6 .4   {}  -> skipped (no true label)
     *   3: .3 .7   {1} -> .7  yes 10
     *   4: .5 .5   {1} -> .5 (tie: label 0) no 7
     *   5: .92 .08 {1} -> .92 no  13
     * bin 13: 2 items, confidence .91, accuracy .5
     * ECE = (2 |.5 - .91| + .8 + .3 + .5) / 5 = 0.484 */
    const float p[12] = {0.9f, 0.1f, 0.8f, 0.2f, 0.6f, 0.4f, 0.3f, 0.7f, 0.5f, 0.5f, 0.92f, 0.08f};
    const int64_t off[7] = {0, 1, 2, 2, 3, 4, 5};
    const int32_t lab[5] = {0, 1, 1, 1, 1};
    Reliability r;
    probmetrics_softmax_reliability(&r, p, off, lab, 6, 2);
    ck_assert_int_eq(r.total, 5);
    ck_assert_int_eq(r.count[13], 2);
    ck_assert_int_eq(r.count[12], 1);
    ck_assert_int_eq(r.count[10], 1);
    ck_assert_int_eq(r.count[7], 1);
    ck_assert_double_eq_tol(r.confidence[13], 0.91, 1e-7);
    ck_assert_double_eq_tol(r.accuracy[13], 0.5, 1e-15);
    ck_assert_double_eq_tol(r.accuracy[12], 0.0, 1e-15);
    ck_assert_double_eq(r.confidence[0], 0.0);
    ck_assert_double_eq_tol(r.ece, 0.484, 1e-7);
    double want = -(log(0.9) + log(0.2) + log(0.7) + log(0.5) + log(0.08)) / 5;
    ck_assert_double_eq_tol(probmetrics_softmax_log_loss(p, off, lab, 6, 2), want, 1e-7);
}
END_TEST

START_TEST(test_softmax_label_set_and_clipping)
{
    /* A set's loss is the mean over its known members; a label the model never saw
     * (id 3 >= C) is left out of the loss; a zero probability costs -log 1e-15. */
    const float p[6] = {0.5f, 0.25f, 0.25f, 0.0f, 1.0f, 0.0f};
    const int64_t off[3] = {0, 3, 4};
    const int32_t lab[4] = {0, 1, 3, 2};
    double want = (-(log(0.5) + log(0.25)) / 2 - log(1e-15)) / 2;
    ck_assert_double_eq_tol(probmetrics_softmax_log_loss(p, off, lab, 2, 3), want, 1e-7);
    /* Only unknown labels: nothing to average. */
    const int64_t off1[2] = {0, 1};
    const int32_t lab1[1] = {5};
    ck_assert_double_eq(probmetrics_softmax_log_loss(p, off1, lab1, 1, 3), 0.0);
    /* ... but the document is binned, and wrong. */
    Reliability r;
    probmetrics_softmax_reliability(&r, p, off1, lab1, 1, 3);
    ck_assert_int_eq(r.total, 1);
    ck_assert_double_eq_tol(r.ece, 0.5, 1e-15);
}
END_TEST

START_TEST(test_ova_by_hand)
{
    /* pairs (p, true): (1, y) bin 14; (0, n) bin 0; (.5, y) bin 7; (.2, n) bin 3;
     * (.6, n) bin 9; (0, n) bin 0. Bins 0 and 14 are exact, so
     * ECE = (.5 + .2 + .6) / 6; log loss = (log 2 - log .8 - log .4) / 6 (+ ~1e-15). */
    const float p[6] = {1.0f, 0.0f, 0.5f, 0.2f, 0.6f, 0.0f};
    const int64_t off[3] = {0, 2, 2};
    const int32_t lab[2] = {0, 2};
    Reliability r;
    probmetrics_ova_reliability(&r, p, off, lab, 2, 3);
    ck_assert_int_eq(r.total, 6);
    ck_assert_int_eq(r.count[0], 2);
    ck_assert_int_eq(r.count[14], 1);
    ck_assert_double_eq(r.accuracy[14], 1.0);
    ck_assert_double_eq(r.confidence[14], 1.0);
    ck_assert_double_eq(r.accuracy[7], 1.0);
    ck_assert_double_eq(r.accuracy[9], 0.0);
    ck_assert_double_eq_tol(r.ece, 1.3 / 6, 1e-7);
    double want = (log(2.0) - log(0.8) - log(0.4)) / 6;
    ck_assert_double_eq_tol(probmetrics_ova_log_loss(p, off, lab, 2, 3), want, 1e-7);
}
END_TEST

START_TEST(test_perfect_calibration)
{
    /* Four pairs at .25 with one true, four at .75 with three true: ECE 0. */
    const float p[8] = {0.25f, 0.25f, 0.25f, 0.25f, 0.75f, 0.75f, 0.75f, 0.75f};
    const int64_t off[3] = {0, 1, 4};
    const int32_t lab[4] = {0, 1, 2, 3};
    /* doc 0 (labels 0..3 at .25): {0}; doc 1 (at .75): {1, 2, 3} */
    Reliability r;
    probmetrics_ova_reliability(&r, p, off, lab, 2, 4);
    ck_assert_double_eq_tol(r.ece, 0.0, 1e-15);
}
END_TEST

Suite *probmetrics_suite(void)
{
    Suite *s = suite_create("probmetrics");
    TCase *tc = tcase_create("probmetrics");
    tcase_add_test(tc, test_softmax_by_hand);
    tcase_add_test(tc, test_softmax_label_set_and_clipping);
    tcase_add_test(tc, test_ova_by_hand);
    tcase_add_test(tc, test_perfect_calibration);
    suite_add_tcase(s, tc);
    return s;
}
