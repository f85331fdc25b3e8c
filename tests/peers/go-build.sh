#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# go-build.sh OUT PACKAGE CACHE_DIR: builds one Go program of the test
# module (tests/go.mod, tests/go.sum) into OUT, e.g.
#   go-build.sh build/tests/peers/go-bin/interop-server ./peers/go build/tests/peers/go-cache
# Modules come from the Go module proxy into the user's module cache (once
# per machine; `.ci/setup` fills it); the build cache lives in CACHE_DIR in
# the build tree (MILVUS_GO_CACHE, when set, names one shared by several
# build trees, as CI's later passes do).  The source tree is only read (-mod=readonly: go.sum must
# be complete), so this works from a read-only distcheck tree.  The
# machine's own Go is used as it is (GOTOOLCHAIN=local).  Rebuilds only
# when a .go file or go.sum is newer than OUT.  Prints the build log on
# failure.
set -u
out=$1 pkg=$2 cache=${MILVUS_GO_CACHE:-$3}
here=$(cd "$(dirname "$0")" && pwd)
mod=$(dirname "$here")            # tests/
GO=${GO:-$(command -v go)}
[ -n "$GO" ] || { echo "go-build.sh: go not found" >&2; exit 127; }
if [ -x "$out" ] && [ -z "$(find "$mod/${pkg#./}" "$mod/peers/go/rawcodec" "$mod/go.sum" "$mod/go.mod" -maxdepth 1 \
    \( -name '*.go' -o -name go.sum -o -name go.mod \) -newer "$out" 2>/dev/null)" ]; then
    exit 0
fi
mkdir -p "$(dirname "$out")" "$cache" || exit 1
log=$(mktemp) || exit 1
# Parallel test scripts may build the same program: serialise on a lock,
# build to a temporary name and rename into place.
(
    flock 9 || exit 1
    cd "$mod" && GOTOOLCHAIN=local GOFLAGS=-mod=readonly GOCACHE="$cache" \
        "$GO" build -o "$out.tmp.$$" "$pkg" && mv -f "$out.tmp.$$" "$out"
) 9>"$(dirname "$out")/.lock-$(basename "$out")" >"$log" 2>&1
rc=$?
[ $rc -eq 0 ] || sed 's/^/# go build: /' "$log" | tail -n 30 >&2
rm -f "$log" "$out.tmp.$$"
exit $rc
