#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# Every source, header, script and build file of the tree carries the SPDX
# licence line near its top, and the licence itself ships (LICENSE, in the
# tarball and in $(docdir) by make install).  Works on a git checkout and
# on an unpacked release tarball alike (it walks the source tree; what the
# build generates, protobuf-c output and config.h, is not source).
. "$top_srcdir/tests/lib.sh"
tap_plan 2
if [ -f "$top_srcdir/LICENSE" ] && grep -q "Apache License" "$top_srcdir/LICENSE" &&
    grep -q "Version 2.0, January 2004" "$top_srcdir/LICENSE"; then
    tap_ok "LICENSE is the Apache License 2.0"
else
    tap_not_ok "LICENSE is missing or not the Apache License 2.0"
fi
missing=$TEST_TMP/missing
(
    cd "$top_srcdir" &&
        find . \( -name node_modules -o -name .git -o -name 'build*' -o -name autom4te.cache \
            -o -name corpus -o -name latest -o -name 'libmilvus-*' -o -name venv \
            -o -name _build -o -name 'milvus-bin' \) -prune -o \
            -name '*.pb-c.[ch]' -prune -o -name config.h -prune -o \
            -type f \( -name '*.c' -o -name '*.h' -o -name '*.cc' -o -name '*.js' -o -name '*.go' \
            -o -name '*.proto' -o -name '*.py' -o -name '*.sh' -o -name '*.mk' -o -name Makefile.am \
            -o -name configure.ac -o -name '*.1' -o -name go.mod -o -name requirements.txt \) -print |
        while IFS= read -r f; do
            head -n 3 "$f" | grep -q 'SPDX-License-Identifier: Apache-2.0' || echo "$f"
        done
) >"$missing"
if [ -s "$missing" ]; then
    tap_not_ok "every source file has an SPDX line ($(wc -l <"$missing") without)"
    sed 's/^/# no SPDX line: /' "$missing" | head -n 40
else
    tap_ok "every source file has an SPDX line"
fi
