/* test_folds.c - folds.h: other splits of a tuning corpus (every document
 * once per fold, disjoint validation blocks, documents with a label training
 * never saw kept in validation, the same split for the same seed); and tune's
 * finalists compared on them (tune.h), repeatably. */
#include <check.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include "fit.h"
#include "fixture.h"
#include "folds.h"
#include "tune.h"

enum { N_TRAIN = 40, N_VALID = 8, CLASSES = 3 };

/* Document i of the pool: ids {i, i} and a label; its weight 1 + i. The last
 * validation document has label CLASSES, one training never saw. */
static void folds_doc(Dataset *ds, int i, int unknown)
{
    const int32_t ids[2] = {i, i}, lab = unknown ? CLASSES : i % CLASSES;
    const uint64_t feat[2] = {(uint64_t)i, (uint64_t)i};
    dataset_append(ds, ids, 2, feat, 2, &lab, 1);
    dataset_set_weight(ds, 1.0f + (float)i);
}

static void folds_corpus(TrainData *td)
{
    memset(td, 0, sizeof *td);
    Dataset *sets[] = {&td->train, &td->valid, &td->words_train, &td->words_valid};
    for (int k = 0; k < 4; k++) dataset_init(sets[k]);
    vocab_init(&td->unknown_valid);
    vocab_add(&td->unknown_valid, "new", 3);
    for (int i = 0; i < N_TRAIN + N_VALID; i++) {
        const int valid = i >= N_TRAIN, unknown = i == N_TRAIN + N_VALID - 1;
        folds_doc(valid ? &td->valid : &td->train, i, unknown);
        folds_doc(valid ? &td->words_valid : &td->words_train, i, unknown);
    }
}

/* Marks where each pool document went: side[id] = 1 training, 2 validation. */
static void folds_sides(const Dataset *tr, const Dataset *va, int *side)
{
    for (int s = 0; s < 2; s++) {
        const Dataset *ds = s ? va : tr;
        for (int64_t d = 0; d < ds->n; d++) {
            const int id = ds->ids[ds->off[d]];
            ck_assert_int_eq(side[id], 0);
            ck_assert_int_eq(ds->off[d + 1] - ds->off[d], 2);
            ck_assert_int_eq(dataset_label(ds, d), id == N_TRAIN + N_VALID - 1 ? CLASSES : id % CLASSES);
            ck_assert(dataset_weight(ds, d) == 1.0f + (float)id);
            side[id] = 1 + s;
        }
    }
}

START_TEST(test_folds_split)
{
    TrainData src, f[3];
    folds_corpus(&src);
    int held[N_TRAIN + N_VALID] = {0};
    for (int k = 1; k <= 3; k++) {
        ck_assert_int_eq(folds_make(&src, CLASSES, k, 7, k == 1, &f[k - 1]), 0);
        const TrainData *t = &f[k - 1];
        /* 7 validation documents with known labels: a block of 7, and the unknown-labelled one. */
        ck_assert_int_eq(t->words_valid.n, N_VALID);
        ck_assert_int_eq(t->words_train.n, N_TRAIN);
        int side[N_TRAIN + N_VALID] = {0}, rows[N_TRAIN + N_VALID] = {0};
        folds_sides(&t->words_train, &t->words_valid, side);
        if (k == 1) {
            folds_sides(&t->train, &t->valid, rows);
            ck_assert(memcmp(side, rows, sizeof side) == 0);
        } else {
            ck_assert_int_eq(t->train.n + t->valid.n, 0);
        }
        for (int i = 0; i < N_TRAIN + N_VALID; i++) {
            ck_assert_int_gt(side[i], 0);
            if (i >= N_TRAIN) ck_assert_int_eq(side[i], i == N_TRAIN + N_VALID - 1 ? 2 : 1);
            if (side[i] == 2 && i < N_TRAIN) {
                ck_assert_msg(held[i] == 0, "document %d validates in two folds", i);
                held[i] = k;
            }
        }
        ck_assert_int_eq(t->unknown_valid.n, 1);
    }
    /* The same seed, the same split; another seed, another. */
    TrainData again, other;
    ck_assert_int_eq(folds_make(&src, CLASSES, 2, 7, 0, &again), 0);
    ck_assert_int_eq(folds_make(&src, CLASSES, 2, 8, 0, &other), 0);
    int a[N_TRAIN + N_VALID] = {0}, b[N_TRAIN + N_VALID] = {0}, c[N_TRAIN + N_VALID] = {0};
    folds_sides(&again.words_train, &again.words_valid, a);
    folds_sides(&f[1].words_train, &f[1].words_valid, b);
    folds_sides(&other.words_train, &other.words_valid, c);
    ck_assert(memcmp(a, b, sizeof a) == 0);
    ck_assert(memcmp(a, c, sizeof a) != 0);
    for (int k = 0; k < 3; k++) folds_free(&f[k]);
    folds_free(&again);
    folds_free(&other);
    corpus_free(&src);
}
END_TEST

/* No fold without validation documents of known labels, or with too few training ones. */
START_TEST(test_folds_too_small)
{
    TrainData src, out;
    folds_corpus(&src);
    ck_assert_int_eq(folds_make(&src, CLASSES, 0, 7, 0, &out), -1);
    src.words_train.n = 13; /* fewer than twice the 7 validation documents */
    ck_assert_int_eq(folds_make(&src, CLASSES, 1, 7, 0, &out), -1);
    src.words_train.n = N_TRAIN;
    src.words_valid.n = 0;
    ck_assert_int_eq(folds_make(&src, CLASSES, 1, 7, 0, &out), -1);
    src.words_valid.n = N_VALID;
    corpus_free(&src);
}
END_TEST

static void tune_config_for(Config *cfg, char *dir, size_t cap)
{
    char corpus[300], set[400];
    Status st;
    fixture_tmpdir(dir, cap);
    snprintf(corpus, sizeof corpus, "%s/train.csv", dir);
    fixture_corpus(corpus, 200, 4);
    config_defaults(cfg);
    const char *sets[] = {"tokenizer.buckets=1000", "train.threads=1", "train.epochs=2", "data.valid_fraction=0.2"};
    for (size_t i = 0; i < sizeof sets / sizeof *sets; i++) ck_assert_int_eq(config_set(cfg, sets[i], &st), 0);
    snprintf(set, sizeof set, "data.train=%s", corpus);
    ck_assert_int_eq(config_set(cfg, set, &st), 0);
    snprintf(set, sizeof set, "output.dir=%s/out", dir);
    ck_assert_int_eq(config_set(cfg, set, &st), 0);
    ck_assert_msg(config_validate(cfg, &st) == 0, "%s", st.msg);
}

/* A TuneObserver that asks for a stop, as Ctrl-C does, once the first
 * finalist's run on fold 1 has ended. */
static void stop_on_fold(void *ctx, const TuneReport *r)
{
    int *seen = ctx;
    if (r->trial->fold > 0 && (*seen)++ == 0) fit_request_stop(SIGINT);
}

/* Ctrl-C while the finalists run on the folds: the search's best (by its own
 * validation split) stands, and nothing claims a mean over folds. */
START_TEST(test_tune_folds_interrupted)
{
    char dir[256];
    Config cfg;
    Status st;
    tune_config_for(&cfg, dir, sizeof dir);
    TuneOptions o = {.trials = 5, .folds = 4};
    int seen = 0;
    TuneObserver obs = {.ctx = &seen, .on_trial = stop_on_fold};
    TuneResult res;
    Config best;
    ck_assert_msg(tune_run(&cfg, &o, &obs, NULL, &res, &best, &st) == 0, "%s", st.msg);
    fit_request_stop(0);
    config_free(&best);
    ck_assert_int_eq(res.interrupted, SIGINT);
    ck_assert_int_eq(seen, 1);
    ck_assert_int_eq(res.folds, 0);
    ck_assert_int_eq(res.n, 5);
    for (int t = 0; t < res.n; t++) {
        const TuneTrial *x = &res.trials[t], *b = &res.trials[res.best];
        ck_assert_int_eq(x->folds, 0);
        ck_assert(x->metric < b->metric || (x->metric == b->metric && (x->valid_loss > b->valid_loss || t >= res.best)));
    }
    tune_result_free(&res);
    config_free(&cfg);
    fixture_rmtree(dir);
}
END_TEST

/* tune with folds: the finalists (the best four and trial 0) run on every
 * other fold, the winner has the best mean there, and the same trials and seed
 * give the same result. */
START_TEST(test_tune_folds)
{
    char dir[256];
    Config cfg;
    Status st;
    tune_config_for(&cfg, dir, sizeof dir);
    TuneOptions o = {.trials = 7, .folds = 3};
    TuneResult res[2];
    for (int run = 0; run < 2; run++) {
        Config best;
        ck_assert_msg(tune_run(&cfg, &o, NULL, NULL, &res[run], &best, &st) == 0, "%s", st.msg);
        config_free(&best);
    }
    ck_assert_int_eq(res[0].folds, 2);
    ck_assert_int_eq(res[0].best, res[1].best);
    int finalists = 0;
    const TuneTrial *b = &res[0].trials[res[0].best];
    ck_assert_int_eq(b->folds, 2);
    for (int t = 0; t < res[0].n; t++) {
        const TuneTrial *x = &res[0].trials[t], *y = &res[1].trials[t];
        ck_assert(x->fold_metric == y->fold_metric && x->folds == y->folds);
        if (x->folds == 0) {
            ck_assert(x->fold_metric == x->metric);
            continue;
        }
        finalists++;
        ck_assert(x->fold_metric <= b->fold_metric);
    }
    ck_assert_int_eq(res[0].trials[0].folds, 2);
    ck_assert_int_ge(finalists, 4);
    ck_assert_int_le(finalists, TUNE_FINALISTS + 1);
    tune_result_free(&res[0]);
    tune_result_free(&res[1]);
    config_free(&cfg);
    fixture_rmtree(dir);
}
END_TEST

Suite *folds_suite(void)
{
    Suite *s = suite_create("folds");
    TCase *tc = tcase_create("folds");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_folds_split);
    tcase_add_test(tc, test_folds_too_small);
    tcase_add_test(tc, test_tune_folds);
    tcase_add_test(tc, test_tune_folds_interrupted);
    suite_add_tcase(s, tc);
    return s;
}
