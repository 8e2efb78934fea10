/* test_bayes_lr.c - the naive Bayes member's logistic fit (bayes_lr.h): the
 * objective's gradient against finite differences, a fit that lowers it and
 * classifies its training documents, the same bits from the same seed, and a
 * fitted member through its checkpoint section (exact; damaged scales refused),
 * compact and pruned. */
#include <check.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bayes.h"
#include "bayes_lr.h"
#include "fixture.h"
#include "rng.h"

/* n documents of 3 classes over features 1..40: each holds 6-12 distinct
 * features; its class is the one whose block of features (1-10, 11-20, 21-30)
 * it holds most of, ties to the lower, and 31-40 are noise every class shares.
 * One more document has a label (3) the member must ignore. */
static void corpus(Dataset *ds, int n, uint64_t seed)
{
    Rng r;
    rng_seed(&r, seed);
    dataset_init(ds);
    for (int i = 0; i <= n; i++) {
        uint64_t f[12];
        int nf = 6 + (int)rng_below(&r, 7), block[3] = {0, 0, 0};
        for (int k = 0; k < nf; k++) {
            uint64_t x;
            int fresh;
            do {
                x = 1 + rng_below(&r, 40);
                fresh = 1;
                for (int j = 0; j < k; j++) fresh &= f[j] != x;
            } while (!fresh);
            f[k] = x;
            if (x <= 30) block[(x - 1) / 10]++;
        }
        int32_t y = block[1] > block[0] ? 1 : 0;
        if (block[2] > block[y]) y = 2;
        if (i == n) y = 3;
        dataset_append(ds, NULL, 0, f, nf, &y, 1);
    }
}

static const BayesOptions lr_options = {.weight = 1.0, .ngrams = 1, .alpha = 1.0, .fit = BAYES_FIT_LOGISTIC,
                                        .l2 = 0.01, .passes = 20};

/* A member counted and fitted (seed 1) over corpus(ds, n, seed). */
static void fitted(Dataset *ds, int n, uint64_t seed, Bayes *b)
{
    Status st;
    corpus(ds, n, seed);
    ck_assert_int_eq(bayes_fit(b, ds, 3, &lr_options, NULL, &st), 0);
    ck_assert_int_eq(bayes_lr_fit(b, ds, 1, NULL, &st), 0);
}

/* The training documents b's logits put first. */
static int correct(const Bayes *b, const Dataset *ds)
{
    int right = 0;
    for (int64_t i = 0; i < ds->n; i++) {
        float z[3];
        bayes_logits(b, ds->feat + ds->foff[i], ds->foff[i + 1] - ds->foff[i], z);
        int best = 0;
        for (int c = 1; c < 3; c++)
            if (z[c] > z[best]) best = c;
        right += best == dataset_label(ds, i);
    }
    return right;
}

/* dL/du_f and dL/dbias_c against central differences of bayes_lr_loss, at
 * weights away from the fit's start (u drawn in [-1, 2], biases moved), with the
 * classes weighed by w [3] (NULL: all 1). */
static void check_objective_gradient(const float *w)
{
    Dataset ds;
    corpus(&ds, 60, 7);
    Bayes b;
    Status st;
    ck_assert_int_eq(bayes_fit(&b, &ds, 3, &lr_options, NULL, &st), 0);
    Rng r;
    rng_seed(&r, 3);
    b.u = malloc((size_t)b.n * sizeof *b.u);
    for (int64_t i = 0; i < b.n; i++) b.u[i] = -1.0f + 3.0f * rng_uniform(&r);
    for (int c = 0; c < 3; c++) b.prior[c] += 0.3f * (float)c;
    double *du = malloc((size_t)b.n * sizeof *du), db[3];
    bayes_lr_loss(&b, &ds, w, du, db);
    const float h = 1e-2f;
    for (int64_t i = 0; i < b.n; i++) {
        const float u0 = b.u[i];
        b.u[i] = u0 + h;
        const double up = bayes_lr_loss(&b, &ds, w, NULL, NULL);
        b.u[i] = u0 - h;
        const double down = bayes_lr_loss(&b, &ds, w, NULL, NULL);
        b.u[i] = u0;
        const double fd = (up - down) / (2.0 * (double)h);
        ck_assert_msg(fabs(fd - du[i]) <= 1e-4 + 1e-3 * fabs(fd), "u[%lld]: %g vs %g", (long long)i, du[i], fd);
    }
    for (int c = 0; c < 3; c++) {
        const float p0 = b.prior[c];
        b.prior[c] = p0 + h;
        const double up = bayes_lr_loss(&b, &ds, w, NULL, NULL);
        b.prior[c] = p0 - h;
        const double down = bayes_lr_loss(&b, &ds, w, NULL, NULL);
        b.prior[c] = p0;
        const double fd = (up - down) / (2.0 * (double)h);
        ck_assert_msg(fabs(fd - db[c]) <= 1e-4 + 1e-3 * fabs(fd), "bias[%d]: %g vs %g", c, db[c], fd);
    }
    free(du);
    bayes_free(&b);
    dataset_free(&ds);
}

START_TEST(test_objective_gradient)
{
    check_objective_gradient(NULL);
    check_objective_gradient((const float[]){0.5f, 2.0f, 1.25f});
}
END_TEST

/* A class weight of 1 is no weight, bit for bit; other weights weigh each
 * document's loss by its class: with the penalty off, the objective is the
 * weighted mean of the per-class objectives. */
START_TEST(test_class_weights_weigh_documents)
{
    Dataset ds;
    corpus(&ds, 90, 5);
    Bayes a, b;
    Status st;
    BayesOptions o = lr_options;
    o.l2 = 0.0;
    ck_assert_int_eq(bayes_fit(&a, &ds, 3, &o, NULL, &st), 0);
    ck_assert_int_eq(bayes_fit(&b, &ds, 3, &o, (const float[]){1.0f, 1.0f, 1.0f}, &st), 0);
    ck_assert_int_eq(bayes_lr_fit(&a, &ds, 1, NULL, &st), 0);
    ck_assert_int_eq(bayes_lr_fit(&b, &ds, 1, (const float[]){1.0f, 1.0f, 1.0f}, &st), 0);
    ck_assert_mem_eq(a.u, b.u, (size_t)a.n * sizeof *a.u);
    ck_assert_mem_eq(a.prior, b.prior, 3 * sizeof *a.prior);
    double part[3];
    for (int c = 0; c < 3; c++) {
        float only[3] = {0.0f, 0.0f, 0.0f};
        only[c] = 1.0f;
        part[c] = bayes_lr_loss(&a, &ds, only, NULL, NULL);
    }
    const double weighted = bayes_lr_loss(&a, &ds, (const float[]){0.5f, 2.0f, 3.0f}, NULL, NULL);
    ck_assert_double_eq_tol(weighted, 0.5 * part[0] + 2.0 * part[1] + 3.0 * part[2], 1e-9);
    ck_assert_double_eq_tol(bayes_lr_loss(&a, &ds, NULL, NULL, NULL), part[0] + part[1] + part[2], 1e-9);
    Bayes w;
    ck_assert_int_eq(bayes_fit(&w, &ds, 3, &o, NULL, &st), 0);
    ck_assert_int_eq(bayes_lr_fit(&w, &ds, 1, (const float[]){0.5f, 2.0f, 3.0f}, &st), 0);
    ck_assert(memcmp(a.u, w.u, (size_t)a.n * sizeof *a.u) != 0);
    ck_assert(w.prior[2] - w.prior[0] > a.prior[2] - a.prior[0]); /* the heavier class's bias rises */
    bayes_free(&a);
    bayes_free(&b);
    bayes_free(&w);
    dataset_free(&ds);
}
END_TEST

/* The fit lowers the objective from the counts' (u = 1) and puts more training
 * documents right than the counts do; with no penalty, at least as many again. */
START_TEST(test_fit_learns)
{
    Dataset ds;
    corpus(&ds, 200, 11);
    Bayes counts, fit;
    Status st;
    ck_assert_int_eq(bayes_fit(&counts, &ds, 3, &lr_options, NULL, &st), 0);
    ck_assert_int_eq(bayes_fit(&fit, &ds, 3, &lr_options, NULL, &st), 0);
    const double before = bayes_lr_loss(&counts, &ds, NULL, NULL, NULL);
    ck_assert_int_eq(bayes_lr_fit(&fit, &ds, 1, NULL, &st), 0);
    ck_assert_double_eq_tol(fit.lr_loss[0], before, 1e-9);
    ck_assert_double_eq_tol(fit.lr_loss[1], bayes_lr_loss(&fit, &ds, NULL, NULL, NULL), 1e-9);
    ck_assert_double_lt(fit.lr_loss[1], before);
    ck_assert_int_gt(correct(&fit, &ds), correct(&counts, &ds));
    Bayes free_fit;
    BayesOptions o = lr_options;
    o.l2 = 0.0;
    o.passes = 60;
    ck_assert_int_eq(bayes_fit(&free_fit, &ds, 3, &o, NULL, &st), 0);
    ck_assert_int_eq(bayes_lr_fit(&free_fit, &ds, 1, NULL, &st), 0);
    ck_assert_int_ge(correct(&free_fit, &ds), correct(&fit, &ds));
    bayes_free(&free_fit);
    bayes_free(&fit);
    bayes_free(&counts);
    dataset_free(&ds);
}
END_TEST

/* The same seed gives the same bits; another seed another order, so other bits. */
START_TEST(test_fit_same_seed_same_bits)
{
    Dataset ds;
    corpus(&ds, 100, 5);
    Bayes a, b, c;
    Status st;
    Bayes *all[] = {&a, &b, &c};
    const uint64_t seeds[] = {9, 9, 10};
    for (int k = 0; k < 3; k++) {
        ck_assert_int_eq(bayes_fit(all[k], &ds, 3, &lr_options, NULL, &st), 0);
        ck_assert_int_eq(bayes_lr_fit(all[k], &ds, seeds[k], NULL, &st), 0);
    }
    ck_assert_mem_eq(a.u, b.u, (size_t)a.n * sizeof *a.u);
    ck_assert_mem_eq(a.prior, b.prior, 3 * sizeof *a.prior);
    ck_assert(memcmp(a.u, c.u, (size_t)a.n * sizeof *a.u) != 0);
    for (int k = 0; k < 3; k++) bayes_free(all[k]);
    dataset_free(&ds);
}
END_TEST

/* A fitted member through a file: BAYS version 5, the same tables and u, and the
 * same logits bit for bit. */
static void save_load(const Bayes *b, Bayes *l)
{
    char path[32];
    CkptReader rd;
    fixture_bays_file(b, path, &rd);
    Status st;
    CkptSection sec;
    ck_assert(ckpt_find(&rd, "BAYS", &sec));
    ck_assert_int_eq(sec.version, b->compact ? 3 : 5);
    ck_assert_msg(bayes_load(l, &rd, 3, NULL, &st) == 0, "%s", st.msg);
    ckpt_close(&rd);
    unlink(path);
}

START_TEST(test_fitted_member_saves_loads_ships)
{
    Dataset ds;
    Bayes b, l;
    fitted(&ds, 150, 21, &b);
    for (int packed = 0; packed < 2; packed++) {
        if (packed) bayes_pack(&b);
        save_load(&b, &l);
        ck_assert_int_eq(l.n, b.n);
        ck_assert_ptr_nonnull(l.u);
        ck_assert_mem_eq(l.u, b.u, (size_t)b.n * sizeof *b.u);
        ck_assert_mem_eq(l.logp, b.logp, (size_t)b.n * 3 * sizeof *b.logp);
        ck_assert_mem_eq(l.prior, b.prior, 3 * sizeof *b.prior);
        for (int64_t i = 0; i < ds.n; i++) {
            float x[3], y[3];
            const uint64_t *f = ds.feat + ds.foff[i];
            const int64_t nf = ds.foff[i + 1] - ds.foff[i];
            bayes_logits(&b, f, nf, x);
            bayes_logits(&l, f, nf, y);
            ck_assert_mem_eq(x, y, sizeof x);
        }
        bayes_free(&l);
    }
    /* Pruning keeps each kept feature's u: scores of the kept features alone stay. */
    Bayes pruned;
    save_load(&b, &pruned);
    bayes_prune(&pruned, pruned.n - 5);
    ck_assert_int_eq(pruned.n, b.n - 5);
    float x[3], y[3];
    bayes_logits(&pruned, pruned.keys, pruned.n, x);
    bayes_logits(&b, pruned.keys, pruned.n, y);
    ck_assert_mem_eq(x, y, sizeof x);
    bayes_free(&pruned);
    /* Compact (a quantized model's): relative scores within the int8 step per feature. */
    Bayes small;
    save_load(&b, &small);
    bayes_compact(&small);
    ck_assert_ptr_null(small.u);
    Bayes shipped;
    save_load(&small, &shipped);
    for (int64_t i = 0; i < ds.n; i++) {
        float z[3], q[3];
        const uint64_t *f = ds.feat + ds.foff[i];
        const int64_t nf = ds.foff[i + 1] - ds.foff[i];
        bayes_logits(&b, f, nf, z);
        bayes_logits(&shipped, f, nf, q);
        for (int c = 1; c < 3; c++)
            ck_assert_float_eq_tol(q[c] - q[0], z[c] - z[0], 0.5f * shipped.scale * (float)nf + 1e-4f);
    }
    bayes_free(&shipped);
    bayes_free(&small);
    bayes_free(&b);
    dataset_free(&ds);
}
END_TEST

/* A version 5 section whose scales are not finite is named as damaged. */
START_TEST(test_bad_scales_refused)
{
    Dataset ds;
    Bayes b, l;
    Status st;
    fitted(&ds, 40, 4, &b);
    b.u[b.n / 2] = NAN;
    char path[32];
    CkptReader rd;
    fixture_bays_file(&b, path, &rd);
    ck_assert_int_ne(bayes_load(&l, &rd, 3, NULL, &st), 0);
    ck_assert_msg(strstr(st.msg, "BAYS") != NULL, "%s", st.msg);
    ckpt_close(&rd);
    unlink(path);
    bayes_free(&b);
    dataset_free(&ds);
}
END_TEST

/* A member already compact has no counts to fit on: an error, not a crash. */
START_TEST(test_fit_needs_counts)
{
    Dataset ds;
    corpus(&ds, 40, 2);
    Bayes b;
    Status st;
    ck_assert_int_eq(bayes_fit(&b, &ds, 3, &lr_options, NULL, &st), 0);
    bayes_compact(&b);
    ck_assert_int_ne(bayes_lr_fit(&b, &ds, 1, NULL, &st), 0);
    ck_assert_ptr_nonnull(strstr(st.msg, "logistic"));
    bayes_free(&b);
    dataset_free(&ds);
}
END_TEST

Suite *bayes_lr_suite(void)
{
    Suite *s = suite_create("bayes_lr");
    TCase *tc = tcase_create("bayes_lr");
    tcase_add_test(tc, test_objective_gradient);
    tcase_add_test(tc, test_class_weights_weigh_documents);
    tcase_add_test(tc, test_fit_learns);
    tcase_add_test(tc, test_fit_same_seed_same_bits);
    tcase_add_test(tc, test_fitted_member_saves_loads_ships);
    tcase_add_test(tc, test_bad_scales_refused);
    tcase_add_test(tc, test_fit_needs_counts);
    suite_add_tcase(s, tc);
    return s;
}
