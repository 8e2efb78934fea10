#!/bin/bash
# The public suite with attnclf's defaults (only the data keys set), the previous
# defaults and `attnclf tune`, side by side with the anchors in bench/anchors.csv
# (fastText, TF-IDF+SVM: scripts/anchors.py, every setting picked on validation).
#
# usage: scripts/suite.sh [DATA_DIR]      (run from the project root)
#   DATA_DIR  the suite's splits, CORPUS/{train,valid,test}.* and CORPUS/data.json
#             (default /work/suite-data; made by scripts/suite_splits.py from
#             ../shared/data when it does not exist, checked against
#             bench/suite-splits.sha256)
# environment: BIN (./attnclf), SEEDS ("1 2 3"), CORPORA (all seven), THREADS (2),
#   PREV (1: also the defaults before issue 12, as explicit --set), WHOLE (1: also the
#   defaults trained on the training and validation splits as one file), TUNE (2m: budget of
#   one `attnclf tune` per corpus, seed 1; empty: none), OUT (bench/suite.csv)
#
# Each run trains on the training split, picks its epoch on the validation split (as
# `attnclf train` does) and scores best.ckpt on both validation and test. The rules
# behind the defaults were chosen on validation (scripts/defaults_study.py,
# bench/defaults-study.csv) before this script scored any test set. A (corpus,
# system, seed) already in OUT is not run again. Writes bench/suite.md.
set -eu
data=${1:-/work/suite-data}
bin=$(realpath "${BIN:-./attnclf}")
seeds=${SEEDS:-1 2 3}
corpora=${CORPORA:-trec subj mr sst5 agnews imdb sst2}
threads=${THREADS:-2}
prev=${PREV:-1}
whole=${WHOLE:-1}
tune=${TUNE-2m}
out=${OUT:-bench/suite.csv}
here=$(dirname "$0")
jsonget=$(realpath "${JSONGET:-build/jsonget}")
[ -x "$jsonget" ] || make build/jsonget >/dev/null

if [ ! -d "$data" ]; then
    python3 "$here/suite_splits.py" "$data"
    (cd "$data" && sha256sum -c --quiet "$OLDPWD/bench/suite-splits.sha256")
fi
# The settings that were the defaults before the corpus-aware ones.
previous=(--set model.token_dropout=0.5 --set bayes.weight=0 --set bayes.ngrams=3 --set train.epochs=5
          --set train.patience=0 --set model.context=false --set model.gate=false)
tmp=$(mktemp -d "${TMPDIR:-/tmp}/suite-XXXXXX")
trap 'rm -rf "$tmp"' EXIT
[ -s "$out" ] || echo "corpus,system,seed,valid_acc,test_acc,wall_s,best_epoch,auto" >"$out"

# acc MODEL FILE: accuracy of MODEL on FILE
acc() { "$bin" eval --model "$1" --data "$2" --json --quiet | "$jsonget" accuracy; }

# run CORPUS SYSTEM SEED CMD...: times CMD (training into $tmp/run), scores it, appends a row.
run() {
    local corpus=$1 system=$2 seed=$3
    shift 3
    grep -q "^$corpus,$system,$seed," "$out" && return 0
    rm -rf "$tmp/run"
    local t0 t1 meta="$data/$corpus/data.json"
    t0=$(date +%s.%N)
    "$@" >"$tmp/stdout" 2>"$tmp/stderr" || { cat "$tmp/stderr" >&2; exit 1; }
    t1=$(date +%s.%N)
    local valid test ep auto
    # A whole run trained on the suite's validation split: its own split's figure instead.
    if [ "${system%whole}" != "$system" ]; then
        valid=$(grep -oE 'best valid_acc [0-9.]+' "$tmp/stdout" | awk '{print $3}')
    else
        valid=$(acc "$tmp/run/best.ckpt" "$("$jsonget" data.valid "$meta")")
    fi
    test=$(acc "$tmp/run/best.ckpt" "$("$jsonget" test "$meta")")
    ep=$(grep -oE 'at epoch [0-9]+ of [0-9]+' "$tmp/stdout" | head -1 | tr -dc '0-9 ' | awk '{print $1 "/" $2}')
    auto=$(grep -m1 '^auto: ' "$tmp/stderr" | sed 's/^auto: //; s/,/;/g' || true)
    printf '%s,%s,%s,%.4f,%.4f,%.1f,%s,%s\n' "$corpus" "$system" "$seed" "$valid" "$test" \
        "$(echo "$t1 - $t0" | bc)" "$ep" "$auto" >>"$out"
    echo "suite: $corpus $system seed $seed: valid $valid test $test ($ep) $auto" >&2
}

for corpus in $corpora; do
    # only the data keys, as a user would start; and only data.train, naming the
    # whole training file (scripts/suite_configs.py)
    python3 "$here/suite_configs.py" "$data/$corpus/data.json" "$tmp/run" "$tmp/$corpus.json"
    python3 "$here/suite_configs.py" "$data/$corpus/data.json" "$tmp/run" "$tmp/$corpus-whole.json" \
        --whole "$tmp/$corpus-whole"
    for seed in $seeds; do
        run "$corpus" defaults "$seed" "$bin" train --config "$tmp/$corpus.json" --set train.seed="$seed" \
            --set train.threads="$threads"
        [ "$whole" = 1 ] && run "$corpus" whole "$seed" "$bin" train --config "$tmp/$corpus-whole.json" \
            --set train.seed="$seed" --set train.threads="$threads"
        [ "$prev" = 1 ] && run "$corpus" previous "$seed" "$bin" train --config "$tmp/$corpus.json" \
            --set train.seed="$seed" --set train.threads="$threads" "${previous[@]}"
    done
    [ -n "$tune" ] && run "$corpus" "tune-$tune" 1 "$bin" tune --config "$tmp/$corpus.json" --budget "$tune" \
        --set train.threads="$threads" --quiet
    [ -n "$tune" ] && [ "$whole" = 1 ] && run "$corpus" "tune-$tune-whole" 1 "$bin" tune \
        --config "$tmp/$corpus-whole.json" --budget "$tune" --set train.threads="$threads" --quiet
done
python3 "$here/suite_table.py" "$out" bench/anchors.csv >bench/suite.md
echo "suite: wrote bench/suite.md" >&2
