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
    int fold;           /* trials run on: 0 words, else fold_words (folds.h) */
    int encoded_fold;   /* the fold encoded is of */
    TrainData fold_words;
} PipelineShared;

int pipeline_shared_init(PipelineShared *sh, const Config *cfg, Status *st);
void pipeline_shared_free(PipelineShared *sh);
/* The metric trials are ranked by: asked, else cfg's train.metric, with "auto"
 * resolved as training resolves it for sh's data. */
FitMetric pipeline_shared_metric(const PipelineShared *sh, const Config *cfg, FitMetric asked);
/* Makes the trials that follow run on fold `fold` of the corpus (folds.h, split
 * by cfg's train.seed; 0: the corpus as read). Returns -1 (and stays on the
 * fold it was on) when the corpus is too small for another fold. */
int pipeline_shared_fold(PipelineShared *sh, const Config *cfg, int fold);
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
    int64_t bayes_cutoff;  /* naive Bayes features kept (bayes_prune); -1: all */
} QuantizeOptions;

/* cutoff 0, mass, PQ 8 bits dsub 2 with qnorm, no retraining, 1 epoch. */
QuantizeOptions pipeline_quantize_defaults(void);

typedef struct QuantizeReport {
    int64_t rows, touched, kept;       /* embedding rows: all, trained, stored */
    int64_t words, words_kept;         /* vocabulary before and after */
    int64_t valid_n;                   /* validation documents of the run's split (0: none) */
    int valid_refit;                   /* the run refitted (train.refit) on that split: its best.ckpt
                                        * and model.bin trained on those documents too */
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

/* The observers' on_corpus, as the corpus reports its events. */
typedef struct CorpusFan {
    const FitObserver *obs;
    int n;
    char cache[4200];  /* the cache directory */
    CorpusWatch watch;
} CorpusFan;

/* The corpus a config trains on, cached in data.cache or output.dir/cache, its
 * events sent to obs [n_obs] through fan (which must outlive the options); and
 * for pipeline_ship.c the naive Bayes options of a format 1-3 checkpoint (whose
 * own bytes lack them). */
CorpusOptions pipeline_corpus(const Config *cfg, const FitObserver *obs, int n_obs, CorpusFan *fan);
/* Whether the token cache's files are kept: when data.cache names a directory,
 * over several processes (they share rank 0's files), or when the input files
 * are 16 MiB or more in all. Otherwise (standard input too) they are built in
 * output.dir and removed once mapped. */
int pipeline_cache_kept(const Config *cfg);
const BayesOptions *pipeline_legacy_bayes(const Config *cfg);

#endif
