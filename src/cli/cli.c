/* cli.c - see cli.h. */
#include "cli.h"

#include <cjson/cJSON.h>

#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "mem.h"
#include "suggest.h"

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

int cli_parse_threshold(const char *s, float *t)
{
    if (strcmp(s, "auto") == 0) {
        *t = -1.0f;
        return 0;
    }
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (errno || end == s || *end || !(v >= 0.0 && v <= 1.0)) return -1;
    *t = (float)v;
    return 0;
}

/* The long options that name (the text after "--", up to any '=') selects:
 * an exact match, else every option it is a prefix of, as getopt_long does. */
static int cli_long_matches(const char *name, size_t len, const struct option *opts, int *first)
{
    int n = 0;
    for (int i = 0; opts[i].name; i++) {
        if (strncmp(opts[i].name, name, len) != 0) continue;
        if (strlen(opts[i].name) == len) {
            *first = i;
            return 1;
        }
        if (n++ == 0) *first = i;
    }
    return n;
}

static int cli_bad_long(const char *cmd, const char *arg, const struct option *opts)
{
    const char *eq = strchr(arg, '=');
    size_t len = eq ? (size_t)(eq - arg) : strlen(arg);
    int i = -1, n = cli_long_matches(arg, len, opts, &i);
    if (n == 1 && eq && opts[i].has_arg == no_argument)
        return cli_usage(cmd, "option --%s takes no value", opts[i].name);
    if (n == 1) return cli_usage(cmd, "option --%s needs a value", opts[i].name);
    if (n > 1) {
        char which[256] = "";
        for (int j = 0; opts[j].name; j++)
            if (strncmp(opts[j].name, arg, len) == 0)
                snprintf(which + strlen(which), sizeof which - strlen(which), "%s--%s", which[0] ? ", " : "",
                         opts[j].name);
        return cli_usage(cmd, "option --%.*s is ambiguous (%s)", (int)len, arg, which);
    }
    const char *names[64];
    int k = 0;
    for (; opts[k].name && k < 64; k++) names[k] = opts[k].name;
    char *typed = xstrndup(arg, len);
    int near = suggest_nearest(typed, names, k);
    free(typed);
    if (near < 0) return cli_usage(cmd, "unknown option --%.*s", (int)len, arg);
    return cli_usage(cmd, "unknown option --%.*s (did you mean --%s?)", (int)len, arg, names[near]);
}

int cli_bad_option(const char *cmd, char **argv, int optopt_char, const struct option *opts,
                   const char *shortopts)
{
    /* An unknown letter is named by optopt alone: inside a cluster ("-zq")
     * getopt has not yet moved optind past it, so argv[optind - 1] is the
     * argument before. Otherwise optopt is 0 (a long option getopt could not
     * match) or a known letter that lacks or refuses a value. */
    if (optopt_char && (optopt_char == ':' || !strchr(shortopts, optopt_char)))
        return cli_usage(cmd, "unknown option -%c", optopt_char);
    const char *arg = argv[optind - 1];
    if (strncmp(arg, "--", 2) == 0) return cli_bad_long(cmd, arg + 2, opts);
    if (optopt_char) return cli_usage(cmd, "option -%c needs a value", optopt_char);
    return cli_usage(cmd, "unknown option %s", arg);
}

int cli_resolve_config(const CliRunArgs *a, Config *cfg, Status *st)
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
    config_absolute_inputs(cfg);
    return 0;
}

