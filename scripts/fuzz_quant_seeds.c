/* fuzz_quant_seeds.c - writes the seed layouts of tests/fuzz/corpus/quant/: small
 * int8 and product-quantized matrices, 8 and 4 bits, with and without qnorm, an
 * odd nsub. Build and run from the project root:
 *   make build/libattnclf.a && cc -std=c11 -fopenmp $(for d in src/*/; do printf -- "-I%s " "$d"; done) scripts/fuzz_quant_seeds.c \
 *       build/libattnclf.a -lm -o build/fuzz_quant_seeds && build/fuzz_quant_seeds tests/fuzz/corpus/quant */
#include <stdio.h>
#include <stdlib.h>

#include "quant.h"
#include "rng.h"

static void put(const char *dir, const char *name, const unsigned char *b, size_t n)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "wb");
    if (!f || fwrite(b, 1, n, f) != n || fclose(f) != 0) {
        fprintf(stderr, "%s: cannot write\n", path);
        exit(1);
    }
}

static void pq(const char *dir, const char *name, const float *x, int64_t rows, int dim, int dsub, int bits, int qnorm)
{
    QuantPQOpts o = quant_pq_defaults();
    o.dsub = dsub, o.bits = bits, o.qnorm = qnorm, o.iters = 3;
    QuantPQMat m;
    Status st;
    if (quant_pq_build(&m, x, rows, dim, &o, &st)) {
        fprintf(stderr, "%s\n", st.msg);
        exit(1);
    }
    size_t n = quant_pq_size(&m);
    unsigned char *b = malloc(n);
    quant_pq_write(&m, b);
    put(dir, name, b, n);
    free(b);
    quant_pq_free(&m);
}

int main(int argc, char **argv)
{
    if (argc != 2) return 2;
    float x[40 * 5];
    Rng r;
    rng_seed(&r, 1);
    for (int i = 0; i < 40 * 5; i++) x[i] = rng_uniform(&r) - 0.5f;
    QuantI8 q;
    Status st;
    quant_i8_build(&q, x, 6, 5, &st);
    size_t n = quant_i8_size(&q);
    unsigned char *b = malloc(n);
    quant_i8_write(&q, b);
    put(argv[1], "i8-6x5", b, n);
    free(b);
    quant_i8_free(&q);
    pq(argv[1], "pq4-7x5-dsub2-qnorm", x, 7, 5, 2, 4, 1);
    pq(argv[1], "pq4-9x4-dsub2", x, 9, 4, 2, 4, 0);
    pq(argv[1], "pq8-5x3-dsub2", x, 5, 3, 2, 8, 0);
    pq(argv[1], "pq8-4x2-dsub1-qnorm", x, 4, 2, 1, 8, 1);
    return 0;
}
