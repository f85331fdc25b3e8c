/* SPDX-License-Identifier: Apache-2.0 */
/* Test harness of tests/snapshot (see harness.h). */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <criterion/criterion.h>
#include <event2/event.h>

#include "harness.h"

/* ---- the server ------------------------------------------------------------ */

static pid_t server_pid = -1;
static pid_t owner_pid = -1; /* the runner: only it stops the server */

/* Starts node tests/server/server.js --port 0 extra... and waits for its
 * "LISTENING <port>" line.  Returns the port, or -1 with why in err. */
static int start_server(const char *const *extra, char *err, size_t errlen)
{
    const char *node = getenv("NODE");
    const char *srcdir = getenv("top_srcdir");
    char script[4096], line[256];
    const char *argv[32];
    int fds[2], port = -1;
    size_t n = 0, k = 0;
    FILE *f;

    if (!node || !*node)
        node = "node";
    if (!srcdir)
        srcdir = ".";
    snprintf(script, sizeof(script), "%s/tests/server/server.js", srcdir);
    if (access(script, R_OK) != 0) {
        snprintf(err, errlen, "%.400s not found", script);
        return -1;
    }
    argv[n++] = node;
    argv[n++] = script;
    argv[n++] = "--port";
    argv[n++] = "0";
    for (; extra && extra[k] && n < 30; k++)
        argv[n++] = extra[k];
    argv[n] = NULL;
    if (pipe(fds) != 0) {
        snprintf(err, errlen, "pipe: %s", strerror(errno));
        return -1;
    }
    server_pid = fork();
    if (server_pid < 0) {
        snprintf(err, errlen, "fork: %s", strerror(errno));
        return -1;
    }
    if (server_pid == 0) {
        char nodepath[4096];
        dup2(fds[1], 1);
        close(fds[0]);
        close(fds[1]);
        if (!getenv("NODE_PATH")) {
            snprintf(nodepath, sizeof(nodepath), "%s/node_modules", srcdir);
            setenv("NODE_PATH", nodepath, 1);
        }
        execvp(node, (char *const *)argv);
        _exit(127);
    }
    close(fds[1]);
    f = fdopen(fds[0], "r");
    while (f && fgets(line, sizeof(line), f))
        if (sscanf(line, "LISTENING %d", &port) == 1)
            break;
    if (f)
        fclose(f); /* the server's later stdout goes to a closed pipe: it prints nothing more */
    if (port <= 0) {
        int st = 0;
        waitpid(server_pid, &st, 0);
        server_pid = -1;
        snprintf(err, errlen,
                 "the Milvus-protocol server did not start (node or its npm modules missing? "
                 "run npm ci); exit status %d",
                 WIFEXITED(st) ? WEXITSTATUS(st) : -1);
        return -1;
    }
    return port;
}

static void stop_server(void)
{
    if (server_pid > 0 && getpid() == owner_pid) {
        kill(server_pid, SIGTERM);
        waitpid(server_pid, NULL, 0);
        server_pid = -1;
    }
}

/* The server is shared by every test of the program: started by the runner
 * process before the first test (the workers inherit MVT_URI), stopped
 * after the last.  The tests run one at a time since they share its fault
 * settings and call counters. */
void mvt_setup(const char *const *extra_args)
{
    const char *real = getenv("MILVUS_URI");
    char err[512], uri[64];
    criterion_options.jobs = 1;
    if (real && *real) {
        setenv("MVT_URI", real, 1);
        unsetenv("MVT_LOCAL");
        return;
    }
    int port = start_server(extra_args, err, sizeof(err));
    owner_pid = getpid();
    atexit(stop_server);
    if (port > 0) {
        snprintf(uri, sizeof(uri), "http://127.0.0.1:%d", port);
        setenv("MVT_URI", uri, 1);
        setenv("MVT_LOCAL", "1", 1);
    } else {
        setenv("MVT_SKIP", err, 1);
    }
}

const char *mvt_uri(void)
{
    return getenv("MVT_URI");
}

int mvt_is_local(void)
{
    return getenv("MVT_LOCAL") != NULL;
}

void mvt_require_server(void)
{
    const char *why = getenv("MVT_SKIP");
    if (!why)
        return;
    if (getenv("MILVUS_REQUIRE_PEERS") && strcmp(getenv("MILVUS_REQUIRE_PEERS"), "1") == 0)
        cr_assert_fail("required peer missing: %s", why);
    cr_skip_test("%s", why);
}

void mvt_require_local(void)
{
    mvt_require_server();
    if (!mvt_is_local())
        cr_skip_test("needs the local test server's fault injection (MILVUS_URI is set)");
}

milvus_options *mvt_options(void)
{
    milvus_options *o = milvus_options_new();
    const char *token = getenv("MILVUS_TOKEN");
    cr_assert_not_null(o);
    cr_assert_eq(milvus_options_set_uri(o, mvt_uri()), MILVUS_OK, "uri %s", mvt_uri());
    if (token && *token && !mvt_is_local())
        milvus_options_set_token(o, token);
    milvus_options_set_connect_timeout_ms(o, 5000);
    return o;
}

milvus_sync *mvt_sync(void)
{
    milvus_options *o = mvt_options();
    milvus_sync *s = NULL;
    cr_assert_eq(milvus_sync_new(&s, o), MILVUS_OK);
    milvus_options_free(o);
    cr_assert_not_null(s);
    /* nothing in these tests may hang */
    milvus_sync_set_timeout_ms(s, 30000);
    return s;
}

/* ---- control service ----------------------------------------------------------- */

typedef struct ctl_wait {
    int done, status;
    char *out;
    size_t len;
} ctl_wait;

static void ctl_done(milvus_channel *ch, int status, const milvus_reply *r, void *ctx)
{
    ctl_wait *w = ctx;
    size_t n = 0;
    const uint8_t *d = milvus_reply_data(r, &n);
    (void)ch;
    w->done = 1;
    w->status = status;
    if (w->out && w->len) {
        if (n >= w->len)
            n = w->len - 1;
        if (d)
            memcpy(w->out, d, n);
        w->out[d ? n : 0] = '\0';
    }
}

static int control(const char *method, const char *json, char *out, size_t len)
{
    struct event_base *base = event_base_new();
    milvus_options *o = mvt_options();
    milvus_channel *ch = NULL;
    ctl_wait w = {0, -1, out, len};
    char path[128];
    snprintf(path, sizeof(path), "/milvus.test.Control/%s", method);
    if (base && milvus_channel_new(&ch, base, o) == MILVUS_OK &&
        milvus_channel_unary(ch, path, json, strlen(json), NULL, ctl_done, &w) == MILVUS_OK)
        while (!w.done && event_base_loop(base, EVLOOP_ONCE) == 0)
            ;
    milvus_channel_free(ch);
    milvus_options_free(o);
    if (base)
        event_base_free(base);
    return w.status == MILVUS_OK ? 0 : -1;
}

int mvt_control_set(const char *json)
{
    return control("Set", json, NULL, 0);
}

int mvt_control_get(char *out, size_t len)
{
    return control("Get", "{}", out, len);
}

long mvt_calls(const char *method)
{
    static char buf[65536];
    char key[128];
    const char *calls, *p;
    if (mvt_control_get(buf, sizeof(buf)) != 0)
        return -1;
    calls = strstr(buf, "\"calls\"");
    if (!calls)
        return -1;
    snprintf(key, sizeof(key), "\"%s\":", method);
    p = strstr(calls, key);
    /* the calls object ends at the first '}' after it */
    if (!p || p > strchr(calls, '}'))
        return 0;
    return strtol(p + strlen(key), NULL, 10);
}

/* ---- time, names, data ------------------------------------------------------------ */

int64_t mvt_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void mvt_sleep_ms(int64_t ms)
{
    struct timespec ts = {(time_t)(ms / 1000), (long)(ms % 1000) * 1000000L};
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
        ;
}

void mvt_name(char *buf, size_t len, const char *prefix)
{
    static unsigned seq;
    snprintf(buf, len, "%s_%ld_%u", prefix, (long)getpid(), seq++);
}

void mvt_vector(int64_t id, float *v)
{
    for (int d = 0; d < MVT_DIM; d++)
        v[d] = (float)((id * 7919 + d * 104729) % 1000) / 1000.0f + (float)d * 0.001f;
}

int mvt_create(milvus_sync *s, const char *name)
{
    milvus_schema *sc = NULL;
    milvus_field *id = NULL, *vec = NULL, *tag = NULL;
    milvus_result *res = NULL;
    int rc = milvus_schema_new(&sc, name);
    if (rc == MILVUS_OK)
        rc = milvus_field_new(&id, "id", MILVUS_TYPE_INT64);
    if (rc == MILVUS_OK)
        rc = milvus_field_set_primary_key(id, 1);
    if (rc == MILVUS_OK)
        rc = milvus_field_new(&vec, "vec", MILVUS_TYPE_FLOAT_VECTOR);
    if (rc == MILVUS_OK)
        rc = milvus_field_set_dim(vec, MVT_DIM);
    if (rc == MILVUS_OK)
        rc = milvus_field_new(&tag, "tag", MILVUS_TYPE_INT64);
    if (rc == MILVUS_OK)
        rc = milvus_schema_add_field(sc, id);
    if (rc == MILVUS_OK)
        rc = milvus_schema_add_field(sc, vec);
    if (rc == MILVUS_OK)
        rc = milvus_schema_add_field(sc, tag);
    if (rc == MILVUS_OK)
        rc = milvus_sync_create_collection(s, name, sc, NULL, &res);
    if (rc != MILVUS_OK)
        cr_log_error("create %s: %s%s", name, res ? milvus_result_message(res) : "",
                     milvus_sync_last_error(s));
    milvus_result_unref(res);
    milvus_field_free(id);
    milvus_field_free(vec);
    milvus_field_free(tag);
    milvus_schema_free(sc);
    return rc;
}

int mvt_insert(milvus_sync *s, const char *name, int64_t first, size_t n)
{
    int64_t *ids = malloc(n * sizeof(*ids)), *tags = malloc(n * sizeof(*tags));
    float *vecs = malloc(n * MVT_DIM * sizeof(float));
    milvus_column *cols[3] = {NULL, NULL, NULL};
    milvus_result *res = NULL;
    int rc = MILVUS_ERR_NOMEM;
    if (ids && tags && vecs) {
        for (size_t i = 0; i < n; i++) {
            ids[i] = first + (int64_t)i;
            tags[i] = ids[i] % 10;
            mvt_vector(ids[i], vecs + i * MVT_DIM);
        }
        rc = milvus_column_new_int64(&cols[0], "id", ids, n);
        if (rc == MILVUS_OK)
            rc = milvus_column_new_float_vector(&cols[1], "vec", MVT_DIM, vecs, n);
        if (rc == MILVUS_OK)
            rc = milvus_column_new_int64(&cols[2], "tag", tags, n);
        if (rc == MILVUS_OK)
            rc = milvus_sync_insert(s, name, (const milvus_column *const *)cols, 3, NULL, &res);
        if (rc == MILVUS_OK && milvus_result_insert_count(res) != (int64_t)n)
            rc = MILVUS_ERR_PROTOCOL;
        if (rc != MILVUS_OK)
            cr_log_error("insert into %s: %s%s", name, res ? milvus_result_message(res) : "",
                         milvus_sync_last_error(s));
    }
    milvus_result_unref(res);
    for (int i = 0; i < 3; i++)
        milvus_column_free(cols[i]);
    free(ids);
    free(tags);
    free(vecs);
    return rc;
}

int mvt_index_load(milvus_sync *s, const char *name)
{
    milvus_index_options *io = milvus_index_options_new();
    milvus_result *res = NULL;
    int64_t until = mvt_now_ms() + 20000;
    int rc;
    milvus_index_options_set_metric(io, "L2");
    rc = milvus_sync_create_index(s, name, "vec", io, &res);
    milvus_index_options_free(io);
    while (rc == MILVUS_OK) {
        int state;
        milvus_result_unref(res);
        res = NULL;
        rc = milvus_sync_describe_index(s, name, NULL, &res);
        if (rc != MILVUS_OK)
            break;
        state = milvus_result_index_count(res) ? (int)milvus_result_index_state(res, 0) : -1;
        if (state == MILVUS_INDEX_STATE_FINISHED)
            break;
        if (state == MILVUS_INDEX_STATE_FAILED || mvt_now_ms() > until)
            rc = MILVUS_ERR_TIMEOUT;
        else
            mvt_sleep_ms(50);
    }
    if (rc != MILVUS_OK)
        cr_log_error("index %s: %s%s", name, res ? milvus_result_message(res) : "",
                     milvus_sync_last_error(s));
    milvus_result_unref(res);
    return rc == MILVUS_OK ? mvt_load(s, name) : rc;
}

int mvt_load(milvus_sync *s, const char *name)
{
    milvus_result *res = NULL;
    int64_t until = mvt_now_ms() + 20000;
    int rc = milvus_sync_load_collection(s, name, NULL, &res);
    while (rc == MILVUS_OK) {
        milvus_result_unref(res);
        res = NULL;
        rc = milvus_sync_get_load_state(s, name, &res);
        if (rc != MILVUS_OK || milvus_result_int64(res) == MILVUS_LOAD_STATE_LOADED)
            break;
        if (mvt_now_ms() > until)
            rc = MILVUS_ERR_TIMEOUT;
        else
            mvt_sleep_ms(50);
    }
    if (rc != MILVUS_OK)
        cr_log_error("load %s: %s%s", name, res ? milvus_result_message(res) : "",
                     milvus_sync_last_error(s));
    milvus_result_unref(res);
    return rc;
}

int mvt_fixture(milvus_sync *s, const char *name, size_t n)
{
    int rc = mvt_create(s, name);
    if (rc == MILVUS_OK && n)
        rc = mvt_insert(s, name, 0, n);
    if (rc == MILVUS_OK)
        rc = mvt_index_load(s, name);
    return rc;
}

int64_t mvt_count(milvus_sync *s, const char *name, const char *filter)
{
    milvus_result *res = NULL;
    int64_t n = -1;
    if (milvus_sync_count(s, name, filter, &res) == MILVUS_OK)
        n = milvus_result_int64(res);
    else
        cr_log_error("count %s: %s%s", name, res ? milvus_result_message(res) : "",
                     milvus_sync_last_error(s));
    milvus_result_unref(res);
    return n;
}

int64_t mvt_top_hit(milvus_sync *s, const char *name, int64_t id)
{
    float v[MVT_DIM];
    milvus_column *q = NULL;
    milvus_search_options *so = milvus_search_options_new();
    milvus_result *res = NULL;
    int64_t hit = -1;
    mvt_vector(id, v);
    if (so && milvus_column_new_float_vector(&q, "vec", MVT_DIM, v, 1) == MILVUS_OK &&
        milvus_search_options_set_vectors(so, q) == MILVUS_OK &&
        milvus_search_options_set_limit(so, 1) == MILVUS_OK &&
        milvus_search_options_set_consistency(so, MILVUS_CONSISTENCY_STRONG) == MILVUS_OK &&
        milvus_sync_search(s, name, so, &res) == MILVUS_OK && milvus_result_hit_count(res, 0))
        milvus_column_get_int(milvus_result_hit_ids(res, 0), 0, &hit);
    milvus_result_unref(res);
    milvus_column_free(q);
    milvus_search_options_free(so);
    return hit;
}

int mvt_eventually(int (*fn)(void *), void *arg, int64_t ms)
{
    int64_t until = mvt_now_ms() + ms;
    int v;
    while (!(v = fn(arg)) && mvt_now_ms() < until)
        mvt_sleep_ms(20);
    return v;
}
