/* sak_lengths.c - forward+backward of one self-attention layer (sakernels.h) at
 * configs/sst2.json's shape (d 16, 4 heads, whole document) over the lengths of
 * a real corpus: one length a line (e.g. the words of SST-2's training
 * sentences), each thinned by token dropout 0.2 with a fixed seed, as the
 * trainer does. Prints CPU ns per token of each pass and a checksum of the
 * gradients, which must not change when the kernels change only their speed.
 * Not a test: numbers only; bench/selfattn.md has them (also under callgrind,
 * whose instruction counts do not depend on the load).
 *
 * cc -std=c11 -O2 -fno-math-errno -fopenmp -D_POSIX_C_SOURCE=200809L -Isrc/base -Isrc/model \
 *    -o build/sak_lengths bench/sak_lengths.c build/libattnclf.a -lm
 * awk -F'\t' 'NR > 1 {print split($1, w, " ")}' DATA/sst2/train.tsv > lengths.txt
 * build/sak_lengths lengths.txt [passes [max documents]] */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "rng.h"
#include "sakernels.h"

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return ts.tv_sec + ts.tv_nsec * 1e-9;
}

int main(int argc, char **argv)
{
    if (argc < 2) return fprintf(stderr, "usage: sak_lengths LENGTHS [passes [max documents]]\n"), 2;
    const int d = 16, passes = argc > 2 ? atoi(argv[2]) : 3, max_docs = argc > 3 ? atoi(argv[3]) : 1 << 30;
    FILE *f = fopen(argv[1], "r");
    if (!f) return perror(argv[1]), 1;
    int cap = 1024, n = 0, len, max_t = 1;
    int *T = malloc((size_t)cap * sizeof *T);
    long tokens = 0;
    Rng r;
    rng_seed(&r, 7);
    while (n < max_docs && fscanf(f, "%d", &len) == 1) {
        int kept = 0;
        for (int i = 0; i < len; i++) kept += rng_uniform(&r) >= 0.2f;
        if (kept == 0) continue;
        if (n == cap) T = realloc(T, (size_t)(cap *= 2) * sizeof *T);
        T[n++] = kept;
        tokens += kept;
        max_t = kept > max_t ? kept : max_t;
    }
    fclose(f);
    const SakDims D = {.d = d, .heads = 4};
    const size_t np = 4 * (size_t)d * d + 8 * (size_t)d, td = (size_t)max_t * d;
    float *P = malloc(np * sizeof *P), *G = calloc(np, sizeof *G);
    for (size_t i = 0; i < np; i++) P[i] = 0.5f * (2.0f * rng_uniform(&r) - 1.0f);
    float *v[2][9];
    for (int k = 0; k < 2; k++) {
        float *b = k ? G : P;
        const size_t sz[9] = {d, d, d * d, d, d * d, d * d, d, d * d, d};
        for (int i = 0; i < 9; b += sz[i++]) v[k][i] = b;
    }
    SakLayer L[2];
    for (int k = 0; k < 2; k++)
        L[k] = (SakLayer){.ln1_g = v[k][0], .ln1_b = v[k][1], .wq = v[k][2], .bq = v[k][3], .wk = v[k][4],
                          .wv = v[k][5], .bv = v[k][6], .wo = v[k][7], .bo = v[k][8]};
    SakLayer p = L[0], g = L[1];
    for (int i = 0; i < d; i++) p.ln1_g[i] = 1.0f;
    SakCache c;
    SakWork w;
    float *cb = malloc(sak_cache_floats(&D, max_t) * sizeof(float)), *wb = malloc(sak_work_floats(&D, max_t) * sizeof(float));
    sak_cache_bind(&c, cb, &D, max_t);
    sak_work_bind(&w, wb, &D, max_t);
    float *x = malloc(td * sizeof *x), *out = malloc(td * sizeof *out), *dout = malloc(td * sizeof *dout),
          *dx = malloc(td * sizeof *dx);
    for (size_t i = 0; i < td; i++) x[i] = 2.0f * rng_uniform(&r) - 1.0f, dout[i] = 2.0f * rng_uniform(&r) - 1.0f;
    for (int k = 0; k < passes; k++) {
        const double t0 = now();
        for (int i = 0; i < n; i++) {
            sak_layer_forward(out, &c, &w, x, NULL, &p, &D, T[i], NULL);
            memset(dx, 0, (size_t)T[i] * d * sizeof *dx);
            sak_layer_backward(dx, &g, &w, dout, &c, NULL, &p, &D, T[i], NULL);
        }
        printf("%.1f ", (now() - t0) / (double)tokens * 1e9);
    }
    double sum = 0.0;
    for (size_t i = 0; i < np; i++) sum += G[i];
    printf("ns/token over %d documents, %ld tokens; gradient checksum %.9g\n", n, tokens, sum);
    return 0;
}
