#!/bin/bash
# Builds bench/tokenize_bench.c against the tokenizer of BASE, a commit from
# before tokenizer versions (default: 9928e75, the last one), into OUT.
# That tree has the old tokenizer_init(tk, lowercase, clean_html, max_tokens)
# and no TokenizerOptions: a shim gives the bench what it uses (version 1 only).
# Used by tokenizer_v1_same.sh and bench_tokenizer.sh.
#
# usage: scripts/base_tokenize_bench.sh OUT [BASE]
set -euo pipefail
cd "$(dirname "$0")/.."
out=$1
base=${2:-9928e75}
tree=$(mktemp -d /tmp/attnclf-base-XXXXXX)
trap 'rm -rf "$tree"' EXIT
git archive "$base" | tar -x -C "$tree"
cat >"$tree/shim.h" <<'SHIM'
typedef struct TokenizerOptions { int lowercase, clean_html, max_tokens, normalize, version; } TokenizerOptions;
enum { TOKENIZER_NORM_NONE, TOKENIZER_NORM_NFC, TOKENIZER_NORM_NFKC };
static void tokenizer_options_default(TokenizerOptions *o)
{ o->lowercase = 1; o->clean_html = 1; o->max_tokens = 0; o->normalize = 0; o->version = 1; }
static int tokenizer_options_check(const TokenizerOptions *o, const char *w, Status *st)
{ (void)w; (void)st; return o->version != 1; }
SHIM
sed -e 's|#include "tokenizer.h"|#include "tokenizer.h"\n#include "shim.h"|' \
    -e 's|tokenizer_init(&tk, &o);|tokenizer_init(\&tk, o.lowercase, o.clean_html, o.max_tokens);|' \
    bench/tokenize_bench.c >"$tree/tokenize_bench.c"
make -s -C "$tree" build/libattnclf.a >/dev/null
cc -std=c11 -O2 -fopenmp -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE -I"$tree/src" -I"$tree" \
    -o "$out" "$tree/tokenize_bench.c" "$tree/build/libattnclf.a" -lcsv -lcjson -lm
