/* svgplot_cat.c - the charts of svgplot.h over categories: grouped bars and
 * the heat map. */
#include "svgplot.h"

#include <math.h>
#include <stdlib.h>

#include "html.h"
#include "mem.h"
#include "svgframe.h"

static double bars_key(const SvgBars *c, int g)
{
    double v = c->values[(size_t)g * c->n_bars + c->sort_by];
    return isnan(v) ? -INFINITY : v;
}

/* Group order: by the sort bar's value, largest first, ties in input order. */
static int *bars_order(const SvgBars *c)
{
    int *ord = xmalloc((size_t)(c->n_groups > 0 ? c->n_groups : 1) * sizeof *ord);
    for (int g = 0; g < c->n_groups; g++) {
        int k = g;
        if (c->sort_by >= 0)
            for (; k > 0 && bars_key(c, ord[k - 1]) < bars_key(c, g); k--) ord[k] = ord[k - 1];
        ord[k] = g;
    }
    return ord;
}

static void bars_table(FILE *f, const SvgBars *c, const int *ord)
{
    int nc = c->n_bars + 1 + (c->notes != NULL);
    const char **head = xmalloc((size_t)nc * sizeof *head);
    const char **row = xmalloc((size_t)nc * sizeof *row);
    char(*num)[32] = xmalloc((size_t)nc * sizeof *num);
    head[0] = "";
    for (int b = 0; b < c->n_bars; b++) head[b + 1] = c->bars[b];
    if (c->notes) head[nc - 1] = "note";
    svgframe_data_begin(f, nc, head);
    for (int k = 0; k < c->n_groups; k++) {
        int g = ord[k];
        row[0] = c->groups[g];
        for (int b = 0; b < c->n_bars; b++) {
            svgframe_cell(num[b], sizeof num[b], c->values[(size_t)g * c->n_bars + b]);
            row[b + 1] = num[b];
        }
        if (c->notes) row[nc - 1] = c->notes[g];
        html_table_row(f, nc, row);
    }
    svgframe_data_end(f);
    free(head);
    free(row);
    free(num);
}

int svgplot_bars(FILE *f, const SvgBars *c, Status *st)
{
    if (!c || c->n_groups < 0 || c->n_bars < 1 || (c->n_groups > 0 && (!c->groups || !c->values)) || !c->bars ||
        c->sort_by >= c->n_bars)
        return status_error(st, "svgplot_bars: %d groups of %d bars sorted by %d: missing arrays or bad shape",
                            c ? c->n_groups : -1, c ? c->n_bars : -1, c ? c->sort_by : -1);
    const double W = 420, R = 40, T = 6, B = 26, bh = 10, gh = c->n_bars * bh + 9;
    double label_w = 0, top = c->x_max;
    for (int g = 0; g < c->n_groups; g++) {
        double w = svgframe_text_width(c->groups[g], 12);
        if (c->notes && c->notes[g]) w += 6 + svgframe_text_width(c->notes[g], 11);
        if (w > label_w) label_w = w;
        for (int b = 0; b < c->n_bars && c->x_max <= 0; b++) {
            double v = c->values[(size_t)g * c->n_bars + b];
            if (isfinite(v) && v > top) top = v;
        }
    }
    if (label_w > W * 0.42) label_w = W * 0.42;
    double L = label_w + 12, H = T + c->n_groups * gh + B, xt0, xstep;
    int xn = svgframe_ticks(0, top > 0 ? top : 1, 5, 0, &xt0, &xstep);
    if (c->x_max <= 0) top = xt0 + (xn - 1) * xstep;
    SvgScale xs = {0, top > 0 ? top : 1, L, W - R};
    int *ord = bars_order(c);

    svgframe_figure_begin(f, "bars", c->title);
    svgframe_legend_begin(f);
    for (int b = 0; b < c->n_bars; b++) svgframe_legend_box(f, c->bars[b], svgframe_fill(b, c->n_bars), 1);
    svgframe_legend_end(f);
    svgframe_svg_begin(f, W, H, c->title);
    for (int k = 0; k < xn; k++) {
        double v = xt0 + k * xstep, px = svgframe_map(&xs, v);
        if (v > xs.d1 + 1e-9 * xstep) continue;
        fprintf(f, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#e3e3e3\"/>", px, T, px, H - B);
    }
    svgframe_axis_x(f, &xs, xt0, xstep, xn, H - B);
    for (int k = 0; k < c->n_groups; k++) {
        int g = ord[k];
        double y0 = T + k * gh + 4, cy = y0 + c->n_bars * bh / 2.0;
        double note_w = c->notes && c->notes[g] ? 6 + svgframe_text_width(c->notes[g], 11) : 0;
        fprintf(f, "<text x=\"%.1f\" y=\"%.1f\" dy=\".32em\" text-anchor=\"end\">", L - 8, cy);
        svgframe_label(f, c->groups[g], 12, label_w - note_w > 24 ? label_w - note_w : 24);
        if (note_w > 0) {
            fputs("<tspan fill=\"#666\" font-size=\"11\"> ", f);
            html_text(f, c->notes[g]);
            fputs("</tspan>", f);
        }
        fputs("</text>\n", f);
        for (int b = 0; b < c->n_bars; b++) {
            double v = c->values[(size_t)g * c->n_bars + b];
            if (!isfinite(v)) continue;
            double w = svgframe_clamp(svgframe_map(&xs, v), L, W - R) - L;
            fputs("<rect class=\"bar\"", f);
            html_attr(f, "data-series", c->bars[b]);
            fprintf(f, " x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"%s\"><title>", L, y0 + b * bh, w,
                    bh - 1, svgframe_fill(b, c->n_bars));
            html_text(f, c->groups[g]);
            fputs(", ", f);
            html_text(f, c->bars[b]);
            html_textf(f, ": %.4g", v);
            char lab[32];
            snprintf(lab, sizeof lab, top <= 1 ? "%.2f" : fabs(v) >= 100 ? "%.0f" : "%.3g", v);
            fprintf(f,
                    "</title></rect><text x=\"%.1f\" y=\"%.1f\" dy=\".32em\" font-size=\"10\" fill=\"#444\">"
                    "%s</text>\n",
                    L + w + 3, y0 + b * bh + (bh - 1) / 2, lab);
        }
    }
    svgframe_frame(f, L, H - B, W - R, T);
    svgframe_svg_end(f);
    bars_table(f, c, ord);
    svgframe_figure_end(f);
    free(ord);
    return 0;
}

static void heatmap_table(FILE *f, const SvgHeatmap *c, const int64_t *row_sum)
{
    int nc = c->cols + 2;
    const char **head = xmalloc((size_t)nc * sizeof *head);
    const char **row = xmalloc((size_t)nc * sizeof *row);
    char(*num)[24] = xmalloc((size_t)nc * sizeof *num);
    head[0] = c->row_title ? c->row_title : "";
    for (int j = 0; j < c->cols; j++) head[j + 1] = c->col_names[j];
    head[nc - 1] = "total";
    svgframe_data_begin(f, nc, head);
    for (int i = 0; i < c->rows; i++) {
        row[0] = c->row_names[i];
        for (int j = 0; j < c->cols; j++) {
            snprintf(num[j], sizeof num[j], "%lld", (long long)c->counts[(size_t)i * c->cols + j]);
            row[j + 1] = num[j];
        }
        snprintf(num[c->cols], sizeof num[0], "%lld", (long long)row_sum[i]);
        row[nc - 1] = num[c->cols];
        html_table_row(f, nc, row);
    }
    svgframe_data_end(f);
    free(head);
    free(row);
    free(num);
}

/* The colour key under the matrix: ten steps of the ramp from 0 to 100 % of a row. */
static void heatmap_key(FILE *f, double x, double y)
{
    char fill[8];
    fprintf(f, "<text x=\"%.1f\" y=\"%.1f\" dy=\".32em\" font-size=\"11\" fill=\"#555\">share of row</text>\n", x,
            y + 6);
    x += 80;
    for (int k = 0; k < 10; k++) {
        svgframe_ramp((k + 0.5) / 10, fill);
        fprintf(f, "<rect class=\"key\" x=\"%.1f\" y=\"%.1f\" width=\"14\" height=\"12\" fill=\"%s\"/>", x + k * 14, y,
                fill);
    }
    fprintf(f,
            "<rect x=\"%.1f\" y=\"%.1f\" width=\"140\" height=\"12\" fill=\"none\" stroke=\"#888\" "
            "stroke-width=\".6\"/>\n",
            x, y);
    static const char *const lab[3] = {"0%", "50%", "100%"};
    for (int k = 0; k < 3; k++)
        fprintf(f, "<text x=\"%.1f\" y=\"%.1f\" font-size=\"10\" text-anchor=\"middle\">%s</text>", x + k * 70, y + 24,
                lab[k]);
    fputc('\n', f);
}

static void heatmap_cell(FILE *f, const SvgHeatmap *c, int i, int j, int64_t sum, double x, double y, double cs)
{
    int64_t v = c->counts[(size_t)i * c->cols + j];
    double share = sum > 0 ? (double)v / (double)sum : 0;
    char fill[8], digits[24];
    double lum = svgframe_ramp(share, fill);
    int nd = snprintf(digits, sizeof digits, "%lld", (long long)v);
    const char *ink = lum > 0.18 ? "#000" : "#fff"; /* the higher of the two WCAG contrasts */
    fprintf(f,
            "<rect class=\"cell\" data-row=\"%d\" data-col=\"%d\" x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" "
            "height=\"%.1f\" fill=\"%s\" stroke=\"#fff\"><title>",
            i, j, x, y, cs, cs, fill);
    html_text(f, c->row_title ? c->row_title : "row");
    fputc(' ', f);
    html_text(f, c->row_names[i]);
    fputs(", ", f);
    html_text(f, c->col_title ? c->col_title : "column");
    fputc(' ', f);
    html_text(f, c->col_names[j]);
    html_textf(f, ": %s (%.1f%% of the row)", digits, 100 * share);
    fputs("</title></rect>", f);
    double fs = cs * 0.34, fit = (cs - 4) / (0.62 * nd);
    fs = fs < fit ? fs : fit;
    int two = cs >= 40 && sum > 0;
    fprintf(f,
            "<text x=\"%.1f\" y=\"%.1f\" dy=\".35em\" font-size=\"%.1f\" text-anchor=\"middle\" fill=\"%s\" "
            "pointer-events=\"none\">%s</text>",
            x + cs / 2, y + cs / 2 - (two ? cs * 0.1 : 0), fs, ink, digits);
    if (two)
        fprintf(f,
                "<text x=\"%.1f\" y=\"%.1f\" dy=\".35em\" font-size=\"%.1f\" text-anchor=\"middle\" "
                "fill=\"%s\" pointer-events=\"none\">%.0f%%</text>",
                x + cs / 2, y + cs * 0.76, cs * 0.2, ink, 100 * share);
    fputc('\n', f);
}

int svgplot_heatmap(FILE *f, const SvgHeatmap *c, Status *st)
{
    if (!c || c->rows < 0 || c->cols < 0 ||
        (c->rows > 0 && c->cols > 0 && (!c->counts || !c->row_names || !c->col_names)))
        return status_error(st, "svgplot_heatmap: a %d x %d matrix without its counts or names", c ? c->rows : -1,
                            c ? c->cols : -1);
    int m = c->rows > c->cols ? c->rows : c->cols;
    double cs = floor(svgframe_clamp(380.0 / (m > 0 ? m : 1), 20, 56)), row_w = 0, col_w = 0;
    for (int i = 0; i < c->rows; i++) row_w = fmax(row_w, svgframe_text_width(c->row_names[i], 12));
    for (int j = 0; j < c->cols; j++) col_w = fmax(col_w, svgframe_text_width(c->col_names[j], 12));
    row_w = fmin(row_w, 150);
    col_w = fmin(col_w, 150);
    int rotate = col_w > cs - 4;
    double L = 22 + row_w + 8, T = 20 + (rotate ? col_w * 0.72 + 8 : 18);
    /* Rotated column names reach up to col_w * cos(45°) right of their column. */
    double right = rotate ? fmax(12, col_w * 0.71 - cs / 2) : 12;
    double W = fmax(L + c->cols * cs + right, L + 240), H = T + c->rows * cs + 44;
    int64_t *row_sum = xcalloc((size_t)(c->rows > 0 ? c->rows : 1), sizeof *row_sum);
    for (int i = 0; i < c->rows; i++)
        for (int j = 0; j < c->cols; j++) row_sum[i] += c->counts[(size_t)i * c->cols + j];

    svgframe_figure_begin(f, "heatmap", c->title);
    svgframe_svg_begin(f, W, H, c->title);
    if (c->col_title) {
        fprintf(f, "<text x=\"%.1f\" y=\"12\" font-weight=\"600\" text-anchor=\"middle\">", L + c->cols * cs / 2);
        svgframe_label(f, c->col_title, 12, fmax(c->cols * cs, 100));
        fputs("</text>\n", f);
    }
    if (c->row_title) {
        fprintf(f, "<text transform=\"translate(12 %.1f) rotate(-90)\" font-weight=\"600\" text-anchor=\"middle\">",
                T + c->rows * cs / 2);
        svgframe_label(f, c->row_title, 12, fmax(c->rows * cs, 60));
        fputs("</text>\n", f);
    }
    for (int j = 0; j < c->cols; j++) {
        double cx = L + (j + 0.5) * cs;
        if (rotate)
            fprintf(f, "<text transform=\"translate(%.1f %.1f) rotate(-45)\">", cx - 3, T - 6);
        else
            fprintf(f, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\">", cx, T - 6);
        svgframe_label(f, c->col_names[j], 12, 150);
        fputs("</text>\n", f);
    }
    for (int i = 0; i < c->rows; i++) {
        fprintf(f, "<text x=\"%.1f\" y=\"%.1f\" dy=\".32em\" text-anchor=\"end\">", L - 6, T + (i + 0.5) * cs);
        svgframe_label(f, c->row_names[i], 12, 150);
        fputs("</text>\n", f);
        for (int j = 0; j < c->cols; j++) heatmap_cell(f, c, i, j, row_sum[i], L + j * cs, T + i * cs, cs);
    }
    heatmap_key(f, L, T + c->rows * cs + 12);
    svgframe_svg_end(f);
    heatmap_table(f, c, row_sum);
    svgframe_figure_end(f);
    free(row_sum);
    return 0;
}
