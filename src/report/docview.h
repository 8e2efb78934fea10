/* docview.h - one scored document as a page shows it: a heading, its top
 * labels with their probabilities, the words it attended to most, and its
 * words shaded by attention (tokshade.h), for the report and predict --html.
 *
 * The network attends over sequence positions, which interleave words and the
 * n-grams ending at them (encoder.h); a page shows the words, so each word's
 * weight is its own plus an equal share of every n-gram it is part of
 * (w_i = alpha_i + sum over n-grams g containing i of alpha_g / |g|, per
 * head). The shares of a document still sum to 1 per head, and a word is
 * shaded by how far its share exceeds an even one (1 / words), up to the
 * document's largest (tokshade_legend_even is the key): attention is often near
 * even over a long review, and its peaks are what a reader looks for. */
#ifndef ATTNCLF_DOCVIEW_H
#define ATTNCLF_DOCVIEW_H

#include <stdio.h>

#include "explain.h"
#include "status.h"

typedef struct DocView {
    const char *id;             /* unique on the page, [A-Za-z0-9_-] */
    const char *heading;        /* an <h3> (escaped), or NULL */
    const Explanation *e;       /* built with tokens */
    const char *const *labels;  /* [e->C] display names */
    int max_words;              /* words shown; the rest are counted; 0 = all */
} DocView;

/* The words attended to most: up to this many, each by its most attended occurrence. */
#define DOCVIEW_TOP_WORDS 6

int docview_write(FILE *f, const DocView *d, Status *st);

#endif
