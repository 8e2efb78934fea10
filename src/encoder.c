/* encoder.c - see encoder.h. */
#include "encoder.h"

#include <stdlib.h>
#include <string.h>

#include "hash.h"
#include "mem.h"

int64_t encoder_unk_row(const Encoder *e)
{
    return e->vocab.n;
}

int64_t encoder_rows(const Encoder *e)
{
    return e->vocab.n + 1 + (e->ngrams > 1 ? e->buckets : 0);
}

void encoder_free(Encoder *e)
{
    tokenizer_free(&e->tk);
    vocab_free(&e->vocab);
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
    memset(b, 0, sizeof *b);
}

int64_t encoder_max_len(const Encoder *e, int64_t nw)
{
    return nw * (e->ngrams > 1 ? e->ngrams : 1);
}

int64_t encoder_emit(const Encoder *e, const int32_t *word_row, const uint64_t *word_hash,
                     int64_t nw, int32_t *ids, int32_t *first, uint8_t *order)
{
    int64_t n = 0, base = encoder_unk_row(e) + 1;
    for (int64_t i = 0; i < nw; i++) {
        if (first) first[n] = (int32_t)i;
        if (order) order[n] = 1;
        ids[n++] = word_row[i];
        for (int k = 2; k <= e->ngrams && k <= i + 1; k++) {
            uint64_t h = hash_ngram(word_hash + i - k + 1, k);
            if (first) first[n] = (int32_t)(i - k + 1);
            if (order) order[n] = (uint8_t)k;
            ids[n++] = (int32_t)(base + (int64_t)(h % (uint64_t)e->buckets));
        }
    }
    return n;
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
    int64_t need = encoder_max_len(e, nw);
    if (need > b->cap_ids) {
        b->cap_ids = need * 2;
        b->ids = xrealloc(b->ids, (size_t)b->cap_ids * sizeof *b->ids);
        b->first = xrealloc(b->first, (size_t)b->cap_ids * sizeof *b->first);
        b->order = xrealloc(b->order, (size_t)b->cap_ids * sizeof *b->order);
    }
    int64_t unk = encoder_unk_row(e);
    for (int64_t i = 0; i < nw; i++) {
        const char *w = b->tl.buf + b->tl.start[i];
        size_t wl = b->tl.len[i];
        b->word_hash[i] = hash_word(w, wl);
        int64_t id = vocab_find_hashed(&e->vocab, w, wl, b->word_hash[i]);
        b->word_row[i] = (int32_t)(id >= 0 ? id : unk);
    }
    b->n = encoder_emit(e, b->word_row, b->word_hash, nw, b->ids, b->first, b->order);
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
