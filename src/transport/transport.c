/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The transport of one channel: its connection slots, stream placement
 * over them, and the allocator nghttp2 uses (the channel's block pool).
 */
#include <stdlib.h>
#include <string.h>

#include <event2/buffer.h>
#include <event2/dns.h>

#include "common/util.h"
#include "transport/transport.h"

/* Streams submitted on one connection before their frames are written. */
#define MV_FLUSH_BATCH 128

/* ---- nghttp2 allocator over the pool ---- */

static void *h2_malloc(size_t n, void *ud)
{
    return mv_pool_alloc(ud, n);
}

static void h2_free(void *ptr, void *ud)
{
    mv_pool_free(ud, ptr);
}

static void *h2_calloc(size_t nmemb, size_t size, void *ud)
{
    void *b;
    if (size && nmemb > SIZE_MAX / size)
        return NULL;
    b = mv_pool_alloc(ud, nmemb * size);
    if (b)
        memset(b, 0, nmemb * size);
    return b;
}

static void *h2_realloc(void *ptr, size_t n, void *ud)
{
    return mv_pool_realloc(ud, ptr, n);
}

/* ---- lifecycle ---- */

int mv_transport_init(mv_transport *t, struct event_base *base, const milvus_options *opts,
                      const char *authority, mv_pool *pool, const mv_transport_cbs *cbs, void *user,
                      char *err, size_t errlen)
{
    memset(t, 0, sizeof(*t));
    t->base = base;
    t->opts = opts;
    t->cbs = cbs;
    t->user = user;
    t->pool = pool;
    t->authority = authority;
    t->keepalive_ms = opts->keepalive_ms;
    t->user_agent = opts->user_agent ? opts->user_agent : MV_USER_AGENT;
    t->rng = mv_rng_seed(t);
    t->h2mem.mem_user_data = pool;
    t->h2mem.malloc = h2_malloc;
    t->h2mem.free = h2_free;
    t->h2mem.calloc = h2_calloc;
    t->h2mem.realloc = h2_realloc;
    if (opts->tls) {
        t->ssl_ctx = mv_tls_ctx_new(opts, err, errlen);
        if (!t->ssl_ctx)
            return MILVUS_ERR_TLS;
    }
    t->nconns = opts->pool_size;
    t->conns = calloc((size_t)t->nconns, sizeof(*t->conns));
    if (!t->conns) {
        if (t->ssl_ctx)
            SSL_CTX_free(t->ssl_ctx);
        t->ssl_ctx = NULL;
        return MILVUS_ERR_NOMEM;
    }
    for (int i = 0; i < t->nconns; i++)
        mv_conn_init(&t->conns[i], t, i);
    return MILVUS_OK;
}

void mv_transport_cleanup(mv_transport *t)
{
    for (int i = 0; i < t->nconns; i++) {
        mv_conn *conn = &t->conns[i];
        while (conn->streams) /* defensive: the layer above detached its streams */
            mv_conn_detach(conn, conn->streams, NGHTTP2_CANCEL);
        mv_conn_cleanup(conn);
        if (conn->wbuf)
            evbuffer_free(conn->wbuf);
        if (conn->out)
            evbuffer_free(conn->out);
    }
    if (t->dns)
        evdns_base_free(t->dns, 0);
    if (t->ssl_ctx)
        SSL_CTX_free(t->ssl_ctx);
    free(t->conns);
    mv_hdr_list_free(&t->hdrs);
    memset(t, 0, sizeof(*t));
}

/* ---- streams ---- */

static mv_conn *pick_conn(mv_transport *t)
{
    for (int i = 0; i < t->nconns; i++) {
        int idx = (t->rr + i) % t->nconns;
        if (mv_conn_has_room(&t->conns[idx])) {
            t->rr = (idx + 1) % t->nconns;
            return &t->conns[idx];
        }
    }
    return NULL;
}

int mv_transport_has_room(const mv_transport *t)
{
    for (int i = 0; i < t->nconns; i++)
        if (mv_conn_has_room(&t->conns[i]))
            return 1;
    return 0;
}

mv_stream *mv_transport_open(mv_transport *t, const mv_stream_req *r, void *user)
{
    mv_conn *conn = pick_conn(t);
    mv_stream *s;
    if (!conn || !(s = mv_pool_alloc(t->pool, sizeof(*s))))
        return NULL;
    memset(s, 0, sizeof(*s));
    s->user = user;
    if (mv_conn_submit(conn, s, r) != 0) {
        mv_pool_free(t->pool, s);
        return NULL;
    }
    if (conn->unflushed >= MV_FLUSH_BATCH)
        /* Bounded batches: a burst of submissions does not hold every
         * encoded HEADERS frame in memory at once. */
        mv_conn_flush(conn);
    return s;
}

void mv_stream_detach(mv_stream *s)
{
    mv_conn_detach(s->conn, s, s->ended ? NGHTTP2_NO_ERROR : NGHTTP2_CANCEL);
}

int mv_stream_heard_from_peer(const mv_stream *s)
{
    return s->conn->rx_bytes > 0;
}

/* ---- connections ---- */

void mv_transport_connect(mv_transport *t)
{
    if (t->no_connect)
        return;
    /* Lazy connections: every idle slot opens when streams wait. */
    for (int i = 0; i < t->nconns; i++)
        if (t->conns[i].state == MV_CONN_IDLE)
            mv_conn_start(&t->conns[i]);
}

void mv_transport_flush(mv_transport *t)
{
    for (int i = 0; i < t->nconns; i++)
        if (t->conns[i].want_flush)
            mv_conn_flush(&t->conns[i]);
}

void mv_transport_close(mv_transport *t, int status, const char *msg)
{
    for (int i = 0; i < t->nconns; i++)
        if (t->conns[i].state != MV_CONN_IDLE)
            mv_conn_close(&t->conns[i], status, msg);
}

long mv_transport_stream_limit(const mv_transport *t)
{
    long best = -1;
    for (int i = 0; i < t->nconns; i++) {
        const mv_conn *conn = &t->conns[i];
        if (conn->state != MV_CONN_READY || !conn->h2)
            continue;
        long max = (long)nghttp2_session_get_remote_settings(
            conn->h2, NGHTTP2_SETTINGS_MAX_CONCURRENT_STREAMS);
        if (max > best)
            best = max;
    }
    return best;
}
