/* tokenizer.c - see tokenizer.h. */
#include "tokenizer.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>

#include "markup.h"
#include "mem.h"
#include "unicode.h"
#include "utf8.h"

/* Offsets in a TokenList are 32-bit and its buffer may need twice the input,
 * so longer documents are cut here rather than overflowing. */
#define TOKENIZER_MAX_BYTES ((size_t)(UINT32_MAX / 2 - 1))
/* Version 2 cuts its normalised text here (256 MiB): folding may make a token
 * up to 11 times its bytes (unicode.h), and with a NUL each the offsets must
 * still fit. */
#define TOKENIZER_MAX_NORM ((size_t)(UINT32_MAX / 16))

enum { CH_SEP, CH_WORD, CH_PUNCT, CH_JOIN, CH_CJK, CH_SKIP };

/* Class of each ASCII byte ('0' + CH_*): controls and space separate,
 * alphanumerics build words, ' and . may join, the rest is punctuation. */
static const char tokenizer_ascii_class[129] = "00000000000000000000000000000000"
                                               "02222223222222321111111111222222"
                                               "21111111111111111111111111122222"
                                               "21111111111111111111111111122220";

static int tokenizer_is_alnum(unsigned char c)
{
    return c < 0x80 && tokenizer_ascii_class[c] == '0' + CH_WORD;
}

static int tokenizer_class_v1(uint32_t cp)
{
    if (cp < 0x80) return tokenizer_ascii_class[cp] - '0';
    /* U+FFFD marks bytes that were not UTF-8, and C1 controls are mis-decoded
     * bytes too: neither may end up inside a token. */
    if (cp == UTF8_REPLACEMENT || cp <= 0x9F || utf8_is_space(cp)) return CH_SEP;
    if (cp == 0x00AD) return CH_SKIP; /* soft hyphen: invisible, must not split */
    if (cp == 0x2019) return CH_JOIN;
    if (utf8_is_punct(cp)) return CH_PUNCT;
    if (utf8_is_cjk(cp)) return CH_CJK;
    return CH_WORD;
}

/* Version 2 classes by general category (tokenizer.h step 3), from cp's
 * unicode_props. */
static int tokenizer_class_v2(uint32_t cp, unsigned props)
{
    if (cp == UTF8_REPLACEMENT) return CH_SEP;
    if (cp == 0x2019) return CH_JOIN;
    switch (props & UNICODE_KIND_MASK) {
    case UNICODE_SEPARATOR:
    case UNICODE_CONTROL:
        return CH_SEP;
    case UNICODE_FORMAT:
        /* Invisible: they must not split a word, except the zero-width space
         * (a word separator in Thai and Khmer text) and the BOM. */
        return cp == 0x200B || cp == 0xFEFF ? CH_SEP : CH_SKIP;
    case UNICODE_PUNCT:
    case UNICODE_SYMBOL:
        return CH_PUNCT;
    case UNICODE_LETTER:
    case UNICODE_NUMBER:
        return props & UNICODE_CJK ? CH_CJK : CH_WORD;
    default:
        return CH_WORD;
    }
}

static int tokenizer_class_wide(int v2, uint32_t cp, unsigned *props)
{
    if (!v2) return tokenizer_class_v1(cp);
    *props = unicode_props(cp);
    return tokenizer_class_v2(cp, *props);
}

/* The class of cp; *props gets its unicode_props in version 2 (0 for ASCII
 * and in version 1). ASCII stays inline: it is most of what reaches here. */
static int tokenizer_class(int v2, uint32_t cp, unsigned *props)
{
    *props = 0;
    if (cp < 0x80) return tokenizer_ascii_class[cp] - '0';
    return tokenizer_class_wide(v2, cp, props);
}

static int tokenizer_next_is_word(int v2, const unsigned char *s, size_t n)
{
    if (n == 0) return 0;
    uint32_t cp;
    unsigned props;
    utf8_decode(s, n, &cp);
    return tokenizer_class(v2, cp, &props) == CH_WORD;
}

static int tokenizer_cmp(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* bsearch with the byte comparison inline: the lookup runs once per token
 * and libc's bsearch + strcmp calls were a third of the tokenizer's time. */
static int tokenizer_is_stopword(const Tokenizer *tk, const char *w)
{
    size_t lo = 0, hi = (size_t)tk->n_stopwords;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        const unsigned char *a = (const unsigned char *)w, *b = (const unsigned char *)tk->stopwords[mid];
        while (*a && *a == *b) {
            a++;
            b++;
        }
        if (*a == *b) return 1;
        if (*a < *b)
            hi = mid;
        else
            lo = mid + 1;
    }
    return 0;
}

/* Grows *p to at least need bytes, at least doubling so reuse across
 * documents of rising length stays amortised O(1). */
static void tokenizer_reserve(char **p, size_t *cap, size_t need)
{
    if (*cap >= need) return;
    size_t c = *cap * 2 > need ? *cap * 2 : need;
    *p = xrealloc(*p, c);
    *cap = c;
}

typedef struct Split {
    const Tokenizer *tk;
    TokenList *tl;
    size_t bl;     /* bytes written to tl->buf */
    size_t wstart; /* offset of the open word, if in_word */
    int in_word;
    size_t limit;  /* stop after this many tokens */
    int v2;
    int fold;      /* version 2 with lowercase: case-fold the tokens */
    UnicodeForm form;
    int fold_tok;  /* the open token has a character folding changes */
    size_t rest;   /* input bytes not yet written, from the current character on */
} Split;

/* Replaces the token at start by its case folding. tl->buf keeps room for the
 * rest of the text (tokenizer_split's bound), since folding may lengthen it.
 * Out of line: inlined, it made split_close save registers on every call. */
__attribute__((noinline)) static void split_fold(Split *sp, size_t start)
{
    TokenList *tl = sp->tl;
    size_t len = sp->bl - start;
    tokenizer_reserve(&tl->fold, &tl->fold_cap, 3 * len + 16);
    size_t need = unicode_fold(tl->fold, tl->fold_cap, tl->buf + start, len, sp->form, UNICODE_SINGLE_MARKS);
    if (need > tl->fold_cap) {
        tokenizer_reserve(&tl->fold, &tl->fold_cap, need);
        unicode_fold(tl->fold, tl->fold_cap, tl->buf + start, len, sp->form, UNICODE_SINGLE_MARKS);
    }
    tokenizer_reserve(&tl->buf, &tl->buf_cap, start + need + 2 * sp->rest + 2);
    memcpy(tl->buf + start, tl->fold, need);
    sp->bl = start + need;
}

/* Ends the token starting at start; returns 1 once the token limit is hit. */
static int split_close(Split *sp, size_t start)
{
    TokenList *tl = sp->tl;
    if (sp->fold_tok) {
        sp->fold_tok = 0;
        split_fold(sp, start);
    }
    tl->buf[sp->bl] = '\0';
    if (sp->tk->n_stopwords > 0 && tokenizer_is_stopword(sp->tk, tl->buf + start)) {
        sp->bl = start;
        return 0;
    }
    if (tl->n == tl->cap) {
        tl->cap = tl->cap ? tl->cap * 2 : 256;
        tl->start = xrealloc(tl->start, tl->cap * sizeof *tl->start);
        tl->len = xrealloc(tl->len, tl->cap * sizeof *tl->len);
    }
    tl->start[tl->n] = (uint32_t)start;
    tl->len[tl->n] = (uint32_t)(sp->bl - start);
    tl->n++;
    sp->bl++;
    return tl->n >= sp->limit;
}

static int split_end_word(Split *sp)
{
    if (!sp->in_word) return 0;
    sp->in_word = 0;
    return split_close(sp, sp->wstart);
}

/* Writes a word character: version 1 lowercases it here, version 2 marks the
 * token for folding as a whole (a fold can be several characters). */
static void split_word_char(Split *sp, uint32_t cp, unsigned props)
{
    if (!sp->in_word) {
        sp->in_word = 1;
        sp->wstart = sp->bl;
    }
    if (sp->v2) {
        if (sp->fold && (props & UNICODE_FOLDS)) sp->fold_tok = 1;
    } else if (sp->tk->opt.lowercase) {
        cp = utf8_lower(cp);
    }
    sp->bl += (size_t)utf8_encode(cp, sp->tl->buf + sp->bl);
}

/* Handles one non-fast-path character of `used` bytes; rest is the text after
 * it. Returns 1 once the token limit is hit. */
static int split_put(Split *sp, uint32_t cp, int used, const unsigned char *rest, size_t n_rest)
{
    size_t start;
    unsigned props;
    sp->rest = n_rest + (size_t)used;
    switch (tokenizer_class(sp->v2, cp, &props)) {
    case CH_SKIP:
        return 0;
    case CH_WORD:
        split_word_char(sp, cp, props);
        return 0;
    case CH_JOIN:
        if (sp->in_word && tokenizer_next_is_word(sp->v2, rest, n_rest)) {
            /* U+2019 inside a word is an apostrophe: one spelling of "don't". */
            sp->tl->buf[sp->bl++] = cp == '.' ? '.' : '\'';
            return 0;
        }
        /* fall through */
    case CH_PUNCT:
    case CH_CJK:
        if (split_end_word(sp)) return 1;
        start = sp->bl;
        if (sp->fold && (props & UNICODE_FOLDS)) sp->fold_tok = 1;
        sp->bl += (size_t)utf8_encode(cp, sp->tl->buf + sp->bl);
        return split_close(sp, start);
    default:
        return split_end_word(sp);
    }
}

/* Steps 2-5. tl->buf holds at least 2n + 1 bytes: a token never has more
 * bytes than its source (lowercasing keeps or shrinks the UTF-8 length), plus
 * one NUL each; when version 2's folding lengthens a token, split_fold keeps
 * that much room for the rest. */
static void tokenizer_split(Split *sp, const unsigned char *s, size_t n)
{
    int lower = sp->tk->opt.lowercase;
    size_t i = 0;
    while (i < n) {
        unsigned char c = s[i];
        if (tokenizer_is_alnum(c)) {
            if (!sp->in_word) {
                sp->in_word = 1;
                sp->wstart = sp->bl;
            }
            char *buf = sp->tl->buf;
            size_t bl = sp->bl;
            do {
                buf[bl++] = (char)(lower && c >= 'A' && c <= 'Z' ? c + 0x20 : c);
                i++;
            } while (i < n && tokenizer_is_alnum(c = s[i]));
            sp->bl = bl;
            continue;
        }
        uint32_t cp = c;
        int used = c < 0x80 ? 1 : utf8_decode(s + i, n - i, &cp);
        i += (size_t)used;
        if (split_put(sp, cp, used, s + i, n - i)) return;
    }
    sp->rest = 0;
    split_end_word(sp);
}

void tokenizer_options_default(TokenizerOptions *o)
{
    o->lowercase = 1;
    o->clean_html = 1;
    o->max_tokens = 0;
    o->normalize = TOKENIZER_NORM_NFKC;
    o->version = TOKENIZER_V2;
}

int tokenizer_options_check(const TokenizerOptions *o, const char *what, Status *st)
{
    if (o->version != TOKENIZER_V1 && o->version != TOKENIZER_V2)
        return status_error(st, "%s: tokenizer version %d is not 1 or 2", what, o->version);
    if (o->normalize < TOKENIZER_NORM_NONE || o->normalize > TOKENIZER_NORM_NFKC)
        return status_error(st, "%s: tokenizer normalize %d is not none (0), nfc (1) or nfkc (2)", what,
                            o->normalize);
    if (o->max_tokens < 0) return status_error(st, "%s: tokenizer max_tokens %d is negative", what, o->max_tokens);
    return 0;
}

void tokenizer_init(Tokenizer *tk, const TokenizerOptions *o)
{
    tk->opt = *o;
    tk->stopwords = NULL;
    tk->n_stopwords = 0;
}

static void tokenizer_free_words(char **words, int64_t n)
{
    for (int64_t i = 0; i < n; i++) free(words[i]);
    free(words);
}

/* Takes ownership of words[0..n): sorts them for bsearch and drops duplicates. */
static void tokenizer_adopt_stopwords(Tokenizer *tk, char **words, int64_t n)
{
    tokenizer_free_words(tk->stopwords, tk->n_stopwords);
    if (n > 0) qsort(words, (size_t)n, sizeof *words, tokenizer_cmp);
    int64_t kept = 0;
    for (int64_t i = 0; i < n; i++) {
        if (kept > 0 && strcmp(words[kept - 1], words[i]) == 0)
            free(words[i]);
        else
            words[kept++] = words[i];
    }
    tk->stopwords = words;
    tk->n_stopwords = kept;
}

static int tokenizer_is_blank(const char *s, size_t n)
{
    for (size_t k = 0; k < n; k++)
        if ((unsigned char)s[k] >= 0x80 || tokenizer_ascii_class[(unsigned char)s[k]] != '0' + CH_SEP) return 0;
    return 1;
}

/* Reads the words of an open stopword file. Each line goes through the
 * tokenizer itself so a stopword is spelled exactly as the tokens it must
 * match; a line that is not one token could never match and is an error. */
static int tokenizer_read_stopwords(Tokenizer *tk, FILE *f, const char *path, Status *st)
{
    TokenizerOptions o = tk->opt;
    o.clean_html = 0;
    o.max_tokens = 0;
    Tokenizer plain;
    tokenizer_init(&plain, &o);
    TokenList tl;
    tokenlist_init(&tl);
    char **words = NULL;
    int64_t n = 0, cap = 0;
    char *line = NULL;
    size_t line_cap = 0;
    ssize_t got;
    long lineno = 0;
    int rc = 0;
    while ((got = getline(&line, &line_cap, f)) >= 0) {
        lineno++;
        size_t k = 0;
        while (k < (size_t)got && (line[k] == ' ' || line[k] == '\t')) k++;
        if (tokenizer_is_blank(line, (size_t)got) || line[k] == '#') continue;
        tokenizer_run(&plain, line, (size_t)got, &tl);
        if (tl.n != 1) {
            size_t e = (size_t)got;
            while (e > k && tokenizer_is_blank(line + e - 1, 1)) e--;
            rc = status_error(st, "%s:%ld: \"%.*s\" is not a single token", path, lineno, (int)(e - k), line + k);
            break;
        }
        if (n == cap) {
            cap = cap ? cap * 2 : 64;
            words = xrealloc(words, (size_t)cap * sizeof *words);
        }
        words[n++] = xstrndup(tl.buf + tl.start[0], tl.len[0]);
    }
    if (rc == 0 && ferror(f)) rc = status_error(st, "%s: read error: %s", path, strerror(errno));
    free(line);
    tokenlist_free(&tl);
    if (rc == 0)
        tokenizer_adopt_stopwords(tk, words, n);
    else
        tokenizer_free_words(words, n);
    return rc;
}

int tokenizer_load_stopwords(Tokenizer *tk, const char *path, Status *st)
{
    FILE *f = fopen(path, "r");
    if (!f) return status_error(st, "%s: cannot open: %s", path, strerror(errno));
    int rc = tokenizer_read_stopwords(tk, f, path, st);
    fclose(f);
    return rc;
}

void tokenizer_set_stopwords(Tokenizer *tk, char *const *words, int64_t n)
{
    char **copy = n > 0 ? xmalloc((size_t)n * sizeof *copy) : NULL;
    for (int64_t i = 0; i < n; i++) copy[i] = xstrdup(words[i]);
    tokenizer_adopt_stopwords(tk, copy, n);
}

void tokenizer_free(Tokenizer *tk)
{
    tokenizer_free_words(tk->stopwords, tk->n_stopwords);
    tk->stopwords = NULL;
    tk->n_stopwords = 0;
}

void tokenlist_init(TokenList *tl)
{
    memset(tl, 0, sizeof *tl);
}

void tokenlist_free(TokenList *tl)
{
    free(tl->buf);
    free(tl->start);
    free(tl->len);
    free(tl->scratch);
    free(tl->norm);
    free(tl->fold);
    memset(tl, 0, sizeof *tl);
}

static UnicodeForm tokenizer_form(const Tokenizer *tk)
{
    if (tk->opt.normalize == TOKENIZER_NORM_NFKC) return UNICODE_NFKC;
    return tk->opt.normalize == TOKENIZER_NORM_NFC ? UNICODE_NFC : UNICODE_NONE;
}

/* Version 2's step 2: s[0..*len) normalised into out->norm, unless it is all
 * ASCII (most English documents), which every form leaves as it is. */
static const unsigned char *tokenizer_normalize(const Tokenizer *tk, const unsigned char *s, size_t *len,
                                                TokenList *out)
{
    UnicodeForm form = tokenizer_form(tk);
    size_t n = *len;
    if (form == UNICODE_NONE || unicode_ascii_prefix((const char *)s, n) == n) return s;
    tokenizer_reserve(&out->norm, &out->norm_cap, n + n / 8 + 64);
    size_t m = unicode_normalize(out->norm, out->norm_cap, (const char *)s, n, form, UNICODE_SINGLE_MARKS);
    if (m > out->norm_cap) {
        tokenizer_reserve(&out->norm, &out->norm_cap, m);
        unicode_normalize(out->norm, out->norm_cap, (const char *)s, n, form, UNICODE_SINGLE_MARKS);
    }
    *len = m;
    return (const unsigned char *)out->norm;
}

void tokenizer_run(const Tokenizer *tk, const char *text, size_t len, TokenList *out)
{
    int v2 = tk->opt.version != TOKENIZER_V1;
    if (len > TOKENIZER_MAX_BYTES) len = TOKENIZER_MAX_BYTES;
    out->n = 0;
    out->buf_len = 0;
    tokenizer_reserve(&out->buf, &out->buf_cap, 2 * len + 1);
    out->buf[0] = '\0';
    if (len == 0) return;
    const unsigned char *s = (const unsigned char *)text;
    if (tk->opt.clean_html && markup_has_markup((const char *)s, len)) {
        tokenizer_reserve(&out->scratch, &out->scratch_cap, MARKUP_CLEAN_BOUND(len));
        len = markup_clean(out->scratch, (const char *)s, len, v2 ? MARKUP_ENTITIES_HTML5 : MARKUP_ENTITIES_LEGACY);
        s = (const unsigned char *)out->scratch;
    }
    Split sp = {.tk = tk, .tl = out, .limit = tk->opt.max_tokens > 0 ? (size_t)tk->opt.max_tokens : SIZE_MAX};
    if (v2) {
        s = tokenizer_normalize(tk, s, &len, out);
        if (len > TOKENIZER_MAX_NORM) len = TOKENIZER_MAX_NORM;
        tokenizer_reserve(&out->buf, &out->buf_cap, 2 * len + 1);
        sp.v2 = 1;
        sp.fold = tk->opt.lowercase;
        sp.form = tokenizer_form(tk);
    }
    tokenizer_split(&sp, s, len);
    out->buf_len = sp.bl;
}

void tokenizer_save(const Tokenizer *tk, CkptWriter *w)
{
    CkptBuf *b = ckpt_section(w, "TOKZ", 2);
    ckpt_put_u32(b, (uint32_t)tk->opt.lowercase);
    ckpt_put_u32(b, (uint32_t)tk->opt.clean_html);
    ckpt_put_u32(b, (uint32_t)tk->opt.max_tokens);
    ckpt_put_u32(b, (uint32_t)tk->opt.version);
    ckpt_put_u32(b, (uint32_t)tk->opt.normalize);
    ckpt_put_u64(b, (uint64_t)tk->n_stopwords);
    for (int64_t i = 0; i < tk->n_stopwords; i++) ckpt_put_str(b, tk->stopwords[i], strlen(tk->stopwords[i]));
}

int tokenizer_read_stopword_list(Tokenizer *tk, CkptCursor *c, uint64_t n)
{
    if (n > c->n) return -1;
    char **words = xcalloc((size_t)n + 1, sizeof *words);
    for (uint64_t i = 0; i < n && !c->bad; i++) {
        uint32_t len = ckpt_u32(c);
        const unsigned char *s = ckpt_take(c, len);
        if (s) words[i] = xstrndup((const char *)s, len);
    }
    if (!c->bad) tokenizer_set_stopwords(tk, words, (int64_t)n);
    for (uint64_t i = 0; i < n; i++) free(words[i]);
    free(words);
    return c->bad ? -1 : 0;
}

int tokenizer_load(Tokenizer *tk, const CkptReader *r, Status *st)
{
    CkptSection sec;
    if (!ckpt_find(r, "TOKZ", &sec)) return ckpt_damaged(r, st, "no TOKZ section");
    if (sec.version < 1 || sec.version > 2)
        return ckpt_damaged(r, st, "TOKZ section version %u is not one this attnclf reads (1, 2)", sec.version);
    CkptCursor c = ckpt_cursor(&sec);
    uint32_t lower = ckpt_u32(&c), html = ckpt_u32(&c), max_tokens = ckpt_u32(&c);
    uint32_t version = TOKENIZER_V1, normalize = TOKENIZER_NORM_NONE;
    if (sec.version >= 2) {
        version = ckpt_u32(&c);
        normalize = ckpt_u32(&c);
    }
    uint64_t n = ckpt_u64(&c);
    TokenizerOptions o = {.lowercase = (int)(lower & 1), .clean_html = (int)(html & 1),
                          .max_tokens = max_tokens > INT32_MAX ? -1 : (int)max_tokens,
                          .version = version > 16 ? 0 : (int)version, .normalize = normalize > 16 ? -1 : (int)normalize};
    if (c.bad || lower > 1 || html > 1 || tokenizer_options_check(&o, r->path, st)) return ckpt_damaged(r, st, "bad TOKZ section");
    tokenizer_init(tk, &o);
    if (tokenizer_read_stopword_list(tk, &c, n) || !ckpt_done(&c)) return ckpt_damaged(r, st, "bad TOKZ stopwords");
    return 0;
}
