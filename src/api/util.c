/* Small helpers of the API layer: names, strings, lists, packing. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/api.h"

Milvus__Proto__Common__MsgBase mv_msg_base = MILVUS__PROTO__COMMON__MSG_BASE__INIT;

void mv_errf(char *buf, size_t len, const char *fmt, ...)
{
    va_list ap;
    if (!buf || !len)
        return;
    va_start(ap, fmt);
    vsnprintf(buf, len, fmt, ap);
    va_end(ap);
}

int mv_utf8_valid(const char *str, size_t len)
{
    const unsigned char *s = (const unsigned char *)str;
    size_t i = 0;
    while (i < len) {
        unsigned c = s[i];
        size_t n;
        unsigned min;
        if (c < 0x80) {
            i++;
            continue;
        }
        if ((c & 0xe0) == 0xc0) {
            n = 1;
            min = 0x80;
            c &= 0x1f;
        } else if ((c & 0xf0) == 0xe0) {
            n = 2;
            min = 0x800;
            c &= 0x0f;
        } else if ((c & 0xf8) == 0xf0) {
            n = 3;
            min = 0x10000;
            c &= 0x07;
        } else {
            return 0;
        }
        if (i + n >= len)
            return 0;
        for (size_t k = 1; k <= n; k++) {
            if ((s[i + k] & 0xc0) != 0x80)
                return 0;
            c = (c << 6) | (s[i + k] & 0x3f);
        }
        /* overlong forms, surrogates and values beyond U+10FFFF */
        if (c < min || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
            return 0;
        i += n + 1;
    }
    return 1;
}

int mv_check_name(const char *what, const char *name, char *err, size_t len)
{
    size_t n;
    if (!name) {
        mv_errf(err, len, "%s name is NULL", what);
        return MILVUS_ERR_INVALID_ARGUMENT;
    }
    n = strlen(name);
    if (n == 0) {
        mv_errf(err, len, "%s name is empty", what);
        return MILVUS_ERR_INVALID_ARGUMENT;
    }
    if (n > MILVUS_MAX_NAME_LEN) {
        mv_errf(err, len, "%s name is %zu bytes long (at most %d)", what, n, MILVUS_MAX_NAME_LEN);
        return MILVUS_ERR_INVALID_ARGUMENT;
    }
    if (!mv_utf8_valid(name, n)) {
        mv_errf(err, len, "%s name is not valid UTF-8", what);
        return MILVUS_ERR_INVALID_ARGUMENT;
    }
    return MILVUS_OK;
}

char *mv_strdup(const char *s)
{
    size_t n;
    char *d;
    if (!s)
        s = "";
    n = strlen(s);
    d = malloc(n + 1);
    if (d)
        memcpy(d, s, n + 1);
    return d;
}

void mv_pb_free_str(char *s)
{
    if (s && s != protobuf_c_empty_string)
        free(s);
}

int mv_pb_set_str(char **dst, const char *s)
{
    char *d = mv_strdup(s);
    if (!d)
        return MILVUS_ERR_NOMEM;
    mv_pb_free_str(*dst);
    *dst = d;
    return MILVUS_OK;
}

uint8_t *mv_pack(const ProtobufCMessage *m, size_t *len)
{
    size_t n = protobuf_c_message_get_packed_size(m);
    uint8_t *buf = malloc(n ? n : 1);
    if (!buf)
        return NULL;
    *len = protobuf_c_message_pack(m, buf);
    return buf;
}

ProtobufCMessage *mv_msg_dup(const ProtobufCMessage *m)
{
    size_t len;
    uint8_t *buf = mv_pack(m, &len);
    ProtobufCMessage *copy;
    if (!buf)
        return NULL;
    copy = protobuf_c_message_unpack(m->descriptor, NULL, len, buf);
    free(buf);
    return copy;
}

int mv_kv_set(mv_kvlist *l, const char *key, const char *val)
{
    char *k, *v;
    for (size_t i = 0; i < l->n; i++) {
        if (strcmp(l->keys[i], key) == 0) {
            v = mv_strdup(val);
            if (!v)
                return MILVUS_ERR_NOMEM;
            free(l->vals[i]);
            l->vals[i] = v;
            return MILVUS_OK;
        }
    }
    char **nk = realloc(l->keys, (l->n + 1) * sizeof(*nk));
    if (!nk)
        return MILVUS_ERR_NOMEM;
    l->keys = nk;
    char **nv = realloc(l->vals, (l->n + 1) * sizeof(*nv));
    if (!nv)
        return MILVUS_ERR_NOMEM;
    l->vals = nv;
    k = mv_strdup(key);
    v = mv_strdup(val);
    if (!k || !v) {
        free(k);
        free(v);
        return MILVUS_ERR_NOMEM;
    }
    l->keys[l->n] = k;
    l->vals[l->n] = v;
    l->n++;
    return MILVUS_OK;
}

void mv_kv_free(mv_kvlist *l)
{
    for (size_t i = 0; i < l->n; i++) {
        free(l->keys[i]);
        free(l->vals[i]);
    }
    free(l->keys);
    free(l->vals);
    memset(l, 0, sizeof(*l));
}

mv_kvp **mv_kv_to_pb(const mv_kvlist *l, mv_kvp **storage_out)
{
    mv_kvp **arr;
    mv_kvp *st;
    *storage_out = NULL;
    if (!l->n)
        return NULL;
    arr = calloc(l->n, sizeof(*arr));
    st = calloc(l->n, sizeof(*st));
    if (!arr || !st) {
        free(arr);
        free(st);
        return NULL;
    }
    for (size_t i = 0; i < l->n; i++) {
        mv_kvp init = MILVUS__PROTO__COMMON__KEY_VALUE_PAIR__INIT;
        st[i] = init;
        st[i].key = l->keys[i];
        st[i].value = l->vals[i];
        arr[i] = &st[i];
    }
    *storage_out = st;
    return arr;
}

void mv_kv_pb_free(mv_kvp **arr, mv_kvp *storage)
{
    free(arr);
    free(storage);
}

int mv_str_add(mv_strlist *l, const char *s)
{
    char **nv = realloc(l->v, (l->n + 1) * sizeof(*nv));
    char *d;
    if (!nv)
        return MILVUS_ERR_NOMEM;
    l->v = nv;
    d = mv_strdup(s);
    if (!d)
        return MILVUS_ERR_NOMEM;
    l->v[l->n++] = d;
    return MILVUS_OK;
}

void mv_str_free(mv_strlist *l)
{
    for (size_t i = 0; i < l->n; i++)
        free(l->v[i]);
    free(l->v);
    memset(l, 0, sizeof(*l));
}
