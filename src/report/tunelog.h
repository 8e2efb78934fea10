/* tunelog.h - a tuning run's trials as the report reads them: tune.jsonl
 * beside log.jsonl, one JSON object per trial, in the order they ran, as
 * `attnclf tune` writes them (app/tune.c):
 *   {"trial": 3, "settings": {"train.lr": 0.01}, "metric": "accuracy",
 *    "value": 0.9102, "valid_loss": 0.31, "epochs": 8, "best_epoch": 6,
 *    "pruned": false, "seconds": 41.5}
 * "trial" is required; "value" (the score the tuner maximises; null for a trial
 * that failed; a numeric "metric" stands for it when there is no "value") and
 * "seconds" (its wall time) may be missing or null. The other fields but the
 * metric's name, valid_loss and best_epoch (the trial's settings, how far it
 * ran) are kept as text, "key=value" joined by ", ", an object's members taken
 * one level down ("settings": {"train.lr": 0.01} reads "train.lr=0.01").
 * A row with a "fold" number above 0 is a finalist's run on another split
 * (tune --folds): not a trial of its own, but one of the folds of the trial it
 * names, as tune counts them: the folds every finalist completed (a row
 * "pruned" by the budget did not), a failed run (a negative value) scoring 0,
 * and not the trial's own (fold 0, where the finalists were picked).
 * A last row {"trial": N, "chosen": true, ...} names the trial tune chose. */
#ifndef ATTNCLF_TUNELOG_H
#define ATTNCLF_TUNELOG_H

#include "status.h"

/* tune --folds' most. */
#define TUNELOG_MAX_FOLDS 10

typedef struct TuneTrial {
    int trial;
    double metric;   /* NaN: none */
    double seconds;  /* NaN: none */
    char *detail;    /* the other fields as text (owned) */
    int folds;       /* the other folds its mean is over: 0 unless it was a finalist */
    double fold_mean; /* its metric's mean over them (its metric when folds is 0) */
    int chosen;      /* the row that says so named this trial */
    /* While reading: the fold a row is of (0 for a trial) and whether the budget stopped it. */
    int fold, pruned;
    double fold_metric[TUNELOG_MAX_FOLDS]; /* by fold; [0] unused */
} TuneTrial;

/* The trial tune chose: the one named so, else (an older tune.jsonl) the best
 * metric (the first of equals); -1 when none has a metric. */
int tunelog_best(const TuneTrial *rows, int n);

/* *rows malloc'd [*n]; errors name the file and line. */
int tunelog_read(const char *path, TuneTrial **rows, int *n, Status *st);
void tunelog_free(TuneTrial *rows, int n);

#endif
