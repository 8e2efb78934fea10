/* dataset.c - see dataset.h. */
#include "dataset.h"

#include <stdlib.h>
#include <string.h>

#include "mem.h"

void dataset_init(Dataset *ds)
{
    memset(ds, 0, sizeof *ds);
    ds->off = xcalloc(1, sizeof *ds->off);
    ds->loff = xcalloc(1, sizeof *ds->loff);
    ds->foff = xcalloc(1, sizeof *ds->foff);
    /* Never NULL, so ids + off[i], lab + loff[i] and feat + foff[i] are valid even when empty. */
    ds->ids = xmalloc(sizeof *ds->ids);
    ds->lab = xmalloc(sizeof *ds->lab);
    ds->feat = xmalloc(sizeof *ds->feat);
    ds->cap_ids = ds->cap_lab = ds->cap_feat = 1;
    ds->owned = 1;
}

void dataset_free(Dataset *ds)
{
    if (ds->owned) {
        free(ds->off);
        free(ds->ids);
        free(ds->loff);
        free(ds->lab);
        free(ds->foff);
        free(ds->feat);
        free(ds->w);
    }
    memset(ds, 0, sizeof *ds);
}

/* A view's arrays are read-only: nothing writes through a Dataset once built. */
void dataset_view(Dataset *ds, int64_t n, const int64_t *off, const int32_t *ids, const int64_t *loff,
                  const int32_t *lab, const int64_t *foff, const uint64_t *feat, const float *w, int64_t max_len)
{
    memset(ds, 0, sizeof *ds);
    ds->n = n;
    ds->off = (int64_t *)off;
    ds->ids = (int32_t *)ids;
    ds->loff = (int64_t *)loff;
    ds->lab = (int32_t *)lab;
    ds->foff = (int64_t *)foff;
    ds->feat = (uint64_t *)feat;
    ds->w = (float *)w;
    ds->max_len = max_len;
}

void dataset_slice(Dataset *out, const Dataset *ds, int64_t lo, int64_t hi)
{
    dataset_view(out, hi - lo, ds->off + lo, ds->ids, ds->loff + lo, ds->lab, ds->foff + lo, ds->feat,
                 ds->w ? ds->w + lo : NULL, ds->max_len);
}

/* Copies n elements of size es to the CSR array *arr (capacity *cap) at position at. */
static void dataset_put(void **arr, int64_t *cap, size_t es, int64_t at, const void *src, int64_t n)
{
    if (at + n > *cap) {
        while (at + n > *cap) *cap = *cap < (1 << 15) ? 1 << 16 : 2 * *cap;
        *arr = xrealloc(*arr, (size_t)*cap * es);
    }
    if (n) memcpy((char *)*arr + (size_t)at * es, src, (size_t)n * es);
}

void dataset_append(Dataset *ds, const int32_t *ids, int64_t n, const uint64_t *feat, int64_t nf,
                    const int32_t *lab, int64_t nl)
{
    if (!ds->owned) abort(); /* a caller's bug: views are read-only */
    if (ds->n + 1 >= ds->cap_docs) {
        ds->cap_docs = ds->cap_docs ? 2 * ds->cap_docs : 1024;
        ds->off = xrealloc(ds->off, (size_t)(ds->cap_docs + 1) * sizeof *ds->off);
        ds->loff = xrealloc(ds->loff, (size_t)(ds->cap_docs + 1) * sizeof *ds->loff);
        ds->foff = xrealloc(ds->foff, (size_t)(ds->cap_docs + 1) * sizeof *ds->foff);
        if (ds->w) ds->w = xrealloc(ds->w, (size_t)(ds->cap_docs + 1) * sizeof *ds->w);
    }
    if (ds->w) ds->w[ds->n] = 1.0f;
    int64_t at = ds->off[ds->n], lat = ds->loff[ds->n], fat = ds->foff[ds->n];
    void *p = ds->ids, *l = ds->lab, *q = ds->feat;
    dataset_put(&p, &ds->cap_ids, sizeof *ds->ids, at, ids, n);
    dataset_put(&l, &ds->cap_lab, sizeof *ds->lab, lat, lab, nl);
    dataset_put(&q, &ds->cap_feat, sizeof *ds->feat, fat, feat, nf);
    ds->ids = p;
    ds->lab = l;
    ds->feat = q;
    ds->loff[ds->n + 1] = lat + nl;
    ds->foff[ds->n + 1] = fat + nf;
    ds->off[++ds->n] = at + n;
    if (n > ds->max_len) ds->max_len = n;
}

void dataset_set_weight(Dataset *ds, float w)
{
    if (ds->n == 0 || (!ds->w && w == 1.0f)) return;
    if (!ds->w) {
        ds->w = xmalloc((size_t)(ds->cap_docs + 1) * sizeof *ds->w);
        for (int64_t i = 0; i < ds->n; i++) ds->w[i] = 1.0f;
    }
    ds->w[ds->n - 1] = w;
}

/* ---- reading an encoded file ---- */

typedef struct LoadCtx {
    const Encoder *enc;
    const Vocab *labels;
    Vocab *unknown;
    Dataset *out, *words;
    EncodeBuf buf;
    int32_t *lab;  /* [cap_lab] the row's label ids */
    int cap_lab;
} LoadCtx;

static int32_t dataset_label_id(const Vocab *labels, Vocab *unknown, const char *s, size_t n)
{
    int64_t id = vocab_find(labels, s, n);
    if (id >= 0) return (int32_t)id;
    return (int32_t)(labels->n + vocab_add(unknown, s, n));
}

static int dataset_load_row(void *ctx, const ReaderRow *row, Status *st)
{
    (void)st;
    LoadCtx *c = ctx;
    if (row->n_labels > c->cap_lab) {
        c->cap_lab = row->n_labels * 2;
        c->lab = xrealloc(c->lab, (size_t)c->cap_lab * sizeof *c->lab);
    }
    for (int k = 0; k < row->n_labels; k++)
        c->lab[k] = dataset_label_id(c->labels, c->unknown, row->labels[k], row->label_lens[k]);
    encoder_encode(c->enc, row->text, row->text_len, &c->buf);
    dataset_append(c->out, c->buf.ids, c->buf.n, c->buf.feat, c->buf.n_feat, c->lab, row->n_labels);
    dataset_set_weight(c->out, (float)row->weight);
    const int64_t nw = (int64_t)c->buf.tl.n;
    if (c->words) {
        dataset_append(c->words, c->buf.word_row, nw, c->buf.word_hash, nw, c->lab, row->n_labels);
        dataset_set_weight(c->words, (float)row->weight);
    }
    return 0;
}

int dataset_load(const char *path, const ReaderOptions *ro, const Encoder *enc, const Vocab *labels,
                 Vocab *unknown, Dataset *out, Dataset *words, ReaderStats *rs, Status *st)
{
    LoadCtx c = {.enc = enc, .labels = labels, .unknown = unknown, .out = out, .words = words};
    encodebuf_init(&c.buf);
    dataset_init(out);
    if (words) dataset_init(words);
    int rc = reader_read(path, ro, dataset_load_row, &c, rs, st);
    encodebuf_free(&c.buf);
    free(c.lab);
    if (rc) {
        dataset_free(out);
        if (words) dataset_free(words);
    }
    return rc;
}
