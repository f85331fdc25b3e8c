#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# Every asynchronous operation of <milvus/client.h> and <milvus/snapshot.h>
# (a function taking a milvus_result_cb) has its blocking counterpart in
# <milvus/sync.h>, declared and exported.
. "$top_srcdir/tests/lib.sh"
inc="$top_srcdir/include/milvus"
ops=$(cat "$inc/client.h" "$inc/snapshot.h" | tr '\n' ' ' | tr ';' '\n' |
    grep 'milvus_result_cb' | sed 's/.*MILVUS_EXTERN//' | grep -o 'milvus_client_[a-z0-9_]*(' | tr -d '(' | sort -u)
[ -n "$ops" ] || tap_skip_all "no operations found in the headers"
lib="$top_builddir/.libs/libmilvus.so"
for op in $ops; do
    s=milvus_sync_${op#milvus_client_}
    if tr '\n' ' ' <"$inc/sync.h" | grep -q "MILVUS_EXTERN milvus_status *$s("; then
        if [ ! -f "$lib" ] || nm -D "$lib" 2>/dev/null | grep -q " T $s\$"; then
            tap_ok "$s"
        else
            tap_not_ok "$s declared but not exported by libmilvus.so"
        fi
    else
        tap_not_ok "$s missing from sync.h (blocking counterpart of $op)"
    fi
done
tap_plan "$TAP_N"
tap_done
