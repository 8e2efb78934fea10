/* tokenizer.h - text to word tokens; one code path for train, eval and predict.
 * Steps, in order:
 *  1. clean_html: tags ("<br />", "<a href=...>") become a space; entities are
 *     decoded: named (&lt; &gt; &amp; &quot; &apos; &nbsp; and a few more), numeric
 *     (&#39; &#x27;), and the bare leftovers "#39;" "#36;" "quot;" "amp;" "lt;" "gt;"
 *     found in AG News; "\" (AG News' line break) becomes a space.
 *  2. UTF-8 decode (invalid bytes -> U+FFFD), lowercase when enabled.
 *  3. Split on white space; every punctuation/symbol character is a token of its
 *     own ("great!" -> "great" "!"), except an apostrophe or period between two
 *     letters/digits stays inside the word ("don't", "3.5", "u.s"); each CJK
 *     ideograph, kana or hangul syllable is a token of its own.
 *  4. Stopwords (after lowercasing) are dropped; max_tokens keeps the first N. */
#ifndef ATTNCLF_TOKENIZER_H
#define ATTNCLF_TOKENIZER_H

#include <stddef.h>
#include <stdint.h>

#include "ckpt.h"
#include "status.h"

typedef struct TokenizerOptions {
    int lowercase;
    int clean_html;
    int max_tokens;      /* words kept per document, 0 = no limit */
} TokenizerOptions;

typedef struct Tokenizer {
    int lowercase;
    int clean_html;
    int max_tokens;      /* 0 = no limit */
    char **stopwords;    /* sorted, owned, n_stopwords entries */
    int64_t n_stopwords;
} Tokenizer;

/* The tokens of one document: token i is the NUL-terminated UTF-8 string at
 * buf + start[i], of byte length len[i]. Reused across calls without freeing. */
typedef struct TokenList {
    char *buf;        /* [buf_cap] token bytes, each token followed by NUL */
    size_t buf_len, buf_cap;
    uint32_t *start;  /* [n] byte offsets into buf */
    uint32_t *len;    /* [n] byte lengths */
    size_t n, cap;
    char *scratch;    /* internal working space */
    size_t scratch_cap;
} TokenList;

void tokenizer_init(Tokenizer *tk, int lowercase, int clean_html, int max_tokens);
/* Loads a stopword file: one word per line, '#' starts a comment line, blank lines
 * ignored; words are lowercased when tk->lowercase. Errors name the file. */
int tokenizer_load_stopwords(Tokenizer *tk, const char *path, Status *st);
/* Sets the stopwords from a list (as stored in a checkpoint); copies them. */
void tokenizer_set_stopwords(Tokenizer *tk, char *const *words, int64_t n);
void tokenizer_free(Tokenizer *tk);

/* Section TOKZ: u32 lowercase, clean_html, max_tokens; u64 stopwords, then each
 * (u32 length + bytes). */
void tokenizer_save(const Tokenizer *tk, CkptWriter *w);
int tokenizer_load(Tokenizer *tk, const CkptReader *r, Status *st);
/* Reads n stopwords (u32 length + bytes each) from c into tk; for the encoder's
 * reading of version 1-3 files, whose TOKN section holds them. */
int tokenizer_read_stopword_list(Tokenizer *tk, CkptCursor *c, uint64_t n);

void tokenlist_init(TokenList *tl);
void tokenlist_free(TokenList *tl);

/* Tokenizes text[0..len) (any bytes) into out, replacing its previous content.
 * Never fails on content; aborts the program only if memory runs out. */
void tokenizer_run(const Tokenizer *tk, const char *text, size_t len, TokenList *out);

#endif
