/* test_tokenizer_v2.c - what version 2 of the tokenizer does differently:
 * normalisation, case folding, classes by general category, the CJK rule on
 * normalised text, the HTML5 entity table; and the options. test_tokenizer.c
 * runs the shared cases on both versions. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "tokenizer.h"
#include "unicode.h"
#include "utf8.h"

static void init_v2(Tokenizer *tk, int normalize, int lowercase)
{
    TokenizerOptions o;
    tokenizer_options_default(&o);
    o.normalize = normalize;
    o.lowercase = lowercase;
    tokenizer_init(tk, &o);
}

/* The tokens of text joined by single spaces, each checked to be valid UTF-8
 * without white space or U+FFFD. */
static void expect(const Tokenizer *tk, const char *text, const char *want)
{
    TokenList tl;
    tokenlist_init(&tl);
    tokenizer_run(tk, text, strlen(text), &tl);
    char got[4096] = "";
    size_t at = 0;
    for (size_t i = 0; i < tl.n; i++) {
        const char *t = tl.buf + tl.start[i];
        ck_assert_uint_eq(strlen(t), tl.len[i]);
        for (size_t k = 0; k < tl.len[i];) {
            uint32_t cp;
            k += (size_t)utf8_decode((const unsigned char *)t + k, tl.len[i] - k, &cp);
            ck_assert(cp != UTF8_REPLACEMENT && !unicode_is_space(cp) && !utf8_is_space(cp));
        }
        ck_assert_uint_lt(at + tl.len[i] + 2, sizeof got);
        if (i) got[at++] = ' ';
        memcpy(got + at, t, tl.len[i]);
        at += tl.len[i];
    }
    got[at] = '\0';
    tokenlist_free(&tl);
    ck_assert_str_eq(got, want);
}

/* ＡＢＣ１２３ café + U+0301 ﬁne, as issue 18 gives it. */
static const char example[] = "\xef\xbc\xa1\xef\xbc\xa2\xef\xbc\xa3\xef\xbc\x91\xef\xbc\x92\xef\xbc\x93 "
                              "caf\xc3\xa9\xcc\x81 \xef\xac\x81ne\n";

START_TEST(example_line)
{
    Tokenizer tk;
    TokenizerOptions o;
    tokenizer_options_default(&o);
    tokenizer_init(&tk, &o);
    expect(&tk, example, "abc123 caf\xc3\xa9 fine");
    /* The decomposed spelling meets the precomposed one. */
    expect(&tk, "cafe\xcc\x81 CAF\xc3\x89 Cafe\xcc\x81", "caf\xc3\xa9 caf\xc3\xa9 caf\xc3\xa9");
    tokenizer_free(&tk);
    /* NFC folds case but keeps the fullwidth forms; ﬁ folds to "fi" anyway. */
    init_v2(&tk, TOKENIZER_NORM_NFC, 1);
    expect(&tk, example, "\xef\xbd\x81\xef\xbd\x82\xef\xbd\x83\xef\xbc\x91\xef\xbc\x92\xef\xbc\x93 caf\xc3\xa9 fine");
    tokenizer_free(&tk);
    /* No normalisation: the accent stays doubled; folding still applies. */
    init_v2(&tk, TOKENIZER_NORM_NONE, 1);
    expect(&tk, example,
           "\xef\xbd\x81\xef\xbd\x82\xef\xbd\x83\xef\xbc\x91\xef\xbc\x92\xef\xbc\x93 caf\xc3\xa9\xcc\x81 fine");
    tokenizer_free(&tk);
    init_v2(&tk, TOKENIZER_NORM_NFKC, 0);
    expect(&tk, example, "ABC123 caf\xc3\xa9 fine");
    tokenizer_free(&tk);
}
END_TEST

START_TEST(case_folding)
{
    Tokenizer tk;
    init_v2(&tk, TOKENIZER_NORM_NFKC, 1);
    /* Full folding: both spellings are one token. */
    expect(&tk, "Stra\xc3\x9f" "e STRASSE strasse", "strasse strasse strasse");
    expect(&tk, "\xce\xa3\xce\x9f\xce\xa6\xce\x8a\xce\x91 \xcf\x83\xce\xbf\xcf\x86\xce\xaf\xce\xb1",
           "\xcf\x83\xce\xbf\xcf\x86\xce\xaf\xce\xb1 \xcf\x83\xce\xbf\xcf\x86\xce\xaf\xce\xb1");
    /* Scripts utf8_lower never knew: Armenian, Georgian Mtavruli, Deseret. */
    expect(&tk, "\xd4\xb1\xd5\xa2 \xe1\xb2\x90 \xf0\x90\x90\x80", "\xd5\xa1\xd5\xa2 \xe1\x83\x90 \xf0\x90\x90\xa8");
    /* ΐ folds to ι + two marks, which NFKC composes back; NFKC spells the
     * titlecase ǅ as "Dž" first. */
    expect(&tk, "\xce\x90\xce\x90 \xc7\x85", "\xce\x90\xce\x90 d\xc5\xbe");
    /* Symbols fold too under NFC (NFKC already made Ⓐ an 'A'). */
    tokenizer_free(&tk);
    init_v2(&tk, TOKENIZER_NORM_NFC, 1);
    expect(&tk, "\xe2\x92\xb6", "\xe2\x93\x90");
    tokenizer_free(&tk);
}
END_TEST

START_TEST(categories_split)
{
    Tokenizer tk;
    init_v2(&tk, TOKENIZER_NORM_NFKC, 1);
    /* P* and S* outside the ranges version 1 kept: ⸮ (Po), the danda । (Po),
     * ฿ (Sc), ❤ inside them as before. */
    expect(&tk, "\xe2\xb8\xaehm \xe0\xa5\xa4x \xe0\xb8\xbf" "5 a\xe2\x9d\xa4" "b",
           "\xe2\xb8\xae hm \xe0\xa5\xa4 x \xe0\xb8\xbf 5 a \xe2\x9d\xa4 b");
    /* Letters, marks and numbers of any script make words: Devanagari with its
     * vowel signs, Arabic-Indic digits, Thai. */
    expect(&tk, "\xe0\xa4\xa8\xe0\xa4\xae\xe0\xa4\xb8\xe0\xa5\x8d\xe0\xa4\xa4\xe0\xa5\x87 \xd9\xa3\xd9\xa4",
           "\xe0\xa4\xa8\xe0\xa4\xae\xe0\xa4\xb8\xe0\xa5\x8d\xe0\xa4\xa4\xe0\xa5\x87 \xd9\xa3\xd9\xa4");
    /* Z* and Cc separate; Cf is dropped inside a word (soft hyphen, zero-width
     * joiners), except U+200B and U+FEFF, which separate. */
    expect(&tk, "a\xe2\x80\xa8" "b\xc2\x85" "c\xe1\x9a\x80" "d", "a b c d");
    expect(&tk, "inter\xc2\xadnational m\xe2\x80\x8c" "a\xe2\x80\x8d" "b x\xe2\x80\x8by \xef\xbb\xbfz",
           "international mab x y z");
    /* An emoji ZWJ sequence: the emoji are tokens, the joiner is gone. */
    expect(&tk, "\xf0\x9f\x91\xa8\xe2\x80\x8d\xf0\x9f\x91\xa9", "\xf0\x9f\x91\xa8 \xf0\x9f\x91\xa9");
    /* Apostrophes and periods still join, including NFKC's fullwidth ones. */
    expect(&tk, "don\xe2\x80\x99t don\xef\xbc\x87t 3\xef\xbc\x8e" "5 U.S.", "don't don't 3.5 u.s .");
    /* Invalid bytes and C1 controls still separate. */
    expect(&tk, "ab\xff" "cd x\xc2\x92y", "ab cd x y");
    tokenizer_free(&tk);
}
END_TEST

START_TEST(cjk_after_normalisation)
{
    Tokenizer tk;
    init_v2(&tk, TOKENIZER_NORM_NFKC, 1);
    /* Halfwidth katakana ｶﾞｲﾄﾞ become fullwidth, voiced, one token per kana. */
    expect(&tk, "\xef\xbd\xb6\xef\xbe\x9e\xef\xbd\xb2\xef\xbe\x84\xef\xbe\x9e",
           "\xe3\x82\xac \xe3\x82\xa4 \xe3\x83\x89");
    /* Decomposed hangul (jamo) composes into syllables first: 한국. */
    expect(&tk, "\xe1\x84\x92\xe1\x85\xa1\xe1\x86\xab\xe1\x84\x80\xe1\x85\xae\xe1\x86\xa8",
           "\xed\x95\x9c \xea\xb5\xad");
    /* ㈱ is "(株)"; the iteration mark 々 and ー are one token each; the
     * katakana middle dot is punctuation. */
    expect(&tk, "\xe3\x88\xb1 \xe4\xba\xba\xe3\x80\x85 \xe3\x82\xbf\xe3\x83\xbc \xe3\x82\xa2\xe3\x83\xbb\xe3\x82\xa4",
           "( \xe6\xa0\xaa ) \xe4\xba\xba \xe3\x80\x85 \xe3\x82\xbf \xe3\x83\xbc \xe3\x82\xa2 \xe3\x83\xbb \xe3\x82\xa4");
    /* A CJK compatibility ideograph is its unified twin after NFC: 豈 U+F900 -> U+8C48. */
    expect(&tk, "\xef\xa4\x80", "\xe8\xb1\x88");
    tokenizer_free(&tk);
}
END_TEST

START_TEST(html5_entities)
{
    Tokenizer tk;
    init_v2(&tk, TOKENIZER_NORM_NFKC, 1);
    expect(&tk, "caf&eacute; &Eacute;t&eacute; &notin; &amp &ne;", "caf\xc3\xa9 \xc3\xa9t\xc3\xa9 \xe2\x88\x89 & \xe2\x89\xa0");
    /* &nbsp; is U+00A0, a separator; a URL's "&lang=" stays text. */
    expect(&tk, "a&nbsp;b x.php?a=1&lang=en", "a b x.php ? a = 1 & lang = en");
    /* AG News leftovers as before. */
    expect(&tk, "Ohio #39;s  quot;no quot;", "ohio's \" no \"");
    tokenizer_free(&tk);
}
END_TEST

START_TEST(stopwords_normalised)
{
    Tokenizer tk;
    init_v2(&tk, TOKENIZER_NORM_NFKC, 1);
    /* Stopwords are compared after folding: ß in the text matches "strasse". */
    char *stop[] = {"strasse", "fine"};
    tokenizer_set_stopwords(&tk, stop, 2);
    expect(&tk, "Stra\xc3\x9f" "e \xef\xac\x81ne ok", "ok");
    tokenizer_free(&tk);
}
END_TEST

START_TEST(options)
{
    TokenizerOptions o;
    tokenizer_options_default(&o);
    ck_assert_int_eq(o.version, TOKENIZER_V2);
    ck_assert_int_eq(o.normalize, TOKENIZER_NORM_NFKC);
    ck_assert(o.lowercase && o.clean_html && o.max_tokens == 0);
    Status st;
    status_clear(&st);
    ck_assert_int_eq(tokenizer_options_check(&o, "config", &st), 0);
    o.version = 3;
    ck_assert_int_eq(tokenizer_options_check(&o, "m.ckpt", &st), -1);
    ck_assert_str_eq(st.msg, "m.ckpt: tokenizer version 3 is not 1 or 2");
    o.version = TOKENIZER_V1;
    o.normalize = 7;
    ck_assert_int_eq(tokenizer_options_check(&o, "config", &st), -1);
    ck_assert_str_eq(st.msg, "config: tokenizer normalize 7 is not none (0), nfc (1) or nfkc (2)");
    o.normalize = TOKENIZER_NORM_NONE;
    o.max_tokens = -1;
    ck_assert_int_eq(tokenizer_options_check(&o, "config", &st), -1);
    /* The tokenizer keeps its options. */
    o.max_tokens = 3;
    Tokenizer tk;
    tokenizer_init(&tk, &o);
    ck_assert_mem_eq(&tk.opt, &o, sizeof o);
    ck_assert_int_eq(tk.n_stopwords, 0);
    /* Version 1 ignores normalize. */
    tk.opt.normalize = TOKENIZER_NORM_NFKC;
    expect(&tk, "\xef\xbc\xa1 \xef\xac\x81 a b", "\xef\xbc\xa1 \xef\xac\x81 a");
    tokenizer_free(&tk);
}
END_TEST

/* Long documents: a fold that lengthens tokens near the end of a long text
 * (the buffer grows mid-run), and a long all-CJK text (one normalisation piece). */
START_TEST(long_documents)
{
    Tokenizer tk;
    init_v2(&tk, TOKENIZER_NORM_NONE, 1);
    size_t reps = 50000;
    char *doc = malloc(3 * reps + 1);
    ck_assert_ptr_nonnull(doc);
    /* "ΐ " repeated: 3 bytes each, folding to 6-byte tokens + NUL = 7. */
    for (size_t i = 0; i < reps; i++) memcpy(doc + 3 * i, "\xce\x90 ", 3);
    TokenList tl;
    tokenlist_init(&tl);
    tokenizer_run(&tk, doc, 3 * reps, &tl);
    ck_assert_uint_eq(tl.n, reps);
    ck_assert_uint_eq(tl.buf_len, 7 * reps);
    ck_assert_str_eq(tl.buf + tl.start[reps - 1], "\xce\xb9\xcc\x88\xcc\x81");
    tokenizer_free(&tk);
    init_v2(&tk, TOKENIZER_NORM_NFKC, 1);
    for (size_t i = 0; i < reps; i++) memcpy(doc + 3 * i, "\xe4\xb8\xad", 3);
    tokenizer_run(&tk, doc, 3 * reps, &tl);
    ck_assert_uint_eq(tl.n, reps);
    ck_assert_str_eq(tl.buf + tl.start[reps - 1], "\xe4\xb8\xad");
    tokenlist_free(&tl);
    tokenizer_free(&tk);
    free(doc);
}
END_TEST

Suite *tokenizer_v2_suite(void)
{
    Suite *s = suite_create("tokenizer_v2");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, example_line);
    tcase_add_test(tc, case_folding);
    tcase_add_test(tc, categories_split);
    tcase_add_test(tc, cjk_after_normalisation);
    tcase_add_test(tc, html5_entities);
    tcase_add_test(tc, stopwords_normalised);
    tcase_add_test(tc, options);
    tcase_add_test(tc, long_documents);
    suite_add_tcase(s, tc);
    return s;
}
