/* svgframe.h - what the charts of svgplot share: round-number ticks, tick
 * labels, the palette, label widths, axes, legends, and the figure around a
 * chart with its data table. Every string from data is escaped (html_text). */
#ifndef ATTNCLF_SVGFRAME_H
#define ATTNCLF_SVGFRAME_H

#include <stddef.h>
#include <stdio.h>

/* Axis ticks at round numbers (1, 2 or 5 times a power of ten; whole numbers
 * when integer is set) covering [lo, hi] with about max_ticks of them (Heckbert,
 * "Nice numbers for graph labels", Graphics Gems, 1990): ticks are
 * *first + k * *step for k = 0 .. return value - 1, *first <= lo, the last >= hi.
 * lo == hi is widened; non-finite bounds give [0, 1]. */
int svgframe_ticks(double lo, double hi, int max_ticks, int integer, double *first, double *step);
/* A tick label with the decimals the step needs ("0.25", "3"); from a step of
 * 1000 on, thousands as "k" ("250k"), from 500000 millions as "M" ("1.5M"),
 * from 5e8 billions as "G". */
void svgframe_format(char *buf, size_t cap, double v, double step);

/* The palette's i-th colour as "#rrggbb" (Okabe-Ito, cycling) and the dash
 * pattern of the i-th line ("" for solid), so lines differ without colour. */
const char *svgframe_color(int i);
const char *svgframe_dash(int i);
/* The fill of area i of n (bars, stacked bins): for n <= 3 chosen to differ in
 * luminance (dark blue, light orange, mid green), else the palette. */
const char *svgframe_fill(int i, int n);
/* White to dark blue (ColorBrewer Blues): t in [0,1] -> "#rrggbb" in buf[8];
 * returns the colour's relative luminance (WCAG), which falls as t grows. */
double svgframe_ramp(double t, char buf[8]);

/* Estimated width in px of s in a sans font of the given size: 0.6 em per
 * character, 1 em for wide (CJK, fullwidth, emoji) ones. */
double svgframe_text_width(const char *s, double font);
/* Writes s as SVG text content cut to about max_px (ending in "…", with the whole
 * string as a <title> tooltip when cut). */
void svgframe_label(FILE *f, const char *s, double font, double max_px);

double svgframe_clamp(double v, double lo, double hi);
/* A data-table number: six significant digits; empty for NaN (a missing value). */
void svgframe_cell(char *buf, size_t cap, double v);

/* Maps data [d0, d1] to pixels [p0, p1]. */
typedef struct SvgScale {
    double d0, d1, p0, p1;
} SvgScale;
double svgframe_map(const SvgScale *s, double v);

/* Horizontal grid lines with labels left of x0, for ticks inside the scale. */
void svgframe_axis_y(FILE *f, const SvgScale *y, double first, double step, int n, double x0, double x1);
/* Tick marks and labels below y0 for ticks inside the scale. */
void svgframe_axis_x(FILE *f, const SvgScale *x, double first, double step, int n, double y0);
/* The plot's left and bottom axis lines. */
void svgframe_frame(FILE *f, double x0, double y0, double x1, double y1);

/* <figure class="chart" data-chart="kind"><figcaption>title</figcaption> */
void svgframe_figure_begin(FILE *f, const char *kind, const char *title);
void svgframe_figure_end(FILE *f);
/* An HTML legend: begin, one item per name (a line with colour i and dash
 * i, or a box of colour i), end. */
void svgframe_legend_begin(FILE *f);
void svgframe_legend_line(FILE *f, const char *name, const char *color, const char *dash);
void svgframe_legend_box(FILE *f, const char *name, const char *color, double opacity);
void svgframe_legend_end(FILE *f);
/* <svg class="chart" ...> of w x h px, named by label for screen readers. */
void svgframe_svg_begin(FILE *f, double w, double h, const char *label);
void svgframe_svg_end(FILE *f);
/* <details><summary>Data table</summary> + html_table_begin, and the end of both. */
void svgframe_data_begin(FILE *f, int ncols, const char *const *header);
void svgframe_data_end(FILE *f);

#endif
