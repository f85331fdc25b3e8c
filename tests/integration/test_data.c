/* SPDX-License-Identifier: Apache-2.0 */
/* Writes and reads against the test server: insert/upsert/delete, query,
 * count, get, search checked against a brute-force computation, hybrid
 * search. */
#include "itest.h"

#include <math.h>
#include <stdio.h>
#include <unistd.h>

FIXTURE_SERVER_FLAGS("--index-ms", "100", "--load-ms", "100");

TestSuite(data, .init = itest_setup, .fini = itest_teardown, .timeout = 60);

#define DIM 8
#define N 60
#define NGROUPS 7

static float vecs[N][DIM];
static float vecs2[N][DIM];
static int64_t ids[N];
static int32_t nums[N];
static int64_t grps[N];
static char tagbuf[N][16];
static const char *tags[N];

static uint32_t rng = 12345;
static float frand(void)
{
    rng = rng * 1103515245u + 12345u;
    return (float)((rng >> 8) & 0xffff) / 65536.0f * 2.0f - 1.0f;
}

static void make_data(void)
{
    for (int i = 0; i < N; i++) {
        ids[i] = 1000 + i * 3;
        nums[i] = i;
        grps[i] = i % NGROUPS;
        snprintf(tagbuf[i], sizeof(tagbuf[i]), "tag-%d", i);
        tags[i] = tagbuf[i];
        for (int d = 0; d < DIM; d++) {
            vecs[i][d] = frand();
            vecs2[i][d] = frand();
        }
    }
}

static milvus_field *field(const char *name, milvus_data_type t)
{
    milvus_field *f;
    cr_assert_eq(milvus_field_new(&f, name, t), MILVUS_OK);
    return f;
}

static void add(milvus_schema *s, milvus_field *f)
{
    cr_assert_eq(milvus_schema_add_field(s, f), MILVUS_OK);
    milvus_field_free(f);
}

static void wait_loaded(const char *name)
{
    for (int i = 0; i < 300; i++) {
        milvus_result *r = CALL(milvus_client_get_load_state, name);
        int64_t st = milvus_result_int64(r);
        fixture_assert_ok(r);
        milvus_result_unref(r);
        if (st == MILVUS_LOAD_STATE_LOADED)
            return;
        usleep(20000);
    }
    cr_assert_fail("collection %s never loaded", name);
}

/* id, num Int32, grp Int64, tag VarChar, vec (+ vec2) FloatVector;
 * indexed with metric, loaded, N rows inserted. */
static void make_collection(const char *name, const char *metric, int two_vectors)
{
    milvus_schema *s;
    milvus_field *f;
    milvus_index_options *io = milvus_index_options_new();
    milvus_column *cols[6];
    size_t ncols = 0;
    milvus_result *r;
    make_data();
    cr_assert_eq(milvus_schema_new(&s, NULL), MILVUS_OK);
    cr_assert_eq(milvus_schema_set_dynamic_field(s, 1), MILVUS_OK);
    f = field("id", MILVUS_TYPE_INT64);
    cr_assert_eq(milvus_field_set_primary_key(f, 1), MILVUS_OK);
    add(s, f);
    add(s, field("num", MILVUS_TYPE_INT32));
    add(s, field("grp", MILVUS_TYPE_INT64));
    f = field("tag", MILVUS_TYPE_VARCHAR);
    cr_assert_eq(milvus_field_set_max_length(f, 16), MILVUS_OK);
    add(s, f);
    f = field("vec", MILVUS_TYPE_FLOAT_VECTOR);
    cr_assert_eq(milvus_field_set_dim(f, DIM), MILVUS_OK);
    add(s, f);
    if (two_vectors) {
        f = field("vec2", MILVUS_TYPE_FLOAT_VECTOR);
        cr_assert_eq(milvus_field_set_dim(f, DIM), MILVUS_OK);
        add(s, f);
    }
    CALL_OK(milvus_client_create_collection, name, s, fixture_collection_options());
    milvus_schema_free(s);
    cr_assert_eq(milvus_index_options_set_metric(io, metric), MILVUS_OK);
    CALL_OK(milvus_client_create_index, name, "vec", io);
    if (two_vectors)
        CALL_OK(milvus_client_create_index, name, "vec2", io);
    milvus_index_options_free(io);
    CALL_OK(milvus_client_load_collection, name, NULL);
    wait_loaded(name);

    cr_assert_eq(milvus_column_new_int64(&cols[ncols++], "id", ids, N), MILVUS_OK);
    cr_assert_eq(milvus_column_new_int32(&cols[ncols++], "num", nums, N), MILVUS_OK);
    cr_assert_eq(milvus_column_new_int64(&cols[ncols++], "grp", grps, N), MILVUS_OK);
    cr_assert_eq(milvus_column_new_varchar(&cols[ncols++], "tag", tags, N), MILVUS_OK);
    cr_assert_eq(milvus_column_new_float_vector(&cols[ncols++], "vec", DIM, &vecs[0][0], N),
                 MILVUS_OK);
    if (two_vectors)
        cr_assert_eq(milvus_column_new_float_vector(&cols[ncols++], "vec2", DIM, &vecs2[0][0], N),
                     MILVUS_OK);
    r = CALL(milvus_client_insert, name, (const milvus_column *const *)cols, ncols, NULL);
    fixture_assert_ok(r);
    cr_assert_eq(milvus_result_insert_count(r), N);
    cr_assert_eq(milvus_column_rows(milvus_result_ids(r)), N);
    for (size_t i = 0; i < N; i++) {
        int64_t v;
        cr_assert_eq(milvus_column_get_int(milvus_result_ids(r), i, &v), MILVUS_OK);
        cr_assert_eq(v, ids[i]);
    }
    if (fixture_has_feature("write_timestamp"))
        cr_assert_gt(milvus_result_timestamp(r), 0);
    milvus_result_unref(r);
    for (size_t i = 0; i < ncols; i++)
        milvus_column_free(cols[i]);
}

/* ---- brute force ------------------------------------------------------------------ */

static double score(const char *metric, const float *a, const float *b)
{
    double dot = 0, na = 0, nb = 0, l2 = 0;
    for (int d = 0; d < DIM; d++) {
        dot += (double)a[d] * b[d];
        na += (double)a[d] * a[d];
        nb += (double)b[d] * b[d];
        l2 += ((double)a[d] - b[d]) * ((double)a[d] - b[d]);
    }
    if (strcmp(metric, "L2") == 0)
        return l2;
    if (strcmp(metric, "IP") == 0)
        return dot;
    return dot / (sqrt(na) * sqrt(nb));
}

/* Indexes of the best `k` rows after skipping `offset`, among rows with
 * num >= min_num. */
static size_t brute(const char *metric, const float *q, int min_num, size_t offset, size_t k,
                    int *out, double *scores)
{
    int idx[N];
    double sc[N];
    size_t n = 0, m = 0;
    int larger = strcmp(metric, "L2") != 0;
    for (int i = 0; i < N; i++) {
        if (nums[i] < min_num)
            continue;
        idx[n] = i;
        sc[n++] = score(metric, q, vecs[i]);
    }
    for (size_t i = 0; i < n; i++) /* selection sort: small N */
        for (size_t j = i + 1; j < n; j++)
            if (larger ? sc[j] > sc[i] : sc[j] < sc[i]) {
                double t = sc[i];
                int ti = idx[i];
                sc[i] = sc[j];
                idx[i] = idx[j];
                sc[j] = t;
                idx[j] = ti;
            }
    for (size_t i = offset; i < n && m < k; i++, m++) {
        out[m] = idx[i];
        scores[m] = sc[i];
    }
    return m;
}

static void check_hits(const milvus_result *r, size_t q, const char *metric, const float *qv,
                       int min_num, size_t offset, size_t k)
{
    int want[N];
    double wsc[N];
    size_t n = brute(metric, qv, min_num, offset, k, want, wsc);
    const milvus_column *hid = milvus_result_hit_ids(r, q);
    const float *hs = milvus_result_hit_scores(r, q);
    cr_assert_eq(milvus_result_hit_count(r, q), n, "query %zu: %zu hits, want %zu", q,
                 milvus_result_hit_count(r, q), n);
    for (size_t i = 0; i < n; i++) {
        int64_t id;
        cr_assert_eq(milvus_column_get_int(hid, i, &id), MILVUS_OK);
        cr_assert_eq(id, ids[want[i]], "%s query %zu hit %zu: id %lld, want %lld", metric, q, i,
                     (long long)id, (long long)ids[want[i]]);
        cr_assert(fabs(hs[i] - wsc[i]) <= 1e-4 * (1 + fabs(wsc[i])), "%s score %f want %f", metric,
                  hs[i], wsc[i]);
    }
}

static milvus_column *query_vectors(size_t nq, const float *src)
{
    milvus_column *v;
    cr_assert_eq(milvus_column_new_float_vector(&v, "q", DIM, src, nq), MILVUS_OK);
    return v;
}

Test(data, search_agrees_with_brute_force)
{
    const char *metrics[] = {"L2", "IP", "COSINE"};
    float qv[3][DIM];
    for (int m = 0; m < 3; m++) {
        char name[64];
        milvus_search_options *o = milvus_search_options_new();
        milvus_column *v;
        milvus_result *r;
        fixture_name(name, sizeof(name), metrics[m]);
        make_collection(name, metrics[m], 0);
        for (int q = 0; q < 3; q++)
            for (int d = 0; d < DIM; d++)
                qv[q][d] = frand();
        v = query_vectors(3, &qv[0][0]);
        cr_assert_eq(milvus_search_options_set_vectors(o, v), MILVUS_OK);
        milvus_column_free(v); /* copied */
        cr_assert_eq(milvus_search_options_set_limit(o, 7), MILVUS_OK);
        cr_assert_eq(milvus_search_options_add_output_field(o, "num"), MILVUS_OK);
        cr_assert_eq(milvus_search_options_add_output_field(o, "tag"), MILVUS_OK);
        r = CALL(milvus_client_search, name, o);
        fixture_assert_ok(r);
        cr_assert_eq(milvus_result_num_queries(r), 3);
        for (size_t q = 0; q < 3; q++) {
            const milvus_column *num = milvus_result_hit_column(r, q, "num");
            const milvus_column *tag = milvus_result_hit_column(r, q, "tag");
            const milvus_column *hid = milvus_result_hit_ids(r, q);
            check_hits(r, q, metrics[m], qv[q], INT32_MIN, 0, 7);
            cr_assert_not_null(num);
            cr_assert_not_null(tag);
            cr_assert_eq(milvus_column_rows(num), 7);
            for (size_t i = 0; i < 7; i++) {
                int64_t id, n;
                const char *t;
                size_t tl;
                char want[16];
                cr_assert_eq(milvus_column_get_int(hid, i, &id), MILVUS_OK);
                cr_assert_eq(milvus_column_get_int(num, i, &n), MILVUS_OK);
                cr_assert_eq(n, (id - 1000) / 3, "output field belongs to its hit");
                cr_assert_eq(milvus_column_get_string(tag, i, &t, &tl), MILVUS_OK);
                snprintf(want, sizeof(want), "tag-%lld", (long long)n);
                cr_assert_eq(tl, strlen(want));
                cr_assert(memcmp(t, want, tl) == 0);
            }
        }
        milvus_result_unref(r);

        /* filter with a template value, and an offset */
        if (fixture_has_feature("filter_templates")) {
            cr_assert_eq(milvus_search_options_set_filter(o, "num >= {lo}"), MILVUS_OK);
            cr_assert_eq(milvus_search_options_set_template_int(o, "lo", 30), MILVUS_OK);
        } else {
            cr_assert_eq(milvus_search_options_set_filter(o, "num >= 30"), MILVUS_OK);
        }
        cr_assert_eq(milvus_search_options_set_offset(o, 2), MILVUS_OK);
        cr_assert_eq(milvus_search_options_set_limit(o, 5), MILVUS_OK);
        r = CALL(milvus_client_search, name, o);
        fixture_assert_ok(r);
        for (size_t q = 0; q < 3; q++)
            check_hits(r, q, metrics[m], qv[q], 30, 2, 5);
        milvus_result_unref(r);
        milvus_search_options_free(o);
    }
}

Test(data, search_group_by_and_filter_string)
{
    char name[64];
    milvus_search_options *o = milvus_search_options_new();
    milvus_column *v;
    milvus_result *r;
    int seen[NGROUPS] = {0};
    fixture_require_feature("group_by");
    fixture_name(name, sizeof(name), "grp");
    make_collection(name, "L2", 0);
    v = query_vectors(1, vecs[5]);
    cr_assert_eq(milvus_search_options_set_vectors(o, v), MILVUS_OK);
    milvus_column_free(v);
    cr_assert_eq(milvus_search_options_set_limit(o, 10), MILVUS_OK);
    cr_assert_eq(milvus_search_options_set_group_by(o, "grp", 1, 0), MILVUS_OK);
    cr_assert_eq(milvus_search_options_add_output_field(o, "grp"), MILVUS_OK);
    r = CALL(milvus_client_search, name, o);
    fixture_assert_ok(r);
    cr_assert_eq(milvus_result_hit_count(r, 0), NGROUPS, "one hit per group");
    for (size_t i = 0; i < NGROUPS; i++) {
        int64_t g;
        cr_assert_eq(milvus_column_get_int(milvus_result_hit_column(r, 0, "grp"), i, &g),
                     MILVUS_OK);
        cr_assert(g >= 0 && g < NGROUPS);
        cr_assert_eq(seen[g]++, 0, "group %lld twice", (long long)g);
        {
            int64_t gv;
            cr_assert_eq(milvus_column_get_int(milvus_result_hit_group_values(r, 0), i, &gv),
                         MILVUS_OK);
            cr_assert_eq(gv, g, "the group value of hit %zu", i);
        }
    }
    {
        int64_t id;
        cr_assert_eq(milvus_column_get_int(milvus_result_hit_ids(r, 0), 0, &id), MILVUS_OK);
        cr_assert_eq(id, ids[5], "the stored vector itself is the best hit");
    }
    milvus_result_unref(r);
    milvus_search_options_free(o);

    o = milvus_search_options_new();
    v = query_vectors(1, vecs[5]);
    cr_assert_eq(milvus_search_options_set_vectors(o, v), MILVUS_OK);
    milvus_column_free(v);
    if (fixture_has_feature("filter_templates")) {
        cr_assert_eq(milvus_search_options_set_filter(o, "tag == {t}"), MILVUS_OK);
        cr_assert_eq(milvus_search_options_set_template_string(o, "t", "tag-9"), MILVUS_OK);
    } else {
        cr_assert_eq(milvus_search_options_set_filter(o, "tag == \"tag-9\""), MILVUS_OK);
    }
    r = CALL(milvus_client_search, name, o);
    fixture_assert_ok(r);
    cr_assert_eq(milvus_result_hit_count(r, 0), 1);
    {
        int64_t id;
        cr_assert_eq(milvus_column_get_int(milvus_result_hit_ids(r, 0), 0, &id), MILVUS_OK);
        cr_assert_eq(id, ids[9]);
    }
    milvus_result_unref(r);
    milvus_search_options_free(o);
}

Test(data, hybrid_search_with_rrf)
{
    char name[64];
    milvus_search_options *l1 = milvus_search_options_new(), *l2 = milvus_search_options_new();
    milvus_search_options *top = milvus_search_options_new();
    const milvus_search_options *legs[2] = {l1, l2};
    milvus_column *v;
    milvus_result *r;
    int64_t id;
    fixture_require_feature("hybrid_search");
    fixture_name(name, sizeof(name), "hybrid");
    make_collection(name, "L2", 1);
    v = query_vectors(1, vecs[11]);
    cr_assert_eq(milvus_search_options_set_vectors(l1, v), MILVUS_OK);
    milvus_column_free(v);
    v = query_vectors(1, vecs2[11]);
    cr_assert_eq(milvus_search_options_set_vectors(l2, v), MILVUS_OK);
    milvus_column_free(v);
    cr_assert_eq(milvus_search_options_set_anns_field(l1, "vec"), MILVUS_OK);
    cr_assert_eq(milvus_search_options_set_anns_field(l2, "vec2"), MILVUS_OK);
    cr_assert_eq(milvus_search_options_set_limit(l1, 10), MILVUS_OK);
    cr_assert_eq(milvus_search_options_set_limit(l2, 10), MILVUS_OK);
    cr_assert_eq(milvus_search_options_set_limit(top, 4), MILVUS_OK);
    cr_assert_eq(milvus_search_options_add_output_field(top, "num"), MILVUS_OK);
    /* no reranker: refused before sending */
    cr_assert_eq(milvus_client_hybrid_search(T.c, name, legs, 2, top, fixture_wait_cb, NULL),
                 MILVUS_ERR_INVALID_ARGUMENT);
    cr_assert_eq(milvus_search_options_set_rrf(top, 60), MILVUS_OK);
    r = CALL(milvus_client_hybrid_search, name, legs, 2, top);
    fixture_assert_ok(r);
    cr_assert_eq(milvus_result_num_queries(r), 1);
    cr_assert_eq(milvus_result_hit_count(r, 0), 4);
    cr_assert_eq(milvus_column_get_int(milvus_result_hit_ids(r, 0), 0, &id), MILVUS_OK);
    cr_assert_eq(id, ids[11], "row 11 is first in both legs");
    cr_assert_float_eq(milvus_result_hit_scores(r, 0)[0], 2.0 / 61.0, 1e-5);
    milvus_result_unref(r);
    {
        const double w[2] = {0.7, 0.3};
        cr_assert_eq(milvus_search_options_set_weighted(top, w, 2), MILVUS_OK);
    }
    r = CALL(milvus_client_hybrid_search, name, legs, 2, top);
    fixture_assert_ok(r);
    cr_assert_eq(milvus_column_get_int(milvus_result_hit_ids(r, 0), 0, &id), MILVUS_OK);
    cr_assert_eq(id, ids[11]);
    milvus_result_unref(r);
    milvus_search_options_free(l1);
    milvus_search_options_free(l2);
    milvus_search_options_free(top);
}

static int64_t count(const char *name, const char *filter)
{
    milvus_result *r = CALL(milvus_client_count, name, filter);
    int64_t n = milvus_result_int64(r);
    fixture_assert_ok(r);
    milvus_result_unref(r);
    return n;
}

Test(data, query_get_count_upsert_delete)
{
    char name[64];
    milvus_query_options *qo = milvus_query_options_new();
    milvus_column *c;
    milvus_result *r;
    fixture_name(name, sizeof(name), "rw");
    make_collection(name, "IP", 0);
    cr_assert_eq(count(name, NULL), N);
    cr_assert_eq(count(name, "num < 10"), 10);

    /* query rows equal what was inserted */
    if (fixture_has_feature("filter_templates")) {
        cr_assert_eq(milvus_query_options_set_filter(qo, "num >= {a} and num < {b}"), MILVUS_OK);
        cr_assert_eq(milvus_query_options_set_template_int(qo, "a", 20), MILVUS_OK);
        cr_assert_eq(milvus_query_options_set_template_int(qo, "b", 25), MILVUS_OK);
    } else {
        cr_assert_eq(milvus_query_options_set_filter(qo, "num >= 20 and num < 25"), MILVUS_OK);
    }
    cr_assert_eq(milvus_query_options_add_output_field(qo, "*"), MILVUS_OK);
    r = CALL(milvus_client_query, name, qo);
    fixture_assert_ok(r);
    cr_assert_eq(milvus_result_row_count(r), 5);
    for (size_t i = 0; i < 5; i++) {
        int64_t id, num;
        const void *vd;
        size_t vb;
        cr_assert_eq(milvus_column_get_int(milvus_result_column(r, "id"), i, &id), MILVUS_OK);
        cr_assert_eq(id, ids[20 + i], "rows in key order");
        cr_assert_eq(milvus_column_get_int(milvus_result_column(r, "num"), i, &num), MILVUS_OK);
        cr_assert_eq(num, 20 + (int64_t)i);
        cr_assert_eq(milvus_column_get_vector(milvus_result_column(r, "vec"), i, &vd, &vb),
                     MILVUS_OK);
        cr_assert_eq(vb, DIM * sizeof(float));
        cr_assert(memcmp(vd, vecs[20 + i], vb) == 0, "vector round-trips bit for bit");
    }
    milvus_result_unref(r);

    /* limit + offset without a filter */
    milvus_query_options_free(qo);
    qo = milvus_query_options_new();
    cr_assert_eq(milvus_query_options_set_limit(qo, 3), MILVUS_OK);
    cr_assert_eq(milvus_query_options_set_offset(qo, 4), MILVUS_OK);
    r = CALL(milvus_client_query, name, qo);
    fixture_assert_ok(r);
    cr_assert_eq(milvus_result_row_count(r), 3);
    {
        int64_t id;
        cr_assert_eq(milvus_column_get_int(milvus_result_column(r, "id"), 0, &id), MILVUS_OK);
        cr_assert_eq(id, ids[4]);
    }
    milvus_result_unref(r);

    /* get by ids */
    {
        int64_t want[3] = {ids[7], ids[3], 999999};
        cr_assert_eq(milvus_column_new_int64(&c, "id", want, 3), MILVUS_OK);
    }
    milvus_query_options_free(qo);
    qo = milvus_query_options_new();
    cr_assert_eq(milvus_query_options_add_output_field(qo, "tag"), MILVUS_OK);
    r = CALL(milvus_client_get, name, c, qo);
    fixture_assert_ok(r);
    cr_assert_eq(milvus_result_row_count(r), 2, "the unknown id is absent");
    /* rows in no promised order: each id with its own tag */
    for (size_t i = 0; i < 2; i++) {
        const char *t;
        size_t tl;
        int64_t id;
        cr_assert_eq(milvus_column_get_int(milvus_result_column(r, "id"), i, &id), MILVUS_OK);
        cr_assert(id == ids[3] || id == ids[7], "id %lld", (long long)id);
        cr_assert_eq(milvus_column_get_string(milvus_result_column(r, "tag"), i, &t, &tl),
                     MILVUS_OK);
        cr_assert_eq(tl, 5);
        cr_assert(memcmp(t, id == ids[3] ? "tag-3" : "tag-7", 5) == 0);
    }
    milvus_result_unref(r);

    /* upsert changes a row */
    {
        int64_t uid[1] = {ids[3]};
        int32_t unum[1] = {-5};
        int64_t ugrp[1] = {1};
        const char *utag[1] = {"changed"};
        milvus_column *uc[5];
        cr_assert_eq(milvus_column_new_int64(&uc[0], "id", uid, 1), MILVUS_OK);
        cr_assert_eq(milvus_column_new_int32(&uc[1], "num", unum, 1), MILVUS_OK);
        cr_assert_eq(milvus_column_new_int64(&uc[2], "grp", ugrp, 1), MILVUS_OK);
        cr_assert_eq(milvus_column_new_varchar(&uc[3], "tag", utag, 1), MILVUS_OK);
        cr_assert_eq(milvus_column_new_float_vector(&uc[4], "vec", DIM, vecs[0], 1), MILVUS_OK);
        r = CALL(milvus_client_upsert, name, (const milvus_column *const *)uc, 5, NULL);
        fixture_assert_ok(r);
        cr_assert_eq(milvus_result_upsert_count(r), 1);
        milvus_result_unref(r);
        for (int i = 0; i < 5; i++)
            milvus_column_free(uc[i]);
    }
    cr_assert_eq(count(name, "num == -5"), 1);
    cr_assert_eq(count(name, NULL), N);

    /* delete by ids, then by expression */
    r = CALL(milvus_client_delete_ids, name, c, NULL);
    fixture_assert_ok(r);
    /* like Milvus, a `pk in [...]` delete reports every listed key */
    cr_assert_eq(milvus_result_delete_count(r), 3);
    milvus_result_unref(r);
    cr_assert_eq(count(name, NULL), N - 2);
    r = CALL(milvus_client_delete, name, "num >= 50", NULL);
    fixture_assert_ok(r);
    cr_assert_eq(milvus_result_delete_count(r), 10);
    milvus_result_unref(r);
    cr_assert_eq(count(name, NULL), N - 12);
    milvus_column_free(c);
    milvus_query_options_free(qo);
}

Test(data, partitions_scope_writes_and_reads)
{
    char name[64];
    milvus_write_options *wo = milvus_write_options_new();
    milvus_query_options *qo = milvus_query_options_new();
    milvus_column *cols[5];
    int64_t pid[2] = {1, 2};
    int32_t pn[2] = {100, 101};
    int64_t pg[2] = {0, 0};
    const char *pt[2] = {"p-a", "p-b"};
    milvus_result *r;
    fixture_name(name, sizeof(name), "pscope");
    make_collection(name, "L2", 0);
    CALL_OK(milvus_client_create_partition, name, "extra");
    CALL_OK(milvus_client_load_collection, name, NULL);
    wait_loaded(name);
    cr_assert_eq(milvus_write_options_set_partition(wo, "extra"), MILVUS_OK);
    cr_assert_eq(milvus_column_new_int64(&cols[0], "id", pid, 2), MILVUS_OK);
    cr_assert_eq(milvus_column_new_int32(&cols[1], "num", pn, 2), MILVUS_OK);
    cr_assert_eq(milvus_column_new_int64(&cols[2], "grp", pg, 2), MILVUS_OK);
    cr_assert_eq(milvus_column_new_varchar(&cols[3], "tag", pt, 2), MILVUS_OK);
    cr_assert_eq(milvus_column_new_float_vector(&cols[4], "vec", DIM, vecs[0], 2), MILVUS_OK);
    r = CALL(milvus_client_insert, name, (const milvus_column *const *)cols, 5, wo);
    fixture_assert_ok(r);
    milvus_result_unref(r);
    cr_assert_eq(milvus_query_options_set_filter(qo, "num >= 0"), MILVUS_OK);
    cr_assert_eq(milvus_query_options_add_partition(qo, "extra"), MILVUS_OK);
    r = CALL(milvus_client_query, name, qo);
    fixture_assert_ok(r);
    cr_assert_eq(milvus_result_row_count(r), 2);
    milvus_result_unref(r);
    for (int i = 0; i < 5; i++)
        milvus_column_free(cols[i]);
    milvus_write_options_free(wo);
    milvus_query_options_free(qo);
}

static milvus_result *next_batch(milvus_iterator *it)
{
    fixture_wait w = {0, 0, NULL};
    return fixture_wait_result(T.base, T.c, milvus_iterator_next(it, fixture_wait_cb, &w), &w);
}

Test(data, query_iterator_pages_in_key_order)
{
    char name[64];
    milvus_query_options *qo = milvus_query_options_new();
    milvus_iterator *it;
    int64_t seen = 0, expect = 5;
    int batches = 0;
    fixture_name(name, sizeof(name), "qiter");
    make_collection(name, "L2", 0);
    cr_assert_eq(milvus_query_options_set_filter(qo, "num >= 5"), MILVUS_OK);
    cr_assert_eq(milvus_query_options_add_output_field(qo, "num"), MILVUS_OK);
    /* a fresh client: the iterator must learn the key itself */
    milvus_client_free(T.c);
    T.c = fixture_client(T.base);
    cr_assert_eq(milvus_client_query_iterator(T.c, name, qo, 7, 0, &it), MILVUS_OK);
    milvus_query_options_free(qo); /* copied */
    while (!milvus_iterator_done(it)) {
        milvus_result *r = next_batch(it);
        const milvus_column *num, *id;
        fixture_assert_ok(r);
        num = milvus_result_column(r, "num");
        id = milvus_result_column(r, "id");
        cr_assert_leq(milvus_result_row_count(r), 7);
        for (size_t i = 0; i < milvus_result_row_count(r); i++) {
            int64_t n, k;
            cr_assert_eq(milvus_column_get_int(num, i, &n), MILVUS_OK);
            cr_assert_eq(milvus_column_get_int(id, i, &k), MILVUS_OK);
            cr_assert_eq(n, expect, "row %lld in order", (long long)seen);
            cr_assert_eq(k, ids[expect]);
            expect++;
            seen++;
        }
        milvus_result_unref(r);
        cr_assert_lt(++batches, 20, "terminates");
    }
    cr_assert_eq(seen, N - 5);
    {
        milvus_result *r = next_batch(it);
        fixture_assert_ok(r);
        cr_assert_eq(milvus_result_row_count(r), 0, "exhausted: empty batch");
        milvus_result_unref(r);
    }
    milvus_iterator_free(it);

    /* an overall limit */
    cr_assert_eq(milvus_client_query_iterator(T.c, name, NULL, 8, 20, &it), MILVUS_OK);
    seen = 0;
    while (!milvus_iterator_done(it)) {
        milvus_result *r = next_batch(it);
        fixture_assert_ok(r);
        seen += (int64_t)milvus_result_row_count(r);
        milvus_result_unref(r);
    }
    cr_assert_eq(seen, 20);
    milvus_iterator_free(it);
    cr_assert_eq(milvus_client_query_iterator(T.c, name, NULL, 0, 0, &it),
                 MILVUS_ERR_INVALID_ARGUMENT);
}

Test(data, search_iterator_walks_all_hits_in_score_order)
{
    char name[64];
    milvus_search_options *o = milvus_search_options_new();
    milvus_column *v;
    milvus_iterator *it;
    int want[N];
    double wsc[N];
    size_t seen = 0;
    int batches = 0;
    fixture_require_feature("search_iterator_v2");
    fixture_name(name, sizeof(name), "siter");
    make_collection(name, "IP", 0);
    v = query_vectors(1, vecs[0]);
    cr_assert_eq(milvus_search_options_set_vectors(o, v), MILVUS_OK);
    milvus_column_free(v);
    cr_assert_eq(brute("IP", vecs[0], INT32_MIN, 0, N, want, wsc), N);
    cr_assert_eq(milvus_client_search_iterator(T.c, name, o, 9, 0, &it), MILVUS_OK);
    while (!milvus_iterator_done(it)) {
        milvus_result *r = next_batch(it);
        size_t n;
        fixture_assert_ok(r);
        n = milvus_result_hit_count(r, 0);
        cr_assert_leq(n, 9);
        for (size_t i = 0; i < n; i++, seen++) {
            int64_t id;
            cr_assert_lt(seen, N);
            cr_assert_eq(milvus_column_get_int(milvus_result_hit_ids(r, 0), i, &id), MILVUS_OK);
            cr_assert_eq(id, ids[want[seen]], "hit %zu", seen);
        }
        milvus_result_unref(r);
        cr_assert_lt(++batches, 20);
    }
    cr_assert_eq(seen, N, "every row once");
    milvus_iterator_free(it);

    /* limit, and freeing with a next() pending */
    cr_assert_eq(milvus_client_search_iterator(T.c, name, o, 4, 6, &it), MILVUS_OK);
    {
        milvus_result *r = next_batch(it);
        fixture_assert_ok(r);
        cr_assert_eq(milvus_result_hit_count(r, 0), 4);
        milvus_result_unref(r);
        r = next_batch(it);
        cr_assert_eq(milvus_result_hit_count(r, 0), 2, "the limit cuts the batch");
        milvus_result_unref(r);
        cr_assert(milvus_iterator_done(it));
    }
    milvus_iterator_free(it);
    cr_assert_eq(milvus_client_search_iterator(T.c, name, o, 4, 0, &it), MILVUS_OK);
    {
        fixture_wait w = {0, 0, NULL};
        milvus_result *r;
        cr_assert_eq(milvus_iterator_next(it, fixture_wait_cb, &w), MILVUS_OK);
        cr_assert_eq(milvus_iterator_next(it, fixture_wait_cb, &w), MILVUS_ERR_BUSY);
        milvus_iterator_free(it);
        r = fixture_wait_result(T.base, T.c, MILVUS_OK, &w);
        cr_assert_eq(milvus_result_status(r), MILVUS_ERR_CANCELLED, "%s", milvus_result_message(r));
        milvus_result_unref(r);
    }
    milvus_search_options_free(o);
}
