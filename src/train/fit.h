/* fit.h - training a classifier: epochs of optimisation steps (step.h),
 * validation through the classifier, early stopping, divergence and interruption.
 * It reports through observers (console, logs, the run directory's checkpoints,
 * a tuner) and writes nothing itself, so a tuning trial is the same loop with
 * other observers. */
#ifndef ATTNCLF_FIT_H
#define ATTNCLF_FIT_H

#include <stdint.h>

#include "ckpt.h"
#include "classifier.h"
#include "corpus.h"
#include "optim.h"
#include "status.h"
#include "step.h"

/* What picks the best epoch and drives early stopping. */
typedef enum { FIT_ACCURACY = 0, FIT_MACRO_F1 } FitMetric;

typedef struct FitOptions {
    int epochs;
    uint64_t seed;   /* shuffles, initial weights, dropout masks */
    int patience;    /* epochs without a better validation metric before stopping, 0 = off */
    FitMetric metric;
} FitOptions;

/* Where a run is: saved in checkpoints (section STAT) so a resumed run goes on
 * exactly as the uninterrupted one would. */
typedef struct TrainState {
    int32_t epoch;       /* epochs completed */
    int32_t best_epoch;  /* epoch with the best validation metric, 0 if none */
    int32_t bad_epochs;  /* epochs since best_epoch (early stopping) */
    int32_t stopped;     /* 1 once early stopping ended the run */
    uint64_t rng;        /* shuffle RNG state at the start of the current epoch */
    double best_metric;  /* of the best epoch (FitOptions.metric); -1 before any validation */
    double best_loss;    /* the best epoch's validation loss: a tie in accuracy goes to the lower loss */
    int64_t step;        /* optimisation steps taken: Adam's bias correction and the lr schedule */
    int64_t sched_step;  /* where the lr schedule starts again after the run was extended (LrPlan), 0 if never */
    double sched_lr;     /* the rate it starts from */
    /* A run interrupted inside an epoch saves how far it got, so resuming
     * replays the same order from the next batch with the same running sums. */
    int64_t batch;       /* batches of epoch+1 already done, 0 at an epoch boundary */
    double part_loss, part_tokens;
    int64_t part_correct;
} TrainState;

/* ---- what observers see ---- */

typedef struct FitStart {
    const Classifier *clf;
    const TrainData *data;
    int threads;
    int resumed_epoch;   /* epochs done before this run started (resume), else 0 */
} FitStart;

typedef struct FitProgress {
    int epoch, epochs;
    int64_t batch, batches;  /* done in this epoch, of */
    double tokens, loss, lr; /* tokens so far this epoch, mean loss so far */
    double seconds;          /* since the epoch started */
} FitProgress;

typedef struct FitEpoch {
    int epoch, epochs;
    double train_loss, train_acc, valid_loss, valid_acc, valid_macro_f1, lr, seconds, tokens_per_sec;
    double valid_metric;  /* valid_acc or valid_macro_f1, as FitOptions.metric says */
    int has_valid;
    int improved;   /* the best epoch so far: a higher metric, or equal and a lower valid_loss (always, without validation data) */
    int stopped;    /* early stopping ends the run after this epoch */
    int bad_epochs; /* epochs in a row without a better metric */
} FitEpoch;

/* What a checkpoint of the run holds, borrowed. */
typedef struct FitSnapshot {
    const Classifier *clf;
    const Adam *adam;
    const TrainState *state;
} FitSnapshot;

typedef struct FitCheckpoint {
    int epoch;        /* the epoch just completed, or the one interrupted */
    int improved;
    int interrupted;  /* mid-epoch, by a signal: only a resumable last checkpoint */
} FitCheckpoint;

typedef struct FitSummary {
    int epochs;        /* completed */
    int best_epoch;
    double best_metric; /* -1 without validation data */
    double best_loss;   /* the best epoch's validation loss */
    FitMetric metric;
    int stopped_early;
    int cut;           /* an observer ended the run (should_stop) */
    int signal;        /* the signal that interrupted the run, 0 if none */
    int diverged;
} FitSummary;

/* Every callback may be NULL; those returning int (but should_stop) stop the run
 * with st set. should_stop ends it after the epoch without an error, as early
 * stopping does (a tuner's pruning, a budget). */
typedef struct FitObserver {
    void *ctx;
    void (*on_start)(void *ctx, const FitStart *s);
    void (*on_progress)(void *ctx, const FitProgress *p);
    int (*on_epoch)(void *ctx, const FitEpoch *e, Status *st);
    int (*on_checkpoint)(void *ctx, const FitSnapshot *s, const FitCheckpoint *k, Status *st);
    int (*should_stop)(void *ctx, const FitEpoch *e);
    void (*on_warning)(void *ctx, const char *msg);
    void (*on_done)(void *ctx, const FitSummary *s);
    /* Not called by the fit: a line about the run from its assembly before the
     * fit starts (pipeline.c: the values "auto" config keys took). */
    void (*on_note)(void *ctx, const char *msg);
} FitObserver;

#define FIT_MAX_OBSERVERS 8

typedef struct Fit {
    Classifier *clf;        /* borrowed: the classifier being trained */
    const TrainData *data;  /* borrowed */
    FitOptions fo;
    AdamOptions ao;
    Stepper step;           /* owns the Adam moments */
    TrainState state;
    FitObserver obs[FIT_MAX_OBSERVERS];
    int n_obs;
    int64_t *perm;          /* [train.n] this epoch's document order */
    int32_t *valid_pred;    /* [valid.n] */
    int32_t *valid_truth;   /* [valid.n] each document's first label */
    int cut;
    double t_epoch;         /* when the current epoch started */
} Fit;

/* A fresh run: weights as clf has them (initialised by the caller), zero moments. */
void fit_init(Fit *f, Classifier *clf, const TrainData *data, const FitOptions *fo, const AdamOptions *ao,
              const StepOptions *so);
/* Continues from a saved state and its moments (adam, of clf's parameter count).
 * When the run planned `planned_epochs` and now has more (or fewer), the lr
 * schedule goes on from the rate the last step used (optim_lr, LrPlan). */
void fit_resume(Fit *f, const TrainState *state, const Adam *adam, int planned_epochs);
void fit_observe(Fit *f, const FitObserver *o);
/* Trains until the epochs are done or early stopping ends the run. On a signal
 * (fit_request_stop) it stops at the next batch, offers observers an
 * interrupted checkpoint and fails with "interrupted by signal N at epoch E,
 * batch B"; a loss that explodes fails with "training diverged at epoch E, step
 * S: ...". out says how it ended either way. */
int fit_run(Fit *f, FitSummary *out, Status *st);
void fit_free(Fit *f);
/* Async-signal-safe: asks a running fit_run to stop at the next batch boundary. */
void fit_request_stop(int signo);

/* A run's checkpoint: the config it was asked for (CONF, JSON text as given),
 * the classifier, the training state (STAT) and the Adam moments. */
int fit_save(const FitSnapshot *s, const char *config_json, const char *path, Status *st);
/* The training state of a checkpoint (STAT). */
int fit_load_state(TrainState *state, const CkptReader *r, Status *st);

#endif
