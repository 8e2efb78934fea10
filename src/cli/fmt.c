/* fmt.c - see fmt.h. */
#include "fmt.h"

#include <cjson/cJSON.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

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
    for (int i = 0; i < e->k; i++)
        fprintf(f, "%s%s\t%.6f", i ? "\t" : "", labels->words[e->top[i]], e->probs[e->top[i]]);
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

void fmt_metrics_table(FILE *f, const Metrics *m, const Vocab *labels, const Vocab *unknown)
{
    int w = 5;
    for (int k = 0; k < m->K; k++) {
        const char *name = fmt_label(labels, unknown, k);
        int l = (int)unicode_width(name, strlen(name));
        if (l > w) w = l < 40 ? l : 40;
    }
    fprintf(f, "accuracy  %.4f  (%lld of %lld)\nmacro_f1  %.4f\n\n", m->accuracy, (long long)m->correct,
            (long long)m->n, m->macro_f1);
    fmt_cell(f, "label", w);
    fprintf(f, "  precision  recall      f1  support\n");
    for (int k = 0; k < m->K; k++) {
        fmt_cell(f, fmt_label(labels, unknown, k), w);
        fprintf(f, "  %9.4f  %6.4f  %6.4f  %7lld%s\n", m->precision[k], m->recall[k], m->f1[k],
                (long long)m->support[k], k >= m->C ? "  (not in training)" : "");
    }
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

void fmt_metrics_json(FILE *f, const Metrics *m, const Vocab *labels, const Vocab *unknown)
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
    char *s = cJSON_PrintUnformatted(o);
    fprintf(f, "%s\n", s);
    free(s);
    cJSON_Delete(o);
}
