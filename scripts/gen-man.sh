#!/bin/sh
# Writes the man page attnclf(1) with Debian's help2man from the program's own
# --help texts: the overview from `attnclf --help`, then one subsection per
# command (every command that `attnclf --help` lists) with its `--help`, so the
# page cannot drift from the program. `make man` runs it; docs/attnclf.1 is the
# checked-in result that `make install` installs, and .ci/run checks it is
# current (scripts/gen-man.sh --check) and renders without warnings (man -l).
# usage: scripts/gen-man.sh [--check] [BIN] [OUT]    (./attnclf, docs/attnclf.1)
set -eu
check=0
if [ "${1:-}" = "--check" ]; then check=1; shift; fi
bin=${1:-./attnclf}
out=${2:-docs/attnclf.1}
command -v help2man >/dev/null 2>&1 || { echo "gen-man: help2man is missing: sh scripts/install-deps.sh help2man" >&2; exit 1; }
work=$(mktemp -d /tmp/attnclf-man-XXXXXX)
trap 'rm -rf "$work"' EXIT
# roff: a backslash is \e, and a line may not start with . or ' (a request).
roff() { sed -e 's/\\/\\e/g' -e "s/^\\([.']\\)/\\\\\\&\\1/" -e 's/-/\\-/g'; }
{
    echo "[COMMANDS]"
    "$bin" --help | sed -n '/^commands:/,/^$/p' | sed -n 's/^  \([a-z]*\) .*/\1/p' | while read -r cmd; do
        echo ".SS $cmd"
        echo ".nf"
        "$bin" "$cmd" --help | roff
        echo ".fi"
    done
    cat <<'MORE'
[CONFIGURATION]
Every setting is a key of the config, a JSON object of sections (data, tokenizer,
model, train, output). Defaults come from the program's key table, then the file
given with \-\-config, then each \-\-set KEY=VALUE in order. \fBattnclf config
\-\-defaults\fR prints every key with its default; \fBattnclf config \-\-keys\fR
lists them; an unknown key is an error naming the nearest valid one.
[FILES]
A run directory (output.dir) holds best.ckpt, last.ckpt, checkpoints/epoch\-NNN.ckpt,
config.json (the resolved config), log.jsonl and log.csv. A checkpoint is one
binary file with the config, tokenizer, vocabulary, labels and weights; it is
written to a temporary name and renamed, so an interrupted run keeps the last
good one.
[EXIT STATUS]
0 on success, 2 for a usage error (a bad option or value), 1 for any other
error, 128+N when stopped by signal N (130 for Ctrl\-C) after writing a
resumable checkpoint.
[EXAMPLES]
.nf
attnclf train \-\-data train.csv \-\-output runs/x
attnclf eval \-\-model runs/x/best.ckpt \-\-data test.csv
echo "Oil prices hit a record" | attnclf predict \-\-model runs/x/best.ckpt \-\-explain
attnclf tune \-\-data train.csv \-\-valid valid.csv \-\-output runs/t \-\-budget 10m
.fi
[SEE ALSO]
.BR fasttext (1)
MORE
} >"$work/include"
# A fixed date (the last commit's, else none), so the page is the same bytes
# wherever it is made.
if [ -z "${SOURCE_DATE_EPOCH:-}" ]; then
    SOURCE_DATE_EPOCH=$(git log -1 --format=%ct 2>/dev/null || echo 0)
    export SOURCE_DATE_EPOCH
fi
help2man --no-info --no-discard-stderr --section=1 \
    --name="train and serve embedding + attention-pooling text classifiers" \
    --include="$work/include" --output="$work/attnclf.1" "$bin"
if [ "$check" -eq 1 ]; then
    # The date is not compared: a commit after the page was made changes it.
    grep -v '^\.TH' "$work/attnclf.1" >"$work/new"
    grep -v '^\.TH' "$out" >"$work/old" 2>/dev/null || true
    if ! cmp -s "$work/new" "$work/old"; then
        echo "gen-man: $out is out of date: run 'make man' and commit it" >&2
        exit 1
    fi
    echo "gen-man: $out is current"
else
    cp "$work/attnclf.1" "$out"
    echo "gen-man: wrote $out"
fi
