/* cmd_tune.c - `attnclf tune`: options, the config, then pipeline_tune with a
 * console for the search and one for the final training. */
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "clock.h"
#include "config.h"
#include "console.h"
#include "mem.h"
#include "pipeline.h"
#include "tune.h"

static const char tune_help[] =
    "usage: attnclf tune --data FILE --output DIR [--valid FILE] [--config FILE] [--set KEY=VALUE]...\n"
    "                    [--budget TIME] [--trials N] [--metric M] [--folds N] [--force] [--quiet]\n\n"
    "Searches the settings (lr, epochs, dim, heads, word n-grams, token dropout, the naive\n"
    "Bayes member, context attention, length weighting, batch size, the self-attention\n"
    "encoder: none, 1 or 2 layers, sinusoidal or learned positions) on the validation\n"
    "split (data.valid, else data.valid_fraction of the training data), never a test set,\n"
    "then trains the best into the output directory as 'attnclf train' does. It also writes\n"
    "tune.json (the winning config, usable as 'attnclf train --config') and tune.jsonl (a\n"
    "row per trial: settings, metric, epochs, seconds).\n\n"
    "Before it chooses, the four best trials and trial 0 (the config's own settings) train\n"
    "again on other splits of the training and validation documents (folds), and the best\n"
    "mean over those wins: on a few hundred validation documents the best of many trials\n"
    "is mostly the luckiest. These runs are rows of tune.jsonl with a \"fold\".\n\n"
    "  --budget TIME     time for the search and the final training: 90s, 5m, 1h\n"
    "                    (default 5m, or none with --trials)\n"
    "  --trials N        at most N trials; the same N and train.seed give the same result\n"
    "  --metric M        accuracy, macro_f1, micro_f1, p_at_1, or auto (default: the config's\n"
    "                    train.metric, whose default is accuracy for one label per document\n"
    "                    and micro_f1 for several), on the validation split\n"
    "  --folds N         splits in all, 1-10 (default 4: the finalists are compared on 3\n"
    "                    others; 1: the validation split alone decides)\n"
    "  --data, --valid, --output, --config, --set, --force, --quiet: as for 'attnclf train'\n"
    "  --help            this text\n\n"
    "Ctrl-C stops the search and leaves the best settings so far in DIR/tune.json.\n";

typedef struct TuneConsole {
    int quiet, live;
    const TuneResult *res; /* its metric, resolved once the data are read */
    double last;
} TuneConsole;

static void tune_time_left(const TuneReport *r, char *out, size_t cap)
{
    if (r->budget <= 0) {
        snprintf(out, cap, "trial %d/%d", r->done, r->trials);
        return;
    }
    double left = r->budget - r->elapsed;
    if (left < 0) left = 0;
    snprintf(out, cap, "trial %d, %dm%02ds left", r->done, (int)left / 60, (int)left % 60);
}

static void tune_on_epoch(void *ctx, int trial, const FitEpoch *e, double elapsed)
{
    TuneConsole *c = ctx;
    if (!c->live || elapsed - c->last < 0.2) return;
    c->last = elapsed;
    fprintf(stderr, "\r\033[Ktrial %d epoch %d/%d %s %.4f", trial, e->epoch, e->epochs, fit_metric_name(c->res->metric),
            e->valid_metric);
    fflush(stderr);
}

static void tune_on_trial(void *ctx, const TuneReport *r)
{
    TuneConsole *c = ctx;
    if (c->live) fprintf(stderr, "\r\033[K");
    if (c->quiet) return;
    char when[64];
    tune_time_left(r, when, sizeof when);
    const TuneTrial *t = r->trial;
    if (t->fold) {
        if (t->metric < 0) fprintf(stderr, "trial %d fold %d: failed\n", t->index, t->fold);
        else
            fprintf(stderr, "trial %d fold %d: %s %.4f at epoch %d%s  %.1fs\n", t->index, t->fold,
                    fit_metric_name(c->res->metric), t->metric, t->best_epoch, t->pruned ? " (stopped)" : "",
                    t->seconds);
        return;
    }
    if (t->metric < 0) fprintf(stderr, "trial %d: failed  %s\n", t->index, t->settings);
    else
        fprintf(stderr, "trial %d: %s %.4f at epoch %d%s  %.1fs  %s\n", t->index,
                fit_metric_name(c->res->metric), t->metric, t->best_epoch,
                t->pruned ? " (stopped)" : "", t->seconds, t->settings);
    if (r->best)
        fprintf(stderr, "  best %s %.4f (trial %d); %s\n", fit_metric_name(c->res->metric), r->best->metric, r->best->index, when);
}

static void tune_on_signal(int signo)
{
    fit_request_stop(signo);
}

typedef struct TuneArgs {
    CliRunArgs run;
    TuneOptions o;
    int quiet, force, budget_given;
} TuneArgs;

static int tune_go(const TuneArgs *a)
{
    Status st;
    Config cfg;
    TuneOptions o = a->o;
    if (!a->budget_given && !o.trials) o.budget = 300;
    if (cli_resolve_config(&a->run, &cfg, &st)) {
        config_free(&cfg);
        return cli_fail("tune", &st);
    }
    TuneResult res;
    TuneConsole tc = {.quiet = a->quiet, .live = !a->quiet && isatty(STDERR_FILENO), .res = &res};
    TuneObserver tobs = {.ctx = &tc, .on_epoch = tune_on_epoch, .on_trial = tune_on_trial};
    Console con;
    console_init(&con, a->quiet, NULL);
    FitObserver obs = console_observer(&con);
    FitSummary sum;
    int rc = pipeline_tune(&cfg, a->force, &o, &tobs, &obs, 1, &res, &sum, &st);
    if (tc.live) fprintf(stderr, "\r\033[K");
    if (res.n > 0 && res.best >= 0) {
        const TuneTrial *b = &res.trials[res.best];
        char folds[64] = "";
        if (res.folds > 0)
            snprintf(folds, sizeof folds, "; mean %.4f over %d other fold%s", b->fold_metric, res.folds,
                     res.folds > 1 ? "s" : "");
        printf("tune: %d trials in %.0fs; best %s %.4f (trial %d%s); config: %s/tune.json\n", res.n, res.seconds,
               fit_metric_name(res.metric), b->metric, res.best, folds, cfg.output.dir);
    }
    if (rc && sum.signal) {
        size_t n = strlen(st.msg);
        snprintf(st.msg + n, sizeof st.msg - n, "; the best settings so far are in %s/tune.json", cfg.output.dir);
        cli_fail("tune", &st);
        rc = 128 + sum.signal;
    } else if (rc) {
        rc = cli_fail("tune", &st);
    } else {
        printf("best %s %.4f at epoch %d of %d; model: %s/best.ckpt%s\n",
               fit_metric_column(sum.metric), sum.best_metric, sum.best_epoch,
               sum.epochs, cfg.output.dir,
               sum.refitted ? " (" CLI_REFITTED ")" : "");
    }
    tune_result_free(&res);
    config_free(&cfg);
    return rc;
}

int cmd_tune(int argc, char **argv)
{
    static const char shortopts[] = "c:s:d:v:o:b:n:M:F:fqh";
    static const struct option opts[] = {
        {"config", required_argument, 0, 'c'}, {"set", required_argument, 0, 's'},
        {"data", required_argument, 0, 'd'},   {"valid", required_argument, 0, 'v'},
        {"output", required_argument, 0, 'o'}, {"budget", required_argument, 0, 'b'},
        {"trials", required_argument, 0, 'n'}, {"metric", required_argument, 0, 'M'},
        {"folds", required_argument, 0, 'F'},
        {"force", no_argument, 0, 'f'},        {"quiet", no_argument, 0, 'q'},
        {"help", no_argument, 0, 'h'},         {0, 0, 0, 0},
    };
    TuneArgs a = {.run.sets = xcalloc((size_t)argc + 1, sizeof *a.run.sets), .o.metric = FIT_METRIC_AUTO,
                  .o.folds = 4};
    int c, rc = -1;
    opterr = 0;
    optind = 1;
    while (rc < 0 && (c = getopt_long(argc, argv, shortopts, opts, NULL)) != -1) {
        switch (c) {
        case 'c': a.run.config = optarg; break;
        case 's': a.run.sets[a.run.nset++] = optarg; break;
        case 'd': a.run.data = optarg; break;
        case 'v': a.run.valid = optarg; break;
        case 'o': a.run.output = optarg; break;
        case 'b':
            a.budget_given = 1;
            if ((a.o.budget = tune_parse_budget(optarg)) < 0)
                rc = cli_usage("tune", "--budget %s: expected a time such as 90s, 5m or 1h", optarg);
            break;
        case 'n':
            if ((a.o.trials = cli_parse_count(optarg, 100000)) < 1)
                rc = cli_usage("tune", "--trials %s: expected a whole number >= 1", optarg);
            break;
        case 'M':
            a.o.metric = FIT_METRIC_AUTO + 1;
            for (int m = 0; m <= FIT_METRIC_AUTO; m++)
                if (strcmp(optarg, fit_metric_name((FitMetric)m)) == 0) a.o.metric = (FitMetric)m;
            if (a.o.metric > FIT_METRIC_AUTO)
                rc = cli_usage("tune", "--metric %s: expected accuracy, macro_f1, micro_f1, p_at_1 or auto", optarg);
            break;
        case 'F':
            if ((a.o.folds = cli_parse_count(optarg, 10)) < 1)
                rc = cli_usage("tune", "--folds %s: expected a whole number from 1 to 10", optarg);
            break;
        case 'f': a.force = 1; break;
        case 'q': a.quiet = 1; break;
        case 'h': fputs(tune_help, stdout); rc = 0; break;
        default: rc = cli_bad_option("tune", argv, optopt, opts, shortopts);
        }
    }
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = tune_on_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    if (rc >= 0) {
    } else if (optind < argc) {
        rc = cli_usage("tune", "unexpected argument '%s'", argv[optind]);
    } else if (!a.run.config && !(a.run.data && a.run.output)) {
        rc = cli_usage("tune", "give --data FILE and --output DIR, or --config FILE");
    } else {
        rc = tune_go(&a);
    }
    free(a.run.sets);
    return rc;
}
