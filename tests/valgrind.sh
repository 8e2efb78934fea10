#!/bin/bash
# Runs train, eval, predict and tune on a slice of the bundled sample under valgrind;
# exits non-zero on any memory error or definite leak.
set -eu
bin=$(realpath "$1")
tmp=$(mktemp -d /tmp/attnclf-vg-XXXXXX)
trap 'rm -rf "$tmp"' EXIT
command -v valgrind >/dev/null || { echo "valgrind.sh: cannot run, missing: valgrind (sh scripts/install-deps.sh valgrind installs it)" >&2; exit 1; }
# Set here so attnclf does not re-execute itself to set it (valgrind would not follow).
export OMP_WAIT_POLICY=passive
vg=(valgrind -q --error-exitcode=1 --leak-check=full --errors-for-leak-kinds=definite --show-leak-kinds=definite)
head -400 data/agnews-sample/train.csv > "$tmp/train.csv"
tail -100 data/agnews-sample/valid.csv > "$tmp/valid.csv"
cat > "$tmp/cfg.json" <<JSON
{ "data": { "train": "$tmp/train.csv", "valid": "$tmp/valid.csv", "header": false,
            "label_column": 0, "text_columns": [1, 2] },
  "tokenizer": { "buckets": 5000 }, "model": { "dim": 8, "heads": 2, "positional": true, "dropout": 0.1 },
  "train": { "epochs": 2, "threads": 2 }, "output": { "dir": "$tmp/run" } }
JSON
"${vg[@]}" "$bin" train --config "$tmp/cfg.json" --quiet >/dev/null
"${vg[@]}" "$bin" train --config "$tmp/cfg.json" --set model.attention=additive --set output.dir="$tmp/run2" --quiet >/dev/null
"${vg[@]}" "$bin" train --config "$tmp/cfg.json" --set model.context=true --set model.gate=true \
    --set model.positional=true --set output.dir="$tmp/run3" --quiet >/dev/null
printf 'Stocks fell\n\n' | "${vg[@]}" "$bin" predict --model "$tmp/run3/best.ckpt" --explain >/dev/null
"${vg[@]}" "$bin" train --config "$tmp/cfg.json" --set bayes.weight=0.1 --set bayes.fit=logistic --set bayes.passes=3 \
    --set output.dir="$tmp/run4" --set train.epochs=1 --quiet >/dev/null
"${vg[@]}" "$bin" train --resume "$tmp/run4" --set train.epochs=2 --quiet >/dev/null
"${vg[@]}" "$bin" eval --model "$tmp/run4/best.ckpt" --data "$tmp/valid.csv" >/dev/null
printf 'Stocks fell\n\n\xff broken\n' | "${vg[@]}" "$bin" predict --model "$tmp/run4/best.ckpt" --top-k 2 >/dev/null
"${vg[@]}" "$bin" train --resume "$tmp/run" --set train.epochs=3 --quiet >/dev/null
"${vg[@]}" "$bin" eval --model "$tmp/run/best.ckpt" --data "$tmp/valid.csv" --json >/dev/null
printf 'Stocks fell\n\n\xff broken\n' | "${vg[@]}" "$bin" predict --model "$tmp/run/best.ckpt" --json --explain --top-k 3 >/dev/null
"${vg[@]}" "$bin" eval --model "$tmp/run/best.ckpt" --data "$tmp/missing.csv" 2>/dev/null && exit 1
# tune: trials on the shared corpus, then its finalists on another fold.
"${vg[@]}" "$bin" tune --config "$tmp/cfg.json" --set output.dir="$tmp/tuned" --set train.epochs=1 --trials 3 --folds 2 \
    --quiet >/dev/null
echo "valgrind: 13 passed, 0 failed"
