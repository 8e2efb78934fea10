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
 * one level down ("settings": {"train.lr": 0.01} reads "train.lr=0.01"). */
#ifndef ATTNCLF_TUNELOG_H
#define ATTNCLF_TUNELOG_H

#include "status.h"

typedef struct TuneTrial {
    int trial;
    double metric;   /* NaN: none */
    double seconds;  /* NaN: none */
    char *detail;    /* the other fields as text (owned) */
} TuneTrial;

/* *rows malloc'd [*n]; errors name the file and line. */
int tunelog_read(const char *path, TuneTrial **rows, int *n, Status *st);
void tunelog_free(TuneTrial *rows, int n);

#endif
