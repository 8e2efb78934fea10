/* tunelog.h - a tuning run's trials as the report reads them: tune.jsonl
 * beside log.jsonl, one JSON object per trial, in the order they ran:
 *   {"trial": 3, "metric": 0.9102, "seconds": 41.5, <anything else>}
 * "trial" is required; "metric" (the score the tuner maximises; null for a
 * trial that failed) and "seconds" (its wall time) may be missing or null. The
 * other fields (the trial's settings) are kept as text, "key=value" joined by
 * ", ", an object's members taken one level down ("params": {"lr": 0.01} reads
 * "lr=0.01"). */
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
