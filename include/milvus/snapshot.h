/* SPDX-License-Identifier: Apache-2.0 */
/*
 * libmilvus — collection snapshots: point-in-time copies of a collection
 * that can be restored into a new collection, exported to object storage
 * and restored elsewhere, and pinned against garbage collection.
 *
 * All operations follow the contracts of <milvus/client.h>: MILVUS_OK and
 * exactly one callback later from the loop, or an error and no callback.
 * Names are validated before anything is sent (empty, longer than
 * MILVUS_MAX_NAME_LEN bytes, or not UTF-8 → MILVUS_ERR_INVALID_ARGUMENT
 * with milvus_client_last_error() naming the argument).  Server refusals
 * (snapshot not found, target collection exists, collection missing)
 * arrive as MILVUS_ERR_SERVER with Milvus's code and reason.
 *
 * Restore and export run as server jobs.  The official clients return the
 * job id and leave the polling to the caller; libmilvus also offers
 * awaits -- the one await engine of <milvus/client.h>, with its
 * milvus_await_options -- that poll the job on event timers with backoff
 * (100 ms growing to 1 s by default), report each state or progress
 * change, honour an overall deadline, can be cancelled without cancelling
 * the server job, and keep polling across a reconnect -- while other calls
 * keep flowing on the same loop.
 */
#ifndef MILVUS_SNAPSHOT_H
#define MILVUS_SNAPSHOT_H

#include <milvus/client.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Restore / export job states (milvus.proto RestoreSnapshotState and
 * ExportSnapshotState share the numbering). */
typedef enum milvus_job_state {
    MILVUS_JOB_NONE = 0,
    MILVUS_JOB_PENDING = 1,
    MILVUS_JOB_EXECUTING = 2,
    MILVUS_JOB_COMPLETED = 3,
    MILVUS_JOB_FAILED = 4,
} milvus_job_state;

/* "Pending", "Executing", ...; never NULL. */
MILVUS_EXTERN const char *milvus_job_state_name(milvus_job_state s);

/* ---- options ------------------------------------------------------------ */

/* Setters refuse values as those of <milvus/client.h> do ("Option
 * objects"): the previous value stays, milvus_<type>_last_error() names
 * the setter, the value and what is accepted, and every operation given
 * the invalid object fails at submission with that message. */
typedef struct milvus_snapshot_options milvus_snapshot_options;
MILVUS_EXTERN milvus_snapshot_options *milvus_snapshot_options_new(void);
MILVUS_EXTERN void milvus_snapshot_options_free(milvus_snapshot_options *o);
/* The message of the newest refused value, "" when none; never NULL. */
MILVUS_EXTERN const char *milvus_snapshot_options_last_error(const milvus_snapshot_options *o);
/* create: a description; not NULL (default: none). */
MILVUS_EXTERN milvus_status milvus_snapshot_options_set_description(milvus_snapshot_options *o,
                                                                    const char *text);
/* create: seconds during which compaction keeps the snapshot's segments:
 * 0 (default) = none, or more. */
MILVUS_EXTERN milvus_status
milvus_snapshot_options_set_compaction_protection(milvus_snapshot_options *o, int64_t seconds);
/* The database of the source collection; not NULL (default: the
 * client's). */
MILVUS_EXTERN milvus_status milvus_snapshot_options_set_database(milvus_snapshot_options *o,
                                                                 const char *db);
/* restore: the target database; not NULL (default: the source
 * database). */
MILVUS_EXTERN milvus_status milvus_snapshot_options_set_target_database(milvus_snapshot_options *o,
                                                                        const char *db);
/* restore: rewrite the data files instead of sharing them. */
MILVUS_EXTERN milvus_status milvus_snapshot_options_set_rewrite_data(milvus_snapshot_options *o,
                                                                     int on);
/* export / restore-external: the external storage spec (JSON text); not
 * NULL (default: none). */
MILVUS_EXTERN milvus_status milvus_snapshot_options_set_external_spec(milvus_snapshot_options *o,
                                                                      const char *json);
/* pin: time to live of the pin in seconds: 0 (default) = the server's,
 * or more. */
MILVUS_EXTERN milvus_status milvus_snapshot_options_set_ttl(milvus_snapshot_options *o,
                                                            int64_t seconds);

/* ---- snapshot RPCs (o may be NULL everywhere) --------------------------- */

/* CreateSnapshot of collection under name.  Upstream recommends a flush
 * first: see milvus_client_flush_and_snapshot(). */
MILVUS_EXTERN milvus_status milvus_client_create_snapshot(milvus_client *c, const char *collection,
                                                          const char *name,
                                                          const milvus_snapshot_options *o,
                                                          milvus_result_cb cb, void *ctx);
/* Flushes the collection, waits until the flush is persisted (the
 * flush-state await of milvus_client_flush_and_wait(), with ao: its
 * interval, its deadline -- which bounds the flush, the wait and the
 * CreateSnapshot, MILVUS_ERR_TIMEOUT when it passes -- and its transient
 * poll failures that do not end the wait; ao NULL: the defaults, no
 * deadline), then creates the snapshot.  One callback at the end (or at
 * the first failing step, named in the message).  Cancel with
 * milvus_client_cancel(c, milvus_client_last_call(c)). */
MILVUS_EXTERN milvus_status milvus_client_flush_and_snapshot(
    milvus_client *c, const char *collection, const char *name, const milvus_snapshot_options *o,
    const milvus_await_options *ao, milvus_result_cb cb, void *ctx);
MILVUS_EXTERN milvus_status milvus_client_drop_snapshot(milvus_client *c, const char *collection,
                                                        const char *name,
                                                        const milvus_snapshot_options *o,
                                                        milvus_result_cb cb, void *ctx);
/* Snapshot names of collection.  Result strings.  NULL or "" sends no
 * collection name: Milvus 3.0's proxy refuses that (1101 "collection_name
 * is required for ListSnapshots"), and so does the test server. */
MILVUS_EXTERN milvus_status milvus_client_list_snapshots(milvus_client *c, const char *collection,
                                                         const milvus_snapshot_options *o,
                                                         milvus_result_cb cb, void *ctx);
/* Result: milvus_result_snapshot_*(). */
MILVUS_EXTERN milvus_status milvus_client_describe_snapshot(milvus_client *c,
                                                            const char *collection,
                                                            const char *name,
                                                            const milvus_snapshot_options *o,
                                                            milvus_result_cb cb, void *ctx);
/* Starts restoring snapshot name of collection into target_collection.
 * Result int64: the job id. */
MILVUS_EXTERN milvus_status milvus_client_restore_snapshot(milvus_client *c, const char *collection,
                                                           const char *name,
                                                           const char *target_collection,
                                                           const milvus_snapshot_options *o,
                                                           milvus_result_cb cb, void *ctx);
/* Result: one job (milvus_result_job_*() with i = 0). */
MILVUS_EXTERN milvus_status milvus_client_get_restore_snapshot_state(milvus_client *c,
                                                                     int64_t job_id,
                                                                     milvus_result_cb cb,
                                                                     void *ctx);
/* Restore jobs of collection (NULL or "": all).  Result: jobs. */
MILVUS_EXTERN milvus_status milvus_client_list_restore_snapshot_jobs(
    milvus_client *c, const char *collection, const milvus_snapshot_options *o, milvus_result_cb cb,
    void *ctx);
/* Starts exporting a snapshot to target_path in object storage.  Result
 * int64: the job id. */
MILVUS_EXTERN milvus_status milvus_client_export_snapshot(milvus_client *c, const char *collection,
                                                          const char *name, const char *target_path,
                                                          const milvus_snapshot_options *o,
                                                          milvus_result_cb cb, void *ctx);
/* Result: one export job (file and byte counters, metadata URI). */
MILVUS_EXTERN milvus_status milvus_client_get_export_snapshot_state(milvus_client *c,
                                                                    int64_t job_id,
                                                                    milvus_result_cb cb, void *ctx);
/* Starts restoring an exported snapshot (its metadata URI) into
 * target_collection.  Result int64: the job id. */
MILVUS_EXTERN milvus_status milvus_client_restore_external_snapshot(
    milvus_client *c, const char *target_collection, const char *metadata_uri,
    const milvus_snapshot_options *o, milvus_result_cb cb, void *ctx);
/* Pins the snapshot's data against garbage collection.  Result int64: the
 * pin id. */
MILVUS_EXTERN milvus_status milvus_client_pin_snapshot_data(milvus_client *c,
                                                            const char *collection,
                                                            const char *name,
                                                            const milvus_snapshot_options *o,
                                                            milvus_result_cb cb, void *ctx);
MILVUS_EXTERN milvus_status milvus_client_unpin_snapshot_data(milvus_client *c, int64_t pin_id,
                                                              milvus_result_cb cb, void *ctx);

/* ---- awaits -------------------------------------------------------------- */

/* Polls restore job job_id until it is Completed (MILVUS_OK; the result
 * holds the final job) or Failed (MILVUS_ERR_SERVER; the message and
 * milvus_result_reason() carry the server's reason).  o (NULL: the
 * defaults) is the await's: see "awaits" in <milvus/client.h> for the
 * interval, the deadline, the progress callback (res holds the job) and
 * the transient poll failures that do not end it (the next poll retries
 * with the same job id).  Cancel it with
 * milvus_client_cancel(c, milvus_client_last_call(c)) taken right after
 * submission: the await completes with MILVUS_ERR_CANCELLED, the server job
 * is not cancelled. */
MILVUS_EXTERN milvus_status milvus_client_await_restore(milvus_client *c, int64_t job_id,
                                                        const milvus_await_options *o,
                                                        milvus_result_cb cb, void *ctx);
MILVUS_EXTERN milvus_status milvus_client_await_export(milvus_client *c, int64_t job_id,
                                                       const milvus_await_options *o,
                                                       milvus_result_cb cb, void *ctx);
/* RestoreSnapshot, then the await above, as one operation. */
MILVUS_EXTERN milvus_status milvus_client_restore_snapshot_and_wait(
    milvus_client *c, const char *collection, const char *name, const char *target_collection,
    const milvus_snapshot_options *o, const milvus_await_options *ao, milvus_result_cb cb,
    void *ctx);
/* ExportSnapshot, then the await above. */
MILVUS_EXTERN milvus_status milvus_client_export_snapshot_and_wait(
    milvus_client *c, const char *collection, const char *name, const char *target_path,
    const milvus_snapshot_options *o, const milvus_await_options *ao, milvus_result_cb cb,
    void *ctx);
/* RestoreExternalSnapshot, then the restore await. */
MILVUS_EXTERN milvus_status milvus_client_restore_external_snapshot_and_wait(
    milvus_client *c, const char *target_collection, const char *metadata_uri,
    const milvus_snapshot_options *o, const milvus_await_options *ao, milvus_result_cb cb,
    void *ctx);

/* ---- result accessors ------------------------------------------------------ */

/* describe_snapshot. */
MILVUS_EXTERN const char *milvus_result_snapshot_name(const milvus_result *res);
MILVUS_EXTERN const char *milvus_result_snapshot_description(const milvus_result *res);
MILVUS_EXTERN const char *milvus_result_snapshot_collection(const milvus_result *res);
MILVUS_EXTERN size_t milvus_result_snapshot_partition_count(const milvus_result *res);
MILVUS_EXTERN const char *milvus_result_snapshot_partition(const milvus_result *res, size_t i);
/* Milvus hybrid timestamp of the snapshot's point in time. */
MILVUS_EXTERN int64_t milvus_result_snapshot_create_ts(const milvus_result *res);
MILVUS_EXTERN const char *milvus_result_snapshot_s3_location(const milvus_result *res);

/* Jobs: get_restore_snapshot_state / get_export_snapshot_state / awaits / progress (one job),
 * list_restore_snapshot_jobs (several). */
MILVUS_EXTERN size_t milvus_result_job_count(const milvus_result *res);
MILVUS_EXTERN int64_t milvus_result_job_id(const milvus_result *res, size_t i);
MILVUS_EXTERN milvus_job_state milvus_result_job_state(const milvus_result *res, size_t i);
/* 0..100. */
MILVUS_EXTERN int32_t milvus_result_job_progress(const milvus_result *res, size_t i);
/* Failure reason ("" when none). */
MILVUS_EXTERN const char *milvus_result_job_reason(const milvus_result *res, size_t i);
MILVUS_EXTERN const char *milvus_result_job_snapshot(const milvus_result *res, size_t i);
MILVUS_EXTERN const char *milvus_result_job_database(const milvus_result *res, size_t i);
MILVUS_EXTERN const char *milvus_result_job_collection(const milvus_result *res, size_t i);
/* Start time (ms since the epoch) and time taken (ms). */
MILVUS_EXTERN uint64_t milvus_result_job_start_time(const milvus_result *res, size_t i);
MILVUS_EXTERN uint64_t milvus_result_job_time_cost(const milvus_result *res, size_t i);
/* Export jobs: file and byte counters, and the metadata URI once
 * Completed ("" before). */
MILVUS_EXTERN int64_t milvus_result_job_total_files(const milvus_result *res, size_t i);
MILVUS_EXTERN int64_t milvus_result_job_copied_files(const milvus_result *res, size_t i);
MILVUS_EXTERN int64_t milvus_result_job_total_bytes(const milvus_result *res, size_t i);
MILVUS_EXTERN const char *milvus_result_job_metadata_uri(const milvus_result *res, size_t i);

#ifdef __cplusplus
}
#endif

#endif /* MILVUS_SNAPSHOT_H */
