/* cli.h - what the command layer shares: the subcommands, and the one-line
 * error and usage messages on stderr with their exit codes (1 error, 2 usage). */
#ifndef ATTNCLF_CLI_H
#define ATTNCLF_CLI_H

#include <getopt.h>

#include "config.h"
#include "status.h"

#define ATTNCLF_VERSION "0.1.0"

int cmd_train(int argc, char **argv);
int cmd_eval(int argc, char **argv);
int cmd_predict(int argc, char **argv);
int cmd_config(int argc, char **argv);
int cmd_tune(int argc, char **argv);
int cmd_report(int argc, char **argv);
int cmd_test(int argc, char **argv);
/* predict under fastText's name; also fastText's form MODEL FILE [K] [THRESHOLD]. */
int cmd_predict_prob(int argc, char **argv);
int cmd_export(int argc, char **argv);
int cmd_quantize(int argc, char **argv);
int cmd_vectors(int argc, char **argv);
int cmd_nn(int argc, char **argv);

/* What train and tune are told about the config: a file, the data and output
 * flags, and --set overrides. */
typedef struct CliRunArgs {
    const char *config, *data, *valid, *output;
    char **sets;
    int nset;
} CliRunArgs;

/* The config a fresh run uses: defaults, the file, the flags, the --set
 * overrides in order; then validated, and its input files checked. */
int cli_resolve_config(const CliRunArgs *a, Config *cfg, Status *st);

/* Bounds how long an OpenMP thread spins at a barrier before it sleeps
 * (GOMP_SPINCOUNT=CLI_OPENMP_SPINS), unless the user chose OMP_WAIT_POLICY or
 * GOMP_SPINCOUNT: re-executes the program once with it set, because the OpenMP
 * runtime reads it only when it loads. libgomp's long default spin steals a core
 * from a busy neighbour, and never spinning pays a sleep and wake-up at each of
 * a step's barriers; README "Threads" has the measurements behind the choice. */
#define CLI_OPENMP_SPINS "1000"
void cli_openmp_wait_policy(char **argv);
/* Prints "attnclf CMD: message" and returns the status code (1 or 2). */
int cli_fail(const char *cmd, const Status *st);

/* What train's and tune's summary lines add when best.ckpt was refitted (FitSummary.refitted). */
#define CLI_REFITTED "refitted on the training and validation documents; validated.ckpt is the validated model"
/* Prints "attnclf CMD: message (see 'attnclf CMD --help')" and returns 2. */
int cli_usage(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Parses a non-negative int option value; returns -1 on error. */
int cli_parse_count(const char *s, long max);
/* --threshold's value: a probability in [0, 1] (*t = it) or "auto" (*t = -1,
 * the model's own per-label thresholds); returns -1 for anything else. */
int cli_parse_threshold(const char *s, float *t);
/* The usage error for what getopt_long (opterr = 0) rejected, from opts and
 * shortopts as given to it: "option --model needs a value", "unknown option
 * --confg (did you mean --config?)", "option --t is ambiguous". Returns 2. */
int cli_bad_option(const char *cmd, char **argv, int optopt_char, const struct option *opts,
                   const char *shortopts);

#endif
