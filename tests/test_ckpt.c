/* test_ckpt.c - bit-exact save/load, and every kind of damage detected. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "ckpt.h"
#include "fixture.h"
#include "rng.h"

typedef struct Owned {
    Config cfg;
    Encoder enc;
    Vocab labels;
    Model model;
    Bayes bayes;  /* with context only */
    Adam adam;
    TrainState state;
} Owned;

/* context 0: additive attention with positions; 1: dot attention with context
 * sums and the gate, whose tensors get nonzero values so they must round-trip,
 * and a naive Bayes member. */
static void owned_make(Owned *o, int context)
{
    Status st;
    memset(o, 0, sizeof *o);
    config_defaults(&o->cfg);
    ck_assert_int_eq(config_set(&o->cfg, "data.train=x.csv", &st), 0);
    ck_assert_int_eq(config_set(&o->cfg, "output.dir=runs/x", &st), 0);
    /* The stored config must describe the model (ckpt_read_model checks). */
    const char *model_keys[] = {"model.dim=6", "model.positional=true",
                                context ? "model.attention=dot" : "model.attention=additive",
                                context ? "model.context=true" : "model.context=false",
                                context ? "model.gate=true" : "model.gate=false"};
    for (int i = 0; i < 5; i++) ck_assert_int_eq(config_set(&o->cfg, model_keys[i], &st), 0);
    ck_assert_int_eq(config_set(&o->cfg, context ? "bayes.weight=0.25" : "bayes.weight=0", &st), 0);
    tokenizer_init(&o->enc.tk, 1, 1, 50);
    char *stop[] = {"and", "the"};
    tokenizer_set_stopwords(&o->enc.tk, stop, 2);
    o->enc.ngrams = 2;
    o->enc.buckets = 50;
    vocab_init(&o->enc.vocab);
    const char *words[] = {"good", "bad", "movie", "北"};
    for (int i = 0; i < 4; i++) vocab_add(&o->enc.vocab, words[i], strlen(words[i]));
    vocab_init(&o->labels);
    vocab_add(&o->labels, "neg", 3);
    vocab_add(&o->labels, "pos", 3);
    ModelDims D = {.rows = encoder_rows(&o->enc), .dim = 6, .heads = 2, .classes = 2,
                   .attention = context ? ATTN_DOT : ATTN_ADDITIVE, .positional = 1, .context = context,
                   .gate = context};
    model_init(&o->model, &D);
    model_randomize(&o->model, encoder_unk_row(&o->enc), 5);
    adam_init(&o->adam, o->model.n_params);
    Rng r;
    rng_seed(&r, 9);
    for (int k = TENSOR_CTX_Q; k <= TENSOR_GATE_B; k++)
        for (int64_t i = 0; i < o->model.tensors[k].numel; i++)
            o->model.params[o->model.tensors[k].offset + i] = rng_uniform(&r) - 0.5f;
    for (int64_t i = 0; i < o->model.n_params; i++) {
        o->adam.m[i] = rng_uniform(&r);
        o->adam.v[i] = rng_uniform(&r);
    }
    o->adam.step = 1234;
    if (context) {
        encoder_set_bayes(&o->enc, &o->cfg.bayes);
        bayes_init(&o->bayes, 5, 2, 0.25f);
        for (int i = 0; i < 5; i++) o->bayes.keys[i] = (uint64_t)i * 0x3000000000000000ull + 17;
        for (int i = 0; i < 10; i++) o->bayes.logp[i] = -rng_uniform(&r) * 8;
        o->bayes.prior[0] = -0.5f;
        o->bayes.prior[1] = -0.9f;
    }
    o->state = (TrainState){.epoch = 3, .best_epoch = 2, .bad_epochs = 1, .rng = 0xdeadbeefcafef00dull, .best_acc = 0.875};
}

static void owned_free(Owned *o)
{
    config_free(&o->cfg);
    encoder_free(&o->enc);
    vocab_free(&o->labels);
    model_free(&o->model);
    if (o->bayes.logp) bayes_free(&o->bayes);
    adam_free(&o->adam);
}

static void save(const Owned *o, const char *path)
{
    CkptView v = {&o->cfg, &o->enc, &o->labels, &o->model, o->bayes.logp ? &o->bayes : NULL, &o->adam, &o->state};
    Status st;
    ck_assert_msg(ckpt_save(path, &v, &st) == 0, "%s", st.msg);
}

static void roundtrip(int context)
{
    char dir[256], a[300], b[300];
    fixture_tmpdir(dir, sizeof dir);
    snprintf(a, sizeof a, "%s/a.ckpt", dir);
    snprintf(b, sizeof b, "%s/b.ckpt", dir);
    Owned o;
    owned_make(&o, context);
    save(&o, a);
    Checkpoint ck;
    Status st;
    ck_assert_msg(ckpt_load(a, &ck, &st) == 0, "%s", st.msg);
    size_t bytes = (size_t)o.model.n_params * sizeof(float);
    ck_assert(memcmp(ck.model.params, o.model.params, bytes) == 0);
    ck_assert(memcmp(ck.adam.m, o.adam.m, bytes) == 0);
    ck_assert(memcmp(ck.adam.v, o.adam.v, bytes) == 0);
    ck_assert_int_eq(ck.adam.step, 1234);
    ck_assert_int_eq(ck.enc.vocab.n, 4);
    ck_assert_str_eq(ck.enc.vocab.words[3], "北");
    ck_assert_int_eq(ck.enc.tk.n_stopwords, 2);
    ck_assert_int_eq(ck.enc.tk.max_tokens, 50);
    ck_assert_str_eq(ck.labels.words[1], "pos");
    ck_assert_int_eq(ck.model.dims.attention, context ? ATTN_DOT : ATTN_ADDITIVE);
    ck_assert_int_eq(ck.model.dims.context, context);
    ck_assert_int_eq(ck.model.dims.gate, context);
    ck_assert_int_eq(ck.model.tensors[TENSOR_GATE_W].numel, context ? 36 : 0);
    ck_assert_int_eq(ck.state.epoch, 3);
    ck_assert_uint_eq(ck.state.rng, 0xdeadbeefcafef00dull);
    ck_assert_double_eq(ck.state.best_acc, 0.875);
    ck_assert_str_eq(ck.cfg.data.train, "x.csv");
    if (context) {
        const Bayes *nb = ckpt_bayes(&ck);
        ck_assert_ptr_nonnull(nb);
        ck_assert_int_eq(nb->n, 5);
        ck_assert_int_eq(nb->classes, 2);
        ck_assert(nb->weight == 0.25f);
        ck_assert(memcmp(nb->keys, o.bayes.keys, 5 * sizeof *nb->keys) == 0);
        ck_assert(memcmp(nb->prior, o.bayes.prior, 2 * sizeof *nb->prior) == 0);
        ck_assert(memcmp(nb->logp, o.bayes.logp, 10 * sizeof *nb->logp) == 0);
        ck_assert_int_eq(ck.enc.bayes_ngrams, 3);
    } else {
        ck_assert_ptr_null(ckpt_bayes(&ck));
        ck_assert_int_eq(ck.enc.bayes_ngrams, 0);
    }
    /* Saving what was loaded gives the same bytes. */
    CkptView v = {&ck.cfg, &ck.enc, &ck.labels, &ck.model, ckpt_bayes(&ck), &ck.adam, &ck.state};
    ck_assert_int_eq(ckpt_save(b, &v, &st), 0);
    long na, nb;
    unsigned char *x = fixture_read(a, &na), *y = fixture_read(b, &nb);
    ck_assert_int_eq(na, nb);
    ck_assert(memcmp(x, y, (size_t)na) == 0);
    free(x);
    free(y);
    ckpt_free(&ck);
    /* The model-only load skips the optimiser state and gives the same weights. */
    ck_assert_msg(ckpt_load_model(a, &ck, &st) == 0, "%s", st.msg);
    ck_assert_int_eq(ck.has_adam, 0);
    ck_assert_ptr_null(ck.adam.m);
    ck_assert(memcmp(ck.model.params, o.model.params, bytes) == 0);
    ckpt_free(&ck);
    owned_free(&o);
    fixture_rmtree(dir);
}

START_TEST(test_roundtrip_bit_exact)
{
    roundtrip(0);
    roundtrip(1);
}
END_TEST

static void expect_fail(const char *path, const char *fragment)
{
    Checkpoint ck;
    Status st;
    ck_assert_int_eq(ckpt_load(path, &ck, &st), -1);
    ck_assert_int_eq(st.code, STATUS_ERROR);
    ck_assert_msg(strstr(st.msg, fragment) != NULL, "message \"%s\" lacks \"%s\"", st.msg, fragment);
    ck_assert_msg(strstr(st.msg, path) != NULL, "message \"%s\" does not name the file", st.msg);
}

START_TEST(test_config_must_match_model)
{
    /* Checksummed files whose config does not describe what they hold (the gate
     * turned off over a model that has one; a naive Bayes member missing or not
     * announced): resuming would train a model its own config does not describe,
     * so they do not load. */
    char dir[256], path[300];
    fixture_tmpdir(dir, sizeof dir);
    snprintf(path, sizeof path, "%s/mismatch.ckpt", dir);
    Owned o;
    owned_make(&o, 1);
    Status st;
    ck_assert_int_eq(config_set(&o.cfg, "model.gate=false", &st), 0);
    save(&o, path);
    expect_fail(path, "inconsistent");
    ck_assert_int_eq(config_set(&o.cfg, "model.gate=true", &st), 0);
    /* The naive Bayes table must be there exactly when the config has a member,
     * with its keys strictly ascending (lookups binary-search them). */
    ck_assert_int_eq(config_set(&o.cfg, "bayes.weight=0", &st), 0);
    save(&o, path);
    expect_fail(path, "inconsistent");
    ck_assert_int_eq(config_set(&o.cfg, "bayes.weight=0.25", &st), 0);
    Bayes keep = o.bayes;
    o.bayes.logp = NULL;
    save(&o, path);
    expect_fail(path, "inconsistent");
    o.bayes = keep;
    o.bayes.keys[3] = o.bayes.keys[2];
    save(&o, path);
    expect_fail(path, "inconsistent");
    owned_free(&o);
    fixture_rmtree(dir);
}
END_TEST

START_TEST(test_damage_is_detected)
{
    char dir[256], good[300], bad[300];
    fixture_tmpdir(dir, sizeof dir);
    snprintf(good, sizeof good, "%s/good.ckpt", dir);
    snprintf(bad, sizeof bad, "%s/bad.ckpt", dir);
    Owned o;
    owned_make(&o, 0);
    save(&o, good);
    long n;
    unsigned char *d = fixture_read(good, &n);
    fixture_write(bad, d, 0);
    expect_fail(bad, "empty");
    fixture_write(bad, "hello, world\n", 13);
    expect_fail(bad, "not an attnclf checkpoint");
    /* Truncated at every length: never accepted. */
    for (long len = 1; len < n; len += 1 + len / 16) {
        fixture_write(bad, d, len);
        Checkpoint ck;
        Status st;
        ck_assert_msg(ckpt_load(bad, &ck, &st) == -1, "accepted a file truncated to %ld of %ld bytes", len, n);
    }
    fixture_write(bad, d, n - 100);
    expect_fail(bad, "truncated");
    /* Any single flipped byte: never accepted. */
    for (long at = 0; at < n; at += 1 + at / 8) {
        d[at] ^= 0x20;
        fixture_write(bad, d, n);
        d[at] ^= 0x20;
        Checkpoint ck;
        Status st;
        ck_assert_msg(ckpt_load(bad, &ck, &st) == -1, "accepted a flipped byte at %ld", at);
    }
    d[n / 2] ^= 1;
    fixture_write(bad, d, n);
    d[n / 2] ^= 1;
    expect_fail(bad, "checksum");
    d[8] = 99; /* format version */
    fixture_write(bad, d, n);
    expect_fail(bad, "newer");
    expect_fail(dir, "directory");
    snprintf(bad, sizeof bad, "%s/missing.ckpt", dir);
    expect_fail(bad, "cannot open");
    free(d);
    owned_free(&o);
    fixture_rmtree(dir);
}
END_TEST

START_TEST(test_save_failure_keeps_old_file)
{
    char dir[256], path[300];
    fixture_tmpdir(dir, sizeof dir);
    snprintf(path, sizeof path, "%s/x.ckpt", dir);
    Owned o;
    owned_make(&o, 0);
    save(&o, path);
    ck_assert_int_eq(chmod(dir, 0500), 0);
    CkptView v = {&o.cfg, &o.enc, &o.labels, &o.model, NULL, &o.adam, &o.state};
    Status st;
    /* root ignores directory permissions; only check the failure where it applies. */
    if (ckpt_save(path, &v, &st) != 0) ck_assert_ptr_nonnull(strstr(st.msg, path));
    ck_assert_int_eq(chmod(dir, 0700), 0);
    Checkpoint ck;
    ck_assert_int_eq(ckpt_load(path, &ck, &st), 0);
    ckpt_free(&ck);
    ck_assert_int_eq(ckpt_save("/nonexistent-dir/x.ckpt", &v, &st), -1);
    ck_assert_ptr_nonnull(strstr(st.msg, "/nonexistent-dir/x.ckpt"));
    owned_free(&o);
    fixture_rmtree(dir);
}
END_TEST

Suite *ckpt_suite(void)
{
    Suite *s = suite_create("ckpt");
    TCase *tc = tcase_create("ckpt");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_roundtrip_bit_exact);
    tcase_add_test(tc, test_damage_is_detected);
    tcase_add_test(tc, test_config_must_match_model);
    tcase_add_test(tc, test_save_failure_keeps_old_file);
    suite_add_tcase(s, tc);
    return s;
}
