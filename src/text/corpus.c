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
    dataset_set_weight(&c->raw, (float)row->weight);
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
    char *const *str;      /* [raw words] each raw word, with character n-grams; else NULL */
    const uint32_t *len;   /* [raw words] its bytes */
} Remap;

/* Buffers for encoding documents of up to max_len words. */
typedef struct EncodeScratch {
    int32_t *rows, *ids, *lab;
    uint64_t *hashes, *feat;
    const char **str;
    uint32_t *len;
    int64_t cap_ids;
} EncodeScratch;

static void corpus_scratch_init(EncodeScratch *b, const Encoder *enc, int64_t max_len, int64_t max_labels)
{
    b->rows = xmalloc((size_t)(max_len + 1) * sizeof *b->rows);
    b->hashes = xmalloc((size_t)(max_len + 1) * sizeof *b->hashes);
    b->cap_ids = encoder_max_len(enc, max_len) + 1;
    b->ids = xmalloc((size_t)b->cap_ids * sizeof *b->ids);
    b->feat = xmalloc((size_t)(max_len * enc->bayes_ngrams + 1) * sizeof *b->feat);
    b->lab = xmalloc((size_t)(max_labels + 1) * sizeof *b->lab);
    b->str = xmalloc((size_t)(max_len + 1) * sizeof *b->str);
    b->len = xmalloc((size_t)(max_len + 1) * sizeof *b->len);
}

static void corpus_scratch_free(EncodeScratch *b)
{
    free(b->rows);
    free(b->hashes);
    free(b->ids);
    free(b->feat);
    free(b->lab);
    free(b->str);
    free(b->len);
}

/* Appends the document of words (rows, hashes [nw]; with character n-grams
 * b->str and b->len hold the words) to dst, encoded by enc. */
static void corpus_encode_doc(const Encoder *enc, EncodeScratch *b, const int32_t *rows, const uint64_t *hashes,
                              int64_t nw, const int32_t *lab, int64_t nl, Dataset *dst)
{
    const int chars = encoder_has_chars(enc);
    int64_t need = encoder_max_ids(enc, chars ? b->len : NULL, nw) + 1;
    if (need > b->cap_ids) {
        b->cap_ids = 2 * need;
        b->ids = xrealloc(b->ids, (size_t)b->cap_ids * sizeof *b->ids);
    }
    int64_t n = encoder_emit(enc, rows, hashes, chars ? b->str : NULL, chars ? b->len : NULL, nw, b->ids, NULL, NULL,
                             NULL);
    int64_t nf = enc->bayes_ngrams > 0 ? encoder_features(enc, hashes, nw, b->feat) : 0;
    dataset_append(dst, b->ids, n, b->feat, nf, lab, nl);
}

/* Encodes raw documents into train/valid with the final vocabulary (and keeps
 * them as words when asked). */
static void corpus_encode_raw(const Encoder *enc, const RawCtx *c, const Remap *map, const unsigned char *is_valid,
                              int keep_words, TrainData *out)
{
    EncodeScratch b;
    corpus_scratch_init(&b, enc, c->raw.max_len, c->raw.loff[c->raw.n]);
    int64_t unk = encoder_unk_row(enc);
    for (int64_t d = 0; d < c->raw.n; d++) {
        int64_t nw = c->raw.off[d + 1] - c->raw.off[d];
        const int32_t *w = c->raw.ids + c->raw.off[d];
        for (int64_t i = 0; i < nw; i++) {
            b.rows[i] = (int32_t)(map->word[w[i]] >= 0 ? map->word[w[i]] : unk);
            b.hashes[i] = map->hash[w[i]];
            if (map->str) {
                b.str[i] = map->str[w[i]];
                b.len[i] = map->len[w[i]];
            }
        }
        int64_t nl = c->raw.loff[d + 1] - c->raw.loff[d];
        for (int64_t k = 0; k < nl; k++) b.lab[k] = (int32_t)map->label[c->raw.lab[c->raw.loff[d] + k]];
        int valid = is_valid && is_valid[d];
        const float weight = dataset_weight(&c->raw, d);
        Dataset *dst = valid ? &out->valid : &out->train;
        corpus_encode_doc(enc, &b, b.rows, b.hashes, nw, b.lab, nl, dst);
        dataset_set_weight(dst, weight);
        if (keep_words) {
            dst = valid ? &out->words_valid : &out->words_train;
            dataset_append(dst, b.rows, nw, b.hashes, nw, b.lab, nl);
            dataset_set_weight(dst, weight);
        }
    }
    corpus_scratch_free(&b);
}

/* All of words (rows in ids, hashes in feat) encoded by enc into dst; with
 * rows (the encoded documents of character n-gram bags) only the features are
 * made, and the rows are copied. */
static void corpus_encode_words(const Encoder *enc, const Dataset *words, const Dataset *rows, Dataset *dst)
{
    EncodeScratch b;
    corpus_scratch_init(&b, enc, words->max_len, 0);
    for (int64_t d = 0; d < words->n; d++) {
        const int64_t o = words->off[d], lo = words->loff[d], nw = words->off[d + 1] - o;
        if (!rows) {
            corpus_encode_doc(enc, &b, words->ids + o, words->feat + o, nw, words->lab + lo, words->loff[d + 1] - lo,
                              dst);
        } else {
            int64_t nf = enc->bayes_ngrams > 0 ? encoder_features(enc, words->feat + o, nw, b.feat) : 0;
            dataset_append(dst, rows->ids + rows->off[d], rows->off[d + 1] - rows->off[d], b.feat, nf,
                           words->lab + lo, words->loff[d + 1] - lo);
        }
        dataset_set_weight(dst, dataset_weight(words, d));
    }
    corpus_scratch_free(&b);
}

void corpus_reencode(const TrainData *src, const Encoder *enc, TrainData *out)
{
    memset(out, 0, sizeof *out);
    dataset_init(&out->train);
    dataset_init(&out->valid);
    dataset_init(&out->words_train);
    dataset_init(&out->words_valid);
    const int chars = encoder_has_chars(enc);
    corpus_encode_words(enc, &src->words_train, chars ? &src->train : NULL, &out->train);
    corpus_encode_words(enc, &src->words_valid, chars ? &src->valid : NULL, &out->valid);
    out->train_stats = src->train_stats;
    out->valid_stats = src->valid_stats;
    out->words_seen = src->words_seen;
    vocab_init(&out->unknown_valid);
    for (int64_t i = 0; i < src->unknown_valid.n; i++)
        vocab_add(&out->unknown_valid, src->unknown_valid.words[i], src->unknown_valid.lens[i]);
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
    dataset_init(&out->words_train);
    dataset_init(&out->words_valid);
    vocab_init(&out->unknown_valid);
}

static int corpus_load_valid(const CorpusOptions *o, const Encoder *enc, const Vocab *labels, TrainData *out,
                             Status *st)
{
    dataset_free(&out->valid);
    if (o->keep_words) dataset_free(&out->words_valid);
    return dataset_load(o->valid, o->read, enc, labels, &out->unknown_valid, &out->valid,
                        o->keep_words ? &out->words_valid : NULL, &out->valid_stats, st);
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
    /* Character n-grams need every word's letters, those pruning drops too. */
    const int64_t n_raw = raw_words.n;
    char **raw_str = NULL;
    uint32_t *raw_len = NULL;
    if (encoder_has_chars(enc)) {
        raw_str = xmalloc((size_t)(n_raw + 1) * sizeof *raw_str);
        raw_len = xmalloc((size_t)(n_raw + 1) * sizeof *raw_len);
        for (int64_t i = 0; i < n_raw; i++) {
            raw_str[i] = xstrndup(raw_words.words[i], raw_words.lens[i]);
            raw_len[i] = raw_words.lens[i];
        }
    }
    int64_t *word_remap = xmalloc((size_t)(raw_words.n + 1) * sizeof *word_remap);
    vocab_prune(&raw_words, o->vocab.min_count, o->vocab.max_vocab, word_remap);
    vocab_free(&enc->vocab);
    enc->vocab = raw_words;

    int rc = 0;
    if (encoder_rows(enc) >= INT32_MAX)
        rc = status_error(st, "tokenizer.buckets: %lld rows in all exceed the limit of %d",
                          (long long)encoder_rows(enc), INT32_MAX - 1);
    Remap map = {.word = word_remap, .hash = raw_hash, .label = label_remap, .str = raw_str, .len = raw_len};
    if (rc == 0) corpus_encode_raw(enc, &c, &map, is_valid, o->keep_words, out);
    if (rc == 0 && o->valid) rc = corpus_load_valid(o, enc, labels, out, st);
    free(is_valid);
    free(raw_hash);
    for (int64_t i = 0; raw_str && i < n_raw; i++) free(raw_str[i]);
    free(raw_str);
    free(raw_len);
    free(word_remap);
    free(label_remap);
    dataset_free(&c.raw);
    return rc;
}

int corpus_reload(const CorpusOptions *o, const Encoder *enc, const Vocab *labels, TrainData *out, Status *st)
{
    corpus_data_init(out);
    Dataset all;
    if (dataset_load(o->train, o->read, enc, labels, &out->unknown_valid, &all, NULL, &out->train_stats, st)) return -1;
    unsigned char *is_valid = NULL;
    if (!o->valid && o->valid_fraction > 0.0) is_valid = corpus_valid_mask(all.n, o->valid_fraction, o->seed);
    for (int64_t d = 0; d < all.n; d++) {
        Dataset *dst = is_valid && is_valid[d] ? &out->valid : &out->train;
        dataset_append(dst, all.ids + all.off[d], all.off[d + 1] - all.off[d], all.feat + all.foff[d],
                       all.foff[d + 1] - all.foff[d], all.lab + all.loff[d], all.loff[d + 1] - all.loff[d]);
        dataset_set_weight(dst, dataset_weight(&all, d));
    }
    free(is_valid);
    dataset_free(&all);
    return o->valid ? corpus_load_valid(o, enc, labels, out, st) : 0;
}

void corpus_free(TrainData *td)
{
    dataset_free(&td->train);
    dataset_free(&td->valid);
    dataset_free(&td->words_train);
    dataset_free(&td->words_valid);
    vocab_free(&td->unknown_valid);
}
