/* test_report.c - the report: a page built from hostile strings (labels,
 * tokens, keywords, file names, config, command line, trials) where every
 * '<' opens a tag the writers use and none comes from the data; the words'
 * attention shares; the log readers; and a scored review that matches the
 * training run's validation, sums the logits exactly in its keyword
 * contributions, and does not depend on the thread count. */
#include <check.h>
#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "docview.h"
#include "fit.h"
#include "fixture.h"
#include "keywords.h"
#include "pipeline.h"
#include "report.h"
#include "review.h"
#include "runlog.h"
#include "tunelog.h"
#include "utf8.h"

typedef struct Mem {
    char *buf;
    size_t size;
    FILE *f;
} Mem;

static FILE *mem_open(Mem *m)
{
    m->buf = NULL;
    m->size = 0;
    m->f = open_memstream(&m->buf, &m->size);
    ck_assert_ptr_nonnull(m->f);
    return m->f;
}

static char *mem_done(Mem *m)
{
    ck_assert_int_eq(fclose(m->f), 0);
    return m->buf;
}

static int count(const char *hay, const char *needle)
{
    int n = 0;
    for (const char *p = strstr(hay, needle); p; p = strstr(p + strlen(needle), needle)) n++;
    return n;
}

/* Every '<' of the page opens or closes one of the tags the writers use, and
 * the bytes are valid UTF-8 without control characters but TAB and LF. */
static void expect_only_known_markup(const char *page, size_t n)
{
    static const char *const known[] = {
        "!DOCTYPE", "html", "head", "meta", "title", "style", "body", "main", "h1", "h2", "h3", "nav",
        "ul", "li", "a", "section", "p", "b", "div", "figure", "figcaption", "svg", "g", "path", "rect", "line",
        "text", "tspan", "circle", "polyline", "details", "summary", "table", "caption", "thead", "tbody", "tr",
        "th", "td", "pre", "span", "input", "label", "article", NULL};
    for (const char *p = strchr(page, '<'); p; p = strchr(p + 1, '<')) {
        const char *q = p + 1 + (p[1] == '/');
        size_t len = 0;
        while (isalnum((unsigned char)q[len]) || q[len] == '!') len++;
        int ok = 0;
        for (const char *const *k = known; *k && !ok; k++) ok = strlen(*k) == len && strncmp(*k, q, len) == 0;
        ck_assert_msg(ok, "markup not from the writers at byte %ld: %.40s", (long)(p - page), p);
    }
    const unsigned char *u = (const unsigned char *)page;
    for (size_t i = 0; i < n;) {
        uint32_t cp;
        int used = utf8_decode(u + i, n - i, &cp);
        ck_assert_msg(cp != 0xFFFD || memcmp(u + i, "\xef\xbf\xbd", 3) == 0, "invalid UTF-8 at byte %zu", i);
        ck_assert_msg(cp >= 0x20 || cp == '\t' || cp == '\n', "control character %u at byte %zu", cp, i);
        i += (size_t)used;
    }
}

static const char *const evil[] = {"<script>alert(1)</script>", "a&b \"q\" 'x'", "bad\xff\xfe\xc0\xafutf8",
                                   "<img src=x onerror=alert(1)>"};
enum { NEVIL = 4 };

/* An explanation of the words a b c with bigrams [a b] and [b c], and one head. */
typedef struct HandDoc {
    Explanation e;
    int top[NEVIL];
    float probs[NEVIL], alpha[5];
    double weight[5];
    int32_t first[5];
    uint8_t order[5];
    char text[512];
    size_t text_at[5];
} HandDoc;

static void hand_doc(HandDoc *d, const char *const *words)
{
    static const float alpha[5] = {0.1f, 0.2f, 0.3f, 0.1f, 0.3f};
    static const int32_t first[5] = {0, 1, 0, 2, 1};
    static const uint8_t order[5] = {1, 1, 2, 1, 2};
    memset(d, 0, sizeof *d);
    size_t used = 0;
    for (int t = 0; t < 5; t++) {
        d->alpha[t] = alpha[t];
        d->weight[t] = alpha[t];
        d->first[t] = first[t];
        d->order[t] = order[t];
        d->text_at[t] = used;
        if (order[t] == 1)
            used += (size_t)snprintf(d->text + used, sizeof d->text - used, "%s", words[first[t]]) + 1;
        else
            used += (size_t)snprintf(d->text + used, sizeof d->text - used, "%s %s", words[first[t]],
                                     words[first[t] + 1]) + 1;
    }
    for (int c = 0; c < NEVIL; c++) d->top[c] = c, d->probs[c] = 0.4f - 0.1f * (float)c;
    d->e = (Explanation){.C = NEVIL, .k = NEVIL, .top = d->top, .probs = d->probs, .T = 5, .H = 1,
                         .alpha = d->alpha, .weight = d->weight, .text = d->text, .text_at = d->text_at,
                         .first = d->first, .order = d->order};
}

START_TEST(word_shares_of_ngrams)
{
    static const char *const words[3] = {"alpha", "beta", "gamma"};
    HandDoc d;
    hand_doc(&d, words);
    static const char *const labels[NEVIL] = {"w", "x", "y", "z"};
    DocView v = {.id = "d1", .heading = "one", .e = &d.e, .labels = labels};
    Mem m;
    Status st;
    ck_assert_int_eq(docview_write(mem_open(&m), &v, &st), 0);
    char *page = mem_done(&m);
    /* alpha 0.1 + 0.3/2, beta 0.2 + 0.3/2 + 0.3/2, gamma 0.1 + 0.3/2 */
    /* Shaded beyond an even share of a third: only beta, fully. */
    ck_assert_ptr_nonnull(strstr(page, "<span class=\"tk\" title=\"25.00%\">alpha</span>"));
    ck_assert_ptr_nonnull(strstr(page, "<span class=\"tk\" style=\"--w0:1\" title=\"50.00%\">beta</span>"));
    ck_assert_ptr_nonnull(strstr(page, "<span class=\"tk\" title=\"25.00%\">gamma</span>"));
    ck_assert_int_eq(count(page, "<span class=\"tk\""), 3);
    ck_assert_ptr_nonnull(strstr(page, "Most attention: <b>beta</b> 50.0% \xc2\xb7 <b>alpha</b> 25.0% \xc2\xb7 <b>gamma</b> 25.0%"));
    free(page);
}
END_TEST

START_TEST(hostile_report_is_text)
{
    HandDoc d[2];
    hand_doc(&d[0], evil);
    hand_doc(&d[1], evil + 1);
    int64_t confusion[NEVIL * NEVIL], support[NEVIL], predicted[NEVIL];
    double prf[3][NEVIL];
    for (int i = 0; i < NEVIL * NEVIL; i++) confusion[i] = i % 5;
    for (int c = 0; c < NEVIL; c++) support[c] = predicted[c] = 10, prf[0][c] = prf[1][c] = prf[2][c] = 0.5;
    Metrics met = {.K = NEVIL, .C = NEVIL, .n = 40, .correct = 20, .accuracy = 0.5, .macro_f1 = 0.5,
                   .confusion = confusion, .support = support, .predicted = predicted, .precision = prf[0],
                   .recall = prf[1], .f1 = prf[2]};
    float conf[4] = {0.9f, 0.6f, 0.3f, 1.0f};
    unsigned char correct[4] = {1, 0, 1, 1};
    ReportDoc docs[2] = {{&d[0].e, 0, 0, 1}, {&d[1].e, 7, 2, 2}};
    ReportKeyword keys[NEVIL * 2];
    int n_keys[NEVIL];
    for (int i = 0; i < NEVIL * 2; i++) keys[i] = (ReportKeyword){evil[i % NEVIL], 1.0 + i, 3};
    for (int c = 0; c < NEVIL; c++) n_keys[c] = 2;
    FitEpoch ep[2] = {{.epoch = 1, .train_loss = 1, .train_acc = .5, .valid_loss = 1, .valid_acc = .5, .lr = .01,
                       .tokens_per_sec = 1e5, .has_valid = 1},
                      {.epoch = 2, .train_loss = .5, .train_acc = .7, .valid_loss = NAN, .valid_acc = NAN, .lr = 0,
                       .tokens_per_sec = 1e5}};
    TuneTrial trials[2] = {{.trial = 1, .metric = 0.8, .seconds = 3, .detail = (char *)evil[0], .folds = 1},
                           {.trial = 2, .metric = 0.9, .seconds = 4, .detail = (char *)evil[2], .folds = 1}};
    ReportModel model = {.path = evil[3], .bytes = 1000, .params = 10, .rows = 5, .vocab = 3, .buckets = 1, .dim = 2,
                         .heads = 1, .classes = NEVIL, .ngrams = 2, .attention = "dot"};
    ReportFile files[2] = {{evil[0], evil[1], 10, evil[2]}, {evil[3], "training", -1, NULL}};
    Report r = {.title = evil[0], .source = evil[1], .epochs = ep, .n_epochs = 2, .trials = trials,
                .n_trials = 2, .m = &met, .labels = evil, .loss = 0.7, .n = 4, .conf = conf, .correct = correct,
                .errors = docs, .n_errors = 1, .right = docs + 1, .n_right = 1, .keywords = keys,
                .keywords_each = keys, .n_keywords = n_keys, .n_keywords_each = n_keys, .max_keywords = 2,
                .keyword_min_count = 5, .model = &model, .files = files, .n_files = 2, .config_json = evil[3],
                .version = "0.1.0", .command_line = evil[2]};
    Mem m;
    Status st;
    ck_assert_msg(report_write(mem_open(&m), &r, &st) == 0, "%s", st.msg);
    char *page = mem_done(&m);
    expect_only_known_markup(page, m.size);
    ck_assert_ptr_nonnull(strstr(page, "&lt;script&gt;alert(1)&lt;/script&gt;"));
    ck_assert_ptr_nonnull(strstr(page, "a&amp;b &quot;q&quot; &#39;x&#39;"));
    ck_assert_ptr_nonnull(strstr(page, "bad\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbdutf8"));
    ck_assert_ptr_nonnull(strstr(page, "&lt;img src=x onerror=alert(1)&gt;"));
    ck_assert_ptr_nonnull(strstr(page, "<title>&lt;script&gt;alert(1)&lt;/script&gt;</title>"));
    /* Every part is there: 4 curves (loss and accuracy with train and valid), the tuning chart,
     * a cell per confusion entry, a shaded span per word, a keyword chart per class and list. */
    ck_assert_int_eq(count(page, "<path class=\"series\""), 2 + 2 + 1 + 1 + 2);
    ck_assert_int_eq(count(page, "<rect class=\"cell\""), NEVIL * NEVIL);
    ck_assert_int_eq(count(page, "<span class=\"tk\""), 2 * 3);
    ck_assert_int_eq(count(page, "data-chart=\"bars\""), 1 + 2 * NEVIL);
    ck_assert_int_eq(count(page, "<details><summary>Data table</summary>"), count(page, "<figure class=\"chart\""));
    free(page);
}
END_TEST

static void write_file(const char *path, const char *text)
{
    fixture_write(path, text, (long)strlen(text));
}

START_TEST(log_readers)
{
    char dir[256], path[300];
    fixture_tmpdir(dir, sizeof dir);
    snprintf(path, sizeof path, "%s/log.jsonl", dir);
    write_file(path, "{\"epoch\": 1, \"train_loss\": 0.5, \"train_acc\": 0.8, \"valid_loss\": null, \"valid_acc\": null, "
                     "\"lr\": 0.01, \"seconds\": 1.5, \"tokens_per_sec\": 1000}\n\n"
                     "{\"epoch\": 2, \"train_loss\": 0.25, \"valid_acc\": 0.875}\n");
    FitEpoch *e;
    int n;
    Status st;
    ck_assert_msg(runlog_read(path, &e, &n, &st) == 0, "%s", st.msg);
    ck_assert_int_eq(n, 2);
    ck_assert(e[0].epoch == 1 && e[0].train_acc == 0.8 && isnan(e[0].valid_acc) && !e[0].has_valid);
    ck_assert(e[1].epoch == 2 && e[1].valid_acc == 0.875 && e[1].has_valid && isnan(e[1].lr));
    free(e);
    write_file(path, "{\"epoch\": 1}\n[1, 2]\n");
    ck_assert_int_eq(runlog_read(path, &e, &n, &st), -1);
    ck_assert_ptr_nonnull(strstr(st.msg, "log.jsonl:2: not a log row"));
    snprintf(path, sizeof path, "%s/tune.jsonl", dir);
    write_file(path, "{\"trial\": 1, \"metric\": 0.9, \"seconds\": 2, \"params\": {\"lr\": 0.01, \"dim\": 8}, "
                     "\"note\": \"a b\"}\n{\"trial\": 2, \"metric\": null}\n");
    TuneTrial *t;
    ck_assert_msg(tunelog_read(path, &t, &n, &st) == 0, "%s", st.msg);
    ck_assert_int_eq(n, 2);
    ck_assert(t[0].trial == 1 && t[0].metric == 0.9 && t[0].seconds == 2);
    ck_assert_str_eq(t[0].detail, "lr=0.01, dim=8, note=a b");
    ck_assert(t[1].trial == 2 && isnan(t[1].metric) && isnan(t[1].seconds));
    ck_assert_str_eq(t[1].detail, "");
    tunelog_free(t, n);
    write_file(path, "{\"metric\": 1}\n");
    ck_assert_int_eq(tunelog_read(path, &t, &n, &st), -1);
    ck_assert_ptr_nonnull(strstr(st.msg, "tune.jsonl:1: not a trial"));
    /* tune --folds: the finalists' runs on other folds go into their means, over
     * the folds every finalist completed (trial 1's fold 2 was stopped, so trial
     * 0's does not count either) and not fold 0; a failed run scores 0; the last
     * row names the trial chosen. */
    write_file(path, "{\"trial\": 0, \"value\": 0.8, \"pruned\": false}\n"
                     "{\"trial\": 1, \"value\": 0.9, \"pruned\": false}\n"
                     "{\"trial\": 2, \"value\": 0.5, \"pruned\": true}\n"
                     "{\"trial\": 1, \"fold\": 1, \"value\": 0.7}\n"
                     "{\"trial\": 0, \"fold\": 1, \"value\": -1}\n"
                     "{\"trial\": 0, \"fold\": 2, \"value\": 0.6}\n"
                     "{\"trial\": 1, \"fold\": 2, \"value\": 0.6, \"pruned\": true}\n"
                     "{\"trial\": 1, \"chosen\": true, \"folds\": 1, \"value\": 0.7}\n");
    ck_assert_msg(tunelog_read(path, &t, &n, &st) == 0, "%s", st.msg);
    ck_assert_int_eq(n, 3);
    ck_assert(t[0].folds == 1 && t[0].fold_mean == 0.0 && !t[0].chosen);
    ck_assert(t[1].folds == 1 && t[1].fold_mean == 0.7 && t[1].chosen);
    ck_assert(t[2].folds == 0 && t[2].fold_mean == 0.5 && !t[2].chosen);
    ck_assert_str_eq(t[2].detail, "pruned=true");
    ck_assert_int_eq(tunelog_best(t, n), 1);
    tunelog_free(t, n);
    fixture_rmtree(dir);
}
END_TEST

/* A 2-epoch run on the fixture corpus (300 documents, 10% held out). */
static void train_tiny(const char *corpus, const char *dir, const char *extra)
{
    Config cfg;
    Status st;
    char set[4200];
    config_defaults(&cfg);
    /* The network alone, plain attention: the keyword sums below are the network's. */
    const char *sets[] = {"model.dim=8", "model.heads=2", "train.epochs=2", "train.batch_size=16",
                          "tokenizer.buckets=1000", "train.lr=0.02", "bayes.weight=0", "model.context=false",
                          "model.gate=false"};
    for (size_t i = 0; i < sizeof sets / sizeof *sets; i++) ck_assert_int_eq(config_set(&cfg, sets[i], &st), 0);
    snprintf(set, sizeof set, "data.train=%s", corpus);
    ck_assert_int_eq(config_set(&cfg, set, &st), 0);
    snprintf(set, sizeof set, "output.dir=%s", dir);
    ck_assert_int_eq(config_set(&cfg, set, &st), 0);
    if (extra) ck_assert_int_eq(config_set(&cfg, extra, &st), 0);
    ck_assert_msg(config_validate(&cfg, &st) == 0, "%s", st.msg);
    FitSummary sum;
    ck_assert_msg(pipeline_train(&cfg, 0, NULL, 0, &sum, &st) == 0, "%s", st.msg);
    config_free(&cfg);
}

static void review_docs(const Config *cfg, const Classifier *c, const char *path, int threads, Review *r)
{
    TextSet ts;
    Vocab unknown;
    vocab_init(&unknown);
    const char *read;
    int64_t rows;
    Status st;
    ck_assert_msg(pipeline_report_docs(cfg, c, path, &ts, &unknown, &read, &rows, &st) == 0, "%s", st.msg);
    ReviewOptions o = {.examples = 4, .keywords = 5, .threads = threads};
    ck_assert_msg(review_run(r, c, &ts, (int)unknown.n, &o, &st) == 0, "%s", st.msg);
    textset_free(&ts);
    vocab_free(&unknown);
}

static void same_keys(const Review *a, const Review *b)
{
    for (int c = 0; c < a->C; c++) {
        ck_assert_int_eq(a->n_keys[c], b->n_keys[c]);
        ck_assert_int_eq(a->n_keys_each[c], b->n_keys_each[c]);
        for (int j = 0; j < a->n_keys[c]; j++) {
            const ReviewKey *x = &a->keys[c * a->max_keys + j], *y = &b->keys[c * b->max_keys + j];
            ck_assert_str_eq(x->text, y->text);
            ck_assert(x->score == y->score && x->count == y->count);
        }
    }
}

START_TEST(review_matches_training_and_any_threads)
{
    char dir[256], corpus[300], run[300], ckpt[320];
    fixture_tmpdir(dir, sizeof dir);
    snprintf(corpus, sizeof corpus, "%s/train.csv", dir);
    snprintf(run, sizeof run, "%s/run", dir);
    snprintf(ckpt, sizeof ckpt, "%s/best.ckpt", run);
    fixture_corpus(corpus, 300, 7);
    train_tiny(corpus, run, NULL);
    Classifier c;
    Config cfg;
    Status st;
    ck_assert_msg(pipeline_load(ckpt, &c, &cfg, &st) == 0, "%s", st.msg);
    CkptReader rd;
    TrainState ts;
    ck_assert_int_eq(ckpt_open(&rd, ckpt, &st), 0);
    ck_assert_int_eq(fit_load_state(&ts, &rd, &st), 0);
    ckpt_close(&rd);
    /* Without a file: the split training validated on, with the same predictions. */
    Review v, a, b;
    review_docs(&cfg, &c, NULL, 2, &v);
    ck_assert_int_eq(v.n, 30);
    ck_assert_msg(v.metrics.accuracy == ts.best_metric, "review %.6f, training %.6f", v.metrics.accuracy, ts.best_metric);
    review_free(&v);
    review_docs(&cfg, &c, corpus, 1, &a);
    review_docs(&cfg, &c, corpus, 3, &b);
    ck_assert_int_eq(a.n, 300);
    ck_assert(memcmp(a.conf, b.conf, (size_t)a.n * sizeof *a.conf) == 0);
    ck_assert(memcmp(a.pred, b.pred, (size_t)a.n * sizeof *a.pred) == 0);
    ck_assert(a.loss == b.loss && a.positions == b.positions);
    ck_assert_int_eq(a.n_errors, b.n_errors);
    ck_assert_int_eq(a.n_right, 4);
    for (int j = 0; j < a.n_right; j++) ck_assert_int_eq(a.right[j].index, b.right[j].index);
    /* Correct answers go from the most to the least confident. */
    for (int j = 1; j < a.n_right; j++) ck_assert(a.conf[a.right[j - 1].index] >= a.conf[a.right[j].index]);
    same_keys(&a, &b);
    /* Each class keys on its own words (fixture.c): sports on goal, match, team, coach, season. */
    ck_assert_int_eq(a.n_keys_each[2], 5);
    static const char *const sports[] = {"goal", "match", "team", "coach", "season"};
    int own = 0;
    for (int k = 0; k < 5; k++) own += strcmp(a.keys_each[2 * a.max_keys].text, sports[k]) == 0;
    ck_assert_msg(own == 1, "sports keys first on \"%s\"", a.keys_each[2 * a.max_keys].text);
    review_free(&a);
    review_free(&b);
    classifier_free(&c);
    config_free(&cfg);
    fixture_rmtree(dir);
}
END_TEST

/* The contributions of all rows sum to the network's logits less their bias,
 * over all documents: with plain attention (from attention mass) and with the
 * gate (per position). */
static void sums_are_logits(const char *extra)
{
    char dir[256], corpus[300], run[300], ckpt[320];
    fixture_tmpdir(dir, sizeof dir);
    snprintf(corpus, sizeof corpus, "%s/train.csv", dir);
    snprintf(run, sizeof run, "%s/run", dir);
    snprintf(ckpt, sizeof ckpt, "%s/best.ckpt", run);
    fixture_corpus(corpus, 120, 9);
    train_tiny(corpus, run, extra);
    Classifier c;
    Config cfg;
    Status st;
    ck_assert_msg(pipeline_load(ckpt, &c, &cfg, &st) == 0, "%s", st.msg);
    TextSet ts;
    Vocab unknown;
    vocab_init(&unknown);
    ck_assert_int_eq(textset_load(&ts, corpus, &cfg.data.read, &c.labels, &unknown, NULL, &st), 0);
    const int C = c.net.dims.classes;
    double want[8] = {0}, scale = 0, got[8] = {0}, a[8];
    ClassifierScratch s;
    classifier_scratch_init(&s, &c);
    KeywordSums k;
    keywords_init(&k, &c.net);
    for (int64_t i = 0; i < ts.n; i++) {
        size_t len;
        const char *text = textset_text(&ts, i, &len);
        classifier_score_text(&c, text, len, &s);
        for (int j = 0; j < C; j++) {
            want[j] += s.doc.logits[j] - c.net.p.out_b[j];
            scale += fabs(s.doc.logits[j]);
        }
        keywords_add(&k, &c.net, i, s.enc.ids, (int)s.enc.n, s.doc.alpha, s.doc.v);
    }
    ck_assert_int_eq(k.by_class, extra != NULL);
    for (int64_t r = 0; r < k.rows; r++) {
        keywords_contribution(&k, &c.net, r, a);
        for (int j = 0; j < C; j++) got[j] += a[j];
    }
    for (int j = 0; j < C; j++)
        ck_assert_msg(fabs(got[j] - want[j]) <= 1e-5 * scale, "class %d: rows sum to %.6f, logits to %.6f", j,
                      got[j], want[j]);
    keywords_free(&k);
    classifier_scratch_free(&s);
    textset_free(&ts);
    vocab_free(&unknown);
    classifier_free(&c);
    config_free(&cfg);
    fixture_rmtree(dir);
}

START_TEST(keyword_sums_are_the_logits)
{
    sums_are_logits(NULL);
    sums_are_logits("model.gate=true");
}
END_TEST

Suite *report_suite(void)
{
    Suite *s = suite_create("report");
    TCase *tc = tcase_create("core");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, word_shares_of_ngrams);
    tcase_add_test(tc, hostile_report_is_text);
    tcase_add_test(tc, log_readers);
    tcase_add_test(tc, review_matches_training_and_any_threads);
    tcase_add_test(tc, keyword_sums_are_the_logits);
    suite_add_tcase(s, tc);
    return s;
}
