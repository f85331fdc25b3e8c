/* SPDX-License-Identifier: Apache-2.0 */
/* Small helpers of the API layer: names, strings, lists, packing. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "api/api.h"
#include "common/reqbuf.h"
#include "wire/grpc_wire.h"

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

/* What a name may be, for the messages. */
#define NAME_RULE "names are 1..255 bytes of UTF-8"

int mv_setter_name(mv_opterr *e, const char *setter, const char *what, const char *name)
{
    char q[MV_QUOTE_LEN];
    size_t n;
    if (!name)
        return mv_refuse(e, setter, NULL, "%s name is NULL (" NAME_RULE ")", what);
    n = strlen(name);
    if (n == 0)
        return mv_refuse(e, setter, NULL, "%s name \"\" is empty (" NAME_RULE ")", what);
    if (n > MILVUS_MAX_NAME_LEN)
        return mv_refuse(e, setter, NULL, "%s name %s is too long (" NAME_RULE ")", what,
                         mv_quote(q, name));
    if (!mv_utf8_valid(name, n))
        return mv_refuse(e, setter, NULL, "%s name %s is not valid UTF-8 (" NAME_RULE ")", what,
                         mv_quote(q, name));
    return MILVUS_OK;
}

int mv_setter_text(mv_opterr *e, const char *setter, const char *key, const char *what,
                   const char *s)
{
    char q[MV_QUOTE_LEN];
    if (!s)
        return mv_refuse(e, setter, key, "%s is NULL (a UTF-8 string is needed)", what);
    if (!mv_utf8_valid(s, strlen(s)))
        return mv_refuse(e, setter, key, "%s %s is not valid UTF-8", what, mv_quote(q, s));
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

int64_t mv_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

mv_reqbuf *mv_pack_rb(const ProtobufCMessage *m, mv_rbpool *pool, size_t max, size_t *too_large)
{
    size_t n = protobuf_c_message_get_packed_size(m);
    mv_reqbuf *rb;
    *too_large = 0;
    if ((max && n > max) || n > UINT32_MAX) {
        *too_large = n; /* a gRPC message carries a 32-bit length */
        return NULL;
    }
    if (!(rb = mv_reqbuf_new_pooled(pool, n)))
        return NULL;
    protobuf_c_message_pack(m, mv_reqbuf_payload(rb));
    return rb;
}

/* ---- zero-copy packing of writes ------------------------------------------
 *
 * A write's request is its head (names, row count, timestamps) plus one
 * FieldData per column, and nearly all of its bytes are the dense vectors.
 * Those are not copied: the request buffer gets a segment pointing at the
 * caller's vector array and keeps its own bytes only for the rest.  The
 * encoding stays valid protobuf without protobuf-c having to write the
 * vectors: a message's fields may come in any order, so each such column is
 * the FieldData packed without its vectors followed by the VectorField
 * (field 4) written here, and the columns follow the packed head. */

/* Below this the vectors are copied: a segment costs more than the copy. */
#define MV_BORROW_MIN 4096

#define MV_WT_LEN 2

static size_t varint_len(uint64_t v)
{
    size_t n = 1;
    while (v >= 0x80) {
        v >>= 7;
        n++;
    }
    return n;
}

static uint8_t *put_varint(uint8_t *p, uint64_t v)
{
    while (v >= 0x80) {
        *p++ = (uint8_t)(v | 0x80);
        v >>= 7;
    }
    *p++ = (uint8_t)v;
    return p;
}

/* tag and length of a length-delimited field */
static uint8_t *put_len_field(uint8_t *p, unsigned field, size_t len)
{
    p = put_varint(p, (uint64_t)field << 3 | MV_WT_LEN);
    return put_varint(p, len);
}

static size_t len_field_size(unsigned field, size_t len)
{
    return varint_len((uint64_t)field << 3 | MV_WT_LEN) + varint_len(len) + len;
}

/* How one column is laid out. */
typedef struct col_plan {
    const uint8_t *vec; /* borrowed vector bytes, NULL: packed whole */
    size_t vec_len;
    unsigned vf_field;                     /* VectorField field of the data (2: FloatArray) */
    size_t vf_len;                         /* VectorField length */
    size_t head_len;                       /* FieldData packed without its vectors */
    size_t fd_len;                         /* the whole FieldData */
    Milvus__Proto__Schema__FieldData bare; /* the FieldData without vectors */
} col_plan;

static void plan_column(col_plan *cp, const mv_fd *fd)
{
    const Milvus__Proto__Schema__VectorField *v =
        fd->field_case == MILVUS__PROTO__SCHEMA__FIELD_DATA__FIELD_VECTORS ? fd->vectors : NULL;
    memset(cp, 0, sizeof(*cp));
    if (v) {
        switch (v->data_case) {
        case MILVUS__PROTO__SCHEMA__VECTOR_FIELD__DATA_FLOAT_VECTOR:
            if (v->float_vector) {
                cp->vec = (const uint8_t *)v->float_vector->data;
                cp->vec_len = v->float_vector->n_data * sizeof(float);
                cp->vf_field = 2;
            }
            break;
        case MILVUS__PROTO__SCHEMA__VECTOR_FIELD__DATA_BINARY_VECTOR:
            cp->vec = v->binary_vector.data, cp->vec_len = v->binary_vector.len, cp->vf_field = 3;
            break;
        case MILVUS__PROTO__SCHEMA__VECTOR_FIELD__DATA_FLOAT16_VECTOR:
            cp->vec = v->float16_vector.data, cp->vec_len = v->float16_vector.len;
            cp->vf_field = 4;
            break;
        case MILVUS__PROTO__SCHEMA__VECTOR_FIELD__DATA_BFLOAT16_VECTOR:
            cp->vec = v->bfloat16_vector.data, cp->vec_len = v->bfloat16_vector.len;
            cp->vf_field = 5;
            break;
        case MILVUS__PROTO__SCHEMA__VECTOR_FIELD__DATA_INT8_VECTOR:
            cp->vec = v->int8_vector.data, cp->vec_len = v->int8_vector.len, cp->vf_field = 7;
            break;
        default: break;
        }
    }
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
    if (cp->vf_field == 2)
        cp->vec = NULL; /* floats go little-endian on the wire: protobuf-c converts */
#endif
    if (!cp->vec || cp->vec_len < MV_BORROW_MIN) {
        cp->vec = NULL;
        cp->fd_len = protobuf_c_message_get_packed_size(&fd->base);
        return;
    }
    cp->bare = *fd;
    cp->bare.field_case = MILVUS__PROTO__SCHEMA__FIELD_DATA__FIELD__NOT_SET;
    cp->bare.vectors = NULL;
    cp->head_len = protobuf_c_message_get_packed_size(&cp->bare.base);
    cp->vf_len = (v->dim ? 1 + varint_len((uint64_t)v->dim) : 0) +
                 (cp->vf_field == 2 ? len_field_size(2, len_field_size(1, cp->vec_len))
                                    : len_field_size(cp->vf_field, cp->vec_len));
    cp->fd_len = cp->head_len + len_field_size(4, cp->vf_len);
}

/* Writes the column's own bytes up to its vectors; returns the end. */
static uint8_t *put_column(uint8_t *p, const col_plan *cp, const mv_fd *fd, unsigned field)
{
    p = put_len_field(p, field, cp->fd_len);
    if (!cp->vec)
        return p + protobuf_c_message_pack(&fd->base, p);
    p += protobuf_c_message_pack(&cp->bare.base, p);
    p = put_len_field(p, 4, cp->vf_len);
    if (fd->vectors->dim) {
        *p++ = 1 << 3; /* dim: varint */
        p = put_varint(p, (uint64_t)fd->vectors->dim);
    }
    if (cp->vf_field == 2)
        p = put_len_field(p, 2, len_field_size(1, cp->vec_len));
    return put_len_field(p, cp->vf_field == 2 ? 1 : cp->vf_field, cp->vec_len);
}

mv_reqbuf *mv_pack_fields_borrowing(const ProtobufCMessage *head, mv_fd **fds, size_t n,
                                    unsigned field, size_t max, size_t *too_large)
{
    col_plan *plan = calloc(n ? n : 1, sizeof(*plan));
    size_t own = MV_FRAME_HDR, total, head_len, borrowed = 0;
    mv_reqbuf *rb = NULL;
    uint8_t *p;
    *too_large = 0;
    if (!plan)
        return NULL;
    head_len = protobuf_c_message_get_packed_size(head);
    own += head_len;
    total = own;
    for (size_t i = 0; i < n; i++) {
        plan_column(&plan[i], fds[i]);
        total += len_field_size(field, plan[i].fd_len);
        own += len_field_size(field, plan[i].fd_len) - (plan[i].vec ? plan[i].vec_len : 0);
        borrowed += plan[i].vec != NULL;
    }
    if ((max && total - MV_FRAME_HDR > max) || total - MV_FRAME_HDR > UINT32_MAX) {
        *too_large = total - MV_FRAME_HDR; /* a gRPC message carries a 32-bit length */
        goto out;
    }
    if (!(rb = mv_reqbuf_new_segmented(own, 2 * borrowed + 1)))
        goto out;
    rb->len = total;
    p = rb->data + MV_FRAME_HDR; /* the prefix is written when the call is made */
    p += protobuf_c_message_pack(head, p);
    rb->segs[0].p = rb->data;
    rb->segs[0].len = 0;
    rb->nsegs = 1;
    for (size_t i = 0; i < n; i++) {
        uint8_t *start = p;
        p = put_column(p, &plan[i], fds[i], field);
        rb->segs[rb->nsegs - 1].len += (size_t)(p - start);
        if (plan[i].vec) {
            rb->segs[rb->nsegs].p = plan[i].vec;
            rb->segs[rb->nsegs].len = plan[i].vec_len;
            rb->segs[rb->nsegs + 1].p = p;
            rb->segs[rb->nsegs + 1].len = 0;
            rb->nsegs += 2;
        }
    }
    rb->segs[0].len += MV_FRAME_HDR + head_len;
    if (rb->nsegs > 1 && rb->segs[rb->nsegs - 1].len == 0)
        rb->nsegs--; /* nothing after the last vectors */
out:
    free(plan);
    return rb;
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

/* ---- properties (alter/drop of collection and database properties) ---------------- */

int mv_props_build(milvus_client *c, mv_props *p, const char *const *keys,
                   const char *const *values, size_t n)
{
    int rc = MILVUS_OK;
    memset(p, 0, sizeof(*p));
    if (!values)
        return MILVUS_OK;
    for (size_t i = 0; i < n && !rc; i++)
        rc = mv_kv_set(&p->l, keys[i], values[i]);
    if (rc || !(p->arr = mv_kv_to_pb(&p->l, &p->st))) {
        mv_kv_free(&p->l);
        return mv_client_seterr(c, MILVUS_ERR_NOMEM, "out of memory");
    }
    return MILVUS_OK;
}

void mv_props_free(mv_props *p)
{
    mv_kv_pb_free(p->arr, p->st);
    mv_kv_free(&p->l);
}
