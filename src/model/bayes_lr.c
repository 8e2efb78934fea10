/* bayes_lr.c - see bayes_lr.h. */
#include "bayes_lr.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "mem.h"
#include "rng.h"

/* AdaGrad's step (Duchi et al. 2011): u -= ETA g / sqrt(G0 + sum of g^2).
 * Without G0 the first step of every weight is ETA whatever its gradient's
 * size, and the millions of features a document holds once each wander (IMDB's
 * validation split, the member alone, rate 0.1, last pass: 0.86 without G0, 0.90
 * with G0 1). With G0 1 and the averaging below, ETA 1 validated best of 0.5-2. */
#define BAYES_LR_ETA 1.0
#define BAYES_LR_G0 1.0

/* Each feature's row in the fit's table, one cache line for what a document
 * reads and writes of it: u, AdaGrad's sum, then the centred logp [C]. */
#define ROW_U 0
#define ROW_G 1
#define ROW_L 2

typedef struct LrFit {
    int C, S;       /* classes, floats a row (C + 2) */
    int64_t n;      /* documents that take part */
    int32_t *y;     /* [n] their labels */
    int64_t *pos;   /* [n+1] into at */
    int32_t *at;    /* [pos[n]] each one's features, as rows of t */
    float *t;       /* [b->n, S] */
    int32_t *old;   /* [b->n] the member's feature each row of t holds */
    float *reg;     /* [b->n] l2 * n / documents with the feature: its share of the penalty per document */
    double *bias, *gbias; /* [C] */
    double *s;      /* [C] scratch: scores, then dL/dscores */
    double *w;      /* [C] each class's weight of its documents' loss (train.class_weight) */
} LrFit;

static void lr_free(LrFit *f)
{
    free(f->y);
    free(f->pos);
    free(f->at);
    free(f->t);
    free(f->old);
    free(f->reg);
    free(f->bias);
    free(f->gbias);
    free(f->s);
    free(f->w);
}

/* Rows of t in order of documents holding them, most first (a counting sort,
 * ties in feature order), and at [total] renumbered so: the features most
 * documents hold, which most steps touch, then share cache lines and pages
 * (a member of IMDB's 4.7M 1-3-grams: a tenth off the whole training run). */
static void lr_order(LrFit *f, int64_t n, const int32_t *df, int64_t total)
{
    int32_t top = 0;
    for (int64_t r = 0; r < n; r++) top = df[r] > top ? df[r] : top;
    int64_t *start = xcalloc((size_t)top + 2, sizeof *start);
    for (int64_t r = 0; r < n; r++) start[top - df[r] + 1]++;
    for (int32_t d = 1; d <= top + 1; d++) start[d] += start[d - 1];
    f->old = xmalloc((size_t)(n ? n : 1) * sizeof *f->old);
    int32_t *row = xmalloc((size_t)(n ? n : 1) * sizeof *row);
    for (int64_t r = 0; r < n; r++) {
        const int64_t k = start[top - df[r]]++;
        f->old[k] = (int32_t)r;
        row[r] = (int32_t)k;
    }
    for (int64_t j = 0; j < total; j++) f->at[j] = row[f->at[j]];
    free(row);
    free(start);
}

/* The documents' features as rows, the table and the penalty shares. */
static void lr_init(LrFit *f, const Bayes *b, const Dataset *ds, const float *class_w)
{
    const int C = b->classes;
    memset(f, 0, sizeof *f);
    f->C = C;
    f->S = C + ROW_L;
    f->y = xmalloc((size_t)(ds->n ? ds->n : 1) * sizeof *f->y);
    f->pos = xmalloc((size_t)(ds->n + 1) * sizeof *f->pos);
    int64_t total = 0;
    for (int64_t i = 0; i < ds->n; i++) {
        int32_t y = dataset_label(ds, i);
        if (y >= 0 && y < C) total += ds->foff[i + 1] - ds->foff[i];
    }
    f->at = xmalloc((size_t)(total ? total : 1) * sizeof *f->at);
    int32_t *df = xcalloc((size_t)(b->n ? b->n : 1), sizeof *df);
    f->pos[0] = 0;
    for (int64_t i = 0; i < ds->n; i++) {
        int32_t y = dataset_label(ds, i);
        if (y < 0 || y >= C) continue;
        int64_t p = f->pos[f->n];
        for (int64_t j = ds->foff[i]; j < ds->foff[i + 1]; j++) {
            int64_t r = bayes_find(b, ds->feat[j]);
            if (r < 0) continue;
            f->at[p++] = (int32_t)r;
            df[r]++;
        }
        f->y[f->n] = y;
        f->n++;
        f->pos[f->n] = p;
    }
    lr_order(f, b->n, df, total);
    f->t = xmalloc((size_t)(b->n ? b->n : 1) * (size_t)f->S * sizeof *f->t);
    f->reg = xmalloc((size_t)(b->n ? b->n : 1) * sizeof *f->reg);
    for (int64_t k = 0; k < b->n; k++) {
        const int32_t r = f->old[k];
        float *row = f->t + k * f->S;
        const float *lp = b->logp + (int64_t)r * C;
        double mean = 0.0;
        for (int c = 0; c < C; c++) mean += lp[c];
        mean /= C;
        row[ROW_U] = b->u ? b->u[r] : 1.0f;
        row[ROW_G] = (float)BAYES_LR_G0;
        for (int c = 0; c < C; c++) row[ROW_L + c] = (float)(lp[c] - mean);
        /* A feature no document holds gets a share of -1: none, and not in the penalty. */
        f->reg[k] = df[r] > 0 ? (float)(b->o.l2 * (double)f->n / df[r]) : -1.0f;
    }
    free(df);
    f->bias = xmalloc((size_t)C * sizeof *f->bias);
    f->gbias = xcalloc((size_t)C, sizeof *f->gbias);
    for (int c = 0; c < C; c++) f->gbias[c] = BAYES_LR_G0;
    f->s = xmalloc((size_t)C * sizeof *f->s);
    for (int c = 0; c < C; c++) f->bias[c] = b->prior[c];
    f->w = xmalloc((size_t)C * sizeof *f->w);
    for (int c = 0; c < C; c++) f->w[c] = class_w ? class_w[c] : 1.0;
}

/* Document k's cross-entropy for label y under the weights in f (u: row[ROW_U]),
 * weighed by its class's w_y, and dL/ds [C] into f->s: s = bias + sum_f u_f L_f,
 * L = w_y (log sum_c exp s_c - s_y), dL/ds_c = w_y (softmax(s)_c - [c = y]). */
static double lr_doc(LrFit *f, int64_t k, int y)
{
    const int C = f->C, S = f->S;
    double *s = f->s;
    for (int c = 0; c < C; c++) s[c] = f->bias[c];
    for (int64_t j = f->pos[k]; j < f->pos[k + 1]; j++) {
        const float *row = f->t + (int64_t)f->at[j] * S;
        for (int c = 0; c < C; c++) s[c] += (double)row[ROW_U] * row[ROW_L + c];
    }
    double max = s[0], sum = 0.0;
    for (int c = 1; c < C; c++) max = fmax(max, s[c]);
    for (int c = 0; c < C; c++) sum += exp(s[c] - max);
    const double w = f->w[y];
    const double loss = w * (log(sum) + max - s[y]);
    for (int c = 0; c < C; c++) s[c] = w * (exp(s[c] - max) / sum - (c == y));
    return loss;
}

/* One AdaGrad step on document k: dL/du_f = sum_c dL/ds_c L_fc + reg_f u_f (the
 * penalty (l2/2) sum_f u_f^2, spread over the documents holding f). */
static void lr_step(LrFit *f, int64_t k, int y)
{
    const int C = f->C, S = f->S;
    lr_doc(f, k, y);
    const double *d = f->s;
    for (int c = 0; c < C; c++) {
        f->gbias[c] += d[c] * d[c];
        f->bias[c] -= BAYES_LR_ETA * d[c] / sqrt(f->gbias[c]);
    }
    for (int64_t j = f->pos[k]; j < f->pos[k + 1]; j++) {
        float *row = f->t + (int64_t)f->at[j] * S;
        double g = f->reg[f->at[j]] * row[ROW_U]; /* >= 0: a feature this document holds */
        for (int c = 0; c < C; c++) g += d[c] * row[ROW_L + c];
        row[ROW_G] += (float)(g * g);
        row[ROW_U] -= (float)(BAYES_LR_ETA * g / sqrt(row[ROW_G]));
    }
}

/* The objective at f's weights (l2 the penalty), and its gradient into du [rows]
 * and dbias [C] when not NULL. */
static double lr_objective(LrFit *f, int64_t rows, double l2, double *du, double *dbias)
{
    if (du) memset(du, 0, (size_t)rows * sizeof *du);
    if (dbias) memset(dbias, 0, (size_t)f->C * sizeof *dbias);
    double loss = 0.0;
    for (int64_t k = 0; k < f->n; k++) {
        loss += lr_doc(f, k, f->y[k]) / (double)f->n;
        for (int c = 0; dbias && c < f->C; c++) dbias[c] += f->s[c] / (double)f->n;
        for (int64_t j = f->pos[k]; du && j < f->pos[k + 1]; j++) {
            const float *row = f->t + (int64_t)f->at[j] * f->S;
            for (int c = 0; c < f->C; c++) du[f->old[f->at[j]]] += f->s[c] * row[ROW_L + c] / (double)f->n;
        }
    }
    for (int64_t r = 0; r < rows; r++) {
        if (!(f->reg[r] > 0)) continue; /* a feature no document holds is not in the sum */
        const double u = f->t[r * f->S + ROW_U];
        loss += 0.5 * l2 * u * u;
        if (du) du[f->old[r]] += l2 * u;
    }
    return loss;
}

double bayes_lr_loss(const Bayes *b, const Dataset *ds, const float *class_w, double *du, double *dbias)
{
    LrFit f;
    lr_init(&f, b, ds, class_w);
    const double loss = lr_objective(&f, b->n, b->o.l2, du, dbias);
    lr_free(&f);
    return loss;
}

int bayes_lr_fit(Bayes *b, const Dataset *ds, uint64_t seed, const float *class_w, Status *st)
{
    if (b->compact || !b->logp)
        return status_error(st, "bayes: a logistic fit needs the member's counts (a model not yet quantized)");
    LrFit f;
    lr_init(&f, b, ds, class_w);
    b->lr_loss[0] = lr_objective(&f, b->n, b->o.l2, NULL, NULL);
    int64_t *order = xmalloc((size_t)(f.n ? f.n : 1) * sizeof *order);
    Rng rng;
    rng_seed(&rng, seed ^ 0x6261796573u); /* "bayes": a stream apart from the network's */
    float *avg = xcalloc((size_t)(b->n ? b->n : 1), sizeof *avg);
    double *avgb = xcalloc((size_t)b->classes, sizeof *avgb);
    /* The weights kept are the mean of those after each pass but the first
     * (Polyak-Ruppert averaging, by pass): SGD's last iterate wanders about
     * the optimum (IMDB's validation split: 0.926 for 0.918 with the last). */
    const int from = b->o.passes > 1 ? 1 : 0;
    const float nav = (float)(b->o.passes - from);
    for (int e = 0; e < b->o.passes; e++) {
        for (int64_t k = 0; k < f.n; k++) order[k] = k;
        rng_shuffle(&rng, order, f.n);
        for (int64_t k = 0; k < f.n; k++) lr_step(&f, order[k], f.y[order[k]]);
        if (e < from) continue;
        for (int64_t r = 0; r < b->n; r++) avg[r] += f.t[r * f.S + ROW_U] / nav;
        for (int c = 0; c < b->classes; c++) avgb[c] += f.bias[c] / nav;
    }
    for (int64_t r = 0; r < b->n; r++) f.t[r * f.S + ROW_U] = avg[r];
    for (int c = 0; c < b->classes; c++) f.bias[c] = avgb[c];
    b->lr_loss[1] = lr_objective(&f, b->n, b->o.l2, NULL, NULL);
    free(b->u);
    b->u = xmalloc((size_t)(b->n ? b->n : 1) * sizeof *b->u);
    for (int64_t k = 0; k < b->n; k++) b->u[f.old[k]] = avg[k];
    free(avg);
    for (int c = 0; c < b->classes; c++) b->prior[c] = (float)avgb[c];
    free(avgb);
    free(order);
    lr_free(&f);
    return 0;
}
