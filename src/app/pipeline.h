/* pipeline.h - the assembly: the one place that maps a Config onto the modules'
 * options and puts the modules together for a command. A training run is a
 * run directory, a corpus, a freshly initialised classifier and a fit with its
 * observers (the caller's, then the logs, then the checkpoints); scoring is a
 * classifier loaded from a checkpoint, with the config it was trained with. */
#ifndef ATTNCLF_PIPELINE_H
#define ATTNCLF_PIPELINE_H

#include "classifier.h"
#include "config.h"
#include "corpus.h"
#include "fit.h"
#include "quant.h"
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
/* `attnclf export`: the checkpoint in path for inference only, into out
 * (fit_export, with the checkpoint's own config and seed). */
int pipeline_export(const char *path, const char *out, EmbedCodec codec, Status *st);

/* ---- `attnclf quantize` (pipeline_ship.c) ---- */

/* How rows are ranked for a cutoff (each is measured in README "Checkpoints"):
 *   norm  ||x_r||, fastText's choice
 *   freq  ||x_r|| log(1 + n_r), n_r the row's tokens in the training data
 *   mass  sum over the training data's tokens of row r of alpha_t ||x_r||, alpha_t
 *         the token's attention weight (mean over heads): how much the row moves
 *         the pooled vectors the classifier sees */
typedef enum { QUANTIZE_NORM = 0, QUANTIZE_FREQ, QUANTIZE_MASS } QuantizeScore;

typedef struct QuantizeOptions {
    int64_t cutoff;        /* rows kept; 0: every row training touched */
    QuantizeScore score;
    EmbedCodec codec;      /* EMBED_PQ or EMBED_I8 */
    QuantPQOpts pq;        /* bits, dsub, qnorm (EMBED_PQ) */
    int retrain;           /* 0: none; 1: the dense layers; 2: the dense layers and the kept rows */
    int epochs;            /* of retraining, >= 1 */
    double lr;             /* of retraining (decaying as train.lr_schedule says); 0: the config's train.lr */
    const char *data, *valid;  /* in place of the config's data.train and data.valid, or NULL */
    int validate;          /* 1: read the training data to validate even when nothing else needs them */
    int threads;           /* 0: train.threads of the config */
} QuantizeOptions;

/* cutoff 0, mass, PQ 8 bits dsub 2 with qnorm, no retraining, 1 epoch. */
QuantizeOptions pipeline_quantize_defaults(void);

typedef struct QuantizeReport {
    int64_t rows, touched, kept;       /* embedding rows: all, trained, stored */
    int64_t words, words_kept;         /* vocabulary before and after */
    int64_t valid_n;                   /* validation documents of the run's split (0: none) */
    /* Their accuracy: the input model, quantized, retrained (-1: not measured). */
    double valid_full, valid_quant, valid_retrained;
    int64_t bytes;                     /* the file written */
} QuantizeReport;

/* Writes a small model of the classifier in path (a checkpoint or an exported
 * model) to out: the o->cutoff highest-scoring rows of those training touched,
 * quantized, their tokens kept and all others left out of documents
 * (EMBED_MISSING_SKIP), the vocabulary cut to the words kept, and with
 * o->retrain the network retrained for o->epochs epochs on the run's training
 * part (the validation split of its config stays out, and validates). The
 * training data are read only when the score, retraining or o->validate needs
 * them; obs see the retraining as they see a run. */
int pipeline_quantize(const char *path, const char *out, const QuantizeOptions *o, const FitObserver *obs, int n_obs,
                      QuantizeReport *rep, Status *st);

/* For pipeline_ship.c: the corpus a config trains on, and the naive Bayes
 * options of a format 1-3 checkpoint (whose own bytes lack them). */
CorpusOptions pipeline_corpus(const Config *cfg);
const BayesOptions *pipeline_legacy_bayes(const Config *cfg);

#endif
