/* review.c - see review.h. */
#include "review.h"

#include <stdlib.h>
#include <string.h>

#include "keywords.h"
#include "mem.h"
#include "threads.h"

/* A shown document's top labels: enough to see what it was torn between. */
#define REVIEW_TOP 5

typedef struct ReviewWorker {
    ClassifierScratch s;
    KeywordSums k;
    int64_t positions;
} ReviewWorker;

static void review_worker_init(void *item, const void *arg)
{
    ReviewWorker *w = item;
    const Classifier *c = arg;
    classifier_scratch_init(&w->s, c);
    keywords_init(&w->k, &c->net);
    w->positions = 0;
}

static void review_worker_free(void *item)
{
    ReviewWorker *w = item;
    classifier_scratch_free(&w->s);
    keywords_free(&w->k);
}

/* Scores document i on the calling thread's worker; returns its loss. */
static float review_score(const Classifier *c, const TextSet *ts, int64_t i, ReviewWorker *w, Review *r)
{
    size_t len;
    const char *text = textset_text(ts, i, &len);
    ClassifierScratch *s = &w->s;
    encoder_encode(&c->enc, text, len, &s->enc);
    const int32_t y = ts->label[i];
    const int T = (int)s->enc.n;
    keywords_prefetch(&w->k, s->enc.ids, T);
    float loss = classifier_score(c, s->enc.ids, T, s->enc.feat, s->enc.n_feat, &y, y < r->C, s);
    r->truth[i] = y;
    r->pred[i] = model_argmax(s->doc.probs, r->C);
    r->conf[i] = s->doc.probs[r->pred[i]];
    r->correct[i] = r->pred[i] == y;
    keywords_add(&w->k, &c->net, i, s->enc.ids, T, s->doc.alpha, s->doc.v);
    w->positions += s->doc.T;
    return loss;
}

typedef struct Ranked {
    float conf;
    int64_t i;
} Ranked;

/* Most confident first; ties by document order. */
static int review_by_conf(const void *a, const void *b)
{
    const Ranked *x = a, *y = b;
    if (x->conf != y->conf) return x->conf > y->conf ? -1 : 1;
    return (x->i > y->i) - (x->i < y->i);
}

/* The rows with correct[i] == want, most confident first; returns how many. */
static int64_t review_ranked(const Review *r, int want, Ranked *idx)
{
    int64_t m = 0;
    for (int64_t i = 0; i < r->n; i++)
        if (r->correct[i] == want) idx[m++] = (Ranked){r->conf[i], i};
    qsort(idx, (size_t)m, sizeof *idx, review_by_conf);
    return m;
}

/* Scores row i once more, alone, and keeps its explanation. */
static void review_explain(ReviewDoc *d, const Classifier *c, const TextSet *ts, int64_t i, const Review *r,
                           ClassifierScratch *s)
{
    size_t len;
    const char *text = textset_text(ts, i, &len);
    classifier_score_text(c, text, len, s);
    memset(d, 0, sizeof *d);
    d->index = i;
    d->truth = r->truth[i];
    d->pred = r->pred[i];
    explain_init(&d->e);
    explain_build(&d->e, c, s, REVIEW_TOP, 1);
    const int T = d->e.T, H = d->e.H, C = d->e.C;
    d->probs = xmalloc((size_t)C * sizeof *d->probs);
    d->alpha = xmalloc(((size_t)H * T + 1) * sizeof *d->alpha);
    d->first = xmalloc(((size_t)T + 1) * sizeof *d->first);
    d->order = xmalloc((size_t)T + 1);
    memcpy(d->probs, s->doc.probs, (size_t)C * sizeof *d->probs);
    memcpy(d->alpha, s->doc.alpha, (size_t)H * T * sizeof *d->alpha);
    memcpy(d->first, s->enc.first, (size_t)T * sizeof *d->first);
    memcpy(d->order, s->enc.order, (size_t)T);
    d->e.probs = d->probs;
    d->e.alpha = d->alpha;
    d->e.first = d->first;
    d->e.order = d->order;
    d->e.member = NULL; /* the member's logits are not kept */
}

static void review_examples(Review *r, const Classifier *c, const TextSet *ts, int n, ClassifierScratch *s)
{
    Ranked *idx = xmalloc((size_t)(r->n + 1) * sizeof *idx);
    int64_t m = review_ranked(r, 0, idx);
    r->n_errors = (int)(m < n ? m : n);
    r->errors = xcalloc((size_t)r->n_errors + 1, sizeof *r->errors);
    for (int j = 0; j < r->n_errors; j++) review_explain(&r->errors[j], c, ts, idx[j].i, r, s);
    m = review_ranked(r, 1, idx);
    r->n_right = (int)(m < n ? m : n);
    r->right = xcalloc((size_t)r->n_right + 1, sizeof *r->right);
    for (int j = 0; j < r->n_right; j++) {
        int64_t rank = r->n_right > 1 ? (int64_t)((double)j * (double)(m - 1) / (r->n_right - 1) + 0.5) : 0;
        review_explain(&r->right[j], c, ts, idx[rank].i, r, s);
    }
    free(idx);
}

/* The text of keyword row k: the vocabulary's word, or the n-gram at its first occurrence. */
static char *review_key_text(const Classifier *c, const TextSet *ts, const Keyword *k, ClassifierScratch *s)
{
    const Encoder *enc = &c->enc;
    if (k->row < enc->vocab.n) return xstrdup(enc->vocab.words[k->row]);
    if (k->row == encoder_unk_row(enc)) return xstrdup("(words not in the vocabulary)");
    size_t len;
    const char *text = textset_text(ts, k->doc, &len);
    encoder_encode(enc, text, len, &s->enc);
    char buf[1024];
    encoder_position_text(&s->enc, k->pos, buf, sizeof buf);
    return xstrdup(buf);
}

/* One of the two keyword lists: keys [C, n] and found [C] are allocated here. */
static void review_key_list(Review *r, const Classifier *c, const TextSet *ts, const KeywordSums *k, int n,
                            int per_occurrence, ReviewKey **keys, int **found, ClassifierScratch *s)
{
    *found = xcalloc((size_t)r->C, sizeof **found);
    *keys = xcalloc((size_t)r->C * n + 1, sizeof **keys);
    Keyword *top = xmalloc(((size_t)r->C * n + 1) * sizeof *top);
    keywords_top(k, &c->net, n, per_occurrence, r->min_count, top, *found);
    for (int cl = 0; cl < r->C; cl++)
        for (int j = 0; j < (*found)[cl]; j++) {
            const Keyword *x = &top[(size_t)cl * n + j];
            ReviewKey *y = &(*keys)[(size_t)cl * n + j];
            y->text = review_key_text(c, ts, x, s);
            y->score = x->score;
            y->count = x->count;
        }
    free(top);
}

static void review_keywords(Review *r, const Classifier *c, const TextSet *ts, const KeywordSums *k, int n,
                            ClassifierScratch *s)
{
    r->max_keys = n;
    r->min_count = r->n / 100 > 5 ? r->n / 100 : 5;
    review_key_list(r, c, ts, k, n, 0, &r->keys, &r->n_keys, s);
    review_key_list(r, c, ts, k, n, 1, &r->keys_each, &r->n_keys_each, s);
}

int review_run(Review *r, const Classifier *c, const TextSet *ts, int unknown, const ReviewOptions *o, Status *st)
{
    memset(r, 0, sizeof *r);
    if (o->threads < 1 || o->examples < 0 || o->keywords < 0)
        return status_error(st, "review_run: %d threads, %d examples, %d keywords", o->threads, o->examples,
                            o->keywords);
    r->C = c->net.dims.classes;
    r->K = r->C + unknown;
    r->n = ts->n;
    const size_t n1 = (size_t)ts->n + 1;
    r->truth = xmalloc(n1 * sizeof *r->truth);
    r->pred = xmalloc(n1 * sizeof *r->pred);
    r->conf = xmalloc(n1 * sizeof *r->conf);
    r->correct = xmalloc(n1);
    float *loss = xmalloc(n1 * sizeof *loss);
    ThreadsPool pool;
    threads_pool_init(&pool, o->threads, sizeof(ReviewWorker), review_worker_init, c, review_worker_free);
#pragma omp parallel for schedule(dynamic, 16) num_threads(o->threads)
    for (int64_t i = 0; i < ts->n; i++) loss[i] = review_score(c, ts, i, threads_pool_mine(&pool), r);
    /* Summed in document order, so the total does not depend on the threads. */
    double sum = 0.0;
    int64_t known = 0;
    for (int64_t i = 0; i < ts->n; i++)
        if (r->truth[i] < r->C) sum += loss[i], known++;
    r->loss = known ? sum / (double)known : 0.0;
    free(loss);
    ReviewWorker *w0 = threads_pool_item(&pool, 0);
    for (int i = 0; i < pool.n; i++) {
        ReviewWorker *w = threads_pool_item(&pool, i);
        if (i > 0) keywords_merge(&w0->k, &w->k);
        r->positions += w->positions;
    }
    metrics_compute(&r->metrics, r->truth, r->pred, r->n, r->K, r->C);
    review_examples(r, c, ts, o->examples, &w0->s);
    review_keywords(r, c, ts, &w0->k, o->keywords, &w0->s);
    threads_pool_free(&pool);
    return 0;
}

static void review_doc_free(ReviewDoc *d)
{
    explain_free(&d->e);
    free(d->probs);
    free(d->alpha);
    free(d->first);
    free(d->order);
}

void review_free(Review *r)
{
    for (int j = 0; j < r->n_errors; j++) review_doc_free(&r->errors[j]);
    for (int j = 0; j < r->n_right; j++) review_doc_free(&r->right[j]);
    free(r->errors);
    free(r->right);
    for (int64_t j = 0; r->keys && j < (int64_t)r->C * r->max_keys; j++) {
        free(r->keys[j].text);
        free(r->keys_each[j].text);
    }
    free(r->keys);
    free(r->keys_each);
    free(r->n_keys);
    free(r->n_keys_each);
    free(r->truth);
    free(r->pred);
    free(r->conf);
    free(r->correct);
    metrics_free(&r->metrics);
    memset(r, 0, sizeof *r);
}
