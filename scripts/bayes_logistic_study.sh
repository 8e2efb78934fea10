#!/bin/bash
# The naive Bayes member counted (bayes.fit "counts", the default) against the
# member fitted as a logistic regression on top of its counts (bayes.fit
# "logistic", src/model/bayes_lr.h), on the public suite's splits
# (scripts/suite_splits.py), with attnclf's defaults otherwise (only the data keys
# set). Settings are compared on the validation split; test is printed beside
# them, to be read only for the setting validation chose.
#
# usage: scripts/bayes_logistic_study.sh [SUITE_DIR]   (default ../suite-data)
#   CORPORA="trec subj mr sst5 agnews sst2", SEEDS="1 2", THREADS=2,
#   SETTINGS: one per line, "NAME --set KEY=VALUE..." (default below)
# Writes one CSV row per run to stdout: corpus,name,seed,valid_acc,test_acc,wall_s
set -euo pipefail
cd "$(dirname "$0")/.."
data=$(realpath "${1:-../suite-data}")
corpora=${CORPORA:-trec subj mr sst5 agnews sst2}
seeds=${SEEDS:-1 2}
threads=${THREADS:-2}
settings=${SETTINGS:-"counts
lr-w1-l1e-4 --set bayes.fit=logistic --set bayes.weight=1 --set bayes.l2=1e-4
lr-w1-l3e-4 --set bayes.fit=logistic --set bayes.weight=1 --set bayes.l2=3e-4
lr-w1-l1e-3 --set bayes.fit=logistic --set bayes.weight=1 --set bayes.l2=1e-3
lr-w2-l3e-4 --set bayes.fit=logistic --set bayes.weight=2 --set bayes.l2=3e-4
lr-w2-l1e-3 --set bayes.fit=logistic --set bayes.weight=2 --set bayes.l2=1e-3"}
make -s attnclf build/jsonget
tmp=$(mktemp -d "${TMPDIR:-/tmp}/bayes-lr-XXXXXX")
trap 'rm -rf "$tmp"' EXIT
acc() { ./attnclf eval --model "$1" --data "$2" --json --quiet | build/jsonget accuracy; }
echo "corpus,name,seed,valid_acc,test_acc,wall_s"
for corpus in $corpora; do
    meta="$data/$corpus/data.json"
    python3 scripts/suite_configs.py "$meta" "$tmp/run" "$tmp/$corpus.json"
    while read -r name sets; do
        for seed in $seeds; do
            t0=$(date +%s.%N)
            # shellcheck disable=SC2086 # sets is a list of words
            ./attnclf train --config "$tmp/$corpus.json" --set train.seed="$seed" --set train.threads="$threads" \
                $sets --force >/dev/null 2>"$tmp/log" || { cat "$tmp/log" >&2; exit 1; }
            t1=$(date +%s.%N)
            printf '%s,%s,%s,%s,%s,%.1f\n' "$corpus" "$name" "$seed" \
                "$(acc "$tmp/run/best.ckpt" "$(build/jsonget data.valid "$meta")")" \
                "$(acc "$tmp/run/best.ckpt" "$(build/jsonget test "$meta")")" "$(echo "$t1 - $t0" | bc)"
        done
    done <<<"$settings"
done
