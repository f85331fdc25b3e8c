/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Layers 2 and 3 — transport (connections, pool) and call (generic RPC).
 * Internal to libmilvus.  One header because the three objects (channel,
 * connection, call) point at each other and are changed together.
 *
 * Event flow: user code (callbacks) runs only from the channel's "work"
 * event (completions and stream messages) and from milvus_channel_free().
 * Nothing user-visible runs inside nghttp2 or bufferevent callbacks, so
 * those never see the channel disappear under them.
 */
#ifndef MV_TRANSPORT_H
#define MV_TRANSPORT_H

#include <stdarg.h>
#include <stdint.h>

#include <event2/event.h>
#include <event2/event_struct.h>
#include <event2/util.h>
#include <nghttp2/nghttp2.h>
#include <openssl/ssl.h>

#include <milvus/channel.h>

#include "common/options_internal.h"
#include "wire/grpc_wire.h"

struct bufferevent;
struct evbuffer;
struct evdns_base;
struct evdns_getaddrinfo_request;

typedef struct mv_conn mv_conn;
typedef struct mv_call mv_call;

/* ---- limits on what a server can make the client hold or do ----
 * The client talks to whatever answers on the port: every resource the
 * peer controls has a bound here, enforced in conn.c and call.c (README,
 * "Limits").  Constants, not options: no legitimate gRPC server comes near
 * them; the message size limit is the option max_recv. */

/* Response metadata of one call, counted as SETTINGS_MAX_HEADER_LIST_SIZE
 * counts it (name + value + 32 per field, RFC 9113 6.5.2) after HPACK
 * decoding: one byte on the wire may name a table entry of 4 KiB again,
 * so the size of the frames says nothing.  The headers and the trailers
 * each, summed over the call's header blocks (1xx responses too); also
 * the value the client announces in its SETTINGS.  Past it the call
 * fails (RESOURCE_EXHAUSTED, its stream reset), the connection stays. */
#define MV_MAX_HEADER_LIST (1 << 20)
/* Response metadata fields of one call, headers and trailers together:
 * each costs two allocations besides its bytes.  Past it: as above. */
#define MV_MAX_METADATA_FIELDS 1024
/* Response metadata held at once by all the calls of a channel (counted
 * as above), whatever the number of calls in flight.  Past it the call
 * whose field does not fit fails as above. */
#define MV_MAX_METADATA_HELD (16 << 20)
/* CONTINUATION frames after one HEADERS or PUSH_PROMISE frame.  A header
 * block holds the connection until it ends, and its bytes must all be
 * decoded (HPACK state), wanted or not.  Counted on the bytes read, ahead
 * of nghttp2 (which ignores some blocks without counting their frames
 * before 1.61): the same limit whatever the nghttp2 version; 8 is
 * nghttp2's own default since 1.61.  Past it: GOAWAY ENHANCE_YOUR_CALM,
 * the connection is closed. */
#define MV_MAX_CONTINUATIONS 8
/* SETTINGS frames (not ACKs) in one second; a server sends one or two per
 * connection.  Past it: GOAWAY ENHANCE_YOUR_CALM, connection closed. */
#define MV_MAX_SETTINGS_PER_SEC 100
/* Entries of one SETTINGS frame (nghttp2 ends the session with
 * ENHANCE_YOUR_CALM past it). */
#define MV_MAX_SETTINGS_ENTRIES 32
/* PING and SETTINGS frames the client has not answered yet: a peer that
 * sends them without waiting for the ACKs, or without reading them.
 * PINGs are not limited per second: a legitimate peer waits for each
 * ACK (keepalive, BDP estimation and graceful shutdown each keep one PING
 * in flight; grpc-go's BDP pings come once per round trip while data
 * flows), so a PING costs nothing once answered.  Past it: GOAWAY
 * ENHANCE_YOUR_CALM, the connection is closed. */
#define MV_MAX_UNANSWERED 100
/* Output the connection holds before it stops framing more until the
 * socket drained it to MV_TX_LOW (conn.c): a peer that does not read
 * cannot make the answers it asks for (PING and SETTINGS ACKs) pile up
 * here; they wait in nghttp2 instead, counted by MV_MAX_UNANSWERED.
 * Above what request framing queues (MV_TX_HIGH, conn.c). */
#define MV_MAX_OUTPUT (4 << 20)
/* A limit's value in a message text. */
#define MV_STR_(x) #x
#define MV_STR(x) MV_STR_(x)

/* Per-channel free lists of small blocks: the call structures and the
 * HTTP/2 session's per-stream state (see channel.c, "block pool"). */
#define MV_POOL_STEP 32
#define MV_POOL_CLASSES 20 /* blocks up to 640 bytes, header included */
typedef struct mv_pool {
    void *head[MV_POOL_CLASSES]; /* free blocks, linked through their first word */
    size_t nfree[MV_POOL_CLASSES];
    size_t low[MV_POOL_CLASSES]; /* fewest free blocks since the last trim */
    size_t free_bytes;
    size_t max_free_bytes; /* blocks freed beyond this go back to malloc */
    int64_t trim_us;       /* when the next trim is due */
} mv_pool;

#include "call/reqbuf.h"

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

enum mv_call_state {
    MV_CALL_QUEUED,  /* waiting for a connection with room */
    MV_CALL_ACTIVE,  /* on a stream */
    MV_CALL_BACKOFF, /* waiting to retry */
    MV_CALL_DONE,    /* result decided, callback not yet delivered */
};

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
    /* the current attempt */
    unsigned send_done : 1;
    unsigned headers_sent : 1; /* HEADERS left the client */
    unsigned committed : 1;    /* response headers received */
    unsigned rst_recv : 1;
    unsigned hdr_to_trailers : 1;
    unsigned ct_ok : 1;
    unsigned ct_seen : 1;
    unsigned ended : 1; /* END_STREAM received */
    unsigned df_inited : 1;
    unsigned path_interned : 1; /* path lives as long as the channel */
    unsigned pooled : 1;        /* from mv_call_alloc (the channel's pool) */
    unsigned tx_counted : 1;    /* counted in conn->tx_pending */
    unsigned resp_pooled : 1;   /* resp is a block of the channel's pool */
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
    mv_call *cnext, *cprev; /* conn->calls */

    /* the current attempt */
    mv_conn *conn;
    int32_t stream_id;
    uint32_t rst_code;
    size_t sent;
    char *ct; /* content-type when it is not gRPC, for messages */
    int http_status;
    int grpc_status; /* -1: none */
    char *grpc_message; /* decoded (NUL-terminated, may hold NULs) */
    size_t grpc_message_len;
    int64_t pushback_ms; /* -1: none, -2: "do not retry" */
    int attempts;
    int transparent;
    mv_deframer df;
    uint8_t *resp;
    size_t resp_len;
    size_t resp_cap; /* allocated size of resp (reused for large replies) */
    int nmsgs;
    struct evbuffer *msgq; /* streaming: undelivered messages */
    mv_kvlist headers, trailers;
    /* Response metadata of the attempt (see MV_MAX_HEADER_LIST): bytes of
     * the headers and of the trailers, fields, and the bytes counted in
     * ch->md_held. */
    size_t header_bytes, trailer_bytes, md_fields, md_held;

    /* result */
    int status;
    int code;
    char *message;
};

enum mv_conn_state {
    MV_CONN_IDLE,
    MV_CONN_RESOLVING,
    MV_CONN_CONNECTING,
    MV_CONN_READY,
    MV_CONN_DRAINING,
    MV_CONN_BACKOFF,
};

struct mv_conn {
    milvus_channel *ch;
    int index;
    int state;
    uint64_t serial; /* connection number, for logs */
    struct mv_dns_ctx *dnsctx; /* outlives the conn if cancelled */
    struct evutil_addrinfo *addrs, *cur_addr;
    int addrs_from_evdns;
    struct bufferevent *bev;
    SSL *ssl;
    nghttp2_session *h2;
    /* Frames of one nghttp2_session_send, handed to the bufferevent at
     * once (one output callback per flush instead of one per frame). */
    struct evbuffer *wbuf;
    mv_reqbuf *tx_rb; /* NO_COPY DATA frame packed, not yet written */
    size_t tx_off;
    int tx_blocked; /* a DATA frame waits for the output to drain */
    int memory; /* fuzz hook: no socket, output discarded */
    struct event timer;    /* connect timeout, then reconnect backoff */
    struct event ka_timer; /* keepalive */
    int ka_armed;
    int ka_waiting; /* a PING is outstanding */
    int64_t ka_ping_sent_us;
    int64_t last_read_us;
    int sent_first_request;
    int failures; /* consecutive failed connect attempts */
    int timed_out; /* the last attempt ended by the connect timeout */
    int want_flush;
    int goaway; /* GOAWAY received */
    uint32_t goaway_code;
    int32_t goaway_last;
    char goaway_debug[128]; /* its debug data, for messages */
    int fatal;  /* set inside nghttp2 callbacks; handled after */
    int fatal_status;
    char fatal_msg[256];
    int calm;    /* ended with GOAWAY ENHANCE_YOUR_CALM: nothing more is read */
    int tx_full; /* output at MV_MAX_OUTPUT: nothing framed until it drains */
    /* The server's frames, followed ahead of nghttp2 (rx_police in conn.c):
     * the frame header being read, the payload bytes still to skip, the
     * CONTINUATION frames of the open header block (-1: none), the
     * SETTINGS frames of the current one-second window. */
    uint8_t rx_fh[9];
    size_t rx_fh_have;
    size_t rx_skip;
    int rx_cont;
    int rx_settings;
    int64_t rx_settings_us;
    size_t nactive;
    int unflushed;  /* streams submitted since the last flush */
    mv_call *calls; /* head of the call list */
    char err[512];  /* last connect error */
    /* Receive low-water mark (SO_RCVLOWAT) while a large message arrives:
     * the socket is reported readable once a big chunk is there instead
     * of every few KiB (see rx_mark_update in conn.c). */
    int rx_mark;            /* the mark in force on the socket (1: none) */
    int rx_mark_off;        /* setsockopt failed: not tried again */
    int32_t rx_sid;         /* stream of the last DATA payload read */
    struct event rx_mark_ev; /* fallback: drops the mark when nothing came */
    uint64_t rx_bytes;       /* bytes read from the socket */
    uint64_t rx_stall_bytes; /* rx_bytes when the rate probe started */
    int64_t rx_stall_us;     /* the mark fell back: probe start; 0 none */
    uint8_t *rx_buf; /* plaintext reads beyond libevent's 4 KiB (conn.c) */
    /* Streams whose request has not left in full: bounded so that calls
     * waiting for flow-control window wait in the channel's queue (O(1))
     * rather than in nghttp2's send heap (O(log n) cache misses each). */
    size_t tx_pending;
};
/* Bound of tx_pending: two flush batches, so sending never waits for it. */
#define MV_TX_PENDING_MAX 256

struct milvus_channel {
    struct event_base *base;
    struct evdns_base *dns;
    milvus_options *opts;
    SSL_CTX *ssl_ctx;
    mv_md md;
    char *authority;
    const char *user_agent;
    int64_t keepalive_ms; /* doubled on "too_many_pings" */

    mv_conn *conns;
    int nconns;
    int rr;
    uint64_t conn_serial;
    int connect_failures; /* consecutive, over all slots */
    int conn_err_status;  /* last connect error (0 none) */
    int unreachable;      /* every attempt refused/unresolved, in backoff:
                           * calls that do not wait for ready fail */
    char conn_err[512]; /* as large as mv_conn.err: copied whole */

    mv_call *queue_head, *queue_tail;
    mv_call *ready_head, *ready_tail;

    /* id -> call (open addressing, linear probing) */
    mv_call **map;
    size_t map_cap, map_n;
    uint64_t next_id;
    size_t pending;

    struct event work_ev;
    int work_scheduled;
    int in_callback;
    int freeing;
    int destroyed_later;
    int closing;
    int closed_notified;
    int no_connect; /* fuzz hook: never open real connections */
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
    /* Request header list, reused by every submission. */
    mv_hdr_list hdrs;
    struct timeval default_tv;
    int64_t default_tv_ms; /* the duration default_tv stands for; 0: none */

    char last_error[256];

    /* Calls and nghttp2's per-stream allocations come from here: with many
     * calls in flight, their blocks are reused as they are instead of
     * going back to malloc (and to the kernel on a trim), to be faulted in
     * again by the next burst. */
    mv_pool pool;
    nghttp2_mem h2mem; /* nghttp2 allocator over pool */
    size_t md_held;    /* response metadata held by calls (MV_MAX_METADATA_HELD) */
};

/* ---- channel (channel.c) ---- */
void mv_log(milvus_channel *ch, milvus_log_level lvl, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
void mv_set_error(milvus_channel *ch, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void mv_schedule_work(milvus_channel *ch);
int64_t mv_now_us(void);
/* The largest SETTINGS_MAX_CONCURRENT_STREAMS among the channel's ready
 * connections; -1 when none is ready. */
long mv_channel_stream_limit(const milvus_channel *ch);
double mv_jitter(milvus_channel *ch); /* U(0.8, 1.2) */
void mv_queue_push(milvus_channel *ch, mv_call *c);
void mv_queue_remove(milvus_channel *ch, mv_call *c);
void mv_ready_push(milvus_channel *ch, mv_call *c);
void mv_conn_closed(milvus_channel *ch, mv_conn *conn);
void mv_connect_failed(milvus_channel *ch, mv_conn *conn, int status);

/* ---- connection (conn.c) ---- */
void mv_conn_init(mv_conn *conn, milvus_channel *ch, int index);
int mv_conn_start(mv_conn *conn);
int mv_conn_submit(mv_conn *conn, mv_call *c);
void mv_conn_close(mv_conn *conn, int status, const char *msg);
void mv_conn_flush(mv_conn *conn);
/* Detaches a call from its stream, resetting the stream with rst_code
 * when it is still open. */
void mv_conn_detach(mv_conn *conn, mv_call *c, uint32_t rst_code);
int mv_conn_has_room(const mv_conn *conn);
/* Whether any byte came from the peer on the current socket. */
int mv_conn_heard_from_peer(const mv_conn *conn);
void mv_conn_cleanup(mv_conn *conn);

/* ---- TLS (tls.c) ---- */
SSL_CTX *mv_tls_ctx_new(const milvus_options *o, char *err, size_t errlen);
SSL *mv_tls_new(milvus_channel *ch);

/* ---- calls (call.c) ---- */
/* Ends the call with a final result (once; later calls are ignored). */
void mv_call_finish(mv_call *c, int status, int code, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* The attempt failed: retries it (transparently when unprocessed) or
 * finishes the call. */
void mv_call_attempt_failed(mv_call *c, int unprocessed, int status, int code, const char *msg);
/* Response headers (not Trailers-Only) complete: rejects non-gRPC peers. */
void mv_call_headers_done(mv_call *c);
/* The stream ended (END_STREAM received): computes the gRPC result. */
void mv_call_stream_end(mv_call *c);
/* Response header field of the current attempt. */
int mv_call_on_header(mv_call *c, const uint8_t *name, size_t nlen, const uint8_t *value,
                      size_t vlen);
/* DATA payload of the current attempt; returns 0 or -1 (call finished). */
int mv_call_on_data(mv_call *c, const uint8_t *data, size_t len);
void mv_call_reset_attempt(mv_call *c);
void mv_call_deliver(mv_call *c); /* runs user callbacks; may free c */
void mv_call_free(mv_call *c);
int mv_map_insert(milvus_channel *ch, mv_call *c);
/* Large receive buffers (channel.c): takes the cached buffer when it holds
 * at least len bytes (NULL otherwise); gives a buffer back (or frees it). */
/* The channel's copy of path (NULL when the table is full or no memory). */
const char *mv_path_intern(milvus_channel *ch, const char *path, size_t len);
/* Timeout for evtimer_add: a common timeout when ms is the default. */
const struct timeval *mv_timeout_tv(milvus_channel *ch, int64_t ms, struct timeval *tv);
uint8_t *mv_rx_cache_take(milvus_channel *ch, size_t len, size_t *cap);
void mv_rx_cache_put(milvus_channel *ch, uint8_t *buf, size_t cap);
mv_call *mv_map_find(const milvus_channel *ch, milvus_call_id id);
void mv_map_remove(milvus_channel *ch, milvus_call_id id);
void mv_ready_remove(milvus_channel *ch, mv_call *c);

/* ---- block pool (channel.c) ---- */
/* max_free_bytes bounds what the free lists keep. */
void mv_pool_init(mv_pool *p, size_t max_free_bytes);
/* malloc-like: NULL on failure; any size (large ones go to malloc). */
void *mv_pool_alloc(mv_pool *p, size_t n);
void *mv_pool_realloc(mv_pool *p, void *ptr, size_t n);
void mv_pool_free(mv_pool *p, void *ptr);
/* Gives back to malloc the free blocks left unused since the previous
 * trim (at most every MV_POOL_TRIM_MS; now from mv_now_us). */
void mv_pool_trim(mv_pool *p, int64_t now);
/* Gives every free block back to malloc. */
void mv_pool_release(mv_pool *p);
/* A zeroed call of the channel's with extra bytes after it; freed by
 * mv_call_free. */
mv_call *mv_call_alloc(milvus_channel *ch, size_t extra);

/* ---- fuzz / test hooks (never exported) ---- */
/* Replaces slot 0 by a connection without a socket whose output is
 * discarded, in the READY state.  Returns 0 or -1. */
int mv_channel_attach_memory_conn(milvus_channel *ch);
/* Feeds bytes as if read from the server on that connection. */
int mv_channel_feed_memory_conn(milvus_channel *ch, const uint8_t *data, size_t len);

#endif /* MV_TRANSPORT_H */
