/* test_optim.c - Adam against steps computed by hand, the schedule and clipping. */
#include <check.h>
#include <math.h>

#include "optim.h"

START_TEST(test_adam_two_steps_by_hand)
{
    /* Step 1, g = 0.5: m = 0.1*0.5 = 0.05, v = 0.001*0.25 = 0.00025,
     * mhat = 0.05/0.1 = 0.5, vhat = 0.00025/0.001 = 0.25, sqrt = 0.5,
     * p = 1 - 0.1*(0.5/0.5 + 0.01*1) = 1 - 0.1*1.01 = 0.899. */
    float p = 1.0f, m = 0.0f, v = 0.0f, g = 0.5f;
    {
        AdamStep as = adam_step_params(1.0f, 0.1f, 0.01f, 1);
        adam_update(&p, &m, &v, &g, 1, &as);
    }
    ck_assert_float_eq_tol(m, 0.05f, 1e-7f);
    ck_assert_float_eq_tol(v, 0.00025f, 1e-8f);
    ck_assert_float_eq_tol(p, 0.899f, 1e-6f);
    /* Step 2, g = -1 scaled by gscale 0.5 -> -0.5:
     * m = 0.9*0.05 - 0.1*0.5 = -0.005, v = 0.999*0.00025 + 0.001*0.25 = 0.00049975,
     * mhat = -0.005/0.19 = -0.0263158, vhat = 0.00049975/0.001999 = 0.25000,
     * p = 0.899 - 0.1*(-0.0263158/0.5 + 0.01*0.899) = 0.899 + 0.0052632 - 0.000899 = 0.9033642. */
    g = -1.0f;
    {
        AdamStep as = adam_step_params(0.5f, 0.1f, 0.01f, 2);
        adam_update(&p, &m, &v, &g, 1, &as);
    }
    ck_assert_float_eq_tol(m, -0.005f, 1e-7f);
    ck_assert_float_eq_tol(v, 0.00049975f, 1e-8f);
    ck_assert_float_eq_tol(p, 0.9033642f, 1e-6f);
}
END_TEST

START_TEST(test_adam_vector_matches_scalar)
{
    float p[3] = {1, -2, 3}, m[3] = {0}, v[3] = {0}, g[3] = {0.1f, 0.2f, -0.3f};
    for (int i = 0; i < 3; i++) {
        float ps = p[i], ms = 0, vs = 0;
        {
        AdamStep as = adam_step_params(1.0f, 0.01f, 0.0f, 1);
        adam_update(&ps, &ms, &vs, &g[i], 1, &as);
    }
        /* The first step of Adam moves each weight by lr * sign(g) (up to eps). */
        ck_assert_float_eq_tol(ps, p[i] - 0.01f * (g[i] > 0 ? 1.0f : -1.0f), 1e-6f);
    }
    {
        AdamStep as = adam_step_params(1.0f, 0.01f, 0.0f, 1);
        adam_update(p, m, v, g, 3, &as);
    }
    ck_assert_float_eq_tol(p[0], 0.99f, 1e-6f);
    ck_assert_float_eq_tol(p[2], 3.01f, 1e-6f);
}
END_TEST

START_TEST(test_lr_schedule)
{
    AdamOptions tc = {.lr = 0.1, .warmup = 0.1, .lr_schedule = LR_LINEAR};
    const LrPlan plan = {.total = 100};
    /* 100 steps, 10 of warmup: 0.01, 0.02, ... 0.1, then down to 0 at the end. */
    ck_assert_float_eq_tol(optim_lr(&tc, &plan, 0), 0.01f, 1e-7f);
    ck_assert_float_eq_tol(optim_lr(&tc, &plan, 9), 0.1f, 1e-7f);
    ck_assert_float_eq_tol(optim_lr(&tc, &plan, 10), 0.1f, 1e-7f);
    ck_assert_float_eq_tol(optim_lr(&tc, &plan, 55), 0.05f, 1e-7f);
    ck_assert_float_eq_tol(optim_lr(&tc, &plan, 99), 0.1f / 90.0f, 1e-7f);
    tc.lr_schedule = LR_CONSTANT;
    tc.warmup = 0.0;
    ck_assert_float_eq_tol(optim_lr(&tc, &plan, 99), 0.1f, 1e-7f);
    /* Extended at step 100 from a last rate of 0.001 to 200 steps: the rate goes on
     * from there and decays to 0 at the new end, without a jump. */
    tc.lr_schedule = LR_LINEAR;
    const LrPlan more = {.total = 200, .from_step = 100, .from_lr = 0.001};
    ck_assert_float_eq_tol(optim_lr(&tc, &more, 100), 0.001f, 1e-9f);
    ck_assert_float_eq_tol(optim_lr(&tc, &more, 150), 0.0005f, 1e-9f);
    ck_assert_float_eq_tol(optim_lr(&tc, &more, 199), 0.00001f, 1e-9f);
    tc.lr_schedule = LR_CONSTANT;
    ck_assert_float_eq_tol(optim_lr(&tc, &more, 150), 0.1f, 1e-7f);
}
END_TEST

START_TEST(test_clip_scale)
{
    ck_assert_float_eq(optim_clip_scale(16.0, 0.0), 1.0f);
    ck_assert_float_eq(optim_clip_scale(0.25, 1.0), 1.0f);
    ck_assert_float_eq_tol(optim_clip_scale(16.0, 1.0), 0.25f, 1e-7f);
}
END_TEST

Suite *optim_suite(void)
{
    Suite *s = suite_create("optim");
    TCase *tc = tcase_create("adam");
    tcase_add_test(tc, test_adam_two_steps_by_hand);
    tcase_add_test(tc, test_adam_vector_matches_scalar);
    tcase_add_test(tc, test_lr_schedule);
    tcase_add_test(tc, test_clip_scale);
    suite_add_tcase(s, tc);
    return s;
}
