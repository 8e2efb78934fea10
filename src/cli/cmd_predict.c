/* cmd_predict.c - `attnclf predict`: one prediction per input line. Input from a
 * regular file is answered in parallel, a chunk of lines at a time, and written
 * in input order; other input line by line. */
#include <cjson/cJSON.h>
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "ckpt.h"
#include "cli.h"
#include "encoder.h"
#include "mem.h"

#ifdef _OPENMP
#include <omp.h>
#endif

static const char predict_help[] =
    "usage: attnclf predict --model CKPT [--input FILE] [--top-k K] [--json] [--explain]\n\n"
    "Reads UTF-8 text, one document per line, from stdin (or FILE) and writes one line per\n"
    "input line: LABEL<TAB>PROB, flushed line by line when writing to a pipe or terminal.\n"
    "Input from a regular file is answered on all cores (OMP_NUM_THREADS sets how many).\n\n"
    "  --model CKPT   checkpoint written by 'attnclf train'\n"
    "  --input FILE   read FILE instead of stdin\n"
    "  --top-k K      the K most probable labels: LABEL<TAB>PROB pairs, tab-separated\n"
    "  --json         one JSON object per line: {\"label\", \"prob\", \"top\": [...]}\n"
    "  --explain      add each token's attention weight (averaged over heads; per head\n"
    "                 with --json); plain output appends a field of token(weight) items;\n"
    "                 --json also gives \"bayes\": what a naive Bayes member added to\n"
    "                 each label's logit\n"
    "  --help         this text\n";

typedef struct PredictArgs {
    const char *model, *input;
    int top_k, json, explain;
} PredictArgs;

/* Indices of the k largest probabilities, best first (ties: lower index first). */
static void predict_top(const float *probs, int C, int k, int *out)
{
    for (int i = 0; i < k; i++) {
        int best = -1;
        for (int c = 0; c < C; c++) {
            int taken = 0;
            for (int j = 0; j < i; j++) taken |= out[j] == c;
            if (!taken && (best < 0 || probs[c] > probs[best])) best = c;
        }
        out[i] = best;
    }
}

/* offset [C]: what the naive Bayes member added to each logit, NULL without one. */
static void predict_json(FILE *f, const Checkpoint *ck, const PredictArgs *a, const DocScratch *s,
                         const EncodeBuf *b, const int *top, const float *offset)
{
    const int H = ck->model.dims.heads, T = (int)b->n;
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "label", ck->labels.words[top[0]]);
    cJSON_AddNumberToObject(o, "prob", s->probs[top[0]]);
    cJSON *arr = cJSON_AddArrayToObject(o, "top");
    for (int i = 0; i < a->top_k; i++) {
        cJSON *e = cJSON_CreateObject();
        cJSON_AddStringToObject(e, "label", ck->labels.words[top[i]]);
        cJSON_AddNumberToObject(e, "prob", s->probs[top[i]]);
        cJSON_AddItemToArray(arr, e);
    }
    if (a->explain) {
        cJSON *toks = cJSON_AddArrayToObject(o, "tokens");
        char text[1024];
        for (int t = 0; t < T; t++) {
            cJSON *e = cJSON_CreateObject(), *heads = cJSON_CreateArray();
            encoder_position_text(b, t, text, sizeof text);
            double avg = 0.0;
            for (int h = 0; h < H; h++) {
                avg += s->alpha[(size_t)h * T + t];
                cJSON_AddItemToArray(heads, cJSON_CreateNumber(s->alpha[(size_t)h * T + t]));
            }
            cJSON_AddStringToObject(e, "token", text);
            cJSON_AddNumberToObject(e, "weight", avg / H);
            cJSON_AddItemToObject(e, "heads", heads);
            cJSON_AddItemToArray(toks, e);
        }
        if (offset) {
            cJSON *nb = cJSON_AddObjectToObject(o, "bayes");
            for (int c = 0; c < (int)ck->labels.n; c++) cJSON_AddNumberToObject(nb, ck->labels.words[c], offset[c]);
        }
    }
    char *out = cJSON_PrintUnformatted(o);
    fputs(out, f);
    fputc('\n', f);
    free(out);
    cJSON_Delete(o);
}

static void predict_plain(FILE *f, const Checkpoint *ck, const PredictArgs *a, const DocScratch *s,
                          const EncodeBuf *b, const int *top)
{
    for (int i = 0; i < a->top_k; i++)
        fprintf(f, "%s%s\t%.6f", i ? "\t" : "", ck->labels.words[top[i]], s->probs[top[i]]);
    if (a->explain) {
        const int H = ck->model.dims.heads, T = (int)b->n;
        char text[1024];
        fputc('\t', f);
        for (int t = 0; t < T; t++) {
            double avg = 0.0;
            for (int h = 0; h < H; h++) avg += s->alpha[(size_t)h * T + t];
            encoder_position_text(b, t, text, sizeof text);
            for (char *p = text; *p; p++)
                if (*p == ' ') *p = '_';
            fprintf(f, "%s%s(%.4f)", t ? " " : "", text, avg / H);
        }
    }
    fputc('\n', f);
}

/* What one thread needs to answer lines. */
typedef struct PredictWorker {
    EncodeBuf b;
    DocScratch s;
    int *top;     /* [C] */
    float *offset; /* [C] the naive Bayes member's logits */
    FILE *out;    /* memory stream of this thread's answers in a chunk (parallel mode) */
    char *buf;
    size_t size;
} PredictWorker;

static void predict_line(const Checkpoint *ck, const PredictArgs *a, PredictWorker *w, const char *line, size_t len,
                         FILE *f)
{
    while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r')) len--;
    encoder_encode(&ck->enc, line, len, &w->b);
    docscratch_reserve(&w->s, &ck->model.dims, (int)w->b.n);
    const Bayes *nb = ckpt_bayes(ck);
    if (nb) bayes_logits(nb, w->b.feat, w->b.n_feat, w->offset);
    model_forward(&ck->model, w->b.ids, (int)w->b.n, nb ? w->offset : NULL, -1, 0.0f, 0, &w->s);
    predict_top(w->s.probs, (int)ck->labels.n, a->top_k, w->top);
    if (a->json) predict_json(f, ck, a, &w->s, &w->b, w->top, nb ? w->offset : NULL);
    else predict_plain(f, ck, a, &w->s, &w->b, w->top);
}

/* Lines read ahead and answered in parallel per chunk. Only for input from a
 * regular file: a pipe may be a program waiting for each answer. */
#define PREDICT_CHUNK 1024

typedef struct PredictChunk {
    char *line[PREDICT_CHUNK];
    size_t cap[PREDICT_CHUNK];
    ssize_t len[PREDICT_CHUNK];
    int who[PREDICT_CHUNK];      /* thread that answered line i */
    long from[PREDICT_CHUNK], to[PREDICT_CHUNK];  /* its answer in that thread's stream */
} PredictChunk;

/* Answers a chunk of n lines on nw threads and writes the answers in input order. */
static int predict_chunk(const Checkpoint *ck, const PredictArgs *a, PredictWorker *w, int nw, PredictChunk *c, int n,
                         Status *st)
{
    for (int i = 0; i < nw; i++) rewind(w[i].out);
#pragma omp parallel for schedule(dynamic, 8) num_threads(nw)
    for (int i = 0; i < n; i++) {
        int tid = 0;
#ifdef _OPENMP
        tid = omp_get_thread_num();
#endif
        c->who[i] = tid;
        c->from[i] = ftell(w[tid].out);
        predict_line(ck, a, &w[tid], c->line[i], (size_t)c->len[i], w[tid].out);
        c->to[i] = ftell(w[tid].out);
    }
    for (int i = 0; i < nw; i++)
        if (fflush(w[i].out) != 0) return status_error(st, "out of memory for answers");
    for (int i = 0; i < n; i++) fwrite(w[c->who[i]].buf + c->from[i], 1, (size_t)(c->to[i] - c->from[i]), stdout);
    return 0;
}

/* Answers every line of `in`, stopping early once stdout has failed (a full disk
 * need not cost the rest of a large file). */
static int predict_lines(const Checkpoint *ck, const PredictArgs *a, FILE *in, PredictWorker *w, int nw, Status *st)
{
    if (nw == 1) {
        char *line = NULL;
        size_t cap = 0;
        ssize_t len;
        while (!ferror(stdout) && (len = getline(&line, &cap, in)) >= 0) predict_line(ck, a, w, line, (size_t)len, stdout);
        free(line);
        return 0;
    }
    PredictChunk *c = xcalloc(1, sizeof *c);
    int rc = 0, n;
    do {
        for (n = 0; n < PREDICT_CHUNK && (c->len[n] = getline(&c->line[n], &c->cap[n], in)) >= 0; n++) {}
        if (n > 0) rc = predict_chunk(ck, a, w, nw, c, n, st);
    } while (n == PREDICT_CHUNK && rc == 0 && !ferror(stdout));
    for (int i = 0; i < PREDICT_CHUNK; i++) free(c->line[i]);
    free(c);
    return rc;
}

static int predict_run(const PredictArgs *a, Status *st)
{
    FILE *in = a->input ? fopen(a->input, "rb") : stdin;
    if (!in) return status_error(st, "%s: cannot open: %s", a->input, strerror(errno));
    Checkpoint ck;
    if (ckpt_load_model(a->model, &ck, st)) {
        if (in != stdin) fclose(in);
        return -1;
    }
    struct stat sb;
    /* A file gets full buffering for speed; a pipe or terminal gets each answer as
     * soon as it is computed. */
    if (fstat(fileno(stdout), &sb) == 0 && !S_ISREG(sb.st_mode)) setvbuf(stdout, NULL, _IOLBF, 0);
    int nw = 1;
#ifdef _OPENMP
    if (fstat(fileno(in), &sb) == 0 && S_ISREG(sb.st_mode)) nw = omp_get_max_threads();
#endif
    PredictArgs args = *a;
    if (args.top_k > (int)ck.labels.n) args.top_k = (int)ck.labels.n;
    PredictWorker *w = xcalloc((size_t)nw, sizeof *w);
    int rc = 0;
    for (int i = 0; i < nw; i++) {
        encodebuf_init(&w[i].b);
        docscratch_init(&w[i].s, &ck.model.dims, 64);
        w[i].top = xmalloc(ck.labels.n * sizeof *w[i].top);
        w[i].offset = xmalloc(ck.labels.n * sizeof *w[i].offset);
        if (nw > 1 && !(w[i].out = open_memstream(&w[i].buf, &w[i].size)))
            rc = status_error(st, "cannot buffer answers: %s", strerror(errno));
    }
    if (rc == 0) rc = predict_lines(&ck, &args, in, w, nw, st);
    if (rc == 0 && ferror(in))
        rc = status_error(st, "%s: read failed: %s", a->input ? a->input : "stdin", strerror(errno));
    if (rc == 0 && (fflush(stdout) != 0 || ferror(stdout)))
        rc = status_error(st, "stdout: write failed: %s", strerror(errno));
    for (int i = 0; i < nw; i++) {
        if (w[i].out) fclose(w[i].out);
        free(w[i].buf);
        free(w[i].top);
        free(w[i].offset);
        encodebuf_free(&w[i].b);
        docscratch_free(&w[i].s);
    }
    free(w);
    ckpt_free(&ck);
    if (in != stdin) fclose(in);
    return rc;
}

int cmd_predict(int argc, char **argv)
{
    static const char shortopts[] = "m:i:k:jeh";
    static const struct option opts[] = {
        {"model", required_argument, 0, 'm'}, {"input", required_argument, 0, 'i'},
        {"top-k", required_argument, 0, 'k'}, {"json", no_argument, 0, 'j'},
        {"explain", no_argument, 0, 'e'},     {"help", no_argument, 0, 'h'},
        {0, 0, 0, 0},
    };
    PredictArgs a = {.top_k = 1};
    int c;
    opterr = 0;
    optind = 1;
    while ((c = getopt_long(argc, argv, shortopts, opts, NULL)) != -1) {
        switch (c) {
        case 'm': a.model = optarg; break;
        case 'i': a.input = optarg; break;
        case 'k':
            if ((a.top_k = cli_parse_count(optarg, 1000000)) < 1)
                return cli_usage("predict", "--top-k %s: expected a whole number >= 1", optarg);
            break;
        case 'j': a.json = 1; break;
        case 'e': a.explain = 1; break;
        case 'h': fputs(predict_help, stdout); return 0;
        default: return cli_bad_option("predict", argv, optopt, opts, shortopts);
        }
    }
    if (optind < argc) return cli_usage("predict", "unexpected argument '%s'", argv[optind]);
    if (!a.model) return cli_usage("predict", "--model CKPT is required");
    Status st;
    return predict_run(&a, &st) ? cli_fail("predict", &st) : 0;
}
