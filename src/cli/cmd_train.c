/* cmd_train.c - `attnclf train`: options, config resolution, then pipeline.c
 * with the console observer. */
#include <cjson/cJSON.h>
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
    "Trains a classifier and writes, in the output directory: best.ckpt, last.ckpt,\n"
    "checkpoints/epoch-NNN.ckpt, config.json, log.jsonl, log.csv.\n\n"
    "  --data FILE       labelled training data (csv, tsv or fastText lines; - is stdin);\n"
    "                    the same as --set data.train=FILE\n"
    "  --valid FILE      validation data (default: a data.valid_fraction split of --data)\n"
    "  --output DIR      where the run goes (output.dir)\n"
    "  --config FILE     JSON config (see 'attnclf config --defaults'); its relative paths\n"
    "                    resolve against its own directory\n"
    "  --set KEY=VALUE   override a config key by its dotted path, e.g. --set train.epochs=3\n"
    "  --force           replace the run already in the output directory\n"
    "  --resume DIR      continue the run in DIR from DIR/last.ckpt; --set may change\n"
    "                    train.epochs, train.patience, train.threads, output.keep_checkpoints\n"
    "  --quiet           no progress or resolved config on stderr\n"
    "  --help            this text\n\n"
    "Ctrl-C or SIGTERM stops at the next batch with a resumable last.ckpt (exit 130 or 143).\n"
    "Built with MPI (make MPI=1), 'mpirun -np N attnclf train ...' trains one model on N\n"
    "processes: rank 0 reports and writes; a signal to any process stops them all.\n";

static void train_print_summary(const FitSummary *s, const char *dir)
{
    if (dist_rank() != 0) return;
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
    const char *config, *resume, *data, *valid, *output;
    char **sets;
    int nset, quiet, force;
} TrainArgs;

/* The config a fresh run trains with: defaults, the file, the flags, --set. */
static int train_resolve(const TrainArgs *a, Config *cfg, Status *st)
{
    config_defaults(cfg);
    if (a->config && config_load_file(cfg, a->config, st)) return -1;
    const char *keys[3] = {"data.train", "data.valid", "output.dir"}, *vals[3] = {a->data, a->valid, a->output};
    const char *flags[3] = {"--data", "--valid", "--output"};
    for (int i = 0; i < 3; i++) {
        if (!vals[i]) continue;
        char origin[4200];
        snprintf(origin, sizeof origin, "%s %s", flags[i], vals[i]);
        /* A path is a path, whatever JSON it might look like: give it as a JSON string. */
        cJSON *v = cJSON_CreateString(vals[i]);
        char *quoted = cJSON_PrintUnformatted(v);
        int rc = config_assign(cfg, keys[i], quoted, origin, st);
        free(quoted);
        cJSON_Delete(v);
        if (rc) return -1;
    }
    for (int i = 0; i < a->nset; i++)
        if (config_set(cfg, a->sets[i], st)) return -1;
    if (config_validate(cfg, st) || config_check_inputs(cfg, st)) return -1;
    return 0;
}

static int train_fresh(const TrainArgs *a)
{
    Status st;
    Config cfg;
    int rc = train_resolve(a, &cfg, &st);
    if (rc == 0 && !a->quiet && dist_rank() == 0) {
        char *json = config_to_json(&cfg);
        fprintf(stderr, "resolved config:\n%s\n", json);
        free(json);
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
    if (pipeline_resume(a->resume, a->sets, a->nset, &obs, 1, &sum, &st)) return train_fail(&sum, a->resume, &st);
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
    TrainArgs a = {.sets = xcalloc((size_t)argc + 1, sizeof *a.sets)};
    int c, rc = -1;
    opterr = 0;
    optind = 1;
    while (rc < 0 && (c = getopt_long(argc, argv, shortopts, opts, NULL)) != -1) {
        switch (c) {
        case 'c': a.config = optarg; break;
        case 's': a.sets[a.nset++] = optarg; break;
        case 'r': a.resume = optarg; break;
        case 'd': a.data = optarg; break;
        case 'v': a.valid = optarg; break;
        case 'o': a.output = optarg; break;
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
    } else if (a.resume && (a.config || a.data || a.valid || a.output || a.force)) {
        rc = cli_usage("train", "--resume DIR takes only --set and --quiet: the run's config is in DIR/last.ckpt");
    } else if (a.resume) {
        rc = train_resume(&a);
    } else if (!a.config && !(a.data && a.output)) {
        rc = cli_usage("train", "give --data FILE and --output DIR, --config FILE, or --resume DIR");
    } else {
        rc = train_fresh(&a);
    }
    free(a.sets);
    dist_finalize();
    return rc;
}
