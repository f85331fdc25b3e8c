#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# Golden requests: the official Milvus Go client (milvus client/v2 v2.6.2)
# is the oracle for the request bytes libmilvus sends.  Both clients run
# tests/golden/script.txt against their own capture server
# (tests/golden/capture: any method, canned answers, every request
# recorded with its HTTP/2 headers), then compare.js decodes each pair of
# requests with the upstream schema and compares them field by field and
# header by header; tests/golden/allow.txt lists the intentional
# differences.  One TAP line per operation of script.txt.
#
# The Go client v2.6.2 has no snapshot API: for the snapshot RPCs pymilvus
# (the official Python SDK, in the test Python $MILVUS_TEST_PYTHON) is the
# oracle.  tests/golden/pyclient.py and cclient run
# tests/golden/script-snapshot.txt against two more capture servers, and
# compare.js holds them against each other with
# tests/golden/allow-snapshot.txt: one TAP line per operation of that
# script too.  Without the test Python or its pymilvus that part is one
# skipped line (a failure under MILVUS_REQUIRE_PEERS=1); the Go comparison
# still runs.
#
# Needs Go (1.24.11 or newer, the go line of tests/golden/go.mod; its
# modules come from the Go module proxy into the user's module cache on the
# first build, which then takes minutes), node
# with the npm packages of package.json (protobufjs and
# @zilliz/milvus2-sdk-node), and tests/golden/cclient (check_PROGRAMS).
# GOLDEN_KEEP=DIR keeps the recordings (go.rec, c.rec; py.rec,
# c-snapshot.rec) and compare.js's full reports (report.txt,
# report-snapshot.txt: every allowed difference with its reason) in DIR.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/peers/peers.sh"

GOLDEN_SRC=$top_srcdir/tests/golden
GOLDEN_BUILD=$top_builddir/tests/golden
CAPTURE=$GOLDEN_BUILD/go-bin/capture
GOCLIENT=$GOLDEN_BUILD/go-bin/goclient
CCLIENT=${GOLDEN_CCLIENT:-$GOLDEN_BUILD/cclient}
SCRIPT=$GOLDEN_SRC/script.txt
SNAP_SCRIPT=$GOLDEN_SRC/script-snapshot.txt

require_go_peer
require_node_module protobufjs
require_node_module @zilliz/milvus2-sdk-node/dist/milvus/proto-json/milvus.js
require_cmd timeout coreutils
require_cmd flock util-linux

# golden_go_build OUT PACKAGE: builds one program of the module in
# tests/golden (its own go.mod and go.sum, separate from tests/go.mod) into
# OUT, the way tests/peers/go-build.sh builds the peers: the machine's Go as
# it is (GOTOOLCHAIN=local), the source tree only read (-mod=readonly: go.sum
# must be complete), the build cache in the build tree, a lock against
# parallel builds, a temporary name renamed into place.  Rebuilds only when
# a .go file, go.mod or go.sum is newer than OUT.
golden_go_build() {
    out=$1 pkg=$2
    if [ -x "$out" ] && [ -z "$(find "$GOLDEN_SRC/$pkg" "$GOLDEN_SRC/go.mod" "$GOLDEN_SRC/go.sum" \
        -maxdepth 1 \( -name '*.go' -o -name go.sum -o -name go.mod \) -newer "$out" 2>/dev/null)" ]; then
        return 0
    fi
    mkdir -p "$(dirname "$out")" "${MILVUS_GO_CACHE:-$GOLDEN_BUILD/go-cache}" || return 1
    log=$TEST_TMP/go-build-$pkg.log
    (
        flock 9 || exit 1
        cd "$GOLDEN_SRC" && GOTOOLCHAIN=local GOFLAGS='-mod=readonly -buildvcs=false' \
            GOCACHE="${MILVUS_GO_CACHE:-$GOLDEN_BUILD/go-cache}" "$GO" build -o "$out.tmp.$$" "./$pkg" &&
            mv -f "$out.tmp.$$" "$out"
    ) 9>"$(dirname "$out")/.lock-$(basename "$out")" >"$log" 2>&1
    rc=$?
    rm -f "$out.tmp.$$"
    [ $rc -eq 0 ] || sed 's/^/# go build: /' "$log" | tail -n 30
    return $rc
}

# A script's operations: one a line, # comments and blank lines skipped.
count_ops() { sed -e 's/#.*//' -e 's/[[:space:]]//g' "$1" | grep -c .; }
NOPS=$(count_ops "$SCRIPT")
NSNAP=$(count_ops "$SNAP_SCRIPT")

# The snapshot part needs the test Python with pymilvus (tests/peers/peers.sh
# TEST_PYTHON: $MILVUS_TEST_PYTHON or the build tree's venv).
SNAP_MISSING=
if [ ! -x "$TEST_PYTHON" ]; then
    SNAP_MISSING="the test Python $TEST_PYTHON is missing (make check makes it from tests/requirements.txt)"
elif ! "$TEST_PYTHON" -c 'import pymilvus' >/dev/null 2>&1; then
    SNAP_MISSING="the test Python $TEST_PYTHON cannot import pymilvus (tests/requirements.txt)"
fi

if ! golden_go_build "$CAPTURE" capture || ! golden_go_build "$GOCLIENT" goclient; then
    echo "1..1"
    echo "not ok 1 - building the Go programs of tests/golden failed"
    exit 1
fi
if [ ! -x "$CCLIENT" ]; then
    echo "1..1"
    echo "not ok 1 - $CCLIENT is missing (make check builds it)"
    exit 1
fi

if [ -n "$SNAP_MISSING" ]; then
    tap_plan $((2 + NOPS + 1))
else
    tap_plan $((2 + NOPS + 2 + NSNAP))
fi

# The clients, given the capture server's gRPC and marker ports.
run_go() { timeout 120 "$GOCLIENT" -addr "127.0.0.1:$1" -mark "127.0.0.1:$2" -script "$SCRIPT"; }
run_c() { timeout 120 "$CCLIENT" 127.0.0.1 "$1" "$2" "$SCRIPT"; }
run_py_snapshot() {
    timeout 120 "$TEST_PYTHON" "$GOLDEN_SRC/pyclient.py" 127.0.0.1 "$1" "$2" "$SNAP_SCRIPT"
}
run_c_snapshot() { timeout 120 "$CCLIENT" 127.0.0.1 "$1" "$2" --script "$SNAP_SCRIPT"; }

# run_client NAME FUNCTION [SCRIPT-NAME]: starts a capture server recording
# into $TEST_TMP/NAME.rec, runs FUNCTION PORT MARK, stops the server.  One
# TAP line.
run_client() {
    name=$1 what=${3:-script.txt}
    : >"$TEST_TMP/$name.rec"
    "$CAPTURE" -out "$TEST_TMP/$name.rec" >"$TEST_TMP/capture-$name.out" \
        2>"$TEST_TMP/capture-$name.err" &
    PEER_PID=$!
    peers_track "$PEER_PID"
    if ! peer_started "capture-$name"; then
        tap_not_ok "$name client: the capture server did not start"
        return 1
    fi
    mark=$(sed -n 's/^MARK \([0-9][0-9]*\).*/\1/p' "$TEST_TMP/capture-$name.out")
    tap_check "$name client runs $what against the capture server" "$2" "$PEER_PORT" "$mark"
    rc=$?
    stop_peer "$PEER_PID"
    return $rc
}

# compare_tap A.rec B.rec ALLOW NOPS LABELS: compare.js's TAP lines, one per
# operation (NOPS of them), numbered on from TAP_N; when compare.js could
# not compare (different scripts, unreadable input), NOPS failures.
compare_tap() {
    out=$TEST_TMP/compare-$(basename "$3" .txt)
    "$NODE" "$GOLDEN_SRC/compare.js" "$1" "$2" "$3" --labels "$5" \
        --tap $((TAP_N + 1)) >"$out.out" 2>"$out.err"
    crc=$?
    if [ $crc -le 1 ] && [ "$(grep -c '^ok \|^not ok ' "$out.out")" -eq "$4" ]; then
        cat "$out.out"
        TAP_N=$((TAP_N + $4))
        TAP_FAILED=$((TAP_FAILED + $(grep -c '^not ok ' "$out.out")))
    else
        sed 's/^/# /' "$out.err" "$out.out" | tail -n 30
        i=0
        while [ $i -lt "$4" ]; do
            tap_not_ok "golden: not compared (compare.js exit $crc)"
            i=$((i + 1))
        done
    fi
}

# keep A.rec B.rec ALLOW LABELS REPORT: the GOLDEN_KEEP copies.
keep() {
    [ -n "${GOLDEN_KEEP:-}" ] || return 0
    mkdir -p "$GOLDEN_KEEP" && cp "$1" "$2" "$GOLDEN_KEEP/" &&
        "$NODE" "$GOLDEN_SRC/compare.js" "$GOLDEN_KEEP/$(basename "$1")" \
            "$GOLDEN_KEEP/$(basename "$2")" "$3" --labels "$4" >"$GOLDEN_KEEP/$5" 2>&1
}

run_client go run_go
run_client c run_c
compare_tap "$TEST_TMP/go.rec" "$TEST_TMP/c.rec" "$GOLDEN_SRC/allow.txt" "$NOPS" go,c
keep "$TEST_TMP/go.rec" "$TEST_TMP/c.rec" "$GOLDEN_SRC/allow.txt" go,c report.txt

# The snapshot RPCs: pymilvus against libmilvus.
if [ -n "$SNAP_MISSING" ]; then
    if [ "${MILVUS_REQUIRE_PEERS:-0}" = 1 ]; then
        tap_not_ok "golden snapshots (pymilvus): required peer missing: $SNAP_MISSING"
    else
        tap_ok "golden snapshots (pymilvus) # SKIP $SNAP_MISSING"
    fi
else
    run_client py run_py_snapshot script-snapshot.txt
    run_client c-snapshot run_c_snapshot script-snapshot.txt
    compare_tap "$TEST_TMP/py.rec" "$TEST_TMP/c-snapshot.rec" "$GOLDEN_SRC/allow-snapshot.txt" \
        "$NSNAP" py,c
    keep "$TEST_TMP/py.rec" "$TEST_TMP/c-snapshot.rec" "$GOLDEN_SRC/allow-snapshot.txt" py,c \
        report-snapshot.txt
fi
tap_done
