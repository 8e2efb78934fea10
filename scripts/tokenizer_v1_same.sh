#!/bin/bash
# Checks that tokenizer version 1 gives the same tokens, byte for byte, as the
# tokenizer of BASE (a commit before versions existed; default: 9928e75, the
# last one) on every corpus in DATA_DIR, with lowercase + clean_html on
# and off, by dumping every text's tokens with bench/tokenize_bench.c built
# against each tree. Prints one line per corpus and setting; exits 1 on a diff.
#
# usage: scripts/tokenizer_v1_same.sh [DATA_DIR] [BASE]   (DATA_DIR: ../shared/data)
set -euo pipefail
cd "$(dirname "$0")/.."
data=${1:-../shared/data}
base=${2:-9928e75}
work=$(mktemp -d /tmp/attnclf-v1same-XXXXXX)
trap 'rm -rf "$work"' EXIT

make -s bench-tools
new=build/bench/tokenize_bench

scripts/base_tokenize_bench.sh "$work/old" "$base"
old=$work/old

status=0
# corpus FILE [-s KEY=VALUE]...
corpus() {
    local f=$1
    shift
    for on in 1 0; do
        "$old" -v 1 -l $on -H $on -d "$@" "$f" >"$work/a"
        "$new" -v 1 -l $on -H $on -d "$@" "$f" >"$work/b"
        if cmp -s "$work/a" "$work/b"; then
            printf 'same       %-28s lowercase+clean_html=%d  %7d texts\n' "${f#"$data"/}" $on "$(wc -l <"$work/a")"
        else
            printf 'DIFFERENT  %-28s lowercase+clean_html=%d\n' "${f#"$data"/}" $on
            status=1
        fi
    done
}
corpus "$data/imdb/train.csv"
corpus "$data/imdb/test.csv"
corpus "$data/sst2/train.tsv" -s data.text_columns=sentence
corpus "$data/agnews/test.csv" -s data.header=false -s data.label_column=0 -s 'data.text_columns=[1,2]'
corpus "$data/trec/train.tsv"
corpus "$data/subj/train.csv"
corpus "$data/mr/train.csv"
corpus "$data/sst5/train.tsv"
corpus data/agnews-sample/train.csv -s data.header=false -s data.label_column=0 -s 'data.text_columns=[1,2]'
exit $status
