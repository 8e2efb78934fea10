/* fmt.c - see fmt.h. */
#include "fmt.h"

#include <cjson/cJSON.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "probmetrics.h"
#include "unicode.h"
#include "utf8.h"

/* The shortest decimal that reads back as the same float: 0.8625, not the
 * double 0.86250001192092896 that the float is. */
static cJSON *fmt_float(float v)
{
    if (!isfinite(v)) return cJSON_CreateNull();
    char buf[32];
    for (int prec = 1; prec <= 9; prec++) {
        snprintf(buf, sizeof buf, "%.*g", prec, (double)v);
        if (strtof(buf, NULL) == v) break;
    }
    return cJSON_CreateRaw(buf);
}

void fmt_prediction_plain(FILE *f, const Explanation *e, const Vocab *labels, int explain)
{
    const int n = e->thresholded ? e->n_set : e->k;
    const int *which = e->thresholded ? e->set : e->top;
    for (int i = 0; i < n; i++)
        fprintf(f, "%s%s\t%.6f", i ? "\t" : "", labels->words[which[i]], e->probs[which[i]]);
    if (explain) {
        fputc('\t', f);
        for (int t = 0; t < e->T; t++) {
            fputs(t ? " " : "", f);
            for (const char *p = explain_token(e, t); *p; p++) fputc(*p == ' ' ? '_' : *p, f);
            fprintf(f, "(%.4f)", e->weight[t]);
        }
    }
    fputc('\n', f);
}

void fmt_prediction_json(FILE *f, const Explanation *e, const Vocab *labels, int explain)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "label", labels->words[e->top[0]]);
    cJSON_AddItemToObject(o, "prob", fmt_float(e->probs[e->top[0]]));
    cJSON *arr = cJSON_AddArrayToObject(o, "top");
    for (int i = 0; i < e->k; i++) {
        cJSON *it = cJSON_CreateObject();
        cJSON_AddStringToObject(it, "label", labels->words[e->top[i]]);
        cJSON_AddItemToObject(it, "prob", fmt_float(e->probs[e->top[i]]));
        cJSON_AddItemToArray(arr, it);
    }
    if (e->thresholded) {
        cJSON *set = cJSON_AddArrayToObject(o, "labels");
        for (int i = 0; i < e->n_set; i++) {
            cJSON *it = cJSON_CreateObject();
            cJSON_AddStringToObject(it, "label", labels->words[e->set[i]]);
            cJSON_AddItemToObject(it, "prob", fmt_float(e->probs[e->set[i]]));
            cJSON_AddItemToArray(set, it);
        }
    }
    if (explain) {
        cJSON *toks = cJSON_AddArrayToObject(o, "tokens");
        for (int t = 0; t < e->T; t++) {
            cJSON *it = cJSON_CreateObject(), *heads = cJSON_CreateArray();
            for (int h = 0; h < e->H; h++) cJSON_AddItemToArray(heads, fmt_float(e->alpha[(size_t)h * e->T + t]));
            cJSON_AddStringToObject(it, "token", explain_token(e, t));
            cJSON_AddItemToObject(it, "weight", fmt_float((float)e->weight[t]));
            cJSON_AddItemToObject(it, "heads", heads);
            cJSON_AddItemToArray(toks, it);
        }
        if (e->member) {
            cJSON *nb = cJSON_AddObjectToObject(o, "bayes");
            for (int c = 0; c < e->C; c++) cJSON_AddItemToObject(nb, labels->words[c], fmt_float(e->member[c]));
        }
    }
    char *out = cJSON_PrintUnformatted(o);
    fputs(out, f);
    fputc('\n', f);
    free(out);
    cJSON_Delete(o);
}

void fmt_prediction_fasttext(FILE *f, const Explanation *e, const Vocab *labels, const char *prefix)
{
    for (int i = 0; i < e->n_set; i++)
        fprintf(f, "%s%s%s %g", i ? " " : "", prefix, labels->words[e->set[i]], (double)e->probs[e->set[i]]);
    fputc('\n', f);
}

static const char *fmt_label(const Vocab *labels, const Vocab *unknown, int k)
{
    return k < labels->n ? labels->words[k] : unknown->words[k - labels->n];
}

/* Writes s in exactly w terminal columns: cut after the last whole character that
 * fits, then padded with spaces, so CJK and accented labels keep the columns
 * straight (printf's widths count bytes). */
static void fmt_cell(FILE *f, const char *s, int w)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t n = strlen(s), i = 0;
    int used = 0;
    while (i < n) {
        uint32_t cp;
        int k = utf8_decode(p + i, n - i, &cp);
        if (k < 1) k = 1;
        int cw = (int)unicode_width((const char *)p + i, (size_t)k);
        if (used + cw > w) break;
        used += cw;
        i += (size_t)k;
    }
    fwrite(s, 1, i, f);
    fprintf(f, "%*s", w - used, "");
}

/* The width of the label column in terminal columns: the longest label, from 5 to 40. */
static int fmt_label_width(const Vocab *labels, const Vocab *unknown, int K)
{
    int w = 5;
    for (int k = 0; k < K; k++) {
        const char *name = fmt_label(labels, unknown, k);
        int l = (int)unicode_width(name, strlen(name));
        if (l > w) w = l < 40 ? l : 40;
    }
    return w;
}

static void fmt_metrics_head(FILE *f, const Metrics *m)
{
    fprintf(f, "accuracy  %.4f  (%lld of %lld)\nmacro_f1  %.4f\n", m->accuracy, (long long)m->correct, (long long)m->n,
            m->macro_f1);
}

static void fmt_metrics_confusion(FILE *f, const Metrics *m, const Vocab *labels, const Vocab *unknown)
{
    int w = fmt_label_width(labels, unknown, m->K);
    fprintf(f, "\nconfusion matrix (rows: true label, columns: predicted)\n");
    fmt_cell(f, "", w);
    for (int c = 0; c < m->C; c++) {
        const char *name = labels->words[c];
        int l = (int)unicode_width(name, strlen(name));
        if (l > 8) l = 8;
        fprintf(f, " %*s", 8 - l, "");
        fmt_cell(f, name, l);
    }
    fprintf(f, "\n");
    for (int k = 0; k < m->K; k++) {
        fmt_cell(f, fmt_label(labels, unknown, k), w);
        for (int c = 0; c < m->C; c++) fprintf(f, " %8lld", (long long)m->confusion[(size_t)k * m->C + c]);
        fprintf(f, "\n");
    }
}

/* The per-class table and the confusion matrix, after a blank line. */
static void fmt_metrics_body(FILE *f, const Metrics *m, const Vocab *labels, const Vocab *unknown)
{
    int w = fmt_label_width(labels, unknown, m->K);
    fprintf(f, "\n");
    fmt_cell(f, "label", w);
    fprintf(f, "  precision  recall      f1  support\n");
    for (int k = 0; k < m->K; k++) {
        fmt_cell(f, fmt_label(labels, unknown, k), w);
        fprintf(f, "  %9.4f  %6.4f  %6.4f  %7lld%s\n", m->precision[k], m->recall[k], m->f1[k],
                (long long)m->support[k], k >= m->C ? "  (not in training)" : "");
    }
    fmt_metrics_confusion(f, m, labels, unknown);
}

void fmt_metrics_table(FILE *f, const Metrics *m, const Vocab *labels, const Vocab *unknown)
{
    fmt_metrics_head(f, m);
    fmt_metrics_body(f, m, labels, unknown);
}

static cJSON *fmt_metrics_object(const Metrics *m, const Vocab *labels, const Vocab *unknown)
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
        cJSON_AddItemToObject(pc, fmt_label(labels, unknown, k), c);
    }
    cJSON_AddItemToObject(o, "per_class", pc);
    cJSON *truth = cJSON_AddArrayToObject(conf, "true_labels"), *pred = cJSON_AddArrayToObject(conf, "predicted_labels");
    cJSON *rows = cJSON_AddArrayToObject(conf, "matrix");
    for (int k = 0; k < m->K; k++) {
        cJSON_AddItemToArray(truth, cJSON_CreateString(fmt_label(labels, unknown, k)));
        cJSON *row = cJSON_CreateArray();
        for (int c = 0; c < m->C; c++)
            cJSON_AddItemToArray(row, cJSON_CreateNumber((double)m->confusion[(size_t)k * m->C + c]));
        cJSON_AddItemToArray(rows, row);
    }
    for (int c = 0; c < m->C; c++) cJSON_AddItemToArray(pred, cJSON_CreateString(labels->words[c]));
    cJSON_AddItemToObject(o, "confusion", conf);
    return o;
}

static void fmt_json_line(FILE *f, cJSON *o)
{
    char *s = cJSON_PrintUnformatted(o);
    fprintf(f, "%s\n", s);
    free(s);
    cJSON_Delete(o);
}

void fmt_metrics_json(FILE *f, const Metrics *m, const Vocab *labels, const Vocab *unknown)
{
    fmt_json_line(f, fmt_metrics_object(m, labels, unknown));
}

/* Names padded to w columns, as the lines above them are. */
static void fmt_eval_lines(FILE *f, const EvalExtra *x, int w)
{
    fprintf(f, "%-*s%.4f\n%-*s%.4f  (%d bins)\n", w, "log_loss", x->log_loss, w, "ece", x->ece, PROB_BINS);
    if (x->rank) {
        char p[32], r[32];
        snprintf(p, sizeof p, "precision_at_%d", x->rank->k);
        snprintf(r, sizeof r, "recall_at_%d", x->rank->k);
        fprintf(f, "%-*s%.4f\n%-*s%.4f  (%lld documents)\n", w, p, x->rank->precision, w, r, x->rank->recall,
                (long long)x->rank->n);
    }
}

static void fmt_set_table(FILE *f, const SetMetrics *s, const EvalExtra *x)
{
    fprintf(f, "micro_precision  %.4f\nmicro_recall     %.4f\nmicro_f1         %.4f  (%lld of %lld true labels "
               "found, %lld predicted)\nmacro_f1         %.4f\n",
            s->micro_precision, s->micro_recall, s->micro_f1, (long long)s->tp, (long long)s->gold,
            (long long)s->predicted, s->macro_f1);
    if (x->threshold < 0)
        fprintf(f, "threshold        auto (%d of %d labels have their own, tuned on the validation split%s)\n", x->tuned,
                s->C, x->min_labels ? "; the top label always" : "");
    else
        fprintf(f, "threshold        %g\n", (double)x->threshold);
}

static void fmt_set_per_class(FILE *f, const SetMetrics *s, const Vocab *labels, const Vocab *unknown)
{
    int w = fmt_label_width(labels, unknown, s->K);
    fmt_cell(f, "label", w);
    fprintf(f, "  precision  recall      f1  support\n");
    for (int k = 0; k < s->K; k++) {
        fmt_cell(f, fmt_label(labels, unknown, k), w);
        fprintf(f, "  %9.4f  %6.4f  %6.4f  %7lld%s\n", s->precision[k], s->recall[k], s->f1[k],
                (long long)s->support[k], k >= s->C ? "  (not in training)" : "");
    }
}

void fmt_eval_table(FILE *f, const Metrics *m, const EvalExtra *x, const Vocab *labels, const Vocab *unknown)
{
    if (m && !x->set) {
        fmt_metrics_head(f, m);
        fmt_eval_lines(f, x, x->rank ? 17 : 10);
        fmt_metrics_body(f, m, labels, unknown);
        return;
    }
    fprintf(f, "n                %lld\n", (long long)x->set->n);
    if (m)
        fprintf(f, "accuracy         %.4f  (%lld of %lld: the top label)\n", m->accuracy, (long long)m->correct,
                (long long)m->n);
    fmt_set_table(f, x->set, x);
    fmt_eval_lines(f, x, 17);
    fputc('\n', f);
    fmt_set_per_class(f, x->set, labels, unknown);
    if (m) fmt_metrics_confusion(f, m, labels, unknown);
}

void fmt_eval_json(FILE *f, const Metrics *m, const EvalExtra *x, const Vocab *labels, const Vocab *unknown)
{
    cJSON *o = m ? fmt_metrics_object(m, labels, unknown) : cJSON_CreateObject();
    if (!m) cJSON_AddNumberToObject(o, "n", (double)x->set->n);
    cJSON_AddNumberToObject(o, "log_loss", x->log_loss);
    cJSON_AddNumberToObject(o, "ece", x->ece);
    if (x->rank) {
        cJSON_AddNumberToObject(o, "precision_at_k", x->rank->precision);
        cJSON_AddNumberToObject(o, "recall_at_k", x->rank->recall);
        cJSON_AddNumberToObject(o, "k", x->rank->k);
    }
    const SetMetrics *s = x->set;
    if (s) {
        cJSON_AddNumberToObject(o, "micro_precision", s->micro_precision);
        cJSON_AddNumberToObject(o, "micro_recall", s->micro_recall);
        cJSON_AddNumberToObject(o, "micro_f1", s->micro_f1);
        cJSON_DeleteItemFromObject(o, "macro_f1");
        cJSON_AddNumberToObject(o, "macro_f1", s->macro_f1);
        if (x->threshold < 0) cJSON_AddStringToObject(o, "threshold", "auto");
        else cJSON_AddItemToObject(o, "threshold", fmt_float(x->threshold));
        cJSON_AddNumberToObject(o, "min_labels", x->min_labels);
        cJSON_DeleteItemFromObject(o, "per_class");
        cJSON *pc = cJSON_AddObjectToObject(o, "per_class");
        for (int k = 0; k < s->K; k++) {
            cJSON *c = cJSON_CreateObject();
            cJSON_AddNumberToObject(c, "precision", s->precision[k]);
            cJSON_AddNumberToObject(c, "recall", s->recall[k]);
            cJSON_AddNumberToObject(c, "f1", s->f1[k]);
            cJSON_AddNumberToObject(c, "support", (double)s->support[k]);
            cJSON_AddBoolToObject(c, "in_training", k < s->C);
            cJSON_AddItemToObject(pc, fmt_label(labels, unknown, k), c);
        }
    }
    fmt_json_line(f, o);
}
