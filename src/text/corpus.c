/* corpus.c - see corpus.h. */
#include "corpus.h"

#include <stdlib.h>
#include <string.h>

#include "mem.h"
#include "rng.h"

/* Documents as provisional word ids (insertion order of the raw vocabulary) and
 * provisional label ids, before min_count/max_vocab decide the final vocabulary. */
typedef struct RawCtx {
    const Tokenizer *tk;
    Vocab *words, *labels;
    Dataset raw;  /* ids = provisional word ids, lab = provisional label ids */
    TokenList tl;
    int32_t *tmp;
    size_t tmp_cap;
    int32_t *lab;
    int cap_lab;
} RawCtx;

static int corpus_raw_row(void *ctx, const ReaderRow *row, Status *st)
{
    RawCtx *c = ctx;
    if (c->words->n >= INT32_MAX / 2)
        return status_error(st, "%s:%lld: more than %d distinct words", row->path, (long long)row->line,
                            INT32_MAX / 2);
    tokenizer_run(c->tk, row->text, row->text_len, &c->tl);
    if (c->tl.n > c->tmp_cap) {
        c->tmp_cap = c->tl.n * 2;
        c->tmp = xrealloc(c->tmp, c->tmp_cap * sizeof *c->tmp);
    }
    for (size_t i = 0; i < c->tl.n; i++)
        c->tmp[i] = (int32_t)vocab_add(c->words, c->tl.buf + c->tl.start[i], c->tl.len[i]);
    if (row->n_labels > c->cap_lab) {
        c->cap_lab = row->n_labels * 2;
        c->lab = xrealloc(c->lab, (size_t)c->cap_lab * sizeof *c->lab);
    }
    for (int k = 0; k < row->n_labels; k++) c->lab[k] = (int32_t)vocab_add(c->labels, row->labels[k], row->label_lens[k]);
    dataset_append(&c->raw, c->tmp, (int64_t)c->tl.n, NULL, 0, c->lab, row->n_labels);
    return 0;
}

unsigned char *corpus_valid_mask(int64_t n, double fraction, uint64_t seed)
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

/* The map from raw ids to final ids: the raw words' hashes and remaps. */
typedef struct Remap {
    const int64_t *word;   /* [raw words] final row, or -1 (UNK) */
    const uint64_t *hash;  /* [raw words] hash_word of each raw word */
    const int64_t *label;  /* [raw labels] final label id */
} Remap;

/* Encodes raw documents into train/valid with the final vocabulary. */
static void corpus_encode_raw(const Encoder *enc, const RawCtx *c, const Remap *map, const unsigned char *is_valid,
                              TrainData *out)
{
    int32_t *rows = xmalloc((size_t)(c->raw.max_len + 1) * sizeof *rows);
    uint64_t *hashes = xmalloc((size_t)(c->raw.max_len + 1) * sizeof *hashes);
    int32_t *ids = xmalloc((size_t)(encoder_max_len(enc, c->raw.max_len) + 1) * sizeof *ids);
    uint64_t *feat = xmalloc((size_t)(c->raw.max_len * enc->bayes_ngrams + 1) * sizeof *feat);
    int32_t *lab = xmalloc((size_t)(c->raw.loff[c->raw.n] + 1) * sizeof *lab);
    int64_t unk = encoder_unk_row(enc);
    for (int64_t d = 0; d < c->raw.n; d++) {
        int64_t nw = c->raw.off[d + 1] - c->raw.off[d];
        const int32_t *w = c->raw.ids + c->raw.off[d];
        for (int64_t i = 0; i < nw; i++) {
            rows[i] = (int32_t)(map->word[w[i]] >= 0 ? map->word[w[i]] : unk);
            hashes[i] = map->hash[w[i]];
        }
        int64_t n = encoder_emit(enc, rows, hashes, nw, ids, NULL, NULL);
        int64_t nf = enc->bayes_ngrams > 0 ? encoder_features(enc, hashes, nw, feat) : 0;
        int64_t nl = c->raw.loff[d + 1] - c->raw.loff[d];
        for (int64_t k = 0; k < nl; k++) lab[k] = (int32_t)map->label[c->raw.lab[c->raw.loff[d] + k]];
        dataset_append(is_valid && is_valid[d] ? &out->valid : &out->train, ids, n, feat, nf, lab, nl);
    }
    free(lab);
    free(feat);
    free(rows);
    free(hashes);
    free(ids);
}

static int corpus_read_raw(const CorpusOptions *o, RawCtx *c, Vocab *labels, ReaderStats *rs, Status *st)
{
    dataset_init(&c->raw);
    tokenlist_init(&c->tl);
    c->labels = labels;
    int rc = reader_read(o->train, o->read, corpus_raw_row, c, rs, st);
    if (rc == 0 && labels->n < 2)
        rc = status_error(st, "%s: only one label (\"%s\") in %lld rows: training needs at least two classes",
                          o->train, labels->n ? labels->words[0] : "", (long long)rs->rows);
    tokenlist_free(&c->tl);
    free(c->tmp);
    free(c->lab);
    return rc;
}

static void corpus_data_init(TrainData *out)
{
    memset(out, 0, sizeof *out);
    dataset_init(&out->train);
    dataset_init(&out->valid);
    vocab_init(&out->unknown_valid);
}

static int corpus_load_valid(const CorpusOptions *o, const Encoder *enc, const Vocab *labels, TrainData *out,
                             Status *st)
{
    dataset_free(&out->valid);
    return dataset_load(o->valid, o->read, enc, labels, &out->unknown_valid, &out->valid, &out->valid_stats, st);
}

int corpus_build(const CorpusOptions *o, Encoder *enc, Vocab *labels, TrainData *out, Status *st)
{
    corpus_data_init(out);
    vocab_init(labels);
    Vocab raw_words;
    vocab_init(&raw_words);
    RawCtx c = {.tk = &enc->tk, .words = &raw_words};
    if (corpus_read_raw(o, &c, labels, &out->train_stats, st)) {
        dataset_free(&c.raw);
        vocab_free(&raw_words);
        return -1;
    }
    int64_t *label_remap = xmalloc((size_t)labels->n * sizeof *label_remap);
    vocab_sort_natural(labels, label_remap);

    unsigned char *is_valid = NULL;
    if (!o->valid && o->valid_fraction > 0.0) {
        is_valid = corpus_valid_mask(c.raw.n, o->valid_fraction, o->seed);
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
    vocab_prune(&raw_words, o->vocab.min_count, o->vocab.max_vocab, word_remap);
    vocab_free(&enc->vocab);
    enc->vocab = raw_words;

    int rc = 0;
    if (encoder_rows(enc) >= INT32_MAX)
        rc = status_error(st, "tokenizer.buckets: %lld rows in all exceed the limit of %d",
                          (long long)encoder_rows(enc), INT32_MAX - 1);
    Remap map = {.word = word_remap, .hash = raw_hash, .label = label_remap};
    if (rc == 0) corpus_encode_raw(enc, &c, &map, is_valid, out);
    if (rc == 0 && o->valid) rc = corpus_load_valid(o, enc, labels, out, st);
    free(is_valid);
    free(raw_hash);
    free(word_remap);
    free(label_remap);
    dataset_free(&c.raw);
    return rc;
}

int corpus_reload(const CorpusOptions *o, const Encoder *enc, const Vocab *labels, TrainData *out, Status *st)
{
    corpus_data_init(out);
    Dataset all;
    if (dataset_load(o->train, o->read, enc, labels, &out->unknown_valid, &all, &out->train_stats, st)) return -1;
    unsigned char *is_valid = NULL;
    if (!o->valid && o->valid_fraction > 0.0) is_valid = corpus_valid_mask(all.n, o->valid_fraction, o->seed);
    for (int64_t d = 0; d < all.n; d++)
        dataset_append(is_valid && is_valid[d] ? &out->valid : &out->train, all.ids + all.off[d],
                       all.off[d + 1] - all.off[d], all.feat + all.foff[d], all.foff[d + 1] - all.foff[d],
                       all.lab + all.loff[d], all.loff[d + 1] - all.loff[d]);
    free(is_valid);
    dataset_free(&all);
    return o->valid ? corpus_load_valid(o, enc, labels, out, st) : 0;
}

void corpus_free(TrainData *td)
{
    dataset_free(&td->train);
    dataset_free(&td->valid);
    vocab_free(&td->unknown_valid);
}
