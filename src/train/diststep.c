/* diststep.c - see diststep.h. */
#include "diststep.h"

#include <stdlib.h>
#include <string.h>

#include "dist.h"
#include "mem.h"

void diststep_init(DistStep *x, int size, int d, int64_t n_dense, int64_t cap)
{
    memset(x, 0, sizeof *x);
    x->size = size;
    x->d = d;
    x->n_dense = n_dense;
    x->cap = cap > 0 ? cap : 1;
    const size_t per = 4 + 4 * (size_t)d;
    x->send = xmalloc((size_t)x->cap * per);
    x->recv = xmalloc((size_t)x->cap * per);
    x->head_bytes = (sizeof(DistHead) + (size_t)n_dense * sizeof(float) + 7) / 8 * 8;
    x->head = xcalloc((size_t)size, x->head_bytes);
    x->counts = xcalloc((size_t)size, sizeof *x->counts);
    x->row = xmalloc((size_t)x->cap * sizeof *x->row);
    x->grad = xaligned_calloc((size_t)x->cap * (size_t)d * sizeof *x->grad);
    x->sq = xmalloc((size_t)x->cap * sizeof *x->sq);
    x->table_cap = 16;
    while (x->table_cap < 2 * x->cap) x->table_cap *= 2;
    x->table = xmalloc((size_t)x->table_cap * sizeof *x->table);
}

void diststep_free(DistStep *x)
{
    free(x->send);
    free(x->recv);
    free(x->head);
    free(x->counts);
    free(x->row);
    free(x->grad);
    free(x->sq);
    free(x->table);
    memset(x, 0, sizeof *x);
}

/* This process's rows, in the order of their first tokens: ids, then gradients. */
static int64_t diststep_pack(DistStep *x, const DistLocal *l)
{
    int64_t n = 0;
    for (int b = 0; b < l->n_docs; b++)
        for (int64_t k = l->tok_off[b]; k < l->tok_off[b] + l->doc_kept[b]; k++)
            if (l->tok_first[k]) n++;
    int32_t *ids = (int32_t *)x->send;
    float *g = (float *)(x->send + (size_t)n * 4);
    int64_t j = 0;
    for (int b = 0; b < l->n_docs; b++)
        for (int64_t k = l->tok_off[b]; k < l->tok_off[b] + l->doc_kept[b]; k++)
            if (l->tok_first[k]) {
                ids[j] = l->tok_row[k];
                memcpy(g + (size_t)j * x->d, l->tok_grad + (size_t)k * x->d, (size_t)x->d * sizeof *g);
                j++;
            }
    return n;
}

static const DistHead *diststep_head(const DistStep *x, int r)
{
    return (const DistHead *)(x->head + (size_t)r * x->head_bytes);
}

/* The union of every process's rows, each row's gradients summed in rank order. */
static void diststep_merge(DistStep *x)
{
    const int d = x->d;
    int64_t total = 0;
    for (int r = 0; r < x->size; r++) total += diststep_head(x, r)->rows;
    int bits = 4;
    while (((int64_t)1 << bits) < 2 * total) bits++;
    const uint32_t mask = ((uint32_t)1 << bits) - 1;
    memset(x->table, 0xff, ((size_t)mask + 1) * sizeof *x->table);
    x->n = 0;
    const unsigned char *p = x->recv;
    for (int r = 0; r < x->size; r++) {
        const int64_t n = diststep_head(x, r)->rows;
        const int32_t *ids = (const int32_t *)p;
        const float *g = (const float *)(p + (size_t)n * 4);
        for (int64_t j = 0; j < n; j++) {
            uint32_t h = ((uint32_t)ids[j] * 0x85EBCA6Bu) >> (32 - bits);
            while (x->table[h] >= 0 && x->row[x->table[h]] != ids[j]) h = (h + 1) & mask;
            const float *src = g + (size_t)j * d;
            if (x->table[h] < 0) {
                x->table[h] = (int32_t)x->n;
                x->row[x->n] = ids[j];
                memcpy(x->grad + (size_t)x->n * d, src, (size_t)d * sizeof *src);
                x->n++;
                continue;
            }
            float *dst = x->grad + (size_t)x->table[h] * d;
            for (int e = 0; e < d; e++) dst[e] += src[e];
        }
        p += (size_t)n * (4 + 4 * (size_t)d);
    }
    for (int64_t j = 0; j < x->n; j++) {
        const float *g = x->grad + (size_t)j * d;
        double sq = 0.0;
        for (int e = 0; e < d; e++) sq += (double)g[e] * g[e];
        x->sq[j] = sq;
    }
}

void diststep_exchange(DistStep *x, DistLocal *l)
{
    DistHead me = {.loss = l->loss, .correct = l->correct, .stop = l->stop};
    me.rows = diststep_pack(x, l);
    unsigned char *mine = xcalloc(1, x->head_bytes);
    memcpy(mine, &me, sizeof me);
    memcpy(mine + sizeof me, l->dense, (size_t)x->n_dense * sizeof *l->dense);
    dist_allgather(mine, x->head_bytes, x->head);
    free(mine);
    for (int r = 0; r < x->size; r++) x->counts[r] = (size_t)diststep_head(x, r)->rows * (4 + 4 * (size_t)x->d);
    dist_allgatherv(x->send, x->recv, x->counts);
    diststep_merge(x);
    /* Dense gradients, loss and counts: rank 0's, then rank 1's added, ... */
    l->loss = 0.0;
    l->correct = 0;
    l->stop = 0;
    for (int r = 0; r < x->size; r++) {
        const DistHead *h = diststep_head(x, r);
        const float *g = (const float *)((const unsigned char *)h + sizeof(DistHead));
        if (r == 0) memcpy(l->dense, g, (size_t)x->n_dense * sizeof *g);
        else
            for (int64_t i = 0; i < x->n_dense; i++) l->dense[i] += g[i];
        l->loss += h->loss;
        l->correct += h->correct;
        if (h->stop > l->stop) l->stop = h->stop;
    }
}

double diststep_sq(const DistStep *x)
{
    double acc[8] = {0};
    int64_t k = 0;
    for (; k + 8 <= x->n; k += 8)
        for (int j = 0; j < 8; j++) acc[j] += x->sq[k + j];
    for (; k < x->n; k++) acc[k & 7] += x->sq[k];
    return ((acc[0] + acc[1]) + (acc[2] + acc[3])) + ((acc[4] + acc[5]) + (acc[6] + acc[7]));
}
