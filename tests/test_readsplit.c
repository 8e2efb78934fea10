/* test_readsplit.c - the parallel reader gives reader_read's rows, line numbers,
 * statistics and errors exactly, for any thread count and window size: on
 * well-formed CSV (quoted newlines, doubled quotes, CRLF, a byte order mark),
 * TSV and fastText files, and on random bytes made of CSV's special characters,
 * where most files are rejected and the first error must still be the same. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fixture.h"
#include "readsplit.h"
#include "rng.h"

/* Every row as one string "line|labels|weight|text" (labels joined by ';'), in order. */
typedef struct Rows {
    char **s;
    size_t n, cap;
} Rows;

static void rows_add(Rows *r, char *s)
{
    if (r->n == r->cap) {
        r->cap = r->cap ? 2 * r->cap : 64;
        r->s = realloc(r->s, r->cap * sizeof *r->s);
        ck_assert_ptr_nonnull(r->s);
    }
    r->s[r->n++] = s;
}

static void rows_free(Rows *r)
{
    for (size_t i = 0; i < r->n; i++) free(r->s[i]);
    free(r->s);
    memset(r, 0, sizeof *r);
}

static char *row_string(const ReaderRow *row)
{
    size_t n = row->text_len + 64;
    for (int j = 0; j < row->n_labels; j++) n += row->label_lens[j] + 1;
    char *s = malloc(n);
    ck_assert_ptr_nonnull(s);
    int k = snprintf(s, n, "%lld|", (long long)row->line);
    for (int j = 0; j < row->n_labels; j++) {
        if (j) s[k++] = ';';
        memcpy(s + k, row->labels[j], row->label_lens[j]);
        k += (int)row->label_lens[j];
    }
    k += snprintf(s + k, n - (size_t)k, "|%.9g|", row->weight);
    memcpy(s + k, row->text, row->text_len);
    s[k + row->text_len] = '\0';
    /* NUL bytes inside a field would cut the comparison short: show them. */
    for (size_t i = 0; i < (size_t)k + row->text_len; i++)
        if (s[i] == '\0') s[i] = '@';
    return s;
}

static int seq_row(void *ctx, const ReaderRow *row, Status *st)
{
    (void)st;
    rows_add(ctx, row_string(row));
    return 0;
}

typedef struct Par {
    Rows part[READSPLIT_MAX_PARTS];
    Rows all;
    int64_t last_done;
} Par;

static int par_row(void *ctx, int part, const ReaderRow *row, Status *st)
{
    (void)st;
    Par *p = ctx;
    rows_add(&p->part[part], row_string(row));
    return 0;
}

static int par_flush(void *ctx, int parts, int64_t done, int64_t total, Status *st)
{
    (void)st;
    Par *p = ctx;
    ck_assert_int_ge(done, p->last_done);
    if (total) ck_assert_int_le(done, total);
    p->last_done = done;
    for (int k = 0; k < parts; k++) {
        for (size_t i = 0; i < p->part[k].n; i++) rows_add(&p->all, p->part[k].s[i]);
        free(p->part[k].s);
        memset(&p->part[k], 0, sizeof p->part[k]);
    }
    return 0;
}

/* Reads path both ways and checks that everything matches. */
static void same_both_ways(const char *path, const ReaderOptions *o, int threads, size_t window)
{
    Rows seq = {0};
    ReaderStats rs1, rs2;
    Status st1, st2;
    int rc1 = reader_read(path, o, seq_row, &seq, &rs1, &st1);
    Par par;
    memset(&par, 0, sizeof par);
    ReadSplitSink sink = {&par, par_row, par_flush};
    int rc2 = readsplit_read(path, o, threads, window, &sink, &rs2, &st2);
    ck_assert_int_eq(rc1, rc2);
    if (rc1) {
        ck_assert_str_eq(st1.msg, st2.msg);
        ck_assert_int_eq(st1.code, st2.code);
    } else {
        ck_assert_uint_eq(seq.n, par.all.n);
        for (size_t i = 0; i < seq.n; i++) ck_assert_str_eq(seq.s[i], par.all.s[i]);
        ck_assert_int_eq(rs1.rows, rs2.rows);
        ck_assert_int_eq(rs1.skipped, rs2.skipped);
        ck_assert_str_eq(rs1.first_skip, rs2.first_skip);
    }
    rows_free(&seq);
    rows_free(&par.all);
    for (int k = 0; k < READSPLIT_MAX_PARTS; k++) rows_free(&par.part[k]);
}

static ReaderOptions opts(DataFormat f, int header, BadRowPolicy bad)
{
    ReaderOptions o;
    memset(&o, 0, sizeof o);
    o.format = f;
    o.header = header;
    o.on_bad_row = bad;
    if (header) {
        o.label_column.name = "label";
        o.text_columns[0].name = "text";
    } else {
        o.label_column.index = 0;
        o.text_columns[0].index = 1;
    }
    o.n_text_columns = 1;
    return o;
}

static void every_way(const char *path, const ReaderOptions *o)
{
    static const size_t windows[] = {1, 7, 33, 200, 4096, 0};
    for (int t = 1; t <= 4; t++)
        for (size_t w = 0; w < sizeof windows / sizeof *windows; w++) same_both_ways(path, o, t, windows[w]);
}

static char dir[64];

static const char *write_file(const char *name, const char *data, size_t n)
{
    static char path[128];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    fixture_write(path, data, (long)n);
    return path;
}

START_TEST(test_wellformed_files)
{
    fixture_tmpdir(dir, sizeof dir);
    static const char csv[] = "\xEF\xBB\xBFlabel,text\r\n"
                              "a,\"one\ntwo\"\r\n"
                              "\n"
                              "b,\"say \"\"hi\"\"\nand\n\nbye\"\n"
                              "c,plain text\n"
                              ",empty label\n"
                              "d,\"\"\n"
                              "\"e\",\"last, no newline\"";
    ReaderOptions o = opts(FORMAT_CSV, 1, BAD_ROW_SKIP);
    every_way(write_file("a.csv", csv, sizeof csv - 1), &o);
    o.on_bad_row = BAD_ROW_ERROR;
    every_way(write_file("a.csv", csv, sizeof csv - 1), &o);
    static const char tsv[] = "x\tfirst\n\ny\tsecond\r\nz\t\nw\tlast";
    ReaderOptions t = opts(FORMAT_TSV, 0, BAD_ROW_SKIP);
    every_way(write_file("a.tsv", tsv, sizeof tsv - 1), &t);
    static const char ft[] = "__label__a one\n__label__b two three\nbad line\n\n__label__c four";
    ReaderOptions f = opts(FORMAT_FASTTEXT, 0, BAD_ROW_SKIP);
    every_way(write_file("a.txt", ft, sizeof ft - 1), &f);
    f.on_bad_row = BAD_ROW_ERROR;
    every_way(write_file("a.txt", ft, sizeof ft - 1), &f);
    /* The header's names must be resolved before the other parts start. */
    static const char blank_first[] = "\n\n\"\"\n\nlabel,text\na,b\nc,d\n";
    o.on_bad_row = BAD_ROW_SKIP;
    every_way(write_file("b.csv", blank_first, sizeof blank_first - 1), &o);
    fixture_rmtree(dir);
}
END_TEST

/* integ's reader options: label sets (a separator; fastText lines with
 * several labels and another prefix), a weight column (bad weights are bad
 * rows), and empty texts, which are documents. */
START_TEST(test_label_sets_and_weights)
{
    fixture_tmpdir(dir, sizeof dir);
    static const char csv[] = "label,w,text\n"
                              "a|b,1,\"one\ntwo\"\n"
                              "c,0.5,\n"
                              "a| c |a,2,\"three, four\"\n"
                              "b,x,not a weight\n"
                              "c,-1,negative\n"
                              "|,1,no labels\n"
                              "b,,empty weight\n"
                              "d|e,0.25,\"\"\n";
    ReaderOptions o = opts(FORMAT_CSV, 1, BAD_ROW_SKIP);
    o.label_separator = "|";
    o.weight_column.set = 1;
    o.weight_column.col.name = "w";
    const char *path = write_file("m.csv", csv, sizeof csv - 1);
    every_way(path, &o);
    o.on_bad_row = BAD_ROW_ERROR;
    every_way(path, &o);
    static const char tsv[] = "a,b\t3\tfirst\n\nc\t1\t\nd,a\t0\tlast";
    ReaderOptions t = opts(FORMAT_TSV, 0, BAD_ROW_SKIP);
    t.label_separator = ",";
    t.weight_column.set = 1;
    t.weight_column.col.index = 1;
    t.text_columns[0].index = 2;
    every_way(write_file("m.tsv", tsv, sizeof tsv - 1), &t);
    static const char ft[] = "#a #b one\n#c\n#b two #a three\n__label__x plain\n\n#d four";
    ReaderOptions f = opts(FORMAT_FASTTEXT, 0, BAD_ROW_SKIP);
    f.label_prefix = "#";
    every_way(write_file("m.txt", ft, sizeof ft - 1), &f);
    f.on_bad_row = BAD_ROW_ERROR;
    every_way(write_file("m.txt", ft, sizeof ft - 1), &f);
    fixture_rmtree(dir);
}
END_TEST

START_TEST(test_many_rows)
{
    fixture_tmpdir(dir, sizeof dir);
    char path[128];
    snprintf(path, sizeof path, "%s/c.csv", dir);
    fixture_corpus(path, 300, 7);
    ReaderOptions o = opts(FORMAT_CSV, 1, BAD_ROW_ERROR);
    for (int t = 1; t <= 3; t++) {
        same_both_ways(path, &o, t, 0);
        same_both_ways(path, &o, t, 5000);
    }
    fixture_rmtree(dir);
}
END_TEST

/* Random files of CSV's special characters: mostly rejected, sometimes
 * accepted; either way both readers must agree. */
START_TEST(test_random_bytes)
{
    fixture_tmpdir(dir, sizeof dir);
    static const char alphabet[] = "ab,,\"\"\n\n\r x\t";
    Rng r;
    rng_seed(&r, 42);
    char buf[600];
    for (int it = 0; it < 120; it++) {
        size_t n = (size_t)rng_below(&r, sizeof buf - 8);
        int structured = it % 3 != 0;
        /* A header for the runs that name their columns (a data row for the others). */
        memcpy(buf, "l,t\n", 4);
        for (size_t i = 4; i < n; i++) {
            if (structured) {
                /* Mostly well-formed records: label, then a quoted or plain field. */
                static const char *const pieces[] = {"l,\"q\nq\"\n", "m,plain\n", "n,\"a\"\"b\"\n", "\n", ",x\n",
                                                     "o,\"\"\n", "p,\"bad\"x\n", "q,un\"quoted\n"};
                const char *p = pieces[rng_below(&r, it % 3 == 1 ? 6 : 8)];
                size_t k = strlen(p);
                if (i + k > n) break;
                memcpy(buf + i, p, k);
                i += k - 1;
                continue;
            }
            buf[i] = alphabet[rng_below(&r, sizeof alphabet - 1)];
        }
        const char *path = write_file("r.csv", buf, n < 4 ? 4 : n);
        for (int header = 0; header <= 1; header++)
            for (int bad = 0; bad <= 1; bad++) {
                ReaderOptions o = opts(FORMAT_CSV, header, bad ? BAD_ROW_SKIP : BAD_ROW_ERROR);
                if (header) o.label_column.name = "l", o.text_columns[0].name = "t";
                for (int t = 1; t <= 3; t += 2) {
                    same_both_ways(path, &o, t, 16 + (size_t)rng_below(&r, 112));
                    same_both_ways(path, &o, t, 0);
                }
            }
    }
    fixture_rmtree(dir);
}
END_TEST

Suite *readsplit_suite(void)
{
    Suite *s = suite_create("readsplit");
    TCase *tc = tcase_create("core");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, test_wellformed_files);
    tcase_add_test(tc, test_label_sets_and_weights);
    tcase_add_test(tc, test_many_rows);
    tcase_add_test(tc, test_random_bytes);
    suite_add_tcase(s, tc);
    return s;
}
