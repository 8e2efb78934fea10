/* test_reader.c - CSV/TSV/fastText parsing, line numbers, columns, bad rows and
 * every error message of reader_read. Fixtures are written to a fresh mkdtemp()
 * directory per test. */
#include <check.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "labeltok.h"
#include "reader.h"

/* ---- fixtures ---- */

#define MAX_FILES 16

static char tmpdir[64];
static char files[MAX_FILES][128];
static int n_files;

static void setup(void)
{
    strcpy(tmpdir, "/tmp/attnclf_reader_XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(tmpdir));
    n_files = 0;
}

static void teardown(void)
{
    for (int i = 0; i < n_files; i++) unlink(files[i]);
    rmdir(tmpdir);
}

static const char *fx_path(const char *name)
{
    ck_assert_int_lt(n_files, MAX_FILES);
    char *p = files[n_files++];
    snprintf(p, sizeof files[0], "%s/%s", tmpdir, name);
    return p;
}

static const char *fx_write(const char *name, const char *data, size_t n)
{
    const char *p = fx_path(name);
    FILE *f = fopen(p, "wb");
    ck_assert_ptr_nonnull(f);
    ck_assert_uint_eq(fwrite(data, 1, n, f), n);
    ck_assert_int_eq(fclose(f), 0);
    return p;
}

#define FX(name, lit) fx_write(name, lit, sizeof(lit) - 1)

static const char *fmt(const char *f, ...) __attribute__((format(printf, 1, 2)));
static const char *fmt(const char *f, ...)
{
    static char buf[2048];
    va_list ap;
    va_start(ap, f);
    vsnprintf(buf, sizeof buf, f, ap);
    va_end(ap);
    return buf;
}

/* ---- config ---- */

static ColumnRef col(const char *spec)
{
    ColumnRef c = {0};
    if (spec[0] >= '0' && spec[0] <= '9') c.index = atoi(spec);
    else c.name = (char *)spec;
    return c;
}

/* Text columns follow `label`, ended by NULL; a spec starting with a digit is an index. */
static ReaderOptions dcfg(DataFormat f, int header, BadRowPolicy policy, const char *label, ...)
{
    ReaderOptions dc;
    memset(&dc, 0, sizeof dc);
    dc.format = f;
    dc.header = header;
    dc.on_bad_row = policy;
    dc.label_column = col(label);
    va_list ap;
    va_start(ap, label);
    for (const char *t; (t = va_arg(ap, const char *)) != NULL;) dc.text_columns[dc.n_text_columns++] = col(t);
    va_end(ap);
    return dc;
}

/* ---- collecting rows ---- */

typedef struct Row {
    char *label, *text;   /* a row's labels joined with '|' */
    size_t label_len, text_len;
    int64_t line;
    double weight;
} Row;

typedef struct Got {
    Row *rows;
    size_t n, cap;
    int64_t fail_at;      /* line at which the callback fails, 0 = never */
    int fail_silently;    /* fail without setting the status */
} Got;

static char *dup_bytes(const char *s, size_t n)
{
    char *p = malloc(n + 1);
    ck_assert_ptr_nonnull(p);
    memcpy(p, s, n);
    p[n] = '\0';
    return p;
}

static int collect(void *ctx, const ReaderRow *row, Status *st)
{
    Got *g = ctx;
    const char *text = row->text;
    size_t label_len = 0, text_len = row->text_len;
    int64_t line = row->line;
    ck_assert_int_ge(row->n_labels, 1);
    for (int k = 0; k < row->n_labels; k++) label_len += row->label_lens[k] + (k > 0);
    char *label = malloc(label_len + 1);
    ck_assert_ptr_nonnull(label);
    for (size_t k = 0, at = 0; k < (size_t)row->n_labels; k++) {
        if (k) label[at++] = '|';
        memcpy(label + at, row->labels[k], row->label_lens[k]);
        at += row->label_lens[k];
    }
    if (g->fail_at && line == g->fail_at) {
        free(label);
        if (g->fail_silently) return -1;
        return status_error(st, "stop at %lld", (long long)line);
    }
    if (g->n == g->cap) {
        g->cap = g->cap ? 2 * g->cap : 16;
        g->rows = realloc(g->rows, g->cap * sizeof *g->rows);
        ck_assert_ptr_nonnull(g->rows);
    }
    Row *r = &g->rows[g->n++];
    r->label = dup_bytes(label, label_len);
    free(label);
    r->label_len = label_len;
    r->weight = row->weight;
    r->text = dup_bytes(text, text_len);
    r->text_len = text_len;
    r->line = line;
    return 0;
}

static void got_free(Got *g)
{
    for (size_t i = 0; i < g->n; i++) {
        free(g->rows[i].label);
        free(g->rows[i].text);
    }
    free(g->rows);
    memset(g, 0, sizeof *g);
}

static int rd(const char *path, const ReaderOptions *dc, Got *g, ReaderStats *rs, Status *st)
{
    return reader_read(path, dc, collect, g, rs, st);
}

/* Reads a file that must succeed with n rows; the caller frees g. */
static void read_ok(const char *path, const ReaderOptions *dc, Got *g, ReaderStats *rs, size_t n)
{
    Status st;
    memset(g, 0, sizeof *g);
    int rc = reader_read(path, dc, collect, g, rs, &st);
    ck_assert_msg(rc == 0, "%s", st.msg);
    ck_assert_uint_eq(g->n, n);
}

static void check_row(const Got *g, size_t i, const char *label, const char *text, int64_t line)
{
    ck_assert_uint_lt(i, g->n);
    const Row *r = &g->rows[i];
    ck_assert_uint_eq(r->label_len, strlen(label));
    ck_assert_str_eq(r->label, label);
    ck_assert_uint_eq(r->text_len, strlen(text));
    ck_assert_str_eq(r->text, text);
    ck_assert_int_eq(r->line, line);
}

/* Reads a file that must fail and checks the whole message. */
static void expect_error(const char *path, const ReaderOptions *dc, const char *msg)
{
    Got g = {0};
    Status st;
    ck_assert_int_eq(rd(path, dc, &g, NULL, &st), -1);
    ck_assert_int_eq(st.code, STATUS_ERROR);
    ck_assert_str_eq(st.msg, msg);
    got_free(&g);
}

/* ---- CSV ---- */

START_TEST(test_csv_quoted)
{
    const char *p = FX("q.csv", "label,text\n"
                                "pos,\"hello, \"\"world\"\"\"\n"
                                "neg,\"multi\nline\ntext\"\n"
                                "\n"
                                "pos,after\n"
                                "neg,  \"spaced\"  \n"
                                "\"pos\",\"two\n\nbreaks\"\n"
                                "neg,last");
    ReaderOptions dc = dcfg(FORMAT_AUTO, 1, BAD_ROW_ERROR, "label", "text", NULL);
    Got g;
    ReaderStats rs;
    read_ok(p, &dc, &g, &rs, 6);
    check_row(&g, 0, "pos", "hello, \"world\"", 2);
    check_row(&g, 1, "neg", "multi\nline\ntext", 3);
    check_row(&g, 2, "pos", "after", 7);
    check_row(&g, 3, "neg", "spaced", 8);
    check_row(&g, 4, "pos", "two\n\nbreaks", 9);
    check_row(&g, 5, "neg", "last", 12);
    ck_assert_int_eq(rs.rows, 6);
    ck_assert_int_eq(rs.skipped, 0);
    ck_assert_str_eq(rs.first_skip, "");
    got_free(&g);
}
END_TEST

START_TEST(test_csv_crlf)
{
    const char *p = FX("crlf.csv", "label,text\r\nA,\"x\r\ny\"\r\n\r\nB,z\r\n");
    ReaderOptions dc = dcfg(FORMAT_CSV, 1, BAD_ROW_ERROR, "label", "text", NULL);
    Got g;
    read_ok(p, &dc, &g, NULL, 2);
    check_row(&g, 0, "A", "x\r\ny", 2);
    check_row(&g, 1, "B", "z", 5);
    got_free(&g);
}
END_TEST

START_TEST(test_csv_bom_header)
{
    const char *p = FX("bom.csv", "\xEF\xBB\xBFlabel,text\nL,t\n");
    ReaderOptions dc = dcfg(FORMAT_CSV, 1, BAD_ROW_ERROR, "label", "text", NULL);
    Got g;
    read_ok(p, &dc, &g, NULL, 1);
    check_row(&g, 0, "L", "t", 2);
    got_free(&g);
    dc = dcfg(FORMAT_CSV, 1, BAD_ROW_ERROR, "labl", "text", NULL);
    expect_error(p, &dc, fmt("%s:1: no column named \"labl\" (columns: label, text)", p));
}
END_TEST

START_TEST(test_csv_index_columns_joined)
{
    const char *p = FX("ag.csv", "\"3\",\"Title one\",\"Desc \"\"q\"\" here\"\n"
                                 "\"1\",\"T2\",\"D2\",\"extra\"\n"
                                 "\"2\",\"\",\"only desc\"\n");
    ReaderOptions dc = dcfg(FORMAT_CSV, 0, BAD_ROW_ERROR, "0", "1", "2", NULL);
    Got g;
    read_ok(p, &dc, &g, NULL, 3);
    check_row(&g, 0, "3", "Title one Desc \"q\" here", 1);
    check_row(&g, 1, "1", "T2 D2", 2);
    check_row(&g, 2, "2", " only desc", 3);
    got_free(&g);
}
END_TEST

START_TEST(test_csv_names_in_given_order)
{
    const char *p = FX("n.csv", " id ,title,\" label \",body,extra\n"
                                "7,T,  lab  ,B,x,y,z\n");
    ReaderOptions dc = dcfg(FORMAT_CSV, 1, BAD_ROW_ERROR, "label", "body", "title", "0", NULL);
    Got g;
    read_ok(p, &dc, &g, NULL, 1);
    check_row(&g, 0, "lab", "B T 7", 2);
    got_free(&g);
    dc = dcfg(FORMAT_CSV, 1, BAD_ROW_ERROR, "label", "text", NULL);
    expect_error(p, &dc, fmt("%s:1: no column named \"text\" (columns: id, title, label, body, extra)", p));
}
END_TEST

START_TEST(test_csv_syntax_errors)
{
    ReaderOptions dc = dcfg(FORMAT_CSV, 1, BAD_ROW_SKIP, "label", "text", NULL);
    const char *p = FX("open.csv", "label,text\na,b\nc,\"open\nmore\n");
    expect_error(p, &dc, fmt("%s:3: unterminated quoted field", p));
    p = FX("stray.csv", "label,text\na,b\nc,d\"e\n");
    expect_error(p, &dc, fmt("%s:3: quote inside an unquoted field (a field containing quotes must be quoted)", p));
    p = FX("after.csv", "label,text\na,\"x\ny\"z\n");
    expect_error(p, &dc, fmt("%s:3: unexpected text after a closing quote (a quote inside a quoted field must be doubled)", p));
}
END_TEST

/* Many rows with embedded newlines across 1 MiB chunk boundaries: every line number must match. */
START_TEST(test_csv_lines_across_chunks)
{
    size_t cap = 4u << 20, len = 0;
    char *buf = malloc(cap);
    ck_assert_ptr_nonnull(buf);
    int64_t *lines = malloc(40000 * sizeof *lines);
    ck_assert_ptr_nonnull(lines);
    int n = 0;
    int64_t line = 1;
    len += (size_t)sprintf(buf + len, "label,text\n");
    line++;
    uint32_t x = 12345;
    while (len < (3u << 20)) {
        x = x * 1103515245u + 12345u;
        int breaks = (int)(x >> 16) % 4, crlf = (int)(x >> 20) % 2, pad = (int)(x >> 8) % 200;
        lines[n] = line;
        len += (size_t)sprintf(buf + len, "L%d,\"row %d", n % 7, n);
        for (int i = 0; i < pad; i++) {
            if (i % 10 == 0) buf[len++] = '"';
            buf[len++] = i % 10 == 0 ? '"' : 'w';
        }
        for (int b = 0; b < breaks; b++) len += (size_t)sprintf(buf + len, "%s", crlf ? "\r\nz" : "\nz");
        len += (size_t)sprintf(buf + len, "\"%s", crlf ? "\r\n" : "\n");
        line += breaks + 1;
        n++;
    }
    const char *p = fx_write("big.csv", buf, len);
    free(buf);
    ReaderOptions dc = dcfg(FORMAT_CSV, 1, BAD_ROW_ERROR, "label", "text", NULL);
    Got g;
    read_ok(p, &dc, &g, NULL, (size_t)n);
    for (int i = 0; i < n; i++) {
        ck_assert_int_eq(g.rows[i].line, lines[i]);
        ck_assert_int_eq(atoi(g.rows[i].text + 4), i);
        ck_assert_int_eq(atoi(g.rows[i].label + 1), i % 7);
    }
    free(lines);
    got_free(&g);
}
END_TEST

/* ---- TSV ---- */

START_TEST(test_tsv)
{
    const char *p = FX("s.tsv", "sentence\tlabel\r\n"
                                "hello world \t1\r\n"
                                "\r\n"
                                "  \n"
                                "\"quoted\" stays\t0\n"
                                "last\t1");
    ReaderOptions dc = dcfg(FORMAT_AUTO, 1, BAD_ROW_ERROR, "label", "sentence", NULL);
    Got g;
    read_ok(p, &dc, &g, NULL, 3);
    check_row(&g, 0, "1", "hello world ", 2);
    check_row(&g, 1, "0", "\"quoted\" stays", 5);
    check_row(&g, 2, "1", "last", 6);
    got_free(&g);
}
END_TEST

START_TEST(test_tsv_index_and_short_row)
{
    const char *p = FX("i.tsv", "\xEF\xBB\xBF" "a\tx\ty\n"
                                "b\tonly\n");
    ReaderOptions dc = dcfg(FORMAT_TSV, 0, BAD_ROW_ERROR, "0", "2", "1", NULL);
    Got g = {0};
    Status st;
    ck_assert_int_eq(rd(p, &dc, &g, NULL, &st), -1);
    ck_assert_str_eq(st.msg, fmt("%s:2: row has 2 columns, expected at least 3", p));
    ck_assert_uint_eq(g.n, 1);
    check_row(&g, 0, "a", "y x", 1);
    got_free(&g);
}
END_TEST

/* ---- fastText ---- */

START_TEST(test_fasttext_ok)
{
    const char *p = FX("f.txt", "\xEF\xBB\xBF__label__pos great movie\n"
                                "\n"
                                "__label__neg  bad one \r\n"
                                "  __label__x\ttabbed\ttext");
    ReaderOptions dc = dcfg(FORMAT_AUTO, 1, BAD_ROW_ERROR, "label", "text", NULL);
    Got g;
    read_ok(p, &dc, &g, NULL, 3);
    check_row(&g, 0, "pos", "great movie", 1);
    check_row(&g, 1, "neg", "bad one ", 3);
    check_row(&g, 2, "x", "tabbed\ttext", 4);
    got_free(&g);
}
END_TEST

START_TEST(test_fasttext_bad)
{
    ReaderOptions dc = dcfg(FORMAT_FASTTEXT, 0, BAD_ROW_ERROR, "0", "1", NULL);
    const char *p = FX("a.ft", "__label__a ok\ngreat movie\n");
    expect_error(p, &dc, fmt("%s:2: line has no label (no token starts with \"__label__\")", p));
    p = FX("b.ft", "__label__a x\nsome __label__ text\n");
    expect_error(p, &dc, fmt("%s:2: token 2: label prefix \"__label__\" with nothing after it", p));
    p = FX("c.ft", "__label__a   \r\n__label__b x\n");
    Got e;
    ReaderStats es;
    read_ok(p, &dc, &e, &es, 2);
    check_row(&e, 0, "a", "", 1);
    ck_assert_int_eq(es.empty, 1);
    ck_assert_str_eq(es.first_empty, fmt("%s:1", p));
    got_free(&e);
    p = FX("d.ft", "__label__ text\n");
    expect_error(p, &dc, fmt("%s:1: token 1: label prefix \"__label__\" with nothing after it", p));

    p = FX("e.fasttext", "__label__a one\nnope\n__label__b\n__label__c __label__ x\n__label__e two\n");
    dc.on_bad_row = BAD_ROW_SKIP;
    Got g;
    ReaderStats rs;
    read_ok(p, &dc, &g, &rs, 3);
    check_row(&g, 0, "a", "one", 1);
    check_row(&g, 1, "b", "", 3);
    check_row(&g, 2, "e", "two", 5);
    ck_assert_int_eq(rs.rows, 3);
    ck_assert_int_eq(rs.skipped, 2);
    ck_assert_str_eq(rs.first_skip, fmt("%s:2: line has no label (no token starts with \"__label__\")", p));
    got_free(&g);
}
END_TEST

/* ---- label sets and weights ---- */

START_TEST(test_fasttext_label_sets)
{
    /* Labels wherever they stand, repeats once, text between them joined. */
    const char *p = FX("m.txt", "__label__sauce __label__cheese How much starch?\n"
                                "How do I __label__baking bake  bread __label__bread\n"
                                "__label__a __label__a twice\n"
                                "text __label__x\n"
                                "__label__y\n");
    ReaderOptions dc = dcfg(FORMAT_AUTO, 1, BAD_ROW_ERROR, "label", "text", NULL);
    Got g;
    read_ok(p, &dc, &g, NULL, 5);
    check_row(&g, 0, "sauce|cheese", "How much starch?", 1);
    check_row(&g, 1, "baking|bread", "How do I bake  bread ", 2);
    check_row(&g, 2, "a", "twice", 3);
    check_row(&g, 3, "x", "text ", 4);
    check_row(&g, 4, "y", "", 5);
    ck_assert(g.rows[0].weight == 1.0);
    got_free(&g);
    /* Another prefix: the default one is then text. */
    p = FX("n.txt", "#a #b __label__c words\n");
    dc.label_prefix = "#";
    read_ok(p, &dc, &g, NULL, 1);
    check_row(&g, 0, "a|b", "__label__c words", 1);
    got_free(&g);
    p = FX("o.txt", "#a x\n");
    dc.label_prefix = "# ";
    expect_error(p, &dc, "data.label_prefix \"# \" must not contain white space");
}
END_TEST

START_TEST(test_label_separator)
{
    const char *p = FX("s.csv", "label,text\n"
                                "\"a, b,c\",one\n"
                                "a,two\n"
                                "\"b,b\",three\n");
    ReaderOptions dc = dcfg(FORMAT_AUTO, 1, BAD_ROW_ERROR, "label", "text", NULL);
    dc.label_separator = ",";
    Got g;
    read_ok(p, &dc, &g, NULL, 3);
    check_row(&g, 0, "a|b|c", "one", 2);
    check_row(&g, 1, "a", "two", 3);
    check_row(&g, 2, "b", "three", 4);
    got_free(&g);
    p = FX("t.csv", "label,text\na,ok\n\"a,,b\",bad\n");
    expect_error(p, &dc, fmt("%s:3: label column: separator \",\" leaves label 2 of \"a,,b\" empty", p));
    p = FX("u.csv", "label,text\n\"a,\",bad\n");
    expect_error(p, &dc, fmt("%s:2: label column: separator \",\" leaves label 2 of \"a,\" empty", p));
    /* A white-space separator: runs of it are one. */
    p = FX("v.tsv", "label\ttext\na  b c\tx\n");
    dc.label_separator = " ";
    read_ok(p, &dc, &g, NULL, 1);
    check_row(&g, 0, "a|b|c", "x", 2);
    got_free(&g);
    /* Under skip, a bad split is a skipped row. */
    p = FX("w.csv", "label,text\n\"x||y\",bad\nz,good\n");
    dc.label_separator = "||";
    read_ok(p, &dc, &g, NULL, 2);
    check_row(&g, 0, "x|y", "bad", 2);
    got_free(&g);
    p = FX("w2.csv", "label,text\n\"x||||y\",bad\nz,good\n");
    dc.on_bad_row = BAD_ROW_SKIP;
    ReaderStats rs;
    read_ok(p, &dc, &g, &rs, 1);
    check_row(&g, 0, "z", "good", 3);
    ck_assert_int_eq(rs.skipped, 1);
    got_free(&g);
}
END_TEST

START_TEST(test_weight_column)
{
    const char *p = FX("w.csv", "label,w,text\n"
                                "a,2.5,one\n"
                                "b, 0 ,two\n"
                                "a,1e-3,three\n");
    ReaderOptions dc = dcfg(FORMAT_AUTO, 1, BAD_ROW_ERROR, "label", "text", NULL);
    dc.weight_column = (OptColumnRef){.set = 1, .col = col("w")};
    Got g;
    read_ok(p, &dc, &g, NULL, 3);
    ck_assert(g.rows[0].weight == 2.5);
    ck_assert(g.rows[1].weight == 0.0);
    ck_assert(g.rows[2].weight == 1e-3);
    check_row(&g, 1, "b", "two", 3);
    got_free(&g);
    static const struct {
        const char *cell, *why;
    } bad[] = {{"-1", "\"-1\" is negative"}, {"abc", "\"abc\" is not a number"}, {"inf", "\"inf\" is not finite"},
               {"nan", "\"nan\" is not finite"}, {"2x", "\"2x\" is not a number"}, {"", "\"\" is empty"}};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        char data[128], name[16];
        snprintf(data, sizeof data, "label,w,text\na,1,ok\nb,%s,bad\n", bad[i].cell);
        snprintf(name, sizeof name, "bad%zu.csv", i);
        p = fx_write(name, data, strlen(data));
        expect_error(p, &dc, fmt("%s:3: weight column: %s (a weight is a finite number >= 0)", p, bad[i].why));
    }
    dc.weight_column = (OptColumnRef){.set = 1, .col = col("weight")};
    p = FX("x.csv", "label,w,text\na,1,ok\n");
    expect_error(p, &dc, fmt("%s:1: no column named \"weight\" (columns: label, w, text)", p));
    dc.weight_column = (OptColumnRef){.set = 1, .col = col("5")};
    expect_error(p, &dc,
                 fmt("%s:1: data.weight_column is column 5 but the header has only 3 columns (indexes start at 0)", p));
    p = FX("y.txt", "__label__a x\n");
    expect_error(p, &dc, fmt("%s: data.weight_column needs a csv or tsv file; fastText lines have no columns", p));
}
END_TEST

START_TEST(test_strip_labels)
{
    char out[64];
    const char *in = "__label__a how to bake __label__b bread";
    size_t n = labeltok_strip(out, in, strlen(in), READER_LABEL_PREFIX);
    ck_assert_uint_eq(n, strlen("how to bake bread"));
    ck_assert(memcmp(out, "how to bake bread", n) == 0);
    in = "no labels here ";
    n = labeltok_strip(out, in, strlen(in), READER_LABEL_PREFIX);
    ck_assert_uint_eq(n, strlen(in));
    ck_assert(memcmp(out, in, n) == 0);
    in = " __label__x ";
    ck_assert_uint_eq(labeltok_strip(out, in, strlen(in), READER_LABEL_PREFIX), 0);
    ck_assert_uint_eq(labeltok_strip(out, "", 0, READER_LABEL_PREFIX), 0);
}
END_TEST

/* ---- bad rows ---- */

static const char BAD_CSV[] = "label,text\n"
                              "a,ok\n"
                              "b\n"
                              "  ,text\n"
                              "c,  \n"
                              "d,\"\"\n"
                              "e,fine\n";

START_TEST(test_skip_policy)
{
    const char *p = fx_write("bad.csv", BAD_CSV, sizeof BAD_CSV - 1);
    ReaderOptions dc = dcfg(FORMAT_CSV, 1, BAD_ROW_SKIP, "label", "text", NULL);
    Got g;
    ReaderStats rs;
    /* Blank and empty texts are documents; a missing column and an empty label are not. */
    read_ok(p, &dc, &g, &rs, 4);
    check_row(&g, 0, "a", "ok", 2);
    check_row(&g, 1, "c", "", 5); /* libcsv trims the spaces of an unquoted field */
    check_row(&g, 2, "d", "", 6);
    check_row(&g, 3, "e", "fine", 7);
    ck_assert_int_eq(rs.rows, 4);
    ck_assert_int_eq(rs.skipped, 2);
    ck_assert_int_eq(rs.empty, 2);
    ck_assert_str_eq(rs.first_skip, fmt("%s:3: row has 1 columns, expected at least 2", p));
    got_free(&g);
}
END_TEST

START_TEST(test_bad_row_errors)
{
    ReaderOptions dc = dcfg(FORMAT_CSV, 1, BAD_ROW_ERROR, "label", "text", NULL);
    const char *p = fx_write("bad.csv", BAD_CSV, sizeof BAD_CSV - 1);
    expect_error(p, &dc, fmt("%s:3: row has 1 columns, expected at least 2", p));
    p = FX("label.csv", "label,text\n  ,text\n");
    expect_error(p, &dc, fmt("%s:2: label column is empty", p));
    p = FX("text.csv", "label,text\nc, \t \n");
    Got g;
    read_ok(p, &dc, &g, NULL, 1);
    got_free(&g);
    dc = dcfg(FORMAT_CSV, 1, BAD_ROW_ERROR, "label", "t1", "t2", NULL);
    p = FX("text2.csv", "label,t1,t2\nc,,\" \"\n");
    read_ok(p, &dc, &g, NULL, 1);
    check_row(&g, 0, "c", "  ", 2);
    got_free(&g);
    dc = dcfg(FORMAT_CSV, 0, BAD_ROW_ERROR, "0", "4", NULL);
    p = FX("short.csv", "a,b,c,d,e\n\na,b,c\n");
    expect_error(p, &dc, fmt("%s:3: row has 3 columns, expected at least 5", p));
}
END_TEST

START_TEST(test_no_rows)
{
    ReaderOptions dc = dcfg(FORMAT_CSV, 1, BAD_ROW_SKIP, "label", "text", NULL);
    const char *p = FX("empty.csv", "");
    expect_error(p, &dc, fmt("%s: no data rows", p));
    p = FX("blank.csv", "\n\r\n  \n");
    expect_error(p, &dc, fmt("%s: no data rows", p));
    p = FX("header.csv", "label,text\n");
    expect_error(p, &dc, fmt("%s: no data rows", p));
    p = FX("allbad.csv", "label,text\n,x\ny\n");
    expect_error(p, &dc, fmt("%s: no data rows (2 bad rows skipped; first: %s:2: label column is empty)", p, p));
    dc = dcfg(FORMAT_TSV, 0, BAD_ROW_ERROR, "0", "1", NULL);
    p = FX("empty.tsv", "");
    expect_error(p, &dc, fmt("%s: no data rows", p));
}
END_TEST

/* ---- columns and files ---- */

START_TEST(test_column_errors)
{
    const char *p = FX("c.csv", "a,b,c\nd,e,f\n");
    ReaderOptions dc = dcfg(FORMAT_CSV, 0, BAD_ROW_SKIP, "label", "1", NULL);
    expect_error(p, &dc, "data.label_column \"label\" needs data.header: true");
    dc = dcfg(FORMAT_CSV, 0, BAD_ROW_SKIP, "0", "1", "text", NULL);
    expect_error(p, &dc, "data.text_columns[1] \"text\" needs data.header: true");
    dc = dcfg(FORMAT_CSV, 0, BAD_ROW_SKIP, "0", "5", NULL);
    expect_error(p, &dc, fmt("%s:1: data.text_columns[0] is column 5 but the first row has only 3 columns (indexes start at 0)", p));
    dc = dcfg(FORMAT_CSV, 0, BAD_ROW_SKIP, "3", "1", NULL);
    expect_error(p, &dc, fmt("%s:1: data.label_column is column 3 but the first row has only 3 columns (indexes start at 0)", p));
    dc = dcfg(FORMAT_CSV, 1, BAD_ROW_SKIP, "a", "7", NULL);
    expect_error(p, &dc, fmt("%s:1: data.text_columns[0] is column 7 but the header has only 3 columns (indexes start at 0)", p));
    dc = dcfg(FORMAT_CSV, 1, BAD_ROW_SKIP, "a", "c", NULL);
    Got g = {0};
    Status st;
    ck_assert_int_eq(rd(p, &dc, &g, NULL, &st), 0);
    check_row(&g, 0, "d", "f", 2);
    got_free(&g);
}
END_TEST

START_TEST(test_file_errors)
{
    ReaderOptions dc = dcfg(FORMAT_CSV, 1, BAD_ROW_ERROR, "label", "text", NULL);
    const char *p = fx_path("missing.csv");
    expect_error(p, &dc, fmt("%s: cannot open: No such file or directory", p));
    expect_error(tmpdir, &dc, fmt("%s: is a directory", tmpdir));
}
END_TEST

START_TEST(test_callback_stops)
{
    const char *p = FX("cb.csv", "label,text\na,1\nb,2\nc,3\n");
    ReaderOptions dc = dcfg(FORMAT_CSV, 1, BAD_ROW_ERROR, "label", "text", NULL);
    Got g = {.fail_at = 3};
    ReaderStats rs;
    Status st;
    ck_assert_int_eq(rd(p, &dc, &g, &rs, &st), -1);
    ck_assert_str_eq(st.msg, "stop at 3");
    ck_assert_uint_eq(g.n, 1);
    ck_assert_int_eq(rs.rows, 1);
    got_free(&g);
    g = (Got){.fail_at = 2, .fail_silently = 1};
    ck_assert_int_eq(rd(p, &dc, &g, NULL, &st), -1);
    ck_assert_int_eq(st.code, STATUS_ERROR);
    ck_assert_str_eq(st.msg, fmt("%s:2: reading stopped by the row handler", p));
    got_free(&g);
}
END_TEST

START_TEST(test_resolve_format)
{
    ck_assert_int_eq(reader_resolve_format("a/train.tsv", FORMAT_AUTO), FORMAT_TSV);
    ck_assert_int_eq(reader_resolve_format("x.TXT", FORMAT_AUTO), FORMAT_FASTTEXT);
    ck_assert_int_eq(reader_resolve_format("x.ft", FORMAT_AUTO), FORMAT_FASTTEXT);
    ck_assert_int_eq(reader_resolve_format("x.fasttext", FORMAT_AUTO), FORMAT_FASTTEXT);
    ck_assert_int_eq(reader_resolve_format("x.csv", FORMAT_AUTO), FORMAT_CSV);
    ck_assert_int_eq(reader_resolve_format("data", FORMAT_AUTO), FORMAT_CSV);
    ck_assert_int_eq(reader_resolve_format("d.tsv/data", FORMAT_AUTO), FORMAT_CSV);
    ck_assert_int_eq(reader_resolve_format("x.tsv", FORMAT_CSV), FORMAT_CSV);
    ck_assert_int_eq(reader_resolve_format("x.csv", FORMAT_FASTTEXT), FORMAT_FASTTEXT);
}
END_TEST

/* ---- contents and sizes ---- */

START_TEST(test_nul_bytes)
{
    static const char csv[] = "a\0b,\"x\0y\"\n";
    static const char tsv[] = "l\0b\tt\0z\n";
    static const char ft[] = "__label__n\0l te\0xt\n";
    const char *paths[3] = {fx_write("n.csv", csv, sizeof csv - 1), fx_write("n.tsv", tsv, sizeof tsv - 1),
                            fx_write("n.txt", ft, sizeof ft - 1)};
    const char *want_label[3] = {"a\0b", "l\0b", "n\0l"}, *want_text[3] = {"x\0y", "t\0z", "te\0xt"};
    size_t want_text_len[3] = {3, 3, 5};
    ReaderOptions dc = dcfg(FORMAT_AUTO, 0, BAD_ROW_ERROR, "0", "1", NULL);
    for (int i = 0; i < 3; i++) {
        Got g;
        read_ok(paths[i], &dc, &g, NULL, 1);
        ck_assert_uint_eq(g.rows[0].label_len, 3);
        ck_assert_mem_eq(g.rows[0].label, want_label[i], 3);
        ck_assert_uint_eq(g.rows[0].text_len, want_text_len[i]);
        ck_assert_mem_eq(g.rows[0].text, want_text[i], want_text_len[i]);
        got_free(&g);
    }
}
END_TEST

/* A 20 MB single-line quoted field spanning many chunks, with doubled quotes inside. */
START_TEST(test_long_csv_field)
{
    size_t n = 20u << 20;
    char *want = malloc(n), *file = malloc(2 * n + 64);
    ck_assert_ptr_nonnull(want);
    ck_assert_ptr_nonnull(file);
    for (size_t i = 0; i < n; i++) want[i] = i % 1000003 == 7 ? '"' : (char)('a' + i % 26);
    /* 16 bytes of header and `pos,"` plus the 2 doubled quotes before it put this
     * quote pair at file offsets 2^20-1 and 2^20, across the first chunk boundary. */
    want[(1u << 20) - 19] = '"';
    size_t len = (size_t)sprintf(file, "label,text\npos,\"");
    for (size_t i = 0; i < n; i++) {
        if (want[i] == '"') file[len++] = '"';
        file[len++] = want[i];
    }
    len += (size_t)sprintf(file + len, "\"\nneg,short\n");
    const char *p = fx_write("long.csv", file, len);
    free(file);
    ReaderOptions dc = dcfg(FORMAT_CSV, 1, BAD_ROW_ERROR, "label", "text", NULL);
    Got g;
    read_ok(p, &dc, &g, NULL, 2);
    ck_assert_uint_eq(g.rows[0].text_len, n);
    ck_assert(memcmp(g.rows[0].text, want, n) == 0);
    check_row(&g, 1, "neg", "short", 3);
    free(want);
    got_free(&g);
}
END_TEST

/* A 3 MB fastText line and TSV line: the line splitter joins them across chunks. */
START_TEST(test_long_lines)
{
    size_t n = 3u << 20;
    char *file = malloc(n + 64);
    ck_assert_ptr_nonnull(file);
    size_t len = (size_t)sprintf(file, "__label__big ");
    memset(file + len, 'w', n);
    len += n;
    len += (size_t)sprintf(file + len, "\n__label__small s\n");
    const char *ft = fx_write("long.txt", file, len);
    len = (size_t)sprintf(file, "big\t");
    memset(file + len, 'w', n);
    len += n;
    const char *tsv = fx_write("long.tsv", file, len);
    free(file);
    ReaderOptions dc = dcfg(FORMAT_AUTO, 0, BAD_ROW_ERROR, "0", "1", NULL);
    Got g;
    read_ok(ft, &dc, &g, NULL, 2);
    ck_assert_uint_eq(g.rows[0].text_len, n);
    ck_assert_str_eq(g.rows[0].label, "big");
    check_row(&g, 1, "small", "s", 2);
    got_free(&g);
    read_ok(tsv, &dc, &g, NULL, 1);
    ck_assert_uint_eq(g.rows[0].text_len, n);
    ck_assert_int_eq(g.rows[0].text[n - 1], 'w');
    got_free(&g);
}
END_TEST

START_TEST(test_many_labels)
{
    enum { N = 10000 };
    char *file = malloc(N * 32 + 16);
    ck_assert_ptr_nonnull(file);
    size_t len = (size_t)sprintf(file, "label,text\n");
    for (int i = 0; i < N; i++) len += (size_t)sprintf(file + len, "L%05d,text %d\n", i, i);
    const char *p = fx_write("labels.csv", file, len);
    free(file);
    ReaderOptions dc = dcfg(FORMAT_CSV, 1, BAD_ROW_ERROR, "label", "text", NULL);
    Got g;
    ReaderStats rs;
    read_ok(p, &dc, &g, &rs, N);
    ck_assert_int_eq(rs.rows, N);
    for (int i = 0; i < N; i++) {
        char label[16], text[32];
        snprintf(label, sizeof label, "L%05d", i);
        snprintf(text, sizeof text, "text %d", i);
        check_row(&g, (size_t)i, label, text, i + 2);
    }
    got_free(&g);
}
END_TEST

/* ---- data.label_names ---- */

START_TEST(test_label_names)
{
    /* Line k names label "k"; a blank line names nothing; RAW<TAB>NAME names RAW. */
    char *names = (char *)fx_path("classes.txt");
    FILE *f = fopen(names, "wb");
    ck_assert_ptr_nonnull(f);
    fputs("World\n\nSci/Tech\nneg\tnegative\n", f);
    ck_assert_int_eq(fclose(f), 0);
    const char *p = FX("n.csv", "3,space\n1,war\nneg,bad\n");
    ReaderOptions dc = dcfg(FORMAT_CSV, 0, BAD_ROW_ERROR, "0", "1", NULL);
    dc.label_names = names;
    Got g;
    read_ok(p, &dc, &g, NULL, 3);
    check_row(&g, 0, "Sci/Tech", "space", 1);
    check_row(&g, 1, "World", "war", 2);
    check_row(&g, 2, "negative", "bad", 3);
    got_free(&g);
    /* Label 2 has no name (its line is blank): the row is an error, or skipped. */
    p = FX("u.csv", "1,a\n2,b\n");
    expect_error(p, &dc, fmt("%s:2: label \"2\" has no name in %s", p, names));
    dc.on_bad_row = BAD_ROW_SKIP;
    ReaderStats rs;
    read_ok(p, &dc, &g, &rs, 1);
    ck_assert_int_eq(rs.skipped, 1);
    got_free(&g);
}
END_TEST

START_TEST(test_label_names_errors)
{
    ReaderOptions dc = dcfg(FORMAT_CSV, 0, BAD_ROW_ERROR, "0", "1", NULL);
    const char *p = FX("d.csv", "1,a\n");
    const struct {
        const char *file, *content, *msg;
    } cases[] = {
        {"dup.txt", "A\nA\n", "%s:2: name \"A\" is given twice"},
        {"dupraw.txt", "x\tA\nx\tB\n", "%s:2: raw label \"x\" is given twice"},
        {"emptyname.txt", "A\nx\t\n", "%s:2: the name is empty"},
        {"emptyraw.txt", "\tA\n", "%s:1: the raw label before the tab is empty"},
        {"none.txt", "\n\n", "%s: names no label"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        char *names = (char *)fx_path(cases[i].file);
        FILE *f = fopen(names, "wb");
        ck_assert_ptr_nonnull(f);
        fputs(cases[i].content, f);
        ck_assert_int_eq(fclose(f), 0);
        dc.label_names = names;
        expect_error(p, &dc, fmt(cases[i].msg, names));
    }
    dc.label_names = (char *)fx_path("missing.txt");
    expect_error(p, &dc, fmt("%s: cannot open: No such file or directory", dc.label_names));
}
END_TEST

Suite *reader_suite(void)
{
    Suite *s = suite_create("reader");
    TCase *tc = tcase_create("core");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 30);
    tcase_add_test(tc, test_csv_quoted);
    tcase_add_test(tc, test_csv_crlf);
    tcase_add_test(tc, test_csv_bom_header);
    tcase_add_test(tc, test_csv_index_columns_joined);
    tcase_add_test(tc, test_csv_names_in_given_order);
    tcase_add_test(tc, test_csv_syntax_errors);
    tcase_add_test(tc, test_csv_lines_across_chunks);
    tcase_add_test(tc, test_tsv);
    tcase_add_test(tc, test_tsv_index_and_short_row);
    tcase_add_test(tc, test_fasttext_ok);
    tcase_add_test(tc, test_fasttext_bad);
    tcase_add_test(tc, test_fasttext_label_sets);
    tcase_add_test(tc, test_label_separator);
    tcase_add_test(tc, test_weight_column);
    tcase_add_test(tc, test_strip_labels);
    tcase_add_test(tc, test_skip_policy);
    tcase_add_test(tc, test_bad_row_errors);
    tcase_add_test(tc, test_no_rows);
    tcase_add_test(tc, test_column_errors);
    tcase_add_test(tc, test_file_errors);
    tcase_add_test(tc, test_callback_stops);
    tcase_add_test(tc, test_resolve_format);
    tcase_add_test(tc, test_nul_bytes);
    tcase_add_test(tc, test_long_csv_field);
    tcase_add_test(tc, test_long_lines);
    tcase_add_test(tc, test_many_labels);
    tcase_add_test(tc, test_label_names);
    tcase_add_test(tc, test_label_names_errors);
    suite_add_tcase(s, tc);
    return s;
}
