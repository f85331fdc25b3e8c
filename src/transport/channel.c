/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The channel: a pool of connections to one server, the queue of calls
 * waiting for a stream, the id map, and the "work" event that runs all
 * user callbacks from the loop.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <event2/buffer.h>
#include <event2/dns.h>

#include "common/backoff.h"
#include "transport/transport.h"

static void channel_destroy(milvus_channel *ch);

/* Streams submitted on one connection before their frames are written. */
#define MV_FLUSH_BATCH 128

/* ---- utilities ---- */

int64_t mv_now_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

double mv_jitter(milvus_channel *ch)
{
    /* xorshift64*: no global state, no locks. */
    uint64_t x = ch->rng;
    x ^= x >> 12;
    x ^= x << 25;
    x ^= x >> 27;
    ch->rng = x;
    return 0.8 + 0.4 * (double)((x * 0x2545F4914F6CDD1DULL) >> 11) / 9007199254740992.0;
}

/* Log lines carry server text (grpc-message, reasons, names): escaped
 * here, once, so that a peer cannot put control sequences on the user's
 * terminal or forge lines in a log.  Formatted in full, not cut at a
 * fixed size. */
void mv_log(milvus_channel *ch, milvus_log_level lvl, const char *fmt, ...)
{
    char buf[512], out[768];
    char *text = buf, *esc = out;
    size_t need;
    va_list ap;
    int n;
    if (!ch->opts->log_cb || lvl > ch->opts->log_level)
        return;
    va_start(ap, fmt);
    n = vsnprintf(buf, sizeof(buf), fmt, ap);
    va_end(ap);
    if (n < 0)
        return;
    if ((size_t)n >= sizeof(buf)) {
        text = malloc((size_t)n + 1);
        if (!text) {
            text = buf; /* out of memory: the line as far as it fits */
            n = (int)sizeof(buf) - 1;
        } else {
            va_start(ap, fmt);
            vsnprintf(text, (size_t)n + 1, fmt, ap);
            va_end(ap);
        }
    }
    need = milvus_escape_text(out, sizeof(out), text, (size_t)n);
    if (need >= sizeof(out) && (esc = malloc(need + 1)) != NULL)
        milvus_escape_text(esc, need + 1, text, (size_t)n);
    else if (!esc)
        esc = out;
    ch->opts->log_cb(lvl, esc, ch->opts->log_ctx);
    if (esc != out)
        free(esc);
    if (text != buf)
        free(text);
}

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
    tv->tv_sec = (time_t)(ms / 1000);
    tv->tv_usec = (suseconds_t)(ms % 1000) * 1000;
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

/* ---- block pool ----
 *
 * Each block starts with a header naming its size class, so that a block
 * is freed without its size (nghttp2's allocator interface gives none).
 * Free blocks wait on per-class lists for the next call instead of going
 * back to malloc: with 100k calls in flight (about 1 KiB each here), the
 * memory of a burst given back to malloc can go back to the kernel
 * (malloc_trim, heap-top trimming) and then has to be faulted in again
 * page by page by the next burst, at about 20 us a page under
 * virtualization: that, not instructions, made a call cost twice as much
 * at 100k in flight as at 1k.  The lists are bounded by max_free_bytes
 * and hold at most the peak of blocks once live together; blocks left
 * unused for a whole trim interval go back to malloc. */

#define MV_POOL_HDR 16
#define MV_POOL_MAX (MV_POOL_STEP * MV_POOL_CLASSES)
#define MV_POOL_TRIM_MS 2000

typedef struct mv_pool_hdr {
    size_t cls;  /* size class; MV_POOL_CLASSES: allocated by malloc alone */
    size_t size; /* requested size of a malloc'd block (for realloc) */
} mv_pool_hdr;

_Static_assert(sizeof(mv_pool_hdr) <= MV_POOL_HDR, "pool header fits");

static size_t pool_block_size(size_t k)
{
    return (k + 1) * MV_POOL_STEP;
}

static mv_pool_hdr *pool_hdr(void *ptr)
{
    return (mv_pool_hdr *)(void *)((char *)ptr - MV_POOL_HDR);
}

void mv_pool_init(mv_pool *p, size_t max_free_bytes)
{
    memset(p, 0, sizeof(*p));
    p->max_free_bytes = max_free_bytes;
}

void *mv_pool_alloc(mv_pool *p, size_t n)
{
    mv_pool_hdr *h;
    size_t k;
    if (n > MV_POOL_MAX - MV_POOL_HDR) {
        if (n > SIZE_MAX - MV_POOL_HDR || !(h = malloc(MV_POOL_HDR + n)))
            return NULL;
        h->cls = MV_POOL_CLASSES;
        h->size = n;
        return (char *)h + MV_POOL_HDR;
    }
    k = (n + MV_POOL_HDR + MV_POOL_STEP - 1) / MV_POOL_STEP - 1;
    h = p->head[k];
    if (h) {
        p->head[k] = *(void **)h;
        if (--p->nfree[k] < p->low[k])
            p->low[k] = p->nfree[k];
        p->free_bytes -= pool_block_size(k);
    } else if (!(h = malloc(pool_block_size(k)))) {
        return NULL;
    }
    h->cls = k;
    h->size = 0;
    return (char *)h + MV_POOL_HDR;
}

void mv_pool_free(mv_pool *p, void *ptr)
{
    mv_pool_hdr *h;
    size_t k;
    if (!ptr)
        return;
    h = pool_hdr(ptr);
    k = h->cls;
    if (k >= MV_POOL_CLASSES || p->free_bytes + pool_block_size(k) > p->max_free_bytes) {
        free(h);
        return;
    }
    *(void **)h = p->head[k];
    p->head[k] = h;
    p->nfree[k]++;
    p->free_bytes += pool_block_size(k);
}

void *mv_pool_realloc(mv_pool *p, void *ptr, size_t n)
{
    mv_pool_hdr *h;
    size_t cap;
    void *np;
    if (!ptr)
        return mv_pool_alloc(p, n);
    if (n == 0) {
        mv_pool_free(p, ptr);
        return NULL;
    }
    h = pool_hdr(ptr);
    if (h->cls >= MV_POOL_CLASSES && n > MV_POOL_MAX - MV_POOL_HDR) {
        if (n > SIZE_MAX - MV_POOL_HDR || !(h = realloc(h, MV_POOL_HDR + n)))
            return NULL;
        h->size = n;
        return (char *)h + MV_POOL_HDR;
    }
    cap = h->cls >= MV_POOL_CLASSES ? h->size : pool_block_size(h->cls) - MV_POOL_HDR;
    if (h->cls < MV_POOL_CLASSES && n <= cap)
        return ptr;
    np = mv_pool_alloc(p, n);
    if (!np)
        return NULL;
    memcpy(np, ptr, cap < n ? cap : n);
    mv_pool_free(p, ptr);
    return np;
}

static void pool_drop(mv_pool *p, size_t k, size_t count)
{
    while (count-- && p->head[k]) {
        void *b = p->head[k];
        p->head[k] = *(void **)b;
        p->nfree[k]--;
        p->free_bytes -= pool_block_size(k);
        free(b);
    }
}

void mv_pool_trim(mv_pool *p, int64_t now)
{
    size_t k;
    if (now < p->trim_us)
        return;
    p->trim_us = now + (int64_t)MV_POOL_TRIM_MS * 1000;
    for (k = 0; k < MV_POOL_CLASSES; k++) {
        pool_drop(p, k, p->low[k]);
        p->low[k] = p->nfree[k];
    }
}

void mv_pool_release(mv_pool *p)
{
    size_t k;
    for (k = 0; k < MV_POOL_CLASSES; k++) {
        pool_drop(p, k, SIZE_MAX);
        p->low[k] = 0;
    }
}

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

static mv_conn *pick_conn(milvus_channel *ch)
{
    int i;
    for (i = 0; i < ch->nconns; i++) {
        int idx = (ch->rr + i) % ch->nconns;
        if (mv_conn_has_room(&ch->conns[idx])) {
            ch->rr = (idx + 1) % ch->nconns;
            return &ch->conns[idx];
        }
    }
    return NULL;
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
    int i;
    if (ch->unreachable)
        fail_unready(ch);
    while (ch->queue_head) {
        mv_conn *conn = pick_conn(ch);
        mv_call *c;
        if (!conn)
            break;
        c = ch->queue_head;
        mv_queue_remove(ch, c);
        if (c->deadline_us && mv_now_us() >= c->deadline_us) {
            /* Its timer is due in this loop iteration: do not send it. */
            mv_call_finish(c, MILVUS_ERR_TIMEOUT, MILVUS_GRPC_DEADLINE_EXCEEDED,
                           "deadline of %lld ms exceeded before the call was sent",
                           (long long)c->timeout_ms);
            continue;
        }
        if (mv_conn_submit(conn, c) != 0)
            mv_call_finish(c, MILVUS_ERR_NOMEM, MILVUS_GRPC_RESOURCE_EXHAUSTED,
                           "cannot start an HTTP/2 stream");
        else if (conn->unflushed >= MV_FLUSH_BATCH)
            /* Bounded batches: a burst of submissions does not hold every
             * encoded HEADERS frame in memory at once. */
            mv_conn_flush(conn);
    }
    if (!ch->queue_head || ch->no_connect)
        return;
    /* Lazy connections: open every idle slot when calls wait. */
    for (i = 0; i < ch->nconns; i++)
        if (ch->conns[i].state == MV_CONN_IDLE)
            mv_conn_start(&ch->conns[i]);
}

static void flush_all(milvus_channel *ch)
{
    int i;
    for (i = 0; i < ch->nconns; i++)
        if (ch->conns[i].want_flush)
            mv_conn_flush(&ch->conns[i]);
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
    int i;
    if (!ch->closing || ch->closed_notified || ch->freeing || ch->pending)
        return;
    ch->closed_notified = 1;
    for (i = 0; i < ch->nconns; i++)
        if (ch->conns[i].state != MV_CONN_IDLE)
            mv_conn_close(&ch->conns[i], MILVUS_ERR_CLOSED, "channel closed");
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
        flush_all(ch);
    }
    if (!ch->freeing)
        maybe_closed(ch);
    ch->in_callback--;
    if (ch->freeing && ch->in_callback == 0)
        channel_destroy(ch);
}

/* ---- connection events ---- */

void mv_conn_closed(milvus_channel *ch, mv_conn *conn)
{
    (void)conn;
    mv_schedule_work(ch);
}

/* Some connection of the pool is up, or an attempt is in progress. */
static int attempt_or_ready(const milvus_channel *ch)
{
    for (int i = 0; i < ch->nconns; i++) {
        int st = ch->conns[i].state;
        if (st == MV_CONN_READY || st == MV_CONN_RESOLVING || st == MV_CONN_CONNECTING)
            return 1;
    }
    return 0;
}

void mv_connect_failed(milvus_channel *ch, mv_conn *conn, int status)
{
    const milvus_options *o = ch->opts;
    mv_backoff backoff = {o->reconnect_initial_ms, o->reconnect_max_ms, o->reconnect_multiplier};
    struct timeval tv;
    int64_t ms;
    conn->failures++;
    ch->connect_failures++;
    ch->conn_err_status = status;
    snprintf(ch->conn_err, sizeof(ch->conn_err), "%s", conn->err);
    mv_log(ch, MILVUS_LOG_WARN, "connection %llu failed (%s): %s",
           (unsigned long long)conn->serial, milvus_strerror(status), conn->err);
    ms = mv_backoff_delay(&backoff, conn->failures, mv_jitter(ch));
    conn->state = MV_CONN_BACKOFF;
    tv.tv_sec = (time_t)(ms / 1000);
    tv.tv_usec = (suseconds_t)(ms % 1000) * 1000;
    evtimer_add(&conn->timer, &tv);

    /* Refused or unresolved, with no other attempt in progress and no
     * connection up: the server is unreachable now, and the calls that do
     * not wait for ready fail at once (gRPC's TRANSIENT_FAILURE) until a
     * backoff ends.  Otherwise calls with a deadline wait for it; the others
     * give up once the connection attempts are exhausted. */
    if ((status == MILVUS_ERR_CONNECT || status == MILVUS_ERR_RESOLVE) && !conn->timed_out &&
        !attempt_or_ready(ch)) {
        ch->unreachable = 1;
        fail_unready(ch);
    }
    if (ch->connect_failures >= o->retry_max_attempts)
        fail_queued(ch, 1);
    mv_schedule_work(ch);
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

/* libevent writes with writev() and OpenSSL with write(), neither of which
 * can pass MSG_NOSIGNAL: a peer that closes first would kill the process
 * with SIGPIPE.  A process that kept the default disposition gets it
 * ignored (writes then fail with EPIPE, reported as a lost connection); a
 * handler or disposition the program chose itself is left alone. */
static void ignore_default_sigpipe(void)
{
    struct sigaction sa;
    if (sigaction(SIGPIPE, NULL, &sa) != 0 || sa.sa_handler != SIG_DFL ||
        (sa.sa_flags & SA_SIGINFO))
        return;
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = SIG_IGN;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGPIPE, &sa, NULL);
}

int milvus_channel_new(milvus_channel **out, struct event_base *base, const milvus_options *opts)
{
    milvus_channel *ch;
    char err[256] = "";
    int i, rc = MILVUS_ERR_NOMEM;
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
    ignore_default_sigpipe();
    ch->base = base;
    mv_md_init(&ch->md);
    ch->opts = milvus_options_dup(opts);
    if (!ch->opts)
        goto fail;
    ch->keepalive_ms = ch->opts->keepalive_ms;
    ch->user_agent = ch->opts->user_agent ? ch->opts->user_agent : MV_USER_AGENT;
    ch->authority = build_authority(ch->opts);
    if (!ch->authority)
        goto fail;
    rc = channel_md_init(ch);
    if (rc != 0) {
        rc = rc == -2 ? MILVUS_ERR_NOMEM : MILVUS_ERR_INVALID_ARGUMENT;
        goto fail;
    }
    if (ch->opts->tls) {
        ch->ssl_ctx = mv_tls_ctx_new(ch->opts, err, sizeof(err));
        if (!ch->ssl_ctx) {
            rc = MILVUS_ERR_TLS;
            goto fail;
        }
    }
    ch->nconns = ch->opts->pool_size;
    ch->conns = calloc((size_t)ch->nconns, sizeof(*ch->conns));
    rc = MILVUS_ERR_NOMEM;
    if (!ch->conns)
        goto fail;
    for (i = 0; i < ch->nconns; i++)
        mv_conn_init(&ch->conns[i], ch, i);
    event_assign(&ch->work_ev, base, -1, 0, work_cb, ch);
    evtimer_assign(&ch->rx_cache_ev, base, rx_cache_cb, ch);
    mv_pool_init(&ch->pool, pool_bound(ch->opts));
    ch->h2mem.mem_user_data = &ch->pool;
    ch->h2mem.malloc = h2_malloc;
    ch->h2mem.free = h2_free;
    ch->h2mem.calloc = h2_calloc;
    ch->h2mem.realloc = h2_realloc;
    ch->next_id = 1;
    ch->rng = (uint64_t)mv_now_us() ^ ((uint64_t)(uintptr_t)ch << 16) ^ 0x9E3779B97F4A7C15ULL;
    if (!ch->rng)
        ch->rng = 1;
    if (map_grow(ch) != 0)
        goto fail;
    *out = ch;
    return MILVUS_OK;
fail:
    if (err[0] && ch->opts)
        mv_log(ch, MILVUS_LOG_ERROR, "%s", err);
    if (ch->ssl_ctx)
        SSL_CTX_free(ch->ssl_ctx);
    free(ch->conns);
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
    int i;
    for (i = 0; i < ch->nconns; i++) {
        mv_conn *conn = &ch->conns[i];
        while (conn->calls) /* defensive: finished calls are detached */
            mv_conn_detach(conn, conn->calls, NGHTTP2_CANCEL);
        mv_conn_cleanup(conn);
        if (conn->wbuf)
            evbuffer_free(conn->wbuf);
    }
    event_del(&ch->work_ev);
    evtimer_del(&ch->rx_cache_ev);
    free(ch->rx_cache);
    if (ch->dns)
        evdns_base_free(ch->dns, 0);
    if (ch->ssl_ctx)
        SSL_CTX_free(ch->ssl_ctx);
    free(ch->conns);
    free(ch->map);
    mv_pool_release(&ch->pool); /* after the sessions, which used it */
    paths_free(ch);
    mv_hdr_list_free(&ch->hdrs);
    free(ch->authority);
    mv_md_free(&ch->md);
    milvus_options_free(ch->opts);
    free(ch);
}

int milvus_channel_close(milvus_channel *ch, milvus_channel_closed_cb cb, void *ctx)
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

int milvus_channel_set_metadata(milvus_channel *ch, const char *key, const void *value, size_t len)
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
