/* cmd_vectors.c - `attnclf vectors` (word vectors as a .vec file, or document
 * vectors) and `attnclf nn` (nearest words by cosine similarity). */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli.h"
#include "config.h"
#include "neighbors.h"
#include "pipeline.h"
#include "vecfile.h"

static const char vectors_help[] =
    "usage: attnclf vectors --model MODEL (--words | --sentences) [--input FILE] [--output FILE]\n\n"
    "  --words        the vocabulary's word vectors as a .vec text file (a header \"N DIM\",\n"
    "                 then a word and its numbers per line), which model.pretrained reads\n"
    "  --sentences    for each line of text on stdin (or FILE), the document vector the\n"
    "                 classifier sees (attention-pooled, heads x dim numbers), one line each\n"
    "  --model MODEL  a checkpoint, exported or quantized model\n"
    "  --input FILE   read FILE instead of stdin (--sentences; - is stdin)\n"
    "  --output FILE  write FILE instead of stdout\n"
    "  --help         this text\n";

static const char nn_help[] =
    "usage: attnclf nn --model MODEL [-k K] [--input FILE] [--quiet]\n\n"
    "For each line on stdin (or FILE), the K vocabulary words nearest to it by cosine\n"
    "similarity of their embedding rows: WORD<TAB>SIM pairs, tab-separated, on one line.\n"
    "A line of several words asks for the words nearest to the sum of their rows; the\n"
    "query's own words are left out. A line without a word of the vocabulary gets an\n"
    "empty answer line (and a warning on stderr).\n\n"
    "  --model MODEL  a checkpoint, exported or quantized model\n"
    "  -k, --k K      neighbours per query (default 10)\n"
    "  --input FILE   read FILE instead of stdin (- is stdin)\n"
    "  --quiet        no warnings\n"
    "  --help         this text\n";

static FILE *vectors_open_in(const char *path, Status *st)
{
    if (!path || strcmp(path, "-") == 0) return stdin;
    FILE *f = fopen(path, "rb");
    if (!f) status_error(st, "%s: cannot open: %s", path, strerror(errno));
    return f;
}

/* Answers go out as each line is done when stdout is a pipe or terminal. */
static void vectors_line_buffer(FILE *out)
{
    struct stat sb;
    if (fstat(fileno(out), &sb) == 0 && !S_ISREG(sb.st_mode)) setvbuf(out, NULL, _IOLBF, 0);
}

/* The header, then every vocabulary word whose row the model does not skip. */
static int vectors_words(const Classifier *c, FILE *out, const char *name, Status *st)
{
    const int d = c->net.dims.dim;
    const Vocab *v = &c->enc.vocab;
    float *x = malloc((size_t)d * sizeof *x);
    int64_t n = 0;
    for (int64_t w = 0; w < v->n; w++) n += embed_row(&c->net.emb, w, x) == 0;
    int rc = fprintf(out, "%lld %d\n", (long long)n, d) < 0 ? -1 : 0;
    for (int64_t w = 0; w < v->n && rc == 0; w++)
        if (embed_row(&c->net.emb, w, x) == 0) rc = vecfile_write_line(out, v->words[w], v->lens[w], x, d);
    free(x);
    return rc ? status_error(st, "%s: write failed: %s", name, strerror(errno)) : 0;
}

static int vectors_sentences(const Classifier *c, FILE *in, FILE *out, const char *name, Status *st)
{
    ClassifierScratch s;
    classifier_scratch_init(&s, c);
    const int K = c->net.dims.heads * c->net.dims.dim;
    char *line = NULL;
    size_t cap = 0;
    ssize_t len;
    int rc = 0;
    while (rc == 0 && (len = getline(&line, &cap, in)) >= 0) {
        while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r')) len--;
        classifier_score_text(c, line, (size_t)len, &s);
        rc = vecfile_write_line(out, NULL, 0, s.doc.z, K);
    }
    free(line);
    classifier_scratch_free(&s);
    if (rc) return status_error(st, "%s: write failed: %s", name, strerror(errno));
    return ferror(in) ? status_error(st, "read failed: %s", strerror(errno)) : 0;
}

typedef struct VectorsArgs {
    const char *model, *input, *output;
    int words, sentences;
} VectorsArgs;

static int vectors_run(const VectorsArgs *a, Status *st)
{
    Classifier c;
    Config cfg;
    int rc = pipeline_load(a->model, &c, &cfg, st);
    config_free(&cfg);
    if (rc) return -1;
    FILE *in = a->sentences ? vectors_open_in(a->input, st) : stdin;
    FILE *out = a->output ? fopen(a->output, "w") : stdout;
    const char *name = a->output ? a->output : "stdout";
    if (!out) rc = status_error(st, "%s: cannot write: %s", a->output, strerror(errno));
    if (!in) rc = -1;
    if (rc == 0 && a->sentences) vectors_line_buffer(out);
    if (rc == 0) rc = a->words ? vectors_words(&c, out, name, st) : vectors_sentences(&c, in, out, name, st);
    if (out && fflush(out) != 0 && rc == 0) rc = status_error(st, "%s: write failed: %s", name, strerror(errno));
    if (out && out != stdout && fclose(out) != 0 && rc == 0)
        rc = status_error(st, "%s: write failed: %s", name, strerror(errno));
    if (in && in != stdin) fclose(in);
    classifier_free(&c);
    return rc;
}

int cmd_vectors(int argc, char **argv)
{
    static const char shortopts[] = "m:wsi:o:h";
    static const struct option opts[] = {
        {"model", required_argument, 0, 'm'}, {"words", no_argument, 0, 'w'},
        {"sentences", no_argument, 0, 's'},   {"input", required_argument, 0, 'i'},
        {"output", required_argument, 0, 'o'}, {"help", no_argument, 0, 'h'},
        {0, 0, 0, 0},
    };
    VectorsArgs a = {0};
    int c;
    opterr = 0;
    optind = 1;
    while ((c = getopt_long(argc, argv, shortopts, opts, NULL)) != -1) {
        switch (c) {
        case 'm': a.model = optarg; break;
        case 'w': a.words = 1; break;
        case 's': a.sentences = 1; break;
        case 'i': a.input = optarg; break;
        case 'o': a.output = optarg; break;
        case 'h': fputs(vectors_help, stdout); return 0;
        default: return cli_bad_option("vectors", argv, optopt, opts, shortopts);
        }
    }
    if (optind < argc) return cli_usage("vectors", "unexpected argument '%s'", argv[optind]);
    if (!a.model) return cli_usage("vectors", "--model MODEL is required");
    if (a.words == a.sentences) return cli_usage("vectors", "give one of --words and --sentences");
    Status st;
    return vectors_run(&a, &st) ? cli_fail("vectors", &st) : 0;
}

static void nn_answer(FILE *out, const Classifier *c, const NeighborsQuery *q)
{
    for (int i = 0; i < q->n; i++)
        fprintf(out, "%s%s\t%.6f", i ? "\t" : "", c->enc.vocab.words[q->ids[i]], (double)q->sims[i]);
    fputc('\n', out);
}

static int nn_run(const char *model, const char *input, int k, int quiet, Status *st)
{
    Classifier c;
    Config cfg;
    int rc = pipeline_load(model, &c, &cfg, st);
    config_free(&cfg);
    if (rc) return -1;
    FILE *in = vectors_open_in(input, st);
    if (!in) {
        classifier_free(&c);
        return -1;
    }
    vectors_line_buffer(stdout);
    Neighbors nb;
    neighbors_init(&nb, &c);
    NeighborsQuery q;
    neighbors_query_init(&q, &nb, k);
    char *line = NULL;
    size_t cap = 0;
    ssize_t len;
    long long lineno = 0;
    while ((len = getline(&line, &cap, in)) >= 0 && !ferror(stdout)) {
        lineno++;
        while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r')) len--;
        if (neighbors_find(&nb, &c, line, (size_t)len, &q) == 0 && !quiet)
            fprintf(stderr, "warning: %s:%lld: no word of the vocabulary\n", input ? input : "stdin", lineno);
        nn_answer(stdout, &c, &q);
    }
    if (ferror(in)) rc = status_error(st, "read failed: %s", strerror(errno));
    if ((fflush(stdout) != 0 || ferror(stdout)) && rc == 0)
        rc = status_error(st, "stdout: write failed: %s", strerror(errno));
    free(line);
    neighbors_query_free(&q);
    neighbors_free(&nb);
    if (in != stdin) fclose(in);
    classifier_free(&c);
    return rc;
}

int cmd_nn(int argc, char **argv)
{
    static const char shortopts[] = "m:k:i:qh";
    static const struct option opts[] = {
        {"model", required_argument, 0, 'm'}, {"k", required_argument, 0, 'k'},
        {"input", required_argument, 0, 'i'}, {"quiet", no_argument, 0, 'q'},
        {"help", no_argument, 0, 'h'},        {0, 0, 0, 0},
    };
    const char *model = NULL, *input = NULL;
    int k = 10, quiet = 0, c;
    opterr = 0;
    optind = 1;
    while ((c = getopt_long(argc, argv, shortopts, opts, NULL)) != -1) {
        switch (c) {
        case 'm': model = optarg; break;
        case 'k':
            if ((k = cli_parse_count(optarg, 1000000)) < 1)
                return cli_usage("nn", "-k %s: expected a whole number >= 1", optarg);
            break;
        case 'i': input = optarg; break;
        case 'q': quiet = 1; break;
        case 'h': fputs(nn_help, stdout); return 0;
        default: return cli_bad_option("nn", argv, optopt, opts, shortopts);
        }
    }
    if (optind < argc) return cli_usage("nn", "unexpected argument '%s'", argv[optind]);
    if (!model) return cli_usage("nn", "--model MODEL is required");
    Status st;
    return nn_run(model, input, k, quiet, &st) ? cli_fail("nn", &st) : 0;
}
