/* neighbors.h - the vocabulary's words nearest to a query by cosine similarity
 * of their embedding rows, as the network sees them (decoded from a quantized
 * model's codes, rebuilt for an exported model's untouched rows). A query is a
 * text: the sum of the rows of its vocabulary words, which are then left out of
 * the answer (one word: that word's row). */
#ifndef ATTNCLF_NEIGHBORS_H
#define ATTNCLF_NEIGHBORS_H

#include <stddef.h>
#include <stdint.h>

#include "classifier.h"

typedef struct Neighbors {
    int64_t n;    /* vocabulary words */
    int dim;
    float *unit;  /* [n,dim] each word's row over its norm */
    uint8_t *ok;  /* [n] 0: a zero or skipped row, never an answer */
} Neighbors;

void neighbors_init(Neighbors *nb, const Classifier *c);
void neighbors_free(Neighbors *nb);

/* What one query needs. */
typedef struct NeighborsQuery {
    float *q;         /* [dim] the query vector */
    int64_t *words;   /* [n_words] the query's vocabulary words, ascending */
    int64_t n_words, cap_words;
    int64_t *ids;     /* [k] the answer, nearest first (equal similarity: lower id first) */
    float *sims;      /* [k] */
    int k, n;         /* asked for, found */
    TokenList tl;
} NeighborsQuery;

void neighbors_query_init(NeighborsQuery *q, const Neighbors *nb, int k);
void neighbors_query_free(NeighborsQuery *q);
/* Tokenizes text with c's tokenizer, sums the rows of its vocabulary words and
 * finds the q->k nearest other words. Returns the number of known words in the
 * text (0: no answer). */
int64_t neighbors_find(const Neighbors *nb, const Classifier *c, const char *text, size_t len, NeighborsQuery *q);

#endif
