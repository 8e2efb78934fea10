/* step.c - see step.h. */
#include "step.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "dist.h"
#include "mem.h"
#include "rng.h"
#include "stepsum.h"

/* Mean tokens per batch from which steps run in parallel. Results do not
 * depend on it. SST-2's 320-token batches gain from a second thread (context
 * attention: 1.27 s -> 0.97 s; the plain model: 0.64 s -> 0.61 s). */
#define STEP_PARALLEL_MIN 256

typedef struct ScratchArg {
    const ModelDims *dims;
    int cap_t;
    int pack;
    float encoder_dropout;
} ScratchArg;

static void step_scratch_init(void *item, const void *arg)
{
    const ScratchArg *a = arg;
    DocScratch *s = item;
    docscratch_init(s, a->dims, a->cap_t);
    if (a->pack) docscratch_reserve_pack(s, a->dims, a->pack);
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
    t->pack_max = model_pack_max(m);
    ScratchArg sa = {D, (int)(max_len > 0 ? max_len : 1), t->pack_max, (float)o->encoder_dropout};
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
    t->pack_off = xcalloc((size_t)batch_size + 1, sizeof *t->pack_off);
    t->pack_len = xcalloc((size_t)batch_size, sizeof *t->pack_len);
    t->doc_enc = xcalloc((size_t)batch_size, sizeof *t->doc_enc);
    t->enc_off = D->enc.layers ? m->tensors[TENSOR_ENC].offset : m->n_dense;
    t->dense_part = xcalloc((size_t)stepsum_chunks(m->n_dense) + 1, sizeof *t->dense_part);
    t->pack_order = xcalloc((size_t)batch_size, sizeof *t->pack_order);
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
                    t->doc_pred, t->table, t->tok_sq, t->own, t->doc_order, t->pack_off, t->pack_len,
                    t->pack_order, t->doc_enc, t->dense_part, t->doc_scale, t->tok_pos, t->tok_owner, t->part,
                    t->owner_cnt, t->tok_first, t->dist, t->share_doc, t->share_idx, t->share_len};
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
        int w = step_owner(stepsum_row(t->tok_row[o + j]), nth);
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
    int n_packs;         /* step_packs' */
    int batch_n;         /* documents in the whole batch */
    int64_t ntok;        /* tokens of this process's documents before token dropout */
    int64_t step;        /* 1-based Adam step */
    float lr;
    uint64_t seed;
    double dense_sq;
    StepResult res;
} StepBatch;

/* Document b's kept ids, into its token rows (returns how many), its targets
 * and seeds, and its dense-gradient slot zeroed (with enc 0, all but its
 * encoder part, which a pack's first document holds). The draws depend on the
 * document's place in the batch, not on the process or thread. */
static int step_doc_ids(Stepper *t, const Dataset *ds, const StepBatch *p, int b, int enc, ModelPackDoc *doc)
{
    const uint64_t place = (uint64_t)(p->idx ? p->idx[b] : b);
    const int64_t i = p->doc[b];
    int32_t *row = t->tok_row + t->tok_off[b];
    const int n = (int)(ds->off[i + 1] - ds->off[i]);
    const int32_t *ids = ds->ids + ds->off[i];
    /* Read from the file, the ids are filtered in place (a kept id never moves right). */
    if (t->src && cfile_read(t->src, row, ids, (size_t)n * sizeof *row) == 0) ids = row;
    const int T = step_keep_tokens(row, ids, n, t->token_dropout, rng_mix(p->seed, 0x746f6b656eull, place));
    float *g = t->doc_grad + (size_t)b * (size_t)t->model->n_dense;
    t->doc_enc[b] = (uint8_t)enc;
    memset(g, 0, (size_t)(enc ? t->model->n_dense : t->enc_off) * sizeof *g);
    *doc = (ModelPackDoc){.ids = row, .n = T, .y = ds->lab + ds->loff[i], .ny = (int)(ds->loff[i + 1] - ds->loff[i]),
                          .scale = t->doc_scale[b], .mask_seed = rng_mix(p->seed, 0x64726f70ull, place),
                          .dense_grad = g, .demb = t->tok_grad + (size_t)t->tok_off[b] * t->model->dims.dim};
    t->doc_kept[b] = T;
    return T;
}

/* After a document's backward: its tokens' row bookkeeping for phase 2. */
static void step_doc_done(Stepper *t, int b, int T, int nth, int tid)
{
    const int64_t o = t->tok_off[b];
    memset(t->tok_sq + o, 0, (size_t)(t->tok_off[b + 1] - o) * sizeof *t->tok_sq);
    memset(t->tok_first + o, 0, (size_t)(t->tok_off[b + 1] - o) * sizeof *t->tok_first);
    step_partition(t, b, T, nth, t->owner_cnt + (size_t)tid * (size_t)(t->threads + 1));
}

/* Phase 1 on thread tid of nth: forward and backward of document b into its own
 * gradient slots, then its tokens grouped by owner. */
static void step_doc(Stepper *t, const Dataset *ds, const StepBatch *p, int b, int nth, int tid)
{
    DocScratch *s = threads_pool_item(&t->scratch, tid);
    const Model *m = t->model;
    ModelPackDoc doc;
    const int T = step_doc_ids(t, ds, p, b, 1, &doc);
    t->doc_loss[b] = model_forward(m, doc.ids, T, NULL, doc.y, doc.ny, t->dropout, doc.mask_seed, s);
    t->doc_pred[b] = model_argmax(s->probs, m->dims.classes);
    model_backward(m, doc.ids, T, doc.y, doc.ny, t->dropout, doc.scale, s, doc.dense_grad, doc.demb);
    step_doc_done(t, b, T, nth, tid);
}

/* Phase 1 for pack k (documents pack_off[k] .. of doc_order): one document
 * alone, or several through the encoder at once (model_pack_step). Which
 * documents share a pack depends only on the batch, so the sums are the same
 * for any thread count. */
static void step_pack(Stepper *t, const Dataset *ds, const StepBatch *p, int k, int nth, int tid)
{
    const int j0 = t->pack_off[k], nd = t->pack_off[k + 1] - j0;
    if (nd <= 1) {
        step_doc(t, ds, p, t->doc_order[j0], nth, tid);
        return;
    }
    ModelPackDoc docs[MODEL_PACK_DOCS];
    for (int j = 0; j < nd; j++) step_doc_ids(t, ds, p, t->doc_order[j0 + j], j == 0, &docs[j]);
    model_pack_step(t->model, docs, nd, t->dropout, threads_pool_item(&t->scratch, tid));
    for (int j = 0; j < nd; j++) {
        const int b = t->doc_order[j0 + j];
        t->doc_loss[b] = docs[j].loss;
        t->doc_pred[b] = docs[j].pred;
        step_doc_done(t, b, docs[j].n, nth, tid);
    }
}

/* The packs of a step: consecutive documents of doc_order (longest first, so
 * the short ones end up together) while their ids number at most pack_max
 * (an empty document counting as one); without packing, one document each.
 * pack_order lists them by their ids, most first (ties: the earlier), so that
 * the dynamic schedule hands out the packs, which come last in doc_order, among
 * the long documents and the threads finish together. */
static int step_packs(Stepper *t, int n)
{
    int k = 0, used = 0;
    t->pack_off[0] = 0;
    if (n == 0) return 0; /* a process's empty share of a short batch (dist.h) */
    for (int j = 0; j < n; j++) {
        const int b = t->doc_order[j];
        const int64_t len = t->tok_off[b + 1] - t->tok_off[b], w = len > 0 ? len : 1;
        if (j > 0 && (used + w > t->pack_max)) {
            t->pack_len[k] = used;
            t->pack_off[++k] = j;
            used = 0;
        }
        used += (int)(w < INT32_MAX ? w : INT32_MAX);
    }
    t->pack_len[k] = used;
    t->pack_off[++k] = n;
    for (int j = 0; j < k; j++) {
        int i = j;
        for (; i > 0 && t->pack_len[t->pack_order[i - 1]] < t->pack_len[j]; i--) t->pack_order[i] = t->pack_order[i - 1];
        t->pack_order[i] = j;
    }
    return k;
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
 * one process), their token offsets, the documents longest first and the
 * packs made of them (step_packs: the order depends only on the batch, so the
 * packs do, and the schedule's order never changes results, as every pack
 * writes only its own slots), learning rate and seed. */
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
    p->n_packs = step_packs(t, p->n);
    if (t->dist) {
        p->res.tokens = 0;
        for (int j = 0; j < nb; j++) p->res.tokens += ds->off[batch[j] + 1] - ds->off[batch[j]];
    }
    step_weigh(t, p, ds, batch, nb, t->o.length_weight);
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

/* One step on thread tid of nth: documents; barrier; row sums and the
 * thread's chunks of the dense sums (stepsum.h); barrier (over several
 * processes: their sums combined; barrier); the clipped Adam update of the
 * thread's dense chunks and of the rows it owns (step_owner), so no two threads
 * write the same value. */
static void step_step(Stepper *t, StepBatch *p, const Dataset *ds, const AdamOptions *ao, int tid, int nth)
{
    int32_t *own = t->own + (size_t)tid * (size_t)t->tok_cap;
#pragma omp for schedule(dynamic, 1)
    for (int k = 0; k < p->n_packs; k++) step_pack(t, ds, p, t->pack_order[k], nth, tid);
    /* Frozen rows: no row sums, no row updates, and the clipping norm is the
     * dense gradient's alone (tok_sq stays 0 from step_doc_done). */
    int64_t n = t->o.freeze_rows ? 0 : stepsum_rows(t, p->n, tid, own);
    stepsum_dense(t, p->n, tid, nth);
    StepResult res = p->res; /* read before the barrier, after which the main thread writes p->res */
#pragma omp barrier
    /* Every thread adds up the same figures (cheap), so that none waits for another's. */
    double dense_sq = stepsum_total(t, ds, p->doc, p->n, &res);
    if (t->dist) {
#pragma omp master
        {
            p->res = res;
            p->dense_sq = dense_sq;
            step_exchange(t, p);
        }
#pragma omp barrier
        /* The sums only: the main thread may already be writing p->res.finite below. */
        res.loss_sum = p->res.loss_sum;
        res.correct = p->res.correct;
        res.stop = p->res.stop;
        dense_sq = p->dense_sq;
    }
    const double sq = t->dist ? dense_sq : dense_sq + stepsum_sq(t->tok_sq, p->ntok);
    const int finite = isfinite(res.loss_sum) && isfinite(sq);
    AdamStep as = adam_step_params(optim_clip_scale(sq, t->o.clip), p->lr, (float)ao->weight_decay, p->step);
    if (finite) stepsum_update_dense(t, tid, nth, &as);
    /* Over several processes the others may still read p->res's sums: only
     * the flag is written then (step_exchange wrote the sums). */
#pragma omp master
    {
        if (!t->dist) {
            p->res.loss_sum = res.loss_sum;
            p->res.correct = res.correct;
        }
        p->res.finite = finite;
    }
    if (finite && t->dist && !t->o.freeze_rows) stepsum_update_union(t, tid, nth, &as);
    else if (finite) stepsum_update_rows(t, own, n, &as);
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
