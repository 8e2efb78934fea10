#!/bin/sh
# The .vec reader on a 2 GB stream (760000 words x 300 dims, generated on the fly,
# no disk), wanting 100000 of the words: time and the reader's peak memory.
# usage: scripts/bench_vec.sh [WORDS]   (from the project root)
set -eu
n=${1:-760000}
make -s build/libattnclf.a
cc -std=c11 -O2 -fopenmp -D_POSIX_C_SOURCE=200809L $(for d in src/*/; do printf -- "-I%s " "$d"; done)scripts/vec_bench.c build/libattnclf.a -o build/vec_bench -lm
build/vec_bench gen "$n" 300 | /usr/bin/time -f "reader: %e s wall, %U s user, max RSS %M KB" build/vec_bench read 300 100000
