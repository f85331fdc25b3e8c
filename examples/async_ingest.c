/* SPDX-License-Identifier: Apache-2.0 */
/*
 * async_ingest — a daemon-style ingestion loop on one event_base: keeps
 * thousands of inserts in flight, backs off when the client's pending-call
 * bound is reached (MILVUS_ERR_BUSY), reports rows/s periodically, and
 * stops after --rows rows or --seconds seconds (or on SIGINT/SIGTERM),
 * draining what is in flight before it checks count(*).
 *
 *   async_ingest [URI] [--rows N] [--seconds S] [--batch B] [--max-pending P]
 *                [--pool N] [--dim D] [--report-ms MS] [--collection NAME] [--keep]
 *
 * URI defaults to $MILVUS_URI, then localhost:19530; $MILVUS_TOKEN is sent
 * as the API key when set.
 *
 * Back-pressure: the options' max_pending (milvus_options_set_max_pending)
 * bounds the calls submitted and not completed.  The pump submits until an
 * insert returns MILVUS_ERR_BUSY, then sleeps; completions wake it once the
 * pending count has fallen under three quarters of the bound.  Memory stays
 * bounded whatever the server's speed.
 *
 * Output (one line each, parsed by tests/api/examples.sh):
 *   progress: t=1.0s rows=... rate=... rows/s in_flight=... busy=...
 *   done: inserted=N rows failed_calls=F busy=B seconds=T rate=R rows/s
 *   count: N
 */
#include <milvus/milvus.h>

#include <event2/event.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>

enum phase { P_HAS, P_DROP, P_CREATE, P_INDEX, P_LOAD, P_INGEST, P_LOADED, P_COUNT, P_CLEANUP };

typedef struct ingest {
    struct event_base *base;
    milvus_client *c;
    const char *coll;
    int keep;
    /* limits */
    int64_t target_rows;
    double max_seconds;
    int64_t batch;
    int64_t dim;
    size_t max_pending;
    /* state */
    enum phase phase;
    int stopping; /* no more submissions (deadline, signal, error) */
    int blocked;  /* the last submission got MILVUS_ERR_BUSY */
    int64_t next_id;
    int64_t submitted_rows, inserted_rows;
    int64_t in_flight, failed_calls, busy_hits, max_in_flight;
    int64_t last_report_rows;
    double t0, t_end, last_report_t;
    int64_t counted;
    int load_polls;
    int exit_code;
    /* one batch buffer, reused: inserts serialize before returning */
    int64_t *ids;
    float *vecs;
    struct event *pump_ev, *report_ev, *poll_ev, *sigint_ev, *sigterm_ev;
} ingest;

static double now_s(void)
{
    struct timeval tv;
    gettimeofday(&tv, NULL);
    return (double)tv.tv_sec + (double)tv.tv_usec / 1e6;
}

static void fail(ingest *g, const char *what, const milvus_result *res)
{
    fprintf(stderr, "async_ingest: %s: %s\n", what,
            res ? milvus_result_message(res) : milvus_client_last_error(g->c));
    g->exit_code = 1;
    event_base_loopbreak(g->base);
}

static void next_phase(ingest *g, const milvus_result *res);
static void on_phase(milvus_client *c, const milvus_result *res, void *ctx)
{
    (void)c;
    next_phase(ctx, res);
}

/* ---- the ingestion pump ----------------------------------------------------- */

static void on_insert(milvus_client *c, const milvus_result *res, void *ctx);

static void fill_batch(ingest *g, int64_t first, int64_t n)
{
    for (int64_t r = 0; r < n; r++) {
        uint64_t x = (uint64_t)(first + r) * 0x9E3779B97F4A7C15ull;
        g->ids[r] = first + r;
        for (int64_t j = 0; j < g->dim; j++) {
            x ^= x >> 29;
            x *= 0xBF58476D1CE4E5B9ull;
            g->vecs[r * g->dim + j] = (float)(x >> 40) / (float)(1u << 24);
        }
    }
}

/* Submits one batch: MILVUS_OK, MILVUS_ERR_BUSY or another error. */
static int submit_batch(ingest *g)
{
    int64_t n = g->target_rows - g->submitted_rows;
    milvus_column *cols[2] = {NULL, NULL};
    int rc;
    if (n > g->batch)
        n = g->batch;
    fill_batch(g, g->next_id, n);
    /* Zero-copy columns over the batch buffer: the insert serializes them
     * before it returns, so the buffer can be refilled at once. */
    rc = milvus_column_wrap(&cols[0], "id", MILVUS_TYPE_INT64, 0, g->ids, (size_t)n);
    if (rc == MILVUS_OK)
        rc = milvus_column_wrap(&cols[1], "vec", MILVUS_TYPE_FLOAT_VECTOR, g->dim, g->vecs,
                                (size_t)n);
    if (rc == MILVUS_OK)
        rc = milvus_client_insert(g->c, g->coll, (const milvus_column *const *)cols, 2, NULL,
                                  on_insert, g);
    milvus_column_free(cols[0]);
    milvus_column_free(cols[1]);
    if (rc == MILVUS_OK) {
        g->next_id += n;
        g->submitted_rows += n;
        if (++g->in_flight > g->max_in_flight)
            g->max_in_flight = g->in_flight;
    }
    return rc;
}

static void finish_ingest(ingest *g);

static void pump(evutil_socket_t fd, short what, void *ctx)
{
    ingest *g = ctx;
    (void)fd;
    (void)what;
    if (g->phase != P_INGEST)
        return;
    if (!g->stopping && g->max_seconds > 0 && now_s() - g->t0 >= g->max_seconds)
        g->stopping = 1;
    /* A bounded burst per loop iteration keeps the loop responsive: the
     * rest is scheduled as another round. */
    for (int burst = 0; burst < 512 && !g->stopping && g->submitted_rows < g->target_rows;
         burst++) {
        int rc = submit_batch(g);
        if (rc == MILVUS_ERR_BUSY) {
            g->busy_hits++;
            g->blocked = 1; /* completions wake the pump */
            return;
        }
        if (rc != MILVUS_OK) {
            fail(g, "insert not submitted", NULL);
            return;
        }
    }
    if (!g->stopping && g->submitted_rows < g->target_rows) {
        event_active(g->pump_ev, EV_TIMEOUT, 0);
        return;
    }
    if (g->in_flight == 0)
        finish_ingest(g);
}

static void on_insert(milvus_client *c, const milvus_result *res, void *ctx)
{
    ingest *g = ctx;
    g->in_flight--;
    if (milvus_result_status(res) == MILVUS_OK) {
        g->inserted_rows += milvus_result_insert_count(res);
    } else {
        g->failed_calls++;
        if (g->failed_calls <= 5)
            fprintf(stderr, "async_ingest: insert failed: %s\n", milvus_result_message(res));
    }
    if (g->blocked && milvus_client_pending(c) <= g->max_pending * 3 / 4) {
        g->blocked = 0;
        event_active(g->pump_ev, EV_TIMEOUT, 0);
    } else if (g->in_flight == 0 && !g->blocked &&
               (g->stopping || g->submitted_rows >= g->target_rows)) {
        finish_ingest(g);
    }
}

/* ---- periodic report, deadline and signals ------------------------------------- */

static void report(evutil_socket_t fd, short what, void *ctx)
{
    ingest *g = ctx;
    double t = now_s();
    double dt = t - g->last_report_t;
    (void)fd;
    (void)what;
    if (g->phase != P_INGEST)
        return;
    printf("progress: t=%.1fs rows=%lld rate=%.0f rows/s in_flight=%lld busy=%lld\n", t - g->t0,
           (long long)g->inserted_rows,
           dt > 0 ? (double)(g->inserted_rows - g->last_report_rows) / dt : 0.0,
           (long long)g->in_flight, (long long)g->busy_hits);
    fflush(stdout);
    g->last_report_rows = g->inserted_rows;
    g->last_report_t = t;
    if (!g->stopping && g->max_seconds > 0 && t - g->t0 >= g->max_seconds) {
        g->stopping = 1;
        if (g->in_flight == 0)
            finish_ingest(g);
    }
}

static void on_signal(evutil_socket_t sig, short what, void *ctx)
{
    ingest *g = ctx;
    (void)what;
    fprintf(stderr, "async_ingest: signal %d: draining %lld calls in flight\n", (int)sig,
            (long long)g->in_flight);
    if (g->phase != P_INGEST) {
        event_base_loopbreak(g->base);
        g->exit_code = 1;
        return;
    }
    g->stopping = 1;
    if (g->in_flight == 0)
        finish_ingest(g);
}

static void finish_ingest(ingest *g)
{
    double secs;
    if (g->phase != P_INGEST)
        return;
    g->t_end = now_s();
    secs = g->t_end - g->t0;
    printf("done: inserted=%lld rows failed_calls=%lld busy=%lld max_in_flight=%lld "
           "seconds=%.2f rate=%.0f rows/s\n",
           (long long)g->inserted_rows, (long long)g->failed_calls, (long long)g->busy_hits,
           (long long)g->max_in_flight, secs, secs > 0 ? (double)g->inserted_rows / secs : 0.0);
    fflush(stdout);
    g->phase = P_LOADED;
    event_del(g->report_ev);
    /* count(*) needs the collection loaded: poll the load state. */
    if (milvus_client_get_load_state(g->c, g->coll, on_phase, g) != MILVUS_OK)
        fail(g, "get_load_state", NULL);
}

static void poll_again(evutil_socket_t fd, short what, void *ctx)
{
    ingest *g = ctx;
    (void)fd;
    (void)what;
    if (milvus_client_get_load_state(g->c, g->coll, on_phase, g) != MILVUS_OK)
        fail(g, "get_load_state", NULL);
}

/* ---- setup and teardown: one callback per step ----------------------------- */

static int create_collection(ingest *g)
{
    milvus_schema *s = NULL;
    milvus_field *id = NULL, *vec = NULL;
    milvus_collection_options *o = milvus_collection_options_new();
    int rc = o ? milvus_schema_new(&s, g->coll) : MILVUS_ERR_NOMEM;
    if (!rc)
        rc = milvus_field_new(&id, "id", MILVUS_TYPE_INT64);
    if (!rc)
        rc = milvus_field_set_primary_key(id, 1);
    if (!rc)
        rc = milvus_field_new(&vec, "vec", MILVUS_TYPE_FLOAT_VECTOR);
    if (!rc)
        rc = milvus_field_set_dim(vec, g->dim);
    if (!rc)
        rc = milvus_schema_add_field(s, id);
    if (!rc)
        rc = milvus_schema_add_field(s, vec);
    /* Strong consistency: the final count(*) sees every acknowledged row. */
    if (!rc)
        rc = milvus_collection_options_set_consistency(o, MILVUS_CONSISTENCY_STRONG);
    if (!rc)
        rc = milvus_client_create_collection(g->c, g->coll, s, o, on_phase, g);
    milvus_field_free(id);
    milvus_field_free(vec);
    milvus_schema_free(s);
    milvus_collection_options_free(o);
    return rc;
}

static void start_ingest(ingest *g)
{
    g->phase = P_INGEST;
    g->t0 = g->last_report_t = now_s();
    pump(-1, 0, g);
}

static void next_phase(ingest *g, const milvus_result *res)
{
    int rc = MILVUS_OK;
    if (milvus_result_status(res) != MILVUS_OK) {
        fail(g, milvus_result_operation(res), res);
        return;
    }
    switch (g->phase) {
    case P_HAS:
        if (milvus_result_bool(res)) {
            g->phase = P_DROP;
            rc = milvus_client_drop_collection(g->c, g->coll, on_phase, g);
            break;
        }
        /* fall through */
    case P_DROP:
        g->phase = P_CREATE;
        rc = create_collection(g);
        break;
    case P_CREATE: {
        /* The metric is named: Milvus Lite has no default, and Milvus 2.3's
         * (L2) is not 2.4's (COSINE). */
        milvus_index_options *io = milvus_index_options_new();
        g->phase = P_INDEX;
        rc = io ? milvus_index_options_set_metric(io, "COSINE") : MILVUS_ERR_NOMEM;
        if (rc == MILVUS_OK)
            rc = milvus_client_create_index(g->c, g->coll, "vec", io, on_phase, g);
        milvus_index_options_free(io); /* read at submission */
        break;
    }
    case P_INDEX:
        g->phase = P_LOAD;
        rc = milvus_client_load_collection(g->c, g->coll, NULL, on_phase, g);
        break;
    case P_LOAD: start_ingest(g); break;
    case P_INGEST: break;
    case P_LOADED:
        if (milvus_result_int64(res) != MILVUS_LOAD_STATE_LOADED) {
            struct timeval tv = {0, 100000};
            if (++g->load_polls > 300) {
                fprintf(stderr, "async_ingest: collection not loaded after 30 s\n");
                g->exit_code = 1;
                event_base_loopbreak(g->base);
                return;
            }
            event_add(g->poll_ev, &tv);
            return;
        }
        g->phase = P_COUNT;
        rc = milvus_client_count(g->c, g->coll, NULL, on_phase, g);
        break;
    case P_COUNT:
        g->counted = milvus_result_int64(res);
        printf("count: %lld\n", (long long)g->counted);
        if (g->counted != g->inserted_rows) {
            fprintf(stderr, "async_ingest: count(*) %lld != %lld rows acknowledged\n",
                    (long long)g->counted, (long long)g->inserted_rows);
            g->exit_code = 1;
        }
        if (g->keep) {
            event_base_loopexit(g->base, NULL);
            return;
        }
        g->phase = P_CLEANUP;
        rc = milvus_client_drop_collection(g->c, g->coll, on_phase, g);
        break;
    case P_CLEANUP: event_base_loopexit(g->base, NULL); return;
    }
    if (rc != MILVUS_OK)
        fail(g, "submission", NULL);
}

/* ---- main -------------------------------------------------------------------- */

static int parse_args(ingest *g, int argc, char **argv, const char **uri, int *pool,
                      int64_t *report_ms)
{
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (a[0] != '-') {
            *uri = a;
            continue;
        }
        if (strcmp(a, "--keep") == 0) {
            g->keep = 1;
            continue;
        }
        if (!v)
            return -1;
        i++;
        if (strcmp(a, "--rows") == 0)
            g->target_rows = strtoll(v, NULL, 10);
        else if (strcmp(a, "--seconds") == 0)
            g->max_seconds = strtod(v, NULL);
        else if (strcmp(a, "--batch") == 0)
            g->batch = strtoll(v, NULL, 10);
        else if (strcmp(a, "--max-pending") == 0)
            g->max_pending = (size_t)strtoull(v, NULL, 10);
        else if (strcmp(a, "--pool") == 0)
            *pool = atoi(v);
        else if (strcmp(a, "--dim") == 0)
            g->dim = strtoll(v, NULL, 10);
        else if (strcmp(a, "--report-ms") == 0)
            *report_ms = strtoll(v, NULL, 10);
        else if (strcmp(a, "--collection") == 0)
            g->coll = v;
        else
            return -1;
    }
    if (g->target_rows < 1 || g->batch < 1 || g->batch > 100000 || g->dim < 1 || g->dim > 32768 ||
        g->max_pending < 1 || *pool < 1 || *report_ms < 10 || g->max_seconds < 0)
        return -1;
    return 0;
}

int main(int argc, char **argv)
{
    static ingest g;
    const char *uri = getenv("MILVUS_URI"), *token = getenv("MILVUS_TOKEN");
    int pool = 2;
    int64_t report_ms = 1000;
    milvus_options *opts = NULL;
    struct timeval every;

    g.coll = "async_ingest_demo";
    g.target_rows = 100000;
    g.max_seconds = 30;
    g.batch = 10;
    g.dim = 16;
    g.max_pending = 4096;
    g.exit_code = 0;
    if (parse_args(&g, argc, argv, &uri, &pool, &report_ms) != 0) {
        fprintf(stderr,
                "usage: %s [URI] [--rows N] [--seconds S] [--batch B] [--max-pending P]\n"
                "          [--pool N] [--dim D] [--report-ms MS] [--collection NAME] [--keep]\n",
                argv[0]);
        return 2;
    }
    g.ids = malloc((size_t)g.batch * sizeof(*g.ids));
    g.vecs = malloc((size_t)g.batch * (size_t)g.dim * sizeof(*g.vecs));
    if (!g.ids || !g.vecs || !(g.base = event_base_new()) || !(opts = milvus_options_new()))
        goto oom;
    if ((uri && milvus_options_set_uri(opts, uri) != MILVUS_OK) ||
        (token && *token && milvus_options_set_token(opts, token) != MILVUS_OK) ||
        milvus_options_set_pool_size(opts, pool) != MILVUS_OK ||
        milvus_options_set_max_pending(opts, g.max_pending) != MILVUS_OK) {
        fprintf(stderr, "async_ingest: bad URI or option\n");
        g.exit_code = 2;
        goto out;
    }
    if (milvus_client_new(&g.c, g.base, opts) != MILVUS_OK) {
        fprintf(stderr, "async_ingest: cannot create the client\n");
        g.exit_code = 1;
        goto out;
    }
    g.pump_ev = event_new(g.base, -1, 0, pump, &g);
    g.report_ev = event_new(g.base, -1, EV_PERSIST, report, &g);
    g.poll_ev = evtimer_new(g.base, poll_again, &g);
    g.sigint_ev = evsignal_new(g.base, SIGINT, on_signal, &g);
    g.sigterm_ev = evsignal_new(g.base, SIGTERM, on_signal, &g);
    if (!g.pump_ev || !g.report_ev || !g.poll_ev || !g.sigint_ev || !g.sigterm_ev)
        goto oom;
    every.tv_sec = (time_t)(report_ms / 1000);
    every.tv_usec = (suseconds_t)(report_ms % 1000) * 1000;
    event_add(g.report_ev, &every);
    event_add(g.sigint_ev, NULL);
    event_add(g.sigterm_ev, NULL);

    g.phase = P_HAS;
    if (milvus_client_has_collection(g.c, g.coll, on_phase, &g) != MILVUS_OK) {
        fail(&g, "has_collection", NULL);
        goto out;
    }
    event_base_dispatch(g.base);
    goto out;
oom:
    fprintf(stderr, "async_ingest: out of memory\n");
    g.exit_code = 1;
out:
    /* Frees complete whatever is still pending (after an error) with
     * MILVUS_ERR_CANCELLED before the events go away. */
    milvus_client_free(g.c);
    if (g.pump_ev)
        event_free(g.pump_ev);
    if (g.report_ev)
        event_free(g.report_ev);
    if (g.poll_ev)
        event_free(g.poll_ev);
    if (g.sigint_ev)
        event_free(g.sigint_ev);
    if (g.sigterm_ev)
        event_free(g.sigterm_ev);
    milvus_options_free(opts);
    if (g.base)
        event_base_free(g.base);
    free(g.ids);
    free(g.vecs);
    return g.exit_code;
}
