#!/bin/bash
# make install / make uninstall as packaging uses them: PREFIX and DESTDIR, the
# binary, the man page attnclf(1) and the bash completion, which offers the
# commands, options and config keys through the installed binary.
# usage: tests/install.sh
set -u
pass=0
fail=0
ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL: $*" >&2; }
tmp=$(mktemp -d /tmp/attnclf-install-XXXXXX)
trap 'rm -rf "$tmp"' EXIT
root=$tmp/root
make -s install DESTDIR="$root" PREFIX=/usr >"$tmp/out" 2>&1 || bad "make install failed: $(cat "$tmp/out")"
for f in usr/bin/attnclf usr/share/man/man1/attnclf.1 usr/share/bash-completion/completions/attnclf; do
    [ -s "$root/$f" ] && ok || bad "make install did not install /$f"
done
[ -x "$root/usr/bin/attnclf" ] && ok || bad "the installed binary is not executable"
"$root/usr/bin/attnclf" --version | grep -qE '^attnclf [0-9]' && ok || bad "the installed binary does not run"
grep -q '^\.TH ATTNCLF "1"' "$root/usr/share/man/man1/attnclf.1" && ok || bad "attnclf.1 is not a section-1 man page"
# A plain PREFIX, no DESTDIR, as `make install PREFIX=~/.local` does.
make -s install PREFIX="$tmp/local" >"$tmp/out" 2>&1 && [ -x "$tmp/local/bin/attnclf" ] && ok \
    || bad "make install PREFIX=$tmp/local: $(cat "$tmp/out")"
# The completion, through the installed binary only.
comp() {
    PATH="$root/usr/bin:/usr/bin:/bin" bash -c '
        . "$1"; shift
        COMP_WORDS=("$@"); COMP_CWORD=$(( $# - 1 )); COMPREPLY=()
        _attnclf; echo "${COMPREPLY[*]}"' _ "$root/usr/share/bash-completion/completions/attnclf" "$@"
}
out=$(comp attnclf "")
for c in train eval predict tune config report; do
    grep -qw "$c" <<<"$out" && ok || bad "completion of 'attnclf ' lacks $c: $out"
done
[ "$(comp attnclf pre)" = "predict" ] && ok || bad "completion of 'attnclf pre': $(comp attnclf pre)"
grep -qw -- "--resume" <<<"$(comp attnclf train --re)" && ok || bad "completion of 'train --re': $(comp attnclf train --re)"
grep -qw -- "--top-k" <<<"$(comp attnclf predict --to)" && ok || bad "completion of 'predict --to': $(comp attnclf predict --to)"
[ "$(comp attnclf train --set train.epo)" = "train.epochs=" ] && ok \
    || bad "completion of '--set train.epo': $(comp attnclf train --set train.epo)"
make -s uninstall DESTDIR="$root" PREFIX=/usr >"$tmp/out" 2>&1 || bad "make uninstall failed: $(cat "$tmp/out")"
left=$(find "$root" -type f | sed "s|^$root||")
[ -z "$left" ] && ok || bad "make uninstall left: $left"
echo "install: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
