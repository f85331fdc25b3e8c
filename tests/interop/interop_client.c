/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The gRPC interop test client for the libmilvus transport.
 *
 * Runs the standard interop cases (grpc/grpc doc/interop-test-descriptions.md)
 * that fit a unary + server-streaming client against any grpc.testing
 * TestService server, through the public channel API (<milvus/channel.h>).
 * Bidirectional cases are adapted to StreamingOutputCall, as grpc-web does.
 *
 *   interop_client --server_host=127.0.0.1 --server_port=N --test_case=all
 *                  [--use_tls=true --ca_file=F --server_host_override=NAME]
 *                  [--client_cert=F --client_key=F] [--num_calls=N]
 *                  [--pool_size=N] [--call_timeout_ms=N] [--verbose=true]
 *
 * Prints "PASS <case> ..." per case; on the first failure prints ONE line
 * "FAIL <case>: <reason>" and exits 1 (2 for bad arguments).  The client
 * is single-threaded: one event_base, one channel for every case.
 */
#define _POSIX_C_SOURCE 200809L

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <event2/event.h>

#include <milvus/channel.h>
#include <milvus/options.h>

#include "grpc_testing.pb-c.h"

#define PATH_EMPTY "/grpc.testing.TestService/EmptyCall"
#define PATH_UNARY "/grpc.testing.TestService/UnaryCall"
#define PATH_STREAM "/grpc.testing.TestService/StreamingOutputCall"
#define PATH_UNIMPL_METHOD "/grpc.testing.TestService/UnimplementedCall"
#define PATH_UNIMPL_SERVICE "/grpc.testing.UnimplementedService/UnimplementedCall"

#define LARGE_REQ 271828
#define LARGE_RESP 314159
#define CALL_TIMEOUT_MS 20000        /* default for ordinary calls: a hang fails */
#define WATCHDOG_S 130               /* a case waiting longer has lost a callback */
#define CONCURRENT_TIMEOUT_MS 120000 /* 1000 x 586 KB on one connection, on a busy CI machine */
#define MANY_WINDOW 32               /* many_unary: calls kept in flight */
#define MAX_STREAM_MSGS 8

#define ECHO_INITIAL "x-grpc-test-echo-initial"
#define ECHO_INITIAL_VALUE "test_initial_metadata_value"
#define ECHO_TRAILING "x-grpc-test-echo-trailing-bin"
static const uint8_t echo_trailing_value[3] = {0xab, 0xab, 0xab};

static const char special_message[] =
    "\t\ntest with whitespace\r\nand Unicode BMP \xe2\x98\xba and non-BMP \xf0\x9f\x98\x88\t\n";

static const int32_t stream_sizes[4] = {31415, 9, 2653, 58979};

typedef struct config {
    const char *host;
    int port;
    const char *test_case;
    int use_tls;
    const char *host_override;
    const char *ca_file;
    const char *client_cert;
    const char *client_key;
    int num_calls; /* 0: the case's default */
    int pool_size;
    int call_timeout_ms;
    int verbose;
} config;

typedef struct client {
    struct event_base *base;
    milvus_channel *ch;
    milvus_call_options *co; /* CALL_TIMEOUT_MS, no metadata */
    const config *cfg;
    const char *case_name;
    char why[768];
    int failed;
    int watchdog_fired;
} client;

/* What a completion (and the messages before it) left behind; the reply
 * itself is only valid inside the callback. */
typedef struct result {
    int done;
    int status;
    int code;
    int attempts;
    char *message;
    uint8_t *data; /* unary response, copied unless check_large */
    size_t len;
    int has_data;
    int check_large;    /* verify a LARGE_RESP SimpleResponse in the callback */
    int large_ok;       /* ... and the verdict */
    char *echo_initial; /* NUL-terminated copy of the header, or NULL */
    uint8_t *echo_trailing;
    size_t echo_trailing_len;
    int has_echo_trailing;
    int misplaced_echo; /* an echo key came back in the wrong block */
    /* server streams */
    int n_messages;
    int32_t sizes[MAX_STREAM_MSGS];
    int bad_message; /* unparseable, or a non-zero payload byte */
    int cancel_at;   /* on_message returns non-zero at this message (1-based) */
    double t_first_message;
    double t_done;
} result;

/* ---- small helpers ----------------------------------------------------- */

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

/* Out of memory in a test client: report it as the case's failure. */
static void *xmalloc(size_t n)
{
    void *p = malloc(n ? n : 1);
    if (!p) {
        printf("FAIL alloc: out of memory (%zu bytes)\n", n);
        exit(1);
    }
    return p;
}

static void *xcalloc(size_t n, size_t size)
{
    void *p = calloc(n ? n : 1, size ? size : 1);
    if (!p) {
        printf("FAIL alloc: out of memory (%zu x %zu bytes)\n", n, size);
        exit(1);
    }
    return p;
}

static void *xdup(const void *src, size_t n)
{
    void *p = xmalloc(n);
    if (n)
        memcpy(p, src, n);
    return p;
}

/* Records the first failure of the running case; returns -1. */
static int fail(client *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int fail(client *c, const char *fmt, ...)
{
    va_list ap;
    if (c->failed)
        return -1;
    c->failed = 1;
    va_start(ap, fmt);
    vsnprintf(c->why, sizeof c->why, fmt, ap);
    va_end(ap);
    return -1;
}

static int all_zero(const uint8_t *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (p[i])
            return 0;
    return 1;
}

static void result_clear(result *r)
{
    free(r->message);
    free(r->data);
    free(r->echo_initial);
    free(r->echo_trailing);
    memset(r, 0, sizeof *r);
}

/* A printable form of a status for failure lines. */
static const char *describe(const result *r, char *buf, size_t n)
{
    snprintf(buf, n, "status %d (%s), grpc %d %s, message \"%s\"", r->status,
             milvus_strerror(r->status), r->code, milvus_grpc_code_name(r->code),
             r->message ? r->message : "");
    return buf;
}

/* ---- callbacks --------------------------------------------------------- */

static int large_response_ok(const uint8_t *data, size_t len)
{
    Grpc__Testing__SimpleResponse *resp = grpc__testing__simple_response__unpack(NULL, len, data);
    int ok = resp && resp->payload &&
             resp->payload->type == GRPC__TESTING__PAYLOAD_TYPE__COMPRESSABLE &&
             resp->payload->body.len == LARGE_RESP &&
             all_zero(resp->payload->body.data, resp->payload->body.len);
    if (resp)
        grpc__testing__simple_response__free_unpacked(resp, NULL);
    return ok;
}

static void capture_echo(result *r, const milvus_reply *reply)
{
    size_t len;
    const uint8_t *v = milvus_reply_header(reply, ECHO_INITIAL, 0, &len);
    if (v) {
        r->echo_initial = xmalloc(len + 1);
        memcpy(r->echo_initial, v, len);
        r->echo_initial[len] = '\0';
    }
    v = milvus_reply_trailer(reply, ECHO_TRAILING, 0, &len);
    if (v) {
        r->echo_trailing = xdup(v, len);
        r->echo_trailing_len = len;
        r->has_echo_trailing = 1;
    }
    if (milvus_reply_trailer(reply, ECHO_INITIAL, 0, &len) ||
        milvus_reply_header(reply, ECHO_TRAILING, 0, &len))
        r->misplaced_echo = 1;
}

static void on_reply(milvus_channel *ch, int status, const milvus_reply *reply, void *arg)
{
    result *r = arg;
    size_t len = 0;
    const uint8_t *data;
    (void)ch;

    if (r->done) { /* exactly-once contract broken: make the case fail */
        r->bad_message = 1;
        return;
    }
    r->status = status;
    r->code = milvus_reply_grpc_code(reply);
    r->attempts = milvus_reply_attempts(reply);
    r->message = xdup(milvus_reply_message(reply), strlen(milvus_reply_message(reply)) + 1);
    data = milvus_reply_data(reply, &len);
    r->has_data = data != NULL;
    r->len = len;
    if (r->check_large)
        r->large_ok = data && large_response_ok(data, len);
    else if (data)
        r->data = xdup(data, len);
    capture_echo(r, reply);
    r->t_done = now_ms();
    r->done = 1;
}

static int on_message(milvus_channel *ch, const uint8_t *data, size_t len, void *arg)
{
    result *r = arg;
    Grpc__Testing__StreamingOutputCallResponse *m;
    (void)ch;

    if (r->n_messages == 0)
        r->t_first_message = now_ms();
    m = grpc__testing__streaming_output_call_response__unpack(NULL, len, data);
    if (!m || (m->payload && !all_zero(m->payload->body.data, m->payload->body.len)))
        r->bad_message = 1;
    if (r->n_messages < MAX_STREAM_MSGS)
        r->sizes[r->n_messages] = m && m->payload ? (int32_t)m->payload->body.len : -1;
    r->n_messages++;
    if (m)
        grpc__testing__streaming_output_call_response__free_unpacked(m, NULL);
    return r->cancel_at && r->n_messages == r->cancel_at;
}

/* ---- running the loop -------------------------------------------------- */

static void on_watchdog(evutil_socket_t fd, short what, void *arg)
{
    client *c = arg;
    (void)fd;
    (void)what;
    c->watchdog_fired = 1;
    event_base_loopbreak(c->base);
}

/* Frees the channel after a lost completion: every pending call then
 * completes (CANCELLED) while the results it points to still exist.  The
 * run stops at the first failure, so no case needs the channel later. */
static void abandon_channel(client *c)
{
    milvus_channel *ch = c->ch;
    c->ch = NULL;
    milvus_channel_free(ch);
}

/* Runs the loop until *done is set; fails the case after WATCHDOG_S. */
static int wait_for(client *c, const int *done, const char *what)
{
    struct timeval tv = {WATCHDOG_S, 0};
    struct event *wd = evtimer_new(c->base, on_watchdog, c);
    int rc = 0;

    if (!wd)
        return fail(c, "evtimer_new failed");
    c->watchdog_fired = 0;
    evtimer_add(wd, &tv);
    while (!*done && !c->watchdog_fired) {
        if (event_base_loop(c->base, EVLOOP_ONCE) < 0) {
            rc = fail(c, "event_base_loop failed while waiting for %s", what);
            break;
        }
    }
    if (!*done && rc == 0)
        rc = fail(c, "no completion for %s within %d s (%zu calls pending)", what, WATCHDOG_S,
                  milvus_channel_pending(c->ch));
    event_free(wd);
    if (!*done)
        abandon_channel(c);
    return rc;
}

/* Runs the loop for ms milliseconds (lets queued work happen). */
static void on_sleep_done(evutil_socket_t fd, short what, void *arg)
{
    (void)fd;
    (void)what;
    *(int *)arg = 1;
}

static int sleep_loop(client *c, int ms)
{
    int done = 0;
    struct timeval tv = {ms / 1000, (ms % 1000) * 1000};
    struct event *t = evtimer_new(c->base, on_sleep_done, &done);
    int rc;
    if (!t)
        return fail(c, "evtimer_new failed");
    evtimer_add(t, &tv);
    rc = wait_for(c, &done, "a timer");
    event_free(t);
    return rc;
}

/* ---- requests ----------------------------------------------------------- */

typedef struct packed {
    uint8_t *buf;
    size_t len;
} packed;

static packed pack_simple(int32_t response_size, size_t request_size, int echo_code,
                          const char *echo_message)
{
    Grpc__Testing__SimpleRequest req = GRPC__TESTING__SIMPLE_REQUEST__INIT;
    Grpc__Testing__Payload payload = GRPC__TESTING__PAYLOAD__INIT;
    Grpc__Testing__EchoStatus st = GRPC__TESTING__ECHO_STATUS__INIT;
    packed p;

    req.response_type = GRPC__TESTING__PAYLOAD_TYPE__COMPRESSABLE;
    req.response_size = response_size;
    payload.body.len = request_size;
    payload.body.data = xcalloc(request_size, 1);
    req.payload = &payload;
    if (echo_code) {
        st.code = echo_code;
        st.message = (char *)echo_message;
        req.response_status = &st;
    }
    p.len = grpc__testing__simple_request__get_packed_size(&req);
    p.buf = xmalloc(p.len);
    grpc__testing__simple_request__pack(&req, p.buf);
    free(payload.body.data);
    return p;
}

/* A StreamingOutputCallRequest: n responses of sizes[i], each after
 * intervals_us[i] (NULL: none). */
static packed pack_stream(const int32_t *sizes, const int32_t *intervals_us, size_t n,
                          int echo_code, const char *echo_message)
{
    Grpc__Testing__StreamingOutputCallRequest req =
        GRPC__TESTING__STREAMING_OUTPUT_CALL_REQUEST__INIT;
    Grpc__Testing__ResponseParameters params[MAX_STREAM_MSGS];
    Grpc__Testing__ResponseParameters *pp[MAX_STREAM_MSGS];
    Grpc__Testing__EchoStatus st = GRPC__TESTING__ECHO_STATUS__INIT;
    packed p;

    for (size_t i = 0; i < n && i < MAX_STREAM_MSGS; i++) {
        grpc__testing__response_parameters__init(&params[i]);
        params[i].size = sizes[i];
        params[i].interval_us = intervals_us ? intervals_us[i] : 0;
        pp[i] = &params[i];
    }
    req.response_type = GRPC__TESTING__PAYLOAD_TYPE__COMPRESSABLE;
    req.n_response_parameters = n < MAX_STREAM_MSGS ? n : MAX_STREAM_MSGS;
    req.response_parameters = pp;
    if (echo_code) {
        st.code = echo_code;
        st.message = (char *)echo_message;
        req.response_status = &st;
    }
    p.len = grpc__testing__streaming_output_call_request__get_packed_size(&req);
    p.buf = xmalloc(p.len);
    grpc__testing__streaming_output_call_request__pack(&req, p.buf);
    return p;
}

static int submit_unary(client *c, const char *path, const packed *req,
                        const milvus_call_options *co, result *r, milvus_call_id *id)
{
    int rc = milvus_channel_unary(c->ch, path, req->buf, req->len, co ? co : c->co, on_reply, r);
    if (id)
        *id = rc == MILVUS_OK ? milvus_channel_last_call(c->ch) : 0;
    if (rc != MILVUS_OK)
        return fail(c, "submitting %s: %s (%s)", path, milvus_strerror(rc),
                    milvus_channel_last_error(c->ch));
    if (r->done) /* the contract: callbacks only ever run from the loop */
        return fail(c, "%s: completion callback ran inside milvus_channel_unary", path);
    return 0;
}

static int submit_stream(client *c, const packed *req, const milvus_call_options *co, result *r,
                         milvus_call_id *id)
{
    int rc = milvus_channel_server_stream(c->ch, PATH_STREAM, req->buf, req->len, co ? co : c->co,
                                          on_message, on_reply, r);
    if (id)
        *id = rc == MILVUS_OK ? milvus_channel_last_call(c->ch) : 0;
    if (rc != MILVUS_OK)
        return fail(c, "submitting %s: %s (%s)", PATH_STREAM, milvus_strerror(rc),
                    milvus_channel_last_error(c->ch));
    if (r->done || r->n_messages)
        return fail(c, "%s: a callback ran inside milvus_channel_server_stream", PATH_STREAM);
    return 0;
}

/* One unary call, waited for. */
static int call_unary(client *c, const char *path, const packed *req, const milvus_call_options *co,
                      result *r)
{
    if (submit_unary(c, path, req, co, r, NULL) < 0)
        return -1;
    return wait_for(c, &r->done, path);
}

static int call_stream(client *c, const packed *req, const milvus_call_options *co, result *r)
{
    if (submit_stream(c, req, co, r, NULL) < 0)
        return -1;
    return wait_for(c, &r->done, PATH_STREAM);
}

static int expect_ok(client *c, const result *r, const char *what)
{
    char buf[512];
    if (r->status != MILVUS_OK || r->code != MILVUS_GRPC_OK)
        return fail(c, "%s: expected OK, got %s", what, describe(r, buf, sizeof buf));
    if (r->bad_message)
        return fail(c, "%s: a response message was malformed or repeated", what);
    return 0;
}

static int expect_code(client *c, const result *r, int code, const char *what)
{
    char buf[512];
    if (r->code != code)
        return fail(c, "%s: expected %s, got %s", what, milvus_grpc_code_name(code),
                    describe(r, buf, sizeof buf));
    if (code != MILVUS_GRPC_OK && r->status == MILVUS_OK)
        return fail(c, "%s: grpc code %d but status MILVUS_OK", what, code);
    return 0;
}

/* ---- cases -------------------------------------------------------------- */

static int case_empty_unary(client *c)
{
    packed req = {NULL, 0};
    result r = {0};
    Grpc__Testing__Empty *e;
    int rc = call_unary(c, PATH_EMPTY, &req, NULL, &r);

    if (rc == 0)
        rc = expect_ok(c, &r, "EmptyCall");
    if (rc == 0 && !r.has_data)
        rc = fail(c, "EmptyCall: OK without a response message");
    if (rc == 0 && r.len != 0)
        rc = fail(c, "EmptyCall: response of %zu bytes, expected 0", r.len);
    if (rc == 0) {
        e = grpc__testing__empty__unpack(NULL, r.len, r.data);
        if (!e)
            rc = fail(c, "EmptyCall: response does not parse as Empty");
        else
            grpc__testing__empty__free_unpacked(e, NULL);
    }
    result_clear(&r);
    return rc;
}

static int case_large_unary(client *c)
{
    packed req = pack_simple(LARGE_RESP, LARGE_REQ, 0, NULL);
    result r = {0};
    int rc;

    r.check_large = 1;
    rc = call_unary(c, PATH_UNARY, &req, NULL, &r);
    if (rc == 0)
        rc = expect_ok(c, &r, "UnaryCall");
    if (rc == 0 && !r.large_ok)
        rc = fail(c,
                  "UnaryCall: response is not a %d-byte zero COMPRESSABLE payload (got %zu bytes)",
                  LARGE_RESP, r.len);
    free(req.buf);
    result_clear(&r);
    return rc;
}

static int case_server_streaming(client *c)
{
    packed req = pack_stream(stream_sizes, NULL, 4, 0, NULL);
    result r = {0};
    int rc = call_stream(c, &req, NULL, &r);

    if (rc == 0)
        rc = expect_ok(c, &r, "StreamingOutputCall");
    if (rc == 0 && r.n_messages != 4)
        rc = fail(c, "StreamingOutputCall: %d messages, expected 4", r.n_messages);
    for (int i = 0; rc == 0 && i < 4; i++)
        if (r.sizes[i] != stream_sizes[i])
            rc = fail(c, "StreamingOutputCall: message %d has %d bytes, expected %d", i + 1,
                      (int)r.sizes[i], (int)stream_sizes[i]);
    if (rc == 0 && r.has_data)
        rc = fail(c, "StreamingOutputCall: final reply carries data");
    free(req.buf);
    result_clear(&r);
    return rc;
}

static int check_echo(client *c, const result *r, const char *what)
{
    if (!r->echo_initial)
        return fail(c, "%s: no %s in the response headers", what, ECHO_INITIAL);
    if (strcmp(r->echo_initial, ECHO_INITIAL_VALUE) != 0)
        return fail(c, "%s: %s is \"%s\"", what, ECHO_INITIAL, r->echo_initial);
    if (!r->has_echo_trailing)
        return fail(c, "%s: no %s in the trailers", what, ECHO_TRAILING);
    if (r->echo_trailing_len != sizeof echo_trailing_value ||
        memcmp(r->echo_trailing, echo_trailing_value, sizeof echo_trailing_value) != 0)
        return fail(c, "%s: %s has %zu bytes, not 0xababab", what, ECHO_TRAILING,
                    r->echo_trailing_len);
    if (r->misplaced_echo)
        return fail(c, "%s: an echoed key came back in the wrong metadata block", what);
    return 0;
}

static int case_custom_metadata(client *c)
{
    milvus_call_options *co = milvus_call_options_new();
    packed ureq = pack_simple(LARGE_RESP, LARGE_REQ, 0, NULL);
    int32_t one = LARGE_RESP;
    packed sreq = pack_stream(&one, NULL, 1, 0, NULL);
    result r = {0};
    int rc = 0;

    if (!co) {
        rc = fail(c, "milvus_call_options_new failed");
        goto out;
    }
    if (milvus_call_options_set_timeout_ms(co, c->cfg->call_timeout_ms) != MILVUS_OK ||
        milvus_call_options_add_metadata(co, ECHO_INITIAL, ECHO_INITIAL_VALUE,
                                         strlen(ECHO_INITIAL_VALUE)) != MILVUS_OK ||
        milvus_call_options_add_metadata(co, ECHO_TRAILING, echo_trailing_value,
                                         sizeof echo_trailing_value) != MILVUS_OK) {
        rc = fail(c, "setting call metadata failed");
        goto out;
    }
    r.check_large = 1;
    rc = call_unary(c, PATH_UNARY, &ureq, co, &r);
    if (rc == 0)
        rc = expect_ok(c, &r, "UnaryCall");
    if (rc == 0 && !r.large_ok)
        rc = fail(c, "UnaryCall: wrong response payload");
    if (rc == 0)
        rc = check_echo(c, &r, "UnaryCall");
    result_clear(&r);
    if (rc == 0)
        rc = call_stream(c, &sreq, co, &r);
    if (rc == 0)
        rc = expect_ok(c, &r, "StreamingOutputCall");
    if (rc == 0 && (r.n_messages != 1 || r.sizes[0] != LARGE_RESP))
        rc = fail(c, "StreamingOutputCall: %d messages (first %d bytes)", r.n_messages,
                  (int)r.sizes[0]);
    if (rc == 0)
        rc = check_echo(c, &r, "StreamingOutputCall");
out:
    result_clear(&r);
    milvus_call_options_free(co);
    free(ureq.buf);
    free(sreq.buf);
    return rc;
}

/* The server answers the status the request asks for; the client must
 * report the code and the decoded message exactly. */
static int expect_echoed_status(client *c, const char *message, int with_stream)
{
    packed ureq = pack_simple(1, 1, 2, message);
    int32_t one = 1;
    packed sreq = pack_stream(&one, NULL, 1, 2, message);
    result r = {0};
    int rc = call_unary(c, PATH_UNARY, &ureq, NULL, &r);

    if (rc == 0)
        rc = expect_code(c, &r, MILVUS_GRPC_UNKNOWN, "UnaryCall");
    if (rc == 0 && r.status != MILVUS_ERR_GRPC)
        rc = fail(c, "UnaryCall: status %d (%s), expected MILVUS_ERR_GRPC", r.status,
                  milvus_strerror(r.status));
    if (rc == 0 && strcmp(r.message, message) != 0)
        rc = fail(c, "UnaryCall: message \"%s\", expected \"%s\"", r.message, message);
    result_clear(&r);
    if (rc == 0 && with_stream) {
        rc = call_stream(c, &sreq, NULL, &r);
        if (rc == 0)
            rc = expect_code(c, &r, MILVUS_GRPC_UNKNOWN, "StreamingOutputCall");
        if (rc == 0 && strcmp(r.message, message) != 0)
            rc =
                fail(c, "StreamingOutputCall: message \"%s\", expected \"%s\"", r.message, message);
        if (rc == 0 && r.n_messages != 1)
            rc = fail(c, "StreamingOutputCall: %d messages before the status, expected 1",
                      r.n_messages);
    }
    result_clear(&r);
    free(ureq.buf);
    free(sreq.buf);
    return rc;
}

static int case_status_code_and_message(client *c)
{
    return expect_echoed_status(c, "test status message", 1);
}

static int case_special_status_message(client *c)
{
    return expect_echoed_status(c, special_message, 0);
}

static int expect_unimplemented(client *c, const char *path)
{
    packed req = {NULL, 0};
    result r = {0};
    int rc = call_unary(c, path, &req, NULL, &r);
    if (rc == 0)
        rc = expect_code(c, &r, MILVUS_GRPC_UNIMPLEMENTED, path);
    if (rc == 0 && r.attempts != 1)
        rc = fail(c, "%s: UNIMPLEMENTED was retried (%d attempts)", path, r.attempts);
    result_clear(&r);
    return rc;
}

static int case_unimplemented_method(client *c)
{
    return expect_unimplemented(c, PATH_UNIMPL_METHOD);
}

static int case_unimplemented_service(client *c)
{
    return expect_unimplemented(c, PATH_UNIMPL_SERVICE);
}

static milvus_call_options *timeout_options(client *c, int64_t ms)
{
    milvus_call_options *co = milvus_call_options_new();
    if (!co || milvus_call_options_set_timeout_ms(co, ms) != MILVUS_OK) {
        milvus_call_options_free(co);
        fail(c, "cannot make call options with a %lld ms timeout", (long long)ms);
        return NULL;
    }
    return co;
}

/* The channel must still carry calls after a failed or cancelled one. */
static int channel_still_works(client *c, const char *after)
{
    int rc = case_empty_unary(c);
    if (rc < 0) {
        char prev[sizeof c->why];
        memcpy(prev, c->why, sizeof prev);
        snprintf(c->why, sizeof c->why, "after %s the channel fails: %.700s", after, prev);
    }
    return rc;
}

/* Adapted from the FullDuplexCall version: a 1 ms deadline on a stream the
 * server holds for 2 s.  The local timer must end it, long before the
 * server would answer. */
static int case_timeout_on_sleeping_server(client *c)
{
    int32_t size = 31415, interval = 2000000;
    packed req = pack_stream(&size, &interval, 1, 0, NULL);
    milvus_call_options *co = timeout_options(c, 1);
    result r = {0};
    double t0 = now_ms();
    int rc = co ? call_stream(c, &req, co, &r) : -1;

    if (rc == 0)
        rc = expect_code(c, &r, MILVUS_GRPC_DEADLINE_EXCEEDED, "StreamingOutputCall");
    if (rc == 0 && r.n_messages != 0)
        rc = fail(c, "a message arrived after the deadline");
    if (rc == 0 && r.t_done - t0 > 1000)
        rc = fail(c, "DEADLINE_EXCEEDED only after %.0f ms for a 1 ms deadline", r.t_done - t0);
    result_clear(&r);
    milvus_call_options_free(co);
    free(req.buf);
    return rc == 0 ? channel_still_works(c, "a deadline") : rc;
}

typedef struct delayed_cancel {
    client *c;
    milvus_call_id id;
    double t_cancel;
} delayed_cancel;

static void on_cancel_timer(evutil_socket_t fd, short what, void *arg)
{
    delayed_cancel *d = arg;
    (void)fd;
    (void)what;
    d->t_cancel = now_ms();
    if (milvus_channel_cancel(d->c->ch, d->id) != MILVUS_OK)
        fail(d->c, "milvus_channel_cancel returned an error");
}

static int expect_cancelled(client *c, const result *r, const char *what)
{
    int rc = expect_code(c, r, MILVUS_GRPC_CANCELLED, what);
    if (rc == 0 && r->status != MILVUS_ERR_CANCELLED)
        return fail(c, "%s: status %d (%s), expected MILVUS_ERR_CANCELLED", what, r->status,
                    milvus_strerror(r->status));
    return rc;
}

/* Cancel a server stream whose first response is 1 s away: at once (the
 * stream may not even be open), then once it has been open for 100 ms. */
static int case_cancel_after_begin(client *c)
{
    int32_t sizes[2] = {31415, 9}, intervals[2] = {1000000, 1000000};
    packed req = pack_stream(sizes, intervals, 2, 0, NULL);
    delayed_cancel d = {c, 0, 0};
    struct timeval tv = {0, 100000};
    struct event *t = evtimer_new(c->base, on_cancel_timer, &d);
    result r = {0};
    int rc = t ? 0 : fail(c, "evtimer_new failed");

    if (rc == 0)
        rc = submit_stream(c, &req, NULL, &r, &d.id);
    if (rc == 0 && milvus_channel_cancel(c->ch, d.id) != MILVUS_OK)
        rc = fail(c, "milvus_channel_cancel returned an error");
    if (rc == 0)
        rc = wait_for(c, &r.done, "a call cancelled at once");
    if (rc == 0)
        rc = expect_cancelled(c, &r, "cancelled at once");
    if (rc == 0 && r.n_messages)
        rc = fail(c, "cancelled at once: %d messages delivered", r.n_messages);
    result_clear(&r);

    if (rc == 0)
        rc = submit_stream(c, &req, NULL, &r, &d.id);
    if (rc == 0) {
        evtimer_add(t, &tv);
        rc = wait_for(c, &r.done, "a call cancelled after 100 ms");
    }
    if (rc == 0 && c->failed)
        rc = -1;
    if (rc == 0)
        rc = expect_cancelled(c, &r, "cancelled after 100 ms");
    if (rc == 0 && d.t_cancel == 0)
        rc = fail(c, "the call completed before it was cancelled");
    if (rc == 0 && r.n_messages)
        rc = fail(c, "cancelled after 100 ms: %d messages delivered", r.n_messages);
    if (rc == 0 && r.t_done - d.t_cancel > 500)
        rc = fail(c, "cancel took %.0f ms to complete the call", r.t_done - d.t_cancel);
    result_clear(&r);
    if (t)
        event_free(t);
    free(req.buf);
    return rc == 0 ? channel_still_works(c, "a cancel") : rc;
}

/* Cancel from the message callback (its non-zero return) while the
 * server holds the second response for 1 s. */
static int case_cancel_after_first_response(client *c)
{
    int32_t intervals[4] = {0, 1000000, 1000000, 1000000};
    packed req = pack_stream(stream_sizes, intervals, 4, 0, NULL);
    result r = {0};
    int rc;

    r.cancel_at = 1;
    rc = call_stream(c, &req, NULL, &r);
    if (rc == 0)
        rc = expect_cancelled(c, &r, "StreamingOutputCall");
    if (rc == 0 && r.n_messages != 1)
        rc = fail(c, "%d messages delivered, expected exactly 1", r.n_messages);
    if (rc == 0 && r.sizes[0] != stream_sizes[0])
        rc = fail(c, "first message has %d bytes, expected %d", (int)r.sizes[0],
                  (int)stream_sizes[0]);
    if (rc == 0 && r.t_done - r.t_first_message > 500)
        rc = fail(c, "cancel took %.0f ms to complete the call", r.t_done - r.t_first_message);
    result_clear(&r);
    free(req.buf);
    return rc == 0 ? channel_still_works(c, "a cancel") : rc;
}

static int case_concurrent_large_unary(client *c)
{
    int n = c->cfg->num_calls > 0 ? c->cfg->num_calls : 1000;
    packed req = pack_simple(LARGE_RESP, LARGE_REQ, 0, NULL);
    result *rs = xcalloc((size_t)n, sizeof *rs);
    /* HTTP/2 interleaves the streams, so every call ends near the end of
     * the whole transfer: the deadline covers all of it. */
    milvus_call_options *co = timeout_options(c, CONCURRENT_TIMEOUT_MS);
    int rc = co ? 0 : -1, submitted = 0, done = 0;

    for (int i = 0; i < n && rc == 0; i++) {
        rs[i].check_large = 1;
        rc = submit_unary(c, PATH_UNARY, &req, co, &rs[i], NULL);
        if (rc == 0)
            submitted++;
    }
    if (rc == 0 && milvus_channel_pending(c->ch) != (size_t)n)
        rc = fail(c, "%zu calls pending right after submitting %d", milvus_channel_pending(c->ch),
                  n);
    for (int i = 0; i < submitted; i++) {
        if (wait_for(c, &rs[i].done, "a concurrent call") < 0) {
            rc = -1;
            break;
        }
        done++;
    }
    for (int i = 0; rc == 0 && i < n; i++) {
        char what[64];
        snprintf(what, sizeof what, "call %d of %d", i + 1, n);
        rc = expect_ok(c, &rs[i], what);
        if (rc == 0 && !rs[i].large_ok)
            rc = fail(c, "%s: wrong response payload", what);
    }
    for (int i = 0; i < n; i++)
        result_clear(&rs[i]);
    free(rs);
    free(req.buf);
    milvus_call_options_free(co);
    if (rc == 0)
        printf("# %d large unary calls in flight at once, all OK\n", done);
    return rc;
}

/* many_unary: num_calls small calls, MANY_WINDOW in flight, each next one
 * submitted from a completion callback. */
typedef struct many {
    client *c;
    packed req;
    int total, submitted, completed, ok, retried;
    char first_error[512];
} many;

static void many_submit(many *m);

static int small_response_ok(const uint8_t *data, size_t len)
{
    Grpc__Testing__SimpleResponse *resp = grpc__testing__simple_response__unpack(NULL, len, data);
    int ok = resp && resp->payload && resp->payload->body.len == 16 &&
             all_zero(resp->payload->body.data, 16);
    if (resp)
        grpc__testing__simple_response__free_unpacked(resp, NULL);
    return ok;
}

static void on_many_reply(milvus_channel *ch, int status, const milvus_reply *reply, void *arg)
{
    many *m = arg;
    size_t len = 0;
    const uint8_t *data = milvus_reply_data(reply, &len);
    (void)ch;

    m->completed++;
    if (milvus_reply_attempts(reply) > 1)
        m->retried++;
    if (status == MILVUS_OK && data && small_response_ok(data, len))
        m->ok++;
    else if (!m->first_error[0])
        snprintf(m->first_error, sizeof m->first_error,
                 "call %d: status %d (%s), grpc %d %s \"%s\"%s", m->completed, status,
                 milvus_strerror(status), milvus_reply_grpc_code(reply),
                 milvus_grpc_code_name(milvus_reply_grpc_code(reply)), milvus_reply_message(reply),
                 status == MILVUS_OK ? " (bad response payload)" : "");
    many_submit(m);
}

static void many_submit(many *m)
{
    while (m->c->ch && m->submitted < m->total && m->submitted - m->completed < MANY_WINDOW) {
        int rc = milvus_channel_unary(m->c->ch, PATH_UNARY, m->req.buf, m->req.len, m->c->co,
                                      on_many_reply, m);
        if (rc != MILVUS_OK) {
            if (!m->first_error[0])
                snprintf(m->first_error, sizeof m->first_error, "submitting call %d: %s (%s)",
                         m->submitted + 1, milvus_strerror(rc),
                         milvus_channel_last_error(m->c->ch));
            m->total = m->submitted; /* stop: nothing more will complete */
            return;
        }
        m->submitted++;
    }
}

static int case_many_unary(client *c)
{
    many m = {0};
    int all_done = 0;
    double t0 = now_ms();

    m.c = c;
    m.total = c->cfg->num_calls > 0 ? c->cfg->num_calls : 1000;
    m.req = pack_simple(16, 16, 0, NULL);
    many_submit(&m);
    while (!all_done && !c->failed) {
        /* wait_for needs a flag: poll the counters between loop turns */
        if (sleep_loop(c, 20) < 0)
            break;
        all_done = m.completed >= m.total;
        if (!all_done && now_ms() - t0 > WATCHDOG_S * 1000.0)
            fail(c, "%d of %d calls completed after %d s", m.completed, m.total, WATCHDOG_S);
    }
    if (m.completed < m.submitted) { /* calls still point at m */
        m.total = m.submitted;
        abandon_channel(c);
    }
    free(m.req.buf);
    if (c->failed)
        return -1;
    if (m.first_error[0])
        return fail(c, "%d of %d calls failed; first: %s", m.completed - m.ok,
                    c->cfg->num_calls > 0 ? c->cfg->num_calls : 1000, m.first_error);
    if (m.ok != (c->cfg->num_calls > 0 ? c->cfg->num_calls : 1000))
        return fail(c, "only %d calls succeeded", m.ok);
    printf("# %d unary calls OK in %.0f ms, %d needed a retry\n", m.ok, now_ms() - t0, m.retried);
    return 0;
}

/* ---- main ---------------------------------------------------------------- */

typedef struct test_case {
    const char *name;
    int (*run)(client *c);
} test_case;

static const test_case cases[] = {
    {"empty_unary", case_empty_unary},
    {"large_unary", case_large_unary},
    {"server_streaming", case_server_streaming},
    {"custom_metadata", case_custom_metadata},
    {"status_code_and_message", case_status_code_and_message},
    {"special_status_message", case_special_status_message},
    {"unimplemented_method", case_unimplemented_method},
    {"unimplemented_service", case_unimplemented_service},
    {"timeout_on_sleeping_server", case_timeout_on_sleeping_server},
    {"cancel_after_begin", case_cancel_after_begin},
    {"cancel_after_first_response", case_cancel_after_first_response},
    {"concurrent_large_unary", case_concurrent_large_unary},
    {"many_unary", case_many_unary},
};
#define N_CASES (sizeof cases / sizeof cases[0])

static void usage(const char *msg)
{
    printf("FAIL arguments: %s\n", msg);
    fprintf(stderr,
            "usage: interop_client --server_port=N [--server_host=H] [--test_case=NAME|all]\n"
            "         [--use_tls=true|false] [--server_host_override=NAME] [--ca_file=F]\n"
            "         [--client_cert=F --client_key=F] [--num_calls=N] [--pool_size=N]\n"
            "         [--call_timeout_ms=N] [--verbose=true]\ncases:");
    for (size_t i = 0; i < N_CASES; i++)
        fprintf(stderr, " %s", cases[i].name);
    fprintf(stderr, "\n");
    exit(2);
}

static int parse_bool(const char *v)
{
    if (strcmp(v, "true") == 0)
        return 1;
    if (strcmp(v, "false") == 0)
        return 0;
    usage("boolean flags take true or false");
    return 0;
}

static int parse_int(const char *v, int lo, int hi)
{
    char *end;
    long n = strtol(v, &end, 10);
    if (!*v || *end || n < lo || n > hi)
        usage("number out of range");
    return (int)n;
}

static void parse_args(config *cfg, int argc, char **argv)
{
    memset(cfg, 0, sizeof *cfg);
    cfg->host = "127.0.0.1";
    cfg->test_case = "all";
    cfg->pool_size = 1;
    cfg->call_timeout_ms = CALL_TIMEOUT_MS;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *eq = strchr(a, '=');
        size_t klen;
        if (strncmp(a, "--", 2) != 0 || !eq)
            usage("flags take the form --name=value");
        a += 2;
        klen = (size_t)(eq - a);
#define FLAG(name) (klen == sizeof(name) - 1 && strncmp(a, name, klen) == 0)
        if (FLAG("server_host"))
            cfg->host = eq + 1;
        else if (FLAG("server_port"))
            cfg->port = parse_int(eq + 1, 1, 65535);
        else if (FLAG("test_case"))
            cfg->test_case = eq + 1;
        else if (FLAG("use_tls"))
            cfg->use_tls = parse_bool(eq + 1);
        else if (FLAG("server_host_override"))
            cfg->host_override = eq + 1;
        else if (FLAG("ca_file"))
            cfg->ca_file = eq + 1;
        else if (FLAG("client_cert"))
            cfg->client_cert = eq + 1;
        else if (FLAG("client_key"))
            cfg->client_key = eq + 1;
        else if (FLAG("num_calls"))
            cfg->num_calls = parse_int(eq + 1, 1, 1000000);
        else if (FLAG("pool_size"))
            cfg->pool_size = parse_int(eq + 1, 1, 64);
        else if (FLAG("call_timeout_ms"))
            cfg->call_timeout_ms = parse_int(eq + 1, 1, 3600000);
        else if (FLAG("verbose"))
            cfg->verbose = parse_bool(eq + 1);
        else
            usage("unknown flag");
#undef FLAG
    }
    if (cfg->port == 0)
        usage("--server_port is required");
    if (!cfg->client_cert != !cfg->client_key)
        usage("--client_cert and --client_key go together");
}

static void log_to_stderr(milvus_log_level level, const char *msg, void *ctx)
{
    static const char *names[] = {"error", "warn", "info", "debug"};
    (void)ctx;
    fprintf(stderr, "libmilvus %s: %s\n", (unsigned)level < 4 ? names[level] : "?", msg);
}

static int make_options(const config *cfg, milvus_options **out)
{
    milvus_options *o = milvus_options_new();
    int rc;
    if (!o)
        return MILVUS_ERR_NOMEM;
    rc = milvus_options_set_address(o, cfg->host, cfg->port);
    if (rc == MILVUS_OK)
        rc = milvus_options_set_pool_size(o, cfg->pool_size);
    if (rc == MILVUS_OK && cfg->use_tls)
        rc = milvus_options_set_tls(o, 1);
    if (rc == MILVUS_OK && cfg->ca_file)
        rc = milvus_options_set_ca_file(o, cfg->ca_file);
    if (rc == MILVUS_OK && cfg->host_override)
        rc = milvus_options_set_server_name(o, cfg->host_override);
    if (rc == MILVUS_OK && cfg->client_cert)
        rc = milvus_options_set_client_cert(o, cfg->client_cert, cfg->client_key);
    if (rc == MILVUS_OK && cfg->verbose)
        rc = milvus_options_set_log(o, MILVUS_LOG_DEBUG, log_to_stderr, NULL);
    if (rc != MILVUS_OK) {
        milvus_options_free(o);
        return rc;
    }
    *out = o;
    return MILVUS_OK;
}

static int run_case(client *c, const test_case *tc)
{
    double t0 = now_ms();
    c->case_name = tc->name;
    c->failed = 0;
    c->why[0] = '\0';
    if (tc->run(c) < 0 || c->failed) {
        printf("FAIL %s: %s\n", tc->name, c->why[0] ? c->why : "failed");
        return -1;
    }
    printf("PASS %s (%.0f ms)\n", tc->name, now_ms() - t0);
    fflush(stdout);
    return 0;
}

int main(int argc, char **argv)
{
    config cfg;
    client c;
    milvus_options *opts = NULL;
    int rc, status = 0, matched = 0;

    parse_args(&cfg, argc, argv);
    memset(&c, 0, sizeof c);
    c.cfg = &cfg;
    c.base = event_base_new();
    if (!c.base) {
        printf("FAIL setup: event_base_new failed\n");
        return 1;
    }
    rc = make_options(&cfg, &opts);
    if (rc == MILVUS_OK)
        rc = milvus_channel_new(&c.ch, c.base, opts);
    milvus_options_free(opts);
    c.co = milvus_call_options_new();
    if (rc == MILVUS_OK && (!c.co || milvus_call_options_set_timeout_ms(c.co, cfg.call_timeout_ms)))
        rc = MILVUS_ERR_NOMEM;
    if (rc != MILVUS_OK) {
        printf("FAIL setup: %s\n", milvus_strerror(rc));
        status = 1;
        goto out;
    }
    for (size_t i = 0; i < N_CASES && status == 0; i++) {
        if (strcmp(cfg.test_case, "all") != 0 && strcmp(cfg.test_case, cases[i].name) != 0)
            continue;
        matched = 1;
        if (run_case(&c, &cases[i]) < 0)
            status = 1;
    }
    if (!matched) {
        printf("FAIL %s: unknown test case\n", cfg.test_case);
        status = 2;
    }
out:
    milvus_channel_free(c.ch);
    milvus_call_options_free(c.co);
    event_base_free(c.base);
    return status;
}
