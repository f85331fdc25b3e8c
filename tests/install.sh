#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# What `make install` gives a user: the headers, the libraries, the
# pkg-config file, milvusctl and its page, README, NEWS and LICENSE under
# $(docdir); examples/quickstart.c built with the pkg-config link line
# against the installed library, dynamically and fully statically
# (`pkg-config --static`), and both run against the test server.
. "$top_srcdir/tests/lib.sh"
require_node_module @grpc/grpc-js
require_cmd pkg-config
CC=${CC:-cc}
dest=$TEST_TMP/dest
tap_plan 8
if ${MAKE:-make} -s -C "$top_builddir" install DESTDIR="$dest" >"$TEST_TMP/install.log" 2>&1; then
    tap_ok "make install DESTDIR=..."
else
    tap_not_ok "make install DESTDIR=..."
    tail -n 20 "$TEST_TMP/install.log" | sed 's/^/# /'
    exit 1
fi
pc=$(find "$dest" -name libmilvus.pc | head -n 1)
doc=$(find "$dest" -type d -path '*/doc/libmilvus' | head -n 1)
if [ -n "$doc" ] && [ -f "$doc/LICENSE" ] && [ -f "$doc/README" ] && [ -f "$doc/NEWS" ]; then
    tap_ok "README, NEWS and LICENSE in \$(docdir)"
else
    tap_not_ok "README, NEWS and LICENSE in \$(docdir) ($doc)"
fi
if [ -n "$(find "$dest" -name milvusctl.1)" ] && [ -n "$(find "$dest" -name milvus.h -path '*/milvus/*')" ]; then
    tap_ok "milvusctl.1 and <milvus/milvus.h> installed"
else
    tap_not_ok "milvusctl.1 and <milvus/milvus.h> installed"
fi
PKG_CONFIG_PATH=$(dirname "$pc")
PKG_CONFIG_SYSROOT_DIR=$dest
export PKG_CONFIG_PATH PKG_CONFIG_SYSROOT_DIR
libdir=$(dirname "$PKG_CONFIG_PATH")
# shellcheck disable=SC2046
if $CC -o "$TEST_TMP/qs" "$top_srcdir/examples/quickstart.c" $(pkg-config --cflags --libs libmilvus) \
    >"$TEST_TMP/cc.log" 2>&1; then
    tap_ok "quickstart builds with pkg-config --cflags --libs libmilvus"
else
    tap_not_ok "quickstart builds with pkg-config --cflags --libs libmilvus"
    sed 's/^/# /' "$TEST_TMP/cc.log" | tail -n 15
fi
# glibc warns that a static getaddrinfo needs its shared NSS modules: that
# is glibc's rule, not a link failure.
# shellcheck disable=SC2046
if $CC -static -o "$TEST_TMP/qs-static" "$top_srcdir/examples/quickstart.c" \
    $(pkg-config --cflags libmilvus) $(pkg-config --static --libs libmilvus) \
    >"$TEST_TMP/cc-static.log" 2>&1; then
    tap_ok "quickstart links statically with pkg-config --static --libs libmilvus"
else
    tap_not_ok "quickstart links statically with pkg-config --static --libs libmilvus"
    grep -v 'statically linked applications requires at runtime' "$TEST_TMP/cc-static.log" |
        sed 's/^/# /' | tail -n 15
fi

# both run against the test server
portfile=$TEST_TMP/server.port
NODE_PATH=${NODE_PATH:-$top_srcdir/node_modules} "$NODE" "$top_srcdir/tests/server/server.js" \
    --port 0 --port-file "$portfile" --index-ms 50 --load-ms 50 >"$TEST_TMP/server.log" 2>&1 &
server=$!
trap 'kill $server 2>/dev/null; _cleanup' EXIT
wait_for_file "$portfile" 30 || { tap_not_ok "the test server did not start"; exit 1; }
uri="http://127.0.0.1:$(cat "$portfile")"
if LD_LIBRARY_PATH=$libdir "$TEST_TMP/qs" "$uri" --rows 20 >"$TEST_TMP/qs.out" 2>&1 &&
    grep -q '^count' "$TEST_TMP/qs.out"; then
    tap_ok "the dynamically linked quickstart runs against the installed library"
else
    tap_not_ok "the dynamically linked quickstart runs against the installed library"
    tail -n 10 "$TEST_TMP/qs.out" | sed 's/^/# /'
fi
if [ -x "$TEST_TMP/qs-static" ] && "$TEST_TMP/qs-static" "$uri" --rows 20 >"$TEST_TMP/qss.out" 2>&1 &&
    grep -q '^count' "$TEST_TMP/qss.out"; then
    tap_ok "the static quickstart runs"
else
    tap_not_ok "the static quickstart runs"
    tail -n 10 "$TEST_TMP/qss.out" 2>/dev/null | sed 's/^/# /'
fi
if LD_LIBRARY_PATH=$libdir ldd "$TEST_TMP/qs" 2>/dev/null | grep -q "$libdir/libmilvus.so"; then
    tap_ok "the dynamic build uses the installed libmilvus.so"
else
    tap_not_ok "the dynamic build uses the installed libmilvus.so"
    ldd "$TEST_TMP/qs" 2>&1 | sed 's/^/# /' | head
fi
