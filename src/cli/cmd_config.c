/* cmd_config.c - `attnclf config`: the default config, a config file checked and
 * resolved, the config a checkpoint was trained with, and the list of keys. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "classifier.h"
#include "cli.h"
#include "config.h"
#include "mem.h"
#include "pipeline.h"

static const char config_help[] =
    "usage: attnclf config --defaults\n"
    "       attnclf config --check FILE [--set KEY=VALUE]...\n"
    "       attnclf config --model CKPT\n"
    "       attnclf config --keys\n\n"
    "Prints a config as JSON on stdout, as 'attnclf train' resolves it.\n\n"
    "  --defaults        the default config (a starting point for a config file)\n"
    "  --check FILE      reads and validates FILE (with the --set overrides) and prints it\n"
    "                    resolved: relative paths against FILE's directory, every default\n"
    "                    filled in; data.train and output.dir may be left to train's\n"
    "                    --data and --output\n"
    "  --model CKPT      the config the checkpoint was trained with\n"
    "  --keys            every config key, one per line\n"
    "  --quiet           no notes on stderr\n"
    "  --help            this text\n";

static int config_print(const Config *cfg)
{
    char *json = config_to_json(cfg);
    printf("%s\n", json);
    free(json);
    return 0;
}

/* Required keys a file may leave to train's flags get a stand-in while the rest is checked. */
static int config_check(const char *path, char **sets, int nset, int quiet, Status *st)
{
    Config cfg;
    config_defaults(&cfg);
    int rc = config_load_file(&cfg, path, st);
    for (int i = 0; rc == 0 && i < nset; i++) rc = config_set(&cfg, sets[i], st);
    int no_train = rc == 0 && !cfg.data.train, no_dir = rc == 0 && !cfg.output.dir;
    if (no_train) rc = config_assign(&cfg, "data.train", "-", "data.train", st);
    if (rc == 0 && no_dir) rc = config_assign(&cfg, "output.dir", ".", "output.dir", st);
    if (rc == 0) rc = config_validate(&cfg, st);
    if (rc == 0) rc = config_check_inputs(&cfg, st);
    if (rc == 0 && (no_train || no_dir)) {
        if (no_train) config_assign(&cfg, "data.train", "null", "data.train", st);
        if (no_dir) config_assign(&cfg, "output.dir", "null", "output.dir", st);
        if (!quiet)
            fprintf(stderr, "note: %s leaves %s%s%s to 'attnclf train --data FILE --output DIR'\n", path,
                    no_train ? "data.train" : "", no_train && no_dir ? " and " : "", no_dir ? "output.dir" : "");
    }
    if (rc == 0) config_print(&cfg);
    config_free(&cfg);
    return rc;
}

static int config_of_model(const char *path, Status *st)
{
    Classifier c;
    Config cfg;
    int rc = pipeline_load(path, &c, &cfg, st);
    if (rc == 0) {
        config_print(&cfg);
        classifier_free(&c);
    }
    config_free(&cfg);
    return rc;
}

int cmd_config(int argc, char **argv)
{
    static const char shortopts[] = "Dc:m:s:Kqh";
    static const struct option opts[] = {
        {"defaults", no_argument, 0, 'D'}, {"check", required_argument, 0, 'c'},
        {"model", required_argument, 0, 'm'}, {"set", required_argument, 0, 's'},
        {"keys", no_argument, 0, 'K'},       {"quiet", no_argument, 0, 'q'},
        {"help", no_argument, 0, 'h'},       {0, 0, 0, 0},
    };
    const char *check = NULL, *model = NULL;
    int defaults = 0, keys = 0, quiet = 0, nset = 0, c;
    char **sets = xcalloc((size_t)argc + 1, sizeof *sets);
    opterr = 0;
    optind = 1;
    while ((c = getopt_long(argc, argv, shortopts, opts, NULL)) != -1) {
        switch (c) {
        case 'D': defaults = 1; break;
        case 'c': check = optarg; break;
        case 'm': model = optarg; break;
        case 's': sets[nset++] = optarg; break;
        case 'K': keys = 1; break;
        case 'q': quiet = 1; break;
        case 'h': fputs(config_help, stdout); free(sets); return 0;
        default: free(sets); return cli_bad_option("config", argv, optopt, opts, shortopts);
        }
    }
    Status st;
    int rc;
    if (optind < argc) rc = cli_usage("config", "unexpected argument '%s'", argv[optind]);
    else if (defaults + keys + (check != NULL) + (model != NULL) != 1)
        rc = cli_usage("config", "give one of --defaults, --check FILE, --model CKPT or --keys");
    else if (nset && !check) rc = cli_usage("config", "--set goes with --check FILE");
    else if (defaults) {
        Config cfg;
        config_defaults(&cfg);
        rc = config_print(&cfg);
        config_free(&cfg);
    } else if (keys) {
        for (int i = 0; config_key_name(i); i++) printf("%s\n", config_key_name(i));
        rc = 0;
    } else if (check) {
        rc = config_check(check, sets, nset, quiet, &st) ? cli_fail("config", &st) : 0;
    } else {
        rc = config_of_model(model, &st) ? cli_fail("config", &st) : 0;
    }
    free(sets);
    return rc;
}
