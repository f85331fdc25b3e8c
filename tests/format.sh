#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# The C sources and headers of the tree match .clang-format.  The tree is
# formatted with clang-format 14 (Debian 12's, installed by .ci/setup);
# other major versions format some constructs differently, so they are
# not asked.
. "$top_srcdir/tests/lib.sh"
CLANG_FORMAT=${CLANG_FORMAT:-clang-format}
if ! command -v "$CLANG_FORMAT" >/dev/null 2>&1; then
    tap_plan 1
    tap_not_ok "the sources match .clang-format # clang-format is not installed (sh .ci/setup installs it)"
    exit 0
fi
major=$("$CLANG_FORMAT" --version | sed -n 's/.*version \([0-9]*\)\..*/\1/p')
[ "$major" = 14 ] || tap_skip_all "clang-format $major: the tree is formatted with clang-format 14"
tap_plan 1
list=$TEST_TMP/files
(
    cd "$top_srcdir" &&
        find src include tests examples \( -name node_modules -o -name 'build*' -o -name corpus \
            -o -name venv -o -name 'milvus-bin' \) -prune -o \
            -name '*.pb-c.[ch]' -prune -o -type f \( -name '*.c' -o -name '*.h' \) -print | sort
) >"$list"
bad=$TEST_TMP/bad
: >"$bad"
while IFS= read -r f; do
    (cd "$top_srcdir" && "$CLANG_FORMAT" --dry-run --Werror "$f" >/dev/null 2>&1) || echo "$f" >>"$bad"
done <"$list"
if [ -s "$bad" ]; then
    tap_not_ok "the sources match .clang-format ($(wc -l <"$bad") files do not)"
    sed 's/^/# not formatted: /' "$bad" | head -n 40
    echo "# fix: clang-format -i FILE"
else
    tap_ok "the sources match .clang-format ($(wc -l <"$list") files)"
fi
