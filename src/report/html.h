/* html.h - writing one self-contained HTML5 page to a caller's FILE*.
 *
 * Every string that can come from data (labels, tokens, file names, config
 * values) goes through html_text/html_attr, which never let it become markup:
 * & < > " ' become entities, and characters that could hide or garble text are
 * made visible or replaced (see html_text_n). Tag names and class names passed
 * to these functions are program constants, never data.
 *
 * Nothing here prints elsewhere or fails: stdio errors are sticky, so the caller
 * checks ferror(f) (or fclose's result) once after html_page_end. Numbers are
 * written with printf in the C locale, which is the one attnclf runs in.
 *
 * A page:
 *   html_page_begin(f, "attnclf report", tokshade_css);
 *   html_section_begin(f, "curves", "Training curves");
 *   ... svgplot_lines(f, &chart, st) ...
 *   html_section_end(f);
 *   html_page_end(f);
 */
#ifndef ATTNCLF_HTML_H
#define ATTNCLF_HTML_H

#include <stddef.h>
#include <stdio.h>

/* The Content-Security-Policy of every page: no script, no request of any kind
 * (fonts, images, frames, forms), only inline styles and data: images. */
#define HTML_CSP "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'"

/* Writes s[0..n) (any bytes) as text that is safe both in element content and in
 * a quoted attribute value:
 *   & < > " '                      -> &amp; &lt; &gt; &quot; &#39;
 *   TAB, LF                         -> kept (white space)
 *   other C0 controls (incl. NUL)   -> their Control Pictures U+2400..U+241F (NUL -> U+2400)
 *   DEL                             -> U+2421
 *   C1 controls U+0080..U+009F, bidi embeddings/overrides/isolates
 *   (U+202A..U+202E, U+2066..U+2069), noncharacters (U+FDD0..U+FDEF, U+xFFFE/F),
 *   and every byte of invalid UTF-8 (lone surrogates, overlongs, truncations)
 *                                   -> U+FFFD, one per byte (as utf8_decode)
 * Everything else (valid UTF-8, CJK, emoji) is copied unchanged. */
void html_text_n(FILE *f, const char *s, size_t n);
/* html_text_n of a NUL-terminated string; NULL writes nothing. */
void html_text(FILE *f, const char *s);
/* printf-formats, then escapes the whole result as html_text does. */
void html_textf(FILE *f, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Writes ` name="value"` with value escaped as html_text; a NULL value writes nothing. */
void html_attr(FILE *f, const char *name, const char *value);
void html_attrf(FILE *f, const char *name, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* Doctype, <meta charset>, the CSP above, the viewport, <title>, the stylesheet
 * (screen, phone width and grey print), then <body><main><h1>title</h1>.
 * extra_css (NULL for none) is appended to the stylesheet: a module's own rules,
 * such as tokshade_css. It is program text, never data. */
void html_page_begin(FILE *f, const char *title, const char *extra_css);
void html_page_end(FILE *f);

/* <section id="id"><h2>title</h2> ... </section>; id may be NULL. */
void html_section_begin(FILE *f, const char *id, const char *title);
void html_section_end(FILE *f);
/* <nav> with one link per section: href="#ids[i]", text titles[i]. */
void html_nav(FILE *f, int n, const char *const *ids, const char *const *titles);

/* <tag class="cls">, </tag>, and <tag class="cls">text</tag>; cls may be NULL.
 * html_elem(f, "h3", NULL, name) is a heading, html_elem(f, "p", "note", s) a note. */
void html_open(FILE *f, const char *tag, const char *cls);
void html_close(FILE *f, const char *tag);
void html_elem(FILE *f, const char *tag, const char *cls, const char *text);
/* Preformatted text (a config file, a command line), wrapped on narrow screens. */
void html_pre(FILE *f, const char *text);

/* A chart grid: figures flow in as many columns as fit (one on a phone). */
void html_grid_begin(FILE *f);
void html_grid_end(FILE *f);

/* <details><summary>summary</summary> ... </details>, closed unless open. */
void html_details_begin(FILE *f, const char *summary, int open);
void html_details_end(FILE *f);

/* A table streamed row by row, in a box that scrolls sideways when too wide.
 * caption and header may be NULL; cells are escaped text; a cell that reads as
 * a number ("12", "-0.5", "93.1%", "1e-3") is right-aligned in tabular figures. */
void html_table_begin(FILE *f, const char *caption, int ncols, const char *const *header);
void html_table_row(FILE *f, int ncols, const char *const *cells);
void html_table_end(FILE *f);

#endif
