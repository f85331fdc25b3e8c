/* SPDX-License-Identifier: Apache-2.0 */
/*
 * libmilvus — the typed, asynchronous Milvus client.
 *
 * A milvus_client runs on the caller's struct event_base.  Each operation
 * validates its arguments, serializes the request, and completes later
 * through one callback carrying a milvus_result (<milvus/result.h>).
 *
 * Contracts (all operations below)
 *  - Submission: an operation returns MILVUS_OK and later invokes its
 *    callback exactly once, from the event loop (never from inside the
 *    submitting function) -- or returns an error and invokes nothing and
 *    sends nothing.  milvus_client_last_error() then describes it.
 *    Common return codes: MILVUS_ERR_INVALID_ARGUMENT (NULL handle or
 *    callback, empty, over-long (> MILVUS_MAX_NAME_LEN) or non-UTF-8 name,
 *    wrong dimension, mixed row counts, unknown data type),
 *    MILVUS_ERR_CLOSED (client closing or closed), MILVUS_ERR_BUSY (the
 *    pending-call bound of the options is reached), MILVUS_ERR_TOO_LARGE
 *    (request over the max send size), MILVUS_ERR_NOMEM.
 *  - Success: gRPC status OK and Milvus common.Status code 0 and legacy
 *    error_code 0; otherwise the result has MILVUS_ERR_GRPC or
 *    MILVUS_ERR_SERVER (or a local/transport error).
 *  - Option objects: their setters return MILVUS_OK,
 *    MILVUS_ERR_INVALID_ARGUMENT or MILVUS_ERR_NOMEM; the values each one
 *    accepts, and the default, are given with it.  A refused value is not
 *    stored (the previous one stays): the setter records a message naming
 *    itself, the value and what is accepted, e.g.
 *      "milvus_search_options_set_limit: limit 100000 is out of range
 *      (1..16384)"
 *    readable with milvus_<type>_last_error() (valid until the next setter
 *    call on the object), and the object becomes invalid.  An operation given an invalid object
 * fails at submission with MILVUS_ERR_INVALID_ARGUMENT and milvus_client_last_error()
 *    "<operation>: invalid <type>: <that message>", so an ignored return
 *    code never turns into a silent default.  The object becomes valid
 *    again once every setter that refused a value has accepted one (keyed
 *    setters, such as set_param, for the same key).  NULL objects give
 *    MILVUS_ERR_INVALID_ARGUMENT and record nothing.
 *  - Ownership: every input (names, schema, columns, option objects) is
 *    copied or serialized before the operation returns.  The result is
 *    borrowed for the duration of the callback (see milvus_result_ref()).
 *    ctx is never touched.
 *  - Re-entrancy: operations, cancel, close and free may be called from
 *    inside any callback.
 *  - Connection: the Connect handshake runs lazily before the first call
 *    (or explicitly with milvus_client_connect()); calls submitted meanwhile
 *    wait for it.  A server without Connect (gRPC UNIMPLEMENTED) is
 *    accepted.  A failed handshake fails the waiting calls with its error
 *    and is retried on the next call.
 *  - Rate limiting: a Milvus rate-limit answer (code 8 / legacy
 *    RateLimit) is retried on event timers with exponential backoff
 *    (milvus_options_set_rate_limit_retry()).
 *  - Threads: a client belongs to the thread running its event_base.
 */
#ifndef MILVUS_CLIENT_H
#define MILVUS_CLIENT_H

#include <milvus/common.h>
#include <milvus/options.h>
#include <milvus/channel.h>
#include <milvus/schema.h>
#include <milvus/column.h>
#include <milvus/result.h>

#ifdef __cplusplus
extern "C" {
#endif

struct event_base;

typedef struct milvus_client milvus_client;

/* The completion callback of every operation.  res is never NULL and is
 * valid until the callback returns. */
typedef void (*milvus_result_cb)(milvus_client *c, const milvus_result *res, void *ctx);

/* ---- lifecycle ----------------------------------------------------------- */

/* Creates a client on base from opts (copied; NULL = defaults).  Nothing is
 * sent yet.  The options' URI path or database setter selects the
 * database ("dbname" metadata); token or user+password become the
 * "authorization" metadata (base64, no "Bearer").
 * Returns MILVUS_OK, MILVUS_ERR_INVALID_ARGUMENT, MILVUS_ERR_TLS or
 * MILVUS_ERR_NOMEM.  Options that hold a refused setter value give
 * MILVUS_ERR_INVALID_ARGUMENT; milvus_options_last_error(opts) says which
 * (there is no client to ask). */
MILVUS_EXTERN milvus_status milvus_client_new(milvus_client **out, struct event_base *base,
                                              const milvus_options *opts);

/* Frees the client at once: every pending call completes with
 * MILVUS_ERR_CANCELLED before this returns.  Deferred when called from a
 * callback.  NULL is a no-op. */
MILVUS_EXTERN void milvus_client_free(milvus_client *c);

typedef void (*milvus_client_closed_cb)(milvus_client *c, void *ctx);
/* Graceful close: new calls fail with MILVUS_ERR_CLOSED, pending ones
 * finish, then cb runs from the loop (cb may be NULL); the caller then
 * frees the client. */
MILVUS_EXTERN milvus_status milvus_client_close(milvus_client *c, milvus_client_closed_cb cb,
                                                void *ctx);

/* The message of the last synchronous error of this client; never NULL. */
MILVUS_EXTERN const char *milvus_client_last_error(const milvus_client *c);

/* Identifier of the last operation submitted successfully on c (never 0),
 * to pass to milvus_client_cancel(). */
MILVUS_EXTERN uint64_t milvus_client_last_call(const milvus_client *c);
/* Cancels an operation: its callback runs (from the loop) with
 * MILVUS_ERR_CANCELLED.  A completed or unknown id is a no-op.
 * Returns MILVUS_OK or MILVUS_ERR_INVALID_ARGUMENT (c NULL). */
MILVUS_EXTERN milvus_status milvus_client_cancel(milvus_client *c, uint64_t call);

/* Call options (<milvus/channel.h>) for the operations submitted on c from
 * now on, as the Go client's per-call options: every RPC of such an
 * operation is sent with them -- the timeout bounds each RPC (an await's
 * own deadline still bounds the whole await, and a shorter one wins), the
 * metadata is added to its headers, and idempotent and retry override the
 * channel's rules for it.  co is copied; NULL goes back to none (the
 * channel's defaults).  Operations already submitted keep the options they
 * were submitted with; the client's own calls (the Connect handshake,
 * schema fetches) never take them.  Returns MILVUS_OK,
 * MILVUS_ERR_INVALID_ARGUMENT (c NULL, or co holding a refused value:
 * milvus_client_last_error() names it) or MILVUS_ERR_NOMEM. */
MILVUS_EXTERN milvus_status milvus_client_set_call_options(milvus_client *c,
                                                           const milvus_call_options *co);

/* Number of operations submitted and not completed. */
MILVUS_EXTERN size_t milvus_client_pending(const milvus_client *c);

/* Runs the Connect handshake now.  Result: milvus_result_string() is the
 * server's build tags (version), empty for servers without Connect;
 * milvus_result_int64() the connection identifier. */
MILVUS_EXTERN milvus_status milvus_client_connect(milvus_client *c, milvus_result_cb cb, void *ctx);
/* The identifier the server gave the last successful Connect (sent as the
 * "identifier" metadata on every later call); 0 before any. */
MILVUS_EXTERN int64_t milvus_client_identifier(const milvus_client *c);
/* The current database ("" = the server default). */
MILVUS_EXTERN const char *milvus_client_database(const milvus_client *c);
/* Switches the database: re-runs Connect with the new "dbname" and drops
 * the schema cache. */
MILVUS_EXTERN milvus_status milvus_client_use_database(milvus_client *c, const char *db,
                                                       milvus_result_cb cb, void *ctx);
/* Result string: the server version. */
MILVUS_EXTERN milvus_status milvus_client_get_server_version(milvus_client *c, milvus_result_cb cb,
                                                             void *ctx);
/* Result bool: healthy; strings: the reasons when not. */
MILVUS_EXTERN milvus_status milvus_client_check_health(milvus_client *c, milvus_result_cb cb,
                                                       void *ctx);

/* ---- databases ------------------------------------------------------------ */

MILVUS_EXTERN milvus_status milvus_client_list_database(milvus_client *c, milvus_result_cb cb,
                                                        void *ctx);
MILVUS_EXTERN milvus_status milvus_client_create_database(milvus_client *c, const char *db,
                                                          milvus_result_cb cb, void *ctx);
MILVUS_EXTERN milvus_status milvus_client_drop_database(milvus_client *c, const char *db,
                                                        milvus_result_cb cb, void *ctx);
/* Result properties; int64 = database id. */
MILVUS_EXTERN milvus_status milvus_client_describe_database(milvus_client *c, const char *db,
                                                            milvus_result_cb cb, void *ctx);
/* Sets n properties (keys/values copied). */
MILVUS_EXTERN milvus_status milvus_client_alter_database_properties(
    milvus_client *c, const char *db, const char *const *keys, const char *const *values, size_t n,
    milvus_result_cb cb, void *ctx);
MILVUS_EXTERN milvus_status milvus_client_drop_database_properties(milvus_client *c, const char *db,
                                                                   const char *const *keys,
                                                                   size_t n, milvus_result_cb cb,
                                                                   void *ctx);

/* ---- collections ------------------------------------------------------------ */

typedef struct milvus_collection_options milvus_collection_options;
/* NULL when out of memory.  Defaults: server shards, Bounded consistency. */
MILVUS_EXTERN milvus_collection_options *milvus_collection_options_new(void);
MILVUS_EXTERN void milvus_collection_options_free(milvus_collection_options *o);
/* The message of the newest refused value (see "Option objects" above),
 * "" when o is valid or NULL; never NULL. */
MILVUS_EXTERN const char *milvus_collection_options_last_error(const milvus_collection_options *o);
/* Shards 1..64 (default: the server's). */
MILVUS_EXTERN milvus_status milvus_collection_options_set_shards(milvus_collection_options *o,
                                                                 int32_t n);
/* MILVUS_CONSISTENCY_STRONG..MILVUS_CONSISTENCY_EVENTUALLY (default
 * Bounded). */
MILVUS_EXTERN milvus_status milvus_collection_options_set_consistency(milvus_collection_options *o,
                                                                      milvus_consistency level);
/* Partitions of a partition-key collection: 0..4096 (0, the default: the
 * server's). */
MILVUS_EXTERN milvus_status
milvus_collection_options_set_num_partitions(milvus_collection_options *o, int64_t n);
/* A collection property: key non-empty, value not NULL (replaces the
 * key's earlier value). */
MILVUS_EXTERN milvus_status milvus_collection_options_set_property(milvus_collection_options *o,
                                                                   const char *key,
                                                                   const char *value);

/* Creates a collection from schema (validated with milvus_schema_validate()
 * and serialized before this returns).  o may be NULL. */
MILVUS_EXTERN milvus_status milvus_client_create_collection(milvus_client *c,
                                                            const char *collection,
                                                            const milvus_schema *schema,
                                                            const milvus_collection_options *o,
                                                            milvus_result_cb cb, void *ctx);
/* Result strings: names. */
MILVUS_EXTERN milvus_status milvus_client_list_collections(milvus_client *c, milvus_result_cb cb,
                                                           void *ctx);
/* Result schema, int64 = collection id, properties.  Refreshes the
 * client's schema cache. */
MILVUS_EXTERN milvus_status milvus_client_describe_collection(milvus_client *c,
                                                              const char *collection,
                                                              milvus_result_cb cb, void *ctx);
/* Result bool (a "collection not found" answer is success with false). */
MILVUS_EXTERN milvus_status milvus_client_has_collection(milvus_client *c, const char *collection,
                                                         milvus_result_cb cb, void *ctx);
MILVUS_EXTERN milvus_status milvus_client_drop_collection(milvus_client *c, const char *collection,
                                                          milvus_result_cb cb, void *ctx);
/* Result properties ("row_count", ...). */
MILVUS_EXTERN milvus_status milvus_client_get_collection_stats(milvus_client *c,
                                                               const char *collection,
                                                               milvus_result_cb cb, void *ctx);

/* Renames collection to new_name, moving it to database new_db when not
 * NULL (the server refuses a move while the collection has aliases). */
MILVUS_EXTERN milvus_status milvus_client_rename_collection(milvus_client *c,
                                                            const char *collection,
                                                            const char *new_name,
                                                            const char *new_db, milvus_result_cb cb,
                                                            void *ctx);
/* Sets n collection properties (e.g. "collection.ttl.seconds"); keys and
 * values are copied.  AlterCollection. */
MILVUS_EXTERN milvus_status milvus_client_alter_collection_properties(
    milvus_client *c, const char *collection, const char *const *keys, const char *const *values,
    size_t n, milvus_result_cb cb, void *ctx);
/* Removes n collection properties (AlterCollection delete_keys). */
MILVUS_EXTERN milvus_status milvus_client_drop_collection_properties(milvus_client *c,
                                                                     const char *collection,
                                                                     const char *const *keys,
                                                                     size_t n, milvus_result_cb cb,
                                                                     void *ctx);
/* Sets n properties of one field (e.g. "max_length" of a VarChar,
 * "mmap.enabled").  AlterCollectionField; drops the cached schema. */
MILVUS_EXTERN milvus_status milvus_client_alter_collection_field_property(
    milvus_client *c, const char *collection, const char *field, const char *const *keys,
    const char *const *values, size_t n, milvus_result_cb cb, void *ctx);

/* ---- awaits ----------------------------------------------------------------------
 *
 * Every await of the library -- index build, load and flush here; restore
 * and export jobs, and the flush before a snapshot, in <milvus/snapshot.h>
 * -- is one engine with one options type.  It polls the server on event
 * timers (the interval starts at initial_ms and is multiplied by factor
 * after each poll, up to max_ms; defaults 100 ms, x2, 1 s), reports every
 * change of progress (0..100; for jobs also of their state) to the progress
 * callback, and completes with MILVUS_OK when the job is done.  A failed
 * job (index build or job Failed) completes with MILVUS_ERR_SERVER and the
 * server's reason; the deadline (none by default), which bounds every
 * RPC of the await and of the steps of a composite before it, with
 * MILVUS_ERR_TIMEOUT naming the last progress; the server job goes on.
 * Transient poll failures do not end an await; they are, for every
 * await alike: connection lost or not made, one poll timing out (here,
 * or gRPC DEADLINE_EXCEEDED from the server), gRPC UNAVAILABLE, Milvus rate limiting that outlasted
 * the client's own rate-limit retries, and any Milvus status marked retriable.  Cancel with
 * milvus_client_cancel(c, milvus_client_last_call(c)) taken right after
 * submission: the callback runs with MILVUS_ERR_CANCELLED; the server job
 * goes on.  Other calls keep flowing on the loop meanwhile. */

typedef struct milvus_await_options milvus_await_options;
/* Called from the loop when the progress (or a job's state) changed,
 * the final answer included; res is the poll's answer, valid during the
 * call: the index accessors for an index await, the job
 * (milvus_result_job_*() with i = 0) for a job await, whose progress is
 * the job's. */
typedef void (*milvus_progress_cb)(milvus_client *c, int64_t progress, const milvus_result *res,
                                   void *ctx);
/* NULL when out of memory. */
MILVUS_EXTERN milvus_await_options *milvus_await_options_new(void);
MILVUS_EXTERN void milvus_await_options_free(milvus_await_options *o);
/* The message of the newest refused value, "" when none; never NULL. */
MILVUS_EXTERN const char *milvus_await_options_last_error(const milvus_await_options *o);
/* Overall deadline in ms: 0 (default) = none, or more. */
MILVUS_EXTERN milvus_status milvus_await_options_set_timeout_ms(milvus_await_options *o,
                                                                int64_t ms);
/* Poll interval: initial_ms, multiplied by factor after each poll, up to
 * max_ms (defaults 100 ms, x2, 1 s).  Accepted: initial_ms at least 1,
 * max_ms at least initial_ms, factor 1..100. */
MILVUS_EXTERN milvus_status milvus_await_options_set_interval(milvus_await_options *o,
                                                              int64_t initial_ms, int64_t max_ms,
                                                              double factor);
MILVUS_EXTERN milvus_status milvus_await_options_set_progress(milvus_await_options *o,
                                                              milvus_progress_cb cb, void *ctx);

/* Polls DescribeIndex until index (NULL: every index of the collection)
 * is Finished.  Result: int64 100, the index accessors and strings (index
 * names) of the last answer.  o may be NULL (defaults). */
MILVUS_EXTERN milvus_status milvus_client_await_index(milvus_client *c, const char *collection,
                                                      const char *index,
                                                      const milvus_await_options *o,
                                                      milvus_result_cb cb, void *ctx);
/* Polls GetLoadingProgress of the collection (or of the n partitions)
 * until 100. */
MILVUS_EXTERN milvus_status milvus_client_await_load(milvus_client *c, const char *collection,
                                                     const char *const *partitions, size_t n,
                                                     const milvus_await_options *o,
                                                     milvus_result_cb cb, void *ctx);
/* Flush, then polls GetFlushState of the sealed segments until they are
 * persisted. */
MILVUS_EXTERN milvus_status milvus_client_flush_and_wait(milvus_client *c, const char *collection,
                                                         const milvus_await_options *o,
                                                         milvus_result_cb cb, void *ctx);
/* The quick form of the Go client: creates collection with an Int64
 * primary key "id" (server-generated when auto_id), a FloatVector
 * "vector" of dim and the dynamic field, builds an AUTOINDEX with metric
 * (NULL: "COSINE"), loads it and waits until loaded (o: the load await).
 * One callback at the end, or at the first failing step (named by
 * milvus_result_message()). */
MILVUS_EXTERN milvus_status milvus_client_create_collection_quick(
    milvus_client *c, const char *collection, int64_t dim, const char *metric, int auto_id,
    const milvus_await_options *o, milvus_result_cb cb, void *ctx);

/* ---- partitions ------------------------------------------------------------- */

MILVUS_EXTERN milvus_status milvus_client_create_partition(milvus_client *c, const char *collection,
                                                           const char *partition,
                                                           milvus_result_cb cb, void *ctx);
MILVUS_EXTERN milvus_status milvus_client_drop_partition(milvus_client *c, const char *collection,
                                                         const char *partition, milvus_result_cb cb,
                                                         void *ctx);
/* Result bool. */
MILVUS_EXTERN milvus_status milvus_client_has_partition(milvus_client *c, const char *collection,
                                                        const char *partition, milvus_result_cb cb,
                                                        void *ctx);
/* Result properties ("row_count"). */
MILVUS_EXTERN milvus_status milvus_client_get_partition_stats(milvus_client *c,
                                                              const char *collection,
                                                              const char *partition,
                                                              milvus_result_cb cb, void *ctx);
/* Result strings. */
MILVUS_EXTERN milvus_status milvus_client_list_partitions(milvus_client *c, const char *collection,
                                                          milvus_result_cb cb, void *ctx);

/* ---- indexes ---------------------------------------------------------------- */

typedef struct milvus_index_options milvus_index_options;
MILVUS_EXTERN milvus_index_options *milvus_index_options_new(void);
MILVUS_EXTERN void milvus_index_options_free(milvus_index_options *o);
/* The message of the newest refused value, "" when none; never NULL. */
MILVUS_EXTERN const char *milvus_index_options_last_error(const milvus_index_options *o);
/* Index name: 1..MILVUS_MAX_NAME_LEN bytes of UTF-8 (default: the field
 * name). */
MILVUS_EXTERN milvus_status milvus_index_options_set_name(milvus_index_options *o,
                                                          const char *name);
/* "AUTOINDEX" (default), "HNSW", "IVF_FLAT", ...; not NULL (the server
 * checks the name). */
MILVUS_EXTERN milvus_status milvus_index_options_set_type(milvus_index_options *o,
                                                          const char *type);
/* "COSINE", "L2", "IP", ...; not NULL (default: the server's). */
MILVUS_EXTERN milvus_status milvus_index_options_set_metric(milvus_index_options *o,
                                                            const char *metric);
/* Per-type parameter, e.g. "M" = "16": key non-empty, value not NULL. */
MILVUS_EXTERN milvus_status milvus_index_options_set_param(milvus_index_options *o, const char *key,
                                                           const char *value);

/* o may be NULL (AUTOINDEX, server default metric). */
MILVUS_EXTERN milvus_status milvus_client_create_index(milvus_client *c, const char *collection,
                                                       const char *field,
                                                       const milvus_index_options *o,
                                                       milvus_result_cb cb, void *ctx);
/* index may be NULL (all indexes).  Result: index accessors. */
MILVUS_EXTERN milvus_status milvus_client_describe_index(milvus_client *c, const char *collection,
                                                         const char *index, milvus_result_cb cb,
                                                         void *ctx);
/* Result strings: index names. */
MILVUS_EXTERN milvus_status milvus_client_list_indexes(milvus_client *c, const char *collection,
                                                       milvus_result_cb cb, void *ctx);
MILVUS_EXTERN milvus_status milvus_client_drop_index(milvus_client *c, const char *collection,
                                                     const char *index, milvus_result_cb cb,
                                                     void *ctx);

/* ---- load / release --------------------------------------------------------- */

typedef struct milvus_load_options milvus_load_options;
MILVUS_EXTERN milvus_load_options *milvus_load_options_new(void);
MILVUS_EXTERN void milvus_load_options_free(milvus_load_options *o);
/* The message of the newest refused value, "" when none; never NULL. */
MILVUS_EXTERN const char *milvus_load_options_last_error(const milvus_load_options *o);
/* Replicas: at least 1 (default: the server's). */
MILVUS_EXTERN milvus_status milvus_load_options_set_replicas(milvus_load_options *o, int32_t n);
/* Load only these partitions (LoadPartitions); may be called repeatedly.
 * Names are 1..MILVUS_MAX_NAME_LEN bytes of UTF-8. */
MILVUS_EXTERN milvus_status milvus_load_options_add_partition(milvus_load_options *o,
                                                              const char *name);
/* Refresh an already loaded collection (RefreshLoad). */
MILVUS_EXTERN milvus_status milvus_load_options_set_refresh(milvus_load_options *o, int on);

/* Starts loading (o may be NULL); completes when the server accepted the
 * request (poll milvus_client_get_load_state() for completion). */
MILVUS_EXTERN milvus_status milvus_client_load_collection(milvus_client *c, const char *collection,
                                                          const milvus_load_options *o,
                                                          milvus_result_cb cb, void *ctx);
MILVUS_EXTERN milvus_status milvus_client_release_collection(milvus_client *c,
                                                             const char *collection,
                                                             milvus_result_cb cb, void *ctx);
/* Loads / releases n partitions (names copied). */
MILVUS_EXTERN milvus_status milvus_client_load_partitions(milvus_client *c, const char *collection,
                                                          const char *const *partitions, size_t n,
                                                          milvus_result_cb cb, void *ctx);
MILVUS_EXTERN milvus_status milvus_client_release_partitions(milvus_client *c,
                                                             const char *collection,
                                                             const char *const *partitions,
                                                             size_t n, milvus_result_cb cb,
                                                             void *ctx);
/* Reloads a loaded collection so that new segments become searchable
 * (LoadCollection with refresh). */
MILVUS_EXTERN milvus_status milvus_client_refresh_load(milvus_client *c, const char *collection,
                                                       milvus_result_cb cb, void *ctx);
/* Result int64: a milvus_load_state. */
MILVUS_EXTERN milvus_status milvus_client_get_load_state(milvus_client *c, const char *collection,
                                                         milvus_result_cb cb, void *ctx);

/* ---- writes ----------------------------------------------------------------- */

typedef struct milvus_write_options milvus_write_options;
MILVUS_EXTERN milvus_write_options *milvus_write_options_new(void);
MILVUS_EXTERN void milvus_write_options_free(milvus_write_options *o);
/* The message of the newest refused value, "" when none; never NULL. */
MILVUS_EXTERN const char *milvus_write_options_last_error(const milvus_write_options *o);
/* The partition written: 1..MILVUS_MAX_NAME_LEN bytes of UTF-8 (default:
 * the collection's default partition). */
MILVUS_EXTERN milvus_status milvus_write_options_set_partition(milvus_write_options *o,
                                                               const char *name);
/* Upsert only: update only the given columns of existing rows. */
MILVUS_EXTERN milvus_status milvus_write_options_set_partial_update(milvus_write_options *o,
                                                                    int on);
/* Insert/upsert: send the columns' values from where they are instead of
 * copying them into the request (large vector and scalar arrays go to the
 * socket straight from the caller's memory).  The caller then keeps every
 * column -- and every buffer given to milvus_column_wrap() -- valid and
 * unchanged until the write's callback has been called, instead of only
 * until the submitting function returns.  For ingestion of large batches:
 * it saves one copy of the data per write.  Off by default. */
MILVUS_EXTERN milvus_status milvus_write_options_set_zero_copy(milvus_write_options *o, int on);

/* Insert ncols columns (all with the same row count; types, vector
 * dimensions and nullability checked against the collection schema,
 * fetched once with DescribeCollection and cached).  A wrong row count,
 * duplicate field or (schema cached) wrong dimension is reported naming
 * the field from the submitting function; when the schema had to be
 * fetched first a mismatch fails through the callback.  In both cases
 * nothing is inserted.  Columns not in the schema are refused (dynamic
 * keys go into one JSON column marked with milvus_column_set_dynamic()).
 * A "schema mismatch" answer (code 109: the collection changed since the
 * schema was cached) drops the cached schema, fetches it again, checks the
 * columns against it and re-sends (at most 3 times).  Result: ids,
 * insert_count, timestamp. */
MILVUS_EXTERN milvus_status milvus_client_insert(milvus_client *c, const char *collection,
                                                 const milvus_column *const *cols, size_t ncols,
                                                 const milvus_write_options *o, milvus_result_cb cb,
                                                 void *ctx);
MILVUS_EXTERN milvus_status milvus_client_upsert(milvus_client *c, const char *collection,
                                                 const milvus_column *const *cols, size_t ncols,
                                                 const milvus_write_options *o, milvus_result_cb cb,
                                                 void *ctx);
/* Delete by filter expression.  Result: delete_count. */
MILVUS_EXTERN milvus_status milvus_client_delete(milvus_client *c, const char *collection,
                                                 const char *expr, const milvus_write_options *o,
                                                 milvus_result_cb cb, void *ctx);
/* Delete by primary keys (an Int64 or VarChar column; the primary key name
 * comes from the cached schema, else from the column's name). */
MILVUS_EXTERN milvus_status milvus_client_delete_ids(milvus_client *c, const char *collection,
                                                     const milvus_column *ids,
                                                     const milvus_write_options *o,
                                                     milvus_result_cb cb, void *ctx);

/* ---- search ------------------------------------------------------------------- */

typedef struct milvus_search_options milvus_search_options;
MILVUS_EXTERN milvus_search_options *milvus_search_options_new(void);
MILVUS_EXTERN void milvus_search_options_free(milvus_search_options *o);
/* The message of the newest refused value, "" when none; never NULL. */
MILVUS_EXTERN const char *milvus_search_options_last_error(const milvus_search_options *o);
/* The query vectors: a whole vector column with at least one row (one row
 * per query; copied).  Required; a column of another type or a view of
 * part of a result column is refused. */
MILVUS_EXTERN milvus_status milvus_search_options_set_vectors(milvus_search_options *o,
                                                              const milvus_column *vectors);
/* The vector field searched, 1..MILVUS_MAX_NAME_LEN bytes of UTF-8
 * (default: the only vector field). */
MILVUS_EXTERN milvus_status milvus_search_options_set_anns_field(milvus_search_options *o,
                                                                 const char *field);
/* Hits per query: 1..16384 (default 10); hits skipped: 0..16384 (default
 * 0). */
MILVUS_EXTERN milvus_status milvus_search_options_set_limit(milvus_search_options *o,
                                                            int64_t limit);
MILVUS_EXTERN milvus_status milvus_search_options_set_offset(milvus_search_options *o,
                                                             int64_t offset);
/* A boolean expression in UTF-8, not NULL ("" and the default: none). */
MILVUS_EXTERN milvus_status milvus_search_options_set_filter(milvus_search_options *o,
                                                             const char *expr);
/* Template values for {name} placeholders in the filter; name
 * 1..MILVUS_MAX_NAME_LEN bytes of UTF-8, string values UTF-8 and not
 * NULL. */
MILVUS_EXTERN milvus_status milvus_search_options_set_template_int(milvus_search_options *o,
                                                                   const char *name, int64_t value);
MILVUS_EXTERN milvus_status milvus_search_options_set_template_double(milvus_search_options *o,
                                                                      const char *name,
                                                                      double value);
MILVUS_EXTERN milvus_status milvus_search_options_set_template_string(milvus_search_options *o,
                                                                      const char *name,
                                                                      const char *value);
MILVUS_EXTERN milvus_status milvus_search_options_set_template_bool(milvus_search_options *o,
                                                                    const char *name, int value);
/* Output fields and partitions (default: none, all): names of
 * 1..MILVUS_MAX_NAME_LEN bytes of UTF-8, added one per call. */
MILVUS_EXTERN milvus_status milvus_search_options_add_output_field(milvus_search_options *o,
                                                                   const char *field);
MILVUS_EXTERN milvus_status milvus_search_options_add_partition(milvus_search_options *o,
                                                                const char *partition);
/* MILVUS_CONSISTENCY_STRONG..MILVUS_CONSISTENCY_EVENTUALLY (default: the
 * collection's). */
MILVUS_EXTERN milvus_status milvus_search_options_set_consistency(milvus_search_options *o,
                                                                  milvus_consistency level);
/* A non-empty UTF-8 metric type, e.g. "L2", "IP", "COSINE" (default: the
 * index's). */
MILVUS_EXTERN milvus_status milvus_search_options_set_metric(milvus_search_options *o,
                                                             const char *metric);
/* Group by a scalar field (a name as above); group_size hits per group,
 * 0 (server default) or more. */
MILVUS_EXTERN milvus_status milvus_search_options_set_group_by(milvus_search_options *o,
                                                               const char *field,
                                                               int64_t group_size, int strict);
/* Range search bounds ("radius", "range_filter" in params): finite
 * numbers (default: no range). */
MILVUS_EXTERN milvus_status milvus_search_options_set_range(milvus_search_options *o, double radius,
                                                            double range_filter);
/* An ANN parameter in "params" (e.g. "ef" = "64" -> {"ef":64}); key
 * non-empty without '"', value a non-empty JSON value. */
MILVUS_EXTERN milvus_status milvus_search_options_set_param(milvus_search_options *o,
                                                            const char *key,
                                                            const char *json_value);
/* Hybrid search rerankers (on the top-level options of a hybrid search):
 * rrf k 1..16384; weighted: n >= 1 finite weights (default: none, which a
 * hybrid search refuses). */
MILVUS_EXTERN milvus_status milvus_search_options_set_rrf(milvus_search_options *o, int64_t k);
MILVUS_EXTERN milvus_status milvus_search_options_set_weighted(milvus_search_options *o,
                                                               const double *weights, size_t n);

/* Result: num_queries, per-query hit ids/scores/columns (views into the
 * response). */
MILVUS_EXTERN milvus_status milvus_client_search(milvus_client *c, const char *collection,
                                                 const milvus_search_options *o,
                                                 milvus_result_cb cb, void *ctx);
/* One search per leg (each with vectors and anns field), merged by the
 * reranker of top (limit, offset, output fields, rrf/weighted). */
MILVUS_EXTERN milvus_status milvus_client_hybrid_search(milvus_client *c, const char *collection,
                                                        const milvus_search_options *const *legs,
                                                        size_t n, const milvus_search_options *top,
                                                        milvus_result_cb cb, void *ctx);

/* ---- query -------------------------------------------------------------------- */

typedef struct milvus_query_options milvus_query_options;
MILVUS_EXTERN milvus_query_options *milvus_query_options_new(void);
MILVUS_EXTERN void milvus_query_options_free(milvus_query_options *o);
/* The message of the newest refused value, "" when none; never NULL. */
MILVUS_EXTERN const char *milvus_query_options_last_error(const milvus_query_options *o);
/* Filter, templates, output fields, partitions and consistency accept
 * what the search options setters of the same name accept. */
MILVUS_EXTERN milvus_status milvus_query_options_set_filter(milvus_query_options *o,
                                                            const char *expr);
MILVUS_EXTERN milvus_status milvus_query_options_set_template_int(milvus_query_options *o,
                                                                  const char *name, int64_t value);
MILVUS_EXTERN milvus_status milvus_query_options_set_template_string(milvus_query_options *o,
                                                                     const char *name,
                                                                     const char *value);
MILVUS_EXTERN milvus_status milvus_query_options_add_output_field(milvus_query_options *o,
                                                                  const char *field);
MILVUS_EXTERN milvus_status milvus_query_options_add_partition(milvus_query_options *o,
                                                               const char *partition);
/* Rows returned: 0 (default) = no limit, or more; rows skipped: 0
 * (default) or more.  The server bounds offset + limit (16384 by
 * default). */
MILVUS_EXTERN milvus_status milvus_query_options_set_limit(milvus_query_options *o, int64_t limit);
MILVUS_EXTERN milvus_status milvus_query_options_set_offset(milvus_query_options *o,
                                                            int64_t offset);
MILVUS_EXTERN milvus_status milvus_query_options_set_consistency(milvus_query_options *o,
                                                                 milvus_consistency level);

/* Needs a filter or a limit.  Result: columns. */
MILVUS_EXTERN milvus_status milvus_client_query(milvus_client *c, const char *collection,
                                                const milvus_query_options *o, milvus_result_cb cb,
                                                void *ctx);
/* Rows by primary key (Int64 or VarChar column); o may add output fields. */
MILVUS_EXTERN milvus_status milvus_client_get(milvus_client *c, const char *collection,
                                              const milvus_column *ids,
                                              const milvus_query_options *o, milvus_result_cb cb,
                                              void *ctx);
/* count(*) with an optional filter.  Result int64. */
MILVUS_EXTERN milvus_status milvus_client_count(milvus_client *c, const char *collection,
                                                const char *filter, milvus_result_cb cb, void *ctx);

/* ---- iterators --------------------------------------------------------------------
 *
 * An iterator fetches a large answer batch by batch: each
 * milvus_iterator_next() completes (from the loop) with one batch -- query
 * iterator: columns as milvus_client_query(); search iterator: hits of
 * query 0 as milvus_client_search() -- and an empty batch (0 rows / 0
 * hits, MILVUS_OK) once exhausted, when milvus_iterator_done() is 1.  One
 * next() at a time (another one returns MILVUS_ERR_BUSY).  The options are
 * copied at creation.  Free every iterator before its client; freeing one
 * with a next() pending completes that next() with MILVUS_ERR_CANCELLED. */
typedef struct milvus_iterator milvus_iterator;
/* Query iterator: rows matching o's filter (NULL o: all rows) in primary
 * key order, batch_size (1..16384) rows per batch, limit rows in all (0 =
 * no limit).  o's limit/offset are ignored.  The first next() fetches the
 * schema when it is not cached (for the primary key). */
MILVUS_EXTERN milvus_status milvus_client_query_iterator(milvus_client *c, const char *collection,
                                                         const milvus_query_options *o,
                                                         int64_t batch_size, int64_t limit,
                                                         milvus_iterator **out);
/* Search iterator (search_iter_v2 protocol): hits of one query vector in
 * score order, batch_size per batch, limit in all (0 = until the
 * collection is exhausted).  o needs exactly one vector; o's limit/offset
 * are ignored; group by is refused. */
MILVUS_EXTERN milvus_status milvus_client_search_iterator(milvus_client *c, const char *collection,
                                                          const milvus_search_options *o,
                                                          int64_t batch_size, int64_t limit,
                                                          milvus_iterator **out);
MILVUS_EXTERN milvus_status milvus_iterator_next(milvus_iterator *it, milvus_result_cb cb,
                                                 void *ctx);
/* 1 once the iterator is exhausted (or it is NULL). */
MILVUS_EXTERN int milvus_iterator_done(const milvus_iterator *it);
MILVUS_EXTERN void milvus_iterator_free(milvus_iterator *it);

/* ---- aliases / maintenance ------------------------------------------------------ */

MILVUS_EXTERN milvus_status milvus_client_create_alias(milvus_client *c, const char *collection,
                                                       const char *alias, milvus_result_cb cb,
                                                       void *ctx);
MILVUS_EXTERN milvus_status milvus_client_drop_alias(milvus_client *c, const char *alias,
                                                     milvus_result_cb cb, void *ctx);
/* Points alias at another collection. */
MILVUS_EXTERN milvus_status milvus_client_alter_alias(milvus_client *c, const char *collection,
                                                      const char *alias, milvus_result_cb cb,
                                                      void *ctx);
/* Result string: the collection the alias names. */
MILVUS_EXTERN milvus_status milvus_client_describe_alias(milvus_client *c, const char *alias,
                                                         milvus_result_cb cb, void *ctx);
/* Result strings: the aliases of collection (NULL: of the database). */
MILVUS_EXTERN milvus_status milvus_client_list_aliases(milvus_client *c, const char *collection,
                                                       milvus_result_cb cb, void *ctx);
/* Seals the collection's growing segments (Flush; see also
 * milvus_client_flush_and_wait()). */
MILVUS_EXTERN milvus_status milvus_client_flush(milvus_client *c, const char *collection,
                                                milvus_result_cb cb, void *ctx);

/* Compaction states (result int64 of get_compaction_state). */
typedef enum milvus_compaction_state {
    MILVUS_COMPACTION_UNDEFINED = 0,
    MILVUS_COMPACTION_EXECUTING = 1,
    MILVUS_COMPACTION_COMPLETED = 2,
} milvus_compaction_state;
/* Starts a compaction of the collection (major: clustering compaction).
 * DescribeCollection (for the id), then ManualCompaction.  Result int64:
 * the compaction id. */
MILVUS_EXTERN milvus_status milvus_client_compact(milvus_client *c, const char *collection,
                                                  int major, milvus_result_cb cb, void *ctx);
/* Result int64: a milvus_compaction_state; properties "executing_plans",
 * "completed_plans", "failed_plans", "timeout_plans". */
MILVUS_EXTERN milvus_status milvus_client_get_compaction_state(milvus_client *c,
                                                               int64_t compaction_id,
                                                               milvus_result_cb cb, void *ctx);

#ifdef __cplusplus
}
#endif

/* The write functions accept `milvus_column *cols[]` as well as
 * `const milvus_column *cols[]` (see "arrays of columns" in
 * <milvus/column.h>). */
#if !defined(__cplusplus)
#define milvus_client_insert(c, collection, cols, ncols, o, cb, ctx)                               \
    milvus_client_insert((c), (collection), MILVUS_COLUMN_ARRAY(cols), (ncols), (o), (cb), (ctx))
#define milvus_client_upsert(c, collection, cols, ncols, o, cb, ctx)                               \
    milvus_client_upsert((c), (collection), MILVUS_COLUMN_ARRAY(cols), (ncols), (o), (cb), (ctx))
#endif

#endif /* MILVUS_CLIENT_H */
