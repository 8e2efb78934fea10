/* pipeline_impl.h - what pipeline.c shares with pipeline_refit.c, which trains a
 * run's settings again on more documents, and pipeline_trial.c, tune's trials:
 * the steps of a fresh run. Not for other modules: they use pipeline.h. */
#ifndef ATTNCLF_PIPELINE_IMPL_H
#define ATTNCLF_PIPELINE_IMPL_H

#include "classifier.h"
#include "config.h"
#include "corpus.h"
#include "fit.h"
#include "status.h"

/* cfg's model.loss, "auto" resolved from data (one-vs-all when any document has several labels). */
LossKind pipeline_loss(const Config *cfg, const TrainData *data);
/* c's network, initialised from cfg for data's labels (its loss decided by data
 * when model.loss is auto), and an identity calibration. */
void pipeline_network(const Config *cfg, const TrainData *data, Classifier *c);
/* c's naive Bayes member, counted over data's training part (with cfg's
 * train.class_weight on its classes, as the network's loss has them). */
int pipeline_bayes(Classifier *c, const TrainData *data, const Config *cfg, Status *st);
/* A fit of cfg's training settings, with train.class_weight resolved on the training part. */
int pipeline_fit_init(Fit *f, const Config *cfg, Classifier *c, const TrainData *data, Status *st);
/* train.refit: cfg's settings trained again on data's training and validation
 * documents, stopped at sum's best epoch; best.ckpt and model.bin become that
 * model, with the calibration of the validated one, which stays as
 * validated.ckpt. obs see the refit's note and epochs; out gets its signal. */
int pipeline_refit(const Config *cfg, const char *config_json, const Classifier *run, const TrainData *data,
                   const FitSummary *sum, const FitObserver *obs, int n_obs, FitSummary *out, Status *st);
/* Refuses train.refit over several processes (before the run trains, not after). */
int pipeline_refit_check(const Config *cfg, Status *st);
/* A refitted run that trains on: best.ckpt back from validated.ckpt, and model.bin
 * gone (the run's end makes it again). */
int pipeline_refit_undo(const char *dir, Status *st);
/* What a complete run's training state says of it, for a refit with no training first. */
void pipeline_refit_summary(const TrainState *t, const Config *cfg, const Classifier *c, FitSummary *out);

#endif
