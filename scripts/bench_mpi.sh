#!/bin/bash
# Training over processes (make MPI=1) against one process, side by side on IMDB
# (configs/imdb.json): one process with 1 and with 2 threads, mpirun -np 2 with
# 1 thread per rank over shared memory and over loopback TCP; test accuracy
# (seeds 1 to REPS, mean), wall time and the log's tokens/s (medians); and
# whether -np 1 writes the plain binary's checkpoint bytes. Writes bench/mpi.md.
#
# usage: scripts/bench_mpi.sh [DATA_DIR]   (defaults to ../shared/data); REPS=3.
set -euo pipefail
cd "$(dirname "$0")/.."
data=${1:-../shared/data}
reps=${REPS:-3}
scripts/install-deps.sh mpi time python3
make -s MPI=1 BIN=build/mpi/attnclf build/mpi/attnclf
make -s attnclf
mpibin=$(realpath build/mpi/attnclf)
plain=$(realpath ./attnclf)
work=$(mktemp -d /tmp/attnclf-mpi-bench-XXXXXX)
trap 'rm -rf "$work"' EXIT
mpi=(mpirun --allow-run-as-root --oversubscribe)
mean() { awk '{s += $1} END {printf "%.4f", s / NR}'; }
median() { sort -g | awk '{a[NR] = $1} END {print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2}'; }

# variant NAME LAUNCH...: trains seeds 1..reps with LAUNCH + the binary, records
# accuracy, wall and tokens/s; the token file is built once, outside the timing.
cache=$work/cache
"$plain" train --config configs/imdb.json --set data.train="$data/imdb/train.csv" --set data.cache="$cache" \
    --set output.dir="$work/warm" --set train.epochs=1 --quiet >/dev/null
rows=()
variant() {
    local name=$1 threads=$2
    shift 2
    local accs=() walls=() tps=()
    for seed in $(seq "$reps"); do
        local dir=$work/$name-$seed
        /usr/bin/time -f "%e" -o "$work/t" "$@" train --config configs/imdb.json --set data.train="$data/imdb/train.csv" \
            --set data.cache="$cache" --set output.dir="$dir" --set train.threads="$threads" --set train.seed="$seed" \
            --quiet >/dev/null
        walls+=("$(cat "$work/t")")
        tps+=("$(python3 -c "import json,statistics; print('%.0f' % statistics.median(json.loads(l)['tokens_per_sec'] for l in open('$dir/log.jsonl')))")")
        accs+=("$("$plain" eval --model "$dir/best.ckpt" --data "$data/imdb/test.csv" --json |
                   python3 -c "import json,sys; print('%.4f' % json.load(sys.stdin)['accuracy'])")")
    done
    rows+=("| $name | $(printf '%s\n' "${accs[@]}" | mean) (${accs[*]}) | $(printf '%s\n' "${walls[@]}" | median) | $(printf '%s\n' "${tps[@]}" | median) |")
}
echo "== one process, 1 thread" >&2
variant "1 process, 1 thread" 1 "$plain"
echo "== one process, 2 threads" >&2
variant "1 process, 2 threads" 2 "$plain"
echo "== mpirun -np 2, 1 thread each" >&2
variant "mpirun -np 2 (shared memory), 1 thread each" 1 "${mpi[@]}" -np 2 "$mpibin"
echo "== mpirun -np 2 over TCP" >&2
variant "mpirun -np 2 (TCP loopback), 1 thread each" 1 "${mpi[@]}" --mca btl tcp,self --mca btl_tcp_if_include lo -np 2 "$mpibin"
echo "== -np 1 against the plain binary" >&2
"$plain" train --config configs/imdb.json --set data.train="$data/imdb/train.csv" --set data.cache="$cache" \
    --set output.dir="$work/same" --set train.threads=1 --quiet >/dev/null
cp "$work/same/best.ckpt" "$work/plain.ckpt"
"${mpi[@]}" -np 1 "$mpibin" train --config configs/imdb.json --set data.train="$data/imdb/train.csv" \
    --set data.cache="$cache" --set output.dir="$work/same" --set train.threads=1 --quiet --force >/dev/null
same=$(cmp -s "$work/same/best.ckpt" "$work/plain.ckpt" && echo "the same bytes" || echo "DIFFERENT bytes")

echo "== mpirun -np 2: rank 1 killed with SIGKILL mid-epoch" >&2
# Epoch 2 of IMDB, about half-way: the first checkpoint is written (every epoch has one
# here: output.checkpoint_every 0), then half an epoch
# (measured from the 1-process run above) passes before the kill.
kill_dir=$work/k9
"${mpi[@]}" -np 2 "$mpibin" train --config configs/imdb.json --set data.train="$data/imdb/train.csv" \
    --set data.cache="$cache" --set output.dir="$kill_dir" --set train.threads=1 --set train.epochs=20 \
    --set train.patience=0 --set output.checkpoint_every=0 --quiet >/dev/null 2>"$work/k9.err" &
job=$!
while [ ! -e "$kill_dir/last.ckpt" ] && kill -0 "$job" 2>/dev/null; do sleep 0.05; done
sleep 1
rank1=""
for p in $(pgrep -f "attnclf train --config configs/imdb.json"); do
    [ "$(tr '\0' '\n' </proc/"$p"/environ 2>/dev/null | sed -n 's/^OMPI_COMM_WORLD_RANK=//p')" = 1 ] && rank1=$p
done
[ -n "$rank1" ] || { echo "bench_mpi.sh: rank 1 not found" >&2; exit 1; }
t0=$(date +%s.%N)
kill -KILL "$rank1"
kill_rc=0
wait "$job" || kill_rc=$?
kill_s=$(echo "$(date +%s.%N) $t0" | awk '{printf "%.1f", $1 - $2}')
kill_load=$("$plain" predict --model "$kill_dir/last.ckpt" </dev/null >/dev/null 2>&1 && echo "loads" || echo "DOES NOT load")

mkdir -p bench
{
    echo "Measured $(date -u +%Y-%m-%d) on $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //');"
    echo "IMDB, configs/imdb.json, seeds 1 to $reps; token file built beforehand; load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)."
    echo
    echo "| run | test accuracy (mean; runs) | train wall s (median) | tokens/s (median) |"
    echo "|---|---|---|---|"
    printf '%s\n' "${rows[@]}"
    echo
    echo "mpirun -np 1 and the plain binary (1 thread, seed 1): $same."
    echo
    echo "Rank 1 of \`mpirun -np 2\` killed with SIGKILL 1 s after the first checkpoint: the job ended after ${kill_s} s with exit $kill_rc, and last.ckpt $kill_load."
} | tee bench/mpi.md
