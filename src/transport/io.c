/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A connection's socket I/O: the output path (flushing the session to
 * the socket, never with SIGPIPE), the policing of the server's frames ahead of nghttp2
 * (the limits of transport.h), the receive low-water mark and reads.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>

#include "common/util.h"
#include "transport/conn_internal.h"
#include "transport/transport.h"

/* ---- I/O ---- */

/* Output, plaintext: the library writes the socket itself, with
 * sendmsg(MSG_NOSIGNAL): libevent's writev() would raise SIGPIPE when the
 * server closed first, and the library leaves the signal disposition to
 * the program.  conn->out holds what the socket did not take, tx_ev
 * (EV_WRITE) is pending while it is not empty.  A write error is the lost
 * connection (the connection is failed with the text event_cb would
 * give).  TLS: the bufferevent writes, through the SSL's own socket BIO,
 * which sends with MSG_NOSIGNAL too (tls.c). */
#define MV_TX_IOV 64

size_t mv_conn_out_len(const mv_conn *conn)
{
    if (!conn->bev)
        return 0;
    if (conn->ssl)
        return evbuffer_get_length(bufferevent_get_output(conn->bev));
    return conn->out ? evbuffer_get_length(conn->out) : 0;
}

/* Writes what the socket takes of buf (drained as written, which releases
 * the references of zero-copy DATA frames).  0 when done or the socket is
 * full; -1 on a write error, errno set. */
static int tx_send(mv_conn *conn, struct evbuffer *buf)
{
    evutil_socket_t fd = bufferevent_getfd(conn->bev);
    struct evbuffer_iovec vec[MV_TX_IOV];
    struct iovec iov[MV_TX_IOV];
    if (fd < 0) {
        errno = EBADF;
        return -1;
    }
    while (evbuffer_get_length(buf) > 0) {
        struct msghdr msg;
        size_t total = 0;
        ssize_t r;
        int n = evbuffer_peek(buf, -1, NULL, vec, MV_TX_IOV), i;
        if (n > MV_TX_IOV)
            n = MV_TX_IOV;
        for (i = 0; i < n; i++) {
            iov[i].iov_base = vec[i].iov_base;
            iov[i].iov_len = vec[i].iov_len;
            total += vec[i].iov_len;
        }
        memset(&msg, 0, sizeof(msg));
        msg.msg_iov = iov;
        msg.msg_iovlen = (size_t)n;
        do {
            r = sendmsg(fd, &msg, MSG_NOSIGNAL);
        } while (r < 0 && errno == EINTR);
        if (r < 0)
            return errno == EAGAIN || errno == EWOULDBLOCK ? 0 : -1;
        evbuffer_drain(buf, (size_t)r);
        if ((size_t)r < total)
            return 0; /* the socket is full */
    }
    return 0;
}

/* A write failed with err: the connection is lost (closed by
 * mv_conn_after_io). */
static void tx_failed(mv_conn *conn, int err)
{
    char msg[sizeof(conn->fatal_msg)];
    mv_conn_lost_text(conn, 0, err, msg, sizeof(msg));
    mv_conn_set_fatal(conn, MILVUS_ERR_DISCONNECTED, msg);
}

/* Hands the frames of one flush to the socket.  Plaintext: written right
 * away when nothing is queued before them, so that only what the socket
 * did not take waits for writability (which saves two epoll_ctl calls per
 * request-response cycle).  -1 only without memory. */
static int conn_write_out(mv_conn *conn)
{
    if (conn->ssl)
        return evbuffer_add_buffer(bufferevent_get_output(conn->bev), conn->wbuf);
    if (evbuffer_get_length(conn->out) == 0 && tx_send(conn, conn->wbuf) != 0) {
        tx_failed(conn, errno);
        evbuffer_drain(conn->wbuf, evbuffer_get_length(conn->wbuf));
        return 0;
    }
    if (evbuffer_get_length(conn->wbuf) == 0)
        return 0;
    if (evbuffer_add_buffer(conn->out, conn->wbuf) != 0)
        return -1;
    if (event_add(&conn->tx_ev, NULL) != 0)
        return -1;
    return 0;
}

/* The socket is writable while output waits. */
void mv_conn_tx_cb(evutil_socket_t fd, short what, void *arg)
{
    mv_conn *conn = arg;
    (void)fd;
    (void)what;
    if (!conn->bev || conn->ssl)
        return;
    if (tx_send(conn, conn->out) != 0) {
        tx_failed(conn, errno);
        mv_conn_after_io(conn);
        mv_conn_wake(conn->t);
        return;
    }
    if (evbuffer_get_length(conn->out) == 0)
        event_del(&conn->tx_ev);
    /* drained to the low mark: frame more of a blocked request */
    if (evbuffer_get_length(conn->out) <= MV_TX_LOW && (conn->tx_blocked || conn->tx_full))
        mv_conn_flush(conn);
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
         * nothing is framed until the writer sees it drained.  The answers
         * then wait in nghttp2, which counts them (MV_MAX_UNANSWERED). */
        conn->tx_full = conn->bev && mv_conn_out_len(conn) >= MV_MAX_OUTPUT;
        if (conn->tx_full) {
            rv = 0;
            break;
        }
        rv = nghttp2_session_send(conn->h2);
        if (conn->bev && evbuffer_get_length(conn->wbuf) > 0 && conn_write_out(conn) != 0 &&
            rv == 0)
            rv = NGHTTP2_ERR_CALLBACK_FAILURE;
        /* a blocked frame goes on at once when the socket took it all,
         * otherwise from the writer once the output has drained */
    } while (rv == 0 && conn->tx_blocked && !conn->fatal && conn->bev &&
             mv_conn_out_len(conn) <= MV_TX_LOW);
    if (rv != 0) {
        char msg[160];
        mv_set_text(msg, sizeof(msg), "HTTP/2 send failed: %s", nghttp2_strerror(rv));
        mv_conn_close(conn, MILVUS_ERR_DISCONNECTED, msg);
        return;
    }
    mv_conn_after_io(conn);
}

/* Acts on what nghttp2 callbacks flagged, and closes a drained or dead
 * connection. */
void mv_conn_after_io(mv_conn *conn)
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

static const char calm_continuations[] = "the server sent a header block of more than " MV_STR(
    MV_MAX_CONTINUATIONS) " CONTINUATION frames";
static const char calm_settings[] =
    "the server sent more than " MV_STR(MV_MAX_SETTINGS_PER_SEC) " SETTINGS frames in one second";
static const char calm_unanswered[] = "the server sent more than " MV_STR(
    MV_MAX_UNANSWERED) " PING and SETTINGS frames without reading the answers";

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
        default: break;
        }
        conn->rx_skip = (size_t)conn->rx_fh[0] << 16 | (size_t)conn->rx_fh[1] << 8 | conn->rx_fh[2];
    }
    return len;
}

int mv_conn_recv(mv_conn *conn, const uint8_t *data, size_t len)
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
        mv_conn_calm(conn, calm_unanswered);
        return -1;
    }
    if (rv == NGHTTP2_ERR_NOMEM) {
        mv_conn_set_fatal(conn, MILVUS_ERR_NOMEM, "out of memory decoding HTTP/2");
        return -1;
    }
    if (rv < 0) {
        char msg[sizeof(conn->fatal_msg)];
        mv_set_text(msg, sizeof(msg), "HTTP/2 protocol error from the server: %s",
                    nghttp2_strerror((int)rv));
        mv_conn_set_fatal(conn, MILVUS_ERR_PROTOCOL, msg);
        return -1;
    }
    if (why && !conn->fatal) {
        mv_conn_calm(conn, why);
        return -1;
    }
    return 0;
}

/* TLS: the output drained to MV_TX_LOW: frame more of a blocked
 * request. */
void mv_conn_write_cb(struct bufferevent *bev, void *arg)
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

void mv_conn_rx_mark_timeout(evutil_socket_t fd, short what, void *arg)
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
            if (mv_conn_recv(conn, vec[i].iov_base, vec[i].iov_len) != 0)
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
        mv_set_text(msg, sizeof(msg), "connection error: %s", evutil_socket_error_to_string(errno));
        mv_conn_set_fatal(conn, MILVUS_ERR_DISCONNECTED, msg);
        return -1;
    }
    conn->rx_bytes += (uint64_t)r;
    if (r > 0)
        mv_conn_recv(conn, conn->rx_buf, (size_t)r);
    return r;
}

void mv_conn_read_cb(struct bufferevent *bev, void *arg)
{
    mv_conn *conn = arg;
    struct evbuffer *in = bufferevent_get_input(bev);
    size_t got = evbuffer_get_length(in), budget = MV_RX_BUDGET;
    conn->last_read_us = mv_now_us();
    conn->rx_bytes += got;
    rx_feed_input(conn, in);
    /* a short read by libevent drained the socket: no extra recv then */
    while (got >= MV_RX_LIBEVENT_READ && budget > 0 && !conn->ssl && conn->h2 && !conn->fatal) {
        size_t want = budget < MV_RX_PULL ? budget : MV_RX_PULL;
        ssize_t r = rx_pull(conn, want);
        if (r < (ssize_t)want)
            break; /* drained (or failed): no recv just for EAGAIN */
        budget -= want;
    }
    if (!conn->h2)
        return;
    if (conn->fatal) {
        mv_conn_after_io(conn);
        return;
    }
    /* What nghttp2 has to answer (WINDOW_UPDATE, PING and SETTINGS ACKs)
     * goes out with the requests of the work event, in the same loop
     * iteration: one write per cycle instead of two. */
    conn->want_flush = 1;
    rx_mark_update(conn);
    mv_conn_after_io(conn);
    mv_conn_wake(conn->t);
}
