/* ftprobs_eval.c - runs attnclf's multi-label metrics, threshold tuning and
 * calibration (rankmetrics, setmetrics, probmetrics, threshold, calib) on the
 * probabilities a fastText model printed, to check the metrics against fastText's
 * own `test` and to choose their defaults on a held-out split. Built and run by
 * scripts/cooking_thresholds.sh; prints markdown.
 *
 * usage: ftprobs_eval softmax|ova LABELS HELD.txt HELD.probs VALID.txt VALID.probs
 *   LABELS: the model's labels, one per line; *.txt: fastText-format labelled
 *   lines; *.probs: `fasttext predict-prob MODEL FILE -1`, one line per input line.
 * The printed probabilities are the model's (fastText adds 1e-5 before its log);
 * the logits calibration starts from are log p (softmax: equal to the model's
 * logits up to a per-document constant, which softmax ignores) and
 * log(p / (1 - p)) (ova). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "calib.h"
#include "mem.h"
#include "probmetrics.h"
#include "rankmetrics.h"
#include "setmetrics.h"
#include "threshold.h"

typedef struct Names {
    char **s;
    int n;
} Names;

typedef struct Split {
    int64_t n;
    int64_t *off;
    int32_t *lab;
    float *probs;  /* [n,C] */
    float *logits; /* [n,C] */
} Split;

static int names_cmp(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static int names_find(const Names *nm, const char *w)
{
    char **hit = bsearch(&w, nm->s, (size_t)nm->n, sizeof *nm->s, names_cmp);
    return hit ? (int)(hit - nm->s) : -1;
}

static void read_names(Names *nm, const char *path)
{
    FILE *f = fopen(path, "r");
    if (!f) exit((perror(path), 1));
    char buf[4096];
    nm->n = 0;
    nm->s = NULL;
    while (fscanf(f, "%4095s", buf) == 1) {
        nm->s = xrealloc(nm->s, (size_t)(nm->n + 1) * sizeof *nm->s);
        nm->s[nm->n++] = xstrdup(buf);
    }
    fclose(f);
    qsort(nm->s, (size_t)nm->n, sizeof *nm->s, names_cmp);
}

/* Reads the labelled lines and their probabilities; an unknown label gets id C. */
static void read_split(Split *sp, const Names *nm, const char *txt, const char *probs, int ova)
{
    FILE *ft = fopen(txt, "r"), *fp = fopen(probs, "r");
    if (!ft || !fp) exit((perror(!ft ? txt : probs), 1));
    int C = nm->n;
    int64_t cap = 1024, nlab = 0;
    memset(sp, 0, sizeof *sp);
    sp->off = xmalloc(sizeof(int64_t));
    sp->off[0] = 0;
    sp->lab = xmalloc((size_t)cap * sizeof *sp->lab);
    char *line = NULL, *pline = NULL;
    size_t lcap = 0, pcap = 0;
    while (getline(&line, &lcap, ft) > 0) {
        if (getline(&pline, &pcap, fp) < 0) exit((fprintf(stderr, "%s: too few lines\n", probs), 1));
        sp->off = xrealloc(sp->off, (size_t)(sp->n + 2) * sizeof *sp->off);
        sp->probs = xrealloc(sp->probs, (size_t)(sp->n + 1) * C * sizeof *sp->probs);
        float *row = sp->probs + (size_t)sp->n * C;
        for (int c = 0; c < C; c++) row[c] = 0.0f;
        for (char *tok = strtok(line, " \t\n"); tok; tok = strtok(NULL, " \t\n")) {
            if (strncmp(tok, "__label__", 9) != 0) continue;
            int id = names_find(nm, tok);
            if (nlab == cap) sp->lab = xrealloc(sp->lab, (size_t)(cap *= 2) * sizeof *sp->lab);
            sp->lab[nlab++] = id < 0 ? C : id;
        }
        for (char *tok = strtok(pline, " \t\n"); tok; tok = strtok(NULL, " \t\n")) {
            int id = names_find(nm, tok);
            char *p = strtok(NULL, " \t\n");
            if (id >= 0 && p) row[id] = strtof(p, NULL);
        }
        sp->off[++sp->n] = nlab;
    }
    free(line);
    free(pline);
    fclose(ft);
    fclose(fp);
    sp->logits = xmalloc((size_t)sp->n * C * sizeof *sp->logits);
    for (int64_t i = 0; i < sp->n * C; i++) {
        double p = sp->probs[i] < 1e-7f ? 1e-7 : sp->probs[i] > 1.0f - 1e-7f ? 1.0 - 1e-7 : sp->probs[i];
        sp->logits[i] = (float)(ova ? log(p / (1.0 - p)) : log(p));
    }
}

static void split_free(Split *sp)
{
    free(sp->off);
    free(sp->lab);
    free(sp->probs);
    free(sp->logits);
}

static double micro_f1(const Split *v, int C, float t, const float *thr, double *macro)
{
    SetMetrics m;
    setmetrics_compute(&m, v->probs, v->off, v->lab, v->n, C + 1, C, t, thr, 0);
    double f = m.micro_f1;
    if (macro) *macro = m.macro_f1;
    setmetrics_free(&m);
    return f;
}

/* One row: P@1, R@5 (fastText's counts), log loss, ECE, and micro-F1 on valid at
 * the global threshold tuned on held. */
static void report(const char *what, const Split *h, const Split *v, int C, int ova)
{
    RankMetrics p1, r5;
    rankmetrics_at_k(&p1, v->probs, v->off, v->lab, v->n, C, 1, 0.0f, 1);
    rankmetrics_at_k(&r5, v->probs, v->off, v->lab, v->n, C, 5, 0.0f, 1);
    Reliability rel;
    double ll;
    if (ova) {
        probmetrics_ova_reliability(&rel, v->probs, v->off, v->lab, v->n, C);
        ll = probmetrics_ova_log_loss(v->probs, v->off, v->lab, v->n, C);
    } else {
        probmetrics_softmax_reliability(&rel, v->probs, v->off, v->lab, v->n, C);
        ll = probmetrics_softmax_log_loss(v->probs, v->off, v->lab, v->n, C);
    }
    ThresholdFit g;
    threshold_global(&g, h->probs, h->off, h->lab, h->n, C, 0);
    double macro, f = micro_f1(v, C, g.threshold, NULL, &macro);
    printf("| %s | %lld | %.4f | %.4f | %.4f | %.4f | %.5f | %.4f | %.4f | %.4f |\n", what, (long long)p1.n,
           p1.precision, r5.recall, ll, rel.ece, g.threshold, g.f1, f, macro);
}

/* Per-label thresholds (threshold_per_label) tuned on held and scored on valid,
 * for each minimum number of held-out positives. */
static void per_label_table(const char *what, const Split *h, const Split *v, int C)
{
    ThresholdFit g;
    threshold_global(&g, h->probs, h->off, h->lab, h->n, C, 0);
    float *thr = xmalloc((size_t)C * sizeof *thr);
    ThresholdFit *fits = xmalloc((size_t)C * sizeof *fits);
    printf("\n| per-label thresholds, %s: min positives | labels tuned | held micro-F1 | valid micro-F1 | valid macro-F1 |\n",
           what);
    printf("|---|---|---|---|---|\n");
    double macro, f = micro_f1(v, C, g.threshold, NULL, &macro);
    printf("| (global threshold only) | 0 | %.4f | %.4f | %.4f |\n", g.f1, f, macro);
    const int mins[] = {1, 2, 3, 5, 10, 15, 20, 30, 50, 100};
    for (size_t k = 0; k < sizeof mins / sizeof *mins; k++) {
        threshold_per_label(thr, fits, h->probs, h->off, h->lab, h->n, C, g.threshold, mins[k], 0);
        int tuned = 0;
        for (int c = 0; c < C; c++) tuned += fits[c].tuned;
        double fh = micro_f1(h, C, 0.0f, thr, NULL);
        f = micro_f1(v, C, 0.0f, thr, &macro);
        printf("| %d | %d | %.4f | %.4f | %.4f |\n", mins[k], tuned, fh, f, macro);
    }
    free(thr);
    free(fits);
}

/* Replaces sp's probabilities by calibrated ones. */
static void calibrate(Split *sp, int C, int ova, double T, const float *a, const float *b)
{
    for (int64_t i = 0; i < sp->n; i++) {
        float *p = sp->probs + (size_t)i * C;
        const float *z = sp->logits + (size_t)i * C;
        if (ova) calib_platt_apply(p, z, a, b, C);
        else calib_temperature_apply(p, z, C, (float)T);
    }
}

int main(int argc, char **argv)
{
    if (argc != 7) {
        fprintf(stderr, "usage: ftprobs_eval softmax|ova LABELS HELD.txt HELD.probs VALID.txt VALID.probs\n");
        return 2;
    }
    int ova = strcmp(argv[1], "ova") == 0;
    Names nm;
    read_names(&nm, argv[2]);
    int C = nm.n;
    Split h, v;
    read_split(&h, &nm, argv[3], argv[4], ova);
    read_split(&v, &nm, argv[5], argv[6], ova);
    printf("| %s model | N | P@1 | R@5 | log loss | ECE | t (held) | held micro-F1 | valid micro-F1 | valid macro-F1 |\n",
           argv[1]);
    printf("|---|---|---|---|---|---|---|---|---|---|\n");
    int multi = 0; /* per-label thresholds only for multi-label data */
    for (int64_t i = 0; i < h.n; i++) multi |= h.off[i + 1] - h.off[i] > 1;
    report("as printed", &h, &v, C, ova);
    if (multi) per_label_table("as printed", &h, &v, C);
    printf("\n| %s model | N | P@1 | R@5 | log loss | ECE | t (held) | held micro-F1 | valid micro-F1 | valid macro-F1 |\n",
           argv[1]);
    printf("|---|---|---|---|---|---|---|---|---|---|\n");
    float *a = xmalloc((size_t)C * sizeof *a), *b = xmalloc((size_t)C * sizeof *b);
    if (!ova) {
        TemperatureFit tf;
        calib_temperature_fit(&tf, h.logits, h.off, h.lab, h.n, C);
        calibrate(&h, C, 0, tf.T, NULL, NULL);
        calibrate(&v, C, 0, tf.T, NULL, NULL);
        char what[64];
        snprintf(what, sizeof what, "temperature %.3f", tf.T);
        report(what, &h, &v, C, 0);
    } else {
        const double lambdas[] = {0.0, 0.1, 1.0, 10.0, 100.0};
        for (size_t k = 0; k < sizeof lambdas / sizeof *lambdas; k++) {
            calib_platt_fit(a, b, h.logits, h.off, h.lab, h.n, C, lambdas[k]);
            calibrate(&h, C, 1, 0.0, a, b);
            calibrate(&v, C, 1, 0.0, a, b);
            char what[64];
            snprintf(what, sizeof what, "Platt lambda %g", lambdas[k]);
            report(what, &h, &v, C, 1);
        }
        calib_platt_fit(a, b, h.logits, h.off, h.lab, h.n, C, CALIB_PLATT_LAMBDA);
        calibrate(&h, C, 1, 0.0, a, b);
        calibrate(&v, C, 1, 0.0, a, b);
        if (multi) per_label_table("Platt, default lambda", &h, &v, C);
    }
    free(a);
    free(b);
    split_free(&h);
    split_free(&v);
    for (int i = 0; i < nm.n; i++) free(nm.s[i]);
    free(nm.s);
    return 0;
}
