/* fit.c - see fit.h. */
#include "fit.h"

#include <math.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "dist.h"
#include "mem.h"
#include "rng.h"

/* A loss this large per document means the weights have blown up even if every
 * number is still finite (Adam's bounded steps can grow weights without NaN). */
#define FIT_DIVERGED_LOSS 1e3
/* Validation scores this many documents at a time, letting go of a large data
 * file's resident pages after each piece (corpus_release). */
#define FIT_VALID_PIECE 4096

static volatile sig_atomic_t fit_stop_signal;

void fit_request_stop(int signo)
{
    fit_stop_signal = signo;
}

void fit_init(Fit *f, Classifier *clf, const TrainData *data, const FitOptions *fo, const AdamOptions *ao,
              const StepOptions *so)
{
    memset(f, 0, sizeof *f);
    f->clf = clf;
    f->data = data;
    f->fo = *fo;
    f->ao = *ao;
    const Dataset *t = &data->train;
    step_init(&f->step, &clf->net, so, t->max_len, step_token_bound(t, so->batch_size));
    f->step.stop_request = &fit_stop_signal;
    Rng rng;
    rng_seed(&rng, rng_mix(fo->seed, 0x73687566ull /* "shuf" */, 0));
    f->state = (TrainState){.rng = rng.state, .best_acc = -1.0};
    f->perm = xmalloc((size_t)(t->n + 1) * sizeof *f->perm);
    f->valid_pred = xmalloc((size_t)(data->valid.n + 1) * sizeof *f->valid_pred);
}

/* The schedule of a run of `epochs` epochs. */
static LrPlan fit_plan(const Fit *f, int epochs)
{
    const int64_t B = f->step.o.batch_size, nb = (f->data->train.n + B - 1) / B;
    return (LrPlan){.total = (int64_t)epochs * nb, .from_step = f->state.sched_step, .from_lr = f->state.sched_lr};
}

void fit_resume(Fit *f, const TrainState *state, const Adam *adam, int planned_epochs)
{
    f->state = *state;
    size_t bytes = (size_t)f->clf->net.n_params * sizeof(float);
    memcpy(f->step.adam.m, adam->m, bytes);
    memcpy(f->step.adam.v, adam->v, bytes);
    f->step.adam.step = state->step;
    if (planned_epochs != f->fo.epochs && state->step > 0) {
        const LrPlan old = fit_plan(f, planned_epochs);
        f->state.sched_lr = optim_lr(&f->ao, &old, state->step - 1);
        f->state.sched_step = state->step;
    }
}

void fit_observe(Fit *f, const FitObserver *o)
{
    if (f->n_obs < FIT_MAX_OBSERVERS) f->obs[f->n_obs++] = *o;
}

void fit_free(Fit *f)
{
    step_free(&f->step);
    free(f->perm);
    free(f->valid_pred);
    memset(f, 0, sizeof *f);
}

/* ---- telling the observers ---- */

static void fit_warn(Fit *f, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void fit_warn(Fit *f, const char *fmt, ...)
{
    char msg[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    for (int i = 0; i < f->n_obs; i++)
        if (f->obs[i].on_warning) f->obs[i].on_warning(f->obs[i].ctx, msg);
}

static void fit_start(Fit *f)
{
    FitStart s = {.clf = f->clf, .data = f->data, .threads = f->step.threads, .resumed_epoch = f->state.epoch};
    for (int i = 0; i < f->n_obs; i++)
        if (f->obs[i].on_start) f->obs[i].on_start(f->obs[i].ctx, &s);
    const TrainData *d = f->data;
    const ReaderStats *rs[2] = {&d->train_stats, &d->valid_stats};
    for (int i = 0; i < 2; i++)
        if (rs[i]->skipped)
            fit_warn(f, "skipped %lld bad rows; first: %s", (long long)rs[i]->skipped, rs[i]->first_skip);
    if (d->unknown_valid.n)
        fit_warn(f, "%lld validation labels never occur in training (first: \"%s\"); they count as errors",
                 (long long)d->unknown_valid.n, d->unknown_valid.words[0]);
}

/* Over several processes, one that failed (only rank 0 writes) stops them all. */
static int fit_agree(int rc, Status *st)
{
    if (dist_any(rc != 0) && rc == 0) return status_error(st, "stopped: another process of the run failed");
    return rc;
}

static int fit_checkpoint(Fit *f, const FitCheckpoint *k, Status *st)
{
    f->state.step = f->step.adam.step;
    FitSnapshot s = {.clf = f->clf, .adam = &f->step.adam, .state = &f->state};
    int rc = 0;
    for (int i = 0; i < f->n_obs && rc == 0; i++)
        if (f->obs[i].on_checkpoint && f->obs[i].on_checkpoint(f->obs[i].ctx, &s, k, st)) rc = -1;
    return fit_agree(rc, st);
}

/* ---- one epoch ---- */

/* What the step callback accumulates over an epoch. */
typedef struct EpochPass {
    Fit *f;
    int epoch;
    int64_t nb;
    double loss, tokens;
    int64_t correct;
    int64_t bad_step;  /* the step that diverged (1-based), 0 if none */
    int bad_finite;    /* its loss was finite but exploding */
    int signal;        /* the stop asked for (over several processes: by any of them), 0 if none */
    float lr;
} EpochPass;

static int fit_after_step(void *ctx, int64_t b, int n, const StepResult *s, float lr)
{
    EpochPass *p = ctx;
    Fit *f = p->f;
    const int64_t lo = b * f->step.o.batch_size;
    p->lr = lr;
    if (!s->finite || s->loss_sum > FIT_DIVERGED_LOSS * n) {
        p->bad_finite = s->finite;
        p->bad_step = f->step.adam.step + !s->finite;
        return 1;
    }
    p->loss += s->loss_sum;
    p->correct += s->correct;
    p->tokens += (double)s->tokens;
    FitProgress pr = {.epoch = p->epoch, .epochs = f->fo.epochs, .batch = b + 1, .batches = p->nb,
                      .tokens = p->tokens, .loss = p->loss / (double)(lo + n), .lr = lr,
                      .seconds = clock_seconds() - f->t_epoch};
    for (int i = 0; i < f->n_obs; i++)
        if (f->obs[i].on_progress) f->obs[i].on_progress(f->obs[i].ctx, &pr);
    /* A batch of a file mapped in 2 MiB pages touches a few dozen of them. */
    corpus_release(f->data);
    p->signal = dist_size() > 1 ? s->stop : fit_stop_signal;
    return p->signal != 0;
}

/* Saves a resumable checkpoint in the middle of epoch `epoch` (b batches done). */
static int fit_interrupt(Fit *f, int epoch, const EpochPass *p, int64_t b, Status *st)
{
    const int signal = p->signal;
    f->state.batch = b;
    f->state.part_loss = p->loss;
    f->state.part_tokens = p->tokens;
    f->state.part_correct = p->correct;
    FitCheckpoint k = {.epoch = epoch, .interrupted = 1, .last = 1};
    if (fit_checkpoint(f, &k, st)) return -1;
    return status_error(st, "interrupted by signal %d at epoch %d, batch %lld", signal, epoch, (long long)b);
}

/* One pass over the training data in this epoch's order, from batch state.batch
 * on (non-zero when resuming an interrupted epoch). */
static int fit_train_epoch(Fit *f, int epoch, FitEpoch *e, FitSummary *out, Status *st)
{
    const Dataset *ds = &f->data->train;
    const int B = f->step.o.batch_size;
    const int64_t nb = (ds->n + B - 1) / B;
    const LrPlan plan = fit_plan(f, f->fo.epochs);
    for (int64_t i = 0; i < ds->n; i++) f->perm[i] = i;
    Rng rng = {f->state.rng};
    rng_shuffle(&rng, f->perm, ds->n);
    EpochPass p = {.f = f, .epoch = epoch, .nb = nb, .loss = f->state.part_loss, .tokens = f->state.part_tokens,
                   .correct = f->state.part_correct, .lr = optim_lr(&f->ao, &plan, f->step.adam.step)};
    f->t_epoch = clock_seconds();
    int64_t b = f->state.batch;
    /* Every process must start the epoch, or none. */
    p.signal = dist_max(fit_stop_signal);
    if (!p.signal) b = step_run(&f->step, ds, f->perm, b, nb, &f->ao, f->fo.seed, &plan, fit_after_step, &p);
    e->lr = p.lr;
    if (p.bad_step) {
        out->diverged = 1;
        return status_error(st, "training diverged at epoch %d, step %lld: the loss is %s (try a lower train.lr)",
                            epoch, (long long)p.bad_step, p.bad_finite ? "exploding" : "not finite");
    }
    if (p.signal && b < nb) {
        out->signal = p.signal;
        return fit_interrupt(f, epoch, &p, b, st);
    }
    f->state.rng = rng.state;
    f->state.batch = 0;
    f->state.part_loss = f->state.part_tokens = 0.0;
    f->state.part_correct = 0;
    e->seconds = clock_seconds() - f->t_epoch;
    e->tokens_per_sec = e->seconds > 0 ? p.tokens / e->seconds : 0;
    e->train_loss = p.loss / (double)ds->n;
    e->train_acc = (double)p.correct / (double)ds->n;
    return 0;
}

/* Validation through the classifier (network and members), as eval scores it;
 * piece by piece, each process its share of the documents, every document's
 * loss then gathered and summed in document order (the same bits for any
 * number of processes). */
static void fit_validate(Fit *f, FitEpoch *e)
{
    const Dataset *valid = &f->data->valid;
    const int64_t n = valid->n, size = dist_size(), me = dist_rank();
    float *loss = xmalloc((size_t)(n + 1) * sizeof *loss);
    const int64_t lo = n * me / size, hi = n * (me + 1) / size;
    for (int64_t a = lo; a < hi; a += FIT_VALID_PIECE) {
        const int64_t z = hi - a < FIT_VALID_PIECE ? hi : a + FIT_VALID_PIECE;
        Dataset part;
        dataset_slice(&part, valid, a, z);
        classifier_score_losses(f->clf, &part, f->step.threads, f->valid_pred + a, loss + a);
        corpus_release(f->data);
    }
    if (size > 1) {
        size_t *counts = xmalloc((size_t)size * sizeof *counts);
        for (int64_t r = 0; r < size; r++) counts[r] = (size_t)(n * (r + 1) / size - n * r / size) * sizeof *loss;
        float *all = xmalloc((size_t)(n + 1) * sizeof *all);
        dist_allgatherv(loss + lo, all, counts);
        memcpy(loss, all, (size_t)n * sizeof *loss);
        dist_allgatherv(f->valid_pred + lo, all, counts);
        memcpy(f->valid_pred, all, (size_t)n * sizeof *f->valid_pred);
        free(all);
        free(counts);
    }
    double sum = 0.0;
    int64_t ok = 0;
    for (int64_t i = 0; i < n; i++) {
        sum += loss[i];
        ok += f->valid_pred[i] == dataset_label(valid, i);
    }
    free(loss);
    e->valid_loss = sum / (double)n;
    e->valid_acc = (double)ok / (double)n;
}

static int fit_epoch(Fit *f, FitSummary *out, Status *st)
{
    const int epoch = f->state.epoch + 1;
    FitEpoch e = {.epoch = epoch, .epochs = f->fo.epochs, .has_valid = f->data->valid.n > 0};
    if (fit_train_epoch(f, epoch, &e, out, st)) return -1;
    if (e.has_valid) fit_validate(f, &e);
    e.seconds = clock_seconds() - f->t_epoch;
    e.improved = !e.has_valid || e.valid_acc > f->state.best_acc;
    f->state.epoch = epoch;
    if (e.improved) {
        f->state.best_acc = e.has_valid ? e.valid_acc : -1.0;
        f->state.best_epoch = epoch;
        f->state.bad_epochs = 0;
    } else if (++f->state.bad_epochs >= f->fo.patience && f->fo.patience > 0) {
        f->state.stopped = 1;
    }
    e.stopped = f->state.stopped;
    e.bad_epochs = f->state.bad_epochs;
    int rc = 0;
    for (int i = 0; i < f->n_obs && rc == 0; i++)
        if (f->obs[i].on_epoch && f->obs[i].on_epoch(f->obs[i].ctx, &e, st)) rc = -1;
    if (fit_agree(rc, st)) return -1;
    FitCheckpoint k = {.epoch = epoch, .improved = e.improved,
                       .last = epoch >= f->fo.epochs || f->state.stopped};
    return fit_checkpoint(f, &k, st);
}

int fit_run(Fit *f, FitSummary *out, Status *st)
{
    memset(out, 0, sizeof *out);
    fit_start(f);
    int rc = 0;
    while (rc == 0 && f->state.epoch < f->fo.epochs && !f->state.stopped) rc = fit_epoch(f, out, st);
    out->epochs = f->state.epoch;
    out->best_epoch = f->state.best_epoch;
    out->best_acc = f->state.best_acc;
    out->stopped_early = f->state.stopped;
    for (int i = 0; i < f->n_obs; i++)
        if (f->obs[i].on_done) f->obs[i].on_done(f->obs[i].ctx, out);
    return rc;
}

/* ---- checkpoints of a run ---- */

void fit_sections(const FitSnapshot *s, const char *config_json, CkptWriter *w)
{
    ckpt_put(ckpt_section(w, "CONF", 1), config_json, strlen(config_json));
    classifier_save(s->clf, w);
    const TrainState *t = s->state;
    CkptBuf *b = ckpt_section(w, "STAT", 2);
    int32_t ints[4] = {t->epoch, t->best_epoch, t->bad_epochs, t->stopped};
    ckpt_put(b, ints, sizeof ints);
    ckpt_put_u64(b, t->rng);
    ckpt_put_f64(b, t->best_acc);
    ckpt_put_u64(b, (uint64_t)t->step);
    ckpt_put_u64(b, (uint64_t)t->batch);
    ckpt_put_f64(b, t->part_loss);
    ckpt_put_f64(b, t->part_tokens);
    ckpt_put_u64(b, (uint64_t)t->part_correct);
    ckpt_put_u64(b, (uint64_t)t->sched_step);
    ckpt_put_f64(b, t->sched_lr);
    if (s->adam) adam_save(s->adam, w);
}

int fit_save(const FitSnapshot *s, const char *config_json, const char *path, Status *st)
{
    CkptWriter w;
    ckpt_writer_init(&w);
    fit_sections(s, config_json, &w);
    int rc = ckpt_write(&w, path, st);
    ckpt_writer_free(&w);
    return rc;
}

int fit_load_state(TrainState *t, const CkptReader *r, Status *st)
{
    CkptSection sec;
    if (!ckpt_find(r, "STAT", &sec)) return ckpt_damaged(r, st, "no STAT section");
    CkptCursor c = ckpt_cursor(&sec);
    int32_t v[4];
    ckpt_copy(&c, v, sizeof v);
    *t = (TrainState){.epoch = v[0], .best_epoch = v[1], .bad_epochs = v[2], .stopped = v[3]};
    t->rng = ckpt_u64(&c);
    t->best_acc = ckpt_f64(&c);
    t->step = (int64_t)ckpt_u64(&c);
    t->batch = (int64_t)ckpt_u64(&c);
    t->part_loss = ckpt_f64(&c);
    t->part_tokens = ckpt_f64(&c);
    t->part_correct = (int64_t)ckpt_u64(&c);
    /* Section version 2 (format 4) adds where an extended run's schedule restarts. */
    if (sec.version >= 2 && r->version >= 4) {
        t->sched_step = (int64_t)ckpt_u64(&c);
        t->sched_lr = ckpt_f64(&c);
    }
    if (!ckpt_done(&c) || t->sched_step < 0 || t->sched_step > t->step || t->batch < 0 || t->epoch < 0 || t->step < 0) return ckpt_damaged(r, st, "bad STAT section");
    return 0;
}
