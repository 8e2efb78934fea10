/* cmd_predict.c - `attnclf predict`: one prediction per input line. */
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

static const char predict_help[] =
    "usage: attnclf predict --model CKPT [--input FILE] [--top-k K] [--json] [--explain]\n\n"
    "Reads UTF-8 text, one document per line, from stdin (or FILE) and writes one line per\n"
    "input line: LABEL<TAB>PROB, flushed line by line when writing to a pipe or terminal.\n\n"
    "  --model CKPT   checkpoint written by 'attnclf train'\n"
    "  --input FILE   read FILE instead of stdin\n"
    "  --top-k K      the K most probable labels: LABEL<TAB>PROB pairs, tab-separated\n"
    "  --json         one JSON object per line: {\"label\", \"prob\", \"top\": [...]}\n"
    "  --explain      add each token's attention weight (averaged over heads; per head\n"
    "                 with --json); plain output appends a field of token(weight) items\n"
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

static void predict_json(const Checkpoint *ck, const PredictArgs *a, const DocScratch *s, const EncodeBuf *b,
                         const int *top)
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
    }
    char *out = cJSON_PrintUnformatted(o);
    puts(out);
    free(out);
    cJSON_Delete(o);
}

static void predict_plain(const Checkpoint *ck, const PredictArgs *a, const DocScratch *s, const EncodeBuf *b,
                          const int *top)
{
    for (int i = 0; i < a->top_k; i++)
        printf("%s%s\t%.6f", i ? "\t" : "", ck->labels.words[top[i]], s->probs[top[i]]);
    if (a->explain) {
        const int H = ck->model.dims.heads, T = (int)b->n;
        char text[1024];
        putchar('\t');
        for (int t = 0; t < T; t++) {
            double avg = 0.0;
            for (int h = 0; h < H; h++) avg += s->alpha[(size_t)h * T + t];
            encoder_position_text(b, t, text, sizeof text);
            for (char *p = text; *p; p++)
                if (*p == ' ') *p = '_';
            printf("%s%s(%.4f)", t ? " " : "", text, avg / H);
        }
    }
    putchar('\n');
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
    PredictArgs args = *a;
    int C = (int)ck.labels.n;
    if (args.top_k > C) args.top_k = C;
    int *top = xmalloc((size_t)C * sizeof *top);
    EncodeBuf b;
    encodebuf_init(&b);
    DocScratch s;
    docscratch_init(&s, &ck.model.dims, 64);
    char *line = NULL;
    size_t cap = 0;
    ssize_t len;
    while ((len = getline(&line, &cap, in)) >= 0) {
        while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r')) len--;
        encoder_encode(&ck.enc, line, (size_t)len, &b);
        docscratch_reserve(&s, &ck.model.dims, (int)b.n);
        model_forward(&ck.model, b.ids, (int)b.n, -1, 0.0f, 0, &s);
        predict_top(s.probs, C, args.top_k, top);
        if (args.json) predict_json(&ck, &args, &s, &b, top);
        else predict_plain(&ck, &args, &s, &b, top);
    }
    int rc = 0;
    if (ferror(in)) rc = status_error(st, "%s: read failed: %s", a->input ? a->input : "stdin", strerror(errno));
    if (fflush(stdout) != 0 || ferror(stdout)) rc = status_error(st, "stdout: write failed: %s", strerror(errno));
    free(line);
    free(top);
    encodebuf_free(&b);
    docscratch_free(&s);
    ckpt_free(&ck);
    if (in != stdin) fclose(in);
    return rc;
}

int cmd_predict(int argc, char **argv)
{
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
    while ((c = getopt_long(argc, argv, "m:i:k:jeh", opts, NULL)) != -1) {
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
        default: return cli_bad_option("predict", argv, optopt);
        }
    }
    if (optind < argc) return cli_usage("predict", "unexpected argument '%s'", argv[optind]);
    if (!a.model) return cli_usage("predict", "--model CKPT is required");
    Status st;
    return predict_run(&a, &st) ? cli_fail("predict", &st) : 0;
}
