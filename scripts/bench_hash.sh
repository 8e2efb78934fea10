#!/bin/bash
# Checkpoint checksum speed (bench/hash_bench.c): XXH64 and XXH3-64 from
# libxxhash, one-shot and streamed in 4 MiB pieces as ckpt.c writes, on one
# buffer of MEGABYTES (a checkpoint's size: from memory) and on 1 MB (from cache:
# the hash's own speed); then the hand-written XXH64 that libxxhash replaced
# (src/hash.c of BASE), one-shot on the same bytes, for comparison.
#
# usage: scripts/bench_hash.sh [MEGABYTES] [BASE]    (200, 9928e75); RUNS=5
set -euo pipefail
cd "$(dirname "$0")/.."
mb=${1:-200}
base=${2:-9928e75}
runs=${RUNS:-5}
work=$(mktemp -d /tmp/attnclf-benchhash-XXXXXX)
trap 'rm -rf "$work"' EXIT

make -s bench-tools
build/bench/hash_bench -m "$mb" -r "$runs"
build/bench/hash_bench -m 1 -r "$runs" -k 200

git show "$base:src/hash.c" >"$work/hash.c"
git show "$base:src/hash.h" >"$work/hash.h"
cat >"$work/old.c" <<'OLD'
/* The hand-written XXH64 of BASE, timed like hash_bench's first line. */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include "hash.h"
#include "rng.h"
static double now_s(void) { struct timespec t; clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t); return t.tv_sec + 1e-9 * t.tv_nsec; }
static int cmp(const void *a, const void *b) { double x = *(const double *)a, y = *(const double *)b; return (x > y) - (x < y); }
int main(int argc, char **argv)
{
    size_t n = (size_t)atol(argv[1]) * 1000000;
    int runs = atoi(argv[2]);
    unsigned char *p = malloc(n);
    Rng rng;
    rng_seed(&rng, 1);
    for (size_t i = 0; i + 8 <= n; i += 8) {
        uint64_t v = rng_next(&rng);
        for (int k = 0; k < 8; k++) p[i + k] = (unsigned char)(v >> (8 * k));
    }
    int reps = atoi(argv[3]);
    uint64_t h = hash_bytes(p, n);
    double g[64];
    for (int r = 0; r < runs && r < 64; r++) {
        double t0 = now_s();
        for (int k = 0; k < reps; k++)
            if (hash_bytes(p, n) != h) return 1;
        g[r] = (double)n * reps / 1e9 / (now_s() - t0);
    }
    qsort(g, runs, sizeof *g, cmp);
    printf("%-22s %016llx  median %.2f GB/s (min %.2f, max %.2f, %d runs of %d x %s MB)\n", "hand-written XXH64",
           (unsigned long long)h, g[runs / 2], g[0], g[runs - 1], runs, reps, argv[1]);
    return 0;
}
OLD
cc -std=c11 -O2 -D_POSIX_C_SOURCE=200809L -I"$work" -Isrc/base -o "$work/old" "$work/old.c" "$work/hash.c" src/base/rng.c
"$work/old" "$mb" "$runs" 1
"$work/old" 1 "$runs" 200
