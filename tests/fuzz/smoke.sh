#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# Smoke test for the fuzz targets: runs every fuzz_* program built in
# $top_builddir/tests/fuzz over its seed corpus (tests/fuzz/corpus/NAME)
# and FUZZ_SMOKE_RUNS (default 5000) generated inputs.  Works with both
# builds: standalone_main.c and real libFuzzer binaries accept the same
# command line.  One TAP line per target.
. "$top_srcdir/tests/lib.sh"

runs=${FUZZ_SMOKE_RUNS:-5000}
dir=$top_builddir/tests/fuzz
set --
for bin in "$dir"/fuzz_*; do
    case ${bin##*/} in *.*) continue ;; esac
    [ -f "$bin" ] && [ -x "$bin" ] && set -- "$@" "$bin"
done
[ $# -gt 0 ] || {
    tap_plan 1
    tap_not_ok "no fuzz_* programs in $dir"
    exit 1
}

tap_plan $#
for bin in "$@"; do
    name=${bin##*/}
    corpus=$TEST_TMP/corpus-$name
    mkdir -p "$corpus"
    seeds=$top_srcdir/tests/fuzz/corpus/${name#fuzz_}
    # A private copy: libFuzzer adds to its corpus directory, and the
    # source tree may be read-only (distcheck).
    if [ -d "$seeds" ]; then
        cp "$seeds"/* "$corpus"/ 2>/dev/null
        chmod u+w "$corpus"/* 2>/dev/null
    fi
    tap_check "$name: seeds + $runs inputs" \
        "$bin" -runs="$runs" -seed=1 -max_len=4096 -artifact_prefix="$TEST_TMP/$name-" "$corpus"
done
[ "$TAP_FAILED" -eq 0 ]
