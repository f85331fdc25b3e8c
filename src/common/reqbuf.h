/* SPDX-License-Identifier: Apache-2.0 */
/* Requests packed once and shared by reference between the typed API and
 * the transport.  Internal. */
#ifndef MV_REQBUF_H
#define MV_REQBUF_H

#include <stddef.h>
#include <stdint.h>

/* A framed request (5-byte gRPC prefix + payload) shared by reference:
 * the call keeps it for retries while DATA frames of large requests point
 * straight into it from the socket's output buffer (NGHTTP2_DATA_FLAG_NO_COPY
 * + evbuffer_add_reference), so the payload is not copied on the way out. */
typedef struct mv_reqseg {
    const uint8_t *p;
    size_t len;
} mv_reqseg;

/* Contiguous (segs NULL): data holds all len bytes.  Segmented: the bytes
 * are the concatenation of segs[0..nsegs), some of which point into memory
 * the library borrows from the caller (zero-copy writes); segs[0] starts at
 * data, which holds the prefix. */
typedef struct mv_rbpool mv_rbpool;

typedef struct mv_reqbuf {
    size_t refs;
    size_t len; /* MV_FRAME_HDR + payload length */
    uint8_t *data;
    mv_reqseg *segs;
    size_t nsegs;
    size_t cap;      /* contiguous: payload room */
    mv_rbpool *pool; /* returns to it when the last reference goes */
} mv_reqbuf;

/* Large request buffers are recycled: a fresh multi-megabyte buffer costs
 * a page fault per 4 KiB on first touch, several times the copy into it.
 * A pool keeps the buffer of its owner's last large request for the next
 * one.  One owner (a client), one loop thread; the pool lives until the
 * owner has released it and the last of its buffers has come back. */
#define MV_POOL_MIN (1 << 20)
mv_rbpool *mv_rbpool_new(void);
void mv_rbpool_release(mv_rbpool *p);
/* Like mv_reqbuf_new, from pool p (NULL: plain allocation). */
mv_reqbuf *mv_reqbuf_new_pooled(mv_rbpool *p, size_t payload_len);

/* Requests from this size on are sent by reference (mv_reqbuf); smaller
 * ones are copied into the call's own allocation. */
#define MV_REQ_SHARED_MIN (64 << 10)

/* A buffer for payload_len bytes with the prefix reserved in front:
 * the caller writes the payload at mv_reqbuf_payload().  One reference. */
mv_reqbuf *mv_reqbuf_new(size_t payload_len);
uint8_t *mv_reqbuf_payload(mv_reqbuf *rb);
/* A segmented buffer: room for nsegs segments and `stored` bytes of its
 * own (the prefix included) at data; len and the segments are the
 * caller's to fill. */
mv_reqbuf *mv_reqbuf_new_segmented(size_t stored, size_t nsegs);
/* Copies n bytes at off (prefix included) into dst. */
void mv_reqbuf_read(const mv_reqbuf *rb, size_t off, uint8_t *dst, size_t n);
/* Appends n bytes at off to out by reference: each piece keeps rb alive
 * until the buffer has written it.  0 or -1. */
struct evbuffer;
int mv_reqbuf_add_to(mv_reqbuf *rb, struct evbuffer *out, size_t off, size_t n);
void mv_reqbuf_ref(mv_reqbuf *rb);
void mv_reqbuf_unref(mv_reqbuf *rb);

#endif
