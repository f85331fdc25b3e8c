/* SPDX-License-Identifier: Apache-2.0 */
/* Search and hybrid search (and the search options they take), and the
 * template values and option setters the query options share with them
 * (declared in api.h). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/api.h"

/* ---- template values (shared with query.c) ------------------------------------ */

/* A new entry for name (checked by the caller); NULL when out of memory. */
static mv_tv_val *tv_add(mv_templates *t, const char *name)
{
    mv_tv_entry *e, **arr;
    mv_tv_val *v;
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

void mv_tv_free(mv_templates *t)
{
    for (size_t i = 0; i < t->n; i++)
        protobuf_c_message_free_unpacked(&t->e[i]->base, NULL);
    free(t->e);
    t->n = 0;
}

/* The same entries as another request's map type (identical layout):
 * shallow copies with the other descriptor. */
mv_tv_entry **mv_tv_as(const mv_templates *t, const ProtobufCMessageDescriptor *d,
                       mv_tv_entry **store)
{
    mv_tv_entry **arr;
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
    mv_tv_free(&o->tv);
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
int mv_set_filter(mv_opterr *e, const char *setter, char **dst, const char *expr)
{
    int rc = mv_setter_text(e, setter, NULL, "filter", expr);
    return rc ? rc : accepted(e, setter, NULL, set_str(dst, expr));
}

milvus_status milvus_search_options_set_filter(milvus_search_options *o, const char *expr)
{
    return o ? mv_set_filter(&o->err, __func__, &o->filter, expr) : MILVUS_ERR_INVALID_ARGUMENT;
}

/* A template value for name: the new value, or NULL with *rc set (the
 * name refused, or out of memory). */
mv_tv_val *mv_tv_set(mv_templates *t, mv_opterr *e, const char *setter, const char *name, int *rc)
{
    mv_tv_val *v;
    if ((*rc = mv_setter_name(e, setter, "template", name)) != MILVUS_OK)
        return NULL;
    if (!(v = tv_add(t, name)))
        *rc = MILVUS_ERR_NOMEM;
    return v;
}

milvus_status milvus_search_options_set_template_int(milvus_search_options *o, const char *name,
                                                     int64_t v)
{
    return o ? mv_tv_int(&o->tv, &o->err, __func__, name, v) : MILVUS_ERR_INVALID_ARGUMENT;
}

milvus_status milvus_search_options_set_template_double(milvus_search_options *o, const char *name,
                                                        double v)
{
    return o ? mv_tv_double(&o->tv, &o->err, __func__, name, v) : MILVUS_ERR_INVALID_ARGUMENT;
}

milvus_status milvus_search_options_set_template_bool(milvus_search_options *o, const char *name,
                                                      int v)
{
    return o ? mv_tv_bool(&o->tv, &o->err, __func__, name, v) : MILVUS_ERR_INVALID_ARGUMENT;
}

/* The template value setters, shared by the search and query options:
 * the value under name (replacing an earlier one), or the refusal. */
int mv_tv_int(mv_templates *tv, mv_opterr *e, const char *setter, const char *name, int64_t v)
{
    int rc;
    mv_tv_val *t = mv_tv_set(tv, e, setter, name, &rc);
    if (!t)
        return rc;
    t->val_case = MILVUS__PROTO__SCHEMA__TEMPLATE_VALUE__VAL_INT64_VAL;
    t->int64_val = v;
    mv_accept(e, setter, name);
    return MILVUS_OK;
}

int mv_tv_double(mv_templates *tv, mv_opterr *e, const char *setter, const char *name, double v)
{
    int rc;
    mv_tv_val *t = mv_tv_set(tv, e, setter, name, &rc);
    if (!t)
        return rc;
    t->val_case = MILVUS__PROTO__SCHEMA__TEMPLATE_VALUE__VAL_FLOAT_VAL;
    t->float_val = v;
    mv_accept(e, setter, name);
    return MILVUS_OK;
}

int mv_tv_bool(mv_templates *tv, mv_opterr *e, const char *setter, const char *name, int v)
{
    int rc;
    mv_tv_val *t = mv_tv_set(tv, e, setter, name, &rc);
    if (!t)
        return rc;
    t->val_case = MILVUS__PROTO__SCHEMA__TEMPLATE_VALUE__VAL_BOOL_VAL;
    t->bool_val = v != 0;
    mv_accept(e, setter, name);
    return MILVUS_OK;
}

int mv_tv_string(mv_templates *tv, mv_opterr *e, const char *setter, const char *name,
                 const char *v)
{
    mv_tv_val *t;
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
    return o ? mv_tv_string(&o->tv, &o->err, __func__, name, v) : MILVUS_ERR_INVALID_ARGUMENT;
}

/* The adders of output fields and partitions. */
int mv_add_name(mv_opterr *e, const char *setter, const char *what, mv_strlist *l, const char *name)
{
    int rc = mv_setter_name(e, setter, what, name);
    return rc ? rc : accepted(e, setter, NULL, mv_str_add(l, name));
}

milvus_status milvus_search_options_add_output_field(milvus_search_options *o, const char *f)
{
    return o ? mv_add_name(&o->err, __func__, "field", &o->out, f) : MILVUS_ERR_INVALID_ARGUMENT;
}

milvus_status milvus_search_options_add_partition(milvus_search_options *o, const char *p)
{
    return o ? mv_add_name(&o->err, __func__, "partition", &o->parts, p)
             : MILVUS_ERR_INVALID_ARGUMENT;
}

int mv_set_consistency(mv_opterr *e, const char *setter, int *dst, milvus_consistency l)
{
    if (l < MILVUS_CONSISTENCY_STRONG || l > MILVUS_CONSISTENCY_EVENTUALLY)
        return mv_refuse(e, setter, NULL,
                         "consistency level %d is out of range (" CONSISTENCY_RANGE ")", (int)l);
    *dst = (int)l;
    mv_accept(e, setter, NULL);
    return MILVUS_OK;
}

milvus_status milvus_search_options_set_consistency(milvus_search_options *o, milvus_consistency l)
{
    return o ? mv_set_consistency(&o->err, __func__, &o->consistency, l)
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
                         "value of %s is %s (a JSON value such as 64 or \"x\")", mv_quote(q, key),
                         json ? "empty" : "NULL");
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
            return mv_refuse(&o->err, __func__, NULL, "weight %zu is %g (finite numbers only)", i,
                             w[i]);
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

void mv_search_build_free(mv_search_build *b)
{
    free(b->req.placeholder_group.data);
    mv_kv_free(&b->kv);
    mv_kv_pb_free(b->arr, b->st);
    free(b->tva);
    free(b->tvs);
    free(b->pj);
}

int mv_build_search(milvus_client *c, const char *coll, const milvus_search_options *o,
                    mv_search_build *b)
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
    b->req.search_input_case =
        MILVUS__PROTO__MILVUS__SEARCH_REQUEST__SEARCH_INPUT_PLACEHOLDER_GROUP;
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
        if (!(b->tva = mv_tv_as(
                  &o->tv,
                  &milvus__proto__milvus__search_request__expr_template_values_entry__descriptor,
                  &b->tvs)))
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
            mv_result_set_local(res, rc,
                                rc == MILVUS_ERR_PROTOCOL
                                    ? "search response claims more results than it can carry"
                                    : "out of memory");
    }
    mv_op_finish(op, res);
}

milvus_status milvus_client_search(milvus_client *c, const char *coll,
                                   const milvus_search_options *o, milvus_result_cb cb, void *ctx)
{
    mv_search_build b;
    mv_op *op;
    int rc = mv_client_check(c, cb);
    if (rc || (rc = mv_client_check_name(c, "collection", coll)))
        return rc;
    if (!o)
        return mv_client_seterr(c, MILVUS_ERR_INVALID_ARGUMENT,
                                "search on collection '%s': options are NULL", coll);
    if ((rc = mv_check_opts(c, "search", "search options", &o->err)) != MILVUS_OK)
        return rc;
    if ((rc = mv_build_search(c, coll, o, &b)) != MILVUS_OK) {
        mv_search_build_free(&b);
        return rc;
    }
    if (!(op = mv_op_new(c, "search", coll, cb, ctx))) {
        mv_search_build_free(&b);
        return MILVUS_ERR_NOMEM;
    }
    rc = mv_op_start(op, MV_RPC("Search"), &b.req.base,
                     &milvus__proto__milvus__search_results__descriptor, search_step);
    mv_search_build_free(&b);
    return rc;
}

milvus_status milvus_client_hybrid_search(milvus_client *c, const char *coll,
                                          const milvus_search_options *const *legs, size_t n,
                                          const milvus_search_options *top, milvus_result_cb cb,
                                          void *ctx)
{
    Milvus__Proto__Milvus__HybridSearchRequest req =
        MILVUS__PROTO__MILVUS__HYBRID_SEARCH_REQUEST__INIT;
    mv_search_build *bs = NULL;
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
        if ((rc = mv_build_search(c, coll, legs[built], &bs[built])) != MILVUS_OK) {
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
        mv_search_build_free(&bs[i]);
    free(bs);
    free(reqs);
    mv_kv_pb_free(arr, st);
    mv_kv_free(&kv);
    return rc;
}
