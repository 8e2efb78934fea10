/* test_loss.c - the output losses: one unweighted label against kernels.c bit for
 * bit, finite-difference gradients for both losses (with and without weights,
 * ny = 0, 1, 3), values worked out by hand, and logits of +-1000. */
#include <check.h>
#include <math.h>
#include <string.h>

#include "kernels.h"
#include "loss.h"
#include "rng.h"

enum { NC = 6 };

typedef float (*ForwardFn)(float *, const float *, const int32_t *, int, const float *, int);
typedef void (*BackwardFn)(float *, const float *, const int32_t *, int, const float *, int, float);

static void fill(float *x, int n, float lo, float hi, Rng *r)
{
    for (int i = 0; i < n; i++) x[i] = lo + (hi - lo) * rng_uniform(r);
}

START_TEST(test_softmax_one_label_is_the_kernel)
{
    Rng r;
    rng_seed(&r, 5);
    float logits[40], p1[40], p2[40], d1[40], d2[40];
    for (int trial = 0; trial < 200; trial++) {
        int C = 2 + (int)rng_below(&r, 38);
        float span = trial % 4 == 3 ? 2000.0f : 8.0f; /* some with logits far apart */
        fill(logits, C, -span / 2, span / 2, &r);
        int32_t y = (int32_t)rng_below(&r, (uint64_t)C);
        float scale = trial % 2 ? 1.0f : 0.37f;
        float l1 = kernel_softmax_xent_forward(p1, logits, C, y);
        float l2 = loss_softmax_forward(p2, logits, &y, 1, NULL, C);
        ck_assert(memcmp(&l1, &l2, sizeof l1) == 0);
        ck_assert(memcmp(p1, p2, (size_t)C * sizeof *p1) == 0);
        kernel_softmax_xent_backward(d1, p1, C, y, scale);
        loss_softmax_backward(d2, p2, &y, 1, NULL, C, scale);
        ck_assert(memcmp(d1, d2, (size_t)C * sizeof *d1) == 0);
    }
}
END_TEST

/* Central differences of the forward against the backward's dL/dl, scale 1. */
static void gradcheck(ForwardFn fwd, BackwardFn bwd, const int32_t *y, int ny, const float *w, uint64_t seed)
{
    Rng r;
    rng_seed(&r, seed);
    float logits[NC], probs[NC], d[NC];
    fill(logits, NC, -3.0f, 3.0f, &r);
    fwd(probs, logits, y, ny, w, NC);
    bwd(d, probs, y, ny, w, NC, 1.0f);
    for (int c = 0; c < NC; c++) {
        const float h = 1e-2f, save = logits[c];
        logits[c] = save + h;
        double lp = fwd(probs, logits, y, ny, w, NC);
        logits[c] = save - h;
        double lm = fwd(probs, logits, y, ny, w, NC);
        logits[c] = save;
        double num = (lp - lm) / (2.0 * h);
        ck_assert_msg(fabs(num - d[c]) <= 5e-4 + 3e-3 * fabs(d[c]), "class %d: numeric %.6f vs analytic %.6f (ny %d, w %s)",
                      c, num, d[c], ny, w ? "yes" : "no");
    }
    /* scale multiplies the whole gradient. */
    float d2[NC];
    fwd(probs, logits, y, ny, w, NC);
    bwd(d2, probs, y, ny, w, NC, -2.5f);
    for (int c = 0; c < NC; c++) ck_assert_float_eq_tol(d2[c], -2.5f * d[c], 1e-6f);
}

static const int32_t ys[3] = {4, 0, 2};
static const float weights[NC] = {0.5f, 1.0f, 3.0f, 0.25f, 2.0f, 1.5f};

START_TEST(test_softmax_gradcheck)
{
    for (int ny = 0; ny <= 3; ny++) {
        if (ny == 2) continue;
        gradcheck(loss_softmax_forward, loss_softmax_backward, ys, ny, NULL, 10 + ny);
        gradcheck(loss_softmax_forward, loss_softmax_backward, ys, ny, weights, 20 + ny);
    }
}
END_TEST

START_TEST(test_ova_gradcheck)
{
    for (int ny = 0; ny <= 3; ny++) {
        if (ny == 2) continue;
        gradcheck(loss_ova_forward, loss_ova_backward, ys, ny, NULL, 30 + ny);
        gradcheck(loss_ova_forward, loss_ova_backward, ys, ny, weights, 40 + ny);
    }
}
END_TEST

START_TEST(test_softmax_label_set_by_hand)
{
    /* The set's loss is the (weighted) mean of its members' -log p. */
    const float logits[4] = {1.0f, -0.5f, 2.0f, 0.0f};
    const float w[4] = {2.0f, 1.0f, 0.5f, 1.0f};
    float p[4], d[4];
    double z = exp(1.0) + exp(-0.5) + exp(2.0) + exp(0.0);
    const int32_t y[2] = {0, 2};
    double want = -(log(exp(1.0) / z) + log(exp(2.0) / z)) / 2;
    ck_assert_double_eq_tol(loss_softmax_forward(p, logits, y, 2, NULL, 4), want, 1e-6);
    double wantw = -(2.0 * log(exp(1.0) / z) + 0.5 * log(exp(2.0) / z)) / 2;
    ck_assert_double_eq_tol(loss_softmax_forward(p, logits, y, 2, w, 4), wantw, 1e-6);
    /* dL/dl = wbar p - w_y / ny on members: wbar = 1.25. */
    loss_softmax_backward(d, p, y, 2, w, 4, 1.0f);
    ck_assert_double_eq_tol(d[0], 1.25 * exp(1.0) / z - 1.0, 1e-6);
    ck_assert_double_eq_tol(d[1], 1.25 * exp(-0.5) / z, 1e-6);
    ck_assert_double_eq_tol(d[2], 1.25 * exp(2.0) / z - 0.25, 1e-6);
    /* No label: no loss and no gradient, probabilities still filled. */
    ck_assert_float_eq(loss_softmax_forward(p, logits, y, 0, NULL, 4), 0.0f);
    ck_assert_double_eq_tol(p[2], exp(2.0) / z, 1e-6);
    loss_softmax_backward(d, p, y, 0, NULL, 4, 1.0f);
    for (int c = 0; c < 4; c++) ck_assert_float_eq(d[c], 0.0f);
}
END_TEST

START_TEST(test_ova_by_hand)
{
    /* Zero logits: every binary term is log 2, whatever the targets. */
    float logits[5] = {0}, p[5], d[5];
    const int32_t y[2] = {1, 3};
    ck_assert_double_eq_tol(loss_ova_forward(p, logits, y, 2, NULL, 5), 5 * log(2.0), 1e-6);
    for (int c = 0; c < 5; c++) ck_assert_float_eq(p[c], 0.5f);
    /* The weight goes on the positives only. */
    const float w[5] = {7.0f, 2.0f, 7.0f, 3.0f, 7.0f};
    ck_assert_double_eq_tol(loss_ova_forward(p, logits, y, 2, w, 5), (3 + 2 + 3) * log(2.0), 1e-6);
    loss_ova_backward(d, p, y, 2, w, 5, 1.0f);
    const float want[5] = {0.5f, -1.0f, 0.5f, -1.5f, 0.5f};
    for (int c = 0; c < 5; c++) ck_assert_float_eq_tol(d[c], want[c], 1e-7f);
    /* One logit of 2 as a positive: softplus(-2). */
    logits[1] = 2.0f;
    ck_assert_double_eq_tol(loss_ova_forward(p, logits, y + 0, 1, NULL, 5), 4 * log(2.0) + log1p(exp(-2.0)), 1e-6);
    ck_assert_double_eq_tol(p[1], 1.0 / (1.0 + exp(-2.0)), 1e-7);
}
END_TEST

START_TEST(test_large_logits_stay_finite)
{
    const float logits[4] = {1000.0f, -1000.0f, 1000.0f, -1000.0f};
    const int32_t y[2] = {0, 1}; /* one right with a huge margin, one wrong */
    float p[4], d[4];
    float L = loss_ova_forward(p, logits, y, 2, NULL, 4);
    /* positive at +1000: 0; positive at -1000: 1000; negative at +1000: 1000; negative at -1000: 0. */
    ck_assert_float_eq_tol(L, 2000.0f, 1e-3f);
    const float want_p[4] = {1.0f, 0.0f, 1.0f, 0.0f}, want_d[4] = {0.0f, -1.0f, 1.0f, 0.0f};
    loss_ova_backward(d, p, y, 2, NULL, 4, 1.0f);
    for (int c = 0; c < 4; c++) {
        ck_assert(isfinite(p[c]) && isfinite(d[c]));
        ck_assert_float_eq(p[c], want_p[c]);
        ck_assert_float_eq(d[c], want_d[c]);
    }
    L = loss_softmax_forward(p, logits, y, 2, NULL, 4);
    ck_assert(isfinite(L));
    ck_assert_float_eq_tol(L, (logf(2.0f) + (logf(2.0f) + 2000.0f)) / 2, 1e-3f);
    loss_softmax_backward(d, p, y, 2, NULL, 4, 1.0f);
    for (int c = 0; c < 4; c++) ck_assert(isfinite(p[c]) && isfinite(d[c]));
    ck_assert_float_eq(loss_sigmoid(-1000.0f), 0.0f);
    ck_assert_float_eq(loss_sigmoid(1000.0f), 1.0f);
    ck_assert_double_eq_tol(loss_softplus(-1000.0), 0.0, 1e-300);
    ck_assert_double_eq(loss_softplus(1000.0), 1000.0);
}
END_TEST

Suite *loss_suite(void)
{
    Suite *s = suite_create("loss");
    TCase *tc = tcase_create("loss");
    tcase_add_test(tc, test_softmax_one_label_is_the_kernel);
    tcase_add_test(tc, test_softmax_gradcheck);
    tcase_add_test(tc, test_ova_gradcheck);
    tcase_add_test(tc, test_softmax_label_set_by_hand);
    tcase_add_test(tc, test_ova_by_hand);
    tcase_add_test(tc, test_large_logits_stay_finite);
    suite_add_tcase(s, tc);
    return s;
}
