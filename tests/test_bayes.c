/* test_bayes.c - the naive Bayes member: a fit computed by hand, the hashed
 * lookup against a linear-scan reference, the encoder's feature sets, and the
 * packed tables of an exported model (exact, and bad bytes refused). */
#include <check.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bayes.h"
#include "bayes_pack.h"
#include "fixture.h"
#include "hash.h"
#include "rng.h"

/* Three documents: class 0 {10, 20}, class 0 {20}, class 1 {20, 30}, in the
 * given order, plus one with an unknown label (2) that the fit must ignore. */
static void three_docs(Dataset *ds, const int *order)
{
    static const uint64_t f0[] = {10, 20}, f1[] = {20}, f2[] = {20, 30}, f3[] = {10, 40};
    const uint64_t *feats[] = {f0, f1, f2, f3};
    const int64_t nf[] = {2, 1, 2, 2};
    const int32_t labels[] = {0, 0, 1, 2};
    dataset_init(ds);
    for (int i = 0; i < 4; i++) dataset_append(ds, NULL, 0, feats[order[i]], nf[order[i]], &labels[order[i]], 1);
}

START_TEST(test_fit_by_hand)
{
    static const int order[] = {0, 1, 2, 3};
    Dataset ds;
    three_docs(&ds, order);
    Bayes b;
    Status st;
    ck_assert_int_eq(bayes_fit(&b, &ds, 2, &(BayesOptions){.weight = 0.5, .ngrams = 1, .alpha = 1.0}, NULL, &st), 0);
    /* N = 3 (N_0 = 2, N_1 = 1); V = 3 features; T_0 = 3, T_1 = 2; alpha = 1. */
    ck_assert_int_eq(b.n, 3);
    ck_assert_uint_eq(b.keys[0], 10);
    ck_assert_uint_eq(b.keys[1], 20);
    ck_assert_uint_eq(b.keys[2], 30);
    ck_assert_float_eq_tol(b.prior[0], logf(3.0f / 5.0f), 1e-6f);
    ck_assert_float_eq_tol(b.prior[1], logf(2.0f / 5.0f), 1e-6f);
    const float want[3][2] = {{logf(2.0f / 6), logf(1.0f / 5)}, {logf(3.0f / 6), logf(2.0f / 5)},
                              {logf(1.0f / 6), logf(2.0f / 5)}};
    for (int f = 0; f < 3; f++)
        for (int c = 0; c < 2; c++) ck_assert_float_eq_tol(b.logp[f * 2 + c], want[f][c], 1e-6f);
    /* Unseen features (5, 99) add nothing; the weight scales the whole score. */
    const uint64_t doc[] = {5, 20, 30, 99};
    float logits[2];
    bayes_logits(&b, doc, 4, logits);
    ck_assert_float_eq_tol(logits[0], 0.5f * (logf(3.0f / 5) + logf(3.0f / 6) + logf(1.0f / 6)), 1e-5f);
    ck_assert_float_eq_tol(logits[1], 0.5f * (logf(2.0f / 5) + logf(2.0f / 5) + logf(2.0f / 5)), 1e-5f);
    bayes_logits(&b, NULL, 0, logits);
    ck_assert_float_eq_tol(logits[0], 0.5f * logf(3.0f / 5), 1e-6f);
    bayes_free(&b);
    dataset_free(&ds);
}
END_TEST

/* Class weights count a class's documents w times: weights {1, 3} give the tables
 * of the same documents with class 1's written three times, bit for bit, and
 * "balanced" weights (n / (C n_c)) a uniform prior. */
START_TEST(test_class_weights_count_documents)
{
    static const int order[] = {0, 1, 2, 3};
    static const uint64_t f2[] = {20, 30};
    static const int32_t one = 1;
    Dataset ds, dup;
    three_docs(&ds, order);
    three_docs(&dup, order);
    dataset_append(&dup, NULL, 0, f2, 2, &one, 1);
    dataset_append(&dup, NULL, 0, f2, 2, &one, 1);
    const BayesOptions o = {.weight = 1, .ngrams = 1, .alpha = 1.0};
    Bayes w, d, u, bal;
    Status st;
    ck_assert_int_eq(bayes_fit(&w, &ds, 2, &o, (const float[]){1.0f, 3.0f}, &st), 0);
    ck_assert_int_eq(bayes_fit(&d, &dup, 2, &o, NULL, &st), 0);
    ck_assert_int_eq(w.n, d.n);
    ck_assert_mem_eq(w.keys, d.keys, (size_t)w.n * sizeof *w.keys);
    ck_assert_mem_eq(w.logp, d.logp, (size_t)w.n * 2 * sizeof *w.logp);
    ck_assert_mem_eq(w.prior, d.prior, 2 * sizeof *w.prior);
    ck_assert_int_eq(bayes_fit(&u, &ds, 2, &o, (const float[]){1.0f, 1.0f}, &st), 0);
    ck_assert_int_eq(bayes_fit(&bal, &ds, 2, &o, NULL, &st), 0);
    ck_assert_mem_eq(u.logp, bal.logp, (size_t)u.n * 2 * sizeof *u.logp);
    ck_assert_mem_eq(u.prior, bal.prior, 2 * sizeof *u.prior);
    bayes_free(&bal);
    /* N_0 = 2, N_1 = 1: balanced weighs 3/4 and 3/2, 1.5 documents each. */
    ck_assert_int_eq(bayes_fit(&bal, &ds, 2, &o, (const float[]){0.75f, 1.5f}, &st), 0);
    ck_assert_float_eq(bal.prior[0], bal.prior[1]);
    ck_assert_float_eq_tol(bal.prior[0], logf(0.5f), 1e-6f);
    bayes_free(&w);
    bayes_free(&d);
    bayes_free(&u);
    bayes_free(&bal);
    dataset_free(&ds);
    dataset_free(&dup);
}
END_TEST

/* min_count 2 keeps the features of at least two documents (20 of the three),
 * with the values the whole table gives them; the others score as unseen. */
START_TEST(test_min_count_keeps_values)
{
    static const int order[] = {0, 1, 2, 3};
    Dataset ds;
    three_docs(&ds, order);
    Bayes all, some;
    Status st;
    ck_assert_int_eq(bayes_fit(&all, &ds, 2, &(BayesOptions){.weight = 1, .ngrams = 1, .alpha = 1.0}, NULL, &st), 0);
    ck_assert_int_eq(
        bayes_fit(&some, &ds, 2, &(BayesOptions){.weight = 1, .ngrams = 1, .alpha = 1.0, .min_count = 2}, NULL, &st), 0);
    ck_assert_int_eq(some.n, 1);
    ck_assert_uint_eq(some.keys[0], 20);
    ck_assert_mem_eq(some.logp, all.logp + 2, 2 * sizeof *some.logp);
    ck_assert_mem_eq(some.prior, all.prior, 2 * sizeof *some.prior);
    const uint64_t doc[] = {10, 20, 30};
    float x[2], y[2];
    bayes_logits(&some, doc, 3, x);
    bayes_logits(&all, doc + 1, 1, y);
    ck_assert_mem_eq(x, y, sizeof x);
    bayes_free(&all);
    bayes_free(&some);
    dataset_free(&ds);
}
END_TEST

/* Two fits of 2 classes hold the same bytes. */
static void assert_same_fit(const Bayes *a, const Bayes *b)
{
    ck_assert_int_eq(a->n, b->n);
    ck_assert(memcmp(a->keys, b->keys, (size_t)a->n * sizeof *a->keys) == 0);
    ck_assert(memcmp(a->logp, b->logp, (size_t)a->n * 2 * sizeof *a->logp) == 0);
    ck_assert(memcmp(a->prior, b->prior, 2 * sizeof *a->prior) == 0);
}

/* Counting in pieces (one document, then the rest, through dataset_slice's offsets
 * that do not start at 0) gives the whole fit's bytes. */
START_TEST(test_fit_in_pieces)
{
    static const int order[] = {0, 1, 2, 3};
    Dataset ds, first, rest;
    three_docs(&ds, order);
    dataset_slice(&first, &ds, 0, 1);
    dataset_slice(&rest, &ds, 1, ds.n);
    const BayesOptions o = {.weight = 1.0, .ngrams = 1, .alpha = 0.5};
    Bayes whole, parts;
    Status st;
    ck_assert_int_eq(bayes_fit(&whole, &ds, 2, &o, NULL, &st), 0);
    BayesCount *k = bayes_count_init(2);
    ck_assert_int_eq(bayes_count_add(k, &first, &st), 0);
    ck_assert_int_eq(bayes_count_add(k, &rest, &st), 0);
    bayes_count_finish(&parts, k, &o, NULL);
    bayes_count_free(k);
    assert_same_fit(&whole, &parts);
    bayes_free(&whole);
    bayes_free(&parts);
    dataset_free(&ds);
}
END_TEST

START_TEST(test_fit_ignores_document_order)
{
    static const int a[] = {0, 1, 2, 3}, z[] = {3, 2, 1, 0};
    Dataset da, dz;
    three_docs(&da, a);
    three_docs(&dz, z);
    Bayes ba, bz;
    Status st;
    ck_assert_int_eq(bayes_fit(&ba, &da, 2, &(BayesOptions){.weight = 1.0, .ngrams = 1, .alpha = 0.5}, NULL, &st), 0);
    ck_assert_int_eq(bayes_fit(&bz, &dz, 2, &(BayesOptions){.weight = 1.0, .ngrams = 1, .alpha = 0.5}, NULL, &st), 0);
    assert_same_fit(&ba, &bz);
    bayes_free(&ba);
    bayes_free(&bz);
    dataset_free(&da);
    dataset_free(&dz);
}
END_TEST

/* The reference: every feature looked up by a linear scan. */
static void naive_logits(const Bayes *b, const uint64_t *feat, int64_t nf, float *logits)
{
    for (int c = 0; c < b->classes; c++) logits[c] = b->prior[c];
    for (int64_t k = 0; k < nf; k++)
        for (int64_t i = 0; i < b->n; i++)
            if (b->keys[i] == feat[k])
                for (int c = 0; c < b->classes; c++) logits[c] += b->logp[i * b->classes + c];
    for (int c = 0; c < b->classes; c++) logits[c] *= b->weight;
}

/* Keys spaced by `step` from `base`, so a document can ask for keys between and
 * around them; a step of 2^32 gives keys that agree in their low 32 bits. */
static void lookup_check(uint64_t base, uint64_t step)
{
    enum { N = 1000, C = 3, DOC = 60 };
    /* A member whose features are exactly the N keys (one document holds them
     * all), given random tables: the index depends on the keys alone. */
    uint64_t *keys = malloc(N * sizeof *keys);
    for (int64_t i = 0; i < N; i++) keys[i] = base + step * (uint64_t)i;
    Dataset ds;
    dataset_init(&ds);
    int32_t y = 0;
    dataset_append(&ds, NULL, 0, keys, N, &y, 1);
    Bayes b;
    Status st;
    ck_assert_int_eq(bayes_fit(&b, &ds, C, &(BayesOptions){.weight = 0.3, .ngrams = 1, .alpha = 1.0}, NULL, &st), 0);
    ck_assert_int_eq(b.n, N);
    dataset_free(&ds);
    free(keys);
    Rng r;
    rng_seed(&r, 7);
    for (int64_t i = 0; i < N * C; i++) b.logp[i] = -8.0f * rng_uniform(&r);
    for (int c = 0; c < C; c++) b.prior[c] = -rng_uniform(&r);
    for (int trial = 0; trial < 200; trial++) {
        uint64_t doc[DOC];
        int64_t nf = 0;
        uint64_t k = base - 3 * step + rng_below(&r, 12) * (step / 4);
        while (nf < DOC && k < base + step * (N + 5)) {
            doc[nf++] = k;
            k += (1 + rng_below(&r, trial % 2 ? 9 : 200)) * (step / 4);
        }
        float fast[C], slow[C];
        bayes_logits(&b, doc, nf, fast);
        naive_logits(&b, doc, nf, slow);
        for (int c = 0; c < C; c++) ck_assert_float_eq(fast[c], slow[c]);
    }
    bayes_free(&b);
}

START_TEST(test_lookup_matches_linear_scan)
{
    lookup_check(1000, 4);
    lookup_check((uint64_t)1 << 40, (uint64_t)1 << 32);
}
END_TEST

START_TEST(test_encoder_features)
{
    Encoder e;
    memset(&e, 0, sizeof e);
    const char *w[] = {"a", "b", "a", "b"};
    uint64_t h[4], feat[12];
    for (int i = 0; i < 4; i++) h[i] = hash_word(w[i], 1);
    /* Unigrams a, b and bigrams "a b", "b a": "a b" occurs twice but counts once. */
    e.bayes_ngrams = 2;
    ck_assert_int_eq(encoder_features(&e, h, 4, feat), 4);
    for (int i = 1; i < 4; i++) ck_assert_uint_lt(feat[i - 1], feat[i]);
    uint64_t want[4] = {h[0], h[1], hash_ngram(h, 2), hash_ngram(h + 1, 2)};
    for (int i = 0; i < 4; i++) {
        int found = 0;
        for (int j = 0; j < 4; j++) found |= feat[j] == want[i];
        ck_assert(found);
    }
    /* Trigrams "a b a" and "b a b" add two more; no words, no features. */
    e.bayes_ngrams = 3;
    ck_assert_int_eq(encoder_features(&e, h, 4, feat), 6);
    ck_assert_int_eq(encoder_features(&e, h, 0, feat), 0);
}
END_TEST

/* A member fitted on 300 documents of 3 classes drawing 12 of 2000 random
 * features each (Zipf-like: low ones often), so counts and patterns repeat as
 * in a corpus. */
static void packed_member(Bayes *b, uint64_t *keys /* [2000] */)
{
    enum { N = 2000 };
    Rng r;
    rng_seed(&r, 41);
    for (int i = 0; i < N; i++) keys[i] = rng_next(&r);
    Dataset ds;
    dataset_init(&ds);
    for (int d = 0; d < 300; d++) {
        uint64_t f[12];
        int nf = 0;
        while (nf < 12) {
            uint64_t k = keys[(uint64_t)(N * rng_uniform(&r) * rng_uniform(&r))];
            int dup = 0;
            for (int j = 0; j < nf; j++) dup |= f[j] == k;
            if (!dup) f[nf++] = k;
        }
        int32_t y = d % 3;
        dataset_append(&ds, NULL, 0, f, nf, &y, 1);
    }
    Status st;
    ck_assert_int_eq(bayes_fit(b, &ds, 3, &(BayesOptions){.weight = 0.2, .ngrams = 2, .alpha = 1.0}, NULL, &st), 0);
    dataset_free(&ds);
}

START_TEST(test_packed_tables_exact)
{
    uint64_t keys[2000];
    Bayes b;
    packed_member(&b, keys);
    const int C = 3;
    CkptBuf buf = {0};
    bayes_pack_put(&buf, b.keys, b.prior, b.logp, b.n, C);
    /* Under half of version 2's 8 + 4C bytes a feature (the keys take 7 of them). */
    ck_assert_uint_lt(buf.n, (size_t)b.n * (8 + 4 * C) / 2);
    uint64_t *k2 = malloc((size_t)b.n * sizeof *k2);
    float *lp2 = malloc((size_t)(b.n * C) * sizeof *lp2), prior2[3];
    CkptSection sec = {.p = buf.p, .n = buf.n};
    CkptCursor c = ckpt_cursor(&sec);
    ck_assert_int_eq(bayes_pack_get(&c, k2, prior2, lp2, b.n, C), 0);
    ck_assert(ckpt_done(&c));
    ck_assert_mem_eq(k2, b.keys, (size_t)b.n * sizeof *k2);
    ck_assert_mem_eq(lp2, b.logp, (size_t)(b.n * C) * sizeof *lp2);
    ck_assert_mem_eq(prior2, b.prior, sizeof prior2);
    /* Every truncation and a flipped bit anywhere in the keys or tables is refused
     * or decodes without reading out of bounds (the sanitizers see that). */
    for (size_t len = 0; len < buf.n; len += 1 + len / 64) {
        CkptSection t = {.p = buf.p, .n = len};
        CkptCursor tc = ckpt_cursor(&t);
        ck_assert_int_eq(bayes_pack_get(&tc, k2, prior2, lp2, b.n, C), -1);
    }
    for (size_t at = 0; at < buf.n; at += 7) {
        buf.p[at] ^= 0x10;
        CkptCursor fc = ckpt_cursor(&sec);
        (void)bayes_pack_get(&fc, k2, prior2, lp2, b.n, C);
        buf.p[at] ^= 0x10;
    }
    /* The wrong feature count is refused. */
    CkptCursor wc = ckpt_cursor(&sec);
    ck_assert_int_eq(bayes_pack_get(&wc, k2, prior2, lp2, b.n - 1, C), -1);
    free(buf.p);
    free(k2);
    free(lp2);
    bayes_free(&b);
}
END_TEST

/* The BAYS section of b, as bayes_save writes it, through a file; its bytes in *out
 * (free it) and the member loaded back from it in l. */
static size_t saved_bays(const Bayes *b, unsigned char **out, Bayes *l)
{
    char path[32];
    CkptReader rd;
    fixture_bays_file(b, path, &rd);
    Status st;
    CkptSection sec;
    ck_assert(ckpt_find(&rd, "BAYS", &sec));
    ck_assert_int_eq(sec.version, b->packed ? 4 : 2);
    *out = malloc(sec.n);
    memcpy(*out, sec.p, sec.n);
    ck_assert_msg(bayes_load(l, &rd, 3, NULL, &st) == 0, "%s", st.msg);
    ckpt_close(&rd);
    unlink(path);
    return (size_t)sec.n;
}

/* BAYS version 4 through a file: the member loads packed, with the same tables
 * and the same logits bit for bit. */
START_TEST(test_packed_member_saves_and_loads)
{
    uint64_t keys[2000];
    Bayes b;
    packed_member(&b, keys);
    b.packed = 1;
    unsigned char *bytes;
    Bayes l;
    saved_bays(&b, &bytes, &l);
    free(bytes);
    ck_assert(l.packed && !l.compact);
    ck_assert_int_eq(l.n, b.n);
    ck_assert_mem_eq(l.logp, b.logp, (size_t)(b.n * 3) * sizeof *l.logp);
    uint64_t doc[30];
    for (int k = 0; k < 30; k++) doc[k] = k < 25 ? keys[k * 13] : keys[k] + 1;
    float x[3], y[3];
    bayes_logits(&b, doc, 30, x);
    bayes_logits(&l, doc, 30, y);
    ck_assert_mem_eq(x, y, sizeof x);
    bayes_free(&l);
    bayes_free(&b);
}
END_TEST

/* A training run packs its member once (bayes_pack) and every checkpoint writes
 * those bytes: the same section as packing at each save, and a member loaded
 * from it and packed again (a resumed run) saves the same bytes again. Pruning drops the packed
 * bytes, so a pruned member never saves the tables it had. */
START_TEST(test_packed_once_saves_the_same_bytes)
{
    uint64_t keys[2000];
    Bayes fresh, once;
    packed_member(&fresh, keys);
    packed_member(&once, keys);
    fresh.packed = 1;
    bayes_pack(&once);
    ck_assert(once.packed && once.pack && once.pack_n > 0);
    unsigned char *a, *b2, *c2;
    Bayes la, lb, lc;
    const size_t na = saved_bays(&fresh, &a, &la), nb = saved_bays(&once, &b2, &lb);
    ck_assert_uint_eq(na, nb);
    ck_assert_mem_eq(a, b2, na);
    /* A resumed run packs the member it loaded once, as a fresh run does. */
    ck_assert(lb.packed && !lb.pack);
    bayes_pack(&lb);
    ck_assert_ptr_nonnull(lb.pack);
    const size_t nc = saved_bays(&lb, &c2, &lc);
    ck_assert_uint_eq(nc, na);
    ck_assert_mem_eq(c2, a, na);
    ck_assert_mem_eq(lc.logp, fresh.logp, (size_t)(fresh.n * 3) * sizeof *lc.logp);
    free(a);
    free(b2);
    free(c2);
    bayes_prune(&once, 50);
    bayes_prune(&fresh, 50);
    ck_assert_ptr_null(once.pack);
    Bayes lp, lf;
    const size_t np = saved_bays(&once, &a, &lp), nf = saved_bays(&fresh, &b2, &lf);
    ck_assert_int_eq(lp.n, 50);
    ck_assert_uint_eq(np, nf);
    ck_assert_mem_eq(a, b2, np);
    free(a);
    free(b2);
    Bayes *all[] = {&fresh, &once, &la, &lb, &lc, &lp, &lf};
    for (size_t i = 0; i < sizeof all / sizeof *all; i++) bayes_free(all[i]);
}
END_TEST

/* bayes_prune keeps the features of most documents times spread, with their
 * values: a document of kept features scores as before, a dropped one adds
 * nothing. */
START_TEST(test_prune_keeps_the_weightiest)
{
    uint64_t keys[2000];
    Bayes b, full;
    packed_member(&b, keys);
    packed_member(&full, keys);
    const int64_t n = b.n;
    bayes_prune(&b, n + 5); /* more than there are: unchanged */
    ck_assert_int_eq(b.n, n);
    bayes_prune(&b, 100);
    ck_assert_int_eq(b.n, 100);
    for (int64_t i = 1; i < b.n; i++) ck_assert_uint_lt(b.keys[i - 1], b.keys[i]);
    /* The lowest key of the member (feature 0, drawn most often) is among the kept. */
    int64_t f0 = 0;
    for (int64_t i = 0; i < full.n; i++)
        if (full.keys[i] == keys[0]) f0 = i;
    int found = 0;
    for (int64_t i = 0; i < b.n; i++) found |= b.keys[i] == full.keys[f0];
    ck_assert(found);
    float x[3], y[3], p[3];
    bayes_logits(&b, b.keys, b.n, x);
    bayes_logits(&full, b.keys, b.n, y);
    ck_assert_mem_eq(x, y, sizeof x);
    bayes_prune(&b, 0);
    ck_assert_int_eq(b.n, 0);
    bayes_logits(&b, full.keys, full.n, x);
    bayes_logits(&full, NULL, 0, p);
    ck_assert_mem_eq(x, p, sizeof x);
    bayes_free(&b);
    bayes_free(&full);
}
END_TEST

Suite *bayes_suite(void)
{
    Suite *s = suite_create("bayes");
    TCase *tc = tcase_create("bayes");
    tcase_add_test(tc, test_fit_by_hand);
    tcase_add_test(tc, test_min_count_keeps_values);
    tcase_add_test(tc, test_class_weights_count_documents);
    tcase_add_test(tc, test_fit_ignores_document_order);
    tcase_add_test(tc, test_fit_in_pieces);
    tcase_add_test(tc, test_lookup_matches_linear_scan);
    tcase_add_test(tc, test_encoder_features);
    tcase_add_test(tc, test_packed_tables_exact);
    tcase_add_test(tc, test_packed_member_saves_and_loads);
    tcase_add_test(tc, test_packed_once_saves_the_same_bytes);
    tcase_add_test(tc, test_prune_keeps_the_weightiest);
    suite_add_tcase(s, tc);
    return s;
}
