/* tokenizer.h - text to word tokens; one code path for train, eval and predict.
 * Two versions: a checkpoint's text must be tokenized exactly as it was when it
 * was trained, so version 1 (every checkpoint of formats 1-3) is kept as it was,
 * and version 2 is the Unicode-aware one new runs use.
 * Steps, in order:
 *  1. clean_html (markup.h): tags ("<br />", "<a href=...>") become a space;
 *     character references are decoded: numeric (&#39; &#x27;), named (version 1:
 *     about 25 common names; version 2: all 2231 HTML5 names), and the bare
 *     leftovers "#39;" "#36;" "quot;" "amp;" "lt;" "gt;" found in AG News; "\"
 *     (AG News' line break) becomes a space.
 *  2. UTF-8 decode (invalid bytes -> U+FFFD, a separator).
 *     Version 2 first normalises the text (normalize: NFKC by default, NFC or
 *     none; unicode.h), so "ＡＢＣ１２３" is "ABC123", "cafe\u0301" is "café"
 *     and "ﬁ" is "fi" before anything else looks at it; with NFC or NFKC a
 *     combining mark repeated right after itself is dropped too, so "café\u0301"
 *     is "café" as well (UNICODE_SINGLE_MARKS).
 *  3. Split on white space; every punctuation/symbol character is a token of its
 *     own ("great!" -> "great" "!"), except an apostrophe or period between two
 *     letters/digits stays inside the word ("don't", "3.5", "u.s"); each CJK
 *     ideograph, kana or hangul syllable is a token of its own. Version 1 takes
 *     the classes from utf8.h's hand-kept ranges; version 2 from the general
 *     categories: Z* and Cc separate, P* and S* are tokens of their own, Cf
 *     (soft hyphen, zero-width joiners, bidi marks) is dropped without splitting
 *     except U+200B and U+FEFF, which separate; letters, marks and numbers (and
 *     unassigned or private-use code points) make words; CJK by unicode_is_cjk.
 *  4. lowercase: version 1 lowercases word characters by utf8_lower (ASCII,
 *     Latin-1, Latin Extended-A, Greek, Cyrillic); version 2 applies full Unicode
 *     case folding to every token and normalises the result again, so "Straße"
 *     and "STRASSE" are both "strasse" (unicode_fold).
 *  5. Stopwords (after lowercasing) are dropped; max_tokens keeps the first N. */
#ifndef ATTNCLF_TOKENIZER_H
#define ATTNCLF_TOKENIZER_H

#include <stddef.h>
#include <stdint.h>

#include "ckpt.h"
#include "status.h"

enum { TOKENIZER_NORM_NONE = 0, TOKENIZER_NORM_NFC = 1, TOKENIZER_NORM_NFKC = 2 };
enum { TOKENIZER_V1 = 1, TOKENIZER_V2 = 2 };

typedef struct TokenizerOptions {
    int lowercase, clean_html, max_tokens; /* max_tokens: 0 = no limit */
    int normalize; /* TOKENIZER_NORM_NONE/NFC/NFKC; version 2 only, version 1 never normalises */
    int version;   /* TOKENIZER_V1 legacy (checkpoint formats 1-3), TOKENIZER_V2 utf8proc */
} TokenizerOptions;

typedef struct Tokenizer {
    TokenizerOptions opt;
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
    char *scratch;    /* internal working space: the cleaned text */
    size_t scratch_cap;
    char *norm;       /* internal (version 2): the normalised text */
    size_t norm_cap;
    char *fold;       /* internal (version 2): one case-folded token */
    size_t fold_cap;
} TokenList;

/* What new runs use: version 2, NFKC, lowercase and clean_html on, no limit. */
void tokenizer_options_default(TokenizerOptions *o);
/* Checks options read from a file or the command line: version 1 or 2,
 * normalize one of the three, max_tokens >= 0. Errors name `what` (a path or
 * "config"). */
int tokenizer_options_check(const TokenizerOptions *o, const char *what, Status *st);
/* Copies *o (checked or built by the program); no stopwords. */
void tokenizer_init(Tokenizer *tk, const TokenizerOptions *o);
/* Loads a stopword file: one word per line, '#' starts a comment line, blank lines
 * ignored; each line goes through the tokenizer's own options (without
 * clean_html and max_tokens), so it is spelled as the tokens it must match.
 * Errors name the file. */
int tokenizer_load_stopwords(Tokenizer *tk, const char *path, Status *st);
/* Sets the stopwords from a list (as stored in a checkpoint); copies them. */
void tokenizer_set_stopwords(Tokenizer *tk, char *const *words, int64_t n);
void tokenizer_free(Tokenizer *tk);

/* Section TOKZ: u32 lowercase, clean_html, max_tokens, version, normalize; u64
 * stopwords, then each (u32 length + bytes). Section version 1 (before the
 * Unicode tokenizer) has no version or normalize: it was version 1. */
void tokenizer_save(const Tokenizer *tk, CkptWriter *w);
int tokenizer_load(Tokenizer *tk, const CkptReader *r, Status *st);
/* Reads n stopwords (u32 length + bytes each) from c into tk; for the encoder's
 * reading of format 1-3 files, whose TOKN section holds them. */
int tokenizer_read_stopword_list(Tokenizer *tk, CkptCursor *c, uint64_t n);

void tokenlist_init(TokenList *tl);
void tokenlist_free(TokenList *tl);

/* Tokenizes text[0..len) (any bytes) into out, replacing its previous content.
 * Never fails on content; aborts the program only if memory runs out. */
void tokenizer_run(const Tokenizer *tk, const char *text, size_t len, TokenList *out);

#endif
