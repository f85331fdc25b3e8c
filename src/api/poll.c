/* SPDX-License-Identifier: Apache-2.0 */
/* The one await engine: every await of the library (index build, load,
 * flush state, restore and export jobs, and the composites that end in
 * one) polls through here.  The engine owns the timer and its backoff,
 * the deadline, progress reports, and the rule saying which failed polls
 * do not end an await; a kind of await only says how to send one poll
 * and what an answer means (see mv_poll_kind in api.h). */
#include <stdlib.h>
#include <string.h>

#include "api/api.h"
#include "common/backoff.h"

/* ---- options ---------------------------------------------------------------------------- */

static const milvus_await_options await_defaults = {0, 100, 1000, 2.0, NULL, NULL, {NULL}};

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

milvus_status milvus_await_options_set_timeout_ms(milvus_await_options *o, int64_t ms)
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

milvus_status milvus_await_options_set_interval(milvus_await_options *o, int64_t initial_ms,
                                                int64_t max_ms, double factor)
{
    if (!o)
        return MILVUS_ERR_INVALID_ARGUMENT;
    if (initial_ms < 1)
        return mv_refuse(&o->err, __func__, NULL, "initial_ms %lld is out of range (at least 1)",
                         (long long)initial_ms);
    if (max_ms < initial_ms)
        return mv_refuse(&o->err, __func__, NULL,
                         "max_ms %lld is out of range (at least initial_ms, %lld)",
                         (long long)max_ms, (long long)initial_ms);
    /* written so that NaN is refused too */
    if (!(factor >= 1.0 && factor <= 100.0))
        return mv_refuse(&o->err, __func__, NULL, "factor %g is out of range (1..100)", factor);
    o->initial_ms = initial_ms;
    o->max_ms = max_ms;
    o->factor = factor;
    mv_accept(&o->err, __func__, NULL);
    return MILVUS_OK;
}

milvus_status milvus_await_options_set_progress(milvus_await_options *o, milvus_progress_cb cb,
                                                void *ctx)
{
    if (!o)
        return MILVUS_ERR_INVALID_ARGUMENT;
    o->cb = cb;
    o->ctx = ctx;
    return MILVUS_OK;
}

/* ---- the transient-failure rule ---------------------------------------------------------- */

/* The one rule, for every await: a failed poll that a later poll may get
 * past does not end the await, which polls again on its usual cadence
 * (the deadline, when there is one, still ends it):
 *  - the connection lost, or not made (DISCONNECTED, CONNECT, RESOLVE):
 *    the client reconnects for the next poll;
 *  - one poll running out of time: its deadline passing here (TIMEOUT)
 *    or at the server (gRPC DEADLINE_EXCEEDED: the server gave up at the
 *    grpc-timeout sent) -- that poll's own deadline, and when it was the
 *    rest of the await's, the await ends at its deadline as usual;
 *  - gRPC UNAVAILABLE: a server or proxy restarting or shedding load;
 *  - Milvus rate limiting (code 8, legacy RateLimit) that outlasted the
 *    client's own rate-limit retries: the limit is on the poll, the job
 *    itself goes on;
 *  - any other Milvus status the server marks retriable.
 * Everything else ends the await with the poll's failure: refusals (no
 * such job, collection or index), authentication, TLS and protocol
 * failures, out of memory, cancel. */
int mv_await_transient(const milvus_result *res)
{
    switch (res->status) {
    case MILVUS_ERR_DISCONNECTED:
    case MILVUS_ERR_CONNECT:
    case MILVUS_ERR_RESOLVE:
    case MILVUS_ERR_TIMEOUT: return 1;
    case MILVUS_ERR_GRPC:
        return res->grpc_code == MILVUS_GRPC_UNAVAILABLE ||
               res->grpc_code == MILVUS_GRPC_DEADLINE_EXCEEDED;
    case MILVUS_ERR_SERVER: return res->retriable || res->server_code == 8;
    default: return 0;
    }
}

/* ---- the engine ------------------------------------------------------------------------- */

static void await_free(void *p)
{
    mv_await *a = p;
    free(a->index);
    mv_str_free(&a->parts);
    free(a->segs);
    free(a->db);
    free(a->metric);
    free(a->last_err);
    if (a->extra_free)
        a->extra_free(a->extra);
    free(a);
}

mv_op *mv_await_op(milvus_client *c, const char *opname, const char *coll, const mv_poll_kind *k,
                   const milvus_await_options *o, milvus_result_cb cb, void *ctx)
{
    mv_await *a = calloc(1, sizeof(*a));
    mv_op *op;
    if (!a) {
        mv_client_seterr(c, MILVUS_ERR_NOMEM, "out of memory");
        return NULL;
    }
    if (!(op = mv_op_new(c, opname, coll, cb, ctx))) {
        free(a);
        return NULL;
    }
    a->kind = k;
    a->ao = o ? *o : await_defaults;
    a->ao.err.list = NULL; /* the numbers are copied, the refusals stay with o */
    a->last_progress = -1;
    a->last_stage = -1;
    /* the deadline runs from submission: the steps of a composite before
     * its polls count against it too */
    if (a->ao.timeout_ms > 0)
        a->deadline = mv_now_ms() + a->ao.timeout_ms;
    op->data = a;
    op->data_free = await_free;
    return op;
}

/* Each RPC of an await is bounded by what is left of the await's
 * deadline, so that a silent server cannot hold the await past it. */
static void bound(mv_op *op)
{
    mv_await *a = op->data;
    if (a->deadline) {
        int64_t left = a->deadline - mv_now_ms();
        op->rpc_timeout_ms = left > 0 ? left : 1;
    }
}

static void poll_step(mv_op *op, milvus_result *res);

void mv_await_send(mv_op *op, const char *method, const ProtobufCMessage *req,
                   const ProtobufCMessageDescriptor *resp_desc)
{
    mv_await *a = op->data;
    bound(op);
    a->polls++;
    if (a->starting)
        a->start_rc = mv_op_start(op, method, req, resp_desc, poll_step);
    else
        mv_op_rpc(op, method, req, resp_desc, poll_step);
}

int mv_await_start(mv_op *op)
{
    mv_await *a = op->data;
    a->starting = 1;
    a->kind->send(op);
    a->starting = 0;
    return a->start_rc;
}

int mv_await_start_rpc(mv_op *op, const char *method, const ProtobufCMessage *req,
                       const ProtobufCMessageDescriptor *resp_desc, mv_step_fn step)
{
    bound(op);
    return mv_op_start(op, method, req, resp_desc, step);
}

void mv_await_rpc(mv_op *op, const char *method, const ProtobufCMessage *req,
                  const ProtobufCMessageDescriptor *resp_desc, mv_step_fn step)
{
    bound(op);
    mv_op_rpc(op, method, req, resp_desc, step);
}

void mv_await_poll(mv_op *op)
{
    mv_await *a = op->data;
    a->kind->send(op);
}

/* The deadline passed: the await ends, naming where the job was. */
static void expire(mv_op *op)
{
    mv_await *a = op->data;
    char what[MV_ERRBUF];
    a->kind->name(op, what, sizeof(what));
    if (a->last_progress >= 0) {
        const char *stage = a->kind->stage_name ? a->kind->stage_name(a->last_stage) : NULL;
        mv_op_fail(op, MILVUS_ERR_TIMEOUT,
                   "%s still %s%sat %lld%% when the await deadline of %lld ms passed "
                   "(the server goes on)",
                   what, stage ? stage : "", stage ? " " : "", (long long)a->last_progress,
                   (long long)a->ao.timeout_ms);
    } else {
        mv_op_fail(op, MILVUS_ERR_TIMEOUT, "%s: no answer before the await deadline of %lld ms%s%s",
                   what, (long long)a->ao.timeout_ms, a->last_err ? ": " : "",
                   a->last_err ? a->last_err : "");
    }
}

/* Schedules the next poll after the backoff's delay, or the end of the
 * await at its deadline when that comes first. */
static void next_poll(mv_op *op)
{
    mv_await *a = op->data;
    mv_backoff b = {a->ao.initial_ms, a->ao.max_ms, a->ao.factor};
    int64_t wait = mv_backoff_delay(&b, a->polls, 1.0);
    if (a->deadline) {
        int64_t left = a->deadline - mv_now_ms();
        if (left <= 0) {
            expire(op);
            return;
        }
        if (wait >= left) {
            mv_op_sleep(op, left, expire);
            return;
        }
    }
    mv_op_sleep(op, wait, a->kind->send);
}

static void poll_step(mv_op *op, milvus_result *res)
{
    mv_await *a = op->data;
    mv_poll_reading r;
    int outcome;
    if (res->status != MILVUS_OK) {
        if (mv_await_transient(res)) {
            free(a->last_err);
            a->last_err = mv_strdup(milvus_result_message(res));
            milvus_result_unref(res);
            next_poll(op);
            return;
        }
        mv_op_finish(op, res);
        return;
    }
    memset(&r, 0, sizeof(r));
    outcome = a->kind->read(op, res, &r);
    res->i64 = r.progress;
    /* every change is reported, the last one (Completed, Failed) included */
    if ((r.progress != a->last_progress || r.stage != a->last_stage) && a->ao.cb) {
        a->last_progress = r.progress;
        a->last_stage = r.stage;
        a->ao.cb(op->c, r.progress, res, a->ao.ctx);
    }
    a->last_progress = r.progress;
    a->last_stage = r.stage;
    if (outcome == MV_POLL_FAILED) {
        Milvus__Proto__Common__Status st;
        milvus__proto__common__status__init(&st);
        if (r.code)
            st.code = r.code;
        else
            st.error_code = MILVUS__PROTO__COMMON__ERROR_CODE__UnexpectedError;
        st.reason = r.reason;
        mv_result_set_error(res, MILVUS_ERR_SERVER, MILVUS_GRPC_OK, "", &st);
        mv_op_finish(op, res);
    } else if (outcome == MV_POLL_DONE) {
        if (a->kind->complete)
            a->kind->complete(op, res);
        if (a->then)
            a->then(op, res);
        else
            mv_op_finish(op, res);
    } else {
        milvus_result_unref(res);
        next_poll(op);
    }
}
