/* SPDX-License-Identifier: Apache-2.0 */
/* Fields and schemas: thin owners of the protobuf FieldSchema and
 * CollectionSchema messages, so that serialization is a plain pack. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/api.h"

const char *milvus_data_type_name(int type)
{
    switch (type) {
    case MILVUS_TYPE_NONE: return "None";
    case MILVUS_TYPE_BOOL: return "Bool";
    case MILVUS_TYPE_INT8: return "Int8";
    case MILVUS_TYPE_INT16: return "Int16";
    case MILVUS_TYPE_INT32: return "Int32";
    case MILVUS_TYPE_INT64: return "Int64";
    case MILVUS_TYPE_FLOAT: return "Float";
    case MILVUS_TYPE_DOUBLE: return "Double";
    case MILVUS_TYPE_STRING: return "String";
    case MILVUS_TYPE_VARCHAR: return "VarChar";
    case MILVUS_TYPE_ARRAY: return "Array";
    case MILVUS_TYPE_JSON: return "JSON";
    case MILVUS_TYPE_GEOMETRY: return "Geometry";
    case MILVUS_TYPE_TEXT: return "Text";
    case MILVUS_TYPE_TIMESTAMPTZ: return "Timestamptz";
    case MILVUS_TYPE_BINARY_VECTOR: return "BinaryVector";
    case MILVUS_TYPE_FLOAT_VECTOR: return "FloatVector";
    case MILVUS_TYPE_FLOAT16_VECTOR: return "Float16Vector";
    case MILVUS_TYPE_BFLOAT16_VECTOR: return "BFloat16Vector";
    case MILVUS_TYPE_SPARSE_FLOAT_VECTOR: return "SparseFloatVector";
    case MILVUS_TYPE_INT8_VECTOR: return "Int8Vector";
    default: return "Unknown";
    }
}

int mv_type_valid(int type)
{
    return type != MILVUS_TYPE_NONE && strcmp(milvus_data_type_name(type), "Unknown") != 0;
}

int milvus_data_type_is_vector(int type)
{
    return type >= MILVUS_TYPE_BINARY_VECTOR && type <= MILVUS_TYPE_INT8_VECTOR;
}

int mv_type_is_string(int type)
{
    return type == MILVUS_TYPE_VARCHAR || type == MILVUS_TYPE_STRING || type == MILVUS_TYPE_TEXT;
}

static int is_dense(int type)
{
    return milvus_data_type_is_vector(type) && type != MILVUS_TYPE_SPARSE_FLOAT_VECTOR;
}

static int is_scalar_element(int t)
{
    return t == MILVUS_TYPE_BOOL || (t >= MILVUS_TYPE_INT8 && t <= MILVUS_TYPE_INT64) ||
           t == MILVUS_TYPE_FLOAT || t == MILVUS_TYPE_DOUBLE || t == MILVUS_TYPE_VARCHAR ||
           t == MILVUS_TYPE_STRING;
}

/* ---- fields -------------------------------------------------------------- */

milvus_status milvus_field_new(milvus_field **out, const char *name, milvus_data_type type)
{
    milvus_field *f;
    if (!out || mv_check_name("field", name, NULL, 0) != MILVUS_OK || !mv_type_valid(type))
        return MILVUS_ERR_INVALID_ARGUMENT;
    f = calloc(1, sizeof(*f));
    if (!f)
        return MILVUS_ERR_NOMEM;
    f->pb = malloc(sizeof(*f->pb));
    if (!f->pb) {
        free(f);
        return MILVUS_ERR_NOMEM;
    }
    milvus__proto__schema__field_schema__init(f->pb);
    if (mv_pb_set_str(&f->pb->name, name) != MILVUS_OK) {
        milvus_field_free(f);
        return MILVUS_ERR_NOMEM;
    }
    f->pb->data_type = (Milvus__Proto__Schema__DataType)type;
    *out = f;
    return MILVUS_OK;
}

void milvus_field_free(milvus_field *f)
{
    if (!f)
        return;
    if (f->pb)
        protobuf_c_message_free_unpacked(&f->pb->base, NULL);
    mv_opterr_free(&f->err);
    free(f);
}

const char *milvus_field_last_error(const milvus_field *f)
{
    return mv_opterr_msg(f ? &f->err : NULL);
}

/* The field and its type, as messages name them: field "vec" (FloatVector). */
#define FIELD_FMT "field %s (%s)"
#define FIELD_ARGS(f, q) mv_quote(q, (f)->pb->name), milvus_data_type_name((int)(f)->pb->data_type)

static int accepted(mv_opterr *e, const char *setter, const char *key, int rc)
{
    if (rc == MILVUS_OK)
        mv_accept(e, setter, key);
    return rc;
}

milvus_status milvus_field_set_description(milvus_field *f, const char *d)
{
    int rc;
    if (!f)
        return MILVUS_ERR_INVALID_ARGUMENT;
    if ((rc = mv_setter_text(&f->err, __func__, NULL, "description", d)) != MILVUS_OK)
        return rc;
    return accepted(&f->err, __func__, NULL, mv_pb_set_str(&f->pb->description, d));
}

milvus_status milvus_field_set_primary_key(milvus_field *f, int on)
{
    char q[MV_QUOTE_LEN];
    if (!f)
        return MILVUS_ERR_INVALID_ARGUMENT;
    if (on && f->pb->data_type != MILVUS__PROTO__SCHEMA__DATA_TYPE__Int64 &&
        f->pb->data_type != MILVUS__PROTO__SCHEMA__DATA_TYPE__VarChar)
        return mv_refuse(&f->err, __func__, NULL,
                         "on %d is refused for " FIELD_FMT " (primary keys are Int64 or VarChar)",
                         on, FIELD_ARGS(f, q));
    f->pb->is_primary_key = on != 0;
    mv_accept(&f->err, __func__, NULL);
    return MILVUS_OK;
}

milvus_status milvus_field_set_auto_id(milvus_field *f, int on)
{
    if (!f)
        return MILVUS_ERR_INVALID_ARGUMENT;
    f->pb->autoid = on != 0;
    return MILVUS_OK;
}

/* Sets type parameter key (checked by the caller) to value. */
static int put_type_param(milvus_field *f, const char *key, const char *value)
{
    mv_kvp *kv, **arr;
    for (size_t i = 0; i < f->pb->n_type_params; i++) {
        if (strcmp(f->pb->type_params[i]->key, key) == 0)
            return mv_pb_set_str(&f->pb->type_params[i]->value, value);
    }
    arr = realloc(f->pb->type_params, (f->pb->n_type_params + 1) * sizeof(*arr));
    if (!arr)
        return MILVUS_ERR_NOMEM;
    f->pb->type_params = arr;
    kv = malloc(sizeof(*kv));
    if (!kv)
        return MILVUS_ERR_NOMEM;
    milvus__proto__common__key_value_pair__init(kv);
    if (mv_pb_set_str(&kv->key, key) || mv_pb_set_str(&kv->value, value)) {
        protobuf_c_message_free_unpacked(&kv->base, NULL);
        return MILVUS_ERR_NOMEM;
    }
    arr[f->pb->n_type_params++] = kv;
    return MILVUS_OK;
}

milvus_status milvus_field_set_type_param(milvus_field *f, const char *key, const char *value)
{
    char q[MV_QUOTE_LEN];
    if (!f)
        return MILVUS_ERR_INVALID_ARGUMENT;
    if (!key || !*key)
        return mv_refuse(&f->err, __func__, NULL, "key %s is %s (a non-empty key is needed)",
                         mv_quote(q, key), key ? "empty" : "NULL");
    if (!value)
        return mv_refuse(&f->err, __func__, key, "value of %s is NULL (a string is needed)",
                         mv_quote(q, key));
    return accepted(&f->err, __func__, key, put_type_param(f, key, value));
}

static int set_int_param(milvus_field *f, const char *key, int64_t v)
{
    char buf[32];
    snprintf(buf, sizeof(buf), "%lld", (long long)v);
    return put_type_param(f, key, buf);
}

milvus_status milvus_field_set_dim(milvus_field *f, int64_t dim)
{
    char q[MV_QUOTE_LEN];
    if (!f)
        return MILVUS_ERR_INVALID_ARGUMENT;
    if (!is_dense((int)f->pb->data_type))
        return mv_refuse(&f->err, __func__, NULL,
                         "dim %lld is refused for " FIELD_FMT " (dense vector fields only)",
                         (long long)dim, FIELD_ARGS(f, q));
    if (f->pb->data_type == MILVUS__PROTO__SCHEMA__DATA_TYPE__BinaryVector) {
        if (dim < 8 || dim > 32768 * 8 || dim % 8 != 0)
            return mv_refuse(&f->err, __func__, NULL,
                             "dim %lld is out of range for " FIELD_FMT
                             " (8..262144, a multiple of 8)",
                             (long long)dim, FIELD_ARGS(f, q));
    } else if (dim < 1 || dim > 32768) {
        return mv_refuse(&f->err, __func__, NULL,
                         "dim %lld is out of range for " FIELD_FMT " (1..32768)", (long long)dim,
                         FIELD_ARGS(f, q));
    }
    return accepted(&f->err, __func__, NULL, set_int_param(f, "dim", dim));
}

milvus_status milvus_field_set_max_length(milvus_field *f, int64_t n)
{
    char q[MV_QUOTE_LEN];
    if (!f)
        return MILVUS_ERR_INVALID_ARGUMENT;
    if (!mv_type_is_string((int)f->pb->data_type) &&
        f->pb->data_type != MILVUS__PROTO__SCHEMA__DATA_TYPE__Array)
        return mv_refuse(&f->err, __func__, NULL,
                         "max_length %lld is refused for " FIELD_FMT
                         " (VarChar, String, Text and Array fields only)",
                         (long long)n, FIELD_ARGS(f, q));
    if (n < 1 || n > 65535 * 16)
        return mv_refuse(&f->err, __func__, NULL, "max_length %lld is out of range (1..1048560)",
                         (long long)n);
    return accepted(&f->err, __func__, NULL, set_int_param(f, "max_length", n));
}

milvus_status milvus_field_set_element_type(milvus_field *f, milvus_data_type t)
{
    char q[MV_QUOTE_LEN];
    if (!f)
        return MILVUS_ERR_INVALID_ARGUMENT;
    if (f->pb->data_type != MILVUS__PROTO__SCHEMA__DATA_TYPE__Array)
        return mv_refuse(&f->err, __func__, NULL,
                         "element type %d (%s) is refused for " FIELD_FMT " (Array fields only)",
                         (int)t, milvus_data_type_name((int)t), FIELD_ARGS(f, q));
    if (!is_scalar_element(t))
        return mv_refuse(&f->err, __func__, NULL,
                         "element type %d (%s) is not accepted (Bool, Int8, Int16, Int32, "
                         "Int64, Float, Double, VarChar or String)",
                         (int)t, milvus_data_type_name((int)t));
    f->pb->element_type = (Milvus__Proto__Schema__DataType)t;
    mv_accept(&f->err, __func__, NULL);
    return MILVUS_OK;
}

milvus_status milvus_field_set_max_capacity(milvus_field *f, int64_t n)
{
    char q[MV_QUOTE_LEN];
    if (!f)
        return MILVUS_ERR_INVALID_ARGUMENT;
    if (f->pb->data_type != MILVUS__PROTO__SCHEMA__DATA_TYPE__Array)
        return mv_refuse(&f->err, __func__, NULL,
                         "max_capacity %lld is refused for " FIELD_FMT " (Array fields only)",
                         (long long)n, FIELD_ARGS(f, q));
    if (n < 1 || n > 4096)
        return mv_refuse(&f->err, __func__, NULL, "max_capacity %lld is out of range (1..4096)",
                         (long long)n);
    return accepted(&f->err, __func__, NULL, set_int_param(f, "max_capacity", n));
}

milvus_status milvus_field_set_nullable(milvus_field *f, int on)
{
    char q[MV_QUOTE_LEN];
    if (!f)
        return MILVUS_ERR_INVALID_ARGUMENT;
    if (on && milvus_data_type_is_vector((int)f->pb->data_type))
        return mv_refuse(&f->err, __func__, NULL,
                         "on %d is refused for " FIELD_FMT " (vector fields are not nullable)", on,
                         FIELD_ARGS(f, q));
    f->pb->nullable = on != 0;
    mv_accept(&f->err, __func__, NULL);
    return MILVUS_OK;
}

milvus_status milvus_field_set_partition_key(milvus_field *f, int on)
{
    if (!f)
        return MILVUS_ERR_INVALID_ARGUMENT;
    f->pb->is_partition_key = on != 0;
    return MILVUS_OK;
}

milvus_status milvus_field_set_clustering_key(milvus_field *f, int on)
{
    if (!f)
        return MILVUS_ERR_INVALID_ARGUMENT;
    f->pb->is_clustering_key = on != 0;
    return MILVUS_OK;
}

static Milvus__Proto__Schema__ValueField *new_default(milvus_field *f)
{
    Milvus__Proto__Schema__ValueField *v = malloc(sizeof(*v));
    if (!v)
        return NULL;
    milvus__proto__schema__value_field__init(v);
    if (f->pb->default_value)
        protobuf_c_message_free_unpacked(&f->pb->default_value->base, NULL);
    f->pb->default_value = v;
    return v;
}

/* A default of the wrong type family for f. */
static int refuse_default(milvus_field *f, const char *setter, const char *value, const char *types)
{
    char q[MV_QUOTE_LEN];
    return mv_refuse(&f->err, setter, NULL, "default %s is refused for " FIELD_FMT " (%s only)",
                     value, FIELD_ARGS(f, q), types);
}

milvus_status milvus_field_set_default_bool(milvus_field *f, int value)
{
    Milvus__Proto__Schema__ValueField *v;
    if (!f)
        return MILVUS_ERR_INVALID_ARGUMENT;
    if (f->pb->data_type != MILVUS__PROTO__SCHEMA__DATA_TYPE__Bool)
        return refuse_default(f, __func__, value ? "true" : "false", "Bool fields");
    if (!(v = new_default(f)))
        return MILVUS_ERR_NOMEM;
    v->data_case = MILVUS__PROTO__SCHEMA__VALUE_FIELD__DATA_BOOL_DATA;
    v->bool_data = value != 0;
    mv_accept(&f->err, __func__, NULL);
    return MILVUS_OK;
}

milvus_status milvus_field_set_default_int(milvus_field *f, int64_t value)
{
    Milvus__Proto__Schema__ValueField *v;
    char num[32];
    int64_t lo = INT64_MIN, hi = INT64_MAX;
    int t;
    if (!f)
        return MILVUS_ERR_INVALID_ARGUMENT;
    t = (int)f->pb->data_type;
    snprintf(num, sizeof(num), "%lld", (long long)value);
    if (!((t >= MILVUS_TYPE_INT8 && t <= MILVUS_TYPE_INT64) || t == MILVUS_TYPE_TIMESTAMPTZ))
        return refuse_default(f, __func__, num, "Int8, Int16, Int32, Int64 and Timestamptz fields");
    if (t == MILVUS_TYPE_INT8)
        lo = INT8_MIN, hi = INT8_MAX;
    else if (t == MILVUS_TYPE_INT16)
        lo = INT16_MIN, hi = INT16_MAX;
    else if (t == MILVUS_TYPE_INT32)
        lo = INT32_MIN, hi = INT32_MAX;
    if (value < lo || value > hi) {
        char q[MV_QUOTE_LEN];
        return mv_refuse(&f->err, __func__, NULL,
                         "default %s is out of range for " FIELD_FMT " (%lld..%lld)", num,
                         FIELD_ARGS(f, q), (long long)lo, (long long)hi);
    }
    if (!(v = new_default(f)))
        return MILVUS_ERR_NOMEM;
    if (t == MILVUS_TYPE_INT64) {
        v->data_case = MILVUS__PROTO__SCHEMA__VALUE_FIELD__DATA_LONG_DATA;
        v->long_data = value;
    } else if (t == MILVUS_TYPE_TIMESTAMPTZ) {
        v->data_case = MILVUS__PROTO__SCHEMA__VALUE_FIELD__DATA_TIMESTAMPTZ_DATA;
        v->timestamptz_data = value;
    } else {
        v->data_case = MILVUS__PROTO__SCHEMA__VALUE_FIELD__DATA_INT_DATA;
        v->int_data = (int32_t)value;
    }
    mv_accept(&f->err, __func__, NULL);
    return MILVUS_OK;
}

milvus_status milvus_field_set_default_float(milvus_field *f, float value)
{
    Milvus__Proto__Schema__ValueField *v;
    char num[40];
    if (!f)
        return MILVUS_ERR_INVALID_ARGUMENT;
    if (f->pb->data_type != MILVUS__PROTO__SCHEMA__DATA_TYPE__Float) {
        snprintf(num, sizeof(num), "%g", (double)value);
        return refuse_default(f, __func__, num, "Float fields");
    }
    if (!(v = new_default(f)))
        return MILVUS_ERR_NOMEM;
    v->data_case = MILVUS__PROTO__SCHEMA__VALUE_FIELD__DATA_FLOAT_DATA;
    v->float_data = value;
    mv_accept(&f->err, __func__, NULL);
    return MILVUS_OK;
}

milvus_status milvus_field_set_default_double(milvus_field *f, double value)
{
    Milvus__Proto__Schema__ValueField *v;
    char num[40];
    if (!f)
        return MILVUS_ERR_INVALID_ARGUMENT;
    if (f->pb->data_type != MILVUS__PROTO__SCHEMA__DATA_TYPE__Double) {
        snprintf(num, sizeof(num), "%g", value);
        return refuse_default(f, __func__, num, "Double fields");
    }
    if (!(v = new_default(f)))
        return MILVUS_ERR_NOMEM;
    v->data_case = MILVUS__PROTO__SCHEMA__VALUE_FIELD__DATA_DOUBLE_DATA;
    v->double_data = value;
    mv_accept(&f->err, __func__, NULL);
    return MILVUS_OK;
}

milvus_status milvus_field_set_default_string(milvus_field *f, const char *value)
{
    Milvus__Proto__Schema__ValueField *v;
    char *d, q[MV_QUOTE_LEN];
    int t, rc;
    if (!f)
        return MILVUS_ERR_INVALID_ARGUMENT;
    t = (int)f->pb->data_type;
    if (!(mv_type_is_string(t) || t == MILVUS_TYPE_JSON || t == MILVUS_TYPE_GEOMETRY))
        return refuse_default(f, __func__, mv_quote(q, value),
                              "VarChar, String, Text, JSON and Geometry fields");
    if ((rc = mv_setter_text(&f->err, __func__, NULL, "default", value)) != MILVUS_OK)
        return rc;
    if (!(d = mv_strdup(value)))
        return MILVUS_ERR_NOMEM;
    if (!(v = new_default(f))) {
        free(d);
        return MILVUS_ERR_NOMEM;
    }
    if (t == MILVUS_TYPE_JSON) {
        v->data_case = MILVUS__PROTO__SCHEMA__VALUE_FIELD__DATA_BYTES_DATA;
        v->bytes_data.data = (uint8_t *)d;
        v->bytes_data.len = strlen(d);
    } else {
        v->data_case = MILVUS__PROTO__SCHEMA__VALUE_FIELD__DATA_STRING_DATA;
        v->string_data = d;
    }
    mv_accept(&f->err, __func__, NULL);
    return MILVUS_OK;
}

const char *milvus_field_name(const milvus_field *f)
{
    return f ? f->pb->name : NULL;
}
milvus_data_type milvus_field_type(const milvus_field *f)
{
    return f ? (milvus_data_type)f->pb->data_type : MILVUS_TYPE_NONE;
}
milvus_data_type milvus_field_element_type(const milvus_field *f)
{
    return f ? (milvus_data_type)f->pb->element_type : MILVUS_TYPE_NONE;
}
const char *milvus_field_description(const milvus_field *f)
{
    return f ? f->pb->description : NULL;
}
int64_t milvus_field_id(const milvus_field *f)
{
    return f ? f->pb->fieldid : 0;
}
int milvus_field_is_primary_key(const milvus_field *f)
{
    return f && f->pb->is_primary_key;
}
int milvus_field_is_auto_id(const milvus_field *f)
{
    return f && f->pb->autoid;
}
int milvus_field_is_nullable(const milvus_field *f)
{
    return f && f->pb->nullable;
}
int milvus_field_is_partition_key(const milvus_field *f)
{
    return f && f->pb->is_partition_key;
}
int milvus_field_is_clustering_key(const milvus_field *f)
{
    return f && f->pb->is_clustering_key;
}
int milvus_field_is_dynamic(const milvus_field *f)
{
    return f && f->pb->is_dynamic;
}
int milvus_field_has_default(const milvus_field *f)
{
    return f && f->pb->default_value;
}

static const char *pb_param(const mv_fs *f, const char *key)
{
    for (size_t i = 0; i < f->n_type_params; i++)
        if (strcmp(f->type_params[i]->key, key) == 0)
            return f->type_params[i]->value;
    return NULL;
}

const char *milvus_field_type_param(const milvus_field *f, const char *key)
{
    return f && key ? pb_param(f->pb, key) : NULL;
}

static int64_t int_param(const milvus_field *f, const char *key)
{
    const char *v = milvus_field_type_param(f, key);
    return v ? strtoll(v, NULL, 10) : 0;
}

int64_t milvus_field_dim(const milvus_field *f)
{
    return int_param(f, "dim");
}
int64_t milvus_field_max_length(const milvus_field *f)
{
    return int_param(f, "max_length");
}
int64_t milvus_field_max_capacity(const milvus_field *f)
{
    return int_param(f, "max_capacity");
}

/* ---- schemas ------------------------------------------------------------- */

/* The views are const to the caller; a setter called on one through a
 * cast may still have left a refusal there. */
static void free_views(milvus_schema *s)
{
    for (size_t i = 0; i < s->nviews; i++)
        mv_opterr_free(&s->views[i].err);
    free(s->views);
}

static int rebuild_views(milvus_schema *s)
{
    milvus_field *v = NULL;
    if (s->pb->n_fields) {
        v = calloc(s->pb->n_fields, sizeof(*v));
        if (!v)
            return MILVUS_ERR_NOMEM;
        for (size_t i = 0; i < s->pb->n_fields; i++)
            v[i].pb = s->pb->fields[i];
    }
    free_views(s);
    s->views = v;
    s->nviews = s->pb->n_fields;
    return MILVUS_OK;
}

milvus_schema *mv_schema_wrap(mv_cs *pb, int borrowed)
{
    milvus_schema *s = calloc(1, sizeof(*s));
    if (!s)
        return NULL;
    s->pb = pb;
    s->borrowed = borrowed;
    if (rebuild_views(s) != MILVUS_OK) {
        free(s);
        return NULL;
    }
    return s;
}

milvus_status milvus_schema_new(milvus_schema **out, const char *name)
{
    mv_cs *pb;
    if (!out || (name && mv_check_name("schema", name, NULL, 0) != MILVUS_OK))
        return MILVUS_ERR_INVALID_ARGUMENT;
    pb = malloc(sizeof(*pb));
    if (!pb)
        return MILVUS_ERR_NOMEM;
    milvus__proto__schema__collection_schema__init(pb);
    if (name && mv_pb_set_str(&pb->name, name) != MILVUS_OK) {
        free(pb);
        return MILVUS_ERR_NOMEM;
    }
    *out = mv_schema_wrap(pb, 0);
    if (!*out) {
        protobuf_c_message_free_unpacked(&pb->base, NULL);
        return MILVUS_ERR_NOMEM;
    }
    return MILVUS_OK;
}

void milvus_schema_free(milvus_schema *s)
{
    if (!s)
        return;
    if (!s->borrowed && s->pb)
        protobuf_c_message_free_unpacked(&s->pb->base, NULL);
    free_views(s);
    mv_opterr_free(&s->err);
    free(s);
}

const char *milvus_schema_last_error(const milvus_schema *s)
{
    return mv_opterr_msg(s ? &s->err : NULL);
}

/* A schema that belongs to a result is read-only. */
static int refuse_borrowed(milvus_schema *s, const char *setter)
{
    char q[MV_QUOTE_LEN];
    return mv_refuse(&s->err, setter, NULL,
                     "schema %s belongs to a result and is read-only (build one with "
                     "milvus_schema_new())",
                     mv_quote(q, s->pb->name));
}

milvus_status milvus_schema_set_description(milvus_schema *s, const char *d)
{
    int rc;
    if (!s)
        return MILVUS_ERR_INVALID_ARGUMENT;
    if (s->borrowed)
        return refuse_borrowed(s, __func__);
    if ((rc = mv_setter_text(&s->err, __func__, NULL, "description", d)) != MILVUS_OK)
        return rc;
    if ((rc = mv_pb_set_str(&s->pb->description, d)) == MILVUS_OK)
        mv_accept(&s->err, __func__, NULL);
    return rc;
}

milvus_status milvus_schema_set_dynamic_field(milvus_schema *s, int on)
{
    if (!s)
        return MILVUS_ERR_INVALID_ARGUMENT;
    if (s->borrowed)
        return refuse_borrowed(s, __func__);
    s->pb->enable_dynamic_field = on != 0;
    mv_accept(&s->err, __func__, NULL);
    return MILVUS_OK;
}

milvus_status milvus_schema_add_field(milvus_schema *s, const milvus_field *f)
{
    const milvus_field *pk;
    mv_fs *copy, **arr;
    char q[MV_QUOTE_LEN], q2[MV_QUOTE_LEN];
    if (!s)
        return MILVUS_ERR_INVALID_ARGUMENT;
    if (s->borrowed)
        return refuse_borrowed(s, __func__);
    /* A field refused here is missing from the schema: the schema keeps
     * the refusal, so that it is not created without it. */
    if (!f)
        return mv_refuse(&s->err, __func__, NULL, "field is NULL");
    if (*mv_opterr_msg(&f->err))
        return mv_refuse(&s->err, __func__, NULL, "field %s is invalid: %s",
                         mv_quote(q, f->pb->name), mv_opterr_msg(&f->err));
    if (milvus_schema_field(s, f->pb->name))
        return mv_refuse(&s->err, __func__, NULL,
                         "field %s is already in the schema (names are unique)",
                         mv_quote(q, f->pb->name));
    if (f->pb->is_primary_key && (pk = milvus_schema_primary_field(s)))
        return mv_refuse(&s->err, __func__, NULL,
                         "field %s is a second primary key (the schema has %s; one only)",
                         mv_quote(q, f->pb->name), mv_quote(q2, pk->pb->name));
    if (is_dense((int)f->pb->data_type) && !pb_param(f->pb, "dim"))
        return mv_refuse(&s->err, __func__, NULL,
                         "vector field %s has no dimension (milvus_field_set_dim())",
                         mv_quote(q, f->pb->name));
    copy = (mv_fs *)mv_msg_dup(&f->pb->base);
    if (!copy)
        return MILVUS_ERR_NOMEM;
    arr = realloc(s->pb->fields, (s->pb->n_fields + 1) * sizeof(*arr));
    if (!arr) {
        protobuf_c_message_free_unpacked(&copy->base, NULL);
        return MILVUS_ERR_NOMEM;
    }
    s->pb->fields = arr;
    arr[s->pb->n_fields++] = copy;
    if (rebuild_views(s) != MILVUS_OK) {
        /* keep the field; views are rebuilt on the next successful call */
        s->pb->n_fields--;
        protobuf_c_message_free_unpacked(&copy->base, NULL);
        return MILVUS_ERR_NOMEM;
    }
    mv_accept(&s->err, __func__, NULL);
    return MILVUS_OK;
}

milvus_status milvus_schema_validate(const milvus_schema *s, char *err, size_t len)
{
    size_t npk = 0, nvec = 0;
    if (!s) {
        mv_errf(err, len, "schema is NULL");
        return MILVUS_ERR_INVALID_ARGUMENT;
    }
    if (*mv_opterr_msg(&s->err)) {
        mv_errf(err, len, "invalid schema: %s", mv_opterr_msg(&s->err));
        return MILVUS_ERR_INVALID_ARGUMENT;
    }
    for (size_t i = 0; i < s->pb->n_fields; i++) {
        const mv_fs *f = s->pb->fields[i];
        int t = (int)f->data_type;
        if (f->is_primary_key)
            npk++;
        if (milvus_data_type_is_vector(t))
            nvec++;
        if (is_dense(t) && !pb_param(f, "dim")) {
            mv_errf(err, len, "vector field '%s' has no dimension", f->name);
            return MILVUS_ERR_INVALID_ARGUMENT;
        }
        if ((t == MILVUS_TYPE_VARCHAR ||
             (t == MILVUS_TYPE_ARRAY && mv_type_is_string((int)f->element_type))) &&
            !pb_param(f, "max_length")) {
            mv_errf(err, len, "field '%s' has no max_length", f->name);
            return MILVUS_ERR_INVALID_ARGUMENT;
        }
        if (t == MILVUS_TYPE_ARRAY &&
            (!is_scalar_element((int)f->element_type) || !pb_param(f, "max_capacity"))) {
            mv_errf(err, len, "array field '%s' needs a scalar element type and max_capacity",
                    f->name);
            return MILVUS_ERR_INVALID_ARGUMENT;
        }
    }
    if (npk != 1) {
        mv_errf(err, len, "schema must have exactly one primary key field (has %zu)", npk);
        return MILVUS_ERR_INVALID_ARGUMENT;
    }
    if (nvec == 0) {
        mv_errf(err, len, "schema has no vector field");
        return MILVUS_ERR_INVALID_ARGUMENT;
    }
    return MILVUS_OK;
}

const char *milvus_schema_name(const milvus_schema *s)
{
    return s ? s->pb->name : NULL;
}
const char *milvus_schema_description(const milvus_schema *s)
{
    return s ? s->pb->description : NULL;
}
int milvus_schema_dynamic_field(const milvus_schema *s)
{
    return s && s->pb->enable_dynamic_field;
}
size_t milvus_schema_field_count(const milvus_schema *s)
{
    return s ? s->nviews : 0;
}

const milvus_field *milvus_schema_field_at(const milvus_schema *s, size_t i)
{
    return s && i < s->nviews ? &s->views[i] : NULL;
}

const milvus_field *milvus_schema_field(const milvus_schema *s, const char *name)
{
    if (!s || !name)
        return NULL;
    for (size_t i = 0; i < s->nviews; i++)
        if (strcmp(s->views[i].pb->name, name) == 0)
            return &s->views[i];
    return NULL;
}

const milvus_field *milvus_schema_primary_field(const milvus_schema *s)
{
    if (!s)
        return NULL;
    for (size_t i = 0; i < s->nviews; i++)
        if (s->views[i].pb->is_primary_key)
            return &s->views[i];
    return NULL;
}
