#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# run-suite.sh: the comparative benchmark suite (`make bench-suite`; not part
# of `make check`).  libmilvus against what a user would pick instead, on the
# same servers, in the same run, on the same machine, reported as ratios:
#
#   transport (grpc-go peer tests/peers/go, /bench.Raw/* canned replies):
#     mv_suite unary/mem       vs anchors/grpcpp_client (grpc C++ GenericStub,
#                              one CompletionQueue thread) and h2load with the
#                              same pre-framed request (the HTTP/2 floor)
#   Milvus calls (tests/peers/go/canned: grpc-go answering Milvus RPCs with
#   response bytes built by suite/gen_canned.js from the upstream schema):
#     mv_suite search          vs anchors/node_sdk_search.js (official Node SDK)
#     mv_suite insert --zero-copy (insert.10k_rows) and mv_suite insert, the
#                              default copying path (insert.10k_rows.copied),
#                              each vs grpcpp_client sending the InsertRequest
#                              bytes libmilvus sent (dumped by the server,
#                              which also checks that both paths sent the
#                              same bytes)
#     mv_suite search --rounds K  the search stream with a restore await
#                              polling on the same loop vs without, in
#                              alternating short rounds (A B A B ...): median
#                              of the per-round p99s
#   large response: mv_suite large (100 MiB reply from the peer) vs mv_suite
#   loopback (the same bytes over a plain loopback socket; its writer on the
#   servers' CPU, its reader on the clients').
#
# Servers run on CPU 0, clients on CPU 1 (taskset).  Every point runs
# BENCH_RUNS times (default 3; BENCH_QUICK=1: once, fewer calls, under a
# minute, the same RESULT lines); medians are compared, min-max spreads
# reported.  Writes results.md, results.csv, raw.csv, timing.txt and
# results.png (gnuplot) into $top_builddir/tests/bench/results and prints one
# line per comparison:
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

# per point: U_CALLS unary calls (U1_CALLS at 1 in flight); MEM_N calls held
# MEM_DELAY ms; growth G_CALLS calls at G_LO and G_HI in flight; S_CALLS
# searches (N_CALLS for the Node SDK); I_CALLS inserts; R_ROUNDS rounds of
# R_CALLS searches for the restore comparison; L_CALLS 100 MiB responses
if [ "$QUICK" = 1 ]; then
    RUNS=${BENCH_RUNS:-1}
    U_CALLS=2000 U1_CALLS=600 MEM_N=5000 MEM_DELAY=800 G_LO=1000 G_HI=10000 G_CALLS=15000
    S_CALLS=1500 N_CALLS=80 I_CALLS=2 R_ROUNDS=7 R_CALLS=400 L_CALLS=1
else
    RUNS=${BENCH_RUNS:-3}
    U_CALLS=40000 U1_CALLS=8000 MEM_N=100000 MEM_DELAY=6000 G_LO=1000 G_HI=100000 G_CALLS=300000
    S_CALLS=20000 N_CALLS=1000 I_CALLS=20 R_ROUNDS=15 R_CALLS=1500 L_CALLS=5
fi

[ -x "$MV" ] || die "$MV not built (make bench-suite builds it)"
[ -n "$GO" ] || die "go not found (the machine's Go toolchain, 1.24 or newer)"
[ -n "$NODE" ] || die "node not found"
command -v h2load >/dev/null 2>&1 || die "h2load not found (apt-get install nghttp2-client)"
pkg-config --exists grpc++ protobuf || die "grpc++ not found (apt-get install libgrpc++-dev)"
mkdir -p "$WORK" "$OUT" || die "cannot create $WORK or $OUT"

# ---- build the peers and the anchors into the build tree (once) -------------------
gobuild() { # out package (of the test module tests/go.mod)
    note "building $(basename "$1") (grpc-go, Go modules)"
    GO=$GO sh "$top_srcdir/tests/peers/go-build.sh" "$1" "$2" "$WORK/gocache" || die "go build $2 failed"
}
gobuild "$WORK/go-peer" ./peers/go
gobuild "$WORK/canned-server" ./peers/go/canned
GRPCPP=$WORK/grpcpp_client
if [ ! -x "$GRPCPP" ] || [ "$top_srcdir/tests/bench/anchors/grpcpp_client.cc" -nt "$GRPCPP" ]; then
    note "building the grpc C++ anchor"
    # shellcheck disable=SC2046
    $CXX -O2 -o "$GRPCPP" "$top_srcdir/tests/bench/anchors/grpcpp_client.cc" \
        $(pkg-config --cflags --libs grpc++ protobuf) >&2 || die "building grpcpp_client failed"
fi

# ---- wall time per step (timing.txt), to see where a run's minute goes -------------
now() { date +%s.%N; }
T_START=$(now)
T_LAP=$T_START
: >"$OUT/timing.txt"
lap() { # name: wall seconds since the previous lap
    t=$(now)
    awk -v n="$1" -v a="$T_LAP" -v b="$t" 'BEGIN { printf "%-34s %7.2f s\n", n, b - a }' \
        >>"$OUT/timing.txt"
    T_LAP=$t
}

# ---- pinning -----------------------------------------------------------------
SPIN= CPIN= SERVER_CPU=
if command -v taskset >/dev/null 2>&1 && [ "$(getconf _NPROCESSORS_ONLN)" -ge 2 ]; then
    SPIN="taskset -c 0" CPIN="taskset -c 1" SERVER_CPU=0
    PINNING="servers on CPU 0, clients on CPU 1"
else
    PINNING="none (taskset missing or one CPU)"
fi

# ---- servers: started together, then waited for ----------------------------------
PIDS=
cleanup() {
    for p in $PIDS; do kill "$p" 2>/dev/null; done
    for p in $PIDS; do wait "$p" 2>/dev/null; done
}
trap cleanup EXIT
trap 'exit 1' INT TERM

spawn() { # name command...: starts a server printing "PORT n"
    name=$1
    shift
    : >"$WORK/$name.out"
    $SPIN "$@" >"$WORK/$name.out" 2>"$WORK/$name.err" &
    PIDS="$PIDS $!"
    eval "PID_$(echo "$name" | tr -c 'a-z0-9\n' _)=$!"
}

port_of() { # name -> prints its port once it listens
    pid=$(eval echo "\$PID_$(echo "$1" | tr -c 'a-z0-9\n' _)")
    i=0
    while [ $i -lt 500 ]; do
        p=$(sed -n 's/^PORT \([0-9][0-9]*\)$/\1/p' "$WORK/$1.out")
        [ -n "$p" ] && { echo "$p"; return 0; }
        kill -0 "$pid" 2>/dev/null || die "$1 exited: $(cat "$WORK/$1.err")"
        sleep 0.02
        i=$((i + 1))
    done
    die "$1 did not report its port"
}

W=$WORK
spawn peer "$WORK/go-peer" -port 0 -bench_raw_size 100
spawn peer-large "$WORK/go-peer" -port 0 -bench_raw_size 104857600
# the canned messages (written once, like the anchors: they depend on
# gen_canned.js only) are made while the first two start
if [ ! -s "$WORK/canned.sizes" ] || [ "$SUITE/gen_canned.js" -nt "$WORK/canned.sizes" ]; then
    "$NODE" "$SUITE/gen_canned.js" "$WORK" >"$WORK/canned.sizes.tmp" &&
        mv "$WORK/canned.sizes.tmp" "$WORK/canned.sizes" || die "gen_canned.js failed"
fi
rm -f "$W"/insert_req*.bin
spawn canned "$WORK/canned-server" -port 0 \
    -canned "Connect=$W/connect.bin,DescribeCollection=$W/describe.bin,Search=$W/search.bin,Insert=$W/insert_resp.bin,RestoreSnapshot=$W/restore.bin,GetRestoreSnapshotState=$W/restore_state.bin+$W/restore_state2.bin" \
    -dump "Insert=$W/insert_req.bin"
P_RAW=$(port_of peer) || exit 1
P_LARGE=$(port_of peer-large) || exit 1
P_MV=$(port_of canned) || exit 1
lap "start-up (servers, canned messages)"

# ---- running and recording ---------------------------------------------------------
RAW=$OUT/raw.csv
echo "measure,impl,run,value" >"$RAW"
FAILED=0

field() { printf '%s\n' "$2" | tr ' ' '\n' | sed -n "s/^$1=//p"; }

# run_client RUN MEASURE IMPL "KEY..." COMMAND...: runs COMMAND on the
# clients' CPU and records each KEY of its BENCH line as MEASURE:KEY.  A
# KEY=IMPL2@SRC records SRC's value under implementation IMPL2; a value that
# is a '/'-separated list (one per round) gives one row per round.
run_client() {
    r=$1 m=$2 impl=$3 keys=$4
    shift 4
    line=$($CPIN timeout 600 "$@" 2>"$WORK/client.err" | grep '^BENCH' | tail -n 1)
    if [ -z "$line" ]; then
        note "FAILED: $m $impl run $r: $(tail -n 3 "$WORK/client.err" | tr '\n' ' ')"
        FAILED=1
        return 1
    fi
    for k in $keys; do
        name=${k%%=*} im=$impl src=$k
        case $k in *=*@*) src=${k#*@} name=${k%%=*} im=${k#*=} im=${im%%@*} ;; esac
        v=$(field "$src" "$line")
        [ -n "$v" ] || continue
        case $v in
        */*) printf '%s\n' "$v" | tr '/' '\n' |
            awk -v m="$m:$name" -v i="$im" -v r="$r" '{ printf "%s,%s,%s.%d,%s\n", m, i, r, NR, $1 }' >>"$RAW" ;;
        *) echo "$m:$name,$im,$r,$v" >>"$RAW" ;;
        esac
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

WCPU=
[ -n "$SERVER_CPU" ] && WCPU="--writer-cpu $SERVER_CPU"
UKEYS="cpu_us_per_call calls_per_s p50_us p99_us"
IKEYS="cpu_s_per_gb gb_per_s"
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
    lap "run $r: unary x3 (libmilvus, grpc C++, h2load)"
    run_client $r "mem.pending$MEM_N" libmilvus "rss_bytes_per_call heap_bytes_per_call req_bytes" \
        "$MV" mem --port "$P_RAW" --inflight "$MEM_N" --delay-ms "$MEM_DELAY"
    run_client $r "mem.pending$MEM_N" grpcpp "rss_bytes_per_call req_bytes" \
        "$GRPCPP" mem --port "$P_RAW" --inflight "$MEM_N" --delay-ms "$MEM_DELAY"
    lap "run $r: memory (libmilvus, grpc C++)"
    for n in $G_LO $G_HI; do
        run_client $r "growth.inflight$n" libmilvus "cpu_us_per_call calls_per_s lost duplicated" \
            "$MV" unary --port "$P_RAW" --inflight "$n" --calls "$G_CALLS" --req-size 100
    done
    lap "run $r: growth"
    run_client $r search.inflight16 libmilvus "$UKEYS" \
        "$MV" search --port "$P_MV" --inflight 16 --calls "$S_CALLS"
    run_client $r search.inflight16 node_sdk "$UKEYS" \
        "$NODE" "$top_srcdir/tests/bench/anchors/node_sdk_search.js" --port "$P_MV" \
        --inflight 16 --calls "$N_CALLS"
    lap "run $r: search (libmilvus, Node SDK)"
    # zero-copy: what a throughput-minded user takes; copied: the default.
    # The server dumps the request each sent; the grpc C++ anchor then sends
    # those very bytes.
    for mode in zero_copy copied; do
        m=insert.10k_rows flag=--zero-copy
        [ $mode = copied ] && m=insert.10k_rows.copied flag=
        # shellcheck disable=SC2086
        run_client $r $m libmilvus "$IKEYS" \
            "$MV" insert --port "$P_MV" --inflight 2 --calls "$I_CALLS" --warmup 1 --rows 10000 $flag &&
            cp "$W/insert_req.bin" "$W/insert_req.$mode.bin" 2>/dev/null
        if [ -s "$W/insert_req.$mode.bin" ]; then
            run_client $r $m grpcpp "$IKEYS" \
                "$GRPCPP" unary --port "$P_MV" --inflight 2 --calls "$I_CALLS" --warmup 1 \
                --req-file "$W/insert_req.$mode.bin" \
                --path /milvus.proto.milvus.MilvusService/Insert --rows 10000
        else
            note "FAILED: no InsertRequest was dumped ($mode)"
            FAILED=1
        fi
    done
    lap "run $r: insert (zero-copy, copied, grpc C++)"
    run_client $r search_restore.inflight4 libmilvus \
        "p99_us=libmilvus@p99_rounds_a p99_us=libmilvus_restore@p99_rounds_b p50_us=libmilvus@p50_us_a p50_us=libmilvus_restore@p50_us_b cpu_us_per_call=libmilvus@cpu_us_per_call_a cpu_us_per_call=libmilvus_restore@cpu_us_per_call_b searches=libmilvus@searches_a searches=libmilvus_restore@searches_b restore_polls=libmilvus_restore@restore_polls restore_min_polls_per_round=libmilvus_restore@restore_min_polls_per_round restore_max_gap_ms=libmilvus_restore@restore_max_gap_ms" \
        "$MV" search --port "$P_MV" --inflight 4 --calls "$R_CALLS" --warmup "$R_CALLS" --rounds "$R_ROUNDS"
    lap "run $r: search during restore await (A/B rounds)"
    run_client $r large.100MiB libmilvus "gb_per_s cpu_s_per_gb" \
        "$MV" large --port "$P_LARGE" --calls "$L_CALLS" --req-size 10
    # shellcheck disable=SC2086
    run_client $r large.100MiB loopback "gb_per_s cpu_s_per_gb" \
        "$MV" loopback --size 104857600 --calls "$L_CALLS" $WCPU
    lap "run $r: large response (libmilvus, loopback)"
    r=$((r + 1))
done

if [ -s "$W/insert_req.zero_copy.bin" ] && [ -s "$W/insert_req.copied.bin" ] &&
    ! cmp -s "$W/insert_req.zero_copy.bin" "$W/insert_req.copied.bin"; then
    note "zero-copy and copying inserts sent different bytes" \
        "($(wc -c <"$W/insert_req.zero_copy.bin") and $(wc -c <"$W/insert_req.copied.bin") bytes:" \
        "the same message, fields in another order?); each is compared with grpc C++ sending its own"
fi

export RUNS PINNING QUICK
$SHELL "$SUITE/report.sh" "$RAW" "$OUT" "$(cat "$WORK/canned.sizes")" || FAILED=1
lap "report"
awk -v a="$T_START" -v b="$(now)" 'BEGIN { printf "%-34s %7.2f s\n", "total (suite)", b - a }' \
    >>"$OUT/timing.txt"
note "wall time per step ($OUT/timing.txt):"
sed 's/^/#   /' "$OUT/timing.txt" >&2
exit $FAILED
