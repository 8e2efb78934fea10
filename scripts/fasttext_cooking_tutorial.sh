#!/bin/bash
# The cooking anchor exactly as fastText's tutorial runs it (fastText's default
# 12 threads, so not reproducible to the last digit): P@1, R@5 and fastText's own
# P/R at `test m.bin valid.txt -1 T` for a grid of thresholds T, with the F1 of
# each. scripts/fasttext_cooking.sh has the single-thread, multi-seed version with
# an exact threshold sweep and a threshold picked off the test data.
#
# usage: scripts/fasttext_cooking_tutorial.sh [DATA_DIR]   (DATA_DIR defaults to ../shared/data)
set -euo pipefail
cd "$(dirname "$0")/.."
data=${1:-../shared/data}/cooking
scripts/install-deps.sh fasttext
work=$(mktemp -d /tmp/attnclf-fttut-XXXXXX)
trap 'rm -rf "$work"' EXIT
cd "$work"
cat "$data/train.txt" | sed -e "s/\([.\!?,'/()]\)/ \1 /g" | tr "[:upper:]" "[:lower:]" >train.txt
cat "$data/valid.txt" | sed -e "s/\([.\!?,'/()]\)/ \1 /g" | tr "[:upper:]" "[:lower:]" >valid.txt
fasttext supervised -input train.txt -output m -lr 1.0 -epoch 25 -wordNgrams 2 -verbose 0
echo "fasttext test m.bin valid.txt 1: $(fasttext test m.bin valid.txt 1 | tr '\n' ' ')"
echo "fasttext test m.bin valid.txt 5: $(fasttext test m.bin valid.txt 5 | tr '\n' ' ')"
echo
echo "| T | P (fasttext test m.bin valid.txt -1 T) | R | F1 |"
echo "|---|---|---|---|"
for t in 0.02 0.03 0.04 0.05 0.06 0.07 0.08 0.09 0.10 0.12 0.15 0.20; do
    fasttext test m.bin valid.txt -1 "$t" |
        awk -v t="$t" '$1 == "P@-1" {p = $2} $1 == "R@-1" {r = $2} END {printf "| %s | %s | %s | %.4f |\n", t, p, r, 2 * p * r / (p + r)}'
done
