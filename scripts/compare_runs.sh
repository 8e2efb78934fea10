#!/bin/bash
# Whether two attnclf binaries give the same bits: trains the sample, IMDB and SST-2
# with the shipped configs under each, and prints the digests of the logs' figures
# (epoch, losses, accuracies: log.csv's first 6 columns), the predictions (with
# attention weights) and the eval tables, side by side. Used to check that a
# refactor changes no result (issue 10: every digest equal).
#
# usage: scripts/compare_runs.sh OLD_BIN NEW_BIN [DATA_DIR]   (default ../shared/data)
set -euo pipefail
cd "$(dirname "$0")/.."
data=$(realpath "${3:-../shared/data}")
work=$(mktemp -d /tmp/attnclf-compare-XXXXXX)
trap 'rm -rf "$work"' EXIT
run() {
    local bin=$1 out=$2
    mkdir -p "$out"
    for c in sample imdb sst2; do
        sed -e "s#\.\./\.\./shared/data#$data#" -e "s#\"\.\./data/#\"$PWD/data/#g" configs/$c.json > "$out/$c.json"
        "$bin" train --config "$out/$c.json" --set output.dir="$out/$c" --quiet >/dev/null 2>&1
        cut -d, -f1-6 "$out/$c/log.csv" > "$out/$c.log6"
    done
    "$bin" predict --model "$out/sample/best.ckpt" --top-k 4 --explain < data/agnews-sample/valid.csv > "$out/sample.pred"
    "$bin" eval --model "$out/imdb/best.ckpt" --data "$data/imdb/test.csv" > "$out/imdb.eval"
    "$bin" predict --model "$out/imdb/best.ckpt" --top-k 2 < <(head -3000 "$data/imdb/test.csv") > "$out/imdb.pred"
    "$bin" eval --model "$out/sst2/best.ckpt" --data "$data/sst2/dev.tsv" > "$out/sst2.eval"
    "$bin" predict --model "$out/sst2/best.ckpt" --top-k 2 --json --explain < <(cut -f1 "$data/sst2/dev.tsv") > "$out/sst2.pred"
}
run "$(realpath "$1")" "$work/old"
run "$(realpath "$2")" "$work/new"
same=0 all=0
for f in sample.log6 imdb.log6 sst2.log6 sample.pred imdb.pred sst2.pred imdb.eval sst2.eval; do
    a=$(md5sum < "$work/old/$f" | cut -c1-32) b=$(md5sum < "$work/new/$f" | cut -c1-32)
    all=$((all + 1)); [ "$a" = "$b" ] && same=$((same + 1))
    printf '%-12s %s %s %s\n' "$f" "$a" "$b" "$([ "$a" = "$b" ] && echo same || echo DIFFERS)"
done
echo "$same of $all the same"
