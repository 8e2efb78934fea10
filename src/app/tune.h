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
 * room for the final training, which takes as long as the best trial did. */
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
} TuneOptions;

typedef struct TuneTrial {
    int index;
    char *settings;    /* the keys it changed, a JSON object ("{}" for trial 0) */
    double metric;     /* at its best epoch (-1: it failed) */
    FitMetric measured; /* which metric that is (resolved for the trial's network) */
    double valid_loss;
    int epochs_run, best_epoch;
    int pruned;        /* stopped by the search, not by its own early stopping */
    double seconds;
} TuneTrial;

typedef struct TuneReport {
    const TuneTrial *trial;  /* the one that just ended */
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
    int best;          /* index into trials */
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
