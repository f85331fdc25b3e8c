/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Layer 3 — call: the channel (queue of calls waiting for a stream, id
 * map, ready list, dispatch, the work event that runs all user callbacks)
 * and the generic RPC on it (gRPC response semantics, retries, deadlines,
 * cancel, exactly-once delivery).  Internal to libmilvus.
 *
 * The channel reaches its transport only through the ops table below and
 * hears from it only through the transport's callbacks table
 * (mv_channel_transport_cbs): the real one is src/transport, a unit test
 * installs a fake one (mv_channel_set_transport).
 *
 * Event flow: user code (callbacks) runs only from the channel's "work"
 * event (completions and stream messages) and from milvus_channel_free().
 * Nothing user-visible runs inside transport callbacks, so those never see
 * the channel disappear under them.
 */
#ifndef MV_CALL_H
#define MV_CALL_H

#include <stdarg.h>
#include <stdint.h>

#include <event2/event.h>
#include <event2/event_struct.h>

#include <milvus/channel.h>

#include "common/options_internal.h"
#include "common/pool.h"
#include "call/submit.h"
#include "common/reqbuf.h"
#include "transport/transport.h"
#include "wire/grpc_wire.h"

typedef struct mv_call mv_call;

/* Received metadata (headers or trailers): unvalidated, "-bin" decoded. */
typedef struct mv_kv {
    char *name;
    uint8_t *value;
    size_t name_len, value_len;
} mv_kv;

typedef struct mv_kvlist {
    mv_kv *v;
    size_t n, cap;
} mv_kvlist;

void mv_kvlist_clear(mv_kvlist *l);
int mv_kvlist_add(mv_kvlist *l, const uint8_t *name, size_t nlen, const uint8_t *value,
                  size_t vlen);

struct milvus_reply {
    int status;
    int grpc_code;
    const char *message;
    const uint8_t *grpc_message; /* decoded, as received; NULL: none */
    size_t grpc_message_len;
    const uint8_t *data;
    size_t data_len;
    const mv_kvlist *headers;
    const mv_kvlist *trailers;
    int attempts;
};

struct milvus_call_options {
    int64_t timeout_ms;
    int idempotent;
    int retry;
    mv_md md;
    mv_opterr err; /* refused setter values */
};

/* ---- the transport as the channel sees it ----
 * t is the transport object given to mv_channel_set_transport (the
 * channel's own mv_transport by default); streams are opaque here. */
typedef struct mv_transport_ops {
    int (*has_room)(void *t);
    mv_stream *(*open)(void *t, const mv_stream_req *r, void *user);
    void (*detach)(mv_stream *s);
    int (*heard_from_peer)(const mv_stream *s);
    void (*connect)(void *t);
    void (*flush)(void *t);
    void (*close)(void *t, int status, const char *msg);
    long (*stream_limit)(const void *t);
    void (*destroy)(void *t);
} mv_transport_ops;

/* What the channel registers with its transport (user: the channel for
 * connection events, the call for stream events). */
extern const mv_transport_cbs mv_channel_transport_cbs;

enum mv_call_state {
    MV_CALL_QUEUED,  /* waiting for a connection with room */
    MV_CALL_ACTIVE,  /* on a stream */
    MV_CALL_BACKOFF, /* waiting to retry */
    MV_CALL_DONE,    /* result decided, callback not yet delivered */
};

/* The response state of a call's attempt: allocated when the first
 * attempt starts (a call waiting in the queue does not carry it), reset
 * for each later one, and kept until delivery, which reports the last
 * attempt's headers, trailers and grpc-message. */
typedef struct mv_attempt {
    unsigned committed : 1; /* response headers received */
    unsigned hdr_to_trailers : 1;
    unsigned ct_ok : 1;
    unsigned ct_seen : 1;
    unsigned resp_pooled : 1; /* resp is a block of the channel's pool */
    int http_status;
    int grpc_status; /* -1: none */
    int nmsgs;
    char *ct;           /* content-type when it is not gRPC, for messages */
    char *grpc_message; /* decoded (NUL-terminated, may hold NULs) */
    size_t grpc_message_len;
    int64_t pushback_ms; /* -1: none, -2: "do not retry" */
    mv_deframer df;
    uint8_t *resp;
    size_t resp_len;
    size_t resp_cap; /* allocated size of resp (reused for large replies) */
    mv_kvlist headers, trailers;
    /* Response metadata of the attempt (see MV_MAX_HEADER_LIST): bytes of
     * the headers and of the trailers, fields, and the bytes counted in
     * ch->md_held. */
    size_t header_bytes, trailer_bytes, md_fields, md_held;
} mv_attempt;

struct mv_call {
    milvus_channel *ch;
    milvus_call_id id;
    int state;
    unsigned streaming : 1;
    unsigned idempotent : 1;
    unsigned retry_enabled : 1;
    unsigned has_md : 1;
    unsigned in_ready : 1;   /* linked on ch->ready */
    unsigned delivering : 1; /* a user callback of this call is running */
    unsigned deadline_armed : 1;
    unsigned backoff_armed : 1;
    unsigned path_interned : 1; /* path lives as long as the channel */
    unsigned pooled : 1;        /* from mv_call_alloc (the channel's pool) */
    int attempts;
    int transparent;
    const char *path; /* interned in the channel, or copied after the call */
    uint8_t *req;     /* framed request: 5-byte prefix + payload */
    size_t req_len;
    mv_reqbuf *rb; /* when req lives in a shared buffer (large requests) */
    mv_md md;
    int64_t deadline_us; /* monotonic; 0: none */
    int64_t timeout_ms;
    milvus_reply_cb cb;
    milvus_message_cb on_msg;
    void *ctx;
    /* Timers are allocated when first needed: most calls have no backoff
     * and many no deadline (pending calls are kept small). */
    struct event *deadline_ev;
    struct event *backoff_ev;

    mv_call *next, *prev;   /* ch->queue */
    mv_call *rnext, *rprev; /* ch->ready */

    mv_stream *st;         /* the current attempt's stream; NULL: none */
    mv_attempt *a;         /* response state of the current (or last) attempt */
    struct evbuffer *msgq; /* streaming: undelivered messages */

    /* result */
    int status;
    int code;
    char *message;
};

struct milvus_channel {
    struct event_base *base;
    milvus_options *opts;
    mv_md md;
    char *authority;

    /* The transport: the channel's own (tr) unless a test installed
     * another (mv_channel_set_transport). */
    const mv_transport_ops *ops;
    void *tp;
    mv_transport tr;

    int connect_failures; /* consecutive, over all slots */
    int conn_err_status;  /* last connect error (0 none) */
    int unreachable;      /* every attempt refused/unresolved, in backoff:
                           * calls that do not wait for ready fail */
    char conn_err[512];   /* as large as mv_conn.err: copied whole */

    mv_call *queue_head, *queue_tail;
    mv_call *ready_head, *ready_tail;

    /* id -> call (open addressing, linear probing) */
    mv_call **map;
    size_t map_cap, map_n;
    uint64_t next_id;
    milvus_call_id last_call; /* the newest call submitted (milvus_channel_last_call) */
    size_t pending;

    struct event work_ev;
    int work_scheduled;
    int in_callback;
    int freeing;
    int destroyed_later;
    int closing;
    int closed_notified;
    milvus_channel_closed_cb closed_cb;
    void *closed_ctx;
    uint64_t rng;

    /* One large receive buffer kept from a finished call so the next
     * large reply does not page-fault a fresh mapping; released when
     * unused for a while. */
    uint8_t *rx_cache;
    size_t rx_cache_cap;
    struct event rx_cache_ev;

    /* Method paths, interned: calls point at them instead of copying
     * (open addressing; at most MV_PATHS_MAX, later ones are copied). */
    char **paths;
    size_t paths_cap, paths_n;
    /* libevent common timeout for the default call timeout: deadline
     * timers of equal duration go to a queue instead of the heap. */
    struct timeval default_tv;
    int64_t default_tv_ms; /* the duration default_tv stands for; 0: none */

    char last_error[256];

    /* Calls, attempts, streams and nghttp2's per-stream allocations come
     * from here: with many calls in flight, their blocks are reused as
     * they are instead of going back to malloc (and to the kernel on a
     * trim), to be faulted in again by the next burst. */
    mv_pool pool;
    size_t md_held; /* response metadata held by calls (MV_MAX_METADATA_HELD) */
};

/* ---- channel (channel.c) ---- */
void mv_set_error(milvus_channel *ch, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void mv_schedule_work(milvus_channel *ch);
void mv_queue_push(milvus_channel *ch, mv_call *c);
void mv_queue_remove(milvus_channel *ch, mv_call *c);
void mv_ready_push(milvus_channel *ch, mv_call *c);
void mv_ready_remove(milvus_channel *ch, mv_call *c);
int mv_map_insert(milvus_channel *ch, mv_call *c);
mv_call *mv_map_find(const milvus_channel *ch, milvus_call_id id);
void mv_map_remove(milvus_channel *ch, milvus_call_id id);
/* The channel's copy of path (NULL when the table is full or no memory). */
const char *mv_path_intern(milvus_channel *ch, const char *path, size_t len);
/* Timeout for evtimer_add: a common timeout when ms is the default. */
const struct timeval *mv_timeout_tv(milvus_channel *ch, int64_t ms, struct timeval *tv);
/* Large receive buffers: takes the cached buffer when it holds at least
 * len bytes (NULL otherwise); gives a buffer back (or frees it). */
uint8_t *mv_rx_cache_take(milvus_channel *ch, size_t len, size_t *cap);
void mv_rx_cache_put(milvus_channel *ch, uint8_t *buf, size_t cap);
/* Test hook: replaces the channel's transport (before any call is made);
 * the channel frees it with ops->destroy. */
void mv_channel_set_transport(milvus_channel *ch, const mv_transport_ops *ops, void *t);

/* ---- calls (call.c) ---- */
/* Ends the call with a final result (once; later calls are ignored). */
void mv_call_finish(mv_call *c, int status, int code, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* The attempt failed: retries it (transparently when unprocessed) or
 * finishes the call. */
void mv_call_attempt_failed(mv_call *c, int unprocessed, int status, int code, const char *msg);
/* The call's side of the transport callbacks (user: the call). */
void mv_call_on_headers_begin(void *user, int trailers);
int mv_call_on_header(void *user, const uint8_t *name, size_t nlen, const uint8_t *value,
                      size_t vlen);
void mv_call_on_headers_end(void *user);
void mv_call_on_data(void *user, const uint8_t *data, size_t len);
void mv_call_on_end(void *user);
void mv_call_on_close(void *user, int how, int status, int code, uint32_t rst_code,
                      const char *msg);
size_t mv_call_rx_due(void *user);
/* Starts the call's next attempt on a stream; 0 or -1 (no stream). */
int mv_call_open(mv_call *c);
void mv_call_deliver(mv_call *c); /* runs user callbacks; may free c */
void mv_call_free(mv_call *c);
/* A zeroed call of the channel's with extra bytes after it; freed by
 * mv_call_free. */
mv_call *mv_call_alloc(milvus_channel *ch, size_t extra);

/* ---- fuzz / test hooks (never exported) ---- */
/* Replaces slot 0 by a connection without a socket whose output is
 * discarded, in the READY state.  Returns 0 or -1. */
int mv_channel_attach_memory_conn(milvus_channel *ch);
/* Feeds bytes as if read from the server on that connection. */
int mv_channel_feed_memory_conn(milvus_channel *ch, const uint8_t *data, size_t len);

#endif /* MV_CALL_H */
