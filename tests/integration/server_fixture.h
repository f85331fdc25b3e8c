/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The Milvus server fixture of the integration tests.
 *
 * Linking server_fixture.c into a Criterion test program gives it one
 * Milvus-protocol test server (tests/server/server.js, run with node) for
 * the whole program: the fixture starts it from a Criterion PRE_ALL hook in
 * the runner process, passes its address to the test workers through the
 * environment, and stops it (SIGTERM, then waitpid: no zombie) from the
 * POST_ALL hook.  Tests running in parallel share it, so each test uses
 * its own collection names (fixture_name()).
 *
 * Environment
 *   NODE, top_srcdir, NODE_PATH   exported by `make check`; by hand the
 *                                 fixture falls back to `node` on PATH, the
 *                                 source tree this file was compiled from
 *                                 and <top_srcdir>/node_modules.
 *   MILVUS_URI [+ MILVUS_TOKEN]   use that real Milvus instead of the test
 *                                 server; fixture_has_faults() is then 0 and
 *                                 fault tests skip.
 *   MILVUS_CA_FILE, MILVUS_CLIENT_CERT, MILVUS_CLIENT_KEY
 *                                 TLS material for an https:// MILVUS_URI
 *                                 (the CA; the client certificate for
 *                                 mutual TLS).
 *   MILVUS_SERVER_KIND            which server MILVUS_URI is ("standalone",
 *                                 "lite"): selects its row of the table of
 *                                 unsupported features (tests/real sets it).
 *   MILVUS_REQUIRE_PEERS=1        a missing node or npm module fails the
 *                                 tests instead of skipping them.
 *
 * Server flags: a program that needs some (e.g. short index builds)
 * defines FIXTURE_SERVER_FLAGS("--index-ms", "200", "--load-ms", "200")
 * once at file scope.
 *
 * A test that needs a server of its own (e.g. with auth flags) uses
 * fixture_server_start()/fixture_server_stop() directly.
 */
#ifndef MV_SERVER_FIXTURE_H
#define MV_SERVER_FIXTURE_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include <milvus/milvus.h>

struct event_base;

/* NULL-terminated extra flags for the shared server (weak default: none). */
extern const char *const *fixture_server_flags;
#define FIXTURE_SERVER_FLAGS(...)                                                                  \
    static const char *const fixture_flags_[] = {__VA_ARGS__, NULL};                               \
    const char *const *fixture_server_flags = fixture_flags_

/* ---- the shared server (inside a test) ------------------------------------------ */

/* Skips the current test (cr_skip_test) when no server is available, with
 * the reason; fails it instead under MILVUS_REQUIRE_PEERS=1.  Call it
 * first in every test that talks to the server. */
void fixture_require(void);
/* Like fixture_require(), and also skips when the server cannot inject
 * faults or count calls (a real Milvus through MILVUS_URI). */
void fixture_require_faults(void);
/* "test-server", or MILVUS_SERVER_KIND with MILVUS_URI ("standalone",
 * "lite"; "milvus" when unnamed). */
const char *fixture_server_kind(void);
/* Skips the current test, as "n/a on <kind>: <reason>", when the server
 * lacks feature according to the fixture's table of unsupported features
 * (server_fixture.c); fixture_has_feature() only asks. */
void fixture_require_feature(const char *feature);
int fixture_has_feature(const char *feature);
/* The index options of a test that means "the server's default index":
 * NULL, or where a server needs a metric on every vector index, COSINE. */
const milvus_index_options *fixture_default_index(void);
/* Collection options of tests that read what they just wrote: Strong
 * consistency (a real Milvus's default, Bounded, may not show a write for
 * a few seconds). */
const milvus_collection_options *fixture_collection_options(void);
/* 1 when the server is the test server (control service available). */
int fixture_has_faults(void);
/* "127.0.0.1:<port>" or MILVUS_URI. */
const char *fixture_uri(void);
/* MILVUS_TOKEN or NULL. */
const char *fixture_token(void);

/* New options for the server (uri, token; short connect timeout); the
 * caller frees them.  NULL when out of memory. */
milvus_options *fixture_options(void);
/* A client on base with fixture_options() (cr_assert on failure). */
milvus_client *fixture_client(struct event_base *base);

/* A name unique to this test process: "<prefix>_<pid>_<n>". */
void fixture_name(char *buf, size_t len, const char *prefix);

/* Runs base until *done becomes non-zero or timeout_ms passes; returns 1
 * when done, 0 on timeout. */
int fixture_run_until(struct event_base *base, const int *done, int64_t timeout_ms);

/* ---- waiting for one callback ---------------------------------------------------- */

/* Collects the result of one operation: pass fixture_wait_cb and a
 * zeroed fixture_wait as the operation's callback and ctx. */
typedef struct fixture_wait {
    int done;
    int calls; /* callbacks seen (must end at 1) */
    milvus_result *res;
} fixture_wait;
void fixture_wait_cb(milvus_client *c, const milvus_result *res, void *ctx);
/* Asserts rc (the submission's return) is MILVUS_OK (printing c's last
 * error otherwise; c may be NULL), runs base until the callback (30 s at
 * most) and returns the result, kept with milvus_result_ref(): release it
 * with milvus_result_unref(). */
milvus_result *fixture_wait_result(struct event_base *base, milvus_client *c, int rc,
                                   fixture_wait *w);
/* Asserts a result succeeded, printing its message otherwise. */
#define fixture_assert_ok(res)                                                                     \
    cr_assert_eq(milvus_result_status(res), MILVUS_OK, "%s: %s", milvus_result_operation(res),     \
                 milvus_result_message(res))

/* ---- the control service (test server only) -------------------------------------- */

/* Sends /milvus.test.Control/Set with the JSON object text json ("{}" just
 * reads); the reply JSON is returned in *reply (malloc'd, may be NULL).
 * Returns MILVUS_OK or the error of the call. */
int fixture_control(const char *json, char **reply);
/* Set {"reset":true}: faults off, counters cleared. */
int fixture_control_reset(void);
/* Calls received for an RPC name ("Insert"), from Get; -1 on error. */
long fixture_calls(const char *method);
/* The last value of header key seen on method (malloc'd), NULL if none. */
char *fixture_last_header(const char *method, const char *key);
/* Looks up a dotted path ("calls.Insert") in JSON text; returns the
 * malloc'd raw value text (strings unquoted), NULL when absent. */
char *fixture_json_get(const char *json, const char *path);

/* ---- private servers ----------------------------------------------------------------- */

typedef struct fixture_server {
    pid_t pid;
    int port;
    int out_fd; /* the server's stdout (kept open until stop) */
} fixture_server;

/* Starts `$NODE $top_srcdir/tests/server/server.js --port 0 [flags]` and
 * waits (up to 30 s) for its "LISTENING <port>" line.  Returns 0, or -1
 * with the reason in err (node or modules missing, early exit...). */
int fixture_server_start(fixture_server *s, const char *const *flags, char *err, size_t errlen);
/* SIGTERM, wait for the exit (SIGKILL after 5 s).  Idempotent. */
void fixture_server_stop(fixture_server *s);

#endif /* MV_SERVER_FIXTURE_H */
