#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# cppcheck finds nothing in the library and milvusctl (src/): warnings,
# portability and performance checks.  The generated protobuf-c headers
# are read from the build tree; protobuf-c's own version macros are given
# from the installed header, so that the system headers need not be parsed.
. "$top_srcdir/tests/lib.sh"
tap_plan 1
if ! command -v cppcheck >/dev/null 2>&1; then
    tap_not_ok "cppcheck finds nothing in src/ # cppcheck is not installed (sh .ci/setup installs it)"
    exit 0
fi
pc=$(pkg-config --variable=includedir libprotobuf-c 2>/dev/null)
hdr=${pc:-/usr/include}/protobuf-c/protobuf-c.h
ver=$(sed -n 's/^#define PROTOBUF_C_VERSION_NUMBER[[:space:]]*\([0-9]*\).*/\1/p' "$hdr")
min=$(sed -n 's/^#define PROTOBUF_C_MIN_COMPILER_VERSION[[:space:]]*\([0-9]*\).*/\1/p' "$hdr")
out=$TEST_TMP/cppcheck.txt
cppcheck -q --error-exitcode=1 --enable=warning,portability,performance --inline-suppr \
    --std=c11 --suppress=missingIncludeSystem \
    -I"$top_builddir/include" -I"$top_srcdir/include" -I"$top_srcdir/src" \
    -I"$top_builddir/proto" -DBUILDING_LIBMILVUS \
    -DPROTOBUF_C_VERSION_NUMBER="${ver:-1004001}" -DPROTOBUF_C_MIN_COMPILER_VERSION="${min:-1000000}" \
    "$top_srcdir/src" >"$out" 2>&1
rc=$?
if [ $rc -eq 0 ] && [ ! -s "$out" ]; then
    tap_ok "cppcheck finds nothing in src/ ($(cppcheck --version))"
else
    tap_not_ok "cppcheck finds nothing in src/"
    sed 's/^/# /' "$out" | head -n 60
fi
