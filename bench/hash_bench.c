/* hash_bench.c - checkpoint checksum speed: XXH64 and XXH3-64 from libxxhash
 * over one buffer (200 MB by default), one-shot and streamed in 4 MiB pieces
 * the way ckpt.c's writer feeds them. Each is timed RUNS times after one warm-up
 * pass (the buffer is written first, so no page faults are timed) by the CPU
 * time; prints the median GB/s with the fastest and slowest run.
 *
 * With -k K a timed run hashes the buffer K times, so a run of a small buffer
 * (in cache) is long enough to time on a busy machine.
 *
 * usage: hash_bench [-m MEGABYTES] [-r RUNS] [-k K] */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include "hash.h"
#include "mem.h"
#include "rng.h"

#define PIECE ((size_t)4 << 20)

/* By the process's CPU time: on a shared machine, time spent waiting for a
 * core does not count (bench/tokenize_bench.c reports both clocks). */
static double now_s(void)
{
    struct timespec t;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static uint64_t run_one(int kind, const unsigned char *p, size_t n)
{
    if (kind == 0) return hash_bytes(p, n);
    if (kind == 1) return hash_bytes_xxh3(p, n);
    HashStream hs;
    if (kind == 2)
        hash_stream_init(&hs);
    else
        hash_stream_init_xxh3(&hs);
    for (size_t at = 0; at < n; at += PIECE) hash_stream_update(&hs, p + at, n - at < PIECE ? n - at : PIECE);
    uint64_t h = hash_stream_final(&hs);
    hash_stream_free(&hs);
    return h;
}

int main(int argc, char **argv)
{
    long mb = 200;
    int runs = 5, reps = 1, opt;
    while ((opt = getopt(argc, argv, "m:r:k:")) != -1) {
        if (opt == 'm')
            mb = atol(optarg);
        else if (opt == 'r')
            runs = atoi(optarg);
        else if (opt == 'k')
            reps = atoi(optarg);
        else {
            fprintf(stderr, "usage: hash_bench [-m MEGABYTES] [-r RUNS] [-k K]\n");
            return 2;
        }
    }
    if (mb < 1 || runs < 1 || reps < 1) {
        fprintf(stderr, "hash_bench: MEGABYTES, RUNS and K must be >= 1\n");
        return 2;
    }
    size_t n = (size_t)mb * 1000000;
    unsigned char *p = xmalloc(n);
    Rng rng;
    rng_seed(&rng, 1);
    for (size_t i = 0; i + 8 <= n; i += 8) {
        uint64_t v = rng_next(&rng);
        for (int k = 0; k < 8; k++) p[i + (size_t)k] = (unsigned char)(v >> (8 * k));
    }
    static const char *names[4] = {"XXH64 one-shot", "XXH3-64 one-shot", "XXH64 stream 4 MiB", "XXH3-64 stream 4 MiB"};
    /* The four take turns, one pass each per round, so a change in machine
     * load hits them alike. */
    uint64_t want[4];
    for (int kind = 0; kind < 4; kind++) want[kind] = run_one(kind, p, n);
    double *gbs = xmalloc(4 * (size_t)runs * sizeof *gbs);
    for (int r = 0; r < runs; r++)
        for (int kind = 0; kind < 4; kind++) {
            double t0 = now_s();
            for (int k = 0; k < reps; k++)
                if (run_one(kind, p, n) != want[kind]) {
                    fprintf(stderr, "hash_bench: %s is not deterministic\n", names[kind]);
                    return 1;
                }
            gbs[kind * runs + r] = (double)n * reps / 1e9 / (now_s() - t0);
        }
    for (int kind = 0; kind < 4; kind++) {
        double *g = gbs + kind * runs;
        qsort(g, (size_t)runs, sizeof *g, cmp_double);
        printf("%-22s %016llx  median %.2f GB/s (min %.2f, max %.2f, %d runs of %d x %ld MB)\n", names[kind],
               (unsigned long long)want[kind], g[runs / 2], g[0], g[runs - 1], runs, reps, mb);
    }
    free(gbs);
    free(p);
    return 0;
}
