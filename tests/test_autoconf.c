/* test_autoconf.c - the corpus-aware defaults: the rules at and around their
 * thresholds, the statistics they read, and how the pipeline applies them to the
 * keys left "auto" (and only to those). */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "autoconf.h"
#include "config.h"
#include "pipeline.h"

static AutoStats words(double mean, int64_t docs)
{
    return (AutoStats){.docs = docs, .mean_words = mean, .classes = 2};
}

START_TEST(test_token_dropout_by_length)
{
    AutoStats s = words(10.2, 5000);
    ck_assert(autoconf_token_dropout(&s) == 0.0);
    s.mean_words = 14.99;
    ck_assert(autoconf_token_dropout(&s) == 0.0);
    s.mean_words = AUTOCONF_SHORT_WORDS;
    ck_assert(autoconf_token_dropout(&s) == 0.2);
    s.mean_words = 2000;
    ck_assert(autoconf_token_dropout(&s) == 0.2);
}
END_TEST

START_TEST(test_context_by_length)
{
    AutoStats s = words(10.7, 4906);
    ck_assert(autoconf_context(&s));
    s.mean_words = AUTOCONF_SHORT_WORDS;
    ck_assert(!autoconf_context(&s));
}
END_TEST

START_TEST(test_bayes_weight_by_length)
{
    AutoStats s = words(9.9, 57386);
    ck_assert(autoconf_bayes_weight(&s) == 0.2);
    s.mean_words = 99.9;
    ck_assert(autoconf_bayes_weight(&s) == 0.2);
    s.mean_words = AUTOCONF_LONG_WORDS;
    ck_assert(autoconf_bayes_weight(&s) == 0.05);
    s.mean_words = 270;
    ck_assert(autoconf_bayes_weight(&s) == 0.05);
}
END_TEST

START_TEST(test_epochs_by_size)
{
    /* About 100k documents seen, rounded, within [5, 10]. */
    const int64_t docs[] = {1, 1500, 4906, 10000, 13333, 15000, 19999, 20001, 22500, 57386, 3600000};
    const int want[] = {10, 10, 10, 10, 8, 7, 5, 5, 5, 5, 5};
    for (size_t i = 0; i < sizeof docs / sizeof *docs; i++) {
        AutoStats s = words(20, docs[i]);
        ck_assert_msg(autoconf_epochs(&s) == want[i], "%lld docs: %d epochs, want %d", (long long)docs[i],
                      autoconf_epochs(&s), want[i]);
    }
}
END_TEST

/* Rows 0..3 are words, 4 is UNK, 5.. are n-gram buckets; a negative id continues a
 * character n-gram bag, which belongs to its word. */
static void three_docs(Dataset *ds)
{
    const int32_t d0[] = {0, 1, 7, 2, 9}, d1[] = {4, 3, 6}, d2[] = {2, ~8, ~9, 1, 5};
    const int32_t lab = 0;
    dataset_init(ds);
    dataset_append(ds, d0, 5, NULL, 0, &lab, 1);
    dataset_append(ds, d1, 3, NULL, 0, &lab, 1);
    dataset_append(ds, d2, 5, NULL, 0, &lab, 1);
}

START_TEST(test_stats_count_words_not_ngrams)
{
    Dataset ds;
    three_docs(&ds);
    AutoStats s = autoconf_stats(&ds, 4, 3);
    ck_assert_int_eq(s.docs, 3);
    ck_assert_int_eq(s.classes, 3);
    ck_assert_double_eq_tol(s.mean_words, 7.0 / 3.0, 1e-12);
    /* Counted in slices (their offsets do not start at 0), the words add up. */
    Dataset a, b;
    dataset_slice(&a, &ds, 0, 1);
    dataset_slice(&b, &ds, 1, ds.n);
    ck_assert_int_eq(autoconf_words(&a, 4) + autoconf_words(&b, 4), 7);
    AutoStats t = autoconf_stats_of(ds.n, autoconf_words(&a, 4) + autoconf_words(&b, 4), 3);
    ck_assert(t.mean_words == s.mean_words && t.docs == s.docs && t.classes == s.classes);
    dataset_free(&ds);
    dataset_init(&ds);
    s = autoconf_stats(&ds, 4, 2);
    ck_assert_int_eq(s.docs, 0);
    ck_assert(s.mean_words == 0.0);
    dataset_free(&ds);
}
END_TEST

static void set_ok(Config *cfg, const char *assignment)
{
    Status st;
    ck_assert_msg(config_set(cfg, assignment, &st) == 0, "%s", st.msg);
}

START_TEST(test_pipeline_resolves_only_auto_keys)
{
    Classifier c;
    memset(&c, 0, sizeof c);
    c.enc.vocab.n = 4;
    c.labels.n = 2;
    TrainData data;
    memset(&data, 0, sizeof data);
    three_docs(&data.train);
    Config cfg;
    config_defaults(&cfg);
    char note[512];
    pipeline_autoconf(&cfg, &c, &data, note, sizeof note);
    ck_assert(cfg.train.step.token_dropout == 0.0);
    ck_assert(cfg.bayes.weight == 0.2);
    ck_assert_int_eq(cfg.train.fit.epochs, 10);
    ck_assert(!config_is_auto(&cfg, "model.token_dropout") && !config_is_auto(&cfg, "bayes.weight") &&
              !config_is_auto(&cfg, "train.epochs"));
    ck_assert(cfg.model.context && cfg.model.gate);
    ck_assert_str_eq(note, "model.context=true model.gate=true model.token_dropout=0 bayes.weight=0.2 "
                           "(2.3 tokens/doc) train.epochs=10 (3 train docs) train.refit=false (no validation split)");
    /* Resolved, the config prints and reloads as numbers: what a run stores. */
    char *json = config_to_json(&cfg);
    Config back;
    config_defaults(&back);
    Status st;
    ck_assert_msg(config_load_string(&back, json, "resolved", &st) == 0, "%s", st.msg);
    for (int i = 0; config_key_name(i); i++) ck_assert_msg(!config_is_auto(&back, config_key_name(i)), "%d", i);
    ck_assert(back.train.step.token_dropout == 0.0 && back.bayes.weight == 0.2 && back.train.fit.epochs == 10);
    free(json);
    config_free(&back);
    config_free(&cfg);

    /* What a file or --set gives is kept, and the note leaves it out. */
    config_defaults(&cfg);
    set_ok(&cfg, "model.token_dropout=0.35");
    set_ok(&cfg, "train.epochs=3");
    set_ok(&cfg, "train.refit=true");
    pipeline_autoconf(&cfg, &c, &data, note, sizeof note);
    ck_assert(cfg.train.step.token_dropout == 0.35);
    ck_assert_int_eq(cfg.train.fit.epochs, 3);
    ck_assert(cfg.train.refit);
    ck_assert_str_eq(note, "model.context=true model.gate=true bayes.weight=0.2 (2.3 tokens/doc)");
    set_ok(&cfg, "bayes.weight=auto");
    ck_assert(config_is_auto(&cfg, "bayes.weight"));
    config_free(&cfg);

    /* Context and gate need dot attention: with additive they stay off. */
    config_defaults(&cfg);
    set_ok(&cfg, "model.attention=additive");
    pipeline_autoconf(&cfg, &c, &data, note, sizeof note);
    ck_assert(!cfg.model.context && !cfg.model.gate);
    set_ok(&cfg, "data.train=x.csv");
    set_ok(&cfg, "output.dir=out");
    Status vst;
    ck_assert_msg(config_validate(&cfg, &vst) == 0, "%s", vst.msg);
    config_free(&cfg);

    /* Nothing left to the corpus: no note. */
    config_defaults(&cfg);
    for (const char *const *a = (const char *const[]){"model.context=false", "model.gate=false",
                                                          "model.token_dropout=0.5", "bayes.weight=0",
                                                          "train.epochs=5", "train.refit=false", NULL};
         *a; a++)
        set_ok(&cfg, *a);
    pipeline_autoconf(&cfg, &c, &data, note, sizeof note);
    ck_assert_str_eq(note, "");
    config_free(&cfg);

    /* train.refit: on when validation was split off the training file, off when it
     * comes from data.valid (which may be held back to be scored). */
    three_docs(&data.valid);
    const char *const refit_by[2][2] = {{NULL, "train.refit=true (validation split off the training file)"},
                                        {"data.valid=v.csv", "train.refit=false (validation from data.valid)"}};
    for (int k = 0; k < 2; k++) {
        config_defaults(&cfg);
        for (const char *const *a = (const char *const[]){"model.context=false", "model.gate=false",
                                                              "model.token_dropout=0.5", "bayes.weight=0",
                                                              "train.epochs=5", NULL};
             *a; a++)
            set_ok(&cfg, *a);
        if (refit_by[k][0]) set_ok(&cfg, refit_by[k][0]);
        pipeline_autoconf(&cfg, &c, &data, note, sizeof note);
        ck_assert_str_eq(note, refit_by[k][1]);
        ck_assert_int_eq(cfg.train.refit, k == 0);
        ck_assert(!config_is_auto(&cfg, "train.refit"));
        config_free(&cfg);
    }
    dataset_free(&data.valid);
    dataset_free(&data.train);
}
END_TEST

START_TEST(test_auto_only_where_allowed)
{
    Config cfg;
    Status st;
    config_defaults(&cfg);
    ck_assert_int_eq(config_set(&cfg, "model.dim=auto", &st), -1);
    ck_assert_str_eq(st.msg, "--set model.dim=auto: model.dim must be an integer, got \"auto\"");
    ck_assert_int_eq(config_set(&cfg, "train.epochs=ten", &st), -1);
    ck_assert_str_eq(st.msg, "--set train.epochs=ten: train.epochs must be an integer or \"auto\", got \"ten\"");
    /* Bounds apply to a number, not to "auto". */
    set_ok(&cfg, "data.train=x.csv");
    set_ok(&cfg, "output.dir=out");
    ck_assert_msg(config_validate(&cfg, &st) == 0, "%s", st.msg);
    set_ok(&cfg, "train.epochs=0");
    ck_assert_int_eq(config_validate(&cfg, &st), -1);
    ck_assert_str_eq(st.msg, "--set train.epochs=0: train.epochs must be >= 1, got 0");
    config_free(&cfg);
}
END_TEST

Suite *autoconf_suite(void)
{
    Suite *s = suite_create("autoconf");
    TCase *tc = tcase_create("autoconf");
    tcase_add_test(tc, test_token_dropout_by_length);
    tcase_add_test(tc, test_context_by_length);
    tcase_add_test(tc, test_bayes_weight_by_length);
    tcase_add_test(tc, test_epochs_by_size);
    tcase_add_test(tc, test_stats_count_words_not_ngrams);
    tcase_add_test(tc, test_pipeline_resolves_only_auto_keys);
    tcase_add_test(tc, test_auto_only_where_allowed);
    suite_add_tcase(s, tc);
    return s;
}
