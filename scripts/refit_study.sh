#!/bin/bash
# Whether train.refit pays, measured on validation documents only. Each corpus's
# training split trains with only the data keys set (so attnclf splits 10% off it to
# pick the epoch) twice per seed: once with train.refit=false (the validated model),
# once as the defaults have it (train.refit=true: the same settings again on all of
# the split, stopped at the validated epoch). Both are scored on documents neither
# saw: the suite's validation split (scripts/suite_splits.py), never a test set. For
# cooking (label sets) that is a tenth of train.txt held out by this script, scored
# by micro-F1 at the thresholds each model carries, and P@1.
#
# usage: scripts/refit_study.sh [SUITE_DIR] [DATA_DIR]
#   SUITE_DIR defaults to /work/suite-data, DATA_DIR (for cooking) to ../shared/data
#   CORPORA="trec subj mr sst5 agnews cooking", SEEDS="1 2 3", THREADS=2
set -euo pipefail
cd "$(dirname "$0")/.."
suite=$(realpath "${1:-/work/suite-data}")
data=$(realpath "${2:-../shared/data}")
corpora=${CORPORA:-trec subj mr sst5 agnews cooking}
seeds=${SEEDS:-1 2 3}
threads=${THREADS:-2}
make -s attnclf build/jsonget
work=$(mktemp -d /tmp/attnclf-refit-XXXXXX)
trap 'rm -rf "$work"' EXIT

# held FILE OUT: OUT/part.txt and OUT/held.txt, a seeded tenth of FILE's lines held out.
held() {
    python3 - "$1" "$2" <<'EOF'
import random, sys
lines = open(sys.argv[1], encoding="utf-8").read().splitlines(True)
idx = list(range(len(lines)))
random.Random(12).shuffle(idx)
held = set(idx[:len(lines) // 10])
with open(sys.argv[2] + "/part.txt", "w", encoding="utf-8") as f:
    f.writelines(l for i, l in enumerate(lines) if i not in held)
with open(sys.argv[2] + "/held.txt", "w", encoding="utf-8") as f:
    f.writelines(lines[i] for i in sorted(held))
EOF
}

echo "| corpus | seed | validated epoch | refit false | refit true | gain (points) |"
echo "|---|---|---|---|---|---|"
for c in $corpora; do
    if [ "$c" = cooking ]; then
        mkdir -p "$work/cooking"
        held "$data/cooking/train.txt" "$work/cooking"
        sed "s#\.\./\.\./shared/data/cooking/train.txt#$work/cooking/part.txt#" configs/cooking.json >"$work/cfg.json"
        score=$work/cooking/held.txt
        metric=(--threshold auto --json)
        key=micro_f1
    else
        python3 -c 'import json,sys; d=json.load(open(sys.argv[1]))["data"]; d.pop("valid"); json.dump({"data": d}, open(sys.argv[2], "w"))' \
            "$suite/$c/data.json" "$work/cfg.json"
        score=$("$PWD/build/jsonget" data.valid "$suite/$c/data.json")
        metric=(--json)
        key=accuracy
    fi
    for seed in $seeds; do
        row=()
        for refit in false true; do
            d=$work/$c-$refit
            ./attnclf train --config "$work/cfg.json" --set output.dir="$d" --force --set train.seed="$seed" \
                --set train.threads="$threads" --set train.refit=$refit --quiet >"$work/out" 2>"$work/err" ||
                { cat "$work/err" >&2; exit 1; }
            row+=("$(./attnclf eval --model "$d/best.ckpt" --data "$score" "${metric[@]}" --quiet | build/jsonget "$key")")
        done
        ep=$(grep -oE 'at epoch [0-9]+ of [0-9]+' "$work/out" | head -1 | awk '{print $3 "/" $5}')
        awk -v c="$c" -v s="$seed" -v e="$ep" -v a="${row[0]}" -v b="${row[1]}" \
            'BEGIN {printf "| %s | %s | %s | %.4f | %.4f | %+.2f |\n", c, s, e, a, b, 100 * (b - a)}'
    done
done
