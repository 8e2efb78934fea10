#!/bin/bash
# Training cost of the self-attention encoder (issue 17) against the plain model,
# side by side in one run: CPU ns per counted token of one training epoch (tokens
# before token dropout, as the log's tokens/s counts them), from the CPU time of
# EPOCHS epochs minus that of 1, over EPOCHS - 1, on one thread (THREADS). Plain and
# encoder runs alternate, REPS times; minima and medians (the minimum is the run
# the other jobs disturbed least). CPU time, not wall: the machine is
# shared, and wall time measures the other jobs. The log's own tokens/s (wall
# time, median over the epochs of every run) is printed beside it.
#
# Pairs (plain, then the same with the encoder):
#   imdb:       configs/imdb.json; + model.encoder self_attention, model.window 8
#   sst2:       configs/sst2.json as shipped (context, gate, Bayes); + the encoder, 1 layer
#   sst2-plain: configs/sst2.json without context, gate or Bayes, 2 heads; + the encoder
# Extra encoder settings for every pair: ENC="--set model.ffn_dim=16 ...".
# THREADS=N trains on N threads (default 1). Then the CPU columns add the
# threads' waits at the barriers, and the log's tokens/s (wall time) is the
# figure to read: what a user sees at the default train.threads (every core).
#
# usage: scripts/selfattn_speed.sh [DATA_DIR]   (default ../shared/data)
#   REPS=3, EPOCHS=3, PAIRS="imdb sst2 sst2-plain", THREADS=1
set -euo pipefail
cd "$(dirname "$0")/.."
data=$(realpath "${1:-../shared/data}")
reps=${REPS:-3}
epochs=${EPOCHS:-3}
pairs=${PAIRS:-imdb sst2 sst2-plain}
threads=${THREADS:-1}
read -r -a enc_extra <<<"${ENC:-}"
make -s attnclf
work=$(mktemp -d /tmp/attnclf-saspeed-XXXXXX)
trap 'rm -rf "$work"' EXIT
for c in imdb sst2; do sed "s#\.\./\.\./shared/data#$data#" configs/$c.json >"$work/$c.json"; done

median() { sort -g | awk '{a[NR] = $1} END {print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2}'; }
minimum() { sort -g | head -1; }

# cpu_s CONFIG EPOCHS OUT [--set ...]: user+sys seconds of one training run.
cpu_s() {
    local cfg=$1 n=$2 out=$3
    shift 3
    rm -rf "$out"
    /usr/bin/time -f "%U %S" -o "$work/time" ./attnclf train --config "$cfg" --quiet --set train.threads="$threads" \
        --set train.epochs="$n" --set output.dir="$out" "$@" >/dev/null 2>&1
    awk '{print $1 + $2}' "$work/time"
}

# epoch_ns NAME CONFIG [--set ...]: "CPU ns per counted token of an epoch" "median logged tokens/s".
epoch_ns() {
    local name=$1 cfg=$2
    shift 2
    local one many tokens tps
    one=$(cpu_s "$cfg" 1 "$work/$name.1" "$@")
    many=$(cpu_s "$cfg" "$epochs" "$work/$name.n" "$@")
    tokens=$(awk -F, 'NR == 2 {print $7 * $8}' "$work/$name.1/log.csv") # seconds * tokens_per_sec
    tps=$(awk -F, 'NR > 1 {print $8}' "$work/$name.n/log.csv" | median)
    awk -v a="$one" -v b="$many" -v n="$epochs" -v t="$tokens" -v s="$tps" \
        'BEGIN {printf "%.1f %.0f\n", (b - a) / (n - 1) / t * 1e9, s}'
}

encoder=(--set model.encoder=self_attention "${enc_extra[@]}")
plain_sst2=(--set model.context=false --set model.gate=false --set bayes.weight=0 --set model.heads=2)
echo "| pair | run | plain ns/token | encoder ns/token | plain log tok/s | encoder log tok/s |"
echo "|---|---|---|---|---|---|"
for pair in $pairs; do
    case $pair in
    imdb) cfg=$work/imdb.json base=() extra=(--set model.window=8) ;;
    sst2) cfg=$work/sst2.json base=() extra=() ;;
    sst2-plain) cfg=$work/sst2.json base=("${plain_sst2[@]}") extra=() ;;
    *) echo "unknown pair $pair" >&2; exit 2 ;;
    esac
    : >"$work/$pair.plain"
    : >"$work/$pair.enc"
    for i in $(seq "$reps"); do
        p=$(epoch_ns "$pair-p" "$cfg" ${base[@]+"${base[@]}"})
        e=$(epoch_ns "$pair-e" "$cfg" ${base[@]+"${base[@]}"} "${encoder[@]}" ${extra[@]+"${extra[@]}"})
        echo "$p" >>"$work/$pair.plain"
        echo "$e" >>"$work/$pair.enc"
        echo "| $pair | $i | ${p% *} | ${e% *} | ${p#* } | ${e#* } |"
    done
    for stat in minimum median; do
        pm=$(awk '{print $1}' "$work/$pair.plain" | $stat)
        em=$(awk '{print $1}' "$work/$pair.enc" | $stat)
        pt=$(awk '{print $2}' "$work/$pair.plain" | sort -g | if [ $stat = minimum ]; then tail -1; else median; fi)
        et=$(awk '{print $2}' "$work/$pair.enc" | sort -g | if [ $stat = minimum ]; then tail -1; else median; fi)
        echo "| $pair | $stat (tok/s: best) | $pm | $em | $pt | $et |"
        awk -v p="$pm" -v e="$em" -v a="$pt" -v b="$et" -v n="$pair" -v s="$stat" \
            'BEGIN {printf "| %s | encoder / plain throughput (%s) | CPU: %.2f | | log: %.2f | |\n", n, s, p / e, b / a}'
    done
done
