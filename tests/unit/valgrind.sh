#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# Runs the unit-test programs (default: tests/unit/test_wire; or the
# programs named in MILVUS_VALGRIND_PROGRAMS, relative to top_builddir)
# under valgrind memcheck, following Criterion's worker processes.
# Criterion ignores the exit status of its workers, so valgrind writes one
# log per process and any non-empty log is a failure.  Slow: skipped
# unless MILVUS_VALGRIND=1 (`make check-valgrind` sets it and names every
# Criterion program of the suite).  One TAP line per program.  Peers the
# tests start (node, python, nginx, go) are not traced.
. "$top_srcdir/tests/lib.sh"

if [ "${MILVUS_VALGRIND:-0}" != 1 ]; then
    echo "1..0 # SKIP set MILVUS_VALGRIND=1 to run the unit tests under valgrind"
    exit 0
fi
command -v valgrind >/dev/null 2>&1 || {
    echo "1..1"
    echo "not ok 1 - valgrind not found (apt-get install valgrind)"
    exit 1
}

progs=${MILVUS_VALGRIND_PROGRAMS:-tests/unit/test_wire}
set -- $progs
tap_plan $#

vg_run() {
    prog=$1
    logs=$TEST_TMP/vg-$(echo "$prog" | tr / _)
    mkdir -p "$logs"
    CRITERION_NO_EARLY_EXIT=1 valgrind -q --leak-check=full \
        --suppressions="$top_srcdir/tests/unit/valgrind.supp" \
        --errors-for-leak-kinds=definite,indirect --error-exitcode=99 --trace-children=yes \
        --trace-children-skip='/usr/*,/bin/*,*/node,*python*,*nginx*,*go-bin*' \
        --log-file="$logs/vg.%p" "$top_builddir/$prog" --jobs 1 >"$logs/out" 2>&1
    rc=$?
    bad=0
    for f in "$logs"/vg.*; do
        [ -s "$f" ] && { bad=1; cat "$f"; }
    done
    [ $rc -eq 0 ] && [ $bad -eq 0 ] && return 0
    tail -n 5 "$logs/out"
    return 1
}

for prog in "$@"; do
    tap_check "valgrind memcheck: $prog" vg_run "$prog"
done
[ "$TAP_FAILED" -eq 0 ]
