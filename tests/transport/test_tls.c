/* SPDX-License-Identifier: Apache-2.0 */
/* TLS: certificates are generated at test time with the openssl CLI. */
#include <criterion/criterion.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/event.h>

#include <milvus/channel.h>

#include "h2_test_server.h"

static char dir[64];
static char path_buf[8][128];
static struct event_base *base;
static h2ts *srv;
static milvus_channel *ch;
static milvus_options *opts;

static const char *P(int i, const char *name)
{
    snprintf(path_buf[i], sizeof(path_buf[i]), "%s/%s", dir, name);
    return path_buf[i];
}

static void sh(const char *fmt, ...)
{
    char cmd[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(cmd, sizeof(cmd), fmt, ap);
    va_end(ap);
    cr_assert_eq(system(cmd), 0, "%s", cmd);
}

/* CA, server certificate (SAN localhost, 127.0.0.1, milvus.test), a second
 * unrelated CA, and a client certificate. */
static void make_certs(void)
{
    const char *key = "-newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes";
    strcpy(dir, "/tmp/mv-tls-XXXXXX");
    cr_assert_not_null(mkdtemp(dir));
    sh("cd %s && openssl req -x509 %s -keyout ca.key -out ca.pem -days 1 -subj /CN=mv-test-ca "
       ">/dev/null 2>&1",
       dir, key);
    sh("cd %s && openssl req -x509 %s -keyout other.key -out other.pem -days 1 -subj /CN=other "
       ">/dev/null 2>&1",
       dir, key);
    sh("cd %s && openssl req %s -keyout srv.key -out srv.csr -subj /CN=localhost >/dev/null 2>&1 "
       "&& printf 'subjectAltName=DNS:localhost,IP:127.0.0.1,DNS:milvus.test\\n' > ext "
       "&& openssl x509 -req -in srv.csr -CA ca.pem -CAkey ca.key -CAcreateserial -out srv.pem "
       "-days 1 -extfile ext >/dev/null 2>&1",
       dir, key);
    sh("cd %s && openssl req %s -keyout cli.key -out cli.csr -subj /CN=client >/dev/null 2>&1 "
       "&& openssl x509 -req -in cli.csr -CA ca.pem -CAkey ca.key -CAcreateserial -out cli.pem "
       "-days 1 >/dev/null 2>&1",
       dir, key);
}

static void setup(void)
{
    signal(SIGPIPE, SIG_IGN);
    make_certs();
    base = event_base_new();
    opts = milvus_options_new();
    cr_assert_not_null(opts);
}

static void teardown(void)
{
    milvus_channel_free(ch);
    ch = NULL;
    h2ts_free(srv);
    srv = NULL;
    milvus_options_free(opts);
    if (base) {
        event_base_loop(base, EVLOOP_NONBLOCK);
        event_base_free(base);
    }
    base = NULL;
    if (dir[0])
        sh("rm -rf %s", dir);
}

static int timed_out;
static void timeout_cb(evutil_socket_t fd, short w, void *arg)
{
    (void)fd;
    (void)w;
    (void)arg;
    timed_out = 1;
}

static int run_until(const int *counter, int target, int ms)
{
    struct event *t = evtimer_new(base, timeout_cb, NULL);
    struct timeval tv = {ms / 1000, (ms % 1000) * 1000};
    timed_out = 0;
    evtimer_add(t, &tv);
    while (*counter < target && !timed_out)
        event_base_loop(base, EVLOOP_ONCE);
    event_free(t);
    return *counter >= target;
}

typedef struct result {
    int calls, status, code;
    char msg[512];
    size_t len;
} result;

static void on_reply(milvus_channel *c, int status, const milvus_reply *r, void *ctx)
{
    result *res = ctx;
    (void)c;
    res->calls++;
    res->status = status;
    res->code = milvus_reply_grpc_code(r);
    snprintf(res->msg, sizeof(res->msg), "%s", milvus_reply_message(r));
    milvus_reply_data(r, &res->len);
}

static void h_echo(h2ts_req *r, void *ctx)
{
    size_t n;
    const uint8_t *m = h2ts_req_message(r, &n);
    (void)ctx;
    h2ts_reply(r, m, n);
}

static void start(int no_alpn, int client_auth)
{
    h2ts_config cfg = {0};
    cfg.tls_cert = P(0, "srv.pem");
    cfg.tls_key = P(1, "srv.key");
    cfg.tls_no_alpn = no_alpn;
    if (client_auth)
        cfg.tls_client_ca = P(2, "ca.pem");
    srv = h2ts_new(base, &cfg, h_echo, NULL);
    cr_assert_not_null(srv);
    cr_assert_eq(milvus_options_set_address(opts, "127.0.0.1", h2ts_port(srv)), MILVUS_OK);
    cr_assert_eq(milvus_options_set_tls(opts, 1), MILVUS_OK);
    milvus_options_set_retry(opts, 1, 10, 10, 1.0);
}

static result call_once(void)
{
    result res = {0};
    cr_assert_eq(milvus_channel_new(&ch, base, opts), MILVUS_OK);
    cr_assert_eq(milvus_channel_unary(ch, "/test.Echo/Unary", "tls", 3, NULL, on_reply, &res),
                 MILVUS_OK);
    cr_assert(run_until(&res.calls, 1, 5000));
    return res;
}

TestSuite(tls, .init = setup, .fini = teardown, .timeout = 20);

Test(tls, verified_with_ca_file)
{
    result res;
    start(0, 0);
    milvus_options_set_ca_file(opts, P(3, "ca.pem"));
    res = call_once();
    cr_assert_eq(res.status, MILVUS_OK, "%s", res.msg);
    cr_assert_eq(res.len, 3);
    cr_assert_str_eq(h2ts_req_header(h2ts_request(srv, 0), ":scheme"), "https");
}

Test(tls, localhost_name)
{
    result res;
    start(0, 0);
    milvus_options_set_address(opts, "localhost", h2ts_port(srv));
    milvus_options_set_ca_file(opts, P(3, "ca.pem"));
    res = call_once();
    cr_assert_eq(res.status, MILVUS_OK, "%s", res.msg);
    cr_assert_eq(strncmp(h2ts_req_header(h2ts_request(srv, 0), ":authority"), "localhost:", 10), 0);
}

Test(tls, wrong_ca_fails)
{
    result res;
    start(0, 0);
    milvus_options_set_ca_file(opts, P(3, "other.pem"));
    res = call_once();
    cr_assert_eq(res.status, MILVUS_ERR_TLS, "%d %s", res.status, res.msg);
    cr_assert(strstr(res.msg, "verif"), "%s", res.msg);
}

Test(tls, system_cas_reject_test_ca)
{
    result res;
    start(0, 0);
    res = call_once();
    cr_assert_eq(res.status, MILVUS_ERR_TLS, "%d %s", res.status, res.msg);
}

Test(tls, verify_off_accepts_any)
{
    result res;
    start(0, 0);
    milvus_options_set_tls_verify(opts, 0);
    res = call_once();
    cr_assert_eq(res.status, MILVUS_OK, "%s", res.msg);
}

Test(tls, server_name_override)
{
    result res;
    start(0, 0);
    milvus_options_set_ca_file(opts, P(3, "ca.pem"));
    milvus_options_set_server_name(opts, "milvus.test");
    res = call_once();
    cr_assert_eq(res.status, MILVUS_OK, "%s", res.msg);
    cr_assert_eq(strncmp(h2ts_req_header(h2ts_request(srv, 0), ":authority"), "milvus.test:", 12),
                 0);
}

Test(tls, server_name_mismatch_fails)
{
    result res;
    start(0, 0);
    milvus_options_set_ca_file(opts, P(3, "ca.pem"));
    milvus_options_set_server_name(opts, "wrong.test");
    res = call_once();
    cr_assert_eq(res.status, MILVUS_ERR_TLS, "%d %s", res.status, res.msg);
}

Test(tls, alpn_missing_fails)
{
    result res;
    start(1, 0);
    milvus_options_set_ca_file(opts, P(3, "ca.pem"));
    res = call_once();
    cr_assert_eq(res.status, MILVUS_ERR_TLS, "%d %s", res.status, res.msg);
    cr_assert(strstr(res.msg, "ALPN"), "%s", res.msg);
}

Test(tls, mutual_tls)
{
    result res;
    start(0, 1);
    milvus_options_set_ca_file(opts, P(3, "ca.pem"));
    cr_assert_eq(milvus_options_set_client_cert(opts, P(4, "cli.pem"), P(5, "cli.key")), MILVUS_OK);
    res = call_once();
    cr_assert_eq(res.status, MILVUS_OK, "%s", res.msg);
}

Test(tls, mutual_tls_without_client_cert_fails)
{
    result res;
    start(0, 1);
    milvus_options_set_ca_file(opts, P(3, "ca.pem"));
    res = call_once();
    cr_assert_neq(res.status, MILVUS_OK);
}

Test(tls, bad_ca_file_fails_at_creation)
{
    milvus_options_set_tls(opts, 1);
    milvus_options_set_ca_file(opts, "/nonexistent/ca.pem");
    cr_assert_eq(milvus_channel_new(&ch, base, opts), MILVUS_ERR_TLS);
    cr_assert_null(ch);
}

Test(tls, plaintext_client_to_tls_server)
{
    result res;
    start(0, 0);
    milvus_options_set_tls(opts, 0);
    res = call_once();
    cr_assert_neq(res.status, MILVUS_OK);
}

static size_t big_len;
static int big_ok;

static void on_big_reply(milvus_channel *c, int status, const milvus_reply *r, void *ctx)
{
    result *res = ctx;
    size_t n = 0;
    const uint8_t *d = milvus_reply_data(r, &n);
    (void)c;
    res->calls++;
    res->status = status;
    snprintf(res->msg, sizeof(res->msg), "%s", milvus_reply_message(r));
    res->len = n;
    big_ok = d && n == big_len;
    for (size_t i = 0; big_ok && i < n; i++)
        big_ok = d[i] == (uint8_t)(i * 7 + (i >> 13));
}

Test(tls, large_request_and_reply)
{
    /* Referenced (not copied) DATA frames go through the TLS
     * bufferevent as well; the echo comes back over many frames. */
    result res = {0};
    uint8_t *big;
    big_len = (size_t)2 << 20;
    big = malloc(big_len);
    cr_assert_not_null(big);
    for (size_t i = 0; i < big_len; i++)
        big[i] = (uint8_t)(i * 7 + (i >> 13));
    start(0, 0);
    milvus_options_set_ca_file(opts, P(3, "ca.pem"));
    cr_assert_eq(milvus_channel_new(&ch, base, opts), MILVUS_OK);
    cr_assert_eq(
        milvus_channel_unary(ch, "/test.Echo/Unary", big, big_len, NULL, on_big_reply, &res),
        MILVUS_OK);
    free(big);
    cr_assert(run_until(&res.calls, 1, 15000));
    cr_assert_eq(res.status, MILVUS_OK, "%s", res.msg);
    cr_assert_eq(res.len, big_len);
    cr_assert(big_ok);
}
