/* pq_bench.c - times quant_pq_build and quant_i8_build on synthetic matrices and
 * prints the reconstruction error; built and run by scripts/bench_pq.sh.
 * usage: pq_bench ROWS DIM DSUB BITS SAMPLE PLUSPLUS QNORM THREADS DATA
 * DATA: gauss (i.i.d. N(0, 0.1^2): no structure, PQ's worst case) or
 * clusters (1000 centres in [-0.1, 0.1)^dim, noise 0.005: structured). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "hash.h"
#include "quant.h"
#include "rng.h"

/* Process CPU time: with one thread it is the work done, whatever else the
 * shared machine runs meanwhile (wall time is printed beside it). */
static double cpu_now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

static float gauss(Rng *r)
{
    float u = rng_uniform(r), v = rng_uniform(r);
    return sqrtf(-2.0f * logf(1.0f - u)) * cosf(6.2831853f * v);
}

int main(int argc, char **argv)
{
    if (argc != 10) {
        fprintf(stderr, "usage: pq_bench ROWS DIM DSUB BITS SAMPLE PLUSPLUS QNORM THREADS gauss|clusters\n");
        return 2;
    }
    const int64_t rows = atoll(argv[1]);
    const int dim = atoi(argv[2]);
    QuantPQOpts o = quant_pq_defaults();
    o.dsub = atoi(argv[3]);
    o.bits = atoi(argv[4]);
    o.max_sample = atoll(argv[5]);
    o.plusplus = atoi(argv[6]);
    o.qnorm = atoi(argv[7]);
    o.threads = atoi(argv[8]);
    const int clusters = strcmp(argv[9], "clusters") == 0;
    float *x = malloc((size_t)rows * dim * sizeof *x), *c = malloc((size_t)1000 * dim * sizeof *c);
    Rng r;
    rng_seed(&r, 42);
    for (int i = 0; i < 1000 * dim; i++) c[i] = 0.2f * rng_uniform(&r) - 0.1f;
    for (int64_t i = 0; i < rows; i++)
        for (int j = 0; j < dim; j++)
            x[i * dim + j] = clusters ? c[(rng_next(&r) % 1000) * dim + j] + 0.005f * gauss(&r) : 0.1f * gauss(&r);
    double s = 0, s2 = 0;
    for (int64_t k = 0; k < rows * dim; k++) s += x[k], s2 += (double)x[k] * x[k];
    const double var = s2 / (double)(rows * dim) - (s / (double)(rows * dim)) * (s / (double)(rows * dim));
    QuantPQMat m;
    Status st;
    double t0 = now(), c0 = cpu_now();
    if (quant_pq_build(&m, x, rows, dim, &o, &st)) {
        fprintf(stderr, "%s\n", st.msg);
        return 1;
    }
    double t_pq = now() - t0, c_pq = cpu_now() - c0;
    unsigned char *bytes = malloc(quant_pq_size(&m));
    quant_pq_write(&m, bytes);
    const uint64_t sum = hash_bytes(bytes, quant_pq_size(&m));
    free(bytes);
    float *y = malloc((size_t)dim * sizeof *y);
    double e = 0;
    for (int64_t i = 0; i < rows; i++) {
        quant_pq_row(&m, i, y);
        for (int j = 0; j < dim; j++) e += ((double)x[i * dim + j] - y[j]) * ((double)x[i * dim + j] - y[j]);
    }
    const double mse = e / (double)(rows * dim);
    QuantI8 q;
    t0 = now();
    quant_i8_build(&q, x, rows, dim, &st);
    double t_i8 = now() - t0;
    double e8 = 0;
    for (int64_t i = 0; i < rows; i++) {
        quant_i8_row(&q, i, y);
        for (int j = 0; j < dim; j++) e8 += ((double)x[i * dim + j] - y[j]) * ((double)x[i * dim + j] - y[j]);
    }
    printf("%s rows=%lld dim=%d dsub=%d bits=%d sample=%lld init=%s qnorm=%d threads=%d: "
           "pq %.3f s cpu (%.3f s wall), mse/var %.4f, %zu bytes, xxh64 %016llx | int8 %.3f s, mse/var %.6f, %zu bytes | float %zu bytes\n",
           argv[9], (long long)rows, dim, o.dsub, o.bits, (long long)o.max_sample, o.plusplus ? "++" : "random", o.qnorm,
           o.threads, c_pq, t_pq, mse / var, quant_pq_size(&m), (unsigned long long)sum, t_i8, e8 / (double)(rows * dim) / var, quant_i8_size(&q),
           (size_t)rows * dim * sizeof(float));
    quant_pq_free(&m);
    quant_i8_free(&q);
    free(x);
    free(c);
    free(y);
    return 0;
}
