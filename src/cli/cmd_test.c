/* cmd_test.c - `attnclf test MODEL FILE [K] [THRESHOLD]`: fastText's `test`
 * for scripts written for it: N, P@K and R@K counted as fastText counts them
 * (rankmetrics.h), printed as it prints them. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "config.h"
#include "dataset.h"
#include "mem.h"
#include "pipeline.h"
#include "rankmetrics.h"
#include "threads.h"

static const char test_help[] =
    "usage: attnclf test MODEL FILE [K] [THRESHOLD]\n\n"
    "fastText's 'test': scores MODEL on the labelled FILE (- is stdin; data settings from\n"
    "the checkpoint's config) and prints N (documents with a label the model knows and at\n"
    "least one token), P@K and R@K (the K most probable labels with probability >=\n"
    "THRESHOLD; K -1: every label; defaults 1 and 0.0), each on a line of its own as\n"
    "fastText prints them. Labels the model never saw are left out, as fastText leaves them.\n";

/* %.3g, as fastText's std::setprecision(3) prints a double. */
static void test_print(const char *what, int k, double v, int defined)
{
    if (defined) printf("%s@%d\t%.3g\n", what, k, v);
    else printf("%s@%d\tnan\n", what, k);
}

static int test_run(const char *model, const char *data, int k, float threshold, Status *st)
{
    Classifier c;
    Config cfg;
    if (pipeline_load(model, &c, &cfg, st)) {
        config_free(&cfg);
        return -1;
    }
    Vocab unknown;
    vocab_init(&unknown);
    Dataset ds;
    int rc = dataset_load(data, &cfg.data.read, &c.enc, &c.labels, &unknown, &ds, NULL, NULL, st);
    if (rc == 0) {
        const int C = (int)c.labels.n;
        float *probs = xmalloc((size_t)(ds.n + 1) * (size_t)C * sizeof *probs);
        classifier_score_matrix(&c, &ds, threads_resolve(0), 0, NULL, NULL, probs);
        /* A document without tokens is not counted (fastText's test skips lines with no words). */
        int64_t *off = xmalloc((size_t)(ds.n + 1) * sizeof *off);
        int32_t *lab = xmalloc((size_t)(ds.loff[ds.n] + 1) * sizeof *lab);
        off[0] = 0;
        for (int64_t i = 0; i < ds.n; i++) {
            off[i + 1] = off[i];
            if (ds.off[i + 1] == ds.off[i]) continue;
            for (int64_t j = ds.loff[i]; j < ds.loff[i + 1]; j++) lab[off[i + 1]++] = ds.lab[j];
        }
        RankMetrics m;
        rankmetrics_at_k(&m, probs, off, lab, ds.n, C, k, threshold, 1);
        printf("N\t%lld\n", (long long)m.n);
        test_print("P", k, m.precision, m.predicted > 0);
        test_print("R", k, m.recall, m.gold > 0);
        free(off);
        free(lab);
        free(probs);
        dataset_free(&ds);
    }
    vocab_free(&unknown);
    classifier_free(&c);
    config_free(&cfg);
    return rc;
}

int cmd_test(int argc, char **argv)
{
    if (argc >= 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
        fputs(test_help, stdout);
        return 0;
    }
    if (argc < 3 || argc > 5) return cli_usage("test", "expected MODEL FILE [K] [THRESHOLD]");
    int k = 1;
    float threshold = 0.0f;
    char *end;
    if (argc > 3) {
        long v = strtol(argv[3], &end, 10);
        if (*end || end == argv[3] || v == 0 || v < -1 || v > 1000000)
            return cli_usage("test", "K %s: expected a whole number >= 1, or -1 for every label", argv[3]);
        k = (int)v;
    }
    if (argc > 4 && (cli_parse_threshold(argv[4], &threshold) || threshold < 0))
        return cli_usage("test", "THRESHOLD %s: expected a probability in [0, 1]", argv[4]);
    Status st;
    return test_run(argv[1], argv[2], k, threshold, &st) ? cli_fail("test", &st) : 0;
}
