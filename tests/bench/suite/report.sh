#!/bin/sh
# report.sh RAW.csv OUTDIR [NOTE]: turns the suite's raw measurements
# (measure:key,impl,run,value) into medians with min-max spreads
# (results.csv), the comparisons as RESULT lines (stdout and results.md) and
# a plot of the ratios against their targets (results.png, gnuplot).
set -u
RAW=$1
OUT=$2
NOTE=${3:-}

# stat MEASURE IMPL -> "median min max n" (empty when not measured)
stat() {
    awk -F, -v m="$1" -v i="$2" '
        NR > 1 && $1 == m && $2 == i { v[++n] = $4 + 0 }
        END {
            if (n == 0) exit
            for (a = 1; a <= n; a++) for (b = a + 1; b <= n; b++)
                if (v[b] < v[a]) { t = v[a]; v[a] = v[b]; v[b] = t }
            med = (n % 2) ? v[(n + 1) / 2] : (v[n / 2] + v[n / 2 + 1]) / 2
            printf "%.6g %.6g %.6g %d\n", med, v[1], v[n], n
        }' "$RAW"
}

# all (measure, impl) pairs with their statistics
{
    echo "measure,impl,median,min,max,runs"
    tail -n +2 "$RAW" | cut -d, -f1,2 | sort -u | while IFS=, read -r m i; do
        # shellcheck disable=SC2046
        set -- $(stat "$m" "$i")
        echo "$m,$i,$1,$2,$3,$4"
    done
} >"$OUT/results.csv"

LINES=
PLOT=
idx=0
# compare LABEL MEASURE IMPL_A NAME_A IMPL_B NAME_B OP LIMIT TARGET_TEXT
#   ratio = median(A) / median(B); PASS when ratio OP LIMIT
#   (OP "le" or "ge"; "abs_ge": PASS when median(A) >= LIMIT)
compare() {
    label=$1 m=$2 ia=$3 na=$4 ib=$5 nb=$6 op=$7 lim=$8 tt=$9
    sa=$(stat "$m" "$ia")
    sb=$(stat "$m" "$ib")
    if [ -z "$sa" ] || [ -z "$sb" ]; then
        line="RESULT $label $na=nan $nb=nan ratio=nan target=$tt MISS"
    else
        line=$(echo "$sa $sb" | awk -v label="$label" -v na="$na" -v nb="$nb" -v op="$op" \
            -v lim="$lim" -v tt="$tt" '{
                a = $1; b = $5; r = (b != 0) ? a / b : 0
                ok = (op == "le") ? (r <= lim) : (op == "ge") ? (r >= lim) : (a >= lim)
                printf "RESULT %s %s=%.4g %s=%.4g ratio=%.3g target=%s %s\n",
                    label, na, a, nb, b, r, tt, ok ? "PASS" : "MISS"
            }')
        spread=$(echo "$sa $sb" | awk '{ printf "%.4g-%.4g / %.4g-%.4g (runs %d)", $2, $3, $6, $7, $4 }')
        idx=$((idx + 1))
        # an absolute target has no place on the ratio axis
        pl=$lim
        [ "$op" = abs_ge ] && pl=NaN
        PLOT="$PLOT$idx $label $(echo "$line" | sed 's/.* ratio=\([^ ]*\) .*/\1/') $pl
"
        SPREADS="${SPREADS:-}| $label | $spread |
"
    fi
    echo "$line"
    LINES="$LINES$line
"
}

for n in 1 64 1024; do
    if [ "$n" = 1 ]; then lim=1.0; else lim=0.5; fi
    compare "cpu_us_per_call.unary.inflight$n" "unary.inflight$n:cpu_us_per_call" \
        libmilvus libmilvus grpcpp grpcpp le $lim "<=$lim"
    compare "cpu_us_per_call.unary.inflight$n.floor" "unary.inflight$n:cpu_us_per_call" \
        libmilvus libmilvus h2load h2load le 1.5 "<=1.5"
done
mem=$(tail -n +2 "$RAW" | cut -d, -f1 | grep '^mem\.' | sort -u | head -n 1 | cut -d: -f1)
if [ -n "$mem" ]; then
    compare "rss_bytes_per_pending_call.${mem#mem.}" "$mem:rss_bytes_per_call" \
        libmilvus libmilvus grpcpp grpcpp le 0.25 "<=0.25"
    # the absolute bound: RSS per pending call beyond its payload <= 1 KiB
    req=$(stat "$mem:req_bytes" libmilvus | cut -d' ' -f1)
    awk -F, -v m="$mem:rss_bytes_per_call" -v q="${req:-0}" 'NR > 1 && $1 == m && $2 == "libmilvus" {
        printf "%s,%s,%s,%.0f\n%s,budget,%s,1024\n", "mem_beyond_payload", "libmilvus", $3, $4 - q, "mem_beyond_payload", $3 }' \
        "$RAW" >>"$RAW"
    compare "rss_bytes_beyond_payload_per_call.${mem#mem.}" mem_beyond_payload \
        libmilvus libmilvus budget budget le 1.0 "<=1KiB"
fi
grow=$(tail -n +2 "$RAW" | cut -d, -f1 | sed -n 's/^growth\.inflight\([0-9]*\):.*/\1/p' | sort -n -u)
lo=$(echo "$grow" | head -n 1)
hi=$(echo "$grow" | tail -n 1)
if [ -n "$lo" ] && [ "$lo" != "$hi" ]; then
    awk -F, -v lo="growth.inflight$lo:cpu_us_per_call" -v hi="growth.inflight$hi:cpu_us_per_call" \
        'NR > 1 && ($1 == lo || $1 == hi) && $2 == "libmilvus" {
            printf "growth,%s,%s,%s\n", ($1 == lo) ? "libmilvus_lo" : "libmilvus_hi", $3, $4 }' \
        "$RAW" >>"$RAW"
    compare "cpu_us_per_call.growth.inflight${lo}_to_${hi}" growth \
        libmilvus_hi "libmilvus" libmilvus_lo "libmilvus_inflight$lo" le 1.2 "<=1.2"
fi
compare cpu_us_per_call.search.dim768_topk100 search.inflight16:cpu_us_per_call \
    libmilvus libmilvus node_sdk node_sdk le 0.02 "<=0.02"
compare cpu_s_per_gb.insert.10k_rows_dim768 insert.10k_rows:cpu_s_per_gb \
    libmilvus libmilvus grpcpp grpcpp le 0.7 "<=0.7"
compare p99_us.search_during_restore_await search_restore.inflight4:p99_us \
    libmilvus_restore libmilvus libmilvus libmilvus_no_restore le 1.1 "<=1.1"
compare gb_per_s.response_100MiB large.100MiB:gb_per_s \
    libmilvus libmilvus loopback loopback abs_ge 1.0 ">=1GB/s"

# ---- Markdown --------------------------------------------------------------------
{
    echo "# libmilvus benchmark suite"
    echo
    echo "$(date -u '+%Y-%m-%d %H:%M UTC'), $(uname -m), $(getconf _NPROCESSORS_ONLN) CPUs;" \
        "pinning: ${PINNING:-?}; runs per point: ${RUNS:-?}; quick: ${QUICK:-0}."
    [ -n "$NOTE" ] && echo "Canned response sizes (bytes): $NOTE."
    echo "Values are medians over the runs; ratio = libmilvus / anchor."
    echo
    echo "| measure | libmilvus | anchor | ratio | target | verdict |"
    echo "|---|---|---|---|---|---|"
    printf '%s' "$LINES" | awk '{
        split($3, a, "="); split($4, b, "="); split($5, r, "="); split($6, t, "=")
        printf "| %s | %s | %s = %s | %s | %s | %s |\n", $2, a[2], b[1], b[2], r[2], t[2], $7 }'
    echo
    echo "Spread (min-max of libmilvus / of the anchor):"
    echo
    echo "| measure | spread |"
    echo "|---|---|"
    printf '%s' "${SPREADS:-}"
    echo
    echo "All measurements (median, min, max):"
    echo
    echo "| measure | implementation | median | min | max | runs |"
    echo "|---|---|---|---|---|---|"
    tail -n +2 "$OUT/results.csv" | awk -F, '{ printf "| %s | %s | %s | %s | %s | %s |\n", $1, $2, $3, $4, $5, $6 }'
} >"$OUT/results.md"

# ---- plot: ratio per comparison against its target ----------------------------------
if command -v gnuplot >/dev/null 2>&1 && [ -n "$PLOT" ]; then
    printf '%s' "$PLOT" >"$OUT/ratios.dat"
    gnuplot <<EOF 2>"$OUT/gnuplot.err" || echo "# gnuplot failed: $(cat "$OUT/gnuplot.err")" >&2
set terminal png size 1200,700 noenhanced
set output '$OUT/results.png'
set title 'libmilvus / anchor (log scale; bars below the target marks meet them)'
set logscale y
set style fill solid 0.6
set boxwidth 0.6
set xtics rotate by -35 left font ',8'
set key top left
set bmargin 12
plot '$OUT/ratios.dat' using 1:3:xtic(2) with boxes title 'ratio', \
     '' using 1:4 with points pt 7 ps 1.5 title 'target'
EOF
else
    echo "# gnuplot not found (apt-get install gnuplot-nox): no plot" >&2
fi
echo "# results: $OUT/results.md $OUT/results.csv $OUT/results.png" >&2
