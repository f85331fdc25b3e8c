/* SPDX-License-Identifier: Apache-2.0 */
/*
 * libmilvus — the blocking layer.
 *
 * A milvus_sync owns a private struct event_base and a milvus_client on
 * it, like curl's easy interface on top of multi: each milvus_sync_X()
 * submits the asynchronous milvus_client_X() and runs the private loop
 * until its callback has run, then returns.  It is built only on the
 * public asynchronous API (<milvus/client.h>, <milvus/snapshot.h>).
 *
 * Contracts (every milvus_sync_X below)
 *  - Return value: MILVUS_OK, or the error of the operation: the
 *    submission error of milvus_client_X() (nothing was sent), the status
 *    of its result (a local, transport, MILVUS_ERR_GRPC or
 *    MILVUS_ERR_SERVER error), or MILVUS_ERR_TIMEOUT when the wait
 *    deadline of milvus_sync_set_timeout_ms() passed (the operation is
 *    then cancelled before the function returns).
 *  - Result: when the callback ran, *out receives its result (a
 *    reference the caller releases with milvus_result_unref()), on
 *    success and on failure alike, so milvus_result_message(),
 *    milvus_result_reason() etc. can be read.  When no callback ran
 *    (submission error, wait deadline, NULL s) *out is set to NULL and
 *    milvus_sync_last_error() describes the error.  out may be NULL when
 *    the result is not wanted.
 *  - Deadlines: each RPC is bounded by the call timeout of the options
 *    (milvus_options_set_call_timeout_ms) and connecting by the connect
 *    timeout; milvus_sync_set_timeout_ms() additionally bounds every
 *    whole wait, which matters for multi-RPC operations (awaits,
 *    flush-and-snapshot).
 *  - Re-entrancy: a milvus_sync_X() must not be called from a callback
 *    running inside another milvus_sync_X() of the same handle (for
 *    example an await's progress callback); it then returns
 *    MILVUS_ERR_BUSY at once.  Different handles are independent.
 *  - Threads: a handle belongs to one thread at a time; no threads are
 *    started and no locks taken.
 *  - Inputs are copied as by the asynchronous functions.
 */
#ifndef MILVUS_SYNC_H
#define MILVUS_SYNC_H

#include <milvus/common.h>
#include <milvus/options.h>
#include <milvus/client.h>
#include <milvus/snapshot.h>

#ifdef __cplusplus
extern "C" {
#endif

struct event_base;

typedef struct milvus_sync milvus_sync;

/* ---- lifecycle ------------------------------------------------------------ */

/* A new handle in *out: a private event_base and a client created from
 * opts (copied; NULL = defaults), as milvus_client_new() makes one.
 * Nothing is sent yet.  Returns MILVUS_OK, MILVUS_ERR_INVALID_ARGUMENT
 * (out NULL, or opts holding a refused setter value, which
 * milvus_options_last_error(opts) names), MILVUS_ERR_TLS or
 * MILVUS_ERR_NOMEM; *out is NULL on failure. */
MILVUS_EXTERN milvus_status milvus_sync_new(milvus_sync **out, const milvus_options *opts);
/* Frees the client (pending calls complete with MILVUS_ERR_CANCELLED)
 * and the event_base.  NULL is a no-op. */
MILVUS_EXTERN void milvus_sync_free(milvus_sync *s);

/* Escape hatches: the client and the private event_base (for operations
 * this header does not wrap; run the loop yourself). */
MILVUS_EXTERN milvus_client *milvus_sync_client(milvus_sync *s);
MILVUS_EXTERN struct event_base *milvus_sync_base(milvus_sync *s);

/* Bounds every wait to ms milliseconds (0, the default, = no bound
 * beyond the per-RPC call timeout of the options; or more).  A negative
 * ms is refused: the bound stays and milvus_sync_last_error() says so. */
MILVUS_EXTERN milvus_status milvus_sync_set_timeout_ms(milvus_sync *s, int64_t ms);

/* The message of the last error that came without a result (submission
 * error -- an invalid option object included, named as by
 * milvus_client_last_error() --, wait deadline, busy, a refused
 * milvus_sync_set_timeout_ms()); "" when none.  Never NULL. */
MILVUS_EXTERN const char *milvus_sync_last_error(const milvus_sync *s);

/* ---- connection and databases (see <milvus/client.h>) ---------------------- */

MILVUS_EXTERN milvus_status milvus_sync_connect(milvus_sync *s, milvus_result **out);
MILVUS_EXTERN milvus_status milvus_sync_use_database(milvus_sync *s, const char *db,
                                                     milvus_result **out);
MILVUS_EXTERN milvus_status milvus_sync_get_server_version(milvus_sync *s, milvus_result **out);
MILVUS_EXTERN milvus_status milvus_sync_check_health(milvus_sync *s, milvus_result **out);
MILVUS_EXTERN milvus_status milvus_sync_list_database(milvus_sync *s, milvus_result **out);
MILVUS_EXTERN milvus_status milvus_sync_create_database(milvus_sync *s, const char *db,
                                                        milvus_result **out);
MILVUS_EXTERN milvus_status milvus_sync_drop_database(milvus_sync *s, const char *db,
                                                      milvus_result **out);
MILVUS_EXTERN milvus_status milvus_sync_describe_database(milvus_sync *s, const char *db,
                                                          milvus_result **out);
MILVUS_EXTERN milvus_status milvus_sync_alter_database_properties(milvus_sync *s, const char *db,
                                                                  const char *const *keys,
                                                                  const char *const *values,
                                                                  size_t n, milvus_result **out);
MILVUS_EXTERN milvus_status milvus_sync_drop_database_properties(milvus_sync *s, const char *db,
                                                                 const char *const *keys, size_t n,
                                                                 milvus_result **out);

/* ---- collections and partitions -------------------------------------------- */

MILVUS_EXTERN milvus_status milvus_sync_create_collection(milvus_sync *s, const char *collection,
                                                          const milvus_schema *schema,
                                                          const milvus_collection_options *o,
                                                          milvus_result **out);
MILVUS_EXTERN milvus_status milvus_sync_list_collections(milvus_sync *s, milvus_result **out);
MILVUS_EXTERN milvus_status milvus_sync_describe_collection(milvus_sync *s, const char *collection,
                                                            milvus_result **out);
MILVUS_EXTERN milvus_status milvus_sync_has_collection(milvus_sync *s, const char *collection,
                                                       milvus_result **out);
MILVUS_EXTERN milvus_status milvus_sync_drop_collection(milvus_sync *s, const char *collection,
                                                        milvus_result **out);
MILVUS_EXTERN milvus_status milvus_sync_get_collection_stats(milvus_sync *s, const char *collection,
                                                             milvus_result **out);
MILVUS_EXTERN milvus_status milvus_sync_create_partition(milvus_sync *s, const char *collection,
                                                         const char *partition,
                                                         milvus_result **out);
MILVUS_EXTERN milvus_status milvus_sync_drop_partition(milvus_sync *s, const char *collection,
                                                       const char *partition, milvus_result **out);
MILVUS_EXTERN milvus_status milvus_sync_has_partition(milvus_sync *s, const char *collection,
                                                      const char *partition, milvus_result **out);
MILVUS_EXTERN milvus_status milvus_sync_list_partitions(milvus_sync *s, const char *collection,
                                                        milvus_result **out);

/* ---- indexes, load --------------------------------------------------------------- */

MILVUS_EXTERN milvus_status milvus_sync_create_index(milvus_sync *s, const char *collection,
                                                     const char *field,
                                                     const milvus_index_options *o,
                                                     milvus_result **out);
MILVUS_EXTERN milvus_status milvus_sync_describe_index(milvus_sync *s, const char *collection,
                                                       const char *index, milvus_result **out);
MILVUS_EXTERN milvus_status milvus_sync_list_indexes(milvus_sync *s, const char *collection,
                                                     milvus_result **out);
MILVUS_EXTERN milvus_status milvus_sync_drop_index(milvus_sync *s, const char *collection,
                                                   const char *index, milvus_result **out);
MILVUS_EXTERN milvus_status milvus_sync_load_collection(milvus_sync *s, const char *collection,
                                                        const milvus_load_options *o,
                                                        milvus_result **out);
MILVUS_EXTERN milvus_status milvus_sync_release_collection(milvus_sync *s, const char *collection,
                                                           milvus_result **out);
MILVUS_EXTERN milvus_status milvus_sync_get_load_state(milvus_sync *s, const char *collection,
                                                       milvus_result **out);

/* ---- writes, reads, aliases, maintenance --------------------------------------- */

MILVUS_EXTERN milvus_status milvus_sync_insert(milvus_sync *s, const char *collection,
                                               const milvus_column *const *cols, size_t ncols,
                                               const milvus_write_options *o, milvus_result **out);
MILVUS_EXTERN milvus_status milvus_sync_upsert(milvus_sync *s, const char *collection,
                                               const milvus_column *const *cols, size_t ncols,
                                               const milvus_write_options *o, milvus_result **out);
MILVUS_EXTERN milvus_status milvus_sync_delete(milvus_sync *s, const char *collection,
                                               const char *expr, const milvus_write_options *o,
                                               milvus_result **out);
MILVUS_EXTERN milvus_status milvus_sync_delete_ids(milvus_sync *s, const char *collection,
                                                   const milvus_column *ids,
                                                   const milvus_write_options *o,
                                                   milvus_result **out);
MILVUS_EXTERN milvus_status milvus_sync_search(milvus_sync *s, const char *collection,
                                               const milvus_search_options *o, milvus_result **out);
MILVUS_EXTERN milvus_status milvus_sync_hybrid_search(milvus_sync *s, const char *collection,
                                                      const milvus_search_options *const *legs,
                                                      size_t n, const milvus_search_options *top,
                                                      milvus_result **out);
MILVUS_EXTERN milvus_status milvus_sync_query(milvus_sync *s, const char *collection,
                                              const milvus_query_options *o, milvus_result **out);
MILVUS_EXTERN milvus_status milvus_sync_get(milvus_sync *s, const char *collection,
                                            const milvus_column *ids, const milvus_query_options *o,
                                            milvus_result **out);
MILVUS_EXTERN milvus_status milvus_sync_count(milvus_sync *s, const char *collection,
                                              const char *filter, milvus_result **out);
MILVUS_EXTERN milvus_status milvus_sync_create_alias(milvus_sync *s, const char *collection,
                                                     const char *alias, milvus_result **out);
MILVUS_EXTERN milvus_status milvus_sync_drop_alias(milvus_sync *s, const char *alias,
                                                   milvus_result **out);
MILVUS_EXTERN milvus_status milvus_sync_flush(milvus_sync *s, const char *collection,
                                              milvus_result **out);

/* ---- collection administration, partitions, aliases, compaction, awaits -------- */

MILVUS_EXTERN milvus_status milvus_sync_rename_collection(milvus_sync *s, const char *collection,
                                                          const char *new_name, const char *new_db,
                                                          milvus_result **out);
MILVUS_EXTERN milvus_status milvus_sync_alter_collection_properties(milvus_sync *s,
                                                                    const char *collection,
                                                                    const char *const *keys,
                                                                    const char *const *values,
                                                                    size_t n, milvus_result **out);
MILVUS_EXTERN milvus_status milvus_sync_drop_collection_properties(milvus_sync *s,
                                                                   const char *collection,
                                                                   const char *const *keys,
                                                                   size_t n, milvus_result **out);
MILVUS_EXTERN milvus_status milvus_sync_alter_collection_field_property(
    milvus_sync *s, const char *collection, const char *field, const char *const *keys,
    const char *const *values, size_t n, milvus_result **out);
MILVUS_EXTERN milvus_status milvus_sync_create_collection_quick(milvus_sync *s,
                                                                const char *collection, int64_t dim,
                                                                const char *metric, int auto_id,
                                                                const milvus_await_options *o,
                                                                milvus_result **out);
MILVUS_EXTERN milvus_status milvus_sync_get_partition_stats(milvus_sync *s, const char *collection,
                                                            const char *partition,
                                                            milvus_result **out);
MILVUS_EXTERN milvus_status milvus_sync_load_partitions(milvus_sync *s, const char *collection,
                                                        const char *const *partitions, size_t n,
                                                        milvus_result **out);
MILVUS_EXTERN milvus_status milvus_sync_release_partitions(milvus_sync *s, const char *collection,
                                                           const char *const *partitions, size_t n,
                                                           milvus_result **out);
MILVUS_EXTERN milvus_status milvus_sync_refresh_load(milvus_sync *s, const char *collection,
                                                     milvus_result **out);
MILVUS_EXTERN milvus_status milvus_sync_await_index(milvus_sync *s, const char *collection,
                                                    const char *index,
                                                    const milvus_await_options *o,
                                                    milvus_result **out);
MILVUS_EXTERN milvus_status milvus_sync_await_load(milvus_sync *s, const char *collection,
                                                   const char *const *partitions, size_t n,
                                                   const milvus_await_options *o,
                                                   milvus_result **out);
MILVUS_EXTERN milvus_status milvus_sync_flush_and_wait(milvus_sync *s, const char *collection,
                                                       const milvus_await_options *o,
                                                       milvus_result **out);
MILVUS_EXTERN milvus_status milvus_sync_alter_alias(milvus_sync *s, const char *collection,
                                                    const char *alias, milvus_result **out);
MILVUS_EXTERN milvus_status milvus_sync_describe_alias(milvus_sync *s, const char *alias,
                                                       milvus_result **out);
MILVUS_EXTERN milvus_status milvus_sync_list_aliases(milvus_sync *s, const char *collection,
                                                     milvus_result **out);
MILVUS_EXTERN milvus_status milvus_sync_compact(milvus_sync *s, const char *collection, int major,
                                                milvus_result **out);
MILVUS_EXTERN milvus_status milvus_sync_get_compaction_state(milvus_sync *s, int64_t compaction_id,
                                                             milvus_result **out);

/* ---- snapshots (see <milvus/snapshot.h>) ------------------------------------------ */

MILVUS_EXTERN milvus_status milvus_sync_create_snapshot(milvus_sync *s, const char *collection,
                                                        const char *name,
                                                        const milvus_snapshot_options *o,
                                                        milvus_result **out);
MILVUS_EXTERN milvus_status milvus_sync_flush_and_snapshot(milvus_sync *s, const char *collection,
                                                           const char *name,
                                                           const milvus_snapshot_options *o,
                                                           const milvus_await_options *ao,
                                                           milvus_result **out);
MILVUS_EXTERN milvus_status milvus_sync_drop_snapshot(milvus_sync *s, const char *collection,
                                                      const char *name,
                                                      const milvus_snapshot_options *o,
                                                      milvus_result **out);
MILVUS_EXTERN milvus_status milvus_sync_list_snapshots(milvus_sync *s, const char *collection,
                                                       const milvus_snapshot_options *o,
                                                       milvus_result **out);
MILVUS_EXTERN milvus_status milvus_sync_describe_snapshot(milvus_sync *s, const char *collection,
                                                          const char *name,
                                                          const milvus_snapshot_options *o,
                                                          milvus_result **out);
MILVUS_EXTERN milvus_status milvus_sync_restore_snapshot(milvus_sync *s, const char *collection,
                                                         const char *name,
                                                         const char *target_collection,
                                                         const milvus_snapshot_options *o,
                                                         milvus_result **out);
MILVUS_EXTERN milvus_status milvus_sync_get_restore_snapshot_state(milvus_sync *s, int64_t job_id,
                                                                   milvus_result **out);
MILVUS_EXTERN milvus_status milvus_sync_list_restore_snapshot_jobs(milvus_sync *s,
                                                                   const char *collection,
                                                                   const milvus_snapshot_options *o,
                                                                   milvus_result **out);
MILVUS_EXTERN milvus_status milvus_sync_export_snapshot(milvus_sync *s, const char *collection,
                                                        const char *name, const char *target_path,
                                                        const milvus_snapshot_options *o,
                                                        milvus_result **out);
MILVUS_EXTERN milvus_status milvus_sync_get_export_snapshot_state(milvus_sync *s, int64_t job_id,
                                                                  milvus_result **out);
MILVUS_EXTERN milvus_status milvus_sync_restore_external_snapshot(milvus_sync *s,
                                                                  const char *target_collection,
                                                                  const char *metadata_uri,
                                                                  const milvus_snapshot_options *o,
                                                                  milvus_result **out);
MILVUS_EXTERN milvus_status milvus_sync_pin_snapshot_data(milvus_sync *s, const char *collection,
                                                          const char *name,
                                                          const milvus_snapshot_options *o,
                                                          milvus_result **out);
MILVUS_EXTERN milvus_status milvus_sync_unpin_snapshot_data(milvus_sync *s, int64_t pin_id,
                                                            milvus_result **out);

/* Awaits (and flush_and_snapshot, flush_and_wait, await_index,
 * await_load, create_collection_quick above): the progress callback of
 * the await options (if any) runs inside the wait, on this handle's loop;
 * it must not call a milvus_sync_X() of the same handle.  Each wait is
 * bounded by milvus_sync_set_timeout_ms() as well as by the await's own
 * deadline: the first to pass ends it. */
MILVUS_EXTERN milvus_status milvus_sync_await_restore(milvus_sync *s, int64_t job_id,
                                                      const milvus_await_options *ao,
                                                      milvus_result **out);
MILVUS_EXTERN milvus_status milvus_sync_await_export(milvus_sync *s, int64_t job_id,
                                                     const milvus_await_options *ao,
                                                     milvus_result **out);
MILVUS_EXTERN milvus_status milvus_sync_restore_snapshot_and_wait(
    milvus_sync *s, const char *collection, const char *name, const char *target_collection,
    const milvus_snapshot_options *o, const milvus_await_options *ao, milvus_result **out);
MILVUS_EXTERN milvus_status milvus_sync_export_snapshot_and_wait(
    milvus_sync *s, const char *collection, const char *name, const char *target_path,
    const milvus_snapshot_options *o, const milvus_await_options *ao, milvus_result **out);
MILVUS_EXTERN milvus_status milvus_sync_restore_external_snapshot_and_wait(
    milvus_sync *s, const char *target_collection, const char *metadata_uri,
    const milvus_snapshot_options *o, const milvus_await_options *ao, milvus_result **out);

#ifdef __cplusplus
}
#endif

/* The write functions accept `milvus_column *cols[]` as well as
 * `const milvus_column *cols[]` (see "arrays of columns" in
 * <milvus/column.h>). */
#if !defined(__cplusplus)
#define milvus_sync_insert(s, collection, cols, ncols, o, out)                                     \
    milvus_sync_insert((s), (collection), MILVUS_COLUMN_ARRAY(cols), (ncols), (o), (out))
#define milvus_sync_upsert(s, collection, cols, ncols, o, out)                                     \
    milvus_sync_upsert((s), (collection), MILVUS_COLUMN_ARRAY(cols), (ncols), (o), (out))
#endif

#endif /* MILVUS_SYNC_H */
