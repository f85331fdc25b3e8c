# SPDX-License-Identifier: Apache-2.0
# Helpers to build and start the independent test peers; sourced by test
# scripts after tests/lib.sh:
#   . "$top_srcdir/tests/lib.sh"
#   . "$top_srcdir/tests/peers/peers.sh"
# Every peer listens on 127.0.0.1 with a port it picks (port 0) and prints
# "PORT <n>"; start_* sets PEER_PID and PEER_PORT.  Peers are background
# jobs of the test shell, so lib.sh kills them on exit; stop_peer ends one
# earlier.

PEERS_SRC=$top_srcdir/tests/peers
PEERS_BUILD=$top_builddir/tests/peers
# lib.sh's exit trap finds background jobs with $(jobs -p), which is empty
# under dash (/bin/sh): peers are tracked here and killed first.
PEERS_PIDS=
_peers_cleanup() {
    # shellcheck disable=SC2086
    [ -z "$PEERS_PIDS" ] || kill $PEERS_PIDS 2>/dev/null
}
trap '_peers_cleanup; _cleanup' EXIT
peers_track() { PEERS_PIDS="$PEERS_PIDS $1"; }

# The test suite's Python: the virtual environment that `make check` makes
# from tests/requirements.txt (grpcio, grpcio-tools, h2, pymilvus, the
# Milvus servers).  Plain helpers (free_port, port_open) need only the
# standard library and fall back to any python3.
TEST_PYTHON=${MILVUS_TEST_PYTHON:-$top_builddir/tests/venv/bin/python}
[ -x "$TEST_PYTHON" ] && PLAIN_PYTHON=$TEST_PYTHON || PLAIN_PYTHON=$(command -v python3)
GRPC_PROTO_ROOT=/usr/share/grpc-proto

# require_test_python MODULE...: skips (fails under MILVUS_REQUIRE_PEERS)
# unless the test Python exists and imports every MODULE.
require_test_python() {
    [ -x "$TEST_PYTHON" ] ||
        tap_skip_all "the test Python $TEST_PYTHON is missing (make check makes it from tests/requirements.txt)"
    local m
    for m in "$@"; do
        "$TEST_PYTHON" -c "import $m" 2>/dev/null ||
            tap_skip_all "the test Python cannot import $m (tests/requirements.txt)"
    done
}

# wait_port FILE PID: prints the port once FILE has a "PORT <n>" line;
# fails if PID dies or nothing comes within 60 s.
wait_port() {
    local f="$1" pid="$2" i=0
    while ! grep -q '^PORT [0-9]' "$f" 2>/dev/null; do
        kill -0 "$pid" 2>/dev/null || return 1
        i=$((i + 1))
        [ $i -gt 600 ] && return 1
        sleep 0.1
    done
    sed -n 's/^PORT \([0-9][0-9]*\).*/\1/p' "$f" | head -n 1
}

# peer_started NAME: after "cmd & PEER_PID=$!", waits for the port.
peer_started() {
    PEER_PORT=$(wait_port "$TEST_TMP/$1.out" "$PEER_PID") && [ -n "$PEER_PORT" ] && return 0
    echo "# peer $1 did not start:" >&2
    sed 's/^/#   /' "$TEST_TMP/$1.err" "$TEST_TMP/$1.out" 2>/dev/null | tail -n 20 >&2
    return 1
}

stop_peer() {
    [ -n "${1:-}" ] || return 0
    kill "$1" 2>/dev/null
    wait "$1" 2>/dev/null
    return 0
}

# make_certs: throw-away CA, server and client certificates in $CERTS.
make_certs() {
    CERTS=$TEST_TMP/certs
    sh "$PEERS_SRC/certs.sh" "$CERTS" >/dev/null 2>&1
}

# Asks for a free loopback port (for nginx, which cannot report port 0).
free_port() {
    "$PLAIN_PYTHON" -c 'import socket
s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

# port_open PORT: something accepts connections on 127.0.0.1:PORT.
port_open() {
    "$PLAIN_PYTHON" -c 'import socket, sys
socket.create_connection(("127.0.0.1", int(sys.argv[1])), 1).close()' "$1" 2>/dev/null
}

# ---- grpc-go -------------------------------------------------------------

GO_PEER=$PEERS_BUILD/go-bin/interop-server

# require_go_peer: skips (fails under MILVUS_REQUIRE_PEERS) without Go.
# grpc-go and cmux are Go modules pinned in tests/go.mod and tests/go.sum.
require_go_peer() {
    [ -n "${GO:-}" ] || GO=$(command -v go)
    [ -n "$GO" ] || tap_skip_all "go not found (the machine's Go toolchain, 1.24 or newer)"
}

# build_go_peer: builds the grpc-go server into the build tree once
# (tests/peers/go-build.sh); reused while newer than its sources.
build_go_peer() {
    GO=$GO sh "$PEERS_SRC/go-build.sh" "$GO_PEER" ./peers/go "$PEERS_BUILD/go-cache"
}

# start_go_peer NAME [server flags...]
start_go_peer() {
    local name="$1"
    shift
    "$GO_PEER" "$@" >"$TEST_TMP/$name.out" 2>"$TEST_TMP/$name.err" &
    PEER_PID=$!
    peers_track "$PEER_PID"
    peer_started "$name"
}

# ---- grpc-core (grpcio from tests/requirements.txt) ----------------------

require_core_peer() {
    require_test_python grpc grpc_tools.protoc
    [ -f "$GRPC_PROTO_ROOT/grpc/testing/test.proto" ] ||
        tap_skip_all "grpc/testing/test.proto not found (apt-get install grpc-proto)"
}

start_core_peer() {
    local name="$1"
    shift
    TMPDIR=$TEST_TMP "$TEST_PYTHON" "$PEERS_SRC/core/server.py" "$@" \
        >"$TEST_TMP/$name.out" 2>"$TEST_TMP/$name.err" &
    PEER_PID=$!
    peers_track "$PEER_PID"
    peer_started "$name"
}

# check_peer DESC [client flags...]: grpc-core's own client checks a peer,
# so that a broken peer is not blamed on libmilvus.  Needs the core peer's
# requirements; says "skip" when they are missing.
check_peer() {
    local desc="$1" out rc
    shift
    if ! "$TEST_PYTHON" -c 'import grpc, grpc_tools.protoc' 2>/dev/null ||
        [ ! -f "$GRPC_PROTO_ROOT/grpc/testing/test.proto" ]; then
        tap_ok "$desc # SKIP grpcio/grpcio-tools (test Python) or grpc-proto missing"
        return 0
    fi
    out=$(TMPDIR=$TEST_TMP timeout 60 "$TEST_PYTHON" "$PEERS_SRC/core/check_peer.py" "$@" 2>&1)
    rc=$?
    if [ $rc -eq 0 ]; then
        tap_ok "$desc"
    else
        tap_not_ok "$desc (exit $rc)"
        printf '%s\n' "$out" | tail -n 10 | sed 's/^/# /'
    fi
}

# ---- grpc-js ---------------------------------------------------------------

require_js_peer() {
    require_node_module @grpc/grpc-js
    require_node_module @grpc/proto-loader
}

start_js_peer() {
    local name="$1"
    shift
    "$NODE" "$PEERS_SRC/js/server.js" "$@" >"$TEST_TMP/$name.out" 2>"$TEST_TMP/$name.err" &
    PEER_PID=$!
    peers_track "$PEER_PID"
    peer_started "$name"
}

# ---- nginx -------------------------------------------------------------------

require_nginx() {
    NGINX=${NGINX_BIN:-$(command -v nginx || echo /usr/sbin/nginx)}
    [ -x "$NGINX" ] || tap_skip_all "nginx not found (apt-get install nginx)"
}

# start_nginx UPSTREAM_PORT: TLS + HTTP/2 gRPC proxy on a free port to a
# plaintext gRPC server; sets NGINX_PID, NGINX_PORT, NGINX_DIR.  Needs
# make_certs first.
start_nginx() {
    local upstream="$1" try user_line=''
    NGINX_DIR=$TEST_TMP/nginx
    mkdir -p "$NGINX_DIR/logs" || return 1
    # Workers of a root master would run as nobody and could not write
    # the temp directories under the private TEST_TMP.
    [ "$(id -u)" = 0 ] && user_line='user root;'
    for try in 1 2 3; do
        NGINX_PORT=$(free_port) || return 1
        sed -e "s|@PORT@|$NGINX_PORT|g" -e "s|@UPSTREAM@|$upstream|g" \
            -e "s|@PREFIX@|$NGINX_DIR|g" -e "s|@CERT@|$CERTS/server.pem|g" \
            -e "s|@KEY@|$CERTS/server.key|g" -e "s|@USER_LINE@|$user_line|g" \
            "$PEERS_SRC/nginx.conf.in" >"$NGINX_DIR/nginx.conf" || return 1
        # nginx reads $NGINX as a list of inherited sockets: drop it.
        env -u NGINX "$NGINX" -p "$NGINX_DIR" -c "$NGINX_DIR/nginx.conf" \
            -e "$NGINX_DIR/logs/error.log" >"$TEST_TMP/nginx.out" 2>&1 &
        NGINX_PID=$!
        peers_track "$NGINX_PID"
        local i=0
        while [ $i -lt 50 ]; do
            kill -0 "$NGINX_PID" 2>/dev/null || break
            if port_open "$NGINX_PORT"; then
                return 0
            fi
            i=$((i + 1))
            sleep 0.1
        done
        stop_peer "$NGINX_PID"
    done
    echo "# nginx did not start:" >&2
    sed 's/^/#   /' "$TEST_TMP/nginx.out" "$NGINX_DIR/logs/error.log" 2>/dev/null | tail -n 20 >&2
    return 1
}
