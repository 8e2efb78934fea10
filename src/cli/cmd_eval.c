/* cmd_eval.c - `attnclf eval`: scores a checkpoint on a labelled file. */
#include <cjson/cJSON.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "config.h"
#include "dataset.h"
#include "fmt.h"
#include "mem.h"
#include "metrics.h"
#include "pipeline.h"
#include "probmetrics.h"
#include "threads.h"

static const char eval_help[] =
    "usage: attnclf eval --model CKPT --data FILE [--format F] [--header|--no-header]\n"
    "                    [--label-column C] [--text-column C]... [--top-k K] [--threshold T|auto]\n"
    "                    [--json] [--threads N] [--quiet]\n\n"
    "Prints accuracy, macro-F1, the log loss and expected calibration error (15 bins) of\n"
    "the probabilities, per-class precision/recall/F1/support and the confusion matrix.\n"
    "A model trained on label sets (one-vs-all) is scored on label sets instead: micro and\n"
    "macro precision/recall/F1 at its thresholds. Data settings come from the checkpoint's\n"
    "config unless given here.\n\n"
    "  --model CKPT        checkpoint written by 'attnclf train'\n"
    "  --data FILE         labelled file (csv, tsv or fastText lines; - is stdin)\n"
    "  --format F          auto, csv, tsv or fasttext\n"
    "  --header, --no-header  whether the first row names the columns\n"
    "  --label-column C    label column by header name or 0-based index\n"
    "  --text-column C     text column (repeat for several; joined with a space)\n"
    "  --top-k K           also fastText's precision and recall at K (precision_at_k, recall_at_k)\n"
    "  --threshold T       score label sets: every label with probability >= T (in [0, 1]) is\n"
    "                      predicted; 'auto' (the default for a label-set model) uses the\n"
    "                      thresholds tuned per label on the validation split (and the top\n"
    "                      label of each document with train.min_labels 1)\n"
    "  --json              one JSON object: accuracy, macro_f1, n, per_class, confusion, log_loss,\n"
    "                      ece; with --top-k precision_at_k, recall_at_k, k; with a threshold\n"
    "                      micro_precision, micro_recall, micro_f1, threshold, min_labels\n"
    "  --threads N         threads (default: all cores)\n"
    "  --quiet             no warnings on stderr (errors still go there)\n"
    "  --help              this text\n";

typedef struct EvalArgs {
    const char *model, *data;
    int json, threads, n_text, quiet;
    int top_k;        /* 0: no P@k */
    int thresholded;  /* -1: the model's default */
    float threshold;  /* < 0: auto */
    const char *format, *label_col, *text_cols[READER_MAX_TEXT_COLUMNS];
    int header; /* -1: from the checkpoint */
} EvalArgs;

/* A column option as a JSON value: digits are an index, anything else a name. */
static cJSON *eval_column_json(const char *arg)
{
    if (*arg && strspn(arg, "0123456789") == strlen(arg) && strlen(arg) < 7) return cJSON_CreateNumber(atof(arg));
    return cJSON_CreateString(arg);
}

/* Sets key from the command-line words opt + arg through the config's own parser. */
static int eval_assign(Config *cfg, const char *key, cJSON *value, const char *opt, const char *arg, Status *st)
{
    char *text = cJSON_PrintUnformatted(value), origin[600];
    snprintf(origin, sizeof origin, "%s%s%.500s", opt, arg ? " " : "", arg ? arg : "");
    int rc = config_assign(cfg, key, text, origin, st);
    free(text);
    cJSON_Delete(value);
    return rc;
}

/* The data settings: the checkpoint's config, then the flags. */
static int eval_data_options(const EvalArgs *a, Config *cfg, Status *st)
{
    if (a->format && eval_assign(cfg, "data.format", cJSON_CreateString(a->format), "--format", a->format, st)) return -1;
    if (a->header >= 0 &&
        eval_assign(cfg, "data.header", cJSON_CreateBool(a->header), a->header ? "--header" : "--no-header", NULL, st))
        return -1;
    if (a->label_col &&
        eval_assign(cfg, "data.label_column", eval_column_json(a->label_col), "--label-column", a->label_col, st))
        return -1;
    if (a->n_text) {
        cJSON *arr = cJSON_CreateArray();
        for (int i = 0; i < a->n_text; i++) cJSON_AddItemToArray(arr, eval_column_json(a->text_cols[i]));
        if (eval_assign(cfg, "data.text_columns", arr, "--text-column", a->text_cols[0], st)) return -1;
    }
    return 0;
}

/* Scores ds and prints the metrics a asks for. */
static void eval_report(const EvalArgs *a, const Classifier *c, const Dataset *ds, const Vocab *unknown)
{
    const int C = (int)c->labels.n, K = C + (int)unknown->n, sets = c->net.dims.loss == LOSS_OVA;
    const int64_t n = ds->n;
    int32_t *pred = xmalloc((size_t)(n + 1) * sizeof *pred), *truth = xmalloc((size_t)(n + 1) * sizeof *truth);
    float *probs = xmalloc((size_t)(n + 1) * (size_t)C * sizeof *probs);
    classifier_score_matrix(c, ds, threads_resolve(a->threads), 0, pred, NULL, probs);
    for (int64_t i = 0; i < n; i++) truth[i] = dataset_label(ds, i);
    Metrics m;
    if (!sets) metrics_compute(&m, truth, pred, n, K, C);
    EvalExtra x = {.threshold = a->threshold, .tuned = c->cal.fitted ? c->cal.rep.labels_tuned : 0};
    Reliability rel;
    if (sets) {
        x.log_loss = probmetrics_ova_log_loss(probs, ds->loff, ds->lab, n, C);
        probmetrics_ova_reliability(&rel, probs, ds->loff, ds->lab, n, C);
    } else {
        x.log_loss = probmetrics_softmax_log_loss(probs, ds->loff, ds->lab, n, C);
        probmetrics_softmax_reliability(&rel, probs, ds->loff, ds->lab, n, C);
    }
    x.ece = rel.ece;
    RankMetrics rank;
    if (a->top_k) {
        rankmetrics_at_k(&rank, probs, ds->loff, ds->lab, n, C, a->top_k, 0.0f, 0);
        x.rank = &rank;
    }
    SetMetrics set;
    if (a->thresholded < 0 ? sets : a->thresholded) {
        if (a->thresholded < 0) x.threshold = -1.0f;
        x.min_labels = x.threshold < 0 ? c->cal.min_labels : 0;
        setmetrics_compute(&set, probs, ds->loff, ds->lab, n, K, C, x.threshold < 0 ? 0.0f : x.threshold,
                           x.threshold < 0 ? c->cal.thr : NULL, x.min_labels);
        x.set = &set;
    }
    if (a->json) fmt_eval_json(stdout, sets ? NULL : &m, &x, &c->labels, unknown);
    else fmt_eval_table(stdout, sets ? NULL : &m, &x, &c->labels, unknown);
    if (x.set) setmetrics_free(&set);
    if (!sets) metrics_free(&m);
    free(pred);
    free(truth);
    free(probs);
}

static int eval_run(const EvalArgs *a, Status *st)
{
    Classifier c;
    Config cfg;
    if (pipeline_load(a->model, &c, &cfg, st)) {
        config_free(&cfg);
        return -1;
    }
    Vocab unknown;
    vocab_init(&unknown);
    Dataset ds;
    ReaderStats rs;
    int rc = eval_data_options(a, &cfg, st);
    if (rc == 0) rc = dataset_load(a->data, &cfg.data.read, &c.enc, &c.labels, &unknown, &ds, NULL, &rs, st);
    if (rc == 0) {
        if (rs.skipped && !a->quiet) fprintf(stderr, "warning: skipped %lld bad rows; first: %s\n", (long long)rs.skipped, rs.first_skip);
        if (unknown.n && !a->quiet)
            fprintf(stderr, "warning: %lld labels in %s never occur in training (first: \"%s\"); their rows count as errors\n",
                    (long long)unknown.n, a->data, unknown.words[0]);
        eval_report(a, &c, &ds, &unknown);
        dataset_free(&ds);
    }
    vocab_free(&unknown);
    classifier_free(&c);
    config_free(&cfg);
    return rc;
}

int cmd_eval(int argc, char **argv)
{
    static const char shortopts[] = "m:d:f:HNl:t:jT:qk:Rh";
    static const struct option opts[] = {
        {"model", required_argument, 0, 'm'},        {"data", required_argument, 0, 'd'},
        {"format", required_argument, 0, 'f'},       {"header", no_argument, 0, 'H'},
        {"no-header", no_argument, 0, 'N'},          {"label-column", required_argument, 0, 'l'},
        {"text-column", required_argument, 0, 't'},  {"json", no_argument, 0, 'j'},
        {"threads", required_argument, 0, 'T'},      {"quiet", no_argument, 0, 'q'},
        {"top-k", required_argument, 0, 'k'},        {"threshold", required_argument, 0, 'R'},
        {"help", no_argument, 0, 'h'},
        {0, 0, 0, 0},
    };
    EvalArgs a = {.header = -1, .thresholded = -1};
    int c;
    opterr = 0;
    optind = 1;
    while ((c = getopt_long(argc, argv, shortopts, opts, NULL)) != -1) {
        switch (c) {
        case 'm': a.model = optarg; break;
        case 'd': a.data = optarg; break;
        case 'f': a.format = optarg; break;
        case 'H': a.header = 1; break;
        case 'N': a.header = 0; break;
        case 'l': a.label_col = optarg; break;
        case 't':
            if (a.n_text == READER_MAX_TEXT_COLUMNS)
                return cli_usage("eval", "at most %d --text-column options", READER_MAX_TEXT_COLUMNS);
            a.text_cols[a.n_text++] = optarg;
            break;
        case 'j': a.json = 1; break;
        case 'T':
            if ((a.threads = cli_parse_count(optarg, 1024)) < 0)
                return cli_usage("eval", "--threads %s: expected a number from 0 to 1024", optarg);
            break;
        case 'q': a.quiet = 1; break;
        case 'k':
            if ((a.top_k = cli_parse_count(optarg, 1000000)) < 1)
                return cli_usage("eval", "--top-k %s: expected a whole number >= 1", optarg);
            break;
        case 'R':
            if (cli_parse_threshold(optarg, &a.threshold))
                return cli_usage("eval", "--threshold %s: expected a probability in [0, 1] or auto", optarg);
            a.thresholded = 1;
            break;
        case 'h': fputs(eval_help, stdout); return 0;
        default: return cli_bad_option("eval", argv, optopt, opts, shortopts);
        }
    }
    if (optind < argc) return cli_usage("eval", "unexpected argument '%s'", argv[optind]);
    if (!a.model || !a.data) return cli_usage("eval", "--model CKPT and --data FILE are required");
    Status st;
    return eval_run(&a, &st) ? cli_fail("eval", &st) : 0;
}
