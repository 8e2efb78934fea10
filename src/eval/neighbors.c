/* neighbors.c - see neighbors.h. */
#include "neighbors.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "mem.h"

void neighbors_init(Neighbors *nb, const Classifier *c)
{
    const int d = c->net.dims.dim;
    nb->n = c->enc.vocab.n;
    nb->dim = d;
    nb->unit = xcalloc((size_t)(nb->n ? nb->n : 1) * (size_t)d, sizeof *nb->unit);
    nb->ok = xcalloc((size_t)(nb->n ? nb->n : 1), 1);
    for (int64_t w = 0; w < nb->n; w++) {
        float *u = nb->unit + w * d;
        if (embed_row(&c->net.emb, w, u)) continue;
        double s = 0.0;
        for (int j = 0; j < d; j++) s += (double)u[j] * u[j];
        if (!(s > 0.0)) continue;
        const float inv = (float)(1.0 / sqrt(s));
        for (int j = 0; j < d; j++) u[j] *= inv;
        nb->ok[w] = 1;
    }
}

void neighbors_free(Neighbors *nb)
{
    free(nb->unit);
    free(nb->ok);
    memset(nb, 0, sizeof *nb);
}

void neighbors_query_init(NeighborsQuery *q, const Neighbors *nb, int k)
{
    memset(q, 0, sizeof *q);
    q->k = k;
    q->q = xcalloc((size_t)nb->dim, sizeof *q->q);
    q->ids = xcalloc((size_t)k, sizeof *q->ids);
    q->sims = xcalloc((size_t)k, sizeof *q->sims);
    tokenlist_init(&q->tl);
}

void neighbors_query_free(NeighborsQuery *q)
{
    free(q->q);
    free(q->words);
    free(q->ids);
    free(q->sims);
    tokenlist_free(&q->tl);
    memset(q, 0, sizeof *q);
}

static int neighbors_cmp_id(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

static int neighbors_is_query(const NeighborsQuery *q, int64_t w)
{
    return bsearch(&w, q->words, (size_t)q->n_words, sizeof w, neighbors_cmp_id) != NULL;
}

/* Inserts (w, sim) into the answer kept sorted by similarity, then id. */
static void neighbors_offer(NeighborsQuery *q, int64_t w, float sim)
{
    int i = q->n < q->k ? q->n++ : q->k;
    if (i == q->k && !(sim > q->sims[q->k - 1])) return;
    if (i == q->k) i = q->k - 1;
    for (; i > 0 && sim > q->sims[i - 1]; i--) {
        q->sims[i] = q->sims[i - 1];
        q->ids[i] = q->ids[i - 1];
    }
    q->sims[i] = sim;
    q->ids[i] = w;
}

int64_t neighbors_find(const Neighbors *nb, const Classifier *c, const char *text, size_t len, NeighborsQuery *q)
{
    const int d = nb->dim;
    const TokenList *tl = &q->tl;
    tokenizer_run(&c->enc.tk, text, len, &q->tl);
    q->n_words = 0;
    memset(q->q, 0, (size_t)d * sizeof *q->q);
    for (size_t i = 0; i < tl->n; i++) {
        int64_t w = vocab_find(&c->enc.vocab, tl->buf + tl->start[i], tl->len[i]);
        if (w < 0 || !nb->ok[w]) continue;
        if (q->n_words == q->cap_words) {
            q->cap_words = q->cap_words ? 2 * q->cap_words : 16;
            q->words = xrealloc(q->words, (size_t)q->cap_words * sizeof *q->words);
        }
        q->words[q->n_words++] = w;
        for (int j = 0; j < d; j++) q->q[j] += nb->unit[w * d + j];
    }
    qsort(q->words, (size_t)q->n_words, sizeof *q->words, neighbors_cmp_id);
    q->n = 0;
    double s = 0.0;
    for (int j = 0; j < d; j++) s += (double)q->q[j] * q->q[j];
    if (q->n_words == 0 || s == 0.0) return q->n_words;
    const float inv = (float)(1.0 / sqrt(s));
    for (int64_t w = 0; w < nb->n; w++) {
        if (!nb->ok[w] || neighbors_is_query(q, w)) continue;
        const float *u = nb->unit + w * d;
        float dot = 0.0f;
        for (int j = 0; j < d; j++) dot += u[j] * q->q[j];
        neighbors_offer(q, w, dot * inv);
    }
    return q->n_words;
}
