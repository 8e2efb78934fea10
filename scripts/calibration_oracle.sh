#!/bin/bash
# How far SST-2's ECE after calibration can go with a fitted temperature or Platt
# scale, even one fitted on dev itself (an oracle, for the record; nothing is chosen
# by it). configs/sst2.json trains on scripts/sst2_split.py's split as
# scripts/calibration_ece.sh does; the uncalibrated probabilities (best.ckpt without
# CALB) of the 1,000 held-out sentences and of dev.tsv are fitted by
# scripts/calibration_oracle.py: a temperature and a Platt scale on the held-out
# sentences (what training can do) and on dev (the oracle), and isotonic regression on
# the held-out sentences, and the network's and the naive Bayes member's logits
# scaled apart (two factors; predict --explain gives the member's). Needs /usr/bin/python3 with numpy, scipy and scikit-learn
# (python3-sklearn).
#
# usage: scripts/calibration_oracle.sh [DATA_DIR]   (default ../shared/data)
#   SEEDS="1 2 3", THREADS=2
set -euo pipefail
cd "$(dirname "$0")/.."
data=$(realpath "${1:-../shared/data}")
seeds=${SEEDS:-1 2 3}
threads=${THREADS:-2}
make -s attnclf build/ckpt_drop
work=$(mktemp -d /tmp/attnclf-calor-XXXXXX)
trap 'rm -rf "$work"' EXIT
python3 scripts/sst2_split.py --train "$data/sst2/train.tsv" --out "$work/split" >/dev/null
for seed in $seeds; do
    d=$work/s$seed
    ./attnclf train --config configs/sst2.json --set data.train="$work/split/train_part.tsv" \
        --set data.valid="$work/split/valid_sent.tsv" --set train.seed="$seed" --set train.threads="$threads" \
        --set output.dir="$d" --force --quiet >/dev/null
    build/ckpt_drop "$d/best.ckpt" "$d/raw.ckpt" CALB
    for part in valid_sent:"$work/split/valid_sent.tsv" dev:"$data/sst2/dev.tsv"; do
        name=${part%%:*} file=${part#*:}
        # sentence<TAB>label, with a header
        tail -n +2 "$file" | cut -f2 >"$d/$name.labels"
        tail -n +2 "$file" | cut -f1 | ./attnclf predict --model "$d/raw.ckpt" --json --explain --top-k 2 >"$d/$name.json"
    done
done
/usr/bin/python3 scripts/calibration_oracle.py "$work" $seeds
