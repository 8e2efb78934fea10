/* cmd_report.c - `attnclf report`: one HTML page about a trained run. It
 * gathers the run's files (checkpoint, log.jsonl, tune.jsonl), scores the
 * documents (review.h) and hands plain structs to report_write. */
#include <errno.h>
#include <getopt.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "config.h"
#include "mem.h"
#include "pipeline.h"
#include "report.h"
#include "review.h"
#include "runlog.h"
#include "threads.h"
#include "tunelog.h"

static const char report_help[] =
    "usage: attnclf report --model RUN_DIR_OR_CKPT [--data FILE] [--output FILE] [--examples N]\n"
    "                      [--label-names FILE] [--threads N] [--quiet]\n\n"
    "Writes one self-contained HTML page (no script, nothing loaded from the network) about a\n"
    "trained classifier: its training curves, the confusion matrix, per-class scores,\n"
    "calibration, the most confident errors and some correct answers with each word shaded by\n"
    "attention, what each class keys on, and the run's config and files.\n\n"
    "  --model PATH       a run directory (its best.ckpt, or validated.ckpt after a refit;\n"
    "                     log.jsonl and tune.jsonl) or a checkpoint (the logs are looked\n"
    "                     for beside it)\n"
    "  --data FILE        labelled documents to score, read with the run's data settings\n"
    "                     (default: the run's validation data)\n"
    "  --output FILE      where the page goes (default report.html; - is stdout)\n"
    "  --examples N       errors and correct answers shown, each (default 10, at most 50)\n"
    "  --label-names FILE one name per line: line k names the label \"k\" (AG News' classes.txt)\n"
    "  --threads N        threads (default: all cores)\n"
    "  --quiet            no summary line\n"
    "  --help             this text\n";

#define REPORT_MAX_EXAMPLES 50
/* Words shown per document: a long review is cut here, with the rest counted. */
#define REPORT_MAX_WORDS 300
#define REPORT_KEYWORDS 15

typedef struct ReportArgs {
    const char *model, *data, *output, *names;
    int examples, threads, quiet;
    int argc;
    char **argv;
} ReportArgs;

/* Everything the page is made of, owned here. */
typedef struct ReportRun {
    char ckpt[4096], dir[4096];
    Classifier clf;
    Config cfg;
    FitEpoch *epochs;
    int n_epochs, best_epoch;
    char log_note[4400];
    TuneTrial *trials;
    int n_trials;
    TextSet docs;
    Vocab unknown;
    const char *read;
    int64_t read_rows;
    char **labels;  /* [K] display names */
    Review rev;
    ReportFile files[3];
    char notes[3][1200];
    int n_files;
} ReportRun;

/* A run directory, a checkpoint in one, or one in its checkpoints/ folder. */
static int report_paths(const char *model, ReportRun *x, Status *st)
{
    struct stat sb;
    if (stat(model, &sb) != 0) return status_error(st, "%s: %s", model, strerror(errno));
    if (S_ISDIR(sb.st_mode)) {
        snprintf(x->dir, sizeof x->dir, "%s", model);
        /* After a refit (train.refit) best.ckpt has trained on the validation data;
         * the model the logs and the validation figures are of is validated.ckpt. */
        snprintf(x->ckpt, sizeof x->ckpt, "%s/validated.ckpt", model);
        if (stat(x->ckpt, &sb) != 0) snprintf(x->ckpt, sizeof x->ckpt, "%s/best.ckpt", model);
        return 0;
    }
    snprintf(x->ckpt, sizeof x->ckpt, "%s", model);
    char tmp[4096];
    snprintf(tmp, sizeof tmp, "%s", model);
    snprintf(x->dir, sizeof x->dir, "%s", dirname(tmp));
    snprintf(tmp, sizeof tmp, "%s", x->dir);
    if (strcmp(basename(tmp), "checkpoints") == 0) {
        snprintf(tmp, sizeof tmp, "%s", x->dir);
        snprintf(x->dir, sizeof x->dir, "%s", dirname(tmp));
    }
    return 0;
}

static int report_logs(ReportRun *x, Status *st)
{
    char path[4200];
    snprintf(path, sizeof path, "%s/log.jsonl", x->dir);
    if (access(path, F_OK) == 0) {
        if (runlog_read(path, &x->epochs, &x->n_epochs, st)) return -1;
        if (x->n_epochs == 0) snprintf(x->log_note, sizeof x->log_note, "%s has no rows.", path);
    } else {
        snprintf(x->log_note, sizeof x->log_note, "No training curves: no log.jsonl in %s.", x->dir);
    }
    snprintf(path, sizeof path, "%s/tune.jsonl", x->dir);
    if (access(path, F_OK) == 0 && tunelog_read(path, &x->trials, &x->n_trials, st)) return -1;
    return 0;
}

/* Display names: the labels, or for a label "k" line k of the names file. */
static int report_labels(const ReportArgs *a, ReportRun *x, Status *st)
{
    const int C = (int)x->clf.labels.n, K = C + (int)x->unknown.n;
    x->labels = xcalloc((size_t)K, sizeof *x->labels);
    char **names = NULL;
    int n_names = 0;
    if (a->names) {
        FILE *f = fopen(a->names, "r");
        if (!f) return status_error(st, "%s: cannot open: %s", a->names, strerror(errno));
        char *line = NULL;
        size_t cap = 0;
        ssize_t len;
        while ((len = getline(&line, &cap, f)) >= 0) {
            while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r')) line[--len] = '\0';
            names = xrealloc(names, (size_t)(n_names + 1) * sizeof *names);
            names[n_names++] = xstrdup(line);
        }
        free(line);
        fclose(f);
    }
    for (int i = 0; i < K; i++) {
        const char *label = i < C ? x->clf.labels.words[i] : x->unknown.words[i - C];
        char *end;
        long k = strtol(label, &end, 10);
        int named = *label && *end == '\0' && k >= 1 && k <= n_names && *names[k - 1];
        x->labels[i] = xstrdup(named ? names[k - 1] : label);
    }
    for (int i = 0; i < n_names; i++) free(names[i]);
    free(names);
    return 0;
}

static int report_count_row(void *ctx, const ReaderRow *row, Status *st)
{
    (void)ctx, (void)row, (void)st;
    return 0;
}

/* A data file's row for the page: its rows counted, or why they are not. */
static void report_file(ReportFile *out, char *note, size_t cap, const char *path, const char *role,
                        const ReaderOptions *ro)
{
    Status st;
    ReaderStats rs;
    *out = (ReportFile){.path = path, .role = role, .rows = -1, .note = note};
    note[0] = '\0';
    if (strcmp(path, "-") == 0)
        snprintf(note, cap, "standard input: not read again");
    else if (reader_read(path, ro, report_count_row, NULL, &rs, &st) == 0)
        out->rows = rs.rows;
    else
        snprintf(note, cap, "not counted: %s", st.msg);
}

/* The command line as a shell would take it back. */
static char *report_command(int argc, char **argv)
{
    char *buf = NULL;
    size_t n = 0;
    FILE *f = open_memstream(&buf, &n);
    if (!f) return xstrdup("attnclf report");
    fputs("attnclf", f);
    for (int i = 0; i < argc; i++) {
        const char *s = argv[i];
        int plain = *s != '\0';
        for (const char *p = s; *p; p++)
            plain &= strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_./=:,+@%", *p) != NULL;
        if (plain) {
            fprintf(f, " %s", s);
            continue;
        }
        fputs(" '", f);
        for (const char *p = s; *p; p++)
            if (*p == '\'') fputs("'\\''", f);
            else fputc(*p, f);
        fputc('\'', f);
    }
    fclose(f);
    return buf;
}

static void report_model_info(const ReportRun *x, ReportModel *m, char *kind, size_t cap)
{
    const ModelDims *d = &x->clf.net.dims;
    struct stat sb;
    snprintf(kind, cap, "%s%s%s%s", d->attention == ATTN_DOT ? "dot" : "additive", d->positional ? " + positional" : "",
             d->context ? " + context" : "", d->gate ? " + gate" : "");
    *m = (ReportModel){.path = x->ckpt, .bytes = stat(x->ckpt, &sb) == 0 ? (int64_t)sb.st_size : -1,
                       .params = x->clf.net.n_params, .rows = d->rows, .vocab = x->clf.enc.vocab.n,
                       .buckets = x->clf.enc.o.ngrams > 1 ? x->clf.enc.o.buckets : 0, .dim = d->dim,
                       .heads = d->heads, .classes = d->classes, .ngrams = x->clf.enc.o.ngrams,
                       .bayes = classifier_bayes(&x->clf) != NULL, .attention = kind};
}

/* The rows of the file being scored, filled in once it is read. */
#define REPORT_SCORED (-2)

/* The files behind the page: the one scored, and the run's training and
 * validation files, counted while the scored one is read (report_run). */
static void report_files_count(const ReportArgs *a, ReportRun *x)
{
    const Config *cfg = &x->cfg;
    ReportFile *f = x->files;
    int n = 0;
    if (a->data) f[n++] = (ReportFile){.path = a->data, .role = "scored", .rows = REPORT_SCORED};
    if (!a->data && !cfg->data.valid) {
        f[n] = (ReportFile){.path = cfg->data.train, .role = "training", .rows = REPORT_SCORED, .note = x->notes[n]};
        n++;
    } else {
        report_file(&f[n], x->notes[n], sizeof x->notes[n], cfg->data.train, "training", &cfg->data.read);
        n++;
        if (cfg->data.valid && a->data)
            report_file(&f[n], x->notes[n], sizeof x->notes[n], cfg->data.valid, "validation", &cfg->data.read);
        else if (cfg->data.valid)
            f[n] = (ReportFile){.path = cfg->data.valid, .role = "validation (scored)", .rows = REPORT_SCORED};
        n += cfg->data.valid != NULL;
    }
    x->n_files = n;
}

static void report_files_done(const ReportArgs *a, ReportRun *x)
{
    for (int i = 0; i < x->n_files; i++) {
        ReportFile *f = &x->files[i];
        if (f->rows != REPORT_SCORED) continue;
        f->rows = x->read_rows;
        if (!a->data && !x->cfg.data.valid)
            snprintf(x->notes[i], sizeof x->notes[i], "the scored validation split: %lld rows (valid_fraction %g, seed %llu)",
                     (long long)x->docs.n, x->cfg.data.valid_fraction, (unsigned long long)x->cfg.train.fit.seed);
    }
}

static void report_source(const ReportArgs *a, const ReportRun *x, char *buf, size_t cap)
{
    const char *what = a->data ? "" : x->cfg.data.valid ? "the run's validation file " : "the run's validation split of ";
    snprintf(buf, cap, "%s%s", what, x->read);
}

static ReportDoc *report_docs(const ReviewDoc *d, int n)
{
    ReportDoc *out = xcalloc((size_t)n + 1, sizeof *out);
    for (int i = 0; i < n; i++) out[i] = (ReportDoc){.e = &d[i].e, .index = d[i].index, .truth = d[i].truth, .pred = d[i].pred};
    return out;
}

/* Writes the page to a->output (or stdout); a failed file is removed. */
static int report_emit(const ReportArgs *a, ReportRun *x, Status *st)
{
    const Review *rv = &x->rev;
    char kind[64], source[4200], title[4200];
    ReportModel model;
    report_model_info(x, &model, kind, sizeof kind);
    report_source(a, x, source, sizeof source);
    snprintf(title, sizeof title, "attnclf report: %s", x->dir);
    const size_t nk = (size_t)rv->C * rv->max_keys;
    ReportKeyword *keys = xcalloc(2 * nk + 1, sizeof *keys);
    for (size_t i = 0; i < nk; i++) {
        keys[i] = (ReportKeyword){rv->keys[i].text, rv->keys[i].score, rv->keys[i].count};
        keys[nk + i] = (ReportKeyword){rv->keys_each[i].text, rv->keys_each[i].score, rv->keys_each[i].count};
    }
    ReportDoc *errors = report_docs(rv->errors, rv->n_errors), *right = report_docs(rv->right, rv->n_right);
    char *json = config_to_json(&x->cfg), *cmd = report_command(a->argc, a->argv);
    Report r = {.title = title, .source = source, .epochs = x->epochs, .n_epochs = x->n_epochs,
                .best_epoch = x->best_epoch,
                .log_note = x->log_note, .trials = x->trials, .n_trials = x->n_trials, .m = &rv->metrics,
                .labels = (const char *const *)x->labels, .loss = rv->loss, .n = rv->n, .conf = rv->conf,
                .correct = rv->correct, .errors = errors, .right = right, .n_errors = rv->n_errors,
                .n_right = rv->n_right, .max_words = REPORT_MAX_WORDS, .keywords = keys, .n_keywords = rv->n_keys,
                .keywords_each = keys + nk, .n_keywords_each = rv->n_keys_each, .max_keywords = rv->max_keys,
                .keyword_min_count = rv->min_count, .model = &model, .files = x->files, .n_files = x->n_files,
                .config_json = json, .version = ATTNCLF_VERSION, .command_line = cmd};
    const int to_stdout = strcmp(a->output, "-") == 0;
    FILE *f = to_stdout ? stdout : fopen(a->output, "w");
    int rc = f ? 0 : status_error(st, "%s: cannot write: %s", a->output, strerror(errno));
    if (rc == 0) rc = report_write(f, &r, st);
    long bytes = f ? ftell(f) : 0;
    if (f && !to_stdout && fclose(f) != 0 && rc == 0) rc = status_error(st, "%s: write failed: %s", a->output, strerror(errno));
    if (f && to_stdout && (fflush(stdout) != 0 || ferror(stdout)) && rc == 0)
        rc = status_error(st, "stdout: write failed: %s", strerror(errno));
    if (rc && f && !to_stdout) remove(a->output);
    if (rc == 0 && !a->quiet)
        fprintf(to_stdout ? stderr : stdout, "report: %s (%.1f kB): %lld documents, accuracy %.4f, %d errors and %d correct shown\n",
                to_stdout ? "stdout" : a->output, bytes / 1e3, (long long)rv->n, rv->metrics.accuracy, rv->n_errors,
                rv->n_right);
    free(json);
    free(cmd);
    free(keys);
    free(errors);
    free(right);
    return rc;
}

static int report_run(const ReportArgs *a, Status *st)
{
    ReportRun *x = xcalloc(1, sizeof *x);
    vocab_init(&x->unknown);
    config_defaults(&x->cfg);
    int rc = report_paths(a->model, x, st), loaded = 0;
    if (rc == 0) {
        config_free(&x->cfg);
        rc = pipeline_load(x->ckpt, &x->clf, &x->cfg, st);
        loaded = rc == 0;
        if (rc == 0) rc = pipeline_best_epoch(x->ckpt, &x->best_epoch, st);
    }
    if (rc == 0) rc = report_logs(x, st);
    if (rc == 0) {
        /* Reading the scored file and counting the others are one core's work each. */
#pragma omp parallel sections num_threads(2)
        {
#pragma omp section
            rc = pipeline_report_docs(&x->cfg, &x->clf, a->data, &x->docs, &x->unknown, &x->read, &x->read_rows, st);
#pragma omp section
            report_files_count(a, x);
        }
    }
    if (rc && !a->data && x->read) {
        size_t n = strlen(st->msg);
        snprintf(st->msg + n, sizeof st->msg - n, " (the run's validation data; --data FILE scores another file)");
    }
    if (rc == 0) report_files_done(a, x);
    if (rc == 0) rc = report_labels(a, x, st);
    if (rc == 0) {
        ReviewOptions o = {.examples = a->examples, .keywords = REPORT_KEYWORDS, .threads = threads_resolve(a->threads)};
        rc = review_run(&x->rev, &x->clf, &x->docs, (int)x->unknown.n, &o, st);
    }
    if (rc == 0) rc = report_emit(a, x, st);
    for (int64_t i = 0; x->labels && i < x->clf.labels.n + x->unknown.n; i++) free(x->labels[i]);
    free(x->labels);
    review_free(&x->rev);
    if (x->docs.off) textset_free(&x->docs);
    tunelog_free(x->trials, x->n_trials);
    free(x->epochs);
    vocab_free(&x->unknown);
    if (loaded) classifier_free(&x->clf);
    config_free(&x->cfg);
    free(x);
    return rc;
}

int cmd_report(int argc, char **argv)
{
    static const char shortopts[] = "m:d:o:n:L:T:qh";
    static const struct option opts[] = {
        {"model", required_argument, 0, 'm'},   {"data", required_argument, 0, 'd'},
        {"output", required_argument, 0, 'o'},  {"examples", required_argument, 0, 'n'},
        {"label-names", required_argument, 0, 'L'}, {"threads", required_argument, 0, 'T'},
        {"quiet", no_argument, 0, 'q'},         {"help", no_argument, 0, 'h'},
        {0, 0, 0, 0},
    };
    ReportArgs a = {.output = "report.html", .examples = 10, .argc = argc, .argv = argv};
    int c;
    opterr = 0;
    optind = 1;
    while ((c = getopt_long(argc, argv, shortopts, opts, NULL)) != -1) {
        switch (c) {
        case 'm': a.model = optarg; break;
        case 'd': a.data = optarg; break;
        case 'o': a.output = optarg; break;
        case 'n':
            if ((a.examples = cli_parse_count(optarg, REPORT_MAX_EXAMPLES)) < 0)
                return cli_usage("report", "--examples %s: expected a number from 0 to %d", optarg, REPORT_MAX_EXAMPLES);
            break;
        case 'L': a.names = optarg; break;
        case 'T':
            if ((a.threads = cli_parse_count(optarg, 1024)) < 0)
                return cli_usage("report", "--threads %s: expected a number from 0 to 1024", optarg);
            break;
        case 'q': a.quiet = 1; break;
        case 'h': fputs(report_help, stdout); return 0;
        default: return cli_bad_option("report", argv, optopt, opts, shortopts);
        }
    }
    if (optind < argc) return cli_usage("report", "unexpected argument '%s'", argv[optind]);
    if (!a.model) return cli_usage("report", "--model RUN_DIR_OR_CKPT is required");
    Status st;
    return report_run(&a, &st) ? cli_fail("report", &st) : 0;
}
