/* SPDX-License-Identifier: Apache-2.0 */
/*
 * One HTTP/2 connection: DNS (evdns, never the blocking resolver), TCP,
 * optional TLS with ALPN h2, the nghttp2 client session, keepalive.
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
#include "transport/transport.h"

#define MV_STREAM_WINDOW (16 << 20)
#define MV_CONN_WINDOW (256 << 20)
/* DATA payloads from this size on are referenced, not copied. */
#define MV_NO_COPY_MIN (4 << 10)
/* Large requests are framed into the output only this far ahead of the
 * socket: DATA frames wait (NGHTTP2_ERR_WOULDBLOCK) above the high mark and
 * resume when the output has drained to the low one.  Keeps the per-frame
 * buffer chains few and reused instead of a whole request's worth. */
#define MV_TX_HIGH (1 << 20)
#define MV_TX_LOW (256 << 10)
/* Receive low-water mark while a large message arrives (rx_mark_update):
 * raised only when at least MV_RX_MARK_MIN payload bytes are still due,
 * never above MV_RX_MARK_MAX, and dropped again when nothing reached it
 * for MV_RX_MARK_WAIT_MS (a sender that stalls mid-message, or sends a
 * small frame such as RST_STREAM or GOAWAY instead of the rest). */
#define MV_RX_MARK_MIN (64 << 10)
#define MV_RX_MARK_MAX (256 << 10)
#define MV_RX_MARK_WAIT_MS 2
/* TLS: the mark counts ciphertext, which is never shorter than the
 * plaintext it carries; but OpenSSL may hold one partial record taken from
 * the socket already, so the plaintext still due overstates what the
 * socket will get by at most one record (2^14 bytes + 256 expansion + a
 * 5-byte header, RFC 8446 5.2). */
#define MV_RX_MARK_TLS_SLACK (16384 + 256 + 5)

static void conn_try_addr(mv_conn *conn);
static void conn_after_io(mv_conn *conn);

/* ---- small helpers ---- */

/* Formats into a fixed buffer (connection errors, fatal messages); a text
 * that does not fit is cut after its last whole word and ends in an
 * ellipsis (U+2026), never in the middle of a word or of a UTF-8
 * character. */
static void set_text(char *buf, size_t cap, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void set_text(char *buf, size_t cap, const char *fmt, ...)
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
static void goaway_text(const mv_conn *conn, char *buf, size_t cap)
{
    set_text(buf, cap, "GOAWAY with %s, last stream %" PRId32 "%s%s%s",
             nghttp2_http2_strerror(conn->goaway_code), conn->goaway_last,
             conn->goaway_debug[0] ? " (\"" : "", conn->goaway_debug,
             conn->goaway_debug[0] ? "\")" : "");
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

static void conn_wake(mv_transport *t)
{
    t->cbs->wake(t->user);
}

static void conn_link(mv_conn *conn, mv_stream *s)
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
static void conn_tx_done(mv_conn *conn, mv_stream *s)
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
    conn_tx_done(conn, s);
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
        conn_wake(conn->t);
    }
    conn_release(conn, s);
}

/* Ends s and tells the layer above how (enum mv_stream_end). */
static void conn_end_stream(mv_conn *conn, mv_stream *s, int how, int status, int code,
                            const char *msg)
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
static void conn_set_fatal(mv_conn *conn, int status, const char *msg)
{
    if (conn->fatal)
        return;
    conn->fatal = 1;
    conn->fatal_status = status;
    set_text(conn->fatal_msg, sizeof(conn->fatal_msg), "%s", msg);
}

/* The server went past one of the limits of transport.h: the session ends
 * with GOAWAY ENHANCE_YOUR_CALM (sent as the connection closes, see
 * conn_after_io) and nothing more it sent is read. */
static void conn_calm(mv_conn *conn, const char *what)
{
    char msg[sizeof(conn->fatal_msg)];
    set_text(msg, sizeof(msg), "%s (ENHANCE_YOUR_CALM)", what);
    conn_set_fatal(conn, MILVUS_ERR_PROTOCOL, msg);
    conn->calm = 1;
    if (conn->h2)
        nghttp2_session_terminate_session(conn->h2, NGHTTP2_ENHANCE_YOUR_CALM);
}

/* ---- keepalive ---- */

static void ka_arm(mv_conn *conn, int64_t us)
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
            conn_wake(t);
            return;
        }
    }
    if (now - conn->last_read_us < interval) {
        ka_arm(conn, interval - (now - conn->last_read_us));
        return;
    }
    if (nghttp2_submit_ping(conn->h2, NGHTTP2_FLAG_NONE, NULL) != 0) {
        mv_conn_close(conn, MILVUS_ERR_DISCONNECTED, "cannot send keepalive ping");
        return;
    }
    conn->ka_waiting = 1;
    conn->ka_ping_sent_us = now;
    ka_arm(conn, t->opts->keepalive_timeout_ms * 1000);
    mv_conn_flush(conn);
}

static void ka_start(mv_conn *conn)
{
    if (conn->ka_armed || conn->t->keepalive_ms <= 0 || conn->memory)
        return;
    ka_arm(conn, conn->t->keepalive_ms * 1000);
}

/* ---- nghttp2 callbacks ---- */

static ssize_t send_cb(nghttp2_session *s, const uint8_t *data, size_t len, int flags, void *ud)
{
    mv_conn *conn = ud;
    (void)s;
    (void)flags;
    if (conn->memory || !conn->bev)
        return (ssize_t)len;
    /* Collected in wbuf and moved to the bufferevent after the whole
     * nghttp2_session_send (no copy, one output callback). */
    if (evbuffer_add(conn->wbuf, data, len) != 0)
        return NGHTTP2_ERR_CALLBACK_FAILURE;
    return (ssize_t)len;
}

/* A DATA frame packed with NGHTTP2_DATA_FLAG_NO_COPY: the 9-byte frame
 * header is copied, the payload is referenced in the request buffer,
 * which stays alive until the socket has written it. */
static int send_data_cb(nghttp2_session *s, nghttp2_frame *f, const uint8_t *framehd,
                        size_t length, nghttp2_data_source *src, void *ud)
{
    static const uint8_t zeros[256];
    mv_conn *conn = ud;
    mv_reqbuf *rb = conn->tx_rb;
    size_t pad = f->data.padlen;
    int rc = 0;
    (void)s;
    (void)src;
    if (!rb)
        return NGHTTP2_ERR_CALLBACK_FAILURE;
    if (!conn->memory && conn->bev &&
        evbuffer_get_length(conn->wbuf) + evbuffer_get_length(bufferevent_get_output(conn->bev)) >=
            MV_TX_HIGH) {
        /* nghttp2 offers this same frame again at the next send */
        conn->tx_blocked = 1;
        return NGHTTP2_ERR_WOULDBLOCK;
    }
    conn->tx_rb = NULL;
    if (conn->memory || !conn->bev) {
        mv_reqbuf_unref(rb);
        return 0;
    }
    /* The frame header (and pad length) go in through reserve/commit:
     * after a reference chain evbuffer_add would size its new chain after
     * the referenced length (a 32 KiB allocation per 16 KiB frame). */
    {
        struct evbuffer_iovec v;
        size_t hl = pad > 0 ? 10 : 9;
        if (evbuffer_reserve_space(conn->wbuf, (ev_ssize_t)hl, &v, 1) < 1 || v.iov_len < hl) {
            rc = -1;
        } else {
            memcpy(v.iov_base, framehd, 9);
            if (pad > 0) {
                ((uint8_t *)v.iov_base)[9] = (uint8_t)(pad - 1);
                length -= pad; /* never requested; handled for completeness */
            }
            v.iov_len = hl;
            rc = evbuffer_commit_space(conn->wbuf, &v, 1);
        }
    }
    if (rc == 0 && length > 0)
        rc = mv_reqbuf_add_to(rb, conn->wbuf, conn->tx_off, length);
    if (rc == 0 && pad > 1)
        rc = evbuffer_add(conn->wbuf, zeros, pad - 1 < sizeof(zeros) ? pad - 1 : sizeof(zeros));
    mv_reqbuf_unref(rb);
    return rc == 0 ? 0 : NGHTTP2_ERR_CALLBACK_FAILURE;
}

static int on_begin_headers(nghttp2_session *sess, const nghttp2_frame *f, void *ud)
{
    mv_stream *s;
    mv_conn *conn = ud;
    if (f->hd.type != NGHTTP2_HEADERS)
        return 0;
    s = nghttp2_session_get_stream_user_data(sess, f->hd.stream_id);
    if (!s)
        return 0;
    /* A response header block without END_STREAM carries initial
     * metadata; everything else (trailers, trailers-only) carries the
     * status. */
    conn->t->cbs->on_headers_begin(
        s->user,
        !(f->headers.cat == NGHTTP2_HCAT_RESPONSE && !(f->hd.flags & NGHTTP2_FLAG_END_STREAM)));
    return 0;
}

static int on_header(nghttp2_session *sess, const nghttp2_frame *f, const uint8_t *name,
                     size_t nlen, const uint8_t *value, size_t vlen, uint8_t flags, void *ud)
{
    mv_stream *s;
    mv_conn *conn = ud;
    (void)flags;
    if (f->hd.type != NGHTTP2_HEADERS)
        return 0;
    s = nghttp2_session_get_stream_user_data(sess, f->hd.stream_id);
    if (!s)
        return 0;
    if (nlen == 7 && memcmp(name, ":status", 7) == 0) {
        /* nghttp2 checked it: three digits */
        int st = 0;
        for (size_t i = 0; i < vlen && i < 3; i++)
            st = st * 10 + (value[i] - '0');
        s->http_status = st;
    }
    if (conn->t->cbs->on_header(s->user, name, nlen, value, vlen) != 0)
        return NGHTTP2_ERR_TEMPORAL_CALLBACK_FAILURE;
    return 0;
}

static int on_data_chunk(nghttp2_session *sess, uint8_t flags, int32_t sid, const uint8_t *data,
                         size_t len, void *ud)
{
    mv_stream *s = nghttp2_session_get_stream_user_data(sess, sid);
    mv_conn *conn = ud;
    (void)flags;
    conn->rx_sid = sid; /* rx_mark_update looks at this stream's message */
    if (s)
        conn->t->cbs->on_data(s->user, data, len);
    return 0;
}

static void on_goaway(mv_conn *conn, const nghttp2_goaway *g)
{
    mv_transport *t = conn->t;
    size_t n = g->opaque_data_len, i;
    conn->goaway = 1;
    conn->goaway_code = g->error_code;
    conn->goaway_last = g->last_stream_id;
    /* The debug data is for people: kept as it came (messages are escaped
     * where they are shown), a NUL shown as \x00, cut after a word. */
    {
        char raw[sizeof(conn->goaway_debug) * 2], *w = raw;
        for (i = 0; i < n && w < raw + sizeof(raw) - 5; i++) {
            if (g->opaque_data[i] == 0) {
                memcpy(w, "\\x00", 4);
                w += 4;
            } else {
                *w++ = (char)g->opaque_data[i];
            }
        }
        *w = '\0';
        /* longer than goaway_debug when i < n: cut there, after a word */
        set_text(conn->goaway_debug, sizeof(conn->goaway_debug), "%s", raw);
    }
    if (conn->state == MV_CONN_READY)
        conn->state = MV_CONN_DRAINING;
    mv_log(t->opts, MILVUS_LOG_INFO, "connection %llu: GOAWAY (error %s, last stream %d%s%s%s)",
           (unsigned long long)conn->serial, nghttp2_http2_strerror(g->error_code),
           (int)g->last_stream_id, conn->goaway_debug[0] ? ": \"" : "", conn->goaway_debug,
           conn->goaway_debug[0] ? "\"" : "");
    if (g->error_code == NGHTTP2_ENHANCE_YOUR_CALM && g->opaque_data_len == 14 &&
        memcmp(g->opaque_data, "too_many_pings", 14) == 0 && t->keepalive_ms > 0) {
        /* gRFC A8: the server thinks we ping too often. */
        if (t->keepalive_ms < INT32_MAX / 2)
            t->keepalive_ms *= 2;
        mv_log(t->opts, MILVUS_LOG_WARN,
               "server sent GOAWAY too_many_pings: keepalive interval raised to %lld ms",
               (long long)t->keepalive_ms);
    }
    conn_wake(t);
}

static int on_frame_recv(nghttp2_session *sess, const nghttp2_frame *f, void *ud)
{
    mv_conn *conn = ud;
    mv_stream *s;
    switch (f->hd.type) {
    case NGHTTP2_HEADERS:
    case NGHTTP2_DATA:
        s = nghttp2_session_get_stream_user_data(sess, f->hd.stream_id);
        if (!s)
            return 0;
        if (f->hd.flags & NGHTTP2_FLAG_END_STREAM) {
            s->ended = 1;
            conn->t->cbs->on_end(s->user);
            return 0;
        }
        /* Final response headers begin the response (and commit the call,
         * gRFC A6); a Trailers-Only response does not. */
        if (f->hd.type == NGHTTP2_HEADERS && f->headers.cat == NGHTTP2_HCAT_RESPONSE &&
            s->http_status >= 200) {
            s->response = 1;
            conn->t->cbs->on_headers_end(s->user);
        }
        return 0;
    case NGHTTP2_RST_STREAM:
        s = nghttp2_session_get_stream_user_data(sess, f->hd.stream_id);
        if (s) {
            s->rst_recv = 1;
            s->rst_code = f->rst_stream.error_code;
        }
        return 0;
    case NGHTTP2_GOAWAY:
        on_goaway(conn, &f->goaway);
        return 0;
    case NGHTTP2_PING:
        if ((f->hd.flags & NGHTTP2_FLAG_ACK) && conn->ka_waiting) {
            /* The next PING is due one interval after this read. */
            conn->ka_waiting = 0;
            evtimer_del(&conn->ka_timer);
            ka_arm(conn, conn->t->keepalive_ms * 1000);
        }
        return 0;
    default:
        return 0;
    }
}

/* nghttp2 describes what it rejected in the peer's bytes; the message is
 * kept for the GOAWAY it then sends (see on_frame_send). */
static int on_h2_error(nghttp2_session *s, int code, const char *msg, size_t len, void *ud)
{
    mv_conn *conn = ud;
    (void)s;
    (void)code;
    if (!conn->fatal)
        set_text(conn->fatal_msg, sizeof(conn->fatal_msg), "%.*s", (int)len, msg);
    return 0;
}

static int on_frame_send(nghttp2_session *sess, const nghttp2_frame *f, void *ud)
{
    mv_stream *s;
    mv_conn *conn = ud;
    if (f->hd.type == NGHTTP2_GOAWAY && f->goaway.error_code != NGHTTP2_NO_ERROR) {
        /* We end the session because the peer broke HTTP/2: typically not
         * an HTTP/2 server at all (an HTTP/1 or REST port, garbage); with
         * ENHANCE_YOUR_CALM, nghttp2 found it past one of its limits. */
        char msg[sizeof(conn->fatal_msg)], why[sizeof(conn->fatal_msg)];
        if (conn->fatal_msg[0])
            memcpy(why, conn->fatal_msg, sizeof(why));
        else
            set_text(why, sizeof(why), "%.*s", (int)f->goaway.opaque_data_len,
                     (const char *)f->goaway.opaque_data);
        if (f->goaway.error_code == NGHTTP2_ENHANCE_YOUR_CALM)
            set_text(msg, sizeof(msg), "the server went past a limit of the client (%s%s%s)",
                     nghttp2_http2_strerror(f->goaway.error_code), why[0] ? ": " : "", why);
        else
            set_text(msg, sizeof(msg), "the server does not speak HTTP/2 correctly (%s%s%s)",
                     nghttp2_http2_strerror(f->goaway.error_code), why[0] ? ": " : "", why);
        conn_set_fatal(conn, MILVUS_ERR_PROTOCOL, msg);
        return 0;
    }
    if (f->hd.type == NGHTTP2_DATA) {
        if ((f->hd.flags & NGHTTP2_FLAG_END_STREAM) &&
            (s = nghttp2_session_get_stream_user_data(sess, f->hd.stream_id)) != NULL)
            conn_tx_done(conn, s);
        return 0;
    }
    if (f->hd.type != NGHTTP2_HEADERS)
        return 0;
    s = nghttp2_session_get_stream_user_data(sess, f->hd.stream_id);
    if (s)
        s->headers_sent = 1;
    return 0;
}

static int on_frame_not_send(nghttp2_session *s, const nghttp2_frame *f, int err, void *ud)
{
    (void)s;
    (void)f;
    (void)err;
    (void)ud;
    /* Streams that could not be opened are closed through
     * on_stream_close (REFUSED_STREAM) as well; nothing to do here. */
    return 0;
}

static int on_stream_close(nghttp2_session *sess, int32_t sid, uint32_t err, void *ud)
{
    mv_conn *conn = ud;
    mv_stream *s = nghttp2_session_get_stream_user_data(sess, sid);
    char msg[256];
    if (!s)
        return 0;
    if (err == NGHTTP2_REFUSED_STREAM && !s->response) {
        /* nghttp2 also closes the streams above a GOAWAY's last stream
         * this way: then the GOAWAY says why. */
        if (conn->goaway && sid > conn->goaway_last) {
            char ga[200];
            goaway_text(conn, ga, sizeof(ga));
            set_text(msg, sizeof(msg), "stream refused by the server (not processed): %s", ga);
        } else {
            set_text(msg, sizeof(msg), "stream refused by the server (not processed)");
        }
        conn_end_stream(conn, s, MV_STREAM_UNPROCESSED, MILVUS_ERR_DISCONNECTED,
                        MILVUS_GRPC_UNAVAILABLE, msg);
        return 0;
    }
    if (s->rst_recv) {
        snprintf(msg, sizeof(msg), "stream reset by the server with %s",
                 nghttp2_http2_strerror(s->rst_code));
        conn_end_stream(conn, s, MV_STREAM_RESET, MILVUS_ERR_GRPC, 0, msg);
        return 0;
    }
    snprintf(msg, sizeof(msg), "stream closed by the HTTP/2 layer (%s)",
             nghttp2_http2_strerror(err));
    conn_end_stream(conn, s, MV_STREAM_FAILED, MILVUS_ERR_PROTOCOL, MILVUS_GRPC_INTERNAL, msg);
    return 0;
}

static ssize_t data_read_cb(nghttp2_session *sess, int32_t sid, uint8_t *buf, size_t length,
                            uint32_t *flags, nghttp2_data_source *src, void *ud)
{
    /* Looked up rather than taken from src: the stream object may be gone
     * while nghttp2 still holds the data item of a reset stream. */
    mv_stream *s = nghttp2_session_get_stream_user_data(sess, sid);
    mv_conn *conn = ud;
    size_t n;
    (void)src;
    if (!s) {
        *flags |= NGHTTP2_DATA_FLAG_EOF;
        return 0;
    }
    n = s->req_len - s->sent;
    if (n > length)
        n = length;
    if (s->rb && n >= MV_NO_COPY_MIN && !conn->tx_rb) {
        /* send_data_cb writes this frame right after, referencing the
         * payload where it is. */
        *flags |= NGHTTP2_DATA_FLAG_NO_COPY;
        mv_reqbuf_ref(s->rb);
        conn->tx_rb = s->rb;
        conn->tx_off = s->sent;
    } else if (s->rb) {
        mv_reqbuf_read(s->rb, s->sent, buf, n);
    } else {
        memcpy(buf, s->req + s->sent, n);
    }
    s->sent += n;
    if (s->sent == s->req_len) {
        *flags |= NGHTTP2_DATA_FLAG_EOF;
        s->send_done = 1;
    }
    return (ssize_t)n;
}

static nghttp2_session_callbacks *h2_callbacks(void)
{
    /* Built once; the library has no threads. */
    static nghttp2_session_callbacks *cbs;
    if (cbs)
        return cbs;
    if (nghttp2_session_callbacks_new(&cbs) != 0)
        return NULL;
    nghttp2_session_callbacks_set_send_callback(cbs, send_cb);
    nghttp2_session_callbacks_set_send_data_callback(cbs, send_data_cb);
    nghttp2_session_callbacks_set_on_begin_headers_callback(cbs, on_begin_headers);
    nghttp2_session_callbacks_set_on_header_callback(cbs, on_header);
    nghttp2_session_callbacks_set_on_data_chunk_recv_callback(cbs, on_data_chunk);
    nghttp2_session_callbacks_set_on_frame_recv_callback(cbs, on_frame_recv);
    nghttp2_session_callbacks_set_on_frame_send_callback(cbs, on_frame_send);
    nghttp2_session_callbacks_set_error_callback2(cbs, on_h2_error);
    nghttp2_session_callbacks_set_on_frame_not_send_callback(cbs, on_frame_not_send);
    nghttp2_session_callbacks_set_on_stream_close_callback(cbs, on_stream_close);
    return cbs;
}

static int conn_session_new(mv_conn *conn)
{
    nghttp2_settings_entry iv[] = {
        {NGHTTP2_SETTINGS_ENABLE_PUSH, 0},
        {NGHTTP2_SETTINGS_INITIAL_WINDOW_SIZE, MV_STREAM_WINDOW},
        {NGHTTP2_SETTINGS_MAX_HEADER_LIST_SIZE, MV_MAX_HEADER_LIST},
        /* Fewer, larger DATA frames from servers that honour it. */
        {NGHTTP2_SETTINGS_MAX_FRAME_SIZE, 1 << 20},
        /* No RFC 7540 priority tree (gRPC does not use it): nghttp2 then
         * schedules streams without maintaining the dependency tree. */
        {NGHTTP2_SETTINGS_NO_RFC7540_PRIORITIES, 1},
    };
    nghttp2_session_callbacks *cbs = h2_callbacks();
    nghttp2_option *opt = NULL;
    int rv;
    if (!cbs || nghttp2_option_new(&opt) != 0)
        return -1;
    if (!conn->wbuf && !(conn->wbuf = evbuffer_new())) {
        nghttp2_option_del(opt);
        return -1;
    }
    /* Unlimited until the server's SETTINGS say otherwise; our own
     * queue keeps the count within the server's limit afterwards. */
    nghttp2_option_set_peer_max_concurrent_streams(opt, 100);
    /* A client has no use for the state of closed streams. */
    nghttp2_option_set_no_closed_streams(opt, 1);
    /* Limits of transport.h that nghttp2 enforces: answers owed to the
     * server (PING and SETTINGS ACKs not yet framed), entries per SETTINGS
     * frame, and no pushed streams reserved (push is off: a PUSH_PROMISE
     * is a connection error). */
    nghttp2_option_set_max_outbound_ack(opt, MV_MAX_UNANSWERED);
    nghttp2_option_set_max_settings(opt, MV_MAX_SETTINGS_ENTRIES);
    nghttp2_option_set_max_reserved_remote_streams(opt, 0);
    /* Stream state from the channel's pool (see mv_pool_alloc). */
    rv = nghttp2_session_client_new3(&conn->h2, cbs, conn, opt, &conn->t->h2mem);
    nghttp2_option_del(opt);
    if (rv != 0)
        return -1;
    if (nghttp2_submit_settings(conn->h2, NGHTTP2_FLAG_NONE, iv, sizeof(iv) / sizeof(iv[0])) ||
        nghttp2_session_set_local_window_size(conn->h2, NGHTTP2_FLAG_NONE, 0, MV_CONN_WINDOW)) {
        nghttp2_session_del(conn->h2);
        conn->h2 = NULL;
        return -1;
    }
    return 0;
}

/* ---- I/O ---- */

/* Hands the frames of one flush to the socket.  Plaintext: written right
 * away when nothing is queued before them, so the bufferevent only gets
 * (and only polls for writability for) what the socket did not take;
 * that saves two epoll_ctl calls per request-response cycle. */
static int conn_write_out(mv_conn *conn)
{
    struct evbuffer *out = bufferevent_get_output(conn->bev);
    evutil_socket_t fd;
    if (!conn->ssl && evbuffer_get_length(out) == 0 &&
        (fd = bufferevent_getfd(conn->bev)) >= 0) {
        /* Errors (EAGAIN, a reset) leave the bytes in wbuf: the
         * bufferevent then retries or reports them through event_cb. */
        while (evbuffer_get_length(conn->wbuf) > 0 && evbuffer_write(conn->wbuf, fd) > 0)
            ;
        if (evbuffer_get_length(conn->wbuf) == 0)
            return 0;
    }
    return evbuffer_add_buffer(out, conn->wbuf);
}

void mv_conn_flush(mv_conn *conn)
{
    int rv;
    conn->want_flush = 0;
    conn->unflushed = 0;
    if (!conn->h2)
        return;
    do {
        conn->tx_blocked = 0;
        /* A peer that does not read could otherwise make the output grow
         * without end with the answers it asks for: past MV_MAX_OUTPUT
         * nothing is framed until write_cb sees it drained.  The answers
         * then wait in nghttp2, which counts them (MV_MAX_UNANSWERED). */
        conn->tx_full =
            conn->bev && evbuffer_get_length(bufferevent_get_output(conn->bev)) >= MV_MAX_OUTPUT;
        if (conn->tx_full) {
            rv = 0;
            break;
        }
        rv = nghttp2_session_send(conn->h2);
        if (conn->bev && evbuffer_get_length(conn->wbuf) > 0 && conn_write_out(conn) != 0 &&
            rv == 0)
            rv = NGHTTP2_ERR_CALLBACK_FAILURE;
        /* a blocked frame goes on at once when the socket took it all,
         * otherwise from write_cb once the output has drained */
    } while (rv == 0 && conn->tx_blocked && conn->bev &&
             evbuffer_get_length(bufferevent_get_output(conn->bev)) <= MV_TX_LOW);
    if (rv != 0) {
        char msg[160];
        set_text(msg, sizeof(msg), "HTTP/2 send failed: %s", nghttp2_strerror(rv));
        mv_conn_close(conn, MILVUS_ERR_DISCONNECTED, msg);
        return;
    }
    conn_after_io(conn);
}

/* Acts on what nghttp2 callbacks flagged, and closes a drained or dead
 * connection. */
static void conn_after_io(mv_conn *conn)
{
    if (!conn->h2)
        return;
    if (conn->fatal) {
        char msg[sizeof(conn->fatal_msg)];
        memcpy(msg, conn->fatal_msg, sizeof(msg));
        if (conn->calm) {
            /* Best effort: the GOAWAY that says why leaves if the socket
             * takes it now (a peer that does not read never gets it). */
            if (nghttp2_session_send(conn->h2) == 0 && conn->bev &&
                evbuffer_get_length(conn->wbuf) > 0)
                conn_write_out(conn);
        }
        mv_conn_close(conn, conn->fatal_status, msg);
        return;
    }
    if (conn->state == MV_CONN_DRAINING && conn->nactive == 0) {
        mv_conn_close(conn, MILVUS_ERR_DISCONNECTED, "connection drained");
        return;
    }
    if (!nghttp2_session_want_read(conn->h2) && !nghttp2_session_want_write(conn->h2))
        mv_conn_close(conn, MILVUS_ERR_DISCONNECTED, "HTTP/2 session ended");
}

static const char calm_continuations[] =
    "the server sent a header block of more than " MV_STR(MV_MAX_CONTINUATIONS)
    " CONTINUATION frames";
static const char calm_settings[] =
    "the server sent more than " MV_STR(MV_MAX_SETTINGS_PER_SEC) " SETTINGS frames in one second";
static const char calm_unanswered[] =
    "the server sent more than " MV_STR(MV_MAX_UNANSWERED)
    " PING and SETTINGS frames without reading the answers";

/* Follows the frame headers of the server's bytes ahead of nghttp2 and
 * counts what transport.h limits whatever nghttp2 does with the frames (it
 * skips the CONTINUATION frames of a header block it ignores without
 * counting them before 1.61).  Returns how many of the len bytes may go to
 * nghttp2: all of them, or those before the frame that went past a limit
 * (*why then says which). */
static size_t rx_police(mv_conn *conn, const uint8_t *p, size_t len, const char **why)
{
    size_t i = 0;
    while (i < len) {
        size_t at, n;
        uint8_t type, flags;
        if (conn->rx_skip > 0) {
            n = len - i < conn->rx_skip ? len - i : conn->rx_skip;
            conn->rx_skip -= n;
            i += n;
            continue;
        }
        at = conn->rx_fh_have ? 0 : i; /* where this frame starts in p */
        n = sizeof(conn->rx_fh) - conn->rx_fh_have;
        if (n > len - i)
            n = len - i;
        memcpy(conn->rx_fh + conn->rx_fh_have, p + i, n);
        conn->rx_fh_have += n;
        i += n;
        if (conn->rx_fh_have < sizeof(conn->rx_fh))
            break;
        conn->rx_fh_have = 0;
        type = conn->rx_fh[3];
        flags = conn->rx_fh[4];
        switch (type) {
        case NGHTTP2_HEADERS:
        case NGHTTP2_PUSH_PROMISE:
            conn->rx_cont = (flags & NGHTTP2_FLAG_END_HEADERS) ? -1 : 0;
            break;
        case NGHTTP2_CONTINUATION:
            if (conn->rx_cont >= 0 && ++conn->rx_cont > MV_MAX_CONTINUATIONS) {
                *why = calm_continuations;
                return at;
            }
            if (flags & NGHTTP2_FLAG_END_HEADERS)
                conn->rx_cont = -1;
            break;
        case NGHTTP2_SETTINGS:
            if (!(flags & NGHTTP2_FLAG_ACK)) {
                int64_t now = mv_now_us();
                if (now - conn->rx_settings_us >= 1000000) {
                    conn->rx_settings_us = now;
                    conn->rx_settings = 0;
                }
                if (++conn->rx_settings > MV_MAX_SETTINGS_PER_SEC) {
                    *why = calm_settings;
                    return at;
                }
            }
            break;
        default:
            break;
        }
        conn->rx_skip = (size_t)conn->rx_fh[0] << 16 | (size_t)conn->rx_fh[1] << 8 |
                        conn->rx_fh[2];
    }
    return len;
}

static int conn_recv(mv_conn *conn, const uint8_t *data, size_t len)
{
    const char *why = NULL;
    size_t ok;
    ssize_t rv = 0;
    if (conn->calm)
        return -1;
    ok = rx_police(conn, data, len, &why);
    if (ok > 0)
        rv = nghttp2_session_mem_recv(conn->h2, data, ok);
    if (rv == NGHTTP2_ERR_FLOODED) {
        conn_calm(conn, calm_unanswered);
        return -1;
    }
    if (rv == NGHTTP2_ERR_NOMEM) {
        conn_set_fatal(conn, MILVUS_ERR_NOMEM, "out of memory decoding HTTP/2");
        return -1;
    }
    if (rv < 0) {
        char msg[sizeof(conn->fatal_msg)];
        set_text(msg, sizeof(msg), "HTTP/2 protocol error from the server: %s",
                 nghttp2_strerror((int)rv));
        conn_set_fatal(conn, MILVUS_ERR_PROTOCOL, msg);
        return -1;
    }
    if (why && !conn->fatal) {
        conn_calm(conn, why);
        return -1;
    }
    return 0;
}

/* The output drained to MV_TX_LOW: frame more of a blocked request. */
static void write_cb(struct bufferevent *bev, void *arg)
{
    mv_conn *conn = arg;
    (void)bev;
    if (conn->tx_blocked || conn->tx_full)
        mv_conn_flush(conn);
}

/* ---- receive low-water mark ----
 *
 * A large response written by a sender on another CPU arrives a few KiB at
 * a time: the reader drains the socket as fast as it fills, and every such
 * piece costs a wake (epoll_wait, libevent's FIONREAD, readv).  While the
 * stream that last got DATA still expects at least MV_RX_MARK_MIN bytes of
 * its current message, the socket's SO_RCVLOWAT is raised so that epoll
 * reports it readable only once that much (at most MV_RX_MARK_MAX) is
 * queued: one wake per chunk instead of one per few KiB.
 *
 * Safety: the mark never exceeds what the peer sends anyway without
 * hearing from us: the payload still due of the current message (frame
 * headers, padding and other streams only add bytes) and what is left of
 * the stream and connection flow-control windows (a WINDOW_UPDATE nghttp2
 * has queued leaves with the work event, before the loop polls again).
 * The peer may still send less than announced (RST_STREAM, GOAWAY, an
 * error trailer, or a stall that leaves a PING or another stream's reply
 * waiting): a timer drops the mark after MV_RX_MARK_WAIT_MS without a
 * read, and the mark comes back only once MV_RX_MARK_MAX bytes arrived
 * within one such delay, so a slow sender does not delay other frames
 * again and again.  Linux also reports the socket readable under memory
 * pressure or with its receive window nearly closed, whatever the mark.
 */
#define MV_RX_MARK_KEEP (8 << 10) /* a raised mark follows the tail down to this */

static void rx_mark_set(mv_conn *conn, int mark)
{
    evutil_socket_t fd = bufferevent_getfd(conn->bev);
    if (fd < 0 || setsockopt(fd, SOL_SOCKET, SO_RCVLOWAT, &mark, sizeof(mark)) != 0) {
        /* not supported here: never tried again on this socket */
        conn->rx_mark_off = 1;
        return;
    }
    conn->rx_mark = mark;
}

/* The mark that fits now: 1 (none) unless a large message is arriving. */
static int rx_mark_wanted(mv_conn *conn)
{
    nghttp2_session *h2 = conn->h2;
    int32_t sid = conn->rx_sid, lw, clw, rl, crl;
    int64_t due;
    mv_stream *s;
    if (conn->rx_mark_off || conn->memory || !conn->bev || !h2 || sid <= 0)
        return 1;
    s = nghttp2_session_get_stream_user_data(h2, sid);
    if (!s)
        return 1;
    due = (int64_t)conn->t->cbs->rx_due(s->user);
    lw = nghttp2_session_get_stream_effective_local_window_size(h2, sid);
    rl = nghttp2_session_get_stream_effective_recv_data_length(h2, sid);
    clw = nghttp2_session_get_effective_local_window_size(h2);
    crl = nghttp2_session_get_effective_recv_data_length(h2);
    if (lw < 0 || rl < 0 || clw < 0 || crl < 0)
        return 1;
    if ((int64_t)lw - rl < due)
        due = (int64_t)lw - rl;
    if ((int64_t)clw - crl < due)
        due = (int64_t)clw - crl;
    if (conn->ssl)
        due -= MV_RX_MARK_TLS_SLACK;
    if (due < (conn->rx_mark > 1 ? MV_RX_MARK_KEEP : MV_RX_MARK_MIN))
        return 1;
    return due > MV_RX_MARK_MAX ? MV_RX_MARK_MAX : (int)due;
}

/* After a fallback the mark comes back only when the data flows fast
 * enough to fill it within the fallback delay. */
static int rx_mark_flowing(mv_conn *conn, int64_t now)
{
    if (conn->rx_stall_us == 0)
        return 1;
    if (conn->rx_bytes - conn->rx_stall_bytes >= MV_RX_MARK_MAX) {
        conn->rx_stall_us = 0;
        return 1;
    }
    if (now - conn->rx_stall_us > MV_RX_MARK_WAIT_MS * 1000) {
        conn->rx_stall_us = now;
        conn->rx_stall_bytes = conn->rx_bytes;
    }
    return 0;
}

static void rx_mark_timeout(evutil_socket_t fd, short what, void *arg)
{
    mv_conn *conn = arg;
    (void)fd;
    (void)what;
    if (!conn->bev || conn->rx_mark <= 1)
        return;
    conn->rx_stall_us = mv_now_us();
    conn->rx_stall_bytes = conn->rx_bytes;
    rx_mark_set(conn, 1);
}

/* After a read: raises, adjusts or drops the mark (one setsockopt per
 * change, a few per large message). */
static void rx_mark_update(mv_conn *conn)
{
    int mark = rx_mark_wanted(conn);
    if (mark > 1 && !rx_mark_flowing(conn, conn->last_read_us))
        mark = 1;
    if (mark > 1) {
        struct timeval tv = {0, MV_RX_MARK_WAIT_MS * 1000};
        evtimer_add(&conn->rx_mark_ev, &tv);
    } else if (conn->rx_mark > 1) {
        evtimer_del(&conn->rx_mark_ev);
    }
    if (mark != conn->rx_mark)
        rx_mark_set(conn, mark);
}

/* libevent 2.1 reads at most 4 KiB per read callback (its
 * EVBUFFER_MAX_READ, whatever bufferevent_set_max_single_read says), so a
 * large response would cost a loop iteration (epoll_wait, FIONREAD, readv)
 * per 4 KiB.  When libevent's read came back full, a plain socket is
 * drained here directly, MV_RX_PULL bytes per recv, up to MV_RX_BUDGET per
 * callback: then the loop runs again and the WINDOW_UPDATEs for what was
 * read go out before more is read. */
#define MV_RX_LIBEVENT_READ 4096
#define MV_RX_PULL (256 << 10)
#define MV_RX_BUDGET (1 << 20)

/* Feeds nghttp2 what libevent read, straight from the evbuffer chunks (no
 * pullup copy). */
static void rx_feed_input(mv_conn *conn, struct evbuffer *in)
{
    struct evbuffer_iovec vec[16];
    int n, i;
    while (conn->h2 && !conn->fatal && evbuffer_get_length(in) > 0) {
        size_t total = 0;
        n = evbuffer_peek(in, -1, NULL, vec, 16);
        if (n > 16)
            n = 16;
        for (i = 0; i < n && !conn->fatal; i++) {
            if (conn_recv(conn, vec[i].iov_base, vec[i].iov_len) != 0)
                break;
            total += vec[i].iov_len;
        }
        if (conn->fatal)
            break;
        evbuffer_drain(in, total);
    }
}

/* Reads up to want bytes straight from a plain socket and feeds them to
 * nghttp2.  Returns the count; 0 when nothing is there, at EOF (libevent
 * sees it at its next read and reports it) or without memory (libevent's
 * reads go on); -1 on a socket error, the connection then marked failed
 * (the error is consumed by this read: libevent would not see it). */
static ssize_t rx_pull(mv_conn *conn, size_t want)
{
    evutil_socket_t fd = bufferevent_getfd(conn->bev);
    ssize_t r;
    if (fd < 0 || (!conn->rx_buf && !(conn->rx_buf = malloc(MV_RX_PULL))))
        return 0;
    do {
        r = recv(fd, conn->rx_buf, want, 0);
    } while (r < 0 && errno == EINTR);
    if (r < 0) {
        char msg[160];
        if (errno == EAGAIN || errno == EWOULDBLOCK)
            return 0;
        set_text(msg, sizeof(msg), "connection error: %s", evutil_socket_error_to_string(errno));
        conn_set_fatal(conn, MILVUS_ERR_DISCONNECTED, msg);
        return -1;
    }
    conn->rx_bytes += (uint64_t)r;
    if (r > 0)
        conn_recv(conn, conn->rx_buf, (size_t)r);
    return r;
}

static void read_cb(struct bufferevent *bev, void *arg)
{
    mv_conn *conn = arg;
    struct evbuffer *in = bufferevent_get_input(bev);
    size_t got = evbuffer_get_length(in), budget = MV_RX_BUDGET;
    conn->last_read_us = mv_now_us();
    conn->rx_bytes += got;
    rx_feed_input(conn, in);
    /* a short read by libevent drained the socket: no extra recv then */
    while (got >= MV_RX_LIBEVENT_READ && budget > 0 && !conn->ssl && conn->h2 &&
           !conn->fatal) {
        size_t want = budget < MV_RX_PULL ? budget : MV_RX_PULL;
        ssize_t r = rx_pull(conn, want);
        if (r < (ssize_t)want)
            break; /* drained (or failed): no recv just for EAGAIN */
        budget -= want;
    }
    if (!conn->h2)
        return;
    if (conn->fatal) {
        conn_after_io(conn);
        return;
    }
    /* What nghttp2 has to answer (WINDOW_UPDATE, PING and SETTINGS ACKs)
     * goes out with the requests of the work event, in the same loop
     * iteration: one write per cycle instead of two. */
    conn->want_flush = 1;
    rx_mark_update(conn);
    conn_after_io(conn);
    conn_wake(conn->t);
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
            set_text(conn->err, sizeof(conn->err),
                     "TLS: the server did not select HTTP/2 with ALPN (selected: %.*s)",
                     alpn_len ? (int)alpn_len : 4, alpn_len ? (const char *)alpn : "none");
            mv_conn_cleanup(conn);
            conn_connect_failed(conn, MILVUS_ERR_TLS);
            return;
        }
    }
    if (conn_session_new(conn) != 0) {
        set_text(conn->err, sizeof(conn->err), "out of memory creating the HTTP/2 session");
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
    bufferevent_setcb(conn->bev, read_cb, write_cb, event_cb, conn);
    bufferevent_setwatermark(conn->bev, EV_WRITE, MV_TX_LOW, 0);
    bufferevent_enable(conn->bev, EV_READ | EV_WRITE);
    mv_conn_flush(conn);
    conn_wake(t);
}

static void tls_error_text(mv_conn *conn, char *buf, size_t len)
{
    unsigned long e = bufferevent_get_openssl_error(conn->bev);
    long vr = SSL_get_verify_result(conn->ssl);
    char estr[256]; /* what OpenSSL asks for, not cut */
    if (vr != X509_V_OK) {
        set_text(buf, len, "TLS: certificate verification failed: %s",
                 X509_verify_cert_error_string(vr));
        return;
    }
    if (e) {
        ERR_error_string_n(e, estr, sizeof(estr));
        set_text(buf, len, "TLS handshake failed: %s", estr);
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
        set_text(conn->err, sizeof(conn->err), "cannot connect to %s: %s", addr,
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
            set_text(msg, sizeof(msg), "TLS: %s", estr);
            mv_conn_close(conn, MILVUS_ERR_TLS, msg);
            conn_wake(conn->t);
            return;
        }
        {
            /* After a GOAWAY, what it said is why the connection ended. */
            char ga[200] = "";
            if (conn->goaway)
                goaway_text(conn, ga, sizeof(ga));
            if (what & BEV_EVENT_EOF)
                set_text(msg, sizeof(msg), "connection closed by the server%s%s",
                         ga[0] ? " after " : "", ga);
            else
                set_text(msg, sizeof(msg), "connection error: %s%s%s",
                         evutil_socket_error_to_string(EVUTIL_SOCKET_ERROR()),
                         ga[0] ? " after " : "", ga);
        }
        mv_conn_close(conn, MILVUS_ERR_DISCONNECTED, msg);
        conn_wake(conn->t);
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
                set_text(conn->err, sizeof(conn->err), "TLS: cannot create the TLS session");
                mv_conn_cleanup(conn);
                conn_connect_failed(conn, MILVUS_ERR_TLS);
                return;
            }
            conn->bev = bufferevent_openssl_socket_new(
                t->base, -1, ssl, BUFFEREVENT_SSL_CONNECTING,
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
            set_text(conn->err, sizeof(conn->err), "out of memory");
            mv_conn_cleanup(conn);
            conn_connect_failed(conn, MILVUS_ERR_NOMEM);
            return;
        }
        bufferevent_setcb(conn->bev, NULL, NULL, event_cb, conn);
        conn->state = MV_CONN_CONNECTING;
        if (bufferevent_socket_connect(conn->bev, ai->ai_addr, (int)ai->ai_addrlen) == 0)
            return; /* event_cb reports the outcome */
        {
            char addr[80] = "";
            format_addr(ai->ai_addr, addr, sizeof(addr));
            set_text(conn->err, sizeof(conn->err), "cannot connect to %s: %s", addr,
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
        set_text(conn->err, sizeof(conn->err), "cannot resolve %s: %s", conn->t->opts->host,
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
    set_text(conn->err, sizeof(conn->err), "%s %s:%d timed out after %lld ms",
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
        set_text(conn->err, sizeof(conn->err), "cannot create the DNS resolver");
        mv_conn_cleanup(conn);
        conn_connect_failed(conn, MILVUS_ERR_RESOLVE);
        return 0;
    }
    {
        struct mv_dns_ctx *dc = malloc(sizeof(*dc));
        struct evdns_getaddrinfo_request *req;
        if (!dc) {
            set_text(conn->err, sizeof(conn->err), "out of memory");
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
        conn_end_stream(conn, s, s->headers_sent ? MV_STREAM_FAILED : MV_STREAM_UNPROCESSED,
                        status, code, msg);
    }
    mv_conn_cleanup(conn);
    conn_wake(t);
}

/* nghttp2 copies every header name and value unless told they outlive
 * the HEADERS frame: true for the literals of the wire layer and for the
 * channel's own strings (the channel outlives its sessions). */
static int hdr_static(const mv_hdr_list *hl, const char *p)
{
    uintptr_t a = (uintptr_t)hl->arena, x = (uintptr_t)p;
    return x < a || x >= a + hl->arena_cap;
}

static void nv_set(nghttp2_nv *nv, const mv_hdr_list *hl, const mv_hdr *h, const char *stable)
{
    nv->name = (uint8_t *)h->name;
    nv->namelen = h->name_len;
    nv->value = (uint8_t *)h->value;
    nv->valuelen = h->value_len;
    nv->flags = hdr_static(hl, h->name) ? NGHTTP2_NV_FLAG_NO_COPY_NAME : NGHTTP2_NV_FLAG_NONE;
    if (stable && strlen(stable) == h->value_len) {
        nv->value = (uint8_t *)stable;
        nv->flags |= NGHTTP2_NV_FLAG_NO_COPY_VALUE;
    } else if (hdr_static(hl, h->value)) {
        nv->flags |= NGHTTP2_NV_FLAG_NO_COPY_VALUE;
    }
}

int mv_conn_submit(mv_conn *conn, mv_stream *s, const mv_stream_req *r)
{
    mv_transport *t = conn->t;
    mv_hdr_list *hl = &t->hdrs;
    nghttp2_nv nvbuf[24], *nva = nvbuf;
    nghttp2_data_provider prd;
    int64_t timeout_ns = -1;
    char prev[16];
    size_t i, n;
    int32_t sid;
    int rc = -1;

    if (r->deadline_us) {
        timeout_ns = (r->deadline_us - mv_now_us()) * 1000;
        if (timeout_ns <= 0)
            timeout_ns = 1;
    }
    /* The list is the transport's, reused: no allocation per call. */
    if (mv_request_headers(hl, t->ssl_ctx != NULL, t->authority, r->path, timeout_ns,
                           t->user_agent, r->md_static, r->md_call) != 0)
        return -1;
    n = hl->n + 1;
    if (n > sizeof(nvbuf) / sizeof(nvbuf[0])) {
        nva = malloc(n * sizeof(*nva));
        if (!nva)
            return -1;
    }
    for (i = 0; i < hl->n; i++) {
        const mv_hdr *h = &hl->v[i];
        const char *stable = NULL;
        if (h->name_len == 5 && memcmp(h->name, ":path", 5) == 0)
            stable = r->path_stable ? r->path : NULL;
        else if (h->name_len == 10 && memcmp(h->name, ":authority", 10) == 0)
            stable = t->authority;
        else if (h->name_len == 10 && memcmp(h->name, "user-agent", 10) == 0)
            stable = t->user_agent;
        nv_set(&nva[i], hl, h, stable);
    }
    n = hl->n;
    if (r->previous_attempts > 0) {
        /* gRFC A6: tell the server this is a retry. */
        int len = snprintf(prev, sizeof(prev), "%d", r->previous_attempts);
        nva[n].name = (uint8_t *)"grpc-previous-rpc-attempts";
        nva[n].namelen = 26;
        nva[n].value = (uint8_t *)prev;
        nva[n].valuelen = (size_t)len;
        nva[n].flags = NGHTTP2_NV_FLAG_NO_COPY_NAME;
        n++;
    }
    s->req = r->req;
    s->req_len = r->req_len;
    s->rb = r->rb;
    prd.source.ptr = s;
    prd.read_callback = data_read_cb;
    sid = nghttp2_submit_request(conn->h2, NULL, nva, n, &prd, s);
    if (sid < 0)
        goto out;
    s->id = sid;
    conn_link(conn, s);
    s->tx_counted = 1;
    conn->tx_pending++;
    conn->want_flush = 1;
    conn->unflushed++;
    if (!conn->sent_first_request) {
        /* cmux ignores PINGs before the first HEADERS: keepalive starts
         * with the first request. */
        conn->sent_first_request = 1;
        conn->last_read_us = mv_now_us();
        ka_start(conn);
    }
    rc = 0;
out:
    if (nva != nvbuf)
        free(nva);
    return rc;
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
    if (conn_session_new(conn) != 0) {
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
    conn_recv(conn, data, len);
    if (conn->fatal) {
        conn_after_io(conn);
        return -1;
    }
    mv_conn_flush(conn);
    conn_wake(t);
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
    evtimer_assign(&conn->rx_mark_ev, t->base, rx_mark_timeout, conn);
    conn->rx_mark = 1;
    conn->rx_cont = -1;
}
