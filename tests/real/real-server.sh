# SPDX-License-Identifier: Apache-2.0
# The typed API's integration suites, the examples and milvusctl against a
# Milvus server written by the Milvus project, started once for the whole
# run (sourced by milvus-standalone.sh and milvus-lite.sh with REAL_KIND
# set):
#   standalone   embedded Milvus standalone (PyPI "milvus": the real Go
#                server with its proxy, etcd and local storage),
#                authentication on, root:Milvus
#   lite         Milvus Lite (PyPI "milvus-lite")
# Both come from tests/requirements.txt (the test Python environment) and
# are started by tests/peers/milvus/milvus_server.py on loopback.
#
# standalone also runs the connection suite over TLS (tls_mode 1) and
# mutual TLS (tls_mode 2) with certificates made at test time, and
# tests/real/rate_limit against an instance with an insert rate limit.
#
# Every program runs with MILVUS_URI, MILVUS_TOKEN and MILVUS_SERVER_KIND
# set; the fixture (tests/integration/server_fixture.c) holds the one table
# of what each server does not support, with the reason.  A test that
# needs something a server lacks, or needs the test server's fault
# injection, reports itself "n/a on <kind>: <reason>"; this script prints
# it as a TAP comment (it runs, and is counted, against the test server)
# instead of a result.  Everything else is an ok/not ok line, renumbered
# into one plan.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/peers/peers.sh"

: "${REAL_KIND:?REAL_KIND must be set}"
# CI's later passes (distcheck) run the suite again without the servers:
# they ran once already in the first build.
if [ "${MILVUS_REAL_SERVERS:-1}" = 0 ]; then
    echo "1..0 # SKIP MILVUS_REAL_SERVERS=0: the real servers ran in another pass"
    exit 0
fi
case $REAL_KIND in
standalone) require_test_python milvus pymilvus ;;
lite) require_test_python milvus_lite pymilvus ;;
*) echo "1..1"; echo "not ok 1 - unknown REAL_KIND $REAL_KIND"; exit 1 ;;
esac

PROGRAMS="tests/integration/test_connection tests/integration/test_collection
  tests/integration/test_data tests/integration/test_types tests/integration/test_zero_copy
  tests/integration/test_errors tests/integration/test_admin"
for p in $PROGRAMS; do
    [ -x "$top_builddir/$p" ] || { echo "1..1"; echo "not ok 1 - $p not built"; exit 1; }
done

# ---- the server ----------------------------------------------------------------
# start_real NAME [launcher flags]: starts the server (its binaries are
# unpacked once into the build tree and kept) and sets PEER_PID, PEER_PORT.
start_real() {
    local name="$1" t0
    shift
    t0=$(date +%s)
    "$TEST_PYTHON" "$top_srcdir/tests/peers/milvus/milvus_server.py" --kind "$REAL_KIND" \
        --dir "$TEST_TMP/$name" --bin-dir "$top_builddir/tests/real/milvus-bin" "$@" \
        >"$TEST_TMP/$name.out" 2>"$TEST_TMP/$name.err" &
    PEER_PID=$!
    peers_track "$PEER_PID"
    peer_started "$name" || return 1
    echo "# Milvus $REAL_KIND ($name) on 127.0.0.1:$PEER_PORT after $(($(date +%s) - t0)) s"
    grep 'ready in' "$TEST_TMP/$name.err" | sed 's/^/# /'
}
start=$(date +%s)
mkdir -p "$top_builddir/tests/real"
if ! start_real "$REAL_KIND"; then
    echo "1..1"
    echo "not ok 1 - Milvus $REAL_KIND did not start"
    exit 1
fi
MILVUS_URI="http://127.0.0.1:$PEER_PORT"
MILVUS_SERVER_KIND=$REAL_KIND
MILVUS_TOKEN=
[ "$REAL_KIND" = standalone ] && MILVUS_TOKEN=root:Milvus
export MILVUS_URI MILVUS_SERVER_KIND MILVUS_TOKEN

# ---- the C suites: one TAP stream ----------------------------------------------
# renumber PROGRAM < criterion TAP: ok/not ok lines get the next numbers and
# the program's name; "n/a on" skips become comments; plans are dropped.
N=0
FAILED=0
run_tap() { # NAME COMMAND...
    local name="$1" out="$TEST_TMP/tap.$$" line rest
    shift
    "$@" >"$out" 2>&1
    local rc=$?
    local seen=0
    while IFS= read -r line; do
        case $line in
        "ok "*"# SKIP n/a on "* | "ok "*"# skip n/a on "*)
            rest=${line#ok }
            rest=${rest#[0-9]* }
            rest=${rest#- }
            echo "# $name: ${rest%% # *} — ${line##*# [Ss][Kk][Ii][Pp] }"
            ;;
        "ok "* | "not ok "*)
            N=$((N + 1))
            seen=$((seen + 1))
            case $line in "not ok "*) FAILED=$((FAILED + 1)); rest=${line#not ok } ;; *) rest=${line#ok } ;; esac
            rest=${rest#* }
            case $line in "not ok "*) echo "not ok $N $name: ${rest#- }" ;; *) echo "ok $N $name: ${rest#- }" ;; esac
            ;;
        1..* | "TAP version"*) ;;
        *) echo "$line" | sed 's/^\([^#]\)/# \1/' ;;
        esac
    done <"$out"
    if [ "$rc" -ne 0 ] && [ "$seen" -eq 0 ]; then
        N=$((N + 1))
        FAILED=$((FAILED + 1))
        echo "not ok $N $name: exited $rc without results"
    fi
    rm -f "$out"
}

for p in $PROGRAMS; do
    run_tap "$(basename "$p")" env CRITERION_OUTPUTS=tap:- "$top_builddir/$p" -j2
done
run_tap examples sh "$top_srcdir/tests/api/examples.sh"
# every data type written by libmilvus and read by pymilvus, and back
run_tap roundtrip sh "$top_srcdir/tests/roundtrip/roundtrip.sh"
# the test server's answers against the real server's, step by step
# (standalone only: Milvus Lite is no judge of Milvus behaviour)
[ "$REAL_KIND" = standalone ] && run_tap scenario sh "$top_srcdir/tests/scenario/scenario.sh"
# the README's demo: its steps without snapshots (no server here has them)
run_tap demo env DEMO_EXPECT_NO_SNAPSHOTS=1 sh "$top_srcdir/tests/snapshot/demo.sh"
# milvusctl's commands but the snapshot ones (no server here has them)
run_tap milvusctl env MILVUSCTL_SNAPSHOTS=0 sh "$top_srcdir/tests/snapshot/milvusctl.sh"

# ---- TLS (standalone): the connection suite over TLS and mutual TLS ---------------
if [ "$REAL_KIND" = standalone ]; then
    stop_peer "$PEER_PID"
    make_certs
    for mode in 1 2; do
        if ! start_real "tls$mode" --tls-mode "$mode" --cert "$CERTS/server.pem" \
            --key "$CERTS/server.key" --ca "$CERTS/ca.pem"; then
            N=$((N + 1))
            FAILED=$((FAILED + 1))
            echo "not ok $N Milvus standalone with tls_mode $mode did not start"
            continue
        fi
        if [ "$mode" = 2 ]; then
            run_tap "test_connection (mutual TLS)" env MILVUS_URI="https://localhost:$PEER_PORT" \
                MILVUS_CA_FILE="$CERTS/ca.pem" MILVUS_CLIENT_CERT="$CERTS/client.pem" \
                MILVUS_CLIENT_KEY="$CERTS/client.key" CRITERION_OUTPUTS=tap:- \
                "$top_builddir/tests/integration/test_connection" -j2
        else
            run_tap "test_connection (TLS)" env MILVUS_URI="https://localhost:$PEER_PORT" \
                MILVUS_CA_FILE="$CERTS/ca.pem" CRITERION_OUTPUTS=tap:- \
                "$top_builddir/tests/integration/test_connection" -j2
        fi
        stop_peer "$PEER_PID"
    done
fi

# ---- rate limiting (standalone): a server whose insert rate is ~100 bytes/s --------
if [ "$REAL_KIND" = standalone ]; then
    if start_real ratelimit --set quotaAndLimits.dml.enabled=true \
        --set quotaAndLimits.dml.insertRate.max=0.0001; then
        run_tap "rate limiting" "$top_builddir/tests/real/rate_limit" \
            "http://127.0.0.1:$PEER_PORT" root:Milvus
        stop_peer "$PEER_PID"
    else
        N=$((N + 1))
        FAILED=$((FAILED + 1))
        echo "not ok $N Milvus standalone with an insert rate limit did not start"
    fi
fi

echo "1..$N"
echo "# Milvus $REAL_KIND: $((N - FAILED)) passed, $FAILED failed in $(($(date +%s) - start)) s"
[ "$FAILED" -eq 0 ]
