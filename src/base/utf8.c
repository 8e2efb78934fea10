/* utf8.c - see utf8.h. */
#include "utf8.h"

static int utf8_is_cont(unsigned char b)
{
    return (b & 0xC0) == 0x80;
}

int utf8_decode(const unsigned char *s, size_t n, uint32_t *cp)
{
    unsigned char c = s[0];
    if (c < 0x80) {
        *cp = c;
        return 1;
    }
    /* The second byte's range is narrowed per lead byte (RFC 3629 table) so
     * overlongs, surrogates and values past U+10FFFF are rejected up front. */
    unsigned char lo = 0x80, hi = 0xBF;
    int need;
    if (c >= 0xC2 && c <= 0xDF) {
        need = 2;
    } else if (c >= 0xE0 && c <= 0xEF) {
        need = 3;
        if (c == 0xE0) lo = 0xA0;
        if (c == 0xED) hi = 0x9F;
    } else if (c >= 0xF0 && c <= 0xF4) {
        need = 4;
        if (c == 0xF0) lo = 0x90;
        if (c == 0xF4) hi = 0x8F;
    } else {
        *cp = UTF8_REPLACEMENT;
        return 1;
    }
    if (n < (size_t)need || s[1] < lo || s[1] > hi) {
        *cp = UTF8_REPLACEMENT;
        return 1;
    }
    uint32_t v = c & (0x7Fu >> need);
    for (int k = 1; k < need; k++) {
        if (!utf8_is_cont(s[k])) {
            *cp = UTF8_REPLACEMENT;
            return 1;
        }
        v = (v << 6) | (s[k] & 0x3Fu);
    }
    *cp = v;
    return need;
}

int utf8_encode(uint32_t cp, char out[4])
{
    if (cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) cp = UTF8_REPLACEMENT;
    if (cp < 0x80) {
        out[0] = (char)cp;
        return 1;
    }
    if (cp < 0x800) {
        out[0] = (char)(0xC0 | (cp >> 6));
        out[1] = (char)(0x80 | (cp & 0x3F));
        return 2;
    }
    if (cp < 0x10000) {
        out[0] = (char)(0xE0 | (cp >> 12));
        out[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        out[2] = (char)(0x80 | (cp & 0x3F));
        return 3;
    }
    out[0] = (char)(0xF0 | (cp >> 18));
    out[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
    out[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
    out[3] = (char)(0x80 | (cp & 0x3F));
    return 4;
}

/* Latin Extended-A alternates capital/small, but the parity flips twice:
 * U+0139..U+0148 and U+0179..U+017E have the capital on the odd code point. */
static uint32_t utf8_lower_latin_ext_a(uint32_t cp)
{
    if (cp == 0x0130) return 'i';
    if (cp == 0x0178) return 0x00FF;
    if ((cp >= 0x0139 && cp <= 0x0148) || (cp >= 0x0179 && cp <= 0x017E)) return (cp & 1) ? cp + 1 : cp;
    /* Kra is a small letter with no capital; it sits where a capital would. */
    if (cp == 0x0138) return cp;
    return (cp & 1) ? cp : cp + 1;
}

static uint32_t utf8_lower_greek(uint32_t cp)
{
    if (cp >= 0x0391 && cp <= 0x03A9 && cp != 0x03A2) return cp + 0x20;
    switch (cp) {
    case 0x0386: return 0x03AC;
    case 0x0388: return 0x03AD;
    case 0x0389: return 0x03AE;
    case 0x038A: return 0x03AF;
    case 0x038C: return 0x03CC;
    case 0x038E: return 0x03CD;
    case 0x038F: return 0x03CE;
    default: return cp;
    }
}

uint32_t utf8_lower(uint32_t cp)
{
    if (cp < 0x80) return (cp >= 'A' && cp <= 'Z') ? cp + 0x20 : cp;
    if (cp >= 0x00C0 && cp <= 0x00DE) return cp == 0x00D7 ? cp : cp + 0x20;
    if (cp >= 0x0100 && cp <= 0x017F) return utf8_lower_latin_ext_a(cp);
    if (cp >= 0x0386 && cp <= 0x03A9) return utf8_lower_greek(cp);
    if (cp >= 0x0410 && cp <= 0x042F) return cp + 0x20;
    if (cp >= 0x0400 && cp <= 0x040F) return cp + 0x50;
    return cp;
}

int utf8_is_space(uint32_t cp)
{
    if (cp <= 0x20 || cp == 0x7F) return 1;
    if (cp < 0x85) return 0;
    switch (cp) {
    case 0x0085:
    case 0x00A0:
    case 0x1680:
    case 0x2028:
    case 0x2029:
    case 0x202F:
    case 0x205F:
    case 0x3000:
    case 0xFEFF:
        return 1;
    default:
        return cp >= 0x2000 && cp <= 0x200B;
    }
}

/* Latin-1 U+00A1..U+00BF minus the letters and numbers among them (ª º µ,
 * superscript digits, fractions) and the invisible soft hyphen. */
static int utf8_is_latin1_punct(uint32_t cp)
{
    switch (cp) {
    case 0x00AA:
    case 0x00AD:
    case 0x00B2:
    case 0x00B3:
    case 0x00B5:
    case 0x00B9:
    case 0x00BA:
    case 0x00BC:
    case 0x00BD:
    case 0x00BE:
        return 0;
    default:
        return 1;
    }
}

int utf8_is_punct(uint32_t cp)
{
    if (cp < 0x80)
        return (cp >= 0x21 && cp <= 0x2F) || (cp >= 0x3A && cp <= 0x40) || (cp >= 0x5B && cp <= 0x60) ||
               (cp >= 0x7B && cp <= 0x7E);
    if (cp >= 0x00A1 && cp <= 0x00BF) return utf8_is_latin1_punct(cp);
    if (cp == 0x00D7 || cp == 0x00F7) return 1;
    /* U+2028..U+202F are line/paragraph separators and bidi controls, not
     * visible punctuation. */
    if (cp >= 0x2010 && cp <= 0x205E) return cp < 0x2028 || cp > 0x202F;
    if (cp >= 0x20A0 && cp <= 0x20CF) return 1; /* currency symbols: "€5" -> "€" "5" like "$5" */
    /* Arrows, math operators, technical, box drawing, shapes, dingbats and emoji:
     * one token each, so "great😀" carries the emoji as its own feature. */
    if (cp >= 0x2190 && cp <= 0x27BF) return 1;
    if (cp >= 0x1F000 && cp <= 0x1FAFF) return 1;
    if (cp >= 0x3001 && cp <= 0x303F) return 1;
    if (cp >= 0xFF01 && cp <= 0xFF65)
        return cp <= 0xFF0F || (cp >= 0xFF1A && cp <= 0xFF20) || (cp >= 0xFF3B && cp <= 0xFF40) || cp >= 0xFF5B;
    return 0;
}

int utf8_is_cjk(uint32_t cp)
{
    if (cp < 0x3040) return 0;
    return (cp >= 0x3040 && cp <= 0x30FF) ||   /* hiragana, katakana */
           (cp >= 0x31F0 && cp <= 0x31FF) ||   /* katakana phonetic extensions */
           (cp >= 0x3400 && cp <= 0x4DBF) ||   /* extension A */
           (cp >= 0x4E00 && cp <= 0x9FFF) ||   /* unified ideographs */
           (cp >= 0xAC00 && cp <= 0xD7A3) ||   /* hangul syllables */
           (cp >= 0xF900 && cp <= 0xFAFF) ||   /* compatibility ideographs */
           (cp >= 0xFF66 && cp <= 0xFF9F) ||   /* halfwidth katakana */
           (cp >= 0x20000 && cp <= 0x2FA1F) || /* extensions B..F, compatibility supplement */
           (cp >= 0x30000 && cp <= 0x323AF);   /* extensions G, H */
}
