/* calib.c - see calib.h. Sums in double, in document order. */
#include "calib.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "labelindex.h"
#include "loss.h"
#include "mem.h"

/* Document i's target mean of x: (1 - s) times the mean over its known labels
 * plus s times the mean over the others (the t of calib_temp_eval and
 * calib_scales_eval); known gets how
 * many known labels it has. */
static double calib_target(const float *x, const int64_t *off, const int32_t *lab, int64_t i, int C, double s,
                           int *known)
{
    double xbar = 0.0, distinct_sum = 0.0, total = 0.0;
    int distinct = 0;
    *known = 0;
    for (int64_t j = off[i]; j < off[i + 1]; j++) {
        if (lab[j] >= C) continue;
        xbar += x[lab[j]];
        ++*known;
        int again = 0;
        for (int64_t q = off[i]; q < j; q++) again |= lab[q] == lab[j];
        if (!again) {
            distinct_sum += x[lab[j]];
            distinct++;
        }
    }
    if (!*known) return 0.0;
    for (int c = 0; c < C; c++) total += x[c];
    double t = xbar / *known;
    if (s > 0.0 && distinct < C) t = (1.0 - s) * t + s * (total - distinct_sum) / (C - distinct);
    return t;
}

/* The cross-entropy of softmax(beta l) against targets that put 1 - s on the
 * document's known labels (shared equally) and s on the others (likewise), and
 * its first two derivatives in beta, as means over the documents with a known
 * label: with t = (1 - s) lbar + s obar (the means of the known and the other
 * labels' logits),
 *   f = lse(beta l) - beta t,  f' = E_p[l] - t,  f'' = Var_p[l].
 * s = 0 is loss.h's label-set NLL. */
static void calib_temp_eval(double *f, double *g, double *h, const float *logits, const int64_t *off,
                            const int32_t *lab, int64_t n, int C, double beta, double s)
{
    double F = 0.0, G = 0.0, H = 0.0;
    int64_t docs = 0;
    for (int64_t i = 0; i < n; i++) {
        const float *z = logits + (size_t)i * C;
        int known;
        const double t = calib_target(z, off, lab, i, C, s, &known);
        if (!known) continue;
        double mx = -INFINITY, s0 = 0.0, s1 = 0.0, s2 = 0.0;
        for (int c = 0; c < C; c++) mx = z[c] > mx ? z[c] : mx;
        for (int c = 0; c < C; c++) {
            double e = exp(beta * (z[c] - mx));
            s0 += e;
            s1 += e * z[c];
            s2 += e * z[c] * z[c];
        }
        double mean = s1 / s0, var = s2 / s0 - mean * mean;
        F += beta * mx + log(s0) - beta * t;
        G += mean - t;
        H += var > 0.0 ? var : 0.0;
        docs++;
    }
    *f = docs ? F / docs : 0.0;
    *g = docs ? G / docs : 0.0;
    *h = docs ? H / docs : 0.0;
}

void calib_temperature_fit(TemperatureFit *fit, const float *logits, const int64_t *off, const int32_t *lab,
                           int64_t n, int C)
{
    memset(fit, 0, sizeof *fit);
    fit->T = 1.0;
    for (int64_t i = 0; i < n; i++)
        for (int64_t j = off[i]; j < off[i + 1]; j++)
            if (lab[j] < C) {
                fit->docs++;
                break;
            }
    if (!fit->docs) return;
    /* Platt's smoothed targets (calib.h): without them a validation split the
     * network ranks perfectly has its minimum at T -> 0, every probability 0 or 1. */
    const double s = 1.0 / ((double)fit->docs + 2.0);
    double f, g, h, glo, ghi, unused;
    calib_temp_eval(&fit->nll_before, &g, &h, logits, off, lab, n, C, 1.0, 0.0);
    calib_temp_eval(&f, &g, &h, logits, off, lab, n, C, 1.0, s);
    double lo = 1.0 / CALIB_T_MAX, hi = 1.0 / CALIB_T_MIN, beta = 1.0;
    calib_temp_eval(&unused, &glo, &unused, logits, off, lab, n, C, lo, s);
    calib_temp_eval(&unused, &ghi, &unused, logits, off, lab, n, C, hi, s);
    if (glo >= 0.0 && ghi <= 0.0) {
        beta = 1.0; /* flat: g is monotone, so it is 0 everywhere (e.g. equal logits) */
    } else if (glo >= 0.0) {
        beta = lo;
    } else if (ghi <= 0.0) {
        beta = hi;
    } else {
        for (fit->iterations = 1; fit->iterations <= 100; fit->iterations++) {
            if (g < 0.0) lo = beta;
            else if (g > 0.0) hi = beta;
            else break;
            double next = h > 0.0 ? beta - g / h : 0.0;
            /* A step lost in rounding is convergence (g is noise there), not a
             * reason to bisect away from the minimum. */
            if (next == beta) break;
            if (!(next > lo && next < hi)) next = sqrt(lo * hi);
            double moved = fabs(next - beta);
            beta = next;
            if (moved <= 1e-12 * beta || hi - lo <= 1e-12 * hi) break;
            calib_temp_eval(&f, &g, &h, logits, off, lab, n, C, beta, s);
        }
    }
    fit->T = 1.0 / beta;
    calib_temp_eval(&fit->nll_after, &g, &h, logits, off, lab, n, C, beta, 0.0);
}

/* calib_temp_eval for scores b[0] (l - m) + b[1] m: f, its gradient g [2] and
 * Hessian h [3] (h11, h22, h12: the covariance under p of l - m and m). */
static void calib_scales_eval(double *f, double *g, double *h, const float *logits, const float *member,
                              const int64_t *off, const int32_t *lab, int64_t n, int C, const double *b, double s,
                              float *scratch /* [2C] */)
{
    double F = 0.0, G[2] = {0.0, 0.0}, H[3] = {0.0, 0.0, 0.0};
    int64_t docs = 0;
    float *a = scratch, *m = scratch + C;
    for (int64_t i = 0; i < n; i++) {
        for (int c = 0; c < C; c++) {
            m[c] = member[(size_t)i * C + c];
            a[c] = logits[(size_t)i * C + c] - m[c];
        }
        int known;
        const double ta = calib_target(a, off, lab, i, C, s, &known);
        if (!known) continue;
        const double tm = calib_target(m, off, lab, i, C, s, &known);
        double mx = -INFINITY, s0 = 0.0, ea = 0.0, em = 0.0, eaa = 0.0, emm = 0.0, eam = 0.0;
        for (int c = 0; c < C; c++) mx = fmax(mx, b[0] * a[c] + b[1] * m[c]);
        for (int c = 0; c < C; c++) {
            const double e = exp(b[0] * a[c] + b[1] * m[c] - mx);
            s0 += e;
            ea += e * a[c];
            em += e * m[c];
            eaa += e * a[c] * a[c];
            emm += e * m[c] * m[c];
            eam += e * a[c] * m[c];
        }
        ea /= s0, em /= s0, eaa /= s0, emm /= s0, eam /= s0;
        F += mx + log(s0) - b[0] * ta - b[1] * tm;
        G[0] += ea - ta;
        G[1] += em - tm;
        H[0] += fmax(eaa - ea * ea, 0.0);
        H[1] += fmax(emm - em * em, 0.0);
        H[2] += eam - ea * em;
        docs++;
    }
    const double d = docs ? (double)docs : 1.0;
    *f = F / d;
    for (int k = 0; k < 2; k++) g[k] = G[k] / d;
    for (int k = 0; k < 3; k++) h[k] = H[k] / d;
}

void calib_scales_fit(ScalesFit *fit, const float *logits, const float *member, const int64_t *off,
                      const int32_t *lab, int64_t n, int C)
{
    memset(fit, 0, sizeof *fit);
    TemperatureFit one;
    calib_temperature_fit(&one, logits, off, lab, n, C);
    fit->T = fit->Tm = one.T;
    fit->docs = one.docs;
    if (!fit->docs) return;
    float *scratch = xmalloc((size_t)C * 2 * sizeof *scratch);
    const double s = 1.0 / ((double)fit->docs + 2.0), lo = 1.0 / CALIB_T_MAX, hi = 1.0 / CALIB_T_MIN;
    double b[2] = {1.0, 1.0}, f, g[2], h[3];
    calib_scales_eval(&fit->nll_before, g, h, logits, member, off, lab, n, C, b, 0.0, scratch);
    b[0] = b[1] = 1.0 / one.T;
    calib_scales_eval(&f, g, h, logits, member, off, lab, n, C, b, s, scratch);
    for (fit->iterations = 1; fit->iterations <= 100; fit->iterations++) {
        /* Newton's step, or the gradient's where the Hessian is singular (a part
         * that is 0 in every document: its scale does not matter). */
        const double det = h[0] * h[1] - h[2] * h[2];
        double d[2] = {-g[0], -g[1]};
        if (det > 1e-12 * (h[0] * h[1] + 1e-300)) {
            d[0] = (-g[0] * h[1] + g[1] * h[2]) / det;
            d[1] = (-g[1] * h[0] + g[0] * h[2]) / det;
        }
        int moved = 0;
        for (double step = 1.0; step > 1e-10 && !moved; step *= 0.5) {
            double next[2], fn, gn[2], hn[3];
            for (int k = 0; k < 2; k++) next[k] = fmin(fmax(b[k] + step * d[k], lo), hi);
            if (next[0] == b[0] && next[1] == b[1]) break;
            calib_scales_eval(&fn, gn, hn, logits, member, off, lab, n, C, next, s, scratch);
            if (!(fn < f)) continue;
            const double change = fabs(next[0] - b[0]) + fabs(next[1] - b[1]);
            memcpy(b, next, sizeof b), memcpy(g, gn, sizeof g), memcpy(h, hn, sizeof h);
            f = fn;
            moved = change > 1e-12 * (b[0] + b[1]) ? 1 : -1;
        }
        if (moved <= 0) break;
    }
    fit->T = 1.0 / b[0];
    fit->Tm = 1.0 / b[1];
    calib_scales_eval(&fit->nll_after, g, h, logits, member, off, lab, n, C, b, 0.0, scratch);
    free(scratch);
}

void calib_temperature_apply(float *probs, const float *logits, int C, float T)
{
    float mx = -INFINITY, sum = 0.0f;
    for (int c = 0; c < C; c++) mx = logits[c] > mx ? logits[c] : mx;
    for (int c = 0; c < C; c++) {
        probs[c] = expf((logits[c] - mx) / T);
        sum += probs[c];
    }
    for (int c = 0; c < C; c++) probs[c] /= sum;
}

typedef struct PlattSums {
    double F, ga, gb, haa, hab, hbb;
} PlattSums;

/* Objective, gradient and Hessian at (a, b) for one label whose logits are z
 * [n] and whose positives are pos[0..np) in ascending document order. */
static void calib_platt_eval(PlattSums *s, const float *zs, int64_t n, const int64_t *pos, int64_t np, double tpos,
                             double tneg, double lambda, double a, double b)
{
    memset(s, 0, sizeof *s);
    int64_t j = 0;
    for (int64_t i = 0; i < n; i++) {
        double z = zs[i], t = tneg;
        if (j < np && pos[j] == i) {
            t = tpos;
            j++;
        }
        double u = a * z + b, e = exp(-fabs(u));
        double p = u >= 0.0 ? 1.0 / (1.0 + e) : e / (1.0 + e), w = p * (1.0 - p);
        s->F += (u > 0.0 ? u : 0.0) + log1p(e) - t * u;
        s->ga += (p - t) * z;
        s->gb += p - t;
        s->haa += w * z * z;
        s->hab += w * z;
        s->hbb += w;
    }
    s->F += 0.5 * lambda * ((a - 1.0) * (a - 1.0) + b * b);
    s->ga += lambda * (a - 1.0);
    s->gb += lambda * b;
    s->haa += lambda + 1e-12; /* 1e-12: Lin et al.'s guard for lambda = 0 and saturated p */
    s->hbb += lambda + 1e-12;
}

static void calib_platt_one(float *a_out, float *b_out, const float *z, int64_t n, const int64_t *pos, int64_t np,
                            double lambda)
{
    double tpos = (np + 1.0) / (np + 2.0), tneg = 1.0 / ((double)(n - np) + 2.0);
    double a = 1.0, b = 0.0, tol = 1e-10 * ((double)n + 1.0);
    PlattSums s, t;
    calib_platt_eval(&s, z, n, pos, np, tpos, tneg, lambda, a, b);
    for (int it = 0; it < 100; it++) {
        if (fabs(s.ga) < tol && fabs(s.gb) < tol) break;
        double det = s.haa * s.hbb - s.hab * s.hab;
        double da = -(s.hbb * s.ga - s.hab * s.gb) / det, db = -(s.haa * s.gb - s.hab * s.ga) / det;
        double slope = s.ga * da + s.gb * db, step = 1.0;
        int accepted = 0;
        for (; step >= 1e-10; step *= 0.5) {
            calib_platt_eval(&t, z, n, pos, np, tpos, tneg, lambda, a + step * da, b + step * db);
            if (t.F <= s.F + 1e-4 * step * slope) {
                accepted = 1;
                break;
            }
        }
        if (!accepted) break;
        a += step * da;
        b += step * db;
        s = t;
    }
    *a_out = (float)a;
    *b_out = (float)b;
}

void calib_platt_fit(float *a, float *b, const float *logits, const int64_t *off, const int32_t *lab, int64_t n, int C,
                     double lambda)
{
    calib_platt_fit_threads(a, b, logits, off, lab, n, C, lambda, 1);
}

void calib_platt_fit_threads(float *a, float *b, const float *logits, const int64_t *off, const int32_t *lab,
                             int64_t n, int C, double lambda, int threads)
{
    (void)threads; /* unused without OpenMP */
    LabelIndex ix;
    labelindex_build(&ix, off, lab, n, C);
    /* Labels are fitted one by one, each from its own logits copied together (a
     * column of [n,C] is a cache miss per document, read a few dozen times). */
#pragma omp parallel num_threads(threads > 0 ? threads : 1)
    {
        float *z = xmalloc((size_t)(n > 0 ? n : 1) * sizeof *z);
#pragma omp for schedule(dynamic, 8)
        for (int c = 0; c < C; c++) {
            for (int64_t i = 0; i < n; i++) z[i] = logits[(size_t)i * C + c];
            calib_platt_one(a + c, b + c, z, n, ix.doc + ix.off[c], ix.off[c + 1] - ix.off[c], lambda);
        }
        free(z);
    }
    labelindex_free(&ix);
}

void calib_platt_apply(float *probs, const float *logits, const float *a, const float *b, int C)
{
    for (int c = 0; c < C; c++) probs[c] = loss_sigmoid(a[c] * logits[c] + b[c]);
}
