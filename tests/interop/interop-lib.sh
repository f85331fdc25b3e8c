# SPDX-License-Identifier: Apache-2.0
# Shared by the interop scripts (sourced after tests/lib.sh and
# tests/peers/peers.sh): runs the libmilvus interop client, one TAP line
# per (peer, mode, case).

INTEROP_CLIENT=${INTEROP_CLIENT:-$top_builddir/tests/interop/interop_client}
INTEROP_CASES="empty_unary large_unary server_streaming custom_metadata
status_code_and_message special_status_message unimplemented_method
unimplemented_service timeout_on_sleeping_server cancel_after_begin
cancel_after_first_response concurrent_large_unary many_unary"
INTEROP_N_CASES=$(echo $INTEROP_CASES | wc -w)
# The client has its own watchdog; this outer bound only catches a client
# that is stuck outside its event loop.
INTEROP_TIMEOUT=${INTEROP_TIMEOUT:-200}

# require_interop_client: the client is a check_PROGRAM; `make check`
# builds it.  Missing means a broken build, not a missing peer.
require_interop_client() {
    if [ ! -x "$INTEROP_CLIENT" ]; then
        echo "1..1"
        echo "not ok 1 - $INTEROP_CLIENT not built (run make check)"
        exit 1
    fi
}

# interop_case DESC CASE [client flags...]: ok when the case passes; the
# client's "#" lines (call counts, retries) are kept as TAP diagnostics.
interop_case() {
    local desc="$1" tc="$2" out rc
    shift 2
    out=$(timeout "$INTEROP_TIMEOUT" "$INTEROP_CLIENT" --test_case="$tc" "$@" 2>"$TEST_TMP/client.err")
    rc=$?
    if [ $rc -eq 0 ] && printf '%s\n' "$out" | grep -q "^PASS $tc "; then
        tap_ok "$desc"
        printf '%s\n' "$out" | grep '^# ' || :
        printf '%s\n' "$out" | sed -n 's/^PASS [a-z_]* (\(.*\))$/#   took \1/p'

    else
        tap_not_ok "$desc (exit $rc)"
        printf '%s\n' "$out" | grep -v '^PASS' | sed 's/^#* */# /'
        tail -n 15 "$TEST_TMP/client.err" | sed 's/^/# stderr: /'
    fi
}

# interop_cases PEER MODE [client flags...]: every case, one line each.
interop_cases() {
    local peer="$1" mode="$2" tc
    shift 2
    for tc in $INTEROP_CASES; do
        interop_case "$peer $mode $tc" "$tc" "$@"
    done
}

# interop_must_fail DESC PATTERN [client flags...]: empty_unary, with a
# 3 s call deadline, must fail cleanly: exit 1 with exactly one
# "FAIL empty_unary:" line matching the grep -E PATTERN ("" for any), and
# no hang.  (The transport keeps reconnecting until a call's deadline, so
# the deadline bounds the time a refused handshake takes.)
interop_must_fail() {
    local desc="$1" pattern="$2" out rc t0 t1 line
    shift 2
    t0=$(date +%s)
    out=$(timeout 30 "$INTEROP_CLIENT" --test_case=empty_unary --call_timeout_ms=3000 "$@" \
        2>"$TEST_TMP/client.err")
    rc=$?
    t1=$(date +%s)
    line=$(printf '%s\n' "$out" | grep '^FAIL empty_unary: ')
    if [ $rc -eq 1 ] && [ "$(printf '%s\n' "$line" | grep -c .)" = 1 ] &&
        printf '%s\n' "$line" | grep -Eq -- "${pattern:-.}" && [ $((t1 - t0)) -lt 25 ]; then
        tap_ok "$desc"
        printf '%s\n' "$out" | sed 's/^/# /'
    else
        tap_not_ok "$desc (exit $rc after $((t1 - t0)) s${pattern:+, expected /$pattern/})"
        printf '%s\n' "$out" | sed 's/^/# /'
        tail -n 15 "$TEST_TMP/client.err" | sed 's/^/# stderr: /'
    fi
}

# Number of TAP lines interop_peer_suite prints.
INTEROP_SUITE_TESTS=$((2 * (INTEROP_N_CASES + 1) + 2 + 5))

# interop_peer_suite PEER START_FN: the whole suite against one peer
# implementation, started three times by START_FN NAME [server flags]:
#   plain  every case (after grpc-core's own client checked the peer)
#   tls    every case, verified against the test CA under the override
#          name; a wrong name and the system CAs must both be refused
#   mtls   three cases with a client certificate; none must be refused
# Needs make_certs first.
interop_peer_suite() {
    local peer="$1" start="$2" port tc
    local tls="--use_tls=true --ca_file=$CERTS/ca.pem --server_host_override=server.milvus.test"
    local mtls="$tls --client_cert=$CERTS/client.pem --client_key=$CERTS/client.key"

    if $start "$peer-plain"; then
        port=$PEER_PORT
        check_peer "$peer plain: grpc-core client accepts the peer" --server_port="$port"
        interop_cases "$peer" plain --server_port="$port"
        stop_peer "$PEER_PID"
    else
        interop_not_started "$peer plain" $((INTEROP_N_CASES + 1))
    fi

    if $start "$peer-tls" --cert="$CERTS/server.pem" --key="$CERTS/server.key"; then
        port=$PEER_PORT
        # shellcheck disable=SC2086
        check_peer "$peer tls: grpc-core client accepts the peer" --server_port="$port" $tls
        # shellcheck disable=SC2086
        interop_cases "$peer" tls --server_port="$port" $tls
        interop_must_fail "$peer tls: a certificate not matching the server name is refused" \
            "status -12 " --server_port="$port" --use_tls=true --ca_file="$CERTS/ca.pem" \
            --server_host_override=other.milvus.test
        interop_must_fail "$peer tls: a certificate not signed by a trusted CA is refused" \
            "status -12 " --server_port="$port" --use_tls=true --server_host_override=server.milvus.test
        stop_peer "$PEER_PID"
    else
        interop_not_started "$peer tls" $((INTEROP_N_CASES + 3))
    fi

    if $start "$peer-mtls" --cert="$CERTS/server.pem" --key="$CERTS/server.key" \
        --client_ca="$CERTS/ca.pem"; then
        port=$PEER_PORT
        # shellcheck disable=SC2086
        check_peer "$peer mtls: grpc-core client accepts the peer" --server_port="$port" \
            $tls --client_cert="$CERTS/client.pem" --client_key="$CERTS/client.key"
        for tc in empty_unary large_unary server_streaming; do
            # shellcheck disable=SC2086
            interop_case "$peer mtls $tc" "$tc" --server_port="$port" $mtls
        done
        # shellcheck disable=SC2086
        interop_must_fail "$peer mtls: a client without a certificate is refused" "" \
            --server_port="$port" $tls
        stop_peer "$PEER_PID"
    else
        interop_not_started "$peer mtls" 5
    fi
}

# interop_not_started WHAT N: N failed lines for a peer that did not start.
interop_not_started() {
    local i=0
    while [ $i -lt "$2" ]; do
        tap_not_ok "$1: peer did not start"
        i=$((i + 1))
    done
}
