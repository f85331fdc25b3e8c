/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The channel: a pool of connections to one server, the queue of calls
 * waiting for a stream, the id map, and the "work" event that runs all
 * user callbacks from the loop.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <event2/buffer.h>
#include <event2/dns.h>

#include "call/call.h"
#include "common/util.h"

static void channel_destroy(milvus_channel *ch);

/* ---- utilities ---- */

void mv_set_error(milvus_channel *ch, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(ch->last_error, sizeof(ch->last_error), fmt, ap);
    va_end(ap);
}

/* ---- lists ---- */

void mv_queue_push(milvus_channel *ch, mv_call *c)
{
    c->state = MV_CALL_QUEUED;
    c->next = NULL;
    c->prev = ch->queue_tail;
    if (ch->queue_tail)
        ch->queue_tail->next = c;
    else
        ch->queue_head = c;
    ch->queue_tail = c;
}

void mv_queue_remove(milvus_channel *ch, mv_call *c)
{
    if (c->prev)
        c->prev->next = c->next;
    else
        ch->queue_head = c->next;
    if (c->next)
        c->next->prev = c->prev;
    else
        ch->queue_tail = c->prev;
    c->next = c->prev = NULL;
}

void mv_ready_push(milvus_channel *ch, mv_call *c)
{
    if (c->in_ready)
        return;
    c->in_ready = 1;
    c->rnext = NULL;
    c->rprev = ch->ready_tail;
    if (ch->ready_tail)
        ch->ready_tail->rnext = c;
    else
        ch->ready_head = c;
    ch->ready_tail = c;
    mv_schedule_work(ch);
}

void mv_ready_remove(milvus_channel *ch, mv_call *c)
{
    if (!c->in_ready)
        return;
    if (c->rprev)
        c->rprev->rnext = c->rnext;
    else
        ch->ready_head = c->rnext;
    if (c->rnext)
        c->rnext->rprev = c->rprev;
    else
        ch->ready_tail = c->rprev;
    c->rnext = c->rprev = NULL;
    c->in_ready = 0;
}

/* ---- id map: open addressing, linear probing, backward-shift delete ---- */

static size_t map_slot(milvus_call_id id, size_t cap)
{
    return (size_t)((id * 0x9E3779B97F4A7C15ULL) >> 20) & (cap - 1);
}

static int map_grow(milvus_channel *ch)
{
    size_t ncap = ch->map_cap ? ch->map_cap * 2 : 64, i;
    mv_call **nm = calloc(ncap, sizeof(*nm));
    if (!nm)
        return -1;
    for (i = 0; i < ch->map_cap; i++) {
        mv_call *c = ch->map[i];
        size_t j;
        if (!c)
            continue;
        for (j = map_slot(c->id, ncap); nm[j]; j = (j + 1) & (ncap - 1))
            ;
        nm[j] = c;
    }
    free(ch->map);
    ch->map = nm;
    ch->map_cap = ncap;
    return 0;
}

int mv_map_insert(milvus_channel *ch, mv_call *c)
{
    size_t j;
    if ((ch->map_n + 1) * 2 > ch->map_cap && map_grow(ch) != 0)
        return -1;
    for (j = map_slot(c->id, ch->map_cap); ch->map[j]; j = (j + 1) & (ch->map_cap - 1))
        ;
    ch->map[j] = c;
    ch->map_n++;
    return 0;
}

mv_call *mv_map_find(const milvus_channel *ch, milvus_call_id id)
{
    size_t j;
    if (!ch->map_cap)
        return NULL;
    for (j = map_slot(id, ch->map_cap); ch->map[j]; j = (j + 1) & (ch->map_cap - 1))
        if (ch->map[j]->id == id)
            return ch->map[j];
    return NULL;
}

void mv_map_remove(milvus_channel *ch, milvus_call_id id)
{
    size_t mask = ch->map_cap - 1, i, j;
    if (!ch->map_cap)
        return;
    for (i = map_slot(id, ch->map_cap); ch->map[i]; i = (i + 1) & mask)
        if (ch->map[i]->id == id)
            break;
    if (!ch->map[i])
        return;
    ch->map[i] = NULL;
    ch->map_n--;
    /* Shift later members of the cluster back so lookups stay correct. */
    for (j = (i + 1) & mask; ch->map[j]; j = (j + 1) & mask) {
        size_t home = map_slot(ch->map[j]->id, ch->map_cap);
        if (((j - home) & mask) >= ((j - i) & mask)) {
            ch->map[i] = ch->map[j];
            ch->map[j] = NULL;
            i = j;
        }
    }
}

/* ---- interned method paths ---- */

/* Distinct paths kept per channel; an application uses a few dozen. */
#define MV_PATHS_MAX 512

static size_t path_hash(const char *p, size_t len)
{
    uint64_t h = 1469598103934665603ULL; /* FNV-1a */
    size_t i;
    for (i = 0; i < len; i++)
        h = (h ^ (unsigned char)p[i]) * 1099511628211ULL;
    return (size_t)(h ^ (h >> 29));
}

static int paths_grow(milvus_channel *ch)
{
    size_t ncap = ch->paths_cap ? ch->paths_cap * 2 : 32, i;
    char **np = calloc(ncap, sizeof(*np));
    if (!np)
        return -1;
    for (i = 0; i < ch->paths_cap; i++) {
        char *p = ch->paths[i];
        size_t j;
        if (!p)
            continue;
        for (j = path_hash(p, strlen(p)) & (ncap - 1); np[j]; j = (j + 1) & (ncap - 1))
            ;
        np[j] = p;
    }
    free(ch->paths);
    ch->paths = np;
    ch->paths_cap = ncap;
    return 0;
}

const char *mv_path_intern(milvus_channel *ch, const char *path, size_t len)
{
    size_t j, h = path_hash(path, len);
    char *p;
    if (ch->paths_cap) {
        for (j = h & (ch->paths_cap - 1); ch->paths[j]; j = (j + 1) & (ch->paths_cap - 1))
            if (strcmp(ch->paths[j], path) == 0)
                return ch->paths[j];
    }
    if (ch->paths_n >= MV_PATHS_MAX)
        return NULL;
    if ((ch->paths_n + 1) * 2 > ch->paths_cap && paths_grow(ch) != 0)
        return NULL;
    p = malloc(len + 1);
    if (!p)
        return NULL;
    memcpy(p, path, len + 1);
    for (j = h & (ch->paths_cap - 1); ch->paths[j]; j = (j + 1) & (ch->paths_cap - 1))
        ;
    ch->paths[j] = p;
    ch->paths_n++;
    return p;
}

static void paths_free(milvus_channel *ch)
{
    size_t i;
    for (i = 0; i < ch->paths_cap; i++)
        free(ch->paths[i]);
    free(ch->paths);
    ch->paths = NULL;
    ch->paths_cap = ch->paths_n = 0;
}

/* ---- deadline timers ---- */

const struct timeval *mv_timeout_tv(milvus_channel *ch, int64_t ms, struct timeval *tv)
{
    mv_tv_from_ms(tv, ms);
    if (ms != ch->opts->call_timeout_ms)
        return tv;
    if (ch->default_tv_ms != ms) {
        /* Calls with the default timeout expire in submission order: a
         * libevent common timeout queues them in O(1) instead of the
         * O(log n) timer heap. */
        const struct timeval *ct = event_base_init_common_timeout(ch->base, tv);
        if (!ct)
            return tv;
        ch->default_tv = *ct;
        ch->default_tv_ms = ms;
    }
    return &ch->default_tv;
}

/* What the free lists may keep: about two blocks of the largest class
 * per call the channel may have pending, at least 1 MiB. */
static size_t pool_bound(const milvus_options *o)
{
    size_t per = 2 * MV_POOL_MAX, min = (size_t)1 << 20;
    if (o->max_pending > (SIZE_MAX - min) / per)
        return SIZE_MAX;
    return o->max_pending * per > min ? o->max_pending * per : min;
}

/* ---- large receive buffer cache ---- */

/* How long an unused cached receive buffer is kept. */
#define MV_RX_CACHE_IDLE_MS 2000

uint8_t *mv_rx_cache_take(milvus_channel *ch, size_t len, size_t *cap)
{
    uint8_t *b = ch->rx_cache;
    if (!b || ch->rx_cache_cap < len)
        return NULL;
    *cap = ch->rx_cache_cap;
    ch->rx_cache = NULL;
    ch->rx_cache_cap = 0;
    evtimer_del(&ch->rx_cache_ev);
    return b;
}

void mv_rx_cache_put(milvus_channel *ch, uint8_t *buf, size_t cap)
{
    struct timeval tv = {MV_RX_CACHE_IDLE_MS / 1000, (MV_RX_CACHE_IDLE_MS % 1000) * 1000};
    /* Keep the larger one: it serves every smaller reply too. */
    if (ch->freeing || cap <= ch->rx_cache_cap) {
        free(buf);
        return;
    }
    free(ch->rx_cache);
    ch->rx_cache = buf;
    ch->rx_cache_cap = cap;
    evtimer_add(&ch->rx_cache_ev, &tv);
}

static void rx_cache_cb(evutil_socket_t fd, short what, void *arg)
{
    milvus_channel *ch = arg;
    (void)fd;
    (void)what;
    free(ch->rx_cache);
    ch->rx_cache = NULL;
    ch->rx_cache_cap = 0;
}

/* ---- scheduling ---- */

void mv_schedule_work(milvus_channel *ch)
{
    if (ch->work_scheduled || ch->freeing)
        return;
    ch->work_scheduled = 1;
    event_active(&ch->work_ev, EV_TIMEOUT, 1);
}

/* Fails the queued calls (only those without a deadline when
 * without_deadline) with the last connect error. */
static void fail_queued(milvus_channel *ch, int without_deadline)
{
    mv_call *c = ch->queue_head, *next;
    for (; c; c = next) {
        next = c->next;
        if (!without_deadline || !c->deadline_us)
            mv_call_finish(c, ch->conn_err_status, MILVUS_GRPC_UNAVAILABLE, "%s", ch->conn_err);
    }
}

/* Fails the queued calls that do not wait for ready (the channel is
 * unreachable: see milvus_options_set_wait_for_ready()). */
static void fail_unready(milvus_channel *ch)
{
    if (!ch->opts->wait_for_ready)
        fail_queued(ch, 0);
}

static void dispatch(milvus_channel *ch)
{
    if (ch->unreachable)
        fail_unready(ch);
    while (ch->queue_head && ch->ops->has_room(ch->tp)) {
        mv_call *c = ch->queue_head;
        mv_queue_remove(ch, c);
        if (c->deadline_us && mv_now_us() >= c->deadline_us) {
            /* Its timer is due in this loop iteration: do not send it. */
            mv_call_finish(c, MILVUS_ERR_TIMEOUT, MILVUS_GRPC_DEADLINE_EXCEEDED,
                           "deadline of %lld ms exceeded before the call was sent",
                           (long long)c->timeout_ms);
            continue;
        }
        if (mv_call_open(c) != 0)
            mv_call_finish(c, MILVUS_ERR_NOMEM, MILVUS_GRPC_RESOURCE_EXHAUSTED,
                           "cannot start an HTTP/2 stream");
    }
    if (ch->queue_head)
        ch->ops->connect(ch->tp); /* lazy connections: opened when calls wait */
}

static void deliver_all(milvus_channel *ch)
{
    while (ch->ready_head && !ch->freeing) {
        mv_call *c = ch->ready_head;
        mv_ready_remove(ch, c);
        mv_call_deliver(c);
    }
}

static void maybe_closed(milvus_channel *ch)
{
    if (!ch->closing || ch->closed_notified || ch->freeing || ch->pending)
        return;
    ch->closed_notified = 1;
    ch->ops->close(ch->tp, MILVUS_ERR_CLOSED, "channel closed");
    mv_pool_release(&ch->pool); /* no call can be made any more */
    if (ch->closed_cb)
        ch->closed_cb(ch, ch->closed_ctx);
}

static void work_cb(evutil_socket_t fd, short what, void *arg)
{
    milvus_channel *ch = arg;
    (void)fd;
    (void)what;
    ch->work_scheduled = 0;
    ch->in_callback++;
    mv_pool_trim(&ch->pool, mv_now_us());
    dispatch(ch);
    deliver_all(ch);
    if (!ch->freeing) {
        /* Requests submitted from the callbacks join those queued before:
         * one write for all of them. */
        dispatch(ch);
        ch->ops->flush(ch->tp);
    }
    if (!ch->freeing)
        maybe_closed(ch);
    ch->in_callback--;
    if (ch->freeing && ch->in_callback == 0)
        channel_destroy(ch);
}

/* ---- transport events ---- */

static void tr_wake(void *user)
{
    mv_schedule_work(user);
}

static void tr_writable(void *user)
{
    milvus_channel *ch = user;
    if (ch->queue_head)
        mv_schedule_work(ch);
}

static void tr_connected(void *user)
{
    milvus_channel *ch = user;
    ch->connect_failures = 0;
    ch->conn_err_status = 0;
    ch->unreachable = 0;
}

static void tr_reconnect_due(void *user)
{
    milvus_channel *ch = user;
    ch->unreachable = 0; /* the next call waits for a new attempt */
    mv_schedule_work(ch);
}

static void tr_connect_failed(void *user, int status, const char *err, int unreachable)
{
    milvus_channel *ch = user;
    ch->connect_failures++;
    ch->conn_err_status = status;
    snprintf(ch->conn_err, sizeof(ch->conn_err), "%s", err);
    /* The server is unreachable now: the calls that do not wait for ready
     * fail at once (gRPC's TRANSIENT_FAILURE) until a backoff ends.
     * Otherwise calls with a deadline wait for it; the others give up once
     * the connection attempts are exhausted. */
    if (unreachable) {
        ch->unreachable = 1;
        fail_unready(ch);
    }
    if (ch->connect_failures >= ch->opts->retry_max_attempts)
        fail_queued(ch, 1);
    mv_schedule_work(ch);
}

const mv_transport_cbs mv_channel_transport_cbs = {
    .on_headers_begin = mv_call_on_headers_begin,
    .on_header = mv_call_on_header,
    .on_headers_end = mv_call_on_headers_end,
    .on_data = mv_call_on_data,
    .on_end = mv_call_on_end,
    .on_close = mv_call_on_close,
    .rx_due = mv_call_rx_due,
    .wake = tr_wake,
    .writable = tr_writable,
    .connected = tr_connected,
    .connect_failed = tr_connect_failed,
    .reconnect_due = tr_reconnect_due,
};

/* ---- the real transport behind the ops table ---- */

static int rt_has_room(void *t)
{
    return mv_transport_has_room(t);
}

static mv_stream *rt_open(void *t, const mv_stream_req *r, void *user)
{
    return mv_transport_open(t, r, user);
}

static void rt_connect(void *t)
{
    mv_transport_connect(t);
}

static void rt_flush(void *t)
{
    mv_transport_flush(t);
}

static void rt_close(void *t, int status, const char *msg)
{
    mv_transport_close(t, status, msg);
}

static long rt_stream_limit(const void *t)
{
    return mv_transport_stream_limit(t);
}

static void rt_destroy(void *t)
{
    mv_transport_cleanup(t);
}

static const mv_transport_ops real_ops = {
    .has_room = rt_has_room,
    .open = rt_open,
    .detach = mv_stream_detach,
    .heard_from_peer = mv_stream_heard_from_peer,
    .connect = rt_connect,
    .flush = rt_flush,
    .close = rt_close,
    .stream_limit = rt_stream_limit,
    .destroy = rt_destroy,
};

void mv_channel_set_transport(milvus_channel *ch, const mv_transport_ops *ops, void *t)
{
    ch->ops->destroy(ch->tp);
    ch->ops = ops;
    ch->tp = t;
}

int mv_channel_attach_memory_conn(milvus_channel *ch)
{
    return ch->ops == &real_ops ? mv_transport_attach_memory_conn(ch->tp) : -1;
}

int mv_channel_feed_memory_conn(milvus_channel *ch, const uint8_t *data, size_t len)
{
    return ch->ops == &real_ops ? mv_transport_feed_memory_conn(ch->tp, data, len) : -1;
}

/* ---- public API ---- */

static char *build_authority(const milvus_options *o)
{
    const char *host = o->server_name ? o->server_name : o->host;
    size_t n = strlen(host) + 16;
    char *a = malloc(n);
    if (!a)
        return NULL;
    if (strchr(host, ':'))
        snprintf(a, n, "[%s]:%d", host, o->port);
    else
        snprintf(a, n, "%s:%d", host, o->port);
    return a;
}

/* Milvus decodes "authorization" with Go's base64.StdEncoding: padded. */
static int md_set_b64(mv_md *md, const char *key, const uint8_t *data, size_t len)
{
    size_t n;
    char *enc = mv_base64_encode_padded(data, len, &n);
    int rc;
    if (!enc)
        return -2;
    rc = mv_md_set(md, key, enc, n);
    OPENSSL_cleanse(enc, n);
    free(enc);
    return rc;
}

static int channel_md_init(milvus_channel *ch)
{
    const milvus_options *o = ch->opts;
    int rc = 0;
    if (mv_md_copy(&ch->md, &o->md) != 0)
        return -2;
    if (o->token && *o->token) {
        rc = md_set_b64(&ch->md, "authorization", (const uint8_t *)o->token, strlen(o->token));
    } else if (o->user && (*o->user || *o->password)) {
        /* The Go client sends user:password when either is set. */
        size_t ul = strlen(o->user), pl = strlen(o->password);
        uint8_t *up = malloc(ul + pl + 1);
        if (!up)
            return -2;
        memcpy(up, o->user, ul);
        up[ul] = ':';
        memcpy(up + ul + 1, o->password, pl);
        rc = md_set_b64(&ch->md, "authorization", up, ul + pl + 1);
        OPENSSL_cleanse(up, ul + pl + 1);
        free(up);
    }
    if (rc == 0 && o->database && *o->database)
        rc = mv_md_set(&ch->md, "dbname", o->database, strlen(o->database));
    return rc;
}

milvus_status milvus_channel_new(milvus_channel **out, struct event_base *base,
                                 const milvus_options *opts)
{
    milvus_channel *ch;
    char err[256] = "";
    int rc = MILVUS_ERR_NOMEM;
    if (!out || !base || !opts)
        return MILVUS_ERR_INVALID_ARGUMENT;
    *out = NULL;
    /* There is no channel to hold a message: the options keep theirs. */
    if (opts->err.list)
        return MILVUS_ERR_INVALID_ARGUMENT;
    if (!opts->host || !*opts->host)
        return MILVUS_ERR_INVALID_ARGUMENT;
    ch = calloc(1, sizeof(*ch));
    if (!ch)
        return MILVUS_ERR_NOMEM;
    ch->base = base;
    mv_md_init(&ch->md);
    ch->opts = milvus_options_dup(opts);
    if (!ch->opts)
        goto fail;
    ch->authority = build_authority(ch->opts);
    if (!ch->authority)
        goto fail;
    rc = channel_md_init(ch);
    if (rc != 0) {
        rc = rc == -2 ? MILVUS_ERR_NOMEM : MILVUS_ERR_INVALID_ARGUMENT;
        goto fail;
    }
    mv_pool_init(&ch->pool, pool_bound(ch->opts));
    rc = mv_transport_init(&ch->tr, base, ch->opts, ch->authority, &ch->pool,
                           &mv_channel_transport_cbs, ch, err, sizeof(err));
    if (rc != MILVUS_OK)
        goto fail;
    ch->ops = &real_ops;
    ch->tp = &ch->tr;
    rc = MILVUS_ERR_NOMEM;
    event_assign(&ch->work_ev, base, -1, 0, work_cb, ch);
    evtimer_assign(&ch->rx_cache_ev, base, rx_cache_cb, ch);
    ch->next_id = 1;
    ch->rng = mv_rng_seed(ch);
    if (map_grow(ch) != 0) {
        mv_transport_cleanup(&ch->tr);
        goto fail;
    }
    *out = ch;
    return MILVUS_OK;
fail:
    if (err[0] && ch->opts)
        mv_log(ch->opts, MILVUS_LOG_ERROR, "%s", err);
    free(ch->authority);
    mv_md_free(&ch->md);
    milvus_options_free(ch->opts);
    free(ch);
    return rc;
}

/* Completes every call with CANCELLED (calls whose callback is running
 * up the stack are finished by that frame). */
static void cancel_all(milvus_channel *ch)
{
    size_t i;
    while (ch->map_n) {
        for (i = 0; i < ch->map_cap; i++)
            if (ch->map[i])
                break;
        mv_call_finish(ch->map[i], MILVUS_ERR_CANCELLED, MILVUS_GRPC_CANCELLED,
                       "the channel was freed");
    }
    while (ch->ready_head) {
        mv_call *c = ch->ready_head;
        mv_ready_remove(ch, c);
        if (!c->delivering)
            mv_call_deliver(c);
    }
}

void milvus_channel_free(milvus_channel *ch)
{
    if (!ch || ch->freeing)
        return;
    ch->closing = 1;
    ch->in_callback++;
    ch->freeing = 1;
    cancel_all(ch);
    ch->in_callback--;
    if (ch->in_callback == 0)
        channel_destroy(ch);
}

static void channel_destroy(milvus_channel *ch)
{
    ch->ops->destroy(ch->tp);
    event_del(&ch->work_ev);
    evtimer_del(&ch->rx_cache_ev);
    free(ch->rx_cache);
    free(ch->map);
    mv_pool_release(&ch->pool); /* after the sessions, which used it */
    paths_free(ch);
    free(ch->authority);
    mv_md_free(&ch->md);
    milvus_options_free(ch->opts);
    free(ch);
}

milvus_status milvus_channel_close(milvus_channel *ch, milvus_channel_closed_cb cb, void *ctx)
{
    if (!ch)
        return MILVUS_ERR_INVALID_ARGUMENT;
    if (ch->closing || ch->freeing)
        return MILVUS_ERR_CLOSED;
    ch->closing = 1;
    ch->closed_cb = cb;
    ch->closed_ctx = ctx;
    mv_schedule_work(ch);
    return MILVUS_OK;
}

const char *milvus_channel_last_error(const milvus_channel *ch)
{
    if (!ch)
        return "no channel";
    return ch->last_error;
}

size_t milvus_channel_pending(const milvus_channel *ch)
{
    return ch ? ch->pending : 0;
}

milvus_status milvus_channel_set_metadata(milvus_channel *ch, const char *key, const void *value,
                                          size_t len)
{
    int rc;
    if (!ch || !key || (!value && len))
        return MILVUS_ERR_INVALID_ARGUMENT;
    if (!value) {
        rc = mv_md_set(&ch->md, key, NULL, 0);
    } else {
        rc = mv_md_set(&ch->md, key, value, len);
    }
    if (rc == -2)
        return MILVUS_ERR_NOMEM;
    if (rc != 0) {
        mv_set_error(ch, "invalid metadata key or value for \"%s\"", key);
        return MILVUS_ERR_INVALID_ARGUMENT;
    }
    return MILVUS_OK;
}
