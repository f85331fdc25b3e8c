/* SPDX-License-Identifier: Apache-2.0 */
/* Collections, partitions, indexes, load and aliases against the test
 * server. */
#include "itest.h"

#include <stdio.h>

FIXTURE_SERVER_FLAGS("--index-ms", "200", "--load-ms", "200");

TestSuite(collection, .init = itest_setup, .fini = itest_teardown, .timeout = 60);

static milvus_field *field(const char *name, milvus_data_type t)
{
    milvus_field *f;
    cr_assert_eq(milvus_field_new(&f, name, t), MILVUS_OK);
    return f;
}

static void add(milvus_schema *s, milvus_field *f)
{
    cr_assert_eq(milvus_schema_add_field(s, f), MILVUS_OK, "add %s", milvus_field_name(f));
    milvus_field_free(f);
}

/* id Int64 pk, title VarChar(64), score Float nullable default 1.5,
 * tags Array<Int64>[8], meta JSON, vec FloatVector(8); dynamic. */
static milvus_schema *full_schema(void)
{
    milvus_schema *s;
    milvus_field *f;
    cr_assert_eq(milvus_schema_new(&s, NULL), MILVUS_OK);
    cr_assert_eq(milvus_schema_set_description(s, "all kinds of fields"), MILVUS_OK);
    cr_assert_eq(milvus_schema_set_dynamic_field(s, 1), MILVUS_OK);
    f = field("id", MILVUS_TYPE_INT64);
    cr_assert_eq(milvus_field_set_primary_key(f, 1), MILVUS_OK);
    cr_assert_eq(milvus_field_set_description(f, "the key"), MILVUS_OK);
    add(s, f);
    f = field("title", MILVUS_TYPE_VARCHAR);
    cr_assert_eq(milvus_field_set_max_length(f, 64), MILVUS_OK);
    add(s, f);
    f = field("score", MILVUS_TYPE_FLOAT);
    if (fixture_has_feature("nullable")) {
        cr_assert_eq(milvus_field_set_nullable(f, 1), MILVUS_OK);
        cr_assert_eq(milvus_field_set_default_float(f, 1.5f), MILVUS_OK);
    }
    add(s, f);
    f = field("tags", MILVUS_TYPE_ARRAY);
    cr_assert_eq(milvus_field_set_element_type(f, MILVUS_TYPE_INT64), MILVUS_OK);
    cr_assert_eq(milvus_field_set_max_capacity(f, 8), MILVUS_OK);
    add(s, f);
    add(s, field("meta", MILVUS_TYPE_JSON));
    f = field("vec", MILVUS_TYPE_FLOAT_VECTOR);
    cr_assert_eq(milvus_field_set_dim(f, 8), MILVUS_OK);
    add(s, f);
    return s;
}

static int has_string(const milvus_result *r, const char *s)
{
    for (size_t i = 0; i < milvus_result_string_count(r); i++)
        if (strcmp(milvus_result_string_at(r, i), s) == 0)
            return 1;
    return 0;
}

Test(collection, create_describe_round_trips_the_schema)
{
    char name[64];
    milvus_schema *s = full_schema();
    milvus_collection_options *o = milvus_collection_options_new();
    const milvus_schema *got;
    const milvus_field *f;
    milvus_result *r;
    fixture_name(name, sizeof(name), "coll");
    cr_assert_eq(milvus_collection_options_set_shards(o, 2), MILVUS_OK);
    cr_assert_eq(milvus_collection_options_set_consistency(o, MILVUS_CONSISTENCY_STRONG),
                 MILVUS_OK);
    cr_assert_eq(milvus_collection_options_set_property(o, "collection.ttl.seconds", "3600"),
                 MILVUS_OK);
    CALL_OK(milvus_client_create_collection, name, s, o);
    milvus_collection_options_free(o);

    r = CALL(milvus_client_describe_collection, name);
    fixture_assert_ok(r);
    if (fixture_has_feature("collection_id"))
        cr_assert_gt(milvus_result_int64(r), 0, "collection id");
    cr_assert_str_eq(milvus_result_property(r, "collection.ttl.seconds"), "3600");
    got = milvus_result_schema(r);
    cr_assert_not_null(got);
    cr_assert_str_eq(milvus_schema_name(got), name);
    if (fixture_has_feature("schema_description"))
        cr_assert_str_eq(milvus_schema_description(got), "all kinds of fields");
    cr_assert(milvus_schema_dynamic_field(got));
    /* the six fields in order (a server may add its $meta field) */
    cr_assert_geq(milvus_schema_field_count(got), 6);
    for (size_t i = 0; i < 6; i++) {
        const milvus_field *want = milvus_schema_field_at(s, i);
        f = milvus_schema_field_at(got, i);
        cr_assert_str_eq(milvus_field_name(f), milvus_field_name(want));
        cr_assert_eq(milvus_field_type(f), milvus_field_type(want), "%s", milvus_field_name(f));
        if (fixture_has_feature("field_ids"))
            cr_assert_geq(milvus_field_id(f), 100, "field ids are assigned by the server");
    }
    f = milvus_schema_primary_field(got);
    cr_assert_str_eq(milvus_field_name(f), "id");
    if (fixture_has_feature("schema_description"))
        cr_assert_str_eq(milvus_field_description(f), "the key");
    cr_assert_eq(milvus_field_max_length(milvus_schema_field(got, "title")), 64);
    f = milvus_schema_field(got, "score");
    if (fixture_has_feature("nullable")) {
        cr_assert(milvus_field_is_nullable(f));
        cr_assert(milvus_field_has_default(f));
    }
    f = milvus_schema_field(got, "tags");
    cr_assert_eq(milvus_field_element_type(f), MILVUS_TYPE_INT64);
    cr_assert_eq(milvus_field_max_capacity(f), 8);
    cr_assert_eq(milvus_field_dim(milvus_schema_field(got, "vec")), 8);
    milvus_result_unref(r);

    r = CALL(milvus_client_has_collection, name);
    fixture_assert_ok(r);
    cr_assert(milvus_result_bool(r));
    milvus_result_unref(r);
    r = CALL(milvus_client_list_collections);
    fixture_assert_ok(r);
    cr_assert(has_string(r, name));
    milvus_result_unref(r);
    r = CALL(milvus_client_get_collection_stats, name);
    fixture_assert_ok(r);
    cr_assert_str_eq(milvus_result_property(r, "row_count"), "0");
    milvus_result_unref(r);

    CALL_OK(milvus_client_drop_collection, name);
    r = CALL(milvus_client_has_collection, name);
    fixture_assert_ok(r);
    cr_assert_not(milvus_result_bool(r));
    milvus_result_unref(r);
    r = CALL(milvus_client_describe_collection, name);
    cr_assert_eq(milvus_result_status(r), MILVUS_ERR_SERVER);
    cr_assert_eq(milvus_result_server_code(r), 100);
    cr_assert(strstr(milvus_result_message(r), name), "%s", milvus_result_message(r));
    cr_assert(strstr(milvus_result_message(r), "describe_collection"), "%s",
              milvus_result_message(r));
    milvus_result_unref(r);
    milvus_schema_free(s);
}

Test(collection, bad_schemas_are_refused)
{
    char name[64];
    milvus_schema *s;
    milvus_field *f;
    milvus_result *r;
    fixture_name(name, sizeof(name), "badschema");
    /* caught by the client before anything is sent */
    cr_assert_eq(milvus_schema_new(&s, NULL), MILVUS_OK);
    f = field("id", MILVUS_TYPE_VARCHAR);
    cr_assert_eq(milvus_field_set_primary_key(f, 1), MILVUS_OK);
    add(s, f); /* no max_length */
    f = field("v", MILVUS_TYPE_FLOAT_VECTOR);
    cr_assert_eq(milvus_field_set_dim(f, 4), MILVUS_OK);
    add(s, f);
    cr_assert_eq(milvus_client_create_collection(T.c, name, s, NULL, fixture_wait_cb, NULL),
                 MILVUS_ERR_INVALID_ARGUMENT);
    cr_assert(strstr(milvus_client_last_error(T.c), "'id'"), "%s", milvus_client_last_error(T.c));
    cr_assert_eq(milvus_client_pending(T.c), 0);
    milvus_schema_free(s);

    /* the server's own name rules come back with its code and reason */
    if (!fixture_has_feature("field_name_rules"))
        return;
    cr_assert_eq(milvus_schema_new(&s, NULL), MILVUS_OK);
    f = field("id", MILVUS_TYPE_INT64);
    cr_assert_eq(milvus_field_set_primary_key(f, 1), MILVUS_OK);
    add(s, f);
    f = field("1vec", MILVUS_TYPE_FLOAT_VECTOR);
    cr_assert_eq(milvus_field_set_dim(f, 4), MILVUS_OK);
    add(s, f);
    r = CALL(milvus_client_create_collection, name, s, NULL);
    cr_assert_eq(milvus_result_status(r), MILVUS_ERR_SERVER, "%s", milvus_result_message(r));
    /* merr.ErrFieldNameInvalid, as Milvus's proxy answers */
    cr_assert_eq(milvus_result_server_code(r), 1701, "%s", milvus_result_message(r));
    cr_assert(strstr(milvus_result_reason(r), "1vec"), "%s", milvus_result_reason(r));
    milvus_result_unref(r);
    milvus_schema_free(s);
}

/* A loaded collection with `rows` rows, for the other areas. */
static milvus_schema *simple_schema(int dim)
{
    milvus_schema *s;
    milvus_field *f;
    cr_assert_eq(milvus_schema_new(&s, NULL), MILVUS_OK);
    f = field("id", MILVUS_TYPE_INT64);
    cr_assert_eq(milvus_field_set_primary_key(f, 1), MILVUS_OK);
    add(s, f);
    f = field("vec", MILVUS_TYPE_FLOAT_VECTOR);
    cr_assert_eq(milvus_field_set_dim(f, dim), MILVUS_OK);
    add(s, f);
    return s;
}

Test(collection, partitions)
{
    char name[64];
    milvus_schema *s = simple_schema(4);
    milvus_result *r;
    fixture_name(name, sizeof(name), "parts");
    CALL_OK(milvus_client_create_collection, name, s, NULL);
    CALL_OK(milvus_client_create_partition, name, "p1");
    CALL_OK(milvus_client_create_partition, name, "p2");
    r = CALL(milvus_client_list_partitions, name);
    fixture_assert_ok(r);
    cr_assert_eq(milvus_result_string_count(r), 3);
    cr_assert(has_string(r, "_default") && has_string(r, "p1") && has_string(r, "p2"));
    milvus_result_unref(r);
    r = CALL(milvus_client_has_partition, name, "p1");
    fixture_assert_ok(r);
    cr_assert(milvus_result_bool(r));
    milvus_result_unref(r);
    CALL_OK(milvus_client_drop_partition, name, "p1");
    r = CALL(milvus_client_has_partition, name, "p1");
    fixture_assert_ok(r);
    cr_assert_not(milvus_result_bool(r));
    milvus_result_unref(r);
    r = CALL(milvus_client_create_partition, "no_such_collection_x", "p");
    cr_assert_eq(milvus_result_status(r), MILVUS_ERR_SERVER);
    cr_assert_eq(milvus_result_server_code(r), 100);
    milvus_result_unref(r);
    milvus_schema_free(s);
}

Test(collection, index_describe_list_drop)
{
    char name[64];
    milvus_schema *s = simple_schema(4);
    milvus_index_options *io = milvus_index_options_new();
    milvus_result *r;
    fixture_require_feature("index_name");
    fixture_name(name, sizeof(name), "idx");
    CALL_OK(milvus_client_create_collection, name, s, NULL);
    cr_assert_eq(milvus_index_options_set_name(io, "vec_hnsw"), MILVUS_OK);
    cr_assert_eq(milvus_index_options_set_type(io, "HNSW"), MILVUS_OK);
    cr_assert_eq(milvus_index_options_set_metric(io, "L2"), MILVUS_OK);
    cr_assert_eq(milvus_index_options_set_param(io, "M", "16"), MILVUS_OK);
    cr_assert_eq(milvus_index_options_set_param(io, "efConstruction", "64"), MILVUS_OK);
    CALL_OK(milvus_client_create_index, name, "vec", io);
    milvus_index_options_free(io);

    r = CALL(milvus_client_describe_index, name, "vec_hnsw");
    fixture_assert_ok(r);
    cr_assert_eq(milvus_result_index_count(r), 1);
    cr_assert_str_eq(milvus_result_index_name(r, 0), "vec_hnsw");
    cr_assert_str_eq(milvus_result_index_field(r, 0), "vec");
    cr_assert_str_eq(milvus_result_index_param(r, 0, "index_type"), "HNSW");
    cr_assert_str_eq(milvus_result_index_param(r, 0, "metric_type"), "L2");
    cr_assert_str_eq(milvus_result_index_param(r, 0, "M"), "16");
    cr_assert_null(milvus_result_index_param(r, 0, "nope"));
    cr_assert_null(milvus_result_index_name(r, 1));
    milvus_result_unref(r);
    r = CALL(milvus_client_list_indexes, name);
    fixture_assert_ok(r);
    cr_assert_eq(milvus_result_string_count(r), 1);
    cr_assert_str_eq(milvus_result_string_at(r, 0), "vec_hnsw");
    milvus_result_unref(r);
    CALL_OK(milvus_client_drop_index, name, "vec_hnsw");
    r = CALL(milvus_client_describe_index, name, "vec_hnsw");
    cr_assert_eq(milvus_result_status(r), MILVUS_ERR_SERVER);
    cr_assert_eq(milvus_result_server_code(r), 700, "%s", milvus_result_message(r));
    milvus_result_unref(r);
    milvus_schema_free(s);
}

Test(collection, load_release_and_state)
{
    char name[64];
    milvus_schema *s = simple_schema(4);
    milvus_result *r;
    fixture_require_feature("load_state");
    fixture_name(name, sizeof(name), "load");
    CALL_OK(milvus_client_create_collection, name, s, NULL);
    /* no index yet: loading is refused with the index error */
    if (fixture_has_feature("load_needs_index")) {
        r = CALL(milvus_client_load_collection, name, NULL);
        cr_assert_eq(milvus_result_status(r), MILVUS_ERR_SERVER);
        cr_assert_eq(milvus_result_server_code(r), 700, "%s", milvus_result_message(r));
        milvus_result_unref(r);
    }
    CALL_OK(milvus_client_create_index, name, "vec", fixture_default_index());
    r = CALL(milvus_client_get_load_state, name);
    fixture_assert_ok(r);
    cr_assert_eq(milvus_result_int64(r), MILVUS_LOAD_STATE_NOT_LOAD);
    milvus_result_unref(r);
    CALL_OK(milvus_client_load_collection, name, NULL);
    r = CALL(milvus_client_get_load_state, name);
    fixture_assert_ok(r);
    cr_assert(milvus_result_int64(r) == MILVUS_LOAD_STATE_LOADING ||
              milvus_result_int64(r) == MILVUS_LOAD_STATE_LOADED);
    milvus_result_unref(r);
    CALL_OK(milvus_client_release_collection, name);
    r = CALL(milvus_client_get_load_state, name);
    fixture_assert_ok(r);
    cr_assert_eq(milvus_result_int64(r), MILVUS_LOAD_STATE_NOT_LOAD);
    milvus_result_unref(r);
    milvus_schema_free(s);
}

Test(collection, aliases)
{
    char name[64], alias[64];
    milvus_schema *s = simple_schema(4);
    milvus_result *r;
    fixture_name(name, sizeof(name), "aliased");
    fixture_name(alias, sizeof(alias), "al");
    CALL_OK(milvus_client_create_collection, name, s, NULL);
    CALL_OK(milvus_client_create_alias, name, alias);
    /* the alias resolves everywhere */
    r = CALL(milvus_client_describe_collection, alias);
    fixture_assert_ok(r);
    cr_assert_str_eq(milvus_schema_name(milvus_result_schema(r)), name);
    milvus_result_unref(r);
    CALL_OK(milvus_client_drop_alias, alias);
    r = CALL(milvus_client_has_collection, alias);
    fixture_assert_ok(r);
    cr_assert_not(milvus_result_bool(r));
    milvus_result_unref(r);
    milvus_schema_free(s);
}

Test(collection, flush)
{
    char name[64];
    milvus_schema *s = simple_schema(4);
    fixture_name(name, sizeof(name), "flush");
    CALL_OK(milvus_client_create_collection, name, s, NULL);
    CALL_OK(milvus_client_flush, name);
    milvus_schema_free(s);
}
