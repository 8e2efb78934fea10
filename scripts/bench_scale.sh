#!/bin/bash
# The token cache at scale: IMDB's training split x1, x4 and x16 (up to 400k
# documents; each copy's texts end in a token of their own, scripts/scale_corpus.py),
# trained with configs/imdb.json's model. For each: a cold run (the cache built:
# its time and size) and a warm run (the cache reused), with wall time, peak RSS and
# per-epoch throughput; then the read phase (reading, tokenizing and counting
# into the token file) on 1 and 2 threads. Writes bench/scale.md.
#
# usage: scripts/bench_scale.sh [DATA_DIR] [WORK_DIR]   (defaults ../shared/data, /tmp/attnclf-scale)
#   EPOCHS=2 epochs per run; REPS=3 repetitions of the read-phase timing (median).
set -euo pipefail
cd "$(dirname "$0")/.."
data=${1:-../shared/data}
work=${2:-/tmp/attnclf-scale}
epochs=${EPOCHS:-2}
reps=${REPS:-3}
scripts/install-deps.sh time python3
make -s attnclf
bin=$(realpath ./attnclf)
mkdir -p "$work"
median() { sort -g | awk '{a[NR] = $1} END {print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2}'; }

# train OUT DIR CORPUS THREADS [--force]: one run; "wall_s rss_mib" into OUT, the console into OUT.log.
train() {
    local out=$1 dir=$2 corpus=$3 threads=$4
    shift 4
    /usr/bin/time -f "%e %M" -o "$out" "$bin" train --config configs/imdb.json --set data.train="$corpus" \
        --set output.dir="$dir" --set train.epochs="$epochs" --set train.threads="$threads" "$@" 2>"$out.log" >/dev/null
    awk '{printf "%s %.0f\n", $1, $2 / 1024}' "$out" >"$out.tmp" && mv "$out.tmp" "$out"
}
# Seconds the console reports for writing a cache file of `kind` (tokens, data), or "-".
built() { sed -n "s/^cache: wrote .*\/$2-.* in \([0-9.]*\)s$/\1/p" "$1.log" | head -1 | grep . || echo -; }
tokps() { python3 -c "import json,statistics; print('%.0f' % statistics.median(json.loads(l)['tokens_per_sec'] for l in open('$1/log.jsonl')))"; }

rows=()
for k in 1 4 16; do
    corpus=$work/imdb-x$k.csv
    [ -s "$corpus" ] || python3 scripts/scale_corpus.py "$data/imdb/train.csv" "$k" "$corpus"
    echo "== x$k: cold run, then warm" >&2
    rm -rf "$work/run$k"
    train "$work/cold$k" "$work/run$k" "$corpus" 2
    cache_mib=$(du -sm "$work/run$k/cache" | cut -f1)
    cold_tps=$(tokps "$work/run$k")
    train "$work/warm$k" "$work/run$k" "$corpus" 2 --force
    warm_tps=$(tokps "$work/run$k")
    read -r cw cr <"$work/cold$k"
    read -r ww wr <"$work/warm$k"
    docs=$((25000 * k))
    rows+=("| x$k | $docs | $(du -m "$corpus" | cut -f1) | $(built "$work/cold$k" tokens) | $(built "$work/cold$k" data) | $cache_mib | $cw | $cr | $cold_tps | $ww | $wr | $warm_tps |")
done
x1=$(awk '{print $2}' "$work/cold1")
x16=$(awk '{print $2}' "$work/cold16")

echo "== the read phase on 1 and 2 threads (IMDB x1), alternated" >&2
t1=() t2=()
for _ in $(seq "$reps"); do
    for t in 1 2; do
        rm -rf "$work/read$t"
        train "$work/read$t.time" "$work/read$t" "$work/imdb-x1.csv" "$t" --set train.epochs=1
        if [ $t = 1 ]; then t1+=("$(built "$work/read$t.time" tokens)"); else t2+=("$(built "$work/read$t.time" tokens)"); fi
    done
done
m1=$(printf '%s\n' "${t1[@]}" | median)
m2=$(printf '%s\n' "${t2[@]}" | median)

mkdir -p bench
{
    echo "Measured $(date -u +%Y-%m-%d) on $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2 / 1048576}' /proc/meminfo),"
    echo "$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'); 2 threads; configs/imdb.json, $epochs epochs;"
    echo "load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)."
    echo
    echo "| corpus | docs | CSV MiB | token file built s | data file built s | cache MiB | cold wall s | cold peak RSS MiB | cold tok/s | warm wall s | warm peak RSS MiB | warm tok/s |"
    echo "|---|---|---|---|---|---|---|---|---|---|---|---|"
    printf '%s\n' "${rows[@]}"
    echo
    echo "Peak RSS x16 / x1 (cold runs): $(awk -v a="$x16" -v b="$x1" 'BEGIN {printf "%.2f", a / b}')."
    echo
    echo "Read phase (reading, tokenizing and counting IMDB's 25,000 reviews into the token file; median of $reps):"
    echo "1 thread $m1 s, 2 threads $m2 s ($(awk -v a="$m1" -v b="$m2" 'BEGIN {printf "%.2f", a / b}')x; runs: 1 thread ${t1[*]}; 2 threads ${t2[*]})."
} | tee bench/scale.md
