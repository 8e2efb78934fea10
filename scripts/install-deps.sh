#!/bin/sh
# Installs the Debian packages attnclf needs to build and test, only those missing,
# plus any package names given as arguments (e.g. valgrind, clang, fasttext; "mpi"
# stands for Open MPI: libopenmpi-dev and openmpi-bin, for make MPI=1).
# Run as root or with sudo available. Exits 0 with nothing to do when all are present.
set -eu
extra=""
for a in "$@"; do
    if [ "$a" = mpi ]; then extra="$extra libopenmpi-dev openmpi-bin"; else extra="$extra $a"; fi
done
pkgs="gcc make libc6-dev libcsv-dev libcjson-dev check$extra"
missing=""
for p in $pkgs; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
[ -z "$missing" ] && exit 0
echo "install-deps: installing:$missing" >&2
if [ "$(id -u)" -eq 0 ]; then SUDO=""; else SUDO="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
# shellcheck disable=SC2086
$SUDO apt-get install -y -qq --no-install-recommends $missing >/dev/null
