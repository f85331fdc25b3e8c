/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Layer 3 — the generic async RPC: submission, deadline, cancel, retry,
 * gRPC status from the response, exactly-once completion from the loop.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/buffer.h>

#include "call/call.h"
#include "common/backoff.h"
#include "common/util.h"

/* Requests from this size on live in a shared buffer sent without copies. */
/* Received messages from this size on are allocated whole (see rx_alloc). */
#define MV_RX_PREALLOC_MIN (1 << 20)

/* ---- received metadata ---- */

void mv_kvlist_clear(mv_kvlist *l)
{
    size_t i;
    for (i = 0; i < l->n; i++) {
        free(l->v[i].name);
        free(l->v[i].value);
    }
    free(l->v);
    l->v = NULL;
    l->n = l->cap = 0;
}

int mv_kvlist_add(mv_kvlist *l, const uint8_t *name, size_t nlen, const uint8_t *value, size_t vlen)
{
    mv_kv *kv;
    if (l->n == l->cap) {
        size_t ncap = l->cap ? l->cap * 2 : 8;
        mv_kv *nv = realloc(l->v, ncap * sizeof(*nv));
        if (!nv)
            return -1;
        l->v = nv;
        l->cap = ncap;
    }
    kv = &l->v[l->n];
    kv->name = malloc(nlen + 1);
    kv->value = malloc(vlen + 1);
    if (!kv->name || !kv->value) {
        free(kv->name);
        free(kv->value);
        return -1;
    }
    memcpy(kv->name, name, nlen);
    kv->name[nlen] = '\0';
    if (vlen)
        memcpy(kv->value, value, vlen);
    kv->value[vlen] = '\0';
    kv->name_len = nlen;
    kv->value_len = vlen;
    l->n++;
    return 0;
}

/* A byte count as limits are written: "1 MiB", "16 KiB", "100 bytes". */
static const char *size_text(size_t n, char buf[32])
{
    if (n >= (1u << 20) && n % (1u << 20) == 0)
        snprintf(buf, 32, "%zu MiB", n >> 20);
    else if (n >= 1024 && n % 1024 == 0)
        snprintf(buf, 32, "%zu KiB", n >> 10);
    else
        snprintf(buf, 32, "%zu bytes", n);
    return buf;
}

static const uint8_t *kv_find(const mv_kvlist *l, const char *name, size_t n, size_t *len)
{
    size_t i, nl;
    if (!l || !name)
        return NULL;
    nl = strlen(name);
    for (i = 0; i < l->n; i++) {
        if (l->v[i].name_len == nl && memcmp(l->v[i].name, name, nl) == 0 && n-- == 0) {
            if (len)
                *len = l->v[i].value_len;
            return l->v[i].value;
        }
    }
    return NULL;
}

/* ---- call options ---- */

milvus_call_options *milvus_call_options_new(void)
{
    milvus_call_options *co = calloc(1, sizeof(*co));
    if (!co)
        return NULL;
    co->retry = 1;
    mv_md_init(&co->md);
    return co;
}

void milvus_call_options_free(milvus_call_options *co)
{
    if (!co)
        return;
    mv_md_free(&co->md);
    mv_opterr_free(&co->err);
    free(co);
}

milvus_call_options *milvus_call_options_dup(const milvus_call_options *co)
{
    milvus_call_options *d;
    if (!co || !(d = milvus_call_options_new()))
        return NULL;
    d->timeout_ms = co->timeout_ms;
    d->idempotent = co->idempotent;
    d->retry = co->retry;
    if (mv_md_copy(&d->md, &co->md) != 0 || mv_opterr_copy(&d->err, &co->err) != 0) {
        milvus_call_options_free(d);
        return NULL;
    }
    return d;
}

int64_t mv_call_options_timeout(const milvus_call_options *co)
{
    return co ? co->timeout_ms : 0;
}

const char *milvus_call_options_last_error(const milvus_call_options *co)
{
    return mv_opterr_msg(co ? &co->err : NULL);
}

milvus_status milvus_call_options_set_timeout_ms(milvus_call_options *co, int64_t ms)
{
    const int64_t max = (int64_t)100 * 365 * 86400 * 1000;
    if (!co)
        return MILVUS_ERR_INVALID_ARGUMENT;
    if (ms < 0 || ms > max)
        return mv_refuse(&co->err, __func__, NULL,
                         "timeout %lld ms is out of range (0 = the channel default, 1..%lld)",
                         (long long)ms, (long long)max);
    co->timeout_ms = ms;
    mv_accept(&co->err, __func__, NULL);
    return MILVUS_OK;
}

milvus_status milvus_call_options_add_metadata(milvus_call_options *co, const char *key,
                                               const void *value, size_t len)
{
    char q[MV_QUOTE_LEN];
    size_t klen;
    int rc;
    if (!co)
        return MILVUS_ERR_INVALID_ARGUMENT;
    if (!key || !mv_md_key_valid(key, klen = strlen(key), 0))
        return mv_refuse(&co->err, __func__, NULL,
                         "key %s is not a valid metadata key (non-empty lowercase [0-9a-z_.-], "
                         "not grpc-* nor a header the transport writes)",
                         mv_quote(q, key));
    /* values are not quoted: metadata may carry credentials */
    if (!value && len)
        return mv_refuse(&co->err, __func__, key, "value of %s is NULL with length %zu",
                         mv_quote(q, key), len);
    if (value && !mv_md_key_is_bin(key, klen) && !mv_md_value_valid(value, len))
        return mv_refuse(&co->err, __func__, key,
                         "value of %s is not printable ASCII (0x20..0x7e; keys ending in -bin "
                         "take binary values)",
                         mv_quote(q, key));
    rc = mv_md_add(&co->md, key, value ? value : "", len);
    if (rc == -2)
        return MILVUS_ERR_NOMEM;
    if (rc)
        return mv_refuse(&co->err, __func__, key, "entry %s refused", mv_quote(q, key));
    mv_accept(&co->err, __func__, key);
    return MILVUS_OK;
}

milvus_status milvus_call_options_set_idempotent(milvus_call_options *co, int idempotent)
{
    if (!co)
        return MILVUS_ERR_INVALID_ARGUMENT;
    co->idempotent = idempotent != 0;
    return MILVUS_OK;
}

milvus_status milvus_call_options_set_retry(milvus_call_options *co, int enable)
{
    if (!co)
        return MILVUS_ERR_INVALID_ARGUMENT;
    co->retry = enable != 0;
    return MILVUS_OK;
}

/* ---- lifecycle ---- */

/* Returns a finished reply's buffer: large ones to the channel cache. */
static void drop_resp(mv_call *c)
{
    if (c->a->resp && c->a->resp_cap)
        mv_rx_cache_put(c->ch, c->a->resp, c->a->resp_cap);
    else if (c->a->resp_pooled)
        mv_pool_free(&c->ch->pool, c->a->resp);
    else
        free(c->a->resp);
    c->a->resp = NULL;
    c->a->resp_pooled = 0;
    c->a->resp_len = c->a->resp_cap = 0;
}

/* The attempt's response metadata is gone: no longer held by the channel. */
static void md_release(mv_call *c)
{
    c->ch->md_held -= c->a->md_held;
    c->a->md_held = 0;
    c->a->header_bytes = c->a->trailer_bytes = c->a->md_fields = 0;
}

static void attempt_free(mv_call *c)
{
    mv_attempt *a = c->a;
    md_release(c);
    free(a->ct);
    mv_deframer_free(&a->df);
    drop_resp(c);
    free(a->grpc_message);
    mv_kvlist_clear(&a->headers);
    mv_kvlist_clear(&a->trailers);
    mv_pool_free(&c->ch->pool, a);
    c->a = NULL;
}

void mv_call_free(mv_call *c)
{
    if (c->a)
        attempt_free(c);
    if (c->deadline_ev)
        event_free(c->deadline_ev);
    if (c->backoff_ev)
        event_free(c->backoff_ev);
    mv_reqbuf_unref(c->rb);
    free(c->message);
    if (c->has_md)
        mv_md_free(&c->md);
    if (c->msgq)
        evbuffer_free(c->msgq);
    if (c->pooled)
        mv_pool_free(&c->ch->pool, c);
    else
        free(c);
}

mv_call *mv_call_alloc(milvus_channel *ch, size_t extra)
{
    mv_call *c;
    if (extra > SIZE_MAX - sizeof(*c))
        return NULL;
    c = mv_pool_alloc(&ch->pool, sizeof(*c) + extra);
    if (!c)
        return NULL;
    memset(c, 0, sizeof(*c));
    c->ch = ch;
    c->pooled = 1;
    return c;
}

/* Deframer hook for a message that spans DATA frames: large messages get
 * their whole length at once (the cached buffer of an earlier reply when
 * big enough, so its pages are already mapped) instead of growing by
 * doubling; the pages of a fresh allocation are only touched as bytes
 * arrive, so an announced-but-unsent length costs address space only. */
static uint8_t *rx_alloc(void *ctx, size_t msg_len, size_t *cap)
{
    mv_call *c = ctx;
    uint8_t *b;
    if (c->streaming || msg_len < MV_RX_PREALLOC_MIN)
        return NULL;
    b = mv_rx_cache_take(c->ch, msg_len, cap);
    if (b)
        return b;
    b = malloc(msg_len);
    if (b)
        *cap = msg_len;
    return b;
}

/* The response state of the current attempt, allocated when its response
 * begins: a call waiting for a stream or for its response does not carry
 * it.  NULL (the call finished) when out of memory. */
static mv_attempt *attempt_get(mv_call *c)
{
    mv_attempt *a = c->a;
    if (a)
        return a;
    a = mv_pool_alloc(&c->ch->pool, sizeof(*a));
    if (!a) {
        mv_call_finish(c, MILVUS_ERR_NOMEM, MILVUS_GRPC_RESOURCE_EXHAUSTED,
                       "out of memory receiving the response");
        return NULL;
    }
    memset(a, 0, sizeof(*a));
    a->grpc_status = -1;
    a->pushback_ms = -1;
    mv_deframer_init(&a->df, c->ch->opts->max_recv);
    mv_deframer_set_alloc(&a->df, rx_alloc, c);
    c->a = a;
    return a;
}

/* The current attempt leaves its stream (reset unless it ended). */
static void call_detach(mv_call *c)
{
    mv_stream *s = c->st;
    c->st = NULL;
    c->ch->ops->detach(s);
}

int mv_call_open(mv_call *c)
{
    milvus_channel *ch = c->ch;
    mv_stream_req r;
    if (c->a)
        attempt_free(c); /* a new attempt reports its own response */
    r.path = c->path;
    r.path_stable = c->path_interned;
    r.req = c->req;
    r.req_len = c->req_len;
    r.rb = c->rb;
    r.deadline_us = c->deadline_us;
    r.md_static = &ch->md;
    r.md_call = c->has_md ? &c->md : NULL;
    r.previous_attempts = c->attempts;
    c->st = ch->ops->open(ch->tp, &r, c);
    if (!c->st)
        return -1;
    c->attempts++;
    c->state = MV_CALL_ACTIVE;
    return 0;
}

static void finish_v(mv_call *c, int status, int code, const char *fmt, va_list ap)
{
    milvus_channel *ch = c->ch;
    if (c->state == MV_CALL_DONE)
        return;
    if (c->st)
        call_detach(c);
    if (c->state == MV_CALL_QUEUED && (c->prev || ch->queue_head == c))
        mv_queue_remove(ch, c);
    if (c->deadline_armed) {
        evtimer_del(c->deadline_ev);
        c->deadline_armed = 0;
    }
    if (c->backoff_armed) {
        evtimer_del(c->backoff_ev);
        c->backoff_armed = 0;
    }
    mv_map_remove(ch, c->id);
    c->state = MV_CALL_DONE;
    c->status = status;
    c->code = code;
    if (fmt && status != MILVUS_OK) {
        /* Formatted whole: a server's message is not cut to a buffer. */
        char buf[256];
        va_list aq;
        int n;
        va_copy(aq, ap);
        n = vsnprintf(buf, sizeof(buf), fmt, aq);
        va_end(aq);
        if (n >= 0 && (size_t)n < sizeof(buf)) {
            c->message = strdup(buf); /* NULL (out of memory) reads as "" */
        } else if (n >= 0 && (c->message = malloc((size_t)n + 1)) != NULL) {
            vsnprintf(c->message, (size_t)n + 1, fmt, ap);
        }
    }
    mv_ready_push(ch, c);
}

void mv_call_finish(mv_call *c, int status, int code, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    finish_v(c, status, code, fmt, ap);
    va_end(ap);
}

static void backoff_cb(evutil_socket_t fd, short what, void *arg);

/* Response headers of the current attempt arrived (gRFC A6). */
static int committed(const mv_call *c)
{
    return c->a && c->a->committed;
}

static int64_t pushback_ms(const mv_call *c)
{
    return c->a ? c->a->pushback_ms : -1;
}

static int deadline_passed(const mv_call *c)
{
    return c->deadline_us && mv_now_us() >= c->deadline_us;
}

static void arm(struct event *ev, int64_t ms)
{
    struct timeval tv;
    mv_tv_from_ms(&tv, ms);
    evtimer_add(ev, &tv);
}

/* Ends a call whose deadline passed.  A call that never reached the
 * server (still queued, or its last attempt refused unprocessed) says why
 * it could not be sent; `last` is the last attempt's error, if any. */
static void finish_deadline(mv_call *c, int unsent, const char *last)
{
    milvus_channel *ch = c->ch;
    if (unsent && ch->conn_err_status) {
        mv_call_finish(c, ch->conn_err_status, MILVUS_GRPC_UNAVAILABLE,
                       "deadline of %lld ms passed before a connection: %s",
                       (long long)c->timeout_ms, ch->conn_err);
        return;
    }
    if (unsent) {
        /* Connected, yet never sent: say why. */
        long limit = ch->ops->stream_limit(ch->tp);
        if (limit == 0) {
            mv_call_finish(c, MILVUS_ERR_TIMEOUT, MILVUS_GRPC_DEADLINE_EXCEEDED,
                           "deadline of %lld ms exceeded before the call was sent: the server "
                           "allows 0 concurrent streams (SETTINGS_MAX_CONCURRENT_STREAMS 0)",
                           (long long)c->timeout_ms);
            return;
        }
        if (limit < 0 && !last) {
            mv_call_finish(c, MILVUS_ERR_TIMEOUT, MILVUS_GRPC_DEADLINE_EXCEEDED,
                           "deadline of %lld ms exceeded before the call was sent: still "
                           "connecting to %s",
                           (long long)c->timeout_ms, ch->authority ? ch->authority : "the server");
            return;
        }
        if (limit > 0 && !last) {
            mv_call_finish(c, MILVUS_ERR_TIMEOUT, MILVUS_GRPC_DEADLINE_EXCEEDED,
                           "deadline of %lld ms exceeded before the call was sent: waiting for "
                           "one of the %ld concurrent streams the server allows",
                           (long long)c->timeout_ms, limit);
            return;
        }
    }
    if (!unsent && !last && c->st && !ch->ops->heard_from_peer(c->st)) {
        mv_call_finish(c, MILVUS_ERR_TIMEOUT, MILVUS_GRPC_DEADLINE_EXCEEDED,
                       "deadline of %lld ms exceeded: the call was sent, but the server has "
                       "sent nothing on the connection, not even its HTTP/2 SETTINGS (is it "
                       "a gRPC server, and does it expect TLS?)",
                       (long long)c->timeout_ms);
        return;
    }
    if (last)
        mv_call_finish(c, MILVUS_ERR_TIMEOUT, MILVUS_GRPC_DEADLINE_EXCEEDED,
                       "deadline of %lld ms exceeded (%s)", (long long)c->timeout_ms, last);
    else
        mv_call_finish(c, MILVUS_ERR_TIMEOUT, MILVUS_GRPC_DEADLINE_EXCEEDED,
                       "deadline of %lld ms exceeded", (long long)c->timeout_ms);
}

void mv_call_attempt_failed(mv_call *c, int unprocessed, int status, int code, const char *msg)
{
    milvus_channel *ch = c->ch;
    const milvus_options *o = ch->opts;
    if (c->state == MV_CALL_DONE)
        return;
    if (c->st)
        call_detach(c);
    if (deadline_passed(c)) {
        finish_deadline(c, unprocessed && !committed(c), msg);
        return;
    }
    if (ch->freeing) {
        mv_call_finish(c, status, code, "%s", msg);
        return;
    }
    /* gRFC A6 transparent retry: the server never saw the call. */
    if (unprocessed && c->transparent < 16) {
        c->transparent++;
        if (c->attempts > 0)
            c->attempts--;
        mv_log(ch->opts, MILVUS_LOG_DEBUG, "call %llu: retrying unprocessed attempt (%s)",
               (unsigned long long)c->id, msg);
        mv_queue_push(ch, c);
        mv_schedule_work(ch);
        return;
    }
    if (code == MILVUS_GRPC_UNAVAILABLE && c->retry_enabled && (!committed(c) || c->idempotent) &&
        c->attempts < o->retry_max_attempts && pushback_ms(c) != -2) {
        int64_t ms;
        if (pushback_ms(c) >= 0) {
            ms = pushback_ms(c);
        } else {
            mv_backoff b = {o->retry_initial_ms, o->retry_max_ms, o->retry_multiplier};
            ms = mv_backoff_delay(&b, c->attempts, mv_jitter(&ch->rng));
        }
        mv_log(ch->opts, MILVUS_LOG_INFO, "call %llu: attempt %d failed (%s); retrying in %lld ms",
               (unsigned long long)c->id, c->attempts, msg, (long long)ms);
        if (!c->backoff_ev && !(c->backoff_ev = evtimer_new(ch->base, backoff_cb, c))) {
            mv_call_finish(c, MILVUS_ERR_NOMEM, MILVUS_GRPC_RESOURCE_EXHAUSTED,
                           "out of memory arming the retry timer (%s)", msg);
            return;
        }
        c->state = MV_CALL_BACKOFF;
        c->backoff_armed = 1;
        arm(c->backoff_ev, ms);
        return;
    }
    if (status == MILVUS_ERR_GRPC || status == MILVUS_ERR_PROTOCOL || status == MILVUS_ERR_NOMEM ||
        status == MILVUS_ERR_CLOSED)
        mv_call_finish(c, status, code, "%s", msg);
    else
        mv_call_finish(c, MILVUS_ERR_DISCONNECTED, code, "%s", msg);
}

/* ---- response processing ---- */

static int64_t parse_pushback(const uint8_t *v, size_t n)
{
    int64_t ms = 0;
    size_t i;
    if (n == 0 || n > 10)
        return -2;
    for (i = 0; i < n; i++) {
        if (v[i] < '0' || v[i] > '9')
            return -2; /* negative or garbage: do not retry (gRFC A6) */
        ms = ms * 10 + (v[i] - '0');
    }
    return ms;
}

static int store_md(mv_kvlist *l, const uint8_t *name, size_t nlen, const uint8_t *value,
                    size_t vlen)
{
    if (mv_md_key_is_bin((const char *)name, nlen)) {
        size_t dl = 0;
        int invalid = 0;
        uint8_t *dec = mv_base64_decode((const char *)value, vlen, &dl, &invalid);
        if (dec) {
            int rc = mv_kvlist_add(l, name, nlen, dec, dl);
            free(dec);
            return rc;
        }
        if (!invalid)
            return -1;
    }
    return mv_kvlist_add(l, name, nlen, value, vlen);
}

/* Counts a response field against the limits of transport.h; past one,
 * fails the call (its stream is reset; the connection goes on, the rest of
 * the header block is decoded for HPACK and dropped) and returns -1. */
static int md_account(mv_call *c, size_t nlen, size_t vlen)
{
    milvus_channel *ch = c->ch;
    size_t *used = c->a->hdr_to_trailers ? &c->a->trailer_bytes : &c->a->header_bytes;
    size_t field = nlen + vlen + 32; /* RFC 9113 6.5.2 */
    char lim[32];
    if (++c->a->md_fields > MV_MAX_METADATA_FIELDS) {
        mv_call_finish(c, MILVUS_ERR_PROTOCOL, MILVUS_GRPC_RESOURCE_EXHAUSTED,
                       "response metadata has more than %d fields", MV_MAX_METADATA_FIELDS);
        return -1;
    }
    if (field > MV_MAX_HEADER_LIST - *used) {
        mv_call_finish(c, MILVUS_ERR_PROTOCOL, MILVUS_GRPC_RESOURCE_EXHAUSTED,
                       "response %s exceed %s (SETTINGS_MAX_HEADER_LIST_SIZE)",
                       c->a->hdr_to_trailers ? "trailers" : "headers",
                       size_text(MV_MAX_HEADER_LIST, lim));
        return -1;
    }
    if (field > MV_MAX_METADATA_HELD - ch->md_held) {
        mv_call_finish(c, MILVUS_ERR_PROTOCOL, MILVUS_GRPC_RESOURCE_EXHAUSTED,
                       "response metadata held by the channel's calls exceeds %s",
                       size_text(MV_MAX_METADATA_HELD, lim));
        return -1;
    }
    *used += field;
    c->a->md_held += field;
    ch->md_held += field;
    return 0;
}

/* A copy of text for a message, cut after a word (and marked) when longer
 * than max bytes. */
static char *text_copy(const uint8_t *v, size_t n, size_t max)
{
    size_t cut = n;
    char *t;
    if (n > max) {
        cut = max;
        while (cut > max / 2 && v[cut] != ' ' && v[cut] != ';' && v[cut] != ',')
            cut--;
        if (cut <= max / 2)
            for (cut = max; cut > 0 && (v[cut] & 0xc0) == 0x80; cut--)
                ;
    }
    t = malloc(cut + 4);
    if (!t)
        return NULL;
    memcpy(t, v, cut);
    if (cut < n)
        memcpy(t + cut, "\xe2\x80\xa6", 3); /* U+2026 */
    t[cut + (cut < n ? 3 : 0)] = '\0';
    return t;
}

/* No memory to keep a response field: the call ends with NOMEM here (its
 * stream is reset as the others are), not as a protocol error. */
static int md_nomem(mv_call *c)
{
    mv_call_finish(c, MILVUS_ERR_NOMEM, MILVUS_GRPC_RESOURCE_EXHAUSTED,
                   "out of memory for the response metadata");
    return 0; /* as for a limit: the call is over, the connection goes on */
}

void mv_call_on_headers_begin(void *user, int trailers)
{
    mv_call *c = user;
    mv_attempt *a;
    if (c->state != MV_CALL_ACTIVE || !(a = attempt_get(c)))
        return;
    a->hdr_to_trailers = trailers != 0;
}

int mv_call_on_header(void *user, const uint8_t *name, size_t nlen, const uint8_t *value,
                      size_t vlen)
{
    mv_call *c = user;
    if (c->state != MV_CALL_ACTIVE || !attempt_get(c))
        return 0;
    if (md_account(c, nlen, vlen) != 0)
        return 0;
    if (nlen > 0 && name[0] == ':') {
        if (nlen == 7 && memcmp(name, ":status", 7) == 0) {
            int st = 0;
            size_t i;
            for (i = 0; i < vlen && i < 3; i++)
                st = st * 10 + (value[i] - '0');
            c->a->http_status = st;
        }
        return 0;
    }
    if (nlen == 12 && memcmp(name, "content-type", 12) == 0) {
        /* Kept only for the error message of a non-gRPC peer. */
        c->a->ct_seen = 1;
        c->a->ct_ok = mv_content_type_is_grpc((const char *)value, vlen) != 0;
        free(c->a->ct);
        c->a->ct = c->a->ct_ok ? NULL : text_copy(value, vlen, 100);
        return 0;
    }
    if (c->a->hdr_to_trailers) {
        if (nlen == 11 && memcmp(name, "grpc-status", 11) == 0) {
            int code;
            if (mv_grpc_status_parse((const char *)value, vlen, &code) != 0)
                code = MILVUS_GRPC_UNKNOWN;
            c->a->grpc_status = code;
            return 0;
        }
        if (nlen == 12 && memcmp(name, "grpc-message", 12) == 0) {
            free(c->a->grpc_message);
            /* Empty (as servers send it with OK): nothing to keep.  The
             * decoded bytes are kept whole, with their length: a %00 does
             * not end them. */
            c->a->grpc_message_len = 0;
            c->a->grpc_message =
                vlen ? mv_percent_decode((const char *)value, vlen, &c->a->grpc_message_len) : NULL;
            return 0;
        }
        if (nlen == 22 && memcmp(name, "grpc-retry-pushback-ms", 22) == 0)
            c->a->pushback_ms = parse_pushback(value, vlen);
        if (store_md(&c->a->trailers, name, nlen, value, vlen) != 0)
            return md_nomem(c);
        return 0;
    }
    return store_md(&c->a->headers, name, nlen, value, vlen) != 0 ? md_nomem(c) : 0;
}

static int on_deframed(const uint8_t *msg, size_t len, void *ctx)
{
    mv_call *c = ctx;
    c->a->nmsgs++;
    if (c->streaming) {
        uint32_t n = (uint32_t)len;
        if (!c->msgq && !(c->msgq = evbuffer_new()))
            return -1;
        if (evbuffer_add(c->msgq, &n, sizeof(n)) != 0 || evbuffer_add(c->msgq, msg, len) != 0)
            return -1;
        mv_ready_push(c->ch, c);
        return 0;
    }
    if (c->a->nmsgs > 1)
        return 0; /* cardinality violation, reported at the end */
    if (len && msg == c->a->df.buf) {
        /* A message split over DATA frames was assembled by the deframer:
         * take its buffer instead of copying it again. */
        c->a->resp = c->a->df.buf;
        c->a->resp_len = len;
        c->a->resp_cap = c->a->df.buf_cap >= MV_RX_PREALLOC_MIN ? c->a->df.buf_cap : 0;
        c->a->df.buf = NULL;
        c->a->df.buf_cap = 0;
        return 0;
    }
    /* Small replies, the common case, reuse the channel's blocks. */
    c->a->resp = mv_pool_alloc(&c->ch->pool, len ? len : 1);
    if (!c->a->resp)
        return -1;
    c->a->resp_pooled = 1;
    memcpy(c->a->resp, msg, len);
    c->a->resp_len = len;
    return 0;
}

void mv_call_on_data(void *user, const uint8_t *data, size_t len)
{
    mv_call *c = user;
    int rc;
    if (c->state != MV_CALL_ACTIVE || !attempt_get(c))
        return;
    rc = mv_deframer_feed(&c->a->df, data, len, on_deframed, c);
    switch (rc) {
    case MV_DEFRAME_OK: return;
    case MV_DEFRAME_TOO_LARGE:
        mv_call_finish(c, MILVUS_ERR_GRPC, MILVUS_GRPC_RESOURCE_EXHAUSTED,
                       "received message larger than max (%lu vs. %zu)",
                       (unsigned long)c->a->df.too_large, c->ch->opts->max_recv);
        return;
    case MV_DEFRAME_COMPRESSED: {
        /* The client offers identity only (grpc-accept-encoding): say
         * which encoding the server used anyway, if it named one. */
        size_t el = 0;
        const uint8_t *enc = kv_find(&c->a->headers, "grpc-encoding", 0, &el);
        char *e = enc ? text_copy(enc, el, 64) : NULL;
        if (!enc)
            mv_call_finish(c, MILVUS_ERR_PROTOCOL, MILVUS_GRPC_INTERNAL,
                           "compressed message without grpc-encoding");
        else if (el == 8 && memcmp(enc, "identity", 8) == 0)
            mv_call_finish(c, MILVUS_ERR_PROTOCOL, MILVUS_GRPC_INTERNAL,
                           "message flagged compressed with grpc-encoding \"identity\"");
        else
            mv_call_finish(c, MILVUS_ERR_PROTOCOL, MILVUS_GRPC_INTERNAL,
                           "message compressed with grpc-encoding \"%s\", an encoding the client "
                           "did not offer (grpc-accept-encoding: identity)",
                           e ? e : "?");
        free(e);
        return;
    }
    case MV_DEFRAME_BAD_FLAG:
        mv_call_finish(c, MILVUS_ERR_PROTOCOL, MILVUS_GRPC_INTERNAL,
                       "invalid message compression flag");
        return;
    default:
        mv_call_finish(c, MILVUS_ERR_NOMEM, MILVUS_GRPC_RESOURCE_EXHAUSTED,
                       "out of memory receiving a message");
        return;
    }
}

/* Final response headers: they commit the call (gRFC A6); non-gRPC
 * peers are rejected here. */
void mv_call_on_headers_end(void *user)
{
    mv_call *c = user;
    if (c->state != MV_CALL_ACTIVE || !attempt_get(c))
        return;
    c->a->committed = 1;
    /* Do not feed an HTML page or a REST answer to the deframer. */
    if (c->a->http_status != 200)
        mv_call_finish(c, MILVUS_ERR_GRPC, mv_http_to_grpc(c->a->http_status),
                       "HTTP status %d: the peer is not a gRPC server", c->a->http_status);
    else if (!c->a->ct_seen)
        mv_call_finish(c, MILVUS_ERR_PROTOCOL, MILVUS_GRPC_UNKNOWN,
                       "the peer is not a gRPC server (no content-type)");
    else if (!c->a->ct_ok)
        mv_call_finish(c, MILVUS_ERR_PROTOCOL, MILVUS_GRPC_UNKNOWN,
                       "the peer is not a gRPC server (content-type \"%s\")",
                       c->a->ct ? c->a->ct : "");
}

/* The stream ended (END_STREAM received): the gRPC result. */
void mv_call_on_end(void *user)
{
    mv_call *c = user;
    if (c->state != MV_CALL_ACTIVE || !attempt_get(c))
        return;
    if (c->a->http_status != 200 && c->a->grpc_status < 0) {
        mv_call_finish(c, MILVUS_ERR_GRPC, mv_http_to_grpc(c->a->http_status),
                       "HTTP status %d without a gRPC status: the peer is not a gRPC server",
                       c->a->http_status);
        return;
    }
    if (c->a->http_status == 200 && c->a->ct_seen && !c->a->ct_ok) {
        mv_call_finish(c, MILVUS_ERR_PROTOCOL, MILVUS_GRPC_UNKNOWN,
                       "the peer is not a gRPC server (content-type \"%s\")",
                       c->a->ct ? c->a->ct : "");
        return;
    }
    if (c->a->grpc_status < 0) {
        if (!c->a->ct_seen)
            mv_call_finish(c, MILVUS_ERR_PROTOCOL, MILVUS_GRPC_UNKNOWN,
                           "the peer is not a gRPC server (no content-type, no grpc-status)");
        else
            mv_call_finish(c, MILVUS_ERR_PROTOCOL, MILVUS_GRPC_INTERNAL,
                           "server closed the stream without sending trailers (no grpc-status)");
        return;
    }
    if (c->a->grpc_status != MILVUS_GRPC_OK) {
        /* The message as a C string: whole, a NUL in it shown as \x00. */
        char *gm = c->a->grpc_message ? mv_message_text((const uint8_t *)c->a->grpc_message,
                                                        c->a->grpc_message_len)
                                      : NULL;
        if (c->a->grpc_status == MILVUS_GRPC_UNAVAILABLE)
            mv_call_attempt_failed(c, 0, MILVUS_ERR_GRPC, MILVUS_GRPC_UNAVAILABLE, gm ? gm : "");
        else
            mv_call_finish(c, MILVUS_ERR_GRPC, c->a->grpc_status, "%s", gm ? gm : "");
        free(gm);
        return;
    }
    if (mv_deframer_finish(&c->a->df) != MV_DEFRAME_OK) {
        mv_call_finish(c, MILVUS_ERR_PROTOCOL, MILVUS_GRPC_INTERNAL,
                       "the stream ended inside a message");
        return;
    }
    if (!c->streaming && c->a->nmsgs != 1) {
        mv_call_finish(c, MILVUS_ERR_PROTOCOL, MILVUS_GRPC_UNIMPLEMENTED,
                       "unary response carried %d messages instead of 1", c->a->nmsgs);
        return;
    }
    mv_call_finish(c, MILVUS_OK, MILVUS_GRPC_OK, NULL);
}

/* The transport closed the attempt's stream. */
void mv_call_on_close(void *user, int how, int status, int code, uint32_t rst_code, const char *msg)
{
    mv_call *c = user;
    c->st = NULL; /* already freed */
    if (how == MV_STREAM_RESET)
        code = mv_rst_to_grpc(rst_code, deadline_passed(c));
    mv_call_attempt_failed(c, how == MV_STREAM_UNPROCESSED, status, code, msg);
}

/* What the current message still expects (the transport's receive mark). */
size_t mv_call_rx_due(void *user)
{
    mv_call *c = user;
    return c->state == MV_CALL_ACTIVE && c->a ? mv_deframer_pending(&c->a->df) : 0;
}

/* ---- timers ---- */

static void deadline_cb(evutil_socket_t fd, short what, void *arg)
{
    mv_call *c = arg;
    (void)fd;
    (void)what;
    c->deadline_armed = 0;
    finish_deadline(c, c->state == MV_CALL_QUEUED, NULL);
}

static void backoff_cb(evutil_socket_t fd, short what, void *arg)
{
    mv_call *c = arg;
    (void)fd;
    (void)what;
    c->backoff_armed = 0;
    if (c->state != MV_CALL_BACKOFF)
        return;
    mv_queue_push(c->ch, c);
    mv_schedule_work(c->ch);
}

/* ---- delivery ---- */

static const mv_kvlist no_md;

void mv_call_deliver(mv_call *c)
{
    milvus_channel *ch = c->ch;
    milvus_reply r;
    c->delivering = 1;
    while (c->msgq && evbuffer_get_length(c->msgq) >= 4) {
        uint32_t n;
        uint8_t *p;
        int rv;
        if (c->state == MV_CALL_DONE &&
            (c->status == MILVUS_ERR_CANCELLED || c->status == MILVUS_ERR_TIMEOUT))
            break;
        evbuffer_copyout(c->msgq, &n, sizeof(n));
        p = evbuffer_pullup(c->msgq, (ev_ssize_t)(sizeof(n) + n));
        if (!p)
            break;
        rv = c->on_msg ? c->on_msg(ch, p + sizeof(n), n, c->ctx) : 0;
        evbuffer_drain(c->msgq, sizeof(n) + n);
        if (rv != 0 && c->state != MV_CALL_DONE)
            mv_call_finish(c, MILVUS_ERR_CANCELLED, MILVUS_GRPC_CANCELLED,
                           "cancelled by the message callback");
    }
    if (c->state != MV_CALL_DONE) {
        c->delivering = 0;
        return;
    }
    mv_ready_remove(ch, c);
    r.status = c->status;
    r.grpc_code = c->code;
    r.message = c->message ? c->message : "";
    if (c->a) {
        r.grpc_message = (const uint8_t *)c->a->grpc_message;
        r.grpc_message_len = c->a->grpc_message ? c->a->grpc_message_len : 0;
        r.data = c->streaming ? NULL : c->a->resp;
        r.data_len = c->streaming ? 0 : c->a->resp_len;
        r.headers = &c->a->headers;
        r.trailers = &c->a->trailers;
    } else { /* never sent */
        r.grpc_message = NULL;
        r.grpc_message_len = 0;
        r.data = NULL;
        r.data_len = 0;
        r.headers = r.trailers = &no_md;
    }
    r.attempts = c->attempts;
    c->cb(ch, c->status, &r, c->ctx);
    ch->pending--;
    mv_call_free(c);
}

/* ---- submission ---- */

static int submit_checked(milvus_channel *ch, const char *path, const void *req, size_t req_len,
                          mv_reqbuf **rbp, const milvus_call_options *co, milvus_message_cb on_msg,
                          milvus_reply_cb cb, void *ctx, int streaming);

static int path_valid(const char *p)
{
    if (p[0] != '/' || !p[1])
        return 0;
    for (; *p; p++)
        if ((unsigned char)*p <= 0x20 || (unsigned char)*p >= 0x7f)
            return 0;
    return 1;
}

/* rb (owned request) or req/req_len (copied): exactly one is used. */
static int submit(milvus_channel *ch, const char *path, const void *req, size_t req_len,
                  mv_reqbuf *rb, const milvus_call_options *co, milvus_message_cb on_msg,
                  milvus_reply_cb cb, void *ctx, int streaming)
{
    /* submit_checked clears rb once a call owns the reference. */
    int rc = submit_checked(ch, path, req, req_len, &rb, co, on_msg, cb, ctx, streaming);
    mv_reqbuf_unref(rb);
    return rc;
}

static int submit_checked(milvus_channel *ch, const char *path, const void *req, size_t req_len,
                          mv_reqbuf **rbp, const milvus_call_options *co, milvus_message_cb on_msg,
                          milvus_reply_cb cb, void *ctx, int streaming)
{
    const milvus_options *o;
    size_t plen, inline_len;
    const char *ipath;
    int64_t timeout_ms;
    mv_call *c;
    mv_reqbuf *rb = *rbp;
    if (rb)
        req_len = rb->len - MV_FRAME_HDR;
    if (!ch)
        return MILVUS_ERR_INVALID_ARGUMENT;
    o = ch->opts;
    if (!path || !cb || (!rb && !req && req_len) || !path_valid(path)) {
        mv_set_error(ch, "invalid argument: %s",
                     !path || !path_valid(path) ? "method path must look like /pkg.Service/Method"
                     : !cb                      ? "callback is NULL"
                                                : "request is NULL");
        return MILVUS_ERR_INVALID_ARGUMENT;
    }
    if (co && co->err.list) {
        mv_set_error(ch, "%s: invalid call options: %s", streaming ? "server_stream" : "unary",
                     mv_opterr_msg(&co->err));
        return MILVUS_ERR_INVALID_ARGUMENT;
    }
    if (ch->closing || ch->freeing) {
        mv_set_error(ch, "the channel is closed");
        return MILVUS_ERR_CLOSED;
    }
    if (req_len > o->max_send) {
        mv_set_error(ch, "request of %zu bytes exceeds max send size %zu", req_len, o->max_send);
        return MILVUS_ERR_TOO_LARGE;
    }
    if (ch->pending >= o->max_pending) {
        mv_set_error(ch, "%zu calls pending: max_pending reached", ch->pending);
        return MILVUS_ERR_BUSY;
    }
    plen = strlen(path);
    ipath = mv_path_intern(ch, path, plen);
    if (!rb && req_len >= MV_REQ_SHARED_MIN) {
        rb = *rbp = mv_reqbuf_new(req_len);
        if (!rb) {
            mv_set_error(ch, "out of memory");
            return MILVUS_ERR_NOMEM;
        }
        memcpy(mv_reqbuf_payload(rb), req, req_len);
    }
    inline_len = rb ? 0 : MV_FRAME_HDR + req_len;
    if (ipath)
        plen = 0; /* no copy */
    else
        plen++;
    /* One allocation: call, (framed request when small), path copy. */
    c = mv_call_alloc(ch, inline_len + plen);
    if (!c) {
        mv_set_error(ch, "out of memory");
        return MILVUS_ERR_NOMEM;
    }
    if (ipath) {
        c->path = ipath;
        c->path_interned = 1;
    } else {
        c->path = (char *)(c + 1) + inline_len;
        memcpy((char *)(c + 1) + inline_len, path, plen);
    }
    if (rb) {
        c->rb = rb; /* the reference is the call's from here on */
        *rbp = NULL;
        c->req = c->rb->data;
        c->req_len = c->rb->len;
        mv_frame_header(c->req, (uint32_t)(c->req_len - MV_FRAME_HDR), 0);
    } else {
        c->req = (uint8_t *)(c + 1);
        mv_frame_header(c->req, (uint32_t)req_len, 0);
        if (req_len)
            memcpy(c->req + MV_FRAME_HDR, req, req_len);
        c->req_len = inline_len;
    }
    c->streaming = streaming != 0;
    c->idempotent = co ? co->idempotent != 0 : 0;
    c->retry_enabled = co ? co->retry != 0 : 1;
    c->cb = cb;
    c->on_msg = on_msg;
    c->ctx = ctx;
    if (co && co->md.n) {
        c->has_md = 1; /* before the copy: what a failed copy reserved is freed too */
        if (mv_md_copy(&c->md, &co->md) != 0) {
            mv_call_free(c);
            mv_set_error(ch, "out of memory");
            return MILVUS_ERR_NOMEM;
        }
    }
    c->id = ch->next_id++;
    if (mv_map_insert(ch, c) != 0) {
        mv_call_free(c);
        mv_set_error(ch, "out of memory");
        return MILVUS_ERR_NOMEM;
    }
    timeout_ms = co && co->timeout_ms ? co->timeout_ms : o->call_timeout_ms;
    if (timeout_ms > 0) {
        struct timeval tv;
        c->deadline_ev = evtimer_new(ch->base, deadline_cb, c);
        if (!c->deadline_ev) {
            mv_map_remove(ch, c->id);
            mv_call_free(c);
            mv_set_error(ch, "out of memory");
            return MILVUS_ERR_NOMEM;
        }
        c->timeout_ms = timeout_ms;
        c->deadline_us = mv_now_us() + timeout_ms * 1000;
        evtimer_add(c->deadline_ev, mv_timeout_tv(ch, timeout_ms, &tv));
        c->deadline_armed = 1;
    }
    ch->pending++;
    mv_queue_push(ch, c);
    mv_schedule_work(ch);
    ch->last_call = c->id;
    return MILVUS_OK;
}

milvus_status milvus_channel_unary(milvus_channel *ch, const char *method_path, const void *req,
                                   size_t req_len, const milvus_call_options *co,
                                   milvus_reply_cb cb, void *ctx)
{
    return submit(ch, method_path, req, req_len, NULL, co, NULL, cb, ctx, 0);
}

milvus_status mv_channel_unary_owned(milvus_channel *ch, const char *method_path, mv_reqbuf *rb,
                                     const milvus_call_options *co, milvus_reply_cb cb, void *ctx)
{
    if (!rb) {
        if (ch)
            mv_set_error(ch, "invalid argument: request is NULL");
        return MILVUS_ERR_INVALID_ARGUMENT;
    }
    return submit(ch, method_path, NULL, 0, rb, co, NULL, cb, ctx, 0);
}

milvus_status milvus_channel_server_stream(milvus_channel *ch, const char *method_path,
                                           const void *req, size_t req_len,
                                           const milvus_call_options *co,
                                           milvus_message_cb on_message, milvus_reply_cb cb,
                                           void *ctx)
{
    if (!on_message) {
        if (ch)
            mv_set_error(ch, "invalid argument: message callback is NULL");
        return MILVUS_ERR_INVALID_ARGUMENT;
    }
    return submit(ch, method_path, req, req_len, NULL, co, on_message, cb, ctx, 1);
}

milvus_call_id milvus_channel_last_call(const milvus_channel *ch)
{
    return ch ? ch->last_call : 0;
}

milvus_status milvus_channel_cancel(milvus_channel *ch, milvus_call_id id)
{
    mv_call *c;
    if (!ch)
        return MILVUS_ERR_INVALID_ARGUMENT;
    c = mv_map_find(ch, id);
    if (c)
        mv_call_finish(c, MILVUS_ERR_CANCELLED, MILVUS_GRPC_CANCELLED, "cancelled by the client");
    return MILVUS_OK;
}

/* ---- reply accessors ---- */

int milvus_reply_status(const milvus_reply *r)
{
    return r ? r->status : MILVUS_ERR_INVALID_ARGUMENT;
}

int milvus_reply_grpc_code(const milvus_reply *r)
{
    return r ? r->grpc_code : MILVUS_GRPC_UNKNOWN;
}

const char *milvus_reply_message(const milvus_reply *r)
{
    return r && r->message ? r->message : "";
}

const uint8_t *milvus_reply_grpc_message_bytes(const milvus_reply *r, size_t *len)
{
    if (len)
        *len = r && r->grpc_message ? r->grpc_message_len : 0;
    return r ? r->grpc_message : NULL;
}

const uint8_t *milvus_reply_data(const milvus_reply *r, size_t *len)
{
    if (len)
        *len = r ? r->data_len : 0;
    return r ? r->data : NULL;
}

const uint8_t *milvus_reply_header(const milvus_reply *r, const char *name, size_t n, size_t *len)
{
    return r ? kv_find(r->headers, name, n, len) : NULL;
}

const uint8_t *milvus_reply_trailer(const milvus_reply *r, const char *name, size_t n, size_t *len)
{
    return r ? kv_find(r->trailers, name, n, len) : NULL;
}

int milvus_reply_attempts(const milvus_reply *r)
{
    return r ? r->attempts : 0;
}
