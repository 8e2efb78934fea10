/* review.h - a classifier's answers on a labelled set of texts, kept for a
 * report: every document's prediction and confidence, the metrics, the most
 * confident errors and a spread of correct answers with their explanations,
 * and what each class keys on (keywords.h). Documents are tokenized, encoded
 * and scored on several threads through classifier_score, as eval does; only
 * the shown documents are explained (scored once more, alone), so memory
 * does not grow with what is not shown. The result does not depend on the
 * number of threads. */
#ifndef ATTNCLF_REVIEW_H
#define ATTNCLF_REVIEW_H

#include <stdint.h>

#include "classifier.h"
#include "explain.h"
#include "metrics.h"
#include "status.h"
#include "textset.h"

typedef struct ReviewOptions {
    int examples;  /* errors and correct documents kept, each */
    int keywords;  /* rows per class */
    int threads;   /* >= 1 */
} ReviewOptions;

/* A shown document: its explanation (with tokens), whose probs, alpha, first
 * and order point into this struct's own copies. */
typedef struct ReviewDoc {
    int64_t index;  /* row of the TextSet */
    int32_t truth, pred;
    Explanation e;
    float *probs, *alpha;
    int32_t *first;
    uint8_t *order;
} ReviewDoc;

typedef struct ReviewKey {
    char *text;     /* the word, the n-gram's words joined by spaces, or a note for UNK */
    double score;   /* keywords.h's centred sum */
    int64_t count;  /* occurrences */
} ReviewKey;

typedef struct Review {
    int C, K;               /* training labels; with labels training never saw */
    int64_t n;
    int32_t *truth, *pred;  /* [n] */
    float *conf;            /* [n] the predicted label's probability */
    unsigned char *correct; /* [n] */
    double loss;            /* mean cross-entropy over the documents with a training label */
    int64_t positions;      /* sequence positions scored */
    Metrics metrics;
    ReviewDoc *errors, *right; /* the most confident errors first; correct ones from the
                                * most to the least confident, at evenly spaced ranks */
    int n_errors, n_right;
    /* What each class keys on (keywords.h): the rows with the largest summed
     * contribution, and with the largest per occurrence among the rows seen
     * at least min_count = max(5, n / 100) times. */
    ReviewKey *keys, *keys_each; /* [C, max_keys] */
    int *n_keys, *n_keys_each;   /* [C] */
    int max_keys;
    int64_t min_count;
} Review;

/* Scores every row of ts; unknown is the number of labels ts holds that
 * training never saw (ids C .. C + unknown - 1). */
int review_run(Review *r, const Classifier *c, const TextSet *ts, int unknown, const ReviewOptions *o, Status *st);
void review_free(Review *r);

#endif
