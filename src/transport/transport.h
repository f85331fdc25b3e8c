/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Layer 2 — transport: HTTP/2 connections to one server (DNS, TCP, TLS,
 * nghttp2 sessions, keepalive), the per-attempt stream object and the
 * limits on what a peer can make the client hold.  Internal to libmilvus.
 *
 * The transport knows nothing of calls.  Whoever uses it (the call layer,
 * src/call) opens a stream per attempt with a user pointer and hears back
 * only through the callbacks table it registered, nghttp2's own pattern:
 * what arrived on the stream (headers, data, end), how the stream ended,
 * and connection-level events (room for streams, connected, connect
 * failed).  The callbacks run inside nghttp2 and bufferevent callbacks:
 * they must not run user code (the call layer defers that to its work
 * event) nor free the transport.
 */
#ifndef MV_TRANSPORT_H
#define MV_TRANSPORT_H

#include <stdint.h>

#include <event2/event.h>
#include <event2/event_struct.h>
#include <event2/util.h>
#include <nghttp2/nghttp2.h>
#include <openssl/ssl.h>

#include "common/options_internal.h"
#include "common/pool.h"
#include "common/reqbuf.h"
#include "wire/grpc_wire.h"

struct bufferevent;
struct evbuffer;
struct evdns_base;
struct evdns_getaddrinfo_request;

typedef struct mv_transport mv_transport;
typedef struct mv_conn mv_conn;
typedef struct mv_stream mv_stream;

/* ---- limits on what a server can make the client hold or do ----
 * The client talks to whatever answers on the port: every resource the
 * peer controls has a bound here, enforced here and in the call layer (README,
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
 * socket drained it to MV_TX_LOW (io.c): a peer that does not read
 * cannot make the answers it asks for (PING and SETTINGS ACKs) pile up
 * here; they wait in nghttp2 instead, counted by MV_MAX_UNANSWERED.
 * Above what request framing queues (MV_TX_HIGH, session.c). */
#define MV_MAX_OUTPUT (4 << 20)
/* A limit's value in a message text. */
#define MV_STR_(x) #x
#define MV_STR(x) MV_STR_(x)

/* ---- streams ---- */

/* How a stream ended (on_close).  MV_STREAM_UNPROCESSED says the server
 * cannot have processed the request, so that it may be sent again
 * whatever the method (gRFC A6 transparent retry): the connection ended
 * before the request's HEADERS frame was written to it, or the stream was
 * closed with REFUSED_STREAM before final response headers arrived
 * (RFC 9113 8.7; nghttp2 closes the streams above a GOAWAY's last stream
 * id this way too).  Anything else may have reached the application. */
enum mv_stream_end {
    MV_STREAM_UNPROCESSED, /* status, code and msg say why */
    MV_STREAM_RESET,       /* RST_STREAM from the server: rst_code */
    MV_STREAM_FAILED,      /* connection lost or HTTP/2 error after HEADERS left */
};

/* What to send on a stream.  Borrowed: the path, request bytes, buffer
 * and metadata must outlive the stream (the call keeps them). */
typedef struct mv_stream_req {
    const char *path;
    int path_stable;    /* path outlives the connection: not copied */
    const uint8_t *req; /* framed request: 5-byte prefix + payload */
    size_t req_len;
    mv_reqbuf *rb;                    /* req lives in this shared buffer (sent by reference) */
    int64_t deadline_us;              /* monotonic; 0: none (grpc-timeout) */
    const mv_md *md_static, *md_call; /* either may be NULL */
    int previous_attempts;            /* grpc-previous-rpc-attempts when > 0 */
} mv_stream_req;

/* Callbacks of the layer above.  The stream ones get the user pointer
 * given to mv_transport_open; the others the transport's user pointer. */
typedef struct mv_transport_cbs {
    /* A header block begins: response headers (trailers 0), or trailers
     * or a Trailers-Only response (trailers 1). */
    void (*on_headers_begin)(void *user, int trailers);
    /* One field of it, HPACK-decoded and unvalidated.  Nonzero: the rest
     * of the block is dropped and the stream reset. */
    int (*on_header)(void *user, const uint8_t *name, size_t nlen, const uint8_t *value,
                     size_t vlen);
    /* Final (non-1xx) response headers are complete and the stream goes
     * on: the response has begun. */
    void (*on_headers_end)(void *user);
    void (*on_data)(void *user, const uint8_t *data, size_t len);
    /* END_STREAM received (after the last header block or DATA). */
    void (*on_end)(void *user);
    /* The stream is gone (how: enum mv_stream_end); its object is freed
     * before this runs.  Not called after mv_stream_detach. */
    void (*on_close)(void *user, int how, int status, int code, uint32_t rst_code, const char *msg);
    /* Payload bytes the stream still expects of its current message (0:
     * none known): lets the receive low-water mark rise (io.c). */
    size_t (*rx_due)(void *user);

    /* Work for the loop: output to flush, streams to open, a connection
     * gone.  The transport never flushes from inside its callbacks. */
    void (*wake)(void *tuser);
    /* A connection has room for streams again after being full. */
    void (*writable)(void *tuser);
    /* A connection is up. */
    void (*connected)(void *tuser);
    /* A connection attempt failed (err: why).  unreachable: refused or
     * unresolved with no other attempt in progress and no connection up. */
    void (*connect_failed)(void *tuser, int status, const char *err, int unreachable);
    /* The reconnect backoff of a slot ended: a new attempt may start. */
    void (*reconnect_due)(void *tuser);
} mv_transport_cbs;

/* One attempt's HTTP/2 stream, from mv_transport_open until it closes
 * (on_close) or is detached. */
struct mv_stream {
    mv_conn *conn;
    void *user;
    mv_stream *next, *prev; /* conn->streams */
    const uint8_t *req;
    size_t req_len;
    mv_reqbuf *rb;
    size_t sent;
    int32_t id;
    uint32_t rst_code;
    unsigned headers_sent : 1; /* HEADERS left the client */
    unsigned send_done : 1;    /* the whole request was framed */
    unsigned ended : 1;        /* END_STREAM received */
    unsigned rst_recv : 1;
    unsigned tx_counted : 1; /* counted in conn->tx_pending */
    unsigned response : 1;   /* final response headers received */
    int http_status;         /* :status of the last response header block */
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
    mv_transport *t;
    int index;
    int state;
    uint64_t serial;           /* connection number, for logs */
    struct mv_dns_ctx *dnsctx; /* outlives the conn if cancelled */
    struct evutil_addrinfo *addrs, *cur_addr;
    int addrs_from_evdns;
    struct bufferevent *bev;
    SSL *ssl;
    nghttp2_session *h2;
    /* Frames of one nghttp2_session_send, handed to the output at once
     * (one write per flush instead of one per frame). */
    struct evbuffer *wbuf;
    /* Plaintext output the socket has not taken yet, written by the
     * library itself with MSG_NOSIGNAL (io.c: libevent's writev could
     * raise SIGPIPE) while tx_ev (EV_WRITE on the socket) is pending.
     * TLS writes through the bufferevent, whose SSL has a BIO sending
     * with MSG_NOSIGNAL (tls.c). */
    struct evbuffer *out;
    struct event tx_ev;
    mv_reqbuf *tx_rb; /* NO_COPY DATA frame packed, not yet written */
    size_t tx_off;
    int tx_blocked;        /* a DATA frame waits for the output to drain */
    int memory;            /* fuzz hook: no socket, output discarded */
    struct event timer;    /* connect timeout, then reconnect backoff */
    struct event ka_timer; /* keepalive */
    int ka_armed;
    int ka_waiting; /* a PING is outstanding */
    int64_t ka_ping_sent_us;
    int64_t last_read_us;
    int sent_first_request;
    int failures;  /* consecutive failed connect attempts */
    int timed_out; /* the last attempt ended by the connect timeout */
    int want_flush;
    int goaway; /* GOAWAY received */
    uint32_t goaway_code;
    int32_t goaway_last;
    char goaway_debug[128]; /* its debug data, for messages */
    int fatal;              /* set inside nghttp2 callbacks; handled after */
    int fatal_status;
    char fatal_msg[256];
    int calm;    /* ended with GOAWAY ENHANCE_YOUR_CALM: nothing more is read */
    int tx_full; /* output at MV_MAX_OUTPUT: nothing framed until it drains */
    /* The server's frames, followed ahead of nghttp2 (rx_police in io.c):
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
    int unflushed;      /* streams submitted since the last flush */
    mv_stream *streams; /* head of the stream list */
    char err[512];      /* last connect error */
    /* Receive low-water mark (SO_RCVLOWAT) while a large message arrives:
     * the socket is reported readable once a big chunk is there instead
     * of every few KiB (see rx_mark_update in io.c). */
    int rx_mark;             /* the mark in force on the socket (1: none) */
    int rx_mark_off;         /* setsockopt failed: not tried again */
    int32_t rx_sid;          /* stream of the last DATA payload read */
    struct event rx_mark_ev; /* fallback: drops the mark when nothing came */
    uint64_t rx_bytes;       /* bytes read from the socket */
    uint64_t rx_stall_bytes; /* rx_bytes when the rate probe started */
    int64_t rx_stall_us;     /* the mark fell back: probe start; 0 none */
    uint8_t *rx_buf;         /* plaintext reads beyond libevent's 4 KiB (io.c) */
    /* Streams whose request has not left in full: bounded so that calls
     * waiting for flow-control window wait in the channel's queue (O(1))
     * rather than in nghttp2's send heap (O(log n) cache misses each). */
    size_t tx_pending;
};
/* Bound of tx_pending: two flush batches, so sending never waits for it. */
#define MV_TX_PENDING_MAX 256

/* The connections of one channel. */
struct mv_transport {
    struct event_base *base;
    const milvus_options *opts;
    const mv_transport_cbs *cbs;
    void *user;
    mv_pool *pool;     /* streams and nghttp2's per-stream state */
    nghttp2_mem h2mem; /* nghttp2 allocator over pool */
    SSL_CTX *ssl_ctx;
    struct evdns_base *dns;
    const char *authority; /* borrowed; outlives the transport */
    const char *user_agent;
    int64_t keepalive_ms; /* doubled on "too_many_pings" */
    mv_conn *conns;
    int nconns;
    int rr;
    uint64_t conn_serial;
    uint64_t rng;
    int no_connect; /* fuzz hook: never open real connections */
    /* Request header list, reused by every submission. */
    mv_hdr_list hdrs;
};

/* ---- transport (transport.c) ---- */
/* Returns MILVUS_OK, or an error with err filled (TLS setup). */
int mv_transport_init(mv_transport *t, struct event_base *base, const milvus_options *opts,
                      const char *authority, mv_pool *pool, const mv_transport_cbs *cbs, void *user,
                      char *err, size_t errlen);
/* Detaches what streams are left and frees everything but the object. */
void mv_transport_cleanup(mv_transport *t);
/* Whether some connection can take a stream now. */
int mv_transport_has_room(const mv_transport *t);
/* Opens a stream on a connection with room (round robin); NULL when none
 * has room or out of memory.  The frames leave at the next flush. */
mv_stream *mv_transport_open(mv_transport *t, const mv_stream_req *r, void *user);
/* Starts connecting the idle slots (connections are opened lazily). */
void mv_transport_connect(mv_transport *t);
/* Writes what the connections have pending. */
void mv_transport_flush(mv_transport *t);
/* Closes every connection; open streams end through on_close. */
void mv_transport_close(mv_transport *t, int status, const char *msg);
/* The largest SETTINGS_MAX_CONCURRENT_STREAMS among the ready
 * connections; -1 when none is ready. */
long mv_transport_stream_limit(const mv_transport *t);
/* Frees a stream, resetting it (CANCEL, or NO_ERROR when the response
 * ended) when it is still open.  No callback follows. */
void mv_stream_detach(mv_stream *s);
/* Whether any byte came from the peer on the stream's connection. */
int mv_stream_heard_from_peer(const mv_stream *s);

/* ---- connection (conn.c, session.c, io.c) ---- */
void mv_conn_init(mv_conn *conn, mv_transport *t, int index);
int mv_conn_start(mv_conn *conn);
int mv_conn_submit(mv_conn *conn, mv_stream *s, const mv_stream_req *r);
void mv_conn_close(mv_conn *conn, int status, const char *msg);
void mv_conn_flush(mv_conn *conn);
void mv_conn_detach(mv_conn *conn, mv_stream *s, uint32_t rst_code);
int mv_conn_has_room(const mv_conn *conn);
void mv_conn_cleanup(mv_conn *conn);

/* ---- TLS (tls.c) ---- */
SSL_CTX *mv_tls_ctx_new(const milvus_options *o, char *err, size_t errlen);
SSL *mv_tls_new(mv_transport *t);
/* Gives ssl a socket BIO on fd that writes with MSG_NOSIGNAL (never
 * SIGPIPE), replacing the one libevent set; closes fd only if the old
 * BIO was to.  0, or -1 without memory. */
int mv_tls_set_socket_bio(SSL *ssl, int fd);

/* ---- fuzz / test hooks (never exported) ---- */
/* Replaces slot 0 by a connection without a socket whose output is
 * discarded, in the READY state.  Returns 0 or -1. */
int mv_transport_attach_memory_conn(mv_transport *t);
/* Feeds bytes as if read from the server on that connection. */
int mv_transport_feed_memory_conn(mv_transport *t, const uint8_t *data, size_t len);

#endif /* MV_TRANSPORT_H */
