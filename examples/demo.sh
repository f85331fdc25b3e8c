#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# Runs the libmilvus demo against $MILVUS_URI, or against the local
# Milvus-protocol server (tests/server) started here on a free port.
set -eu
: "${top_srcdir:?}" "${top_builddir:?}"
NODE=${NODE:-node}
server_pid=
cleanup() { [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null; wait 2>/dev/null || true; }
trap cleanup EXIT INT TERM

if [ -z "${MILVUS_URI:-}" ]; then
    portfile=$(mktemp)
    NODE_PATH="${NODE_PATH:-$top_srcdir/node_modules}" "$NODE" "$top_srcdir/tests/server/server.js" \
        --port 0 --port-file "$portfile" --restore-ms 3000 >/dev/null &
    server_pid=$!
    i=0
    while [ ! -s "$portfile" ]; do
        i=$((i + 1))
        if [ $i -gt 300 ] || ! kill -0 "$server_pid" 2>/dev/null; then
            echo "demo: the local Milvus-protocol server did not start (run: npm ci)" >&2
            exit 1
        fi
        sleep 0.1
    done
    MILVUS_URI="http://127.0.0.1:$(cat "$portfile")"
    rm -f "$portfile"
    echo "demo: local Milvus-protocol server at $MILVUS_URI"
fi
export MILVUS_URI
for ex in ${DEMO_PROGRAMS:-snapshot_restore}; do
    echo "demo: running examples/$ex"
    "$top_builddir/examples/$ex"
done
