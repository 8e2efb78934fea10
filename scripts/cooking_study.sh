#!/bin/bash
# One change at a time to configs/cooking.json, chosen by the validation split only:
# for each setting and seed, the split's micro-F1 at the thresholds training tuned
# (log.jsonl's best valid_micro_f1) and its P@1; valid.txt's micro-F1 (eval
# --threshold auto) and R@5 are printed beside them, for the record, not to choose.
# One thread a run; about 90 s a run on this machine.
#
# usage: scripts/cooking_study.sh [DATA_DIR]   (default ../shared/data)
#   SEEDS="1 2 3", SETTINGS="base tokenizer.ngrams=2 ..." (base: the config as shipped)
set -euo pipefail
cd "$(dirname "$0")/.."
data=$(realpath "${1:-../shared/data}")
seeds=${SEEDS:-1 2 3}
settings=${SETTINGS:-base tokenizer.ngrams=2 train.epochs=20 train.lr=0.04 model.heads=4}
make -s attnclf build/jsonget
work=$(mktemp -d /tmp/attnclf-cookstudy-XXXXXX)
trap 'rm -rf "$work"' EXIT
sed "s#\.\./\.\./shared/data#$data#" configs/cooking.json >"$work/cooking.json"
echo "| setting | seed | best epoch | split micro-F1 | split P@1 | valid.txt micro-F1 | valid.txt R@5 |"
echo "|---|---|---|---|---|---|---|"
for set in $settings; do
    for seed in $seeds; do
        args=(--set train.seed="$seed" --set train.threads=1)
        [ "$set" != base ] && args+=(--set "$set")
        d=$work/run
        rm -rf "$d"
        ./attnclf train --config "$work/cooking.json" --set output.dir="$d" "${args[@]}" --quiet \
            >/dev/null 2>"$work/err" || { cat "$work/err" >&2; exit 1; }
        best=$(awk -F, 'NR > 1 && $10 > b {b = $10; e = $1; p = $11} END {print e, b, p}' "$d/log.csv")
        ./attnclf eval --model "$d/best.ckpt" --data "$data/cooking/valid.txt" --threshold auto --top-k 5 --json \
            --quiet >"$work/eval.json"
        f1=$(build/jsonget micro_f1 <"$work/eval.json")
        r5=$(build/jsonget recall_at_k <"$work/eval.json")
        read -r e b p <<<"$best"
        echo "| $set | $seed | $e | $b | $p | $f1 | $r5 |"
    done
done
