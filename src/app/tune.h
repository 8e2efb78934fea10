/* tune.h - searching a config's settings on its validation split (never a test
 * set): trials on one tokenized corpus (pipeline_trial), no checkpoints.
 *
 * Trial 0 is the config as given; then random points of the search space, and
 * once a third of the trials (or of the budget) is spent, mutations of the best
 * so far. Each trial trains with early stopping (patience 2 unless the config
 * sets one), and a trial whose validation metric at epoch 2, 4, 8 or 16 falls
 * below the top third of the earlier trials' at that epoch is stopped there
 * (asynchronous successive halving, evaluated in trial order). With a number of trials,
 * which settings are tried and when a trial stops depend only on the seed and
 * the metrics, never on time, so the same --trials and seed give the same
 * result. A time budget alone decides how many trials there are, and the switch
 * from random points to mutations comes after a third of it; it also leaves
 * room for the final training, which takes as long as the best trial did.
 *
 * Then, with folds > 1, the leading trials (the best TUNE_FINALISTS and trial
 * 0, the config's own settings) train again on folds 1 .. folds-1 of the
 * corpus (folds.h), and the one with the best mean over those folds wins: the
 * best of many trials on one validation split is mostly the luckiest there, so
 * the split they were chosen on has no say.
 * A budget keeps up to 40% of itself for this: as many folds as fit there at
 * the finalists' own times. A fold that does not fit is left out for every
 * finalist alike. */
#ifndef ATTNCLF_TUNE_H
#define ATTNCLF_TUNE_H

#include <stdio.h>

#include "config.h"
#include "fit.h"
#include "status.h"

typedef struct TuneOptions {
    double budget;   /* seconds for the search and the final training, 0 = none */
    int trials;      /* the most trials, 0 = as many as the budget allows */
    FitMetric metric; /* FIT_METRIC_AUTO: the config's train.metric */
    int folds;       /* splits the finalists are compared on; 0 or 1: the corpus's own only */
} TuneOptions;

/* The trials that are run again on the other folds, besides trial 0. */
#define TUNE_FINALISTS 4

typedef struct TuneTrial {
    int index;
    char *settings;    /* the keys it changed, a JSON object ("{}" for trial 0) */
    double metric;     /* at its best epoch (-1: it failed) */
    FitMetric measured; /* which metric that is (resolved for the trial's network) */
    double valid_loss;
    int epochs_run, best_epoch;
    int pruned;        /* stopped by the search, not by its own early stopping */
    double seconds;
    int fold;          /* the fold it ran on: 0 for a trial of the search */
    /* Over folds 1 .. `folds` for a finalist that ran on them; folds = 0 and
     * the trial's own metric and loss for any other trial. */
    int folds;
    double fold_metric, fold_loss;
} TuneTrial;

typedef struct TuneReport {
    const TuneTrial *trial;  /* the one that just ended (a finalist's run on another fold: trial->fold > 0) */
    const TuneTrial *best;
    int done, trials;        /* trials ended; of trials (0: by budget) */
    double elapsed, budget;  /* seconds */
} TuneReport;

/* What a console or report sees: each trial's epochs and each trial's end. */
typedef struct TuneObserver {
    void *ctx;
    void (*on_epoch)(void *ctx, int trial, const FitEpoch *e, double elapsed);
    void (*on_trial)(void *ctx, const TuneReport *r);
} TuneObserver;

typedef struct TuneResult {
    TuneTrial *trials;
    int n;
    int best;          /* index into trials (its fold_metric: the mean over `folds`) */
    int folds;         /* the other folds the finalists were compared on (0: none) */
    int interrupted;   /* the signal that stopped the search, 0 if none */
    double seconds;    /* the search's */
    FitMetric metric;  /* the one trials are ranked by ("auto" resolved from the data) */
} TuneResult;

/* Searches around cfg (resolved and validated), writing a row per trial to
 * jsonl as it ends (may be NULL). best gets the winning config (config_free it).
 * Fails only when no trial ran. */
int tune_run(const Config *cfg, const TuneOptions *o, const TuneObserver *obs, FILE *jsonl, TuneResult *res,
             Config *best, Status *st);
void tune_result_free(TuneResult *res);
/* Parses "5m", "90s", "1h", "120" (seconds) into seconds; -1 if it is not one. */
double tune_parse_budget(const char *s);

#endif
