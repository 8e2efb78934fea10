/* tokshade.c - see tokshade.h. Weights travel as CSS custom properties on each
 * span (--w0 the mean, --wH head H), and the checked radio button picks which
 * one the background reads; a missing property means 0, which keeps the page
 * small: most tokens of a long document get little attention. */
#include "tokshade.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "html.h"
#include "mem.h"
#include "utf8.h"

/* rgba(230,159,0,...) is Okabe-Ito orange: black text on it keeps a contrast
 * above 9:1 at full shade, and in grey it prints as a light-to-mid ramp. */
#define TOKSHADE_VIEW(i) ".tsv" #i ":checked~.toks .tk{--w:var(--w" #i ",0)}\n"
/* clang-format off */
const char tokshade_css[] =
    ".tsdoc{margin:4px 0 14px}\n"
    ".tsv{position:absolute;opacity:0;width:1px;height:1px;margin:0}\n"
    ".tsdoc label{display:inline-block;font-size:.8em;line-height:1.6;padding:0 .6em;margin:0 .3em .35em 0;"
    "border:1px solid #999;border-radius:1em;cursor:pointer;color:#333;background:#fff}\n"
    ".tsv:checked+label{background:#333;border-color:#333;color:#fff}\n"
    ".tsv:focus-visible+label{outline:2px solid #0072B2;outline-offset:1px}\n"
    ".toks{line-height:1.95;overflow-wrap:anywhere;word-break:normal;line-break:auto}\n"
    ".tkkey{border:1px solid #ccc}\n"
    ".tk,.tkkey{border-radius:3px;padding:.12em .1em;-webkit-box-decoration-break:clone;box-decoration-break:clone}\n"
    ".tk{--w:var(--w0,0);background:rgba(230,159,0,var(--w))}\n"
    ".tkmore{color:#555;font-style:italic;white-space:nowrap}\n"
    ".tskey{font-size:.9em;color:#444}\n"
    TOKSHADE_VIEW(1) TOKSHADE_VIEW(2) TOKSHADE_VIEW(3) TOKSHADE_VIEW(4) TOKSHADE_VIEW(5) TOKSHADE_VIEW(6)
    TOKSHADE_VIEW(7) TOKSHADE_VIEW(8) TOKSHADE_VIEW(9) TOKSHADE_VIEW(10) TOKSHADE_VIEW(11) TOKSHADE_VIEW(12)
    TOKSHADE_VIEW(13) TOKSHADE_VIEW(14) TOKSHADE_VIEW(15) TOKSHADE_VIEW(16)
    "@media print{.tsdoc label{display:none}.tsdoc .tsv:checked+label{display:inline-block}}\n";
/* clang-format on */

/* Ideographs, kana, hangul and CJK or fullwidth punctuation: written without
 * spaces between them, as the text they came from was. */
static int tokshade_cjk(uint32_t cp)
{
    return utf8_is_cjk(cp) || (cp >= 0x3000 && cp <= 0x303F) || (cp >= 0xFF00 && cp <= 0xFFEF);
}

/* The first and last code points of s[0..n). */
static void tokshade_ends(const char *s, size_t n, uint32_t *first, uint32_t *last)
{
    const unsigned char *p = (const unsigned char *)s;
    *first = *last = 0;
    for (size_t i = 0; i < n;) {
        uint32_t cp;
        int used = utf8_decode(p + i, n - i, &cp);
        if (i == 0) *first = cp;
        *last = cp;
        i += (size_t)used;
    }
}

static double tokshade_w(float w)
{
    return w > 0 ? (double)w : 0.0; /* NaN and negatives count as 0 */
}

/* A span's opening tag is built in a buffer without printf: formatting floats
 * with printf took three quarters of the time for a long document. */
typedef struct SpanBuf {
    char s[1024]; /* the longest: 17 opacities and 64 heads' "100.00%" fit twice over */
    size_t n;
} SpanBuf;

static void span_put(SpanBuf *b, const char *s)
{
    size_t k = strlen(s);
    memcpy(b->s + b->n, s, k);
    b->n += k;
}

static void span_uint(SpanBuf *b, unsigned v)
{
    char d[12];
    int k = 0;
    do d[k++] = (char)('0' + v % 10);
    while ((v /= 10) > 0);
    while (k > 0) b->s[b->n++] = d[--k];
}

/* ".82", ".5", "1"; nothing below 0.005 (the property is then left out).
 * Returns whether it wrote. */
static int span_opacity(SpanBuf *b, double x)
{
    long q = lround(x * 100);
    if (q <= 0) return 0;
    if (q >= 100) {
        span_put(b, "1");
        return 1;
    }
    b->s[b->n++] = '.';
    b->s[b->n++] = (char)('0' + q / 10);
    if (q % 10) b->s[b->n++] = (char)('0' + q % 10);
    return 1;
}

/* A weight as a share of the attention with two decimals: "0.44%". */
static void span_percent(SpanBuf *b, double w)
{
    long q = lround((w < 1 ? w : 1) * 10000);
    span_uint(b, (unsigned)(q / 100));
    b->s[b->n++] = '.';
    b->s[b->n++] = (char)('0' + q / 10 % 10);
    b->s[b->n++] = (char)('0' + q % 10);
    b->s[b->n++] = '%';
}

static int tokshade_check(const TokshadeDoc *d, Status *st)
{
    if (!d || d->n_tokens < 0 || d->n_heads < 0 || (d->n_tokens > 0 && (d->n_heads < 1 || !d->tokens || !d->weights)))
        return status_error(st, "tokshade_write: %d tokens and %d heads without their arrays", d ? d->n_tokens : -1,
                            d ? d->n_heads : -1);
    if (!d->id || !*d->id) return status_error(st, "tokshade_write: the document needs an id");
    for (const char *p = d->id; *p; p++)
        if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') || *p == '_' ||
              *p == '-'))
            return status_error(st, "tokshade_write: id \"%s\" has a character other than A-Z a-z 0-9 _ -", d->id);
    return 0;
}

static void tokshade_switch(FILE *f, const TokshadeDoc *d, int views)
{
    for (int v = 0; v < views; v++) {
        fprintf(f, "<input type=\"radio\" class=\"tsv tsv%d\" name=\"%s\" id=\"%s-h%d\"%s>", v, d->id, d->id, v,
                v == 0 ? " checked" : "");
        fprintf(f, "<label for=\"%s-h%d\">", d->id, v);
        if (v == 0)
            fputs("mean of heads", f);
        else
            fprintf(f, "head %d", v);
        fputs("</label>", f);
    }
    if (d->n_heads > TOKSHADE_MAX_HEADS)
        fprintf(f, "<span class=\"note\">heads %d to %d only in the mean</span>", TOKSHADE_MAX_HEADS + 1, d->n_heads);
    fputc('\n', f);
}

/* One token's span: the mean and per-head opacities, the weights as its title. */
static void tokshade_span(FILE *f, const TokshadeDoc *d, int t, int views, const double *max)
{
    const int T = d->n_tokens, H = d->n_heads;
    double mean = 0;
    for (int h = 0; h < H; h++) mean += tokshade_w(d->weights[(size_t)h * T + t]);
    mean /= H;
    SpanBuf b = {.n = 0};
    span_put(&b, "<span class=\"tk\"");
    int styled = 0;
    for (int v = 0; v < views; v++) {
        double w = v == 0 ? mean : tokshade_w(d->weights[(size_t)(v - 1) * T + t]);
        size_t mark = b.n;
        span_put(&b, styled ? ";--w" : " style=\"--w");
        span_uint(&b, (unsigned)v);
        span_put(&b, ":");
        const double base = d->baseline > 0 ? d->baseline : 0;
        if (span_opacity(&b, max[v] > base ? (w - base) / (max[v] - base) : 0))
            styled = 1;
        else
            b.n = mark;
    }
    if (styled) span_put(&b, "\"");
    span_put(&b, " title=\"");
    span_percent(&b, mean);
    if (H > 1) {
        span_put(&b, " (heads");
        for (int h = 0; h < H; h++) {
            span_put(&b, " ");
            span_percent(&b, tokshade_w(d->weights[(size_t)h * T + t]));
        }
        span_put(&b, ")");
    }
    span_put(&b, "\">");
    fwrite(b.s, 1, b.n, f);
    const char *s = d->tokens[t] ? d->tokens[t] : "";
    html_text_n(f, s, d->token_len ? d->token_len[t] : strlen(s));
    fputs("</span>", f);
}

int tokshade_write(FILE *f, const TokshadeDoc *d, Status *st)
{
    if (tokshade_check(d, st)) return -1;
    const int T = d->n_tokens, H = d->n_heads;
    int views = H > 1 ? 1 + (H < TOKSHADE_MAX_HEADS ? H : TOKSHADE_MAX_HEADS) : 1;
    double max[TOKSHADE_MAX_HEADS + 1] = {0};
    for (int t = 0; t < T; t++) {
        double mean = 0;
        for (int h = 0; h < H; h++) {
            double w = tokshade_w(d->weights[(size_t)h * T + t]);
            mean += w;
            if (h + 1 < views && w > max[h + 1]) max[h + 1] = w;
        }
        if (mean / H > max[0]) max[0] = mean / H;
    }
    int shown = d->max_tokens > 0 && d->max_tokens < T ? d->max_tokens : T;
    fputs("<div class=\"tsdoc\">\n", f);
    if (views > 1) tokshade_switch(f, d, views);
    fputs("<div class=\"toks\">", f);
    uint32_t prev_last = 0;
    for (int t = 0; t < shown; t++) {
        const char *s = d->tokens[t] ? d->tokens[t] : "";
        uint32_t first, last;
        tokshade_ends(s, d->token_len ? d->token_len[t] : strlen(s), &first, &last);
        if (t > 0 && !(tokshade_cjk(prev_last) && tokshade_cjk(first))) fputc(' ', f);
        prev_last = last;
        tokshade_span(f, d, t, views, max);
    }
    if (shown < T)
        fprintf(f, " <span class=\"tkmore\">\xe2\x80\xa6 (%d more token%s)</span>", T - shown,
                T - shown == 1 ? "" : "s");
    fputs("</div>\n</div>\n", f);
    return 0;
}

static void tokshade_key(FILE *f, const char *lead, const char *none)
{
    fputs(lead, f);
    static const char *const steps[5] = {"0", ".25", ".5", ".75", "1"};
    const char *const names[5] = {none, "&#160;&#160;&#160;", "&#160;&#160;&#160;", "&#160;&#160;&#160;",
                                  "largest"};
    for (int k = 0; k < 5; k++)
        fprintf(f, "<span class=\"tkkey\" style=\"background:rgba(230,159,0,%s)\">%s</span> ", steps[k], names[k]);
    fputs("(hover a token for its share of the attention)</p>\n", f);
}

void tokshade_legend(FILE *f)
{
    tokshade_key(f, "<p class=\"tskey\">Shading: attention weight relative to the document's largest: ", "none");
}

void tokshade_legend_even(FILE *f)
{
    tokshade_key(f, "<p class=\"tskey\">Shading: attention beyond an even share of the document's words, up to its "
                 "largest: ", "an even share or less");
}
