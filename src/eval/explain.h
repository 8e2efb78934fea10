/* explain.h - what a scored document's answer is made of, as data: the top
 * labels with their probabilities, and with tokens each sequence position's text
 * and attention weight (the mean over heads, and per head) and what the naive
 * Bayes member added to each label's logit. The command layer's text and JSON
 * writers, and the report, show the same struct. */
#ifndef ATTNCLF_EXPLAIN_H
#define ATTNCLF_EXPLAIN_H

#include <stddef.h>
#include <stdint.h>

#include "classifier.h"

typedef struct Explanation {
    int C, k;
    int *top;             /* [k] label ids, most probable first (ties: lower id) */
    const float *probs;   /* [C] */
    int T, H;             /* positions explained (0 without tokens), heads */
    const float *alpha;   /* [H,T] attention weights per head; with the self-attention
                             encoder, the pooling's weights mapped back to the
                             positions by attention rollout (selfattn_explain) */
    double *weight;       /* [T] their mean over heads */
    char *text;           /* token texts, each NUL-terminated */
    size_t *text_at;      /* [T] where each position's text starts in `text` */
    const int32_t *first; /* [T] the word each position starts at (encoder.h's sequence) */
    const uint8_t *order; /* [T] its words: 1 for a word, k for a k-gram */
    const float *member;  /* [C] the naive Bayes member's logits, NULL without one */
    float *rolled, *work; /* [H,T] and selfattn_explain's work, with the encoder */
    int thresholded;      /* explain_select was called: set holds the labels that passed */
    int n_set;
    int *set;             /* [n_set] labels whose probability passed their threshold, best first */
    int cap_top, cap_t, cap_set;
    size_t cap_text, cap_rolled, cap_work;
} Explanation;

void explain_init(Explanation *e);
void explain_free(Explanation *e);
/* From the document last scored with s (classifier_score_text): the k best labels
 * (k <= C), and with tokens != 0 the positions' texts and weights. The pointers
 * into s stay valid until s scores another document. */
void explain_build(Explanation *e, const Classifier *c, const ClassifierScratch *s, int k, int tokens);
/* After explain_build: the labels whose probability is >= threshold, or with
 * threshold < 0 >= the classifier's own per-label thresholds (calibration.h),
 * best first (ties: lower id), at most k (k <= 0: no cap); possibly none, except
 * with threshold < 0 and a calibration whose min_labels is 1: then at least the
 * top label. */
void explain_select(Explanation *e, const Classifier *c, float threshold, int k);
/* Position t's text: a word, or an n-gram's words joined with spaces. */
static inline const char *explain_token(const Explanation *e, int t)
{
    return e->text + e->text_at[t];
}

#endif
