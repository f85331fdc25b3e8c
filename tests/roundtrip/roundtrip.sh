#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# Every data type round-trips between libmilvus and pymilvus through one
# server (TAP).  For each group of the server kind (`roundtrip --kind K
# groups`):
#   - roundtrip (C) and roundtrip.py print the same expected dataset;
#   - libmilvus writes collection A; libmilvus and pymilvus dumps of A
#     equal the dataset;
#   - pymilvus writes collection B; libmilvus and pymilvus dumps of B
#     equal the dataset;
# compared by tests/roundtrip/compare.py (differences shown as
# diagnostics).  The collections are dropped at the end.
#
# Server: $MILVUS_URI (+ $MILVUS_TOKEN) with $MILVUS_SERVER_KIND
# (standalone, lite; anything else is the test server), as
# tests/real/real-server.sh exports them; without MILVUS_URI the project's
# test server (tests/server/server.js) is started here.  Python:
# $MILVUS_TEST_PYTHON (with pymilvus).
. "$top_srcdir/tests/lib.sh"

RT=$top_builddir/tests/roundtrip/roundtrip
RTPY=$top_srcdir/tests/roundtrip/roundtrip.py
CMP=$top_srcdir/tests/roundtrip/compare.py
PY=${MILVUS_TEST_PYTHON:-$top_builddir/tests/venv/bin/python}

[ -x "$PY" ] || tap_skip_all "the test Python $PY is missing (MILVUS_TEST_PYTHON)"
"$PY" -c "import pymilvus" 2>/dev/null || tap_skip_all "the test Python cannot import pymilvus"
if [ ! -x "$RT" ]; then
    tap_plan 1
    tap_not_ok "tests/roundtrip/roundtrip not built"
    exit 1
fi

# ---- the server ---------------------------------------------------------------
own_pids=
created=
drop_created() {
    for c in $created; do
        "$RT" drop "$c" >/dev/null 2>&1
    done
    created=
}
stop_own() {
    [ -n "$created" ] && drop_created
    # shellcheck disable=SC2086
    [ -n "$own_pids" ] && kill $own_pids 2>/dev/null
    _cleanup
}
trap stop_own EXIT

if [ -z "${MILVUS_URI:-}" ]; then
    require_node_module @grpc/grpc-js
    require_node_module @grpc/proto-loader
    portfile=$TEST_TMP/server.port
    NODE_PATH=${NODE_PATH:-$top_srcdir/node_modules} "$NODE" "$top_srcdir/tests/server/server.js" \
        --port 0 --port-file "$portfile" --index-ms 50 --load-ms 50 >"$TEST_TMP/server.log" 2>&1 &
    own_pids="$own_pids $!"
    if ! wait_for_file "$portfile" 30; then
        tap_plan 1
        tap_not_ok "test server did not start"
        sed 's/^/# /' "$TEST_TMP/server.log"
        exit 1
    fi
    MILVUS_URI="http://127.0.0.1:$(cat "$portfile")"
    MILVUS_TOKEN=
    MILVUS_SERVER_KIND=test-server
fi
case ${MILVUS_SERVER_KIND:-} in
standalone | lite) KIND=$MILVUS_SERVER_KIND ;;
*) KIND=test-server ;;
esac
MILVUS_SERVER_KIND=$KIND
export MILVUS_URI MILVUS_TOKEN MILVUS_SERVER_KIND
echo "# round trip on $KIND at $MILVUS_URI"

# ---- the groups -----------------------------------------------------------------
if ! groups=$("$RT" --kind "$KIND" groups) || [ -z "$groups" ]; then
    tap_plan 1
    tap_not_ok "roundtrip --kind $KIND groups failed"
    exit 1
fi
ngroups=$(printf '%s\n' "$groups" | wc -l)
tap_plan $((1 + 5 * ngroups))
echo "# groups: $(echo $groups)"

pygroups=$("$PY" "$RTPY" --kind "$KIND" groups 2>&1)
if [ "$pygroups" = "$groups" ]; then
    tap_ok "roundtrip and roundtrip.py run the same groups on $KIND"
else
    tap_not_ok "roundtrip and roundtrip.py run the same groups on $KIND"
    printf 'C: %s\nPython: %s\n' "$(echo $groups)" "$(echo $pygroups)" | sed 's/^/# /'
fi

# show FILE [LINES]: the tail of a file as TAP diagnostics
show() { tail -n "${2:-40}" "$1" | sed 's/^/#   /'; }

# compare_line DESC EXPECTED DUMP LABEL WRITE_OK WRITE_ERR DUMP_RC DUMP_ERR
compare_line() {
    if [ "$5" -ne 0 ]; then
        tap_not_ok "$1 (the write failed)"
        show "$6" 6
    elif [ "$7" -ne 0 ]; then
        tap_not_ok "$1 (the dump failed, exit $7)"
        show "$8" 6
    elif "$PY" "$CMP" --labels "written,$4" "$2" "$3" >"$3.cmp" 2>&1; then
        tap_ok "$1"
    else
        tap_not_ok "$1"
        show "$3.cmp"
    fi
}

for g in $groups; do
    t0=$(date +%s)
    d=$TEST_TMP/$g
    mkdir -p "$d"
    a=rt_${g}_c_$$
    b=rt_${g}_py_$$

    "$RT" --kind "$KIND" expect "$g" >"$d/expect.c" 2>"$d/expect.c.err"
    "$PY" "$RTPY" --kind "$KIND" expect "$g" >"$d/expect.py" 2>"$d/expect.py.err"
    if [ -s "$d/expect.c" ] && cmp -s "$d/expect.c" "$d/expect.py"; then
        tap_ok "$g: roundtrip and roundtrip.py expect the same dataset"
    else
        tap_not_ok "$g: roundtrip and roundtrip.py expect the same dataset"
        diff "$d/expect.c" "$d/expect.py" 2>&1 | head -n 20 | sed 's/^/#   /'
        cat "$d/expect.c.err" "$d/expect.py.err" | head -n 10 | sed 's/^/#   /'
    fi

    # (a) libmilvus writes A
    created="$created $a"
    "$RT" --kind "$KIND" write "$g" "$a" >"$d/write.c.log" 2>&1
    wa=$?
    "$RT" --kind "$KIND" dump "$g" "$a" >"$d/a.c" 2>"$d/a.c.err"
    r1=$?
    "$PY" "$RTPY" --kind "$KIND" dump "$g" "$a" >"$d/a.py" 2>"$d/a.py.err"
    r2=$?
    compare_line "$g: libmilvus writes, libmilvus reads" "$d/expect.c" "$d/a.c" \
        "libmilvus-read" $wa "$d/write.c.log" $r1 "$d/a.c.err"
    compare_line "$g: libmilvus writes, pymilvus reads" "$d/expect.c" "$d/a.py" \
        "pymilvus-read" $wa "$d/write.c.log" $r2 "$d/a.py.err"

    # (b) pymilvus writes B
    created="$created $b"
    "$PY" "$RTPY" --kind "$KIND" write "$g" "$b" >"$d/write.py.log" 2>&1
    wb=$?
    "$RT" --kind "$KIND" dump "$g" "$b" >"$d/b.c" 2>"$d/b.c.err"
    r1=$?
    "$PY" "$RTPY" --kind "$KIND" dump "$g" "$b" >"$d/b.py" 2>"$d/b.py.err"
    r2=$?
    compare_line "$g: pymilvus writes, libmilvus reads" "$d/expect.c" "$d/b.c" \
        "libmilvus-read" $wb "$d/write.py.log" $r1 "$d/b.c.err"
    compare_line "$g: pymilvus writes, pymilvus reads" "$d/expect.c" "$d/b.py" \
        "pymilvus-read" $wb "$d/write.py.log" $r2 "$d/b.py.err"

    "$RT" drop "$a" >/dev/null 2>&1
    "$RT" drop "$b" >/dev/null 2>&1
    created=
    echo "# $g: $(($(date +%s) - t0)) s"
done

tap_done
