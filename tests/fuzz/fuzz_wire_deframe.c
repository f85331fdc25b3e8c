/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Fuzz target: the gRPC message deframer (src/wire/grpc_wire.c).
 *
 * Input layout (so that the fuzzer chooses the DATA frame splits):
 *   byte 0      options: bits 0-1 pick max_msg from {0, 16, 1024, 64 MiB};
 *               bit 2 set: the callback aborts at message (bits 3-5)
 *   byte 1      number of split sizes k (0..31)
 *   k bytes     chunk sizes, used in turn (0 = an empty feed)
 *   the rest    the byte stream the server would send
 *
 * The same stream is deframed three ways — in the fuzzer's chunks, in one
 * piece, and one byte at a time — and every way must deliver the same
 * messages and end in the same state.  Any difference aborts.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "wire/grpc_wire.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct log {
    uint8_t *p;
    size_t len, cap;
    size_t msgs;
    long abort_at;
};

static void log_put(struct log *l, const void *p, size_t n)
{
    if (l->cap - l->len < n) {
        size_t cap = l->cap ? l->cap : 256;
        while (cap - l->len < n)
            cap *= 2;
        uint8_t *q = realloc(l->p, cap);
        if (q == NULL)
            abort();
        l->p = q;
        l->cap = cap;
    }
    if (n)
        memcpy(l->p + l->len, p, n);
    l->len += n;
}

static int on_msg(const uint8_t *msg, size_t len, void *ctx)
{
    struct log *l = ctx;
    if (msg == NULL)
        abort();
    if (l->abort_at >= 0 && (size_t)l->abort_at == l->msgs)
        return 1;
    l->msgs++;
    uint32_t n = (uint32_t)len;
    log_put(l, &n, sizeof n);
    log_put(l, msg, len);
    return 0;
}

/* Runs one deframing; chunk sizes from `splits` (NULL: whole, or one byte
 * at a time when one_byte).  Appends the final codes to the log. */
static void run(struct log *l, const uint8_t *s, size_t n, const uint8_t *splits, size_t k,
                int one_byte, size_t max_msg)
{
    mv_deframer d;
    mv_deframer_init(&d, max_msg);
    int rc = MV_DEFRAME_OK;
    size_t off = 0, i = 0;
    while (off < n) {
        size_t c = one_byte ? 1 : k == 0 ? n - off : splits[i++ % k];
        if (c > n - off)
            c = n - off;
        rc = mv_deframer_feed(&d, s + off, c, on_msg, l);
        off += c;
        if (rc == MV_DEFRAME_OK)
            continue;
        /* Sticky: more input returns the same error, delivers nothing. */
        size_t before = l->msgs;
        if (mv_deframer_feed(&d, s + off, n - off, on_msg, l) != rc || l->msgs != before)
            abort();
        break;
    }
    /* Memory follows the data: never above the limit. */
    if (d.buf_cap > d.max_msg)
        abort();
    int fin = mv_deframer_finish(&d);
    if (rc != MV_DEFRAME_OK && fin != rc)
        abort();
    if (fin == MV_DEFRAME_TOO_LARGE && (size_t)d.too_large <= max_msg)
        abort();
    if (mv_deframe_strerror(fin) == NULL)
        abort();
    log_put(l, &fin, sizeof fin);
    mv_deframer_free(&d);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const size_t maxes[] = {0, 16, 1024, (size_t)64 << 20};
    if (size < 2)
        return 0;
    uint8_t opt = data[0];
    size_t k = data[1] % 32;
    if (size < 2 + k)
        return 0;
    const uint8_t *splits = data + 2;
    const uint8_t *s = data + 2 + k;
    size_t n = size - 2 - k;
    size_t max_msg = maxes[opt & 3];
    /* Zero-size chunks are kept (empty feeds are legal) unless all are
     * zero, which would never advance. */
    size_t nonzero = 0;
    for (size_t i = 0; i < k; i++)
        nonzero += splits[i] != 0;
    if (nonzero == 0)
        k = 0;
    long abort_at = (opt & 4) ? (long)((opt >> 3) & 7) : -1;

    struct log a = {.abort_at = abort_at}, b = {.abort_at = abort_at}, c = {.abort_at = abort_at};
    run(&a, s, n, splits, k, 0, max_msg);
    run(&b, s, n, NULL, 0, 0, max_msg);
    run(&c, s, n, NULL, 0, 1, max_msg);
    if (a.len != b.len || a.msgs != b.msgs || memcmp(a.p, b.p, a.len) != 0)
        abort();
    if (c.len != b.len || c.msgs != b.msgs || memcmp(c.p, b.p, c.len) != 0)
        abort();
    free(a.p);
    free(b.p);
    free(c.p);
    return 0;
}
