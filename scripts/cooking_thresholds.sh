#!/bin/bash
# attnclf's multi-label metrics, threshold tuning and calibration run on fastText's
# probabilities for cooking, to check P@k/R@k against fastText's own `test` and to
# choose the defaults (per-label thresholds' minimum positives, Platt's lambda) on
# a split that is not the test data: fastText trained on 90% of train.txt (every
# line but each 10th), thresholds and calibration fitted on the other 10%, all
# scored on valid.txt. Tutorial preprocessing (punctuation split, lowercased).
#
# usage: scripts/cooking_thresholds.sh [DATA_DIR]   (DATA_DIR defaults to ../shared/data)
#   THREADS=1 (fastText is reproducible only with one thread), SEED=0.
set -euo pipefail
cd "$(dirname "$0")/.."
data=${1:-../shared/data}/cooking
threads=${THREADS:-1}
seed=${SEED:-0}
scripts/install-deps.sh fasttext
make -s build/libattnclf.a
work=$(mktemp -d /tmp/attnclf-ftthr-XXXXXX)
trap 'rm -rf "$work"' EXIT
cc -std=c11 -O2 -fopenmp -D_POSIX_C_SOURCE=200809L $(for d in src/*/; do printf -- "-I%s " "$d"; done)scripts/ftprobs_eval.c build/libattnclf.a \
    -lcsv -lcjson -lutf8proc -lxxhash -lm -o "$work/eval"

prep() { sed -e "s/\([.\!?,'/()]\)/ \1 /g" | tr "[:upper:]" "[:lower:]"; }
prep <"$data/train.txt" | awk 'NR % 10 != 0' >"$work/fit.txt"
prep <"$data/train.txt" | awk 'NR % 10 == 0' >"$work/held.txt"
prep <"$data/valid.txt" >"$work/valid.txt"
grep -o '__label__[^ ]*' "$work/fit.txt" | sort -u >"$work/labels"

run() { # NAME MODE FASTTEXT-OPTIONS...
    local name=$1 mode=$2
    shift 2
    fasttext supervised -input "$work/fit.txt" -output "$work/$name" -epoch 25 -wordNgrams 2 \
        -thread "$threads" -seed "$seed" -verbose 0 "$@"
    for s in held valid; do fasttext predict-prob "$work/$name.bin" "$work/$s.txt" -1 >"$work/$name.$s"; done
    echo "fastText's own test of $name on valid.txt:" \
        "$(fasttext test "$work/$name.bin" "$work/valid.txt" 1 | tr '\n' ' ')" \
        "$(fasttext test "$work/$name.bin" "$work/valid.txt" 5 | tail -1)"
    echo
    "$work/eval" "$mode" "$work/labels" "$work/held.txt" "$work/$name.held" "$work/valid.txt" "$work/$name.valid"
    echo
}
run softmax softmax -lr 1.0
run ova ova -lr 0.5 -loss ova
