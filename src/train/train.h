/* train.h - a whole training run: data, model, epochs, validation, early
 * stopping, logs and checkpoints in cfg->output.dir, and resuming one. */
#ifndef ATTNCLF_TRAIN_H
#define ATTNCLF_TRAIN_H

#include "config.h"
#include "status.h"

/* How a run ended, for the command layer to report. */
typedef struct TrainSummary {
    int epochs;        /* epochs completed */
    int best_epoch;
    double best_acc;   /* -1 without validation data */
    int stopped_early;
} TrainSummary;

/* Trains from scratch with the resolved, validated config. Progress and the
 * per-epoch summary go to stderr unless quiet. */
int train_run(const Config *cfg, int quiet, TrainSummary *out, Status *st);
/* Continues the run in dir from dir/last.ckpt. `overrides` (n "key=value"
 * strings) may change train.epochs, train.patience, train.threads and
 * output.keep_checkpoints; anything else would not give the run it resumes. */
int train_resume(const char *dir, char *const *overrides, int n, int quiet, TrainSummary *out,
                 Status *st);
/* Async-signal-safe: asks a running train_run/train_resume to stop at the next
 * batch boundary, save a resumable last.ckpt and fail with a message naming
 * signo. For SIGINT/SIGTERM handlers. */
void train_request_stop(int signo);
/* Threads the run uses for cfg->train.threads (0 = all cores). */
int train_threads(int requested);

#endif
