#!/bin/sh
# run-suite.sh: the comparative benchmark suite (`make bench-suite`; not part
# of `make check`).  libmilvus against what a user would pick instead, on the
# same servers, in the same run, on the same machine, reported as ratios:
#
#   transport (grpc-go peer tests/peers/go, /bench.Raw/* canned replies):
#     mv_suite unary/mem       vs anchors/grpcpp_client (grpc C++ GenericStub,
#                              one CompletionQueue thread) and h2load with the
#                              same pre-framed request (the HTTP/2 floor)
#   Milvus calls (suite/canned_server.go: grpc-go answering Milvus RPCs with
#   response bytes built by suite/gen_canned.js from the upstream schema):
#     mv_suite search          vs anchors/node_sdk_search.js (official Node SDK)
#     mv_suite insert          vs grpcpp_client sending the InsertRequest bytes
#                              libmilvus sent (dumped by the server)
#     mv_suite search --restore 1 vs the same stream without the restore await
#   large response: mv_suite large (100 MiB reply from the peer) vs mv_suite
#   loopback (the same bytes over a plain loopback socket).
#
# Servers run on CPU 0, clients on CPU 1 (taskset).  Every point runs
# BENCH_RUNS times (default 3; BENCH_QUICK=1: once, fewer calls, under a
# minute); medians are compared, min-max spreads reported.  Writes
# results.md, results.csv, raw.csv and results.png (gnuplot) into
# $top_builddir/tests/bench/results and prints one line per comparison:
#
#   RESULT <measure> libmilvus=<v> <anchor>=<v> ratio=<v> target=<t> PASS|MISS
set -u

: "${top_srcdir:=$(cd "$(dirname "$0")/../../.." && pwd)}"
: "${top_builddir:=$(pwd)}"
GO=${GO:-$(command -v go)}
NODE=${NODE:-$(command -v node)}
CXX=${CXX:-g++}
: "${NODE_PATH:=$top_srcdir/node_modules}"
export NODE_PATH
QUICK=${BENCH_QUICK:-0}
SUITE=$top_srcdir/tests/bench/suite
MV=$top_builddir/tests/bench/suite/mv_suite
WORK=$top_builddir/tests/bench/suite-work
OUT=$top_builddir/tests/bench/results

die() { echo "run-suite.sh: $*" >&2; exit 1; }
note() { echo "# $*" >&2; }

if [ "$QUICK" = 1 ]; then
    RUNS=${BENCH_RUNS:-1}
    U_CALLS=4000 U1_CALLS=1500 MEM_N=10000 MEM_DELAY=2000 G_LO=1000 G_HI=10000 G_CALLS=30000
    S_CALLS=3000 N_CALLS=150 I_CALLS=4 R_CALLS=3000 L_CALLS=2
else
    RUNS=${BENCH_RUNS:-3}
    U_CALLS=40000 U1_CALLS=8000 MEM_N=100000 MEM_DELAY=6000 G_LO=1000 G_HI=100000 G_CALLS=300000
    S_CALLS=20000 N_CALLS=1000 I_CALLS=20 R_CALLS=20000 L_CALLS=5
fi

[ -x "$MV" ] || die "$MV not built (make bench-suite builds it)"
[ -n "$GO" ] || die "go not found (apt-get install golang-go golang-google-grpc-dev golang-github-golang-protobuf-1-5-dev golang-github-soheilhy-cmux-dev)"
[ -n "$NODE" ] || die "node not found"
command -v h2load >/dev/null 2>&1 || die "h2load not found (apt-get install nghttp2-client)"
pkg-config --exists grpc++ protobuf || die "grpc++ not found (apt-get install libgrpc++-dev)"
mkdir -p "$WORK" "$OUT" || die "cannot create $WORK or $OUT"

# ---- build the peers and the anchors into the build tree --------------------
gobuild() { # out src
    if [ ! -x "$1" ] || [ "$2" -nt "$1" ]; then
        note "building $(basename "$1") (grpc-go, offline GOPATH mode)"
        GO111MODULE=off GOPROXY=off GOFLAGS= GOPATH="$WORK/gopath:/usr/share/gocode" \
            GOCACHE="$WORK/gocache" "$GO" build -o "$1" "$2" >&2 || die "go build $2 failed"
    fi
}
gobuild "$WORK/go-peer" "$top_srcdir/tests/peers/go/server.go"
gobuild "$WORK/canned-server" "$SUITE/canned_server.go"
GRPCPP=$WORK/grpcpp_client
if [ ! -x "$GRPCPP" ] || [ "$top_srcdir/tests/bench/anchors/grpcpp_client.cc" -nt "$GRPCPP" ]; then
    note "building the grpc C++ anchor"
    # shellcheck disable=SC2046
    $CXX -O2 -o "$GRPCPP" "$top_srcdir/tests/bench/anchors/grpcpp_client.cc" \
        $(pkg-config --cflags --libs grpc++ protobuf) >&2 || die "building grpcpp_client failed"
fi
"$NODE" "$SUITE/gen_canned.js" "$WORK" >"$WORK/canned.sizes" || die "gen_canned.js failed"

# ---- pinning -----------------------------------------------------------------
SPIN= CPIN=
if command -v taskset >/dev/null 2>&1 && [ "$(getconf _NPROCESSORS_ONLN)" -ge 2 ]; then
    SPIN="taskset -c 0" CPIN="taskset -c 1" PINNING="servers on CPU 0, clients on CPU 1"
else
    PINNING="none (taskset missing or one CPU)"
fi

# ---- servers -------------------------------------------------------------------
PIDS=
cleanup() {
    for p in $PIDS; do kill "$p" 2>/dev/null; done
    for p in $PIDS; do wait "$p" 2>/dev/null; done
}
trap cleanup EXIT
trap 'exit 1' INT TERM

start() { # name command...  -> sets PORT
    name=$1
    shift
    : >"$WORK/$name.out"
    $SPIN "$@" >"$WORK/$name.out" 2>"$WORK/$name.err" &
    pid=$!
    PIDS="$PIDS $pid"
    i=0
    PORT=
    while [ $i -lt 300 ]; do
        PORT=$(sed -n 's/^PORT \([0-9][0-9]*\)$/\1/p' "$WORK/$name.out")
        [ -n "$PORT" ] && return 0
        kill -0 "$pid" 2>/dev/null || die "$name exited: $(cat "$WORK/$name.err")"
        sleep 0.1
        i=$((i + 1))
    done
    die "$name did not report its port"
}

start peer "$WORK/go-peer" -port 0 -bench_raw_size 100
P_RAW=$PORT
start peer-large "$WORK/go-peer" -port 0 -bench_raw_size 104857600
P_LARGE=$PORT
W=$WORK
rm -f "$W/insert_req.bin"
start canned "$WORK/canned-server" -port 0 \
    -canned "Connect=$W/connect.bin,DescribeCollection=$W/describe.bin,Search=$W/search.bin,Insert=$W/insert_resp.bin,RestoreSnapshot=$W/restore.bin,GetRestoreSnapshotState=$W/restore_state.bin" \
    -dump "Insert=$W/insert_req.bin"
P_MV=$PORT

# ---- running and recording ---------------------------------------------------------
RAW=$OUT/raw.csv
echo "measure,impl,run,value" >"$RAW"
FAILED=0

field() { printf '%s\n' "$2" | tr ' ' '\n' | sed -n "s/^$1=//p"; }

# bench MEASURE IMPL KEY... -- COMMAND...: runs COMMAND, records each KEY
# as MEASURE[.KEY-suffix] (first key gives MEASURE itself)
run_client() { # run measure impl key command...
    r=$1 m=$2 impl=$3 key=$4
    shift 4
    line=$($CPIN timeout 600 "$@" 2>"$WORK/client.err" | grep '^BENCH' | tail -n 1)
    if [ -z "$line" ]; then
        note "FAILED: $m $impl run $r: $(tail -n 3 "$WORK/client.err" | tr '\n' ' ')"
        FAILED=1
        return 1
    fi
    for k in $key; do
        v=$(field "$k" "$line")
        [ -n "$v" ] && echo "$m:$k,$impl,$r,$v" >>"$RAW"
    done
    return 0
}

# h2load: CPU of the whole h2load process per request (getrusage of the
# child), counting only HTTP 2xx answers.
run_h2load() { # run measure inflight calls
    r=$1 m=$2 n=$3 calls=$4
    out=$($CPIN /usr/bin/time -f "TIME %U %S %e" h2load -n "$calls" -c 1 -t 1 -m "$n" \
        -d "$WORK/body.grpc" -H 'content-type: application/grpc' -H 'te: trailers' \
        "http://127.0.0.1:$P_RAW/bench.Raw/Call" 2>&1)
    ok=$(printf '%s\n' "$out" | sed -n 's/^status codes: \([0-9]*\) 2xx.*/\1/p')
    t=$(printf '%s\n' "$out" | sed -n 's/^TIME //p')
    if [ "$ok" != "$calls" ] || [ -z "$t" ]; then
        note "FAILED: h2load $m run $r ($ok of $calls answered 2xx)"
        FAILED=1
        return 1
    fi
    echo "$t" | awk -v m="$m" -v r="$r" -v c="$calls" \
        '{ printf "%s:cpu_us_per_call,h2load,%s,%.3f\n%s:calls_per_s,h2load,%s,%.0f\n", m, r, ($1 + $2) * 1e6 / c, m, r, c / $3 }' >>"$RAW"
}

# the pre-framed gRPC request h2load sends: 5-byte prefix + 100 zero bytes
printf '\000\000\000\000\144' >"$WORK/body.grpc"
head -c 100 /dev/zero >>"$WORK/body.grpc"

UKEYS="cpu_us_per_call calls_per_s p50_us p99_us"
r=1
while [ $r -le "$RUNS" ]; do
    note "run $r of $RUNS"
    for n in 1 64 1024; do
        c=$U_CALLS
        [ "$n" = 1 ] && c=$U1_CALLS
        run_client $r "unary.inflight$n" libmilvus "$UKEYS" \
            "$MV" unary --port "$P_RAW" --inflight "$n" --calls "$c" --req-size 100
        run_client $r "unary.inflight$n" grpcpp "$UKEYS" \
            "$GRPCPP" unary --port "$P_RAW" --inflight "$n" --calls "$c" --req-size 100
        run_h2load $r "unary.inflight$n" "$n" "$c"
    done
    run_client $r "mem.pending$MEM_N" libmilvus "rss_bytes_per_call heap_bytes_per_call req_bytes" \
        "$MV" mem --port "$P_RAW" --inflight "$MEM_N" --delay-ms "$MEM_DELAY"
    run_client $r "mem.pending$MEM_N" grpcpp "rss_bytes_per_call req_bytes" \
        "$GRPCPP" mem --port "$P_RAW" --inflight "$MEM_N" --delay-ms "$MEM_DELAY"
    for n in $G_LO $G_HI; do
        run_client $r "growth.inflight$n" libmilvus "cpu_us_per_call calls_per_s lost duplicated" \
            "$MV" unary --port "$P_RAW" --inflight "$n" --calls "$G_CALLS" --req-size 100
    done
    run_client $r search.inflight16 libmilvus "$UKEYS" \
        "$MV" search --port "$P_MV" --inflight 16 --calls "$S_CALLS"
    run_client $r search.inflight16 node_sdk "$UKEYS" \
        "$NODE" "$top_srcdir/tests/bench/anchors/node_sdk_search.js" --port "$P_MV" \
        --inflight 16 --calls "$N_CALLS"
    run_client $r insert.10k_rows libmilvus "cpu_s_per_gb gb_per_s" \
        "$MV" insert --port "$P_MV" --inflight 2 --calls "$I_CALLS" --warmup 1 --rows 10000
    if [ -s "$W/insert_req.bin" ]; then
        run_client $r insert.10k_rows grpcpp "cpu_s_per_gb gb_per_s" \
            "$GRPCPP" unary --port "$P_MV" --inflight 2 --calls "$I_CALLS" --warmup 1 \
            --req-file "$W/insert_req.bin" --path /milvus.proto.milvus.MilvusService/Insert --rows 10000
    else
        note "FAILED: no InsertRequest was dumped"
        FAILED=1
    fi
    run_client $r search_restore.inflight4 libmilvus "p50_us p99_us cpu_us_per_call" \
        "$MV" search --port "$P_MV" --inflight 4 --calls "$R_CALLS"
    run_client $r search_restore.inflight4 libmilvus_restore "p50_us p99_us cpu_us_per_call restore_polls" \
        "$MV" search --port "$P_MV" --inflight 4 --calls "$R_CALLS" --restore 1
    run_client $r large.100MiB libmilvus "gb_per_s cpu_s_per_gb" \
        "$MV" large --port "$P_LARGE" --calls "$L_CALLS" --req-size 10
    run_client $r large.100MiB loopback "gb_per_s cpu_s_per_gb" \
        "$MV" loopback --size 104857600 --calls "$L_CALLS"
    r=$((r + 1))
done

export RUNS PINNING QUICK
$SHELL "$SUITE/report.sh" "$RAW" "$OUT" "$(cat "$WORK/canned.sizes")" || FAILED=1
exit $FAILED
