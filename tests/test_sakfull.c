/* test_sakfull.c - the whole-document attention in registers (sakfull.h) against
 * sakmha's general path, bit for bit: outputs, weights and all three gradients,
 * written and added, for heads of 2, 4 and 8 features, every length from 1 to 24
 * and the longest blocks, whole-document windows (W = 0, W >= T - 1) included.
 * sakmha's own tests compare both against the naive reference. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "rng.h"
#include "sakfull.h"
#include "sakmha.h"

static void test_fill(float *w, size_t n, float a, Rng *r)
{
    for (size_t i = 0; i < n; i++) w[i] = a * (2.0f * rng_uniform(r) - 1.0f);
}

/* The forward and both backwards of one document with the blocks on or off;
 * out holds o, p, then dq, dk, dv added onto `init`, then written over garbage. */
static void test_run(float *out, const float *in, const float *init, float *work, int T, int d, int H, int W,
                     int blocks)
{
    const size_t td = (size_t)T * d, pp = (size_t)H * T * T;
    const float *q = in, *k = q + td, *v = k + td, *dout = v + td;
    float *o = out, *p = o + td, *add = p + pp, *set = add + 3 * td;
    const int was = sakfull_use(blocks);
    sakmha_forward(o, p, work, q, k, v, T, d, H, W);
    memcpy(add, init, 3 * td * sizeof *add);
    sakmha_backward_to(add, add + td, add + 2 * td, work, dout, o, p, q, k, v, T, d, H, W, 0);
    for (size_t i = 0; i < 3 * td; i++) set[i] = 1e30f;
    sakmha_backward_to(set, set + td, set + 2 * td, work, dout, o, p, q, k, v, T, d, H, W, 1);
    sakfull_use(was);
}

START_TEST(test_blocks_match_general_path)
{
    static const int dH[][2] = {{4, 2}, {8, 2}, {16, 4}, {16, 2}, {24, 3}};
    Rng r;
    rng_seed(&r, 17);
    for (int T = 1; T <= SAKFULL_MAX_T; T += T < 24 ? 1 : 20)
        for (int k = 0; k < 5; k++)
            for (int wi = 0; wi < 3; wi++) {
                const int d = dH[k][0], H = dH[k][1], W = wi == 0 ? 0 : wi == 1 ? T - 1 : T + 5;
                if (W < 0 || sakmha_span(T, W) != T) continue;
                /* On a processor with AVX2 the blocks must really run, or this compares a path with itself. */
                if (sakfull_use(1)) ck_assert_msg(sakfull_takes(T, d / H), "T %d d %d H %d", T, d, H);
                const size_t td = (size_t)T * d, n = td + (size_t)H * T * T + 6 * td;
                float *in = malloc(7 * td * sizeof *in), *a = malloc(n * sizeof *a), *b = malloc(n * sizeof *b);
                float *work = malloc(sakmha_work_floats(T, d, W) * sizeof *work);
                test_fill(in, 7 * td, 2.0f, &r); /* q, k, v, do, and the gradients' starting values */
                test_run(a, in, in + 4 * td, work, T, d, H, W, 1);
                test_run(b, in, in + 4 * td, work, T, d, H, W, 0);
                /* o and p: n minus the 6 td of gradients; then the gradients */
                ck_assert_msg(memcmp(a, b, (n - 6 * td) * sizeof *a) == 0, "forward T %d d %d H %d W %d", T, d, H, W);
                ck_assert_msg(memcmp(a + n - 6 * td, b + n - 6 * td, 3 * td * sizeof *a) == 0,
                              "backward (added) T %d d %d H %d W %d", T, d, H, W);
                ck_assert_msg(memcmp(a + n - 3 * td, b + n - 3 * td, 3 * td * sizeof *a) == 0,
                              "backward (written) T %d d %d H %d W %d", T, d, H, W);
                free(in), free(a), free(b), free(work);
            }
}
END_TEST

START_TEST(test_takes_short_documents_only)
{
    const int was = sakfull_use(1), avx2 = sakfull_use(1); /* the second: whether it is on now */
    if (avx2) {
        ck_assert(sakfull_takes(1, 4) && sakfull_takes(SAKFULL_MAX_T, 8) && sakfull_takes(9, 2));
        ck_assert(!sakfull_takes(SAKFULL_MAX_T + 1, 4) && !sakfull_takes(10, 3) && !sakfull_takes(10, 16));
        ck_assert(!sakfull_takes(0, 4));
    }
    sakfull_use(0);
    ck_assert(!sakfull_takes(8, 4));
    sakfull_use(was);
    ck_assert_uint_eq(sakfull_work_floats(1000), sakfull_work_floats(SAKFULL_MAX_T));
}
END_TEST

Suite *sakfull_suite(void)
{
    Suite *s = suite_create("sakfull");
    TCase *tc = tcase_create("blocks");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_blocks_match_general_path);
    tcase_add_test(tc, test_takes_short_documents_only);
    suite_add_tcase(s, tc);
    return s;
}
