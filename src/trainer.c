/* trainer.c - see trainer.h. */
#include "trainer.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "mem.h"
#include "rng.h"

#ifdef _OPENMP
#include <omp.h>
#define THREAD_ID() omp_get_thread_num()
#else
#define THREAD_ID() 0
#endif

/* Batches of fewer tokens (short sentences) run on one thread: waking the others
 * costs more than their share of the work. Results do not depend on it. */
#define TRAINER_PARALLEL_MIN 4096

void trainer_init(Trainer *t, Model *m, float dropout, float token_dropout, int batch_size, int64_t max_len,
                  int64_t tok_cap, int threads)
{
    memset(t, 0, sizeof *t);
    t->dropout = dropout;
    t->token_dropout = token_dropout;
    const ModelDims *D = &m->dims;
    t->model = m;
    t->threads = threads;
    t->batch_cap = batch_size;
    t->tok_cap = tok_cap > 0 ? tok_cap : 1;
    adam_init(&t->adam, m->n_params);
    t->scratch = xcalloc((size_t)threads, sizeof *t->scratch);
    for (int i = 0; i < threads; i++) docscratch_init(&t->scratch[i], D, (int)(max_len > 0 ? max_len : 1));
    size_t d = (size_t)D->dim;
    t->doc_grad = xaligned_calloc((size_t)batch_size * (size_t)m->n_dense * sizeof(float));
    t->dense_grad = xaligned_calloc((size_t)m->n_dense * sizeof(float));
    t->tok_grad = xaligned_calloc((size_t)t->tok_cap * d * sizeof(float));
    t->row_grad = xaligned_calloc((size_t)t->tok_cap * d * sizeof(float));
    t->tok_off = xcalloc((size_t)batch_size + 1, sizeof *t->tok_off);
    t->tok_row = xcalloc((size_t)t->tok_cap, sizeof *t->tok_row);
    t->doc_kept = xcalloc((size_t)batch_size, sizeof *t->doc_kept);
    t->doc_loss = xcalloc((size_t)batch_size, sizeof *t->doc_loss);
    t->doc_pred = xcalloc((size_t)batch_size, sizeof *t->doc_pred);
    t->slot_of_row = xmalloc((size_t)D->rows * sizeof *t->slot_of_row);
    memset(t->slot_of_row, 0xff, (size_t)D->rows * sizeof *t->slot_of_row);
    t->slot_row = xcalloc((size_t)t->tok_cap, sizeof *t->slot_row);
    t->tok_slot = xcalloc((size_t)t->tok_cap, sizeof *t->tok_slot);
    t->slot_sq = xcalloc((size_t)t->tok_cap, sizeof *t->slot_sq);
}

void trainer_free(Trainer *t)
{
    adam_free(&t->adam);
    for (int i = 0; i < t->threads; i++) docscratch_free(&t->scratch[i]);
    free(t->scratch);
    void *bufs[] = {t->doc_grad, t->dense_grad, t->tok_grad, t->row_grad, t->tok_off, t->tok_row, t->doc_kept, t->doc_loss,
                    t->doc_pred, t->slot_of_row, t->slot_row, t->tok_slot, t->slot_sq};
    for (size_t i = 0; i < sizeof bufs / sizeof *bufs; i++) free(bufs[i]);
    memset(t, 0, sizeof *t);
}

static int trainer_cmp_desc(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return x < y ? 1 : x > y ? -1 : 0;
}

int64_t trainer_batch_token_bound(const Dataset *ds, int batch)
{
    int64_t *len = xmalloc((size_t)(ds->n ? ds->n : 1) * sizeof *len);
    for (int64_t i = 0; i < ds->n; i++) len[i] = ds->off[i + 1] - ds->off[i];
    qsort(len, (size_t)ds->n, sizeof *len, trainer_cmp_desc);
    int64_t sum = 0;
    for (int64_t i = 0; i < ds->n && i < batch; i++) sum += len[i];
    free(len);
    return sum;
}

/* Copies document i's rows into row[], hiding each token with probability p
 * (token dropout, as word dropout in Iyyer et al. 2015's DAN); returns how many
 * were kept. The draw depends only on the step and the document's place in the
 * batch, not on the thread. */
static int trainer_keep_tokens(int32_t *row, const int32_t *ids, int T, float p, uint64_t seed)
{
    if (p <= 0.0f) {
        memcpy(row, ids, (size_t)T * sizeof *row);
        return T;
    }
    /* Four 16-bit draws per 64-bit random number. */
    const uint64_t cut = (uint64_t)(p * 65536.0f);
    Rng r;
    rng_seed(&r, seed);
    uint64_t bits = 0;
    int kept = 0;
    for (int j = 0; j < T; j++) {
        if ((j & 3) == 0) bits = rng_next(&r);
        if ((bits & 0xffff) >= cut) row[kept++] = ids[j];
        bits >>= 16;
    }
    return kept;
}

/* Forward and backward of every document, each into its own gradient slots. */
static void trainer_docs(Trainer *t, const Dataset *ds, const int64_t *doc, int B, uint64_t step_seed)
{
    const Model *m = t->model;
    const int d = m->dims.dim;
    const float scale = 1.0f / (float)B;
#pragma omp parallel for schedule(dynamic, 1) num_threads(t->threads) if (t->tok_off[B] >= TRAINER_PARALLEL_MIN)
    for (int b = 0; b < B; b++) {
        DocScratch *s = &t->scratch[THREAD_ID()];
        int64_t i = doc[b];
        int32_t *row = t->tok_row + t->tok_off[b];
        int T = trainer_keep_tokens(row, ds->ids + ds->off[i], (int)(ds->off[i + 1] - ds->off[i]),
                                    t->token_dropout, rng_mix(step_seed, 0x746f6b656eull, (uint64_t)b));
        int y = ds->labels[i];
        t->doc_kept[b] = T;
        t->doc_loss[b] = model_forward(m, row, T, y, t->dropout, rng_mix(step_seed, 0x64726f70ull, (uint64_t)b), s);
        t->doc_pred[b] = model_argmax(s->probs, m->dims.classes);
        float *g = t->doc_grad + (size_t)b * (size_t)m->n_dense;
        memset(g, 0, (size_t)m->n_dense * sizeof *g);
        model_backward(m, T, y, t->dropout, scale, s, g, t->tok_grad + (size_t)t->tok_off[b] * d);
    }
}

/* How far ahead the row loops prefetch: rows are scattered over a table of
 * millions, so each one is a cache miss unless asked for early. */
#define TRAINER_PREFETCH 8

/* Gives each distinct embedding row of the batch a slot, in token order; tokens
 * hidden by token dropout get slot -1. Returns the number of slots. */
static int64_t trainer_slots(Trainer *t, int B)
{
    int64_t ns = 0;
    for (int b = 0; b < B; b++) {
        int64_t k = t->tok_off[b];
        for (; k < t->tok_off[b] + t->doc_kept[b]; k++) {
            if (k + TRAINER_PREFETCH < t->tok_off[b] + t->doc_kept[b])
                __builtin_prefetch(t->slot_of_row + t->tok_row[k + TRAINER_PREFETCH], 1);
            int32_t r = t->tok_row[k];
            if (t->slot_of_row[r] < 0) {
                t->slot_of_row[r] = (int32_t)ns;
                t->slot_row[ns++] = r;
            }
            t->tok_slot[k] = t->slot_of_row[r];
        }
        for (; k < t->tok_off[b + 1]; k++) t->tok_slot[k] = -1;
    }
    return ns;
}

/* Sums token gradients into their rows, clips by the global norm and takes the
 * Adam step for the dense tensors and the used rows, in one parallel region.
 * A thread owns a range of slots and adds their tokens in order, so each row's
 * sum has the same order whatever the thread count; the norm is summed in slot
 * order by one thread. */
static void trainer_update(Trainer *t, int64_t ns, int64_t ntok, const TrainConfig *tc, float lr, StepResult *r)
{
    Model *m = t->model;
    const int d = m->dims.dim;
    const int64_t nd = m->n_dense, eo = m->tensors[TENSOR_EMB].offset;
    AdamStep as = {0};
#pragma omp parallel num_threads(t->threads) if (ntok >= TRAINER_PARALLEL_MIN)
    {
        int nth = 1, tid = 0;
#ifdef _OPENMP
        nth = omp_get_num_threads();
        tid = omp_get_thread_num();
#endif
        /* This thread's slots: a contiguous range, so the ownership test is two
         * compares and its rows' Adam updates below touch the same range. */
        const int64_t lo = ns * tid / nth, hi = ns * (tid + 1) / nth;
        memset(t->row_grad + (size_t)lo * d, 0, (size_t)(hi - lo) * d * sizeof(float));
        for (int64_t j = 0; j < ntok; j++) {
            int64_t s = t->tok_slot[j];
            if (s < lo || s >= hi) continue;
            float *dst = t->row_grad + (size_t)s * d;
            const float *src = t->tok_grad + (size_t)j * d;
#pragma omp simd
            for (int e = 0; e < d; e++) dst[e] += src[e];
        }
        for (int64_t s = lo; s < hi; s++) {
            const float *g = t->row_grad + (size_t)s * d;
            double sq = 0.0;
            for (int e = 0; e < d; e++) sq += (double)g[e] * g[e];
            t->slot_sq[s] = sq;
        }
#pragma omp barrier
#pragma omp single
        {
            double sq = 0.0;
            for (int64_t i = 0; i < nd; i++) sq += (double)t->dense_grad[i] * t->dense_grad[i];
            for (int64_t s = 0; s < ns; s++) sq += t->slot_sq[s];
            r->grad_norm = sqrt(sq);
            r->finite = isfinite(r->loss_sum) && isfinite(sq);
            if (r->finite) {
                as = adam_step_params(optim_clip_scale(sq, tc->clip), lr, (float)tc->weight_decay, ++t->adam.step);
                adam_update(m->params, t->adam.m, t->adam.v, t->dense_grad, nd, &as);
            }
        }
        if (r->finite) {
            for (int64_t s = lo; s < hi; s++) {
                if (s + TRAINER_PREFETCH < hi) {
                    size_t po = (size_t)eo + (size_t)t->slot_row[s + TRAINER_PREFETCH] * d;
                    __builtin_prefetch(m->params + po, 1);
                    __builtin_prefetch(t->adam.m + po, 1);
                    __builtin_prefetch(t->adam.v + po, 1);
                }
                size_t o = (size_t)eo + (size_t)t->slot_row[s] * d;
                adam_update(m->params + o, t->adam.m + o, t->adam.v + o, t->row_grad + (size_t)s * d, d, &as);
            }
        }
    }
}

StepResult trainer_step(Trainer *t, const Dataset *ds, const int64_t *doc, int B,
                        const TrainConfig *tc, float lr, uint64_t step_seed)
{
    Model *m = t->model;
    const int64_t nd = m->n_dense;
    StepResult r = {0};
    t->tok_off[0] = 0;
    for (int b = 0; b < B; b++) t->tok_off[b + 1] = t->tok_off[b] + ds->off[doc[b] + 1] - ds->off[doc[b]];
    trainer_docs(t, ds, doc, B, step_seed);
    for (int b = 0; b < B; b++) {
        r.loss_sum += t->doc_loss[b];
        r.correct += t->doc_pred[b] == ds->labels[doc[b]];
    }
    /* Dense gradients are small (classifier and attention): summed serially, in
     * document order. */
    memcpy(t->dense_grad, t->doc_grad, (size_t)nd * sizeof(float));
    for (int b = 1; b < B; b++) {
        const float *g = t->doc_grad + (size_t)b * nd;
#pragma omp simd
        for (int64_t i = 0; i < nd; i++) t->dense_grad[i] += g[i];
    }
    int64_t ns = trainer_slots(t, B);
    trainer_update(t, ns, t->tok_off[B], tc, lr, &r);
    for (int64_t s = 0; s < ns; s++) {
        if (s + TRAINER_PREFETCH < ns) __builtin_prefetch(t->slot_of_row + t->slot_row[s + TRAINER_PREFETCH], 1);
        t->slot_of_row[t->slot_row[s]] = -1;
    }
    return r;
}
