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
#include "textset.h"

/* Trains from scratch with a resolved, validated config into cfg->output.dir,
 * which must not hold a run unless `force` (then the old run's files go first).
 * obs [n_obs] (the console) see the run's events first. */
int pipeline_train(const Config *cfg, int force, const FitObserver *obs, int n_obs, FitSummary *out, Status *st);
/* Continues the run in dir from dir/last.ckpt. `overrides` (n "key=value"
 * strings) may change train.epochs, train.patience, train.threads and
 * output.keep_checkpoints; anything else would not give the run it resumes. */
int pipeline_resume(const char *dir, char *const *overrides, int n, const FitObserver *obs, int n_obs,
                    FitSummary *out, Status *st);
/* Searches cfg's settings (tune.h) on its validation split, writes tune.jsonl
 * (a row per trial) and tune.json (the winning config) into cfg->output.dir,
 * then trains the winner there as pipeline_train does, obs seeing that run. */
struct TuneOptions;
struct TuneObserver;
struct TuneResult;
int pipeline_tune(const Config *cfg, int force, const struct TuneOptions *to, const struct TuneObserver *tobs,
                  const FitObserver *obs, int n_obs, struct TuneResult *res, FitSummary *out, Status *st);

/* What tuning trials share: the corpus read and tokenized once (the encoder's
 * tokenizer and vocabulary and the labels in proto, the documents as words in
 * words) and the last encoding of it, reused while trials keep its settings. */
typedef struct PipelineShared {
    Classifier proto;
    TrainData words;
    TrainData encoded;
    EncoderOptions encoded_as;
    int encoded_bayes;  /* the naive Bayes n-grams encoded's features are for; -1: none yet */
} PipelineShared;

int pipeline_shared_init(PipelineShared *sh, const Config *cfg, Status *st);
void pipeline_shared_free(PipelineShared *sh);
/* One tuning trial: cfg's encoding, network and member on the shared corpus,
 * trained by a fit with obs [n_obs] only (no files). cfg's data and tokenizer
 * settings must be those sh was read with. */
int pipeline_trial(const Config *cfg, PipelineShared *sh, const FitObserver *obs, int n_obs, FitSummary *out,
                   Status *st);

/* Sets cfg's "auto" keys (autoconf.h) from the training split of data, read and
 * encoded by c's encoder with c's labels, and writes what they became, with the
 * statistics that decided them, into note [cap] ("model.context=true model.gate=true
 * model.token_dropout=0 bayes.weight=0.2 (10.7 tokens/doc) train.epochs=10 (4906
 * train docs)"; "" when no key is auto). */
void pipeline_autoconf(Config *cfg, const Classifier *c, const TrainData *data, char *note, size_t cap);

/* A checkpoint's classifier for scoring, its weights mapped in place, and the
 * config it was trained with (cfg is set up here; free it with config_free). */
int pipeline_load(const char *path, Classifier *c, Config *cfg, Status *st);
/* The epoch training chose for the checkpoint at path (its training state's
 * best_epoch; 0 when it has none). */
int pipeline_best_epoch(const char *path, int *epoch, Status *st);

/* The labelled documents a report on c scores, read with the run's data
 * settings: the file `path`, or without it the run's validation data:
 * data.valid, or the rows of data.train that the split held out (by
 * corpus_valid_mask, as corpus_build and corpus_reload hold them out). Labels
 * training never saw go to unknown. *read names the file read and *rows
 * counts its rows (all of data.train for a split). Fails when path is NULL
 * and the run had no validation data. */
int pipeline_report_docs(const Config *cfg, const Classifier *c, const char *path, TextSet *out, Vocab *unknown,
                         const char **read, int64_t *rows, Status *st);

#endif
