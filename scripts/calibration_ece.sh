#!/bin/bash
# Expected calibration error (15 bins) and log loss on the IMDB test set and SST-2's
# dev set (the test set of README's tables) before and after attnclf's calibration,
# for the same weights: "after" is the trained checkpoint (its CALB section: the
# temperature fitted on the validation split), "before" the same file without CALB
# (scripts/ckpt_drop.c), which scores with temperature 1.
#   IMDB:  configs/imdb.json as shipped (10% of train.csv validates and calibrates).
#   SST-2: configs/sst2.json trains on all of train.tsv with no validation split, so
#          it has nothing to calibrate on; here it trains on scripts/sst2_split.py's
#          split (train_part.tsv, with the 1,000 held-out sentences validating).
#
# usage: scripts/calibration_ece.sh [DATA_DIR]   (DATA_DIR defaults to ../shared/data)
#   CORPORA="sst2 imdb", SEEDS="1" (one row per corpus and seed), THREADS=2,
#   IMDB_CONFIG=configs/imdb.json (configs/imdb-logistic.json: the logistic member's),
#   SST2_CONFIG=configs/sst2.json (configs/sst2-vectors.json: scripts/sst2_vectors.sh's
#   vectors, written first when missing)
set -euo pipefail
cd "$(dirname "$0")/.."
data=$(realpath "${1:-../shared/data}")
corpora=${CORPORA:-sst2 imdb}
seeds=${SEEDS:-1}
threads=${THREADS:-2}
make -s attnclf build/ckpt_drop
work=$(mktemp -d /tmp/attnclf-ece-XXXXXX)
trap 'rm -rf "$work"' EXIT

# field NAME: the value on eval's line starting NAME.
field() { awk -v n="$1" '$1 == n {print $2}'; }
row() { # NAME CKPT TEST
    build/ckpt_drop "$2" "$work/before.ckpt" CALB
    ./attnclf eval --model "$work/before.ckpt" --data "$3" --threads "$threads" --quiet >"$work/before"
    ./attnclf eval --model "$2" --data "$3" --threads "$threads" --quiet >"$work/after"
    echo "| $1 | $seed | $(field accuracy <"$work/after") | $(field log_loss <"$work/before") | $(field log_loss <"$work/after") |" \
        "$(field ece <"$work/before") | $(field ece <"$work/after") | $(grep -oE 'temperatures? [0-9.]+( \(network\) and [0-9.]+)?' "$work/log" | tail -1) |"
}
echo "| corpus (test set) | seed | accuracy | log loss before | after | ECE before | ECE after | fitted |"
echo "|---|---|---|---|---|---|---|---|"
for c in $corpora; do
    for seed in $seeds; do
        case $c in
        imdb)
            ./attnclf train --config "${IMDB_CONFIG:-configs/imdb.json}" --set data.train="$data/imdb/train.csv" --set train.seed="$seed" \
                --set train.threads="$threads" --set output.dir="$work/imdb" --force 2>"$work/log" >/dev/null
            row "IMDB (test.csv, 25,000)" "$work/imdb/best.ckpt" "$data/imdb/test.csv" ;;
        sst2)
            sst2_config=${SST2_CONFIG:-configs/sst2.json}
            if [ "$sst2_config" = configs/sst2-vectors.json ] && [ ! -s runs/vectors/imdb-d32.vec ]; then
                scripts/sst2_vectors.sh "$data"
            fi
            python3 scripts/sst2_split.py --train "$data/sst2/train.tsv" --out "$work/sst2-split" >/dev/null
            ./attnclf train --config "$sst2_config" --set data.train="$work/sst2-split/train_part.tsv" \
                --set data.valid="$work/sst2-split/valid_sent.tsv" --set train.seed="$seed" \
                --set train.threads="$threads" --set output.dir="$work/sst2" --force 2>"$work/log" >/dev/null
            row "SST-2 (dev.tsv, 872)" "$work/sst2/best.ckpt" "$data/sst2/dev.tsv" ;;
        *) echo "calibration_ece.sh: unknown corpus $c (sst2, imdb)" >&2; exit 2 ;;
        esac
        grep '^calibration' "$work/log" | sed "s/^/  $c seed $seed log: /" >&2
    done
done
