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
#include "pretrained.h"
#include "status.h"
#include "step.h"

/* What picks the best epoch and drives early stopping: the top label's
 * accuracy, macro-F1 over the top labels, micro-F1 of the label sets at the
 * tuned global threshold (calibrate.h), or precision at 1 (rankmetrics.h), of
 * the calibrated probabilities. AUTO is accuracy for a softmax network and
 * micro-F1 for a one-vs-all one. */
typedef enum { FIT_ACCURACY = 0, FIT_MACRO_F1, FIT_MICRO_F1, FIT_P_AT_1, FIT_METRIC_AUTO } FitMetric;

/* "accuracy", "macro_f1", "micro_f1", "p_at_1" or "auto". */
const char *fit_metric_name(FitMetric m);
/* Its column in the logs: "valid_acc", "valid_macro_f1", "valid_micro_f1", "valid_p_at_1". */
const char *fit_metric_column(FitMetric m);
/* m, with AUTO resolved for a network of that loss (never LOSS_AUTO). */
FitMetric fit_metric_resolve(FitMetric m, LossKind loss);

typedef struct FitOptions {
    int epochs;
    uint64_t seed;   /* shuffles, initial weights, dropout masks */
    int patience;    /* epochs without a better validation metric before stopping, 0 = off */
    FitMetric metric;
    int calibrate;   /* calibrate the probabilities on the validation split (thresholds are tuned anyway) */
    int min_labels;  /* one-vs-all: 1 tunes the thresholds for "every document gets its top label" (calibrate.h) */
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
    const PretrainedStats *pretrained; /* the vectors the embedding started from, or NULL */
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
    double valid_micro_f1, valid_p_at_1;
    double valid_metric;  /* the one FitOptions.metric names */
    const Calibration *cal; /* fitted on this epoch's validation scores (the classifier's), NULL without validation data */
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
    int last;         /* the run ends after it (the last epoch, early stopping, should_stop, a signal) */
} FitCheckpoint;

typedef struct FitSummary {
    int epochs;        /* completed */
    int best_epoch;
    double best_metric; /* -1 without validation data */
    double best_loss;   /* the best epoch's validation loss */
    FitMetric metric;   /* resolved (never AUTO) */
    int calibrated;     /* the best epoch's calibration below is known (validated in this run) */
    CalibrationKind cal_kind;
    float temperature, threshold;
    float temperature_member; /* TEMPERATURES: the naive Bayes member's */
    int min_labels;     /* the thresholds' rule (model/calibration.h) */
    CalibrationReport cal;
    int stopped_early;
    int cut;           /* an observer ended the run (should_stop) */
    int signal;        /* the signal that interrupted the run, 0 if none */
    int diverged;
    int refitted;      /* set by the assembly (pipeline_refit.c): best.ckpt was trained again on
                        * the training and validation documents; validated.ckpt is the validated model */
} FitSummary;

/* Every callback may be NULL; those returning int (but should_stop) stop the run
 * with st set. should_stop ends it after the epoch without an error, as early
 * stopping does (a tuner's pruning, a budget). */
typedef struct FitObserver {
    void *ctx;
    /* Before training: the corpus being read and cached (corpus.h). */
    void (*on_corpus)(void *ctx, const CorpusEvent *e);
    void (*on_start)(void *ctx, const FitStart *s);
    void (*on_progress)(void *ctx, const FitProgress *p);
    int (*on_epoch)(void *ctx, const FitEpoch *e, Status *st);
    int (*on_checkpoint)(void *ctx, const FitSnapshot *s, const FitCheckpoint *k, Status *st);
    int (*should_stop)(void *ctx, const FitEpoch *e);
    void (*on_warning)(void *ctx, const char *msg);
    void (*on_done)(void *ctx, const FitSummary *s);
    /* Not called by the fit: a line about the run from its assembly (pipeline.c:
     * the values "auto" config keys took, before the fit; a refit, after it). */
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
    float *valid_logits, *valid_probs; /* [valid.n, C] */
    float *valid_member;               /* [valid.n, C] a naive Bayes member's part of valid_logits; NULL: none */
    FitSummary best;        /* the best epoch's calibration, for on_done */
    int cut;
    double t_epoch;         /* when the current epoch started */
    const PretrainedStats *pretrained; /* borrowed, shown to on_start; NULL: none (set after fit_init) */
} Fit;

/* A fresh run: weights as clf has them (initialised by the caller), zero moments. */
void fit_init(Fit *f, Classifier *clf, const TrainData *data, const FitOptions *fo, const AdamOptions *ao,
              const StepOptions *so);
/* Continues from a saved state and its moments (adam, of clf's parameter count).
 * When the run planned `planned_epochs` and now has more (or fewer), the lr
 * schedule goes on from the rate the last step used (optim_lr, LrPlan). */
void fit_resume(Fit *f, const TrainState *state, const Adam *adam, int planned_epochs);
void fit_observe(Fit *f, const FitObserver *o);
/* Per-class weights of the loss (classweight.h), [C] copied; NULL: none. */
void fit_set_class_weights(Fit *f, const float *w);
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
/* A model to ship, for inference only (`attnclf export`, a run's model.bin): the
 * config (CONF) and the classifier with its network exported by model_export
 * (codec EMBED_F32: the same predictions bit for bit; EMBED_I8D: the rows as
 * int8 differences from their initial values, embed.h; EMBED_I8: per-row int8
 * rows) and its naive Bayes member packed (exactly, bayes_pack.h); no training
 * state, no Adam moments. seed is the run's train.seed. */
int fit_export(const Classifier *c, uint64_t seed, EmbedCodec codec, const char *config_json, const char *path,
               Status *st);
/* Its sections into w; they borrow the exported network, which *net receives
 * (model_free it after the write, or after ckpt_writer_detach). */
int fit_ship(const Classifier *c, uint64_t seed, EmbedCodec codec, const char *config_json, CkptWriter *w,
             Model *net, Status *st);
/* Its sections, borrowing the tensors (ckpt_writer_detach lets go of them). */
void fit_sections(const FitSnapshot *s, const char *config_json, CkptWriter *w);
/* The training state of a checkpoint (STAT). */
int fit_load_state(TrainState *state, const CkptReader *r, Status *st);

#endif
