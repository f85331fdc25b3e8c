#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# The shared library exports the milvus_* API and nothing else: every
# defined dynamic symbol starts with milvus_, and every function the public
# headers declare with MILVUS_EXTERN is exported.
. "$top_srcdir/tests/lib.sh"

lib=${LIBMILVUS_SHARED:-$top_builddir/.libs/libmilvus.so}
if [ ! -f "$lib" ]; then
    # a --disable-shared build has nothing to check
    echo "1..0 # SKIP no shared library was built ($lib)"
    exit 0
fi
command -v nm >/dev/null 2>&1 || tap_skip_all "nm not found (apt-get install binutils)"
tap_plan 3

nm -D --defined-only "$lib" | awk '$2 ~ /^[TDBRVW]$/ {print $3}' | sort -u >"$TEST_TMP/exported"
grep -v '^milvus_' "$TEST_TMP/exported" | grep -v -E '^(_init|_fini|_edata|_end|__bss_start)$' \
    >"$TEST_TMP/foreign"
if [ -s "$TEST_TMP/foreign" ]; then
    tap_not_ok "only milvus_* symbols are exported"
    sed 's/^/# exported: /' "$TEST_TMP/foreign" | head -20
else
    tap_ok "only milvus_* symbols are exported ($(wc -l <"$TEST_TMP/exported") symbols)"
fi

# Every MILVUS_EXTERN declaration of the public headers is exported.
# (a declaration may put its name on the line after its return type)
cat "$top_srcdir"/include/milvus/*.h "$top_builddir"/include/milvus/version.h |
    awk '/MILVUS_EXTERN/ && !/\(/ { printf "%s ", $0; next } { print }' |
    sed -n 's/.*MILVUS_EXTERN[^(]*[ *]\(milvus_[a-z0-9_]*\)(.*/\1/p' |
    sort -u >"$TEST_TMP/declared"
comm -23 "$TEST_TMP/declared" "$TEST_TMP/exported" >"$TEST_TMP/missing"
if [ -s "$TEST_TMP/missing" ]; then
    tap_not_ok "every declared function is exported"
    sed 's/^/# declared but not exported: /' "$TEST_TMP/missing" | head -20
else
    tap_ok "every declared function is exported ($(wc -l <"$TEST_TMP/declared") declared)"
fi

# No internal mv_ helpers leak through the static archive's public names either.
if nm -D "$lib" | grep -q ' T mv_'; then
    tap_not_ok "no internal mv_* function is exported"
else
    tap_ok "no internal mv_* function is exported"
fi
tap_done
