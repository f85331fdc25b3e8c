/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Concurrency of the typed API under injected faults.
 *
 * MILVUS_CONCURRENCY_CALLS (default 10000) mixed calls -- insert, search,
 * query, describe_collection, one quarter each -- run on ONE event loop
 * over a pool of 4 HTTP/2 connections, up to MILVUS_CONCURRENCY_WINDOW
 * (default 1000) of them in flight at any moment (refilled from the
 * completions), while the test server adds latency to every call,
 * answers every 50th with a Milvus RateLimit status and destroys one
 * connection in the middle of the run.
 *
 * Every call must complete EXACTLY once (counted per call), either with
 * the right answer (search hits and query rows checked against the rows
 * inserted at setup, insert counts and ids, the described schema) or with
 * an error of a retriable kind surfaced after its retries (connection
 * lost, UNAVAILABLE, rate limit): those are counted and must stay a small
 * minority.  Nothing may be left pending, and the client is freed at the
 * end (under valgrind, MILVUS_VALGRIND=1 as .ci/valgrind-check sets it,
 * the defaults drop to 1000 calls and a window of 200).
 *
 * With MILVUS_URI set (a real Milvus) the same load runs without the
 * fault injection (skipped with a message).
 */
#include <criterion/criterion.h>
#include <criterion/logging.h>
#include <event2/event.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <milvus/milvus.h>

#include "../integration/server_fixture.h"

FIXTURE_SERVER_FLAGS("--index-ms", "50", "--load-ms", "50");

#define DIM 8
#define BASE_ROWS 1000
#define INSERT_ID0 1000000 /* ids of the rows inserted by the mixed calls */
#define POOL 4

enum kind { K_INSERT, K_SEARCH, K_QUERY, K_DESCRIBE, NKINDS };
static const char *const kind_name[NKINDS] = {"insert", "search", "query", "describe"};

typedef struct run run;

typedef struct call {
    run *r;
    int index;
    int kind;
    int completions;
} call;

struct run {
    struct event_base *base;
    milvus_client *c;
    char coll[96];
    int ncalls;
    size_t window;
    call *calls;
    int submitted;
    int completed;
    int ok[NKINDS];
    int retriable[NKINDS];
    int disconnected, unavailable, rate_limited, other_retriable;
    int reset; /* streams of the dropped connection reset with NO_ERROR */
    int wrong; /* completed with a wrong answer or a non-retriable error */
    int duplicate;
    int busy; /* submissions refused with MILVUS_ERR_BUSY */
    int submit_errors;
    int max_attempts_seen;
    int drop_injected;
    char first_wrong[512];
};

/* ---- data -------------------------------------------------------------------------- */

static void base_vector(int64_t id, float *v)
{
    for (int j = 0; j < DIM; j++)
        v[j] = (float)sin((double)id * 0.37 + j * 1.3) + (float)(id % 7) * 0.01f;
}

/* Rows written by the mixed inserts lie far from every base vector, so
 * they never change a search's nearest neighbour. */
static void far_vector(int64_t id, float *v)
{
    for (int j = 0; j < DIM; j++)
        v[j] = 100.0f + (float)((id * 31 + j) % 17);
}

static int64_t tag_of(int64_t id)
{
    return id * 3 + 1;
}

static void wrong(run *r, const call *cl, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void wrong(run *r, const call *cl, const char *fmt, ...)
{
    r->wrong++;
    if (!r->first_wrong[0]) {
        char what[400];
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(what, sizeof(what), fmt, ap);
        va_end(ap);
        snprintf(r->first_wrong, sizeof(r->first_wrong), "call %d (%s): %s", cl->index,
                 kind_name[cl->kind], what);
    }
}

/* ---- setup through the blocking-style fixture helpers ------------------------------- */

static milvus_result *wait_ok(run *r, int rc, fixture_wait *w)
{
    milvus_result *res = fixture_wait_result(r->base, r->c, rc, w);
    fixture_assert_ok(res);
    return res;
}

static void setup_collection(run *r)
{
    milvus_schema *s = NULL;
    milvus_field *f = NULL;
    milvus_collection_options *co = milvus_collection_options_new();
    milvus_index_options *io = milvus_index_options_new();
    milvus_column *cols[3] = {NULL, NULL, NULL};
    int64_t ids[BASE_ROWS], tags[BASE_ROWS];
    static float vecs[BASE_ROWS * DIM];
    fixture_wait w;
    int loaded = 0;

    cr_assert(co && io);
    cr_assert_eq(milvus_schema_new(&s, r->coll), MILVUS_OK);
    cr_assert_eq(milvus_field_new(&f, "id", MILVUS_TYPE_INT64), MILVUS_OK);
    cr_assert_eq(milvus_field_set_primary_key(f, 1), MILVUS_OK);
    cr_assert_eq(milvus_schema_add_field(s, f), MILVUS_OK);
    milvus_field_free(f);
    cr_assert_eq(milvus_field_new(&f, "tag", MILVUS_TYPE_INT64), MILVUS_OK);
    cr_assert_eq(milvus_schema_add_field(s, f), MILVUS_OK);
    milvus_field_free(f);
    cr_assert_eq(milvus_field_new(&f, "vec", MILVUS_TYPE_FLOAT_VECTOR), MILVUS_OK);
    cr_assert_eq(milvus_field_set_dim(f, DIM), MILVUS_OK);
    cr_assert_eq(milvus_schema_add_field(s, f), MILVUS_OK);
    milvus_field_free(f);
    cr_assert_eq(milvus_collection_options_set_consistency(co, MILVUS_CONSISTENCY_STRONG),
                 MILVUS_OK);

    memset(&w, 0, sizeof(w));
    milvus_result_unref(
        wait_ok(r, milvus_client_create_collection(r->c, r->coll, s, co, fixture_wait_cb, &w), &w));
    milvus_schema_free(s);
    milvus_collection_options_free(co);

    for (int i = 0; i < BASE_ROWS; i++) {
        ids[i] = i;
        tags[i] = tag_of(i);
        base_vector(i, vecs + i * DIM);
    }
    cr_assert_eq(milvus_column_new_int64(&cols[0], "id", ids, BASE_ROWS), MILVUS_OK);
    cr_assert_eq(milvus_column_new_int64(&cols[1], "tag", tags, BASE_ROWS), MILVUS_OK);
    cr_assert_eq(milvus_column_new_float_vector(&cols[2], "vec", DIM, vecs, BASE_ROWS), MILVUS_OK);
    memset(&w, 0, sizeof(w));
    milvus_result *res =
        wait_ok(r,
                milvus_client_insert(r->c, r->coll, (const milvus_column *const *)cols, 3, NULL,
                                     fixture_wait_cb, &w),
                &w);
    cr_assert_eq(milvus_result_insert_count(res), BASE_ROWS);
    milvus_result_unref(res);
    for (int i = 0; i < 3; i++)
        milvus_column_free(cols[i]);

    cr_assert_eq(milvus_index_options_set_metric(io, "L2"), MILVUS_OK);
    memset(&w, 0, sizeof(w));
    milvus_result_unref(
        wait_ok(r, milvus_client_create_index(r->c, r->coll, "vec", io, fixture_wait_cb, &w), &w));
    milvus_index_options_free(io);
    memset(&w, 0, sizeof(w));
    milvus_result_unref(
        wait_ok(r, milvus_client_load_collection(r->c, r->coll, NULL, fixture_wait_cb, &w), &w));
    for (int i = 0; i < 300 && !loaded; i++) {
        memset(&w, 0, sizeof(w));
        res = wait_ok(r, milvus_client_get_load_state(r->c, r->coll, fixture_wait_cb, &w), &w);
        loaded = milvus_result_int64(res) == MILVUS_LOAD_STATE_LOADED;
        milvus_result_unref(res);
        if (!loaded) {
            int never = 0;
            fixture_run_until(r->base, &never, 50);
        }
    }
    cr_assert(loaded, "collection %s not loaded after 15 s", r->coll);
}

/* ---- the mixed calls ------------------------------------------------------------------ */

static void on_done(milvus_client *c, const milvus_result *res, void *ctx);
static void pump(run *r);

static int is_retriable(run *r, const milvus_result *res)
{
    int st = milvus_result_status(res);
    if (st == MILVUS_ERR_DISCONNECTED) {
        r->disconnected++;
        return 1;
    }
    if (st == MILVUS_ERR_GRPC && milvus_result_grpc_code(res) == MILVUS_GRPC_UNAVAILABLE) {
        r->unavailable++;
        return 1;
    }
    if (st == MILVUS_ERR_SERVER && milvus_result_server_code(res) == 8 &&
        milvus_result_retriable(res)) {
        r->rate_limited++;
        return 1;
    }
    if (st == MILVUS_ERR_CONNECT) {
        r->other_retriable++;
        return 1;
    }
    /* The test server drops a connection by destroying its HTTP/2 session:
     * node resets the open streams with NO_ERROR, then closes the socket.
     * gRPC maps a RST_STREAM(NO_ERROR) without response to INTERNAL, so the
     * calls of the dropped connection surface that way; only a fault run
     * (drop injected) accepts them, and they are counted separately. */
    if (r->drop_injected && st == MILVUS_ERR_GRPC &&
        milvus_result_grpc_code(res) == MILVUS_GRPC_INTERNAL &&
        strstr(milvus_result_grpc_message(res), "reset by the server")) {
        r->reset++;
        return 1;
    }
    return 0;
}

static void check_insert(run *r, call *cl, const milvus_result *res)
{
    const milvus_column *ids = milvus_result_ids(res);
    int64_t id0 = -1, id1 = -1;
    int64_t want = INSERT_ID0 + (int64_t)cl->index * 2;
    if (milvus_result_insert_count(res) != 2 || !ids || milvus_column_rows(ids) != 2 ||
        milvus_column_get_int(ids, 0, &id0) != MILVUS_OK ||
        milvus_column_get_int(ids, 1, &id1) != MILVUS_OK || id0 != want || id1 != want + 1) {
        wrong(r, cl, "%s", "insert count or ids differ from the rows sent");
        return;
    }
    r->ok[K_INSERT]++;
}

static void check_search(run *r, call *cl, const milvus_result *res)
{
    int64_t want = cl->index % BASE_ROWS, got = -1;
    const milvus_column *ids = milvus_result_hit_ids(res, 0);
    const milvus_column *tag = milvus_result_hit_column(res, 0, "tag");
    int64_t t = -1;
    if (milvus_result_num_queries(res) != 1 || milvus_result_hit_count(res, 0) != 3 || !ids ||
        milvus_column_get_int(ids, 0, &got) != MILVUS_OK || got != want || !tag ||
        milvus_column_get_int(tag, 0, &t) != MILVUS_OK || t != tag_of(want)) {
        char d[128];
        snprintf(d, sizeof(d), "top hit %lld (want %lld), tag %lld, %zu hits", (long long)got,
                 (long long)want, (long long)t, milvus_result_hit_count(res, 0));
        wrong(r, cl, "search: %s", d);
        return;
    }
    r->ok[K_SEARCH]++;
}

static void check_query(run *r, call *cl, const milvus_result *res)
{
    int64_t want = (cl->index * 7) % BASE_ROWS, id = -1, t = -1;
    const milvus_column *idc = milvus_result_column(res, "id");
    const milvus_column *tag = milvus_result_column(res, "tag");
    if (milvus_result_row_count(res) != 1 || !idc || !tag ||
        milvus_column_get_int(idc, 0, &id) != MILVUS_OK ||
        milvus_column_get_int(tag, 0, &t) != MILVUS_OK || id != want || t != tag_of(want)) {
        wrong(r, cl, "%s", "query row differs from the inserted one");
        return;
    }
    r->ok[K_QUERY]++;
}

static void check_describe(run *r, call *cl, const milvus_result *res)
{
    const milvus_schema *s = milvus_result_schema(res);
    const milvus_field *v = s ? milvus_schema_field(s, "vec") : NULL;
    if (!s || milvus_schema_field_count(s) != 3 || !v || milvus_field_dim(v) != DIM ||
        !milvus_schema_primary_field(s) ||
        strcmp(milvus_field_name(milvus_schema_primary_field(s)), "id") != 0) {
        wrong(r, cl, "%s", "described schema differs");
        return;
    }
    r->ok[K_DESCRIBE]++;
}

static void on_done(milvus_client *c, const milvus_result *res, void *ctx)
{
    call *cl = ctx;
    run *r = cl->r;
    (void)c;
    if (++cl->completions > 1) {
        r->duplicate++;
        return;
    }
    r->completed++;
    if (milvus_result_attempts(res) > r->max_attempts_seen)
        r->max_attempts_seen = milvus_result_attempts(res);
    if (milvus_result_status(res) != MILVUS_OK) {
        if (is_retriable(r, res))
            r->retriable[cl->kind]++;
        else
            wrong(r, cl, "error of a non-retriable kind: %s", milvus_result_message(res));
    } else {
        switch (cl->kind) {
        case K_INSERT: check_insert(r, cl, res); break;
        case K_SEARCH: check_search(r, cl, res); break;
        case K_QUERY: check_query(r, cl, res); break;
        default: check_describe(r, cl, res); break;
        }
    }
    pump(r); /* refill the window: submitting from a callback is allowed */
}

static int submit_insert(run *r, call *cl)
{
    int64_t ids[2], tags[2];
    float vecs[2 * DIM];
    milvus_column *cols[3] = {NULL, NULL, NULL};
    int rc;
    for (int i = 0; i < 2; i++) {
        ids[i] = INSERT_ID0 + (int64_t)cl->index * 2 + i;
        tags[i] = tag_of(ids[i]);
        far_vector(ids[i], vecs + i * DIM);
    }
    rc = milvus_column_new_int64(&cols[0], "id", ids, 2);
    if (!rc)
        rc = milvus_column_new_int64(&cols[1], "tag", tags, 2);
    if (!rc)
        rc = milvus_column_new_float_vector(&cols[2], "vec", DIM, vecs, 2);
    if (!rc)
        rc = milvus_client_insert(r->c, r->coll, (const milvus_column *const *)cols, 3, NULL,
                                  on_done, cl);
    for (int i = 0; i < 3; i++)
        milvus_column_free(cols[i]);
    return rc;
}

static int submit_search(run *r, call *cl)
{
    float v[DIM];
    milvus_column *qv = NULL;
    milvus_search_options *so = milvus_search_options_new();
    int rc = so ? MILVUS_OK : MILVUS_ERR_NOMEM;
    base_vector(cl->index % BASE_ROWS, v);
    if (!rc)
        rc = milvus_column_new_float_vector(&qv, "vec", DIM, v, 1);
    if (!rc)
        rc = milvus_search_options_set_vectors(so, qv);
    if (!rc)
        rc = milvus_search_options_set_limit(so, 3);
    if (!rc)
        rc = milvus_search_options_add_output_field(so, "tag");
    if (!rc)
        rc = milvus_client_search(r->c, r->coll, so, on_done, cl);
    milvus_column_free(qv);
    milvus_search_options_free(so);
    return rc;
}

static int submit_query(run *r, call *cl)
{
    char filter[64];
    milvus_query_options *qo = milvus_query_options_new();
    int rc = qo ? MILVUS_OK : MILVUS_ERR_NOMEM;
    snprintf(filter, sizeof(filter), "id == %d", (cl->index * 7) % BASE_ROWS);
    if (!rc)
        rc = milvus_query_options_set_filter(qo, filter);
    if (!rc)
        rc = milvus_query_options_add_output_field(qo, "tag");
    if (!rc)
        rc = milvus_client_query(r->c, r->coll, qo, on_done, cl);
    milvus_query_options_free(qo);
    return rc;
}

static void pump(run *r)
{
    while (r->submitted < r->ncalls && milvus_client_pending(r->c) < r->window) {
        call *cl = &r->calls[r->submitted];
        int rc;
        switch (cl->kind) {
        case K_INSERT: rc = submit_insert(r, cl); break;
        case K_SEARCH: rc = submit_search(r, cl); break;
        case K_QUERY: rc = submit_query(r, cl); break;
        default: rc = milvus_client_describe_collection(r->c, r->coll, on_done, cl); break;
        }
        if (rc == MILVUS_ERR_BUSY) {
            r->busy++; /* completions call pump() again */
            return;
        }
        if (rc != MILVUS_OK) {
            /* Not submitted: counts as completed (never called back). */
            r->submit_errors++;
            cl->completions = -1000;
            r->completed++;
        }
        r->submitted++;
    }
}

/* MILVUS_CONCURRENCY_MIX: the kinds in turn, e.g. "isqd" (default) or
 * "s" (searches only), to look at one kind at a time. */
static int kind_at(int i)
{
    const char *mix = getenv("MILVUS_CONCURRENCY_MIX");
    size_t n;
    if (!mix || !*mix || strspn(mix, "isqd") != strlen(mix))
        mix = "isqd";
    n = strlen(mix);
    switch (mix[(size_t)i % n]) {
    case 'i': return K_INSERT;
    case 's': return K_SEARCH;
    case 'q': return K_QUERY;
    default: return K_DESCRIBE;
    }
}

static long env_long(const char *name, long def, long lo, long hi)
{
    const char *v = getenv(name);
    long n = v && *v ? strtol(v, NULL, 10) : def;
    return n < lo ? lo : n > hi ? hi : n;
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static long injected(const char *json, const char *key)
{
    char path[64];
    char *v;
    long n;
    snprintf(path, sizeof(path), "injected.%s", key);
    v = fixture_json_get(json, path);
    n = v ? strtol(v, NULL, 10) : -1;
    free(v);
    return n;
}

Test(api, concurrency, .timeout = 240)
{
    run r;
    milvus_options *o;
    int faults;
    long drop_after;
    double t0, secs;
    int retriable = 0, slow;
    char *reply = NULL;

    fixture_require();
    faults = fixture_has_faults();
    memset(&r, 0, sizeof(r));
    /* Under valgrind (.ci/valgrind-check sets MILVUS_VALGRIND=1) a tenth
     * of the load keeps the run within the timeout. */
    slow = getenv("MILVUS_VALGRIND") && strcmp(getenv("MILVUS_VALGRIND"), "1") == 0;
    r.ncalls = (int)env_long("MILVUS_CONCURRENCY_CALLS", slow ? 1000 : 10000, 8, 1000000);
    r.window = (size_t)env_long("MILVUS_CONCURRENCY_WINDOW", slow ? 200 : 1000, 1, 100000);
    r.calls = calloc((size_t)r.ncalls, sizeof(*r.calls));
    cr_assert_not_null(r.calls);
    for (int i = 0; i < r.ncalls; i++) {
        r.calls[i].r = &r;
        r.calls[i].index = i;
        r.calls[i].kind = kind_at(i);
    }
    fixture_name(r.coll, sizeof(r.coll), "conc");
    cr_assert_not_null(r.base = event_base_new());
    cr_assert_not_null(o = fixture_options());
    cr_assert_eq(milvus_options_set_pool_size(o, POOL), MILVUS_OK);
    /* Headroom over the window: the bound applies to the client's own
     * calls; the test keeps at most `window` of them in flight. */
    cr_assert_eq(milvus_options_set_max_pending(o, r.window + 64), MILVUS_OK);
    cr_assert_eq(milvus_options_set_reconnect_backoff(o, 50, 500, 1.6), MILVUS_OK);
    /* Few rate-limit attempts, so that a rate limit can surface too. */
    cr_assert_eq(milvus_options_set_rate_limit_retry(o, 3, 5, 50, 2.0), MILVUS_OK);
    cr_assert_eq(milvus_client_new(&r.c, r.base, o), MILVUS_OK);
    milvus_options_free(o);

    setup_collection(&r);

    drop_after = r.ncalls / 3 > 0 ? r.ncalls / 3 : 1;
    if (faults) {
        char json[256];
        snprintf(json, sizeof(json),
                 "{\"reset\":true,\"latency_ms\":3,\"rate_limit_every\":50,"
                 "\"drop_connection_after\":%ld,"
                 "\"methods\":[\"Insert\",\"Search\",\"Query\",\"DescribeCollection\"]}",
                 drop_after);
        cr_assert_eq(fixture_control(json, NULL), MILVUS_OK, "control Set");
        r.drop_injected = 1;
    } else {
        cr_log_info("MILVUS_URI is a real Milvus: fault injection (latency, rate limits, "
                    "connection drop) skipped; the mixed load runs without it");
    }

    t0 = now_s();
    pump(&r);
    while (r.completed < r.ncalls && now_s() - t0 < 150) {
        int never = 0;
        fixture_run_until(r.base, &never, 100);
    }
    secs = now_s() - t0;

    if (faults) {
        cr_assert_eq(fixture_control("{}", &reply), MILVUS_OK, "control Get");
        cr_log_info("server injected: rate_limit=%ld dropped=%ld", injected(reply, "rate_limit"),
                    injected(reply, "dropped"));
        cr_expect_gt(injected(reply, "rate_limit"), 0, "no rate limit was injected");
        cr_expect_eq(injected(reply, "dropped"), 1, "the connection drop did not happen");
        free(reply);
        fixture_control_reset();
    }

    for (int k = 0; k < NKINDS; k++)
        retriable += r.retriable[k];
    cr_log_info("%d calls (window %zu, pool %d) in %.2f s = %.0f calls/s; ok %d/%d/%d/%d "
                "(insert/search/query/describe); retriable errors %d (disconnected %d, "
                "unavailable %d, rate limited %d, connect %d, reset by the drop %d); busy %d; "
                "max attempts %d",
                r.ncalls, r.window, POOL, secs, r.ncalls / (secs > 0 ? secs : 1), r.ok[0], r.ok[1],
                r.ok[2], r.ok[3], retriable, r.disconnected, r.unavailable, r.rate_limited,
                r.other_retriable, r.reset, r.busy, r.max_attempts_seen);
    fprintf(stderr,
            "# concurrency: %d calls in %.2f s (%.0f/s), retriable errors %d (disconnected %d, "
            "unavailable %d, rate limited %d, connect %d, reset %d), max attempts %d\n",
            r.ncalls, secs, r.ncalls / (secs > 0 ? secs : 1), retriable, r.disconnected,
            r.unavailable, r.rate_limited, r.other_retriable, r.reset, r.max_attempts_seen);

    cr_expect_eq(r.completed, r.ncalls, "%d of %d calls completed (lost calls)", r.completed,
                 r.ncalls);
    cr_expect_eq(r.duplicate, 0, "%d duplicate completions", r.duplicate);
    cr_expect_eq(r.submit_errors, 0, "%d submissions failed: %s", r.submit_errors,
                 milvus_client_last_error(r.c));
    cr_expect_eq(r.wrong, 0, "%d wrong answers; first: %s", r.wrong, r.first_wrong);
    for (int i = 0; i < r.ncalls; i++)
        if (r.calls[i].completions != 1) {
            cr_expect_fail("call %d (%s) completed %d times", i, kind_name[r.calls[i].kind],
                           r.calls[i].completions);
            break;
        }
    /* A small minority: the calls in flight on the dropped connection
     * (about window/pool) plus rare rate limits that outlast 3 attempts. */
    cr_expect_leq(retriable, r.ncalls / 20 + 8, "%d retriable errors of %d calls", retriable,
                  r.ncalls);
    /* The drop hits one connection: at most its share of the window. */
    cr_expect_leq(r.reset + r.disconnected, (int)(r.window / POOL) * 2 + 8,
                  "%d calls lost with the one dropped connection", r.reset + r.disconnected);
    cr_expect_eq(milvus_client_pending(r.c), 0, "calls still pending");

    /* Every acknowledged insert is there (failed ones may be, too). */
    {
        fixture_wait w;
        milvus_result *res;
        int64_t n, lo = BASE_ROWS + 2 * (int64_t)r.ok[K_INSERT];
        int64_t hi = BASE_ROWS + 2 * (int64_t)(r.ok[K_INSERT] + r.retriable[K_INSERT]);
        memset(&w, 0, sizeof(w));
        res = wait_ok(&r, milvus_client_count(r.c, r.coll, NULL, fixture_wait_cb, &w), &w);
        n = milvus_result_int64(res);
        milvus_result_unref(res);
        cr_expect(n >= lo && n <= hi, "count(*) %lld not in [%lld, %lld]", (long long)n,
                  (long long)lo, (long long)hi);
        memset(&w, 0, sizeof(w));
        milvus_result_unref(
            wait_ok(&r, milvus_client_drop_collection(r.c, r.coll, fixture_wait_cb, &w), &w));
    }
    milvus_client_free(r.c);
    event_base_free(r.base);
    free(r.calls);
}

/* Regression: with max_pending = 1 the first call of a fresh client once
 * failed with MILVUS_ERR_BUSY through its callback: the lazy Connect
 * handshake was exempt from the client's bound but not from the channel's
 * (same max_pending), and the parked call was sent from inside Connect's
 * reply callback while call.c still counted Connect as pending.  The same
 * extra slot was needed by every follow-up RPC sent from a reply callback
 * (insert: DescribeCollection -> Insert), so a client at its bound failed
 * accepted calls with BUSY (seen as 1 failed insert of 5,000 in
 * examples/async_ingest --max-pending 1000). */
Test(api, bound_of_one_first_call)
{
    struct event_base *base = event_base_new();
    milvus_options *o;
    milvus_client *c = NULL;
    fixture_wait w;
    milvus_result *res;

    fixture_require();
    cr_assert_not_null(base);
    cr_assert_not_null(o = fixture_options());
    cr_assert_eq(milvus_options_set_max_pending(o, 1), MILVUS_OK);
    cr_assert_eq(milvus_client_new(&c, base, o), MILVUS_OK);
    milvus_options_free(o);
    memset(&w, 0, sizeof(w));
    res = fixture_wait_result(base, c, milvus_client_has_collection(c, "nope", fixture_wait_cb, &w),
                              &w);
    cr_expect_eq(milvus_result_status(res), MILVUS_OK, "first call with max_pending 1: %s",
                 milvus_result_message(res));
    milvus_result_unref(res);
    milvus_client_free(c);
    event_base_free(base);
}
