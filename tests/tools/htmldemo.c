/* htmldemo.c - a page with every chart and token shading of html, svgplot and
 * tokshade, from made-up data, for scripts/check-browser.sh and docs/.
 *   htmldemo OUT.html [COUNTS.txt]
 *   htmldemo --bench DOCS TOKENS OUT.html   (the writers' speed; see demo_bench)
 * COUNTS gets the element counts the page must have once a browser has parsed
 * it ("paths 9" ...), derived from the data here, not from the writers. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "html.h"
#include "mem.h"
#include "clock.h"
#include "rng.h"
#include "svgplot.h"
#include "tokshade.h"
#include "utf8.h"

enum { EPOCHS = 20, CLASSES = 4, HEADS = 4, LONG_TOKENS = 3000, LONG_SHOWN = 400, PREDICTIONS = 7600, BINS = 15 };

typedef struct Counts {
    int charts, paths, cells, tokens, docs;
} Counts;

static const char *const class_names[CLASSES] = {"World", "Sports", "Business", "Sci/Tech"};

static int fail(const Status *st)
{
    fprintf(stderr, "htmldemo: %s\n", st->msg);
    return 1;
}

static double noise(Rng *r, double scale)
{
    return scale * (2.0 * rng_uniform(r) - 1.0);
}

static int demo_curves(FILE *f, Rng *r, Counts *n, Status *st)
{
    double ep[EPOCHS], tl[EPOCHS], vl[EPOCHS], ta[EPOCHS], va[EPOCHS], lr[EPOCHS], tps[EPOCHS];
    int best = 0;
    for (int e = 0; e < EPOCHS; e++) {
        ep[e] = e + 1;
        tl[e] = 0.25 + 1.1 * exp(-0.35 * e) + noise(r, 0.01);
        vl[e] = 0.36 + 0.9 * exp(-0.4 * e) + 0.006 * e * e / 4 + noise(r, 0.01);
        ta[e] = 0.97 - 0.6 * exp(-0.4 * e) + noise(r, 0.005);
        va[e] = 0.90 - 0.55 * exp(-0.45 * e) - 0.0008 * e + noise(r, 0.005);
        lr[e] = e < 2 ? 0.01 * (e + 1) / 2 : 0.01 * 0.5 * (1 + cos(M_PI * (e - 2) / (EPOCHS - 2)));
        tps[e] = 268000 + noise(r, 9000);
        if (vl[e] < vl[best]) best = e;
    }
    vl[7] = NAN; /* a missing validation point leaves a gap */
    char best_label[32];
    snprintf(best_label, sizeof best_label, "best epoch %d", best + 1);
    SvgSeries loss[2] = {{"train", ep, tl, EPOCHS}, {"valid", ep, vl, EPOCHS}};
    SvgSeries acc[2] = {{"train", ep, ta, EPOCHS}, {"valid", ep, va, EPOCHS}};
    SvgSeries lrs[1] = {{"lr", ep, lr, EPOCHS}}, speed[1] = {{"tokens/s", ep, tps, EPOCHS}};
    SvgLines charts[4] = {
        {.title = "Loss",
         .x_label = "epoch",
         .y_label = "cross-entropy",
         .series = loss,
         .n_series = 2,
         .x_integer = 1,
         .marker_label = best_label,
         .marker_x = best + 1},
        {.title = "Accuracy",
         .x_label = "epoch",
         .series = acc,
         .n_series = 2,
         .x_integer = 1,
         .y_min = 0.3,
         .y_max = 1,
         .marker_label = best_label,
         .marker_x = best + 1},
        {.title = "Learning rate", .x_label = "epoch", .series = lrs, .n_series = 1, .x_integer = 1},
        {.title = "Training speed",
         .x_label = "epoch",
         .y_label = "tokens/s",
         .series = speed,
         .n_series = 1,
         .x_integer = 1,
         .y_min = 0,
         .y_max = 300000},
    };
    html_section_begin(f, "curves", "Training curves");
    html_grid_begin(f);
    for (int k = 0; k < 4; k++) {
        if (svgplot_lines(f, &charts[k], st)) return -1;
        n->charts++;
        n->paths += charts[k].n_series;
    }
    double trial[30], score[30], best_so_far[30];
    for (int t = 0; t < 30; t++) {
        trial[t] = t + 1;
        score[t] = 0.80 + 0.08 * rng_uniform(r) + 0.002 * t;
        best_so_far[t] = t == 0 || score[t] > best_so_far[t - 1] ? score[t] : best_so_far[t - 1];
    }
    SvgSeries tune[2] = {{"trial", trial, score, 30}, {"best so far", trial, best_so_far, 30}};
    SvgLines tc = {.title = "Tuning: validation accuracy per trial",
                   .x_label = "trial",
                   .series = tune,
                   .n_series = 2,
                   .x_integer = 1};
    if (svgplot_lines(f, &tc, st)) return -1;
    n->charts++;
    n->paths += 2;
    html_grid_end(f);
    html_section_end(f);
    return 0;
}

/* Made-up predictions whose accuracy trails their confidence a little: the
 * reliability diagram and the confidence histogram. */
static int demo_calibration(FILE *f, Rng *r, Counts *n, Status *st)
{
    float *p = xmalloc(PREDICTIONS * sizeof *p);
    unsigned char *ok = xmalloc(PREDICTIONS);
    for (int i = 0; i < PREDICTIONS; i++) {
        double u = rng_uniform(r);
        p[i] = (float)(0.25 + 0.75 * (1 - u * u * u));
        ok[i] = rng_uniform(r) < p[i] - 0.04 * (1 - p[i]) * 4;
    }
    double bc[BINS], ba[BINS];
    int64_t bn[BINS];
    double ece = svgplot_reliability_bins(p, ok, PREDICTIONS, BINS, bc, ba, bn);
    SvgReliability rel = {
        .title = "Reliability, 15 bins", .n_bins = BINS, .confidence = bc, .accuracy = ba, .count = bn, .ece = ece};
    int rc = svgplot_reliability(f, &rel, st);
    n->charts++;
    int64_t hist[2 * 20] = {0};
    float *right = xmalloc(PREDICTIONS * sizeof *right), *wrong = xmalloc(PREDICTIONS * sizeof *wrong);
    int nr = 0, nw = 0;
    for (int i = 0; i < PREDICTIONS; i++) {
        if (ok[i])
            right[nr++] = p[i];
        else
            wrong[nw++] = p[i];
    }
    svgplot_histogram_bins(right, nr, 0, 1, 20, hist);
    svgplot_histogram_bins(wrong, nw, 0, 1, 20, hist + 20);
    const char *hs[2] = {"correct", "wrong"};
    SvgHistogram h = {.title = "Confidence of the predictions",
                      .x_label = "top probability",
                      .lo = 0,
                      .hi = 1,
                      .n_bins = 20,
                      .series = hs,
                      .n_series = 2,
                      .counts = hist};
    rc = rc ? rc : svgplot_histogram(f, &h, st);
    n->charts++;
    free(p);
    free(ok);
    free(right);
    free(wrong);
    return rc;
}

static int demo_errors(FILE *f, Rng *r, Counts *n, Status *st)
{
    int64_t conf[CLASSES * CLASSES];
    for (int i = 0; i < CLASSES; i++)
        for (int j = 0; j < CLASSES; j++)
            conf[i * CLASSES + j] =
                i == j ? 1650 + (int64_t)rng_below(r, 250) : (int64_t)rng_below(r, i + j == 5 ? 180 : 60);
    double prf[CLASSES * 3];
    char notes[CLASSES][24];
    const char *note_ptr[CLASSES];
    for (int c = 0; c < CLASSES; c++) {
        int64_t row = 0, col = 0;
        for (int k = 0; k < CLASSES; k++) row += conf[c * CLASSES + k], col += conf[k * CLASSES + c];
        double p = (double)conf[c * CLASSES + c] / (double)col, rec = (double)conf[c * CLASSES + c] / (double)row;
        prf[c * 3] = p, prf[c * 3 + 1] = rec, prf[c * 3 + 2] = 2 * p * rec / (p + rec);
        snprintf(notes[c], sizeof notes[c], "n=%lld", (long long)row);
        note_ptr[c] = notes[c];
    }
    html_section_begin(f, "errors", "Errors and per-class scores");
    html_grid_begin(f);
    SvgHeatmap hm = {.title = "Confusion matrix (validation)",
                     .row_title = "true",
                     .col_title = "predicted",
                     .row_names = class_names,
                     .col_names = class_names,
                     .rows = CLASSES,
                     .cols = CLASSES,
                     .counts = conf};
    if (svgplot_heatmap(f, &hm, st)) return -1;
    n->charts++;
    n->cells += CLASSES * CLASSES;
    const char *bar_names[3] = {"precision", "recall", "F1"};
    SvgBars bars = {.title = "Per class, sorted by F1",
                    .groups = class_names,
                    .n_groups = CLASSES,
                    .bars = bar_names,
                    .n_bars = 3,
                    .values = prf,
                    .sort_by = 2,
                    .x_max = 1,
                    .notes = note_ptr};
    if (svgplot_bars(f, &bars, st) || demo_calibration(f, r, n, st)) return -1;
    n->charts++;
    html_grid_end(f);
    html_section_end(f);
    return 0;
}

/* Attention of each head: a softmax over the tokens of a shared salience plus
 * each head's own noise, so the heads agree on the main words but differ. */
static float *demo_weights(Rng *r, const double *salience, int T)
{
    float *w = xmalloc((size_t)HEADS * T * sizeof *w);
    for (int h = 0; h < HEADS; h++) {
        double sum = 0;
        for (int t = 0; t < T; t++) {
            double s = salience[t] * (h == 3 ? 0.3 : 1.0) + noise(r, 1.2);
            w[(size_t)h * T + t] = (float)exp(s);
            sum += w[(size_t)h * T + t];
        }
        for (int t = 0; t < T; t++) w[(size_t)h * T + t] = (float)(w[(size_t)h * T + t] / sum);
    }
    return w;
}

static int demo_doc(FILE *f, Rng *r, Counts *n, const char *id, const char *head, const char *probs,
                    const char *const *tok, const size_t *len, const double *sal, int T, int max_tokens, Status *st)
{
    float *w = demo_weights(r, sal, T);
    html_elem(f, "h3", NULL, head);
    html_elem(f, "p", "note", probs);
    TokshadeDoc d = {.id = id,
                     .tokens = tok,
                     .token_len = len,
                     .n_tokens = T,
                     .weights = w,
                     .n_heads = HEADS,
                     .max_tokens = max_tokens};
    int rc = tokshade_write(f, &d, st);
    free(w);
    n->docs++;
    n->tokens += max_tokens > 0 && max_tokens < T ? max_tokens : T;
    return rc;
}

static int demo_cjk(uint32_t cp)
{
    return utf8_is_cjk(cp) || (cp >= 0x3000 && cp <= 0x303F) || (cp >= 0xFF00 && cp <= 0xFFEF);
}

/* Splits text at spaces, and each CJK character is a token of its own, as the
 * tokenizer makes them; tokens point into text, with their lengths in len. */
static int demo_split(const char *text, const char **tok, size_t *len, int cap)
{
    const unsigned char *p = (const unsigned char *)text;
    size_t n = strlen(text), i = 0;
    int T = 0;
    while (i < n && T < cap) {
        uint32_t cp;
        int used = utf8_decode(p + i, n - i, &cp);
        if (cp == ' ') {
            i += (size_t)used;
            continue;
        }
        size_t start = i;
        i += (size_t)used;
        if (!demo_cjk(cp))
            while (i < n) {
                used = utf8_decode(p + i, n - i, &cp);
                if (cp == ' ' || demo_cjk(cp)) break;
                i += (size_t)used;
            }
        tok[T] = text + start;
        len[T++] = i - start;
    }
    return T;
}

/* Salience of a token: high for the words in keys, else 0. */
static void demo_salience(const char *const *tok, const size_t *len, int T, const char *const *keys, double *sal)
{
    for (int t = 0; t < T; t++) {
        sal[t] = 0;
        for (const char *const *k = keys; *k; k++)
            if (strlen(*k) == len[t] && memcmp(*k, tok[t], len[t]) == 0) sal[t] = 3.5;
    }
}

static char *demo_long_text(Rng *r)
{
    static const char *const words[] = {"the",      "film",      "was",    "a",         "of",        "and",
                                        "to",       "story",     "acting", "plot",      "it",        "scenes",
                                        "director", "in",        "this",   "but",       "character", "music",
                                        "boring",   "wonderful", "dull",   "brilliant", ",",         "."};
    const int nw = (int)(sizeof words / sizeof *words);
    size_t cap = 64 + (size_t)LONG_TOKENS * 12, used = 0;
    char *text = xmalloc(cap);
    used +=
        (size_t)snprintf(text, cap, "supercalifragilisticexpialidocious%s", "andanunbrokentokenthatmustwrapanywhere");
    for (int t = 1; t < LONG_TOKENS; t++)
        used += (size_t)snprintf(text + used, cap - used, " %s", words[rng_below(r, (uint64_t)nw)]);
    return text;
}

static int demo_docs(FILE *f, Rng *r, Counts *n, Status *st)
{
    static const char *const keys[] = {"stock", "rose",      "wall",      "street", "yankees", "精",
                                       "彩",    "出",        "色",        "面",     "白",      "훌",
                                       "륭",    "wonderful", "brilliant", "boring", "dull",    NULL};
    const char *tok[LONG_TOKENS];
    size_t len[LONG_TOKENS];
    double sal[LONG_TOKENS];
    html_section_begin(f, "docs", "Documents");
    tokshade_legend(f);
    html_elem(f, "h3", NULL, "Most confident errors");
    int T = demo_split("the red sox beat the yankees 5-3 and the stock of the team ' s owner rose sharply on wall "
                       "street after the win .",
                       tok, len, LONG_TOKENS);
    demo_salience(tok, len, T, keys, sal);
    if (demo_doc(f, r, n, "err1", "1. true Sports, predicted Business", "Business 0.71 · Sports 0.24 · World 0.04", tok,
                 len, sal, T, 0, st))
        return -1;
    html_elem(f, "h3", NULL, "Correct");
    T = demo_split("这部电影的剧情非常精彩，演员的表演也很出色。这部电影的剧情非常精彩，演员的表演也很出色。"
                   "この映画は本当に面白かったです。もう一度見たいと思います。배우들의 연기가 훌륭했다 .",
                   tok, len, LONG_TOKENS);
    demo_salience(tok, len, T, keys, sal);
    if (demo_doc(f, r, n, "ok1", "2. true positive, predicted positive (CJK)", "positive 0.93 · negative 0.07", tok,
                 len, sal, T, 0, st))
        return -1;
    char *text = demo_long_text(r);
    T = demo_split(text, tok, len, LONG_TOKENS);
    demo_salience(tok, len, T, keys, sal);
    int rc = demo_doc(f, r, n, "ok2", "3. true negative, predicted negative (3000 tokens)",
                      "negative 0.88 · positive 0.12", tok, len, sal, T, LONG_SHOWN, st);
    free(text);
    html_section_end(f);
    return rc;
}

static int demo_keys(FILE *f, Counts *n, Status *st)
{
    const char *words[8] = {"season", "coach", "quarterback", "beat", "inning", "yankees", "cup", "olympic"};
    double w[8] = {2.41, 2.10, 1.95, 1.62, 1.60, 1.31, 1.12, 0.94};
    const char *bar[1] = {"attention mass × weight"};
    SvgBars b = {.title = "What Sports keys on",
                 .groups = words,
                 .n_groups = 8,
                 .bars = bar,
                 .n_bars = 1,
                 .values = w,
                 .sort_by = 0};
    html_section_begin(f, "keys", "What each class keys on");
    html_grid_begin(f);
    if (svgplot_bars(f, &b, st)) return -1;
    n->charts++;
    html_grid_end(f);
    html_section_end(f);
    return 0;
}

/* Hostile strings where data goes: all must show as text. */
static int demo_hostile(FILE *f, Counts *n, Status *st)
{
    static const char *const bad[3] = {"<script>alert(1)</script>", "\"'&amp;<b>", "nul\x01\x7f\xff\xfe\xed\xa0\x80"};
    html_section_begin(f, "escaping", "Escaping check: labels from data stay text");
    const char *head[2] = {"label", "note"};
    html_table_begin(f, "Hostile labels", 2, head);
    for (int i = 0; i < 3; i++) {
        const char *row[2] = {bad[i], "shown as text"};
        html_table_row(f, 2, row);
    }
    html_table_end(f);
    int64_t counts[4] = {3, 1, 0, 5};
    SvgHeatmap hm = {.title = bad[0],
                     .row_title = bad[1],
                     .col_title = bad[2],
                     .row_names = bad,
                     .col_names = bad + 1,
                     .rows = 2,
                     .cols = 2,
                     .counts = counts};
    html_grid_begin(f);
    if (svgplot_heatmap(f, &hm, st)) return -1;
    html_grid_end(f);
    n->charts++;
    n->cells += 4;
    float w[3] = {0.2f, 0.5f, 0.3f};
    TokshadeDoc d = {.id = "bad", .tokens = bad, .n_tokens = 3, .weights = w, .n_heads = 1};
    if (tokshade_write(f, &d, st)) return -1;
    n->docs++;
    n->tokens += 3;
    html_section_end(f);
    return 0;
}

static void demo_run(FILE *f)
{
    html_section_begin(f, "run", "The run");
    html_pre(f, "{\n  \"model\": {\"dim\": 64, \"heads\": 4, \"attention\": \"dot\"},\n"
                "  \"train\": {\"epochs\": 20, \"lr\": 0.01, \"batch\": 32, \"seed\": 1}\n}");
    const char *head[3] = {"file", "split", "rows"};
    const char *rows[3][3] = {{"data/agnews-sample/train.csv", "train", "6840"},
                              {"data/agnews-sample/valid.csv", "valid", "760"},
                              {"data/agnews-sample/test.csv", "test", "7600"}};
    html_table_begin(f, "Data", 3, head);
    for (int i = 0; i < 3; i++) html_table_row(f, 3, rows[i]);
    html_table_end(f);
    html_elem(f, "p", "note", "attnclf 0.1.0 · 93 412 parameters · attnclf train --config configs/sample.json");
    html_section_end(f);
}

/* The writers' cost: DOCS shaded documents of TOKENS tokens and 4 heads, and a
 * 50 x 50 confusion matrix, written to OUT; prints seconds and bytes. */
static int demo_bench(const char *path, int docs, int T)
{
    FILE *f = fopen(path, "w");
    if (!f) {
        perror(path);
        return 1;
    }
    Rng r;
    rng_seed(&r, 1);
    const char **tok = xmalloc((size_t)T * sizeof *tok);
    float *w = xmalloc((size_t)HEADS * T * sizeof *w);
    static const char *const words[4] = {"the", "movie", "was", "wonderful"};
    for (int t = 0; t < T; t++) tok[t] = words[t % 4];
    for (int i = 0; i < HEADS * T; i++) w[i] = rng_uniform(&r) * rng_uniform(&r) * rng_uniform(&r) / (float)T * 8;
    int64_t *counts = xmalloc(50 * 50 * sizeof *counts);
    const char **names = xmalloc(50 * sizeof *names);
    for (int i = 0; i < 50 * 50; i++) counts[i] = (int64_t)rng_below(&r, 1000);
    for (int i = 0; i < 50; i++) names[i] = words[i % 4];
    Status st;
    double t0 = clock_seconds();
    html_page_begin(f, "bench", tokshade_css);
    SvgHeatmap hm = {
        .title = "50 classes", .row_names = names, .col_names = names, .rows = 50, .cols = 50, .counts = counts};
    int rc = svgplot_heatmap(f, &hm, &st);
    for (int d = 0; d < docs && rc == 0; d++) {
        char id[32];
        snprintf(id, sizeof id, "d%d", d);
        TokshadeDoc doc = {.id = id, .tokens = tok, .n_tokens = T, .weights = w, .n_heads = HEADS};
        rc = tokshade_write(f, &doc, &st);
    }
    html_page_end(f);
    long bytes = ftell(f);
    if (fclose(f) != 0 || rc != 0) return rc ? fail(&st) : 1;
    printf("htmldemo bench: %d docs x %d tokens x %d heads + a 50x50 heat map: %.3f s, %ld bytes\n", docs, T, HEADS,
           clock_seconds() - t0, bytes);
    free(tok);
    free(w);
    free(counts);
    free(names);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc == 5 && strcmp(argv[1], "--bench") == 0) return demo_bench(argv[4], atoi(argv[2]), atoi(argv[3]));
    if (argc < 2 || argc > 3) {
        fprintf(stderr, "usage: htmldemo OUT.html [COUNTS.txt]\n       htmldemo --bench DOCS TOKENS OUT.html\n");
        return 2;
    }
    FILE *f = fopen(argv[1], "w");
    if (!f) {
        perror(argv[1]);
        return 1;
    }
    Rng r;
    rng_seed(&r, 16);
    Status st;
    status_clear(&st);
    Counts n = {0};
    static const char *const ids[6] = {"curves", "errors", "docs", "keys", "run", "escaping"};
    static const char *const titles[6] = {"Training curves", "Errors", "Documents", "Keywords", "Run", "Escaping"};
    html_page_begin(f, "attnclf report: demo with made-up data", tokshade_css);
    html_elem(f, "p", "note", "Every number on this page is made up: it shows what the report's parts look like.");
    html_nav(f, 6, ids, titles);
    if (demo_curves(f, &r, &n, &st) || demo_errors(f, &r, &n, &st) || demo_docs(f, &r, &n, &st) ||
        demo_keys(f, &n, &st))
        return fail(&st);
    demo_run(f);
    if (demo_hostile(f, &n, &st)) return fail(&st);
    html_page_end(f);
    if (fclose(f) != 0) {
        perror(argv[1]);
        return 1;
    }
    if (argc == 3) {
        FILE *c = fopen(argv[2], "w");
        if (!c) {
            perror(argv[2]);
            return 1;
        }
        fprintf(c, "charts %d\npaths %d\ncells %d\ntokens %d\ndocs %d\n", n.charts, n.paths, n.cells, n.tokens, n.docs);
        if (fclose(c) != 0) {
            perror(argv[2]);
            return 1;
        }
    }
    return 0;
}
