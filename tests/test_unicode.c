/* test_unicode.c - unicode.h over utf8proc: NFC and NFKC (with the ASCII fast
 * path and its piece boundaries), full case folding, invalid UTF-8, the buffer
 * contract, general categories, the CJK rule and display widths. */
#include <check.h>
#include <stdlib.h>
#include <string.h>
#include <utf8proc.h>

#include "unicode.h"
#include "utf8.h"

/* Runs f on s into a buffer of exactly the size it asks for (so ASan catches a
 * write past it) and compares the result. */
typedef size_t (*MapFn)(char *, size_t, const char *, size_t, UnicodeForm, unsigned);

static void expect_map(MapFn f, const char *s, size_t n, UnicodeForm form, unsigned flags, const char *want)
{
    size_t need = f(NULL, 0, s, n, form, flags);
    char *out = malloc(need + 1);
    ck_assert_ptr_nonnull(out);
    ck_assert_uint_eq(f(out, need, s, n, form, flags), need);
    out[need] = '\0';
    ck_assert_msg(need == strlen(want) && memcmp(out, want, need) == 0, "form %d of \"%.*s\": got \"%s\", want \"%s\"",
                  (int)form, (int)n, s, out, want);
    free(out);
}

static void nfkc(const char *s, const char *want)
{
    expect_map(unicode_normalize, s, strlen(s), UNICODE_NFKC, 0, want);
}

static void nfc(const char *s, const char *want)
{
    expect_map(unicode_normalize, s, strlen(s), UNICODE_NFC, 0, want);
}

static void fold(const char *s, UnicodeForm form, const char *want)
{
    expect_map(unicode_fold, s, strlen(s), form, 0, want);
}

START_TEST(nfkc_compatibility)
{
    nfkc("\xef\xbc\xa1\xef\xbc\xa2\xef\xbc\xa3\xef\xbc\x91\xef\xbc\x92\xef\xbc\x93", "ABC123"); /* ＡＢＣ１２３ */
    nfkc("\xef\xac\x81ne", "fine");                                                        /* ﬁne */
    nfkc("x\xc2\xb2 \xe2\x91\xa0 \xc2\xbd", "x2 1 1\xe2\x81\x84" "2");                      /* x² ① ½ */
    nfkc("\xe3\x88\xb1", "(\xe6\xa0\xaa)");                                                /* ㈱ -> (株) */
    nfkc("a\xc2\xa0" "b\xe3\x80\x80" "c", "a b c");                                        /* no-break, ideographic space */
    nfkc("\xe2\x80\xa6", "...");                                                           /* … */
    /* Halfwidth katakana ｶﾞ: the voiced mark composes with the kana. */
    nfkc("\xef\xbd\xb6\xef\xbe\x9e", "\xe3\x82\xac");
    /* U+FDFA, the longest expansion: 3 bytes to 33. */
    ck_assert_uint_eq(unicode_normalize(NULL, 0, "\xef\xb7\xba", 3, UNICODE_NFKC, 0), 33);
    /* NFKC composes like NFC. */
    nfkc("cafe\xcc\x81", "caf\xc3\xa9");
}
END_TEST

START_TEST(nfc_canonical)
{
    nfc("cafe\xcc\x81", "caf\xc3\xa9");                       /* e + U+0301 -> é */
    nfc("\xe2\x84\xab", "\xc3\x85");                          /* ANGSTROM SIGN -> Å */
    nfc("\xe1\x84\x80\xe1\x85\xa1\xe1\x86\xa8", "\xea\xb0\x81"); /* jamo ᄀ ᅡ ᆨ -> 각 */
    /* Marks are put in canonical order (dot below, ccc 220, before dot above,
     * 230) and composed where a composite exists: ḍ + U+0307. */
    nfc("d\xcc\x87\xcc\xa3", "\xe1\xb8\x8d\xcc\x87");
    nfc("q\xcc\x87\xcc\xa3", "q\xcc\xa3\xcc\x87");
    /* NFC keeps compatibility characters. */
    nfc("\xef\xac\x81 \xef\xbc\xa1", "\xef\xac\x81 \xef\xbc\xa1");
    /* A mark at the very start has no base; one after a space stays apart. */
    nfc("\xcc\x81" "e", "\xcc\x81" "e");
    nfc("e \xcc\x81", "e \xcc\x81");
    /* Both keep an accent typed twice, unless asked. */
    nfc("caf\xc3\xa9\xcc\x81", "caf\xc3\xa9\xcc\x81");
    expect_map(unicode_normalize, "caf\xc3\xa9\xcc\x81", 7, UNICODE_NFC, UNICODE_SINGLE_MARKS, "caf\xc3\xa9");
    expect_map(unicode_normalize, "cafe\xcc\x81\xcc\x81", 8, UNICODE_NFKC, UNICODE_SINGLE_MARKS, "caf\xc3\xa9");
    /* Different marks, or the same mark apart, all stay. */
    expect_map(unicode_normalize, "e\xcc\x81\xcc\x80\xcc\x81", 7, UNICODE_NFC, UNICODE_SINGLE_MARKS,
               "\xc3\xa9\xcc\x80\xcc\x81");
    /* No form: only invalid bytes change. */
    expect_map(unicode_normalize, "cafe\xcc\x81\xff", 7, UNICODE_NONE, UNICODE_SINGLE_MARKS,
               "cafe\xcc\x81\xef\xbf\xbd");
}
END_TEST

START_TEST(ascii_fast_path)
{
    /* ASCII comes back as it is, and every split of a text at an ASCII byte
     * normalises like the whole: check against decoding it in one piece by
     * comparing a long mixed text with its parts. */
    const char *text = "The caf\xc3\xa9 na\xc3\xafve e\xcc\x81t\xc3\xa9 \xef\xbc\xa1" "b\xef\xac\x81 end.";
    size_t n = strlen(text);
    char whole[256], part[256];
    size_t w = unicode_normalize(whole, sizeof whole, text, n, UNICODE_NFKC, 0);
    for (size_t cut = 1; cut < n; cut++) {
        if ((unsigned char)text[cut] >= 0x80) continue;
        size_t a = unicode_normalize(part, sizeof part, text, cut, UNICODE_NFKC, 0);
        size_t b = unicode_normalize(part + a, sizeof part - a, text + cut, n - cut, UNICODE_NFKC, 0);
        ck_assert_msg(a + b == w && memcmp(part, whole, w) == 0, "cut at %zu", cut);
    }
    char ascii[300];
    for (int i = 0; i < 300; i++) ascii[i] = (char)(i % 128);
    char out[300];
    ck_assert_uint_eq(unicode_normalize(out, sizeof out, ascii, 300, UNICODE_NFKC, 0), 300);
    ck_assert_mem_eq(out, ascii, 300);
    /* unicode_ascii_prefix at every position of a non-ASCII byte. */
    for (size_t at = 0; at < 40; at++) {
        char s[40];
        memset(s, 'a', sizeof s);
        s[at] = (char)0xC3;
        ck_assert_uint_eq(unicode_ascii_prefix(s, sizeof s), at);
        ck_assert_uint_eq(unicode_ascii_prefix(s, at), at);
    }
    ck_assert_uint_eq(unicode_ascii_prefix("", 0), 0);
}
END_TEST

START_TEST(long_piece_on_the_heap)
{
    /* 600 halfwidth ｶﾞ: one piece of 1200 code points, past the stack buffer. */
    size_t reps = 600;
    char *s = malloc(6 * reps), *want = malloc(3 * reps + 1);
    ck_assert_ptr_nonnull(s);
    ck_assert_ptr_nonnull(want);
    for (size_t i = 0; i < reps; i++) {
        memcpy(s + 6 * i, "\xef\xbd\xb6\xef\xbe\x9e", 6);
        memcpy(want + 3 * i, "\xe3\x82\xac", 3);
    }
    want[3 * reps] = '\0';
    expect_map(unicode_normalize, s, 6 * reps, UNICODE_NFKC, 0, want);
    free(s);
    free(want);
}
END_TEST

START_TEST(invalid_utf8)
{
    /* Each invalid byte is one U+FFFD, as utf8_decode reads it. */
    nfkc("\xff", "\xef\xbf\xbd");
    nfc("a\xcc", "a\xef\xbf\xbd");                             /* truncated */
    nfc("\xc0\xaf", "\xef\xbf\xbd\xef\xbf\xbd");               /* overlong '/' */
    nfc("\xed\xa0\x80", "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd"); /* surrogate */
    nfc("\xf4\x90\x80\x80", "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd");
    /* U+FFFD is a starter: a mark after it does not reach back to the 'e'. */
    nfc("e\xff\xcc\x81", "e\xef\xbf\xbd\xcc\x81");
    fold("A\xff" "B", UNICODE_NONE, "a\xef\xbf\xbd" "b");
    /* NUL bytes are text like any other. */
    char out[8];
    ck_assert_uint_eq(unicode_normalize(out, sizeof out, "a\0e\xcc\x81\0", 6, UNICODE_NFC, 0), 5);
    ck_assert_mem_eq(out, "a\0\xc3\xa9\0", 5);
}
END_TEST

START_TEST(buffer_contract)
{
    /* Too small: the full length comes back and nothing is written past cap. */
    const char *s = "ab\xef\xac\x81" "cd\xef\xbc\xa1";
    char out[16];
    for (size_t cap = 0; cap < 9; cap++) {
        memset(out, '#', sizeof out);
        ck_assert_uint_eq(unicode_normalize(out, cap, s, strlen(s), UNICODE_NFKC, 0), 7);
        for (size_t k = cap; k < sizeof out; k++) ck_assert_int_eq(out[k], '#');
    }
    ck_assert_uint_eq(unicode_normalize(out, sizeof out, s, strlen(s), UNICODE_NFKC, 0), 7);
    ck_assert_mem_eq(out, "abficdA", 7);
    ck_assert_uint_eq(unicode_normalize(NULL, 0, "", 0, UNICODE_NFC, 0), 0);
}
END_TEST

START_TEST(case_folding)
{
    /* Full folding: ß is "ss", so both spellings of Straße meet. */
    fold("Stra\xc3\x9f" "e", UNICODE_NFKC, "strasse");
    fold("STRASSE", UNICODE_NFKC, "strasse");
    fold("\xe1\xba\x9e", UNICODE_NFC, "ss"); /* capital sharp s */
    fold("\xce\xa3\xce\x9f\xce\xa6\xce\x8a\xce\x91", UNICODE_NFC, "\xcf\x83\xce\xbf\xcf\x86\xce\xaf\xce\xb1");
    fold("\xcf\x82", UNICODE_NONE, "\xcf\x83");                      /* final sigma */
    fold("\xc4\xb0stanbul", UNICODE_NFC, "i\xcc\x87stanbul");         /* İ: i + dot, not Turkic 'i' */
    fold("\xc7\x85", UNICODE_NFC, "\xc7\x86");                       /* ǅ titlecase */
    fold("\xef\xac\x81", UNICODE_NONE, "fi");                        /* ﬁ folds to fi even without NFKC */
    fold("\xd0\x81\xd0\x96", UNICODE_NFC, "\xd1\x91\xd0\xb6");       /* ЁЖ */
    fold("\xef\xbc\xa1", UNICODE_NFC, "\xef\xbd\x81");               /* Ａ stays fullwidth under NFC */
    fold("HeLLo 123", UNICODE_NFKC, "hello 123");
    /* U+0390 folds to ι + U+0308 + U+0301, which NFC composes back. */
    fold("\xce\x90", UNICODE_NONE, "\xce\xb9\xcc\x88\xcc\x81");
    fold("\xce\x90", UNICODE_NFC, "\xce\x90");
    ck_assert(unicode_folds('A') && !unicode_folds('a') && unicode_folds(0xDF) && unicode_folds(0x130));
    ck_assert(!unicode_folds(0x4E2D) && !unicode_folds(0xE9) && !unicode_folds(0xFFFD));
}
END_TEST

/* Every code point: folding is idempotent in each form, and the growth stays
 * within what unicode.h promises (2n NFC, 11n NFKC, 3n folding alone). */
START_TEST(every_code_point)
{
    static const UnicodeForm forms[3] = {UNICODE_NONE, UNICODE_NFC, UNICODE_NFKC};
    static const size_t norm_max[3] = {1, 2, 11}, fold_max[3] = {3, 3, 11};
    long bad = 0;
    for (uint32_t cp = 0; cp <= 0x10FFFF; cp++) {
        if (cp >= 0xD800 && cp <= 0xDFFF) continue;
        char in[4], a[128], b[128];
        size_t n = (size_t)utf8_encode(cp, in);
        for (int f = 0; f < 3; f++) {
            size_t m = unicode_normalize(a, sizeof a, in, n, forms[f], 0);
            if (m > norm_max[f] * n) bad++;
            size_t k = unicode_fold(a, sizeof a, in, n, forms[f], UNICODE_SINGLE_MARKS);
            size_t k2 = unicode_fold(b, sizeof b, a, k, forms[f], UNICODE_SINGLE_MARKS);
            if (k > fold_max[f] * n || k2 != k || memcmp(a, b, k) != 0) bad++;
        }
    }
    ck_assert_int_eq(bad, 0);
}
END_TEST

/* utf8proc's own utf8proc_map on valid UTF-8: the reference for the fast path
 * and the pieces. Returns 0 and the result in out[0..*m), or -1 if the result
 * does not fit. */
static int reference(const char *s, size_t n, UnicodeForm form, int fold, char *out, size_t cap, size_t *m)
{
    utf8proc_option_t o = UTF8PROC_COMPOSE | (form == UNICODE_NFKC ? UTF8PROC_COMPAT : 0) |
                          (fold ? UTF8PROC_CASEFOLD : 0);
    utf8proc_uint8_t *r = NULL;
    utf8proc_ssize_t len = utf8proc_map((const utf8proc_uint8_t *)s, (utf8proc_ssize_t)n, &r, o);
    ck_assert_int_ge(len, 0);
    int rc = (size_t)len <= cap ? 0 : -1;
    if (rc == 0) memcpy(out, r, (size_t)len);
    *m = (size_t)len;
    free(r);
    return rc;
}

static void expect_reference(const char *s, size_t n, UnicodeForm form, int fold)
{
    char want[512], got[512];
    size_t m;
    ck_assert_int_eq(reference(s, n, form, fold, want, sizeof want, &m), 0);
    size_t g = fold ? unicode_fold(got, sizeof got, s, n, form, 0) : unicode_normalize(got, sizeof got, s, n, form, 0);
    ck_assert_msg(g == m && memcmp(got, want, m) == 0, "form %d fold %d of %zu bytes %02x %02x %02x...", (int)form,
                  fold, n, (unsigned char)s[0], n > 1 ? (unsigned char)s[1] : 0, n > 2 ? (unsigned char)s[2] : 0);
}

/* Every canonical composite given decomposed, alone and after a letter and a
 * CJK ideograph, composes as utf8proc composes it: no second character of a
 * composition is taken for a place to cut the text. */
START_TEST(every_composition_as_utf8proc)
{
    for (uint32_t cp = 0x80; cp <= 0x10FFFF; cp++) {
        if (cp >= 0xD800 && cp <= 0xDFFF) continue;
        utf8proc_int32_t d[32];
        int bc = UTF8PROC_BOUNDCLASS_START;
        utf8proc_ssize_t k = utf8proc_decompose_char((utf8proc_int32_t)cp, d, 32, UTF8PROC_DECOMPOSE, &bc);
        if (k < 2 || k > 32) continue;
        char s[200] = "x\xe4\xb8\xad";
        size_t n = 4;
        for (utf8proc_ssize_t j = 0; j < k; j++) n += (size_t)utf8_encode((uint32_t)d[j], s + n);
        for (int form = UNICODE_NFC; form <= UNICODE_NFKC; form++) {
            expect_reference(s + 4, n - 4, (UnicodeForm)form, 0);
            expect_reference(s, n, (UnicodeForm)form, 1);
        }
    }
}
END_TEST

/* Random strings over characters that stress the cuts: ASCII, marks of several
 * classes, composites with and without a way back, two-part vowels, jamo and
 * syllables, halfwidth kana and their voicing marks, compatibility characters,
 * ideographs, characters that fold. Each against utf8proc_map. */
START_TEST(random_text_as_utf8proc)
{
    static const uint32_t pool[] = {
        'a',    'e',    'E',    'o',    ' ',    '.',    0x0300, 0x0301, 0x0308, 0x0323, 0x0327, 0x0338,
        0x0345, 0x0344, 0x00E9, 0x00C9, 0x00C5, 0x212B, 0x2126, 0x03AC, 0x0390, 0x1E9B, 0x017F, 0x00DF,
        0x1E9E, 0x0130, 0x0B47, 0x0B3E, 0x0B57, 0x0BC6, 0x0BBE, 0x0CC6, 0x0CC2, 0x0F73, 0x0F71, 0x0F72,
        0x1100, 0x1161, 0x11A8, 0xAC00, 0xAC01, 0xD7A3, 0x3131, 0xFF76, 0xFF9E, 0x30AB, 0x3099, 0x309B,
        0xFB01, 0xFF21, 0x2460, 0x00BD, 0x4E2D, 0xF900, 0xFA0E, 0x1F600, 0x200D, 0xFDFA, 0x0041, 0x05D0,
        0x05B7, 0x0627, 0x0653, 0x0915, 0x093C, 0x1D15E, 0x1D165, 0x01C5, 0x03A3, 0x0399, 0x1F88, 0x2ADC,
    };
    const size_t np = sizeof pool / sizeof pool[0];
    uint64_t x = 0x9E3779B97F4A7C15ull;
    for (int iter = 0; iter < 20000; iter++) {
        char s[128];
        size_t n = 0;
        int len = 1 + iter % 12;
        for (int j = 0; j < len; j++) {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            n += (size_t)utf8_encode(pool[x % np], s + n);
        }
        for (int form = UNICODE_NFC; form <= UNICODE_NFKC; form++) {
            expect_reference(s, n, (UnicodeForm)form, 0);
            expect_reference(s, n, (UnicodeForm)form, 1);
        }
    }
}
END_TEST

START_TEST(categories)
{
    static const struct {
        uint32_t cp;
        UnicodeKind kind;
        const char *name;
    } cases[] = {
        {'A', UNICODE_LETTER, "Lu"},      {0xE9, UNICODE_LETTER, "Ll"},     {0x4E2D, UNICODE_LETTER, "Lo"},
        {0x02BC, UNICODE_LETTER, "Lm"},   {'5', UNICODE_NUMBER, "Nd"},      {0x0663, UNICODE_NUMBER, "Nd"},
        {0x2160, UNICODE_NUMBER, "Nl"},   {0xBD, UNICODE_NUMBER, "No"},     {0x0301, UNICODE_MARK, "Mn"},
        {0x0903, UNICODE_MARK, "Mc"},     {'!', UNICODE_PUNCT, "Po"},       {'_', UNICODE_PUNCT, "Pc"},
        {0xBF, UNICODE_PUNCT, "Po"},      {0x2014, UNICODE_PUNCT, "Pd"},    {0x201C, UNICODE_PUNCT, "Pi"},
        {0x2019, UNICODE_PUNCT, "Pf"},    {0x3002, UNICODE_PUNCT, "Po"},    {'+', UNICODE_SYMBOL, "Sm"},
        {'$', UNICODE_SYMBOL, "Sc"},      {0x20AC, UNICODE_SYMBOL, "Sc"},   {'^', UNICODE_SYMBOL, "Sk"},
        {0xA9, UNICODE_SYMBOL, "So"},     {0x1F600, UNICODE_SYMBOL, "So"},  {0x2764, UNICODE_SYMBOL, "So"},
        {' ', UNICODE_SEPARATOR, "Zs"},   {0xA0, UNICODE_SEPARATOR, "Zs"},  {0x3000, UNICODE_SEPARATOR, "Zs"},
        {0x2028, UNICODE_SEPARATOR, "Zl"}, {0x2029, UNICODE_SEPARATOR, "Zp"}, {'\n', UNICODE_CONTROL, "Cc"},
        {0x85, UNICODE_CONTROL, "Cc"},    {0xAD, UNICODE_FORMAT, "Cf"},     {0x200D, UNICODE_FORMAT, "Cf"},
        {0xFEFF, UNICODE_FORMAT, "Cf"},   {0xE000, UNICODE_OTHER, "Co"},    {0x0378, UNICODE_OTHER, "Cn"},
        {0x10FFFF, UNICODE_OTHER, "Cn"},  {0x110000, UNICODE_OTHER, "Cn"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        uint32_t cp = cases[i].cp;
        ck_assert_msg(unicode_kind(cp) == cases[i].kind && strcmp(unicode_category_name(cp), cases[i].name) == 0,
                      "U+%04X: kind %d %s", (unsigned)cp, (int)unicode_kind(cp), unicode_category_name(cp));
        UnicodeKind k = cases[i].kind;
        ck_assert_int_eq(unicode_is_punct(cp), k == UNICODE_PUNCT);
        ck_assert_int_eq(unicode_is_symbol(cp), k == UNICODE_SYMBOL);
        ck_assert_int_eq(unicode_is_space(cp), k == UNICODE_SEPARATOR || k == UNICODE_CONTROL);
        ck_assert_int_eq(unicode_is_word(cp), k == UNICODE_LETTER || k == UNICODE_MARK || k == UNICODE_NUMBER);
    }
    /* ASCII by category is what the tokenizer's ASCII table says: letters and
     * digits are words, controls and space separate, the rest P* or S*. */
    for (uint32_t c = 0; c < 0x80; c++) {
        int alnum = (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
        ck_assert_int_eq(unicode_is_word(c), alnum);
        ck_assert_int_eq(unicode_is_space(c), c <= 0x20 || c == 0x7F);
        ck_assert_int_eq(unicode_is_punct(c) || unicode_is_symbol(c), c > 0x20 && c < 0x7F && !alnum);
    }
}
END_TEST

START_TEST(cjk_rule)
{
    uint32_t yes[] = {0x4E2D, 0x3042, 0x30A2, 0x30FC, 0x309D, 0x3005, 0x3006, 0x3007, 0x3021, 0x3400,
                      0xD55C, 0xAC00, 0xD7A3, 0xFA0E, 0xFF71, 0x1B001, 0x20000, 0x2A6DF, 0x30000};
    /* Punctuation and marks of those blocks, other letters, unassigned code points. */
    uint32_t no[] = {'a', 0xE9, 0x3002, 0x300C, 0x30FB, 0x30A0, 0x309B, 0x3099, 0x4DC0, 0x1100, 0x3131,
                     0xFF21, 0x2FFFF, 0x1F600, 0xFFFD};
    for (size_t i = 0; i < sizeof yes / sizeof yes[0]; i++) ck_assert_msg(unicode_is_cjk(yes[i]), "U+%04X", yes[i]);
    for (size_t i = 0; i < sizeof no / sizeof no[0]; i++) ck_assert_msg(!unicode_is_cjk(no[i]), "U+%04X", no[i]);
}
END_TEST

START_TEST(display_width)
{
    ck_assert_uint_eq(unicode_width("", 0), 0);
    ck_assert_uint_eq(unicode_width("label", 5), 5);
    ck_assert_uint_eq(unicode_width("\xe4\xb8\x96\xe7\x95\x8c", 6), 4);           /* 世界 */
    ck_assert_uint_eq(unicode_width("\xef\xbd\xb1", 3), 1);                       /* halfwidth ｱ */
    ck_assert_uint_eq(unicode_width("\xef\xbc\xa1", 3), 2);                       /* fullwidth Ａ */
    ck_assert_uint_eq(unicode_width("cafe\xcc\x81", 6), 4);                       /* a mark takes no column */
    ck_assert_uint_eq(unicode_width("\xf0\x9f\x98\x80", 4), 2);                   /* 😀 */
    ck_assert_uint_eq(unicode_width("\xea\xb0\x81", 3), 2);                       /* 각 */
    ck_assert_uint_eq(unicode_width("a\tb", 3), 2);                               /* controls: 0 */
    ck_assert_uint_eq(unicode_width("\xff\xfe", 2), 2);                           /* U+FFFD each */
    ck_assert_int_eq(unicode_char_width(0x110000), 1);
    ck_assert(unicode_version()[0] >= '1' && unicode_version()[0] <= '9');
}
END_TEST

Suite *unicode_suite(void)
{
    Suite *s = suite_create("unicode");
    TCase *tc = tcase_create("core");
    /* every_code_point folds all of Unicode six times: seconds under ASan. */
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, nfkc_compatibility);
    tcase_add_test(tc, nfc_canonical);
    tcase_add_test(tc, ascii_fast_path);
    tcase_add_test(tc, long_piece_on_the_heap);
    tcase_add_test(tc, invalid_utf8);
    tcase_add_test(tc, buffer_contract);
    tcase_add_test(tc, case_folding);
    tcase_add_test(tc, every_code_point);
    tcase_add_test(tc, every_composition_as_utf8proc);
    tcase_add_test(tc, random_text_as_utf8proc);
    tcase_add_test(tc, categories);
    tcase_add_test(tc, cjk_rule);
    tcase_add_test(tc, display_width);
    suite_add_tcase(s, tc);
    return s;
}
