/* cli.c - see cli.h. */
#include "cli.h"

#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

void cli_openmp_wait_policy(char **argv)
{
#ifdef _OPENMP
    if (getenv("OMP_WAIT_POLICY") || getenv("GOMP_SPINCOUNT")) return;
    setenv("GOMP_SPINCOUNT", CLI_OPENMP_SPINS, 1);
    execv("/proc/self/exe", argv); /* if this fails we go on with the default policy */
#else
    (void)argv;
#endif
}

int cli_fail(const char *cmd, const Status *st)
{
    fprintf(stderr, "attnclf %s: %s\n", cmd, st->msg);
    return st->code == STATUS_USAGE ? 2 : 1;
}

int cli_usage(const char *cmd, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "attnclf %s: ", cmd);
    vfprintf(stderr, fmt, ap);
    fprintf(stderr, " (see 'attnclf %s --help')\n", cmd);
    va_end(ap);
    return 2;
}

int cli_parse_count(const char *s, long max)
{
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (errno || end == s || *end || v < 0 || v > max) return -1;
    return (int)v;
}

int cli_bad_option(const char *cmd, char **argv, int optopt_char)
{
    if (optopt_char) return cli_usage(cmd, "option -%c is unknown or needs a value", optopt_char);
    return cli_usage(cmd, "option %s is unknown or needs a value", argv[optind - 1]);
}
