#!/bin/bash
# End-to-end tests of the attnclf command line: exit codes, messages, outputs.
# Usage: tests/cli.sh ./attnclf   (run from the project root; JSONGET=build/jsonget, the
# JSON helper `make check` builds, can be overridden)
# Every check runs on every run and counts once, pass or fail: the total never depends on
# timing or on the user.
set -u
case $0 in */*) here=${0%/*} ;; *) here=. ;; esac
. "$here/tools/require.sh"
require_tools cli.sh
bin=$(realpath -m "${1:-./attnclf}")
jsonget=$(realpath -m "${JSONGET:-build/jsonget}")
ckptcmp=${jsonget%/*}/ckptcmp   # built beside jsonget (make check)
for t in "$bin" "$jsonget" "$ckptcmp"; do
    [ -x "$t" ] || { echo "cli.sh: cannot run, missing: $t (make check builds it)" >&2; exit 1; }
done
tmp=$(mktemp -d "${TMPDIR:-/tmp}/attnclf-cli-XXXXXX")
trap 'rm -rf "$tmp"' EXIT
pass=0
fail=0

ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL: $*" >&2; }
# digest CMD...: the md5 of CMD's stdout; fails when CMD fails or prints nothing, so that
# two failed runs never compare equal.
digest() {
    "$@" >"$tmp/digest.out" || return 1
    [ -s "$tmp/digest.out" ] || return 1
    md5sum <"$tmp/digest.out"
}
# close_probs MODEL_A MODEL_B INPUT BOUND: the two models' `predict --top-k 4 --threshold 0` answers on
# INPUT give the same labels in the same order, each probability within BOUND; fails
# on an empty answer.
close_probs() {
    "$bin" predict --model "$1" --top-k 4 --threshold 0 --input "$3" >"$tmp/close.a" || return 1
    "$bin" predict --model "$2" --top-k 4 --threshold 0 --input "$3" >"$tmp/close.b" || return 1
    [ -s "$tmp/close.a" ] && [ "$(wc -l <"$tmp/close.a")" -eq "$(wc -l <"$tmp/close.b")" ] || return 1
    paste "$tmp/close.a" "$tmp/close.b" | awk -F'\t' -v b="$4" '{h = NF / 2; for (i = 1; i <= h; i += 2) {
        if ($i != $(i + h)) exit 1; d = $(i + 1) - $(i + 1 + h); if (d > b || -d > b) exit 1 } }'
}
# col FILE KEY: KEY's values in FILE (log.jsonl), space-separated; fails when one is missing.
col() {
    local v
    v=$("$jsonget" "$2" "$1") || return 1
    echo $v
}

# expect CODE PATTERN CMD...: runs CMD, checks its exit code and that stdout+stderr match PATTERN.
expect() {
    local code=$1 pat=$2
    shift 2
    local out rc
    out=$("$@" 2>&1 </dev/null)
    rc=$?
    if [ "$rc" -ne "$code" ]; then bad "$* -> exit $rc, want $code: $(echo "$out" | head -3)"; return; fi
    if ! grep -qE -- "$pat" <<<"$out"; then bad "$* -> output lacks /$pat/: $(echo "$out" | head -3)"; return; fi
    ok
}

# ---- help, version, usage errors ----
expect 0 "usage: attnclf COMMAND" "$bin" --help
expect 0 "^attnclf [0-9]+\.[0-9]+\.[0-9]+" "$bin" --version
for c in train eval predict; do expect 0 "usage: attnclf $c" "$bin" "$c" --help; done
expect 2 "usage" "$bin"
expect 2 "unknown command 'fly'" "$bin" fly
expect 2 "give --data FILE and --output DIR, --config FILE, or --resume DIR" "$bin" train
expect 2 "unknown command 'tarin' \(did you mean 'train'\?\)" "$bin" tarin
expect 2 "unknown option --bogus \(see" "$bin" train --bogus
expect 2 "unknown option --confg \(did you mean --config\?\)" "$bin" train --confg x.json
expect 2 "option --config needs a value" "$bin" train --config
expect 2 "option --model needs a value" "$bin" eval --mod
expect 2 "option -m needs a value" "$bin" predict -m
expect 2 "unknown option -z" "$bin" predict -z
expect 2 "unknown option -z" "$bin" train --quiet -zq
expect 2 "unknown command '-v' \(see" "$bin" -v
expect 2 "option --t is ambiguous \(--text-column, --threads, --top-k, --threshold\)" "$bin" eval --t x
expect 2 "option --json takes no value" "$bin" predict --json=1
expect 2 "--model CKPT and --data FILE are required" "$bin" eval --model x
expect 2 "--model CKPT is required" "$bin" predict
expect 2 "--top-k 0" "$bin" predict --model x --top-k 0

# ---- a small real corpus: the first 1500 rows of the bundled AG News sample ----
head -1500 data/agnews-sample/train.csv > "$tmp/train.csv"
tail -300 data/agnews-sample/valid.csv > "$tmp/valid.csv"
cat > "$tmp/cfg.json" <<JSON
{ "data": { "train": "$tmp/train.csv", "valid": "$tmp/valid.csv", "header": false,
            "label_column": 0, "text_columns": [1, 2] },
  "tokenizer": { "buckets": 20000 },
  "model": { "dim": 16, "heads": 2 },
  "train": { "epochs": 2 },
  "output": { "dir": "$tmp/run", "keep_checkpoints": 3 } }
JSON
expect 0 "best valid_acc" "$bin" train --config "$tmp/cfg.json" --quiet
# Inputs this small keep no token cache: nothing is left of it in the run's directory.
[ ! -e "$tmp/run/cache" ] && [ -z "$(find "$tmp/run" -name '*.atc')" ] && ok || bad "a small corpus left a cache: $(ls -R "$tmp/run")"
for f in best.ckpt last.ckpt config.json log.jsonl log.csv checkpoints/epoch-002.ckpt; do
    if [ -s "$tmp/run/$f" ]; then ok; else bad "train did not write $f"; fi
done
[ "$(wc -l <"$tmp/run/log.jsonl")" -eq 2 ] && ok || bad "log.jsonl should have 2 rows"
expect 0 "^config: .*train.epochs=1 .*the rest default; all in .*run2/config.json" "$bin" train --config "$tmp/cfg.json" --set output.dir="$tmp/run2" --set train.epochs=1
grep -q "\"epochs\":\s*1," "$tmp/run2/config.json" && ok || bad "config.json does not hold the resolved config"
model=$tmp/run/best.ckpt

# ---- eval ----
expect 0 "^accuracy +0\.[0-9]+" "$bin" eval --model "$model" --data "$tmp/valid.csv"
expect 0 "confusion matrix" "$bin" eval --model "$model" --data "$tmp/valid.csv"
expect 0 '^\{"accuracy":[0-9.]+,"macro_f1":[0-9.]+,"n":300,"per_class":\{.*"confusion":' \
    "$bin" eval --model "$model" --data "$tmp/valid.csv" --json
# A label never seen in training is reported and counted as an error.
{ head -20 "$tmp/valid.csv"; echo '"9","Mystery","A label the model never saw."'; } > "$tmp/unknown.csv"
expect 0 'never occur in training' "$bin" eval --model "$model" --data "$tmp/unknown.csv"
# Columns given on the command line, fastText format.
sed -E 's/^"([0-9])","(.*)","(.*)"$/__label__\1 \2 \3/' "$tmp/valid.csv" > "$tmp/valid.ft"
expect 0 "^accuracy" "$bin" eval --model "$model" --data "$tmp/valid.ft" --format fasttext
expect 1 "no data rows|cannot open" "$bin" eval --model "$model" --data "$tmp/nothing.csv"
expect 2 "--format xml" "$bin" eval --model "$model" --data "$tmp/valid.csv" --format xml

# ---- predict ----
printf 'Stocks fell on Wall Street\n\nThe team won the cup final\n我爱北京天安门\n\xff\xfe broken bytes\n' > "$tmp/lines.txt"
out=$("$bin" predict --model "$model" < "$tmp/lines.txt")
[ "$(wc -l <<<"$out")" -eq 5 ] && ok || bad "predict: want 5 lines, got: $out"
[ -n "$out" ] && ! grep -qvP '^[1-4]\t[01]\.[0-9]{6}$' <<<"$out" && ok || bad "predict: bad line format: $out"
out=$("$bin" predict --model "$model" --top-k 2 < "$tmp/lines.txt" | head -1)
[ "$(awk -F'\t' '{print NF}' <<<"$out")" -eq 4 ] && ok || bad "predict --top-k 2: want 4 fields: $out"
out=$("$bin" predict --model "$model" --json --explain --input "$tmp/lines.txt" | head -1)
grep -qE '^\{"label":"[1-4]","prob":[0-9.e-]+,"top":\[.*\],"tokens":\[\{"token":"stocks","weight":[0-9.e-]+,"heads":\[' <<<"$out" \
    && ok || bad "predict --json --explain: $out"
out=$(echo "Stocks fell" | "$bin" predict --model "$model" --explain)
grep -qP '\tstocks\([0-9.]+\) fell\([0-9.]+\) stocks_fell\([0-9.]+\)$' <<<"$out" && ok || bad "predict --explain: $out"
expect 1 "cannot open" "$bin" predict --model "$model" --input "$tmp/none.txt"
# A regular file is answered in parallel chunks of 1024 lines; a pipe line by line.
# Both must give the same bytes, in input order, for every output format.
for _ in $(seq 500); do cat "$tmp/lines.txt"; done > "$tmp/many.txt"
for opts in "" "--top-k 3" "--json --explain"; do
    # shellcheck disable=SC2086
    a=$(OMP_NUM_THREADS=2 digest "$bin" predict --model "$model" $opts --input "$tmp/many.txt")
    # shellcheck disable=SC2086
    b=$(cat "$tmp/many.txt" | digest "$bin" predict --model "$model" $opts)
    # shellcheck disable=SC2086
    n=$(OMP_NUM_THREADS=2 "$bin" predict --model "$model" $opts < "$tmp/many.txt" | wc -l)
    [ -n "$a" ] && [ "$a" = "$b" ] && [ "$n" -eq 2500 ] && ok || bad "predict $opts: file and pipe answers differ ($n lines)"
done
# In a pipe each answer comes out as soon as its line is in: one line in, one line out,
# while the input stays open. Named pipes, not a coprocess: bash unsets a coprocess's
# variables as soon as it exits, which under set -u made this check itself flaky.
mkfifo "$tmp/pred.in" "$tmp/pred.out"
"$bin" predict --model "$model" <"$tmp/pred.in" >"$tmp/pred.out" &
pred_pid=$!
exec {pred_w}>"$tmp/pred.in" {pred_r}<"$tmp/pred.out"
echo "The team won the cup final" >&"$pred_w"
# The bound only keeps a hang from blocking the suite; the answer takes milliseconds.
if read -r -t 120 answer <&"$pred_r" && grep -qP '^[1-4]\t' <<<"$answer"; then ok; else bad "predict did not answer line by line in a pipe"; fi
exec {pred_w}>&-
wait "$pred_pid" && ok || bad "predict in a pipe: exit $? once its input closed"
exec {pred_r}<&-

# ---- checkpoints of format versions 1-3 still load and predict the same bytes ----
out=$(digest "$bin" predict --model tests/fixtures/v1-plain.ckpt --top-k 2 --explain < tests/fixtures/v1-input.txt) &&
    [ "$out" = "$(md5sum < tests/fixtures/v1-expected.txt)" ] && ok || bad "a version 1 checkpoint predicts differently"
out=$(digest "$bin" predict --model tests/fixtures/v2-context.ckpt --top-k 2 --explain < tests/fixtures/v1-input.txt) &&
    [ "$out" = "$(md5sum < tests/fixtures/v2-expected.txt)" ] && ok || bad "a version 2 checkpoint predicts differently"
out=$(digest "$bin" predict --model tests/fixtures/v3-bayes.ckpt --top-k 3 --explain < tests/fixtures/v1-input.txt) &&
    [ "$out" = "$(md5sum < tests/fixtures/v3-expected.txt)" ] && ok || bad "a version 3 checkpoint predicts differently"

# ---- the naive Bayes member (bayes.*): counted on the training part, used by
# validation, eval and predict alike, resumable; the network trains as without it ----
expect 0 "naive Bayes member: [0-9]+ distinct 1\.\.2-grams, weight 0\.2" "$bin" train --config "$tmp/cfg.json" \
    --set output.dir="$tmp/nb" --set bayes.weight=0.2 --set bayes.ngrams=2
# Calibrated with two temperatures, the network's part and the member's (README "Calibration and thresholds").
expect 0 "^calibration \(epoch 1, 300 validation docs\): temperatures [0-9.]+ \(network\) and [0-9.]+ \(naive Bayes member\), " \
    "$bin" train --config "$tmp/cfg.json" --set output.dir="$tmp/nbt" --set bayes.weight=0.2 --set train.epochs=1
"$bin" train --config "$tmp/cfg.json" --set output.dir="$tmp/nb0" --set bayes.weight=0 --quiet >/dev/null 2>&1
a=$(col "$tmp/nb/log.jsonl" train_loss) && b=$(col "$tmp/nb0/log.jsonl" train_loss) && [ "$a" = "$b" ] &&
    ok || bad "the member changed the network's training: $a vs $b"
a=$(col "$tmp/nb/log.jsonl" valid_loss) && b=$(col "$tmp/nb0/log.jsonl" valid_loss) && [ "$a" != "$b" ] &&
    ok || bad "validation ignored the member: $a vs $b"
acc=$("$bin" eval --model "$tmp/nb/last.ckpt" --data "$tmp/valid.csv" --json | "$jsonget" accuracy) &&
    want=$(col "$tmp/nb/log.jsonl" valid_acc) &&
    [ "$(awk '{printf "%.6f", $1}' <<<"$acc")" = "$(awk '{printf "%.6f", $NF}' <<<"$want")" ] &&
    ok || bad "eval ($acc) and training's validation ($want) disagree with the member"
# A constant learning rate makes 1 epoch + 1 resumed the same run as 2 epochs.
nbset=(--set bayes.weight=0.2 --set bayes.ngrams=2 --set train.lr_schedule=constant --quiet)
expect 0 "best valid_acc" "$bin" train --config "$tmp/cfg.json" --set output.dir="$tmp/nbc" "${nbset[@]}"
expect 0 "best valid_acc" "$bin" train --config "$tmp/cfg.json" --set output.dir="$tmp/nbr" --set train.epochs=1 "${nbset[@]}"
expect 0 "best valid_acc" "$bin" train --resume "$tmp/nbr" --set train.epochs=2 --quiet
a=$(digest "$bin" predict --model "$tmp/nbc/last.ckpt" --top-k 2 --input "$tmp/many.txt") &&
    b=$(digest "$bin" predict --model "$tmp/nbr/last.ckpt" --top-k 2 < "$tmp/many.txt") &&
    [ "$a" = "$b" ] && ok || bad "a resumed run with the member predicts differently from an uninterrupted one"
out=$(echo "Stocks fell" | "$bin" predict --model "$tmp/nb/last.ckpt" --json --explain)
grep -qE '"tokens":\[.*\],"bayes":\{"1":-?[0-9.e-]+,"2":-?[0-9.e-]+,"3":-?[0-9.e-]+,"4":-?[0-9.e-]+\}\}$' <<<"$out" && ok || bad "predict --json --explain lacks the member's logits: $out"
expect 2 "bayes.weight must be a finite number >= 0, got -1" "$bin" train --config "$tmp/cfg.json" --set bayes.weight=-1
expect 2 'bayes.ngram=2: unknown key \(did you mean "bayes.ngrams"\?\)' "$bin" train --config "$tmp/cfg.json" --set bayes.ngram=2
# A member fitted as a logistic regression on its counts (bayes.fit, src/model/bayes_lr.h):
# weight 1 when auto, its objective reported, the same bits from the same seed,
# resumed from its checkpoint (as an uninterrupted run; its settings cannot change), quantized, and
# bad values refused.
lrset=(--set bayes.fit=logistic --set bayes.ngrams=2 --set bayes.passes=5 --set train.lr_schedule=constant)
expect 0 "naive Bayes member: [0-9]+ distinct 1\.\.2-grams, weight 1; logistic fit, 5 passes: objective [0-9.]+ -> [0-9.]+$" \
    "$bin" train --config "$tmp/cfg.json" --set output.dir="$tmp/lr" --set bayes.weight=auto "${lrset[@]}"
[ "$("$jsonget" bayes.weight "$tmp/lr/config.json")" = 1 ] && ok || bad "bayes.weight auto is not 1 for a logistic fit"
expect 0 "best valid_acc" "$bin" train --config "$tmp/cfg.json" --set output.dir="$tmp/lr2" --set bayes.weight=auto \
    "${lrset[@]}" --quiet
a=$(digest "$bin" predict --model "$tmp/lr/model.bin" -k 4 --input "$tmp/many.txt") &&
    [ "$a" = "$(digest "$bin" predict --model "$tmp/lr2/model.bin" -k 4 --input "$tmp/many.txt")" ] &&
    ok || bad "two logistic fits with one seed differ"
acc=$("$bin" eval --model "$tmp/lr/last.ckpt" --data "$tmp/valid.csv" --json | "$jsonget" accuracy) &&
    want=$(col "$tmp/lr/log.jsonl" valid_acc) &&
    [ "$(awk '{printf "%.6f", $1}' <<<"$acc")" = "$(awk '{printf "%.6f", $NF}' <<<"$want")" ] &&
    ok || bad "eval ($acc) and training's validation ($want) disagree with a logistic member"
expect 0 "best valid_acc" "$bin" train --config "$tmp/cfg.json" --set output.dir="$tmp/lrr" --set bayes.weight=1 \
    --set train.epochs=1 "${lrset[@]}" --quiet
expect 0 "best valid_acc" "$bin" train --resume "$tmp/lrr" --set train.epochs=2 --quiet
expect 2 "--set bayes.passes=1: only train.epochs, .* can change when resuming" \
    "$bin" train --resume "$tmp/lrr" --set train.epochs=3 --set bayes.passes=1
"$bin" train --config "$tmp/cfg.json" --set output.dir="$tmp/lrc" --set bayes.weight=1 --set train.epochs=2 \
    "${lrset[@]}" --quiet >/dev/null 2>&1
a=$(digest "$bin" predict --model "$tmp/lrc/last.ckpt" --top-k 2 --input "$tmp/many.txt") &&
    b=$(digest "$bin" predict --model "$tmp/lrr/last.ckpt" --top-k 2 < "$tmp/many.txt") &&
    [ "$a" = "$b" ] && ok || bad "a resumed run with a logistic member predicts differently from an uninterrupted one"
"$bin" quantize --model "$tmp/lr/best.ckpt" --output "$tmp/lrq.bin" --cutoff 3000 --quiet &&
    n=$("$bin" predict --model "$tmp/lrq.bin" < "$tmp/many.txt" | grep -cP '^[1-4]\t[01]\.[0-9]{6}$') &&
    [ "$n" -eq "$(wc -l < "$tmp/many.txt")" ] && ok || bad "a quantized model with a logistic member: $n good lines"
expect 2 'bayes.fit must be one of "counts", "logistic", got "logistc"' "$bin" train --config "$tmp/cfg.json" --set bayes.fit=logistc
expect 2 "bayes.l2 must be a finite number >= 0, got -1" "$bin" train --config "$tmp/cfg.json" --set bayes.l2=-1
expect 2 "bayes.passes must be >= 1, got 0" "$bin" train --config "$tmp/cfg.json" --set bayes.passes=0

# ---- context attention (model.context, model.gate): trains, resumes, explains ----
expect 0 "best valid_acc" "$bin" train --config "$tmp/cfg.json" --set output.dir="$tmp/ctx" --set model.context=true \
    --set model.gate=true --set model.positional=true --set train.epochs=1 --quiet
expect 0 "best valid_acc" "$bin" train --resume "$tmp/ctx" --set train.epochs=2 --quiet
expect 0 "^accuracy +0\.[0-9]+" "$bin" eval --model "$tmp/ctx/last.ckpt" --data "$tmp/valid.csv"
out=$(echo "Stocks fell" | "$bin" predict --model "$tmp/ctx/last.ckpt" --explain)
grep -qP '\tstocks\([0-9.]+\) fell\([0-9.]+\) stocks_fell\([0-9.]+\)$' <<<"$out" && ok || bad "context predict --explain: $out"
expect 2 'model.context needs model.attention "dot", got "additive"' "$bin" train --config "$tmp/cfg.json" \
    --set model.context=true --set model.attention=additive

# ---- bad checkpoints ----
# Flips every bit of the byte at offset $2 of file $1 (never leaves it as it was,
# whatever the file holds there: its bytes change with the run's temporary paths).
flip_byte() {
    local b
    b=$(od -An -tu1 -j "$2" -N1 "$1" | tr -d ' ')
    printf "\\$(printf '%03o' $((b ^ 255)))" | dd of="$1" bs=1 seek="$2" conv=notrunc status=none
}

: > "$tmp/empty.ckpt"
expect 1 "empty.ckpt: empty file" "$bin" predict --model "$tmp/empty.ckpt"
head -c 5000 "$model" > "$tmp/short.ckpt"
expect 1 "short.ckpt: truncated" "$bin" eval --model "$tmp/short.ckpt" --data "$tmp/valid.csv"
cp "$model" "$tmp/flip.ckpt"
flip_byte "$tmp/flip.ckpt" 3000
expect 1 "checksum mismatch" "$bin" predict --model "$tmp/flip.ckpt"
expect 1 "not an attnclf checkpoint" "$bin" predict --model "$tmp/cfg.json"

# ---- bad configs and data ----
echo '{ "data": { "train": "x.csv" }, "modle": {} }' > "$tmp/typo.json"
expect 1 'did you mean "model"' "$bin" train --config "$tmp/typo.json"
printf '{ "data": {\n  "train": "x.csv",,\n} }' > "$tmp/syntax.json"
expect 1 "syntax.json:2:[0-9]+" "$bin" train --config "$tmp/syntax.json"
expect 2 'did you mean "model.dim"' "$bin" train --config "$tmp/cfg.json" --set model.dimm=3
expect 2 "^attnclf train: --set model.dim=0: model.dim must be >= 1, got 0$" "$bin" train --config "$tmp/cfg.json" --set model.dim=0
expect 1 "missing.csv: cannot open" "$bin" train --config "$tmp/cfg.json" --set data.train="$tmp/missing.csv"
printf 'label,text\npos,good\npos,fine\n' > "$tmp/one.csv"
expect 1 "at least two classes" "$bin" train --config "$tmp/cfg.json" --set data.train="$tmp/one.csv" --set output.dir="$tmp/one" \
    --set data.valid=null --set data.header=true --set data.label_column=label --set data.text_columns=text
printf 'label,text\npos,good\n,empty label\n' > "$tmp/emptylabel.csv"
expect 1 "emptylabel.csv:3: label column is empty" "$bin" train --config "$tmp/cfg.json" --set output.dir="$tmp/el" \
    --set data.train="$tmp/emptylabel.csv" --set data.header=true --set data.label_column=label --set data.text_columns=text

# ---- resume ----
expect 1 "complete" "$bin" train --resume "$tmp/run" --quiet
expect 0 "best valid_acc" "$bin" train --resume "$tmp/run" --set train.epochs=3 --quiet
[ "$(wc -l <"$tmp/run/log.jsonl")" -eq 3 ] && ok || bad "resumed log.jsonl should have 3 rows"
expect 2 "only train.epochs" "$bin" train --resume "$tmp/run" --set model.dim=8

# ---- interruption: SIGINT stops at a safe point; resuming gives the uninterrupted result ----
long=(train --config "$tmp/cfg.json" --set data.train=data/agnews-sample/train.csv
      --set train.patience=0 --set model.dim=8 --set model.heads=1 --set train.threads=2 --quiet)
# A run that cannot end before its signal, however fast the machine (an epoch here takes
# 20 ms, so a run of 20 epochs could end between two looks at its directory): more epochs
# than any machine gets through, at a constant rate, so that the number of epochs planned
# changes nothing else. The interrupted run, resumed with train.epochs set to stop one
# epoch after the interrupted one, must then equal a fresh run of that many epochs.
endless=("${long[@]}" --set train.epochs=100000 --set train.lr_schedule=constant)
# shellcheck source=tools/await.sh
. "$(dirname "$0")/tools/await.sh"
# interrupted_epoch NUM ERRFILE: the epoch a run stopped by signal NUM says it stopped in.
interrupted_epoch() {
    sed -n "s/.*interrupted by signal $1 at epoch \([0-9]*\), batch.*/\1/p" "$2"
}
# same_run A B WHAT: A and B (run directories) end alike: checkpoints of one size (they
# differ only in the output.dir they record), the same log and the same predictions of
# last.ckpt and best.ckpt. One check.
same_run() {
    local a=$1 b=$2 what=$3 ea eb fa fb
    [ -s "$a/last.ckpt" ] && [ "$(wc -c <"$a/last.ckpt")" -eq "$(wc -c <"$b/last.ckpt")" ] &&
        [ -s "$a/log.csv" ] && cmp -s <(cut -d, -f1-6 "$a/log.csv") <(cut -d, -f1-6 "$b/log.csv") &&
        ea=$("$bin" eval --model "$a/last.ckpt" --data "$tmp/valid.csv") &&
        eb=$("$bin" eval --model "$b/last.ckpt" --data "$tmp/valid.csv") && [ -n "$ea" ] && [ "$ea" = "$eb" ] &&
        fa=$("$bin" eval --model "$a/best.ckpt" --data "$tmp/valid.csv") &&
        fb=$("$bin" eval --model "$b/best.ckpt" --data "$tmp/valid.csv") && [ -n "$fa" ] && [ "$fa" = "$fb" ] &&
        ok || bad "$what: differs from the uninterrupted run: $(diff <(cut -d, -f1-6 "$a/log.csv") <(cut -d, -f1-6 "$b/log.csv") | head -4)"
}
# interrupt SIGNAL NUMBER NAME CMD [SETTINGS...]: trains into NAME1 by the command in the
# array named CMD (endless, say) with SETTINGS, sends SIGNAL once the first epoch has
# ended, expects a clean stop, then resumes to one epoch past the interrupted one and
# compares with a fresh run of that length in NAME0 (a name as long, so that the
# checkpoints are as long): four checks, each counted every time. attnclf is started
# directly in the background (not through a subshell) so the signal reaches it.
interrupt() {
    local sig=$1 num=$2 dir=${3}1 ref=${3}0 pid rc e
    local -n cmd=$4
    shift 4
    "$bin" "${cmd[@]}" "$@" --set output.dir="$dir" >/dev/null 2>"$dir.err" &
    pid=$!
    await "$dir/log.jsonl" "$pid" || echo "no epoch ended" >>"$dir.err"
    kill -"$sig" "$pid" 2>/dev/null
    wait "$pid"
    rc=$?
    e=$(interrupted_epoch "$num" "$dir.err")
    if [ "$rc" -eq $((128 + num)) ] && [ -n "$e" ]; then
        ok
        # The stopped run leaves model.bin: best.ckpt's export, as a finished run does.
        rm -f "$dir-exp.bin"
        "$bin" export --model "$dir/best.ckpt" --output "$dir-exp.bin" >/dev/null 2>&1 &&
            cmp -s "$dir/model.bin" "$dir-exp.bin" && ok || bad "SIG$sig: model.bin is not the export of best.ckpt"
        "$bin" train --resume "$dir" --set train.epochs=$((e + 1)) --quiet >/dev/null 2>&1 && ok || bad "resume after SIG$sig failed"
        "$bin" "${cmd[@]}" "$@" --set train.epochs=$((e + 1)) --set output.dir="$ref" >/dev/null 2>&1
        same_run "$ref" "$dir" "SIG$sig at epoch $e, resumed"
    else
        bad "SIG$sig: exit $rc: $(cat "$dir.err")"
        bad "SIG$sig: model.bin not checked, the run was not interrupted"
        bad "resume after SIG$sig: not tried, the run was not interrupted"
        bad "SIG$sig: not compared with an uninterrupted run, the run was not interrupted"
    fi
}
interrupt INT 2 "$tmp/intr" endless
# SIGTERM (a scheduler's stop) behaves the same.
interrupt TERM 15 "$tmp/term" endless

# ---- kill -9 at any moment never leaves a damaged last.ckpt ----
# Each kill comes a different time after the first checkpoint, so it lands in a different
# phase of a later epoch (an epoch here takes 20 ms, most of it writing checkpoints).
# One check per delay, every time: the run must still be running when killed (exit 137)
# and its last.ckpt must load. The run has more epochs than any machine gets through
# before the kill (and no early stop), so it cannot end first however fast it is.
unkept=("${endless[@]}" --set output.keep_checkpoints=0 --set output.checkpoint_every=0)
for delay in 0 0.1 0.25 0.5 1; do
    rm -rf "$tmp/k9"
    "$bin" "${unkept[@]}" --set output.dir="$tmp/k9" >/dev/null 2>&1 &
    pid=$!
    await "$tmp/k9/last.ckpt" "$pid" && sleep "$delay"
    kill -9 "$pid" 2>/dev/null
    wait "$pid" 2>/dev/null
    rc=$?
    if [ "$rc" -ne 137 ]; then
        bad "kill -9 ${delay}s after the first checkpoint: the run was not killed but exited $rc"
    else
        "$bin" predict --model "$tmp/k9/last.ckpt" </dev/null && ok || bad "last.ckpt damaged after kill -9 ${delay}s after the first checkpoint"
    fi
done
# A run killed outright has no model.bin (the run's end makes it), never one older than
# best.ckpt; resuming it to the end makes it.
[ ! -e "$tmp/k9/model.bin" ] && ok || bad "kill -9: a model.bin is there, made before the run's end"
done=$("$bin" train --resume "$tmp/k9" --set train.epochs=1 --quiet 2>&1 | sed -n 's/.*complete (\([0-9]*\) of 1 epochs).*/\1/p')
"$bin" train --resume "$tmp/k9" --set train.epochs=$((done + 1)) --quiet >/dev/null 2>&1
rm -f "$tmp/k9-exp.bin"
"$bin" export --model "$tmp/k9/best.ckpt" --output "$tmp/k9-exp.bin" >/dev/null 2>&1 &&
    cmp -s "$tmp/k9/model.bin" "$tmp/k9-exp.bin" && ok || bad "a killed run resumed to its end: model.bin is not best.ckpt's export"

# ---- divergence is detected and the last good checkpoint kept ----
expect 1 "training diverged at epoch [0-9]+, step [0-9]+" "$bin" train --config "$tmp/cfg.json" \
    --set output.dir="$tmp/div" --set train.lr=10000 --set train.clip=0 --quiet

# ---- a file size limit while writing a checkpoint: the error names the file, the old one survives ----
# (The corpus is too small for its cache to be kept by default: a run on the same data and
# settings builds one in fd-cache first, so that the resumed run writes only checkpoints.)
cp -r "$tmp/run" "$tmp/full-disk"
"$bin" train --config "$tmp/cfg.json" --set output.dir="$tmp/fd-warm" --set data.cache="$tmp/fd-cache" \
    --set train.epochs=1 --quiet >/dev/null 2>&1 && ok || bad "the run that builds fd-cache failed"
# Where data.cache points, the files are kept, and the next run uses them.
[ -n "$(find "$tmp/fd-cache" -name 'data-*.atc')" ] && [ ! -e "$tmp/fd-warm/cache" ] && ok || bad "data.cache kept nothing"
expect 0 "cache: using .*fd-cache/data-" "$bin" train --config "$tmp/cfg.json" --set output.dir="$tmp/fd-warm2" \
    --set data.cache="$tmp/fd-cache" --set train.epochs=1
out=$(bash -c "ulimit -f 1000; '$bin' train --resume '$tmp/full-disk' --set train.epochs=4 --set data.cache='$tmp/fd-cache' --quiet" 2>&1)
rc=$?
[ "$rc" -eq 1 ] && grep -q "full-disk/checkpoints/epoch-004.ckpt: write failed: File too large" <<<"$out" && ok || bad "ulimit -f: exit $rc: $out"
"$bin" predict --model "$tmp/full-disk/last.ckpt" </dev/null && ok || bad "last.ckpt damaged by a failed write"

# ---- everyday use: no config file, paths, stdin, runs that protect themselves ----
expect 0 "best valid_acc" "$bin" train --data "$tmp/train.csv" --valid "$tmp/valid.csv" --output "$tmp/noconf" \
    --set data.header=false --set data.label_column=0 --set 'data.text_columns=[1,2]' --set train.epochs=1 --quiet
expect 2 "give --data FILE and --output DIR" "$bin" train --data "$tmp/train.csv"
expect 2 "takes only --set and --quiet" "$bin" train --resume "$tmp/noconf" --data "$tmp/train.csv"
"$bin" config --defaults > "$tmp/defaults.json" && ok || bad "config --defaults failed"
expect 0 '"epochs":' "$bin" config --check "$tmp/defaults.json"
expect 0 'leaves data.train and output.dir to' "$bin" config --check "$tmp/defaults.json"
expect 0 '^tokenizer.ngrams$' "$bin" config --keys
expect 0 '"dir":' "$bin" config --model "$tmp/noconf/best.ckpt"
mkdir -p "$tmp/confdir/data"
cp "$tmp/train.csv" "$tmp/confdir/data/train.csv"
printf '{ "data": { "train": "data/train.csv", "header": false, "label_column": 0, "text_columns": [1, 2] },\n  "train": { "epochs": 1 }, "output": { "dir": "run" } }\n' > "$tmp/confdir/rel.json"
expect 0 "best valid_acc" "$bin" train --config "$tmp/confdir/rel.json" --quiet
[ -s "$tmp/confdir/run/best.ckpt" ] && ok || bad "relative output.dir did not resolve against the config's directory"
printf '{ "data": { "train": "data/missing.csv" }, "output": { "dir": "run2" } }\n' > "$tmp/confdir/missing.json"
expect 1 "^attnclf train: data.train: data/missing.csv: cannot open: No such file or directory \(resolved against .*confdir/\)$" \
    "$bin" train --config "$tmp/confdir/missing.json"
# - is stdin for training data, eval data and predict input.
out=$(cat "$tmp/train.csv" | "$bin" train --data - --output "$tmp/stdin" --set data.header=false --set data.label_column=0 \
    --set 'data.text_columns=[1,2]' --set train.epochs=1 --quiet 2>&1) && ok || bad "train --data -: $out"
out=$("$bin" eval --model "$model" --data - < "$tmp/valid.csv" | head -1)
grep -qE '^accuracy +0\.[0-9]+' <<<"$out" && ok || bad "eval --data -: $out"
a=$(digest "$bin" predict --model "$model" --input - < "$tmp/lines.txt") && b=$(digest "$bin" predict --model "$model" < "$tmp/lines.txt") \
    && [ "$a" = "$b" ] && ok || bad "predict --input - differs from stdin"
# A run directory that holds a run is not overwritten; --force replaces it whole.
expect 1 "noconf: holds a run already \(last.ckpt\); continue it with 'attnclf train --resume .*noconf' or replace it with --force" \
    "$bin" train --data "$tmp/train.csv" --output "$tmp/noconf" --quiet
"$bin" train --config "$tmp/cfg.json" --set output.dir="$tmp/forced" --set train.epochs=3 --quiet >/dev/null 2>&1
expect 0 "best valid_acc" "$bin" train --config "$tmp/cfg.json" --set output.dir="$tmp/forced" --set train.epochs=1 --force --quiet
[ ! -e "$tmp/forced/checkpoints/epoch-003.ckpt" ] && [ "$(wc -l <"$tmp/forced/log.jsonl")" -eq 1 ] && ok || bad "--force left the old run's files"
# Two runs on one directory: the second is refused while the first holds the lock.
"$bin" "${endless[@]}" --set output.dir="$tmp/locked" >/dev/null 2>&1 &
pid=$!
for _ in $(seq 1 400); do [ -s "$tmp/locked/.lock" ] && break; sleep 0.05; done
expect 1 "locked: another attnclf train is running in this directory \(pid $pid\)" \
    "$bin" train --config "$tmp/cfg.json" --set output.dir="$tmp/locked" --force --quiet
kill -TERM "$pid"
wait "$pid" 2>/dev/null
# Extending a finished run goes on from the rate it had reached: no jump back up.
expect 0 "best valid_acc" "$bin" train --config "$tmp/cfg.json" --set output.dir="$tmp/extend" --quiet
expect 0 "best valid_acc" "$bin" train --resume "$tmp/extend" --set train.epochs=4 --quiet
awk -F, 'NR > 1 { if (NR > 2 && $6 > prev) bad = 1; prev = $6 } END { exit bad }' "$tmp/extend/log.csv" \
    && ok || bad "the lr rose when the run was extended: $(cut -d, -f1,6 "$tmp/extend/log.csv" | tr '\n' ' ')"
# A bad value is a usage error on the command line (2), an error in a file (1).
expect 2 "^attnclf train: --set train.epochs=abc: train.epochs must be an integer or \"auto\", got \"abc\"$" \
    "$bin" train --config "$tmp/cfg.json" --set train.epochs=abc
expect 2 "^attnclf train: --set train.epochs=-1: train.epochs must be >= 1, got -1$" \
    "$bin" train --config "$tmp/cfg.json" --set train.epochs=-1
printf '{ "data": { "train": "x.csv" }, "train": { "epochs": -1 }, "output": { "dir": "d" } }\n' > "$tmp/neg.json"
expect 1 "^attnclf train: train.epochs must be >= 1, got -1$" "$bin" train --config "$tmp/neg.json"
# predict --threads, -k, --quiet on every command; JSON numbers as short as round-trips allow.
a=$(OMP_NUM_THREADS=2 digest "$bin" predict --model "$model" -k 2 --threads 1 --input "$tmp/many.txt") &&
    b=$(digest "$bin" predict --model "$model" --top-k 2 --input "$tmp/many.txt") && [ "$a" = "$b" ] && ok || bad "predict --threads 1 -k 2 differs"
expect 0 "^accuracy" "$bin" eval --model "$model" --data "$tmp/unknown.csv" --quiet
expect 0 "" "$bin" predict --model "$model" --quiet
expect 0 '"epochs":' "$bin" config --defaults --quiet
expect 2 "unknown option --k \(did you mean --top-k\?\)" "$bin" predict --model "$model" --k 2
out=$(echo "Stocks fell sharply" | "$bin" predict --model "$model" --json --explain)
grep -qE '[0-9]\.[0-9]{10,}' <<<"$out" && bad "predict --json prints floats longer than they need: $out" || ok
grep -qE '"prob":0\.[0-9]{1,9}[,}]' <<<"$out" && ok || bad "predict --json prob: $out"
expect 2 'unknown key \("epochs" is in section "train": did you mean "train.epochs"\?\)' \
    "$bin" train --config "$tmp/cfg.json" --set model.epochs=3

# ---- small runs: keep_checkpoints 0, ties in accuracy go to the lower loss ----
expect 0 "best valid_acc" "$bin" train --config "$tmp/cfg.json" --set output.dir="$tmp/keep0" --set output.keep_checkpoints=0 --quiet
[ -s "$tmp/keep0/best.ckpt" ] && [ -s "$tmp/keep0/last.ckpt" ] && [ -z "$(ls "$tmp/keep0/checkpoints")" ] && ok \
    || bad "keep_checkpoints 0 kept epoch files: $(ls "$tmp/keep0/checkpoints")"
head -4 "$tmp/valid.csv" > "$tmp/tiny-valid.csv"
out=$("$bin" train --config "$tmp/cfg.json" --set output.dir="$tmp/tie" --set data.valid="$tmp/tiny-valid.csv" \
    --set train.epochs=6 --quiet 2>&1)
want=$(awk -F, 'NR > 1 && ($5 > acc || ($5 == acc && $4 < loss)) { acc = $5; loss = $4; e = $1 } END { print e }' "$tmp/tie/log.csv")
grep -q "at epoch $want of 6" <<<"$out" && ok || bad "best epoch is not the lowest-loss one of the most accurate: $out; $(cat "$tmp/tie/log.csv")"
# The report marks the epoch training chose, not the first of the most accurate.
"$bin" report --model "$tmp/tie" --output "$tmp/tie.html" --quiet
grep -q "best epoch $want<" "$tmp/tie.html" && ok || bad "report does not mark epoch $want as the best"

# ---- checkpoints between epochs: output.checkpoint_every ----
# No resumable checkpoint before the run's end: the best epoch (not the last one here) is
# kept in memory until then, and best.ckpt and model.bin are the every-epoch run's.
"$bin" train --config "$tmp/cfg.json" --set output.dir="$tmp/tie-once" --set data.valid="$tmp/tiny-valid.csv" \
    --set train.epochs=6 --set output.keep_checkpoints=0 --set output.checkpoint_every=1e9 --quiet >/dev/null 2>&1
cut -d, -f2- "$tmp/valid.csv" > "$tmp/valid-texts.txt"
for f in best.ckpt model.bin; do
    "$bin" predict --model "$tmp/tie/$f" --json --top-k 4 <"$tmp/valid-texts.txt" >"$tmp/tie-every.pred" &&
        "$bin" predict --model "$tmp/tie-once/$f" --json --top-k 4 <"$tmp/valid-texts.txt" >"$tmp/tie-once.pred" &&
        cmp -s "$tmp/tie-every.pred" "$tmp/tie-once.pred" && ok ||
        bad "checkpoint_every: $f of a run checkpointed once differs from the every-epoch run's"
done
[ "$want" != 6 ] && ok || bad "the tie run's best epoch is its last: the test needs an earlier one"
expect 2 "output.checkpoint_every must be a finite number >= 0, got -1" \
    "$bin" train --config "$tmp/cfg.json" --set output.dir="$tmp/every-bad" --set output.checkpoint_every=-1
# A signal between checkpoints still leaves last.ckpt, and best.ckpt and model.bin of the
# best epoch so far (kept in memory); resuming gives the uninterrupted run's model.
interrupt INT 2 "$tmp/once" endless --set output.keep_checkpoints=0 --set output.checkpoint_every=1e9

# ---- a run finds its data from any directory: relative paths are stored absolute ----
(cd "$tmp" && "$bin" train --data train.csv --valid valid.csv --output rel --quiet --set data.header=false \
    --set data.label_column=0 --set 'data.text_columns=[1,2]' --set tokenizer.buckets=20000 --set train.epochs=1) >/dev/null 2>&1
(cd / && "$bin" report --model "$tmp/rel" --output "$tmp/rel.html" --quiet) && ok || bad "report from another directory cannot find the run's data"
expect 0 "best valid_acc" sh -c "cd / && '$bin' train --resume '$tmp/rel' --set train.epochs=2 --quiet"

# ---- tune: the same --trials and seed give the same result; a budget; Ctrl-C keeps the best so far ----
tunecfg=(--data "$tmp/train.csv" --valid "$tmp/valid.csv" --set data.header=false --set data.label_column=0
         --set 'data.text_columns=[1,2]' --set tokenizer.buckets=20000 --set train.epochs=5 --quiet)
expect 0 "^tune: 5 trials in .*best accuracy 0\.[0-9]+ \(trial [0-4]; mean 0\.[0-9]+ over 3 other folds\); config: .*tune1/tune.json" \
    "$bin" tune "${tunecfg[@]}" --output "$tmp/tune1" --trials 5
expect 0 "^tune: 5 trials" "$bin" tune "${tunecfg[@]}" --output "$tmp/tune2" --trials 5
[ "$(sed 's/"seconds": [0-9.]*//' "$tmp/tune1/tune.jsonl")" = "$(sed 's/"seconds": [0-9.]*//' "$tmp/tune2/tune.jsonl")" ] \
    && [ "$(grep -vc '"fold"\|"chosen"' "$tmp/tune1/tune.jsonl")" -eq 5 ] && ok || bad "tune with the same --trials chose differently"
# The finalists (the best four, and trial 0) ran on folds 1-3; the last row names the one chosen.
for f in 1 2 3; do
    [ "$(grep -c "\"fold\": $f," "$tmp/tune1/tune.jsonl")" -ge 4 ] && grep -q '^{"trial": 0, "fold": '$f, "$tmp/tune1/tune.jsonl" \
        && ok || bad "tune's finalists did not all run on fold $f: $(grep -c "\"fold\": $f," "$tmp/tune1/tune.jsonl") rows"
done
tail -1 "$tmp/tune1/tune.jsonl" | grep -q '^{"trial": [0-4], "chosen": true, "folds": 3,' && ok || bad "tune.jsonl's last row: $(tail -1 "$tmp/tune1/tune.jsonl")"
expect 0 "^tune: 3 trials in .*best accuracy 0\.[0-9]+ \(trial [0-2]\); config: " \
    "$bin" tune "${tunecfg[@]}" --output "$tmp/tune-f1" --trials 3 --folds 1
! grep -q '"fold"' "$tmp/tune-f1/tune.jsonl" && ok || bad "tune --folds 1 ran trials on other folds"
expect 2 "--folds 11: expected a whole number from 1 to 10" "$bin" tune "${tunecfg[@]}" --output "$tmp/tune-f11" --folds 11
cmp -s <(sed 's|tune[12]|tuneN|g' "$tmp/tune1/tune.json") <(sed 's|tune[12]|tuneN|g' "$tmp/tune2/tune.json") && ok || bad "tune.json differs between equal runs"
a=$(digest "$bin" predict --model "$tmp/tune1/best.ckpt" --top-k 2 < "$tmp/lines.txt") &&
    b=$(digest "$bin" predict --model "$tmp/tune2/best.ckpt" --top-k 2 < "$tmp/lines.txt") && [ "$a" = "$b" ] && ok || bad "tuned models differ"
expect 0 "best valid_acc" "$bin" train --config "$tmp/tune1/tune.json" --set output.dir="$tmp/tune1-again" --quiet
# The report of a tuned run reads tune's own tune.jsonl: a table row per trial, with its settings.
expect 0 "documents, accuracy" "$bin" report --model "$tmp/tune1" --output "$tmp/tune1.html"
n=$(grep -c '<path class="series"' "$tmp/tune1.html")
[ "$n" -eq 8 ] && ok || bad "report of a tune run: $n curves, want 8 (with the trials and the best so far)"
expect 0 "^tune: [0-9]+ trials" "$bin" tune "${tunecfg[@]}" --output "$tmp/tune3" --budget 1s
expect 2 "--budget soon: expected a time" "$bin" tune "${tunecfg[@]}" --output "$tmp/tune4" --budget soon
"$bin" tune "${tunecfg[@]}" --output "$tmp/tune5" --trials 1000 >/dev/null 2>"$tmp/tune5.err" &
pid=$!
# The bound only keeps a hang from blocking the suite (a trial takes seconds, more under ASan).
for _ in $(seq 1 2400); do [ -s "$tmp/tune5/tune.jsonl" ] && break; sleep 0.05; done
kill -INT "$pid"
wait "$pid"
rc=$?
[ "$rc" -eq 130 ] && grep -q "interrupted by signal 2.*the best settings so far are in .*tune5/tune.json" "$tmp/tune5.err" \
    && [ -s "$tmp/tune5/tune.json" ] && ok || bad "tune after SIGINT: exit $rc: $(cat "$tmp/tune5.err")"

# ---- report: one HTML page; data from files only ever shows as text ----
expect 0 "usage: attnclf report" "$bin" report --help
expect 2 "--model RUN_DIR_OR_CKPT is required" "$bin" report
expect 2 "--examples 51: expected a number from 0 to 50" "$bin" report --model "$tmp/run" --examples 51
expect 1 "nothing: No such file" "$bin" report --model "$tmp/nothing"
# Without --data the run's validation file is scored: the accuracy of its best epoch, as eval gives it.
acc=$("$bin" eval --model "$model" --data "$tmp/valid.csv" --json | grep -oE '"accuracy":[0-9.]+' | cut -d: -f2)
expect 0 "^report: $tmp/r1.html \([0-9.]+ kB\): 300 documents, accuracy $(printf %.4f "$acc")" \
    "$bin" report --model "$tmp/run" --output "$tmp/r1.html"
# The page does not depend on the threads (only its command line differs).
"$bin" report --model "$model" --data "$tmp/valid.csv" --threads 1 --output "$tmp/t1.html" --quiet
"$bin" report --model "$model" --data "$tmp/valid.csv" --threads 3 --output "$tmp/t3.html" --quiet
cmp -s <(grep -v '^<pre class="cmd">' "$tmp/t1.html") <(grep -v '^<pre class="cmd">' "$tmp/t3.html") \
    && ok || bad "report pages differ between 1 and 3 threads"
n=$(grep -c '<path class="series"' "$tmp/r1.html")
[ "$n" -eq 6 ] && ok || bad "report: $n curves, want 6 (train/valid loss and accuracy, lr, tokens/s)"
# A checkpoint in checkpoints/ finds the run's log; one elsewhere says there is none.
expect 0 "300 documents" "$bin" report --model "$tmp/run/checkpoints/epoch-001.ckpt" --output "$tmp/r2.html"
grep -q '<path class="series"' "$tmp/r2.html" && ok || bad "report of checkpoints/epoch-001.ckpt has no curves"
cp "$model" "$tmp/lone.ckpt"
expect 0 "300 documents" "$bin" report --model "$tmp/lone.ckpt" --output - --quiet
"$bin" report --model "$tmp/lone.ckpt" --output - --quiet | grep -q "No training curves: no log.jsonl in $tmp" \
    && ok || bad "report of a lone checkpoint does not say it has no log"
# A tune.jsonl beside the log gives the trials' chart and table.
cp -r "$tmp/run" "$tmp/tuned"
printf '{"trial": 1, "metric": 0.81, "seconds": 3.5, "params": {"lr": 0.01}}\n{"trial": 2, "metric": 0.84, "seconds": 4}\n' \
    > "$tmp/tuned/tune.jsonl"
expect 0 "300 documents" "$bin" report --model "$tmp/tuned" --output "$tmp/r3.html"
n=$(grep -c '<path class="series"' "$tmp/r3.html")
[ "$n" -eq 8 ] && grep -q "lr=0.01" "$tmp/r3.html" && ok || bad "report with tune.jsonl: $n curves, want 8"
echo '{"trial": "x"}' > "$tmp/tuned/tune.jsonl"
expect 1 "tune.jsonl:1: not a trial" "$bin" report --model "$tmp/tuned" --output "$tmp/r4.html"
[ -e "$tmp/r4.html" ] && bad "a failed report left $tmp/r4.html" || ok
# Hostile labels, tokens and file names: a tiny run on them, then its report and predict --html.
hostile="$tmp/h<b>&\"q'.csv"
{
    for i in $(seq 20); do
        printf '"<script>alert(1)</script>","<script>x</script> goal team &amp; ""win"" %d"\n' "$i"
        printf '"a&b ""q"" '"'"'x'"'"'","<img src=x onerror=alert(1)> stock \xff\xfe bank %d"\n' "$i"
        printf '"bad\xff\xc0\xaf","rocket '"'"'orbit'"'"' <b>nasa</b> %d"\n' "$i"
    done
} > "$hostile"
expect 0 "best valid_acc" "$bin" train --data "$hostile" --output "$tmp/hrun" --quiet --set data.header=false \
    --set data.label_column=0 --set 'data.text_columns=[1]' --set tokenizer.clean_html=false \
    --set tokenizer.buckets=1000 --set train.epochs=2 --set data.valid_fraction=0.25
expect 0 "60 documents" "$bin" report --model "$tmp/hrun" --data "$hostile" --output "$tmp/h.html" --examples 5
echo '<script>alert(1)</script> stock & "win" '"'"'x'"'"' <b>bank</b>' \
    | "$bin" predict --model "$tmp/hrun/best.ckpt" --explain --html > "$tmp/hp.html"
expect 2 "--html goes with --explain" "$bin" predict --model "$tmp/hrun/best.ckpt" --html
for page in "$tmp/h.html" "$tmp/hp.html"; do
    # Every tag is one the writers use; the data's <script>, <img> and <b> are text.
    tags=$(grep -oE '<[/!]?[a-zA-Z0-9]+' "$page" | tr -d '</' | sort -u | tr '\n' ' ')
    extra=$(tr ' ' '\n' <<<"$tags" | grep -vxE '!DOCTYPE|html|head|meta|title|style|body|main|h[123]|nav|ul|li|a|section|p|b|div|figure|figcaption|svg|g|path|rect|line|text|tspan|circle|polyline|details|summary|table|caption|thead|tbody|tr|th|td|pre|span|input|label|article|' || true)
    [ -z "$extra" ] && ok || bad "$page has tags the writers never write: $extra"
    grep -qi '<script\|<img' "$page" && bad "$page has a <script> or <img> element" || ok
    # The writers' own <b>: the key figures and the words attended to most.
    grep -vE '^<li><b>|^<p class="note">Most attention: ' "$page" | grep -q '<b>' \
        && bad "$page lets a token's <b> through" || ok
    iconv -f UTF-8 -t UTF-8 "$page" >/dev/null 2>&1 && ok || bad "$page is not valid UTF-8"
done
grep -qF '&lt;script&gt;alert(1)&lt;/script&gt;' "$tmp/h.html" && ok || bad "the <script> label is not shown as text"
grep -qF 'a&amp;b &quot;q&quot; &#39;x&#39;' "$tmp/h.html" && ok || bad "the a&b \"q\" 'x' label is not shown as text"
grep -qF "bad$(printf '\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd')" "$tmp/h.html" && ok || bad "the invalid UTF-8 label is not U+FFFD"
grep -qF 'h&lt;b&gt;&amp;&quot;q&#39;.csv' "$tmp/h.html" && ok || bad "the hostile file name is not shown as text"
grep -qF '<span class="tk"' "$tmp/hp.html" && grep -qF '&lt;</span>' "$tmp/hp.html" && ok \
    || bad "predict --html does not shade the tokens or show < as text"

# ---- the self-attention encoder (issue 17): train, resume, explain, old checkpoints, bad settings ----
out=$(digest "$bin" predict --model tests/fixtures/v4-modl2.ckpt --top-k 2 --explain < tests/fixtures/v1-input.txt) &&
    [ "$out" = "$(md5sum < tests/fixtures/v4-expected.txt)" ] && ok || bad "a MODL version 2 checkpoint predicts differently"
# Exported models of every layout: rows as floats and as int8 (EMBD 1) with the naive Bayes
# tables of BAYS 2, and as int8 moves (EMBD 2) with BAYS 4.
for f in ship1-f32 ship1-int8 ship2-int8moves; do
    out=$(digest "$bin" predict --model tests/fixtures/$f.bin --top-k 2 --explain < tests/fixtures/v1-input.txt) &&
        [ "$out" = "$(md5sum < tests/fixtures/$f-expected.txt)" ] && ok || bad "the exported model $f.bin predicts differently"
done
enc=(--set model.encoder=self_attention --set model.layers=2 --set model.window=3 --set model.ffn_dim=8
     --set model.positional=learned --set model.encoder_dropout=0.1)
expect 0 "best valid_acc" "$bin" train --config "$tmp/cfg.json" --set output.dir="$tmp/enc" "${enc[@]}" --quiet
grep -qP '"encoder":\s*"self_attention"' "$tmp/enc/config.json" && grep -qP '"positional":\s*"learned"' "$tmp/enc/config.json" \
    && ok || bad "config.json lacks the encoder settings: $(grep -E 'encoder|positional' "$tmp/enc/config.json")"
out=$(echo "Stocks fell on Wall Street" | "$bin" predict --model "$tmp/enc/best.ckpt" --explain)
grep -qP '^[1-4]\t[01]\.[0-9]{6}\tstocks\([0-9.]+\) fell\([0-9.]+\) stocks_fell\([0-9.]+\) on\(' <<<"$out" \
    && ok || bad "predict --explain with the encoder: $out"
expect 0 "^accuracy +0\.[0-9]+" "$bin" eval --model "$tmp/enc/best.ckpt" --data "$tmp/valid.csv"
# A constant learning rate makes 1 epoch + 1 resumed the same run as 2 epochs (dropout masks included).
expect 0 "best valid_acc" "$bin" train --config "$tmp/cfg.json" --set output.dir="$tmp/encc" "${enc[@]}" \
    --set train.lr_schedule=constant --quiet
expect 0 "best valid_acc" "$bin" train --config "$tmp/cfg.json" --set output.dir="$tmp/encr" "${enc[@]}" \
    --set train.lr_schedule=constant --set train.epochs=1 --quiet
expect 0 "best valid_acc" "$bin" train --resume "$tmp/encr" --set train.epochs=2 --quiet
a=$(digest "$bin" predict --model "$tmp/encc/last.ckpt" --top-k 2 --explain --input "$tmp/many.txt") &&
    b=$(digest "$bin" predict --model "$tmp/encr/last.ckpt" --top-k 2 --explain < "$tmp/many.txt") &&
    [ "$a" = "$b" ] && ok || bad "a resumed run with the encoder predicts differently from an uninterrupted one"
expect 0 "best valid_acc" "$bin" train --config "$tmp/cfg.json" --set output.dir="$tmp/enc-sin" \
    --set model.encoder=self_attention --set model.positional=true --set model.encoder_ngrams=true --quiet
grep -qP '"positional":\s*"sin"' "$tmp/enc-sin/config.json" && ok || bad "positional true is not written as \"sin\""
expect 2 'model.dim 16 must be a multiple of model.heads 3' "$bin" train --config "$tmp/cfg.json" \
    --set model.encoder=self_attention --set model.heads=3
expect 2 'model.positional "learned" needs model.encoder "self_attention"' "$bin" train --config "$tmp/cfg.json" \
    --set model.positional=learned
expect 2 'model.layers must be <= 4, got 5' "$bin" train --config "$tmp/cfg.json" --set model.encoder=self_attention \
    --set model.layers=5
expect 2 'model.positional must be false, true or one of "sin", "learned", got "cos"' "$bin" train \
    --config "$tmp/cfg.json" --set model.positional=cos
# ---- models to ship: export, quantize, vectors, nn, model.pretrained ----
for c in export quantize vectors nn; do expect 0 "usage: attnclf $c" "$bin" "$c" --help; done
# Training wrote model.bin from the best epoch: the export of best.ckpt, byte for byte; its
# rows are int8 moves, so its answers are the checkpoint's labels within 0.005 (README).
expect 0 "exp.bin: [0-9]+ bytes, [0-9]+ of [0-9]+ embedding rows stored as int8 moves$" "$bin" export --model "$model" --output "$tmp/exp.bin"
cmp -s "$tmp/run/model.bin" "$tmp/exp.bin" && ok || bad "model.bin is not the export of best.ckpt"
[ "$(stat -c %s "$tmp/exp.bin")" -lt "$(stat -c %s "$model")" ] && ok || bad "the export is not smaller than its checkpoint"
close_probs "$model" "$tmp/exp.bin" "$tmp/many.txt" 0.005 && ok || bad "the export's answers are not its checkpoint's within 0.005"
# --float: the checkpoint's answers bit for bit.
expect 0 "expf.bin: [0-9]+ bytes, [0-9]+ of [0-9]+ embedding rows stored as floats$" "$bin" export --model "$model" --output "$tmp/expf.bin" --float
for opts in "--top-k 4 --json --explain" "--top-k 2"; do
    # shellcheck disable=SC2086
    a=$("$bin" predict --model "$model" $opts --input "$tmp/many.txt" | md5sum)
    # shellcheck disable=SC2086
    b=$("$bin" predict --model "$tmp/expf.bin" $opts --input "$tmp/many.txt" | md5sum)
    [ "$a" = "$b" ] && ok || bad "predict $opts: the --float export answers differently from its checkpoint"
done
[ "$("$bin" eval --model "$model" --data "$tmp/valid.csv" --json)" = "$("$bin" eval --model "$tmp/expf.bin" --data "$tmp/valid.csv" --json)" ] \
    && ok || bad "eval: the --float export scores differently from its checkpoint"
[ "$(stat -c %s "$tmp/exp.bin")" -lt "$(stat -c %s "$tmp/expf.bin")" ] && ok || bad "the int8 export is not smaller than the --float one"
expect 0 "exp8.bin: [0-9]+ bytes, .* stored as int8 moves$" "$bin" export --model "$model" --output "$tmp/exp8.bin" --int8
cmp -s "$tmp/exp8.bin" "$tmp/exp.bin" && ok || bad "export --int8 is not the default export"
expect 2 "--model CKPT and --output MODEL are required" "$bin" export --model "$model"
# A quantized model: smaller, and it scores the validation data as quantize said.
out=$("$bin" quantize --model "$model" --output "$tmp/q.bin" --cutoff 3000 --retrain --quiet; \
      "$bin" quantize --model "$model" --output "$tmp/q.bin" --cutoff 3000 --retrain 2>/dev/null)
grep -qE "^$tmp/q.bin: [0-9]+ bytes, 3000 of [0-9]+ embedding rows \([0-9]+ trained\), [0-9]+ of [0-9]+ words$" <<<"$out" \
    && ok || bad "quantize summary: $out"
said=$(grep -oE "retrained [0-9.]+" <<<"$out" | cut -d' ' -f2)
got=$("$bin" eval --model "$tmp/q.bin" --data "$tmp/valid.csv" --json | "$jsonget" accuracy) && got=$(printf '%.4f' "$got")
[ -n "$said" ] && [ "$said" = "$got" ] && ok || bad "quantize said validation accuracy $said, eval of the file gives $got"
[ "$(stat -c %s "$tmp/q.bin")" -lt "$(stat -c %s "$tmp/exp.bin")" ] && ok || bad "the quantized model is not smaller than the export"
# The same bytes whatever the threads (the scores, k-means and retraining sum in fixed orders).
"$bin" quantize --model "$model" --output "$tmp/q1.bin" --cutoff 3000 --retrain --threads 1 --quiet
OMP_NUM_THREADS=2 "$bin" quantize --model "$model" --output "$tmp/q2.bin" --cutoff 3000 --retrain --threads 2 --quiet
cmp -s "$tmp/q1.bin" "$tmp/q2.bin" && cmp -s "$tmp/q1.bin" "$tmp/q.bin" && ok || bad "quantize gives other bytes on other threads"
n=$("$bin" predict --model "$tmp/q.bin" --explain < "$tmp/lines.txt" | grep -cP '^[1-4]\t[01]\.[0-9]{6}\t')
[ "$n" -eq 5 ] && ok || bad "predict on a quantized model: $n good lines of 5"
expect 0 "validation accuracy \(300 documents\): full 0\.[0-9]+, quantized 0\.[0-9]+$" \
    "$bin" quantize --model "$tmp/exp.bin" --output "$tmp/q8.bin" --int8 --score norm --validate
expect 1 "q.bin: is a quantized model already" "$bin" quantize --model "$tmp/q.bin" --output "$tmp/qq.bin"
expect 1 "data.train: .*missing.csv: cannot open.*give --data FILE" "$bin" quantize --model "$model" --output "$tmp/qq.bin" \
    --data "$tmp/missing.csv"
# The naive Bayes member cut to its 50 features of most weight, or to its priors alone.
"$bin" quantize --model "$model" --output "$tmp/qb.bin" --cutoff 3000 --bayes-cutoff 50 --quiet
"$bin" quantize --model "$model" --output "$tmp/qb0.bin" --cutoff 3000 --bayes-cutoff 0 --quiet
"$bin" quantize --model "$model" --output "$tmp/qba.bin" --cutoff 3000 --quiet
[ "$(stat -c %s "$tmp/qb0.bin")" -lt "$(stat -c %s "$tmp/qb.bin")" ] && [ "$(stat -c %s "$tmp/qb.bin")" -lt "$(stat -c %s "$tmp/qba.bin")" ] \
    && ok || bad "quantize --bayes-cutoff: sizes $(stat -c %s "$tmp/qb0.bin" "$tmp/qb.bin" "$tmp/qba.bin" | tr '\n' ' ')"
expect 0 "^\{" "$bin" eval --model "$tmp/qb0.bin" --data "$tmp/valid.csv" --json
expect 2 "--bayes-cutoff -1: expected a whole number >= 0" "$bin" quantize --model "$model" --output "$tmp/qq.bin" --bayes-cutoff -1
expect 2 "--bits 5: expected 8 or 4" "$bin" quantize --model "$model" --output "$tmp/qq.bin" --bits 5
expect 2 "--score size: expected mass, freq or norm" "$bin" quantize --model "$model" --output "$tmp/qq.bin" --score size
# Word vectors out, and back in through model.pretrained (a relative path from the config's directory).
"$bin" vectors --model "$model" --words > "$tmp/confdir/w.vec"
nw=$(head -1 "$tmp/confdir/w.vec" | cut -d' ' -f1)
[ "$(head -1 "$tmp/confdir/w.vec" | cut -d' ' -f2)" = 16 ] && [ "$(wc -l < "$tmp/confdir/w.vec")" -eq $((nw + 1)) ] \
    && ok || bad "vectors --words: $(head -c 100 "$tmp/confdir/w.vec")"
printf '{ "data": { "train": "data/train.csv", "header": false, "label_column": 0, "text_columns": [1, 2] },\n  "model": { "pretrained": "w.vec" }, "train": { "epochs": 1 }, "output": { "dir": "pre" } }\n' > "$tmp/confdir/pre.json"
expect 0 "pretrained vectors: ([0-9]+) of \1 vocabulary words \(100\.0%\) from .*confdir/w.vec \($nw vectors\)" \
    "$bin" train --config "$tmp/confdir/pre.json"
sed 's/w.vec/nope.vec/' "$tmp/confdir/pre.json" > "$tmp/confdir/nope.json"
expect 1 "^attnclf train: model.pretrained: nope.vec: cannot open: No such file or directory \(resolved against .*confdir/\)$" \
    "$bin" train --config "$tmp/confdir/nope.json"
head -3 "$tmp/confdir/w.vec" > "$tmp/short.vec"
sed -n 4p "$tmp/confdir/w.vec" | cut -d' ' -f1-16 >> "$tmp/short.vec"
expect 1 "short.vec:4: expected 16 numbers, got 15$" "$bin" train --config "$tmp/cfg.json" --set output.dir="$tmp/pre3" \
    --set model.pretrained="$tmp/short.vec"
expect 1 "w.vec: vectors have 16 dimensions, model.dim is 8$" "$bin" train --config "$tmp/cfg.json" --set output.dir="$tmp/pre3" \
    --set model.pretrained="$tmp/confdir/w.vec" --set model.dim=8
expect 1 "best.ckpt: is an attnclf checkpoint, not a word-vector text file \(\.vec\)$" "$bin" train --config "$tmp/cfg.json" \
    --set output.dir="$tmp/pre3" --set model.pretrained="$model"
printf '\xba\x16\x4f\x2f\x0c\x00\x00\x00\x01\x00\x00\x00' > "$tmp/ft.bin"
expect 1 "ft.bin: is a fastText binary model \(\.bin/\.ftz\), not an attnclf checkpoint$" "$bin" predict --model "$tmp/ft.bin"
expect 1 "w.vec: is a word-vector text file \(\.vec\), not an attnclf checkpoint$" "$bin" eval --model "$tmp/confdir/w.vec" \
    --data "$tmp/valid.csv"
# Document vectors: one line of heads x dim numbers per input line; nearest words.
out=$("$bin" vectors --model "$tmp/q.bin" --sentences < "$tmp/lines.txt" | awk '{print NF}' | sort -u)
[ "$out" = 32 ] && [ "$("$bin" vectors --model "$model" --sentences < "$tmp/lines.txt" | wc -l)" -eq 5 ] \
    && ok || bad "vectors --sentences: fields $out"
expect 2 "give one of --words and --sentences" "$bin" vectors --model "$model"
out=$(printf 'stocks\nzzzqqq\n' | "$bin" nn --model "$model" -k 3 2>"$tmp/nn.err")
[ "$(head -1 <<<"$out" | awk -F'\t' '{print NF}')" -eq 6 ] && [ -z "$(sed -n 2p <<<"$out")" ] && \
    grep -q "stdin:2: no word of the vocabulary" "$tmp/nn.err" && ok || bad "nn: $out $(cat "$tmp/nn.err")"

# ---- shipped models of the encoder with character n-grams and of one-vs-all label sets ----
# An export predicts the checkpoint's bytes (explanations included); a quantized model predicts and evaluates.
ship_check() { # NAME RUN_DIR DATA: export, compare, quantize
    local name=$1 dir=$2 data=$3 opts a b
    expect 0 "$name-exp.bin: [0-9]+ bytes, [0-9]+ of [0-9]+ embedding rows stored as int8 moves$" \
        "$bin" export --model "$dir/best.ckpt" --output "$tmp/$name-exp.bin"
    cmp -s "$dir/model.bin" "$tmp/$name-exp.bin" && ok || bad "$name: model.bin is not the export of best.ckpt"
    close_probs "$dir/best.ckpt" "$tmp/$name-exp.bin" "$tmp/many.txt" 0.005 && ok \
        || bad "$name: the export's answers are not its checkpoint's within 0.005"
    "$bin" export --model "$dir/best.ckpt" --output "$tmp/$name-expf.bin" --float --quiet
    for opts in "--top-k 4 --json --explain" "--top-k 2 --explain"; do
        # shellcheck disable=SC2086
        a=$(digest "$bin" predict --model "$dir/best.ckpt" $opts --input "$tmp/many.txt") &&
            # shellcheck disable=SC2086
            b=$(digest "$bin" predict --model "$tmp/$name-expf.bin" $opts --input "$tmp/many.txt") &&
            [ "$a" = "$b" ] && ok || bad "$name: predict $opts: the --float export answers differently from its checkpoint"
    done
    a=$(digest "$bin" eval --model "$dir/best.ckpt" --data "$data" --json) &&
        b=$(digest "$bin" eval --model "$tmp/$name-expf.bin" --data "$data" --json) && [ "$a" = "$b" ] && ok \
        || bad "$name: eval: the --float export scores differently from its checkpoint"
    expect 0 "$name-q.bin: [0-9]+ bytes, 2000 of [0-9]+ embedding rows \([0-9]+ trained\)" \
        "$bin" quantize --model "$dir/best.ckpt" --output "$tmp/$name-q.bin" --cutoff 2000 --retrain
    n=$("$bin" predict --model "$tmp/$name-q.bin" --explain < "$tmp/lines.txt" | grep -cP '^\S+\t[01]\.[0-9]{6}\t')
    [ "$n" -eq 5 ] && ok || bad "$name: predict on a quantized model: $n good lines of 5"
    expect 0 "^\{" "$bin" eval --model "$tmp/$name-q.bin" --data "$data" --json
    [ "$(stat -c %s "$tmp/$name-q.bin")" -lt "$(stat -c %s "$tmp/$name-exp.bin")" ] && ok \
        || bad "$name: the quantized model is not smaller than the export"
    # report reads a shipped model's rows through its embedding (keywords).
    expect 0 "documents" "$bin" report --model "$tmp/$name-exp.bin" --data "$data" --output "$tmp/$name-exp.html"
    expect 0 "documents" "$bin" report --model "$tmp/$name-q.bin" --data "$data" --output "$tmp/$name-q.html"
}
expect 0 "best valid_acc" "$bin" train --config "$tmp/cfg.json" --set output.dir="$tmp/shipenc" "${enc[@]}" \
    --set 'tokenizer.char_ngrams=[3,5]' --set train.epochs=1 --quiet
ship_check enc "$tmp/shipenc" "$tmp/valid.csv"
# report's keywords of a run whose positions are bags of character n-grams.
expect 0 "300 documents" "$bin" report --model "$tmp/shipenc" --output "$tmp/shipenc.html"
# Label sets: every fourth document also carries the next class.
for f in train valid; do
    sed -E 's/^"([0-9])","(.*)","(.*)"$/__label__\1 \2 \3/' "$tmp/$f.csv" |
        awk 'NR % 4 == 0 { n = substr($1, 10) % 4 + 1; $1 = $1 " __label__" n } { print }' > "$tmp/ml-$f.ft"
done
expect 0 "best " "$bin" train --data "$tmp/ml-train.ft" --valid "$tmp/ml-valid.ft" --output "$tmp/shipova" \
    --set tokenizer.buckets=20000 --set train.epochs=2 --quiet
grep -qP '"loss":\s*"(auto|ova)"' "$tmp/shipova/config.json" && ok || bad "the label-set run's config: $(grep loss "$tmp/shipova/config.json")"
ship_check ova "$tmp/shipova" "$tmp/ml-valid.ft"
a=$(digest "$bin" predict-prob "$tmp/shipova/best.ckpt" "$tmp/many.txt" 3 0.2) &&
    b=$(digest "$bin" predict-prob "$tmp/ova-expf.bin" "$tmp/many.txt" 3 0.2) && [ "$a" = "$b" ] && ok \
    || bad "ova: predict-prob with a threshold: the export answers differently from its checkpoint"
# train.min_labels 1: with the tuned thresholds every line holds at least its top label, in the
# checkpoint and in its export; eval says so, and an explicit threshold is the plain rule.
expect 0 "the top label always" "$bin" train --data "$tmp/ml-train.ft" --valid "$tmp/ml-valid.ft" \
    --output "$tmp/minlab" --set tokenizer.buckets=20000 --set train.epochs=1 --set train.min_labels=1
n=$("$bin" predict --model "$tmp/minlab/best.ckpt" --input "$tmp/many.txt" | grep -cP '^\S+\t[01]\.[0-9]{6}')
[ "$n" -eq "$(wc -l < "$tmp/many.txt")" ] && ok || bad "min_labels 1: $n lines with a label of $(wc -l < "$tmp/many.txt")"
n=$("$bin" predict --model "$tmp/minlab/model.bin" --input "$tmp/many.txt" --threshold auto | grep -cP '^\S+\t[01]\.[0-9]{6}')
[ "$n" -eq "$(wc -l < "$tmp/many.txt")" ] && ok || bad "min_labels 1, model.bin: $n lines with a label"
n=$("$bin" predict --model "$tmp/minlab/best.ckpt" --input "$tmp/many.txt" --threshold 1 | grep -cP '^\S+\t[01]\.[0-9]{6}')
[ "$n" -eq 0 ] && ok || bad "min_labels 1 with --threshold 1: $n lines with a label, not 0"
expect 0 "the top label always" "$bin" eval --model "$tmp/minlab/best.ckpt" --data "$tmp/ml-valid.ft"
[ "$("$bin" eval --model "$tmp/minlab/best.ckpt" --data "$tmp/ml-valid.ft" --json | "$jsonget" min_labels)" = 1 ] && ok \
    || bad "min_labels 1: eval --json's min_labels"
[ "$("$bin" eval --model "$tmp/minlab/best.ckpt" --data "$tmp/ml-valid.ft" --threshold 0.5 --json | "$jsonget" min_labels)" = 0 ] \
    && ok || bad "min_labels 1: eval --threshold 0.5 --json's min_labels"
[ "$("$bin" eval --model "$tmp/shipova/best.ckpt" --data "$tmp/ml-valid.ft" --json | "$jsonget" min_labels)" = 0 ] && ok \
    || bad "the default min_labels 0: eval --json's min_labels"

# ---- data.label_names: classes.txt names the sample's labels 1..4 ----
mkdir -p "$tmp/names"
cp data/agnews-sample/classes.txt "$tmp/names/classes.txt"
(cd "$tmp/names" && "$bin" train --config "$tmp/cfg.json" --set output.dir="$tmp/named" --set train.epochs=1 \
    --set data.label_names=classes.txt --quiet >/dev/null 2>"$tmp/named.err") && ok || bad "train with label names: $(cat "$tmp/named.err")"
grep -qP "\"label_names\":\s*\"\Q$tmp/names/classes.txt\E\"" "$tmp/named/config.json" && ok \
    || bad "config.json does not hold the label names' absolute path: $(grep label_names "$tmp/named/config.json")"
out=$(echo "Stocks fell on Wall Street" | "$bin" predict --model "$tmp/named/best.ckpt" --top-k 4)
grep -qP '^(World|Sports|Business|Sci/Tech)\t[01]\.[0-9]{6}(\t(World|Sports|Business|Sci/Tech)\t[01]\.[0-9]{6}){3}$' <<<"$out" \
    && ok || bad "predict with label names: $out"
expect 0 "^Sci/Tech +0\.[0-9]{4}" "$bin" eval --model "$tmp/named/best.ckpt" --data "$tmp/valid.csv"
# A shared token cache is keyed by the names file's bytes: renamed labels are not read from a stale cache.
"$bin" train --config "$tmp/cfg.json" --set output.dir="$tmp/named2" --set train.epochs=1 --set data.cache="$tmp/lncache" \
    --set data.label_names="$tmp/names/classes.txt" --quiet >/dev/null
sed -i 's/^World$/Welt/' "$tmp/names/classes.txt"
"$bin" train --config "$tmp/cfg.json" --set output.dir="$tmp/named3" --set train.epochs=1 --set data.cache="$tmp/lncache" \
    --set data.label_names="$tmp/names/classes.txt" --quiet >/dev/null
out=$(echo "Rebels attacked the capital" | "$bin" predict --model "$tmp/named3/best.ckpt" --top-k 4)
grep -q "Welt" <<<"$out" && ! grep -q "World" <<<"$out" && ok || bad "a changed names file was read from the cache: $out"
sed -i 's/^Welt$/World/' "$tmp/names/classes.txt"
printf '1,a,b\n7,c,d\n' > "$tmp/seven.csv"
expect 1 "seven.csv:2: label \"7\" has no name in .*classes.txt" "$bin" eval --model "$tmp/named/best.ckpt" --data "$tmp/seven.csv"

# ---- tune searches the encoder: its random trials set model.encoder (tune1 above, 5 trials) ----
grep -q '"model.encoder": ' "$tmp/tune1/tune.jsonl" && ok || bad "no tune trial chose model.encoder"
# ---- corpus-aware defaults: "auto" keys are printed with what decided them, stored
# resolved (config.json, the checkpoints), lose to --set, and a resume goes on exactly ----
cat > "$tmp/auto.json" <<JSON
{ "data": { "train": "$tmp/train.csv", "valid": "$tmp/valid.csv", "header": false,
            "label_column": 0, "text_columns": [1, 2] },
  "tokenizer": { "buckets": 20000 },
  "train": { "threads": 2 },
  "output": { "dir": "$tmp/auto" } }
JSON
"$bin" config --defaults | grep -q '"token_dropout":[[:space:]]*"auto"' && ok || bad "config --defaults does not show token_dropout \"auto\""
expect 0 "^auto: model.context=false model.gate=false model.token_dropout=0.2 bayes.weight=0.2 \([0-9.]+ tokens/doc\) train.epochs=10 \(1500 train docs\) train.refit=false \(validation from data.valid\)$" \
    "$bin" train --config "$tmp/auto.json"
[ "$(col "$tmp/auto/config.json" model.token_dropout) $(col "$tmp/auto/config.json" bayes.weight)" = "0.2 0.2" ] &&
    grep -q '"epochs":[[:space:]]*10,' "$tmp/auto/config.json" &&
    ok || bad "config.json does not hold the resolved auto values: $(grep -E 'token_dropout|"weight"|epochs' "$tmp/auto/config.json" | tr -d '\t\n')"
"$bin" config --model "$tmp/auto/best.ckpt" --quiet | grep -q '"token_dropout":[[:space:]]*0.2' &&
    ok || bad "the checkpoint does not hold the resolved token_dropout"
out=$("$bin" train --config "$tmp/auto.json" --set output.dir="$tmp/auto-set" --set model.token_dropout=0.35 \
    --set train.epochs=1 2>&1) && grep -q "^auto: model.context=false model.gate=false bayes.weight=0.2 ([0-9.]* tokens/doc) train.refit=false (validation from data.valid)$" <<<"$out" &&
    [ "$(col "$tmp/auto-set/config.json" model.token_dropout)" = 0.35 ] && grep -q '"epochs":[[:space:]]*1,' "$tmp/auto-set/config.json" &&
    ok || bad "--set does not win over auto: $out"
"$bin" train --config "$tmp/auto.json" --set output.dir="$tmp/auto-all" --set model.token_dropout=0 --set bayes.weight=0 \
    --set model.context=false --set model.gate=false --set train.epochs=1 --set train.refit=false 2>&1 | grep -q '^auto:' && bad "a run with no auto key left prints an auto: line" || ok
expect 2 "train.epochs=auto: a resumed run needs a number" "$bin" train --resume "$tmp/auto" --set train.epochs=auto
# The auto keys other than train.epochs are resolved from the corpus, stored, and a
# resume goes on with them exactly.
auto_endless=(train --config "$tmp/auto.json" --set train.patience=0 --set train.epochs=100000
              --set train.lr_schedule=constant --quiet)
interrupt INT 2 "$tmp/auto" auto_endless

# ---- train.refit: the settings again on training + validation documents, at the validated epoch ----
# Only the data keys: attnclf splits a tenth off the training file, so the auto rule refits.
refit=(train --data "$tmp/train.csv" --set data.header=false --set data.label_column=0 --set 'data.text_columns=[1,2]'
       --set tokenizer.buckets=20000 --set train.threads=2 --quiet)
# same_ckpt A B WHAT: the same sections, but for CONF (which names output.dir). One check.
same_ckpt() { "$ckptcmp" "$1" "$2" --ignore CONF >/dev/null && ok || bad "$3: $("$ckptcmp" "$1" "$2" --ignore CONF 2>&1)"; }
"$bin" "${refit[@]}" --output "$tmp/rfa" --set train.patience=0 --set train.epochs=3 >/dev/null 2>&1
"$bin" "${refit[@]}" --output "$tmp/rfb" --set train.patience=0 --set train.epochs=3 >/dev/null 2>&1
"$bin" "${refit[@]}" --output "$tmp/rfn" --set train.patience=0 --set train.epochs=3 --set train.refit=false >/dev/null 2>&1
grep -q '"refit":[[:space:]]*true' "$tmp/rfa/config.json" && grep -q '"refit":[[:space:]]*false' "$tmp/rfn/config.json" &&
    ok || bad "config.json does not hold the resolved train.refit"
[ -s "$tmp/rfa/validated.ckpt" ] && [ ! -e "$tmp/rfn/validated.ckpt" ] && ok || bad "refit: validated.ckpt: $(ls "$tmp/rfa" "$tmp/rfn")"
# The validated model is the run without a refit; the refit is another model, the same every time.
same_ckpt "$tmp/rfa/validated.ckpt" "$tmp/rfn/best.ckpt" "validated.ckpt is not the run's validated best.ckpt"
"$ckptcmp" "$tmp/rfa/best.ckpt" "$tmp/rfa/validated.ckpt" --ignore CONF >/dev/null; [ $? -eq 1 ] && ok || bad "the refit changed nothing"
same_ckpt "$tmp/rfa/best.ckpt" "$tmp/rfb/best.ckpt" "two refits differ"
rm -f "$tmp/rfa-exp.bin"
"$bin" export --model "$tmp/rfa/best.ckpt" --output "$tmp/rfa-exp.bin" >/dev/null 2>&1 && cmp -s "$tmp/rfa/model.bin" "$tmp/rfa-exp.bin" &&
    ok || bad "refit: model.bin is not the export of best.ckpt"
# It keeps the validated calibration: the same temperature and thresholds in both (CALB).
"$ckptcmp" "$tmp/rfa/best.ckpt" "$tmp/rfa/validated.ckpt" --only CALB >/dev/null &&
    ok || bad "the refit's calibration is not the validated one"
# Refitting a finished run (--set train.refit=true on resume) gives the same model; a
# refitted run is complete; training it on restores the validated best.ckpt first, so
# its validated.ckpt is the plain run's extended one.
expect 0 "checkpoint: best.ckpt, refitted on the training and validation documents; validated.ckpt is the validated model\)$" \
    "$bin" train --resume "$tmp/rfn" --set train.refit=true --quiet
same_ckpt "$tmp/rfn/best.ckpt" "$tmp/rfa/best.ckpt" "a refit on resume differs from the run's own"
expect 1 "the run is complete \(3 of 3 epochs\)" "$bin" train --resume "$tmp/rfa" --quiet
[ -s "$tmp/rfa/validated.ckpt" ] && ok || bad "a refused resume lost validated.ckpt"
"$bin" train --resume "$tmp/rfa" --set train.epochs=5 --quiet >/dev/null 2>&1
"$bin" "${refit[@]}" --output "$tmp/rfp" --set train.patience=0 --set train.epochs=3 --set train.refit=false >/dev/null 2>&1
"$bin" train --resume "$tmp/rfp" --set train.epochs=5 --quiet >/dev/null 2>&1
same_ckpt "$tmp/rfa/validated.ckpt" "$tmp/rfp/best.ckpt" "an extended refit run's validated.ckpt"
# The report of a refitted run is of its validated model (best.ckpt trained on the split).
"$bin" report --model "$tmp/rfa" --output "$tmp/rfa.html" >"$tmp/rfa.rep" 2>&1 &&
    "$bin" report --model "$tmp/rfp" --output "$tmp/rfp.html" >"$tmp/rfp.rep" 2>&1 &&
    grep -q 'accuracy 0\.[0-9]' "$tmp/rfa.rep" &&
    [ "$(grep -o 'accuracy [0-9.]*' "$tmp/rfa.rep")" = "$(grep -o 'accuracy [0-9.]*' "$tmp/rfp.rep")" ] &&
    ok || bad "the report of a refitted run: $(cat "$tmp/rfa.rep") / $(cat "$tmp/rfp.rep")"
# tune's final training refits too (its search split off the training file), and says so.
expect 0 "best.ckpt \(refitted on the training and validation documents; validated.ckpt is the validated model\)$" \
    "$bin" tune --data "$tmp/train.csv" --set data.header=false --set data.label_column=0 --set 'data.text_columns=[1,2]' \
    --set tokenizer.buckets=20000 --set train.epochs=3 --trials 2 --quiet --output "$tmp/rft"
[ -s "$tmp/rft/validated.ckpt" ] && ok || bad "tune's refit left no validated.ckpt: $(ls "$tmp/rft")"
# quantize scores the run's validation split: of a refitted model it says those documents trained it.
qa=$("$bin" quantize --model "$tmp/rfa/best.ckpt" --output "$tmp/rfa.small" 2>&1) &&
    qv=$("$bin" quantize --model "$tmp/rfa/validated.ckpt" --output "$tmp/rfa.small" 2>&1) &&
    grep -q "^note: the run was refitted" <<<"$qa" && grep -q "^validation accuracy" <<<"$qv" &&
    ! grep -q "refitted" <<<"$qv" &&
    ok || bad "quantize does not say that a refitted model trained on its validation split"
# --force clears every file of the run it replaces, validated.ckpt too.
"$bin" "${refit[@]}" --output "$tmp/rfa" --set train.epochs=1 --set train.refit=false --force >/dev/null 2>&1
[ ! -e "$tmp/rfa/validated.ckpt" ] && ok || bad "--force left validated.ckpt"

echo "cli: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
