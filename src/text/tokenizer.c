/* tokenizer.c - see tokenizer.h. */
#include "tokenizer.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>

#include "mem.h"
#include "utf8.h"

/* Offsets in a TokenList are 32-bit and its buffer may need twice the input,
 * so longer documents are cut here rather than overflowing. */
#define TOKENIZER_MAX_BYTES ((size_t)(UINT32_MAX / 2 - 1))
/* A '<' whose '>' is further away than this is taken as text, so one stray
 * '<' cannot swallow a whole paragraph. */
#define TOKENIZER_MAX_TAG 256

enum { CH_SEP, CH_WORD, CH_PUNCT, CH_JOIN, CH_CJK, CH_SKIP };

/* Class of each ASCII byte ('0' + CH_*): controls and space separate,
 * alphanumerics build words, ' and . may join, the rest is punctuation. */
static const char tokenizer_ascii_class[129] = "00000000000000000000000000000000"
                                               "02222223222222321111111111222222"
                                               "21111111111111111111111111122222"
                                               "21111111111111111111111111122220";

typedef struct Entity {
    const char *name;
    uint32_t cp;
    int bare; /* also decoded without its '&', as AG News lost it */
} Entity;

/* &nbsp; is a plain space: its only job in text is to separate words. */
static const Entity tokenizer_entities[] = {
    {"amp", '&', 1},       {"lt", '<', 1},        {"gt", '>', 1},        {"quot", '"', 1},
    {"nbsp", ' ', 1},      {"apos", '\'', 0},     {"bull", 0x2022, 0},   {"cent", 0x00A2, 0},
    {"copy", 0x00A9, 0},   {"deg", 0x00B0, 0},    {"euro", 0x20AC, 0},   {"hellip", 0x2026, 0},
    {"laquo", 0x00AB, 0},  {"raquo", 0x00BB, 0},  {"ldquo", 0x201C, 0},  {"rdquo", 0x201D, 0},
    {"lsquo", 0x2018, 0},  {"rsquo", 0x2019, 0},  {"mdash", 0x2014, 0},  {"ndash", 0x2013, 0},
    {"middot", 0x00B7, 0}, {"pound", 0x00A3, 0},  {"reg", 0x00AE, 0},    {"trade", 0x2122, 0},
    {"yen", 0x00A5, 0},
};

/* HTML5 reads numeric references 128..159 as Windows-1252, which is what AG
 * News' "#145;".."#151;" quotes and dashes mean. */
static const uint16_t tokenizer_cp1252[32] = {
    0x20AC, 0x0081, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160,
    0x2039, 0x0152, 0x008D, 0x017D, 0x008F, 0x0090, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022,
    0x2013, 0x2014, 0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0x009D, 0x017E, 0x0178,
};

static int tokenizer_is_alnum(unsigned char c)
{
    return c < 0x80 && tokenizer_ascii_class[c] == '0' + CH_WORD;
}

static int tokenizer_is_digit(unsigned char c, int hex)
{
    if (c >= '0' && c <= '9') return 1;
    return hex && ((c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'));
}

/* Parses up to max_digits digits and a ';' from s[0..n); returns the bytes used
 * (0 if it is not such a number) and the value in *v. */
static size_t tokenizer_parse_number(const unsigned char *s, size_t n, int hex, int max_digits, uint32_t *v)
{
    size_t k = 0;
    uint32_t x = 0;
    while (k < n && (int)k < max_digits && tokenizer_is_digit(s[k], hex)) {
        unsigned d = s[k] <= '9' ? s[k] - '0' : (s[k] | 0x20) - 'a' + 10;
        x = x * (hex ? 16 : 10) + d;
        k++;
    }
    if (k == 0 || k >= n || s[k] != ';') return 0;
    *v = x;
    return k + 1;
}

static uint32_t tokenizer_numeric_cp(uint32_t v)
{
    if (v >= 0x80 && v <= 0x9F) return tokenizer_cp1252[v - 0x80];
    return v == 0 ? UTF8_REPLACEMENT : v;
}

/* s starts with an entity name and ';'? bare_only limits the names to those
 * AG News has without their '&'. */
static size_t tokenizer_named(const unsigned char *s, size_t n, int bare_only, uint32_t *cp)
{
    size_t k = 0;
    while (k < n && k < 8 && tokenizer_is_alnum(s[k])) k++;
    if (k == 0 || k >= n || s[k] != ';') return 0;
    for (size_t e = 0; e < sizeof tokenizer_entities / sizeof tokenizer_entities[0]; e++) {
        const Entity *en = &tokenizer_entities[e];
        if ((en->bare || !bare_only) && strlen(en->name) == k && memcmp(en->name, s, k) == 0) {
            *cp = en->cp;
            return k + 1;
        }
    }
    return 0;
}

/* s[0] == '&': "&name;", "&#NNN;" or "&#xHH;". */
static size_t tokenizer_entity(const unsigned char *s, size_t n, uint32_t *cp)
{
    if (n < 3) return 0;
    if (s[1] != '#') {
        size_t used = tokenizer_named(s + 1, n - 1, 0, cp);
        return used ? used + 1 : 0;
    }
    int hex = s[2] == 'x' || s[2] == 'X';
    size_t at = hex ? 3 : 2;
    uint32_t v;
    size_t used = tokenizer_parse_number(s + at, n - at, hex, hex ? 6 : 7, &v);
    if (!used) return 0;
    *cp = tokenizer_numeric_cp(v);
    return at + used;
}

/* s[0] == '#': AG News' "#39;" with the '&' lost. Only printable results count,
 * so text like "#1;" is left alone. */
static size_t tokenizer_bare_numeric(const unsigned char *s, size_t n, uint32_t *cp)
{
    uint32_t v;
    size_t used = tokenizer_parse_number(s + 1, n - 1, 0, 6, &v);
    if (!used || v < 0x20) return 0;
    uint32_t c = tokenizer_numeric_cp(v);
    if ((c >= 0x7F && c <= 0x9F) || (c >= 0xD800 && c <= 0xDFFF)) return 0;
    *cp = c;
    return used + 1;
}

/* s[0] == '<': a tag is '<' + letter, '/' or '!' up to the next '>'. */
static size_t tokenizer_tag(const unsigned char *s, size_t n)
{
    if (n < 2 || !(s[1] == '/' || s[1] == '!' || ((s[1] | 0x20) >= 'a' && (s[1] | 0x20) <= 'z'))) return 0;
    size_t span = n - 1 < TOKENIZER_MAX_TAG ? n - 1 : TOKENIZER_MAX_TAG;
    const unsigned char *end = memchr(s + 1, '>', span);
    return end ? (size_t)(end - s) + 1 : 0;
}

/* Bytes that may start something step 1 rewrites: a bitmap test keeps the
 * common bytes on a fast path. */
static int tokenizer_clean_special(unsigned char c)
{
    static const uint64_t low = (1ull << '#') | (1ull << '&') | (1ull << '<');
    static const uint64_t high = (1ull << ('\\' - 64)) | (1ull << ('a' - 64)) | (1ull << ('g' - 64)) |
                                 (1ull << ('l' - 64)) | (1ull << ('n' - 64)) | (1ull << ('q' - 64));
    if (c >= 128) return 0;
    return (int)(((c < 64 ? low : high) >> (c & 63)) & 1);
}

/* Step 1 into out. No rewrite is longer than the text it replaces: a tag or a
 * backslash becomes one space, and an entity's spelling has at least as many
 * bytes as the UTF-8 of what it decodes to, even U+FFFD for a bad "&#0;". So
 * out never needs more than n bytes. */
static size_t tokenizer_clean(const unsigned char *s, size_t n, char *out)
{
    size_t i = 0, o = 0;
    while (i < n) {
        unsigned char c = s[i];
        if (!tokenizer_clean_special(c)) {
            out[o++] = (char)c;
            i++;
            continue;
        }
        size_t used = 0;
        uint32_t cp = ' ';
        int bare = 0;
        if (c == '<') {
            used = tokenizer_tag(s + i, n - i);
        } else if (c == '\\') {
            used = 1;
        } else if (c == '&') {
            used = tokenizer_entity(s + i, n - i, &cp);
        } else if (c == '#') {
            used = tokenizer_bare_numeric(s + i, n - i, &cp);
            bare = 1;
        } else if (i == 0 || (s[i - 1] < 0x80 && !tokenizer_is_alnum(s[i - 1]))) {
            /* The other specials start bare names ("quot;"), taken only at
             * a word start so "flat;" or "bang;" stay intact. */
            used = tokenizer_named(s + i, n - i, 1, &cp);
            bare = 1;
        }
        if (!used) {
            out[o++] = (char)c;
            i++;
            continue;
        }
        /* AG News turned the lost '&' into a space: "doesn #39;t". */
        if (bare && o > 0 && out[o - 1] == ' ' && s[i - 1] == ' ') o--;
        o += (size_t)utf8_encode(cp, out + o);
        i += used;
    }
    return o;
}

static int tokenizer_class(uint32_t cp)
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

static int tokenizer_next_is_word(const unsigned char *s, size_t n)
{
    if (n == 0) return 0;
    uint32_t cp;
    utf8_decode(s, n, &cp);
    return tokenizer_class(cp) == CH_WORD;
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

typedef struct Split {
    const Tokenizer *tk;
    TokenList *tl;
    size_t bl;     /* bytes written to tl->buf */
    size_t wstart; /* offset of the open word, if in_word */
    int in_word;
    size_t limit;  /* stop after this many tokens */
} Split;

/* Ends the token starting at start; returns 1 once the token limit is hit. */
static int split_close(Split *sp, size_t start)
{
    TokenList *tl = sp->tl;
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

/* Handles one non-fast-path character; rest is the text after it. Returns 1
 * once the token limit is hit. */
static int split_put(Split *sp, uint32_t cp, int cls, const unsigned char *rest, size_t n_rest)
{
    char *buf = sp->tl->buf;
    size_t start;
    switch (cls) {
    case CH_SKIP:
        return 0;
    case CH_WORD:
        if (!sp->in_word) {
            sp->in_word = 1;
            sp->wstart = sp->bl;
        }
        sp->bl += (size_t)utf8_encode(sp->tk->lowercase ? utf8_lower(cp) : cp, buf + sp->bl);
        return 0;
    case CH_JOIN:
        if (sp->in_word && tokenizer_next_is_word(rest, n_rest)) {
            /* U+2019 inside a word is an apostrophe: one spelling of "don't". */
            buf[sp->bl++] = cp == '.' ? '.' : '\'';
            return 0;
        }
        /* fall through */
    case CH_PUNCT:
    case CH_CJK:
        if (split_end_word(sp)) return 1;
        start = sp->bl;
        sp->bl += (size_t)utf8_encode(cp, buf + sp->bl);
        return split_close(sp, start);
    default:
        return split_end_word(sp);
    }
}

/* Steps 2-4. tl->buf holds at least 2n + 1 bytes: a token never has more
 * bytes than its source (lowercasing keeps or shrinks the UTF-8 length), plus
 * one NUL each. */
static void tokenizer_split(Split *sp, const unsigned char *s, size_t n)
{
    char *buf = sp->tl->buf;
    int lower = sp->tk->lowercase;
    size_t i = 0;
    while (i < n) {
        unsigned char c = s[i];
        if (tokenizer_is_alnum(c)) {
            if (!sp->in_word) {
                sp->in_word = 1;
                sp->wstart = sp->bl;
            }
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
        if (split_put(sp, cp, tokenizer_class(cp), s + i, n - i)) return;
    }
    split_end_word(sp);
}

void tokenizer_init(Tokenizer *tk, int lowercase, int clean_html, int max_tokens)
{
    tk->lowercase = lowercase;
    tk->clean_html = clean_html;
    tk->max_tokens = max_tokens;
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
    Tokenizer plain;
    tokenizer_init(&plain, tk->lowercase, 0, 0);
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
    memset(tl, 0, sizeof *tl);
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

void tokenizer_run(const Tokenizer *tk, const char *text, size_t len, TokenList *out)
{
    if (len > TOKENIZER_MAX_BYTES) len = TOKENIZER_MAX_BYTES;
    out->n = 0;
    out->buf_len = 0;
    tokenizer_reserve(&out->buf, &out->buf_cap, 2 * len + 1);
    out->buf[0] = '\0';
    if (len == 0) return;
    const unsigned char *s = (const unsigned char *)text;
    if (tk->clean_html) {
        tokenizer_reserve(&out->scratch, &out->scratch_cap, len);
        len = tokenizer_clean(s, len, out->scratch);
        s = (const unsigned char *)out->scratch;
    }
    Split sp = {.tk = tk, .tl = out, .limit = tk->max_tokens > 0 ? (size_t)tk->max_tokens : SIZE_MAX};
    tokenizer_split(&sp, s, len);
    out->buf_len = sp.bl;
}

void tokenizer_save(const Tokenizer *tk, CkptWriter *w)
{
    CkptBuf *b = ckpt_section(w, "TOKZ", 1);
    ckpt_put_u32(b, (uint32_t)tk->lowercase);
    ckpt_put_u32(b, (uint32_t)tk->clean_html);
    ckpt_put_u32(b, (uint32_t)tk->max_tokens);
    ckpt_put_u64(b, (uint64_t)tk->n_stopwords);
    for (int64_t i = 0; i < tk->n_stopwords; i++) ckpt_put_str(b, tk->stopwords[i], strlen(tk->stopwords[i]));
}

/* Reads n stopwords (u32 length + bytes each) from c into tk. */
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
    if (sec.version != 1) return ckpt_damaged(r, st, "TOKZ section version %u is not one this attnclf reads (1)", sec.version);
    CkptCursor c = ckpt_cursor(&sec);
    uint32_t lower = ckpt_u32(&c), html = ckpt_u32(&c), max_tokens = ckpt_u32(&c);
    uint64_t n = ckpt_u64(&c);
    if (c.bad || lower > 1 || html > 1 || max_tokens > INT32_MAX) return ckpt_damaged(r, st, "bad TOKZ section");
    tokenizer_init(tk, (int)lower, (int)html, (int)max_tokens);
    if (tokenizer_read_stopword_list(tk, &c, n) || !ckpt_done(&c)) return ckpt_damaged(r, st, "bad TOKZ stopwords");
    return 0;
}
