#!/bin/bash
# Multi-label cooking (fastText's tutorial corpus), attnclf beside fastText 0.9.2 on
# the same machine, one after the other with the same threads. Both train on
# cooking/train.txt and are scored on cooking/valid.txt (the test set here).
#   fastText: the tutorial's text (punctuation split, lowercased by its sed line),
#     `-epoch 25 -wordNgrams 2`, softmax `-lr 1.0` and `-loss ova -lr 0.5`. Its
#     micro-F1 is at the best global threshold *on valid.txt* (scripts/microf1_sweep.py
#     over `predict-prob -1`): an oracle, optimistic for fastText.
#   attnclf: configs/cooking.json on the raw text (its tokenizer splits punctuation
#     and folds case itself); micro-F1 at the thresholds it tuned on its own
#     validation split (10% of train.txt), `eval --threshold auto`, and, to compare
#     like with like, at the best global threshold on valid.txt (the same sweep over
#     `attnclf predict-prob -1`).
# P@1 and R@5 are counted as fastText's `test` counts (`attnclf test` does the same).
#
# usage: scripts/bench_cooking.sh [DATA_DIR]   (DATA_DIR defaults to ../shared/data)
#   THREADS=2 for both tools; SEEDS="1" attnclf seeds (one row each);
#   TOOLS="fasttext attnclf" (either alone prints only its rows).
set -euo pipefail
cd "$(dirname "$0")/.."
data=$(realpath "${1:-../shared/data}")/cooking
threads=${THREADS:-2}
seeds=${SEEDS:-1}
tools=${TOOLS:-fasttext attnclf}
scripts/install-deps.sh fasttext python3 time
make -s attnclf
bin=$(realpath ./attnclf)
work=$(mktemp -d /tmp/attnclf-cooking-XXXXXX)
trap 'rm -rf "$work"' EXIT

prep() { sed -e "s/\([.\!?,'/()]\)/ \1 /g" | tr "[:upper:]" "[:lower:]"; }
prep <"$data/train.txt" >"$work/train.txt"
prep <"$data/valid.txt" >"$work/valid.txt"
grep -o '__label__[^ ]*' "$work/train.txt" | sort -u >"$work/known"

# wall CMD...: runs CMD, prints its wall-clock seconds.
wall() {
    /usr/bin/time -f %e -o "$work/wall" "$@" >/dev/null 2>"$work/err" || { cat "$work/err" >&2; exit 1; }
    cat "$work/wall"
}
field() { awk -v n="$1" '$1 == n {print $2}'; }
mib() { awk -v b="$(stat -c %s "$1")" 'BEGIN {printf "%.1f", b / 1048576}'; }

fts=("softmax|-lr 1.0" "ova|-lr 0.5 -loss ova")
[[ " $tools " == *" fasttext "* ]] || fts=()
[[ " $tools " == *" attnclf "* ]] || seeds=""
echo "| tool | P@1 | R@5 | micro-F1 | threshold picked on | train s | model MiB |"
echo "|---|---|---|---|---|---|---|"
for ft in "${fts[@]}"; do
    name=${ft%%|*}
    # shellcheck disable=SC2086
    s=$(wall fasttext supervised -input "$work/train.txt" -output "$work/ft" -epoch 25 -wordNgrams 2 \
        -thread "$threads" -verbose 0 ${ft#*|})
    p1=$(fasttext test "$work/ft.bin" "$work/valid.txt" 1 | field P@1)
    r5=$(fasttext test "$work/ft.bin" "$work/valid.txt" 5 | field R@5)
    fasttext predict-prob "$work/ft.bin" "$work/valid.txt" -1 >"$work/probs"
    f1=$(python3 scripts/microf1_sweep.py "$work/valid.txt" "$work/probs" "$work/known" | awk '{print $8}')
    echo "| fastText $name (${ft#*|} -epoch 25 -wordNgrams 2) | $p1 | $r5 | $f1 | valid.txt (oracle) | $s | $(mib "$work/ft.bin") |"
done
for seed in $seeds; do
    rm -rf "$work/run"
    s=$(wall "$bin" train --config configs/cooking.json --set data.train="$data/train.txt" \
        --set output.dir="$work/run" --set train.threads="$threads" --set train.seed="$seed" --quiet)
    ck=$work/run/best.ckpt
    p1=$("$bin" test "$ck" "$data/valid.txt" 1 | field P@1)
    r5=$("$bin" test "$ck" "$data/valid.txt" 5 | field R@5)
    f1=$("$bin" eval --model "$ck" --data "$data/valid.txt" --threshold auto --threads "$threads" --quiet | field micro_f1)
    echo "| attnclf cooking.json (seed $seed) | $p1 | $r5 | $f1 | its validation split | $s | $(mib "$ck") |"
    "$bin" predict-prob "$ck" "$data/valid.txt" -1 >"$work/probs"
    grep -o '__label__[^ ]*' "$data/train.txt" | sort -u >"$work/known-raw"
    f1=$(python3 scripts/microf1_sweep.py "$data/valid.txt" "$work/probs" "$work/known-raw" | awk '{print $8}')
    echo "| attnclf cooking.json (seed $seed) | $p1 | $r5 | $f1 | valid.txt (oracle) | | |"
done
