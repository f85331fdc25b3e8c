/* SPDX-License-Identifier: Apache-2.0 */
/* Options: setters with validation; every string is copied.  Also the
 * record of refused values that every option object keeps. */
#include <inttypes.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/options_internal.h"

/* ---- refused values --------------------------------------------------------- */

struct mv_refusal {
    mv_refusal *next;
    const char *setter; /* NULL: the refusal that could not be recorded */
    const char *key;    /* NULL: not tied to one entry */
    const char *msg;
};

/* Stands for a refusal that could not be recorded (out of memory).  Shared
 * by every object that needs it, so it is only ever the last element of a
 * list (its next stays NULL) and it is never freed or forgotten. */
static mv_refusal unrecorded = {NULL, NULL, NULL,
                                "a setter refused a value (out of memory recording which)"};

static int same_key(const char *a, const char *b)
{
    return a == b || (a && b && strcmp(a, b) == 0);
}

/* Drops the refusals of setter for key (exact: only those with that very
 * key; else also those tied to no key). */
static void forget(mv_opterr *e, const char *setter, const char *key, int exact)
{
    mv_refusal **pp = &e->list;
    while (*pp) {
        mv_refusal *r = *pp;
        if (r != &unrecorded && strcmp(r->setter, setter) == 0 &&
            (exact ? same_key(r->key, key) : (!r->key || same_key(r->key, key)))) {
            *pp = r->next;
            free(r);
        } else {
            pp = &r->next;
        }
    }
}

static void keep_unrecorded(mv_opterr *e)
{
    mv_refusal **pp = &e->list;
    while (*pp && *pp != &unrecorded)
        pp = &(*pp)->next;
    *pp = &unrecorded;
}

/* One allocation holds the record, its key and its message. */
static mv_refusal *refusal_new(const char *setter, const char *key, const char *msg)
{
    size_t klen = key ? strlen(key) + 1 : 0, mlen = strlen(msg) + 1;
    mv_refusal *r = malloc(sizeof(*r) + klen + mlen);
    char *p;
    if (!r)
        return NULL;
    p = (char *)(r + 1);
    r->next = NULL;
    r->setter = setter;
    r->key = NULL;
    if (key) {
        memcpy(p, key, klen);
        r->key = p;
        p += klen;
    }
    memcpy(p, msg, mlen);
    r->msg = p;
    return r;
}

int mv_refuse(mv_opterr *e, const char *setter, const char *key, const char *fmt, ...)
{
    char msg[512];
    mv_refusal *r;
    va_list ap;
    int n = snprintf(msg, sizeof(msg), "%s: ", setter);
    if (n < 0 || (size_t)n >= sizeof(msg))
        n = 0;
    va_start(ap, fmt);
    vsnprintf(msg + n, sizeof(msg) - (size_t)n, fmt, ap);
    va_end(ap);
    forget(e, setter, key, 1);
    if (!(r = refusal_new(setter, key, msg))) {
        keep_unrecorded(e);
        return MILVUS_ERR_INVALID_ARGUMENT;
    }
    r->next = e->list;
    e->list = r;
    return MILVUS_ERR_INVALID_ARGUMENT;
}

void mv_accept(mv_opterr *e, const char *setter, const char *key)
{
    if (e->list)
        forget(e, setter, key, 0);
}

const char *mv_opterr_msg(const mv_opterr *e)
{
    return e && e->list ? e->list->msg : "";
}

int mv_opterr_copy(mv_opterr *dst, const mv_opterr *src)
{
    mv_refusal **tail = &dst->list;
    dst->list = NULL;
    for (const mv_refusal *r = src ? src->list : NULL; r; r = r->next) {
        mv_refusal *c = r == &unrecorded ? &unrecorded : refusal_new(r->setter, r->key, r->msg);
        if (!c) {
            mv_opterr_free(dst);
            return -1;
        }
        *tail = c;
        tail = &c->next;
        if (c == &unrecorded)
            break;
    }
    return 0;
}

void mv_opterr_free(mv_opterr *e)
{
    mv_refusal *r = e->list, *next;
    for (; r && r != &unrecorded; r = next) {
        next = r->next;
        free(r);
    }
    e->list = NULL;
}

const char *mv_quote(char buf[MV_QUOTE_LEN], const char *s)
{
    /* room for the closing quote and "... (<size_t> bytes)" */
    const size_t room = MV_QUOTE_LEN - 34;
    const unsigned char *p = (const unsigned char *)s;
    size_t n, i = 0, out = 0;
    if (!s) {
        memcpy(buf, "NULL", 5);
        return buf;
    }
    n = strlen(s);
    buf[out++] = '"';
    while (i < n) {
        char piece[8];
        size_t plen, u = mv_utf8_char_len(p + i, n - i);
        static const char hex[] = "0123456789abcdef";
        if (u == 1 && (p[i] == '"' || p[i] == '\\')) {
            piece[0] = '\\';
            piece[1] = (char)p[i];
            plen = 2;
        } else if (u == 1 && (p[i] == '\n' || p[i] == '\t' || p[i] == '\r')) {
            piece[0] = '\\';
            piece[1] = p[i] == '\n' ? 'n' : p[i] == '\t' ? 't' : 'r';
            plen = 2;
        } else if (u == 0 || (u == 1 && (p[i] < 0x20 || p[i] == 0x7f))) {
            piece[0] = '\\';
            piece[1] = 'x';
            piece[2] = hex[p[i] >> 4];
            piece[3] = hex[p[i] & 15];
            plen = 4;
            u = 1;
        } else {
            memcpy(piece, p + i, u);
            plen = u;
        }
        if (out + plen > room)
            break;
        memcpy(buf + out, piece, plen);
        out += plen;
        i += u;
    }
    buf[out++] = '"';
    if (i < n)
        snprintf(buf + out, MV_QUOTE_LEN - out, "... (%zu bytes)", n);
    else
        buf[out] = '\0';
    return buf;
}

/* ---- options ---------------------------------------------------------------- */

static char *mv_strndup(const char *s, size_t n)
{
    char *p = malloc(n + 1);
    if (!p)
        return NULL;
    memcpy(p, s, n);
    p[n] = '\0';
    return p;
}

/* Replaces *slot with a copy of s (NULL clears). */
static int set_str(char **slot, const char *s)
{
    char *copy = NULL;
    if (s) {
        copy = mv_strndup(s, strlen(s));
        if (!copy)
            return MILVUS_ERR_NOMEM;
    }
    free(*slot);
    *slot = copy;
    return MILVUS_OK;
}

milvus_options *milvus_options_new(void)
{
    milvus_options *o = calloc(1, sizeof(*o));
    if (!o)
        return NULL;
    o->host = mv_strndup("localhost", 9);
    if (!o->host) {
        free(o);
        return NULL;
    }
    o->port = 19530;
    o->tls_verify = 1;
    mv_md_init(&o->md);
    o->connect_timeout_ms = 20000;
    o->pool_size = 1;
    o->max_send = (size_t)64 << 20;
    o->max_recv = (size_t)512 << 20;
    o->keepalive_ms = 10000;
    o->keepalive_timeout_ms = 20000;
    o->max_pending = 65536;
    o->retry_max_attempts = 5;
    o->retry_initial_ms = 100;
    o->retry_max_ms = 3000;
    o->retry_multiplier = 2.0;
    o->reconnect_initial_ms = 1000;
    o->reconnect_max_ms = 120000;
    o->reconnect_multiplier = 1.6;
    o->rl_max_attempts = 75;
    o->rl_initial_ms = 10;
    o->rl_max_ms = 3000;
    o->rl_multiplier = 3.0;
    o->log_level = MILVUS_LOG_WARN;
    return o;
}

static void wipe_free(char *s)
{
    /* Secrets do not linger in freed memory. */
    if (s) {
        volatile char *p = s;
        while (*p)
            *p++ = 0;
        free(s);
    }
}

void milvus_options_free(milvus_options *o)
{
    if (!o)
        return;
    free(o->host);
    free(o->ca_file);
    free(o->cert_file);
    free(o->key_file);
    free(o->server_name);
    wipe_free(o->token);
    free(o->user);
    wipe_free(o->password);
    free(o->database);
    mv_md_free(&o->md);
    free(o->user_agent);
    mv_opterr_free(&o->err);
    free(o);
}

static int dup_str(char **dst, const char *src)
{
    *dst = NULL;
    if (!src)
        return 0;
    *dst = mv_strndup(src, strlen(src));
    return *dst ? 0 : -1;
}

milvus_options *milvus_options_dup(const milvus_options *src)
{
    milvus_options *o;
    if (!src)
        return NULL;
    o = malloc(sizeof(*o));
    if (!o)
        return NULL;
    *o = *src;
    o->host = o->ca_file = o->cert_file = o->key_file = o->server_name = NULL;
    o->token = o->user = o->password = o->database = o->user_agent = NULL;
    o->err.list = NULL;
    mv_md_init(&o->md);
    /* A copy of an invalid object is invalid too: copying must not be a
     * way around the refusal. */
    if (dup_str(&o->host, src->host) || dup_str(&o->ca_file, src->ca_file) ||
        dup_str(&o->cert_file, src->cert_file) || dup_str(&o->key_file, src->key_file) ||
        dup_str(&o->server_name, src->server_name) || dup_str(&o->token, src->token) ||
        dup_str(&o->user, src->user) || dup_str(&o->password, src->password) ||
        dup_str(&o->database, src->database) || dup_str(&o->user_agent, src->user_agent) ||
        mv_md_copy(&o->md, &src->md) != 0 || mv_opterr_copy(&o->err, &src->err) != 0) {
        milvus_options_free(o);
        return NULL;
    }
    return o;
}

const char *milvus_options_last_error(const milvus_options *o)
{
    return mv_opterr_msg(o ? &o->err : NULL);
}

static int parse_port(const char *s, size_t n, int *port)
{
    long v = 0;
    if (n == 0 || n > 5)
        return -1;
    for (size_t i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return -1;
        v = v * 10 + (s[i] - '0');
    }
    if (v < 1 || v > 65535)
        return -1;
    *port = (int)v;
    return 0;
}

static int host_chars_ok(const char *s, size_t n, int v6)
{
    if (n == 0)
        return 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c <= 0x20 || c >= 0x7f || c == '/' || c == '@' || c == '?' || c == '#' || c == '[' ||
            c == ']')
            return 0;
        if (c == ':' && !v6)
            return 0;
    }
    return 1;
}

/* What a host may be, for the messages of the setters that take one. */
#define HOST_CHARS "printable ASCII without spaces or /@?#[]; ':' only in an IPv6 address"
#define URI_FORMS                                                                                  \
    "host, host:port, [v6addr]:port, optionally after http://, https:// or tcp://, optionally "    \
    "followed by /database"

/* Reason (NULL: none) why uri cannot be parsed; on success the parts. */
static int parse_uri(const char *uri, int *tls, int *port, const char **hs, const char **he,
                     const char **ds, const char **de, const char **why)
{
    const char *p = uri, *end, *slash;
    int v6 = 0;
    *tls = -1;
    *port = 0;
    *ds = *de = NULL;
    if (strncmp(p, "https://", 8) == 0) {
        *tls = 1;
        p += 8;
    } else if (strncmp(p, "http://", 7) == 0) {
        *tls = 0;
        p += 7;
    } else if (strncmp(p, "tcp://", 6) == 0) {
        p += 6;
    } else if (strstr(p, "://")) {
        *why = "has an unknown scheme (accepted: http://, https://, tcp:// or none)";
        return -1;
    }
    end = p + strlen(p);
    slash = memchr(p, '/', (size_t)(end - p));
    if (!slash)
        slash = end;
    if (*p == '[') {
        const char *rb = memchr(p, ']', (size_t)(slash - p));
        if (!rb) {
            *why = "has an IPv6 address without its closing ']'";
            return -1;
        }
        *hs = p + 1;
        *he = rb;
        v6 = 1;
        if (rb + 1 < slash) {
            if (rb[1] != ':' || parse_port(rb + 2, (size_t)(slash - rb - 2), port)) {
                *why = "has an invalid port (expected :1..65535 after the host)";
                return -1;
            }
        }
    } else {
        const char *colon = memchr(p, ':', (size_t)(slash - p));
        *hs = p;
        *he = slash;
        if (colon && memchr(colon + 1, ':', (size_t)(slash - colon - 1))) {
            v6 = 1; /* bare IPv6 literal without a port */
        } else if (colon) {
            *he = colon;
            if (parse_port(colon + 1, (size_t)(slash - colon - 1), port)) {
                *why = "has an invalid port (expected :1..65535 after the host)";
                return -1;
            }
        }
    }
    if (!host_chars_ok(*hs, (size_t)(*he - *hs), v6)) {
        *why = "has an empty or invalid host (" HOST_CHARS ")";
        return -1;
    }
    if (slash < end) {
        *ds = slash + 1;
        *de = end;
        while (*de > *ds && (*de)[-1] == '/')
            (*de)--;
        if (memchr(*ds, '/', (size_t)(*de - *ds)) || memchr(*ds, '?', (size_t)(*de - *ds))) {
            *why = "has an invalid database path (one path segment, no '?')";
            return -1;
        }
    }
    return 0;
}

milvus_status milvus_options_set_uri(milvus_options *o, const char *uri)
{
    const char *hs, *he, *ds, *de, *why = NULL;
    int tls, port;
    char *host = NULL, *db = NULL, q[MV_QUOTE_LEN];
    if (!o)
        return MILVUS_ERR_INVALID_ARGUMENT;
    if (!uri)
        return mv_refuse(&o->err, __func__, NULL, "uri is NULL (accepted: " URI_FORMS ")");
    if (parse_uri(uri, &tls, &port, &hs, &he, &ds, &de, &why) != 0)
        return mv_refuse(&o->err, __func__, NULL, "uri %s %s", mv_quote(q, uri), why);
    if (ds && de > ds) {
        db = mv_strndup(ds, (size_t)(de - ds));
        if (!db)
            return MILVUS_ERR_NOMEM;
    }
    host = mv_strndup(hs, (size_t)(he - hs));
    if (!host) {
        free(db);
        return MILVUS_ERR_NOMEM;
    }
    free(o->host);
    o->host = host;
    if (tls >= 0)
        o->tls = tls;
    o->port = port ? port : (tls == 1 ? 443 : 19530);
    if (db) {
        free(o->database);
        o->database = db;
    }
    mv_accept(&o->err, __func__, NULL);
    return MILVUS_OK;
}

milvus_status milvus_options_set_address(milvus_options *o, const char *host, int port)
{
    char q[MV_QUOTE_LEN];
    if (!o)
        return MILVUS_ERR_INVALID_ARGUMENT;
    if (!host)
        return mv_refuse(&o->err, __func__, NULL, "host is NULL (a host name or an IP address)");
    if (!host_chars_ok(host, strlen(host), strchr(host, ':') != NULL))
        return mv_refuse(&o->err, __func__, NULL,
                         "host %s is not a valid host name or address (" HOST_CHARS ")",
                         mv_quote(q, host));
    if (port < 1 || port > 65535)
        return mv_refuse(&o->err, __func__, NULL, "port %d is out of range (1..65535)", port);
    if (set_str(&o->host, host))
        return MILVUS_ERR_NOMEM;
    o->port = port;
    mv_accept(&o->err, __func__, NULL);
    return MILVUS_OK;
}

milvus_status milvus_options_set_tls(milvus_options *o, int enable)
{
    if (!o)
        return MILVUS_ERR_INVALID_ARGUMENT;
    o->tls = enable != 0;
    return MILVUS_OK;
}

milvus_status milvus_options_set_ca_file(milvus_options *o, const char *path)
{
    if (!o)
        return MILVUS_ERR_INVALID_ARGUMENT;
    return set_str(&o->ca_file, path);
}

milvus_status milvus_options_set_client_cert(milvus_options *o, const char *cert_path,
                                             const char *key_path)
{
    char q1[MV_QUOTE_LEN], q2[MV_QUOTE_LEN];
    int rc;
    if (!o)
        return MILVUS_ERR_INVALID_ARGUMENT;
    if ((!cert_path) != (!key_path))
        return mv_refuse(&o->err, __func__, NULL,
                         "cert_path %s with key_path %s (give both, or NULL for both)",
                         mv_quote(q1, cert_path), mv_quote(q2, key_path));
    rc = set_str(&o->cert_file, cert_path);
    if (rc == MILVUS_OK)
        rc = set_str(&o->key_file, key_path);
    if (rc == MILVUS_OK)
        mv_accept(&o->err, __func__, NULL);
    return rc;
}

milvus_status milvus_options_set_server_name(milvus_options *o, const char *name)
{
    char q[MV_QUOTE_LEN];
    int rc;
    if (!o)
        return MILVUS_ERR_INVALID_ARGUMENT;
    if (name && !host_chars_ok(name, strlen(name), 0))
        return mv_refuse(&o->err, __func__, NULL,
                         "name %s is not a valid host name (printable ASCII without spaces or "
                         ":/@?#[]; NULL for the host itself)",
                         mv_quote(q, name));
    if ((rc = set_str(&o->server_name, name)) == MILVUS_OK)
        mv_accept(&o->err, __func__, NULL);
    return rc;
}

milvus_status milvus_options_set_tls_verify(milvus_options *o, int verify)
{
    if (!o)
        return MILVUS_ERR_INVALID_ARGUMENT;
    o->tls_verify = verify != 0;
    return MILVUS_OK;
}

milvus_status milvus_options_set_token(milvus_options *o, const char *token)
{
    char *copy = NULL;
    if (!o)
        return MILVUS_ERR_INVALID_ARGUMENT;
    if (token && !(copy = mv_strndup(token, strlen(token))))
        return MILVUS_ERR_NOMEM;
    wipe_free(o->token);
    o->token = copy;
    return MILVUS_OK;
}

milvus_status milvus_options_set_user_password(milvus_options *o, const char *user,
                                               const char *password)
{
    char *u = NULL, *p = NULL, q[MV_QUOTE_LEN];
    if (!o)
        return MILVUS_ERR_INVALID_ARGUMENT;
    /* the password never goes into a message */
    if ((!user) != (!password))
        return mv_refuse(&o->err, __func__, NULL,
                         "user %s with %s password (give both, or NULL for both)",
                         mv_quote(q, user), password ? "a" : "a NULL");
    if (user && strchr(user, ':'))
        return mv_refuse(&o->err, __func__, NULL,
                         "user %s contains ':' (not allowed in basic credentials)",
                         mv_quote(q, user));
    if (user) {
        u = mv_strndup(user, strlen(user));
        p = mv_strndup(password, strlen(password));
        if (!u || !p) {
            free(u);
            wipe_free(p);
            return MILVUS_ERR_NOMEM;
        }
    }
    free(o->user);
    wipe_free(o->password);
    o->user = u;
    o->password = p;
    mv_accept(&o->err, __func__, NULL);
    return MILVUS_OK;
}

milvus_status milvus_options_set_database(milvus_options *o, const char *db)
{
    char q[MV_QUOTE_LEN];
    int rc;
    if (!o)
        return MILVUS_ERR_INVALID_ARGUMENT;
    if (db && !mv_md_value_valid((const uint8_t *)db, strlen(db)))
        return mv_refuse(&o->err, __func__, NULL,
                         "database %s is not printable ASCII (bytes 0x20..0x7e; NULL for the "
                         "server default)",
                         mv_quote(q, db));
    if ((rc = set_str(&o->database, db)) == MILVUS_OK)
        mv_accept(&o->err, __func__, NULL);
    return rc;
}

/* Offset of the first byte outside 0x20..0x7e in value. */
static size_t first_unprintable(const uint8_t *value, size_t len)
{
    size_t i = 0;
    while (i < len && value[i] >= 0x20 && value[i] <= 0x7e)
        i++;
    return i;
}

milvus_status milvus_options_add_metadata(milvus_options *o, const char *key, const void *value,
                                          size_t len)
{
    char q[MV_QUOTE_LEN];
    size_t klen;
    int rc;
    if (!o)
        return MILVUS_ERR_INVALID_ARGUMENT;
    if (!key || !mv_md_key_valid(key, klen = strlen(key), 0))
        return mv_refuse(&o->err, __func__, NULL,
                         "key %s is not a valid metadata key (non-empty lowercase [0-9a-z_.-], "
                         "not grpc-* nor a header the transport writes)",
                         mv_quote(q, key));
    /* values are not quoted: metadata may carry credentials */
    if (!value && len)
        return mv_refuse(&o->err, __func__, key, "value of %s is NULL with length %zu",
                         mv_quote(q, key), len);
    if (value && !mv_md_key_is_bin(key, klen) && !mv_md_value_valid(value, len))
        return mv_refuse(&o->err, __func__, key,
                         "value of %s has byte 0x%02x at offset %zu (values are printable "
                         "ASCII, 0x20..0x7e; keys ending in -bin take binary values)",
                         mv_quote(q, key), ((const uint8_t *)value)[first_unprintable(value, len)],
                         first_unprintable(value, len));
    rc = mv_md_add(&o->md, key, value ? value : "", len);
    if (rc == -2)
        return MILVUS_ERR_NOMEM;
    if (rc)
        return mv_refuse(&o->err, __func__, key, "entry %s refused", mv_quote(q, key));
    mv_accept(&o->err, __func__, key);
    return MILVUS_OK;
}

milvus_status milvus_options_set_user_agent(milvus_options *o, const char *ua)
{
    char q[MV_QUOTE_LEN];
    int rc;
    if (!o)
        return MILVUS_ERR_INVALID_ARGUMENT;
    if (ua && (!*ua || !mv_md_value_valid((const uint8_t *)ua, strlen(ua))))
        return mv_refuse(&o->err, __func__, NULL,
                         "user agent %s is %s (non-empty printable ASCII, 0x20..0x7e; NULL for "
                         "the default)",
                         mv_quote(q, ua), *ua ? "not printable ASCII" : "empty");
    if ((rc = set_str(&o->user_agent, ua)) == MILVUS_OK)
        mv_accept(&o->err, __func__, NULL);
    return rc;
}

/* The longest call deadline: 100 years. */
#define MAX_CALL_TIMEOUT_MS ((int64_t)100 * 365 * 86400 * 1000)

milvus_status milvus_options_set_connect_timeout_ms(milvus_options *o, int64_t ms)
{
    if (!o)
        return MILVUS_ERR_INVALID_ARGUMENT;
    if (ms <= 0 || ms > INT32_MAX)
        return mv_refuse(&o->err, __func__, NULL,
                         "connect timeout %lld ms is out of range (1..2147483647)", (long long)ms);
    o->connect_timeout_ms = ms;
    mv_accept(&o->err, __func__, NULL);
    return MILVUS_OK;
}

milvus_status milvus_options_set_call_timeout_ms(milvus_options *o, int64_t ms)
{
    if (!o)
        return MILVUS_ERR_INVALID_ARGUMENT;
    if (ms < 0 || ms > MAX_CALL_TIMEOUT_MS)
        return mv_refuse(&o->err, __func__, NULL,
                         "call timeout %lld ms is out of range (0 = none, 1..%lld)", (long long)ms,
                         (long long)MAX_CALL_TIMEOUT_MS);
    o->call_timeout_ms = ms;
    mv_accept(&o->err, __func__, NULL);
    return MILVUS_OK;
}

milvus_status milvus_options_set_pool_size(milvus_options *o, int n)
{
    if (!o)
        return MILVUS_ERR_INVALID_ARGUMENT;
    if (n < 1 || n > 64)
        return mv_refuse(&o->err, __func__, NULL, "pool size %d is out of range (1..64)", n);
    o->pool_size = n;
    mv_accept(&o->err, __func__, NULL);
    return MILVUS_OK;
}

milvus_status milvus_options_set_max_send_size(milvus_options *o, size_t bytes)
{
    if (!o)
        return MILVUS_ERR_INVALID_ARGUMENT;
    /* The length prefix is 32 bits. */
    if (bytes == 0 || bytes > UINT32_MAX)
        return mv_refuse(&o->err, __func__, NULL,
                         "max send size %zu bytes is out of range (1..4294967295)", bytes);
    o->max_send = bytes;
    mv_accept(&o->err, __func__, NULL);
    return MILVUS_OK;
}

milvus_status milvus_options_set_max_recv_size(milvus_options *o, size_t bytes)
{
    if (!o)
        return MILVUS_ERR_INVALID_ARGUMENT;
    if (bytes == 0)
        return mv_refuse(&o->err, __func__, NULL,
                         "max receive size 0 bytes is out of range (at least 1; more than "
                         "4294967295 counts as 4294967295)");
    o->max_recv = bytes > UINT32_MAX ? UINT32_MAX : bytes;
    mv_accept(&o->err, __func__, NULL);
    return MILVUS_OK;
}

milvus_status milvus_options_set_keepalive_ms(milvus_options *o, int64_t interval_ms,
                                              int64_t timeout_ms)
{
    const char *fast = getenv("MILVUS_ALLOW_FAST_KEEPALIVE");
    if (!o)
        return MILVUS_ERR_INVALID_ARGUMENT;
    if (interval_ms < 0 || interval_ms > INT32_MAX)
        return mv_refuse(&o->err, __func__, NULL,
                         "interval %lld ms is out of range (0 = off, 1..2147483647; less than "
                         "10000 counts as 10000)",
                         (long long)interval_ms);
    if (timeout_ms <= 0 || timeout_ms > INT32_MAX)
        return mv_refuse(&o->err, __func__, NULL, "timeout %lld ms is out of range (1..2147483647)",
                         (long long)timeout_ms);
    /* gRFC A8: clients never ping more often than every 10 s. */
    if (interval_ms > 0 && interval_ms < 10000 && !(fast && strcmp(fast, "1") == 0))
        interval_ms = 10000;
    o->keepalive_ms = interval_ms;
    o->keepalive_timeout_ms = timeout_ms;
    mv_accept(&o->err, __func__, NULL);
    return MILVUS_OK;
}

milvus_status milvus_options_set_max_pending(milvus_options *o, size_t n)
{
    if (!o)
        return MILVUS_ERR_INVALID_ARGUMENT;
    if (n == 0)
        return mv_refuse(&o->err, __func__, NULL, "max pending 0 is out of range (at least 1)");
    o->max_pending = n;
    mv_accept(&o->err, __func__, NULL);
    return MILVUS_OK;
}

milvus_status milvus_options_set_wait_for_ready(milvus_options *o, int wait)
{
    if (!o)
        return MILVUS_ERR_INVALID_ARGUMENT;
    if (wait != 0 && wait != 1)
        return mv_refuse(&o->err, __func__, NULL, "wait %d is not accepted (0 or 1)", wait);
    o->wait_for_ready = wait;
    mv_accept(&o->err, __func__, NULL);
    return MILVUS_OK;
}

/* The refusal of a backoff (retry or reconnect): 0 when the values fit. */
static int check_backoff(mv_opterr *e, const char *setter, int64_t initial_ms, int64_t max_ms,
                         double multiplier)
{
    if (initial_ms < 0 || initial_ms > INT32_MAX)
        return mv_refuse(e, setter, NULL, "initial_ms %lld is out of range (0..2147483647)",
                         (long long)initial_ms);
    if (max_ms < initial_ms || max_ms > INT32_MAX)
        return mv_refuse(e, setter, NULL,
                         "max_ms %lld is out of range (initial_ms %lld..2147483647)",
                         (long long)max_ms, (long long)initial_ms);
    if (!(multiplier >= 1.0 && multiplier <= 100.0))
        return mv_refuse(e, setter, NULL, "multiplier %g is out of range (1..100)", multiplier);
    return 0;
}

milvus_status milvus_options_set_retry(milvus_options *o, int max_attempts, int64_t initial_ms,
                                       int64_t max_ms, double multiplier)
{
    int rc;
    if (!o)
        return MILVUS_ERR_INVALID_ARGUMENT;
    if (max_attempts < 1 || max_attempts > 100)
        return mv_refuse(&o->err, __func__, NULL, "max_attempts %d is out of range (1..100)",
                         max_attempts);
    if ((rc = check_backoff(&o->err, __func__, initial_ms, max_ms, multiplier)) != 0)
        return rc;
    o->retry_max_attempts = max_attempts;
    o->retry_initial_ms = initial_ms;
    o->retry_max_ms = max_ms;
    o->retry_multiplier = multiplier;
    mv_accept(&o->err, __func__, NULL);
    return MILVUS_OK;
}

milvus_status milvus_options_set_reconnect_backoff(milvus_options *o, int64_t initial_ms,
                                                   int64_t max_ms, double multiplier)
{
    int rc;
    if (!o)
        return MILVUS_ERR_INVALID_ARGUMENT;
    if ((rc = check_backoff(&o->err, __func__, initial_ms, max_ms, multiplier)) != 0)
        return rc;
    o->reconnect_initial_ms = initial_ms;
    o->reconnect_max_ms = max_ms;
    o->reconnect_multiplier = multiplier;
    mv_accept(&o->err, __func__, NULL);
    return MILVUS_OK;
}

milvus_status milvus_options_set_rate_limit_retry(milvus_options *o, int max_attempts,
                                                  int64_t initial_ms, int64_t max_ms,
                                                  double multiplier)
{
    int rc;
    if (!o)
        return MILVUS_ERR_INVALID_ARGUMENT;
    if (max_attempts < 1 || max_attempts > 1000)
        return mv_refuse(&o->err, __func__, NULL, "max_attempts %d is out of range (1..1000)",
                         max_attempts);
    if ((rc = check_backoff(&o->err, __func__, initial_ms, max_ms, multiplier)) != 0)
        return rc;
    o->rl_max_attempts = max_attempts;
    o->rl_initial_ms = initial_ms;
    o->rl_max_ms = max_ms;
    o->rl_multiplier = multiplier;
    mv_accept(&o->err, __func__, NULL);
    return MILVUS_OK;
}

milvus_status milvus_options_set_log(milvus_options *o, milvus_log_level max_level,
                                     milvus_log_cb cb, void *ctx)
{
    if (!o)
        return MILVUS_ERR_INVALID_ARGUMENT;
    if ((int)max_level < MILVUS_LOG_ERROR || max_level > MILVUS_LOG_DEBUG)
        return mv_refuse(&o->err, __func__, NULL,
                         "max_level %d is out of range (0 MILVUS_LOG_ERROR..3 MILVUS_LOG_DEBUG)",
                         (int)max_level);
    o->log_level = max_level;
    o->log_cb = cb;
    o->log_ctx = ctx;
    mv_accept(&o->err, __func__, NULL);
    return MILVUS_OK;
}
