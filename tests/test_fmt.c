/* test_fmt.c - the eval table keeps its columns straight for labels whose bytes
 * and terminal columns differ (CJK is two columns a character, "é" one). */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fmt.h"
#include "metrics.h"
#include "unicode.h"
#include "vocab.h"

/* The display column where the first "0." or digit run after the label starts. */
static size_t column_of(const char *line, const char *needle)
{
    const char *p = strstr(line, needle);
    ck_assert_ptr_nonnull(p);
    return unicode_width(line, (size_t)(p - line));
}

START_TEST(test_table_aligns_wide_labels)
{
    Vocab labels, unknown;
    vocab_init(&labels);
    vocab_init(&unknown);
    const char *names[] = {"english", "日本語", "café"};
    for (int i = 0; i < 3; i++) vocab_add(&labels, names[i], strlen(names[i]));
    int32_t truth[3] = {0, 1, 2}, pred[3] = {0, 1, 2};
    Metrics m;
    metrics_compute(&m, truth, pred, 3, 3, 3);
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    fmt_metrics_table(f, &m, &labels, &unknown);
    fclose(f);
    /* Each per-class row: label cell, then "1.0000" at the same column. */
    size_t want = 0;
    int rows = 0;
    for (char *line = strtok(buf, "\n"); line; line = strtok(NULL, "\n")) {
        for (int i = 0; i < 3; i++) {
            if (strncmp(line, names[i], strlen(names[i])) != 0 || !strstr(line, "1.0000")) continue;
            size_t col = column_of(line, "1.0000");
            if (rows++ == 0) want = col;
            ck_assert_uint_eq(col, want);
        }
    }
    ck_assert_int_eq(rows, 3);
    free(buf);
    metrics_free(&m);
    vocab_free(&labels);
    vocab_free(&unknown);
}
END_TEST

Suite *fmt_suite(void)
{
    Suite *s = suite_create("fmt");
    TCase *tc = tcase_create("fmt");
    tcase_add_test(tc, test_table_aligns_wide_labels);
    suite_add_tcase(s, tc);
    return s;
}
