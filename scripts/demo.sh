#!/bin/sh
# The bundled demo: trains on the AG News sample (data/agnews-sample), evaluates on
# its validation split and classifies a few lines from stdin, with attention weights.
set -eu
bin=${1:-./attnclf}
out=runs/sample
echo "== train (configs/sample.json -> $out)" >&2
"$bin" train --config configs/sample.json --set output.dir="$out"
echo "== eval on data/agnews-sample/valid.csv" >&2
"$bin" eval --model "$out/best.ckpt" --data data/agnews-sample/valid.csv
echo "== predict with model.bin, the run's model for inference only (label, probability, tokens with attention weight)" >&2
printf '%s\n' \
  "Stocks fell sharply on Wall Street as oil prices hit a record high." \
  "The Red Sox beat the Yankees 5-3 to win the pennant." \
  "NASA says the new space telescope will search for Earth-like planets." \
  "Rebels attacked the capital as peace talks collapsed." |
  "$bin" predict --model "$out/model.bin" --top-k 2 --explain
