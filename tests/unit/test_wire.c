/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Unit tests for the wire layer (src/wire/grpc_wire.c).
 * Vectors come from gRPC's PROTOCOL-HTTP2.md, the interop test suite
 * (special_status_message) and RFC 4648 §10.
 */
#include <criterion/criterion.h>

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <milvus/common.h>

#include "wire/grpc_wire.h"

/* ======================================================================
 * helpers: a message collector for the deframer
 * ====================================================================== */

#define MAX_MSGS 64

struct collect {
    size_t n;
    uint8_t *msg[MAX_MSGS];
    size_t len[MAX_MSGS];
    int zero_copy[MAX_MSGS]; /* pointer lay inside the chunk being fed */
    const uint8_t *chunk;
    size_t chunk_len;
    int abort_at; /* return non-zero on this message index (-1: never) */
};

static void collect_init(struct collect *c)
{
    memset(c, 0, sizeof *c);
    c->abort_at = -1;
}

static void collect_free(struct collect *c)
{
    for (size_t i = 0; i < c->n; i++)
        free(c->msg[i]);
    c->n = 0;
}

static int collect_fn(const uint8_t *msg, size_t len, void *ctx)
{
    struct collect *c = ctx;
    cr_assert_not_null(msg, "message pointer must never be NULL");
    cr_assert_lt(c->n, MAX_MSGS);
    if (c->abort_at >= 0 && (size_t)c->abort_at == c->n) {
        c->n++;
        return 1;
    }
    c->msg[c->n] = malloc(len + 1);
    cr_assert_not_null(c->msg[c->n]);
    memcpy(c->msg[c->n], msg, len);
    c->len[c->n] = len;
    c->zero_copy[c->n] =
        c->chunk != NULL && msg >= c->chunk && msg + len <= c->chunk + c->chunk_len;
    c->n++;
    return 0;
}

static int feed(mv_deframer *d, struct collect *c, const uint8_t *p, size_t len)
{
    c->chunk = p;
    c->chunk_len = len;
    return mv_deframer_feed(d, p, len, collect_fn, c);
}

/* A stream of messages with the given lengths; payload byte j of message i
 * is (i * 31 + j) & 0xFF so that misplaced bytes are detected. */
static uint8_t *make_stream(const size_t *lens, size_t count, size_t *total)
{
    size_t n = 0;
    for (size_t i = 0; i < count; i++)
        n += MV_FRAME_HDR + lens[i];
    uint8_t *s = malloc(n ? n : 1);
    cr_assert_not_null(s);
    size_t w = 0;
    for (size_t i = 0; i < count; i++) {
        mv_frame_header(s + w, (uint32_t)lens[i], 0);
        w += MV_FRAME_HDR;
        for (size_t j = 0; j < lens[i]; j++)
            s[w++] = (uint8_t)((i * 31 + j) & 0xFF);
    }
    *total = n;
    return s;
}

static void check_messages(const struct collect *c, const size_t *lens, size_t count)
{
    cr_assert_eq(c->n, count, "got %zu messages, want %zu", c->n, count);
    for (size_t i = 0; i < count; i++) {
        cr_assert_eq(c->len[i], lens[i], "message %zu: len %zu want %zu", i, c->len[i], lens[i]);
        for (size_t j = 0; j < lens[i]; j++)
            cr_assert_eq(c->msg[i][j], (uint8_t)((i * 31 + j) & 0xFF), "message %zu byte %zu", i,
                         j);
    }
}

/* strdup is POSIX, not C11. */
static char *dup_str(const char *s)
{
    size_t n = strlen(s) + 1;
    char *p = malloc(n);
    cr_assert_not_null(p);
    return memcpy(p, s, n);
}

static const size_t stream_lens[] = {0, 1, 5, 300, 0, 17, 4, 0};
#define STREAM_COUNT (sizeof stream_lens / sizeof stream_lens[0])

/* ======================================================================
 * framing
 * ====================================================================== */

Test(frame, header_layout)
{
    uint8_t h[MV_FRAME_HDR];
    mv_frame_header(h, 0x01020304u, 0);
    uint8_t want[] = {0, 1, 2, 3, 4};
    cr_assert_arr_eq(h, want, 5);
    mv_frame_header(h, 0xFFFFFFFFu, 1);
    uint8_t want2[] = {1, 0xFF, 0xFF, 0xFF, 0xFF};
    cr_assert_arr_eq(h, want2, 5);
    mv_frame_header(h, 0, 0);
    uint8_t want3[] = {0, 0, 0, 0, 0};
    cr_assert_arr_eq(h, want3, 5);
}

Test(deframe, whole_stream_one_chunk_is_zero_copy)
{
    size_t total;
    uint8_t *s = make_stream(stream_lens, STREAM_COUNT, &total);
    mv_deframer d;
    struct collect c;
    mv_deframer_init(&d, 1 << 20);
    collect_init(&c);
    cr_assert_eq(feed(&d, &c, s, total), MV_DEFRAME_OK);
    check_messages(&c, stream_lens, STREAM_COUNT);
    for (size_t i = 0; i < c.n; i++) {
        if (c.len[i] > 0)
            cr_assert(c.zero_copy[i], "message %zu was copied", i);
    }
    cr_assert_null(d.buf, "nothing should have been buffered");
    cr_assert_eq(mv_deframer_finish(&d), MV_DEFRAME_OK);
    collect_free(&c);
    mv_deframer_free(&d);
    free(s);
}

/* What is still due of the message being received: the transport sizes
 * its socket reads and low-water mark with it. */
Test(deframe, pending_counts_down_the_message_being_received)
{
    const size_t lens[2] = {1000, 7};
    size_t total;
    uint8_t *s = make_stream(lens, 2, &total);
    mv_deframer d;
    struct collect c;
    mv_deframer_init(&d, 1 << 20);
    collect_init(&c);
    cr_assert_eq(mv_deframer_pending(&d), 0, "nothing announced yet");
    for (size_t i = 0; i < MV_FRAME_HDR; i++) {
        cr_assert_eq(mv_deframer_pending(&d), 0, "prefix byte %zu", i);
        cr_assert_eq(feed(&d, &c, s + i, 1), MV_DEFRAME_OK);
    }
    cr_assert_eq(mv_deframer_pending(&d), 1000);
    cr_assert_eq(feed(&d, &c, s + MV_FRAME_HDR, 300), MV_DEFRAME_OK);
    cr_assert_eq(mv_deframer_pending(&d), 700);
    cr_assert_eq(feed(&d, &c, s + MV_FRAME_HDR + 300, 699), MV_DEFRAME_OK);
    cr_assert_eq(mv_deframer_pending(&d), 1);
    /* the last byte and the next message's prefix in one chunk */
    cr_assert_eq(feed(&d, &c, s + MV_FRAME_HDR + 999, 1 + MV_FRAME_HDR), MV_DEFRAME_OK);
    cr_assert_eq(c.n, 1);
    cr_assert_eq(mv_deframer_pending(&d), 7);
    cr_assert_eq(feed(&d, &c, s + 2 * MV_FRAME_HDR + 1000, 7), MV_DEFRAME_OK);
    cr_assert_eq(c.n, 2);
    cr_assert_eq(mv_deframer_pending(&d), 0, "between messages");
    check_messages(&c, lens, 2);
    collect_free(&c);
    mv_deframer_free(&d);
    free(s);
}

Test(deframe, every_single_split_point)
{
    size_t total;
    uint8_t *s = make_stream(stream_lens, STREAM_COUNT, &total);
    for (size_t cut = 0; cut <= total; cut++) {
        mv_deframer d;
        struct collect c;
        mv_deframer_init(&d, 1 << 20);
        collect_init(&c);
        cr_assert_eq(feed(&d, &c, s, cut), MV_DEFRAME_OK, "cut %zu", cut);
        cr_assert_eq(feed(&d, &c, s + cut, total - cut), MV_DEFRAME_OK, "cut %zu", cut);
        check_messages(&c, stream_lens, STREAM_COUNT);
        cr_assert_eq(mv_deframer_finish(&d), MV_DEFRAME_OK, "cut %zu", cut);
        collect_free(&c);
        mv_deframer_free(&d);
    }
    free(s);
}

Test(deframe, every_pair_of_split_points)
{
    /* Three chunks: covers a prefix split over three feeds and a payload
     * split twice. */
    static const size_t lens[] = {0, 3, 9, 0, 1};
    size_t total;
    uint8_t *s = make_stream(lens, 5, &total);
    for (size_t a = 0; a <= total; a++) {
        for (size_t b = a; b <= total; b++) {
            mv_deframer d;
            struct collect c;
            mv_deframer_init(&d, 64);
            collect_init(&c);
            cr_assert_eq(feed(&d, &c, s, a), 0);
            cr_assert_eq(feed(&d, &c, s + a, b - a), 0);
            cr_assert_eq(feed(&d, &c, s + b, total - b), 0);
            check_messages(&c, lens, 5);
            cr_assert_eq(mv_deframer_finish(&d), MV_DEFRAME_OK);
            collect_free(&c);
            mv_deframer_free(&d);
        }
    }
    free(s);
}

Test(deframe, one_byte_feeds)
{
    size_t total;
    uint8_t *s = make_stream(stream_lens, STREAM_COUNT, &total);
    mv_deframer d;
    struct collect c;
    mv_deframer_init(&d, 1 << 20);
    collect_init(&c);
    for (size_t i = 0; i < total; i++) {
        cr_assert_eq(feed(&d, &c, s + i, 1), MV_DEFRAME_OK);
        /* Between messages, and only there, finish() reports no partial. */
        int boundary = 0;
        for (size_t k = 0, off = 0; k < STREAM_COUNT; k++) {
            off += MV_FRAME_HDR + stream_lens[k];
            if (off == i + 1)
                boundary = 1;
        }
        cr_assert_eq(mv_deframer_finish(&d) == MV_DEFRAME_OK, boundary, "offset %zu", i);
    }
    check_messages(&c, stream_lens, STREAM_COUNT);
    /* The buffer is reused: it never exceeds the largest message. */
    cr_assert_leq(d.buf_cap, 300);
    collect_free(&c);
    mv_deframer_free(&d);
    free(s);
}

Test(deframe, empty_feed_and_null_callback)
{
    mv_deframer d;
    mv_deframer_init(&d, 16);
    cr_assert_eq(mv_deframer_feed(&d, NULL, 0, NULL, NULL), MV_DEFRAME_OK);
    uint8_t two[] = {0, 0, 0, 0, 2, 'h', 'i', 0, 0, 0, 0, 0};
    cr_assert_eq(mv_deframer_feed(&d, two, sizeof two, NULL, NULL), MV_DEFRAME_OK);
    cr_assert_eq(mv_deframer_finish(&d), MV_DEFRAME_OK);
    mv_deframer_free(&d);
}

Test(deframe, exactly_max_is_accepted)
{
    static const size_t lens[] = {8};
    size_t total;
    uint8_t *s = make_stream(lens, 1, &total);
    mv_deframer d;
    struct collect c;
    mv_deframer_init(&d, 8);
    collect_init(&c);
    cr_assert_eq(feed(&d, &c, s, 7), MV_DEFRAME_OK);
    cr_assert_eq(feed(&d, &c, s + 7, total - 7), MV_DEFRAME_OK);
    check_messages(&c, lens, 1);
    collect_free(&c);
    mv_deframer_free(&d);
    free(s);
}

Test(deframe, too_large_fails_before_buffering)
{
    mv_deframer d;
    struct collect c;
    mv_deframer_init(&d, 64u << 20);
    collect_init(&c);
    uint8_t h[MV_FRAME_HDR];
    mv_frame_header(h, 0xFFFFFFFFu, 0);
    /* Prefix split so the slow path is taken too. */
    cr_assert_eq(feed(&d, &c, h, 3), MV_DEFRAME_OK);
    cr_assert_eq(feed(&d, &c, h + 3, 2), MV_DEFRAME_TOO_LARGE);
    cr_assert_eq(d.too_large, 0xFFFFFFFFu);
    cr_assert_null(d.buf);
    cr_assert_eq(c.n, 0);
    /* Sticky. */
    uint8_t more[] = {0, 0, 0, 0, 0};
    cr_assert_eq(feed(&d, &c, more, 5), MV_DEFRAME_TOO_LARGE);
    cr_assert_eq(mv_deframer_finish(&d), MV_DEFRAME_TOO_LARGE);
    cr_assert_eq(c.n, 0);
    cr_assert_str_eq(mv_deframe_strerror(MV_DEFRAME_TOO_LARGE),
                     "received message larger than the limit");
    mv_deframer_free(&d);
}

Test(deframe, too_large_after_good_messages)
{
    static const size_t lens[] = {3, 11};
    size_t total;
    uint8_t *s = make_stream(lens, 2, &total);
    mv_deframer d;
    struct collect c;
    mv_deframer_init(&d, 10);
    collect_init(&c);
    cr_assert_eq(feed(&d, &c, s, total), MV_DEFRAME_TOO_LARGE);
    cr_assert_eq(c.n, 1);
    cr_assert_eq(c.len[0], 3);
    cr_assert_eq(d.too_large, 11);
    collect_free(&c);
    mv_deframer_free(&d);
    free(s);
}

Test(deframe, announced_length_does_not_allocate_ahead)
{
    /* 60 MiB announced (allowed), 10 bytes sent: memory stays small. */
    mv_deframer d;
    struct collect c;
    mv_deframer_init(&d, 64u << 20);
    collect_init(&c);
    uint8_t h[MV_FRAME_HDR + 10] = {0};
    mv_frame_header(h, 60u << 20, 0);
    cr_assert_eq(feed(&d, &c, h, sizeof h), MV_DEFRAME_OK);
    cr_assert_leq(d.buf_cap, 4096);
    cr_assert_eq(mv_deframer_finish(&d), MV_DEFRAME_TRUNCATED);
    mv_deframer_free(&d);
}

struct alloc_probe {
    int calls;
    size_t asked;
    size_t give; /* capacity handed out; 0: decline */
    uint8_t *given;
};

static uint8_t *probe_alloc(void *ctx, size_t msg_len, size_t *cap)
{
    struct alloc_probe *p = ctx;
    p->calls++;
    p->asked = msg_len;
    if (!p->give)
        return NULL;
    p->given = malloc(p->give);
    *cap = p->give;
    return p->given;
}

Test(deframe, buffer_source_supplies_whole_message)
{
    /* 100 000 bytes fed in 1 000-byte chunks: the source is asked once,
     * with the announced length, and its buffer holds the message. */
    size_t n = 100000;
    uint8_t *s = malloc(MV_FRAME_HDR + n);
    struct alloc_probe p = {0, 0, 150000, NULL};
    mv_deframer d;
    struct collect c;
    mv_frame_header(s, (uint32_t)n, 0);
    for (size_t i = 0; i < n; i++)
        s[MV_FRAME_HDR + i] = (uint8_t)(i * 13);
    mv_deframer_init(&d, 1 << 20);
    mv_deframer_set_alloc(&d, probe_alloc, &p);
    collect_init(&c);
    for (size_t off = 0; off < MV_FRAME_HDR + n; off += 1000) {
        size_t k = MV_FRAME_HDR + n - off < 1000 ? MV_FRAME_HDR + n - off : 1000;
        cr_assert_eq(feed(&d, &c, s + off, k), MV_DEFRAME_OK);
    }
    cr_assert_eq(p.calls, 1);
    cr_assert_eq(p.asked, n);
    cr_assert_eq(d.buf, p.given);
    cr_assert_eq(d.buf_cap, 150000);
    cr_assert_eq(c.n, 1);
    cr_assert_eq(c.len[0], n);
    cr_assert(memcmp(c.msg[0], s + MV_FRAME_HDR, n) == 0);
    collect_free(&c);
    mv_deframer_free(&d);
    free(s);
}

Test(deframe, buffer_source_may_decline)
{
    /* Declined (NULL) or too small: the deframer grows its own buffer with
     * the bytes received, as without a source; a whole message in one
     * chunk never asks at all. */
    size_t n = 3000;
    uint8_t *s = malloc(MV_FRAME_HDR + n);
    struct alloc_probe p = {0, 0, 0, NULL};
    mv_deframer d;
    struct collect c;
    mv_frame_header(s, (uint32_t)n, 0);
    memset(s + MV_FRAME_HDR, 'q', n);
    mv_deframer_init(&d, 1 << 20);
    mv_deframer_set_alloc(&d, probe_alloc, &p);
    collect_init(&c);
    cr_assert_eq(feed(&d, &c, s, MV_FRAME_HDR + n), MV_DEFRAME_OK);
    cr_assert_eq(p.calls, 0);
    cr_assert_eq(feed(&d, &c, s, 100), MV_DEFRAME_OK);
    cr_assert_eq(p.calls, 1);
    cr_assert_leq(d.buf_cap, 256);
    cr_assert_eq(feed(&d, &c, s + 100, MV_FRAME_HDR + n - 100), MV_DEFRAME_OK);
    /* The buffer now holds such a message: the source is not asked. */
    cr_assert_eq(feed(&d, &c, s, 100), MV_DEFRAME_OK);
    cr_assert_eq(p.calls, 1);
    cr_assert_eq(feed(&d, &c, s + 100, MV_FRAME_HDR + n - 100), MV_DEFRAME_OK);
    mv_deframer_free(&d);
    /* A buffer smaller than the message is freed and ignored. */
    mv_deframer_init(&d, 1 << 20);
    mv_deframer_set_alloc(&d, probe_alloc, &p);
    p.give = 10;
    cr_assert_eq(feed(&d, &c, s, 100), MV_DEFRAME_OK);
    cr_assert_eq(p.calls, 2);
    cr_assert_leq(d.buf_cap, 256);
    cr_assert_eq(feed(&d, &c, s + 100, MV_FRAME_HDR + n - 100), MV_DEFRAME_OK);
    cr_assert_eq(c.n, 4);
    for (size_t i = 0; i < 4; i++) {
        cr_assert_eq(c.len[i], n);
        cr_assert(memcmp(c.msg[i], s + MV_FRAME_HDR, n) == 0);
    }
    collect_free(&c);
    mv_deframer_free(&d);
    free(s);
}

Test(deframe, compressed_and_bad_flags)
{
    for (int split = 0; split <= 1; split++) {
        mv_deframer d;
        struct collect c;
        mv_deframer_init(&d, 100);
        collect_init(&c);
        uint8_t m[] = {1, 0, 0, 0, 1, 'x'};
        if (split) {
            cr_assert_eq(feed(&d, &c, m, 1), MV_DEFRAME_OK);
            cr_assert_eq(feed(&d, &c, m + 1, 5), MV_DEFRAME_COMPRESSED);
        } else {
            cr_assert_eq(feed(&d, &c, m, sizeof m), MV_DEFRAME_COMPRESSED);
        }
        cr_assert_eq(c.n, 0);
        cr_assert_eq(mv_deframer_finish(&d), MV_DEFRAME_COMPRESSED);
        mv_deframer_free(&d);
    }
    for (unsigned flag = 2; flag < 256; flag += 37) {
        mv_deframer d;
        mv_deframer_init(&d, 100);
        uint8_t m[] = {(uint8_t)flag, 0, 0, 0, 0};
        cr_assert_eq(mv_deframer_feed(&d, m, sizeof m, NULL, NULL), MV_DEFRAME_BAD_FLAG);
        mv_deframer_free(&d);
    }
}

Test(deframe, truncated)
{
    static const size_t lens[] = {4, 7};
    size_t total;
    uint8_t *s = make_stream(lens, 2, &total);
    for (size_t cut = 0; cut <= total; cut++) {
        mv_deframer d;
        struct collect c;
        mv_deframer_init(&d, 100);
        collect_init(&c);
        cr_assert_eq(feed(&d, &c, s, cut), MV_DEFRAME_OK);
        int at_boundary = cut == 0 || cut == MV_FRAME_HDR + 4 || cut == total;
        cr_assert_eq(mv_deframer_finish(&d), at_boundary ? MV_DEFRAME_OK : MV_DEFRAME_TRUNCATED,
                     "cut %zu", cut);
        collect_free(&c);
        mv_deframer_free(&d);
    }
    free(s);
}

Test(deframe, callback_abort_is_sticky)
{
    size_t total;
    uint8_t *s = make_stream(stream_lens, STREAM_COUNT, &total);
    mv_deframer d;
    struct collect c;
    mv_deframer_init(&d, 1000);
    collect_init(&c);
    c.abort_at = 2;
    cr_assert_eq(feed(&d, &c, s, total), MV_DEFRAME_ABORTED);
    cr_assert_eq(c.n, 3, "no message after the aborting one");
    cr_assert_eq(feed(&d, &c, s, total), MV_DEFRAME_ABORTED);
    cr_assert_eq(c.n, 3);
    /* reset clears the error and keeps working */
    mv_deframer_reset(&d);
    c.abort_at = -1;
    collect_free(&c);
    c.n = 0;
    cr_assert_eq(feed(&d, &c, s, total), MV_DEFRAME_OK);
    check_messages(&c, stream_lens, STREAM_COUNT);
    collect_free(&c);
    mv_deframer_free(&d);
    free(s);
}

Test(deframe, buffer_is_reused)
{
    /* Many split messages of the same size: one allocation serves all. */
    static const size_t lens[] = {200, 200, 200, 200};
    size_t total;
    uint8_t *s = make_stream(lens, 4, &total);
    mv_deframer d;
    struct collect c;
    mv_deframer_init(&d, 1000);
    collect_init(&c);
    cr_assert_eq(feed(&d, &c, s, 10), 0);
    cr_assert_eq(feed(&d, &c, s + 10, 200), 0);
    uint8_t *buf = d.buf;
    cr_assert_not_null(buf);
    for (size_t off = 210; off < total; off += 50) {
        size_t n = total - off < 50 ? total - off : 50;
        cr_assert_eq(feed(&d, &c, s + off, n), 0);
        cr_assert_eq(d.buf, buf, "buffer reallocated at offset %zu", off);
    }
    check_messages(&c, lens, 4);
    collect_free(&c);
    mv_deframer_free(&d);
    free(s);
}

Test(deframe, strerror_covers_all)
{
    for (int e = MV_DEFRAME_TRUNCATED; e <= MV_DEFRAME_OK; e++) {
        const char *m = mv_deframe_strerror(e);
        cr_assert_not_null(m);
        cr_assert_str_neq(m, "unknown deframer error", "code %d", e);
    }
    cr_assert_str_eq(mv_deframe_strerror(42), "unknown deframer error");
}

/* ======================================================================
 * grpc-timeout
 * ====================================================================== */

static void expect_timeout(int64_t ns, const char *want)
{
    char out[16];
    memset(out, 'X', sizeof out);
    int n = mv_timeout_encode(ns, out);
    cr_assert_str_eq(out, want, "encode(%lld)", (long long)ns);
    cr_assert_eq(n, (int)strlen(want));
}

Test(timeout, encode_vectors)
{
    expect_timeout(1, "1n");
    expect_timeout(0, "1n");
    expect_timeout(-5, "1n");
    expect_timeout(INT64_MIN, "1n");
    expect_timeout(999, "999n");
    expect_timeout(99999999, "99999999n");
    expect_timeout(100000000, "100000u");
    expect_timeout(100000001, "100001u"); /* rounded up */
    expect_timeout(100000999, "100001u");
    expect_timeout(100001000, "100001u");
    expect_timeout(INT64_C(1000000000), "1000000u");
    expect_timeout(INT64_C(99999999000), "99999999u");
    expect_timeout(INT64_C(99999999001), "100000m");
    expect_timeout(INT64_C(30000000000), "30000000u"); /* 30 s */
    expect_timeout(INT64_C(3600) * 1000000000, "3600000m");
    expect_timeout(INT64_C(99999999) * 1000000, "99999999m");
    expect_timeout(INT64_C(99999999) * 1000000 + 1, "100000S");
    expect_timeout(INT64_C(99999999) * 1000000000, "99999999S");
    expect_timeout(INT64_C(99999999) * 1000000000 + 1, "1666667M");
    expect_timeout(INT64_C(99999999) * 60000000000, "99999999M");
    expect_timeout(INT64_C(99999999) * 60000000000 + 1, "1666667H");
    expect_timeout(INT64_MAX, "2562048H"); /* the hours limit of int64 ns */
}

Test(timeout, encode_never_earlier_and_fits)
{
    /* Property: parse(encode(x)) >= x, at most 8 digits, finest unit. */
    uint64_t x = 88172645463325252ull;
    for (int i = 0; i < 20000; i++) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        int64_t ns = (int64_t)(x >> (x % 63 + 1));
        if (ns <= 0)
            ns = 1;
        char out[16];
        int n = mv_timeout_encode(ns, out);
        cr_assert(n >= 2 && n <= 9, "%lld → %s", (long long)ns, out);
        int64_t back;
        cr_assert_eq(mv_timeout_parse(out, (size_t)n, &back), 0, "%s", out);
        cr_assert_geq(back, ns, "%lld → %s → %lld", (long long)ns, out, (long long)back);
    }
}

static void expect_parse(const char *s, int64_t want)
{
    int64_t ns = -1;
    cr_assert_eq(mv_timeout_parse(s, strlen(s), &ns), 0, "parse(%s)", s);
    cr_assert_eq(ns, want, "parse(%s) = %lld", s, (long long)ns);
}

static void expect_parse_fail(const char *s, size_t len)
{
    int64_t ns = 12345;
    cr_assert_eq(mv_timeout_parse(s, len, &ns), -1, "parse(%.*s) should fail", (int)len, s);
    cr_assert_eq(ns, 12345, "output written on failure");
}

Test(timeout, parse_vectors)
{
    expect_parse("1n", 1);
    expect_parse("100000u", 100000000);
    expect_parse("5m", 5000000);
    expect_parse("7S", INT64_C(7000000000));
    expect_parse("2M", INT64_C(120000000000));
    expect_parse("3H", INT64_C(10800000000000));
    expect_parse("99999999n", 99999999);
    expect_parse("00000001S", INT64_C(1000000000));
    expect_parse("0m", 0);
    expect_parse("99999999M", INT64_C(99999999) * 60000000000);
    expect_parse("99999999H", INT64_MAX); /* saturates */
}

Test(timeout, parse_rejects)
{
    expect_parse_fail("", 0);
    expect_parse_fail(NULL, 0);
    expect_parse_fail("S", 1);
    expect_parse_fail("1", 1);
    expect_parse_fail("123456789n", 10); /* 9 digits */
    expect_parse_fail("1x", 2);
    expect_parse_fail("1s", 2); /* units are case-sensitive: s is not S */
    expect_parse_fail("1h", 2);
    expect_parse_fail("1U", 2);
    expect_parse_fail(" 1S", 3);
    expect_parse_fail("1S ", 3);
    expect_parse_fail("-1S", 3);
    expect_parse_fail("+1S", 3);
    expect_parse_fail("1.5S", 4);
    expect_parse_fail("1nn", 3);
    /* Length is honoured: "5S" followed by junk, only 1 byte passed. */
    expect_parse_fail("5S", 1);
}

/* ======================================================================
 * percent coding
 * ====================================================================== */

static const char special_msg[] =
    "\t\ntest with whitespace\r\nand Unicode BMP \xE2\x98\xBA and non-BMP \xF0\x9F\x98\x88\t\n";

Test(percent, encode_vectors)
{
    size_t n = 0;
    char *e = mv_percent_encode((const uint8_t *)"hello world", 11, &n);
    cr_assert_str_eq(e, "hello world");
    cr_assert_eq(n, 11);
    free(e);
    e = mv_percent_encode((const uint8_t *)"50%", 3, &n);
    cr_assert_str_eq(e, "50%25");
    free(e);
    e = mv_percent_encode((const uint8_t *)"", 0, &n);
    cr_assert_str_eq(e, "");
    cr_assert_eq(n, 0);
    free(e);
    e = mv_percent_encode((const uint8_t *)"a\0b~\x7f", 5, NULL);
    cr_assert_str_eq(e, "a%00b~%7F");
    free(e);
    e = mv_percent_encode((const uint8_t *)special_msg, sizeof special_msg - 1, &n);
    cr_assert_str_eq(e, "%09%0Atest with whitespace%0D%0Aand Unicode BMP %E2%98%BA and "
                        "non-BMP %F0%9F%98%88%09%0A");
    cr_assert_eq(n, strlen(e));
    free(e);
}

Test(percent, special_status_message_round_trip)
{
    size_t elen, dlen;
    char *e = mv_percent_encode((const uint8_t *)special_msg, sizeof special_msg - 1, &elen);
    cr_assert_not_null(e);
    cr_assert(mv_md_value_valid((const uint8_t *)e, elen), "encoded form is a legal header");
    char *d = mv_percent_decode(e, elen, &dlen);
    cr_assert_eq(dlen, sizeof special_msg - 1);
    cr_assert_arr_eq(d, special_msg, dlen);
    cr_assert_eq(d[dlen], '\0');
    free(e);
    free(d);
}

Test(percent, all_bytes_round_trip)
{
    uint8_t all[256];
    for (int i = 0; i < 256; i++)
        all[i] = (uint8_t)i;
    size_t elen, dlen;
    char *e = mv_percent_encode(all, 256, &elen);
    cr_assert_eq(elen, 256 + 2 * (0x20 + 1 + 0x81)); /* controls, %, DEL..FF */
    char *d = mv_percent_decode(e, elen, &dlen);
    cr_assert_eq(dlen, 256);
    cr_assert_arr_eq(d, all, 256);
    free(e);
    free(d);
}

static void expect_decode(const char *in, const char *want)
{
    size_t n = 99;
    char *d = mv_percent_decode(in, strlen(in), &n);
    cr_assert_not_null(d, "decode never fails");
    cr_assert_str_eq(d, want, "decode(%s)", in);
    cr_assert_eq(n, strlen(want));
    free(d);
}

Test(percent, decode_vectors_and_invalid_escapes)
{
    expect_decode("", "");
    expect_decode("plain text", "plain text");
    expect_decode("%", "%");
    expect_decode("%4", "%4");
    expect_decode("%zz", "%zz");
    expect_decode("%4g", "%4g");
    expect_decode("%g4", "%g4");
    expect_decode("a%", "a%");
    expect_decode("a%41", "aA");
    expect_decode("%41%42%43", "ABC");
    expect_decode("%%41", "%A");
    expect_decode("%e2%98%ba", "\xE2\x98\xBA"); /* lowercase hex accepted */
    expect_decode("100%25", "100%");
    expect_decode("%2", "%2");
    expect_decode("50% off", "50% off");
}

Test(percent, decode_respects_length)
{
    size_t n;
    char *d = mv_percent_decode("%41BC", 2, &n); /* "%4" only */
    cr_assert_str_eq(d, "%4");
    cr_assert_eq(n, 2);
    free(d);
    d = mv_percent_decode(NULL, 0, &n);
    cr_assert_str_eq(d, "");
    free(d);
}

/* A %00 decodes to a NUL inside the result: the bytes after it are kept
 * and counted. */
Test(percent, nul_keeps_the_rest)
{
    size_t n = 0;
    char *d = mv_percent_decode("before%00after%00", 17, &n);
    cr_assert_eq(n, 13);
    cr_assert_arr_eq(d, "before\0after\0", 14); /* and the terminating NUL */
    free(d);
}

/* The decoded bytes as a C string: NUL shown as \x00, the rest as it is. */
Test(percent, message_text_shows_nul)
{
    char *t = mv_message_text((const uint8_t *)"before\0after\0", 13);
    cr_assert_str_eq(t, "before\\x00after\\x00");
    free(t);
    t = mv_message_text((const uint8_t *)"caf\xc3\xa9 \\x00 \x1b[0m", 15);
    cr_assert_str_eq(t, "caf\xc3\xa9 \\x00 \x1b[0m"); /* other bytes untouched */
    free(t);
    t = mv_message_text(NULL, 0);
    cr_assert_str_eq(t, "");
    free(t);
    t = mv_message_text((const uint8_t *)"\0", 1);
    cr_assert_str_eq(t, "\\x00");
    free(t);
}

/* ======================================================================
 * base64
 * ====================================================================== */

static const struct {
    const char *plain, *unpadded, *padded;
} rfc4648[] = {
    {"", "", ""},
    {"f", "Zg", "Zg=="},
    {"fo", "Zm8", "Zm8="},
    {"foo", "Zm9v", "Zm9v"},
    {"foob", "Zm9vYg", "Zm9vYg=="},
    {"fooba", "Zm9vYmE", "Zm9vYmE="},
    {"foobar", "Zm9vYmFy", "Zm9vYmFy"},
};

Test(base64, encode_rfc4648_unpadded)
{
    for (size_t i = 0; i < sizeof rfc4648 / sizeof rfc4648[0]; i++) {
        size_t n = 99;
        char *e = mv_base64_encode((const uint8_t *)rfc4648[i].plain, strlen(rfc4648[i].plain), &n);
        cr_assert_str_eq(e, rfc4648[i].unpadded);
        cr_assert_eq(n, strlen(rfc4648[i].unpadded));
        free(e);
    }
}

static void expect_b64(const char *in, const char *want)
{
    size_t n = 99;
    int invalid = 7;
    uint8_t *d = mv_base64_decode(in, strlen(in), &n, &invalid);
    cr_assert_not_null(d, "decode(%s)", in);
    cr_assert_eq(invalid, 0);
    cr_assert_eq(n, strlen(want), "decode(%s) length %zu", in, n);
    cr_assert_arr_eq(d, want, n);
    cr_assert_eq(d[n], 0);
    free(d);
}

Test(base64, decode_rfc4648_padded_and_unpadded)
{
    for (size_t i = 0; i < sizeof rfc4648 / sizeof rfc4648[0]; i++) {
        expect_b64(rfc4648[i].padded, rfc4648[i].plain);
        expect_b64(rfc4648[i].unpadded, rfc4648[i].plain);
    }
    expect_b64("+/+/", "\xFB\xFF\xBF");
    expect_b64("Zh", "f"); /* non-canonical trailing bits: accepted */
}

static void expect_b64_invalid(const char *in)
{
    size_t n = 99;
    int invalid = 0;
    uint8_t *d = mv_base64_decode(in, strlen(in), &n, &invalid);
    cr_assert_null(d, "decode(%s) should fail", in);
    cr_assert_eq(invalid, 1, "decode(%s) must flag invalid", in);
    free(d);
}

Test(base64, decode_invalid)
{
    expect_b64_invalid("Z");
    expect_b64_invalid("Zm9vY");
    expect_b64_invalid("Zg=");
    expect_b64_invalid("Zg===");
    expect_b64_invalid("Z===");
    expect_b64_invalid("====");
    expect_b64_invalid("=");
    expect_b64_invalid("Zm=v");
    expect_b64_invalid("Zg==Zg==");
    expect_b64_invalid("Zm9v!");
    expect_b64_invalid(" Zg");
    expect_b64_invalid("Zg\n");
    expect_b64_invalid("Zm9v-_");    /* URL alphabet is not gRPC's */
    expect_b64_invalid("Zm9vYmFy,"); /* a comma list must be split first */
    /* Passing NULL for invalid is allowed. */
    cr_assert_null(mv_base64_decode("!", 1, NULL, NULL));
}

Test(base64, binary_round_trip)
{
    uint8_t data[300];
    for (size_t i = 0; i < sizeof data; i++)
        data[i] = (uint8_t)(255 - i * 7);
    for (size_t len = 0; len <= sizeof data; len++) {
        size_t elen, dlen;
        char *e = mv_base64_encode(data, len, &elen);
        cr_assert_not_null(e);
        cr_assert_eq(strchr(e, '='), NULL, "unpadded");
        cr_assert_eq(elen, (len * 4 + 2) / 3);
        uint8_t *d = mv_base64_decode(e, elen, &dlen, NULL);
        cr_assert_not_null(d);
        cr_assert_eq(dlen, len);
        if (len)
            cr_assert_arr_eq(d, data, len);
        free(e);
        free(d);
    }
}

/* ======================================================================
 * status mapping
 * ====================================================================== */

Test(status, parse)
{
    int code = -7;
    cr_assert_eq(mv_grpc_status_parse("0", 1, &code), 0);
    cr_assert_eq(code, 0);
    cr_assert_eq(mv_grpc_status_parse("16", 2, &code), 0);
    cr_assert_eq(code, 16);
    cr_assert_eq(mv_grpc_status_parse("17", 2, &code), 0);
    cr_assert_eq(code, 17, "unknown codes are returned as sent");
    cr_assert_eq(mv_grpc_status_parse("2147483647", 10, &code), 0);
    cr_assert_eq(code, 2147483647);
    code = -7;
    const char *bad[] = {
        "", "00", "01", "-1", "+1", "1a", " 1", "1 ", "2147483648", "99999999999999999999", "x"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        cr_assert_eq(mv_grpc_status_parse(bad[i], strlen(bad[i]), &code), -1, "'%s'", bad[i]);
        cr_assert_eq(code, -7);
    }
    cr_assert_eq(mv_grpc_status_parse("12", 1, &code), 0, "length honoured");
    cr_assert_eq(code, 1);
}

Test(status, http_to_grpc)
{
    cr_assert_eq(mv_http_to_grpc(400), MILVUS_GRPC_INTERNAL);
    cr_assert_eq(mv_http_to_grpc(401), MILVUS_GRPC_UNAUTHENTICATED);
    cr_assert_eq(mv_http_to_grpc(403), MILVUS_GRPC_PERMISSION_DENIED);
    cr_assert_eq(mv_http_to_grpc(404), MILVUS_GRPC_UNIMPLEMENTED);
    cr_assert_eq(mv_http_to_grpc(429), MILVUS_GRPC_UNAVAILABLE);
    cr_assert_eq(mv_http_to_grpc(502), MILVUS_GRPC_UNAVAILABLE);
    cr_assert_eq(mv_http_to_grpc(503), MILVUS_GRPC_UNAVAILABLE);
    cr_assert_eq(mv_http_to_grpc(504), MILVUS_GRPC_UNAVAILABLE);
    const int other[] = {200, 100, 204, 301, 405, 415, 418, 500, 505, 0, -1, 99999};
    for (size_t i = 0; i < sizeof other / sizeof other[0]; i++)
        cr_assert_eq(mv_http_to_grpc(other[i]), MILVUS_GRPC_UNKNOWN, "%d", other[i]);
}

Test(status, rst_to_grpc)
{
    const uint32_t internal[] = {0x0, 0x1, 0x2, 0x3, 0x4, 0x5, 0x6, 0x9, 0xa, 0xd};
    for (size_t i = 0; i < sizeof internal / sizeof internal[0]; i++) {
        cr_assert_eq(mv_rst_to_grpc(internal[i], 0), MILVUS_GRPC_INTERNAL, "0x%x", internal[i]);
        cr_assert_eq(mv_rst_to_grpc(internal[i], 1), MILVUS_GRPC_INTERNAL, "0x%x", internal[i]);
    }
    cr_assert_eq(mv_rst_to_grpc(0x7, 0), MILVUS_GRPC_UNAVAILABLE); /* REFUSED_STREAM */
    cr_assert_eq(mv_rst_to_grpc(0x7, 1), MILVUS_GRPC_UNAVAILABLE);
    cr_assert_eq(mv_rst_to_grpc(0x8, 0), MILVUS_GRPC_CANCELLED);
    cr_assert_eq(mv_rst_to_grpc(0x8, 1), MILVUS_GRPC_DEADLINE_EXCEEDED);
    cr_assert_eq(mv_rst_to_grpc(0xb, 0), MILVUS_GRPC_RESOURCE_EXHAUSTED);
    cr_assert_eq(mv_rst_to_grpc(0xc, 0), MILVUS_GRPC_PERMISSION_DENIED);
    cr_assert_eq(mv_rst_to_grpc(0xe, 0), MILVUS_GRPC_UNKNOWN);
    cr_assert_eq(mv_rst_to_grpc(0xFFFFFFFFu, 0), MILVUS_GRPC_UNKNOWN);
}

Test(status, content_type)
{
    const char *yes[] = {"application/grpc", "application/grpc+proto", "application/grpc+json",
                         "application/grpc;charset=utf-8", "Application/GRPC"};
    const char *no[] = {"",
                        "application/grp",
                        "application/grpcx",
                        "application/grpc-web",
                        "application/json",
                        "text/html; charset=utf-8",
                        " application/grpc",
                        "application/x-protobuf"};
    for (size_t i = 0; i < sizeof yes / sizeof yes[0]; i++)
        cr_assert_eq(mv_content_type_is_grpc(yes[i], strlen(yes[i])), 1, "%s", yes[i]);
    for (size_t i = 0; i < sizeof no / sizeof no[0]; i++)
        cr_assert_eq(mv_content_type_is_grpc(no[i], strlen(no[i])), 0, "%s", no[i]);
    cr_assert_eq(mv_content_type_is_grpc(NULL, 0), 0);
    cr_assert_eq(mv_content_type_is_grpc("application/grpc", 15), 0, "length honoured");
}

/* ======================================================================
 * metadata
 * ====================================================================== */

Test(md, key_validation)
{
    const char *good[] = {"authorization", "dbname", "identifier", "x-a_b.c-9", "0", "a-bin"};
    for (size_t i = 0; i < sizeof good / sizeof good[0]; i++)
        cr_assert_eq(mv_md_key_valid(good[i], strlen(good[i]), 0), 1, "%s", good[i]);
    const char *bad[] = {"",
                         "Authorization",
                         "dbName",
                         "a b",
                         "a:b",
                         ":path",
                         "a/b",
                         "a\x80",
                         "grpc-timeout",
                         "grpc-",
                         "te",
                         "content-type",
                         "host",
                         "connection",
                         "user-agent",
                         "upgrade",
                         "keep-alive",
                         "transfer-encoding",
                         "proxy-connection"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        cr_assert_eq(mv_md_key_valid(bad[i], strlen(bad[i]), 0), 0, "%s", bad[i]);
    /* Reserved names are fine when allowed, malformed ones never. */
    cr_assert_eq(mv_md_key_valid("grpc-status", 11, 1), 1);
    cr_assert_eq(mv_md_key_valid("content-type", 12, 1), 1);
    cr_assert_eq(mv_md_key_valid("Grpc-Status", 11, 1), 0);
    cr_assert_eq(mv_md_key_valid(":status", 7, 1), 0);
    cr_assert_eq(mv_md_key_valid(NULL, 0, 1), 0);
    /* "grpc" alone and "grpcx" are not the reserved prefix. */
    cr_assert_eq(mv_md_key_valid("grpc", 4, 0), 1);
    cr_assert_eq(mv_md_key_valid("grpcx-a", 7, 0), 1);
    cr_assert_eq(mv_md_key_valid("tea", 3, 0), 1);
}

Test(md, value_validation_and_bin)
{
    cr_assert_eq(mv_md_value_valid((const uint8_t *)"", 0), 1);
    cr_assert_eq(mv_md_value_valid(NULL, 0), 1);
    cr_assert_eq(mv_md_value_valid((const uint8_t *)" ~abc", 5), 1);
    cr_assert_eq(mv_md_value_valid((const uint8_t *)"a\tb", 3), 0);
    cr_assert_eq(mv_md_value_valid((const uint8_t *)"a\nb", 3), 0);
    cr_assert_eq(mv_md_value_valid((const uint8_t *)"\x7f", 1), 0);
    cr_assert_eq(mv_md_value_valid((const uint8_t *)"\xc3\xa9", 2), 0);
    cr_assert_eq(mv_md_key_is_bin("a-bin", 5), 1);
    cr_assert_eq(mv_md_key_is_bin("-bin", 4), 1);
    cr_assert_eq(mv_md_key_is_bin("abin", 4), 0);
    cr_assert_eq(mv_md_key_is_bin("a-bin", 4), 0);
    cr_assert_eq(mv_md_key_is_bin("bin", 3), 0);
}

Test(md, add_get_set_copy)
{
    mv_md md;
    mv_md_init(&md);
    cr_assert_eq(mv_md_add(&md, "dbname", "default", 7), 0);
    cr_assert_eq(mv_md_add(&md, "x-tag", "a", 1), 0);
    cr_assert_eq(mv_md_add(&md, "x-tag", "b", 1), 0);
    cr_assert_eq(mv_md_add(&md, "Authorization", "x", 1), -1, "uppercase rejected");
    cr_assert_eq(mv_md_add(&md, "grpc-foo", "x", 1), -1, "grpc- reserved");
    cr_assert_eq(mv_md_add(&md, "te", "trailers", 8), -1);
    cr_assert_eq(mv_md_add(&md, "x-ok", "a\nb", 3), -1, "control char in ASCII value");
    cr_assert_eq(mv_md_add(&md, NULL, "x", 1), -1);
    cr_assert_eq(mv_md_add(&md, "x-null", NULL, 3), -1);
    cr_assert_eq(mv_md_add(&md, "x-empty", NULL, 0), 0);
    static const uint8_t bin[] = {0, 0xFF, '\n', 0x80, 'a'};
    cr_assert_eq(mv_md_add(&md, "trace-bin", bin, sizeof bin), 0, "-bin takes any bytes");
    cr_assert_eq(md.n, 5);

    const mv_md_entry *e = mv_md_get(&md, "x-tag", 1);
    cr_assert_not_null(e);
    cr_assert_eq(e->value_len, 1);
    cr_assert_eq(e->value[0], 'b');
    cr_assert_null(mv_md_get(&md, "x-tag", 2));
    cr_assert_null(mv_md_get(&md, "x-ta", 0));
    e = mv_md_get(&md, "trace-bin", 0);
    cr_assert_arr_eq(e->value, bin, sizeof bin);
    cr_assert_eq(e->key_len, 9);
    cr_assert_str_eq(e->key, "trace-bin");
    e = mv_md_get(&md, "x-empty", 0);
    cr_assert_eq(e->value_len, 0);

    /* set replaces every value of the key, keeping the others in order */
    cr_assert_eq(mv_md_set(&md, "x-tag", "c", 1), 0);
    cr_assert_eq(md.n, 4);
    cr_assert_eq(mv_md_get(&md, "x-tag", 0)->value[0], 'c');
    cr_assert_null(mv_md_get(&md, "x-tag", 1));
    cr_assert_str_eq(md.v[0].key, "dbname");
    cr_assert_eq(mv_md_set(&md, "x-tag", "bad\x01", 4), -1);
    cr_assert_eq(mv_md_get(&md, "x-tag", 0)->value[0], 'c', "failed set leaves the old value");
    cr_assert_eq(mv_md_set(&md, "x-tag", NULL, 0), 0);
    cr_assert_null(mv_md_get(&md, "x-tag", 0));
    cr_assert_eq(mv_md_set(&md, "X-TAG", NULL, 0), -1);
    cr_assert_eq(md.n, 3);

    mv_md copy;
    mv_md_init(&copy);
    cr_assert_eq(mv_md_add(&copy, "first", "1", 1), 0);
    cr_assert_eq(mv_md_copy(&copy, &md), 0);
    cr_assert_eq(copy.n, 4);
    cr_assert_str_eq(copy.v[0].key, "first");
    cr_assert_str_eq(copy.v[1].key, "dbname");
    cr_assert_neq(copy.v[1].value, md.v[0].value, "deep copy");
    cr_assert_eq(mv_md_copy(&copy, NULL), 0);
    mv_md_free(&md);
    cr_assert_eq(md.n, 0);
    cr_assert_str_eq((const char *)mv_md_get(&copy, "dbname", 0)->value, "default");
    mv_md_free(&copy);
    mv_md_free(&copy); /* idempotent */
}

Test(md, add_n_and_from_wire)
{
    mv_md md;
    mv_md_init(&md);
    cr_assert_eq(mv_md_add_n(&md, "grpc-status-xyz", 11, "0", 1, 1), 0, "key length honoured");
    cr_assert_str_eq(md.v[0].key, "grpc-status");
    cr_assert_eq(mv_md_add_n(&md, "grpc-status", 11, "0", 1, 0), -1);

    cr_assert_eq(mv_md_add_from_wire(&md, "grpc-message", 12, "a%20b\t", 6), 0);
    cr_assert_eq(mv_md_get(&md, "grpc-message", 0)->value_len, 6);
    /* -bin: a comma list of padded and unpadded base64 */
    const char *v = "AAE,/w==,";
    cr_assert_eq(mv_md_add_from_wire(&md, "x-bin", 5, v, strlen(v)), 0);
    const mv_md_entry *e0 = mv_md_get(&md, "x-bin", 0);
    const mv_md_entry *e1 = mv_md_get(&md, "x-bin", 1);
    const mv_md_entry *e2 = mv_md_get(&md, "x-bin", 2);
    cr_assert_eq(e0->value_len, 2);
    cr_assert_eq(e0->value[0], 0);
    cr_assert_eq(e0->value[1], 1);
    cr_assert_eq(e1->value_len, 1);
    cr_assert_eq(e1->value[0], 0xFF);
    cr_assert_eq(e2->value_len, 0, "empty part is an empty value");
    size_t n = md.n;
    /* invalid base64 in the second part: nothing added */
    cr_assert_eq(mv_md_add_from_wire(&md, "y-bin", 5, "AAE,!!", 6), -1);
    cr_assert_eq(md.n, n);
    cr_assert_null(mv_md_get(&md, "y-bin", 0));
    cr_assert_eq(mv_md_add_from_wire(&md, "Bad", 3, "x", 1), -1);
    mv_md_free(&md);
}

/* ======================================================================
 * request headers
 * ====================================================================== */

static void expect_hdr(const mv_hdr_list *l, size_t i, const char *name, const char *value)
{
    cr_assert_lt(i, l->n);
    const mv_hdr *h = &l->v[i];
    cr_assert_eq(h->name_len, strlen(name), "header %zu name", i);
    cr_assert_arr_eq(h->name, name, h->name_len, "header %zu: %.*s", i, (int)h->name_len, h->name);
    cr_assert_eq(h->value_len, strlen(value), "header %zu (%s) value len", i, name);
    cr_assert_arr_eq(h->value, value, h->value_len, "header %zu (%s): %.*s", i, name,
                     (int)h->value_len, h->value);
    cr_assert_eq(h->value[h->value_len], '\0');
}

Test(headers, order_and_contents_plaintext)
{
    mv_md st, call;
    mv_md_init(&st);
    mv_md_init(&call);
    cr_assert_eq(mv_md_add(&st, "authorization", "cm9vdDpNaWx2dXM=", 16), 0);
    cr_assert_eq(mv_md_add(&st, "dbname", "default", 7), 0);
    static const uint8_t bin[] = {0xFB, 0xFF, 0xBF, 0x01};
    cr_assert_eq(mv_md_add(&call, "trace-bin", bin, sizeof bin), 0);
    cr_assert_eq(mv_md_add(&call, "identifier", "42", 2), 0);

    /* Inputs on the heap, freed before the list is read: self-contained. */
    char *auth = dup_str("localhost:19530");
    char *path = dup_str("/milvus.proto.milvus.MilvusService/Search");
    char *ua = dup_str("libmilvus/9.9 (test)");
    mv_hdr_list l;
    mv_hdr_list_init(&l);
    cr_assert_eq(mv_request_headers(&l, 0, auth, path, INT64_C(5000000000), ua, &st, &call), 0);
    free(auth);
    free(path);
    free(ua);
    mv_md_free(&st);
    mv_md_free(&call);

    static const char *const want[][2] = {
        {":method", "POST"},
        {":scheme", "http"},
        {":path", "/milvus.proto.milvus.MilvusService/Search"},
        {":authority", "localhost:19530"},
        {"te", "trailers"},
        {"content-type", "application/grpc"},
        {"grpc-timeout", "5000000u"},
        {"grpc-accept-encoding", "identity"},
        {"user-agent", "libmilvus/9.9 (test)"},
        {"authorization", "cm9vdDpNaWx2dXM="},
        {"dbname", "default"},
        {"trace-bin", "+/+/AQ"}, /* base64, no padding */
        {"identifier", "42"},
    };
    size_t nwant = sizeof want / sizeof want[0];
    cr_assert_eq(l.n, nwant);
    size_t size = 0;
    for (size_t i = 0; i < nwant; i++) {
        expect_hdr(&l, i, want[i][0], want[i][1]);
        size += strlen(want[i][0]) + strlen(want[i][1]) + 32;
    }
    cr_assert_eq(mv_hdr_list_size(&l), size);
    mv_hdr_list_free(&l);
}

Test(headers, tls_no_timeout_default_agent_and_reuse)
{
    mv_hdr_list l;
    mv_hdr_list_init(&l);
    cr_assert_eq(mv_request_headers(&l, 1, "db.example:443", "/p/M", -1, NULL, NULL, NULL), 0);
    cr_assert_eq(l.n, 8);
    expect_hdr(&l, 1, ":scheme", "https");
    expect_hdr(&l, 3, ":authority", "db.example:443");
    expect_hdr(&l, 5, "content-type", "application/grpc");
    expect_hdr(&l, 6, "grpc-accept-encoding", "identity");
    cr_assert_eq(l.v[7].name_len, 10);
    cr_assert_arr_eq(l.v[7].name, "user-agent", 10);
    cr_assert_eq(strncmp(l.v[7].value, "libmilvus/", 10), 0);
    cr_assert_gt(l.v[7].value_len, 10);

    /* Reuse: a smaller request in the same list, then a timeout of 0. */
    char *arena = l.arena;
    cr_assert_eq(mv_request_headers(&l, 0, "h:1", "/a/B", 0, "ua", NULL, NULL), 0);
    cr_assert_eq(l.arena, arena, "storage reused");
    cr_assert_eq(l.n, 9);
    expect_hdr(&l, 1, ":scheme", "http");
    expect_hdr(&l, 2, ":path", "/a/B");
    expect_hdr(&l, 6, "grpc-timeout", "1n");
    expect_hdr(&l, 7, "grpc-accept-encoding", "identity");
    expect_hdr(&l, 8, "user-agent", "ua");

    cr_assert_eq(mv_request_headers(&l, 0, NULL, "/a/B", 0, "ua", NULL, NULL), -1);
    cr_assert_eq(mv_request_headers(&l, 0, "h", NULL, 0, "ua", NULL, NULL), -1);
    mv_hdr_list_free(&l);
    mv_hdr_list_free(&l);
}

Test(headers, many_metadata_entries)
{
    mv_md call;
    mv_md_init(&call);
    char key[32], val[64];
    for (int i = 0; i < 100; i++) {
        snprintf(key, sizeof key, "k%d", i);
        snprintf(val, sizeof val, "value-%d", i * 7);
        cr_assert_eq(mv_md_add(&call, key, val, strlen(val)), 0);
    }
    mv_hdr_list l;
    mv_hdr_list_init(&l);
    cr_assert_eq(mv_request_headers(&l, 0, "a", "/s/M", 1, "u", NULL, &call), 0);
    cr_assert_eq(l.n, 9 + 100);
    for (int i = 0; i < 100; i++) {
        snprintf(key, sizeof key, "k%d", i);
        snprintf(val, sizeof val, "value-%d", i * 7);
        expect_hdr(&l, 9 + (size_t)i, key, val);
    }
    mv_hdr_list_free(&l);
    mv_md_free(&call);
}

/* ---- Timestamptz as Milvus returns it (RFC 3339 text) ---- */

int mv_parse_rfc3339_us(const char *t, int64_t *out);

Test(rfc3339, parses_what_milvus_returns)
{
    static const struct {
        const char *text;
        int64_t us;
    } ok[] = {
        {"1970-01-01T00:00:00Z", 0},
        {"1970-01-01T00:00:00.000001Z", 1},
        {"1969-12-31T23:59:59Z", -1000000},
        {"2023-11-14T22:13:20.123456Z", 1700000000123456LL},
        {"9999-12-31T23:59:59.999999Z", 253402300799999999LL},
        {"0001-01-01T00:00:00Z", -62135596800000000LL},
        {"1970-01-02T00:00:00Z", 86400000000LL},
        {"1970-01-01T08:00:00+08:00", 0},
        {"1970-01-01T00:00:00-0130", 5400000000LL},
        {"1970-01-01 00:00:00.5z", 500000},
        {"1970-01-01T00:00:00.123456789Z", 123456},
        {"2024-02-29T12:00:00", 1709208000000000LL},
    };
    static const char *bad[] = {"",
                                "1970-01-01",
                                "1970-13-01T00:00:00Z",
                                "1970-01-01T24:00:00Z",
                                "1970-01-01T00:00:00.Z",
                                "1970-01-01T00:00:00Zx",
                                "1970-01-01T00:00:00+8",
                                "0000-01-01T00:00:00Z",
                                "1970-01-01T00:00:00.1234567890Z",
                                "x970-01-01T00:00:00Z"};
    int64_t v;
    for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
        cr_assert_eq(mv_parse_rfc3339_us(ok[i].text, &v), 0, "%s", ok[i].text);
        cr_assert_eq(v, ok[i].us, "%s: %lld", ok[i].text, (long long)v);
    }
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        cr_assert_neq(mv_parse_rfc3339_us(bad[i], &v), 0, "'%s' accepted", bad[i]);
    cr_assert_neq(mv_parse_rfc3339_us(NULL, &v), 0);
}
