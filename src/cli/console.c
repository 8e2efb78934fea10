/* console.c - see console.h. */
#include "console.h"

#include <stdio.h>

static void console_on_start(void *ctx, const FitStart *s)
{
    Console *c = ctx;
    if (c->quiet) return;
    const TrainData *d = s->data;
    const Classifier *clf = s->clf;
    fprintf(stderr, "data: %lld train docs, %lld valid docs, %lld labels, vocabulary %lld words (of %lld seen), "
            "%lld embedding rows, %.1f tokens/doc, %d threads\n",
            (long long)d->train.n, (long long)d->valid.n, (long long)clf->labels.n, (long long)clf->enc.vocab.n,
            (long long)(d->words_seen ? d->words_seen : clf->enc.vocab.n), (long long)clf->net.dims.rows,
            d->train.n ? (double)d->train.off[d->train.n] / (double)d->train.n : 0.0, s->threads);
    const Bayes *nb = classifier_bayes(clf);
    if (nb && !c->resuming)
        fprintf(stderr, "naive Bayes member: %lld distinct 1..%d-grams, weight %g\n", (long long)nb->n, nb->o.ngrams,
                nb->o.weight);
    if (c->resuming) fprintf(stderr, "resuming %s at epoch %d\n", c->resuming, s->resumed_epoch + 1);
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

static void console_on_note(void *ctx, const char *msg)
{
    Console *c = ctx;
    if (!c->quiet) fprintf(stderr, "auto: %s\n", msg);
}

static void console_on_done(void *ctx, const FitSummary *s)
{
    (void)s;
    Console *c = ctx;
    progress_clear(&c->prog);
}

void console_init(Console *c, int quiet, const char *resuming)
{
    progress_init(&c->prog, quiet);
    c->quiet = quiet;
    c->resuming = resuming;
}

FitObserver console_observer(Console *c)
{
    return (FitObserver){.ctx = c, .on_start = console_on_start, .on_progress = console_on_progress,
                         .on_epoch = console_on_epoch, .on_warning = console_on_warning, .on_done = console_on_done,
                         .on_note = console_on_note};
}
