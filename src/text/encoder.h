/* encoder.h - document text to embedding rows: the tokenizer, the vocabulary and
 * the hashed n-grams, one code path for train, eval and predict.
 *
 * Rows: 0..V-1 are vocabulary words, V is UNK (any word not in the vocabulary),
 * V+1..V+buckets are n-gram buckets. A document's sequence interleaves words and
 * the n-grams that end at them: w0, w1, [w0 w1], w2, [w1 w2], [w0 w1 w2], ...
 * The n-gram w[i..i+n) uses bucket hash_ngram(hash_word(w_i..)) % buckets over the
 * words' own strings, so n-grams of out-of-vocabulary words still count.
 *
 * With character n-grams (fastText's -minn/-maxn), a word's position is a bag of
 * rows: the word's own row and the buckets of the character n-grams of "<word>"
 * (hash_word of their bytes, lengths min..max in characters), which the model
 * averages; a word out of the vocabulary is its character n-grams alone. In the
 * id list a position's first row is itself and the rest are ~row (< 0), so
 * without character n-grams every position is one row, as before.
 *
 * With bayes_ngrams > 0 it also emits the naive Bayes member's features (bayes.h):
 * the distinct 64-bit hashes hash_ngram(w_i..w_i+k-1) of every k-gram,
 * k = 1..bayes_ngrams, sorted ascending. They do not depend on the vocabulary. */
#ifndef ATTNCLF_ENCODER_H
#define ATTNCLF_ENCODER_H

#include <stddef.h>
#include <stdint.h>

#include "tokenizer.h"
#include "vocab.h"

typedef struct EncoderOptions {
    int ngrams;       /* 1 = words only; n adds word 2..n-grams hashed into buckets */
    int64_t buckets;  /* hashed n-gram rows; 0 allowed only with ngrams == 1 and no character n-grams */
    int char_min, char_max;  /* character n-gram lengths; 0 = none */
} EncoderOptions;

typedef struct Encoder {
    Tokenizer tk;
    Vocab vocab;
    EncoderOptions o;
    int bayes_ngrams;  /* 0 = no naive Bayes features */
} Encoder;

/* Per-thread working memory of encoder_encode. */
typedef struct EncodeBuf {
    TokenList tl;
    uint64_t *word_hash; /* [cap_words] */
    int32_t *word_row;   /* [cap_words] */
    int32_t *ids;        /* [n] embedding rows of the sequence (~row continues a position's bag) */
    int32_t *first;      /* [n_pos] index of the first word of position i */
    uint8_t *order;      /* [n_pos] 1 for a word, k for a k-gram */
    uint64_t *feat;      /* [n_feat] naive Bayes features, with bayes_ngrams > 0 */
    const char **word_str; /* [cap_str] the words' strings, with character n-grams */
    int64_t n, n_pos, cap_ids, cap_words, n_feat, cap_feat, cap_str;
} EncodeBuf;

/* An encoder with an empty vocabulary and no stopwords; it owns its tokenizer and
 * vocabulary, which the corpus builder or encoder_load fill, and encoder_free frees. */
void encoder_init(Encoder *e, const TokenizerOptions *to, const EncoderOptions *eo);
int64_t encoder_unk_row(const Encoder *e);
int64_t encoder_rows(const Encoder *e);
void encoder_free(Encoder *e);

/* Sections TOKZ (tokenizer_save), VOCB (vocab_save, compact for a shipped
 * model) and ENCD: u32 ngrams, u64 buckets, u32 char_min, u32 char_max
 * (section version 2). */
void encoder_save(const Encoder *e, CkptWriter *w, int compact);
/* Reads them into e (no naive Bayes features: the member sets those); files of
 * format 1-3 hold the tokenizer and n-gram settings in one TOKN section. */
int encoder_load(Encoder *e, const CkptReader *r, Status *st);

void encodebuf_init(EncodeBuf *b);
void encodebuf_free(EncodeBuf *b);

/* Whether words come as bags with their character n-grams. */
int encoder_has_chars(const Encoder *e);
/* Most ids for words of these byte lengths (word_len [nw]; NULL without
 * character n-grams), and the most positions: nw * max(1, ngrams). */
int64_t encoder_max_ids(const Encoder *e, const uint32_t *word_len, int64_t nw);
int64_t encoder_max_len(const Encoder *e, int64_t nw);
/* Writes the sequence for words given by rows and hashes (and with character
 * n-grams their strings, word_str/word_len [nw]); returns its ids. ids needs
 * encoder_max_ids entries, first/order encoder_max_len; first, order and n_pos
 * (the positions) may be NULL. */
int64_t encoder_emit(const Encoder *e, const int32_t *word_row, const uint64_t *word_hash,
                     const char *const *word_str, const uint32_t *word_len, int64_t nw, int32_t *ids,
                     int32_t *first, uint8_t *order, int64_t *n_pos);
/* Writes the naive Bayes features of the words given by hashes into feat
 * (nw * bayes_ngrams entries) and returns how many. */
int64_t encoder_features(const Encoder *e, const uint64_t *word_hash, int64_t nw, uint64_t *feat);
/* Tokenizes and encodes text into b->ids[0..b->n), b->n_pos positions (and
 * b->feat[0..b->n_feat)). */
void encoder_encode(const Encoder *e, const char *text, size_t len, EncodeBuf *b);
/* The text of sequence position i of the last encode: the word, or the n-gram's
 * words joined with spaces. Truncated to fit cap (always NUL-terminated). */
void encoder_position_text(const EncodeBuf *b, int64_t i, char *out, size_t cap);

#endif
