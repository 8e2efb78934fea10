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
#include "dist.h"
#include "mem.h"
#include "pipeline.h"

static const char train_help[] =
    "usage: attnclf train --data FILE --output DIR [--valid FILE] [--config FILE] [--set KEY=VALUE]...\n"
    "                     [--force] [--quiet]\n"
    "       attnclf train --config FILE [--set KEY=VALUE]... [--force] [--quiet]\n"
    "       attnclf train --resume DIR [--set KEY=VALUE]... [--quiet]\n\n"
    "Trains a classifier and writes, in the output directory: best.ckpt, model.bin (its model\n"
    "for inference only, see 'attnclf export'), last.ckpt, checkpoints/epoch-NNN.ckpt,\n"
    "config.json, log.jsonl, log.csv. Keys whose default is \"auto\" (model.context,\n"
    "model.gate, model.token_dropout, bayes.weight, train.epochs, train.refit) are set from\n"
    "the training data, printed on an auto: line and stored in config.json; a value in the\n"
    "config or --set wins. With train.refit (auto: when the validation documents were\n"
    "split off the training file) the settings train again on all the documents, stopped\n"
    "at the validated epoch: best.ckpt and model.bin are that model, with the validated\n"
    "calibration, and validated.ckpt is the model the logs validated.\n\n"
    "  --data FILE       labelled training data (csv, tsv or fastText lines; - is stdin);\n"
    "                    the same as --set data.train=FILE\n"
    "  --valid FILE      validation data (default: a data.valid_fraction split of --data)\n"
    "  --output DIR      where the run goes (output.dir)\n"
    "  --config FILE     JSON config (see 'attnclf config --defaults'); its relative paths\n"
    "                    resolve against its own directory\n"
    "  --set KEY=VALUE   override a config key by its dotted path, e.g. --set train.epochs=3\n"
    "  --force           replace the run already in the output directory\n"
    "  --resume DIR      continue the run in DIR from DIR/last.ckpt; --set may change\n"
    "                    train.epochs, train.patience, train.threads, train.refit,\n"
    "                    output.keep_checkpoints, output.checkpoint_every, data.cache\n"
    "                    (a finished run with train.refit newly true is refitted)\n"
    "  --quiet           no progress or config summary on stderr\n"
    "  --help            this text\n\n"
    "last.ckpt (resumable) is written at an epoch's end once output.checkpoint_every seconds\n"
    "(default 60) have passed since the last one, every epoch when output.keep_checkpoints > 0,\n"
    "and at the run's end. Ctrl-C or SIGTERM stops at the next batch with a resumable\n"
    "last.ckpt (exit 130 or 143).\n"
    "Built with MPI (make MPI=1), 'mpirun -np N attnclf train ...' trains one model on N\n"
    "processes: rank 0 reports and writes; a signal to any process stops them all.\n";

static void train_print_summary(const FitSummary *s, const char *dir)
{
    if (dist_rank() != 0) return;
    if (s->best_metric >= 0)
        printf("best %s %.4f at epoch %d of %d%s; model: %s/model.bin (checkpoint: best.ckpt%s)\n",
               fit_metric_column(s->metric), s->best_metric, s->best_epoch, s->epochs,
               s->stopped_early ? " (stopped early)" : "", dir,
               s->refitted ? ", " CLI_REFITTED : "");
    else
        printf("trained %d epochs (no validation data); model: %s/model.bin (checkpoint: best.ckpt)\n", s->epochs, dir);
}

static void train_on_signal(int signo)
{
    fit_request_stop(signo);
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

/* How a failed run ended, and what to do next (the run directory is the
 * command's to name). A signal exits 128 + its number, as shells expect. */
static int train_fail(const FitSummary *s, const char *dir, Status *st)
{
    if (dist_rank() != 0) {
        /* Every process says why it stopped; the others' say which one it is. */
        char prefix[32];
        size_t k = (size_t)snprintf(prefix, sizeof prefix, "rank %d: ", dist_rank()), len = strlen(st->msg);
        if (len + k >= sizeof st->msg) len = sizeof st->msg - 1 - k;
        memmove(st->msg + k, st->msg, len);
        memcpy(st->msg, prefix, k);
        st->msg[k + len] = '\0';
    }
    size_t n = strlen(st->msg);
    if (s->signal)
        snprintf(st->msg + n, sizeof st->msg - n, "; resume with: attnclf train --resume %s", dir);
    else if (s->diverged)
        snprintf(st->msg + n, sizeof st->msg - n, "; the last good checkpoint is %s/last.ckpt", dir);
    int rc = cli_fail("train", st);
    return s->signal ? 128 + s->signal : rc;
}

typedef struct TrainArgs {
    CliRunArgs run;
    const char *resume;
    int quiet, force;
} TrainArgs;

static int train_fresh(const TrainArgs *a)
{
    Status st;
    Config cfg;
    int rc = cli_resolve_config(&a->run, &cfg, &st);
    if (rc == 0 && !a->quiet && dist_rank() == 0) {
        /* The whole config is in the run's config.json; here only what differs
         * from the defaults, so it reads at a glance. */
        char *diff = config_changes(&cfg);
        fprintf(stderr, "config: %s (the rest default; all in %s/config.json)\n", *diff ? diff : "defaults",
                cfg.output.dir);
        free(diff);
    }
    Console con;
    console_init(&con, a->quiet, NULL);
    FitObserver obs = console_observer(&con);
    FitSummary sum = {0};
    if (rc) rc = train_fail(&sum, cfg.output.dir, &st);
    else if (pipeline_train(&cfg, a->force, &obs, 1, &sum, &st)) rc = train_fail(&sum, cfg.output.dir, &st);
    else train_print_summary(&sum, cfg.output.dir);
    config_free(&cfg);
    return rc;
}

static int train_resume(const TrainArgs *a)
{
    Status st;
    char last[4096];
    snprintf(last, sizeof last, "%s/last.ckpt", a->resume);
    Console con;
    console_init(&con, a->quiet, last);
    FitObserver obs = console_observer(&con);
    FitSummary sum = {0};
    if (pipeline_resume(a->resume, a->run.sets, a->run.nset, &obs, 1, &sum, &st)) return train_fail(&sum, a->resume, &st);
    train_print_summary(&sum, a->resume);
    return 0;
}

int cmd_train(int argc, char **argv)
{
    static const char shortopts[] = "c:s:r:d:v:o:fqh";
    static const struct option opts[] = {
        {"config", required_argument, 0, 'c'}, {"set", required_argument, 0, 's'},
        {"resume", required_argument, 0, 'r'}, {"data", required_argument, 0, 'd'},
        {"valid", required_argument, 0, 'v'},  {"output", required_argument, 0, 'o'},
        {"force", no_argument, 0, 'f'},        {"quiet", no_argument, 0, 'q'},
        {"help", no_argument, 0, 'h'},         {0, 0, 0, 0},
    };
    TrainArgs a = {.run.sets = xcalloc((size_t)argc + 1, sizeof *a.run.sets)};
    int c, rc = -1;
    opterr = 0;
    optind = 1;
    while (rc < 0 && (c = getopt_long(argc, argv, shortopts, opts, NULL)) != -1) {
        switch (c) {
        case 'c': a.run.config = optarg; break;
        case 's': a.run.sets[a.run.nset++] = optarg; break;
        case 'r': a.resume = optarg; break;
        case 'd': a.run.data = optarg; break;
        case 'v': a.run.valid = optarg; break;
        case 'o': a.run.output = optarg; break;
        case 'f': a.force = 1; break;
        case 'q': a.quiet = 1; break;
        case 'h': fputs(train_help, stdout); rc = 0; break;
        default: rc = cli_bad_option("train", argv, optopt, opts, shortopts);
        }
    }
    train_install_signals();
    Status st;
    if (rc < 0 && dist_init(NULL, NULL, &st)) rc = cli_fail("train", &st);
    if (rc >= 0) {
    } else if (optind < argc) {
        rc = cli_usage("train", "unexpected argument '%s'", argv[optind]);
    } else if (a.resume && (a.run.config || a.run.data || a.run.valid || a.run.output || a.force)) {
        rc = cli_usage("train", "--resume DIR takes only --set and --quiet: the run's config is in DIR/last.ckpt");
    } else if (a.resume) {
        rc = train_resume(&a);
    } else if (!a.run.config && !(a.run.data && a.run.output)) {
        rc = cli_usage("train", "give --data FILE and --output DIR, --config FILE, or --resume DIR");
    } else {
        rc = train_fresh(&a);
    }
    free(a.run.sets);
    dist_finalize();
    return rc;
}
