#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# The libmilvus transport against grpc-go (the server Milvus runs), set up
# like the Milvus proxy (cmux, keepalive policy, 64 MiB limit): every
# interop case in plaintext and TLS, plus mutual TLS.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/peers/peers.sh"
. "$top_srcdir/tests/interop/interop-lib.sh"

require_interop_client
require_go_peer
require_cmd openssl
if ! build_go_peer; then
    echo "1..1"
    echo "not ok 1 - building the grpc-go peer failed"
    exit 1
fi
make_certs || { echo "1..1"; echo "not ok 1 - certs.sh failed"; exit 1; }

tap_plan "$INTEROP_SUITE_TESTS"
interop_peer_suite grpc-go start_go_peer
tap_done
