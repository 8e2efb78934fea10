#!/bin/bash
# Whether `attnclf tune`'s gain on validation carries over to test: for each corpus
# and seed, the defaults (only the data keys set) and one `attnclf tune --budget
# BUDGET`, each scored on the suite's validation and test splits (best.ckpt).
# Prints CSV rows: corpus,system,seed,valid_acc,test_acc.
# WHOLE=1 gives attnclf the training and validation splits as one training file
# (as issue 12's table ran: attnclf splits its own tenth off and refits); the
# valid column is then the figure the run printed for its own split. SYSTEMS
# lists what runs: defaults, tune (its own --folds) and tune-foldsN (tune
# --folds N), in turn for each corpus and seed, so that a busy machine slows
# them alike.
#
# usage: scripts/tune_transfer.sh [DATA_DIR]   (default /work/suite-data, made by
#        scripts/suite_splits.py)
#   SEEDS="1 2 3", CORPORA="trec subj mr sst5 agnews", BUDGET=2m, THREADS=2, BIN=./attnclf,
#   WHOLE=0, SYSTEMS="defaults tune"
set -euo pipefail
cd "$(dirname "$0")/.."
data=${1:-/work/suite-data}
seeds=${SEEDS:-1 2 3}
corpora=${CORPORA:-trec subj mr sst5 agnews}
budget=${BUDGET:-2m}
threads=${THREADS:-2}
whole=${WHOLE:-0}
systems=${SYSTEMS:-defaults tune}
[ -n "${BIN:-}" ] || make -s attnclf build/jsonget
bin=$(realpath "${BIN:-./attnclf}")
[ -x build/jsonget ] || make -s build/jsonget
jg=$(realpath build/jsonget)
tmp=$(mktemp -d /tmp/attnclf-tunetransfer-XXXXXX)
trap 'rm -rf "$tmp"' EXIT
acc() { "$bin" eval --model "$1" --data "$2" --json --quiet | "$jg" accuracy; }
echo "corpus,system,seed,valid_acc,test_acc"
wsuffix=
[ "$whole" = 1 ] && wsuffix=-whole
for corpus in $corpora; do
    meta=$data/$corpus/data.json
    python3 scripts/suite_configs.py "$meta" "$tmp/run" "$tmp/config.json" ${wsuffix:+--whole "$tmp/whole"}
    for seed in $seeds; do
        for system in $systems; do
            rm -rf "$tmp/run"
            if [ "$system" = defaults ]; then
                name=defaults$wsuffix
                "$bin" train --config "$tmp/config.json" --set train.seed="$seed" --set train.threads="$threads" \
                    --quiet >"$tmp/out" 2>"$tmp/err" || { cat "$tmp/err" >&2; exit 1; }
            else
                folds=${system#tune}
                folds=${folds#-folds}
                name=tune-$budget${folds:+-folds$folds}$wsuffix
                "$bin" tune --config "$tmp/config.json" --budget "$budget" ${folds:+--folds "$folds"} \
                    --set train.seed="$seed" --set train.threads="$threads" --quiet >"$tmp/out" 2>"$tmp/err" ||
                    { cat "$tmp/err" >&2; exit 1; }
            fi
            if [ "$whole" = 1 ]; then
                valid=$(grep -oE 'best valid_acc [0-9.]+' "$tmp/out" | awk '{print $3}')
            else
                valid=$(acc "$tmp/run/best.ckpt" "$("$jg" data.valid "$meta")")
            fi
            echo "$corpus,$name,$seed,$valid,$(acc "$tmp/run/best.ckpt" "$("$jg" test "$meta")")"
        done
    done
done
