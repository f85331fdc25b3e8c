#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# The typed-API examples end to end (TAP): quickstart, async_ingest and
# evhttp_search run against the Milvus-protocol test server started here
# (tests/server/server.js on a free port), or against $MILVUS_URI (+
# $MILVUS_TOKEN) when set, with bounded arguments; their output is checked.
. "$top_srcdir/tests/lib.sh"

# lib.sh's exit trap finds background jobs with $(jobs -p), which is empty
# under dash (a subshell): stop our own processes by pid first.
own_pids=
stop_own() {
    [ -n "$own_pids" ] && kill $own_pids 2>/dev/null
    _cleanup
}
trap stop_own EXIT

ex=$top_builddir/examples
for p in quickstart async_ingest evhttp_search; do
    [ -x "$ex/$p" ] || {
        tap_plan 1
        tap_not_ok "examples/$p not built"
        exit 1
    }
done

# JSON checks run in node or Debian's python3, whichever exists.
[ -n "${NODE:-}" ] || NODE=$(command -v node 2>/dev/null)
PY=/usr/bin/python3
[ -x "$PY" ] || PY=$(command -v python3 2>/dev/null)

if [ -z "${MILVUS_URI:-}" ]; then
    require_node_module @grpc/grpc-js
    require_node_module @grpc/proto-loader
    portfile=$TEST_TMP/server.port
    NODE_PATH=${NODE_PATH:-$top_srcdir/node_modules} "$NODE" "$top_srcdir/tests/server/server.js" \
        --port 0 --port-file "$portfile" --index-ms 100 --load-ms 100 \
        >"$TEST_TMP/server.log" 2>&1 &
    own_pids="$own_pids $!"
    if ! wait_for_file "$portfile" 30; then
        tap_plan 1
        tap_not_ok "test server did not start"
        sed 's/^/# /' "$TEST_TMP/server.log"
        exit 1
    fi
    MILVUS_URI="http://127.0.0.1:$(cat "$portfile")"
    export MILVUS_URI
    echo "# test server at $MILVUS_URI"
else
    echo "# using MILVUS_URI=$MILVUS_URI"
fi
[ -n "$NODE" ] || [ -n "$PY" ] || tap_skip_all "neither node nor python3 to check JSON"

tap_plan 17

# check_output DESC FILE PATTERN: ok when an extended regexp matches a line.
check_output() {
    if grep -Eq "$3" "$2"; then
        tap_ok "$1"
    else
        tap_not_ok "$1"
        echo "# expected /$3/ in:"
        tail -n 15 "$2" | sed 's/^/#   /'
    fi
}

# ---- quickstart ---------------------------------------------------------------
out=$TEST_TMP/quickstart.out
if "$ex/quickstart" --rows 100 >"$out" 2>"$TEST_TMP/quickstart.err"; then
    tap_ok "quickstart exits 0"
else
    tap_not_ok "quickstart exits 0"
    sed 's/^/# /' "$TEST_TMP/quickstart.err" "$out" | tail -n 20
fi
check_output "quickstart: inserted 100 rows" "$out" '^inserted 100 rows$'
# The query vectors are rows 7 and 66's own vectors: each is its own top hit
# (L2 distance 0) with its stored title as output field.
check_output "quickstart: row 7's vector finds id 7 first" "$out" \
    '^search: query 0 hit 0 id=7 score=0\.0000 title=doc-7$'
check_output "quickstart: row 66's vector finds id 66 first" "$out" \
    '^search: query 1 hit 0 id=66 score=0\.0000 title=doc-66$'
n=$(grep -c '^search: query [01] hit [0-9] ' "$out")
if [ "$n" = 6 ]; then tap_ok "quickstart: 3 hits per query"; else tap_not_ok "quickstart: 3 hits per query (got $n lines)"; fi
# (columns in the server's order: the test server's id first, Milvus's title)
if grep -q '^query: 3 rows$' "$out" && grep -Eq '^query: row (id=1 title=doc-1|title=doc-1 id=1)$' "$out" &&
    grep -Eq '^query: row (id=2 title=doc-2|title=doc-2 id=2)$' "$out" &&
    grep -Eq '^query: row (id=3 title=doc-3|title=doc-3 id=3)$' "$out"; then
    tap_ok "quickstart: query id in [1,2,3] returns the three rows with titles"
else
    tap_not_ok "quickstart: query id in [1,2,3] returns the three rows with titles"
    grep '^query' "$out" | sed 's/^/#   /'
fi
check_output "quickstart: count(id >= 10) = 90" "$out" '^count\(id >= 10\) = 90$'

# ---- async_ingest -------------------------------------------------------------
# 10,000 rows in inserts of 10 with at most 300 calls pending: the pump
# must hit MILVUS_ERR_BUSY and wait for completions.
rows=10000
out=$TEST_TMP/ingest.out
if "$ex/async_ingest" --rows $rows --batch 10 --max-pending 300 --pool 2 --seconds 60 \
    --report-ms 200 >"$out" 2>"$TEST_TMP/ingest.err"; then
    tap_ok "async_ingest exits 0"
else
    tap_not_ok "async_ingest exits 0"
    sed 's/^/# /' "$TEST_TMP/ingest.err" | tail -n 10
fi
sed -n 's/^done: /# async_ingest: /p' "$out"
check_output "async_ingest: reports $rows rows inserted, no failed call" "$out" \
    "^done: inserted=$rows rows failed_calls=0 "
check_output "async_ingest: count(*) = $rows" "$out" "^count: $rows\$"
busy=$(sed -n 's/^done: .* busy=\([0-9]*\) .*/\1/p' "$out")
maxf=$(sed -n 's/^done: .* max_in_flight=\([0-9]*\) .*/\1/p' "$out")
if [ "${busy:-0}" -gt 0 ] && [ "${maxf:-0}" -le 300 ] && [ "${maxf:-0}" -ge 200 ]; then
    tap_ok "async_ingest: back-pressure (busy=$busy, at most $maxf <= 300 in flight)"
else
    tap_not_ok "async_ingest: back-pressure (busy=${busy:-?}, max_in_flight=${maxf:-?})"
fi

# ---- evhttp_search ------------------------------------------------------------
http_port=$TEST_TMP/http.port
"$ex/evhttp_search" --rows 500 --port 0 --port-file "$http_port" --max-requests 4 \
    >"$TEST_TMP/http.out" 2>"$TEST_TMP/http.err" &
http_pid=$!
own_pids="$own_pids $http_pid"
if wait_for_file "$http_port" 30; then
    tap_ok "evhttp_search listens"
else
    tap_not_ok "evhttp_search listens"
    sed 's/^/# /' "$TEST_TMP/http.err"
fi
base="http://127.0.0.1:$(cat "$http_port" 2>/dev/null)"

# fetch URL FILE: body to FILE, HTTP status on stdout.
fetch() {
    if command -v curl >/dev/null 2>&1; then
        curl -s -m 20 -o "$2" -w '%{http_code}' "$1"
    else
        "$NODE" -e '
const http = require("http"), fs = require("fs");
http.get(process.argv[1], (r) => { const b = [];
  r.on("data", (d) => b.push(d));
  r.on("end", () => { fs.writeFileSync(process.argv[2], Buffer.concat(b)); process.stdout.write(String(r.statusCode)); });
}).on("error", () => process.stdout.write("000"));' "$1" "$2"
    fi
}

# json_hits FILE FIRST_ID COUNT: valid JSON, COUNT hits (integer id, numeric
# score, string title "doc-<id>"), the first one FIRST_ID (or any when "-").
json_hits() {
    if [ -n "$PY" ]; then
        "$PY" -c '
import json, sys
d = json.load(open(sys.argv[1]))
h = d["hits"]
assert len(h) == int(sys.argv[3]), "hits: %d" % len(h)
for x in h:
    assert isinstance(x["id"], int) and isinstance(x["score"], (int, float))
    assert x["title"] == "doc-%d" % x["id"], x
assert sys.argv[2] == "-" or h[0]["id"] == int(sys.argv[2]), h[0]
s = [x["score"] for x in h]
assert s == sorted(s, reverse=True), s
' "$@"
    else
        "$NODE" -e '
const d = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8")), h = d.hits;
if (h.length !== +process.argv[3]) throw new Error("hits " + h.length);
for (const x of h) if (!Number.isInteger(x.id) || typeof x.score !== "number" || x.title !== "doc-" + x.id) throw new Error(JSON.stringify(x));
if (process.argv[2] !== "-" && h[0].id !== +process.argv[2]) throw new Error("first " + h[0].id);
for (let i = 1; i < h.length; i++) if (h[i].score > h[i - 1].score) throw new Error("order");' "$@"
    fi
}

code=$(fetch "$base/search?q=42&limit=3" "$TEST_TMP/r1.json")
if [ "$code" = 200 ] && json_hits "$TEST_TMP/r1.json" 42 3 2>"$TEST_TMP/j1.err"; then
    tap_ok "evhttp_search: /search?q=42 answers JSON, row 42 first"
else
    tap_not_ok "evhttp_search: /search?q=42 answers JSON, row 42 first (HTTP $code)"
    sed 's/^/# /' "$TEST_TMP/r1.json" "$TEST_TMP/j1.err" 2>/dev/null | tail -n 5
fi
code=$(fetch "$base/search?q=0.1,0.2,0.3,0.4,0.5,0.6,0.7,0.8" "$TEST_TMP/r2.json")
if [ "$code" = 200 ] && json_hits "$TEST_TMP/r2.json" - 5 2>"$TEST_TMP/j2.err"; then
    tap_ok "evhttp_search: a vector query answers 5 JSON hits by score"
else
    tap_not_ok "evhttp_search: a vector query answers 5 JSON hits by score (HTTP $code)"
    sed 's/^/# /' "$TEST_TMP/r2.json" "$TEST_TMP/j2.err" 2>/dev/null | tail -n 5
fi
code=$(fetch "$base/search?q=1,2,oops" "$TEST_TMP/r3.json")
if [ "$code" = 400 ] && grep -q '"error"' "$TEST_TMP/r3.json"; then
    tap_ok "evhttp_search: a bad q is HTTP 400 with a JSON error"
else
    tap_not_ok "evhttp_search: a bad q is HTTP 400 with a JSON error (HTTP $code)"
fi
code=$(fetch "$base/search?q=7&limit=2" "$TEST_TMP/r4.json")
if [ "$code" = 200 ] && json_hits "$TEST_TMP/r4.json" 7 2 2>/dev/null; then
    tap_ok "evhttp_search: /search?q=7&limit=2"
else
    tap_not_ok "evhttp_search: /search?q=7&limit=2 (HTTP $code)"
fi
# --max-requests 4: it must now stop by itself.
i=0
while kill -0 $http_pid 2>/dev/null && [ $i -lt 100 ]; do
    sleep 0.1
    i=$((i + 1))
done
if ! kill -0 $http_pid 2>/dev/null && wait $http_pid && grep -q '^served 4 requests$' "$TEST_TMP/http.out"; then
    tap_ok "evhttp_search stops after --max-requests 4 and exits 0"
else
    tap_not_ok "evhttp_search stops after --max-requests 4 and exits 0"
    sed 's/^/# /' "$TEST_TMP/http.out" "$TEST_TMP/http.err" | tail -n 5
fi
tap_done
