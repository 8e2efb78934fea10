/* test_train.c - whole training runs on a small synthetic corpus: it learns,
 * it is bit-identical across thread counts, and a run resumed from an earlier
 * epoch's checkpoint ends bit-identical to the uninterrupted run. */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cfile.h"
#include "ckpt.h"
#include "config.h"
#include "fit.h"
#include "fixture.h"
#include "pipeline.h"
#include "rng.h"
#include "step.h"

static void train_config(Config *cfg, const char *corpus, const char *dir, int threads, const char *schedule)
{
    char set[4200];
    Status st;
    config_defaults(cfg);
    const char *sets[] = {"model.dim=8", "model.heads=2", "train.epochs=4", "train.batch_size=16",
                          "train.lr=0.02", "tokenizer.buckets=1000", "output.keep_checkpoints=4",
                          "model.dropout=0.1"};
    for (size_t i = 0; i < sizeof sets / sizeof *sets; i++) ck_assert_int_eq(config_set(cfg, sets[i], &st), 0);
    snprintf(set, sizeof set, "data.train=%s", corpus);
    ck_assert_int_eq(config_set(cfg, set, &st), 0);
    snprintf(set, sizeof set, "output.dir=%s", dir);
    ck_assert_int_eq(config_set(cfg, set, &st), 0);
    snprintf(set, sizeof set, "train.threads=%d", threads);
    ck_assert_int_eq(config_set(cfg, set, &st), 0);
    snprintf(set, sizeof set, "train.lr_schedule=%s", schedule);
    ck_assert_int_eq(config_set(cfg, set, &st), 0);
    ck_assert_msg(config_validate(cfg, &st) == 0, "%s", st.msg);
}

static void run(const char *corpus, const char *dir, int threads, const char *schedule)
{
    Config cfg;
    Status st;
    train_config(&cfg, corpus, dir, threads, schedule);
    FitSummary sum;
    ck_assert_msg(pipeline_train(&cfg, 0, NULL, 0, &sum, &st) == 0, "%s", st.msg);
    config_free(&cfg);
}

/* A run's checkpoint as resume reads it. */
typedef struct Loaded {
    Classifier c;
    TrainState state;
    Adam adam;
} Loaded;

/* best.ckpt has no Adam moments (nothing resumes from it); the others do. */
static void load(const char *path, Loaded *x)
{
    CkptReader r;
    Status st;
    memset(x, 0, sizeof *x);
    ck_assert_msg(ckpt_open(&r, path, &st) == 0, "%s", st.msg);
    ck_assert_msg(classifier_load(&x->c, &r, 0, NULL, &st) == 0, "%s", st.msg);
    ck_assert_msg(fit_load_state(&x->state, &r, &st) == 0, "%s", st.msg);
    CkptSection sec;
    if (ckpt_find(&r, "ADMM", &sec)) ck_assert_msg(adam_load(&x->adam, &r, &x->c.net, &st) == 0, "%s", st.msg);
    else ck_assert_ptr_null(strstr(path, "last.ckpt"));
    ckpt_close(&r);
}

static void loaded_free(Loaded *x)
{
    classifier_free(&x->c);
    adam_free(&x->adam);
}

static void same_weights(const char *a, const char *b)
{
    Loaded x, y;
    load(a, &x);
    load(b, &y);
    size_t bytes = (size_t)x.c.net.n_params * sizeof(float);
    ck_assert_int_eq(x.c.net.n_params, y.c.net.n_params);
    ck_assert_msg(memcmp(x.c.net.params, y.c.net.params, bytes) == 0, "weights differ: %s vs %s", a, b);
    ck_assert(memcmp(x.adam.m, y.adam.m, bytes) == 0);
    ck_assert(memcmp(x.adam.v, y.adam.v, bytes) == 0);
    ck_assert_int_eq(x.state.step, y.state.step);
    ck_assert_uint_eq(x.state.rng, y.state.rng);
    loaded_free(&x);
    loaded_free(&y);
}

START_TEST(test_learns_and_writes_outputs)
{
    char dir[256], corpus[300], out[300], path[400];
    fixture_tmpdir(dir, sizeof dir);
    snprintf(corpus, sizeof corpus, "%s/train.csv", dir);
    snprintf(out, sizeof out, "%s/run", dir);
    fixture_corpus(corpus, 600, 1);
    run(corpus, out, 1, "linear");
    const char *files[] = {"best.ckpt", "last.ckpt", "config.json", "log.jsonl", "log.csv",
                           "checkpoints/epoch-001.ckpt", "checkpoints/epoch-004.ckpt"};
    for (size_t i = 0; i < sizeof files / sizeof *files; i++) {
        snprintf(path, sizeof path, "%s/%s", out, files[i]);
        long n;
        unsigned char *d = fixture_read(path, &n);
        ck_assert_msg(d != NULL && n > 0, "missing %s", path);
        free(d);
    }
    Loaded ck;
    snprintf(path, sizeof path, "%s/best.ckpt", out);
    load(path, &ck);
    ck_assert_int_eq(ck.c.labels.n, 3);
    ck_assert_str_eq(ck.c.labels.words[0], "business");
    ck_assert_msg(ck.state.best_metric > 0.9, "valid accuracy %.3f", ck.state.best_metric);
    loaded_free(&ck);
    snprintf(path, sizeof path, "%s/log.csv", out);
    long n;
    char *log = (char *)fixture_read(path, &n);
    log[n] = '\0';
    ck_assert_ptr_nonnull(strstr(log, "epoch,train_loss,train_acc,valid_loss,valid_acc,lr,seconds,tokens_per_sec,valid_macro_f1,"
                                      "valid_micro_f1,valid_p_at_1,log_loss_before,log_loss_after,ece_before,ece_after,"
                                      "temperature,threshold\n1,"));
    ck_assert_ptr_nonnull(strstr(log, "\n4,"));
    free(log);
    fixture_rmtree(dir);
}
END_TEST

START_TEST(test_same_bits_for_any_thread_count)
{
    char dir[256], corpus[300], one[300], two[300], a[400], b[400];
    fixture_tmpdir(dir, sizeof dir);
    snprintf(corpus, sizeof corpus, "%s/train.csv", dir);
    snprintf(one, sizeof one, "%s/t1", dir);
    snprintf(two, sizeof two, "%s/t2", dir);
    fixture_corpus(corpus, 300, 2);
    run(corpus, one, 1, "linear");
    run(corpus, two, 2, "linear");
    snprintf(a, sizeof a, "%s/last.ckpt", one);
    snprintf(b, sizeof b, "%s/last.ckpt", two);
    same_weights(a, b);
    fixture_rmtree(dir);
}
END_TEST

START_TEST(test_resume_is_bit_identical)
{
    char dir[256], corpus[300], out[300], full[300], path[700], cmd[3000];
    fixture_tmpdir(dir, sizeof dir);
    snprintf(corpus, sizeof corpus, "%s/train.csv", dir);
    snprintf(out, sizeof out, "%s/run", dir);
    snprintf(full, sizeof full, "%s/full", dir);
    fixture_corpus(corpus, 300, 3);
    run(corpus, out, 2, "linear");
    ck_assert_int_eq(rename(out, full), 0);
    /* What an interruption after epoch 2 leaves behind: that epoch's checkpoint as
     * last.ckpt and two rows in each log (plus a torn third that must go). */
    snprintf(cmd, sizeof cmd,
             "mkdir -p %s && cp %s/checkpoints/epoch-002.ckpt %s/last.ckpt && head -3 %s/log.csv > %s/log.csv && "
             "head -2 %s/log.jsonl > %s/log.jsonl && printf '3,0.1' >> %s/log.csv",
             out, full, out, full, out, full, out, out);
    ck_assert_int_eq(system(cmd), 0);
    Status st;
    FitSummary sum;
    ck_assert_msg(pipeline_resume(out, NULL, 0, NULL, 0, &sum, &st) == 0, "%s", st.msg);
    long n1, n2;
    snprintf(path, sizeof path, "%s/last.ckpt", out);
    unsigned char *x = fixture_read(path, &n1);
    snprintf(path, sizeof path, "%s/last.ckpt", full);
    unsigned char *y = fixture_read(path, &n2);
    ck_assert_int_eq(n1, n2);
    ck_assert_msg(memcmp(x, y, (size_t)n1) == 0, "resumed checkpoint differs from the uninterrupted one");
    free(x);
    free(y);
    /* The logs agree too, but for the timing columns. */
    snprintf(cmd, sizeof cmd, "cmp -s <(cut -d, -f1-6 %s/log.csv) <(cut -d, -f1-6 %s/log.csv)", out, full);
    char bash[3200];
    snprintf(bash, sizeof bash, "bash -c '%s'", cmd);
    ck_assert_int_eq(system(bash), 0);
    /* A finished run has nothing left to do. */
    ck_assert_int_eq(pipeline_resume(out, NULL, 0, NULL, 0, &sum, &st), -1);
    ck_assert_ptr_nonnull(strstr(st.msg, "complete"));
    char *ext[] = {"train.epochs=5"};
    ck_assert_msg(pipeline_resume(out, ext, 1, NULL, 0, &sum, &st) == 0, "%s", st.msg);
    char *bad[] = {"model.dim=4"};
    ck_assert_int_eq(pipeline_resume(out, bad, 1, NULL, 0, &sum, &st), -1);
    ck_assert_int_eq(st.code, STATUS_USAGE);
    fixture_rmtree(dir);
}
END_TEST

/* The optimised step (row ownership by thread, row sums on first tokens,
 * prefetching) against a naive one: dense gradient of every parameter summed
 * over the batch, global-norm clip, and Adam on the dense tensors and on the
 * embedding rows the batch used. */
/* The step's settings as the tests vary them. */
typedef struct StepCase {
    StepOptions so;
    AdamOptions ao;
    uint64_t seed;
} StepCase;

static void naive_step(Model *m, Adam *a, const Dataset *ds, const int64_t *doc, int B, const StepCase *tc,
                       float lr)
{
    float *g = calloc((size_t)m->n_params, sizeof *g);
    unsigned char *used = calloc((size_t)m->dims.rows, 1);
    DocScratch s;
    docscratch_init(&s, &m->dims, (int)ds->max_len);
    const int d = m->dims.dim;
    float *demb = malloc((size_t)(ds->max_len + 1) * d * sizeof *demb);
    float *gdoc = calloc((size_t)m->n_dense, sizeof *gdoc);
    for (int b = 0; b < B; b++) {
        int64_t i = doc[b];
        int T = (int)(ds->off[i + 1] - ds->off[i]);
        const int32_t *ids = ds->ids + ds->off[i];
        const int32_t *y = ds->lab + ds->loff[i];
        model_forward(m, ids, T, NULL, y, 1, 0.0f, 0, &s);
        memset(gdoc, 0, (size_t)m->n_dense * sizeof *gdoc);
        /* Weight len^p / sum(len^p) with train.length_weight p, else 1/B. */
        double wsum = 0.0;
        for (int c = 0; c < B; c++) wsum += (float)pow((double)(ds->off[doc[c] + 1] - ds->off[doc[c]]), tc->so.length_weight);
        float w = (float)((float)pow((double)T, tc->so.length_weight) / wsum);
        model_backward(m, ids, T, y, 1, 0.0f, w, &s, gdoc, demb);
        for (int64_t k = 0; k < m->n_dense; k++) g[k] += gdoc[k];
        for (int t = 0; t < T; t++) {
            used[ids[t]] = 1;
            for (int e = 0; e < d; e++) g[m->n_dense + (int64_t)ids[t] * d + e] += demb[(size_t)t * d + e];
        }
    }
    double sq = 0.0;
    for (int64_t k = 0; k < m->n_params; k++) sq += (double)g[k] * g[k];
    AdamStep as = adam_step_params(optim_clip_scale(sq, tc->so.clip), lr, (float)tc->ao.weight_decay, ++a->step);
    adam_update(m->params, a->m, a->v, g, m->n_dense, &as);
    for (int64_t r = 0; r < m->dims.rows; r++)
        if (used[r]) {
            size_t o = (size_t)(m->n_dense + r * d);
            adam_update(m->params + o, a->m + o, a->v + o, g + o, d, &as);
        }
    free(g);
    free(used);
    free(demb);
    free(gdoc);
    docscratch_free(&s);
}

/* What count_steps checks each step against. */
typedef struct StepCheck {
    const Dataset *ds;
    const int64_t *order;
    int64_t seen, stop_after;
} StepCheck;

static int count_steps(void *ctx, int64_t batch, int n, const StepResult *r, float lr)
{
    StepCheck *c = ctx;
    ck_assert_int_eq(batch, c->seen);
    ck_assert_int_eq(n, 8);
    ck_assert(r->finite);
    ck_assert(lr == 0.01f);
    int64_t tokens = 0;
    for (int k = 0; k < n; k++) {
        int64_t i = c->order[batch * 8 + k];
        tokens += c->ds->off[i + 1] - c->ds->off[i];
    }
    ck_assert_int_eq(r->tokens, tokens);
    return ++c->seen == c->stop_after;
}

/* Long documents with repeated rows, so batches take the parallel path and
 * rows recur within and across documents. */
static void long_docs(Dataset *ds)
{
    dataset_init(ds);
    Rng r;
    rng_seed(&r, 11);
    int32_t ids[3000];
    for (int i = 0; i < 24; i++) {
        int T = 200 + (int)rng_below(&r, 2800);
        for (int t = 0; t < T; t++) ids[t] = (int32_t)rng_below(&r, 500);
        int32_t y = (int32_t)rng_below(&r, 3);
        dataset_append(ds, ids, T, NULL, 0, &y, 1);
    }
}

static const ModelDims long_dims = {.rows = 500, .dim = 8, .heads = 2, .classes = 3, .attention = ATTN_DOT};
static const StepCase long_tc = {.so = {.clip = 0.01, .batch_size = 8},
                                 .ao = {.weight_decay = 0.01, .lr = 0.01, .lr_schedule = LR_CONSTANT},
                                 .seed = 5};

static void long_model(Model *m)
{
    model_init(m, &long_dims);
    model_randomize(m, 499, 3);
    for (int k = 0; k < 16; k++) m->p.query[k] = 0.1f * (float)(k % 5) - 0.2f;
}

/* Runs `steps` steps of step_run on `threads` threads, stopping by the callback. */
static void long_run_tc(Model *m, Stepper *t, const Dataset *ds, const int64_t *order, int threads, int64_t steps,
                        const StepCase *tc)
{
    StepOptions so = tc->so;
    so.threads = threads;
    step_init(t, m, &so, ds->max_len, step_token_bound(ds, 8));
    StepCheck check = {.ds = ds, .order = order, .seen = 0, .stop_after = steps};
    const LrPlan plan = {.total = 3};
    ck_assert_int_eq(step_run(t, ds, order, 0, 3, &tc->ao, tc->seed, &plan, count_steps, &check), steps);
    ck_assert_int_eq(t->adam.step, steps);
}

static void long_run(Model *m, Stepper *t, const Dataset *ds, const int64_t *order, int threads, int64_t steps)
{
    long_run_tc(m, t, ds, order, threads, steps, &long_tc);
}

static void matches_naive(const StepCase *tc)
{
    Dataset ds;
    long_docs(&ds);
    Model fast, slow;
    long_model(&fast);
    long_model(&slow);
    int64_t order[24];
    for (int i = 0; i < 24; i++) order[i] = (i * 7) % 24;
    Stepper t;
    long_run_tc(&fast, &t, &ds, order, 2, 3, tc);
    Adam a;
    adam_init(&a, slow.n_params);
    for (int step = 0; step < 3; step++) naive_step(&slow, &a, &ds, order + 8 * step, 8, tc, 0.01f);
    for (int64_t k = 0; k < fast.n_params; k++)
        ck_assert_msg(fabsf(fast.params[k] - slow.params[k]) <= 1e-6f + 1e-5f * fabsf(slow.params[k]),
                      "param %lld: %.9g vs naive %.9g", (long long)k, fast.params[k], slow.params[k]);
    step_free(&t);
    adam_free(&a);
    model_free(&fast);
    model_free(&slow);
    dataset_free(&ds);
}

START_TEST(test_step_matches_naive_reference)
{
    matches_naive(&long_tc);
}
END_TEST

/* train.length_weight: documents weighted by len^p / sum(len^p). */
START_TEST(test_length_weight_matches_naive_reference)
{
    StepCase tc = long_tc;
    tc.so.length_weight = 0.5;
    matches_naive(&tc);
}
END_TEST

/* Row ownership and the phase split change with the thread count; the bits
 * must not. Also: the callback stops the run. */
START_TEST(test_step_same_bits_any_threads)
{
    Dataset ds;
    long_docs(&ds);
    int64_t order[24];
    for (int i = 0; i < 24; i++) order[i] = (i * 5) % 24;
    Model one, other;
    Stepper t1, tn;
    long_model(&one);
    long_run(&one, &t1, &ds, order, 1, 3);
    for (int threads = 2; threads <= 3; threads++) {
        long_model(&other);
        long_run(&other, &tn, &ds, order, threads, 3);
        size_t bytes = (size_t)one.n_params * sizeof(float);
        ck_assert_msg(memcmp(one.params, other.params, bytes) == 0, "weights differ at %d threads", threads);
        ck_assert(memcmp(t1.adam.m, tn.adam.m, bytes) == 0);
        ck_assert(memcmp(t1.adam.v, tn.adam.v, bytes) == 0);
        step_free(&tn);
        model_free(&other);
    }
    long_model(&other);
    long_run(&other, &tn, &ds, order, 2, 2);
    step_free(&tn);
    model_free(&other);
    step_free(&t1);
    model_free(&one);
    dataset_free(&ds);
}
END_TEST

static int train_no_stop(void *ctx, int64_t b, int n, const StepResult *r, float lr)
{
    (void)ctx, (void)b, (void)n, (void)r, (void)lr;
    return 0;
}

/* The weights after two batches over ds, its ids read through their mapping or
 * from the file (step_read_from), with token dropout so that ids are filtered. */
static void train_two_steps(const Dataset *ds, const CFile *src, float *out, int64_t n)
{
    ModelDims D = {.rows = 40, .dense_rows = 40, .dim = 8, .heads = 2, .classes = 2};
    Model m;
    model_init(&m, &D);
    model_randomize(&m, 5, 2);
    StepOptions so = {.batch_size = 3, .threads = 2, .token_dropout = 0.3};
    Stepper t;
    step_init(&t, &m, &so, ds->max_len, step_token_bound(ds, 3));
    step_read_from(&t, src);
    AdamOptions ao = {.lr = 0.01, .lr_schedule = LR_CONSTANT};
    LrPlan plan = {.total = 2};
    int64_t perm[6] = {4, 1, 5, 0, 3, 2};
    ck_assert_int_eq(step_run(&t, ds, perm, 0, 2, &ao, 9, &plan, train_no_stop, NULL), 2);
    memcpy(out, m.params, (size_t)n * sizeof *out);
    step_free(&t);
    model_free(&m);
}

START_TEST(test_ids_read_from_the_file_give_the_same_bits)
{
    char dir[256], path[320];
    fixture_tmpdir(dir, sizeof dir);
    snprintf(path, sizeof path, "%s/ids.atc", dir);
    int32_t ids[60];
    for (int i = 0; i < 60; i++) ids[i] = (i * 7) % 40;
    const int64_t off[7] = {0, 9, 20, 21, 35, 50, 60}, loff[7] = {0, 1, 2, 3, 4, 5, 6};
    const int32_t lab[6] = {0, 1, 1, 0, 1, 0};
    CFileWriter w;
    Status st;
    ck_assert_int_eq(cfile_create(&w, path, "TEST", 1, &st), 0);
    cfile_section(&w, "IDS ", ids, sizeof ids);
    ck_assert_int_eq(cfile_commit(&w, &st), 0);
    CFile f;
    ck_assert_int_eq(cfile_open(&f, path, "TEST", 1, 1, &st), CFILE_OK);
    uint64_t len;
    const int32_t *mapped = cfile_find(&f, "IDS ", &len);
    ck_assert_uint_eq(len, sizeof ids);
    Dataset ds;
    dataset_view(&ds, 6, off, mapped, loff, lab, NULL, NULL, NULL, 15);
    ModelDims D = {.rows = 40, .dense_rows = 40, .dim = 8, .heads = 2, .classes = 2};
    Model probe;
    model_init(&probe, &D);
    const int64_t n = probe.n_params;
    model_free(&probe);
    float *a = malloc((size_t)n * sizeof *a), *b = malloc((size_t)n * sizeof *b);
    train_two_steps(&ds, NULL, a, n);
    train_two_steps(&ds, &f, b, n);
    ck_assert(memcmp(a, b, (size_t)n * sizeof *a) == 0);
    /* Outside the mapping, or past its end, nothing is read. */
    int32_t buf[4];
    ck_assert_int_eq(cfile_read(&f, buf, mapped + 2, sizeof buf), 0);
    ck_assert(memcmp(buf, ids + 2, sizeof buf) == 0);
    ck_assert_int_eq(cfile_read(&f, buf, ids, sizeof buf), -1);
    ck_assert_int_eq(cfile_read(&f, buf, (const unsigned char *)f.map + f.size - 8, sizeof buf), -1);
    free(a);
    free(b);
    cfile_close(&f);
}
END_TEST

/* The token cache is kept for inputs of 16 MiB or more in all, or wherever
 * data.cache points; smaller ones and standard input keep nothing. (The size is
 * the files', so a sparse file stands in for a large corpus.) */
START_TEST(test_cache_kept_for_large_inputs_only)
{
    char dir[] = "/tmp/attnclf-keep-XXXXXX", small[64], large[64], set[200];
    ck_assert_ptr_nonnull(mkdtemp(dir));
    snprintf(small, sizeof small, "%s/small.csv", dir);
    snprintf(large, sizeof large, "%s/large.csv", dir);
    FILE *f = fopen(small, "w");
    ck_assert_ptr_nonnull(f);
    fputs("a,some text\nb,more text\n", f);
    fclose(f);
    f = fopen(large, "w");
    ck_assert_ptr_nonnull(f);
    ck_assert_int_eq(ftruncate(fileno(f), (off_t)16 << 20), 0);
    fclose(f);
    Config cfg;
    Status st;
    const struct {
        const char *train, *valid, *cache;
        int kept;
    } cases[] = {
        {small, NULL, NULL, 0}, {large, NULL, NULL, 1}, {small, large, NULL, 1},
        {small, small, NULL, 0}, {small, NULL, dir, 1},  {"-", NULL, NULL, 0},
        {"-", NULL, dir, 1},    {"/nonexistent/x.csv", NULL, NULL, 1},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        config_defaults(&cfg);
        snprintf(set, sizeof set, "data.train=%s", cases[i].train);
        ck_assert_int_eq(config_set(&cfg, set, &st), 0);
        if (cases[i].valid) {
            snprintf(set, sizeof set, "data.valid=%s", cases[i].valid);
            ck_assert_int_eq(config_set(&cfg, set, &st), 0);
        }
        if (cases[i].cache) {
            snprintf(set, sizeof set, "data.cache=%s", cases[i].cache);
            ck_assert_int_eq(config_set(&cfg, set, &st), 0);
        }
        ck_assert_msg(pipeline_cache_kept(&cfg) == cases[i].kept, "case %zu", i);
        config_free(&cfg);
    }
    unlink(small);
    unlink(large);
    rmdir(dir);
}
END_TEST

Suite *train_suite(void)
{
    Suite *s = suite_create("train");
    TCase *tc = tcase_create("train");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, test_step_matches_naive_reference);
    tcase_add_test(tc, test_step_same_bits_any_threads);
    tcase_add_test(tc, test_length_weight_matches_naive_reference);
    tcase_add_test(tc, test_learns_and_writes_outputs);
    tcase_add_test(tc, test_same_bits_for_any_thread_count);
    tcase_add_test(tc, test_resume_is_bit_identical);
    tcase_add_test(tc, test_ids_read_from_the_file_give_the_same_bits);
    tcase_add_test(tc, test_cache_kept_for_large_inputs_only);
    suite_add_tcase(s, tc);
    return s;
}
