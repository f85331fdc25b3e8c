/* SPDX-License-Identifier: Apache-2.0 */
/* Snapshots: the twelve snapshot RPCs, flush-then-snapshot, and the job
 * awaits that poll restore and export jobs on event timers. */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <milvus/snapshot.h>

#include "api/api.h"

#define RESP(x) (&milvus__proto__milvus__##x##__descriptor)
#define STATUS_RESP (&milvus__proto__common__status__descriptor)

typedef Milvus__Proto__Milvus__RestoreSnapshotInfo mv_restore_info;
typedef Milvus__Proto__Milvus__ExportSnapshotInfo mv_export_info;

/* ---- options ----------------------------------------------------------------- */

struct milvus_snapshot_options {
    char *description;
    int64_t protect_s;
    char *db;
    char *target_db;
    int rewrite;
    char *spec;
    int64_t ttl_s;
    mv_opterr err; /* refused setter values */
};

struct milvus_job_await_options {
    int64_t timeout_ms;
    int64_t initial_ms, max_ms;
    double factor;
    milvus_job_progress_cb cb;
    void *ctx;
    mv_opterr err; /* refused setter values */
};

static const milvus_job_await_options await_defaults = {0, 100, 1000, 2.0, NULL, NULL, {NULL}};

milvus_snapshot_options *milvus_snapshot_options_new(void)
{
    return calloc(1, sizeof(milvus_snapshot_options));
}

void milvus_snapshot_options_free(milvus_snapshot_options *o)
{
    if (!o)
        return;
    free(o->description);
    free(o->db);
    free(o->target_db);
    free(o->spec);
    mv_opterr_free(&o->err);
    free(o);
}

const char *milvus_snapshot_options_last_error(const milvus_snapshot_options *o)
{
    return mv_opterr_msg(o ? &o->err : NULL);
}

/* The string setters: any string but NULL. */
static int set_string(mv_opterr *e, const char *setter, const char *what, char **dst,
                      const char *s)
{
    char *copy;
    if (!s)
        return mv_refuse(e, setter, NULL, "%s is NULL (a string is needed)", what);
    if (!(copy = mv_strdup(s)))
        return MILVUS_ERR_NOMEM;
    free(*dst);
    *dst = copy;
    mv_accept(e, setter, NULL);
    return MILVUS_OK;
}

int milvus_snapshot_options_set_description(milvus_snapshot_options *o, const char *text)
{
    return o ? set_string(&o->err, __func__, "description", &o->description, text)
             : MILVUS_ERR_INVALID_ARGUMENT;
}

/* The seconds setters: 0 (what zero means) or more. */
static int set_seconds(mv_opterr *e, const char *setter, const char *what, const char *zero,
                       int64_t *dst, int64_t seconds)
{
    if (seconds < 0)
        return mv_refuse(e, setter, NULL, "%s %lld s is out of range (0 = %s, or more)", what,
                         (long long)seconds, zero);
    *dst = seconds;
    mv_accept(e, setter, NULL);
    return MILVUS_OK;
}

int milvus_snapshot_options_set_compaction_protection(milvus_snapshot_options *o, int64_t seconds)
{
    return o ? set_seconds(&o->err, __func__, "protection", "none", &o->protect_s, seconds)
             : MILVUS_ERR_INVALID_ARGUMENT;
}

int milvus_snapshot_options_set_database(milvus_snapshot_options *o, const char *db)
{
    return o ? set_string(&o->err, __func__, "database", &o->db, db)
             : MILVUS_ERR_INVALID_ARGUMENT;
}

int milvus_snapshot_options_set_target_database(milvus_snapshot_options *o, const char *db)
{
    return o ? set_string(&o->err, __func__, "target database", &o->target_db, db)
             : MILVUS_ERR_INVALID_ARGUMENT;
}

int milvus_snapshot_options_set_rewrite_data(milvus_snapshot_options *o, int on)
{
    if (!o)
        return MILVUS_ERR_INVALID_ARGUMENT;
    o->rewrite = on != 0;
    return MILVUS_OK;
}

int milvus_snapshot_options_set_external_spec(milvus_snapshot_options *o, const char *json)
{
    return o ? set_string(&o->err, __func__, "external spec", &o->spec, json)
             : MILVUS_ERR_INVALID_ARGUMENT;
}

int milvus_snapshot_options_set_ttl(milvus_snapshot_options *o, int64_t seconds)
{
    return o ? set_seconds(&o->err, __func__, "ttl", "server default", &o->ttl_s, seconds)
             : MILVUS_ERR_INVALID_ARGUMENT;
}

milvus_job_await_options *milvus_job_await_options_new(void)
{
    milvus_job_await_options *o = malloc(sizeof(*o));
    if (o)
        *o = await_defaults;
    return o;
}

void milvus_job_await_options_free(milvus_job_await_options *o)
{
    if (!o)
        return;
    mv_opterr_free(&o->err);
    free(o);
}

const char *milvus_job_await_options_last_error(const milvus_job_await_options *o)
{
    return mv_opterr_msg(o ? &o->err : NULL);
}

int milvus_job_await_options_set_timeout_ms(milvus_job_await_options *o, int64_t ms)
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

int milvus_job_await_options_set_interval(milvus_job_await_options *o, int64_t initial_ms,
                                          int64_t max_ms, double factor)
{
    if (!o)
        return MILVUS_ERR_INVALID_ARGUMENT;
    if (initial_ms <= 0)
        return mv_refuse(&o->err, __func__, NULL,
                         "initial_ms %lld is out of range (at least 1)", (long long)initial_ms);
    if (max_ms < initial_ms)
        return mv_refuse(&o->err, __func__, NULL,
                         "max_ms %lld is out of range (at least initial_ms, %lld)",
                         (long long)max_ms, (long long)initial_ms);
    if (!(factor >= 1.0) || factor > 100.0)
        return mv_refuse(&o->err, __func__, NULL, "factor %g is out of range (1..100)", factor);
    o->initial_ms = initial_ms;
    o->max_ms = max_ms;
    o->factor = factor;
    mv_accept(&o->err, __func__, NULL);
    return MILVUS_OK;
}

int milvus_job_await_options_set_progress(milvus_job_await_options *o, milvus_job_progress_cb cb,
                                          void *ctx)
{
    if (!o)
        return MILVUS_ERR_INVALID_ARGUMENT;
    o->cb = cb;
    o->ctx = ctx;
    return MILVUS_OK;
}

const char *milvus_job_state_name(milvus_job_state s)
{
    switch (s) {
    case MILVUS_JOB_NONE: return "None";
    case MILVUS_JOB_PENDING: return "Pending";
    case MILVUS_JOB_EXECUTING: return "Executing";
    case MILVUS_JOB_COMPLETED: return "Completed";
    case MILVUS_JOB_FAILED: return "Failed";
    }
    return "Unknown";
}

/* ---- helpers ------------------------------------------------------------------- */

static const char *db_of(const milvus_client *c, const milvus_snapshot_options *o)
{
    return o && o->db ? o->db : mv_client_db(c);
}

/* Refuses invalid option objects (either may be NULL). */
static int check_opts(milvus_client *c, const char *opname, const milvus_snapshot_options *o,
                      const milvus_job_await_options *ao)
{
    int rc = MILVUS_OK;
    if (o)
        rc = mv_check_opts(c, opname, "snapshot options", &o->err);
    if (rc == MILVUS_OK && ao)
        rc = mv_check_opts(c, opname, "job await options", &ao->err);
    return rc;
}


/* The int64 payload of job-id and pin-id answers. */
static void job_id_step(mv_op *op, milvus_result *res)
{
    if (res->status == MILVUS_OK && res->msg) {
        const ProtobufCMessageDescriptor *d = res->msg->descriptor;
        if (d == RESP(restore_snapshot_response))
            res->i64 = ((Milvus__Proto__Milvus__RestoreSnapshotResponse *)res->msg)->job_id;
        else if (d == RESP(restore_external_snapshot_response))
            res->i64 =
                ((Milvus__Proto__Milvus__RestoreExternalSnapshotResponse *)res->msg)->job_id;
        else if (d == RESP(export_snapshot_response))
            res->i64 = ((Milvus__Proto__Milvus__ExportSnapshotResponse *)res->msg)->job_id;
        else if (d == RESP(pin_snapshot_data_response))
            res->i64 = ((Milvus__Proto__Milvus__PinSnapshotDataResponse *)res->msg)->pin_id;
    }
    mv_op_finish(op, res);
}

/* ---- create / drop / list / describe -------------------------------------------- */

static int create_req(milvus_client *c, Milvus__Proto__Milvus__CreateSnapshotRequest *req,
                      const char *coll, const char *name, const milvus_snapshot_options *o)
{
    milvus__proto__milvus__create_snapshot_request__init(req);
    req->msg_base = &mv_msg_base;
    req->name = (char *)name;
    req->collection_name = (char *)coll;
    req->db_name = (char *)db_of(c, o);
    if (o && o->description)
        req->description = o->description;
    if (o)
        req->compaction_protection_seconds = o->protect_s;
    return MILVUS_OK;
}

int milvus_client_create_snapshot(milvus_client *c, const char *coll, const char *name,
                                  const milvus_snapshot_options *o, milvus_result_cb cb, void *ctx)
{
    Milvus__Proto__Milvus__CreateSnapshotRequest req;
    int rc = mv_prologue(c, cb, "collection", coll, "snapshot", name);
    if (rc == MILVUS_OK)
        rc = check_opts(c, "create_snapshot", o, NULL);
    if (rc != MILVUS_OK)
        return rc;
    create_req(c, &req, coll, name, o);
    return mv_submit(c, "create_snapshot", coll, cb, ctx, MV_RPC("CreateSnapshot"), &req.base,
                  STATUS_RESP, NULL);
}

int milvus_client_drop_snapshot(milvus_client *c, const char *coll, const char *name,
                                const milvus_snapshot_options *o, milvus_result_cb cb, void *ctx)
{
    Milvus__Proto__Milvus__DropSnapshotRequest req;
    int rc = mv_prologue(c, cb, "collection", coll, "snapshot", name);
    if (rc == MILVUS_OK)
        rc = check_opts(c, "drop_snapshot", o, NULL);
    if (rc != MILVUS_OK)
        return rc;
    milvus__proto__milvus__drop_snapshot_request__init(&req);
    req.msg_base = &mv_msg_base;
    req.name = (char *)name;
    req.collection_name = (char *)coll;
    req.db_name = (char *)db_of(c, o);
    return mv_submit(c, "drop_snapshot", coll, cb, ctx, MV_RPC("DropSnapshot"), &req.base,
                  STATUS_RESP, NULL);
}

static void list_step(mv_op *op, milvus_result *res)
{
    if (res->status == MILVUS_OK && res->msg) {
        Milvus__Proto__Milvus__ListSnapshotsResponse *r = (void *)res->msg;
        mv_strings_out(res, r->snapshots, r->n_snapshots);
    }
    mv_op_finish(op, res);
}

int milvus_client_list_snapshots(milvus_client *c, const char *coll,
                                 const milvus_snapshot_options *o, milvus_result_cb cb, void *ctx)
{
    Milvus__Proto__Milvus__ListSnapshotsRequest req;
    int all = !coll || !coll[0];
    int rc = mv_prologue(c, cb, all ? NULL : "collection", coll, NULL, NULL);
    if (rc == MILVUS_OK)
        rc = check_opts(c, "list_snapshots", o, NULL);
    if (rc != MILVUS_OK)
        return rc;
    milvus__proto__milvus__list_snapshots_request__init(&req);
    req.msg_base = &mv_msg_base;
    req.db_name = (char *)db_of(c, o);
    req.collection_name = all ? (char *)"" : (char *)coll;
    return mv_submit(c, "list_snapshots", all ? "" : coll, cb, ctx, MV_RPC("ListSnapshots"),
                  &req.base, RESP(list_snapshots_response), list_step);
}

int milvus_client_describe_snapshot(milvus_client *c, const char *coll, const char *name,
                                    const milvus_snapshot_options *o, milvus_result_cb cb,
                                    void *ctx)
{
    Milvus__Proto__Milvus__DescribeSnapshotRequest req;
    int rc = mv_prologue(c, cb, "collection", coll, "snapshot", name);
    if (rc == MILVUS_OK)
        rc = check_opts(c, "describe_snapshot", o, NULL);
    if (rc != MILVUS_OK)
        return rc;
    milvus__proto__milvus__describe_snapshot_request__init(&req);
    req.msg_base = &mv_msg_base;
    req.name = (char *)name;
    req.collection_name = (char *)coll;
    req.db_name = (char *)db_of(c, o);
    return mv_submit(c, "describe_snapshot", coll, cb, ctx, MV_RPC("DescribeSnapshot"), &req.base,
                  RESP(describe_snapshot_response), NULL);
}

/* ---- pins ------------------------------------------------------------------------ */

int milvus_client_pin_snapshot(milvus_client *c, const char *coll, const char *name,
                               const milvus_snapshot_options *o, milvus_result_cb cb, void *ctx)
{
    Milvus__Proto__Milvus__PinSnapshotDataRequest req;
    int rc = mv_prologue(c, cb, "collection", coll, "snapshot", name);
    if (rc == MILVUS_OK)
        rc = check_opts(c, "pin_snapshot", o, NULL);
    if (rc != MILVUS_OK)
        return rc;
    milvus__proto__milvus__pin_snapshot_data_request__init(&req);
    req.msg_base = &mv_msg_base;
    req.name = (char *)name;
    req.collection_name = (char *)coll;
    req.db_name = (char *)db_of(c, o);
    req.ttl_seconds = o ? o->ttl_s : 0;
    return mv_submit(c, "pin_snapshot", coll, cb, ctx, MV_RPC("PinSnapshotData"), &req.base,
                  RESP(pin_snapshot_data_response), job_id_step);
}

int milvus_client_unpin_snapshot(milvus_client *c, int64_t pin_id, milvus_result_cb cb, void *ctx)
{
    Milvus__Proto__Milvus__UnpinSnapshotDataRequest req;
    int rc = mv_client_check(c, cb);
    if (rc != MILVUS_OK)
        return rc;
    if (pin_id <= 0)
        return mv_client_seterr(c, MILVUS_ERR_INVALID_ARGUMENT, "invalid pin id %lld",
                                (long long)pin_id);
    milvus__proto__milvus__unpin_snapshot_data_request__init(&req);
    req.msg_base = &mv_msg_base;
    req.pin_id = pin_id;
    return mv_submit(c, "unpin_snapshot", "", cb, ctx, MV_RPC("UnpinSnapshotData"), &req.base,
                  STATUS_RESP, NULL);
}

/* ---- job awaits ------------------------------------------------------------------- */

enum { JOB_RESTORE, JOB_EXPORT };

typedef struct job_wait {
    int kind;
    int64_t job_id;
    milvus_job_await_options ao;
    int64_t deadline; /* monotonic ms; 0 = none */
    int64_t interval;
    int last_state, last_progress;
    /* flush-then-snapshot: the snapshot request to send once flushed */
    Milvus__Proto__Milvus__CreateSnapshotRequest *create;
    char *create_name, *create_desc, *create_db;
    int64_t *segs;
    size_t nsegs;
    uint64_t flush_ts;
} job_wait;

static void job_wait_free(void *p)
{
    job_wait *w = p;
    free(w->create);
    free(w->create_name);
    free(w->create_desc);
    free(w->create_db);
    free(w->segs);
    free(w);
}

static job_wait *job_wait_new(int kind, int64_t job_id, const milvus_job_await_options *ao)
{
    job_wait *w = calloc(1, sizeof(*w));
    if (!w)
        return NULL;
    w->kind = kind;
    w->job_id = job_id;
    w->ao = ao ? *ao : await_defaults;
    w->ao.err.list = NULL; /* the numbers are copied, the refusals stay with ao */
    w->interval = w->ao.initial_ms;
    w->last_state = -1;
    w->last_progress = -1;
    if (w->ao.timeout_ms > 0)
        w->deadline = mv_now_ms() + w->ao.timeout_ms;
    return w;
}

static void poll_step(mv_op *op, milvus_result *res);

/* Each poll is bounded by what is left of the await's deadline, so that a
 * silent server cannot hold the await past it. */
static void bound_poll(mv_op *op, const job_wait *w)
{
    if (w->deadline) {
        int64_t left = w->deadline - mv_now_ms();
        op->rpc_timeout_ms = left > 0 ? left : 1;
    }
}

/* The state query of a restore or an export job. */
typedef struct job_state_req {
    union {
        Milvus__Proto__Milvus__GetRestoreSnapshotStateRequest restore;
        Milvus__Proto__Milvus__GetExportSnapshotStateRequest export_;
    } u;
    const char *method;
    const ProtobufCMessageDescriptor *desc;
} job_state_req;

static const ProtobufCMessage *job_state_req_init(job_state_req *q, int kind, int64_t job_id)
{
    if (kind == JOB_RESTORE) {
        milvus__proto__milvus__get_restore_snapshot_state_request__init(&q->u.restore);
        q->u.restore.msg_base = &mv_msg_base;
        q->u.restore.job_id = job_id;
        q->method = MV_RPC("GetRestoreSnapshotState");
        q->desc = RESP(get_restore_snapshot_state_response);
        return &q->u.restore.base;
    }
    milvus__proto__milvus__get_export_snapshot_state_request__init(&q->u.export_);
    q->u.export_.msg_base = &mv_msg_base;
    q->u.export_.job_id = job_id;
    q->method = MV_RPC("GetExportSnapshotState");
    q->desc = RESP(get_export_snapshot_state_response);
    return &q->u.export_.base;
}

static void send_poll(mv_op *op)
{
    job_wait *w = op->data;
    job_state_req q;
    const ProtobufCMessage *req = job_state_req_init(&q, w->kind, w->job_id);
    bound_poll(op, w);
    mv_op_rpc(op, q.method, req, q.desc, poll_step);
}


/* Schedules the next poll, or ends the await at its deadline. */
static void next_poll(mv_op *op, milvus_result *last)
{
    job_wait *w = op->data;
    int64_t wait = mv_poll_wait(&w->interval, w->ao.factor, w->ao.max_ms, w->deadline);
    if (wait < 0) {
        const char *kind = w->kind == JOB_RESTORE ? "restore" : "export";
        if (w->last_state >= 0)
            mv_op_fail(op, MILVUS_ERR_TIMEOUT,
                       "%s job %lld still %s at %d%% when the await deadline of %lld ms "
                       "passed (the job goes on)",
                       kind, (long long)w->job_id,
                       milvus_job_state_name((milvus_job_state)w->last_state),
                       w->last_progress, (long long)w->ao.timeout_ms);
        else
            mv_op_fail(op, MILVUS_ERR_TIMEOUT,
                       "%s job %lld: no answer before the await deadline of %lld ms%s%s", kind,
                       (long long)w->job_id, (long long)w->ao.timeout_ms, last ? ": " : "",
                       last ? milvus_result_message(last) : "");
        milvus_result_unref(last);
        return;
    }
    milvus_result_unref(last);
    mv_op_sleep(op, wait, send_poll);
}

static void job_failed(mv_op *op, milvus_result *res, const char *reason)
{
    job_wait *w = op->data;
    Milvus__Proto__Common__Status st;
    char buf[MV_ERRBUF];
    mv_errf(buf, sizeof(buf), "%s job %lld failed: %s", w->kind == JOB_RESTORE ? "restore" : "export",
            (long long)w->job_id, reason && reason[0] ? reason : "no reason given");
    milvus__proto__common__status__init(&st);
    st.error_code = MILVUS__PROTO__COMMON__ERROR_CODE__UnexpectedError;
    st.reason = buf;
    mv_result_set_error(res, MILVUS_ERR_SERVER, MILVUS_GRPC_OK, "", &st);
    mv_op_finish(op, res);
}

static void poll_step(mv_op *op, milvus_result *res)
{
    job_wait *w = op->data;
    int state, progress;
    const char *reason;

    if (res->status != MILVUS_OK) {
        if (mv_result_transient(res)) {
            next_poll(op, res);
            return;
        }
        mv_op_finish(op, res);
        return;
    }
    if (w->kind == JOB_RESTORE) {
        const mv_restore_info *i =
            ((Milvus__Proto__Milvus__GetRestoreSnapshotStateResponse *)res->msg)->info;
        state = i ? (int)i->state : 0;
        progress = i ? i->progress : 0;
        reason = i ? i->reason : "";
    } else {
        const mv_export_info *i =
            ((Milvus__Proto__Milvus__GetExportSnapshotStateResponse *)res->msg)->info;
        state = i ? (int)i->state : 0;
        progress = i ? i->progress : 0;
        reason = i ? i->reason : "";
    }
    if ((state != w->last_state || progress != w->last_progress) && w->ao.cb) {
        w->last_state = state;
        w->last_progress = progress;
        w->ao.cb(op->c, res, w->ao.ctx);
    }
    w->last_state = state;
    w->last_progress = progress;
    if (state == MILVUS_JOB_COMPLETED) {
        res->i64 = w->job_id;
        mv_op_finish(op, res);
    } else if (state == MILVUS_JOB_FAILED) {
        job_failed(op, res, reason);
    } else {
        next_poll(op, res);
    }
}

static int start_await(milvus_client *c, int kind, int64_t job_id,
                       const milvus_job_await_options *ao, milvus_result_cb cb, void *ctx)
{
    const char *opname = kind == JOB_RESTORE ? "await_restore" : "await_export";
    job_wait *w;
    mv_op *op;
    int rc = mv_client_check(c, cb);
    if (rc == MILVUS_OK)
        rc = check_opts(c, opname, NULL, ao);
    if (rc != MILVUS_OK)
        return rc;
    if (job_id <= 0)
        return mv_client_seterr(c, MILVUS_ERR_INVALID_ARGUMENT, "%s: invalid job id %lld", opname,
                                (long long)job_id);
    if (!(w = job_wait_new(kind, job_id, ao)))
        return mv_client_seterr(c, MILVUS_ERR_NOMEM, "out of memory");
    if (!(op = mv_op_new(c, opname, "", cb, ctx))) {
        job_wait_free(w);
        return mv_client_seterr(c, MILVUS_ERR_NOMEM, "out of memory");
    }
    op->data = w;
    op->data_free = job_wait_free;
    bound_poll(op, w);
    {
        job_state_req q;
        const ProtobufCMessage *req = job_state_req_init(&q, kind, job_id);
        return mv_op_start(op, q.method, req, q.desc, poll_step);
    }
}

int milvus_client_await_restore(milvus_client *c, int64_t job_id, const milvus_job_await_options *o,
                                milvus_result_cb cb, void *ctx)
{
    return start_await(c, JOB_RESTORE, job_id, o, cb, ctx);
}

int milvus_client_await_export(milvus_client *c, int64_t job_id, const milvus_job_await_options *o,
                               milvus_result_cb cb, void *ctx)
{
    return start_await(c, JOB_EXPORT, job_id, o, cb, ctx);
}

/* The job-starting RPC answered: poll the job it started, at once. */
static void started_step(mv_op *op, milvus_result *res)
{
    job_wait *w = op->data;
    if (res->status != MILVUS_OK || !res->msg) {
        mv_op_finish(op, res);
        return;
    }
    const ProtobufCMessageDescriptor *d = res->msg->descriptor;
    if (d == RESP(restore_snapshot_response))
        w->job_id = ((Milvus__Proto__Milvus__RestoreSnapshotResponse *)res->msg)->job_id;
    else if (d == RESP(restore_external_snapshot_response))
        w->job_id = ((Milvus__Proto__Milvus__RestoreExternalSnapshotResponse *)res->msg)->job_id;
    else
        w->job_id = ((Milvus__Proto__Milvus__ExportSnapshotResponse *)res->msg)->job_id;
    milvus_result_unref(res);
    send_poll(op);
}

/* Starts op with a job-starting request; with ao != NULL or wait set,
 * the op goes on polling the job. */
static int start_job(milvus_client *c, const char *opname, const char *coll, int kind, int wait,
                     const milvus_job_await_options *ao, milvus_result_cb cb, void *ctx,
                     const char *method, const ProtobufCMessage *req,
                     const ProtobufCMessageDescriptor *desc)
{
    mv_op *op = mv_op_new(c, opname, coll, cb, ctx);
    if (!op)
        return MILVUS_ERR_NOMEM;
    if (!wait)
        return mv_op_start(op, method, req, desc, job_id_step);
    if (!(op->data = job_wait_new(kind, 0, ao))) {
        mv_op_discard(op);
        return mv_client_seterr(c, MILVUS_ERR_NOMEM, "out of memory");
    }
    op->data_free = job_wait_free;
    return mv_op_start(op, method, req, desc, started_step);
}

static int restore(milvus_client *c, const char *coll, const char *name, const char *target,
                   const milvus_snapshot_options *o, int wait, const milvus_job_await_options *ao,
                   milvus_result_cb cb, void *ctx)
{
    Milvus__Proto__Milvus__RestoreSnapshotRequest req;
    int rc = mv_prologue(c, cb, "collection", coll, "snapshot", name);
    if (rc == MILVUS_OK)
        rc = check_opts(c, wait ? "restore_snapshot_and_wait" : "restore_snapshot", o, ao);
    if (rc == MILVUS_OK)
        rc = mv_client_check_name(c, "target collection", target);
    if (rc == MILVUS_OK && o && o->target_db && o->target_db[0])
        rc = mv_client_check_name(c, "target database", o->target_db);
    if (rc != MILVUS_OK)
        return rc;
    milvus__proto__milvus__restore_snapshot_request__init(&req);
    req.msg_base = &mv_msg_base;
    req.name = (char *)name;
    req.collection_name = (char *)coll;
    req.db_name = (char *)db_of(c, o);
    req.target_collection_name = (char *)target;
    req.target_db_name = o && o->target_db ? o->target_db : (char *)db_of(c, o);
    req.rewrite_data = o ? o->rewrite : 0;
    return start_job(c, wait ? "restore_snapshot_and_wait" : "restore_snapshot", coll, JOB_RESTORE,
                     wait, ao, cb, ctx, MV_RPC("RestoreSnapshot"), &req.base,
                     RESP(restore_snapshot_response));
}

int milvus_client_restore_snapshot(milvus_client *c, const char *coll, const char *name,
                                   const char *target, const milvus_snapshot_options *o,
                                   milvus_result_cb cb, void *ctx)
{
    return restore(c, coll, name, target, o, 0, NULL, cb, ctx);
}

int milvus_client_restore_snapshot_and_wait(milvus_client *c, const char *coll, const char *name,
                                            const char *target, const milvus_snapshot_options *o,
                                            const milvus_job_await_options *ao,
                                            milvus_result_cb cb, void *ctx)
{
    return restore(c, coll, name, target, o, 1, ao, cb, ctx);
}

static int export_(milvus_client *c, const char *coll, const char *name, const char *path,
                   const milvus_snapshot_options *o, int wait, const milvus_job_await_options *ao,
                   milvus_result_cb cb, void *ctx)
{
    Milvus__Proto__Milvus__ExportSnapshotRequest req;
    int rc = mv_prologue(c, cb, "collection", coll, "snapshot", name);
    if (rc == MILVUS_OK)
        rc = check_opts(c, wait ? "export_snapshot_and_wait" : "export_snapshot", o, ao);
    if (rc != MILVUS_OK)
        return rc;
    if (!path || !path[0])
        return mv_client_seterr(c, MILVUS_ERR_INVALID_ARGUMENT,
                                "export of snapshot '%s': the target path is empty", name);
    milvus__proto__milvus__export_snapshot_request__init(&req);
    req.msg_base = &mv_msg_base;
    req.name = (char *)name;
    req.collection_name = (char *)coll;
    req.db_name = (char *)db_of(c, o);
    req.target_s3_path = (char *)path;
    if (o && o->spec)
        req.external_spec = o->spec;
    return start_job(c, wait ? "export_snapshot_and_wait" : "export_snapshot", coll, JOB_EXPORT,
                     wait, ao, cb, ctx, MV_RPC("ExportSnapshot"), &req.base,
                     RESP(export_snapshot_response));
}

int milvus_client_export_snapshot(milvus_client *c, const char *coll, const char *name,
                                  const char *path, const milvus_snapshot_options *o,
                                  milvus_result_cb cb, void *ctx)
{
    return export_(c, coll, name, path, o, 0, NULL, cb, ctx);
}

int milvus_client_export_snapshot_and_wait(milvus_client *c, const char *coll, const char *name,
                                           const char *path, const milvus_snapshot_options *o,
                                           const milvus_job_await_options *ao,
                                           milvus_result_cb cb, void *ctx)
{
    return export_(c, coll, name, path, o, 1, ao, cb, ctx);
}

static int restore_external(milvus_client *c, const char *target, const char *uri,
                            const milvus_snapshot_options *o, int wait,
                            const milvus_job_await_options *ao, milvus_result_cb cb, void *ctx)
{
    Milvus__Proto__Milvus__RestoreExternalSnapshotRequest req;
    int rc = mv_prologue(c, cb, "target collection", target, NULL, NULL);
    if (rc == MILVUS_OK)
        rc = check_opts(c,
                        wait ? "restore_external_snapshot_and_wait" : "restore_external_snapshot",
                        o, ao);
    if (rc != MILVUS_OK)
        return rc;
    if (!uri || !uri[0])
        return mv_client_seterr(c, MILVUS_ERR_INVALID_ARGUMENT,
                                "restore into '%s': the snapshot metadata URI is empty", target);
    milvus__proto__milvus__restore_external_snapshot_request__init(&req);
    req.msg_base = &mv_msg_base;
    req.db_name = o && o->target_db ? o->target_db : (char *)db_of(c, o);
    req.target_collection_name = (char *)target;
    req.snapshot_metadata_uri = (char *)uri;
    if (o && o->spec)
        req.external_spec = o->spec;
    return start_job(c, wait ? "restore_external_snapshot_and_wait" : "restore_external_snapshot",
                     target, JOB_RESTORE, wait, ao, cb, ctx, MV_RPC("RestoreExternalSnapshot"),
                     &req.base, RESP(restore_external_snapshot_response));
}

int milvus_client_restore_external_snapshot(milvus_client *c, const char *target, const char *uri,
                                            const milvus_snapshot_options *o,
                                            milvus_result_cb cb, void *ctx)
{
    return restore_external(c, target, uri, o, 0, NULL, cb, ctx);
}

int milvus_client_restore_external_snapshot_and_wait(milvus_client *c, const char *target,
                                                     const char *uri,
                                                     const milvus_snapshot_options *o,
                                                     const milvus_job_await_options *ao,
                                                     milvus_result_cb cb, void *ctx)
{
    return restore_external(c, target, uri, o, 1, ao, cb, ctx);
}

int milvus_client_list_restore_jobs(milvus_client *c, const char *coll,
                                    const milvus_snapshot_options *o, milvus_result_cb cb,
                                    void *ctx)
{
    Milvus__Proto__Milvus__ListRestoreSnapshotJobsRequest req;
    int all = !coll || !coll[0];
    int rc = mv_prologue(c, cb, all ? NULL : "collection", coll, NULL, NULL);
    if (rc == MILVUS_OK)
        rc = check_opts(c, "list_restore_jobs", o, NULL);
    if (rc != MILVUS_OK)
        return rc;
    milvus__proto__milvus__list_restore_snapshot_jobs_request__init(&req);
    req.msg_base = &mv_msg_base;
    req.db_name = (char *)db_of(c, o);
    req.collection_name = all ? (char *)"" : (char *)coll;
    return mv_submit(c, "list_restore_jobs", all ? "" : coll, cb, ctx,
                  MV_RPC("ListRestoreSnapshotJobs"), &req.base,
                  RESP(list_restore_snapshot_jobs_response), NULL);
}

static int get_state(milvus_client *c, int kind, int64_t job_id, milvus_result_cb cb, void *ctx)
{
    job_state_req q;
    const ProtobufCMessage *req;
    int rc = mv_client_check(c, cb);
    if (rc != MILVUS_OK)
        return rc;
    if (job_id <= 0)
        return mv_client_seterr(c, MILVUS_ERR_INVALID_ARGUMENT, "invalid job id %lld",
                                (long long)job_id);
    req = job_state_req_init(&q, kind, job_id);
    return mv_submit(c, kind == JOB_RESTORE ? "get_restore_state" : "get_export_state", "", cb,
                     ctx, q.method, req, q.desc, NULL);
}

int milvus_client_get_restore_state(milvus_client *c, int64_t job_id, milvus_result_cb cb,
                                    void *ctx)
{
    return get_state(c, JOB_RESTORE, job_id, cb, ctx);
}

int milvus_client_get_export_state(milvus_client *c, int64_t job_id, milvus_result_cb cb,
                                   void *ctx)
{
    return get_state(c, JOB_EXPORT, job_id, cb, ctx);
}

/* ---- flush, then snapshot ------------------------------------------------------------ */

static void create_after_flush(mv_op *op)
{
    job_wait *w = op->data;
    mv_op_rpc(op, MV_RPC("CreateSnapshot"), &w->create->base, STATUS_RESP, mv_step_deliver);
}

static void flush_state_step(mv_op *op, milvus_result *res);

static void send_flush_state(mv_op *op)
{
    job_wait *w = op->data;
    Milvus__Proto__Milvus__GetFlushStateRequest req;
    milvus__proto__milvus__get_flush_state_request__init(&req);
    req.segmentids = w->segs;
    req.n_segmentids = w->nsegs;
    req.flush_ts = w->flush_ts;
    req.db_name = w->create_db;
    req.collection_name = w->create->collection_name;
    mv_op_rpc(op, MV_RPC("GetFlushState"), &req.base, RESP(get_flush_state_response),
              flush_state_step);
}

static void flush_state_step(mv_op *op, milvus_result *res)
{
    job_wait *w = op->data;
    if (res->status != MILVUS_OK) {
        mv_op_finish(op, res);
        return;
    }
    if (((Milvus__Proto__Milvus__GetFlushStateResponse *)res->msg)->flushed) {
        milvus_result_unref(res);
        create_after_flush(op);
        return;
    }
    milvus_result_unref(res);
    mv_op_sleep(op, mv_poll_wait(&w->interval, 2.0, w->ao.max_ms, 0), send_flush_state);
}

static void flush_step(mv_op *op, milvus_result *res)
{
    job_wait *w = op->data;
    Milvus__Proto__Milvus__FlushResponse *r = (void *)res->msg;
    const char *coll = w->create->collection_name;
    if (res->status != MILVUS_OK) {
        mv_op_finish(op, res);
        return;
    }
    for (size_t i = 0; i < r->n_coll_segids; i++) {
        Milvus__Proto__Schema__LongArray *la = r->coll_segids[i]->value;
        if (strcmp(r->coll_segids[i]->key, coll) != 0 || !la)
            continue;
        free(w->segs);
        w->segs = la->n_data ? malloc(la->n_data * sizeof(int64_t)) : NULL;
        if (la->n_data && !w->segs) {
            milvus_result_unref(res);
            mv_op_fail(op, MILVUS_ERR_NOMEM, "out of memory");
            return;
        }
        if (la->n_data)
            memcpy(w->segs, la->data, la->n_data * sizeof(int64_t));
        w->nsegs = la->n_data;
    }
    for (size_t i = 0; i < r->n_coll_flush_ts; i++)
        if (strcmp(r->coll_flush_ts[i]->key, coll) == 0)
            w->flush_ts = r->coll_flush_ts[i]->value;
    milvus_result_unref(res);
    send_flush_state(op);
}

int milvus_client_flush_and_snapshot(milvus_client *c, const char *coll, const char *name,
                                     const milvus_snapshot_options *o, milvus_result_cb cb,
                                     void *ctx)
{
    Milvus__Proto__Milvus__FlushRequest req;
    char *names[1];
    job_wait *w;
    mv_op *op;
    int rc = mv_prologue(c, cb, "collection", coll, "snapshot", name);
    if (rc == MILVUS_OK)
        rc = check_opts(c, "flush_and_snapshot", o, NULL);
    if (rc != MILVUS_OK)
        return rc;
    w = job_wait_new(JOB_RESTORE, 0, NULL);
    if (!w)
        return mv_client_seterr(c, MILVUS_ERR_NOMEM, "out of memory");
    w->create = malloc(sizeof(*w->create));
    w->create_name = mv_strdup(name);
    w->create_db = mv_strdup(db_of(c, o));
    w->create_desc = mv_strdup(o && o->description ? o->description : "");
    if (!w->create || !w->create_name || !w->create_db || !w->create_desc ||
        !(op = mv_op_new(c, "flush_and_snapshot", coll, cb, ctx))) {
        job_wait_free(w);
        return mv_client_seterr(c, MILVUS_ERR_NOMEM, "out of memory");
    }
    create_req(c, w->create, coll, w->create_name, o);
    w->create->db_name = w->create_db;
    w->create->description = w->create_desc;
    w->create->collection_name = op->coll; /* owned by the op */
    op->data = w;
    op->data_free = job_wait_free;
    milvus__proto__milvus__flush_request__init(&req);
    req.msg_base = &mv_msg_base;
    req.db_name = w->create_db;
    names[0] = (char *)coll;
    req.collection_names = names;
    req.n_collection_names = 1;
    return mv_op_start(op, MV_RPC("Flush"), &req.base, RESP(flush_response), flush_step);
}

/* ---- result accessors ------------------------------------------------------------------ */

static const Milvus__Proto__Milvus__DescribeSnapshotResponse *describe_of(const milvus_result *r)
{
    if (!r || !r->msg || r->msg->descriptor != RESP(describe_snapshot_response))
        return NULL;
    return (const void *)r->msg;
}

const char *milvus_result_snapshot_name(const milvus_result *res)
{
    const Milvus__Proto__Milvus__DescribeSnapshotResponse *d = describe_of(res);
    return d && d->name ? d->name : "";
}

const char *milvus_result_snapshot_description(const milvus_result *res)
{
    const Milvus__Proto__Milvus__DescribeSnapshotResponse *d = describe_of(res);
    return d && d->description ? d->description : "";
}

const char *milvus_result_snapshot_collection(const milvus_result *res)
{
    const Milvus__Proto__Milvus__DescribeSnapshotResponse *d = describe_of(res);
    return d && d->collection_name ? d->collection_name : "";
}

size_t milvus_result_snapshot_partition_count(const milvus_result *res)
{
    const Milvus__Proto__Milvus__DescribeSnapshotResponse *d = describe_of(res);
    return d ? d->n_partition_names : 0;
}

const char *milvus_result_snapshot_partition(const milvus_result *res, size_t i)
{
    const Milvus__Proto__Milvus__DescribeSnapshotResponse *d = describe_of(res);
    return d && i < d->n_partition_names ? d->partition_names[i] : "";
}

int64_t milvus_result_snapshot_create_ts(const milvus_result *res)
{
    const Milvus__Proto__Milvus__DescribeSnapshotResponse *d = describe_of(res);
    return d ? d->create_ts : 0;
}

const char *milvus_result_snapshot_s3_location(const milvus_result *res)
{
    const Milvus__Proto__Milvus__DescribeSnapshotResponse *d = describe_of(res);
    return d && d->s3_location ? d->s3_location : "";
}

/* A uniform view of one job of a result, restore or export. */
typedef struct job_view {
    const mv_restore_info *r;
    const mv_export_info *e;
} job_view;

static job_view job_at(const milvus_result *res, size_t i)
{
    job_view v = {NULL, NULL};
    const ProtobufCMessageDescriptor *d;
    if (!res || !res->msg)
        return v;
    d = res->msg->descriptor;
    if (d == RESP(get_restore_snapshot_state_response) && i == 0)
        v.r = ((const Milvus__Proto__Milvus__GetRestoreSnapshotStateResponse *)res->msg)->info;
    else if (d == RESP(list_restore_snapshot_jobs_response)) {
        const Milvus__Proto__Milvus__ListRestoreSnapshotJobsResponse *l = (const void *)res->msg;
        if (i < l->n_jobs)
            v.r = l->jobs[i];
    } else if (d == RESP(get_export_snapshot_state_response) && i == 0)
        v.e = ((const Milvus__Proto__Milvus__GetExportSnapshotStateResponse *)res->msg)->info;
    return v;
}

size_t milvus_result_job_count(const milvus_result *res)
{
    if (res && res->msg && res->msg->descriptor == RESP(list_restore_snapshot_jobs_response))
        return ((const Milvus__Proto__Milvus__ListRestoreSnapshotJobsResponse *)res->msg)->n_jobs;
    job_view v = job_at(res, 0);
    return v.r || v.e ? 1 : 0;
}

#define JOB_FIELD(name, type, field, dflt)                                                       \
    type milvus_result_job_##name(const milvus_result *res, size_t i)                            \
    {                                                                                              \
        job_view v = job_at(res, i);                                                               \
        if (v.r)                                                                                   \
            return (type)v.r->field;                                                               \
        if (v.e)                                                                                   \
            return (type)v.e->field;                                                               \
        return dflt;                                                                               \
    }

JOB_FIELD(id, int64_t, job_id, 0)
JOB_FIELD(state, milvus_job_state, state, MILVUS_JOB_NONE)
JOB_FIELD(progress, int32_t, progress, 0)
JOB_FIELD(start_time, uint64_t, start_time, 0)
JOB_FIELD(time_cost, uint64_t, time_cost, 0)

#define JOB_STRING(name, field)                                                                    \
    const char *milvus_result_job_##name(const milvus_result *res, size_t i)                     \
    {                                                                                              \
        job_view v = job_at(res, i);                                                               \
        const char *s = v.r ? v.r->field : v.e ? v.e->field : NULL;                                \
        return s ? s : "";                                                                         \
    }

JOB_STRING(reason, reason)
JOB_STRING(snapshot, snapshot_name)
JOB_STRING(database, db_name)
JOB_STRING(collection, collection_name)

int64_t milvus_result_job_total_files(const milvus_result *res, size_t i)
{
    job_view v = job_at(res, i);
    return v.e ? v.e->total_files : 0;
}

int64_t milvus_result_job_copied_files(const milvus_result *res, size_t i)
{
    job_view v = job_at(res, i);
    return v.e ? v.e->copied_files : 0;
}

int64_t milvus_result_job_total_bytes(const milvus_result *res, size_t i)
{
    job_view v = job_at(res, i);
    return v.e ? v.e->total_bytes : 0;
}

const char *milvus_result_job_metadata_uri(const milvus_result *res, size_t i)
{
    job_view v = job_at(res, i);
    return v.e && v.e->snapshot_metadata_uri ? v.e->snapshot_metadata_uri : "";
}
