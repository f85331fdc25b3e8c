/* SPDX-License-Identifier: Apache-2.0 */
/*
 * SIGPIPE: the library leaves the signal disposition alone and none of
 * its socket writes can raise the signal.  This program keeps SIGPIPE at
 * its default (the process dies of it) and never ignores it: a server
 * that closes while a large request is being written must cost the call
 * a transport error, not the process, plaintext and TLS.
 */
#include <criterion/criterion.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <event2/event.h>
#include <openssl/err.h>
#include <openssl/ssl.h>

#include <milvus/channel.h>

#include "h2_test_server.h"

static struct event_base *base;
static milvus_channel *ch;
static milvus_options *opts;
static char dir[64];
static char cert[96], key[96];

static void sh(const char *fmt, ...)
{
    char cmd[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(cmd, sizeof(cmd), fmt, ap);
    va_end(ap);
    cr_assert_eq(system(cmd), 0, "%s", cmd);
}

static int sigpipe_handler(struct sigaction *sa)
{
    cr_assert_eq(sigaction(SIGPIPE, NULL, sa), 0);
    return sa->sa_handler == SIG_DFL && !(sa->sa_flags & SA_SIGINFO);
}

static void setup(void)
{
    struct sigaction sa;
    /* whatever the test runner did: the default, under which a SIGPIPE
     * kills the process */
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = SIG_DFL;
    sigemptyset(&sa.sa_mask);
    cr_assert_eq(sigaction(SIGPIPE, &sa, NULL), 0);
    base = event_base_new();
    opts = milvus_options_new();
    cr_assert_not_null(base);
    cr_assert_not_null(opts);
    milvus_options_set_retry(opts, 1, 10, 10, 1.0);
}

static void teardown(void)
{
    milvus_channel_free(ch);
    ch = NULL;
    milvus_options_free(opts);
    if (base) {
        event_base_loop(base, EVLOOP_NONBLOCK);
        event_base_free(base);
    }
    base = NULL;
    if (dir[0])
        sh("rm -rf %s", dir);
    dir[0] = '\0';
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
} result;

static void on_reply(milvus_channel *c, int status, const milvus_reply *r, void *ctx)
{
    result *res = ctx;
    (void)c;
    res->calls++;
    res->status = status;
    res->code = milvus_reply_grpc_code(r);
    snprintf(res->msg, sizeof(res->msg), "%s", milvus_reply_message(r));
}

static void h_echo(h2ts_req *r, void *ctx)
{
    size_t n;
    const uint8_t *m = h2ts_req_message(r, &n);
    (void)ctx;
    h2ts_reply(r, m, n);
}

TestSuite(sigpipe, .init = setup, .fini = teardown, .timeout = 30);

/* (1) a channel, a call and its end leave the disposition as it was */
Test(sigpipe, disposition_left_alone)
{
    struct sigaction before, after;
    result res = {0};
    h2ts *srv = h2ts_new(base, &(h2ts_config){0}, h_echo, NULL);
    cr_assert_not_null(srv);
    cr_assert(sigpipe_handler(&before));
    cr_assert_eq(milvus_options_set_address(opts, "127.0.0.1", h2ts_port(srv)), MILVUS_OK);
    cr_assert_eq(milvus_channel_new(&ch, base, opts), MILVUS_OK);
    cr_assert_eq(milvus_channel_unary(ch, "/test.Echo/Unary", "hi", 2, NULL, on_reply, &res),
                 MILVUS_OK);
    cr_assert(run_until(&res.calls, 1, 5000));
    cr_assert_eq(res.status, MILVUS_OK, "%s", res.msg);
    milvus_channel_free(ch);
    ch = NULL;
    h2ts_free(srv);
    cr_assert(sigpipe_handler(&after), "the library changed the SIGPIPE disposition");
    cr_assert_eq(before.sa_flags, after.sa_flags);
}

/* ---- a server that closes while the client writes ----
 *
 * A child process: accepts one connection (TLS when cert is set, ALPN
 * h2), opens the HTTP/2 flow-control windows so that the whole request
 * may be sent, reads a little of it, stops reading until the client's
 * socket buffers are full, then closes: FIN, then RST for the unread
 * bytes, so that the client's next write fails with EPIPE. */

#define BIG_REQUEST (24u << 20)
#define SERVER_READS (64u << 10)

static int alpn_select(SSL *ssl, const unsigned char **out, unsigned char *outlen,
                       const unsigned char *in, unsigned int inlen, void *arg)
{
    (void)ssl;
    (void)arg;
    for (unsigned int i = 0; i + 1 <= inlen; i += 1u + in[i])
        if (in[i] == 2 && i + 3 <= inlen && memcmp(in + i + 1, "h2", 2) == 0) {
            *out = in + i + 1;
            *outlen = 2;
            return SSL_TLSEXT_ERR_OK;
        }
    return SSL_TLSEXT_ERR_NOACK;
}

static void closing_server(int lfd, int tls)
{
    /* SETTINGS (INITIAL_WINDOW_SIZE 2^31-1), WINDOW_UPDATE on stream 0 to
     * 2^31-1 */
    /* clang-format off */
    static const unsigned char preface[] = {
        0, 0, 6, 4, 0, 0, 0, 0, 0, 0, 4, 0x7f, 0xff, 0xff, 0xff,
        0, 0, 4, 8, 0, 0, 0, 0, 0, 0x7f, 0xff, 0, 0,
    };
    /* clang-format on */
    char buf[16384];
    size_t got = 0;
    SSL_CTX *ctx = NULL;
    SSL *ssl = NULL;
    int fd;
    signal(SIGPIPE, SIG_IGN); /* this child only */
    fd = accept(lfd, NULL, NULL);
    if (fd < 0)
        _exit(2);
    if (tls) {
        ctx = SSL_CTX_new(TLS_server_method());
        if (!ctx || SSL_CTX_use_certificate_file(ctx, cert, SSL_FILETYPE_PEM) != 1 ||
            SSL_CTX_use_PrivateKey_file(ctx, key, SSL_FILETYPE_PEM) != 1)
            _exit(3);
        SSL_CTX_set_alpn_select_cb(ctx, alpn_select, NULL);
        ssl = SSL_new(ctx);
        if (!ssl || SSL_set_fd(ssl, fd) != 1 || SSL_accept(ssl) != 1)
            _exit(4);
        if (SSL_write(ssl, preface, sizeof(preface)) != (int)sizeof(preface))
            _exit(5);
    } else if (write(fd, preface, sizeof(preface)) != (ssize_t)sizeof(preface)) {
        _exit(5);
    }
    while (got < SERVER_READS) {
        int n = tls ? SSL_read(ssl, buf, sizeof(buf)) : (int)read(fd, buf, sizeof(buf));
        if (n <= 0)
            _exit(6);
        got += (size_t)n;
    }
    usleep(300 * 1000); /* the client fills the socket buffers meanwhile */
    shutdown(fd, SHUT_WR);
    close(fd);
    /* freed before exiting: the suite's valgrind pass follows this child */
    SSL_free(ssl);
    SSL_CTX_free(ctx);
    _exit(0);
}

static void closed_while_writing(int tls)
{
    struct sockaddr_in sin;
    socklen_t sl = sizeof(sin);
    struct sigaction after;
    result res = {0};
    uint8_t *req;
    int lfd, status = -1;
    pid_t pid;
    if (tls) {
        strcpy(dir, "/tmp/mv-sigpipe-XXXXXX");
        cr_assert_not_null(mkdtemp(dir));
        snprintf(cert, sizeof(cert), "%s/srv.pem", dir);
        snprintf(key, sizeof(key), "%s/srv.key", dir);
        sh("openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes "
           "-keyout %s -out %s -days 1 -subj /CN=localhost >/dev/null 2>&1",
           key, cert);
    }
    lfd = socket(AF_INET, SOCK_STREAM, 0);
    cr_assert_geq(lfd, 0);
    memset(&sin, 0, sizeof(sin));
    sin.sin_family = AF_INET;
    sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    cr_assert_eq(bind(lfd, (struct sockaddr *)&sin, sizeof(sin)), 0);
    cr_assert_eq(listen(lfd, 4), 0);
    cr_assert_eq(getsockname(lfd, (struct sockaddr *)&sin, &sl), 0);
    pid = fork();
    cr_assert_geq(pid, 0);
    if (pid == 0)
        closing_server(lfd, tls);
    close(lfd);

    cr_assert_eq(milvus_options_set_address(opts, "127.0.0.1", ntohs(sin.sin_port)), MILVUS_OK);
    if (tls) {
        cr_assert_eq(milvus_options_set_tls(opts, 1), MILVUS_OK);
        milvus_options_set_tls_verify(opts, 0);
    }
    req = calloc(1, BIG_REQUEST);
    cr_assert_not_null(req);
    cr_assert_eq(milvus_channel_new(&ch, base, opts), MILVUS_OK);
    cr_assert_eq(
        milvus_channel_unary(ch, "/test.Echo/Unary", req, BIG_REQUEST, NULL, on_reply, &res),
        MILVUS_OK);
    cr_assert(run_until(&res.calls, 1, 15000), "no answer");
    cr_log_info("%s: %d %d %s", tls ? "tls" : "plaintext", res.status, res.code, res.msg);
    /* still alive: the writes that hit the closed socket raised nothing */
    cr_assert_eq(res.status, MILVUS_ERR_DISCONNECTED, "%d %s", res.status, res.msg);
    cr_assert_eq(res.code, MILVUS_GRPC_UNAVAILABLE, "%d %s", res.code, res.msg);
    milvus_channel_free(ch);
    ch = NULL;
    free(req);
    cr_assert_eq(waitpid(pid, &status, 0), pid);
    cr_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0, "server: %d", status);
    cr_assert(sigpipe_handler(&after), "the library changed the SIGPIPE disposition");
}

/* (2) */
Test(sigpipe, plaintext_server_closes_while_writing)
{
    closed_while_writing(0);
}

Test(sigpipe, tls_server_closes_while_writing)
{
    closed_while_writing(1);
}
