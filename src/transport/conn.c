/* SPDX-License-Identifier: Apache-2.0 */
/*
 * One HTTP/2 connection's lifecycle: DNS (evdns, never the blocking
 * resolver), TCP, optional TLS with ALPN h2, keepalive, closing, and the
 * streams linked to it.  The nghttp2 session's callbacks are in
 * session.c, the socket I/O and the policing of inbound frames in io.c.
 */
#include <errno.h>
#include <inttypes.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/bufferevent_ssl.h>
#include <event2/dns.h>
#include <openssl/err.h>

#include "common/backoff.h"
#include "common/util.h"
#include "transport/conn_internal.h"
#include "transport/transport.h"

static void conn_try_addr(mv_conn *conn);

/* ---- small helpers ---- */

/* Formats into a fixed buffer (connection errors, fatal messages); a text
 * that does not fit is cut after its last whole word and ends in an
 * ellipsis (U+2026), never in the middle of a word or of a UTF-8
 * character. */
void mv_set_text(char *buf, size_t cap, const char *fmt, ...)
{
    static const char ell[] = "\xe2\x80\xa6"; /* U+2026 */
    va_list ap;
    size_t end, cut;
    int n;
    va_start(ap, fmt);
    n = vsnprintf(buf, cap, fmt, ap);
    va_end(ap);
    if (n < 0) {
        buf[0] = '\0';
        return;
    }
    if ((size_t)n < cap || cap < sizeof(ell) + 1)
        return;
    end = cap - sizeof(ell); /* room for the ellipsis and the NUL */
    cut = end;
    while (cut > end / 2 && buf[cut] != ' ')
        cut--;
    if (cut <= end / 2) /* one long word: cut between characters */
        for (cut = end; cut > 0 && ((unsigned char)buf[cut] & 0xc0) == 0x80; cut--)
            ;
    while (cut > 0 && buf[cut - 1] == ' ')
        cut--;
    memcpy(buf + cut, ell, sizeof(ell));
}

/* "GOAWAY with CODE, last stream N (debug data)" for messages. */
void mv_conn_goaway_text(const mv_conn *conn, char *buf, size_t cap)
{
    mv_set_text(buf, cap, "GOAWAY with %s, last stream %" PRId32 "%s%s%s",
                nghttp2_http2_strerror(conn->goaway_code), conn->goaway_last,
                conn->goaway_debug[0] ? " (\"" : "", conn->goaway_debug,
                conn->goaway_debug[0] ? "\")" : "");
}

/* Why an established connection was lost: the server closed it (eof) or
 * the socket failed with err; after a GOAWAY, what it said. */
void mv_conn_lost_text(const mv_conn *conn, int eof, int err, char *buf, size_t cap)
{
    char ga[200] = "";
    if (conn->goaway)
        mv_conn_goaway_text(conn, ga, sizeof(ga));
    if (eof)
        mv_set_text(buf, cap, "connection closed by the server%s%s", ga[0] ? " after " : "", ga);
    else
        mv_set_text(buf, cap, "connection error: %s%s%s", evutil_socket_error_to_string(err),
                    ga[0] ? " after " : "", ga);
}

static void format_addr(const struct sockaddr *sa, char *buf, size_t len)
{
    char ip[64] = "?";
    if (sa->sa_family == AF_INET6) {
        const struct sockaddr_in6 *s6 = (const struct sockaddr_in6 *)sa;
        evutil_inet_ntop(AF_INET6, &s6->sin6_addr, ip, sizeof(ip));
        snprintf(buf, len, "[%s]:%d", ip, ntohs(s6->sin6_port));
    } else {
        const struct sockaddr_in *s4 = (const struct sockaddr_in *)sa;
        evutil_inet_ntop(AF_INET, &s4->sin_addr, ip, sizeof(ip));
        snprintf(buf, len, "%s:%d", ip, ntohs(s4->sin_port));
    }
}

int mv_conn_has_room(const mv_conn *conn)
{
    uint32_t max;
    if (conn->state != MV_CONN_READY || !conn->h2 || conn->tx_pending >= MV_TX_PENDING_MAX)
        return 0;
    if (nghttp2_session_get_next_stream_id(conn->h2) > (1u << 31) - 8)
        return 0;
    max = nghttp2_session_get_remote_settings(conn->h2, NGHTTP2_SETTINGS_MAX_CONCURRENT_STREAMS);
    return conn->nactive < max;
}

void mv_conn_wake(mv_transport *t)
{
    t->cbs->wake(t->user);
}

void mv_conn_link(mv_conn *conn, mv_stream *s)
{
    s->prev = NULL;
    s->next = conn->streams;
    if (conn->streams)
        conn->streams->prev = s;
    conn->streams = s;
    conn->nactive++;
    s->conn = conn;
}

/* The request of s has left in full, or its stream is gone. */
void mv_conn_tx_done(mv_conn *conn, mv_stream *s)
{
    if (!s->tx_counted)
        return;
    s->tx_counted = 0;
    conn->tx_pending--;
    if (conn->tx_pending == MV_TX_PENDING_MAX - 1)
        conn->t->cbs->writable(conn->t->user); /* room again for queued calls */
}

/* Takes s off its connection and frees it; the stream's user data in the
 * session is cleared first, so nghttp2 reports nothing more about it. */
static void conn_release(mv_conn *conn, mv_stream *s)
{
    if (conn->h2 && s->id > 0)
        nghttp2_session_set_stream_user_data(conn->h2, s->id, NULL);
    mv_conn_tx_done(conn, s);
    if (s->prev)
        s->prev->next = s->next;
    else
        conn->streams = s->next;
    if (s->next)
        s->next->prev = s->prev;
    conn->nactive--;
    mv_pool_free(conn->t->pool, s);
}

void mv_conn_detach(mv_conn *conn, mv_stream *s, uint32_t rst_code)
{
    /* Both directions ended (the usual completion): nghttp2 closes the
     * stream by itself; a RST_STREAM would only cost a frame. */
    if (conn->h2 && s->id > 0 && !(s->ended && s->send_done) &&
        nghttp2_session_find_stream(conn->h2, s->id)) {
        nghttp2_submit_rst_stream(conn->h2, NGHTTP2_FLAG_NONE, s->id, rst_code);
        conn->want_flush = 1;
        mv_conn_wake(conn->t);
    }
    conn_release(conn, s);
}

/* Ends s and tells the layer above how (enum mv_stream_end). */
void mv_conn_end_stream(mv_conn *conn, mv_stream *s, int how, int status, int code, const char *msg)
{
    const mv_transport_cbs *cbs = conn->t->cbs;
    void *user = s->user;
    uint32_t rst = s->rst_code;
    conn_release(conn, s);
    cbs->on_close(user, how, status, code, rst, msg);
}

/* Some connection of the transport is up, or an attempt is in progress. */
static int attempt_or_ready(const mv_transport *t)
{
    for (int i = 0; i < t->nconns; i++) {
        int st = t->conns[i].state;
        if (st == MV_CONN_READY || st == MV_CONN_RESOLVING || st == MV_CONN_CONNECTING)
            return 1;
    }
    return 0;
}

/* A connection attempt failed (conn->err says why): the slot waits for
 * its reconnect backoff. */
static void conn_connect_failed(mv_conn *conn, int status)
{
    mv_transport *t = conn->t;
    const milvus_options *o = t->opts;
    mv_backoff backoff = {o->reconnect_initial_ms, o->reconnect_max_ms, o->reconnect_multiplier};
    struct timeval tv;
    int64_t ms;
    conn->failures++;
    mv_log(o, MILVUS_LOG_WARN, "connection %llu failed (%s): %s", (unsigned long long)conn->serial,
           milvus_strerror(status), conn->err);
    ms = mv_backoff_delay(&backoff, conn->failures, mv_jitter(&t->rng));
    conn->state = MV_CONN_BACKOFF;
    mv_tv_from_ms(&tv, ms);
    evtimer_add(&conn->timer, &tv);
    /* Refused or unresolved, with no other attempt in progress and no
     * connection up: the server is unreachable now (gRPC's
     * TRANSIENT_FAILURE) until a backoff ends. */
    t->cbs->connect_failed(t->user, status, conn->err,
                           (status == MILVUS_ERR_CONNECT || status == MILVUS_ERR_RESOLVE) &&
                               !conn->timed_out && !attempt_or_ready(t));
}

/* Fails the connection from inside an nghttp2 callback: acted on after
 * nghttp2 returns. */
void mv_conn_set_fatal(mv_conn *conn, int status, const char *msg)
{
    if (conn->fatal)
        return;
    conn->fatal = 1;
    conn->fatal_status = status;
    mv_set_text(conn->fatal_msg, sizeof(conn->fatal_msg), "%s", msg);
}

/* The server went past one of the limits of transport.h: the session ends
 * with GOAWAY ENHANCE_YOUR_CALM (sent as the connection closes, see
 * mv_conn_after_io) and nothing more it sent is read. */
void mv_conn_calm(mv_conn *conn, const char *what)
{
    char msg[sizeof(conn->fatal_msg)];
    mv_set_text(msg, sizeof(msg), "%s (ENHANCE_YOUR_CALM)", what);
    mv_conn_set_fatal(conn, MILVUS_ERR_PROTOCOL, msg);
    conn->calm = 1;
    if (conn->h2)
        nghttp2_session_terminate_session(conn->h2, NGHTTP2_ENHANCE_YOUR_CALM);
}

/* ---- keepalive ---- */

void mv_conn_ka_arm(mv_conn *conn, int64_t us)
{
    struct timeval tv;
    if (us < 1000)
        us = 1000;
    tv.tv_sec = (time_t)(us / 1000000);
    tv.tv_usec = (suseconds_t)(us % 1000000);
    evtimer_add(&conn->ka_timer, &tv);
    conn->ka_armed = 1;
}

static void ka_cb(evutil_socket_t fd, short what, void *arg)
{
    mv_conn *conn = arg;
    mv_transport *t = conn->t;
    int64_t now = mv_now_us(), interval = t->keepalive_ms * 1000;
    (void)fd;
    (void)what;
    conn->ka_armed = 0;
    if (!conn->h2 || conn->memory)
        return;
    if (conn->ka_waiting) {
        if (conn->last_read_us > conn->ka_ping_sent_us) {
            conn->ka_waiting = 0; /* something arrived: the peer is alive */
        } else {
            char msg[96];
            snprintf(msg, sizeof(msg), "keepalive ping not acknowledged within %lld ms",
                     (long long)t->opts->keepalive_timeout_ms);
            mv_log(t->opts, MILVUS_LOG_WARN, "connection %llu: %s",
                   (unsigned long long)conn->serial, msg);
            mv_conn_close(conn, MILVUS_ERR_DISCONNECTED, msg);
            mv_conn_wake(t);
            return;
        }
    }
    if (now - conn->last_read_us < interval) {
        mv_conn_ka_arm(conn, interval - (now - conn->last_read_us));
        return;
    }
    if (nghttp2_submit_ping(conn->h2, NGHTTP2_FLAG_NONE, NULL) != 0) {
        mv_conn_close(conn, MILVUS_ERR_DISCONNECTED, "cannot send keepalive ping");
        return;
    }
    conn->ka_waiting = 1;
    conn->ka_ping_sent_us = now;
    mv_conn_ka_arm(conn, t->opts->keepalive_timeout_ms * 1000);
    mv_conn_flush(conn);
}

void mv_conn_ka_start(mv_conn *conn)
{
    if (conn->ka_armed || conn->t->keepalive_ms <= 0 || conn->memory)
        return;
    mv_conn_ka_arm(conn, conn->t->keepalive_ms * 1000);
}

static void event_cb(struct bufferevent *bev, short what, void *arg);

static void conn_ready(mv_conn *conn)
{
    mv_transport *t = conn->t;
    evutil_socket_t fd = bufferevent_getfd(conn->bev);
    int one = 1;
    if (fd >= 0)
        setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    evtimer_del(&conn->timer);
    if (conn->ssl) {
        const unsigned char *alpn = NULL;
        unsigned int alpn_len = 0;
        SSL_get0_alpn_selected(conn->ssl, &alpn, &alpn_len);
        if (alpn_len != 2 || memcmp(alpn, "h2", 2) != 0) {
            mv_set_text(conn->err, sizeof(conn->err),
                        "TLS: the server did not select HTTP/2 with ALPN (selected: %.*s)",
                        alpn_len ? (int)alpn_len : 4, alpn_len ? (const char *)alpn : "none");
            mv_conn_cleanup(conn);
            conn_connect_failed(conn, MILVUS_ERR_TLS);
            return;
        }
    }
    if (mv_conn_session_new(conn) != 0) {
        mv_set_text(conn->err, sizeof(conn->err), "out of memory creating the HTTP/2 session");
        mv_conn_cleanup(conn);
        conn_connect_failed(conn, MILVUS_ERR_NOMEM);
        return;
    }
    if (conn->addrs) {
        evutil_freeaddrinfo(conn->addrs);
        conn->addrs = conn->cur_addr = NULL;
    }
    conn->state = MV_CONN_READY;
    conn->failures = 0;
    conn->last_read_us = mv_now_us();
    t->cbs->connected(t->user);
    mv_log(t->opts, MILVUS_LOG_DEBUG, "connection %llu: ready", (unsigned long long)conn->serial);
    /* libevent reads and writes 16 KiB per callback by default: far too
     * little for large responses. */
    bufferevent_set_max_single_read(conn->bev, 1 << 20);
    bufferevent_set_max_single_write(conn->bev, 1 << 20);
    bufferevent_setcb(conn->bev, mv_conn_read_cb, mv_conn_write_cb, event_cb, conn);
    if (conn->ssl) {
        bufferevent_setwatermark(conn->bev, EV_WRITE, MV_TX_LOW, 0);
        bufferevent_enable(conn->bev, EV_READ | EV_WRITE);
    } else {
        /* The library writes a plain socket itself (io.c): the
         * bufferevent only reads. */
        event_assign(&conn->tx_ev, t->base, fd, EV_WRITE | EV_PERSIST, mv_conn_tx_cb, conn);
        bufferevent_disable(conn->bev, EV_WRITE);
        bufferevent_enable(conn->bev, EV_READ);
    }
    mv_conn_flush(conn);
    mv_conn_wake(t);
}

static void tls_error_text(mv_conn *conn, char *buf, size_t len)
{
    unsigned long e = bufferevent_get_openssl_error(conn->bev);
    long vr = SSL_get_verify_result(conn->ssl);
    char estr[256]; /* what OpenSSL asks for, not cut */
    if (vr != X509_V_OK) {
        mv_set_text(buf, len, "TLS: certificate verification failed: %s",
                    X509_verify_cert_error_string(vr));
        return;
    }
    if (e) {
        ERR_error_string_n(e, estr, sizeof(estr));
        mv_set_text(buf, len, "TLS handshake failed: %s", estr);
        return;
    }
    buf[0] = '\0';
}

static void event_cb(struct bufferevent *bev, short what, void *arg)
{
    mv_conn *conn = arg;
    char addr[80] = "";
    (void)bev;
    if (conn->state == MV_CONN_CONNECTING) {
        int err = EVUTIL_SOCKET_ERROR();
        if (what & BEV_EVENT_CONNECTED) {
            conn_ready(conn);
            return;
        }
        if (conn->cur_addr)
            format_addr(conn->cur_addr->ai_addr, addr, sizeof(addr));
        if (conn->ssl) {
            tls_error_text(conn, conn->err, sizeof(conn->err));
            if (conn->err[0]) {
                /* Every address would fail the same way. */
                mv_conn_cleanup(conn);
                conn_connect_failed(conn, MILVUS_ERR_TLS);
                return;
            }
        }
        mv_set_text(conn->err, sizeof(conn->err), "cannot connect to %s: %s", addr,
                    (what & BEV_EVENT_EOF) ? "connection closed during setup"
                                           : evutil_socket_error_to_string(err));
        conn->cur_addr = conn->cur_addr ? conn->cur_addr->ai_next : NULL;
        conn_try_addr(conn);
        return;
    }
    if (what & (BEV_EVENT_EOF | BEV_EVENT_ERROR)) {
        char msg[sizeof(conn->fatal_msg)];
        unsigned long tls_err = conn->ssl ? bufferevent_get_openssl_error(conn->bev) : 0;
        if (tls_err) {
            /* e.g. a TLS 1.3 server that wanted a client certificate says so
             * in an alert after the handshake: a TLS failure, not a lost
             * connection */
            char estr[256]; /* what OpenSSL asks for, not cut */
            ERR_error_string_n(tls_err, estr, sizeof(estr));
            mv_set_text(msg, sizeof(msg), "TLS: %s", estr);
            mv_conn_close(conn, MILVUS_ERR_TLS, msg);
            mv_conn_wake(conn->t);
            return;
        }
        mv_conn_lost_text(conn, what & BEV_EVENT_EOF, EVUTIL_SOCKET_ERROR(), msg, sizeof(msg));
        mv_conn_close(conn, MILVUS_ERR_DISCONNECTED, msg);
        mv_conn_wake(conn->t);
    }
}

/* ---- connecting ---- */

static void conn_try_addr(mv_conn *conn)
{
    mv_transport *t = conn->t;
    struct evutil_addrinfo *ai;
    if (conn->bev) {
        bufferevent_free(conn->bev);
        conn->bev = NULL;
        conn->ssl = NULL;
    }
    for (ai = conn->cur_addr; ai; ai = ai->ai_next) {
        conn->cur_addr = ai;
        if (t->ssl_ctx) {
            SSL *ssl = mv_tls_new(t);
            if (!ssl) {
                mv_set_text(conn->err, sizeof(conn->err), "TLS: cannot create the TLS session");
                mv_conn_cleanup(conn);
                conn_connect_failed(conn, MILVUS_ERR_TLS);
                return;
            }
            conn->bev =
                bufferevent_openssl_socket_new(t->base, -1, ssl, BUFFEREVENT_SSL_CONNECTING,
                                               BEV_OPT_CLOSE_ON_FREE | BEV_OPT_DEFER_CALLBACKS);
            if (!conn->bev) {
                SSL_free(ssl);
            } else {
                conn->ssl = ssl;
                bufferevent_openssl_set_allow_dirty_shutdown(conn->bev, 1);
            }
        } else {
            conn->bev = bufferevent_socket_new(t->base, -1, BEV_OPT_CLOSE_ON_FREE);
        }
        if (!conn->bev) {
            mv_set_text(conn->err, sizeof(conn->err), "out of memory");
            mv_conn_cleanup(conn);
            conn_connect_failed(conn, MILVUS_ERR_NOMEM);
            return;
        }
        bufferevent_setcb(conn->bev, NULL, NULL, event_cb, conn);
        conn->state = MV_CONN_CONNECTING;
        if (bufferevent_socket_connect(conn->bev, ai->ai_addr, (int)ai->ai_addrlen) == 0) {
            /* libevent gave the SSL a socket BIO of OpenSSL's, which
             * writes with write() (SIGPIPE): ours replaces it before the
             * handshake, which starts from the loop. */
            if (conn->ssl &&
                mv_tls_set_socket_bio(conn->ssl, (int)bufferevent_getfd(conn->bev)) != 0) {
                mv_set_text(conn->err, sizeof(conn->err), "out of memory");
                mv_conn_cleanup(conn);
                conn_connect_failed(conn, MILVUS_ERR_NOMEM);
                return;
            }
            return; /* event_cb reports the outcome */
        }
        {
            char addr[80] = "";
            format_addr(ai->ai_addr, addr, sizeof(addr));
            mv_set_text(conn->err, sizeof(conn->err), "cannot connect to %s: %s", addr,
                        evutil_socket_error_to_string(EVUTIL_SOCKET_ERROR()));
        }
        bufferevent_free(conn->bev);
        conn->bev = NULL;
        conn->ssl = NULL;
    }
    mv_conn_cleanup(conn);
    conn_connect_failed(conn, MILVUS_ERR_CONNECT);
}

/* evdns may report a cancelled request later, from the loop: its context
 * is a separate allocation that the callback always frees. */
struct mv_dns_ctx {
    mv_conn *conn; /* NULL once cancelled */
    struct evdns_getaddrinfo_request *req;
};

static void dns_cb(int result, struct evutil_addrinfo *res, void *arg)
{
    struct mv_dns_ctx *dc = arg;
    mv_conn *conn = dc->conn;
    free(dc);
    if (!conn || result == EVUTIL_EAI_CANCEL) {
        if (res)
            evutil_freeaddrinfo(res);
        return;
    }
    conn->dnsctx = NULL;
    if (conn->state != MV_CONN_RESOLVING) {
        if (res)
            evutil_freeaddrinfo(res);
        return;
    }
    if (result != 0 || !res) {
        mv_set_text(conn->err, sizeof(conn->err), "cannot resolve %s: %s", conn->t->opts->host,
                    result ? evutil_gai_strerror(result) : "no address");
        if (res)
            evutil_freeaddrinfo(res);
        mv_conn_cleanup(conn);
        conn_connect_failed(conn, MILVUS_ERR_RESOLVE);
        return;
    }
    conn->addrs = conn->cur_addr = res;
    conn->addrs_from_evdns = 1;
    conn_try_addr(conn);
}

static void conn_timer_cb(evutil_socket_t fd, short what, void *arg)
{
    mv_conn *conn = arg;
    mv_transport *t = conn->t;
    int status;
    (void)fd;
    (void)what;
    if (conn->state == MV_CONN_BACKOFF) {
        conn->state = MV_CONN_IDLE;
        t->cbs->reconnect_due(t->user); /* the next call waits for a new attempt */
        return;
    }
    if (conn->state != MV_CONN_RESOLVING && conn->state != MV_CONN_CONNECTING)
        return;
    status = conn->state == MV_CONN_RESOLVING ? MILVUS_ERR_RESOLVE
             : conn->ssl                      ? MILVUS_ERR_TLS
                                              : MILVUS_ERR_CONNECT;
    mv_set_text(conn->err, sizeof(conn->err), "%s %s:%d timed out after %lld ms",
                status == MILVUS_ERR_RESOLVE ? "resolving" : "connecting to", t->opts->host,
                t->opts->port, (long long)t->opts->connect_timeout_ms);
    mv_conn_cleanup(conn);
    conn->timed_out = 1;
    conn_connect_failed(conn, status);
}

int mv_conn_start(mv_conn *conn)
{
    mv_transport *t = conn->t;
    struct evutil_addrinfo hints, *res = NULL;
    struct timeval tv;
    char port[16];
    memset(&hints, 0, sizeof(hints));
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_protocol = IPPROTO_TCP;
    hints.ai_flags = EVUTIL_AI_ADDRCONFIG;
    snprintf(port, sizeof(port), "%d", t->opts->port);
    conn->serial = ++t->conn_serial;
    conn->err[0] = '\0';
    conn->state = MV_CONN_RESOLVING;
    conn->timed_out = 0;
    conn->goaway = 0;
    conn->goaway_code = 0;
    conn->goaway_last = 0;
    conn->goaway_debug[0] = '\0';
    conn->fatal = 0;
    conn->sent_first_request = 0;
    conn->ka_waiting = 0;
    tv.tv_sec = (time_t)(t->opts->connect_timeout_ms / 1000);
    tv.tv_usec = (suseconds_t)(t->opts->connect_timeout_ms % 1000) * 1000;
    evtimer_add(&conn->timer, &tv);
    mv_log(t->opts, MILVUS_LOG_DEBUG, "connection %llu: connecting to %s:%d",
           (unsigned long long)conn->serial, t->opts->host, t->opts->port);

    /* Numeric addresses need no DNS at all. */
    hints.ai_flags |= EVUTIL_AI_NUMERICHOST;
    if (evutil_getaddrinfo(t->opts->host, port, &hints, &res) == 0 && res) {
        conn->addrs = conn->cur_addr = res;
        conn->addrs_from_evdns = 0;
        conn_try_addr(conn);
        return 0;
    }
    hints.ai_flags &= ~EVUTIL_AI_NUMERICHOST;
    if (!t->dns) {
        t->dns = evdns_base_new(t->base, EVDNS_BASE_INITIALIZE_NAMESERVERS |
                                             EVDNS_BASE_DISABLE_WHEN_INACTIVE);
        if (!t->dns) { /* no usable resolv.conf: /etc/hosts only */
            t->dns = evdns_base_new(t->base, EVDNS_BASE_DISABLE_WHEN_INACTIVE);
            if (t->dns)
                evdns_base_load_hosts(t->dns, NULL);
        }
    }
    if (!t->dns) {
        mv_set_text(conn->err, sizeof(conn->err), "cannot create the DNS resolver");
        mv_conn_cleanup(conn);
        conn_connect_failed(conn, MILVUS_ERR_RESOLVE);
        return 0;
    }
    {
        struct mv_dns_ctx *dc = malloc(sizeof(*dc));
        struct evdns_getaddrinfo_request *req;
        if (!dc) {
            mv_set_text(conn->err, sizeof(conn->err), "out of memory");
            mv_conn_cleanup(conn);
            conn_connect_failed(conn, MILVUS_ERR_NOMEM);
            return 0;
        }
        dc->conn = conn;
        dc->req = NULL;
        conn->dnsctx = dc;
        /* The callback may run (and free dc) before this returns. */
        req = evdns_getaddrinfo(t->dns, t->opts->host, port, &hints, dns_cb, dc);
        if (req && conn->dnsctx == dc)
            dc->req = req;
    }
    return 0;
}

/* Releases the socket, session and addresses, keeping the slot. */
void mv_conn_cleanup(mv_conn *conn)
{
    if (conn->dnsctx) {
        struct mv_dns_ctx *dc = conn->dnsctx;
        conn->dnsctx = NULL;
        dc->conn = NULL;
        if (dc->req)
            evdns_getaddrinfo_cancel(dc->req); /* dc is freed by dns_cb */
    }
    if (conn->h2) {
        nghttp2_session_del(conn->h2);
        conn->h2 = NULL;
    }
    if (conn->tx_rb) {
        mv_reqbuf_unref(conn->tx_rb);
        conn->tx_rb = NULL;
    }
    if (conn->wbuf)
        evbuffer_drain(conn->wbuf, evbuffer_get_length(conn->wbuf));
    event_del(&conn->tx_ev);
    if (conn->out)
        evbuffer_drain(conn->out, evbuffer_get_length(conn->out));
    if (conn->bev) {
        bufferevent_free(conn->bev);
        conn->bev = NULL;
    }
    conn->ssl = NULL;
    if (conn->addrs) {
        evutil_freeaddrinfo(conn->addrs);
        conn->addrs = conn->cur_addr = NULL;
    }
    evtimer_del(&conn->timer);
    evtimer_del(&conn->ka_timer);
    evtimer_del(&conn->rx_mark_ev);
    free(conn->rx_buf);
    conn->rx_buf = NULL;
    conn->rx_mark = 1; /* a new socket starts without a mark */
    conn->rx_mark_off = 0;
    conn->rx_sid = 0;
    conn->rx_stall_us = 0;
    conn->rx_bytes = 0;
    conn->rx_stall_bytes = 0;
    conn->rx_fh_have = 0; /* a new socket starts at a frame boundary */
    conn->rx_skip = 0;
    conn->rx_cont = -1;
    conn->rx_settings = 0;
    conn->rx_settings_us = 0;
    conn->calm = 0;
    conn->tx_full = 0;
    conn->ka_armed = 0;
    conn->ka_waiting = 0;
    conn->want_flush = 0;
    conn->memory = 0;
    conn->state = MV_CONN_IDLE;
}

void mv_conn_close(mv_conn *conn, int status, const char *msg)
{
    mv_transport *t = conn->t;
    int code = status == MILVUS_ERR_PROTOCOL ? MILVUS_GRPC_INTERNAL : MILVUS_GRPC_UNAVAILABLE;
    if (conn->nactive)
        mv_log(t->opts, MILVUS_LOG_INFO, "connection %llu closed with %zu calls: %s",
               (unsigned long long)conn->serial, conn->nactive, msg);
    /* End the streams first: nghttp2_session_del reports nothing.  A
     * stream whose HEADERS never left cannot have been processed. */
    while (conn->streams) {
        mv_stream *s = conn->streams;
        mv_conn_end_stream(conn, s, s->headers_sent ? MV_STREAM_FAILED : MV_STREAM_UNPROCESSED,
                           status, code, msg);
    }
    mv_conn_cleanup(conn);
    mv_conn_wake(t);
}

/* ---- fuzz hook ---- */

int mv_transport_attach_memory_conn(mv_transport *t)
{
    mv_conn *conn = &t->conns[0];
    if (conn->state != MV_CONN_IDLE)
        mv_conn_cleanup(conn);
    t->no_connect = 1;
    conn->memory = 1;
    conn->serial = ++t->conn_serial;
    if (mv_conn_session_new(conn) != 0) {
        conn->memory = 0;
        return -1;
    }
    conn->memory = 1;
    conn->state = MV_CONN_READY;
    conn->last_read_us = mv_now_us();
    mv_conn_flush(conn);
    return 0;
}

int mv_transport_feed_memory_conn(mv_transport *t, const uint8_t *data, size_t len)
{
    mv_conn *conn = &t->conns[0];
    if (!conn->memory || !conn->h2)
        return -1;
    conn->last_read_us = mv_now_us();
    mv_conn_recv(conn, data, len);
    if (conn->fatal) {
        mv_conn_after_io(conn);
        return -1;
    }
    mv_conn_flush(conn);
    mv_conn_wake(t);
    return 0;
}

void mv_conn_init(mv_conn *conn, mv_transport *t, int index)
{
    memset(conn, 0, sizeof(*conn));
    conn->t = t;
    conn->index = index;
    conn->state = MV_CONN_IDLE;
    evtimer_assign(&conn->timer, t->base, conn_timer_cb, conn);
    evtimer_assign(&conn->ka_timer, t->base, ka_cb, conn);
    evtimer_assign(&conn->rx_mark_ev, t->base, mv_conn_rx_mark_timeout, conn);
    event_assign(&conn->tx_ev, t->base, -1, 0, mv_conn_tx_cb, conn); /* its socket: conn_ready */
    conn->rx_mark = 1;
    conn->rx_cont = -1;
}
