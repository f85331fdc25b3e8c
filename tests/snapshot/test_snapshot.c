/* SPDX-License-Identifier: Apache-2.0 */
/* Snapshots end to end: every snapshot RPC with its returned fields and
 * errors, and the headline behaviour of the job awaits (searches keep
 * flowing on the same loop, poll cadence, failure reason, cancel,
 * deadline, reconnect), against the Milvus-protocol test server (or
 * MILVUS_URI, where the fault-injection tests skip). */
#include <stdlib.h>
#include <string.h>

#include <event2/event.h>

#include "harness.h"

#define RESTORE_MS 1200
MVT_SERVER("--restore-ms", "1200", "--export-ms", "600", "--index-ms", "50", "--load-ms", "50")

TestSuite(rpc, .timeout = 60);
TestSuite(errors, .timeout = 60);
TestSuite(headline, .timeout = 60);

/* ---- helpers ------------------------------------------------------------------ */

typedef struct env {
    milvus_sync *s;
    milvus_client *c;
    struct event_base *base;
    char coll[64];
} env;

static void env_open(env *e, size_t rows)
{
    mvt_require_server();
    e->s = mvt_sync();
    e->c = milvus_sync_client(e->s);
    e->base = milvus_sync_base(e->s);
    mvt_name(e->coll, sizeof(e->coll), "snap");
    if (rows)
        cr_assert_eq(mvt_fixture(e->s, e->coll, rows), MILVUS_OK);
    else
        cr_assert_eq(mvt_create(e->s, e->coll), MILVUS_OK);
}

static void env_close(env *e, const char *const *extra_colls)
{
    milvus_result *res = NULL;
    if (milvus_sync_list_snapshots(e->s, e->coll, NULL, &res) == MILVUS_OK) {
        for (size_t i = 0; i < milvus_result_string_count(res); i++)
            milvus_sync_drop_snapshot(e->s, e->coll, milvus_result_string_at(res, i), NULL, NULL);
    }
    milvus_result_unref(res);
    for (; extra_colls && *extra_colls; extra_colls++)
        milvus_sync_drop_collection(e->s, *extra_colls, NULL);
    milvus_sync_drop_collection(e->s, e->coll, NULL);
    milvus_sync_free(e->s);
}

/* The env's handle replaced by one whose client does not retry a rate
 * limit itself (options: rate-limit retry max_attempts 1), so that the
 * limit reaches the await. */
static void no_rate_limit_retries(env *e)
{
    milvus_options *o = mvt_options();
    milvus_sync *s = NULL;
    cr_assert_eq(milvus_options_set_rate_limit_retry(o, 1, 0, 0, 1.0), MILVUS_OK);
    cr_assert_eq(milvus_sync_new(&s, o), MILVUS_OK);
    milvus_options_free(o);
    cr_assert_eq(milvus_sync_set_timeout_ms(s, 30000), MILVUS_OK);
    milvus_sync_free(e->s);
    e->s = s;
    e->c = milvus_sync_client(s);
    e->base = milvus_sync_base(s);
}

static void snapshot(env *e, const char *name)
{
    milvus_result *res = NULL;
    int rc = milvus_sync_flush_and_snapshot(e->s, e->coll, name, NULL, NULL, &res);
    cr_assert_eq(rc, MILVUS_OK, "flush_and_snapshot: %s",
                 res ? milvus_result_message(res) : milvus_sync_last_error(e->s));
    milvus_result_unref(res);
}

static int has_string(const milvus_result *res, const char *s)
{
    for (size_t i = 0; i < milvus_result_string_count(res); i++)
        if (strcmp(milvus_result_string_at(res, i), s) == 0)
            return 1;
    return 0;
}

static const char *msg_of(milvus_sync *s, const milvus_result *res)
{
    return res ? milvus_result_message(res) : milvus_sync_last_error(s);
}

/* Rows of name whose ids are in [lo, hi). */
static int64_t count_range(env *e, const char *name, int64_t lo, int64_t hi)
{
    char filter[96];
    snprintf(filter, sizeof(filter), "id >= %lld && id < %lld", (long long)lo, (long long)hi);
    return mvt_count(e->s, name, filter);
}

/* ---- the RPCs and their fields ------------------------------------------------------ */

Test(rpc, create_describe_list)
{
    env e;
    milvus_result *res = NULL;
    milvus_snapshot_options *o = milvus_snapshot_options_new();
    env_open(&e, 100);
    cr_assert_eq(milvus_snapshot_options_set_description(o, "nightly \"copy\""), MILVUS_OK);
    cr_assert_eq(milvus_snapshot_options_set_compaction_protection(o, 3600), MILVUS_OK);
    cr_assert_eq(milvus_sync_flush(e.s, e.coll, NULL), MILVUS_OK);
    cr_assert_eq(milvus_sync_create_snapshot(e.s, e.coll, "s1", o, &res), MILVUS_OK, "%s",
                 msg_of(e.s, res));
    milvus_result_unref(res);
    snapshot(&e, "s2");

    cr_assert_eq(milvus_sync_describe_snapshot(e.s, e.coll, "s1", NULL, &res), MILVUS_OK);
    cr_assert_str_eq(milvus_result_snapshot_name(res), "s1");
    cr_assert_str_eq(milvus_result_snapshot_description(res), "nightly \"copy\"");
    cr_assert_str_eq(milvus_result_snapshot_collection(res), e.coll);
    cr_assert_geq(milvus_result_snapshot_partition_count(res), 1);
    cr_assert_str_eq(milvus_result_snapshot_partition(res, 0), "_default");
    cr_assert_str_eq(milvus_result_snapshot_partition(res, 99), "");
    int64_t ts1 = milvus_result_snapshot_create_ts(res);
    cr_assert_gt(ts1, 0);
    /* a hybrid timestamp: physical milliseconds above 18 logical bits */
    cr_assert_gt(ts1 >> 18, 1600000000000LL);
    /* datacoord's metadata object: <root>/snapshots/<collection id>/metadata/<snapshot id>.json */
    if (mvt_is_local()) {
        const char *loc = milvus_result_snapshot_s3_location(res);
        cr_assert(strstr(loc, "snapshots/") && strstr(loc, "/metadata/"), "%s", loc);
        cr_assert_str_eq(loc + strlen(loc) - 5, ".json");
    }
    milvus_result_unref(res);

    cr_assert_eq(milvus_sync_describe_snapshot(e.s, e.coll, "s2", NULL, &res), MILVUS_OK);
    cr_assert_gt(milvus_result_snapshot_create_ts(res), ts1);
    cr_assert_str_eq(milvus_result_snapshot_description(res), "");
    milvus_result_unref(res);

    cr_assert_eq(milvus_sync_list_snapshots(e.s, e.coll, NULL, &res), MILVUS_OK);
    cr_assert_eq(milvus_result_string_count(res), 2);
    cr_assert(has_string(res, "s1") && has_string(res, "s2"));
    milvus_result_unref(res);
    /* the proxy lists the snapshots of one collection only */
    cr_assert_eq(milvus_sync_list_snapshots(e.s, NULL, NULL, &res), MILVUS_ERR_SERVER);
    cr_assert_eq(milvus_result_server_code(res), 1101);
    cr_assert(strstr(milvus_result_reason(res), "collection_name is required"), "%s",
              milvus_result_reason(res));
    milvus_result_unref(res);

    cr_assert_eq(milvus_sync_drop_snapshot(e.s, e.coll, "s1", NULL, &res), MILVUS_OK);
    milvus_result_unref(res);
    cr_assert_eq(milvus_sync_list_snapshots(e.s, e.coll, NULL, &res), MILVUS_OK);
    cr_assert_eq(milvus_result_string_count(res), 1);
    cr_assert(!has_string(res, "s1"));
    milvus_result_unref(res);
    milvus_snapshot_options_free(o);
    env_close(&e, NULL);
}

Test(rpc, restore_job_fields_and_point_in_time)
{
    env e;
    milvus_result *res = NULL;
    char target[64];
    env_open(&e, 300);
    mvt_name(target, sizeof(target), "snap_rt");
    snapshot(&e, "pit");
    cr_assert_eq(mvt_insert(e.s, e.coll, 300, 50), MILVUS_OK); /* after the snapshot */

    int64_t t0 = mvt_now_ms();
    cr_assert_eq(milvus_sync_restore_snapshot(e.s, e.coll, "pit", target, NULL, &res), MILVUS_OK,
                 "%s", msg_of(e.s, res));
    int64_t job = milvus_result_int64(res);
    cr_assert_gt(job, 0);
    milvus_result_unref(res);

    cr_assert_eq(milvus_sync_get_restore_snapshot_state(e.s, job, &res), MILVUS_OK);
    cr_assert_eq(milvus_result_job_count(res), 1);
    cr_assert_eq(milvus_result_job_id(res, 0), job);
    cr_assert_str_eq(milvus_result_job_snapshot(res, 0), "pit");
    cr_assert_str_eq(milvus_result_job_collection(res, 0), target);
    cr_assert_str_eq(milvus_result_job_database(res, 0), "default");
    milvus_job_state st = milvus_result_job_state(res, 0);
    cr_assert(st == MILVUS_JOB_PENDING || st == MILVUS_JOB_EXECUTING, "state %s",
              milvus_job_state_name(st));
    cr_assert_lt(milvus_result_job_progress(res, 0), 100);
    cr_assert_str_eq(milvus_result_job_reason(res, 0), "");
    /* start_time is in ms since the epoch */
    cr_assert_gt(milvus_result_job_start_time(res, 0), 1600000000000ULL);
    milvus_result_unref(res);

    /* restore jobs are listed by their target collection */
    cr_assert_eq(milvus_sync_list_restore_snapshot_jobs(e.s, target, NULL, &res), MILVUS_OK);
    int listed = 0;
    for (size_t i = 0; i < milvus_result_job_count(res); i++)
        listed |= milvus_result_job_id(res, i) == job;
    cr_assert(listed, "job %lld not listed for %s", (long long)job, target);
    milvus_result_unref(res);
    cr_assert_eq(milvus_sync_list_restore_snapshot_jobs(e.s, e.coll, NULL, &res), MILVUS_OK);
    for (size_t i = 0; i < milvus_result_job_count(res); i++)
        cr_assert_neq(milvus_result_job_id(res, i), job, "job listed for its source %s", e.coll);
    milvus_result_unref(res);
    cr_assert_eq(milvus_sync_list_restore_snapshot_jobs(e.s, NULL, NULL, &res), MILVUS_OK);
    cr_assert_geq(milvus_result_job_count(res), 1);
    milvus_result_unref(res);

    cr_assert_eq(milvus_sync_await_restore(e.s, job, NULL, &res), MILVUS_OK, "%s",
                 msg_of(e.s, res));
    cr_assert_eq(milvus_result_job_state(res, 0), MILVUS_JOB_COMPLETED);
    cr_assert_eq(milvus_result_job_progress(res, 0), 100);
    cr_assert_eq(milvus_result_int64(res), job);
    uint64_t cost = milvus_result_job_time_cost(res, 0);
    cr_assert_gt(cost, 0);
    cr_assert_leq(cost, (uint64_t)(mvt_now_ms() - t0 + 50));
    milvus_result_unref(res);

    /* the target holds the snapshot's rows, not the later ones */
    cr_assert_eq(mvt_load(e.s, target), MILVUS_OK);
    cr_assert_eq(mvt_count(e.s, target, NULL), 300);
    cr_assert_eq(count_range(&e, target, 300, 350), 0);
    cr_assert_eq(mvt_count(e.s, e.coll, NULL), 350);
    for (int64_t id = 0; id < 300; id += 97)
        cr_assert_eq(mvt_top_hit(e.s, target, id), mvt_top_hit(e.s, e.coll, id));
    const char *const extra[] = {target, NULL};
    env_close(&e, extra);
}

Test(rpc, export_counters_uri_and_external_restore)
{
    env e;
    milvus_result *res = NULL;
    char target[64], path[96], uri[160];
    env_open(&e, 120);
    mvt_name(target, sizeof(target), "snap_ext");
    snprintf(path, sizeof(path), "s3://bucket/exports/%s", e.coll);
    snapshot(&e, "ex");

    cr_assert_eq(milvus_sync_export_snapshot(e.s, e.coll, "ex", path, NULL, &res), MILVUS_OK, "%s",
                 msg_of(e.s, res));
    int64_t job = milvus_result_int64(res);
    cr_assert_gt(job, 0);
    milvus_result_unref(res);
    cr_assert_eq(milvus_sync_get_export_snapshot_state(e.s, job, &res), MILVUS_OK);
    cr_assert_eq(milvus_result_job_id(res, 0), job);
    cr_assert_neq(milvus_result_job_state(res, 0), MILVUS_JOB_COMPLETED);
    cr_assert_str_eq(milvus_result_job_metadata_uri(res, 0), "");
    cr_assert_str_eq(milvus_result_job_snapshot(res, 0), "ex");
    milvus_result_unref(res);

    cr_assert_eq(milvus_sync_await_export(e.s, job, NULL, &res), MILVUS_OK, "%s", msg_of(e.s, res));
    cr_assert_eq(milvus_result_job_state(res, 0), MILVUS_JOB_COMPLETED);
    cr_assert_eq(milvus_result_job_progress(res, 0), 100);
    cr_assert_gt(milvus_result_job_total_files(res, 0), 0);
    cr_assert_eq(milvus_result_job_copied_files(res, 0), milvus_result_job_total_files(res, 0));
    cr_assert_gt(milvus_result_job_total_bytes(res, 0), 0);
    snprintf(uri, sizeof(uri), "%s", milvus_result_job_metadata_uri(res, 0));
    cr_assert_gt(strlen(uri), 0);
    /* <path>/exports/<uuid>/snapshots/<collection id>/metadata/<snapshot id>.json */
    if (mvt_is_local()) {
        char want[200];
        snprintf(want, sizeof(want), "%s/exports/", path);
        cr_assert_eq(strncmp(uri, want, strlen(want)), 0, "%s", uri);
        cr_assert(strstr(uri, "/snapshots/") && strstr(uri, "/metadata/"), "%s", uri);
        cr_assert_str_eq(uri + strlen(uri) - 5, ".json");
    }
    milvus_result_unref(res);

    cr_assert_eq(milvus_sync_restore_external_snapshot_and_wait(e.s, target, uri, NULL, NULL, &res),
                 MILVUS_OK, "%s", msg_of(e.s, res));
    cr_assert_eq(milvus_result_job_state(res, 0), MILVUS_JOB_COMPLETED);
    milvus_result_unref(res);
    cr_assert_eq(mvt_load(e.s, target), MILVUS_OK);
    cr_assert_eq(mvt_count(e.s, target, NULL), 120);

    /* export_and_wait in one call: each export gets a bundle root of its own */
    cr_assert_eq(milvus_sync_export_snapshot_and_wait(e.s, e.coll, "ex", path, NULL, NULL, &res),
                 MILVUS_OK, "%s", msg_of(e.s, res));
    const char *uri2 = milvus_result_job_metadata_uri(res, 0);
    cr_assert_eq(strncmp(uri2, path, strlen(path)), 0, "%s", uri2);
    cr_assert_str_neq(uri2, uri);
    milvus_result_unref(res);
    const char *const extra[] = {target, NULL};
    env_close(&e, extra);
}

Test(rpc, pin_and_unpin)
{
    env e;
    milvus_result *res = NULL;
    milvus_snapshot_options *o = milvus_snapshot_options_new();
    env_open(&e, 10);
    snapshot(&e, "pinned");
    milvus_snapshot_options_set_ttl(o, 600);
    cr_assert_eq(milvus_sync_pin_snapshot_data(e.s, e.coll, "pinned", o, &res), MILVUS_OK, "%s",
                 msg_of(e.s, res));
    int64_t pin = milvus_result_int64(res);
    cr_assert_gt(pin, 0);
    milvus_result_unref(res);
    cr_assert_eq(milvus_sync_pin_snapshot_data(e.s, e.coll, "pinned", NULL, &res), MILVUS_OK);
    int64_t pin2 = milvus_result_int64(res);
    cr_assert_gt(pin2, 0);
    cr_assert_neq(pin2, pin);
    milvus_result_unref(res);
    if (mvt_is_local()) {
        /* a pinned snapshot cannot be dropped */
        cr_assert_eq(milvus_sync_drop_snapshot(e.s, e.coll, "pinned", NULL, &res),
                     MILVUS_ERR_SERVER);
        cr_assert(strstr(milvus_result_reason(res), "pinned"), "%s", milvus_result_reason(res));
        milvus_result_unref(res);
    }
    cr_assert_eq(milvus_sync_unpin_snapshot_data(e.s, pin, NULL), MILVUS_OK);
    cr_assert_eq(milvus_sync_unpin_snapshot_data(e.s, pin2, NULL), MILVUS_OK);
    cr_assert_eq(milvus_sync_drop_snapshot(e.s, e.coll, "pinned", NULL, &res), MILVUS_OK, "%s",
                 msg_of(e.s, res));
    milvus_result_unref(res);
    milvus_snapshot_options_free(o);
    env_close(&e, NULL);
}

/* ---- errors ------------------------------------------------------------------------------ */

Test(errors, server_refusals_carry_code_and_reason)
{
    env e;
    milvus_result *res = NULL;
    char other[64], missing[64];
    env_open(&e, 10);
    mvt_name(other, sizeof(other), "snap_other");
    mvt_name(missing, sizeof(missing), "snap_missing");
    cr_assert_eq(mvt_create(e.s, other), MILVUS_OK);
    snapshot(&e, "here");

    /* snapshot not found */
    cr_assert_eq(milvus_sync_describe_snapshot(e.s, e.coll, "nope", NULL, &res), MILVUS_ERR_SERVER);
    cr_assert_neq(milvus_result_server_code(res), 0);
    cr_assert(strstr(milvus_result_reason(res), "snapshot not found"), "%s",
              milvus_result_reason(res));
    cr_assert(strstr(milvus_result_message(res), "describe_snapshot"), "%s",
              milvus_result_message(res));
    cr_assert_eq(milvus_result_grpc_code(res), MILVUS_GRPC_OK);
    milvus_result_unref(res);
    cr_assert_eq(milvus_sync_restore_snapshot(e.s, e.coll, "nope", missing, NULL, &res),
                 MILVUS_ERR_SERVER);
    cr_assert(strstr(milvus_result_reason(res), "snapshot not found"), "%s",
              milvus_result_reason(res));
    milvus_result_unref(res);

    /* target exists */
    cr_assert_eq(milvus_sync_restore_snapshot(e.s, e.coll, "here", other, NULL, &res),
                 MILVUS_ERR_SERVER);
    cr_assert_neq(milvus_result_server_code(res), 0);
    cr_assert(strstr(milvus_result_reason(res), "already exists"), "%s", milvus_result_reason(res));
    milvus_result_unref(res);

    /* collection missing */
    cr_assert_eq(milvus_sync_create_snapshot(e.s, missing, "x", NULL, &res), MILVUS_ERR_SERVER);
    cr_assert_eq(milvus_result_server_code(res), 100);
    cr_assert(strstr(milvus_result_reason(res), "collection not found"), "%s",
              milvus_result_reason(res));
    cr_assert(strstr(milvus_result_message(res), missing), "%s", milvus_result_message(res));
    milvus_result_unref(res);
    cr_assert_eq(milvus_sync_list_snapshots(e.s, missing, NULL, &res), MILVUS_ERR_SERVER);
    cr_assert_eq(milvus_result_server_code(res), 100);
    milvus_result_unref(res);
    const char *const extra[] = {other, NULL};
    env_close(&e, extra);
}

static void never_called(milvus_client *c, const milvus_result *res, void *ctx)
{
    (void)c;
    (void)res;
    *(int *)ctx += 1;
}

Test(errors, local_validation_sends_nothing)
{
    mvt_require_server();
    milvus_sync *s = mvt_sync();
    milvus_client *c = milvus_sync_client(s);
    milvus_snapshot_options *o = milvus_snapshot_options_new();
    char longname[300];
    int called = 0;
    memset(longname, 'a', 256);
    longname[256] = '\0';
    cr_assert_eq(milvus_sync_connect(s, NULL), MILVUS_OK);
    long before = mvt_is_local() ? mvt_calls("CreateSnapshot") : 0;

#define INVALID(call, word)                                                                        \
    do {                                                                                           \
        cr_assert_eq((call), MILVUS_ERR_INVALID_ARGUMENT, "%s", #call);                            \
        cr_assert(strstr(milvus_client_last_error(c), word), "%s: %s", #call,                      \
                  milvus_client_last_error(c));                                                    \
    } while (0)
    INVALID(milvus_client_create_snapshot(c, "coll", "", NULL, never_called, &called), "snapshot");
    INVALID(milvus_client_create_snapshot(c, "", "s", NULL, never_called, &called), "collection");
    INVALID(milvus_client_create_snapshot(c, "coll", longname, NULL, never_called, &called),
            "snapshot");
    INVALID(milvus_client_create_snapshot(c, NULL, "s", NULL, never_called, &called), "collection");
    INVALID(milvus_client_flush_and_snapshot(c, "coll", "", NULL, NULL, never_called, &called),
            "snapshot");
    INVALID(milvus_client_drop_snapshot(c, "coll", longname, NULL, never_called, &called),
            "snapshot");
    INVALID(milvus_client_describe_snapshot(c, longname, "s", NULL, never_called, &called),
            "collection");
    INVALID(milvus_client_restore_snapshot(c, "coll", "s", NULL, NULL, never_called, &called),
            "target");
    INVALID(milvus_client_restore_snapshot(c, "coll", "s", "", NULL, never_called, &called),
            "target");
    INVALID(milvus_client_restore_snapshot_and_wait(c, "coll", "s", longname, NULL, NULL,
                                                    never_called, &called),
            "target");
    INVALID(milvus_client_export_snapshot(c, "coll", "s", "", NULL, never_called, &called), "path");
    INVALID(milvus_client_restore_external_snapshot(c, "t", "", NULL, never_called, &called),
            "URI");
    INVALID(milvus_client_restore_external_snapshot(c, "", "s3://x", NULL, never_called, &called),
            "target");
    INVALID(milvus_client_pin_snapshot_data(c, "coll", "", NULL, never_called, &called),
            "snapshot");
    INVALID(milvus_client_unpin_snapshot_data(c, 0, never_called, &called), "pin");
    INVALID(milvus_client_get_restore_snapshot_state(c, 0, never_called, &called), "job");
    INVALID(milvus_client_get_export_snapshot_state(c, -5, never_called, &called), "job");
    INVALID(milvus_client_await_restore(c, 0, NULL, never_called, &called), "job");
    /* the sync layer passes the same errors through, without a result */
    milvus_result *res = (milvus_result *)1;
    cr_assert_eq(milvus_sync_restore_snapshot(s, "coll", "s", "", NULL, &res),
                 MILVUS_ERR_INVALID_ARGUMENT);
    cr_assert_null(res);
    cr_assert(strstr(milvus_sync_last_error(s), "target"), "%s", milvus_sync_last_error(s));
    /* option setters refuse bad values */
    cr_assert_eq(milvus_snapshot_options_set_ttl(o, -1), MILVUS_ERR_INVALID_ARGUMENT);
    cr_assert_eq(milvus_snapshot_options_set_compaction_protection(o, -1),
                 MILVUS_ERR_INVALID_ARGUMENT);
#undef INVALID
    /* nothing was called back, nothing was sent */
    event_base_loop(milvus_sync_base(s), EVLOOP_NONBLOCK);
    cr_assert_eq(called, 0);
    cr_assert_eq(milvus_client_pending(c), 0);
    if (mvt_is_local())
        cr_assert_eq(mvt_calls("CreateSnapshot"), before);
    milvus_snapshot_options_free(o);
    milvus_sync_free(s);
}

/* ---- the headline: awaits on the loop ---------------------------------------------------------
 */

#define MAX_SAMPLES 8192

typedef struct stream stream;
typedef struct slot {
    stream *st;
    int64_t started_at;
} slot;

struct stream {
    env *e;
    int running;
    int in_flight;
    int completed;
    int failed;
    slot slots[8];
    int64_t lat[MAX_SAMPLES];
    int nlat;
    /* progress callbacks */
    int64_t poll_at[256];
    int searches_at_poll[256];
    int npoll;
    int last_state;
    /* the await */
    int done;
    int status;
    char reason[256];
    int64_t finished_at;
};

static void search_done(milvus_client *c, const milvus_result *res, void *ctx);

static void search_one(stream *st, int i)
{
    slot *sl = &st->slots[i];
    float v[MVT_DIM];
    milvus_column *q = NULL;
    milvus_search_options *so = milvus_search_options_new();
    mvt_vector((int64_t)(st->completed * 13 % 500), v);
    milvus_column_new_float_vector(&q, "vec", MVT_DIM, v, 1);
    milvus_search_options_set_vectors(so, q);
    milvus_search_options_set_limit(so, 5);
    sl->st = st;
    sl->started_at = mvt_now_ms();
    if (milvus_client_search(st->e->c, st->e->coll, so, search_done, sl) == MILVUS_OK)
        st->in_flight++;
    else
        st->failed++;
    milvus_column_free(q);
    milvus_search_options_free(so);
}

static void search_done(milvus_client *c, const milvus_result *res, void *ctx)
{
    slot *sl = ctx;
    stream *st = sl->st;
    (void)c;
    st->in_flight--;
    if (milvus_result_status(res) == MILVUS_OK && milvus_result_hit_count(res, 0) > 0) {
        st->completed++;
        if (st->nlat < MAX_SAMPLES)
            st->lat[st->nlat++] = mvt_now_ms() - sl->started_at;
    } else {
        st->failed++;
    }
    if (st->running)
        search_one(st, (int)(sl - st->slots));
    else if (st->in_flight == 0 && st->done)
        event_base_loopbreak(st->e->base);
}

static void on_progress(milvus_client *c, int64_t progress, const milvus_result *res, void *ctx)
{
    stream *st = ctx;
    (void)c;
    (void)progress;
    if (st->npoll < 256) {
        st->poll_at[st->npoll] = mvt_now_ms();
        st->searches_at_poll[st->npoll] = st->completed;
        st->npoll++;
    }
    st->last_state = milvus_result_job_state(res, 0);
}

static void await_done(milvus_client *c, const milvus_result *res, void *ctx)
{
    stream *st = ctx;
    (void)c;
    st->done = 1;
    st->status = milvus_result_status(res);
    st->finished_at = mvt_now_ms();
    snprintf(st->reason, sizeof(st->reason), "%s", milvus_result_message(res));
    st->running = 0;
    if (st->in_flight == 0)
        event_base_loopbreak(st->e->base);
}

static int cmp64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return x < y ? -1 : x > y;
}

static int64_t percentile(int64_t *v, int n, int p)
{
    if (n == 0)
        return -1;
    qsort(v, (size_t)n, sizeof(*v), cmp64);
    return v[(n - 1) * p / 100];
}

Test(headline, searches_flow_while_the_restore_is_awaited)
{
    env e;
    stream st;
    char target[64];
    const int64_t interval = 300;
    milvus_await_options *ao = milvus_await_options_new();
    memset(&st, 0, sizeof(st));
    env_open(&e, 500);
    st.e = &e;
    mvt_name(target, sizeof(target), "snap_live");
    snapshot(&e, "live");
    cr_assert_eq(mvt_insert(e.s, e.coll, 500, 40), MILVUS_OK);

    milvus_await_options_set_interval(ao, interval, interval, 1.0);
    milvus_await_options_set_progress(ao, on_progress, &st);
    milvus_await_options_set_timeout_ms(ao, 30000);
    cr_assert_eq(milvus_client_restore_snapshot_and_wait(e.c, e.coll, "live", target, NULL, ao,
                                                         await_done, &st),
                 MILVUS_OK, "%s", milvus_client_last_error(e.c));
    st.running = 1;
    for (int i = 0; i < 4; i++)
        search_one(&st, i);
    event_base_dispatch(e.base);

    cr_assert(st.done);
    cr_assert_eq(st.status, MILVUS_OK, "%s", st.reason);
    cr_assert_eq(st.failed, 0);
    cr_assert_geq(st.npoll, 2, "progress reported %d times", st.npoll);
    /* searches completed between consecutive polls: the loop never
     * waited for a poll */
    for (int i = 1; i < st.npoll; i++)
        cr_assert_geq(st.searches_at_poll[i] - st.searches_at_poll[i - 1], 2,
                      "only %d searches between polls %d and %d",
                      st.searches_at_poll[i] - st.searches_at_poll[i - 1], i - 1, i);
    int64_t p50 = percentile(st.lat, st.nlat, 50);
    cr_log_info("%d searches during the restore, p50 %lld ms, %d polls", st.completed,
                (long long)p50, st.npoll);
    /* search latency is not gated by the poll interval */
    cr_assert_lt(p50, interval / 2, "p50 %lld ms", (long long)p50);
    cr_assert_geq(st.completed, 3 * st.npoll);

    /* the restored collection is the snapshot's point in time */
    cr_assert_eq(mvt_load(e.s, target), MILVUS_OK);
    cr_assert_eq(mvt_count(e.s, target, NULL), 500);
    cr_assert_eq(count_range(&e, target, 500, 540), 0);
    cr_assert_eq(count_range(&e, e.coll, 500, 540), 40);
    cr_assert_eq(mvt_top_hit(e.s, target, 123), 123);
    cr_assert_eq(mvt_top_hit(e.s, e.coll, 520), 520);
    cr_assert_neq(mvt_top_hit(e.s, target, 520), 520);
    milvus_await_options_free(ao);
    const char *const extra[] = {target, NULL};
    env_close(&e, extra);
}

Test(headline, poll_timers_fire_at_the_configured_cadence)
{
    env e;
    stream st;
    char target[64];
    const int64_t interval = 100;
    milvus_await_options *ao = milvus_await_options_new();
    mvt_require_local();
    memset(&st, 0, sizeof(st));
    env_open(&e, 20);
    st.e = &e;
    mvt_name(target, sizeof(target), "snap_cad");
    snapshot(&e, "cad");
    cr_assert_eq(mvt_control_set("{\"reset\":true}"), 0);
    milvus_await_options_set_interval(ao, interval, interval, 1.0);
    milvus_await_options_set_progress(ao, on_progress, &st);
    int64_t t0 = mvt_now_ms();
    cr_assert_eq(milvus_client_restore_snapshot_and_wait(e.c, e.coll, "cad", target, NULL, ao,
                                                         await_done, &st),
                 MILVUS_OK);
    event_base_dispatch(e.base);
    cr_assert_eq(st.status, MILVUS_OK, "%s", st.reason);
    int64_t elapsed = st.finished_at - t0;
    long polls = mvt_calls("GetRestoreSnapshotState");
    long expect = (long)(elapsed / interval) + 1;
    cr_log_info("restore took %lld ms, %ld polls (about %ld expected)", (long long)elapsed, polls,
                expect);
    cr_assert_geq(elapsed, RESTORE_MS - 50);
    cr_assert_geq(polls, expect / 2, "%ld polls in %lld ms", polls, (long long)elapsed);
    cr_assert_leq(polls, expect + 1, "%ld polls in %lld ms", polls, (long long)elapsed);
    /* consecutive progress reports are at least one interval apart */
    for (int i = 1; i < st.npoll; i++)
        cr_assert_geq(st.poll_at[i] - st.poll_at[i - 1], interval - 5, "gap %lld ms",
                      (long long)(st.poll_at[i] - st.poll_at[i - 1]));

    /* backoff: 50 ms doubling to 800 ms polls far less often */
    stream st2;
    char target2[64];
    memset(&st2, 0, sizeof(st2));
    st2.e = &e;
    mvt_name(target2, sizeof(target2), "snap_cad2");
    cr_assert_eq(mvt_control_set("{\"reset\":true}"), 0);
    milvus_await_options_set_interval(ao, 50, 800, 2.0);
    milvus_await_options_set_progress(ao, on_progress, &st2);
    cr_assert_eq(milvus_client_restore_snapshot_and_wait(e.c, e.coll, "cad", target2, NULL, ao,
                                                         await_done, &st2),
                 MILVUS_OK);
    event_base_dispatch(e.base);
    cr_assert_eq(st2.status, MILVUS_OK, "%s", st2.reason);
    long polls2 = mvt_calls("GetRestoreSnapshotState");
    /* 0, 50, 150, 350, 750, 1550: at most 6 polls for a 1.2 s job */
    cr_assert_leq(polls2, 7, "%ld polls with backoff", polls2);
    cr_assert_geq(polls2, 4, "%ld polls with backoff", polls2);
    for (int i = 2; i < st2.npoll; i++)
        cr_assert_geq(st2.poll_at[i] - st2.poll_at[i - 1],
                      st2.poll_at[i - 1] - st2.poll_at[i - 2] - 20, "intervals must grow");
    milvus_await_options_free(ao);
    const char *const extra[] = {target, target2, NULL};
    env_close(&e, extra);
}

Test(headline, failed_restore_reports_the_server_reason)
{
    env e;
    milvus_result *res = NULL;
    char target[64];
    mvt_require_local();
    env_open(&e, 20);
    mvt_name(target, sizeof(target), "snap_fail");
    snapshot(&e, "f");
    cr_assert_eq(mvt_control_set("{\"reset\":true,\"fail_restore\":\"disk quota exceeded\"}"), 0);
    int rc = milvus_sync_restore_snapshot_and_wait(e.s, e.coll, "f", target, NULL, NULL, &res);
    cr_assert_eq(mvt_control_set("{\"reset\":true}"), 0);
    cr_assert_eq(rc, MILVUS_ERR_SERVER, "rc %d", rc);
    cr_assert_not_null(res);
    cr_assert(strstr(milvus_result_reason(res), "disk quota exceeded"), "reason: %s",
              milvus_result_reason(res));
    cr_assert(strstr(milvus_result_message(res), "disk quota exceeded"), "message: %s",
              milvus_result_message(res));
    milvus_result_unref(res);
    /* the server dropped the half-restored target */
    cr_assert_eq(milvus_sync_has_collection(e.s, target, &res), MILVUS_OK);
    cr_assert_eq(milvus_result_bool(res), 0);
    milvus_result_unref(res);
    env_close(&e, NULL);
}

typedef struct cancel_ctx {
    milvus_client *c;
    uint64_t call;
    long polls_at_cancel;
    int status;
    int done;
} cancel_ctx;

static void cancel_cb(evutil_socket_t fd, short what, void *ctx)
{
    cancel_ctx *cc = ctx;
    (void)fd;
    (void)what;
    cc->polls_at_cancel = mvt_calls("GetRestoreSnapshotState");
    milvus_client_cancel(cc->c, cc->call);
}

static void cancel_done(milvus_client *c, const milvus_result *res, void *ctx)
{
    cancel_ctx *cc = ctx;
    (void)c;
    cc->done = 1;
    cc->status = milvus_result_status(res);
}

Test(headline, cancelling_an_await_stops_polling_but_not_the_job)
{
    env e;
    milvus_result *res = NULL;
    char target[64];
    cancel_ctx cc = {0};
    milvus_await_options *ao = milvus_await_options_new();
    mvt_require_local();
    env_open(&e, 20);
    mvt_name(target, sizeof(target), "snap_cancel");
    snapshot(&e, "c");
    cr_assert_eq(mvt_control_set("{\"reset\":true}"), 0);
    cr_assert_eq(milvus_sync_restore_snapshot(e.s, e.coll, "c", target, NULL, &res), MILVUS_OK);
    int64_t job = milvus_result_int64(res);
    milvus_result_unref(res);

    milvus_await_options_set_interval(ao, 50, 50, 1.0);
    cc.c = e.c;
    cr_assert_eq(milvus_client_await_restore(e.c, job, ao, cancel_done, &cc), MILVUS_OK);
    cc.call = milvus_client_last_call(e.c);
    struct event *t = evtimer_new(e.base, cancel_cb, &cc);
    struct timeval tv = {0, 300000};
    evtimer_add(t, &tv);
    while (!cc.done && event_base_loop(e.base, EVLOOP_ONCE) == 0)
        ;
    event_free(t);
    cr_assert_eq(cc.status, MILVUS_ERR_CANCELLED);
    cr_assert_geq(cc.polls_at_cancel, 3, "%ld polls before the cancel", cc.polls_at_cancel);
    /* no more polls: the await's timer is gone */
    mvt_sleep_ms(400);
    event_base_loop(e.base, EVLOOP_NONBLOCK);
    cr_assert_leq(mvt_calls("GetRestoreSnapshotState"), cc.polls_at_cancel + 1);
    cr_assert_eq(milvus_client_pending(e.c), 0);
    /* the server job was not cancelled: it completes */
    milvus_await_options_set_interval(ao, 100, 100, 1.0);
    cr_assert_eq(milvus_sync_await_restore(e.s, job, ao, &res), MILVUS_OK, "%s", msg_of(e.s, res));
    cr_assert_eq(milvus_result_job_state(res, 0), MILVUS_JOB_COMPLETED);
    milvus_result_unref(res);
    cr_assert_eq(mvt_load(e.s, target), MILVUS_OK);
    cr_assert_eq(mvt_count(e.s, target, NULL), 20);
    milvus_await_options_free(ao);
    const char *const extra[] = {target, NULL};
    env_close(&e, extra);
}

Test(headline, await_deadline_gives_timeout_and_the_job_goes_on)
{
    env e;
    milvus_result *res = NULL;
    char target[64];
    milvus_await_options *ao = milvus_await_options_new();
    env_open(&e, 20);
    mvt_name(target, sizeof(target), "snap_dl");
    snapshot(&e, "d");
    milvus_await_options_set_timeout_ms(ao, 250);
    milvus_await_options_set_interval(ao, 100, 100, 1.0);
    int64_t t0 = mvt_now_ms();
    int rc = milvus_sync_restore_snapshot_and_wait(e.s, e.coll, "d", target, NULL, ao, &res);
    int64_t took = mvt_now_ms() - t0;
    cr_assert_eq(rc, MILVUS_ERR_TIMEOUT, "rc %d: %s", rc, msg_of(e.s, res));
    cr_assert_not_null(res);
    cr_assert(strstr(milvus_result_message(res), "deadline"), "%s", milvus_result_message(res));
    cr_assert_geq(took, 240);
    cr_assert_lt(took, 1000, "took %lld ms", (long long)took);
    milvus_result_unref(res);
    /* the job goes on (listed by its target) */
    cr_assert_eq(milvus_sync_list_restore_snapshot_jobs(e.s, target, NULL, &res), MILVUS_OK);
    cr_assert_eq(milvus_result_job_count(res), 1);
    int64_t job = milvus_result_job_id(res, 0);
    milvus_result_unref(res);
    cr_assert_eq(milvus_sync_await_restore(e.s, job, NULL, &res), MILVUS_OK);
    cr_assert_eq(milvus_result_job_state(res, 0), MILVUS_JOB_COMPLETED);
    milvus_result_unref(res);
    milvus_await_options_free(ao);
    const char *const extra[] = {target, NULL};
    env_close(&e, extra);
}

Test(headline, await_survives_a_dropped_connection)
{
    env e;
    milvus_result *res = NULL;
    char target[64], buf[8192];
    milvus_await_options *ao = milvus_await_options_new();
    mvt_require_local();
    env_open(&e, 20);
    mvt_name(target, sizeof(target), "snap_drop");
    snapshot(&e, "r");
    cr_assert_eq(mvt_control_set("{\"reset\":true,\"drop_connection_after\":3,"
                                 "\"methods\":[\"GetRestoreSnapshotState\"]}"),
                 0);
    milvus_await_options_set_interval(ao, 100, 100, 1.0);
    milvus_await_options_set_timeout_ms(ao, 20000);
    int rc = milvus_sync_restore_snapshot_and_wait(e.s, e.coll, "r", target, NULL, ao, &res);
    cr_assert_eq(mvt_control_get(buf, sizeof(buf)), 0);
    cr_assert_eq(mvt_control_set("{\"reset\":true}"), 0);
    cr_assert_eq(rc, MILVUS_OK, "%s", msg_of(e.s, res));
    cr_assert_eq(milvus_result_job_state(res, 0), MILVUS_JOB_COMPLETED);
    milvus_result_unref(res);
    cr_assert(strstr(buf, "\"dropped\":1"), "the connection was not dropped: %s", buf);
    cr_assert_eq(mvt_load(e.s, target), MILVUS_OK);
    cr_assert_eq(mvt_count(e.s, target, NULL), 20);
    milvus_await_options_free(ao);
    const char *const extra[] = {target, NULL};
    env_close(&e, extra);
}

/* ---- one engine: the same deadline and transient-failure rule for every await ---------------- */

static milvus_await_options *quick_polls(int64_t timeout_ms)
{
    milvus_await_options *ao = milvus_await_options_new();
    cr_assert_not_null(ao);
    cr_assert_eq(milvus_await_options_set_interval(ao, 20, 20, 1.0), MILVUS_OK);
    cr_assert_eq(milvus_await_options_set_timeout_ms(ao, timeout_ms), MILVUS_OK);
    return ao;
}

Test(engine, the_flush_wait_of_a_snapshot_honours_the_await_deadline)
{
    env e;
    milvus_result *res = NULL;
    milvus_await_options *ao = quick_polls(300);
    mvt_require_local();
    env_open(&e, 20);
    cr_assert_eq(mvt_insert(e.s, e.coll, 20, 10), MILVUS_OK);
    /* every flush-state answer takes 1.5 s: only the deadline can end the
     * wait earlier */
    cr_assert_eq(mvt_control_set("{\"reset\":true,\"latency_ms\":1500,"
                                 "\"methods\":[\"GetFlushState\"]}"),
                 0);
    int64_t t0 = mvt_now_ms();
    int rc = milvus_sync_flush_and_snapshot(e.s, e.coll, "late", NULL, ao, &res);
    int64_t took = mvt_now_ms() - t0;
    cr_assert_eq(mvt_control_set("{\"reset\":true}"), 0);
    cr_assert_eq(rc, MILVUS_ERR_TIMEOUT, "rc %d: %s", rc, msg_of(e.s, res));
    cr_assert_not_null(res);
    cr_assert(strstr(milvus_result_message(res), "deadline"), "%s", milvus_result_message(res));
    cr_assert_geq(took, 280);
    cr_assert_lt(took, 1200, "took %lld ms", (long long)took);
    milvus_result_unref(res);
    /* no snapshot was taken */
    cr_assert_eq(milvus_sync_list_snapshots(e.s, e.coll, NULL, &res), MILVUS_OK);
    cr_assert(!has_string(res, "late"));
    milvus_result_unref(res);
    milvus_await_options_free(ao);
    env_close(&e, NULL);
}

Test(engine, the_flush_wait_of_a_snapshot_rides_through_transient_failures)
{
    env e;
    milvus_result *res = NULL;
    char buf[8192];
    milvus_await_options *ao = quick_polls(20000);
    mvt_require_local();
    env_open(&e, 20);
    cr_assert_eq(mvt_insert(e.s, e.coll, 20, 10), MILVUS_OK);
    /* the client's own rate-limit retries off: the limit reaches the await */
    no_rate_limit_retries(&e);
    cr_assert_eq(mvt_control_set("{\"reset\":true,\"rate_limit_next\":2,"
                                 "\"drop_connection_after\":3,\"methods\":[\"GetFlushState\"]}"),
                 0);
    int rc = milvus_sync_flush_and_snapshot(e.s, e.coll, "ride", NULL, ao, &res);
    cr_assert_eq(mvt_control_get(buf, sizeof(buf)), 0);
    cr_assert_eq(mvt_control_set("{\"reset\":true}"), 0);
    cr_assert_eq(rc, MILVUS_OK, "%s", msg_of(e.s, res));
    milvus_result_unref(res);
    cr_assert(strstr(buf, "\"rate_limit\":2"), "not rate limited: %s", buf);
    cr_assert(strstr(buf, "\"dropped\":1"), "the connection was not dropped: %s", buf);
    cr_assert_eq(milvus_sync_list_snapshots(e.s, e.coll, NULL, &res), MILVUS_OK);
    cr_assert(has_string(res, "ride"));
    milvus_result_unref(res);
    milvus_await_options_free(ao);
    env_close(&e, NULL);
}

/* Switches fault (JSON members) on for method alone, counters cleared. */
static void with_fault(const char *fault, const char *method)
{
    char json[256];
    snprintf(json, sizeof(json), "{\"reset\":true,%s,\"methods\":[\"%s\"]}", fault, method);
    cr_assert_eq(mvt_control_set(json), 0);
}

/* How often the server injected counter's fault since the reset. */
static long injected(const char *counter)
{
    char buf[8192], key[64];
    const char *p;
    cr_assert_eq(mvt_control_get(buf, sizeof(buf)), 0);
    snprintf(key, sizeof(key), "\"%s\":", counter);
    p = strstr(buf, "\"injected\"");
    p = p ? strstr(p, key) : NULL;
    return p ? strtol(p + strlen(key), NULL, 10) : -1;
}

Test(engine, one_transient_rule_for_index_and_restore_awaits)
{
    static const struct {
        const char *fault, *counter;
    } faults[] = {
        {"\"rate_limit_next\":2", "rate_limit"},
        /* more than the channel's own attempts at UNAVAILABLE (5) */
        {"\"unavailable_next\":6", "unavailable"},
        {"\"drop_connection_after\":1", "dropped"},
    };
    env e;
    milvus_await_options *ao = quick_polls(20000);
    mvt_require_local();
    env_open(&e, 20);
    snapshot(&e, "rule");
    no_rate_limit_retries(&e);
    const char *targets[4] = {NULL};
    char names[3][64];
    for (size_t i = 0; i < sizeof(faults) / sizeof(faults[0]); i++) {
        milvus_result *res = NULL;
        with_fault(faults[i].fault, "DescribeIndex");
        int index_rc = milvus_sync_await_index(e.s, e.coll, NULL, ao, &res);
        long index_hits = injected(faults[i].counter);
        cr_assert_eq(index_rc, MILVUS_OK, "index await under %s: %s", faults[i].fault,
                     msg_of(e.s, res));
        milvus_result_unref(res);

        mvt_name(names[i], sizeof(names[i]), "snap_rule");
        targets[i] = names[i];
        with_fault(faults[i].fault, "GetRestoreSnapshotState");
        int restore_rc =
            milvus_sync_restore_snapshot_and_wait(e.s, e.coll, "rule", names[i], NULL, ao, &res);
        long restore_hits = injected(faults[i].counter);
        cr_assert_eq(mvt_control_set("{\"reset\":true}"), 0);
        cr_assert_eq(restore_rc, index_rc, "restore await under %s: %s", faults[i].fault,
                     msg_of(e.s, res));
        cr_assert_eq(milvus_result_job_state(res, 0), MILVUS_JOB_COMPLETED);
        milvus_result_unref(res);
        /* the fault did hit both awaits */
        cr_assert_gt(index_hits, 0, "%s did not hit the index await", faults[i].fault);
        cr_assert_gt(restore_hits, 0, "%s did not hit the restore await", faults[i].fault);
    }
    milvus_await_options_free(ao);
    env_close(&e, targets);
}
