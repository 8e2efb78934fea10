/* html.c - see html.h. */
#include "html.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "mem.h"
#include "utf8.h"

/* Code points that are valid UTF-8 but must not reach the page as they are:
 * C1 controls (invisible, and a browser may map them to Windows-1252 glyphs),
 * bidi embeddings, overrides and isolates (they reorder the text after them,
 * so a shared report could show a label reversed), and noncharacters. */
static int html_replaced(uint32_t cp)
{
    return (cp >= 0x80 && cp <= 0x9F) || (cp >= 0x202A && cp <= 0x202E) || (cp >= 0x2066 && cp <= 0x2069) ||
           (cp >= 0xFDD0 && cp <= 0xFDEF) || (cp & 0xFFFE) == 0xFFFE;
}

static void html_put_cp(FILE *f, uint32_t cp)
{
    char b[4];
    fwrite(b, 1, (size_t)utf8_encode(cp, b), f);
}

void html_text_n(FILE *f, const char *s, size_t n)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t i = 0, start = 0; /* p[start..i) is copied verbatim when a replacement comes */
    while (i < n) {
        unsigned char c = p[i];
        const char *ent = NULL;
        uint32_t cp = 0;
        size_t used = 1;
        if (c >= 0x80) {
            used = (size_t)utf8_decode(p + i, n - i, &cp);
            if (cp != UTF8_REPLACEMENT && !html_replaced(cp)) {
                i += used;
                continue;
            }
            cp = UTF8_REPLACEMENT;
        } else if (c == '&') {
            ent = "&amp;";
        } else if (c == '<') {
            ent = "&lt;";
        } else if (c == '>') {
            ent = "&gt;";
        } else if (c == '"') {
            ent = "&quot;";
        } else if (c == '\'') {
            ent = "&#39;";
        } else if (c == 0x7F) {
            cp = 0x2421;
        } else if (c < 0x20 && c != '\t' && c != '\n') {
            cp = 0x2400u + c;
        } else {
            i++;
            continue;
        }
        fwrite(p + start, 1, i - start, f);
        if (ent)
            fputs(ent, f);
        else
            html_put_cp(f, cp);
        i += used;
        start = i;
    }
    fwrite(p + start, 1, i - start, f);
}

void html_text(FILE *f, const char *s)
{
    if (s) html_text_n(f, s, strlen(s));
}

/* Formats into a stack buffer, or a heap one when the text is longer. */
static void html_vtextf(FILE *f, const char *fmt, va_list ap)
{
    char small[256];
    va_list ap2;
    va_copy(ap2, ap);
    int len = vsnprintf(small, sizeof small, fmt, ap);
    if (len < 0) {
        va_end(ap2);
        return;
    }
    if ((size_t)len < sizeof small) {
        html_text_n(f, small, (size_t)len);
    } else {
        char *big = xmalloc((size_t)len + 1);
        vsnprintf(big, (size_t)len + 1, fmt, ap2);
        html_text_n(f, big, (size_t)len);
        free(big);
    }
    va_end(ap2);
}

void html_textf(FILE *f, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    html_vtextf(f, fmt, ap);
    va_end(ap);
}

void html_attr(FILE *f, const char *name, const char *value)
{
    if (!value) return;
    fprintf(f, " %s=\"", name);
    html_text(f, value);
    fputc('"', f);
}

void html_attrf(FILE *f, const char *name, const char *fmt, ...)
{
    fprintf(f, " %s=\"", name);
    va_list ap;
    va_start(ap, fmt);
    html_vtextf(f, fmt, ap);
    va_end(ap);
    fputc('"', f);
}

/* Screen first; a phone gets one column and tighter margins. Print is black on
 * white in two columns of charts, without the closed data tables (they cannot be
 * opened on paper) and with backgrounds kept (the shading and heat map carry
 * meaning); the charts' colours differ in luminance, so grey print stays readable. */
static const char html_css[] =
    ":root{color-scheme:light}\n"
    "*{box-sizing:border-box}\n"
    "html{-webkit-text-size-adjust:100%;text-size-adjust:100%}\n"
    "body{margin:0;background:#fff;color:#1b1b1b;font:15px/1.5 system-ui,-apple-system,\"Segoe UI\",Roboto,"
    "\"Noto Sans\",\"DejaVu Sans\",\"Noto Sans CJK SC\",\"WenQuanYi Micro Hei\",sans-serif}\n"
    "main{max-width:1200px;margin:0 auto;padding:12px 28px 48px}\n"
    "h1{font-size:1.7em;line-height:1.2;margin:.5em 0 .3em}\n"
    "h2{font-size:1.3em;margin:1.4em 0 .6em;padding-bottom:.2em;border-bottom:2px solid #ccc}\n"
    "h3{font-size:1.05em;margin:1.1em 0 .4em}\n"
    "p{margin:.4em 0;max-width:80ch}\n"
    "a{color:#005a8f}\n"
    ".note{color:#555;font-size:.92em}\n"
    "nav ul{list-style:none;margin:0 0 .5em;padding:0;display:flex;flex-wrap:wrap;gap:.2em 1.2em}\n"
    "section{margin-bottom:1.2em}\n"
    ".grid{display:grid;grid-template-columns:repeat(auto-fill,minmax(min(100%,420px),1fr));gap:18px 32px;"
    "align-items:start}\n"
    "figure{margin:0 0 14px;min-width:0}\n"
    "figcaption{font-weight:600;margin-bottom:2px}\n"
    "svg.chart{display:block;max-width:100%;height:auto;overflow:visible}\n"
    ".legend{list-style:none;margin:2px 0 4px;padding:0;display:flex;flex-wrap:wrap;gap:0 16px;font-size:.9em}\n"
    ".legend li{display:flex;align-items:center;gap:6px}\n"
    ".legend svg{flex:none}\n"
    "details{margin:4px 0 8px}\n"
    "summary{cursor:pointer;color:#444;font-size:.9em}\n"
    ".tablewrap{overflow-x:auto;max-width:100%}\n"
    "table{border-collapse:collapse;font-size:.9em;margin:6px 0}\n"
    "caption{text-align:left;font-weight:600;padding:2px 0 4px}\n"
    "th,td{padding:3px 10px;border-bottom:1px solid #e2e2e2;text-align:left;vertical-align:top;"
    "overflow-wrap:break-word}\n"
    "th{border-bottom:2px solid #aaa;background:#f5f5f5}\n"
    "td.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}\n"
    "pre{white-space:pre-wrap;overflow-wrap:anywhere;background:#f5f5f5;padding:8px 10px;border-radius:4px;"
    "font-size:.85em}\n"
    "@media (max-width:600px){body{font-size:14px}main{padding:6px 12px 32px}h1{font-size:1.45em}"
    "th,td{padding:3px 6px}.grid{gap:12px}}\n"
    "@media print{@page{margin:14mm}body{font-size:10pt;color:#000}main{max-width:none;padding:0}"
    "a{color:#000;text-decoration:none}nav{display:none}h2{break-after:avoid;border-color:#888}"
    "figure,tr{break-inside:avoid}th{background:none}details:not([open]){display:none}"
    ".grid{grid-template-columns:repeat(2,minmax(0,1fr));gap:10px 24px}svg.chart{width:100%}"
    "*{-webkit-print-color-adjust:exact;print-color-adjust:exact}}\n";

void html_page_begin(FILE *f, const char *title, const char *extra_css)
{
    fputs("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n", f);
    fputs("<meta http-equiv=\"Content-Security-Policy\" content=\"" HTML_CSP "\">\n", f);
    fputs("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n", f);
    fputs("<meta name=\"referrer\" content=\"no-referrer\">\n<title>", f);
    html_text(f, title);
    fputs("</title>\n<style>\n", f);
    fputs(html_css, f);
    if (extra_css) fputs(extra_css, f);
    fputs("</style>\n</head>\n<body>\n<main>\n<h1>", f);
    html_text(f, title);
    fputs("</h1>\n", f);
}

void html_page_end(FILE *f)
{
    fputs("</main>\n</body>\n</html>\n", f);
}

void html_section_begin(FILE *f, const char *id, const char *title)
{
    fputs("<section", f);
    html_attr(f, "id", id);
    fputs(">\n<h2>", f);
    html_text(f, title);
    fputs("</h2>\n", f);
}

void html_section_end(FILE *f)
{
    fputs("</section>\n", f);
}

void html_nav(FILE *f, int n, const char *const *ids, const char *const *titles)
{
    fputs("<nav><ul>\n", f);
    for (int i = 0; i < n; i++) {
        fputs("<li><a", f);
        html_attrf(f, "href", "#%s", ids[i]);
        fputc('>', f);
        html_text(f, titles[i]);
        fputs("</a></li>\n", f);
    }
    fputs("</ul></nav>\n", f);
}

void html_open(FILE *f, const char *tag, const char *cls)
{
    fprintf(f, "<%s", tag);
    html_attr(f, "class", cls);
    fputc('>', f);
}

void html_close(FILE *f, const char *tag)
{
    fprintf(f, "</%s>\n", tag);
}

void html_elem(FILE *f, const char *tag, const char *cls, const char *text)
{
    html_open(f, tag, cls);
    html_text(f, text);
    html_close(f, tag);
}

void html_pre(FILE *f, const char *text)
{
    fputs("<pre>", f);
    html_text(f, text);
    fputs("</pre>\n", f);
}

void html_grid_begin(FILE *f)
{
    fputs("<div class=\"grid\">\n", f);
}

void html_grid_end(FILE *f)
{
    fputs("</div>\n", f);
}

void html_details_begin(FILE *f, const char *summary, int open)
{
    fputs(open ? "<details open><summary>" : "<details><summary>", f);
    html_text(f, summary);
    fputs("</summary>\n", f);
}

void html_details_end(FILE *f)
{
    fputs("</details>\n", f);
}

/* "12", "-0.5", "+3", ".5", "93.1%", "1e-3": a sign or digit first, then all of
 * it read by strtod, with at most a trailing percent sign. */
static int html_is_number(const char *s)
{
    if (!s || !*s || !(strchr("+-.", *s) || (*s >= '0' && *s <= '9'))) return 0;
    char *end = NULL;
    strtod(s, &end);
    if (end == s) return 0;
    if (*end == '%') end++;
    return *end == '\0';
}

void html_table_begin(FILE *f, const char *caption, int ncols, const char *const *header)
{
    fputs("<div class=\"tablewrap\"><table>\n", f);
    if (caption) {
        fputs("<caption>", f);
        html_text(f, caption);
        fputs("</caption>\n", f);
    }
    if (header) {
        fputs("<thead><tr>", f);
        for (int j = 0; j < ncols; j++) {
            fputs("<th scope=\"col\">", f);
            html_text(f, header[j]);
            fputs("</th>", f);
        }
        fputs("</tr></thead>\n", f);
    }
    fputs("<tbody>\n", f);
}

void html_table_row(FILE *f, int ncols, const char *const *cells)
{
    fputs("<tr>", f);
    for (int j = 0; j < ncols; j++) {
        fputs(html_is_number(cells[j]) ? "<td class=\"num\">" : "<td>", f);
        html_text(f, cells[j]);
        fputs("</td>", f);
    }
    fputs("</tr>\n", f);
}

void html_table_end(FILE *f)
{
    fputs("</tbody></table></div>\n", f);
}
