#!/bin/bash
# Whether `attnclf tune`'s gain on validation carries over to test: for each corpus
# and seed, the defaults (only the data keys set) and one `attnclf tune --budget
# BUDGET`, each scored on the suite's validation and test splits (best.ckpt).
# Prints CSV rows: corpus,system,seed,valid_acc,test_acc.
#
# usage: scripts/tune_transfer.sh [DATA_DIR]   (default /work/suite-data, made by
#        scripts/suite_splits.py)
#   SEEDS="1 2 3", CORPORA="trec subj mr sst5 agnews", BUDGET=2m, THREADS=2, BIN=./attnclf
set -euo pipefail
cd "$(dirname "$0")/.."
data=${1:-/work/suite-data}
seeds=${SEEDS:-1 2 3}
corpora=${CORPORA:-trec subj mr sst5 agnews}
budget=${BUDGET:-2m}
threads=${THREADS:-2}
[ -n "${BIN:-}" ] || make -s attnclf build/jsonget
bin=$(realpath "${BIN:-./attnclf}")
[ -x build/jsonget ] || make -s build/jsonget
jg=$(realpath build/jsonget)
tmp=$(mktemp -d /tmp/attnclf-tunetransfer-XXXXXX)
trap 'rm -rf "$tmp"' EXIT
acc() { "$bin" eval --model "$1" --data "$2" --json --quiet | "$jg" accuracy; }
echo "corpus,system,seed,valid_acc,test_acc"
for corpus in $corpora; do
    meta=$data/$corpus/data.json
    python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); json.dump({"data": d["data"], "output": {"dir": sys.argv[2]}}, open(sys.argv[3], "w"))' \
        "$meta" "$tmp/run" "$tmp/config.json"
    for seed in $seeds; do
        for system in defaults "tune-$budget"; do
            rm -rf "$tmp/run"
            if [ "$system" = defaults ]; then
                "$bin" train --config "$tmp/config.json" --set train.seed="$seed" --set train.threads="$threads" \
                    --quiet >/dev/null 2>"$tmp/err" || { cat "$tmp/err" >&2; exit 1; }
            else
                "$bin" tune --config "$tmp/config.json" --budget "$budget" --set train.seed="$seed" \
                    --set train.threads="$threads" --quiet >/dev/null 2>"$tmp/err" || { cat "$tmp/err" >&2; exit 1; }
            fi
            echo "$corpus,$system,$seed,$(acc "$tmp/run/best.ckpt" "$("$jg" data.valid "$meta")"),$(acc "$tmp/run/best.ckpt" "$("$jg" test "$meta")")"
        done
    done
done
