#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# valgrind-fault.sh [CRITERION-ARGS...]: tests/fault/test_fault under
# valgrind memcheck.  Criterion runs every test in a worker process whose
# exit status it does not propagate, so each process (runner and workers,
# followed with --trace-children; the python server, sh and openssl are
# skipped) writes its own log, and the run fails when any log reports an
# error: definite/indirect leaks, invalid reads/writes, uninitialised use.
set -u
: "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}"
: "${top_builddir:=$(pwd)}"
: "${VALGRIND:=valgrind}"
export top_srcdir
BIN=$top_builddir/tests/fault/test_fault
[ -x "$BIN" ] || { echo "valgrind-fault.sh: $BIN not built" >&2; exit 2; }
LOGDIR=$(mktemp -d "${TMPDIR:-/tmp}/mv-fault-vg.XXXXXX")
# timing bounds in the tests are stretched under valgrind
FAULT_SLOW=${FAULT_SLOW:-8} CRITERION_JOBS=1 "$VALGRIND" --leak-check=full \
    --errors-for-leak-kinds=definite,indirect --error-exitcode=1 \
    --trace-children=yes --trace-children-skip='*/python3*,*/python,*/sh,*/openssl,*/rm' \
    --log-file="$LOGDIR/vg.%p" "$BIN" --jobs=1 "$@"
rc=$?
# A log without an ERROR SUMMARY belongs to a fork child that exec'ed an
# untraced program (the python server, sh): nothing to check there.
bad=0
n=0
for f in "$LOGDIR"/vg.*; do
    grep -q "ERROR SUMMARY:" "$f" || continue
    n=$((n + 1))
    if ! grep -q "ERROR SUMMARY: 0 errors" "$f"; then
        echo "=== valgrind errors in $f" >&2
        cat "$f" >&2
        bad=1
    fi
done
echo "# valgrind: $n test processes checked, $( [ $bad = 0 ] && echo clean || echo ERRORS)" >&2
rm -rf "$LOGDIR"
[ $rc = 0 ] && [ $bad = 0 ]
