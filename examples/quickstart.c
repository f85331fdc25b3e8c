/* SPDX-License-Identifier: Apache-2.0 */
/*
 * quickstart — the typed Milvus API from start to finish, one step after
 * the other: create a collection, insert rows, build an index, load,
 * search, query, count, drop.
 *
 *   quickstart [URI] [--rows N] [--keep]
 *
 * URI defaults to $MILVUS_URI, then localhost:19530; $MILVUS_TOKEN is sent
 * as the API key when set.  The collection is "quickstart_demo" (dropped
 * first, and at the end unless --keep).
 *
 * Style: blocking, with <milvus/sync.h>.  A milvus_sync owns a private
 * event loop and a client; each milvus_sync_X() runs the asynchronous
 * milvus_client_X() to completion and hands back its result (a reference
 * released with milvus_result_unref()).  examples/async_ingest.c and
 * examples/evhttp_search.c show the asynchronous style on your own loop.
 */
#include <milvus/milvus.h>
#include <milvus/sync.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define COLL "quickstart_demo"
#define DIM 8

/* ---- error reporting -------------------------------------------------------- */

/* rc and res are what a milvus_sync_X() gave back.  Returns res when the
 * call succeeded (the caller unrefs it); otherwise prints why, releases
 * res and returns NULL. */
static milvus_result *ok_or_report(milvus_sync *s, int rc, milvus_result *res, const char *what)
{
    if (rc == MILVUS_OK)
        return res;
    /* With a result the message names the operation and the collection;
     * without one (not submitted, wait deadline) the handle explains. */
    fprintf(stderr, "%s failed: %s\n", what,
            res ? milvus_result_message(res) : milvus_sync_last_error(s));
    milvus_result_unref(res);
    return NULL;
}

/* Runs one blocking call EXPR (a milvus_sync_X(...) whose last argument
 * is &RES) and leaves its result in RES, NULL on failure. */
#define CALL(RES, WHAT, EXPR)                                                                      \
    do {                                                                                           \
        int rc_ = (EXPR);                                                                          \
        (RES) = ok_or_report(s, rc_, (RES), (WHAT));                                               \
    } while (0)

static void sleep_ms(int ms)
{
    struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

/* ---- data ------------------------------------------------------------------ */

/* A deterministic vector per row: distinct rows, so the nearest neighbour
 * of row i's own vector is row i (L2 distance 0). */
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

static int make_schema(milvus_schema **out)
{
    milvus_schema *s = NULL;
    milvus_field *id = NULL, *title = NULL, *vec = NULL;
    int rc = milvus_schema_new(&s, COLL);
    if (!rc)
        rc = milvus_field_new(&id, "id", MILVUS_TYPE_INT64);
    if (!rc)
        rc = milvus_field_set_primary_key(id, 1);
    if (!rc)
        rc = milvus_field_new(&title, "title", MILVUS_TYPE_VARCHAR);
    if (!rc)
        rc = milvus_field_set_max_length(title, 64);
    if (!rc)
        rc = milvus_field_new(&vec, "embedding", MILVUS_TYPE_FLOAT_VECTOR);
    if (!rc)
        rc = milvus_field_set_dim(vec, DIM);
    if (!rc)
        rc = milvus_schema_add_field(s, id);
    if (!rc)
        rc = milvus_schema_add_field(s, title);
    if (!rc)
        rc = milvus_schema_add_field(s, vec);
    milvus_field_free(id);
    milvus_field_free(title);
    milvus_field_free(vec);
    if (rc) {
        milvus_schema_free(s);
        return rc;
    }
    *out = s;
    return MILVUS_OK;
}

/* The three columns of rows [0, n). */
static int make_columns(int64_t n, milvus_column *cols[3])
{
    int64_t *ids = malloc((size_t)n * sizeof(*ids));
    char **titles = calloc((size_t)n, sizeof(*titles));
    float *vecs = malloc((size_t)n * DIM * sizeof(*vecs));
    int rc = MILVUS_ERR_NOMEM;
    cols[0] = cols[1] = cols[2] = NULL;
    if (!ids || !titles || !vecs)
        goto out;
    for (int64_t i = 0; i < n; i++) {
        ids[i] = i;
        if (!(titles[i] = malloc(32)))
            goto out;
        snprintf(titles[i], 32, "doc-%lld", (long long)i);
        row_vector(i, vecs + i * DIM);
    }
    rc = milvus_column_new_int64(&cols[0], "id", ids, (size_t)n);
    if (!rc)
        rc = milvus_column_new_varchar(&cols[1], "title", (const char *const *)titles, (size_t)n);
    if (!rc)
        rc = milvus_column_new_float_vector(&cols[2], "embedding", DIM, vecs, (size_t)n);
out:
    for (int64_t i = 0; titles && i < n; i++)
        free(titles[i]);
    free(titles);
    free(ids);
    free(vecs);
    return rc;
}

/* ---- printing -------------------------------------------------------------- */

static void print_value(const milvus_column *col, size_t row)
{
    int64_t i;
    double d;
    const char *s;
    size_t len;
    if (milvus_column_is_null(col, row))
        printf("null");
    else if (milvus_column_get_int(col, row, &i) == MILVUS_OK)
        printf("%lld", (long long)i);
    else if (milvus_column_get_double(col, row, &d) == MILVUS_OK)
        printf("%g", d);
    else if (milvus_column_get_string(col, row, &s, &len) == MILVUS_OK)
        printf("%.*s", (int)len, s);
    else
        printf("<%s>", milvus_data_type_name(milvus_column_type(col)));
}

static void print_search(const milvus_result *res, const int64_t *queries)
{
    for (size_t q = 0; q < milvus_result_num_queries(res); q++) {
        const milvus_column *ids = milvus_result_hit_ids(res, q);
        const milvus_column *title = milvus_result_hit_column(res, q, "title");
        const float *scores = milvus_result_hit_scores(res, q);
        printf("search: query %zu (vector of row %lld): %zu hits\n", q, (long long)queries[q],
               milvus_result_hit_count(res, q));
        for (size_t h = 0; h < milvus_result_hit_count(res, q); h++) {
            int64_t id = -1;
            milvus_column_get_int(ids, h, &id);
            printf("search: query %zu hit %zu id=%lld score=%.4f title=", q, h, (long long)id,
                   scores ? scores[h] : 0.0f);
            if (title)
                print_value(title, h);
            printf("\n");
        }
    }
}

static void print_rows(const milvus_result *res)
{
    size_t ncols = milvus_result_column_count(res);
    printf("query: %zu rows\n", milvus_result_row_count(res));
    for (size_t r = 0; r < milvus_result_row_count(res); r++) {
        printf("query: row");
        for (size_t i = 0; i < ncols; i++) {
            const milvus_column *col = milvus_result_column_at(res, i);
            printf(" %s=", milvus_column_name(col));
            print_value(col, r);
        }
        printf("\n");
    }
}

/* ---- the walk-through ------------------------------------------------------ */

static int run(milvus_sync *s, int64_t nrows, int keep)
{
    milvus_result *res = NULL;
    milvus_schema *schema = NULL;
    milvus_column *cols[3] = {NULL, NULL, NULL}, *qv = NULL;
    milvus_index_options *io = NULL;
    milvus_search_options *so = NULL;
    milvus_query_options *qo = NULL;
    float qvec[2 * DIM];
    int64_t queries[2] = {7 % nrows, (nrows * 2) / 3};
    int ok = 0;

    CALL(res, "get_server_version", milvus_sync_get_server_version(s, &res));
    if (!res)
        return 1;
    printf("server version: %s\n", milvus_result_string(res));
    milvus_result_unref(res);

    /* A leftover from an earlier run would change the counts. */
    CALL(res, "has_collection", milvus_sync_has_collection(s, COLL, &res));
    if (!res)
        return 1;
    if (milvus_result_bool(res)) {
        milvus_result_unref(res);
        CALL(res, "drop_collection", milvus_sync_drop_collection(s, COLL, &res));
        if (!res)
            return 1;
    }
    milvus_result_unref(res);

    if (make_schema(&schema) != MILVUS_OK) {
        fprintf(stderr, "schema: out of memory\n");
        return 1;
    }
    CALL(res, "create_collection", milvus_sync_create_collection(s, COLL, schema, NULL, &res));
    milvus_schema_free(schema);
    if (!res)
        return 1;
    milvus_result_unref(res);
    printf("created collection %s\n", COLL);

    if (make_columns(nrows, cols) != MILVUS_OK) {
        fprintf(stderr, "columns: %s\n", "out of memory");
        goto out;
    }
    CALL(res, "insert",
         milvus_sync_insert(s, COLL, (const milvus_column *const *)cols, 3, NULL, &res));
    if (!res)
        goto out;
    printf("inserted %lld rows\n", (long long)milvus_result_insert_count(res));
    milvus_result_unref(res);

    if (!(io = milvus_index_options_new()) || milvus_index_options_set_type(io, "AUTOINDEX") ||
        milvus_index_options_set_metric(io, "L2"))
        goto out;
    CALL(res, "create_index", milvus_sync_create_index(s, COLL, "embedding", io, &res));
    if (!res)
        goto out;
    milvus_result_unref(res);
    printf("index requested on embedding (AUTOINDEX, L2)\n");

    CALL(res, "load_collection", milvus_sync_load_collection(s, COLL, NULL, &res));
    if (!res)
        goto out;
    milvus_result_unref(res);
    /* Loading completes in the background: poll its state. */
    for (int tries = 0;; tries++) {
        int64_t state;
        CALL(res, "get_load_state", milvus_sync_get_load_state(s, COLL, &res));
        if (!res)
            goto out;
        state = milvus_result_int64(res);
        milvus_result_unref(res);
        if (state == MILVUS_LOAD_STATE_LOADED)
            break;
        if (tries == 300) {
            fprintf(stderr, "load: still not loaded after 30 s\n");
            goto out;
        }
        sleep_ms(100);
    }
    printf("collection loaded\n");

    /* Two queries: the stored vectors of two rows, so the top hits are
     * known in advance. */
    row_vector(queries[0], qvec);
    row_vector(queries[1], qvec + DIM);
    if (milvus_column_new_float_vector(&qv, "embedding", DIM, qvec, 2) != MILVUS_OK ||
        !(so = milvus_search_options_new()) || milvus_search_options_set_vectors(so, qv) ||
        milvus_search_options_set_limit(so, 3) ||
        milvus_search_options_add_output_field(so, "title") ||
        milvus_search_options_set_consistency(so, MILVUS_CONSISTENCY_STRONG))
        goto out;
    CALL(res, "search", milvus_sync_search(s, COLL, so, &res));
    if (!res)
        goto out;
    print_search(res, queries);
    milvus_result_unref(res);

    if (!(qo = milvus_query_options_new()) ||
        milvus_query_options_set_filter(qo, "id in [1, 2, 3]") ||
        milvus_query_options_add_output_field(qo, "title") ||
        milvus_query_options_set_consistency(qo, MILVUS_CONSISTENCY_STRONG))
        goto out;
    CALL(res, "query", milvus_sync_query(s, COLL, qo, &res));
    if (!res)
        goto out;
    print_rows(res);
    milvus_result_unref(res);

    CALL(res, "count", milvus_sync_count(s, COLL, "id >= 10", &res));
    if (!res)
        goto out;
    printf("count(id >= 10) = %lld\n", (long long)milvus_result_int64(res));
    milvus_result_unref(res);

    if (!keep) {
        CALL(res, "drop_collection", milvus_sync_drop_collection(s, COLL, &res));
        if (!res)
            goto out;
        milvus_result_unref(res);
        printf("dropped collection %s\n", COLL);
    }
    ok = 1;
out:
    for (int i = 0; i < 3; i++)
        milvus_column_free(cols[i]);
    milvus_column_free(qv);
    milvus_index_options_free(io);
    milvus_search_options_free(so);
    milvus_query_options_free(qo);
    return ok ? 0 : 1;
}

int main(int argc, char **argv)
{
    const char *uri = getenv("MILVUS_URI"), *token = getenv("MILVUS_TOKEN");
    int64_t nrows = 100;
    int keep = 0, rc = 1;
    milvus_options *opts = NULL;
    milvus_sync *s = NULL;

    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--rows") == 0 && i + 1 < argc)
            nrows = strtoll(argv[++i], NULL, 10);
        else if (strcmp(argv[i], "--keep") == 0)
            keep = 1;
        else if (argv[i][0] != '-')
            uri = argv[i];
        else {
            fprintf(stderr, "usage: %s [URI] [--rows N] [--keep]\n", argv[0]);
            return 2;
        }
    }
    if (nrows < 10 || nrows > 1000000) {
        fprintf(stderr, "--rows must be in 10..1000000\n");
        return 2;
    }
    if (!(opts = milvus_options_new()))
        goto out;
    if (uri && milvus_options_set_uri(opts, uri) != MILVUS_OK) {
        fprintf(stderr, "bad URI: %s\n", uri);
        goto out;
    }
    if (token && *token && milvus_options_set_token(opts, token) != MILVUS_OK)
        goto out;
    /* Every wait bounded: a dead server fails the example, not hangs it. */
    if (milvus_options_set_call_timeout_ms(opts, 30000) != MILVUS_OK ||
        milvus_sync_new(&s, opts) != MILVUS_OK) {
        fprintf(stderr, "cannot create the client\n");
        goto out;
    }
    rc = run(s, nrows, keep);
out:
    milvus_sync_free(s);
    milvus_options_free(opts);
    return rc;
}
