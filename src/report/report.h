/* report.h - the report: one self-contained HTML page (html.h) about a
 * trained classifier on a labelled set of documents, from plain structs:
 * the training log's rows (and a tuning run's trials), the metrics, the
 * shown documents' explanations, what each class keys on, and the run's
 * facts. It writes to the caller's FILE* and nowhere else.
 *
 * The page: key figures; training curves (loss, accuracy, lr, tokens/s per
 * epoch, the best epoch marked; a tuning run's scores over time); the
 * confusion matrix and per-class precision/recall/F1 sorted by F1; the
 * reliability diagram (15 bins, with the ECE) and a confidence histogram;
 * the shown documents with attention shading (docview.h); a bar chart per
 * class of what it keys on; the model, data files, config, version and
 * command line. Each chart carries its numbers as a table. */
#ifndef ATTNCLF_REPORT_H
#define ATTNCLF_REPORT_H

#include <stdint.h>
#include <stdio.h>

#include "explain.h"
#include "fit.h"
#include "metrics.h"
#include "status.h"
#include "tunelog.h"

/* Reliability diagram bins (the and Guo et al.'s 15) and histogram bins. */
#define REPORT_RELIABILITY_BINS 15
#define REPORT_HISTOGRAM_BINS 20

typedef struct ReportFile {
    const char *path;
    const char *role;  /* "training", "validation", "evaluated" ... */
    int64_t rows;      /* < 0: not counted (note says why) */
    const char *note;  /* NULL or e.g. "2,500 rows held out for validation" */
} ReportFile;

typedef struct ReportModel {
    const char *path;
    int64_t bytes, params, rows, vocab, buckets;
    int dim, heads, classes, ngrams, bayes;
    const char *attention;  /* "dot", "additive", "dot + context + gate" ... */
} ReportModel;

typedef struct ReportDoc {
    const Explanation *e;  /* with tokens */
    int64_t index;         /* the document's place in the evaluated set, from 0 */
    int32_t truth, pred;
} ReportDoc;

typedef struct ReportKeyword {
    const char *text;
    double score;   /* summed contribution to the class's logit (keywords.h) */
    int64_t count;  /* occurrences */
} ReportKeyword;

typedef struct Report {
    const char *title;
    const char *source;     /* which documents were scored: "test.csv", "the run's validation split of train.csv" */
    /* training: rows of log.jsonl (may be 0, with log_note saying why) */
    const FitEpoch *epochs;
    int n_epochs;
    int best_epoch;           /* the epoch the scored checkpoint is from; 0: unknown */
    const char *log_note;
    const TuneTrial *trials;  /* [n_trials], 0 without a tuning run */
    int n_trials;
    /* results on the evaluated documents */
    const Metrics *m;
    const char *const *labels;  /* [m->K] display names: training labels, then unknown ones */
    double loss;                /* mean cross-entropy */
    int64_t n;
    const float *conf;             /* [n] the predicted label's probability */
    const unsigned char *correct;  /* [n] */
    const ReportDoc *errors, *right;
    int n_errors, n_right;
    int max_words;                     /* words shown per document */
    /* what each class keys on: by summed contribution, and per occurrence
     * among rows seen at least keyword_min_count times */
    const ReportKeyword *keywords, *keywords_each; /* [m->C, max_keywords] */
    const int *n_keywords, *n_keywords_each;       /* [m->C] */
    int max_keywords;
    int64_t keyword_min_count;
    /* the run */
    const ReportModel *model;
    const ReportFile *files;
    int n_files;
    const char *config_json, *version, *command_line;
} Report;

/* Fails only on inconsistent input (a chart's impossible shape); the caller
 * checks ferror(f) for the writes. */
int report_write(FILE *f, const Report *r, Status *st);

#endif
