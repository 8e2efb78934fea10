#!/bin/sh
# Installs, or with --check only looks for, what attnclf needs to build and test on
# Debian/Ubuntu: the packages, and the tools the tests run (tests/tools/require.sh).
#
#   sh scripts/install-deps.sh [PACKAGE...]                 install what is missing
#   sh scripts/install-deps.sh --check [--build] [PACKAGE...]   only say what is missing
#
# PACKAGEs are extra Debian packages for one target (valgrind, clang, fasttext...).
# --build limits the check to what building ./attnclf needs (make demo). Installing runs
# apt-get as root, or through sudo for a user; it needs nothing but sh and apt-get, so it
# works on a minimal Debian (debootstrap --variant=minbase). With nothing missing it does
# nothing and needs no root. --check exits 1, naming each missing piece and the command
# that installs it; `make check`, `make demo`, `make asan` and `make valgrind` run it.
set -eu
# Shell builtins only until the checks have run: the missing tool may be dirname or grep.
case $0 in */*) here=${0%/*} ;; *) here=. ;; esac
. "$here/../tests/tools/require.sh"

BUILD_PKGS="gcc make libc6-dev libcsv-dev libcjson-dev libutf8proc-dev libxxhash-dev"
# check's unit test library; it brings libsubunit-dev (-lsubunit).
TEST_PKGS="check"
# Tools `make` itself runs (cc and ar come with gcc).
BUILD_TOOLS="make cc ar"

check=0
build_only=0
extra=""
for a in "$@"; do
    case $a in
        --check) check=1 ;;
        --build) build_only=1 ;;
        -*) echo "usage: sh scripts/install-deps.sh [--check [--build]] [PACKAGE...]" >&2; exit 2 ;;
        mpi) extra="$extra libopenmpi-dev openmpi-bin python3" ;; # tests/mpi.sh compares checkpoints with scripts/ckpt_same.py
        *) extra="$extra $a" ;;
    esac
done
pkgs="$BUILD_PKGS"
tools="$BUILD_TOOLS"
if [ "$build_only" -eq 0 ]; then
    pkgs="$pkgs $TEST_PKGS"
    tools="$tools $TEST_TOOLS"
fi
pkgs="$pkgs$extra"

package_of() {
    case $1 in
        make) echo make ;;
        cc) echo gcc ;;
        ar) echo binutils ;;
        *) tool_package "$1" ;;
    esac
}

installed() {
    [ "$(dpkg-query -W -f='${Status}' "$1" 2>/dev/null)" = "install ok installed" ]
}
# The packages not installed, then the tools not on PATH, one per line as "name (why)".
missing() {
    if command -v dpkg-query >/dev/null 2>&1; then
        for p in $pkgs; do installed "$p" || echo "$p (package)"; done
    fi
    for t in $tools; do
        command -v "$t" >/dev/null 2>&1 && continue
        p=$(package_of "$t")
        if command -v dpkg-query >/dev/null 2>&1 && installed "$p"; then
            echo "$t (command; package $p is installed, but $t is not on PATH)"
        else
            echo "$t (command, package $p)"
        fi
    done
    if command -v grep >/dev/null 2>&1 && ! echo ok | grep -qP '^o.$' 2>/dev/null; then
        echo "grep -P (grep built with PCRE, package grep)"
    fi
}
# list TEXT: TEXT's lines, indented.
list() {
    while IFS= read -r line; do echo "  $line"; done <<EOF
$1
EOF
}

how="sh scripts/install-deps.sh${extra}"
if [ "$check" -eq 1 ]; then
    command -v dpkg-query >/dev/null 2>&1 ||
        echo "install-deps: no dpkg-query, so Debian packages are not checked; attnclf needs:$pkgs" >&2
    m=$(missing)
    [ -z "$m" ] && exit 0
    {
        echo "attnclf: missing:"
        list "$m"
        echo "install with:  $how   (as root; as a user it asks sudo)"
    } >&2
    exit 1
fi

# Install: the missing packages and the packages of missing tools, each once.
want=""
add() {
    case " $want " in *" $1 "*) ;; *) want="$want $1" ;; esac
}
for p in $pkgs; do
    installed "$p" || add "$p"
done
for t in $tools; do
    command -v "$t" >/dev/null 2>&1 || installed "$(package_of "$t")" || add "$(package_of "$t")"
done
if [ -n "$want" ]; then
    if [ "$(id -u)" -eq 0 ]; then
        SUDO=""
    elif command -v sudo >/dev/null 2>&1; then
        SUDO="sudo"
    else
        echo "install-deps: installing$want needs root: run it as root (su -c '$how') or install sudo" >&2
        exit 1
    fi
    echo "install-deps: installing:$want" >&2
    $SUDO env DEBIAN_FRONTEND=noninteractive apt-get update -qq
    # shellcheck disable=SC2086
    $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $want >/dev/null
fi
# Installed is not enough if PATH hides a tool: say so now, not in the middle of a test.
m=$(missing)
if [ -n "$m" ]; then
    echo "install-deps: still missing after installing:" >&2
    list "$m" >&2
    exit 1
fi
