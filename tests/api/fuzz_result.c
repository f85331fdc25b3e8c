/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Fuzz target: the typed API's result decoding.
 *
 * Input: one selector byte, then a serialized response message:
 *   0  SearchResults          -> mv_result_fill_search (as search_step)
 *   1  QueryResults           -> mv_result_fill_columns (as query_step)
 *   2  QueryResults           -> the count(*) read-out (as count_step)
 *   3  MutationResult         -> counts + mv_result_fill_ids (as mutation_step)
 *   4  DescribeIndexResponse  -> res->idx (as the describe_index step)
 *   5  DescribeCollectionResponse -> mv_schema_wrap (as describe_step)
 * The response's common.Status, when present, also goes through
 * mv_result_set_error() so the message formatting sees hostile strings.
 *
 * Then EVERY accessor of <milvus/result.h> and <milvus/column.h> (and the
 * schema getters for mode 5) runs on the outcome with in-range and
 * out-of-range indices, and every byte a getter hands out is read, so that
 * ASan sees an out-of-bounds view.  Nothing may crash, leak or hang.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "api/api.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Everything read goes here, so the reads cannot be optimized away. */
static volatile uint64_t sink;

static void touch(const void *p, size_t n)
{
    const unsigned char *b = p;
    uint64_t h = 0;
    if (!p)
        return;
    for (size_t i = 0; i < n; i++)
        h = h * 131 + b[i];
    sink += h;
}

static void touch_str(const char *s)
{
    if (s)
        touch(s, strlen(s) + 1);
}

/* Row and element indices to try: the first few, the last, just past the
 * end, and absurd ones. */
static size_t pick(size_t n, int k)
{
    switch (k) {
    case 0: return 0;
    case 1: return 1;
    case 2: return n ? n - 1 : 0;
    case 3: return n;
    case 4: return n + 1;
    case 5: return SIZE_MAX;
    default: return SIZE_MAX / 2;
    }
}
#define NPICK 7

static void elements(const milvus_column *c, size_t row)
{
    size_t len = 0, nnz = 0;
    /* len and nnz stay 0 when the row has none: indices are tried anyway. */
    (void)milvus_column_array_length(c, row, &len);
    {
        for (int k = 0; k < NPICK; k++) {
            size_t e = pick(len, k);
            int64_t i64;
            double d;
            int b;
            const char *s = NULL;
            size_t slen = 0;
            if (milvus_column_array_get_int(c, row, e, &i64) == MILVUS_OK)
                sink += (uint64_t)i64;
            if (milvus_column_array_get_double(c, row, e, &d) == MILVUS_OK)
                touch(&d, sizeof(d));
            if (milvus_column_array_get_bool(c, row, e, &b) == MILVUS_OK)
                sink += (uint64_t)b;
            if (milvus_column_array_get_string(c, row, e, &s, &slen) == MILVUS_OK)
                touch(s, slen);
        }
    }
    (void)milvus_column_get_sparse(c, row, &nnz);
    {
        for (int k = 0; k < NPICK; k++) {
            uint32_t idx;
            float v;
            if (milvus_column_get_sparse_at(c, row, pick(nnz, k), &idx, &v) == MILVUS_OK)
                sink += idx + (uint64_t)(v != v);
        }
    }
}

static void one_row(const milvus_column *c, size_t row)
{
    int b;
    int64_t i64;
    float f;
    double d;
    const char *s = NULL;
    size_t len = 0;
    const void *vec = NULL;
    sink += (uint64_t)milvus_column_is_null(c, row);
    if (milvus_column_get_bool(c, row, &b) == MILVUS_OK)
        sink += (uint64_t)b;
    if (milvus_column_get_int(c, row, &i64) == MILVUS_OK)
        sink += (uint64_t)i64;
    if (milvus_column_get_float(c, row, &f) == MILVUS_OK)
        touch(&f, sizeof(f));
    if (milvus_column_get_double(c, row, &d) == MILVUS_OK)
        touch(&d, sizeof(d));
    if (milvus_column_get_string(c, row, &s, &len) == MILVUS_OK)
        touch(s, len);
    if (milvus_column_get_vector(c, row, &vec, &len) == MILVUS_OK)
        touch(vec, len);
    elements(c, row);
}

static void column(const milvus_column *c)
{
    size_t rows;
    touch_str(milvus_column_name(c));
    sink += (uint64_t)milvus_column_type(c) + (uint64_t)milvus_column_element_type(c);
    sink += (uint64_t)milvus_column_dim(c) + (uint64_t)milvus_column_is_dynamic(c);
    rows = milvus_column_rows(c);
    /* Every row of small columns; the edges of big ones. */
    for (size_t r = 0; r < rows && r < 64; r++)
        one_row(c, r);
    for (int k = 2; k < NPICK; k++)
        one_row(c, pick(rows, k));
}

static void field(const milvus_field *f)
{
    touch_str(milvus_field_name(f));
    touch_str(milvus_field_description(f));
    touch_str(milvus_field_type_param(f, "dim"));
    touch_str(milvus_field_type_param(f, "max_length"));
    touch_str(milvus_data_type_name(milvus_field_type(f)));
    sink += (uint64_t)milvus_field_type(f) + (uint64_t)milvus_field_element_type(f) +
            (uint64_t)milvus_field_id(f) + (uint64_t)milvus_field_dim(f) +
            (uint64_t)milvus_field_max_length(f) + (uint64_t)milvus_field_max_capacity(f) +
            (uint64_t)milvus_field_is_primary_key(f) + (uint64_t)milvus_field_is_auto_id(f) +
            (uint64_t)milvus_field_is_nullable(f) + (uint64_t)milvus_field_is_partition_key(f) +
            (uint64_t)milvus_field_is_clustering_key(f) + (uint64_t)milvus_field_is_dynamic(f) +
            (uint64_t)milvus_field_has_default(f);
}

static void schema(const milvus_schema *s)
{
    char err[256];
    size_t n = milvus_schema_field_count(s);
    touch_str(milvus_schema_name(s));
    touch_str(milvus_schema_description(s));
    sink += (uint64_t)milvus_schema_dynamic_field(s);
    for (size_t i = 0; i < n && i < 64; i++) {
        const milvus_field *f = milvus_schema_field_at(s, i);
        field(f);
        if (f && milvus_schema_field(s, milvus_field_name(f)) == NULL)
            abort(); /* a field listed must be found by its name */
    }
    for (int k = 3; k < NPICK; k++)
        if (milvus_schema_field_at(s, pick(n, k)) != NULL)
            abort();
    if (milvus_schema_primary_field(s))
        field(milvus_schema_primary_field(s));
    sink += (uint64_t)milvus_schema_field(s, "no such field") +
            (uint64_t)milvus_schema_validate(s, err, sizeof(err));
    if (milvus_schema_validate(s, err, sizeof(err)) != MILVUS_OK)
        touch_str(err);
}

static void result(const milvus_result *r)
{
    size_t nq, ncols, n;
    int64_t v;
    touch_str(milvus_result_message(r));
    touch_str(milvus_result_operation(r));
    touch_str(milvus_result_collection(r));
    touch_str(milvus_result_grpc_message(r));
    touch_str(milvus_result_reason(r));
    touch_str(milvus_result_detail(r));
    touch_str(milvus_result_string(r));
    sink += (uint64_t)milvus_result_status(r) + (uint64_t)milvus_result_grpc_code(r) +
            (uint64_t)milvus_result_server_code(r) + (uint64_t)milvus_result_legacy_code(r) +
            (uint64_t)milvus_result_retriable(r) + (uint64_t)milvus_result_attempts(r) +
            (uint64_t)milvus_result_bool(r) + (uint64_t)milvus_result_int64(r) +
            milvus_result_timestamp(r) + (uint64_t)milvus_result_insert_count(r) +
            (uint64_t)milvus_result_upsert_count(r) + (uint64_t)milvus_result_delete_count(r);

    n = milvus_result_string_count(r);
    for (int k = 0; k < NPICK; k++)
        touch_str(milvus_result_string_at(r, pick(n, k)));
    n = milvus_result_property_count(r);
    for (int k = 0; k < NPICK; k++) {
        touch_str(milvus_result_property_key(r, pick(n, k)));
        touch_str(milvus_result_property_value(r, pick(n, k)));
    }
    touch_str(milvus_result_property(r, "row_count"));
    if (milvus_result_schema(r))
        schema(milvus_result_schema(r));

    n = milvus_result_index_count(r);
    for (size_t i = 0; i < n && i < 16; i++) {
        touch_str(milvus_result_index_name(r, i));
        touch_str(milvus_result_index_field(r, i));
        touch_str(milvus_result_index_fail_reason(r, i));
        touch_str(milvus_result_index_param(r, i, "index_type"));
        touch_str(milvus_result_index_param(r, i, "metric_type"));
    }
    for (int k = 0; k < NPICK; k++) {
        size_t i = pick(n, k);
        touch_str(milvus_result_index_name(r, i));
        touch_str(milvus_result_index_field(r, i));
        touch_str(milvus_result_index_fail_reason(r, i));
        touch_str(milvus_result_index_param(r, i, "index_type"));
        sink += (uint64_t)milvus_result_index_state(r, i) +
                (uint64_t)milvus_result_index_total_rows(r, i) +
                (uint64_t)milvus_result_index_indexed_rows(r, i) +
                (uint64_t)milvus_result_index_pending_rows(r, i);
    }

    if (milvus_result_ids(r))
        column(milvus_result_ids(r));

    nq = milvus_result_num_queries(r);
    ncols = milvus_result_hit_column_count(r);
    for (size_t q = 0; q < nq + 2 && q < 32; q++) {
        size_t hits = milvus_result_hit_count(r, q);
        const float *scores = milvus_result_hit_scores(r, q);
        const milvus_column *ids = milvus_result_hit_ids(r, q);
        if (q >= nq && (hits || scores || ids))
            abort(); /* out of range must give nothing */
        if (scores)
            touch(scores, hits * sizeof(*scores));
        if (ids) {
            if (milvus_column_rows(ids) != hits)
                abort(); /* the ids view has one row per hit */
            column(ids);
        }
        for (size_t i = 0; i < ncols + 1 && i < 16; i++) {
            const milvus_column *c = milvus_result_hit_column_at(r, q, i);
            if (c) {
                column(c);
                if (milvus_result_hit_column(r, q, milvus_column_name(c)) == NULL)
                    abort();
            }
        }
        sink += (uint64_t)milvus_result_hit_column(r, q, "no such field");
    }
    sink += (uint64_t)milvus_result_hit_count(r, SIZE_MAX) +
            (uint64_t)milvus_result_hit_column_at(r, 0, SIZE_MAX);

    ncols = milvus_result_column_count(r);
    for (size_t i = 0; i < ncols + 1 && i < 16; i++) {
        const milvus_column *c = milvus_result_column_at(r, i);
        if (c) {
            column(c);
            if (milvus_result_column(r, milvus_column_name(c)) == NULL)
                abort();
        }
    }
    for (int k = 3; k < NPICK; k++)
        if (milvus_result_column_at(r, pick(ncols, k)) != NULL)
            abort();
    sink += (uint64_t)milvus_result_row_count(r) + (uint64_t)milvus_result_column(r, "none");
    v = milvus_result_int64(r);
    sink += (uint64_t)v;
}

/* The response's status, as reply_cb checks it. */
static void status_of(milvus_result *r, const mv_pbstatus *st)
{
    if (st && (st->code != 0 || st->error_code != 0))
        mv_result_set_error(r, MILVUS_ERR_SERVER, MILVUS_GRPC_OK, "", st);
}

static const ProtobufCMessageDescriptor *const descs[] = {
    &milvus__proto__milvus__search_results__descriptor,
    &milvus__proto__milvus__query_results__descriptor,
    &milvus__proto__milvus__query_results__descriptor,
    &milvus__proto__milvus__mutation_result__descriptor,
    &milvus__proto__milvus__describe_index_response__descriptor,
    &milvus__proto__milvus__describe_collection_response__descriptor,
};
#define NMODES (sizeof(descs) / sizeof(descs[0]))

static void decode(milvus_result *r, unsigned mode)
{
    switch (mode) {
    case 0: {
        Milvus__Proto__Milvus__SearchResults *m = (void *)r->msg;
        Milvus__Proto__Schema__SearchResultData empty =
            MILVUS__PROTO__SCHEMA__SEARCH_RESULT_DATA__INIT;
        status_of(r, m->status);
        if (mv_result_fill_search(r, m->results ? m->results : &empty) != MILVUS_OK)
            mv_result_set_local(r, MILVUS_ERR_NOMEM, "out of memory");
        break;
    }
    case 1: {
        Milvus__Proto__Milvus__QueryResults *m = (void *)r->msg;
        status_of(r, m->status);
        if (mv_result_fill_columns(r, m->fields_data, m->n_fields_data) != MILVUS_OK)
            mv_result_set_local(r, MILVUS_ERR_NOMEM, "out of memory");
        break;
    }
    case 2: {
        Milvus__Proto__Milvus__QueryResults *m = (void *)r->msg;
        status_of(r, m->status);
        if (m->n_fields_data > 0) {
            milvus_column *v = mv_column_view(m->fields_data[0], 0, mv_fd_rows(m->fields_data[0]));
            if (!v || milvus_column_get_int(v, 0, &r->i64) != MILVUS_OK)
                mv_result_set_local(r, MILVUS_ERR_PROTOCOL, "count(*) answer has no count");
            if (v)
                column(v);
            milvus_column_free(v);
        }
        break;
    }
    case 3: {
        Milvus__Proto__Milvus__MutationResult *m = (void *)r->msg;
        status_of(r, m->status);
        r->insert_cnt = m->insert_cnt;
        r->upsert_cnt = m->upsert_cnt;
        r->delete_cnt = m->delete_cnt;
        r->ts = m->timestamp;
        if (mv_result_fill_ids(r, m->ids) != MILVUS_OK)
            mv_result_set_local(r, MILVUS_ERR_NOMEM, "out of memory");
        break;
    }
    case 4: {
        Milvus__Proto__Milvus__DescribeIndexResponse *m = (void *)r->msg;
        status_of(r, m->status);
        r->idx = m;
        for (size_t i = 0; i < m->n_index_descriptions; i++)
            if (mv_str_add(&r->strs, m->index_descriptions[i]->index_name))
                break;
        break;
    }
    default: {
        Milvus__Proto__Milvus__DescribeCollectionResponse *m = (void *)r->msg;
        status_of(r, m->status);
        r->i64 = m->collectionid;
        if (m->schema)
            r->schema = mv_schema_wrap(m->schema, 1);
        break;
    }
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    milvus_result *r;
    unsigned mode;
    if (size < 1)
        return 0;
    mode = data[0] % NMODES;
    r = mv_result_new(mode == 0 ? "search" : "query", "fuzz");
    if (!r)
        return 0;
    r->msg = protobuf_c_message_unpack(descs[mode], NULL, size - 1, data + 1);
    if (r->msg)
        decode(r, mode);
    else
        mv_result_set_local(r, MILVUS_ERR_PROTOCOL, "malformed response message");
    result(r);
    /* A kept reference outlives nothing here, but must balance. */
    milvus_result_unref(milvus_result_ref(r));
    milvus_result_unref(r);
    return 0;
}
