#!/bin/bash
# End-to-end tests of the attnclf command line: exit codes, messages, outputs.
# Usage: tests/cli.sh ./attnclf   (run from the project root)
set -u
bin=$(realpath "${1:-./attnclf}")
tmp=$(mktemp -d /tmp/attnclf-cli-XXXXXX)
trap 'rm -rf "$tmp"' EXIT
pass=0
fail=0

ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL: $*" >&2; }

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
expect 2 "option --t is ambiguous \(--text-column, --threads\)" "$bin" eval --t x
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
  "output": { "dir": "$tmp/run" } }
JSON
expect 0 "best valid_acc" "$bin" train --config "$tmp/cfg.json" --quiet
for f in best.ckpt last.ckpt config.json log.jsonl log.csv checkpoints/epoch-002.ckpt; do
    if [ -s "$tmp/run/$f" ]; then ok; else bad "train did not write $f"; fi
done
[ "$(wc -l <"$tmp/run/log.jsonl")" -eq 2 ] && ok || bad "log.jsonl should have 2 rows"
expect 0 "resolved config" "$bin" train --config "$tmp/cfg.json" --set output.dir="$tmp/run2" --set train.epochs=1
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
grep -qvP '^[1-4]\t[01]\.[0-9]{6}$' <<<"$out" && bad "predict: bad line format: $out" || ok
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
    a=$(OMP_NUM_THREADS=2 "$bin" predict --model "$model" $opts --input "$tmp/many.txt" | md5sum)
    # shellcheck disable=SC2086
    b=$(cat "$tmp/many.txt" | "$bin" predict --model "$model" $opts | md5sum)
    # shellcheck disable=SC2086
    n=$(OMP_NUM_THREADS=2 "$bin" predict --model "$model" $opts < "$tmp/many.txt" | wc -l)
    [ "$a" = "$b" ] && [ "$n" -eq 2500 ] && ok || bad "predict $opts: file and pipe answers differ ($n lines)"
done
# In a pipe each answer comes out as soon as its line is in: one line in, one line out,
# while the input stays open.
coproc PRED { "$bin" predict --model "$model" | cat; }
echo "The team won the cup final" >&"${PRED[1]}"
if read -r -t 20 answer <&"${PRED[0]}" && grep -qP '^[1-4]\t' <<<"$answer"; then ok; else bad "predict did not answer line by line in a pipe"; fi
exec {PRED[1]}>&-
wait "$PRED_PID" 2>/dev/null

# ---- checkpoints of format versions 1-3 still load and predict the same bytes ----
out=$("$bin" predict --model tests/fixtures/v1-plain.ckpt --top-k 2 --explain < tests/fixtures/v1-input.txt | md5sum)
[ "$out" = "$(md5sum < tests/fixtures/v1-expected.txt)" ] && ok || bad "a version 1 checkpoint predicts differently"
out=$("$bin" predict --model tests/fixtures/v2-context.ckpt --top-k 2 --explain < tests/fixtures/v1-input.txt | md5sum)
[ "$out" = "$(md5sum < tests/fixtures/v2-expected.txt)" ] && ok || bad "a version 2 checkpoint predicts differently"
out=$("$bin" predict --model tests/fixtures/v3-bayes.ckpt --top-k 3 --explain < tests/fixtures/v1-input.txt | md5sum)
[ "$out" = "$(md5sum < tests/fixtures/v3-expected.txt)" ] && ok || bad "a version 3 checkpoint predicts differently"

# ---- the naive Bayes member (bayes.*): counted on the training part, used by
# validation, eval and predict alike, resumable; the network trains as without it ----
expect 0 "naive Bayes member: [0-9]+ distinct 1\.\.2-grams, weight 0\.2" "$bin" train --config "$tmp/cfg.json" \
    --set output.dir="$tmp/nb" --set bayes.weight=0.2 --set bayes.ngrams=2
"$bin" train --config "$tmp/cfg.json" --set output.dir="$tmp/nb0" --quiet >/dev/null 2>&1
col() { python3 -c "import json,sys; print(' '.join(str(json.loads(l)[sys.argv[2]]) for l in open(sys.argv[1])))" "$@"; }
[ "$(col "$tmp/nb/log.jsonl" train_loss)" = "$(col "$tmp/nb0/log.jsonl" train_loss)" ] && ok || bad "the member changed the network's training"
[ "$(col "$tmp/nb/log.jsonl" valid_loss)" != "$(col "$tmp/nb0/log.jsonl" valid_loss)" ] && ok || bad "validation ignored the member"
acc=$("$bin" eval --model "$tmp/nb/last.ckpt" --data "$tmp/valid.csv" --json | python3 -c "import json,sys; print('%.6f' % json.load(sys.stdin)['accuracy'])")
[ "$acc" = "$(col "$tmp/nb/log.jsonl" valid_acc | awk '{printf "%.6f", $NF}')" ] && ok || bad "eval ($acc) and training's validation disagree with the member"
# A constant learning rate makes 1 epoch + 1 resumed the same run as 2 epochs.
nbset=(--set bayes.weight=0.2 --set bayes.ngrams=2 --set train.lr_schedule=constant --quiet)
expect 0 "best valid_acc" "$bin" train --config "$tmp/cfg.json" --set output.dir="$tmp/nbc" "${nbset[@]}"
expect 0 "best valid_acc" "$bin" train --config "$tmp/cfg.json" --set output.dir="$tmp/nbr" --set train.epochs=1 "${nbset[@]}"
expect 0 "best valid_acc" "$bin" train --resume "$tmp/nbr" --set train.epochs=2 --quiet
a=$("$bin" predict --model "$tmp/nbc/last.ckpt" --top-k 2 --input "$tmp/many.txt" | md5sum)
b=$("$bin" predict --model "$tmp/nbr/last.ckpt" --top-k 2 < "$tmp/many.txt" | md5sum)
[ "$a" = "$b" ] && ok || bad "a resumed run with the member predicts differently from an uninterrupted one"
out=$(echo "Stocks fell" | "$bin" predict --model "$tmp/nb/last.ckpt" --json --explain)
grep -qE '"tokens":\[.*\],"bayes":\{"1":-?[0-9.e-]+,"2":-?[0-9.e-]+,"3":-?[0-9.e-]+,"4":-?[0-9.e-]+\}\}$' <<<"$out" && ok || bad "predict --json --explain lacks the member's logits: $out"
expect 2 "bayes.weight must be a finite number >= 0, got -1" "$bin" train --config "$tmp/cfg.json" --set bayes.weight=-1
expect 2 'bayes.ngram=2: unknown key \(did you mean "bayes.ngrams"\?\)' "$bin" train --config "$tmp/cfg.json" --set bayes.ngram=2

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
: > "$tmp/empty.ckpt"
expect 1 "empty.ckpt: empty file" "$bin" predict --model "$tmp/empty.ckpt"
head -c 5000 "$model" > "$tmp/short.ckpt"
expect 1 "short.ckpt: truncated" "$bin" eval --model "$tmp/short.ckpt" --data "$tmp/valid.csv"
cp "$model" "$tmp/flip.ckpt"
printf '\x55' | dd of="$tmp/flip.ckpt" bs=1 seek=3000 conv=notrunc status=none
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
      --set train.epochs=20 --set model.dim=8 --set model.heads=1 --set train.threads=2 --quiet)
"$bin" "${long[@]}" --set output.dir="$tmp/full" >/dev/null 2>&1 && ok || bad "uninterrupted long run failed"
# interrupt SIGNAL NUMBER DIR: trains into DIR, sends SIGNAL once epoch 1 is saved,
# expects a clean stop, then resumes to the end. attnclf is started directly in the
# background (not through a subshell) so the signal reaches it.
interrupt() {
    local sig=$1 num=$2 dir=$3 pid rc
    "$bin" "${long[@]}" --set output.dir="$dir" >/dev/null 2>"$dir.err" &
    pid=$!
    for _ in $(seq 1 400); do [ -e "$dir/checkpoints/epoch-001.ckpt" ] && break; sleep 0.05; done
    kill -"$sig" "$pid"
    wait "$pid"
    rc=$?
    if [ "$rc" -eq 0 ]; then
        echo "note: the run finished before SIG$sig arrived; resume not exercised" >&2
    elif [ "$rc" -eq $((128 + num)) ] && grep -q "interrupted by signal $num at epoch" "$dir.err"; then
        ok
        "$bin" train --resume "$dir" --quiet >/dev/null 2>&1 && ok || bad "resume after SIG$sig failed"
    else
        bad "SIG$sig: exit $rc: $(cat "$dir.err")"
    fi
}
interrupt INT 2 "$tmp/intr"
# The checkpoints differ only in the output.dir they record: same size, same predictions.
[ "$(wc -c <"$tmp/full/last.ckpt")" -eq "$(wc -c <"$tmp/intr/last.ckpt")" ] && ok || bad "resumed checkpoint size differs"
cmp -s <(cut -d, -f1-6 "$tmp/full/log.csv") <(cut -d, -f1-6 "$tmp/intr/log.csv") && ok || bad "resumed log differs from uninterrupted: $(diff <(cut -d, -f1-6 "$tmp/full/log.csv") <(cut -d, -f1-6 "$tmp/intr/log.csv"))"
"$bin" eval --model "$tmp/full/last.ckpt" --data "$tmp/valid.csv" > "$tmp/full.eval"
"$bin" eval --model "$tmp/intr/last.ckpt" --data "$tmp/valid.csv" > "$tmp/intr.eval"
cmp -s "$tmp/full.eval" "$tmp/intr.eval" && ok || bad "resumed model predicts differently"
# SIGTERM (a scheduler's stop) behaves the same.
interrupt TERM 15 "$tmp/term"

# ---- kill -9 at any moment never leaves a damaged last.ckpt ----
for delay in 0.3 0.6 0.9 1.2 1.5; do
    rm -rf "$tmp/k9"
    "$bin" "${long[@]}" --set output.dir="$tmp/k9" >/dev/null 2>&1 &
    pid=$!
    sleep "$delay"
    kill -9 "$pid" 2>/dev/null
    wait "$pid" 2>/dev/null
    if [ -e "$tmp/k9/last.ckpt" ]; then
        "$bin" predict --model "$tmp/k9/last.ckpt" </dev/null && ok || bad "last.ckpt damaged after kill -9 at ${delay}s"
    fi
done

# ---- divergence is detected and the last good checkpoint kept ----
expect 1 "training diverged at epoch [0-9]+, step [0-9]+" "$bin" train --config "$tmp/cfg.json" \
    --set output.dir="$tmp/div" --set train.lr=10000 --set train.clip=0 --quiet

# ---- a file size limit while writing a checkpoint: the error names the file, the old one survives ----
cp -r "$tmp/run" "$tmp/full-disk"
out=$(bash -c "ulimit -f 1000; '$bin' train --resume '$tmp/full-disk' --set train.epochs=4 --quiet" 2>&1)
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
[ "$("$bin" predict --model "$model" --input - < "$tmp/lines.txt" | md5sum)" = "$("$bin" predict --model "$model" < "$tmp/lines.txt" | md5sum)" ] \
    && ok || bad "predict --input - differs from stdin"
# A run directory that holds a run is not overwritten; --force replaces it whole.
expect 1 "noconf: holds a run already \(last.ckpt\); continue it with 'attnclf train --resume .*noconf' or replace it with --force" \
    "$bin" train --data "$tmp/train.csv" --output "$tmp/noconf" --quiet
"$bin" train --config "$tmp/cfg.json" --set output.dir="$tmp/forced" --set train.epochs=3 --quiet >/dev/null 2>&1
expect 0 "best valid_acc" "$bin" train --config "$tmp/cfg.json" --set output.dir="$tmp/forced" --set train.epochs=1 --force --quiet
[ ! -e "$tmp/forced/checkpoints/epoch-003.ckpt" ] && [ "$(wc -l <"$tmp/forced/log.jsonl")" -eq 1 ] && ok || bad "--force left the old run's files"
# Two runs on one directory: the second is refused while the first holds the lock.
"$bin" "${long[@]}" --set output.dir="$tmp/locked" >/dev/null 2>&1 &
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
expect 2 "^attnclf train: --set train.epochs=abc: train.epochs must be an integer, got \"abc\"$" \
    "$bin" train --config "$tmp/cfg.json" --set train.epochs=abc
expect 2 "^attnclf train: --set train.epochs=-1: train.epochs must be >= 1, got -1$" \
    "$bin" train --config "$tmp/cfg.json" --set train.epochs=-1
printf '{ "data": { "train": "x.csv" }, "train": { "epochs": -1 }, "output": { "dir": "d" } }\n' > "$tmp/neg.json"
expect 1 "^attnclf train: train.epochs must be >= 1, got -1$" "$bin" train --config "$tmp/neg.json"
# predict --threads, -k, --quiet on every command; JSON numbers as short as round-trips allow.
[ "$(OMP_NUM_THREADS=2 "$bin" predict --model "$model" -k 2 --threads 1 --input "$tmp/many.txt" | md5sum)" = \
  "$("$bin" predict --model "$model" --top-k 2 --input "$tmp/many.txt" | md5sum)" ] && ok || bad "predict --threads 1 -k 2 differs"
expect 0 "^accuracy" "$bin" eval --model "$model" --data "$tmp/unknown.csv" --quiet
expect 0 "" "$bin" predict --model "$model" --quiet
expect 0 '"epochs":' "$bin" config --defaults --quiet
expect 2 "unknown option --k \(did you mean --top-k\?\)" "$bin" predict --model "$model" --k 2
out=$(echo "Stocks fell sharply" | "$bin" predict --model "$model" --json --explain)
grep -qE '[0-9]\.[0-9]{10,}' <<<"$out" && bad "predict --json prints floats longer than they need: $out" || ok
grep -qE '"prob":0\.[0-9]{1,9}[,}]' <<<"$out" && ok || bad "predict --json prob: $out"
expect 2 'unknown key \("epochs" is in section "train": did you mean "train.epochs"\?\)' \
    "$bin" train --config "$tmp/cfg.json" --set model.epochs=3

# ---- models to ship: export, quantize, vectors, nn, model.pretrained ----
for c in export quantize vectors nn; do expect 0 "usage: attnclf $c" "$bin" "$c" --help; done
# Training wrote model.bin from the best epoch: the export of best.ckpt, byte for byte.
expect 0 "exp.bin: [0-9]+ bytes, [0-9]+ of [0-9]+ embedding rows stored$" "$bin" export --model "$model" --output "$tmp/exp.bin"
cmp -s "$tmp/run/model.bin" "$tmp/exp.bin" && ok || bad "model.bin is not the export of best.ckpt"
[ "$(stat -c %s "$tmp/exp.bin")" -lt "$(stat -c %s "$model")" ] && ok || bad "the export is not smaller than its checkpoint"
for opts in "--top-k 4 --json --explain" "--top-k 2"; do
    # shellcheck disable=SC2086
    a=$("$bin" predict --model "$model" $opts --input "$tmp/many.txt" | md5sum)
    # shellcheck disable=SC2086
    b=$("$bin" predict --model "$tmp/exp.bin" $opts --input "$tmp/many.txt" | md5sum)
    [ "$a" = "$b" ] && ok || bad "predict $opts: the export answers differently from its checkpoint"
done
[ "$("$bin" eval --model "$model" --data "$tmp/valid.csv" --json)" = "$("$bin" eval --model "$tmp/exp.bin" --data "$tmp/valid.csv" --json)" ] \
    && ok || bad "eval: the export scores differently from its checkpoint"
expect 0 "exp8.bin: [0-9]+ bytes, .* stored as int8$" "$bin" export --model "$model" --output "$tmp/exp8.bin" --int8
expect 2 "--model CKPT and --output MODEL are required" "$bin" export --model "$model"
# A quantized model: smaller, and it scores the validation data as quantize said.
out=$("$bin" quantize --model "$model" --output "$tmp/q.bin" --cutoff 3000 --retrain --quiet; \
      "$bin" quantize --model "$model" --output "$tmp/q.bin" --cutoff 3000 --retrain 2>/dev/null)
grep -qE "^$tmp/q.bin: [0-9]+ bytes, 3000 of [0-9]+ embedding rows \([0-9]+ trained\), [0-9]+ of [0-9]+ words$" <<<"$out" \
    && ok || bad "quantize summary: $out"
said=$(grep -oE "retrained [0-9.]+" <<<"$out" | cut -d' ' -f2)
got=$("$bin" eval --model "$tmp/q.bin" --data "$tmp/valid.csv" --json | python3 -c "import json,sys; print('%.4f' % json.load(sys.stdin)['accuracy'])")
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

echo "cli: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
