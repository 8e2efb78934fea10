/* test_sort.c - sort_u64 against its qsort reference on every shape of input that
 * steers its ways (the radix pass, insertion runs, partitions, heapsort past the
 * depth bound). */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "mem.h"
#include "rng.h"
#include "sort.h"

enum { SHAPE_RANDOM, SHAPE_FEW, SHAPE_SORTED, SHAPE_REVERSED, SHAPE_EQUAL, SHAPE_ORGAN, SHAPE_SAW, SHAPES };

/* n keys of the given shape: random 64-bit, 3 distinct values, ascending, descending,
 * all equal, up then down, and a sawtooth of period 7. */
static void fill(uint64_t *a, int64_t n, int shape, Rng *r)
{
    for (int64_t i = 0; i < n; i++) {
        switch (shape) {
        case SHAPE_RANDOM: a[i] = rng_next(r); break;
        case SHAPE_FEW: a[i] = rng_below(r, 3) * 0x8000000000000001ull; break;
        case SHAPE_SORTED: a[i] = (uint64_t)i * 3; break;
        case SHAPE_REVERSED: a[i] = UINT64_MAX - (uint64_t)i; break;
        case SHAPE_EQUAL: a[i] = 42; break;
        case SHAPE_ORGAN: a[i] = (uint64_t)(i < n / 2 ? i : n - i); break;
        default: a[i] = (uint64_t)(i % 7); break;
        }
    }
}

/* sort_u64_bounded(depth) (depth < 0: sort_u64) gives what qsort gives. */
static void check_shapes(int depth)
{
    static const int64_t sizes[] = {0, 1, 2, 3, 15, 16, 17, 18, 31, 64, 100, 257, 1000, 4099};
    Rng r;
    rng_seed(&r, 7);
    uint64_t *a = xmalloc(4099 * sizeof *a), *b = xmalloc(4099 * sizeof *b);
    for (size_t s = 0; s < sizeof sizes / sizeof *sizes; s++)
        for (int shape = 0; shape < SHAPES; shape++) {
            int64_t n = sizes[s];
            fill(a, n, shape, &r);
            memcpy(b, a, (size_t)n * sizeof *a);
            if (depth < 0)
                sort_u64(a, n);
            else
                sort_u64_bounded(a, n, depth);
            sort_u64_naive(b, n);
            ck_assert_msg(n == 0 || memcmp(a, b, (size_t)n * sizeof *a) == 0, "n %lld shape %d depth %d",
                          (long long)n, shape, depth);
        }
    free(a);
    free(b);
}

START_TEST(sort_matches_qsort)
{
    check_shapes(-1);
}
END_TEST

START_TEST(sort_heapsort_and_shallow_bounds_match_qsort)
{
    /* 0: heapsort at once; 1 and 3: partitions, then heapsort on the larger runs. */
    check_shapes(0);
    check_shapes(1);
    check_shapes(3);
}
END_TEST

START_TEST(sort_random_lengths_match_qsort)
{
    Rng r;
    rng_seed(&r, 11);
    uint64_t *a = xmalloc(3000 * sizeof *a), *b = xmalloc(3000 * sizeof *b);
    for (int t = 0; t < 300; t++) {
        int64_t n = (int64_t)rng_below(&r, 3000);
        uint64_t range = rng_below(&r, 2) ? UINT64_MAX : rng_below(&r, 50) + 1;
        for (int64_t i = 0; i < n; i++) a[i] = range == UINT64_MAX ? rng_next(&r) : rng_below(&r, range);
        memcpy(b, a, (size_t)n * sizeof *a);
        sort_u64(a, n);
        sort_u64_naive(b, n);
        ck_assert(n == 0 || memcmp(a, b, (size_t)n * sizeof *a) == 0);
    }
    free(a);
    free(b);
}
END_TEST

Suite *sort_suite(void)
{
    Suite *s = suite_create("sort");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, sort_matches_qsort);
    tcase_add_test(tc, sort_heapsort_and_shallow_bounds_match_qsort);
    tcase_add_test(tc, sort_random_lengths_match_qsort);
    suite_add_tcase(s, tc);
    return s;
}
