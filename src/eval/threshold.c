/* threshold.c - see threshold.h. */
#include "threshold.h"

#include <stdlib.h>
#include <string.h>

#include "labelindex.h"
#include "mem.h"

static int threshold_desc(const void *a, const void *b)
{
    float x = *(const float *)a, y = *(const float *)b;
    return (x < y) - (x > y);
}

/* The cut over all[0..na) (every scored pair) and pos[0..np) (the positive
 * pairs' scores, a subset of all), both sorted descending and na > 0, that
 * maximises F1 = 2 tp / (predicted + gold). Fills tp, predicted and threshold. */
static void threshold_sweep(ThresholdFit *fit, const float *all, int64_t na, const float *pos, int64_t np,
                            int64_t gold)
{
    int64_t best_tp = 0, best_pred = 0, tp = 0;
    for (int64_t i = 0; i < na;) {
        float t = all[i];
        while (i < na && all[i] == t) i++;
        while (tp < np && pos[tp] >= t) tp++;
        /* Exact ratio comparison; strict, so the higher of two equal cuts stays. */
        if (best_pred == 0 || tp * (best_pred + gold) > best_tp * (i + gold)) {
            best_tp = tp;
            best_pred = i;
        }
    }
    fit->tp = best_tp;
    fit->predicted = best_pred;
    float cut = all[best_pred - 1], below = best_pred < na ? all[best_pred] : cut;
    float mid = (float)(0.5 * ((double)cut + (double)below));
    fit->threshold = mid > below ? mid : cut;
}

static double threshold_f1(int64_t tp, int64_t predicted, int64_t gold)
{
    return predicted + gold ? 2.0 * (double)tp / (double)(predicted + gold) : 0.0;
}

void threshold_global(ThresholdFit *fit, const float *scores, const int64_t *off, const int32_t *lab, int64_t n,
                      int C)
{
    memset(fit, 0, sizeof *fit);
    int64_t na = n * C, np = 0, gold = off[n] - off[0];
    float *pos = xmalloc((size_t)(gold ? gold : 1) * sizeof *pos);
    for (int64_t i = 0; i < n; i++)
        for (int64_t j = off[i]; j < off[i + 1]; j++)
            if (lab[j] < C) pos[np++] = scores[(size_t)i * C + lab[j]];
    if (np == 0) {
        free(pos);
        fit->threshold = 0.5f;
        fit->gold = gold;
        return;
    }
    float *all = xmalloc((size_t)na * sizeof *all);
    memcpy(all, scores, (size_t)na * sizeof *all);
    qsort(all, (size_t)na, sizeof *all, threshold_desc);
    qsort(pos, (size_t)np, sizeof *pos, threshold_desc);
    threshold_sweep(fit, all, na, pos, np, gold);
    fit->gold = gold;
    fit->f1 = threshold_f1(fit->tp, fit->predicted, gold);
    fit->tuned = 1;
    free(all);
    free(pos);
}

void threshold_per_label(float *thr, ThresholdFit *fits, const float *scores, const int64_t *off, const int32_t *lab,
                         int64_t n, int C, float global, int min_positives)
{
    LabelIndex ix;
    labelindex_build(&ix, off, lab, n, C);
    float *all = xmalloc((size_t)(n ? n : 1) * sizeof *all), *pos = xmalloc((size_t)(n ? n : 1) * sizeof *pos);
    if (min_positives < 1) min_positives = 1;
    for (int c = 0; c < C; c++) {
        ThresholdFit fit = {.threshold = global};
        int64_t np = ix.off[c + 1] - ix.off[c];
        fit.gold = np;
        if (np >= min_positives) {
            for (int64_t i = 0; i < n; i++) all[i] = scores[(size_t)i * C + c];
            for (int64_t j = 0; j < np; j++) pos[j] = all[ix.doc[ix.off[c] + j]];
            qsort(all, (size_t)n, sizeof *all, threshold_desc);
            qsort(pos, (size_t)np, sizeof *pos, threshold_desc);
            threshold_sweep(&fit, all, n, pos, np, np);
            fit.f1 = threshold_f1(fit.tp, fit.predicted, np);
            fit.tuned = 1;
            /* Predicting c everywhere is the trivial classifier: its F1 2np/(n + np)
             * can be the best cut when every positive scores at the bottom, and then
             * it marks c on every new document. */
            if (fit.predicted == n) fit = (ThresholdFit){.threshold = global, .gold = np};
        }
        thr[c] = fit.threshold;
        if (fits) fits[c] = fit;
    }
    free(all);
    free(pos);
    labelindex_free(&ix);
}
