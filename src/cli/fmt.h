/* fmt.h - the command layer's writers of results: predictions and their
 * explanations, and evaluation metrics, each as text and as JSON. */
#ifndef ATTNCLF_FMT_H
#define ATTNCLF_FMT_H

#include <stdio.h>

#include "explain.h"
#include "metrics.h"
#include "rankmetrics.h"
#include "setmetrics.h"
#include "vocab.h"

/* LABEL<TAB>PROB per top label (per label that passed the threshold, when
 * thresholded: maybe none), then with explain a field of token(weight) items
 * (n-grams joined by '_'); one line. */
void fmt_prediction_plain(FILE *f, const Explanation *e, const Vocab *labels, int explain);
/* {"label", "prob", "top": [...]}, when thresholded "labels": [{"label",
 * "prob"}...], and with explain "tokens" (each with its weight and per-head
 * weights) and "bayes" (the member's logits); one line. */
void fmt_prediction_json(FILE *f, const Explanation *e, const Vocab *labels, int explain);
/* fastText's predict-prob line: PREFIXLABEL PROB per label that passed, space-separated. */
void fmt_prediction_fasttext(FILE *f, const Explanation *e, const Vocab *labels, const char *prefix);

/* Accuracy, macro-F1, the per-class table and the confusion matrix. Labels the
 * model never saw (ids >= labels->n) are named from unknown. */
void fmt_metrics_table(FILE *f, const Metrics *m, const Vocab *labels, const Vocab *unknown);
/* One JSON object: accuracy, macro_f1, n, per_class, confusion. */
void fmt_metrics_json(FILE *f, const Metrics *m, const Vocab *labels, const Vocab *unknown);

/* What eval adds: the quality of the probabilities always, fastText's P@k and
 * R@k with --top-k, and the label-set metrics at a threshold. */
typedef struct EvalExtra {
    double log_loss, ece;
    const RankMetrics *rank;  /* NULL: none */
    const SetMetrics *set;    /* NULL: none */
    float threshold;          /* of set; < 0: the per-label thresholds ("auto") */
    int tuned;                /* with auto: labels with a threshold of their own */
    int min_labels;           /* with auto: 1 when every document also gets its top label */
} EvalExtra;
/* m (the top label against the first true label; NULL for a label-set model)
 * as fmt_metrics_table prints it, with log_loss and ece after macro_f1; with a
 * set, its micro and macro figures and per-label table in place of macro-F1
 * and m's per-class table (m's accuracy and confusion matrix stay). */
void fmt_eval_table(FILE *f, const Metrics *m, const EvalExtra *x, const Vocab *labels, const Vocab *unknown);
/* The same as one JSON object: fmt_metrics_json's keys (accuracy and confusion
 * only with m), log_loss, ece; precision_at_k, recall_at_k, k; micro_precision,
 * micro_recall, micro_f1, threshold, and macro_f1 and per_class of the set. */
void fmt_eval_json(FILE *f, const Metrics *m, const EvalExtra *x, const Vocab *labels, const Vocab *unknown);

#endif
