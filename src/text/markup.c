/* markup.c - see markup.h. */
#include "markup.h"

#include <stdint.h>
#include <string.h>

#include "markup_entities.h"
#include "utf8.h"

/* A '<' whose '>' is further away than this is taken as text, so one stray
 * '<' cannot swallow a whole paragraph. */
#define MARKUP_MAX_TAG 256
/* The longest HTML5 name without its ';' ("CounterClockwiseContourIntegral"). */
#define MARKUP_MAX_NAME 31

typedef struct Entity {
    const char *name;
    uint32_t cp;
    int bare; /* also decoded without its '&', as AG News lost it */
} Entity;

/* &nbsp; is a plain space: its only job in text is to separate words. */
static const Entity markup_legacy[] = {
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
static const uint16_t markup_cp1252[32] = {
    0x20AC, 0x0081, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160,
    0x2039, 0x0152, 0x008D, 0x017D, 0x008F, 0x0090, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022,
    0x2013, 0x2014, 0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0x009D, 0x017E, 0x0178,
};

/* What a reference decodes to: UTF-8 bytes, at most 6 (markup_entities.h). */
typedef struct Decoded {
    char utf8[8];
    size_t len;
} Decoded;

static void markup_set_cp(Decoded *d, uint32_t cp)
{
    d->len = (size_t)utf8_encode(cp, d->utf8);
}

/* Per byte: bit 0 starts a tag, reference or line break ("<&#\\"); bit 1
 * starts a bare AG News name ("quot;" "amp;" "lt;" "gt;" "nbsp;") when it
 * starts a word; bits 2-3 are the start bits to test at the next byte: only
 * bit 0 after a letter, digit or non-ASCII byte (bare names are taken only at a
 * word start, so "flat;" or "bang;" stay intact), both after anything else;
 * bit 4 a letter or digit. One lookup keeps markup_clean's per-byte work small. */
enum { MARKUP_STARTS = 1, MARKUP_STARTS_BARE = 2, MARKUP_ALNUM = 16 };
static const unsigned char markup_byte[256] = {
    12, 12, 12, 12, 12, 12, 12, 12, 12, 12, 12, 12, 12, 12, 12, 12,
    12, 12, 12, 12, 12, 12, 12, 12, 12, 12, 12, 12, 12, 12, 12, 12,
    12, 12, 12, 13, 12, 12, 13, 12, 12, 12, 12, 12, 12, 12, 12, 12,
    20, 20, 20, 20, 20, 20, 20, 20, 20, 20, 12, 12, 13, 12, 12, 12,
    12, 20, 20, 20, 20, 20, 20, 20, 20, 20, 20, 20, 20, 20, 20, 20,
    20, 20, 20, 20, 20, 20, 20, 20, 20, 20, 20, 12, 13, 12, 12, 12,
    12, 22, 20, 20, 20, 20, 20, 22, 20, 20, 20, 20, 22, 20, 22, 20,
    20, 22, 20, 20, 20, 20, 20, 20, 20, 20, 20, 12, 12, 12, 12, 12,
     4,  4,  4,  4,  4,  4,  4,  4,  4,  4,  4,  4,  4,  4,  4,  4,
     4,  4,  4,  4,  4,  4,  4,  4,  4,  4,  4,  4,  4,  4,  4,  4,
     4,  4,  4,  4,  4,  4,  4,  4,  4,  4,  4,  4,  4,  4,  4,  4,
     4,  4,  4,  4,  4,  4,  4,  4,  4,  4,  4,  4,  4,  4,  4,  4,
     4,  4,  4,  4,  4,  4,  4,  4,  4,  4,  4,  4,  4,  4,  4,  4,
     4,  4,  4,  4,  4,  4,  4,  4,  4,  4,  4,  4,  4,  4,  4,  4,
     4,  4,  4,  4,  4,  4,  4,  4,  4,  4,  4,  4,  4,  4,  4,  4,
     4,  4,  4,  4,  4,  4,  4,  4,  4,  4,  4,  4,  4,  4,  4,  4,
};

static int markup_is_alnum(unsigned char c)
{
    return markup_byte[c] & MARKUP_ALNUM;
}

static int markup_is_digit(unsigned char c, int hex)
{
    if (c >= '0' && c <= '9') return 1;
    return hex && ((c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'));
}

/* Parses up to max_digits digits and a ';' from s[0..n); returns the bytes used
 * (0 if it is not such a number) and the value in *v. */
static size_t markup_parse_number(const unsigned char *s, size_t n, int hex, int max_digits, uint32_t *v)
{
    size_t k = 0;
    uint32_t x = 0;
    while (k < n && (int)k < max_digits && markup_is_digit(s[k], hex)) {
        unsigned d = s[k] <= '9' ? s[k] - '0' : (s[k] | 0x20) - 'a' + 10;
        x = x * (hex ? 16 : 10) + d;
        k++;
    }
    if (k == 0 || k >= n || s[k] != ';') return 0;
    *v = x;
    return k + 1;
}

static uint32_t markup_numeric_cp(uint32_t v)
{
    if (v >= 0x80 && v <= 0x9F) return markup_cp1252[v - 0x80];
    return v == 0 ? UTF8_REPLACEMENT : v;
}

/* s starts with a legacy-set name and ';'? bare_only limits the names to those
 * AG News has without their '&'. */
static size_t markup_named_legacy(const unsigned char *s, size_t n, int bare_only, Decoded *d)
{
    size_t k = 0;
    while (k < n && k < 8 && markup_is_alnum(s[k])) k++;
    if (k == 0 || k >= n || s[k] != ';') return 0;
    for (size_t e = 0; e < sizeof markup_legacy / sizeof markup_legacy[0]; e++) {
        const Entity *en = &markup_legacy[e];
        if ((en->bare || !bare_only) && strlen(en->name) == k && memcmp(en->name, s, k) == 0) {
            markup_set_cp(d, en->cp);
            return k + 1;
        }
    }
    return 0;
}

/* s starts with an HTML5 name, with its ';' or a legacy one without (see markup.h). */
static size_t markup_named_html5(const unsigned char *s, size_t n, Decoded *d)
{
    size_t k = 0;
    while (k < n && k < MARKUP_MAX_NAME && markup_is_alnum(s[k])) k++;
    if (k == 0) return 0;
    const char *utf8;
    size_t len = 0, used = 0;
    if (k < n && s[k] == ';') {
        used = k + 1;
        len = markup_entities_find((const char *)s, used, &utf8);
    }
    if (!len && (k == n || (s[k] != '=' && !markup_is_alnum(s[k])))) {
        used = k;
        len = markup_entities_find((const char *)s, used, &utf8);
    }
    if (!len) return 0;
    memcpy(d->utf8, utf8, len);
    d->len = len;
    return used;
}

/* s[0] == '&': "&name;", "&#NNN;" or "&#xHH;". */
static size_t markup_entity(const unsigned char *s, size_t n, MarkupEntities set, Decoded *d)
{
    if (n < 3) return 0;
    if (s[1] != '#') {
        size_t used = set == MARKUP_ENTITIES_HTML5 ? markup_named_html5(s + 1, n - 1, d)
                                                 : markup_named_legacy(s + 1, n - 1, 0, d);
        return used ? used + 1 : 0;
    }
    int hex = s[2] == 'x' || s[2] == 'X';
    size_t at = hex ? 3 : 2;
    uint32_t v;
    size_t used = markup_parse_number(s + at, n - at, hex, hex ? 6 : 7, &v);
    if (!used) return 0;
    markup_set_cp(d, markup_numeric_cp(v));
    return at + used;
}

/* s[0] == '#': AG News' "#39;" with the '&' lost. Only printable results count,
 * so text like "#1;" is left alone. */
static size_t markup_bare_numeric(const unsigned char *s, size_t n, Decoded *d)
{
    uint32_t v;
    size_t used = markup_parse_number(s + 1, n - 1, 0, 6, &v);
    if (!used || v < 0x20) return 0;
    uint32_t c = markup_numeric_cp(v);
    if ((c >= 0x7F && c <= 0x9F) || (c >= 0xD800 && c <= 0xDFFF)) return 0;
    markup_set_cp(d, c);
    return used + 1;
}

/* s[0] == '<': a tag is '<' + letter, '/' or '!' up to the next '>'. */
static size_t markup_tag(const unsigned char *s, size_t n)
{
    if (n < 2 || !(s[1] == '/' || s[1] == '!' || ((s[1] | 0x20) >= 'a' && (s[1] | 0x20) <= 'z'))) return 0;
    size_t span = n - 1 < MARKUP_MAX_TAG ? n - 1 : MARKUP_MAX_TAG;
    const unsigned char *end = memchr(s + 1, '>', span);
    return end ? (size_t)(end - s) + 1 : 0;
}

/* One rewrite at s[i] (a byte that starts one, see markup_byte): the bytes it
 * consumes, 0 if none, with *bare set for an AG News leftover. Out of line, so
 * markup_clean's copy loop keeps its pointers in registers. */
__attribute__((noinline)) static size_t markup_rewrite(const unsigned char *s, size_t n, size_t i, MarkupEntities set, Decoded *d, int *bare)
{
    unsigned char c = s[i];
    *bare = 0;
    if (c == '<' || c == '\\') {
        /* Both become a space. */
        d->utf8[0] = ' ';
        d->len = 1;
        return c == '\\' ? 1 : markup_tag(s + i, n - i);
    }
    if (c == '&') return markup_entity(s + i, n - i, set, d);
    *bare = 1;
    if (c == '#') return markup_bare_numeric(s + i, n - i, d);
    return markup_named_legacy(s + i, n - i, 1, d);
}

size_t markup_clean(char *out, const char *text, size_t n, MarkupEntities set)
{
    const unsigned char *s = (const unsigned char *)text;
    size_t i = 0, o = 0;
    unsigned stop = MARKUP_STARTS | MARKUP_STARTS_BARE;
    while (i < n) {
        unsigned char c = s[i];
        unsigned f = markup_byte[c];
        if (!(f & stop)) {
            out[o++] = (char)c;
            i++;
            stop = (f >> 2) & 3;
            continue;
        }
        Decoded d;
        int bare;
        size_t used = markup_rewrite(s, n, i, set, &d, &bare);
        if (!used) {
            out[o++] = (char)c;
            i++;
            stop = (f >> 2) & 3;
            continue;
        }
        /* AG News turned the lost '&' into a space: "doesn #39;t". */
        if (bare && o > 0 && out[o - 1] == ' ' && s[i - 1] == ' ') o--;
        memcpy(out + o, d.utf8, d.len);
        o += d.len;
        i += used;
        /* A rewrite ends in ';' or '>' or is a backslash; an HTML5 legacy name
         * without ';' is followed by no letter. Either way a bare name may
         * start next. */
        stop = MARKUP_STARTS | MARKUP_STARTS_BARE;
    }
    return o;
}

int markup_has_markup(const char *s, size_t n)
{
    return memchr(s, '<', n) || memchr(s, ';', n) || memchr(s, '&', n) || memchr(s, '\\', n);
}
