#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# The README's first command, `make demo`: examples/demo.sh runs the
# headline demo (examples/snapshot_restore) against the local
# Milvus-protocol server it starts, or against $MILVUS_URI.  Every step
# must be shown and the demo must end with status 0 and "all checks
# passed".  Against a server without the snapshot service (a real Milvus
# before 3.0, Milvus Lite) the demo runs steps 1, 2 and 6 and says so:
# with DEMO_EXPECT_NO_SNAPSHOTS=1 that is what is checked.
. "$top_srcdir/tests/lib.sh"
[ -x "$top_builddir/examples/snapshot_restore" ] || {
    tap_plan 1
    tap_not_ok "examples/snapshot_restore not built"
    exit 1
}
[ -n "${MILVUS_URI:-}" ] || require_node_module @grpc/grpc-js
out=$TEST_TMP/demo.out
if [ "${DEMO_EXPECT_NO_SNAPSHOTS:-0}" = 1 ]; then
    steps="1 2 3 6"
    last="all checks passed (without snapshots)"
else
    steps="1 2 3 4 5 6"
    last="all checks passed"
fi
set -- $steps
tap_plan $(($# + 3))
if top_srcdir=$top_srcdir top_builddir=$top_builddir DEMO_PROGRAMS=snapshot_restore \
    NODE_PATH=${NODE_PATH:-$top_srcdir/node_modules} timeout 600 sh "$top_srcdir/examples/demo.sh" \
    >"$out" 2>&1; then
    tap_ok "the demo ends with status 0"
else
    tap_not_ok "the demo ends with status 0 (exit $?)"
fi
sed 's/^/# /' "$out"
for s in "$@"; do
    if grep -q "^$s\. " "$out"; then tap_ok "step $s shown"; else tap_not_ok "step $s shown"; fi
done
if grep -q "\[MISMATCH\]" "$out"; then tap_not_ok "no check failed"; else tap_ok "no check failed"; fi
if [ "$(tail -n 1 "$out")" = "$last" ]; then
    tap_ok "the demo ends with \"$last\""
else
    tap_not_ok "the demo ends with \"$last\" (last line: $(tail -n 1 "$out"))"
fi
[ "$TAP_FAILED" -eq 0 ]
