#!/bin/bash
# Temperature scaling (calib.h) on fastText's probabilities for the single-label
# sentiment sets the calibration target names (SST-2 dev, IMDB test): fastText
# trained on 90% of the training file (every line but each 10th), the temperature
# fitted on the other 10%, ECE and log loss on the test side before and after.
# A check that the fit does what it should on real scores; attnclf's own figures
# come from its eval once the lead wires calibration in.
#
# usage: scripts/fasttext_temperature.sh [DATA_DIR]   (DATA_DIR defaults to ../shared/data)
set -euo pipefail
cd "$(dirname "$0")/.."
data=${1:-../shared/data}
scripts/install-deps.sh fasttext python3
make -s build/libattnclf.a
work=$(mktemp -d /tmp/attnclf-fttemp-XXXXXX)
trap 'rm -rf "$work"' EXIT
cc -std=c11 -O2 -fopenmp -D_POSIX_C_SOURCE=200809L $(for d in src/*/; do printf -- "-I%s " "$d"; done)scripts/ftprobs_eval.c build/libattnclf.a \
    -lcsv -lcjson -lutf8proc -lxxhash -lm -o "$work/eval"

# to_fasttext FORMAT IN OUT: one `__label__L text` line per row (newlines in text become spaces).
to_fasttext() {
    python3 - "$@" <<'PY'
import csv, sys
fmt, src, dst = sys.argv[1:4]
csv.field_size_limit(1 << 30)
with open(src, newline="", encoding="utf-8") as f, open(dst, "w", encoding="utf-8") as out:
    rows = csv.reader(f, delimiter="\t" if fmt == "tsv" else ",", quoting=csv.QUOTE_NONE if fmt == "tsv" else csv.QUOTE_MINIMAL)
    header = next(rows)
    li, ti = header.index("label"), header.index("sentence" if "sentence" in header else "text")
    for r in rows:
        text = " ".join(r[ti].replace("<br />", " ").split())
        out.write("__label__%s %s\n" % (r[li], text))
PY
}

run() { # NAME TRAIN TEST FASTTEXT-OPTIONS...
    local name=$1 train=$2 test=$3
    shift 3
    awk 'NR % 10 != 0' "$train" >"$work/fit.txt"
    awk 'NR % 10 == 0' "$train" >"$work/held.txt"
    grep -o '^__label__[^ ]*' "$work/fit.txt" | sort -u >"$work/labels"
    fasttext supervised -input "$work/fit.txt" -output "$work/$name" -thread 1 -verbose 0 "$@"
    fasttext predict-prob "$work/$name.bin" "$work/held.txt" -1 >"$work/$name.held"
    fasttext predict-prob "$work/$name.bin" "$test" -1 >"$work/$name.test"
    echo "$name (fastText $*):"
    echo
    "$work/eval" softmax "$work/labels" "$work/held.txt" "$work/$name.held" "$test" "$work/$name.test"
    echo
}
to_fasttext tsv "$data/sst2/train.tsv" "$work/sst2-train.txt"
to_fasttext tsv "$data/sst2/dev.tsv" "$work/sst2-dev.txt"
run sst2 "$work/sst2-train.txt" "$work/sst2-dev.txt" -wordNgrams 2
to_fasttext csv "$data/imdb/train.csv" "$work/imdb-train.txt"
to_fasttext csv "$data/imdb/test.csv" "$work/imdb-test.txt"
# IMDB's train.csv may be sorted by label: shuffle it deterministically so the held-out 10% has both.
python3 -c "import random,sys; l=open(sys.argv[1]).readlines(); random.Random(0).shuffle(l); open(sys.argv[1],'w').writelines(l)" "$work/imdb-train.txt"
run imdb "$work/imdb-train.txt" "$work/imdb-test.txt" -wordNgrams 2
