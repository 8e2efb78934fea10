/* probmetrics.c - see probmetrics.h. Sums in double, in document order, so the
 * figures do not depend on anything but the inputs. */
#include "probmetrics.h"

#include <math.h>
#include <string.h>

static const double PROB_EPS = 1e-15;

static double probmetrics_nll(double p)
{
    p = p < PROB_EPS ? PROB_EPS : p > 1.0 - PROB_EPS ? 1.0 - PROB_EPS : p;
    return -log(p);
}

static int probmetrics_bin(double p)
{
    int b = (int)(p * PROB_BINS);
    return b < 0 ? 0 : b >= PROB_BINS ? PROB_BINS - 1 : b;
}

double probmetrics_softmax_log_loss(const float *probs, const int64_t *off, const int32_t *lab, int64_t n, int C)
{
    double sum = 0.0;
    int64_t docs = 0;
    for (int64_t i = 0; i < n; i++) {
        double doc = 0.0;
        int known = 0;
        for (int64_t j = off[i]; j < off[i + 1]; j++) {
            if (lab[j] >= C) continue;
            doc += probmetrics_nll(probs[(size_t)i * C + lab[j]]);
            known++;
        }
        if (!known) continue;
        sum += doc / known;
        docs++;
    }
    return docs ? sum / (double)docs : 0.0;
}

double probmetrics_ova_log_loss(const float *probs, const int64_t *off, const int32_t *lab, int64_t n, int C)
{
    /* Every pair as a negative, then each true label's term swapped in. */
    double sum = 0.0;
    for (int64_t i = 0; i < n; i++) {
        const float *p = probs + (size_t)i * C;
        for (int c = 0; c < C; c++) sum += probmetrics_nll(1.0 - p[c]);
        for (int64_t j = off[i]; j < off[i + 1]; j++)
            if (lab[j] < C) sum += probmetrics_nll(p[lab[j]]) - probmetrics_nll(1.0 - p[lab[j]]);
    }
    return n && C ? sum / ((double)n * C) : 0.0;
}

/* Turns the bins' sums (confidence and accuracy hold sums) into means and the ECE. */
static void probmetrics_finish(Reliability *r)
{
    r->ece = 0.0;
    for (int b = 0; b < PROB_BINS; b++) {
        if (!r->count[b]) continue;
        r->confidence[b] /= (double)r->count[b];
        r->accuracy[b] /= (double)r->count[b];
        r->ece += (double)r->count[b] / (double)r->total * fabs(r->accuracy[b] - r->confidence[b]);
    }
}

void probmetrics_softmax_reliability(Reliability *r, const float *probs, const int64_t *off, const int32_t *lab,
                                     int64_t n, int C)
{
    memset(r, 0, sizeof *r);
    for (int64_t i = 0; i < n; i++) {
        if (off[i + 1] == off[i] || C == 0) continue;
        const float *p = probs + (size_t)i * C;
        int top = 0;
        for (int c = 1; c < C; c++)
            if (p[c] > p[top]) top = c;
        int right = 0;
        for (int64_t j = off[i]; j < off[i + 1]; j++) right |= lab[j] == top;
        int b = probmetrics_bin(p[top]);
        r->count[b]++;
        r->confidence[b] += p[top];
        r->accuracy[b] += right;
        r->total++;
    }
    probmetrics_finish(r);
}

void probmetrics_ova_reliability(Reliability *r, const float *probs, const int64_t *off, const int32_t *lab,
                                 int64_t n, int C)
{
    memset(r, 0, sizeof *r);
    for (int64_t i = 0; i < n; i++) {
        const float *p = probs + (size_t)i * C;
        for (int c = 0; c < C; c++) {
            int b = probmetrics_bin(p[c]);
            r->count[b]++;
            r->confidence[b] += p[c];
        }
        for (int64_t j = off[i]; j < off[i + 1]; j++)
            if (lab[j] < C) r->accuracy[probmetrics_bin(p[lab[j]])] += 1.0;
        r->total += C;
    }
    probmetrics_finish(r);
}
