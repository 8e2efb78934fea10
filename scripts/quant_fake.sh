#!/bin/sh
# Simulated quantization of trained IMDB and SST-2 models (scripts/quant_fake.c):
# accuracy on a held-out 10% of each training set (the test sets are not used), for
# int8 and product quantization with and without a norm cutoff.
# usage: scripts/quant_fake.sh [DATA_DIR] [WORK_DIR]   (from the project root)
set -eu
data=${1:-/work/shared/data}
work=${2:-/tmp/attnclf-quant-fake}
mkdir -p "$work"
make -s attnclf build/libattnclf.a
cc -std=c11 -O2 -fopenmp -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE $(for d in src/*/; do printf -- "-I%s " "$d"; done)scripts/quant_fake.c build/libattnclf.a \
    -o build/quant_fake -lcsv -lcjson -lm
# Deterministic 90/10 splits of the training sets.
python3 - "$data" "$work" <<'PY'
import csv, random, sys
csv.field_size_limit(sys.maxsize)
data, work = sys.argv[1], sys.argv[2]
random.seed(7)
rows = list(csv.reader(open(data + '/imdb/train.csv', newline='')))
head, body = rows[0], rows[1:]
random.shuffle(body)
k = len(body) // 10
for name, part in (('imdb_val.csv', body[:k]), ('imdb_tr.csv', body[k:])):
    with open(work + '/' + name, 'w', newline='') as f:
        w = csv.writer(f); w.writerow(head); w.writerows(part)
lines = open(data + '/sst2/train.tsv').read().splitlines()
head, body = lines[0], lines[1:]
random.shuffle(body)
k = len(body) // 10
open(work + '/sst2_val.tsv', 'w').write('\n'.join([head] + body[:k]) + '\n')
open(work + '/sst2_tr.tsv', 'w').write('\n'.join([head] + body[k:]) + '\n')
PY
acc() { ./attnclf eval --model "$1" --data "$2" --json | python3 -c 'import json,sys; print("%.4f" % json.load(sys.stdin)["accuracy"])'; }
run() { # name config train val
    [ -f "$work/$1/best.ckpt" ] || ./attnclf train --config "$2" --set data.train="$3" --set output.dir="$work/$1" --quiet
    echo "$1 full model: accuracy $(acc "$work/$1/best.ckpt" "$4")"
    while read -r cutoff mode rest; do
        out=$(build/quant_fake "$work/$1/best.ckpt" "$work/$1/fake.ckpt" "$cutoff" "$mode" $rest)
        echo "$1 cutoff=$cutoff $mode $rest: accuracy $(acc "$work/$1/fake.ckpt" "$4"); $out"
    done <<EOT
0 i8
0 pq 8 2 0 1
0 pq 8 2 1 1
0 pq 8 2 0 0
0 pq 4 2 0 1
0 pq 8 4 0 1
100000 pq 8 2 0 1
100000 pq 8 2 1 1
100000 i8
300000 pq 8 2 1 1
30000 pq 8 2 1 1
EOT
}
run imdb configs/imdb.json "$work/imdb_tr.csv" "$work/imdb_val.csv"
run sst2 configs/sst2.json "$work/sst2_tr.tsv" "$work/sst2_val.tsv"
