/* SPDX-License-Identifier: Apache-2.0 */
/* Database, collection, partition, index, load, alias and maintenance
 * operations: validate -> request -> typed result. */
#include <stdlib.h>
#include <string.h>

#include "api/api.h"

#define RESP(x) (&milvus__proto__milvus__##x##__descriptor)
#define STATUS_RESP (&milvus__proto__common__status__descriptor)

/* Common prologue: client/callback check and the names involved (a NULL
 * `what` means the operation has no such name). */
int mv_prologue(milvus_client *c, milvus_result_cb cb, const char *what1, const char *name1,
                const char *what2, const char *name2)
{
    int rc = mv_client_check(c, cb);
    if (rc != MILVUS_OK)
        return rc;
    if (what1 && (rc = mv_client_check_name(c, what1, name1)) != MILVUS_OK)
        return rc;
    if (what2 && (rc = mv_client_check_name(c, what2, name2)) != MILVUS_OK)
        return rc;
    return MILVUS_OK;
}

int mv_submit(milvus_client *c, const char *opname, const char *coll, milvus_result_cb cb,
              void *ctx, const char *method, const ProtobufCMessage *req,
              const ProtobufCMessageDescriptor *desc, mv_step_fn step)
{
    mv_op *op = mv_op_new(c, opname, coll ? coll : "", cb, ctx);
    if (!op)
        return MILVUS_ERR_NOMEM;
    return mv_op_start(op, method, req, desc, step ? step : mv_step_deliver);
}

int mv_check_opts(milvus_client *c, const char *op, const char *what, const mv_opterr *e)
{
    const char *msg = mv_opterr_msg(e);
    if (!msg[0])
        return MILVUS_OK;
    return mv_client_seterr(c, MILVUS_ERR_INVALID_ARGUMENT, "%s: invalid %s: %s", op, what, msg);
}

void mv_strings_out(milvus_result *res, char **v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (mv_str_add(&res->strs, v[i]) != MILVUS_OK)
            return;
}

void mv_kv_out(milvus_result *res, mv_kvp **kv, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (mv_kv_set(&res->kv, kv[i]->key, kv[i]->value) != MILVUS_OK)
            return;
}

/* ---- databases --------------------------------------------------------------- */

static void list_db_step(mv_op *op, milvus_result *res)
{
    if (res->status == MILVUS_OK && res->msg) {
        Milvus__Proto__Milvus__ListDatabasesResponse *r = (void *)res->msg;
        mv_strings_out(res, r->db_names, r->n_db_names);
    }
    mv_op_finish(op, res);
}

milvus_status milvus_client_list_database(milvus_client *c, milvus_result_cb cb, void *ctx)
{
    Milvus__Proto__Milvus__ListDatabasesRequest req =
        MILVUS__PROTO__MILVUS__LIST_DATABASES_REQUEST__INIT;
    int rc = mv_prologue(c, cb, NULL, NULL, NULL, NULL);
    if (rc)
        return rc;
    req.msg_base = &mv_msg_base;
    return mv_submit(c, "list_database", NULL, cb, ctx, MV_RPC("ListDatabases"), &req.base,
                     RESP(list_databases_response), list_db_step);
}

milvus_status milvus_client_create_database(milvus_client *c, const char *db, milvus_result_cb cb,
                                            void *ctx)
{
    Milvus__Proto__Milvus__CreateDatabaseRequest req =
        MILVUS__PROTO__MILVUS__CREATE_DATABASE_REQUEST__INIT;
    int rc = mv_prologue(c, cb, NULL, NULL, "database", db);
    if (rc)
        return rc;
    req.msg_base = &mv_msg_base;
    req.db_name = (char *)db;
    return mv_submit(c, "create_database", NULL, cb, ctx, MV_RPC("CreateDatabase"), &req.base,
                     STATUS_RESP, NULL);
}

milvus_status milvus_client_drop_database(milvus_client *c, const char *db, milvus_result_cb cb,
                                          void *ctx)
{
    Milvus__Proto__Milvus__DropDatabaseRequest req =
        MILVUS__PROTO__MILVUS__DROP_DATABASE_REQUEST__INIT;
    int rc = mv_prologue(c, cb, NULL, NULL, "database", db);
    if (rc)
        return rc;
    req.msg_base = &mv_msg_base;
    req.db_name = (char *)db;
    return mv_submit(c, "drop_database", NULL, cb, ctx, MV_RPC("DropDatabase"), &req.base,
                     STATUS_RESP, NULL);
}

static void describe_db_step(mv_op *op, milvus_result *res)
{
    if (res->status == MILVUS_OK && res->msg) {
        Milvus__Proto__Milvus__DescribeDatabaseResponse *r = (void *)res->msg;
        mv_kv_out(res, r->properties, r->n_properties);
        res->i64 = r->dbid;
    }
    mv_op_finish(op, res);
}

milvus_status milvus_client_describe_database(milvus_client *c, const char *db, milvus_result_cb cb,
                                              void *ctx)
{
    Milvus__Proto__Milvus__DescribeDatabaseRequest req =
        MILVUS__PROTO__MILVUS__DESCRIBE_DATABASE_REQUEST__INIT;
    int rc = mv_prologue(c, cb, NULL, NULL, "database", db);
    if (rc)
        return rc;
    req.msg_base = &mv_msg_base;
    req.db_name = (char *)db;
    return mv_submit(c, "describe_database", NULL, cb, ctx, MV_RPC("DescribeDatabase"), &req.base,
                     RESP(describe_database_response), describe_db_step);
}

int mv_check_keys(milvus_client *c, const char *const *keys, const char *const *values, size_t n)
{
    if (!n || !keys)
        return mv_client_seterr(c, MILVUS_ERR_INVALID_ARGUMENT, "no properties given");
    for (size_t i = 0; i < n; i++) {
        if (!keys[i] || !keys[i][0] || (values && !values[i]))
            return mv_client_seterr(c, MILVUS_ERR_INVALID_ARGUMENT,
                                    "property %zu has an empty key or a NULL value", i);
    }
    return MILVUS_OK;
}

static int alter_db(milvus_client *c, const char *db, const char *const *keys,
                    const char *const *values, size_t n, milvus_result_cb cb, void *ctx)
{
    Milvus__Proto__Milvus__AlterDatabaseRequest req =
        MILVUS__PROTO__MILVUS__ALTER_DATABASE_REQUEST__INIT;
    mv_props p;
    int rc = mv_prologue(c, cb, NULL, NULL, "database", db);
    if (rc || (rc = mv_check_keys(c, keys, values, n)) ||
        (rc = mv_props_build(c, &p, keys, values, n)))
        return rc;
    req.msg_base = &mv_msg_base;
    req.db_name = (char *)db;
    if (values) {
        req.properties = p.arr;
        req.n_properties = p.l.n;
    } else {
        req.delete_keys = (char **)keys;
        req.n_delete_keys = n;
    }
    rc = mv_submit(c, values ? "alter_database_properties" : "drop_database_properties", NULL, cb,
                   ctx, MV_RPC("AlterDatabase"), &req.base, STATUS_RESP, NULL);
    mv_props_free(&p);
    return rc;
}

milvus_status milvus_client_alter_database_properties(milvus_client *c, const char *db,
                                                      const char *const *keys,
                                                      const char *const *values, size_t n,
                                                      milvus_result_cb cb, void *ctx)
{
    if (c && !values)
        return mv_client_seterr(c, MILVUS_ERR_INVALID_ARGUMENT, "values is NULL");
    return alter_db(c, db, keys, values, n, cb, ctx);
}

milvus_status milvus_client_drop_database_properties(milvus_client *c, const char *db,
                                                     const char *const *keys, size_t n,
                                                     milvus_result_cb cb, void *ctx)
{
    return alter_db(c, db, keys, NULL, n, cb, ctx);
}

/* ---- collections --------------------------------------------------------------- */

struct milvus_collection_options {
    int32_t shards;
    int consistency;
    int64_t num_partitions;
    mv_kvlist props;
    mv_opterr err; /* refused setter values */
};

milvus_collection_options *milvus_collection_options_new(void)
{
    milvus_collection_options *o = calloc(1, sizeof(*o));
    if (o)
        o->consistency = MILVUS_CONSISTENCY_BOUNDED;
    return o;
}

void milvus_collection_options_free(milvus_collection_options *o)
{
    if (!o)
        return;
    mv_kv_free(&o->props);
    mv_opterr_free(&o->err);
    free(o);
}

const char *milvus_collection_options_last_error(const milvus_collection_options *o)
{
    return mv_opterr_msg(o ? &o->err : NULL);
}

milvus_status milvus_collection_options_set_shards(milvus_collection_options *o, int32_t n)
{
    if (!o)
        return MILVUS_ERR_INVALID_ARGUMENT;
    if (n < 1 || n > 64)
        return mv_refuse(&o->err, __func__, NULL, "shards %d is out of range (1..64)", (int)n);
    o->shards = n;
    mv_accept(&o->err, __func__, NULL);
    return MILVUS_OK;
}

milvus_status milvus_collection_options_set_consistency(milvus_collection_options *o,
                                                        milvus_consistency l)
{
    if (!o)
        return MILVUS_ERR_INVALID_ARGUMENT;
    if (l < MILVUS_CONSISTENCY_STRONG || l > MILVUS_CONSISTENCY_EVENTUALLY)
        return mv_refuse(&o->err, __func__, NULL,
                         "consistency level %d is out of range (0 STRONG, 1 SESSION, 2 BOUNDED, "
                         "3 EVENTUALLY)",
                         (int)l);
    o->consistency = l;
    mv_accept(&o->err, __func__, NULL);
    return MILVUS_OK;
}

milvus_status milvus_collection_options_set_num_partitions(milvus_collection_options *o, int64_t n)
{
    if (!o)
        return MILVUS_ERR_INVALID_ARGUMENT;
    if (n < 0 || n > 4096)
        return mv_refuse(&o->err, __func__, NULL,
                         "num_partitions %lld is out of range (0 = server default, 1..4096)",
                         (long long)n);
    o->num_partitions = n;
    mv_accept(&o->err, __func__, NULL);
    return MILVUS_OK;
}

/* The key/value setters of collection and index options: key non-empty,
 * value not NULL. */
static int set_kv(mv_opterr *e, const char *setter, const char *what, mv_kvlist *l, const char *key,
                  const char *value)
{
    char q[MV_QUOTE_LEN];
    int rc;
    if (!key || !*key)
        return mv_refuse(e, setter, NULL, "%s key %s is %s (a non-empty key is needed)", what,
                         mv_quote(q, key), key ? "empty" : "NULL");
    if (!value)
        return mv_refuse(e, setter, key, "value of %s %s is NULL (a string is needed)", what,
                         mv_quote(q, key));
    if ((rc = mv_kv_set(l, key, value)) == MILVUS_OK)
        mv_accept(e, setter, key);
    return rc;
}

milvus_status milvus_collection_options_set_property(milvus_collection_options *o, const char *key,
                                                     const char *value)
{
    return o ? set_kv(&o->err, __func__, "property", &o->props, key, value)
             : MILVUS_ERR_INVALID_ARGUMENT;
}

milvus_status milvus_client_create_collection(milvus_client *c, const char *coll,
                                              const milvus_schema *schema,
                                              const milvus_collection_options *o,
                                              milvus_result_cb cb, void *ctx)
{
    Milvus__Proto__Milvus__CreateCollectionRequest req =
        MILVUS__PROTO__MILVUS__CREATE_COLLECTION_REQUEST__INIT;
    mv_cs copy;
    mv_kvp **arr = NULL, *st = NULL;
    char err[MV_ERRBUF];
    int rc = mv_prologue(c, cb, "collection", coll, NULL, NULL);
    if (rc)
        return rc;
    if (!schema)
        return mv_client_seterr(c, MILVUS_ERR_INVALID_ARGUMENT, "schema is NULL");
    if ((rc = mv_check_opts(c, "create_collection", "schema", &schema->err)) ||
        (o && (rc = mv_check_opts(c, "create_collection", "collection options", &o->err))))
        return rc;
    if (milvus_schema_validate(schema, err, sizeof(err)) != MILVUS_OK)
        return mv_client_seterr(c, MILVUS_ERR_INVALID_ARGUMENT,
                                "create_collection on collection '%s': %s", coll, err);
    /* the schema name is the collection name (like the Go client) */
    copy = *schema->pb;
    copy.name = (char *)coll;
    req.schema.data = mv_pack(&copy.base, &req.schema.len);
    if (!req.schema.data)
        return mv_client_seterr(c, MILVUS_ERR_NOMEM, "out of memory");
    req.msg_base = &mv_msg_base;
    req.collection_name = (char *)coll;
    req.consistency_level = o ? (Milvus__Proto__Common__ConsistencyLevel)o->consistency
                              : MILVUS__PROTO__COMMON__CONSISTENCY_LEVEL__Bounded;
    if (o) {
        req.shards_num = o->shards;
        req.num_partitions = o->num_partitions;
        if (o->props.n && !(arr = mv_kv_to_pb(&o->props, &st))) {
            free(req.schema.data);
            return mv_client_seterr(c, MILVUS_ERR_NOMEM, "out of memory");
        }
        req.properties = arr;
        req.n_properties = o->props.n;
    }
    mv_cache_evict(c, coll);
    rc = mv_submit(c, "create_collection", coll, cb, ctx, MV_RPC("CreateCollection"), &req.base,
                   STATUS_RESP, NULL);
    free(req.schema.data);
    mv_kv_pb_free(arr, st);
    return rc;
}

static void list_coll_step(mv_op *op, milvus_result *res)
{
    if (res->status == MILVUS_OK && res->msg) {
        Milvus__Proto__Milvus__ShowCollectionsResponse *r = (void *)res->msg;
        mv_strings_out(res, r->collection_names, r->n_collection_names);
    }
    mv_op_finish(op, res);
}

milvus_status milvus_client_list_collections(milvus_client *c, milvus_result_cb cb, void *ctx)
{
    Milvus__Proto__Milvus__ShowCollectionsRequest req =
        MILVUS__PROTO__MILVUS__SHOW_COLLECTIONS_REQUEST__INIT;
    int rc = mv_prologue(c, cb, NULL, NULL, NULL, NULL);
    if (rc)
        return rc;
    req.msg_base = &mv_msg_base;
    return mv_submit(c, "list_collections", NULL, cb, ctx, MV_RPC("ShowCollections"), &req.base,
                     RESP(show_collections_response), list_coll_step);
}

static void describe_step(mv_op *op, milvus_result *res)
{
    if (res->status == MILVUS_OK && res->msg) {
        Milvus__Proto__Milvus__DescribeCollectionResponse *r = (void *)res->msg;
        res->i64 = r->collectionid;
        mv_kv_out(res, r->properties, r->n_properties);
        if (r->schema) {
            res->schema = mv_schema_wrap(r->schema, 1);
            if (!res->schema)
                mv_result_set_local(res, MILVUS_ERR_NOMEM, "out of memory for the schema");
            else
                mv_cache_put(op->c, op->coll, r->schema, r->update_timestamp);
        }
    }
    mv_op_finish(op, res);
}

void mv_op_describe(mv_op *op, mv_step_fn step)
{
    Milvus__Proto__Milvus__DescribeCollectionRequest req =
        MILVUS__PROTO__MILVUS__DESCRIBE_COLLECTION_REQUEST__INIT;
    req.msg_base = &mv_msg_base;
    req.collection_name = op->coll;
    mv_op_rpc(op, MV_RPC("DescribeCollection"), &req.base, RESP(describe_collection_response),
              step);
}

static int describe(milvus_client *c, const char *opname, const char *coll, milvus_result_cb cb,
                    void *ctx, mv_step_fn step)
{
    Milvus__Proto__Milvus__DescribeCollectionRequest req =
        MILVUS__PROTO__MILVUS__DESCRIBE_COLLECTION_REQUEST__INIT;
    int rc = mv_prologue(c, cb, "collection", coll, NULL, NULL);
    if (rc)
        return rc;
    req.msg_base = &mv_msg_base;
    req.collection_name = (char *)coll;
    return mv_submit(c, opname, coll, cb, ctx, MV_RPC("DescribeCollection"), &req.base,
                     RESP(describe_collection_response), step);
}

milvus_status milvus_client_describe_collection(milvus_client *c, const char *coll,
                                                milvus_result_cb cb, void *ctx)
{
    return describe(c, "describe_collection", coll, cb, ctx, describe_step);
}

static void has_step(mv_op *op, milvus_result *res)
{
    if (res->status == MILVUS_OK) {
        res->b = 1;
    } else if (res->status == MILVUS_ERR_SERVER &&
               (res->server_code == 100 || res->legacy_code == 4)) {
        /* "collection not found" answers the question: false */
        milvus_result *ok = mv_result_new(op->opname, op->coll);
        if (ok) {
            ok->attempts = res->attempts;
            milvus_result_unref(res);
            res = ok;
        }
    }
    mv_op_finish(op, res);
}

milvus_status milvus_client_has_collection(milvus_client *c, const char *coll, milvus_result_cb cb,
                                           void *ctx)
{
    return describe(c, "has_collection", coll, cb, ctx, has_step);
}

milvus_status milvus_client_drop_collection(milvus_client *c, const char *coll, milvus_result_cb cb,
                                            void *ctx)
{
    Milvus__Proto__Milvus__DropCollectionRequest req =
        MILVUS__PROTO__MILVUS__DROP_COLLECTION_REQUEST__INIT;
    int rc = mv_prologue(c, cb, "collection", coll, NULL, NULL);
    if (rc)
        return rc;
    req.msg_base = &mv_msg_base;
    req.collection_name = (char *)coll;
    mv_cache_evict(c, coll);
    return mv_submit(c, "drop_collection", coll, cb, ctx, MV_RPC("DropCollection"), &req.base,
                     STATUS_RESP, NULL);
}

static void stats_step(mv_op *op, milvus_result *res)
{
    if (res->status == MILVUS_OK && res->msg) {
        Milvus__Proto__Milvus__GetCollectionStatisticsResponse *r = (void *)res->msg;
        mv_kv_out(res, r->stats, r->n_stats);
    }
    mv_op_finish(op, res);
}

milvus_status milvus_client_get_collection_stats(milvus_client *c, const char *coll,
                                                 milvus_result_cb cb, void *ctx)
{
    Milvus__Proto__Milvus__GetCollectionStatisticsRequest req =
        MILVUS__PROTO__MILVUS__GET_COLLECTION_STATISTICS_REQUEST__INIT;
    int rc = mv_prologue(c, cb, "collection", coll, NULL, NULL);
    if (rc)
        return rc;
    req.msg_base = &mv_msg_base;
    req.collection_name = (char *)coll;
    return mv_submit(c, "get_collection_stats", coll, cb, ctx, MV_RPC("GetCollectionStatistics"),
                     &req.base, RESP(get_collection_statistics_response), stats_step);
}

/* ---- partitions ---------------------------------------------------------------- */

#define PARTITION_OP(fn, opname, Req, REQ_INIT, rpc, desc, step)                                   \
    milvus_status fn(milvus_client *c, const char *coll, const char *part, milvus_result_cb cb,    \
                     void *ctx)                                                                    \
    {                                                                                              \
        Req req = REQ_INIT;                                                                        \
        int rc = mv_prologue(c, cb, "collection", coll, "partition", part);                        \
        if (rc)                                                                                    \
            return rc;                                                                             \
        req.msg_base = &mv_msg_base;                                                               \
        req.collection_name = (char *)coll;                                                        \
        req.partition_name = (char *)part;                                                         \
        return mv_submit(c, opname, coll, cb, ctx, MV_RPC(rpc), &req.base, desc, step);            \
    }

static void bool_step(mv_op *op, milvus_result *res)
{
    if (res->status == MILVUS_OK && res->msg)
        res->b = ((Milvus__Proto__Milvus__BoolResponse *)res->msg)->value;
    mv_op_finish(op, res);
}

PARTITION_OP(milvus_client_create_partition, "create_partition",
             Milvus__Proto__Milvus__CreatePartitionRequest,
             MILVUS__PROTO__MILVUS__CREATE_PARTITION_REQUEST__INIT, "CreatePartition", STATUS_RESP,
             NULL)
PARTITION_OP(milvus_client_drop_partition, "drop_partition",
             Milvus__Proto__Milvus__DropPartitionRequest,
             MILVUS__PROTO__MILVUS__DROP_PARTITION_REQUEST__INIT, "DropPartition", STATUS_RESP,
             NULL)
PARTITION_OP(milvus_client_has_partition, "has_partition",
             Milvus__Proto__Milvus__HasPartitionRequest,
             MILVUS__PROTO__MILVUS__HAS_PARTITION_REQUEST__INIT, "HasPartition",
             RESP(bool_response), bool_step)

static void list_part_step(mv_op *op, milvus_result *res)
{
    if (res->status == MILVUS_OK && res->msg) {
        Milvus__Proto__Milvus__ShowPartitionsResponse *r = (void *)res->msg;
        mv_strings_out(res, r->partition_names, r->n_partition_names);
    }
    mv_op_finish(op, res);
}

milvus_status milvus_client_list_partitions(milvus_client *c, const char *coll, milvus_result_cb cb,
                                            void *ctx)
{
    Milvus__Proto__Milvus__ShowPartitionsRequest req =
        MILVUS__PROTO__MILVUS__SHOW_PARTITIONS_REQUEST__INIT;
    int rc = mv_prologue(c, cb, "collection", coll, NULL, NULL);
    if (rc)
        return rc;
    req.msg_base = &mv_msg_base;
    req.collection_name = (char *)coll;
    return mv_submit(c, "list_partitions", coll, cb, ctx, MV_RPC("ShowPartitions"), &req.base,
                     RESP(show_partitions_response), list_part_step);
}

/* ---- indexes --------------------------------------------------------------------- */

struct milvus_index_options {
    char *name;
    mv_kvlist params;
    mv_opterr err; /* refused setter values */
};

milvus_index_options *milvus_index_options_new(void)
{
    return calloc(1, sizeof(milvus_index_options));
}

void milvus_index_options_free(milvus_index_options *o)
{
    if (!o)
        return;
    free(o->name);
    mv_kv_free(&o->params);
    mv_opterr_free(&o->err);
    free(o);
}

const char *milvus_index_options_last_error(const milvus_index_options *o)
{
    return mv_opterr_msg(o ? &o->err : NULL);
}

milvus_status milvus_index_options_set_name(milvus_index_options *o, const char *name)
{
    char *d;
    int rc;
    if (!o)
        return MILVUS_ERR_INVALID_ARGUMENT;
    if ((rc = mv_setter_name(&o->err, __func__, "index", name)) != MILVUS_OK)
        return rc;
    if (!(d = mv_strdup(name)))
        return MILVUS_ERR_NOMEM;
    free(o->name);
    o->name = d;
    mv_accept(&o->err, __func__, NULL);
    return MILVUS_OK;
}

milvus_status milvus_index_options_set_param(milvus_index_options *o, const char *key,
                                             const char *value)
{
    return o ? set_kv(&o->err, __func__, "parameter", &o->params, key, value)
             : MILVUS_ERR_INVALID_ARGUMENT;
}

/* set_type and set_metric: one parameter each, refused in their own name. */
static int set_named_param(milvus_index_options *o, const char *setter, const char *what,
                           const char *key, const char *value)
{
    int rc;
    if (!o)
        return MILVUS_ERR_INVALID_ARGUMENT;
    if (!value)
        return mv_refuse(&o->err, setter, NULL, "%s is NULL (a name such as %s)", what,
                         strcmp(key, "index_type") == 0 ? "\"HNSW\"" : "\"L2\"");
    if ((rc = mv_kv_set(&o->params, key, value)) == MILVUS_OK)
        mv_accept(&o->err, setter, NULL);
    return rc;
}

milvus_status milvus_index_options_set_type(milvus_index_options *o, const char *type)
{
    return set_named_param(o, __func__, "type", "index_type", type);
}

milvus_status milvus_index_options_set_metric(milvus_index_options *o, const char *metric)
{
    return set_named_param(o, __func__, "metric", "metric_type", metric);
}

milvus_status milvus_client_create_index(milvus_client *c, const char *coll, const char *field,
                                         const milvus_index_options *o, milvus_result_cb cb,
                                         void *ctx)
{
    Milvus__Proto__Milvus__CreateIndexRequest req =
        MILVUS__PROTO__MILVUS__CREATE_INDEX_REQUEST__INIT;
    mv_kvlist l = {0};
    mv_kvp **arr = NULL, *st = NULL;
    int rc = mv_prologue(c, cb, "collection", coll, "field", field);
    if (rc || (o && (rc = mv_check_opts(c, "create_index", "index options", &o->err))))
        return rc;
    for (size_t i = 0; o && i < o->params.n && !rc; i++)
        rc = mv_kv_set(&l, o->params.keys[i], o->params.vals[i]);
    if (!rc)
        for (size_t i = 0; i < l.n; i++)
            if (strcmp(l.keys[i], "index_type") == 0)
                goto have_type;
    if (!rc)
        rc = mv_kv_set(&l, "index_type", "AUTOINDEX");
have_type:
    if (rc || !(arr = mv_kv_to_pb(&l, &st))) {
        mv_kv_free(&l);
        return mv_client_seterr(c, MILVUS_ERR_NOMEM, "out of memory");
    }
    req.msg_base = &mv_msg_base;
    req.collection_name = (char *)coll;
    req.field_name = (char *)field;
    req.index_name = o && o->name ? o->name : (char *)field;
    req.extra_params = arr;
    req.n_extra_params = l.n;
    rc = mv_submit(c, "create_index", coll, cb, ctx, MV_RPC("CreateIndex"), &req.base, STATUS_RESP,
                   NULL);
    mv_kv_pb_free(arr, st);
    mv_kv_free(&l);
    return rc;
}

static void describe_index_step(mv_op *op, milvus_result *res)
{
    if (res->status == MILVUS_OK && res->msg) {
        res->idx = (Milvus__Proto__Milvus__DescribeIndexResponse *)res->msg;
        for (size_t i = 0; i < res->idx->n_index_descriptions; i++)
            if (mv_str_add(&res->strs, res->idx->index_descriptions[i]->index_name))
                break;
    }
    mv_op_finish(op, res);
}

static int describe_index(milvus_client *c, const char *opname, const char *coll, const char *index,
                          milvus_result_cb cb, void *ctx)
{
    Milvus__Proto__Milvus__DescribeIndexRequest req =
        MILVUS__PROTO__MILVUS__DESCRIBE_INDEX_REQUEST__INIT;
    int rc = mv_prologue(c, cb, "collection", coll, index ? "index" : NULL, index);
    if (rc)
        return rc;
    req.msg_base = &mv_msg_base;
    req.collection_name = (char *)coll;
    if (index)
        req.index_name = (char *)index;
    return mv_submit(c, opname, coll, cb, ctx, MV_RPC("DescribeIndex"), &req.base,
                     RESP(describe_index_response), describe_index_step);
}

milvus_status milvus_client_describe_index(milvus_client *c, const char *coll, const char *index,
                                           milvus_result_cb cb, void *ctx)
{
    return describe_index(c, "describe_index", coll, index, cb, ctx);
}

milvus_status milvus_client_list_indexes(milvus_client *c, const char *coll, milvus_result_cb cb,
                                         void *ctx)
{
    return describe_index(c, "list_indexes", coll, NULL, cb, ctx);
}

milvus_status milvus_client_drop_index(milvus_client *c, const char *coll, const char *index,
                                       milvus_result_cb cb, void *ctx)
{
    Milvus__Proto__Milvus__DropIndexRequest req = MILVUS__PROTO__MILVUS__DROP_INDEX_REQUEST__INIT;
    int rc = mv_prologue(c, cb, "collection", coll, "index", index);
    if (rc)
        return rc;
    req.msg_base = &mv_msg_base;
    req.collection_name = (char *)coll;
    req.index_name = (char *)index;
    return mv_submit(c, "drop_index", coll, cb, ctx, MV_RPC("DropIndex"), &req.base, STATUS_RESP,
                     NULL);
}

/* ---- load / release -------------------------------------------------------------- */

struct milvus_load_options {
    int32_t replicas;
    int refresh;
    mv_strlist parts;
    mv_opterr err; /* refused setter values */
};

milvus_load_options *milvus_load_options_new(void)
{
    return calloc(1, sizeof(milvus_load_options));
}

void milvus_load_options_free(milvus_load_options *o)
{
    if (!o)
        return;
    mv_str_free(&o->parts);
    mv_opterr_free(&o->err);
    free(o);
}

const char *milvus_load_options_last_error(const milvus_load_options *o)
{
    return mv_opterr_msg(o ? &o->err : NULL);
}

milvus_status milvus_load_options_set_replicas(milvus_load_options *o, int32_t n)
{
    if (!o)
        return MILVUS_ERR_INVALID_ARGUMENT;
    if (n < 1)
        return mv_refuse(&o->err, __func__, NULL, "replicas %d is out of range (1..2147483647)",
                         (int)n);
    o->replicas = n;
    mv_accept(&o->err, __func__, NULL);
    return MILVUS_OK;
}

milvus_status milvus_load_options_add_partition(milvus_load_options *o, const char *name)
{
    int rc;
    if (!o)
        return MILVUS_ERR_INVALID_ARGUMENT;
    if ((rc = mv_setter_name(&o->err, __func__, "partition", name)) != MILVUS_OK)
        return rc;
    if ((rc = mv_str_add(&o->parts, name)) == MILVUS_OK)
        mv_accept(&o->err, __func__, NULL);
    return rc;
}

milvus_status milvus_load_options_set_refresh(milvus_load_options *o, int on)
{
    if (!o)
        return MILVUS_ERR_INVALID_ARGUMENT;
    o->refresh = on != 0;
    return MILVUS_OK;
}

milvus_status milvus_client_load_collection(milvus_client *c, const char *coll,
                                            const milvus_load_options *o, milvus_result_cb cb,
                                            void *ctx)
{
    int rc = mv_prologue(c, cb, "collection", coll, NULL, NULL);
    if (rc || (o && (rc = mv_check_opts(c, "load_collection", "load options", &o->err))))
        return rc;
    if (o && o->parts.n) {
        Milvus__Proto__Milvus__LoadPartitionsRequest req =
            MILVUS__PROTO__MILVUS__LOAD_PARTITIONS_REQUEST__INIT;
        req.msg_base = &mv_msg_base;
        req.collection_name = (char *)coll;
        req.partition_names = o->parts.v;
        req.n_partition_names = o->parts.n;
        req.replica_number = o->replicas;
        req.refresh = o->refresh;
        return mv_submit(c, "load_partitions", coll, cb, ctx, MV_RPC("LoadPartitions"), &req.base,
                         STATUS_RESP, NULL);
    } else {
        Milvus__Proto__Milvus__LoadCollectionRequest req =
            MILVUS__PROTO__MILVUS__LOAD_COLLECTION_REQUEST__INIT;
        req.msg_base = &mv_msg_base;
        req.collection_name = (char *)coll;
        req.replica_number = o ? o->replicas : 0;
        req.refresh = o ? o->refresh : 0;
        return mv_submit(c, "load_collection", coll, cb, ctx, MV_RPC("LoadCollection"), &req.base,
                         STATUS_RESP, NULL);
    }
}

milvus_status milvus_client_release_collection(milvus_client *c, const char *coll,
                                               milvus_result_cb cb, void *ctx)
{
    Milvus__Proto__Milvus__ReleaseCollectionRequest req =
        MILVUS__PROTO__MILVUS__RELEASE_COLLECTION_REQUEST__INIT;
    int rc = mv_prologue(c, cb, "collection", coll, NULL, NULL);
    if (rc)
        return rc;
    req.msg_base = &mv_msg_base;
    req.collection_name = (char *)coll;
    return mv_submit(c, "release_collection", coll, cb, ctx, MV_RPC("ReleaseCollection"), &req.base,
                     STATUS_RESP, NULL);
}

static void load_state_step(mv_op *op, milvus_result *res)
{
    if (res->status == MILVUS_OK && res->msg)
        res->i64 = ((Milvus__Proto__Milvus__GetLoadStateResponse *)res->msg)->state;
    mv_op_finish(op, res);
}

milvus_status milvus_client_get_load_state(milvus_client *c, const char *coll, milvus_result_cb cb,
                                           void *ctx)
{
    Milvus__Proto__Milvus__GetLoadStateRequest req =
        MILVUS__PROTO__MILVUS__GET_LOAD_STATE_REQUEST__INIT;
    int rc = mv_prologue(c, cb, "collection", coll, NULL, NULL);
    if (rc)
        return rc;
    req.msg_base = &mv_msg_base;
    req.collection_name = (char *)coll;
    return mv_submit(c, "get_load_state", coll, cb, ctx, MV_RPC("GetLoadState"), &req.base,
                     RESP(get_load_state_response), load_state_step);
}

/* ---- aliases / maintenance -------------------------------------------------------- */

milvus_status milvus_client_create_alias(milvus_client *c, const char *coll, const char *alias,
                                         milvus_result_cb cb, void *ctx)
{
    Milvus__Proto__Milvus__CreateAliasRequest req =
        MILVUS__PROTO__MILVUS__CREATE_ALIAS_REQUEST__INIT;
    int rc = mv_prologue(c, cb, "collection", coll, "alias", alias);
    if (rc)
        return rc;
    req.msg_base = &mv_msg_base;
    req.collection_name = (char *)coll;
    req.alias = (char *)alias;
    return mv_submit(c, "create_alias", coll, cb, ctx, MV_RPC("CreateAlias"), &req.base,
                     STATUS_RESP, NULL);
}

milvus_status milvus_client_drop_alias(milvus_client *c, const char *alias, milvus_result_cb cb,
                                       void *ctx)
{
    Milvus__Proto__Milvus__DropAliasRequest req = MILVUS__PROTO__MILVUS__DROP_ALIAS_REQUEST__INIT;
    int rc = mv_prologue(c, cb, NULL, NULL, "alias", alias);
    if (rc)
        return rc;
    req.msg_base = &mv_msg_base;
    req.alias = (char *)alias;
    return mv_submit(c, "drop_alias", NULL, cb, ctx, MV_RPC("DropAlias"), &req.base, STATUS_RESP,
                     NULL);
}

milvus_status milvus_client_flush(milvus_client *c, const char *coll, milvus_result_cb cb,
                                  void *ctx)
{
    Milvus__Proto__Milvus__FlushRequest req = MILVUS__PROTO__MILVUS__FLUSH_REQUEST__INIT;
    char *names[1];
    int rc = mv_prologue(c, cb, "collection", coll, NULL, NULL);
    if (rc)
        return rc;
    names[0] = (char *)coll;
    req.msg_base = &mv_msg_base;
    req.collection_names = names;
    req.n_collection_names = 1;
    return mv_submit(c, "flush", coll, cb, ctx, MV_RPC("Flush"), &req.base, RESP(flush_response),
                     NULL);
}
