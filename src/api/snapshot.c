/* SPDX-License-Identifier: Apache-2.0 */
/* Snapshots: the options, the snapshot RPCs that answer at once (create,
 * drop, list, describe, pins, the job list) and the result accessors.  The
 * RPCs that start jobs, the job awaits and flush-then-snapshot are in
 * snapshot_jobs.c. */
#include <stdlib.h>
#include <string.h>

#include "api/snapshot_internal.h"

#define RESP(x) (&milvus__proto__milvus__##x##__descriptor)
#define STATUS_RESP (&milvus__proto__common__status__descriptor)

typedef Milvus__Proto__Milvus__RestoreSnapshotInfo mv_restore_info;
typedef Milvus__Proto__Milvus__ExportSnapshotInfo mv_export_info;

/* ---- options ----------------------------------------------------------------- */

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
static int set_string(mv_opterr *e, const char *setter, const char *what, char **dst, const char *s)
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

milvus_status milvus_snapshot_options_set_description(milvus_snapshot_options *o, const char *text)
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

milvus_status milvus_snapshot_options_set_compaction_protection(milvus_snapshot_options *o,
                                                                int64_t seconds)
{
    return o ? set_seconds(&o->err, __func__, "protection", "none", &o->protect_s, seconds)
             : MILVUS_ERR_INVALID_ARGUMENT;
}

milvus_status milvus_snapshot_options_set_database(milvus_snapshot_options *o, const char *db)
{
    return o ? set_string(&o->err, __func__, "database", &o->db, db) : MILVUS_ERR_INVALID_ARGUMENT;
}

milvus_status milvus_snapshot_options_set_target_database(milvus_snapshot_options *o,
                                                          const char *db)
{
    return o ? set_string(&o->err, __func__, "target database", &o->target_db, db)
             : MILVUS_ERR_INVALID_ARGUMENT;
}

milvus_status milvus_snapshot_options_set_rewrite_data(milvus_snapshot_options *o, int on)
{
    if (!o)
        return MILVUS_ERR_INVALID_ARGUMENT;
    o->rewrite = on != 0;
    return MILVUS_OK;
}

milvus_status milvus_snapshot_options_set_external_spec(milvus_snapshot_options *o,
                                                        const char *json)
{
    return o ? set_string(&o->err, __func__, "external spec", &o->spec, json)
             : MILVUS_ERR_INVALID_ARGUMENT;
}

milvus_status milvus_snapshot_options_set_ttl(milvus_snapshot_options *o, int64_t seconds)
{
    return o ? set_seconds(&o->err, __func__, "ttl", "server default", &o->ttl_s, seconds)
             : MILVUS_ERR_INVALID_ARGUMENT;
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

/* ---- helpers, shared with snapshot_jobs.c --------------------------------------- */

const char *mv_snapshot_db(const milvus_client *c, const milvus_snapshot_options *o)
{
    return o && o->db ? o->db : mv_client_db(c);
}

int mv_snapshot_check_opts(milvus_client *c, const char *opname, const milvus_snapshot_options *o,
                           const milvus_await_options *ao)
{
    int rc = MILVUS_OK;
    if (o)
        rc = mv_check_opts(c, opname, "snapshot options", &o->err);
    if (rc == MILVUS_OK && ao)
        rc = mv_check_opts(c, opname, "await options", &ao->err);
    return rc;
}

/* The int64 payload of job-id and pin-id answers. */
void mv_snapshot_id_step(mv_op *op, milvus_result *res)
{
    if (res->status == MILVUS_OK && res->msg) {
        const ProtobufCMessageDescriptor *d = res->msg->descriptor;
        if (d == RESP(restore_snapshot_response))
            res->i64 = ((Milvus__Proto__Milvus__RestoreSnapshotResponse *)res->msg)->job_id;
        else if (d == RESP(restore_external_snapshot_response))
            res->i64 = ((Milvus__Proto__Milvus__RestoreExternalSnapshotResponse *)res->msg)->job_id;
        else if (d == RESP(export_snapshot_response))
            res->i64 = ((Milvus__Proto__Milvus__ExportSnapshotResponse *)res->msg)->job_id;
        else if (d == RESP(pin_snapshot_data_response))
            res->i64 = ((Milvus__Proto__Milvus__PinSnapshotDataResponse *)res->msg)->pin_id;
    }
    mv_op_finish(op, res);
}

/* ---- create / drop / list / describe -------------------------------------------- */

void mv_snapshot_create_req(milvus_client *c, Milvus__Proto__Milvus__CreateSnapshotRequest *req,
                            const char *coll, const char *name, const milvus_snapshot_options *o)
{
    milvus__proto__milvus__create_snapshot_request__init(req);
    req->msg_base = &mv_msg_base;
    req->name = (char *)name;
    req->collection_name = (char *)coll;
    req->db_name = (char *)mv_snapshot_db(c, o);
    if (o && o->description)
        req->description = o->description;
    if (o)
        req->compaction_protection_seconds = o->protect_s;
}

milvus_status milvus_client_create_snapshot(milvus_client *c, const char *coll, const char *name,
                                            const milvus_snapshot_options *o, milvus_result_cb cb,
                                            void *ctx)
{
    Milvus__Proto__Milvus__CreateSnapshotRequest req;
    int rc = mv_prologue(c, cb, "collection", coll, "snapshot", name);
    if (rc == MILVUS_OK)
        rc = mv_snapshot_check_opts(c, "create_snapshot", o, NULL);
    if (rc != MILVUS_OK)
        return rc;
    mv_snapshot_create_req(c, &req, coll, name, o);
    return mv_submit(c, "create_snapshot", coll, cb, ctx, MV_RPC("CreateSnapshot"), &req.base,
                     STATUS_RESP, NULL);
}

milvus_status milvus_client_drop_snapshot(milvus_client *c, const char *coll, const char *name,
                                          const milvus_snapshot_options *o, milvus_result_cb cb,
                                          void *ctx)
{
    Milvus__Proto__Milvus__DropSnapshotRequest req;
    int rc = mv_prologue(c, cb, "collection", coll, "snapshot", name);
    if (rc == MILVUS_OK)
        rc = mv_snapshot_check_opts(c, "drop_snapshot", o, NULL);
    if (rc != MILVUS_OK)
        return rc;
    milvus__proto__milvus__drop_snapshot_request__init(&req);
    req.msg_base = &mv_msg_base;
    req.name = (char *)name;
    req.collection_name = (char *)coll;
    req.db_name = (char *)mv_snapshot_db(c, o);
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

milvus_status milvus_client_list_snapshots(milvus_client *c, const char *coll,
                                           const milvus_snapshot_options *o, milvus_result_cb cb,
                                           void *ctx)
{
    Milvus__Proto__Milvus__ListSnapshotsRequest req;
    int all = !coll || !coll[0];
    int rc = mv_prologue(c, cb, all ? NULL : "collection", coll, NULL, NULL);
    if (rc == MILVUS_OK)
        rc = mv_snapshot_check_opts(c, "list_snapshots", o, NULL);
    if (rc != MILVUS_OK)
        return rc;
    milvus__proto__milvus__list_snapshots_request__init(&req);
    req.msg_base = &mv_msg_base;
    req.db_name = (char *)mv_snapshot_db(c, o);
    req.collection_name = all ? (char *)"" : (char *)coll;
    return mv_submit(c, "list_snapshots", all ? "" : coll, cb, ctx, MV_RPC("ListSnapshots"),
                     &req.base, RESP(list_snapshots_response), list_step);
}

milvus_status milvus_client_describe_snapshot(milvus_client *c, const char *coll, const char *name,
                                              const milvus_snapshot_options *o, milvus_result_cb cb,
                                              void *ctx)
{
    Milvus__Proto__Milvus__DescribeSnapshotRequest req;
    int rc = mv_prologue(c, cb, "collection", coll, "snapshot", name);
    if (rc == MILVUS_OK)
        rc = mv_snapshot_check_opts(c, "describe_snapshot", o, NULL);
    if (rc != MILVUS_OK)
        return rc;
    milvus__proto__milvus__describe_snapshot_request__init(&req);
    req.msg_base = &mv_msg_base;
    req.name = (char *)name;
    req.collection_name = (char *)coll;
    req.db_name = (char *)mv_snapshot_db(c, o);
    return mv_submit(c, "describe_snapshot", coll, cb, ctx, MV_RPC("DescribeSnapshot"), &req.base,
                     RESP(describe_snapshot_response), NULL);
}

/* ---- pins ------------------------------------------------------------------------ */

milvus_status milvus_client_pin_snapshot_data(milvus_client *c, const char *coll, const char *name,
                                              const milvus_snapshot_options *o, milvus_result_cb cb,
                                              void *ctx)
{
    Milvus__Proto__Milvus__PinSnapshotDataRequest req;
    int rc = mv_prologue(c, cb, "collection", coll, "snapshot", name);
    if (rc == MILVUS_OK)
        rc = mv_snapshot_check_opts(c, "pin_snapshot_data", o, NULL);
    if (rc != MILVUS_OK)
        return rc;
    milvus__proto__milvus__pin_snapshot_data_request__init(&req);
    req.msg_base = &mv_msg_base;
    req.name = (char *)name;
    req.collection_name = (char *)coll;
    req.db_name = (char *)mv_snapshot_db(c, o);
    req.ttl_seconds = o ? o->ttl_s : 0;
    return mv_submit(c, "pin_snapshot_data", coll, cb, ctx, MV_RPC("PinSnapshotData"), &req.base,
                     RESP(pin_snapshot_data_response), mv_snapshot_id_step);
}

milvus_status milvus_client_unpin_snapshot_data(milvus_client *c, int64_t pin_id,
                                                milvus_result_cb cb, void *ctx)
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
    return mv_submit(c, "unpin_snapshot_data", "", cb, ctx, MV_RPC("UnpinSnapshotData"), &req.base,
                     STATUS_RESP, NULL);
}

milvus_status milvus_client_list_restore_snapshot_jobs(milvus_client *c, const char *coll,
                                                       const milvus_snapshot_options *o,
                                                       milvus_result_cb cb, void *ctx)
{
    Milvus__Proto__Milvus__ListRestoreSnapshotJobsRequest req;
    int all = !coll || !coll[0];
    int rc = mv_prologue(c, cb, all ? NULL : "collection", coll, NULL, NULL);
    if (rc == MILVUS_OK)
        rc = mv_snapshot_check_opts(c, "list_restore_snapshot_jobs", o, NULL);
    if (rc != MILVUS_OK)
        return rc;
    milvus__proto__milvus__list_restore_snapshot_jobs_request__init(&req);
    req.msg_base = &mv_msg_base;
    req.db_name = (char *)mv_snapshot_db(c, o);
    req.collection_name = all ? (char *)"" : (char *)coll;
    return mv_submit(c, "list_restore_snapshot_jobs", all ? "" : coll, cb, ctx,
                     MV_RPC("ListRestoreSnapshotJobs"), &req.base,
                     RESP(list_restore_snapshot_jobs_response), NULL);
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

#define JOB_FIELD(name, type, field, dflt)                                                         \
    type milvus_result_job_##name(const milvus_result *res, size_t i)                              \
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
    const char *milvus_result_job_##name(const milvus_result *res, size_t i)                       \
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
