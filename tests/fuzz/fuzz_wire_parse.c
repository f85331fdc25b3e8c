/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Fuzz target: the wire layer's text parsers and codecs
 * (src/wire/grpc_wire.c): grpc-timeout, grpc-message percent coding,
 * base64 for -bin metadata, grpc-status, content-type, metadata keys and
 * received metadata, the request-header builder, and the status tables.
 *
 * The whole input is given to every parser; round-trip properties are
 * checked and any violation aborts.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "wire/grpc_wire.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(cond)                                                                                \
    do {                                                                                           \
        if (!(cond))                                                                               \
            abort();                                                                               \
    } while (0)

static void fuzz_timeout(const char *s, size_t n, const uint8_t *data, size_t size)
{
    int64_t ns = -1;
    if (mv_timeout_parse(s, n, &ns) == 0) {
        CHECK(n >= 2 && n <= 9);
        CHECK(ns >= 0);
    }
    /* Encoding an arbitrary int64 never reports an earlier deadline. */
    int64_t v = 0;
    if (size)
        memcpy(&v, data, size < sizeof v ? size : sizeof v);
    char out[16];
    int len = mv_timeout_encode(v, out);
    CHECK(len >= 2 && len <= 9 && out[len] == '\0');
    int64_t back = -1;
    CHECK(mv_timeout_parse(out, (size_t)len, &back) == 0);
    CHECK(back >= (v > 0 ? v : 1));
}

static void fuzz_percent(const char *s, size_t n)
{
    size_t dlen = 0, elen = 0, d2len = 0;
    char *d = mv_percent_decode(s, n, &dlen); /* never fails but NOMEM */
    CHECK(d != NULL && dlen <= n && d[dlen] == '\0');
    /* encode(decode(x)) is a legal header value that decodes back. */
    char *e = mv_percent_encode((const uint8_t *)d, dlen, &elen);
    CHECK(e != NULL && e[elen] == '\0');
    CHECK(mv_md_value_valid((const uint8_t *)e, elen));
    char *d2 = mv_percent_decode(e, elen, &d2len);
    CHECK(d2 != NULL && d2len == dlen && memcmp(d, d2, dlen) == 0);
    free(d);
    free(e);
    free(d2);
    /* And the raw input itself round-trips. */
    e = mv_percent_encode((const uint8_t *)s, n, &elen);
    CHECK(e != NULL);
    d = mv_percent_decode(e, elen, &dlen);
    CHECK(d != NULL && dlen == n && memcmp(d, s, n) == 0);
    free(e);
    free(d);
}

static void fuzz_base64(const char *s, size_t n)
{
    size_t blen = 0, elen = 0, b2len = 0;
    int invalid = -1;
    uint8_t *b = mv_base64_decode(s, n, &blen, &invalid);
    CHECK(invalid == 0 || invalid == 1);
    CHECK((b == NULL) == (invalid == 1));
    if (b != NULL) {
        CHECK(blen <= n);
        char *e = mv_base64_encode(b, blen, &elen);
        CHECK(e != NULL && elen <= n);
        uint8_t *b2 = mv_base64_decode(e, elen, &b2len, NULL);
        CHECK(b2 != NULL && b2len == blen && memcmp(b, b2, blen) == 0);
        free(e);
        free(b2);
    }
    free(b);
    /* Any bytes survive encode → decode. */
    char *e = mv_base64_encode((const uint8_t *)s, n, &elen);
    CHECK(e != NULL && strchr(e, '=') == NULL);
    b = mv_base64_decode(e, elen, &blen, &invalid);
    CHECK(b != NULL && invalid == 0 && blen == n && memcmp(b, s, n) == 0);
    free(e);
    free(b);
}

static void fuzz_status(const char *s, size_t n, const uint8_t *data, size_t size)
{
    int code = -1;
    if (mv_grpc_status_parse(s, n, &code) == 0) {
        char buf[16];
        int len = snprintf(buf, sizeof buf, "%d", code);
        CHECK(code >= 0 && (size_t)len == n && memcmp(buf, s, n) == 0); /* canonical */
    }
    int ct = mv_content_type_is_grpc(s, n);
    CHECK(ct == 0 || ct == 1);
    if (ct)
        CHECK(n >= 16 && (n == 16 || s[16] == '+' || s[16] == ';'));
    uint32_t v = 0;
    if (size)
        memcpy(&v, data, size < sizeof v ? size : sizeof v);
    int g = mv_http_to_grpc((int)v);
    CHECK(g >= 0 && g <= 16);
    g = mv_rst_to_grpc(v, (int)(v & 1));
    CHECK(g >= 0 && g <= 16);
}

/* "key:value" → metadata (as sent and as received) → request headers. */
static void fuzz_metadata(const char *s, size_t n)
{
    const char *colon = memchr(s, ':', n);
    size_t klen = colon ? (size_t)(colon - s) : n;
    const char *val = colon ? colon + 1 : "";
    size_t vlen = colon ? n - klen - 1 : 0;
    mv_md md;
    mv_md_init(&md);
    int valid = mv_md_key_valid(s, klen, 0);
    int rc = mv_md_add_n(&md, s, klen, val, vlen, 0);
    CHECK(rc == 0 || rc == -1);
    if (rc == 0)
        CHECK(valid && md.n == 1);
    mv_md rx;
    mv_md_init(&rx);
    int wrc = mv_md_add_from_wire(&rx, s, klen, val, vlen);
    CHECK(wrc == 0 || wrc == -1);
    if (wrc == 0)
        CHECK(mv_md_key_valid(s, klen, 1) && rx.n >= 1);
    else
        CHECK(rx.n == 0); /* all or nothing */
    mv_md_free(&rx);

    mv_hdr_list l;
    mv_hdr_list_init(&l);
    CHECK(mv_request_headers(&l, 1, "h:1", "/s/M", 1, NULL, rc == 0 ? &md : NULL, NULL) == 0);
    CHECK(l.n == 9 + md.n);
    for (size_t i = 0; i < l.n; i++) {
        CHECK(l.v[i].value[l.v[i].value_len] == '\0');
        if (i >= 9)
            CHECK(mv_md_value_valid((const uint8_t *)l.v[i].value, l.v[i].value_len));
    }
    mv_hdr_list_free(&l);

    mv_md copy;
    mv_md_init(&copy);
    CHECK(mv_md_copy(&copy, &md) == 0 && copy.n == md.n);
    if (md.n > 0) {
        CHECK(mv_md_set(&copy, "x-k", "v", 1) == 0);
        CHECK(mv_md_get(&copy, "x-k", 0) != NULL);
    }
    mv_md_free(&copy);
    mv_md_free(&md);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *s = (const char *)data;
    fuzz_timeout(s, size, data, size);
    fuzz_percent(s, size);
    fuzz_base64(s, size);
    fuzz_status(s, size, data, size);
    fuzz_metadata(s, size);
    return 0;
}
