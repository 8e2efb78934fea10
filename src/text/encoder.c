/* encoder.c - see encoder.h. */
#include "encoder.h"

#include <stdlib.h>
#include <string.h>

#include "hash.h"
#include "mem.h"
#include "sort.h"

int64_t encoder_unk_row(const Encoder *e)
{
    return e->vocab.n;
}

void encoder_init(Encoder *e, const TokenizerOptions *to, const EncoderOptions *eo)
{
    memset(e, 0, sizeof *e);
    tokenizer_init(&e->tk, to);
    vocab_init(&e->vocab);
    e->o = *eo;
    if (e->o.ngrams <= 1 && !encoder_has_chars(e)) e->o.buckets = 0;
}

int encoder_has_chars(const Encoder *e)
{
    return e->o.char_min > 0;
}

int64_t encoder_rows(const Encoder *e)
{
    return e->vocab.n + 1 + (e->o.ngrams > 1 || encoder_has_chars(e) ? e->o.buckets : 0);
}

void encoder_free(Encoder *e)
{
    tokenizer_free(&e->tk);
    vocab_free(&e->vocab);
}

void encoder_save(const Encoder *e, CkptWriter *w, int compact)
{
    tokenizer_save(&e->tk, w);
    vocab_save(&e->vocab, w, "VOCB", compact);
    CkptBuf *b = ckpt_section(w, "ENCD", 2);
    ckpt_put_u32(b, (uint32_t)e->o.ngrams);
    ckpt_put_u64(b, (uint64_t)e->o.buckets);
    ckpt_put_u32(b, (uint32_t)e->o.char_min);
    ckpt_put_u32(b, (uint32_t)e->o.char_max);
}

static int encoder_check(const Encoder *e)
{
    const EncoderOptions *o = &e->o;
    int chars_ok = (o->char_min == 0 && o->char_max == 0) || (o->char_min >= 1 && o->char_min <= o->char_max && o->char_max <= 32);
    return o->ngrams < 1 || o->ngrams > 255 || o->buckets < 0 || ((o->ngrams > 1 || o->char_min > 0) && o->buckets < 1) ||
           !chars_ok ? -1 : 0;
}

/* Format 1-3: TOKN = u32 lowercase, clean_html, max_tokens, ngrams; u64 buckets;
 * u64 stopwords, each u32 length + bytes. */
static int encoder_load_legacy(Encoder *e, const CkptSection *sec)
{
    CkptCursor c = ckpt_cursor(sec);
    uint32_t lower = ckpt_u32(&c), html = ckpt_u32(&c), max_tokens = ckpt_u32(&c), ngrams = ckpt_u32(&c);
    e->o.buckets = (int64_t)ckpt_u64(&c);
    e->o.ngrams = ngrams > 255 ? 256 : (int)ngrams;
    uint64_t n = ckpt_u64(&c);
    if (c.bad || encoder_check(e) || max_tokens > INT32_MAX) return -1;
    /* Formats 1-3 were all tokenized by version 1. */
    TokenizerOptions o = {.lowercase = (int)lower, .clean_html = (int)html, .max_tokens = (int)max_tokens,
                          .normalize = TOKENIZER_NORM_NONE, .version = TOKENIZER_V1};
    tokenizer_init(&e->tk, &o);
    return tokenizer_read_stopword_list(&e->tk, &c, n) || !ckpt_done(&c) ? -1 : 0;
}

int encoder_load(Encoder *e, const CkptReader *r, Status *st)
{
    memset(e, 0, sizeof *e);
    vocab_init(&e->vocab);
    CkptSection sec;
    if (r->version < 4) {
        if (!ckpt_find(r, "TOKN", &sec) || encoder_load_legacy(e, &sec)) return ckpt_damaged(r, st, "bad TOKN section");
    } else {
        if (tokenizer_load(&e->tk, r, st)) return -1;
        if (!ckpt_find(r, "ENCD", &sec)) return ckpt_damaged(r, st, "no ENCD section");
        CkptCursor c = ckpt_cursor(&sec);
        uint32_t ngrams = ckpt_u32(&c);
        e->o.ngrams = ngrams > 255 ? 256 : (int)ngrams;
        e->o.buckets = (int64_t)ckpt_u64(&c);
        /* Section version 2 adds the character n-gram lengths. */
        if (sec.version >= 2) {
            uint32_t lo = ckpt_u32(&c), hi = ckpt_u32(&c);
            e->o.char_min = lo > 64 ? 64 : (int)lo;
            e->o.char_max = hi > 64 ? 64 : (int)hi;
        }
        if (sec.version > 2 || !ckpt_done(&c) || encoder_check(e)) return ckpt_damaged(r, st, "bad ENCD section");
    }
    return vocab_load(&e->vocab, r, "VOCB", st);
}

void encodebuf_init(EncodeBuf *b)
{
    memset(b, 0, sizeof *b);
    tokenlist_init(&b->tl);
}

void encodebuf_free(EncodeBuf *b)
{
    tokenlist_free(&b->tl);
    free(b->word_hash);
    free(b->word_row);
    free(b->ids);
    free(b->first);
    free(b->order);
    free(b->feat);
    free(b->word_str);
    memset(b, 0, sizeof *b);
}

int64_t encoder_max_len(const Encoder *e, int64_t nw)
{
    return nw * (e->o.ngrams > 1 ? e->o.ngrams : 1);
}

int64_t encoder_max_ids(const Encoder *e, const uint32_t *word_len, int64_t nw)
{
    int64_t n = encoder_max_len(e, nw);
    if (encoder_has_chars(e) && word_len)
        for (int64_t i = 0; i < nw; i++) n += (int64_t)(e->o.char_max - e->o.char_min + 1) * (word_len[i] + 2);
    return n;
}

/* Appends the bag of word w (row, or unk when it is out of the vocabulary):
 * its row, then the buckets of the character n-grams of "<w>". */
static int64_t encoder_bag(const Encoder *e, int32_t row, const char *w, uint32_t len, int32_t *ids)
{
    const int64_t unk = encoder_unk_row(e), base = unk + 1;
    char buf[1024];
    int64_t n = 0;
    if (row != unk) ids[n++] = row;
    if (len + 2 <= sizeof buf) {
        buf[0] = '<';
        memcpy(buf + 1, w, len);
        buf[len + 1] = '>';
        const size_t total = len + 2;
        /* Character starts: a UTF-8 continuation byte never starts one. */
        for (size_t i = 0; i < total; i++) {
            if (((unsigned char)buf[i] & 0xC0) == 0x80) continue;
            size_t j = i;
            for (int k = 1; k <= e->o.char_max && j < total; k++) {
                j++;
                while (j < total && ((unsigned char)buf[j] & 0xC0) == 0x80) j++;
                /* "<" or ">" alone is no n-gram, as in fastText. */
                if (k < e->o.char_min || (k == 1 && (i == 0 || j == total))) continue;
                int32_t r = (int32_t)(base + (int64_t)(hash_word(buf + i, j - i) % (uint64_t)e->o.buckets));
                ids[n] = n ? ~r : r;
                n++;
            }
        }
    }
    if (n == 0) ids[n++] = (int32_t)unk;
    return n;
}

int64_t encoder_emit(const Encoder *e, const int32_t *word_row, const uint64_t *word_hash,
                     const char *const *word_str, const uint32_t *word_len, int64_t nw, int32_t *ids,
                     int32_t *first, uint8_t *order, int64_t *n_pos)
{
    int64_t n = 0, p = 0, base = encoder_unk_row(e) + 1;
    const int chars = encoder_has_chars(e) && word_str;
    for (int64_t i = 0; i < nw; i++) {
        if (first) first[p] = (int32_t)i;
        if (order) order[p] = 1;
        p++;
        if (chars) n += encoder_bag(e, word_row[i], word_str[i], word_len[i], ids + n);
        else ids[n++] = word_row[i];
        for (int k = 2; k <= e->o.ngrams && k <= i + 1; k++) {
            uint64_t h = hash_ngram(word_hash + i - k + 1, k);
            if (first) first[p] = (int32_t)(i - k + 1);
            if (order) order[p] = (uint8_t)k;
            p++;
            ids[n++] = (int32_t)(base + (int64_t)(h % (uint64_t)e->o.buckets));
        }
    }
    if (n_pos) *n_pos = p;
    return n;
}

int64_t encoder_features(const Encoder *e, const uint64_t *word_hash, int64_t nw, uint64_t *feat)
{
    int64_t n = 0;
    for (int64_t i = 0; i < nw; i++)
        for (int k = 1; k <= e->bayes_ngrams && k <= i + 1; k++)
            feat[n++] = hash_ngram(word_hash + i - k + 1, k);
    /* Binarized counts (a feature counts once per document) need each feature once. */
    sort_u64(feat, n);
    int64_t u = 0;
    for (int64_t i = 0; i < n; i++)
        if (u == 0 || feat[i] != feat[u - 1]) feat[u++] = feat[i];
    return u;
}

void encoder_encode(const Encoder *e, const char *text, size_t len, EncodeBuf *b)
{
    tokenizer_run(&e->tk, text, len, &b->tl);
    int64_t nw = (int64_t)b->tl.n;
    if (nw > b->cap_words) {
        b->cap_words = nw * 2;
        b->word_hash = xrealloc(b->word_hash, (size_t)b->cap_words * sizeof *b->word_hash);
        b->word_row = xrealloc(b->word_row, (size_t)b->cap_words * sizeof *b->word_row);
    }
    int64_t need = encoder_max_ids(e, b->tl.len, nw);
    if (need > b->cap_ids) {
        b->cap_ids = need * 2;
        b->ids = xrealloc(b->ids, (size_t)b->cap_ids * sizeof *b->ids);
        b->first = xrealloc(b->first, (size_t)b->cap_ids * sizeof *b->first);
        b->order = xrealloc(b->order, (size_t)b->cap_ids * sizeof *b->order);
    }
    if (encoder_has_chars(e) && nw > b->cap_str) {
        b->cap_str = nw * 2;
        b->word_str = xrealloc(b->word_str, (size_t)b->cap_str * sizeof *b->word_str);
    }
    int64_t unk = encoder_unk_row(e);
    for (int64_t i = 0; i < nw; i++) {
        const char *w = b->tl.buf + b->tl.start[i];
        size_t wl = b->tl.len[i];
        b->word_hash[i] = hash_word(w, wl);
        int64_t id = vocab_find_hashed(&e->vocab, w, wl, b->word_hash[i]);
        b->word_row[i] = (int32_t)(id >= 0 ? id : unk);
        if (encoder_has_chars(e)) b->word_str[i] = w;
    }
    b->n = encoder_emit(e, b->word_row, b->word_hash, (const char *const *)b->word_str, b->tl.len, nw, b->ids,
                        b->first, b->order, &b->n_pos);
    b->n_feat = 0;
    if (e->bayes_ngrams > 0) {
        if (nw * e->bayes_ngrams > b->cap_feat) {
            b->cap_feat = nw * e->bayes_ngrams * 2;
            b->feat = xrealloc(b->feat, (size_t)b->cap_feat * sizeof *b->feat);
        }
        b->n_feat = encoder_features(e, b->word_hash, nw, b->feat);
    }
}

void encoder_position_text(const EncodeBuf *b, int64_t i, char *out, size_t cap)
{
    size_t used = 0;
    out[0] = '\0';
    for (int k = 0; k < b->order[i]; k++) {
        size_t w = (size_t)b->first[i] + (size_t)k;
        const char *s = b->tl.buf + b->tl.start[w];
        size_t sl = b->tl.len[w];
        if (k && used + 1 < cap) out[used++] = ' ';
        if (used + sl >= cap) sl = cap - 1 - used;
        memcpy(out + used, s, sl);
        used += sl;
        out[used] = '\0';
    }
}
