/* test_ckpt.c - the container (sections by tag, versions, unknown sections
 * skipped, byte order, every kind of damage detected) and a run's checkpoint
 * round-tripping bit for bit through the modules that save themselves. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "ckpt.h"
#include "classifier.h"
#include "fit.h"
#include "fixture.h"
#include "hash.h"
#include "rng.h"

/* ---- the container alone ---- */

static void write_two(const char *path, int with_unknown)
{
    CkptWriter w;
    ckpt_writer_init(&w);
    CkptBuf *b = ckpt_section(&w, "AAAA", 3);
    ckpt_put_u32(b, 7);
    ckpt_put_str(b, "hello", 5);
    if (with_unknown) ckpt_put(ckpt_section(&w, "ZZZZ", 9), "future", 6);
    static const float block[5] = {1, 2, 3, 4, 5};
    ckpt_put_u64(ckpt_section(&w, "BBBB", 1), 5);
    ckpt_section_ref(&w, block, sizeof block);
    Status st;
    ck_assert_msg(ckpt_write(&w, path, &st) == 0, "%s", st.msg);
    ckpt_writer_free(&w);
}

START_TEST(test_container_sections)
{
    char dir[256], path[300];
    fixture_tmpdir(dir, sizeof dir);
    snprintf(path, sizeof path, "%s/c.ckpt", dir);
    write_two(path, 1);
    CkptReader r;
    Status st;
    ck_assert_msg(ckpt_open(&r, path, &st) == 0, "%s", st.msg);
    ck_assert_uint_eq(r.version, CKPT_VERSION);
    CkptSection a, b, z;
    ck_assert(ckpt_find(&r, "AAAA", &a));
    ck_assert(ckpt_find(&r, "BBBB", &b));
    ck_assert(ckpt_find(&r, "ZZZZ", &z));
    ck_assert(!ckpt_find(&r, "CCCC", &z));
    ck_assert_uint_eq(a.version, 3);
    CkptCursor c = ckpt_cursor(&a);
    ck_assert_uint_eq(ckpt_u32(&c), 7);
    ck_assert_uint_eq(ckpt_u32(&c), 5);
    ck_assert(memcmp(ckpt_take(&c, 5), "hello", 5) == 0);
    ck_assert(ckpt_done(&c));
    ck_assert_uint_eq(ckpt_u32(&c), 0); /* reading past the end gives zeros and marks the cursor */
    ck_assert(c.bad);
    /* A tensor section can be used in place: its payload is 64-byte aligned. */
    ck_assert_uint_eq((uintptr_t)b.p % 64, 0);
    c = ckpt_cursor(&b);
    ck_assert_uint_eq(ckpt_u64(&c), 5);
    const float *f = (const float *)ckpt_take(&c, 5 * sizeof(float));
    ck_assert(f[0] == 1 && f[4] == 5);
    ckpt_close(&r);
    fixture_rmtree(dir);
}
END_TEST

static void expect_open_fail(const char *path, const char *fragment)
{
    CkptReader r;
    Status st;
    ck_assert_int_eq(ckpt_open(&r, path, &st), -1);
    ck_assert_int_eq(st.code, STATUS_ERROR);
    ck_assert_msg(strstr(st.msg, fragment) != NULL, "message \"%s\" lacks \"%s\"", st.msg, fragment);
    ck_assert_msg(strstr(st.msg, path) != NULL, "message \"%s\" does not name the file", st.msg);
}

START_TEST(test_container_damage)
{
    char dir[256], good[300], bad[300];
    fixture_tmpdir(dir, sizeof dir);
    snprintf(good, sizeof good, "%s/good.ckpt", dir);
    snprintf(bad, sizeof bad, "%s/bad.ckpt", dir);
    write_two(good, 0);
    long n;
    unsigned char *d = fixture_read(good, &n);
    fixture_write(bad, d, 0);
    expect_open_fail(bad, "empty");
    fixture_write(bad, "hello, world\n", 13);
    expect_open_fail(bad, "not an attnclf checkpoint");
    /* Truncated at every length, or any single byte flipped: never accepted. */
    for (long len = 1; len < n; len++) {
        fixture_write(bad, d, len);
        CkptReader r;
        Status st;
        ck_assert_msg(ckpt_open(&r, bad, &st) == -1, "accepted a file truncated to %ld of %ld bytes", len, n);
    }
    for (long at = 0; at < n; at++) {
        d[at] ^= 0x20;
        fixture_write(bad, d, n);
        d[at] ^= 0x20;
        CkptReader r;
        Status st;
        ck_assert_msg(ckpt_open(&r, bad, &st) == -1, "accepted a flipped byte at %ld", at);
    }
    fixture_write(bad, d, n - 9);
    expect_open_fail(bad, "truncated");
    d[n / 2] ^= 1;
    fixture_write(bad, d, n);
    d[n / 2] ^= 1;
    expect_open_fail(bad, "checksum");
    unsigned char v = d[8];
    d[8] = 99; /* format version */
    fixture_write(bad, d, n);
    expect_open_fail(bad, "newer");
    d[8] = v;
    /* The byte-order mark read backwards: a file from a big-endian machine. */
    for (int i = 0; i < 4; i++) d[12 + i] = (unsigned char)(0x0A + i);
    fixture_write(bad, d, n);
    expect_open_fail(bad, "big-endian");
    expect_open_fail(dir, "directory");
    snprintf(bad, sizeof bad, "%s/missing.ckpt", dir);
    expect_open_fail(bad, "cannot open");
    free(d);
    fixture_rmtree(dir);
}
END_TEST

/* Format 4 files written before the checksum became XXH3 say 0 at offset 36 and
 * end in XXH64: they still load. An unknown kind is named. */
START_TEST(test_container_checksum_kinds)
{
    char dir[256], path[300];
    fixture_tmpdir(dir, sizeof dir);
    snprintf(path, sizeof path, "%s/c.ckpt", dir);
    write_two(path, 0);
    long n;
    unsigned char *d = fixture_read(path, &n);
    uint32_t kind;
    memcpy(&kind, d + 36, 4);
    ck_assert_uint_eq(kind, 1);
    uint64_t sum;
    memcpy(&sum, d + n - 8, 8);
    ck_assert_uint_eq(sum, hash_bytes_xxh3(d, (size_t)n - 8));
    memset(d + 36, 0, 4);
    sum = hash_bytes(d, (size_t)n - 8);
    memcpy(d + n - 8, &sum, 8);
    fixture_write(path, d, n);
    CkptReader r;
    Status st;
    ck_assert_msg(ckpt_open(&r, path, &st) == 0, "%s", st.msg);
    CkptSection a;
    ck_assert(ckpt_find(&r, "AAAA", &a));
    ckpt_close(&r);
    d[36] = 7;
    fixture_write(path, d, n);
    expect_open_fail(path, "unknown checksum kind 7");
    free(d);
    fixture_rmtree(dir);
}
END_TEST

START_TEST(test_container_write_failure)
{
    char dir[256], path[300];
    fixture_tmpdir(dir, sizeof dir);
    snprintf(path, sizeof path, "%s/x.ckpt", dir);
    write_two(path, 0);
    ck_assert_int_eq(chmod(dir, 0500), 0);
    CkptWriter w;
    ckpt_writer_init(&w);
    ckpt_put_u32(ckpt_section(&w, "AAAA", 1), 1);
    Status st;
    /* root ignores directory permissions; only check the failure where it applies. */
    if (ckpt_write(&w, path, &st) != 0) ck_assert_ptr_nonnull(strstr(st.msg, path));
    ck_assert_int_eq(chmod(dir, 0700), 0);
    CkptReader r;
    ck_assert_int_eq(ckpt_open(&r, path, &st), 0);
    ckpt_close(&r);
    ck_assert_int_eq(ckpt_write(&w, "/nonexistent-dir/x.ckpt", &st), -1);
    ck_assert_ptr_nonnull(strstr(st.msg, "/nonexistent-dir/x.ckpt"));
    ckpt_writer_free(&w);
    fixture_rmtree(dir);
}
END_TEST

/* The floats of section `tag` in path, which must be n of them. */
static void expect_floats(const char *path, const char *tag, const float *want, size_t n)
{
    CkptReader r;
    Status st;
    ck_assert_msg(ckpt_open(&r, path, &st) == 0, "%s", st.msg);
    CkptSection sec;
    ck_assert(ckpt_find(&r, tag, &sec));
    ck_assert_uint_eq(sec.n, n * sizeof(float));
    ck_assert(memcmp(sec.p, want, n * sizeof(float)) == 0);
    ckpt_close(&r);
}

/* Two writers borrowing one block (a run's last.ckpt and best.ckpt, the
 * parameters) get one copy of it: the files hold the bytes as they were when
 * detached, whatever the blocks hold afterwards. */
START_TEST(test_detach_shares_a_block)
{
    char dir[256], a[300], b[300];
    fixture_tmpdir(dir, sizeof dir);
    snprintf(a, sizeof a, "%s/a.ckpt", dir);
    snprintf(b, sizeof b, "%s/b.ckpt", dir);
    float shared[100], own[7], was_shared[100], was_own[7];
    for (int i = 0; i < 100; i++) shared[i] = was_shared[i] = (float)i * 0.5f;
    for (int i = 0; i < 7; i++) own[i] = was_own[i] = -(float)i;
    CkptWriter w1, w2;
    ckpt_writer_init(&w1);
    ckpt_writer_init(&w2);
    ckpt_section(&w1, "PARM", 1);
    ckpt_section_ref(&w1, shared, sizeof shared);
    ckpt_section(&w1, "ADMM", 1);
    ckpt_section_ref(&w1, own, sizeof own);
    ckpt_section(&w2, "PARM", 1);
    ckpt_section_ref(&w2, shared, sizeof shared);
    CkptWriter *both[2] = {&w1, &w2};
    unsigned char *copy = NULL;
    size_t cap = 0;
    ckpt_writer_detach(both, 2, &copy, &cap);
    /* 400 bytes and 28, each rounded up to 64: the shared block once. */
    ck_assert_uint_eq(cap, 448 + 64);
    memset(shared, 0xff, sizeof shared);
    memset(own, 0xff, sizeof own);
    Status st;
    ck_assert_msg(ckpt_write(&w1, a, &st) == 0, "%s", st.msg);
    ck_assert_msg(ckpt_write(&w2, b, &st) == 0, "%s", st.msg);
    expect_floats(a, "PARM", was_shared, 100);
    expect_floats(a, "ADMM", was_own, 7);
    expect_floats(b, "PARM", was_shared, 100);
    ckpt_writer_free(&w1);
    ckpt_writer_free(&w2);
    free(copy);
    fixture_rmtree(dir);
}
END_TEST

/* ---- a run's checkpoint through the modules ---- */

typedef struct Owned {
    Classifier c;
    Adam adam;
    TrainState state;
} Owned;

/* context 0: additive attention with positions; 1: dot attention with context
 * sums and the gate, whose tensors get nonzero values so they must round-trip,
 * and a naive Bayes member. */
static void owned_make(Owned *o, int context)
{
    memset(o, 0, sizeof *o);
    TokenizerOptions to = {.lowercase = 1, .clean_html = 1, .max_tokens = 50, .normalize = TOKENIZER_NORM_NFKC, .version = TOKENIZER_V2};
    EncoderOptions eo = {.ngrams = 2, .buckets = 50};
    encoder_init(&o->c.enc, &to, &eo);
    char *stop[] = {"and", "the"};
    tokenizer_set_stopwords(&o->c.enc.tk, stop, 2);
    const char *words[] = {"good", "bad", "movie", "北"};
    for (int i = 0; i < 4; i++) vocab_add(&o->c.enc.vocab, words[i], strlen(words[i]));
    vocab_init(&o->c.labels);
    vocab_add(&o->c.labels, "neg", 3);
    vocab_add(&o->c.labels, "pos", 3);
    ModelOptions mo = {.dim = 6, .heads = 2, .attention = context ? ATTN_DOT : ATTN_ADDITIVE, .positional = 1,
                       .context = context, .gate = context};
    ModelDims D = model_dims(&mo, encoder_rows(&o->c.enc), encoder_unk_row(&o->c.enc) + 1, 2);
    model_init(&o->c.net, &D);
    model_randomize(&o->c.net, encoder_unk_row(&o->c.enc), 5);
    adam_init(&o->adam, o->c.net.n_params);
    Rng r;
    rng_seed(&r, 9);
    for (int k = TENSOR_CTX_Q; k <= TENSOR_GATE_B; k++)
        for (int64_t i = 0; i < o->c.net.tensors[k].numel; i++)
            o->c.net.params[o->c.net.tensors[k].offset + i] = rng_uniform(&r) - 0.5f;
    /* Training touches some n-gram rows (they start at 0); a row's moments are
     * nonzero exactly where its weights are. */
    const int d = o->c.net.dims.dim;
    const int every = context ? 3 : 1; /* sparse (17 of 50 rows) or every row */
    for (int64_t row = o->c.net.dims.dense_rows; row < o->c.net.dims.rows; row += every)
        for (int e = 0; e < d; e++) o->c.net.p.emb[row * d + e] = rng_uniform(&r) - 0.5f;
    const int64_t emb0 = o->c.net.tensors[TENSOR_EMB].offset;
    for (int64_t i = 0; i < o->c.net.n_params; i++) {
        int64_t row = i < emb0 ? -1 : (i - emb0) / d;
        int touched = row < o->c.net.dims.dense_rows || (row - o->c.net.dims.dense_rows) % every == 0;
        o->adam.m[i] = touched ? rng_uniform(&r) : 0.0f;
        o->adam.v[i] = touched ? rng_uniform(&r) : 0.0f;
    }
    if (context) {
        /* A member fitted on two tiny documents, then given known values. */
        Dataset ds;
        dataset_init(&ds);
        const int32_t ids[1] = {0};
        const uint64_t feat[5] = {17, 0x3000000000000011ull, 0x6000000000000011ull, 0x9000000000000011ull,
                                  0xC000000000000011ull};
        int32_t y0 = 0, y1 = 1;
        dataset_append(&ds, ids, 1, feat, 3, &y0, 1);
        dataset_append(&ds, ids, 1, feat + 2, 3, &y1, 1);
        BayesOptions bo = {.weight = 0.25, .ngrams = 3, .alpha = 1.0};
        Status st;
        ck_assert_int_eq(bayes_fit(&o->c.bayes, &ds, 2, &bo, NULL, &st), 0);
        ck_assert_int_eq(o->c.bayes.n, 5);
        for (int i = 0; i < 10; i++) o->c.bayes.logp[i] = -rng_uniform(&r) * 8;
        classifier_attach_bayes(&o->c);
        dataset_free(&ds);
    }
    o->state = (TrainState){.epoch = 3, .best_epoch = 2, .bad_epochs = 1, .rng = 0xdeadbeefcafef00dull,
                            .best_metric = 0.875, .step = 1234, .batch = 7, .part_loss = 1.5};
}

static void owned_free(Owned *o)
{
    classifier_free(&o->c);
    adam_free(&o->adam);
}

static void save(const Owned *o, const char *path)
{
    FitSnapshot s = {.clf = &o->c, .adam = &o->adam, .state = &o->state};
    Status st;
    ck_assert_msg(fit_save(&s, "{\"data\": {\"train\": \"x.csv\"}}", path, &st) == 0, "%s", st.msg);
}

/* Loads path as resume does: the classifier copied, the state and the moments. */
static int load(const char *path, Owned *o, Status *st)
{
    CkptReader r;
    memset(o, 0, sizeof *o);
    if (ckpt_open(&r, path, st)) return -1;
    int rc = classifier_load(&o->c, &r, 0, NULL, st);
    if (rc == 0) rc = fit_load_state(&o->state, &r, st);
    if (rc == 0) rc = adam_load(&o->adam, &r, &o->c.net, st);
    ckpt_close(&r);
    if (rc) owned_free(o);
    return rc;
}

static void roundtrip(int context)
{
    char dir[256], a[300], b[300];
    fixture_tmpdir(dir, sizeof dir);
    snprintf(a, sizeof a, "%s/a.ckpt", dir);
    snprintf(b, sizeof b, "%s/b.ckpt", dir);
    Owned o, k;
    owned_make(&o, context);
    save(&o, a);
    Status st;
    ck_assert_msg(load(a, &k, &st) == 0, "%s", st.msg);
    size_t bytes = (size_t)o.c.net.n_params * sizeof(float);
    ck_assert(memcmp(k.c.net.params, o.c.net.params, bytes) == 0);
    ck_assert(memcmp(k.adam.m, o.adam.m, bytes) == 0);
    ck_assert(memcmp(k.adam.v, o.adam.v, bytes) == 0);
    ck_assert_int_eq(k.state.step, 1234);
    ck_assert_int_eq(k.state.batch, 7);
    ck_assert_int_eq(k.c.enc.vocab.n, 4);
    ck_assert_str_eq(k.c.enc.vocab.words[3], "北");
    ck_assert_int_eq(k.c.enc.tk.n_stopwords, 2);
    ck_assert_int_eq(k.c.enc.tk.opt.max_tokens, 50);
    ck_assert_int_eq(k.c.enc.o.buckets, 50);
    ck_assert_str_eq(k.c.labels.words[1], "pos");
    ck_assert_int_eq(k.c.net.dims.attention, context ? ATTN_DOT : ATTN_ADDITIVE);
    ck_assert_int_eq(k.c.net.dims.context, context);
    ck_assert_int_eq(k.c.net.dims.gate, context);
    ck_assert_int_eq(k.c.net.tensors[TENSOR_GATE_W].numel, context ? 36 : 0);
    ck_assert_int_eq(k.state.epoch, 3);
    ck_assert_uint_eq(k.state.rng, 0xdeadbeefcafef00dull);
    ck_assert_double_eq(k.state.best_metric, 0.875);
    if (context) {
        const Bayes *nb = classifier_bayes(&k.c);
        ck_assert_ptr_nonnull(nb);
        ck_assert_int_eq(nb->n, 5);
        ck_assert_int_eq(nb->classes, 2);
        ck_assert(nb->weight == 0.25f);
        ck_assert_int_eq(nb->o.ngrams, 3);
        ck_assert(memcmp(nb->keys, o.c.bayes.keys, 5 * sizeof *nb->keys) == 0);
        ck_assert(memcmp(nb->prior, o.c.bayes.prior, 2 * sizeof *nb->prior) == 0);
        ck_assert(memcmp(nb->logp, o.c.bayes.logp, 10 * sizeof *nb->logp) == 0);
        ck_assert_int_eq(k.c.enc.bayes_ngrams, 3);
    } else {
        ck_assert_ptr_null(classifier_bayes(&k.c));
        ck_assert_int_eq(k.c.enc.bayes_ngrams, 0);
    }
    /* With 17 of the 50 n-gram rows touched the blocks store those only; with all, the whole block. */
    CkptReader rd;
    ck_assert_int_eq(ckpt_open(&rd, a, &st), 0);
    CkptSection tdat;
    ck_assert(ckpt_find(&rd, "TDAT", &tdat));
    ck_assert_uint_eq(tdat.version, context ? 2 : 1);
    ckpt_close(&rd);
    /* Saving what was loaded gives the same bytes. */
    save(&k, b);
    long na, nb;
    unsigned char *x = fixture_read(a, &na), *y = fixture_read(b, &nb);
    ck_assert_int_eq(na, nb);
    ck_assert(memcmp(x, y, (size_t)na) == 0);
    free(x);
    free(y);
    owned_free(&k);
    /* Mapped for scoring: a whole block is used where the file holds it; touched
     * rows are spread into a fresh one. */
    CkptReader *r = malloc(sizeof *r);
    ck_assert_int_eq(ckpt_open(r, a, &st), 0);
    Classifier m;
    ck_assert_msg(classifier_load(&m, r, 1, NULL, &st) == 0, "%s", st.msg);
    ck_assert_ptr_eq(m.mapped, r);
    ck_assert_int_eq(m.net.owns_params, context);
    int inside = (const unsigned char *)m.net.params > r->map && (const unsigned char *)m.net.params < r->map + r->size;
    ck_assert_int_eq(inside, !context);
    ck_assert(memcmp(m.net.params, o.c.net.params, bytes) == 0);
    classifier_free(&m);
    owned_free(&o);
    fixture_rmtree(dir);
}

START_TEST(test_roundtrip_bit_exact)
{
    roundtrip(0);
    roundtrip(1);
}
END_TEST

static void expect_load_fail(const char *path, const char *fragment)
{
    Owned k;
    Status st;
    ck_assert_int_eq(load(path, &k, &st), -1);
    ck_assert_int_eq(st.code, STATUS_ERROR);
    ck_assert_msg(strstr(st.msg, fragment) != NULL, "message \"%s\" lacks \"%s\"", st.msg, fragment);
    ck_assert_msg(strstr(st.msg, path) != NULL, "message \"%s\" does not name the file", st.msg);
}

START_TEST(test_parts_must_fit)
{
    /* Checksummed files whose parts disagree: the network sized for another
     * vocabulary or label set, or a member's feature table out of order (lookups
     * depend on it). */
    char dir[256], path[300];
    fixture_tmpdir(dir, sizeof dir);
    snprintf(path, sizeof path, "%s/mismatch.ckpt", dir);
    Owned o;
    owned_make(&o, 1);
    vocab_add(&o.c.labels, "other", 5);
    save(&o, path);
    expect_load_fail(path, "do not fit");
    owned_free(&o);
    owned_make(&o, 1);
    vocab_add(&o.c.enc.vocab, "extra", 5);
    save(&o, path);
    expect_load_fail(path, "do not fit");
    owned_free(&o);
    owned_make(&o, 1);
    o.c.bayes.keys[3] = o.c.bayes.keys[2];
    save(&o, path);
    expect_load_fail(path, "ascending");
    owned_free(&o);
    /* No Adam moments: nothing to resume from. */
    owned_make(&o, 0);
    FitSnapshot s = {.clf = &o.c, .state = &o.state};
    Status st;
    ck_assert_int_eq(fit_save(&s, "{}", path, &st), 0);
    expect_load_fail(path, "no optimiser state");
    owned_free(&o);
    fixture_rmtree(dir);
}
END_TEST

START_TEST(test_every_flip_of_a_run_checkpoint)
{
    char dir[256], good[300], bad[300];
    fixture_tmpdir(dir, sizeof dir);
    snprintf(good, sizeof good, "%s/good.ckpt", dir);
    snprintf(bad, sizeof bad, "%s/bad.ckpt", dir);
    Owned o;
    owned_make(&o, 1);
    save(&o, good);
    long n;
    unsigned char *d = fixture_read(good, &n);
    for (long at = 0; at < n; at += 1 + at / 8) {
        d[at] ^= 0x20;
        fixture_write(bad, d, n);
        d[at] ^= 0x20;
        Owned k;
        Status st;
        ck_assert_msg(load(bad, &k, &st) == -1, "accepted a flipped byte at %ld", at);
    }
    free(d);
    owned_free(&o);
    fixture_rmtree(dir);
}
END_TEST

Suite *ckpt_suite(void)
{
    Suite *s = suite_create("ckpt");
    TCase *tc = tcase_create("ckpt");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_container_sections);
    tcase_add_test(tc, test_container_damage);
    tcase_add_test(tc, test_container_checksum_kinds);
    tcase_add_test(tc, test_container_write_failure);
    tcase_add_test(tc, test_detach_shares_a_block);
    tcase_add_test(tc, test_roundtrip_bit_exact);
    tcase_add_test(tc, test_parts_must_fit);
    tcase_add_test(tc, test_every_flip_of_a_run_checkpoint);
    suite_add_tcase(s, tc);
    return s;
}
