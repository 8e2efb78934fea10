/* train.c - see train.h. */
#include "train.h"

#include <errno.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#ifdef _OPENMP
#include <omp.h>
#endif

#include "bayes.h"
#include "ckpt.h"
#include "dataset.h"
#include "infer.h"
#include "mem.h"
#include "progress.h"
#include "rng.h"
#include "trainer.h"

typedef struct Run {
    Config cfg;
    Encoder enc;
    Vocab labels;
    Model model;
    Bayes bayes;     /* logp == NULL without a naive Bayes member */
    Trainer tr;
    TrainData data;
    TrainState state;
    Progress prog;
    int threads;
    int64_t *perm;   /* [train.n] this epoch's document order */
    int32_t *valid_pred; /* [valid.n] */
    FILE *log_json, *log_csv;
} Run;

int train_threads(int requested)
{
#ifdef _OPENMP
    return requested > 0 ? requested : omp_get_max_threads();
#else
    (void)requested;
    return 1;
#endif
}

static const Bayes *run_bayes(const Run *r)
{
    return r->bayes.logp ? &r->bayes : NULL;
}

static void run_path(char *out, size_t cap, const Run *r, const char *name)
{
    snprintf(out, cap, "%s/%s", r->cfg.output.dir, name);
}

static int train_mkdirs(const char *dir, Status *st)
{
    char *p = xstrdup(dir);
    for (char *s = p + 1;; s++) {
        char c = *s;
        if (c != '/' && c != '\0') continue;
        *s = '\0';
        if (mkdir(p, 0777) != 0 && errno != EEXIST) {
            int e = errno;
            status_error(st, "%s: cannot create directory: %s", p, strerror(e));
            free(p);
            return -1;
        }
        *s = c;
        if (c == '\0') break;
    }
    free(p);
    return 0;
}

/* Opens both logs; on resume keeps the header and the first `keep` epoch rows so
 * the logs match those of an uninterrupted run. */
static int run_open_logs(Run *r, int keep, Status *st)
{
    const char *names[2] = {"log.jsonl", "log.csv"};
    FILE **files[2] = {&r->log_json, &r->log_csv};
    for (int i = 0; i < 2; i++) {
        char path[4096];
        run_path(path, sizeof path, r, names[i]);
        long cut = 0;
        FILE *f = keep > 0 ? fopen(path, "r+") : NULL;
        if (f) {
            int lines = 0, want = keep + (i == 1), ch;
            while (lines < want && (ch = fgetc(f)) != EOF)
                if (ch == '\n') lines++;
            cut = ftell(f);
            fclose(f);
            if (truncate(path, cut) != 0) return status_error(st, "%s: cannot truncate: %s", path, strerror(errno));
        }
        *files[i] = fopen(path, cut ? "a" : "w");
        if (!*files[i]) return status_error(st, "%s: cannot write: %s", path, strerror(errno));
        if (i == 1 && cut == 0)
            fprintf(r->log_csv, "epoch,train_loss,train_acc,valid_loss,valid_acc,lr,seconds,tokens_per_sec\n");
    }
    return 0;
}

typedef struct EpochStats {
    double train_loss, train_acc, valid_loss, valid_acc, lr, seconds, tokens_per_sec;
    int has_valid;
} EpochStats;

static int run_log(Run *r, int epoch, const EpochStats *e, Status *st)
{
    char vl[32] = "null", va[32] = "null", cvl[32] = "", cva[32] = "";
    if (e->has_valid) {
        snprintf(vl, sizeof vl, "%.6f", e->valid_loss);
        snprintf(va, sizeof va, "%.6f", e->valid_acc);
        memcpy(cvl, vl, sizeof vl);
        memcpy(cva, va, sizeof va);
    }
    fprintf(r->log_json,
            "{\"epoch\": %d, \"train_loss\": %.6f, \"train_acc\": %.6f, \"valid_loss\": %s, \"valid_acc\": %s, "
            "\"lr\": %.6g, \"seconds\": %.3f, \"tokens_per_sec\": %.0f}\n",
            epoch, e->train_loss, e->train_acc, vl, va, e->lr, e->seconds, e->tokens_per_sec);
    fprintf(r->log_csv, "%d,%.6f,%.6f,%s,%s,%.6g,%.3f,%.0f\n", epoch, e->train_loss, e->train_acc, cvl, cva,
            e->lr, e->seconds, e->tokens_per_sec);
    if (fflush(r->log_json) != 0 || fflush(r->log_csv) != 0)
        return status_error(st, "%s: cannot write logs: %s", r->cfg.output.dir, strerror(errno));
    return 0;
}

static int run_save(Run *r, int epoch, int improved, Status *st)
{
    char epath[4096], path[4096], name[64];
    snprintf(name, sizeof name, "checkpoints/epoch-%03d.ckpt", epoch);
    run_path(epath, sizeof epath, r, name);
    CkptView v = {&r->cfg, &r->enc, &r->labels, &r->model, run_bayes(r), &r->tr.adam, &r->state};
    if (ckpt_save(epath, &v, st)) return -1;
    run_path(path, sizeof path, r, "last.ckpt");
    if (ckpt_link(epath, path, st)) return -1;
    if (improved) {
        run_path(path, sizeof path, r, "best.ckpt");
        if (ckpt_link(epath, path, st)) return -1;
    }
    int old = epoch - r->cfg.output.keep_checkpoints;
    if (old >= 1) {
        snprintf(name, sizeof name, "checkpoints/epoch-%03d.ckpt", old);
        run_path(path, sizeof path, r, name);
        unlink(path);
    }
    return 0;
}

static volatile sig_atomic_t train_stop_signal;

void train_request_stop(int signo)
{
    train_stop_signal = signo;
}

/* Saves a resumable last.ckpt in the middle of epoch `epoch` (b batches done). */
static int run_interrupt(Run *r, int epoch, int64_t b, double loss, double tokens, int64_t correct, Status *st)
{
    r->state.batch = b;
    r->state.part_loss = loss;
    r->state.part_tokens = tokens;
    r->state.part_correct = correct;
    char path[4096];
    run_path(path, sizeof path, r, "last.ckpt");
    CkptView v = {&r->cfg, &r->enc, &r->labels, &r->model, run_bayes(r), &r->tr.adam, &r->state};
    if (ckpt_save(path, &v, st)) return -1;
    return status_error(st, "interrupted by signal %d at epoch %d, batch %lld; resume with: attnclf train --resume %s",
                        (int)train_stop_signal, epoch, (long long)b, r->cfg.output.dir);
}

/* A loss this large per document means the weights have blown up even if every
 * number is still finite (Adam's bounded steps can grow weights without NaN). */
#define TRAIN_DIVERGED_LOSS 1e3

/* What the step callback accumulates over an epoch. */
typedef struct EpochPass {
    Run *r;
    int epoch;
    int64_t nb;
    double loss, tokens;
    int64_t correct;
    int64_t bad_step;  /* the step that diverged (1-based), 0 if none */
    int bad_finite;    /* its loss was finite but exploding */
    float lr;
} EpochPass;

static int run_after_step(void *ctx, int64_t b, int n, const StepResult *s, float lr)
{
    EpochPass *p = ctx;
    Run *r = p->r;
    const int64_t lo = b * r->cfg.train.batch_size;
    p->lr = lr;
    if (!s->finite || s->loss_sum > TRAIN_DIVERGED_LOSS * n) {
        p->bad_finite = s->finite;
        p->bad_step = r->tr.adam.step + !s->finite;
        return 1;
    }
    p->loss += s->loss_sum;
    p->correct += s->correct;
    p->tokens += (double)s->tokens;
    progress_update(&r->prog, p->epoch, r->cfg.train.epochs, b + 1, p->nb, p->tokens, p->loss / (double)(lo + n), lr);
    return train_stop_signal != 0;
}

/* One pass over the training data in this epoch's order, from batch state.batch
 * on (non-zero when resuming an interrupted epoch). */
static int run_train_epoch(Run *r, int epoch, EpochStats *e, Status *st)
{
    const Dataset *ds = &r->data.train;
    const TrainConfig *tc = &r->cfg.train;
    const int B = tc->batch_size;
    const int64_t nb = (ds->n + B - 1) / B, total = (int64_t)tc->epochs * nb;
    for (int64_t i = 0; i < ds->n; i++) r->perm[i] = i;
    Rng rng = {r->state.rng};
    rng_shuffle(&rng, r->perm, ds->n);
    EpochPass p = {.r = r, .epoch = epoch, .nb = nb, .loss = r->state.part_loss, .tokens = r->state.part_tokens,
                   .correct = r->state.part_correct, .lr = optim_lr(tc, r->tr.adam.step, total)};
    progress_epoch_start(&r->prog);
    int64_t b = r->state.batch;
    if (!train_stop_signal) b = trainer_run(&r->tr, ds, r->perm, b, nb, tc, total, run_after_step, &p);
    e->lr = p.lr;
    if (p.bad_step)
        return status_error(st, "training diverged at epoch %d, step %lld: the loss is %s "
                            "(try a lower train.lr); the last good checkpoint is %s/last.ckpt",
                            epoch, (long long)p.bad_step, p.bad_finite ? "exploding" : "not finite", r->cfg.output.dir);
    if (train_stop_signal && b < nb) return run_interrupt(r, epoch, b, p.loss, p.tokens, p.correct, st);
    r->state.rng = rng.state;
    r->state.batch = 0;
    r->state.part_loss = r->state.part_tokens = 0.0;
    r->state.part_correct = 0;
    e->seconds = progress_now() - r->prog.t_start;
    e->tokens_per_sec = e->seconds > 0 ? p.tokens / e->seconds : 0;
    e->train_loss = p.loss / (double)ds->n;
    e->train_acc = (double)p.correct / (double)ds->n;
    return 0;
}

static int run_loop(Run *r, Status *st)
{
    const TrainConfig *tc = &r->cfg.train;
    const Dataset *valid = &r->data.valid;
    r->perm = xmalloc((size_t)(r->data.train.n + 1) * sizeof *r->perm);
    r->valid_pred = xmalloc((size_t)(valid->n + 1) * sizeof *r->valid_pred);
    while (r->state.epoch < tc->epochs && !r->state.stopped) {
        int epoch = r->state.epoch + 1;
        EpochStats e = {.has_valid = valid->n > 0};
        if (run_train_epoch(r, epoch, &e, st)) return -1;
        if (e.has_valid) {
            int64_t ok = 0;
            e.valid_loss = infer_dataset(&r->model, run_bayes(r), valid, r->threads, r->valid_pred) / (double)valid->n;
            for (int64_t i = 0; i < valid->n; i++) ok += r->valid_pred[i] == valid->labels[i];
            e.valid_acc = (double)ok / (double)valid->n;
        }
        e.seconds = progress_now() - r->prog.t_start;
        int improved = !e.has_valid || e.valid_acc > r->state.best_acc;
        r->state.epoch = epoch;
        if (improved) {
            r->state.best_acc = e.has_valid ? e.valid_acc : -1.0;
            r->state.best_epoch = epoch;
            r->state.bad_epochs = 0;
        } else if (++r->state.bad_epochs >= tc->patience && tc->patience > 0) {
            r->state.stopped = 1;
        }
        progress_clear(&r->prog);
        if (!r->prog.quiet) {
            fprintf(stderr, "epoch %d/%d  train_loss %.4f  train_acc %.4f", epoch, tc->epochs, e.train_loss, e.train_acc);
            if (e.has_valid) fprintf(stderr, "  valid_loss %.4f  valid_acc %.4f", e.valid_loss, e.valid_acc);
            fprintf(stderr, "  %.1fs  %.0f tok/s%s\n", e.seconds, e.tokens_per_sec, improved ? "  *" : "");
        }
        if (run_log(r, epoch, &e, st) || run_save(r, epoch, improved, st)) return -1;
        if (r->state.stopped && !r->prog.quiet)
            fprintf(stderr, "early stopping: no better valid_acc for %d epochs\n", tc->patience);
    }
    return 0;
}

static void run_free(Run *r)
{
    if (r->log_json) fclose(r->log_json);
    if (r->log_csv) fclose(r->log_csv);
    free(r->perm);
    free(r->valid_pred);
    trainer_free(&r->tr);
    traindata_free(&r->data);
    model_free(&r->model);
    if (r->bayes.logp) bayes_free(&r->bayes);
    encoder_free(&r->enc);
    vocab_free(&r->labels);
    config_free(&r->cfg);
}

/* The data summary is progress (quiet silences it); warnings always show. */
static void run_report_data(const Run *r)
{
    const TrainData *d = &r->data;
    if (!r->prog.quiet)
        fprintf(stderr, "data: %lld train docs, %lld valid docs, %lld labels, vocabulary %lld words (of %lld seen), "
                "%lld embedding rows, %.1f tokens/doc, %d threads\n",
                (long long)d->train.n, (long long)d->valid.n, (long long)r->labels.n, (long long)r->enc.vocab.n,
                (long long)(d->words_seen ? d->words_seen : r->enc.vocab.n), (long long)r->model.dims.rows,
                d->train.n ? (double)d->train.off[d->train.n] / (double)d->train.n : 0.0, r->threads);
    const ReaderStats *rs[2] = {&d->train_stats, &d->valid_stats};
    for (int i = 0; i < 2; i++)
        if (rs[i]->skipped)
            fprintf(stderr, "warning: skipped %lld bad rows; first: %s\n", (long long)rs[i]->skipped, rs[i]->first_skip);
    if (d->unknown_valid.n)
        fprintf(stderr, "warning: %lld validation labels never occur in training (first: \"%s\"); they count as errors\n",
                (long long)d->unknown_valid.n, d->unknown_valid.words[0]);
}

/* Sizes the trainer from the data; adam (when resuming) supplies the moments. */
static void run_start_trainer(Run *r, const Adam *adam)
{
    const Dataset *t = &r->data.train;
    trainer_init(&r->tr, &r->model, (float)r->cfg.model.dropout, (float)r->cfg.model.token_dropout,
                 r->cfg.train.batch_size, t->max_len,
                 trainer_batch_token_bound(t, r->cfg.train.batch_size), r->threads);
    if (adam) {
        size_t bytes = (size_t)r->model.n_params * sizeof(float);
        memcpy(r->tr.adam.m, adam->m, bytes);
        memcpy(r->tr.adam.v, adam->v, bytes);
        r->tr.adam.step = adam->step;
    }
}

static int run_finish(Run *r, TrainSummary *out, Status *st)
{
    int rc = run_loop(r, st);
    *out = (TrainSummary){.epochs = r->state.epoch, .best_epoch = r->state.best_epoch,
                          .best_acc = r->state.best_acc, .stopped_early = r->state.stopped};
    run_free(r);
    return rc;
}

static int run_prepare_dir(Run *r, Status *st)
{
    char path[4096];
    run_path(path, sizeof path, r, "checkpoints");
    if (train_mkdirs(path, st)) return -1;
    run_path(path, sizeof path, r, "config.json");
    char *json = config_to_json(&r->cfg);
    FILE *f = fopen(path, "w");
    int ok = f && fputs(json, f) >= 0 && fputc('\n', f) != EOF;
    if (f && fclose(f) != 0) ok = 0;
    free(json);
    if (!ok) return status_error(st, "%s: cannot write: %s", path, strerror(errno));
    return 0;
}

/* The naive Bayes member, fitted on the training part only like the vocabulary. */
static int run_fit_bayes(Run *r, Status *st)
{
    const BayesConfig *bc = &r->cfg.bayes;
    if (bayes_fit(&r->bayes, &r->data.train, (int)r->labels.n, bc->alpha, (float)bc->weight, st)) return -1;
    if (!r->prog.quiet)
        fprintf(stderr, "naive Bayes member: %lld distinct 1..%d-grams, weight %g\n", (long long)r->bayes.n,
                bc->ngrams, bc->weight);
    return 0;
}

int train_run(const Config *cfg, int quiet, TrainSummary *out, Status *st)
{
    Run r;
    memset(&r, 0, sizeof r);
    config_copy(&r.cfg, cfg);
    progress_init(&r.prog, quiet);
    r.threads = train_threads(cfg->train.threads);
    const TokenizerConfig *tc = &cfg->tokenizer;
    tokenizer_init(&r.enc.tk, tc->lowercase, tc->clean_html, tc->max_tokens);
    r.enc.ngrams = tc->ngrams;
    r.enc.buckets = tc->ngrams > 1 ? tc->buckets : 0;
    encoder_set_bayes(&r.enc, &cfg->bayes);
    int rc = run_prepare_dir(&r, st);
    if (rc == 0 && tc->stopwords) rc = tokenizer_load_stopwords(&r.enc.tk, tc->stopwords, st);
    if (rc == 0) rc = dataset_build_train(cfg, &r.enc, &r.labels, &r.data, st);
    if (rc == 0 && r.data.train.n == 0)
        rc = status_error(st, "%s: no training documents left after the validation split", cfg->data.train);
    if (rc) {
        run_free(&r);
        return -1;
    }
    ModelDims dims = {.rows = encoder_rows(&r.enc), .dim = cfg->model.dim, .heads = cfg->model.heads,
                      .classes = (int)r.labels.n, .attention = cfg->model.attention,
                      .positional = cfg->model.positional, .context = cfg->model.context,
                      .gate = cfg->model.gate};
    model_init(&r.model, &dims);
    model_randomize(&r.model, encoder_unk_row(&r.enc), cfg->train.seed);
    run_report_data(&r);
    if (cfg->bayes.weight > 0 && run_fit_bayes(&r, st)) {
        run_free(&r);
        return -1;
    }
    run_start_trainer(&r, NULL);
    Rng rng;
    rng_seed(&rng, rng_mix(cfg->train.seed, 0x73687566ull /* "shuf" */, 0));
    r.state = (TrainState){.rng = rng.state, .best_acc = -1.0};
    if (run_open_logs(&r, 0, st)) {
        run_free(&r);
        return -1;
    }
    return run_finish(&r, out, st);
}

static int train_apply_overrides(Config *cfg, char *const *overrides, int n, Status *st)
{
    static const char *const allowed[] = {"train.epochs=", "train.patience=", "train.threads=",
                                          "output.keep_checkpoints="};
    for (int i = 0; i < n; i++) {
        int ok = 0;
        for (size_t k = 0; k < sizeof allowed / sizeof *allowed; k++)
            ok |= strncmp(overrides[i], allowed[k], strlen(allowed[k])) == 0;
        if (!ok)
            return status_usage(st, "--set %s: only train.epochs, train.patience, train.threads and "
                                "output.keep_checkpoints can change when resuming", overrides[i]);
        if (config_set(cfg, overrides[i], st)) return -1;
    }
    return config_validate(cfg, st);
}

int train_resume(const char *dir, char *const *overrides, int n, int quiet, TrainSummary *out,
                 Status *st)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/last.ckpt", dir);
    Checkpoint ck;
    if (ckpt_load(path, &ck, st)) return -1;
    if (!ck.has_adam) {
        ckpt_free(&ck);
        return status_error(st, "%s: has no optimiser state to resume from", path);
    }
    Run r;
    memset(&r, 0, sizeof r);
    r.cfg = ck.cfg;
    r.enc = ck.enc;
    r.labels = ck.labels;
    r.model = ck.model;
    r.bayes = ck.bayes;
    r.state = ck.state;
    free(r.cfg.output.dir);
    r.cfg.output.dir = xstrdup(dir);
    progress_init(&r.prog, quiet);
    int rc = train_apply_overrides(&r.cfg, overrides, n, st);
    if (rc == 0 && (r.state.epoch >= r.cfg.train.epochs || r.state.stopped))
        rc = status_error(st, "%s: the run is complete (%d of %d epochs%s); raise it with --set train.epochs=N",
                          path, r.state.epoch, r.cfg.train.epochs, r.state.stopped ? ", stopped early" : "");
    r.threads = train_threads(r.cfg.train.threads);
    char ckdir[4096];
    run_path(ckdir, sizeof ckdir, &r, "checkpoints");
    if (rc == 0) rc = train_mkdirs(ckdir, st);
    if (rc == 0) rc = dataset_load_train(&r.cfg, &r.enc, &r.labels, &r.data, st);
    if (rc == 0) {
        run_report_data(&r);
        run_start_trainer(&r, &ck.adam);
        rc = run_open_logs(&r, r.state.epoch, st);
    }
    adam_free(&ck.adam);
    if (rc) {
        run_free(&r);
        return -1;
    }
    if (!quiet) fprintf(stderr, "resuming %s at epoch %d\n", path, r.state.epoch + 1);
    return run_finish(&r, out, st);
}
