#!/bin/bash
# configs/imdb.json and configs/sst2.json with the naive Bayes member counted (as
# they ship) or fitted as a logistic regression (configs/imdb-logistic.json is
# imdb.json with the setting lr-w2-l3e-4-mc3) (bayes.fit "logistic",
# src/model/bayes_lr.h), compared on validation only: IMDB on the config's own
# 10% split (train.refit false, so the figure is that split's model), SST-2 on
# scripts/sst2_split.py's 1,000 held-out training sentences. Test (IMDB's
# test.csv, SST-2's dev.tsv) is printed beside, to be read for the setting
# validation chose.
#
# usage: scripts/bayes_logistic_configs.sh [DATA_DIR]   (default ../shared/data)
#   CORPORA="sst2 imdb", SEEDS="1 2 3", THREADS=2, SETTINGS (one per line,
#   "NAME --set KEY=VALUE...", default below)
# Writes CSV to stdout: corpus,name,seed,valid_acc,test_acc,wall_s
set -euo pipefail
cd "$(dirname "$0")/.."
data=$(realpath "${1:-../shared/data}")
corpora=${CORPORA:-sst2 imdb}
seeds=${SEEDS:-1 2 3}
threads=${THREADS:-2}
settings=${SETTINGS:-"shipped
lr-w1-l1e-4 --set bayes.fit=logistic --set bayes.weight=1 --set bayes.l2=1e-4
lr-w1-l3e-4 --set bayes.fit=logistic --set bayes.weight=1 --set bayes.l2=3e-4
lr-w2-l3e-4 --set bayes.fit=logistic --set bayes.weight=2 --set bayes.l2=3e-4
lr-w4-l3e-4 --set bayes.fit=logistic --set bayes.weight=4 --set bayes.l2=3e-4
lr-w2-l3e-4-mc2 --set bayes.fit=logistic --set bayes.weight=2 --set bayes.l2=3e-4 --set bayes.min_count=2
lr-w2-l3e-4-mc3 --set bayes.fit=logistic --set bayes.weight=2 --set bayes.l2=3e-4 --set bayes.min_count=3"}
make -s attnclf build/jsonget
tmp=$(mktemp -d "${TMPDIR:-/tmp}/bayes-lr-cfg-XXXXXX")
trap 'rm -rf "$tmp"' EXIT
acc() { ./attnclf eval --model "$1" --data "$2" --json --quiet | build/jsonget accuracy; }
echo "corpus,name,seed,valid_acc,test_acc,wall_s"
for corpus in $corpora; do
    case $corpus in
    imdb) base=(--config configs/imdb.json --set data.train="$data/imdb/train.csv" --set train.refit=false)
          ngrams=(--set bayes.ngrams=3)
          test="$data/imdb/test.csv" ;;
    sst2) python3 scripts/sst2_split.py --train "$data/sst2/train.tsv" --out "$tmp/sst2-split" >/dev/null
          base=(--config configs/sst2.json --set data.train="$tmp/sst2-split/train_part.tsv"
                --set data.valid="$tmp/sst2-split/valid_sent.tsv")
          ngrams=()
          test="$data/sst2/dev.tsv" ;;
    *) echo "bayes_logistic_configs.sh: unknown corpus $corpus (sst2, imdb)" >&2; exit 2 ;;
    esac
    while read -r name sets; do
        for seed in $seeds; do
            extra=()
            [ "$name" != shipped ] && extra=("${ngrams[@]}")
            t0=$(date +%s.%N)
            # shellcheck disable=SC2086 # sets is a list of words
            ./attnclf train "${base[@]}" "${extra[@]}" --set train.seed="$seed" --set train.threads="$threads" \
                --set output.dir="$tmp/run" $sets --force >"$tmp/out" 2>"$tmp/log" || { cat "$tmp/log" >&2; exit 1; }
            t1=$(date +%s.%N)
            valid=$(grep -oE 'best valid_acc [0-9.]+' "$tmp/out" "$tmp/log" | tail -1 | awk '{print $3}')
            printf '%s,%s,%s,%s,%s,%.1f\n' "$corpus" "$name" "$seed" "$valid" "$(acc "$tmp/run/best.ckpt" "$test")" \
                "$(echo "$t1 - $t0" | bc)"
        done
    done <<<"$settings"
done
