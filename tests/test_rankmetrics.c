/* test_rankmetrics.c - fastText's P@k/R@k and the thresholded multi-label
 * metrics on one small example worked out by hand (a document with no true
 * label, a label the model never saw, ties, k larger than C), top-k selection
 * against a sort-everything reference, and the label index. */
#include <check.h>
#include <stdlib.h>

#include "labelindex.h"
#include "rankmetrics.h"
#include "rng.h"
#include "setmetrics.h"

/* Four documents, C = 4 known labels, K = 6 (label 5 was never seen in training).
 *   doc 0: 0.1 0.6  0.2 0.1   Y = {1, 2}
 *   doc 1: 0.7 0.1  0.1 0.1   Y = {3}
 *   doc 2: .25 .25  0.4 0.1   Y = {}        (no true label)
 *   doc 3: 0.3 0.3  0.2 0.2   Y = {1, 5}    (ties; an unknown label) */
static const float S[16] = {0.1f, 0.6f, 0.2f, 0.1f, 0.7f, 0.1f, 0.1f, 0.1f,
                            0.25f, 0.25f, 0.4f, 0.1f, 0.3f, 0.3f, 0.2f, 0.2f};
static const int64_t OFF[5] = {0, 2, 3, 3, 5};
static const int32_t LAB[5] = {1, 2, 3, 1, 5};

static void check_rank(int k, float threshold, int drop, int64_t n, int64_t pred, int64_t pg, int64_t gold)
{
    RankMetrics m;
    rankmetrics_at_k(&m, S, OFF, LAB, 4, 4, k, threshold, drop);
    ck_assert_int_eq(m.n, n);
    ck_assert_int_eq(m.predicted, pred);
    ck_assert_int_eq(m.predicted_gold, pg);
    ck_assert_int_eq(m.gold, gold);
    ck_assert_double_eq_tol(m.precision, pred ? (double)pg / pred : 0.0, 1e-15);
    ck_assert_double_eq_tol(m.recall, (double)pg / gold, 1e-15);
}

START_TEST(test_p_at_k_by_hand)
{
    /* fastText skips doc 2 (no label): N = 3.
     * k 1: tops 1 (hit), 0, 0 (tie 0/1: lower id)   -> P 1/3, R 1/5
     * k 2: {1,2} 2 hits; {0,1} (tie 1/2/3: 1) 0; {0,1} 1  -> P 3/6, R 3/5
     * k 10 > C: every label of each document        -> P 4/12, R 4/5
     * k 10, threshold 0.25: {1}, {0}, {0,1}          -> P 2/4, R 2/5 */
    check_rank(1, 0.0f, 0, 3, 3, 1, 5);
    check_rank(2, 0.0f, 0, 3, 6, 3, 5);
    check_rank(10, 0.0f, 0, 3, 12, 4, 5);
    check_rank(-1, 0.0f, 0, 3, 12, 4, 5);
    check_rank(10, 0.25f, 0, 3, 4, 2, 5);
    /* As fastText's reader: the unknown label 5 is not gold. */
    check_rank(1, 0.0f, 1, 3, 3, 1, 4);
    /* Nothing scores 0.9: no prediction, P is 0 (fastText: nan). */
    check_rank(5, 0.9f, 0, 3, 0, 0, 5);
}
END_TEST

START_TEST(test_drop_unknown_skips_a_document_left_empty)
{
    const int64_t off[3] = {0, 1, 2};
    const int32_t lab[2] = {7, 1}; /* doc 0's only label is unknown */
    const float s[4] = {0.9f, 0.1f, 0.2f, 0.8f};
    RankMetrics m;
    rankmetrics_at_k(&m, s, off, lab, 2, 2, 1, 0.0f, 1);
    ck_assert_int_eq(m.n, 1);
    ck_assert_double_eq(m.precision, 1.0);
    rankmetrics_at_k(&m, s, off, lab, 2, 2, 1, 0.0f, 0);
    ck_assert_int_eq(m.n, 2);
    ck_assert_double_eq(m.precision, 0.5);
    ck_assert_double_eq(m.recall, 0.5);
}
END_TEST

START_TEST(test_set_metrics_by_hand)
{
    /* Global threshold 0.25 (scores >= 0.25 predicted):
     *   doc 0 {1}, doc 1 {0}, doc 2 {0, 1, 2}, doc 3 {0, 1}
     *   label 0: predicted 3, support 0; label 1: predicted 3, support 2, tp 2 (P 2/3, R 1, F1 0.8)
     *   label 2: predicted 1, support 1; label 3: support 1; label 4: nothing; label 5: support 1
     *   micro: tp 2, predicted 7, gold 5 -> P 2/7, R 2/5, F1 4/12
     *   macro over labels 0, 1, 2, 3, 5: 0.8 / 5 */
    SetMetrics m;
    setmetrics_compute(&m, S, OFF, LAB, 4, 6, 4, 0.25f, NULL, 0);
    ck_assert_int_eq(m.tp, 2);
    ck_assert_int_eq(m.predicted, 7);
    ck_assert_int_eq(m.gold, 5);
    ck_assert_double_eq_tol(m.micro_precision, 2.0 / 7, 1e-15);
    ck_assert_double_eq_tol(m.micro_recall, 0.4, 1e-15);
    ck_assert_double_eq_tol(m.micro_f1, 1.0 / 3, 1e-15);
    ck_assert_double_eq_tol(m.precision[1], 2.0 / 3, 1e-15);
    ck_assert_double_eq_tol(m.recall[1], 1.0, 1e-15);
    ck_assert_double_eq_tol(m.f1[1], 0.8, 1e-15);
    ck_assert_int_eq(m.npredicted[0], 3);
    ck_assert_int_eq(m.support[5], 1);
    ck_assert_int_eq(m.npredicted[5], 0);
    ck_assert_double_eq_tol(m.macro_f1, 0.16, 1e-15);
    setmetrics_free(&m);
    /* Per-label thresholds 0.5 0.3 0.2 0.05:
     *   doc 0 {1, 2, 3} tp 2; doc 1 {0, 3} tp 1; doc 2 {2, 3}; doc 3 {1, 2, 3} tp 1
     *   micro: tp 4, predicted 10, gold 5 -> P 0.4, R 0.8, F1 8/15 */
    const float thr[4] = {0.5f, 0.3f, 0.2f, 0.05f};
    setmetrics_compute(&m, S, OFF, LAB, 4, 6, 4, 0.99f, thr, 0);
    ck_assert_int_eq(m.tp, 4);
    ck_assert_int_eq(m.predicted, 10);
    ck_assert_double_eq_tol(m.micro_f1, 8.0 / 15, 1e-15);
    ck_assert_double_eq_tol(m.micro_precision, 0.4, 1e-15);
    ck_assert_double_eq_tol(m.micro_recall, 0.8, 1e-15);
    setmetrics_free(&m);
}
END_TEST

START_TEST(test_set_metrics_empty)
{
    SetMetrics m;
    const int64_t off[1] = {0};
    setmetrics_compute(&m, NULL, off, NULL, 0, 3, 3, 0.5f, NULL, 0);
    ck_assert_double_eq(m.micro_f1, 0.0);
    ck_assert_double_eq(m.macro_f1, 0.0);
    setmetrics_free(&m);
}
END_TEST

static const float *cmp_scores;

static int cmp_rank(const void *a, const void *b)
{
    int32_t x = *(const int32_t *)a, y = *(const int32_t *)b;
    float sx = cmp_scores[x], sy = cmp_scores[y];
    if (sx != sy) return sx > sy ? -1 : 1;
    return (x > y) - (x < y);
}

START_TEST(test_topk_matches_a_full_sort)
{
    /* Scores drawn from 5 values, so ties are everywhere. */
    Rng r;
    rng_seed(&r, 17);
    float s[30];
    int32_t got[30], all[30];
    for (int trial = 0; trial < 500; trial++) {
        int C = 1 + (int)rng_below(&r, 30), k = (int)rng_below(&r, 34) - 1;
        float threshold = 0.25f * (float)rng_below(&r, 4);
        for (int c = 0; c < C; c++) s[c] = 0.25f * (float)rng_below(&r, 5);
        int m = rankmetrics_topk(got, s, C, k, threshold);
        for (int c = 0; c < C; c++) all[c] = c;
        cmp_scores = s;
        qsort(all, (size_t)C, sizeof *all, cmp_rank);
        int want = 0, cap = k <= 0 || k > C ? C : k;
        while (want < cap && want < C && s[all[want]] >= threshold) want++;
        ck_assert_int_eq(m, want);
        for (int j = 0; j < m; j++) ck_assert_int_eq(got[j], all[j]);
    }
}
END_TEST

START_TEST(test_label_index)
{
    LabelIndex ix;
    labelindex_build(&ix, OFF, LAB, 4, 4);
    /* label 1: docs 0, 3; label 2: doc 0; label 3: doc 1; label 5 (unknown) left out */
    const int64_t want_off[5] = {0, 0, 2, 3, 4}, want_doc[4] = {0, 3, 0, 1};
    for (int c = 0; c <= 4; c++) ck_assert_int_eq(ix.off[c], want_off[c]);
    for (int j = 0; j < 4; j++) ck_assert_int_eq(ix.doc[j], want_doc[j]);
    labelindex_free(&ix);
}
END_TEST

Suite *rankmetrics_suite(void)
{
    Suite *s = suite_create("rankmetrics");
    TCase *tc = tcase_create("rankmetrics");
    tcase_add_test(tc, test_p_at_k_by_hand);
    tcase_add_test(tc, test_drop_unknown_skips_a_document_left_empty);
    tcase_add_test(tc, test_set_metrics_by_hand);
    tcase_add_test(tc, test_set_metrics_empty);
    tcase_add_test(tc, test_topk_matches_a_full_sort);
    tcase_add_test(tc, test_label_index);
    suite_add_tcase(s, tc);
    return s;
}
