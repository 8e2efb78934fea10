#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fixture.h"
#include "tokenizer.h"
#include "utf8.h"

/* What every TokenList must satisfy: tokens are non-empty, NUL terminated,
 * inside buf_len, valid UTF-8 free of U+FFFD and white space. Returns the
 * first violation or NULL; asserting once keeps a 1 MB check fast. */
static const char *list_problem(const TokenList *tl, size_t *at)
{
    for (size_t i = 0; i < tl->n; i++) {
        const char *t = tl->buf + tl->start[i];
        size_t n = tl->len[i];
        *at = i;
        if (n == 0) return "empty token";
        if (tl->start[i] + n + 1 > tl->buf_len) return "token past buf_len";
        if (strlen(t) != n) return "length or NUL terminator wrong";
        for (size_t k = 0; k < n;) {
            uint32_t cp;
            k += (size_t)utf8_decode((const unsigned char *)t + k, n - k, &cp);
            if (cp == UTF8_REPLACEMENT || utf8_is_space(cp)) return "U+FFFD or space inside a token";
        }
    }
    return NULL;
}

/* Every test runs once per tokenizer version (tcase_add_loop_test's _i); the
 * expectations that differ are written `version == 1 ? v1 : v2`. */
static int version;

static void init_tk(Tokenizer *tk, int lowercase, int clean_html, int max_tokens)
{
    TokenizerOptions o = {.lowercase = lowercase, .clean_html = clean_html, .max_tokens = max_tokens,
                          .normalize = TOKENIZER_NORM_NFKC, .version = version};
    tokenizer_init(tk, &o);
}

static void check_list(const TokenList *tl)
{
    size_t at = 0;
    const char *problem = list_problem(tl, &at);
    ck_assert_msg(problem == NULL, "token %zu: %s", at, problem);
}

/* Tokenizes text[0..len) and compares the tokens joined by single spaces. */
static void expect_n(const Tokenizer *tk, const char *text, size_t len, const char *want)
{
    TokenList tl;
    tokenlist_init(&tl);
    tokenizer_run(tk, text, len, &tl);
    check_list(&tl);
    char got[4096] = "";
    size_t at = 0;
    for (size_t i = 0; i < tl.n; i++) {
        ck_assert_uint_lt(at + tl.len[i] + 2, sizeof got);
        if (i) got[at++] = ' ';
        memcpy(got + at, tl.buf + tl.start[i], tl.len[i]);
        at += tl.len[i];
    }
    got[at] = '\0';
    tokenlist_free(&tl);
    ck_assert_str_eq(got, want);
}

static void expect(const Tokenizer *tk, const char *text, const char *want)
{
    expect_n(tk, text, strlen(text), want);
}

static size_t count_tokens(const Tokenizer *tk, const char *text, size_t len)
{
    TokenList tl;
    tokenlist_init(&tl);
    tokenizer_run(tk, text, len, &tl);
    check_list(&tl);
    size_t n = tl.n;
    tokenlist_free(&tl);
    return n;
}

START_TEST(english_punctuation)
{
    version = _i;
    Tokenizer tk;
    init_tk(&tk, 1, 1, 0);
    expect(&tk, "Hello, World! This is GREAT.", "hello , world ! this is great .");
    expect(&tk, "  (a)  [b]{c}\t\n\"d\"  ", "( a ) [ b ] { c } \" d \"");
    expect(&tk, "e-mail: x@y.com; 100% $5 #1", "e - mail : x @ y.com ; 100 % $ 5 # 1");
    expect(&tk, "wait...what?!", "wait . . . what ? !");
    expect(&tk, "snake_case a+b=c", "snake _ case a + b = c");
    expect(&tk, "\xe2\x80\x9cquoted\xe2\x80\x9d \xe2\x80\x94 dash", "\xe2\x80\x9c quoted \xe2\x80\x9d \xe2\x80\x94 dash");
    expect(&tk, "\xc2\xa1Hola! \xc2\xbfQu\xc3\xa9?", "\xc2\xa1 hola ! \xc2\xbf qu\xc3\xa9 ?");
    tokenizer_free(&tk);
}
END_TEST

START_TEST(apostrophe_and_period)
{
    version = _i;
    Tokenizer tk;
    init_tk(&tk, 1, 1, 0);
    expect(&tk, "I don't know", "i don't know");
    expect(&tk, "don\xe2\x80\x99t", "don't");
    expect(&tk, "'quoted' rock 'n' roll", "' quoted ' rock ' n ' roll");
    expect(&tk, "students' books", "students ' books");
    expect(&tk, "rated 3.5 stars", "rated 3.5 stars");
    expect(&tk, "the U.S.A. and u.s", "the u.s.a . and u.s");
    expect(&tk, "end. next.start", "end . next.start");
    expect(&tk, ".5 5. a..b", ". 5 5 . a . . b");
    expect(&tk, "x'\xe4\xb8\xad", "x ' \xe4\xb8\xad");
    tokenizer_free(&tk);
}
END_TEST

START_TEST(html_tags)
{
    version = _i;
    Tokenizer tk;
    init_tk(&tk, 1, 1, 0);
    expect(&tk, "Great movie.<br /><br />Loved it", "great movie . loved it");
    expect(&tk, "a<br/>b", "a b");
    expect(&tk, "<a href=\"http://x.org/\">link</a> here", "link here");
    expect(&tk, "<!-- note -->text<!DOCTYPE html>", "text");
    expect(&tk, "a < b and 3 > 2", "a < b and 3 > 2");
    expect(&tk, "i <3 you", "i < 3 you");
    expect(&tk, "open <p never closed", "open < p never closed");
    expect(&tk, "<", "<");
    /* A '>' more than 256 bytes away does not close a tag. */
    char far[400];
    memset(far, 'x', sizeof far);
    memcpy(far, "<b ", 3);
    memcpy(far + 300, " >y", 3);
    far[sizeof far - 1] = '\0';
    TokenList tl;
    tokenlist_init(&tl);
    tokenizer_run(&tk, far, strlen(far), &tl);
    ck_assert_uint_ge(tl.n, 3);
    ck_assert_str_eq(tl.buf + tl.start[0], "<");
    ck_assert_str_eq(tl.buf + tl.start[1], "b");
    tokenlist_free(&tl);
    tokenizer_free(&tk);
}
END_TEST

START_TEST(html_entities)
{
    version = _i;
    Tokenizer tk;
    init_tk(&tk, 1, 1, 0);
    expect(&tk, "&lt;b&gt;bold&lt;/b&gt;", "< b > bold < / b >");
    expect(&tk, "Tom &amp; Jerry", "tom & jerry");
    expect(&tk, "&quot;hi&quot; &apos;x&apos;", "\" hi \" ' x '");
    expect(&tk, "a&nbsp;b", "a b");
    expect(&tk, "caf&#233; caf&#xE9; caf&#XE9;", "caf\xc3\xa9 caf\xc3\xa9 caf\xc3\xa9");
    expect(&tk, "don&#39;t don&#x27;t don&#8217;t", "don't don't don't");
    /* NFKC spells the ellipsis as three periods. */
    expect(&tk, "wait&hellip;what &mdash; &euro; 5 &copy;",
           version == 1 ? "wait \xe2\x80\xa6 what \xe2\x80\x94 \xe2\x82\xac 5 \xc2\xa9"
                        : "wait . . . what \xe2\x80\x94 \xe2\x82\xac 5 \xc2\xa9");
    /* 128..159 are Windows-1252, as in HTML5. */
    expect(&tk, "it&#146;s &#147;x&#148;", "it's \xe2\x80\x9c x \xe2\x80\x9d");
    /* Version 2 knows HTML5's legacy "&amp" without ';'. */
    expect(&tk, "&bogus; &amp &#; &#x; &#12a;",
           version == 1 ? "& bogus ; & amp & # ; & # x ; & # 12a ;" : "& bogus ; & & # ; & # x ; & # 12a ;");
    expect(&tk, "&#0;a&#xD800;b&#x110000;c", "a b c");
    tokenizer_free(&tk);
}
END_TEST

START_TEST(agnews_leftovers)
{
    version = _i;
    Tokenizer tk;
    init_tk(&tk, 1, 1, 0);
    /* AG News lost the '&' and left a space in its place. */
    expect(&tk, "Ohio #39;s governor doesn #39;t", "ohio's governor doesn't");
    expect(&tk, "gear makers #39; efforts", "gear makers ' efforts");
    expect(&tk, "for the  #36;10 million", "for the $ 10 million");
    expect(&tk, "Sony #146;s store:  #147;hi #148;", "sony's store : \xe2\x80\x9c hi \xe2\x80\x9d");
    expect(&tk, "said  quot;no quot; today", "said \" no \" today");
    expect(&tk, "AT amp;T lt;TXN.N gt; a nbsp;b", "at & t < txn.n > a b");
    expect(&tk, "quot;start", "\" start");
    /* Words ending like an entity name stay intact. */
    expect(&tk, "flat; bang; salt; ragt;", "flat ; bang ; salt ; ragt ;");
    /* Control characters are no leftovers: "#1;" is text. */
    expect(&tk, "issue #1; #9;", "issue # 1 ; # 9 ;");
    expect(&tk, "#1234567;", "# 1234567 ;");
    tokenizer_free(&tk);
}
END_TEST

START_TEST(backslash_line_break)
{
    version = _i;
    Tokenizer tk;
    init_tk(&tk, 1, 1, 0);
    expect(&tk, "A second\\team of\\\\rocketeers", "a second team of rocketeers");
    tokenizer_free(&tk);
}
END_TEST

START_TEST(clean_html_off)
{
    version = _i;
    Tokenizer tk;
    init_tk(&tk, 1, 0, 0);
    expect(&tk, "a<br />b", "a < br / > b");
    expect(&tk, "&amp; #39;s", "& amp ; # 39 ; s");
    expect(&tk, "a\\b", "a \\ b");
    tokenizer_free(&tk);
}
END_TEST

START_TEST(cjk)
{
    version = _i;
    Tokenizer tk;
    init_tk(&tk, 1, 1, 0);
    expect(&tk, "\xe6\x88\x91\xe7\x88\xb1\xe5\x8c\x97\xe4\xba\xac", /* 我爱北京 */
           "\xe6\x88\x91 \xe7\x88\xb1 \xe5\x8c\x97 \xe4\xba\xac");
    ck_assert_uint_eq(count_tokens(&tk, "\xe6\x88\x91\xe7\x88\xb1\xe5\x8c\x97\xe4\xba\xac", 12), 4);
    /* 你好，世界。 */
    /* NFKC turns the fullwidth comma into ','. */
    expect(&tk, "\xe4\xbd\xa0\xe5\xa5\xbd\xef\xbc\x8c\xe4\xb8\x96\xe7\x95\x8c\xe3\x80\x82",
           version == 1 ? "\xe4\xbd\xa0 \xe5\xa5\xbd \xef\xbc\x8c \xe4\xb8\x96 \xe7\x95\x8c \xe3\x80\x82"
                        : "\xe4\xbd\xa0 \xe5\xa5\xbd , \xe4\xb8\x96 \xe7\x95\x8c \xe3\x80\x82");
    /* abc中文DEF */
    expect(&tk, "abc\xe4\xb8\xad\xe6\x96\x87" "DEF", "abc \xe4\xb8\xad \xe6\x96\x87 def");
    /* 東京タワーに行きました: kanji, katakana (with ー) and hiragana. */
    expect(&tk,
           "\xe6\x9d\xb1\xe4\xba\xac\xe3\x82\xbf\xe3\x83\xaf\xe3\x83\xbc\xe3\x81\xab\xe8\xa1\x8c\xe3\x81\x8d"
           "\xe3\x81\xbe\xe3\x81\x97\xe3\x81\x9f",
           "\xe6\x9d\xb1 \xe4\xba\xac \xe3\x82\xbf \xe3\x83\xaf \xe3\x83\xbc \xe3\x81\xab \xe8\xa1\x8c \xe3\x81\x8d "
           "\xe3\x81\xbe \xe3\x81\x97 \xe3\x81\x9f");
    /* 안녕하세요 세계! */
    expect(&tk, "\xec\x95\x88\xeb\x85\x95\xed\x95\x98\xec\x84\xb8\xec\x9a\x94 \xec\x84\xb8\xea\xb3\x84!",
           "\xec\x95\x88 \xeb\x85\x95 \xed\x95\x98 \xec\x84\xb8 \xec\x9a\x94 \xec\x84\xb8 \xea\xb3\x84 !");
    tokenizer_free(&tk);
}
END_TEST

START_TEST(other_scripts_lowercase)
{
    version = _i;
    Tokenizer tk;
    init_tk(&tk, 1, 1, 0);
    expect(&tk, "\xc3\x89T\xc3\x89 \xc5\x81\xc3\x93" "D\xc5\xb9", "\xc3\xa9t\xc3\xa9 \xc5\x82\xc3\xb3" "d\xc5\xba");
    expect(&tk, "\xce\xa3\xce\x9f\xce\xa6\xce\x99\xce\x91", "\xcf\x83\xce\xbf\xcf\x86\xce\xb9\xce\xb1");
    expect(&tk, "\xd0\x94\xd0\xbe\xd0\xbc \xd0\x81\xd0\x96", "\xd0\xb4\xd0\xbe\xd0\xbc \xd1\x91\xd0\xb6");
    /* Version 1 lowercases İ to a shorter 'i'; full case folding gives i + U+0307. */
    expect(&tk, "\xc4\xb0STANBUL", version == 1 ? "istanbul" : "i\xcc\x87stanbul");
    /* A soft hyphen does not split a word; digits and letters mix. */
    expect(&tk, "inter\xc2\xadnational mp3 2nd", "international mp3 2nd");
    /* Emoji and currency signs are tokens of their own: great😀 €5 */
    expect(&tk, "great\xf0\x9f\x98\x80 \xe2\x82\xac" "5", "great \xf0\x9f\x98\x80 \xe2\x82\xac 5");
    tokenizer_free(&tk);
}
END_TEST

START_TEST(lowercase_off)
{
    version = _i;
    Tokenizer tk;
    init_tk(&tk, 0, 1, 0);
    expect(&tk, "Hello WORLD \xc3\x89t\xc3\xa9 \xd0\x94", "Hello WORLD \xc3\x89t\xc3\xa9 \xd0\x94");
    char *stop[] = {"the"};
    tokenizer_set_stopwords(&tk, stop, 1);
    expect(&tk, "The the THE", "The THE");
    tokenizer_free(&tk);
}
END_TEST

START_TEST(invalid_bytes_and_nul)
{
    version = _i;
    Tokenizer tk;
    init_tk(&tk, 1, 1, 0);
    expect(&tk, "\xff\xfe ok", "ok");
    expect(&tk, "ab\xff" "cd", "ab cd");
    expect(&tk, "ok\xe4\xb8", "ok");
    expect(&tk, "\xc0\xaf\xed\xa0\x80\xf4\x90\x80\x80", "");
    expect(&tk, "x\xc2\x85y\xc2\x92z", "x y z");
    expect_n(&tk, "a\0b\0\0c", 6, "a b c");
    expect_n(&tk, "\0", 1, "");
    tokenizer_free(&tk);
}
END_TEST

START_TEST(empty_input)
{
    version = _i;
    Tokenizer tk;
    init_tk(&tk, 1, 1, 0);
    ck_assert_uint_eq(count_tokens(&tk, "", 0), 0);
    ck_assert_uint_eq(count_tokens(&tk, " \t\r\n ", 5), 0);
    ck_assert_uint_eq(count_tokens(&tk, "<br />", 6), 0);
    TokenList tl;
    tokenlist_init(&tl);
    tokenizer_run(&tk, NULL, 0, &tl);
    ck_assert_uint_eq(tl.n, 0);
    tokenlist_free(&tl);
    tokenizer_free(&tk);
}
END_TEST

START_TEST(stopwords_and_max_tokens)
{
    version = _i;
    Tokenizer tk;
    init_tk(&tk, 1, 1, 0);
    char *stop[] = {"the", "is", "a", "the", "."};
    tokenizer_set_stopwords(&tk, stop, 5);
    ck_assert_int_eq(tk.n_stopwords, 4);
    for (int64_t i = 1; i < tk.n_stopwords; i++) ck_assert_int_lt(strcmp(tk.stopwords[i - 1], tk.stopwords[i]), 0);
    expect(&tk, "The cat is a pet. THE end", "cat pet end");
    expect(&tk, "the the", "");
    tk.opt.max_tokens = 3;
    /* The limit counts tokens left after stopword removal. */
    expect(&tk, "the one is two a three four five", "one two three");
    tk.opt.max_tokens = 1;
    expect(&tk, "\xe4\xb8\xad\xe6\x96\x87", "\xe4\xb8\xad");
    tokenizer_free(&tk);
    ck_assert_ptr_null(tk.stopwords);

    init_tk(&tk, 1, 1, 2);
    expect(&tk, "one, two three", "one ,");
    tokenizer_free(&tk);
}
END_TEST

static void write_file(const char *path, const char *text)
{
    fixture_write(path, text, (long)strlen(text));
}

START_TEST(load_stopwords_file)
{
    version = _i;
    char dir[64], path[128];
    fixture_tmpdir(dir, sizeof dir);
    snprintf(path, sizeof path, "%s/stop.txt", dir);
    write_file(path, "# English stopwords\n\nThe\r\n  and  \n\t\nis\n#not\n\xc3\x89T\xc3\x89\ndon't\nthe");
    Tokenizer tk;
    init_tk(&tk, 1, 1, 0);
    Status st;
    status_clear(&st);
    ck_assert_int_eq(tokenizer_load_stopwords(&tk, path, &st), 0);
    ck_assert_int_eq(tk.n_stopwords, 5);
    ck_assert_str_eq(tk.stopwords[0], "and");
    ck_assert_str_eq(tk.stopwords[1], "don't");
    ck_assert_str_eq(tk.stopwords[2], "is");
    ck_assert_str_eq(tk.stopwords[3], "the");
    ck_assert_str_eq(tk.stopwords[4], "\xc3\xa9t\xc3\xa9");
    expect(&tk, "The summer is \xc3\x89T\xc3\x89 and I DON'T mind #not", "summer i mind # not");
    /* Loading again replaces the list. */
    write_file(path, "summer\n");
    ck_assert_int_eq(tokenizer_load_stopwords(&tk, path, &st), 0);
    ck_assert_int_eq(tk.n_stopwords, 1);
    tokenizer_free(&tk);

    /* Without lowercasing the words are kept as written. */
    write_file(path, "The\n");
    init_tk(&tk, 0, 1, 0);
    ck_assert_int_eq(tokenizer_load_stopwords(&tk, path, &st), 0);
    ck_assert_str_eq(tk.stopwords[0], "The");
    tokenizer_free(&tk);
    fixture_rmtree(dir);
}
END_TEST

START_TEST(load_stopwords_errors)
{
    version = _i;
    char dir[64], path[128], want[256];
    fixture_tmpdir(dir, sizeof dir);
    snprintf(path, sizeof path, "%s/missing.txt", dir);
    Tokenizer tk;
    init_tk(&tk, 1, 1, 0);
    Status st;
    status_clear(&st);
    ck_assert_int_eq(tokenizer_load_stopwords(&tk, path, &st), -1);
    ck_assert_int_eq(st.code, STATUS_ERROR);
    snprintf(want, sizeof want, "%s: cannot open: No such file or directory", path);
    ck_assert_str_eq(st.msg, want);

    snprintf(path, sizeof path, "%s/stop.txt", dir);
    write_file(path, "the\nof\nnew york\nand\n");
    status_clear(&st);
    ck_assert_int_eq(tokenizer_load_stopwords(&tk, path, &st), -1);
    snprintf(want, sizeof want, "%s:3: \"new york\" is not a single token", path);
    ck_assert_str_eq(st.msg, want);
    ck_assert_int_eq(tk.n_stopwords, 0);

    write_file(path, "u.s.\n");
    ck_assert_int_eq(tokenizer_load_stopwords(&tk, path, &st), -1);
    snprintf(want, sizeof want, "%s:1: \"u.s.\" is not a single token", path);
    ck_assert_str_eq(st.msg, want);
    tokenizer_free(&tk);
    fixture_rmtree(dir);
}
END_TEST

START_TEST(reuse_and_large_input)
{
    version = _i;
    Tokenizer tk;
    init_tk(&tk, 1, 1, 0);
    /* 1 MB of mixed text: each unit "Word<br />中, &amp; x" is 5 tokens. */
    const char unit[] = "Word<br />\xe4\xb8\xad, &amp; x ";
    size_t ul = sizeof unit - 1, reps = (1u << 20) / ul + 1;
    char *big = malloc(reps * ul);
    ck_assert_ptr_nonnull(big);
    for (size_t i = 0; i < reps; i++) memcpy(big + i * ul, unit, ul);
    TokenList tl;
    tokenlist_init(&tl);
    tokenizer_run(&tk, "short one", 9, &tl);
    ck_assert_uint_eq(tl.n, 2);
    tokenizer_run(&tk, big, reps * ul, &tl);
    ck_assert_uint_eq(tl.n, reps * 5);
    check_list(&tl);
    ck_assert_str_eq(tl.buf + tl.start[0], "word");
    ck_assert_str_eq(tl.buf + tl.start[tl.n - 1], "x");
    ck_assert_str_eq(tl.buf + tl.start[tl.n - 4], "\xe4\xb8\xad");
    /* A shorter document after a long one replaces the content entirely. */
    tokenizer_run(&tk, "Again", 5, &tl);
    ck_assert_uint_eq(tl.n, 1);
    ck_assert_str_eq(tl.buf + tl.start[0], "again");
    ck_assert_uint_eq(tl.buf_len, 6);
    tokenlist_free(&tl);
    free(big);
    tokenizer_free(&tk);
}
END_TEST

START_TEST(random_bytes_hold_invariants)
{
    version = _i;
    /* Random documents drawn from bytes that stress every branch: entity and tag
     * starts, UTF-8 leads and continuations, joiners and separators. */
    static const char alphabet[] = "<>&#;/!\\'. aqlgnt0123xX\0\x80\xbf\xc3\xa9\xe4\xb8\xe2\x80\x99\xf0\x9f\xff\xed\xa0";
    Tokenizer tk[2];
    init_tk(&tk[0], 1, 1, 0);
    init_tk(&tk[1], 0, 0, 0);
    TokenList tl;
    tokenlist_init(&tl);
    char doc[600];
    uint64_t x = 88172645463325252ull;
    for (int iter = 0; iter < 4000; iter++) {
        size_t len = (size_t)(iter % 600);
        for (size_t i = 0; i < len; i++) {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            doc[i] = alphabet[x % (sizeof alphabet - 1)];
        }
        tokenizer_run(&tk[iter & 1], doc, len, &tl);
        check_list(&tl);
        ck_assert_uint_le(tl.buf_len, 2 * len + 1);
    }
    tokenlist_free(&tl);
    tokenizer_free(&tk[0]);
    tokenizer_free(&tk[1]);
}
END_TEST

Suite *tokenizer_suite(void)
{
    Suite *s = suite_create("tokenizer");
    TCase *tc = tcase_create("core");
    tcase_add_loop_test(tc, english_punctuation, TOKENIZER_V1, TOKENIZER_V2 + 1);
    tcase_add_loop_test(tc, apostrophe_and_period, TOKENIZER_V1, TOKENIZER_V2 + 1);
    tcase_add_loop_test(tc, html_tags, TOKENIZER_V1, TOKENIZER_V2 + 1);
    tcase_add_loop_test(tc, html_entities, TOKENIZER_V1, TOKENIZER_V2 + 1);
    tcase_add_loop_test(tc, agnews_leftovers, TOKENIZER_V1, TOKENIZER_V2 + 1);
    tcase_add_loop_test(tc, backslash_line_break, TOKENIZER_V1, TOKENIZER_V2 + 1);
    tcase_add_loop_test(tc, clean_html_off, TOKENIZER_V1, TOKENIZER_V2 + 1);
    tcase_add_loop_test(tc, cjk, TOKENIZER_V1, TOKENIZER_V2 + 1);
    tcase_add_loop_test(tc, other_scripts_lowercase, TOKENIZER_V1, TOKENIZER_V2 + 1);
    tcase_add_loop_test(tc, lowercase_off, TOKENIZER_V1, TOKENIZER_V2 + 1);
    tcase_add_loop_test(tc, invalid_bytes_and_nul, TOKENIZER_V1, TOKENIZER_V2 + 1);
    tcase_add_loop_test(tc, empty_input, TOKENIZER_V1, TOKENIZER_V2 + 1);
    tcase_add_loop_test(tc, stopwords_and_max_tokens, TOKENIZER_V1, TOKENIZER_V2 + 1);
    tcase_add_loop_test(tc, load_stopwords_file, TOKENIZER_V1, TOKENIZER_V2 + 1);
    tcase_add_loop_test(tc, load_stopwords_errors, TOKENIZER_V1, TOKENIZER_V2 + 1);
    tcase_add_loop_test(tc, reuse_and_large_input, TOKENIZER_V1, TOKENIZER_V2 + 1);
    tcase_add_loop_test(tc, random_bytes_hold_invariants, TOKENIZER_V1, TOKENIZER_V2 + 1);
    suite_add_tcase(s, tc);
    return s;
}
