/* SPDX-License-Identifier: Apache-2.0 */
/*
 * libmilvus — the result of a typed Milvus call.
 *
 * Every operation of <milvus/client.h> completes with one milvus_result:
 * its status tells success from failure and which of the three error
 * domains failed; its payload accessors give the typed answer.
 *
 * Lifetime: the result, and every pointer or column taken from it, is
 * valid until the callback returns.  milvus_result_ref() keeps it (and
 * everything taken from it) alive until the matching milvus_result_unref().
 *
 * Accessors never fail hard: asked for a payload the result does not have
 * (or an index out of range) they return 0, NULL or an empty string.
 */
#ifndef MILVUS_RESULT_H
#define MILVUS_RESULT_H

#include <milvus/common.h>
#include <milvus/schema.h>
#include <milvus/column.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct milvus_result milvus_result;

/* Keeps / releases a result (reference counted).  Return res / nothing. */
MILVUS_EXTERN milvus_result *milvus_result_ref(const milvus_result *res);
MILVUS_EXTERN void milvus_result_unref(milvus_result *res);

/* ---- status and errors ------------------------------------------------- */

/* MILVUS_OK, a local/transport MILVUS_ERR_*, MILVUS_ERR_GRPC or
 * MILVUS_ERR_SERVER. */
MILVUS_EXTERN int milvus_result_status(const milvus_result *res);
/* A full sentence naming the operation and the collection, e.g.
 * "search on collection 'docs': collection not found (code 100)";
 * "" on success.  Never contains tokens or passwords.  Safe to print: one
 * line, the server's text in it escaped (milvus_escape_text()); the raw
 * text is in milvus_result_reason() / milvus_result_grpc_message(). */
MILVUS_EXTERN const char *milvus_result_message(const milvus_result *res);
/* The operation ("search", "create_collection", ...) and the collection
 * ("" when none). */
MILVUS_EXTERN const char *milvus_result_operation(const milvus_result *res);
MILVUS_EXTERN const char *milvus_result_collection(const milvus_result *res);
/* gRPC status code and message (MILVUS_GRPC_OK / "" when the RPC itself
 * succeeded, also for MILVUS_ERR_SERVER). */
MILVUS_EXTERN int milvus_result_grpc_code(const milvus_result *res);
MILVUS_EXTERN const char *milvus_result_grpc_message(const milvus_result *res);
/* Milvus common.Status (MILVUS_ERR_SERVER): code (mapped from the legacy
 * error_code when code is 0), legacy error_code, reason, retriable, detail. */
MILVUS_EXTERN int32_t milvus_result_server_code(const milvus_result *res);
MILVUS_EXTERN int32_t milvus_result_legacy_code(const milvus_result *res);
MILVUS_EXTERN const char *milvus_result_reason(const milvus_result *res);
MILVUS_EXTERN int milvus_result_retriable(const milvus_result *res);
MILVUS_EXTERN const char *milvus_result_detail(const milvus_result *res);
/* Number of RPC attempts behind the result (rate-limit retries included). */
MILVUS_EXTERN int milvus_result_attempts(const milvus_result *res);

/* ---- simple payloads --------------------------------------------------- */

/* has_collection, has_partition, check_health: the answer. */
MILVUS_EXTERN int milvus_result_bool(const milvus_result *res);
/* count, compact (compaction id), get_compaction_state (state),
 * get_load_state (milvus_load_state), awaits (final progress), collection
 * id of describe_collection. */
MILVUS_EXTERN int64_t milvus_result_int64(const milvus_result *res);
/* get_server_version (the version), describe_alias (the collection). */
MILVUS_EXTERN const char *milvus_result_string(const milvus_result *res);
/* Name lists: list_database, list_collections, list_partitions,
 * list_indexes, list_aliases, check_health (reasons). */
MILVUS_EXTERN size_t milvus_result_string_count(const milvus_result *res);
MILVUS_EXTERN const char *milvus_result_string_at(const milvus_result *res, size_t i);
/* Key/value payloads: describe_database and describe_collection
 * (properties), get_collection_stats (e.g. "row_count"). */
MILVUS_EXTERN size_t milvus_result_property_count(const milvus_result *res);
MILVUS_EXTERN const char *milvus_result_property_key(const milvus_result *res, size_t i);
MILVUS_EXTERN const char *milvus_result_property_value(const milvus_result *res, size_t i);
/* The value of key, or NULL. */
MILVUS_EXTERN const char *milvus_result_property(const milvus_result *res, const char *key);
/* describe_collection: the schema (borrowed from the result). */
MILVUS_EXTERN const milvus_schema *milvus_result_schema(const milvus_result *res);

/* Load states (get_load_state). */
typedef enum milvus_load_state {
    MILVUS_LOAD_STATE_NOT_EXIST = 0,
    MILVUS_LOAD_STATE_NOT_LOAD = 1,
    MILVUS_LOAD_STATE_LOADING = 2,
    MILVUS_LOAD_STATE_LOADED = 3,
} milvus_load_state;

/* ---- describe_index ---------------------------------------------------- */

typedef enum milvus_index_state {
    MILVUS_INDEX_STATE_NONE = 0,
    MILVUS_INDEX_STATE_UNISSUED = 1,
    MILVUS_INDEX_STATE_IN_PROGRESS = 2,
    MILVUS_INDEX_STATE_FINISHED = 3,
    MILVUS_INDEX_STATE_FAILED = 4,
    MILVUS_INDEX_STATE_RETRY = 5,
} milvus_index_state;

MILVUS_EXTERN size_t milvus_result_index_count(const milvus_result *res);
MILVUS_EXTERN const char *milvus_result_index_name(const milvus_result *res, size_t i);
MILVUS_EXTERN const char *milvus_result_index_field(const milvus_result *res, size_t i);
MILVUS_EXTERN milvus_index_state milvus_result_index_state(const milvus_result *res, size_t i);
MILVUS_EXTERN const char *milvus_result_index_fail_reason(const milvus_result *res, size_t i);
/* An index parameter ("index_type", "metric_type", "M", ...) or NULL. */
MILVUS_EXTERN const char *milvus_result_index_param(const milvus_result *res, size_t i,
                                                    const char *key);
MILVUS_EXTERN int64_t milvus_result_index_total_rows(const milvus_result *res, size_t i);
MILVUS_EXTERN int64_t milvus_result_index_indexed_rows(const milvus_result *res, size_t i);
MILVUS_EXTERN int64_t milvus_result_index_pending_rows(const milvus_result *res, size_t i);

/* ---- insert / upsert / delete ----------------------------------------- */

/* Primary keys of the written rows (Int64 or VarChar column), or NULL. */
MILVUS_EXTERN const milvus_column *milvus_result_ids(const milvus_result *res);
MILVUS_EXTERN int64_t milvus_result_insert_count(const milvus_result *res);
MILVUS_EXTERN int64_t milvus_result_upsert_count(const milvus_result *res);
MILVUS_EXTERN int64_t milvus_result_delete_count(const milvus_result *res);
/* The write's timestamp (for session consistency). */
MILVUS_EXTERN uint64_t milvus_result_timestamp(const milvus_result *res);

/* ---- search / hybrid search / search iterator -------------------------- */

/* Number of query vectors answered. */
MILVUS_EXTERN size_t milvus_result_num_queries(const milvus_result *res);
/* Number of hits of query q (0-based). */
MILVUS_EXTERN size_t milvus_result_hit_count(const milvus_result *res, size_t q);
/* Ids of the hits of query q, as a column view (Int64 or VarChar). */
MILVUS_EXTERN const milvus_column *milvus_result_hit_ids(const milvus_result *res, size_t q);
/* Scores of the hits of query q: hit_count floats, pointing into the
 * response (no copy). */
MILVUS_EXTERN const float *milvus_result_hit_scores(const milvus_result *res, size_t q);
/* Output fields of query q's hits as column views (rows == hit_count). */
MILVUS_EXTERN size_t milvus_result_hit_column_count(const milvus_result *res);
MILVUS_EXTERN const milvus_column *milvus_result_hit_column_at(const milvus_result *res, size_t q,
                                                               size_t i);
MILVUS_EXTERN const milvus_column *milvus_result_hit_column(const milvus_result *res, size_t q,
                                                            const char *name);

/* Group-by searches: the group value of each hit of query q (a column
 * view of the group field's type, rows == hit_count); NULL without group
 * by. */
MILVUS_EXTERN const milvus_column *milvus_result_hit_group_values(const milvus_result *res,
                                                                  size_t q);

/* ---- query / get / query iterator -------------------------------------- */

MILVUS_EXTERN size_t milvus_result_row_count(const milvus_result *res);
MILVUS_EXTERN size_t milvus_result_column_count(const milvus_result *res);
MILVUS_EXTERN const milvus_column *milvus_result_column_at(const milvus_result *res, size_t i);
MILVUS_EXTERN const milvus_column *milvus_result_column(const milvus_result *res, const char *name);

#ifdef __cplusplus
}
#endif

#endif /* MILVUS_RESULT_H */
