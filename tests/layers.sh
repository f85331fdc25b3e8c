#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# The source tree's layering: each folder of src/ is a layer and includes
# only its own headers and those of the layers below it, in this order:
#
#   wire < common < transport < call < api < sync < cli
#
# wire is the pure gRPC codec (no I/O, no state); common holds the options,
# status and the utilities both the transport and the call layer use (the
# options keep their metadata as the wire layer's list, hence above it).
# The transport also never names the call layer's objects: it reports to
# whoever opened a stream through its callbacks table only.
. "$top_srcdir/tests/lib.sh"

layers="wire common transport call api sync cli"
tap_plan 3

rank() { # layer -> position (0 when not a layer)
    i=1
    for l in $layers; do
        [ "$l" = "$1" ] && { echo $i; return; }
        i=$((i + 1))
    done
    echo 0
}

bad=
for l in $layers; do
    r=$(rank "$l")
    for f in "$top_srcdir"/src/"$l"/*.c "$top_srcdir"/src/"$l"/*.h; do
        [ -f "$f" ] || continue
        # #include "layer/file.h"
        for inc in $(sed -n 's/^[[:space:]]*#[[:space:]]*include[[:space:]]*"\([a-z_]*\)\/[^"]*".*/\1/p' "$f"); do
            ir=$(rank "$inc")
            if [ "$ir" -gt "$r" ]; then
                bad="$bad
${f#"$top_srcdir"/}: includes $inc/ (above $l)"
            fi
        done
    done
done
if [ -z "$bad" ]; then
    tap_ok "no file under src/ includes a header of a layer above its own"
else
    tap_not_ok "files include headers of a layer above their own"
    printf '%s\n' "$bad" | sed '/^$/d; s/^/# /'
fi

# Every folder of src/ is a known layer (a new one must be placed).
unknown=
for d in "$top_srcdir"/src/*/; do
    d=$(basename "$d")
    [ "$(rank "$d")" -gt 0 ] || unknown="$unknown $d"
done
if [ -z "$unknown" ]; then
    tap_ok "every folder of src/ has its place in the layer order"
else
    tap_not_ok "folders of src/ outside the layer order:$unknown"
fi

if grep -n 'mv_call\|milvus_channel\|call/' "$top_srcdir"/src/transport/*.h "$top_srcdir"/src/transport/*.c \
    >"$TEST_TMP/calls" 2>/dev/null; then
    tap_not_ok "the transport names the call layer"
    sed 's/^/# /' "$TEST_TMP/calls" | head -20
else
    tap_ok "the transport names neither mv_call nor milvus_channel"
fi
[ "$TAP_FAILED" -eq 0 ]
