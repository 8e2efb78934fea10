#!/bin/bash
# Speed of two attnclf binaries, alternated run by run on the same machine (the
# shared machine's load drifts; alternation spreads it over both): train IMDB and
# SST-2 with the shipped configs, predict IMDB's test texts, and the time from start
# to the first prediction. Medians of REPS runs and the ratio new/old.
#
# usage: scripts/compare_speed.sh OLD_BIN NEW_BIN [REPS] [DATA_DIR]   (defaults 5, ../shared/data)
set -euo pipefail
cd "$(dirname "$0")/.."
old=$(realpath "$1") new=$(realpath "$2") reps=${3:-5}
data=$(realpath "${4:-../shared/data}")
work=$(mktemp -d /tmp/attnclf-speed-XXXXXX)
trap 'rm -rf "$work"' EXIT
for c in imdb sst2; do sed "s#\.\./\.\./shared/data#$data#" configs/$c.json > "$work/$c.json"; done
cut -d, -f2- "$data/imdb/test.csv" > "$work/imdb_text.txt"
t() { local s; s=$(date +%s.%N); "$@" >/dev/null 2>&1; echo "$(date +%s.%N) - $s" | bc; }
for i in $(seq "$reps"); do
    for b in old new; do
        bin=${!b}
        echo "$b imdb_train $(t "$bin" train --config "$work/imdb.json" --set output.dir="$work/$b-imdb" --force --quiet)"
        echo "$b sst2_train $(t "$bin" train --config "$work/sst2.json" --set output.dir="$work/$b-sst2" --force --quiet)"
        echo "$b imdb_predict $(t "$bin" predict --model "$work/$b-imdb/best.ckpt" --input "$work/imdb_text.txt")"
        echo "$b first_pred $(t bash -c "echo hello | '$bin' predict --model '$work/$b-imdb/best.ckpt'")"
    done
done | tee "$work/times.txt" >&2
python3 - "$work/times.txt" <<'PY'
import collections, statistics, sys
d = collections.defaultdict(list)
for line in open(sys.argv[1]):
    who, what, secs = line.split()
    d[(who, what)].append(float(secs))
for what in ["imdb_train", "sst2_train", "imdb_predict", "first_pred"]:
    o, n = statistics.median(d[("old", what)]), statistics.median(d[("new", what)])
    print(f"{what:13s} old {o:7.2f} s  new {n:7.2f} s  new/old {n / o:.2f}")
PY
