/* unicode.h - Unicode from utf8proc (Debian's libutf8proc; Unicode 15.0 in
 * Debian 12's 2.8): normalisation, full case folding, general categories, the
 * CJK one-character rule and display widths. Every function takes any bytes:
 * invalid UTF-8 is read as U+FFFD one byte at a time, exactly as utf8_decode
 * does, so nothing here fails on content.
 *
 * The version-2 tokenizer is built on this module; the version-1 tokenizer keeps
 * utf8.h's own tables so that old checkpoints tokenize as they always did. */
#ifndef ATTNCLF_UNICODE_H
#define ATTNCLF_UNICODE_H

#include <stddef.h>
#include <stdint.h>

typedef enum UnicodeForm {
    UNICODE_NONE = 0, /* no normalisation: only invalid bytes become U+FFFD */
    UNICODE_NFC = 1,  /* canonical composition: "e\u0301" -> "é" */
    UNICODE_NFKC = 2, /* compatibility composition too: "ＡＢＣ１" -> "ABC1", "ﬁ" -> "fi" */
} UnicodeForm;

/* Writes s[0..n) in the given form to out[0..cap) and returns the byte length
 * of the whole result. When that is more than cap, out holds an unspecified
 * prefix and the caller calls again with a buffer of the returned size. The
 * result is usually n bytes; it is at most 2n for NFC (U+0344) and 11n for
 * NFKC (U+FDFA "ﷺ", 3 bytes, is 33), per the exhaustive test in test_unicode.c.
 * Fast path: ASCII bytes are copied without a lookup, and after one lookup so
 * is every character the form leaves alone and nothing before it can combine with
 * (a starter with no decomposition, or one that composes back to itself, like
 * a precomposed "é": most letters, all ideographs); only the runs of other
 * characters (marks, compatibility characters...), with the character before
 * them as their base, go through utf8proc's decomposition and composition. On
 * valid UTF-8 without flags the result is utf8proc_map's (test_unicode.c
 * compares them). */
size_t unicode_normalize(char *out, size_t cap, const char *s, size_t n, UnicodeForm form, unsigned flags);

/* flags of unicode_normalize and unicode_fold, with a form other than NONE.
 * UNICODE_SINGLE_MARKS: a combining mark right after the same mark (after
 * decomposition and canonical ordering) is dropped, so "é" + U+0301 (an accent
 * typed twice, or a decomposed accent appended to a precomposed letter) is "é"
 * like "e" + U+0301. Not part of NFC or NFKC, which keep both marks. */
enum { UNICODE_SINGLE_MARKS = 1u };

/* Full case folding (CaseFolding.txt statuses C and F, not the Turkic T), then
 * the given form again, so the result is folded and normalised: "Straße",
 * "STRASSE" and "strasse" all give "strasse" (full folding maps ß to "ss";
 * simple folding would keep "straße" apart from "strasse"), "ΣΟΦΊΑ" gives
 * "σοφία", "İ" gives "i̇" (i + U+0307). Same buffer contract as
 * unicode_normalize; folding without a form is at most 3n (U+0390 "ΐ", 2 bytes,
 * folds to the 6 bytes of ι + U+0308 + U+0301, which NFC composes back). */
size_t unicode_fold(char *out, size_t cap, const char *s, size_t n, UnicodeForm form, unsigned flags);

/* 1 if full case folding changes cp. */
int unicode_folds(uint32_t cp);

/* Length of the ASCII prefix of s[0..n), scanned 8 bytes at a time. */
size_t unicode_ascii_prefix(const char *s, size_t n);

/* The major class of cp's general category. Unassigned (Cn), private use (Co)
 * and surrogates (Cs) are UNICODE_OTHER. */
typedef enum UnicodeKind {
    UNICODE_OTHER,
    UNICODE_LETTER,    /* L* */
    UNICODE_MARK,      /* M* */
    UNICODE_NUMBER,    /* N* */
    UNICODE_PUNCT,     /* P* */
    UNICODE_SYMBOL,    /* S* */
    UNICODE_SEPARATOR, /* Z*: Zs, Zl, Zp */
    UNICODE_CONTROL,   /* Cc */
    UNICODE_FORMAT,    /* Cf: soft hyphen, zero-width joiners, bidi controls, BOM */
} UnicodeKind;

UnicodeKind unicode_kind(uint32_t cp);
/* unicode_kind(cp) | UNICODE_CJK if unicode_is_cjk(cp) | UNICODE_FOLDS if
 * unicode_folds(cp), from one table lookup: what the tokenizer asks of each
 * non-ASCII character. */
enum { UNICODE_KIND_MASK = 15u, UNICODE_CJK = 16u, UNICODE_FOLDS = 32u };
unsigned unicode_props(uint32_t cp);
/* Two-letter general category ("Lu", "Po", ...). */
const char *unicode_category_name(uint32_t cp);
int unicode_is_punct(uint32_t cp);  /* P* */
int unicode_is_symbol(uint32_t cp); /* S* */
int unicode_is_space(uint32_t cp);  /* Z* or Cc */
int unicode_is_word(uint32_t cp);   /* L*, M*, N* */
/* Characters that are one token each in the version-2 tokenizer: letters and
 * letter numbers (Lo, Lm, Nl) of the Han ideographs (URO, extensions A-H,
 * compatibility), hiragana, katakana (with halfwidth and the kana supplements),
 * hangul syllables, and the ideographic iteration marks and numbers of
 * U+3005..U+303C. utf8proc has no Script property, so the blocks are ranges
 * here and the category keeps their punctuation (・ ゠) and symbols (゛) out.
 * Decomposed hangul is composed into syllables by NFC/NFKC first. */
int unicode_is_cjk(uint32_t cp);

/* Terminal columns of cp (wcwidth-like): 2 for wide and fullwidth characters,
 * 0 for combining marks and controls, 1 otherwise. */
int unicode_char_width(uint32_t cp);
/* Columns of the UTF-8 string s[0..n); an invalid byte counts as U+FFFD (1). */
size_t unicode_width(const char *s, size_t n);
/* utf8proc's Unicode version, e.g. "15.0.0": version-2 tokens depend on it. */
const char *unicode_version(void);

#endif
