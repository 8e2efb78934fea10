#!/bin/bash
# Tokenizer throughput, tokenize only (bench/tokenize_bench.c), on IMDB's train
# texts: the tokenizer before versions existed (BASE), version 1, and version 2
# with NFKC (the default), NFC and no normalisation; all with lowercase and
# clean_html on, one thread. The configurations take turns, one run each per
# round, ROUNDS rounds, so a change in machine load hits them alike; prints the
# median MB/s of each (by CPU time and by the wall clock) and each one's ratio
# to BASE, as markdown.
#
# usage: scripts/bench_tokenizer.sh [CORPUS] [BASE]
#   CORPUS defaults to ../shared/data/imdb/train.csv; ROUNDS=5.
set -euo pipefail
cd "$(dirname "$0")/.."
corpus=${1:-../shared/data/imdb/train.csv}
base=${2:-9928e75}
rounds=${ROUNDS:-5}
work=$(mktemp -d /tmp/attnclf-benchtok-XXXXXX)
trap 'rm -rf "$work"' EXIT

make -s bench-tools
scripts/base_tokenize_bench.sh "$work/base" "$base"
new=build/bench/tokenize_bench
names=("before versions ($base)" "version 1" "version 2, nfkc" "version 2, nfc" "version 2, none")
cmds=("$work/base -v 1" "$new -v 1" "$new -v 2 -n nfkc" "$new -v 2 -n nfc" "$new -v 2 -n none")

for r in $(seq "$rounds"); do
    for i in "${!cmds[@]}"; do
        # "median W MB/s wall, C MB/s cpu ..." of a single run
        ${cmds[$i]} -r 1 "$corpus" | awk '/^median/ {print $2, $5}' >>"$work/runs.$i"
    done
done

median() { sort -g | awk '{a[NR] = $1} END {print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2}'; }
echo "Tokenize-only throughput on $(basename "$(dirname "$corpus")")/$(basename "$corpus"), medians of $rounds runs:"
echo
echo "| tokenizer | MB/s (CPU time) | vs before | MB/s (wall) | vs before |"
echo "|---|---|---|---|---|"
b_cpu=$(cut -d' ' -f2 "$work/runs.0" | median)
b_wall=$(cut -d' ' -f1 "$work/runs.0" | median)
for i in "${!cmds[@]}"; do
    cpu=$(cut -d' ' -f2 "$work/runs.$i" | median)
    wall=$(cut -d' ' -f1 "$work/runs.$i" | median)
    awk -v n="${names[$i]}" -v c="$cpu" -v w="$wall" -v bc="$b_cpu" -v bw="$b_wall" \
        'BEGIN {printf "| %s | %.1f | %+.1f%% | %.1f | %+.1f%% |\n", n, c, 100 * (c / bc - 1), w, 100 * (w / bw - 1)}'
done
