/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The call layer against a fake transport (no sockets, no HTTP/2): the
 * channel's ops table points at the fake below, which records the streams
 * the channel opens and detaches; the tests play the transport's side by
 * calling the channel's callbacks table (mv_channel_transport_cbs) as the
 * real transport does from its nghttp2 callbacks.  Covers retries with
 * backoff, commitment, transparent retry of unprocessed attempts,
 * deadlines and cancel in each state of a call, GOAWAY as the transport
 * reports it, and exactly one completion per call.
 */
#include <criterion/criterion.h>
#include <event2/event.h>
#include <stdlib.h>
#include <string.h>

#include "call/call.h"
#include "common/util.h"

/* ---- the fake transport ---- */

#define MAX_STREAMS 64

typedef struct fake_stream {
    void *user; /* the call */
    int open;   /* neither detached nor closed */
    int detached;
    int previous_attempts;
    int has_deadline;
    size_t req_len;
} fake_stream;

typedef struct fake {
    int room; /* streams open at once */
    int nopen;
    fake_stream s[MAX_STREAMS];
    int n; /* streams opened so far */
    int connects, flushes, closes;
    int heard; /* heard_from_peer */
    long limit;
} fake;

static int fk_has_room(void *t)
{
    fake *f = t;
    return f->nopen < f->room && f->n < MAX_STREAMS;
}

static mv_stream *fk_open(void *t, const mv_stream_req *r, void *user)
{
    fake *f = t;
    fake_stream *s;
    if (f->n >= MAX_STREAMS)
        return NULL;
    s = &f->s[f->n++];
    memset(s, 0, sizeof(*s));
    s->user = user;
    s->open = 1;
    s->previous_attempts = r->previous_attempts;
    s->has_deadline = r->deadline_us != 0;
    s->req_len = r->req_len;
    f->nopen++;
    return (mv_stream *)(void *)s;
}

static fake *g_fake;

static void fk_detach(mv_stream *st)
{
    fake_stream *s = (fake_stream *)(void *)st;
    cr_assert(s->open, "a stream detached twice or after it closed");
    s->open = 0;
    s->detached = 1;
    g_fake->nopen--;
}

static int fk_heard(const mv_stream *st)
{
    (void)st;
    return g_fake->heard;
}

static void fk_connect(void *t)
{
    ((fake *)t)->connects++;
}

static void fk_flush(void *t)
{
    ((fake *)t)->flushes++;
}

static void fk_close(void *t, int status, const char *msg)
{
    (void)status;
    (void)msg;
    ((fake *)t)->closes++;
}

static long fk_limit(const void *t)
{
    return ((const fake *)t)->limit;
}

static void fk_destroy(void *t)
{
    (void)t;
}

static const mv_transport_ops fake_ops = {
    .has_room = fk_has_room,
    .open = fk_open,
    .detach = fk_detach,
    .heard_from_peer = fk_heard,
    .connect = fk_connect,
    .flush = fk_flush,
    .close = fk_close,
    .stream_limit = fk_limit,
    .destroy = fk_destroy,
};

/* ---- the transport's side of a stream ---- */

static const mv_transport_cbs *cbs = &mv_channel_transport_cbs;

static void hdr(fake_stream *s, const char *name, const char *value)
{
    cbs->on_header(s->user, (const uint8_t *)name, strlen(name), (const uint8_t *)value,
                   strlen(value));
}

/* Response headers: :status 200, gRPC content type. */
static void response_headers(fake_stream *s)
{
    cbs->on_headers_begin(s->user, 0);
    hdr(s, ":status", "200");
    hdr(s, "content-type", "application/grpc");
    hdr(s, "x-attempt", "seen");
    cbs->on_headers_end(s->user);
}

static void message(fake_stream *s, const char *payload)
{
    uint8_t buf[64];
    size_t n = strlen(payload);
    mv_frame_header(buf, (uint32_t)n, 0);
    memcpy(buf + MV_FRAME_HDR, payload, n);
    cbs->on_data(s->user, buf, MV_FRAME_HDR + n);
}

/* Trailers ending the stream; trailers_only: the whole response. */
static void trailers(fake_stream *s, int trailers_only, const char *status, const char *msg)
{
    cbs->on_headers_begin(s->user, 1);
    if (trailers_only) {
        hdr(s, ":status", "200");
        hdr(s, "content-type", "application/grpc");
    }
    hdr(s, "grpc-status", status);
    if (msg)
        hdr(s, "grpc-message", msg);
    cbs->on_end(s->user);
}

/* The transport ends the stream: its object is gone before on_close. */
static void close_stream(fake_stream *s, int how, int status, int code, const char *msg)
{
    cr_assert(s->open);
    s->open = 0;
    g_fake->nopen--;
    cbs->on_close(s->user, how, status, code, 0, msg);
}

/* ---- fixture ---- */

static struct event_base *base;
static milvus_options *opts;
static milvus_channel *ch;
static fake fk;

typedef struct result {
    int calls; /* completions: exactly one expected */
    int status;
    int code;
    int attempts;
    char msg[256];
    char data[64];
    int header_seen;
} result;

static void on_reply(milvus_channel *c, int status, const milvus_reply *r, void *ctx)
{
    result *res = ctx;
    size_t len = 0;
    const uint8_t *d = milvus_reply_data(r, &len);
    (void)c;
    res->calls++;
    res->status = status;
    res->code = milvus_reply_grpc_code(r);
    res->attempts = milvus_reply_attempts(r);
    snprintf(res->msg, sizeof(res->msg), "%s", milvus_reply_message(r));
    if (d && len < sizeof(res->data)) {
        memcpy(res->data, d, len);
        res->data[len] = '\0';
    }
    res->header_seen = milvus_reply_header(r, "x-attempt", 0, NULL) != NULL;
}

static void setup(void)
{
    base = event_base_new();
    opts = milvus_options_new();
    cr_assert(base && opts);
    cr_assert_eq(milvus_options_set_address(opts, "127.0.0.1", 1), MILVUS_OK);
    /* retries quickly, as a test wants them */
    cr_assert_eq(milvus_options_set_retry(opts, 3, 1, 2, 1.0), MILVUS_OK);
    memset(&fk, 0, sizeof(fk));
    fk.room = 8;
    fk.limit = -1;
    g_fake = &fk;
}

static void open_channel(void)
{
    cr_assert_eq(milvus_channel_new(&ch, base, opts), MILVUS_OK);
    mv_channel_set_transport(ch, &fake_ops, &fk);
}

/* Frees the channel while the test's results are still in scope: its
 * pending calls complete (CANCELLED) into them. */
static void close_channel(void)
{
    milvus_channel_free(ch);
    ch = NULL;
}

static void teardown(void)
{
    if (ch)
        milvus_channel_free(ch);
    ch = NULL;
    milvus_options_free(opts);
    event_base_free(base);
}

/* Runs the loop until *v reaches want or ms pass. */
static int run_until(const int *v, int want, int ms)
{
    int64_t end = mv_now_us() + (int64_t)ms * 1000;
    while (*v < want && mv_now_us() < end)
        event_base_loop(base, EVLOOP_ONCE | EVLOOP_NONBLOCK);
    return *v >= want;
}

static void run_for(int ms)
{
    int64_t end = mv_now_us() + (int64_t)ms * 1000;
    while (mv_now_us() < end)
        event_base_loop(base, EVLOOP_ONCE | EVLOOP_NONBLOCK);
}

static milvus_call_id unary(result *res, int idempotent, int64_t timeout_ms)
{
    milvus_call_options *co = milvus_call_options_new();
    milvus_call_id id = 0;
    cr_assert_not_null(co);
    milvus_call_options_set_idempotent(co, idempotent);
    if (timeout_ms)
        milvus_call_options_set_timeout_ms(co, timeout_ms);
    cr_assert_eq(milvus_channel_unary(ch, "/test.S/M", "req", 3, co, on_reply, res), MILVUS_OK);
    id = milvus_channel_last_call(ch);
    milvus_call_options_free(co);
    return id;
}

/* The next stream the channel opens (after the loop ran). */
static fake_stream *next_stream(int index)
{
    cr_assert(run_until(&fk.n, index + 1, 2000), "stream %d was never opened", index);
    return &fk.s[index];
}

TestSuite(call, .init = setup, .fini = teardown);

/* ---- tests ---- */

Test(call, unary_ok_over_the_fake)
{
    result res = {0};
    fake_stream *s;
    open_channel();
    unary(&res, 0, 0);
    s = next_stream(0);
    cr_assert_eq(s->previous_attempts, 0);
    cr_assert_eq(s->req_len, (size_t)MV_FRAME_HDR + 3);
    cr_assert_geq(fk.flushes, 1, "the work event flushes the transport");
    response_headers(s);
    message(s, "hello");
    trailers(s, 0, "0", NULL);
    cr_assert(s->detached, "a finished call leaves its stream");
    cr_assert(run_until(&res.calls, 1, 2000));
    cr_assert_eq(res.status, MILVUS_OK, "%s", res.msg);
    cr_assert_str_eq(res.data, "hello");
    cr_assert(res.header_seen);
    cr_assert_eq(res.attempts, 1);
    run_for(5);
    cr_assert_eq(res.calls, 1);
    cr_assert_eq(milvus_channel_pending(ch), (size_t)0);
}

/* The cancel idiom: the id of the newest call submitted successfully. */
Test(call, last_call_names_the_newest_submission)
{
    result a = {0}, b = {0};
    milvus_call_id ia, ib;
    open_channel();
    cr_assert_eq(milvus_channel_last_call(NULL), 0);
    cr_assert_eq(milvus_channel_last_call(ch), 0, "nothing submitted yet");
    ia = unary(&a, 0, 0);
    ib = unary(&b, 0, 0);
    cr_assert_neq(ia, 0);
    cr_assert_neq(ib, ia);
    cr_assert_eq(milvus_channel_last_call(ch), ib);
    cr_assert_eq(milvus_channel_unary(ch, "no-slash", "x", 1, NULL, on_reply, &b),
                 MILVUS_ERR_INVALID_ARGUMENT);
    cr_assert_eq(milvus_channel_last_call(ch), ib, "a refused submission names no call");
    cr_assert_eq(milvus_channel_cancel(ch, ia), MILVUS_OK);
    cr_assert(run_until(&a.calls, 1, 2000));
    cr_assert_eq(a.status, MILVUS_ERR_CANCELLED);
    cr_assert_eq(b.calls, 0, "only the named call is cancelled");
    close_channel();
    cr_assert_eq(b.calls, 1);
    cr_assert_eq(b.status, MILVUS_ERR_CANCELLED);
}

Test(call, queued_until_the_transport_has_room)
{
    result res = {0};
    fk.room = 0;
    open_channel();
    unary(&res, 0, 0);
    run_for(5);
    cr_assert_eq(fk.n, 0, "no stream without room");
    cr_assert_geq(fk.connects, 1, "waiting calls make the transport connect");
    fk.room = 1;
    cbs->writable(ch);
    next_stream(0);
    close_channel();
    cr_assert_eq(res.calls, 1);
    cr_assert_eq(res.status, MILVUS_ERR_CANCELLED);
}

Test(call, unavailable_retried_with_backoff)
{
    result res = {0};
    fake_stream *s;
    open_channel();
    unary(&res, 0, 0);
    /* Trailers-Only UNAVAILABLE does not commit: retried, any method. */
    s = next_stream(0);
    trailers(s, 1, "14", "busy");
    s = next_stream(1);
    cr_assert_eq(s->previous_attempts, 1, "grpc-previous-rpc-attempts");
    response_headers(s);
    message(s, "second");
    trailers(s, 0, "0", NULL);
    cr_assert(run_until(&res.calls, 1, 2000));
    cr_assert_eq(res.status, MILVUS_OK, "%s", res.msg);
    cr_assert_str_eq(res.data, "second");
    cr_assert_eq(res.attempts, 2);
}

Test(call, unavailable_exhausts_attempts)
{
    result res = {0};
    open_channel();
    unary(&res, 1, 0);
    for (int i = 0; i < 3; i++)
        trailers(next_stream(i), 1, "14", "busy");
    cr_assert(run_until(&res.calls, 1, 2000));
    run_for(20);
    cr_assert_eq(fk.n, 3, "max_attempts 3");
    cr_assert_eq(res.calls, 1);
    cr_assert_eq(res.status, MILVUS_ERR_GRPC);
    cr_assert_eq(res.code, MILVUS_GRPC_UNAVAILABLE);
    cr_assert_eq(res.attempts, 3);
    cr_assert_str_eq(res.msg, "busy");
}

Test(call, committed_non_idempotent_not_retried)
{
    result res = {0};
    fake_stream *s;
    open_channel();
    unary(&res, 0, 0);
    s = next_stream(0);
    response_headers(s); /* commits the call */
    trailers(s, 0, "14", "gone");
    cr_assert(run_until(&res.calls, 1, 2000));
    run_for(20);
    cr_assert_eq(fk.n, 1);
    cr_assert_eq(res.status, MILVUS_ERR_GRPC);
    cr_assert_eq(res.code, MILVUS_GRPC_UNAVAILABLE);
    cr_assert(res.header_seen, "the reply carries the attempt's headers");
}

Test(call, committed_idempotent_retried)
{
    result res = {0};
    fake_stream *s;
    open_channel();
    unary(&res, 1, 0);
    s = next_stream(0);
    response_headers(s);
    trailers(s, 0, "14", "gone");
    s = next_stream(1);
    trailers(s, 1, "0", NULL); /* no message: a cardinality error */
    cr_assert(run_until(&res.calls, 1, 2000));
    cr_assert_eq(res.status, MILVUS_ERR_PROTOCOL);
    cr_assert_eq(res.code, MILVUS_GRPC_UNIMPLEMENTED);
    cr_assert_eq(res.attempts, 2);
    cr_assert_not(res.header_seen, "headers of the last attempt only");
}

Test(call, pushback_do_not_retry)
{
    result res = {0};
    fake_stream *s;
    open_channel();
    unary(&res, 1, 0);
    s = next_stream(0);
    cbs->on_headers_begin(s->user, 1);
    hdr(s, ":status", "200");
    hdr(s, "content-type", "application/grpc");
    hdr(s, "grpc-status", "14");
    hdr(s, "grpc-retry-pushback-ms", "-1");
    cbs->on_end(s->user);
    cr_assert(run_until(&res.calls, 1, 2000));
    run_for(10);
    cr_assert_eq(fk.n, 1, "a negative pushback stops retries");
    cr_assert_eq(res.code, MILVUS_GRPC_UNAVAILABLE);
}

Test(call, unprocessed_retried_transparently)
{
    result res = {0};
    fake_stream *s;
    /* even with retries off: the server never saw the attempt */
    cr_assert_eq(milvus_options_set_retry(opts, 1, 1, 2, 1.0), MILVUS_OK);
    open_channel();
    unary(&res, 0, 0);
    s = next_stream(0);
    close_stream(s, MV_STREAM_UNPROCESSED, MILVUS_ERR_DISCONNECTED, MILVUS_GRPC_UNAVAILABLE,
                 "stream refused by the server (not processed)");
    s = next_stream(1);
    cr_assert_eq(s->previous_attempts, 0, "a transparent retry is not an attempt");
    response_headers(s);
    message(s, "ok");
    trailers(s, 0, "0", NULL);
    cr_assert(run_until(&res.calls, 1, 2000));
    cr_assert_eq(res.status, MILVUS_OK, "%s", res.msg);
    cr_assert_eq(res.attempts, 1);
}

Test(call, failed_after_headers_sent_not_transparent)
{
    result res = {0};
    cr_assert_eq(milvus_options_set_retry(opts, 1, 1, 2, 1.0), MILVUS_OK);
    open_channel();
    unary(&res, 0, 0);
    close_stream(next_stream(0), MV_STREAM_FAILED, MILVUS_ERR_DISCONNECTED, MILVUS_GRPC_UNAVAILABLE,
                 "connection closed by the server");
    cr_assert(run_until(&res.calls, 1, 2000));
    run_for(10);
    cr_assert_eq(fk.n, 1);
    cr_assert_eq(res.status, MILVUS_ERR_DISCONNECTED);
    cr_assert_eq(res.code, MILVUS_GRPC_UNAVAILABLE);
}

Test(call, reset_by_the_server)
{
    result res = {0};
    fake_stream *s;
    open_channel();
    unary(&res, 0, 0);
    s = next_stream(0);
    s->open = 0;
    fk.nopen--;
    cbs->on_close(s->user, MV_STREAM_RESET, MILVUS_ERR_GRPC, 0, 0x8 /* CANCEL */,
                  "stream reset by the server with CANCEL");
    cr_assert(run_until(&res.calls, 1, 2000));
    cr_assert_eq(res.status, MILVUS_ERR_GRPC);
    cr_assert_eq(res.code, MILVUS_GRPC_CANCELLED);
}

/* GOAWAY as the transport reports it: the stream above the last stream id
 * is refused (unprocessed) and retried transparently; the one below it
 * ends when the connection drains, after its HEADERS left: retried with
 * backoff when idempotent or not committed, failed when committed. */
Test(call, goaway_above_and_below_last_stream)
{
    result below_committed = {0}, below_idem = {0}, above = {0};
    fake_stream *s0, *s1, *s2;
    open_channel();
    unary(&below_committed, 0, 0);
    unary(&below_idem, 1, 0);
    unary(&above, 0, 0);
    s0 = next_stream(0);
    s1 = next_stream(1);
    s2 = next_stream(2);
    response_headers(s0);
    response_headers(s1);
    close_stream(s2, MV_STREAM_UNPROCESSED, MILVUS_ERR_DISCONNECTED, MILVUS_GRPC_UNAVAILABLE,
                 "stream refused by the server (not processed): GOAWAY");
    close_stream(s0, MV_STREAM_FAILED, MILVUS_ERR_DISCONNECTED, MILVUS_GRPC_UNAVAILABLE,
                 "connection closed by the server after GOAWAY");
    close_stream(s1, MV_STREAM_FAILED, MILVUS_ERR_DISCONNECTED, MILVUS_GRPC_UNAVAILABLE,
                 "connection closed by the server after GOAWAY");
    cr_assert(run_until(&below_committed.calls, 1, 2000));
    cr_assert_eq(below_committed.status, MILVUS_ERR_DISCONNECTED);
    cr_assert(run_until(&fk.n, 5, 2000), "the other two go out again");
    for (int i = 3; i < 5; i++) {
        fake_stream *s = &fk.s[i];
        if (s->user == s2->user)
            cr_assert_eq(s->previous_attempts, 0, "transparent: same attempt count");
        else
            cr_assert_eq(s->previous_attempts, 1, "retried after backoff");
        response_headers(s);
        message(s, "again");
        trailers(s, 0, "0", NULL);
    }
    cr_assert(run_until(&above.calls, 1, 2000));
    cr_assert(run_until(&below_idem.calls, 1, 2000));
    cr_assert_eq(above.status, MILVUS_OK, "%s", above.msg);
    cr_assert_eq(above.attempts, 1);
    cr_assert_eq(below_idem.status, MILVUS_OK, "%s", below_idem.msg);
    cr_assert_eq(below_idem.attempts, 2);
    run_for(10);
    cr_assert_eq(below_committed.calls + below_idem.calls + above.calls, 3);
}

Test(call, deadline_while_queued)
{
    result res = {0};
    fk.room = 0;
    open_channel();
    unary(&res, 0, 20);
    cr_assert(run_until(&res.calls, 1, 2000));
    cr_assert_eq(res.status, MILVUS_ERR_TIMEOUT);
    cr_assert_eq(res.code, MILVUS_GRPC_DEADLINE_EXCEEDED);
    cr_assert(strstr(res.msg, "before the call was sent"), "%s", res.msg);
    cr_assert_eq(fk.n, 0);
}

Test(call, deadline_on_a_stream)
{
    result res = {0};
    fake_stream *s;
    open_channel();
    unary(&res, 0, 20);
    s = next_stream(0);
    cr_assert(s->has_deadline, "the deadline goes to the transport (grpc-timeout)");
    cr_assert(run_until(&res.calls, 1, 2000));
    cr_assert(s->detached, "the stream is reset");
    cr_assert_eq(res.status, MILVUS_ERR_TIMEOUT);
    cr_assert(strstr(res.msg, "has sent nothing"), "%s", res.msg);
    fk.heard = 1;
    memset(&res, 0, sizeof(res));
    unary(&res, 0, 20);
    next_stream(1);
    cr_assert(run_until(&res.calls, 1, 2000));
    cr_assert_eq(res.status, MILVUS_ERR_TIMEOUT);
    cr_assert_str_eq(res.msg, "deadline of 20 ms exceeded");
}

Test(call, deadline_in_backoff)
{
    result res = {0};
    cr_assert_eq(milvus_options_set_retry(opts, 3, 10000, 10000, 1.0), MILVUS_OK);
    open_channel();
    unary(&res, 0, 30);
    trailers(next_stream(0), 1, "14", "busy");
    cr_assert(run_until(&res.calls, 1, 2000));
    cr_assert_eq(res.status, MILVUS_ERR_TIMEOUT);
    cr_assert_eq(res.code, MILVUS_GRPC_DEADLINE_EXCEEDED);
    cr_assert_eq(fk.n, 1, "not sent again");
}

Test(call, cancel_in_each_state)
{
    result queued = {0}, active = {0}, backoff = {0};
    milvus_call_id q, a, b;
    cr_assert_eq(milvus_options_set_retry(opts, 3, 10000, 10000, 1.0), MILVUS_OK);
    fk.room = 2;
    open_channel();
    b = unary(&backoff, 0, 0);
    a = unary(&active, 0, 0);
    q = unary(&queued, 0, 0);
    next_stream(1);
    trailers(&fk.s[0], 1, "14", "busy"); /* the first call waits to retry */
    run_for(5);
    cr_assert_eq(fk.n, 2, "the third call waits for room");
    cr_assert_eq(milvus_channel_cancel(ch, q), MILVUS_OK);
    cr_assert_eq(milvus_channel_cancel(ch, a), MILVUS_OK);
    cr_assert(fk.s[1].detached, "cancel resets the stream");
    cr_assert_eq(milvus_channel_cancel(ch, b), MILVUS_OK);
    cr_assert_eq(milvus_channel_cancel(ch, b), MILVUS_OK, "twice: a no-op");
    cr_assert(run_until(&queued.calls, 1, 2000));
    cr_assert(run_until(&active.calls, 1, 2000));
    cr_assert(run_until(&backoff.calls, 1, 2000));
    run_for(10);
    cr_assert_eq(queued.calls + active.calls + backoff.calls, 3);
    cr_assert_eq(queued.status, MILVUS_ERR_CANCELLED);
    cr_assert_eq(active.status, MILVUS_ERR_CANCELLED);
    cr_assert_eq(backoff.status, MILVUS_ERR_CANCELLED);
    cr_assert_eq(fk.n, 2);
    cr_assert_eq(milvus_channel_pending(ch), (size_t)0);
}

/* A call finished, its completion not yet delivered: cancel is a no-op
 * and the first result is the one delivered. */
Test(call, cancel_after_the_result)
{
    result res = {0};
    fake_stream *s;
    milvus_call_id id;
    open_channel();
    id = unary(&res, 0, 0);
    s = next_stream(0);
    response_headers(s);
    message(s, "done");
    trailers(s, 0, "0", NULL);
    cr_assert_eq(milvus_channel_cancel(ch, id), MILVUS_OK);
    cr_assert(run_until(&res.calls, 1, 2000));
    cr_assert_eq(res.status, MILVUS_OK);
}

Test(call, free_cancels_every_state_once)
{
    result r[3] = {{0}};
    cr_assert_eq(milvus_options_set_retry(opts, 3, 10000, 10000, 1.0), MILVUS_OK);
    fk.room = 2;
    open_channel();
    for (int i = 0; i < 3; i++)
        unary(&r[i], 0, 0);
    next_stream(1);
    trailers(&fk.s[0], 1, "14", "busy");
    milvus_channel_free(ch);
    ch = NULL;
    for (int i = 0; i < 3; i++) {
        cr_assert_eq(r[i].calls, 1, "call %d", i);
        cr_assert_eq(r[i].status, MILVUS_ERR_CANCELLED);
    }
    cr_assert_eq(fk.nopen, 0, "every stream detached");
}

/* Connection-level events: refused everywhere makes queued calls that do
 * not wait for ready fail at once with the connect error. */
Test(call, unreachable_fails_queued_calls)
{
    result res = {0};
    fk.room = 0;
    open_channel();
    unary(&res, 0, 0);
    run_for(5);
    cbs->connect_failed(ch, MILVUS_ERR_CONNECT, "cannot connect to 127.0.0.1:1: refused", 1);
    cr_assert(run_until(&res.calls, 1, 2000));
    cr_assert_eq(res.status, MILVUS_ERR_CONNECT);
    cr_assert_eq(res.code, MILVUS_GRPC_UNAVAILABLE);
    cr_assert_str_eq(res.msg, "cannot connect to 127.0.0.1:1: refused");
    memset(&res, 0, sizeof(res));
    cbs->reconnect_due(ch);
    unary(&res, 0, 0);
    run_for(10);
    cr_assert_eq(res.calls, 0, "after the backoff calls wait again");
    close_channel();
    cr_assert_eq(res.calls, 1);
    cr_assert_eq(res.status, MILVUS_ERR_CANCELLED);
}
