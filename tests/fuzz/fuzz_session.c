/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Fuzz target: the client side of an HTTP/2 gRPC connection.  A channel
 * gets a connection without a socket (mv_channel_attach_memory_conn), a
 * unary and a server-streaming call are started on it, and the fuzzer's
 * bytes are fed as what the server sent.  Everything is freed at the end:
 * no crash, no leak, no hang is allowed whatever the bytes are.
 *
 * Input: byte 0 holds flags (bit 0: prepend a server SETTINGS frame and
 * response HEADERS for streams 1 and 3 so the fuzzer starts deep in the
 * stream states; bits 1-7: where to split the rest into two reads).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <event2/event.h>
#include <nghttp2/nghttp2.h>

#include <milvus/channel.h>

#include "call/call.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void on_reply(milvus_channel *ch, int status, const milvus_reply *r, void *ctx)
{
    size_t len;
    (void)ch;
    (void)status;
    (void)ctx;
    /* Touch everything the reply exposes. */
    (void)milvus_reply_grpc_code(r);
    (void)strlen(milvus_reply_message(r));
    (void)milvus_reply_data(r, &len);
    (void)milvus_reply_header(r, "x-a", 0, &len);
    (void)milvus_reply_trailer(r, "x-b-bin", 0, &len);
}

static int on_message(milvus_channel *ch, const uint8_t *d, size_t n, void *ctx)
{
    (void)ch;
    (void)ctx;
    return n > 0 && d[0] == 0xff; /* let the fuzzer cancel from the callback */
}

/* Server SETTINGS and HPACK-encoded response headers for one stream. */
static size_t preamble(uint8_t *out, size_t cap)
{
    static const uint8_t settings[9] = {0, 0, 0, NGHTTP2_SETTINGS, 0, 0, 0, 0, 0};
    nghttp2_nv nv[] = {
        {(uint8_t *)":status", (uint8_t *)"200", 7, 3, 0},
        {(uint8_t *)"content-type", (uint8_t *)"application/grpc", 12, 16, 0},
    };
    nghttp2_hd_deflater *def;
    size_t n = 0;
    int32_t sid;
    memcpy(out, settings, sizeof(settings));
    n = sizeof(settings);
    if (nghttp2_hd_deflate_new(&def, 4096) != 0)
        return n;
    for (sid = 1; sid <= 3; sid += 2) {
        ssize_t hl = nghttp2_hd_deflate_hd(def, out + n + 9, cap - n - 9, nv, 2);
        if (hl < 0)
            break;
        out[n + 0] = (uint8_t)(hl >> 16);
        out[n + 1] = (uint8_t)(hl >> 8);
        out[n + 2] = (uint8_t)hl;
        out[n + 3] = NGHTTP2_HEADERS;
        out[n + 4] = NGHTTP2_FLAG_END_HEADERS;
        out[n + 5] = 0;
        out[n + 6] = 0;
        out[n + 7] = 0;
        out[n + 8] = (uint8_t)sid;
        n += 9 + (size_t)hl;
    }
    nghttp2_hd_deflate_del(def);
    return n;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct event_base *base;
    milvus_options *o;
    milvus_channel *ch = NULL;
    uint8_t pre[256];
    size_t split;
    int i;
    if (size < 1)
        return 0;
    base = event_base_new();
    o = milvus_options_new();
    if (!base || !o)
        goto out;
    milvus_options_set_address(o, "127.0.0.1", 9);
    milvus_options_set_max_recv_size(o, 1 << 16);
    milvus_options_set_retry(o, 2, 0, 0, 1.0);
    if (milvus_channel_new(&ch, base, o) != MILVUS_OK)
        goto out;
    if (mv_channel_attach_memory_conn(ch) != 0)
        goto out;
    milvus_channel_unary(ch, "/fuzz.S/Unary", "req", 3, NULL, on_reply, NULL);
    milvus_channel_server_stream(ch, "/fuzz.S/Stream", "", 0, NULL, on_message, on_reply, NULL);
    event_base_loop(base, EVLOOP_NONBLOCK); /* streams 1 and 3 open */
    if (data[0] & 1)
        mv_channel_feed_memory_conn(ch, pre, preamble(pre, sizeof(pre)));
    data++;
    size--;
    split = size ? ((size_t)(data[-1] >> 1) * size) / 128 : 0;
    mv_channel_feed_memory_conn(ch, data, split);
    event_base_loop(base, EVLOOP_NONBLOCK);
    mv_channel_feed_memory_conn(ch, data + split, size - split);
    for (i = 0; i < 4; i++)
        event_base_loop(base, EVLOOP_NONBLOCK);
out:
    milvus_channel_free(ch);
    milvus_options_free(o);
    if (base) {
        event_base_loop(base, EVLOOP_NONBLOCK);
        event_base_free(base);
    }
    return 0;
}
