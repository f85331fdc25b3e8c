#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# report.sh RAW.csv OUTDIR [NOTE]: turns the suite's raw measurements
# (measure:key,impl,run,value) into medians with min-max spreads
# (results.csv), the comparisons as RESULT lines (stdout and results.md) and
# a plot of the ratios against their targets (results.png, gnuplot).
#
# Every RESULT line is   RESULT <measure> libmilvus=<v> <anchor>=<v>
# ratio=<v> target=<t> PASS|MISS   with ratio = libmilvus / anchor (medians).
# All targets but one bound that ratio from above (lower is better: CPU,
# memory, latency, growth); "target=>=1GB/s" is absolute (higher is better):
# PASS when libmilvus itself moves >= 1 GB/s, the anchor is context.  A
# comparison without figures on both sides is "nan ... MISS".
#
# A few awk passes in all: the report must not eat into BENCH_QUICK's minute.
set -u
RAW=$1
OUT=$2
NOTE=${3:-}
ALL=$OUT/all.csv

# the machine the figures come from
cpu_model=$(sed -n 's/^model name[[:space:]]*: *//p' /proc/cpuinfo 2>/dev/null | head -n 1)
MACHINE="CPU: ${cpu_model:-unknown} x $(getconf _NPROCESSORS_ONLN) cores; kernel: $(uname -sr) $(uname -m); pinning: ${PINNING:-?}; load average: $(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null)"
echo "# machine: $MACHINE"

# ---- derived rows, added to a copy of the raw ones ---------------------------------
#   mem_beyond_payload  RSS per pending call minus its request payload, and
#                       the 1 KiB budget it is compared with
#   growth              CPU per call at the lowest (libmilvus_lo) and highest
#                       (libmilvus_hi) depth of the growth runs
#   check:growth        calls lost or duplicated in any growth run (> 0: MISS)
#   check:restore       restore rounds whose measured window saw no poll
#                       answer (> 0: MISS)
awk -F, -v OFS=, '
    NR == 1 { print; next }
    { print; row[NR] = $0 }
    $1 ~ /^mem\..*:rss_bytes_per_call$/ && $2 == "libmilvus" { rss[$3] = $4; mem = 1 }
    $1 ~ /^mem\..*:req_bytes$/ && $2 == "libmilvus" { req[$3] = $4 }
    $1 ~ /^growth\.inflight[0-9]+:cpu_us_per_call$/ && $2 == "libmilvus" {
        d = $1; sub(/^growth\.inflight/, "", d); sub(/:.*/, "", d); d += 0
        if (lo == "" || d < lo) lo = d
        if (hi == "" || d > hi) hi = d
    }
    $1 ~ /^growth\.inflight[0-9]+:(lost|duplicated)$/ && $4 + 0 != 0 { gbad++ }
    $1 ~ /:restore_min_polls_per_round$/ { rounds = 1; if ($4 + 0 == 0) rbad++ }
    END {
        if (mem) for (r in rss) {
            print "mem_beyond_payload", "libmilvus", r, sprintf("%.0f", rss[r] - req[r])
            print "mem_beyond_payload", "budget", r, 1024
        }
        if (lo != "" && lo != hi) {
            for (i = 2; i <= NR; i++) {
                split(row[i], f, ",")
                if (f[2] != "libmilvus") continue
                if (f[1] == "growth.inflight" lo ":cpu_us_per_call") print "growth", "libmilvus_lo", f[3], f[4]
                if (f[1] == "growth.inflight" hi ":cpu_us_per_call") print "growth", "libmilvus_hi", f[3], f[4]
            }
            print "check:growth", "libmilvus", 1, gbad + 0
            print "growth_depths", "libmilvus", 1, lo " " hi
        }
        if (rounds) print "check:restore", "libmilvus_restore", 1, rbad + 0
    }' "$RAW" >"$ALL"

# ---- median, min, max, count of every (measure, implementation) ---------------------
{
    echo "measure,impl,median,min,max,runs"
    awk -F, 'NR > 1 && $1 != "growth_depths" {
            k = $1 "," $2; n[k]++; v[k, n[k]] = $4 + 0 }
        END {
            for (k in n) {
                c = n[k]
                for (a = 1; a <= c; a++) x[a] = v[k, a]
                for (a = 2; a <= c; a++) {   # insertion sort: a few values each
                    t = x[a]
                    for (b = a - 1; b >= 1 && x[b] > t; b--) x[b + 1] = x[b]
                    x[b + 1] = t
                }
                med = (c % 2) ? x[(c + 1) / 2] : (x[c / 2] + x[c / 2 + 1]) / 2
                printf "%s,%.6g,%.6g,%.6g,%d\n", k, med, x[1], x[c], c
            }
        }' "$ALL" | sort
} >"$OUT/results.csv"

# ---- the comparisons ---------------------------------------------------------------
# one per line: LABEL MEASURE IMPL_A NAME_A IMPL_B NAME_B OP LIMIT TARGET [CHECK]
#   ratio = median(A) / median(B); OP "le": PASS when ratio <= LIMIT (lower
#   is better); "abs_ge": PASS when median(A) >= LIMIT (higher is better);
#   CHECK: a check:* row whose median > 0 makes it MISS
mem=$(awk -F, '$1 ~ /^mem\..*:rss_bytes_per_call$/ { sub(/:.*/, "", $1); print $1; exit }' "$ALL")
depths=$(awk -F, '$1 == "growth_depths" { print $4; exit }' "$ALL")
lo=${depths% *} hi=${depths#* }
{
    for n in 1 64 1024; do
        # 64 and 1024: the issue's target; 1: the suite's own (parity)
        lim=0.5
        [ "$n" = 1 ] && lim=1.0
        echo "cpu_us_per_call.unary.inflight$n unary.inflight$n:cpu_us_per_call libmilvus libmilvus grpcpp grpcpp le $lim <=$lim"
        echo "cpu_us_per_call.unary.inflight$n.floor unary.inflight$n:cpu_us_per_call libmilvus libmilvus h2load h2load le 1.5 <=1.5"
    done
    if [ -n "$mem" ]; then
        echo "rss_bytes_per_pending_call.${mem#mem.} $mem:rss_bytes_per_call libmilvus libmilvus grpcpp grpcpp le 0.25 <=0.25"
        echo "rss_bytes_beyond_payload_per_call.${mem#mem.} mem_beyond_payload libmilvus libmilvus budget budget le 1.0 <=1KiB"
    fi
    [ -n "$depths" ] &&
        echo "cpu_us_per_call.growth.inflight${lo}_to_${hi} growth libmilvus_hi libmilvus libmilvus_lo libmilvus_inflight$lo le 1.2 <=1.2 check:growth"
    echo "cpu_us_per_call.search.dim768_topk100 search.inflight16:cpu_us_per_call libmilvus libmilvus node_sdk node_sdk le 0.02 <=0.02"
    # insert.10k_rows: zero-copy (milvus_write_options_set_zero_copy), the
    # path a throughput-minded user takes; .copied: the default copying one
    echo "cpu_s_per_gb.insert.10k_rows_dim768 insert.10k_rows:cpu_s_per_gb libmilvus libmilvus grpcpp grpcpp le 0.7 <=0.7"
    echo "cpu_s_per_gb.insert.10k_rows_dim768.copied insert.10k_rows.copied:cpu_s_per_gb libmilvus libmilvus grpcpp grpcpp le 0.7 <=0.7"
    # medians of the per-round p99s of alternating rounds with / without
    echo "p99_us.search_during_restore_await search_restore.inflight4:p99_us libmilvus_restore libmilvus libmilvus libmilvus_no_restore le 1.1 <=1.1 check:restore"
    echo "gb_per_s.response_100MiB large.100MiB:gb_per_s libmilvus libmilvus loopback loopback abs_ge 1.0 >=1GB/s"
} >"$OUT/comparisons.txt"

# prints "R <RESULT line>", "P <idx> <label> <ratio> <plotted target>" and
# "S <label> <spread>" lines
awk -F, '
    FNR == NR { if (FNR > 1) { med[$1, $2] = $3; mn[$1, $2] = $4; mx[$1, $2] = $5; cnt[$1, $2] = $6 }; next }
    {
        split($0, s, " ")
        label = s[1]; m = s[2]; ia = s[3]; na = s[4]; ib = s[5]; nb = s[6]
        op = s[7]; lim = s[8] + 0; tt = s[9]; chk = s[10]
        if (!((m, ia) in med) || !((m, ib) in med)) {
            printf "R RESULT %s %s=nan %s=nan ratio=nan target=%s MISS\n", label, na, nb, tt
            next
        }
        a = med[m, ia]; b = med[m, ib]
        r = (b != 0) ? a / b : 0
        ok = (op == "abs_ge") ? (a >= lim) : (b != 0 && r <= lim)
        if (chk != "" && (!((chk, (chk == "check:restore") ? "libmilvus_restore" : "libmilvus") in med) ||
                          med[chk, (chk == "check:restore") ? "libmilvus_restore" : "libmilvus"] > 0))
            ok = 0
        printf "R RESULT %s %s=%.4g %s=%.4g ratio=%.3g target=%s %s\n", label, na, a, nb, b, r, tt, ok ? "PASS" : "MISS"
        idx++
        # on the plot every bar is "lower is better" against its mark: an
        # absolute lower bound is drawn as target / value against 1
        if (op == "abs_ge")
            printf "P %d %s(target/value) %.3g 1\n", idx, label, (a > 0) ? lim / a : 1e3
        else
            printf "P %d %s %.3g %s\n", idx, label, r, lim
        printf "S %s %.4g-%.4g / %.4g-%.4g (samples %d / %d)\n", label, mn[m, ia], mx[m, ia],
            mn[m, ib], mx[m, ib], cnt[m, ia], cnt[m, ib]
    }' "$OUT/results.csv" "$OUT/comparisons.txt" >"$OUT/compared.txt"
LINES=$(sed -n 's/^R //p' "$OUT/compared.txt")
printf '%s\n' "$LINES"
sed -n 's/^P //p' "$OUT/compared.txt" >"$OUT/ratios.dat"

# median (min-max) of a measure, for the prose
fig() { awk -F, -v m="$1" -v i="$2" '$1 == m && $2 == i { printf "%s (%s-%s)", $3, $4, $5; exit }' "$OUT/results.csv"; }

# ---- Markdown --------------------------------------------------------------------
{
    echo "# libmilvus benchmark suite"
    echo
    echo "$(date -u '+%Y-%m-%d %H:%M UTC'); runs per point: ${RUNS:-?}; quick: ${QUICK:-0}."
    echo
    echo "Machine: $MACHINE."
    [ -n "$NOTE" ] && echo "Canned response sizes (bytes): $NOTE."
    echo
    echo "Values are medians over the runs; ratio = libmilvus / anchor, lower is better"
    echo "except for the 100 MiB response, whose target is absolute (libmilvus >= 1 GB/s;"
    echo "the loopback socket, writer on the servers' CPU, is context)."
    echo "The unary target at 1 in flight (<=1.0) is the suite's own; the issue sets"
    echo "targets at 64 and 1024."
    echo
    echo "- cpu_s_per_gb.insert.10k_rows_dim768: the zero-copy insert"
    echo "  (milvus_write_options_set_zero_copy), the ingestion path a throughput-minded"
    echo "  user takes; GB/s: libmilvus $(fig insert.10k_rows:gb_per_s libmilvus),"
    echo "  grpc C++ $(fig insert.10k_rows:gb_per_s grpcpp)."
    echo "- cpu_s_per_gb.insert.10k_rows_dim768.copied: the default insert, which copies"
    echo "  the columns into the request; GB/s: libmilvus $(fig insert.10k_rows.copied:gb_per_s libmilvus),"
    echo "  grpc C++ $(fig insert.10k_rows.copied:gb_per_s grpcpp)."
    echo "  Both against the grpc C++ client sending the very InsertRequest bytes that"
    echo "  libmilvus sent on that path."
    echo "- p99_us.search_during_restore_await: the same search stream (same searches,"
    echo "  same depth) in alternating short rounds with (B) and without (A) a snapshot"
    echo "  restore await polling on the same loop; medians (min-max) of the per-round"
    echo "  p99s, us: B $(fig search_restore.inflight4:p99_us libmilvus_restore), A $(fig search_restore.inflight4:p99_us libmilvus)."
    echo "  Poll answers inside the measured B windows per run: $(fig search_restore.inflight4:restore_polls libmilvus_restore);"
    echo "  fewest in one window: $(fig search_restore.inflight4:restore_min_polls_per_round libmilvus_restore);"
    echo "  longest stretch without one, ms: $(fig search_restore.inflight4:restore_max_gap_ms libmilvus_restore)."
    echo
    echo "| measure | libmilvus | anchor | ratio | target | verdict |"
    echo "|---|---|---|---|---|---|"
    printf '%s\n' "$LINES" | awk '{
        v = $3; sub(/^[^=]*=/, "", v); an = $4; sub(/=.*/, "", an); av = $4; sub(/^[^=]*=/, "", av)
        r = $5; sub(/^ratio=/, "", r); t = $6; sub(/^target=/, "", t)
        printf "| %s | %s | %s = %s | %s | %s | %s |\n", $2, v, an, av, r, t, $7 }'
    echo
    echo "Spread (min-max of libmilvus / of the anchor; samples: runs, or rounds for the p99s):"
    echo
    echo "| measure | spread |"
    echo "|---|---|"
    sed -n 's/^S \([^ ]*\) \(.*\)/| \1 | \2 |/p' "$OUT/compared.txt"
    echo
    echo "All measurements (median, min, max):"
    echo
    echo "| measure | implementation | median | min | max | samples |"
    echo "|---|---|---|---|---|---|"
    tail -n +2 "$OUT/results.csv" | awk -F, '{ printf "| %s | %s | %s | %s | %s | %s |\n", $1, $2, $3, $4, $5, $6 }'
    if [ -s "$OUT/timing.txt" ]; then
        echo
        echo "Wall time per step:"
        echo
        echo '```'
        cat "$OUT/timing.txt"
        echo '```'
    fi
} >"$OUT/results.md"

# ---- plot: ratio per comparison against its target ----------------------------------
if ! command -v gnuplot >/dev/null 2>&1; then
    echo "# gnuplot not found (apt-get install gnuplot-nox): no plot" >&2
elif [ ! -s "$OUT/ratios.dat" ]; then
    echo "# no comparison has figures: no plot" >&2
else
    gnuplot <<EOF 2>"$OUT/gnuplot.err" || echo "# gnuplot failed: $(cat "$OUT/gnuplot.err")" >&2
set terminal png size 1200,700 noenhanced
set output '$OUT/results.png'
set title "libmilvus / anchor (log scale; bars below the target marks meet them)\n$(date -u '+%Y-%m-%d') $(echo "$MACHINE" | sed 's/; load average.*//; s/"//g')" font ',10'
set rmargin 20
set logscale y
set style fill solid 0.6
set boxwidth 0.6
set xtics rotate by -35 left font ',8'
set key top left
set bmargin 12
plot '$OUT/ratios.dat' using 1:3:xtic(2) with boxes title 'ratio', \
     '' using 1:4 with points pt 7 ps 1.5 title 'target'
EOF
fi
echo "# results: $OUT/results.md $OUT/results.csv $OUT/results.png" >&2
