/* SPDX-License-Identifier: Apache-2.0 */
/*
 * raw_call — the low-level channel: call any Milvus RPC by method path with
 * serialized bytes, on your own event loop.
 *
 *   raw_call [URI]            (default: $MILVUS_URI or localhost:19530)
 *
 * Calls MilvusService/GetVersion and MilvusService/CheckHealth with empty
 * requests and prints the fields it finds in the responses.  Everything
 * runs on one event_base; the process blocks only in event_base_dispatch.
 */
#include <milvus/milvus.h>

#include <event2/event.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct demo {
    int outstanding;
    int failed;
};

/* Reads one string field (wire type 2) with the given number from a
 * serialized protobuf message; enough for this example's two replies. */
static int find_string_field(const uint8_t *p, size_t len, uint32_t want, const char **out,
                             size_t *out_len)
{
    size_t i = 0;
    while (i < len) {
        uint64_t key = 0, v = 0;
        int shift = 0;
        do {
            if (i >= len || shift > 63)
                return -1;
            key |= (uint64_t)(p[i] & 0x7f) << shift;
            shift += 7;
        } while (p[i++] & 0x80);
        unsigned type = key & 7;
        if (type == 0 || type == 2) {
            shift = 0;
            do {
                if (i >= len || shift > 63)
                    return -1;
                v |= (uint64_t)(p[i] & 0x7f) << shift;
                shift += 7;
            } while (p[i++] & 0x80);
            if (type == 2) {
                if (v > len - i)
                    return -1;
                if ((key >> 3) == want) {
                    *out = (const char *)p + i;
                    *out_len = (size_t)v;
                    return 0;
                }
                i += (size_t)v;
            }
        } else if (type == 1 || type == 5) {
            size_t skip = type == 1 ? 8 : 4;
            if (skip > len - i)
                return -1;
            i += skip;
        } else {
            return -1;
        }
    }
    return -1;
}

static void on_reply(milvus_channel *ch, int status, const milvus_reply *reply, void *ctx)
{
    struct demo *d = ctx;
    const char *what = milvus_reply_attempts(reply) > 0 ? "" : "";
    (void)what;
    if (status != MILVUS_OK) {
        fprintf(stderr, "call failed: %s (gRPC %s: %s)\n", milvus_strerror(status),
                milvus_grpc_code_name(milvus_reply_grpc_code(reply)), milvus_reply_message(reply));
        d->failed = 1;
    } else {
        size_t len = 0, slen = 0;
        const uint8_t *data = milvus_reply_data(reply, &len);
        const char *s = NULL;
        if (find_string_field(data, len, 2, &s, &slen) == 0)
            printf("reply (%zu bytes): field 2 = \"%.*s\"\n", len, (int)slen, s);
        else
            printf("reply (%zu bytes)\n", len);
    }
    if (--d->outstanding == 0)
        milvus_channel_close(ch, NULL, NULL);
}

int main(int argc, char **argv)
{
    const char *uri = argc > 1 ? argv[1] : getenv("MILVUS_URI");
    struct event_base *base = event_base_new();
    milvus_options *opts = milvus_options_new();
    milvus_channel *ch = NULL;
    struct demo d = {0, 0};
    int rc;

    if (!base || !opts)
        return 1;
    if (uri && (rc = milvus_options_set_uri(opts, uri)) != MILVUS_OK) {
        fprintf(stderr, "bad URI '%s': %s\n", uri, milvus_strerror(rc));
        return 2;
    }
    if (getenv("MILVUS_TOKEN"))
        milvus_options_set_token(opts, getenv("MILVUS_TOKEN"));
    milvus_options_set_call_timeout_ms(opts, 10000);
    if ((rc = milvus_channel_new(&ch, base, opts)) != MILVUS_OK) {
        fprintf(stderr, "channel: %s\n", milvus_strerror(rc));
        return 1;
    }
    milvus_options_free(opts);

    static const char *const methods[] = {
        "/milvus.proto.milvus.MilvusService/GetVersion",
        "/milvus.proto.milvus.MilvusService/CheckHealth",
    };
    for (size_t i = 0; i < 2; i++) {
        printf("calling %s\n", methods[i]);
        rc = milvus_channel_unary(ch, methods[i], "", 0, NULL, on_reply, &d);
        if (rc != MILVUS_OK) {
            fprintf(stderr, "submit: %s: %s\n", milvus_strerror(rc), milvus_channel_last_error(ch));
            return 1;
        }
        d.outstanding++;
    }
    event_base_dispatch(base);
    milvus_channel_free(ch);
    event_base_free(base);
    return d.failed;
}
