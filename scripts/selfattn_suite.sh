#!/bin/bash
# The self-attention encoder (issue 17) on the public suite, side by side: the
# plain model (model.encoder none), one encoder layer and two, each at the
# settings that score best on the corpus's validation split (never its test
# set). Reports the chosen settings, validation and test accuracy, train wall and
# CPU time and the log's tokens/s (median over epochs) of the chosen run, and
# for one layer the best validation accuracy with hashed n-gram rows kept out of
# the token-to-token attention (model.encoder_ngrams false) and taking part
# (true): the measurement behind encoder_ngrams' default.
#
# Grids (everything else at the defaults: dim 16, heads 2, word bigrams, token
# dropout 0.5; the best epoch on validation is the checkpoint):
#   none:  train.lr 0.005 0.01 0.02  x  train.epochs 5 10
#   L1:    the same  x  model.encoder_ngrams false true
#   L2:    the same  (encoder_ngrams false)
# Encoder runs use model.positional "sin": without positions self-attention does
# not see word order at all.
#
# usage: scripts/selfattn_suite.sh [SUITE_DIR]   (default /work/suite-data: one
#   folder per corpus with data.json, whose "test" names the test file)
#   CORPORA="trec subj mr sst5 agnews sst2", THREADS=2, LRS="0.005 0.01 0.02", EPOCHS="5 10", SEED=1,
#   OUT=bench/selfattn-suite.md (the tables are also printed; bench/selfattn.md
#   discusses them)
set -euo pipefail
cd "$(dirname "$0")/.."
suite=$(realpath "${1:-/work/suite-data}")
corpora=${CORPORA:-trec subj mr sst5 agnews sst2}
threads=${THREADS:-2}
lrs=${LRS:-0.005 0.01 0.02}
epochs=${EPOCHS:-5 10}
seed=${SEED:-1}
out=${OUT:-bench/selfattn-suite.md}
make -s attnclf
work=$(mktemp -d /tmp/attnclf-sasuite-XXXXXX)
trap 'rm -rf "$work"' EXIT

median() { sort -g | awk '{a[NR] = $1} END {print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2}'; }

# run CORPUS NAME [--set ...]: trains; appends "NAME valid_acc wall_s cpu_s tok_s settings" to $work/CORPUS.runs.
run() {
    local c=$1 name=$2
    shift 2
    local dir=$work/$c/$name
    rm -rf "$dir"
    /usr/bin/time -f "%e %U %S" -o "$work/time" ./attnclf train --config "$work/$c/config.json" --quiet \
        --set train.threads="$threads" --set train.seed="$seed" --set output.dir="$dir" "$@" >/dev/null 2>"$work/err" ||
        { cat "$work/err" >&2; exit 1; }
    local valid wall cpu tps
    valid=$(awk -F, 'NR > 1 && $5 > m {m = $5} END {print m}' "$dir/log.csv")
    wall=$(awk '{print $1}' "$work/time")
    cpu=$(awk '{print $2 + $3}' "$work/time")
    tps=$(awk -F, 'NR > 1 {print $8}' "$dir/log.csv" | median)
    echo "$name $valid $wall $cpu $tps $*" >>"$work/$c.runs"
}

# best CORPUS PREFIX: the run of the arm with the highest validation accuracy (the first on ties).
best() { grep "^$2[. ]" "$work/$1.runs" | sort -s -k2,2gr | head -1; }

test_acc() {
    ./attnclf eval --model "$work/$1/$2/best.ckpt" --data "$3" --json --threads "$threads" --quiet |
        python3 -c 'import json, sys; print("%.4f" % json.load(sys.stdin)["accuracy"])'
}

enc=(--set model.encoder=self_attention --set model.positional=sin)
{
    echo "| corpus | model | chosen (on valid) | valid acc | test acc | train wall s | train CPU s | tok/s (log) |"
    echo "|---|---|---|---|---|---|---|---|"
} >"$work/table"
{
    echo "| corpus | best valid acc, encoder_ngrams false | best valid acc, true | train CPU s false | train CPU s true |"
    echo "|---|---|---|---|---|"
} >"$work/ngrams"
for c in $corpora; do
    mkdir -p "$work/$c"
    python3 - "$suite/$c/data.json" "$work/$c/config.json" "$work/$c/test" <<'EOF'
import json, sys
d = json.load(open(sys.argv[1]))
open(sys.argv[3], "w").write(d.pop("test"))
json.dump(d, open(sys.argv[2], "w"))
EOF
    : >"$work/$c.runs"
    i=0
    for ep in $epochs; do
        for lr in $lrs; do
            i=$((i + 1))
            g=(--set train.lr="$lr" --set train.epochs="$ep")
            run "$c" "none.$i" "${g[@]}"
            run "$c" "L1.$i.ng0" "${g[@]}" "${enc[@]}" --set model.layers=1 --set model.encoder_ngrams=false
            run "$c" "L1.$i.ng1" "${g[@]}" "${enc[@]}" --set model.layers=1 --set model.encoder_ngrams=true
            run "$c" "L2.$i" "${g[@]}" "${enc[@]}" --set model.layers=2
        done
    done
    for arm in none L1 L2; do
        read -r name valid wall cpu tps settings <<<"$(best "$c" "$arm")"
        chosen=$(echo "$settings" | sed 's/--set //g; s/model.encoder=self_attention //; s/model.positional=sin //')
        acc=$(test_acc "$c" "$name" "$(cat "$work/$c/test")")
        echo "| $c | $arm | $chosen | $valid | $acc | $wall | $cpu | $tps |" >>"$work/table"
    done
    read -r _ v0 _ t0 _ <<<"$(best "$c" "L1.[0-9]*.ng0")"
    read -r _ v1 _ t1 _ <<<"$(best "$c" "L1.[0-9]*.ng1")"
    echo "| $c | $v0 | $v1 | $t0 | $t1 |" >>"$work/ngrams"
    cp "$work/$c.runs" "$work/$c.runs.txt"
done
{
    echo "## Accuracy: plain, 1 and 2 encoder layers (threads $threads, lr and epochs on validation)"
    echo
    cat "$work/table"
    echo
    echo "## Hashed n-gram rows in or out of the attention (1 layer, the best run of each)"
    echo
    cat "$work/ngrams"
    echo
    echo "## Every run: name valid_acc wall_s cpu_s tok/s settings"
    echo
    for c in $corpora; do
        echo '```'
        echo "$c"
        cat "$work/$c.runs"
        echo '```'
    done
} | tee "$out"
