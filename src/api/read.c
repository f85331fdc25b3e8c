/* SPDX-License-Identifier: Apache-2.0 */
/* Reads: search, hybrid search, query, get, count (and the option
 * objects they take). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/api.h"

typedef Milvus__Proto__Milvus__SearchRequest__ExprTemplateValuesEntry tv_entry;
typedef Milvus__Proto__Schema__TemplateValue tv_val;

/* Template values kept by search/query options. */
typedef struct mv_templates {
    tv_entry **e;
    size_t n;
} mv_templates;

/* A new entry for name (checked by the caller); NULL when out of memory. */
static tv_val *tv_add(mv_templates *t, const char *name)
{
    tv_entry *e, **arr;
    tv_val *v;
    arr = realloc(t->e, (t->n + 1) * sizeof(*arr));
    if (!arr)
        return NULL;
    t->e = arr;
    e = malloc(sizeof(*e));
    v = malloc(sizeof(*v));
    if (!e || !v) {
        free(e);
        free(v);
        return NULL;
    }
    milvus__proto__milvus__search_request__expr_template_values_entry__init(e);
    milvus__proto__schema__template_value__init(v);
    e->key = mv_strdup(name);
    if (!e->key) {
        free(e);
        free(v);
        return NULL;
    }
    e->value = v;
    t->e[t->n++] = e;
    return v;
}

static void tv_free(mv_templates *t)
{
    for (size_t i = 0; i < t->n; i++)
        protobuf_c_message_free_unpacked(&t->e[i]->base, NULL);
    free(t->e);
    t->n = 0;
}

/* The same entries as another request's map type (identical layout):
 * shallow copies with the other descriptor. */
static tv_entry **tv_as(const mv_templates *t, const ProtobufCMessageDescriptor *d,
                        tv_entry **store)
{
    tv_entry **arr;
    *store = NULL;
    if (!t->n)
        return NULL;
    arr = calloc(t->n, sizeof(*arr));
    *store = calloc(t->n, sizeof(**store));
    if (!arr || !*store) {
        free(arr);
        free(*store);
        *store = NULL;
        return NULL;
    }
    for (size_t i = 0; i < t->n; i++) {
        (*store)[i] = *t->e[i];
        (*store)[i].base.descriptor = d;
        arr[i] = &(*store)[i];
    }
    return arr;
}

/* ---- search -------------------------------------------------------------------- */

struct milvus_search_options {
    milvus_column *vectors;
    char *anns_field;
    int64_t limit, offset;
    char *filter;
    mv_templates tv;
    mv_strlist out, parts;
    int consistency; /* -1: collection default */
    char *metric;
    char *group_by;
    int64_t group_size;
    int strict;
    int has_range;
    double radius, range_filter;
    mv_kvlist params;
    char *ranker; /* "rrf" or "weighted" */
    char *ranker_params;
    mv_opterr err; /* refused setter values */
};

milvus_search_options *milvus_search_options_new(void)
{
    milvus_search_options *o = calloc(1, sizeof(*o));
    if (o) {
        o->limit = 10;
        o->consistency = -1;
    }
    return o;
}

void milvus_search_options_free(milvus_search_options *o)
{
    if (!o)
        return;
    milvus_column_free(o->vectors);
    free(o->anns_field);
    free(o->filter);
    tv_free(&o->tv);
    mv_str_free(&o->out);
    mv_str_free(&o->parts);
    free(o->metric);
    free(o->group_by);
    mv_kv_free(&o->params);
    free(o->ranker);
    free(o->ranker_params);
    mv_opterr_free(&o->err);
    free(o);
}

const char *milvus_search_options_last_error(const milvus_search_options *o)
{
    return mv_opterr_msg(o ? &o->err : NULL);
}

/* Replaces *dst with a copy of s (checked by the caller). */
static int set_str(char **dst, const char *s)
{
    char *d;
    if (!(d = mv_strdup(s)))
        return MILVUS_ERR_NOMEM;
    free(*dst);
    *dst = d;
    return MILVUS_OK;
}

/* The end of a setter that may have failed only for lack of memory. */
static int accepted(mv_opterr *e, const char *setter, const char *key, int rc)
{
    if (rc == MILVUS_OK)
        mv_accept(e, setter, key);
    return rc;
}

#define CONSISTENCY_RANGE "0 STRONG, 1 SESSION, 2 BOUNDED, 3 EVENTUALLY"
#define VECTOR_TYPES                                                                               \
    "FloatVector, BinaryVector, Float16Vector, BFloat16Vector, SparseFloatVector, Int8Vector"

milvus_status milvus_search_options_set_vectors(milvus_search_options *o, const milvus_column *v)
{
    milvus_column *copy;
    mv_fd *fd;
    char q[MV_QUOTE_LEN];
    if (!o)
        return MILVUS_ERR_INVALID_ARGUMENT;
    if (!v)
        return mv_refuse(&o->err, __func__, NULL,
                         "vectors is NULL (a vector column, one row per query)");
    if (!milvus_data_type_is_vector((int)v->fd->type))
        return mv_refuse(&o->err, __func__, NULL,
                         "column %s is %s, not a vector type (" VECTOR_TYPES ")",
                         mv_quote(q, v->fd->field_name), milvus_data_type_name((int)v->fd->type));
    if (v->rows == 0)
        return mv_refuse(&o->err, __func__, NULL,
                         "column %s has no rows (one row per query, at least 1)",
                         mv_quote(q, v->fd->field_name));
    if (v->off != 0 || v->rows != mv_fd_rows(v->fd))
        return mv_refuse(&o->err, __func__, NULL,
                         "column %s is a view of rows %zu..%zu of another column (a whole "
                         "column is needed)",
                         mv_quote(q, v->fd->field_name), v->off, v->off + v->rows - 1);
    if (!(fd = (mv_fd *)mv_msg_dup(&v->fd->base)))
        return MILVUS_ERR_NOMEM;
    if (!(copy = mv_column_view(fd, 0, v->rows))) {
        protobuf_c_message_free_unpacked(&fd->base, NULL);
        return MILVUS_ERR_NOMEM;
    }
    copy->owned = 1;
    milvus_column_free(o->vectors);
    o->vectors = copy;
    mv_accept(&o->err, __func__, NULL);
    return MILVUS_OK;
}

milvus_status milvus_search_options_set_anns_field(milvus_search_options *o, const char *f)
{
    int rc;
    if (!o)
        return MILVUS_ERR_INVALID_ARGUMENT;
    if ((rc = mv_setter_name(&o->err, __func__, "field", f)) != MILVUS_OK)
        return rc;
    return accepted(&o->err, __func__, NULL, set_str(&o->anns_field, f));
}

milvus_status milvus_search_options_set_limit(milvus_search_options *o, int64_t limit)
{
    if (!o)
        return MILVUS_ERR_INVALID_ARGUMENT;
    if (limit < 1 || limit > 16384)
        return mv_refuse(&o->err, __func__, NULL, "limit %lld is out of range (1..16384)",
                         (long long)limit);
    o->limit = limit;
    mv_accept(&o->err, __func__, NULL);
    return MILVUS_OK;
}

milvus_status milvus_search_options_set_offset(milvus_search_options *o, int64_t offset)
{
    if (!o)
        return MILVUS_ERR_INVALID_ARGUMENT;
    if (offset < 0 || offset > 16384)
        return mv_refuse(&o->err, __func__, NULL, "offset %lld is out of range (0..16384)",
                         (long long)offset);
    o->offset = offset;
    mv_accept(&o->err, __func__, NULL);
    return MILVUS_OK;
}

/* The filter setters of search and query options. */
static int set_filter(mv_opterr *e, const char *setter, char **dst, const char *expr)
{
    int rc = mv_setter_text(e, setter, NULL, "filter", expr);
    return rc ? rc : accepted(e, setter, NULL, set_str(dst, expr));
}

milvus_status milvus_search_options_set_filter(milvus_search_options *o, const char *expr)
{
    return o ? set_filter(&o->err, __func__, &o->filter, expr) : MILVUS_ERR_INVALID_ARGUMENT;
}

/* A template value for name: the new value, or NULL with *rc set (the
 * name refused, or out of memory). */
static tv_val *tv_set(mv_templates *t, mv_opterr *e, const char *setter, const char *name,
                      int *rc)
{
    tv_val *v;
    if ((*rc = mv_setter_name(e, setter, "template", name)) != MILVUS_OK)
        return NULL;
    if (!(v = tv_add(t, name)))
        *rc = MILVUS_ERR_NOMEM;
    return v;
}

milvus_status milvus_search_options_set_template_int(milvus_search_options *o, const char *name,
                                                     int64_t v)
{
    int rc;
    tv_val *t = o ? tv_set(&o->tv, &o->err, __func__, name, &rc) : NULL;
    if (!t)
        return o ? rc : MILVUS_ERR_INVALID_ARGUMENT;
    t->val_case = MILVUS__PROTO__SCHEMA__TEMPLATE_VALUE__VAL_INT64_VAL;
    t->int64_val = v;
    mv_accept(&o->err, __func__, name);
    return MILVUS_OK;
}

milvus_status milvus_search_options_set_template_double(milvus_search_options *o, const char *name,
                                                        double v)
{
    int rc;
    tv_val *t = o ? tv_set(&o->tv, &o->err, __func__, name, &rc) : NULL;
    if (!t)
        return o ? rc : MILVUS_ERR_INVALID_ARGUMENT;
    t->val_case = MILVUS__PROTO__SCHEMA__TEMPLATE_VALUE__VAL_FLOAT_VAL;
    t->float_val = v;
    mv_accept(&o->err, __func__, name);
    return MILVUS_OK;
}

milvus_status milvus_search_options_set_template_bool(milvus_search_options *o, const char *name,
                                                      int v)
{
    int rc;
    tv_val *t = o ? tv_set(&o->tv, &o->err, __func__, name, &rc) : NULL;
    if (!t)
        return o ? rc : MILVUS_ERR_INVALID_ARGUMENT;
    t->val_case = MILVUS__PROTO__SCHEMA__TEMPLATE_VALUE__VAL_BOOL_VAL;
    t->bool_val = v != 0;
    mv_accept(&o->err, __func__, name);
    return MILVUS_OK;
}

static int tv_string(mv_templates *tv, mv_opterr *e, const char *setter, const char *name,
                     const char *v)
{
    tv_val *t;
    char *d;
    int rc;
    if ((rc = mv_setter_name(e, setter, "template", name)) != MILVUS_OK)
        return rc;
    if ((rc = mv_setter_text(e, setter, name, "value", v)) != MILVUS_OK)
        return rc;
    if (!(d = mv_strdup(v)))
        return MILVUS_ERR_NOMEM;
    if (!(t = tv_add(tv, name))) {
        free(d);
        return MILVUS_ERR_NOMEM;
    }
    t->val_case = MILVUS__PROTO__SCHEMA__TEMPLATE_VALUE__VAL_STRING_VAL;
    t->string_val = d;
    mv_accept(e, setter, name);
    return MILVUS_OK;
}

milvus_status milvus_search_options_set_template_string(milvus_search_options *o, const char *name,
                                                        const char *v)
{
    return o ? tv_string(&o->tv, &o->err, __func__, name, v) : MILVUS_ERR_INVALID_ARGUMENT;
}

/* The adders of output fields and partitions. */
static int add_name(mv_opterr *e, const char *setter, const char *what, mv_strlist *l,
                    const char *name)
{
    int rc = mv_setter_name(e, setter, what, name);
    return rc ? rc : accepted(e, setter, NULL, mv_str_add(l, name));
}

milvus_status milvus_search_options_add_output_field(milvus_search_options *o, const char *f)
{
    return o ? add_name(&o->err, __func__, "field", &o->out, f) : MILVUS_ERR_INVALID_ARGUMENT;
}

milvus_status milvus_search_options_add_partition(milvus_search_options *o, const char *p)
{
    return o ? add_name(&o->err, __func__, "partition", &o->parts, p)
             : MILVUS_ERR_INVALID_ARGUMENT;
}

static int set_consistency(mv_opterr *e, const char *setter, int *dst, milvus_consistency l)
{
    if (l < MILVUS_CONSISTENCY_STRONG || l > MILVUS_CONSISTENCY_EVENTUALLY)
        return mv_refuse(e, setter, NULL, "consistency level %d is out of range (" CONSISTENCY_RANGE
                         ")", (int)l);
    *dst = (int)l;
    mv_accept(e, setter, NULL);
    return MILVUS_OK;
}

milvus_status milvus_search_options_set_consistency(milvus_search_options *o, milvus_consistency l)
{
    return o ? set_consistency(&o->err, __func__, &o->consistency, l)
             : MILVUS_ERR_INVALID_ARGUMENT;
}

milvus_status milvus_search_options_set_metric(milvus_search_options *o, const char *m)
{
    int rc;
    if (!o)
        return MILVUS_ERR_INVALID_ARGUMENT;
    if (m && !*m)
        return mv_refuse(&o->err, __func__, NULL,
                         "metric \"\" is empty (a metric type such as \"L2\", \"IP\" or "
                         "\"COSINE\")");
    if ((rc = mv_setter_text(&o->err, __func__, NULL, "metric", m)) != MILVUS_OK)
        return rc;
    return accepted(&o->err, __func__, NULL, set_str(&o->metric, m));
}

milvus_status milvus_search_options_set_group_by(milvus_search_options *o, const char *f,
                                                 int64_t size, int strict)
{
    int rc;
    if (!o)
        return MILVUS_ERR_INVALID_ARGUMENT;
    if ((rc = mv_setter_name(&o->err, __func__, "field", f)) != MILVUS_OK)
        return rc;
    if (size < 0)
        return mv_refuse(&o->err, __func__, NULL,
                         "group_size %lld is out of range (0 = server default, or more)",
                         (long long)size);
    if ((rc = set_str(&o->group_by, f)) != MILVUS_OK)
        return rc;
    o->group_size = size;
    o->strict = strict != 0;
    mv_accept(&o->err, __func__, NULL);
    return MILVUS_OK;
}

milvus_status milvus_search_options_set_range(milvus_search_options *o, double radius,
                                              double range_filter)
{
    if (!o)
        return MILVUS_ERR_INVALID_ARGUMENT;
    if (!isfinite(radius) || !isfinite(range_filter))
        return mv_refuse(&o->err, __func__, NULL, "%s %g is not a finite number",
                         isfinite(radius) ? "range_filter" : "radius",
                         isfinite(radius) ? range_filter : radius);
    o->has_range = 1;
    o->radius = radius;
    o->range_filter = range_filter;
    mv_accept(&o->err, __func__, NULL);
    return MILVUS_OK;
}

milvus_status milvus_search_options_set_param(milvus_search_options *o, const char *key,
                                              const char *json)
{
    char q[MV_QUOTE_LEN];
    if (!o)
        return MILVUS_ERR_INVALID_ARGUMENT;
    if (!key || !*key || strchr(key, '"'))
        return mv_refuse(&o->err, __func__, NULL,
                         "key %s is not accepted (a non-empty parameter name without '\"')",
                         mv_quote(q, key));
    if (!json || !*json)
        return mv_refuse(&o->err, __func__, key,
                         "value of %s is %s (a JSON value such as 64 or \"x\")",
                         mv_quote(q, key), json ? "empty" : "NULL");
    return accepted(&o->err, __func__, key, mv_kv_set(&o->params, key, json));
}

milvus_status milvus_search_options_set_rrf(milvus_search_options *o, int64_t k)
{
    char buf[48];
    if (!o)
        return MILVUS_ERR_INVALID_ARGUMENT;
    if (k < 1 || k > 16384)
        return mv_refuse(&o->err, __func__, NULL, "k %lld is out of range (1..16384)",
                         (long long)k);
    snprintf(buf, sizeof(buf), "{\"k\":%lld}", (long long)k);
    if (set_str(&o->ranker, "rrf"))
        return MILVUS_ERR_NOMEM;
    return accepted(&o->err, __func__, NULL, set_str(&o->ranker_params, buf));
}

milvus_status milvus_search_options_set_weighted(milvus_search_options *o, const double *w,
                                                 size_t n)
{
    char *buf = NULL, num[40];
    size_t len = 0, cap = 0;
    int err;
    if (!o)
        return MILVUS_ERR_INVALID_ARGUMENT;
    if (!w || !n)
        return mv_refuse(&o->err, __func__, NULL,
                         "%s weights with n %zu (at least one weight is needed)",
                         w ? "the" : "NULL", n);
    for (size_t i = 0; i < n; i++)
        if (!isfinite(w[i]))
            return mv_refuse(&o->err, __func__, NULL,
                             "weight %zu is %g (finite numbers only)", i, w[i]);
    err = mv_append(&buf, &len, &cap, "{\"weights\":[", 12);
    for (size_t i = 0; i < n && !err; i++) {
        snprintf(num, sizeof(num), "%s%.17g", i ? "," : "", w[i]);
        err = mv_append(&buf, &len, &cap, num, strlen(num));
    }
    if (!err)
        err = mv_append(&buf, &len, &cap, "]}", 2);
    if (err || set_str(&o->ranker, "weighted")) {
        free(buf);
        return MILVUS_ERR_NOMEM;
    }
    free(o->ranker_params);
    o->ranker_params = buf;
    mv_accept(&o->err, __func__, NULL);
    return MILVUS_OK;
}

/* The "params" JSON: ANN parameters plus the range bounds. */
static char *params_json(const milvus_search_options *o)
{
    char *buf = NULL, num[80];
    size_t len = 0, cap = 0;
    int err = mv_append(&buf, &len, &cap, "{", 1);
    for (size_t i = 0; i < o->params.n && !err; i++) {
        if (i)
            err |= mv_append(&buf, &len, &cap, ",", 1);
        err |= mv_append(&buf, &len, &cap, "\"", 1);
        err |= mv_append(&buf, &len, &cap, o->params.keys[i], strlen(o->params.keys[i]));
        err |= mv_append(&buf, &len, &cap, "\":", 2);
        err |= mv_append(&buf, &len, &cap, o->params.vals[i], strlen(o->params.vals[i]));
    }
    if (o->has_range && !err) {
        snprintf(num, sizeof(num), "%s\"radius\":%.17g,\"range_filter\":%.17g",
                 o->params.n ? "," : "", o->radius, o->range_filter);
        err |= mv_append(&buf, &len, &cap, num, strlen(num));
    }
    if (!err)
        err = mv_append(&buf, &len, &cap, "}", 1);
    if (err) {
        free(buf);
        return NULL;
    }
    return buf;
}

/* The placeholder group (query vectors), packed. */
static int placeholder(const milvus_column *v, ProtobufCBinaryData *out)
{
    Milvus__Proto__Common__PlaceholderGroup g = MILVUS__PROTO__COMMON__PLACEHOLDER_GROUP__INIT;
    Milvus__Proto__Common__PlaceholderValue pv = MILVUS__PROTO__COMMON__PLACEHOLDER_VALUE__INIT;
    Milvus__Proto__Common__PlaceholderValue *pvs[1] = {&pv};
    ProtobufCBinaryData *vals = calloc(v->rows, sizeof(*vals));
    if (!vals)
        return MILVUS_ERR_NOMEM;
    for (size_t i = 0; i < v->rows; i++) {
        const void *d;
        size_t n;
        if (v->fd->type == MILVUS__PROTO__SCHEMA__DATA_TYPE__SparseFloatVector) {
            vals[i] = v->fd->vectors->sparse_float_vector->contents[i];
            continue;
        }
        if (milvus_column_get_vector(v, i, &d, &n) != MILVUS_OK) {
            free(vals);
            return MILVUS_ERR_INVALID_ARGUMENT;
        }
        vals[i].data = (uint8_t *)d;
        vals[i].len = n;
    }
    pv.tag = (char *)"$0";
    pv.type = (Milvus__Proto__Common__PlaceholderType)v->fd->type;
    pv.values = vals;
    pv.n_values = v->rows;
    g.placeholders = pvs;
    g.n_placeholders = 1;
    out->data = mv_pack(&g.base, &out->len);
    free(vals);
    return out->data ? MILVUS_OK : MILVUS_ERR_NOMEM;
}

typedef struct search_build {
    Milvus__Proto__Milvus__SearchRequest req;
    mv_kvlist kv;
    mv_kvp **arr, *st;
    tv_entry **tva, *tvs;
    char *pj;
} search_build;

static void build_free(search_build *b)
{
    free(b->req.placeholder_group.data);
    mv_kv_free(&b->kv);
    mv_kv_pb_free(b->arr, b->st);
    free(b->tva);
    free(b->tvs);
    free(b->pj);
}

static int build_search(milvus_client *c, const char *coll, const milvus_search_options *o,
                        search_build *b)
{
    Milvus__Proto__Milvus__SearchRequest init = MILVUS__PROTO__MILVUS__SEARCH_REQUEST__INIT;
    char num[32];
    int rc = 0;
    memset(b, 0, sizeof(*b));
    b->req = init;
    if (!o->vectors)
        return mv_client_seterr(c, MILVUS_ERR_INVALID_ARGUMENT,
                                "search on collection '%s': no query vectors", coll);
    if ((rc = placeholder(o->vectors, &b->req.placeholder_group)) != MILVUS_OK)
        return mv_client_seterr(c, rc, "search on collection '%s': bad query vectors", coll);
    b->req.search_input_case = MILVUS__PROTO__MILVUS__SEARCH_REQUEST__SEARCH_INPUT_PLACEHOLDER_GROUP;
    b->req.msg_base = &mv_msg_base;
    b->req.collection_name = (char *)coll;
    b->req.nq = (int64_t)o->vectors->rows;
    b->req.dsl = o->filter ? o->filter : (char *)"";
    b->req.dsl_type = MILVUS__PROTO__COMMON__DSL_TYPE__BoolExprV1;
    b->req.output_fields = o->out.v;
    b->req.n_output_fields = o->out.n;
    b->req.partition_names = o->parts.v;
    b->req.n_partition_names = o->parts.n;
    if (o->consistency < 0) {
        b->req.use_default_consistency = 1;
    } else {
        b->req.consistency_level = (Milvus__Proto__Common__ConsistencyLevel)o->consistency;
    }
    if (!(b->pj = params_json(o)))
        return mv_client_seterr(c, MILVUS_ERR_NOMEM, "out of memory");
    snprintf(num, sizeof(num), "%lld", (long long)o->limit);
    rc |= mv_kv_set(&b->kv, "topk", num);
    snprintf(num, sizeof(num), "%lld", (long long)o->offset);
    rc |= mv_kv_set(&b->kv, "offset", num);
    rc |= mv_kv_set(&b->kv, "round_decimal", "-1");
    rc |= mv_kv_set(&b->kv, "params", b->pj);
    if (o->anns_field)
        rc |= mv_kv_set(&b->kv, "anns_field", o->anns_field);
    if (o->metric)
        rc |= mv_kv_set(&b->kv, "metric_type", o->metric);
    if (o->group_by) {
        rc |= mv_kv_set(&b->kv, "group_by_field", o->group_by);
        if (o->group_size) {
            snprintf(num, sizeof(num), "%lld", (long long)o->group_size);
            rc |= mv_kv_set(&b->kv, "group_size", num);
        }
        rc |= mv_kv_set(&b->kv, "strict_group_size", o->strict ? "true" : "false");
    }
    if (rc || !(b->arr = mv_kv_to_pb(&b->kv, &b->st)))
        return mv_client_seterr(c, MILVUS_ERR_NOMEM, "out of memory");
    b->req.search_params = b->arr;
    b->req.n_search_params = b->kv.n;
    if (o->tv.n) {
        if (!(b->tva = tv_as(&o->tv, &milvus__proto__milvus__search_request__expr_template_values_entry__descriptor, &b->tvs)))
            return mv_client_seterr(c, MILVUS_ERR_NOMEM, "out of memory");
        b->req.expr_template_values = b->tva;
        b->req.n_expr_template_values = o->tv.n;
    }
    return MILVUS_OK;
}

static void search_step(mv_op *op, milvus_result *res)
{
    if (res->status == MILVUS_OK && res->msg) {
        Milvus__Proto__Milvus__SearchResults *r = (void *)res->msg;
        Milvus__Proto__Schema__SearchResultData empty =
            MILVUS__PROTO__SCHEMA__SEARCH_RESULT_DATA__INIT;
        int rc = mv_result_fill_search(res, r->results ? r->results : &empty);
        if (rc != MILVUS_OK)
            mv_result_set_local(res, rc, rc == MILVUS_ERR_PROTOCOL
                                             ? "search response claims more results than it can carry"
                                             : "out of memory");
    }
    mv_op_finish(op, res);
}

milvus_status milvus_client_search(milvus_client *c, const char *coll,
                                   const milvus_search_options *o, milvus_result_cb cb, void *ctx)
{
    search_build b;
    mv_op *op;
    int rc = mv_client_check(c, cb);
    if (rc || (rc = mv_client_check_name(c, "collection", coll)))
        return rc;
    if (!o)
        return mv_client_seterr(c, MILVUS_ERR_INVALID_ARGUMENT,
                                "search on collection '%s': options are NULL", coll);
    if ((rc = mv_check_opts(c, "search", "search options", &o->err)) != MILVUS_OK)
        return rc;
    if ((rc = build_search(c, coll, o, &b)) != MILVUS_OK) {
        build_free(&b);
        return rc;
    }
    if (!(op = mv_op_new(c, "search", coll, cb, ctx))) {
        build_free(&b);
        return MILVUS_ERR_NOMEM;
    }
    rc = mv_op_start(op, MV_RPC("Search"), &b.req.base,
                     &milvus__proto__milvus__search_results__descriptor, search_step);
    build_free(&b);
    return rc;
}

milvus_status milvus_client_hybrid_search(milvus_client *c, const char *coll,
                                          const milvus_search_options *const *legs, size_t n,
                                          const milvus_search_options *top, milvus_result_cb cb,
                                          void *ctx)
{
    Milvus__Proto__Milvus__HybridSearchRequest req =
        MILVUS__PROTO__MILVUS__HYBRID_SEARCH_REQUEST__INIT;
    search_build *bs = NULL;
    Milvus__Proto__Milvus__SearchRequest **reqs = NULL;
    mv_kvlist kv = {0};
    mv_kvp **arr = NULL, *st = NULL;
    char num[32];
    mv_op *op;
    size_t built = 0;
    int rc = mv_client_check(c, cb);
    if (rc || (rc = mv_client_check_name(c, "collection", coll)))
        return rc;
    if (top && (rc = mv_check_opts(c, "hybrid_search", "top search options", &top->err)))
        return rc;
    for (size_t i = 0; legs && i < n; i++) {
        char what[64];
        snprintf(what, sizeof(what), "search options of leg %zu", i);
        if (legs[i] && (rc = mv_check_opts(c, "hybrid_search", what, &legs[i]->err)))
            return rc;
    }
    if (!legs || !n || !top || !top->ranker)
        return mv_client_seterr(c, MILVUS_ERR_INVALID_ARGUMENT,
                                "hybrid_search on collection '%s': needs legs and a reranker "
                                "(rrf or weighted) on the top options",
                                coll);
    bs = calloc(n, sizeof(*bs));
    reqs = calloc(n, sizeof(*reqs));
    if (!bs || !reqs) {
        rc = mv_client_seterr(c, MILVUS_ERR_NOMEM, "out of memory");
        goto out;
    }
    for (; built < n; built++) {
        if (!legs[built]) {
            rc = mv_client_seterr(c, MILVUS_ERR_INVALID_ARGUMENT, "hybrid_search: leg %zu is NULL",
                                  built);
            goto out;
        }
        if ((rc = build_search(c, coll, legs[built], &bs[built])) != MILVUS_OK) {
            built++;
            goto out;
        }
        reqs[built] = &bs[built].req;
    }
    snprintf(num, sizeof(num), "%lld", (long long)top->limit);
    rc = mv_kv_set(&kv, "strategy", top->ranker);
    rc |= mv_kv_set(&kv, "params", top->ranker_params);
    rc |= mv_kv_set(&kv, "limit", num);
    snprintf(num, sizeof(num), "%lld", (long long)top->offset);
    rc |= mv_kv_set(&kv, "offset", num);
    rc |= mv_kv_set(&kv, "round_decimal", "-1");
    if (rc || !(arr = mv_kv_to_pb(&kv, &st))) {
        rc = mv_client_seterr(c, MILVUS_ERR_NOMEM, "out of memory");
        goto out;
    }
    req.msg_base = &mv_msg_base;
    req.collection_name = (char *)coll;
    req.requests = reqs;
    req.n_requests = n;
    req.rank_params = arr;
    req.n_rank_params = kv.n;
    req.output_fields = top->out.v;
    req.n_output_fields = top->out.n;
    req.partition_names = top->parts.v;
    req.n_partition_names = top->parts.n;
    if (top->consistency < 0)
        req.use_default_consistency = 1;
    else
        req.consistency_level = (Milvus__Proto__Common__ConsistencyLevel)top->consistency;
    if (!(op = mv_op_new(c, "hybrid_search", coll, cb, ctx))) {
        rc = MILVUS_ERR_NOMEM;
        goto out;
    }
    rc = mv_op_start(op, MV_RPC("HybridSearch"), &req.base,
                     &milvus__proto__milvus__search_results__descriptor, search_step);
out:
    for (size_t i = 0; i < built; i++)
        build_free(&bs[i]);
    free(bs);
    free(reqs);
    mv_kv_pb_free(arr, st);
    mv_kv_free(&kv);
    return rc;
}

/* ---- query ---------------------------------------------------------------------- */

struct milvus_query_options {
    char *filter;
    mv_templates tv;
    mv_strlist out, parts;
    int64_t limit, offset;
    int consistency;
    mv_opterr err; /* refused setter values */
};

milvus_query_options *milvus_query_options_new(void)
{
    milvus_query_options *o = calloc(1, sizeof(*o));
    if (o)
        o->consistency = -1;
    return o;
}

void milvus_query_options_free(milvus_query_options *o)
{
    if (!o)
        return;
    free(o->filter);
    tv_free(&o->tv);
    mv_str_free(&o->out);
    mv_str_free(&o->parts);
    mv_opterr_free(&o->err);
    free(o);
}

const char *milvus_query_options_last_error(const milvus_query_options *o)
{
    return mv_opterr_msg(o ? &o->err : NULL);
}

milvus_status milvus_query_options_set_filter(milvus_query_options *o, const char *expr)
{
    return o ? set_filter(&o->err, __func__, &o->filter, expr) : MILVUS_ERR_INVALID_ARGUMENT;
}

milvus_status milvus_query_options_set_template_int(milvus_query_options *o, const char *name,
                                                    int64_t v)
{
    int rc;
    tv_val *t = o ? tv_set(&o->tv, &o->err, __func__, name, &rc) : NULL;
    if (!t)
        return o ? rc : MILVUS_ERR_INVALID_ARGUMENT;
    t->val_case = MILVUS__PROTO__SCHEMA__TEMPLATE_VALUE__VAL_INT64_VAL;
    t->int64_val = v;
    mv_accept(&o->err, __func__, name);
    return MILVUS_OK;
}

milvus_status milvus_query_options_set_template_string(milvus_query_options *o, const char *name,
                                                       const char *v)
{
    return o ? tv_string(&o->tv, &o->err, __func__, name, v) : MILVUS_ERR_INVALID_ARGUMENT;
}

milvus_status milvus_query_options_add_output_field(milvus_query_options *o, const char *f)
{
    return o ? add_name(&o->err, __func__, "field", &o->out, f) : MILVUS_ERR_INVALID_ARGUMENT;
}

milvus_status milvus_query_options_add_partition(milvus_query_options *o, const char *p)
{
    return o ? add_name(&o->err, __func__, "partition", &o->parts, p)
             : MILVUS_ERR_INVALID_ARGUMENT;
}

milvus_status milvus_query_options_set_limit(milvus_query_options *o, int64_t limit)
{
    if (!o)
        return MILVUS_ERR_INVALID_ARGUMENT;
    if (limit < 0)
        return mv_refuse(&o->err, __func__, NULL,
                         "limit %lld is out of range (0 = no limit, or more)", (long long)limit);
    o->limit = limit;
    mv_accept(&o->err, __func__, NULL);
    return MILVUS_OK;
}

milvus_status milvus_query_options_set_offset(milvus_query_options *o, int64_t offset)
{
    if (!o)
        return MILVUS_ERR_INVALID_ARGUMENT;
    if (offset < 0)
        return mv_refuse(&o->err, __func__, NULL, "offset %lld is out of range (0 or more)",
                         (long long)offset);
    o->offset = offset;
    mv_accept(&o->err, __func__, NULL);
    return MILVUS_OK;
}

milvus_status milvus_query_options_set_consistency(milvus_query_options *o, milvus_consistency l)
{
    return o ? set_consistency(&o->err, __func__, &o->consistency, l)
             : MILVUS_ERR_INVALID_ARGUMENT;
}

static void query_step(mv_op *op, milvus_result *res)
{
    if (res->status == MILVUS_OK && res->msg) {
        Milvus__Proto__Milvus__QueryResults *r = (void *)res->msg;
        if (mv_result_fill_columns(res, r->fields_data, r->n_fields_data) != MILVUS_OK)
            mv_result_set_local(res, MILVUS_ERR_NOMEM, "out of memory");
    }
    mv_op_finish(op, res);
}

static void count_step(mv_op *op, milvus_result *res)
{
    if (res->status == MILVUS_OK && res->msg) {
        Milvus__Proto__Milvus__QueryResults *r = (void *)res->msg;
        if (r->n_fields_data > 0) {
            milvus_column *v = mv_column_view(r->fields_data[0], 0, mv_fd_rows(r->fields_data[0]));
            if (!v || milvus_column_get_int(v, 0, &res->i64) != MILVUS_OK)
                mv_result_set_local(res, MILVUS_ERR_PROTOCOL, "count(*) answer has no count");
            milvus_column_free(v);
        } else {
            mv_result_set_local(res, MILVUS_ERR_PROTOCOL, "count(*) answer has no count");
        }
    }
    mv_op_finish(op, res);
}

/* Builds the QueryRequest and starts the op -- or, with pack_out, only
 * packs the request there (the iterators' template). */
static int submit_query(milvus_client *c, const char *opname, const char *coll,
                        const char *expr, const milvus_query_options *o, char **out,
                        size_t nout, mv_step_fn step, milvus_result_cb cb, void *ctx,
                        ProtobufCBinaryData *pack_out)
{
    Milvus__Proto__Milvus__QueryRequest req = MILVUS__PROTO__MILVUS__QUERY_REQUEST__INIT;
    mv_kvlist kv = {0};
    mv_kvp **arr = NULL, *st = NULL;
    tv_entry **tva = NULL, *tvs = NULL;
    char num[32];
    mv_op *op;
    int rc = 0;
    req.msg_base = &mv_msg_base;
    req.collection_name = (char *)coll;
    req.expr = (char *)(expr ? expr : "");
    req.output_fields = out;
    req.n_output_fields = nout;
    if (o && o->parts.n) {
        req.partition_names = o->parts.v;
        req.n_partition_names = o->parts.n;
    }
    if (!o || o->consistency < 0)
        req.use_default_consistency = 1;
    else
        req.consistency_level = (Milvus__Proto__Common__ConsistencyLevel)o->consistency;
    if (o && o->limit) {
        snprintf(num, sizeof(num), "%lld", (long long)o->limit);
        rc |= mv_kv_set(&kv, "limit", num);
    }
    if (o && o->offset) {
        snprintf(num, sizeof(num), "%lld", (long long)o->offset);
        rc |= mv_kv_set(&kv, "offset", num);
    }
    if (rc || (kv.n && !(arr = mv_kv_to_pb(&kv, &st)))) {
        mv_kv_free(&kv);
        return mv_client_seterr(c, MILVUS_ERR_NOMEM, "out of memory");
    }
    req.query_params = arr;
    req.n_query_params = kv.n;
    if (o && o->tv.n) {
        tva = tv_as(&o->tv, &milvus__proto__milvus__query_request__expr_template_values_entry__descriptor, &tvs);
        if (!tva) {
            rc = mv_client_seterr(c, MILVUS_ERR_NOMEM, "out of memory");
            goto out;
        }
        req.expr_template_values = (Milvus__Proto__Milvus__QueryRequest__ExprTemplateValuesEntry **)tva;
        req.n_expr_template_values = o->tv.n;
    }
    if (pack_out) {
        pack_out->data = mv_pack(&req.base, &pack_out->len);
        rc = pack_out->data ? MILVUS_OK : mv_client_seterr(c, MILVUS_ERR_NOMEM, "out of memory");
        goto out;
    }
    if (!(op = mv_op_new(c, opname, coll, cb, ctx))) {
        rc = MILVUS_ERR_NOMEM;
        goto out;
    }
    rc = mv_op_start(op, MV_RPC("Query"), &req.base,
                     &milvus__proto__milvus__query_results__descriptor, step);
out:
    free(tva);
    free(tvs);
    mv_kv_pb_free(arr, st);
    mv_kv_free(&kv);
    return rc;
}

milvus_status milvus_client_query(milvus_client *c, const char *coll, const milvus_query_options *o,
                                  milvus_result_cb cb, void *ctx)
{
    int rc = mv_client_check(c, cb);
    if (rc || (rc = mv_client_check_name(c, "collection", coll)))
        return rc;
    if (o && (rc = mv_check_opts(c, "query", "query options", &o->err)) != MILVUS_OK)
        return rc;
    if (!o || ((!o->filter || !*o->filter) && !o->limit))
        return mv_client_seterr(c, MILVUS_ERR_INVALID_ARGUMENT,
                                "query on collection '%s': needs a filter or a limit", coll);
    return submit_query(c, "query", coll, o->filter, o, o->out.v, o->out.n, query_step, cb, ctx,
                        NULL);
}

milvus_status milvus_client_get(milvus_client *c, const char *coll, const milvus_column *ids,
                                const milvus_query_options *o, milvus_result_cb cb, void *ctx)
{
    const char *pk;
    char *expr;
    int rc = mv_client_check(c, cb);
    if (rc || (rc = mv_client_check_name(c, "collection", coll)))
        return rc;
    if ((rc = mv_check_ids(c, "get", coll, ids)) != MILVUS_OK)
        return rc;
    if (o && (rc = mv_check_opts(c, "get", "query options", &o->err)) != MILVUS_OK)
        return rc;
    pk = mv_cached_pk(c, coll);
    if (!(expr = mv_ids_expr(pk ? pk : ids->fd->field_name, ids)))
        return mv_client_seterr(c, MILVUS_ERR_NOMEM, "out of memory");
    rc = submit_query(c, "get", coll, expr, o, o ? o->out.v : NULL, o ? o->out.n : 0, query_step,
                      cb, ctx, NULL);
    free(expr);
    return rc;
}

milvus_status milvus_client_count(milvus_client *c, const char *coll, const char *filter,
                                  milvus_result_cb cb, void *ctx)
{
    char *out[1] = {(char *)"count(*)"};
    int rc = mv_client_check(c, cb);
    if (rc || (rc = mv_client_check_name(c, "collection", coll)))
        return rc;
    if (filter && !mv_utf8_valid(filter, strlen(filter)))
        return mv_client_seterr(c, MILVUS_ERR_INVALID_ARGUMENT,
                                "count on collection '%s': filter is not UTF-8", coll);
    return submit_query(c, "count", coll, filter, NULL, out, 1, count_step, cb, ctx, NULL);
}

/* ---- iterators ---------------------------------------------------------------------- */

/* A query iterator pages in primary-key order with `(filter) and pk > last`
 * and query_params iterator/reduce_stop_for_best (as the Go client does);
 * a search iterator uses the search_iter_v2 protocol: the first batch
 * returns a token and a last bound that the next request sends back. */
struct milvus_iterator {
    milvus_client *c;
    int search;
    char *coll;
    ProtobufCBinaryData base; /* the packed request template */
    char *filter;             /* query: the user's filter ("" = none) */
    char *pk;                 /* query: primary key name (NULL until known) */
    int pk_is_int;
    char *last;               /* query: last key as an expression literal */
    char *token;              /* search: iterator token */
    int64_t coll_id;          /* search: the collection's id (0 until known) */
    float bound;
    int64_t batch, limit, returned;
    int done;
    mv_op *op; /* the pending next(), if any */
};

static void it_free_fields(milvus_iterator *it)
{
    free(it->coll);
    free(it->base.data);
    free(it->filter);
    free(it->pk);
    free(it->last);
    free(it->token);
}

void milvus_iterator_free(milvus_iterator *it)
{
    if (!it)
        return;
    if (it->op) {
        /* a next() is pending: detach it, it completes with CANCELLED */
        mv_op *op = it->op;
        op->data = NULL;
        milvus_client_cancel(it->c, op->id);
    }
    it_free_fields(it);
    free(it);
}

int milvus_iterator_done(const milvus_iterator *it) { return !it || it->done; }

static int it_check(milvus_client *c, const char *coll, int64_t batch, int64_t limit,
                    milvus_iterator **out)
{
    int rc;
    if (!c || !out)
        return c ? mv_client_seterr(c, MILVUS_ERR_INVALID_ARGUMENT, "out is NULL")
                 : MILVUS_ERR_INVALID_ARGUMENT;
    if ((rc = mv_client_check_name(c, "collection", coll)) != MILVUS_OK)
        return rc;
    if (batch < 1 || batch > 16384 || limit < 0)
        return mv_client_seterr(c, MILVUS_ERR_INVALID_ARGUMENT,
                                "iterator on collection '%s': batch size must be 1..16384 and "
                                "the limit >= 0",
                                coll);
    return MILVUS_OK;
}

static milvus_iterator *it_new(milvus_client *c, const char *coll, int search, int64_t batch,
                               int64_t limit)
{
    milvus_iterator *it = calloc(1, sizeof(*it));
    if (!it || !(it->coll = mv_strdup(coll))) {
        free(it);
        mv_client_seterr(c, MILVUS_ERR_NOMEM, "out of memory");
        return NULL;
    }
    it->c = c;
    it->search = search;
    it->batch = batch;
    it->limit = limit;
    return it;
}

milvus_status milvus_client_query_iterator(milvus_client *c, const char *coll,
                                           const milvus_query_options *o, int64_t batch_size,
                                           int64_t limit, milvus_iterator **out)
{
    milvus_iterator *it;
    const char *pk;
    int rc = it_check(c, coll, batch_size, limit, out);
    if (rc)
        return rc;
    if (o && (rc = mv_check_opts(c, "query_iterator", "query options", &o->err)) != MILVUS_OK)
        return rc;
    if (!(it = it_new(c, coll, 0, batch_size, limit)))
        return MILVUS_ERR_NOMEM;
    if (!(it->filter = mv_strdup(o && o->filter ? o->filter : ""))) {
        milvus_iterator_free(it);
        return mv_client_seterr(c, MILVUS_ERR_NOMEM, "out of memory");
    }
    /* the template: output fields, partitions, templates, consistency;
     * expr and paging params are set per batch (limit/offset of o are not
     * used: the iterator pages itself) */
    {
        milvus_query_options tmp;
        if (o)
            tmp = *o;
        else
            memset(&tmp, 0, sizeof(tmp)), tmp.consistency = -1;
        tmp.limit = tmp.offset = 0;
        rc = submit_query(c, "query_iterator", coll, "", &tmp, o ? o->out.v : NULL,
                          o ? o->out.n : 0, NULL, NULL, NULL, &it->base);
    }
    if (rc) {
        milvus_iterator_free(it);
        return rc;
    }
    if ((pk = mv_cached_pk(c, coll))) {
        const mv_cs *s = mv_cache_get(c, coll, NULL);
        if (!(it->pk = mv_strdup(pk))) {
            milvus_iterator_free(it);
            return mv_client_seterr(c, MILVUS_ERR_NOMEM, "out of memory");
        }
        for (size_t i = 0; i < s->n_fields; i++)
            if (s->fields[i]->is_primary_key)
                it->pk_is_int = s->fields[i]->data_type == MILVUS__PROTO__SCHEMA__DATA_TYPE__Int64;
    }
    *out = it;
    return MILVUS_OK;
}

milvus_status milvus_client_search_iterator(milvus_client *c, const char *coll,
                                            const milvus_search_options *o, int64_t batch_size,
                                            int64_t limit, milvus_iterator **out)
{
    milvus_iterator *it;
    search_build b;
    int rc = it_check(c, coll, batch_size, limit, out);
    if (rc)
        return rc;
    if (o && (rc = mv_check_opts(c, "search_iterator", "search options", &o->err)) != MILVUS_OK)
        return rc;
    if (!o || !o->vectors || o->vectors->rows != 1)
        return mv_client_seterr(c, MILVUS_ERR_INVALID_ARGUMENT,
                                "search_iterator on collection '%s': needs exactly one query "
                                "vector",
                                coll);
    if (o->group_by)
        return mv_client_seterr(c, MILVUS_ERR_INVALID_ARGUMENT,
                                "search_iterator on collection '%s': group by is not supported",
                                coll);
    if (!(it = it_new(c, coll, 1, batch_size, limit)))
        return MILVUS_ERR_NOMEM;
    if ((rc = build_search(c, coll, o, &b)) == MILVUS_OK) {
        it->base.data = mv_pack(&b.req.base, &it->base.len);
        if (!it->base.data)
            rc = mv_client_seterr(c, MILVUS_ERR_NOMEM, "out of memory");
    }
    build_free(&b);
    if (rc) {
        milvus_iterator_free(it);
        return rc;
    }
    *out = it;
    return MILVUS_OK;
}

/* The batch size of the next request (the limit's remainder). */
static int64_t it_want(const milvus_iterator *it)
{
    int64_t left = it->limit ? it->limit - it->returned : it->batch;
    return left < it->batch ? left : it->batch;
}

/* Sets `key` in a KeyValuePair array (replacing), using storage slots. */
static int kv_put(mv_kvlist *l, const char *key, const char *val) { return mv_kv_set(l, key, val); }

static void it_query_step(mv_op *op, milvus_result *res);
static void it_search_step(mv_op *op, milvus_result *res);

/* Sends the next batch request of op's iterator. */
static void it_send(mv_op *op)
{
    milvus_iterator *it = op->data;
    ProtobufCMessage *m;
    mv_kvlist kv = {0};
    mv_kvp **arr = NULL, *st = NULL, **saved;
    size_t nsaved;
    char num[64];
    int rc = 0;
    if (!it) {
        mv_op_fail(op, MILVUS_ERR_CANCELLED, "iterator freed");
        return;
    }
    m = protobuf_c_message_unpack(it->search ? &milvus__proto__milvus__search_request__descriptor
                                             : &milvus__proto__milvus__query_request__descriptor,
                                  NULL, it->base.len, it->base.data);
    if (!m) {
        mv_op_fail(op, MILVUS_ERR_NOMEM, "out of memory");
        return;
    }
    snprintf(num, sizeof(num), "%lld", (long long)it_want(it));
    if (it->search) {
        Milvus__Proto__Milvus__SearchRequest *r = (void *)m;
        for (size_t i = 0; i < r->n_search_params && !rc; i++)
            rc = kv_put(&kv, r->search_params[i]->key, r->search_params[i]->value);
        rc |= kv_put(&kv, "iterator", "true");
        rc |= kv_put(&kv, "search_iter_v2", "true");
        rc |= kv_put(&kv, "search_iter_batch_size", num);
        rc |= kv_put(&kv, "topk", num);
        rc |= kv_put(&kv, "offset", "0");
        /* the collection the token belongs to, as the Go client sends it */
        if (it->coll_id) {
            char id[32];
            snprintf(id, sizeof(id), "%lld", (long long)it->coll_id);
            rc |= kv_put(&kv, "collection_id", id);
        }
        if (it->token) {
            char b[64];
            rc |= kv_put(&kv, "search_iter_id", it->token);
            snprintf(b, sizeof(b), "%.9g", (double)it->bound);
            rc |= kv_put(&kv, "search_iter_last_bound", b);
        }
        if (rc || !(arr = mv_kv_to_pb(&kv, &st))) {
            rc = MILVUS_ERR_NOMEM;
        } else {
            saved = r->search_params;
            nsaved = r->n_search_params;
            r->search_params = arr;
            r->n_search_params = kv.n;
            mv_op_rpc(op, MV_RPC("Search"), m, &milvus__proto__milvus__search_results__descriptor,
                      it_search_step);
            r->search_params = saved;
            r->n_search_params = nsaved;
        }
    } else {
        Milvus__Proto__Milvus__QueryRequest *r = (void *)m;
        char *expr = NULL, *saved_expr = r->expr;
        size_t len = 0, cap = 0;
        int err = 0;
        if (it->last) {
            if (it->filter[0]) {
                err |= mv_append(&expr, &len, &cap, "(", 1);
                err |= mv_append(&expr, &len, &cap, it->filter, strlen(it->filter));
                err |= mv_append(&expr, &len, &cap, ") and ", 6);
            }
            err |= mv_append(&expr, &len, &cap, it->pk, strlen(it->pk));
            err |= mv_append(&expr, &len, &cap, " > ", 3);
            err |= mv_append(&expr, &len, &cap, it->last, strlen(it->last));
        } else {
            err |= mv_append(&expr, &len, &cap, it->filter, strlen(it->filter));
            if (!expr)
                err |= mv_append(&expr, &len, &cap, "", 0);
        }
        rc |= err;
        rc |= kv_put(&kv, "limit", num);
        rc |= kv_put(&kv, "iterator", "true");
        rc |= kv_put(&kv, "reduce_stop_for_best", "true");
        if (rc || !(arr = mv_kv_to_pb(&kv, &st))) {
            rc = MILVUS_ERR_NOMEM;
        } else {
            saved = r->query_params;
            nsaved = r->n_query_params;
            r->query_params = arr;
            r->n_query_params = kv.n;
            r->expr = expr;
            mv_op_rpc(op, MV_RPC("Query"), m, &milvus__proto__milvus__query_results__descriptor,
                      it_query_step);
            r->query_params = saved;
            r->n_query_params = nsaved;
            r->expr = saved_expr;
        }
        free(expr);
    }
    mv_kv_pb_free(arr, st);
    mv_kv_free(&kv);
    protobuf_c_message_free_unpacked(m, NULL);
    if (rc)
        mv_op_fail(op, MILVUS_ERR_NOMEM, "out of memory");
}

/* Ends a next(): the iterator is free for another one. */
static void it_finish(mv_op *op, milvus_result *res)
{
    milvus_iterator *it = op->data;
    if (it)
        it->op = NULL;
    mv_op_finish(op, res);
}

static void it_query_step(mv_op *op, milvus_result *res)
{
    milvus_iterator *it = op->data;
    Milvus__Proto__Milvus__QueryResults *r = (void *)res->msg;
    const milvus_column *pkc;
    int64_t want;
    if (!it || res->status != MILVUS_OK || !r) {
        it_finish(op, res);
        return;
    }
    want = it_want(it);
    if (mv_result_fill_columns(res, r->fields_data, r->n_fields_data) != MILVUS_OK) {
        mv_result_set_local(res, MILVUS_ERR_NOMEM, "out of memory");
        it_finish(op, res);
        return;
    }
    it->returned += (int64_t)res->rows;
    if ((int64_t)res->rows < want || (it->limit && it->returned >= it->limit))
        it->done = 1;
    if (res->rows && (pkc = milvus_result_column(res, it->pk))) {
        char *lit = NULL;
        int64_t v;
        const char *sv;
        size_t sl, len = 0, cap = 0;
        if (milvus_column_get_int(pkc, res->rows - 1, &v) == MILVUS_OK) {
            char num[32];
            snprintf(num, sizeof(num), "%lld", (long long)v);
            lit = mv_strdup(num);
        } else if (milvus_column_get_string(pkc, res->rows - 1, &sv, &sl) == MILVUS_OK) {
            int err = mv_append(&lit, &len, &cap, "\"", 1);
            for (size_t k = 0; k < sl && !err; k++) {
                if (sv[k] == '"' || sv[k] == '\\')
                    err |= mv_append(&lit, &len, &cap, "\\", 1);
                err |= mv_append(&lit, &len, &cap, &sv[k], 1);
            }
            err |= mv_append(&lit, &len, &cap, "\"", 1);
            if (err) {
                free(lit);
                lit = NULL;
            }
        }
        if (!lit) {
            mv_result_set_local(res, MILVUS_ERR_NOMEM, "out of memory");
        } else {
            free(it->last);
            it->last = lit;
        }
    } else if (res->rows) {
        mv_result_set_local(res, MILVUS_ERR_PROTOCOL, "query iterator: the answer lacks the "
                                                      "primary key column");
        it->done = 1;
    }
    it_finish(op, res);
}

static void it_search_step(mv_op *op, milvus_result *res)
{
    milvus_iterator *it = op->data;
    Milvus__Proto__Milvus__SearchResults *r = (void *)res->msg;
    Milvus__Proto__Schema__SearchResultData empty = MILVUS__PROTO__SCHEMA__SEARCH_RESULT_DATA__INIT;
    Milvus__Proto__Schema__SearchResultData *d;
    size_t n;
    int rc;
    if (!it || res->status != MILVUS_OK || !r) {
        it_finish(op, res);
        return;
    }
    d = r->results ? r->results : &empty;
    if ((rc = mv_result_fill_search(res, d)) != MILVUS_OK) {
        mv_result_set_local(res, rc, rc == MILVUS_ERR_PROTOCOL
                                         ? "search response claims more results than it can carry"
                                         : "out of memory");
        it_finish(op, res);
        return;
    }
    n = res->nq ? res->hit_cnt[0] : 0;
    if (it->limit && it->returned + (int64_t)n > it->limit) {
        n = (size_t)(it->limit - it->returned);
        res->hit_cnt[0] = n; /* views stay valid: only fewer rows */
        if (res->hit_ids[0])
            res->hit_ids[0]->rows = n;
        for (size_t i = 0; i < res->nhcols; i++)
            if (res->hit_cols[i]->rows > n)
                res->hit_cols[i]->rows = n;
    }
    it->returned += (int64_t)n;
    if (n == 0 || (it->limit && it->returned >= it->limit)) {
        it->done = 1;
    } else if (d->search_iterator_v2_results) {
        char *t = mv_strdup(d->search_iterator_v2_results->token);
        if (!t) {
            mv_result_set_local(res, MILVUS_ERR_NOMEM, "out of memory");
        } else {
            free(it->token);
            it->token = t;
            it->bound = d->search_iterator_v2_results->last_bound;
        }
    } else {
        mv_result_set_local(res, MILVUS_ERR_PROTOCOL,
                            "search iterator: the server does not support search_iter_v2");
        it->done = 1;
    }
    it_finish(op, res);
}

/* Query iterator without a known key: learn it first. */
static void it_schema_step(mv_op *op, milvus_result *res)
{
    milvus_iterator *it = op->data;
    Milvus__Proto__Milvus__DescribeCollectionResponse *r = (void *)res->msg;
    if (!it || res->status != MILVUS_OK || !r || !r->schema) {
        it_finish(op, res);
        return;
    }
    mv_cache_put(op->c, op->coll, r->schema, r->update_timestamp);
    for (size_t i = 0; i < r->schema->n_fields; i++) {
        if (!r->schema->fields[i]->is_primary_key)
            continue;
        free(it->pk);
        it->pk = mv_strdup(r->schema->fields[i]->name);
        it->pk_is_int = r->schema->fields[i]->data_type == MILVUS__PROTO__SCHEMA__DATA_TYPE__Int64;
    }
    if (!it->pk) {
        mv_result_set_local(res, MILVUS_ERR_PROTOCOL, "the schema has no primary key");
        it_finish(op, res);
        return;
    }
    milvus_result_unref(res);
    it_send(op);
}

/* Search iterator before its first batch: learn the collection's id. */
static void it_collection_step(mv_op *op, milvus_result *res)
{
    milvus_iterator *it = op->data;
    Milvus__Proto__Milvus__DescribeCollectionResponse *r = (void *)res->msg;
    if (!it || res->status != MILVUS_OK || !r) {
        it_finish(op, res);
        return;
    }
    if (r->schema)
        mv_cache_put(op->c, op->coll, r->schema, r->update_timestamp);
    it->coll_id = r->collectionid;
    milvus_result_unref(res);
    it_send(op);
}

static void it_first(mv_op *op)
{
    milvus_iterator *it = op->data;
    if (it && !it->search && !it->pk) {
        mv_op_describe(op, it_schema_step);
        return;
    }
    if (it && it->search && !it->coll_id && !it->token) {
        mv_op_describe(op, it_collection_step);
        return;
    }
    it_send(op);
}

/* Runs when the next() op ends, however it ends (reply, cancel, free). */
static void it_detach(void *p)
{
    ((milvus_iterator *)p)->op = NULL;
}

milvus_status milvus_iterator_next(milvus_iterator *it, milvus_result_cb cb, void *ctx)
{
    milvus_client *c = it ? it->c : NULL;
    mv_op *op;
    milvus_result *res;
    int rc = mv_client_check(c, cb);
    if (rc)
        return rc;
    if (it->op)
        return mv_client_seterr(c, MILVUS_ERR_BUSY, "%s_iterator on collection '%s': a next() "
                                "is already pending", it->search ? "search" : "query", it->coll);
    if (!(op = mv_op_new(c, it->search ? "search_iterator" : "query_iterator", it->coll, cb, ctx)))
        return MILVUS_ERR_NOMEM;
    op->data = it; /* borrowed: "freeing" it only detaches the op */
    op->data_free = it_detach;
    if (it->done) {
        /* exhausted: an empty batch, from the loop */
        if (!(res = mv_result_new(op->opname, op->coll))) {
            mv_op_discard(op);
            return mv_client_seterr(c, MILVUS_ERR_NOMEM, "out of memory");
        }
        op->data = NULL;
        op->data_free = NULL;
        return mv_op_start_local(op, res);
    }
    /* the first request goes out from the loop too, through a 0 ms timer,
     * so that every path (schema fetch or not) is a step */
    if ((rc = mv_op_start_timer(op, 0, it_first)) != MILVUS_OK)
        return rc;
    it->op = op;
    return MILVUS_OK;
}
