/* cmd_predict.c - `attnclf predict`: one prediction per input line. Input from a
 * regular file is answered in parallel, a chunk of lines at a time, and written
 * in input order; other input line by line. */
#include <cjson/cJSON.h>
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "classifier.h"
#include "cli.h"
#include "config.h"
#include "docview.h"
#include "explain.h"
#include "fmt.h"
#include "html.h"
#include "labeltok.h"
#include "mem.h"
#include "pipeline.h"
#include "reader.h"
#include "threads.h"
#include "tokshade.h"

static const char predict_help[] =
    "usage: attnclf predict --model CKPT [--input FILE] [-k K] [--threshold T|auto] [--json]\n"
    "                       [--explain [--html]] [--threads N] [--quiet]\n\n"
    "Reads UTF-8 text, one document per line, from stdin (or FILE) and writes one line per\n"
    "input line: LABEL<TAB>PROB, flushed line by line when writing to a pipe or terminal.\n"
    "Input from a regular file is answered on all cores, 1024 lines at a time, in order.\n"
    "Tokens that start with the label prefix (data.label_prefix, __label__) are not read.\n\n"
    "  --model CKPT   checkpoint written by 'attnclf train'\n"
    "  --input FILE   read FILE instead of stdin (- is stdin)\n"
    "  -k, --top-k K  the K most probable labels: LABEL<TAB>PROB pairs, tab-separated\n"
    "  --threshold T  every label with probability >= T (in [0, 1]), best first, at most K\n"
    "                 with --top-k; 'auto': each label's threshold tuned on the validation\n"
    "                 split (the default for a model trained on label sets, whose lines may\n"
    "                 then hold no label, unless trained with train.min_labels 1: then at\n"
    "                 least the top label)\n"
    "  --json         one JSON object per line: {\"label\", \"prob\", \"top\": [...]}, with a\n"
    "                 threshold also \"labels\": [{\"label\", \"prob\"}...]\n"
    "  --explain      add each token's attention weight (averaged over heads; per head\n"
    "                 with --json); plain output appends a field of token(weight) items;\n"
    "                 --json also gives \"bayes\": what a naive Bayes member added to\n"
    "                 each label's logit\n"
    "  --html         with --explain: one self-contained HTML page on stdout instead, each\n"
    "                 line's words shaded by attention (as 'attnclf report' shows them)\n"
    "  --threads N    threads for file input (default: all cores)\n"
    "  --quiet        no diagnostics on stderr (errors still go there)\n"
    "  --help         this text\n";

typedef struct PredictArgs {
    const char *model, *input;
    int top_k, json, explain, threads, html;
    int top_k_given, thresholded; /* thresholded: -1 the model's default, 0 no, 1 yes */
    float threshold;              /* < 0: the model's per-label thresholds */
    int fasttext;                 /* fastText's predict-prob lines (cmd_predict_fasttext) */
    const char *prefix;           /* the model's label prefix, whose tokens are not text */
} PredictArgs;

/* What one thread needs to answer lines. */
typedef struct PredictWorker {
    ClassifierScratch s;
    Explanation e;
    char *text;   /* the line without its label tokens */
    size_t cap_text;
    FILE *out;    /* memory stream of this thread's answers in a chunk (parallel mode) */
    char *buf;
    size_t size;
} PredictWorker;

static void predict_worker_init(void *item, const void *arg)
{
    PredictWorker *w = item;
    classifier_scratch_init(&w->s, arg);
    explain_init(&w->e);
}

static void predict_worker_free(void *item)
{
    PredictWorker *w = item;
    if (w->out) fclose(w->out);
    free(w->buf);
    free(w->text);
    classifier_scratch_free(&w->s);
    explain_free(&w->e);
}

/* Whether s [n] holds word anywhere (labels are rare in predict's input: most lines are not copied). */
static int predict_has(const char *s, size_t n, const char *word)
{
    const size_t m = strlen(word);
    for (const char *p = s, *end = s + n; m && (size_t)(end - p) >= m; p++) {
        p = memchr(p, word[0], (size_t)(end - p) - m + 1);
        if (!p) return 0;
        if (memcmp(p, word, m) == 0) return 1;
    }
    return 0;
}

static void predict_line(const Classifier *c, const PredictArgs *a, PredictWorker *w, const char *line, size_t len,
                         FILE *f)
{
    while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r')) len--;
    if (predict_has(line, len, a->prefix)) {
        if (len > w->cap_text) w->text = xrealloc(w->text, w->cap_text = 2 * len);
        len = labeltok_strip(w->text, line, len, a->prefix);
        line = w->text;
    }
    classifier_score_text(c, line, len, &w->s);
    explain_build(&w->e, c, &w->s, a->top_k, a->explain);
    if (a->thresholded) explain_select(&w->e, c, a->threshold, a->top_k_given ? a->top_k : 0);
    if (a->fasttext) fmt_prediction_fasttext(f, &w->e, &c->labels, a->prefix);
    else if (a->json) fmt_prediction_json(f, &w->e, &c->labels, a->explain);
    else fmt_prediction_plain(f, &w->e, &c->labels, a->explain);
}

/* Lines read ahead and answered in parallel per chunk. Only for input from a
 * regular file: a pipe may be a program waiting for each answer. */
#define PREDICT_CHUNK 1024

typedef struct PredictChunk {
    char *line[PREDICT_CHUNK];
    size_t cap[PREDICT_CHUNK];
    ssize_t len[PREDICT_CHUNK];
    int who[PREDICT_CHUNK];      /* thread that answered line i */
    long from[PREDICT_CHUNK], to[PREDICT_CHUNK];  /* its answer in that thread's stream */
} PredictChunk;

/* Answers a chunk of n lines on the pool's threads and writes the answers in input order. */
static int predict_chunk(const Classifier *cl, const PredictArgs *a, const ThreadsPool *pool, PredictChunk *c, int n,
                         Status *st)
{
    for (int i = 0; i < pool->n; i++) rewind(((PredictWorker *)threads_pool_item(pool, i))->out);
#pragma omp parallel for schedule(dynamic, 8) num_threads(pool->n)
    for (int i = 0; i < n; i++) {
        PredictWorker *w = threads_pool_mine(pool);
        c->who[i] = threads_id();
        c->from[i] = ftell(w->out);
        predict_line(cl, a, w, c->line[i], (size_t)c->len[i], w->out);
        c->to[i] = ftell(w->out);
    }
    for (int i = 0; i < pool->n; i++)
        if (fflush(((PredictWorker *)threads_pool_item(pool, i))->out) != 0)
            return status_error(st, "out of memory for answers");
    for (int i = 0; i < n; i++) {
        const PredictWorker *w = threads_pool_item(pool, c->who[i]);
        fwrite(w->buf + c->from[i], 1, (size_t)(c->to[i] - c->from[i]), stdout);
    }
    return 0;
}

/* Answers every line of `in`, stopping early once stdout has failed (a full disk
 * need not cost the rest of a large file). */
static int predict_lines(const Classifier *cl, const PredictArgs *a, FILE *in, const ThreadsPool *pool, Status *st)
{
    if (pool->n == 1) {
        char *line = NULL;
        size_t cap = 0;
        ssize_t len;
        while (!ferror(stdout) && (len = getline(&line, &cap, in)) >= 0)
            predict_line(cl, a, threads_pool_item(pool, 0), line, (size_t)len, stdout);
        free(line);
        return 0;
    }
    PredictChunk *c = xcalloc(1, sizeof *c);
    int rc = 0, n;
    do {
        for (n = 0; n < PREDICT_CHUNK && (c->len[n] = getline(&c->line[n], &c->cap[n], in)) >= 0; n++) {}
        if (n > 0) rc = predict_chunk(cl, a, pool, c, n, st);
    } while (n == PREDICT_CHUNK && rc == 0 && !ferror(stdout));
    for (int i = 0; i < PREDICT_CHUNK; i++) free(c->line[i]);
    free(c);
    return rc;
}

/* Labels a page shows per line when -k asks for only one. */
#define PREDICT_HTML_TOP 5

/* One page for all of `in`: each line as the report shows a document. */
static int predict_html(const Classifier *cl, const PredictArgs *a, FILE *in, PredictWorker *w, Status *st)
{
    html_page_begin(stdout, "attnclf predict --explain", tokshade_css);
    tokshade_legend_even(stdout);
    html_elem(stdout, "p", "note",
              "A word's attention is its own weight plus an equal share of the weight of each n-gram it is part "
              "of; the buttons switch between the mean over heads and each head.");
    char *line = NULL;
    size_t cap = 0;
    ssize_t len;
    long no = 0;
    int rc = 0;
    while (rc == 0 && !ferror(stdout) && (len = getline(&line, &cap, in)) >= 0) {
        no++;
        while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r')) len--;
        classifier_score_text(cl, line, (size_t)len, &w->s);
        explain_build(&w->e, cl, &w->s, a->top_k > 1 ? a->top_k : PREDICT_HTML_TOP, 1);
        char id[32], *heading = NULL;
        size_t hn = 0;
        snprintf(id, sizeof id, "l%ld", no);
        FILE *hs = open_memstream(&heading, &hn);
        if (!hs) return status_error(st, "out of memory for a heading");
        fprintf(hs, "Line %ld: predicted %s", no, cl->labels.words[w->e.top[0]]);
        fclose(hs);
        DocView v = {.id = id, .heading = heading, .e = &w->e, .labels = (const char *const *)cl->labels.words};
        rc = docview_write(stdout, &v, st);
        free(heading);
    }
    free(line);
    html_page_end(stdout);
    return rc;
}

static int predict_run(const PredictArgs *args, Status *st)
{
    const int from_stdin = !args->input || strcmp(args->input, "-") == 0;
    FILE *in = from_stdin ? stdin : fopen(args->input, "rb");
    if (!in) return status_error(st, "%s: cannot open: %s", args->input, strerror(errno));
    Classifier c;
    Config cfg;
    int rc = pipeline_load(args->model, &c, &cfg, st);
    PredictArgs run = *args, *a = &run;
    char *prefix = xstrdup(reader_label_prefix(&cfg.data.read));
    run.prefix = prefix;
    if (run.thresholded < 0) {
        run.thresholded = rc == 0 && c.net.dims.loss == LOSS_OVA;
        run.threshold = -1.0f;
    }
    config_free(&cfg);
    if (rc) {
        free(prefix);
        if (!from_stdin) fclose(in);
        return -1;
    }
    struct stat sb;
    /* A file gets full buffering for speed; a pipe or terminal gets each answer as
     * soon as it is computed. */
    if (fstat(fileno(stdout), &sb) == 0 && !S_ISREG(sb.st_mode)) setvbuf(stdout, NULL, _IOLBF, 0);
    int nw = 1;
    if (!a->html && fstat(fileno(in), &sb) == 0 && S_ISREG(sb.st_mode)) nw = threads_resolve(a->threads);
    ThreadsPool pool;
    threads_pool_init(&pool, nw, sizeof(PredictWorker), predict_worker_init, &c, predict_worker_free);
    for (int i = 0; nw > 1 && i < nw; i++) {
        PredictWorker *w = threads_pool_item(&pool, i);
        if (!(w->out = open_memstream(&w->buf, &w->size)) && rc == 0)
            rc = status_error(st, "cannot buffer answers: %s", strerror(errno));
    }
    if (rc == 0) rc = a->html ? predict_html(&c, a, in, threads_pool_item(&pool, 0), st) : predict_lines(&c, a, in, &pool, st);
    if (rc == 0 && ferror(in))
        rc = status_error(st, "%s: read failed: %s", from_stdin ? "stdin" : a->input, strerror(errno));
    if (rc == 0 && (fflush(stdout) != 0 || ferror(stdout)))
        rc = status_error(st, "stdout: write failed: %s", strerror(errno));
    threads_pool_free(&pool);
    classifier_free(&c);
    free(prefix);
    if (!from_stdin) fclose(in);
    return rc;
}

int cmd_predict(int argc, char **argv)
{
    static const char shortopts[] = "m:i:k:t:jeT:qh";
    static const struct option opts[] = {
        {"model", required_argument, 0, 'm'}, {"input", required_argument, 0, 'i'},
        {"top-k", required_argument, 0, 'k'}, {"json", no_argument, 0, 'j'},
        {"explain", no_argument, 0, 'e'},     {"threads", required_argument, 0, 'T'},
        {"quiet", no_argument, 0, 'q'},       {"help", no_argument, 0, 'h'},
        {"html", no_argument, 0, 'W'},        {"threshold", required_argument, 0, 't'},
        {0, 0, 0, 0},
    };
    PredictArgs a = {.top_k = 1, .thresholded = -1};
    int c;
    opterr = 0;
    optind = 1;
    while ((c = getopt_long(argc, argv, shortopts, opts, NULL)) != -1) {
        switch (c) {
        case 'm': a.model = optarg; break;
        case 'i': a.input = optarg; break;
        case 'k':
            if ((a.top_k = cli_parse_count(optarg, 1000000)) < 1)
                return cli_usage("predict", "--top-k %s: expected a whole number >= 1", optarg);
            a.top_k_given = 1;
            break;
        case 't':
            if (cli_parse_threshold(optarg, &a.threshold))
                return cli_usage("predict", "--threshold %s: expected a probability in [0, 1] or auto", optarg);
            a.thresholded = 1;
            break;
        case 'j': a.json = 1; break;
        case 'e': a.explain = 1; break;
        case 'W': a.html = 1; break;
        case 'T':
            if ((a.threads = cli_parse_count(optarg, 1024)) < 0)
                return cli_usage("predict", "--threads %s: expected a number from 0 to 1024", optarg);
            break;
        case 'q': break; /* predict writes no diagnostics but errors */
        case 'h': fputs(predict_help, stdout); return 0;
        default: return cli_bad_option("predict", argv, optopt, opts, shortopts);
        }
    }
    if (optind < argc) return cli_usage("predict", "unexpected argument '%s'", argv[optind]);
    if (!a.model) return cli_usage("predict", "--model CKPT is required");
    if (a.html && (!a.explain || a.json)) return cli_usage("predict", "--html goes with --explain, not --json");
    Status st;
    return predict_run(&a, &st) ? cli_fail("predict", &st) : 0;
}

/* fastText's `predict-prob MODEL FILE [K] [THRESHOLD]` (FILE - is stdin): the K
 * most probable labels with probability >= THRESHOLD (K -1: all; defaults 1 and
 * 0.0), printed as fastText prints them (PREFIXLABEL PROB, space-separated);
 * with options, it is predict. */
int cmd_predict_prob(int argc, char **argv)
{
    if (argc < 2 || argv[1][0] == '-') return cmd_predict(argc, argv);
    if (argc < 3 || argc > 5) return cli_usage("predict-prob", "expected MODEL FILE [K] [THRESHOLD], or predict's options");
    PredictArgs a = {.model = argv[1], .input = argv[2], .top_k = 1, .top_k_given = 1, .thresholded = 1,
                     .fasttext = 1};
    char *end;
    if (argc > 3) {
        long v = strtol(argv[3], &end, 10);
        if (*end || end == argv[3] || v == 0 || v < -1 || v > 1000000)
            return cli_usage("predict-prob", "K %s: expected a whole number >= 1, or -1 for every label", argv[3]);
        a.top_k = v < 0 ? 0 : (int)v;
    }
    if (argc > 4 && (cli_parse_threshold(argv[4], &a.threshold) || a.threshold < 0))
        return cli_usage("predict-prob", "THRESHOLD %s: expected a probability in [0, 1]", argv[4]);
    Status st;
    return predict_run(&a, &st) ? cli_fail("predict-prob", &st) : 0;
}
