#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# usage: run-fuzzers.sh DIR SECONDS
# Runs every libFuzzer binary fuzz_* in DIR (a build configured with
# CC=clang .../configure --enable-fuzzers; this script builds nothing) for
# SECONDS each.  The working corpus is $FUZZ_WORK_DIR (default
# DIR/fuzz-work)/NAME, seeded from tests/fuzz/corpus/NAME-without-fuzz_;
# crash inputs are written next to it as NAME-crash-*.  Prints executions,
# rate and result per target; exits non-zero when any target crashed.
set -u
if [ $# -ne 2 ]; then
    echo "usage: $0 DIR SECONDS" >&2
    exit 2
fi
dir=$1
secs=$2
here=$(cd "$(dirname "$0")" && pwd)
work=${FUZZ_WORK_DIR:-$dir/fuzz-work}
mkdir -p "$work" || exit 2

found=0
failed=0
for bin in "$dir"/fuzz_*; do
    case ${bin##*/} in *.*) continue ;; esac
    [ -f "$bin" ] && [ -x "$bin" ] || continue
    name=${bin##*/}
    if ! grep -q max_total_time "$bin"; then
        echo "$name: not a libFuzzer binary (configure with CC=clang --enable-fuzzers)" >&2
        failed=1
        continue
    fi
    found=$((found + 1))
    corpus=$work/$name
    mkdir -p "$corpus"
    seeds=$here/corpus/${name#fuzz_}
    if [ -d "$seeds" ]; then
        for f in "$seeds"/*; do
            [ -f "$f" ] && [ ! -e "$corpus/${f##*/}" ] && cp "$f" "$corpus/"
        done
    fi
    log=$work/$name.log
    "$bin" -max_total_time="$secs" -print_final_stats=1 \
        -artifact_prefix="$work/$name-crash-" "$corpus" >"$log" 2>&1
    rc=$?
    execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
    rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -n 1)
    cov=$(grep -o 'cov: [0-9]*' "$log" | tail -n 1)
    if [ $rc -eq 0 ]; then
        echo "$name: ok, ${execs:-?} executions in ${secs}s (${rate:-?}/s), $cov, corpus $(ls "$corpus" | wc -l) inputs"
    else
        failed=1
        echo "$name: FAILED (exit $rc) after ${execs:-?} executions; log $log"
        ls "$work/$name-crash-"* 2>/dev/null | sed 's/^/  crash input: /'
        tail -n 40 "$log" | sed 's/^/  | /'
    fi
done
if [ $found -eq 0 ]; then
    echo "no libFuzzer fuzz_* binaries in $dir" >&2
    exit 1
fi
exit $failed
