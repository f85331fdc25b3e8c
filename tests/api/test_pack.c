/* SPDX-License-Identifier: Apache-2.0 */
/* Packing requests once into the buffers the transport sends from: the
 * zero-copy packer must produce a request that decodes to exactly the
 * message protobuf-c's own packing encodes, borrow the dense vectors
 * instead of copying them, and hand every byte range to a socket buffer by
 * reference with the buffer kept alive. */
#include <criterion/criterion.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/buffer.h>

#include "api/api.h"
#include "common/reqbuf.h"
#include "wire/grpc_wire.h"

/* The column of a collection: name, and its values as the API builds them. */
static mv_fd *float_vectors(const char *name, int64_t dim, float *data, size_t rows)
{
    milvus_column *c;
    cr_assert_eq(milvus_column_wrap(&c, name, MILVUS_TYPE_FLOAT_VECTOR, dim, data, rows),
                 MILVUS_OK);
    mv_fd *fd = (mv_fd *)mv_msg_dup(&c->fd->base);
    milvus_column_free(c);
    cr_assert_not_null(fd);
    return fd;
}

static mv_fd *column_fd(milvus_column *c)
{
    mv_fd *fd = (mv_fd *)mv_msg_dup(&c->fd->base);
    milvus_column_free(c);
    cr_assert_not_null(fd);
    return fd;
}

/* Bytes of rb after the prefix, flattened with mv_reqbuf_read. */
static uint8_t *flat(const mv_reqbuf *rb, size_t *len)
{
    uint8_t *out = malloc(rb->len);
    cr_assert_not_null(out);
    mv_reqbuf_read(rb, 0, out, rb->len);
    *len = rb->len - MV_FRAME_HDR;
    memmove(out, out + MV_FRAME_HDR, *len);
    return out;
}

static int borrows(const mv_reqbuf *rb, const void *p)
{
    for (size_t i = 0; i < rb->nsegs; i++)
        if (rb->segs[i].p == p)
            return 1;
    return 0;
}

/* An InsertRequest with the given columns. */
static void request(Milvus__Proto__Milvus__InsertRequest *req, mv_fd **fds, size_t n, uint32_t rows)
{
    Milvus__Proto__Milvus__InsertRequest init = MILVUS__PROTO__MILVUS__INSERT_REQUEST__INIT;
    *req = init;
    req->collection_name = (char *)"coll";
    req->partition_name = (char *)"part";
    req->fields_data = fds;
    req->n_fields_data = n;
    req->num_rows = rows;
    req->schema_timestamp = 1234567;
}

/* Packs req both ways: the zero-copy request must decode to the same
 * message (compared by canonical re-encoding), borrow want_borrowed vector
 * arrays, and read the same through any byte range. */
static void same_message(Milvus__Proto__Milvus__InsertRequest *req, size_t want_borrowed)
{
    size_t big, n1, n2;
    mv_reqbuf *a = mv_pack_rb(&req->base, NULL, 0, &big);
    cr_assert_not_null(a);
    cr_assert_null(a->segs, "mv_pack_rb packs contiguously");
    cr_assert_eq(a->len - MV_FRAME_HDR, protobuf_c_message_get_packed_size(&req->base));

    Milvus__Proto__Milvus__InsertRequest head = *req;
    head.fields_data = NULL;
    head.n_fields_data = 0;
    mv_reqbuf *b =
        mv_pack_fields_borrowing(&head.base, req->fields_data, req->n_fields_data, 5, 0, &big);
    cr_assert_not_null(b);
    cr_assert_eq(a->len, b->len, "same size: %zu vs %zu", a->len, b->len);

    uint8_t *fa = flat(a, &n1), *fb = flat(b, &n2);
    ProtobufCMessage *m =
        protobuf_c_message_unpack(&milvus__proto__milvus__insert_request__descriptor, NULL, n2, fb);
    cr_assert_not_null(m, "the zero-copy request does not decode");
    size_t n3;
    uint8_t *fc = mv_pack(m, &n3);
    cr_assert_eq(n3, n1);
    cr_assert(memcmp(fa, fc, n1) == 0, "decodes to a different message");
    protobuf_c_message_free_unpacked(m, NULL);
    free(fc);

    size_t nb = 0, total = 0;
    for (size_t i = 0; i < b->nsegs; i++) {
        total += b->segs[i].len;
        cr_assert_gt(b->segs[i].len, 0, "empty segment %zu", i);
        if (b->segs[i].p < b->data || b->segs[i].p >= b->data + b->len)
            nb++;
    }
    cr_assert_eq(total, b->len, "segments cover the request exactly");
    cr_assert_eq(nb, want_borrowed, "borrowed pieces: %zu, expected %zu", nb, want_borrowed);
    for (size_t off = 0; off < b->len; off += 977)
        for (size_t k = 1; off + k <= b->len && k < 70000; k = k * 3 + 1) {
            uint8_t *x = malloc(k);
            mv_reqbuf_read(b, off, x, k);
            if (off >= MV_FRAME_HDR)
                cr_assert(memcmp(x, fb + off - MV_FRAME_HDR, k) == 0, "range %zu+%zu", off, k);
            free(x);
        }
    free(fa);
    free(fb);
    mv_reqbuf_unref(a);
    mv_reqbuf_unref(b);
}

Test(pack, small_requests_are_copied_whole)
{
    float v[4 * 8];
    for (int i = 0; i < 32; i++)
        v[i] = (float)i / 7.0f;
    mv_fd *fds[1] = {float_vectors("vec", 8, v, 4)};
    Milvus__Proto__Milvus__InsertRequest req;
    request(&req, fds, 1, 4);
    same_message(&req, 0); /* 128 bytes of vectors: below the borrowing size */
    protobuf_c_message_free_unpacked(&fds[0]->base, NULL);
}

Test(pack, large_arrays_are_borrowed_and_bytes_identical)
{
    enum { ROWS = 3000, DIM = 16 };
    float *v = malloc(sizeof(float) * ROWS * DIM);
    double *d = malloc(sizeof(double) * ROWS);
    int64_t *ids = malloc(sizeof(int64_t) * ROWS);
    const char **strs = malloc(sizeof(char *) * ROWS);
    uint8_t *bits = malloc(ROWS * 2);
    char buf[32];
    for (size_t i = 0; i < ROWS; i++) {
        ids[i] = (int64_t)i * 1000003 - 5;
        d[i] = (double)i * 0.25;
        bits[2 * i] = (uint8_t)i;
        bits[2 * i + 1] = (uint8_t)(i >> 8);
        for (int k = 0; k < DIM; k++)
            v[i * DIM + (size_t)k] = (float)(i * 31 + (size_t)k) / 997.0f;
    }
    for (size_t i = 0; i < ROWS; i++) {
        snprintf(buf, sizeof(buf), "row-%zu", i);
        strs[i] = strdup(buf);
    }
    milvus_column *c;
    mv_fd *fds[9];
    fds[0] = float_vectors("vec", DIM, v, ROWS);
    cr_assert_eq(milvus_column_new_int64(&c, "id", ids, ROWS), MILVUS_OK);
    fds[1] = column_fd(c); /* varints: copied, not borrowed */
    cr_assert_eq(milvus_column_new_double(&c, "d", d, ROWS), MILVUS_OK);
    fds[2] = column_fd(c);
    cr_assert_eq(milvus_column_new_varchar(&c, "s", strs, ROWS), MILVUS_OK);
    fds[3] = column_fd(c); /* many short strings: copied */
    cr_assert_eq(milvus_column_new_binary_vector(&c, "bv", 16, bits, ROWS), MILVUS_OK);
    fds[4] = column_fd(c);
    cr_assert_eq(milvus_column_new_float16_vector(&c, "hv", 4, (const uint16_t *)v, ROWS),
                 MILVUS_OK);
    fds[5] = column_fd(c);
    cr_assert_eq(milvus_column_new_bfloat16_vector(&c, "bfv", 2, (const uint16_t *)v, ROWS),
                 MILVUS_OK);
    fds[6] = column_fd(c);
    cr_assert_eq(milvus_column_new_int8_vector(&c, "i8v", 1, (const int8_t *)v, ROWS), MILVUS_OK);
    fds[7] = column_fd(c); /* 3000 bytes: below the borrowing size, copied */
    uint64_t *off = malloc(sizeof(uint64_t) * (ROWS + 1));
    uint32_t *idx = malloc(sizeof(uint32_t) * ROWS);
    for (size_t i = 0; i <= ROWS; i++)
        off[i] = i;
    for (size_t i = 0; i < ROWS; i++)
        idx[i] = (uint32_t)(i * 7);
    cr_assert_eq(milvus_column_new_sparse_vector(&c, "sv", ROWS, off, idx, (const float *)v),
                 MILVUS_OK);
    fds[8] = column_fd(c); /* sparse rows: copied */
    free(off);
    free(idx);
    Milvus__Proto__Milvus__InsertRequest req;
    request(&req, fds, 9, ROWS);
    /* borrowed: float, binary, float16 and bfloat16 vectors */
    same_message(&req, 4);
    /* one column alone, and none */
    request(&req, fds + 4, 1, ROWS);
    same_message(&req, 1);
    request(&req, fds, 0, ROWS);
    same_message(&req, 0);
    request(&req, fds, 9, ROWS);

    size_t big;
    Milvus__Proto__Milvus__InsertRequest head = req;
    head.n_fields_data = 0;
    mv_reqbuf *rb = mv_pack_fields_borrowing(&head.base, fds, 9, 5, 0, &big);
    cr_assert_not_null(rb);
    cr_assert(borrows(rb, fds[0]->vectors->float_vector->data), "float vectors copied");
    cr_assert(borrows(rb, fds[4]->vectors->binary_vector.data), "binary vectors copied");
    mv_reqbuf_unref(rb);

    for (size_t i = 0; i < 9; i++)
        protobuf_c_message_free_unpacked(&fds[i]->base, NULL);
    for (size_t i = 0; i < ROWS; i++)
        free((char *)strs[i]);
    free(strs);
    free(v);
    free(d);
    free(ids);
    free(bits);
}

Test(pack, too_large_is_refused_before_packing)
{
    enum { ROWS = 1000, DIM = 8 };
    float *v = calloc(ROWS * DIM, sizeof(float));
    mv_fd *fds[1] = {float_vectors("vec", DIM, v, ROWS)};
    Milvus__Proto__Milvus__InsertRequest req;
    size_t big = 0;
    request(&req, fds, 1, ROWS);
    size_t need = protobuf_c_message_get_packed_size(&req.base);
    cr_assert_null(mv_pack_rb(&req.base, NULL, need - 1, &big));
    cr_assert_eq(big, need);
    big = 0;
    Milvus__Proto__Milvus__InsertRequest head = req;
    head.n_fields_data = 0;
    cr_assert_null(mv_pack_fields_borrowing(&head.base, fds, 1, 5, need - 1, &big));
    cr_assert_eq(big, need);
    mv_reqbuf *rb = mv_pack_fields_borrowing(&head.base, fds, 1, 5, need, &big);
    cr_assert_not_null(rb);
    cr_assert_eq(big, 0);
    mv_reqbuf_unref(rb);
    protobuf_c_message_free_unpacked(&fds[0]->base, NULL);
    free(v);
}

Test(pack, socket_buffer_references_keep_the_request_alive)
{
    enum { ROWS = 2000, DIM = 8 };
    float *v = malloc(sizeof(float) * ROWS * DIM);
    for (size_t i = 0; i < ROWS * DIM; i++)
        v[i] = (float)i;
    mv_fd *fds[1] = {float_vectors("vec", DIM, v, ROWS)};
    Milvus__Proto__Milvus__InsertRequest req;
    size_t big;
    request(&req, fds, 1, ROWS);
    req.n_fields_data = 0;
    mv_reqbuf *rb = mv_pack_fields_borrowing(&req.base, fds, 1, 5, 0, &big);
    cr_assert_not_null(rb);
    cr_assert(borrows(rb, v) || borrows(rb, fds[0]->vectors->float_vector->data));
    mv_frame_header(rb->data, (uint32_t)(rb->len - MV_FRAME_HDR), 0);
    struct evbuffer *out = evbuffer_new();
    /* in frame-sized pieces, across segment boundaries */
    for (size_t off = 0; off < rb->len; off += 16384) {
        size_t n = rb->len - off < 16384 ? rb->len - off : 16384;
        cr_assert_eq(mv_reqbuf_add_to(rb, out, off, n), 0);
    }
    cr_assert_gt(rb->refs, 1, "pieces hold references");
    cr_assert_eq(evbuffer_get_length(out), rb->len);
    uint8_t *got = malloc(rb->len), *want = malloc(rb->len);
    evbuffer_copyout(out, got, rb->len);
    mv_reqbuf_read(rb, 0, want, rb->len);
    cr_assert(memcmp(got, want, rb->len) == 0);
    cr_assert_eq(got[0], 0);
    cr_assert_eq(((size_t)got[1] << 24 | (size_t)got[2] << 16 | (size_t)got[3] << 8 | got[4]),
                 rb->len - MV_FRAME_HDR, "the prefix carries the length");
    cr_assert_eq(mv_reqbuf_add_to(rb, out, rb->len - 1, 2), -1, "a range past the end is refused");
    evbuffer_free(out);
    cr_assert_eq(rb->refs, 1, "every piece released its reference");
    mv_reqbuf_unref(rb);
    free(got);
    free(want);
    protobuf_c_message_free_unpacked(&fds[0]->base, NULL);
    free(v);
}

/* Large request buffers come back to their client's pool and serve the
 * next large request; small ones are plain allocations; a pool released
 * by its owner lives until its last buffer is back. */
Test(pack, large_request_buffers_are_recycled)
{
    mv_rbpool *p = mv_rbpool_new();
    cr_assert_not_null(p);
    mv_reqbuf *a = mv_reqbuf_new_pooled(p, 2 << 20);
    cr_assert_not_null(a);
    uint8_t *first = a->data;
    mv_reqbuf_ref(a); /* a retry or the socket still holds it */
    mv_reqbuf_unref(a);
    mv_reqbuf *b = mv_reqbuf_new_pooled(p, 2 << 20);
    cr_assert_neq(b->data, first, "a buffer still referenced was handed out again");
    mv_reqbuf_unref(a); /* back to the pool */
    mv_reqbuf *c = mv_reqbuf_new_pooled(p, (3 << 20) / 2);
    cr_assert_eq(c->data, first, "the spare was not reused");
    cr_assert_eq(c->len, MV_FRAME_HDR + ((3 << 20) / 2));
    memset(mv_reqbuf_payload(c), 0x5a, (3 << 20) / 2);
    mv_reqbuf *small = mv_reqbuf_new_pooled(p, 1000);
    cr_assert_null(small->pool, "small buffers are not pooled");
    mv_reqbuf_unref(small);
    mv_reqbuf_unref(c);
    /* a spare more than four times larger than a request is kept for a
     * larger one */
    mv_reqbuf *e = mv_reqbuf_new_pooled(p, 8 << 20);
    uint8_t *eight = e->data;
    mv_reqbuf_unref(e);
    mv_reqbuf *d = mv_reqbuf_new_pooled(p, MV_POOL_MIN);
    cr_assert_neq(d->data, eight);
    mv_reqbuf_unref(d);
    d = mv_reqbuf_new_pooled(p, 6 << 20);
    cr_assert_eq(d->data, eight, "the larger buffer was not the one kept");
    /* the owner goes first; the buffers still out free the pool */
    mv_rbpool_release(p);
    memset(mv_reqbuf_payload(b), 1, 2 << 20);
    mv_reqbuf_unref(b);
    mv_reqbuf_unref(d);
}

Test(pack, packing_uses_the_pool)
{
    enum { ROWS = 20000, DIM = 16 }; /* 1.28 MB of vectors */
    float *v = calloc(ROWS * DIM, sizeof(float));
    mv_fd *fds[1] = {float_vectors("vec", DIM, v, ROWS)};
    Milvus__Proto__Milvus__InsertRequest req;
    size_t big;
    mv_rbpool *p = mv_rbpool_new();
    request(&req, fds, 1, ROWS);
    mv_reqbuf *a = mv_pack_rb(&req.base, p, 0, &big);
    cr_assert_not_null(a);
    cr_assert_eq(a->pool, p);
    uint8_t *first = a->data;
    mv_reqbuf_unref(a);
    v[5] = 1.5f;
    fds[0]->vectors->float_vector->data[5] = 1.5f;
    mv_reqbuf *b = mv_pack_rb(&req.base, p, 0, &big);
    cr_assert_eq(b->data, first, "the second request did not reuse the first's buffer");
    size_t n;
    uint8_t *flat_b = flat(b, &n);
    ProtobufCMessage *m = protobuf_c_message_unpack(
        &milvus__proto__milvus__insert_request__descriptor, NULL, n, flat_b);
    cr_assert_not_null(m);
    cr_assert_eq(
        ((Milvus__Proto__Milvus__InsertRequest *)m)->fields_data[0]->vectors->float_vector->data[5],
        1.5f, "the reused buffer holds the new request");
    protobuf_c_message_free_unpacked(m, NULL);
    free(flat_b);
    mv_reqbuf_unref(b);
    mv_rbpool_release(p);
    protobuf_c_message_free_unpacked(&fds[0]->base, NULL);
    free(v);
}
