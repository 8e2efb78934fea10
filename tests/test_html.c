/* test_html.c - the HTML writers: exact bytes of the escaping, a page built
 * from hostile strings that never turns them into markup, and the chart and
 * token elements counted in the output. */
#include <check.h>
#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "html.h"
#include "svgframe.h"
#include "svgplot.h"
#include "tokshade.h"

/* An in-memory FILE*; done() closes it and returns the bytes (NUL-terminated). */
typedef struct Mem {
    char *buf;
    size_t size;
    FILE *f;
} Mem;

static FILE *mem_open(Mem *m)
{
    m->buf = NULL;
    m->size = 0;
    m->f = open_memstream(&m->buf, &m->size);
    ck_assert_ptr_nonnull(m->f);
    return m->f;
}

static char *mem_done(Mem *m)
{
    ck_assert_int_eq(fclose(m->f), 0);
    return m->buf;
}

static int count(const char *hay, const char *needle)
{
    int n = 0;
    for (const char *p = strstr(hay, needle); p; p = strstr(p + strlen(needle), needle)) n++;
    return n;
}

/* Occurrences of needle (lowercase) in hay, ignoring ASCII case. */
static int count_nocase(const char *hay, const char *needle)
{
    char *low = strdup(hay);
    for (char *p = low; *p; p++) *p = (char)tolower((unsigned char)*p);
    int n = count(low, needle);
    free(low);
    return n;
}

static void expect_text(const char *in, size_t n, const char *want)
{
    Mem m;
    html_text_n(mem_open(&m), in, n);
    char *got = mem_done(&m);
    ck_assert_msg(m.size == strlen(want) && memcmp(got, want, m.size) == 0,
                  "escaping %zu bytes: got \"%s\", want \"%s\"", n, got, want);
    free(got);
}

static void expect_str(const char *in, const char *want)
{
    expect_text(in, strlen(in), want);
}

#define FFFD "\xef\xbf\xbd"

START_TEST(escape_markup)
{
    expect_str("<script>alert(1)</script>", "&lt;script&gt;alert(1)&lt;/script&gt;");
    expect_str("&amp;", "&amp;amp;");
    expect_str("\"'", "&quot;&#39;");
    expect_str("a<b>&c", "a&lt;b&gt;&amp;c");
    expect_str("", "");
    expect_str("plain text, 3.5% (ok)", "plain text, 3.5% (ok)");
}
END_TEST

START_TEST(escape_attribute)
{
    Mem m;
    FILE *f = mem_open(&m);
    html_attr(f, "title", "x\" onmouseover='alert(1)' y=\"&amp;");
    html_attr(f, "class", NULL);
    html_attrf(f, "href", "#%s", "\"><script>");
    char *got = mem_done(&m);
    ck_assert_str_eq(got, " title=\"x&quot; onmouseover=&#39;alert(1)&#39; y=&quot;&amp;amp;\""
                          " href=\"#&quot;&gt;&lt;script&gt;\"");
    free(got);
}
END_TEST

START_TEST(escape_controls)
{
    expect_text("\x00", 1, "\xe2\x90\x80"); /* NUL -> U+2400 */
    expect_text("a\x00z", 3, "a\xe2\x90\x80z");
    expect_str("\x01\x1b\x1f", "\xe2\x90\x81\xe2\x90\x9b\xe2\x90\x9f");
    expect_str("\r", "\xe2\x90\x8d");
    expect_str("\x7f", "\xe2\x90\xa1");        /* DEL -> U+2421 */
    expect_str("a\tb\nc", "a\tb\nc");          /* white space stays */
    expect_str("\xc2\x85\xc2\x9f", FFFD FFFD); /* C1 controls */
    expect_str("ab\xe2\x80\xae"
               "cd",
               "ab" FFFD "cd");                             /* right-to-left override */
    expect_str("\xe2\x81\xa6x\xe2\x81\xa9", FFFD "x" FFFD); /* isolates */
    expect_str("\xef\xbf\xbe\xef\xb7\x90", FFFD FFFD);      /* noncharacters U+FFFE, U+FDD0 */
}
END_TEST

START_TEST(escape_invalid_utf8)
{
    expect_str("\xff\xfe", FFFD FFFD);
    expect_str("\xed\xa0\x80", FFFD FFFD FFFD);                            /* lone high surrogate */
    expect_str("\xed\xa0\xbd\xed\xb8\x80", FFFD FFFD FFFD FFFD FFFD FFFD); /* CESU-8 pair */
    expect_str("\xc0\xbc", FFFD FFFD);                                     /* overlong '<' */
    expect_str("\xe4\xb8", FFFD FFFD);                                     /* truncated at the end */
    expect_str("x\x80<", "x" FFFD "&lt;");
    /* Valid text of any script passes unchanged, and so does a real U+FFFD. */
    expect_str("日本語 café 😀 한국어 " FFFD, "日本語 café 😀 한국어 " FFFD);
}
END_TEST

START_TEST(escape_formatted)
{
    Mem m;
    FILE *f = mem_open(&m);
    html_textf(f, "%s=%d", "<b>", 3);
    char big[600];
    memset(big, '<', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    html_textf(f, "|%s", big); /* longer than the stack buffer */
    char *got = mem_done(&m);
    ck_assert(strncmp(got, "&lt;b&gt;=3|", 12) == 0);
    ck_assert_int_eq(count(got, "&lt;"), 1 + 599);
    ck_assert_ptr_null(strchr(got, '<'));
    free(got);
}
END_TEST

START_TEST(table_numbers_align)
{
    Mem m;
    FILE *f = mem_open(&m);
    const char *head[2] = {"<h>", "n"};
    html_table_begin(f, "cap & co", 2, head);
    const char *rows[6][2] = {{"a", "12"},   {"b", "-0.5"}, {"c", "93.1%"},
                              {"d", "1e-3"}, {"e", "-"},    {"f", "12 apples"}};
    for (int i = 0; i < 6; i++) html_table_row(f, 2, rows[i]);
    html_table_end(f);
    char *got = mem_done(&m);
    ck_assert_int_eq(count(got, "<td class=\"num\">"), 4);
    ck_assert_ptr_nonnull(strstr(got, "<caption>cap &amp; co</caption>"));
    ck_assert_ptr_nonnull(strstr(got, "<th scope=\"col\">&lt;h&gt;</th>"));
    ck_assert_int_eq(count(got, "<tr>"), 7);
    free(got);
}
END_TEST

/* Every place a data string can reach, filled with hostile ones. */
static const char *const hostile[] = {"<script>alert(1)</script>",
                                      "<SCRIPT SRC=//x>",
                                      "\"><ScRiPt>x</script>",
                                      "' onload='alert(1)",
                                      "&amp;&lt;script&gt;",
                                      "\xff\xfe<script>",
                                      "\xed\xa0\x80<img src=x onerror=alert(1)>",
                                      "</svg></figure><script>"};
enum { NH = (int)(sizeof hostile / sizeof *hostile) };

static void hostile_charts(FILE *f)
{
    Status st;
    double x[3] = {1, 2, 3}, y[3] = {0.5, 0.4, 0.3};
    SvgSeries ser[2] = {{hostile[0], x, y, 3}, {hostile[1], NULL, y, 3}};
    SvgLines lines = {.title = hostile[2],
                      .x_label = hostile[3],
                      .y_label = hostile[4],
                      .series = ser,
                      .n_series = 2,
                      .marker_label = hostile[5],
                      .marker_x = 2};
    ck_assert_int_eq(svgplot_lines(f, &lines, &st), 0);
    double v[NH * 2];
    for (int i = 0; i < NH * 2; i++) v[i] = 0.1 * (i % 7);
    SvgBars bars = {.title = hostile[6],
                    .groups = hostile,
                    .n_groups = NH,
                    .bars = hostile + 1,
                    .n_bars = 2,
                    .values = v,
                    .sort_by = 1,
                    .notes = hostile};
    ck_assert_int_eq(svgplot_bars(f, &bars, &st), 0);
    int64_t counts[NH * NH];
    for (int i = 0; i < NH * NH; i++) counts[i] = i;
    SvgHeatmap hm = {.title = hostile[7],
                     .row_title = hostile[0],
                     .col_title = hostile[1],
                     .row_names = hostile,
                     .col_names = hostile,
                     .rows = NH,
                     .cols = NH,
                     .counts = counts};
    ck_assert_int_eq(svgplot_heatmap(f, &hm, &st), 0);
    int64_t hc[2 * 4] = {1, 2, 3, 4, 5, 6, 7, 8};
    SvgHistogram h = {.title = hostile[2],
                      .x_label = hostile[3],
                      .lo = 0,
                      .hi = 1,
                      .n_bins = 4,
                      .series = hostile + 4,
                      .n_series = 2,
                      .counts = hc};
    ck_assert_int_eq(svgplot_histogram(f, &h, &st), 0);
    double bc[2] = {0.3, 0.8}, ba[2] = {0.2, 0.9};
    int64_t bn[2] = {4, 6};
    SvgReliability r = {.title = hostile[5], .n_bins = 2, .confidence = bc, .accuracy = ba, .count = bn};
    ck_assert_int_eq(svgplot_reliability(f, &r, &st), 0);
}

static void hostile_tokens(FILE *f)
{
    Status st;
    const char *tok[NH + 1];
    size_t len[NH + 1];
    for (int i = 0; i < NH; i++) tok[i] = hostile[i], len[i] = strlen(hostile[i]);
    tok[NH] = "\0<script>"; /* a NUL inside a token */
    len[NH] = 9;
    float w[2 * (NH + 1)];
    for (int i = 0; i < 2 * (NH + 1); i++) w[i] = 0.05f * (float)(i % 5);
    TokshadeDoc d = {.id = "doc-1", .tokens = tok, .token_len = len, .n_tokens = NH + 1, .weights = w, .n_heads = 2};
    ck_assert_int_eq(tokshade_write(f, &d, &st), 0);
}

START_TEST(hostile_page_is_text)
{
    Mem m;
    FILE *f = mem_open(&m);
    html_page_begin(f, hostile[0], tokshade_css);
    html_nav(f, NH, hostile, hostile);
    html_section_begin(f, hostile[1], hostile[2]);
    html_elem(f, "p", "note", hostile[3]);
    html_pre(f, hostile[4]);
    html_details_begin(f, hostile[5], 1);
    html_table_begin(f, hostile[6], NH, hostile);
    html_table_row(f, NH, hostile);
    html_table_end(f);
    html_details_end(f);
    hostile_charts(f);
    hostile_tokens(f);
    tokshade_legend(f);
    html_section_end(f);
    html_page_end(f);
    char *page = mem_done(&m);
    ck_assert_int_eq(count_nocase(page, "<script"), 0);
    ck_assert_int_eq(count_nocase(page, "<img"), 0);
    ck_assert_int_eq(count_nocase(page, "onload='"), 0);
    ck_assert_int_eq(count(page, "<b>"), 0);
    /* Whatever the data, the tags stay balanced. */
    static const char *const tags[] = {"section", "figure", "svg", "details", "table", "text", "title", "span"};
    for (size_t t = 0; t < sizeof tags / sizeof *tags; t++) {
        char open[32], close[32];
        snprintf(open, sizeof open, "<%s", tags[t]);
        snprintf(close, sizeof close, "</%s>", tags[t]);
        ck_assert_msg(count(page, open) == count(page, close), "<%s> opened %d times, closed %d", tags[t],
                      count(page, open), count(page, close));
    }
    ck_assert(strncmp(page, "<!DOCTYPE html>\n", 16) == 0);
    ck_assert_ptr_nonnull(strstr(page, "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
                                       "style-src 'unsafe-inline'; img-src data:"));
    /* No URL but the SVG namespace. */
    ck_assert_int_eq(count(page, "http://") + count(page, "https://"), count(page, "http://www.w3.org/2000/svg\""));
    ck_assert_ptr_nonnull(strstr(page, "&lt;script&gt;alert(1)&lt;/script&gt;"));
    ck_assert_ptr_nonnull(strstr(page, ">\xe2\x90\x80&lt;script&gt;</span>"));
    free(page);
}
END_TEST

START_TEST(lines_one_path_per_series)
{
    double y0[4] = {1, 0.8, 0.6, 0.5}, y1[4] = {1.1, NAN, 0.7, 0.75}, y2[2] = {2, 3}, x2[2] = {1.5, 3.5};
    SvgSeries s[3] = {{"train", NULL, y0, 4}, {"valid", NULL, y1, 4}, {"other", x2, y2, 2}};
    SvgLines c = {.title = "Loss", .series = s, .n_series = 3, .x_integer = 1, .marker_label = "best", .marker_x = 3};
    Mem m;
    Status st;
    ck_assert_int_eq(svgplot_lines(mem_open(&m), &c, &st), 0);
    char *out = mem_done(&m);
    ck_assert_int_eq(count(out, "<path"), 3);
    ck_assert_int_eq(count(out, "<path class=\"series\""), 3);
    ck_assert_int_eq(count(out, "data-series=\"valid\""), 1);
    ck_assert_int_eq(count(out, "<circle class=\"pt\""), 4 + 3 + 2); /* the NaN point has none */
    ck_assert_int_eq(count(out, "class=\"marker\""), 1);
    /* The NaN splits valid's path in two pieces. */
    const char *v = strstr(out, "data-series=\"valid\" d=\"");
    ck_assert_ptr_nonnull(v);
    v += strlen("data-series=\"valid\" d=\"");
    int moves = 0;
    for (const char *p = v; *p != '"'; p++) moves += *p == 'M';
    ck_assert_int_eq(moves, 2);
    ck_assert_int_eq(count(out, "<details>"), 1);
    ck_assert_int_eq(count(out, "<ul class=\"legend\">"), 1);
    free(out);
}
END_TEST

START_TEST(heatmap_one_rect_per_cell)
{
    const char *rows[3] = {"a", "b", "c"}, *cols[4] = {"w", "x", "y", "z"};
    int64_t counts[12] = {10, 0, 0, 0, 1, 5, 2, 0, 0, 0, 0, 0}; /* row c is empty */
    SvgHeatmap c = {.title = "Confusion",
                    .row_title = "true",
                    .col_title = "predicted",
                    .row_names = rows,
                    .col_names = cols,
                    .rows = 3,
                    .cols = 4,
                    .counts = counts};
    Mem m;
    Status st;
    ck_assert_int_eq(svgplot_heatmap(mem_open(&m), &c, &st), 0);
    char *out = mem_done(&m);
    ck_assert_int_eq(count(out, "<rect class=\"cell\""), 12);
    ck_assert_int_eq(count(out, "<rect class=\"key\""), 10);
    /* The full cell of a row is the darkest colour with white text; an empty one
     * is the lightest with black text. */
    ck_assert_ptr_nonnull(strstr(out, "data-row=\"0\" data-col=\"0\""));
    ck_assert_ptr_nonnull(
        strstr(out, "fill=\"#08306b\" stroke=\"#fff\"><title>true a, predicted w: 10 (100.0% of the row)"));
    ck_assert_ptr_nonnull(strstr(out, "fill=\"#fff\" pointer-events=\"none\">10</text>"));
    ck_assert_ptr_nonnull(strstr(out, "fill=\"#000\" pointer-events=\"none\">0</text>"));
    ck_assert_ptr_nonnull(strstr(out, "<td class=\"num\">8</td></tr>")); /* row b's total */
    free(out);
}
END_TEST

START_TEST(bars_sorted_by_f1)
{
    const char *groups[3] = {"low", "high", "mid"}, *bars[3] = {"precision", "recall", "F1"};
    double v[9] = {0.9, 0.1, 0.2, 0.5, 0.9, 0.8, 0.6, 0.5, 0.5};
    SvgBars c = {.title = "Per class",
                 .groups = groups,
                 .n_groups = 3,
                 .bars = bars,
                 .n_bars = 3,
                 .values = v,
                 .sort_by = 2,
                 .x_max = 1};
    Mem m;
    Status st;
    ck_assert_int_eq(svgplot_bars(mem_open(&m), &c, &st), 0);
    char *out = mem_done(&m);
    ck_assert_int_eq(count(out, "<rect class=\"bar\""), 9);
    ck_assert_int_eq(count(out, "data-series=\"F1\""), 3);
    const char *high = strstr(out, ">high<"), *mid = strstr(out, ">mid<"), *low = strstr(out, ">low<");
    ck_assert(high && mid && low && high < mid && mid < low);
    free(out);
}
END_TEST

START_TEST(reliability_and_histogram)
{
    float conf[6] = {0.05f, 0.15f, 0.85f, 0.95f, 1.0f, 0.0f};
    unsigned char ok[6] = {1, 0, 1, 1, 0, 0};
    double bc[10], ba[10];
    int64_t bn[10];
    ck_assert_double_eq(svgplot_reliability_bins(conf, ok, 0, 10, bc, ba, bn), 0.0);
    double ece = svgplot_reliability_bins(conf, ok, 6, 10, bc, ba, bn);
    /* bins 0 {0.05 right, 0 wrong}, 1 {0.15 wrong}, 8 {0.85 right}, 9 {0.95 right, 1 wrong}:
     * ECE = (2 * |0.5 - 0.025| + |0 - 0.15| + |1 - 0.85| + 2 * |0.5 - 0.975|) / 6 = 2.2 / 6 */
    ck_assert_double_eq_tol(ece, 2.2 / 6, 1e-6);
    ck_assert_int_eq(bn[0], 2);
    ck_assert_int_eq(bn[9], 2);
    ck_assert_int_eq(bn[5], 0);
    ck_assert_double_eq_tol(ba[9], 0.5, 1e-12);
    SvgReliability r = {
        .title = "Reliability", .n_bins = 10, .confidence = bc, .accuracy = ba, .count = bn, .ece = ece};
    Mem m;
    Status st;
    ck_assert_int_eq(svgplot_reliability(mem_open(&m), &r, &st), 0);
    char *out = mem_done(&m);
    ck_assert_int_eq(count(out, "<rect class=\"bar\""), 4); /* empty bins are not drawn */
    ck_assert_ptr_nonnull(strstr(out, "<figcaption>Reliability (ECE 0.367)</figcaption>"));
    ck_assert_int_eq(count(out, "class=\"diagonal\""), 1);
    free(out);

    float v[6] = {0, 0.5f, 1, 1.5f, -0.1f, NAN};
    int64_t hc[4] = {0, 0, 7, 0};
    svgplot_histogram_bins(v, 6, 0, 1, 2, hc);
    ck_assert(hc[0] == 1 && hc[1] == 2);
    const char *names[2] = {"correct", "wrong"};
    SvgHistogram h = {
        .title = "Confidence", .lo = 0, .hi = 1, .n_bins = 2, .series = names, .n_series = 2, .counts = hc};
    ck_assert_int_eq(svgplot_histogram(mem_open(&m), &h, &st), 0);
    out = mem_done(&m);
    ck_assert_int_eq(count(out, "<rect class=\"bar\""), 3); /* bins with a zero count draw nothing */
    ck_assert_int_eq(count(out, "data-series=\"wrong\""), 1);
    free(out);
}
END_TEST

START_TEST(ticks_are_round)
{
    double first, step;
    ck_assert_int_eq(svgframe_ticks(0, 0.93, 6, 0, &first, &step), 6);
    ck_assert_double_eq_tol(first, 0, 1e-12);
    ck_assert_double_eq_tol(step, 0.2, 1e-12);
    ck_assert_int_eq(svgframe_ticks(1, 20, 7, 1, &first, &step), 5);
    ck_assert(first == 0 && step == 5);
    ck_assert_int_eq(svgframe_ticks(1, 3, 7, 1, &first, &step), 3);
    ck_assert(first == 1 && step == 1);
    /* A narrow range far from 0: 0.2512 to 0.2520 by 0.0002. */
    ck_assert_int_eq(svgframe_ticks(0.2513, 0.2519, 6, 0, &first, &step), 5);
    ck_assert_double_eq_tol(step, 0.0002, 1e-15);
    ck_assert_double_eq_tol(first, 0.2512, 1e-12);
    int n = svgframe_ticks(5, 5, 6, 0, &first, &step); /* one value: widened */
    ck_assert(n >= 2 && first <= 5 && first + (n - 1) * step >= 5 && step > 0);
    n = svgframe_ticks(NAN, INFINITY, 6, 0, &first, &step);
    ck_assert(n >= 2 && first == 0 && step > 0);
    char buf[32];
    svgframe_format(buf, sizeof buf, 250000, 50000);
    ck_assert_str_eq(buf, "250k");
    svgframe_format(buf, sizeof buf, 1.5e6, 5e5);
    ck_assert_str_eq(buf, "1.5M");
    svgframe_format(buf, sizeof buf, 0.0004, 0.0002);
    ck_assert_str_eq(buf, "0.0004");
    svgframe_format(buf, sizeof buf, 0.6000000000000001, 0.2);
    ck_assert_str_eq(buf, "0.6");
    svgframe_format(buf, sizeof buf, -1e-17, 0.2); /* no "-0.0" */
    ck_assert_str_eq(buf, "0.0");
    svgframe_format(buf, sizeof buf, 15, 5);
    ck_assert_str_eq(buf, "15");
}
END_TEST

START_TEST(tokens_one_span_each)
{
    enum { T = 3000, H = 4 };
    const char **tok = malloc(T * sizeof *tok);
    float *w = malloc((size_t)H * T * sizeof *w);
    for (int t = 0; t < T; t++) {
        tok[t] = t % 2 ? "word" : "<b>";
        for (int h = 0; h < H; h++) w[h * T + t] = t == 7 ? 0.5f : 0.5f / (T - 1);
    }
    TokshadeDoc d = {.id = "d1", .tokens = tok, .n_tokens = T, .weights = w, .n_heads = H, .max_tokens = 500};
    Mem m;
    Status st;
    ck_assert_int_eq(tokshade_write(mem_open(&m), &d, &st), 0);
    char *out = mem_done(&m);
    ck_assert_int_eq(count(out, "<span class=\"tk\""), 500);
    ck_assert_ptr_nonnull(strstr(out, "<span class=\"tkmore\">\xe2\x80\xa6 (2500 more tokens)</span>"));
    ck_assert_int_eq(count(out, "<input type=\"radio\""), H + 1);
    ck_assert_int_eq(count(out, " checked>"), 1);
    ck_assert_int_eq(count(out, "<b>"), 0);
    /* Token 7 has the largest weight: full shade in every view, its weight as title. */
    ck_assert_ptr_nonnull(strstr(
        out,
        "style=\"--w0:1;--w1:1;--w2:1;--w3:1;--w4:1\" title=\"50.00% (heads 50.00% 50.00% 50.00% 50.00%)\">word<"));
    free(out);
    free(tok);
    free(w);
}
END_TEST

START_TEST(tokens_cjk_and_one_head)
{
    const char *tok[5] = {"中", "文", "。", "ok", "go"};
    float w[5] = {0.1f, 0.4f, 0, 0.2f, NAN};
    TokshadeDoc d = {.id = "c", .tokens = tok, .n_tokens = 5, .weights = w, .n_heads = 1};
    Mem m;
    Status st;
    ck_assert_int_eq(tokshade_write(mem_open(&m), &d, &st), 0);
    char *out = mem_done(&m);
    ck_assert_int_eq(count(out, "<input"), 0);
    ck_assert_int_eq(count(out, "<span class=\"tk\""), 5);
    /* No space between CJK tokens, one before a Latin token. */
    ck_assert_ptr_nonnull(strstr(out, ">中</span><span class=\"tk\" style=\"--w0:1\" title=\"40.00%\">文</span><span"));
    ck_assert_ptr_nonnull(
        strstr(out, "title=\"0.00%\">。</span> <span class=\"tk\" style=\"--w0:.5\" title=\"20.00%\">ok"));
    ck_assert_ptr_nonnull(strstr(out, "<span class=\"tk\" style=\"--w0:.25\" title=\"10.00%\">中"));
    ck_assert_ptr_nonnull(strstr(out, "<span class=\"tk\" title=\"0.00%\">go</span>")); /* NaN counts as 0 */
    free(out);
}
END_TEST

START_TEST(bad_shapes_fail_empty_data_draws)
{
    Status st;
    Mem m;
    FILE *f = mem_open(&m);
    SvgSeries s = {"s", NULL, NULL, 3};
    SvgLines l = {.title = "t", .series = &s, .n_series = 1};
    ck_assert_int_eq(svgplot_lines(f, &l, &st), -1);
    ck_assert_ptr_nonnull(strstr(st.msg, "svgplot_lines: series 0 (s)"));
    SvgHeatmap hm = {.title = "t", .rows = -1};
    ck_assert_int_eq(svgplot_heatmap(f, &hm, &st), -1);
    const char *tok[1] = {"x"};
    float w[1] = {1};
    TokshadeDoc d = {.id = "a b", .tokens = tok, .n_tokens = 1, .weights = w, .n_heads = 1};
    ck_assert_int_eq(tokshade_write(f, &d, &st), -1);
    ck_assert_ptr_nonnull(strstr(st.msg, "id \"a b\""));
    d.id = "ok";
    d.n_heads = 0;
    ck_assert_int_eq(tokshade_write(f, &d, &st), -1);
    char *out = mem_done(&m);
    ck_assert_int_eq(m.size, 0); /* a failed call writes nothing */
    free(out);

    f = mem_open(&m);
    SvgLines none = {.title = "empty"};
    ck_assert_int_eq(svgplot_lines(f, &none, &st), 0);
    SvgHeatmap empty = {.title = "empty"};
    ck_assert_int_eq(svgplot_heatmap(f, &empty, &st), 0);
    const char *bar[1] = {"F1"};
    SvgBars b = {.title = "empty", .bars = bar, .n_bars = 1};
    ck_assert_int_eq(svgplot_bars(f, &b, &st), 0);
    TokshadeDoc zero = {.id = "z"};
    ck_assert_int_eq(tokshade_write(f, &zero, &st), 0);
    out = mem_done(&m);
    ck_assert_int_eq(count(out, "<path"), 0);
    ck_assert_int_eq(count(out, "<svg class=\"chart\""), 3);
    ck_assert_int_eq(count(out, "nan"), 0);
    free(out);
}
END_TEST

Suite *html_suite(void)
{
    Suite *s = suite_create("html");
    TCase *tc = tcase_create("html");
    tcase_add_test(tc, escape_markup);
    tcase_add_test(tc, escape_attribute);
    tcase_add_test(tc, escape_controls);
    tcase_add_test(tc, escape_invalid_utf8);
    tcase_add_test(tc, escape_formatted);
    tcase_add_test(tc, table_numbers_align);
    tcase_add_test(tc, hostile_page_is_text);
    tcase_add_test(tc, lines_one_path_per_series);
    tcase_add_test(tc, heatmap_one_rect_per_cell);
    tcase_add_test(tc, bars_sorted_by_f1);
    tcase_add_test(tc, reliability_and_histogram);
    tcase_add_test(tc, ticks_are_round);
    tcase_add_test(tc, tokens_one_span_each);
    tcase_add_test(tc, tokens_cjk_and_one_head);
    tcase_add_test(tc, bad_shapes_fail_empty_data_draws);
    suite_add_tcase(s, tc);
    return s;
}
