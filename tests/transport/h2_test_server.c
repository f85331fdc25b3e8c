/* SPDX-License-Identifier: Apache-2.0 */
/* In-process HTTP/2 gRPC test server (see h2_test_server.h). */
#include "h2_test_server.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/bufferevent_ssl.h>
#include <event2/event.h>
#include <event2/listener.h>
#include <nghttp2/nghttp2.h>
#include <openssl/ssl.h>

struct h2ts_conn {
    h2ts *srv;
    int index;
    struct bufferevent *bev;
    nghttp2_session *h2;
    struct event *flush_ev;
    int nstreams, active;
    int closing;
    h2ts_conn *next;
};

struct h2ts {
    struct event_base *base;
    h2ts_config cfg;
    h2ts_handler handler;
    void *ctx;
    struct evconnlistener *lis;
    SSL_CTX *ssl_ctx;
    int port;
    int nconns;
    int max_active;
    int pings;
    int reqs_at_first_ping;
    h2ts_conn *conns;
    h2ts_req *reqs, *reqs_tail;
    int nreqs;
};

static char *xstrndup(const void *s, size_t n)
{
    char *p = malloc(n + 1);
    if (!p)
        abort();
    memcpy(p, s, n);
    p[n] = '\0';
    return p;
}

static void conn_free(h2ts_conn *c)
{
    h2ts *s = c->srv;
    h2ts_conn **pp;
    h2ts_req *r;
    for (r = s->reqs; r; r = r->next)
        if (r->conn == c) {
            r->conn = NULL;
            r->closed = 1;
        }
    for (pp = &s->conns; *pp; pp = &(*pp)->next)
        if (*pp == c) {
            *pp = c->next;
            break;
        }
    if (c->h2)
        nghttp2_session_del(c->h2);
    if (c->bev)
        bufferevent_free(c->bev);
    event_free(c->flush_ev);
    free(c);
}

static void conn_flush(h2ts_conn *c)
{
    if (!c->h2)
        return;
    if (nghttp2_session_send(c->h2) != 0) {
        conn_free(c);
        return;
    }
    if (!nghttp2_session_want_read(c->h2) && !nghttp2_session_want_write(c->h2)) {
        c->closing = 1;
        if (evbuffer_get_length(bufferevent_get_output(c->bev)) == 0)
            conn_free(c);
    }
}

static void flush_cb(evutil_socket_t fd, short what, void *arg)
{
    (void)fd;
    (void)what;
    conn_flush(arg);
}

static void schedule_flush(h2ts_conn *c)
{
    if (c)
        event_active(c->flush_ev, EV_TIMEOUT, 1);
}

static ssize_t send_cb(nghttp2_session *h, const uint8_t *d, size_t n, int f, void *ud)
{
    h2ts_conn *c = ud;
    (void)h;
    (void)f;
    bufferevent_write(c->bev, d, n);
    return (ssize_t)n;
}

static h2ts_req *req_of(h2ts_conn *c, int32_t sid)
{
    return nghttp2_session_get_stream_user_data(c->h2, sid);
}

static int on_begin_headers(nghttp2_session *h, const nghttp2_frame *f, void *ud)
{
    h2ts_conn *c = ud;
    h2ts *s = c->srv;
    h2ts_req *r;
    if (f->hd.type != NGHTTP2_HEADERS || f->headers.cat != NGHTTP2_HCAT_REQUEST)
        return 0;
    r = calloc(1, sizeof(*r));
    if (!r)
        abort();
    r->srv = s;
    r->conn = c;
    r->conn_index = c->index;
    r->stream_id = f->hd.stream_id;
    r->out = evbuffer_new();
    r->grpc_status = -1;
    if (s->reqs_tail)
        s->reqs_tail->next = r;
    else
        s->reqs = r;
    s->reqs_tail = r;
    s->nreqs++;
    c->nstreams++;
    c->active++;
    if (c->active > s->max_active)
        s->max_active = c->active;
    nghttp2_session_set_stream_user_data(h, f->hd.stream_id, r);
    if (s->cfg.goaway_after && c->nstreams == s->cfg.goaway_after) {
        nghttp2_submit_goaway(h, NGHTTP2_FLAG_NONE, f->hd.stream_id, NGHTTP2_NO_ERROR, NULL, 0);
        schedule_flush(c);
    }
    return 0;
}

static int on_header(nghttp2_session *h, const nghttp2_frame *f, const uint8_t *name, size_t nl,
                     const uint8_t *value, size_t vl, uint8_t flags, void *ud)
{
    h2ts_req *r = req_of(ud, f->hd.stream_id);
    (void)h;
    (void)flags;
    if (!r || r->nhdr >= H2TS_MAX_HDRS)
        return 0;
    r->hname[r->nhdr] = xstrndup(name, nl);
    r->hvalue[r->nhdr] = xstrndup(value, vl);
    r->nhdr++;
    return 0;
}

static int on_data(nghttp2_session *h, uint8_t flags, int32_t sid, const uint8_t *d, size_t n,
                   void *ud)
{
    h2ts_req *r = req_of(ud, sid);
    (void)h;
    (void)flags;
    if (!r)
        return 0;
    if (r->body_len + n > r->body_cap) {
        size_t cap = (r->body_len + n) * 2;
        r->body = realloc(r->body, cap);
        if (!r->body)
            abort();
        r->body_cap = cap;
    }
    memcpy(r->body + r->body_len, d, n);
    r->body_len += n;
    return 0;
}

static int on_frame_recv(nghttp2_session *h, const nghttp2_frame *f, void *ud)
{
    h2ts_conn *c = ud;
    h2ts_req *r;
    (void)h;
    if (f->hd.type == NGHTTP2_PING && !(f->hd.flags & NGHTTP2_FLAG_ACK)) {
        if (c->srv->pings++ == 0)
            c->srv->reqs_at_first_ping = c->srv->nreqs;
    }
    if (f->hd.type == NGHTTP2_RST_STREAM) {
        r = req_of(c, f->hd.stream_id);
        if (r) {
            r->rst_received = 1;
            r->rst_code = f->rst_stream.error_code;
        }
        return 0;
    }
    if (f->hd.type != NGHTTP2_HEADERS && f->hd.type != NGHTTP2_DATA)
        return 0;
    r = req_of(c, f->hd.stream_id);
    if (!r)
        return 0;
    if (f->hd.type == NGHTTP2_HEADERS && c->srv->cfg.handle_on_headers)
        c->srv->handler(r, c->srv->ctx);
    if (f->hd.flags & NGHTTP2_FLAG_END_STREAM) {
        r->complete = 1;
        if (!c->srv->cfg.handle_on_headers)
            c->srv->handler(r, c->srv->ctx);
    }
    return 0;
}

static int on_stream_close(nghttp2_session *h, int32_t sid, uint32_t err, void *ud)
{
    h2ts_conn *c = ud;
    h2ts_req *r = req_of(c, sid);
    (void)h;
    if (r) {
        r->closed = 1;
        r->close_error = err;
        r->conn = NULL;
        c->active--;
    }
    return 0;
}

static ssize_t data_cb(nghttp2_session *h, int32_t sid, uint8_t *buf, size_t len, uint32_t *flags,
                       nghttp2_data_source *src, void *ud)
{
    h2ts_req *r = src->ptr;
    size_t avail = evbuffer_get_length(r->out);
    (void)h;
    (void)sid;
    (void)ud;
    if (avail == 0) {
        if (!r->finishing)
            return NGHTTP2_ERR_DEFERRED;
        *flags |= NGHTTP2_DATA_FLAG_EOF;
        if (r->grpc_status >= 0) {
            nghttp2_nv nv[12];
            char st[16];
            int n = 0, i;
            snprintf(st, sizeof(st), "%d", r->grpc_status);
            *flags |= NGHTTP2_DATA_FLAG_NO_END_STREAM;
            nv[n++] = (nghttp2_nv){(uint8_t *)"grpc-status", (uint8_t *)st, 11, strlen(st), 0};
            if (r->grpc_message)
                nv[n++] = (nghttp2_nv){(uint8_t *)"grpc-message", (uint8_t *)r->grpc_message, 12,
                                       strlen(r->grpc_message), 0};
            for (i = 0; i < r->ntrail && n < 12; i++)
                nv[n++] = (nghttp2_nv){(uint8_t *)r->tname[i], (uint8_t *)r->tvalue[i],
                                       strlen(r->tname[i]), strlen(r->tvalue[i]), 0};
            nghttp2_submit_trailer(h, r->stream_id, nv, (size_t)n);
        }
        return 0;
    }
    if (len > avail)
        len = avail;
    /* The bytes are moved to the socket buffer in send_data_cb. */
    *flags |= NGHTTP2_DATA_FLAG_NO_COPY;
    (void)buf;
    return (ssize_t)len;
}

static int send_data_cb(nghttp2_session *h, nghttp2_frame *f, const uint8_t *framehd, size_t len,
                        nghttp2_data_source *src, void *ud)
{
    h2ts_conn *c = ud;
    h2ts_req *r = src->ptr;
    struct evbuffer *out = bufferevent_get_output(c->bev);
    (void)h;
    evbuffer_add(out, framehd, 9);
    if (f->data.padlen > 0)
        return NGHTTP2_ERR_CALLBACK_FAILURE; /* never padded: we set no padding */
    evbuffer_remove_buffer(r->out, out, len);
    return 0;
}

/* Large DATA frames when the client allows them. */
static ssize_t read_length_cb(nghttp2_session *h, uint8_t type, int32_t sid, int32_t swin,
                              int32_t cwin, uint32_t max_frame, void *ud)
{
    ssize_t n = swin < cwin ? swin : cwin;
    (void)h;
    (void)type;
    (void)sid;
    (void)ud;
    if (n > (ssize_t)max_frame)
        n = (ssize_t)max_frame;
    return n > 0 ? n : 1;
}

static void read_cb(struct bufferevent *bev, void *arg)
{
    h2ts_conn *c = arg;
    struct evbuffer *in = bufferevent_get_input(bev);
    size_t n = evbuffer_get_length(in);
    uint8_t *d = evbuffer_pullup(in, -1);
    if (nghttp2_session_mem_recv(c->h2, d, n) < 0) {
        conn_free(c);
        return;
    }
    evbuffer_drain(in, n);
    conn_flush(c);
}

static void write_cb(struct bufferevent *bev, void *arg)
{
    h2ts_conn *c = arg;
    if (c->closing && evbuffer_get_length(bufferevent_get_output(bev)) == 0)
        conn_free(c);
}

static void event_cb(struct bufferevent *bev, short what, void *arg)
{
    h2ts_conn *c = arg;
    (void)bev;
    if (what & BEV_EVENT_CONNECTED) {
        if (c->srv->ssl_ctx) {
            const unsigned char *p = NULL;
            unsigned int n = 0;
            SSL_get0_alpn_selected(bufferevent_openssl_get_ssl(bev), &p, &n);
            if (n != 2 || memcmp(p, "h2", 2) != 0) {
                /* Keep the connection open like an HTTP/1 server would. */
                return;
            }
        }
        return;
    }
    if (what & (BEV_EVENT_EOF | BEV_EVENT_ERROR))
        conn_free(c);
}

static int alpn_cb(SSL *ssl, const unsigned char **out, unsigned char *outlen,
                   const unsigned char *in, unsigned int inlen, void *arg)
{
    h2ts *s = arg;
    (void)ssl;
    if (s->cfg.tls_no_alpn)
        return SSL_TLSEXT_ERR_NOACK;
    if (nghttp2_select_next_protocol((unsigned char **)out, outlen, in, inlen) != 1)
        return SSL_TLSEXT_ERR_NOACK;
    return SSL_TLSEXT_ERR_OK;
}

static void accept_cb(struct evconnlistener *l, evutil_socket_t fd, struct sockaddr *sa, int sl,
                      void *arg)
{
    h2ts *s = arg;
    h2ts_conn *c = calloc(1, sizeof(*c));
    nghttp2_session_callbacks *cb;
    nghttp2_settings_entry iv[3];
    int niv = 0;
    (void)l;
    (void)sa;
    (void)sl;
    if (!c)
        abort();
    c->srv = s;
    c->index = s->nconns++;
    if (s->ssl_ctx) {
        SSL *ssl = SSL_new(s->ssl_ctx);
        c->bev = bufferevent_openssl_socket_new(s->base, fd, ssl, BUFFEREVENT_SSL_ACCEPTING,
                                                BEV_OPT_CLOSE_ON_FREE | BEV_OPT_DEFER_CALLBACKS);
        bufferevent_openssl_set_allow_dirty_shutdown(c->bev, 1);
    } else {
        c->bev = bufferevent_socket_new(s->base, fd, BEV_OPT_CLOSE_ON_FREE);
    }
    c->flush_ev = event_new(s->base, -1, 0, flush_cb, c);
    nghttp2_session_callbacks_new(&cb);
    nghttp2_session_callbacks_set_send_callback(cb, send_cb);
    nghttp2_session_callbacks_set_on_begin_headers_callback(cb, on_begin_headers);
    nghttp2_session_callbacks_set_on_header_callback(cb, on_header);
    nghttp2_session_callbacks_set_on_data_chunk_recv_callback(cb, on_data);
    nghttp2_session_callbacks_set_on_frame_recv_callback(cb, on_frame_recv);
    nghttp2_session_callbacks_set_on_stream_close_callback(cb, on_stream_close);
    nghttp2_session_callbacks_set_send_data_callback(cb, send_data_cb);
    nghttp2_session_callbacks_set_data_source_read_length_callback(cb, read_length_cb);
    {
        nghttp2_option *opt;
        nghttp2_option_new(&opt);
        if (s->cfg.no_ping_ack)
            nghttp2_option_set_no_auto_ping_ack(opt, 1);
        nghttp2_session_server_new2(&c->h2, cb, c, opt);
        nghttp2_option_del(opt);
    }
    nghttp2_session_callbacks_del(cb);
    if (s->cfg.max_concurrent_streams || s->cfg.zero_streams)
        iv[niv++] = (nghttp2_settings_entry){NGHTTP2_SETTINGS_MAX_CONCURRENT_STREAMS,
                                             s->cfg.max_concurrent_streams};
    if (!s->cfg.small_window)
        iv[niv++] = (nghttp2_settings_entry){NGHTTP2_SETTINGS_INITIAL_WINDOW_SIZE, 16 << 20};
    nghttp2_submit_settings(c->h2, NGHTTP2_FLAG_NONE, iv, (size_t)niv);
    if (!s->cfg.small_window)
        nghttp2_session_set_local_window_size(c->h2, NGHTTP2_FLAG_NONE, 0, 64 << 20);
    c->next = s->conns;
    s->conns = c;
    bufferevent_set_max_single_read(c->bev, 1 << 20);
    bufferevent_set_max_single_write(c->bev, 1 << 20);
    bufferevent_setcb(c->bev, read_cb, write_cb, event_cb, c);
    bufferevent_enable(c->bev, EV_READ | EV_WRITE);
    conn_flush(c);
}

h2ts *h2ts_new(struct event_base *base, const h2ts_config *cfg, h2ts_handler h, void *ctx)
{
    h2ts *s = calloc(1, sizeof(*s));
    struct sockaddr_in sin;
    socklen_t sl = sizeof(sin);
    if (!s)
        return NULL;
    s->base = base;
    if (cfg)
        s->cfg = *cfg;
    s->handler = h;
    s->ctx = ctx;
    if (s->cfg.tls_cert) {
        s->ssl_ctx = SSL_CTX_new(TLS_server_method());
        if (SSL_CTX_use_certificate_chain_file(s->ssl_ctx, s->cfg.tls_cert) != 1 ||
            SSL_CTX_use_PrivateKey_file(s->ssl_ctx, s->cfg.tls_key, SSL_FILETYPE_PEM) != 1) {
            SSL_CTX_free(s->ssl_ctx);
            free(s);
            return NULL;
        }
        SSL_CTX_set_alpn_select_cb(s->ssl_ctx, alpn_cb, s);
        if (s->cfg.tls_client_ca) {
            SSL_CTX_load_verify_locations(s->ssl_ctx, s->cfg.tls_client_ca, NULL);
            SSL_CTX_set_verify(s->ssl_ctx, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, NULL);
        }
    }
    memset(&sin, 0, sizeof(sin));
    sin.sin_family = AF_INET;
    sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    sin.sin_port = htons((uint16_t)s->cfg.port);
    s->lis = evconnlistener_new_bind(base, accept_cb, s, LEV_OPT_CLOSE_ON_FREE | LEV_OPT_REUSEABLE,
                                     64, (struct sockaddr *)&sin, sizeof(sin));
    if (!s->lis) {
        if (s->ssl_ctx)
            SSL_CTX_free(s->ssl_ctx);
        free(s);
        return NULL;
    }
    getsockname(evconnlistener_get_fd(s->lis), (struct sockaddr *)&sin, &sl);
    s->port = ntohs(sin.sin_port);
    return s;
}

void h2ts_free(h2ts *s)
{
    h2ts_req *r, *n;
    int i;
    if (!s)
        return;
    while (s->conns)
        conn_free(s->conns);
    evconnlistener_free(s->lis);
    for (r = s->reqs; r; r = n) {
        n = r->next;
        for (i = 0; i < r->nhdr; i++) {
            free(r->hname[i]);
            free(r->hvalue[i]);
        }
        for (i = 0; i < r->ntrail; i++) {
            free(r->tname[i]);
            free(r->tvalue[i]);
        }
        free(r->body);
        free(r->grpc_message);
        evbuffer_free(r->out);
        free(r);
    }
    if (s->ssl_ctx)
        SSL_CTX_free(s->ssl_ctx);
    free(s);
}

int h2ts_port(const h2ts *s)
{
    return s->port;
}
int h2ts_nconns(const h2ts *s)
{
    return s->nconns;
}
int h2ts_nrequests(const h2ts *s)
{
    return s->nreqs;
}
int h2ts_max_active(const h2ts *s)
{
    return s->max_active;
}
int h2ts_pings(const h2ts *s)
{
    return s->pings;
}
int h2ts_reqs_at_first_ping(const h2ts *s)
{
    return s->reqs_at_first_ping;
}

h2ts_req *h2ts_request(const h2ts *s, int i)
{
    h2ts_req *r = s->reqs;
    while (r && i-- > 0)
        r = r->next;
    return r;
}

const char *h2ts_req_header(const h2ts_req *r, const char *name)
{
    int i;
    for (i = 0; i < r->nhdr; i++)
        if (strcmp(r->hname[i], name) == 0)
            return r->hvalue[i];
    return NULL;
}

const uint8_t *h2ts_req_message(const h2ts_req *r, size_t *len)
{
    if (r->body_len < 5) {
        *len = 0;
        return NULL;
    }
    *len = r->body_len - 5;
    return r->body + 5;
}

static void submit_headers(h2ts_req *r, nghttp2_nv *nv, size_t n)
{
    nghttp2_data_provider prd;
    prd.source.ptr = r;
    prd.read_callback = data_cb;
    r->response_started = 1;
    if (r->conn)
        nghttp2_submit_response(r->conn->h2, r->stream_id, nv, n, &prd);
    schedule_flush(r->conn);
}

#define NV(n, v) ((nghttp2_nv){(uint8_t *)(n), (uint8_t *)(v), strlen(n), strlen(v), 0})

void h2ts_send_headers(h2ts_req *r, const char *const *extra)
{
    nghttp2_nv nv[64];
    size_t n = 0;
    int i;
    if (!r->conn || r->response_started)
        return;
    nv[n++] = NV(":status", "200");
    nv[n++] = NV("content-type", "application/grpc");
    for (i = 0; i < r->nhdr && n < 40; i++)
        if (strncmp(r->hname[i], "x-", 2) == 0)
            nv[n++] = NV(r->hname[i], r->hvalue[i]);
    for (i = 0; extra && extra[i] && n < 62; i += 2)
        nv[n++] = NV(extra[i], extra[i + 1]);
    submit_headers(r, nv, n);
}

void h2ts_send_headers_raw(h2ts_req *r, int http_status, const char *content_type)
{
    nghttp2_nv nv[2];
    char st[8];
    size_t n = 0;
    if (!r->conn || r->response_started)
        return;
    snprintf(st, sizeof(st), "%d", http_status);
    nv[n++] = NV(":status", st);
    if (content_type)
        nv[n++] = NV("content-type", content_type);
    submit_headers(r, nv, n);
}

void h2ts_send_raw(h2ts_req *r, const void *data, size_t len)
{
    if (!r->conn)
        return;
    evbuffer_add(r->out, data, len);
    nghttp2_session_resume_data(r->conn->h2, r->stream_id);
    schedule_flush(r->conn);
}

void h2ts_send_message_ref(h2ts_req *r, const void *data, size_t len)
{
    uint8_t h[5] = {0, (uint8_t)(len >> 24), (uint8_t)(len >> 16), (uint8_t)(len >> 8),
                    (uint8_t)len};
    if (!r->conn)
        return;
    evbuffer_add(r->out, h, 5);
    evbuffer_add_reference(r->out, data, len, NULL, NULL);
    nghttp2_session_resume_data(r->conn->h2, r->stream_id);
    schedule_flush(r->conn);
}

void h2ts_send_message(h2ts_req *r, const void *data, size_t len)
{
    uint8_t h[5] = {0, (uint8_t)(len >> 24), (uint8_t)(len >> 16), (uint8_t)(len >> 8),
                    (uint8_t)len};
    if (!r->conn)
        return;
    evbuffer_add(r->out, h, 5);
    h2ts_send_raw(r, data, len);
}

static char *pct_encode(const char *m)
{
    size_t n = strlen(m), i, o = 0;
    char *out = malloc(n * 3 + 1);
    if (!out)
        abort();
    for (i = 0; i < n; i++) {
        unsigned char ch = (unsigned char)m[i];
        if (ch < 0x20 || ch > 0x7e || ch == '%')
            o += (size_t)sprintf(out + o, "%%%02X", ch);
        else
            out[o++] = (char)ch;
    }
    out[o] = '\0';
    return out;
}

static void add_trailers(h2ts_req *r, const char *const *extra)
{
    int i;
    for (i = 0; i < r->nhdr && r->ntrail < 4; i++)
        if (strncmp(r->hname[i], "x-", 2) == 0) {
            char name[128];
            snprintf(name, sizeof(name), "trailer-%s", r->hname[i]);
            r->tname[r->ntrail] = xstrndup(name, strlen(name));
            r->tvalue[r->ntrail] = xstrndup(r->hvalue[i], strlen(r->hvalue[i]));
            r->ntrail++;
        }
    for (i = 0; extra && extra[i] && r->ntrail < 8; i += 2) {
        r->tname[r->ntrail] = xstrndup(extra[i], strlen(extra[i]));
        r->tvalue[r->ntrail] = xstrndup(extra[i + 1], strlen(extra[i + 1]));
        r->ntrail++;
    }
}

void h2ts_finish(h2ts_req *r, int grpc_status, const char *msg, const char *const *extra)
{
    if (!r->conn)
        return;
    if (!r->response_started)
        h2ts_send_headers(r, NULL);
    r->grpc_status = grpc_status;
    if (msg)
        r->grpc_message = pct_encode(msg);
    add_trailers(r, extra);
    r->finishing = 1;
    nghttp2_session_resume_data(r->conn->h2, r->stream_id);
    schedule_flush(r->conn);
}

void h2ts_end_no_trailers(h2ts_req *r)
{
    if (!r->conn)
        return;
    if (!r->response_started)
        h2ts_send_headers(r, NULL);
    r->grpc_status = -1;
    r->finishing = 1;
    nghttp2_session_resume_data(r->conn->h2, r->stream_id);
    schedule_flush(r->conn);
}

void h2ts_trailers_only(h2ts_req *r, int http_status, int grpc_status, const char *msg,
                        const char *const *extra)
{
    nghttp2_nv nv[16];
    char st[8], gs[16];
    char *pm = NULL;
    size_t n = 0;
    int i;
    if (!r->conn || r->response_started)
        return;
    r->response_started = 1;
    snprintf(st, sizeof(st), "%d", http_status);
    nv[n++] = NV(":status", st);
    nv[n++] = NV("content-type", "application/grpc");
    if (grpc_status >= 0) {
        snprintf(gs, sizeof(gs), "%d", grpc_status);
        nv[n++] = NV("grpc-status", gs);
    }
    if (msg) {
        pm = pct_encode(msg);
        nv[n++] = NV("grpc-message", pm);
    }
    for (i = 0; extra && extra[i] && n < 16; i += 2)
        nv[n++] = NV(extra[i], extra[i + 1]);
    nghttp2_submit_headers(r->conn->h2, NGHTTP2_FLAG_END_STREAM, r->stream_id, NULL, nv, n, NULL);
    free(pm);
    schedule_flush(r->conn);
}

void h2ts_reply(h2ts_req *r, const void *data, size_t len)
{
    h2ts_send_headers(r, NULL);
    h2ts_send_message(r, data, len);
    h2ts_finish(r, 0, NULL, NULL);
}

void h2ts_rst(h2ts_req *r, uint32_t code)
{
    if (!r->conn)
        return;
    nghttp2_submit_rst_stream(r->conn->h2, NGHTTP2_FLAG_NONE, r->stream_id, code);
    schedule_flush(r->conn);
}

void h2ts_goaway(h2ts_conn *c, uint32_t error, const char *debug, int32_t last_stream_id)
{
    if (!c)
        return;
    nghttp2_submit_goaway(c->h2, NGHTTP2_FLAG_NONE, last_stream_id, error, (const uint8_t *)debug,
                          debug ? strlen(debug) : 0);
    schedule_flush(c);
}

void h2ts_drop(h2ts_conn *c)
{
    if (c)
        conn_free(c);
}
