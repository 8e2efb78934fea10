#!/bin/bash
# How much of the full model each quantize setting keeps, on validation data only:
# IMDB's train.csv is split 90/10 (seeded), configs/imdb.json trains on the 90% for
# each seed, and every setting below quantizes that run's best.ckpt. On the 10% it
# prints the accuracy, the labels that differ from the full model's and the mean
# |p - p_full| of the first class, which vary far less between settings than the
# accuracy of 2,500 reviews does (one review is 0.04 points). README "Models to ship"
# quotes the result. The test split is not read.
# usage: scripts/quant_choose.sh [DATA_DIR] [SEED...]   (from the project root)
set -eu
data=${1:-../shared/data}
shift || true
[ $# -gt 0 ] || set -- 1 2 3
make -s attnclf
bin=$(realpath ./attnclf)
work=$(mktemp -d /tmp/attnclf-qchoose-XXXXXX)
trap 'rm -rf "$work"' EXIT

python3 - "$data/imdb/train.csv" "$work" <<'PY'
import csv, random, sys
rows = list(csv.reader(open(sys.argv[1], newline="")))
head, rows = rows[0], rows[1:]
random.Random(7).shuffle(rows)
n = len(rows) // 10
for name, part in (("va.csv", rows[:n]), ("tr.csv", rows[n:])):
    with open(f"{sys.argv[2]}/{name}", "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(head)
        w.writerows(part)
t = head.index("text")
with open(f"{sys.argv[2]}/va.txt", "w") as f:
    for r in rows[:n]:
        f.write(" ".join(r[t].split()) + "\n")
PY

# name|quantize options (--bayes-cutoff 0 throughout: imdb.json has no member)
settings=(
    "cutoff 200k|--cutoff 200000"
    "cutoff 230k|--cutoff 230000"
    "cutoff 200k, retrain|--cutoff 200000 --retrain"
    "cutoff 200k, retrain rows lr 0.001 (shipped)|--cutoff 200000 --retrain --retrain-rows --lr 0.001"
    "cutoff 200k, by norm x log count|--cutoff 200000 --score freq"
    "cutoff 270k, no qnorm|--cutoff 270000 --no-qnorm"
    "cutoff 400k, dsub 4|--cutoff 400000 --dsub 4"
)

# probs FILE: the probability of class "pos" on each line of predict --json -k 2
probs() {
    python3 -c '
import json, sys
for line in open(sys.argv[1]):
    o = json.loads(line)
    print(next(t["prob"] for t in o["top"] if t["label"] == "pos"))' "$1"
}

echo "| seed | setting | bytes | valid accuracy | labels unlike the full model's | mean abs p difference |"
echo "|---|---|---|---|---|---|"
for seed in "$@"; do
    run=$work/run$seed
    "$bin" train --config configs/imdb.json --set data.train="$work/tr.csv" --set data.valid="$work/va.csv" \
        --set data.valid_fraction=0 --set output.dir="$run" --set train.threads=2 --set train.seed="$seed" --quiet >&2
    "$bin" predict --model "$run/best.ckpt" --json -k 2 --input "$work/va.txt" > "$work/full.json"
    probs "$work/full.json" > "$work/full.p"
    acc=$("$bin" eval --model "$run/best.ckpt" --data "$work/va.csv" --json | python3 -c 'import json,sys; print("%.4f" % json.load(sys.stdin)["accuracy"])')
    echo "| $seed | full model (best.ckpt) | $(stat -c %s "$run/best.ckpt") | $acc | | |"
    for s in "${settings[@]}"; do
        name=${s%%|*}
        read -r -a opts <<<"${s#*|}"
        "$bin" quantize --model "$run/best.ckpt" --output "$work/q.bin" --bayes-cutoff 0 --quiet "${opts[@]}"
        "$bin" predict --model "$work/q.bin" --json -k 2 --input "$work/va.txt" > "$work/q.json"
        probs "$work/q.json" > "$work/q.p"
        acc=$("$bin" eval --model "$work/q.bin" --data "$work/va.csv" --json | python3 -c 'import json,sys; print("%.4f" % json.load(sys.stdin)["accuracy"])')
        diff=$(paste "$work/full.p" "$work/q.p" | awk '{d = $1 - $2; if (d < 0) d = -d; s += d; if (($1 >= 0.5) != ($2 >= 0.5)) f++} END {printf "%d|%.4f", f, s / NR}')
        echo "| $seed | $name | $(stat -c %s "$work/q.bin") | $acc | ${diff%|*} | ${diff#*|} |"
    done
done
