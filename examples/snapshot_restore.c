/* SPDX-License-Identifier: Apache-2.0 */
/*
 * snapshot_restore — the libmilvus headline demo.
 *
 * On ONE event_base, with the asynchronous API:
 *   1. create a collection (id Int64, vector FloatVector(64), category
 *      Int64), insert rows, build the index and load it (awaited by
 *      polling on event timers);
 *   2. measure a steady stream of searches (a fixed number in flight);
 *   3. flush and snapshot the collection, then insert MORE rows;
 *   4. restore the snapshot into a new collection and await the job with
 *      a progress line WHILE the same search stream keeps running against
 *      the source collection -- and compare the search latency with the
 *      baseline;
 *   5. load the restored collection and verify that it is the snapshot's
 *      point in time: count(*) matches, none of the later rows exist, and
 *      searches return the same hits as on the source at snapshot time;
 *   6. drop everything.
 *
 * Against a server without the snapshot service (Milvus before 3.0) it
 * runs steps 1, 2 and 6 and says so.
 *
 * usage: snapshot_restore [URI [TOKEN]]   (defaults: $MILVUS_URI,
 * $MILVUS_TOKEN, localhost:19530).  Exit status 0 only when every check
 * passes.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <event2/event.h>

#include <milvus/milvus.h>
#include <milvus/snapshot.h>

#define DIM 64
#define ROWS 6000      /* rows before the snapshot */
#define LATE_ROWS 1000 /* rows inserted after it */
#define BATCH 1000
#define IN_FLIGHT 4      /* concurrent searches of the stream */
#define BASELINE_MS 2000 /* how long the baseline stream runs */
#define CHECK_QUERIES 5  /* searches compared between source and restore */
#define TOPK 5
#define MAX_LAT 200000

static struct event_base *base;
static milvus_client *client;
static char src[64], dst[64];
static const char *snap = "demo_snapshot";
static int failures;

/* ---- small utilities ----------------------------------------------------------- */

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static void die(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));
static void die(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("snapshot_restore: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    exit(1);
}

static void check(int ok, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void check(int ok, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    printf("  [%s] ", ok ? "ok" : "MISMATCH");
    vprintf(fmt, ap);
    putchar('\n');
    va_end(ap);
    if (!ok)
        failures++;
}

/* The vector of row id: deterministic pseudo-random numbers. */
static void vector_of(int64_t id, float *v)
{
    uint64_t x = (uint64_t)id * 0x9E3779B97F4A7C15ULL + 1;
    for (int d = 0; d < DIM; d++) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        v[d] = (float)(x % 10000) / 10000.0f;
    }
}

/* ---- one call at a time: submit, then run the loop until its callback ---------- */

typedef struct waiter {
    int done;
    milvus_result *res;
} waiter;

static void waiter_cb(milvus_client *c, const milvus_result *res, void *ctx)
{
    waiter *w = ctx;
    (void)c;
    w->res = milvus_result_ref(res);
    w->done = 1;
}

/* Runs the loop until w is done; returns the result (caller unrefs) or
 * dies naming what failed. */
static milvus_result *finish_any(waiter *w, int rc, const char *what)
{
    if (rc != MILVUS_OK)
        die("%s: %s", what, milvus_client_last_error(client));
    while (!w->done)
        event_base_loop(base, EVLOOP_ONCE);
    return w->res;
}

static milvus_result *finish(waiter *w, int rc, const char *what)
{
    finish_any(w, rc, what);
    if (milvus_result_status(w->res) != MILVUS_OK)
        die("%s: %s", what, milvus_result_message(w->res));
    return w->res;
}

/* One call at a time goes through this waiter (the search stream has its
 * own callbacks). */
static waiter one;
#define CALL(what, fn, ...)                                                                        \
    (one = (waiter){0, NULL}, finish(&one, fn(client, __VA_ARGS__, waiter_cb, &one), what))

static void sleep_on_loop(int ms)
{
    struct timeval tv = {ms / 1000, (ms % 1000) * 1000};
    event_base_loopexit(base, &tv);
    event_base_dispatch(base);
}

/* ---- setup --------------------------------------------------------------------- */

static void create_collection(void)
{
    milvus_schema *s;
    milvus_field *id, *vec, *cat;
    if (milvus_schema_new(&s, src) || milvus_field_new(&id, "id", MILVUS_TYPE_INT64) ||
        milvus_field_set_primary_key(id, 1) ||
        milvus_field_new(&vec, "vector", MILVUS_TYPE_FLOAT_VECTOR) ||
        milvus_field_set_dim(vec, DIM) || milvus_field_new(&cat, "category", MILVUS_TYPE_INT64) ||
        milvus_schema_add_field(s, id) || milvus_schema_add_field(s, vec) ||
        milvus_schema_add_field(s, cat))
        die("building the schema failed");
    milvus_result_unref(CALL("create collection", milvus_client_create_collection, src, s, NULL));
    milvus_field_free(id);
    milvus_field_free(vec);
    milvus_field_free(cat);
    milvus_schema_free(s);
}

/* Inserts ids [first, first + n) in batches, all batches in flight at once. */
static void insert_rows(int64_t first, int n)
{
    int batches = (n + BATCH - 1) / BATCH;
    waiter *w = calloc((size_t)batches, sizeof(*w));
    int64_t *ids = malloc(BATCH * sizeof(*ids)), *cats = malloc(BATCH * sizeof(*cats));
    float *vecs = malloc((size_t)BATCH * DIM * sizeof(float));
    if (!w || !ids || !cats || !vecs)
        die("out of memory");
    for (int b = 0; b < batches; b++) {
        int rows = n - b * BATCH < BATCH ? n - b * BATCH : BATCH;
        milvus_column *cols[3];
        for (int i = 0; i < rows; i++) {
            ids[i] = first + (int64_t)b * BATCH + i;
            cats[i] = ids[i] % 16;
            vector_of(ids[i], vecs + (size_t)i * DIM);
        }
        if (milvus_column_new_int64(&cols[0], "id", ids, (size_t)rows) ||
            milvus_column_new_float_vector(&cols[1], "vector", DIM, vecs, (size_t)rows) ||
            milvus_column_new_int64(&cols[2], "category", cats, (size_t)rows))
            die("building columns failed");
        /* the columns are serialized at submission: free them at once */
        if (milvus_client_insert(client, src, (const milvus_column *const *)cols, 3, NULL,
                                 waiter_cb, &w[b]) != MILVUS_OK)
            die("insert: %s", milvus_client_last_error(client));
        for (int c = 0; c < 3; c++)
            milvus_column_free(cols[c]);
    }
    for (int b = 0; b < batches; b++)
        milvus_result_unref(finish(&w[b], MILVUS_OK, "insert"));
    free(w);
    free(ids);
    free(cats);
    free(vecs);
}

/* Index (built on the server) and await it: describe until Finished. */
static void index_and_wait(const char *coll)
{
    milvus_index_options *io = milvus_index_options_new();
    /* a restored collection comes with the snapshot's index definitions */
    milvus_result *r;
    one = (waiter){0, NULL};
    r = finish_any(&one, milvus_client_list_indexes(client, coll, waiter_cb, &one), "indexes");
    /* Milvus answers "index not found" (code 700) when there is none */
    int have = milvus_result_status(r) == MILVUS_OK && milvus_result_string_count(r) > 0;
    milvus_result_unref(r);
    if (!have) {
        milvus_index_options_set_type(io, "AUTOINDEX");
        milvus_index_options_set_metric(io, "L2");
        milvus_result_unref(CALL("create index", milvus_client_create_index, coll, "vector", io));
    }
    milvus_index_options_free(io);
    for (;;) {
        r = CALL("describe index", milvus_client_describe_index, coll, NULL);
        milvus_index_state st = milvus_result_index_state(r, 0);
        if (st == MILVUS_INDEX_STATE_FAILED)
            die("index build on %s failed: %s", coll, milvus_result_index_fail_reason(r, 0));
        milvus_result_unref(r);
        if (st == MILVUS_INDEX_STATE_FINISHED)
            break;
        sleep_on_loop(100);
    }
}

static void load_and_wait(const char *coll)
{
    milvus_result_unref(CALL("load", milvus_client_load_collection, coll, NULL));
    for (;;) {
        milvus_result *r = CALL("load state", milvus_client_get_load_state, coll);
        int64_t st = milvus_result_int64(r);
        milvus_result_unref(r);
        if (st == MILVUS_LOAD_STATE_LOADED)
            break;
        sleep_on_loop(100);
    }
}

static int64_t count_rows(const char *coll, const char *filter)
{
    milvus_result *r = CALL("count", milvus_client_count, coll, filter);
    int64_t n = milvus_result_int64(r);
    milvus_result_unref(r);
    return n;
}

/* ---- the search stream ------------------------------------------------------------ */

typedef struct stream {
    int running;
    int in_flight;
    long completed, failed;
    double *lat;
    long nlat;
    double started[IN_FLIGHT];
    long seq;
} stream;

static stream st;
static int slots[IN_FLIGHT];

static void search_cb(milvus_client *c, const milvus_result *res, void *ctx);

static void search_one(int slot)
{
    float v[DIM];
    milvus_column *q;
    milvus_search_options *so = milvus_search_options_new();
    vector_of(st.seq++ % ROWS, v);
    if (!so || milvus_column_new_float_vector(&q, "vector", DIM, v, 1))
        die("out of memory");
    milvus_search_options_set_vectors(so, q);
    milvus_search_options_set_limit(so, TOPK);
    milvus_search_options_set_filter(so, "category >= 0");
    st.started[slot] = now_ms();
    if (milvus_client_search(client, src, so, search_cb, &slots[slot]) != MILVUS_OK)
        die("search: %s", milvus_client_last_error(client));
    st.in_flight++;
    milvus_column_free(q);
    milvus_search_options_free(so);
}

static void search_cb(milvus_client *c, const milvus_result *res, void *ctx)
{
    int slot = *(int *)ctx;
    (void)c;
    st.in_flight--;
    if (milvus_result_status(res) == MILVUS_OK) {
        st.completed++;
        if (st.nlat < MAX_LAT)
            st.lat[st.nlat++] = now_ms() - st.started[slot];
    } else {
        st.failed++;
        fprintf(stderr, "search failed: %s\n", milvus_result_message(res));
    }
    if (st.running)
        search_one(slot);
}

static void stream_start(void)
{
    st.running = 1;
    st.nlat = 0;
    st.completed = st.failed = 0;
    for (int i = 0; i < IN_FLIGHT; i++) {
        slots[i] = i;
        search_one(i);
    }
}

static void stream_stop(void)
{
    st.running = 0;
    while (st.in_flight > 0)
        event_base_loop(base, EVLOOP_ONCE);
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static void percentiles(double *p50, double *p99)
{
    qsort(st.lat, (size_t)st.nlat, sizeof(double), cmp_double);
    *p50 = st.nlat ? st.lat[(st.nlat - 1) * 50 / 100] : 0;
    *p99 = st.nlat ? st.lat[(st.nlat - 1) * 99 / 100] : 0;
}

/* ---- the restore with its progress line ----------------------------------------------- */

static double restore_t0;
static int tty;

static void on_progress(milvus_client *c, int64_t progress, const milvus_result *res, void *ctx)
{
    (void)c;
    (void)ctx;
    printf("%s  restore job %lld: %-9s %3d%%  (%.1f s, %ld searches done meanwhile)%s",
           tty ? "\r" : "", (long long)milvus_result_job_id(res, 0),
           milvus_job_state_name(milvus_result_job_state(res, 0)), (int)progress,
           (now_ms() - restore_t0) / 1e3, st.completed, tty ? "" : "\n");
    fflush(stdout);
}

/* Top-TOPK ids of the search by the vector of row id. */
static void top_hits(const char *coll, int64_t id, int64_t *out)
{
    float v[DIM];
    milvus_column *q;
    milvus_search_options *so = milvus_search_options_new();
    vector_of(id, v);
    if (!so || milvus_column_new_float_vector(&q, "vector", DIM, v, 1))
        die("out of memory");
    milvus_search_options_set_vectors(so, q);
    milvus_search_options_set_limit(so, TOPK);
    milvus_search_options_set_consistency(so, MILVUS_CONSISTENCY_STRONG);
    milvus_result *r = CALL("search", milvus_client_search, coll, so);
    const milvus_column *ids = milvus_result_hit_ids(r, 0);
    for (size_t i = 0; i < TOPK; i++)
        if (i >= milvus_result_hit_count(r, 0) || milvus_column_get_int(ids, i, &out[i]))
            out[i] = -1;
    milvus_result_unref(r);
    milvus_column_free(q);
    milvus_search_options_free(so);
}

int main(int argc, char **argv)
{
    const char *uri = argc > 1 ? argv[1] : getenv("MILVUS_URI");
    const char *token = argc > 2 ? argv[2] : getenv("MILVUS_TOKEN");
    milvus_options *opts = milvus_options_new();
    double base50, base99, r50, r99;
    int64_t at_snapshot[CHECK_QUERIES][TOPK], restored[TOPK];
    const int64_t probes[CHECK_QUERIES] = {0, 17, 999, 2500, ROWS - 1};
    char filter[64];

    tty = isatty(1);
    st.lat = malloc(MAX_LAT * sizeof(double));
    if (!opts || !st.lat || !(base = event_base_new()))
        die("out of memory");
    if (uri && *uri && milvus_options_set_uri(opts, uri) != MILVUS_OK)
        die("bad URI '%s'", uri);
    if (token && *token)
        milvus_options_set_token(opts, token);
    milvus_options_set_connect_timeout_ms(opts, 10000);
    milvus_options_set_call_timeout_ms(opts, 30000);
    if (milvus_client_new(&client, base, opts) != MILVUS_OK)
        die("cannot create the client");
    milvus_options_free(opts);
    snprintf(src, sizeof(src), "demo_source_%ld", (long)getpid());
    snprintf(dst, sizeof(dst), "demo_restored_%ld", (long)getpid());

    one = (waiter){0, NULL};
    milvus_result *r =
        finish(&one, milvus_client_get_server_version(client, waiter_cb, &one), "connect");
    printf("connected to %s (server %s)\n", uri && *uri ? uri : "localhost:19530",
           milvus_result_string(r));
    milvus_result_unref(r);

    printf("1. collection %s: %d rows, dim %d\n", src, ROWS, DIM);
    create_collection();
    double t = now_ms();
    insert_rows(0, ROWS);
    printf("   inserted in %.0f ms\n", now_ms() - t);
    index_and_wait(src);
    load_and_wait(src);
    printf("   indexed and loaded\n");

    printf("2. baseline: %d searches in flight for %.1f s\n", IN_FLIGHT, BASELINE_MS / 1e3);
    stream_start();
    sleep_on_loop(BASELINE_MS);
    stream_stop();
    percentiles(&base50, &base99);
    long base_n = st.completed;

    printf("3. flush + snapshot '%s', then %d more rows\n", snap, LATE_ROWS);
    one = (waiter){0, NULL};
    r = finish_any(&one,
                   milvus_client_flush_and_snapshot(client, src, snap, NULL, NULL, waiter_cb, &one),
                   "flush and snapshot");
    if (milvus_result_status(r) == MILVUS_ERR_GRPC &&
        milvus_result_grpc_code(r) == MILVUS_GRPC_UNIMPLEMENTED) {
        /* A server before Milvus 3.0: the rest of the demo needs snapshots. */
        printf("   the server has no snapshot service (%s): steps 3 to 5 skipped\n",
               milvus_result_grpc_message(r));
        milvus_result_unref(r);
        printf("   search latency          p50        p99    searches\n");
        printf("   baseline          %8.2f ms %8.2f ms  %8ld\n", base50, base99, base_n);
        check(st.failed == 0, "no search failed (%ld failures)", st.failed);
        check(base_n > 0, "searches completed");
        printf("6. clean up\n");
        milvus_result_unref(CALL("drop source", milvus_client_drop_collection, src));
        milvus_client_free(client);
        event_base_free(base);
        free(st.lat);
        printf("%s\n", failures ? "FAILED" : "all checks passed (without snapshots)");
        return failures ? 1 : 0;
    }
    if (milvus_result_status(r) != MILVUS_OK)
        die("flush and snapshot: %s", milvus_result_message(r));
    milvus_result_unref(r);
    for (int i = 0; i < CHECK_QUERIES; i++)
        top_hits(src, probes[i], at_snapshot[i]);
    insert_rows(ROWS, LATE_ROWS);

    printf("4. restore '%s' into %s while the search stream runs\n", snap, dst);
    milvus_await_options *ao = milvus_await_options_new();
    milvus_await_options_set_progress(ao, on_progress, NULL);
    milvus_await_options_set_timeout_ms(ao, 10 * 60 * 1000);
    waiter rw = {0, NULL};
    restore_t0 = now_ms();
    stream_start();
    if (milvus_client_restore_snapshot_and_wait(client, src, snap, dst, NULL, ao, waiter_cb, &rw) !=
        MILVUS_OK)
        die("restore: %s", milvus_client_last_error(client));
    while (!rw.done)
        event_base_loop(base, EVLOOP_ONCE);
    stream_stop();
    if (tty)
        putchar('\n');
    milvus_await_options_free(ao);
    if (milvus_result_status(rw.res) != MILVUS_OK)
        die("restore: %s", milvus_result_message(rw.res));
    printf("   restore completed in %.1f s (server time %llu ms)\n", (now_ms() - restore_t0) / 1e3,
           (unsigned long long)milvus_result_job_time_cost(rw.res, 0));
    milvus_result_unref(rw.res);
    percentiles(&r50, &r99);
    printf("   search latency          p50        p99    searches\n");
    printf("   without restore   %8.2f ms %8.2f ms  %8ld\n", base50, base99, base_n);
    printf("   during restore    %8.2f ms %8.2f ms  %8ld\n", r50, r99, st.completed);
    check(st.failed == 0, "no search failed (%ld failures)", st.failed);
    check(st.completed > 0, "searches kept completing during the restore");

    printf("5. verify %s against the snapshot's point in time\n", dst);
    index_and_wait(dst);
    load_and_wait(dst);
    int64_t n_dst = count_rows(dst, NULL), n_src = count_rows(src, NULL);
    check(n_dst == ROWS, "count(*) of the restore = %lld (snapshot had %d)", (long long)n_dst,
          ROWS);
    check(n_src == ROWS + LATE_ROWS, "count(*) of the source = %lld (%d + %d)", (long long)n_src,
          ROWS, LATE_ROWS);
    snprintf(filter, sizeof(filter), "id >= %d", ROWS);
    int64_t late = count_rows(dst, filter);
    check(late == 0, "rows inserted after the snapshot in the restore: %lld", (long long)late);
    for (int i = 0; i < CHECK_QUERIES; i++) {
        top_hits(dst, probes[i], restored);
        check(memcmp(restored, at_snapshot[i], sizeof(restored)) == 0 && restored[0] == probes[i],
              "search by row %lld: same top-%d hits as the source at snapshot time (first %lld)",
              (long long)probes[i], TOPK, (long long)restored[0]);
    }

    printf("6. clean up\n");
    milvus_result_unref(CALL("drop restored", milvus_client_drop_collection, dst));
    milvus_result_unref(CALL("drop snapshot", milvus_client_drop_snapshot, src, snap, NULL));
    milvus_result_unref(CALL("drop source", milvus_client_drop_collection, src));

    milvus_client_free(client);
    event_base_free(base);
    free(st.lat);
    printf("%s\n", failures ? "FAILED" : "all checks passed");
    return failures ? 1 : 0;
}
