/* SPDX-License-Identifier: Apache-2.0 */
/* Connection area against the test server: Connect handshake (explicit and
 * lazy), identifier and dbname metadata, version, health, databases and
 * use_database. */
#include "itest.h"

#include <stdio.h>
#include <time.h>

static int64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

TestSuite(connection, .init = itest_setup, .fini = itest_teardown, .timeout = 60);

Test(connection, connect_reports_version_and_identifier)
{
    milvus_result *r = CALL(milvus_client_connect);
    char id[32], *seen;
    fixture_assert_ok(r);
    /* the test server's build tags; a real server's own */
    if (fixture_has_faults())
        cr_assert_str_eq(milvus_result_string(r), "v2.6.4");
    else
        cr_assert_neq(milvus_result_string(r)[0], 0);
    if (fixture_has_feature("identifier"))
        cr_assert_neq(milvus_result_int64(r), 0);
    cr_assert_eq(milvus_client_identifier(T.c), milvus_result_int64(r));
    milvus_result_unref(r);

    /* every later call carries the identifier (CheckHealth: only this test
     * calls it in this program, so the server's "last headers" are ours) */
    r = CALL(milvus_client_check_health);
    fixture_assert_ok(r);
    cr_assert(milvus_result_bool(r));
    cr_assert_eq(milvus_result_string_count(r), 0);
    milvus_result_unref(r);
    if (!fixture_has_faults())
        return;
    snprintf(id, sizeof(id), "%lld", (long long)milvus_client_identifier(T.c));
    seen = fixture_last_header("CheckHealth", "identifier");
    cr_assert_not_null(seen);
    cr_assert_str_eq(seen, id);
    free(seen);
    seen = fixture_last_header("CheckHealth", "user-agent");
    cr_assert(seen && strstr(seen, "libmilvus/"), "user-agent %s", seen ? seen : "(none)");
    free(seen);
}

Test(connection, first_call_runs_the_handshake)
{
    /* no explicit connect: GetVersion waits for the lazy handshake */
    milvus_result *r = CALL(milvus_client_get_server_version);
    fixture_assert_ok(r);
    if (fixture_has_faults())
        cr_assert_str_eq(milvus_result_string(r), "v2.6.4");
    else
        cr_assert_neq(milvus_result_string(r)[0], 0);
    cr_assert_str_eq(milvus_result_operation(r), "get_server_version");
    milvus_result_unref(r);
    if (fixture_has_feature("identifier"))
        cr_assert_neq(milvus_client_identifier(T.c), 0, "the handshake ran before the call");
}

Test(connection, several_calls_wait_for_one_handshake)
{
    fixture_wait w[5];
    memset(w, 0, sizeof(w));
    for (int i = 0; i < 5; i++)
        cr_assert_eq(milvus_client_get_server_version(T.c, fixture_wait_cb, &w[i]), MILVUS_OK);
    cr_assert_eq(milvus_client_pending(T.c), 5);
    for (int i = 0; i < 5; i++) {
        milvus_result *r = fixture_wait_result(T.base, T.c, MILVUS_OK, &w[i]);
        fixture_assert_ok(r);
        milvus_result_unref(r);
    }
    cr_assert_eq(milvus_client_pending(T.c), 0);
}

Test(connection, databases_and_dbname_header)
{
    char db[64], *seen;
    milvus_result *r;
    milvus_options *o;
    milvus_client *c2;
    struct event_base *b2;
    const char *keys[] = {"database.max.collections"};
    const char *vals[] = {"7"};
    int found = 0;

    fixture_require_feature("databases");
    fixture_name(db, sizeof(db), "db");
    CALL_OK(milvus_client_create_database, db);
    r = CALL(milvus_client_list_database);
    fixture_assert_ok(r);
    for (size_t i = 0; i < milvus_result_string_count(r); i++)
        found += strcmp(milvus_result_string_at(r, i), db) == 0;
    cr_assert_eq(found, 1);
    milvus_result_unref(r);

    if (fixture_has_feature("database_properties")) {
        CALL_OK(milvus_client_alter_database_properties, db, keys, vals, 1);
        r = CALL(milvus_client_describe_database, db);
        fixture_assert_ok(r);
        cr_assert_str_eq(milvus_result_property(r, "database.max.collections"), "7");
        milvus_result_unref(r);
        CALL_OK(milvus_client_drop_database_properties, db, keys, 1);
        r = CALL(milvus_client_describe_database, db);
        fixture_assert_ok(r);
        cr_assert_null(milvus_result_property(r, "database.max.collections"));
        milvus_result_unref(r);
    }

    /* a client opened on that database sends it as "dbname" */
    b2 = T.base;
    o = fixture_options();
    cr_assert_eq(milvus_options_set_database(o, db), MILVUS_OK);
    cr_assert_eq(milvus_client_new(&c2, b2, o), MILVUS_OK);
    milvus_options_free(o);
    cr_assert_str_eq(milvus_client_database(c2), db);
    {
        fixture_wait w = {0, 0, NULL};
        r = fixture_wait_result(b2, c2, milvus_client_list_collections(c2, fixture_wait_cb, &w),
                                &w);
        fixture_assert_ok(r);
        cr_assert_eq(milvus_result_string_count(r), 0);
        milvus_result_unref(r);
    }
    milvus_client_free(c2);
    if (fixture_has_faults()) {
        seen = fixture_last_header("ShowCollections", "dbname");
        cr_assert(seen && strcmp(seen, db) == 0, "dbname header %s", seen ? seen : "(none)");
        free(seen);
    }

    CALL_OK(milvus_client_drop_database, db);
    if (fixture_has_feature("database_properties")) {
        r = CALL(milvus_client_describe_database, db);
        cr_assert_eq(milvus_result_status(r), MILVUS_ERR_SERVER);
        cr_assert_eq(milvus_result_server_code(r), 800, "%s", milvus_result_message(r));
        milvus_result_unref(r);
    }
    r = CALL(milvus_client_list_database);
    fixture_assert_ok(r);
    for (size_t i = 0; i < milvus_result_string_count(r); i++)
        cr_assert_str_neq(milvus_result_string_at(r, i), db, "dropped, still listed");
    milvus_result_unref(r);
}

static milvus_schema *small_schema(void)
{
    milvus_schema *s;
    milvus_field *id, *v;
    cr_assert_eq(milvus_schema_new(&s, NULL), MILVUS_OK);
    cr_assert_eq(milvus_field_new(&id, "id", MILVUS_TYPE_INT64), MILVUS_OK);
    cr_assert_eq(milvus_field_set_primary_key(id, 1), MILVUS_OK);
    cr_assert_eq(milvus_field_new(&v, "v", MILVUS_TYPE_FLOAT_VECTOR), MILVUS_OK);
    cr_assert_eq(milvus_field_set_dim(v, 4), MILVUS_OK);
    cr_assert_eq(milvus_schema_add_field(s, id), MILVUS_OK);
    cr_assert_eq(milvus_schema_add_field(s, v), MILVUS_OK);
    milvus_field_free(id);
    milvus_field_free(v);
    return s;
}

/* Per-call options of the typed API: metadata and timeout on the
 * operations submitted after them, not on those already submitted. */
Test(connection, call_options_apply_to_later_operations)
{
    milvus_call_options *co = milvus_call_options_new(), *bad = milvus_call_options_new();
    fixture_wait w1 = {0, 0, NULL}, w2 = {0, 0, NULL};
    milvus_result *r;
    char *seen;
    int64_t t0;
    fixture_require_faults();
    cr_assert(co && bad);
    CALL_OK(milvus_client_connect);
    cr_assert_eq(fixture_control_reset(), MILVUS_OK);

    cr_assert_eq(milvus_call_options_add_metadata(co, "x-request-tag", "one", 3), MILVUS_OK);
    cr_assert_eq(milvus_client_set_call_options(T.c, co), MILVUS_OK);
    cr_assert_eq(milvus_call_options_add_metadata(co, "x-later", "no", 2), MILVUS_OK);
    CALL_OK(milvus_client_list_collections);
    seen = fixture_last_header("ShowCollections", "x-request-tag");
    cr_assert_str_eq(seen ? seen : "(none)", "one");
    free(seen);
    seen = fixture_last_header("ShowCollections", "x-later");
    cr_assert_null(seen, "the options were copied when set");
    free(seen);

    /* an operation keeps the options it was submitted with */
    milvus_call_options_free(co);
    co = milvus_call_options_new();
    cr_assert_eq(milvus_call_options_add_metadata(co, "x-request-tag", "two", 3), MILVUS_OK);
    cr_assert_eq(milvus_client_set_call_options(T.c, co), MILVUS_OK);
    cr_assert_eq(milvus_client_get_server_version(T.c, fixture_wait_cb, &w1), MILVUS_OK);
    cr_assert_eq(milvus_client_set_call_options(T.c, NULL), MILVUS_OK);
    cr_assert_eq(milvus_client_check_health(T.c, fixture_wait_cb, &w2), MILVUS_OK);
    r = fixture_wait_result(T.base, T.c, MILVUS_OK, &w1);
    fixture_assert_ok(r);
    milvus_result_unref(r);
    r = fixture_wait_result(T.base, T.c, MILVUS_OK, &w2);
    fixture_assert_ok(r);
    milvus_result_unref(r);
    seen = fixture_last_header("GetVersion", "x-request-tag");
    cr_assert_str_eq(seen ? seen : "(none)", "two");
    free(seen);
    seen = fixture_last_header("CheckHealth", "x-request-tag");
    cr_assert_null(seen, "NULL went back to no call options");
    free(seen);

    /* the timeout bounds each RPC of later operations */
    cr_assert_eq(milvus_call_options_set_timeout_ms(co, 200), MILVUS_OK);
    cr_assert_eq(milvus_client_set_call_options(T.c, co), MILVUS_OK);
    cr_assert_eq(
        fixture_control("{\"reset\":true,\"latency_ms\":1500,\"methods\":[\"GetVersion\"]}", NULL),
        MILVUS_OK);
    t0 = now_ms();
    r = CALL(milvus_client_get_server_version);
    /* the client's timer or the server's (it got grpc-timeout 200m), whichever fires first */
    cr_assert(milvus_result_status(r) == MILVUS_ERR_TIMEOUT ||
                  (milvus_result_status(r) == MILVUS_ERR_GRPC &&
                   milvus_result_grpc_code(r) == MILVUS_GRPC_DEADLINE_EXCEEDED),
              "%s", milvus_result_message(r));
    cr_assert_lt(now_ms() - t0, 1400);
    milvus_result_unref(r);
    cr_assert_eq(fixture_control_reset(), MILVUS_OK);
    cr_assert_eq(milvus_client_set_call_options(T.c, NULL), MILVUS_OK);

    /* options holding a refused value are refused */
    cr_assert_eq(milvus_call_options_set_timeout_ms(bad, -1), MILVUS_ERR_INVALID_ARGUMENT);
    cr_assert_eq(milvus_client_set_call_options(T.c, bad), MILVUS_ERR_INVALID_ARGUMENT);
    cr_assert(strstr(milvus_client_last_error(T.c), "milvus_call_options_set_timeout_ms"), "%s",
              milvus_client_last_error(T.c));
    cr_assert_eq(milvus_client_set_call_options(NULL, co), MILVUS_ERR_INVALID_ARGUMENT);
    milvus_call_options_free(co);
    milvus_call_options_free(bad);
}

Test(connection, use_database_switches_the_namespace)
{
    char db[64], coll[64];
    milvus_result *r;
    milvus_schema *s;
    fixture_require_feature("databases");
    s = small_schema();
    fixture_name(db, sizeof(db), "usedb");
    fixture_name(coll, sizeof(coll), "c");
    CALL_OK(milvus_client_create_database, db);
    r = CALL(milvus_client_use_database, db);
    fixture_assert_ok(r);
    cr_assert_str_eq(milvus_client_database(T.c), db);
    milvus_result_unref(r);
    CALL_OK(milvus_client_create_collection, coll, s, NULL);
    r = CALL(milvus_client_has_collection, coll);
    fixture_assert_ok(r);
    cr_assert(milvus_result_bool(r));
    milvus_result_unref(r);

    r = CALL(milvus_client_use_database, "default");
    fixture_assert_ok(r);
    milvus_result_unref(r);
    r = CALL(milvus_client_has_collection, coll);
    fixture_assert_ok(r);
    cr_assert_not(milvus_result_bool(r), "the collection lives in the other database");
    milvus_result_unref(r);

    /* dropping a database that still has collections is refused */
    r = CALL(milvus_client_drop_database, db);
    cr_assert_eq(milvus_result_status(r), MILVUS_ERR_SERVER, "%s", milvus_result_message(r));
    milvus_result_unref(r);
    milvus_schema_free(s);
}

Test(connection, unknown_database_fails_the_handshake_and_waiting_calls)
{
    milvus_options *o = fixture_options();
    milvus_client *c2;
    fixture_wait w1 = {0, 0, NULL}, w2 = {0, 0, NULL};
    milvus_result *r;
    fixture_require_feature("connect_checks_database");
    cr_assert_eq(milvus_options_set_database(o, "no_such_db_here"), MILVUS_OK);
    cr_assert_eq(milvus_client_new(&c2, T.base, o), MILVUS_OK);
    milvus_options_free(o);
    cr_assert_eq(milvus_client_get_server_version(c2, fixture_wait_cb, &w1), MILVUS_OK);
    cr_assert_eq(milvus_client_list_collections(c2, fixture_wait_cb, &w2), MILVUS_OK);
    r = fixture_wait_result(T.base, c2, MILVUS_OK, &w1);
    cr_assert_eq(milvus_result_status(r), MILVUS_ERR_SERVER);
    cr_assert_eq(milvus_result_server_code(r), 800, "%s", milvus_result_message(r));
    cr_assert(strstr(milvus_result_message(r), "database"), "%s", milvus_result_message(r));
    milvus_result_unref(r);
    r = fixture_wait_result(T.base, c2, MILVUS_OK, &w2);
    cr_assert_eq(milvus_result_status(r), MILVUS_ERR_SERVER);
    cr_assert_eq(milvus_result_server_code(r), 800);
    cr_assert_str_eq(milvus_result_operation(r), "list_collections");
    milvus_result_unref(r);
    milvus_client_free(c2);
}

Test(connection, refused_connection_is_a_transport_error)
{
    milvus_options *o = milvus_options_new();
    milvus_client *c2;
    fixture_wait w = {0, 0, NULL};
    milvus_result *r;
    /* port 1 on loopback: nothing listens there */
    cr_assert_eq(milvus_options_set_uri(o, "127.0.0.1:1"), MILVUS_OK);
    cr_assert_eq(milvus_options_set_connect_timeout_ms(o, 2000), MILVUS_OK);
    /* no transport retries: the failure is reported at once */
    cr_assert_eq(milvus_options_set_retry(o, 1, 100, 100, 1.0), MILVUS_OK);
    cr_assert_eq(milvus_client_new(&c2, T.base, o), MILVUS_OK);
    milvus_options_free(o);
    r = fixture_wait_result(T.base, c2, milvus_client_get_server_version(c2, fixture_wait_cb, &w),
                            &w);
    cr_assert_eq(milvus_result_status(r), MILVUS_ERR_CONNECT, "%s", milvus_result_message(r));
    cr_assert(strstr(milvus_result_message(r), "get_server_version"), "%s",
              milvus_result_message(r));
    milvus_result_unref(r);
    milvus_client_free(c2);
}

Test(connection, free_with_pending_calls_cancels_them)
{
    fixture_wait w = {0, 0, NULL};
    cr_assert_eq(milvus_client_get_server_version(T.c, fixture_wait_cb, &w), MILVUS_OK);
    milvus_client_free(T.c);
    T.c = NULL;
    cr_assert_eq(w.calls, 1, "freeing completes the pending call");
    cr_assert_eq(milvus_result_status(w.res), MILVUS_ERR_CANCELLED);
    milvus_result_unref(w.res);
}

static void on_closed(milvus_client *c, void *ctx)
{
    (void)c;
    (*(int *)ctx)++;
}

Test(connection, close_finishes_pending_calls_then_reports)
{
    fixture_wait w = {0, 0, NULL}, w2 = {0, 0, NULL};
    int closed = 0;
    milvus_result *r;
    cr_assert_eq(milvus_client_get_server_version(T.c, fixture_wait_cb, &w), MILVUS_OK);
    cr_assert_eq(milvus_client_close(T.c, on_closed, &closed), MILVUS_OK);
    cr_assert_eq(milvus_client_get_server_version(T.c, fixture_wait_cb, &w2), MILVUS_ERR_CLOSED);
    cr_assert(strstr(milvus_client_last_error(T.c), "closed"), "%s", milvus_client_last_error(T.c));
    r = fixture_wait_result(T.base, T.c, MILVUS_OK, &w);
    fixture_assert_ok(r);
    milvus_result_unref(r);
    cr_assert_eq(w2.calls, 0);
    cr_assert(fixture_run_until(T.base, &closed, 10000), "closed callback");
    cr_assert_eq(closed, 1);
}

/* One test at a time: the server's last metadata per method (read by the
 * identifier and call-options tests) and its injected latency are shared
 * by every test of the program.  (Runs before the workers start.) */
ReportHook(PRE_ALL)(struct criterion_test_set *set)
{
    (void)set;
    criterion_options.jobs = 1;
}
