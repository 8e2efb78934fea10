#!/bin/bash
# configs/sst2.json against configs/sst2-vectors.json (in-domain word vectors from
# scripts/sst2_vectors.sh, dim 32), side by side:
#   split: trained on scripts/sst2_split.py's split, its 1,000 held-out training
#          sentences validating (the epoch, the choice between the configs) and
#          calibrating; dev.tsv scored after with the checkpoint as written and without
#          its CALB section (ECE and log loss before/after, as scripts/calibration_ece.sh);
#   full:  the config as shipped (all of train.tsv, no validation), dev accuracy.
# Prints one markdown row a config and seed, then the means (seconds: the whole
# `attnclf train` of the full run, reading the vectors included).
#
# usage: scripts/sst2_vectors_study.sh [DATA_DIR]   (default ../shared/data)
#   SEEDS="1 2 3 4 5 6 7 8", THREADS=2, CONFIGS="configs/sst2.json configs/sst2-vectors.json"
set -euo pipefail
cd "$(dirname "$0")/.."
data=$(realpath "${1:-../shared/data}")
seeds=${SEEDS:-1 2 3 4 5 6 7 8}
threads=${THREADS:-2}
configs=${CONFIGS:-configs/sst2.json configs/sst2-vectors.json}
make -s attnclf build/ckpt_drop
[ -s runs/vectors/imdb-d32.vec ] || scripts/sst2_vectors.sh "$data"
work=$(mktemp -d /tmp/attnclf-sst2v-XXXXXX)
trap 'rm -rf "$work"' EXIT
python3 scripts/sst2_split.py --train "$data/sst2/train.tsv" --out "$work/split" >/dev/null
dev=$data/sst2/dev.tsv

field() { awk -v n="$1" '$1 == n {print $2}'; }
echo "| config | seed | valid acc | valid log loss (calibrated) | dev acc (split) | dev log loss before | after | dev ECE before | after | dev acc (full) | train s (full) |"
echo "|---|---|---|---|---|---|---|---|---|---|---|"
for config in $configs; do
    for seed in $seeds; do
        r=$work/run
        ./attnclf train --config "$config" --set data.train="$work/split/train_part.tsv" \
            --set data.valid="$work/split/valid_sent.tsv" --set train.seed="$seed" \
            --set train.threads="$threads" --set output.dir="$r" --force 2>"$work/log" >/dev/null
        valid=$(grep -E '^epoch.*\*$' "$work/log" | tail -1 | grep -oE 'valid_acc [0-9.]+' | awk '{print $2}')
        vloss=$(grep -oE 'log loss [0-9.]+ -> [0-9.]+' "$work/log" | tail -1 | awk '{print $5}')
        build/ckpt_drop "$r/best.ckpt" "$work/before.ckpt" CALB
        ./attnclf eval --model "$work/before.ckpt" --data "$dev" --threads "$threads" --quiet >"$work/before"
        ./attnclf eval --model "$r/best.ckpt" --data "$dev" --threads "$threads" --quiet >"$work/after"
        start=$(date +%s.%N)
        ./attnclf train --config "$config" --set train.seed="$seed" --set train.threads="$threads" \
            --set output.dir="$work/full" --force --quiet 2>/dev/null >/dev/null
        secs=$(echo "$(date +%s.%N) - $start" | bc)
        full=$(./attnclf eval --model "$work/full/best.ckpt" --data "$dev" --threads "$threads" --quiet | field accuracy)
        printf '| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %.2f |\n' "$(basename "$config")" "$seed" "$valid" "$vloss" \
            "$(field accuracy <"$work/after")" "$(field log_loss <"$work/before")" "$(field log_loss <"$work/after")" \
            "$(field ece <"$work/before")" "$(field ece <"$work/after")" "$full" "$secs"
    done
done | tee "$work/rows"
awk -F'|' '{c = $2; gsub(/ /, "", c); n[c]++; for (i = 4; i <= 12; i++) s[c, i] += $i}
    END {for (c in n) {printf "| %s | mean of %d |", c, n[c]; for (i = 4; i <= 11; i++) printf " %.4f |", s[c, i] / n[c]
        printf " %.2f |\n", s[c, 12] / n[c]}}' "$work/rows" | sort
