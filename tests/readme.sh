#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# Every C example in README, built as a user would build it and run.
#
# Blocks: a code block of README is a run of lines indented by four or
# more spaces (blank lines inside it included), ended by a non-blank line
# indented less.  A block is C when one of its lines contains
# `#include <milvus/` or a call of a libmilvus function (`milvus_...(`):
#   - the C block containing `pkg-config` states the link line: its line
#     starting with `cc ` names the source `prog.c`;
#   - a C block with a line starting with `int main(` is a complete
#     program, built as it stands; it must print search hits
#     (`id=N score=S`), as README's programs do;
#   - any other C block is a fragment.  It is wrapped in the harness of the
#     library function it calls (milvus_channel_unary,
#     milvus_client_insert, milvus_client_restore_snapshot_and_wait), which
#     declares what the fragment takes as given, runs the loop and checks
#     the fragment's effect.  A fragment that starts with a `static`
#     function keeps that function, through its first line `}`, at file
#     scope.  A fragment with no harness fails.
# A non-C block with a line that looks like C, or C-looking text outside
# any block, fails: an example is never skipped for not being recognised.
# The server address in the examples (any string literal
# "http[s]://...:19530") becomes the test server's.
#
# Each program and wrapped fragment is built with README's link line,
# `cc` replaced by each compiler (-Wall -Wextra -Werror): gcc as C99 and
# C11 (-pedantic), clang the same when installed, and c++ -x c++ as
# C++11, against the library installed with `make install DESTDIR=...`,
# and every build runs (timeout 30) against the test server prepared with
# collection "docs" (8-dim "embedding", 20 rows, index, loaded) and its
# snapshot "nightly" (made with the installed milvusctl).  README's
# milvusctl synopsis is compared with `milvusctl --help`.
# MILVUS_README names another README to check (default: the source tree's).
. "$top_srcdir/tests/lib.sh"
require_node_module @grpc/grpc-js
require_cmd pkg-config
require_cmd timeout coreutils
CC=${CC:-cc}
CXX_CMD=${CXX:-c++}
readme=${MILVUS_README:-$top_srcdir/README}
dest=$TEST_TMP/dest
work=$TEST_TMP/readme
mkdir -p "$work"

# ---- extraction ------------------------------------------------------------
# block.N: block N with its four spaces of indentation removed; index: one
# line "N FIRST-LINE" per block; stray: C-looking lines outside blocks.
awk -v dir="$work" '
function flush() {
    if (n > 0) {
        while (n > 0 && lines[n] ~ /^[ \t]*$/)
            n--
        nb++
        f = dir "/block." nb
        for (i = 1; i <= n; i++)
            print lines[i] > f
        close(f)
        print nb, first > (dir "/index")
    }
    n = 0
}
/^    / {
    if (n == 0)
        first = NR
    lines[++n] = substr($0, 5)
    next
}
/^[ \t]*$/ {
    if (n > 0)
        lines[++n] = ""
    next
}
{
    flush()
    if ($0 ~ /^(#include[ \t]*<|static |struct [A-Za-z_]+ \*|int main\(|})/ ||
        $0 ~ /^[A-Za-z_][A-Za-z0-9_]*\(.*\);$/ ||
        $0 ~ /^[A-Za-z_][A-Za-z0-9_ ]*[ *][A-Za-z_][A-Za-z0-9_]* = .*;$/)
        print NR ": " $0 > (dir "/stray")
}
END { flush() }
' "$readme"
: >>"$work/index"
: >>"$work/stray"

is_c() { grep -q -e '#include <milvus/' -e 'milvus_[a-z0-9_]*(' "$1"; }
looks_c() { grep -q -e ';$' -e '{$' -e '^ *}' -e '^ */\*' -e '^ *#include' "$1"; }
harness_of() {
    for h in milvus_channel_unary milvus_client_insert milvus_client_restore_snapshot_and_wait; do
        if grep -q "$h(" "$1"; then
            echo "$h"
            return
        fi
    done
}

nblocks=0 ncode=0 linkline= linkblocks=0
: >"$work/code"
while read -r b line; do
    nblocks=$((nblocks + 1))
    f=$work/block.$b
    if is_c "$f"; then
        if grep -q 'pkg-config' "$f"; then
            linkblocks=$((linkblocks + 1))
            linkline=$(grep '^cc ' "$f" | head -n 1)
        elif grep -q '^int main(' "$f"; then
            echo "$b $line program" >>"$work/code"
            ncode=$((ncode + 1))
        else
            echo "$b $line fragment" >>"$work/code"
            ncode=$((ncode + 1))
        fi
    elif head -n 1 "$f" | grep -q '^milvusctl '; then
        synopsis=$f
    elif looks_c "$f"; then
        echo "$line: a block that looks like C but is not recognised as C" >>"$work/stray"
    fi
done <"$work/index"

set -- "$CC -std=c99 -pedantic" "$CC -std=c11 -pedantic"
command -v clang >/dev/null 2>&1 && set -- "$@" "clang -std=c99 -pedantic" "clang -std=c11 -pedantic"
set -- "$@" "$CXX_CMD -x c++ -std=c++11"
ncc=$#
tap_plan $((6 + 2 * ncc * ncode))

if [ "$ncode" -gt 0 ] && [ ! -s "$work/stray" ]; then
    tap_ok "README: $nblocks code blocks, $ncode C examples (and the link line) extracted"
else
    tap_not_ok "README: $nblocks code blocks, $ncode C examples extracted, none unrecognised"
    sed 's/^/# README line /' "$work/stray"
fi
case $linkline in
cc\ *prog.c*)
    if [ "$linkblocks" -eq 1 ]; then
        tap_ok "README states one link line: $linkline"
    else
        tap_not_ok "README states one link line ($linkblocks blocks with pkg-config)"
    fi
    ;;
*)
    tap_not_ok "README states the link line as 'cc prog.c ...' (found '$linkline')"
    # shellcheck disable=SC2016
    linkline='cc prog.c $(pkg-config --cflags --libs libmilvus)'
    ;;
esac

# ---- the installed library -----------------------------------------------------
if ${MAKE:-make} -s -C "$top_builddir" install DESTDIR="$dest" >"$TEST_TMP/install.log" 2>&1; then
    tap_ok "make install DESTDIR=..."
else
    tap_not_ok "make install DESTDIR=..."
    tail -n 20 "$TEST_TMP/install.log" | sed 's/^/# /'
    exit 1
fi
pc=$(find "$dest" -name libmilvus.pc | head -n 1)
ctl=$(find "$dest" -path '*/bin/milvusctl' | head -n 1)
PKG_CONFIG_PATH=$(dirname "$pc")
PKG_CONFIG_SYSROOT_DIR=$dest
export PKG_CONFIG_PATH PKG_CONFIG_SYSROOT_DIR
libdir=$(dirname "$PKG_CONFIG_PATH")

# ---- milvusctl's synopsis --------------------------------------------------------
# README: the usage line(s) up to COMMAND, then one line per command group
# ("a | b" lists two), deeper-indented lines continuing the one before.
squeeze() { tr -s ' \t' '  ' | sed 's/^ //; s/ $//'; }
if [ -n "${synopsis:-}" ]; then
    awk '
    function group(g, n, i, part) {
        n = split(g, part, / \| /)
        for (i = 1; i <= n; i++)
            print part[i]
    }
    head && /^  [^ ]/ { if (cur != "") group(cur); cur = $0; next }
    head { cur = cur " " $0; next }
    { usage = usage " " $0; if ($0 ~ /COMMAND/) { print usage; head = 1 } }
    END { if (cur != "") group(cur) }
    ' "$synopsis" | squeeze >"$work/synopsis.readme"
fi
LD_LIBRARY_PATH=$libdir "$ctl" --help 2>&1 | awk '
    /^usage:/ { sub(/^usage: /, ""); u = $0; cont = 1; next }
    cont && /^  +\[/ { u = u " " $0; next }
    cont { sub(/ \[ARGS\]$/, "", u); print u; cont = 0 }
    /^Commands:/ { cmds = 1; next }
    cmds && /^$/ { cmds = 0 }
    cmds { print }
' | squeeze | sed 's/ \[ARGS\]$//' >"$work/synopsis.help"
if [ -s "$work/synopsis.help" ] && [ -s "$work/synopsis.readme" ] &&
    cmp -s "$work/synopsis.readme" "$work/synopsis.help"; then
    tap_ok "README's milvusctl synopsis is milvusctl --help's ($(wc -l <"$work/synopsis.help") lines)"
else
    tap_not_ok "README's milvusctl synopsis is milvusctl --help's"
    diff "$work/synopsis.readme" "$work/synopsis.help" 2>&1 | sed 's/^/# /' | head -n 20
fi

# ---- the test server, prepared as the examples expect -----------------------------
portfile=$TEST_TMP/server.port
NODE_PATH=${NODE_PATH:-$top_srcdir/node_modules} "$NODE" "$top_srcdir/tests/server/server.js" \
    --port 0 --port-file "$portfile" --index-ms 50 --load-ms 50 --restore-ms 300 \
    >"$TEST_TMP/server.log" 2>&1 &
server=$!
trap 'kill $server 2>/dev/null; _cleanup' EXIT
wait_for_file "$portfile" 30 || { tap_not_ok "the test server did not start"; exit 1; }
uri="http://127.0.0.1:$(cat "$portfile")"

cat >"$work/prep.c" <<'EOF'
/* prep URI setup: collection "docs" (int64 "id", 8-dim "embedding"),
 * 20 rows, an index, loaded.  prep URI drop NAME: drops a collection. */
#include <milvus/milvus.h>
#include <milvus/sync.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static int ok(milvus_sync *s, int rc, milvus_result *res, const char *what)
{
    if (rc != MILVUS_OK)
        fprintf(stderr, "%s: %s\n", what,
                res ? milvus_result_message(res) : milvus_sync_last_error(s));
    milvus_result_unref(res);
    return rc == MILVUS_OK;
}

static int setup(milvus_sync *s)
{
    milvus_schema *schema = NULL;
    milvus_field *id = NULL, *vec = NULL;
    milvus_column *cols[2] = {NULL, NULL};
    milvus_index_options *io = milvus_index_options_new();
    milvus_result *res = NULL;
    int64_t ids[20];
    float v[20 * 8];
    int good = 0;
    for (int i = 0; i < 20; i++) {
        ids[i] = i;
        for (int j = 0; j < 8; j++)
            v[i * 8 + j] = (float)((i * 7 + j * 3) % 11) / 10.0f;
    }
    if (milvus_schema_new(&schema, "docs") || milvus_field_new(&id, "id", MILVUS_TYPE_INT64) ||
        milvus_field_set_primary_key(id, 1) ||
        milvus_field_new(&vec, "embedding", MILVUS_TYPE_FLOAT_VECTOR) ||
        milvus_field_set_dim(vec, 8) || milvus_schema_add_field(schema, id) ||
        milvus_schema_add_field(schema, vec) ||
        milvus_column_new_int64(&cols[0], "id", ids, 20) ||
        milvus_column_new_float_vector(&cols[1], "embedding", 8, v, 20) || !io ||
        milvus_index_options_set_type(io, "AUTOINDEX") ||
        milvus_index_options_set_metric(io, "L2")) {
        fprintf(stderr, "setup: out of memory\n");
        goto out;
    }
    if (!ok(s, milvus_sync_create_collection(s, "docs", schema, NULL, &res), res, "create") ||
        !ok(s, milvus_sync_insert(s, "docs", cols, 2, NULL, &res), res, "insert") ||
        !ok(s, milvus_sync_create_index(s, "docs", "embedding", io, &res), res, "index") ||
        !ok(s, milvus_sync_load_collection(s, "docs", NULL, &res), res, "load"))
        goto out;
    for (int tries = 0; tries < 300 && !good; tries++) {
        int rc = milvus_sync_get_load_state(s, "docs", &res);
        good = rc == MILVUS_OK && milvus_result_int64(res) == MILVUS_LOAD_STATE_LOADED;
        if (!ok(s, rc, res, "load state"))
            break;
        if (!good)
            usleep(100000);
    }
out:
    milvus_field_free(id);
    milvus_field_free(vec);
    milvus_schema_free(schema);
    milvus_column_free(cols[0]);
    milvus_column_free(cols[1]);
    milvus_index_options_free(io);
    return good;
}

int main(int argc, char **argv)
{
    milvus_options *o = milvus_options_new();
    milvus_sync *s = NULL;
    milvus_result *res = NULL;
    int good = 0;
    if (argc < 3 || milvus_options_set_uri(o, argv[1]) || milvus_sync_new(&s, o))
        fprintf(stderr, "usage: prep URI setup | prep URI drop COLLECTION\n");
    else if (strcmp(argv[2], "setup") == 0)
        good = setup(s);
    else if (strcmp(argv[2], "drop") == 0 && argc == 4)
        good = ok(s, milvus_sync_drop_collection(s, argv[3], &res), res, "drop");
    milvus_sync_free(s);
    milvus_options_free(o);
    return !good;
}
EOF
prepare() {
    # shellcheck disable=SC2046
    $CC -Wall -Wextra -Werror -o "$work/prep" "$work/prep.c" $(pkg-config --cflags --libs libmilvus) &&
        LD_LIBRARY_PATH=$libdir "$work/prep" "$uri" setup &&
        LD_LIBRARY_PATH=$libdir "$ctl" --uri "$uri" snapshot create docs nightly
}
tap_check "the test server holds docs (8-dim embedding, 20 rows, loaded) and its snapshot nightly" \
    prepare

# ---- harnesses for the fragments ----------------------------------------------------
# harness_pre H: file scope before the fragment's own; harness_setup H: the
# start of main(); harness_finish H: after the fragment, to the end of
# main(); harness_expect H: what the output must show.
harness_pre() {
    echo '#include <milvus/milvus.h>'
    echo '#include <event2/event.h>'
    echo '#include <stdio.h>'
    case $1 in
    milvus_client_insert)
        cat <<'EOF'
struct batch {
    float vectors[4 * 8];
    size_t rows;
    milvus_column **cols;
    int inserted;
};

static void on_inserted(milvus_client *c, const milvus_result *res, void *ctx)
{
    struct batch *b = (struct batch *)ctx;
    if (milvus_result_status(res) == MILVUS_OK)
        b->inserted = (int)milvus_result_insert_count(res);
    else
        fprintf(stderr, "%s\n", milvus_result_message(res));
    printf("inserted %d rows\n", b->inserted);
    milvus_column_free(b->cols[0]);
    milvus_column_free(b->cols[1]);
    milvus_client_close(c, NULL, NULL);
}
EOF
        ;;
    milvus_client_restore_snapshot_and_wait)
        cat <<'EOF'
static int restored;

static void on_progress(milvus_client *c, int64_t progress, const milvus_result *res,
                        void *ctx)
{
    (void)c;
    (void)ctx;
    printf("progress %d%% (%s)\n", (int)progress,
           milvus_job_state_name(milvus_result_job_state(res, 0)));
}

static void on_restored(milvus_client *c, const milvus_result *res, void *ctx)
{
    (void)ctx;
    if (milvus_result_status(res) == MILVUS_OK) {
        restored = 1;
        printf("restored: job %lld\n", (long long)milvus_result_job_id(res, 0));
    } else {
        fprintf(stderr, "%s\n", milvus_result_message(res));
    }
    milvus_client_close(c, NULL, NULL);
}
EOF
        ;;
    esac
}
harness_setup() {
    echo 'int main(void)'
    echo '{'
    echo '    struct event_base *base = event_base_new();'
    case $1 in
    milvus_channel_unary)
        cat <<'EOF'
    const void *req = NULL; /* GetVersionRequest{}: no bytes */
    size_t req_len = 0;
    void *ctx = NULL;
    milvus_call_id call_id = 0;
EOF
        ;;
    *)
        cat <<'EOF'
    milvus_options *opts = milvus_options_new();
    milvus_options_set_uri(opts, "http://localhost:19530");
    milvus_client *c;
    if (milvus_client_new(&c, base, opts) != MILVUS_OK)
        return 1;
    milvus_options_free(opts);
EOF
        ;;
    esac
    if [ "$1" = milvus_client_insert ]; then
        cat <<'EOF'
    static struct batch one;
    struct batch *batch = &one;
    milvus_column *cols[2];
    int64_t ids[4] = {1000, 1001, 1002, 1003};
    for (int i = 0; i < 4 * 8; i++)
        batch->vectors[i] = (float)i / 32.0f;
    batch->rows = 4;
    batch->cols = cols;
    if (milvus_column_new_int64(&cols[0], "id", ids, 4) != MILVUS_OK)
        return 1;
EOF
    fi
}
harness_finish() {
    case $1 in
    milvus_channel_unary)
        cat <<'EOF'
    while (milvus_channel_pending(ch) > 0)
        event_base_loop(base, EVLOOP_ONCE);
    milvus_channel_free(ch);
    event_base_free(base);
    return call_id == 0;
}
EOF
        ;;
    milvus_client_insert)
        cat <<'EOF'
    event_base_dispatch(base);
    milvus_client_free(c);
    event_base_free(base);
    return batch->inserted != 4;
}
EOF
        ;;
    milvus_client_restore_snapshot_and_wait)
        cat <<'EOF'
    printf("await %llu\n", (unsigned long long)await_id);
    event_base_dispatch(base);
    milvus_client_free(c);
    event_base_free(base);
    return !restored;
}
EOF
        ;;
    esac
}
harness_expect() {
    case $1 in
    milvus_channel_unary) echo '^success: [1-9][0-9]* bytes$' ;;
    milvus_client_insert) echo '^inserted 4 rows$' ;;
    milvus_client_restore_snapshot_and_wait) echo '^restored: job [0-9]' ;;
    *) echo '^id=[0-9][0-9]* score=[-0-9.]*$' ;;
    esac
}

# make_source BLOCK LINE KIND OUT: the program to build, with #line
# directives naming README's lines; prints the harness used (none for a
# program).
with_server() {
    sed 's|"https\{0,1\}://[^"]*:19530"|"'"$uri"'"|g'
}
make_source() {
    if [ "$3" = program ]; then
        { echo "#line $2 \"README\""; with_server <"$1"; } >"$4"
        echo program
        return
    fi
    h=$(harness_of "$1")
    [ -n "$h" ] || return 1
    if head -n 1 "$1" | grep -q '^static '; then
        split=$(grep -n '^}' "$1" | head -n 1 | cut -d: -f1)
    else
        split=0
    fi
    {
        harness_pre "$h"
        if [ "$split" -gt 0 ]; then
            echo "#line $2 \"README\""
            sed -n "1,${split}p" "$1"
        fi
        harness_setup "$h" | with_server
        echo "#line $(($2 + split)) \"README\""
        sed -n "$((split + 1)),\$p" "$1" | with_server
        echo '#line 1 "harness"'
        harness_finish "$h"
    } >"$4"
    echo "$h"
}

# ---- build and run ---------------------------------------------------------------------
# build CC SRC OUT: README's link line with cc replaced by CC.
build() {
    cmd="$1 -Wall -Wextra -Werror -o '$3' ${linkline#cc }"
    cmd=$(printf '%s\n' "$cmd" | sed "s|prog\\.c|'$2'|")
    eval "$cmd" >"$3.log" 2>&1 || {
        sed 's/^/# /' "$3.log" | head -n 15
        return 1
    }
}
run() { # EXE EXPECT
    LD_LIBRARY_PATH=$libdir timeout 30 "$1" >"$1.out" 2>&1
    rc=$?
    if [ $rc -eq 0 ] && grep -q "$2" "$1.out"; then
        return 0
    fi
    echo "# exit $rc$([ $rc -eq 124 ] && echo ' (timed out: the loop did not return)')"
    head -n 10 "$1.out" | sed 's/^/# /'
    return 1
}

while read -r b line kind; do
    src=$work/ex$b.c
    h=$(make_source "$work/block.$b" "$line" "$kind" "$src") || h=
    case $h in
    program) what="README line $line (program)" ;;
    *) what="README line $line (fragment${h:+ in the $h harness})" ;;
    esac
    k=0
    for cc in "$@"; do
        k=$((k + 1))
        exe=$work/ex$b-$k
        if [ -z "$h" ]; then
            tap_not_ok "$what builds with $cc: no harness for this fragment"
            tap_not_ok "$what runs ($cc): not built"
            continue
        fi
        if build "$cc" "$src" "$exe"; then
            tap_ok "$what builds with $cc -Wall -Wextra -Werror"
        else
            tap_not_ok "$what builds with $cc -Wall -Wextra -Werror"
            tap_not_ok "$what runs ($cc): not built"
            continue
        fi
        if run "$exe" "$(harness_expect "$h")"; then
            tap_ok "$what runs and ends with status 0 ($cc): $(grep -c "$(harness_expect "$h")" "$exe.out") result lines"
        else
            tap_not_ok "$what runs and ends with status 0 ($cc)"
        fi
        if [ "$h" = milvus_client_restore_snapshot_and_wait ]; then
            LD_LIBRARY_PATH=$libdir "$work/prep" "$uri" drop docs_restored >/dev/null 2>&1
        fi
    done
done <"$work/code"

# The server stayed up throughout.
if kill -0 "$server" 2>/dev/null; then
    tap_ok "the test server is still up"
else
    tap_not_ok "the test server is still up"
    tail -n 10 "$TEST_TMP/server.log" | sed 's/^/# /'
fi
tap_done
