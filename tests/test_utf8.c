#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "utf8.h"

/* Decodes s[0..n) from a block of exactly n bytes, so a read past n is a
 * heap overflow that sanitizers and valgrind report, and checks the result. */
static void expect_decode(const char *s, size_t n, uint32_t want_cp, int want_used)
{
    unsigned char *copy = malloc(n);
    ck_assert_ptr_nonnull(copy);
    memcpy(copy, s, n);
    uint32_t cp = 0;
    int used = utf8_decode(copy, n, &cp);
    free(copy);
    ck_assert_msg(cp == want_cp && used == want_used, "decode of %zu bytes %02x..: got U+%04X/%d, want U+%04X/%d", n,
                  (unsigned char)s[0], (unsigned)cp, used, (unsigned)want_cp, want_used);
}

static void expect_invalid(const char *s, size_t n)
{
    expect_decode(s, n, UTF8_REPLACEMENT, 1);
}

START_TEST(decode_valid)
{
    expect_decode("A", 1, 'A', 1);
    expect_decode("\0", 1, 0, 1);
    expect_decode("\x7f", 1, 0x7F, 1);
    expect_decode("\xc2\x80", 2, 0x80, 2);
    expect_decode("\xc3\xa9", 2, 0xE9, 2);
    expect_decode("\xdf\xbf", 2, 0x7FF, 2);
    expect_decode("\xe0\xa0\x80", 3, 0x800, 3);
    expect_decode("\xe4\xb8\xad", 3, 0x4E2D, 3);
    expect_decode("\xed\x9f\xbf", 3, 0xD7FF, 3);
    expect_decode("\xee\x80\x80", 3, 0xE000, 3);
    expect_decode("\xef\xbf\xbd", 3, 0xFFFD, 3);
    expect_decode("\xef\xbf\xbf", 3, 0xFFFF, 3);
    expect_decode("\xf0\x90\x80\x80", 4, 0x10000, 4);
    expect_decode("\xf0\x9f\x98\x80", 4, 0x1F600, 4);
    expect_decode("\xf4\x8f\xbf\xbf", 4, 0x10FFFF, 4);
    /* Only the first code point is read when more follow. */
    expect_decode("\xc3\xa9z", 3, 0xE9, 2);
}
END_TEST

START_TEST(decode_invalid_bytes)
{
    /* Lone continuation bytes and bytes that never start a sequence. */
    expect_invalid("\x80", 1);
    expect_invalid("\xbf\x80", 2);
    expect_invalid("\xc0\x80", 2);
    expect_invalid("\xc1\xbf", 2);
    for (int b = 0xF5; b <= 0xFF; b++) {
        char s[4] = {(char)b, '\x80', '\x80', '\x80'};
        expect_invalid(s, 4);
    }
}
END_TEST

START_TEST(decode_overlong_surrogate_range)
{
    expect_invalid("\xc0\xaf", 2);             /* '/' in two bytes */
    expect_invalid("\xe0\x80\xaf", 3);         /* '/' in three bytes */
    expect_invalid("\xe0\x9f\xbf", 3);         /* U+07FF in three bytes */
    expect_invalid("\xf0\x80\x80\xaf", 4);     /* '/' in four bytes */
    expect_invalid("\xf0\x8f\xbf\xbf", 4);     /* U+FFFF in four bytes */
    expect_invalid("\xed\xa0\x80", 3);         /* U+D800 */
    expect_invalid("\xed\xbf\xbf", 3);         /* U+DFFF */
    expect_invalid("\xf4\x90\x80\x80", 4);     /* U+110000 */
    expect_invalid("\xf7\xbf\xbf\xbf", 4);     /* U+1FFFFF */
}
END_TEST

START_TEST(decode_bad_continuation)
{
    expect_invalid("\xc3\x28", 2);
    expect_invalid("\xc3\xc3", 2);
    expect_invalid("\xe2\x28\xa1", 3);
    expect_invalid("\xe2\x82\x28", 3);
    expect_invalid("\xf0\x28\x8c\xbc", 4);
    expect_invalid("\xf0\x90\x28\xbc", 4);
    expect_invalid("\xf0\x90\x8c\x28", 4);
}
END_TEST

START_TEST(decode_truncated_never_reads_past_n)
{
    /* The bytes past n would complete the sequence: decoding must not see them. */
    expect_invalid("\xc3\xa9", 1);
    expect_invalid("\xe2\x82\xac", 1);
    expect_invalid("\xe2\x82\xac", 2);
    expect_invalid("\xf0\x9f\x98\x80", 1);
    expect_invalid("\xf0\x9f\x98\x80", 2);
    expect_invalid("\xf0\x9f\x98\x80", 3);
}
END_TEST

START_TEST(decode_walks_every_byte)
{
    /* Each bad byte becomes exactly one U+FFFD; the valid ones survive. */
    const char s[] = "a\xff\xe2\x82z\xc3\xa9\xf0\x9f\x98";
    size_t n = sizeof s - 1, i = 0;
    uint32_t want[] = {'a', 0xFFFD, 0xFFFD, 0xFFFD, 'z', 0xE9, 0xFFFD, 0xFFFD, 0xFFFD};
    size_t k = 0;
    while (i < n) {
        uint32_t cp;
        int used = utf8_decode((const unsigned char *)s + i, n - i, &cp);
        ck_assert_int_ge(used, 1);
        ck_assert_uint_lt(k, sizeof want / sizeof want[0]);
        ck_assert_uint_eq(cp, want[k]);
        k++;
        i += (size_t)used;
    }
    ck_assert_uint_eq(i, n);
    ck_assert_uint_eq(k, sizeof want / sizeof want[0]);
}
END_TEST

START_TEST(encode_decode_roundtrip)
{
    /* Every scalar value, counted rather than asserted one by one: Check's
     * asserts cost a message to the parent process each. */
    long bad = 0, first_bad = -1;
    for (uint32_t cp = 0; cp <= 0x10FFFF; cp++) {
        if (cp >= 0xD800 && cp <= 0xDFFF) continue;
        char buf[4];
        int n = utf8_encode(cp, buf);
        int want = cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
        uint32_t back = 0;
        int used = utf8_decode((const unsigned char *)buf, (size_t)n, &back);
        if (n != want || used != n || back != cp) {
            if (first_bad < 0) first_bad = (long)cp;
            bad++;
        }
    }
    ck_assert_msg(bad == 0, "%ld code points fail to roundtrip, first U+%04lX", bad, (unsigned long)first_bad);
}
END_TEST

START_TEST(encode_invalid)
{
    uint32_t bad[] = {0xD800, 0xDBFF, 0xDC00, 0xDFFF, 0x110000, 0xFFFFFFFFu};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        char buf[4];
        ck_assert_int_eq(utf8_encode(bad[i], buf), 3);
        ck_assert_int_eq(memcmp(buf, "\xef\xbf\xbd", 3), 0);
    }
}
END_TEST

START_TEST(lower_samples)
{
    static const uint32_t pairs[][2] = {
        {'A', 'a'},       {'Z', 'z'},       {'a', 'a'},       {'0', '0'},       {'[', '['},
        {0xC0, 0xE0},     {0xC9, 0xE9},     {0xD6, 0xF6},     {0xD7, 0xD7},     {0xD8, 0xF8},
        {0xDE, 0xFE},     {0xDF, 0xDF},     {0xE9, 0xE9},     {0x100, 0x101},   {0x101, 0x101},
        {0x12E, 0x12F},   {0x130, 'i'},     {0x131, 0x131},   {0x132, 0x133},   {0x136, 0x137},
        {0x138, 0x138},   {0x139, 0x13A},   {0x13A, 0x13A},   {0x141, 0x142},   {0x142, 0x142},
        {0x147, 0x148},   {0x148, 0x148},   {0x149, 0x149},   {0x14A, 0x14B},   {0x152, 0x153},
        {0x160, 0x161},   {0x176, 0x177},   {0x178, 0xFF},    {0x179, 0x17A},   {0x17B, 0x17C},
        {0x17D, 0x17E},   {0x17E, 0x17E},   {0x17F, 0x17F},   {0x391, 0x3B1},   {0x3A3, 0x3C3},
        {0x3A9, 0x3C9},   {0x3A2, 0x3A2},   {0x3C2, 0x3C2},   {0x386, 0x3AC},   {0x387, 0x387},
        {0x388, 0x3AD},   {0x389, 0x3AE},   {0x38A, 0x3AF},   {0x38C, 0x3CC},   {0x38E, 0x3CD},
        {0x38F, 0x3CE},   {0x400, 0x450},   {0x401, 0x451},   {0x40F, 0x45F},   {0x410, 0x430},
        {0x414, 0x434},   {0x42F, 0x44F},   {0x430, 0x430},   {0x4E2D, 0x4E2D}, {0x1F600, 0x1F600},
    };
    for (size_t i = 0; i < sizeof pairs / sizeof pairs[0]; i++)
        ck_assert_msg(utf8_lower(pairs[i][0]) == pairs[i][1], "lower(U+%04X) = U+%04X, want U+%04X",
                      (unsigned)pairs[i][0], (unsigned)utf8_lower(pairs[i][0]), (unsigned)pairs[i][1]);
}
END_TEST

START_TEST(lower_idempotent_and_length_preserving)
{
    /* The tokenizer relies on lowercasing never growing the UTF-8 length. */
    long bad = 0;
    for (uint32_t cp = 0; cp < 0x3000; cp++) {
        uint32_t lo = utf8_lower(cp);
        char a[4], b[4];
        if (utf8_lower(lo) != lo || utf8_encode(lo, b) > utf8_encode(cp, a)) bad++;
    }
    ck_assert_int_eq(bad, 0);
}
END_TEST

START_TEST(space_class)
{
    uint32_t yes[] = {' ', '\t', '\n', '\r', '\v', '\f', 0, 1, 0x1F, 0x7F, 0x85, 0xA0, 0x1680,
                      0x2000, 0x2003, 0x200A, 0x200B, 0x2028, 0x2029, 0x202F, 0x205F, 0x3000, 0xFEFF};
    uint32_t no[] = {'a', '0', '!', 0x84, 0xA1, 0x200C, 0x2010, 0x3001, 0x4E00, 0xFFFD};
    for (size_t i = 0; i < sizeof yes / sizeof yes[0]; i++) ck_assert_msg(utf8_is_space(yes[i]), "U+%04X", yes[i]);
    for (size_t i = 0; i < sizeof no / sizeof no[0]; i++) ck_assert_msg(!utf8_is_space(no[i]), "U+%04X", no[i]);
}
END_TEST

START_TEST(punct_class)
{
    uint32_t yes[] = {'!', '"', '#', '\'', '(', ',', '-', '.', '/', ':', '@', '[', '\\', '`', '{', '~',
                      0xA1, 0xA7, 0xAB, 0xBB, 0xBF, 0xD7, 0xF7, 0x2013, 0x2014, 0x2019, 0x201C, 0x2026,
                      0x2030, 0x205E, 0x3001, 0x3002, 0x300C, 0xFF01, 0xFF0C, 0xFF1F, 0xFF5E, 0xFF61,
                      0x20AC, 0x2192, 0x2764, 0x1F600, 0x1F44D};
    uint32_t no[] = {' ', 'a', 'Z', '0', 0x7F, 0xAA, 0xAD, 0xB2, 0xB5, 0xBA, 0xBD, 0xC0,
                     0x2028, 0x202E, 0x205F, 0x3000, 0x4E00, 0xFF10, 0xFF21, 0xFF41, 0xFF66};
    for (size_t i = 0; i < sizeof yes / sizeof yes[0]; i++) ck_assert_msg(utf8_is_punct(yes[i]), "U+%04X", yes[i]);
    for (size_t i = 0; i < sizeof no / sizeof no[0]; i++) ck_assert_msg(!utf8_is_punct(no[i]), "U+%04X", no[i]);
    for (uint32_t c = 0; c < 0x80; c++) {
        int alnum = (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
        ck_assert_int_eq(utf8_is_punct(c), c > 0x20 && c < 0x7F && !alnum);
    }
}
END_TEST

START_TEST(cjk_class)
{
    uint32_t yes[] = {0x3042, 0x30A2, 0x30FC, 0x31F0, 0x3400, 0x4DBF, 0x4E00, 0x4E2D, 0x9FFF,
                      0xAC00, 0xD55C, 0xD7A3, 0xF900, 0xFAFF, 0xFF71, 0x20000, 0x2A6DF, 0x2F800};
    uint32_t no[] = {'a', 0x3000, 0x3002, 0x303F, 0x3100, 0x4DC0, 0xA000, 0xABFF, 0xD7A4,
                     0xFF21, 0xFFFD, 0x1F600};
    for (size_t i = 0; i < sizeof yes / sizeof yes[0]; i++) ck_assert_msg(utf8_is_cjk(yes[i]), "U+%04X", yes[i]);
    for (size_t i = 0; i < sizeof no / sizeof no[0]; i++) ck_assert_msg(!utf8_is_cjk(no[i]), "U+%04X", no[i]);
}
END_TEST

Suite *utf8_suite(void)
{
    Suite *s = suite_create("utf8");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, decode_valid);
    tcase_add_test(tc, decode_invalid_bytes);
    tcase_add_test(tc, decode_overlong_surrogate_range);
    tcase_add_test(tc, decode_bad_continuation);
    tcase_add_test(tc, decode_truncated_never_reads_past_n);
    tcase_add_test(tc, decode_walks_every_byte);
    tcase_add_test(tc, encode_decode_roundtrip);
    tcase_add_test(tc, encode_invalid);
    tcase_add_test(tc, lower_samples);
    tcase_add_test(tc, lower_idempotent_and_length_preserving);
    tcase_add_test(tc, space_class);
    tcase_add_test(tc, punct_class);
    tcase_add_test(tc, cjk_class);
    suite_add_tcase(s, tc);
    return s;
}
