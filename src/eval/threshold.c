/* threshold.c - see threshold.h. */
#include "threshold.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "labelindex.h"
#include "mem.h"
#include "model.h"

static int threshold_desc(const void *a, const void *b)
{
    float x = *(const float *)a, y = *(const float *)b;
    return (x < y) - (x > y);
}

/* The cut over all[0..na) (every scored pair not always predicted) and
 * pos[0..np) (the positive pairs' scores among them), both sorted descending,
 * that maximises F1 = 2 (tp0 + tp) / (pred0 + predicted + gold): tp0 of the
 * pred0 pairs that are always predicted are positive. With pred0 > 0 the cut
 * above every score (no pair added) is a candidate too; with pred0 = 0 the
 * sweep needs na > 0. Fills tp, predicted and threshold. */
static void threshold_sweep(ThresholdFit *fit, const float *all, int64_t na, const float *pos, int64_t np,
                            int64_t tp0, int64_t pred0, int64_t gold)
{
    int64_t best_tp = 0, best_pred = 0, tp = 0;
    int have = pred0 > 0;
    for (int64_t i = 0; i < na;) {
        float t = all[i];
        while (i < na && all[i] == t) i++;
        while (tp < np && pos[tp] >= t) tp++;
        /* Exact ratio comparison; strict, so the higher of two equal cuts stays. */
        if (!have || (tp0 + tp) * (pred0 + best_pred + gold) > (tp0 + best_tp) * (pred0 + i + gold)) {
            best_tp = tp;
            best_pred = i;
            have = 1;
        }
    }
    fit->tp = tp0 + best_tp;
    fit->predicted = pred0 + best_pred;
    if (best_pred == 0) {
        /* Nothing beyond the forced pairs: just above the highest other score. */
        float above = na ? nextafterf(all[0], INFINITY) : 1.0f;
        fit->threshold = na && above < 1.0f ? above : 1.0f;
        return;
    }
    float cut = all[best_pred - 1], below = best_pred < na ? all[best_pred] : cut;
    float mid = (float)(0.5 * ((double)cut + (double)below));
    fit->threshold = mid > below ? mid : cut;
}

/* top [n]: each document's arg-max label when min_labels, else NULL. */
static int32_t *threshold_tops(const float *scores, int64_t n, int C, int min_labels)
{
    if (!min_labels || C <= 0) return NULL;
    int32_t *top = xmalloc((size_t)(n ? n : 1) * sizeof *top);
    for (int64_t i = 0; i < n; i++) top[i] = model_argmax(scores + (size_t)i * C, C);
    return top;
}

static double threshold_f1(int64_t tp, int64_t predicted, int64_t gold)
{
    return predicted + gold ? 2.0 * (double)tp / (double)(predicted + gold) : 0.0;
}

void threshold_global(ThresholdFit *fit, const float *scores, const int64_t *off, const int32_t *lab, int64_t n,
                      int C, int min_labels)
{
    memset(fit, 0, sizeof *fit);
    int64_t na = 0, np = 0, tp0 = 0, pred0 = 0, gold = off[n] - off[0];
    int32_t *top = threshold_tops(scores, n, C, min_labels);
    float *pos = xmalloc((size_t)(gold ? gold : 1) * sizeof *pos);
    for (int64_t i = 0; i < n; i++)
        for (int64_t j = off[i]; j < off[i + 1]; j++) {
            if (lab[j] >= C) continue;
            if (top && lab[j] == top[i]) tp0++;
            else pos[np++] = scores[(size_t)i * C + lab[j]];
        }
    if (np + tp0 == 0) {
        free(pos);
        free(top);
        fit->threshold = 0.5f;
        fit->gold = gold;
        return;
    }
    float *all = xmalloc((size_t)(n * C > 0 ? n * C : 1) * sizeof *all);
    for (int64_t i = 0; i < n; i++)
        for (int c = 0; c < C; c++)
            if (top && c == top[i]) pred0++;
            else all[na++] = scores[(size_t)i * C + c];
    qsort(all, (size_t)na, sizeof *all, threshold_desc);
    qsort(pos, (size_t)np, sizeof *pos, threshold_desc);
    threshold_sweep(fit, all, na, pos, np, tp0, pred0, gold);
    fit->gold = gold;
    fit->f1 = threshold_f1(fit->tp, fit->predicted, gold);
    fit->tuned = 1;
    free(all);
    free(pos);
    free(top);
}

void threshold_per_label(float *thr, ThresholdFit *fits, const float *scores, const int64_t *off, const int32_t *lab,
                         int64_t n, int C, float global, int min_positives, int min_labels)
{
    LabelIndex ix;
    labelindex_build(&ix, off, lab, n, C);
    int32_t *top = threshold_tops(scores, n, C, min_labels);
    float *all = xmalloc((size_t)(n ? n : 1) * sizeof *all), *pos = xmalloc((size_t)(n ? n : 1) * sizeof *pos);
    if (min_positives < 1) min_positives = 1;
    for (int c = 0; c < C; c++) {
        ThresholdFit fit = {.threshold = global};
        int64_t gold = ix.off[c + 1] - ix.off[c], na = 0, np = 0, tp0 = 0, pred0 = 0;
        fit.gold = gold;
        if (gold >= min_positives) {
            for (int64_t i = 0; i < n; i++) {
                if (top && top[i] == c) pred0++;
                else all[na++] = scores[(size_t)i * C + c];
            }
            for (int64_t j = 0; j < gold; j++) {
                int64_t i = ix.doc[ix.off[c] + j];
                if (top && top[i] == c) tp0++;
                else pos[np++] = scores[(size_t)i * C + c];
            }
            qsort(all, (size_t)na, sizeof *all, threshold_desc);
            qsort(pos, (size_t)np, sizeof *pos, threshold_desc);
            threshold_sweep(&fit, all, na, pos, np, tp0, pred0, gold);
            fit.f1 = threshold_f1(fit.tp, fit.predicted, gold);
            fit.tuned = 1;
            /* Predicting c everywhere is the trivial classifier: its F1 2np/(n + np)
             * can be the best cut when every positive scores at the bottom, and then
             * it marks c on every new document. */
            if (fit.predicted == n) fit = (ThresholdFit){.threshold = global, .gold = gold};
        }
        thr[c] = fit.threshold;
        if (fits) fits[c] = fit;
    }
    free(all);
    free(pos);
    free(top);
    labelindex_free(&ix);
}
