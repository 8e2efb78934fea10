/* console.c - see console.h. */
#include "console.h"

#include <stdio.h>

/* Reading progress on a terminal; each cache file used or built and kept, unless quiet;
 * a damaged one always (it is rebuilt, but something broke it). */
static void console_on_corpus(void *ctx, const CorpusEvent *e)
{
    Console *c = ctx;
    if (e->kind == CORPUS_READING) {
        progress_read(&c->prog, e->path, e->done, e->total, e->seconds);
        return;
    }
    progress_clear(&c->prog);
    if (e->why) fprintf(stderr, "warning: %s; built it again\n", e->why);
    if (c->quiet) return;
    if (!e->kept) return; /* a file removed once mapped is no cache to report */
    if (e->built)
        fprintf(stderr, "cache: wrote %s (%.1f MB) in %.2fs\n", e->path, (double)e->done / 1e6, e->seconds);
    else
        fprintf(stderr, "cache: using %s (%.1f MB)\n", e->path, (double)e->done / 1e6);
}

static void console_on_start(void *ctx, const FitStart *s)
{
    Console *c = ctx;
    if (c->quiet) return;
    const TrainData *d = s->data;
    const Classifier *clf = s->clf;
    c->sets = clf->net.dims.loss == LOSS_OVA || d->valid.loff[d->valid.n] > d->valid.n;
    fprintf(stderr, "data: %lld train docs, %lld valid docs, %lld labels, vocabulary %lld words (of %lld seen), "
            "%lld embedding rows, %.1f tokens/doc, %d threads\n",
            (long long)d->train.n, (long long)d->valid.n, (long long)clf->labels.n, (long long)clf->enc.vocab.n,
            (long long)(d->words_seen ? d->words_seen : clf->enc.vocab.n), (long long)clf->net.dims.rows,
            d->train.n ? (double)d->train.off[d->train.n] / (double)d->train.n : 0.0, s->threads);
    const Bayes *nb = classifier_bayes(clf);
    if (nb && !c->resuming) {
        fprintf(stderr, "naive Bayes member: %lld distinct 1..%d-grams, weight %g", (long long)nb->n, nb->o.ngrams,
                nb->o.weight);
        if (nb->u && nb->o.fit == BAYES_FIT_LOGISTIC)
            fprintf(stderr, "; logistic fit, %d passes: objective %.4f -> %.4f", nb->o.passes, nb->lr_loss[0],
                    nb->lr_loss[1]);
        fputc('\n', stderr);
    }
    const PretrainedStats *ps = s->pretrained;
    if (ps) {
        const double pct = ps->words ? 100.0 * (double)ps->found / (double)ps->words : 0.0;
        fprintf(stderr, "pretrained vectors: %lld of %lld vocabulary words (%.1f%%) from %s (%lld vectors)\n",
                (long long)ps->found, (long long)ps->words, pct, ps->path, (long long)ps->vectors);
    }
    if (c->resuming) fprintf(stderr, "resuming %s at epoch %d\n", c->resuming, s->resumed_epoch + 1);
    if (clf->net.dims.loss == LOSS_OVA && !c->resuming)
        fprintf(stderr, "loss: one-vs-all (documents with several labels)\n");
}

static void console_on_progress(void *ctx, const FitProgress *p)
{
    Console *c = ctx;
    progress_update(&c->prog, p->epoch, p->epochs, p->batch, p->batches, p->tokens, p->loss, p->lr, p->seconds);
}

static int console_on_epoch(void *ctx, const FitEpoch *e, Status *st)
{
    (void)st;
    Console *c = ctx;
    progress_clear(&c->prog);
    if (c->quiet) return 0;
    fprintf(stderr, "epoch %d/%d  train_loss %.4f  train_acc %.4f", e->epoch, e->epochs, e->train_loss, e->train_acc);
    if (e->has_valid) fprintf(stderr, "  valid_loss %.4f  valid_acc %.4f", e->valid_loss, e->valid_acc);
    if (e->has_valid && c->sets) fprintf(stderr, "  valid_p@1 %.4f  valid_micro_f1 %.4f", e->valid_p_at_1, e->valid_micro_f1);
    fprintf(stderr, "  %.1fs  %.0f tok/s%s\n", e->seconds, e->tokens_per_sec, e->improved ? "  *" : "");
    if (e->stopped) fprintf(stderr, "early stopping: no better validation metric for %d epochs\n", e->bad_epochs);
    return 0;
}

static void console_on_warning(void *ctx, const char *msg)
{
    Console *c = ctx;
    progress_clear(&c->prog);
    fprintf(stderr, "warning: %s\n", msg);
}

/* The best epoch's calibration and threshold, on the validation split they were fitted on. */
static void console_calibration(const FitSummary *s)
{
    const CalibrationReport *r = &s->cal;
    fprintf(stderr, "calibration (epoch %d, %lld validation docs): ", s->best_epoch, (long long)r->docs);
    if (s->cal_kind == CALIBRATION_TEMPERATURE) fprintf(stderr, "temperature %.3f, ", s->temperature);
    else if (s->cal_kind == CALIBRATION_TEMPERATURES)
        fprintf(stderr, "temperatures %.3f (network) and %.3f (naive Bayes member), ", s->temperature,
                s->temperature_member);
    else if (s->cal_kind == CALIBRATION_PLATT) fprintf(stderr, "Platt scaling per label, ");
    else fprintf(stderr, "none (train.calibrate false), ");
    fprintf(stderr, "log loss %.4f -> %.4f, ECE %.4f -> %.4f; threshold %.4f (micro-F1 %.4f), %d labels with their own%s\n",
            r->log_loss_before, r->log_loss_after, r->ece_before, r->ece_after, s->threshold, r->micro_f1,
            r->labels_tuned, s->min_labels ? ", the top label always" : "");
}

static void console_on_note(void *ctx, const char *msg)
{
    Console *c = ctx;
    if (!c->quiet) fprintf(stderr, "%s\n", msg);
}

static void console_on_done(void *ctx, const FitSummary *s)
{
    Console *c = ctx;
    progress_clear(&c->prog);
    if (!c->quiet && s->calibrated && s->epochs > 0 && !s->signal && !s->diverged) console_calibration(s);
}

void console_init(Console *c, int quiet, const char *resuming)
{
    progress_init(&c->prog, quiet);
    c->quiet = quiet;
    c->resuming = resuming;
}

FitObserver console_observer(Console *c)
{
    return (FitObserver){.ctx = c, .on_corpus = console_on_corpus, .on_start = console_on_start,
                         .on_progress = console_on_progress, .on_epoch = console_on_epoch,
                         .on_warning = console_on_warning, .on_done = console_on_done, .on_note = console_on_note};
}
