/* pipeline.c - see pipeline.h. */
#include "pipeline.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <errno.h>
#include <sys/stat.h>
#include <unistd.h>

#include "autoconf.h"
#include "bayes_lr.h"
#include "classweight.h"
#include "corpus.h"
#include "dist.h"
#include "mem.h"
#include "pipeline_impl.h"
#include "pretrained.h"
#include "rundir.h"
#include "runlog.h"
#include "tune.h"

/* Passes over every training document before training (the automatic settings,
 * the naive Bayes counts) take them this many at a time, letting go of a large
 * data file's resident pages after each piece (corpus_release). */
#define PIPELINE_PIECE 4096

static void pipeline_corpus_event(void *ctx, const CorpusEvent *e)
{
    const CorpusFan *f = ctx;
    for (int i = 0; i < f->n; i++)
        if (f->obs[i].on_corpus) f->obs[i].on_corpus(f->obs[i].ctx, e);
}

/* Inputs smaller than this in all are read and encoded in a fraction of a
 * second, and their cache would outweigh the run's own files (the AG News
 * sample's 1.9 MB of CSV made 11.5 MB of it). */
#define PIPELINE_CACHE_FROM ((int64_t)16 << 20)

/* Bytes of a regular file, or -1 (a file the reader will name as missing or unreadable). */
static int64_t pipeline_file_bytes(const char *path)
{
    struct stat sb;
    if (stat(path, &sb) != 0 || !S_ISREG(sb.st_mode)) return -1;
    return (int64_t)sb.st_size;
}

int pipeline_cache_kept(const Config *cfg)
{
    if (cfg->data.cache || dist_size() > 1) return 1;
    if (strcmp(cfg->data.train, "-") == 0 || (cfg->data.valid && strcmp(cfg->data.valid, "-") == 0)) return 0;
    const int64_t a = pipeline_file_bytes(cfg->data.train);
    const int64_t b = cfg->data.valid ? pipeline_file_bytes(cfg->data.valid) : 0;
    return a < 0 || b < 0 || a + b >= PIPELINE_CACHE_FROM;
}

/* data.cache, or output.dir/cache; when nothing is kept, output.dir itself holds
 * the files until they are mapped. */
CorpusOptions pipeline_corpus(const Config *cfg, const FitObserver *obs, int n_obs, CorpusFan *fan)
{
    fan->obs = obs;
    fan->n = n_obs;
    const int kept = pipeline_cache_kept(cfg);
    if (cfg->data.cache) snprintf(fan->cache, sizeof fan->cache, "%s", cfg->data.cache);
    else snprintf(fan->cache, sizeof fan->cache, kept ? "%s/cache" : "%s", cfg->output.dir);
    fan->watch = (CorpusWatch){fan, pipeline_corpus_event};
    return (CorpusOptions){.train = cfg->data.train, .valid = cfg->data.valid,
                           .valid_fraction = cfg->data.valid_fraction, .seed = cfg->train.fit.seed,
                           .read = &cfg->data.read, .vocab = cfg->tokenizer.vocab, .cache = fan->cache,
                           .transient = !kept, .threads = cfg->train.step.threads, .watch = &fan->watch};
}

/* Over several processes a failure of one (rank 0 does the writing) stops all. */
static int pipeline_agree(int rc, Status *st)
{
    if (dist_any(rc != 0) && rc == 0) return status_error(st, "stopped: another process of the run failed");
    return rc;
}

/* The corpus (given: a resumed run's encoder and labels), over several
 * processes: rank 0 reads and caches it while the others wait; then they open
 * the cache (the same file on a shared file system; their own copy, built the
 * same way, on a host of their own) and every process checks that it has rank
 * 0's data. */
static int pipeline_corpus_all(const CorpusOptions *co, Encoder *enc, Vocab *labels, int given, TrainData *data,
                               Status *st)
{
    const int lead = dist_rank() == 0;
    if (dist_size() > 1 && (strcmp(co->train, "-") == 0 || (co->valid && strcmp(co->valid, "-") == 0)))
        return status_error(st, "%s: standard input cannot be read by several processes; give a file",
                            strcmp(co->train, "-") == 0 ? "data.train" : "data.valid");
    int rc = 0;
    if (lead) rc = given ? corpus_reload(co, enc, labels, data, st) : corpus_build(co, enc, labels, data, st);
    dist_wait_all();
    if (dist_size() == 1) return rc;
    if (pipeline_agree(rc, st)) return -1;
    if (!lead) rc = given ? corpus_reload(co, enc, labels, data, st) : corpus_build(co, enc, labels, data, st);
    if (pipeline_agree(rc, st)) return -1;
    uint64_t mine = corpus_digest(data), *all = xmalloc((size_t)dist_size() * sizeof *all);
    dist_allgather(&mine, sizeof mine, all);
    rc = mine != all[0] ? status_error(st, "rank %d: the data differ from rank 0's (%s is not the same file): "
                                           "every host needs the same data.train and data.valid",
                                       dist_rank(), data->file.path) : 0;
    free(all);
    return pipeline_agree(rc, st);
}

const BayesOptions *pipeline_legacy_bayes(const Config *cfg)
{
    return cfg->bayes.weight > 0 ? &cfg->bayes : NULL;
}

/* Whether any document of ds has several labels. */
static int pipeline_multi_label(const Dataset *ds)
{
    for (int64_t i = 0; i < ds->n; i++)
        if (ds->loff[i + 1] - ds->loff[i] > 1) return 1;
    return 0;
}

/* The network of a fresh run: cfg's shape, with model.loss "auto" resolved from
 * the data (one-vs-all when any training row has several labels), initialised
 * from the seed; and its calibration, until validation fits one, the identity. */
LossKind pipeline_loss(const Config *cfg, const TrainData *data)
{
    if (cfg->model.loss != LOSS_AUTO) return cfg->model.loss;
    return pipeline_multi_label(&data->train) || pipeline_multi_label(&data->valid) ? LOSS_OVA : LOSS_SOFTMAX;
}

void pipeline_network(const Config *cfg, const TrainData *data, Classifier *c)
{
    ModelOptions mo = cfg->model;
    mo.loss = pipeline_loss(cfg, data);
    ModelDims dims = model_dims(&mo, encoder_rows(&c->enc), encoder_unk_row(&c->enc) + 1, (int)c->labels.n);
    model_init(&c->net, &dims);
    model_randomize(&c->net, encoder_unk_row(&c->enc), cfg->train.fit.seed);
    calibration_init(&c->cal, (int)c->labels.n);
}

int pipeline_fit_init(Fit *f, const Config *cfg, Classifier *c, const TrainData *data, Status *st)
{
    fit_init(f, c, data, &cfg->train.fit, &cfg->train.adam, &cfg->train.step);
    float *w;
    if (classweight_resolve(&w, &cfg->train.class_weight, &c->labels, &data->train, st)) return -1;
    fit_set_class_weights(f, w);
    free(w);
    return 0;
}

/* Appends text to note [cap], a space first unless it is empty or text starts with one. */
static void pipeline_note(char *note, size_t cap, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void pipeline_note(char *note, size_t cap, const char *fmt, ...)
{
    size_t n = strlen(note);
    if (n + 1 >= cap) return;
    if (n && fmt[0] != ' ') note[n++] = ' ', note[n] = '\0';
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(note + n, cap - n, fmt, ap);
    va_end(ap);
}

/* Whether key is "auto"; if so it is marked set (the caller sets its field). */
static int pipeline_take_auto(Config *cfg, const char *key)
{
    if (!config_is_auto(cfg, key)) return 0;
    config_clear_auto(cfg, key);
    return 1;
}

void pipeline_autoconf(Config *cfg, const Classifier *c, const TrainData *data, char *note, size_t cap)
{
    note[0] = '\0';
    /* Counted in pieces, letting go of a large data file's pages after each. */
    int64_t words = 0;
    for (int64_t a = 0; a < data->train.n; a += PIPELINE_PIECE) {
        Dataset part;
        dataset_slice(&part, &data->train, a, data->train.n - a < PIPELINE_PIECE ? data->train.n : a + PIPELINE_PIECE);
        words += autoconf_words(&part, encoder_unk_row(&c->enc));
        corpus_release(data);
    }
    AutoStats s = autoconf_stats_of(data->train.n, words, (int)c->labels.n);
    int by_length = 0;
    /* Context and gate exist only for dot attention (config_validate). */
    const int context = cfg->model.attention == ATTN_DOT && autoconf_context(&s);
    if (pipeline_take_auto(cfg, "model.context")) {
        cfg->model.context = context;
        pipeline_note(note, cap, "model.context=%s", context ? "true" : "false"), by_length = 1;
    }
    if (pipeline_take_auto(cfg, "model.gate")) {
        cfg->model.gate = context;
        pipeline_note(note, cap, "model.gate=%s", context ? "true" : "false"), by_length = 1;
    }
    if (pipeline_take_auto(cfg, "model.token_dropout")) {
        cfg->train.step.token_dropout = autoconf_token_dropout(&s);
        pipeline_note(note, cap, "model.token_dropout=%g", cfg->train.step.token_dropout), by_length = 1;
    }
    if (pipeline_take_auto(cfg, "bayes.weight")) {
        /* The member is a multinomial naive Bayes over single labels: its log-posteriors
         * added to one-vs-all sigmoids cost micro-F1 on label sets (0.92 against 1.00 on
         * test_multilabel's corpus), so label sets get none. */
        const int logistic = cfg->bayes.fit == BAYES_FIT_LOGISTIC;
        /* A logistic fit has already scaled the member's scores to its training
         * documents' labels; a count table's grow with the length, hence the rule. */
        cfg->bayes.weight = pipeline_loss(cfg, data) == LOSS_OVA ? 0.0 : logistic ? 1.0 : autoconf_bayes_weight(&s);
        pipeline_note(note, cap, "bayes.weight=%g", cfg->bayes.weight);
        if (!logistic) by_length = 1;
    }
    if (by_length) pipeline_note(note, cap, " (%.1f tokens/doc)", s.mean_words);
    if (pipeline_take_auto(cfg, "train.epochs")) {
        cfg->train.fit.epochs = autoconf_epochs(&s);
        pipeline_note(note, cap, "train.epochs=%d (%lld train docs)", cfg->train.fit.epochs, (long long)s.docs);
    }
    if (pipeline_take_auto(cfg, "train.refit")) {
        /* Documents split off the training file are the user's training data, held
         * back only to choose the epoch; a data.valid file may be held back to be
         * scored. A corpus too large to hold in memory (one that streams) is not
         * copied into it again, and the refit runs in one process. */
        const char *why = cfg->data.valid      ? "validation from data.valid"
                          : data->valid.n == 0 ? "no validation split"
                          : corpus_stream(data) ? "a corpus read from disk"
                          : dist_size() > 1     ? "over several processes"
                                                : NULL;
        cfg->train.refit = why == NULL;
        if (!why) why = "validation split off the training file";
        pipeline_note(note, cap, "train.refit=%s (%s)", cfg->train.refit ? "true" : "false", why);
    }
}

/* The naive Bayes member counted over the training documents in pieces, letting go
 * of a large data file's pages after each, so a corpus larger than memory is
 * counted with its pages streaming (one pass over all of it would keep them all). */
int pipeline_bayes(Classifier *c, const TrainData *data, const Config *cfg, Status *st)
{
    const BayesOptions *o = &cfg->bayes;
    float *w;
    if (classweight_resolve(&w, &cfg->train.class_weight, &c->labels, &data->train, st)) return -1;
    BayesCount *k = bayes_count_init((int)c->labels.n);
    int rc = 0;
    for (int64_t a = 0; rc == 0 && a < data->train.n; a += PIPELINE_PIECE) {
        Dataset part;
        dataset_slice(&part, &data->train, a, data->train.n - a < PIPELINE_PIECE ? data->train.n : a + PIPELINE_PIECE);
        rc = bayes_count_add(k, &part, st);
        corpus_release(data);
    }
    if (rc == 0) bayes_count_finish(&c->bayes, k, o, w);
    bayes_count_free(k);
    if (rc == 0 && o->fit == BAYES_FIT_LOGISTIC) rc = bayes_lr_fit(&c->bayes, &data->train, cfg->train.fit.seed, w, st);
    free(w);
    /* Checkpoints then store the member in a third to a half of the bytes. */
    if (rc == 0) bayes_pack(&c->bayes);
    return rc;
}

/* The encoder, corpus, initial network (pretrained vectors in: *ps) and naive
 * Bayes member of a fresh run; cfg's "auto" keys are set from the corpus on the
 * way (note says to what). */
static int pipeline_build(Config *cfg, const FitObserver *obs, int n_obs, Classifier *c, TrainData *data,
                          PretrainedStats *ps, char *note, size_t cap, Status *st)
{
    memset(c, 0, sizeof *c);
    encoder_init(&c->enc, &cfg->tokenizer.tok, &cfg->tokenizer.enc);
    /* The corpus is encoded with the member's features, which it is fitted on; an
     * "auto" weight is decided after reading, so the features are made for it. */
    c->enc.bayes_ngrams = cfg->bayes.weight > 0 || config_is_auto(cfg, "bayes.weight") ? cfg->bayes.ngrams : 0;
    CorpusFan fan;
    CorpusOptions co = pipeline_corpus(cfg, obs, n_obs, &fan);
    int rc = cfg->tokenizer.stopwords ? tokenizer_load_stopwords(&c->enc.tk, cfg->tokenizer.stopwords, st) : 0;
    if (pipeline_agree(rc, st)) return -1;
    if (pipeline_corpus_all(&co, &c->enc, &c->labels, 0, data, st)) return -1;
    if (data->train.n == 0)
        return status_error(st, "%s: no training documents left after the validation split", cfg->data.train);
    pipeline_autoconf(cfg, c, data, note, cap);
    /* Without a member the features go unused (classifier_score reads them only with one). */
    if (!(cfg->bayes.weight > 0)) c->enc.bayes_ngrams = 0;
    pipeline_network(cfg, data, c);
    if (cfg->model.pretrained && pretrained_load(&c->net, &c->enc, cfg->model.pretrained, ps, st)) return -1;
    if (cfg->bayes.weight > 0 && pipeline_bayes(c, data, cfg, st)) return -1;
    corpus_release(data);
    classifier_attach_bayes(c);
    return 0;
}

/* Runs f with obs, then the logs (keeping `keep_rows` epoch rows) and the run
 * directory's checkpoints; over several processes, rank 0 alone has them. */
static int pipeline_fit(Fit *f, RunDir *rd, int keep_rows, const FitObserver *obs, int n_obs, FitSummary *out,
                        Status *st)
{
    if (dist_rank() != 0) return fit_run(f, out, st);
    RunLog log;
    for (int i = 0; i < n_obs; i++) fit_observe(f, &obs[i]);
    int rc = runlog_open(&log, rd->dir, keep_rows, st);
    if (rc == 0) {
        FitObserver lo = runlog_observer(&log), ro = rundir_observer(rd);
        fit_observe(f, &lo);
        fit_observe(f, &ro);
        rc = fit_run(f, out, st);
    }
    runlog_close(&log);
    return rc;
}

/* A fresh run of cfg into the open run directory rd. The run's config.json and
 * checkpoints hold the values its "auto" keys took, so resume and eval see them. */
static int pipeline_train_in(const Config *given, RunDir *rd, const FitObserver *obs, int n_obs, FitSummary *out,
                             Status *st)
{
    Classifier c = {0};
    TrainData data = {0};
    Config cfg;
    config_copy(&cfg, given);
    char note[512];
    PretrainedStats ps;
    int rc = pipeline_build(&cfg, obs, n_obs, &c, &data, &ps, note, sizeof note, st);
    /* Over several processes rank 0 alone holds the run directory (and the observers). */
    if (rc == 0 && note[0] && dist_rank() == 0) {
        char *json = config_to_json(&cfg);
        rc = rundir_set_config(rd, json, st);
        free(json);
        char line[sizeof note + 8];
        snprintf(line, sizeof line, "auto: %s", note);
        for (int i = 0; i < n_obs; i++)
            if (obs[i].on_note) obs[i].on_note(obs[i].ctx, line);
    }
    rc = pipeline_agree(rc, st);
    if (rc == 0) {
        Fit f;
        rc = pipeline_fit_init(&f, &cfg, &c, &data, st);
        f.pretrained = cfg.model.pretrained ? &ps : NULL;
        if (rc == 0) rc = pipeline_fit(&f, rd, 0, obs, n_obs, out, st);
        fit_free(&f);
    }
    if (rc == 0 && cfg.train.refit && out->best_metric >= 0)
        rc = pipeline_refit(&cfg, rd->config_json, &c, &data, out, obs, n_obs, out, st);
    corpus_free(&data);
    classifier_free(&c);
    config_free(&cfg);
    return rc;
}

/* The run directory's options from the output keys. */
static RunDirOptions pipeline_rundir(const Config *cfg)
{
    return (RunDirOptions){.keep = cfg->output.keep_checkpoints, .every = cfg->output.checkpoint_every};
}

int pipeline_train(const Config *cfg, int force, const FitObserver *obs, int n_obs, FitSummary *out, Status *st)
{
    memset(out, 0, sizeof *out);
    if (pipeline_refit_check(cfg, st)) return -1;
    char *json = config_to_json(cfg);
    RunDir rd = {0};
    const RunDirOptions dopt = pipeline_rundir(cfg);
    /* Over several processes, rank 0 alone reports, writes and holds the run directory. */
    const int lead = dist_rank() == 0;
    if (!lead) n_obs = 0;
    int rc = lead ? rundir_open(&rd, cfg->output.dir, &dopt, cfg->train.fit.seed, json,
                                force ? RUNDIR_FORCE : RUNDIR_NEW, st)
                  : 0;
    free(json);
    rc = pipeline_agree(rc, st);
    if (rc == 0) rc = pipeline_train_in(cfg, &rd, obs, n_obs, out, st);
    rundir_close(&rd);
    return rc;
}

/* Writes text to dir/name, replacing it. */
static int pipeline_write_file(const char *dir, const char *name, const char *text, Status *st)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "w");
    int ok = f && fputs(text, f) >= 0 && fputc('\n', f) != EOF;
    if (f && fclose(f) != 0) ok = 0;
    return ok ? 0 : status_error(st, "%s: cannot write: %s", path, strerror(errno));
}

int pipeline_tune(const Config *cfg, int force, const TuneOptions *to, const TuneObserver *tobs,
                  const FitObserver *obs, int n_obs, TuneResult *res, FitSummary *out, Status *st)
{
    memset(out, 0, sizeof *out);
    memset(res, 0, sizeof *res);
    if (dist_size() > 1) return status_error(st, "tune runs in one process: start it without mpirun");
    char *json = config_to_json(cfg), path[4096];
    RunDir rd = {0};
    const RunDirOptions dopt = pipeline_rundir(cfg);
    int rc = rundir_open(&rd, cfg->output.dir, &dopt, cfg->train.fit.seed, json,
                         force ? RUNDIR_FORCE : RUNDIR_NEW, st);
    free(json);
    snprintf(path, sizeof path, "%s/tune.jsonl", cfg->output.dir);
    FILE *jsonl = rc == 0 ? fopen(path, "w") : NULL;
    if (rc == 0 && !jsonl) rc = status_error(st, "%s: cannot write: %s", path, strerror(errno));
    Config best;
    memset(&best, 0, sizeof best);
    if (rc == 0) rc = tune_run(cfg, to, tobs, jsonl, res, &best, st);
    if (jsonl && fclose(jsonl) != 0 && rc == 0) rc = status_error(st, "%s: cannot write: %s", path, strerror(errno));
    if (res->best >= 0) {
        char *bj = config_to_json(&best);
        int wrc = pipeline_write_file(cfg->output.dir, "tune.json", bj, st);
        if (rc == 0 && wrc == 0 && !res->interrupted) rc = rundir_set_config(&rd, bj, st);
        else if (rc == 0) rc = wrc;
        free(bj);
    }
    if (res->interrupted) {
        out->signal = res->interrupted;
        rc = -1; /* st holds the trial's "interrupted by signal" */
    }
    if (rc == 0) rc = pipeline_train_in(&best, &rd, obs, n_obs, out, st);
    if (res->best >= 0) config_free(&best);
    rundir_close(&rd);
    return rc;
}

/* The stored config, or defaults when a checkpoint has none. */
static int pipeline_stored_config(const CkptReader *r, Config *cfg, Status *st)
{
    config_defaults(cfg);
    CkptSection sec;
    if (!ckpt_find(r, "CONF", &sec)) return 0;
    char *json = xstrndup((const char *)sec.p, (size_t)sec.n);
    int rc = config_load_string(cfg, json, r->path, st);
    free(json);
    return rc ? ckpt_damaged(r, st, "bad config") : 0;
}

static int pipeline_apply_overrides(Config *cfg, char *const *overrides, int n, Status *st)
{
    static const char *const allowed[] = {"train.epochs=",           "train.patience=",
                                          "train.threads=",          "train.refit=",
                                          "output.keep_checkpoints=", "output.checkpoint_every=",
                                          "data.cache="};
    for (int i = 0; i < n; i++) {
        int ok = 0;
        for (size_t k = 0; k < sizeof allowed / sizeof *allowed; k++)
            ok |= strncmp(overrides[i], allowed[k], strlen(allowed[k])) == 0;
        if (!ok)
            return status_usage(st, "--set %s: only train.epochs, train.patience, train.threads, train.refit, "
                                "output.keep_checkpoints, output.checkpoint_every and data.cache can change when "
                                "resuming", overrides[i]);
        if (config_set(cfg, overrides[i], st)) return -1;
        if (config_is_auto(cfg, "train.epochs"))
            return status_usage(st, "--set %s: a resumed run needs a number (its corpus chose it when it started)",
                                overrides[i]);
    }
    return config_validate(cfg, st);
}

/* What a resumed run starts from: its config, classifier, state and moments. */
typedef struct Resumed {
    Config cfg;
    int planned_epochs;  /* train.epochs as stored, before any --set */
    Classifier c;
    TrainState state;
    Adam adam;
} Resumed;

static int pipeline_read_run(const char *path, Resumed *z, Status *st)
{
    CkptReader r;
    if (ckpt_open(&r, path, st)) return -1;
    int rc = pipeline_stored_config(&r, &z->cfg, st);
    if (rc == 0) rc = classifier_load(&z->c, &r, 0, pipeline_legacy_bayes(&z->cfg), st);
    if (rc == 0) rc = fit_load_state(&z->state, &r, st);
    if (rc == 0) rc = adam_load(&z->adam, &r, &z->c.net, st);
    ckpt_close(&r);
    return rc;
}

int pipeline_resume(const char *dir, char *const *overrides, int n, const FitObserver *obs, int n_obs,
                    FitSummary *out, Status *st)
{
    memset(out, 0, sizeof *out);
    char path[4096];
    snprintf(path, sizeof path, "%s/last.ckpt", dir);
    Resumed z;
    memset(&z, 0, sizeof z);
    RunDir rd = {0};
    TrainData data = {0};
    const int lead = dist_rank() == 0;
    if (!lead) n_obs = 0;
    int rc = pipeline_read_run(path, &z, st);
    if (rc == 0) {
        z.planned_epochs = z.cfg.train.fit.epochs;
        free(z.cfg.output.dir);
        z.cfg.output.dir = xstrdup(dir);
        rc = pipeline_apply_overrides(&z.cfg, overrides, n, st);
    }
    const int complete = z.state.epoch >= z.cfg.train.fit.epochs || z.state.stopped;
    char validated[4096];
    snprintf(validated, sizeof validated, "%s/validated.ckpt", dir);
    /* validated.ckpt is there once a refit has replaced best.ckpt. */
    const int refitted = access(validated, F_OK) == 0, refit_only = complete && !refitted && z.cfg.train.refit;
    if (rc == 0 && complete && !refit_only)
        rc = status_error(st, "%s: the run is complete (%d of %d epochs%s); raise it with --set train.epochs=N", path,
                          z.state.epoch, z.cfg.train.fit.epochs, z.state.stopped ? ", stopped early" : "");
    if (rc == 0) rc = pipeline_refit_check(&z.cfg, st);
    if (rc == 0 && lead) {
        char *json = config_to_json(&z.cfg);
        const RunDirOptions dopt = pipeline_rundir(&z.cfg);
        rc = rundir_open(&rd, dir, &dopt, z.cfg.train.fit.seed, json, RUNDIR_RESUME, st);
        free(json);
    }
    /* A run that trains on gets its validated best.ckpt back: its epochs compete with
     * that one, and its end refits again (or leaves it, without train.refit). */
    if (rc == 0 && lead && refitted) rc = pipeline_refit_undo(dir, st);
    rc = pipeline_agree(rc, st);
    CorpusFan fan;
    CorpusOptions co = pipeline_corpus(&z.cfg, obs, n_obs, &fan);
    if (rc == 0) rc = pipeline_corpus_all(&co, &z.c.enc, &z.c.labels, 1, &data, st);
    if (rc == 0 && !refit_only) {
        Fit f;
        bayes_pack(&z.c.bayes); /* as a fresh run's (pipeline_bayes): packed once for every checkpoint */
        rc = pipeline_fit_init(&f, &z.cfg, &z.c, &data, st);
        fit_resume(&f, &z.state, &z.adam, z.planned_epochs);
        if (rc == 0) rc = pipeline_fit(&f, &rd, z.state.epoch, obs, n_obs, out, st);
        fit_free(&f);
    } else if (rc == 0) {
        pipeline_refit_summary(&z.state, &z.cfg, &z.c, out);
    }
    if (rc == 0 && z.cfg.train.refit && out->best_metric >= 0)
        rc = pipeline_refit(&z.cfg, rd.config_json, &z.c, &data, out, obs, n_obs, out, st);
    corpus_free(&data);
    rundir_close(&rd);
    adam_free(&z.adam);
    classifier_free(&z.c);
    config_free(&z.cfg);
    return rc;
}

int pipeline_load(const char *path, Classifier *c, Config *cfg, Status *st)
{
    memset(c, 0, sizeof *c);
    config_defaults(cfg);
    CkptReader *r = xmalloc(sizeof *r);
    if (ckpt_open(r, path, st)) {
        free(r);
        return -1;
    }
    config_free(cfg);
    int rc = pipeline_stored_config(r, cfg, st);
    if (rc == 0) rc = classifier_load(c, r, 1, pipeline_legacy_bayes(cfg), st);
    if (rc) {
        ckpt_close(r);
        free(r);
    }
    return rc;
}

int pipeline_best_epoch(const char *path, int *epoch, Status *st)
{
    *epoch = 0;
    CkptReader r;
    if (ckpt_open(&r, path, st)) return -1;
    TrainState ts;
    CkptSection sec;
    /* A model to ship (export, quantize) keeps no training state. */
    const int has_state = ckpt_find(&r, "STAT", &sec);
    int rc = has_state ? fit_load_state(&ts, &r, st) : 0;
    ckpt_close(&r);
    if (!has_state) return rc;
    if (rc == 0) *epoch = ts.best_epoch;
    return rc;
}

int pipeline_report_docs(const Config *cfg, const Classifier *c, const char *path, TextSet *out, Vocab *unknown,
                         const char **read, int64_t *rows, Status *st)
{
    const int split = !path && !cfg->data.valid;
    if (split && !(cfg->data.valid_fraction > 0))
        return status_error(st, "the run has no validation data (data.valid is null and data.valid_fraction 0); "
                            "give --data FILE");
    *read = path ? path : split ? cfg->data.train : cfg->data.valid;
    ReaderStats rs;
    if (textset_load(out, *read, &cfg->data.read, &c->labels, unknown, &rs, st)) return -1;
    *rows = out->n;
    if (split) {
        unsigned char *keep = corpus_valid_mask(out->n, cfg->data.valid_fraction, cfg->train.fit.seed);
        textset_keep(out, keep);
        free(keep);
    }
    if (out->n == 0) {
        textset_free(out);
        return status_error(st, "%s: no documents to score%s", *read, split ? " in its validation split" : "");
    }
    return 0;
}
int pipeline_export(const char *path, const char *out, EmbedCodec codec, Status *st)
{
    Classifier c;
    Config cfg;
    int rc = pipeline_load(path, &c, &cfg, st);
    if (rc == 0) {
        CkptSection sec;
        char *json = ckpt_find(c.mapped, "CONF", &sec) ? xstrndup((const char *)sec.p, (size_t)sec.n)
                                                        : config_to_json(&cfg);
        rc = fit_export(&c, cfg.train.fit.seed, codec, json, out, st);
        free(json);
        classifier_free(&c);
    }
    config_free(&cfg);
    return rc;
}
