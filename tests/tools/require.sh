# Sourced (POSIX sh and bash) by the test scripts and by scripts/install-deps.sh --check:
# the external tools the tests run, and a loud stop when one is missing. A check whose
# tool is missing must never pass by comparing two empty outputs.

# Everything tests/*.sh and the unit suites' system() calls run that is not a shell
# builtin. All come with a minimal Debian (debootstrap --variant=minbase); valgrind,
# which only tests/valgrind.sh needs, is checked there.
TEST_TOOLS="bash sh awk cat chmod cmp cp cut dd diff env fold grep head iconv id md5sum mkdir
mkfifo ls mktemp od realpath rm sed seq setpriv sleep sort stat tail timeout tr wc"

# tool_package TOOL: the Debian package that provides TOOL.
tool_package() {
    case $1 in
        bash) echo bash ;;
        sh) echo dash ;;
        awk) echo mawk ;;
        cmp | diff) echo diffutils ;;
        grep) echo grep ;;
        sed) echo sed ;;
        setpriv) echo util-linux ;;
        iconv) echo libc-bin ;;
        valgrind) echo valgrind ;;
        *) echo coreutils ;;
    esac
}

# missing_tools TOOL...: prints each TOOL that is not on PATH as "TOOL (package P)".
missing_tools() {
    for t in "$@"; do
        command -v "$t" >/dev/null 2>&1 || printf '%s (package %s)\n' "$t" "$(tool_package "$t")"
    done
    # grep without PCRE would fail every -P check with a message that names no tool.
    if command -v grep >/dev/null 2>&1 && ! echo ok | grep -qP '^o.$' 2>/dev/null; then
        echo "grep -P (grep built with PCRE, package grep)"
    fi
}

# require_tools WHO [TOOL...]: exits 1 with one line naming every missing tool (default:
# all of TEST_TOOLS) before a single check runs.
require_tools() {
    _who=$1
    shift
    [ $# -gt 0 ] || set -- $TEST_TOOLS
    _missing=$(missing_tools "$@")
    [ -z "$_missing" ] && return 0
    # Joined with shell builtins only: the missing tool may be sed or tr.
    _list=""
    while IFS= read -r _line; do _list="${_list:+$_list, }$_line"; done <<EOF
$_missing
EOF
    echo "$_who: cannot run, missing: $_list -- not on PATH; sh scripts/install-deps.sh installs everything the tests need" >&2
    exit 1
}
