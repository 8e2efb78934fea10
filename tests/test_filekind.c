/* test_filekind.c - every kind filekind_sniff names, the cut-off first line, and
 * the messages of filekind_expect on real files. */
#include <check.h>
#include <stdio.h>
#include <string.h>

#include "filekind.h"
#include "fixture.h"

static FileKind sniff(const char *s, size_t n, int whole)
{
    return filekind_sniff((const unsigned char *)s, n, whole, NULL);
}

#define SNIFF(lit) sniff(lit, sizeof lit - 1, 1)

START_TEST(test_sniff_kinds)
{
    uint32_t version;
    static const unsigned char ck[] = "ATTNCLF\x1a\3\0\0\0\0\0\0\0";
    ck_assert_int_eq(filekind_sniff(ck, sizeof ck - 1, 1, &version), FILEKIND_ATTNCLF);
    ck_assert_uint_eq(version, 3);
    static const unsigned char ft[] = {0xba, 0x16, 0x4f, 0x2f, 12, 0, 0, 0};
    ck_assert_int_eq(filekind_sniff(ft, sizeof ft, 1, &version), FILEKIND_FASTTEXT);
    ck_assert_uint_eq(version, 12);
    ck_assert_int_eq(filekind_sniff(ft, 4, 0, &version), FILEKIND_FASTTEXT);
    ck_assert_uint_eq(version, 0);
    ck_assert_int_eq(SNIFF(""), FILEKIND_EMPTY);
    ck_assert_int_eq(SNIFF("\x1f\x8b\x08\x00"), FILEKIND_GZIP);
    ck_assert_int_eq(SNIFF("PK\3\4rest"), FILEKIND_ZIP);
    ck_assert_int_eq(SNIFF("2 3\nthe \x01\x00\x80\x3f\x00\x00\x00\x40\x00\x00\x40\x40"), FILEKIND_W2V_BIN);
    ck_assert_int_eq(SNIFF("\x7f" "ELF\x02\x01\x01\x00\x00"), FILEKIND_BINARY);
    /* .vec: with and without a header, a BOM, CRLF, just a header. */
    ck_assert_int_eq(SNIFF("2 3\nthe 0.1 0.2 0.3\nof 1 2 3\n"), FILEKIND_VEC);
    ck_assert_int_eq(SNIFF("the 0.1 0.2 0.3\nof 1 2 3\n"), FILEKIND_VEC);
    ck_assert_int_eq(SNIFF("\xef\xbb\xbfthe 0.1 -2e-3\r\nof 1 2\r\n"), FILEKIND_VEC);
    ck_assert_int_eq(SNIFF("0 300\n"), FILEKIND_VEC);
    ck_assert_int_eq(SNIFF("the 0.1 0.2 0.3\nof 1 2\n"), FILEKIND_TEXT);   /* lines disagree */
    ck_assert_int_eq(SNIFF("2 3\nthe 0.1 0.2\n"), FILEKIND_TEXT);          /* the header disagrees */
    ck_assert_int_eq(SNIFF("2 0\n"), FILEKIND_TEXT);
    ck_assert_int_eq(SNIFF("{\"model\": {\"dim\": 16}}\n"), FILEKIND_JSON);
    ck_assert_int_eq(SNIFF("\n  [1, 2]"), FILEKIND_JSON);
    ck_assert_int_eq(SNIFF("label,text\nsports,\"a goal\"\n"), FILEKIND_TEXT);
    ck_assert_int_eq(SNIFF("__label__a some text\n"), FILEKIND_TEXT);
    /* A stray control byte in a word does not make a long text binary. */
    ck_assert_int_eq(SNIFF("the 0.1 0.2 0.3\no\x01f 1 2 3\nand 1 2 3\nto 1 2 3\n"), FILEKIND_VEC);
}
END_TEST

START_TEST(test_sniff_cut_off)
{
    /* Only the complete tokens of a cut first line count: "0.2" may go on. */
    const char s[] = "the 0.1 0.2";
    ck_assert_int_eq(sniff(s, sizeof s - 1, 0), FILEKIND_VEC);
    ck_assert_int_eq(sniff("the 0.1", 7, 0), FILEKIND_TEXT); /* no complete number yet */
    ck_assert_int_eq(sniff("the 0.1", 7, 1), FILEKIND_VEC);
    const char h[] = "2 3\nthe 0.1 0.2 0.";
    ck_assert_int_eq(sniff(h, sizeof h - 1, 0), FILEKIND_VEC);
}
END_TEST

START_TEST(test_expect_messages)
{
    char dir[64], path[128];
    fixture_tmpdir(dir, sizeof dir);
    Status st;
    snprintf(path, sizeof path, "%s/x.bin", dir);
    static const unsigned char ft[] = {0xba, 0x16, 0x4f, 0x2f, 12, 0, 0, 0, 0, 0};
    fixture_write(path, ft, sizeof ft);
    ck_assert_int_eq(filekind_expect(path, FILEKIND_ATTNCLF, &st), -1);
    char want[256];
    snprintf(want, sizeof want, "%s: is a fastText binary model (.bin/.ftz), not an attnclf checkpoint", path);
    ck_assert_str_eq(st.msg, want);
    ck_assert_int_eq(filekind_expect(path, FILEKIND_FASTTEXT, &st), 0);
    snprintf(path, sizeof path, "%s/w.vec", dir);
    fixture_write(path, "1 2\na 1 2\n", 10);
    ck_assert_int_eq(filekind_expect(path, FILEKIND_ATTNCLF, &st), -1);
    snprintf(want, sizeof want, "%s: is a word-vector text file (.vec), not an attnclf checkpoint", path);
    ck_assert_str_eq(st.msg, want);
    snprintf(path, sizeof path, "%s/e", dir);
    fixture_write(path, "", 0);
    ck_assert_int_eq(filekind_expect(path, FILEKIND_VEC, &st), -1);
    snprintf(want, sizeof want, "%s: is an empty file, not a word-vector text file (.vec)", path);
    ck_assert_str_eq(st.msg, want);
    ck_assert_int_eq(filekind_expect(dir, FILEKIND_VEC, &st), -1);
    snprintf(want, sizeof want, "%s: is a directory, not a file", dir);
    ck_assert_str_eq(st.msg, want);
    snprintf(path, sizeof path, "%s/none", dir);
    ck_assert_int_eq(filekind_expect(path, FILEKIND_VEC, &st), -1);
    snprintf(want, sizeof want, "%s: cannot open: No such file or directory", path);
    ck_assert_str_eq(st.msg, want);
    fixture_rmtree(dir);
}
END_TEST

Suite *filekind_suite(void)
{
    Suite *s = suite_create("filekind");
    TCase *tc = tcase_create("filekind");
    tcase_add_test(tc, test_sniff_kinds);
    tcase_add_test(tc, test_sniff_cut_off);
    tcase_add_test(tc, test_expect_messages);
    suite_add_tcase(s, tc);
    return s;
}
