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
# Needs Go (1.24.11 or newer, the go line of tests/golden/go.mod; its
# modules come from the Go module proxy into the user's module cache on the
# first build, which then takes minutes), node
# with the npm packages of package.json (protobufjs and
# @zilliz/milvus2-sdk-node), and tests/golden/cclient (check_PROGRAMS).
# GOLDEN_KEEP=DIR keeps the two recordings (go.rec, c.rec) and compare.js's
# full report (report.txt: every allowed difference with its reason) in DIR.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/peers/peers.sh"

GOLDEN_SRC=$top_srcdir/tests/golden
GOLDEN_BUILD=$top_builddir/tests/golden
CAPTURE=$GOLDEN_BUILD/go-bin/capture
GOCLIENT=$GOLDEN_BUILD/go-bin/goclient
CCLIENT=${GOLDEN_CCLIENT:-$GOLDEN_BUILD/cclient}
SCRIPT=$GOLDEN_SRC/script.txt

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

# script.txt's operations: one a line, # comments and blank lines skipped.
NOPS=$(sed -e 's/#.*//' -e 's/[[:space:]]//g' "$SCRIPT" | grep -c .)

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

tap_plan $((2 + NOPS))

# The clients, given the capture server's gRPC and marker ports.
run_go() { timeout 120 "$GOCLIENT" -addr "127.0.0.1:$1" -mark "127.0.0.1:$2" -script "$SCRIPT"; }
run_c() { timeout 120 "$CCLIENT" 127.0.0.1 "$1" "$2" "$SCRIPT"; }

# run_client NAME FUNCTION: starts a capture server recording into
# $TEST_TMP/NAME.rec, runs FUNCTION PORT MARK, stops the server.  One TAP
# line.
run_client() {
    name=$1
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
    tap_check "$name client runs script.txt against the capture server" "$2" "$PEER_PORT" "$mark"
    rc=$?
    stop_peer "$PEER_PID"
    return $rc
}

run_client go run_go
run_client c run_c

"$NODE" "$GOLDEN_SRC/compare.js" "$TEST_TMP/go.rec" "$TEST_TMP/c.rec" "$GOLDEN_SRC/allow.txt" \
    --tap $((TAP_N + 1)) >"$TEST_TMP/compare.out" 2>"$TEST_TMP/compare.err"
crc=$?
if [ -n "${GOLDEN_KEEP:-}" ]; then
    mkdir -p "$GOLDEN_KEEP" && cp "$TEST_TMP/go.rec" "$TEST_TMP/c.rec" "$GOLDEN_KEEP/" &&
        "$NODE" "$GOLDEN_SRC/compare.js" "$GOLDEN_KEEP/go.rec" "$GOLDEN_KEEP/c.rec" \
            "$GOLDEN_SRC/allow.txt" >"$GOLDEN_KEEP/report.txt" 2>&1
fi
if [ $crc -le 1 ] && [ "$(grep -c '^ok \|^not ok ' "$TEST_TMP/compare.out")" -eq "$NOPS" ]; then
    cat "$TEST_TMP/compare.out"
    TAP_N=$((TAP_N + NOPS))
    TAP_FAILED=$((TAP_FAILED + $(grep -c '^not ok ' "$TEST_TMP/compare.out")))
else
    # compare.js could not compare (different scripts, unreadable input):
    # every operation fails.
    sed 's/^/# /' "$TEST_TMP/compare.err" "$TEST_TMP/compare.out" | tail -n 30
    i=0
    while [ $i -lt "$NOPS" ]; do
        tap_not_ok "golden: not compared (compare.js exit $crc)"
        i=$((i + 1))
    done
fi
tap_done
