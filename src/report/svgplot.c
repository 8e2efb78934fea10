/* svgplot.c - see svgplot.h. Coordinates are written with one decimal; every
 * chart is laid out in px of its viewBox and scales down with the page. */
#include "svgplot.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "html.h"
#include "mem.h"
#include "svgframe.h"

typedef struct Range {
    double lo, hi;
    int any;
} Range;

static void range_add(Range *r, double v)
{
    if (!isfinite(v)) return;
    if (!r->any) {
        r->lo = r->hi = v;
        r->any = 1;
    }
    if (v < r->lo) r->lo = v;
    if (v > r->hi) r->hi = v;
}

static double series_x(const SvgSeries *s, int i)
{
    return s->x ? s->x[i] : (double)(i + 1);
}

static int lines_check(const SvgLines *c, Status *st)
{
    if (!c || c->n_series < 0 || (c->n_series > 0 && !c->series))
        return status_error(st, "svgplot_lines: no series array for %d series", c ? c->n_series : -1);
    for (int k = 0; k < c->n_series; k++) {
        const SvgSeries *s = &c->series[k];
        if (s->n < 0 || (s->n > 0 && !s->y))
            return status_error(st, "svgplot_lines: series %d (%s) has n = %d and y %s", k,
                                s->name ? s->name : "unnamed", s->n, s->y ? "set" : "NULL");
    }
    return 0;
}

/* Whether every series has the same points' x, so the data table can be wide. */
static int lines_shared_x(const SvgLines *c)
{
    for (int k = 1; k < c->n_series; k++) {
        const SvgSeries *a = &c->series[0], *b = &c->series[k];
        if (a->n != b->n) return 0;
        for (int i = 0; i < a->n; i++)
            if (series_x(a, i) != series_x(b, i)) return 0;
    }
    return 1;
}

static void lines_table(FILE *f, const SvgLines *c)
{
    char a[32], b[32];
    if (c->n_series > 0 && lines_shared_x(c)) {
        int nc = c->n_series + 1;
        const char **head = xmalloc((size_t)nc * sizeof *head);
        char(*num)[32] = xmalloc((size_t)nc * sizeof *num);
        const char **row = xmalloc((size_t)nc * sizeof *row);
        head[0] = c->x_label ? c->x_label : "x";
        for (int k = 0; k < c->n_series; k++) head[k + 1] = c->series[k].name;
        svgframe_data_begin(f, nc, head);
        for (int i = 0; i < c->series[0].n; i++) {
            svgframe_cell(num[0], sizeof num[0], series_x(&c->series[0], i));
            for (int k = 0; k < c->n_series; k++) svgframe_cell(num[k + 1], sizeof num[0], c->series[k].y[i]);
            for (int j = 0; j < nc; j++) row[j] = num[j];
            html_table_row(f, nc, row);
        }
        free(head);
        free(num);
        free(row);
    } else {
        const char *head[3] = {"series", c->x_label ? c->x_label : "x", c->y_label ? c->y_label : "y"};
        svgframe_data_begin(f, 3, head);
        for (int k = 0; k < c->n_series; k++)
            for (int i = 0; i < c->series[k].n; i++) {
                svgframe_cell(a, sizeof a, series_x(&c->series[k], i));
                svgframe_cell(b, sizeof b, c->series[k].y[i]);
                const char *row[3] = {c->series[k].name, a, b};
                html_table_row(f, 3, row);
            }
    }
    svgframe_data_end(f);
}

/* One <path> for series k (a gap at each non-finite point), then a dot per
 * point when there are few enough to tell apart. */
static void lines_series(FILE *f, const SvgSeries *s, int k, const SvgScale *xs, const SvgScale *ys)
{
    const char *color = svgframe_color(k), *dash = svgframe_dash(k);
    double top = ys->p1, bottom = ys->p0;
    fputs("<path class=\"series\"", f);
    html_attr(f, "data-series", s->name);
    fputs(" d=\"", f);
    int up = 1;
    for (int i = 0; i < s->n; i++) {
        double x = series_x(s, i), y = s->y[i];
        if (!isfinite(x) || !isfinite(y)) {
            up = 1;
            continue;
        }
        fprintf(f, "%s%.1f %.1f", up ? "M" : "L", svgframe_map(xs, x),
                svgframe_clamp(svgframe_map(ys, y), top, bottom));
        up = 0;
    }
    fprintf(f, "\" fill=\"none\" stroke=\"%s\" stroke-width=\"2\" stroke-linejoin=\"round\"", color);
    if (*dash) fprintf(f, " stroke-dasharray=\"%s\"", dash);
    fputs("><title>", f);
    html_text(f, s->name);
    fputs("</title></path>\n", f);
    if (s->n > 60) return;
    for (int i = 0; i < s->n; i++) {
        double x = series_x(s, i), y = s->y[i];
        if (!isfinite(x) || !isfinite(y)) continue;
        fprintf(f, "<circle class=\"pt\" cx=\"%.1f\" cy=\"%.1f\" r=\"2.6\" fill=\"%s\"><title>", svgframe_map(xs, x),
                svgframe_clamp(svgframe_map(ys, y), top, bottom), color);
        html_text(f, s->name);
        html_textf(f, " %g: %.4g", x, y);
        fputs("</title></circle>\n", f);
    }
}

static void lines_marker(FILE *f, const SvgLines *c, const SvgScale *xs, double top, double bottom)
{
    if (!c->marker_label || !isfinite(c->marker_x)) return;
    double px = svgframe_map(xs, c->marker_x), mid = (xs->p0 + xs->p1) / 2;
    fprintf(f,
            "<line class=\"marker\" x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#444\" "
            "stroke-width=\"1.2\" stroke-dasharray=\"4 3\"/>",
            px, top - 4, px, bottom);
    fprintf(f, "<text x=\"%.1f\" y=\"%.1f\" font-size=\"11\" text-anchor=\"%s\">", px < mid ? px + 4 : px - 4, top - 6,
            px < mid ? "start" : "end");
    html_text(f, c->marker_label);
    fputs("</text>\n", f);
}

int svgplot_lines(FILE *f, const SvgLines *c, Status *st)
{
    if (lines_check(c, st)) return -1;
    Range xr = {0}, yr = {0};
    for (int k = 0; k < c->n_series; k++)
        for (int i = 0; i < c->series[k].n; i++)
            if (isfinite(c->series[k].y[i]) && isfinite(series_x(&c->series[k], i))) {
                range_add(&xr, series_x(&c->series[k], i));
                range_add(&yr, c->series[k].y[i]);
            }
    if (c->marker_label) range_add(&xr, c->marker_x);
    if (!xr.any) xr = (Range){0, 1, 1};
    if (!yr.any) yr = (Range){0, 1, 1};
    if (xr.hi == xr.lo) xr.lo -= 1, xr.hi += 1;
    double yt0, ystep, ylo, yhi, xt0, xstep;
    int yn;
    if (c->y_min < c->y_max) {
        yn = svgframe_ticks(c->y_min, c->y_max, 6, 0, &yt0, &ystep);
        ylo = c->y_min, yhi = c->y_max;
    } else {
        yn = svgframe_ticks(yr.lo, yr.hi, 6, 0, &yt0, &ystep);
        ylo = yt0, yhi = yt0 + (yn - 1) * ystep;
    }
    int xn = svgframe_ticks(xr.lo, xr.hi, 7, c->x_integer, &xt0, &xstep);
    const double W = 420, H = 260, L = 50, R = 18, T = c->marker_label || c->y_label ? 26 : 12;
    const double B = c->x_label ? 44 : 30;
    SvgScale xs = {xr.lo, xr.hi, L, W - R}, ys = {ylo, yhi, H - B, T};

    svgframe_figure_begin(f, "lines", c->title);
    if (c->n_series > 1) {
        svgframe_legend_begin(f);
        for (int k = 0; k < c->n_series; k++)
            svgframe_legend_line(f, c->series[k].name, svgframe_color(k), svgframe_dash(k));
        svgframe_legend_end(f);
    }
    svgframe_svg_begin(f, W, H, c->title);
    if (c->y_label) {
        fputs("<text x=\"4\" y=\"11\" font-size=\"11\" fill=\"#555\">", f);
        svgframe_label(f, c->y_label, 11, W / 2);
        fputs("</text>\n", f);
    }
    svgframe_axis_y(f, &ys, yt0, ystep, yn, L, W - R);
    svgframe_axis_x(f, &xs, xt0, xstep, xn, H - B);
    svgframe_frame(f, L, H - B, W - R, T);
    if (c->x_label) {
        fprintf(f, "<text x=\"%.1f\" y=\"%.1f\" font-size=\"11\" fill=\"#555\" text-anchor=\"middle\">",
                (L + W - R) / 2, H - 6);
        svgframe_label(f, c->x_label, 11, W - L - R);
        fputs("</text>\n", f);
    }
    lines_marker(f, c, &xs, T, H - B);
    for (int k = 0; k < c->n_series; k++) lines_series(f, &c->series[k], k, &xs, &ys);
    svgframe_svg_end(f);
    lines_table(f, c);
    svgframe_figure_end(f);
    return 0;
}

int svgplot_reliability(FILE *f, const SvgReliability *c, Status *st)
{
    if (!c || c->n_bins < 0 || (c->n_bins > 0 && (!c->confidence || !c->accuracy || !c->count)))
        return status_error(st, "svgplot_reliability: %d bins without their arrays", c ? c->n_bins : -1);
    const double P = 280, L = 48, T = 12, W = L + P + 16, H = T + P + 44;
    SvgScale xs = {0, 1, L, L + P}, ys = {0, 1, T + P, T};
    const char *title = c->title ? c->title : "Reliability";
    size_t cap = strlen(title) + 32;
    char *caption = xmalloc(cap);
    snprintf(caption, cap, "%s (ECE %.3f)", title, c->ece);
    svgframe_figure_begin(f, "reliability", caption);
    svgframe_legend_begin(f);
    svgframe_legend_box(f, "accuracy", svgframe_color(0), 0.85);
    svgframe_legend_box(f, "gap to confidence", svgframe_color(1), 0.3);
    svgframe_legend_line(f, "perfect calibration", "#444", "4 3");
    svgframe_legend_end(f);
    svgframe_svg_begin(f, W, H, caption);
    free(caption);
    svgframe_axis_y(f, &ys, 0, 0.2, 6, L, L + P);
    svgframe_axis_x(f, &xs, 0, 0.2, 6, T + P);
    for (int b = 0; b < c->n_bins; b++) {
        if (c->count[b] <= 0) continue;
        double x0 = svgframe_map(&xs, (double)b / c->n_bins), x1 = svgframe_map(&xs, (double)(b + 1) / c->n_bins);
        double acc = svgframe_clamp(c->accuracy[b], 0, 1), conf = svgframe_clamp(c->confidence[b], 0, 1);
        double ya = svgframe_map(&ys, acc), yc = svgframe_map(&ys, conf);
        fprintf(f,
                "<rect class=\"bar\" x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"%s\" "
                "fill-opacity=\".85\" stroke=\"#fff\" stroke-width=\".8\"><title>",
                x0, ya, x1 - x0, T + P - ya, svgframe_color(0));
        html_textf(f, "confidence %.2f to %.2f: %lld predictions, accuracy %.3f, mean confidence %.3f",
                   (double)b / c->n_bins, (double)(b + 1) / c->n_bins, (long long)c->count[b], acc, conf);
        fputs("</title></rect>\n", f);
        fprintf(f,
                "<rect class=\"gap\" x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"%s\" "
                "fill-opacity=\".3\" stroke=\"%s\" stroke-width=\".8\"/>\n",
                x0, ya < yc ? ya : yc, x1 - x0, fabs(ya - yc), svgframe_color(1), svgframe_color(1));
    }
    fprintf(f,
            "<line class=\"diagonal\" x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#444\" "
            "stroke-width=\"1.2\" stroke-dasharray=\"4 3\"/>\n",
            L, T + P, L + P, T);
    svgframe_frame(f, L, T + P, L + P, T);
    fprintf(f, "<text x=\"%.1f\" y=\"%.1f\" font-size=\"11\" fill=\"#555\" text-anchor=\"middle\">confidence</text>",
            L + P / 2, H - 6);
    fprintf(f,
            "<text transform=\"translate(12 %.1f) rotate(-90)\" font-size=\"11\" fill=\"#555\" "
            "text-anchor=\"middle\">accuracy</text>\n",
            T + P / 2);
    svgframe_svg_end(f);
    const char *head[4] = {"confidence bin", "predictions", "mean confidence", "accuracy"};
    svgframe_data_begin(f, 4, head);
    for (int b = 0; b < c->n_bins; b++) {
        char bin[48], n[24], conf[24], acc[24];
        snprintf(bin, sizeof bin, "%.3f to %.3f", (double)b / c->n_bins, (double)(b + 1) / c->n_bins);
        snprintf(n, sizeof n, "%lld", (long long)c->count[b]);
        svgframe_cell(conf, sizeof conf, c->count[b] > 0 ? c->confidence[b] : NAN);
        svgframe_cell(acc, sizeof acc, c->count[b] > 0 ? c->accuracy[b] : NAN);
        const char *row[4] = {bin, n, conf, acc};
        html_table_row(f, 4, row);
    }
    svgframe_data_end(f);
    svgframe_figure_end(f);
    return 0;
}

double svgplot_reliability_bins(const float *conf, const unsigned char *correct, int64_t n, int n_bins,
                                double *confidence, double *accuracy, int64_t *count)
{
    for (int b = 0; b < n_bins; b++) confidence[b] = accuracy[b] = 0, count[b] = 0;
    int64_t used = 0;
    for (int64_t i = 0; i < n; i++) {
        double p = conf[i];
        if (!isfinite(p)) continue;
        int b = (int)ceil(p * n_bins) - 1;
        b = b < 0 ? 0 : b >= n_bins ? n_bins - 1 : b;
        confidence[b] += p;
        accuracy[b] += correct[i] ? 1.0 : 0.0;
        count[b]++;
        used++;
    }
    double ece = 0;
    for (int b = 0; b < n_bins; b++) {
        if (count[b] == 0) continue;
        confidence[b] /= (double)count[b];
        accuracy[b] /= (double)count[b];
        ece += (double)count[b] / (double)used * fabs(accuracy[b] - confidence[b]);
    }
    return ece;
}

static void histogram_table(FILE *f, const SvgHistogram *c, double width)
{
    int nc = c->n_series + 1 + (c->n_series > 1);
    const char **head = xmalloc((size_t)nc * sizeof *head);
    const char **row = xmalloc((size_t)nc * sizeof *row);
    char(*num)[48] = xmalloc((size_t)nc * sizeof *num);
    head[0] = c->x_label ? c->x_label : "bin";
    for (int s = 0; s < c->n_series; s++) head[s + 1] = c->series[s];
    if (c->n_series > 1) head[nc - 1] = "total";
    svgframe_data_begin(f, nc, head);
    for (int b = 0; b < c->n_bins; b++) {
        long long total = 0;
        snprintf(num[0], sizeof num[0], "%.4g to %.4g", c->lo + b * width, c->lo + (b + 1) * width);
        for (int s = 0; s < c->n_series; s++) {
            long long v = (long long)c->counts[(size_t)s * c->n_bins + b];
            total += v;
            snprintf(num[s + 1], sizeof num[0], "%lld", v);
        }
        if (c->n_series > 1) snprintf(num[nc - 1], sizeof num[0], "%lld", total);
        for (int j = 0; j < nc; j++) row[j] = num[j];
        html_table_row(f, nc, row);
    }
    svgframe_data_end(f);
    free(head);
    free(row);
    free(num);
}

int svgplot_histogram(FILE *f, const SvgHistogram *c, Status *st)
{
    if (!c || c->n_bins < 1 || c->n_series < 1 || !c->counts || !c->series)
        return status_error(st, "svgplot_histogram: %d bins of %d series need counts and names", c ? c->n_bins : -1,
                            c ? c->n_series : -1);
    double lo = isfinite(c->lo) ? c->lo : 0, hi = isfinite(c->hi) && c->hi > lo ? c->hi : lo + 1;
    double width = (hi - lo) / c->n_bins, top = 0;
    for (int b = 0; b < c->n_bins; b++) {
        double sum = 0;
        for (int s = 0; s < c->n_series; s++) sum += (double)c->counts[(size_t)s * c->n_bins + b];
        if (sum > top) top = sum;
    }
    double yt0, ystep, xt0, xstep;
    int yn = svgframe_ticks(0, top > 0 ? top : 1, 5, 1, &yt0, &ystep);
    int xn = svgframe_ticks(lo, hi, 6, 0, &xt0, &xstep);
    const double W = 420, H = 240, L = 50, R = 18, T = 12, B = c->x_label ? 44 : 30;
    SvgScale xs = {lo, hi, L, W - R}, ys = {0, yt0 + (yn - 1) * ystep, H - B, T};
    svgframe_figure_begin(f, "histogram", c->title);
    if (c->n_series > 1) {
        svgframe_legend_begin(f);
        for (int s = 0; s < c->n_series; s++) svgframe_legend_box(f, c->series[s], svgframe_fill(s, c->n_series), 0.85);
        svgframe_legend_end(f);
    }
    svgframe_svg_begin(f, W, H, c->title);
    svgframe_axis_y(f, &ys, yt0, ystep, yn, L, W - R);
    for (int b = 0; b < c->n_bins; b++) {
        double x0 = svgframe_map(&xs, lo + b * width), x1 = svgframe_map(&xs, lo + (b + 1) * width), acc = 0;
        for (int s = 0; s < c->n_series; s++) {
            int64_t v = c->counts[(size_t)s * c->n_bins + b];
            if (v <= 0) continue;
            double y0 = svgframe_map(&ys, acc), y1 = svgframe_map(&ys, acc + (double)v);
            acc += (double)v;
            fputs("<rect class=\"bar\"", f);
            html_attr(f, "data-series", c->series[s]);
            fprintf(f,
                    " x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"%s\" fill-opacity=\".85\" "
                    "stroke=\"#fff\" stroke-width=\".6\"><title>",
                    x0, y1, x1 - x0, y0 - y1, svgframe_fill(s, c->n_series));
            html_text(f, c->series[s]);
            html_textf(f, ", %.4g to %.4g: %lld", lo + b * width, lo + (b + 1) * width, (long long)v);
            fputs("</title></rect>\n", f);
        }
    }
    svgframe_axis_x(f, &xs, xt0, xstep, xn, H - B);
    svgframe_frame(f, L, H - B, W - R, T);
    if (c->x_label) {
        fprintf(f, "<text x=\"%.1f\" y=\"%.1f\" font-size=\"11\" fill=\"#555\" text-anchor=\"middle\">",
                (L + W - R) / 2, H - 6);
        svgframe_label(f, c->x_label, 11, W - L - R);
        fputs("</text>\n", f);
    }
    svgframe_svg_end(f);
    histogram_table(f, c, width);
    svgframe_figure_end(f);
    return 0;
}

void svgplot_histogram_bins(const float *v, int64_t n, double lo, double hi, int n_bins, int64_t *counts)
{
    if (!(hi > lo) || n_bins < 1) return;
    for (int64_t i = 0; i < n; i++) {
        double x = v[i];
        if (!isfinite(x) || x < lo || x > hi) continue;
        int b = (int)floor((x - lo) / (hi - lo) * n_bins);
        counts[b >= n_bins ? n_bins - 1 : b]++;
    }
}
