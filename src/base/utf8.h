/* utf8.h - the small part of Unicode the tokenizer needs: decoding with
 * replacement of invalid bytes, encoding, simple lowercasing (ASCII, Latin-1,
 * Latin Extended-A, Greek, Cyrillic) and character classes. */
#ifndef ATTNCLF_UTF8_H
#define ATTNCLF_UTF8_H

#include <stddef.h>
#include <stdint.h>

#define UTF8_REPLACEMENT 0xFFFDu

/* Decodes one code point from s[0..n), n >= 1. Returns the number of bytes used
 * (1..4). Invalid or truncated sequences, overlongs, surrogates and values past
 * U+10FFFF give *cp = U+FFFD and consume exactly one byte, so decoding always
 * makes progress and never reads past n. */
int utf8_decode(const unsigned char *s, size_t n, uint32_t *cp);
/* Writes cp (U+FFFD if invalid) as 1..4 bytes into out; returns the count. */
int utf8_encode(uint32_t cp, char out[4]);
uint32_t utf8_lower(uint32_t cp);
/* White space: ASCII space/controls (incl. NUL), U+0085, U+00A0, U+1680,
 * U+2000..U+200B, U+2028/2029, U+202F, U+205F, U+3000, U+FEFF. */
int utf8_is_space(uint32_t cp);
/* Punctuation and symbols that become tokens of their own: ASCII punctuation,
 * Latin-1 punctuation/symbols, General Punctuation U+2010..U+205E,
 * currency symbols U+20A0..U+20CF, arrows to dingbats U+2190..U+27BF, emoji and
 * other pictographs U+1F000..U+1FAFF, CJK symbols and punctuation U+3001..U+303F,
 * fullwidth forms' punctuation. */
int utf8_is_punct(uint32_t cp);
/* Characters that are one token each: CJK ideographs (incl. extensions A/B and
 * compatibility), hiragana, katakana, hangul syllables. */
int utf8_is_cjk(uint32_t cp);

#endif
