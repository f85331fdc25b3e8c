/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A small in-process HTTP/2 gRPC server for the transport tests, built on
 * nghttp2's server API and libevent.  It runs on the test's event_base
 * (same loop as the client), listens on 127.0.0.1 port 0, records every
 * request, and lets each test script the answers through a handler.
 */
#ifndef H2_TEST_SERVER_H
#define H2_TEST_SERVER_H

#include <stddef.h>
#include <stdint.h>

struct event_base;

typedef struct h2ts h2ts;
typedef struct h2ts_conn h2ts_conn;
typedef struct h2ts_req h2ts_req;

/* Called when a request is complete (END_STREAM received), or with
 * on_headers=1 when its HEADERS arrive (see h2ts_config). */
typedef void (*h2ts_handler)(h2ts_req *req, void *ctx);

typedef struct h2ts_config {
    uint32_t max_concurrent_streams; /* 0: not advertised */
    int goaway_after;                /* GOAWAY after this many streams per connection */
    const char *tls_cert, *tls_key;  /* PEM files: TLS when set */
    int tls_no_alpn;                 /* do not select h2 */
    const char *tls_client_ca;       /* require a client certificate from this CA */
    int handle_on_headers;           /* run the handler on HEADERS, not END_STREAM */
    int no_ping_ack;                 /* never ACK PINGs (keepalive timeout tests) */
    int small_window;                /* keep the 64 KiB default receive window */
    int port;                        /* listen on this port (0: any free one) */
    int zero_streams;                /* advertise MAX_CONCURRENT_STREAMS 0 */
} h2ts_config;

#define H2TS_MAX_HDRS 48

struct h2ts_req {
    h2ts *srv;
    h2ts_conn *conn; /* NULL once the connection is gone */
    int conn_index;  /* 0-based order of the connection */
    int32_t stream_id;
    char *hname[H2TS_MAX_HDRS], *hvalue[H2TS_MAX_HDRS];
    int nhdr;
    uint8_t *body;
    size_t body_len, body_cap;
    int complete;         /* END_STREAM received */
    int closed;           /* stream closed */
    uint32_t close_error; /* on_stream_close error code */
    int rst_received;
    uint32_t rst_code;
    /* response state */
    struct evbuffer *out;
    int response_started, finishing;
    int grpc_status;
    char *grpc_message;
    char *tname[8], *tvalue[8];
    int ntrail;
    void *user; /* for the test */
    h2ts_req *next;
};

h2ts *h2ts_new(struct event_base *base, const h2ts_config *cfg, h2ts_handler h, void *ctx);
void h2ts_free(h2ts *s);
int h2ts_port(const h2ts *s);
int h2ts_nconns(const h2ts *s); /* connections accepted so far */
int h2ts_nrequests(const h2ts *s);
int h2ts_max_active(const h2ts *s);           /* most streams open at once on a connection */
h2ts_req *h2ts_request(const h2ts *s, int i); /* in arrival order */
int h2ts_pings(const h2ts *s);                /* PING frames received (not ACKs) */
int h2ts_reqs_at_first_ping(const h2ts *s);   /* requests seen when the first PING came */

const char *h2ts_req_header(const h2ts_req *r, const char *name);
/* The request's gRPC message payload (after the 5-byte prefix). */
const uint8_t *h2ts_req_message(const h2ts_req *r, size_t *len);

/* Response headers: :status 200, content-type application/grpc, every
 * request header starting with "x-" echoed, plus extra name/value pairs
 * (NULL-terminated array, may be NULL). */
void h2ts_send_headers(h2ts_req *r, const char *const *extra);
/* Headers with a custom :status and content-type (no echo). */
void h2ts_send_headers_raw(h2ts_req *r, int http_status, const char *content_type);
void h2ts_send_message(h2ts_req *r, const void *data, size_t len);
void h2ts_send_raw(h2ts_req *r, const void *data, size_t len);
/* Without copying: data must outlive the response. */
void h2ts_send_message_ref(h2ts_req *r, const void *data, size_t len);
/* Trailers: grpc-status, grpc-message (percent-encoded here), each echoed
 * "x-" request header as "trailer-<name>", plus extra pairs. */
void h2ts_finish(h2ts_req *r, int grpc_status, const char *msg, const char *const *extra);
/* Ends the stream with no trailers (END_STREAM on DATA). */
void h2ts_end_no_trailers(h2ts_req *r);
/* One HEADERS frame with END_STREAM; grpc_status < 0 omits it. */
void h2ts_trailers_only(h2ts_req *r, int http_status, int grpc_status, const char *msg,
                        const char *const *extra);
/* Headers + one message + OK trailers. */
void h2ts_reply(h2ts_req *r, const void *data, size_t len);
void h2ts_rst(h2ts_req *r, uint32_t code);
void h2ts_goaway(h2ts_conn *c, uint32_t error, const char *debug, int32_t last_stream_id);
/* Closes the connection abruptly. */
void h2ts_drop(h2ts_conn *c);

#endif
