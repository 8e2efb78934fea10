#!/bin/sh
# What a cutoff's dropped rows become: zero rows or tokens left out, on a run's
# validation split (scripts/ship_zero.c); README "Checkpoints" quotes the result.
# usage: scripts/ship_zero.sh CKPT [CUTOFF...]   (from the project root; the
#   checkpoint's config must find its training data)
set -eu
ckpt=$1
shift
[ $# -gt 0 ] || set -- 100000 200000 400000
make -s build/libattnclf.a
cc -std=c11 -O2 -fopenmp -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE $(for d in src/*/; do printf -- "-I%s " "$d"; done)scripts/ship_zero.c \
    build/libattnclf.a -o build/ship_zero -lcsv -lcjson -lutf8proc -lxxhash -lm
build/ship_zero "$ckpt" "$@"
