#!/bin/bash
# The self-attention layer's kernels (src/model/sakernels.c, sakmha.c) against what the plain model
# costs, on one thread, with the project's own flags (OPT=-O2, no -march):
#  1. bench/sak_bench.c: forward+backward ns/token of one layer and of the pooling
#     kernel (kernel_dot_attn_*) at SST-2-like (d 16, H 2, T 20, whole document)
#     and IMDB-like (d 8, H 2, T 1800, window 8) shapes, with and without an FFN;
#  2. with the data present: CPU ns per counted token of a whole training epoch of
#     the plain model (configs/imdb.json; configs/sst2.json as shipped, and plain:
#     no context, gate or Bayes member, 2 heads), as the CPU time of N epochs minus
#     that of 1, over N - 1. CPU time, not wall: the machine is shared.
# Every number is the thread's or process's CPU time, so it discounts time spent
# descheduled but not a busy sibling hyperthread. Results: bench/sak.md.
#
# usage: scripts/bench_sak.sh [DATA_DIR]   (default ../shared/data; missing: step 1 only)
#   SECONDS_PER_CASE=1 for step 1, CASE=name to run one case, REPS=3 runs of step 2.
set -euo pipefail
cd "$(dirname "$0")/.."
data=${1:-../shared/data}
make -s attnclf build/libattnclf.a
cc -std=c11 -O2 -fno-math-errno -fopenmp -D_POSIX_C_SOURCE=200809L $(for d in src/*/; do printf -- "-I%s " "$d"; done)-o build/sak_bench bench/sak_bench.c \
    build/libattnclf.a -lm
export OMP_NUM_THREADS=1
build/sak_bench "${SECONDS_PER_CASE:-1}" ${CASE:+"$CASE"}
[ -d "$data/imdb" ] && [ -d "$data/sst2" ] || exit 0

work=$(mktemp -d /tmp/attnclf-sakbench-XXXXXX)
trap 'rm -rf "$work"' EXIT
data=$(realpath "$data")
for c in imdb sst2; do sed "s#\.\./shared/data#$data#" configs/$c.json >"$work/$c.json"; done

# cpu_s CONFIG EPOCHS OUT [--set ...]: user+sys seconds of one training run.
cpu_s() {
    local cfg=$1 epochs=$2 out=$3
    shift 3
    /usr/bin/time -f "%U %S" -o "$work/time" ./attnclf train --config "$cfg" --quiet --set train.threads=1 \
        --set train.epochs="$epochs" --set output.dir="$out" "$@" >/dev/null 2>&1
    awk '{print $1 + $2}' "$work/time"
}

# epoch_ns NAME CONFIG EPOCHS [--set ...]: CPU ns per counted token of one epoch.
epoch_ns() {
    local name=$1 cfg=$2 n=$3
    shift 3
    local one many tokens
    one=$(cpu_s "$cfg" 1 "$work/$name.1" "$@")
    many=$(cpu_s "$cfg" "$n" "$work/$name.n" "$@")
    tokens=$(awk -F, 'NR == 2 {print $7 * $8}' "$work/$name.1/log.csv") # seconds * tokens_per_sec
    awk -v a="$one" -v b="$many" -v n="$n" -v t="$tokens" 'BEGIN {printf "%.1f", (b - a) / (n - 1) / t * 1e9}'
}

plain=(--set model.context=false --set model.gate=false --set bayes.weight=0 --set model.heads=2)
for i in $(seq "${REPS:-3}"); do
    printf 'plain model, CPU ns per counted token (run %d): IMDB %s, SST-2 shipped %s, SST-2 plain %s\n' "$i" \
        "$(epoch_ns imdb "$work/imdb.json" 3)" "$(epoch_ns sst2 "$work/sst2.json" 5)" \
        "$(epoch_ns sst2p "$work/sst2.json" 5 "${plain[@]}")"
done
