/* rundir.h - a training run's directory: it is made (with checkpoints/ and the
 * resolved config.json) and locked for the run, so two runs never write into one
 * directory; a new run never replaces an old one's files unless forced, which
 * clears them first. As a fit observer it writes each epoch's checkpoint, points
 * last.ckpt and best.ckpt at the right ones, keeps the newest
 * output.keep_checkpoints epoch files, writes model.bin (the best epoch's model
 * for inference only, fit_export) beside best.ckpt, and on an interruption
 * leaves a resumable last.ckpt. */
#ifndef ATTNCLF_RUNDIR_H
#define ATTNCLF_RUNDIR_H

#include "fit.h"
#include "status.h"

typedef enum {
    RUNDIR_NEW = 0,  /* a fresh run: refused where a run's files are */
    RUNDIR_FORCE,    /* a fresh run that first removes an old run's files */
    RUNDIR_RESUME    /* the run that is there goes on */
} RunDirMode;

typedef struct RunDir {
    char *dir;
    int keep;            /* epoch files kept */
    char *config_json;   /* stored in every checkpoint */
    int lock_fd;         /* flock'ed dir/.lock, held until rundir_close */
    uint64_t seed;       /* train.seed: model.bin leaves out the rows still at their initial values */
} RunDir;

/* Makes dir and dir/checkpoints and locks dir (an error names the process that
 * holds it); a fresh run also writes config.json. */
int rundir_open(RunDir *d, const char *dir, int keep, uint64_t seed, const char *config_json, RunDirMode mode,
                Status *st);
void rundir_close(RunDir *d);
/* The config the run's checkpoints and config.json hold from now on (tune
 * decides it after the directory is made). */
int rundir_set_config(RunDir *d, const char *config_json, Status *st);
FitObserver rundir_observer(RunDir *d);

#endif
