#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# milvusctl against the Milvus-protocol test server (or $MILVUS_URI, where
# the fault-injection checks are skipped, and MILVUSCTL_SNAPSHOTS=0 leaves
# out the snapshot commands): every command, outputs, --json
# (parsed with node), exit codes 0/1/2, --help, unreachable and silent
# servers, authentication failure, the TTY progress bar (under script(1))
# and the line-per-change progress.
. "$top_srcdir/tests/lib.sh"

M="$top_builddir/src/cli/milvusctl"
[ -x "$M" ] || tap_skip_all "milvusctl not built"
require_node_module @grpc/grpc-js
require_node_module @zilliz/milvus2-sdk-node
require_cmd script bsdutils
NODE=${NODE:-node}
export NODE_PATH="${NODE_PATH:-$top_srcdir/node_modules}"
CTL="$top_srcdir/tests/snapshot/ctl.js"

start_server() { # PORTFILE ARGS... -> sets nothing; waits for the port
    pf=$1
    shift
    "$NODE" "$top_srcdir/tests/server/server.js" --port 0 --port-file "$pf" "$@" >/dev/null 2>&1 &
    wait_for_file "$pf" 60
}

local_server=0
if [ -n "${MILVUS_URI:-}" ]; then
    URI=$MILVUS_URI
    ADDR=$(printf '%s' "$URI" | sed 's|^[a-z]*://||; s|/.*||')
else
    start_server "$TEST_TMP/port" --restore-ms 2000 --export-ms 600 || tap_skip_all "the test server did not start"
    ADDR="127.0.0.1:$(cat "$TEST_TMP/port")"
    URI="http://$ADDR"
    local_server=1
fi
export MILVUS_URI="$URI"

C=ctl_src_$$
T1=ctl_t1_$$
T2=ctl_t2_$$
T3=ctl_t3_$$
T4=ctl_t4_$$
"$NODE" "$CTL" "$ADDR" setup "$C" >"$TEST_TMP/setup.log" 2>&1 || {
    cat "$TEST_TMP/setup.log" | sed 's/^/# /'
    tap_skip_all "could not create the test collection"
}

out="$TEST_TMP/out"
err="$TEST_TMP/err"
# run EXPECTED-EXIT DESCRIPTION ARGS...: runs milvusctl, checks the exit status
run() {
    want=$1
    desc=$2
    shift 2
    "$M" "$@" >"$out" 2>"$err"
    rc=$?
    if [ "$rc" -eq "$want" ]; then
        tap_ok "$desc (exit $rc)"
    else
        tap_not_ok "$desc (exit $rc, wanted $want)"
        sed 's/^/# out: /' "$out" | head -10
        sed 's/^/# err: /' "$err" | head -10
    fi
}
# json DESCRIPTION JS-EXPRESSION: evaluates the expression on the JSON document
# in $out (bound to d); ok when it is true.
json() {
    if "$NODE" -e '
        const fs = require("fs");
        const d = JSON.parse(fs.readFileSync(process.argv[1], "utf8"));
        const ok = (function (d) { return eval(process.argv[2]); })(d);
        if (!ok) { console.error("false: " + process.argv[2] + " on " + JSON.stringify(d)); process.exit(1); }
    ' "$out" "$2" 2>"$TEST_TMP/json.err"; then
        tap_ok "$1"
    else
        tap_not_ok "$1"
        sed 's/^/# /' "$TEST_TMP/json.err" | head -5
    fi
}
# has FILE DESCRIPTION PATTERN: grep -E in a file
has() {
    if grep -Eq -- "$3" "$1"; then tap_ok "$2"; else
        tap_not_ok "$2"
        sed 's/^/# /' "$1" | head -10
    fi
}
lines() { wc -l <"$1" | tr -d ' '; }
one_line() { # DESCRIPTION: stderr is exactly one line
    if [ "$(lines "$err")" = 1 ]; then tap_ok "$1"; else
        tap_not_ok "$1 ($(lines "$err") lines)"
        sed 's/^/# /' "$err" | head -10
    fi
}

# ---- help and usage errors ----------------------------------------------------------
run 0 "--help" --help
has "$out" "--help lists the commands" "snapshot restore-external"
# --version: its own and the library's, without a server (--uri nowhere)
run 0 "--version" --uri http://127.0.0.1:1 --version
has "$out" "--version names milvusctl and libmilvus" "^milvusctl [0-9]+\.[0-9]+\.[0-9]+$"
has "$out" "--version names the libmilvus it runs with" "^libmilvus [0-9]+\.[0-9]+\.[0-9]+$"
run 0 "--json --version" --json --version
json "--json --version is one object" 'd.milvusctl && d.libmilvus === d.milvusctl'

run 0 "snapshot --help" snapshot --help
has "$out" "snapshot --help lists snapshot commands only" "snapshot export-job"
run 0 "collection --help" collection --help
has "$out" "collection --help" "collection describe"
for cmd in "version" "health" "collection list" "collection describe" "snapshot create" \
    "snapshot drop" "snapshot list" "snapshot describe" "snapshot restore" "snapshot jobs" \
    "snapshot job" "snapshot export" "snapshot export-job" "snapshot restore-external" \
    "snapshot pin" "snapshot unpin"; do
    # shellcheck disable=SC2086
    "$M" $cmd --help >"$out" 2>"$err"
    if [ $? -eq 0 ] && grep -q "usage: milvusctl .*$cmd" "$out"; then tap_ok "$cmd --help"; else tap_not_ok "$cmd --help"; fi
done
run 0 "snapshot restore --help shows its options" snapshot restore --help
has "$out" "restore options listed" "--target-db DB.*--rewrite-data.*--wait"

usage_case() { # DESCRIPTION ARGS...: exit 2, usage on stderr, nothing on stdout
    d=$1
    shift
    run 2 "bad args: $d" "$@"
    if grep -q "usage: milvusctl" "$err" && [ ! -s "$out" ]; then tap_ok "bad args: $d: usage on stderr"; else tap_not_ok "bad args: $d: usage on stderr"; fi
}
usage_case "no command"
usage_case "unknown command" frobnicate
usage_case "group without subcommand" snapshot
usage_case "unknown subcommand" snapshot frobnicate
usage_case "missing argument" snapshot create "$C"
usage_case "too many arguments" snapshot drop a b c
usage_case "unknown option" snapshot list --bogus
usage_case "option of another command" version --wait
usage_case "option without value" snapshot create "$C" s --description
usage_case "bad --timeout" --timeout abc version
usage_case "bad --protect" snapshot create "$C" s --protect -3
usage_case "token and user" --token t --user u --password p version
usage_case "user without password" --user u version
usage_case "bad job id" snapshot job notanumber
usage_case "bad pin id" snapshot unpin 0

# ---- version, health, collections ----------------------------------------------------------
run 0 "version" version
has "$out" "version prints the server version" "^server "
run 0 "version --json" --json version
json "version JSON" 'd.server_version.length > 0 && d.client_version.length > 0'
run 0 "health" health
has "$out" "healthy" "^healthy"
run 0 "health --json" health --json
json "health JSON" 'd.healthy === true && Array.isArray(d.reasons)'
run 0 "collection list" collection list
has "$out" "collection list names the collection" "^$C\$"
run 0 "collection list --json" --json collection list
json "collection list JSON" "d.collections.includes('$C')"
run 0 "collection describe" collection describe "$C"
has "$out" "collection describe shows the vector field" "vec +FloatVector dim=8"
run 0 "collection describe --json" --json collection describe "$C"
json "collection describe JSON" "d.name === '$C' && d.fields.length === 2 && d.fields[0].primary_key === true && d.fields[1].type === 'FloatVector' && d.fields[1].dim === 8 && /^[0-9]+\$/.test(d.id)"
run 1 "describe a missing collection" collection describe "no_such_$$"
one_line "missing collection: one line on stderr"

# ---- snapshots ----------------------------------------------------------------------------------
# MILVUSCTL_SNAPSHOTS=0 (tests/real, servers without snapshots) leaves them out.
if [ "${MILVUSCTL_SNAPSHOTS:-1}" = 1 ]; then
DESC='tricky "quotes" \back\slash	tab
newline'
run 0 "snapshot create with description and protection" snapshot create "$C" s1 --description "$DESC" --protect 60
has "$out" "create confirms" "snapshot s1 of $C created"
run 0 "snapshot create --json" --json snapshot create "$C" s2
json "create JSON" "d.created === true && d.snapshot === 's2' && d.collection === '$C'"
run 0 "snapshot describe --json" snapshot describe "$C" s1 --json
json "describe JSON fields, escaped description round-trips" "d.name === 's1' && d.collection === '$C' && d.description === 'tricky \"quotes\" \\\\back\\\\slash\\ttab\\nnewline' && d.partitions[0] === '_default' && /^[0-9]+\$/.test(d.create_ts) && BigInt(d.create_ts) > 0n"
run 0 "snapshot describe" snapshot describe "$C" s2
has "$out" "describe text" "create_ts: +[0-9]+"
run 0 "snapshot list COLLECTION" snapshot list "$C"
if [ "$(cat "$out" | tr '\n' ' ')" = "s1 s2 " ]; then tap_ok "list prints s1 and s2"; else tap_not_ok "list prints s1 and s2: $(cat "$out")"; fi
run 0 "snapshot list --json" --json snapshot list "$C"
json "list JSON" "d.collection === '$C' && d.snapshots.length === 2 && d.snapshots.includes('s1')"
run 1 "snapshot list without a collection" snapshot list
has "$err" "list without a collection: the server's reason" "collection_name is required"
run 1 "describe a missing snapshot" snapshot describe "$C" nope
one_line "missing snapshot: one line"
has "$err" "missing snapshot: the server's reason" "snapshot not found"

# restore without --wait: a job id, then job, then job --wait (not a terminal)
run 0 "snapshot restore" snapshot restore "$C" s1 "$T1"
JOB=$(cat "$out")
if printf '%s' "$JOB" | grep -Eq '^[0-9]+$'; then tap_ok "restore prints the job id"; else tap_not_ok "restore prints the job id: $JOB"; fi
run 0 "snapshot job --wait (not a terminal)" snapshot job "$JOB" --wait
has "$err" "one progress line per change" "^restore job $JOB: (Pending|Executing) [0-9]+%\$"
has "$err" "the last progress line is Completed 100%" "^restore job $JOB: Completed 100%\$"
if ! grep -q "$(printf '\r')" "$err"; then tap_ok "no carriage returns off a terminal"; else tap_not_ok "no carriage returns off a terminal"; fi
n=$(grep -c "^restore job" "$err")
u=$(sort -u "$err" | grep -c "^restore job")
if [ "$n" -eq "$u" ]; then tap_ok "lines only on change ($n lines)"; else tap_not_ok "lines only on change ($n lines, $u distinct)"; fi
has "$out" "final job on stdout" "^job $JOB: Completed 100%"
run 0 "snapshot job --json" --json snapshot job "$JOB"
json "job JSON fields" "d.job_id === '$JOB' && d.state === 'Completed' && d.collection === '$T1' && d.snapshot === 's1' && d.database === 'default' && d.progress === 100 && d.start_time > 1600000000000"
run 0 "snapshot jobs COLLECTION --json" --json snapshot jobs "$T1"
json "jobs JSON lists the job" "d.jobs.some(j => j.job_id === '$JOB' && j.state === 'Completed' && j.progress === 100)"
run 0 "snapshot jobs" snapshot jobs
has "$out" "jobs table" "^$JOB +Completed +100%"
run 1 "restore into an existing collection" snapshot restore "$C" s1 "$T1"
one_line "target exists: one line"
has "$err" "target exists: the server's reason" "already exists"

# restore --wait --json
run 0 "snapshot restore --wait --json" --json snapshot restore "$C" s2 "$T2" --wait
json "restore --wait JSON: one final document" "d.state === 'Completed' && d.progress === 100 && d.collection === '$T2' && d.time_cost > 0"
if [ "$(lines "$out")" = 1 ]; then tap_ok "--json prints one document"; else tap_not_ok "--json prints one document"; fi

# the progress bar on a terminal
script -qfec "\"$M\" snapshot restore \"$C\" s1 \"$T3\" --wait" /dev/null >"$TEST_TMP/tty" 2>&1
rc=$?
if [ $rc -eq 0 ]; then tap_ok "restore --wait under a terminal (exit 0)"; else tap_not_ok "restore --wait under a terminal (exit $rc)"; sed 's/^/# /' "$TEST_TMP/tty" | head; fi
has "$TEST_TMP/tty" "progress bar redrawn with carriage returns" "$(printf '\r')restore job [0-9]+ \\[#*\\.*\\] +(Pending|Executing)"
has "$TEST_TMP/tty" "progress bar ends full at Completed 100%" "\\[##############################\\] Completed 100%"

# export, export-job, restore-external
run 0 "snapshot export" snapshot export "$C" s1 "s3://bucket/ctl_$$"
EJOB=$(cat "$out")
run 0 "snapshot export-job --wait --json" --json snapshot export-job "$EJOB" --wait
json "export job JSON: counters and metadata URI" "d.job_id === '$EJOB' && d.state === 'Completed' && d.total_files > 0 && d.copied_files === d.total_files && d.total_bytes > 0 && d.metadata_uri.startsWith('s3://bucket/ctl_$$')"
URI_META=$("$NODE" -e 'console.log(JSON.parse(require("fs").readFileSync(process.argv[1],"utf8")).metadata_uri)' "$out")
run 0 "snapshot export-job (text)" snapshot export-job "$EJOB"
has "$out" "export-job text shows files" "files: +[0-9]+/[0-9]+"
run 0 "snapshot export --wait --spec" --json snapshot export "$C" s2 "s3://bucket/ctl2_$$" --spec '{"a":1}' --wait
json "export --wait JSON" "d.state === 'Completed' && d.metadata_uri.length > 0"
run 0 "snapshot restore-external --wait" snapshot restore-external "$T4" "$URI_META" --wait
has "$err" "restore-external progress" "Completed 100%"
run 1 "restore-external of an unknown URI" snapshot restore-external "${T4}x" "s3://nowhere/metadata.json"
one_line "unknown URI: one line"

# pins
run 0 "snapshot pin --ttl --json" --json snapshot pin "$C" s1 --ttl 600
json "pin JSON" "/^[0-9]+\$/.test(d.pin_id) && d.snapshot === 's1'"
PIN=$("$NODE" -e 'console.log(JSON.parse(require("fs").readFileSync(process.argv[1],"utf8")).pin_id)' "$out")
if [ "$local_server" = 1 ]; then
    run 1 "a pinned snapshot cannot be dropped" snapshot drop "$C" s1
    has "$err" "pinned: the server's reason" "pinned"
fi
run 0 "snapshot unpin" snapshot unpin "$PIN"
has "$out" "unpin confirms" "pin $PIN released"
run 0 "snapshot drop" snapshot drop "$C" s1
run 0 "list after drop" --json snapshot list "$C"
json "s1 is gone" "!d.snapshots.includes('s1') && d.snapshots.includes('s2')"

# Text from the server reaches the terminal escaped: a description with
# ESC sequences, BEL, a C1 CSI, DEL and a newline comes back from the
# server and is printed as one line of visible escapes.
EVIL=$(printf 'evil\033[2J\007bell\302\233csi\177del\nline2')
run 0 "snapshot create with control bytes in the description" snapshot create "$C" s9 --description "$EVIL"
run 0 "snapshot describe (control bytes)" snapshot describe "$C" s9
if LC_ALL=C grep -q "$(printf '[\001-\010\013-\037\177]')" "$out" ||
    LC_ALL=C grep -q "$(printf '\302[\200-\237]')" "$out"; then
    tap_not_ok "describe prints no raw control bytes"
    od -c "$out" | head -10 | sed 's/^/# /'
else
    tap_ok "describe prints no raw control bytes"
fi
has "$out" "describe shows them escaped, on one line" '^  description: evil\\x1b\[2J\\x07bell\\u009bcsi\\x7fdel line2$'
run 0 "snapshot describe --json (control bytes)" --json snapshot describe "$C" s9
json "JSON carries the description exactly, as \\u escapes" "d.description === 'evil\\u001b[2J\\u0007bell\\u009bcsi\\u007fdel\\nline2'"
if LC_ALL=C grep -q "$(printf '[\001-\037\177]')" "$out" || LC_ALL=C grep -q "$(printf '\302[\200-\237]')" "$out"; then
    tap_not_ok "the JSON has no raw control bytes"
else
    tap_ok "the JSON has no raw control bytes"
fi
run 0 "drop it" snapshot drop "$C" s9

# a failed job: exit 1 with the server's reason
if [ "$local_server" = 1 ]; then
    "$NODE" "$CTL" "$ADDR" control '{"fail_restore":"injected: out of disk"}' >/dev/null
    run 1 "restore --wait of a failing job" snapshot restore "$C" s2 "${T1}f" --wait
    has "$err" "failed job: the server's reason" "restore job [0-9]+ failed: injected: out of disk"
    has "$err" "failed job: progress shows Failed" "Failed [0-9]+%"
    "$NODE" "$CTL" "$ADDR" control '{"reset":true}' >/dev/null
else
    tap_ok "# SKIP fault injection needs the local test server"
fi

fi # snapshots

# ---- unreachable, silent, unauthenticated servers ------------------------------------------------
timed() { # ARGS...: runs milvusctl, sets rc and took (ms)
    t0=$(date +%s%N)
    "$M" "$@" >"$out" 2>"$err"
    rc=$?
    took=$((($(date +%s%N) - t0) / 1000000))
}
# refused, with the default timeout (10 s): it fails at once, not then
timed --uri http://127.0.0.1:1 version
if [ $rc -eq 1 ]; then tap_ok "refused: exit 1"; else tap_not_ok "refused: exit $rc"; fi
one_line "refused: one line"
has "$err" "refused: names the address" "127\\.0\\.0\\.1:1"
has "$err" "refused: says it was refused" "refused"
if [ $took -lt 1000 ]; then tap_ok "refused: within a second ($took ms)"; else tap_not_ok "refused: took $took ms"; fi
# a host name that does not resolve: at once too
timed --uri http://no-such-host.invalid:19530 version
if [ $rc -eq 1 ]; then tap_ok "unknown host: exit 1"; else tap_not_ok "unknown host: exit $rc"; fi
has "$err" "unknown host: names it" "no-such-host\\.invalid"
if [ $took -lt 1000 ]; then tap_ok "unknown host: within a second ($took ms)"; else tap_not_ok "unknown host: took $took ms"; fi

"$NODE" -e 'const s = require("net").createServer(() => {}).listen(0, "127.0.0.1", () => { require("fs").writeFileSync(process.argv[1], String(s.address().port)); });' "$TEST_TMP/silent" &
wait_for_file "$TEST_TMP/silent" 30
SILENT="127.0.0.1:$(cat "$TEST_TMP/silent")"
timed --uri "http://$SILENT" --timeout 1.5 snapshot list
if [ $rc -eq 1 ]; then tap_ok "silent server: exit 1"; else tap_not_ok "silent server: exit $rc"; fi
one_line "silent server: one line"
has "$err" "silent server: names the address" "$SILENT"
if [ $took -lt 3000 ]; then tap_ok "silent server: within the timeout ($took ms)"; else tap_not_ok "silent server: took $took ms"; fi

if [ "$local_server" = 1 ]; then
    start_server "$TEST_TMP/authport" --token s3cret || true
    AUTH="127.0.0.1:$(cat "$TEST_TMP/authport")"
    timed --uri "http://$AUTH" --timeout 5 version
    if [ $rc -eq 1 ]; then tap_ok "no credentials: exit 1"; else tap_not_ok "no credentials: exit $rc"; fi
    one_line "no credentials: one line"
    has "$err" "no credentials: names the address" "$AUTH"
    if ! grep -q s3cret "$err"; then tap_ok "no secret in the message"; else tap_not_ok "secret leaked"; fi
    timed --uri "http://$AUTH" --token wrong --timeout 5 version
    if [ $rc -eq 1 ] && [ "$(lines "$err")" = 1 ] && ! grep -q wrong "$err"; then tap_ok "wrong token: one line, exit 1, token not shown"; else tap_not_ok "wrong token (exit $rc)"; sed 's/^/# /' "$err"; fi
    MILVUS_TOKEN=s3cret timed --uri "http://$AUTH" version
    if [ $rc -eq 0 ]; then tap_ok "MILVUS_TOKEN is the default token"; else tap_not_ok "MILVUS_TOKEN (exit $rc)"; sed 's/^/# /' "$err"; fi
    MILVUS_URI="http://$AUTH" timed --token s3cret version
    if [ $rc -eq 0 ]; then tap_ok "MILVUS_URI is the default address"; else tap_not_ok "MILVUS_URI (exit $rc)"; fi
fi

# clean up
for t in "$T1" "$T2" "$T3" "$T4"; do
    "$NODE" -e '
        const { MilvusClient } = require("@zilliz/milvus2-sdk-node");
        const c = new MilvusClient({ address: process.argv[1], token: process.env.MILVUS_TOKEN || undefined });
        Promise.all(process.argv.slice(2).map((n) => c.dropCollection({ collection_name: n }))).then(() => c.closeConnection());
    ' "$ADDR" "$t" "$C" >/dev/null 2>&1 || true
done

tap_plan "$TAP_N"
tap_done
