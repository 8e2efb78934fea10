/* cli.h - what the command layer shares: the subcommands, and the one-line
 * error and usage messages on stderr with their exit codes (1 error, 2 usage). */
#ifndef ATTNCLF_CLI_H
#define ATTNCLF_CLI_H

#include "status.h"

#define ATTNCLF_VERSION "0.1.0"

int cmd_train(int argc, char **argv);
int cmd_eval(int argc, char **argv);
int cmd_predict(int argc, char **argv);

/* Makes OpenMP threads sleep rather than spin while they wait, unless the user
 * chose OMP_WAIT_POLICY: re-executes the program once with it set, because the
 * OpenMP runtime reads it only when it loads. Spinning workers make every step
 * wait for a preempted thread on a busy machine (5-40x slower here when another
 * job holds a core); sleeping costs a few microseconds per step. */
void cli_openmp_passive(char **argv);
/* Prints "attnclf CMD: message" and returns the status code (1 or 2). */
int cli_fail(const char *cmd, const Status *st);
/* Prints "attnclf CMD: message (see 'attnclf CMD --help')" and returns 2. */
int cli_usage(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Parses a non-negative int option value; returns -1 on error. */
int cli_parse_count(const char *s, long max);
/* getopt_long's message for an unknown option or a missing argument. */
int cli_bad_option(const char *cmd, char **argv, int optopt_char);

#endif
