/* svgplot.h - charts as inline SVG from plain arrays, written to a caller's FILE*.
 *
 * Each chart is one <figure class="chart" data-chart="KIND">: a <figcaption>
 * title, an HTML legend (for a line chart, when it has several series), the
 * <svg> at its natural size in px (it shrinks with a narrow page; html_page_begin's
 * stylesheet lays figures out), and a text alternative: the numbers as a <table>
 * inside a closed <details>. Every data string (titles, series, class and bin
 * names) is escaped as html_text does. Put charts side by side in html_grid_begin.
 *
 * Elements that tests and the browser check count:
 *   lines:     one <path class="series" data-series="NAME"> per series
 *   bars:      one <rect class="bar" data-series="NAME"> per group and bar
 *   heatmap:   one <rect class="cell"> per matrix entry, with its count as <text>
 *   reliability, histogram: one <rect class="bar"> per drawn bin (and series)
 * Colours are Okabe and Ito's colour-blind-safe palette; lines also differ in
 * dash pattern and the heat map is a single-hue luminance ramp, so a grey print
 * keeps them apart.
 *
 * Data never makes a chart fail: non-finite values are skipped (a gap in a
 * line), empty inputs draw empty axes. The functions return -1 with a message
 * in st only for impossible shapes (a negative count, a NULL array that
 * should hold values), which are the caller's bugs. */
#ifndef ATTNCLF_SVGPLOT_H
#define ATTNCLF_SVGPLOT_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "status.h"

/* One curve: y[i] at x[i]; x NULL means 1, 2, ..., n. */
typedef struct SvgSeries {
    const char *name;
    const double *x; /* [n] or NULL */
    const double *y; /* [n] */
    int n;
} SvgSeries;

typedef struct SvgLines {
    const char *title;
    const char *x_label, *y_label; /* NULL for none */
    const SvgSeries *series;       /* [n_series] */
    int n_series;
    int x_integer;            /* ticks at whole numbers only (epochs, trials) */
    double y_min, y_max;      /* the y range when y_min < y_max; else from the data */
    const char *marker_label; /* non-NULL: a vertical line at marker_x, e.g. "best epoch 7" */
    double marker_x;
} SvgLines;

int svgplot_lines(FILE *f, const SvgLines *c, Status *st);

/* Grouped horizontal bars: a row of n_bars bars per group (e.g. precision,
 * recall and F1 per class). */
typedef struct SvgBars {
    const char *title;
    const char *const *groups; /* [n_groups] */
    int n_groups;
    const char *const *bars; /* [n_bars] legend names */
    int n_bars;
    const double *values;     /* [n_groups, n_bars] */
    int sort_by;              /* groups sorted by this bar's value, largest first (ties keep their order);
                               * < 0 keeps the order given. A zeroed struct sorts by the first bar. */
    double x_max;             /* axis end; <= 0: from the data */
    const char *const *notes; /* [n_groups] or NULL: shown beside the group, e.g. "n=1900" */
} SvgBars;

int svgplot_bars(FILE *f, const SvgBars *c, Status *st);

/* A count matrix (a confusion matrix: rows true labels, columns predictions),
 * each cell shaded by its share of its row and labelled with its count. */
typedef struct SvgHeatmap {
    const char *title;
    const char *row_title, *col_title; /* axis names, e.g. "true" and "predicted" */
    const char *const *row_names;      /* [rows] */
    const char *const *col_names;      /* [cols] */
    int rows, cols;
    const int64_t *counts; /* [rows, cols] */
} SvgHeatmap;

int svgplot_heatmap(FILE *f, const SvgHeatmap *c, Status *st);

/* Reliability diagram: per equal-width bin of [0,1], the accuracy of the
 * predictions whose confidence fell in it, against the diagonal of perfect
 * calibration; the title gets the ECE appended. */
typedef struct SvgReliability {
    const char *title;
    int n_bins;
    const double *confidence; /* [n_bins] mean confidence in the bin */
    const double *accuracy;   /* [n_bins] */
    const int64_t *count;     /* [n_bins]; an empty bin is not drawn */
    double ece;
} SvgReliability;

int svgplot_reliability(FILE *f, const SvgReliability *c, Status *st);

/* Bins n predictions by confidence conf[i] in [0,1] (bin b holds (b/B, (b+1)/B],
 * and 0 goes to the first) with correct[i] 0 or 1; fills the three [n_bins]
 * arrays and returns the expected calibration error
 * ECE = sum_b count_b / n * |accuracy_b - confidence_b| (Guo et al., 2017),
 * 0 for n = 0. Non-finite confidences are skipped. */
double svgplot_reliability_bins(const float *conf /* [n] */, const unsigned char *correct /* [n] */, int64_t n,
                                int n_bins, double *confidence, double *accuracy, int64_t *count);

/* Histogram of n_bins equal bins over [lo, hi], with n_series stacked series
 * (e.g. correct and wrong predictions' confidences). */
typedef struct SvgHistogram {
    const char *title;
    const char *x_label; /* NULL for none */
    double lo, hi;
    int n_bins;
    const char *const *series; /* [n_series] legend names */
    int n_series;
    const int64_t *counts; /* [n_series, n_bins] */
} SvgHistogram;

int svgplot_histogram(FILE *f, const SvgHistogram *c, Status *st);

/* Adds each of the n values to counts[n_bins] (bins of [lo, hi], hi in the last);
 * values outside the range or non-finite are skipped. */
void svgplot_histogram_bins(const float *v /* [n] */, int64_t n, double lo, double hi, int n_bins,
                            int64_t *counts /* [n_bins] */);

#endif
