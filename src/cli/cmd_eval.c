/* cmd_eval.c - `attnclf eval`: scores a checkpoint on a labelled file. */
#include <cjson/cJSON.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ckpt.h"
#include "cli.h"
#include "dataset.h"
#include "infer.h"
#include "mem.h"
#include "metrics.h"
#include "train.h"

static const char eval_help[] =
    "usage: attnclf eval --model CKPT --data FILE [--format F] [--header|--no-header]\n"
    "                    [--label-column C] [--text-column C]... [--json] [--threads N]\n\n"
    "Prints accuracy, macro-F1, per-class precision/recall/F1/support and the confusion\n"
    "matrix. Data settings come from the checkpoint's config unless given here.\n\n"
    "  --model CKPT        checkpoint written by 'attnclf train'\n"
    "  --data FILE         labelled file (csv, tsv or fastText lines)\n"
    "  --format F          auto, csv, tsv or fasttext\n"
    "  --header, --no-header  whether the first row names the columns\n"
    "  --label-column C    label column by header name or 0-based index\n"
    "  --text-column C     text column (repeat for several; joined with a space)\n"
    "  --json              one JSON object: accuracy, macro_f1, n, per_class, confusion\n"
    "  --threads N         threads (default: all cores)\n"
    "  --help              this text\n";

static void eval_set_column(ColumnRef *ref, const char *arg)
{
    free(ref->name);
    char *end;
    long v = strtol(arg, &end, 10);
    if (*arg && !*end && v >= 0 && v < 1000000) {
        ref->name = NULL;
        ref->index = (int)v;
    } else {
        ref->name = xstrdup(arg);
        ref->index = 0;
    }
}

static const char *eval_label(const Vocab *labels, const Vocab *unknown, int k)
{
    return k < labels->n ? labels->words[k] : unknown->words[k - labels->n];
}

static void eval_print_table(const Metrics *m, const Vocab *labels, const Vocab *unknown)
{
    int w = 5;
    for (int k = 0; k < m->K; k++) {
        int l = (int)strlen(eval_label(labels, unknown, k));
        if (l > w) w = l < 40 ? l : 40;
    }
    printf("accuracy  %.4f  (%lld of %lld)\nmacro_f1  %.4f\n\n", m->accuracy, (long long)m->correct,
           (long long)m->n, m->macro_f1);
    printf("%-*s  precision  recall      f1  support\n", w, "label");
    for (int k = 0; k < m->K; k++)
        printf("%-*.*s  %9.4f  %6.4f  %6.4f  %7lld%s\n", w, w, eval_label(labels, unknown, k), m->precision[k],
               m->recall[k], m->f1[k], (long long)m->support[k], k >= m->C ? "  (not in training)" : "");
    printf("\nconfusion matrix (rows: true label, columns: predicted)\n%-*s", w, "");
    for (int c = 0; c < m->C; c++) printf(" %8.8s", labels->words[c]);
    printf("\n");
    for (int k = 0; k < m->K; k++) {
        printf("%-*.*s", w, w, eval_label(labels, unknown, k));
        for (int c = 0; c < m->C; c++) printf(" %8lld", (long long)m->confusion[(size_t)k * m->C + c]);
        printf("\n");
    }
}

static void eval_print_json(const Metrics *m, const Vocab *labels, const Vocab *unknown)
{
    cJSON *o = cJSON_CreateObject(), *pc = cJSON_CreateObject(), *conf = cJSON_CreateObject();
    cJSON_AddNumberToObject(o, "accuracy", m->accuracy);
    cJSON_AddNumberToObject(o, "macro_f1", m->macro_f1);
    cJSON_AddNumberToObject(o, "n", (double)m->n);
    for (int k = 0; k < m->K; k++) {
        cJSON *c = cJSON_CreateObject();
        cJSON_AddNumberToObject(c, "precision", m->precision[k]);
        cJSON_AddNumberToObject(c, "recall", m->recall[k]);
        cJSON_AddNumberToObject(c, "f1", m->f1[k]);
        cJSON_AddNumberToObject(c, "support", (double)m->support[k]);
        cJSON_AddBoolToObject(c, "in_training", k < m->C);
        cJSON_AddItemToObject(pc, eval_label(labels, unknown, k), c);
    }
    cJSON_AddItemToObject(o, "per_class", pc);
    cJSON *truth = cJSON_AddArrayToObject(conf, "true_labels"), *pred = cJSON_AddArrayToObject(conf, "predicted_labels");
    cJSON *rows = cJSON_AddArrayToObject(conf, "matrix");
    for (int k = 0; k < m->K; k++) {
        cJSON_AddItemToArray(truth, cJSON_CreateString(eval_label(labels, unknown, k)));
        cJSON *row = cJSON_CreateArray();
        for (int c = 0; c < m->C; c++) cJSON_AddItemToArray(row, cJSON_CreateNumber((double)m->confusion[(size_t)k * m->C + c]));
        cJSON_AddItemToArray(rows, row);
    }
    for (int c = 0; c < m->C; c++) cJSON_AddItemToArray(pred, cJSON_CreateString(labels->words[c]));
    cJSON_AddItemToObject(o, "confusion", conf);
    char *s = cJSON_PrintUnformatted(o);
    printf("%s\n", s);
    free(s);
    cJSON_Delete(o);
}

typedef struct EvalArgs {
    const char *model, *data;
    int json, threads, n_text;
    const char *format, *label_col, *text_cols[CONFIG_MAX_TEXT_COLUMNS];
    int header; /* -1: from the checkpoint */
} EvalArgs;

static int eval_run(const EvalArgs *a, Status *st)
{
    Checkpoint ck;
    if (ckpt_load_model(a->model, &ck, st)) return -1;
    DataConfig *dc = &ck.cfg.data;
    if (a->format) {
        static const char *const names[] = {"auto", "csv", "tsv", "fasttext"};
        int f = -1;
        for (int i = 0; i < 4; i++)
            if (strcmp(a->format, names[i]) == 0) f = i;
        if (f < 0) {
            ckpt_free(&ck);
            return status_usage(st, "--format %s: expected auto, csv, tsv or fasttext", a->format);
        }
        dc->format = (DataFormat)f;
    }
    if (a->header >= 0) dc->header = a->header;
    if (a->label_col) eval_set_column(&dc->label_column, a->label_col);
    if (a->n_text) {
        for (int i = 0; i < dc->n_text_columns; i++) {
            free(dc->text_columns[i].name);
            dc->text_columns[i].name = NULL;
        }
        for (int i = 0; i < a->n_text; i++) eval_set_column(&dc->text_columns[i], a->text_cols[i]);
        dc->n_text_columns = a->n_text;
    }
    Vocab unknown;
    vocab_init(&unknown);
    Dataset ds;
    ReaderStats rs;
    int rc = dataset_load(a->data, dc, &ck.enc, &ck.labels, &unknown, &ds, &rs, st);
    if (rc == 0) {
        int32_t *pred = xmalloc((size_t)(ds.n + 1) * sizeof *pred);
        infer_dataset(&ck.model, ckpt_bayes(&ck), &ds, train_threads(a->threads), pred);
        Metrics m;
        metrics_compute(&m, ds.labels, pred, ds.n, (int)(ck.labels.n + unknown.n), (int)ck.labels.n);
        if (rs.skipped) fprintf(stderr, "warning: skipped %lld bad rows; first: %s\n", (long long)rs.skipped, rs.first_skip);
        if (unknown.n)
            fprintf(stderr, "warning: %lld labels in %s never occur in training (first: \"%s\"); their rows count as errors\n",
                    (long long)unknown.n, a->data, unknown.words[0]);
        if (a->json) eval_print_json(&m, &ck.labels, &unknown);
        else eval_print_table(&m, &ck.labels, &unknown);
        metrics_free(&m);
        free(pred);
        dataset_free(&ds);
    }
    vocab_free(&unknown);
    ckpt_free(&ck);
    return rc;
}

int cmd_eval(int argc, char **argv)
{
    static const char shortopts[] = "m:d:f:HNl:t:jT:h";
    static const struct option opts[] = {
        {"model", required_argument, 0, 'm'},        {"data", required_argument, 0, 'd'},
        {"format", required_argument, 0, 'f'},       {"header", no_argument, 0, 'H'},
        {"no-header", no_argument, 0, 'N'},          {"label-column", required_argument, 0, 'l'},
        {"text-column", required_argument, 0, 't'},  {"json", no_argument, 0, 'j'},
        {"threads", required_argument, 0, 'T'},      {"help", no_argument, 0, 'h'},
        {0, 0, 0, 0},
    };
    EvalArgs a = {.header = -1};
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
            if (a.n_text == CONFIG_MAX_TEXT_COLUMNS)
                return cli_usage("eval", "at most %d --text-column options", CONFIG_MAX_TEXT_COLUMNS);
            a.text_cols[a.n_text++] = optarg;
            break;
        case 'j': a.json = 1; break;
        case 'T':
            if ((a.threads = cli_parse_count(optarg, 1024)) < 0)
                return cli_usage("eval", "--threads %s: expected a number from 0 to 1024", optarg);
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
