#!/bin/bash
# Every kind of bad input gets a one-line message and the right exit code (2 usage,
# 1 otherwise), never a crash or a hang. Prints a table of case, exit code and message
# (the closing note of the robustness issue quotes it), then "N passed, N failed".
# Usage: tests/badinput.sh ./attnclf   (from the project root)
# Every case runs on every run, as root too, so the count never changes.
set -u
case $0 in */*) here=${0%/*} ;; *) here=. ;; esac
. "$here/tools/require.sh"
require_tools badinput.sh
bin=$(realpath -m "${1:-./attnclf}")
[ -x "$bin" ] || { echo "badinput.sh: cannot run, missing: $bin (make builds it)" >&2; exit 1; }
tmp=$(mktemp -d "${TMPDIR:-/tmp}/attnclf-bad-XXXXXX")
trap 'chmod -R u+w "$tmp"; rm -rf "$tmp"' EXIT
# Permission cases need a user whom permissions stop: as root they run as nobody
# (setpriv drops every capability with the uid). nobody reaches only $tmp, so the
# binary is copied there.
chmod 755 "$tmp"
if [ "$(id -u)" -eq 0 ]; then
    cp "$bin" "$tmp/attnclf"
    unpriv=(setpriv --reuid=65534 --regid=65534 --clear-groups)
    ubin=$tmp/attnclf
else
    unpriv=(env)
    ubin=$bin
fi
pass=0
fail=0
table=()

# case NAME CODE PATTERN CMD...: CMD must exit CODE with one stderr line matching PATTERN.
# The timeout only catches a hang: it is far above the slowest case (10,000 labels: 25 s
# under ASan with the machine's load at 9; 60 s was too close for a loaded machine).
case_() {
    local name=$1 code=$2 pat=$3
    shift 3
    local out err rc lines
    out=$(timeout 600 "$@" 2>"$tmp/stderr" </dev/null)
    rc=$?
    err=$(cat "$tmp/stderr")
    lines=$(grep -c . <<<"$err")
    # A failure is one line on stderr; a success is judged on stdout and stderr together.
    [ "$code" -eq 0 ] && err="$out${err:+ / $err}" && lines=1
    if [ "$rc" -eq "$code" ] && grep -qE -- "$pat" <<<"$err" && [ "$lines" -eq 1 ]; then
        pass=$((pass + 1))
    else
        fail=$((fail + 1))
        echo "FAIL: $name: exit $rc (want $code), $lines lines: $err" >&2
    fi
    table+=("| $name | $rc | \`${err//|/\\|}\` |")
}

# A config around a data file; train with it: train DATAFILE [--set ...].
cat > "$tmp/base.json" <<JSON
{ "data": { "train": "PLACEHOLDER", "valid_fraction": 0.2, "header": true,
            "label_column": "label", "text_columns": ["text"] },
  "tokenizer": { "buckets": 1000 }, "model": { "dim": 4, "heads": 1 },
  "train": { "epochs": 1 }, "output": { "dir": "$tmp/out", "keep_checkpoints": 2 } }
JSON
# A script, not a function, so that timeout can run it.
printf '#!/bin/sh\nf=$1; shift\nexec "%s" train --config "%s" --set data.train="$f" --force --quiet "$@"\n' "$bin" "$tmp/base.json" > "$tmp/train"
chmod +x "$tmp/train"
train() { "$tmp/train" "$@"; }
good() { printf 'label,text\n'; for i in $(seq 1 40); do echo "pos,good fine film $i"; echo "neg,bad awful film $i"; done; }

# ---- corpus ----
: > "$tmp/empty.csv"
case_ "empty file" 1 "empty.csv: no data rows" "$tmp/train" "$tmp/empty.csv"
printf 'label,text\n' > "$tmp/header.csv"
case_ "header only" 1 "header.csv: no data rows" "$tmp/train" "$tmp/header.csv"
{ good; printf 'pos,"never closed\n'; } > "$tmp/quote.csv"
case_ "unterminated quote" 1 "quote.csv:82: unterminated quoted field" "$tmp/train" "$tmp/quote.csv"
{ printf 'label,text,extra\n'; good | tail -n +2 | sed 's/$/,x/'; echo "pos"; } > "$tmp/cols.csv"
case_ "wrong column count on one row" 1 "cols.csv:82: row has 1 columns" "$tmp/train" "$tmp/cols.csv"
good > "$tmp/good.csv"
case_ "label column missing by name" 1 'good.csv:1: no column named "lbl"' "$tmp/train" "$tmp/good.csv" --set data.label_column=lbl
case_ "text column missing by name" 1 'good.csv:1: no column named "body"' "$tmp/train" "$tmp/good.csv" --set data.text_columns=body
case_ "label column out of range" 1 "column 7" "$tmp/train" "$tmp/good.csv" --set data.label_column=7 --set data.header=false --set 'data.text_columns=[1]'
case_ "text column out of range" 1 "column 9" "$tmp/train" "$tmp/good.csv" --set 'data.text_columns=[1,9]' --set data.header=false --set data.label_column=0
{ good; echo ",no label here"; } > "$tmp/nolabel.csv"
case_ "empty label" 1 "nolabel.csv:82: label column is empty" "$tmp/train" "$tmp/nolabel.csv"
{ good; echo "pos,   "; } > "$tmp/notext.csv"
case_ "empty text (an empty document, trained)" 0 "best valid_acc" "$tmp/train" "$tmp/notext.csv"
case_ "bad rows skipped with on_bad_row skip" 0 "skipped 1 bad rows; first: .*nolabel.csv:82: label column is empty" \
    "$tmp/train" "$tmp/nolabel.csv" --set data.on_bad_row=skip --set output.dir="$tmp/skip"
{ good; printf 'pos,nul\0byte inside\n'; } > "$tmp/nul.csv"
case_ "NUL bytes (trained)" 0 "best valid_acc" "$tmp/train" "$tmp/nul.csv"
{ good; printf 'pos,caf\xe9 \xff\xfe broken utf-8\n'; } > "$tmp/utf8.csv"
case_ "invalid UTF-8 (trained)" 0 "best valid_acc" "$tmp/train" "$tmp/utf8.csv"
{ printf '\xef\xbb\xbf'; good; } > "$tmp/bom.csv"
case_ "UTF-8 BOM before the header (trained)" 0 "best valid_acc" "$tmp/train" "$tmp/bom.csv"
good | sed 's/$/\r/' > "$tmp/crlf.csv"
case_ "CRLF line endings (trained)" 0 "best valid_acc" "$tmp/train" "$tmp/crlf.csv"
{ good; printf 'pos,"'; head -c 20000000 /dev/zero | tr '\0' 'a' | fold -w 9 | tr '\n' ' '; printf '"\n'; } > "$tmp/long.csv"
case_ "a 20 MB single line (trained)" 0 "best valid_acc" "$tmp/train" "$tmp/long.csv"
printf 'label,text\n' > "$tmp/one.csv"; for i in $(seq 1 30); do echo "pos,good $i"; done >> "$tmp/one.csv"
case_ "one class only" 1 'only one label \("pos"\) in 30 rows: training needs at least two classes' "$tmp/train" "$tmp/one.csv"
{ printf 'label,text\n'; for i in $(seq 1 10000); do echo "L$i,word$i common"; done; } > "$tmp/many.csv"
case_ "10,000 distinct labels (trained)" 0 "trained 1 epochs" "$tmp/train" "$tmp/many.csv" --set data.valid_fraction=0
{ echo "__label__a good film"; echo "no label on this line"; } > "$tmp/nolabel.txt"
case_ "fastText line without __label__" 1 "nolabel.txt:2: line has no label \\(no token starts with \"__label__\"\\)" "$tmp/train" "$tmp/nolabel.txt" --set data.format=fasttext
mkdir "$tmp/adir"
case_ "a directory as data" 1 "adir: is a directory" "$tmp/train" "$tmp/adir"
case_ "a missing data file" 1 "missing.csv: cannot open: No such file or directory" "$tmp/train" "$tmp/missing.csv"
good > "$tmp/unreadable.csv"; chmod 000 "$tmp/unreadable.csv"
mkdir -m 777 "$tmp/anyone"
case_ "an unreadable data file" 1 "unreadable.csv: cannot open: Permission denied" \
    "${unpriv[@]}" "$ubin" train --config "$tmp/base.json" --set data.train="$tmp/unreadable.csv" \
    --set output.dir="$tmp/anyone/run" --quiet

# ---- config ----
printf '{ "data": {\n  "train": "x.csv",\n  oops\n} }\n' > "$tmp/notjson.json"
case_ "config not JSON" 1 "notjson.json:3:[0-9]+: not valid JSON" "$bin" train --config "$tmp/notjson.json"
echo '{ "data": { "train": "x.csv" }, "output": { "dir": "d" }, "train": { "epoch": 3 } }' > "$tmp/unknown.json"
case_ "config unknown key" 1 'unknown key "train.epoch" \(did you mean "train.epochs"\?\)' "$bin" train --config "$tmp/unknown.json"
echo '{ "data": { "train": "x.csv" }, "output": { "dir": "d" }, "model": { "dim": "64" } }' > "$tmp/type.json"
case_ "config wrong type" 1 'model.dim must be an integer, got "64"' "$bin" train --config "$tmp/type.json"
case_ "dim 0" 2 "model.dim must be >= 1, got 0" "$tmp/train" "$tmp/good.csv" --set model.dim=0
case_ "heads 0" 2 "model.heads must be >= 1, got 0" "$tmp/train" "$tmp/good.csv" --set model.heads=0
case_ "negative lr" 2 "train.lr must be a finite number > 0, got -0.1" "$tmp/train" "$tmp/good.csv" --set train.lr=-0.1
case_ "lr NaN" 2 "train.lr" "$tmp/train" "$tmp/good.csv" --set train.lr=nan
case_ "batch_size 0" 2 "train.batch_size must be >= 1, got 0" "$tmp/train" "$tmp/good.csv" --set train.batch_size=0
case_ "valid_fraction 1.5" 2 "data.valid_fraction must be .*got 1.5" "$tmp/train" "$tmp/good.csv" --set data.valid_fraction=1.5
case_ "length_weight 3" 2 "train.length_weight must be a finite number in \[0, 2\], got 3" "$tmp/train" "$tmp/good.csv" --set train.length_weight=3
case_ "--set unknown key" 2 'did you mean "model.dim"' "$tmp/train" "$tmp/good.csv" --set model.dimm=3
case_ "--set bad value" 2 "model.heads" "$tmp/train" "$tmp/good.csv" --set model.heads=many
case_ "--set without =" 2 "model.heads" "$tmp/train" "$tmp/good.csv" --set model.heads

# ---- checkpoint ----
# Flips every bit of the byte at offset $2 of file $1 (never leaves it as it was,
# whatever the file holds there: its bytes change with the run's temporary paths).
flip_byte() {
    local b
    b=$(od -An -tu1 -j "$2" -N1 "$1" | tr -d ' ')
    printf "\\$(printf '%03o' $((b ^ 255)))" | dd of="$1" bs=1 seek="$2" conv=notrunc status=none
}

# Its token cache is kept (the corpus is too small for one by default), so that the
# resumed copy under a file size limit below writes only checkpoints.
case_ "a model to damage (trained)" 0 "best valid_acc" "$tmp/train" "$tmp/good.csv" --set output.dir="$tmp/model" \
    --set data.cache="$tmp/model-cache"
ck=$tmp/model/best.ckpt
case_ "not a checkpoint" 1 "good.csv: is a text file, not an attnclf checkpoint" "$bin" predict --model "$tmp/good.csv"
: > "$tmp/empty.ckpt"
case_ "empty checkpoint" 1 "empty.ckpt: empty file, not a checkpoint" "$bin" predict --model "$tmp/empty.ckpt"
size=$(stat -c %s "$ck")
bad_trunc=0
for len in 1 7 8 23 24 100 1000 $((size / 2)) $((size - 9)) $((size - 8)) $((size - 1)); do
    head -c "$len" "$ck" > "$tmp/trunc.ckpt"
    "$bin" predict --model "$tmp/trunc.ckpt" </dev/null >/dev/null 2>&1
    [ $? -eq 1 ] || bad_trunc=$((bad_trunc + 1))
done
head -c $((size / 2)) "$ck" > "$tmp/trunc.ckpt"
case_ "truncated checkpoint (11 lengths tried)" 1 "trunc.ckpt: truncated checkpoint \([0-9]+ of $size bytes\)" \
    bash -c "[ $bad_trunc -eq 0 ] && exec '$bin' predict --model '$tmp/trunc.ckpt'"
bad_flip=0
for at in 0 9 17 30 200 $((size / 3)) $((size / 2)) $((size - 3)); do
    cp "$ck" "$tmp/flip.ckpt"
    flip_byte "$tmp/flip.ckpt" "$at"
    "$bin" predict --model "$tmp/flip.ckpt" </dev/null >/dev/null 2>&1
    [ $? -eq 1 ] || bad_flip=$((bad_flip + 1))
done
case_ "a flipped byte (8 offsets tried)" 1 "flip.ckpt: (checksum mismatch|not an attnclf|truncated|.*version)" \
    bash -c "[ $bad_flip -eq 0 ] && exec '$bin' predict --model '$tmp/flip.ckpt'"
cp "$ck" "$tmp/future.ckpt"
printf '\x07' | dd of="$tmp/future.ckpt" bs=1 seek=8 conv=notrunc status=none
case_ "a future format version" 1 "future.ckpt: checkpoint format version 7 is newer than this attnclf supports \([0-9]+\)" \
    "$bin" eval --model "$tmp/future.ckpt" --data "$tmp/good.csv"
cp "$ck" "$tmp/v0.ckpt"
printf '\x00' | dd of="$tmp/v0.ckpt" bs=1 seek=8 conv=notrunc status=none
case_ "format version 0" 1 "v0.ckpt: unsupported checkpoint format version 0" \
    "$bin" eval --model "$tmp/v0.ckpt" --data "$tmp/good.csv"

# ---- output ----
mkdir "$tmp/ro"; chmod 555 "$tmp/ro"
case_ "output dir not writable" 1 "ro/run.*Permission denied" \
    "${unpriv[@]}" "$ubin" train --config "$tmp/base.json" --set data.train="$tmp/good.csv" --set output.dir="$tmp/ro/run" --quiet
case_ "output dir under a file" 1 "good.csv/run: cannot create directory: Not a directory" "$tmp/train" "$tmp/good.csv" --set output.dir="$tmp/good.csv/run"
cp -r "$tmp/model" "$tmp/fsize"
case_ "file size limit while writing a checkpoint" 1 "fsize/checkpoints/epoch-002.ckpt: write failed: File too large" \
    bash -c "ulimit -f 4; exec '$bin' train --resume '$tmp/fsize' --set train.epochs=2 --quiet"
case_ "... and the previous checkpoint still loads" 0 "^loaded$" bash -c "'$bin' predict --model '$tmp/fsize/last.ckpt' </dev/null && echo loaded"
# /dev/full exists on every Linux (debootstrap creates it in a chroot); a missing one fails.
case_ "predict into a full disk (/dev/full)" 1 "stdout: write failed: No space left on device" \
    bash -c "echo good | '$bin' predict --model '$ck' > /dev/full"

# ---- multi-label ----
{ good | tail -n +2 | sed 's/^\([a-z]*\),/__label__\1 /'; echo "__label__pos __label__ stray prefix"; } > "$tmp/prefix.txt"
case_ "label prefix with nothing after it" 1 'prefix.txt:81: token 2: label prefix "__label__" with nothing after it' \
    "$tmp/train" "$tmp/prefix.txt" --set data.format=fasttext
{ good | sed 's/^pos,/pos;neg,/'; echo "pos;;neg,two separators"; } > "$tmp/sep.csv"
case_ "label separator leaving an empty label" 1 'sep.csv:82: label column: separator ";" leaves label 2 of "pos;;neg" empty' \
    "$tmp/train" "$tmp/sep.csv" --set 'data.label_separator=";"'
case_ "class_weight naming an unknown label" 1 'train.class_weight: no label "poss" in the training data \(did you mean "pos"\?\)' \
    "$tmp/train" "$tmp/good.csv" --set 'train.class_weight={"poss":2}'
case_ "class_weight negative" 2 'train.class_weight: the weight of "pos" must be a finite number >= 0, got -1' \
    "$tmp/train" "$tmp/good.csv" --set 'train.class_weight={"pos":-1}'
{ good | sed '1s/$/,w/; 2,$s/$/,1/'; echo "pos,negative weight,-0.5"; } > "$tmp/negw.csv"
case_ "negative row weight" 1 'negw.csv:82: weight column: "-0.5" is negative' \
    "$tmp/train" "$tmp/negw.csv" --set 'data.weight_column="w"'
{ good | sed '1s/$/,w/; 2,$s/$/,1/'; echo "pos,infinite weight,inf"; } > "$tmp/infw.csv"
case_ "non-finite row weight" 1 'infw.csv:82: weight column: "inf" is not finite' \
    "$tmp/train" "$tmp/infw.csv" --set 'data.weight_column="w"'
{ good | sed '1s/$/,w/; 2,$s/$/,1/'; echo "pos,no weight,"; } > "$tmp/now.csv"
case_ "empty row weight" 1 'now.csv:82: weight column' "$tmp/train" "$tmp/now.csv" --set 'data.weight_column="w"'
case_ "predict --threshold above 1" 2 "--threshold 1.5: expected a probability in \[0, 1\] or auto" \
    bash -c "echo good | exec '$bin' predict --model '$ck' --threshold 1.5"
case_ "eval --threshold below 0" 2 "--threshold -0.1: expected a probability in \[0, 1\] or auto" \
    "$bin" eval --model "$ck" --data "$tmp/good.csv" --threshold -0.1
case_ "train.min_labels out of range" 2 "train.min_labels must be <= 1, got 2" \
    "$bin" train --data "$tmp/good.csv" --output "$tmp/minlab" --set train.min_labels=2
case_ "eval --threshold NaN" 2 "--threshold nan: expected a probability in \[0, 1\] or auto" \
    "$bin" eval --model "$ck" --data "$tmp/good.csv" --threshold nan
case_ "test THRESHOLD 2" 2 "THRESHOLD 2: expected a probability in \[0, 1\]" "$bin" test "$ck" "$tmp/good.csv" 1 2

printf '%s\n' "| case | exit | message |" "|---|---|---|" "${table[@]}"
echo "badinput: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
