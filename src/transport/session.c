/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A connection's nghttp2 client session: its callbacks, which turn frames
 * into the stream callbacks of the layer above, and request submission.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>

#include "common/util.h"
#include "transport/conn_internal.h"
#include "transport/transport.h"

/* ---- nghttp2 callbacks ---- */

static ssize_t send_cb(nghttp2_session *s, const uint8_t *data, size_t len, int flags, void *ud)
{
    mv_conn *conn = ud;
    (void)s;
    (void)flags;
    if (conn->memory || !conn->bev)
        return (ssize_t)len;
    /* Collected in wbuf and moved to the output after the whole
     * nghttp2_session_send (no copy, one output callback). */
    if (evbuffer_add(conn->wbuf, data, len) != 0)
        return NGHTTP2_ERR_CALLBACK_FAILURE;
    return (ssize_t)len;
}

/* A DATA frame packed with NGHTTP2_DATA_FLAG_NO_COPY: the 9-byte frame
 * header is copied, the payload is referenced in the request buffer,
 * which stays alive until the socket has written it. */
static int send_data_cb(nghttp2_session *s, nghttp2_frame *f, const uint8_t *framehd, size_t length,
                        nghttp2_data_source *src, void *ud)
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
        evbuffer_get_length(conn->wbuf) + mv_conn_out_len(conn) >= MV_TX_HIGH) {
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
    conn->t->cbs->on_headers_begin(s->user, !(f->headers.cat == NGHTTP2_HCAT_RESPONSE &&
                                              !(f->hd.flags & NGHTTP2_FLAG_END_STREAM)));
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
        mv_set_text(conn->goaway_debug, sizeof(conn->goaway_debug), "%s", raw);
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
    mv_conn_wake(t);
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
    case NGHTTP2_GOAWAY: on_goaway(conn, &f->goaway); return 0;
    case NGHTTP2_PING:
        if ((f->hd.flags & NGHTTP2_FLAG_ACK) && conn->ka_waiting) {
            /* The next PING is due one interval after this read. */
            conn->ka_waiting = 0;
            evtimer_del(&conn->ka_timer);
            mv_conn_ka_arm(conn, conn->t->keepalive_ms * 1000);
        }
        return 0;
    default: return 0;
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
        mv_set_text(conn->fatal_msg, sizeof(conn->fatal_msg), "%.*s", (int)len, msg);
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
            mv_set_text(why, sizeof(why), "%.*s", (int)f->goaway.opaque_data_len,
                        (const char *)f->goaway.opaque_data);
        if (f->goaway.error_code == NGHTTP2_ENHANCE_YOUR_CALM)
            mv_set_text(msg, sizeof(msg), "the server went past a limit of the client (%s%s%s)",
                        nghttp2_http2_strerror(f->goaway.error_code), why[0] ? ": " : "", why);
        else
            mv_set_text(msg, sizeof(msg), "the server does not speak HTTP/2 correctly (%s%s%s)",
                        nghttp2_http2_strerror(f->goaway.error_code), why[0] ? ": " : "", why);
        mv_conn_set_fatal(conn, MILVUS_ERR_PROTOCOL, msg);
        return 0;
    }
    if (f->hd.type == NGHTTP2_DATA) {
        if ((f->hd.flags & NGHTTP2_FLAG_END_STREAM) &&
            (s = nghttp2_session_get_stream_user_data(sess, f->hd.stream_id)) != NULL)
            mv_conn_tx_done(conn, s);
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
            mv_conn_goaway_text(conn, ga, sizeof(ga));
            mv_set_text(msg, sizeof(msg), "stream refused by the server (not processed): %s", ga);
        } else {
            mv_set_text(msg, sizeof(msg), "stream refused by the server (not processed)");
        }
        mv_conn_end_stream(conn, s, MV_STREAM_UNPROCESSED, MILVUS_ERR_DISCONNECTED,
                           MILVUS_GRPC_UNAVAILABLE, msg);
        return 0;
    }
    if (s->rst_recv) {
        snprintf(msg, sizeof(msg), "stream reset by the server with %s",
                 nghttp2_http2_strerror(s->rst_code));
        mv_conn_end_stream(conn, s, MV_STREAM_RESET, MILVUS_ERR_GRPC, 0, msg);
        return 0;
    }
    snprintf(msg, sizeof(msg), "stream closed by the HTTP/2 layer (%s)",
             nghttp2_http2_strerror(err));
    mv_conn_end_stream(conn, s, MV_STREAM_FAILED, MILVUS_ERR_PROTOCOL, MILVUS_GRPC_INTERNAL, msg);
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

int mv_conn_session_new(mv_conn *conn)
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
    if ((!conn->wbuf && !(conn->wbuf = evbuffer_new())) ||
        (!conn->out && !(conn->out = evbuffer_new()))) {
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
    if (mv_request_headers(hl, t->ssl_ctx != NULL, t->authority, r->path, timeout_ns, t->user_agent,
                           r->md_static, r->md_call) != 0)
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
    mv_conn_link(conn, s);
    s->tx_counted = 1;
    conn->tx_pending++;
    conn->want_flush = 1;
    conn->unflushed++;
    if (!conn->sent_first_request) {
        /* cmux ignores PINGs before the first HEADERS: keepalive starts
         * with the first request. */
        conn->sent_first_request = 1;
        conn->last_read_us = mv_now_us();
        mv_conn_ka_start(conn);
    }
    rc = 0;
out:
    if (nva != nvbuf)
        free(nva);
    return rc;
}
