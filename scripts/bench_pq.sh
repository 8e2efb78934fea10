#!/bin/sh
# Product quantizer training time and reconstruction error (mse / variance of the
# data), 1 thread, on synthetic matrices: see scripts/pq_bench.c for the data.
# usage: scripts/bench_pq.sh   (from the project root; builds build/libattnclf.a)
set -eu
make -s build/libattnclf.a
cc -std=c11 -O2 -fopenmp -D_POSIX_C_SOURCE=200809L $(for d in src/*/; do printf -- "-I%s " "$d"; done)scripts/pq_bench.c build/libattnclf.a -o build/pq_bench -lm
b=build/pq_bench
for data in gauss clusters; do
    for init in 1 0; do
        $b 100000 8 2 8 65536 $init 0 1 $data
        $b 2000000 8 2 8 65536 $init 0 1 $data
    done
    $b 100000 8 2 4 65536 1 0 1 $data
    $b 2000000 8 2 4 65536 1 0 1 $data
    $b 100000 8 2 4 65536 0 0 1 $data
    $b 100000 8 2 8 65536 1 1 1 $data
done
