/* tokshade.h - a document's tokens as HTML <span>s shaded by attention weight.
 *
 * Each token is <span class="tk" title="0.44%">token</span>, titled with its
 * weight as a share of the attention (and each head's), whose background
 * opacity is its weight divided by the document's largest weight, so the token
 * the model looked at most is fully shaded whatever the document's length.
 * The mean over heads shows first; with several heads, a row of radio buttons
 * switches to one head's weights with CSS alone (:checked ~ sibling rules in
 * tokshade_css), so it works without JavaScript, which the page's CSP forbids.
 * Tokens wrap like text, including CJK (no space is put between two CJK
 * tokens) and overlong words; past max_tokens the rest is counted, not shown.
 *
 * The page must carry tokshade_css: html_page_begin(f, title, tokshade_css). */
#ifndef ATTNCLF_TOKSHADE_H
#define ATTNCLF_TOKSHADE_H

#include <stddef.h>
#include <stdio.h>

#include "status.h"

/* Heads beyond this many are in the mean but get no button of their own. */
#define TOKSHADE_MAX_HEADS 16

extern const char tokshade_css[];

typedef struct TokshadeDoc {
    const char *id;            /* unique on the page: names the radio group ([A-Za-z0-9_-]) */
    const char *const *tokens; /* [n_tokens] UTF-8 (any bytes: escaped) */
    const size_t *token_len;   /* [n_tokens] byte lengths, or NULL for NUL-terminated tokens */
    int n_tokens;
    const float *weights; /* [n_heads, n_tokens] attention weights in [0,1] */
    int n_heads;
    int max_tokens; /* show the first max_tokens tokens; 0 = all */
    /* A weight up to this is unshaded and the shade grows from it to the
     * largest: 0 shades from nothing; 1/n_tokens (weights that sum to 1) shades
     * only what drew more than an even share, so the peaks of an attention
     * that is near even over a long document still show. */
    double baseline;
} TokshadeDoc;

/* Writes <div class="tsdoc"> with the head switch (when n_heads > 1) and the
 * tokens. Fails only on a bad shape: n_tokens or n_heads < 0 (or n_heads 0 with
 * tokens), a NULL array, an id with other characters. Non-finite or negative
 * weights count as 0. */
int tokshade_write(FILE *f, const TokshadeDoc *d, Status *st);
/* A one-line key: "attention weight" with swatches from none to the largest. */
void tokshade_legend(FILE *f);
/* The key of documents shaded from an even share (baseline 1/n_tokens). */
void tokshade_legend_even(FILE *f);

#endif
