/* fmt.h - the command layer's writers of results: predictions and their
 * explanations, and evaluation metrics, each as text and as JSON. */
#ifndef ATTNCLF_FMT_H
#define ATTNCLF_FMT_H

#include <stdio.h>

#include "explain.h"
#include "metrics.h"
#include "vocab.h"

/* LABEL<TAB>PROB per top label, then with explain a field of token(weight)
 * items (n-grams joined by '_'); one line. */
void fmt_prediction_plain(FILE *f, const Explanation *e, const Vocab *labels, int explain);
/* {"label", "prob", "top": [...]} and with explain "tokens" (each with its weight
 * and per-head weights) and "bayes" (the member's logits); one line. */
void fmt_prediction_json(FILE *f, const Explanation *e, const Vocab *labels, int explain);

/* Accuracy, macro-F1, the per-class table and the confusion matrix. Labels the
 * model never saw (ids >= labels->n) are named from unknown. */
void fmt_metrics_table(FILE *f, const Metrics *m, const Vocab *labels, const Vocab *unknown);
/* One JSON object: accuracy, macro_f1, n, per_class, confusion. */
void fmt_metrics_json(FILE *f, const Metrics *m, const Vocab *labels, const Vocab *unknown);

#endif
