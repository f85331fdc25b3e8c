/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Layer 1 — wire: pure gRPC-over-HTTP/2 helpers (see grpc_wire.h and
 * /work/shared/design/wire.md).  Nothing here does I/O or keeps global state.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "wire/grpc_wire.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include <milvus/common.h>

#ifndef PACKAGE_VERSION
#define PACKAGE_VERSION "0"
#endif

/* ======================================================================
 * metadata list
 * ====================================================================== */

/* Headers that the transport itself writes or that HTTP/2 forbids
 * (RFC 9113 §8.2.2 connection-specific fields): a user setting them would
 * either duplicate a call-definition header (a second content-type breaks
 * Milvus's cmux routing) or make the request malformed. */
static const char *const mv_md_reserved_names[] = {
    "te",
    "content-type",
    "user-agent",
    "host",
    "connection",
    "upgrade",
    "transfer-encoding",
    "keep-alive",
    "proxy-connection",
};

static int mv_key_char_ok(unsigned char c)
{
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || c == '_' || c == '.' || c == '-';
}

int mv_md_key_valid(const char *key, size_t len, int allow_reserved)
{
    if (key == NULL || len == 0)
        return 0;
    for (size_t i = 0; i < len; i++) {
        if (!mv_key_char_ok((unsigned char)key[i]))
            return 0; /* also rejects ':' pseudo-headers and uppercase */
    }
    if (allow_reserved)
        return 1;
    if (len >= 5 && memcmp(key, "grpc-", 5) == 0)
        return 0;
    for (size_t i = 0; i < sizeof mv_md_reserved_names / sizeof mv_md_reserved_names[0]; i++) {
        const char *r = mv_md_reserved_names[i];
        if (strlen(r) == len && memcmp(r, key, len) == 0)
            return 0;
    }
    return 1;
}

int mv_md_value_valid(const uint8_t *value, size_t len)
{
    if (value == NULL)
        return len == 0;
    for (size_t i = 0; i < len; i++) {
        if (value[i] < 0x20 || value[i] > 0x7E)
            return 0;
    }
    return 1;
}

int mv_md_key_is_bin(const char *key, size_t len)
{
    return key != NULL && len >= 4 && memcmp(key + len - 4, "-bin", 4) == 0;
}

void mv_md_init(mv_md *md)
{
    md->v = NULL;
    md->n = 0;
    md->cap = 0;
}

static void mv_md_entry_free(mv_md_entry *e)
{
    free(e->key);
    free(e->value);
    e->key = NULL;
    e->value = NULL;
}

void mv_md_free(mv_md *md)
{
    if (md == NULL)
        return;
    for (size_t i = 0; i < md->n; i++)
        mv_md_entry_free(&md->v[i]);
    free(md->v);
    mv_md_init(md);
}

static int mv_md_reserve(mv_md *md, size_t extra)
{
    if (md->cap - md->n >= extra)
        return 0;
    size_t cap = md->cap ? md->cap : 4;
    while (cap - md->n < extra) {
        if (cap > SIZE_MAX / 2 / sizeof(mv_md_entry))
            return -2;
        cap *= 2;
    }
    mv_md_entry *v = realloc(md->v, cap * sizeof *v);
    if (v == NULL)
        return -2;
    md->v = v;
    md->cap = cap;
    return 0;
}

/* Copies key and value into *e (value NUL-terminated for convenience). */
static int mv_md_entry_make(mv_md_entry *e, const char *key, size_t key_len, const void *value,
                            size_t len)
{
    e->key = malloc(key_len + 1);
    e->value = malloc(len + 1);
    if (e->key == NULL || e->value == NULL) {
        mv_md_entry_free(e);
        return -2;
    }
    memcpy(e->key, key, key_len);
    e->key[key_len] = '\0';
    if (len)
        memcpy(e->value, value, len);
    e->value[len] = '\0';
    e->key_len = key_len;
    e->value_len = len;
    return 0;
}

static int mv_md_entry_valid(const char *key, size_t key_len, const void *value, size_t len,
                             int allow_reserved)
{
    if (!mv_md_key_valid(key, key_len, allow_reserved))
        return 0;
    if (value == NULL && len != 0)
        return 0;
    if (mv_md_key_is_bin(key, key_len))
        return 1;
    return mv_md_value_valid(value, len);
}

int mv_md_add_n(mv_md *md, const char *key, size_t key_len, const void *value, size_t len,
                int allow_reserved)
{
    if (md == NULL || !mv_md_entry_valid(key, key_len, value, len, allow_reserved))
        return -1;
    if (mv_md_reserve(md, 1) != 0)
        return -2;
    if (mv_md_entry_make(&md->v[md->n], key, key_len, value, len) != 0)
        return -2;
    md->n++;
    return 0;
}

int mv_md_add(mv_md *md, const char *key, const void *value, size_t len)
{
    if (key == NULL)
        return -1;
    return mv_md_add_n(md, key, strlen(key), value, len, 0);
}

static int mv_md_key_eq(const mv_md_entry *e, const char *key, size_t key_len)
{
    return e->key_len == key_len && memcmp(e->key, key, key_len) == 0;
}

static void mv_md_remove(mv_md *md, const char *key, size_t key_len)
{
    size_t w = 0;
    for (size_t r = 0; r < md->n; r++) {
        if (mv_md_key_eq(&md->v[r], key, key_len))
            mv_md_entry_free(&md->v[r]);
        else
            md->v[w++] = md->v[r];
    }
    md->n = w;
}

int mv_md_set(mv_md *md, const char *key, const void *value, size_t len)
{
    if (md == NULL || key == NULL)
        return -1;
    size_t key_len = strlen(key);
    if (value == NULL) {
        /* Removal only: validate the key so a typo is reported. */
        if (!mv_md_key_valid(key, key_len, 0))
            return -1;
        mv_md_remove(md, key, key_len);
        return 0;
    }
    if (!mv_md_entry_valid(key, key_len, value, len, 0))
        return -1;
    /* Allocate everything first so that a NOMEM leaves the list untouched. */
    mv_md_entry e;
    if (mv_md_reserve(md, 1) != 0 || mv_md_entry_make(&e, key, key_len, value, len) != 0)
        return -2;
    mv_md_remove(md, key, key_len);
    md->v[md->n++] = e;
    return 0;
}

int mv_md_copy(mv_md *dst, const mv_md *src)
{
    if (src == NULL || src->n == 0)
        return 0;
    if (mv_md_reserve(dst, src->n) != 0)
        return -2;
    size_t n0 = dst->n;
    for (size_t i = 0; i < src->n; i++) {
        const mv_md_entry *s = &src->v[i];
        if (mv_md_entry_make(&dst->v[dst->n], s->key, s->key_len, s->value, s->value_len) != 0) {
            while (dst->n > n0)
                mv_md_entry_free(&dst->v[--dst->n]);
            return -2;
        }
        dst->n++;
    }
    return 0;
}

const mv_md_entry *mv_md_get(const mv_md *md, const char *key, size_t n)
{
    if (md == NULL || key == NULL)
        return NULL;
    size_t key_len = strlen(key);
    for (size_t i = 0; i < md->n; i++) {
        if (mv_md_key_eq(&md->v[i], key, key_len) && n-- == 0)
            return &md->v[i];
    }
    return NULL;
}

int mv_md_add_from_wire(mv_md *md, const char *key, size_t key_len, const char *value,
                        size_t value_len)
{
    if (md == NULL || !mv_md_key_valid(key, key_len, 1) || (value == NULL && value_len))
        return -1;
    if (!mv_md_key_is_bin(key, key_len)) {
        /* nghttp2 has already checked the field value against RFC 9113;
         * a peer's odd bytes are kept rather than dropped. */
        if (mv_md_reserve(md, 1) != 0 ||
            mv_md_entry_make(&md->v[md->n], key, key_len, value, value_len) != 0)
            return -2;
        md->n++;
        return 0;
    }
    /* Several binary values may be joined by ',' (gRPC's header joining);
     * each part is decoded into its own entry.  All or nothing. */
    size_t n0 = md->n;
    size_t start = 0;
    int rc = 0;
    for (size_t i = 0; i <= value_len; i++) {
        if (i < value_len && value[i] != ',')
            continue;
        size_t plen = 0;
        int invalid = 0;
        uint8_t *bin = mv_base64_decode(value + start, i - start, &plen, &invalid);
        if (bin == NULL) {
            rc = invalid ? -1 : -2;
            goto fail;
        }
        if (mv_md_reserve(md, 1) != 0 ||
            mv_md_entry_make(&md->v[md->n], key, key_len, bin, plen) != 0) {
            free(bin);
            rc = -2;
            goto fail;
        }
        free(bin);
        md->n++;
        start = i + 1;
    }
    return 0;
fail:
    while (md->n > n0)
        mv_md_entry_free(&md->v[--md->n]);
    return rc;
}

/* ======================================================================
 * request headers
 * ====================================================================== */

void mv_hdr_list_init(mv_hdr_list *l)
{
    memset(l, 0, sizeof *l);
}

void mv_hdr_list_free(mv_hdr_list *l)
{
    if (l == NULL)
        return;
    free(l->v);
    free(l->arena);
    mv_hdr_list_init(l);
}

static size_t mv_base64_len(size_t n)
{
    return n / 3 * 4 + (n % 3 ? n % 3 + 1 : 0);
}

/* Storage one metadata list needs in the arena (each string + NUL). */
static int mv_md_arena_need(const mv_md *md, size_t *need)
{
    if (md == NULL)
        return 0;
    for (size_t i = 0; i < md->n; i++) {
        const mv_md_entry *e = &md->v[i];
        size_t vlen =
            mv_md_key_is_bin(e->key, e->key_len) ? mv_base64_len(e->value_len) : e->value_len;
        size_t add = e->key_len + 1 + vlen + 1;
        if (add < vlen || *need > SIZE_MAX - add)
            return -2;
        *need += add;
    }
    return 0;
}

static const char *mv_arena_put(mv_hdr_list *l, const void *s, size_t len)
{
    char *p = l->arena + l->arena_len;
    if (len)
        memcpy(p, s, len);
    p[len] = '\0';
    l->arena_len += len + 1;
    return p;
}

static void mv_hdr_push(mv_hdr_list *l, const char *name, size_t name_len, const char *value,
                        size_t value_len)
{
    mv_hdr *h = &l->v[l->n++];
    h->name = name;
    h->name_len = name_len;
    h->value = value;
    h->value_len = value_len;
}

#define MV_HDR_LIT(l, n, v) mv_hdr_push((l), (n), sizeof(n) - 1, (v), sizeof(v) - 1)

static void mv_base64_encode_into(const uint8_t *data, size_t len, char *out);

static void mv_hdr_push_md(mv_hdr_list *l, const mv_md *md)
{
    if (md == NULL)
        return;
    for (size_t i = 0; i < md->n; i++) {
        const mv_md_entry *e = &md->v[i];
        const char *name = mv_arena_put(l, e->key, e->key_len);
        if (!mv_md_key_is_bin(e->key, e->key_len)) {
            const char *value = mv_arena_put(l, e->value, e->value_len);
            mv_hdr_push(l, name, e->key_len, value, e->value_len);
            continue;
        }
        size_t blen = mv_base64_len(e->value_len);
        char *value = l->arena + l->arena_len;
        mv_base64_encode_into(e->value, e->value_len, value);
        value[blen] = '\0';
        l->arena_len += blen + 1;
        mv_hdr_push(l, name, e->key_len, value, blen);
    }
}

int mv_request_headers(mv_hdr_list *out, int tls, const char *authority, const char *path,
                       int64_t timeout_ns, const char *user_agent, const mv_md *md_static,
                       const mv_md *md_call)
{
    if (out == NULL || authority == NULL || path == NULL)
        return -1;
    if (user_agent == NULL || *user_agent == '\0')
        user_agent = "libmilvus/" PACKAGE_VERSION;

    /* Size everything first: values point into the arena, so it must be
     * allocated once and never moved while the list is being filled. */
    size_t auth_len = strlen(authority), path_len = strlen(path), ua_len = strlen(user_agent);
    size_t need = auth_len + 1 + path_len + 1 + ua_len + 1 + 16;
    if (mv_md_arena_need(md_static, &need) != 0 || mv_md_arena_need(md_call, &need) != 0)
        return -2;
    size_t nhdr = 9 + (md_static ? md_static->n : 0) + (md_call ? md_call->n : 0);

    /* The list is reused across calls: grow only when needed. */
    if (out->arena_cap < need) {
        char *a = malloc(need);
        if (a == NULL)
            return -2;
        free(out->arena);
        out->arena = a;
        out->arena_cap = need;
    }
    if (out->cap < nhdr) {
        mv_hdr *v = malloc(nhdr * sizeof *v);
        if (v == NULL)
            return -2;
        free(out->v);
        out->v = v;
        out->cap = nhdr;
    }
    out->n = 0;
    out->arena_len = 0;

    MV_HDR_LIT(out, ":method", "POST");
    if (tls)
        MV_HDR_LIT(out, ":scheme", "https");
    else
        MV_HDR_LIT(out, ":scheme", "http");
    mv_hdr_push(out, ":path", 5, mv_arena_put(out, path, path_len), path_len);
    mv_hdr_push(out, ":authority", 10, mv_arena_put(out, authority, auth_len), auth_len);
    MV_HDR_LIT(out, "te", "trailers");
    MV_HDR_LIT(out, "content-type", "application/grpc");
    if (timeout_ns >= 0) {
        char tbuf[16];
        int tlen = mv_timeout_encode(timeout_ns, tbuf);
        mv_hdr_push(out, "grpc-timeout", 12, mv_arena_put(out, tbuf, (size_t)tlen), (size_t)tlen);
    }
    MV_HDR_LIT(out, "grpc-accept-encoding", "identity");
    mv_hdr_push(out, "user-agent", 10, mv_arena_put(out, user_agent, ua_len), ua_len);
    mv_hdr_push_md(out, md_static);
    mv_hdr_push_md(out, md_call);
    return 0;
}

size_t mv_hdr_list_size(const mv_hdr_list *l)
{
    size_t total = 0;
    for (size_t i = 0; l != NULL && i < l->n; i++)
        total += l->v[i].name_len + l->v[i].value_len + 32;
    return total;
}

/* ======================================================================
 * message framing
 * ====================================================================== */

void mv_frame_header(uint8_t out[MV_FRAME_HDR], uint32_t len, int compressed)
{
    out[0] = compressed ? 1 : 0;
    out[1] = (uint8_t)(len >> 24);
    out[2] = (uint8_t)(len >> 16);
    out[3] = (uint8_t)(len >> 8);
    out[4] = (uint8_t)len;
}

void mv_deframer_init(mv_deframer *d, size_t max_msg)
{
    memset(d, 0, sizeof *d);
    d->max_msg = max_msg;
}

void mv_deframer_set_alloc(mv_deframer *d, mv_buf_fn fn, void *ctx)
{
    d->alloc = fn;
    d->alloc_ctx = ctx;
}

void mv_deframer_free(mv_deframer *d)
{
    if (d == NULL)
        return;
    free(d->buf);
    d->buf = NULL;
    d->buf_have = d->buf_cap = 0;
}

void mv_deframer_reset(mv_deframer *d)
{
    d->hdr_have = 0;
    d->msg_len = 0;
    d->buf_have = 0;
    d->error = MV_DEFRAME_OK;
    d->too_large = 0;
}

/* Validates a complete 5-byte prefix.  The size check happens here, before
 * a single payload byte is buffered. */
static int mv_deframer_check_hdr(mv_deframer *d, const uint8_t *h)
{
    if (h[0] == 1)
        return d->error = MV_DEFRAME_COMPRESSED;
    if (h[0] != 0)
        return d->error = MV_DEFRAME_BAD_FLAG;
    uint32_t len = (uint32_t)h[1] << 24 | (uint32_t)h[2] << 16 | (uint32_t)h[3] << 8 | h[4];
    if ((uint64_t)len > (uint64_t)d->max_msg) {
        d->too_large = len;
        return d->error = MV_DEFRAME_TOO_LARGE;
    }
    d->msg_len = len;
    return MV_DEFRAME_OK;
}

static int mv_deframer_deliver(mv_deframer *d, const uint8_t *msg, size_t len, mv_msg_fn fn,
                               void *ctx)
{
    d->hdr_have = 0;
    d->buf_have = 0;
    d->msg_len = 0;
    if (fn != NULL && fn(msg, len, ctx) != 0)
        return d->error = MV_DEFRAME_ABORTED;
    return MV_DEFRAME_OK;
}

/* Grows the buffer to hold `want` bytes, geometrically but never beyond the
 * announced message length: memory follows the bytes actually received, so
 * a peer announcing a large message and sending little costs little. */
static int mv_deframer_grow(mv_deframer *d, size_t want)
{
    if (want <= d->buf_cap)
        return 0;
    size_t cap = d->buf_cap < 256 ? 256 : d->buf_cap;
    while (cap < want)
        cap = cap > SIZE_MAX / 2 ? want : cap * 2;
    if (cap > d->msg_len)
        cap = d->msg_len;
    uint8_t *b = realloc(d->buf, cap);
    if (b == NULL)
        return d->error = MV_DEFRAME_NOMEM;
    d->buf = b;
    d->buf_cap = cap;
    return 0;
}

int mv_deframer_feed(mv_deframer *d, const uint8_t *data, size_t len, mv_msg_fn fn, void *ctx)
{
    if (d->error)
        return d->error;
    while (len > 0) {
        int rc;
        if (d->hdr_have < MV_FRAME_HDR) {
            if (d->hdr_have == 0 && len >= MV_FRAME_HDR) {
                /* Fast path: the prefix lies whole in this chunk. */
                if ((rc = mv_deframer_check_hdr(d, data)) != 0)
                    return rc;
                d->hdr_have = MV_FRAME_HDR;
                data += MV_FRAME_HDR;
                len -= MV_FRAME_HDR;
            } else {
                size_t take = MV_FRAME_HDR - d->hdr_have;
                if (take > len)
                    take = len;
                memcpy(d->hdr + d->hdr_have, data, take);
                d->hdr_have += take;
                data += take;
                len -= take;
                if (d->hdr_have < MV_FRAME_HDR)
                    return MV_DEFRAME_OK;
                if ((rc = mv_deframer_check_hdr(d, d->hdr)) != 0)
                    return rc;
            }
        }
        /* Prefix complete: now the payload. */
        if (d->buf_have == 0 && len >= d->msg_len) {
            /* Zero copy: the whole payload is in this chunk (or is empty). */
            size_t m = d->msg_len;
            if ((rc = mv_deframer_deliver(d, m ? data : d->hdr, m, fn, ctx)) != 0)
                return rc;
            data += m;
            len -= m;
            continue;
        }
        if (len == 0)
            break; /* prefix ended with the chunk: the payload comes later */
        size_t take = d->msg_len - d->buf_have;
        if (take > len)
            take = len;
        if (d->buf_have == 0 && d->alloc != NULL && d->buf_cap < d->msg_len) {
            size_t cap = 0;
            uint8_t *b = d->alloc(d->alloc_ctx, d->msg_len, &cap);
            if (b != NULL && cap >= d->msg_len) {
                free(d->buf);
                d->buf = b;
                d->buf_cap = cap;
            } else {
                free(b);
            }
        }
        if ((rc = mv_deframer_grow(d, d->buf_have + take)) != 0)
            return rc;
        memcpy(d->buf + d->buf_have, data, take);
        d->buf_have += take;
        data += take;
        len -= take;
        if (d->buf_have == d->msg_len) {
            if ((rc = mv_deframer_deliver(d, d->buf, d->msg_len, fn, ctx)) != 0)
                return rc;
        }
    }
    return MV_DEFRAME_OK;
}

size_t mv_deframer_pending(const mv_deframer *d)
{
    if (d->error || d->hdr_have < MV_FRAME_HDR)
        return 0;
    return d->msg_len - d->buf_have;
}

int mv_deframer_finish(const mv_deframer *d)
{
    if (d->error)
        return d->error;
    if (d->hdr_have > 0)
        return MV_DEFRAME_TRUNCATED;
    return MV_DEFRAME_OK;
}

const char *mv_deframe_strerror(int err)
{
    switch (err) {
    case MV_DEFRAME_OK: return "ok";
    case MV_DEFRAME_TOO_LARGE: return "received message larger than the limit";
    case MV_DEFRAME_COMPRESSED: return "compressed message without a negotiated grpc-encoding";
    case MV_DEFRAME_BAD_FLAG: return "invalid message compression flag";
    case MV_DEFRAME_NOMEM: return "out of memory while receiving a message";
    case MV_DEFRAME_ABORTED: return "message processing aborted";
    case MV_DEFRAME_TRUNCATED: return "stream ended inside a message";
    default: return "unknown deframer error";
    }
}

/* ======================================================================
 * grpc-timeout
 * ====================================================================== */

static const struct {
    char unit;
    int64_t ns;
} mv_timeout_units[] = {
    {'n', 1},
    {'u', 1000},
    {'m', 1000000},
    {'S', 1000000000},
    {'M', INT64_C(60) * 1000000000},
    {'H', INT64_C(3600) * 1000000000},
};

#define MV_TIMEOUT_MAX_VALUE 99999999 /* 8 digits */

int mv_timeout_encode(int64_t ns, char out[16])
{
    if (ns <= 0)
        ns = 1;
    size_t nunits = sizeof mv_timeout_units / sizeof mv_timeout_units[0];
    int64_t value = 0;
    char unit = 'H';
    for (size_t i = 0; i < nunits; i++) {
        int64_t u = mv_timeout_units[i].ns;
        /* Round up: a deadline must never be reported earlier than it is. */
        value = ns / u + (ns % u != 0);
        unit = mv_timeout_units[i].unit;
        if (value <= MV_TIMEOUT_MAX_VALUE)
            break;
    }
    /* INT64_MAX ns is about 2.56e6 hours, so the loop always ends fitting. */
    char digits[24];
    int n = 0;
    do {
        digits[n++] = (char)('0' + value % 10);
        value /= 10;
    } while (value > 0);
    int w = 0;
    while (n > 0)
        out[w++] = digits[--n];
    out[w++] = unit;
    out[w] = '\0';
    return w;
}

int mv_timeout_parse(const char *s, size_t len, int64_t *ns)
{
    if (s == NULL || len < 2 || len > 9)
        return -1;
    int64_t value = 0;
    for (size_t i = 0; i + 1 < len; i++) {
        if (s[i] < '0' || s[i] > '9')
            return -1;
        value = value * 10 + (s[i] - '0');
    }
    char unit = s[len - 1];
    for (size_t i = 0; i < sizeof mv_timeout_units / sizeof mv_timeout_units[0]; i++) {
        if (mv_timeout_units[i].unit != unit)
            continue;
        int64_t u = mv_timeout_units[i].ns;
        /* 99999999H does not fit in int64 ns: saturate (practically infinite). */
        *ns = value > INT64_MAX / u ? INT64_MAX : value * u;
        return 0;
    }
    return -1;
}

/* ======================================================================
 * grpc-message percent coding
 * ====================================================================== */

static const char mv_hex_upper[] = "0123456789ABCDEF";

static int mv_hex_val(unsigned char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

static int mv_percent_needs_escape(uint8_t c)
{
    return c < 0x20 || c > 0x7E || c == '%';
}

char *mv_percent_encode(const uint8_t *s, size_t len, size_t *out_len)
{
    if (s == NULL)
        len = 0;
    size_t need = 0;
    for (size_t i = 0; i < len; i++)
        need += mv_percent_needs_escape(s[i]) ? 3 : 1;
    if (need == SIZE_MAX)
        return NULL;
    char *out = malloc(need + 1);
    if (out == NULL)
        return NULL;
    size_t w = 0;
    for (size_t i = 0; i < len; i++) {
        if (!mv_percent_needs_escape(s[i])) {
            out[w++] = (char)s[i];
            continue;
        }
        out[w++] = '%';
        out[w++] = mv_hex_upper[s[i] >> 4];
        out[w++] = mv_hex_upper[s[i] & 0xF];
    }
    out[w] = '\0';
    if (out_len != NULL)
        *out_len = w;
    return out;
}

char *mv_percent_decode(const char *s, size_t len, size_t *out_len)
{
    if (s == NULL)
        len = 0;
    if (len == SIZE_MAX)
        return NULL;
    char *out = malloc(len + 1); /* decoding never grows the text */
    if (out == NULL)
        return NULL;
    size_t w = 0;
    for (size_t i = 0; i < len; i++) {
        int hi, lo;
        if (s[i] == '%' && i + 2 < len && (hi = mv_hex_val((unsigned char)s[i + 1])) >= 0 &&
            (lo = mv_hex_val((unsigned char)s[i + 2])) >= 0) {
            out[w++] = (char)(hi << 4 | lo);
            i += 2;
            continue;
        }
        out[w++] = s[i]; /* literal, or an invalid escape passed through */
    }
    out[w] = '\0';
    if (out_len != NULL)
        *out_len = w;
    return out;
}

char *mv_message_text(const uint8_t *s, size_t len)
{
    size_t nuls = 0, w = 0;
    if (s == NULL)
        len = 0;
    for (size_t i = 0; i < len; i++)
        nuls += s[i] == 0;
    if (nuls > (SIZE_MAX - 1 - len) / 3)
        return NULL;
    char *out = malloc(len + 3 * nuls + 1);
    if (out == NULL)
        return NULL;
    for (size_t i = 0; i < len; i++) {
        if (s[i] == 0) {
            memcpy(out + w, "\\x00", 4);
            w += 4;
        } else {
            out[w++] = (char)s[i];
        }
    }
    out[w] = '\0';
    return out;
}

/* ======================================================================
 * base64
 * ====================================================================== */

static const char mv_b64_alphabet[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

static void mv_base64_encode_into(const uint8_t *data, size_t len, char *out)
{
    size_t w = 0, i = 0;
    for (; i + 3 <= len; i += 3) {
        uint32_t v = (uint32_t)data[i] << 16 | (uint32_t)data[i + 1] << 8 | data[i + 2];
        out[w++] = mv_b64_alphabet[v >> 18];
        out[w++] = mv_b64_alphabet[(v >> 12) & 63];
        out[w++] = mv_b64_alphabet[(v >> 6) & 63];
        out[w++] = mv_b64_alphabet[v & 63];
    }
    if (len - i == 1) {
        uint32_t v = (uint32_t)data[i] << 16;
        out[w++] = mv_b64_alphabet[v >> 18];
        out[w++] = mv_b64_alphabet[(v >> 12) & 63];
    } else if (len - i == 2) {
        uint32_t v = (uint32_t)data[i] << 16 | (uint32_t)data[i + 1] << 8;
        out[w++] = mv_b64_alphabet[v >> 18];
        out[w++] = mv_b64_alphabet[(v >> 12) & 63];
        out[w++] = mv_b64_alphabet[(v >> 6) & 63];
    }
}

char *mv_base64_encode(const uint8_t *data, size_t len, size_t *out_len)
{
    if (data == NULL)
        len = 0;
    if (len > (SIZE_MAX - 4) / 4 * 3)
        return NULL;
    size_t n = mv_base64_len(len);
    char *out = malloc(n + 1);
    if (out == NULL)
        return NULL;
    mv_base64_encode_into(data, len, out);
    out[n] = '\0';
    if (out_len != NULL)
        *out_len = n;
    return out;
}

char *mv_base64_encode_padded(const uint8_t *data, size_t len, size_t *out_len)
{
    size_t n;
    char *out;
    if (data == NULL)
        len = 0;
    if (len > (SIZE_MAX - 4) / 4 * 3)
        return NULL;
    n = (len + 2) / 3 * 4;
    out = malloc(n + 1);
    if (out == NULL)
        return NULL;
    mv_base64_encode_into(data, len, out);
    for (size_t w = mv_base64_len(len); w < n; w++)
        out[w] = '=';
    out[n] = '\0';
    if (out_len != NULL)
        *out_len = n;
    return out;
}

static int mv_b64_val(unsigned char c)
{
    if (c >= 'A' && c <= 'Z')
        return c - 'A';
    if (c >= 'a' && c <= 'z')
        return c - 'a' + 26;
    if (c >= '0' && c <= '9')
        return c - '0' + 52;
    if (c == '+')
        return 62;
    if (c == '/')
        return 63;
    return -1;
}

uint8_t *mv_base64_decode(const char *s, size_t len, size_t *out_len, int *invalid)
{
    if (invalid != NULL)
        *invalid = 0;
    if (s == NULL)
        len = 0;
    /* Padding: only as the last one or two characters of a whole quantum. */
    size_t data_len = len;
    if (len > 0 && s[len - 1] == '=') {
        if (len % 4 != 0)
            goto bad;
        data_len--;
        if (s[len - 2] == '=')
            data_len--;
    }
    if (data_len % 4 == 1)
        goto bad; /* 6 bits cannot make a byte */

    size_t n = data_len / 4 * 3 + (data_len % 4 ? data_len % 4 - 1 : 0);
    uint8_t *out = malloc(n + 1);
    if (out == NULL)
        return NULL;
    size_t w = 0;
    uint32_t acc = 0;
    int bits = 0;
    for (size_t i = 0; i < data_len; i++) {
        int v = mv_b64_val((unsigned char)s[i]);
        if (v < 0) {
            free(out);
            goto bad; /* includes '=' in the middle */
        }
        acc = acc << 6 | (uint32_t)v;
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            out[w++] = (uint8_t)(acc >> bits);
            acc &= (1u << bits) - 1;
        }
    }
    /* Non-zero leftover bits (non-canonical encodings) are accepted, as
     * grpc-go's decoder does: the receiver should be lenient. */
    out[w] = 0;
    if (out_len != NULL)
        *out_len = w;
    return out;
bad:
    if (invalid != NULL)
        *invalid = 1;
    return NULL;
}

/* ======================================================================
 * status mapping
 * ====================================================================== */

int mv_grpc_status_parse(const char *s, size_t len, int *code)
{
    if (s == NULL || len == 0 || (len > 1 && s[0] == '0'))
        return -1;
    int v = 0;
    for (size_t i = 0; i < len; i++) {
        if (s[i] < '0' || s[i] > '9')
            return -1;
        int dgt = s[i] - '0';
        if (v > (INT_MAX - dgt) / 10)
            return -1;
        v = v * 10 + dgt;
    }
    *code = v;
    return 0;
}

int mv_http_to_grpc(int http_status)
{
    switch (http_status) {
    case 400: return MILVUS_GRPC_INTERNAL;
    case 401: return MILVUS_GRPC_UNAUTHENTICATED;
    case 403: return MILVUS_GRPC_PERMISSION_DENIED;
    case 404: return MILVUS_GRPC_UNIMPLEMENTED;
    case 429:
    case 502:
    case 503:
    case 504: return MILVUS_GRPC_UNAVAILABLE;
    default: return MILVUS_GRPC_UNKNOWN;
    }
}

/* HTTP/2 error codes (RFC 9113 §7), spelled out so this file needs no
 * nghttp2 header. */
enum {
    MV_H2_NO_ERROR = 0x0,
    MV_H2_PROTOCOL_ERROR = 0x1,
    MV_H2_INTERNAL_ERROR = 0x2,
    MV_H2_FLOW_CONTROL_ERROR = 0x3,
    MV_H2_SETTINGS_TIMEOUT = 0x4,
    MV_H2_STREAM_CLOSED = 0x5,
    MV_H2_FRAME_SIZE_ERROR = 0x6,
    MV_H2_REFUSED_STREAM = 0x7,
    MV_H2_CANCEL = 0x8,
    MV_H2_COMPRESSION_ERROR = 0x9,
    MV_H2_CONNECT_ERROR = 0xa,
    MV_H2_ENHANCE_YOUR_CALM = 0xb,
    MV_H2_INADEQUATE_SECURITY = 0xc,
    MV_H2_HTTP_1_1_REQUIRED = 0xd,
};

int mv_rst_to_grpc(uint32_t h2_error, int deadline_passed)
{
    switch (h2_error) {
    case MV_H2_NO_ERROR:
    case MV_H2_PROTOCOL_ERROR:
    case MV_H2_INTERNAL_ERROR:
    case MV_H2_FLOW_CONTROL_ERROR:
    case MV_H2_SETTINGS_TIMEOUT:
    case MV_H2_STREAM_CLOSED:
    case MV_H2_FRAME_SIZE_ERROR:
    case MV_H2_COMPRESSION_ERROR:
    case MV_H2_CONNECT_ERROR:
    case MV_H2_HTTP_1_1_REQUIRED: return MILVUS_GRPC_INTERNAL;
    case MV_H2_REFUSED_STREAM: return MILVUS_GRPC_UNAVAILABLE;
    case MV_H2_CANCEL:
        return deadline_passed ? MILVUS_GRPC_DEADLINE_EXCEEDED : MILVUS_GRPC_CANCELLED;
    case MV_H2_ENHANCE_YOUR_CALM: return MILVUS_GRPC_RESOURCE_EXHAUSTED;
    case MV_H2_INADEQUATE_SECURITY: return MILVUS_GRPC_PERMISSION_DENIED;
    default: return MILVUS_GRPC_UNKNOWN;
    }
}

int mv_content_type_is_grpc(const char *v, size_t len)
{
    static const char base[] = "application/grpc";
    size_t blen = sizeof base - 1;
    if (v == NULL || len < blen)
        return 0;
    /* Media types are case-insensitive (RFC 9110 §8.3.1). */
    for (size_t i = 0; i < blen; i++) {
        char c = v[i];
        if (c >= 'A' && c <= 'Z')
            c = (char)(c - 'A' + 'a');
        if (c != base[i])
            return 0;
    }
    return len == blen || v[blen] == '+' || v[blen] == ';';
}
