#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# The Milvus-protocol test server against a real Milvus, request by request
# (TAP): tests/scenario/scenario.py sends one fixed scenario of raw gRPC
# requests to the test server (started here) and to the Milvus server given
# by MILVUS_URI (+ MILVUS_TOKEN, user:password or API key), and
# tests/scenario/compare.py compares the two answers step by step: one TAP
# line per step, "not ok" for a difference that tests/scenario/allow.txt
# does not list.  The test server runs with the same kind of credentials as
# the real one, so the wrong-credential steps run on both.
#
# Without MILVUS_URI there is nothing to compare with: the script skips.
# Both outputs are kept in $top_builddir/tests/scenario/ (test-server.json,
# milvus.json) for a look after a failure.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/peers/peers.sh"

if [ -z "${MILVUS_URI:-}" ]; then
    echo "1..0 # SKIP MILVUS_URI is not set: no real Milvus to compare the test server with"
    exit 0
fi
case $MILVUS_URI in
https://*) echo "1..0 # SKIP $MILVUS_URI: scenario.py speaks plaintext gRPC only"; exit 0 ;;
esac
require_test_python grpc pymilvus.grpc_gen.milvus_pb2
require_node_module @grpc/grpc-js
require_node_module @grpc/proto-loader

SCN=$top_srcdir/tests/scenario
OUT=$top_builddir/tests/scenario
mkdir -p "$OUT"
TOKEN=${MILVUS_TOKEN:-}

# ---- the test server, with credentials of the same kind -------------------------
set -- --port 0 --port-file "$TEST_TMP/server.port" --index-ms 50 --load-ms 50
case $TOKEN in
"") ;;
*:*) set -- "$@" --auth "$TOKEN" ;;
*) set -- "$@" --token "$TOKEN" ;;
esac
NODE_PATH=${NODE_PATH:-$top_srcdir/node_modules} "$NODE" "$top_srcdir/tests/server/server.js" "$@" \
    >"$TEST_TMP/server.log" 2>&1 &
peers_track $!
if ! wait_for_file "$TEST_TMP/server.port" 60; then
    echo "1..1"
    echo "not ok 1 - the test server did not start"
    sed 's/^/# /' "$TEST_TMP/server.log"
    exit 1
fi
TS_URI=127.0.0.1:$(cat "$TEST_TMP/server.port")

# run_scenario LABEL URI OUTFILE: prints the run time; fails with the log
run_scenario() {
    local label="$1" uri="$2" out="$3" t0 rc
    t0=$(date +%s)
    if command -v timeout >/dev/null 2>&1; then
        timeout 600 "$TEST_PYTHON" "$SCN/scenario.py" --uri "$uri" --token "$TOKEN" --out "$out" \
            >"$TEST_TMP/$label.log" 2>&1
    else
        "$TEST_PYTHON" "$SCN/scenario.py" --uri "$uri" --token "$TOKEN" --out "$out" \
            >"$TEST_TMP/$label.log" 2>&1
    fi
    rc=$?
    echo "# $label ($uri): scenario in $(($(date +%s) - t0)) s, exit $rc"
    if [ $rc -ne 0 ]; then
        tail -n 20 "$TEST_TMP/$label.log" | sed 's/^/#   /'
    fi
    return $rc
}

start=$(date +%s)
if ! run_scenario test-server "$TS_URI" "$OUT/test-server.json" ||
    ! run_scenario milvus "$MILVUS_URI" "$OUT/milvus.json"; then
    echo "1..1"
    echo "not ok 1 - scenario.py did not complete"
    exit 1
fi

"$TEST_PYTHON" "$SCN/compare.py" --tap --labels test-server,milvus --allow "$SCN/allow.txt" \
    "$OUT/test-server.json" "$OUT/milvus.json"
rc=$?
echo "# test server against $MILVUS_URI: compared in $(($(date +%s) - start)) s"
exit $rc
