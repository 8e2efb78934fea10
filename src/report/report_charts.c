/* report_charts.c - the report's charts: training curves and tuning trials,
 * the confusion matrix and per-class scores, calibration, and keywords. */
#include "report_charts.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "html.h"
#include "mem.h"
#include "svgplot.h"

/* Trials listed in the tuning table, best first. */
#define REPORT_TOP_TRIALS 10

int report_best_epoch(const FitEpoch *e, int n, int chosen)
{
    for (int i = 0; i < n; i++)
        if (chosen > 0 && e[i].epoch == chosen) return i;
    int best = -1;
    for (int i = 0; i < n; i++)
        if (e[i].has_valid && (best < 0 || e[i].valid_acc > e[best].valid_acc)) best = i;
    return best >= 0 || n == 0 ? best : n - 1;
}

static int report_curves(FILE *f, const Report *r, Status *st)
{
    const int n = r->n_epochs;
    double *col = xmalloc((size_t)n * 8 * sizeof *col);
    double *x = col, *tl = col + n, *vl = col + 2 * n, *ta = col + 3 * n, *va = col + 4 * n, *lr = col + 5 * n,
           *tps = col + 6 * n;
    int valid = 0;
    for (int i = 0; i < n; i++) {
        const FitEpoch *e = &r->epochs[i];
        x[i] = e->epoch;
        tl[i] = e->train_loss, vl[i] = e->valid_loss, ta[i] = e->train_acc, va[i] = e->valid_acc;
        lr[i] = e->lr, tps[i] = e->tokens_per_sec;
        valid |= e->has_valid;
    }
    int best = report_best_epoch(r->epochs, n, r->best_epoch);
    char mark[48];
    snprintf(mark, sizeof mark, "best epoch %d", r->epochs[best].epoch);
    SvgSeries loss[2] = {{"train", x, tl, n}, {"valid", x, vl, n}}, acc[2] = {{"train", x, ta, n}, {"valid", x, va, n}};
    SvgSeries rate[1] = {{"lr", x, lr, n}}, speed[1] = {{"tokens/s", x, tps, n}};
    SvgLines charts[4] = {
        {.title = "Loss", .x_label = "epoch", .y_label = "cross-entropy", .series = loss, .n_series = 1 + valid,
         .x_integer = 1, .marker_label = mark, .marker_x = r->epochs[best].epoch},
        {.title = "Accuracy", .x_label = "epoch", .series = acc, .n_series = 1 + valid, .x_integer = 1,
         .marker_label = mark, .marker_x = r->epochs[best].epoch},
        {.title = "Learning rate (at the epoch's end)", .x_label = "epoch", .series = rate, .n_series = 1,
         .x_integer = 1},
        {.title = "Training speed", .x_label = "epoch", .y_label = "tokens/s", .series = speed, .n_series = 1,
         .x_integer = 1},
    };
    html_grid_begin(f);
    int rc = 0;
    for (int k = 0; k < 4 && rc == 0; k++) rc = svgplot_lines(f, &charts[k], st);
    html_grid_end(f);
    free(col);
    return rc;
}

typedef struct RankedTrial {
    double metric;
    int i;
} RankedTrial;

static int report_by_metric(const void *a, const void *b)
{
    const RankedTrial *x = a, *y = b;
    if (x->metric != y->metric) return x->metric > y->metric ? -1 : 1;
    return x->i - y->i;
}

static void report_trial_table(FILE *f, const Report *r)
{
    RankedTrial *rk = xmalloc((size_t)r->n_trials * sizeof *rk);
    int m = 0, folds = 0;
    for (int i = 0; i < r->n_trials; i++) {
        if (isfinite(r->trials[i].metric)) rk[m++] = (RankedTrial){r->trials[i].metric, i};
        if (r->trials[i].folds > folds) folds = r->trials[i].folds;
    }
    qsort(rk, (size_t)m, sizeof *rk, report_by_metric);
    /* With folds (tune --folds), the finalists' mean over them, which chose. */
    const int cols = folds > 0 ? 6 : 5;
    char fhead[48];
    snprintf(fhead, sizeof fhead, "mean over %d other fold%s", folds, folds > 1 ? "s" : "");
    const char *head[6] = {"rank", "trial", "metric", "seconds", cols == 6 ? fhead : "settings", "settings"};
    char cap[64];
    snprintf(cap, sizeof cap, "The best %d of %d trials", m < REPORT_TOP_TRIALS ? m : REPORT_TOP_TRIALS,
             r->n_trials);
    html_table_begin(f, cap, cols, head);
    for (int j = 0; j < m && j < REPORT_TOP_TRIALS; j++) {
        const TuneTrial *t = &r->trials[rk[j].i];
        char a[16], b[24], c[32], d[32] = "", e[32] = "";
        snprintf(a, sizeof a, "%d", j + 1);
        snprintf(b, sizeof b, "%d%s", t->trial, t->chosen ? " (chosen)" : "");
        snprintf(c, sizeof c, "%.4f", t->metric);
        if (isfinite(t->seconds)) snprintf(d, sizeof d, "%.1f", t->seconds);
        if (t->folds > 0) snprintf(e, sizeof e, "%.4f", t->fold_mean);
        const char *row[6] = {a, b, c, d, cols == 6 ? e : t->detail, t->detail};
        html_table_row(f, cols, row);
    }
    html_table_end(f);
    free(rk);
}

/* The trials' metric in the order they ran, against the time spent so far
 * (or the trial's number when a trial has no time), with the best so far. */
static int report_trials(FILE *f, const Report *r, Status *st)
{
    const int n = r->n_trials;
    double *x = xmalloc((size_t)n * 3 * sizeof *x), *y = x + n, *best = x + 2 * n;
    int timed = 1, at = -1;
    for (int i = 0; i < n; i++) timed &= isfinite(r->trials[i].seconds) && r->trials[i].seconds >= 0;
    double clock = 0;
    for (int i = 0; i < n; i++) {
        const TuneTrial *t = &r->trials[i];
        clock += timed ? t->seconds : 0;
        x[i] = timed ? clock : t->trial;
        y[i] = t->metric;
        if (isfinite(t->metric) && (at < 0 || t->metric > r->trials[at].metric)) at = i;
        best[i] = at >= 0 ? r->trials[at].metric : NAN;
    }
    at = tunelog_best(r->trials, n);
    char mark[48];
    if (at >= 0) snprintf(mark, sizeof mark, "%s trial %d", r->trials[at].chosen ? "chosen" : "best", r->trials[at].trial);
    SvgSeries s[2] = {{"trial", x, y, n}, {"best so far", x, best, n}};
    SvgLines c = {.title = "Tuning: each trial's metric", .x_label = timed ? "seconds since the first trial started" : "trial",
                  .series = s, .n_series = 2, .x_integer = !timed, .marker_label = at >= 0 ? mark : NULL,
                  .marker_x = at >= 0 ? x[at] : 0};
    html_elem(f, "h3", NULL, "Tuning trials (tune.jsonl)");
    html_grid_begin(f);
    int rc = svgplot_lines(f, &c, st);
    fputs("<div>\n", f);
    report_trial_table(f, r);
    fputs("</div>\n", f);
    html_grid_end(f);
    free(x);
    return rc;
}

int report_training(FILE *f, const Report *r, Status *st)
{
    html_section_begin(f, "training", "Training");
    int rc = 0;
    if (r->n_epochs == 0)
        html_elem(f, "p", "note", r->log_note ? r->log_note : "No training log.");
    else
        rc = report_curves(f, r, st);
    if (rc == 0 && r->n_trials > 0) rc = report_trials(f, r, st);
    html_section_end(f);
    return rc;
}

int report_errors(FILE *f, const Report *r, Status *st)
{
    const Metrics *m = r->m;
    const int C = m->C, K = m->K;
    html_section_begin(f, "errors", "Errors and per-class scores");
    if (K > C)
        html_elem(f, "p", "note", "Rows below the training labels are labels training never saw: always errors.");
    html_grid_begin(f);
    SvgHeatmap hm = {.title = "Confusion matrix: counts and share of each true label's row", .row_title = "true",
                     .col_title = "predicted", .row_names = r->labels, .col_names = r->labels, .rows = K, .cols = C,
                     .counts = m->confusion};
    int rc = svgplot_heatmap(f, &hm, st);
    double *prf = xmalloc((size_t)C * 3 * sizeof *prf);
    char (*notes)[32] = xmalloc((size_t)C * sizeof *notes);
    const char **note = xmalloc((size_t)C * sizeof *note);
    for (int c = 0; c < C; c++) {
        prf[c * 3] = m->precision[c], prf[c * 3 + 1] = m->recall[c], prf[c * 3 + 2] = m->f1[c];
        char n[24];
        report_int(n, sizeof n, m->support[c]);
        snprintf(notes[c], sizeof notes[c], "n=%s", n);
        note[c] = notes[c];
    }
    static const char *const bars[3] = {"precision", "recall", "F1"};
    SvgBars b = {.title = "Per class, sorted by F1 (n: documents with the label)", .groups = r->labels,
                 .n_groups = C, .bars = bars, .n_bars = 3, .values = prf, .sort_by = 2, .x_max = 1, .notes = note};
    if (rc == 0) rc = svgplot_bars(f, &b, st);
    html_grid_end(f);
    html_section_end(f);
    free(prf);
    free(notes);
    free(note);
    return rc;
}

int report_calibration(FILE *f, const Report *r, const double *bin_conf, const double *bin_acc,
                       const int64_t *bin_n, double ece, Status *st)
{
    html_section_begin(f, "calibration", "Confidence and calibration");
    html_elem(f, "p", "note",
              "Confidence is the predicted label's probability. A calibrated model is right as often as it is "
              "confident: its bars meet the diagonal. ECE is the mean gap, weighted by the bins' documents.");
    html_grid_begin(f);
    SvgReliability rel = {.title = "Reliability, 15 bins", .n_bins = REPORT_RELIABILITY_BINS,
                          .confidence = bin_conf, .accuracy = bin_acc, .count = bin_n, .ece = ece};
    int rc = svgplot_reliability(f, &rel, st);
    float *v = xmalloc((size_t)(r->n + 1) * sizeof *v);
    int64_t counts[2 * REPORT_HISTOGRAM_BINS] = {0};
    for (int s = 0; s < 2; s++) {
        int64_t k = 0;
        for (int64_t i = 0; i < r->n; i++)
            if (r->correct[i] == (s == 0)) v[k++] = r->conf[i];
        svgplot_histogram_bins(v, k, 0, 1, REPORT_HISTOGRAM_BINS, counts + s * REPORT_HISTOGRAM_BINS);
    }
    free(v);
    static const char *const series[2] = {"correct", "wrong"};
    SvgHistogram h = {.title = "Confidence of the predictions", .x_label = "predicted label's probability", .lo = 0,
                      .hi = 1, .n_bins = REPORT_HISTOGRAM_BINS, .series = series, .n_series = 2, .counts = counts};
    if (rc == 0) rc = svgplot_histogram(f, &h, st);
    html_grid_end(f);
    html_section_end(f);
    return rc;
}

/* One class's list as bars with the occurrences beside them. */
static int report_key_chart(FILE *f, const char *label, const char *how, const ReportKeyword *list, int k,
                            Status *st)
{
    const char **groups = xmalloc((size_t)(k + 1) * sizeof *groups), **note = xmalloc((size_t)(k + 1) * sizeof *note);
    double *values = xmalloc((size_t)(k + 1) * sizeof *values);
    char (*notes)[32] = xmalloc((size_t)(k + 1) * sizeof *notes);
    for (int j = 0; j < k; j++) {
        groups[j] = list[j].text;
        values[j] = list[j].score;
        char cnt[24];
        report_int(cnt, sizeof cnt, list[j].count);
        snprintf(notes[j], sizeof notes[j], "\xc3\x97%s", cnt);
        note[j] = notes[j];
    }
    char *title = NULL;
    size_t tn = 0;
    FILE *ts = open_memstream(&title, &tn);
    int rc = ts ? 0 : status_error(st, "report: out of memory for a title");
    if (ts) {
        fprintf(ts, "What %s keys on, %s", label, how);
        fclose(ts);
        static const char *const bar[1] = {"contribution to the logit"};
        SvgBars b = {.title = title, .groups = groups, .n_groups = k, .bars = bar, .n_bars = 1, .values = values,
                     .sort_by = -1, .notes = note};
        rc = svgplot_bars(f, &b, st);
    }
    free(title);
    free(groups);
    free(note);
    free(values);
    free(notes);
    return rc;
}

int report_keywords(FILE *f, const Report *r, Status *st)
{
    const int C = r->m->C, n = r->max_keywords;
    char each[96], min[32];
    report_int(min, sizeof min, r->keyword_min_count);
    snprintf(each, sizeof each, "per occurrence (seen %s+ times)", min);
    html_section_begin(f, "keys", "What each class keys on");
    html_elem(f, "p", "note",
              "Each position of a document adds attention weight \xc3\x97 (the class's output weights \xc2\xb7 "
              "the token's embedding) to the class's logit. Summed for each word or n-gram (an n-gram is its "
              "hashed bucket) over the documents, less the mean over the classes: how far it pushed this class "
              "ahead of the others, in total and per occurrence. \xc3\x97N: occurrences.");
    html_grid_begin(f);
    int rc = 0;
    for (int c = 0; c < C && rc == 0; c++) {
        rc = report_key_chart(f, r->labels[c], "in total", r->keywords + (size_t)c * n, r->n_keywords[c], st);
        if (rc == 0)
            rc = report_key_chart(f, r->labels[c], each, r->keywords_each + (size_t)c * n, r->n_keywords_each[c], st);
    }
    html_grid_end(f);
    html_section_end(f);
    return rc;
}
