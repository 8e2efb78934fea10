/* cmd_ship.c - `attnclf export` and `attnclf quantize`: models to ship, for
 * inference only, that eval, predict and the rest load like checkpoints. */
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli.h"
#include "config.h"
#include "console.h"
#include "pipeline.h"

static const char export_help[] =
    "usage: attnclf export --model CKPT --output MODEL [--float|--int8] [--quiet]\n\n"
    "Writes the model in CKPT for inference only: no optimiser state, no training state,\n"
    "and none of the embedding rows training never touched (they still hold their initial\n"
    "values, which the model rebuilds from the run's seed when a document needs one). The\n"
    "naive Bayes member is stored exactly, in a third to a half of its bytes. Each\n"
    "stored row is its move from its initial value in int8, which puts every number\n"
    "within 1/254 of the row's largest move; probabilities then differ from CKPT's by\n"
    "about 0.001 (README, Models to ship). eval, predict and the other commands load it\n"
    "like a checkpoint. Training writes the same file as model.bin beside best.ckpt.\n\n"
    "  --model CKPT    checkpoint written by 'attnclf train'\n"
    "  --output MODEL  the file to write\n"
    "  --float         store the rows as floats: CKPT's predictions bit for bit, in\n"
    "                  about 2.5 times the bytes\n"
    "  --int8          the rows as int8 moves from their initial values (the default)\n"
    "  --quiet         no summary\n"
    "  --help          this text\n";

/* "MODEL: N bytes, R of T embedding rows stored": the file as eval would load it. */
static int ship_summary(const char *cmd, const char *path, const char *extra)
{
    Classifier c;
    Config cfg;
    Status st;
    if (pipeline_load(path, &c, &cfg, &st)) {
        config_free(&cfg);
        return cli_fail(cmd, &st);
    }
    struct stat sb;
    long long size = stat(path, &sb) == 0 ? (long long)sb.st_size : -1;
    printf("%s: %lld bytes, %lld of %lld embedding rows stored%s\n", path, size,
           (long long)embed_stored(&c.net.emb), (long long)c.net.dims.rows, extra);
    classifier_free(&c);
    config_free(&cfg);
    return 0;
}

int cmd_export(int argc, char **argv)
{
    static const char shortopts[] = "m:o:8Fqh";
    static const struct option opts[] = {
        {"model", required_argument, 0, 'm'}, {"output", required_argument, 0, 'o'},
        {"int8", no_argument, 0, '8'},        {"quiet", no_argument, 0, 'q'},
        {"help", no_argument, 0, 'h'},        {"float", no_argument, 0, 'F'},
        {0, 0, 0, 0},
    };
    const char *model = NULL, *output = NULL;
    EmbedCodec codec = EMBED_I8D;
    int quiet = 0, c;
    opterr = 0;
    optind = 1;
    while ((c = getopt_long(argc, argv, shortopts, opts, NULL)) != -1) {
        switch (c) {
        case 'm': model = optarg; break;
        case 'o': output = optarg; break;
        case '8': codec = EMBED_I8D; break;
        case 'F': codec = EMBED_F32; break;
        case 'q': quiet = 1; break;
        case 'h': fputs(export_help, stdout); return 0;
        default: return cli_bad_option("export", argv, optopt, opts, shortopts);
        }
    }
    if (optind < argc) return cli_usage("export", "unexpected argument '%s'", argv[optind]);
    if (!model || !output) return cli_usage("export", "--model CKPT and --output MODEL are required");
    Status st;
    if (pipeline_export(model, output, codec, &st)) return cli_fail("export", &st);
    return quiet ? 0 : ship_summary("export", output, codec == EMBED_I8D ? " as int8 moves" : " as floats");
}

static const char quantize_help[] =
    "usage: attnclf quantize --model CKPT --output MODEL [--cutoff N] [--score S] [--bits 8|4]\n"
    "                        [--dsub D] [--no-qnorm] [--int8] [--float] [--retrain] [--retrain-rows]\n"
    "                        [--epochs N] [--lr R] [--data FILE] [--valid FILE] [--validate] [--threads N]\n"
    "                        [--bayes-cutoff N] [--quiet]\n\n"
    "Writes a small model of CKPT (a checkpoint or an exported model): the N embedding rows\n"
    "that matter most of those training touched, product-quantized; tokens of the other rows\n"
    "are left out of documents, and the vocabulary keeps only the words kept. eval, predict\n"
    "and the other commands load it like a checkpoint. Prints the file's size and, when the\n"
    "training data are read, the accuracy on the run's validation split before and after.\n\n"
    "  --model CKPT    checkpoint written by 'attnclf train', or its model.bin\n"
    "  --output MODEL  the file to write\n"
    "  --cutoff N      rows kept (default: every row training touched)\n"
    "  --score S       how rows are ranked for the cutoff: mass (default: attention weight\n"
    "                  times norm over the training data), freq (norm times log(1 + count)),\n"
    "                  or norm (fastText's; needs no training data)\n"
    "  --bits B        8 (default) or 4 bits per sub-vector code\n"
    "  --dsub D        numbers per sub-vector (default 2)\n"
    "  --no-qnorm      quantize the rows as they are, not as norm and direction\n"
    "  --int8          per-row int8 rows instead of product quantization\n"
    "  --float         keep the rows as floats (the cutoff alone)\n"
    "  --retrain       retrain the dense layers on the quantized rows for an epoch, on the\n"
    "                  training part of the run's data (its validation split stays out)\n"
    "  --retrain-rows  retrain the kept rows too (before quantizing them)\n"
    "  --epochs N      epochs of retraining (default 1)\n"
    "  --lr R          learning rate of retraining (default: the config's train.lr)\n"
    "  --data FILE     the training data, when the config's path no longer finds them\n"
    "  --valid FILE    the validation data, in place of the config's data.valid\n"
    "  --validate      read the training data to validate even when nothing else needs them\n"
    "  --threads N     threads (default: the config's train.threads)\n"
    "  --bayes-cutoff N  naive Bayes features kept: those of most documents times log-\n"
    "                  probability spread (default: all; 0 keeps the priors alone)\n"
    "  --quiet         no progress or summary\n"
    "  --help          this text\n";

static int quantize_score(const char *s, QuantizeScore *out)
{
    static const char *const names[] = {"norm", "freq", "mass"};
    for (int i = 0; i < 3; i++)
        if (strcmp(s, names[i]) == 0) {
            *out = (QuantizeScore)i;
            return 0;
        }
    return -1;
}

static void quantize_print(const char *out, const QuantizeReport *r)
{
    printf("%s: %lld bytes, %lld of %lld embedding rows (%lld trained), %lld of %lld words\n", out,
           (long long)r->bytes, (long long)r->kept, (long long)r->rows, (long long)r->touched,
           (long long)r->words_kept, (long long)r->words);
    if (r->valid_n > 0) {
        printf("validation accuracy (%lld documents): full %.4f, quantized %.4f", (long long)r->valid_n, r->valid_full,
               r->valid_quant);
        if (r->valid_retrained >= 0) printf(", retrained %.4f", r->valid_retrained);
        printf("\n");
        if (r->valid_refit)
            fprintf(stderr, "note: the run was refitted on its validation split (train.refit), so its best.ckpt "
                            "and model.bin trained on these documents; quantize validated.ckpt, or give --valid "
                            "FILE of held-out documents\n");
    }
}

/* The options that set o: -1 when c is not one of them, 2 for a bad value, 0. */
static int quantize_option(int c, const char *arg, QuantizeOptions *o)
{
    long v;
    char *end;
    switch (c) {
    case 'n':
        if ((v = cli_parse_count(arg, 2000000000L)) < 1)
            return cli_usage("quantize", "--cutoff %s: expected a whole number >= 1", arg);
        o->cutoff = v;
        return 0;
    case 'S':
        if (quantize_score(arg, &o->score)) return cli_usage("quantize", "--score %s: expected mass, freq or norm", arg);
        return 0;
    case 'b':
        if ((v = cli_parse_count(arg, 8)) != 8 && v != 4)
            return cli_usage("quantize", "--bits %s: expected 8 or 4", arg);
        o->pq.bits = (int)v;
        return 0;
    case 'D':
        if ((v = cli_parse_count(arg, 4096)) < 1)
            return cli_usage("quantize", "--dsub %s: expected a whole number from 1 to the model's dim", arg);
        o->pq.dsub = (int)v;
        return 0;
    case 'Q': o->pq.qnorm = 0; return 0;
    case '8': o->codec = EMBED_I8; return 0;
    case 'F': o->codec = EMBED_F32; return 0;
    case 'r': o->retrain = o->retrain ? o->retrain : 1; return 0;
    case 'R': o->retrain = 2; return 0;
    case 'e':
        if ((v = cli_parse_count(arg, 1000)) < 1)
            return cli_usage("quantize", "--epochs %s: expected a whole number from 1 to 1000", arg);
        o->epochs = (int)v;
        return 0;
    case 'l':
        o->lr = strtod(arg, &end);
        if (end == arg || *end || !(o->lr > 0) || !isfinite(o->lr))
            return cli_usage("quantize", "--lr %s: expected a number > 0", arg);
        return 0;
    case 'd': o->data = arg; return 0;
    case 'v': o->valid = arg; return 0;
    case 'V': o->validate = 1; return 0;
    case 'T':
        if ((v = cli_parse_count(arg, 1024)) < 0)
            return cli_usage("quantize", "--threads %s: expected a number from 0 to 1024", arg);
        o->threads = o->pq.threads = (int)v;
        return 0;
    case 'B':
        if ((v = cli_parse_count(arg, 2000000000L)) < 0)
            return cli_usage("quantize", "--bayes-cutoff %s: expected a whole number >= 0", arg);
        o->bayes_cutoff = v;
        return 0;
    }
    return -1;
}

int cmd_quantize(int argc, char **argv)
{
    static const char shortopts[] = "m:o:n:S:b:D:Q8FrRe:l:d:v:VT:B:qh";
    static const struct option opts[] = {
        {"model", required_argument, 0, 'm'},  {"output", required_argument, 0, 'o'},
        {"cutoff", required_argument, 0, 'n'}, {"score", required_argument, 0, 'S'},
        {"bits", required_argument, 0, 'b'},   {"dsub", required_argument, 0, 'D'},
        {"no-qnorm", no_argument, 0, 'Q'},     {"int8", no_argument, 0, '8'},
        {"float", no_argument, 0, 'F'},        {"retrain", no_argument, 0, 'r'},
        {"retrain-rows", no_argument, 0, 'R'}, {"epochs", required_argument, 0, 'e'},
        {"lr", required_argument, 0, 'l'},     {"data", required_argument, 0, 'd'},
        {"valid", required_argument, 0, 'v'},  {"validate", no_argument, 0, 'V'},
        {"threads", required_argument, 0, 'T'}, {"quiet", no_argument, 0, 'q'},
        {"help", no_argument, 0, 'h'},         {"bayes-cutoff", required_argument, 0, 'B'},
        {0, 0, 0, 0},
    };
    QuantizeOptions o = pipeline_quantize_defaults();
    const char *model = NULL, *output = NULL;
    int quiet = 0, c, rc;
    opterr = 0;
    optind = 1;
    while ((c = getopt_long(argc, argv, shortopts, opts, NULL)) != -1) {
        if (c == 'm') model = optarg;
        else if (c == 'o') output = optarg;
        else if (c == 'q') quiet = 1;
        else if (c == 'h') {
            fputs(quantize_help, stdout);
            return 0;
        } else if ((rc = quantize_option(c, optarg, &o)) != 0)
            return rc > 0 ? rc : cli_bad_option("quantize", argv, optopt, opts, shortopts);
    }
    if (optind < argc) return cli_usage("quantize", "unexpected argument '%s'", argv[optind]);
    if (!model || !output) return cli_usage("quantize", "--model CKPT and --output MODEL are required");
    Console con;
    console_init(&con, quiet, NULL);
    FitObserver obs = console_observer(&con);
    QuantizeReport rep;
    Status st;
    if (pipeline_quantize(model, output, &o, &obs, 1, &rep, &st)) return cli_fail("quantize", &st);
    if (!quiet) quantize_print(output, &rep);
    return 0;
}
