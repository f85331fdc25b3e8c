/* SPDX-License-Identifier: Apache-2.0 */
/* Request buffers shared by reference between the typed API, the calls
 * that may re-send them and the socket's output buffer. */
#include <stdlib.h>
#include <string.h>

#include <event2/buffer.h>

#include "common/reqbuf.h"
#include "wire/grpc_wire.h"

struct mv_rbpool {
    size_t refs; /* the owner's and one per buffer out */
    int owner_gone;
    mv_reqbuf *spare; /* the last large buffer, for the next request */
};

mv_rbpool *mv_rbpool_new(void)
{
    mv_rbpool *p = calloc(1, sizeof(*p));
    if (p)
        p->refs = 1;
    return p;
}

static void pool_unref(mv_rbpool *p)
{
    if (--p->refs == 0) {
        free(p->spare);
        free(p);
    }
}

void mv_rbpool_release(mv_rbpool *p)
{
    if (!p)
        return;
    p->owner_gone = 1;
    free(p->spare);
    p->spare = NULL;
    pool_unref(p);
}

mv_reqbuf *mv_reqbuf_new(size_t payload_len)
{
    return mv_reqbuf_new_pooled(NULL, payload_len);
}

mv_reqbuf *mv_reqbuf_new_pooled(mv_rbpool *p, size_t payload_len)
{
    mv_reqbuf *rb = NULL;
    if (payload_len > SIZE_MAX - sizeof(*rb) - MV_FRAME_HDR)
        return NULL;
    if (p && payload_len < MV_POOL_MIN)
        p = NULL;
    /* the spare serves requests down to a quarter of its size */
    if (p && p->spare && p->spare->cap >= payload_len && p->spare->cap / 4 <= payload_len) {
        rb = p->spare;
        p->spare = NULL;
    } else if (!(rb = malloc(sizeof(*rb) + MV_FRAME_HDR + payload_len))) {
        return NULL;
    } else {
        rb->cap = payload_len;
    }
    rb->refs = 1;
    rb->len = MV_FRAME_HDR + payload_len;
    rb->data = (uint8_t *)(rb + 1);
    rb->segs = NULL;
    rb->nsegs = 0;
    rb->pool = p;
    if (p)
        p->refs++;
    return rb;
}

mv_reqbuf *mv_reqbuf_new_segmented(size_t stored, size_t nsegs)
{
    mv_reqbuf *rb;
    size_t head = sizeof(*rb) + nsegs * sizeof(mv_reqseg);
    if (nsegs > (SIZE_MAX - sizeof(*rb)) / sizeof(mv_reqseg) || stored > SIZE_MAX - head)
        return NULL;
    rb = malloc(head + stored);
    if (!rb)
        return NULL;
    rb->refs = 1;
    rb->len = 0;
    rb->segs = (mv_reqseg *)(rb + 1);
    rb->nsegs = 0;
    rb->data = (uint8_t *)(rb->segs + nsegs);
    rb->cap = 0;
    rb->pool = NULL;
    return rb;
}

uint8_t *mv_reqbuf_payload(mv_reqbuf *rb)
{
    return rb->data + MV_FRAME_HDR;
}

void mv_reqbuf_ref(mv_reqbuf *rb)
{
    rb->refs++;
}

void mv_reqbuf_unref(mv_reqbuf *rb)
{
    mv_rbpool *p;
    if (!rb || --rb->refs > 0)
        return;
    if (!(p = rb->pool)) {
        free(rb);
        return;
    }
    /* keep the larger of this buffer and the spare */
    if (!p->owner_gone && (!p->spare || p->spare->cap < rb->cap)) {
        free(p->spare);
        p->spare = rb;
    } else {
        free(rb);
    }
    pool_unref(p);
}

/* Calls fn for each piece of [off, off + n): contiguous buffers are one
 * piece; segmented ones a piece per segment touched. */
static int each_piece(const mv_reqbuf *rb, size_t off, size_t n,
                      int (*fn)(const uint8_t *p, size_t len, void *arg), void *arg)
{
    size_t i = 0, base = 0;
    if (!rb->segs)
        return fn(rb->data + off, n, arg);
    while (n > 0 && i < rb->nsegs) {
        const mv_reqseg *s = &rb->segs[i];
        if (off < base + s->len) {
            size_t at = off - base, k = s->len - at < n ? s->len - at : n;
            if (fn(s->p + at, k, arg) != 0)
                return -1;
            off += k;
            n -= k;
        }
        base += s->len;
        i++;
    }
    return n == 0 ? 0 : -1;
}

static int copy_piece(const uint8_t *p, size_t len, void *arg)
{
    uint8_t **dst = arg;
    memcpy(*dst, p, len);
    *dst += len;
    return 0;
}

void mv_reqbuf_read(const mv_reqbuf *rb, size_t off, uint8_t *dst, size_t n)
{
    (void)each_piece(rb, off, n, copy_piece, &dst);
}

struct ref_arg {
    mv_reqbuf *rb;
    struct evbuffer *out;
};

static void ref_cleanup(const void *data, size_t len, void *arg)
{
    (void)data;
    (void)len;
    mv_reqbuf_unref(arg);
}

static int ref_piece(const uint8_t *p, size_t len, void *arg)
{
    struct ref_arg *a = arg;
    mv_reqbuf_ref(a->rb);
    if (evbuffer_add_reference(a->out, p, len, ref_cleanup, a->rb) != 0) {
        mv_reqbuf_unref(a->rb);
        return -1;
    }
    return 0;
}

int mv_reqbuf_add_to(mv_reqbuf *rb, struct evbuffer *out, size_t off, size_t n)
{
    struct ref_arg a = {rb, out};
    return each_piece(rb, off, n, ref_piece, &a);
}
