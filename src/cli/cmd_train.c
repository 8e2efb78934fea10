/* cmd_train.c - `attnclf train`: options, config resolution, then pipeline.c
 * with the console observer. */
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "config.h"
#include "console.h"
#include "mem.h"
#include "pipeline.h"

static const char train_help[] =
    "usage: attnclf train --config FILE [--set KEY=VALUE]... [--quiet]\n"
    "       attnclf train --resume DIR [--set KEY=VALUE]... [--quiet]\n\n"
    "Trains a classifier as the JSON config says and writes, in output.dir:\n"
    "best.ckpt, last.ckpt, checkpoints/epoch-NNN.ckpt, config.json, log.jsonl, log.csv.\n\n"
    "  --config FILE     JSON config (see README.md; only data.train and output.dir are required)\n"
    "  --set KEY=VALUE   override a config key by its dotted path, e.g. --set train.epochs=3\n"
    "  --resume DIR      continue the run in DIR from DIR/last.ckpt; --set may change\n"
    "                    train.epochs, train.patience, train.threads, output.keep_checkpoints\n"
    "  --quiet           no progress or resolved config on stderr\n"
    "  --help            this text\n";

static void train_print_summary(const FitSummary *s, const char *dir)
{
    if (s->best_acc >= 0)
        printf("best valid_acc %.4f at epoch %d of %d%s; model: %s/best.ckpt\n", s->best_acc, s->best_epoch,
               s->epochs, s->stopped_early ? " (stopped early)" : "", dir);
    else
        printf("trained %d epochs (no validation data); model: %s/best.ckpt\n", s->epochs, dir);
}

static void train_on_signal(int signo)
{
    fit_request_stop(signo);
}

/* How a failed run ended, and what to do next: the run directory is the
 * command's to name. */
static int train_fail(const FitSummary *s, const char *dir, Status *st)
{
    size_t n = strlen(st->msg);
    if (s->signal)
        snprintf(st->msg + n, sizeof st->msg - n, "; resume with: attnclf train --resume %s", dir);
    else if (s->diverged)
        snprintf(st->msg + n, sizeof st->msg - n, "; the last good checkpoint is %s/last.ckpt", dir);
    return cli_fail("train", st);
}

/* Ctrl-C or a TERM stops at the next batch with a resumable last.ckpt; a file
 * size limit (ulimit -f) becomes a write error naming the file, not a kill. */
static void train_install_signals(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = train_on_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    sa.sa_handler = SIG_IGN;
    sigaction(SIGXFSZ, &sa, NULL);
}

int cmd_train(int argc, char **argv)
{
    static const char shortopts[] = "c:s:r:qh";
    static const struct option opts[] = {
        {"config", required_argument, 0, 'c'}, {"set", required_argument, 0, 's'},
        {"resume", required_argument, 0, 'r'}, {"quiet", no_argument, 0, 'q'},
        {"help", no_argument, 0, 'h'},         {0, 0, 0, 0},
    };
    const char *config = NULL, *resume = NULL;
    int quiet = 0, nset = 0, c;
    char **sets = xcalloc((size_t)argc + 1, sizeof *sets);
    opterr = 0;
    optind = 1;
    while ((c = getopt_long(argc, argv, shortopts, opts, NULL)) != -1) {
        switch (c) {
        case 'c': config = optarg; break;
        case 's': sets[nset++] = optarg; break;
        case 'r': resume = optarg; break;
        case 'q': quiet = 1; break;
        case 'h': fputs(train_help, stdout); free(sets); return 0;
        default: free(sets); return cli_bad_option("train", argv, optopt, opts, shortopts);
        }
    }
    int rc;
    FitSummary sum = {0};
    train_install_signals();
    if (optind < argc) rc = cli_usage("train", "unexpected argument '%s'", argv[optind]);
    else if (!config == !resume) rc = cli_usage("train", "give exactly one of --config FILE or --resume DIR");
    else if (resume) {
        Status st;
        char last[4096];
        snprintf(last, sizeof last, "%s/last.ckpt", resume);
        Console con;
        console_init(&con, quiet, last);
        FitObserver obs = console_observer(&con);
        rc = pipeline_resume(resume, sets, nset, &obs, 1, &sum, &st) ? train_fail(&sum, resume, &st) : 0;
        if (rc == 0) train_print_summary(&sum, resume);
    } else {
        Status st;
        Config cfg;
        config_defaults(&cfg);
        rc = config_load_file(&cfg, config, &st);
        for (int i = 0; rc == 0 && i < nset; i++) rc = config_set(&cfg, sets[i], &st);
        if (rc == 0) rc = config_validate(&cfg, &st);
        if (rc == 0 && !quiet) {
            char *json = config_to_json(&cfg);
            fprintf(stderr, "resolved config:\n%s\n", json);
            free(json);
        }
        Console con;
        console_init(&con, quiet, NULL);
        FitObserver obs = console_observer(&con);
        if (rc == 0 && pipeline_train(&cfg, &obs, 1, &sum, &st)) rc = train_fail(&sum, cfg.output.dir, &st);
        else rc = rc ? cli_fail("train", &st) : 0;
        if (rc == 0) train_print_summary(&sum, cfg.output.dir);
        config_free(&cfg);
    }
    free(sets);
    return rc;
}
