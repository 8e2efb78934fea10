#!/bin/bash
# README's Quick start on a truly fresh machine: a minimal Debian made with
# `debootstrap --variant=minbase` (no make, gcc, git or python3), a clone of this
# repository's current commit in /root/attnclf, and the two commands of README.md's
# Quick start block, read from the clone's README so this test cannot drift from the
# text, run there one after the other as root. Everything is unmounted and removed
# afterwards, on success, failure or Ctrl-C.
#
# Usage: scripts/fresh-machine.sh [--suite SUITE] [--no-skip]   (default suite: bookworm)
# The mirror is the one this machine's apt uses for SUITE (/etc/apt/sources.list,
# /etc/apt/sources.list.d/*.list and deb822 *.sources); MIRROR=URL overrides it.
# Needs root, debootstrap and git; without root or debootstrap it says "skipped: ..."
# and exits 0, or with --no-skip (.ci/run) fails. Uncommitted changes are not part of the
# clone, so they are not tested.
set -euo pipefail

suite=bookworm
skip=0
while [ $# -gt 0 ]; do
    case $1 in
        --suite) suite=${2:?--suite needs a value}; shift 2 ;;
        --no-skip) skip=1; shift ;;
        *) echo "usage: scripts/fresh-machine.sh [--suite SUITE] [--no-skip]" >&2; exit 2 ;;
    esac
done
say() { echo "fresh-machine: $*" >&2; }
# debootstrap and chroot live in sbin, which a root PATH may lack.
PATH=$PATH:/usr/sbin:/sbin
# skipped WHY: a clear skip (exit 0), or a failure under --no-skip.
skipped() {
    if [ "$skip" -eq 1 ]; then say "cannot run: $*"; exit 1; fi
    say "skipped: $*"
    exit 0
}

[ "$(id -u)" -eq 0 ] || skipped "needs root (debootstrap, chroot and mount)"
command -v debootstrap >/dev/null 2>&1 ||
    skipped "no debootstrap (sh scripts/install-deps.sh debootstrap installs it)"
command -v git >/dev/null 2>&1 || { say "needs git to clone the repository"; exit 1; }
repo=$(cd "$(dirname "$0")/.." && git rev-parse --show-toplevel)
commit=$(git -C "$repo" rev-parse HEAD)
[ -z "$(git -C "$repo" status --porcelain --untracked-files=no)" ] ||
    say "note: uncommitted changes in $repo are not tested, only commit ${commit:0:12}"

# mirror_of SUITE: the URI of the first enabled "deb" source for SUITE in this machine's
# apt configuration, one-line or deb822; failing that, of the first Debian archive for
# another release (not -security/-updates/-backports: the main archive has every release).
mirror_of() {
    local want=$1 files=() deb822=() f
    for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
        if [ -f "$f" ]; then files+=("$f"); fi
    done
    for f in /etc/apt/sources.list.d/*.sources; do
        if [ -f "$f" ]; then deb822+=("$f"); fi
    done
    {
        [ ${#files[@]} -eq 0 ] || awk '
            /^[ \t]*deb[ \t]/ { sub(/\[[^]]*\]/, ""); print $2, $3 }' "${files[@]}"
        [ ${#deb822[@]} -eq 0 ] || awk '
            function flush(   n, u, s, i, j) {
                if (types ~ /(^|[ \t])deb([ \t]|$)/ && enabled != "no" && uris != "") {
                    n = split(uris, u, /[ \t]+/); split(suites, s, /[ \t]+/)
                    for (i in s) if (s[i] != "") for (j = 1; j <= n; j++) if (u[j] != "") print u[j], s[i]
                }
                types = uris = suites = enabled = ""; key = ""
            }
            FNR == 1 { flush() }
            /^[ \t]*#/ { next }
            /^[ \t]*$/ { flush(); next }
            /^[ \t]/ { if (key == "uris") uris = uris " " $0; else if (key == "suites") suites = suites " " $0; next }
            /^[A-Za-z-]+:/ {
                key = tolower($0); sub(/:.*/, "", key)
                val = $0; sub(/^[^:]*:[ \t]*/, "", val)
                if (key == "types") types = val
                else if (key == "uris") uris = val
                else if (key == "suites") suites = val
                else if (key == "enabled") enabled = tolower(val)
            }
            END { flush() }' "${deb822[@]}"
    } | awk -v want="$want" '
        $2 == want && !exact { exact = $1 }
        $1 ~ /debian/ && $2 !~ /[-\/](security|updates|backports)$/ && !main { main = $1 }
        END { if (exact) print exact; else if (main) print main }'
}
mirror=${MIRROR:-$(mirror_of "$suite")}
[ -n "$mirror" ] || { say "no apt source in /etc/apt/sources.list{,.d/*} to take a mirror from; set MIRROR=URL"; exit 1; }

work=$(mktemp -d /var/tmp/attnclf-fresh-XXXXXX)
root=$work/root
# Processes still running inside the chroot, mounts under it deepest first, then the
# tree; rm stays on one file system, so a mount that would not go cannot lose files.
cleanup() {
    local rc=$? pids p m
    trap - EXIT INT TERM HUP
    set +e
    for sig in TERM KILL; do
        pids=""
        for p in /proc/[0-9]*; do
            [ "$(readlink "$p/root" 2>/dev/null)" = "$root" ] && pids="$pids ${p#/proc/}"
        done
        [ -z "$pids" ] && break
        # shellcheck disable=SC2086
        kill -"$sig" $pids 2>/dev/null
        sleep 1
    done
    for m in $(awk -v r="$root" '$2 == r || index($2, r "/") == 1 { print $2 }' /proc/self/mounts | sort -r); do
        umount "$m" 2>/dev/null || umount -l "$m"
    done
    if awk -v r="$root" '$2 == r || index($2, r "/") == 1 { found = 1 } END { exit !found }' /proc/self/mounts; then
        say "could not unmount everything under $root; left $work in place"
        rc=1
    else
        rm -rf --one-file-system "$work"
    fi
    exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
trap 'exit 129' HUP

t0=$SECONDS
say "debootstrap --variant=minbase $suite from $mirror into $root"
if ! debootstrap --variant=minbase "$suite" "$root" "$mirror" >"$work/debootstrap.log" 2>&1; then
    tail -20 "$work/debootstrap.log" >&2
    say "debootstrap failed"
    exit 1
fi
t_boot=$((SECONDS - t0))
cp -L /etc/resolv.conf "$root/etc/resolv.conf"
mount -t proc proc "$root/proc"
# A real machine has terminals; without them dpkg says "Can not write log".
mount --bind /dev/pts "$root/dev/pts"

git clone -q --no-checkout "$repo" "$root/root/attnclf"
git -C "$root/root/attnclf" checkout -q --detach "$commit"

# The Quick start block: the first fenced block after "## Quick start", one command a line.
mapfile -t cmds < <(awk '
    /^## Quick start/ { q = 1; next }
    q && /^## / { exit }
    q && /^```/ { if (f) exit; f = 1; next }
    q && f && NF && $1 !~ /^#/ { print }' "$root/root/attnclf/README.md")
if [ ${#cmds[@]} -ne 2 ]; then
    say "README.md's Quick start block should hold 2 commands, found ${#cmds[@]}: ${cmds[*]:-}"
    exit 1
fi

times=()
for i in 0 1; do
    say "README command $((i + 1)) of 2, in /root/attnclf as root: ${cmds[i]}"
    t=$SECONDS
    # A login's environment, nothing of ours: env -i, the PATH Debian gives root.
    if ! chroot "$root" /usr/bin/env -i HOME=/root USER=root LOGNAME=root SHELL=/bin/sh \
        PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
        /bin/sh -c "cd /root/attnclf && ${cmds[i]}"; then
        say "FAILED: README command $((i + 1)) (${cmds[i]}) on a fresh $suite"
        exit 1
    fi
    times+=("$((SECONDS - t)) s")
done
say "passed: README's Quick start on a fresh minimal $suite (commit ${commit:0:12}; debootstrap ${t_boot} s," \
    "command 1 ${times[0]}, command 2 ${times[1]}, total $((SECONDS - t0)) s)"
