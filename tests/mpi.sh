#!/bin/bash
# Training over several processes (make MPI=1): mpirun -np 1 is the plain binary
# to the byte, -np 2 gives the same bits in every run and over TCP as over
# shared memory, independent of each process's threads; a signal to one rank
# stops both with a resumable last.ckpt and the resumed run ends where the
# uninterrupted one does; a rank killed with SIGKILL ends the job with a
# non-zero exit and a last.ckpt that still loads. The same bits for label sets,
# per-row weights, class weights and the one-vs-all loss; a batch that leaves one
# process no documents.
# Usage: tests/mpi.sh ./attnclf   (an MPI build; run from the project root)
set -u
bin=$(realpath "${1:-./attnclf}")
tmp=$(mktemp -d /tmp/attnclf-mpi-XXXXXX)
trap 'rm -rf "$tmp"' EXIT
pass=0
fail=0
ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL: $*" >&2; }

# Root in containers; more ranks than cores on small machines.
mpi=(mpirun --allow-run-as-root --oversubscribe)
# Over loopback TCP only (no shared memory): what ranks on two hosts use.
tcp=(--mca btl tcp,self --mca btl_tcp_if_include lo)

head -3000 data/agnews-sample/train.csv > "$tmp/train.csv"
tail -400 data/agnews-sample/valid.csv > "$tmp/valid.csv"
cat > "$tmp/cfg.json" <<JSON
{ "data": { "train": "$tmp/train.csv", "valid": "$tmp/valid.csv", "header": false,
            "label_column": 0, "text_columns": [1, 2] },
  "tokenizer": { "buckets": 20000 },
  "model": { "dim": 8, "heads": 2 },
  "train": { "epochs": 3, "threads": 1, "length_weight": 0.5 },
  "output": { "dir": "$tmp/run" } }
JSON
run() { "$bin" train --config "$tmp/cfg.json" --quiet "$@" >/dev/null 2>"$tmp/err" || { bad "$*: $(cat "$tmp/err")"; return 1; }; }
mrun() { local np=$1; shift; "${mpi[@]}" -np "$np" "$bin" train --config "$tmp/cfg.json" --quiet "$@" >/dev/null 2>"$tmp/err" || { bad "mpirun -np $np $*: $(cat "$tmp/err")"; return 1; }; }

# ---- -np 1 is the plain binary, byte for byte (same output.dir, so the same CONF) ----
run --set output.dir="$tmp/same"
cp "$tmp/same/best.ckpt" "$tmp/plain.ckpt"
cp "$tmp/same/log.csv" "$tmp/plain.csv"
mrun 1 --set output.dir="$tmp/same" --force
cmp -s "$tmp/same/best.ckpt" "$tmp/plain.ckpt" && ok || bad "mpirun -np 1 checkpoint differs from the plain binary's"

# ---- -np 2: reproducible, the same over TCP, independent of threads ----
mrun 2 --set output.dir="$tmp/two"
cp "$tmp/two/best.ckpt" "$tmp/two.ckpt"
cp "$tmp/two/log.csv" "$tmp/two.csv"
mrun 2 --set output.dir="$tmp/two" --force
cmp -s "$tmp/two/best.ckpt" "$tmp/two.ckpt" && ok || bad "two -np 2 runs differ"
"${mpi[@]}" "${tcp[@]}" -np 2 "$bin" train --config "$tmp/cfg.json" --quiet --set output.dir="$tmp/two" --force \
    >/dev/null 2>"$tmp/err" && ok || bad "-np 2 over TCP failed: $(cat "$tmp/err")"
cmp -s "$tmp/two/best.ckpt" "$tmp/two.ckpt" && ok || bad "-np 2 over TCP differs from shared memory"
mrun 2 --set output.dir="$tmp/two" --force --set train.threads=2
# CONF records train.threads; everything else must be the same bytes.
python3 scripts/ckpt_same.py "$tmp/two/best.ckpt" "$tmp/two.ckpt" --ignore CONF && ok ||
    bad "-np 2 with 2 threads per rank differs from 1 thread"
# A batch with fewer documents than processes (17 rows, batches of 16): the second
# process's share of the last batch is empty; it adds nothing, with and without the
# encoder (whose short documents train in packs), and the runs are reproducible.
head -17 data/agnews-sample/train.csv > "$tmp/short.csv"
for enc in none self_attention; do
    short=(--set data.train="$tmp/short.csv" --set train.batch_size=16 --set model.encoder=$enc)
    mrun 2 "${short[@]}" --set output.dir="$tmp/short" --force && ok
    cp "$tmp/short/best.ckpt" "$tmp/short.ckpt" 2>/dev/null
    mrun 2 "${short[@]}" --set output.dir="$tmp/short" --force &&
        { cmp -s "$tmp/short/best.ckpt" "$tmp/short.ckpt" && ok || bad "-np 2 with an empty share ($enc): two runs differ"; }
done
# The same batches as one process, summed in another order: the same losses to 4 decimals.
cmp -s <(cut -d, -f1-5 "$tmp/plain.csv" | awk -F, 'NR > 1 {printf "%.4f %.4f %.4f %.4f\n", $2, $3, $4, $5}') \
       <(cut -d, -f1-5 "$tmp/two.csv" | awk -F, 'NR > 1 {printf "%.4f %.4f %.4f %.4f\n", $2, $3, $4, $5}') &&
    ok || bad "-np 2 log far from one process's: $(paste -d'|' "$tmp/plain.csv" "$tmp/two.csv")"
"$bin" eval --model "$tmp/two.ckpt" --data "$tmp/valid.csv" >/dev/null && ok || bad "-np 2 checkpoint does not load"

# ---- label sets, per-row weights, class weights and the one-vs-all loss ----
# A third label on some rows ("3|w" style sets) and a weight column: -np 1 is the
# plain binary to the byte, -np 2 is reproducible and close to one process.
awk -F'","' 'BEGIN { OFS = "\",\"" } { sub(/^"/, "", $1); w = (NR % 3 == 0) ? "0.5" : ((NR % 5 == 0) ? "2" : "1");
    l = (NR % 4 == 0) ? $1 "|x" : $1; print "\"" l, w, $2 "\"" }' "$tmp/train.csv" > "$tmp/ml-train.csv"
awk -F'","' 'BEGIN { OFS = "\",\"" } { sub(/^"/, "", $1); l = (NR % 4 == 0) ? $1 "|x" : $1; print "\"" l, "1", $2 "\"" }' \
    "$tmp/valid.csv" > "$tmp/ml-valid.csv"
ova=(--set data.train="$tmp/ml-train.csv" --set data.valid="$tmp/ml-valid.csv" --set 'data.text_columns=[2]'
     --set data.label_separator='"|"' --set data.weight_column=1 --set model.loss=ova
     --set train.class_weight=balanced)
run "${ova[@]}" --set output.dir="$tmp/ova"
cp "$tmp/ova/best.ckpt" "$tmp/ova-plain.ckpt"
cp "$tmp/ova/log.csv" "$tmp/ova-plain.csv"
mrun 1 "${ova[@]}" --set output.dir="$tmp/ova" --force
cmp -s "$tmp/ova/best.ckpt" "$tmp/ova-plain.ckpt" && ok || bad "ova: mpirun -np 1 checkpoint differs from the plain binary's"
mrun 2 "${ova[@]}" --set output.dir="$tmp/ova" --force
cp "$tmp/ova/best.ckpt" "$tmp/ova-two.ckpt"
mrun 2 "${ova[@]}" --set output.dir="$tmp/ova" --force
cmp -s "$tmp/ova/best.ckpt" "$tmp/ova-two.ckpt" && ok || bad "ova: two -np 2 runs differ"
cmp -s <(awk -F, 'NR > 1 {printf "%.4f %.4f\n", $2, $3}' "$tmp/ova-plain.csv") \
       <(awk -F, 'NR > 1 {printf "%.4f %.4f\n", $2, $3}' "$tmp/ova/log.csv") &&
    ok || bad "ova: -np 2 log far from one process's: $(paste -d'|' "$tmp/ova-plain.csv" "$tmp/ova/log.csv")"

# ---- a signal to one rank stops both; the resumed run ends where the uninterrupted one does ----
# A run that cannot end before its signal, however fast the machine: more epochs than any
# machine gets through, at a constant rate, so that the number planned changes nothing
# else. Resumed with train.epochs set to one past the interrupted epoch, it must equal a
# fresh run of that many epochs.
endless=(--set data.train=data/agnews-sample/train.csv --set train.epochs=100000
         --set train.lr_schedule=constant --set train.patience=0)
# shellcheck source=tools/await.sh
. "$(dirname "$0")/tools/await.sh"
# rank_pid N: the pid of rank N of the mpirun job running in $tmp/$2.
rank_pid() {
    local p
    for p in $(pgrep -f "attnclf train --config $tmp/cfg.json .*output.dir=$tmp/$2\$"); do
        [ "$(tr '\0' '\n' </proc/"$p"/environ 2>/dev/null | sed -n 's/^OMPI_COMM_WORLD_RANK=//p')" = "$1" ] && { echo "$p"; return; }
    done
}
"${mpi[@]}" -np 2 "$bin" train --config "$tmp/cfg.json" --quiet "${endless[@]}" --set output.dir="$tmp/intr1" \
    >/dev/null 2>"$tmp/intr1.err" &
job=$!
await "$tmp/intr1/log.jsonl" "$job"
kill -TERM "$(rank_pid 1 intr1)"
wait "$job"
rc=$?
e=$(sed -n 's/.*interrupted by signal 15 at epoch \([0-9]*\), batch.*/\1/p' "$tmp/intr1.err" | head -1)
if [ "$rc" -ne 0 ] && [ -n "$e" ]; then
    ok
    "${mpi[@]}" -np 2 "$bin" train --resume "$tmp/intr1" --set train.epochs=$((e + 1)) --quiet >/dev/null 2>"$tmp/err" && ok ||
        bad "mpirun -np 2 resume failed: $(cat "$tmp/err")"
    mrun 2 "${endless[@]}" --set train.epochs=$((e + 1)) --set output.dir="$tmp/intr0"
    [ -s "$tmp/intr0/log.csv" ] && cmp -s <(cut -d, -f1-6 "$tmp/intr0/log.csv") <(cut -d, -f1-6 "$tmp/intr1/log.csv") && ok ||
        bad "resumed -np 2 log differs: $(diff <(cut -d, -f1-6 "$tmp/intr0/log.csv") <(cut -d, -f1-6 "$tmp/intr1/log.csv"))"
    # CONF names output.dir; STAT records that the resume re-planned the (constant) rate
    # for its new train.epochs. The weights and Adam's moments must be the same bytes.
    python3 scripts/ckpt_same.py "$tmp/intr0/last.ckpt" "$tmp/intr1/last.ckpt" --ignore CONF --ignore STAT && ok ||
        bad "resumed -np 2 checkpoint differs from the uninterrupted run's"
else
    bad "SIGTERM to rank 1: exit $rc: $(cat "$tmp/intr1.err")"
    bad "SIGTERM to rank 1: resume not tried, the run was not interrupted"
    bad "SIGTERM to rank 1: log not compared, the run was not interrupted"
    bad "SIGTERM to rank 1: checkpoint not compared, the run was not interrupted"
fi

# ---- a rank killed outright ends the job (no hang), and last.ckpt still loads ----
"${mpi[@]}" "${tcp[@]}" -np 2 "$bin" train --config "$tmp/cfg.json" --quiet "${endless[@]}" \
    --set output.checkpoint_every=0 --set output.dir="$tmp/k9" >/dev/null 2>"$tmp/k9.err" &
job=$!
await "$tmp/k9/last.ckpt" "$job"
kill -KILL "$(rank_pid 1 k9)"
# A hang would be a failure; 120 s is a bound for the slowest machine, not a timing claim.
for _ in $(seq 1 1200); do kill -0 "$job" 2>/dev/null || break; sleep 0.1; done
if kill -0 "$job" 2>/dev/null; then
    bad "the job still runs after rank 1 was killed"
    r0=$(rank_pid 0 k9)
    [ -n "$r0" ] && kill -KILL "$r0"
    kill -KILL "$job"
fi
wait "$job"
rc=$?
[ "$rc" -ne 0 ] && ok || bad "the job exited 0 after rank 1 was killed"
"$bin" predict --model "$tmp/k9/last.ckpt" </dev/null && ok || bad "last.ckpt does not load after a rank was killed"

# ---- train.refit is one process's: asked for over several, the run is refused before it trains ----
"${mpi[@]}" -np 2 "$bin" train --config "$tmp/cfg.json" --quiet --set train.refit=true --set output.dir="$tmp/refit" \
    >/dev/null 2>"$tmp/err"
rc=$?
[ "$rc" -eq 1 ] && grep -q "train.refit: not over several processes" "$tmp/err" && [ ! -e "$tmp/refit/log.jsonl" ] &&
    ok || bad "train.refit over two processes: exit $rc: $(cat "$tmp/err")"

echo "mpi: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
