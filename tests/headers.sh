#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# The public headers as users compile them: a program passing both natural
# spellings of a column array (`milvus_column *cols[]` and
# `const milvus_column *cols[]`, and NULL with no columns) to every write
# function builds without a warning under -Wall -Wextra -Werror as C99
# (also -pedantic), C11, gnu17 and C++11/C++17, with gcc and, when
# installed, clang; an array of anything else is refused at compile time.
. "$top_srcdir/tests/lib.sh"
CC=${CC:-cc}
CXX_CMD=${CXX:-c++}
inc="-I$top_builddir/include -I$top_srcdir/include"
src=$TEST_TMP/spellings.c
cat >"$src" <<'EOF'
#include <milvus/milvus.h>
#include <milvus/sync.h>

static void done(milvus_client *c, const milvus_result *r, void *ctx)
{
    (void)c;
    (void)r;
    (void)ctx;
}

int spellings(milvus_client *c, milvus_sync *s, const milvus_result *res, milvus_column *a,
              milvus_column *b);
int spellings(milvus_client *c, milvus_sync *s, const milvus_result *res, milvus_column *a,
              milvus_column *b)
{
    milvus_column *made[2];
    const milvus_column *taken[2];
    milvus_column **heap = &made[0];
    milvus_result *out = 0;
    int rc = 0;
    made[0] = a;
    made[1] = b;
    taken[0] = milvus_result_column_at(res, 0);
    taken[1] = milvus_result_column_at(res, 1);
    rc |= milvus_client_insert(c, "coll", made, 2, 0, done, 0);
    rc |= milvus_client_insert(c, "coll", taken, 2, 0, done, 0);
    rc |= milvus_client_upsert(c, "coll", heap, 2, 0, done, 0);
    rc |= milvus_client_upsert(c, "coll", taken, 2, 0, done, 0);
    rc |= milvus_client_insert(c, "coll", NULL, 0, 0, done, 0);
    rc |= milvus_sync_insert(s, "coll", made, 2, 0, &out);
    rc |= milvus_sync_insert(s, "coll", taken, 2, 0, &out);
    rc |= milvus_sync_upsert(s, "coll", made, 2, 0, &out);
    rc |= milvus_sync_upsert(s, "coll", taken, 2, 0, &out);
    return rc;
}
EOF
bad=$TEST_TMP/wrong.c
cat >"$bad" <<'EOF'
#include <milvus/milvus.h>
int wrong(milvus_client *c, int **cols);
int wrong(milvus_client *c, int **cols)
{
    return milvus_client_insert(c, "coll", cols, 2, 0, 0, 0);
}
EOF

set -- "$CC -std=c99" "$CC -std=c99 -pedantic" "$CC -std=c11 -pedantic" "$CC -std=gnu17"
command -v clang >/dev/null 2>&1 && set -- "$@" "clang -std=c99" "clang -std=c11 -pedantic"
ncc=$#
tap_plan $((ncc + 3))
compile() {
    # shellcheck disable=SC2086
    $1 -Wall -Wextra -Werror $inc -c -o "$TEST_TMP/o.o" "$2" >"$TEST_TMP/cc.log" 2>&1 || {
        sed 's/^/# /' "$TEST_TMP/cc.log" | head -n 15
        return 1
    }
}
for cc in "$@"; do
    tap_check "both column-array spellings build cleanly: $cc" compile "$cc" "$src"
done
cp "$src" "$TEST_TMP/spellings.cc"
for std in c++11 c++17; do
    tap_check "both column-array spellings build cleanly: $CXX_CMD -std=$std" \
        compile "$CXX_CMD -std=$std" "$TEST_TMP/spellings.cc"
done
# shellcheck disable=SC2086
if $CC -std=c11 -Wall -Wextra $inc -c -o "$TEST_TMP/w.o" "$bad" >"$TEST_TMP/bad.log" 2>&1; then
    tap_not_ok "an int ** passed as columns is refused at compile time"
else
    tap_ok "an int ** passed as columns is refused at compile time"
fi
[ "$TAP_FAILED" -eq 0 ]
