/* SPDX-License-Identifier: Apache-2.0 */
/* Unit tests of the typed API that need no server: schema builder,
 * columns, validation and argument errors of the operations. */
#include <criterion/criterion.h>
#include <event2/event.h>
#include <string.h>

#include <milvus/milvus.h>

Test(schema, builds_and_validates)
{
    milvus_schema *s;
    milvus_field *id, *vec, *tags;
    char err[256];
    cr_assert_eq(milvus_schema_new(&s, "docs"), MILVUS_OK);
    cr_assert_eq(milvus_field_new(&id, "id", MILVUS_TYPE_INT64), MILVUS_OK);
    cr_assert_eq(milvus_field_set_primary_key(id, 1), MILVUS_OK);
    cr_assert_eq(milvus_field_new(&vec, "vec", MILVUS_TYPE_FLOAT_VECTOR), MILVUS_OK);
    /* a vector field without dimension is refused */
    cr_assert_eq(milvus_schema_add_field(s, vec), MILVUS_ERR_INVALID_ARGUMENT);
    cr_assert_eq(milvus_field_set_dim(vec, 0), MILVUS_ERR_INVALID_ARGUMENT);
    cr_assert_eq(milvus_field_set_dim(vec, 8), MILVUS_OK);
    cr_assert_eq(milvus_schema_validate(s, err, sizeof(err)), MILVUS_ERR_INVALID_ARGUMENT);
    cr_assert_eq(milvus_schema_add_field(s, id), MILVUS_OK);
    cr_assert_eq(milvus_schema_add_field(s, id), MILVUS_ERR_INVALID_ARGUMENT, "duplicate");
    cr_assert_eq(milvus_schema_add_field(s, vec), MILVUS_OK);
    cr_assert_eq(milvus_field_new(&tags, "tags", MILVUS_TYPE_ARRAY), MILVUS_OK);
    cr_assert_eq(milvus_field_set_element_type(tags, MILVUS_TYPE_INT64), MILVUS_OK);
    cr_assert_eq(milvus_schema_add_field(s, tags), MILVUS_OK);
    cr_assert_eq(milvus_schema_validate(s, err, sizeof(err)), MILVUS_ERR_INVALID_ARGUMENT);
    cr_assert(strstr(err, "tags"), "message names the field: %s", err);
    cr_assert_eq(milvus_schema_field_count(s), 3);
    cr_assert_eq(milvus_field_dim(milvus_schema_field(s, "vec")), 8);
    cr_assert_str_eq(milvus_field_name(milvus_schema_primary_field(s)), "id");
    milvus_field_free(id);
    milvus_field_free(vec);
    milvus_field_free(tags);
    milvus_schema_free(s);
}

Test(schema, rejects_bad_names_and_types)
{
    milvus_field *f;
    char longname[300];
    memset(longname, 'a', sizeof(longname) - 1);
    longname[sizeof(longname) - 1] = '\0';
    cr_assert_eq(milvus_field_new(&f, "", MILVUS_TYPE_INT64), MILVUS_ERR_INVALID_ARGUMENT);
    cr_assert_eq(milvus_field_new(&f, longname, MILVUS_TYPE_INT64), MILVUS_ERR_INVALID_ARGUMENT);
    cr_assert_eq(milvus_field_new(&f, "bad\xff", MILVUS_TYPE_INT64), MILVUS_ERR_INVALID_ARGUMENT);
    cr_assert_eq(milvus_field_new(&f, "x", (milvus_data_type)77), MILVUS_ERR_INVALID_ARGUMENT);
    cr_assert_eq(milvus_field_new(NULL, "x", MILVUS_TYPE_INT64), MILVUS_ERR_INVALID_ARGUMENT);
    cr_assert_eq(milvus_field_new(&f, "x", MILVUS_TYPE_INT8), MILVUS_OK);
    cr_assert_eq(milvus_field_set_default_int(f, 300), MILVUS_ERR_INVALID_ARGUMENT);
    cr_assert_eq(milvus_field_set_default_int(f, 100), MILVUS_OK);
    cr_assert_eq(milvus_field_set_default_string(f, "x"), MILVUS_ERR_INVALID_ARGUMENT);
    cr_assert_eq(milvus_field_set_primary_key(f, 1), MILVUS_ERR_INVALID_ARGUMENT);
    cr_assert(milvus_field_has_default(f));
    milvus_field_free(f);
}

Test(column, scalars_round_trip)
{
    milvus_column *c;
    int64_t iv[3] = {1, -2, 3}, got;
    int16_t sv[2] = {-300, 300};
    const char *strs[2] = {"héllo", "x"};
    const char *s;
    size_t len;
    double d;
    cr_assert_eq(milvus_column_new_int64(&c, "a", iv, 3), MILVUS_OK);
    cr_assert_eq(milvus_column_rows(c), 3);
    cr_assert_eq(milvus_column_get_int(c, 1, &got), MILVUS_OK);
    cr_assert_eq(got, -2);
    cr_assert_eq(milvus_column_get_int(c, 3, &got), MILVUS_ERR_INVALID_ARGUMENT);
    cr_assert_eq(milvus_column_get_double(c, 0, &d), MILVUS_ERR_INVALID_ARGUMENT);
    milvus_column_free(c);
    cr_assert_eq(milvus_column_new_int16(&c, "s", sv, 2), MILVUS_OK);
    cr_assert_eq(milvus_column_get_int(c, 0, &got), MILVUS_OK);
    cr_assert_eq(got, -300);
    milvus_column_free(c);
    cr_assert_eq(milvus_column_new_varchar(&c, "v", strs, 2), MILVUS_OK);
    cr_assert_eq(milvus_column_get_string(c, 0, &s, &len), MILVUS_OK);
    cr_assert_eq(len, strlen("héllo"));
    cr_assert(memcmp(s, "héllo", len) == 0);
    milvus_column_free(c);
    strs[1] = "\xc3\x28";
    cr_assert_eq(milvus_column_new_varchar(&c, "v", strs, 2), MILVUS_ERR_INVALID_ARGUMENT);
}

Test(column, nullable_compact)
{
    milvus_column *c;
    int32_t v[2] = {7, 9};
    uint8_t valid[4] = {0, 1, 0, 1};
    int64_t got;
    cr_assert_eq(milvus_column_new_int32(&c, "n", v, 2), MILVUS_OK);
    cr_assert_eq(milvus_column_set_valid(c, valid, 3), MILVUS_ERR_INVALID_ARGUMENT,
                 "count of valid rows must match the values");
    cr_assert_eq(milvus_column_set_valid(c, valid, 4), MILVUS_OK);
    cr_assert_eq(milvus_column_rows(c), 4);
    cr_assert(milvus_column_is_null(c, 0));
    cr_assert(!milvus_column_is_null(c, 1));
    cr_assert_eq(milvus_column_get_int(c, 0, &got), MILVUS_ERR_INVALID_ARGUMENT);
    cr_assert_eq(milvus_column_get_int(c, 3, &got), MILVUS_OK);
    cr_assert_eq(got, 9);
    milvus_column_free(c);
}

Test(column, vectors)
{
    milvus_column *c;
    float fv[6] = {1, 2, 3, 4, 5, 6};
    uint8_t bv[2] = {0xaa, 0x55};
    uint64_t off[3] = {0, 2, 3};
    uint32_t idx[3] = {1, 7, 3};
    float val[3] = {0.5f, 1.5f, 2.5f};
    const void *p;
    size_t n, nnz;
    uint32_t i;
    float f;
    cr_assert_eq(milvus_column_new_float_vector(&c, "v", 3, fv, 2), MILVUS_OK);
    cr_assert_eq(milvus_column_dim(c), 3);
    cr_assert_eq(milvus_column_get_vector(c, 1, &p, &n), MILVUS_OK);
    cr_assert_eq(n, 12);
    cr_assert_eq(((const float *)p)[0], 4.0f);
    milvus_column_free(c);
    cr_assert_eq(milvus_column_new_binary_vector(&c, "b", 12, bv, 1), MILVUS_ERR_INVALID_ARGUMENT);
    cr_assert_eq(milvus_column_new_binary_vector(&c, "b", 8, bv, 2), MILVUS_OK);
    cr_assert_eq(milvus_column_get_vector(c, 1, &p, &n), MILVUS_OK);
    cr_assert_eq(*(const uint8_t *)p, 0x55);
    milvus_column_free(c);
    cr_assert_eq(milvus_column_new_sparse_vector(&c, "s", 2, off, idx, val), MILVUS_OK);
    cr_assert_eq(milvus_column_get_sparse(c, 0, &nnz), MILVUS_OK);
    cr_assert_eq(nnz, 2);
    cr_assert_eq(milvus_column_get_sparse_at(c, 0, 1, &i, &f), MILVUS_OK);
    cr_assert_eq(i, 7);
    cr_assert_eq(f, 1.5f);
    milvus_column_free(c);
    idx[1] = 0; /* unsorted */
    cr_assert_eq(milvus_column_new_sparse_vector(&c, "s", 2, off, idx, val),
                 MILVUS_ERR_INVALID_ARGUMENT);
}

Test(column, wrap_and_arrays)
{
    milvus_column *c;
    float fv[4] = {1, 2, 3, 4};
    int64_t el[5] = {1, 2, 3, 4, 5}, got;
    uint64_t off[3] = {0, 2, 5};
    const char *js[1] = {"{\"a\":1}"};
    size_t len;
    const void *p;
    cr_assert_eq(milvus_column_wrap(&c, "v", MILVUS_TYPE_FLOAT_VECTOR, 2, fv, 2), MILVUS_OK);
    cr_assert_eq(milvus_column_get_vector(c, 0, &p, &len), MILVUS_OK);
    cr_assert_eq(p, (const void *)fv, "zero-copy points at the caller's buffer");
    milvus_column_free(c);
    cr_assert_eq(milvus_column_new_array(&c, "a", MILVUS_TYPE_INT64, 2, off, el), MILVUS_OK);
    cr_assert_eq(milvus_column_array_length(c, 1, &len), MILVUS_OK);
    cr_assert_eq(len, 3);
    cr_assert_eq(milvus_column_array_get_int(c, 1, 2, &got), MILVUS_OK);
    cr_assert_eq(got, 5);
    milvus_column_free(c);
    cr_assert_eq(milvus_column_new_json(&c, "j", js, 1), MILVUS_OK);
    cr_assert_eq(milvus_column_set_dynamic(c, 1), MILVUS_OK);
    cr_assert(milvus_column_is_dynamic(c));
    milvus_column_free(c);
}

static void never(milvus_client *c, const milvus_result *r, void *ctx)
{
    (void)c;
    (void)r;
    (void)ctx;
    cr_assert_fail("callback must not run for a rejected call");
}

Test(client, bad_input_rejected_before_sending)
{
    struct event_base *base = event_base_new();
    milvus_options *o = milvus_options_new();
    milvus_client *c;
    milvus_column *a, *b, *v;
    int64_t iv[3] = {1, 2, 3};
    float fv[4] = {0};
    cr_assert_eq(milvus_options_set_uri(o, "http://127.0.0.1:1"), MILVUS_OK);
    cr_assert_eq(milvus_client_new(&c, base, o), MILVUS_OK);
    cr_assert_eq(milvus_client_drop_collection(c, "", never, NULL), MILVUS_ERR_INVALID_ARGUMENT);
    cr_assert(strstr(milvus_client_last_error(c), "empty"));
    cr_assert_eq(milvus_client_drop_collection(c, "x", NULL, NULL), MILVUS_ERR_INVALID_ARGUMENT);
    cr_assert_eq(milvus_client_drop_collection(NULL, "x", never, NULL),
                 MILVUS_ERR_INVALID_ARGUMENT);
    cr_assert_eq(milvus_column_new_int64(&a, "id", iv, 3), MILVUS_OK);
    cr_assert_eq(milvus_column_new_float_vector(&v, "vec", 2, fv, 2), MILVUS_OK);
    const milvus_column *cols[2] = {a, v};
    cr_assert_eq(milvus_client_insert(c, "docs", cols, 2, NULL, never, NULL),
                 MILVUS_ERR_INVALID_ARGUMENT);
    cr_assert(strstr(milvus_client_last_error(c), "'vec'"), "%s", milvus_client_last_error(c));
    cr_assert_eq(milvus_column_new_int64(&b, "id", iv, 2), MILVUS_OK);
    const milvus_column *dup[2] = {b, b};
    cr_assert_eq(milvus_client_insert(c, "docs", dup, 2, NULL, never, NULL),
                 MILVUS_ERR_INVALID_ARGUMENT);
    cr_assert_eq(milvus_client_pending(c), 0);
    cr_assert_eq(event_base_loop(base, EVLOOP_NONBLOCK), 1, "nothing scheduled");
    milvus_column_free(a);
    milvus_column_free(b);
    milvus_column_free(v);
    milvus_client_free(c);
    milvus_options_free(o);
    event_base_free(base);
}
