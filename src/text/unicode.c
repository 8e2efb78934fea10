/* unicode.c - see unicode.h. utf8proc_map would do the normalisation in one
 * call, but it rejects invalid UTF-8 outright; decoding here with utf8_decode
 * gives the U+FFFD-per-bad-byte rule the tokenizer has always had, and the
 * code points go through utf8proc's own steps: utf8proc_decompose_char per code
 * point, the canonical reordering (as utf8proc_decompose_custom does it) and
 * utf8proc_normalize_utf32 for the composition. */
#include "unicode.h"

#include <stdlib.h>
#include <string.h>
#include <utf8proc.h>

#include "mem.h"
#include "utf8.h"

/* Code points of one piece (see unicode_map): on the stack unless a piece is
 * long (hundreds of marks or halfwidth kana in a row), then on the heap. */
#define UNICODE_STACK_CPS 256

typedef struct Piece {
    utf8proc_int32_t *cp; /* [cap] */
    size_t n, cap;
    utf8proc_int32_t stack[UNICODE_STACK_CPS];
} Piece;

static void piece_init(Piece *p)
{
    p->cp = p->stack;
    p->n = 0;
    p->cap = UNICODE_STACK_CPS;
}

static void piece_free(Piece *p)
{
    if (p->cp != p->stack) free(p->cp);
}

static void piece_reserve(Piece *p, size_t need)
{
    if (need <= p->cap) return;
    size_t cap = p->cap * 2 > need ? p->cap * 2 : need;
    if (p->cp == p->stack) {
        p->cp = xmalloc(cap * sizeof *p->cp);
        memcpy(p->cp, p->stack, p->n * sizeof *p->cp);
    } else {
        p->cp = xrealloc(p->cp, cap * sizeof *p->cp);
    }
    p->cap = cap;
}

/* Appends cp mapped by options (decomposition and/or case folding). */
static void piece_put(Piece *p, uint32_t cp, utf8proc_option_t options)
{
    int boundclass = UTF8PROC_BOUNDCLASS_START; /* used only with UTF8PROC_CHARBOUND */
    for (;;) {
        utf8proc_ssize_t got = utf8proc_decompose_char((utf8proc_int32_t)cp, p->cp + p->n,
                                                       (utf8proc_ssize_t)(p->cap - p->n), options, &boundclass);
        if (got < 0) got = 0; /* only for values past U+10FFFF, which utf8_decode never gives */
        if ((size_t)got <= p->cap - p->n) {
            p->n += (size_t)got;
            return;
        }
        piece_reserve(p, p->n + (size_t)got);
    }
}

static int unicode_ccc(utf8proc_int32_t cp)
{
    return utf8proc_get_property(cp)->combining_class;
}

/* Canonical ordering: each run of non-starters sorted stably by combining
 * class (an insertion sort; runs are a few marks long). */
static void piece_order(Piece *p)
{
    for (size_t i = 1; i < p->n; i++) {
        utf8proc_int32_t x = p->cp[i];
        int c = unicode_ccc(x);
        if (c == 0) continue;
        size_t j = i;
        while (j > 0 && unicode_ccc(p->cp[j - 1]) > c) {
            p->cp[j] = p->cp[j - 1];
            j--;
        }
        p->cp[j] = x;
    }
}

/* UNICODE_SINGLE_MARKS on an ordered piece. */
static void piece_single_marks(Piece *p)
{
    size_t w = 0;
    for (size_t k = 0; k < p->n; k++)
        if (w == 0 || p->cp[k] != p->cp[w - 1] || unicode_ccc(p->cp[k]) == 0) p->cp[w++] = p->cp[k];
    p->n = w;
}

/* Appends the UTF-8 of the piece at out + o when it fits; returns the new o. */
static size_t piece_emit(const Piece *p, char *out, size_t cap, size_t o)
{
    for (size_t k = 0; k < p->n; k++) {
        char b[4];
        int len = utf8_encode((uint32_t)p->cp[k], b);
        if (o + (size_t)len <= cap) memcpy(out + o, b, (size_t)len);
        o += (size_t)len;
    }
    return o;
}

static size_t unicode_copy_ascii(char *out, size_t cap, size_t o, const unsigned char *s, size_t n, int fold)
{
    size_t fit = o < cap ? (cap - o < n ? cap - o : n) : 0;
    if (fit == 0) return o + n; /* out may be NULL with cap 0 */
    if (!fold) {
        memcpy(out + o, s, fit);
    } else {
        for (size_t k = 0; k < fit; k++) out[o + k] = (char)(s[k] >= 'A' && s[k] <= 'Z' ? s[k] + 0x20 : s[k]);
    }
    return o + n;
}

/* 1 if options map cp, alone, to itself: a precomposed "é" is NFC and NFKC,
 * "Å" (U+212B) is not. */
static int unicode_stays(uint32_t cp, utf8proc_option_t options)
{
    utf8proc_int32_t d[32];
    int boundclass = UTF8PROC_BOUNDCLASS_START;
    utf8proc_ssize_t n = utf8proc_decompose_char((utf8proc_int32_t)cp, d, 32, options, &boundclass);
    if (n < 1 || n > 32) return 0;
    n = utf8proc_normalize_utf32(d, n, UTF8PROC_COMPOSE);
    return n == 1 && d[0] == (utf8proc_int32_t)cp;
}

/* A code point that options leave as it is and that nothing before it can
 * combine with: a starter (combining class 0, not a mark: the marks that
 * compose, like U+0B3E, are the only class-0 characters that do), not a hangul
 * vowel or trailing consonant (which compose with the syllable before them by
 * rule, not by table), not folded, and either without a decomposition or one
 * that composes back to it. A text cut before one normalises part by part:
 * nothing reorders across a starter and nothing composes into it; a mark after
 * it belongs to the next piece, with it as the base. test_unicode.c checks this
 * for every code point against utf8proc_map. */
static int unicode_inert(uint32_t cp, utf8proc_option_t options)
{
    if (!options) return 1;
    const utf8proc_property_t *p = utf8proc_get_property((utf8proc_int32_t)cp);
    if ((options & UTF8PROC_CASEFOLD) && p->casefold_seqindex != UINT16_MAX) return 0;
    if (!(options & UTF8PROC_COMPOSE)) return 1;
    if (p->combining_class != 0 || p->category == UTF8PROC_CATEGORY_MN || p->category == UTF8PROC_CATEGORY_MC ||
        p->category == UTF8PROC_CATEGORY_ME)
        return 0;
    if ((cp >= 0x1161 && cp <= 0x1175) || (cp >= 0x11A8 && cp <= 0x11C2)) return 0;
    if (p->decomp_seqindex == UINT16_MAX || (p->decomp_type && !(options & UTF8PROC_COMPAT))) return 1;
    return unicode_stays(cp, options);
}

/* unicode_inert for one call of unicode_map (one set of options), remembered
 * for the code points seen: text repeats its letters, and a precomposed one
 * costs a trial normalisation. Direct-mapped; a slot is cp << 1 | inert. */
#define UNICODE_CACHE 128

typedef struct InertCache {
    uint32_t slot[UNICODE_CACHE];
} InertCache;

static int unicode_inert_cached(InertCache *c, uint32_t cp, utf8proc_option_t options)
{
    uint32_t *slot = &c->slot[cp % UNICODE_CACHE];
    if (*slot != UINT32_MAX && *slot >> 1 == cp) return (int)(*slot & 1);
    int inert = unicode_inert(cp, options);
    *slot = cp << 1 | (uint32_t)inert;
    return inert;
}

/* Copies one inert code point of `used` input bytes; an invalid byte is U+FFFD.
 * Returns the new o; *len is what it wrote. */
static size_t unicode_copy_cp(char *out, size_t cap, size_t o, const unsigned char *s, int used, uint32_t cp,
                              size_t *len)
{
    const unsigned char *b = s;
    *len = (size_t)used;
    if (cp == UTF8_REPLACEMENT && used == 1) {
        b = (const unsigned char *)"\xef\xbf\xbd";
        *len = 3;
    }
    if (o + *len <= cap)
        for (size_t k = 0; k < *len; k++) out[o + k] = (char)b[k];
    return o + *len;
}

static utf8proc_option_t unicode_options(UnicodeForm form, int fold)
{
    utf8proc_option_t options = 0;
    if (form == UNICODE_NFC || form == UNICODE_NFKC) options |= UTF8PROC_COMPOSE;
    if (form == UNICODE_NFKC) options |= UTF8PROC_COMPAT;
    if (fold) options |= UTF8PROC_CASEFOLD;
    return options;
}

/* The fast path copies ASCII runs and inert code points (unicode_inert); the
 * rest goes through utf8proc in pieces that start at the inert code point
 * before them (the base of a following mark) and end before the next one. */
static size_t unicode_map(char *out, size_t cap, const char *text, size_t n, UnicodeForm form, unsigned flags,
                          int fold)
{
    utf8proc_option_t options = unicode_options(form, fold);
    const unsigned char *s = (const unsigned char *)text;
    Piece p;
    piece_init(&p);
    InertCache cache;
    memset(cache.slot, 0xFF, sizeof cache.slot);
    size_t i = 0, o = 0;
    size_t base = SIZE_MAX, base_out = 0; /* the inert code point just before i: offset, bytes written */
    while (i < n) {
        size_t run = unicode_ascii_prefix((const char *)s + i, n - i);
        if (run) {
            o = unicode_copy_ascii(out, cap, o, s + i, run, fold);
            i += run;
            base = i - 1;
            base_out = 1;
            if (i == n) break;
        }
        uint32_t cp;
        int used = utf8_decode(s + i, n - i, &cp);
        if (unicode_inert_cached(&cache, cp, options)) {
            base = i;
            o = unicode_copy_cp(out, cap, o, s + i, used, cp, &base_out);
            i += (size_t)used;
            continue;
        }
        size_t k = i;
        if (base != SIZE_MAX) {
            k = base;
            o -= base_out;
        }
        p.n = 0;
        while (k < n) {
            uint32_t c;
            int u = utf8_decode(s + k, n - k, &c);
            if (k > i && (s[k] < 0x80 || unicode_inert_cached(&cache, c, options))) break;
            piece_put(&p, c, options);
            k += (size_t)u;
        }
        if (options & UTF8PROC_COMPOSE) {
            piece_order(&p);
            if (flags & UNICODE_SINGLE_MARKS) piece_single_marks(&p);
            p.n = (size_t)utf8proc_normalize_utf32(p.cp, (utf8proc_ssize_t)p.n, UTF8PROC_COMPOSE);
        }
        o = piece_emit(&p, out, cap, o);
        base = SIZE_MAX;
        i = k;
    }
    piece_free(&p);
    return o;
}

size_t unicode_normalize(char *out, size_t cap, const char *s, size_t n, UnicodeForm form, unsigned flags)
{
    return unicode_map(out, cap, s, n, form, flags, 0);
}

size_t unicode_fold(char *out, size_t cap, const char *s, size_t n, UnicodeForm form, unsigned flags)
{
    return unicode_map(out, cap, s, n, form, flags, 1);
}

size_t unicode_ascii_prefix(const char *s, size_t n)
{
    size_t k = 0;
    for (; k + 8 <= n; k += 8) {
        uint64_t v;
        memcpy(&v, s + k, 8);
        if (v & 0x8080808080808080ull) break;
    }
    while (k < n && (unsigned char)s[k] < 0x80) k++;
    return k;
}

static int unicode_in_cjk_block(uint32_t cp)
{
    return (cp >= 0x3005 && cp <= 0x3007) ||   /* 々 〆 〇 */
           (cp >= 0x3021 && cp <= 0x3029) ||   /* Hangzhou numerals */
           (cp >= 0x3031 && cp <= 0x3035) ||   /* kana repeat marks */
           (cp >= 0x3038 && cp <= 0x303C) ||   /* 〸 〹 〺 〻 〼 */
           (cp >= 0x3040 && cp <= 0x30FF) ||   /* hiragana, katakana */
           (cp >= 0x31F0 && cp <= 0x31FF) ||   /* katakana phonetic extensions */
           (cp >= 0x3400 && cp <= 0x4DBF) ||   /* extension A */
           (cp >= 0x4E00 && cp <= 0x9FFF) ||   /* unified ideographs */
           (cp >= 0xAC00 && cp <= 0xD7A3) ||   /* hangul syllables */
           (cp >= 0xF900 && cp <= 0xFAFF) ||   /* compatibility ideographs */
           (cp >= 0xFF66 && cp <= 0xFF9F) ||   /* halfwidth katakana */
           (cp >= 0x1AFF0 && cp <= 0x1B16F) || /* kana extended-B, supplement, extended-A, small kana */
           (cp >= 0x20000 && cp <= 0x2FA1F) || /* extensions B..F, compatibility supplement */
           (cp >= 0x30000 && cp <= 0x323AF);   /* extensions G, H */
}

unsigned unicode_props(uint32_t cp)
{
    /* Indexed by utf8proc_category_t: Cn, Lu Ll Lt Lm Lo, Mn Mc Me, Nd Nl No,
     * Pc Pd Ps Pe Pi Pf Po, Sm Sc Sk So, Zs Zl Zp, Cc Cf Cs Co. */
    static const unsigned char kind[30] = {
        UNICODE_OTHER,     UNICODE_LETTER,    UNICODE_LETTER,    UNICODE_LETTER,  UNICODE_LETTER,
        UNICODE_LETTER,    UNICODE_MARK,      UNICODE_MARK,      UNICODE_MARK,    UNICODE_NUMBER,
        UNICODE_NUMBER,    UNICODE_NUMBER,    UNICODE_PUNCT,     UNICODE_PUNCT,   UNICODE_PUNCT,
        UNICODE_PUNCT,     UNICODE_PUNCT,     UNICODE_PUNCT,     UNICODE_PUNCT,   UNICODE_SYMBOL,
        UNICODE_SYMBOL,    UNICODE_SYMBOL,    UNICODE_SYMBOL,    UNICODE_SEPARATOR, UNICODE_SEPARATOR,
        UNICODE_SEPARATOR, UNICODE_CONTROL,   UNICODE_FORMAT,    UNICODE_OTHER,   UNICODE_OTHER,
    };
    if (cp > 0x10FFFF) return UNICODE_OTHER;
    const utf8proc_property_t *p = utf8proc_get_property((utf8proc_int32_t)cp);
    unsigned c = (unsigned)p->category;
    unsigned props = c < sizeof kind ? kind[c] : UNICODE_OTHER;
    if (p->casefold_seqindex != UINT16_MAX) props |= UNICODE_FOLDS;
    /* utf8proc has no Script property: the blocks are ranges, and the category
     * keeps their punctuation (・ ゠) and symbols (゛) out. */
    if ((c == UTF8PROC_CATEGORY_LO || c == UTF8PROC_CATEGORY_LM || c == UTF8PROC_CATEGORY_NL) && cp >= 0x3005 &&
        unicode_in_cjk_block(cp))
        props |= UNICODE_CJK;
    return props;
}

UnicodeKind unicode_kind(uint32_t cp)
{
    return (UnicodeKind)(unicode_props(cp) & UNICODE_KIND_MASK);
}

int unicode_folds(uint32_t cp)
{
    return (unicode_props(cp) & UNICODE_FOLDS) != 0;
}

int unicode_is_cjk(uint32_t cp)
{
    return (unicode_props(cp) & UNICODE_CJK) != 0;
}

const char *unicode_category_name(uint32_t cp)
{
    return cp > 0x10FFFF ? "Cn" : utf8proc_category_string((utf8proc_int32_t)cp);
}

int unicode_is_punct(uint32_t cp)
{
    return unicode_kind(cp) == UNICODE_PUNCT;
}

int unicode_is_symbol(uint32_t cp)
{
    return unicode_kind(cp) == UNICODE_SYMBOL;
}

int unicode_is_space(uint32_t cp)
{
    UnicodeKind k = unicode_kind(cp);
    return k == UNICODE_SEPARATOR || k == UNICODE_CONTROL;
}

int unicode_is_word(uint32_t cp)
{
    UnicodeKind k = unicode_kind(cp);
    return k == UNICODE_LETTER || k == UNICODE_MARK || k == UNICODE_NUMBER;
}

int unicode_char_width(uint32_t cp)
{
    return cp > 0x10FFFF ? 1 : utf8proc_charwidth((utf8proc_int32_t)cp);
}

size_t unicode_width(const char *s, size_t n)
{
    const unsigned char *u = (const unsigned char *)s;
    size_t w = 0;
    for (size_t i = 0; i < n;) {
        uint32_t cp;
        i += (size_t)utf8_decode(u + i, n - i, &cp);
        w += (size_t)unicode_char_width(cp);
    }
    return w;
}

const char *unicode_version(void)
{
    return utf8proc_unicode_version();
}
