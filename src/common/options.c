/* SPDX-License-Identifier: Apache-2.0 */
/* Options: setters with validation; every string is copied. */
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "common/options_internal.h"

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
    mv_md_init(&o->md);
    if (dup_str(&o->host, src->host) || dup_str(&o->ca_file, src->ca_file) ||
        dup_str(&o->cert_file, src->cert_file) || dup_str(&o->key_file, src->key_file) ||
        dup_str(&o->server_name, src->server_name) || dup_str(&o->token, src->token) ||
        dup_str(&o->user, src->user) || dup_str(&o->password, src->password) ||
        dup_str(&o->database, src->database) || dup_str(&o->user_agent, src->user_agent) ||
        mv_md_copy(&o->md, &src->md) != 0) {
        milvus_options_free(o);
        return NULL;
    }
    return o;
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
        if (c <= 0x20 || c >= 0x7f || c == '/' || c == '@' || c == '?' || c == '#' ||
            c == '[' || c == ']')
            return 0;
        if (c == ':' && !v6)
            return 0;
    }
    return 1;
}

int milvus_options_set_uri(milvus_options *o, const char *uri)
{
    const char *p, *end, *slash, *hs, *he;
    int tls = -1, port = 0, v6 = 0;
    char *host = NULL, *db = NULL;
    if (!o || !uri)
        return MILVUS_ERR_INVALID_ARGUMENT;
    p = uri;
    if (strncmp(p, "https://", 8) == 0) {
        tls = 1;
        p += 8;
    } else if (strncmp(p, "http://", 7) == 0) {
        tls = 0;
        p += 7;
    } else if (strncmp(p, "tcp://", 6) == 0) {
        p += 6;
    } else if (strstr(p, "://")) {
        return MILVUS_ERR_INVALID_ARGUMENT; /* unknown scheme */
    }
    end = p + strlen(p);
    slash = memchr(p, '/', (size_t)(end - p));
    if (!slash)
        slash = end;
    if (*p == '[') {
        const char *rb = memchr(p, ']', (size_t)(slash - p));
        if (!rb)
            return MILVUS_ERR_INVALID_ARGUMENT;
        hs = p + 1;
        he = rb;
        v6 = 1;
        if (rb + 1 < slash) {
            if (rb[1] != ':' || parse_port(rb + 2, (size_t)(slash - rb - 2), &port))
                return MILVUS_ERR_INVALID_ARGUMENT;
        }
    } else {
        const char *colon = memchr(p, ':', (size_t)(slash - p));
        hs = p;
        he = slash;
        if (colon && memchr(colon + 1, ':', (size_t)(slash - colon - 1))) {
            v6 = 1; /* bare IPv6 literal without a port */
        } else if (colon) {
            he = colon;
            if (parse_port(colon + 1, (size_t)(slash - colon - 1), &port))
                return MILVUS_ERR_INVALID_ARGUMENT;
        }
    }
    if (!host_chars_ok(hs, (size_t)(he - hs), v6))
        return MILVUS_ERR_INVALID_ARGUMENT;
    if (slash < end) {
        const char *ds = slash + 1, *de = end;
        while (de > ds && de[-1] == '/')
            de--;
        if (memchr(ds, '/', (size_t)(de - ds)) || memchr(ds, '?', (size_t)(de - ds)))
            return MILVUS_ERR_INVALID_ARGUMENT;
        if (de > ds) {
            db = mv_strndup(ds, (size_t)(de - ds));
            if (!db)
                return MILVUS_ERR_NOMEM;
        }
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
    return MILVUS_OK;
}

int milvus_options_set_address(milvus_options *o, const char *host, int port)
{
    if (!o || !host || port < 1 || port > 65535)
        return MILVUS_ERR_INVALID_ARGUMENT;
    if (!host_chars_ok(host, strlen(host), strchr(host, ':') != NULL))
        return MILVUS_ERR_INVALID_ARGUMENT;
    if (set_str(&o->host, host))
        return MILVUS_ERR_NOMEM;
    o->port = port;
    return MILVUS_OK;
}

int milvus_options_set_tls(milvus_options *o, int enable)
{
    if (!o)
        return MILVUS_ERR_INVALID_ARGUMENT;
    o->tls = enable != 0;
    return MILVUS_OK;
}

int milvus_options_set_ca_file(milvus_options *o, const char *path)
{
    if (!o)
        return MILVUS_ERR_INVALID_ARGUMENT;
    return set_str(&o->ca_file, path);
}

int milvus_options_set_client_cert(milvus_options *o, const char *cert_path, const char *key_path)
{
    int rc;
    if (!o || (!cert_path) != (!key_path))
        return MILVUS_ERR_INVALID_ARGUMENT;
    rc = set_str(&o->cert_file, cert_path);
    if (rc == MILVUS_OK)
        rc = set_str(&o->key_file, key_path);
    return rc;
}

int milvus_options_set_server_name(milvus_options *o, const char *name)
{
    if (!o || (name && !host_chars_ok(name, strlen(name), 0)))
        return MILVUS_ERR_INVALID_ARGUMENT;
    return set_str(&o->server_name, name);
}

int milvus_options_set_tls_verify(milvus_options *o, int verify)
{
    if (!o)
        return MILVUS_ERR_INVALID_ARGUMENT;
    o->tls_verify = verify != 0;
    return MILVUS_OK;
}

int milvus_options_set_token(milvus_options *o, const char *token)
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

int milvus_options_set_user_password(milvus_options *o, const char *user, const char *password)
{
    char *u = NULL, *p = NULL;
    if (!o || (!user) != (!password) || (user && strchr(user, ':')))
        return MILVUS_ERR_INVALID_ARGUMENT;
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
    return MILVUS_OK;
}

int milvus_options_set_database(milvus_options *o, const char *db)
{
    if (!o || (db && !mv_md_value_valid((const uint8_t *)db, strlen(db))))
        return MILVUS_ERR_INVALID_ARGUMENT;
    return set_str(&o->database, db);
}

int milvus_options_add_metadata(milvus_options *o, const char *key, const void *value, size_t len)
{
    int rc;
    if (!o || !key || (!value && len))
        return MILVUS_ERR_INVALID_ARGUMENT;
    rc = mv_md_add(&o->md, key, value ? value : "", len);
    if (rc == -2)
        return MILVUS_ERR_NOMEM;
    return rc ? MILVUS_ERR_INVALID_ARGUMENT : MILVUS_OK;
}

int milvus_options_set_user_agent(milvus_options *o, const char *ua)
{
    if (!o || (ua && (!*ua || !mv_md_value_valid((const uint8_t *)ua, strlen(ua)))))
        return MILVUS_ERR_INVALID_ARGUMENT;
    return set_str(&o->user_agent, ua);
}

int milvus_options_set_connect_timeout_ms(milvus_options *o, int64_t ms)
{
    if (!o || ms <= 0 || ms > INT32_MAX)
        return MILVUS_ERR_INVALID_ARGUMENT;
    o->connect_timeout_ms = ms;
    return MILVUS_OK;
}

int milvus_options_set_call_timeout_ms(milvus_options *o, int64_t ms)
{
    if (!o || ms < 0 || ms > (int64_t)100 * 365 * 86400 * 1000)
        return MILVUS_ERR_INVALID_ARGUMENT;
    o->call_timeout_ms = ms;
    return MILVUS_OK;
}

int milvus_options_set_pool_size(milvus_options *o, int n)
{
    if (!o || n < 1 || n > 64)
        return MILVUS_ERR_INVALID_ARGUMENT;
    o->pool_size = n;
    return MILVUS_OK;
}

int milvus_options_set_max_send_size(milvus_options *o, size_t bytes)
{
    /* The length prefix is 32 bits. */
    if (!o || bytes == 0 || bytes > UINT32_MAX)
        return MILVUS_ERR_INVALID_ARGUMENT;
    o->max_send = bytes;
    return MILVUS_OK;
}

int milvus_options_set_max_recv_size(milvus_options *o, size_t bytes)
{
    if (!o || bytes == 0)
        return MILVUS_ERR_INVALID_ARGUMENT;
    o->max_recv = bytes > UINT32_MAX ? UINT32_MAX : bytes;
    return MILVUS_OK;
}

int milvus_options_set_keepalive_ms(milvus_options *o, int64_t interval_ms, int64_t timeout_ms)
{
    const char *fast = getenv("MILVUS_ALLOW_FAST_KEEPALIVE");
    if (!o || interval_ms < 0 || timeout_ms <= 0 || interval_ms > INT32_MAX ||
        timeout_ms > INT32_MAX)
        return MILVUS_ERR_INVALID_ARGUMENT;
    /* gRFC A8: clients never ping more often than every 10 s. */
    if (interval_ms > 0 && interval_ms < 10000 && !(fast && strcmp(fast, "1") == 0))
        interval_ms = 10000;
    o->keepalive_ms = interval_ms;
    o->keepalive_timeout_ms = timeout_ms;
    return MILVUS_OK;
}

int milvus_options_set_max_pending(milvus_options *o, size_t n)
{
    if (!o || n == 0)
        return MILVUS_ERR_INVALID_ARGUMENT;
    o->max_pending = n;
    return MILVUS_OK;
}

int milvus_options_set_wait_for_ready(milvus_options *o, int wait)
{
    if (!o || (wait != 0 && wait != 1))
        return MILVUS_ERR_INVALID_ARGUMENT;
    o->wait_for_ready = wait;
    return MILVUS_OK;
}

int milvus_options_set_retry(milvus_options *o, int max_attempts, int64_t initial_ms,
                             int64_t max_ms, double multiplier)
{
    if (!o || max_attempts < 1 || max_attempts > 100 || initial_ms < 0 || max_ms < initial_ms ||
        max_ms > INT32_MAX || !(multiplier >= 1.0 && multiplier <= 100.0))
        return MILVUS_ERR_INVALID_ARGUMENT;
    o->retry_max_attempts = max_attempts;
    o->retry_initial_ms = initial_ms;
    o->retry_max_ms = max_ms;
    o->retry_multiplier = multiplier;
    return MILVUS_OK;
}

int milvus_options_set_reconnect_backoff(milvus_options *o, int64_t initial_ms, int64_t max_ms,
                                         double multiplier)
{
    if (!o || initial_ms < 0 || max_ms < initial_ms || max_ms > INT32_MAX ||
        !(multiplier >= 1.0 && multiplier <= 100.0))
        return MILVUS_ERR_INVALID_ARGUMENT;
    o->reconnect_initial_ms = initial_ms;
    o->reconnect_max_ms = max_ms;
    o->reconnect_multiplier = multiplier;
    return MILVUS_OK;
}

int milvus_options_set_log(milvus_options *o, milvus_log_level max_level, milvus_log_cb cb,
                           void *ctx)
{
    if (!o || (int)max_level < MILVUS_LOG_ERROR || max_level > MILVUS_LOG_DEBUG)
        return MILVUS_ERR_INVALID_ARGUMENT;
    o->log_level = max_level;
    o->log_cb = cb;
    o->log_ctx = ctx;
    return MILVUS_OK;
}
