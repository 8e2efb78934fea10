/* dataset.c - see dataset.h. */
#include "dataset.h"

#include <stdlib.h>
#include <string.h>

#include "hash.h"
#include "mem.h"
#include "rng.h"

void dataset_init(Dataset *ds)
{
    memset(ds, 0, sizeof *ds);
    ds->off = xcalloc(1, sizeof *ds->off);
    ds->foff = xcalloc(1, sizeof *ds->foff);
    /* Never NULL, so ids + off[i] and feat + foff[i] are valid even when empty. */
    ds->ids = xmalloc(sizeof *ds->ids);
    ds->feat = xmalloc(sizeof *ds->feat);
    ds->cap_ids = ds->cap_feat = 1;
}

void dataset_free(Dataset *ds)
{
    free(ds->off);
    free(ds->ids);
    free(ds->labels);
    free(ds->foff);
    free(ds->feat);
    memset(ds, 0, sizeof *ds);
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

void dataset_append(Dataset *ds, const int32_t *ids, int64_t n, const uint64_t *feat, int64_t nf, int32_t label)
{
    if (ds->n + 1 >= ds->cap_docs) {
        ds->cap_docs = ds->cap_docs ? 2 * ds->cap_docs : 1024;
        ds->off = xrealloc(ds->off, (size_t)(ds->cap_docs + 1) * sizeof *ds->off);
        ds->foff = xrealloc(ds->foff, (size_t)(ds->cap_docs + 1) * sizeof *ds->foff);
        ds->labels = xrealloc(ds->labels, (size_t)ds->cap_docs * sizeof *ds->labels);
    }
    int64_t at = ds->off[ds->n], fat = ds->foff[ds->n];
    void *p = ds->ids, *q = ds->feat;
    dataset_put(&p, &ds->cap_ids, sizeof *ds->ids, at, ids, n);
    dataset_put(&q, &ds->cap_feat, sizeof *ds->feat, fat, feat, nf);
    ds->ids = p;
    ds->feat = q;
    ds->labels[ds->n] = label;
    ds->foff[ds->n + 1] = fat + nf;
    ds->off[++ds->n] = at + n;
    if (n > ds->max_len) ds->max_len = n;
}

/* ---- reading an encoded file ---- */

typedef struct LoadCtx {
    const Encoder *enc;
    const Vocab *labels;
    Vocab *unknown;
    Dataset *out;
    EncodeBuf buf;
} LoadCtx;

static int32_t dataset_label_id(const Vocab *labels, Vocab *unknown, const char *s, size_t n)
{
    int64_t id = vocab_find(labels, s, n);
    if (id >= 0) return (int32_t)id;
    return (int32_t)(labels->n + vocab_add(unknown, s, n));
}

static int dataset_load_row(void *ctx, const char *label, size_t label_len, const char *text,
                            size_t text_len, const char *path, int64_t line, Status *st)
{
    (void)path, (void)line, (void)st;
    LoadCtx *c = ctx;
    encoder_encode(c->enc, text, text_len, &c->buf);
    dataset_append(c->out, c->buf.ids, c->buf.n, c->buf.feat, c->buf.n_feat,
                   dataset_label_id(c->labels, c->unknown, label, label_len));
    return 0;
}

int dataset_load(const char *path, const DataConfig *dc, const Encoder *enc, const Vocab *labels,
                 Vocab *unknown, Dataset *out, ReaderStats *rs, Status *st)
{
    LoadCtx c = {.enc = enc, .labels = labels, .unknown = unknown, .out = out};
    encodebuf_init(&c.buf);
    dataset_init(out);
    int rc = reader_read(path, dc, dataset_load_row, &c, rs, st);
    encodebuf_free(&c.buf);
    if (rc) dataset_free(out);
    return rc;
}

/* ---- building the training data ---- */

/* Documents as provisional word ids (insertion order of the raw vocabulary),
 * before min_count/max_vocab decide the final vocabulary. */
typedef struct RawCtx {
    const Tokenizer *tk;
    Vocab *words, *labels;
    Dataset raw;  /* ids = provisional word ids, labels = provisional label ids */
    TokenList tl;
    int32_t *tmp;
    size_t tmp_cap;
} RawCtx;

static int dataset_raw_row(void *ctx, const char *label, size_t label_len, const char *text,
                           size_t text_len, const char *path, int64_t line, Status *st)
{
    RawCtx *c = ctx;
    if (c->words->n >= INT32_MAX / 2)
        return status_error(st, "%s:%lld: more than %d distinct words", path, (long long)line, INT32_MAX / 2);
    tokenizer_run(c->tk, text, text_len, &c->tl);
    if (c->tl.n > c->tmp_cap) {
        c->tmp_cap = c->tl.n * 2;
        c->tmp = xrealloc(c->tmp, c->tmp_cap * sizeof *c->tmp);
    }
    for (size_t i = 0; i < c->tl.n; i++)
        c->tmp[i] = (int32_t)vocab_add(c->words, c->tl.buf + c->tl.start[i], c->tl.len[i]);
    dataset_append(&c->raw, c->tmp, (int64_t)c->tl.n, NULL, 0, (int32_t)vocab_add(c->labels, label, label_len));
    return 0;
}

/* Marks which raw documents go to validation: a seeded shuffle, first k. */
static unsigned char *dataset_split(int64_t n, double fraction, uint64_t seed)
{
    unsigned char *is_valid = xcalloc((size_t)n, 1);
    int64_t k = (int64_t)((double)n * fraction + 0.5);
    if (k <= 0) return is_valid;
    if (k >= n) k = n - 1;
    int64_t *idx = xmalloc((size_t)n * sizeof *idx);
    for (int64_t i = 0; i < n; i++) idx[i] = i;
    Rng r;
    rng_seed(&r, rng_mix(seed, 0x73706c6974ull /* "split" */, 0));
    rng_shuffle(&r, idx, n);
    for (int64_t i = 0; i < k; i++) is_valid[idx[i]] = 1;
    free(idx);
    return is_valid;
}

/* Encodes raw documents into train/valid with the final vocabulary. */
static void dataset_encode_raw(const Encoder *enc, const RawCtx *c, const int64_t *word_remap,
                               const uint64_t *raw_hash, const int64_t *label_remap,
                               const unsigned char *is_valid, TrainData *out)
{
    int32_t *rows = xmalloc((size_t)(c->raw.max_len + 1) * sizeof *rows);
    uint64_t *hashes = xmalloc((size_t)(c->raw.max_len + 1) * sizeof *hashes);
    int32_t *ids = xmalloc((size_t)(encoder_max_len(enc, c->raw.max_len) + 1) * sizeof *ids);
    uint64_t *feat = xmalloc((size_t)(c->raw.max_len * enc->bayes_ngrams + 1) * sizeof *feat);
    int64_t unk = encoder_unk_row(enc);
    for (int64_t d = 0; d < c->raw.n; d++) {
        int64_t nw = c->raw.off[d + 1] - c->raw.off[d];
        const int32_t *w = c->raw.ids + c->raw.off[d];
        for (int64_t i = 0; i < nw; i++) {
            rows[i] = (int32_t)(word_remap[w[i]] >= 0 ? word_remap[w[i]] : unk);
            hashes[i] = raw_hash[w[i]];
        }
        int64_t n = encoder_emit(enc, rows, hashes, nw, ids, NULL, NULL);
        int64_t nf = enc->bayes_ngrams > 0 ? encoder_features(enc, hashes, nw, feat) : 0;
        dataset_append(is_valid && is_valid[d] ? &out->valid : &out->train, ids, n, feat, nf,
                       (int32_t)label_remap[c->raw.labels[d]]);
    }
    free(feat);
    free(rows);
    free(hashes);
    free(ids);
}

static int dataset_read_raw(const Config *cfg, RawCtx *c, Vocab *labels, ReaderStats *rs, Status *st)
{
    dataset_init(&c->raw);
    tokenlist_init(&c->tl);
    c->labels = labels;
    int rc = reader_read(cfg->data.train, &cfg->data, dataset_raw_row, c, rs, st);
    if (rc == 0 && labels->n < 2)
        rc = status_error(st, "%s: only one label (\"%s\") in %lld rows: training needs at least two classes",
                          cfg->data.train, labels->n ? labels->words[0] : "", (long long)rs->rows);
    tokenlist_free(&c->tl);
    free(c->tmp);
    return rc;
}

int dataset_build_train(const Config *cfg, Encoder *enc, Vocab *labels, TrainData *out, Status *st)
{
    memset(out, 0, sizeof *out);
    dataset_init(&out->train);
    dataset_init(&out->valid);
    vocab_init(&out->unknown_valid);
    vocab_init(labels);
    Vocab raw_words;
    vocab_init(&raw_words);
    RawCtx c = {.tk = &enc->tk, .words = &raw_words};
    if (dataset_read_raw(cfg, &c, labels, &out->train_stats, st)) {
        dataset_free(&c.raw);
        vocab_free(&raw_words);
        return -1;
    }
    int64_t *label_remap = xmalloc((size_t)labels->n * sizeof *label_remap);
    vocab_sort_natural(labels, label_remap);

    unsigned char *is_valid = NULL;
    if (!cfg->data.valid && cfg->data.valid_fraction > 0.0) {
        is_valid = dataset_split(c.raw.n, cfg->data.valid_fraction, cfg->train.seed);
        /* Count words over the training part only, so validation words unseen
         * in training are UNK as they would be on new data. */
        memset(raw_words.counts, 0, (size_t)raw_words.n * sizeof *raw_words.counts);
        for (int64_t d = 0; d < c.raw.n; d++)
            if (!is_valid[d])
                for (int64_t i = c.raw.off[d]; i < c.raw.off[d + 1]; i++) raw_words.counts[c.raw.ids[i]]++;
    }
    out->words_seen = raw_words.n;
    uint64_t *raw_hash = xmalloc((size_t)(raw_words.n + 1) * sizeof *raw_hash);
    memcpy(raw_hash, raw_words.hashes, (size_t)raw_words.n * sizeof *raw_hash);
    int64_t *word_remap = xmalloc((size_t)(raw_words.n + 1) * sizeof *word_remap);
    vocab_prune(&raw_words, cfg->tokenizer.min_count, cfg->tokenizer.max_vocab, word_remap);
    vocab_free(&enc->vocab);
    enc->vocab = raw_words;

    int rc = 0;
    if (encoder_rows(enc) >= INT32_MAX)
        rc = status_error(st, "tokenizer.buckets: %lld rows in all exceed the limit of %d",
                          (long long)encoder_rows(enc), INT32_MAX - 1);
    if (rc == 0) dataset_encode_raw(enc, &c, word_remap, raw_hash, label_remap, is_valid, out);
    if (rc == 0 && cfg->data.valid) {
        dataset_free(&out->valid);
        rc = dataset_load(cfg->data.valid, &cfg->data, enc, labels, &out->unknown_valid, &out->valid,
                          &out->valid_stats, st);
    }
    free(is_valid);
    free(raw_hash);
    free(word_remap);
    free(label_remap);
    dataset_free(&c.raw);
    return rc;
}

int dataset_load_train(const Config *cfg, const Encoder *enc, const Vocab *labels, TrainData *out,
                       Status *st)
{
    memset(out, 0, sizeof *out);
    dataset_init(&out->train);
    dataset_init(&out->valid);
    vocab_init(&out->unknown_valid);
    Dataset all;
    if (dataset_load(cfg->data.train, &cfg->data, enc, labels, &out->unknown_valid, &all, &out->train_stats, st))
        return -1;
    unsigned char *is_valid = NULL;
    if (!cfg->data.valid && cfg->data.valid_fraction > 0.0)
        is_valid = dataset_split(all.n, cfg->data.valid_fraction, cfg->train.seed);
    for (int64_t d = 0; d < all.n; d++)
        dataset_append(is_valid && is_valid[d] ? &out->valid : &out->train, all.ids + all.off[d],
                       all.off[d + 1] - all.off[d], all.feat + all.foff[d], all.foff[d + 1] - all.foff[d],
                       all.labels[d]);
    free(is_valid);
    dataset_free(&all);
    if (cfg->data.valid) {
        dataset_free(&out->valid);
        return dataset_load(cfg->data.valid, &cfg->data, enc, labels, &out->unknown_valid, &out->valid,
                            &out->valid_stats, st);
    }
    return 0;
}

void traindata_free(TrainData *td)
{
    dataset_free(&td->train);
    dataset_free(&td->valid);
    vocab_free(&td->unknown_valid);
}
