/* main.c - the subcommand table. */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "suggest.h"

typedef struct Command {
    const char *name;
    int (*run)(int argc, char **argv);
    const char *summary;
} Command;

static const Command commands[] = {
    {"train", cmd_train, "train a classifier on a labelled file"},
    {"eval", cmd_eval, "score a checkpoint on a labelled file"},
    {"predict", cmd_predict, "classify text lines from stdin or a file"},
    {"tune", cmd_tune, "search the settings on the validation split, then train the best"},
    {"config", cmd_config, "print the default config, check a config file, list the keys"},
    {"report", cmd_report, "write one HTML page about a trained run"},
    {"test", cmd_test, "fastText's test: N, P@K and R@K of a checkpoint on a labelled file"},
    {"predict-prob", cmd_predict_prob, "predict under fastText's name (also MODEL FILE [K] [THRESHOLD])"},
    {"export", cmd_export, "write a checkpoint's model for inference only"},
    {"quantize", cmd_quantize, "write a small model: fewer rows, quantized, retrained"},
    {"vectors", cmd_vectors, "write word vectors (.vec) or document vectors"},
    {"nn", cmd_nn, "nearest words by cosine similarity"},
};

static void usage(FILE *out)
{
    fprintf(out, "usage: attnclf COMMAND [OPTIONS]\n\n"
                 "Trains and serves embedding + attention-pooling text classifiers.\n\ncommands:\n");
    for (size_t i = 0; i < sizeof commands / sizeof *commands; i++)
        fprintf(out, "  %-12s %s\n", commands[i].name, commands[i].summary);
    fprintf(out, "\n'attnclf COMMAND --help' describes a command; 'attnclf --version' prints the version.\n");
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        usage(stderr);
        return 2;
    }
    if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "help") == 0) {
        usage(stdout);
        return 0;
    }
    if (strcmp(argv[1], "--version") == 0) {
        printf("attnclf %s\n", ATTNCLF_VERSION);
        return 0;
    }
    if (strcmp(argv[1], "train") == 0 || strcmp(argv[1], "eval") == 0 || strcmp(argv[1], "tune") == 0)
        cli_openmp_wait_policy(argv);
    for (size_t i = 0; i < sizeof commands / sizeof *commands; i++)
        if (strcmp(argv[1], commands[i].name) == 0) return commands[i].run(argc - 1, argv + 1);
    const char *names[sizeof commands / sizeof *commands];
    for (size_t i = 0; i < sizeof commands / sizeof *commands; i++) names[i] = commands[i].name;
    int near = suggest_nearest(argv[1], names, (int)(sizeof names / sizeof *names));
    if (near >= 0) fprintf(stderr, "attnclf: unknown command '%s' (did you mean '%s'?)\n", argv[1], names[near]);
    else fprintf(stderr, "attnclf: unknown command '%s' (see 'attnclf --help')\n", argv[1]);
    return 2;
}
