/* SPDX-License-Identifier: Apache-2.0 */
/* Writes with milvus_write_options_set_zero_copy(): the vectors go to the
 * socket from the caller's memory.  Checked against the test server (which
 * decodes requests with the upstream schema): every row round-trips on the
 * path that fetches the schema first and on the cached one, upserts too;
 * the vectors really are read at send time (not copied at submission);
 * and the default, copying, write really copies. */
#include "itest.h"

#include <stdio.h>
#include <unistd.h>

FIXTURE_SERVER_FLAGS("--index-ms", "50", "--load-ms", "50");

TestSuite(zero_copy, .init = itest_setup, .fini = itest_teardown, .timeout = 90);

#define DIM 16
#define BDIM 64   /* bits */
#define ROWS 1500 /* 96 KB of float and 12 KB of binary vectors per batch */

static float vec[2 * ROWS][DIM];
static uint8_t bin[2 * ROWS][BDIM / 8];
static int64_t ids[2 * ROWS];
static char tagbuf[2 * ROWS][16];
static const char *tags[2 * ROWS];

/* The binary vector column, where the server takes a second vector field
 * of that type (Milvus 2.3 takes one vector field, Milvus Lite no binary
 * vectors): without it the writes have three columns. */
static int with_bv(void)
{
    return fixture_has_feature("multi_vector") && fixture_has_feature("binary_vector");
}
#define NCOLS ((size_t)(with_bv() ? 4 : 3))

static void make_data(void)
{
    for (int i = 0; i < 2 * ROWS; i++) {
        ids[i] = i;
        snprintf(tagbuf[i], sizeof(tagbuf[i]), "t%d", i);
        tags[i] = tagbuf[i];
        for (int d = 0; d < DIM; d++)
            vec[i][d] = (float)(i * DIM + d) / 1024.0f - 3.0f;
        for (int b = 0; b < BDIM / 8; b++)
            bin[i][b] = (uint8_t)(i * 7 + b);
    }
}

static void wait_loaded(milvus_client *c, const char *name)
{
    for (int i = 0; i < 300; i++) {
        fixture_wait w = {0, 0, NULL};
        milvus_result *r = fixture_wait_result(
            T.base, c, milvus_client_get_load_state(c, name, fixture_wait_cb, &w), &w);
        fixture_assert_ok(r);
        int64_t st = milvus_result_int64(r);
        milvus_result_unref(r);
        if (st == MILVUS_LOAD_STATE_LOADED)
            return;
        usleep(20000);
    }
    cr_assert_fail("collection %s never loaded", name);
}

static void make_collection(const char *name)
{
    milvus_schema *s;
    milvus_field *f;
    milvus_index_options *io = milvus_index_options_new();
    cr_assert_eq(milvus_schema_new(&s, NULL), MILVUS_OK);
    cr_assert_eq(milvus_field_new(&f, "id", MILVUS_TYPE_INT64), MILVUS_OK);
    cr_assert_eq(milvus_field_set_primary_key(f, 1), MILVUS_OK);
    cr_assert_eq(milvus_schema_add_field(s, f), MILVUS_OK);
    milvus_field_free(f);
    cr_assert_eq(milvus_field_new(&f, "tag", MILVUS_TYPE_VARCHAR), MILVUS_OK);
    cr_assert_eq(milvus_field_set_max_length(f, 16), MILVUS_OK);
    cr_assert_eq(milvus_schema_add_field(s, f), MILVUS_OK);
    milvus_field_free(f);
    cr_assert_eq(milvus_field_new(&f, "vec", MILVUS_TYPE_FLOAT_VECTOR), MILVUS_OK);
    cr_assert_eq(milvus_field_set_dim(f, DIM), MILVUS_OK);
    cr_assert_eq(milvus_schema_add_field(s, f), MILVUS_OK);
    milvus_field_free(f);
    if (with_bv()) {
        cr_assert_eq(milvus_field_new(&f, "bv", MILVUS_TYPE_BINARY_VECTOR), MILVUS_OK);
        cr_assert_eq(milvus_field_set_dim(f, BDIM), MILVUS_OK);
        cr_assert_eq(milvus_schema_add_field(s, f), MILVUS_OK);
        milvus_field_free(f);
    }
    CALL_OK(milvus_client_create_collection, name, s, fixture_collection_options());
    milvus_schema_free(s);
    cr_assert_eq(milvus_index_options_set_metric(io, "L2"), MILVUS_OK);
    CALL_OK(milvus_client_create_index, name, "vec", io);
    milvus_index_options_free(io);
    if (with_bv()) {
        cr_assert_eq(milvus_index_options_set_metric(io = milvus_index_options_new(), "HAMMING"),
                     MILVUS_OK);
        CALL_OK(milvus_client_create_index, name, "bv", io);
        milvus_index_options_free(io);
    }
    CALL_OK(milvus_client_load_collection, name, NULL);
}

/* The four columns of rows [from, from + ROWS): vectors wrapped (not
 * copied by the constructor), ids and tags copied. */
static void columns(milvus_column *cols[4], int from)
{
    cr_assert_eq(milvus_column_new_int64(&cols[0], "id", &ids[from], ROWS), MILVUS_OK);
    cr_assert_eq(milvus_column_new_varchar(&cols[1], "tag", &tags[from], ROWS), MILVUS_OK);
    cr_assert_eq(
        milvus_column_wrap(&cols[2], "vec", MILVUS_TYPE_FLOAT_VECTOR, DIM, vec[from], ROWS),
        MILVUS_OK);
    cols[3] = NULL;
    if (with_bv())
        cr_assert_eq(
            milvus_column_wrap(&cols[3], "bv", MILVUS_TYPE_BINARY_VECTOR, BDIM, bin[from], ROWS),
            MILVUS_OK);
}

static void free_columns(milvus_column *cols[4])
{
    for (int i = 0; i < 4; i++)
        milvus_column_free(cols[i]);
}

#ifndef MV_SCHEMA_FETCH_ONLY
/* Writes rows [from, from + ROWS) through client c and waits. */
static void write_rows(milvus_client *c, const char *name, int from, int upsert, int zero_copy)
{
    milvus_column *cols[4];
    milvus_write_options *wo = milvus_write_options_new();
    fixture_wait w = {0, 0, NULL};
    cr_assert_eq(milvus_write_options_set_zero_copy(wo, zero_copy), MILVUS_OK);
    columns(cols, from);
    int rc = (upsert ? milvus_client_upsert : milvus_client_insert)(
        c, name, (const milvus_column *const *)cols, NCOLS, wo, fixture_wait_cb, &w);
    milvus_write_options_free(wo); /* options are read at submission */
    milvus_result *r = fixture_wait_result(T.base, c, rc, &w);
    fixture_assert_ok(r);
    cr_assert_eq(upsert ? milvus_result_upsert_count(r) : milvus_result_insert_count(r), ROWS);
    milvus_result_unref(r);
    free_columns(cols); /* only now: the write borrowed them */
}

#endif

/* Queries ids [lo, hi) and checks every row against the arrays. */
static void check_rows(milvus_client *c, const char *name, int lo, int hi)
{
    char filter[64];
    milvus_query_options *qo = milvus_query_options_new();
    fixture_wait w = {0, 0, NULL};
    snprintf(filter, sizeof(filter), "id >= %d && id < %d", lo, hi);
    cr_assert_eq(milvus_query_options_set_filter(qo, filter), MILVUS_OK);
    cr_assert_eq(milvus_query_options_add_output_field(qo, "tag"), MILVUS_OK);
    cr_assert_eq(milvus_query_options_add_output_field(qo, "vec"), MILVUS_OK);
    if (with_bv())
        cr_assert_eq(milvus_query_options_add_output_field(qo, "bv"), MILVUS_OK);
    cr_assert_eq(milvus_query_options_set_limit(qo, 16384), MILVUS_OK);
    milvus_result *r =
        fixture_wait_result(T.base, c, milvus_client_query(c, name, qo, fixture_wait_cb, &w), &w);
    milvus_query_options_free(qo);
    fixture_assert_ok(r);
    cr_assert_eq(milvus_result_row_count(r), (size_t)(hi - lo));
    const milvus_column *cid = milvus_result_column(r, "id"),
                        *ctag = milvus_result_column(r, "tag"),
                        *cv = milvus_result_column(r, "vec"), *cb = milvus_result_column(r, "bv");
    cr_assert(cid && ctag && cv && (cb || !with_bv()), "id, tag, vec and bv in the result");
    for (size_t i = 0; i < milvus_result_row_count(r); i++) {
        int64_t id;
        const char *s;
        const void *v;
        size_t len;
        cr_assert_eq(milvus_column_get_int(cid, i, &id), MILVUS_OK);
        cr_assert(id >= lo && id < hi);
        cr_assert_eq(milvus_column_get_string(ctag, i, &s, &len), MILVUS_OK);
        cr_assert(len == strlen(tags[id]) && memcmp(s, tags[id], len) == 0, "tag of %lld",
                  (long long)id);
        cr_assert_eq(milvus_column_get_vector(cv, i, &v, &len), MILVUS_OK);
        cr_assert_eq(len, sizeof(vec[id]));
        cr_assert(memcmp(v, vec[id], len) == 0, "float vector of row %lld", (long long)id);
        if (!cb)
            continue;
        cr_assert_eq(milvus_column_get_vector(cb, i, &v, &len), MILVUS_OK);
        cr_assert_eq(len, sizeof(bin[id]));
        cr_assert(memcmp(v, bin[id], len) == 0, "binary vector of row %lld", (long long)id);
    }
    milvus_result_unref(r);
}

#ifndef MV_SCHEMA_FETCH_ONLY
Test(zero_copy, insert_and_upsert_round_trip_on_both_paths)
{
    char name[64];
    fixture_name(name, sizeof(name), "zc");
    make_data();
    make_collection(name);
    /* a fresh client: no schema cached, the first write fetches it */
    milvus_client *c = fixture_client(T.base);
    wait_loaded(c, name);
    write_rows(c, name, 0, 0, 1);
    write_rows(c, name, ROWS, 0, 1); /* cached schema */
    check_rows(c, name, 0, 2 * ROWS);
    /* upsert the first batch with new vectors */
    for (int i = 0; i < ROWS; i++)
        for (int d = 0; d < DIM; d++)
            vec[i][d] = -vec[i][d];
    write_rows(c, name, 0, 1, 1);
    check_rows(c, name, 0, ROWS);
    milvus_client_free(c);
}

/* Submits an insert of rows [0, ROWS), then overwrites row 5's vector
 * before the loop runs, and returns what the server stored for row 5. */
static void scribble_after_submit(int zero_copy, float out[DIM])
{
    char name[64];
    milvus_column *cols[4];
    milvus_write_options *wo = milvus_write_options_new();
    fixture_wait w = {0, 0, NULL};
    fixture_name(name, sizeof(name), zero_copy ? "zcs" : "cps");
    make_data();
    make_collection(name);
    milvus_client *c = fixture_client(T.base);
    wait_loaded(c, name);
    write_rows(c, name, ROWS, 0, zero_copy); /* caches the schema */
    cr_assert_eq(milvus_write_options_set_zero_copy(wo, zero_copy), MILVUS_OK);
    columns(cols, 0);
    int rc = milvus_client_insert(c, name, (const milvus_column *const *)cols, NCOLS, wo,
                                  fixture_wait_cb, &w);
    for (int d = 0; d < DIM; d++)
        vec[5][d] = 1000.0f + (float)d; /* nothing has been sent yet */
    milvus_result *r = fixture_wait_result(T.base, c, rc, &w);
    fixture_assert_ok(r);
    milvus_result_unref(r);
    free_columns(cols);
    milvus_write_options_free(wo);

    milvus_query_options *qo = milvus_query_options_new();
    cr_assert_eq(milvus_query_options_set_filter(qo, "id == 5"), MILVUS_OK);
    cr_assert_eq(milvus_query_options_add_output_field(qo, "vec"), MILVUS_OK);
    w = (fixture_wait){0, 0, NULL};
    r = fixture_wait_result(T.base, c, milvus_client_query(c, name, qo, fixture_wait_cb, &w), &w);
    milvus_query_options_free(qo);
    fixture_assert_ok(r);
    cr_assert_eq(milvus_result_row_count(r), 1);
    const void *v;
    size_t len;
    cr_assert_eq(milvus_column_get_vector(milvus_result_column(r, "vec"), 0, &v, &len), MILVUS_OK);
    cr_assert_eq(len, sizeof(float) * DIM);
    memcpy(out, v, len);
    milvus_result_unref(r);
    milvus_client_free(c);
}

Test(zero_copy, vectors_are_read_when_sent_not_when_submitted)
{
    float got[DIM];
    scribble_after_submit(1, got);
    for (int d = 0; d < DIM; d++)
        cr_assert_eq(got[d], 1000.0f + (float)d, "zero copy: the write sent a copy");
}

Test(zero_copy, copying_writes_take_the_values_at_submission)
{
    float got[DIM];
    scribble_after_submit(0, got);
    for (int d = 0; d < DIM; d++)
        cr_assert_eq(got[d], (float)(5 * DIM + d) / 1024.0f - 3.0f,
                     "a copying write sent the caller's later change");
}

Test(zero_copy, options_are_checked)
{
    cr_assert_eq(milvus_write_options_set_zero_copy(NULL, 1), MILVUS_ERR_INVALID_ARGUMENT);
}
#endif

/* ---- concurrent first writes share one DescribeCollection ------------------------ */

#define NW 12

typedef struct wres {
    int done, status;
} wres;

static void on_write(milvus_client *c, const milvus_result *r, void *ctx)
{
    wres *w = ctx;
    (void)c;
    w->done++;
    w->status = milvus_result_status(r);
}

/* Submits NW writes of ROWS rows each (alternately zero-copy and copying)
 * from a client with no schema cached, cancelling the ones cancel[] marks
 * right after their submission; runs until all complete. */
static void burst(milvus_client *c, const char *name, const int *cancel, wres *w)
{
    milvus_column *cols[NW][4];
    milvus_write_options *wo = milvus_write_options_new();
    int done = 0;
    for (int i = 0; i < NW; i++) {
        int from = (i % 2) * ROWS;
        cr_assert_eq(milvus_write_options_set_zero_copy(wo, i % 2), MILVUS_OK);
        columns(cols[i], from);
        cr_assert_eq(milvus_client_upsert(c, name, (const milvus_column *const *)cols[i], NCOLS, wo,
                                          on_write, &w[i]),
                     MILVUS_OK, "%s", milvus_client_last_error(c));
        if (cancel[i])
            cr_assert_eq(milvus_client_cancel(c, milvus_client_last_call(c)), MILVUS_OK);
    }
    milvus_write_options_free(wo);
    cr_assert_eq(milvus_client_pending(c), NW);
    for (int spins = 0; spins < 100000; spins++) {
        done = 0;
        for (int i = 0; i < NW; i++)
            done += w[i].done;
        if (done == NW)
            break;
        event_base_loop(T.base, EVLOOP_ONCE);
    }
    for (int i = 0; i < NW; i++) {
        cr_assert_eq(w[i].done, 1, "write %d completed %d times", i, w[i].done);
        free_columns(cols[i]);
    }
}

#ifdef MV_SCHEMA_FETCH_ONLY
/* Built as a program of its own (one test server, this test alone), so
 * that the server's DescribeCollection counter is this test's. */
Test(zero_copy, concurrent_first_writes_fetch_the_schema_once)
{
    char name[64];
    wres w[NW];
    int cancel[NW] = {0};
    fixture_name(name, sizeof(name), "zcb");
    make_data();
    make_collection(name);
    milvus_client *c = fixture_client(T.base);
    wait_loaded(c, name);
    long before = fixture_calls("DescribeCollection");
    memset(w, 0, sizeof(w));
    burst(c, name, cancel, w);
    for (int i = 0; i < NW; i++)
        cr_assert_eq(w[i].status, MILVUS_OK, "write %d: %s", i, milvus_strerror(w[i].status));
    if (before >= 0) /* the test server counts calls; a real Milvus does not tell */
        cr_assert_eq(fixture_calls("DescribeCollection") - before, 1,
                     "%d concurrent first writes asked for the schema %ld times", NW,
                     fixture_calls("DescribeCollection") - before);
    check_rows(c, name, 0, 2 * ROWS);
    milvus_client_free(c);
}

#else
Test(zero_copy, cancelling_the_fetching_write_does_not_strand_the_others)
{
    char name[64];
    wres w[NW];
    int cancel[NW] = {0};
    cancel[0] = 1; /* the one that fetches the schema */
    cancel[5] = 1; /* one parked behind it */
    fixture_name(name, sizeof(name), "zcc");
    make_data();
    make_collection(name);
    milvus_client *c = fixture_client(T.base);
    wait_loaded(c, name);
    memset(w, 0, sizeof(w));
    burst(c, name, cancel, w);
    for (int i = 0; i < NW; i++)
        cr_assert_eq(w[i].status, cancel[i] ? MILVUS_ERR_CANCELLED : MILVUS_OK, "write %d: %s", i,
                     milvus_strerror(w[i].status));
    check_rows(c, name, 0, 2 * ROWS);
    /* and the client is idle and still usable */
    cr_assert_eq(milvus_client_pending(c), 0);
    write_rows(c, name, 0, 1, 1);
    milvus_client_free(c);
}

Test(zero_copy, freeing_the_client_fails_parked_writes_once)
{
    char name[64];
    wres w[NW];
    milvus_column *cols[NW][4];
    fixture_name(name, sizeof(name), "zcf");
    make_data();
    make_collection(name);
    milvus_client *c = fixture_client(T.base);
    wait_loaded(c, name);
    memset(w, 0, sizeof(w));
    for (int i = 0; i < NW; i++) {
        columns(cols[i], 0);
        cr_assert_eq(milvus_client_insert(c, name, (const milvus_column *const *)cols[i], NCOLS,
                                          NULL, on_write, &w[i]),
                     MILVUS_OK);
    }
    milvus_client_free(c);
    for (int i = 0; i < NW; i++) {
        cr_assert_eq(w[i].done, 1, "write %d completed %d times", i, w[i].done);
        cr_assert_eq(w[i].status, MILVUS_ERR_CANCELLED);
        free_columns(cols[i]);
    }
}
#endif
