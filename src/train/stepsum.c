/* stepsum.c - see stepsum.h. */
#include "stepsum.h"

#include <string.h>

/* How far ahead the row loops prefetch: rows are scattered over a table of
 * millions, so each one is a cache miss unless asked for early. */
#define STEPSUM_PREFETCH 16

/* Floats of each fixed chunk of the dense gradient whose squared norm is one
 * partial sum: the threads split the chunks, and the partials are added in chunk
 * order, so the norm does not depend on the thread count. */
#define STEPSUM_CHUNK 256

int64_t stepsum_chunks(int64_t n_dense)
{
    return (n_dense + STEPSUM_CHUNK - 1) / STEPSUM_CHUNK;
}

/* Phase 2, for the rows thread tid owns: the first token of a row in the batch
 * (in token order) becomes its slot, and the gradients of its later tokens are
 * added onto it in token order, so a row's sum has the same order for any
 * thread count. Rows are found through the thread's own hash table (open
 * addressing, sized for this step's tokens): it stays in the core's cache,
 * where a table over all rows would miss on every token. Records each slot's
 * squared norm at its token and returns how many slots the thread has (listed
 * in `own`). */
int64_t stepsum_rows(Stepper *t, int B, int tid, int32_t *own)
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
            if (i + STEPSUM_PREFETCH < hi) __builtin_prefetch(t->tok_grad + (size_t)t->tok_pos[i + STEPSUM_PREFETCH] * d);
            const int64_t k = t->tok_pos[i];
            const int32_t r = stepsum_row(t->tok_row[k]);
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
static int stepsum_hit(const Dataset *ds, int64_t i, int32_t pred)
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
#define STEPSUM_AVX2_CLONE __attribute__((target_clones("avx2", "default")))
#else
#define STEPSUM_AVX2_CLONE
#endif

/* Where document b's slot stops holding gradients within [lo, hi): a document
 * packed behind another holds no encoder gradients (model_pack_step), and its
 * slot's encoder part is neither zeroed nor read. */
static int64_t stepsum_slot_end(const Stepper *t, int b, int64_t lo, int64_t hi)
{
    if (t->doc_enc[b] || hi <= t->enc_off) return hi;
    return t->enc_off > lo ? t->enc_off : lo;
}

STEPSUM_AVX2_CLONE void stepsum_dense(Stepper *t, int B, int tid, int nth)
{
    const int64_t nd = t->model->n_dense, nc = stepsum_chunks(nd);
    for (int64_t c = nc * tid / nth; c < nc * (tid + 1) / nth; c++) {
        const int64_t lo = c * STEPSUM_CHUNK, hi = lo + STEPSUM_CHUNK < nd ? lo + STEPSUM_CHUNK : nd;
        float *sum = t->dense_grad;
        if (B == 0) { /* a process's empty share of a short batch (dist.h): it adds nothing */
            memset(sum + lo, 0, (size_t)(hi - lo) * sizeof *sum);
            t->dense_part[c] = 0.0;
            continue;
        }
        const int64_t end0 = stepsum_slot_end(t, 0, lo, hi);
        memcpy(sum + lo, t->doc_grad + lo, (size_t)(end0 - lo) * sizeof *sum);
        memset(sum + end0, 0, (size_t)(hi - end0) * sizeof *sum);
        for (int b = 1; b < B; b++) {
            const float *g = t->doc_grad + (size_t)b * nd;
            const int64_t end = stepsum_slot_end(t, b, lo, hi);
#pragma omp simd
            for (int64_t i = lo; i < end; i++) sum[i] += g[i];
        }
        double sq = 0.0;
        for (int64_t i = lo; i < hi; i++) sq += (double)sum[i] * sum[i];
        t->dense_part[c] = sq;
    }
}

/* The batch's loss and counts, and the dense gradient's squared norm from the
 * chunks' partials (after every thread's stepsum_dense). */
double stepsum_total(Stepper *t, const Dataset *ds, const int64_t *doc, int B, StepResult *r)
{
    for (int b = 0; b < B; b++) {
        r->loss_sum += t->doc_loss[b];
        r->correct += stepsum_hit(ds, doc[b], t->doc_pred[b]);
    }
    const int64_t nc = stepsum_chunks(t->model->n_dense);
    double sq = 0.0;
    for (int64_t c = 0; c < nc; c++) sq += t->dense_part[c];
    return sq;
}

/* Squared norm of the slots, summed in token order with eight fixed partial
 * sums: the same bits on every thread and for every thread count. */
double stepsum_sq(const double *sq /* [n] */, int64_t n)
{
    double acc[8] = {0};
    int64_t k = 0;
    for (; k + 8 <= n; k += 8)
        for (int j = 0; j < 8; j++) acc[j] += sq[k + j];
    for (; k < n; k++) acc[k & 7] += sq[k];
    return ((acc[0] + acc[1]) + (acc[2] + acc[3])) + ((acc[4] + acc[5]) + (acc[6] + acc[7]));
}

/* Phase 3: the Adam step of the thread's rows. */
void stepsum_update_rows(Stepper *t, const int32_t *own, int64_t n, const AdamStep *as)
{
    Model *m = t->model;
    const int d = m->dims.dim;
    const int64_t eo = m->tensors[TENSOR_EMB].offset;
    for (int64_t j = 0; j < n; j++) {
        if (j + STEPSUM_PREFETCH < n) {
            size_t po = (size_t)eo + (size_t)stepsum_row(t->tok_row[own[j + STEPSUM_PREFETCH]]) * d;
            __builtin_prefetch(m->params + po, 1);
            __builtin_prefetch(t->adam.m + po, 1);
            __builtin_prefetch(t->adam.v + po, 1);
        }
        int32_t r = stepsum_row(t->tok_row[own[j]]);
        size_t o = (size_t)eo + (size_t)r * d;
        adam_update(m->params + o, t->adam.m + o, t->adam.v + o, t->tok_grad + (size_t)own[j] * d, d, as);
    }
}

/* Phase 3 over several processes: the same update of the union's rows on every
 * process, thread tid taking its slice of them. */
void stepsum_update_union(Stepper *t, int tid, int nth, const AdamStep *as)
{
    Model *m = t->model;
    const DistStep *x = t->dist;
    const int d = m->dims.dim;
    const int64_t eo = m->tensors[TENSOR_EMB].offset, lo = x->n * tid / nth, hi = x->n * (tid + 1) / nth;
    for (int64_t j = lo; j < hi; j++) {
        if (j + STEPSUM_PREFETCH < hi) {
            size_t po = (size_t)eo + (size_t)x->row[j + STEPSUM_PREFETCH] * d;
            __builtin_prefetch(m->params + po, 1);
            __builtin_prefetch(t->adam.m + po, 1);
            __builtin_prefetch(t->adam.v + po, 1);
        }
        size_t o = (size_t)eo + (size_t)x->row[j] * d;
        adam_update(m->params + o, t->adam.m + o, t->adam.v + o, x->grad + (size_t)j * d, d, as);
    }
}

void stepsum_update_dense(Stepper *t, int tid, int nth, const AdamStep *as)
{
    Model *m = t->model;
    const int64_t nd = m->n_dense, nc = stepsum_chunks(nd);
    const int64_t lo = nc * tid / nth * STEPSUM_CHUNK, hi = nc * (tid + 1) / nth * STEPSUM_CHUNK;
    if (lo < nd)
        adam_update_block(m->params + lo, t->adam.m + lo, t->adam.v + lo, t->dense_grad + lo, (hi < nd ? hi : nd) - lo,
                          as);
}
