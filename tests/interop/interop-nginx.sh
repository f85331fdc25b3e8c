#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# The libmilvus transport through nginx (TLS + HTTP/2, grpc_pass) to the
# grpc-go peer: every interop case, then many_unary over 2500 calls, which
# crosses nginx's GOAWAY after 1000 requests per connection twice with
# zero failures.  Also the cmux behaviour of the plaintext grpc-go port
# (the Milvus proxy's port sharing) and clean errors on TLS mismatches.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/peers/peers.sh"
. "$top_srcdir/tests/interop/interop-lib.sh"

require_interop_client
require_nginx
require_go_peer
require_cmd openssl
[ -n "$PLAIN_PYTHON" ] || tap_skip_all "python3 not found"
if ! build_go_peer; then
    echo "1..1"
    echo "not ok 1 - building the grpc-go peer failed"
    exit 1
fi
make_certs || { echo "1..1"; echo "not ok 1 - certs.sh failed"; exit 1; }
if ! start_go_peer go-upstream; then
    echo "1..1"
    echo "not ok 1 - the grpc-go peer did not start"
    exit 1
fi
UPSTREAM=$PEER_PORT
if ! start_nginx "$UPSTREAM"; then
    echo "1..1"
    echo "not ok 1 - nginx did not start"
    exit 1
fi
TLS="--server_port=$NGINX_PORT --use_tls=true --ca_file=$CERTS/ca.pem --server_host_override=server.milvus.test"

tap_plan $((INTEROP_N_CASES + 8))

# shellcheck disable=SC2086
check_peer "nginx tls: grpc-core client passes through nginx" $TLS
# shellcheck disable=SC2086
interop_cases nginx tls $TLS

# many_unary 2500: nginx closes each connection with GOAWAY after 1000
# requests; the access log's connection serial numbers prove the calls
# really went over at least three connections.
ACCESS=$NGINX_DIR/logs/access.log
before=$(wc -l <"$ACCESS")
# shellcheck disable=SC2086
interop_case "nginx tls many_unary --num_calls=2500 (crosses GOAWAY twice)" many_unary $TLS --num_calls=2500
conns=$(tail -n +$((before + 1)) "$ACCESS" | awk '{print $1}' | sort -u | wc -l)
reqs=$(tail -n +$((before + 1)) "$ACCESS" | grep -c 'UnaryCall')
if [ "$conns" -ge 3 ] && [ "$reqs" -ge 2500 ]; then
    tap_ok "nginx: the 2500 calls used $conns connections ($reqs requests logged)"
else
    tap_not_ok "nginx: 2500 calls used $conns connections ($reqs requests logged), expected >= 3 and >= 2500"
fi
# shellcheck disable=SC2086
interop_case "nginx tls concurrent_large_unary with --pool_size=2" concurrent_large_unary $TLS --pool_size=2

# cmux on the plaintext grpc-go port: HTTP/1 goes to the fallback handler,
# and HTTP/2 with a content-type other than exactly application/grpc is
# not routed to gRPC (as on the Milvus proxy).
if command -v curl >/dev/null 2>&1; then
    body=$(curl -sS --max-time 10 -o - -w ' %{http_code}' "http://127.0.0.1:$UPSTREAM/" 2>&1)
    case $body in
    *"not a gRPC request"*404) tap_ok "grpc-go cmux: HTTP/1 request served by the fallback handler" ;;
    *) tap_not_ok "grpc-go cmux: HTTP/1 fallback answered: $body" ;;
    esac
    out=$(curl -sS -i --max-time 10 --http2-prior-knowledge -X POST \
        -H 'content-type: application/grpc+proto' -H 'te: trailers' --data-binary '' \
        "http://127.0.0.1:$UPSTREAM/grpc.testing.TestService/EmptyCall" 2>&1)
    rc=$?
    if [ $rc -ne 0 ] && [ $rc -ne 28 ] && ! printf '%s' "$out" | grep -qi 'grpc-status'; then
        tap_ok "grpc-go cmux: content-type application/grpc+proto is not served as gRPC (curl exit $rc)"
    else
        tap_not_ok "grpc-go cmux: application/grpc+proto got (curl exit $rc): $(printf '%s' "$out" | head -n 3 | tr '\n' ' ')"
    fi
else
    tap_ok "grpc-go cmux: HTTP/1 fallback # SKIP curl not installed"
    tap_ok "grpc-go cmux: application/grpc+proto # SKIP curl not installed"
fi

# TLS/plaintext mismatches end with one clear error, not a hang.
interop_must_fail "TLS client on the plaintext grpc-go (cmux) port fails cleanly" "" \
    --server_port="$UPSTREAM" --use_tls=true --ca_file="$CERTS/ca.pem" \
    --server_host_override=server.milvus.test
interop_must_fail "plaintext client on the nginx TLS port fails cleanly" "" --server_port="$NGINX_PORT"

tap_done
