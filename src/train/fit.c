/* fit.c - see fit.h. */
#include "fit.h"

#include <math.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "calibrate.h"
#include "clock.h"
#include "dist.h"
#include "mem.h"
#include "metrics.h"
#include "rankmetrics.h"
#include "rng.h"

/* A loss this large per document means the weights have blown up even if every
 * number is still finite (Adam's bounded steps can grow weights without NaN). */
#define FIT_DIVERGED_LOSS 1e3
/* Validation scores this many documents at a time, letting go of a large data
 * file's resident pages after each piece (corpus_release). */
#define FIT_VALID_PIECE 4096
/* Training lets go of them every this many batches (fit_after_step). */
#define FIT_RELEASE_BATCHES 64

static volatile sig_atomic_t fit_stop_signal;

void fit_request_stop(int signo)
{
    fit_stop_signal = signo;
}

const char *fit_metric_name(FitMetric m)
{
    static const char *const names[] = {"accuracy", "macro_f1", "micro_f1", "p_at_1", "auto"};
    return (unsigned)m <= FIT_METRIC_AUTO ? names[m] : "unknown";
}

const char *fit_metric_column(FitMetric m)
{
    static const char *const names[] = {"valid_acc", "valid_macro_f1", "valid_micro_f1", "valid_p_at_1"};
    return (unsigned)m < FIT_METRIC_AUTO ? names[m] : "valid_acc";
}

FitMetric fit_metric_resolve(FitMetric m, LossKind loss)
{
    if (m != FIT_METRIC_AUTO) return m;
    return loss == LOSS_OVA ? FIT_MICRO_F1 : FIT_ACCURACY;
}

void fit_init(Fit *f, Classifier *clf, const TrainData *data, const FitOptions *fo, const AdamOptions *ao,
              const StepOptions *so)
{
    memset(f, 0, sizeof *f);
    f->clf = clf;
    f->data = data;
    f->fo = *fo;
    f->fo.metric = fit_metric_resolve(f->fo.metric, clf->net.dims.loss);
    f->ao = *ao;
    const Dataset *t = &data->train;
    step_init(&f->step, &clf->net, so, t->max_len, step_token_bound(t, so->batch_size));
    f->step.stop_request = &fit_stop_signal;
    step_read_from(&f->step, corpus_stream(data));
    Rng rng;
    rng_seed(&rng, rng_mix(fo->seed, 0x73687566ull /* "shuf" */, 0));
    f->state = (TrainState){.rng = rng.state, .best_metric = -1.0, .best_loss = INFINITY};
    f->perm = xmalloc((size_t)(t->n + 1) * sizeof *f->perm);
    f->valid_pred = xmalloc((size_t)(data->valid.n + 1) * sizeof *f->valid_pred);
    f->valid_truth = xmalloc((size_t)(data->valid.n + 1) * sizeof *f->valid_truth);
    for (int64_t i = 0; i < data->valid.n; i++) f->valid_truth[i] = dataset_label(&data->valid, i);
    const size_t cells = (size_t)(data->valid.n + 1) * (size_t)clf->net.dims.classes;
    f->valid_logits = xmalloc(cells * sizeof *f->valid_logits);
    f->valid_probs = xmalloc(cells * sizeof *f->valid_probs);
    /* The member does not change while the network trains: its part of the
     * validation logits, which calibration scales apart, is scored once. */
    const Bayes *nb = classifier_bayes(clf);
    const Dataset *v = &data->valid;
    if (nb && v->n > 0 && clf->net.dims.loss != LOSS_OVA) {
        f->valid_member = xmalloc(cells * sizeof *f->valid_member);
        for (int64_t i = 0; i < v->n; i++)
            bayes_logits(nb, v->feat + v->foff[i], v->foff[i + 1] - v->foff[i],
                         f->valid_member + (size_t)i * clf->net.dims.classes);
    }
}

void fit_set_class_weights(Fit *f, const float *w)
{
    step_set_class_weights(&f->step, w);
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
    free(f->valid_truth);
    free(f->valid_logits);
    free(f->valid_member);
    free(f->valid_probs);
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
    FitStart s = {.clf = f->clf, .data = f->data, .threads = f->step.threads, .resumed_epoch = f->state.epoch,
                  .pretrained = f->pretrained};
    for (int i = 0; i < f->n_obs; i++)
        if (f->obs[i].on_start) f->obs[i].on_start(f->obs[i].ctx, &s);
    const TrainData *d = f->data;
    const ReaderStats *rs[2] = {&d->train_stats, &d->valid_stats};
    for (int i = 0; i < 2; i++)
        if (rs[i]->skipped)
            fit_warn(f, "skipped %lld bad rows; first: %s", (long long)rs[i]->skipped, rs[i]->first_skip);
    for (int i = 0; i < 2; i++)
        if (rs[i]->empty)
            fit_warn(f, "%lld %s rows have an empty text (first: %s); they are empty documents", (long long)rs[i]->empty,
                     i ? "validation" : "training", rs[i]->first_empty);
    const PretrainedStats *ps = f->pretrained;
    if (ps && ps->found == 0)
        fit_warn(f, "%s: none of the %lld vocabulary words has a vector there; the embedding starts at random",
                 ps->path, (long long)ps->words);
    if (d->unknown_valid.n)
        fit_warn(f, "%lld validation labels never occur in training (first: \"%s\"); they count as errors",
                 (long long)d->unknown_valid.n, d->unknown_valid.words[0]);
    if (d->valid.n == 0 && f->clf->net.dims.loss == LOSS_OVA)
        fit_warn(f, "no validation documents: the probabilities are not calibrated and every label's threshold "
                    "stays at %.2f", CALIBRATION_DEFAULT_THRESHOLD);
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
    /* The steps read a large data file's ids by cfile_read (corpus_stream), so
     * what they map of it is its offsets and labels, a few bytes a document;
     * letting go of the whole mapping after every batch, as before, put 22% of
     * IMDB x4's CPU in the kernel against x1's 10% (unmapping, remapping, the
     * other core's TLB flushed each time). */
    if ((b + 1) % FIT_RELEASE_BATCHES == 0) corpus_release(f->data);
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

/* The network's scores of the validation documents, piece by piece, each
 * process its share of them, then gathered (every document's loss summed in
 * document order: the same bits for any number of processes). */
static double fit_score_valid(Fit *f)
{
    const Dataset *valid = &f->data->valid;
    const int C = f->clf->net.dims.classes;
    const int64_t n = valid->n, size = dist_size(), me = dist_rank();
    float *loss = xmalloc((size_t)(n + 1) * sizeof *loss);
    const int64_t lo = n * me / size, hi = n * (me + 1) / size;
    for (int64_t a = lo; a < hi; a += FIT_VALID_PIECE) {
        const int64_t z = hi - a < FIT_VALID_PIECE ? hi : a + FIT_VALID_PIECE;
        Dataset part;
        dataset_slice(&part, valid, a, z);
        classifier_score_losses(f->clf, &part, f->step.threads, 1, NULL, f->valid_logits + (size_t)a * C,
                                f->valid_probs + (size_t)a * C, loss + a);
        corpus_release(f->data);
    }
    if (size > 1) {
        size_t *counts = xmalloc((size_t)size * sizeof *counts);
        for (int64_t r = 0; r < size; r++) counts[r] = (size_t)(n * (r + 1) / size - n * r / size) * sizeof *loss;
        float *all = xmalloc((size_t)(n + 1) * (size_t)C * sizeof *all);
        dist_allgatherv(loss + lo, all, counts);
        memcpy(loss, all, (size_t)n * sizeof *loss);
        for (int64_t r = 0; r < size; r++) counts[r] *= (size_t)C;
        dist_allgatherv(f->valid_logits + (size_t)lo * C, all, counts);
        memcpy(f->valid_logits, all, (size_t)n * C * sizeof *all);
        dist_allgatherv(f->valid_probs + (size_t)lo * C, all, counts);
        memcpy(f->valid_probs, all, (size_t)n * C * sizeof *all);
        free(all);
        free(counts);
    }
    double sum = 0.0;
    for (int64_t i = 0; i < n; i++) sum += loss[i];
    free(loss);
    return sum;
}

/* Validation through the classifier (network and members): the network's
 * scores, the calibration and thresholds fitted on them (into the classifier,
 * so this epoch's checkpoints carry them), and the metrics of the calibrated
 * probabilities, as eval scores them. */
static void fit_validate(Fit *f, FitEpoch *e)
{
    const Dataset *valid = &f->data->valid;
    Classifier *clf = f->clf;
    const int C = clf->net.dims.classes;
    e->valid_loss = fit_score_valid(f) / (double)valid->n;
    calibrate_fit(&clf->cal, clf->net.dims.loss, f->fo.calibrate, f->fo.min_labels, f->valid_logits, f->valid_member,
                  f->valid_probs, valid->loff,
                  valid->lab, valid->n, C, f->step.threads);
    e->cal = &clf->cal;
    for (int64_t i = 0; i < valid->n; i++) f->valid_pred[i] = model_argmax(f->valid_probs + (size_t)i * C, C);
    Metrics m;
    metrics_compute(&m, f->valid_truth, f->valid_pred, valid->n, C + (int)f->data->unknown_valid.n, C);
    e->valid_acc = m.accuracy;
    e->valid_macro_f1 = m.macro_f1;
    metrics_free(&m);
    RankMetrics rm;
    rankmetrics_at_k(&rm, f->valid_probs, valid->loff, valid->lab, valid->n, C, 1, 0.0f, 0);
    e->valid_p_at_1 = rm.precision;
    e->valid_micro_f1 = clf->cal.rep.micro_f1;
    const double by[] = {[FIT_ACCURACY] = e->valid_acc, [FIT_MACRO_F1] = e->valid_macro_f1,
                         [FIT_MICRO_F1] = e->valid_micro_f1, [FIT_P_AT_1] = e->valid_p_at_1};
    e->valid_metric = (unsigned)f->fo.metric < FIT_METRIC_AUTO ? by[f->fo.metric] : e->valid_acc;
}

/* What on_done reports of the best epoch's calibration. */
static void fit_keep_calibration(Fit *f)
{
    const Calibration *cal = &f->clf->cal;
    f->best.calibrated = cal->fitted;
    f->best.cal_kind = cal->kind;
    f->best.temperature = cal->T;
    f->best.temperature_member = cal->Tm;
    f->best.threshold = cal->threshold;
    f->best.min_labels = cal->min_labels;
    f->best.cal = cal->rep;
}

static int fit_epoch(Fit *f, FitSummary *out, Status *st)
{
    const int epoch = f->state.epoch + 1;
    FitEpoch e = {.epoch = epoch, .epochs = f->fo.epochs, .has_valid = f->data->valid.n > 0};
    if (fit_train_epoch(f, epoch, &e, out, st)) return -1;
    if (e.has_valid) fit_validate(f, &e);
    e.seconds = clock_seconds() - f->t_epoch;
    /* On a small validation set accuracies tie often; the loss still tells them apart. */
    e.improved = !e.has_valid || e.valid_metric > f->state.best_metric ||
                 (e.valid_metric == f->state.best_metric && e.valid_loss < f->state.best_loss);
    f->state.epoch = epoch;
    if (e.improved) {
        if (e.has_valid) fit_keep_calibration(f);
        f->state.best_metric = e.has_valid ? e.valid_metric : -1.0;
        f->state.best_loss = e.has_valid ? e.valid_loss : INFINITY;
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
    for (int i = 0; i < f->n_obs; i++)
        if (f->obs[i].should_stop && f->obs[i].should_stop(f->obs[i].ctx, &e)) f->cut = 1;
    FitCheckpoint k = {.epoch = epoch, .improved = e.improved,
                       .last = epoch >= f->fo.epochs || f->state.stopped || f->cut};
    return fit_checkpoint(f, &k, st);
}

int fit_run(Fit *f, FitSummary *out, Status *st)
{
    memset(out, 0, sizeof *out);
    fit_start(f);
    int rc = 0;
    while (rc == 0 && f->state.epoch < f->fo.epochs && !f->state.stopped && !f->cut) rc = fit_epoch(f, out, st);
    out->epochs = f->state.epoch;
    out->best_epoch = f->state.best_epoch;
    out->best_metric = f->state.best_metric;
    out->best_loss = f->state.best_loss;
    out->metric = f->fo.metric;
    out->calibrated = f->best.calibrated;
    out->cal_kind = f->best.cal_kind;
    out->temperature = f->best.temperature;
    out->temperature_member = f->best.temperature_member;
    out->threshold = f->best.threshold;
    out->min_labels = f->best.min_labels;
    out->cal = f->best.cal;
    out->stopped_early = f->state.stopped;
    out->cut = f->cut;
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
    CkptBuf *b = ckpt_section(w, "STAT", 3);
    int32_t ints[4] = {t->epoch, t->best_epoch, t->bad_epochs, t->stopped};
    ckpt_put(b, ints, sizeof ints);
    ckpt_put_u64(b, t->rng);
    ckpt_put_f64(b, t->best_metric);
    ckpt_put_u64(b, (uint64_t)t->step);
    ckpt_put_u64(b, (uint64_t)t->batch);
    ckpt_put_f64(b, t->part_loss);
    ckpt_put_f64(b, t->part_tokens);
    ckpt_put_u64(b, (uint64_t)t->part_correct);
    ckpt_put_u64(b, (uint64_t)t->sched_step);
    ckpt_put_f64(b, t->sched_lr);
    ckpt_put_f64(b, t->best_loss);
    if (s->adam) adam_save(s->adam, &s->clf->net, w);
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

int fit_ship(const Classifier *c, uint64_t seed, EmbedCodec codec, const char *config_json, CkptWriter *w,
             Model *net, Status *st)
{
    Classifier ship = *c; /* borrows c's encoder, labels and member; only the network is its own */
    if (model_export(&ship.net, &c->net, seed, codec, st)) return -1;
    ship.bayes.packed = 1; /* the member's tables, exactly, in a third to a half of the bytes */
    ckpt_put(ckpt_section(w, "CONF", 1), config_json, strlen(config_json));
    classifier_save(&ship, w);
    *net = ship.net;
    return 0;
}

int fit_export(const Classifier *c, uint64_t seed, EmbedCodec codec, const char *config_json, const char *path,
               Status *st)
{
    CkptWriter w;
    ckpt_writer_init(&w);
    Model net;
    int rc = fit_ship(c, seed, codec, config_json, &w, &net, st);
    if (rc == 0) {
        rc = ckpt_write(&w, path, st);
        model_free(&net);
    }
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
    t->best_metric = ckpt_f64(&c);
    t->step = (int64_t)ckpt_u64(&c);
    t->batch = (int64_t)ckpt_u64(&c);
    t->part_loss = ckpt_f64(&c);
    t->part_tokens = ckpt_f64(&c);
    t->part_correct = (int64_t)ckpt_u64(&c);
    /* Section version 2 (format 4) adds where an extended run's schedule restarts,
     * version 3 the best epoch's validation loss. */
    t->best_loss = INFINITY;
    if (sec.version >= 2 && r->version >= 4) {
        t->sched_step = (int64_t)ckpt_u64(&c);
        t->sched_lr = ckpt_f64(&c);
    }
    if (sec.version >= 3 && r->version >= 4) t->best_loss = ckpt_f64(&c);
    if (!ckpt_done(&c) || t->sched_step < 0 || t->sched_step > t->step || t->batch < 0 || t->epoch < 0 || t->step < 0) return ckpt_damaged(r, st, "bad STAT section");
    return 0;
}
