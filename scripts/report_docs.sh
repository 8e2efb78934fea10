#!/bin/sh
# report_docs.sh [DATA_DIR] - the README's report screenshots. Trains the sample
# run (configs/sample.json) and the IMDB run (configs/imdb.json on
# DATA_DIR/imdb/train.csv, default ../shared/data) into runs/ when they are not
# there, writes each run's report on its validation data with 4 errors and 4
# correct answers, and screenshots the whole page at 1280 px with headless
# Chromium into docs/report-sample.png and docs/report-imdb.png (64 colours).
set -eu
cd "$(dirname "$0")/.."
data=${1:-../shared/data}
scripts/install-deps.sh chromium imagemagick fonts-wqy-microhei
make -s attnclf
out=build/report-docs
mkdir -p "$out" docs
[ -s runs/sample/best.ckpt ] || ./attnclf train --config configs/sample.json --set output.dir=runs/sample --quiet
[ -s runs/imdb/best.ckpt ] || ./attnclf train --config configs/imdb.json --set output.dir=runs/imdb \
    --set data.train="$data/imdb/train.csv" --quiet
shoot() { # RUN NAME [REPORT OPTIONS...]
    run=$1
    name=$2
    shift 2
    ./attnclf report --model "$run" --output "$out/$name.html" --examples 4 "$@"
    profile=$(mktemp -d)
    timeout 120 chromium --headless --no-sandbox --disable-gpu --hide-scrollbars --no-first-run \
        --host-resolver-rules="MAP * ~NOTFOUND" --user-data-dir="$profile" --window-size=1280,16000 \
        --screenshot="$out/$name.png" "file://$PWD/$out/$name.html" 2>/dev/null
    rm -rf "$profile"
    # The page ends where the last non-white row is; keep 24 px below it.
    bottom=$(convert "$out/$name.png" -trim -format '%[fx:page.y + h + 24]' info:)
    convert "$out/$name.png" -crop "1280x$bottom+0+0" +repage +dither -colors 64 "PNG8:docs/$name.png"
    echo "report_docs: docs/$name.png (1280x$bottom)"
}
shoot runs/sample report-sample --label-names data/agnews-sample/classes.txt
shoot runs/imdb report-imdb
