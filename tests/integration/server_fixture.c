/* SPDX-License-Identifier: Apache-2.0 */
/* The Milvus server fixture: one tests/server/server.js per test program,
 * started from the Criterion runner (see server_fixture.h). */
#define _GNU_SOURCE
#include "server_fixture.h"

#include <criterion/criterion.h>
#include <criterion/hooks.h>
#include <errno.h>
#include <event2/event.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#ifdef __linux__
#include <sys/prctl.h>
#endif

#ifndef MV_TOP_SRCDIR
#define MV_TOP_SRCDIR "."
#endif

/* The runner passes the shared server to the workers (fresh processes)
 * through these variables. */
#define ENV_ADDR "MV_FIXTURE_ADDR"
#define ENV_SKIP "MV_FIXTURE_SKIP"

__attribute__((weak)) const char *const *fixture_server_flags = NULL;

static int64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* ---- locating node and the server ---------------------------------------------- */

static const char *top_srcdir(void)
{
    const char *t = getenv("top_srcdir");
    return t && *t ? t : MV_TOP_SRCDIR;
}

static int is_exec(const char *p)
{
    struct stat st;
    return stat(p, &st) == 0 && S_ISREG(st.st_mode) && access(p, X_OK) == 0;
}

/* $NODE, or node on PATH; writes the path into buf. */
static int find_node(char *buf, size_t len)
{
    const char *n = getenv("NODE");
    const char *path = getenv("PATH");
    if (!n || !*n || strcmp(n, "false") == 0 || strcmp(n, ":") == 0)
        n = "node";
    if (strchr(n, '/')) {
        snprintf(buf, len, "%s", n);
        return is_exec(buf) ? 0 : -1;
    }
    while (path && *path) {
        const char *end = strchr(path, ':');
        size_t dl = end ? (size_t)(end - path) : strlen(path);
        snprintf(buf, len, "%.*s/%s", (int)dl, path, n);
        if (dl && is_exec(buf))
            return 0;
        path = end ? end + 1 : NULL;
    }
    return -1;
}

static int has_module(const char *node_path, const char *mod)
{
    char p[4096];
    struct stat st;
    const char *s = node_path;
    while (s && *s) {
        const char *end = strchr(s, ':');
        size_t dl = end ? (size_t)(end - s) : strlen(s);
        snprintf(p, sizeof(p), "%.*s/%s/package.json", (int)dl, s, mod);
        if (dl && stat(p, &st) == 0)
            return 1;
        s = end ? end + 1 : NULL;
    }
    return 0;
}

/* ---- private servers ------------------------------------------------------------ */

static int wait_listening(fixture_server *s, char *err, size_t errlen)
{
    char buf[512];
    size_t have = 0;
    int64_t deadline = now_ms() + 30000;
    for (;;) {
        struct pollfd pfd = {s->out_fd, POLLIN, 0};
        int64_t left = deadline - now_ms();
        ssize_t n;
        char *nl;
        if (left <= 0) {
            snprintf(err, errlen, "test server did not print LISTENING within 30 s");
            return -1;
        }
        if (poll(&pfd, 1, (int)left) < 0 && errno != EINTR) {
            snprintf(err, errlen, "poll: %s", strerror(errno));
            return -1;
        }
        if (!(pfd.revents & (POLLIN | POLLHUP)))
            continue;
        n = read(s->out_fd, buf + have, sizeof(buf) - 1 - have);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            snprintf(err, errlen, "test server exited before listening (see its stderr)");
            return -1;
        }
        have += (size_t)n;
        buf[have] = '\0';
        if ((nl = strstr(buf, "LISTENING ")) && strchr(nl, '\n')) {
            s->port = atoi(nl + 10);
            if (s->port > 0)
                return 0;
            snprintf(err, errlen, "bad LISTENING line: %s", nl);
            return -1;
        }
        if (have >= sizeof(buf) - 1) {
            snprintf(err, errlen, "unexpected server output: %.100s", buf);
            return -1;
        }
    }
}

int fixture_server_start(fixture_server *s, const char *const *flags, char *err, size_t errlen)
{
    char node[4096], script[4096], np[4096];
    const char *argv[64];
    const char *node_path = getenv("NODE_PATH");
    size_t argc = 0;
    int fds[2];
    memset(s, 0, sizeof(*s));
    s->out_fd = -1;
    if (find_node(node, sizeof(node)) != 0) {
        snprintf(err, errlen, "node not found (NODE='%s'); install nodejs",
                 getenv("NODE") ? getenv("NODE") : "");
        return -1;
    }
    snprintf(script, sizeof(script), "%s/tests/server/server.js", top_srcdir());
    if (access(script, R_OK) != 0) {
        snprintf(err, errlen, "%s not found (top_srcdir?)", script);
        return -1;
    }
    if (!node_path || !*node_path) {
        snprintf(np, sizeof(np), "%s/node_modules", top_srcdir());
        setenv("NODE_PATH", np, 1); /* before fork: the child only execs */
        node_path = getenv("NODE_PATH");
    }
    if (!has_module(node_path, "@grpc/grpc-js") || !has_module(node_path, "@grpc/proto-loader") ||
        !has_module(node_path, "@zilliz/milvus2-sdk-node")) {
        snprintf(err, errlen,
                 "npm modules @grpc/grpc-js, @grpc/proto-loader, @zilliz/milvus2-sdk-node "
                 "not found in NODE_PATH=%s (run npm ci in the source tree)",
                 node_path);
        return -1;
    }
    argv[argc++] = node;
    argv[argc++] = script;
    argv[argc++] = "--port";
    argv[argc++] = "0";
    for (size_t i = 0; flags && flags[i] && argc < 63; i++)
        argv[argc++] = flags[i];
    argv[argc] = NULL;
    if (pipe2(fds, O_CLOEXEC) != 0) {
        snprintf(err, errlen, "pipe: %s", strerror(errno));
        return -1;
    }
    s->pid = fork();
    if (s->pid < 0) {
        snprintf(err, errlen, "fork: %s", strerror(errno));
        close(fds[0]);
        close(fds[1]);
        return -1;
    }
    if (s->pid == 0) {
        int devnull = open("/dev/null", O_RDONLY);
#ifdef __linux__
        /* the server must not outlive a crashed test runner */
        prctl(PR_SET_PDEATHSIG, SIGTERM);
#endif
        if (devnull >= 0)
            dup2(devnull, 0);
        dup2(fds[1], 1);
        execv(node, (char *const *)argv);
        _exit(127);
    }
    close(fds[1]);
    s->out_fd = fds[0];
    if (wait_listening(s, err, errlen) != 0) {
        fixture_server_stop(s);
        return -1;
    }
    return 0;
}

void fixture_server_stop(fixture_server *s)
{
    int64_t deadline;
    if (s->pid > 0) {
        kill(s->pid, SIGTERM);
        deadline = now_ms() + 5000;
        for (;;) {
            pid_t r = waitpid(s->pid, NULL, WNOHANG);
            if (r == s->pid || (r < 0 && errno == ECHILD))
                break;
            if (now_ms() > deadline) {
                kill(s->pid, SIGKILL);
                waitpid(s->pid, NULL, 0);
                break;
            }
            usleep(10000);
        }
        s->pid = 0;
    }
    if (s->out_fd >= 0)
        close(s->out_fd);
    s->out_fd = -1;
}

/* ---- the shared server (runner process) ------------------------------------------- */

static fixture_server shared;

ReportHook(PRE_ALL)(struct criterion_test_set *set)
{
    char err[1024], addr[64];
    (void)set;
    if (getenv("MILVUS_URI") && *getenv("MILVUS_URI"))
        return;
    if (fixture_server_start(&shared, fixture_server_flags, err, sizeof(err)) != 0) {
        setenv(ENV_SKIP, err, 1);
        return;
    }
    snprintf(addr, sizeof(addr), "127.0.0.1:%d", shared.port);
    setenv(ENV_ADDR, addr, 1);
}

ReportHook(POST_ALL)(struct criterion_global_stats *stats)
{
    (void)stats;
    fixture_server_stop(&shared);
}

/* ---- inside a test ------------------------------------------------------------------ */

const char *fixture_uri(void)
{
    const char *u = getenv("MILVUS_URI");
    if (u && *u)
        return u;
    u = getenv(ENV_ADDR);
    return u ? u : "";
}

const char *fixture_token(void)
{
    const char *t = getenv("MILVUS_TOKEN");
    return t && *t && getenv("MILVUS_URI") && *getenv("MILVUS_URI") ? t : NULL;
}

int fixture_has_faults(void)
{
    const char *u = getenv("MILVUS_URI");
    return !(u && *u) && getenv(ENV_ADDR) != NULL;
}

void fixture_require(void)
{
    const char *why;
    if (fixture_uri()[0])
        return;
    why = getenv(ENV_SKIP);
    if (!why)
        why = "the fixture's PRE_ALL hook did not run";
    if (getenv("MILVUS_REQUIRE_PEERS") && strcmp(getenv("MILVUS_REQUIRE_PEERS"), "1") == 0)
        cr_assert_fail("required peer missing: %s", why);
    cr_skip_test("%s", why);
}

const char *fixture_server_kind(void)
{
    const char *k = getenv("MILVUS_SERVER_KIND");
    if (!(getenv("MILVUS_URI") && *getenv("MILVUS_URI")))
        return "test-server";
    return k && *k ? k : "milvus";
}

/* Not applicable here: tests/real/real-server.sh prints these as comments
 * (the test runs against the test server, where it counts). */
#define NA_PREFIX "n/a on %s: "

void fixture_require_faults(void)
{
    fixture_require();
    if (!fixture_has_faults())
        cr_skip_test(NA_PREFIX "needs the test server's fault injection or call counters",
                     fixture_server_kind());
}

/* What each server written by the Milvus project does not do, with the
 * reason: the one table of the real-server runs (tests/real).  A feature
 * is a short name that tests pass to fixture_require_feature(). */
static const struct {
    const char *kind, *feature, *reason;
} unsupported[] = {
    /* embedded Milvus standalone 2.3.5 (PyPI milvus) */
    {"standalone", "snapshot", "snapshots are Milvus 3.0"},
    {"standalone", "database_properties", "AlterDatabase/DescribeDatabase are Milvus 2.4"},
    {"standalone", "nullable",
     "nullable fields and default values are Milvus 2.5 (2.3 ignores them)"},
    {"standalone", "multi_vector", "several vector fields in a collection are Milvus 2.4"},
    {"standalone", "hybrid_search", "HybridSearch is Milvus 2.4"},
    {"standalone", "float16_vector", "float16/bfloat16 vectors are Milvus 2.4"},
    {"standalone", "sparse_vector", "sparse float vectors are Milvus 2.4"},
    {"standalone", "int8_vector", "int8 vectors are Milvus 2.6"},
    {"standalone", "filter_templates", "filter template values ({name}) are Milvus 2.5"},
    {"standalone", "group_by", "search grouping is Milvus 2.4 (2.3 ignores it)"},
    {"standalone", "search_iterator_v2", "the search iterator needs search_iter_v2 (Milvus 2.5)"},
    {"standalone", "all_types_collection", "Geometry, Timestamptz and Int8 vectors are Milvus 2.6"},
    {"standalone", "timed_builds", "a real server's index of a few rows is built at once"},
    {"standalone", "drop_properties", "DropCollectionProperties (delete_keys) is Milvus 2.5"},
    {"standalone", "field_properties", "AlterCollectionField is Milvus 2.5"},
    {"standalone", "dim_mismatch_code",
     "Milvus 2.3 answers a wrong insert dimension with UnexpectedError (65535), 2.4+ with "
     "ParameterInvalid (1100)"},
    /* Milvus Lite 3.2.2 (PyPI milvus-lite) */
    {"lite", "snapshot", "Milvus Lite has no snapshot service"},
    {"lite", "auth", "Milvus Lite ignores the authorization metadata"},
    {"lite", "identifier", "Milvus Lite's Connect gives no connection identifier (0)"},
    {"lite", "collection_id", "Milvus Lite's DescribeCollection gives collection id 0"},
    {"lite", "index_name", "Milvus Lite names every index after its field"},
    {"lite", "load_needs_index", "Milvus Lite loads a collection without an index"},
    {"lite", "index_default_metric", "Milvus Lite needs metric_type on every vector index"},
    {"lite", "schema_description", "Milvus Lite drops the descriptions of schema and fields"},
    {"lite", "field_name_rules", "Milvus Lite accepts field names Milvus refuses (1vec)"},
    {"lite", "field_ids", "Milvus Lite does not number fields from 100"},
    {"lite", "load_state", "Milvus Lite keeps every collection loaded"},
    {"lite", "write_timestamp", "Milvus Lite's MutationResult has no timestamp"},
    {"lite", "filter_templates", "Milvus Lite does not parse filter template values ({name})"},
    {"lite", "search_iterator_v2", "Milvus Lite has no search_iter_v2"},
    {"lite", "all_types_collection",
     "Milvus Lite 3.2 lacks binary, float16, bfloat16, int8 vectors"},
    {"lite", "merr_codes", "Milvus Lite answers some refusals with its own codes, not merr's"},
    {"lite", "timed_builds", "a real server's index of a few rows is built at once"},
    {"lite", "compaction", "Milvus Lite's ManualCompaction gives no compaction id (0)"},
    {"lite", "partition_load",
     "Milvus Lite loads whole collections only (LoadPartitions UNIMPLEMENTED)"},
    {"lite", "connect_checks_database", "Milvus Lite's Connect accepts an unknown dbname"},
    {"lite", "database_properties", "Milvus Lite has no database properties"},
    {"lite", "binary_vector", "Milvus Lite 3.2 has no binary vectors"},
    {"lite", "float16_vector", "Milvus Lite 3.2 has no float16/bfloat16 vectors"},
    {"lite", "int8_vector", "Milvus Lite 3.2 has no int8 vectors"},
    {"lite", "field_properties", "Milvus Lite answers AlterCollectionField with UNIMPLEMENTED"},
    {"lite", "server_recv_limit",
     "Milvus Lite receives messages up to 256 MiB: more than a test should send"},
};

int fixture_has_feature(const char *feature)
{
    const char *kind = fixture_server_kind();
    for (size_t i = 0; i < sizeof(unsupported) / sizeof(unsupported[0]); i++)
        if (strcmp(unsupported[i].kind, kind) == 0 && strcmp(unsupported[i].feature, feature) == 0)
            return 0;
    return 1;
}

const milvus_collection_options *fixture_collection_options(void)
{
    static milvus_collection_options *o;
    if (!o) {
        o = milvus_collection_options_new();
        cr_assert_not_null(o);
        cr_assert_eq(milvus_collection_options_set_consistency(o, MILVUS_CONSISTENCY_STRONG),
                     MILVUS_OK);
    }
    return o;
}

const milvus_index_options *fixture_default_index(void)
{
    static milvus_index_options *o;
    if (fixture_has_feature("index_default_metric"))
        return NULL;
    if (!o) {
        o = milvus_index_options_new();
        cr_assert_not_null(o);
        cr_assert_eq(milvus_index_options_set_metric(o, "COSINE"), MILVUS_OK);
    }
    return o;
}

void fixture_require_feature(const char *feature)
{
    const char *kind = fixture_server_kind();
    fixture_require();
    for (size_t i = 0; i < sizeof(unsupported) / sizeof(unsupported[0]); i++)
        if (strcmp(unsupported[i].kind, kind) == 0 && strcmp(unsupported[i].feature, feature) == 0)
            cr_skip_test(NA_PREFIX "%s (%s)", kind, feature, unsupported[i].reason);
}

/* An environment value that applies only with MILVUS_URI. */
static const char *uri_env(const char *name)
{
    const char *v = getenv(name);
    return v && *v && getenv("MILVUS_URI") && *getenv("MILVUS_URI") ? v : NULL;
}

milvus_options *fixture_options(void)
{
    milvus_options *o = milvus_options_new();
    const char *ca = uri_env("MILVUS_CA_FILE"), *cert = uri_env("MILVUS_CLIENT_CERT"),
               *key = uri_env("MILVUS_CLIENT_KEY");
    if (!o)
        return NULL;
    if (milvus_options_set_uri(o, fixture_uri()) != MILVUS_OK ||
        milvus_options_set_connect_timeout_ms(o, 5000) != MILVUS_OK ||
        (fixture_token() && milvus_options_set_token(o, fixture_token()) != MILVUS_OK) ||
        (ca && milvus_options_set_ca_file(o, ca) != MILVUS_OK) ||
        (cert && key && milvus_options_set_client_cert(o, cert, key) != MILVUS_OK)) {
        milvus_options_free(o);
        return NULL;
    }
    return o;
}

milvus_client *fixture_client(struct event_base *base)
{
    milvus_client *c = NULL;
    milvus_options *o = fixture_options();
    cr_assert_not_null(o, "fixture options");
    cr_assert_eq(milvus_client_new(&c, base, o), MILVUS_OK, "client for %s", fixture_uri());
    milvus_options_free(o);
    return c;
}

void fixture_name(char *buf, size_t len, const char *prefix)
{
    static unsigned n;
    snprintf(buf, len, "%s_%ld_%u", prefix, (long)getpid(), ++n);
}

typedef struct run_state {
    struct event_base *base;
    const int *done;
    int64_t deadline;
    int timed_out;
} run_state;

static void run_tick(evutil_socket_t fd, short what, void *arg)
{
    run_state *st = arg;
    (void)fd;
    (void)what;
    if (*st->done) {
        event_base_loopbreak(st->base);
    } else if (now_ms() >= st->deadline) {
        st->timed_out = 1;
        event_base_loopbreak(st->base);
    }
}

int fixture_run_until(struct event_base *base, const int *done, int64_t timeout_ms)
{
    run_state st = {base, done, now_ms() + timeout_ms, 0};
    struct timeval tv = {0, 2000};
    struct event *tick;
    if (*done)
        return 1;
    tick = event_new(base, -1, EV_PERSIST, run_tick, &st);
    if (!tick)
        return 0;
    event_add(tick, &tv);
    while (!*done && !st.timed_out)
        event_base_dispatch(base);
    event_free(tick);
    return *done != 0;
}

void fixture_wait_cb(milvus_client *c, const milvus_result *res, void *ctx)
{
    fixture_wait *w = ctx;
    (void)c;
    w->calls++;
    if (!w->res)
        w->res = milvus_result_ref(res);
    w->done = 1;
}

milvus_result *fixture_wait_result(struct event_base *base, milvus_client *c, int rc,
                                   fixture_wait *w)
{
    cr_assert_eq(rc, MILVUS_OK, "submission failed: %s (%d): %s", milvus_strerror(rc), rc,
                 c ? milvus_client_last_error(c) : "");
    cr_assert(fixture_run_until(base, &w->done, 30000), "no callback within 30 s");
    cr_assert_eq(w->calls, 1, "callback ran %d times", w->calls);
    return w->res;
}

/* ---- control service ------------------------------------------------------------------ */

typedef struct ctl_call {
    int done;
    int status;
    char *reply;
} ctl_call;

static void ctl_cb(milvus_channel *ch, int status, const milvus_reply *r, void *arg)
{
    ctl_call *cc = arg;
    size_t len = 0;
    const uint8_t *d = milvus_reply_data(r, &len);
    (void)ch;
    cc->status = status;
    if (status == MILVUS_OK && (cc->reply = malloc(len + 1))) {
        if (len)
            memcpy(cc->reply, d, len);
        cc->reply[len] = '\0';
    }
    cc->done = 1;
}

int fixture_control(const char *json, char **reply)
{
    struct event_base *base;
    milvus_channel *ch = NULL;
    milvus_options *o;
    ctl_call cc = {0, MILVUS_ERR_TIMEOUT, NULL};
    int rc;
    if (reply)
        *reply = NULL;
    if (!fixture_has_faults())
        return MILVUS_ERR_INVALID_ARGUMENT;
    if (!(base = event_base_new()))
        return MILVUS_ERR_NOMEM;
    o = fixture_options();
    rc = o ? milvus_channel_new(&ch, base, o) : MILVUS_ERR_NOMEM;
    milvus_options_free(o);
    if (rc == MILVUS_OK)
        rc = milvus_channel_unary(ch, "/milvus.test.Control/Set", json, strlen(json), NULL, ctl_cb,
                                  &cc);
    if (rc == MILVUS_OK) {
        fixture_run_until(base, &cc.done, 10000);
        rc = cc.done ? cc.status : MILVUS_ERR_TIMEOUT;
    }
    milvus_channel_free(ch);
    event_base_free(base);
    if (reply)
        *reply = cc.reply;
    else
        free(cc.reply);
    return rc;
}

int fixture_control_reset(void)
{
    return fixture_control("{\"reset\":true}", NULL);
}

/* ---- a small JSON walker (enough for the control replies) ---------------------------- */

static const char *skip_ws(const char *p)
{
    while (*p == ' ' || *p == '\n' || *p == '\t' || *p == '\r')
        p++;
    return p;
}

static const char *skip_string(const char *p)
{
    for (p++; *p && *p != '"'; p++)
        if (*p == '\\' && p[1])
            p++;
    return *p ? p + 1 : NULL;
}

/* End of the value starting at p (NULL on malformed input). */
static const char *skip_value(const char *p)
{
    int depth = 0;
    p = skip_ws(p);
    if (*p == '"')
        return skip_string(p);
    if (*p != '{' && *p != '[') {
        while (*p && *p != ',' && *p != '}' && *p != ']')
            p++;
        return p;
    }
    while (*p) {
        if (*p == '"') {
            if (!(p = skip_string(p)))
                return NULL;
            continue;
        }
        if (*p == '{' || *p == '[')
            depth++;
        else if ((*p == '}' || *p == ']') && --depth == 0)
            return p + 1;
        p++;
    }
    return NULL;
}

/* The value of key in the object at p, or NULL. */
static const char *member(const char *p, const char *key, size_t klen)
{
    p = skip_ws(p);
    if (*p != '{')
        return NULL;
    p++;
    for (;;) {
        const char *k, *ke;
        p = skip_ws(p);
        if (*p != '"')
            return NULL;
        k = p + 1;
        if (!(ke = skip_string(p)))
            return NULL;
        p = skip_ws(ke);
        if (*p != ':')
            return NULL;
        p = skip_ws(p + 1);
        if ((size_t)(ke - 1 - k) == klen && strncmp(k, key, klen) == 0)
            return p;
        if (!(p = skip_value(p)))
            return NULL;
        p = skip_ws(p);
        if (*p != ',')
            return NULL;
        p++;
    }
}

char *fixture_json_get(const char *json, const char *path)
{
    const char *p = json, *end;
    char *out;
    while (p && *path) {
        const char *dot = strchr(path, '.');
        size_t kl = dot ? (size_t)(dot - path) : strlen(path);
        p = member(p, path, kl);
        path += kl + (dot ? 1 : 0);
    }
    if (!p || !(end = skip_value(p)))
        return NULL;
    if (*p == '"') {
        p++;
        end--;
    }
    out = malloc((size_t)(end - p) + 1);
    if (out) {
        memcpy(out, p, (size_t)(end - p));
        out[end - p] = '\0';
    }
    return out;
}

long fixture_calls(const char *method)
{
    char *reply = NULL, path[256], *v;
    long n;
    if (fixture_control("{}", &reply) != MILVUS_OK || !reply) {
        free(reply);
        return -1;
    }
    snprintf(path, sizeof(path), "calls.%s", method);
    v = fixture_json_get(reply, path);
    n = v ? strtol(v, NULL, 10) : 0;
    free(v);
    free(reply);
    return n;
}

char *fixture_last_header(const char *method, const char *key)
{
    char *reply = NULL, path[512], *v;
    if (fixture_control("{}", &reply) != MILVUS_OK || !reply) {
        free(reply);
        return NULL;
    }
    snprintf(path, sizeof(path), "metadata.%s.%s", method, key);
    v = fixture_json_get(reply, path);
    free(reply);
    return v;
}
