/* test_ship.c - models to ship: the row map, the initial rows rebuilt from the
 * seed, the quantized gathers against their codecs' decoders, an exported model
 * predicting as its checkpoint bit for bit, a quantized model predicting as the
 * float network of its decoded rows (and within the stated bound of the full
 * one), skipped tokens as if removed, the compact vocabulary, pretrained vectors
 * in, and nearest words on a toy model whose answer is known. */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "classifier.h"
#include "fit.h"
#include "fixture.h"
#include "kernels.h"
#include "neighbors.h"
#include "pipeline.h"
#include "pretrained.h"
#include "rng.h"
#include "vecfile.h"

/* ---- the row map ---- */

START_TEST(test_rowmap_index_and_sections)
{
    RowMap m;
    rowmap_init(&m, 200);
    const int64_t set[] = {0, 5, 63, 64, 130, 199};
    for (int i = 0; i < 6; i++) rowmap_set(&m, set[i]);
    rowmap_finish(&m);
    ck_assert_int_eq(m.stored, 6);
    for (int64_t r = 0, k = 0; r < 200; r++) {
        int64_t want = k < 6 && set[k] == r ? k++ : -1;
        ck_assert_int_eq(rowmap_index(&m, r), want);
    }
    int64_t list[6];
    rowmap_list(&m, list);
    ck_assert_mem_eq(list, set, sizeof set);
    char dir[256], path[300];
    fixture_tmpdir(dir, sizeof dir);
    snprintf(path, sizeof path, "%s/m.ckpt", dir);
    CkptWriter w;
    ckpt_writer_init(&w);
    rowmap_save(&m, &w);
    Status st;
    ck_assert_int_eq(ckpt_write(&w, path, &st), 0);
    ckpt_writer_free(&w);
    CkptReader r;
    ck_assert_int_eq(ckpt_open(&r, path, &st), 0);
    RowMap b;
    ck_assert_msg(rowmap_load(&b, &r, 200, &st) == 0, "%s", st.msg);
    ck_assert_int_eq(b.stored, 6);
    ck_assert_mem_eq(b.dir, m.dir, (size_t)m.words * 16);
    ck_assert_int_eq(rowmap_index(&b, 130), 4);
    rowmap_free(&b);
    ck_assert_int_eq(rowmap_load(&b, &r, 201, &st), -1);
    ck_assert_ptr_nonnull(strstr(st.msg, "201"));
    ckpt_close(&r);
    /* Version 1 (the bitmap, files before the list) reads into the same map. */
    ckpt_writer_init(&w);
    CkptBuf *v1 = ckpt_section(&w, "RMAP", 1);
    ckpt_put_u64(v1, 200);
    ckpt_put_u64(v1, 6);
    for (int64_t i = 0; i < m.words; i++) ckpt_put_u64(v1, m.dir[2 * i]);
    ck_assert_int_eq(ckpt_write(&w, path, &st), 0);
    ckpt_writer_free(&w);
    ck_assert_int_eq(ckpt_open(&r, path, &st), 0);
    ck_assert_msg(rowmap_load(&b, &r, 200, &st) == 0, "%s", st.msg);
    ck_assert_mem_eq(b.dir, m.dir, (size_t)m.words * 16);
    rowmap_free(&b);
    ckpt_close(&r);
    rowmap_free(&m);
    /* Lists of every density round-trip: none, one row, every row, every third. */
    const int64_t sizes[] = {1, 1, 64, 1000, 1000, 1000};
    for (int t = 0; t < 6; t++) {
        rowmap_init(&m, sizes[t]);
        for (int64_t row = 0; row < sizes[t]; row++)
            if ((t == 1 || t == 2 || t == 3) || (t == 5 && row % 3 == 0)) rowmap_set(&m, row);
        rowmap_finish(&m);
        ckpt_writer_init(&w);
        rowmap_save(&m, &w);
        ck_assert_int_eq(ckpt_write(&w, path, &st), 0);
        ckpt_writer_free(&w);
        ck_assert_int_eq(ckpt_open(&r, path, &st), 0);
        ck_assert_msg(rowmap_load(&b, &r, sizes[t], &st) == 0, "%s", st.msg);
        ck_assert_int_eq(b.stored, m.stored);
        ck_assert_mem_eq(b.dir, m.dir, (size_t)m.words * 16);
        rowmap_free(&b);
        ckpt_close(&r);
        rowmap_free(&m);
    }
    fixture_rmtree(dir);
}
END_TEST

/* ---- initial rows ---- */

START_TEST(test_initial_rows_rebuilt_from_the_seed)
{
    ModelOptions mo = {.dim = 5, .heads = 2};
    ModelDims D = model_dims(&mo, 30, 5, 3);
    Model m;
    model_init(&m, &D);
    model_randomize(&m, 4, 77);
    float row[5];
    /* Words 0-3 random, UNK (4) and the n-gram rows after it at zero. */
    for (int64_t r = 0; r < 30; r++) {
        ck_assert(embed_row_is_initial(m.p.emb + r * 5, r, 5, 77, 4));
        embed_init_row(row, r, 5, 77, 4);
        ck_assert_mem_eq(row, m.p.emb + r * 5, sizeof row);
    }
    ck_assert(!embed_row_is_initial(m.p.emb + 2 * 5, 2, 5, 78, 4));
    ck_assert(!embed_row_is_initial(m.p.emb + 4 * 5, 4, 5, 77, 30)); /* a zero row where a random one was due */
    model_free(&m);
}
END_TEST

/* ---- the gathers against their codecs' own decoders ---- */

static void fill(float *x, int64_t n, uint64_t seed)
{
    Rng r;
    rng_seed(&r, seed);
    for (int64_t i = 0; i < n; i++) x[i] = 2.0f * rng_uniform(&r) - 1.0f;
}

/* Each gather against its codec's decoder on rows of dim D (7: a remainder
 * sub-vector; 8: the 2-number fast path). */
static void gathers_match(int D)
{
    enum { ROWS = 300, T = 40 };
    float *x = malloc(ROWS * D * sizeof *x), *got = malloc(T * D * sizeof *got), *want = malloc(T * D * sizeof *want);
    const size_t bytes = (size_t)T * D * sizeof *got;
    fill(x, ROWS * D, 3);
    int32_t sid[T];
    Rng r;
    rng_seed(&r, 4);
    for (int t = 0; t < T; t++) sid[t] = t % 9 == 4 ? -1 : (int32_t)rng_below(&r, ROWS);
    kernel_gather_rows(got, x, sid, T, D);
    for (int t = 0; t < T; t++)
        for (int j = 0; j < D; j++) want[t * D + j] = sid[t] < 0 ? 0.0f : x[sid[t] * D + j];
    ck_assert_mem_eq(got, want, bytes);
    Status st;
    QuantI8 q8;
    ck_assert_int_eq(quant_i8_build(&q8, x, ROWS, D, &st), 0);
    kernel_gather_i8(got, q8.q, q8.scale, sid, T, D);
    for (int t = 0; t < T; t++) {
        if (sid[t] < 0) memset(want + t * D, 0, D * sizeof *want);
        else quant_i8_row(&q8, sid[t], want + t * D);
    }
    ck_assert_mem_eq(got, want, bytes);
    quant_i8_free(&q8);
    const int cases[][3] = {{8, 2, 0}, {8, 2, 1}, {4, 3, 1}, {4, 2, 0}, {8, 7, 0}, {8, 1, 1}}; /* bits, dsub, qnorm */
    for (size_t c = 0; c < sizeof cases / sizeof *cases; c++) {
        QuantPQOpts o = quant_pq_defaults();
        o.bits = cases[c][0];
        o.dsub = cases[c][1] < D ? cases[c][1] : D;
        o.qnorm = cases[c][2];
        o.iters = 3;
        QuantPQMat pq;
        ck_assert_int_eq(quant_pq_build(&pq, x, ROWS, D, &o, &st), 0);
        kernel_gather_pq(got, &pq, sid, T);
        for (int t = 0; t < T; t++) {
            if (sid[t] < 0) memset(want + t * D, 0, D * sizeof *want);
            else quant_pq_row(&pq, sid[t], want + t * D);
        }
        ck_assert_msg(memcmp(got, want, bytes) == 0, "dim %d, PQ case %zu", D, c);
        quant_pq_free(&pq);
    }
    free(x);
    free(got);
    free(want);
}

START_TEST(test_gathers_match_the_decoders)
{
    gathers_match(7);
    gathers_match(8);
}
END_TEST

/* ---- a small classifier ---- */

static const char ship_conf[] = "{\"data\": {\"train\": \"x.csv\"}, \"train\": {\"seed\": 5}}";

/* Dot attention with context sums and the gate, bigrams in 50 buckets and a
 * naive Bayes member (chars: character 3..4-grams in the same buckets; enc_layers:
 * a self-attention encoder; loss: softmax or ova); its rows start as model_randomize(5) gives them, and the
 * words' rows and a few buckets are then "trained" (moved), so an export leaves
 * out the other buckets. */
static void ship_make_as(Classifier *c, int chars, int enc_layers, LossKind loss)
{
    memset(c, 0, sizeof *c);
    TokenizerOptions to;
    tokenizer_options_default(&to);
    EncoderOptions eo = {.ngrams = 2, .buckets = 50, .char_min = chars ? 3 : 0, .char_max = chars ? 4 : 0};
    encoder_init(&c->enc, &to, &eo);
    const char *words[] = {"good", "bad", "movie", "plot", "北"};
    for (int i = 0; i < 5; i++) vocab_add(&c->enc.vocab, words[i], strlen(words[i]));
    vocab_init(&c->labels);
    vocab_add(&c->labels, "neg", 3);
    vocab_add(&c->labels, "pos", 3);
    ModelOptions mo = {.dim = 6, .heads = 2, .attention = ATTN_DOT, .context = 1, .gate = 1, .loss = loss};
    if (enc_layers) {
        mo.enc = (SelfAttnOptions){.kind = SELFATTN_ON, .layers = enc_layers, .ffn_dim = 8};
    }
    ModelDims D = model_dims(&mo, encoder_rows(&c->enc), encoder_unk_row(&c->enc) + 1, 2);
    model_init(&c->net, &D);
    model_randomize(&c->net, encoder_unk_row(&c->enc), 5);
    Rng r;
    rng_seed(&r, 9);
    for (int64_t i = 0; i < c->net.n_dense; i++) c->net.params[i] = rng_uniform(&r) - 0.5f;
    for (int64_t row = 0; row < D.rows; row++)
        if (row < 5 || row % 7 == 3)
            for (int j = 0; j < 6; j++) c->net.p.emb[row * 6 + j] += 0.25f * (rng_uniform(&r) - 0.5f);
    Dataset ds;
    dataset_init(&ds);
    const int32_t ids[1] = {0};
    const uint64_t feat[4] = {11, 22, 33, 44};
    int32_t y0 = 0, y1 = 1;
    dataset_append(&ds, ids, 1, feat, 3, &y0, 1);
    dataset_append(&ds, ids, 1, feat + 1, 3, &y1, 1);
    BayesOptions bo = {.weight = 0.25, .ngrams = 2, .alpha = 1.0};
    Status st;
    ck_assert_int_eq(bayes_fit(&c->bayes, &ds, 2, &bo, NULL, &st), 0);
    classifier_attach_bayes(c);
    calibration_init(&c->cal, 2);
    dataset_free(&ds);
}

static void ship_make(Classifier *c)
{
    ship_make_as(c, 0, 0, LOSS_SOFTMAX);
}

static const char *const ship_texts[] = {
    "good movie", "bad plot, bad movie", "北 good plot plot movie", "unseen words only here", "", "Good GOOD bad",
    "movie movie movie movie good bad plot the end",
};
#define N_TEXTS (sizeof ship_texts / sizeof *ship_texts)

/* Every text's probabilities, member logits and attention weights. */
typedef struct Scores {
    float probs[N_TEXTS][2], member[N_TEXTS][2], alpha[N_TEXTS][64];
    int T[N_TEXTS];
} Scores;

static void ship_score(const Classifier *c, Scores *out)
{
    ClassifierScratch s;
    classifier_scratch_init(&s, c);
    memset(out, 0, sizeof *out);
    for (size_t i = 0; i < N_TEXTS; i++) {
        classifier_score_text(c, ship_texts[i], strlen(ship_texts[i]), &s);
        memcpy(out->probs[i], s.doc.probs, sizeof out->probs[i]);
        memcpy(out->member[i], s.member, sizeof out->member[i]);
        out->T[i] = s.doc.T;
        ck_assert_int_le(2 * s.doc.T, 64);
        memcpy(out->alpha[i], s.doc.alpha, (size_t)(2 * s.doc.T) * sizeof(float));
    }
    classifier_scratch_free(&s);
}

static void ship_load(const char *path, Classifier *c)
{
    Config cfg;
    Status st;
    ck_assert_msg(pipeline_load(path, c, &cfg, &st) == 0, "%s", st.msg);
    config_free(&cfg);
}

/* Each kind of model: plain, character n-grams (bags), the encoder with them,
 * one-vs-all. */
static const int export_kinds[][3] = {{0, 0, LOSS_SOFTMAX}, {1, 0, LOSS_SOFTMAX}, {1, 1, LOSS_SOFTMAX}, {0, 0, LOSS_OVA}};

START_TEST(test_export_predicts_bit_for_bit)
{
    char dir[256], path[300];
    fixture_tmpdir(dir, sizeof dir);
    snprintf(path, sizeof path, "%s/model.bin", dir);
    Classifier c, e;
    ship_make_as(&c, export_kinds[_i][0], export_kinds[_i][1], (LossKind)export_kinds[_i][2]);
    Status st;
    ck_assert_msg(fit_export(&c, 5, EMBED_F32, ship_conf, path, &st) == 0, "%s", st.msg);
    ship_load(path, &e);
    /* Stored: the 5 words and buckets 3, 10, ...; UNK (5) and the other buckets are at their start, 0. */
    int64_t moved = 5;
    for (int64_t row = 6; row < c.net.dims.rows; row++) moved += row % 7 == 3;
    ck_assert_int_eq(embed_stored(&e.net.emb), moved);
    ck_assert_int_lt(moved, c.net.dims.rows);
    ck_assert_int_eq(e.net.emb.missing, EMBED_MISSING_INIT);
    Scores a, b;
    ship_score(&c, &a);
    ship_score(&e, &b);
    ck_assert_mem_eq(&a, &b, sizeof a);
    classifier_free(&e);
    /* int8 rows: within the bound README states (0.01 in probability). */
    ck_assert_int_eq(fit_export(&c, 5, EMBED_I8, ship_conf, path, &st), 0);
    ship_load(path, &e);
    ck_assert_int_eq(e.net.emb.codec, EMBED_I8);
    ship_score(&e, &b);
    for (size_t i = 0; i < N_TEXTS; i++)
        for (int k = 0; k < 2; k++) ck_assert_float_eq_tol(a.probs[i][k], b.probs[i][k], 0.01f);
    classifier_free(&e);
    /* int8 moves from the initial rows (the default): every number within half
     * a step of its row's, the rows the loader decodes the exporter's bit for
     * bit, the member's logits exact (BAYS version 4), probabilities within
     * 0.005. */
    ck_assert_int_eq(fit_export(&c, 5, EMBED_I8D, ship_conf, path, &st), 0);
    ship_load(path, &e);
    ck_assert_int_eq(e.net.emb.codec, EMBED_I8D);
    ck_assert(e.net.emb.dec != NULL && e.bayes.packed);
    Model x;
    ck_assert_int_eq(model_export(&x, &c.net, 5, EMBED_I8D, &st), 0);
    ck_assert(x.emb.dec == NULL);
    embed_decode_i8d(&x.emb);
    const int d = c.net.dims.dim;
    ck_assert_mem_eq(x.emb.dec, e.net.emb.dec, (size_t)(embed_stored(&e.net.emb) * d) * sizeof(float));
    model_free(&x);
    float row[16];
    for (int64_t r = 0; r < c.net.dims.rows; r++) {
        const int64_t k = embed_index(&e.net.emb, r);
        ck_assert_int_eq(embed_row(&e.net.emb, r, row), 0);
        const float half = k >= 0 ? e.net.emb.i8.scale[k] / 2 : 0.0f;
        for (int j = 0; j < d; j++) ck_assert_float_eq_tol(row[j], c.net.p.emb[r * d + j], half * 1.001f + 1e-7f);
    }
    ship_score(&e, &b);
    ck_assert_mem_eq(a.member, b.member, sizeof a.member);
    for (size_t i = 0; i < N_TEXTS; i++)
        for (int k = 0; k < 2; k++) ck_assert_float_eq_tol(a.probs[i][k], b.probs[i][k], 0.005f);
    classifier_free(&e);
    /* An exported model is not exported again. */
    ship_load(path, &e);
    Model m;
    ck_assert_int_eq(model_export(&m, &e.net, 5, EMBED_F32, &st), -1);
    classifier_free(&e);
    classifier_free(&c);
    fixture_rmtree(dir);
}
END_TEST

/* A shipped network of the kept rows (each codec) against the plain network of
 * the same rows decoded, on documents with the skipped tokens removed: the same
 * bits, and zero weight at the skipped positions. */
START_TEST(test_quantized_is_its_decoded_network)
{
    Classifier c;
    ship_make(&c);
    const Model *src = &c.net;
    const int64_t R = src->dims.rows;
    const int d = src->dims.dim;
    const EmbedCodec codecs[] = {EMBED_F32, EMBED_I8, EMBED_PQ};
    for (int ci = 0; ci < 3; ci++) {
        RowMap keep;
        rowmap_init(&keep, R);
        for (int64_t r = 0; r < R; r++)
            if (r % 3 != 1) rowmap_set(&keep, r);
        rowmap_finish(&keep);
        const int64_t n = keep.stored;
        float *rows = malloc((size_t)(n * d) * sizeof *rows);
        for (int64_t r = 0, k = 0; r < R; r++)
            if (rowmap_has(&keep, r)) memcpy(rows + (k++) * d, src->p.emb + r * d, (size_t)d * sizeof *rows);
        Embed e;
        embed_init_plain(&e, NULL, R, d);
        Status st;
        QuantPQOpts po = quant_pq_defaults();
        po.bits = 4;
        po.iters = 3;
        if (codecs[ci] == EMBED_I8) ck_assert_int_eq(quant_i8_build(&e.i8, rows, n, d, &st), 0);
        if (codecs[ci] == EMBED_PQ) ck_assert_int_eq(quant_pq_build(&e.pq, rows, n, d, &po, &st), 0);
        e.codec = codecs[ci];
        e.map = keep;
        e.mapped = 1;
        e.missing = EMBED_MISSING_SKIP;
        Model ship, plain;
        model_ship(&ship, src, &e, rows, src->dims.dense_rows);
        ModelDims D = src->dims;
        D.rows = n;
        model_init(&plain, &D);
        memcpy(plain.params, src->params, (size_t)src->n_dense * sizeof(float));
        for (int64_t k = 0; k < n; k++) embed_stored_row(&ship.emb, k, plain.p.emb + k * d);
        DocScratch s1, s2;
        docscratch_init(&s1, &src->dims, 8);
        docscratch_init(&s2, &src->dims, 8);
        Rng g;
        rng_seed(&g, 11);
        /* Documents of bags (an id ~r adds row r to the position before): a
         * skipped row leaves its bag, a bag of skipped rows leaves the document. */
        for (int doc = 0; doc < 40; doc++) {
            int32_t ids[30], kept[30], pos[30];
            const int n = doc % 20;
            int nk = 0, P = 0, npos = 0, open = 0;
            for (int i = 0; i < n; i++) {
                const int32_t r = (int32_t)rng_below(&g, (uint64_t)R);
                const int head = i == 0 || doc < 20 || rng_below(&g, 3) == 0;
                ids[i] = head ? r : ~r;
                if (head) {
                    P++;
                    open = 0;
                }
                int64_t k = rowmap_index(&ship.emb.map, r);
                if (k < 0) continue;
                if (!open) pos[npos++] = P - 1;
                kept[nk++] = open ? ~(int32_t)k : (int32_t)k;
                open = 1;
            }
            docscratch_reserve(&s1, &src->dims, n);
            docscratch_reserve(&s2, &src->dims, n);
            model_forward(&ship, ids, n, NULL, NULL, 0, 0.0f, 0, &s1);
            model_forward(&plain, kept, nk, NULL, NULL, 0, 0.0f, 0, &s2);
            ck_assert_int_eq(s1.T, P);
            ck_assert_int_eq(s2.T, npos);
            ck_assert_mem_eq(s1.probs, s2.probs, 2 * sizeof(float));
            for (int h = 0; h < 2; h++)
                for (int t = 0, j = 0; t < P; t++) {
                    float want = j < npos && pos[j] == t ? s2.alpha[h * npos + j++] : 0.0f;
                    ck_assert(s1.alpha[h * P + t] == want);
                }
        }
        docscratch_free(&s1);
        docscratch_free(&s2);
        model_free(&ship);
        model_free(&plain);
        free(rows);
    }
    classifier_free(&c);
}
END_TEST

/* The whole command on a toy run: quantized with a cutoff by norm, saved,
 * loaded; its vocabulary holds only the kept words, and with every trained row
 * kept and 8-bit codes (more centroids than rows: exact) it predicts as the full
 * model on one-word texts (a bigram may hit a bucket never trained, which the
 * quantized model leaves out). */
START_TEST(test_pipeline_quantize_file)
{
    char dir[256], ck[300], out[300];
    fixture_tmpdir(dir, sizeof dir);
    snprintf(ck, sizeof ck, "%s/best.ckpt", dir);
    snprintf(out, sizeof out, "%s/q.bin", dir);
    Classifier c;
    ship_make(&c);
    FitSnapshot snap = {.clf = &c};
    TrainState ts = {0};
    snap.state = &ts;
    Status st;
    ck_assert_int_eq(fit_save(&snap, ship_conf, ck, &st), 0);
    QuantizeOptions o = pipeline_quantize_defaults();
    o.score = QUANTIZE_NORM;
    o.cutoff = 3; /* the words' rows have the largest norms (the buckets' start at 0) */
    QuantizeReport rep;
    ck_assert_msg(pipeline_quantize(ck, out, &o, NULL, 0, &rep, &st) == 0, "%s", st.msg);
    ck_assert_int_eq(rep.kept, 3);
    ck_assert_int_eq(rep.valid_n, 0);
    Classifier q;
    ship_load(out, &q);
    ck_assert_int_eq(q.enc.vocab.n, rep.words_kept);
    ck_assert_int_eq(rep.words_kept, 3);
    ck_assert_int_eq(embed_stored(&q.net.emb), 3);
    ck_assert_int_eq(q.net.dims.rows, 1 + q.enc.vocab.n + 50);
    classifier_free(&q);
    o.cutoff = 0;
    o.pq.qnorm = 0;
    ck_assert_int_eq(pipeline_quantize(ck, out, &o, NULL, 0, &rep, &st), 0);
    ship_load(out, &q);
    ck_assert_int_eq(q.enc.vocab.n, 5);
    ClassifierScratch s1, s2;
    classifier_scratch_init(&s1, &c);
    classifier_scratch_init(&s2, &q);
    const char *texts[] = {"good", "plot", "北"};
    for (int i = 0; i < 3; i++) {
        classifier_score_text(&c, texts[i], strlen(texts[i]), &s1);
        classifier_score_text(&q, texts[i], strlen(texts[i]), &s2);
        for (int k = 0; k < 2; k++) ck_assert_float_eq_tol(s1.doc.probs[k], s2.doc.probs[k], 1e-5f);
    }
    classifier_scratch_free(&s1);
    classifier_scratch_free(&s2);
    classifier_free(&q);
    /* A quantized model is not quantized again. */
    ck_assert_int_eq(pipeline_quantize(out, ck, &o, NULL, 0, &rep, &st), -1);
    ck_assert_ptr_nonnull(strstr(st.msg, "quantized model already"));
    classifier_free(&c);
    fixture_rmtree(dir);
}
END_TEST

/* ---- the compact naive Bayes member ---- */

START_TEST(test_bayes_compact_member)
{
    /* 3 classes, 2000 features with random log-probabilities. */
    enum { N = 2000, C = 3 };
    Bayes b;
    memset(&b, 0, sizeof b);
    Dataset ds;
    dataset_init(&ds);
    uint64_t *keys = malloc(N * sizeof *keys);
    Rng r;
    rng_seed(&r, 31);
    for (int i = 0; i < N; i++) keys[i] = rng_next(&r);
    for (int i = 0; i < N; i += 10) {
        int32_t y = (i / 10) % C;
        dataset_append(&ds, NULL, 0, keys + i, 10, &y, 1);
    }
    BayesOptions bo = {.weight = 0.3, .ngrams = 2, .alpha = 1.0};
    Status st;
    ck_assert_int_eq(bayes_fit(&b, &ds, C, &bo, NULL, &st), 0);
    for (int64_t i = 0; i < b.n * C; i++) b.logp[i] = -8.0f * rng_uniform(&r);
    Bayes full = b;
    full.keys = malloc((size_t)b.n * sizeof *full.keys);
    full.logp = malloc((size_t)(b.n * C) * sizeof *full.logp);
    full.prior = malloc(C * sizeof *full.prior);
    full.slot = NULL;
    memcpy(full.keys, b.keys, (size_t)b.n * sizeof *full.keys);
    memcpy(full.logp, b.logp, (size_t)(b.n * C) * sizeof *full.logp);
    memcpy(full.prior, b.prior, C * sizeof *full.prior);
    bayes_compact(&full); /* a throwaway to see that compacting twice is harmless */
    bayes_compact(&full);
    bayes_free(&full);
    float before[C], after[C];
    uint64_t doc[40];
    for (int k = 0; k < 40; k++) doc[k] = k < 30 ? keys[(k * 37) % N] : rng_next(&r); /* 10 unseen */
    bayes_logits(&b, doc, 40, before);
    bayes_compact(&b);
    ck_assert(bayes_present(&b));
    ck_assert_int_eq(b.n, N);
    bayes_logits(&b, doc, 40, after);
    /* The differences to class 0 agree within weight * scale / 2 per feature. */
    for (int c = 1; c < C; c++)
        ck_assert_float_eq_tol(after[c] - after[0], before[c] - before[0], 0.3f * b.scale / 2 * 30 + 1e-4f);
    /* Saved as BAYS version 3 and read back: the same fingerprints, steps and logits. */
    char dir[256], path[300];
    fixture_tmpdir(dir, sizeof dir);
    snprintf(path, sizeof path, "%s/b.ckpt", dir);
    CkptWriter w;
    ckpt_writer_init(&w);
    bayes_save(&b, &w);
    ck_assert_int_eq(ckpt_write(&w, path, &st), 0);
    ckpt_writer_free(&w);
    CkptReader rd;
    ck_assert_int_eq(ckpt_open(&rd, path, &st), 0);
    Bayes l;
    ck_assert_msg(bayes_load(&l, &rd, C, NULL, &st) == 0, "%s", st.msg);
    ck_assert_int_eq(l.n, b.n);
    ck_assert_mem_eq(l.fp, b.fp, (size_t)b.n * sizeof *b.fp);
    ck_assert_mem_eq(l.q, b.q, (size_t)(b.n * (C - 1)));
    float again[C];
    bayes_logits(&l, doc, 40, again);
    ck_assert_mem_eq(again, after, sizeof after);
    ckpt_close(&rd);
    bayes_free(&l);
    bayes_free(&b);
    dataset_free(&ds);
    free(keys);
    fixture_rmtree(dir);
}
END_TEST

/* ---- the compact vocabulary ---- */

START_TEST(test_vocab_compact_round_trip)
{
    Vocab v;
    vocab_init(&v);
    char longw[300];
    memset(longw, 'x', sizeof longw - 1);
    longw[sizeof longw - 1] = '\0';
    const char *words[] = {"a", "北京", longw, "z"};
    for (int i = 0; i < 4; i++) vocab_add(&v, words[i], strlen(words[i]));
    char dir[256], path[300];
    fixture_tmpdir(dir, sizeof dir);
    snprintf(path, sizeof path, "%s/v.ckpt", dir);
    CkptWriter w;
    ckpt_writer_init(&w);
    vocab_save(&v, &w, "VOCB", 1);
    Status st;
    ck_assert_int_eq(ckpt_write(&w, path, &st), 0);
    ckpt_writer_free(&w);
    CkptReader r;
    ck_assert_int_eq(ckpt_open(&r, path, &st), 0);
    Vocab b;
    vocab_init(&b);
    ck_assert_msg(vocab_load(&b, &r, "VOCB", &st) == 0, "%s", st.msg);
    ck_assert_int_eq(b.n, 4);
    for (int i = 0; i < 4; i++) {
        ck_assert_str_eq(b.words[i], words[i]);
        ck_assert_int_eq(b.counts[i], 0);
        ck_assert_int_eq(vocab_find(&b, words[i], strlen(words[i])), i);
    }
    ckpt_close(&r);
    vocab_free(&b);
    uint8_t keep[4] = {1, 0, 1, 0};
    int64_t remap[4];
    vocab_filter(&v, keep, remap);
    ck_assert_int_eq(v.n, 2);
    ck_assert_str_eq(v.words[1], longw);
    ck_assert_int_eq(remap[1], -1);
    ck_assert_int_eq(remap[2], 1);
    ck_assert_int_eq(vocab_find(&v, "z", 1), -1);
    vocab_free(&v);
    fixture_rmtree(dir);
}
END_TEST

/* ---- pretrained vectors in ---- */

START_TEST(test_pretrained_vec_round_trip)
{
    char dir[256], path[300];
    fixture_tmpdir(dir, sizeof dir);
    snprintf(path, sizeof path, "%s/w.vec", dir);
    Classifier c;
    ship_make(&c);
    /* The words of a model out as a .vec file (what `vectors --words` writes) and
     * into a fresh model: the same bits. Upper case finds the lowercase word. */
    const char *words[] = {"GOOD", "movie", "other", "北", "good"};
    float vecs[5 * 6];
    fill(vecs, 5 * 6, 21);
    Status st;
    ck_assert_int_eq(vecfile_write(path, words, vecs, 5, 6, &st), 0);
    Model m;
    model_init(&m, &c.net.dims);
    model_randomize(&m, encoder_unk_row(&c.enc), 5);
    PretrainedStats ps;
    ck_assert_msg(pretrained_load(&m, &c.enc, path, &ps, &st) == 0, "%s", st.msg);
    ck_assert_int_eq(ps.found, 3);
    ck_assert_int_eq(ps.vectors, 5);
    ck_assert_int_eq(ps.words, 5);
    ck_assert_mem_eq(m.p.emb + 0 * 6, vecs + 0 * 6, 6 * sizeof(float)); /* "GOOD" came first */
    ck_assert_mem_eq(m.p.emb + 2 * 6, vecs + 1 * 6, 6 * sizeof(float));
    ck_assert_mem_eq(m.p.emb + 4 * 6, vecs + 3 * 6, 6 * sizeof(float));
    ck_assert(embed_row_is_initial(m.p.emb + 1 * 6, 1, 6, 5, 5)); /* "bad": no vector, its random start */
    /* Errors name the file and line. */
    fixture_write(path, "2 3\ngood 1 2 3\nbad 1 2\n", 23);
    ck_assert_int_eq(pretrained_load(&m, &c.enc, path, &ps, &st), -1);
    char want[400];
    snprintf(want, sizeof want, "%s: vectors have 3 dimensions, model.dim is 6", path);
    ck_assert_str_eq(st.msg, want);
    fixture_write(path, "good 1 2 3 4 5 6\nbad 1 2 3 4 5\n", 31);
    ck_assert_int_eq(pretrained_load(&m, &c.enc, path, &ps, &st), -1);
    snprintf(want, sizeof want, "%s:2: expected 6 numbers, got 5", path);
    ck_assert_str_eq(st.msg, want);
    model_free(&m);
    classifier_free(&c);
    fixture_rmtree(dir);
}
END_TEST

/* ---- nearest words ---- */

START_TEST(test_neighbors_known_answer)
{
    Classifier c;
    memset(&c, 0, sizeof c);
    TokenizerOptions to;
    tokenizer_options_default(&to);
    EncoderOptions eo = {.ngrams = 1};
    encoder_init(&c.enc, &to, &eo);
    const char *words[] = {"king", "queen", "apple", "pear", "zero"};
    for (int i = 0; i < 5; i++) vocab_add(&c.enc.vocab, words[i], strlen(words[i]));
    vocab_init(&c.labels);
    ModelOptions mo = {.dim = 2, .heads = 1};
    ModelDims D = model_dims(&mo, encoder_rows(&c.enc), encoder_unk_row(&c.enc) + 1, 2);
    model_init(&c.net, &D);
    const float rows[] = {1, 0, 0.9f, 0.1f, 0, 1, 0.1f, 0.9f, 0, 0};
    memcpy(c.net.p.emb, rows, sizeof rows);
    Neighbors nb;
    neighbors_init(&nb, &c);
    NeighborsQuery q;
    neighbors_query_init(&q, &nb, 3);
    ck_assert_int_eq(neighbors_find(&nb, &c, "King", 4, &q), 1);
    ck_assert_int_eq(q.n, 3);
    const int64_t order[] = {1, 3, 2}; /* queen, pear, apple; "zero" has no direction */
    ck_assert_mem_eq(q.ids, order, sizeof order);
    ck_assert_float_eq_tol(q.sims[0], 0.9f / sqrtf(0.82f), 1e-6f);
    ck_assert_float_eq_tol(q.sims[1], 0.1f / sqrtf(0.82f), 1e-6f);
    ck_assert_float_eq_tol(q.sims[2], 0.0f, 1e-6f);
    /* Two words: their sum, themselves left out. */
    ck_assert_int_eq(neighbors_find(&nb, &c, "king apple", 10, &q), 2);
    ck_assert_int_eq(q.n, 2);
    ck_assert(q.ids[0] == 1 || q.ids[0] == 3);
    ck_assert_int_eq(neighbors_find(&nb, &c, "nothing known", 13, &q), 0);
    ck_assert_int_eq(q.n, 0);
    neighbors_query_free(&q);
    neighbors_free(&nb);
    classifier_free(&c);
}
END_TEST

Suite *ship_suite(void)
{
    Suite *s = suite_create("ship");
    TCase *tc = tcase_create("ship");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_rowmap_index_and_sections);
    tcase_add_test(tc, test_initial_rows_rebuilt_from_the_seed);
    tcase_add_test(tc, test_gathers_match_the_decoders);
    tcase_add_loop_test(tc, test_export_predicts_bit_for_bit, 0, sizeof export_kinds / sizeof *export_kinds);
    tcase_add_test(tc, test_quantized_is_its_decoded_network);
    tcase_add_test(tc, test_pipeline_quantize_file);
    tcase_add_test(tc, test_bayes_compact_member);
    tcase_add_test(tc, test_vocab_compact_round_trip);
    tcase_add_test(tc, test_pretrained_vec_round_trip);
    tcase_add_test(tc, test_neighbors_known_answer);
    suite_add_tcase(s, tc);
    return s;
}
