#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# run-bench.sh: the transport benchmark (not part of `make check`; run with
# `make bench`).  Starts the grpc-go peer (tests/peers/go/server.go, built
# from the Go module tests/go.mod into the build tree), runs tests/bench/bench_transport
# BENCH_RUNS times per point and prints a table plus machine-readable lines:
#
#   MEASURE <measure> libmilvus=<median> libmilvus_min=<min> libmilvus_max=<max>
#
# (not RESULT: these are libmilvus's own figures without an anchor; the
# RESULT lines of issue 6, one per comparison, come from suite/run-suite.sh)
#
# Measures:
#   cpu_us_per_call.inflight<N>  client CPU (user+sys) per completed unary call
#   cpu_user_us_per_call.inflight<N>, cpu_sys_us_per_call.inflight<N>  its parts
#   calls_per_s.inflight<N>      completed calls per second (one loop thread)
#   rss_bytes_per_call.inflight<N>, heap_bytes_per_call.inflight<N>
#                                memory growth per call held in flight by the
#                                server
#
# Environment: BENCH_RUNS (default 5), BENCH_CALLS (default 20000; a fifth
# of it at 1 in flight), BENCH_INFLIGHT (default "1 64 1024"),
# BENCH_DELAY_MS (default 1500), BENCH_REQ_SIZE / BENCH_RESP_SIZE (default
# 100), GO (go binary).  BENCH_QUICK=1 (part of `BENCH_QUICK=1 make bench`,
# under a minute in all): 1 run, 2000 calls, 500 ms hold.
set -u

: "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}"
: "${top_builddir:=$(pwd)}"
if [ "${BENCH_QUICK:-0}" = 1 ]; then
    RUNS=${BENCH_RUNS:-1} CALLS=${BENCH_CALLS:-2000} DELAY_MS=${BENCH_DELAY_MS:-500}
else
    RUNS=${BENCH_RUNS:-5} CALLS=${BENCH_CALLS:-20000} DELAY_MS=${BENCH_DELAY_MS:-1500}
fi
INFLIGHT=${BENCH_INFLIGHT:-1 64 1024}
REQ_SIZE=${BENCH_REQ_SIZE:-100}
RESP_SIZE=${BENCH_RESP_SIZE:-100}
GO=${GO:-$(command -v go)}
BENCH=$top_builddir/tests/bench/bench_transport
WORK=$top_builddir/tests/bench/work

die() { echo "run-bench.sh: $*" >&2; exit 1; }

[ -x "$BENCH" ] || die "$BENCH not built (make bench builds it)"
[ -n "$GO" ] || die "go not found (the machine's Go toolchain, 1.24 or newer)"
mkdir -p "$WORK" || die "cannot create $WORK"

# ---- the grpc-go peer, built once into the build tree --------------------
PEER=$WORK/go-peer
GO=$GO sh "$top_srcdir/tests/peers/go-build.sh" "$PEER" ./peers/go "$WORK/gocache" ||
    die "building the grpc-go peer failed (see above)"

# ---- CPU pinning: server and client on different cores ------------------
SERVER_PIN=
CLIENT_PIN=
NCPU=$(getconf _NPROCESSORS_ONLN 2>/dev/null || echo 1)
if command -v taskset >/dev/null 2>&1 && [ "$NCPU" -ge 2 ]; then
    SERVER_PIN="taskset -c 0"
    CLIENT_PIN="taskset -c 1"
    PINNING="server on cpu 0, client on cpu 1"
else
    PINNING="none (taskset missing or one CPU)"
fi

PEER_PID=
cleanup() {
    [ -n "$PEER_PID" ] && kill "$PEER_PID" 2>/dev/null && wait "$PEER_PID" 2>/dev/null
    rm -f "$WORK/peer.out"
}
trap cleanup EXIT INT TERM

: >"$WORK/peer.out"
$SERVER_PIN "$PEER" -port 0 -bench_raw_size "$RESP_SIZE" >"$WORK/peer.out" 2>"$WORK/peer.err" &
PEER_PID=$!
i=0
PORT=
while [ $i -lt 1500 ]; do
    PORT=$(sed -n 's/^PORT \([0-9][0-9]*\)$/\1/p' "$WORK/peer.out")
    [ -n "$PORT" ] && break
    kill -0 "$PEER_PID" 2>/dev/null || die "grpc-go peer exited: $(cat "$WORK/peer.err")"
    sleep 0.02
    i=$((i + 1))
done
[ -n "$PORT" ] || die "grpc-go peer did not report its port"

# stats VALUES...: "median min max" of the numbers given
stats() {
    printf '%s\n' "$@" | sort -g | awk '
        { v[NR] = $1 }
        END {
            if (NR == 0) { print "nan nan nan"; exit }
            m = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
            printf "%.6g %.6g %.6g\n", m, v[1], v[NR]
        }'
}

# field NAME LINE: the value of NAME=... in a BENCH line
field() { printf '%s\n' "$2" | tr ' ' '\n' | sed -n "s/^$1=//p"; }

RESULTS=
add_result() { # measure median min max
    RESULTS="${RESULTS}MEASURE $1 libmilvus=$2 libmilvus_min=$3 libmilvus_max=$4
"
}

TABLE=
FAILED=0
for n in $INFLIGHT; do
    cpu= usr= sys= qps= rss= heap=
    # one call in flight is a round trip each: a fifth of the calls
    calls=$CALLS
    [ "$n" = 1 ] && calls=$((CALLS / 5))
    r=0
    while [ $r -lt "$RUNS" ]; do
        line=$($CLIENT_PIN "$BENCH" cpu --port "$PORT" --inflight "$n" --calls "$calls" \
            --warmup $((calls / 10 > n ? calls / 10 : n)) --req-size "$REQ_SIZE" --path /bench.Raw/Call) || { FAILED=1; echo "# cpu run failed (inflight $n)" >&2; }
        case $line in BENCH*)
            cpu="$cpu $(field cpu_us_per_call "$line")"
            usr="$usr $(field user_us_per_call "$line")"
            sys="$sys $(field sys_us_per_call "$line")"
            qps="$qps $(field calls_per_s "$line")" ;;
        esac
        line=$($CLIENT_PIN "$BENCH" mem --port "$PORT" --inflight "$n" --delay-ms "$DELAY_MS" \
            --resp-size "$RESP_SIZE") || { FAILED=1; echo "# mem run failed (inflight $n)" >&2; }
        case $line in BENCH*)
            rss="$rss $(field rss_bytes_per_call "$line")"
            heap="$heap $(field heap_bytes_per_call "$line")" ;;
        esac
        r=$((r + 1))
    done
    # shellcheck disable=SC2086
    set -- $(stats $cpu); add_result "cpu_us_per_call.inflight$n" "$@"; c="$1 ($2-$3)"
    # shellcheck disable=SC2086
    set -- $(stats $usr); add_result "cpu_user_us_per_call.inflight$n" "$@"
    # shellcheck disable=SC2086
    set -- $(stats $sys); add_result "cpu_sys_us_per_call.inflight$n" "$@"
    # shellcheck disable=SC2086
    set -- $(stats $qps); add_result "calls_per_s.inflight$n" "$@"; q="$1 ($2-$3)"
    # shellcheck disable=SC2086
    set -- $(stats $rss); add_result "rss_bytes_per_call.inflight$n" "$@"; m="$1 ($2-$3)"
    # shellcheck disable=SC2086
    set -- $(stats $heap); add_result "heap_bytes_per_call.inflight$n" "$@"; h="$1 ($2-$3)"
    TABLE="$TABLE$(printf '%-9s %-26s %-26s %-24s %-24s' "$n" "$c" "$q" "$m" "$h")
"
done

echo "# libmilvus transport benchmark: grpc-go peer $(basename "$SRC"), $RUNS runs per point,"
echo "# $CALLS calls per CPU run ($((CALLS / 5)) at 1 in flight), request $REQ_SIZE B, response $RESP_SIZE B, server hold $DELAY_MS ms for memory;"
echo "# pinning: $PINNING; one channel, one connection, one loop thread."
echo "# load average at the end: $(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null) (the numbers are only as quiet as the machine)"
echo "# values: median (min-max)"
printf '%-9s %-26s %-26s %-24s %-24s\n' inflight "cpu us/call" "calls/s" "RSS B/in-flight call" "heap B/in-flight call"
printf '%s' "$TABLE"
printf '%s' "$RESULTS"
exit $FAILED
