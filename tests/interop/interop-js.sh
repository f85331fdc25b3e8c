#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# The libmilvus transport against grpc-js (npm @grpc/grpc-js, pure
# JavaScript): every interop case in plaintext and TLS, plus mutual TLS.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/peers/peers.sh"
. "$top_srcdir/tests/interop/interop-lib.sh"

require_interop_client
require_js_peer
require_cmd openssl
make_certs || { echo "1..1"; echo "not ok 1 - certs.sh failed"; exit 1; }

tap_plan "$INTEROP_SUITE_TESTS"
interop_peer_suite grpc-js start_js_peer
tap_done
