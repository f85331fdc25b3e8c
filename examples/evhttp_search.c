/* SPDX-License-Identifier: Apache-2.0 */
/*
 * evhttp_search — an HTTP search front end on ONE event loop: libevent's
 * evhttp server and the Milvus client share the event_base, so a request
 * handler issues an asynchronous search and replies when its callback
 * fires.  No threads, no blocking.
 *
 *   evhttp_search [URI] [--port N] [--port-file F] [--max-requests N]
 *                 [--rows N] [--collection NAME]
 *
 *   GET /search?q=0.1,0.2,...,0.8[&limit=K]   the query vector (dim 8)
 *   GET /search?q=42[&limit=K]                 the stored vector of row 42
 *   -> 200 {"query": "...", "took_ms": 1.2,
 *           "hits": [{"id": 42, "score": 0, "title": "doc-42"}, ...]}
 *   -> 400 {"error": "..."} for a bad q, 502 when Milvus failed.
 *
 * At start it creates the collection (dropped first) with --rows rows
 * (default 1000), indexes and loads it, then prints "LISTENING <port>"
 * (and writes the port to --port-file).  It stops after --max-requests
 * replies (0 = never) or on SIGINT/SIGTERM, dropping the collection.
 *
 * URI defaults to $MILVUS_URI, then localhost:19530; $MILVUS_TOKEN is sent
 * as the API key when set.
 */
#include <milvus/milvus.h>

#include <errno.h>
#include <event2/buffer.h>
#include <event2/event.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>
#include <event2/util.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>

#define DIM 8
#define MAX_LIMIT 100

typedef struct server {
    struct event_base *base;
    milvus_client *c;
    struct evhttp *http;
    const char *coll;
    const char *port_file;
    int port;
    int64_t rows;
    long max_requests;
    long replied;
    int setup_step;
    int load_polls;
    int stopping;
    int exit_code;
    struct event *poll_ev, *sigint_ev, *sigterm_ev;
} server;

/* One HTTP request waiting for its search.  The request pointer is cleared
 * when the HTTP connection closes first (libevent frees the request then),
 * so the search callback knows not to reply. */
typedef struct pending {
    server *s;
    struct evhttp_request *req;
    uint64_t call;
    char query[128];
    struct timeval started;
} pending;

static void row_vector(int64_t id, float *v)
{
    /* an integer hash: no libm, so the pkg-config link line is all a
     * program like this one needs */
    for (int j = 0; j < DIM; j++) {
        uint32_t h = (uint32_t)id * 2654435761u ^ (uint32_t)(j + 1) * 40503u;
        h ^= h >> 15;
        h *= 0x2c1b3c6du;
        h ^= h >> 12;
        v[j] = (float)(h % 20001u) / 10000.0f - 1.0f;
    }
}

/* ---- JSON helpers ------------------------------------------------------------ */

static void json_string(struct evbuffer *b, const char *s, size_t len)
{
    evbuffer_add(b, "\"", 1);
    for (size_t i = 0; i < len; i++) {
        unsigned char ch = (unsigned char)s[i];
        if (ch == '"' || ch == '\\')
            evbuffer_add_printf(b, "\\%c", ch);
        else if (ch < 0x20)
            evbuffer_add_printf(b, "\\u%04x", ch);
        else
            evbuffer_add(b, &s[i], 1);
    }
    evbuffer_add(b, "\"", 1);
}

static void reply_json(server *s, struct evhttp_request *req, int code, const char *reason,
                       struct evbuffer *body)
{
    evhttp_add_header(evhttp_request_get_output_headers(req), "Content-Type", "application/json");
    evhttp_send_reply(req, code, reason, body);
    s->replied++;
    if (s->max_requests > 0 && s->replied >= s->max_requests && !s->stopping) {
        /* Let libevent flush this reply before the loop ends. */
        struct timeval tv = {0, 200000};
        s->stopping = 1;
        event_base_loopexit(s->base, &tv);
    }
}

static void reply_error(server *s, struct evhttp_request *req, int code, const char *reason,
                        const char *msg)
{
    struct evbuffer *b = evbuffer_new();
    if (!b) {
        evhttp_send_error(req, HTTP_INTERNAL, NULL);
        return;
    }
    evbuffer_add_printf(b, "{\"error\": ");
    json_string(b, msg, strlen(msg));
    evbuffer_add_printf(b, "}\n");
    reply_json(s, req, code, reason, b);
    evbuffer_free(b);
}

/* ---- search ---------------------------------------------------------------------- */

static void on_conn_close(struct evhttp_connection *conn, void *ctx)
{
    pending *p = ctx;
    (void)conn;
    p->req = NULL;
    /* The callback still runs once (with MILVUS_ERR_CANCELLED) and frees p. */
    milvus_client_cancel(p->s->c, p->call);
}

static void on_search(milvus_client *c, const milvus_result *res, void *ctx)
{
    pending *p = ctx;
    server *s = p->s;
    struct evbuffer *b;
    struct timeval now;
    double took;
    (void)c;
    if (!p->req) {
        free(p);
        return;
    }
    evhttp_connection_set_closecb(evhttp_request_get_connection(p->req), NULL, NULL);
    if (milvus_result_status(res) != MILVUS_OK) {
        reply_error(s, p->req, 502, "Bad Gateway", milvus_result_message(res));
        free(p);
        return;
    }
    if (!(b = evbuffer_new())) {
        evhttp_send_error(p->req, HTTP_INTERNAL, NULL);
        free(p);
        return;
    }
    gettimeofday(&now, NULL);
    took = (double)(now.tv_sec - p->started.tv_sec) * 1e3 +
           (double)(now.tv_usec - p->started.tv_usec) / 1e3;
    evbuffer_add_printf(b, "{\"query\": ");
    json_string(b, p->query, strlen(p->query));
    evbuffer_add_printf(b, ", \"took_ms\": %.3f, \"hits\": [", took);
    if (milvus_result_num_queries(res) > 0) {
        const milvus_column *ids = milvus_result_hit_ids(res, 0);
        const milvus_column *title = milvus_result_hit_column(res, 0, "title");
        const float *scores = milvus_result_hit_scores(res, 0);
        for (size_t h = 0; h < milvus_result_hit_count(res, 0); h++) {
            int64_t id = 0;
            const char *t = "";
            size_t tlen = 0;
            double score = scores ? (double)scores[h] : 0.0;
            milvus_column_get_int(ids, h, &id);
            if (title && milvus_column_get_string(title, h, &t, &tlen) != MILVUS_OK)
                tlen = 0;
            /* JSON has no NaN or Infinity. */
            if (!isfinite(score))
                score = 0.0;
            evbuffer_add_printf(b, "%s{\"id\": %lld, \"score\": %.6g, \"title\": ", h ? ", " : "",
                                (long long)id, score);
            json_string(b, t, tlen);
            evbuffer_add_printf(b, "}");
        }
    }
    evbuffer_add_printf(b, "]}\n");
    reply_json(s, p->req, HTTP_OK, "OK", b);
    evbuffer_free(b);
    free(p);
}

/* q is DIM comma-separated floats, or one integer naming a stored row. */
static int parse_query(const char *q, float *v, char *err, size_t errlen)
{
    char *end;
    int n = 0;
    if (!q || !*q) {
        snprintf(err, errlen, "missing q (DIM comma-separated floats or a row number)");
        return -1;
    }
    if (!strchr(q, ',')) {
        long long row;
        errno = 0;
        row = strtoll(q, &end, 10);
        if (errno || *end || row < 0) {
            snprintf(err, errlen, "q: not a row number: %s", q);
            return -1;
        }
        row_vector(row, v);
        return 0;
    }
    for (const char *p = q; n < DIM; n++) {
        errno = 0;
        v[n] = strtof(p, &end);
        if (end == p || errno || !isfinite(v[n]))
            break;
        p = end;
        if (*p == ',')
            p++;
        else if (*p)
            break;
        else {
            n++;
            if (n == DIM)
                return 0;
            break;
        }
    }
    snprintf(err, errlen, "q: expected %d comma-separated floats", DIM);
    return -1;
}

static void handle_search(struct evhttp_request *req, void *ctx)
{
    server *s = ctx;
    struct evkeyvalq params;
    const char *uri = evhttp_request_get_uri(req), *q, *lim;
    struct evhttp_uri *parsed = NULL;
    milvus_search_options *so = NULL;
    milvus_column *qv = NULL;
    pending *p = NULL;
    float v[DIM];
    char err[160];
    long limit = 5;
    int rc;

    memset(&params, 0, sizeof(params)); /* empty: safe to clear */
    if (evhttp_request_get_command(req) != EVHTTP_REQ_GET) {
        reply_error(s, req, 405, "Method Not Allowed", "GET only");
        return;
    }
    if (!(parsed = evhttp_uri_parse(uri)) ||
        evhttp_parse_query_str(evhttp_uri_get_query(parsed) ? evhttp_uri_get_query(parsed) : "",
                               &params) != 0) {
        reply_error(s, req, 400, "Bad Request", "malformed query string");
        goto out;
    }
    q = evhttp_find_header(&params, "q");
    if (parse_query(q, v, err, sizeof(err)) != 0) {
        reply_error(s, req, 400, "Bad Request", err);
        goto out;
    }
    if ((lim = evhttp_find_header(&params, "limit")) != NULL) {
        char *end;
        limit = strtol(lim, &end, 10);
        if (*end || limit < 1 || limit > MAX_LIMIT) {
            reply_error(s, req, 400, "Bad Request", "limit must be 1..100");
            goto out;
        }
    }
    if (!(p = calloc(1, sizeof(*p))) || !(so = milvus_search_options_new()) ||
        milvus_column_new_float_vector(&qv, "vec", DIM, v, 1) != MILVUS_OK ||
        milvus_search_options_set_vectors(so, qv) != MILVUS_OK ||
        milvus_search_options_set_limit(so, limit) != MILVUS_OK ||
        milvus_search_options_add_output_field(so, "title") != MILVUS_OK) {
        reply_error(s, req, 500, "Internal Server Error", "out of memory");
        goto out;
    }
    p->s = s;
    p->req = req;
    snprintf(p->query, sizeof(p->query), "%s", q);
    gettimeofday(&p->started, NULL);
    rc = milvus_client_search(s->c, s->coll, so, on_search, p);
    if (rc != MILVUS_OK) {
        /* e.g. MILVUS_ERR_BUSY: shed load instead of queueing without bound */
        reply_error(s, req, rc == MILVUS_ERR_BUSY ? 503 : 500,
                    rc == MILVUS_ERR_BUSY ? "Service Unavailable" : "Internal Server Error",
                    milvus_client_last_error(s->c));
        goto out;
    }
    p->call = milvus_client_last_call(s->c);
    evhttp_connection_set_closecb(evhttp_request_get_connection(req), on_conn_close, p);
    p = NULL; /* owned by the callback now */
out:
    free(p);
    milvus_column_free(qv);
    milvus_search_options_free(so);
    evhttp_clear_headers(&params);
    if (parsed)
        evhttp_uri_free(parsed);
}

static void handle_other(struct evhttp_request *req, void *ctx)
{
    reply_error(ctx, req, 404, "Not Found", "try /search?q=...");
}

/* ---- setup: collection, rows, index, load; then listen ------------------------------ */

static void on_setup(milvus_client *c, const milvus_result *res, void *ctx);

static void fail(server *s, const char *what, const milvus_result *res)
{
    fprintf(stderr, "evhttp_search: %s: %s\n", what,
            res ? milvus_result_message(res) : milvus_client_last_error(s->c));
    s->exit_code = 1;
    event_base_loopbreak(s->base);
}

static int create_collection(server *s)
{
    milvus_schema *sc = NULL;
    milvus_field *f[3] = {NULL, NULL, NULL};
    milvus_collection_options *o = milvus_collection_options_new();
    int rc = o ? milvus_schema_new(&sc, s->coll) : MILVUS_ERR_NOMEM;
    if (!rc)
        rc = milvus_field_new(&f[0], "id", MILVUS_TYPE_INT64);
    if (!rc)
        rc = milvus_field_set_primary_key(f[0], 1);
    if (!rc)
        rc = milvus_field_new(&f[1], "title", MILVUS_TYPE_VARCHAR);
    if (!rc)
        rc = milvus_field_set_max_length(f[1], 64);
    if (!rc)
        rc = milvus_field_new(&f[2], "vec", MILVUS_TYPE_FLOAT_VECTOR);
    if (!rc)
        rc = milvus_field_set_dim(f[2], DIM);
    for (int i = 0; i < 3 && !rc; i++)
        rc = milvus_schema_add_field(sc, f[i]);
    if (!rc)
        rc = milvus_collection_options_set_consistency(o, MILVUS_CONSISTENCY_STRONG);
    if (!rc)
        rc = milvus_client_create_collection(s->c, s->coll, sc, o, on_setup, s);
    for (int i = 0; i < 3; i++)
        milvus_field_free(f[i]);
    milvus_schema_free(sc);
    milvus_collection_options_free(o);
    return rc;
}

static int insert_rows(server *s)
{
    size_t n = (size_t)s->rows;
    int64_t *ids = malloc(n * sizeof(*ids));
    float *vecs = malloc(n * DIM * sizeof(*vecs));
    char **titles = calloc(n, sizeof(*titles));
    milvus_column *cols[3] = {NULL, NULL, NULL};
    int rc = MILVUS_ERR_NOMEM;
    if (!ids || !vecs || !titles)
        goto out;
    for (size_t i = 0; i < n; i++) {
        ids[i] = (int64_t)i;
        row_vector((int64_t)i, vecs + i * DIM);
        if (!(titles[i] = malloc(32)))
            goto out;
        snprintf(titles[i], 32, "doc-%zu", i);
    }
    rc = milvus_column_new_int64(&cols[0], "id", ids, n);
    if (!rc)
        rc = milvus_column_new_varchar(&cols[1], "title", (const char *const *)titles, n);
    if (!rc)
        rc = milvus_column_new_float_vector(&cols[2], "vec", DIM, vecs, n);
    if (!rc)
        rc = milvus_client_insert(s->c, s->coll, (const milvus_column *const *)cols, 3, NULL,
                                  on_setup, s);
out:
    for (int i = 0; i < 3; i++)
        milvus_column_free(cols[i]);
    for (size_t i = 0; titles && i < n; i++)
        free(titles[i]);
    free(titles);
    free(ids);
    free(vecs);
    return rc;
}

static int start_http(server *s)
{
    struct evhttp_bound_socket *bs;
    struct sockaddr_storage ss;
    ev_socklen_t len = sizeof(ss);
    if (!(s->http = evhttp_new(s->base)))
        return -1;
    evhttp_set_allowed_methods(s->http, EVHTTP_REQ_GET);
    evhttp_set_cb(s->http, "/search", handle_search, s);
    evhttp_set_gencb(s->http, handle_other, s);
    if (!(bs = evhttp_bind_socket_with_handle(s->http, "127.0.0.1", (ev_uint16_t)s->port)))
        return -1;
    if (getsockname(evhttp_bound_socket_get_fd(bs), (struct sockaddr *)&ss, &len) != 0)
        return -1;
    s->port = ntohs(((struct sockaddr_in *)&ss)->sin_port);
    printf("LISTENING %d\n", s->port);
    fflush(stdout);
    if (s->port_file) {
        /* Written whole then renamed, so a reader never sees half a port. */
        char tmp[4096];
        FILE *f;
        snprintf(tmp, sizeof(tmp), "%s.tmp", s->port_file);
        if (!(f = fopen(tmp, "w")) || fprintf(f, "%d\n", s->port) < 0 || fclose(f) != 0 ||
            rename(tmp, s->port_file) != 0)
            return -1;
    }
    return 0;
}

static void poll_load(evutil_socket_t fd, short what, void *ctx)
{
    server *s = ctx;
    (void)fd;
    (void)what;
    if (milvus_client_get_load_state(s->c, s->coll, on_setup, s) != MILVUS_OK)
        fail(s, "get_load_state", NULL);
}

enum { S_HAS, S_DROP, S_CREATE, S_INSERT, S_INDEX, S_LOAD, S_LOADED, S_SERVING, S_CLEANUP };

static void on_setup(milvus_client *c, const milvus_result *res, void *ctx)
{
    server *s = ctx;
    int rc = MILVUS_OK;
    (void)c;
    if (milvus_result_status(res) != MILVUS_OK) {
        fail(s, milvus_result_operation(res), res);
        return;
    }
    switch (s->setup_step) {
    case S_HAS:
        if (milvus_result_bool(res)) {
            s->setup_step = S_DROP;
            rc = milvus_client_drop_collection(s->c, s->coll, on_setup, s);
            break;
        }
        /* fall through */
    case S_DROP:
        s->setup_step = S_CREATE;
        rc = create_collection(s);
        break;
    case S_CREATE:
        s->setup_step = S_INSERT;
        rc = insert_rows(s);
        break;
    case S_INSERT: {
        /* COSINE, named: Milvus Lite has no default metric, and the scores
         * this server reports are similarities (higher is better). */
        milvus_index_options *io = milvus_index_options_new();
        s->setup_step = S_INDEX;
        rc = io ? milvus_index_options_set_metric(io, "COSINE") : MILVUS_ERR_NOMEM;
        if (rc == MILVUS_OK)
            rc = milvus_client_create_index(s->c, s->coll, "vec", io, on_setup, s);
        milvus_index_options_free(io); /* read at submission */
        break;
    }
    case S_INDEX:
        s->setup_step = S_LOAD;
        rc = milvus_client_load_collection(s->c, s->coll, NULL, on_setup, s);
        break;
    case S_LOAD:
        s->setup_step = S_LOADED;
        rc = milvus_client_get_load_state(s->c, s->coll, on_setup, s);
        break;
    case S_LOADED:
        if (milvus_result_int64(res) != MILVUS_LOAD_STATE_LOADED) {
            struct timeval tv = {0, 100000};
            if (++s->load_polls > 300) {
                fprintf(stderr, "evhttp_search: not loaded after 30 s\n");
                s->exit_code = 1;
                event_base_loopbreak(s->base);
                return;
            }
            event_add(s->poll_ev, &tv);
            return;
        }
        s->setup_step = S_SERVING;
        if (start_http(s) != 0) {
            fprintf(stderr, "evhttp_search: cannot listen on 127.0.0.1:%d\n", s->port);
            s->exit_code = 1;
            event_base_loopbreak(s->base);
        }
        return;
    default: return;
    }
    if (rc != MILVUS_OK)
        fail(s, "submission", NULL);
}

static void on_signal(evutil_socket_t sig, short what, void *ctx)
{
    server *s = ctx;
    (void)sig;
    (void)what;
    s->stopping = 1;
    event_base_loopexit(s->base, NULL);
}

static void on_dropped(milvus_client *c, const milvus_result *res, void *ctx)
{
    (void)c;
    (void)res;
    event_base_loopexit(((server *)ctx)->base, NULL);
}

int main(int argc, char **argv)
{
    static server s;
    const char *uri = getenv("MILVUS_URI"), *token = getenv("MILVUS_TOKEN");
    milvus_options *opts = NULL;

    s.coll = "evhttp_demo";
    s.rows = 1000;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (a[0] != '-') {
            uri = a;
            continue;
        }
        if (!v)
            goto usage;
        i++;
        if (strcmp(a, "--port") == 0)
            s.port = atoi(v);
        else if (strcmp(a, "--port-file") == 0)
            s.port_file = v;
        else if (strcmp(a, "--max-requests") == 0)
            s.max_requests = strtol(v, NULL, 10);
        else if (strcmp(a, "--rows") == 0)
            s.rows = strtoll(v, NULL, 10);
        else if (strcmp(a, "--collection") == 0)
            s.coll = v;
        else
            goto usage;
    }
    if (s.port < 0 || s.port > 65535 || s.rows < 1 || s.rows > 1000000 || s.max_requests < 0)
        goto usage;

    signal(SIGPIPE, SIG_IGN);
    if (!(s.base = event_base_new()) || !(opts = milvus_options_new()))
        goto oom;
    if ((uri && milvus_options_set_uri(opts, uri) != MILVUS_OK) ||
        (token && *token && milvus_options_set_token(opts, token) != MILVUS_OK)) {
        fprintf(stderr, "evhttp_search: bad URI or token\n");
        s.exit_code = 2;
        goto out;
    }
    if (milvus_client_new(&s.c, s.base, opts) != MILVUS_OK) {
        fprintf(stderr, "evhttp_search: cannot create the client\n");
        s.exit_code = 1;
        goto out;
    }
    s.poll_ev = evtimer_new(s.base, poll_load, &s);
    s.sigint_ev = evsignal_new(s.base, SIGINT, on_signal, &s);
    s.sigterm_ev = evsignal_new(s.base, SIGTERM, on_signal, &s);
    if (!s.poll_ev || !s.sigint_ev || !s.sigterm_ev)
        goto oom;
    event_add(s.sigint_ev, NULL);
    event_add(s.sigterm_ev, NULL);
    s.setup_step = S_HAS;
    if (milvus_client_has_collection(s.c, s.coll, on_setup, &s) != MILVUS_OK) {
        fail(&s, "has_collection", NULL);
        goto out;
    }
    event_base_dispatch(s.base);

    /* Stop accepting, then drop the demo collection (best effort). */
    if (s.http) {
        evhttp_free(s.http);
        s.http = NULL;
    }
    if (s.setup_step >= S_CREATE) {
        struct timeval tv = {5, 0};
        s.setup_step = S_CLEANUP;
        if (milvus_client_drop_collection(s.c, s.coll, on_dropped, &s) == MILVUS_OK) {
            event_base_loopexit(s.base, &tv);
            event_base_dispatch(s.base);
        }
    }
    printf("served %ld requests\n", s.replied);
    goto out;
usage:
    fprintf(stderr,
            "usage: %s [URI] [--port N] [--port-file F] [--max-requests N] [--rows N]\n"
            "          [--collection NAME]\n",
            argv[0]);
    return 2;
oom:
    fprintf(stderr, "evhttp_search: out of memory\n");
    s.exit_code = 1;
out:
    if (s.http)
        evhttp_free(s.http);
    milvus_client_free(s.c);
    if (s.poll_ev)
        event_free(s.poll_ev);
    if (s.sigint_ev)
        event_free(s.sigint_ev);
    if (s.sigterm_ev)
        event_free(s.sigterm_ev);
    milvus_options_free(opts);
    if (s.base)
        event_base_free(s.base);
    return s.exit_code;
}
