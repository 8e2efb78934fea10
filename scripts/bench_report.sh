#!/bin/sh
# bench_report.sh [--high-priority] [DATA_DIR] [RUNS] - how long `attnclf report`
# takes on the IMDB test set (25,000 reviews) with the IMDB run (runs/imdb, from
# configs/imdb.json) on 2 threads, and how large the page is: RUNS (default 5)
# runs, their wall, user and system seconds, then the median wall time. Also the
# same for the run's own validation split, and `attnclf eval` on the test set for
# scale.
# --high-priority (root): each run in a session of its own whose autogroup has
# nice -20, so that on a machine shared with other jobs it gets the cores about
# as if they were idle (with autogroups, plain nice acts only within a session).
set -eu
cd "$(dirname "$0")/.."
prio=""
if [ "${1:-}" = "--high-priority" ]; then
    prio=1
    shift
fi
run() {
    if [ -n "$prio" ]; then
        setsid sh -c 'echo -20 >/proc/self/autogroup; exec nice -n -20 "$@"' sh "$@"
    else
        "$@"
    fi
}
data=${1:-../shared/data}
runs=${2:-5}
make -s attnclf
[ -s runs/imdb/best.ckpt ] || ./attnclf train --config configs/imdb.json --set output.dir=runs/imdb \
    --set data.train="$data/imdb/train.csv" --quiet
out=build/bench-report
mkdir -p "$out"
echo "$(date -u +%Y-%m-%d) on $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg)${prio:+, high priority}"
bench() { # NAME COMMAND...: RUNS timed runs, then the median wall time
    name=$1
    shift
    : >"$out/$name.times"
    for _ in $(seq "$runs"); do
        run /usr/bin/time -f '%e %U %S' -a -o "$out/$name.times" "$@" >/dev/null
    done
    awk -v n="$name" '{ printf "%s: wall %s s, user %s s, sys %s s\n", n, $1, $2, $3 }' "$out/$name.times"
    cut -d' ' -f1 "$out/$name.times" | sort -n |
        awk -v n="$name" '{ w[NR] = $1 } END { m = NR % 2 ? w[(NR + 1) / 2] : (w[NR / 2] + w[NR / 2 + 1]) / 2
                                             printf "%s: median wall %.2f s\n", n, m }'
}
bench report-test ./attnclf report --model runs/imdb --data "$data/imdb/test.csv" --threads 2 --output "$out/test.html"
echo "report-test: page $(stat -c %s "$out/test.html") bytes"
./attnclf report --model runs/imdb --data "$data/imdb/test.csv" --threads 2 --examples 50 --output "$out/test50.html" --quiet
echo "report-test --examples 50: page $(stat -c %s "$out/test50.html") bytes"
bench report-valid ./attnclf report --model runs/imdb --threads 2 --output "$out/valid.html"
bench eval-test ./attnclf eval --model runs/imdb/best.ckpt --data "$data/imdb/test.csv" --threads 2
