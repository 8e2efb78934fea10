#!/bin/sh
# check-browser.sh [--docs] - the HTML writers' demo page in a real browser
# (`make check-browser`). Builds tests/tools/htmldemo.c's page, then with headless
# Chromium (installed from Debian when missing, with ImageMagick and a CJK font):
#  1. screenshots at desktop (1280 px) and phone (390 px) widths must not be blank
#     (grey-level standard deviation above a floor);
#  2. the DOM after parsing (--dump-dom) must hold the elements the demo's data
#     asks for (htmldemo writes the counts): one <path> per curve, one <rect> per
#     confusion cell, one <span> per shown token, one data table per chart, and no
#     <script> element although hostile labels are on the page;
#  3. the page makes no network request: its CSP is there, no URL is in it but the
#     SVG namespace, and Chromium's net log shows no request started by the page
#     (only the browser's own, with "initiator":"not an origin"); the same check is
#     first shown to catch a page that does load an image;
#  4. the per-head switch works without JavaScript: checking another head's radio
#     button changes the picture.
#  5. a real report: a 2-epoch run on 1,500 rows of data/agnews-sample, then
#     `attnclf report` on 400 of its validation rows: not blank at either width;
#     its DOM has one <path> per curve (from log.jsonl: train and valid loss and
#     accuracy, lr, tokens/s), one <rect> per confusion cell (labels x labels),
#     one <span> per shown word (each shown document's words counted again by
#     `attnclf predict --explain --json` on its row, at most 300), one data table
#     per chart and no <script>; no URL, the CSP, and no request in the net log;
#     the same for `attnclf predict --explain --html`.
# --docs also writes the demo's screenshots (desktop in two parts, phone), reduced
# to 64 colours, to docs/.
# Output in build/browser; exits non-zero at the first failed check.
set -eu
cd "$(dirname "$0")/.."
docs=0
[ "${1:-}" = "--docs" ] && docs=1
out=build/browser
scripts/install-deps.sh chromium imagemagick fonts-wqy-microhei
make -s build/htmldemo attnclf
rm -rf "$out"
mkdir -p "$out"
build/htmldemo "$out/demo.html" "$out/counts.txt"

fail() {
    echo "check-browser: FAIL: $*" >&2
    exit 1
}

# chrome PAGE ARGS...: headless Chromium on a file with a fresh profile. The host
# resolver maps every name to nothing, so even the browser's own background
# requests never leave the machine.
chrome() {
    page=$1
    shift
    profile=$(mktemp -d)
    rc=0
    timeout 120 chromium --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
        --disable-background-networking --disable-component-update --disable-sync --no-pings \
        --disable-domain-reliability --host-resolver-rules="MAP * ~NOTFOUND" --hide-scrollbars \
        --user-data-dir="$profile" "$@" "file://$PWD/$page" 2>>"$out/chromium.log" || rc=$?
    rm -rf "$profile"
    [ "$rc" -eq 0 ] || fail "chromium exited with $rc on $page (see $out/chromium.log)"
}

# 1. Not blank at either width.
for shot in desktop:1280 phone:390; do
    name=${shot%%:*}
    width=${shot#*:}
    chrome "$out/demo.html" --screenshot="$out/$name.png" --window-size="$width,2000" >/dev/null
    [ -s "$out/$name.png" ] || fail "no screenshot $out/$name.png"
    set -- $(identify -format '%w %h %[fx:standard_deviation]' "$out/$name.png")
    [ "$1" -eq "$width" ] || fail "$name screenshot is $1 px wide, not $width"
    awk -v sd="$3" 'BEGIN { exit !(sd > 0.05) }' || fail "$name screenshot looks blank (grey-level sd $3)"
    echo "check-browser: $name ${1}x$2: grey-level standard deviation $3"
done

# 2. The parsed DOM has every element.
chrome "$out/demo.html" --dump-dom >"$out/dom.html"
expect() { # NAME PATTERN: the DOM has as many PATTERN as counts.txt's NAME
    want=$(awk -v k="$1" '$1 == k { print $2 }' "$out/counts.txt")
    got=$(grep -o "$2" "$out/dom.html" | wc -l)
    [ "$got" -eq "$want" ] || fail "DOM has $got of $2, the demo has $want $1"
    echo "check-browser: DOM: $got $1 ($2)"
}
expect charts '<figure class="chart"'
expect charts '<details><summary>Data table</summary>'
expect paths '<path class="series"'
expect cells '<rect class="cell"'
expect tokens '<span class="tk"'
expect docs '<div class="tsdoc">'
n=$(grep -oi '<script' "$out/dom.html" | wc -l)
[ "$n" -eq 0 ] || fail "the DOM has $n <script> elements"
grep -qF '&lt;script&gt;alert(1)&lt;/script&gt;' "$out/dom.html" || fail "the hostile label is not shown as text"

# 3. No network request.
grep -qF "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; img-src data:" \
    "$out/demo.html" || fail "no CSP meta"
urls=$(grep -oE 'https?://[^"'"'"' <>)]*' "$out/demo.html" | grep -vx 'http://www.w3.org/2000/svg' || true)
[ -z "$urls" ] || fail "URLs in the page: $urls"
requests() { # PAGE: the requests the page itself started, per Chromium's net log
    rm -f "$out/net.json"
    chrome "$1" --log-net-log="$out/net.json" --dump-dom >/dev/null
    [ -s "$out/net.json" ] || fail "no net log"
    grep -o '"initiator":"[^"]*"' "$out/net.json" | grep -cv '"initiator":"not an origin"' || true
}
printf '<!DOCTYPE html><title>control</title><img src="http://127.0.0.1:9/x.png" alt="">\n' >"$out/control.html"
n=$(requests "$out/control.html")
[ "$n" -gt 0 ] || fail "the net log check missed the control page's image request"
n=$(requests "$out/demo.html")
[ "$n" -eq 0 ] || fail "the page started $n network requests (see $out/net.json)"
echo "check-browser: no request from the page (the control page's request was seen)"

# 4. Another head's button changes the shading, with CSS alone.
sed -e 's/ id="err1-h0" checked>/ id="err1-h0">/' -e 's/ id="err1-h2">/ id="err1-h2" checked>/' \
    "$out/demo.html" >"$out/head2.html"
cmp -s "$out/demo.html" "$out/head2.html" && fail "no head switch found in the page"
chrome "$out/demo.html" --screenshot="$out/mean.png" --window-size=1280,4000 >/dev/null
chrome "$out/head2.html" --screenshot="$out/head2.png" --window-size=1280,4000 >/dev/null
diff=$(compare -metric AE "$out/mean.png" "$out/head2.png" null: 2>&1 || true)
awk -v d="$diff" 'BEGIN { exit !(d + 0 > 500) }' || fail "checking head 2 changed only $diff pixels"
echo "check-browser: head 2 instead of the mean changes $diff pixels"

# 5. A real run's report.
head -1500 data/agnews-sample/train.csv >"$out/train.csv"
head -400 data/agnews-sample/valid.csv >"$out/valid.csv"
./attnclf train --data "$out/train.csv" --valid "$out/valid.csv" --output "$out/run" --quiet \
    --set data.header=false --set data.label_column=0 --set 'data.text_columns=[1,2]' \
    --set tokenizer.buckets=20000 --set train.epochs=2 >/dev/null
./attnclf report --model "$out/run" --output "$out/report.html" --examples 6 \
    --label-names data/agnews-sample/classes.txt --quiet
for shot in desktop:1280 phone:390; do
    name=report-${shot%%:*}
    width=${shot#*:}
    chrome "$out/report.html" --screenshot="$out/$name.png" --window-size="$width,3000" >/dev/null
    set -- $(identify -format '%w %h %[fx:standard_deviation]' "$out/$name.png")
    [ "$1" -eq "$width" ] || fail "$name screenshot is $1 px wide, not $width"
    awk -v sd="$3" 'BEGIN { exit !(sd > 0.05) }' || fail "$name screenshot looks blank (grey-level sd $3)"
    echo "check-browser: $name ${1}x$2: grey-level standard deviation $3"
done
chrome "$out/report.html" --dump-dom >"$out/report-dom.html"
count() { grep -o "$1" "$2" | wc -l; }
has_valid=$(grep -c '"valid_acc": [0-9]' "$out/run/log.jsonl")
want=$((has_valid > 0 ? 6 : 4))
got=$(count '<path class="series"' "$out/report-dom.html")
[ "$got" -eq "$want" ] || fail "report DOM has $got curves, log.jsonl asks for $want"
labels=$(cut -d, -f1 "$out/train.csv" | sort -u | wc -l)
got=$(count '<rect class="cell"' "$out/report-dom.html")
[ "$got" -eq $((labels * labels)) ] || fail "report DOM has $got confusion cells, want $labels x $labels"
# The shown documents, by their number in valid.csv, each counted again through predict.
rows=$(grep -o '<h3>[0-9]*\. document [0-9,]*:' "$out/report-dom.html" | sed 's/.*document //; s/[:,]//g')
[ "$(echo "$rows" | wc -l)" -eq 12 ] || fail "report DOM shows $(echo "$rows" | wc -l) documents, want 12"
want=0
for i in $rows; do
    words=$(sed -n "${i}p" "$out/valid.csv" | sed -E 's/^"[^"]*","(.*)","(.*)"$/\1 \2/; s/""/"/g' |
        ./attnclf predict --model "$out/run/best.ckpt" --explain --json |
        grep -oE '"token":"([^"\\]|\\.)*"' | grep -cv ' ' || true)
    want=$((want + (words < 300 ? words : 300)))
done
got=$(count '<span class="tk"' "$out/report-dom.html")
[ "$got" -eq "$want" ] || fail "report DOM has $got shaded words, the shown rows have $want"
echo "check-browser: report DOM: $((has_valid > 0 ? 6 : 4)) curves, $((labels * labels)) cells, $got shaded words"
[ "$(count '<figure class="chart"' "$out/report-dom.html")" -eq "$(count '<details><summary>Data table</summary>' "$out/report-dom.html")" ] ||
    fail "a report chart without its data table"
[ "$(grep -ci '<script' "$out/report-dom.html")" -eq 0 ] || fail "the report's DOM has a <script> element"
printf 'Stocks fell on Wall Street\nThe team won the cup final\n' |
    ./attnclf predict --model "$out/run/best.ckpt" --explain --html >"$out/predict.html"
for page in "$out/report.html" "$out/predict.html"; do
    grep -qF "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none';" "$page" || fail "no CSP meta in $page"
    urls=$(grep -oE 'https?://[^"'"'"' <>)]*' "$page" | grep -vx 'http://www.w3.org/2000/svg' || true)
    [ -z "$urls" ] || fail "URLs in $page: $urls"
    n=$(requests "$page")
    [ "$n" -eq 0 ] || fail "$page started $n network requests (see $out/net.json)"
done
chrome "$out/predict.html" --dump-dom >"$out/predict-dom.html"
[ "$(count '<span class="tk"' "$out/predict-dom.html")" -eq 11 ] || fail "predict --html does not shade its 11 words"
echo "check-browser: report and predict --html: no URL, the CSP, no request from the page"

if [ "$docs" -eq 1 ]; then
    mkdir -p docs
    convert "$out/desktop.png" +dither -colors 64 "PNG8:docs/html-demo-desktop.png"
    convert "$out/phone.png" +dither -colors 64 "PNG8:docs/html-demo-phone.png"
    convert "$out/mean.png" -crop 1280x2000+0+2000 +repage +dither -colors 64 "PNG8:docs/html-demo-desktop-2.png"
    echo "check-browser: wrote docs/html-demo-desktop.png, docs/html-demo-desktop-2.png, docs/html-demo-phone.png"
fi
echo "check-browser: all checks passed"
