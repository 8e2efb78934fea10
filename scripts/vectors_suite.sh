#!/bin/bash
# Do in-domain word vectors help the public suite's short-text corpora? The defaults
# (only the data keys) against the defaults with model.dim 32 started from vectors of
# IMDB's training reviews alone (scripts/sst2_vectors.sh with IMDB_ONLY=1: no Rotten
# Tomatoes text, which MR's and SST-5's test sentences are), validation accuracy of
# best.ckpt, seeds 1-3. Validation only: nothing here was adopted (issue 12's anchors
# use no outside text), and no test set is read.
#
# usage: scripts/vectors_suite.sh SUITE_DIR [DATA_DIR]
#   SUITE_DIR: scripts/suite_splits.py's output; DATA_DIR (../shared/data) for the vectors.
#   SEEDS="1 2 3", THREADS=2, CORPORA="trec subj mr sst5 agnews"
set -euo pipefail
cd "$(dirname "$0")/.."
suite=$(realpath "$1")
data=$(realpath "${2:-../shared/data}")
seeds=${SEEDS:-1 2 3}
threads=${THREADS:-2}
corpora=${CORPORA:-trec subj mr sst5 agnews}
make -s attnclf
vec=runs/vectors/imdb-only-d32.vec
[ -s "$vec" ] || IMDB_ONLY=1 scripts/sst2_vectors.sh "$data"
vec=$(realpath "$vec")
work=$(mktemp -d /tmp/attnclf-vsuite-XXXXXX)
trap 'rm -rf "$work"' EXIT

echo "| corpus | seed | defaults | + vectors (dim 32) | vectors' coverage |"
echo "|---|---|---|---|---|"
for c in $corpora; do
    # Only the data keys, as scripts/suite.sh trains its defaults.
    python3 scripts/suite_configs.py "$suite/$c/data.json" "$work/run" "$work/$c.json"
    for seed in $seeds; do
        for v in base vec; do
            extra=()
            [ $v = vec ] && extra=(--set model.dim=32 --set model.pretrained="\"$vec\"")
            ./attnclf train --config "$work/$c.json" --set train.seed="$seed" --set train.threads="$threads" \
                --force "${extra[@]}" 2>"$work/$v.log" >/dev/null
            grep -E '^epoch.*\*$' "$work/$v.log" | tail -1 | grep -oE 'valid_acc [0-9.]+' | awk '{print $2}' >"$work/$v.acc"
        done
        cov=$(grep -oE '\([0-9.]+%\)' "$work/vec.log" | head -1)
        echo "| $c | $seed | $(cat "$work/base.acc") | $(cat "$work/vec.acc") | $cov |"
    done
done | tee "$work/rows"
awk -F'|' '{c = $2; gsub(/ /, "", c); n[c]++; b[c] += $4; v[c] += $5}
    END {for (c in n) printf "| %s | mean of %d | %.4f | %.4f | %+.2f points |\n", c, n[c], b[c] / n[c], v[c] / n[c], 100 * (v[c] - b[c]) / n[c]}' \
    "$work/rows" | sort
