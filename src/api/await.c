/* SPDX-License-Identifier: Apache-2.0 */
/* Awaits of long server jobs (index build, load, flush) polled on event
 * timers with backoff, progress reports, a deadline and cancel; and the
 * quick collection create built on them. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "api/api.h"

#define RESP(x) (&milvus__proto__milvus__##x##__descriptor)
#define STATUS_RESP (&milvus__proto__common__status__descriptor)

struct milvus_await_options {
    int64_t timeout_ms;
    int64_t initial_ms, max_ms;
    milvus_progress_cb cb;
    void *ctx;
    mv_opterr err; /* refused setter values */
};

static const milvus_await_options await_defaults = {0, 100, 1000, NULL, NULL, {NULL}};

milvus_await_options *milvus_await_options_new(void)
{
    milvus_await_options *o = malloc(sizeof(*o));
    if (o)
        *o = await_defaults;
    return o;
}

void milvus_await_options_free(milvus_await_options *o)
{
    if (!o)
        return;
    mv_opterr_free(&o->err);
    free(o);
}

const char *milvus_await_options_last_error(const milvus_await_options *o)
{
    return mv_opterr_msg(o ? &o->err : NULL);
}

int milvus_await_options_set_timeout_ms(milvus_await_options *o, int64_t ms)
{
    if (!o)
        return MILVUS_ERR_INVALID_ARGUMENT;
    if (ms < 0)
        return mv_refuse(&o->err, __func__, NULL,
                         "timeout %lld ms is out of range (0 = none, or more)", (long long)ms);
    o->timeout_ms = ms;
    mv_accept(&o->err, __func__, NULL);
    return MILVUS_OK;
}

int milvus_await_options_set_interval(milvus_await_options *o, int64_t initial_ms,
                                      int64_t max_ms)
{
    if (!o)
        return MILVUS_ERR_INVALID_ARGUMENT;
    if (initial_ms < 1)
        return mv_refuse(&o->err, __func__, NULL,
                         "initial_ms %lld is out of range (at least 1)", (long long)initial_ms);
    if (max_ms < initial_ms)
        return mv_refuse(&o->err, __func__, NULL,
                         "max_ms %lld is out of range (at least initial_ms, %lld)",
                         (long long)max_ms, (long long)initial_ms);
    o->initial_ms = initial_ms;
    o->max_ms = max_ms;
    mv_accept(&o->err, __func__, NULL);
    return MILVUS_OK;
}

int milvus_await_options_set_progress(milvus_await_options *o, milvus_progress_cb cb, void *ctx)
{
    if (!o)
        return MILVUS_ERR_INVALID_ARGUMENT;
    o->cb = cb;
    o->ctx = ctx;
    return MILVUS_OK;
}


/* ---- the poll loop ---------------------------------------------------------------------- */

enum { W_INDEX, W_LOAD, W_FLUSH };
/* Quick create: the steps before the load await. */
enum { Q_NONE, Q_CREATE, Q_INDEX, Q_LOAD };

typedef struct waiter {
    int kind;
    milvus_await_options ao;
    int64_t deadline; /* monotonic ms; 0 = none */
    int64_t interval;
    int64_t last_progress;
    char *index;      /* W_INDEX: one index (NULL = all) */
    mv_strlist parts; /* W_LOAD: partitions */
    int64_t *segs;    /* W_FLUSH */
    size_t nsegs;
    uint64_t flush_ts;
    int quick;        /* Q_*: the quick create's current step */
    char *metric;
} waiter;

static void waiter_free(void *p)
{
    waiter *w = p;
    free(w->index);
    mv_str_free(&w->parts);
    free(w->segs);
    free(w->metric);
    free(w);
}

static waiter *waiter_new(int kind, const milvus_await_options *ao)
{
    waiter *w = calloc(1, sizeof(*w));
    if (!w)
        return NULL;
    w->kind = kind;
    w->ao = ao ? *ao : await_defaults;
    w->ao.err.list = NULL; /* the numbers are copied, the refusals stay with ao */
    w->interval = w->ao.initial_ms;
    w->last_progress = -1;
    if (w->ao.timeout_ms > 0)
        w->deadline = mv_now_ms() + w->ao.timeout_ms;
    return w;
}

static void poll_step(mv_op *op, milvus_result *res);

static const char *what(const waiter *w)
{
    return w->kind == W_INDEX ? "index build" : w->kind == W_LOAD ? "load" : "flush";
}

static void send_poll(mv_op *op)
{
    waiter *w = op->data;
    if (w->kind == W_INDEX) {
        Milvus__Proto__Milvus__DescribeIndexRequest req =
            MILVUS__PROTO__MILVUS__DESCRIBE_INDEX_REQUEST__INIT;
        req.msg_base = &mv_msg_base;
        req.collection_name = op->coll;
        if (w->index)
            req.index_name = w->index;
        mv_op_rpc(op, MV_RPC("DescribeIndex"), &req.base, RESP(describe_index_response),
                  poll_step);
    } else if (w->kind == W_LOAD) {
        Milvus__Proto__Milvus__GetLoadingProgressRequest req =
            MILVUS__PROTO__MILVUS__GET_LOADING_PROGRESS_REQUEST__INIT;
        req.msg_base = &mv_msg_base;
        req.collection_name = op->coll;
        req.partition_names = w->parts.v;
        req.n_partition_names = w->parts.n;
        mv_op_rpc(op, MV_RPC("GetLoadingProgress"), &req.base,
                  RESP(get_loading_progress_response), poll_step);
    } else {
        Milvus__Proto__Milvus__GetFlushStateRequest req =
            MILVUS__PROTO__MILVUS__GET_FLUSH_STATE_REQUEST__INIT;
        req.segmentids = w->segs;
        req.n_segmentids = w->nsegs;
        req.flush_ts = w->flush_ts;
        req.collection_name = op->coll;
        mv_op_rpc(op, MV_RPC("GetFlushState"), &req.base, RESP(get_flush_state_response),
                  poll_step);
    }
}


static void next_poll(mv_op *op, milvus_result *last)
{
    waiter *w = op->data;
    int64_t wait = mv_poll_wait(&w->interval, 2.0, w->ao.max_ms, w->deadline);
    if (wait < 0) {
        if (w->last_progress >= 0)
            mv_op_fail(op, MILVUS_ERR_TIMEOUT,
                       "%s still at %lld%% when the await deadline of %lld ms passed",
                       what(w), (long long)w->last_progress, (long long)w->ao.timeout_ms);
        else
            mv_op_fail(op, MILVUS_ERR_TIMEOUT, "%s: no answer before the await deadline of "
                       "%lld ms%s%s", what(w), (long long)w->ao.timeout_ms,
                       last ? ": " : "", last ? milvus_result_message(last) : "");
        milvus_result_unref(last);
        return;
    }
    milvus_result_unref(last);
    mv_op_sleep(op, wait, send_poll);
}

/* Progress of the answer in res (0..100), -1 = failed (message in res). */
static int64_t progress_of(mv_op *op, milvus_result *res)
{
    waiter *w = op->data;
    if (w->kind == W_LOAD)
        return ((Milvus__Proto__Milvus__GetLoadingProgressResponse *)res->msg)->progress;
    if (w->kind == W_FLUSH)
        return ((Milvus__Proto__Milvus__GetFlushStateResponse *)res->msg)->flushed ? 100 : 0;
    {
        Milvus__Proto__Milvus__DescribeIndexResponse *r = (void *)res->msg;
        int64_t total = 0, done = 0;
        int finished = 1;
        res->idx = r;
        for (size_t i = 0; i < r->n_index_descriptions; i++) {
            Milvus__Proto__Milvus__IndexDescription *d = r->index_descriptions[i];
            if (d->state == MILVUS__PROTO__COMMON__INDEX_STATE__Failed) {
                Milvus__Proto__Common__Status st = MILVUS__PROTO__COMMON__STATUS__INIT;
                char buf[MV_ERRBUF];
                mv_errf(buf, sizeof(buf), "index '%s' on field '%s' failed: %s",
                        d->index_name, d->field_name,
                        d->index_state_fail_reason && d->index_state_fail_reason[0]
                            ? d->index_state_fail_reason
                            : "no reason given");
                st.code = 700;
                st.reason = buf;
                mv_result_set_error(res, MILVUS_ERR_SERVER, MILVUS_GRPC_OK, "", &st);
                return -1;
            }
            if (d->state != MILVUS__PROTO__COMMON__INDEX_STATE__Finished)
                finished = 0;
            total += d->total_rows;
            done += d->indexed_rows;
        }
        if (!r->n_index_descriptions)
            finished = 0;
        if (finished)
            return 100;
        /* rows indexed so far; never 100 before every index is Finished */
        return total > 0 ? (done * 100 / total > 99 ? 99 : done * 100 / total) : 0;
    }
}

static void poll_step(mv_op *op, milvus_result *res)
{
    waiter *w = op->data;
    int64_t p;
    if (res->status != MILVUS_OK) {
        if (mv_result_transient(res)) {
            next_poll(op, res);
            return;
        }
        mv_op_finish(op, res);
        return;
    }
    if ((p = progress_of(op, res)) < 0) {
        mv_op_finish(op, res);
        return;
    }
    res->i64 = p;
    if (p != w->last_progress && w->ao.cb) {
        w->last_progress = p;
        w->ao.cb(op->c, p, res, w->ao.ctx);
    }
    w->last_progress = p;
    if (p >= 100) {
        if (w->kind == W_INDEX)
            for (size_t i = 0; i < res->idx->n_index_descriptions; i++)
                if (mv_str_add(&res->strs, res->idx->index_descriptions[i]->index_name))
                    break;
        mv_op_finish(op, res);
        return;
    }
    next_poll(op, res);
}

static mv_op *await_op(milvus_client *c, const char *opname, const char *coll, int kind,
                       const milvus_await_options *ao, milvus_result_cb cb, void *ctx)
{
    waiter *w = waiter_new(kind, ao);
    mv_op *op;
    if (!w) {
        mv_client_seterr(c, MILVUS_ERR_NOMEM, "out of memory");
        return NULL;
    }
    if (!(op = mv_op_new(c, opname, coll, cb, ctx))) {
        waiter_free(w);
        return NULL;
    }
    op->data = w;
    op->data_free = waiter_free;
    return op;
}

int milvus_client_await_index(milvus_client *c, const char *collection, const char *index,
                              const milvus_await_options *o, milvus_result_cb cb, void *ctx)
{
    Milvus__Proto__Milvus__DescribeIndexRequest req =
        MILVUS__PROTO__MILVUS__DESCRIBE_INDEX_REQUEST__INIT;
    waiter *w;
    mv_op *op;
    int rc = mv_prologue(c, cb, "collection", collection, index ? "index" : NULL, index);
    if (rc || (o && (rc = mv_check_opts(c, "await_index", "await options", &o->err))))
        return rc;
    if (!(op = await_op(c, "await_index", collection, W_INDEX, o, cb, ctx)))
        return MILVUS_ERR_NOMEM;
    w = op->data;
    if (index && !(w->index = mv_strdup(index))) {
        mv_op_discard(op);
        return mv_client_seterr(c, MILVUS_ERR_NOMEM, "out of memory");
    }
    req.msg_base = &mv_msg_base;
    req.collection_name = (char *)collection;
    req.index_name = w->index ? w->index : (char *)"";
    return mv_op_start(op, MV_RPC("DescribeIndex"), &req.base, RESP(describe_index_response),
                       poll_step);
}

static int start_load_await(milvus_client *c, const char *opname, const char *collection,
                            const char *const *parts, size_t n, const milvus_await_options *o,
                            milvus_result_cb cb, void *ctx)
{
    Milvus__Proto__Milvus__GetLoadingProgressRequest req =
        MILVUS__PROTO__MILVUS__GET_LOADING_PROGRESS_REQUEST__INIT;
    waiter *w;
    mv_op *op;
    if (!(op = await_op(c, opname, collection, W_LOAD, o, cb, ctx)))
        return MILVUS_ERR_NOMEM;
    w = op->data;
    for (size_t i = 0; i < n; i++) {
        if (mv_str_add(&w->parts, parts[i]) != MILVUS_OK) {
            mv_op_discard(op);
            return mv_client_seterr(c, MILVUS_ERR_NOMEM, "out of memory");
        }
    }
    req.msg_base = &mv_msg_base;
    req.collection_name = (char *)collection;
    req.partition_names = w->parts.v;
    req.n_partition_names = w->parts.n;
    return mv_op_start(op, MV_RPC("GetLoadingProgress"), &req.base,
                       RESP(get_loading_progress_response), poll_step);
}

int milvus_client_await_load(milvus_client *c, const char *collection,
                             const char *const *partitions, size_t n,
                             const milvus_await_options *o, milvus_result_cb cb, void *ctx)
{
    int rc = mv_prologue(c, cb, "collection", collection, NULL, NULL);
    if (rc || (o && (rc = mv_check_opts(c, "await_load", "await options", &o->err))))
        return rc;
    if (n && !partitions)
        return mv_client_seterr(c, MILVUS_ERR_INVALID_ARGUMENT, "partitions is NULL");
    for (size_t i = 0; i < n; i++)
        if ((rc = mv_client_check_name(c, "partition", partitions[i])) != MILVUS_OK)
            return rc;
    return start_load_await(c, "await_load", collection, partitions, n, o, cb, ctx);
}

/* Flush answered: remember the sealed segments and the flush ts, poll. */
static void flush_step(mv_op *op, milvus_result *res)
{
    waiter *w = op->data;
    Milvus__Proto__Milvus__FlushResponse *r = (void *)res->msg;
    if (res->status != MILVUS_OK || !r) {
        mv_op_finish(op, res);
        return;
    }
    for (size_t i = 0; i < r->n_coll_segids; i++) {
        Milvus__Proto__Schema__LongArray *la = r->coll_segids[i]->value;
        if (strcmp(r->coll_segids[i]->key, op->coll) != 0 || !la || !la->n_data)
            continue;
        free(w->segs);
        if (!(w->segs = malloc(la->n_data * sizeof(int64_t)))) {
            milvus_result_unref(res);
            mv_op_fail(op, MILVUS_ERR_NOMEM, "out of memory");
            return;
        }
        memcpy(w->segs, la->data, la->n_data * sizeof(int64_t));
        w->nsegs = la->n_data;
    }
    for (size_t i = 0; i < r->n_coll_flush_ts; i++)
        if (strcmp(r->coll_flush_ts[i]->key, op->coll) == 0)
            w->flush_ts = r->coll_flush_ts[i]->value;
    milvus_result_unref(res);
    send_poll(op);
}

int milvus_client_flush_and_await(milvus_client *c, const char *collection,
                                  const milvus_await_options *o, milvus_result_cb cb, void *ctx)
{
    Milvus__Proto__Milvus__FlushRequest req = MILVUS__PROTO__MILVUS__FLUSH_REQUEST__INIT;
    char *names[1];
    mv_op *op;
    int rc = mv_prologue(c, cb, "collection", collection, NULL, NULL);
    if (rc || (o && (rc = mv_check_opts(c, "flush_and_await", "await options", &o->err))))
        return rc;
    if (!(op = await_op(c, "flush_and_await", collection, W_FLUSH, o, cb, ctx)))
        return MILVUS_ERR_NOMEM;
    names[0] = (char *)collection;
    req.msg_base = &mv_msg_base;
    req.collection_names = names;
    req.n_collection_names = 1;
    return mv_op_start(op, MV_RPC("Flush"), &req.base, RESP(flush_response), flush_step);
}

/* ---- quick create ------------------------------------------------------------------------ */

static void quick_step(mv_op *op, milvus_result *res)
{
    waiter *w = op->data;
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
        mv_op_rpc(op, MV_RPC("CreateIndex"), &req.base, STATUS_RESP, quick_step);
    } else if (w->quick == Q_INDEX) {
        Milvus__Proto__Milvus__LoadCollectionRequest req =
            MILVUS__PROTO__MILVUS__LOAD_COLLECTION_REQUEST__INIT;
        req.msg_base = &mv_msg_base;
        req.collection_name = op->coll;
        w->quick = Q_LOAD;
        mv_op_rpc(op, MV_RPC("LoadCollection"), &req.base, STATUS_RESP, quick_step);
    } else {
        w->quick = Q_NONE;
        send_poll(op); /* the load await */
    }
}

int milvus_client_create_collection_quick(milvus_client *c, const char *collection, int64_t dim,
                                          const char *metric, int auto_id,
                                          const milvus_await_options *o, milvus_result_cb cb,
                                          void *ctx)
{
    Milvus__Proto__Milvus__CreateCollectionRequest req =
        MILVUS__PROTO__MILVUS__CREATE_COLLECTION_REQUEST__INIT;
    milvus_schema *s = NULL;
    milvus_field *id = NULL, *vec = NULL;
    char err[MV_ERRBUF];
    waiter *w;
    mv_op *op;
    int rc = mv_prologue(c, cb, "collection", collection, NULL, NULL);
    if (rc ||
        (o && (rc = mv_check_opts(c, "create_collection_quick", "await options", &o->err))))
        return rc;
    if (metric && (!*metric || !mv_utf8_valid(metric, strlen(metric))))
        return mv_client_seterr(c, MILVUS_ERR_INVALID_ARGUMENT,
                                "create_collection_quick: bad metric type");
    if ((rc = milvus_schema_new(&s, collection)) || (rc = milvus_field_new(&id, "id", MILVUS_TYPE_INT64)) ||
        (rc = milvus_field_set_primary_key(id, 1)) || (rc = milvus_field_set_auto_id(id, auto_id)) ||
        (rc = milvus_field_new(&vec, "vector", MILVUS_TYPE_FLOAT_VECTOR)) ||
        (rc = milvus_field_set_dim(vec, dim)) || (rc = milvus_schema_add_field(s, id)) ||
        (rc = milvus_schema_add_field(s, vec)) || (rc = milvus_schema_set_dynamic_field(s, 1)) ||
        (rc = milvus_schema_validate(s, err, sizeof(err)))) {
        mv_client_seterr(c, rc, "create_collection_quick on collection '%s': %s", collection,
                         rc == MILVUS_ERR_NOMEM                  ? "out of memory"
                         : vec && *milvus_field_last_error(vec) ? milvus_field_last_error(vec)
                                                                 : "dimension out of range");
        goto out;
    }
    if (!(op = await_op(c, "create_collection_quick", collection, W_LOAD, o, cb, ctx))) {
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
    rc = mv_op_start(op, MV_RPC("CreateCollection"), &req.base, STATUS_RESP, quick_step);
    free(req.schema.data);
out:
    milvus_field_free(id);
    milvus_field_free(vec);
    milvus_schema_free(s);
    return rc;
}
