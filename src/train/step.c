/* step.c - see step.h. */
#include "step.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "dist.h"
#include "mem.h"
#include "rng.h"

/* Mean tokens per batch from which steps run in parallel. Results do not
 * depend on it. SST-2's 320-token batches gain from a second thread (context
 * attention: 1.27 s -> 0.97 s; the plain model: 0.64 s -> 0.61 s). */
#define STEP_PARALLEL_MIN 256

typedef struct ScratchArg {
    const ModelDims *dims;
    int cap_t;
    float encoder_dropout;
} ScratchArg;

static void step_scratch_init(void *item, const void *arg)
{
    const ScratchArg *a = arg;
    DocScratch *s = item;
    docscratch_init(s, a->dims, a->cap_t);
    s->enc.dropout = a->encoder_dropout; /* a training scratch's; scoring ones keep 0 */
}

static void step_scratch_free(void *item)
{
    docscratch_free(item);
}

void step_init(Stepper *t, Model *m, const StepOptions *o, int64_t max_len, int64_t tok_cap)
{
    memset(t, 0, sizeof *t);
    t->o = *o;
    t->dropout = (float)o->dropout;
    t->token_dropout = (float)o->token_dropout;
    const ModelDims *D = &m->dims;
    const int threads = threads_resolve(o->threads), batch_size = o->batch_size;
    t->model = m;
    t->threads = threads;
    t->batch_cap = batch_size;
    t->tok_cap = tok_cap > 0 ? tok_cap : 1;
    adam_init(&t->adam, m->n_params);
    ScratchArg sa = {D, (int)(max_len > 0 ? max_len : 1), (float)o->encoder_dropout};
    threads_pool_init(&t->scratch, threads, sizeof(DocScratch), step_scratch_init, &sa, step_scratch_free);
    size_t d = (size_t)D->dim;
    t->doc_grad = xaligned_calloc((size_t)batch_size * (size_t)m->n_dense * sizeof(float));
    t->dense_grad = xaligned_calloc((size_t)m->n_dense * sizeof(float));
    t->tok_grad = xaligned_calloc((size_t)t->tok_cap * d * sizeof(float));
    t->tok_off = xcalloc((size_t)batch_size + 1, sizeof *t->tok_off);
    t->tok_row = xcalloc((size_t)t->tok_cap, sizeof *t->tok_row);
    t->doc_kept = xcalloc((size_t)batch_size, sizeof *t->doc_kept);
    t->doc_loss = xcalloc((size_t)batch_size, sizeof *t->doc_loss);
    t->doc_pred = xcalloc((size_t)batch_size, sizeof *t->doc_pred);
    t->table_cap = 16;
    while (t->table_cap < 2 * t->tok_cap) t->table_cap *= 2;
    t->table = xmalloc((size_t)threads * (size_t)t->table_cap * sizeof *t->table);
    t->tok_sq = xcalloc((size_t)t->tok_cap, sizeof *t->tok_sq);
    t->own = xcalloc((size_t)threads * (size_t)t->tok_cap, sizeof *t->own);
    t->doc_order = xcalloc((size_t)batch_size, sizeof *t->doc_order);
    t->doc_scale = xcalloc((size_t)batch_size, sizeof *t->doc_scale);
    t->tok_pos = xcalloc((size_t)t->tok_cap, sizeof *t->tok_pos);
    t->tok_owner = xcalloc((size_t)t->tok_cap, sizeof *t->tok_owner);
    t->part = xcalloc((size_t)batch_size * (size_t)(threads + 1), sizeof *t->part);
    t->owner_cnt = xcalloc((size_t)threads * (size_t)(threads + 1), sizeof *t->owner_cnt);
    t->tok_first = xcalloc((size_t)t->tok_cap, sizeof *t->tok_first);
    if (dist_size() > 1) {
        t->dist = xmalloc(sizeof *t->dist);
        diststep_init(t->dist, dist_size(), D->dim, m->n_dense, t->tok_cap);
        t->share_doc = xcalloc(2 * (size_t)batch_size, sizeof *t->share_doc);
        t->share_idx = xcalloc(2 * (size_t)batch_size, sizeof *t->share_idx);
        t->share_len = xcalloc((size_t)batch_size + (size_t)dist_size(), sizeof *t->share_len);
    }
}

void step_free(Stepper *t)
{
    adam_free(&t->adam);
    threads_pool_free(&t->scratch);
    if (t->dist) diststep_free(t->dist);
    void *bufs[] = {t->doc_grad, t->dense_grad, t->tok_grad, t->tok_off, t->tok_row, t->doc_kept, t->doc_loss,
                    t->doc_pred, t->table, t->tok_sq, t->own, t->doc_order, t->doc_scale,
                    t->tok_pos, t->tok_owner, t->part, t->owner_cnt, t->tok_first, t->dist,
                    t->share_doc, t->share_idx, t->share_len};
    for (size_t i = 0; i < sizeof bufs / sizeof *bufs; i++) free(bufs[i]);
    free(t->class_w);
    memset(t, 0, sizeof *t);
}

void step_set_class_weights(Stepper *t, const float *w)
{
    const int C = t->model->dims.classes;
    free(t->class_w);
    t->class_w = NULL;
    if (w) {
        t->class_w = xmalloc((size_t)C * sizeof *t->class_w);
        memcpy(t->class_w, w, (size_t)C * sizeof *t->class_w);
    }
    for (int i = 0; i < t->scratch.n; i++) ((DocScratch *)threads_pool_item(&t->scratch, i))->class_w = t->class_w;
}

void step_read_from(Stepper *t, const CFile *f)
{
    t->src = f;
}

static int step_cmp_desc(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return x < y ? 1 : x > y ? -1 : 0;
}

int64_t step_token_bound(const Dataset *ds, int batch)
{
    int64_t *len = xmalloc((size_t)(ds->n ? ds->n : 1) * sizeof *len);
    for (int64_t i = 0; i < ds->n; i++) len[i] = ds->off[i + 1] - ds->off[i];
    qsort(len, (size_t)ds->n, sizeof *len, step_cmp_desc);
    int64_t sum = 0;
    for (int64_t i = 0; i < ds->n && i < batch; i++) sum += len[i];
    free(len);
    return sum;
}

/* The embedding row of an id: a bag's later rows are stored as ~row (kernels.h). */
static inline int32_t step_row(int32_t id)
{
    return id < 0 ? ~id : id;
}

/* Copies document i's ids into row[] (ids may be row itself), hiding each
 * position (a bag of rows with its word) with probability p (token dropout, as
 * word dropout in Iyyer et al. 2015's DAN); returns how many ids were kept. The
 * draw depends only on the step and the document's place in the batch, not on
 * the thread. */
static int step_keep_tokens(int32_t *row, const int32_t *ids, int n, float p, uint64_t seed)
{
    if (p <= 0.0f) {
        if (row != ids) memcpy(row, ids, (size_t)n * sizeof *row);
        return n;
    }
    /* Four 16-bit draws per 64-bit random number, one per position. */
    const uint64_t cut = (uint64_t)(p * 65536.0f);
    Rng r;
    rng_seed(&r, seed);
    uint64_t bits = 0;
    int kept = 0, keep = 0;
    for (int j = 0, pos = 0; j < n; j++) {
        if (ids[j] >= 0) {
            if ((pos & 3) == 0) bits = rng_next(&r);
            keep = (bits & 0xffff) >= cut;
            bits >>= 16;
            pos++;
        }
        if (keep) row[kept++] = ids[j];
    }
    return kept;
}

/* How far ahead the row loops prefetch: rows are scattered over a table of
 * millions, so each one is a cache miss unless asked for early. */
#define STEP_PREFETCH 16

/* Which of nth threads owns embedding row r: a multiplicative hash, so frequent
 * (low-numbered) words and hashed buckets spread evenly. */
static inline int step_owner(int32_t r, int nth)
{
    return (int)(((uint64_t)((uint32_t)r * 0x9E3779B1u) * (uint64_t)nth) >> 32);
}

/* Groups document b's kept token positions by the thread owning their row,
 * each group in token order (a counting sort), for phase 2. */
static void step_partition(Stepper *t, int b, int T, int nth, int64_t *cnt /* [nth+1] */)
{
    const int64_t o = t->tok_off[b];
    int64_t *cut = t->part + (size_t)b * (size_t)(t->threads + 1);
    memset(cnt, 0, (size_t)(nth + 1) * sizeof *cnt);
    for (int j = 0; j < T; j++) {
        int w = step_owner(step_row(t->tok_row[o + j]), nth);
        t->tok_owner[o + j] = (uint16_t)w;
        cnt[w + 1]++;
    }
    cnt[0] = o;
    for (int w = 0; w < nth; w++) cnt[w + 1] += cnt[w];
    memcpy(cut, cnt, (size_t)(nth + 1) * sizeof *cut);
    for (int j = 0; j < T; j++) t->tok_pos[cnt[t->tok_owner[o + j]]++] = (int32_t)(o + j);
}

/* What one step needs besides the batch's token arrays. Steps alternate between
 * two of these: the main thread prepares step s+1 while the others may still
 * read step s's in the update phase. */
typedef struct StepBatch {
    const int64_t *doc;  /* [n] this process's documents of the batch (all of them for one process) */
    const int *idx;      /* [n] their places in the batch, or NULL: 0..n-1 */
    int n;
    int batch_n;         /* documents in the whole batch */
    int64_t ntok;        /* tokens of this process's documents before token dropout */
    int64_t step;        /* 1-based Adam step */
    float lr;
    uint64_t seed;
    double dense_sq;
    StepResult res;
} StepBatch;

/* Phase 1 on thread tid of nth: forward and backward of document b into its own
 * gradient slots, then its tokens grouped by owner. The draws depend on the
 * document's place in the batch, not on the process or thread. */
static void step_doc(Stepper *t, const Dataset *ds, const StepBatch *p, int b, int nth, int tid)
{
    DocScratch *s = threads_pool_item(&t->scratch, tid);
    const Model *m = t->model;
    const int d = m->dims.dim;
    const uint64_t place = (uint64_t)(p->idx ? p->idx[b] : b);
    int64_t i = p->doc[b], o = t->tok_off[b];
    int32_t *row = t->tok_row + o;
    const int n = (int)(ds->off[i + 1] - ds->off[i]);
    const int32_t *ids = ds->ids + ds->off[i];
    /* Read from the file, the ids are filtered in place (a kept id never moves right). */
    if (t->src && cfile_read(t->src, row, ids, (size_t)n * sizeof *row) == 0) ids = row;
    int T = step_keep_tokens(row, ids, n, t->token_dropout, rng_mix(p->seed, 0x746f6b656eull, place));
    const int32_t *y = ds->lab + ds->loff[i];
    const int ny = (int)(ds->loff[i + 1] - ds->loff[i]);
    t->doc_kept[b] = T;
    t->doc_loss[b] = model_forward(m, row, T, NULL, y, ny, t->dropout, rng_mix(p->seed, 0x64726f70ull, place), s);
    t->doc_pred[b] = model_argmax(s->probs, m->dims.classes);
    float *g = t->doc_grad + (size_t)b * (size_t)m->n_dense;
    memset(g, 0, (size_t)m->n_dense * sizeof *g);
    model_backward(m, row, T, y, ny, t->dropout, t->doc_scale[b], s, g, t->tok_grad + (size_t)o * d);
    memset(t->tok_sq + o, 0, (size_t)(t->tok_off[b + 1] - o) * sizeof *t->tok_sq);
    memset(t->tok_first + o, 0, (size_t)(t->tok_off[b + 1] - o) * sizeof *t->tok_first);
    step_partition(t, b, T, nth, t->owner_cnt + (size_t)tid * (size_t)(t->threads + 1));
}

/* Phase 2, for the rows thread tid owns: the first token of a row in the batch
 * (in token order) becomes its slot, and the gradients of its later tokens are
 * added onto it in token order, so a row's sum has the same order for any
 * thread count. Rows are found through the thread's own hash table (open
 * addressing, sized for this step's tokens): it stays in the core's cache,
 * where a table over all rows would miss on every token. Records each slot's
 * squared norm at its token and returns how many slots the thread has (listed
 * in `own`). */
static int64_t step_sum_rows(Stepper *t, int B, int tid, int32_t *own)
{
    const int d = t->model->dims.dim;
    const int64_t stride = t->threads + 1;
    int64_t mine = 0;
    for (int b = 0; b < B; b++) mine += t->part[b * stride + tid + 1] - t->part[b * stride + tid];
    int bits = 4;
    while (((int64_t)1 << bits) < 2 * mine) bits++;
    StepSlot *tab = t->table + (size_t)tid * (size_t)t->table_cap;
    const uint32_t mask = ((uint32_t)1 << bits) - 1;
    memset(tab, 0xff, ((size_t)mask + 1) * sizeof *tab);
    int64_t n = 0;
    for (int b = 0; b < B; b++) {
        const int64_t lo = t->part[b * stride + tid], hi = t->part[b * stride + tid + 1];
        for (int64_t i = lo; i < hi; i++) {
            if (i + STEP_PREFETCH < hi) __builtin_prefetch(t->tok_grad + (size_t)t->tok_pos[i + STEP_PREFETCH] * d);
            const int64_t k = t->tok_pos[i];
            const int32_t r = step_row(t->tok_row[k]);
            uint32_t h = ((uint32_t)r * 0x85EBCA6Bu) >> (32 - bits);
            while (tab[h].row >= 0 && tab[h].row != r) h = (h + 1) & mask;
            if (tab[h].row < 0) {
                tab[h].row = r;
                tab[h].first = (int32_t)k;
                t->tok_first[k] = 1;
                own[n++] = (int32_t)k;
                continue;
            }
            float *dst = t->tok_grad + (size_t)tab[h].first * d;
            const float *src = t->tok_grad + (size_t)k * d;
#pragma omp simd
            for (int e = 0; e < d; e++) dst[e] += src[e];
        }
    }
    for (int64_t j = 0; j < n; j++) {
        const float *g = t->tok_grad + (size_t)own[j] * d;
        double sq = 0.0;
#pragma omp simd reduction(+ : sq)
        for (int e = 0; e < d; e++) sq += (double)g[e] * g[e];
        t->tok_sq[own[j]] = sq;
    }
    return n;
}

/* Whether pred is one of document i's labels. */
static int step_hit(const Dataset *ds, int64_t i, int32_t pred)
{
    for (int64_t k = ds->loff[i]; k < ds->loff[i + 1]; k++)
        if (ds->lab[k] == pred) return 1;
    return 0;
}

/* An AVX2 clone beside the SSE2 build, picked when the program loads, for the
 * dense sum below: elementwise, so every lane adds what the SSE code adds, in
 * the same (document) order. The encoder's 1,100 parameters make it 2.8 times
 * as long on SST-2. */
#if defined(__GNUC__) && (defined(__x86_64__) || defined(__i386__))
#define STEP_AVX2_CLONE __attribute__((target_clones("avx2", "default")))
#else
#define STEP_AVX2_CLONE
#endif

/* Phase 2 on one thread: the batch's loss and the dense gradients, summed in
 * document order, and their squared norm. */
STEP_AVX2_CLONE static double step_sum_dense(Stepper *t, const Dataset *ds, const int64_t *doc, int B, StepResult *r)
{
    const int64_t nd = t->model->n_dense;
    for (int b = 0; b < B; b++) {
        r->loss_sum += t->doc_loss[b];
        r->correct += step_hit(ds, doc[b], t->doc_pred[b]);
    }
    memcpy(t->dense_grad, t->doc_grad, (size_t)nd * sizeof(float));
    for (int b = 1; b < B; b++) {
        const float *g = t->doc_grad + (size_t)b * nd;
#pragma omp simd
        for (int64_t i = 0; i < nd; i++) t->dense_grad[i] += g[i];
    }
    double sq = 0.0;
    for (int64_t i = 0; i < nd; i++) sq += (double)t->dense_grad[i] * t->dense_grad[i];
    return sq;
}

/* Squared norm of the slots, summed in token order with eight fixed partial
 * sums: the same bits on every thread and for every thread count. */
static double step_sum_sq(const double *sq /* [n] */, int64_t n)
{
    double acc[8] = {0};
    int64_t k = 0;
    for (; k + 8 <= n; k += 8)
        for (int j = 0; j < 8; j++) acc[j] += sq[k + j];
    for (; k < n; k++) acc[k & 7] += sq[k];
    return ((acc[0] + acc[1]) + (acc[2] + acc[3])) + ((acc[4] + acc[5]) + (acc[6] + acc[7]));
}

/* Phase 3: the Adam step of the thread's rows. */
static void step_update_rows(Stepper *t, const int32_t *own, int64_t n, const AdamStep *as)
{
    Model *m = t->model;
    const int d = m->dims.dim;
    const int64_t eo = m->tensors[TENSOR_EMB].offset;
    for (int64_t j = 0; j < n; j++) {
        if (j + STEP_PREFETCH < n) {
            size_t po = (size_t)eo + (size_t)step_row(t->tok_row[own[j + STEP_PREFETCH]]) * d;
            __builtin_prefetch(m->params + po, 1);
            __builtin_prefetch(t->adam.m + po, 1);
            __builtin_prefetch(t->adam.v + po, 1);
        }
        int32_t r = step_row(t->tok_row[own[j]]);
        size_t o = (size_t)eo + (size_t)r * d;
        adam_update(m->params + o, t->adam.m + o, t->adam.v + o, t->tok_grad + (size_t)own[j] * d, d, as);
    }
}

/* Document i's share of the batch loss before normalising: 1, or len^p. */
static float step_weight(const Dataset *ds, int64_t i, double p)
{
    int64_t len = ds->off[i + 1] - ds->off[i];
    return p > 0.0 ? (float)pow((double)(len > 0 ? len : 1), p) : 1.0f;
}

/* Each document's weight in the batch loss: 1/n, or with train.length_weight
 * p > 0, len^p / sum(len^p), which moves weight from short documents to long
 * ones (SST-2's training set holds every sub-phrase of its sentences; its dev
 * set holds whole sentences); then times the document's own weight
 * (data.weight_column), which scales its gradient as scikit-learn's
 * sample_weight does. The sum is over the whole batch batch [nb], of which
 * this process has p->doc. */
static void step_weigh(Stepper *t, const StepBatch *p, const Dataset *ds, const int64_t *batch, int nb, double pw)
{
    double sum = 0.0;
    for (int b = 0; b < nb; b++) sum += step_weight(ds, batch[b], pw);
    for (int b = 0; b < p->n; b++)
        t->doc_scale[b] = (float)(step_weight(ds, p->doc[b], pw) / sum) * dataset_weight(ds, p->doc[b]);
}

/* This process's share of the batch batch [nb], into buffer `which`: each
 * document, longest first (ties: earlier in the batch), goes to the process
 * with the fewest tokens so far (ties: the lower rank), the same choice on
 * every process; the share keeps batch order. */
static void step_share(Stepper *t, StepBatch *p, const Dataset *ds, const int64_t *batch, int nb, int which)
{
    const int size = dist_size(), me = dist_rank();
    int64_t *len = t->share_len, *load = t->share_len + t->batch_cap;
    int *order = t->share_idx + (size_t)which * (size_t)t->batch_cap;
    for (int r = 0; r < size; r++) load[r] = 0;
    for (int j = 0; j < nb; j++) {
        len[j] = ds->off[batch[j] + 1] - ds->off[batch[j]];
        int k = j;
        for (; k > 0 && len[order[k - 1]] < len[j]; k--) order[k] = order[k - 1];
        order[k] = j;
    }
    /* Marks this process's documents by a negative length, then collects them in batch order. */
    for (int k = 0; k < nb; k++) {
        int best = 0;
        for (int r = 1; r < size; r++)
            if (load[r] < load[best]) best = r;
        load[best] += len[order[k]];
        if (best == me) len[order[k]] = -1 - len[order[k]];
    }
    int64_t *doc = t->share_doc + (size_t)which * (size_t)t->batch_cap;
    int n = 0;
    for (int j = 0; j < nb; j++)
        if (len[j] < 0) {
            doc[n] = batch[j];
            order[n++] = j;
        }
    p->doc = doc;
    p->idx = order;
    p->n = n;
}

/* Sets up batch b of perm: this process's documents of it (all of them for
 * one process), their token offsets, the documents longest first (so the
 * dynamic schedule hands out long ones first and the threads finish together;
 * the order never changes results, as every document writes only its own
 * slots), learning rate and seed. */
static void step_prepare(Stepper *t, StepBatch *p, const Dataset *ds, const int64_t *perm, int64_t b,
                            const AdamOptions *ao, uint64_t seed, const LrPlan *plan)
{
    const int B = t->o.batch_size;
    const int64_t lo = b * B;
    memset(p, 0, sizeof *p);
    const int64_t *batch = perm + lo;
    const int nb = (int)(ds->n - lo < B ? ds->n - lo : B);
    p->doc = batch;
    p->n = p->batch_n = nb;
    if (t->dist) step_share(t, p, ds, batch, nb, (int)(b & 1));
    p->step = t->adam.step + 1;
    p->lr = optim_lr(ao, plan, t->adam.step);
    p->seed = rng_mix(seed, 1, (uint64_t)t->adam.step);
    t->tok_off[0] = 0;
    for (int j = 0; j < p->n; j++) {
        int64_t len = ds->off[p->doc[j] + 1] - ds->off[p->doc[j]];
        t->tok_off[j + 1] = t->tok_off[j] + len;
        int k = j;
        for (; k > 0 && t->tok_off[t->doc_order[k - 1] + 1] - t->tok_off[t->doc_order[k - 1]] < len; k--)
            t->doc_order[k] = t->doc_order[k - 1];
        t->doc_order[k] = j;
    }
    p->ntok = p->res.tokens = t->tok_off[p->n];
    if (t->dist) {
        p->res.tokens = 0;
        for (int j = 0; j < nb; j++) p->res.tokens += ds->off[batch[j] + 1] - ds->off[batch[j]];
    }
    step_weigh(t, p, ds, batch, nb, t->o.length_weight);
}

/* Phase 3 over several processes: the same update of the union's rows on every
 * process, thread tid taking its slice of them. */
static void step_update_union(Stepper *t, int tid, int nth, const AdamStep *as)
{
    Model *m = t->model;
    const DistStep *x = t->dist;
    const int d = m->dims.dim;
    const int64_t eo = m->tensors[TENSOR_EMB].offset, lo = x->n * tid / nth, hi = x->n * (tid + 1) / nth;
    for (int64_t j = lo; j < hi; j++) {
        if (j + STEP_PREFETCH < hi) {
            size_t po = (size_t)eo + (size_t)x->row[j + STEP_PREFETCH] * d;
            __builtin_prefetch(m->params + po, 1);
            __builtin_prefetch(t->adam.m + po, 1);
            __builtin_prefetch(t->adam.v + po, 1);
        }
        size_t o = (size_t)eo + (size_t)x->row[j] * d;
        adam_update(m->params + o, t->adam.m + o, t->adam.v + o, x->grad + (size_t)j * d, d, as);
    }
}

/* Every process's sums, on the main thread (dist.h's collectives): the union
 * of rows, the dense gradients, loss, counts and stop requests. */
static void step_exchange(Stepper *t, StepBatch *p)
{
    DistLocal l = {.tok_row = t->tok_row, .tok_first = t->tok_first, .tok_grad = t->tok_grad,
                   .tok_off = t->tok_off, .doc_kept = t->doc_kept, .n_docs = p->n, .dense = t->dense_grad,
                   .loss = p->res.loss_sum, .correct = p->res.correct,
                   .stop = t->stop_request ? (int)*t->stop_request : 0};
    diststep_exchange(t->dist, &l);
    p->res.loss_sum = l.loss;
    p->res.correct = l.correct;
    p->res.stop = l.stop;
    double sq = 0.0;
    for (int64_t i = 0; i < t->model->n_dense; i++) sq += (double)t->dense_grad[i] * t->dense_grad[i];
    p->dense_sq = sq + diststep_sq(t->dist);
}

/* One step on thread tid of nth: documents; barrier; row and dense sums;
 * barrier (over several processes: their sums combined; barrier); the clipped
 * Adam update of the rows this thread owns (step_owner), so no two threads
 * write the same row. */
static void step_step(Stepper *t, StepBatch *p, const Dataset *ds, const AdamOptions *ao, int tid, int nth)
{
    Model *m = t->model;
    int32_t *own = t->own + (size_t)tid * (size_t)t->tok_cap;
#pragma omp for schedule(dynamic, 1)
    for (int j = 0; j < p->n; j++) step_doc(t, ds, p, t->doc_order[j], nth, tid);
    /* Frozen rows: no row sums, no row updates, and the clipping norm is the
     * dense gradient's alone (tok_sq stays 0 from step_doc). */
    int64_t n = t->o.freeze_rows ? 0 : step_sum_rows(t, p->n, tid, own);
    if (tid == 0) p->dense_sq = step_sum_dense(t, ds, p->doc, p->n, &p->res);
#pragma omp barrier
    if (t->dist) {
#pragma omp master
        step_exchange(t, p);
#pragma omp barrier
    }
    const double sq = t->dist ? p->dense_sq : p->dense_sq + step_sum_sq(t->tok_sq, p->ntok);
    const int finite = isfinite(p->res.loss_sum) && isfinite(sq);
    AdamStep as = adam_step_params(optim_clip_scale(sq, t->o.clip), p->lr, (float)ao->weight_decay, p->step);
    if (tid == 0) {
        p->res.finite = finite;
        if (finite) adam_update_block(m->params, t->adam.m, t->adam.v, t->dense_grad, m->n_dense, &as);
    }
    if (finite && t->dist && !t->o.freeze_rows) step_update_union(t, tid, nth, &as);
    else if (finite) step_update_rows(t, own, n, &as);
}

int64_t step_run(Stepper *t, const Dataset *ds, const int64_t *perm, int64_t b0, int64_t nb, const AdamOptions *ao,
                 uint64_t seed, const LrPlan *plan, StepAfterFn after, void *ctx)
{
    if (b0 >= nb) return b0;
    StepBatch steps[2];
    int64_t done = b0;
    int stop = 0;
    /* Batches of fewer tokens (short sentences) run on one thread: the barriers
     * between phases cost more than the threads' share of the work. */
    const int par = (double)ds->off[ds->n] / (double)(ds->n ? ds->n : 1) * t->o.batch_size >= STEP_PARALLEL_MIN;
    (void)par; /* read only by the OpenMP clause below */
    step_prepare(t, &steps[b0 & 1], ds, perm, b0, ao, seed, plan);
#pragma omp parallel num_threads(t->threads) if (par)
    {
        const int nth = threads_team(), tid = threads_id();
        for (int64_t b = b0;; b++) {
            StepBatch *p = &steps[b & 1];
            step_step(t, p, ds, ao, tid, nth);
            /* The main thread may go on while the others finish their rows:
             * it touches only step b+1's StepBatch and the batch arrays
             * that the update phase does not read. */
#pragma omp master
            {
                if (p->res.finite) t->adam.step = p->step;
                done = b + 1;
                stop = after(ctx, b, p->batch_n, &p->res, p->lr) || !p->res.finite || b + 1 >= nb;
                if (!stop) step_prepare(t, &steps[(b + 1) & 1], ds, perm, b + 1, ao, seed, plan);
            }
#pragma omp barrier
            if (stop) break;
        }
    }
    return done;
}
