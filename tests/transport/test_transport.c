/* SPDX-License-Identifier: Apache-2.0 */
/* Transport and call layers against the in-process HTTP/2 test server. */
#include <criterion/criterion.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <event2/event.h>
#include <nghttp2/nghttp2.h>

#include <milvus/channel.h>

#include "h2_test_server.h"
#include "call/call.h"
#include "common/util.h"

/* ---- harness ---- */

typedef struct result {
    int calls;
    int status;
    int code;
    char msg[512];
    uint8_t *data;
    size_t len;
    int attempts;
    char hdr[128], hdr_bin[64], trailer[128];
    size_t hdr_bin_len;
    int nmsgs;
    char msgs[8][32];
    uint8_t gm[64]; /* milvus_reply_grpc_message_bytes */
    size_t gm_len;
    int gm_null;
} result;

static struct event_base *base;
static h2ts *srv;
static milvus_channel *ch;
static milvus_options *opts;

static void setup_base(void)
{
    signal(SIGPIPE, SIG_IGN);
    base = event_base_new();
    cr_assert_not_null(base);
    opts = milvus_options_new();
    cr_assert_not_null(opts);
}

static void start_server(const h2ts_config *cfg, h2ts_handler h, void *ctx)
{
    srv = h2ts_new(base, cfg, h, ctx);
    cr_assert_not_null(srv);
    cr_assert_eq(milvus_options_set_address(opts, "127.0.0.1", h2ts_port(srv)), MILVUS_OK);
}

static void open_channel(void)
{
    cr_assert_eq(milvus_channel_new(&ch, base, opts), MILVUS_OK);
}

static void teardown(void)
{
    milvus_channel_free(ch);
    ch = NULL;
    h2ts_free(srv);
    srv = NULL;
    milvus_options_free(opts);
    opts = NULL;
    if (base) {
        event_base_loop(base, EVLOOP_NONBLOCK);
        event_base_free(base);
    }
    base = NULL;
}

static int timed_out;
static void timeout_cb(evutil_socket_t fd, short w, void *arg)
{
    (void)fd;
    (void)w;
    (void)arg;
    timed_out = 1;
}

/* Runs the loop until *counter >= target or ms elapse; returns 1 if reached. */
static int run_until(const int *counter, int target, int ms)
{
    struct event *t = evtimer_new(base, timeout_cb, NULL);
    struct timeval tv = {ms / 1000, (ms % 1000) * 1000};
    timed_out = 0;
    evtimer_add(t, &tv);
    while ((!counter || *counter < target) && !timed_out)
        event_base_loop(base, EVLOOP_ONCE);
    event_free(t);
    return !counter || *counter >= target;
}

static void run_for(int ms)
{
    run_until(NULL, 0, ms);
}

static void on_reply(milvus_channel *c, int status, const milvus_reply *r, void *ctx)
{
    result *res = ctx;
    const uint8_t *d;
    size_t n;
    (void)c;
    res->calls++;
    res->status = status;
    cr_assert_eq(milvus_reply_status(r), status);
    res->code = milvus_reply_grpc_code(r);
    snprintf(res->msg, sizeof(res->msg), "%s", milvus_reply_message(r));
    d = milvus_reply_grpc_message_bytes(r, &n);
    res->gm_null = d == NULL;
    res->gm_len = n < sizeof(res->gm) ? n : sizeof(res->gm);
    if (d)
        memcpy(res->gm, d, res->gm_len);
    d = milvus_reply_data(r, &n);
    free(res->data);
    res->data = NULL;
    res->len = n;
    if (d) {
        res->data = malloc(n + 1);
        memcpy(res->data, d, n);
    }
    res->attempts = milvus_reply_attempts(r);
    d = milvus_reply_header(r, "x-call", 0, &n);
    if (d)
        snprintf(res->hdr, sizeof(res->hdr), "%.*s", (int)n, (const char *)d);
    d = milvus_reply_header(r, "x-bin-bin", 0, &n);
    if (d && n <= sizeof(res->hdr_bin)) {
        memcpy(res->hdr_bin, d, n);
        res->hdr_bin_len = n;
    }
    d = milvus_reply_trailer(r, "trailer-x-call", 0, &n);
    if (d)
        snprintf(res->trailer, sizeof(res->trailer), "%.*s", (int)n, (const char *)d);
}

/* handlers */
static void h_echo(h2ts_req *r, void *ctx)
{
    size_t n;
    const uint8_t *m = h2ts_req_message(r, &n);
    (void)ctx;
    h2ts_reply(r, m, n);
}

static void h_never(h2ts_req *r, void *ctx)
{
    (void)r;
    (void)ctx;
}

static int unary(const char *msg, const milvus_call_options *co, result *res, milvus_call_id *id)
{
    int rc = milvus_channel_unary(ch, "/test.Echo/Unary", msg, strlen(msg), co, on_reply, res);
    if (id)
        *id = rc == MILVUS_OK ? milvus_channel_last_call(ch) : 0;
    return rc;
}

TestSuite(transport, .init = setup_base, .fini = teardown, .timeout = 20);

/* ---- basic unary ---- */

Test(transport, unary_echo)
{
    result res = {0};
    milvus_call_id id = 0;
    start_server(NULL, h_echo, NULL);
    open_channel();
    cr_assert_eq(unary("hello", NULL, &res, &id), MILVUS_OK);
    cr_assert_neq(id, 0);
    cr_assert_eq(res.calls, 0, "callback ran inside the submitting function");
    cr_assert_eq(milvus_channel_pending(ch), 1);
    cr_assert(run_until(&res.calls, 1, 3000));
    cr_assert_eq(res.status, MILVUS_OK, "%s", res.msg);
    cr_assert_eq(res.code, MILVUS_GRPC_OK);
    cr_assert_eq(res.len, 5);
    cr_assert_eq(memcmp(res.data, "hello", 5), 0);
    cr_assert_eq(res.attempts, 1);
    cr_assert_eq(milvus_channel_pending(ch), 0);
    {
        h2ts_req *r = h2ts_request(srv, 0);
        cr_assert_str_eq(h2ts_req_header(r, ":path"), "/test.Echo/Unary");
        cr_assert_str_eq(h2ts_req_header(r, ":method"), "POST");
        cr_assert_str_eq(h2ts_req_header(r, ":scheme"), "http");
        cr_assert_str_eq(h2ts_req_header(r, "content-type"), "application/grpc");
        cr_assert_str_eq(h2ts_req_header(r, "te"), "trailers");
        cr_assert_eq(strncmp(h2ts_req_header(r, "user-agent"), "libmilvus/", 10), 0);
        cr_assert_null(h2ts_req_header(r, "grpc-timeout"));
    }
    /* A second call reuses the connection; an empty request works. */
    cr_assert_eq(milvus_channel_unary(ch, "/test.Echo/Unary", NULL, 0, NULL, on_reply, &res),
                 MILVUS_OK);
    cr_assert(run_until(&res.calls, 2, 3000));
    cr_assert_eq(res.status, MILVUS_OK, "%s", res.msg);
    cr_assert_eq(res.len, 0);
    cr_assert_eq(h2ts_nconns(srv), 1);
    free(res.data);
}

Test(transport, metadata)
{
    result res = {0};
    milvus_call_options *co = milvus_call_options_new();
    static const uint8_t bin[] = {0, 1, 2, 0xff, 0x80};
    h2ts_req *r;
    start_server(NULL, h_echo, NULL);
    cr_assert_eq(milvus_options_add_metadata(opts, "x-static", "s1", 2), MILVUS_OK);
    cr_assert_eq(milvus_options_set_token(opts, "root:Milvus"), MILVUS_OK);
    cr_assert_eq(milvus_options_set_database(opts, "db1"), MILVUS_OK);
    cr_assert_eq(milvus_options_add_metadata(opts, "Bad-Key", "v", 1), MILVUS_ERR_INVALID_ARGUMENT);
    /* the options are invalid until add_metadata accepts an entry */
    cr_assert_eq(milvus_channel_new(&ch, base, opts), MILVUS_ERR_INVALID_ARGUMENT);
    cr_assert(strstr(milvus_options_last_error(opts), "\"Bad-Key\""), "%s",
              milvus_options_last_error(opts));
    cr_assert_eq(milvus_options_add_metadata(opts, "x-static2", "s2", 2), MILVUS_OK);
    open_channel();
    cr_assert_eq(milvus_channel_set_metadata(ch, "x-chan", "c9", 2), MILVUS_OK);
    cr_assert_eq(milvus_call_options_add_metadata(co, "x-call", "c1", 2), MILVUS_OK);
    cr_assert_eq(milvus_call_options_add_metadata(co, "x-bin-bin", bin, sizeof(bin)), MILVUS_OK);
    cr_assert_eq(milvus_call_options_add_metadata(co, "x-bad", "\n", 1),
                 MILVUS_ERR_INVALID_ARGUMENT);
    /* refused at submission until x-bad gets a value the call can send */
    cr_assert_eq(unary("m", co, &res, NULL), MILVUS_ERR_INVALID_ARGUMENT);
    cr_assert_str_eq(milvus_channel_last_error(ch),
                     "unary: invalid call options: milvus_call_options_add_metadata: value of "
                     "\"x-bad\" is not printable ASCII (0x20..0x7e; keys ending in -bin take "
                     "binary values)");
    cr_assert_eq(milvus_call_options_add_metadata(co, "x-bad", "ok", 2), MILVUS_OK);
    cr_assert_str_eq(milvus_call_options_last_error(co), "");
    cr_assert_eq(unary("m", co, &res, NULL), MILVUS_OK);
    milvus_call_options_free(co); /* copied at submission */
    cr_assert(run_until(&res.calls, 1, 3000));
    cr_assert_eq(res.status, MILVUS_OK, "%s", res.msg);
    r = h2ts_request(srv, 0);
    cr_assert_str_eq(h2ts_req_header(r, "x-static"), "s1");
    cr_assert_str_eq(h2ts_req_header(r, "x-chan"), "c9");
    cr_assert_str_eq(h2ts_req_header(r, "x-call"), "c1");
    cr_assert_str_eq(h2ts_req_header(r, "x-bin-bin"), "AAEC/4A");              /* unpadded */
    cr_assert_str_eq(h2ts_req_header(r, "authorization"), "cm9vdDpNaWx2dXM="); /* padded */
    cr_assert_str_eq(h2ts_req_header(r, "dbname"), "db1");
    cr_assert_str_eq(res.hdr, "c1");
    cr_assert_eq(res.hdr_bin_len, sizeof(bin));
    cr_assert_eq(memcmp(res.hdr_bin, bin, sizeof(bin)), 0);
    cr_assert_str_eq(res.trailer, "c1");
    /* Removing channel metadata. */
    cr_assert_eq(milvus_channel_set_metadata(ch, "x-chan", NULL, 0), MILVUS_OK);
    cr_assert_eq(unary("m", NULL, &res, NULL), MILVUS_OK);
    cr_assert(run_until(&res.calls, 2, 3000));
    cr_assert_null(h2ts_req_header(h2ts_request(srv, 1), "x-chan"));
    free(res.data);
}

/* ---- deadline and cancel ---- */

Test(transport, deadline_never_answered)
{
    result res = {0};
    milvus_call_options *co = milvus_call_options_new();
    const char *gt;
    int64_t ns = 0;
    h2ts_req *r;
    start_server(NULL, h_never, NULL);
    open_channel();
    milvus_call_options_set_timeout_ms(co, 1000);
    cr_assert_eq(unary("x", co, &res, NULL), MILVUS_OK);
    milvus_call_options_free(co);
    cr_assert(run_until(&res.calls, 1, 5000));
    cr_assert_eq(res.status, MILVUS_ERR_TIMEOUT, "%s", res.msg);
    cr_assert_eq(res.code, MILVUS_GRPC_DEADLINE_EXCEEDED);
    run_for(50);
    r = h2ts_request(srv, 0);
    cr_assert_not_null(r);
    gt = h2ts_req_header(r, "grpc-timeout");
    cr_assert_not_null(gt);
    cr_assert_eq(mv_timeout_parse(gt, strlen(gt), &ns), 0);
    cr_assert(ns > 100000000LL && ns <= 1000000000LL, "grpc-timeout %s", gt);
    cr_assert(r->rst_received, "server saw no RST_STREAM");
    cr_assert_eq(r->rst_code, NGHTTP2_CANCEL);
    cr_assert_eq(res.calls, 1);
}

Test(transport, channel_default_timeout)
{
    result res = {0};
    start_server(NULL, h_never, NULL);
    milvus_options_set_call_timeout_ms(opts, 100);
    open_channel();
    cr_assert_eq(unary("x", NULL, &res, NULL), MILVUS_OK);
    cr_assert(run_until(&res.calls, 1, 3000));
    cr_assert_eq(res.status, MILVUS_ERR_TIMEOUT);
}

static int count_complete(void)
{
    int i, n = 0;
    for (i = 0; i < h2ts_nrequests(srv); i++)
        n += h2ts_request(srv, i)->complete;
    return n;
}

Test(transport, cancel)
{
    result res = {0};
    milvus_call_id id = 0;
    int got = 0;
    start_server(NULL, h_never, NULL);
    open_channel();
    cr_assert_eq(unary("x", NULL, &res, &id), MILVUS_OK);
    while (!got) {
        run_for(10);
        got = count_complete();
    }
    cr_assert_eq(milvus_channel_cancel(ch, id), MILVUS_OK);
    cr_assert_eq(res.calls, 0, "cancel completed synchronously");
    cr_assert(run_until(&res.calls, 1, 3000));
    cr_assert_eq(res.status, MILVUS_ERR_CANCELLED);
    cr_assert_eq(res.code, MILVUS_GRPC_CANCELLED);
    cr_assert_eq(milvus_channel_cancel(ch, id), MILVUS_OK); /* no-op */
    cr_assert_eq(milvus_channel_cancel(ch, 987654), MILVUS_OK);
    run_for(50);
    cr_assert_eq(res.calls, 1);
    cr_assert(h2ts_request(srv, 0)->rst_received);
    cr_assert_eq(h2ts_request(srv, 0)->rst_code, NGHTTP2_CANCEL);
}

Test(transport, cancel_before_connect)
{
    result res = {0};
    milvus_call_id id = 0;
    start_server(NULL, h_echo, NULL);
    open_channel();
    cr_assert_eq(unary("x", NULL, &res, &id), MILVUS_OK);
    cr_assert_eq(milvus_channel_cancel(ch, id), MILVUS_OK);
    cr_assert(run_until(&res.calls, 1, 3000));
    cr_assert_eq(res.status, MILVUS_ERR_CANCELLED);
    run_for(30);
    cr_assert_eq(res.calls, 1);
    cr_assert_eq(h2ts_nrequests(srv), 0);
}

Test(transport, free_with_pending_calls)
{
    result res[5] = {{0}};
    int i;
    start_server(NULL, h_never, NULL);
    open_channel();
    for (i = 0; i < 5; i++)
        cr_assert_eq(unary("x", NULL, &res[i], NULL), MILVUS_OK);
    while (count_complete() < 3)
        run_for(10);
    milvus_channel_free(ch);
    ch = NULL;
    for (i = 0; i < 5; i++) {
        cr_assert_eq(res[i].calls, 1, "call %d completed %d times", i, res[i].calls);
        cr_assert_eq(res[i].status, MILVUS_ERR_CANCELLED);
    }
    run_for(30);
    for (i = 0; i < 5; i++)
        cr_assert_eq(res[i].calls, 1);
}

/* ---- re-entrancy ---- */

typedef struct chain {
    int step;
    int done;
    result other;
    int status2;
} chain;

static void chain_cb2(milvus_channel *c, int status, const milvus_reply *r, void *ctx)
{
    chain *cs = ctx;
    (void)r;
    cs->status2 = status;
    cs->step++;
    /* Free the channel from inside its own callback: the pending call
     * ("other") completes CANCELLED before free returns. */
    milvus_channel_free(c);
    ch = NULL;
    cr_assert_eq(cs->other.calls, 1);
    cr_assert_eq(cs->other.status, MILVUS_ERR_CANCELLED);
    cs->done = 1;
}

static void chain_cb1(milvus_channel *c, int status, const milvus_reply *r, void *ctx)
{
    chain *cs = ctx;
    (void)r;
    cr_assert_eq(status, MILVUS_OK);
    cs->step++;
    cr_assert_eq(milvus_channel_unary(c, "/test.Echo/Unary", "b", 1, NULL, chain_cb2, cs),
                 MILVUS_OK);
    cr_assert_eq(cs->step, 1, "nested submit ran its callback synchronously");
    cr_assert_eq(milvus_channel_unary(c, "/test.Never/Unary", "c", 1, NULL, on_reply, &cs->other),
                 MILVUS_OK);
}

static void h_echo_or_never(h2ts_req *r, void *ctx)
{
    if (strcmp(h2ts_req_header(r, ":path"), "/test.Never/Unary") != 0)
        h_echo(r, ctx);
}

Test(transport, reentrant_submit_and_free)
{
    chain cs = {0};
    start_server(NULL, h_echo_or_never, NULL);
    open_channel();
    cr_assert_eq(milvus_channel_unary(ch, "/test.Echo/Unary", "a", 1, NULL, chain_cb1, &cs),
                 MILVUS_OK);
    cr_assert(run_until(&cs.done, 1, 3000));
    cr_assert_eq(cs.step, 2);
    cr_assert_eq(cs.status2, MILVUS_OK);
    run_for(20);
}

static void cancel_other_cb(milvus_channel *c, int status, const milvus_reply *r, void *ctx)
{
    milvus_call_id *id = ctx;
    (void)r;
    (void)status;
    milvus_channel_cancel(c, *id);
}

Test(transport, cancel_from_callback)
{
    result res = {0};
    milvus_call_id id2 = 0;
    start_server(NULL, h_echo_or_never, NULL);
    open_channel();
    cr_assert_eq(milvus_channel_unary(ch, "/test.Never/Unary", "a", 1, NULL, on_reply, &res),
                 MILVUS_OK);
    id2 = milvus_channel_last_call(ch);
    cr_assert_eq(milvus_channel_unary(ch, "/test.Echo/Unary", "a", 1, NULL, cancel_other_cb, &id2),
                 MILVUS_OK);
    cr_assert(run_until(&res.calls, 1, 3000));
    cr_assert_eq(res.status, MILVUS_ERR_CANCELLED);
}

/* ---- limits ---- */

Test(transport, busy_at_max_pending)
{
    result res = {0};
    start_server(NULL, h_echo, NULL);
    milvus_options_set_max_pending(opts, 2);
    open_channel();
    cr_assert_eq(unary("a", NULL, &res, NULL), MILVUS_OK);
    cr_assert_eq(unary("b", NULL, &res, NULL), MILVUS_OK);
    cr_assert_eq(unary("c", NULL, &res, NULL), MILVUS_ERR_BUSY);
    cr_assert(strstr(milvus_channel_last_error(ch), "pending"));
    cr_assert(run_until(&res.calls, 2, 3000));
    cr_assert_eq(unary("d", NULL, &res, NULL), MILVUS_OK);
    cr_assert(run_until(&res.calls, 3, 3000));
    run_for(20);
    cr_assert_eq(res.calls, 3);
    free(res.data);
}

Test(transport, too_large)
{
    result res = {0};
    char big[101];
    memset(big, 'a', 100);
    big[100] = '\0';
    start_server(NULL, h_echo, NULL);
    milvus_options_set_max_send_size(opts, 99);
    open_channel();
    cr_assert_eq(unary(big, NULL, &res, NULL), MILVUS_ERR_TOO_LARGE);
    cr_assert(strstr(milvus_channel_last_error(ch), "99"), "%s", milvus_channel_last_error(ch));
    cr_assert(strstr(milvus_channel_last_error(ch), "100"));
    run_for(30);
    cr_assert_eq(res.calls, 0);
    cr_assert_eq(milvus_channel_pending(ch), 0);
}

static uint8_t *big_buf;

static void h_big(h2ts_req *r, void *ctx)
{
    size_t n = *(size_t *)ctx;
    if (!big_buf) {
        big_buf = malloc(n); /* freed at process exit */
        memset(big_buf, 'z', n);
    }
    h2ts_send_headers(r, NULL);
    h2ts_send_message_ref(r, big_buf, n);
    h2ts_finish(r, 0, NULL, NULL);
}

Test(transport, recv_limit)
{
    result res = {0};
    size_t n = 2000;
    start_server(NULL, h_big, &n);
    milvus_options_set_max_recv_size(opts, 1000);
    open_channel();
    cr_assert_eq(unary("a", NULL, &res, NULL), MILVUS_OK);
    cr_assert(run_until(&res.calls, 1, 3000));
    cr_assert_eq(res.status, MILVUS_ERR_GRPC);
    cr_assert_eq(res.code, MILVUS_GRPC_RESOURCE_EXHAUSTED);
    cr_assert(strstr(res.msg, "received message larger than max (2000 vs. 1000)"), "%s", res.msg);
    free(big_buf);
    big_buf = NULL;
}

static void h_big_or_echo(h2ts_req *r, void *ctx)
{
    if (strcmp(h2ts_req_header(r, ":path"), "/test.Big/Get") == 0)
        h_big(r, ctx);
    else
        h_echo(r, ctx);
}

Test(transport, huge_response_100mib, .timeout = 60)
{
    result res = {0};
    size_t n = (size_t)100 << 20;
    struct timespec t0, t1;
    struct rusage ru0, ru1;
    double secs, cpu;
    start_server(NULL, h_big_or_echo, &n);
    open_channel();
    /* Warm up the connection so the figure measures the transfer. */
    cr_assert_eq(unary("w", NULL, &res, NULL), MILVUS_OK);
    cr_assert(run_until(&res.calls, 1, 5000));
    clock_gettime(CLOCK_MONOTONIC, &t0);
    getrusage(RUSAGE_SELF, &ru0);
    cr_assert_eq(milvus_channel_unary(ch, "/test.Big/Get", "a", 1, NULL, on_reply, &res),
                 MILVUS_OK);
    cr_assert(run_until(&res.calls, 2, 50000));
    clock_gettime(CLOCK_MONOTONIC, &t1);
    getrusage(RUSAGE_SELF, &ru1);
    cpu = (double)(ru1.ru_utime.tv_sec - ru0.ru_utime.tv_sec + ru1.ru_stime.tv_sec -
                   ru0.ru_stime.tv_sec) +
          (double)(ru1.ru_utime.tv_usec - ru0.ru_utime.tv_usec + ru1.ru_stime.tv_usec -
                   ru0.ru_stime.tv_usec) /
              1e6;
    cr_assert_eq(res.status, MILVUS_OK, "%s", res.msg);
    cr_assert_eq(res.len, n);
    cr_assert_eq(res.data[0], 'z');
    cr_assert_eq(res.data[n - 1], 'z');
    secs = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
    /* Diagnostic (client and server share one loop and one core; the
     * server side copies each frame). */
    cr_log_info("100 MiB response in %.3f s = %.0f MB/s (client+server CPU %.3f s)", secs,
                100.0 * 1.048576 / secs, cpu);
    fprintf(stderr, "# 100 MiB response in %.3f s = %.0f MB/s (client+server CPU %.3f s)\n", secs,
            100.0 * 1.048576 / secs, cpu);
    free(res.data);
    free(big_buf);
    big_buf = NULL;
}

/* ---- gRPC status handling ---- */

static void h_status(h2ts_req *r, void *ctx)
{
    const char *mode = ctx;
    static const char *const ra[] = {"grpc-retry-pushback-ms", "0", NULL};
    if (strcmp(mode, "trailers-only") == 0) {
        h2ts_trailers_only(r, 200, 5, "not found: 100% \xc3\xa9", NULL);
    } else if (strcmp(mode, "http404") == 0) {
        h2ts_trailers_only(r, 404, -1, NULL, NULL);
    } else if (strcmp(mode, "html") == 0) {
        h2ts_send_headers_raw(r, 200, "text/html");
        h2ts_send_raw(r, "<html>", 6);
        h2ts_end_no_trailers(r);
    } else if (strcmp(mode, "no-trailers") == 0) {
        h2ts_send_headers(r, NULL);
        h2ts_send_message(r, "a", 1);
        h2ts_end_no_trailers(r);
    } else if (strcmp(mode, "two-messages") == 0) {
        h2ts_send_headers(r, NULL);
        h2ts_send_message(r, "a", 1);
        h2ts_send_message(r, "b", 1);
        h2ts_finish(r, 0, NULL, NULL);
    } else if (strcmp(mode, "zero-messages") == 0) {
        h2ts_finish(r, 0, NULL, NULL);
    } else if (strcmp(mode, "rst-internal") == 0) {
        h2ts_rst(r, NGHTTP2_INTERNAL_ERROR);
    } else if (strcmp(mode, "rst-refused-once") == 0) {
        if (r->srv && h2ts_nrequests(r->srv) == 1)
            h2ts_rst(r, NGHTTP2_REFUSED_STREAM);
        else
            h_echo(r, NULL);
    } else if (strcmp(mode, "unavailable-once") == 0) {
        if (h2ts_nrequests(r->srv) == 1)
            h2ts_trailers_only(r, 200, 14, "try again", ra);
        else
            h_echo(r, NULL);
    } else if (strcmp(mode, "unavailable") == 0) {
        h2ts_trailers_only(r, 200, 14, "down", NULL);
    } else if (strcmp(mode, "unavailable-nopush") == 0) {
        static const char *const no[] = {"grpc-retry-pushback-ms", "-1", NULL};
        h2ts_trailers_only(r, 200, 14, "down", no);
    } else if (strcmp(mode, "compressed") == 0) {
        h2ts_send_headers(r, NULL);
        h2ts_send_raw(r, "\x01\0\0\0\x01z", 6);
        h2ts_finish(r, 0, NULL, NULL);
    } else if (strcmp(mode, "gzip") == 0 || strcmp(mode, "identity") == 0) {
        const char *const enc[] = {"grpc-encoding", mode, NULL};
        h2ts_send_headers(r, enc);
        h2ts_send_raw(r, "\x01\0\0\0\x01z", 6);
        h2ts_finish(r, 0, NULL, NULL);
    } else if (strcmp(mode, "no-content-type") == 0) {
        h2ts_send_headers_raw(r, 200, NULL);
        h2ts_send_message(r, "a", 1);
        h2ts_finish(r, 0, NULL, NULL);
    } else if (strcmp(mode, "nul-message") == 0) {
        /* sent as it is: h2ts would percent-encode the '%' */
        static const char *const m[] = {"grpc-message", "before%00after%00", NULL};
        h2ts_trailers_only(r, 200, 5, NULL, m);
    }
}

static result run_mode(const char *mode)
{
    result res = {0};
    start_server(NULL, h_status, (void *)mode);
    milvus_options_set_retry(opts, 3, 1, 10, 2.0);
    open_channel();
    cr_assert_eq(unary("q", NULL, &res, NULL), MILVUS_OK);
    cr_assert(run_until(&res.calls, 1, 3000));
    run_for(10);
    cr_assert_eq(res.calls, 1);
    free(res.data); /* callers look at the status only */
    res.data = NULL;
    return res;
}

Test(transport, trailers_only_error)
{
    result res = run_mode("trailers-only");
    cr_assert_eq(res.status, MILVUS_ERR_GRPC);
    cr_assert_eq(res.code, MILVUS_GRPC_NOT_FOUND);
    cr_assert_str_eq(res.msg, "not found: 100% \xc3\xa9");
    cr_assert_eq(res.len, 0);
}

Test(transport, http_status_mapping)
{
    result res = run_mode("http404");
    cr_assert_eq(res.code, MILVUS_GRPC_UNIMPLEMENTED);
    cr_assert(strstr(res.msg, "404"));
}

Test(transport, not_grpc_content_type)
{
    result res = run_mode("html");
    cr_assert_neq(res.status, MILVUS_OK);
    cr_assert(res.code == MILVUS_GRPC_UNKNOWN || res.code == MILVUS_GRPC_INTERNAL);
    cr_assert(strstr(res.msg, "not a gRPC server"), "%s", res.msg);
}

Test(transport, end_stream_without_status)
{
    result res = run_mode("no-trailers");
    cr_assert_eq(res.code, MILVUS_GRPC_INTERNAL);
    cr_assert(strstr(res.msg, "trailers"), "%s", res.msg);
}

Test(transport, unary_cardinality)
{
    result res = run_mode("two-messages");
    cr_assert_eq(res.code, MILVUS_GRPC_UNIMPLEMENTED);
    res = (result){0};
    h2ts_free(srv);
    milvus_channel_free(ch);
    res = run_mode("zero-messages");
    cr_assert_eq(res.code, MILVUS_GRPC_UNIMPLEMENTED);
}

Test(transport, compressed_flag_without_encoding)
{
    result res = run_mode("compressed");
    cr_assert_eq(res.code, MILVUS_GRPC_INTERNAL);
    cr_assert_str_eq(res.msg, "compressed message without grpc-encoding");
}

/* An encoding the client did not offer is named as such, not as a missing
 * grpc-encoding. */
Test(transport, compressed_with_an_encoding_not_offered)
{
    result res = run_mode("gzip");
    cr_assert_eq(res.status, MILVUS_ERR_PROTOCOL);
    cr_assert_eq(res.code, MILVUS_GRPC_INTERNAL);
    cr_assert_str_eq(res.msg, "message compressed with grpc-encoding \"gzip\", an encoding the "
                              "client did not offer (grpc-accept-encoding: identity)");
    h2ts_free(srv);
    milvus_channel_free(ch);
    res = run_mode("identity");
    cr_assert_str_eq(res.msg, "message flagged compressed with grpc-encoding \"identity\"");
}

Test(transport, missing_content_type_is_named)
{
    result res = run_mode("no-content-type");
    cr_assert_eq(res.status, MILVUS_ERR_PROTOCOL);
    cr_assert_eq(res.code, MILVUS_GRPC_UNKNOWN);
    cr_assert_str_eq(res.msg, "the peer is not a gRPC server (no content-type)");
}

/* grpc-message "before%00after%00": the NUL does not end the message; the
 * message string shows it as \x00. */
Test(transport, nul_in_grpc_message_keeps_the_rest)
{
    result res = run_mode("nul-message");
    cr_assert_eq(res.code, MILVUS_GRPC_NOT_FOUND);
    cr_assert_str_eq(res.msg, "before\\x00after\\x00");
    /* the raw bytes, with their length */
    cr_assert_eq(res.gm_len, 13);
    cr_assert_eq(memcmp(res.gm, "before\0after\0", 13), 0);
}

/* ---- messages are not cut ---- */

static char *full_msg;

static void on_reply_full(milvus_channel *c, int status, const milvus_reply *r, void *ctx)
{
    int *calls = ctx;
    (void)c;
    (void)status;
    free(full_msg);
    full_msg = strdup(milvus_reply_message(r));
    (*calls)++;
}

static char long_text[3001];

static void h_long_message(h2ts_req *r, void *ctx)
{
    (void)ctx;
    h2ts_trailers_only(r, 200, 9, long_text, NULL);
}

Test(transport, long_grpc_message_is_whole)
{
    int calls = 0;
    for (size_t i = 0; i < sizeof(long_text) - 1; i++)
        long_text[i] = i % 10 == 8 ? ' ' : (char)('a' + i % 26); /* ends in a letter */
    start_server(NULL, h_long_message, NULL);
    open_channel();
    cr_assert_eq(milvus_channel_unary(ch, "/test.Echo/Unary", "q", 1, NULL, on_reply_full, &calls),
                 MILVUS_OK);
    cr_assert(run_until(&calls, 1, 3000));
    cr_assert_str_eq(full_msg, long_text);
    free(full_msg);
    full_msg = NULL;
}

/* ---- GOAWAY names its error code ---- */

static void h_goaway_refuse(h2ts_req *r, void *ctx)
{
    (void)ctx;
    h2ts_goaway(r->conn, NGHTTP2_INTERNAL_ERROR, "maintenance", 0);
}

/* Every connection refuses the stream with GOAWAY: after the transparent
 * retries the call fails, and the message says what the GOAWAY said. */
Test(transport, goaway_refusal_names_the_code)
{
    result res = {0};
    milvus_call_options *co = milvus_call_options_new();
    start_server(NULL, h_goaway_refuse, NULL);
    open_channel();
    milvus_call_options_set_retry(co, 0);
    cr_assert_eq(unary("a", co, &res, NULL), MILVUS_OK);
    milvus_call_options_free(co);
    cr_assert(run_until(&res.calls, 1, 5000));
    cr_assert_eq(res.code, MILVUS_GRPC_UNAVAILABLE, "%s", res.msg);
    cr_assert_str_eq(res.msg, "stream refused by the server (not processed): GOAWAY with "
                              "INTERNAL_ERROR, last stream 0 (\"maintenance\")");
}

static h2ts_conn *goaway_conn;

static void drop_later(evutil_socket_t fd, short w, void *arg)
{
    (void)fd;
    (void)w;
    (void)arg;
    h2ts_drop(goaway_conn);
}

static void h_goaway_close(h2ts_req *r, void *ctx)
{
    struct timeval tv = {0, 20000};
    (void)ctx;
    goaway_conn = r->conn;
    h2ts_goaway(r->conn, NGHTTP2_ENHANCE_YOUR_CALM, "shutting down", r->stream_id);
    event_base_once(base, -1, EV_TIMEOUT, drop_later, NULL, &tv);
}

/* GOAWAY that keeps the stream, then the connection closes under it. */
Test(transport, close_after_goaway_names_the_code)
{
    result res = {0};
    milvus_call_options *co = milvus_call_options_new();
    start_server(NULL, h_goaway_close, NULL);
    open_channel();
    milvus_call_options_set_retry(co, 0);
    cr_assert_eq(unary("a", co, &res, NULL), MILVUS_OK);
    milvus_call_options_free(co);
    cr_assert(run_until(&res.calls, 1, 3000));
    cr_assert_eq(res.status, MILVUS_ERR_DISCONNECTED, "%s", res.msg);
    /* "connection closed by the server", or a reset when the server closed
     * with bytes of ours unread */
    cr_assert(strstr(res.msg, "connection closed by the server after ") == res.msg ||
                  strstr(res.msg, "connection error: ") == res.msg,
              "%s", res.msg);
    cr_assert(strstr(res.msg, " after GOAWAY with ENHANCE_YOUR_CALM, last stream 1 (\"shutting "
                              "down\")"),
              "%s", res.msg);
}

Test(transport, rst_stream_internal)
{
    result res = run_mode("rst-internal");
    cr_assert_eq(res.code, MILVUS_GRPC_INTERNAL);
    cr_assert(strstr(res.msg, "INTERNAL_ERROR") || strstr(res.msg, "reset"), "%s", res.msg);
}

Test(transport, rst_refused_is_retried_transparently)
{
    result res = run_mode("rst-refused-once");
    cr_assert_eq(res.status, MILVUS_OK, "%s", res.msg);
    cr_assert_eq(res.attempts, 1);
    cr_assert_eq(h2ts_nrequests(srv), 2);
}

Test(transport, unavailable_retried_with_previous_attempts)
{
    result res = run_mode("unavailable-once");
    cr_assert_eq(res.status, MILVUS_OK, "%s", res.msg);
    cr_assert_eq(res.attempts, 2);
    cr_assert_null(h2ts_req_header(h2ts_request(srv, 0), "grpc-previous-rpc-attempts"));
    cr_assert_str_eq(h2ts_req_header(h2ts_request(srv, 1), "grpc-previous-rpc-attempts"), "1");
}

Test(transport, unavailable_exhausts_attempts)
{
    result res = run_mode("unavailable");
    cr_assert_eq(res.status, MILVUS_ERR_GRPC);
    cr_assert_eq(res.code, MILVUS_GRPC_UNAVAILABLE);
    cr_assert_eq(res.attempts, 3);
    cr_assert_eq(h2ts_nrequests(srv), 3);
}

Test(transport, negative_pushback_stops_retries)
{
    result res = run_mode("unavailable-nopush");
    cr_assert_eq(res.code, MILVUS_GRPC_UNAVAILABLE);
    cr_assert_eq(h2ts_nrequests(srv), 1);
}

/* ---- server streaming ---- */

typedef struct stream_res {
    result r;
    int nmsg;
    char msgs[8][16];
    int stop_at;
} stream_res;

static int on_stream_msg(milvus_channel *c, const uint8_t *d, size_t n, void *ctx)
{
    stream_res *s = ctx;
    (void)c;
    cr_assert_eq(s->r.calls, 0, "message after completion");
    if (s->nmsg < 8)
        snprintf(s->msgs[s->nmsg], 16, "%.*s", (int)n, (const char *)d);
    s->nmsg++;
    return s->stop_at && s->nmsg >= s->stop_at;
}

static void h_stream(h2ts_req *r, void *ctx)
{
    int i;
    (void)ctx;
    h2ts_send_headers(r, NULL);
    for (i = 0; i < 4; i++) {
        char m[16];
        snprintf(m, sizeof(m), "m%d", i);
        h2ts_send_message(r, m, strlen(m));
    }
    if (strcmp(h2ts_req_header(r, ":path"), "/test.S/Open") != 0)
        h2ts_finish(r, 0, NULL, NULL);
}

Test(transport, server_streaming)
{
    stream_res s = {0};
    start_server(NULL, h_stream, NULL);
    open_channel();
    cr_assert_eq(
        milvus_channel_server_stream(ch, "/test.S/List", "x", 1, NULL, on_stream_msg, on_reply, &s),
        MILVUS_OK);
    cr_assert(run_until(&s.r.calls, 1, 3000));
    cr_assert_eq(s.r.status, MILVUS_OK, "%s", s.r.msg);
    cr_assert_eq(s.nmsg, 4);
    cr_assert_str_eq(s.msgs[0], "m0");
    cr_assert_str_eq(s.msgs[3], "m3");
    cr_assert_null(s.r.data);
}

Test(transport, server_streaming_stop_from_callback)
{
    stream_res s = {0};
    s.stop_at = 2;
    start_server(NULL, h_stream, NULL);
    open_channel();
    cr_assert_eq(
        milvus_channel_server_stream(ch, "/test.S/Open", "x", 1, NULL, on_stream_msg, on_reply, &s),
        MILVUS_OK);
    cr_assert(run_until(&s.r.calls, 1, 3000));
    cr_assert_eq(s.r.status, MILVUS_ERR_CANCELLED);
    cr_assert_eq(s.nmsg, 2);
    run_for(30);
    cr_assert(h2ts_request(srv, 0)->rst_received);
}

/* ---- connections ---- */

Test(transport, connection_refused)
{
    result res = {0}, res2 = {0};
    milvus_call_options *co = milvus_call_options_new();
    int port;
    /* A port that was just free. */
    start_server(NULL, h_echo, NULL);
    port = h2ts_port(srv);
    h2ts_free(srv);
    srv = NULL;
    milvus_options_set_address(opts, "127.0.0.1", port);
    milvus_options_set_retry(opts, 1, 10, 10, 1.0);
    milvus_options_set_reconnect_backoff(opts, 20, 50, 1.5);
    open_channel();
    cr_assert_eq(unary("a", NULL, &res, NULL), MILVUS_OK);
    cr_assert(run_until(&res.calls, 1, 3000));
    cr_assert_eq(res.status, MILVUS_ERR_CONNECT, "%d %s", res.status, res.msg);
    cr_assert_eq(res.code, MILVUS_GRPC_UNAVAILABLE);
    cr_assert(strstr(res.msg, "refused"), "%s", res.msg);
    /* The server is unreachable (refused, nothing in progress): a call
     * with a deadline fails at once too, naming the address (gRPC's
     * wait_for_ready = false). */
    milvus_call_options_set_timeout_ms(co, 300);
    {
        int64_t t0 = mv_now_us();
        cr_assert_eq(unary("a", co, &res2, NULL), MILVUS_OK);
        cr_assert(run_until(&res2.calls, 1, 3000));
        cr_assert_eq(res2.status, MILVUS_ERR_CONNECT, "%s", res2.msg);
        cr_assert(strstr(res2.msg, "127.0.0.1:"), "%s", res2.msg);
        cr_assert_lt(mv_now_us() - t0, 250000, "failed at once, not at its deadline");
    }
    /* Waiting for ready: the call waits for its deadline, through reconnect
     * attempts. */
    milvus_channel_free(ch);
    ch = NULL;
    cr_assert_eq(milvus_options_set_wait_for_ready(opts, 2), MILVUS_ERR_INVALID_ARGUMENT);
    cr_assert_eq(milvus_options_set_wait_for_ready(opts, 1), MILVUS_OK);
    open_channel();
    memset(&res2, 0, sizeof(res2));
    cr_assert_eq(unary("a", co, &res2, NULL), MILVUS_OK);
    milvus_call_options_free(co);
    run_for(150);
    cr_assert_eq(res2.calls, 0, "failed before its deadline: %s", res2.msg);
    cr_assert(run_until(&res2.calls, 1, 3000));
    cr_assert_eq(res2.status, MILVUS_ERR_CONNECT, "%s", res2.msg);
    free(res.data);
    free(res2.data);
}

/* Refused, then the server comes up on that port: after the reconnect
 * backoff a call waits for the new attempt and succeeds. */
Test(transport, unreachable_then_up)
{
    result res = {0};
    int port;
    start_server(NULL, h_echo, NULL);
    port = h2ts_port(srv);
    h2ts_free(srv);
    srv = NULL;
    milvus_options_set_address(opts, "127.0.0.1", port);
    milvus_options_set_reconnect_backoff(opts, 50, 50, 1.0);
    open_channel();
    cr_assert_eq(unary("a", NULL, &res, NULL), MILVUS_OK);
    cr_assert(run_until(&res.calls, 1, 3000));
    cr_assert_eq(res.status, MILVUS_ERR_CONNECT, "%s", res.msg);
    {
        h2ts_config cfg = {0};
        cfg.port = port;
        srv = h2ts_new(base, &cfg, h_echo, NULL);
        cr_assert_not_null(srv, "port %d taken again", port);
    }
    run_for(120); /* past the backoff */
    cr_assert_eq(unary("b", NULL, &res, NULL), MILVUS_OK);
    cr_assert(run_until(&res.calls, 2, 3000));
    cr_assert_eq(res.status, MILVUS_OK, "%s", res.msg);
    free(res.data);
}

Test(transport, resolve_failure)
{
    result res = {0};
    milvus_options_set_address(opts, "no-such-host.invalid", 19530);
    milvus_options_set_retry(opts, 1, 10, 10, 1.0);
    open_channel();
    cr_assert_eq(unary("a", NULL, &res, NULL), MILVUS_OK);
    cr_assert(run_until(&res.calls, 1, 10000));
    cr_assert_eq(res.status, MILVUS_ERR_RESOLVE, "%d %s", res.status, res.msg);
}

Test(transport, localhost_name_resolves)
{
    result res = {0};
    start_server(NULL, h_echo, NULL);
    milvus_options_set_address(opts, "localhost", h2ts_port(srv));
    open_channel();
    cr_assert_eq(unary("a", NULL, &res, NULL), MILVUS_OK);
    cr_assert(run_until(&res.calls, 1, 5000));
    cr_assert_eq(res.status, MILVUS_OK, "%s", res.msg);
    free(res.data);
}

Test(transport, goaway_transparent_retry)
{
    result res[10] = {{0}};
    h2ts_config cfg = {0};
    int i, done = 0;
    cfg.goaway_after = 3;
    start_server(&cfg, h_echo, NULL);
    milvus_options_set_retry(opts, 1, 10, 10, 1.0); /* policy retries off */
    open_channel();
    for (i = 0; i < 10; i++)
        cr_assert_eq(unary("g", NULL, &res[i], NULL), MILVUS_OK);
    for (int k = 0; k < 300 && done < 10; k++) {
        run_for(10);
        done = 0;
        for (i = 0; i < 10; i++)
            done += res[i].calls;
    }
    for (i = 0; i < 10; i++) {
        cr_assert_eq(res[i].calls, 1);
        cr_assert_eq(res[i].status, MILVUS_OK, "call %d: %s", i, res[i].msg);
        cr_assert_eq(res[i].attempts, 1);
        free(res[i].data);
    }
    cr_assert(h2ts_nconns(srv) >= 4, "%d connections", h2ts_nconns(srv));
}

Test(transport, pool_spreads_calls)
{
    result warm = {0}, res = {0};
    int i, used[3] = {0};
    start_server(NULL, h_echo, NULL);
    milvus_options_set_pool_size(opts, 3);
    open_channel();
    cr_assert_eq(unary("w", NULL, &warm, NULL), MILVUS_OK);
    cr_assert(run_until(&warm.calls, 1, 3000));
    run_for(50);
    cr_assert_eq(h2ts_nconns(srv), 3);
    for (i = 0; i < 30; i++)
        cr_assert_eq(unary("p", NULL, &res, NULL), MILVUS_OK);
    cr_assert(run_until(&res.calls, 30, 5000));
    for (i = 1; i < h2ts_nrequests(srv); i++)
        used[h2ts_request(srv, i)->conn_index]++;
    for (i = 0; i < 3; i++)
        cr_assert_eq(used[i], 10, "connection %d carried %d calls", i, used[i]);
    free(warm.data);
    free(res.data);
}

static void delayed_reply(evutil_socket_t fd, short w, void *arg)
{
    h2ts_req *r = arg;
    (void)fd;
    (void)w;
    h_echo(r, NULL);
}

static void h_delay(h2ts_req *r, void *ctx)
{
    struct timeval tv = {0, 5000};
    (void)ctx;
    event_base_once(base, -1, EV_TIMEOUT, delayed_reply, r, &tv);
}

/* A server that allows no stream at all: the call waits for its deadline
 * and the error says why it was never sent. */
Test(transport, zero_concurrent_streams_says_so)
{
    h2ts_config cfg = {0};
    result res = {0};
    milvus_call_options *co = milvus_call_options_new();
    cfg.zero_streams = 1;
    start_server(&cfg, h_echo, NULL);
    open_channel();
    /* Long enough for the connection and the server's SETTINGS to arrive
     * first even under valgrind; a shorter one ends "still connecting". */
    milvus_call_options_set_timeout_ms(co, 1500);
    cr_assert_eq(unary("a", co, &res, NULL), MILVUS_OK);
    milvus_call_options_free(co);
    cr_assert(run_until(&res.calls, 1, 3000));
    cr_assert_eq(res.status, MILVUS_ERR_TIMEOUT, "%s", res.msg);
    cr_assert(strstr(res.msg, "allows 0 concurrent streams"), "%s", res.msg);
    cr_assert_eq(h2ts_nrequests(srv), 0);
    free(res.data);
}

/* A listener whose backlog completes the TCP handshake but that never
 * speaks HTTP/2: the call's deadline says the server sent nothing. */
Test(transport, deadline_silent_server_says_so)
{
    result res = {0};
    milvus_call_options *co = milvus_call_options_new();
    struct sockaddr_in sa = {0};
    socklen_t sl = sizeof(sa);
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    cr_assert(fd >= 0);
    sa.sin_family = AF_INET;
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    cr_assert_eq(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
    cr_assert_eq(listen(fd, 4), 0);
    cr_assert_eq(getsockname(fd, (struct sockaddr *)&sa, &sl), 0);
    cr_assert_eq(milvus_options_set_address(opts, "127.0.0.1", ntohs(sa.sin_port)), MILVUS_OK);
    open_channel();
    milvus_call_options_set_timeout_ms(co, 300);
    cr_assert_eq(unary("a", co, &res, NULL), MILVUS_OK);
    milvus_call_options_free(co);
    cr_assert(run_until(&res.calls, 1, 5000));
    cr_assert_eq(res.status, MILVUS_ERR_TIMEOUT, "%s", res.msg);
    cr_assert(strstr(res.msg, "the server has sent nothing on the connection"), "%s", res.msg);
    close(fd);
    free(res.data);
}

Test(transport, max_concurrent_streams_queue)
{
    result res = {0};
    h2ts_config cfg = {0};
    int i;
    cfg.max_concurrent_streams = 1;
    start_server(&cfg, h_delay, NULL);
    open_channel();
    /* Let the server's SETTINGS arrive first. */
    cr_assert_eq(unary("w", NULL, &res, NULL), MILVUS_OK);
    cr_assert(run_until(&res.calls, 1, 3000));
    for (i = 0; i < 8; i++)
        cr_assert_eq(unary("c", NULL, &res, NULL), MILVUS_OK);
    cr_assert(run_until(&res.calls, 9, 5000));
    cr_assert_eq(res.status, MILVUS_OK, "%s", res.msg);
    cr_assert_eq(h2ts_max_active(srv), 1);
    cr_assert_eq(h2ts_nconns(srv), 1);
    free(res.data);
}

Test(transport, close_is_graceful)
{
    result res = {0}, late = {0};
    int closed = 0;
    start_server(NULL, h_delay, NULL);
    open_channel();
    cr_assert_eq(unary("a", NULL, &res, NULL), MILVUS_OK);
    cr_assert_eq(milvus_channel_close(ch, (milvus_channel_closed_cb)(void (*)(void))NULL, NULL),
                 MILVUS_OK);
    cr_assert_eq(unary("b", NULL, &late, NULL), MILVUS_ERR_CLOSED);
    cr_assert(run_until(&res.calls, 1, 3000));
    cr_assert_eq(res.status, MILVUS_OK, "%s", res.msg);
    (void)closed;
    free(res.data);
}

static void on_closed(milvus_channel *c, void *ctx)
{
    (void)c;
    (*(int *)ctx)++;
}

Test(transport, close_callback_after_pending)
{
    result res = {0};
    int closed = 0;
    start_server(NULL, h_delay, NULL);
    open_channel();
    cr_assert_eq(unary("a", NULL, &res, NULL), MILVUS_OK);
    cr_assert_eq(milvus_channel_close(ch, on_closed, &closed), MILVUS_OK);
    cr_assert(run_until(&closed, 1, 3000));
    cr_assert_eq(res.calls, 1);
    cr_assert_eq(res.status, MILVUS_OK);
    free(res.data);
}

/* ---- keepalive ---- */

Test(transport, keepalive_pings_after_first_request)
{
    result res = {0};
    start_server(NULL, h_echo, NULL);
    setenv("MILVUS_ALLOW_FAST_KEEPALIVE", "1", 1);
    cr_assert_eq(milvus_options_set_keepalive_ms(opts, 100, 1000), MILVUS_OK);
    open_channel();
    cr_assert_eq(unary("a", NULL, &res, NULL), MILVUS_OK);
    cr_assert(run_until(&res.calls, 1, 3000));
    run_for(450);
    /* Paced by the interval (from the last read), never before the
     * first request. */
    cr_assert(h2ts_pings(srv) >= 2 && h2ts_pings(srv) <= 5, "%d pings", h2ts_pings(srv));
    cr_assert_eq(h2ts_reqs_at_first_ping(srv), 1);
    free(res.data);
}

Test(transport, keepalive_minimum_enforced)
{
    unsetenv("MILVUS_ALLOW_FAST_KEEPALIVE");
    cr_assert_eq(milvus_options_set_keepalive_ms(opts, 100, 1000), MILVUS_OK);
    cr_assert_eq(opts->keepalive_ms, 10000);
}

Test(transport, keepalive_timeout_fails_calls)
{
    result res = {0};
    h2ts_config cfg = {0};
    milvus_call_options *co = milvus_call_options_new();
    cfg.no_ping_ack = 1;
    start_server(&cfg, h_never, NULL);
    setenv("MILVUS_ALLOW_FAST_KEEPALIVE", "1", 1);
    milvus_options_set_keepalive_ms(opts, 100, 100);
    open_channel();
    milvus_call_options_set_retry(co, 0);
    cr_assert_eq(unary("a", co, &res, NULL), MILVUS_OK);
    milvus_call_options_free(co);
    cr_assert(run_until(&res.calls, 1, 3000));
    cr_assert_eq(res.status, MILVUS_ERR_DISCONNECTED, "%d %s", res.status, res.msg);
    cr_assert_eq(res.code, MILVUS_GRPC_UNAVAILABLE);
    cr_assert(strstr(res.msg, "keepalive"), "%s", res.msg);
}

static void h_calm(h2ts_req *r, void *ctx)
{
    (void)ctx;
    h_echo(r, NULL);
    h2ts_goaway(r->conn, NGHTTP2_ENHANCE_YOUR_CALM, "too_many_pings", r->stream_id);
}

Test(transport, too_many_pings_doubles_interval)
{
    result res = {0};
    start_server(NULL, h_calm, NULL);
    cr_assert_eq(milvus_options_set_keepalive_ms(opts, 20000, 1000), MILVUS_OK);
    open_channel();
    cr_assert_eq(unary("a", NULL, &res, NULL), MILVUS_OK);
    cr_assert(run_until(&res.calls, 1, 3000));
    run_for(20);
    cr_assert_eq(ch->tr.keepalive_ms, 40000);
    free(res.data);
}

/* ---- early trailers while sending ---- */

static void h_reject_early(h2ts_req *r, void *ctx)
{
    (void)ctx;
    if (!r->response_started)
        h2ts_trailers_only(r, 200, 8, "grpc: received message larger than max", NULL);
}

Test(transport, early_trailers_stop_sending)
{
    result res = {0};
    h2ts_config cfg = {0};
    size_t n = 4 << 20;
    char *big = malloc(n + 1);
    cfg.handle_on_headers = 1;
    cfg.small_window = 1;
    start_server(&cfg, h_reject_early, NULL);
    open_channel();
    memset(big, 'x', n);
    big[n] = '\0';
    cr_assert_eq(unary(big, NULL, &res, NULL), MILVUS_OK);
    free(big);
    cr_assert(run_until(&res.calls, 1, 3000));
    cr_assert_eq(res.code, MILVUS_GRPC_RESOURCE_EXHAUSTED, "%s", res.msg);
    cr_assert(strstr(res.msg, "larger than max"));
    run_for(30);
    cr_assert(h2ts_request(srv, 0)->body_len < n);
    cr_assert(h2ts_request(srv, 0)->rst_received);
    cr_assert_eq(h2ts_request(srv, 0)->rst_code, NGHTTP2_NO_ERROR);
}

Test(transport, connection_drop_fails_calls_unavailable)
{
    result res = {0};
    milvus_call_options *co = milvus_call_options_new();
    int got = 0;
    start_server(NULL, h_never, NULL);
    open_channel();
    milvus_call_options_set_retry(co, 0);
    cr_assert_eq(unary("a", co, &res, NULL), MILVUS_OK);
    milvus_call_options_free(co);
    while (!got) {
        run_for(10);
        got = count_complete();
    }
    h2ts_free(srv); /* drops every connection */
    srv = NULL;
    cr_assert(run_until(&res.calls, 1, 3000));
    cr_assert_eq(res.status, MILVUS_ERR_DISCONNECTED, "%d %s", res.status, res.msg);
    cr_assert_eq(res.code, MILVUS_GRPC_UNAVAILABLE);
}

/* ---- argument checks ---- */

Test(transport, invalid_arguments)
{
    result res = {0};
    milvus_channel *c2 = NULL;
    open_channel();
    cr_assert_eq(milvus_channel_new(&c2, NULL, opts), MILVUS_ERR_INVALID_ARGUMENT);
    cr_assert_eq(milvus_channel_unary(ch, "noslash", "", 0, NULL, on_reply, &res),
                 MILVUS_ERR_INVALID_ARGUMENT);
    cr_assert_eq(milvus_channel_unary(ch, "/a/b", "", 0, NULL, NULL, &res),
                 MILVUS_ERR_INVALID_ARGUMENT);
    cr_assert_eq(milvus_channel_unary(NULL, "/a/b", "", 0, NULL, on_reply, &res),
                 MILVUS_ERR_INVALID_ARGUMENT);
    cr_assert_eq(milvus_channel_server_stream(ch, "/a/b", "", 0, NULL, NULL, on_reply, &res),
                 MILVUS_ERR_INVALID_ARGUMENT);
    cr_assert_eq(milvus_channel_set_metadata(ch, "UPPER", "v", 1), MILVUS_ERR_INVALID_ARGUMENT);
    cr_assert_eq(milvus_channel_pending(ch), 0);
    cr_assert_eq(res.calls, 0);
}

/* ---- options ---- */

TestSuite(options);

Test(options, uri_table)
{
    static const struct {
        const char *uri;
        int rc;
        const char *host;
        int port, tls;
        const char *db;
    } t[] = {
        {"localhost", MILVUS_OK, "localhost", 19530, 0, NULL},
        {"example.com:1234", MILVUS_OK, "example.com", 1234, 0, NULL},
        {"[::1]:19531", MILVUS_OK, "::1", 19531, 0, NULL},
        {"[::1]", MILVUS_OK, "::1", 19530, 0, NULL},
        {"::1", MILVUS_OK, "::1", 19530, 0, NULL},
        {"http://h", MILVUS_OK, "h", 19530, 0, NULL},
        {"http://h:80/db1", MILVUS_OK, "h", 80, 0, "db1"},
        {"https://h", MILVUS_OK, "h", 443, 1, NULL},
        {"https://h:8443/mydb/", MILVUS_OK, "h", 8443, 1, "mydb"},
        {"tcp://10.0.0.1:19530", MILVUS_OK, "10.0.0.1", 19530, 0, NULL},
        {"https://[fe80::1]:443/x", MILVUS_OK, "fe80::1", 443, 1, "x"},
        {"", MILVUS_ERR_INVALID_ARGUMENT, NULL, 0, 0, NULL},
        {"h:0", MILVUS_ERR_INVALID_ARGUMENT, NULL, 0, 0, NULL},
        {"h:65536", MILVUS_ERR_INVALID_ARGUMENT, NULL, 0, 0, NULL},
        {"h:abc", MILVUS_ERR_INVALID_ARGUMENT, NULL, 0, 0, NULL},
        {"h:", MILVUS_ERR_INVALID_ARGUMENT, NULL, 0, 0, NULL},
        {"ftp://h", MILVUS_ERR_INVALID_ARGUMENT, NULL, 0, 0, NULL},
        {"[::1", MILVUS_ERR_INVALID_ARGUMENT, NULL, 0, 0, NULL},
        {"[::1]x", MILVUS_ERR_INVALID_ARGUMENT, NULL, 0, 0, NULL},
        {"http://h/a/b", MILVUS_ERR_INVALID_ARGUMENT, NULL, 0, 0, NULL},
        {"http://user@h", MILVUS_ERR_INVALID_ARGUMENT, NULL, 0, 0, NULL},
        {"h o", MILVUS_ERR_INVALID_ARGUMENT, NULL, 0, 0, NULL},
        {"http://", MILVUS_ERR_INVALID_ARGUMENT, NULL, 0, 0, NULL},
    };
    size_t i;
    for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
        milvus_options *o = milvus_options_new();
        int rc = milvus_options_set_uri(o, t[i].uri);
        cr_assert_eq(rc, t[i].rc, "%s: %d", t[i].uri, rc);
        if (rc == MILVUS_OK) {
            cr_assert_str_eq(o->host, t[i].host, "%s", t[i].uri);
            cr_assert_eq(o->port, t[i].port, "%s", t[i].uri);
            cr_assert_eq(o->tls, t[i].tls, "%s", t[i].uri);
            if (t[i].db)
                cr_assert_str_eq(o->database, t[i].db, "%s", t[i].uri);
            else
                cr_assert_null(o->database, "%s", t[i].uri);
        } else {
            cr_assert_str_eq(o->host, "localhost", "%s changed the options", t[i].uri);
        }
        milvus_options_free(o);
    }
    cr_assert_eq(milvus_options_set_uri(NULL, "h"), MILVUS_ERR_INVALID_ARGUMENT);
}

Test(options, setters_validate_and_dup)
{
    milvus_options *o = milvus_options_new(), *d;
    cr_assert_eq(milvus_options_set_pool_size(o, 0), MILVUS_ERR_INVALID_ARGUMENT);
    cr_assert_eq(milvus_options_set_pool_size(o, 65), MILVUS_ERR_INVALID_ARGUMENT);
    cr_assert_eq(milvus_options_set_pool_size(o, 4), MILVUS_OK);
    cr_assert_eq(milvus_options_set_retry(o, 0, 1, 1, 2), MILVUS_ERR_INVALID_ARGUMENT);
    cr_assert_eq(milvus_options_set_retry(o, 3, 10, 5, 2), MILVUS_ERR_INVALID_ARGUMENT);
    cr_assert_eq(milvus_options_set_max_send_size(o, 0), MILVUS_ERR_INVALID_ARGUMENT);
    cr_assert_eq(milvus_options_set_client_cert(o, "a", NULL), MILVUS_ERR_INVALID_ARGUMENT);
    cr_assert_eq(milvus_options_set_user_password(o, "u", "p"), MILVUS_OK);
    cr_assert_eq(milvus_options_set_uri(o, "https://h:1/db"), MILVUS_OK);
    cr_assert_eq(milvus_options_add_metadata(o, "k", "v", 1), MILVUS_OK);
    d = milvus_options_dup(o);
    milvus_options_free(o);
    cr_assert_not_null(d);
    cr_assert_str_eq(d->host, "h");
    cr_assert_str_eq(d->user, "u");
    cr_assert_str_eq(d->password, "p");
    cr_assert_str_eq(d->database, "db");
    cr_assert_eq(d->pool_size, 4);
    cr_assert_eq(d->md.n, 1);
    milvus_options_free(d);
    cr_assert_null(milvus_options_dup(NULL));
}

/* ---- large payloads: shared request buffers, whole-length receive ---- */

static void fill_pattern(uint8_t *p, size_t n, unsigned seed)
{
    for (size_t i = 0; i < n; i++)
        p[i] = (uint8_t)((i * 131 + seed) ^ (i >> 11));
}

Test(transport_large, large_request_echoed_intact)
{
    /* 3 MiB: sent as referenced DATA frames (no copy into nghttp2),
     * answered as a message assembled over many frames. */
    result res = {0};
    size_t n = (size_t)3 << 20;
    uint8_t *big = malloc(n);
    cr_assert_not_null(big);
    fill_pattern(big, n, 7);
    start_server(NULL, h_echo, NULL);
    open_channel();
    cr_assert_eq(milvus_channel_unary(ch, "/test.Echo/Call", big, n, NULL, on_reply, &res),
                 MILVUS_OK);
    /* The caller's buffer is not needed after the submission. */
    memset(big, 0, n);
    cr_assert(run_until(&res.calls, 1, 10000));
    cr_assert_eq(res.status, MILVUS_OK, "%s", res.msg);
    cr_assert_eq(res.len, n);
    fill_pattern(big, n, 7);
    cr_assert(memcmp(res.data, big, n) == 0);
    cr_assert_eq(h2ts_request(srv, 0)->body_len, n + MV_FRAME_HDR);
    free(big);
    free(res.data);
}

Test(transport_large, owned_request_buffer)
{
    result res = {0};
    size_t n = (size_t)1 << 20;
    mv_reqbuf *rb = mv_reqbuf_new(n);
    cr_assert_not_null(rb);
    fill_pattern(mv_reqbuf_payload(rb), n, 3);
    start_server(NULL, h_echo, NULL);
    open_channel();
    cr_assert_eq(mv_channel_unary_owned(ch, "/test.Echo/Call", rb, NULL, on_reply, &res),
                 MILVUS_OK);
    cr_assert(run_until(&res.calls, 1, 10000));
    cr_assert_eq(res.status, MILVUS_OK, "%s", res.msg);
    cr_assert_eq(res.len, n);
    {
        uint8_t *want = malloc(n);
        fill_pattern(want, n, 3);
        cr_assert(memcmp(res.data, want, n) == 0);
        free(want);
    }
    free(res.data);
    res.data = NULL;
    /* A failed submission consumes the reference too (valgrind: no leak). */
    rb = mv_reqbuf_new(16);
    cr_assert_not_null(rb);
    memset(mv_reqbuf_payload(rb), 1, 16);
    cr_assert_eq(mv_channel_unary_owned(ch, "bad path", rb, NULL, on_reply, &res),
                 MILVUS_ERR_INVALID_ARGUMENT);
    cr_assert_eq(mv_channel_unary_owned(ch, "/test.Echo/Call", NULL, NULL, on_reply, &res),
                 MILVUS_ERR_INVALID_ARGUMENT);
    /* A small owned request works as well (kept in its own buffer). */
    rb = mv_reqbuf_new(3);
    memcpy(mv_reqbuf_payload(rb), "abc", 3);
    cr_assert_eq(mv_channel_unary_owned(ch, "/test.Echo/Call", rb, NULL, on_reply, &res),
                 MILVUS_OK);
    cr_assert(run_until(&res.calls, 2, 5000));
    cr_assert_eq(res.len, 3);
    cr_assert(memcmp(res.data, "abc", 3) == 0);
    free(res.data);
}

static void h_hold_or_echo(h2ts_req *r, void *ctx)
{
    if (strcmp(h2ts_req_header(r, ":path"), "/test.Hold/Call") != 0)
        h_echo(r, ctx); /* the held call is never answered */
}

Test(transport_large, cancel_while_large_request_in_flight)
{
    /* The socket may still reference the request when the call ends: the
     * shared buffer outlives the call, and the next call is unaffected. */
    result res = {0}, res2 = {0};
    h2ts_config cfg = {0};
    size_t n = (size_t)4 << 20;
    uint8_t *big = malloc(n);
    milvus_call_id id = 0;
    fill_pattern(big, n, 1);
    cfg.small_window = 1;
    start_server(&cfg, h_hold_or_echo, NULL);
    open_channel();
    cr_assert_eq(milvus_channel_unary(ch, "/test.Hold/Call", big, n, NULL, on_reply, &res),
                 MILVUS_OK);
    id = milvus_channel_last_call(ch);
    free(big);
    run_for(30);
    cr_assert_eq(milvus_channel_cancel(ch, id), MILVUS_OK);
    cr_assert(run_until(&res.calls, 1, 3000));
    cr_assert_eq(res.status, MILVUS_ERR_CANCELLED);
    cr_assert_eq(milvus_channel_unary(ch, "/test.Echo/Call", "ok", 2, NULL, on_reply, &res2),
                 MILVUS_OK);
    cr_assert(run_until(&res2.calls, 1, 5000));
    cr_assert_eq(res2.status, MILVUS_OK, "%s", res2.msg);
    cr_assert_eq(res2.len, 2);
    free(res.data);
    free(res2.data);
}

static void h_big_seq(h2ts_req *r, void *ctx)
{
    /* Replies of decreasing size: 3 MiB, 2 MiB, 1 MiB + 1, each filled
     * with its own pattern. */
    int *k = ctx;
    size_t n = *k == 0 ? (size_t)3 << 20 : *k == 1 ? (size_t)2 << 20 : ((size_t)1 << 20) + 1;
    uint8_t *b = malloc(n);
    fill_pattern(b, n, (unsigned)*k);
    (*k)++;
    h2ts_send_headers(r, NULL);
    h2ts_send_message(r, b, n);
    h2ts_finish(r, 0, NULL, NULL);
    free(b);
}

Test(transport_large, large_replies_reuse_the_receive_buffer)
{
    int k = 0;
    start_server(NULL, h_big_seq, &k);
    open_channel();
    for (int i = 0; i < 3; i++) {
        result res = {0};
        size_t n = i == 0 ? (size_t)3 << 20 : i == 1 ? (size_t)2 << 20 : ((size_t)1 << 20) + 1;
        uint8_t *want = malloc(n);
        fill_pattern(want, n, (unsigned)i);
        cr_assert_eq(milvus_channel_unary(ch, "/test.Big/Get", "a", 1, NULL, on_reply, &res),
                     MILVUS_OK);
        cr_assert(run_until(&res.calls, 1, 10000));
        cr_assert_eq(res.status, MILVUS_OK, "%s", res.msg);
        cr_assert_eq(res.len, n);
        cr_assert(memcmp(res.data, want, n) == 0, "reply %d differs", i);
        /* The finished reply's buffer is kept for the next one. */
        cr_assert_geq(ch->rx_cache_cap, (size_t)3 << 20);
        free(want);
        free(res.data);
    }
}

TestSuite(transport_large, .init = setup_base, .fini = teardown, .timeout = 30);

/* ---- block pool and bounded send backlog (many calls in flight) ---- */

Test(pool, blocks_are_reused_and_realloc_keeps_contents)
{
    mv_pool p;
    uint8_t *a, *b, *big;
    mv_pool_init(&p, 1 << 20);
    a = mv_pool_alloc(&p, 100);
    cr_assert_not_null(a);
    memset(a, 0xab, 100);
    mv_pool_free(&p, a);
    cr_assert_eq(p.free_bytes, (size_t)128, "100 bytes + header use a 128-byte block");
    b = mv_pool_alloc(&p, 90); /* same class: the block just freed */
    cr_assert_eq(b, a);
    cr_assert_eq(p.free_bytes, (size_t)0);
    memset(b, 0x5a, 90);
    /* grows across classes, then past the largest class (malloc'd) */
    b = mv_pool_realloc(&p, b, 300);
    cr_assert_not_null(b);
    for (int i = 0; i < 90; i++)
        cr_assert_eq(b[i], 0x5a);
    big = mv_pool_realloc(&p, b, 5000);
    cr_assert_not_null(big);
    for (int i = 0; i < 90; i++)
        cr_assert_eq(big[i], 0x5a);
    memset(big, 0x11, 5000);
    big = mv_pool_realloc(&p, big, 9000);
    cr_assert_not_null(big);
    cr_assert_eq(big[4999], 0x11);
    /* shrinking a large block into a pooled one keeps the prefix */
    b = mv_pool_realloc(&p, big, 40);
    cr_assert_not_null(b);
    cr_assert_eq(b[39], 0x11);
    cr_assert_null(mv_pool_realloc(&p, b, 0)); /* frees */
    big = mv_pool_alloc(&p, 4096);
    cr_assert_not_null(big);
    mv_pool_free(&p, big); /* large blocks are never kept */
    cr_assert_leq(p.free_bytes, (size_t)1 << 20);
    cr_assert_null(mv_pool_alloc(&p, SIZE_MAX - 8));
    mv_pool_release(&p);
    cr_assert_eq(p.free_bytes, (size_t)0);
}

Test(pool, free_lists_are_bounded_and_trimmed_when_unused)
{
    enum { N = 100 };
    void *v[N];
    mv_pool p;
    size_t k;
    mv_pool_init(&p, 10 * 64); /* room for 10 blocks of 64 bytes */
    for (int i = 0; i < N; i++)
        cr_assert_not_null(v[i] = mv_pool_alloc(&p, 40));
    for (int i = 0; i < N; i++)
        mv_pool_free(&p, v[i]);
    cr_assert_eq(p.free_bytes, (size_t)640, "the rest went back to malloc");
    k = (40 + 16 + MV_POOL_STEP - 1) / MV_POOL_STEP - 1;
    cr_assert_eq(p.nfree[k], (size_t)10);
    /* first trim: starts an interval; blocks in use during it are kept */
    mv_pool_trim(&p, 1000);
    cr_assert_eq(p.nfree[k], (size_t)10);
    for (int i = 0; i < 4; i++)
        v[i] = mv_pool_alloc(&p, 40);
    for (int i = 0; i < 4; i++)
        mv_pool_free(&p, v[i]);
    mv_pool_trim(&p, 1500); /* not due yet */
    cr_assert_eq(p.nfree[k], (size_t)10);
    /* 6 blocks stayed free for the whole interval: they are released */
    mv_pool_trim(&p, 1000 + 2000 * 1000);
    cr_assert_eq(p.nfree[k], (size_t)4);
    cr_assert_eq(p.free_bytes, (size_t)4 * 64);
    mv_pool_trim(&p, 1000 + 4000 * 1000);
    cr_assert_eq(p.nfree[k], (size_t)0);
    cr_assert_eq(p.free_bytes, (size_t)0);
    mv_pool_release(&p);
}

typedef struct many {
    int done, bad;
    unsigned char *seen;
} many;

static many *g_many;

static void on_many(milvus_channel *c, int status, const milvus_reply *r, void *ctx)
{
    many *m = g_many;
    size_t n, i = (size_t)(uintptr_t)ctx;
    const uint8_t *d = milvus_reply_data(r, &n);
    (void)c;
    if (status != MILVUS_OK || n != sizeof(i) || memcmp(d, &i, n) != 0 || m->seen[i]++)
        m->bad++;
    m->done++;
}

/* More calls than MV_TX_PENDING_MAX at once: the rest wait in the channel's
 * queue and go out as requests leave; every call completes exactly once
 * with its own reply, and the pool holds their blocks afterwards. */
Test(transport_many, calls_beyond_the_send_backlog_complete_once)
{
    enum { N = 3000 };
    many m = {0};
    mv_conn *conn = NULL;
    size_t max_tx = 0;
    m.seen = calloc(N, 1);
    g_many = &m;
    start_server(NULL, h_echo, NULL);
    cr_assert_eq(milvus_options_set_max_pending(opts, N), MILVUS_OK);
    open_channel();
    for (size_t i = 0; i < N; i++)
        cr_assert_eq(milvus_channel_unary(ch, "/test.Echo/Many", &i, sizeof(i), NULL, on_many,
                                          (void *)(uintptr_t)i),
                     MILVUS_OK);
    while (m.done < N) {
        int before = m.done;
        cr_assert(run_until(&m.done, before + 1, 10000), "calls stalled at %d", m.done);
        conn = &ch->tr.conns[0];
        if (conn->tx_pending > max_tx)
            max_tx = conn->tx_pending;
    }
    cr_assert_eq(m.bad, 0);
    cr_assert_eq(m.done, N);
    cr_assert_leq(max_tx, (size_t)MV_TX_PENDING_MAX);
    cr_assert_eq(conn->tx_pending, (size_t)0);
    cr_assert_eq(conn->nactive, (size_t)0);
    cr_assert_eq(milvus_channel_pending(ch), (size_t)0);
    /* calls and stream state went back to the pool, not to malloc */
    cr_assert_gt(ch->pool.free_bytes, (size_t)0);
    free(m.seen);
    g_many = NULL;
}

TestSuite(pool, .timeout = 10);
TestSuite(transport_many, .init = setup_base, .fini = teardown, .timeout = 30);

/* ---- the typed client's credentials, byte for byte ---- */

#include <milvus/milvus.h>

/* Every method answered with an empty message (a default reply). */
static void h_empty(h2ts_req *r, void *ctx)
{
    (void)ctx;
    h2ts_reply(r, "", 0);
}

static void on_typed(milvus_client *c, const milvus_result *res, void *ctx)
{
    (void)c;
    (void)res;
    (*(int *)ctx)++;
}

/* Milvus's proxy decodes "authorization" with Go's base64.StdEncoding,
 * which rejects unpadded input: the header must be padded whatever the
 * length of the secret (0, 1 and 2 modulo 3 here), on every request the
 * typed client sends, its own handshake included. */
static void check_typed_auth(const char *user, const char *password, const char *token,
                             const char *want)
{
    milvus_client *c = NULL;
    int done = 0;
    start_server(NULL, h_empty, NULL);
    if (token)
        cr_assert_eq(milvus_options_set_token(opts, token), MILVUS_OK);
    else
        cr_assert_eq(milvus_options_set_user_password(opts, user, password), MILVUS_OK);
    cr_assert_eq(milvus_client_new(&c, base, opts), MILVUS_OK);
    cr_assert_eq(milvus_client_get_server_version(c, on_typed, &done), MILVUS_OK);
    cr_assert(run_until(&done, 1, 3000));
    cr_assert_geq(h2ts_nrequests(srv), 1);
    for (int i = 0; i < h2ts_nrequests(srv); i++) {
        const char *got = h2ts_req_header(h2ts_request(srv, i), "authorization");
        if (want)
            cr_assert_str_eq(got, want, "request %d", i);
        else
            cr_assert_null(got, "request %d", i);
    }
    milvus_client_free(c);
    h2ts_free(srv);
    srv = NULL;
}

Test(transport, typed_client_authorization_padded)
{
    check_typed_auth("root", "Milvus", NULL, "cm9vdDpNaWx2dXM="); /* 11 bytes: one '=' */
    milvus_options_free(opts);
    opts = milvus_options_new();
    check_typed_auth("ab", "cdefgh", NULL, "YWI6Y2RlZmdo"); /* 9 bytes: none */
    milvus_options_free(opts);
    opts = milvus_options_new();
    check_typed_auth(NULL, NULL, "root:Milvus1", "cm9vdDpNaWx2dXMx"); /* 12: none */
    milvus_options_free(opts);
    opts = milvus_options_new();
    check_typed_auth(NULL, NULL, "tok-xyzw", "dG9rLXh5enc="); /* 8 bytes: one '=' */
    milvus_options_free(opts);
    opts = milvus_options_new();
    check_typed_auth(NULL, NULL, "api-key-0", "YXBpLWtleS0w"); /* 9 */
    milvus_options_free(opts);
    opts = milvus_options_new();
    check_typed_auth(NULL, NULL, "k", "aw=="); /* 1 byte: two '=' */
    milvus_options_free(opts);
    opts = milvus_options_new();
    check_typed_auth("", "", NULL, NULL); /* nothing set: no header */
}
