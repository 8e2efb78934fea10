/* pipeline.h - the assembly: the one place that maps a Config onto the modules'
 * options and puts the modules together for a command. A training run is a
 * run directory, a corpus, a freshly initialised classifier and a fit with its
 * observers (the caller's, then the logs, then the checkpoints); scoring is a
 * classifier loaded from a checkpoint, with the config it was trained with. */
#ifndef ATTNCLF_PIPELINE_H
#define ATTNCLF_PIPELINE_H

#include "classifier.h"
#include "config.h"
#include "fit.h"
#include "status.h"

/* Trains from scratch with a resolved, validated config into cfg->output.dir,
 * which must not hold a run unless `force` (then the old run's files go first).
 * obs [n_obs] (the console) see the run's events first. */
int pipeline_train(const Config *cfg, int force, const FitObserver *obs, int n_obs, FitSummary *out, Status *st);
/* Continues the run in dir from dir/last.ckpt. `overrides` (n "key=value"
 * strings) may change train.epochs, train.patience, train.threads and
 * output.keep_checkpoints; anything else would not give the run it resumes. */
int pipeline_resume(const char *dir, char *const *overrides, int n, const FitObserver *obs, int n_obs,
                    FitSummary *out, Status *st);
/* A checkpoint's classifier for scoring, its weights mapped in place, and the
 * config it was trained with (cfg is set up here; free it with config_free). */
int pipeline_load(const char *path, Classifier *c, Config *cfg, Status *st);

#endif
