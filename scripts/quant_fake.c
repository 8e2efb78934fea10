/* quant_fake.c - simulated quantization of a trained checkpoint's embedding, so
 * the existing `attnclf eval` can measure what it costs before `quantize` exists:
 * keeps the top CUTOFF rows by norm (the UNK row pinned; 0 = all) and sends the
 * others to UNK's vector, as a pruned word would be read as UNK; quantizes the
 * kept rows (int8, or PQ with BITS/DSUB/QNORM/INIT) and writes their decoded
 * values back; saves a float checkpoint and prints the bytes the quantized
 * embedding would take. Built and run by scripts/quant_fake.sh.
 * usage: quant_fake IN.ckpt OUT.ckpt CUTOFF i8|pq BITS DSUB QNORM PLUSPLUS */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ckpt.h"
#include "quant.h"

static double clock_s(clockid_t id)
{
    struct timespec t;
    clock_gettime(id, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

int main(int argc, char **argv)
{
    if (argc < 5) {
        fprintf(stderr, "usage: quant_fake IN OUT CUTOFF i8|pq [BITS DSUB QNORM PLUSPLUS]\n");
        return 2;
    }
    Checkpoint ck;
    Status st;
    if (ckpt_load_model(argv[1], &ck, &st)) {
        fprintf(stderr, "%s\n", st.msg);
        return 1;
    }
    const int64_t rows = ck.model.dims.rows, unk = encoder_unk_row(&ck.enc);
    const int d = ck.model.dims.dim;
    float *emb = ck.model.p.emb;
    int64_t cutoff = atoll(argv[3]);
    int64_t *keep = malloc((size_t)rows * sizeof *keep);
    int64_t nk = rows;
    double t0 = clock_s(CLOCK_MONOTONIC), c0 = clock_s(CLOCK_PROCESS_CPUTIME_ID);
    for (int64_t i = 0; i < rows; i++) keep[i] = i;
    if (cutoff > 0 && cutoff < rows) {
        float *score = malloc((size_t)rows * sizeof *score);
        uint8_t *pin = calloc((size_t)rows, 1);
        pin[unk] = 1;
        quant_score_norm(score, emb, rows, d);
        nk = quant_select(keep, score, pin, rows, cutoff);
        uint8_t *kept = calloc((size_t)rows, 1);
        for (int64_t i = 0; i < nk; i++) kept[keep[i]] = 1;
        for (int64_t i = 0; i < rows; i++)
            if (!kept[i]) memcpy(emb + i * d, emb + unk * d, (size_t)d * sizeof *emb);
        free(score);
        free(pin);
        free(kept);
    }
    float *x = malloc((size_t)nk * d * sizeof *x);
    for (int64_t i = 0; i < nk; i++) memcpy(x + i * d, emb + keep[i] * d, (size_t)d * sizeof *x);
    size_t bytes;
    if (strcmp(argv[4], "i8") == 0) {
        QuantI8 q;
        if (quant_i8_build(&q, x, nk, d, &st)) return fprintf(stderr, "%s\n", st.msg), 1;
        for (int64_t i = 0; i < nk; i++) quant_i8_row(&q, i, x + i * d);
        bytes = quant_i8_size(&q);
        quant_i8_free(&q);
    } else {
        if (argc != 9) return fprintf(stderr, "pq needs BITS DSUB QNORM PLUSPLUS\n"), 2;
        QuantPQOpts o = quant_pq_defaults();
        o.bits = atoi(argv[5]), o.dsub = atoi(argv[6]), o.qnorm = atoi(argv[7]), o.plusplus = atoi(argv[8]);
        QuantPQMat m;
        if (quant_pq_build(&m, x, nk, d, &o, &st)) return fprintf(stderr, "%s\n", st.msg), 1;
        for (int64_t i = 0; i < nk; i++) quant_pq_row(&m, i, x + i * d);
        bytes = quant_pq_size(&m);
        quant_pq_free(&m);
    }
    const double t = clock_s(CLOCK_MONOTONIC) - t0, c = clock_s(CLOCK_PROCESS_CPUTIME_ID) - c0;
    for (int64_t i = 0; i < nk; i++) memcpy(emb + keep[i] * d, x + i * d, (size_t)d * sizeof *x);
    CkptView v = {&ck.cfg, &ck.enc, &ck.labels, &ck.model, ckpt_bayes(&ck), NULL, &ck.state};
    if (ckpt_save(argv[2], &v, &st)) return fprintf(stderr, "%s\n", st.msg), 1;
    printf("rows %lld kept %lld dim %d: embedding %zu bytes quantized (%lld as floats), select+quantize %.2f s cpu (all threads), %.2f s wall\n",
           (long long)rows, (long long)nk, d, bytes, (long long)(nk * d * 4), c, t);
    free(x);
    free(keep);
    ckpt_free(&ck);
    return 0;
}
