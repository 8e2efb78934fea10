/* report.c - see report.h: the page's frame, key figures, documents and the
 * run; the charts are in report_charts.c. */
#include "report.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "docview.h"
#include "html.h"
#include "mem.h"
#include "report_charts.h"
#include "svgplot.h"
#include "tokshade.h"

/* The page's own rules, after html.c's and tokshade's: the key figures as
 * boxes, and a rule above each shown document. */
static const char report_css[] =
    ".figs{display:flex;flex-wrap:wrap;gap:10px 14px;margin:10px 0 8px;padding:0;list-style:none}\n"
    ".figs li{border:1px solid #bbb;border-radius:6px;padding:6px 14px;min-width:8.5em}\n"
    ".figs b{display:block;font-size:1.55em;font-variant-numeric:tabular-nums;line-height:1.2}\n"
    ".figs span{font-size:.85em;color:#444}\n"
    ".doc{border-top:1px solid #e2e2e2;margin-top:10px}\n"
    ".doc h3{margin:.6em 0 .2em}\n"
    ".doc .note{margin:.15em 0}\n"
    "pre{tab-size:2}\n"
    "@media print{.doc{break-inside:avoid}}\n";

void report_int(char *buf, size_t cap, int64_t v)
{
    char digits[32];
    int n = snprintf(digits, sizeof digits, "%lld", (long long)(v < 0 ? -v : v)), k = 0;
    size_t at = 0;
    if (v < 0 && at + 1 < cap) buf[at++] = '-';
    for (int i = 0; i < n && at + 1 < cap; i++) {
        buf[at++] = digits[i];
        k = n - 1 - i;
        if (k > 0 && k % 3 == 0 && at + 1 < cap) buf[at++] = ',';
    }
    buf[at] = '\0';
}

/* One key figure: <li><b>value</b><span>what</span></li>. */
static void report_fig(FILE *f, const char *value, const char *what)
{
    fputs("<li><b>", f);
    html_text(f, value);
    fputs("</b><span>", f);
    html_text(f, what);
    fputs("</span></li>\n", f);
}

static void report_summary(FILE *f, const Report *r, double ece)
{
    char v[64];
    report_int(v, sizeof v, r->n);
    fprintf(f, "<p>%s documents of ", v);
    html_text(f, r->source);
    fputs(", scored by ", f);
    html_text(f, r->model->path);
    fputs(".</p>\n", f);
    fputs("<ul class=\"figs\">\n", f);
    snprintf(v, sizeof v, "%.4f", r->m->accuracy);
    report_fig(f, v, "accuracy");
    snprintf(v, sizeof v, "%.4f", r->m->macro_f1);
    report_fig(f, v, "macro-F1");
    report_int(v, sizeof v, r->m->n);
    report_fig(f, v, "documents");
    report_int(v, sizeof v, r->m->n - r->m->correct);
    report_fig(f, v, "errors");
    snprintf(v, sizeof v, "%.4f", r->loss);
    report_fig(f, v, "mean loss");
    snprintf(v, sizeof v, "%.4f", ece);
    report_fig(f, v, "ECE (15 bins)");
    int best = report_best_epoch(r->epochs, r->n_epochs, r->best_epoch);
    if (best >= 0) {
        snprintf(v, sizeof v, "%d of %d", r->epochs[best].epoch, r->epochs[r->n_epochs - 1].epoch);
        report_fig(f, v, "best epoch");
    }
    fputs("</ul>\n", f);
}

static int report_doc_list(FILE *f, const Report *r, const ReportDoc *docs, int n, const char *prefix, Status *st)
{
    for (int i = 0; i < n; i++) {
        const ReportDoc *d = &docs[i];
        char id[32], doc[32], *h = NULL;
        size_t hn = 0;
        snprintf(id, sizeof id, "%s%d", prefix, i + 1);
        report_int(doc, sizeof doc, d->index + 1);
        FILE *hs = open_memstream(&h, &hn);
        if (!hs) return status_error(st, "report: out of memory for a heading");
        if (d->truth == d->pred)
            fprintf(hs, "%d. document %s: %s", i + 1, doc, r->labels[d->truth]);
        else
            fprintf(hs, "%d. document %s: true %s, predicted %s", i + 1, doc, r->labels[d->truth], r->labels[d->pred]);
        fclose(hs);
        DocView v = {.id = id, .heading = h, .e = d->e, .labels = r->labels, .max_words = r->max_words};
        int rc = docview_write(f, &v, st);
        free(h);
        if (rc) return -1;
    }
    return 0;
}

static int report_docs(FILE *f, const Report *r, Status *st)
{
    html_section_begin(f, "docs", "Documents");
    tokshade_legend_even(f);
    html_elem(f, "p", "note",
              "A word's attention is its own weight plus an equal share of the weight of each n-gram it is part "
              "of; the buttons switch between the mean over heads and each head.");
    html_elem(f, "h3", NULL, "Most confident errors");
    if (r->n_errors == 0) html_elem(f, "p", "note", r->m->correct == r->m->n ? "No errors." : "None shown.");
    if (report_doc_list(f, r, r->errors, r->n_errors, "err", st)) return -1;
    html_elem(f, "h3", NULL, "Correct answers, from the most to the least confident");
    if (r->n_right == 0) html_elem(f, "p", "note", r->m->correct == 0 ? "No correct answers." : "None shown.");
    if (report_doc_list(f, r, r->right, r->n_right, "ok", st)) return -1;
    html_section_end(f);
    return 0;
}

static void report_kv(FILE *f, const char *key, const char *value)
{
    const char *row[2] = {key, value};
    html_table_row(f, 2, row);
}

static void report_model(FILE *f, const Report *r)
{
    const ReportModel *m = r->model;
    char v[256], a[32], b[32], c[32];
    html_table_begin(f, "Model", 2, NULL);
    report_kv(f, "checkpoint", m->path);
    report_int(a, sizeof a, m->bytes);
    snprintf(v, sizeof v, "%s bytes (%.1f MB)", a, (double)m->bytes / 1e6);
    report_kv(f, "size", v);
    report_int(a, sizeof a, m->params);
    report_kv(f, "parameters", a);
    report_int(a, sizeof a, m->rows);
    report_int(b, sizeof b, m->vocab);
    report_int(c, sizeof c, m->buckets);
    snprintf(v, sizeof v, "%s (%s words, 1 unknown, %s n-gram buckets)", a, b, c);
    report_kv(f, "embedding rows", v);
    snprintf(v, sizeof v, "dim %d, %d heads, %s attention, n-grams up to %d%s", m->dim, m->heads, m->attention,
             m->ngrams, m->bayes ? ", naive Bayes member" : "");
    report_kv(f, "network", v);
    snprintf(v, sizeof v, "%d", m->classes);
    report_kv(f, "classes", v);
    report_kv(f, "attnclf", r->version);
    html_table_end(f);
}

static void report_files(FILE *f, const Report *r)
{
    static const char *const head[4] = {"file", "role", "rows", "note"};
    html_table_begin(f, "Data", 4, head);
    for (int i = 0; i < r->n_files; i++) {
        const ReportFile *x = &r->files[i];
        char rows[32] = "";
        if (x->rows >= 0) report_int(rows, sizeof rows, x->rows);
        const char *row[4] = {x->path, x->role, rows, x->note ? x->note : ""};
        html_table_row(f, 4, row);
    }
    html_table_end(f);
}

static void report_run(FILE *f, const Report *r)
{
    html_section_begin(f, "run", "The run");
    html_grid_begin(f);
    fputs("<div>\n", f);
    report_model(f, r);
    fputs("</div>\n<div>\n", f);
    report_files(f, r);
    fputs("</div>\n", f);
    html_grid_end(f);
    html_elem(f, "h3", NULL, "Command line");
    fputs("<pre class=\"cmd\">", f);
    html_text(f, r->command_line);
    fputs("</pre>\n", f);
    html_elem(f, "h3", NULL, "Resolved config");
    html_pre(f, r->config_json);
    html_section_end(f);
}

int report_write(FILE *f, const Report *r, Status *st)
{
    if (!r->m || !r->labels || !r->model || (r->n > 0 && (!r->conf || !r->correct)))
        return status_error(st, "report_write: metrics, labels, model and the documents' confidences are required");
    size_t nt = strlen(tokshade_css), nr = strlen(report_css);
    char *css = xmalloc(nt + nr + 1);
    memcpy(css, tokshade_css, nt);
    memcpy(css + nt, report_css, nr + 1);
    html_page_begin(f, r->title, css);
    free(css);
    static const char *const ids[6] = {"training", "errors", "calibration", "docs", "keys", "run"};
    static const char *const titles[6] = {"Training", "Errors", "Calibration", "Documents", "Keywords", "Run"};
    html_nav(f, 6, ids, titles);
    double bc[REPORT_RELIABILITY_BINS], ba[REPORT_RELIABILITY_BINS];
    int64_t bn[REPORT_RELIABILITY_BINS];
    double ece = svgplot_reliability_bins(r->conf, r->correct, r->n, REPORT_RELIABILITY_BINS, bc, ba, bn);
    report_summary(f, r, ece);
    int rc = report_training(f, r, st);
    if (rc == 0) rc = report_errors(f, r, st);
    if (rc == 0) rc = report_calibration(f, r, bc, ba, bn, ece, st);
    if (rc == 0) rc = report_docs(f, r, st);
    if (rc == 0) rc = report_keywords(f, r, st);
    if (rc == 0) report_run(f, r);
    html_page_end(f);
    return rc;
}
