/* rundir.h - a training run's directory: it is made (with checkpoints/ and the
 * resolved config.json) and locked for the run, so two runs never write into one
 * directory; a new run never replaces an old one's files unless forced, which
 * clears them first. As a fit observer it writes the run's checkpoints (when:
 * below), points last.ckpt and best.ckpt at the right ones, keeps the newest
 * output.keep_checkpoints epoch files, writes model.bin (the best epoch's model
 * for inference only, with the rows as int8 differences, EMBED_I8D, which is
 * what `attnclf export` writes by default) beside best.ckpt, and on an interruption
 * leaves a resumable last.ckpt.
 *
 * Resumable checkpoints are taken at epoch ends, every epoch with
 * output.keep_checkpoints > 0, else once output.checkpoint_every seconds have
 * passed since the last one (0: every epoch), and always at the run's end and
 * on a signal: each costs a copy of the parameters and both Adam moments, and
 * writing them, which the next epoch's training competes with. An improved
 * epoch between them keeps a copy of its model (no moments) until the next
 * one writes it as best.ckpt, so best.ckpt is always the best epoch up to
 * last.ckpt's. A checkpoint that is not the run's last is written in the
 * background while the next epoch trains: its tensors are first copied (so
 * the file holds exactly the state at the epoch's end), and the next
 * checkpoint waits for it and reports its failure. Files appear in this
 * order: a complete epoch file, then last.ckpt pointing at it, then best.ckpt
 * when the epoch improved. model.bin is made once, when the run ends
 * (finished, stopped early or by a signal), from the best epoch; it is removed
 * whenever best.ckpt is replaced, so a model.bin that is there is always
 * best.ckpt's model (a run killed outright leaves best.ckpt without it, which
 * `--resume` or `export` makes). The run's last epoch writes last.ckpt on the
 * training thread beside best.ckpt and model.bin on the other. */
#ifndef ATTNCLF_RUNDIR_H
#define ATTNCLF_RUNDIR_H

#include <pthread.h>
#include <stddef.h>

#include "ckpt.h"
#include "fit.h"
#include "status.h"

typedef enum {
    RUNDIR_NEW = 0,  /* a fresh run: refused where a run's files are */
    RUNDIR_FORCE,    /* a fresh run that first removes an old run's files */
    RUNDIR_RESUME    /* the run that is there goes on */
} RunDirMode;

/* What the output keys ask of a run's directory. */
typedef struct RunDirOptions {
    int keep;     /* output.keep_checkpoints: epoch files kept (then every epoch is checkpointed) */
    double every; /* output.checkpoint_every: seconds between resumable checkpoints, 0 = every epoch */
} RunDirOptions;

/* A checkpoint being written by the background thread. */
typedef struct RunDirJob {
    CkptWriter w;          /* its sections, owning their bytes */
    CkptWriter best;       /* best.ckpt's (the model without the Adam moments); no sections: none written */
    const Classifier *clf; /* the run's last epoch: the model, as best.ckpt holds it when improved */
    int epoch, improved, last;
    int rc;                /* the thread's result */
    Status st;
} RunDirJob;

typedef struct RunDir {
    char *dir;
    RunDirOptions o;
    double t_saved;      /* clock_seconds() of the last resumable checkpoint, or of the run's start */
    char *config_json;   /* stored in every checkpoint */
    int lock_fd;         /* flock'ed dir/.lock, held until rundir_close */
    uint64_t seed;       /* train.seed: model.bin leaves out the rows still at their initial values */
    int ship_pending;    /* best.ckpt is there and model.bin is not: the run's end makes it */
    pthread_t writer;
    int writing;         /* the writer thread runs job */
    RunDirJob job;
    unsigned char *copy; /* [copy_cap] the tensors of the checkpoints being written */
    size_t copy_cap;
    CkptWriter pend;     /* best.ckpt's sections of an improved epoch not yet written, detached; n 0: none */
    unsigned char *pend_copy; /* [pend_cap] their tensors */
    size_t pend_cap;
} RunDir;

/* Makes dir and dir/checkpoints and locks dir (an error names the process that
 * holds it); a fresh run also writes config.json. */
int rundir_open(RunDir *d, const char *dir, const RunDirOptions *o, uint64_t seed, const char *config_json,
                RunDirMode mode, Status *st);
void rundir_close(RunDir *d);
/* The config the run's checkpoints and config.json hold from now on (tune
 * decides it after the directory is made). */
int rundir_set_config(RunDir *d, const char *config_json, Status *st);
FitObserver rundir_observer(RunDir *d);

#endif
