/* rundir.h - a training run's directory: it is made (with checkpoints/ and the
 * resolved config.json), and as a fit observer it writes each epoch's
 * checkpoint, points last.ckpt and best.ckpt at the right ones, keeps the newest
 * output.keep_checkpoints epoch files, and on an interruption leaves a
 * resumable last.ckpt. */
#ifndef ATTNCLF_RUNDIR_H
#define ATTNCLF_RUNDIR_H

#include "fit.h"
#include "status.h"

typedef struct RunDir {
    char *dir;
    int keep;            /* epoch files kept */
    char *config_json;   /* stored in every checkpoint */
} RunDir;

/* Makes dir and dir/checkpoints; a fresh run (not a resume) also writes config.json. */
int rundir_open(RunDir *d, const char *dir, int keep, const char *config_json, int fresh, Status *st);
void rundir_close(RunDir *d);
FitObserver rundir_observer(RunDir *d);

#endif
