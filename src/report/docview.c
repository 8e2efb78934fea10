/* docview.c - see docview.h. */
#include "docview.h"

#include <stdlib.h>
#include <string.h>

#include "html.h"
#include "mem.h"
#include "tokshade.h"

/* The words of e: texts [W] (pointing into e) and per-head weights [H, W]. */
typedef struct Words {
    int W, H;
    const char **text;
    float *w;
} Words;

static void docview_words(const Explanation *e, Words *out)
{
    const int T = e->T, H = e->H;
    int W = 0;
    for (int t = 0; t < T; t++)
        if (e->order[t] == 1 && e->first[t] + 1 > W) W = e->first[t] + 1;
    out->W = W;
    out->H = H;
    out->text = xcalloc((size_t)W + 1, sizeof *out->text);
    out->w = xcalloc((size_t)H * W + 1, sizeof *out->w);
    for (int t = 0; t < T; t++) {
        const int k = e->order[t], at = e->first[t];
        if (k == 1) out->text[at] = explain_token(e, t);
        for (int h = 0; h < H; h++) {
            const float share = e->alpha[(size_t)h * T + t] / (float)k;
            for (int j = 0; j < k && at + j < W; j++) out->w[(size_t)h * W + at + j] += share;
        }
    }
}

typedef struct WordWeight {
    const char *text;
    double w;
} WordWeight;

static int docview_by_text(const void *a, const void *b)
{
    return strcmp(((const WordWeight *)a)->text, ((const WordWeight *)b)->text);
}

static int docview_by_weight(const void *a, const void *b)
{
    const WordWeight *x = a, *y = b;
    if (x->w != y->w) return x->w > y->w ? -1 : 1;
    return strcmp(x->text, y->text);
}

/* "Most attention: stock 12.1% · rose 8.0% · ...": the distinct words by the
 * mean weight over heads of their most attended occurrence (summing the
 * occurrences would put "." and "the" first in any long review). */
static void docview_top_words(FILE *f, const Words *ws)
{
    if (ws->W == 0) return;
    WordWeight *s = xmalloc((size_t)ws->W * sizeof *s);
    for (int i = 0; i < ws->W; i++) {
        double m = 0;
        for (int h = 0; h < ws->H; h++) m += ws->w[(size_t)h * ws->W + i];
        s[i] = (WordWeight){ws->text[i] ? ws->text[i] : "", m / ws->H};
    }
    qsort(s, (size_t)ws->W, sizeof *s, docview_by_text);
    int u = 0;
    for (int i = 0; i < ws->W; i++) {
        if (u > 0 && strcmp(s[u - 1].text, s[i].text) == 0) {
            if (s[i].w > s[u - 1].w) s[u - 1].w = s[i].w;
        } else
            s[u++] = s[i];
    }
    qsort(s, (size_t)u, sizeof *s, docview_by_weight);
    fputs("<p class=\"note\">Most attention: ", f);
    for (int i = 0; i < u && i < DOCVIEW_TOP_WORDS; i++) {
        fputs(i ? " \xc2\xb7 " : "", f); /* a middle dot: a word may be a comma */
        fputs("<b>", f);
        html_text(f, s[i].text);
        fprintf(f, "</b> %.1f%%", 100.0 * s[i].w);
    }
    fputs("</p>\n", f);
    free(s);
}

int docview_write(FILE *f, const DocView *d, Status *st)
{
    const Explanation *e = d->e;
    if (!e || e->H < 1 || (e->T > 0 && (!e->first || !e->order || !e->alpha)))
        return status_error(st, "docview_write: an explanation without tokens");
    fputs("<article class=\"doc\">\n", f);
    if (d->heading) html_elem(f, "h3", NULL, d->heading);
    fputs("<p class=\"note\">", f);
    for (int i = 0; i < e->k; i++) {
        fputs(i ? " \xc2\xb7 " : "", f);
        html_text(f, d->labels[e->top[i]]);
        fprintf(f, " %.1f%%", 100.0 * e->probs[e->top[i]]);
    }
    fputs("</p>\n", f);
    Words ws;
    docview_words(e, &ws);
    docview_top_words(f, &ws);
    TokshadeDoc td = {.id = d->id,
                      .tokens = ws.text,
                      .n_tokens = ws.W,
                      .weights = ws.w,
                      .n_heads = ws.H,
                      .max_tokens = d->max_words,
                      .baseline = ws.W > 0 ? 1.0 / ws.W : 0};
    int rc = tokshade_write(f, &td, st);
    fputs("</article>\n", f);
    free(ws.text);
    free(ws.w);
    return rc;
}
