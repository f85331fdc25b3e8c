/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cclient — runs tests/golden/script.txt with libmilvus against the
 * capture server (tests/golden/capture), with the same fixed arguments as
 * tests/golden/goclient (the official Go client), so that compare.js can
 * hold libmilvus's requests against the Go client's; and
 * tests/golden/script-snapshot.txt with the same fixed arguments as
 * tests/golden/pyclient.py (pymilvus: the Go client has no snapshot API).
 *
 *   cclient HOST PORT MARK_PORT [--script] SCRIPT
 *
 * Before each operation it sends "OP <name>" to the capture server's marker
 * port and waits for "OK"; operations run one at a time through the
 * blocking layer (<milvus/sync.h>).  Exit status 1 when an operation
 * failed (the others still run), 2 on a usage or setup error.
 */
#include <milvus/milvus.h>
#include <milvus/sync.h>

#include <event2/event.h>

#include <arpa/inet.h>
#include <math.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

/* The fixed arguments (the same constants are in goclient/main.go). */
#define TYPES "golden_types"
#define DB "golden_db"
#define COLL "golden_coll"
#define COLL_NEW "golden_coll_renamed"
#define QUICK "golden_quick"
#define PARTITION "golden_part"
#define ALIAS "golden_alias"
#define INDEX_NAME "vec_idx"
#define DIM 4

static const float query_vec[DIM] = {0.1f, 0.2f, 0.3f, 0.4f};
static const float query_vec2[DIM] = {-0.4f, 0.3f, -0.2f, 0.1f};

static milvus_sync *S;
static int64_t compaction_id;

/* ---- helpers ------------------------------------------------------------------ */

/* Reports a failed step; returns rc. */
static int check(int rc, milvus_result *res, const char *what)
{
    if (rc != MILVUS_OK)
        fprintf(stderr, "cclient: %s: %s\n", what,
                res ? milvus_result_message(res) : milvus_sync_last_error(S));
    milvus_result_unref(res);
    return rc;
}

#define RUN(WHAT, EXPR)                                                                            \
    do {                                                                                           \
        milvus_result *res_ = NULL;                                                                \
        int rc_ = (EXPR);                                                                          \
        return check(rc_, res_, (WHAT));                                                           \
    } while (0)
/* EXPR takes &res_ as its last argument. */
#define OUT (&res_)

/* Sets rc (if still OK) to MILVUS_ERR_NOMEM for a NULL pointer. */
#define NEED(rc, p)                                                                                \
    do {                                                                                           \
        if ((rc) == MILVUS_OK && (p) == NULL)                                                      \
            (rc) = MILVUS_ERR_NOMEM;                                                               \
    } while (0)

static void free_columns(milvus_column **cols, size_t n)
{
    for (size_t i = 0; i < n; i++)
        milvus_column_free(cols[i]);
}

#define NCOLS 8

/* The eight columns of the golden schema for three rows. */
static int make_rows(milvus_column **cols, const int64_t ids[3], const char *const titles[3])
{
    static const double scores[3] = {0.5, 1.25, -2};
    static const int32_t ranks[2] = {7, 9}; /* row 1 is NULL */
    static const uint8_t rank_valid[3] = {1, 0, 1};
    static const uint8_t flags[3] = {1, 0, 1};
    static const float vecs[3 * DIM] = {0.1f, 0.2f, 0.3f,  0.4f,  0.5f,  0.6f,
                                        0.7f, 0.8f, -0.1f, -0.2f, -0.3f, -0.4f};
    static const char *const metas[3] = {"{\"k\":1}", "{\"k\":2,\"s\":\"x\"}", "{}"};
    static const uint64_t tag_offsets[4] = {0, 2, 2, 3};
    static const char *const tags[3] = {"a", "b", "c"};
    memset(cols, 0, NCOLS * sizeof *cols);
    int rc = milvus_column_new_int64(&cols[0], "id", ids, 3);
    if (!rc)
        rc = milvus_column_new_varchar(&cols[1], "title", titles, 3);
    if (!rc)
        rc = milvus_column_new_double(&cols[2], "score", scores, 3);
    if (!rc)
        rc = milvus_column_new_int32(&cols[3], "rank", ranks, 2);
    if (!rc)
        rc = milvus_column_set_valid(cols[3], rank_valid, 3);
    if (!rc)
        rc = milvus_column_new_bool(&cols[4], "flag", flags, 3);
    if (!rc)
        rc = milvus_column_new_float_vector(&cols[5], "vec", DIM, vecs, 3);
    if (!rc)
        rc = milvus_column_new_json(&cols[6], "meta", metas, 3);
    if (!rc)
        rc = milvus_column_new_array(&cols[7], "tags", MILVUS_TYPE_VARCHAR, 3, tag_offsets, tags);
    if (rc)
        free_columns(cols, NCOLS);
    return rc;
}

static int make_schema(milvus_schema **out)
{
    milvus_schema *s = NULL;
    milvus_field *f[8] = {0};
    int rc = milvus_schema_new(&s, COLL);
    if (!rc)
        rc = milvus_schema_set_description(s, "golden schema");
    if (!rc)
        rc = milvus_schema_set_dynamic_field(s, 1);
    if (!rc)
        rc = milvus_field_new(&f[0], "id", MILVUS_TYPE_INT64);
    if (!rc)
        rc = milvus_field_set_description(f[0], "primary key");
    if (!rc)
        rc = milvus_field_set_primary_key(f[0], 1);
    if (!rc)
        rc = milvus_field_new(&f[1], "title", MILVUS_TYPE_VARCHAR);
    if (!rc)
        rc = milvus_field_set_max_length(f[1], 64);
    if (!rc)
        rc = milvus_field_new(&f[2], "score", MILVUS_TYPE_DOUBLE);
    if (!rc)
        rc = milvus_field_set_default_double(f[2], 1.5);
    if (!rc)
        rc = milvus_field_new(&f[3], "rank", MILVUS_TYPE_INT32);
    if (!rc)
        rc = milvus_field_set_nullable(f[3], 1);
    if (!rc)
        rc = milvus_field_new(&f[4], "flag", MILVUS_TYPE_BOOL);
    if (!rc)
        rc = milvus_field_new(&f[5], "vec", MILVUS_TYPE_FLOAT_VECTOR);
    if (!rc)
        rc = milvus_field_set_dim(f[5], DIM);
    if (!rc)
        rc = milvus_field_new(&f[6], "meta", MILVUS_TYPE_JSON);
    if (!rc)
        rc = milvus_field_new(&f[7], "tags", MILVUS_TYPE_ARRAY);
    if (!rc)
        rc = milvus_field_set_element_type(f[7], MILVUS_TYPE_VARCHAR);
    if (!rc)
        rc = milvus_field_set_max_capacity(f[7], 4);
    if (!rc)
        rc = milvus_field_set_max_length(f[7], 16);
    for (int i = 0; i < 8; i++) {
        if (!rc)
            rc = milvus_schema_add_field(s, f[i]);
        milvus_field_free(f[i]);
    }
    if (rc) {
        milvus_schema_free(s);
        return rc;
    }
    *out = s;
    return MILVUS_OK;
}

/* ---- the operations (script.txt names) ----------------------------------------- */

static int op_connect(void)
{
    RUN("Connect", milvus_sync_connect(S, OUT));
}
static int op_get_server_version(void)
{
    RUN("GetServerVersion", milvus_sync_get_server_version(S, OUT));
}
static int op_list_databases(void)
{
    RUN("ListDatabases", milvus_sync_list_database(S, OUT));
}
static int op_create_database(void)
{
    RUN("CreateDatabase", milvus_sync_create_database(S, DB, OUT));
}
static int op_describe_database(void)
{
    RUN("DescribeDatabase", milvus_sync_describe_database(S, DB, OUT));
}
static int op_alter_database_properties(void)
{
    const char *keys[] = {"database.max.collections"}, *values[] = {"10"};
    RUN("AlterDatabaseProperties",
        milvus_sync_alter_database_properties(S, DB, keys, values, 1, OUT));
}
static int op_drop_database_properties(void)
{
    const char *keys[] = {"database.max.collections"};
    RUN("DropDatabaseProperties", milvus_sync_drop_database_properties(S, DB, keys, 1, OUT));
}
static int op_use_database(void)
{
    RUN("UseDatabase", milvus_sync_use_database(S, DB, OUT));
}

static int op_create_collection(void)
{
    milvus_schema *schema = NULL;
    milvus_collection_options *o = milvus_collection_options_new();
    int rc = o ? make_schema(&schema) : MILVUS_ERR_NOMEM;
    if (!rc)
        rc = milvus_collection_options_set_shards(o, 1);
    if (!rc)
        rc = milvus_collection_options_set_consistency(o, MILVUS_CONSISTENCY_BOUNDED);
    if (!rc)
        rc = milvus_collection_options_set_property(o, "collection.ttl.seconds", "3600");
    milvus_result *res = NULL;
    if (!rc)
        rc = milvus_sync_create_collection(S, COLL, schema, o, &res);
    milvus_schema_free(schema);
    milvus_collection_options_free(o);
    return check(rc, res, "CreateCollection");
}

static int op_has_collection(void)
{
    RUN("HasCollection", milvus_sync_has_collection(S, COLL, OUT));
}
static int op_describe_collection(void)
{
    RUN("DescribeCollection", milvus_sync_describe_collection(S, COLL, OUT));
}
static int op_list_collections(void)
{
    RUN("ListCollections", milvus_sync_list_collections(S, OUT));
}
static int op_get_collection_stats(void)
{
    RUN("GetCollectionStats", milvus_sync_get_collection_stats(S, COLL, OUT));
}
static int op_alter_collection_properties(void)
{
    const char *keys[] = {"collection.ttl.seconds", "mmap.enabled"}, *values[] = {"7200", "true"};
    RUN("AlterCollectionProperties",
        milvus_sync_alter_collection_properties(S, COLL, keys, values, 2, OUT));
}
static int op_drop_collection_properties(void)
{
    const char *keys[] = {"collection.ttl.seconds", "mmap.enabled"};
    RUN("DropCollectionProperties", milvus_sync_drop_collection_properties(S, COLL, keys, 2, OUT));
}
static int op_alter_collection_field_property(void)
{
    const char *keys[] = {"max_length"}, *values[] = {"128"};
    RUN("AlterCollectionFieldProperty",
        milvus_sync_alter_collection_field_property(S, COLL, "title", keys, values, 1, OUT));
}

static int op_create_partition(void)
{
    RUN("CreatePartition", milvus_sync_create_partition(S, COLL, PARTITION, OUT));
}
static int op_has_partition(void)
{
    RUN("HasPartition", milvus_sync_has_partition(S, COLL, PARTITION, OUT));
}
static int op_list_partitions(void)
{
    RUN("ListPartitions", milvus_sync_list_partitions(S, COLL, OUT));
}
static int op_get_partition_stats(void)
{
    RUN("GetPartitionStats", milvus_sync_get_partition_stats(S, COLL, PARTITION, OUT));
}

static int op_create_index(void)
{
    milvus_index_options *o = milvus_index_options_new();
    int rc = o ? MILVUS_OK : MILVUS_ERR_NOMEM;
    if (!rc)
        rc = milvus_index_options_set_name(o, INDEX_NAME);
    if (!rc)
        rc = milvus_index_options_set_type(o, "HNSW");
    if (!rc)
        rc = milvus_index_options_set_metric(o, "COSINE");
    if (!rc)
        rc = milvus_index_options_set_param(o, "M", "16");
    if (!rc)
        rc = milvus_index_options_set_param(o, "efConstruction", "64");
    milvus_result *res = NULL;
    if (!rc)
        rc = milvus_sync_create_index(S, COLL, "vec", o, &res);
    milvus_index_options_free(o);
    return check(rc, res, "CreateIndex");
}
static int op_await_index(void)
{
    RUN("AwaitIndex", milvus_sync_await_index(S, COLL, INDEX_NAME, NULL, OUT));
}
static int op_describe_index(void)
{
    RUN("DescribeIndex", milvus_sync_describe_index(S, COLL, INDEX_NAME, OUT));
}
static int op_list_indexes(void)
{
    RUN("ListIndexes", milvus_sync_list_indexes(S, COLL, OUT));
}

static int op_create_scalar_index(void)
{
    milvus_index_options *o = milvus_index_options_new();
    int rc = o ? milvus_index_options_set_type(o, "INVERTED") : MILVUS_ERR_NOMEM;
    milvus_result *res = NULL;
    if (!rc)
        rc = milvus_sync_create_index(S, COLL, "title", o, &res);
    milvus_index_options_free(o);
    return check(rc, res, "CreateScalarIndex");
}
static int op_load_collection(void)
{
    RUN("LoadCollection", milvus_sync_load_collection(S, COLL, NULL, OUT));
}
static int op_await_load(void)
{
    RUN("AwaitLoad", milvus_sync_await_load(S, COLL, NULL, 0, NULL, OUT));
}
static int op_get_load_state(void)
{
    RUN("GetLoadState", milvus_sync_get_load_state(S, COLL, OUT));
}
static int op_load_partitions(void)
{
    const char *parts[] = {PARTITION};
    RUN("LoadPartitions", milvus_sync_load_partitions(S, COLL, parts, 1, OUT));
}
static int op_await_load_partitions(void)
{
    const char *parts[] = {PARTITION};
    RUN("AwaitLoadPartitions", milvus_sync_await_load(S, COLL, parts, 1, NULL, OUT));
}
static int op_release_partitions(void)
{
    const char *parts[] = {PARTITION};
    RUN("ReleasePartitions", milvus_sync_release_partitions(S, COLL, parts, 1, OUT));
}
static int op_load_replicas(void)
{
    milvus_load_options *o = milvus_load_options_new();
    int rc = o ? milvus_load_options_set_replicas(o, 2) : MILVUS_ERR_NOMEM;
    milvus_result *res = NULL;
    if (!rc)
        rc = milvus_sync_load_collection(S, COLL, o, &res);
    milvus_load_options_free(o);
    return check(rc, res, "LoadReplicas");
}
static int op_refresh_load(void)
{
    RUN("RefreshLoad", milvus_sync_refresh_load(S, COLL, OUT));
}

/* Insert (or upsert) the golden columns plus extra columns; o may be NULL. */
static int write_rows(const char *what, int upsert, const int64_t ids[3],
                      const char *const titles[3], milvus_column *extra,
                      const milvus_write_options *o)
{
    milvus_column *cols[NCOLS + 1];
    int rc = make_rows(cols, ids, titles);
    milvus_result *res = NULL;
    size_t n = NCOLS;
    if (rc) {
        milvus_column_free(extra);
        return check(rc, NULL, what);
    }
    if (extra)
        cols[n++] = extra;
    const milvus_column *const *cc = (const milvus_column *const *)cols;
    rc = upsert ? milvus_sync_upsert(S, COLL, cc, n, o, &res)
                : milvus_sync_insert(S, COLL, cc, n, o, &res);
    free_columns(cols, n);
    return check(rc, res, what);
}
static int op_insert(void)
{
    static const int64_t ids[3] = {1, 2, 3};
    static const char *const titles[3] = {"alpha", "beta", "gamma"};
    return write_rows("Insert", 0, ids, titles, NULL, NULL);
}
static int op_insert_partition(void)
{
    static const int64_t ids[3] = {11, 12, 13};
    static const char *const titles[3] = {"p1", "p2", "p3"};
    milvus_write_options *o = milvus_write_options_new();
    int rc = o ? milvus_write_options_set_partition(o, PARTITION) : MILVUS_ERR_NOMEM;
    rc = rc ? check(rc, NULL, "InsertPartition")
            : write_rows("InsertPartition", 0, ids, titles, NULL, o);
    milvus_write_options_free(o);
    return rc;
}
static int op_insert_dynamic(void)
{
    static const int64_t ids[3] = {21, 22, 23};
    static const char *const titles[3] = {"d1", "d2", "d3"};
    static const char *const dyn[3] = {"{\"color\":\"red\"}", "{\"color\":\"green\"}",
                                       "{\"color\":\"blue\"}"};
    milvus_column *extra = NULL;
    int rc = milvus_column_new_json(&extra, "$meta", dyn, 3);
    if (!rc)
        rc = milvus_column_set_dynamic(extra, 1);
    if (rc) {
        milvus_column_free(extra);
        return check(rc, NULL, "InsertDynamic");
    }
    return write_rows("InsertDynamic", 0, ids, titles, extra, NULL);
}
/* The Insert columns again, but sent zero-copy, with the id, score and
 * vec columns wrapping the caller's buffers. */
static int op_insert_zero_copy(void)
{
    static const int64_t ids[3] = {31, 32, 33};
    static const char *const titles[3] = {"z1", "z2", "z3"};
    static const double scores[3] = {0.5, 1.25, -2};
    static const float vecs[3 * DIM] = {0.1f, 0.2f, 0.3f,  0.4f,  0.5f,  0.6f,
                                        0.7f, 0.8f, -0.1f, -0.2f, -0.3f, -0.4f};
    milvus_column *cols[NCOLS];
    milvus_write_options *o = milvus_write_options_new();
    milvus_result *res = NULL;
    int rc = o ? milvus_write_options_set_zero_copy(o, 1) : MILVUS_ERR_NOMEM;
    if (!rc)
        rc = make_rows(cols, ids, titles);
    if (rc) {
        milvus_write_options_free(o);
        return check(rc, NULL, "InsertZeroCopy");
    }
    milvus_column_free(cols[0]);
    milvus_column_free(cols[2]);
    milvus_column_free(cols[5]);
    cols[0] = cols[2] = cols[5] = NULL;
    rc = milvus_column_wrap(&cols[0], "id", MILVUS_TYPE_INT64, 0, ids, 3);
    if (!rc)
        rc = milvus_column_wrap(&cols[2], "score", MILVUS_TYPE_DOUBLE, 0, scores, 3);
    if (!rc)
        rc = milvus_column_wrap(&cols[5], "vec", MILVUS_TYPE_FLOAT_VECTOR, DIM, vecs, 3);
    if (!rc)
        rc = milvus_sync_insert(S, COLL, (const milvus_column *const *)cols, NCOLS, o, &res);
    free_columns(cols, NCOLS);
    milvus_write_options_free(o);
    return check(rc, res, "InsertZeroCopy");
}
/* Extreme values: int64 limits, empty and non-ASCII strings, signed zero,
 * denormals and infinities, all-NULL nullable column, non-object JSON. */
static int op_insert_edge(void)
{
    static const int64_t ids[3] = {INT64_MIN, 0, INT64_MAX};
    static const char *const titles[3] = {"",
                                          "\xc3\xbc"
                                          "n\xc3\xaf"
                                          "c\xc3\xb8"
                                          "d\xc3\xa9 \xe2\x9c\x93",
                                          "tab\tnew\nline \"q\""};
    static const uint8_t rank_valid[3] = {0, 0, 0};
    static const uint8_t flags[3] = {0, 0, 0};
    static const char *const metas[3] = {"null", "[1,2]", "\"s\""};
    static const uint64_t tag_offsets[4] = {0, 1, 5, 5};
    static const char *const tags[5] = {"", "x", "y", "z", "w"};
    double scores[3] = {-0.0, 1e308, 5e-324};
    float vecs[3 * DIM] = {INFINITY, -INFINITY, -0.0f, 1e-45f, 0, 0, 0, 0, 3.4028235e38f, -1, 1, 0};
    milvus_column *cols[NCOLS] = {0};
    milvus_result *res = NULL;
    int rc = milvus_column_new_int64(&cols[0], "id", ids, 3);
    if (!rc)
        rc = milvus_column_new_varchar(&cols[1], "title", titles, 3);
    if (!rc)
        rc = milvus_column_new_double(&cols[2], "score", scores, 3);
    if (!rc)
        rc = milvus_column_new_int32(&cols[3], "rank", NULL, 0);
    if (!rc)
        rc = milvus_column_set_valid(cols[3], rank_valid, 3);
    if (!rc)
        rc = milvus_column_new_bool(&cols[4], "flag", flags, 3);
    if (!rc)
        rc = milvus_column_new_float_vector(&cols[5], "vec", DIM, vecs, 3);
    if (!rc)
        rc = milvus_column_new_json(&cols[6], "meta", metas, 3);
    if (!rc)
        rc = milvus_column_new_array(&cols[7], "tags", MILVUS_TYPE_VARCHAR, 3, tag_offsets, tags);
    if (!rc)
        rc = milvus_sync_insert(S, COLL, (const milvus_column *const *)cols, NCOLS, NULL, &res);
    free_columns(cols, NCOLS);
    return check(rc, res, "InsertEdge");
}
static int op_upsert(void)
{
    static const int64_t ids[3] = {3, 4, 5};
    static const char *const titles[3] = {"gamma2", "delta", "epsilon"};
    return write_rows("Upsert", 1, ids, titles, NULL, NULL);
}
static int op_upsert_partial(void)
{
    static const int64_t ids[1] = {1};
    static const char *const titles[1] = {"alpha2"};
    milvus_column *cols[2] = {0};
    milvus_write_options *o = milvus_write_options_new();
    milvus_result *res = NULL;
    int rc = o ? milvus_write_options_set_partial_update(o, 1) : MILVUS_ERR_NOMEM;
    if (!rc)
        rc = milvus_column_new_int64(&cols[0], "id", ids, 1);
    if (!rc)
        rc = milvus_column_new_varchar(&cols[1], "title", titles, 1);
    if (!rc)
        rc = milvus_sync_upsert(S, COLL, (const milvus_column *const *)cols, 2, o, &res);
    free_columns(cols, 2);
    milvus_write_options_free(o);
    return check(rc, res, "UpsertPartial");
}
static int op_delete(void)
{
    RUN("Delete", milvus_sync_delete(S, COLL, "id in [1]", NULL, OUT));
}
static int op_delete_ids(void)
{
    static const int64_t ids[2] = {2, 3};
    milvus_column *col = NULL;
    milvus_result *res = NULL;
    int rc = milvus_column_new_int64(&col, "id", ids, 2);
    if (!rc)
        rc = milvus_sync_delete_ids(S, COLL, col, NULL, &res);
    milvus_column_free(col);
    return check(rc, res, "DeleteIds");
}
static int op_delete_partition(void)
{
    milvus_write_options *o = milvus_write_options_new();
    int rc = o ? milvus_write_options_set_partition(o, PARTITION) : MILVUS_ERR_NOMEM;
    milvus_result *res = NULL;
    if (!rc)
        rc = milvus_sync_delete(S, COLL, "id in [11]", o, &res);
    milvus_write_options_free(o);
    return check(rc, res, "DeletePartition");
}
static int op_flush(void)
{
    RUN("Flush", milvus_sync_flush(S, COLL, OUT));
}
static int op_flush_and_wait(void)
{
    RUN("FlushAndWait", milvus_sync_flush_and_wait(S, COLL, NULL, OUT));
}

/* A search leg / search: vector v on "vec", COSINE. */
static milvus_search_options *search_options(const float *v, int64_t limit, const char *filter)
{
    milvus_search_options *o = milvus_search_options_new();
    milvus_column *vec = NULL;
    int rc = o ? milvus_column_new_float_vector(&vec, "vec", DIM, v, 1) : MILVUS_ERR_NOMEM;
    if (!rc)
        rc = milvus_search_options_set_vectors(o, vec);
    if (!rc)
        rc = milvus_search_options_set_anns_field(o, "vec");
    if (!rc)
        rc = milvus_search_options_set_limit(o, limit);
    if (!rc && filter)
        rc = milvus_search_options_set_filter(o, filter);
    if (!rc)
        rc = milvus_search_options_set_metric(o, "COSINE");
    milvus_column_free(vec);
    if (rc) {
        milvus_search_options_free(o);
        return NULL;
    }
    return o;
}

static int op_search(void)
{
    milvus_search_options *o = search_options(query_vec, 3, "id > 0");
    int rc = o ? MILVUS_OK : MILVUS_ERR_NOMEM;
    if (!rc)
        rc = milvus_search_options_add_output_field(o, "title");
    if (!rc)
        rc = milvus_search_options_add_output_field(o, "score");
    if (!rc)
        rc = milvus_search_options_set_param(o, "ef", "64");
    milvus_result *res = NULL;
    if (!rc)
        rc = milvus_sync_search(S, COLL, o, &res);
    milvus_search_options_free(o);
    return check(rc, res, "Search");
}

static int op_hybrid_search(void)
{
    milvus_search_options *legs[2] = {search_options(query_vec, 5, "id > 0"),
                                      search_options(query_vec2, 5, NULL)};
    milvus_search_options *top = milvus_search_options_new();
    int rc = legs[0] && legs[1] && top ? MILVUS_OK : MILVUS_ERR_NOMEM;
    if (!rc)
        rc = milvus_search_options_set_limit(top, 3);
    if (!rc)
        rc = milvus_search_options_set_rrf(top, 60);
    if (!rc)
        rc = milvus_search_options_add_output_field(top, "title");
    milvus_result *res = NULL;
    if (!rc)
        rc = milvus_sync_hybrid_search(S, COLL, (const milvus_search_options *const *)legs, 2, top,
                                       &res);
    milvus_search_options_free(legs[0]);
    milvus_search_options_free(legs[1]);
    milvus_search_options_free(top);
    return check(rc, res, "HybridSearch");
}

static int op_search_advanced(void)
{
    milvus_search_options *o =
        search_options(query_vec, 2, "id > {min} and title != {t} and score > {s} and flag == {b}");
    int rc = o ? MILVUS_OK : MILVUS_ERR_NOMEM;
    if (!rc)
        rc = milvus_search_options_set_offset(o, 1);
    if (!rc)
        rc = milvus_search_options_add_partition(o, PARTITION);
    if (!rc)
        rc = milvus_search_options_set_template_int(o, "min", 0);
    if (!rc)
        rc = milvus_search_options_set_template_string(o, "t", "x");
    if (!rc)
        rc = milvus_search_options_set_template_double(o, "s", 0.25);
    if (!rc)
        rc = milvus_search_options_set_template_bool(o, "b", 1);
    if (!rc)
        rc = milvus_search_options_add_output_field(o, "meta");
    if (!rc)
        rc = milvus_search_options_set_consistency(o, MILVUS_CONSISTENCY_STRONG);
    if (!rc)
        rc = milvus_search_options_set_group_by(o, "title", 2, 1);
    if (!rc)
        rc = milvus_search_options_set_range(o, 0.1, 0.9);
    if (!rc)
        rc = milvus_search_options_set_param(o, "ef", "32");
    milvus_result *res = NULL;
    if (!rc)
        rc = milvus_sync_search(S, COLL, o, &res);
    milvus_search_options_free(o);
    return check(rc, res, "SearchAdvanced");
}

static int op_search_edge(void)
{
    milvus_search_options *o =
        search_options(query_vec, 16384,
                       "title == \"\xc3\xbc"
                       "n\xc3\xaf \\\"q\\\"\" or id in [-9223372036854775808]");
    int rc = o ? milvus_search_options_add_output_field(o, "*") : MILVUS_ERR_NOMEM;
    milvus_result *res = NULL;
    if (!rc)
        rc = milvus_sync_search(S, COLL, o, &res);
    milvus_search_options_free(o);
    return check(rc, res, "SearchEdge");
}

static int op_search_multi(void)
{
    float both[2 * DIM];
    memcpy(both, query_vec, sizeof query_vec);
    memcpy(both + DIM, query_vec2, sizeof query_vec2);
    milvus_search_options *o = milvus_search_options_new();
    milvus_column *vec = NULL;
    int rc = o ? milvus_column_new_float_vector(&vec, "vec", DIM, both, 2) : MILVUS_ERR_NOMEM;
    if (!rc)
        rc = milvus_search_options_set_vectors(o, vec);
    if (!rc)
        rc = milvus_search_options_set_anns_field(o, "vec");
    if (!rc)
        rc = milvus_search_options_set_limit(o, 1);
    if (!rc)
        rc = milvus_search_options_set_metric(o, "COSINE");
    milvus_result *res = NULL;
    if (!rc)
        rc = milvus_sync_search(S, COLL, o, &res);
    milvus_column_free(vec);
    milvus_search_options_free(o);
    return check(rc, res, "SearchMulti");
}

static int op_hybrid_weighted(void)
{
    static const double weights[2] = {0.7, 0.3};
    milvus_search_options *legs[2] = {search_options(query_vec, 4, NULL),
                                      search_options(query_vec2, 4, NULL)};
    milvus_search_options *top = milvus_search_options_new();
    int rc = legs[0] && legs[1] && top ? MILVUS_OK : MILVUS_ERR_NOMEM;
    if (!rc)
        rc = milvus_search_options_set_limit(top, 2);
    if (!rc)
        rc = milvus_search_options_set_offset(top, 1);
    if (!rc)
        rc = milvus_search_options_set_weighted(top, weights, 2);
    milvus_result *res = NULL;
    if (!rc)
        rc = milvus_sync_hybrid_search(S, COLL, (const milvus_search_options *const *)legs, 2, top,
                                       &res);
    milvus_search_options_free(legs[0]);
    milvus_search_options_free(legs[1]);
    milvus_search_options_free(top);
    return check(rc, res, "HybridWeighted");
}

static int op_query_advanced(void)
{
    milvus_query_options *o = milvus_query_options_new();
    int rc = o ? MILVUS_OK : MILVUS_ERR_NOMEM;
    if (!rc)
        rc = milvus_query_options_set_filter(o, "title == {t}");
    if (!rc)
        rc = milvus_query_options_set_template_string(o, "t", "alpha");
    if (!rc)
        rc = milvus_query_options_add_partition(o, PARTITION);
    if (!rc)
        rc = milvus_query_options_set_offset(o, 1);
    if (!rc)
        rc = milvus_query_options_set_limit(o, 2);
    if (!rc)
        rc = milvus_query_options_add_output_field(o, "id");
    if (!rc)
        rc = milvus_query_options_add_output_field(o, "meta");
    if (!rc)
        rc = milvus_query_options_add_output_field(o, "tags");
    if (!rc)
        rc = milvus_query_options_set_consistency(o, MILVUS_CONSISTENCY_EVENTUALLY);
    milvus_result *res = NULL;
    if (!rc)
        rc = milvus_sync_query(S, COLL, o, &res);
    milvus_query_options_free(o);
    return check(rc, res, "QueryAdvanced");
}

static int op_query(void)
{
    milvus_query_options *o = milvus_query_options_new();
    int rc = o ? MILVUS_OK : MILVUS_ERR_NOMEM;
    if (!rc)
        rc = milvus_query_options_set_filter(o, "id > 0");
    if (!rc)
        rc = milvus_query_options_add_output_field(o, "id");
    if (!rc)
        rc = milvus_query_options_add_output_field(o, "title");
    if (!rc)
        rc = milvus_query_options_set_limit(o, 10);
    if (!rc)
        rc = milvus_query_options_set_consistency(o, MILVUS_CONSISTENCY_STRONG);
    milvus_result *res = NULL;
    if (!rc)
        rc = milvus_sync_query(S, COLL, o, &res);
    milvus_query_options_free(o);
    return check(rc, res, "Query");
}

static int op_query_template(void)
{
    milvus_query_options *o = milvus_query_options_new();
    int rc = o ? MILVUS_OK : MILVUS_ERR_NOMEM;
    if (!rc)
        rc = milvus_query_options_set_filter(o, "id > {min}");
    if (!rc)
        rc = milvus_query_options_set_template_int(o, "min", 1);
    if (!rc)
        rc = milvus_query_options_add_output_field(o, "title");
    if (!rc)
        rc = milvus_query_options_set_limit(o, 5);
    milvus_result *res = NULL;
    if (!rc)
        rc = milvus_sync_query(S, COLL, o, &res);
    milvus_query_options_free(o);
    return check(rc, res, "QueryTemplate");
}

static int op_query_limit_only(void)
{
    milvus_query_options *o = milvus_query_options_new();
    int rc = o ? milvus_query_options_set_limit(o, 3) : MILVUS_ERR_NOMEM;
    if (!rc)
        rc = milvus_query_options_add_output_field(o, "title");
    milvus_result *res = NULL;
    if (!rc)
        rc = milvus_sync_query(S, COLL, o, &res);
    milvus_query_options_free(o);
    return check(rc, res, "QueryLimitOnly");
}

/* The iterators have no blocking form: run the handle's loop by hand. */
struct batch {
    int done, status;
    char message[256];
};
static void batch_cb(milvus_client *c, const milvus_result *res, void *ctx)
{
    struct batch *b = ctx;
    (void)c;
    b->done = 1;
    b->status = milvus_result_status(res);
    snprintf(b->message, sizeof b->message, "%s", milvus_result_message(res));
}

static int op_query_iterator(void)
{
    milvus_query_options *o = milvus_query_options_new();
    milvus_iterator *it = NULL;
    int rc = o ? milvus_query_options_set_filter(o, "id > 0") : MILVUS_ERR_NOMEM;
    if (!rc)
        rc = milvus_query_options_add_output_field(o, "title");
    if (!rc)
        rc = milvus_client_query_iterator(milvus_sync_client(S), COLL, o, 1, 2, &it);
    milvus_query_options_free(o);
    while (!rc && !milvus_iterator_done(it)) {
        struct batch b = {0};
        rc = milvus_iterator_next(it, batch_cb, &b);
        while (!rc && !b.done)
            if (event_base_loop(milvus_sync_base(S), EVLOOP_ONCE) < 0)
                rc = MILVUS_ERR_PROTOCOL;
        if (!rc && b.status != MILVUS_OK) {
            fprintf(stderr, "cclient: QueryIterator: %s\n", b.message);
            rc = b.status;
        }
    }
    milvus_iterator_free(it);
    return check(rc, NULL, "QueryIterator");
}

static int op_search_iterator(void)
{
    milvus_search_options *o = search_options(query_vec, 10, "id > 0");
    milvus_iterator *it = NULL;
    int rc = o ? milvus_search_options_add_output_field(o, "title") : MILVUS_ERR_NOMEM;
    if (!rc)
        rc = milvus_client_search_iterator(milvus_sync_client(S), COLL, o, 1, 2, &it);
    milvus_search_options_free(o);
    while (!rc && !milvus_iterator_done(it)) {
        struct batch b = {0};
        rc = milvus_iterator_next(it, batch_cb, &b);
        while (!rc && !b.done)
            if (event_base_loop(milvus_sync_base(S), EVLOOP_ONCE) < 0)
                rc = MILVUS_ERR_PROTOCOL;
        if (!rc && b.status != MILVUS_OK) {
            fprintf(stderr, "cclient: SearchIterator: %s\n", b.message);
            rc = b.status;
        }
    }
    milvus_iterator_free(it);
    return check(rc, NULL, "SearchIterator");
}

static int op_get(void)
{
    static const int64_t ids[2] = {1, 2};
    milvus_column *col = NULL;
    milvus_query_options *o = milvus_query_options_new();
    int rc = o ? milvus_column_new_int64(&col, "id", ids, 2) : MILVUS_ERR_NOMEM;
    if (!rc)
        rc = milvus_query_options_add_output_field(o, "title");
    milvus_result *res = NULL;
    if (!rc)
        rc = milvus_sync_get(S, COLL, col, o, &res);
    milvus_column_free(col);
    milvus_query_options_free(o);
    return check(rc, res, "Get");
}

static int op_count(void)
{
    RUN("Count", milvus_sync_count(S, COLL, "id > 0", OUT));
}

static int op_count_all(void)
{
    RUN("CountAll", milvus_sync_count(S, COLL, NULL, OUT));
}

static int op_compact(void)
{
    milvus_result *res = NULL;
    int rc = milvus_sync_compact(S, COLL, 0, &res);
    if (!rc)
        compaction_id = milvus_result_int64(res);
    return check(rc, res, "Compact");
}
static int op_get_compaction_state(void)
{
    RUN("GetCompactionState", milvus_sync_get_compaction_state(S, compaction_id, OUT));
}

static int op_create_alias(void)
{
    RUN("CreateAlias", milvus_sync_create_alias(S, COLL, ALIAS, OUT));
}
static int op_describe_alias(void)
{
    RUN("DescribeAlias", milvus_sync_describe_alias(S, ALIAS, OUT));
}
static int op_list_aliases(void)
{
    RUN("ListAliases", milvus_sync_list_aliases(S, COLL, OUT));
}
static int op_list_aliases_all(void)
{
    RUN("ListAliasesAll", milvus_sync_list_aliases(S, NULL, OUT));
}
static int op_alter_alias(void)
{
    RUN("AlterAlias", milvus_sync_alter_alias(S, COLL, ALIAS, OUT));
}
static int op_drop_alias(void)
{
    RUN("DropAlias", milvus_sync_drop_alias(S, ALIAS, OUT));
}

static int op_release_collection(void)
{
    RUN("ReleaseCollection", milvus_sync_release_collection(S, COLL, OUT));
}
static int op_drop_index(void)
{
    RUN("DropIndex", milvus_sync_drop_index(S, COLL, INDEX_NAME, OUT));
}
static int op_drop_partition(void)
{
    RUN("DropPartition", milvus_sync_drop_partition(S, COLL, PARTITION, OUT));
}
static int op_rename_collection(void)
{
    RUN("RenameCollection", milvus_sync_rename_collection(S, COLL, COLL_NEW, NULL, OUT));
}
static int op_drop_collection(void)
{
    RUN("DropCollection", milvus_sync_drop_collection(S, COLL_NEW, OUT));
}
/* golden_types: one field of each remaining type, a VarChar primary key. */
static const uint16_t f16_rows[8] = {0x3c00, 0x4000, 0xbc00, 0x0000,
                                     0x3800, 0x3400, 0x0001, 0x7bff};
static const uint16_t bf16_rows[8] = {0x3f80, 0x4000, 0xbf80, 0x0000,
                                      0x3f00, 0x3e80, 0x0001, 0x7f7f};
static const uint8_t bin_rows[4] = {0x01, 0x80, 0xff, 0x00};
static const int8_t i8v_rows[8] = {1, -1, 127, -128, 0, 2, -3, 4};
static const uint64_t sp_offsets[3] = {0, 2, 3};
static const uint32_t sp_indices[3] = {1, 7, 3};
static const float sp_values[3] = {0.5f, 0.25f, 1.0f};

static int op_create_types_collection(void)
{
    static const struct {
        const char *name;
        milvus_data_type type;
        int64_t dim;
    } F[] = {
        {"pk", MILVUS_TYPE_VARCHAR, 0},
        {"i8", MILVUS_TYPE_INT8, 0},
        {"i16", MILVUS_TYPE_INT16, 0},
        {"i32", MILVUS_TYPE_INT32, 0},
        {"f", MILVUS_TYPE_FLOAT, 0},
        {"b", MILVUS_TYPE_BOOL, 0},
        {"note", MILVUS_TYPE_VARCHAR, 0},
        {"tenant", MILVUS_TYPE_VARCHAR, 0},
        {"cl", MILVUS_TYPE_INT64, 0},
        {"arr", MILVUS_TYPE_ARRAY, 0},
        {"bin", MILVUS_TYPE_BINARY_VECTOR, 16},
        {"f16", MILVUS_TYPE_FLOAT16_VECTOR, 4},
        {"bf16", MILVUS_TYPE_BFLOAT16_VECTOR, 4},
        {"sp", MILVUS_TYPE_SPARSE_FLOAT_VECTOR, 0},
        {"i8v", MILVUS_TYPE_INT8_VECTOR, 4},
    };
    milvus_schema *schema = NULL;
    milvus_collection_options *o = milvus_collection_options_new();
    int rc = o ? milvus_schema_new(&schema, TYPES) : MILVUS_ERR_NOMEM;
    if (!rc)
        rc = milvus_schema_set_description(schema, "types");
    if (!rc)
        rc = milvus_collection_options_set_shards(o, 1);
    if (!rc)
        rc = milvus_collection_options_set_num_partitions(o, 8);
    for (size_t i = 0; !rc && i < sizeof F / sizeof F[0]; i++) {
        milvus_field *f = NULL;
        rc = milvus_field_new(&f, F[i].name, F[i].type);
        if (!rc && i == 0)
            rc = milvus_field_set_primary_key(f, 1);
        if (!rc && i == 0)
            rc = milvus_field_set_max_length(f, 32);
        if (!rc && F[i].type == MILVUS_TYPE_ARRAY)
            rc = milvus_field_set_element_type(f, MILVUS_TYPE_INT64);
        if (!rc && F[i].type == MILVUS_TYPE_ARRAY)
            rc = milvus_field_set_max_capacity(f, 3);
        if (!rc && F[i].dim)
            rc = milvus_field_set_dim(f, F[i].dim);
        if (!rc && strcmp(F[i].name, "i32") == 0)
            rc = milvus_field_set_default_int(f, 5);
        if (!rc && strcmp(F[i].name, "f") == 0)
            rc = milvus_field_set_default_float(f, 0.5f);
        if (!rc && strcmp(F[i].name, "b") == 0)
            rc = milvus_field_set_default_bool(f, 1);
        if (!rc && strcmp(F[i].name, "note") == 0) {
            rc = milvus_field_set_max_length(f, 16);
            if (!rc)
                rc = milvus_field_set_nullable(f, 1);
            if (!rc)
                rc = milvus_field_set_default_string(f, "n/a");
            if (!rc)
                rc = milvus_field_set_type_param(f, "enable_analyzer", "true");
            if (!rc)
                rc = milvus_field_set_type_param(f, "enable_match", "true");
        }
        if (!rc && strcmp(F[i].name, "tenant") == 0) {
            rc = milvus_field_set_max_length(f, 16);
            if (!rc)
                rc = milvus_field_set_partition_key(f, 1);
        }
        if (!rc && strcmp(F[i].name, "cl") == 0)
            rc = milvus_field_set_clustering_key(f, 1);
        if (!rc)
            rc = milvus_schema_add_field(schema, f);
        milvus_field_free(f);
    }
    milvus_result *res = NULL;
    if (!rc)
        rc = milvus_sync_create_collection(S, TYPES, schema, o, &res);
    milvus_schema_free(schema);
    milvus_collection_options_free(o);
    return check(rc, res, "CreateTypesCollection");
}

static int op_insert_types(void)
{
    static const char *const pks[2] = {"a", "b"};
    static const int8_t i8[2] = {1, -2};
    static const int16_t i16[2] = {300, -300};
    static const int32_t i32[2] = {70000, -70000};
    static const float fl[2] = {1.5f, -0.25f};
    static const uint8_t bo[2] = {1, 0};
    static const uint64_t arr_offsets[3] = {0, 2, 3};
    static const int64_t arr[3] = {1, 2, 3};
    static const char *const notes[1] = {"x"}; /* row 1 is NULL */
    static const uint8_t note_valid[2] = {1, 0};
    static const char *const tenants[2] = {"t1", "t2"};
    static const int64_t cls[2] = {10, 20};
    milvus_column *c[15] = {0};
    int rc = milvus_column_new_varchar(&c[0], "pk", pks, 2);
    if (!rc)
        rc = milvus_column_new_int8(&c[1], "i8", i8, 2);
    if (!rc)
        rc = milvus_column_new_int16(&c[2], "i16", i16, 2);
    if (!rc)
        rc = milvus_column_new_int32(&c[3], "i32", i32, 2);
    if (!rc)
        rc = milvus_column_new_float(&c[4], "f", fl, 2);
    if (!rc)
        rc = milvus_column_new_bool(&c[5], "b", bo, 2);
    if (!rc)
        rc = milvus_column_new_varchar(&c[6], "note", notes, 1);
    if (!rc)
        rc = milvus_column_set_valid(c[6], note_valid, 2);
    if (!rc)
        rc = milvus_column_new_varchar(&c[7], "tenant", tenants, 2);
    if (!rc)
        rc = milvus_column_new_int64(&c[8], "cl", cls, 2);
    if (!rc)
        rc = milvus_column_new_array(&c[9], "arr", MILVUS_TYPE_INT64, 2, arr_offsets, arr);
    if (!rc)
        rc = milvus_column_new_binary_vector(&c[10], "bin", 16, bin_rows, 2);
    if (!rc)
        rc = milvus_column_new_float16_vector(&c[11], "f16", 4, f16_rows, 2);
    if (!rc)
        rc = milvus_column_new_bfloat16_vector(&c[12], "bf16", 4, bf16_rows, 2);
    if (!rc)
        rc = milvus_column_new_sparse_vector(&c[13], "sp", 2, sp_offsets, sp_indices, sp_values);
    if (!rc)
        rc = milvus_column_new_int8_vector(&c[14], "i8v", 4, i8v_rows, 2);
    milvus_result *res = NULL;
    if (!rc)
        rc = milvus_sync_insert(S, TYPES, (const milvus_column *const *)c, 15, NULL, &res);
    free_columns(c, 15);
    return check(rc, res, "InsertTypes");
}

/* Searches TYPES on field with one query vector (column q) and metric. */
static int search_types(const char *what, milvus_column *q, const char *field, const char *metric)
{
    milvus_search_options *o = milvus_search_options_new();
    int rc = o && q ? milvus_search_options_set_vectors(o, q) : MILVUS_ERR_NOMEM;
    if (!rc)
        rc = milvus_search_options_set_anns_field(o, field);
    if (!rc)
        rc = milvus_search_options_set_limit(o, 2);
    if (!rc)
        rc = milvus_search_options_set_metric(o, metric);
    milvus_result *res = NULL;
    if (!rc)
        rc = milvus_sync_search(S, TYPES, o, &res);
    milvus_search_options_free(o);
    milvus_column_free(q);
    return check(rc, res, what);
}
static int op_search_binary(void)
{
    milvus_column *q = NULL;
    milvus_column_new_binary_vector(&q, "bin", 16, bin_rows, 1);
    return search_types("SearchBinary", q, "bin", "HAMMING");
}
static int op_search_sparse(void)
{
    milvus_column *q = NULL;
    milvus_column_new_sparse_vector(&q, "sp", 1, sp_offsets, sp_indices, sp_values);
    return search_types("SearchSparse", q, "sp", "IP");
}
static int op_search_float16(void)
{
    milvus_column *q = NULL;
    milvus_column_new_float16_vector(&q, "f16", 4, f16_rows, 1);
    return search_types("SearchFloat16", q, "f16", "L2");
}
static int op_search_int8(void)
{
    milvus_column *q = NULL;
    milvus_column_new_int8_vector(&q, "i8v", 4, i8v_rows, 1);
    return search_types("SearchInt8", q, "i8v", "L2");
}
static int op_get_varchar(void)
{
    static const char *const pks[2] = {"a", "b"};
    milvus_column *col = NULL;
    milvus_query_options *o = milvus_query_options_new();
    int rc = o ? milvus_column_new_varchar(&col, "pk", pks, 2) : MILVUS_ERR_NOMEM;
    if (!rc)
        rc = milvus_query_options_add_output_field(o, "i8");
    milvus_result *res = NULL;
    if (!rc)
        rc = milvus_sync_get(S, TYPES, col, o, &res);
    milvus_column_free(col);
    milvus_query_options_free(o);
    return check(rc, res, "GetVarchar");
}
static int op_delete_varchar(void)
{
    static const char *const pks[2] = {"a", "b"};
    milvus_column *col = NULL;
    milvus_result *res = NULL;
    int rc = milvus_column_new_varchar(&col, "pk", pks, 2);
    if (!rc)
        rc = milvus_sync_delete_ids(S, TYPES, col, NULL, &res);
    milvus_column_free(col);
    return check(rc, res, "DeleteVarchar");
}
static int op_drop_types_collection(void)
{
    RUN("DropTypesCollection", milvus_sync_drop_collection(S, TYPES, OUT));
}

static int op_create_collection_quick(void)
{
    RUN("CreateCollectionQuick",
        milvus_sync_create_collection_quick(S, QUICK, DIM, NULL, 1, NULL, OUT));
}
static int op_drop_collection_quick(void)
{
    RUN("DropCollectionQuick", milvus_sync_drop_collection(S, QUICK, OUT));
}
static int op_use_default_database(void)
{
    RUN("UseDefaultDatabase", milvus_sync_use_database(S, "default", OUT));
}
static int op_drop_database(void)
{
    RUN("DropDatabase", milvus_sync_drop_database(S, DB, OUT));
}

/* ---- the snapshot operations (script-snapshot.txt names; the same fixed
 * arguments are in pyclient.py: pymilvus is their oracle) ------------------------- */

#define SNAP "golden_snap"
#define SNAP_DB "golden_snap_db"
#define TARGET "golden_restored"
#define TARGET_DB "golden_db_restore"

static int64_t restore_job, pin_id;

/* Snapshot options: db and target_db (NULL: not set), ttl and protection
 * (0: not set), description (NULL: not set).  NULL when out of memory. */
static milvus_snapshot_options *snap_opts(const char *db, const char *target_db,
                                          const char *description, int64_t protection, int64_t ttl)
{
    milvus_snapshot_options *o = milvus_snapshot_options_new();
    int rc = o ? MILVUS_OK : MILVUS_ERR_NOMEM;
    if (!rc && db)
        rc = milvus_snapshot_options_set_database(o, db);
    if (!rc && target_db)
        rc = milvus_snapshot_options_set_target_database(o, target_db);
    if (!rc && description)
        rc = milvus_snapshot_options_set_description(o, description);
    if (!rc && protection)
        rc = milvus_snapshot_options_set_compaction_protection(o, protection);
    if (!rc && ttl)
        rc = milvus_snapshot_options_set_ttl(o, ttl);
    if (rc) {
        milvus_snapshot_options_free(o);
        return NULL;
    }
    return o;
}

/* Runs EXPR (which uses o_ and takes &res_ last) with the options ARGS and
 * frees them. */
#define RUN_OPTS(WHAT, ARGS, EXPR)                                                                 \
    do {                                                                                           \
        milvus_result *res_ = NULL;                                                                \
        milvus_snapshot_options *o_ = snap_opts ARGS;                                              \
        int rc_ = o_ ? (EXPR) : MILVUS_ERR_NOMEM;                                                  \
        milvus_snapshot_options_free(o_);                                                          \
        return check(rc_, res_, (WHAT));                                                           \
    } while (0)

static int op_snapshot_connect(void)
{
    RUN("SnapshotConnect", milvus_sync_connect(S, OUT));
}
static int op_create_snapshot(void)
{
    RUN_OPTS("CreateSnapshot", (NULL, NULL, "golden snapshot", 3600, 0),
             milvus_sync_create_snapshot(S, COLL, SNAP, o_, OUT));
}
static int op_create_snapshot_db(void)
{
    RUN_OPTS("CreateSnapshotDb", (DB, NULL, NULL, 0, 0),
             milvus_sync_create_snapshot(S, COLL, SNAP_DB, o_, OUT));
}
static int op_list_snapshots(void)
{
    RUN("ListSnapshots", milvus_sync_list_snapshots(S, COLL, NULL, OUT));
}
static int op_list_snapshots_all(void)
{
    RUN("ListSnapshotsAll", milvus_sync_list_snapshots(S, NULL, NULL, OUT));
}
static int op_list_snapshots_db(void)
{
    RUN_OPTS("ListSnapshotsDb", (DB, NULL, NULL, 0, 0),
             milvus_sync_list_snapshots(S, COLL, o_, OUT));
}
static int op_describe_snapshot(void)
{
    RUN("DescribeSnapshot", milvus_sync_describe_snapshot(S, COLL, SNAP, NULL, OUT));
}
static int op_describe_snapshot_db(void)
{
    RUN_OPTS("DescribeSnapshotDb", (DB, NULL, NULL, 0, 0),
             milvus_sync_describe_snapshot(S, COLL, SNAP_DB, o_, OUT));
}
static int op_restore_snapshot(void)
{
    milvus_result *res = NULL;
    int rc = milvus_sync_restore_snapshot(S, COLL, SNAP, TARGET, NULL, &res);
    if (!rc)
        restore_job = milvus_result_int64(res);
    return check(rc, res, "RestoreSnapshot");
}
static int op_restore_snapshot_cross_db(void)
{
    milvus_result *res = NULL;
    milvus_snapshot_options *o = snap_opts(DB, TARGET_DB, NULL, 0, 0);
    int rc = o ? milvus_sync_restore_snapshot(S, COLL, SNAP_DB, TARGET, o, &res) : MILVUS_ERR_NOMEM;
    milvus_snapshot_options_free(o);
    if (!rc)
        restore_job = milvus_result_int64(res);
    return check(rc, res, "RestoreSnapshotCrossDb");
}
static int op_get_restore_snapshot_state(void)
{
    milvus_result *res = NULL;
    int rc = milvus_sync_get_restore_snapshot_state(S, restore_job, &res);
    if (!rc && milvus_result_job_state(res, 0) != MILVUS_JOB_COMPLETED) {
        fprintf(stderr, "cclient: restore job %lld: state %s\n", (long long)restore_job,
                milvus_job_state_name(milvus_result_job_state(res, 0)));
        milvus_result_unref(res);
        return MILVUS_ERR_SERVER;
    }
    return check(rc, res, "GetRestoreSnapshotState");
}
static int op_list_restore_snapshot_jobs(void)
{
    RUN("ListRestoreSnapshotJobs", milvus_sync_list_restore_snapshot_jobs(S, TARGET, NULL, OUT));
}
static int op_list_restore_snapshot_jobs_all(void)
{
    RUN("ListRestoreSnapshotJobsAll", milvus_sync_list_restore_snapshot_jobs(S, NULL, NULL, OUT));
}
static int op_list_restore_snapshot_jobs_db(void)
{
    RUN_OPTS("ListRestoreSnapshotJobsDb", (TARGET_DB, NULL, NULL, 0, 0),
             milvus_sync_list_restore_snapshot_jobs(S, TARGET, o_, OUT));
}
static int op_pin_snapshot_data(void)
{
    milvus_result *res = NULL;
    milvus_snapshot_options *o = snap_opts(NULL, NULL, NULL, 0, 600);
    int rc = o ? milvus_sync_pin_snapshot_data(S, COLL, SNAP, o, &res) : MILVUS_ERR_NOMEM;
    milvus_snapshot_options_free(o);
    if (!rc)
        pin_id = milvus_result_int64(res);
    return check(rc, res, "PinSnapshotData");
}
static int op_pin_snapshot_data_default(void)
{
    milvus_result *res = NULL;
    milvus_snapshot_options *o = snap_opts(DB, NULL, NULL, 0, 0);
    int rc = o ? milvus_sync_pin_snapshot_data(S, COLL, SNAP_DB, o, &res) : MILVUS_ERR_NOMEM;
    milvus_snapshot_options_free(o);
    if (!rc)
        pin_id = milvus_result_int64(res);
    return check(rc, res, "PinSnapshotDataDefault");
}
static int op_unpin_snapshot_data(void)
{
    RUN("UnpinSnapshotData", milvus_sync_unpin_snapshot_data(S, pin_id, OUT));
}
static int op_drop_snapshot_db(void)
{
    RUN_OPTS("DropSnapshotDb", (DB, NULL, NULL, 0, 0),
             milvus_sync_drop_snapshot(S, COLL, SNAP_DB, o_, OUT));
}
static int op_drop_snapshot(void)
{
    RUN("DropSnapshot", milvus_sync_drop_snapshot(S, COLL, SNAP, NULL, OUT));
}

static const struct {
    const char *name;
    int (*run)(void);
} OPS[] = {
    {"Connect", op_connect},
    {"GetServerVersion", op_get_server_version},
    {"ListDatabases", op_list_databases},
    {"CreateDatabase", op_create_database},
    {"DescribeDatabase", op_describe_database},
    {"AlterDatabaseProperties", op_alter_database_properties},
    {"DropDatabaseProperties", op_drop_database_properties},
    {"UseDatabase", op_use_database},
    {"CreateCollection", op_create_collection},
    {"HasCollection", op_has_collection},
    {"DescribeCollection", op_describe_collection},
    {"ListCollections", op_list_collections},
    {"GetCollectionStats", op_get_collection_stats},
    {"AlterCollectionProperties", op_alter_collection_properties},
    {"DropCollectionProperties", op_drop_collection_properties},
    {"AlterCollectionFieldProperty", op_alter_collection_field_property},
    {"CreatePartition", op_create_partition},
    {"HasPartition", op_has_partition},
    {"ListPartitions", op_list_partitions},
    {"GetPartitionStats", op_get_partition_stats},
    {"CreateIndex", op_create_index},
    {"AwaitIndex", op_await_index},
    {"DescribeIndex", op_describe_index},
    {"ListIndexes", op_list_indexes},
    {"CreateScalarIndex", op_create_scalar_index},
    {"LoadCollection", op_load_collection},
    {"AwaitLoad", op_await_load},
    {"GetLoadState", op_get_load_state},
    {"LoadPartitions", op_load_partitions},
    {"AwaitLoadPartitions", op_await_load_partitions},
    {"ReleasePartitions", op_release_partitions},
    {"RefreshLoad", op_refresh_load},
    {"LoadReplicas", op_load_replicas},
    {"Insert", op_insert},
    {"InsertPartition", op_insert_partition},
    {"InsertDynamic", op_insert_dynamic},
    {"InsertZeroCopy", op_insert_zero_copy},
    {"InsertEdge", op_insert_edge},
    {"Upsert", op_upsert},
    {"UpsertPartial", op_upsert_partial},
    {"Delete", op_delete},
    {"DeleteIds", op_delete_ids},
    {"DeletePartition", op_delete_partition},
    {"Flush", op_flush},
    {"FlushAndWait", op_flush_and_wait},
    {"Search", op_search},
    {"SearchAdvanced", op_search_advanced},
    {"SearchEdge", op_search_edge},
    {"SearchMulti", op_search_multi},
    {"SearchIterator", op_search_iterator},
    {"HybridSearch", op_hybrid_search},
    {"HybridWeighted", op_hybrid_weighted},
    {"Query", op_query},
    {"QueryTemplate", op_query_template},
    {"QueryAdvanced", op_query_advanced},
    {"QueryLimitOnly", op_query_limit_only},
    {"QueryIterator", op_query_iterator},
    {"Get", op_get},
    {"Count", op_count},
    {"CountAll", op_count_all},
    {"Compact", op_compact},
    {"GetCompactionState", op_get_compaction_state},
    {"CreateAlias", op_create_alias},
    {"DescribeAlias", op_describe_alias},
    {"ListAliases", op_list_aliases},
    {"ListAliasesAll", op_list_aliases_all},
    {"AlterAlias", op_alter_alias},
    {"DropAlias", op_drop_alias},
    {"ReleaseCollection", op_release_collection},
    {"DropIndex", op_drop_index},
    {"DropPartition", op_drop_partition},
    {"RenameCollection", op_rename_collection},
    {"DropCollection", op_drop_collection},
    {"CreateTypesCollection", op_create_types_collection},
    {"InsertTypes", op_insert_types},
    {"SearchBinary", op_search_binary},
    {"SearchSparse", op_search_sparse},
    {"SearchFloat16", op_search_float16},
    {"SearchInt8", op_search_int8},
    {"GetVarchar", op_get_varchar},
    {"DeleteVarchar", op_delete_varchar},
    {"DropTypesCollection", op_drop_types_collection},
    {"CreateCollectionQuick", op_create_collection_quick},
    {"DropCollectionQuick", op_drop_collection_quick},
    {"UseDefaultDatabase", op_use_default_database},
    {"DropDatabase", op_drop_database},
    /* script-snapshot.txt */
    {"SnapshotConnect", op_snapshot_connect},
    {"CreateSnapshot", op_create_snapshot},
    {"CreateSnapshotDb", op_create_snapshot_db},
    {"ListSnapshots", op_list_snapshots},
    {"ListSnapshotsAll", op_list_snapshots_all},
    {"ListSnapshotsDb", op_list_snapshots_db},
    {"DescribeSnapshot", op_describe_snapshot},
    {"DescribeSnapshotDb", op_describe_snapshot_db},
    {"RestoreSnapshot", op_restore_snapshot},
    {"RestoreSnapshotCrossDb", op_restore_snapshot_cross_db},
    {"GetRestoreSnapshotState", op_get_restore_snapshot_state},
    {"ListRestoreSnapshotJobs", op_list_restore_snapshot_jobs},
    {"ListRestoreSnapshotJobsAll", op_list_restore_snapshot_jobs_all},
    {"ListRestoreSnapshotJobsDb", op_list_restore_snapshot_jobs_db},
    {"PinSnapshotData", op_pin_snapshot_data},
    {"PinSnapshotDataDefault", op_pin_snapshot_data_default},
    {"UnpinSnapshotData", op_unpin_snapshot_data},
    {"DropSnapshotDb", op_drop_snapshot_db},
    {"DropSnapshot", op_drop_snapshot},
};

/* ---- markers and main ------------------------------------------------------------ */

static int mark_connect(const char *host, int port)
{
    struct sockaddr_in sa;
    memset(&sa, 0, sizeof sa);
    sa.sin_family = AF_INET;
    sa.sin_port = htons((uint16_t)port);
    if (inet_pton(AF_INET, host, &sa.sin_addr) != 1)
        return -1;
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0)
        return -1;
    if (connect(fd, (struct sockaddr *)&sa, sizeof sa) != 0) {
        close(fd);
        return -1;
    }
    return fd;
}

/* Sends "OP name" and waits for the "OK" line. */
static int mark(int fd, const char *name)
{
    char line[512];
    int n = snprintf(line, sizeof line, "OP %s\n", name);
    if (n < 0 || (size_t)n >= sizeof line || write(fd, line, (size_t)n) != n)
        return -1;
    size_t got = 0;
    while (got < sizeof line - 1) {
        ssize_t r = read(fd, line + got, 1);
        if (r <= 0)
            return -1;
        if (line[got] == '\n')
            break;
        got++;
    }
    line[got] = '\0';
    return strcmp(line, "OK") == 0 ? 0 : -1;
}

int main(int argc, char **argv)
{
    /* cclient HOST PORT MARK_PORT SCRIPT, or HOST PORT MARK_PORT --script SCRIPT */
    if (argc == 6 && strcmp(argv[4], "--script") == 0) {
        argv[4] = argv[5];
        argc = 5;
    }
    if (argc != 5) {
        fprintf(stderr, "usage: cclient HOST PORT MARK_PORT [--script] SCRIPT\n");
        return 2;
    }
    FILE *script = fopen(argv[4], "r");
    if (!script) {
        perror(argv[4]);
        return 2;
    }
    int fd = mark_connect(argv[1], atoi(argv[3]));
    if (fd < 0) {
        fprintf(stderr, "cclient: cannot reach the marker port %s:%s\n", argv[1], argv[3]);
        return 2;
    }
    milvus_options *opts = milvus_options_new();
    int rc = opts ? milvus_options_set_address(opts, argv[1], atoi(argv[2])) : MILVUS_ERR_NOMEM;
    if (!rc)
        rc = milvus_options_set_user_password(opts, "root", "Milvus");
    if (!rc)
        rc = milvus_sync_new(&S, opts);
    milvus_options_free(opts);
    if (rc) {
        fprintf(stderr, "cclient: setup: %s\n", milvus_strerror(rc));
        return 2;
    }

    int failed = 0;
    char line[256];
    while (fgets(line, sizeof line, script)) {
        char *hash = strchr(line, '#');
        if (hash)
            *hash = '\0';
        char *name = line, *end;
        while (*name == ' ' || *name == '\t')
            name++;
        end = name + strlen(name);
        while (end > name &&
               (end[-1] == '\n' || end[-1] == '\r' || end[-1] == ' ' || end[-1] == '\t'))
            *--end = '\0';
        if (!*name)
            continue;
        size_t i;
        for (i = 0; i < sizeof OPS / sizeof OPS[0]; i++)
            if (strcmp(OPS[i].name, name) == 0)
                break;
        if (i == sizeof OPS / sizeof OPS[0]) {
            fprintf(stderr, "cclient: unknown operation \"%s\" in %s\n", name, argv[4]);
            return 2;
        }
        if (mark(fd, name) != 0) {
            fprintf(stderr, "cclient: marker %s not acknowledged\n", name);
            return 2;
        }
        if (OPS[i].run() != MILVUS_OK)
            failed++;
    }
    fclose(script);
    close(fd);
    milvus_sync_free(S);
    return failed ? 1 : 0;
}
