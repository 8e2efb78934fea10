#!/bin/bash
# Word vectors for configs/sst2-vectors.json: fastText skipgram (Debian's fasttext,
# installed when missing) on unlabelled movie-review text, IMDB's training reviews and
# SST-2's training phrases (scripts/vectors_corpus.py; no label and no test or dev
# text is read). One thread and a fixed seed: the same data give the same file.
#
# usage: scripts/sst2_vectors.sh [DATA_DIR] [OUT]
#   DATA_DIR defaults to ../shared/data, OUT to runs/vectors/imdb-d32.vec
#   (the path configs/sst2-vectors.json names); DIM=32 (model.dim must match);
#   IMDB_ONLY=1: IMDB's reviews alone (vectors_corpus.py --imdb-only), into
#   runs/vectors/imdb-only-d32.vec by default (scripts/vectors_suite.sh's)
set -euo pipefail
cd "$(dirname "$0")/.."
data=$(realpath "${1:-../shared/data}")
dim=${DIM:-32}
only=${IMDB_ONLY:-0}
if [ "$only" = 1 ]; then out=${2:-runs/vectors/imdb-only-d$dim.vec}; else out=${2:-runs/vectors/imdb-d$dim.vec}; fi
command -v fasttext >/dev/null || sh scripts/install-deps.sh fasttext
mkdir -p "$(dirname "$out")"
work=$(mktemp -d /tmp/attnclf-vectors-XXXXXX)
trap 'rm -rf "$work"' EXIT
python3 scripts/vectors_corpus.py "$data" "$work/corpus.txt" $([ "$only" = 1 ] && echo --imdb-only)
echo "sst2_vectors.sh: $(wc -l <"$work/corpus.txt") documents, $(wc -w <"$work/corpus.txt") tokens; skipgram, dim $dim, one thread" >&2
fasttext skipgram -input "$work/corpus.txt" -output "$work/vectors" -dim "$dim" -epoch 5 -minCount 3 \
    -minn 0 -maxn 0 -thread 1 -seed 1 -verbose 0
mv "$work/vectors.vec" "$out"
echo "sst2_vectors.sh: wrote $out ($(head -1 "$out"))" >&2
