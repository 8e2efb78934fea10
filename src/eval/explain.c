/* explain.c - see explain.h. */
#include "explain.h"

#include <stdlib.h>
#include <string.h>

#include "mem.h"

/* A position's text is cut at this many bytes (the explanation is for people). */
#define EXPLAIN_TOKEN_MAX 1024

void explain_init(Explanation *e)
{
    memset(e, 0, sizeof *e);
}

void explain_free(Explanation *e)
{
    free(e->top);
    free(e->weight);
    free(e->text);
    free(e->text_at);
    free(e->rolled);
    free(e->work);
    free(e->set);
    memset(e, 0, sizeof *e);
}

/* Indices of the k largest probabilities, best first (ties: lower index first). */
static void explain_top(const float *probs, int C, int k, int *out)
{
    for (int i = 0; i < k; i++) {
        int best = -1;
        for (int c = 0; c < C; c++) {
            int taken = 0;
            for (int j = 0; j < i; j++) taken |= out[j] == c;
            if (!taken && (best < 0 || probs[c] > probs[best])) best = c;
        }
        out[i] = best;
    }
}

static void explain_tokens(Explanation *e, const ClassifierScratch *s)
{
    const int T = s->doc.T, H = e->H;
    if (T > e->cap_t) {
        e->cap_t = 2 * T;
        e->weight = xrealloc(e->weight, (size_t)e->cap_t * sizeof *e->weight);
        e->text_at = xrealloc(e->text_at, (size_t)e->cap_t * sizeof *e->text_at);
    }
    e->T = T;
    e->first = s->enc.first;
    e->order = s->enc.order;
    size_t used = 0;
    for (int t = 0; t < T; t++) {
        double avg = 0.0;
        for (int h = 0; h < H; h++) avg += e->alpha[(size_t)h * T + t];
        e->weight[t] = avg / H;
        if (used + EXPLAIN_TOKEN_MAX > e->cap_text) {
            e->cap_text = 2 * (used + EXPLAIN_TOKEN_MAX);
            e->text = xrealloc(e->text, e->cap_text);
        }
        e->text_at[t] = used;
        encoder_position_text(&s->enc, t, e->text + used, EXPLAIN_TOKEN_MAX);
        used += strlen(e->text + used) + 1;
    }
}

/* The pooling's weights over the encoder's outputs, mapped to the positions. */
static const float *explain_rollout(Explanation *e, const Classifier *c, const ClassifierScratch *s)
{
    const SelfAttnDims *E = &c->net.dims.enc;
    const int T = s->doc.T, H = c->net.dims.heads;
    const size_t nw = selfattn_explain_floats(&s->doc.enc, E), nr = (size_t)H * T;
    if (nr > e->cap_rolled) e->rolled = xrealloc(e->rolled, (e->cap_rolled = 2 * nr) * sizeof *e->rolled);
    if (nw > e->cap_work) e->work = xrealloc(e->work, (e->cap_work = 2 * nw) * sizeof *e->work);
    selfattn_explain(e->rolled, e->work, s->doc.alpha, H, T, &s->doc.enc, E);
    return e->rolled;
}

void explain_build(Explanation *e, const Classifier *c, const ClassifierScratch *s, int k, int tokens)
{
    e->C = c->net.dims.classes;
    e->H = c->net.dims.heads;
    e->k = k < e->C ? k : e->C;
    if (e->k > e->cap_top) {
        e->cap_top = e->k;
        e->top = xrealloc(e->top, (size_t)e->cap_top * sizeof *e->top);
    }
    e->probs = s->doc.probs;
    explain_top(e->probs, e->C, e->k, e->top);
    e->alpha = c->net.dims.enc.layers && s->doc.T > 0 ? explain_rollout(e, c, s) : s->doc.alpha;
    e->member = classifier_bayes(c) ? s->member : NULL;
    e->thresholded = 0;
    e->n_set = 0;
    e->T = 0;
    if (tokens) explain_tokens(e, s);
}

void explain_select(Explanation *e, const Classifier *c, float threshold, int k)
{
    if (e->cap_set < e->C) {
        e->cap_set = e->C;
        e->set = xrealloc(e->set, (size_t)e->cap_set * sizeof *e->set);
    }
    int n = 0;
    for (int l = 0; l < e->C; l++) {
        const float t = threshold >= 0.0f ? threshold : classifier_threshold(c, l, 1);
        if (!(e->probs[l] >= t)) continue;
        /* Insertion in order: few labels pass. */
        int j = n++;
        for (; j > 0 && e->probs[e->set[j - 1]] < e->probs[l]; j--) e->set[j] = e->set[j - 1];
        e->set[j] = l;
    }
    /* The stored thresholds' rule: the top label even below its threshold. */
    if (n == 0 && threshold < 0.0f && c->cal.min_labels && e->C > 0) e->set[n++] = model_argmax(e->probs, e->C);
    e->n_set = k > 0 && n > k ? k : n;
    e->thresholded = 1;
}
