/* keywords.h - what each class keys on: how much each embedding row (a word,
 * or a hashed n-gram bucket) added to each class's logit, summed over every
 * position of every document scored.
 *
 * The network's logits are l_c = b_c + sum_t sum_h alpha_ht W_ch . v_t (z_h =
 * sum_t alpha_ht v_t is the pooled vector, W_ch the class-c weights of head h,
 * v_t the value: the token's embedding, or with model.gate the gated one), so
 * position t adds a_ct = sum_h alpha_ht W_ch . v_t to l_c, exactly. A row's
 * score for class c is the sum of a_ct over its occurrences, minus the mean of
 * that sum over the classes: softmax ignores what a word adds to every logit
 * alike, so what remains is how far it pushes c ahead of the others (the
 * scores of a row sum to 0 over the classes).
 *
 * Without the gate v_t is the row's embedding e_r, so sum_t a_ct = sum_h
 * (sum_t alpha_ht) W_ch . e_r: only each row's attention mass per head is
 * summed (H numbers a row, whatever the classes); with it, a_ct itself
 * (C numbers). Sums are in fixed point (2^-32 of attention mass, 2^-24 of a
 * logit) with integer adds, so they do not depend on the order of the
 * documents or the number of threads. */
#ifndef ATTNCLF_KEYWORDS_H
#define ATTNCLF_KEYWORDS_H

#include <stdint.h>

#include "model.h"

/* One thread's sums over the rows of a model. */
typedef struct KeywordSums {
    int64_t rows;
    int P;            /* numbers a row: heads (attention mass), or classes (with the gate) */
    int by_class;     /* P counts classes */
    /* [rows, P + 2], a row's numbers side by side (one cache line to touch):
     * P fixed-point sums, two's complement (adds wrap, totals are exact), the
     * occurrences, and 1 + (doc << 32 | position) of the first one (0: none). */
    uint64_t *cell;
} KeywordSums;

/* Zeroed sums for m's rows: threads x rows x (8P + 16) bytes in all (IMDB with
 * 2 heads: 68 MB a thread), touched only where a row occurs. */
void keywords_init(KeywordSums *k, const Model *m);
void keywords_free(KeywordSums *k);
/* Adds the positions of document `doc` as last scored by model_forward: ids
 * [n] its bags of rows (kernels.h; T = kernel_bag_count positions), alpha
 * [H,T], v [T,d] the gated values (used only with the gate); a row of a bag of
 * several has its share of the position (1/size, the bag being their mean). */
void keywords_add(KeywordSums *k, const Model *m, int64_t doc, const int32_t *ids, int n, const float *alpha,
                  const float *v);
/* Asks for the cells of rows ids [T] to be brought into cache: called before a
 * document is scored, they arrive while it is (the table is far larger than
 * any cache, and every position of keywords_add would otherwise wait). */
void keywords_prefetch(const KeywordSums *k, const int32_t *ids, int T);
/* Adds b's sums and counts to a; a keeps the earlier first occurrence. */
void keywords_merge(KeywordSums *a, const KeywordSums *b);
/* sum_t a_ct over the occurrences of row, per class (not centred): out [C]. */
void keywords_contribution(const KeywordSums *k, const Model *m, int64_t row, double *out);

typedef struct Keyword {
    int64_t row;
    double score;   /* centred sum, as above (or its mean per occurrence) */
    int64_t count;
    int64_t doc;    /* first occurrence: document and sequence position */
    int pos;
} Keyword;

/* For each class c, the (up to) n rows with the largest positive score, best
 * first (ties: lower row): out [C, n], found [C]. With per_occurrence the
 * score is divided by the row's occurrences and only rows occurring at least
 * min_count times compete: the strongest cues rather than the most used. */
void keywords_top(const KeywordSums *k, const Model *m, int n, int per_occurrence, int64_t min_count, Keyword *out,
                  int *found);

#endif
