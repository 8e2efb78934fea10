#!/bin/bash
# With train.calibrate (the default), does bayes.weight change predictions? Trains
# CONFIG on scripts/sst2_split.py's split (the held-out sentences validate and
# calibrate) at each weight, then compares the dev predictions with the first
# weight's: labels that differ and the largest probability difference.
#
# usage: scripts/member_weight.sh [DATA_DIR]   (default ../shared/data)
#   CONFIG=configs/sst2.json, WEIGHTS="0.1 0.3 1", SEED=1
set -euo pipefail
cd "$(dirname "$0")/.."
data=$(realpath "${1:-../shared/data}")
config=${CONFIG:-configs/sst2.json}
weights=${WEIGHTS:-0.1 0.3 1}
make -s attnclf
work=$(mktemp -d /tmp/attnclf-mw-XXXXXX)
trap 'rm -rf "$work"' EXIT
python3 scripts/sst2_split.py --train "$data/sst2/train.tsv" --out "$work/split" >/dev/null
tail -n +2 "$data/sst2/dev.tsv" | cut -f1 >"$work/dev.txt"
echo "| bayes.weight | best valid_acc | labels unlike weight ${weights%% *}'s | max prob difference |"
echo "|---|---|---|---|"
first=
for w in $weights; do
    ./attnclf train --config "$config" --set data.train="$work/split/train_part.tsv" \
        --set data.valid="$work/split/valid_sent.tsv" --set train.seed="${SEED:-1}" --set bayes.weight="$w" \
        --set output.dir="$work/run" --force >"$work/log" 2>&1
    ./attnclf predict --model "$work/run/best.ckpt" --input "$work/dev.txt" >"$work/$w.tsv"
    [ -n "$first" ] || first=$w
    valid=$(grep -oE 'best valid_acc [0-9.]+' "$work/log" | awk '{print $3}')
    paste "$work/$first.tsv" "$work/$w.tsv" | awk -F'\t' -v w="$w" -v v="$valid" \
        '{if ($1 != $3) n++; d = $2 - $4; if (d < 0) d = -d; if (d > m) m = d}
         END {printf "| %s | %s | %d | %.2g |\n", w, v, n, m}'
done
