#!/bin/bash
# configs/imdb-logistic.json (the logistic naive Bayes member, README "The logistic
# member") beside configs/imdb.json and fastText on IMDB, on this machine, side by
# side as scripts/bench.sh runs them: accuracy on test.csv, train wall time and
# peak RSS (medians; the three alternate run by run, attnclf run i with seed i),
# predict lines/s on the 25,000 test reviews, load-to-first-prediction and model
# size. fastText: bench.sh's settings (dim 10, bigrams, 10M buckets, 5 epochs) and
# the lr bench.sh picks on test for it (0.5). Writes bench/imdb-logistic.md.
#
# usage: scripts/bench_imdb_logistic.sh [DATA_DIR]   (default ../shared/data)
#   REPS=3, THREADS=2
set -euo pipefail
cd "$(dirname "$0")/.."
data=$(realpath "${1:-../shared/data}")
reps=${REPS:-3}
threads=${THREADS:-2}
sh scripts/install-deps.sh fasttext hyperfine time python3 >/dev/null
make -s attnclf
bin=$(realpath ./attnclf)
work=$(mktemp -d /tmp/attnclf-benchlr-XXXXXX)
trap 'rm -rf "$work"' EXIT
export OMP_NUM_THREADS=$threads

median() { sort -g | awk '{a[NR] = $1} END {print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2}'; }
mean() { awk '{s += $1} END {printf "%.4f", s / NR}'; }
# timed OUT CMD...: appends "wall_s rss_kib" of CMD to OUT.
timed() {
    local out=$1
    shift
    /usr/bin/time -f "%e %M" -o "$work/t" "$@" >/dev/null 2>"$work/err" || { cat "$work/err" >&2; exit 1; }
    cat "$work/t" >>"$out"
}
first_ms() { hyperfine -N --runs 10 --warmup 2 --export-json "$work/hf.json" "$1" >/dev/null 2>&1
             python3 -c "import json; print('%.1f' % (1000 * json.load(open('$work/hf.json'))['results'][0]['median']))"; }

python3 scripts/bench_prepare.py csv "$data/imdb/train.csv" label text "$work/train.ft" "$work/train.txt"
python3 scripts/bench_prepare.py csv "$data/imdb/test.csv" label text "$work/test.ft" "$work/test.txt"
sed 's/^__label__[^ ]* //' "$work/test.ft" >"$work/predict.norm"
n=$(wc -l <"$work/test.txt")
names=(ft plain lr)
: >"$work/ft.times"; : >"$work/plain.times"; : >"$work/lr.times"
: >"$work/ft.acc"; : >"$work/plain.acc"; : >"$work/lr.acc"
for i in $(seq "$reps"); do
    echo "bench_imdb_logistic: round $i of $reps" >&2
    timed "$work/ft.times" fasttext supervised -input "$work/train.ft" -output "$work/ft" -dim 10 -wordNgrams 2 \
        -minCount 1 -bucket 10000000 -epoch 5 -lr 0.5 -thread "$threads" -verbose 0
    fasttext test "$work/ft.bin" "$work/test.ft" | awk '/^P@1/ {print $2}' >>"$work/ft.acc"
    for cfg in plain lr; do
        file=configs/imdb.json
        [ "$cfg" = lr ] && file=configs/imdb-logistic.json
        rm -rf "$work/$cfg"
        timed "$work/$cfg.times" "$bin" train --config "$file" --set data.train="$data/imdb/train.csv" \
            --set output.dir="$work/$cfg" --set data.cache="$work/cache" --set train.threads="$threads" \
            --set train.seed="$i" --quiet
        "$bin" eval --model "$work/$cfg/best.ckpt" --data "$data/imdb/test.csv" --json --quiet |
            python3 -c "import json,sys; print('%.4f' % json.load(sys.stdin)['accuracy'])" >>"$work/$cfg.acc"
    done
done
: >"$work/ftp.times"; : >"$work/plainp.times"; : >"$work/lrp.times"
for _ in $(seq "$reps"); do
    timed "$work/ftp.times" fasttext predict "$work/ft.bin" "$work/predict.norm"
    timed "$work/plainp.times" "$bin" predict --model "$work/plain/best.ckpt" --input "$work/test.txt" --quiet
    timed "$work/lrp.times" "$bin" predict --model "$work/lr/best.ckpt" --input "$work/test.txt" --quiet
done
ftfirst=$(first_ms "sh -c 'echo good | fasttext predict $work/ft.bin -'")
plainfirst=$(first_ms "sh -c 'echo good | $bin predict --model $work/plain/best.ckpt'")
lrfirst=$(first_ms "sh -c 'echo good | $bin predict --model $work/lr/best.ckpt'")
row() { # LABEL NAME FIRST MODEL
    local wall rss pred
    wall=$(awk '{print $1}' "$work/$2.times" | median)
    rss=$(awk '{print $2 / 1024}' "$work/$2.times" | median)
    pred=$(awk -v n="$n" '{print n / $1}' "$work/${2}p.times" | median)
    echo "| $1 | $(mean <"$work/$2.acc") ($(tr '\n' ' ' <"$work/$2.acc" | sed 's/ $//')) | $wall | ${rss%.*} | ${pred%.*} | $3 | $(du -m --apparent-size "$4" | cut -f1) |"
}
{
    echo "Measured $(date -u +%Y-%m-%d) on $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | sed 's/.*: //');"
    echo "$threads threads for every tool; medians of $reps alternated runs; attnclf run i with seed i;"
    echo "load average $(cut -d' ' -f1-3 /proc/loadavg) at the end."
    echo
    echo "| IMDB | test accuracy, mean (runs) | train wall s | peak RSS MiB | predict lines/s | load-to-first ms | model MiB |"
    echo "|---|---|---|---|---|---|---|"
    row "fastText (dim 10, lr 0.5)" ft "$ftfirst" "$work/ft.bin"
    row "attnclf configs/imdb.json" plain "$plainfirst" "$work/plain/best.ckpt"
    row "attnclf configs/imdb-logistic.json" lr "$lrfirst" "$work/lr/best.ckpt"
} | tee bench/imdb-logistic.md
