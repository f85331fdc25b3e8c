/* SPDX-License-Identifier: Apache-2.0 */
/* The blocking layer: each milvus_sync_X() submits milvus_client_X() on a
 * private event_base and runs that loop until the callback has run (curl
 * easy on multi).  Built only on the public asynchronous API. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/event.h>

#include <milvus/sync.h>

/* The definitions below are the functions behind the write macros of
 * <milvus/client.h> and <milvus/sync.h>. */
#undef milvus_client_insert
#undef milvus_client_upsert
#undef milvus_sync_insert
#undef milvus_sync_upsert

#define SYNC_ERRBUF 512
/* How long a cancelled operation may take to deliver its callback before
 * the wait gives up on it (it is then left to free itself). */
#define SYNC_CANCEL_GRACE_MS 2000

struct milvus_sync {
    struct event_base *base;
    milvus_client *client;
    struct event *timer; /* wait deadline */
    int64_t timeout_ms;
    int running; /* a wait is in progress (re-entrancy guard) */
    char err[SYNC_ERRBUF];
};

/* One wait.  On the heap so that a callback arriving after the wait gave
 * up (orphan) still has somewhere to land. */
typedef struct sync_wait {
    int done;
    int expired;
    int orphan;
    milvus_result *res;
} sync_wait;

static void set_err(milvus_sync *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void set_err(milvus_sync *s, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(s->err, sizeof(s->err), fmt, ap);
    va_end(ap);
}

static void on_done(milvus_client *c, const milvus_result *res, void *ctx)
{
    sync_wait *w = ctx;
    (void)c;
    if (w->orphan) {
        free(w);
        return;
    }
    w->res = milvus_result_ref(res);
    w->done = 1;
}

static void on_deadline(evutil_socket_t fd, short what, void *ctx)
{
    sync_wait *w = ctx;
    (void)fd;
    (void)what;
    w->expired = 1;
}

static void arm(milvus_sync *s, sync_wait *w, int64_t ms)
{
    struct timeval tv = {(time_t)(ms / 1000), (suseconds_t)((ms % 1000) * 1000)};
    evtimer_del(s->timer);
    evtimer_assign(s->timer, s->base, on_deadline, w);
    evtimer_add(s->timer, &tv);
}

/* Runs the loop until the callback ran or the timer expired.  Returns 0,
 * or -1 when the loop has nothing left to wait for (a lost callback). */
static int run_until(milvus_sync *s, sync_wait *w)
{
    while (!w->done && !w->expired) {
        int rc = event_base_loop(s->base, EVLOOP_ONCE);
        if (rc != 0 && !w->done)
            return -1;
    }
    return 0;
}

/* Common entry of every wrapper: checks the handle and the re-entrancy
 * guard, clears *out, allocates the wait. */
static int sync_begin(milvus_sync *s, sync_wait **w, milvus_result **out)
{
    *w = NULL;
    if (out)
        *out = NULL;
    if (!s)
        return MILVUS_ERR_INVALID_ARGUMENT;
    if (s->running) {
        set_err(s, "a blocking call is already running on this handle "
                   "(called from one of its callbacks?)");
        return MILVUS_ERR_BUSY;
    }
    if (!(*w = calloc(1, sizeof(**w)))) {
        set_err(s, "out of memory");
        return MILVUS_ERR_NOMEM;
    }
    s->err[0] = '\0';
    return MILVUS_OK;
}

/* Gives up on an expired wait: cancels the operation and waits (bounded)
 * for its callback. */
static int expire(milvus_sync *s, sync_wait *w, const char *op, uint64_t call)
{
    milvus_client_cancel(s->client, call);
    w->expired = 0;
    arm(s, w, SYNC_CANCEL_GRACE_MS);
    if (run_until(s, w) != 0 || !w->done)
        w->orphan = 1; /* on_done frees it if it ever runs */
    milvus_result_unref(w->res);
    w->res = NULL;
    set_err(s, "%s: no answer within the wait deadline of %lld ms (cancelled)", op,
            (long long)s->timeout_ms);
    return MILVUS_ERR_TIMEOUT;
}

/* The one "run until the callback" helper behind every wrapper: rc is what
 * the asynchronous submission returned. */
static int sync_run(milvus_sync *s, sync_wait *w, const char *op, int rc, milvus_result **out)
{
    uint64_t call;
    if (rc != MILVUS_OK) {
        set_err(s, "%s", milvus_client_last_error(s->client));
        free(w);
        return rc;
    }
    call = milvus_client_last_call(s->client);
    s->running = 1;
    if (s->timeout_ms > 0)
        arm(s, w, s->timeout_ms);
    if (run_until(s, w) != 0) {
        /* cannot happen while the client keeps its promise of one
         * callback; do not spin */
        set_err(s, "%s: the event loop ran out of events before the callback", op);
        w->orphan = 1;
        rc = MILVUS_ERR_CLOSED;
    } else if (!w->done) {
        rc = expire(s, w, op, call);
    } else {
        rc = milvus_result_status(w->res);
        if (out)
            *out = w->res;
        else
            milvus_result_unref(w->res);
    }
    evtimer_del(s->timer);
    s->running = 0;
    if (!w->orphan)
        free(w);
    return rc;
}

/* ---- lifecycle ----------------------------------------------------------------- */

milvus_status milvus_sync_new(milvus_sync **out, const milvus_options *opts)
{
    milvus_sync *s;
    int rc;
    if (!out)
        return MILVUS_ERR_INVALID_ARGUMENT;
    *out = NULL;
    if (!(s = calloc(1, sizeof(*s))))
        return MILVUS_ERR_NOMEM;
    s->base = event_base_new();
    s->timer = s->base ? evtimer_new(s->base, on_deadline, NULL) : NULL;
    if (!s->base || !s->timer) {
        milvus_sync_free(s);
        return MILVUS_ERR_NOMEM;
    }
    rc = milvus_client_new(&s->client, s->base, opts);
    if (rc != MILVUS_OK) {
        milvus_sync_free(s);
        return rc;
    }
    *out = s;
    return MILVUS_OK;
}

void milvus_sync_free(milvus_sync *s)
{
    if (!s)
        return;
    milvus_client_free(s->client); /* completes (and frees) orphaned waits */
    if (s->timer)
        event_free(s->timer);
    if (s->base)
        event_base_free(s->base);
    free(s);
}

milvus_client *milvus_sync_client(milvus_sync *s)
{
    return s ? s->client : NULL;
}

struct event_base *milvus_sync_base(milvus_sync *s)
{
    return s ? s->base : NULL;
}

milvus_status milvus_sync_set_timeout_ms(milvus_sync *s, int64_t ms)
{
    if (!s)
        return MILVUS_ERR_INVALID_ARGUMENT;
    if (ms < 0) {
        set_err(s,
                "milvus_sync_set_timeout_ms: timeout %lld ms is out of range (0 = no bound, "
                "or more)",
                (long long)ms);
        return MILVUS_ERR_INVALID_ARGUMENT;
    }
    s->timeout_ms = ms;
    return MILVUS_OK;
}

const char *milvus_sync_last_error(const milvus_sync *s)
{
    return s ? s->err : "no handle";
}

/* ---- the wrappers ------------------------------------------------------------------ */

/* SYNC_OP(name, (params...), (args...)) defines
 *   milvus_status milvus_sync_<name>(milvus_sync *s, params..., milvus_result **out)
 * as milvus_client_<name>(client, args..., cb, ctx) run to completion;
 * SYNC_OP0(name) the same for an operation without arguments. */
#define SYNC_LIST(...) __VA_ARGS__
#define SYNC_BODY(name, ...)                                                                       \
    {                                                                                              \
        sync_wait *w;                                                                              \
        int rc = sync_begin(s, &w, out);                                                           \
        if (rc != MILVUS_OK)                                                                       \
            return rc;                                                                             \
        rc = milvus_client_##name(__VA_ARGS__);                                                    \
        return sync_run(s, w, #name, rc, out);                                                     \
    }
#define SYNC_OP(name, params, args)                                                                \
    milvus_status milvus_sync_##name(milvus_sync *s, SYNC_LIST params, milvus_result **out)        \
        SYNC_BODY(name, s->client, SYNC_LIST args, on_done, w)
#define SYNC_OP0(name)                                                                             \
    milvus_status milvus_sync_##name(milvus_sync *s, milvus_result **out)                          \
        SYNC_BODY(name, s->client, on_done, w)

typedef const char *str;
typedef const char *const *strv;

SYNC_OP0(connect)
SYNC_OP(use_database, (str db), (db))
SYNC_OP0(get_server_version)
SYNC_OP0(check_health)
SYNC_OP0(list_database)
SYNC_OP(create_database, (str db), (db))
SYNC_OP(drop_database, (str db), (db))
SYNC_OP(describe_database, (str db), (db))
SYNC_OP(alter_database_properties, (str db, strv keys, strv values, size_t n),
        (db, keys, values, n))
SYNC_OP(drop_database_properties, (str db, strv keys, size_t n), (db, keys, n))

SYNC_OP(create_collection,
        (str coll, const milvus_schema *schema, const milvus_collection_options *o),
        (coll, schema, o))
SYNC_OP0(list_collections)
SYNC_OP(describe_collection, (str coll), (coll))
SYNC_OP(has_collection, (str coll), (coll))
SYNC_OP(drop_collection, (str coll), (coll))
SYNC_OP(get_collection_stats, (str coll), (coll))
SYNC_OP(create_partition, (str coll, str part), (coll, part))
SYNC_OP(drop_partition, (str coll, str part), (coll, part))
SYNC_OP(has_partition, (str coll, str part), (coll, part))
SYNC_OP(list_partitions, (str coll), (coll))

SYNC_OP(create_index, (str coll, str field, const milvus_index_options *o), (coll, field, o))
SYNC_OP(describe_index, (str coll, str index), (coll, index))
SYNC_OP(list_indexes, (str coll), (coll))
SYNC_OP(drop_index, (str coll, str index), (coll, index))
SYNC_OP(load_collection, (str coll, const milvus_load_options *o), (coll, o))
SYNC_OP(release_collection, (str coll), (coll))
SYNC_OP(get_load_state, (str coll), (coll))

SYNC_OP(insert,
        (str coll, const milvus_column *const *cols, size_t ncols, const milvus_write_options *o),
        (coll, cols, ncols, o))
SYNC_OP(upsert,
        (str coll, const milvus_column *const *cols, size_t ncols, const milvus_write_options *o),
        (coll, cols, ncols, o))
SYNC_OP(delete, (str coll, str expr, const milvus_write_options *o), (coll, expr, o))
SYNC_OP(delete_ids, (str coll, const milvus_column *ids, const milvus_write_options *o),
        (coll, ids, o))
SYNC_OP(search, (str coll, const milvus_search_options *o), (coll, o))
SYNC_OP(hybrid_search,
        (str coll, const milvus_search_options *const *legs, size_t n,
         const milvus_search_options *top),
        (coll, legs, n, top))
SYNC_OP(query, (str coll, const milvus_query_options *o), (coll, o))
SYNC_OP(get, (str coll, const milvus_column *ids, const milvus_query_options *o), (coll, ids, o))
SYNC_OP(count, (str coll, str filter), (coll, filter))
SYNC_OP(create_alias, (str coll, str alias), (coll, alias))
SYNC_OP(drop_alias, (str alias), (alias))
SYNC_OP(flush, (str coll), (coll))

SYNC_OP(rename_collection, (str coll, str new_name, str new_db), (coll, new_name, new_db))
SYNC_OP(alter_collection_properties, (str coll, strv keys, strv values, size_t n),
        (coll, keys, values, n))
SYNC_OP(drop_collection_properties, (str coll, strv keys, size_t n), (coll, keys, n))
SYNC_OP(alter_collection_field_property, (str coll, str field, strv keys, strv values, size_t n),
        (coll, field, keys, values, n))
SYNC_OP(create_collection_quick,
        (str coll, int64_t dim, str metric, int auto_id, const milvus_await_options *o),
        (coll, dim, metric, auto_id, o))
SYNC_OP(get_partition_stats, (str coll, str part), (coll, part))
SYNC_OP(load_partitions, (str coll, strv parts, size_t n), (coll, parts, n))
SYNC_OP(release_partitions, (str coll, strv parts, size_t n), (coll, parts, n))
SYNC_OP(refresh_load, (str coll), (coll))
SYNC_OP(await_index, (str coll, str index, const milvus_await_options *o), (coll, index, o))
SYNC_OP(await_load, (str coll, strv parts, size_t n, const milvus_await_options *o),
        (coll, parts, n, o))
SYNC_OP(flush_and_wait, (str coll, const milvus_await_options *o), (coll, o))
SYNC_OP(alter_alias, (str coll, str alias), (coll, alias))
SYNC_OP(describe_alias, (str alias), (alias))
SYNC_OP(list_aliases, (str coll), (coll))
SYNC_OP(compact, (str coll, int major), (coll, major))
SYNC_OP(get_compaction_state, (int64_t id), (id))

SYNC_OP(create_snapshot, (str coll, str name, const milvus_snapshot_options *o), (coll, name, o))
SYNC_OP(flush_and_snapshot,
        (str coll, str name, const milvus_snapshot_options *o, const milvus_await_options *ao),
        (coll, name, o, ao))
SYNC_OP(drop_snapshot, (str coll, str name, const milvus_snapshot_options *o), (coll, name, o))
SYNC_OP(list_snapshots, (str coll, const milvus_snapshot_options *o), (coll, o))
SYNC_OP(describe_snapshot, (str coll, str name, const milvus_snapshot_options *o), (coll, name, o))
SYNC_OP(restore_snapshot, (str coll, str name, str target, const milvus_snapshot_options *o),
        (coll, name, target, o))
SYNC_OP(get_restore_snapshot_state, (int64_t job_id), (job_id))
SYNC_OP(list_restore_snapshot_jobs, (str coll, const milvus_snapshot_options *o), (coll, o))
SYNC_OP(export_snapshot, (str coll, str name, str path, const milvus_snapshot_options *o),
        (coll, name, path, o))
SYNC_OP(get_export_snapshot_state, (int64_t job_id), (job_id))
SYNC_OP(restore_external_snapshot, (str target, str uri, const milvus_snapshot_options *o),
        (target, uri, o))
SYNC_OP(pin_snapshot_data, (str coll, str name, const milvus_snapshot_options *o), (coll, name, o))
SYNC_OP(unpin_snapshot_data, (int64_t pin_id), (pin_id))
SYNC_OP(await_restore, (int64_t job_id, const milvus_await_options *ao), (job_id, ao))
SYNC_OP(await_export, (int64_t job_id, const milvus_await_options *ao), (job_id, ao))
SYNC_OP(restore_snapshot_and_wait,
        (str coll, str name, str target, const milvus_snapshot_options *o,
         const milvus_await_options *ao),
        (coll, name, target, o, ao))
SYNC_OP(export_snapshot_and_wait,
        (str coll, str name, str path, const milvus_snapshot_options *o,
         const milvus_await_options *ao),
        (coll, name, path, o, ao))
SYNC_OP(restore_external_snapshot_and_wait,
        (str target, str uri, const milvus_snapshot_options *o, const milvus_await_options *ao),
        (target, uri, o, ao))
