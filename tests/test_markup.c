/* test_html.c - html.h's clean step with both entity sets, and the generated
 * HTML5 table behind it (markup_entities.h). */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "markup.h"
#include "markup_entities.h"
#include "utf8.h"

/* Cleans s into a buffer of exactly MARKUP_CLEAN_BOUND bytes (ASan sees a write
 * past it) and compares. */
static void expect_clean(MarkupEntities set, const char *s, const char *want)
{
    size_t n = strlen(s);
    char *out = malloc(MARKUP_CLEAN_BOUND(n));
    ck_assert_ptr_nonnull(out);
    size_t m = markup_clean(out, s, n, set);
    ck_assert_uint_le(m, MARKUP_CLEAN_BOUND(n));
    ck_assert_msg(m == strlen(want) && memcmp(out, want, m) == 0, "set %d: \"%s\" -> \"%.*s\", want \"%s\"", (int)set,
                  s, (int)m, out, want);
    free(out);
}

static void both(const char *s, const char *want)
{
    expect_clean(MARKUP_ENTITIES_LEGACY, s, want);
    expect_clean(MARKUP_ENTITIES_HTML5, s, want);
}

START_TEST(table_sorted_and_complete)
{
    ck_assert_uint_eq(markup_entities_count(), 2231);
    size_t with_semicolon = 0, prev_len = 0;
    const char *prev = NULL;
    for (size_t i = 0; i < markup_entities_count(); i++) {
        size_t len, ulen;
        const char *utf8;
        const char *name = markup_entities_at(i, &len, &utf8, &ulen);
        ck_assert_uint_eq(strlen(name), len);
        if (prev) {
            int c = memcmp(prev, name, prev_len < len ? prev_len : len);
            ck_assert_msg(c < 0 || (c == 0 && prev_len < len), "%s before %s", prev, name);
        }
        with_semicolon += name[len - 1] == ';';
        /* Valid UTF-8, and within html.h's bound: at most 6/5 of the spelling. */
        ck_assert(ulen >= 1 && ulen <= 6 && ulen * 5 <= (len + 1) * 6);
        for (size_t k = 0; k < ulen;) {
            uint32_t cp;
            k += (size_t)utf8_decode((const unsigned char *)utf8 + k, ulen - k, &cp);
            ck_assert_uint_ne(cp, UTF8_REPLACEMENT);
        }
        const char *found;
        ck_assert_uint_eq(markup_entities_find(name, len, &found), ulen);
        ck_assert_ptr_eq(found, utf8);
        prev = name;
        prev_len = len;
    }
    ck_assert_uint_eq(with_semicolon, 2125);
}
END_TEST

START_TEST(table_lookups)
{
    const char *u;
    ck_assert_uint_eq(markup_entities_find("amp;", 4, &u), 1);
    ck_assert_int_eq(u[0], '&');
    ck_assert_uint_eq(markup_entities_find("amp", 3, &u), 1);           /* legacy, no ';' */
    ck_assert_uint_eq(markup_entities_find("AMP;", 4, &u), 1);
    ck_assert_uint_eq(markup_entities_find("Amp;", 4, &u), 0);
    ck_assert_uint_eq(markup_entities_find("notin;", 6, &u), 3);        /* ∉ */
    ck_assert_mem_eq(u, "\xe2\x88\x89", 3);
    ck_assert_uint_eq(markup_entities_find("notin", 5, &u), 0);         /* not a legacy name */
    ck_assert_uint_eq(markup_entities_find("nGt;", 4, &u), 6);          /* ≫ + U+20D2 */
    ck_assert_uint_eq(markup_entities_find("fjlig;", 6, &u), 2);
    ck_assert_mem_eq(u, "fj", 2);
    ck_assert_uint_eq(markup_entities_find("CounterClockwiseContourIntegral;", 32, &u), 3);
    ck_assert_uint_eq(markup_entities_find("bogus;", 6, &u), 0);
    ck_assert_uint_eq(markup_entities_find("", 0, &u), 0);
    ck_assert_uint_eq(markup_entities_find("zwnj;", 5, &u), 3);         /* the last name */
    ck_assert_uint_eq(markup_entities_find("AElig", 5, &u), 2);         /* the first */
}
END_TEST

START_TEST(clean_common)
{
    both("Great<br /><br />movie", "Great  movie");
    both("<a href=\"x\">link</a>", " link ");
    both("a < b, i <3 u", "a < b, i <3 u");
    both("&lt;b&gt; &amp; &quot;x&quot;", "<b> & \"x\"");
    both("caf&#233; caf&#xE9; &#146;&#0;", "caf\xc3\xa9 caf\xc3\xa9 \xe2\x80\x99\xef\xbf\xbd");
    both("doesn #39;t  quot;no quot; AT amp;T", "doesn't \"no\" AT&T");
    both("flat; bang; #1;", "flat; bang; #1;");
    both("a\\b", "a b");
    both("&bogus; &#; &#x;", "&bogus; &#; &#x;");
    both("", "");
    both("&", "&");
    both("&#", "&#");
}
END_TEST

START_TEST(clean_sets_differ)
{
    /* The legacy set knows about 25 names, with their ';'. */
    expect_clean(MARKUP_ENTITIES_LEGACY, "&eacute; &notin; &nbsp;|", "&eacute; &notin;  |");
    expect_clean(MARKUP_ENTITIES_HTML5, "&eacute; &notin; &nbsp;|", "\xc3\xa9 \xe2\x88\x89 \xc2\xa0|");
    expect_clean(MARKUP_ENTITIES_LEGACY, "&amp &copy. &hellip;", "&amp &copy. \xe2\x80\xa6");
    /* HTML5's legacy names decode without ';' unless a letter, digit or '='
     * follows (as inside attribute values). */
    expect_clean(MARKUP_ENTITIES_HTML5, "&amp &copy. &eacute", "& \xc2\xa9. \xc3\xa9");
    expect_clean(MARKUP_ENTITIES_HTML5, "?a=1&notify=2&lang=en&amp=3", "?a=1&notify=2&lang=en&amp=3");
    expect_clean(MARKUP_ENTITIES_HTML5, "&notit; &not; &not", "&notit; \xc2\xac \xc2\xac");
    expect_clean(MARKUP_ENTITIES_HTML5, "&NewLine;&Tab;&fjlig;", "\n\tfj");
    expect_clean(MARKUP_ENTITIES_HTML5, "&CounterClockwiseContourIntegral;", "\xe2\x88\xb3");
    /* A name longer than any in the table is text. */
    expect_clean(MARKUP_ENTITIES_HTML5, "&CounterClockwiseContourIntegralX;", "&CounterClockwiseContourIntegralX;");
    /* The one growth: 5 bytes to 6, within MARKUP_CLEAN_BOUND. */
    expect_clean(MARKUP_ENTITIES_HTML5, "&nGt;&nGt;&nGt;&nGt;&nGt;",
                 "\xe2\x89\xab\xe2\x83\x92\xe2\x89\xab\xe2\x83\x92\xe2\x89\xab\xe2\x83\x92\xe2\x89\xab\xe2\x83\x92"
                 "\xe2\x89\xab\xe2\x83\x92");
}
END_TEST

/* markup_has_markup is 0 exactly when nothing could be rewritten: a text without
 * '<', '&', '\\' and ';' comes back as it is. */
START_TEST(markup_detection)
{
    ck_assert(!markup_has_markup("", 0));
    const char *plain = "plain text, #39 quot amp \xc3\xa9 > 3";
    ck_assert(!markup_has_markup(plain, strlen(plain)));
    static const char *has[] = {"a<b", "x;", "&", "a\\b", "doesn #39;t", "quot;"};
    for (size_t i = 0; i < sizeof has / sizeof has[0]; i++)
        ck_assert_msg(markup_has_markup(has[i], strlen(has[i])), "%s", has[i]);
    /* Random texts without those bytes clean to themselves. */
    static const char alphabet[] = "#aglnqt 0123xX>/!'.\xc3\xa9";
    uint64_t x = 12345;
    char doc[200], out[MARKUP_CLEAN_BOUND(200)];
    for (int iter = 0; iter < 2000; iter++) {
        size_t n = (size_t)(iter % 200);
        for (size_t i = 0; i < n; i++) {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            doc[i] = alphabet[x % (sizeof alphabet - 1)];
        }
        ck_assert(!markup_has_markup(doc, n));
        for (int set = 0; set < 2; set++) {
            ck_assert_uint_eq(markup_clean(out, doc, n, (MarkupEntities)set), n);
            ck_assert(n == 0 || memcmp(out, doc, n) == 0);
        }
    }
}
END_TEST

Suite *markup_suite(void)
{
    Suite *s = suite_create("markup");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, table_sorted_and_complete);
    tcase_add_test(tc, table_lookups);
    tcase_add_test(tc, clean_common);
    tcase_add_test(tc, clean_sets_differ);
    tcase_add_test(tc, markup_detection);
    suite_add_tcase(s, tc);
    return s;
}
