#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# Smoke run of the result-decoding fuzz target (tests/api/fuzz_result.c):
# its seed corpus plus FUZZ_SMOKE_RUNS (default 5000) generated inputs.
# The same command line works for the standalone build and the libFuzzer
# build (--enable-fuzzers).  One TAP line.
. "$top_srcdir/tests/lib.sh"

runs=${FUZZ_SMOKE_RUNS:-5000}
bin=$top_builddir/tests/api/fuzz_result
tap_plan 1
if [ ! -x "$bin" ]; then
    tap_not_ok "fuzz_result not built ($bin)"
    exit 1
fi
# A private, writable copy: libFuzzer adds to its corpus directory and the
# source tree may be read-only (distcheck).
corpus=$TEST_TMP/corpus
mkdir -p "$corpus"
cp "$top_srcdir"/tests/api/corpus/result/* "$corpus"/ 2>/dev/null
chmod u+w "$corpus"/* 2>/dev/null
tap_check "fuzz_result: seeds + $runs inputs" \
    "$bin" -runs="$runs" -seed=1 -max_len=4096 -artifact_prefix="$TEST_TMP/fuzz_result-" "$corpus"
tap_done
