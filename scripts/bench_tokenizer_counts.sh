#!/bin/bash
# The tokenizer's instruction and mispredicted-branch counts under callgrind
# (--branch-sim, counted only inside tokenizer_run), for the same configurations
# as bench_tokenizer.sh, on the first ROWS texts of CORPUS. Unlike times, these
# do not move with the machine's load, so they back the throughput medians.
#
# usage: scripts/bench_tokenizer_counts.sh [CORPUS] [BASE]
#   CORPUS defaults to ../shared/data/imdb/train.csv (CSV with a header), ROWS=5000.
set -euo pipefail
cd "$(dirname "$0")/.."
corpus=${1:-../shared/data/imdb/train.csv}
base=${2:-9928e75}
rows=${ROWS:-5000}
scripts/install-deps.sh valgrind python3
work=$(mktemp -d /tmp/attnclf-counttok-XXXXXX)
trap 'rm -rf "$work"' EXIT

make -s bench-tools
scripts/base_tokenize_bench.sh "$work/base" "$base"
python3 - "$corpus" "$work/sample.csv" "$rows" <<'PY'
import csv, sys
csv.field_size_limit(1 << 30)
src, dst, rows = sys.argv[1], sys.argv[2], int(sys.argv[3])
with open(src, newline='', encoding='utf-8', errors='surrogateescape') as f, \
        open(dst, 'w', newline='', encoding='utf-8', errors='surrogateescape') as g:
    w = csv.writer(g)
    for i, row in enumerate(csv.reader(f)):
        if i > rows:
            break
        w.writerow(row)
PY
new=build/bench/tokenize_bench
names=("before versions ($base)" "version 1" "version 2, nfkc" "version 2, nfc" "version 2, none")
cmds=("$work/base -v 1" "$new -v 1" "$new -v 2 -n nfkc" "$new -v 2 -n nfc" "$new -v 2 -n none")
echo "callgrind counts inside tokenizer_run, first $rows texts of $(basename "$(dirname "$corpus")")/$(basename "$corpus"):"
echo
echo "| tokenizer | instructions | vs before | mispredicted branches | vs before |"
echo "|---|---|---|---|---|"
for i in "${!cmds[@]}"; do
    valgrind --tool=callgrind --branch-sim=yes --toggle-collect=tokenizer_run \
        --callgrind-out-file="$work/cg.$i" ${cmds[$i]} -r 1 "$work/sample.csv" >/dev/null 2>&1
    # Events Ir Bc Bcm Bi Bim: instructions, and mispredicted = Bcm + Bim.
    callgrind_annotate "$work/cg.$i" | awk '/PROGRAM TOTALS/ {gsub(",", ""); print $1, $5 + $9}' >"$work/n.$i"
done
read -r bi bm <"$work/n.0"
for i in "${!cmds[@]}"; do
    read -r ni nm <"$work/n.$i"
    awk -v n="${names[$i]}" -v i="$ni" -v m="$nm" -v bi="$bi" -v bm="$bm" \
        'BEGIN {printf "| %s | %.1f M | %+.1f%% | %.2f M | %+.1f%% |\n", n, i / 1e6, 100 * (i / bi - 1), m / 1e6, 100 * (m / bm - 1)}'
done
