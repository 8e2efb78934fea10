/* runlog.h - the per-epoch logs of a run, log.jsonl and log.csv, as a fit
 * observer: one row per epoch (epoch, train_loss, train_acc, valid_loss,
 * valid_acc, lr, seconds, tokens_per_sec, valid_macro_f1), flushed as it is written. */
#ifndef ATTNCLF_RUNLOG_H
#define ATTNCLF_RUNLOG_H

#include <stdio.h>

#include "fit.h"
#include "status.h"

typedef struct RunLog {
    FILE *json, *csv;
    char *dir;
} RunLog;

/* Opens both logs in dir; a resumed run keeps the header and the first `keep`
 * epoch rows, so the logs match those of an uninterrupted run. */
int runlog_open(RunLog *l, const char *dir, int keep, Status *st);
void runlog_close(RunLog *l);
FitObserver runlog_observer(RunLog *l);
/* Reads the rows of a log.jsonl back (*rows malloc'd, [*n]); a field that is
 * missing or null reads as NaN (valid_* without validation data, has_valid 0).
 * Errors name the file and line. */
int runlog_read(const char *path, FitEpoch **rows, int *n, Status *st);

#endif
