/* pipeline_refit.c - see pipeline_impl.h: train.refit, a run's last phase. Validation
 * chose the best epoch E of a run planned for N epochs; the same settings then
 * train a fresh network (and naive Bayes member) on the training and validation
 * documents together, on the same N-epoch schedule, stopped after E epochs: the
 * run's own trajectory on the documents validation held back (a tenth more by
 * default). The vocabulary stays the run's, so a word only validation has is
 * scored as at prediction time. The refit has no held-out documents, so its
 * calibration and thresholds are the validated epoch's, read from best.ckpt,
 * which is kept as validated.ckpt: the model whose validation figures the logs
 * give. The order of writes leaves best.ckpt a complete model at every moment:
 * validated.ckpt is linked first, then best.ckpt replaced, then model.bin made. */
#include "pipeline.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "dist.h"
#include "mem.h"
#include "pipeline_impl.h"

typedef struct RefitStop {
    int epochs;
} RefitStop;

/* Ends the refit after the validated epoch, as early stopping would. */
static int refit_should_stop(void *ctx, const FitEpoch *e)
{
    return e->epoch >= ((const RefitStop *)ctx)->epochs;
}

/* Document i of d with only the labels training knows (< C) into out; none: left out. */
static int refit_append(Dataset *out, const Dataset *d, int64_t i, int C, int32_t *lab)
{
    int64_t nl = 0;
    for (int64_t k = d->loff[i]; k < d->loff[i + 1]; k++)
        if (d->lab[k] < C) lab[nl++] = d->lab[k];
    if (nl == 0) return 0;
    const int64_t nf = d->foff[i + 1] - d->foff[i];
    dataset_append(out, d->ids + d->off[i], d->off[i + 1] - d->off[i], nf ? d->feat + d->foff[i] : NULL, nf, lab,
                   nl);
    if (d->w) dataset_set_weight(out, d->w[i]);
    return 1;
}

/* The run's training documents, then its validation documents, into td's training part. */
static void refit_merge(TrainData *td, const TrainData *data, int C)
{
    memset(td, 0, sizeof *td);
    dataset_init(&td->train);
    dataset_init(&td->valid);
    dataset_init(&td->words_train);
    dataset_init(&td->words_valid);
    vocab_init(&td->unknown_valid);
    int64_t most = 1;
    for (int64_t i = 0; i < data->valid.n; i++)
        if (data->valid.loff[i + 1] - data->valid.loff[i] > most) most = data->valid.loff[i + 1] - data->valid.loff[i];
    for (int64_t i = 0; i < data->train.n; i++)
        if (data->train.loff[i + 1] - data->train.loff[i] > most) most = data->train.loff[i + 1] - data->train.loff[i];
    int32_t *lab = xmalloc((size_t)most * sizeof *lab);
    for (int64_t i = 0; i < data->train.n; i++) refit_append(&td->train, &data->train, i, C, lab);
    for (int64_t i = 0; i < data->valid.n; i++) refit_append(&td->train, &data->valid, i, C, lab);
    free(lab);
    td->train_stats = data->train_stats;
    td->words_seen = data->words_seen;
}

static void refit_path(const char *dir, const char *name, char *out, size_t cap)
{
    snprintf(out, cap, "%s/%s", dir, name);
}

/* The run directory's files a refit replaces or keeps. */
typedef struct RefitFiles {
    char best[4096], validated[4096], bin[4096];
} RefitFiles;

static void refit_files(const char *dir, RefitFiles *f)
{
    refit_path(dir, "best.ckpt", f->best, sizeof f->best);
    refit_path(dir, "validated.ckpt", f->validated, sizeof f->validated);
    refit_path(dir, "model.bin", f->bin, sizeof f->bin);
}

/* path gone (or never there). */
static int refit_unlink(const char *path, Status *st)
{
    return unlink(path) != 0 && errno != ENOENT ? status_error(st, "%s: %s", path, strerror(errno)) : 0;
}

/* The validated model's calibration and thresholds: best.ckpt's CALB section, for C labels. */
static int refit_calibration(const char *dir, int C, Calibration *cal, Status *st)
{
    char best[4096];
    refit_path(dir, "best.ckpt", best, sizeof best);
    calibration_init(cal, C);
    CkptReader r;
    if (ckpt_open(&r, best, st)) return -1;
    const int rc = calibration_load(cal, &r, C, st);
    ckpt_close(&r);
    return rc;
}

/* best.ckpt becomes c (with the validated calibration), validated.ckpt the model it replaces. */
static int refit_write(const char *dir, const Classifier *c, const TrainState *state, const Config *cfg,
                       const char *config_json, Status *st)
{
    RefitFiles f;
    refit_files(dir, &f);
    if (refit_unlink(f.validated, st)) return -1;
    if (link(f.best, f.validated) != 0) return status_error(st, "%s: %s", f.validated, strerror(errno));
    if (refit_unlink(f.bin, st)) return -1;
    FitSnapshot s = {.clf = c, .state = state};
    if (fit_save(&s, config_json, f.best, st)) return -1;
    return fit_export(c, cfg->train.fit.seed, EMBED_I8D, config_json, f.bin, st);
}

int pipeline_refit(const Config *cfg, const char *config_json, const Classifier *run, const TrainData *data,
                   const FitSummary *sum, const FitObserver *obs, int n_obs, FitSummary *out, Status *st)
{
    const int C = (int)run->labels.n;
    Calibration validated;
    if (refit_calibration(cfg->output.dir, C, &validated, st)) {
        calibration_free(&validated);
        return -1;
    }
    TrainData td;
    refit_merge(&td, data, C);
    char note[256];
    snprintf(note, sizeof note,
             "refit: the settings again on %lld training and validation documents, for the %d validated of %d "
             "epochs; the validated model stays as validated.ckpt",
             (long long)td.train.n, sum->best_epoch, cfg->train.fit.epochs);
    for (int i = 0; i < n_obs; i++)
        if (obs[i].on_note) obs[i].on_note(obs[i].ctx, note);
    /* Borrows the run's encoder and labels (a shallow copy, never freed here). */
    Classifier c = {.enc = run->enc, .labels = run->labels};
    pipeline_network(cfg, data, &c);
    int rc = cfg->bayes.weight > 0 ? pipeline_bayes(&c, &td, cfg, st) : 0;
    if (rc == 0) {
        classifier_attach_bayes(&c);
        Fit f;
        rc = pipeline_fit_init(&f, cfg, &c, &td, st);
        RefitStop stop = {.epochs = sum->best_epoch};
        const FitObserver so = {.ctx = &stop, .should_stop = refit_should_stop};
        for (int i = 0; rc == 0 && i < n_obs; i++) fit_observe(&f, &obs[i]);
        fit_observe(&f, &so);
        FitSummary rs = {0};
        if (rc == 0 && fit_run(&f, &rs, st)) {
            /* best.ckpt is still the validated model; a resume refits (pipeline_resume). */
            char why[sizeof st->msg];
            snprintf(why, sizeof why, "%s", st->msg);
            status_error(st, "refit: %s (best.ckpt is the validated model)", why);
            rc = -1;
        }
        out->signal = rs.signal;
        out->diverged = rs.diverged;
        if (rc == 0) {
            calibration_copy(&c.cal, &validated);
            TrainState ts = f.state;
            ts.best_epoch = sum->best_epoch;
            ts.best_metric = sum->best_metric;
            ts.best_loss = sum->best_loss;
            rc = refit_write(cfg->output.dir, &c, &ts, cfg, config_json, st);
            out->refitted = rc == 0;
        }
        fit_free(&f);
    }
    model_free(&c.net);
    bayes_free(&c.bayes);
    calibration_free(&c.cal);
    corpus_free(&td);
    calibration_free(&validated);
    return rc;
}

int pipeline_refit_check(const Config *cfg, Status *st)
{
    if (cfg->train.refit && dist_size() > 1)
        return status_error(st, "train.refit: not over several processes (mpirun); set it false");
    return 0;
}

int pipeline_refit_undo(const char *dir, Status *st)
{
    RefitFiles f;
    refit_files(dir, &f);
    if (refit_unlink(f.bin, st)) return -1;
    if (rename(f.validated, f.best) != 0) return status_error(st, "%s: %s", f.best, strerror(errno));
    return 0;
}

void pipeline_refit_summary(const TrainState *t, const Config *cfg, const Classifier *c, FitSummary *out)
{
    out->epochs = t->epoch;
    out->best_epoch = t->best_epoch;
    out->best_metric = t->best_metric;
    out->best_loss = t->best_loss;
    out->stopped_early = t->stopped;
    out->metric = fit_metric_resolve(cfg->train.fit.metric, c->net.dims.loss);
}
