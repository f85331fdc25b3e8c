/* SPDX-License-Identifier: Apache-2.0 */
/* Snapshot jobs: the RPCs that start restore and export jobs, the restore
 * and export kinds of await (polled by the engine in poll.c), the
 * composites that start a job and await it, and flush-then-snapshot,
 * whose flush wait is the flush-state await of await.c. */
#include <stdlib.h>
#include <string.h>

#include "api/snapshot_internal.h"

#define RESP(x) (&milvus__proto__milvus__##x##__descriptor)
#define STATUS_RESP (&milvus__proto__common__status__descriptor)

typedef Milvus__Proto__Milvus__RestoreSnapshotInfo mv_restore_info;
typedef Milvus__Proto__Milvus__ExportSnapshotInfo mv_export_info;

enum { JOB_RESTORE, JOB_EXPORT };

/* ---- the job kinds of await --------------------------------------------------------------- */

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

static void job_send(mv_op *op)
{
    mv_await *a = op->data;
    job_state_req q;
    const ProtobufCMessage *req = job_state_req_init(&q, a->job_kind, a->job_id);
    mv_await_send(op, q.method, req, q.desc);
}

static int job_read(mv_op *op, milvus_result *res, mv_poll_reading *r)
{
    mv_await *a = op->data;
    int state;
    const char *reason;
    if (a->job_kind == JOB_RESTORE) {
        const mv_restore_info *i =
            ((Milvus__Proto__Milvus__GetRestoreSnapshotStateResponse *)res->msg)->info;
        state = i ? (int)i->state : 0;
        r->progress = i ? i->progress : 0;
        reason = i ? i->reason : "";
    } else {
        const mv_export_info *i =
            ((Milvus__Proto__Milvus__GetExportSnapshotStateResponse *)res->msg)->info;
        state = i ? (int)i->state : 0;
        r->progress = i ? i->progress : 0;
        reason = i ? i->reason : "";
    }
    r->stage = state;
    if (state == MILVUS_JOB_COMPLETED)
        return MV_POLL_DONE;
    if (state != MILVUS_JOB_FAILED)
        return MV_POLL_PENDING;
    mv_errf(r->reason, sizeof(r->reason), "%s job %lld failed: %s",
            a->job_kind == JOB_RESTORE ? "restore" : "export", (long long)a->job_id,
            reason && reason[0] ? reason : "no reason given");
    return MV_POLL_FAILED;
}

static void job_name(const mv_op *op, char *buf, size_t len)
{
    const mv_await *a = op->data;
    mv_errf(buf, len, "%s job %lld", a->job_kind == JOB_RESTORE ? "restore" : "export",
            (long long)a->job_id);
}

static const char *job_stage_name(int stage)
{
    return milvus_job_state_name((milvus_job_state)stage);
}

/* The result of a completed job await: the final job, int64 its id. */
static void job_complete(mv_op *op, milvus_result *res)
{
    res->i64 = ((mv_await *)op->data)->job_id;
}

static const mv_poll_kind job_kind = {job_send, job_read, job_name, job_stage_name, job_complete};

static mv_op *job_await_op(milvus_client *c, const char *opname, const char *coll, int kind,
                           int64_t job_id, const milvus_await_options *ao, milvus_result_cb cb,
                           void *ctx)
{
    mv_op *op = mv_await_op(c, opname, coll, &job_kind, ao, cb, ctx);
    if (op) {
        ((mv_await *)op->data)->job_kind = kind;
        ((mv_await *)op->data)->job_id = job_id;
    }
    return op;
}

static int start_await(milvus_client *c, int kind, int64_t job_id, const milvus_await_options *ao,
                       milvus_result_cb cb, void *ctx)
{
    const char *opname = kind == JOB_RESTORE ? "await_restore" : "await_export";
    mv_op *op;
    int rc = mv_client_check(c, cb);
    if (rc == MILVUS_OK)
        rc = mv_snapshot_check_opts(c, opname, NULL, ao);
    if (rc != MILVUS_OK)
        return rc;
    if (job_id <= 0)
        return mv_client_seterr(c, MILVUS_ERR_INVALID_ARGUMENT, "%s: invalid job id %lld", opname,
                                (long long)job_id);
    if (!(op = job_await_op(c, opname, "", kind, job_id, ao, cb, ctx)))
        return MILVUS_ERR_NOMEM;
    return mv_await_start(op);
}

milvus_status milvus_client_await_restore(milvus_client *c, int64_t job_id,
                                          const milvus_await_options *o, milvus_result_cb cb,
                                          void *ctx)
{
    return start_await(c, JOB_RESTORE, job_id, o, cb, ctx);
}

milvus_status milvus_client_await_export(milvus_client *c, int64_t job_id,
                                         const milvus_await_options *o, milvus_result_cb cb,
                                         void *ctx)
{
    return start_await(c, JOB_EXPORT, job_id, o, cb, ctx);
}

/* ---- the RPCs that start jobs, and their _and_wait composites ------------------------------- */

/* The job-starting RPC answered: poll the job it started, at once. */
static void started_step(mv_op *op, milvus_result *res)
{
    mv_await *a = op->data;
    const ProtobufCMessageDescriptor *d;
    if (res->status != MILVUS_OK || !res->msg) {
        mv_op_finish(op, res);
        return;
    }
    d = res->msg->descriptor;
    if (d == RESP(restore_snapshot_response))
        a->job_id = ((Milvus__Proto__Milvus__RestoreSnapshotResponse *)res->msg)->job_id;
    else if (d == RESP(restore_external_snapshot_response))
        a->job_id = ((Milvus__Proto__Milvus__RestoreExternalSnapshotResponse *)res->msg)->job_id;
    else
        a->job_id = ((Milvus__Proto__Milvus__ExportSnapshotResponse *)res->msg)->job_id;
    milvus_result_unref(res);
    mv_await_poll(op);
}

/* Starts op with a job-starting request; with wait set, the op goes on
 * awaiting the job (the await's deadline counting from now). */
static int start_job(milvus_client *c, const char *opname, const char *coll, int kind, int wait,
                     const milvus_await_options *ao, milvus_result_cb cb, void *ctx,
                     const char *method, const ProtobufCMessage *req,
                     const ProtobufCMessageDescriptor *desc)
{
    mv_op *op;
    if (!wait) {
        if (!(op = mv_op_new(c, opname, coll, cb, ctx)))
            return MILVUS_ERR_NOMEM;
        return mv_op_start(op, method, req, desc, mv_snapshot_id_step);
    }
    if (!(op = job_await_op(c, opname, coll, kind, 0, ao, cb, ctx)))
        return MILVUS_ERR_NOMEM;
    return mv_await_start_rpc(op, method, req, desc, started_step);
}

static int restore(milvus_client *c, const char *coll, const char *name, const char *target,
                   const milvus_snapshot_options *o, int wait, const milvus_await_options *ao,
                   milvus_result_cb cb, void *ctx)
{
    Milvus__Proto__Milvus__RestoreSnapshotRequest req;
    int rc = mv_prologue(c, cb, "collection", coll, "snapshot", name);
    if (rc == MILVUS_OK)
        rc = mv_snapshot_check_opts(c, wait ? "restore_snapshot_and_wait" : "restore_snapshot", o,
                                    ao);
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
    req.db_name = (char *)mv_snapshot_db(c, o);
    req.target_collection_name = (char *)target;
    req.target_db_name = o && o->target_db ? o->target_db : (char *)mv_snapshot_db(c, o);
    req.rewrite_data = o ? o->rewrite : 0;
    return start_job(c, wait ? "restore_snapshot_and_wait" : "restore_snapshot", coll, JOB_RESTORE,
                     wait, ao, cb, ctx, MV_RPC("RestoreSnapshot"), &req.base,
                     RESP(restore_snapshot_response));
}

milvus_status milvus_client_restore_snapshot(milvus_client *c, const char *coll, const char *name,
                                             const char *target, const milvus_snapshot_options *o,
                                             milvus_result_cb cb, void *ctx)
{
    return restore(c, coll, name, target, o, 0, NULL, cb, ctx);
}

milvus_status milvus_client_restore_snapshot_and_wait(milvus_client *c, const char *coll,
                                                      const char *name, const char *target,
                                                      const milvus_snapshot_options *o,
                                                      const milvus_await_options *ao,
                                                      milvus_result_cb cb, void *ctx)
{
    return restore(c, coll, name, target, o, 1, ao, cb, ctx);
}

static int export_(milvus_client *c, const char *coll, const char *name, const char *path,
                   const milvus_snapshot_options *o, int wait, const milvus_await_options *ao,
                   milvus_result_cb cb, void *ctx)
{
    Milvus__Proto__Milvus__ExportSnapshotRequest req;
    int rc = mv_prologue(c, cb, "collection", coll, "snapshot", name);
    if (rc == MILVUS_OK)
        rc =
            mv_snapshot_check_opts(c, wait ? "export_snapshot_and_wait" : "export_snapshot", o, ao);
    if (rc != MILVUS_OK)
        return rc;
    if (!path || !path[0])
        return mv_client_seterr(c, MILVUS_ERR_INVALID_ARGUMENT,
                                "export of snapshot '%s': the target path is empty", name);
    milvus__proto__milvus__export_snapshot_request__init(&req);
    req.msg_base = &mv_msg_base;
    req.name = (char *)name;
    req.collection_name = (char *)coll;
    req.db_name = (char *)mv_snapshot_db(c, o);
    req.target_s3_path = (char *)path;
    if (o && o->spec)
        req.external_spec = o->spec;
    return start_job(c, wait ? "export_snapshot_and_wait" : "export_snapshot", coll, JOB_EXPORT,
                     wait, ao, cb, ctx, MV_RPC("ExportSnapshot"), &req.base,
                     RESP(export_snapshot_response));
}

milvus_status milvus_client_export_snapshot(milvus_client *c, const char *coll, const char *name,
                                            const char *path, const milvus_snapshot_options *o,
                                            milvus_result_cb cb, void *ctx)
{
    return export_(c, coll, name, path, o, 0, NULL, cb, ctx);
}

milvus_status milvus_client_export_snapshot_and_wait(milvus_client *c, const char *coll,
                                                     const char *name, const char *path,
                                                     const milvus_snapshot_options *o,
                                                     const milvus_await_options *ao,
                                                     milvus_result_cb cb, void *ctx)
{
    return export_(c, coll, name, path, o, 1, ao, cb, ctx);
}

static int restore_external(milvus_client *c, const char *target, const char *uri,
                            const milvus_snapshot_options *o, int wait,
                            const milvus_await_options *ao, milvus_result_cb cb, void *ctx)
{
    Milvus__Proto__Milvus__RestoreExternalSnapshotRequest req;
    int rc = mv_prologue(c, cb, "target collection", target, NULL, NULL);
    if (rc == MILVUS_OK)
        rc = mv_snapshot_check_opts(
            c, wait ? "restore_external_snapshot_and_wait" : "restore_external_snapshot", o, ao);
    if (rc != MILVUS_OK)
        return rc;
    if (!uri || !uri[0])
        return mv_client_seterr(c, MILVUS_ERR_INVALID_ARGUMENT,
                                "restore into '%s': the snapshot metadata URI is empty", target);
    milvus__proto__milvus__restore_external_snapshot_request__init(&req);
    req.msg_base = &mv_msg_base;
    req.db_name = o && o->target_db ? o->target_db : (char *)mv_snapshot_db(c, o);
    req.target_collection_name = (char *)target;
    req.snapshot_metadata_uri = (char *)uri;
    if (o && o->spec)
        req.external_spec = o->spec;
    return start_job(c, wait ? "restore_external_snapshot_and_wait" : "restore_external_snapshot",
                     target, JOB_RESTORE, wait, ao, cb, ctx, MV_RPC("RestoreExternalSnapshot"),
                     &req.base, RESP(restore_external_snapshot_response));
}

milvus_status milvus_client_restore_external_snapshot(milvus_client *c, const char *target,
                                                      const char *uri,
                                                      const milvus_snapshot_options *o,
                                                      milvus_result_cb cb, void *ctx)
{
    return restore_external(c, target, uri, o, 0, NULL, cb, ctx);
}

milvus_status milvus_client_restore_external_snapshot_and_wait(milvus_client *c, const char *target,
                                                               const char *uri,
                                                               const milvus_snapshot_options *o,
                                                               const milvus_await_options *ao,
                                                               milvus_result_cb cb, void *ctx)
{
    return restore_external(c, target, uri, o, 1, ao, cb, ctx);
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
    return mv_submit(
        c, kind == JOB_RESTORE ? "get_restore_snapshot_state" : "get_export_snapshot_state", "", cb,
        ctx, q.method, req, q.desc, NULL);
}

milvus_status milvus_client_get_restore_snapshot_state(milvus_client *c, int64_t job_id,
                                                       milvus_result_cb cb, void *ctx)
{
    return get_state(c, JOB_RESTORE, job_id, cb, ctx);
}

milvus_status milvus_client_get_export_snapshot_state(milvus_client *c, int64_t job_id,
                                                      milvus_result_cb cb, void *ctx)
{
    return get_state(c, JOB_EXPORT, job_id, cb, ctx);
}

/* ---- flush, then snapshot ------------------------------------------------------------------ */

/* The snapshot request kept for after the flush, with its strings. */
typedef struct pending_create {
    Milvus__Proto__Milvus__CreateSnapshotRequest req;
    char *name, *desc;
} pending_create;

static void pending_create_free(void *p)
{
    pending_create *pc = p;
    if (!pc)
        return;
    free(pc->name);
    free(pc->desc);
    free(pc);
}

/* The flush wait is done: the snapshot, bounded by what is left of the
 * deadline like every step of an await. */
static void create_after_flush(mv_op *op, milvus_result *res)
{
    pending_create *pc = ((mv_await *)op->data)->extra;
    milvus_result_unref(res);
    mv_await_rpc(op, MV_RPC("CreateSnapshot"), &pc->req.base, STATUS_RESP, mv_step_deliver);
}

milvus_status milvus_client_flush_and_snapshot(milvus_client *c, const char *coll, const char *name,
                                               const milvus_snapshot_options *o,
                                               const milvus_await_options *ao, milvus_result_cb cb,
                                               void *ctx)
{
    Milvus__Proto__Milvus__FlushRequest req;
    char *names[1];
    pending_create *pc;
    mv_await *a;
    mv_op *op;
    int rc = mv_prologue(c, cb, "collection", coll, "snapshot", name);
    if (rc == MILVUS_OK)
        rc = mv_snapshot_check_opts(c, "flush_and_snapshot", o, ao);
    if (rc != MILVUS_OK)
        return rc;
    if (!(op = mv_await_op(c, "flush_and_snapshot", coll, &mv_flush_kind, ao, cb, ctx)))
        return MILVUS_ERR_NOMEM;
    a = op->data;
    a->then = create_after_flush;
    a->extra_free = pending_create_free;
    if (!(a->extra = pc = calloc(1, sizeof(*pc))) || !(pc->name = mv_strdup(name)) ||
        !(a->db = mv_strdup(mv_snapshot_db(c, o))) ||
        !(pc->desc = mv_strdup(o && o->description ? o->description : ""))) {
        mv_op_discard(op);
        return mv_client_seterr(c, MILVUS_ERR_NOMEM, "out of memory");
    }
    mv_snapshot_create_req(c, &pc->req, coll, pc->name, o);
    pc->req.db_name = a->db;
    pc->req.description = pc->desc;
    pc->req.collection_name = op->coll; /* owned by the op */
    milvus__proto__milvus__flush_request__init(&req);
    req.msg_base = &mv_msg_base;
    req.db_name = a->db;
    names[0] = (char *)coll;
    req.collection_names = names;
    req.n_collection_names = 1;
    return mv_await_start_rpc(op, MV_RPC("Flush"), &req.base, RESP(flush_response), mv_flush_step);
}
