#!/bin/bash
# train.class_weight none against balanced on an imbalanced corpus: subj with 10%
# positives (scripts/imbalanced.py, corpus seed CORPUS_SEED), the defaults otherwise.
# Trains on train_part.csv, validates on valid.csv (best.ckpt by the default metric,
# accuracy); prints macro-F1 and accuracy on valid.csv (the validation split) and on
# the imbalanced test.csv, one row per training seed, then the means.
#
# usage: scripts/class_weight.sh [DATA_DIR]   (DATA_DIR defaults to ../shared/data)
#   SEEDS="1 2 3", CORPUS_SEED=1, THREADS=2
set -euo pipefail
cd "$(dirname "$0")/.."
data=$(realpath "${1:-../shared/data}")
seeds=${SEEDS:-1 2 3}
threads=${THREADS:-2}
make -s attnclf
work=$(mktemp -d /tmp/attnclf-cw-XXXXXX)
trap 'rm -rf "$work"' EXIT
python3 scripts/imbalanced.py "$data/subj" "$work/imb" --seed "${CORPUS_SEED:-1}"

# score CKPT FILE: "macro_f1 accuracy"
score() {
    ./attnclf eval --model "$1" --data "$2" --json --threads "$threads" --quiet |
        python3 -c "import json,sys; d=json.load(sys.stdin); print('%.4f %.4f' % (d['macro_f1'], d['accuracy']))"
}
echo "| class_weight | seed | valid macro-F1 | valid accuracy | test macro-F1 | test accuracy |"
echo "|---|---|---|---|---|---|"
for cw in none balanced; do
    : >"$work/$cw.rows"
    for seed in $seeds; do
        ./attnclf train --data "$work/imb/train_part.csv" --valid "$work/imb/valid.csv" --output "$work/$cw$seed" \
            --set train.class_weight="\"$cw\"" --set train.seed="$seed" --set train.threads="$threads" --quiet >/dev/null
        read -r vf va < <(score "$work/$cw$seed/best.ckpt" "$work/imb/valid.csv")
        read -r tf ta < <(score "$work/$cw$seed/best.ckpt" "$work/imb/test.csv")
        echo "$vf $va $tf $ta" >>"$work/$cw.rows"
        echo "| $cw | $seed | $vf | $va | $tf | $ta |"
    done
    awk -v cw="$cw" '{for (i = 1; i <= 4; i++) s[i] += $i} END {printf "| %s | mean | %.4f | %.4f | %.4f | %.4f |\n", cw, s[1] / NR, s[2] / NR, s[3] / NR, s[4] / NR}' "$work/$cw.rows"
done
