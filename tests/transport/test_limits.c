/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The limits of transport.h against a hostile server: a scripted raw
 * HTTP/2 peer in this process writes frames no well-behaved library would
 * (HPACK bombs, CONTINUATION, SETTINGS and PING floods, pushed streams) and
 * each test checks that the call or the connection fails with the error
 * that names the limit (no crash, hang or leak) and, where memory is at
 * stake, that the heap in use stayed within the limit (glibc's
 * mallinfo2(): what the process holds, measured, not the library's own
 * bookkeeping; skipped where the allocator does not report, e.g. under
 * valgrind or ASan, whose runs check for leaks instead).
 */
#include <criterion/criterion.h>

#include <errno.h>
#include <malloc.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <event2/listener.h>

#include <milvus/channel.h>

#include "call/call.h"

/* ---- heap in use ---- */

static long long heap_now(void)
{
#if defined(__GLIBC__) && (__GLIBC__ > 2 || (__GLIBC__ == 2 && __GLIBC_MINOR__ >= 33))
    struct mallinfo2 mi = mallinfo2();
    return (long long)(mi.uordblks + mi.hblkhd);
#else
    return -1;
#endif
}

/* Whether heap_now() sees this process's allocations (not under valgrind
 * or ASan, which bring their own allocator). */
static int heap_counts(void)
{
    static int known = -1;
    if (known < 0) {
        long long before = heap_now();
        char *p = malloc(4 << 20);
        long long after = heap_now();
        known = p && before >= 0 && after - before >= (4 << 20);
        free(p);
    }
    return known;
}

#define MIB (1 << 20)

/* ---- the raw peer ---- */

typedef struct peer peer;
/* A request stream whose END_STREAM arrived. */
typedef void (*peer_request_fn)(peer *p, int32_t sid);

struct peer {
    struct event_base *base;
    struct evconnlistener *lis;
    struct bufferevent *bev;
    int port;
    int nconns;
    peer_request_fn on_request;
    /* what the client sent */
    size_t preface_left;
    uint8_t fh[9];
    size_t fh_have;
    size_t left;   /* payload bytes of the current frame */
    uint8_t pl[8]; /* the first payload bytes (GOAWAY, RST_STREAM) */
    size_t pl_have;
    int nrequests;
    int32_t requests[64];
    int goaways;
    uint32_t goaway_code;
    int rsts;
    uint32_t rst_code;
    int32_t rst_sid;
    int settings_acks;
    int ping_acks;
};

static peer P;
static struct event_base *base;
static milvus_options *opts;
static milvus_channel *ch;

static void put_frame_hd(uint8_t *h, size_t len, uint8_t type, uint8_t flags, int32_t sid)
{
    h[0] = (uint8_t)(len >> 16);
    h[1] = (uint8_t)(len >> 8);
    h[2] = (uint8_t)len;
    h[3] = type;
    h[4] = flags;
    h[5] = (uint8_t)((uint32_t)sid >> 24 & 0x7f);
    h[6] = (uint8_t)(sid >> 16);
    h[7] = (uint8_t)(sid >> 8);
    h[8] = (uint8_t)sid;
}

static void peer_frame(peer *p, uint8_t type, uint8_t flags, int32_t sid, const void *pl,
                       size_t len)
{
    uint8_t h[9];
    put_frame_hd(h, len, type, flags, sid);
    cr_assert_not_null(p->bev, "no connection to write to");
    bufferevent_write(p->bev, h, 9);
    if (len)
        bufferevent_write(p->bev, pl, len);
}

/* The frame of the client just read: acts on what matters here. */
static void peer_on_frame(peer *p)
{
    uint8_t type = p->fh[3], flags = p->fh[4];
    int32_t sid = (int32_t)((uint32_t)(p->fh[5] & 0x7f) << 24 | (uint32_t)p->fh[6] << 16 |
                            (uint32_t)p->fh[7] << 8 | p->fh[8]);
    switch (type) {
    case NGHTTP2_SETTINGS:
        if (flags & NGHTTP2_FLAG_ACK)
            p->settings_acks++;
        else
            peer_frame(p, NGHTTP2_SETTINGS, NGHTTP2_FLAG_ACK, 0, NULL, 0);
        break;
    case NGHTTP2_PING:
        if (flags & NGHTTP2_FLAG_ACK)
            p->ping_acks++;
        break;
    case NGHTTP2_GOAWAY:
        p->goaways++;
        p->goaway_code = (uint32_t)p->pl[4] << 24 | (uint32_t)p->pl[5] << 16 |
                         (uint32_t)p->pl[6] << 8 | p->pl[7];
        break;
    case NGHTTP2_RST_STREAM:
        p->rsts++;
        p->rst_sid = sid;
        p->rst_code = (uint32_t)p->pl[0] << 24 | (uint32_t)p->pl[1] << 16 |
                      (uint32_t)p->pl[2] << 8 | p->pl[3];
        break;
    default: break;
    }
    if ((type == NGHTTP2_HEADERS || type == NGHTTP2_DATA) && (flags & NGHTTP2_FLAG_END_STREAM)) {
        if (p->nrequests < 64)
            p->requests[p->nrequests] = sid;
        p->nrequests++;
        if (p->on_request)
            p->on_request(p, sid);
    }
}

static void peer_read_cb(struct bufferevent *bev, void *arg)
{
    peer *p = arg;
    struct evbuffer *in = bufferevent_get_input(bev);
    uint8_t buf[4096];
    int n;
    while ((n = evbuffer_remove(in, buf, sizeof(buf))) > 0) {
        size_t i = 0, len = (size_t)n;
        while (i < len) {
            if (p->preface_left) {
                size_t k = len - i < p->preface_left ? len - i : p->preface_left;
                p->preface_left -= k;
                i += k;
            } else if (p->fh_have < 9) {
                p->fh[p->fh_have++] = buf[i++];
                if (p->fh_have == 9) {
                    p->left = (size_t)p->fh[0] << 16 | (size_t)p->fh[1] << 8 | p->fh[2];
                    p->pl_have = 0;
                    if (p->left == 0) {
                        p->fh_have = 0;
                        peer_on_frame(p);
                    }
                }
            } else {
                size_t k = len - i < p->left ? len - i : p->left;
                for (size_t j = 0; j < k && p->pl_have < sizeof(p->pl); j++)
                    p->pl[p->pl_have++] = buf[i + j];
                p->left -= k;
                i += k;
                if (p->left == 0) {
                    p->fh_have = 0;
                    peer_on_frame(p);
                }
            }
        }
    }
}

static void peer_event_cb(struct bufferevent *bev, short what, void *arg)
{
    peer *p = arg;
    if (what & (BEV_EVENT_EOF | BEV_EVENT_ERROR)) {
        bufferevent_free(bev);
        if (p->bev == bev)
            p->bev = NULL;
    }
}

static void peer_accept_cb(struct evconnlistener *l, evutil_socket_t fd, struct sockaddr *sa,
                           int sl, void *arg)
{
    peer *p = arg;
    (void)l;
    (void)sa;
    (void)sl;
    if (p->bev)
        bufferevent_free(p->bev); /* one connection at a time */
    p->bev = bufferevent_socket_new(p->base, fd, BEV_OPT_CLOSE_ON_FREE);
    cr_assert_not_null(p->bev);
    p->nconns++;
    p->preface_left = 24;
    p->fh_have = 0;
    p->left = 0;
    bufferevent_setcb(p->bev, peer_read_cb, NULL, peer_event_cb, p);
    bufferevent_enable(p->bev, EV_READ | EV_WRITE);
    /* the server's connection preface: an empty SETTINGS frame */
    peer_frame(p, NGHTTP2_SETTINGS, 0, 0, NULL, 0);
}

/* rcvbuf > 0: the accepted socket's receive buffer (a peer that does not
 * read then stops the client's writes soon). */
static void peer_start(peer_request_fn on_request, int rcvbuf)
{
    struct sockaddr_in sin;
    socklen_t sl = sizeof(sin);
    evutil_socket_t fd;
    memset(&P, 0, sizeof(P));
    P.base = base;
    P.on_request = on_request;
    fd = socket(AF_INET, SOCK_STREAM, 0);
    cr_assert(fd >= 0);
    if (rcvbuf > 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf));
    memset(&sin, 0, sizeof(sin));
    sin.sin_family = AF_INET;
    sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    cr_assert_eq(bind(fd, (struct sockaddr *)&sin, sizeof(sin)), 0, "bind: %s", strerror(errno));
    evutil_make_socket_nonblocking(fd);
    P.lis = evconnlistener_new(base, peer_accept_cb, &P, LEV_OPT_CLOSE_ON_FREE, 16, fd);
    cr_assert_not_null(P.lis);
    getsockname(fd, (struct sockaddr *)&sin, &sl);
    P.port = ntohs(sin.sin_port);
    cr_assert_eq(milvus_options_set_address(opts, "127.0.0.1", P.port), MILVUS_OK);
    cr_assert_eq(milvus_channel_new(&ch, base, opts), MILVUS_OK);
}

/* ---- HPACK, written by hand (RFC 7541) ---- */

typedef struct blk {
    uint8_t *b;
    size_t n, cap;
} blk;

static void blk_put(blk *k, const void *d, size_t n)
{
    if (k->n + n > k->cap) {
        k->cap = (k->n + n) * 2 + 64;
        k->b = realloc(k->b, k->cap);
        cr_assert_not_null(k->b);
    }
    memcpy(k->b + k->n, d, n);
    k->n += n;
}

static void blk_byte(blk *k, uint8_t c)
{
    blk_put(k, &c, 1);
}

static void hp_int(blk *k, uint8_t first, int prefix, size_t v)
{
    size_t max = ((size_t)1 << prefix) - 1;
    if (v < max) {
        blk_byte(k, (uint8_t)(first | v));
        return;
    }
    blk_byte(k, (uint8_t)(first | max));
    for (v -= max; v >= 128; v /= 128)
        blk_byte(k, (uint8_t)(v % 128 + 128));
    blk_byte(k, (uint8_t)v);
}

/* A literal field with a new name: kind 0x40 adds it to the dynamic table
 * (then at index 62), 0x00 does not. */
static void hp_lit(blk *k, uint8_t kind, const char *name, const void *value, size_t vlen)
{
    blk_byte(k, kind);
    hp_int(k, 0, 7, strlen(name));
    blk_put(k, name, strlen(name));
    hp_int(k, 0, 7, vlen);
    blk_put(k, value, vlen);
}

/* :status 200 (static index 8) and content-type: application/grpc. */
static void hp_response(blk *k)
{
    blk_byte(k, 0x88);
    hp_lit(k, 0x00, "content-type", "application/grpc", 16);
}

/* The value of the table entry the bombs repeat: its entry (6 + 3000 +
 * 32 bytes) fits the 4 KiB table of the client's decoder. */
static char bomb_value[3000];

/* A field that adds "x-bomb: <3000 bytes>" to the table, then n - 1
 * references to it: one byte each on the wire, 3038 bytes each once
 * decoded. */
static void hp_bomb(blk *k, int n, int add)
{
    memset(bomb_value, 'b', sizeof(bomb_value));
    if (add)
        hp_lit(k, 0x40, "x-bomb", bomb_value, sizeof(bomb_value));
    for (int i = add ? 1 : 0; i < n; i++)
        blk_byte(k, 0x80 | 62);
}

/* The message "ok", then trailers with grpc-status 0. */
static void finish_ok(peer *p, int32_t sid)
{
    static const uint8_t msg[] = {0, 0, 0, 0, 2, 'o', 'k'};
    blk k = {0};
    peer_frame(p, NGHTTP2_DATA, 0, sid, msg, sizeof(msg));
    hp_lit(&k, 0x00, "grpc-status", "0", 1);
    peer_frame(p, NGHTTP2_HEADERS, NGHTTP2_FLAG_END_HEADERS | NGHTTP2_FLAG_END_STREAM, sid, k.b,
               k.n);
    free(k.b);
}

/* Headers, the message "ok", trailers with grpc-status 0. */
static void reply_ok(peer *p, int32_t sid)
{
    blk k = {0};
    hp_response(&k);
    peer_frame(p, NGHTTP2_HEADERS, NGHTTP2_FLAG_END_HEADERS, sid, k.b, k.n);
    free(k.b);
    finish_ok(p, sid);
}

/* ---- the client side ---- */

typedef struct result {
    int calls;
    int status, code;
    char *msg;
    size_t len;
    long long heap; /* heap_now() in the callback, with the call's memory */
} result;

static void on_reply(milvus_channel *c, int status, const milvus_reply *r, void *ctx)
{
    result *res = ctx;
    (void)c;
    res->heap = heap_now();
    res->calls++;
    res->status = status;
    res->code = milvus_reply_grpc_code(r);
    free(res->msg);
    res->msg = strdup(milvus_reply_message(r));
    milvus_reply_data(r, &res->len);
}

static void unary(result *res, int64_t timeout_ms)
{
    milvus_call_options *co = milvus_call_options_new();
    cr_assert_not_null(co);
    milvus_call_options_set_retry(co, 0);
    if (timeout_ms)
        milvus_call_options_set_timeout_ms(co, timeout_ms);
    cr_assert_eq(milvus_channel_unary(ch, "/test.Limits/Call", "q", 1, co, on_reply, res),
                 MILVUS_OK);
    milvus_call_options_free(co);
}

static int timed_out;
static void timeout_cb(evutil_socket_t fd, short w, void *arg)
{
    (void)fd;
    (void)w;
    (void)arg;
    timed_out = 1;
}

/* Runs the loop until *a >= ta or (b given) *b >= tb, at most ms. */
static int run_until2(const int *a, int ta, const int *b, int tb, int ms)
{
    struct event *t = evtimer_new(base, timeout_cb, NULL);
    struct timeval tv = {ms / 1000, (ms % 1000) * 1000};
    timed_out = 0;
    evtimer_add(t, &tv);
    while ((!a || *a < ta) && (!b || *b < tb) && !timed_out)
        event_base_loop(base, EVLOOP_ONCE);
    event_free(t);
    return (a && *a >= ta) || (b && *b >= tb);
}

static int run_until(const int *counter, int target, int ms)
{
    return run_until2(counter, target, NULL, 0, ms) || !counter;
}

static void setup(void)
{
    signal(SIGPIPE, SIG_IGN);
    base = event_base_new();
    cr_assert_not_null(base);
    opts = milvus_options_new();
    cr_assert_not_null(opts);
    cr_assert_eq(milvus_options_set_reconnect_backoff(opts, 20, 100, 1.5), MILVUS_OK);
}

static void teardown(void)
{
    milvus_channel_free(ch);
    ch = NULL;
    if (P.bev)
        bufferevent_free(P.bev);
    if (P.lis)
        evconnlistener_free(P.lis);
    memset(&P, 0, sizeof(P));
    milvus_options_free(opts);
    opts = NULL;
    if (base) {
        event_base_loop(base, EVLOOP_NONBLOCK);
        event_base_free(base);
    }
    base = NULL;
}

static void expect(const result *r, int status, int code, const char *text)
{
    cr_assert_eq(r->calls, 1, "the callback ran %d times", r->calls);
    cr_assert_eq(r->status, status, "status %s, expected %s: '%s'", milvus_strerror(r->status),
                 milvus_strerror(status), r->msg);
    cr_assert_eq(r->code, code, "grpc %s, expected %s: '%s'", milvus_grpc_code_name(r->code),
                 milvus_grpc_code_name(code), r->msg);
    cr_assert(strstr(r->msg, text), "message '%s' should contain '%s'", r->msg, text);
}

/* What the heap grew by from base_heap, at most max. */
static void expect_heap(long long at, long long base_heap, long long max, const char *what)
{
    if (!heap_counts()) {
        cr_log_info("%s: heap not measured (the allocator does not report)", what);
        return;
    }
    cr_log_info("%s: the heap grew by %lld bytes (bound %lld)", what, at - base_heap, max);
    cr_assert(at - base_heap <= max, "%s: the heap grew by %lld bytes (bound %lld)", what,
              at - base_heap, max);
}

/* One normal call, then the script: the heap measured afterwards leaves out
 * what the connection itself costs (session, buffers, the channel's pool). */
static void warm_up(peer_request_fn script)
{
    result r = {0};
    P.on_request = reply_ok;
    unary(&r, 3000);
    cr_assert(run_until(&r.calls, 1, 4000), "the warm-up call did not complete");
    cr_assert_eq(r.status, MILVUS_OK, "warm-up: %s '%s'", milvus_strerror(r.status), r.msg);
    free(r.msg);
    P.on_request = script;
    heap_counts();
}

/* A normal call afterwards: on the same connection when the failure was
 * the call's own. */
static void expect_recovers(int same_connection)
{
    result r = {0};
    int conns = P.nconns;
    P.on_request = reply_ok;
    unary(&r, 3000);
    cr_assert(run_until(&r.calls, 1, 4000), "the call after the fault did not complete");
    cr_assert_eq(r.status, MILVUS_OK, "after the fault: %s '%s'", milvus_strerror(r.status), r.msg);
    cr_assert_eq(r.len, 2);
    if (same_connection)
        cr_assert_eq(P.nconns, conns, "the connection should have survived");
    free(r.msg);
}

TestSuite(limits, .init = setup, .fini = teardown, .timeout = 30);

/* ---- response metadata ---- */

/* 4000 fields of 3038 bytes each (12 MB decoded) in a 7 KB HEADERS frame;
 * the response would otherwise be fine. */
static void bomb_in_headers(peer *p, int32_t sid)
{
    blk k = {0};
    hp_response(&k);
    hp_bomb(&k, 4000, 1);
    peer_frame(p, NGHTTP2_HEADERS, NGHTTP2_FLAG_END_HEADERS, sid, k.b, k.n);
    free(k.b);
    finish_ok(p, sid);
}

Test(limits, header_bytes_hpack_bomb)
{
    result r = {0};
    long long h0;
    peer_start(bomb_in_headers, 0);
    warm_up(bomb_in_headers);
    h0 = heap_now();
    unary(&r, 3000);
    cr_assert(run_until(&r.calls, 1, 4000));
    expect(&r, MILVUS_ERR_PROTOCOL, MILVUS_GRPC_RESOURCE_EXHAUSTED,
           "response headers exceed 1 MiB (SETTINGS_MAX_HEADER_LIST_SIZE)");
    expect_heap(r.heap, h0, MV_MAX_HEADER_LIST + MIB, "12 MB of decoded headers");
    run_until(&P.rsts, 1, 1000);
    cr_assert_eq(P.rst_code, NGHTTP2_CANCEL, "the stream is reset (code %u)", P.rst_code);
    expect_recovers(1);
    free(r.msg);
}

static void bomb_in_trailers(peer *p, int32_t sid)
{
    static const uint8_t msg[] = {0, 0, 0, 0, 2, 'o', 'k'};
    blk k = {0};
    hp_response(&k);
    peer_frame(p, NGHTTP2_HEADERS, NGHTTP2_FLAG_END_HEADERS, sid, k.b, k.n);
    peer_frame(p, NGHTTP2_DATA, 0, sid, msg, sizeof(msg));
    k.n = 0;
    hp_lit(&k, 0x00, "grpc-status", "0", 1);
    hp_bomb(&k, 4000, 1);
    peer_frame(p, NGHTTP2_HEADERS, NGHTTP2_FLAG_END_HEADERS | NGHTTP2_FLAG_END_STREAM, sid, k.b,
               k.n);
    free(k.b);
}

Test(limits, trailer_bytes_hpack_bomb)
{
    result r = {0};
    long long h0;
    peer_start(bomb_in_trailers, 0);
    warm_up(bomb_in_trailers);
    h0 = heap_now();
    unary(&r, 3000);
    cr_assert(run_until(&r.calls, 1, 4000));
    expect(&r, MILVUS_ERR_PROTOCOL, MILVUS_GRPC_RESOURCE_EXHAUSTED,
           "response trailers exceed 1 MiB (SETTINGS_MAX_HEADER_LIST_SIZE)");
    expect_heap(r.heap, h0, MV_MAX_HEADER_LIST + MIB, "12 MB of decoded trailers");
    expect_recovers(1);
    free(r.msg);
}

/* 15000 fields "x-m: 1" (36 bytes each as counted: 540 KB, under the byte
 * limit), one byte each on the wire. */
static void many_fields(peer *p, int32_t sid)
{
    blk k = {0};
    hp_response(&k);
    hp_lit(&k, 0x40, "x-m", "1", 1);
    for (int i = 1; i < 15000; i++)
        blk_byte(&k, 0x80 | 62);
    peer_frame(p, NGHTTP2_HEADERS, NGHTTP2_FLAG_END_HEADERS, sid, k.b, k.n);
    free(k.b);
    finish_ok(p, sid);
}

Test(limits, metadata_fields)
{
    result r = {0};
    long long h0;
    peer_start(many_fields, 0);
    warm_up(many_fields);
    h0 = heap_now();
    unary(&r, 3000);
    cr_assert(run_until(&r.calls, 1, 4000));
    expect(&r, MILVUS_ERR_PROTOCOL, MILVUS_GRPC_RESOURCE_EXHAUSTED,
           "response metadata has more than 1024 fields");
    /* 1024 small fields cost about 100 KB; 15000 would cost 1.5 MB */
    expect_heap(r.heap, h0, 512 << 10, "15000 metadata fields");
    expect_recovers(1);
    free(r.msg);
}

/* Every call gets 296 fields of 3038 bytes (899 KB, under the per-call
 * limit) and no end until all of them have their headers. */
#define HELD_CALLS 30
static int held_sent;
static void big_headers_held(peer *p, int32_t sid)
{
    blk k = {0};
    hp_response(&k);
    hp_bomb(&k, 296, held_sent == 0);
    peer_frame(p, NGHTTP2_HEADERS, NGHTTP2_FLAG_END_HEADERS, sid, k.b, k.n);
    free(k.b);
    if (++held_sent == HELD_CALLS)
        for (int i = 0; i < HELD_CALLS; i++)
            finish_ok(p, p->requests[p->nrequests - HELD_CALLS + i]);
}

Test(limits, metadata_held_by_the_channel)
{
    result r[HELD_CALLS];
    int done = 0, failed = 0;
    long long h0, peak = 0;
    memset(r, 0, sizeof(r));
    held_sent = 0;
    peer_start(big_headers_held, 0);
    warm_up(big_headers_held);
    h0 = heap_now();
    for (int i = 0; i < HELD_CALLS; i++)
        unary(&r[i], 5000);
    for (int k = 0; k < 500 && done < HELD_CALLS; k++) {
        run_until(NULL, 0, 10);
        done = 0;
        for (int i = 0; i < HELD_CALLS; i++)
            done += r[i].calls;
    }
    cr_assert_eq(done, HELD_CALLS, "%d of %d calls completed", done, HELD_CALLS);
    for (int i = 0; i < HELD_CALLS; i++) {
        if (r[i].status != MILVUS_OK) {
            expect(&r[i], MILVUS_ERR_PROTOCOL, MILVUS_GRPC_RESOURCE_EXHAUSTED,
                   "response metadata held by the channel's calls exceeds 16 MiB");
            failed++;
        }
        if (r[i].heap > peak)
            peak = r[i].heap;
        free(r[i].msg);
    }
    /* 30 x 899 KB = 27 MB of headers were sent; 16 MiB fit */
    cr_assert(failed > 0 && failed < HELD_CALLS, "%d calls failed", failed);
    expect_heap(peak, h0, MV_MAX_METADATA_HELD + 2 * MIB, "27 MB of headers over 30 calls");
    cr_assert_eq(ch->md_held, 0, "metadata still counted after the calls: %zu", ch->md_held);
    expect_recovers(1);
}

/* ---- frames ---- */

/* A header block that does not end: HEADERS, then CONTINUATION frames of
 * one small field each, none with END_HEADERS. */
static void continuation_flood(peer *p, int32_t sid)
{
    blk k = {0};
    hp_response(&k);
    peer_frame(p, NGHTTP2_HEADERS, 0, sid, k.b, k.n);
    for (int i = 0; i < 200; i++) {
        k.n = 0;
        hp_lit(&k, 0x00, "x-c", "v", 1);
        peer_frame(p, NGHTTP2_CONTINUATION, 0, sid, k.b, k.n);
    }
    free(k.b);
}

Test(limits, continuation_flood)
{
    result r = {0};
    peer_start(continuation_flood, 0);
    unary(&r, 3000);
    cr_assert(run_until(&r.calls, 1, 4000));
    expect(&r, MILVUS_ERR_PROTOCOL, MILVUS_GRPC_INTERNAL,
           "the server sent a header block of more than 8 CONTINUATION frames "
           "(ENHANCE_YOUR_CALM)");
    run_until(&P.goaways, 1, 1000);
    cr_assert_eq(P.goaways, 1, "the client should say why with a GOAWAY");
    cr_assert_eq(P.goaway_code, NGHTTP2_ENHANCE_YOUR_CALM, "GOAWAY code %u", P.goaway_code);
    expect_recovers(0);
    free(r.msg);
}

/* The same on a header block nghttp2 ignores (the stream was cancelled):
 * counted all the same, the other call on the connection hears why. */
static int32_t cancelled_sid;
static void continuation_on_ignored_block(peer *p, int32_t sid)
{
    (void)p;
    if (!cancelled_sid)
        cancelled_sid = sid; /* never answered: its deadline cancels it */
    /* the next call's request: the cancelled stream's block follows */
}

Test(limits, continuation_flood_on_an_ignored_block)
{
    result r1 = {0}, r2 = {0};
    blk k = {0};
    cancelled_sid = 0;
    peer_start(continuation_on_ignored_block, 0);
    warm_up(continuation_on_ignored_block); /* the deadline finds the stream open */
    unary(&r1, 200);
    cr_assert(run_until(&r1.calls, 1, 2000));
    cr_assert_eq(r1.status, MILVUS_ERR_TIMEOUT, "%s", r1.msg);
    run_until(&P.rsts, 1, 1000);
    cr_assert_eq(P.rsts, 1, "the cancelled call's stream is reset");
    unary(&r2, 3000);
    cr_assert(run_until(&P.nrequests, 3, 2000));
    hp_response(&k);
    peer_frame(&P, NGHTTP2_HEADERS, 0, cancelled_sid, k.b, k.n);
    for (int i = 0; i < 200; i++) {
        k.n = 0;
        hp_lit(&k, 0x00, "x-c", "v", 1);
        peer_frame(&P, NGHTTP2_CONTINUATION, 0, cancelled_sid, k.b, k.n);
    }
    free(k.b);
    cr_assert(run_until(&r2.calls, 1, 4000));
    expect(&r2, MILVUS_ERR_PROTOCOL, MILVUS_GRPC_INTERNAL,
           "more than 8 CONTINUATION frames (ENHANCE_YOUR_CALM)");
    free(r1.msg);
    free(r2.msg);
}

/* SETTINGS frames in batches of 50 (fewer than the unanswered limit), each
 * sent once the client acknowledged the one before. */
static void hold(peer *p, int32_t sid)
{
    (void)p;
    (void)sid;
}

Test(limits, settings_per_second)
{
    result r = {0};
    int batches = 0;
    peer_start(hold, 0);
    unary(&r, 3000);
    cr_assert(run_until(&P.nrequests, 1, 2000));
    while (r.calls == 0 && batches < 4) {
        int acks = P.settings_acks;
        for (int i = 0; i < 50; i++)
            peer_frame(&P, NGHTTP2_SETTINGS, 0, 0, NULL, 0);
        batches++;
        run_until2(&P.settings_acks, acks + 50, &r.calls, 1, 1000);
    }
    cr_assert(run_until(&r.calls, 1, 3000));
    expect(&r, MILVUS_ERR_PROTOCOL, MILVUS_GRPC_INTERNAL,
           "the server sent more than 100 SETTINGS frames in one second (ENHANCE_YOUR_CALM)");
    cr_assert_leq(batches, 3, "%d batches of 50", batches);
    run_until(&P.goaways, 1, 1000);
    cr_assert_eq(P.goaway_code, NGHTTP2_ENHANCE_YOUR_CALM, "GOAWAY code %u", P.goaway_code);
    free(r.msg);
}

Test(limits, settings_entries)
{
    result r = {0};
    uint8_t pl[40 * 6];
    peer_start(hold, 0);
    unary(&r, 3000);
    cr_assert(run_until(&P.nrequests, 1, 2000));
    for (int i = 0; i < 40; i++) { /* SETTINGS_ENABLE_PUSH 0, 40 times */
        static const uint8_t e[6] = {0, 2, 0, 0, 0, 0};
        memcpy(pl + i * 6, e, 6);
    }
    peer_frame(&P, NGHTTP2_SETTINGS, 0, 0, pl, sizeof(pl));
    cr_assert(run_until(&r.calls, 1, 3000));
    expect(&r, MILVUS_ERR_PROTOCOL, MILVUS_GRPC_INTERNAL,
           "the server went past a limit of the client (ENHANCE_YOUR_CALM: SETTINGS: too many "
           "setting entries)");
    run_until(&P.goaways, 1, 1000);
    cr_assert_eq(P.goaway_code, NGHTTP2_ENHANCE_YOUR_CALM, "GOAWAY code %u", P.goaway_code);
    free(r.msg);
}

/* 300 PINGs at once: the peer does not wait for the answers. */
Test(limits, pings_unanswered)
{
    result r = {0};
    blk k = {0};
    peer_start(hold, 0);
    unary(&r, 3000);
    cr_assert(run_until(&P.nrequests, 1, 2000));
    for (int i = 0; i < 300; i++) {
        uint8_t h[9 + 8] = {0};
        put_frame_hd(h, 8, NGHTTP2_PING, 0, 0);
        h[9] = (uint8_t)i;
        blk_put(&k, h, sizeof(h));
    }
    bufferevent_write(P.bev, k.b, k.n);
    free(k.b);
    cr_assert(run_until(&r.calls, 1, 3000));
    expect(&r, MILVUS_ERR_PROTOCOL, MILVUS_GRPC_INTERNAL,
           "the server sent more than 100 PING and SETTINGS frames without reading the answers "
           "(ENHANCE_YOUR_CALM)");
    cr_assert_lt(P.ping_acks, 300, "%d PINGs answered", P.ping_acks);
    run_until(&P.goaways, 1, 1000);
    cr_assert_eq(P.goaway_code, NGHTTP2_ENHANCE_YOUR_CALM, "GOAWAY code %u", P.goaway_code);
    expect_recovers(0);
    free(r.msg);
}

/* A peer that does not read sends 50 PINGs per loop iteration (each batch
 * answered in its iteration, so fewer than 100 are ever unanswered at
 * once): the answers must not pile up in the client's output. */
Test(limits, pings_from_a_peer_that_does_not_read)
{
    result r = {0};
    uint8_t batch[50 * 17];
    long long h0, peak = 0;
    size_t sent = 0;
    evutil_socket_t fd;
    peer_start(hold, 4096);
    warm_up(hold);
    unary(&r, 10000);
    cr_assert(run_until(&P.nrequests, 2, 2000));
    run_until(NULL, 0, 20); /* the SETTINGS ACK has left */
    fd = bufferevent_getfd(P.bev);
    bufferevent_disable(P.bev, EV_READ | EV_WRITE);
    for (int i = 0; i < 50; i++) {
        put_frame_hd(batch + i * 17, 8, NGHTTP2_PING, 0, 0);
        memset(batch + i * 17 + 9, 'p', 8);
    }
    h0 = heap_now();
    /* at most 24 MiB of PINGs (as many answers), unless the client stops */
    while (r.calls == 0 && sent < (24u << 20)) {
        ssize_t n = send(fd, batch, sizeof(batch), MSG_NOSIGNAL);
        long long h;
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
            n = 0;
        if (n < 0)
            break; /* the client closed the connection */
        cr_assert_eq((size_t)n % 17, 0, "partial PING written (%zd bytes)", n);
        sent += (size_t)n;
        event_base_loop(base, EVLOOP_ONCE); /* the client reads this batch */
        h = heap_now();
        if (h > peak)
            peak = h;
    }
    cr_assert(run_until(&r.calls, 1, 3000), "the call did not end (%zu bytes of PINGs sent)", sent);
    cr_assert_eq(r.status, MILVUS_ERR_PROTOCOL, "%s '%s' after %zu bytes of PINGs",
                 milvus_strerror(r.status), r.msg, sent);
    cr_assert(strstr(r.msg, "PING") && strstr(r.msg, "ENHANCE_YOUR_CALM"), "%s", r.msg);
    expect_heap(peak, h0, MV_MAX_OUTPUT + 3 * MIB, "PING answers to a peer that does not read");
    free(r.msg);
}

/* ---- streams ---- */

static void push_promise(peer *p, int32_t sid)
{
    blk k = {0};
    uint8_t promised[4] = {0, 0, 0, 2};
    blk_put(&k, promised, 4);
    blk_byte(&k, 0x83); /* :method POST */
    peer_frame(p, NGHTTP2_PUSH_PROMISE, NGHTTP2_FLAG_END_HEADERS, sid, k.b, k.n);
    free(k.b);
}

Test(limits, no_pushed_streams)
{
    result r = {0};
    peer_start(push_promise, 0);
    unary(&r, 3000);
    cr_assert(run_until(&r.calls, 1, 4000));
    expect(&r, MILVUS_ERR_PROTOCOL, MILVUS_GRPC_INTERNAL, "PUSH_PROMISE");
    run_until(&P.goaways, 1, 1000);
    cr_assert_eq(P.goaway_code, NGHTTP2_PROTOCOL_ERROR, "GOAWAY code %u", P.goaway_code);
    expect_recovers(0);
    free(r.msg);
}

static void server_stream(peer *p, int32_t sid)
{
    blk k = {0};
    (void)sid;
    hp_response(&k);
    peer_frame(p, NGHTTP2_HEADERS, NGHTTP2_FLAG_END_HEADERS, 2, k.b, k.n);
    free(k.b);
}

Test(limits, no_server_initiated_streams)
{
    result r = {0};
    peer_start(server_stream, 0);
    unary(&r, 3000);
    cr_assert(run_until(&r.calls, 1, 4000));
    expect(&r, MILVUS_ERR_PROTOCOL, MILVUS_GRPC_INTERNAL, "PROTOCOL_ERROR");
    run_until(&P.goaways, 1, 1000);
    cr_assert_eq(P.goaway_code, NGHTTP2_PROTOCOL_ERROR, "GOAWAY code %u", P.goaway_code);
    free(r.msg);
}

/* ---- messages ---- */

/* A message announced at 64 MiB, 256 KiB of it sent: frames written from
 * a static buffer by reference, so that the peer's own memory stays out
 * of the heap measured. */
static void big_announced(peer *p, int32_t sid)
{
    static uint8_t frames[16 * (9 + 16384)];
    uint8_t pre[5] = {0, 0x04, 0, 0, 0};
    blk k = {0};
    hp_response(&k);
    peer_frame(p, NGHTTP2_HEADERS, NGHTTP2_FLAG_END_HEADERS, sid, k.b, k.n);
    free(k.b);
    peer_frame(p, NGHTTP2_DATA, 0, sid, pre, sizeof(pre));
    for (size_t i = 0; i < 16; i++)
        put_frame_hd(frames + i * (9 + 16384), 16384, NGHTTP2_DATA, 0, sid);
    evbuffer_add_reference(bufferevent_get_output(p->bev), frames, sizeof(frames), NULL, NULL);
}

Test(limits, message_size)
{
    result r = {0};
    long long h0;
    cr_assert_eq(milvus_options_set_max_recv_size(opts, MIB), MILVUS_OK);
    peer_start(big_announced, 0);
    warm_up(big_announced);
    h0 = heap_now();
    unary(&r, 3000);
    cr_assert(run_until(&r.calls, 1, 4000));
    expect(&r, MILVUS_ERR_GRPC, MILVUS_GRPC_RESOURCE_EXHAUSTED,
           "received message larger than max (67108864 vs. 1048576)");
    expect_heap(r.heap, h0, 512 << 10, "a message announced at 64 MiB");
    expect_recovers(1);
    free(r.msg);
}
