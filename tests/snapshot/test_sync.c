/* SPDX-License-Identifier: Apache-2.0 */
/* The blocking layer (include/milvus/sync.h) against the Milvus-protocol
 * test server (or MILVUS_URI). */
#include <string.h>

#include <criterion/criterion.h>

#include "harness.h"

MVT_SERVER("--restore-ms", "600", "--index-ms", "50", "--load-ms", "50")
TestSuite(sync, .timeout = 60);

Test(sync, null_handle_and_argument_errors_return_without_result)
{
    milvus_result *res = (milvus_result *)1;
    cr_assert_eq(milvus_sync_get_server_version(NULL, &res), MILVUS_ERR_INVALID_ARGUMENT);
    cr_assert_null(res);
    cr_assert_eq(milvus_sync_new(NULL, NULL), MILVUS_ERR_INVALID_ARGUMENT);
    cr_assert_null(milvus_sync_client(NULL));
    cr_assert_null(milvus_sync_base(NULL));
    milvus_sync_free(NULL);

    /* a local validation error: nothing is sent, no result */
    milvus_sync *s = (milvus_sync *)&res;
    cr_assert_eq(milvus_sync_new(&s, NULL), MILVUS_OK);
    cr_assert_not_null(s);
    cr_assert_not_null(milvus_sync_client(s));
    cr_assert_not_null(milvus_sync_base(s));
    res = (milvus_result *)1;
    cr_assert_eq(milvus_sync_describe_collection(s, "", &res), MILVUS_ERR_INVALID_ARGUMENT);
    cr_assert_null(res);
    cr_assert(strstr(milvus_sync_last_error(s), "collection"), "last error: %s",
              milvus_sync_last_error(s));
    cr_assert_eq(milvus_sync_set_timeout_ms(s, -1), MILVUS_ERR_INVALID_ARGUMENT);
    milvus_sync_free(s);
}

Test(sync, round_trips_and_server_errors)
{
    mvt_require_server();
    milvus_sync *s = mvt_sync();
    milvus_result *res = NULL;
    char name[64];

    cr_assert_eq(milvus_sync_get_server_version(s, &res), MILVUS_OK, "%s",
                 milvus_sync_last_error(s));
    cr_assert_not_null(res);
    cr_assert_eq(milvus_result_status(res), MILVUS_OK);
    cr_assert_gt(strlen(milvus_result_string(res)), 0);
    milvus_result_unref(res);

    mvt_name(name, sizeof(name), "sync_rt");
    cr_assert_eq(mvt_create(s, name), MILVUS_OK);
    cr_assert_eq(milvus_sync_has_collection(s, name, &res), MILVUS_OK);
    cr_assert_eq(milvus_result_bool(res), 1);
    milvus_result_unref(res);
    cr_assert_eq(milvus_sync_list_collections(s, &res), MILVUS_OK);
    int found = 0;
    for (size_t i = 0; i < milvus_result_string_count(res); i++)
        found |= strcmp(milvus_result_string_at(res, i), name) == 0;
    cr_assert(found, "%s not listed", name);
    milvus_result_unref(res);

    /* a server refusal comes with its result */
    cr_assert_eq(milvus_sync_describe_collection(s, "sync_no_such_collection", &res),
                 MILVUS_ERR_SERVER);
    cr_assert_not_null(res);
    cr_assert_eq(milvus_result_status(res), MILVUS_ERR_SERVER);
    cr_assert_neq(milvus_result_server_code(res), 0);
    cr_assert(strstr(milvus_result_message(res), "sync_no_such_collection"), "%s",
              milvus_result_message(res));
    milvus_result_unref(res);

    /* out may be NULL */
    cr_assert_eq(milvus_sync_drop_collection(s, name, NULL), MILVUS_OK);
    cr_assert_eq(milvus_sync_has_collection(s, name, &res), MILVUS_OK);
    cr_assert_eq(milvus_result_bool(res), 0);
    milvus_result_unref(res);
    milvus_sync_free(s);
}

Test(sync, wait_deadline_cancels_and_handle_stays_usable)
{
    mvt_require_local();
    cr_assert_eq(mvt_control_set("{\"reset\":true}"), 0);
    cr_assert_eq(mvt_control_set("{\"latency_ms\":3000,\"methods\":[\"GetVersion\"]}"), 0);
    milvus_sync *s = mvt_sync();
    milvus_result *res = (milvus_result *)1;
    /* connect first so that only the slow call is timed */
    cr_assert_eq(milvus_sync_connect(s, NULL), MILVUS_OK, "%s", milvus_sync_last_error(s));
    milvus_sync_set_timeout_ms(s, 300);
    int64_t t0 = mvt_now_ms();
    cr_assert_eq(milvus_sync_get_server_version(s, &res), MILVUS_ERR_TIMEOUT);
    int64_t took = mvt_now_ms() - t0;
    cr_assert_null(res);
    cr_assert_geq(took, 290);
    cr_assert_lt(took, 2000, "the deadline did not bound the wait: %lld ms", (long long)took);
    cr_assert(strstr(milvus_sync_last_error(s), "get_server_version"), "%s",
              milvus_sync_last_error(s));
    cr_assert(strstr(milvus_sync_last_error(s), "300 ms"), "%s", milvus_sync_last_error(s));
    cr_assert_eq(milvus_client_pending(milvus_sync_client(s)), 0);

    /* the next call works */
    cr_assert_eq(mvt_control_set("{\"reset\":true}"), 0);
    milvus_sync_set_timeout_ms(s, 5000);
    cr_assert_eq(milvus_sync_list_collections(s, &res), MILVUS_OK, "%s", milvus_sync_last_error(s));
    milvus_result_unref(res);
    milvus_sync_free(s);
}

Test(sync, unreachable_server_fails_fast)
{
    milvus_options *o = milvus_options_new();
    milvus_result *res = NULL;
    /* port 1 on loopback: connection refused */
    milvus_options_set_uri(o, "http://127.0.0.1:1");
    milvus_options_set_connect_timeout_ms(o, 2000);
    milvus_options_set_retry(o, 1, 10, 10, 1.0);
    milvus_sync *s = NULL;
    cr_assert_eq(milvus_sync_new(&s, o), MILVUS_OK);
    milvus_options_free(o);
    milvus_sync_set_timeout_ms(s, 5000);
    int64_t t0 = mvt_now_ms();
    int rc = milvus_sync_get_server_version(s, &res);
    cr_assert(rc == MILVUS_ERR_CONNECT || rc == MILVUS_ERR_DISCONNECTED, "rc %d (%s)", rc,
              milvus_strerror(rc));
    cr_assert_lt(mvt_now_ms() - t0, 4000);
    cr_assert_not_null(res);
    cr_assert(strstr(milvus_result_message(res), "127.0.0.1"), "%s", milvus_result_message(res));
    milvus_result_unref(res);
    milvus_sync_free(s);
}

typedef struct reentry {
    milvus_sync *s;
    int calls;
    int inner_rc;
} reentry;

static void reenter(milvus_client *c, int64_t progress, const milvus_result *res, void *ctx)
{
    reentry *r = ctx;
    milvus_result *inner = (milvus_result *)1;
    (void)c;
    (void)progress;
    (void)res;
    r->calls++;
    r->inner_rc = milvus_sync_get_server_version(r->s, &inner);
    if (inner != NULL)
        r->inner_rc = 12345; /* must not have produced a result */
}

Test(sync, await_runs_progress_inside_the_wait_and_refuses_reentry)
{
    mvt_require_server();
    milvus_sync *s = mvt_sync();
    milvus_result *res = NULL;
    char name[64], target[64];
    reentry r = {s, 0, 0};
    milvus_await_options *ao = milvus_await_options_new();

    mvt_name(name, sizeof(name), "sync_aw");
    mvt_name(target, sizeof(target), "sync_aw_t");
    cr_assert_eq(mvt_fixture(s, name, 50), MILVUS_OK);
    cr_assert_eq(milvus_sync_flush_and_snapshot(s, name, "snap1", NULL, NULL, &res), MILVUS_OK,
                 "%s", res ? milvus_result_message(res) : milvus_sync_last_error(s));
    milvus_result_unref(res);
    milvus_await_options_set_interval(ao, 50, 100, 2.0);
    milvus_await_options_set_progress(ao, reenter, &r);
    cr_assert_eq(milvus_sync_restore_snapshot_and_wait(s, name, "snap1", target, NULL, ao, &res),
                 MILVUS_OK, "%s", res ? milvus_result_message(res) : milvus_sync_last_error(s));
    cr_assert_eq(milvus_result_job_state(res, 0), MILVUS_JOB_COMPLETED);
    cr_assert_eq(milvus_result_job_progress(res, 0), 100);
    cr_assert_gt(r.calls, 0);
    cr_assert_eq(r.inner_rc, MILVUS_ERR_BUSY);
    milvus_result_unref(res);
    cr_assert_eq(mvt_load(s, target), MILVUS_OK);
    cr_assert_eq(mvt_count(s, target, NULL), 50);
    milvus_await_options_free(ao);
    milvus_sync_drop_collection(s, target, NULL);
    milvus_sync_drop_snapshot(s, name, "snap1", NULL, NULL);
    milvus_sync_drop_collection(s, name, NULL);
    milvus_sync_free(s);
}
