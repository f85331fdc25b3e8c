/* SPDX-License-Identifier: Apache-2.0 */
/* Awaits (index, load, flush: progress, deadline, cancel), the quick
 * create, rename, properties, partition load/release/stats, refresh,
 * aliases and compaction against the test server. */
#include "itest.h"

#include <stdio.h>
#include <time.h>

FIXTURE_SERVER_FLAGS("--index-ms", "600", "--load-ms", "600");

TestSuite(admin, .init = itest_setup, .fini = itest_teardown, .timeout = 60);

static milvus_schema *schema4(void)
{
    milvus_schema *s;
    milvus_field *id, *v;
    cr_assert_eq(milvus_schema_new(&s, NULL), MILVUS_OK);
    cr_assert_eq(milvus_field_new(&id, "id", MILVUS_TYPE_INT64), MILVUS_OK);
    cr_assert_eq(milvus_field_set_primary_key(id, 1), MILVUS_OK);
    cr_assert_eq(milvus_field_new(&v, "vec", MILVUS_TYPE_FLOAT_VECTOR), MILVUS_OK);
    cr_assert_eq(milvus_field_set_dim(v, 4), MILVUS_OK);
    cr_assert_eq(milvus_field_set_type_param(v, "mmap.enabled", "false"), MILVUS_OK);
    cr_assert_eq(milvus_schema_add_field(s, id), MILVUS_OK);
    cr_assert_eq(milvus_schema_add_field(s, v), MILVUS_OK);
    milvus_field_free(id);
    milvus_field_free(v);
    return s;
}

static void create(const char *name)
{
    milvus_schema *s = schema4();
    CALL_OK(milvus_client_create_collection, name, s, fixture_collection_options());
    milvus_schema_free(s);
}

typedef struct progress_log {
    int n;
    int64_t values[64];
} progress_log;

static void on_progress(milvus_client *c, int64_t p, const milvus_result *res, void *ctx)
{
    progress_log *l = ctx;
    (void)c;
    cr_assert_eq(milvus_result_status(res), MILVUS_OK);
    if (l->n < 64)
        l->values[l->n++] = p;
}

static int64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

Test(admin, await_index_and_load_report_progress)
{
    char name[64];
    milvus_await_options *ao = milvus_await_options_new();
    progress_log li = {0}, ll = {0};
    milvus_result *r;
    fixture_name(name, sizeof(name), "awaits");
    create(name);
    CALL_OK(milvus_client_create_index, name, "vec", fixture_default_index());
    cr_assert_eq(milvus_await_options_set_interval(ao, 20, 50, 2), MILVUS_OK);
    cr_assert_eq(milvus_await_options_set_progress(ao, on_progress, &li), MILVUS_OK);
    r = CALL(milvus_client_await_index, name, NULL, ao);
    fixture_assert_ok(r);
    cr_assert_eq(milvus_result_int64(r), 100);
    cr_assert_eq(milvus_result_index_state(r, 0), MILVUS_INDEX_STATE_FINISHED);
    cr_assert_str_eq(milvus_result_string_at(r, 0), "vec");
    milvus_result_unref(r);
    /* only the test server's builds take time (a real server's index of
     * an empty collection is finished at once) */
    if (fixture_has_feature("timed_builds"))
        cr_assert_geq(li.n, 2, "progress seen before the end (%d reports)", li.n);
    else
        cr_assert_geq(li.n, 1);
    cr_assert_eq(li.values[li.n - 1], 100);
    for (int i = 1; i < li.n; i++)
        cr_assert_gt(li.values[i], li.values[i - 1], "progress only grows");

    CALL_OK(milvus_client_load_collection, name, NULL);
    cr_assert_eq(milvus_await_options_set_progress(ao, on_progress, &ll), MILVUS_OK);
    r = CALL(milvus_client_await_load, name, NULL, 0, ao);
    fixture_assert_ok(r);
    cr_assert_eq(milvus_result_int64(r), 100);
    milvus_result_unref(r);
    cr_assert_geq(ll.n, fixture_has_feature("timed_builds") ? 2 : 1);
    cr_assert_eq(ll.values[ll.n - 1], 100);
    r = CALL(milvus_client_get_load_state, name);
    cr_assert_eq(milvus_result_int64(r), MILVUS_LOAD_STATE_LOADED);
    milvus_result_unref(r);
    milvus_await_options_free(ao);
}

Test(admin, await_deadline_and_cancel)
{
    char name[64];
    milvus_await_options *ao = milvus_await_options_new();
    fixture_wait w = {0, 0, NULL};
    milvus_result *r;
    int64_t t0;
    uint64_t id;
    fixture_require_feature("timed_builds");
    fixture_name(name, sizeof(name), "deadline");
    create(name);
    CALL_OK(milvus_client_create_index, name, "vec", fixture_default_index());
    /* the build takes 600 ms: a 150 ms deadline passes first */
    cr_assert_eq(milvus_await_options_set_timeout_ms(ao, 150), MILVUS_OK);
    cr_assert_eq(milvus_await_options_set_interval(ao, 20, 40, 2), MILVUS_OK);
    t0 = now_ms();
    r = CALL(milvus_client_await_index, name, "vec", ao);
    cr_assert_eq(milvus_result_status(r), MILVUS_ERR_TIMEOUT, "%s", milvus_result_message(r));
    cr_assert(strstr(milvus_result_message(r), "deadline"), "%s", milvus_result_message(r));
    if (!getenv("MILVUS_VALGRIND")) /* too slow there for timing checks */
        cr_assert_lt(now_ms() - t0, 450, "ended at the deadline");
    milvus_result_unref(r);

    /* cancel: the callback runs once with CANCELLED */
    cr_assert_eq(milvus_await_options_set_timeout_ms(ao, 0), MILVUS_OK);
    cr_assert_eq(milvus_client_await_index(T.c, name, "vec", ao, fixture_wait_cb, &w), MILVUS_OK);
    id = milvus_client_last_call(T.c);
    {
        int never = 0;
        fixture_run_until(T.base, &never, 60); /* a poll or two */
    }
    cr_assert_eq(w.calls, 0);
    cr_assert_eq(milvus_client_cancel(T.c, id), MILVUS_OK);
    r = fixture_wait_result(T.base, T.c, MILVUS_OK, &w);
    cr_assert_eq(milvus_result_status(r), MILVUS_ERR_CANCELLED, "%s", milvus_result_message(r));
    milvus_result_unref(r);
    cr_assert_eq(milvus_client_pending(T.c), 0);
    milvus_await_options_free(ao);
}

/* The interval's factor: each delay is the previous one times factor.
 * Through a 600 ms build, 25 ms kept flat polls about 24 times, 25 ms
 * times 4 (25, 100, 400, ...) five times at most.  The polls are counted
 * by the await's result (one attempt per poll): the server's counters are
 * shared with the tests running beside this one. */
static long index_polls(const char *prefix, double factor)
{
    char name[64];
    milvus_await_options *ao = milvus_await_options_new();
    milvus_result *r;
    long polls;
    fixture_name(name, sizeof(name), prefix);
    create(name);
    CALL_OK(milvus_client_create_index, name, "vec", fixture_default_index());
    cr_assert_eq(milvus_await_options_set_interval(ao, 25, 2000, factor), MILVUS_OK);
    r = CALL(milvus_client_await_index, name, "vec", ao);
    fixture_assert_ok(r);
    polls = milvus_result_attempts(r);
    milvus_result_unref(r);
    milvus_await_options_free(ao);
    return polls;
}

Test(admin, await_index_honours_the_interval_factor)
{
    long flat, steep;
    fixture_require_feature("timed_builds");
    flat = index_polls("factor1", 1.0);
    steep = index_polls("factor4", 4.0);
    cr_log_info("DescribeIndex polls: %ld at x1, %ld at x4", flat, steep);
    cr_assert_geq(flat, 12, "%ld polls at 25 ms x1 through a 600 ms build", flat);
    cr_assert_leq(steep, 6, "%ld polls at 25 ms x4 through a 600 ms build", steep);
    cr_assert_geq(steep, 3, "%ld polls at 25 ms x4 through a 600 ms build", steep);
}

Test(admin, flush_and_wait)
{
    char name[64];
    milvus_column *cols[2];
    int64_t ids[2] = {1, 2};
    float v[8] = {0};
    milvus_result *r;
    fixture_name(name, sizeof(name), "flushawait");
    create(name);
    cr_assert_eq(milvus_column_new_int64(&cols[0], "id", ids, 2), MILVUS_OK);
    cr_assert_eq(milvus_column_new_float_vector(&cols[1], "vec", 4, v, 2), MILVUS_OK);
    r = CALL(milvus_client_insert, name, (const milvus_column *const *)cols, 2, NULL);
    fixture_assert_ok(r);
    milvus_result_unref(r);
    r = CALL(milvus_client_flush_and_wait, name, NULL);
    fixture_assert_ok(r);
    cr_assert_eq(milvus_result_int64(r), 100);
    milvus_result_unref(r);
    milvus_column_free(cols[0]);
    milvus_column_free(cols[1]);
    if (fixture_has_feature("merr_codes")) {
        r = CALL(milvus_client_flush_and_wait, "no_such_coll_flush", NULL);
        cr_assert_eq(milvus_result_status(r), MILVUS_ERR_SERVER);
        cr_assert_eq(milvus_result_server_code(r), 100);
        milvus_result_unref(r);
    }
}

Test(admin, quick_create_is_ready_to_search)
{
    char name[64];
    milvus_column *cols[1];
    float v[3 * 4] = {1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0};
    milvus_search_options *so = milvus_search_options_new();
    milvus_column *q;
    milvus_result *r;
    fixture_name(name, sizeof(name), "quick");
    r = CALL(milvus_client_create_collection_quick, name, 4, "IP", 1, NULL);
    fixture_assert_ok(r);
    cr_assert_eq(milvus_result_int64(r), 100);
    milvus_result_unref(r);
    r = CALL(milvus_client_describe_collection, name);
    fixture_assert_ok(r);
    cr_assert(milvus_field_is_auto_id(milvus_schema_field(milvus_result_schema(r), "id")));
    cr_assert(milvus_schema_dynamic_field(milvus_result_schema(r)));
    milvus_result_unref(r);
    cr_assert_eq(milvus_column_new_float_vector(&cols[0], "vector", 4, v, 3), MILVUS_OK);
    r = CALL(milvus_client_insert, name, (const milvus_column *const *)cols, 1, NULL);
    fixture_assert_ok(r);
    cr_assert_eq(milvus_column_rows(milvus_result_ids(r)), 3, "server-generated ids");
    milvus_result_unref(r);
    cr_assert_eq(milvus_column_new_float_vector(&q, "q", 4, v + 4, 1), MILVUS_OK);
    cr_assert_eq(milvus_search_options_set_vectors(so, q), MILVUS_OK);
    /* the quick form keeps the default consistency (Bounded): read strong */
    cr_assert_eq(milvus_search_options_set_consistency(so, MILVUS_CONSISTENCY_STRONG), MILVUS_OK);
    r = CALL(milvus_client_search, name, so);
    fixture_assert_ok(r);
    cr_assert_eq(milvus_result_hit_count(r, 0), 3);
    cr_assert_float_eq(milvus_result_hit_scores(r, 0)[0], 1.0, 1e-6);
    milvus_result_unref(r);
    milvus_column_free(q);
    milvus_column_free(cols[0]);
    milvus_search_options_free(so);
    /* a bad dimension never reaches the server */
    cr_assert_eq(
        milvus_client_create_collection_quick(T.c, name, 0, NULL, 1, NULL, fixture_wait_cb, NULL),
        MILVUS_ERR_INVALID_ARGUMENT);
}

Test(admin, rename_and_properties)
{
    char name[64], renamed[64];
    const char *k[] = {"collection.ttl.seconds"};
    const char *v[] = {"60"};
    const char *fk[] = {"mmap.enabled"};
    const char *fv[] = {"true"};
    milvus_result *r;
    fixture_name(name, sizeof(name), "ren");
    fixture_name(renamed, sizeof(renamed), "renamed");
    create(name);
    CALL_OK(milvus_client_alter_collection_properties, name, k, v, 1);
    r = CALL(milvus_client_describe_collection, name);
    fixture_assert_ok(r);
    cr_assert_str_eq(milvus_result_property(r, "collection.ttl.seconds"), "60");
    milvus_result_unref(r);
    if (fixture_has_feature("drop_properties")) {
        CALL_OK(milvus_client_drop_collection_properties, name, k, 1);
        r = CALL(milvus_client_describe_collection, name);
        cr_assert_null(milvus_result_property(r, "collection.ttl.seconds"));
        milvus_result_unref(r);
    }
    if (fixture_has_feature("field_properties")) {
        CALL_OK(milvus_client_alter_collection_field_property, name, "vec", fk, fv, 1);
        r = CALL(milvus_client_describe_collection, name);
        cr_assert_str_eq(milvus_field_type_param(
                             milvus_schema_field(milvus_result_schema(r), "vec"), "mmap.enabled"),
                         "true");
        milvus_result_unref(r);
    }

    CALL_OK(milvus_client_rename_collection, name, renamed, NULL);
    r = CALL(milvus_client_has_collection, name);
    cr_assert_not(milvus_result_bool(r));
    milvus_result_unref(r);
    r = CALL(milvus_client_has_collection, renamed);
    cr_assert(milvus_result_bool(r));
    milvus_result_unref(r);
    /* the new name is checked first (rootcoord), then the old one */
    r = CALL(milvus_client_rename_collection, name, renamed, NULL);
    cr_assert_eq(milvus_result_status(r), MILVUS_ERR_SERVER);
    if (fixture_has_feature("merr_codes"))
        cr_assert(strstr(milvus_result_reason(r), "duplicated new collection name"), "%s",
                  milvus_result_message(r));
    milvus_result_unref(r);
    if (fixture_has_feature("merr_codes")) {
        r = CALL(milvus_client_rename_collection, name, "never_named_like_this", NULL);
        cr_assert_eq(milvus_result_status(r), MILVUS_ERR_SERVER);
        cr_assert_eq(milvus_result_server_code(r), 100, "%s", milvus_result_message(r));
        milvus_result_unref(r);
    }
    cr_assert_eq(
        milvus_client_alter_collection_properties(T.c, renamed, k, NULL, 1, fixture_wait_cb, NULL),
        MILVUS_ERR_INVALID_ARGUMENT);
}

Test(admin, partitions_load_release_stats_refresh)
{
    char name[64];
    const char *parts[] = {"pa", "pb"};
    milvus_await_options *ao = milvus_await_options_new();
    milvus_result *r;
    fixture_require_feature("partition_load");
    fixture_name(name, sizeof(name), "pload");
    create(name);
    CALL_OK(milvus_client_create_partition, name, "pa");
    CALL_OK(milvus_client_create_partition, name, "pb");
    CALL_OK(milvus_client_create_index, name, "vec", fixture_default_index());
    r = CALL(milvus_client_await_index, name, NULL, NULL);
    fixture_assert_ok(r);
    milvus_result_unref(r);
    CALL_OK(milvus_client_load_partitions, name, parts, 2);
    cr_assert_eq(milvus_await_options_set_interval(ao, 20, 100, 2), MILVUS_OK);
    r = CALL(milvus_client_await_load, name, parts, 2, ao);
    fixture_assert_ok(r);
    milvus_result_unref(r);
    r = CALL(milvus_client_get_partition_stats, name, "pa");
    fixture_assert_ok(r);
    cr_assert_str_eq(milvus_result_property(r, "row_count"), "0");
    milvus_result_unref(r);
    CALL_OK(milvus_client_refresh_load, name);
    CALL_OK(milvus_client_release_partitions, name, parts, 1);
    cr_assert_eq(milvus_client_release_partitions(T.c, name, NULL, 0, fixture_wait_cb, NULL),
                 MILVUS_ERR_INVALID_ARGUMENT);
    cr_assert_eq(milvus_client_load_partitions(T.c, name, parts, 0, fixture_wait_cb, NULL),
                 MILVUS_ERR_INVALID_ARGUMENT);
    r = CALL(milvus_client_load_partitions, name, (const char *const[]){"nope"}, 1);
    cr_assert_eq(milvus_result_status(r), MILVUS_ERR_SERVER);
    cr_assert_eq(milvus_result_server_code(r), 200, "%s", milvus_result_message(r));
    milvus_result_unref(r);
    milvus_await_options_free(ao);
}

Test(admin, aliases_alter_describe_list)
{
    char a[64], b[64], al[64];
    milvus_result *r;
    fixture_name(a, sizeof(a), "ca");
    fixture_name(b, sizeof(b), "cb");
    fixture_name(al, sizeof(al), "alias");
    create(a);
    create(b);
    CALL_OK(milvus_client_create_alias, a, al);
    r = CALL(milvus_client_describe_alias, al);
    fixture_assert_ok(r);
    cr_assert_str_eq(milvus_result_string(r), a);
    milvus_result_unref(r);
    CALL_OK(milvus_client_alter_alias, b, al);
    r = CALL(milvus_client_describe_alias, al);
    cr_assert_str_eq(milvus_result_string(r), b);
    milvus_result_unref(r);
    r = CALL(milvus_client_list_aliases, b);
    fixture_assert_ok(r);
    cr_assert_eq(milvus_result_string_count(r), 1);
    cr_assert_str_eq(milvus_result_string_at(r, 0), al);
    milvus_result_unref(r);
    r = CALL(milvus_client_list_aliases, a);
    cr_assert_eq(milvus_result_string_count(r), 0);
    milvus_result_unref(r);
    CALL_OK(milvus_client_drop_alias, al);
    r = CALL(milvus_client_describe_alias, al);
    cr_assert_eq(milvus_result_status(r), MILVUS_ERR_SERVER, "%s", milvus_result_message(r));
    milvus_result_unref(r);
}

Test(admin, compaction)
{
    char name[64];
    milvus_result *r;
    int64_t id;
    int state = -1;
    fixture_require_feature("compaction");
    fixture_name(name, sizeof(name), "compact");
    create(name);
    r = CALL(milvus_client_compact, name, 0);
    fixture_assert_ok(r);
    id = milvus_result_int64(r);
    cr_assert_neq(id, 0);
    milvus_result_unref(r);
    for (int i = 0; i < 100 && state != MILVUS_COMPACTION_COMPLETED; i++) {
        r = CALL(milvus_client_get_compaction_state, id);
        fixture_assert_ok(r);
        state = (int)milvus_result_int64(r);
        cr_assert_not_null(milvus_result_property(r, "completed_plans"));
        milvus_result_unref(r);
        if (state != MILVUS_COMPACTION_COMPLETED) {
            int never = 0;
            fixture_run_until(T.base, &never, 50);
        }
    }
    cr_assert_eq(state, MILVUS_COMPACTION_COMPLETED);
    r = CALL(milvus_client_compact, "no_such_compact_coll", 0);
    cr_assert_eq(milvus_result_server_code(r), 100);
    milvus_result_unref(r);
}
