/* SPDX-License-Identifier: Apache-2.0 */
/* The index build, load and flush-state kinds of await (the engine is
 * poll.c), the flush composite, and the quick collection create that ends
 * in a load await. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/api.h"

#define RESP(x) (&milvus__proto__milvus__##x##__descriptor)
#define STATUS_RESP (&milvus__proto__common__status__descriptor)

/* Quick create: the steps before the load await. */
enum { Q_NONE, Q_CREATE, Q_INDEX, Q_LOAD };

/* ---- index build ------------------------------------------------------------------------ */

static void index_send(mv_op *op)
{
    mv_await *a = op->data;
    Milvus__Proto__Milvus__DescribeIndexRequest req =
        MILVUS__PROTO__MILVUS__DESCRIBE_INDEX_REQUEST__INIT;
    req.msg_base = &mv_msg_base;
    req.collection_name = op->coll;
    req.index_name = a->index ? a->index : (char *)"";
    mv_await_send(op, MV_RPC("DescribeIndex"), &req.base, RESP(describe_index_response));
}

static int index_read(mv_op *op, milvus_result *res, mv_poll_reading *r)
{
    Milvus__Proto__Milvus__DescribeIndexResponse *d = (void *)res->msg;
    int64_t total = 0, done = 0;
    int finished = d->n_index_descriptions > 0;
    (void)op;
    res->idx = d;
    for (size_t i = 0; i < d->n_index_descriptions; i++) {
        Milvus__Proto__Milvus__IndexDescription *x = d->index_descriptions[i];
        if (x->state == MILVUS__PROTO__COMMON__INDEX_STATE__Failed) {
            mv_errf(r->reason, sizeof(r->reason), "index '%s' on field '%s' failed: %s",
                    x->index_name, x->field_name,
                    x->index_state_fail_reason && x->index_state_fail_reason[0]
                        ? x->index_state_fail_reason
                        : "no reason given");
            r->code = 700;
            return MV_POLL_FAILED;
        }
        if (x->state != MILVUS__PROTO__COMMON__INDEX_STATE__Finished)
            finished = 0;
        total += x->total_rows;
        done += x->indexed_rows;
    }
    if (finished) {
        r->progress = 100;
        return MV_POLL_DONE;
    }
    /* rows indexed so far; never 100 before every index is Finished */
    r->progress = total > 0 ? (done * 100 / total > 99 ? 99 : done * 100 / total) : 0;
    return MV_POLL_PENDING;
}

static void index_name(const mv_op *op, char *buf, size_t len)
{
    (void)op;
    mv_errf(buf, len, "index build");
}

/* The result strings: the names of the indexes. */
static void index_complete(mv_op *op, milvus_result *res)
{
    (void)op;
    for (size_t i = 0; i < res->idx->n_index_descriptions; i++)
        if (mv_str_add(&res->strs, res->idx->index_descriptions[i]->index_name))
            break;
}

static const mv_poll_kind index_kind = {index_send, index_read, index_name, NULL, index_complete};

milvus_status milvus_client_await_index(milvus_client *c, const char *collection, const char *index,
                                        const milvus_await_options *o, milvus_result_cb cb,
                                        void *ctx)
{
    mv_op *op;
    int rc = mv_prologue(c, cb, "collection", collection, index ? "index" : NULL, index);
    if (rc || (o && (rc = mv_check_opts(c, "await_index", "await options", &o->err))))
        return rc;
    if (!(op = mv_await_op(c, "await_index", collection, &index_kind, o, cb, ctx)))
        return MILVUS_ERR_NOMEM;
    if (index && !(((mv_await *)op->data)->index = mv_strdup(index))) {
        mv_op_discard(op);
        return mv_client_seterr(c, MILVUS_ERR_NOMEM, "out of memory");
    }
    return mv_await_start(op);
}

/* ---- load ------------------------------------------------------------------------------- */

static void load_send(mv_op *op)
{
    mv_await *a = op->data;
    Milvus__Proto__Milvus__GetLoadingProgressRequest req =
        MILVUS__PROTO__MILVUS__GET_LOADING_PROGRESS_REQUEST__INIT;
    req.msg_base = &mv_msg_base;
    req.collection_name = op->coll;
    req.partition_names = a->parts.v;
    req.n_partition_names = a->parts.n;
    mv_await_send(op, MV_RPC("GetLoadingProgress"), &req.base, RESP(get_loading_progress_response));
}

static int load_read(mv_op *op, milvus_result *res, mv_poll_reading *r)
{
    (void)op;
    r->progress = ((Milvus__Proto__Milvus__GetLoadingProgressResponse *)res->msg)->progress;
    return r->progress >= 100 ? MV_POLL_DONE : MV_POLL_PENDING;
}

static void load_name(const mv_op *op, char *buf, size_t len)
{
    (void)op;
    mv_errf(buf, len, "load");
}

static const mv_poll_kind load_kind = {load_send, load_read, load_name, NULL, NULL};

milvus_status milvus_client_await_load(milvus_client *c, const char *collection,
                                       const char *const *partitions, size_t n,
                                       const milvus_await_options *o, milvus_result_cb cb,
                                       void *ctx)
{
    mv_op *op;
    int rc = mv_prologue(c, cb, "collection", collection, NULL, NULL);
    if (rc || (o && (rc = mv_check_opts(c, "await_load", "await options", &o->err))))
        return rc;
    if (n && !partitions)
        return mv_client_seterr(c, MILVUS_ERR_INVALID_ARGUMENT, "partitions is NULL");
    for (size_t i = 0; i < n; i++)
        if ((rc = mv_client_check_name(c, "partition", partitions[i])) != MILVUS_OK)
            return rc;
    if (!(op = mv_await_op(c, "await_load", collection, &load_kind, o, cb, ctx)))
        return MILVUS_ERR_NOMEM;
    for (size_t i = 0; i < n; i++) {
        if (mv_str_add(&((mv_await *)op->data)->parts, partitions[i]) != MILVUS_OK) {
            mv_op_discard(op);
            return mv_client_seterr(c, MILVUS_ERR_NOMEM, "out of memory");
        }
    }
    return mv_await_start(op);
}

/* ---- flush state ------------------------------------------------------------------------ */

static void flush_send(mv_op *op)
{
    mv_await *a = op->data;
    Milvus__Proto__Milvus__GetFlushStateRequest req =
        MILVUS__PROTO__MILVUS__GET_FLUSH_STATE_REQUEST__INIT;
    req.segmentids = a->segs;
    req.n_segmentids = a->nsegs;
    req.flush_ts = a->flush_ts;
    if (a->db)
        req.db_name = a->db;
    req.collection_name = op->coll;
    mv_await_send(op, MV_RPC("GetFlushState"), &req.base, RESP(get_flush_state_response));
}

static int flush_read(mv_op *op, milvus_result *res, mv_poll_reading *r)
{
    (void)op;
    r->progress = ((Milvus__Proto__Milvus__GetFlushStateResponse *)res->msg)->flushed ? 100 : 0;
    return r->progress ? MV_POLL_DONE : MV_POLL_PENDING;
}

static void flush_name(const mv_op *op, char *buf, size_t len)
{
    mv_errf(buf, len, "flush of collection '%s'", op->coll);
}

const mv_poll_kind mv_flush_kind = {flush_send, flush_read, flush_name, NULL, NULL};

void mv_flush_step(mv_op *op, milvus_result *res)
{
    mv_await *a = op->data;
    Milvus__Proto__Milvus__FlushResponse *r = (void *)res->msg;
    if (res->status != MILVUS_OK || !r) {
        mv_op_finish(op, res);
        return;
    }
    for (size_t i = 0; i < r->n_coll_segids; i++) {
        Milvus__Proto__Schema__LongArray *la = r->coll_segids[i]->value;
        if (strcmp(r->coll_segids[i]->key, op->coll) != 0 || !la || !la->n_data)
            continue;
        free(a->segs);
        if (!(a->segs = malloc(la->n_data * sizeof(int64_t)))) {
            a->nsegs = 0;
            milvus_result_unref(res);
            mv_op_fail(op, MILVUS_ERR_NOMEM, "out of memory");
            return;
        }
        memcpy(a->segs, la->data, la->n_data * sizeof(int64_t));
        a->nsegs = la->n_data;
    }
    for (size_t i = 0; i < r->n_coll_flush_ts; i++)
        if (strcmp(r->coll_flush_ts[i]->key, op->coll) == 0)
            a->flush_ts = r->coll_flush_ts[i]->value;
    milvus_result_unref(res);
    mv_await_poll(op);
}

milvus_status milvus_client_flush_and_wait(milvus_client *c, const char *collection,
                                           const milvus_await_options *o, milvus_result_cb cb,
                                           void *ctx)
{
    Milvus__Proto__Milvus__FlushRequest req = MILVUS__PROTO__MILVUS__FLUSH_REQUEST__INIT;
    char *names[1];
    mv_op *op;
    int rc = mv_prologue(c, cb, "collection", collection, NULL, NULL);
    if (rc || (o && (rc = mv_check_opts(c, "flush_and_wait", "await options", &o->err))))
        return rc;
    if (!(op = mv_await_op(c, "flush_and_wait", collection, &mv_flush_kind, o, cb, ctx)))
        return MILVUS_ERR_NOMEM;
    names[0] = (char *)collection;
    req.msg_base = &mv_msg_base;
    req.collection_names = names;
    req.n_collection_names = 1;
    return mv_await_start_rpc(op, MV_RPC("Flush"), &req.base, RESP(flush_response), mv_flush_step);
}

/* ---- quick create ------------------------------------------------------------------------ */

static void quick_step(mv_op *op, milvus_result *res)
{
    mv_await *w = op->data;
    if (res->status != MILVUS_OK) {
        mv_op_finish(op, res);
        return;
    }
    milvus_result_unref(res);
    if (w->quick == Q_CREATE) {
        Milvus__Proto__Milvus__CreateIndexRequest req =
            MILVUS__PROTO__MILVUS__CREATE_INDEX_REQUEST__INIT;
        mv_kvp kv[2] = {MILVUS__PROTO__COMMON__KEY_VALUE_PAIR__INIT,
                        MILVUS__PROTO__COMMON__KEY_VALUE_PAIR__INIT};
        mv_kvp *kvs[2] = {&kv[0], &kv[1]};
        kv[0].key = (char *)"index_type";
        kv[0].value = (char *)"AUTOINDEX";
        kv[1].key = (char *)"metric_type";
        kv[1].value = w->metric;
        req.msg_base = &mv_msg_base;
        req.collection_name = op->coll;
        req.field_name = (char *)"vector";
        req.index_name = (char *)"vector";
        req.extra_params = kvs;
        req.n_extra_params = 2;
        w->quick = Q_INDEX;
        mv_await_rpc(op, MV_RPC("CreateIndex"), &req.base, STATUS_RESP, quick_step);
    } else if (w->quick == Q_INDEX) {
        Milvus__Proto__Milvus__LoadCollectionRequest req =
            MILVUS__PROTO__MILVUS__LOAD_COLLECTION_REQUEST__INIT;
        req.msg_base = &mv_msg_base;
        req.collection_name = op->coll;
        w->quick = Q_LOAD;
        mv_await_rpc(op, MV_RPC("LoadCollection"), &req.base, STATUS_RESP, quick_step);
    } else {
        w->quick = Q_NONE;
        mv_await_poll(op); /* the load await */
    }
}

milvus_status milvus_client_create_collection_quick(milvus_client *c, const char *collection,
                                                    int64_t dim, const char *metric, int auto_id,
                                                    const milvus_await_options *o,
                                                    milvus_result_cb cb, void *ctx)
{
    Milvus__Proto__Milvus__CreateCollectionRequest req =
        MILVUS__PROTO__MILVUS__CREATE_COLLECTION_REQUEST__INIT;
    milvus_schema *s = NULL;
    milvus_field *id = NULL, *vec = NULL;
    char err[MV_ERRBUF];
    mv_await *w;
    mv_op *op;
    int rc = mv_prologue(c, cb, "collection", collection, NULL, NULL);
    if (rc || (o && (rc = mv_check_opts(c, "create_collection_quick", "await options", &o->err))))
        return rc;
    if (metric && (!*metric || !mv_utf8_valid(metric, strlen(metric))))
        return mv_client_seterr(c, MILVUS_ERR_INVALID_ARGUMENT,
                                "create_collection_quick: bad metric type");
    if ((rc = milvus_schema_new(&s, collection)) ||
        (rc = milvus_field_new(&id, "id", MILVUS_TYPE_INT64)) ||
        (rc = milvus_field_set_primary_key(id, 1)) ||
        (rc = milvus_field_set_auto_id(id, auto_id)) ||
        (rc = milvus_field_new(&vec, "vector", MILVUS_TYPE_FLOAT_VECTOR)) ||
        (rc = milvus_field_set_dim(vec, dim)) || (rc = milvus_schema_add_field(s, id)) ||
        (rc = milvus_schema_add_field(s, vec)) || (rc = milvus_schema_set_dynamic_field(s, 1)) ||
        (rc = milvus_schema_validate(s, err, sizeof(err)))) {
        mv_client_seterr(c, rc, "create_collection_quick on collection '%s': %s", collection,
                         rc == MILVUS_ERR_NOMEM                 ? "out of memory"
                         : vec && *milvus_field_last_error(vec) ? milvus_field_last_error(vec)
                                                                : "dimension out of range");
        goto out;
    }
    if (!(op = mv_await_op(c, "create_collection_quick", collection, &load_kind, o, cb, ctx))) {
        rc = MILVUS_ERR_NOMEM;
        goto out;
    }
    w = op->data;
    w->quick = Q_CREATE;
    if (!(w->metric = mv_strdup(metric ? metric : "COSINE")) ||
        !(req.schema.data = mv_pack(&s->pb->base, &req.schema.len))) {
        mv_op_discard(op);
        rc = mv_client_seterr(c, MILVUS_ERR_NOMEM, "out of memory");
        goto out;
    }
    req.msg_base = &mv_msg_base;
    req.collection_name = (char *)collection;
    req.consistency_level = MILVUS__PROTO__COMMON__CONSISTENCY_LEVEL__Bounded;
    mv_cache_evict(c, collection);
    rc = mv_await_start_rpc(op, MV_RPC("CreateCollection"), &req.base, STATUS_RESP, quick_step);
    free(req.schema.data);
out:
    milvus_field_free(id);
    milvus_field_free(vec);
    milvus_schema_free(s);
    return rc;
}
