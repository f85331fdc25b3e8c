/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Fault-case tests of the libmilvus transport against a scripted raw HTTP/2
 * server (tests/fault/h2_fault_server.py, on the h2 package of the test
 * suite's Python environment).
 *
 * Each test starts its own server on 127.0.0.1 port 0, points a channel at
 * it, drives one misbehaviour and checks
 *   - the milvus_status, the gRPC code and the message of the reply,
 *   - that the completion callback ran exactly once (the loop keeps running
 *     for a while after completion, and after the channel is freed, to
 *     catch a second invocation),
 *   - that a later normal call on the same channel works where the
 *     connection should recover,
 *   - what reached the server (its "stats" scenario), where that matters.
 * Leaks are caught by running this program under valgrind and ASan (see
 * the report / tests/fault/local.mk).
 *
 * Without h2 every test is skipped with the reason, unless
 * MILVUS_REQUIRE_PEERS=1, then it fails.
 */
#include "config.h"

#include <criterion/criterion.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/prctl.h>
#include <sys/time.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <event2/event.h>

#include <milvus/channel.h>
#include <milvus/common.h>
#include <milvus/options.h>

/* Under --enable-sanitizers leaks are checked at the end of every test:
 * LeakSanitizer's own report at exit does not fail a Criterion test. */
#if defined(__SANITIZE_ADDRESS__)
#define MV_LSAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define MV_LSAN 1
#endif
#endif
#ifdef MV_LSAN
#include <sanitizer/lsan_interface.h>
#endif

/* The test suite's Python (the virtual environment made from
 * tests/requirements.txt, with h2), exported by the Makefile. */
static const char *python(void)
{
    const char *p = getenv("MILVUS_TEST_PYTHON");
    return p && *p ? p : "/usr/bin/python3";
}
#define CALL_CAP_MS 8000 /* no single call of these tests may take longer */
#define SETTLE_MS 150    /* loop time after completion to catch a 2nd callback */
#define MAX_CALLS 16

#ifndef FAULT_SRCDIR
#define FAULT_SRCDIR "."
#endif

/* ---- the scripted server ----------------------------------------------- */

struct fault_server {
    pid_t pid;
    int port;
    int stdin_fd; /* the server exits when this is closed */
};

static struct fault_server g_srv = {.pid = -1, .port = 0, .stdin_fd = -1};
static char g_tmpdir[64];

static const char *script_path(void)
{
    static char path[4096];
    const char *top = getenv("top_srcdir");

    snprintf(path, sizeof path, "%s/tests/fault/h2_fault_server.py", top ? top : FAULT_SRCDIR);
    return path;
}

/* Skip (or fail under MILVUS_REQUIRE_PEERS=1) when a peer is missing. */
static void peer_missing(const char *why)
{
    const char *req = getenv("MILVUS_REQUIRE_PEERS");

    if (req && strcmp(req, "1") == 0) {
        cr_assert_fail("required peer missing: %s", why);
    }
    cr_skip_test("%s", why);
}

/* Reads the first line of the child's stdout (its port, or "SKIP why")
 * within 10 s; returns 0 on success. */
static int read_line(int fd, char *line, size_t cap)
{
    size_t n = 0;

    while (n < cap - 1) {
        struct pollfd pfd = {.fd = fd, .events = POLLIN};

        if (poll(&pfd, 1, 10000) <= 0 || read(fd, line + n, 1) != 1) {
            break;
        }
        if (line[n] == '\n') {
            line[n] = '\0';
            return 0;
        }
        n++;
    }
    line[n] = '\0';
    return -1;
}

static void server_stop(void);

/* Starts the server with extra CLI arguments (NULL-terminated list). */
static void server_start(const char *const *extra)
{
    const char *argv[32];
    int out[2], in[2];
    size_t argc = 0;
    pid_t pid;

    if (access(python(), X_OK) != 0) {
        peer_missing("the test Python (MILVUS_TEST_PYTHON) was not found: make check makes it "
                     "from tests/requirements.txt");
    }
    cr_assert(access(script_path(), R_OK) == 0, "fault server script %s not readable",
              script_path());
    argv[argc++] = python();
    argv[argc++] = script_path();
    if (getenv("FAULT_VERBOSE")) {
        argv[argc++] = "-v";
    }
    for (; extra && *extra && argc < 30; extra++) {
        argv[argc++] = *extra;
    }
    argv[argc] = NULL;

    cr_assert(pipe(out) == 0 && pipe(in) == 0, "pipe: %s", strerror(errno));
    pid = fork();
    cr_assert(pid >= 0, "fork: %s", strerror(errno));
    if (pid == 0) {
        /* never outlive the test process */
        prctl(PR_SET_PDEATHSIG, SIGKILL);
        dup2(in[0], 0);
        dup2(out[1], 1);
        close(in[0]);
        close(in[1]);
        close(out[0]);
        close(out[1]);
        execv(python(), (char *const *)argv);
        _exit(127);
    }
    close(in[0]);
    close(out[1]);
    g_srv.pid = pid;
    g_srv.stdin_fd = in[1];
    fcntl(in[1], F_SETFD, FD_CLOEXEC);
    char line[256];
    int rc = read_line(out[0], line, sizeof line);
    close(out[0]);
    if (rc == 0 && strncmp(line, "SKIP ", 5) == 0) {
        server_stop();
        peer_missing(line + 5);
    }
    g_srv.port = rc == 0 ? atoi(line) : 0;
    cr_assert(g_srv.port > 0, "fault server did not report its port (got '%s')", line);
}

static void server_stop(void)
{
    if (g_srv.pid <= 0) {
        return;
    }
    if (g_srv.stdin_fd >= 0) {
        close(g_srv.stdin_fd);
        g_srv.stdin_fd = -1;
    }
    kill(g_srv.pid, SIGTERM);
    waitpid(g_srv.pid, NULL, 0);
    g_srv.pid = -1;
}

/* Waits (bounded) for the server process to die by itself ("kill"). */
static int server_exited(int ms)
{
    for (int i = 0; i < ms / 10; i++) {
        if (waitpid(g_srv.pid, NULL, WNOHANG) == g_srv.pid) {
            g_srv.pid = -1;
            return 1;
        }
        usleep(10000);
    }
    return 0;
}

/* A throw-away self-signed certificate for localhost / 127.0.0.1. */
static void make_cert(char *cert, char *key, size_t len)
{
    char cmd[1024];

    snprintf(g_tmpdir, sizeof g_tmpdir, "/tmp/mv-fault-XXXXXX");
    cr_assert_not_null(mkdtemp(g_tmpdir));
    snprintf(cert, len, "%s/cert.pem", g_tmpdir);
    snprintf(key, len, "%s/key.pem", g_tmpdir);
    snprintf(cmd, sizeof cmd,
             "openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 1 "
             "-subj /CN=localhost -addext subjectAltName=DNS:localhost,IP:127.0.0.1 "
             "-keyout %s -out %s >/dev/null 2>&1",
             key, cert);
    if (system(cmd) != 0) {
        cr_skip_test("openssl CLI failed to make a test certificate (apt-get install openssl)");
    }
}

static void remove_tmpdir(void)
{
    char cmd[128];

    if (g_tmpdir[0] == '\0') {
        return;
    }
    snprintf(cmd, sizeof cmd, "rm -rf %s", g_tmpdir);
    if (system(cmd) != 0) {
        /* leftover scratch files are harmless */
    }
    g_tmpdir[0] = '\0';
}

/* ---- the client side ----------------------------------------------------- */

struct call_rec {
    int count; /* completion callbacks seen: must end at exactly 1 */
    int status;
    int grpc_code;
    int attempts;
    char msg[512];
    uint8_t *data;
    size_t len;
    int has_data;
    char conn[16];   /* x-fault-conn response header */
    char pingack[8]; /* x-fault-ping-acked */
    struct timespec t0, t1;
};

struct fx {
    struct event_base *base;
    milvus_options *opts;
    milvus_channel *ch;
    struct call_rec rec[MAX_CALLS];
};

static struct fx g_fx;

/* Timing bounds are multiplied by $FAULT_SLOW (valgrind sets 8). */
static double slow(void)
{
    const char *v = getenv("FAULT_SLOW");
    double f = v ? atof(v) : 1.0;

    return f >= 1.0 ? f : 1.0;
}

static double elapsed_ms(const struct call_rec *r)
{
    return (double)(r->t1.tv_sec - r->t0.tv_sec) * 1e3 +
           (double)(r->t1.tv_nsec - r->t0.tv_nsec) / 1e6;
}

static void copy_header(const milvus_reply *r, const char *name, char *dst, size_t cap)
{
    size_t len = 0;
    const uint8_t *v = milvus_reply_header(r, name, 0, &len);

    dst[0] = '\0';
    if (v == NULL) {
        return;
    }
    if (len >= cap) {
        len = cap - 1;
    }
    memcpy(dst, v, len);
    dst[len] = '\0';
}

static void on_reply(milvus_channel *ch, int status, const milvus_reply *r, void *ctx)
{
    struct call_rec *rec = ctx;
    const uint8_t *d;
    size_t len = 0;

    (void)ch;
    clock_gettime(CLOCK_MONOTONIC, &rec->t1);
    rec->count++;
    if (rec->count > 1) {
        return; /* keep the first result; the count exposes the bug */
    }
    rec->status = status;
    rec->grpc_code = milvus_reply_grpc_code(r);
    rec->attempts = milvus_reply_attempts(r);
    snprintf(rec->msg, sizeof rec->msg, "%s", milvus_reply_message(r));
    d = milvus_reply_data(r, &len);
    if (d != NULL) {
        rec->has_data = 1;
        rec->data = malloc(len ? len : 1);
        cr_assert_not_null(rec->data);
        memcpy(rec->data, d, len);
        rec->len = len;
    }
    copy_header(r, "x-fault-conn", rec->conn, sizeof rec->conn);
    copy_header(r, "x-fault-ping-acked", rec->pingack, sizeof rec->pingack);
}

struct waiter {
    struct fx *f;
    int n;
    int done;
};

static void tick(evutil_socket_t fd, short what, void *arg)
{
    struct waiter *w = arg;
    int all = 1;

    (void)fd;
    (void)what;
    for (int i = 0; i < w->n; i++) {
        if (w->f->rec[i].count == 0) {
            all = 0;
        }
    }
    if (all) {
        w->done = 1;
        event_base_loopbreak(w->f->base);
    }
}

/* Runs the loop until rec[0..n-1] have all completed or cap_ms passed,
 * then SETTLE_MS more so that a second completion would be seen. */
static void run_until_done(struct fx *f, int n, int cap_ms)
{
    struct waiter w = {.f = f, .n = n, .done = 0};
    struct timeval period = {0, 5000};
    long cap_scaled = (long)(cap_ms * slow());
    struct timeval cap = {cap_scaled / 1000, (cap_scaled % 1000) * 1000};
    struct timeval settle = {0, SETTLE_MS * 1000};
    struct event *t = event_new(f->base, -1, EV_PERSIST, tick, &w);

    cr_assert_not_null(t);
    event_add(t, &period);
    event_base_loopexit(f->base, &cap);
    event_base_dispatch(f->base);
    event_free(t);
    event_base_loopexit(f->base, &settle);
    event_base_dispatch(f->base);
    for (int i = 0; i < n; i++) {
        cr_assert_eq(f->rec[i].count, 1,
                     "call %d: completion callback ran %d times (must be exactly once)", i,
                     f->rec[i].count);
    }
}

static void reset_rec(struct call_rec *r)
{
    free(r->data);
    memset(r, 0, sizeof *r);
}

static void fx_options(struct fx *f)
{
    f->base = event_base_new();
    cr_assert_not_null(f->base);
    f->opts = milvus_options_new();
    cr_assert_not_null(f->opts);
    cr_assert_eq(milvus_options_set_address(f->opts, "127.0.0.1", g_srv.port), MILVUS_OK);
    /* fast reconnects keep recovery checks short */
    cr_assert_eq(milvus_options_set_reconnect_backoff(f->opts, 20, 200, 1.6), MILVUS_OK);
    cr_assert_eq(milvus_options_set_connect_timeout_ms(f->opts, 3000), MILVUS_OK);
}

static void fx_channel(struct fx *f)
{
    int rc = milvus_channel_new(&f->ch, f->base, f->opts);

    cr_assert_eq(rc, MILVUS_OK, "milvus_channel_new: %s", milvus_strerror(rc));
}

/* Submits a unary call to /fault.Test/<scenario> into rec[i]. */
static void submit(struct fx *f, int i, const char *scenario, const void *req, size_t len,
                   int64_t timeout_ms, int retry)
{
    char path[128];
    milvus_call_options *co = milvus_call_options_new();
    int rc;

    cr_assert_not_null(co);
    reset_rec(&f->rec[i]);
    snprintf(path, sizeof path, "/fault.Test/%s", scenario);
    if (timeout_ms >= 1000) {
        timeout_ms = (int64_t)((double)timeout_ms * slow()); /* only the short ones are tested */
    }
    if (timeout_ms > 0) {
        cr_assert_eq(milvus_call_options_set_timeout_ms(co, timeout_ms), MILVUS_OK);
    }
    if (retry >= 0) {
        cr_assert_eq(milvus_call_options_set_retry(co, retry), MILVUS_OK);
    }
    clock_gettime(CLOCK_MONOTONIC, &f->rec[i].t0);
    rc = milvus_channel_unary(f->ch, path, req, len, co, on_reply, &f->rec[i]);
    milvus_call_options_free(co);
    cr_assert_eq(rc, MILVUS_OK, "submit %s: %s (%s)", scenario, milvus_strerror(rc),
                 milvus_channel_last_error(f->ch));
    cr_assert_eq(f->rec[i].count, 0, "callback ran inside the submitting function");
}

/* One call, run to completion. */
static struct call_rec *call1(struct fx *f, const char *scenario, const void *req, size_t len,
                              int64_t timeout_ms)
{
    submit(f, 0, scenario, req, len, timeout_ms, -1);
    run_until_done(f, 1, CALL_CAP_MS);
    return &f->rec[0];
}

static void expect_ok_echo(const struct call_rec *r, const void *req, size_t len)
{
    cr_assert_eq(r->status, MILVUS_OK, "status %d (%s), grpc %d, msg '%s'", r->status,
                 milvus_strerror(r->status), r->grpc_code, r->msg);
    cr_assert_eq(r->grpc_code, MILVUS_GRPC_OK);
    cr_assert(r->has_data, "no response message");
    cr_assert_eq(r->len, len, "response of %zu bytes, expected %zu", r->len, len);
    cr_assert(len == 0 || memcmp(r->data, req, len) == 0, "response differs from the request");
}

/* A normal call on the same channel works (recovery after a fault). */
static void expect_recovers(struct fx *f)
{
    static const char req[] = "after the fault";
    struct call_rec *r = call1(f, "echo", req, sizeof req - 1, 5000);

    expect_ok_echo(r, req, sizeof req - 1);
}

static void expect_failure(const struct call_rec *r, int status, int grpc_code)
{
    cr_assert_eq(r->status, status, "status %d (%s), expected %d (%s); grpc %s, msg '%s'",
                 r->status, milvus_strerror(r->status), status, milvus_strerror(status),
                 milvus_grpc_code_name(r->grpc_code), r->msg);
    cr_assert_eq(r->grpc_code, grpc_code, "grpc code %s, expected %s; msg '%s'",
                 milvus_grpc_code_name(r->grpc_code), milvus_grpc_code_name(grpc_code), r->msg);
    cr_assert(r->msg[0] != '\0', "failure without a message");
}

/* The gRPC code is fixed, the milvus_status one of two (a stream-level
 * protocol violation may reasonably be reported either way). */
static void expect_failure2(const struct call_rec *r, int st1, int st2, int grpc_code)
{
    cr_assert(r->status == st1 || r->status == st2,
              "status %d (%s), expected %s or %s; grpc %s, msg '%s'", r->status,
              milvus_strerror(r->status), milvus_strerror(st1), milvus_strerror(st2),
              milvus_grpc_code_name(r->grpc_code), r->msg);
    cr_assert_eq(r->grpc_code, grpc_code, "grpc code %s, expected %s; msg '%s'",
                 milvus_grpc_code_name(r->grpc_code), milvus_grpc_code_name(grpc_code), r->msg);
    cr_assert(r->msg[0] != '\0', "failure without a message");
}

static int contains_ci(const char *hay, const char *needle)
{
    size_t n = strlen(needle);

    for (; *hay; hay++) {
        if (strncasecmp(hay, needle, n) == 0) {
            return 1;
        }
    }
    return 0;
}

/* The server's view: "key=value" lines from the stats scenario. */
static long server_stat(struct fx *f, const char *key, char *raw, size_t rawcap)
{
    static const char req[] = "stats";
    struct call_rec *r = call1(f, "stats", req, sizeof req - 1, 5000);
    char needle[96];
    const char *p;
    char *text;

    cr_assert_eq(r->status, MILVUS_OK, "stats call failed: %s '%s'", milvus_strerror(r->status),
                 r->msg);
    text = malloc(r->len + 2);
    cr_assert_not_null(text);
    text[0] = '\n';
    memcpy(text + 1, r->data, r->len);
    text[r->len + 1] = '\0';
    if (raw) {
        snprintf(raw, rawcap, "%s", text + 1);
    }
    snprintf(needle, sizeof needle, "\n%s=", key);
    p = strstr(text, needle);
    long v = p ? strtol(p + strlen(needle), NULL, 10) : -1;
    free(text);
    return v;
}

/* Frees the channel and checks nothing completes twice afterwards. */
static void fx_free_channel(struct fx *f)
{
    int counts[MAX_CALLS];
    struct timeval settle = {0, 50000};

    if (f->ch == NULL) {
        return;
    }
    for (int i = 0; i < MAX_CALLS; i++) {
        counts[i] = f->rec[i].count;
    }
    milvus_channel_free(f->ch);
    f->ch = NULL;
    event_base_loopexit(f->base, &settle);
    event_base_dispatch(f->base);
    for (int i = 0; i < MAX_CALLS; i++) {
        cr_assert(f->rec[i].count == counts[i] || (counts[i] == 0 && f->rec[i].count == 1),
                  "call %d completed again after the channel was freed", i);
    }
}

static void fx_teardown(void)
{
    struct fx *f = &g_fx;

    if (f->ch) {
        milvus_channel_free(f->ch);
        f->ch = NULL;
    }
    for (int i = 0; i < MAX_CALLS; i++) {
        reset_rec(&f->rec[i]);
    }
    milvus_options_free(f->opts);
    f->opts = NULL;
    if (f->base) {
        event_base_free(f->base);
        f->base = NULL;
    }
    server_stop();
    remove_tmpdir();
}

/* The end of every test: free everything, checking that nothing completes
 * after the free, then (sanitizer build) that nothing leaked.  Runs in the
 * test body because Criterion ignores assertions made in .fini. */
static void fx_done(void)
{
    fx_free_channel(&g_fx);
    fx_teardown();
#ifdef MV_LSAN
    cr_assert_eq(__lsan_do_recoverable_leak_check(), 0, "LeakSanitizer found leaks (report above)");
#endif
}

/* Starts a plaintext h2 server with the given extra arguments and a
 * channel on it. */
static struct fx *setup_h2(const char *const *extra)
{
    server_start(extra);
    fx_options(&g_fx);
    fx_channel(&g_fx);
    return &g_fx;
}

static const char MSG[] = "hello, fault server";
#define MSGLEN (sizeof MSG - 1)

TestSuite(fault, .fini = fx_teardown, .timeout = 120);

/* ---- control: the happy paths -------------------------------------------- */

Test(fault, echo_plaintext)
{
    struct fx *f = setup_h2(NULL);
    struct call_rec *r = call1(f, "echo", MSG, MSGLEN, 5000);

    expect_ok_echo(r, MSG, MSGLEN);
    cr_assert_str_eq(r->conn, "1", "served on connection '%s'", r->conn);
    cr_assert_eq(server_stat(f, "client_enable_push", NULL, 0), 0,
                 "client must send SETTINGS_ENABLE_PUSH=0");
    fx_done();
}

Test(fault, response_in_one_byte_data_frames)
{
    struct fx *f = setup_h2(NULL);
    uint8_t req[300];

    for (size_t i = 0; i < sizeof req; i++) {
        req[i] = (uint8_t)(i * 7 + 1);
    }
    expect_ok_echo(call1(f, "split1", req, sizeof req, 5000), req, sizeof req);
    expect_recovers(f);
    fx_done();
}

Test(fault, padded_data_frames)
{
    struct fx *f = setup_h2(NULL);
    uint8_t req[100];

    for (size_t i = 0; i < sizeof req; i++) {
        req[i] = (uint8_t)(255 - i);
    }
    expect_ok_echo(call1(f, "padded", req, sizeof req, 5000), req, sizeof req);
    fx_done();
}

/* ---- negative HTTP/2 interop --------------------------------------------- */

/* goaway: GOAWAY(last_stream_id = lowest) with three streams open; the two
 * above it were not processed and must be retried on a new connection. */
static void goaway_case(const char *scenario)
{
    const char *const args[] = {"--goaway-streams", "3", NULL};
    struct fx *f = setup_h2(args);
    char raw[1024];

    for (int i = 0; i < 3; i++) {
        submit(f, i, scenario, MSG, MSGLEN, 5000, -1);
    }
    run_until_done(f, 3, CALL_CAP_MS);
    int on_first = 0, on_second = 0;
    for (int i = 0; i < 3; i++) {
        expect_ok_echo(&f->rec[i], MSG, MSGLEN);
        on_first += strcmp(f->rec[i].conn, "1") == 0;
        on_second += strcmp(f->rec[i].conn, "2") == 0;
    }
    cr_assert_eq(on_first, 1, "exactly the stream at last_stream_id is served on conn 1");
    cr_assert_eq(on_second, 2, "the refused streams are retried on conn 2");
    expect_recovers(f);
    cr_assert_eq(server_stat(f, "conns", raw, sizeof raw), 2, "%s", raw);
    fx_done();
}

Test(fault, goaway_midflight)
{
    goaway_case("goaway");
}

Test(fault, goaway_double_grpc_go_pattern)
{
    goaway_case("goaway_double");
}

Test(fault, rst_after_header)
{
    struct fx *f = setup_h2(NULL);
    struct call_rec *r = call1(f, "rst_after_header", MSG, MSGLEN, 5000);

    expect_failure2(r, MILVUS_ERR_GRPC, MILVUS_ERR_PROTOCOL, MILVUS_GRPC_INTERNAL);
    cr_assert(contains_ci(r->msg, "RST_STREAM") || contains_ci(r->msg, "reset"),
              "message should name the stream reset: '%s'", r->msg);
    cr_assert_eq(r->attempts, 1, "committed after headers: no retry (attempts %d)", r->attempts);
    expect_recovers(f);
    fx_done();
}

Test(fault, rst_during_data)
{
    struct fx *f = setup_h2(NULL);
    uint8_t req[200];

    memset(req, 'd', sizeof req);
    struct call_rec *r = call1(f, "rst_during_data", req, sizeof req, 5000);

    expect_failure2(r, MILVUS_ERR_GRPC, MILVUS_ERR_PROTOCOL, MILVUS_GRPC_INTERNAL);
    cr_assert(!r->has_data || r->len == 0, "a partial message must not be delivered");
    expect_recovers(f);
    fx_done();
}

Test(fault, rst_after_data)
{
    struct fx *f = setup_h2(NULL);
    struct call_rec *r = call1(f, "rst_after_data", MSG, MSGLEN, 5000);

    /* the whole message arrived, but without trailers the call failed */
    expect_failure2(r, MILVUS_ERR_GRPC, MILVUS_ERR_PROTOCOL, MILVUS_GRPC_INTERNAL);
    expect_recovers(f);
    fx_done();
}

Test(fault, rst_refused_stream_is_retried_transparently)
{
    struct fx *f = setup_h2(NULL);
    char raw[1024];

    /* retries off: an unprocessed attempt is still retried */
    submit(f, 0, "refused", MSG, MSGLEN, 5000, 0);
    run_until_done(f, 1, CALL_CAP_MS);
    expect_ok_echo(&f->rec[0], MSG, MSGLEN);
    cr_assert_eq(server_stat(f, "path.refused", raw, sizeof raw), 2, "%s", raw);
    fx_done();
}

Test(fault, server_ping_is_acked)
{
    struct fx *f = setup_h2(NULL);
    struct call_rec *r = call1(f, "ping", MSG, MSGLEN, 3000);

    expect_ok_echo(r, MSG, MSGLEN);
    cr_assert_str_eq(r->pingack, "1");
    fx_done();
}

Test(fault, max_concurrent_streams_1_with_10_calls)
{
    const char *const args[] = {"--max-streams", "1", "--delay-ms", "20", NULL};
    struct fx *f = setup_h2(args);
    char raw[1024];

    /* one call first, so that the server's SETTINGS have been seen */
    expect_recovers(f);
    for (int i = 0; i < 10; i++) {
        submit(f, i, "delay", MSG, MSGLEN, 5000, -1);
    }
    run_until_done(f, 10, CALL_CAP_MS);
    for (int i = 0; i < 10; i++) {
        expect_ok_echo(&f->rec[i], MSG, MSGLEN);
    }
    cr_assert_eq(server_stat(f, "max_concurrent", raw, sizeof raw), 1, "%s", raw);
    cr_assert(strstr(raw, "protocol_errors=0\n") != NULL, "%s", raw);
    cr_assert(strstr(raw, "conns=1\n") != NULL, "one connection is enough: %s", raw);
    fx_done();
}

/* ---- status mapping ------------------------------------------------------- */

Test(fault, trailers_only_error)
{
    struct fx *f = setup_h2(NULL);
    struct call_rec *r = call1(f, "trailers_only", MSG, MSGLEN, 5000);

    expect_failure(r, MILVUS_ERR_GRPC, MILVUS_GRPC_NOT_FOUND);
    cr_assert_str_eq(r->msg, "no such thing: caf\xc3\xa9 100%");
    cr_assert(!r->has_data || r->len == 0);
    expect_recovers(f);
    fx_done();
}

Test(fault, trailers_without_grpc_status)
{
    struct fx *f = setup_h2(NULL);

    expect_failure2(call1(f, "no_status", MSG, MSGLEN, 5000), MILVUS_ERR_GRPC, MILVUS_ERR_PROTOCOL,
                    MILVUS_GRPC_INTERNAL);
    expect_recovers(f);
    fx_done();
}

Test(fault, end_stream_without_trailers)
{
    struct fx *f = setup_h2(NULL);

    expect_failure2(call1(f, "no_trailers", MSG, MSGLEN, 5000), MILVUS_ERR_GRPC,
                    MILVUS_ERR_PROTOCOL, MILVUS_GRPC_INTERNAL);
    expect_recovers(f);
    fx_done();
}

Test(fault, http_503_without_grpc_status)
{
    struct fx *f = setup_h2(NULL);
    struct call_rec *r = call1(f, "http503", MSG, MSGLEN, 5000);

    expect_failure(r, MILVUS_ERR_GRPC, MILVUS_GRPC_UNAVAILABLE);
    cr_assert(strstr(r->msg, "503") != NULL, "message should name HTTP 503: '%s'", r->msg);
    expect_recovers(f);
    fx_done();
}

Test(fault, http_404_without_grpc_status)
{
    struct fx *f = setup_h2(NULL);
    struct call_rec *r = call1(f, "http404", MSG, MSGLEN, 5000);

    expect_failure(r, MILVUS_ERR_GRPC, MILVUS_GRPC_UNIMPLEMENTED);
    cr_assert(strstr(r->msg, "404") != NULL, "message should name HTTP 404: '%s'", r->msg);
    expect_recovers(f);
    fx_done();
}

Test(fault, wrong_content_type_text_html)
{
    struct fx *f = setup_h2(NULL);
    struct call_rec *r = call1(f, "html", MSG, MSGLEN, 5000);

    cr_assert(r->status == MILVUS_ERR_GRPC || r->status == MILVUS_ERR_PROTOCOL,
              "status %s, msg '%s'", milvus_strerror(r->status), r->msg);
    cr_assert(r->grpc_code == MILVUS_GRPC_UNKNOWN || r->grpc_code == MILVUS_GRPC_INTERNAL,
              "grpc %s, msg '%s'", milvus_grpc_code_name(r->grpc_code), r->msg);
    cr_assert(contains_ci(r->msg, "content-type") || contains_ci(r->msg, "not a gRPC"),
              "the message should say the peer is not a gRPC server: '%s'", r->msg);
    expect_recovers(f);
    fx_done();
}

/* ---- deadlines and broken connections ------------------------------------- */

Test(fault, never_answers_deadline)
{
    struct fx *f = setup_h2(NULL);
    char raw[1024];
    struct call_rec *r;

    expect_recovers(f); /* connection up first: the deadline hits an open stream */
    r = call1(f, "hang", MSG, MSGLEN, 200);
    expect_failure(r, MILVUS_ERR_TIMEOUT, MILVUS_GRPC_DEADLINE_EXCEEDED);
    cr_assert(elapsed_ms(r) >= 190 && elapsed_ms(r) < 1500 * slow(),
              "deadline 200 ms, took %.0f ms", elapsed_ms(r));
    expect_recovers(f);
    server_stat(f, "conns", raw, sizeof raw);
    cr_assert(strstr(raw, "conns=1\n") != NULL, "the connection survives a deadline: %s", raw);
    /* under valgrind the stream may not have reached the server in 200 ms */
    if (slow() == 1.0 || strstr(raw, "path.hang=1") != NULL) {
        cr_assert(strstr(raw, "hang:8") != NULL,
                  "expected RST_STREAM(CANCEL) for the expired call: %s", raw);
    }
    fx_done();
}

Test(fault, server_closes_socket_mid_call)
{
    struct fx *f = setup_h2(NULL);
    struct call_rec *r = call1(f, "close", MSG, MSGLEN, 5000);

    expect_failure(r, MILVUS_ERR_DISCONNECTED, MILVUS_GRPC_UNAVAILABLE);
    cr_assert(elapsed_ms(r) < 3000 * slow(), "noticed after %.0f ms", elapsed_ms(r));
    expect_recovers(f);
    fx_done();
}

Test(fault, server_killed_mid_call)
{
    struct fx *f = setup_h2(NULL);
    struct call_rec *r = call1(f, "kill", MSG, MSGLEN, 5000);

    expect_failure(r, MILVUS_ERR_DISCONNECTED, MILVUS_GRPC_UNAVAILABLE);
    cr_assert(server_exited(2000), "the server should have exited");
    /* nothing listens any more: the next call fails cleanly, exactly once,
     * no later than its deadline */
    submit(f, 1, "echo", MSG, MSGLEN, 1000, 0);
    run_until_done(f, 2, CALL_CAP_MS);
    cr_assert_neq(f->rec[1].status, MILVUS_OK);
    cr_assert(elapsed_ms(&f->rec[1]) < 2500 * slow(), "took %.0f ms", elapsed_ms(&f->rec[1]));
    fx_done();
}

/* The peer is not an HTTP/2 server at all: a call on a connection that
 * was up fails fast (well before the deadline) with a transport error;
 * nothing is retried. */
static struct call_rec *not_h2_call(struct fx *f)
{
    cr_assert_eq(milvus_options_set_retry(f->opts, 1, 10, 10, 1.0), MILVUS_OK);
    fx_channel(f);
    submit(f, 0, "echo", MSG, MSGLEN, 4000, 0);
    run_until_done(f, 1, CALL_CAP_MS);
    cr_assert(elapsed_ms(&f->rec[0]) < 3000 * slow(),
              "failure took %.0f ms (deadline 4000): %s / %s '%s'", elapsed_ms(&f->rec[0]),
              milvus_strerror(f->rec[0].status), milvus_grpc_code_name(f->rec[0].grpc_code),
              f->rec[0].msg);
    return &f->rec[0];
}

/* The connection cannot be established (TLS handshake or ALPN): calls
 * queued for it fail at their own deadline, not earlier (wire.md,
 * "Reconnect"), with the connect error as status and message. */
static struct call_rec *no_connection_call(struct fx *f)
{
    struct call_rec *r = &f->rec[0];
    double deadline = 1500 * slow();

    fx_channel(f);
    submit(f, 0, "echo", MSG, MSGLEN, 1500, -1);
    run_until_done(f, 1, CALL_CAP_MS);
    cr_assert(elapsed_ms(r) >= deadline - 50 && elapsed_ms(r) < deadline + 1000 * slow(),
              "failed after %.0f ms (deadline %.0f): %s / %s '%s'", elapsed_ms(r), deadline,
              milvus_strerror(r->status), milvus_grpc_code_name(r->grpc_code), r->msg);
    return r;
}

/* A peer that does not speak HTTP/2 broke the protocol: MILVUS_ERR_PROTOCOL
 * (not a plain "connection lost"); the gRPC code of a connection-level
 * failure is UNAVAILABLE in grpc-go/grpc-core, INTERNAL is accepted too. */
static void expect_not_h2(const struct call_rec *r)
{
    cr_assert_eq(r->status, MILVUS_ERR_PROTOCOL, "status %s, expected %s; grpc %s, msg '%s'",
                 milvus_strerror(r->status), milvus_strerror(MILVUS_ERR_PROTOCOL),
                 milvus_grpc_code_name(r->grpc_code), r->msg);
    cr_assert(r->grpc_code == MILVUS_GRPC_UNAVAILABLE || r->grpc_code == MILVUS_GRPC_INTERNAL,
              "grpc %s, msg '%s'", milvus_grpc_code_name(r->grpc_code), r->msg);
    cr_assert(r->msg[0] != '\0');
}

Test(fault, garbage_bytes_instead_of_http2)
{
    const char *const args[] = {"--mode", "garbage", NULL};
    server_start(args);
    fx_options(&g_fx);
    struct call_rec *r = not_h2_call(&g_fx);

    expect_not_h2(r);
    fx_done();
}

Test(fault, http1_rest_port)
{
    const char *const args[] = {"--mode", "http1", NULL};
    server_start(args);
    fx_options(&g_fx);
    struct call_rec *r = not_h2_call(&g_fx);

    expect_not_h2(r);
    fx_done();
}

/* ---- TLS ------------------------------------------------------------------- */

static void tls_server(const char *alpn, int client_tls, char *cert, size_t len)
{
    char key[256];

    make_cert(cert, key, len);
    if (alpn) {
        const char *const args[] = {"--tls", cert, key, "--alpn", alpn, NULL};
        server_start(args);
    } else {
        server_start(NULL);
    }
    fx_options(&g_fx);
    if (client_tls) {
        cr_assert_eq(milvus_options_set_tls(g_fx.opts, 1), MILVUS_OK);
        cr_assert_eq(milvus_options_set_ca_file(g_fx.opts, cert), MILVUS_OK);
        cr_assert_eq(milvus_options_set_server_name(g_fx.opts, "localhost"), MILVUS_OK);
    }
}

Test(fault, tls_echo)
{
    char cert[256];

    tls_server("h2", 1, cert, sizeof cert);
    fx_channel(&g_fx);
    expect_ok_echo(call1(&g_fx, "echo", MSG, MSGLEN, 5000), MSG, MSGLEN);
    fx_done();
}

Test(fault, tls_client_to_plaintext_port)
{
    char cert[256];

    tls_server(NULL, 1, cert, sizeof cert);
    struct call_rec *r = no_connection_call(&g_fx);

    expect_failure(r, MILVUS_ERR_TLS, MILVUS_GRPC_UNAVAILABLE);
    cr_assert(contains_ci(r->msg, "TLS"), "the message should name TLS: '%s'", r->msg);
    fx_done();
}

Test(fault, plaintext_client_to_tls_port)
{
    char cert[256];

    tls_server("h2", 0, cert, sizeof cert);
    struct call_rec *r = not_h2_call(&g_fx);

    expect_failure2(r, MILVUS_ERR_PROTOCOL, MILVUS_ERR_DISCONNECTED, MILVUS_GRPC_UNAVAILABLE);
    fx_done();
}

Test(fault, tls_wrong_alpn_http11)
{
    char cert[256];

    tls_server("http/1.1", 1, cert, sizeof cert);
    struct call_rec *r = no_connection_call(&g_fx);

    expect_failure(r, MILVUS_ERR_TLS, MILVUS_GRPC_UNAVAILABLE);
    cr_assert(contains_ci(r->msg, "ALPN") || contains_ci(r->msg, "h2"),
              "the message should name ALPN: '%s'", r->msg);
    fx_done();
}

Test(fault, tls_no_alpn)
{
    char cert[256];

    tls_server("none", 1, cert, sizeof cert);
    struct call_rec *r = no_connection_call(&g_fx);

    expect_failure(r, MILVUS_ERR_TLS, MILVUS_GRPC_UNAVAILABLE);
    cr_assert(contains_ci(r->msg, "ALPN") || contains_ci(r->msg, "h2"),
              "the message should name ALPN: '%s'", r->msg);
    fx_done();
}

/* ---- message size limits --------------------------------------------------- */

Test(fault, oversize_request_fails_synchronously)
{
    struct fx *f;
    char raw[1024];
    static uint8_t big[4096];
    int rc;

    server_start(NULL);
    f = &g_fx;
    fx_options(f);
    cr_assert_eq(milvus_options_set_max_send_size(f->opts, 1024), MILVUS_OK);
    fx_channel(f);
    reset_rec(&f->rec[0]);
    rc = milvus_channel_unary(f->ch, "/fault.Test/echo", big, sizeof big, NULL, on_reply,
                              &f->rec[0]);
    cr_assert_eq(rc, MILVUS_ERR_TOO_LARGE, "got %s", milvus_strerror(rc));
    cr_assert(strstr(milvus_channel_last_error(f->ch), "1024") != NULL,
              "last error should name the limit: '%s'", milvus_channel_last_error(f->ch));
    cr_assert_eq(milvus_channel_pending(f->ch), 0);
    /* nothing was sent: the server sees only the stats call */
    cr_assert_eq(server_stat(f, "streams", raw, sizeof raw), 1, "%s", raw);
    cr_assert(strstr(raw, "path.echo=") == NULL, "%s", raw);
    /* rec[0] was reused by the stats call: count is that call's only */
    fx_done();
}

Test(fault, oversize_response_resource_exhausted)
{
    const char *const args[] = {"--big-size", "1048576", NULL};
    struct fx *f;
    struct call_rec *r;

    server_start(args);
    f = &g_fx;
    fx_options(f);
    cr_assert_eq(milvus_options_set_max_recv_size(f->opts, 65536), MILVUS_OK);
    fx_channel(f);
    r = call1(f, "big", MSG, MSGLEN, 5000);
    cr_assert(r->status == MILVUS_ERR_GRPC || r->status == MILVUS_ERR_TOO_LARGE,
              "status %s, msg '%s'", milvus_strerror(r->status), r->msg);
    cr_assert_eq(r->grpc_code, MILVUS_GRPC_RESOURCE_EXHAUSTED, "grpc %s, msg '%s'",
                 milvus_grpc_code_name(r->grpc_code), r->msg);
    cr_assert(strstr(r->msg, "65536") != NULL, "message should name the limit: '%s'", r->msg);
    cr_assert_eq(r->attempts, 1, "never retried");
    expect_recovers(f);
    fx_done();
}

/* HPACK lets 4 KB of HEADERS decode to 12 MB: the client stops at its
 * limit (the one it announces in SETTINGS_MAX_HEADER_LIST_SIZE), and the
 * connection goes on. */
Test(fault, response_headers_past_the_header_list_limit)
{
    struct fx *f = setup_h2(NULL);
    struct call_rec *r = call1(f, "header_bomb", MSG, MSGLEN, 5000);
    char raw[1024];

    expect_failure(r, MILVUS_ERR_PROTOCOL, MILVUS_GRPC_RESOURCE_EXHAUSTED);
    cr_assert_str_eq(r->msg, "response headers exceed 1 MiB (SETTINGS_MAX_HEADER_LIST_SIZE)");
    expect_recovers(f);
    server_stat(f, "conns", raw, sizeof raw);
    cr_assert(strstr(raw, "conns=1\n") != NULL, "the connection survives: %s", raw);
    fx_done();
}

/* Trailers arrive while a 4 MiB request is still being sent (the server
 * opens no flow-control window): the status comes from those trailers. */
static void early_trailers_case(const char *scenario)
{
    struct fx *f = setup_h2(NULL);
    size_t len = 4u << 20;
    uint8_t *big = calloc(1, len);
    char raw[1024];

    cr_assert_not_null(big);
    submit(f, 0, scenario, big, len, 5000, -1);
    free(big);
    run_until_done(f, 1, CALL_CAP_MS);
    expect_failure(&f->rec[0], MILVUS_ERR_GRPC, MILVUS_GRPC_RESOURCE_EXHAUSTED);
    cr_assert_str_eq(f->rec[0].msg, "grpc: received message larger than max (4194309 vs. 65536)");
    cr_assert_eq(f->rec[0].attempts, 1, "never retried");
    expect_recovers(f);
    server_stat(f, "conns", raw, sizeof raw);
    cr_assert(strstr(raw, "conns=1\n") != NULL, "the connection survives: %s", raw);
    if (strcmp(scenario, "early_trailers_norst") == 0) {
        cr_assert(strstr(raw, "early_trailers_norst:0") != NULL,
                  "client must stop sending with RST_STREAM(NO_ERROR): %s", raw);
    }
    fx_done();
}

Test(fault, early_trailers_then_server_rst_no_error)
{
    early_trailers_case("early_trailers");
}

Test(fault, early_trailers_client_resets_no_error)
{
    early_trailers_case("early_trailers_norst");
}

/* ---- large responses that stop half-way ----------------------------------
 * While a large message arrives the client raises the socket's receive
 * low-water mark (fewer, larger reads).  A server that stops sending in the
 * middle and then sends only a small frame must still be heard at once, not
 * at the call deadline (5 s here). */

#define STALL_MS 150
#define BIG_LEN (4u << 20)

/* The message of the big_* scenarios: byte i is i % 251. */
static void expect_pattern(const struct call_rec *r, size_t len)
{
    cr_assert_eq(r->status, MILVUS_OK, "status %s, grpc %s, msg '%s'", milvus_strerror(r->status),
                 milvus_grpc_code_name(r->grpc_code), r->msg);
    cr_assert(r->has_data, "no response message");
    cr_assert_eq(r->len, len, "response of %zu bytes, expected %zu", r->len, len);
    for (size_t i = 0; i < len; i++) {
        if (r->data[i] != (uint8_t)(i % 251)) {
            cr_assert_fail("response byte %zu is %u, expected %u", i, r->data[i],
                           (unsigned)(i % 251));
        }
    }
}

static struct fx *setup_stall(void)
{
    static char size[16], stall[16];
    snprintf(size, sizeof size, "%u", BIG_LEN);
    snprintf(stall, sizeof stall, "%d", STALL_MS);
    const char *const args[] = {"--big-size", size, "--big-part", "1048576", "--stall-ms", stall,
                                "--rst-code", "2",  "--delay-ms", "100",     NULL};
    return setup_h2(args);
}

/* The frame sent after after_ms was acted on soon after it: within a
 * second (python and a busy machine add a few hundred ms to the server's
 * own timing), long before the 5 s deadline the call would otherwise
 * hit. */
static void expect_heard_soon(const struct call_rec *r, int after_ms)
{
    double ms = elapsed_ms(r), cap = (after_ms + 1000) * slow();
    cr_assert(ms < cap, "took %.0f ms: the frame sent after %d ms was not seen within %.0f ms", ms,
              after_ms, cap);
}

Test(fault, rst_after_stall_in_large_message_is_seen_at_once)
{
    struct fx *f = setup_stall();
    struct call_rec *r = call1(f, "big_stall_rst", MSG, MSGLEN, 5000);

    expect_failure2(r, MILVUS_ERR_GRPC, MILVUS_ERR_PROTOCOL, MILVUS_GRPC_INTERNAL);
    cr_assert(contains_ci(r->msg, "INTERNAL_ERROR"), "should name the RST_STREAM code: '%s'",
              r->msg);
    expect_heard_soon(r, STALL_MS);
    expect_recovers(f);
    fx_done();
}

Test(fault, goaway_after_stall_in_large_message_is_seen_at_once)
{
    struct fx *f = setup_stall();
    struct call_rec *r = call1(f, "big_stall_goaway", MSG, MSGLEN, 5000);

    cr_assert_neq(r->status, MILVUS_OK, "the stream above last_stream_id cannot succeed");
    cr_assert_neq(r->status, MILVUS_ERR_TIMEOUT, "GOAWAY not seen before the deadline: '%s'",
                  r->msg);
    expect_heard_soon(r, STALL_MS);
    expect_recovers(f);
    fx_done();
}

/* The server sends the rest only after our PING ACK: a reader waiting for
 * more of the message before acking would wait until the deadline. */
Test(fault, ping_after_stall_in_large_message_is_acked_at_once)
{
    struct fx *f = setup_stall();
    struct call_rec *r = call1(f, "big_stall_ping", MSG, MSGLEN, 5000);

    expect_pattern(r, BIG_LEN);
    expect_heard_soon(r, STALL_MS);
    fx_done();
}

/* Another stream's small reply arrives while a large message on the same
 * connection is stalled half-way. */
Test(fault, small_reply_during_stalled_large_message)
{
    struct fx *f = setup_stall();
    char raw[1024];

    submit(f, 0, "big_stall_rst", MSG, MSGLEN, 5000, -1);
    submit(f, 1, "delay", MSG, MSGLEN, 5000, -1);
    run_until_done(f, 2, CALL_CAP_MS);
    expect_ok_echo(&f->rec[1], MSG, MSGLEN);
    expect_heard_soon(&f->rec[1], 100);
    expect_failure2(&f->rec[0], MILVUS_ERR_GRPC, MILVUS_ERR_PROTOCOL, MILVUS_GRPC_INTERNAL);
    expect_heard_soon(&f->rec[0], STALL_MS);
    cr_assert_eq(server_stat(f, "conns", raw, sizeof raw), 1, "one connection for both: %s", raw);
    fx_done();
}

/* 1 MiB in 8 KiB DATA frames, one every 2 ms: arrives complete, in about
 * the time the server takes to send it. */
Test(fault, large_message_in_small_slow_pieces)
{
    const char *const args[] = {"--big-size", "1048576", "--piece-size", "8192", "--piece-ms",
                                "2",          NULL};
    struct fx *f = setup_h2(args);
    struct call_rec *r = call1(f, "big_slow", MSG, MSGLEN, 5000);

    expect_pattern(r, 1u << 20);
    expect_heard_soon(r, 300); /* 129 pieces at >= 2 ms */
    expect_recovers(f);
    fx_done();
}
