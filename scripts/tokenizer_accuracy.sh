#!/bin/bash
# Validation accuracy of the default config under tokenizer version 1, version 2
# with NFKC (the default) and version 2 without normalisation, on the suite's
# train/valid splits in fastText format (scripts/suite_splits.py writes them:
# SPLITS/<corpus>/{train,valid}.ft). Prints "setting corpus seed valid_acc seconds".
# usage: scripts/tokenizer_accuracy.sh [SPLITS] [BIN]    (/work/suite-data, ./attnclf)
set -euo pipefail
splits=${1:-/work/suite-data}
bin=${2:-./attnclf}
out=$(mktemp -d /tmp/attnclf-tokacc-XXXXXX)
trap 'rm -rf "$out"' EXIT
run() {
    local name=$1 c=$2 s=$3; shift 3
    local t0 t1 line
    t0=$(date +%s.%N)
    line=$("$bin" train --data "$splits/$c/train.ft" --valid "$splits/$c/valid.ft" --output "$out/$name-$c-$s" \
        --set train.seed="$s" --quiet "$@" 2>&1 | tail -1)
    t1=$(date +%s.%N)
    echo "$name $c $s $(sed -n 's/.*best valid_acc \([0-9.]*\).*/\1/p' <<<"$line") $(echo "$t1 - $t0" | bc)"
    rm -rf "$out/$name-$c-$s"
}
for c in trec mr sst5 subj sst2 agnews imdb; do
    seeds="1 2 3"
    case $c in imdb | agnews) seeds=1 ;; esac
    for s in $seeds; do
        run v1 "$c" "$s" --set tokenizer.version=1
        run nfkc "$c" "$s"
        run none "$c" "$s" --set tokenizer.normalize=none
    done
done
