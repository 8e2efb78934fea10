#!/bin/bash
# Models to ship, side by side with fastText on this machine: `attnclf quantize`
# against `fasttext quantize -qnorm -retrain -cutoff 100000` on IMDB and SST-2
# (file size in bytes, test accuracy, quantize wall time and peak RSS, predict
# throughput of the small model against the full one), then the AG News sample's
# exported models against its checkpoint (size, accuracy, the same predictions): the
# default export (rows as int8 moves) and `export --float`.
# Prints markdown and writes it to bench/ship.md; scripts/bench.sh runs it too.
#
# usage: scripts/bench_ship.sh [DATA_DIR]     (DATA_DIR defaults to ../shared/data)
#   REPS=3 timed runs of each quantize and predict (medians; the full and the small
#   model's predictions alternated, A B A B); THREADS=2 for both tools;
#   FT_LR=0.5 fastText's learning rate (bench.sh's pick for both corpora).
set -euo pipefail
cd "$(dirname "$0")/.."
data=${1:-../shared/data}
reps=${REPS:-3}
threads=${THREADS:-2}
ft_lr=${FT_LR:-0.5}
scripts/install-deps.sh fasttext time python3
make -s attnclf
bin=$(realpath ./attnclf)
work=$(mktemp -d /tmp/attnclf-ship-XXXXXX)
trap 'rm -rf "$work"' EXIT
export OMP_NUM_THREADS=$threads

# Quantize settings, chosen on validation splits only (README "Models to ship"): IMDB
# keeps the 200,000 rows of most attention mass and the naive Bayes member's priors
# alone (its 1.8M compact features would take 3.5 MB; none of 20,000 to 100,000 of
# them validated better than none), and retrains the kept rows and the dense layers
# for an epoch at lr 0.001 (scripts/quant_choose.sh: the probabilities nearest the
# full model's); SST-2's 13,851 rows and member all fit 1.0 MB.
imdb_quant=(--cutoff 200000 --bayes-cutoff 0 --retrain --retrain-rows --lr 0.001)
sst2_quant=()

median() { sort -g | awk '{a[NR] = $1} END {print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2}'; }
bytes() { stat -c %s "$1"; }

# timed OUT CMD...: runs CMD under /usr/bin/time -v; appends "wall_s rss_kib cpu_s" to OUT
# (cpu: user + system, which a busy shared machine inflates less than the wall time).
timed() {
    local out=$1
    shift
    /usr/bin/time -v "$@" >"$work/timed.out" 2>"$work/timed.err" || { cat "$work/timed.err" >&2; exit 1; }
    awk -F': ' '/Elapsed \(wall clock\)/ {n = split($2, t, ":"); s = 0; for (i = 1; i <= n; i++) s = s * 60 + t[i]; w = s}
                /User time \(seconds\)/ {u = $2} /System time \(seconds\)/ {y = $2}
                /Maximum resident set size/ {r = $2} END {print w, r, u + y}' "$work/timed.err" >>"$out"
}
wall() { awk '{print $1}' "$1" | median; }
cpu() { awk '{print $3}' "$1" | median; }
rss() { awk '{print $2 / 1024}' "$1" | median | awk '{printf "%.0f", $1}'; }
acc() { "$bin" eval --model "$1" --data "$2" --json | python3 -c "import json,sys; print('%.4f' % json.load(sys.stdin)['accuracy'])"; }
ft_acc() { fasttext test "$1" "$2" | awk '/^P@1/ {print $2}'; }

rows=()

# lps_of N TIMES: "W / C", the median lines per wall second and per CPU second of the
# runs in TIMES, each answering N lines.
lps_of() {
    echo "$(awk -v n="$1" '{print n / $1}' "$2" | median | awk '{printf "%.0f", $1}') / $(awk -v n="$1" '{print n / $3}' "$2" | median | awk '{printf "%.0f", $1}')"
}

# predict_run TOOL MODEL OUT: one timed prediction of the corpus's predict file ($d).
predict_run() {
    if [ "$1" = fasttext ]; then timed "$3" fasttext predict "$2" "$d/predict.norm"
    else timed "$3" "$bin" predict --model "$2" --input "$d/predict.txt"; fi
}

# alt_lines_per_s N TOOL MODEL_A MODEL_B: reps predictions with each model, alternated
# (A B A B ...) so that the shared machine's changing load falls on both alike; sets
# lps_a and lps_b ("W / C").
alt_lines_per_s() {
    local n=$1 tool=$2 a=$3 b=$4
    : >"$work/lps.a"
    : >"$work/lps.b"
    for _ in $(seq "$reps"); do
        predict_run "$tool" "$a" "$work/lps.a"
        predict_run "$tool" "$b" "$work/lps.b"
    done
    lps_a=$(lps_of "$n" "$work/lps.a")
    lps_b=$(lps_of "$n" "$work/lps.b")
}

ship_corpus() {
    local name=$1 kind=$2 train=$3 test=$4 label=$5 text=$6 cfg=$7
    shift 7
    local quant=("$@") d=$work/$name
    mkdir -p "$d"
    python3 scripts/bench_prepare.py "$kind" "$train" "$label" "$text" "$d/train.ft" "$d/train.txt"
    python3 scripts/bench_prepare.py "$kind" "$test" "$label" "$text" "$d/test.ft" "$d/test.txt"
    local n_test copies
    n_test=$(wc -l <"$d/test.txt")
    copies=$(( (25000 + n_test - 1) / n_test ))
    : >"$d/predict.norm"
    : >"$d/predict.txt"
    for _ in $(seq "$copies"); do
        sed 's/^__label__[^ ]* //' "$d/test.ft" >>"$d/predict.norm"
        cat "$d/test.txt" >>"$d/predict.txt"
    done
    n_test=$((n_test * copies))

    echo "== $name: fastText (dim 10, lr $ft_lr), then fasttext quantize -qnorm -retrain -cutoff 100000" >&2
    fasttext supervised -input "$d/train.ft" -output "$d/ft" -dim 10 -wordNgrams 2 -minCount 1 -bucket 10000000 \
        -epoch 5 -lr "$ft_lr" -thread "$threads" -verbose 0
    : >"$d/ftq.times"
    for _ in $(seq "$reps"); do
        rm -f "$d/ft.ftz"
        timed "$d/ftq.times" fasttext quantize -input "$d/train.ft" -output "$d/ft" -qnorm -retrain -cutoff 100000 \
            -thread "$threads" -verbose 0
    done
    local ft_pred ftz_pred lps_a lps_b
    alt_lines_per_s "$n_test" fasttext "$d/ft.bin" "$d/ft.ftz"
    ft_pred=$lps_a
    ftz_pred=$lps_b
    rows+=("| $name | fastText .bin | $(bytes "$d/ft.bin") | $(ft_acc "$d/ft.bin" "$d/test.ft") | | | $ft_pred |")
    rows+=("| $name | fastText .ftz (\`quantize -qnorm -retrain -cutoff 100000\`) | $(bytes "$d/ft.ftz") | $(ft_acc "$d/ft.ftz" "$d/test.ft") | $(wall "$d/ftq.times") / $(cpu "$d/ftq.times") | $(rss "$d/ftq.times") | $ftz_pred |")

    echo "== $name: attnclf $cfg (seed 1), then attnclf quantize ${quant[*]:-(the defaults)}" >&2
    "$bin" train --config "$cfg" --set data.train="$train" --set output.dir="$d/run" --set train.threads="$threads" --quiet >/dev/null
    : >"$d/exp.times"
    : >"$d/q.times"
    for _ in $(seq "$reps"); do
        timed "$d/exp.times" "$bin" export --model "$d/run/best.ckpt" --output "$d/exp.bin" --quiet
        timed "$d/q.times" "$bin" quantize --model "$d/run/best.ckpt" --output "$d/q.bin" --threads "$threads" --quiet "${quant[@]}"
    done
    cmp -s "$d/exp.bin" "$d/run/model.bin" || { echo "$name: the export differs from the run's model.bin" >&2; exit 1; }
    local at_pred q_pred
    alt_lines_per_s "$n_test" attnclf "$d/run/best.ckpt" "$d/q.bin"
    at_pred=$lps_a
    q_pred=$lps_b
    rows+=("| $name | attnclf best.ckpt ($(basename "$cfg")) | $(bytes "$d/run/best.ckpt") | $(acc "$d/run/best.ckpt" "$test") | | | $at_pred |")
    rows+=("| $name | attnclf model.bin (\`export\`) | $(bytes "$d/run/model.bin") | $(acc "$d/run/model.bin" "$test") | $(wall "$d/exp.times") / $(cpu "$d/exp.times") | $(rss "$d/exp.times") | |")
    rows+=("| $name | attnclf \`quantize${quant[*]:+ ${quant[*]}}\`$([ ${#quant[@]} -gt 0 ] || echo " (the defaults)") | $(bytes "$d/q.bin") | $(acc "$d/q.bin" "$test") | $(wall "$d/q.times") / $(cpu "$d/q.times") | $(rss "$d/q.times") | $q_pred |")
}

# The sample's exported models against the checkpoint: bytes, accuracy on its
# validation file, and how many of the 1,600 predictions (--json --top-k 4) match.
sample_export() {
    local d=$work/sample
    echo "== AG News sample: configs/sample.json, export and export --float" >&2
    "$bin" train --config configs/sample.json --set output.dir="$d" --set train.threads="$threads" --quiet >/dev/null
    "$bin" export --model "$d/best.ckpt" --output "$d/expf.bin" --float --quiet
    local v=data/agnews-sample/valid.csv
    python3 - "$bin" "$d" "$v" <<'PY' >"$work/sample.rows"
import csv, json, os, subprocess, sys
bin, d, v = sys.argv[1:4]
texts = "".join(r[1] + " " + r[2] + "\n" for r in csv.reader(open(v, newline="")))
def run(m):
    out = subprocess.run([bin, "predict", "--model", m, "--json", "--top-k", "4"], input=texts, capture_output=True,
                         text=True, check=True).stdout
    return out, [json.loads(l) for l in out.splitlines()]
def accuracy(m):
    out = subprocess.run([bin, "eval", "--model", m, "--data", v, "--json"], capture_output=True, text=True, check=True)
    return json.loads(out.stdout)["accuracy"]
full_text, full = run(d + "/best.ckpt")
for name, path in (("best.ckpt", "best.ckpt"), ("model.bin (`export`, rows as int8 moves)", "model.bin"),
                   ("`export --float`", "expf.bin")):
    text, got = run(d + "/" + path)
    same = sum(a["label"] == b["label"] for a, b in zip(full, got))
    dp = max(abs(x["prob"] - y["prob"]) for a, b in zip(full, got)
             for x, y in zip(sorted(a["top"], key=lambda t: t["label"]), sorted(b["top"], key=lambda t: t["label"])))
    print("| AG News sample | attnclf %s | %d | %.4f | %s | %d of %d | %.2g |" % (
        name, os.path.getsize(d + "/" + path), accuracy(d + "/" + path),
        "yes" if text == full_text else "no", same, len(full), dp))
PY
}

ship_corpus IMDB csv "$data/imdb/train.csv" "$data/imdb/test.csv" label text configs/imdb.json "${imdb_quant[@]}"
ship_corpus SST-2 tsv "$data/sst2/train.tsv" "$data/sst2/dev.tsv" label sentence configs/sst2.json "${sst2_quant[@]}"
sample_export

mkdir -p bench
{
    echo "Measured $(date -u +%Y-%m-%d) on $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'),"
    echo "load average $(cut -d' ' -f1-3 /proc/loadavg) at the end; $threads threads for both tools; times are medians of $reps runs"
    echo "(predictions: the full and the small model alternated)."
    echo "Test accuracy: IMDB test (25,000 reviews), SST-2 dev (872 sentences); fastText's lr $ft_lr, attnclf seed 1."
    echo
    echo "| corpus | model | bytes | test accuracy | quantize (export) s, wall / CPU | peak RSS MiB | predict lines per wall / CPU s |"
    echo "|---|---|---|---|---|---|---|"
    printf '%s\n' "${rows[@]}"
    echo
    echo "The AG News sample's exported models (\`configs/sample.json\`), against the checkpoint on its 1,600"
    echo "validation texts (\`predict --json --top-k 4\`):"
    echo
    echo "| corpus | model | bytes | validation accuracy | same bytes as the checkpoint's answers | same label | max prob difference |"
    echo "|---|---|---|---|---|---|---|"
    cat "$work/sample.rows"
} | tee bench/ship.md
