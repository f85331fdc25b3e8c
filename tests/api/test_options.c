/* SPDX-License-Identifier: Apache-2.0 */
/* Values a setter refuses: every refusing setter of every option and
 * builder object returns MILVUS_ERR_INVALID_ARGUMENT with a message naming
 * the setter, the value and what it accepts; the object keeps its previous
 * value and is invalid, so that the operation taking it fails at
 * submission with that message (nothing queued, no callback) instead of
 * running with a default the caller did not mean; the same setter taking
 * a good value afterwards clears it.  No server is needed: the client's
 * address refuses connections, and submission-time checks come first. */
#include <criterion/criterion.h>
#include <event2/event.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include <milvus/milvus.h>
#include <milvus/snapshot.h>
#include <milvus/sync.h>

#include "api/api.h"
#include "common/options_internal.h"

enum kind {
    K_OPTIONS,
    K_COLLECTION,
    K_AWAIT,
    K_INDEX,
    K_LOAD,
    K_WRITE,
    K_SEARCH,
    K_QUERY,
    K_SNAPSHOT,
    K_JOB_AWAIT,
    K_FIELD,
    K_SCHEMA,
};

/* Everything one case needs, made fresh for each case. */
typedef struct env {
    struct event_base *base;
    milvus_options *copts; /* the test client's: valid, never connects */
    milvus_client *c;
    milvus_sync *s;
    int calls; /* callbacks run */

    milvus_options *opt;
    milvus_collection_options *coll;
    milvus_await_options *aw;
    milvus_index_options *idx;
    milvus_load_options *load;
    milvus_write_options *wr;
    milvus_search_options *srch;
    milvus_query_options *qry;
    milvus_snapshot_options *snap;
    milvus_await_options *job;
    /* fields, by name; none of them is in sch before the case runs */
    milvus_field *vec, *bin, *small, *name, *tags, *id, *flag, *extra, *dup, *pk2, *nodim;
    milvus_schema *sch;  /* K_FIELD adds to it, K_SCHEMA is about it */
    milvus_schema *good; /* a valid schema for create_collection */
    milvus_column *qv, *ints;
} env;

static void count_cb(milvus_client *c, const milvus_result *r, void *ctx)
{
    (void)c;
    (void)r;
    ++*(int *)ctx;
}

static milvus_field *field(const char *name, milvus_data_type t)
{
    milvus_field *f;
    cr_assert_eq(milvus_field_new(&f, name, t), MILVUS_OK);
    return f;
}

static void env_init(env *e)
{
    static const float fv[2] = {0.5f, 0.25f};
    static const int64_t iv[2] = {1, 2};
    milvus_field *pk, *emb;
    memset(e, 0, sizeof(*e));
    cr_assert_not_null(e->base = event_base_new());
    cr_assert_not_null(e->copts = milvus_options_new());
    cr_assert_eq(milvus_options_set_uri(e->copts, "http://127.0.0.1:1"), MILVUS_OK);
    cr_assert_eq(milvus_client_new(&e->c, e->base, e->copts), MILVUS_OK);
    cr_assert_eq(milvus_sync_new(&e->s, e->copts), MILVUS_OK);

    cr_assert_not_null(e->opt = milvus_options_new());
    cr_assert_eq(milvus_options_set_uri(e->opt, "http://127.0.0.1:1/db1"), MILVUS_OK);
    cr_assert_not_null(e->coll = milvus_collection_options_new());
    cr_assert_not_null(e->aw = milvus_await_options_new());
    cr_assert_not_null(e->idx = milvus_index_options_new());
    cr_assert_not_null(e->load = milvus_load_options_new());
    cr_assert_not_null(e->wr = milvus_write_options_new());
    cr_assert_not_null(e->srch = milvus_search_options_new());
    cr_assert_not_null(e->qry = milvus_query_options_new());
    cr_assert_not_null(e->snap = milvus_snapshot_options_new());
    cr_assert_not_null(e->job = milvus_await_options_new());
    cr_assert_eq(milvus_column_new_float_vector(&e->qv, "vec", 2, fv, 1), MILVUS_OK);
    cr_assert_eq(milvus_column_new_int64(&e->ints, "id", iv, 2), MILVUS_OK);
    cr_assert_eq(milvus_search_options_set_vectors(e->srch, e->qv), MILVUS_OK);
    cr_assert_eq(milvus_query_options_set_filter(e->qry, "id > 0"), MILVUS_OK);

    /* fields in a state the schema takes */
    e->vec = field("vec", MILVUS_TYPE_FLOAT_VECTOR);
    cr_assert_eq(milvus_field_set_dim(e->vec, 2), MILVUS_OK);
    e->bin = field("bin", MILVUS_TYPE_BINARY_VECTOR);
    cr_assert_eq(milvus_field_set_dim(e->bin, 16), MILVUS_OK);
    e->small = field("small", MILVUS_TYPE_INT8);
    e->name = field("name", MILVUS_TYPE_VARCHAR);
    cr_assert_eq(milvus_field_set_max_length(e->name, 64), MILVUS_OK);
    e->tags = field("tags", MILVUS_TYPE_ARRAY);
    cr_assert_eq(milvus_field_set_element_type(e->tags, MILVUS_TYPE_INT64), MILVUS_OK);
    cr_assert_eq(milvus_field_set_max_capacity(e->tags, 8), MILVUS_OK);
    e->id = field("id", MILVUS_TYPE_INT64);
    e->flag = field("flag", MILVUS_TYPE_BOOL);
    e->extra = field("extra", MILVUS_TYPE_INT32);
    e->dup = field("pk", MILVUS_TYPE_INT32);
    e->pk2 = field("pk2", MILVUS_TYPE_INT64);
    cr_assert_eq(milvus_field_set_primary_key(e->pk2, 1), MILVUS_OK);
    e->nodim = field("nodim", MILVUS_TYPE_FLOAT_VECTOR);

    pk = field("pk", MILVUS_TYPE_INT64);
    cr_assert_eq(milvus_field_set_primary_key(pk, 1), MILVUS_OK);
    emb = field("embedding", MILVUS_TYPE_FLOAT_VECTOR);
    cr_assert_eq(milvus_field_set_dim(emb, 2), MILVUS_OK);
    cr_assert_eq(milvus_schema_new(&e->sch, NULL), MILVUS_OK);
    cr_assert_eq(milvus_schema_new(&e->good, NULL), MILVUS_OK);
    cr_assert_eq(milvus_schema_add_field(e->sch, pk), MILVUS_OK);
    cr_assert_eq(milvus_schema_add_field(e->sch, emb), MILVUS_OK);
    cr_assert_eq(milvus_schema_add_field(e->good, pk), MILVUS_OK);
    cr_assert_eq(milvus_schema_add_field(e->good, emb), MILVUS_OK);
    milvus_field_free(pk);
    milvus_field_free(emb);
}

static void env_free(env *e)
{
    milvus_field *fs[] = {e->vec,  e->bin,   e->small, e->name, e->tags, e->id,
                          e->flag, e->extra, e->dup,   e->pk2,  e->nodim};
    milvus_sync_free(e->s);
    milvus_client_free(e->c); /* the accepted submissions end here, cancelled */
    milvus_options_free(e->copts);
    milvus_options_free(e->opt);
    milvus_collection_options_free(e->coll);
    milvus_await_options_free(e->aw);
    milvus_index_options_free(e->idx);
    milvus_load_options_free(e->load);
    milvus_write_options_free(e->wr);
    milvus_search_options_free(e->srch);
    milvus_query_options_free(e->qry);
    milvus_snapshot_options_free(e->snap);
    milvus_await_options_free(e->job);
    for (size_t i = 0; i < sizeof(fs) / sizeof(fs[0]); i++)
        milvus_field_free(fs[i]);
    milvus_schema_free(e->sch);
    milvus_schema_free(e->good);
    milvus_column_free(e->qv);
    milvus_column_free(e->ints);
    event_base_free(e->base);
}

static milvus_field *field_named(env *e, const char *name)
{
    milvus_field *fs[] = {e->vec,  e->bin,   e->small, e->name, e->tags, e->id,
                          e->flag, e->extra, e->dup,   e->pk2,  e->nodim};
    for (size_t i = 0; i < sizeof(fs) / sizeof(fs[0]); i++)
        if (strcmp(milvus_field_name(fs[i]), name) == 0)
            return fs[i];
    cr_assert_fail("no field %s", name);
    return NULL;
}

/* ---- the table -------------------------------------------------------------- */

typedef struct rcase {
    const char *id;
    int kind;
    const char *field; /* K_FIELD: the field the setter is called on */
    int (*bad)(env *e);
    int (*good)(env *e);
    const char *setter, *value, *range; /* expected in the message */
} rcase;

static const double inf_weights[2] = {1.0, INFINITY};
/* The setter can accept no value for this object (a setter that does not
 * apply to the field's type): the object stays invalid for good. */
#define NO_GOOD (-999)
static char long_name[301];

/* X(id, kind, field, refused call, accepted call of the same setter,
 *   setter, value as the message shows it, range as the message shows it) */
#define CASES(X)                                                                                   \
    /* ---- milvus_options ---- */                                                                 \
    X(uri_null, K_OPTIONS, NULL, milvus_options_set_uri(e->opt, NULL),                             \
      milvus_options_set_uri(e->opt, "h:1"), "milvus_options_set_uri", "uri is NULL", "https://")  \
    X(uri_scheme, K_OPTIONS, NULL, milvus_options_set_uri(e->opt, "htp://h"),                      \
      milvus_options_set_uri(e->opt, "h:1"), "milvus_options_set_uri", "uri \"htp://h\"",          \
      "accepted: http://, https://, tcp:// or none")                                               \
    X(uri_port, K_OPTIONS, NULL, milvus_options_set_uri(e->opt, "h:99999"),                        \
      milvus_options_set_uri(e->opt, "h:1"), "milvus_options_set_uri", "uri \"h:99999\"",          \
      "1..65535")                                                                                  \
    X(uri_host, K_OPTIONS, NULL, milvus_options_set_uri(e->opt, "a b:1"),                          \
      milvus_options_set_uri(e->opt, "h:1"), "milvus_options_set_uri", "uri \"a b:1\"",            \
      "invalid host (printable ASCII without spaces")                                              \
    X(uri_path, K_OPTIONS, NULL, milvus_options_set_uri(e->opt, "http://h/a/b"),                   \
      milvus_options_set_uri(e->opt, "h:1"), "milvus_options_set_uri", "uri \"http://h/a/b\"",     \
      "one path segment")                                                                          \
    X(uri_v6, K_OPTIONS, NULL, milvus_options_set_uri(e->opt, "[::1"),                             \
      milvus_options_set_uri(e->opt, "[::1]:5"), "milvus_options_set_uri", "uri \"[::1\"",         \
      "closing ']'")                                                                               \
    X(address_port, K_OPTIONS, NULL, milvus_options_set_address(e->opt, "h", 0),                   \
      milvus_options_set_address(e->opt, "h", 7), "milvus_options_set_address", "port 0",          \
      "(1..65535)")                                                                                \
    X(address_host, K_OPTIONS, NULL, milvus_options_set_address(e->opt, "a/b", 1),                 \
      milvus_options_set_address(e->opt, "h", 7), "milvus_options_set_address", "host \"a/b\"",    \
      "printable ASCII without spaces or /@?#[]")                                                  \
    X(address_null, K_OPTIONS, NULL, milvus_options_set_address(e->opt, NULL, 1),                  \
      milvus_options_set_address(e->opt, "h", 7), "milvus_options_set_address", "host is NULL",    \
      "a host name or an IP address")                                                              \
    X(client_cert, K_OPTIONS, NULL, milvus_options_set_client_cert(e->opt, "a.pem", NULL),         \
      milvus_options_set_client_cert(e->opt, NULL, NULL), "milvus_options_set_client_cert",        \
      "cert_path \"a.pem\" with key_path NULL", "give both, or NULL for both")                     \
    X(server_name, K_OPTIONS, NULL, milvus_options_set_server_name(e->opt, "a b"),                 \
      milvus_options_set_server_name(e->opt, "ok.example"), "milvus_options_set_server_name",      \
      "name \"a b\"", "not a valid host name")                                                     \
    X(user_half, K_OPTIONS, NULL, milvus_options_set_user_password(e->opt, "u", NULL),             \
      milvus_options_set_user_password(e->opt, "u", "p"), "milvus_options_set_user_password",      \
      "user \"u\" with a NULL password", "give both, or NULL for both")                            \
    X(user_colon, K_OPTIONS, NULL, milvus_options_set_user_password(e->opt, "a:b", "secret"),      \
      milvus_options_set_user_password(e->opt, "u", "p"), "milvus_options_set_user_password",      \
      "user \"a:b\"", "contains ':'")                                                              \
    X(database, K_OPTIONS, NULL, milvus_options_set_database(e->opt, "d\x01"),                     \
      milvus_options_set_database(e->opt, "d2"), "milvus_options_set_database",                    \
      "database \"d\\x01\"", "printable ASCII (bytes 0x20..0x7e")                                  \
    X(metadata_key, K_OPTIONS, NULL, milvus_options_add_metadata(e->opt, "Bad-Key", "v", 1),       \
      milvus_options_add_metadata(e->opt, "good-key", "v", 1), "milvus_options_add_metadata",      \
      "key \"Bad-Key\"", "lowercase [0-9a-z_.-]")                                                  \
    X(metadata_value, K_OPTIONS, NULL, milvus_options_add_metadata(e->opt, "x-k", "\n", 1),        \
      milvus_options_add_metadata(e->opt, "x-k", "v", 1), "milvus_options_add_metadata",           \
      "value of \"x-k\" has byte 0x0a at offset 0", "printable ASCII, 0x20..0x7e")                 \
    X(metadata_null, K_OPTIONS, NULL, milvus_options_add_metadata(e->opt, "x-k", NULL, 3),         \
      milvus_options_add_metadata(e->opt, "x-k", NULL, 0), "milvus_options_add_metadata",          \
      "value of \"x-k\" is NULL with length 3", "with length")                                     \
    X(user_agent_empty, K_OPTIONS, NULL, milvus_options_set_user_agent(e->opt, ""),                \
      milvus_options_set_user_agent(e->opt, "app/1"), "milvus_options_set_user_agent",             \
      "user agent \"\" is empty", "non-empty printable ASCII")                                     \
    X(user_agent_tab, K_OPTIONS, NULL, milvus_options_set_user_agent(e->opt, "a\tb"),              \
      milvus_options_set_user_agent(e->opt, NULL), "milvus_options_set_user_agent",                \
      "user agent \"a\\tb\"", "non-empty printable ASCII")                                         \
    X(connect_timeout, K_OPTIONS, NULL, milvus_options_set_connect_timeout_ms(e->opt, 0),          \
      milvus_options_set_connect_timeout_ms(e->opt, 500), "milvus_options_set_connect_timeout_ms", \
      "connect timeout 0 ms", "(1..2147483647)")                                                   \
    X(call_timeout, K_OPTIONS, NULL, milvus_options_set_call_timeout_ms(e->opt, -1),               \
      milvus_options_set_call_timeout_ms(e->opt, 500), "milvus_options_set_call_timeout_ms",       \
      "call timeout -1 ms", "(0 = none, 1..3153600000000)")                                        \
    X(pool_size_high, K_OPTIONS, NULL, milvus_options_set_pool_size(e->opt, 65),                   \
      milvus_options_set_pool_size(e->opt, 4), "milvus_options_set_pool_size", "pool size 65",     \
      "(1..64)")                                                                                   \
    X(pool_size_zero, K_OPTIONS, NULL, milvus_options_set_pool_size(e->opt, 0),                    \
      milvus_options_set_pool_size(e->opt, 4), "milvus_options_set_pool_size", "pool size 0",      \
      "(1..64)")                                                                                   \
    X(max_send, K_OPTIONS, NULL, milvus_options_set_max_send_size(e->opt, 0),                      \
      milvus_options_set_max_send_size(e->opt, 1024), "milvus_options_set_max_send_size",          \
      "max send size 0 bytes", "(1..4294967295)")                                                  \
    X(max_recv, K_OPTIONS, NULL, milvus_options_set_max_recv_size(e->opt, 0),                      \
      milvus_options_set_max_recv_size(e->opt, 1024), "milvus_options_set_max_recv_size",          \
      "max receive size 0 bytes", "at least 1")                                                    \
    X(keepalive_interval, K_OPTIONS, NULL, milvus_options_set_keepalive_ms(e->opt, -1, 20000),     \
      milvus_options_set_keepalive_ms(e->opt, 0, 20000), "milvus_options_set_keepalive_ms",        \
      "interval -1 ms", "(0 = off, 1..2147483647")                                                 \
    X(keepalive_timeout, K_OPTIONS, NULL, milvus_options_set_keepalive_ms(e->opt, 10000, 0),       \
      milvus_options_set_keepalive_ms(e->opt, 0, 20000), "milvus_options_set_keepalive_ms",        \
      "timeout 0 ms", "(1..2147483647)")                                                           \
    X(max_pending, K_OPTIONS, NULL, milvus_options_set_max_pending(e->opt, 0),                     \
      milvus_options_set_max_pending(e->opt, 10), "milvus_options_set_max_pending",                \
      "max pending 0", "at least 1")                                                               \
    X(retry_attempts, K_OPTIONS, NULL, milvus_options_set_retry(e->opt, 0, 100, 3000, 2),          \
      milvus_options_set_retry(e->opt, 1, 100, 3000, 2), "milvus_options_set_retry",               \
      "max_attempts 0", "(1..100)")                                                                \
    X(retry_max, K_OPTIONS, NULL, milvus_options_set_retry(e->opt, 3, 10, 5, 2),                   \
      milvus_options_set_retry(e->opt, 1, 100, 3000, 2), "milvus_options_set_retry", "max_ms 5",   \
      "(initial_ms 10..2147483647)")                                                               \
    X(retry_initial, K_OPTIONS, NULL, milvus_options_set_retry(e->opt, 3, -1, 5, 2),               \
      milvus_options_set_retry(e->opt, 1, 100, 3000, 2), "milvus_options_set_retry",               \
      "initial_ms -1", "(0..2147483647)")                                                          \
    X(retry_multiplier, K_OPTIONS, NULL, milvus_options_set_retry(e->opt, 3, 10, 50, 0.5),         \
      milvus_options_set_retry(e->opt, 1, 100, 3000, 2), "milvus_options_set_retry",               \
      "multiplier 0.5", "(1..100)")                                                                \
    X(rate_limit_attempts, K_OPTIONS, NULL,                                                        \
      milvus_options_set_rate_limit_retry(e->opt, 0, 10, 3000, 3),                                 \
      milvus_options_set_rate_limit_retry(e->opt, 1, 10, 3000, 3),                                 \
      "milvus_options_set_rate_limit_retry", "max_attempts 0", "(1..1000)")                        \
    X(rate_limit_max, K_OPTIONS, NULL, milvus_options_set_rate_limit_retry(e->opt, 3, 10, 5, 2),   \
      milvus_options_set_rate_limit_retry(e->opt, 3, 10, 50, 2),                                   \
      "milvus_options_set_rate_limit_retry", "max_ms 5", "(initial_ms 10..2147483647)")            \
    X(rate_limit_multiplier, K_OPTIONS, NULL,                                                      \
      milvus_options_set_rate_limit_retry(e->opt, 3, 10, 50, NAN),                                 \
      milvus_options_set_rate_limit_retry(e->opt, 3, 10, 50, 2),                                   \
      "milvus_options_set_rate_limit_retry", "multiplier nan", "(1..100)")                         \
    X(wait_for_ready, K_OPTIONS, NULL, milvus_options_set_wait_for_ready(e->opt, 2),               \
      milvus_options_set_wait_for_ready(e->opt, 1), "milvus_options_set_wait_for_ready", "wait 2", \
      "(0 or 1)")                                                                                  \
    X(reconnect_max, K_OPTIONS, NULL, milvus_options_set_reconnect_backoff(e->opt, 10, 5, 1.6),    \
      milvus_options_set_reconnect_backoff(e->opt, 10, 50, 1.6),                                   \
      "milvus_options_set_reconnect_backoff", "max_ms 5", "(initial_ms 10..2147483647)")           \
    X(reconnect_multiplier, K_OPTIONS, NULL,                                                       \
      milvus_options_set_reconnect_backoff(e->opt, 10, 50, 200),                                   \
      milvus_options_set_reconnect_backoff(e->opt, 10, 50, 1.6),                                   \
      "milvus_options_set_reconnect_backoff", "multiplier 200", "(1..100)")                        \
    X(log_level, K_OPTIONS, NULL, milvus_options_set_log(e->opt, (milvus_log_level)7, NULL, NULL), \
      milvus_options_set_log(e->opt, MILVUS_LOG_ERROR, NULL, NULL), "milvus_options_set_log",      \
      "max_level 7", "(0 MILVUS_LOG_ERROR..3 MILVUS_LOG_DEBUG)")                                   \
    /* ---- collection options ---- */                                                             \
    X(shards_zero, K_COLLECTION, NULL, milvus_collection_options_set_shards(e->coll, 0),           \
      milvus_collection_options_set_shards(e->coll, 2), "milvus_collection_options_set_shards",    \
      "shards 0", "(1..64)")                                                                       \
    X(shards_high, K_COLLECTION, NULL, milvus_collection_options_set_shards(e->coll, 65),          \
      milvus_collection_options_set_shards(e->coll, 2), "milvus_collection_options_set_shards",    \
      "shards 65", "(1..64)")                                                                      \
    X(collection_consistency, K_COLLECTION, NULL,                                                  \
      milvus_collection_options_set_consistency(e->coll, (milvus_consistency)7),                   \
      milvus_collection_options_set_consistency(e->coll, MILVUS_CONSISTENCY_STRONG),               \
      "milvus_collection_options_set_consistency", "consistency level 7",                          \
      "(0 STRONG, 1 SESSION, 2 BOUNDED, 3 EVENTUALLY)")                                            \
    X(num_partitions, K_COLLECTION, NULL,                                                          \
      milvus_collection_options_set_num_partitions(e->coll, 5000),                                 \
      milvus_collection_options_set_num_partitions(e->coll, 16),                                   \
      "milvus_collection_options_set_num_partitions", "num_partitions 5000",                       \
      "(0 = server default, 1..4096)")                                                             \
    X(property_key, K_COLLECTION, NULL, milvus_collection_options_set_property(e->coll, "", "v"),  \
      milvus_collection_options_set_property(e->coll, "k", "v"),                                   \
      "milvus_collection_options_set_property", "property key \"\" is empty", "a non-empty key")   \
    X(property_value, K_COLLECTION, NULL,                                                          \
      milvus_collection_options_set_property(e->coll, "k", NULL),                                  \
      milvus_collection_options_set_property(e->coll, "k", "v"),                                   \
      "milvus_collection_options_set_property", "value of property \"k\" is NULL",                 \
      "a string is needed")                                                                        \
    /* ---- await options ---- */                                                                  \
    X(await_timeout, K_AWAIT, NULL, milvus_await_options_set_timeout_ms(e->aw, -1),                \
      milvus_await_options_set_timeout_ms(e->aw, 100), "milvus_await_options_set_timeout_ms",      \
      "timeout -1 ms", "(0 = none, or more)")                                                      \
    X(await_initial, K_AWAIT, NULL, milvus_await_options_set_interval(e->aw, 0, 10, 2),            \
      milvus_await_options_set_interval(e->aw, 5, 10, 2), "milvus_await_options_set_interval",     \
      "initial_ms 0", "(at least 1)")                                                              \
    X(await_max, K_AWAIT, NULL, milvus_await_options_set_interval(e->aw, 100, 50, 2),              \
      milvus_await_options_set_interval(e->aw, 5, 10, 2), "milvus_await_options_set_interval",     \
      "max_ms 50", "(at least initial_ms, 100)")                                                   \
    /* ---- index options ---- */                                                                  \
    X(index_name_empty, K_INDEX, NULL, milvus_index_options_set_name(e->idx, ""),                  \
      milvus_index_options_set_name(e->idx, "i1"), "milvus_index_options_set_name",                \
      "index name \"\" is empty", "(names are 1..255 bytes of UTF-8)")                             \
    X(index_name_long, K_INDEX, NULL, milvus_index_options_set_name(e->idx, long_name),            \
      milvus_index_options_set_name(e->idx, "i1"), "milvus_index_options_set_name",                \
      "index name \"aaaa", "... (300 bytes) is too long (names are 1..255 bytes of UTF-8)")        \
    X(index_name_utf8, K_INDEX, NULL, milvus_index_options_set_name(e->idx, "bad\xff"),            \
      milvus_index_options_set_name(e->idx, "i1"), "milvus_index_options_set_name",                \
      "index name \"bad\\xff\"", "is not valid UTF-8")                                             \
    X(index_type, K_INDEX, NULL, milvus_index_options_set_type(e->idx, NULL),                      \
      milvus_index_options_set_type(e->idx, "HNSW"), "milvus_index_options_set_type",              \
      "type is NULL", "a name such as \"HNSW\"")                                                   \
    X(index_metric, K_INDEX, NULL, milvus_index_options_set_metric(e->idx, NULL),                  \
      milvus_index_options_set_metric(e->idx, "L2"), "milvus_index_options_set_metric",            \
      "metric is NULL", "a name such as \"L2\"")                                                   \
    X(index_param_key, K_INDEX, NULL, milvus_index_options_set_param(e->idx, "", "16"),            \
      milvus_index_options_set_param(e->idx, "M", "16"), "milvus_index_options_set_param",         \
      "parameter key \"\" is empty", "a non-empty key")                                            \
    X(index_param_value, K_INDEX, NULL, milvus_index_options_set_param(e->idx, "M", NULL),         \
      milvus_index_options_set_param(e->idx, "M", "16"), "milvus_index_options_set_param",         \
      "value of parameter \"M\" is NULL", "a string is needed")                                    \
    /* ---- load options ---- */                                                                   \
    X(replicas, K_LOAD, NULL, milvus_load_options_set_replicas(e->load, 0),                        \
      milvus_load_options_set_replicas(e->load, 2), "milvus_load_options_set_replicas",            \
      "replicas 0", "(1..2147483647)")                                                             \
    X(load_partition, K_LOAD, NULL, milvus_load_options_add_partition(e->load, ""),                \
      milvus_load_options_add_partition(e->load, "p1"), "milvus_load_options_add_partition",       \
      "partition name \"\" is empty", "(names are 1..255 bytes of UTF-8)")                         \
    /* ---- write options ---- */                                                                  \
    X(write_partition, K_WRITE, NULL, milvus_write_options_set_partition(e->wr, NULL),             \
      milvus_write_options_set_partition(e->wr, "p1"), "milvus_write_options_set_partition",       \
      "partition name is NULL", "(names are 1..255 bytes of UTF-8)")                               \
    /* ---- search options ---- */                                                                 \
    X(search_limit_zero, K_SEARCH, NULL, milvus_search_options_set_limit(e->srch, 0),              \
      milvus_search_options_set_limit(e->srch, 20), "milvus_search_options_set_limit", "limit 0",  \
      "(1..16384)")                                                                                \
    X(search_limit_high, K_SEARCH, NULL, milvus_search_options_set_limit(e->srch, 100000),         \
      milvus_search_options_set_limit(e->srch, 20), "milvus_search_options_set_limit",             \
      "limit 100000", "(1..16384)")                                                                \
    X(search_limit_negative, K_SEARCH, NULL, milvus_search_options_set_limit(e->srch, -5),         \
      milvus_search_options_set_limit(e->srch, 20), "milvus_search_options_set_limit", "limit -5", \
      "(1..16384)")                                                                                \
    X(search_offset, K_SEARCH, NULL, milvus_search_options_set_offset(e->srch, 20000),             \
      milvus_search_options_set_offset(e->srch, 3), "milvus_search_options_set_offset",            \
      "offset 20000", "(0..16384)")                                                                \
    X(vectors_null, K_SEARCH, NULL, milvus_search_options_set_vectors(e->srch, NULL),              \
      milvus_search_options_set_vectors(e->srch, e->qv), "milvus_search_options_set_vectors",      \
      "vectors is NULL", "a vector column")                                                        \
    X(vectors_type, K_SEARCH, NULL, milvus_search_options_set_vectors(e->srch, e->ints),           \
      milvus_search_options_set_vectors(e->srch, e->qv), "milvus_search_options_set_vectors",      \
      "column \"id\" is Int64", "not a vector type (FloatVector, BinaryVector")                    \
    X(anns_field, K_SEARCH, NULL, milvus_search_options_set_anns_field(e->srch, ""),               \
      milvus_search_options_set_anns_field(e->srch, "vec"),                                        \
      "milvus_search_options_set_anns_field", "field name \"\" is empty",                          \
      "(names are 1..255 bytes of UTF-8)")                                                         \
    X(search_filter_null, K_SEARCH, NULL, milvus_search_options_set_filter(e->srch, NULL),         \
      milvus_search_options_set_filter(e->srch, "id > 1"), "milvus_search_options_set_filter",     \
      "filter is NULL", "a UTF-8 string")                                                          \
    X(search_filter_utf8, K_SEARCH, NULL, milvus_search_options_set_filter(e->srch, "x\xc3"),      \
      milvus_search_options_set_filter(e->srch, "id > 1"), "milvus_search_options_set_filter",     \
      "filter \"x\\xc3\"", "not valid UTF-8")                                                      \
    X(template_int, K_SEARCH, NULL, milvus_search_options_set_template_int(e->srch, "", 1),        \
      milvus_search_options_set_template_int(e->srch, "t", 1),                                     \
      "milvus_search_options_set_template_int", "template name \"\" is empty",                     \
      "(names are 1..255 bytes of UTF-8)")                                                         \
    X(template_double, K_SEARCH, NULL,                                                             \
      milvus_search_options_set_template_double(e->srch, NULL, 1),                                 \
      milvus_search_options_set_template_double(e->srch, "t", 1),                                  \
      "milvus_search_options_set_template_double", "template name is NULL",                        \
      "(names are 1..255 bytes of UTF-8)")                                                         \
    X(template_bool, K_SEARCH, NULL, milvus_search_options_set_template_bool(e->srch, "", 1),      \
      milvus_search_options_set_template_bool(e->srch, "t", 1),                                    \
      "milvus_search_options_set_template_bool", "template name \"\" is empty",                    \
      "(names are 1..255 bytes of UTF-8)")                                                         \
    X(template_string, K_SEARCH, NULL,                                                             \
      milvus_search_options_set_template_string(e->srch, "t", NULL),                               \
      milvus_search_options_set_template_string(e->srch, "t", "x"),                                \
      "milvus_search_options_set_template_string", "value is NULL", "a UTF-8 string")              \
    X(search_output, K_SEARCH, NULL, milvus_search_options_add_output_field(e->srch, NULL),        \
      milvus_search_options_add_output_field(e->srch, "f"),                                        \
      "milvus_search_options_add_output_field", "field name is NULL",                              \
      "(names are 1..255 bytes of UTF-8)")                                                         \
    X(search_partition, K_SEARCH, NULL, milvus_search_options_add_partition(e->srch, ""),          \
      milvus_search_options_add_partition(e->srch, "p"), "milvus_search_options_add_partition",    \
      "partition name \"\" is empty", "(names are 1..255 bytes of UTF-8)")                         \
    X(search_consistency, K_SEARCH, NULL,                                                          \
      milvus_search_options_set_consistency(e->srch, (milvus_consistency)9),                       \
      milvus_search_options_set_consistency(e->srch, MILVUS_CONSISTENCY_SESSION),                  \
      "milvus_search_options_set_consistency", "consistency level 9",                              \
      "(0 STRONG, 1 SESSION, 2 BOUNDED, 3 EVENTUALLY)")                                            \
    X(search_metric, K_SEARCH, NULL, milvus_search_options_set_metric(e->srch, ""),                \
      milvus_search_options_set_metric(e->srch, "L2"), "milvus_search_options_set_metric",         \
      "metric \"\" is empty", "such as \"L2\", \"IP\" or \"COSINE\"")                              \
    X(group_size, K_SEARCH, NULL, milvus_search_options_set_group_by(e->srch, "g", -1, 0),         \
      milvus_search_options_set_group_by(e->srch, "g", 2, 0),                                      \
      "milvus_search_options_set_group_by", "group_size -1", "(0 = server default, or more)")      \
    X(group_field, K_SEARCH, NULL, milvus_search_options_set_group_by(e->srch, "", 1, 0),          \
      milvus_search_options_set_group_by(e->srch, "g", 2, 0),                                      \
      "milvus_search_options_set_group_by", "field name \"\" is empty",                            \
      "(names are 1..255 bytes of UTF-8)")                                                         \
    X(range, K_SEARCH, NULL, milvus_search_options_set_range(e->srch, INFINITY, 0.5),              \
      milvus_search_options_set_range(e->srch, 1.0, 0.5), "milvus_search_options_set_range",       \
      "radius inf", "not a finite number")                                                         \
    X(param_key, K_SEARCH, NULL, milvus_search_options_set_param(e->srch, "a\"b", "1"),            \
      milvus_search_options_set_param(e->srch, "ef", "64"), "milvus_search_options_set_param",     \
      "key \"a\\\"b\"", "a non-empty parameter name without '\"'")                                 \
    X(param_value, K_SEARCH, NULL, milvus_search_options_set_param(e->srch, "ef", ""),             \
      milvus_search_options_set_param(e->srch, "ef", "64"), "milvus_search_options_set_param",     \
      "value of \"ef\" is empty", "a JSON value")                                                  \
    X(rrf, K_SEARCH, NULL, milvus_search_options_set_rrf(e->srch, 0),                              \
      milvus_search_options_set_rrf(e->srch, 60), "milvus_search_options_set_rrf", "k 0",          \
      "(1..16384)")                                                                                \
    X(weighted_none, K_SEARCH, NULL, milvus_search_options_set_weighted(e->srch, NULL, 0),         \
      milvus_search_options_set_weighted(e->srch, inf_weights, 1),                                 \
      "milvus_search_options_set_weighted", "NULL weights with n 0", "at least one weight")        \
    X(weighted_inf, K_SEARCH, NULL, milvus_search_options_set_weighted(e->srch, inf_weights, 2),   \
      milvus_search_options_set_weighted(e->srch, inf_weights, 1),                                 \
      "milvus_search_options_set_weighted", "weight 1 is inf", "finite numbers only")              \
    /* ---- query options ---- */                                                                  \
    X(query_filter, K_QUERY, NULL, milvus_query_options_set_filter(e->qry, NULL),                  \
      milvus_query_options_set_filter(e->qry, "id > 1"), "milvus_query_options_set_filter",        \
      "filter is NULL", "a UTF-8 string")                                                          \
    X(query_template_int, K_QUERY, NULL, milvus_query_options_set_template_int(e->qry, "", 1),     \
      milvus_query_options_set_template_int(e->qry, "t", 1),                                       \
      "milvus_query_options_set_template_int", "template name \"\" is empty",                      \
      "(names are 1..255 bytes of UTF-8)")                                                         \
    X(query_template_string, K_QUERY, NULL,                                                        \
      milvus_query_options_set_template_string(e->qry, "t", "\xff"),                               \
      milvus_query_options_set_template_string(e->qry, "t", "x"),                                  \
      "milvus_query_options_set_template_string", "value \"\\xff\"", "not valid UTF-8")            \
    X(query_output, K_QUERY, NULL, milvus_query_options_add_output_field(e->qry, ""),              \
      milvus_query_options_add_output_field(e->qry, "f"), "milvus_query_options_add_output_field", \
      "field name \"\" is empty", "(names are 1..255 bytes of UTF-8)")                             \
    X(query_partition, K_QUERY, NULL, milvus_query_options_add_partition(e->qry, NULL),            \
      milvus_query_options_add_partition(e->qry, "p"), "milvus_query_options_add_partition",       \
      "partition name is NULL", "(names are 1..255 bytes of UTF-8)")                               \
    X(query_limit, K_QUERY, NULL, milvus_query_options_set_limit(e->qry, -1),                      \
      milvus_query_options_set_limit(e->qry, 10), "milvus_query_options_set_limit", "limit -1",    \
      "(0 = no limit, or more)")                                                                   \
    X(query_offset, K_QUERY, NULL, milvus_query_options_set_offset(e->qry, -1),                    \
      milvus_query_options_set_offset(e->qry, 10), "milvus_query_options_set_offset", "offset -1", \
      "(0 or more)")                                                                               \
    X(query_consistency, K_QUERY, NULL,                                                            \
      milvus_query_options_set_consistency(e->qry, (milvus_consistency)-1),                        \
      milvus_query_options_set_consistency(e->qry, MILVUS_CONSISTENCY_STRONG),                     \
      "milvus_query_options_set_consistency", "consistency level -1",                              \
      "(0 STRONG, 1 SESSION, 2 BOUNDED, 3 EVENTUALLY)")                                            \
    /* ---- snapshot options ---- */                                                               \
    X(snapshot_description, K_SNAPSHOT, NULL,                                                      \
      milvus_snapshot_options_set_description(e->snap, NULL),                                      \
      milvus_snapshot_options_set_description(e->snap, "d"),                                       \
      "milvus_snapshot_options_set_description", "description is NULL", "a string is needed")      \
    X(snapshot_protection, K_SNAPSHOT, NULL,                                                       \
      milvus_snapshot_options_set_compaction_protection(e->snap, -1),                              \
      milvus_snapshot_options_set_compaction_protection(e->snap, 60),                              \
      "milvus_snapshot_options_set_compaction_protection", "protection -1 s",                      \
      "(0 = none, or more)")                                                                       \
    X(snapshot_database, K_SNAPSHOT, NULL, milvus_snapshot_options_set_database(e->snap, NULL),    \
      milvus_snapshot_options_set_database(e->snap, "db"), "milvus_snapshot_options_set_database", \
      "database is NULL", "a string is needed")                                                    \
    X(snapshot_target_database, K_SNAPSHOT, NULL,                                                  \
      milvus_snapshot_options_set_target_database(e->snap, NULL),                                  \
      milvus_snapshot_options_set_target_database(e->snap, "db"),                                  \
      "milvus_snapshot_options_set_target_database", "target database is NULL",                    \
      "a string is needed")                                                                        \
    X(snapshot_spec, K_SNAPSHOT, NULL, milvus_snapshot_options_set_external_spec(e->snap, NULL),   \
      milvus_snapshot_options_set_external_spec(e->snap, "{}"),                                    \
      "milvus_snapshot_options_set_external_spec", "external spec is NULL", "a string is needed")  \
    X(snapshot_ttl, K_SNAPSHOT, NULL, milvus_snapshot_options_set_ttl(e->snap, -1),                \
      milvus_snapshot_options_set_ttl(e->snap, 60), "milvus_snapshot_options_set_ttl", "ttl -1 s", \
      "(0 = server default, or more)")                                                             \
    /* ---- await options, taken by a job await ---- */                                            \
    X(job_timeout, K_JOB_AWAIT, NULL, milvus_await_options_set_timeout_ms(e->job, -1),             \
      milvus_await_options_set_timeout_ms(e->job, 100), "milvus_await_options_set_timeout_ms",     \
      "timeout -1 ms", "(0 = none, or more)")                                                      \
    X(job_initial, K_JOB_AWAIT, NULL, milvus_await_options_set_interval(e->job, 0, 10, 2),         \
      milvus_await_options_set_interval(e->job, 5, 10, 2), "milvus_await_options_set_interval",    \
      "initial_ms 0", "(at least 1)")                                                              \
    X(job_max, K_JOB_AWAIT, NULL, milvus_await_options_set_interval(e->job, 100, 50, 2),           \
      milvus_await_options_set_interval(e->job, 5, 10, 2), "milvus_await_options_set_interval",    \
      "max_ms 50", "(at least initial_ms, 100)")                                                   \
    X(job_factor, K_JOB_AWAIT, NULL, milvus_await_options_set_interval(e->job, 5, 10, 0.5),        \
      milvus_await_options_set_interval(e->job, 5, 10, 2), "milvus_await_options_set_interval",    \
      "factor 0.5", "(1..100)")                                                                    \
    /* ---- fields ---- */                                                                         \
    X(dim_zero, K_FIELD, "vec", milvus_field_set_dim(e->vec, 0), milvus_field_set_dim(e->vec, 4),  \
      "milvus_field_set_dim", "dim 0 is out of range for field \"vec\" (FloatVector)",             \
      "(1..32768)")                                                                                \
    X(dim_high, K_FIELD, "vec", milvus_field_set_dim(e->vec, 40000),                               \
      milvus_field_set_dim(e->vec, 4), "milvus_field_set_dim", "dim 40000", "(1..32768)")          \
    X(dim_binary, K_FIELD, "bin", milvus_field_set_dim(e->bin, 12),                                \
      milvus_field_set_dim(e->bin, 32), "milvus_field_set_dim",                                    \
      "dim 12 is out of range for field \"bin\" (BinaryVector)", "(8..262144, a multiple of 8)")   \
    X(dim_scalar, K_FIELD, "id", milvus_field_set_dim(e->id, 8), NO_GOOD, "milvus_field_set_dim",  \
      "dim 8 is refused for field \"id\" (Int64)", "dense vector fields only")                     \
    X(field_description, K_FIELD, "vec", milvus_field_set_description(e->vec, NULL),               \
      milvus_field_set_description(e->vec, "d"), "milvus_field_set_description",                   \
      "description is NULL", "a UTF-8 string")                                                     \
    X(primary_key, K_FIELD, "small", milvus_field_set_primary_key(e->small, 1),                    \
      milvus_field_set_primary_key(e->small, 0), "milvus_field_set_primary_key",                   \
      "on 1 is refused for field \"small\" (Int8)", "primary keys are Int64 or VarChar")           \
    X(max_length_type, K_FIELD, "id", milvus_field_set_max_length(e->id, 10), NO_GOOD,             \
      "milvus_field_set_max_length", "max_length 10 is refused for field \"id\" (Int64)",          \
      "VarChar, String, Text and Array fields only")                                               \
    X(max_length_range, K_FIELD, "name", milvus_field_set_max_length(e->name, 0),                  \
      milvus_field_set_max_length(e->name, 128), "milvus_field_set_max_length", "max_length 0",    \
      "(1..1048560)")                                                                              \
    X(element_type_field, K_FIELD, "id", milvus_field_set_element_type(e->id, MILVUS_TYPE_INT64),  \
      NO_GOOD, "milvus_field_set_element_type",                                                    \
      "element type 5 (Int64) is refused for field \"id\" (Int64)", "(Array fields only)")         \
    X(element_type_vector, K_FIELD, "tags",                                                        \
      milvus_field_set_element_type(e->tags, MILVUS_TYPE_FLOAT_VECTOR),                            \
      milvus_field_set_element_type(e->tags, MILVUS_TYPE_INT32), "milvus_field_set_element_type",  \
      "element type 101 (FloatVector)",                                                            \
      "(Bool, Int8, Int16, Int32, Int64, Float, Double, VarChar or String)")                       \
    X(max_capacity, K_FIELD, "tags", milvus_field_set_max_capacity(e->tags, 5000),                 \
      milvus_field_set_max_capacity(e->tags, 16), "milvus_field_set_max_capacity",                 \
      "max_capacity 5000", "(1..4096)")                                                            \
    X(max_capacity_type, K_FIELD, "id", milvus_field_set_max_capacity(e->id, 5), NO_GOOD,          \
      "milvus_field_set_max_capacity", "max_capacity 5 is refused for field \"id\" (Int64)",       \
      "(Array fields only)")                                                                       \
    X(nullable, K_FIELD, "vec", milvus_field_set_nullable(e->vec, 1),                              \
      milvus_field_set_nullable(e->vec, 0), "milvus_field_set_nullable",                           \
      "on 1 is refused for field \"vec\" (FloatVector)", "vector fields are not nullable")         \
    X(type_param_key, K_FIELD, "vec", milvus_field_set_type_param(e->vec, "", "x"),                \
      milvus_field_set_type_param(e->vec, "mmap.enabled", "true"), "milvus_field_set_type_param",  \
      "key \"\" is empty", "a non-empty key")                                                      \
    X(type_param_value, K_FIELD, "vec", milvus_field_set_type_param(e->vec, "k", NULL),            \
      milvus_field_set_type_param(e->vec, "k", "v"), "milvus_field_set_type_param",                \
      "value of \"k\" is NULL", "a string is needed")                                              \
    X(default_bool, K_FIELD, "id", milvus_field_set_default_bool(e->id, 1), NO_GOOD,               \
      "milvus_field_set_default_bool", "default true is refused for field \"id\" (Int64)",         \
      "(Bool fields only)")                                                                        \
    X(default_int_range, K_FIELD, "small", milvus_field_set_default_int(e->small, 300),            \
      milvus_field_set_default_int(e->small, 100), "milvus_field_set_default_int",                 \
      "default 300 is out of range for field \"small\" (Int8)", "(-128..127)")                     \
    X(default_int_type, K_FIELD, "flag", milvus_field_set_default_int(e->flag, 1), NO_GOOD,        \
      "milvus_field_set_default_int", "default 1 is refused for field \"flag\" (Bool)",            \
      "(Int8, Int16, Int32, Int64 and Timestamptz fields only)")                                   \
    X(default_float, K_FIELD, "id", milvus_field_set_default_float(e->id, 1.5f), NO_GOOD,          \
      "milvus_field_set_default_float", "default 1.5 is refused for field \"id\" (Int64)",         \
      "(Float fields only)")                                                                       \
    X(default_double, K_FIELD, "id", milvus_field_set_default_double(e->id, 2.5), NO_GOOD,         \
      "milvus_field_set_default_double", "default 2.5 is refused for field \"id\" (Int64)",        \
      "(Double fields only)")                                                                      \
    X(default_string_type, K_FIELD, "id", milvus_field_set_default_string(e->id, "x"), NO_GOOD,    \
      "milvus_field_set_default_string", "default \"x\" is refused for field \"id\" (Int64)",      \
      "(VarChar, String, Text, JSON and Geometry fields only)")                                    \
    X(default_string_null, K_FIELD, "name", milvus_field_set_default_string(e->name, NULL),        \
      milvus_field_set_default_string(e->name, "n/a"), "milvus_field_set_default_string",          \
      "default is NULL", "a UTF-8 string")                                                         \
    /* ---- schemas ---- */                                                                        \
    X(schema_description, K_SCHEMA, NULL, milvus_schema_set_description(e->sch, NULL),             \
      milvus_schema_set_description(e->sch, "docs"), "milvus_schema_set_description",              \
      "description is NULL", "a UTF-8 string")                                                     \
    X(add_field_null, K_SCHEMA, NULL, milvus_schema_add_field(e->sch, NULL),                       \
      milvus_schema_add_field(e->sch, e->extra), "milvus_schema_add_field", "field is NULL",       \
      "field is NULL")                                                                             \
    X(add_field_duplicate, K_SCHEMA, NULL, milvus_schema_add_field(e->sch, e->dup),                \
      milvus_schema_add_field(e->sch, e->extra), "milvus_schema_add_field",                        \
      "field \"pk\" is already in the schema", "(names are unique)")                               \
    X(add_field_second_pk, K_SCHEMA, NULL, milvus_schema_add_field(e->sch, e->pk2),                \
      milvus_schema_add_field(e->sch, e->extra), "milvus_schema_add_field",                        \
      "field \"pk2\" is a second primary key", "(the schema has \"pk\"; one only)")                \
    X(add_field_no_dim, K_SCHEMA, NULL, milvus_schema_add_field(e->sch, e->nodim),                 \
      milvus_schema_add_field(e->sch, e->extra), "milvus_schema_add_field",                        \
      "vector field \"nodim\" has no dimension", "milvus_field_set_dim()")

#define DEF(id, k, f, bad_call, good_call, setter, value, range)                                   \
    static int id##_bad(env *e)                                                                    \
    {                                                                                              \
        return (bad_call);                                                                         \
    }                                                                                              \
    static int id##_good(env *e)                                                                   \
    {                                                                                              \
        (void)e;                                                                                   \
        return (good_call);                                                                        \
    }
CASES(DEF)
#undef DEF

#define ROW(id, k, f, bad_call, good_call, setter, value, range)                                   \
    {#id, k, f, id##_bad, id##_good, setter, value, range},
static const rcase cases[] = {CASES(ROW)};
#undef ROW

/* ---- what each kind of object is used by -------------------------------------- */

static const struct {
    const char *op, *what; /* the operation's message: "<op>: invalid <what>: ..." */
} uses[] = {
    [K_OPTIONS] = {NULL, NULL},
    [K_COLLECTION] = {"create_collection", "collection options"},
    [K_AWAIT] = {"await_index", "await options"},
    [K_INDEX] = {"create_index", "index options"},
    [K_LOAD] = {"load_collection", "load options"},
    [K_WRITE] = {"delete", "write options"},
    [K_SEARCH] = {"search", "search options"},
    [K_QUERY] = {"query", "query options"},
    [K_SNAPSHOT] = {"create_snapshot", "snapshot options"},
    [K_JOB_AWAIT] = {"await_restore", "await options"},
    [K_FIELD] = {"create_collection", "schema"},
    [K_SCHEMA] = {"create_collection", "schema"},
};

static const char *last_error(env *e, const rcase *t)
{
    switch (t->kind) {
    case K_OPTIONS: return milvus_options_last_error(e->opt);
    case K_COLLECTION: return milvus_collection_options_last_error(e->coll);
    case K_AWAIT: return milvus_await_options_last_error(e->aw);
    case K_INDEX: return milvus_index_options_last_error(e->idx);
    case K_LOAD: return milvus_load_options_last_error(e->load);
    case K_WRITE: return milvus_write_options_last_error(e->wr);
    case K_SEARCH: return milvus_search_options_last_error(e->srch);
    case K_QUERY: return milvus_query_options_last_error(e->qry);
    case K_SNAPSHOT: return milvus_snapshot_options_last_error(e->snap);
    case K_JOB_AWAIT: return milvus_await_options_last_error(e->job);
    case K_FIELD: return milvus_field_last_error(field_named(e, t->field));
    default: return milvus_schema_last_error(e->sch);
    }
}

/* The operation that takes the object, submitted on the test client. */
static int submit(env *e, int kind)
{
    milvus_client *c = e->c;
    int *n = &e->calls;
    switch (kind) {
    case K_COLLECTION:
        return milvus_client_create_collection(c, "docs", e->good, e->coll, count_cb, n);
    case K_AWAIT: return milvus_client_await_index(c, "docs", NULL, e->aw, count_cb, n);
    case K_INDEX: return milvus_client_create_index(c, "docs", "vec", e->idx, count_cb, n);
    case K_LOAD: return milvus_client_load_collection(c, "docs", e->load, count_cb, n);
    case K_WRITE: return milvus_client_delete(c, "docs", "id > 0", e->wr, count_cb, n);
    case K_SEARCH: return milvus_client_search(c, "docs", e->srch, count_cb, n);
    case K_QUERY: return milvus_client_query(c, "docs", e->qry, count_cb, n);
    case K_SNAPSHOT: return milvus_client_create_snapshot(c, "docs", "s1", e->snap, count_cb, n);
    case K_JOB_AWAIT: return milvus_client_await_restore(c, 7, e->job, count_cb, n);
    default: return milvus_client_create_collection(c, "docs", e->sch, NULL, count_cb, n);
    }
}

/* The same through the blocking layer. */
static int submit_sync(env *e, int kind, milvus_result **res)
{
    milvus_sync *s = e->s;
    switch (kind) {
    case K_COLLECTION: return milvus_sync_create_collection(s, "docs", e->good, e->coll, res);
    case K_AWAIT: return milvus_sync_await_index(s, "docs", NULL, e->aw, res);
    case K_INDEX: return milvus_sync_create_index(s, "docs", "vec", e->idx, res);
    case K_LOAD: return milvus_sync_load_collection(s, "docs", e->load, res);
    case K_WRITE: return milvus_sync_delete(s, "docs", "id > 0", e->wr, res);
    case K_SEARCH: return milvus_sync_search(s, "docs", e->srch, res);
    case K_QUERY: return milvus_sync_query(s, "docs", e->qry, res);
    case K_SNAPSHOT: return milvus_sync_create_snapshot(s, "docs", "s1", e->snap, res);
    case K_JOB_AWAIT: return milvus_sync_await_restore(s, 7, e->job, res);
    default: return milvus_sync_create_collection(s, "docs", e->sch, NULL, res);
    }
}

/* Another setter of the same object accepting a value (one that is not
 * the case's setter); its success must not clear the refusal. */
static int other_setter(env *e, const rcase *t)
{
    int first = 1;
    const char *name;
#define OTHER(setter_name, call)                                                                   \
    name = setter_name;                                                                            \
    if (!first || strcmp(name, t->setter) != 0)                                                    \
        return (call);                                                                             \
    first = 0;
    switch (t->kind) {
    case K_OPTIONS:
        OTHER("milvus_options_set_pool_size", milvus_options_set_pool_size(e->opt, 2));
        OTHER("milvus_options_set_max_pending", milvus_options_set_max_pending(e->opt, 9));
        break;
    case K_COLLECTION:
        OTHER("milvus_collection_options_set_shards",
              milvus_collection_options_set_shards(e->coll, 3));
        OTHER("milvus_collection_options_set_num_partitions",
              milvus_collection_options_set_num_partitions(e->coll, 0));
        break;
    case K_AWAIT:
        OTHER("milvus_await_options_set_timeout_ms", milvus_await_options_set_timeout_ms(e->aw, 9));
        OTHER("milvus_await_options_set_interval",
              milvus_await_options_set_interval(e->aw, 1, 2, 2));
        break;
    case K_INDEX:
        OTHER("milvus_index_options_set_name", milvus_index_options_set_name(e->idx, "other"));
        OTHER("milvus_index_options_set_type", milvus_index_options_set_type(e->idx, "FLAT"));
        break;
    case K_LOAD:
        OTHER("milvus_load_options_set_replicas", milvus_load_options_set_replicas(e->load, 1));
        OTHER("milvus_load_options_add_partition", milvus_load_options_add_partition(e->load, "q"));
        break;
    case K_WRITE:
        OTHER("milvus_write_options_set_partial_update",
              milvus_write_options_set_partial_update(e->wr, 0));
        break;
    case K_SEARCH:
        OTHER("milvus_search_options_set_offset", milvus_search_options_set_offset(e->srch, 1));
        OTHER("milvus_search_options_set_limit", milvus_search_options_set_limit(e->srch, 5));
        break;
    case K_QUERY:
        OTHER("milvus_query_options_set_offset", milvus_query_options_set_offset(e->qry, 1));
        OTHER("milvus_query_options_set_limit", milvus_query_options_set_limit(e->qry, 5));
        break;
    case K_SNAPSHOT:
        OTHER("milvus_snapshot_options_set_ttl", milvus_snapshot_options_set_ttl(e->snap, 5));
        OTHER("milvus_snapshot_options_set_database",
              milvus_snapshot_options_set_database(e->snap, "x"));
        break;
    case K_JOB_AWAIT:
        OTHER("milvus_await_options_set_timeout_ms",
              milvus_await_options_set_timeout_ms(e->job, 9));
        OTHER("milvus_await_options_set_interval",
              milvus_await_options_set_interval(e->job, 1, 2, 2));
        break;
    case K_FIELD:
        OTHER("milvus_field_set_description",
              milvus_field_set_description(field_named(e, t->field), "other"));
        OTHER("milvus_field_set_partition_key",
              milvus_field_set_partition_key(field_named(e, t->field), 0));
        break;
    default:
        OTHER("milvus_schema_set_dynamic_field", milvus_schema_set_dynamic_field(e->sch, 1));
        break;
    }
#undef OTHER
    (void)name;
    return MILVUS_ERR_INVALID_ARGUMENT;
}

/* ---- what "unchanged" means where the object can be read back ------------------ */

typedef struct state {
    milvus_options *opt;
    int64_t dim, max_length, max_capacity;
    int type, element_type, pk, nullable, has_default, nfields, dynamic;
    char description[64], param[64];
} state;

static void take_state(env *e, const rcase *t, state *st)
{
    memset(st, 0, sizeof(*st));
    if (t->kind == K_OPTIONS) {
        cr_assert_not_null(st->opt = milvus_options_dup(e->opt));
    } else if (t->kind == K_FIELD) {
        const milvus_field *f = field_named(e, t->field);
        const char *p = milvus_field_type_param(f, "k");
        st->dim = milvus_field_dim(f);
        st->max_length = milvus_field_max_length(f);
        st->max_capacity = milvus_field_max_capacity(f);
        st->element_type = (int)milvus_field_element_type(f);
        st->pk = milvus_field_is_primary_key(f);
        st->nullable = milvus_field_is_nullable(f);
        st->has_default = milvus_field_has_default(f);
        snprintf(st->description, sizeof(st->description), "%s", milvus_field_description(f));
        snprintf(st->param, sizeof(st->param), "%s", p ? p : "(none)");
    } else if (t->kind == K_SCHEMA) {
        st->nfields = (int)milvus_schema_field_count(e->sch);
        st->dynamic = milvus_schema_dynamic_field(e->sch);
        snprintf(st->description, sizeof(st->description), "%s", milvus_schema_description(e->sch));
    }
}

static int same_str(const char *a, const char *b)
{
    return a == b || (a && b && strcmp(a, b) == 0);
}

static void expect_same_options(const milvus_options *a, const milvus_options *b, const char *id)
{
    cr_expect(same_str(a->host, b->host) && a->port == b->port && a->tls == b->tls &&
                  a->tls_verify == b->tls_verify,
              "%s: the address changed (%s:%d)", id, b->host, b->port);
    cr_expect(same_str(a->cert_file, b->cert_file) && same_str(a->key_file, b->key_file) &&
                  same_str(a->server_name, b->server_name),
              "%s: TLS settings changed", id);
    cr_expect(same_str(a->user, b->user) && same_str(a->password, b->password) &&
                  same_str(a->database, b->database) && a->md.n == b->md.n &&
                  same_str(a->user_agent, b->user_agent),
              "%s: credentials, database or metadata changed", id);
    cr_expect(a->connect_timeout_ms == b->connect_timeout_ms &&
                  a->call_timeout_ms == b->call_timeout_ms && a->pool_size == b->pool_size &&
                  a->max_send == b->max_send && a->max_recv == b->max_recv &&
                  a->keepalive_ms == b->keepalive_ms &&
                  a->keepalive_timeout_ms == b->keepalive_timeout_ms &&
                  a->max_pending == b->max_pending,
              "%s: a limit or timeout changed", id);
    cr_expect(
        a->retry_max_attempts == b->retry_max_attempts &&
            a->retry_initial_ms == b->retry_initial_ms && a->retry_max_ms == b->retry_max_ms &&
            a->retry_multiplier == b->retry_multiplier && a->wait_for_ready == b->wait_for_ready &&
            a->reconnect_initial_ms == b->reconnect_initial_ms &&
            a->reconnect_max_ms == b->reconnect_max_ms &&
            a->reconnect_multiplier == b->reconnect_multiplier && a->log_level == b->log_level,
        "%s: the retry, backoff or log settings changed", id);
}

static void expect_unchanged(env *e, const rcase *t, state *before)
{
    state now;
    if (t->kind == K_OPTIONS) {
        expect_same_options(before->opt, e->opt, t->id);
        milvus_options_free(before->opt);
        return;
    }
    take_state(e, t, &now);
    cr_expect(memcmp(&now, before, sizeof(now)) == 0, "%s: the refused value was stored", t->id);
}

/* ---- one case ------------------------------------------------------------------ */

/* The refused object makes its operation fail at submission with expect
 * as the client's (and the blocking layer's) message; nothing queued. */
static void expect_refused_use(env *e, const rcase *t, const char *expect)
{
    milvus_result *res = (milvus_result *)&res;
    size_t pending = milvus_client_pending(e->c);
    int rc = submit(e, t->kind);
    cr_expect_eq(rc, MILVUS_ERR_INVALID_ARGUMENT, "%s: %s accepted an invalid object (%d)", t->id,
                 uses[t->kind].op, rc);
    cr_expect_str_eq(milvus_client_last_error(e->c), expect, "%s", t->id);
    cr_expect_eq(milvus_client_pending(e->c), pending, "%s: something was queued", t->id);
    rc = submit_sync(e, t->kind, &res);
    cr_expect_eq(rc, MILVUS_ERR_INVALID_ARGUMENT, "%s: the blocking %s gave %d", t->id,
                 uses[t->kind].op, rc);
    cr_expect_null(res, "%s: a result without a callback", t->id);
    cr_expect_str_eq(milvus_sync_last_error(e->s), expect, "%s (blocking layer)", t->id);
    event_base_loop(e->base, EVLOOP_NONBLOCK);
    cr_expect_eq(e->calls, 0, "%s: a callback ran for a refused submission", t->id);
}

static void run_case(const rcase *t)
{
    env e;
    state before;
    char msg[512], expect[1024];
    int rc;
    env_init(&e);
    take_state(&e, t, &before);

    rc = t->bad(&e);
    cr_expect_eq(rc, MILVUS_ERR_INVALID_ARGUMENT, "%s: the setter returned %d", t->id, rc);
    snprintf(msg, sizeof(msg), "%s", last_error(&e, t));
    cr_expect(strncmp(msg, t->setter, strlen(t->setter)) == 0 && msg[strlen(t->setter)] == ':',
              "%s: the message does not start with the setter %s: \"%s\"", t->id, t->setter, msg);
    cr_expect(strstr(msg, t->value) != NULL, "%s: the message lacks the value (%s): \"%s\"", t->id,
              t->value, msg);
    cr_expect(strstr(msg, t->range) != NULL, "%s: the message lacks what is accepted (%s): \"%s\"",
              t->id, t->range, msg);
    expect_unchanged(&e, t, &before);

    cr_expect_eq(other_setter(&e, t), MILVUS_OK, "%s: the other setter failed", t->id);
    cr_expect_str_eq(last_error(&e, t), msg, "%s: another setter's success cleared the refusal",
                     t->id);

    if (t->kind == K_OPTIONS) {
        milvus_client *c2 = (milvus_client *)&c2;
        milvus_sync *s2 = (milvus_sync *)&s2;
        milvus_options *copy = milvus_options_dup(e.opt);
        cr_expect_eq(milvus_client_new(&c2, e.base, e.opt), MILVUS_ERR_INVALID_ARGUMENT,
                     "%s: a client was made from invalid options", t->id);
        cr_expect_eq(c2, (milvus_client *)&c2, "%s", t->id);
        cr_expect_eq(milvus_sync_new(&s2, e.opt), MILVUS_ERR_INVALID_ARGUMENT, "%s", t->id);
        cr_expect_null(s2, "%s", t->id);
        cr_assert_not_null(copy);
        cr_expect_str_eq(milvus_options_last_error(copy), msg, "%s: the copy is valid", t->id);
        cr_expect_eq(milvus_client_new(&c2, e.base, copy), MILVUS_ERR_INVALID_ARGUMENT, "%s",
                     t->id);
        milvus_options_free(copy);
    } else if (t->kind == K_FIELD) {
        milvus_field *f = field_named(&e, t->field);
        char smsg[700];
        cr_expect_eq(milvus_schema_add_field(e.sch, f), MILVUS_ERR_INVALID_ARGUMENT,
                     "%s: the schema took an invalid field", t->id);
        snprintf(smsg, sizeof(smsg), "milvus_schema_add_field: field \"%s\" is invalid: %s",
                 t->field, msg);
        cr_expect_str_eq(milvus_schema_last_error(e.sch), smsg, "%s", t->id);
        snprintf(expect, sizeof(expect), "create_collection: invalid schema: %s", smsg);
        expect_refused_use(&e, t, expect);
    } else {
        snprintf(expect, sizeof(expect), "%s: invalid %s: %s", uses[t->kind].op, uses[t->kind].what,
                 msg);
        expect_refused_use(&e, t, expect);
    }

    /* a good value for the same setter makes the object usable again */
    rc = t->good(&e);
    if (rc != NO_GOOD) {
        cr_expect_eq(rc, MILVUS_OK, "%s: the good value was refused: %s", t->id, last_error(&e, t));
        cr_expect_str_eq(last_error(&e, t), "", "%s: the refusal stayed", t->id);
        if (t->kind == K_OPTIONS) {
            milvus_client *c2 = NULL;
            milvus_sync *s2 = NULL;
            cr_expect_eq(milvus_client_new(&c2, e.base, e.opt), MILVUS_OK, "%s", t->id);
            cr_expect_eq(milvus_sync_new(&s2, e.opt), MILVUS_OK, "%s", t->id);
            milvus_client_free(c2);
            milvus_sync_free(s2);
        } else {
            if (t->kind == K_FIELD)
                cr_expect_eq(milvus_schema_add_field(e.sch, field_named(&e, t->field)), MILVUS_OK,
                             "%s: %s", t->id, milvus_schema_last_error(e.sch));
            rc = submit(&e, t->kind);
            cr_expect_eq(rc, MILVUS_OK, "%s: %s after recovery: %s", t->id, uses[t->kind].op,
                         milvus_client_last_error(e.c));
        }
    }
    env_free(&e);
}

static void run_kind(int kind)
{
    size_t n = 0;
    memset(long_name, 'a', sizeof(long_name) - 1);
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        if (cases[i].kind == kind) {
            run_case(&cases[i]);
            n++;
        }
    }
    cr_assert_gt(n, 0);
}

Test(refused_values, connection_options_name_the_value_and_block_client_creation)
{
    run_kind(K_OPTIONS);
}

Test(refused_values, collection_options_fail_create_collection)
{
    run_kind(K_COLLECTION);
}
Test(refused_values, await_options_fail_the_await)
{
    run_kind(K_AWAIT);
}
Test(refused_values, index_options_fail_create_index)
{
    run_kind(K_INDEX);
}
Test(refused_values, load_options_fail_load_collection)
{
    run_kind(K_LOAD);
}
Test(refused_values, write_options_fail_the_write)
{
    run_kind(K_WRITE);
}
Test(refused_values, search_options_fail_search)
{
    run_kind(K_SEARCH);
}
Test(refused_values, query_options_fail_query)
{
    run_kind(K_QUERY);
}
Test(refused_values, snapshot_options_fail_create_snapshot)
{
    run_kind(K_SNAPSHOT);
}
Test(refused_values, await_options_fail_a_job_await)
{
    run_kind(K_JOB_AWAIT);
}
Test(refused_values, invalid_fields_are_refused_by_the_schema)
{
    run_kind(K_FIELD);
}
Test(refused_values, schema_refusals_fail_create_collection)
{
    run_kind(K_SCHEMA);
}

/* ---- the rules around the table ----------------------------------------------- */

Test(refused_values, keyed_setter_is_cleared_only_for_the_same_key)
{
    milvus_search_options *o = milvus_search_options_new();
    milvus_options *opt = milvus_options_new();
    cr_assert_eq(milvus_search_options_set_param(o, "ef", ""), MILVUS_ERR_INVALID_ARGUMENT);
    cr_assert_eq(milvus_search_options_set_param(o, "nprobe", "8"), MILVUS_OK);
    cr_assert(strstr(milvus_search_options_last_error(o), "\"ef\""), "another key cleared it: %s",
              milvus_search_options_last_error(o));
    cr_assert_eq(milvus_search_options_set_param(o, "ef", "64"), MILVUS_OK);
    cr_assert_str_eq(milvus_search_options_last_error(o), "");
    /* a refused key is not tied to a key: any accepted call clears it */
    cr_assert_eq(milvus_search_options_set_param(o, "", "1"), MILVUS_ERR_INVALID_ARGUMENT);
    cr_assert_eq(milvus_search_options_set_param(o, "ef", "32"), MILVUS_OK);
    cr_assert_str_eq(milvus_search_options_last_error(o), "");
    /* metadata the same way */
    cr_assert_eq(milvus_options_add_metadata(opt, "x-a", "\x01", 1), MILVUS_ERR_INVALID_ARGUMENT);
    cr_assert_eq(milvus_options_add_metadata(opt, "x-b", "ok", 2), MILVUS_OK);
    cr_assert(strstr(milvus_options_last_error(opt), "\"x-a\""));
    cr_assert_eq(milvus_options_add_metadata(opt, "x-a", "ok", 2), MILVUS_OK);
    cr_assert_str_eq(milvus_options_last_error(opt), "");
    milvus_options_free(opt);
    milvus_search_options_free(o);
}

Test(refused_values, every_refusal_must_be_retried_before_the_object_is_valid)
{
    milvus_search_options *o = milvus_search_options_new();
    cr_assert_eq(milvus_search_options_set_limit(o, 0), MILVUS_ERR_INVALID_ARGUMENT);
    cr_assert_eq(milvus_search_options_set_offset(o, -1), MILVUS_ERR_INVALID_ARGUMENT);
    /* the newest is shown */
    cr_assert(strstr(milvus_search_options_last_error(o), "set_offset: offset -1"), "%s",
              milvus_search_options_last_error(o));
    cr_assert_eq(milvus_search_options_set_offset(o, 0), MILVUS_OK);
    cr_assert(strstr(milvus_search_options_last_error(o), "set_limit: limit 0"), "%s",
              milvus_search_options_last_error(o));
    /* the same setter refusing twice keeps one refusal, the newer */
    cr_assert_eq(milvus_search_options_set_limit(o, 99999), MILVUS_ERR_INVALID_ARGUMENT);
    cr_assert(strstr(milvus_search_options_last_error(o), "limit 99999"));
    cr_assert_eq(milvus_search_options_set_limit(o, 10), MILVUS_OK);
    cr_assert_str_eq(milvus_search_options_last_error(o), "");
    milvus_search_options_free(o);
}

Test(refused_values, null_objects_are_refused_without_a_message)
{
    cr_assert_eq(milvus_options_set_pool_size(NULL, 2), MILVUS_ERR_INVALID_ARGUMENT);
    cr_assert_eq(milvus_options_set_uri(NULL, "h"), MILVUS_ERR_INVALID_ARGUMENT);
    cr_assert_eq(milvus_collection_options_set_shards(NULL, 2), MILVUS_ERR_INVALID_ARGUMENT);
    cr_assert_eq(milvus_await_options_set_timeout_ms(NULL, 1), MILVUS_ERR_INVALID_ARGUMENT);
    cr_assert_eq(milvus_index_options_set_type(NULL, "HNSW"), MILVUS_ERR_INVALID_ARGUMENT);
    cr_assert_eq(milvus_index_options_set_metric(NULL, "L2"), MILVUS_ERR_INVALID_ARGUMENT);
    cr_assert_eq(milvus_load_options_set_replicas(NULL, 1), MILVUS_ERR_INVALID_ARGUMENT);
    cr_assert_eq(milvus_write_options_set_partition(NULL, "p"), MILVUS_ERR_INVALID_ARGUMENT);
    cr_assert_eq(milvus_search_options_set_limit(NULL, 5), MILVUS_ERR_INVALID_ARGUMENT);
    cr_assert_eq(milvus_search_options_set_template_int(NULL, "t", 1), MILVUS_ERR_INVALID_ARGUMENT);
    cr_assert_eq(milvus_query_options_set_limit(NULL, 5), MILVUS_ERR_INVALID_ARGUMENT);
    cr_assert_eq(milvus_query_options_set_template_string(NULL, "t", "v"),
                 MILVUS_ERR_INVALID_ARGUMENT);
    cr_assert_eq(milvus_snapshot_options_set_ttl(NULL, 1), MILVUS_ERR_INVALID_ARGUMENT);
    cr_assert_eq(milvus_await_options_set_interval(NULL, 1, 2, 2), MILVUS_ERR_INVALID_ARGUMENT);
    cr_assert_eq(milvus_await_options_set_progress(NULL, NULL, NULL), MILVUS_ERR_INVALID_ARGUMENT);
    cr_assert_eq(milvus_field_set_dim(NULL, 8), MILVUS_ERR_INVALID_ARGUMENT);
    cr_assert_eq(milvus_schema_add_field(NULL, NULL), MILVUS_ERR_INVALID_ARGUMENT);
    cr_assert_str_eq(milvus_options_last_error(NULL), "");
    cr_assert_str_eq(milvus_collection_options_last_error(NULL), "");
    cr_assert_str_eq(milvus_await_options_last_error(NULL), "");
    cr_assert_str_eq(milvus_index_options_last_error(NULL), "");
    cr_assert_str_eq(milvus_load_options_last_error(NULL), "");
    cr_assert_str_eq(milvus_write_options_last_error(NULL), "");
    cr_assert_str_eq(milvus_search_options_last_error(NULL), "");
    cr_assert_str_eq(milvus_query_options_last_error(NULL), "");
    cr_assert_str_eq(milvus_snapshot_options_last_error(NULL), "");
    cr_assert_str_eq(milvus_field_last_error(NULL), "");
    cr_assert_str_eq(milvus_schema_last_error(NULL), "");
}

Test(refused_values, strings_are_quoted_escaped_and_cut)
{
    milvus_search_options *o = milvus_search_options_new();
    char big[400];
    const char *m;
    cr_assert_eq(milvus_search_options_set_filter(o, "a\"b\\c\nd\x01\xff"),
                 MILVUS_ERR_INVALID_ARGUMENT);
    m = milvus_search_options_last_error(o);
    cr_assert(strstr(m, "filter \"a\\\"b\\\\c\\nd\\x01\\xff\" is not valid UTF-8"), "%s", m);
    cr_assert_null(strchr(m, '\n'), "one line");
    /* a long value is cut, whole characters only, with its length */
    memset(big, 'x', sizeof(big));
    memcpy(big + 60, "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9", 16);
    big[sizeof(big) - 2] = '\xff';
    big[sizeof(big) - 1] = '\0';
    cr_assert_eq(milvus_search_options_set_filter(o, big), MILVUS_ERR_INVALID_ARGUMENT);
    m = milvus_search_options_last_error(o);
    cr_assert(strstr(m, "\"... (399 bytes) is not valid UTF-8"), "%s", m);
    cr_assert_lt(strlen(m), 200, "%s", m);
    for (const char *p = strstr(m, "\xc3"); p && *p; p++)
        if ((unsigned char)*p == 0xc3)
            cr_assert_eq((unsigned char)p[1], 0xa9, "a character was cut: %s", m);
    milvus_search_options_free(o);
}

Test(refused_values, secrets_never_appear_in_messages)
{
    milvus_options *o = milvus_options_new();
    cr_assert_eq(milvus_options_set_user_password(o, "a:b", "hunter2"),
                 MILVUS_ERR_INVALID_ARGUMENT);
    cr_assert_null(strstr(milvus_options_last_error(o), "hunter2"), "%s",
                   milvus_options_last_error(o));
    cr_assert_eq(milvus_options_set_user_password(o, NULL, "hunter2"), MILVUS_ERR_INVALID_ARGUMENT);
    cr_assert_null(strstr(milvus_options_last_error(o), "hunter2"), "%s",
                   milvus_options_last_error(o));
    cr_assert_eq(milvus_options_add_metadata(o, "x-api-key", "sk-123\n", 7),
                 MILVUS_ERR_INVALID_ARGUMENT);
    cr_assert_null(strstr(milvus_options_last_error(o), "sk-123"), "%s",
                   milvus_options_last_error(o));
    cr_assert(strstr(milvus_options_last_error(o), "offset 6"), "%s", milvus_options_last_error(o));
    milvus_options_free(o);
}

/* Every operation taking one of the objects refuses it, not only the one
 * the table uses. */
Test(refused_values, every_operation_taking_the_object_refuses_it)
{
    env e;
    milvus_iterator *it = (milvus_iterator *)&it;
    const milvus_column *cols[2];
    const milvus_search_options *legs[2];
    milvus_search_options *good;
    const char *const parts[1] = {"p"};
    env_init(&e);
    cols[0] = e.ints;
    cols[1] = e.qv;
#define REFUSED(call, text)                                                                        \
    do {                                                                                           \
        cr_expect_eq((call), MILVUS_ERR_INVALID_ARGUMENT, "%s", #call);                            \
        cr_expect(strstr(milvus_client_last_error(e.c), text) != NULL, "%s: %s", #call,            \
                  milvus_client_last_error(e.c));                                                  \
    } while (0)
    cr_assert_eq(milvus_search_options_set_limit(e.srch, 100000), MILVUS_ERR_INVALID_ARGUMENT);
    cr_assert_not_null(good = milvus_search_options_new());
    cr_assert_eq(milvus_search_options_set_vectors(good, e.qv), MILVUS_OK);
    cr_assert_eq(milvus_search_options_set_rrf(good, 60), MILVUS_OK);
    legs[0] = good;
    legs[1] = e.srch;
    REFUSED(milvus_client_hybrid_search(e.c, "docs", legs, 2, good, count_cb, &e.calls),
            "hybrid_search: invalid search options of leg 1: milvus_search_options_set_limit: "
            "limit 100000 is out of range (1..16384)");
    REFUSED(milvus_client_hybrid_search(e.c, "docs", legs, 1, e.srch, count_cb, &e.calls),
            "hybrid_search: invalid top search options: milvus_search_options_set_limit");
    REFUSED(milvus_client_search_iterator(e.c, "docs", e.srch, 10, 0, &it),
            "search_iterator: invalid search options: milvus_search_options_set_limit");
    cr_expect_eq(it, (milvus_iterator *)&it, "no iterator for invalid options");

    cr_assert_eq(milvus_query_options_set_offset(e.qry, -1), MILVUS_ERR_INVALID_ARGUMENT);
    REFUSED(milvus_client_get(e.c, "docs", e.ints, e.qry, count_cb, &e.calls),
            "get: invalid query options: milvus_query_options_set_offset: offset -1");
    REFUSED(milvus_client_query_iterator(e.c, "docs", e.qry, 10, 0, &it),
            "query_iterator: invalid query options: milvus_query_options_set_offset");
    cr_expect_eq(it, (milvus_iterator *)&it, "no iterator for invalid options");

    cr_assert_eq(milvus_write_options_set_partition(e.wr, ""), MILVUS_ERR_INVALID_ARGUMENT);
    REFUSED(milvus_client_insert(e.c, "docs", cols, 1, e.wr, count_cb, &e.calls),
            "insert: invalid write options: milvus_write_options_set_partition: partition name");
    REFUSED(milvus_client_upsert(e.c, "docs", cols, 1, e.wr, count_cb, &e.calls),
            "upsert: invalid write options");
    REFUSED(milvus_client_delete_ids(e.c, "docs", e.ints, e.wr, count_cb, &e.calls),
            "delete: invalid write options");

    cr_assert_eq(milvus_await_options_set_timeout_ms(e.aw, -3), MILVUS_ERR_INVALID_ARGUMENT);
    REFUSED(milvus_client_await_load(e.c, "docs", parts, 1, e.aw, count_cb, &e.calls),
            "await_load: invalid await options: milvus_await_options_set_timeout_ms: timeout -3");
    REFUSED(milvus_client_flush_and_wait(e.c, "docs", e.aw, count_cb, &e.calls),
            "flush_and_wait: invalid await options");
    REFUSED(milvus_client_flush_and_snapshot(e.c, "docs", "s", NULL, e.aw, count_cb, &e.calls),
            "flush_and_snapshot: invalid await options");
    REFUSED(
        milvus_client_create_collection_quick(e.c, "docs", 4, NULL, 1, e.aw, count_cb, &e.calls),
        "create_collection_quick: invalid await options");

    cr_assert_eq(milvus_snapshot_options_set_ttl(e.snap, -1), MILVUS_ERR_INVALID_ARGUMENT);
    REFUSED(milvus_client_drop_snapshot(e.c, "docs", "s", e.snap, count_cb, &e.calls),
            "drop_snapshot: invalid snapshot options: milvus_snapshot_options_set_ttl: ttl -1");
    REFUSED(milvus_client_list_snapshots(e.c, "docs", e.snap, count_cb, &e.calls),
            "list_snapshots: invalid snapshot options");
    REFUSED(milvus_client_describe_snapshot(e.c, "docs", "s", e.snap, count_cb, &e.calls),
            "describe_snapshot: invalid snapshot options");
    REFUSED(milvus_client_pin_snapshot_data(e.c, "docs", "s", e.snap, count_cb, &e.calls),
            "pin_snapshot_data: invalid snapshot options");
    REFUSED(milvus_client_flush_and_snapshot(e.c, "docs", "s", e.snap, NULL, count_cb, &e.calls),
            "flush_and_snapshot: invalid snapshot options");
    REFUSED(milvus_client_restore_snapshot(e.c, "docs", "s", "t", e.snap, count_cb, &e.calls),
            "restore_snapshot: invalid snapshot options");
    REFUSED(milvus_client_export_snapshot(e.c, "docs", "s", "s3://b/p", e.snap, count_cb, &e.calls),
            "export_snapshot: invalid snapshot options");
    REFUSED(milvus_client_restore_external_snapshot(e.c, "t", "s3://b/m.json", e.snap, count_cb,
                                                    &e.calls),
            "restore_external_snapshot: invalid snapshot options");
    REFUSED(milvus_client_list_restore_snapshot_jobs(e.c, NULL, e.snap, count_cb, &e.calls),
            "list_restore_snapshot_jobs: invalid snapshot options");

    cr_assert_eq(milvus_await_options_set_interval(e.job, 1, 2, 0), MILVUS_ERR_INVALID_ARGUMENT);
    REFUSED(milvus_client_await_export(e.c, 3, e.job, count_cb, &e.calls),
            "await_export: invalid await options: milvus_await_options_set_interval: "
            "factor 0");
    REFUSED(milvus_client_restore_snapshot_and_wait(e.c, "docs", "s", "t", NULL, e.job, count_cb,
                                                    &e.calls),
            "restore_snapshot_and_wait: invalid await options");
    REFUSED(milvus_client_export_snapshot_and_wait(e.c, "docs", "s", "s3://b/p", NULL, e.job,
                                                   count_cb, &e.calls),
            "export_snapshot_and_wait: invalid await options");
    REFUSED(milvus_client_restore_external_snapshot_and_wait(e.c, "t", "s3://b/m.json", NULL, e.job,
                                                             count_cb, &e.calls),
            "restore_external_snapshot_and_wait: invalid await options");
#undef REFUSED
    cr_expect_eq(milvus_client_pending(e.c), 0, "nothing was queued");
    event_base_loop(e.base, EVLOOP_NONBLOCK);
    cr_expect_eq(e.calls, 0, "no callback ran");
    milvus_search_options_free(good);
    env_free(&e);
}

Test(refused_values, an_invalid_schema_fails_validation_with_the_message)
{
    env e;
    char err[600];
    env_init(&e);
    cr_assert_eq(milvus_schema_validate(e.sch, err, sizeof(err)), MILVUS_OK, "%s", err);
    cr_assert_eq(milvus_field_set_dim(e.vec, 0), MILVUS_ERR_INVALID_ARGUMENT);
    cr_assert_eq(milvus_schema_add_field(e.sch, e.vec), MILVUS_ERR_INVALID_ARGUMENT);
    cr_assert_eq(milvus_schema_validate(e.sch, err, sizeof(err)), MILVUS_ERR_INVALID_ARGUMENT);
    cr_assert_str_eq(err, "invalid schema: milvus_schema_add_field: field \"vec\" is invalid: "
                          "milvus_field_set_dim: dim 0 is out of range for field \"vec\" "
                          "(FloatVector) (1..32768)");
    env_free(&e);
}

/* Setters of the handles themselves (not option objects): the message, and
 * the setting as it was; later operations are not refused. */
Test(refused_values, handle_setters_say_what_they_refused)
{
    env e;
    env_init(&e);
    cr_assert_eq(milvus_sync_set_timeout_ms(e.s, -5), MILVUS_ERR_INVALID_ARGUMENT);
    cr_assert_str_eq(milvus_sync_last_error(e.s), "milvus_sync_set_timeout_ms: timeout -5 ms is "
                                                  "out of range (0 = no bound, or more)");
    cr_assert_eq(milvus_client_drop_collection(e.c, "docs", count_cb, &e.calls), MILVUS_OK);
    env_free(&e);
    cr_assert_eq(e.calls, 1);
}

/* A schema a result holds (milvus_result_schema()) is read-only. */
Test(refused_values, a_result_schema_refuses_its_setters)
{
    mv_cs pb = MILVUS__PROTO__SCHEMA__COLLECTION_SCHEMA__INIT;
    milvus_schema *s;
    milvus_field *f = field("x", MILVUS_TYPE_INT64);
    pb.name = (char *)"docs";
    cr_assert_not_null(s = mv_schema_wrap(&pb, 1));
    cr_assert_eq(milvus_schema_set_dynamic_field(s, 1), MILVUS_ERR_INVALID_ARGUMENT);
    cr_assert_str_eq(milvus_schema_last_error(s),
                     "milvus_schema_set_dynamic_field: schema \"docs\" belongs to a result and is "
                     "read-only (build one with milvus_schema_new())");
    cr_assert_eq(milvus_schema_dynamic_field(s), 0, "unchanged");
    cr_assert_eq(milvus_schema_set_description(s, "d"), MILVUS_ERR_INVALID_ARGUMENT);
    cr_assert_eq(milvus_schema_add_field(s, f), MILVUS_ERR_INVALID_ARGUMENT);
    cr_assert(strstr(milvus_schema_last_error(s), "milvus_schema_add_field: schema \"docs\""), "%s",
              milvus_schema_last_error(s));
    cr_assert_eq(milvus_schema_field_count(s), 0);
    milvus_schema_free(s); /* pb is borrowed: not freed */
    milvus_field_free(f);
}

static int message_cb(milvus_channel *ch, const uint8_t *data, size_t len, void *ctx)
{
    (void)ch;
    (void)data;
    (void)len;
    (void)ctx;
    return 0;
}

static void reply_cb(milvus_channel *ch, int status, const milvus_reply *r, void *ctx)
{
    (void)ch;
    (void)status;
    (void)r;
    ++*(int *)ctx;
}

Test(refused_values, call_options_fail_the_call_and_options_fail_the_channel)
{
    struct event_base *base = event_base_new();
    milvus_options *o = milvus_options_new();
    milvus_call_options *co = milvus_call_options_new();
    milvus_channel *ch = (milvus_channel *)&ch;
    int calls = 0;
    cr_assert_eq(milvus_options_set_uri(o, "http://127.0.0.1:1"), MILVUS_OK);
    cr_assert_eq(milvus_options_set_pool_size(o, 99), MILVUS_ERR_INVALID_ARGUMENT);
    cr_assert_eq(milvus_channel_new(&ch, base, o), MILVUS_ERR_INVALID_ARGUMENT);
    cr_assert_null(ch, "no channel from invalid options");
    cr_assert_eq(milvus_options_set_pool_size(o, 2), MILVUS_OK);
    cr_assert_eq(milvus_channel_new(&ch, base, o), MILVUS_OK);

    cr_assert_eq(milvus_call_options_set_timeout_ms(co, -1), MILVUS_ERR_INVALID_ARGUMENT);
    cr_assert_str_eq(milvus_call_options_last_error(co),
                     "milvus_call_options_set_timeout_ms: timeout -1 ms is out of range (0 = "
                     "the channel default, 1..3153600000000)");
    cr_assert_eq(milvus_call_options_add_metadata(co, "Bad", "v", 1), MILVUS_ERR_INVALID_ARGUMENT);
    cr_assert_eq(milvus_channel_unary(ch, "/a.B/C", "", 0, co, reply_cb, &calls),
                 MILVUS_ERR_INVALID_ARGUMENT);
    cr_assert(strstr(milvus_channel_last_error(ch), "unary: invalid call options: "
                                                    "milvus_call_options_add_metadata: key "
                                                    "\"Bad\""),
              "%s", milvus_channel_last_error(ch));
    cr_assert_eq(
        milvus_channel_server_stream(ch, "/a.B/C", "", 0, co, message_cb, reply_cb, &calls),
        MILVUS_ERR_INVALID_ARGUMENT);
    cr_assert(strstr(milvus_channel_last_error(ch), "server_stream: invalid call options"), "%s",
              milvus_channel_last_error(ch));
    cr_assert_eq(milvus_channel_pending(ch), 0);
    cr_assert_eq(milvus_call_options_add_metadata(co, "good", "v", 1), MILVUS_OK);
    cr_assert(strstr(milvus_call_options_last_error(co), "set_timeout_ms"), "the other stays");
    cr_assert_eq(milvus_call_options_set_timeout_ms(co, 1000), MILVUS_OK);
    cr_assert_str_eq(milvus_call_options_last_error(co), "");
    cr_assert_eq(milvus_channel_unary(ch, "/a.B/C", "", 0, co, reply_cb, &calls), MILVUS_OK);
    cr_assert_eq(milvus_call_options_set_timeout_ms(NULL, 1), MILVUS_ERR_INVALID_ARGUMENT);
    cr_assert_str_eq(milvus_call_options_last_error(NULL), "");
    milvus_channel_free(ch);
    cr_assert_eq(calls, 1, "only the accepted call completed");
    milvus_call_options_free(co);
    milvus_options_free(o);
    event_base_free(base);
}
