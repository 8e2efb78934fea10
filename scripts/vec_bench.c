/* vec_bench.c - the .vec reader's speed and memory on a synthetic stream; built and
 * run by scripts/bench_vec.sh.
 *   vec_bench gen N D    writes N words "w0".."w{N-1}" with D numbers each (six
 *                        decimals, as fastText writes them) to stdout, with a header
 *   vec_bench read D K   reads a .vec from stdin wanting the K words w0..w{K-1}
 *                        (every (N/K)-th line when they are spread by gen's order)
 * gen reports the bytes it wrote on stderr; read prints the counts, the time and
 * lines per second. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "rng.h"
#include "vecfile.h"

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

static int gen(long long n, int d)
{
    static char buf[1 << 16];
    setvbuf(stdout, buf, _IOFBF, sizeof buf);
    long long head = printf("%lld %d\n", n, d);
    Rng r;
    rng_seed(&r, 1);
    char line[64];
    long long bytes = 0;
    for (long long i = 0; i < n; i++) {
        bytes += printf("w%lld", i);
        for (int j = 0; j < d; j++) {
            /* -0.xxxxxx written by hand: printf would be slower than the reader. */
            unsigned v = (unsigned)rng_below(&r, 2000000);
            int neg = v >= 1000000, k = 0;
            v %= 1000000;
            line[k++] = ' ';
            if (neg) line[k++] = '-';
            line[k++] = '0';
            line[k++] = '.';
            for (int p = 100000; p >= 1; p /= 10) line[k++] = (char)('0' + v / p % 10);
            fwrite(line, 1, (size_t)k, stdout);
            bytes += k;
        }
        putchar('\n');
        bytes++;
    }
    fprintf(stderr, "gen: %lld bytes\n", head + bytes);
    return fflush(stdout) != 0;
}

typedef struct Want {
    long long k;
} Want;

static int64_t want(void *ctx, const char *word, size_t len)
{
    const Want *w = ctx;
    if (len < 2 || word[0] != 'w') return -1;
    long long i = atoll(word + 1);
    return i < w->k ? i : -1;
}

static int readv(int d, long long k)
{
    float *dst = calloc((size_t)k * d, sizeof *dst);
    Want w = {k};
    VecfileSink sink = {.dim = d, .dim_name = "dim", .want = want, .ctx = &w, .dst = dst, .rows = k};
    VecfileStats s;
    Status st;
    double t0 = now();
    int rc = vecfile_read_stream(stdin, "stdin", &sink, &s, &st);
    double t = now() - t0;
    if (rc) {
        fprintf(stderr, "%s\n", st.msg);
        return 1;
    }
    printf("read %lld lines, %lld vectors, %lld found in %.2f s (%.0f lines/s)\n", (long long)s.lines,
           (long long)s.vectors, (long long)s.found, t, (double)s.lines / t);
    free(dst);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc == 4 && strcmp(argv[1], "gen") == 0) return gen(atoll(argv[2]), atoi(argv[3]));
    if (argc == 4 && strcmp(argv[1], "read") == 0) return readv(atoi(argv[2]), atoll(argv[3]));
    fprintf(stderr, "usage: vec_bench gen N D | vec_bench read D K\n");
    return 2;
}
