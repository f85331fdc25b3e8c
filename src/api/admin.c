/* SPDX-License-Identifier: Apache-2.0 */
/* More collection, partition, load, alias and maintenance operations:
 * rename, collection/field properties, partition load/release/stats,
 * refresh, alias alter/describe/list, compaction. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/api.h"

#define RESP(x) (&milvus__proto__milvus__##x##__descriptor)
#define STATUS_RESP (&milvus__proto__common__status__descriptor)

/* ---- collections ----------------------------------------------------------------- */

milvus_status milvus_client_rename_collection(milvus_client *c, const char *collection,
                                              const char *new_name, const char *new_db,
                                              milvus_result_cb cb, void *ctx)
{
    Milvus__Proto__Milvus__RenameCollectionRequest req =
        MILVUS__PROTO__MILVUS__RENAME_COLLECTION_REQUEST__INIT;
    int rc = mv_prologue(c, cb, "collection", collection, "new collection", new_name);
    if (rc)
        return rc;
    if (new_db && (rc = mv_client_check_name(c, "database", new_db)) != MILVUS_OK)
        return rc;
    req.msg_base = &mv_msg_base;
    req.oldname = (char *)collection;
    req.newname = (char *)new_name;
    if (new_db)
        req.newdbname = (char *)new_db;
    mv_cache_evict(c, collection);
    mv_cache_evict(c, new_name);
    return mv_submit(c, "rename_collection", collection, cb, ctx, MV_RPC("RenameCollection"),
                     &req.base, STATUS_RESP, NULL);
}

static int alter_collection(milvus_client *c, const char *coll, const char *const *keys,
                            const char *const *values, size_t n, milvus_result_cb cb, void *ctx)
{
    Milvus__Proto__Milvus__AlterCollectionRequest req =
        MILVUS__PROTO__MILVUS__ALTER_COLLECTION_REQUEST__INIT;
    mv_props p;
    int rc = mv_prologue(c, cb, "collection", coll, NULL, NULL);
    if (rc || (rc = mv_check_keys(c, keys, values, n)) ||
        (rc = mv_props_build(c, &p, keys, values, n)))
        return rc;
    req.msg_base = &mv_msg_base;
    req.collection_name = (char *)coll;
    if (values) {
        req.properties = p.arr;
        req.n_properties = p.l.n;
    } else {
        req.delete_keys = (char **)keys;
        req.n_delete_keys = n;
    }
    rc = mv_submit(c, values ? "alter_collection_properties" : "drop_collection_properties", coll,
                   cb, ctx, MV_RPC("AlterCollection"), &req.base, STATUS_RESP, NULL);
    mv_props_free(&p);
    return rc;
}

milvus_status milvus_client_alter_collection_properties(milvus_client *c, const char *collection,
                                                        const char *const *keys,
                                                        const char *const *values, size_t n,
                                                        milvus_result_cb cb, void *ctx)
{
    if (c && !values)
        return mv_client_seterr(c, MILVUS_ERR_INVALID_ARGUMENT, "values is NULL");
    return alter_collection(c, collection, keys, values, n, cb, ctx);
}

milvus_status milvus_client_drop_collection_properties(milvus_client *c, const char *collection,
                                                       const char *const *keys, size_t n,
                                                       milvus_result_cb cb, void *ctx)
{
    return alter_collection(c, collection, keys, NULL, n, cb, ctx);
}

milvus_status milvus_client_alter_collection_field_property(
    milvus_client *c, const char *collection, const char *field, const char *const *keys,
    const char *const *values, size_t n, milvus_result_cb cb, void *ctx)
{
    Milvus__Proto__Milvus__AlterCollectionFieldRequest req =
        MILVUS__PROTO__MILVUS__ALTER_COLLECTION_FIELD_REQUEST__INIT;
    mv_props p;
    int rc = mv_prologue(c, cb, "collection", collection, "field", field);
    if (rc)
        return rc;
    if (!values)
        return mv_client_seterr(c, MILVUS_ERR_INVALID_ARGUMENT, "values is NULL");
    if ((rc = mv_check_keys(c, keys, values, n)) || (rc = mv_props_build(c, &p, keys, values, n)))
        return rc;
    req.msg_base = &mv_msg_base;
    req.collection_name = (char *)collection;
    req.field_name = (char *)field;
    req.properties = p.arr;
    req.n_properties = p.l.n;
    /* the field's type parameters (e.g. max_length) change the schema */
    mv_cache_evict(c, collection);
    rc = mv_submit(c, "alter_collection_field_property", collection, cb, ctx,
                   MV_RPC("AlterCollectionField"), &req.base, STATUS_RESP, NULL);
    mv_props_free(&p);
    return rc;
}

/* ---- partitions / load ------------------------------------------------------------ */

static int check_partitions(milvus_client *c, const char *const *parts, size_t n)
{
    if (!parts || !n)
        return mv_client_seterr(c, MILVUS_ERR_INVALID_ARGUMENT, "no partitions given");
    for (size_t i = 0; i < n; i++) {
        int rc = mv_client_check_name(c, "partition", parts[i]);
        if (rc != MILVUS_OK)
            return rc;
    }
    return MILVUS_OK;
}

milvus_status milvus_client_load_partitions(milvus_client *c, const char *collection,
                                            const char *const *partitions, size_t n,
                                            milvus_result_cb cb, void *ctx)
{
    Milvus__Proto__Milvus__LoadPartitionsRequest req =
        MILVUS__PROTO__MILVUS__LOAD_PARTITIONS_REQUEST__INIT;
    int rc = mv_prologue(c, cb, "collection", collection, NULL, NULL);
    if (rc || (rc = check_partitions(c, partitions, n)))
        return rc;
    req.msg_base = &mv_msg_base;
    req.collection_name = (char *)collection;
    req.partition_names = (char **)partitions;
    req.n_partition_names = n;
    return mv_submit(c, "load_partitions", collection, cb, ctx, MV_RPC("LoadPartitions"), &req.base,
                     STATUS_RESP, NULL);
}

milvus_status milvus_client_release_partitions(milvus_client *c, const char *collection,
                                               const char *const *partitions, size_t n,
                                               milvus_result_cb cb, void *ctx)
{
    Milvus__Proto__Milvus__ReleasePartitionsRequest req =
        MILVUS__PROTO__MILVUS__RELEASE_PARTITIONS_REQUEST__INIT;
    int rc = mv_prologue(c, cb, "collection", collection, NULL, NULL);
    if (rc || (rc = check_partitions(c, partitions, n)))
        return rc;
    req.msg_base = &mv_msg_base;
    req.collection_name = (char *)collection;
    req.partition_names = (char **)partitions;
    req.n_partition_names = n;
    return mv_submit(c, "release_partitions", collection, cb, ctx, MV_RPC("ReleasePartitions"),
                     &req.base, STATUS_RESP, NULL);
}

milvus_status milvus_client_refresh_load(milvus_client *c, const char *collection,
                                         milvus_result_cb cb, void *ctx)
{
    Milvus__Proto__Milvus__LoadCollectionRequest req =
        MILVUS__PROTO__MILVUS__LOAD_COLLECTION_REQUEST__INIT;
    int rc = mv_prologue(c, cb, "collection", collection, NULL, NULL);
    if (rc)
        return rc;
    req.msg_base = &mv_msg_base;
    req.collection_name = (char *)collection;
    req.refresh = 1;
    return mv_submit(c, "refresh_load", collection, cb, ctx, MV_RPC("LoadCollection"), &req.base,
                     STATUS_RESP, NULL);
}

static void stats_step(mv_op *op, milvus_result *res)
{
    if (res->status == MILVUS_OK && res->msg) {
        Milvus__Proto__Milvus__GetPartitionStatisticsResponse *r = (void *)res->msg;
        mv_kv_out(res, r->stats, r->n_stats);
    }
    mv_op_finish(op, res);
}

milvus_status milvus_client_get_partition_stats(milvus_client *c, const char *collection,
                                                const char *partition, milvus_result_cb cb,
                                                void *ctx)
{
    Milvus__Proto__Milvus__GetPartitionStatisticsRequest req =
        MILVUS__PROTO__MILVUS__GET_PARTITION_STATISTICS_REQUEST__INIT;
    int rc = mv_prologue(c, cb, "collection", collection, "partition", partition);
    if (rc)
        return rc;
    req.msg_base = &mv_msg_base;
    req.collection_name = (char *)collection;
    req.partition_name = (char *)partition;
    return mv_submit(c, "get_partition_stats", collection, cb, ctx,
                     MV_RPC("GetPartitionStatistics"), &req.base,
                     RESP(get_partition_statistics_response), stats_step);
}

/* ---- aliases -------------------------------------------------------------------------- */

milvus_status milvus_client_alter_alias(milvus_client *c, const char *collection, const char *alias,
                                        milvus_result_cb cb, void *ctx)
{
    Milvus__Proto__Milvus__AlterAliasRequest req = MILVUS__PROTO__MILVUS__ALTER_ALIAS_REQUEST__INIT;
    int rc = mv_prologue(c, cb, "collection", collection, "alias", alias);
    if (rc)
        return rc;
    req.msg_base = &mv_msg_base;
    req.collection_name = (char *)collection;
    req.alias = (char *)alias;
    /* schema cache entries are by name: the alias now means another collection */
    mv_cache_evict(c, alias);
    return mv_submit(c, "alter_alias", collection, cb, ctx, MV_RPC("AlterAlias"), &req.base,
                     STATUS_RESP, NULL);
}

static void describe_alias_step(mv_op *op, milvus_result *res)
{
    if (res->status == MILVUS_OK && res->msg) {
        Milvus__Proto__Milvus__DescribeAliasResponse *r = (void *)res->msg;
        if (!(res->str = mv_strdup(r->collection)))
            mv_result_set_local(res, MILVUS_ERR_NOMEM, "out of memory");
    }
    mv_op_finish(op, res);
}

milvus_status milvus_client_describe_alias(milvus_client *c, const char *alias, milvus_result_cb cb,
                                           void *ctx)
{
    Milvus__Proto__Milvus__DescribeAliasRequest req =
        MILVUS__PROTO__MILVUS__DESCRIBE_ALIAS_REQUEST__INIT;
    int rc = mv_prologue(c, cb, "alias", alias, NULL, NULL);
    if (rc)
        return rc;
    req.msg_base = &mv_msg_base;
    req.alias = (char *)alias;
    return mv_submit(c, "describe_alias", "", cb, ctx, MV_RPC("DescribeAlias"), &req.base,
                     RESP(describe_alias_response), describe_alias_step);
}

static void list_aliases_step(mv_op *op, milvus_result *res)
{
    if (res->status == MILVUS_OK && res->msg) {
        Milvus__Proto__Milvus__ListAliasesResponse *r = (void *)res->msg;
        mv_strings_out(res, r->aliases, r->n_aliases);
    }
    mv_op_finish(op, res);
}

milvus_status milvus_client_list_aliases(milvus_client *c, const char *collection,
                                         milvus_result_cb cb, void *ctx)
{
    Milvus__Proto__Milvus__ListAliasesRequest req =
        MILVUS__PROTO__MILVUS__LIST_ALIASES_REQUEST__INIT;
    int rc = mv_prologue(c, cb, collection ? "collection" : NULL, collection, NULL, NULL);
    if (rc)
        return rc;
    req.msg_base = &mv_msg_base;
    if (collection)
        req.collection_name = (char *)collection;
    return mv_submit(c, "list_aliases", collection ? collection : "", cb, ctx,
                     MV_RPC("ListAliases"), &req.base, RESP(list_aliases_response),
                     list_aliases_step);
}

/* ---- compaction -------------------------------------------------------------------------- */

static void compact_step(mv_op *op, milvus_result *res)
{
    if (res->status == MILVUS_OK && res->msg)
        res->i64 = ((Milvus__Proto__Milvus__ManualCompactionResponse *)res->msg)->compactionid;
    mv_op_finish(op, res);
}

/* The collection id first (the RPC is keyed by it), then the compaction. */
static void compact_describe_step(mv_op *op, milvus_result *res)
{
    Milvus__Proto__Milvus__ManualCompactionRequest req =
        MILVUS__PROTO__MILVUS__MANUAL_COMPACTION_REQUEST__INIT;
    Milvus__Proto__Milvus__DescribeCollectionResponse *d = (void *)res->msg;
    if (res->status != MILVUS_OK || !d) {
        mv_op_finish(op, res);
        return;
    }
    req.collectionid = d->collectionid;
    req.collection_name = op->coll;
    req.majorcompaction = op->data != NULL;
    milvus_result_unref(res);
    mv_op_rpc(op, MV_RPC("ManualCompaction"), &req.base, RESP(manual_compaction_response),
              compact_step);
}

static void no_free(void *p)
{
    (void)p;
}

milvus_status milvus_client_compact(milvus_client *c, const char *collection, int major,
                                    milvus_result_cb cb, void *ctx)
{
    Milvus__Proto__Milvus__DescribeCollectionRequest req =
        MILVUS__PROTO__MILVUS__DESCRIBE_COLLECTION_REQUEST__INIT;
    mv_op *op;
    int rc = mv_prologue(c, cb, "collection", collection, NULL, NULL);
    if (rc)
        return rc;
    if (!(op = mv_op_new(c, "compact", collection, cb, ctx)))
        return MILVUS_ERR_NOMEM;
    /* the major flag rides in op->data (no allocation) */
    op->data = major ? (void *)op : NULL;
    op->data_free = no_free;
    req.msg_base = &mv_msg_base;
    req.collection_name = (char *)collection;
    return mv_op_start(op, MV_RPC("DescribeCollection"), &req.base,
                       RESP(describe_collection_response), compact_describe_step);
}

static void compaction_state_step(mv_op *op, milvus_result *res)
{
    if (res->status == MILVUS_OK && res->msg) {
        Milvus__Proto__Milvus__GetCompactionStateResponse *r = (void *)res->msg;
        char num[32];
        res->i64 = r->state;
        snprintf(num, sizeof(num), "%lld", (long long)r->executingplanno);
        mv_kv_set(&res->kv, "executing_plans", num);
        snprintf(num, sizeof(num), "%lld", (long long)r->completedplanno);
        mv_kv_set(&res->kv, "completed_plans", num);
        snprintf(num, sizeof(num), "%lld", (long long)r->failedplanno);
        mv_kv_set(&res->kv, "failed_plans", num);
        snprintf(num, sizeof(num), "%lld", (long long)r->timeoutplanno);
        mv_kv_set(&res->kv, "timeout_plans", num);
    }
    mv_op_finish(op, res);
}

milvus_status milvus_client_get_compaction_state(milvus_client *c, int64_t compaction_id,
                                                 milvus_result_cb cb, void *ctx)
{
    Milvus__Proto__Milvus__GetCompactionStateRequest req =
        MILVUS__PROTO__MILVUS__GET_COMPACTION_STATE_REQUEST__INIT;
    int rc = mv_prologue(c, cb, NULL, NULL, NULL, NULL);
    if (rc)
        return rc;
    req.compactionid = compaction_id;
    return mv_submit(c, "get_compaction_state", "", cb, ctx, MV_RPC("GetCompactionState"),
                     &req.base, RESP(get_compaction_state_response), compaction_state_step);
}
