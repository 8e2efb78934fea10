/* test_vecfile.c - the .vec reader (each bad input's exact message, the header
 * optional, BOM/CRLF/blanks, the wanted-words filter, repeated words), the fast
 * number parser against strtof, and the writer's round trip (shortest texts that
 * read back as the same bits). Most inputs go through fmemopen, so messages name
 * "file.vec" exactly. */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fixture.h"
#include "rng.h"
#include "vecfile.h"

/* The wanted words: the i-th of `words` takes row i. */
typedef struct Wanted {
    const char *const *words;
    int n;
} Wanted;

static int64_t want_listed(void *ctx, const char *word, size_t len)
{
    const Wanted *w = ctx;
    ck_assert_uint_eq(strlen(word), len);
    for (int i = 0; i < w->n; i++)
        if (strcmp(w->words[i], word) == 0) return i;
    return -1;
}

static const char *const abc[] = {"a", "b", "c"};

/* Reads text (len bytes) as file.vec with dim and the words a, b, c; dst [3,dim]. */
static int read_text(const char *text, size_t len, int dim, float *dst, VecfileStats *stats, Status *st)
{
    Wanted w = {abc, 3};
    VecfileSink sink = {.dim = dim, .dim_name = "model.dim", .want = want_listed, .ctx = &w, .dst = dst, .rows = 3};
    FILE *f = fmemopen((void *)text, len, "rb");
    ck_assert_ptr_nonnull(f);
    status_clear(st);
    int rc = vecfile_read_stream(f, "file.vec", &sink, stats, st);
    fclose(f);
    return rc;
}

static void expect_error(const char *text, int dim, const char *msg)
{
    float dst[3 * 8];
    VecfileStats s;
    Status st;
    ck_assert_msg(read_text(text, strlen(text), dim, dst, &s, &st) == -1, "accepted: %s", text);
    ck_assert_str_eq(st.msg, msg);
    ck_assert_int_eq(st.code, STATUS_ERROR);
}

START_TEST(test_read_header_and_filter)
{
    const char text[] = "4 3\nzz 9 9 9\nb 0.5 -1 2e-3\na 1 2 3\nq 1 1 1\n";
    float dst[9] = {0};
    VecfileStats s;
    Status st;
    ck_assert_int_eq(read_text(text, sizeof text - 1, 3, dst, &s, &st), 0);
    ck_assert_int_eq(s.header, 1);
    ck_assert_int_eq(s.header_n, 4);
    ck_assert_int_eq(s.lines, 5);
    ck_assert_int_eq(s.vectors, 4);
    ck_assert_int_eq(s.found, 2);
    ck_assert_int_eq(s.repeated, 0);
    const float want[9] = {1, 2, 3, 0.5f, -1, 2e-3f, 0, 0, 0};
    for (int i = 0; i < 9; i++) ck_assert(dst[i] == want[i]);
}
END_TEST

START_TEST(test_read_no_header_bom_crlf_blanks)
{
    /* BOM, CRLF, tabs and repeated blanks, a trailing space, blank lines, and a
     * last line without a newline. */
    const char text[] = "\xef\xbb\xbf" "c 1 2\r\n\r\n  \n" "a\t3  4 \r\n" "b -0 5e1";
    float dst[6] = {0};
    VecfileStats s;
    Status st;
    ck_assert_int_eq(read_text(text, sizeof text - 1, 2, dst, &s, &st), 0);
    ck_assert_int_eq(s.header, 0);
    ck_assert_int_eq(s.lines, 5);
    ck_assert_int_eq(s.vectors, 3);
    ck_assert_int_eq(s.found, 3);
    const float want[6] = {3, 4, -0.0f, 50, 1, 2};
    for (int i = 0; i < 6; i++) ck_assert(dst[i] == want[i]);
    ck_assert(signbit(dst[2]));
}
END_TEST

START_TEST(test_read_repeated_word_keeps_first)
{
    const char text[] = "a 1\nb 2\na 3\n";
    float dst[3] = {0};
    VecfileStats s;
    Status st;
    ck_assert_int_eq(read_text(text, sizeof text - 1, 1, dst, &s, &st), 0);
    ck_assert_int_eq(s.found, 2);
    ck_assert_int_eq(s.repeated, 1);
    ck_assert(dst[0] == 1.0f && dst[1] == 2.0f);
}
END_TEST

START_TEST(test_read_errors)
{
    expect_error("3 300\na 1 2\n", 2, "file.vec: vectors have 300 dimensions, model.dim is 2");
    expect_error("a 1 2 3\nb 1 2 3\n", 2, "file.vec: vectors have 3 dimensions, model.dim is 2");
    expect_error("a\n", 2, "file.vec: vectors have 0 dimensions, model.dim is 2");
    expect_error("2 3\na 1 2 3\nb 1 2\n", 3, "file.vec:3: expected 3 numbers, got 2");
    expect_error("a 1 2 3\n\nb 1 2\n", 3, "file.vec:3: expected 3 numbers, got 2");
    expect_error("a 1 2\nb 1 abc\n", 2, "file.vec:2: \"abc\" is not a number");
    expect_error("a 1 2\nb 1 1.5.2\n", 2, "file.vec:2: \"1.5.2\" is not a number");
    expect_error("a 1 2\nb 1e 2\n", 2, "file.vec:2: \"1e\" is not a number");
    expect_error("a 1 nan\n", 2, "file.vec:1: \"nan\" is not a finite number");
    expect_error("a 1 2\nb -inf 2\n", 2, "file.vec:2: \"-inf\" is not a finite number");
    expect_error("a 1 2\nb 1e999 2\n", 2, "file.vec:2: \"1e999\" is not a finite number");
    /* The header lies about D, or about N. */
    expect_error("2 3\na 1 2 3 4\nb 1 2 3 4\n", 3, "file.vec:2: expected 3 numbers, got 4");
    expect_error("3 2\na 1 2\nb 1 2\n", 2, "file.vec: the header says 3 words, the file has 2");
    expect_error("1 2\na 1 2\nb 1 2\n", 2, "file.vec: the header says 1 words, the file has 2");
    expect_error("", 2, "file.vec: empty file");
    expect_error("\xef\xbb\xbf", 2, "file.vec: empty file");
    expect_error("\n \r\n", 2, "file.vec: empty file");
    /* A long bad token is cut in the message. */
    expect_error("a 1 xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\n", 2,
                 "file.vec:1: \"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx...\" is not a number");
}
END_TEST

START_TEST(test_read_other_kinds)
{
    static const unsigned char ckpt[] = "ATTNCLF\x1a\3\0\0\0\0\0\0\0";
    static const unsigned char ft[] = {0xba, 0x16, 0x4f, 0x2f, 12, 0, 0, 0, 1, 0, 0, 0};
    static const unsigned char gz[] = {0x1f, 0x8b, 8, 0, 0, 0};
    static const unsigned char nul[] = "a 1 2\nb 1\0 2\n";
    static const unsigned char w2v[] = "2 3\na \x01\x00\x80\x3f\x00\x00\x00\x40\x00\x00\x40\x40\n";
    struct { const unsigned char *p; size_t n; const char *msg; } cases[] = {
        {ckpt, sizeof ckpt - 1, "file.vec: is an attnclf checkpoint, not a word-vector text file (.vec)"},
        {ft, sizeof ft, "file.vec: is a fastText binary model (.bin/.ftz), not a word-vector text file (.vec)"},
        {gz, sizeof gz, "file.vec: is a gzip-compressed file, not a word-vector text file (.vec); decompress it first (gunzip)"},
        {nul, sizeof nul - 1, "file.vec: is a binary file of unknown kind, not a word-vector text file (.vec)"},
        {w2v, sizeof w2v - 1,
         "file.vec: is a word2vec binary vector file, not a word-vector text file (.vec); convert it to the text format first"},
        {(const unsigned char *)"{\"model\": {\"dim\": 2}}\n", 22,
         "file.vec: is a JSON document, not a word-vector text file (.vec)"},
    };
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        float dst[6];
        VecfileStats s;
        Status st;
        ck_assert_int_eq(read_text((const char *)cases[k].p, cases[k].n, 2, dst, &s, &st), -1);
        ck_assert_str_eq(st.msg, cases[k].msg);
    }
}
END_TEST

static int64_t want_row_9(void *ctx, const char *word, size_t len)
{
    (void)ctx;
    (void)word;
    (void)len;
    return 9;
}

START_TEST(test_read_bad_sink_and_long_line)
{
    float dst[2];
    VecfileStats s;
    Status st;
    VecfileSink sink = {.dim = 1, .dim_name = "model.dim", .want = want_row_9, .dst = dst, .rows = 2};
    FILE *f = fmemopen((void *)"a 1\n", 4, "rb");
    ck_assert_int_eq(vecfile_read_stream(f, "file.vec", &sink, &s, &st), -1);
    fclose(f);
    ck_assert_str_eq(st.msg, "file.vec:1: row 9 for \"a\" is outside 0..1");
    sink.dim = 0;
    f = fmemopen((void *)"a 1\n", 4, "rb");
    ck_assert_int_eq(vecfile_read_stream(f, "file.vec", &sink, &s, &st), -1);
    fclose(f);
    ck_assert_int_eq(st.code, STATUS_USAGE);
    /* A line past the bound (1 MiB + 64 bytes a number) is an error, not a 2 MB buffer. */
    const size_t n = 3u << 20;
    char *big = malloc(n);
    memset(big, '1', n);
    big[0] = 'a';
    big[1] = ' ';
    ck_assert_int_eq(read_text(big, n, 1, dst, &s, &st), -1);
    ck_assert_str_eq(st.msg, "file.vec:1: the line is longer than 1048640 bytes");
    free(big);
}
END_TEST

START_TEST(test_read_path)
{
    char dir[64], path[128];
    fixture_tmpdir(dir, sizeof dir);
    snprintf(path, sizeof path, "%s/x.vec", dir);
    fixture_write(path, "1 2\nb 1 2\n", 10);
    Wanted w = {abc, 3};
    float dst[6] = {0};
    VecfileSink sink = {.dim = 2, .dim_name = "model.dim", .want = want_listed, .ctx = &w, .dst = dst, .rows = 3};
    VecfileStats s;
    Status st;
    ck_assert_int_eq(vecfile_read(path, &sink, &s, &st), 0);
    ck_assert(dst[2] == 1.0f && dst[3] == 2.0f);
    snprintf(path, sizeof path, "%s/missing.vec", dir);
    ck_assert_int_eq(vecfile_read(path, &sink, &s, &st), -1);
    ck_assert(strstr(st.msg, "missing.vec: cannot open: ") != NULL);
    fixture_rmtree(dir);
}
END_TEST

/* ---- numbers ---- */

static void same_as_strtof(const char *s)
{
    float got = 0, want;
    int rc = vecfile_parse_float(s, strlen(s), &got);
    char *end;
    want = strtof(s, &end);
    int want_rc = (*s == '\0' || *end != '\0' || s[0] == ' ' || (s[0] >= '\t' && s[0] <= '\r')) ? -1
                  : !isfinite(want)                                                          ? -2
                                                                                             : 0;
    ck_assert_msg(rc == want_rc, "\"%s\": %d, strtof says %d", s, rc, want_rc);
    if (rc == 0) ck_assert_msg(memcmp(&got, &want, 4) == 0, "\"%s\": %.9g vs %.9g", s, got, want);
}

START_TEST(test_parse_float_matches_strtof)
{
    static const char *const fixed[] = {
        "0", "-0", "+0", "1", "-1", ".5", "5.", "-.5", "0.1", "0.2", "0.3", "1e10", "1e-10", "1.5e+3", "1E3",
        "16777215", "16777216", "16777217", "0.16777217", "123456789", "0.000000001", "1e", "1e+", "e5", ".",
        "-", "+", "+-1", "--1", "1.2.3", "0x1p3", "inf", "-inf", "nan", "infinity", "1e39", "1e-46", "3.4028235e38",
        "1.17549435e-38", "1.4e-45", "00000000000000000000001", "0.000000000000000000000000000001", "1e0000005",
        "7e-11", "7e11", "9999999e-10", "1677721.5", "1 ", " 1", "\t1", "a", "",
    };
    for (size_t i = 0; i < sizeof fixed / sizeof fixed[0]; i++) same_as_strtof(fixed[i]);
    Rng r;
    rng_seed(&r, 11);
    char buf[64];
    for (int i = 0; i < 200000; i++) {
        uint32_t bits = (uint32_t)rng_next(&r);
        float v;
        memcpy(&v, &bits, 4);
        if (!isfinite(v)) continue;
        /* Small values with few digits take the fast path; random bits the slow one. */
        double d = i % 2 ? (double)v : (double)((int)rng_below(&r, 2000001) - 1000000) * pow(10.0, -(double)rng_below(&r, 12));
        switch (i % 4) {
        case 0: snprintf(buf, sizeof buf, "%.*g", 1 + (int)rng_below(&r, 9), d); break;
        case 1: snprintf(buf, sizeof buf, "%.*f", (int)rng_below(&r, 10), d); break;
        case 2: snprintf(buf, sizeof buf, "%.*e", (int)rng_below(&r, 9), d); break;
        default: snprintf(buf, sizeof buf, "%.8g", d); break;
        }
        same_as_strtof(buf);
    }
}
END_TEST

START_TEST(test_format_float_shortest)
{
    Rng r;
    rng_seed(&r, 12);
    char buf[VECFILE_FLOAT_CHARS], b2[VECFILE_FLOAT_CHARS];
    static const float special[] = {0.0f, -0.0f, 1.0f, -1.0f, 0.1f, 1e-45f, 1.17549435e-38f, 3.40282347e38f, 16777216.0f,
                                    0.5f, 0.333333343f, 1e10f, 2.0f, 1024.0f, 1.0e-3f};
    for (int i = 0; i < 100000 + (int)(sizeof special / sizeof special[0]); i++) {
        float v;
        if (i < (int)(sizeof special / sizeof special[0])) {
            v = special[i];
        } else {
            uint32_t bits = (uint32_t)rng_next(&r);
            memcpy(&v, &bits, 4);
            if (!isfinite(v)) continue;
        }
        int n = vecfile_format_float(buf, v);
        ck_assert_int_eq((int)strlen(buf), n);
        ck_assert_int_lt(n, VECFILE_FLOAT_CHARS);
        float back = strtof(buf, NULL);
        ck_assert_msg(memcmp(&back, &v, 4) == 0, "%.9g wrote \"%s\"", v, buf);
        /* Shortest: no precision below the one used reads back. */
        for (int p = 1; p <= 9; p++) {
            snprintf(b2, sizeof b2, "%.*g", p, (double)v);
            float t = strtof(b2, NULL);
            if (memcmp(&t, &v, 4) == 0) {
                ck_assert_str_eq(buf, b2);
                break;
            }
        }
    }
    vecfile_format_float(buf, -0.0f);
    ck_assert_str_eq(buf, "-0");
    vecfile_format_float(buf, 0.1f);
    ck_assert_str_eq(buf, "0.1");
}
END_TEST

/* ---- writing ---- */

START_TEST(test_write_read_round_trip)
{
    enum { N = 200, D = 7 };
    char dir[64], path[128];
    fixture_tmpdir(dir, sizeof dir);
    snprintf(path, sizeof path, "%s/out.vec", dir);
    static char names[N][16];
    const char *words[N];
    float vecs[N * D], back[N * D];
    Rng r;
    rng_seed(&r, 13);
    for (int i = 0; i < N; i++) {
        snprintf(names[i], sizeof names[i], i == 5 ? "%d" : "w%d\xc3\xa9", i); /* a numeric word, UTF-8 */
        words[i] = names[i];
        for (int j = 0; j < D; j++) {
            uint32_t bits = (uint32_t)rng_next(&r);
            float v;
            memcpy(&v, &bits, 4);
            vecs[i * D + j] = isfinite(v) ? v : (float)j - 3.0f;
        }
    }
    vecs[0] = -0.0f;
    vecs[1] = 1e-45f;
    Status st;
    ck_assert_int_eq(vecfile_write(path, words, vecs, N, D, &st), 0);
    Wanted w = {words, N};
    memset(back, 0xff, sizeof back);
    VecfileSink sink = {.dim = D, .dim_name = "model.dim", .want = want_listed, .ctx = &w, .dst = back, .rows = N};
    VecfileStats s;
    ck_assert_int_eq(vecfile_read(path, &sink, &s, &st), 0);
    ck_assert_int_eq(s.header, 1);
    ck_assert_int_eq(s.found, N);
    ck_assert(memcmp(vecs, back, sizeof vecs) == 0);
    /* Bad rows are refused before the file is touched. */
    const char *bad[1] = {"two words"};
    ck_assert_int_eq(vecfile_write(path, bad, vecs, 1, D, &st), -1);
    ck_assert(strstr(st.msg, "word 0 (\"two words\") holds a blank or a line break") != NULL);
    vecs[3] = NAN;
    ck_assert_int_eq(vecfile_write(path, words, vecs, 1, D, &st), -1);
    ck_assert(strstr(st.msg, "word 0 (\"w0\xc3\xa9\") has a value that is not finite") != NULL);
    ck_assert_int_eq(vecfile_read(path, &sink, &s, &st), 0); /* still the good file */
    /* A line without a word: what `vectors --sentences` writes. */
    char line[128];
    FILE *f = fmemopen(line, sizeof line, "w");
    const float v[3] = {0.5f, -2.0f, 0.1f};
    ck_assert_int_eq(vecfile_write_line(f, NULL, 0, v, 3), 0);
    fclose(f);
    ck_assert_str_eq(line, "0.5 -2 0.1\n");
    fixture_rmtree(dir);
}
END_TEST

Suite *vecfile_suite(void)
{
    Suite *s = suite_create("vecfile");
    TCase *tc = tcase_create("vecfile");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_read_header_and_filter);
    tcase_add_test(tc, test_read_no_header_bom_crlf_blanks);
    tcase_add_test(tc, test_read_repeated_word_keeps_first);
    tcase_add_test(tc, test_read_errors);
    tcase_add_test(tc, test_read_other_kinds);
    tcase_add_test(tc, test_read_bad_sink_and_long_line);
    tcase_add_test(tc, test_read_path);
    tcase_add_test(tc, test_parse_float_matches_strtof);
    tcase_add_test(tc, test_format_float_shortest);
    tcase_add_test(tc, test_write_read_round_trip);
    suite_add_tcase(s, tc);
    return s;
}
