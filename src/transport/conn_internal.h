/* SPDX-License-Identifier: Apache-2.0 */
/*
 * What the files of one connection (conn.c, session.c, io.c) share.
 * Private to src/transport.
 */
#ifndef MV_CONN_INTERNAL_H
#define MV_CONN_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include <event2/util.h>

#include "transport/transport.h"

#define MV_STREAM_WINDOW (16 << 20)
#define MV_CONN_WINDOW (256 << 20)
/* DATA payloads from this size on are referenced, not copied. */
#define MV_NO_COPY_MIN (4 << 10)
/* Large requests are framed into the output only this far ahead of the
 * socket: DATA frames wait (NGHTTP2_ERR_WOULDBLOCK) above the high mark and
 * resume when the output has drained to the low one.  Keeps the per-frame
 * buffer chains few and reused instead of a whole request's worth. */
#define MV_TX_HIGH (1 << 20)
#define MV_TX_LOW (256 << 10)
/* Receive low-water mark while a large message arrives (rx_mark_update):
 * raised only when at least MV_RX_MARK_MIN payload bytes are still due,
 * never above MV_RX_MARK_MAX, and dropped again when nothing reached it
 * for MV_RX_MARK_WAIT_MS (a sender that stalls mid-message, or sends a
 * small frame such as RST_STREAM or GOAWAY instead of the rest). */
#define MV_RX_MARK_MIN (64 << 10)
#define MV_RX_MARK_MAX (256 << 10)
#define MV_RX_MARK_WAIT_MS 2
/* TLS: the mark counts ciphertext, which is never shorter than the
 * plaintext it carries; but OpenSSL may hold one partial record taken from
 * the socket already, so the plaintext still due overstates what the
 * socket will get by at most one record (2^14 bytes + 256 expansion + a
 * 5-byte header, RFC 8446 5.2). */
#define MV_RX_MARK_TLS_SLACK (16384 + 256 + 5)

/* ---- conn.c ---- */
/* Formats into a fixed buffer (connection errors, fatal messages); a text
 * that does not fit is cut after its last whole word and ends in an
 * ellipsis (U+2026), never in the middle of a word or of a UTF-8
 * character. */
void mv_set_text(char *buf, size_t cap, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* "GOAWAY with CODE, last stream N (debug data)" for messages. */
void mv_conn_goaway_text(const mv_conn *conn, char *buf, size_t cap);
/* Why an established connection was lost: the server closed it (eof) or
 * the socket failed with err (an errno); after a GOAWAY, what it said. */
void mv_conn_lost_text(const mv_conn *conn, int eof, int err, char *buf, size_t cap);
void mv_conn_wake(mv_transport *t);
void mv_conn_link(mv_conn *conn, mv_stream *s);
/* The request of s has left in full, or its stream is gone. */
void mv_conn_tx_done(mv_conn *conn, mv_stream *s);
/* Ends s and tells the layer above how (enum mv_stream_end). */
void mv_conn_end_stream(mv_conn *conn, mv_stream *s, int how, int status, int code,
                        const char *msg);
/* Fails the connection from inside an nghttp2 callback: acted on after
 * nghttp2 returns. */
void mv_conn_set_fatal(mv_conn *conn, int status, const char *msg);
/* The server went past a limit: GOAWAY ENHANCE_YOUR_CALM, nothing more
 * it sent is read. */
void mv_conn_calm(mv_conn *conn, const char *what);
void mv_conn_ka_arm(mv_conn *conn, int64_t us);
void mv_conn_ka_start(mv_conn *conn);

/* ---- session.c ---- */
int mv_conn_session_new(mv_conn *conn);

/* ---- io.c ---- */
/* Acts on what nghttp2 callbacks flagged, and closes a drained or dead
 * connection. */
void mv_conn_after_io(mv_conn *conn);
int mv_conn_recv(mv_conn *conn, const uint8_t *data, size_t len);
struct bufferevent;
void mv_conn_read_cb(struct bufferevent *bev, void *arg);
void mv_conn_write_cb(struct bufferevent *bev, void *arg);
/* Plaintext: the output's length, and its writer (EV_WRITE on the socket
 * while bytes wait, see io.c). */
size_t mv_conn_out_len(const mv_conn *conn);
void mv_conn_tx_cb(evutil_socket_t fd, short what, void *arg);
void mv_conn_rx_mark_timeout(evutil_socket_t fd, short what, void *arg);

#endif /* MV_CONN_INTERNAL_H */
