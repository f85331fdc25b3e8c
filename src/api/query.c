/* SPDX-License-Identifier: Apache-2.0 */
/* Query, get and count (and the query options they take). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/api.h"

/* ---- query ---------------------------------------------------------------------- */

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
    mv_tv_free(&o->tv);
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
    return o ? mv_set_filter(&o->err, __func__, &o->filter, expr) : MILVUS_ERR_INVALID_ARGUMENT;
}

milvus_status milvus_query_options_set_template_int(milvus_query_options *o, const char *name,
                                                    int64_t v)
{
    return o ? mv_tv_int(&o->tv, &o->err, __func__, name, v) : MILVUS_ERR_INVALID_ARGUMENT;
}

milvus_status milvus_query_options_set_template_string(milvus_query_options *o, const char *name,
                                                       const char *v)
{
    return o ? mv_tv_string(&o->tv, &o->err, __func__, name, v) : MILVUS_ERR_INVALID_ARGUMENT;
}

milvus_status milvus_query_options_add_output_field(milvus_query_options *o, const char *f)
{
    return o ? mv_add_name(&o->err, __func__, "field", &o->out, f) : MILVUS_ERR_INVALID_ARGUMENT;
}

milvus_status milvus_query_options_add_partition(milvus_query_options *o, const char *p)
{
    return o ? mv_add_name(&o->err, __func__, "partition", &o->parts, p)
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
    return o ? mv_set_consistency(&o->err, __func__, &o->consistency, l)
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
int mv_submit_query(milvus_client *c, const char *opname, const char *coll, const char *expr,
                    const milvus_query_options *o, char **out, size_t nout, mv_step_fn step,
                    milvus_result_cb cb, void *ctx, ProtobufCBinaryData *pack_out)
{
    Milvus__Proto__Milvus__QueryRequest req = MILVUS__PROTO__MILVUS__QUERY_REQUEST__INIT;
    mv_kvlist kv = {0};
    mv_kvp **arr = NULL, *st = NULL;
    mv_tv_entry **tva = NULL, *tvs = NULL;
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
        tva = mv_tv_as(
            &o->tv, &milvus__proto__milvus__query_request__expr_template_values_entry__descriptor,
            &tvs);
        if (!tva) {
            rc = mv_client_seterr(c, MILVUS_ERR_NOMEM, "out of memory");
            goto out;
        }
        req.expr_template_values =
            (Milvus__Proto__Milvus__QueryRequest__ExprTemplateValuesEntry **)tva;
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
    return mv_submit_query(c, "query", coll, o->filter, o, o->out.v, o->out.n, query_step, cb, ctx,
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
    rc = mv_submit_query(c, "get", coll, expr, o, o ? o->out.v : NULL, o ? o->out.n : 0, query_step,
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
    return mv_submit_query(c, "count", coll, filter, NULL, out, 1, count_step, cb, ctx, NULL);
}
