/* tune.c - see tune.h. */
#include "tune.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "mem.h"
#include "pipeline.h"
#include "rng.h"

/* One axis of the search: options, each a ';'-separated list of key=value. */
typedef struct TuneAxis {
    const char *name;
    const char *const *options;
} TuneAxis;

#define TUNE_OPTS(...) (const char *const[]){__VA_ARGS__, NULL}

static const TuneAxis tune_space[] = {
    {"lr", TUNE_OPTS("train.lr=0.001", "train.lr=0.002", "train.lr=0.003", "train.lr=0.005", "train.lr=0.007",
                     "train.lr=0.01", "train.lr=0.015", "train.lr=0.02", "train.lr=0.03", "train.lr=0.05")},
    {"epochs", TUNE_OPTS("train.epochs=5", "train.epochs=10", "train.epochs=20")},
    {"dim", TUNE_OPTS("model.dim=8", "model.dim=16", "model.dim=32", "model.dim=64")},
    {"heads", TUNE_OPTS("model.heads=1", "model.heads=2", "model.heads=4")},
    {"ngrams", TUNE_OPTS("tokenizer.ngrams=1", "tokenizer.ngrams=2", "tokenizer.ngrams=3")},
    {"token_dropout", TUNE_OPTS("model.token_dropout=0", "model.token_dropout=0.1", "model.token_dropout=0.2",
                                "model.token_dropout=0.35", "model.token_dropout=0.5")},
    {"bayes", TUNE_OPTS("bayes.weight=0", "bayes.weight=0.05;bayes.ngrams=2", "bayes.weight=0.1;bayes.ngrams=2",
                        "bayes.weight=0.1;bayes.ngrams=3", "bayes.weight=0.2;bayes.ngrams=3",
                        "bayes.weight=0.3;bayes.ngrams=3")},
    {"context", TUNE_OPTS("model.context=false;model.gate=false", "model.context=true;model.gate=true")},
    {"length_weight", TUNE_OPTS("train.length_weight=0", "train.length_weight=0.5")},
    {"batch", TUNE_OPTS("train.batch_size=16", "train.batch_size=32", "train.batch_size=64")},
    /* The self-attention encoder (issue 17), always with positions (without them
     * it cannot see word order) and a window, which keeps a trial on long
     * documents O(T W) rather than O(T^2); SST-2's sentences fit inside it. */
    {"encoder", TUNE_OPTS("model.encoder=\"none\"",
                          "model.encoder=\"self_attention\";model.layers=1;model.positional=\"sin\";model.window=16",
                          "model.encoder=\"self_attention\";model.layers=2;model.positional=\"sin\";model.window=16",
                          "model.encoder=\"self_attention\";model.layers=1;model.positional=\"learned\";"
                          "model.window=16")},
};
#define TUNE_AXES ((int)(sizeof tune_space / sizeof *tune_space))
#define TUNE_AXIS_NGRAMS 4
/* The most epochs a trial may have (the search space's largest). */
#define TUNE_MAX_EPOCHS 64
/* A trial is stopped below the top 1/TUNE_ETA of the trials before it at that epoch. */
#define TUNE_ETA 3

static int tune_n_options(int axis)
{
    int n = 0;
    while (tune_space[axis].options[n]) n++;
    return n;
}

/* A point of the search: an option per axis, or -1 for the config's own value. */
typedef struct TunePoint {
    int choice[TUNE_AXES];
} TunePoint;

typedef struct TuneState {
    const Config *base;
    const TuneOptions *o;
    const TuneObserver *obs;
    PipelineShared sh;
    TuneResult *res;
    TunePoint *points;
    float (*history)[TUNE_MAX_EPOCHS];  /* [trial][epoch-1] validation metric */
    int cap;
    Rng rng;
    double t0;
    int current;
    int confirming;                    /* the search is over: the finalists run on other folds */
    int stopped;                       /* the budget stopped the finalist's run on a fold */
    int finalists[TUNE_FINALISTS + 1];
    int n_finalists;
} TuneState;

/* The trial's config: the base with the point's assignments. */
static int tune_config(const TuneState *s, const TunePoint *p, Config *cfg, char **settings, Status *st)
{
    config_copy(cfg, s->base);
    size_t cap = 256, len = 0;
    char *json = xmalloc(cap);
    len += (size_t)snprintf(json, cap, "{");
    int rc = 0;
    for (int a = 0; a < TUNE_AXES && rc == 0; a++) {
        if (p->choice[a] < 0) continue;
        char *opt = xstrdup(tune_space[a].options[p->choice[a]]);
        for (char *save = NULL, *kv = strtok_r(opt, ";", &save); kv && rc == 0; kv = strtok_r(NULL, ";", &save)) {
            char *eq = strchr(kv, '=');
            *eq = '\0';
            rc = config_assign(cfg, kv, eq + 1, "tune", st);
            size_t need = len + strlen(kv) + strlen(eq + 1) + 8;
            if (need >= cap) json = xrealloc(json, cap = 2 * need);
            len += (size_t)snprintf(json + len, cap - len, "%s\"%s\": %s", len > 1 ? ", " : "", kv, eq + 1);
        }
        free(opt);
    }
    snprintf(json + len, cap - len, "}");
    /* Early stopping inside a trial, unless the config sets its own. */
    if (rc == 0 && cfg->train.fit.patience == 0) cfg->train.fit.patience = 2;
    cfg->train.fit.metric = s->o->metric;
    if (rc == 0) rc = config_validate(cfg, st);
    *settings = json;
    if (rc) config_free(cfg);
    return rc;
}

static int tune_same(const TunePoint *a, const TunePoint *b)
{
    return memcmp(a->choice, b->choice, sizeof a->choice) == 0;
}

/* The next point: random for the first third of the search, then mutations of the best. */
static void tune_propose(TuneState *s, int t, TunePoint *p)
{
    const TuneResult *r = s->res;
    int explore = s->o->trials ? t <= s->o->trials / 3 : clock_seconds() - s->t0 < s->o->budget / 3;
    for (int tries = 0; tries < 50; tries++) {
        if (t == 0) {
            for (int a = 0; a < TUNE_AXES; a++) p->choice[a] = -1;
            return;
        }
        if (explore || r->best < 0) {
            for (int a = 0; a < TUNE_AXES; a++) p->choice[a] = (int)rng_below(&s->rng, (uint64_t)tune_n_options(a));
        } else {
            *p = s->points[r->best];
            int changes = 1 + (int)rng_below(&s->rng, 2);
            for (int k = 0; k < changes; k++) {
                int a = (int)rng_below(&s->rng, TUNE_AXES), n = tune_n_options(a);
                p->choice[a] = (p->choice[a] + 1 + (int)rng_below(&s->rng, (uint64_t)(n - 1))) % n;
            }
        }
        /* Character n-gram bags are encoded once: their word n-grams stay the config's. */
        if (s->base->tokenizer.enc.char_min > 0) p->choice[TUNE_AXIS_NGRAMS] = -1;
        int seen = 0;
        for (int j = 0; j < t && !seen; j++) seen = tune_same(p, &s->points[j]);
        if (!seen) return;
    }
}

static int tune_cmp_desc(const void *a, const void *b)
{
    float x = *(const float *)a, y = *(const float *)b;
    return (x < y) - (x > y);
}

/* At a rung (epochs 2, 4, 8, ...: a trial gets two epochs before it is judged),
 * is this trial below the top third of the earlier trials' metrics at that epoch? */
static int tune_below_rung(const TuneState *s, int t, int e, float metric)
{
    if (e < 2 || (e & (e - 1)) != 0) return 0;
    float v[4096];
    int n = 0;
    for (int j = 0; j < t && n < 4096; j++)
        if (s->res->trials[j].epochs_run >= e && s->res->trials[j].metric >= 0) v[n++] = s->history[j][e - 1];
    if (n < TUNE_ETA) return 0;
    qsort(v, (size_t)n, sizeof *v, tune_cmp_desc);
    return metric < v[(n + TUNE_ETA - 1) / TUNE_ETA - 1];
}

/* Whether the final training will be refitted (train.refit; auto: on for a
 * validation split off the training file, pipeline.c's rule as far as tune can
 * tell before reading: one process and a corpus held in memory are not known). */
static int tune_refits(const Config *c)
{
    return config_is_auto(c, "train.refit") ? c->data.valid == NULL && c->data.valid_fraction > 0 : c->train.refit;
}

/* Whether a score (metric, loss) of trial i ranks above one of trial j: the
 * higher metric, then the lower validation loss, then the earlier trial. */
static int tune_ranks_above(double metric, double loss, int i, double metric_j, double loss_j, int j)
{
    if (metric != metric_j) return metric > metric_j;
    if (loss != loss_j) return loss < loss_j;
    return i < j;
}

/* Whether trial a ranks above trial b on the validation split. */
static int tune_ahead(const TuneTrial *a, const TuneTrial *b)
{
    return tune_ranks_above(a->metric, a->valid_loss, a->index, b->metric, b->valid_loss, b->index);
}

/* The leading trials of r into out [TUNE_FINALISTS + 1]: the best
 * TUNE_FINALISTS, then trial 0 when it is not among them (trials that failed
 * are not); returns how many. */
static int tune_finalists(const TuneResult *r, int *out)
{
    int n = 0;
    for (int t = 0; t < r->n; t++) {
        if (r->trials[t].metric < 0) continue;
        int at = n < TUNE_FINALISTS ? n++ : TUNE_FINALISTS;
        while (at > 0 && tune_ahead(&r->trials[t], &r->trials[out[at - 1]])) {
            if (at < TUNE_FINALISTS) out[at] = out[at - 1];
            at--;
        }
        if (at < TUNE_FINALISTS) out[at] = t;
    }
    int has0 = r->n == 0 || r->trials[0].metric < 0;
    for (int k = 0; k < n; k++) has0 |= out[k] == 0;
    if (!has0) out[n++] = 0;
    return n;
}

/* The time the final training of trial t will take: the trial's, and with a
 * refit its validated epochs again on a tenth more documents. */
static double tune_final_time(const TuneState *s, int t)
{
    const TuneTrial *tr = &s->res->trials[t];
    double refit = 0.0;
    if (tune_refits(s->base) && tr->epochs_run > 0) refit = 1.1 * tr->seconds * tr->best_epoch / tr->epochs_run;
    return tr->seconds + refit;
}

/* The time one fold takes: the finalists' trials again. */
static double tune_fold_time(const TuneResult *r, const int *finalists, int n)
{
    double t = 0.0;
    for (int k = 0; k < n; k++) t += r->trials[finalists[k]].seconds;
    return t;
}

/* The time kept for what follows: the final training (of any finalist, once
 * they run on the folds) and, during the search, the finalists' runs on as
 * many of the other folds as fit in 40% of the budget. */
static double tune_reserve(const TuneState *s)
{
    if (s->res->best < 0) return 0.0;
    if (!s->confirming) {
        double folds = 0.0;
        if (s->o->folds > 1) {
            int fin[TUNE_FINALISTS + 1];
            const double one = tune_fold_time(s->res, fin, tune_finalists(s->res, fin));
            int n = s->o->folds - 1;
            if (s->o->budget > 0 && one > 0 && n * one > 0.4 * s->o->budget) n = (int)(0.4 * s->o->budget / one);
            folds = n * one;
        }
        return tune_final_time(s, s->res->best) + folds;
    }
    double most = 0.0;
    for (int k = 0; k < s->n_finalists; k++) {
        const double t = tune_final_time(s, s->finalists[k]);
        if (t > most) most = t;
    }
    return most;
}

static int tune_out_of_time(const TuneState *s)
{
    return s->o->budget > 0 && clock_seconds() - s->t0 + tune_reserve(s) >= s->o->budget;
}

static int tune_should_stop(void *ctx, const FitEpoch *e)
{
    TuneState *s = ctx;
    const int t = s->current;
    if (e->epoch <= TUNE_MAX_EPOCHS) s->history[t][e->epoch - 1] = (float)e->valid_metric;
    if (s->obs && s->obs->on_epoch) s->obs->on_epoch(s->obs->ctx, t, e, clock_seconds() - s->t0);
    if (tune_below_rung(s, t, e->epoch, (float)e->valid_metric) || tune_out_of_time(s)) {
        s->res->trials[t].pruned = 1;
        return 1;
    }
    return 0;
}

static void tune_write_row(FILE *f, const TuneTrial *r, FitMetric metric)
{
    if (!f) return;
    char fold[32] = "";
    if (r->fold) snprintf(fold, sizeof fold, "\"fold\": %d, ", r->fold);
    fprintf(f, "{\"trial\": %d, %s\"settings\": %s, \"metric\": \"%s\", \"value\": %.6f, \"valid_loss\": %.6f, "
            "\"epochs\": %d, \"best_epoch\": %d, \"pruned\": %s, \"seconds\": %.3f}\n",
            r->index, fold, r->settings, fit_metric_name(metric), r->metric, r->valid_loss,
            r->epochs_run, r->best_epoch, r->pruned ? "true" : "false", r->seconds);
    fflush(f);
}

/* Trains point p on the shared corpus's current fold into tr (its settings,
 * metric, epochs, seconds), fit's epochs going to should_stop; returns 1 when
 * a signal stopped it (tr's settings are then freed: an interrupted run does
 * not count). */
static int tune_train(TuneState *s, const TunePoint *p, int (*should_stop)(void *, const FitEpoch *), TuneTrial *tr,
                      Status *st)
{
    tr->metric = -1;
    tr->measured = s->o->metric;
    Config cfg;
    Status ts;
    double start = clock_seconds();
    if (tune_config(s, p, &cfg, &tr->settings, &ts) == 0) {
        FitObserver o = {.ctx = s, .should_stop = should_stop};
        FitSummary sum;
        int rc = pipeline_trial(&cfg, &s->sh, &o, 1, &sum, &ts);
        config_free(&cfg);
        if (sum.signal) {
            free(tr->settings);
            tr->settings = NULL;
            *st = ts;
            s->res->interrupted = sum.signal;
            return 1;
        }
        tr->epochs_run = sum.epochs;
        tr->measured = sum.metric;
        if (rc == 0) {
            tr->metric = sum.best_metric;
            tr->valid_loss = sum.best_loss;
            tr->best_epoch = sum.best_epoch;
        }
    }
    tr->seconds = clock_seconds() - start;
    return 0;
}

static void tune_report(const TuneState *s, const TuneTrial *tr, int done)
{
    const TuneResult *r = s->res;
    TuneReport rep = {.trial = tr, .best = r->best >= 0 ? &r->trials[r->best] : NULL, .done = done,
                      .trials = s->o->trials, .elapsed = clock_seconds() - s->t0, .budget = s->o->budget};
    if (s->obs && s->obs->on_trial) s->obs->on_trial(s->obs->ctx, &rep);
}

/* Runs trial t; returns 1 when a signal stopped it (and the search). */
static int tune_trial(TuneState *s, int t, FILE *jsonl, Status *st)
{
    TuneResult *r = s->res;
    TuneTrial *tr = &r->trials[t];
    memset(tr, 0, sizeof *tr);
    tr->index = t;
    tune_propose(s, t, &s->points[t]);
    s->current = t;
    if (tune_train(s, &s->points[t], tune_should_stop, tr, st)) return 1;
    tr->fold_metric = tr->metric;
    tr->fold_loss = tr->valid_loss;
    r->n = t + 1;
    const TuneTrial *best = r->best >= 0 ? &r->trials[r->best] : NULL;
    if (tr->metric >= 0 && (!best || tune_ahead(tr, best))) r->best = t;
    tune_write_row(jsonl, tr, tr->measured);
    tune_report(s, tr, t + 1);
    return 0;
}

/* A finalist's run on another fold stops only for the budget. */
static int tune_fold_should_stop(void *ctx, const FitEpoch *e)
{
    TuneState *s = ctx;
    if (s->obs && s->obs->on_epoch) s->obs->on_epoch(s->obs->ctx, s->current, e, clock_seconds() - s->t0);
    return s->stopped = tune_out_of_time(s);
}

/* Whether finalist t ranks above u by their means over the folds. */
static int tune_fold_ahead(const TuneTrial *t, const TuneTrial *u)
{
    return tune_ranks_above(t->fold_metric, t->fold_loss, t->index, u->fold_metric, u->fold_loss, u->index);
}

/* Runs the finalists on folds 1 .. o->folds - 1, a fold at a time, while the
 * budget allows and the corpus has folds; the best mean over those that every
 * finalist completed wins. Returns 1 when a signal stopped it. */
static int tune_confirm(TuneState *s, FILE *jsonl, Status *st)
{
    TuneResult *r = s->res;
    s->n_finalists = tune_finalists(r, s->finalists);
    s->confirming = 1;
    const int K = s->n_finalists, F = s->o->folds;
    /* [fold - 1][finalist]: fold 0, where they were picked, has no say. */
    double *metric = xcalloc((size_t)(F - 1) * K, sizeof *metric);
    double *loss = xcalloc((size_t)(F - 1) * K, sizeof *loss);
    int done = 1, signal = 0;
    const double one = tune_fold_time(r, s->finalists, K);
    for (int f = 1; f < F && done == f && !signal; f++) {
        /* A fold that cannot be finished is not begun. */
        if (s->o->budget > 0 && clock_seconds() - s->t0 + one + tune_reserve(s) > s->o->budget) break;
        if (pipeline_shared_fold(&s->sh, s->base, f)) break;
        int k = 0;
        for (; k < K; k++) {
            const TuneTrial *fin = &r->trials[s->finalists[k]];
            if (s->o->budget > 0 && clock_seconds() - s->t0 + fin->seconds + tune_reserve(s) > s->o->budget) break;
            TuneTrial row = {.index = fin->index, .fold = f};
            s->current = fin->index;
            s->stopped = 0;
            if ((signal = tune_train(s, &s->points[fin->index], tune_fold_should_stop, &row, st))) break;
            row.pruned = s->stopped;
            tune_write_row(jsonl, &row, row.measured);
            tune_report(s, &row, r->n);
            free(row.settings);
            if (row.pruned) break;
            /* A finalist that cannot train on a fold scores nothing there. */
            metric[(size_t)(f - 1) * K + k] = row.metric < 0 ? 0.0 : row.metric;
            loss[(size_t)(f - 1) * K + k] = row.metric < 0 ? INFINITY : row.valid_loss;
        }
        if (k == K) done = f + 1;
    }
    /* The finalists were chosen on fold 0, so their metrics there are the
     * luckiest of the search, the best's most of all: only the others count. */
    const int n = signal ? 0 : done - 1;
    r->folds = n;
    int best = -1;
    for (int k = 0; k < K && n > 0; k++) {
        TuneTrial *t = &r->trials[s->finalists[k]];
        t->folds = n;
        t->fold_metric = t->fold_loss = 0.0;
        for (int f = 0; f < n; f++) {
            t->fold_metric += metric[(size_t)f * K + k] / n;
            t->fold_loss += loss[(size_t)f * K + k] / n;
        }
        if (best < 0 || tune_fold_ahead(t, &r->trials[best])) best = t->index;
    }
    if (best >= 0) r->best = best;
    free(metric);
    free(loss);
    return signal;
}

/* Whether another trial fits: the trial count, and a budget that must leave
 * time for a typical trial and the final training. */
static int tune_more(const TuneState *s, int t)
{
    if (s->o->trials && t >= s->o->trials) return 0;
    if (!s->o->budget || t == 0) return 1;
    double spent = clock_seconds() - s->t0, typical = spent / t;
    return spent + typical + tune_reserve(s) <= s->o->budget;
}

static void tune_grow(TuneState *s, int t)
{
    if (t < s->cap) return;
    s->cap = s->cap ? 2 * s->cap : 64;
    s->res->trials = xrealloc(s->res->trials, (size_t)s->cap * sizeof *s->res->trials);
    s->points = xrealloc(s->points, (size_t)s->cap * sizeof *s->points);
    s->history = xrealloc(s->history, (size_t)s->cap * sizeof *s->history);
}

int tune_run(const Config *cfg, const TuneOptions *o, const TuneObserver *obs, FILE *jsonl, TuneResult *res,
             Config *best, Status *st)
{
    memset(res, 0, sizeof *res);
    res->best = -1;
    TuneState s = {.base = cfg, .o = o, .obs = obs, .res = res, .t0 = clock_seconds()};
    rng_seed(&s.rng, rng_mix(cfg->train.fit.seed, 0x74756e65ull /* "tune" */, 0));
    if (pipeline_shared_init(&s.sh, cfg, st)) {
        pipeline_shared_free(&s.sh);
        return -1;
    }
    /* Trials start from the values the corpus gives the config's "auto" keys. */
    Config base;
    char note[512];
    config_copy(&base, cfg);
    pipeline_autoconf(&base, &s.sh.proto, &s.sh.words, note, sizeof note);
    s.base = &base;
    TuneOptions resolved = *o;
    resolved.metric = res->metric = pipeline_shared_metric(&s.sh, &base, o->metric);
    s.o = &resolved;
    int t = 0;
    for (; tune_more(&s, t); t++) {
        tune_grow(&s, t);
        if (tune_trial(&s, t, jsonl, st)) break;
    }
    if (!res->interrupted && res->best >= 0 && o->folds > 1) tune_confirm(&s, jsonl, st);
    if (!res->interrupted && res->best >= 0 && jsonl) {
        const TuneTrial *b = &res->trials[res->best];
        fprintf(jsonl, "{\"trial\": %d, \"chosen\": true, \"folds\": %d, \"metric\": \"%s\", \"value\": %.6f}\n",
                b->index, res->folds, fit_metric_name(res->metric), b->fold_metric);
        fflush(jsonl);
    }
    res->seconds = clock_seconds() - s.t0;
    int rc = 0;
    if (res->best < 0 && !res->interrupted) rc = status_error(st, "tune: no trial finished (%d tried)", res->n);
    if (res->best >= 0) {
        char *settings;
        Status ignore;
        tune_config(&s, &s.points[res->best], best, &settings, &ignore);
        free(settings);
    }
    pipeline_shared_free(&s.sh);
    config_free(&base);
    free(s.points);
    free(s.history);
    return res->interrupted && res->best < 0 ? -1 : rc;
}

void tune_result_free(TuneResult *res)
{
    for (int i = 0; i < res->n; i++) free(res->trials[i].settings);
    free(res->trials);
    memset(res, 0, sizeof *res);
}

double tune_parse_budget(const char *s)
{
    char *end;
    double v = strtod(s, &end);
    if (end == s || !isfinite(v) || v <= 0) return -1;
    if (*end == '\0' || strcmp(end, "s") == 0) return v;
    if (strcmp(end, "m") == 0) return 60 * v;
    if (strcmp(end, "h") == 0) return 3600 * v;
    return -1;
}
