/* tokenize_bench.c - tokenizer throughput on a corpus, tokenize only: every text
 * is read into memory first (reader_read, the same reader train uses), then
 * tokenizer_run goes over all of them RUNS times on one thread; each run prints
 * its MB/s (input bytes per second) by the wall clock and by the process's CPU
 * time, and the last line gives the medians of both. On a shared machine the CPU
 * time is the steadier one: time spent waiting for a core does not count.
 * With -d it instead writes the tokens of each text as one line (tokens joined
 * by single spaces), for comparing two tokenizers byte for byte.
 *
 * usage: tokenize_bench [-v 1|2] [-n nfkc|nfc|none] [-l 0|1] [-H 0|1] [-r RUNS] [-d]
 *                       [-s KEY=VALUE]... FILE
 *   -s sets data.* config keys for reading FILE (data.text_columns=sentence ...). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "config.h"
#include "mem.h"
#include "reader.h"
#include "tokenizer.h"

typedef struct Corpus {
    char *bytes;
    size_t len, cap;
    size_t *start; /* [n + 1] */
    size_t n, cap_docs;
} Corpus;

static int corpus_add(void *ctx, const ReaderRow *row, Status *st)
{
    (void)st;
    Corpus *c = ctx;
    const char *text = row->text;
    size_t text_len = row->text_len;
    if (c->len + text_len > c->cap) {
        c->cap = (c->len + text_len) * 2;
        c->bytes = xrealloc(c->bytes, c->cap);
    }
    if (c->n + 2 > c->cap_docs) {
        c->cap_docs = (c->n + 2) * 2;
        c->start = xrealloc(c->start, c->cap_docs * sizeof *c->start);
    }
    memcpy(c->bytes + c->len, text, text_len);
    c->start[c->n++] = c->len;
    c->len += text_len;
    c->start[c->n] = c->len;
    return 0;
}

static double now_s(clockid_t clock)
{
    struct timespec t;
    clock_gettime(clock, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static void dump(const Tokenizer *tk, const Corpus *c)
{
    TokenList tl;
    tokenlist_init(&tl);
    for (size_t d = 0; d < c->n; d++) {
        tokenizer_run(tk, c->bytes + c->start[d], c->start[d + 1] - c->start[d], &tl);
        for (size_t i = 0; i < tl.n; i++) {
            if (i) putchar(' ');
            fwrite(tl.buf + tl.start[i], 1, tl.len[i], stdout);
        }
        putchar('\n');
    }
    tokenlist_free(&tl);
}

static void bench(const Tokenizer *tk, const Corpus *c, int runs)
{
    TokenList tl;
    tokenlist_init(&tl);
    double *wall = xmalloc((size_t)runs * sizeof *wall), *cpu = xmalloc((size_t)runs * sizeof *cpu);
    double mb = (double)c->len / 1e6;
    for (int r = 0; r < runs; r++) {
        size_t tokens = 0;
        double w0 = now_s(CLOCK_MONOTONIC), c0 = now_s(CLOCK_PROCESS_CPUTIME_ID);
        for (size_t d = 0; d < c->n; d++) {
            tokenizer_run(tk, c->bytes + c->start[d], c->start[d + 1] - c->start[d], &tl);
            tokens += tl.n;
        }
        wall[r] = mb / (now_s(CLOCK_MONOTONIC) - w0);
        cpu[r] = mb / (now_s(CLOCK_PROCESS_CPUTIME_ID) - c0);
        printf("run %d: %zu tokens, %.1f MB/s wall, %.1f MB/s cpu\n", r + 1, tokens, wall[r], cpu[r]);
    }
    qsort(wall, (size_t)runs, sizeof *wall, cmp_double);
    qsort(cpu, (size_t)runs, sizeof *cpu, cmp_double);
    printf("median %.1f MB/s wall, %.1f MB/s cpu over %d runs (%zu texts, %.1f MB)\n", wall[runs / 2], cpu[runs / 2],
           runs, c->n, mb);
    free(wall);
    free(cpu);
    tokenlist_free(&tl);
}

int main(int argc, char **argv)
{
    TokenizerOptions o;
    tokenizer_options_default(&o);
    int runs = 5, do_dump = 0, opt;
    Config cfg;
    config_defaults(&cfg);
    Status st;
    status_clear(&st);
    while ((opt = getopt(argc, argv, "v:n:l:H:r:ds:")) != -1) {
        switch (opt) {
        case 'v': o.version = atoi(optarg); break;
        case 'n':
            o.normalize = strcmp(optarg, "nfkc") == 0 ? TOKENIZER_NORM_NFKC
                          : strcmp(optarg, "nfc") == 0 ? TOKENIZER_NORM_NFC
                          : strcmp(optarg, "none") == 0 ? TOKENIZER_NORM_NONE
                                                        : -1;
            break;
        case 'l': o.lowercase = atoi(optarg); break;
        case 'H': o.clean_html = atoi(optarg); break;
        case 'r': runs = atoi(optarg); break;
        case 'd': do_dump = 1; break;
        case 's':
            if (config_set(&cfg, optarg, &st)) {
                fprintf(stderr, "tokenize_bench: %s\n", st.msg);
                return 2;
            }
            break;
        default:
            fprintf(stderr, "usage: tokenize_bench [-v 1|2] [-n nfkc|nfc|none] [-l 0|1] [-H 0|1] [-r RUNS] [-d] "
                            "[-s KEY=VALUE]... FILE\n");
            return 2;
        }
    }
    if (optind != argc - 1 || runs < 1 || tokenizer_options_check(&o, "tokenize_bench", &st)) {
        fprintf(stderr, "tokenize_bench: %s\n", st.msg[0] ? st.msg : "one FILE and RUNS >= 1 needed");
        return 2;
    }
    Corpus c = {0};
    if (reader_read(argv[optind], &cfg.data.read, corpus_add, &c, NULL, &st)) {
        fprintf(stderr, "tokenize_bench: %s\n", st.msg);
        return 1;
    }
    Tokenizer tk;
    tokenizer_init(&tk, &o);
    if (do_dump)
        dump(&tk, &c);
    else
        bench(&tk, &c, runs);
    tokenizer_free(&tk);
    config_free(&cfg);
    free(c.bytes);
    free(c.start);
    return 0;
}
