# SPDX-License-Identifier: Apache-2.0
# Shared helpers for the shell tests (TAP output).
#   . "$top_srcdir/tests/lib.sh"
# Peer-based tests call tap_skip_all when a peer is missing; with
# MILVUS_REQUIRE_PEERS=1 (set by .ci/run) a skip becomes a failure, so CI
# never passes with a peer missing.

: "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}"
: "${top_builddir:=$top_srcdir}"
TAP_N=0
TAP_FAILED=0

tap_plan() { echo "1..$1"; }

tap_ok() {
    TAP_N=$((TAP_N + 1))
    echo "ok $TAP_N - $*"
}

tap_not_ok() {
    TAP_N=$((TAP_N + 1))
    TAP_FAILED=$((TAP_FAILED + 1))
    echo "not ok $TAP_N - $*"
}

# tap_check DESCRIPTION COMMAND...: runs the command, ok when it exits 0;
# its output is shown as TAP diagnostics on failure.
tap_check() {
    desc=$1
    shift
    out=$("$@" 2>&1)
    rc=$?
    if [ $rc -eq 0 ]; then
        tap_ok "$desc"
    else
        tap_not_ok "$desc (exit $rc)"
        printf '%s\n' "$out" | tail -n 20 | sed 's/^/# /'
    fi
    return $rc
}

# tap_skip_all REASON: the whole script cannot run here.
tap_skip_all() {
    if [ "${MILVUS_REQUIRE_PEERS:-0}" = 1 ]; then
        echo "1..1"
        echo "not ok 1 - required peer missing: $*"
        exit 1
    fi
    echo "1..0 # SKIP $*"
    exit 0
}

# require_cmd CMD [DEBIAN-PACKAGE]: skip (or fail under MILVUS_REQUIRE_PEERS)
# when a program is missing.
require_cmd() {
    command -v "$1" >/dev/null 2>&1 || tap_skip_all "$1 not found (apt-get install ${2:-$1})"
}

# require_node_module NAME: skip when the npm peers are not installed.
require_node_module() {
    [ -n "${NODE:-}" ] || NODE=$(command -v node)
    [ -n "$NODE" ] || tap_skip_all "node not found (apt-get install nodejs npm)"
    NODE_PATH=${NODE_PATH:-$top_srcdir/node_modules} "$NODE" -e "require('$1')" >/dev/null 2>&1 ||
        tap_skip_all "npm module $1 not installed (run npm ci in $top_srcdir)"
}

# wait_for_file FILE [SECONDS]: wait until a file exists and is non-empty.
wait_for_file() {
    f=$1 t=${2:-30} i=0
    while [ ! -s "$f" ]; do
        i=$((i + 1))
        [ $i -gt $((t * 10)) ] && return 1
        sleep 0.1
    done
    return 0
}

# A scratch directory removed on exit, with every background job killed.
TEST_TMP=$(mktemp -d "${TMPDIR:-/tmp}/milvus-test.XXXXXX")
_cleanup() {
    # `$(jobs -p)` runs in a subshell that, in dash, knows no jobs: read the
    # list through a file instead.
    jobs -p >"$TEST_TMP/.jobs" 2>/dev/null
    _pids=$(cat "$TEST_TMP/.jobs" 2>/dev/null)
    [ -n "$_pids" ] && kill $_pids 2>/dev/null
    wait 2>/dev/null
    rm -rf "$TEST_TMP"
}
trap _cleanup EXIT

tap_done() {
    echo "# $TAP_N tests, $TAP_FAILED failed"
    [ "$TAP_FAILED" -eq 0 ]
}
