/* svgframe.c - see svgframe.h. */
#include "svgframe.h"

#include <math.h>
#include <stdint.h>
#include <string.h>

#include "html.h"
#include "utf8.h"

/* Heckbert's nice number: 1, 2, 5 or 10 times a power of ten near x > 0,
 * rounded to the nearest when round is set, else the next one up. */
static double svgframe_nice(double x, int round)
{
    double e = floor(log10(x)), p = pow(10.0, e), fr = x / p, nf;
    if (round)
        nf = fr < 1.5 ? 1 : fr < 3 ? 2 : fr < 7 ? 5 : 10;
    else
        nf = fr <= 1 ? 1 : fr <= 2 ? 2 : fr <= 5 ? 5 : 10;
    return nf * p;
}

int svgframe_ticks(double lo, double hi, int max_ticks, int integer, double *first, double *step)
{
    if (!isfinite(lo) || !isfinite(hi)) lo = 0, hi = 1;
    if (hi < lo) {
        double t = lo;
        lo = hi;
        hi = t;
    }
    if (hi - lo < 1e-12 * (fabs(lo) + fabs(hi)) || hi == lo) {
        double pad = integer ? 1 : lo == 0 ? 1 : fabs(lo) * 0.1;
        lo -= pad;
        hi += pad;
    }
    if (max_ticks < 2) max_ticks = 2;
    double d = svgframe_nice(svgframe_nice(hi - lo, 0) / (max_ticks - 1), 1);
    if (integer && d < 1) d = 1;
    double t0 = floor(lo / d + 1e-9) * d, t1 = ceil(hi / d - 1e-9) * d;
    *first = t0;
    *step = d;
    return (int)floor((t1 - t0) / d + 0.5) + 1;
}

void svgframe_format(char *buf, size_t cap, double v, double step)
{
    const char *suffix = "";
    double scale = 1;
    step = fabs(step);
    if (step >= 5e8)
        scale = 1e9, suffix = "G";
    else if (step >= 5e5)
        scale = 1e6, suffix = "M";
    else if (step >= 1e3)
        scale = 1e3, suffix = "k";
    double s = step / scale, x = v / scale;
    int dec = s > 0 && s < 1 ? (int)ceil(-log10(s) - 1e-9) : 0;
    if (dec > 8) dec = 8;
    if (fabs(x) < s * 1e-6) x = 0, suffix = ""; /* no "-0" nor "0k" */
    snprintf(buf, cap, "%.*f%s", dec, x, suffix);
}

/* Okabe & Ito (2008), "Color Universal Design"; the order puts the darkest
 * first and keeps neighbours apart in luminance. */
static const char *const svgframe_palette[] = {"#0072B2", "#D55E00", "#009E73", "#CC79A7",
                                               "#E69F00", "#56B4E9", "#000000"};
static const char *const svgframe_dashes[] = {"", "7 3", "2 2.5", "9 3 2 3", "4 4"};

const char *svgframe_color(int i)
{
    int n = (int)(sizeof svgframe_palette / sizeof *svgframe_palette);
    return svgframe_palette[((i % n) + n) % n];
}

const char *svgframe_fill(int i, int n)
{
    /* Light to dark for up to three, so each stays apart from the others in grey. */
    static const char *const sets[3][3] = {{"#0072B2"}, {"#0072B2", "#E69F00"}, {"#E69F00", "#009E73", "#0072B2"}};
    return n >= 1 && n <= 3 && i >= 0 && i < n ? sets[n - 1][i] : svgframe_color(i);
}

const char *svgframe_dash(int i)
{
    int n = (int)(sizeof svgframe_dashes / sizeof *svgframe_dashes);
    return svgframe_dashes[((i % n) + n) % n];
}

static double svgframe_linear(double c /* sRGB in [0,1] */)
{
    return c <= 0.04045 ? c / 12.92 : pow((c + 0.055) / 1.055, 2.4);
}

double svgframe_ramp(double t, char buf[8])
{
    /* ColorBrewer "Blues", 9 classes: lightness falls monotonically. */
    static const unsigned char stops[9][3] = {{247, 251, 255}, {222, 235, 247}, {198, 219, 239},
                                              {158, 202, 225}, {107, 174, 214}, {66, 146, 198},
                                              {33, 113, 181},  {8, 81, 156},    {8, 48, 107}};
    if (!(t >= 0)) t = 0;
    if (t > 1) t = 1;
    double pos = t * 8;
    int k = pos >= 8 ? 7 : (int)pos;
    double u = pos - k, lum = 0;
    static const double weight[3] = {0.2126, 0.7152, 0.0722};
    int rgb[3];
    for (int c = 0; c < 3; c++) {
        rgb[c] = (int)lround(stops[k][c] + u * (stops[k + 1][c] - stops[k][c]));
        lum += weight[c] * svgframe_linear(rgb[c] / 255.0);
    }
    snprintf(buf, 8, "#%02x%02x%02x", rgb[0], rgb[1], rgb[2]);
    return lum;
}

static int svgframe_wide(uint32_t cp)
{
    return utf8_is_cjk(cp) || (cp >= 0x1100 && cp <= 0x115F) || (cp >= 0x2E80 && cp <= 0xA4CF) ||
           (cp >= 0xFE30 && cp <= 0xFE4F) || (cp >= 0xFF00 && cp <= 0xFF60) || (cp >= 0xFFE0 && cp <= 0xFFE6) ||
           (cp >= 0x1F300 && cp <= 0x1FAFF);
}

/* Bytes of s that fit in max_px (whole code points), and the width they take. */
static size_t svgframe_fit(const char *s, double font, double max_px, double *width)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t n = strlen(s), i = 0;
    double w = 0;
    while (i < n) {
        uint32_t cp;
        int used = utf8_decode(p + i, n - i, &cp);
        double cw = (svgframe_wide(cp) ? 1.0 : 0.6) * font;
        if (w + cw > max_px) break;
        w += cw;
        i += (size_t)used;
    }
    *width = w;
    return i;
}

double svgframe_text_width(const char *s, double font)
{
    double w;
    svgframe_fit(s ? s : "", font, INFINITY, &w);
    return w;
}

void svgframe_label(FILE *f, const char *s, double font, double max_px)
{
    if (!s) return;
    if (svgframe_text_width(s, font) <= max_px) {
        html_text(f, s);
        return;
    }
    double w;
    size_t keep = svgframe_fit(s, font, max_px - font, &w);
    fputs("<title>", f);
    html_text(f, s);
    fputs("</title>", f);
    html_text_n(f, s, keep);
    fputs("\xe2\x80\xa6", f);
}

double svgframe_clamp(double v, double lo, double hi)
{
    return v < lo ? lo : v > hi ? hi : v;
}

void svgframe_cell(char *buf, size_t cap, double v)
{
    if (isnan(v))
        buf[0] = '\0';
    else
        snprintf(buf, cap, "%.6g", v);
}

double svgframe_map(const SvgScale *s, double v)
{
    double span = s->d1 - s->d0;
    return span == 0 ? s->p0 : s->p0 + (v - s->d0) * (s->p1 - s->p0) / span;
}

/* Whether tick v lies inside the scale's data range (with rounding slack). */
static int svgframe_inside(const SvgScale *s, double v, double step)
{
    double lo = s->d0 < s->d1 ? s->d0 : s->d1, hi = s->d0 < s->d1 ? s->d1 : s->d0;
    return v >= lo - 1e-9 * step && v <= hi + 1e-9 * step;
}

void svgframe_axis_y(FILE *f, const SvgScale *y, double first, double step, int n, double x0, double x1)
{
    char lab[32];
    for (int k = 0; k < n; k++) {
        double v = first + k * step;
        if (!svgframe_inside(y, v, step)) continue;
        double py = svgframe_map(y, v);
        fprintf(f, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#e3e3e3\"/>", x0, py, x1, py);
        svgframe_format(lab, sizeof lab, v, step);
        fprintf(f, "<text x=\"%.1f\" y=\"%.1f\" dy=\".32em\" text-anchor=\"end\">%s</text>\n", x0 - 5, py, lab);
    }
}

void svgframe_axis_x(FILE *f, const SvgScale *x, double first, double step, int n, double y0)
{
    char lab[32];
    for (int k = 0; k < n; k++) {
        double v = first + k * step;
        if (!svgframe_inside(x, v, step)) continue;
        double px = svgframe_map(x, v);
        svgframe_format(lab, sizeof lab, v, step);
        fprintf(f, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#888\"/>", px, y0, px, y0 + 4);
        fprintf(f, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\">%s</text>\n", px, y0 + 16, lab);
    }
}

void svgframe_frame(FILE *f, double x0, double y0, double x1, double y1)
{
    fprintf(f, "<polyline class=\"frame\" points=\"%.1f,%.1f %.1f,%.1f %.1f,%.1f\" fill=\"none\" stroke=\"#888\"/>\n",
            x0, y1, x0, y0, x1, y0);
}

void svgframe_figure_begin(FILE *f, const char *kind, const char *title)
{
    fputs("<figure class=\"chart\"", f);
    html_attr(f, "data-chart", kind);
    fputs("><figcaption>", f);
    html_text(f, title);
    fputs("</figcaption>\n", f);
}

void svgframe_figure_end(FILE *f)
{
    fputs("</figure>\n", f);
}

void svgframe_legend_begin(FILE *f)
{
    fputs("<ul class=\"legend\">", f);
}

void svgframe_legend_line(FILE *f, const char *name, const char *color, const char *dash)
{
    fprintf(f,
            "<li><svg width=\"26\" height=\"10\" aria-hidden=\"true\"><line x1=\"1\" y1=\"5\" x2=\"25\" y2=\"5\" "
            "stroke=\"%s\" stroke-width=\"2.5\"",
            color);
    if (dash && *dash) fprintf(f, " stroke-dasharray=\"%s\"", dash);
    fputs("/></svg>", f);
    html_text(f, name);
    fputs("</li>", f);
}

void svgframe_legend_box(FILE *f, const char *name, const char *color, double opacity)
{
    fprintf(f,
            "<li><svg width=\"16\" height=\"12\" aria-hidden=\"true\"><rect x=\".5\" y=\".5\" width=\"15\" "
            "height=\"11\" fill=\"%s\" fill-opacity=\"%.2f\" stroke=\"#555\" stroke-width=\".5\"/></svg>",
            color, opacity);
    html_text(f, name);
    fputs("</li>", f);
}

void svgframe_legend_end(FILE *f)
{
    fputs("</ul>\n", f);
}

void svgframe_svg_begin(FILE *f, double w, double h, const char *label)
{
    fprintf(f,
            "<svg class=\"chart\" xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 %.0f %.0f\" "
            "width=\"%.0f\" height=\"%.0f\" font-size=\"12\" fill=\"#222\" role=\"img\"",
            w, h, w, h);
    html_attr(f, "aria-label", label);
    fputs(">\n", f);
}

void svgframe_svg_end(FILE *f)
{
    fputs("</svg>\n", f);
}

void svgframe_data_begin(FILE *f, int ncols, const char *const *header)
{
    html_details_begin(f, "Data table", 0);
    html_table_begin(f, NULL, ncols, header);
}

void svgframe_data_end(FILE *f)
{
    html_table_end(f);
    html_details_end(f);
}
