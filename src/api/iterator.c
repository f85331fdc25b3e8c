/* SPDX-License-Identifier: Apache-2.0 */
/* Iterators: the query and search iterators, which fetch a large answer
 * batch by batch. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/api.h"

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
    char *last;      /* query: last key as an expression literal */
    char *token;     /* search: iterator token */
    int64_t coll_id; /* search: the collection's id (0 until known) */
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

int milvus_iterator_done(const milvus_iterator *it)
{
    return !it || it->done;
}

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
        rc = mv_submit_query(c, "query_iterator", coll, "", &tmp, o ? o->out.v : NULL,
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
    mv_search_build b;
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
    if ((rc = mv_build_search(c, coll, o, &b)) == MILVUS_OK) {
        it->base.data = mv_pack(&b.req.base, &it->base.len);
        if (!it->base.data)
            rc = mv_client_seterr(c, MILVUS_ERR_NOMEM, "out of memory");
    }
    mv_search_build_free(&b);
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
static int kv_put(mv_kvlist *l, const char *key, const char *val)
{
    return mv_kv_set(l, key, val);
}

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
        mv_result_set_local(res, MILVUS_ERR_PROTOCOL,
                            "query iterator: the answer lacks the "
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
        mv_result_set_local(res, rc,
                            rc == MILVUS_ERR_PROTOCOL
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
        return mv_client_seterr(c, MILVUS_ERR_BUSY,
                                "%s_iterator on collection '%s': a next() "
                                "is already pending",
                                it->search ? "search" : "query", it->coll);
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
