/* SPDX-License-Identifier: Apache-2.0 */
/*
 * roundtrip — every data type through a real Milvus server, written and
 * read with libmilvus (the other side is tests/roundtrip/roundtrip.py, the
 * same dataset with pymilvus; tests/roundtrip/roundtrip.sh runs both).
 *
 *   roundtrip [--uri URI] [--token T] --kind K write GROUP COLLECTION
 *   roundtrip [--uri URI] [--token T] --kind K dump GROUP COLLECTION
 *   roundtrip --kind K expect GROUP
 *   roundtrip [--uri URI] [--token T] drop COLLECTION
 *   roundtrip --kind K groups
 *
 * K is standalone (Milvus 2.3), lite (Milvus Lite 3.2) or test-server (the
 * project's Node server); --uri, --token and --kind default to
 * $MILVUS_URI, $MILVUS_TOKEN and $MILVUS_SERVER_KIND.
 *
 * write   (re)creates COLLECTION for GROUP (Strong consistency, an index
 *         with an explicit metric on the vector field, loaded), inserts
 *         the fixed dataset of GROUP and waits until loaded.
 * dump    queries every row (filter on the primary key, output "*") and
 *         prints the canonical lines below, rows ordered by primary key.
 * expect  prints the canonical lines of the dataset (no server).
 *
 * Canonical form: a first line {"#types":{FIELD:TYPE,...}}, then one JSON
 * object per row, fields in table order ("$meta", the dynamic field, last;
 * columns the table does not know after it).  Bool: true/false; Int8..32:
 * numbers; Int64 and Timestamptz (microseconds): strings; Float: "%.9g" of
 * the float32; Double: "%.17g"; VarChar, Geometry: JSON strings; JSON
 * fields and $meta: the raw JSON text as a JSON string (compare.py
 * canonicalises it); arrays: JSON arrays of those; float vectors: arrays
 * of "%.9g"; binary, float16, bfloat16, int8 vectors: lowercase hex of the
 * raw bytes; sparse vectors: {"index":value} in index order; NULL: null.
 */
#include <milvus/milvus.h>
#include <milvus/sync.h>

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NROWS 5

/* ---- server kinds ------------------------------------------------------ */

enum { K_STANDALONE = 1, K_LITE = 2, K_TEST = 4, K_ALL = 7 };

static const struct {
    const char *name;
    unsigned bit;
} kinds[] = {{"standalone", K_STANDALONE}, {"lite", K_LITE}, {"test-server", K_TEST}};

/* ---- the dataset ------------------------------------------------------- */

enum { F_PK = 1, F_NULLABLE = 2, F_DEFAULT = 4, F_OMIT = 8 };

typedef struct fdef {
    const char *name;
    milvus_data_type type;
    milvus_data_type elem; /* arrays */
    int64_t dim;           /* dense vectors */
    int64_t max_len;       /* VarChar, VarChar arrays */
    int64_t max_cap;       /* arrays */
    unsigned flags;        /* F_* */
    const void *vals;      /* NROWS values (arrays/sparse: all elements) */
    const uint64_t *off;   /* arrays and sparse vectors: NROWS + 1 offsets */
    const uint32_t *idx;   /* sparse vectors: indices */
    const uint8_t *valid;  /* NULL = every row has a value */
    int64_t def_i;         /* default of Bool, Int* */
    double def_d;          /* default of Float, Double */
    const char *def_s;     /* default of VarChar */
} fdef;

typedef struct gdef {
    const char *name;
    unsigned kinds;
    const fdef *fields;
    size_t nfields;
    const char *const *dynamic; /* NROWS JSON objects, NULL = no dynamic field */
    const char *filter;         /* selects every row */
} gdef;

/* masks of NULL rows (0 = NULL) */
static const uint8_t mask_a[NROWS] = {1, 0, 1, 0, 1};
static const uint8_t mask_b[NROWS] = {0, 1, 0, 1, 0};
static const uint8_t mask_c[NROWS] = {1, 1, 0, 1, 1};
static const uint8_t mask_none[NROWS] = {0, 0, 0, 0, 0};

/* -- group "scalars": every scalar type, arrays of each element type, the
 *    dynamic field, a float vector -- */
static const int64_t sc_id[NROWS] = {-5, 0, 1, 42, 9007199254740993LL};
static const uint8_t sc_b[NROWS] = {1, 0, 1, 0, 1};
static const int8_t sc_i8[NROWS] = {-128, 127, 0, -1, 1};
static const int16_t sc_i16[NROWS] = {-32768, 32767, 0, -1, 256};
static const int32_t sc_i32[NROWS] = {INT32_MIN, INT32_MAX, 0, -1, 65536};
static const int64_t sc_i64[NROWS] = {INT64_MIN, INT64_MAX, 0, -1, 9007199254740993LL};
static const float sc_f[NROWS] = {-0.0f, 1e-45f, 3.40282347e38f, -1.17549435e-38f, 0.1f};
static const double sc_d[NROWS] = {-0.0, 4.9406564584124654e-324, 1.7976931348623157e308,
                                   -2.2250738585072014e-308, 0.1};
static const char *const sc_s[NROWS] = {
    "", "héllo wörld ✓ 日本語 🎉", "quote\" backslash\\ tab\t nl\n cr\r", "\x01\x1f\x7f", "plain"};
static const char *const sc_j[NROWS] = {
    "{}", "{\"a\":1,\"big\":9007199254740991,\"b\":[true,false,null],\"c\":{\"d\":{\"e\":\"ü\"}}}",
    "{\"arr\":[1,2.5,-3e+300,\"x\",[],{}]}", "{\"s\":[\"just a string\",\"\\u00fc\\n\"]}",
    "{\"\":\"empty key\",\"f\":-1.5e-07,\"g\":-0.5,\"h\":1.5e+300}"};
static const uint64_t sc_off[NROWS + 1] = {0, 0, 2, 3, 6, 7}; /* 0, 2, 1, 3, 1 elements */
static const uint8_t sc_ab[7] = {1, 1, 0, 0, 1, 0, 0};
static const int8_t sc_ai8[7] = {-128, 127, 0, 1, 2, 3, -1};
static const int16_t sc_ai16[7] = {-32768, 32767, 0, 1, 2, 3, -1};
static const int32_t sc_ai32[7] = {INT32_MIN, INT32_MAX, 0, 1, 2, 3, -1};
static const int64_t sc_ai64[7] = {INT64_MIN, INT64_MAX, 0, 1, 2, 9007199254740993LL, -1};
static const float sc_af[7] = {-0.0f, 1e-45f, 3.40282347e38f, 0.1f, -2.5f, 1e10f, 1.0f};
static const double sc_ad[7] = {
    -0.0, 4.9406564584124654e-324, 1.7976931348623157e308, 0.1, -2.5, 1e300, 1.0};
static const char *const sc_as[7] = {"", "ü", "日本", "a\"b\\c", "x", "y", "z"};
static const float sc_fv[NROWS * 4] = {
    -0.0f, 1e-45f,           3e38f,           -1.0f, 0.1f, 0.2f,   0.3f,  0.4f,   1.0f, 0.0f, 0.0f,
    0.0f,  -1.17549435e-38f, 1.17549435e-38f, 0.0f,  0.0f, 1e-10f, 1e10f, -1e10f, 0.5f};
static const char *const sc_dyn[NROWS] = {
    "{}", "{\"dyn_i\":1}", "{\"dyn_s\":\"ü\",\"dyn_a\":[1,\"x\",null]}",
    "{\"dyn_o\":{\"k\":[1,2]},\"dyn_big\":-9007199254740991}", "{\"dyn_f\":0.25,\"dyn_b\":true}"};

static const fdef scalars_fields[] = {
    {.name = "id", .type = MILVUS_TYPE_INT64, .flags = F_PK, .vals = sc_id},
    {.name = "b", .type = MILVUS_TYPE_BOOL, .vals = sc_b},
    {.name = "i8", .type = MILVUS_TYPE_INT8, .vals = sc_i8},
    {.name = "i16", .type = MILVUS_TYPE_INT16, .vals = sc_i16},
    {.name = "i32", .type = MILVUS_TYPE_INT32, .vals = sc_i32},
    {.name = "i64", .type = MILVUS_TYPE_INT64, .vals = sc_i64},
    {.name = "f", .type = MILVUS_TYPE_FLOAT, .vals = sc_f},
    {.name = "d", .type = MILVUS_TYPE_DOUBLE, .vals = sc_d},
    {.name = "s", .type = MILVUS_TYPE_VARCHAR, .max_len = 256, .vals = sc_s},
    {.name = "j", .type = MILVUS_TYPE_JSON, .vals = sc_j},
    {.name = "a_b",
     .type = MILVUS_TYPE_ARRAY,
     .elem = MILVUS_TYPE_BOOL,
     .max_cap = 8,
     .vals = sc_ab,
     .off = sc_off},
    {.name = "a_i8",
     .type = MILVUS_TYPE_ARRAY,
     .elem = MILVUS_TYPE_INT8,
     .max_cap = 8,
     .vals = sc_ai8,
     .off = sc_off},
    {.name = "a_i16",
     .type = MILVUS_TYPE_ARRAY,
     .elem = MILVUS_TYPE_INT16,
     .max_cap = 8,
     .vals = sc_ai16,
     .off = sc_off},
    {.name = "a_i32",
     .type = MILVUS_TYPE_ARRAY,
     .elem = MILVUS_TYPE_INT32,
     .max_cap = 8,
     .vals = sc_ai32,
     .off = sc_off},
    {.name = "a_i64",
     .type = MILVUS_TYPE_ARRAY,
     .elem = MILVUS_TYPE_INT64,
     .max_cap = 8,
     .vals = sc_ai64,
     .off = sc_off},
    {.name = "a_f",
     .type = MILVUS_TYPE_ARRAY,
     .elem = MILVUS_TYPE_FLOAT,
     .max_cap = 8,
     .vals = sc_af,
     .off = sc_off},
    {.name = "a_d",
     .type = MILVUS_TYPE_ARRAY,
     .elem = MILVUS_TYPE_DOUBLE,
     .max_cap = 8,
     .vals = sc_ad,
     .off = sc_off},
    {.name = "a_s",
     .type = MILVUS_TYPE_ARRAY,
     .elem = MILVUS_TYPE_VARCHAR,
     .max_cap = 8,
     .max_len = 64,
     .vals = sc_as,
     .off = sc_off},
    {.name = "fv", .type = MILVUS_TYPE_FLOAT_VECTOR, .dim = 4, .vals = sc_fv},
};

/* -- VarChar primary keys (binary and sparse groups) -- */
static const char *const str_pk[NROWS] = {"a", "b", "z\"q", "ü", "日本"};

/* -- group "binary" -- */
static const uint8_t bin_bv[NROWS * 4] = {0x00, 0x00, 0x00, 0x00, 0xff, 0xff, 0xff,
                                          0xff, 0x01, 0x02, 0x03, 0x04, 0x80, 0x40,
                                          0x20, 0x10, 0xde, 0xad, 0xbe, 0xef};
static const fdef binary_fields[] = {
    {.name = "pk", .type = MILVUS_TYPE_VARCHAR, .max_len = 64, .flags = F_PK, .vals = str_pk},
    {.name = "bv", .type = MILVUS_TYPE_BINARY_VECTOR, .dim = 32, .vals = bin_bv},
};

/* -- group "sparse" -- */
static const uint64_t sp_off[NROWS + 1] = {0, 1, 2, 5, 7, 10};
static const uint32_t sp_idx[10] = {0, 4294967294u, 1, 2, 1000, 7, 8, 3, 5, 9};
static const float sp_val[10] = {1.5f, 0.1f, 1e-45f, 3e38f, 2.5f, 0.25f, 0.5f, 1.0f, 2.0f, 3.0f};
static const fdef sparse_fields[] = {
    {.name = "pk", .type = MILVUS_TYPE_VARCHAR, .max_len = 64, .flags = F_PK, .vals = str_pk},
    {.name = "sv",
     .type = MILVUS_TYPE_SPARSE_FLOAT_VECTOR,
     .vals = sp_val,
     .off = sp_off,
     .idx = sp_idx},
};

/* -- groups "float16", "bfloat16", "int8" (one vector field each) -- */
static const int64_t small_id[NROWS] = {1, 2, 3, 4, 5};
static const uint16_t f16_v[NROWS * 4] = {0x8000, 0x0001, 0x7bff, 0x3c00, 0xfbff, 0x0400, 0x3555,
                                          0xc000, 0x0000, 0x0000, 0x0000, 0x3c00, 0x03ff, 0x8001,
                                          0x4248, 0x5640, 0x1234, 0x5678, 0x0bcd, 0x7800};
static const uint16_t bf16_v[NROWS * 4] = {0x8000, 0x0001, 0x7f7f, 0x3f80, 0xff7f, 0x0080, 0x3eaa,
                                           0xc000, 0x0000, 0x0000, 0x0000, 0x3f80, 0x007f, 0x8001,
                                           0x4049, 0x42f6, 0x1234, 0x5678, 0x0bcd, 0x4780};
static const int8_t i8_v[NROWS * 4] = {-128, 127, 0, 1, -1, -2, -3,  -4,   0,  0,
                                       0,    1,   5, 6, 7,  8,  100, -100, 50, -50};
static const fdef float16_fields[] = {
    {.name = "id", .type = MILVUS_TYPE_INT64, .flags = F_PK, .vals = small_id},
    {.name = "hv", .type = MILVUS_TYPE_FLOAT16_VECTOR, .dim = 4, .vals = f16_v},
};
static const fdef bfloat16_fields[] = {
    {.name = "id", .type = MILVUS_TYPE_INT64, .flags = F_PK, .vals = small_id},
    {.name = "bfv", .type = MILVUS_TYPE_BFLOAT16_VECTOR, .dim = 4, .vals = bf16_v},
};
static const fdef int8_fields[] = {
    {.name = "id", .type = MILVUS_TYPE_INT64, .flags = F_PK, .vals = small_id},
    {.name = "i8v", .type = MILVUS_TYPE_INT8_VECTOR, .dim = 4, .vals = i8_v},
};

/* -- group "nullable": nullable and default-valued fields of each scalar
 *    type.  Values at NULL rows are placeholders (never sent). -- */
static const float fv2[NROWS * 2] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10};
static const uint8_t nl_b[NROWS] = {1, 0, 0, 0, 1};
static const int8_t nl_i8[NROWS] = {0, -128, 0, 127, 0};
static const int16_t nl_i16[NROWS] = {-32768, 32767, 0, 0, 1};
static const int32_t nl_i32[NROWS] = {INT32_MIN, 0, INT32_MAX, 0, 0};
static const int64_t nl_i64[NROWS] = {0, INT64_MIN, 0, INT64_MAX, 0};
static const float nl_f[NROWS] = {-0.0f, 1e-45f, 0.0f, 3.40282347e38f, 0.1f};
static const double nl_d[NROWS] = {-0.0, 0.0, 1.7976931348623157e308, 0.0, 0.1};
static const char *const nl_s[NROWS] = {"", "", "", "ü", ""};
static const char *const nl_j[NROWS] = {"{}", "{\"a\":[1,null]}", "", "{\"l\":[1,2]}",
                                        "{\"s\":null}"};
static const uint64_t nl_ai_off[NROWS + 1] = {0, 2, 2, 2, 2, 3};
static const int32_t nl_ai[3] = {1, 2, INT32_MIN};
static const uint64_t nl_as_off[NROWS + 1] = {0, 0, 1, 1, 1, 1};
static const char *const nl_as[1] = {"x"};
static const int64_t nl_all[NROWS] = {0, 0, 0, 0, 0};
static const double nl_none[NROWS] = {1, 2, 3, 4, 5};
static const uint8_t df_b[NROWS] = {0, 0, 0, 0, 0};
static const int8_t df_i8[NROWS] = {1, 0, -1, 0, 127};
static const int16_t df_i16[NROWS] = {0, -1, 0, 32767, 0};
static const int32_t df_i32[NROWS] = {5, 0, INT32_MAX, 0, -5};
static const int64_t df_i64[NROWS] = {0, INT64_MIN, 0, 0, 0};
static const float df_f[NROWS] = {-0.0f, 0.0f, 1e-45f, 0.0f, 2.5f};
static const double df_d[NROWS] = {0.0, -0.0, 0.0, 4.9406564584124654e-324, 0.0};
static const char *const df_s[NROWS] = {"", "", "given", "", "ü"};
static const int32_t nd_i32[NROWS] = {0, 70, 0, -70, 0};
static const char *const nd_s[NROWS] = {"", "", "x", "", "y"};
static const char *const df_omit[NROWS] = {"", "", "", "", ""};

static const fdef nullable_fields[] = {
    {.name = "id", .type = MILVUS_TYPE_INT64, .flags = F_PK, .vals = small_id},
    {.name = "n_b", .type = MILVUS_TYPE_BOOL, .flags = F_NULLABLE, .vals = nl_b, .valid = mask_a},
    {.name = "n_i8", .type = MILVUS_TYPE_INT8, .flags = F_NULLABLE, .vals = nl_i8, .valid = mask_b},
    {.name = "n_i16",
     .type = MILVUS_TYPE_INT16,
     .flags = F_NULLABLE,
     .vals = nl_i16,
     .valid = mask_c},
    {.name = "n_i32",
     .type = MILVUS_TYPE_INT32,
     .flags = F_NULLABLE,
     .vals = nl_i32,
     .valid = mask_a},
    {.name = "n_i64",
     .type = MILVUS_TYPE_INT64,
     .flags = F_NULLABLE,
     .vals = nl_i64,
     .valid = mask_b},
    {.name = "n_f", .type = MILVUS_TYPE_FLOAT, .flags = F_NULLABLE, .vals = nl_f, .valid = mask_c},
    {.name = "n_d", .type = MILVUS_TYPE_DOUBLE, .flags = F_NULLABLE, .vals = nl_d, .valid = mask_a},
    {.name = "n_s",
     .type = MILVUS_TYPE_VARCHAR,
     .max_len = 64,
     .flags = F_NULLABLE,
     .vals = nl_s,
     .valid = mask_b},
    {.name = "n_j", .type = MILVUS_TYPE_JSON, .flags = F_NULLABLE, .vals = nl_j, .valid = mask_c},
    {.name = "n_ai32",
     .type = MILVUS_TYPE_ARRAY,
     .elem = MILVUS_TYPE_INT32,
     .max_cap = 4,
     .flags = F_NULLABLE,
     .vals = nl_ai,
     .off = nl_ai_off,
     .valid = mask_a},
    {.name = "n_as",
     .type = MILVUS_TYPE_ARRAY,
     .elem = MILVUS_TYPE_VARCHAR,
     .max_cap = 4,
     .max_len = 16,
     .flags = F_NULLABLE,
     .vals = nl_as,
     .off = nl_as_off,
     .valid = mask_b},
    {.name = "n_all",
     .type = MILVUS_TYPE_INT64,
     .flags = F_NULLABLE,
     .vals = nl_all,
     .valid = mask_none},
    {.name = "n_none", .type = MILVUS_TYPE_DOUBLE, .flags = F_NULLABLE, .vals = nl_none},
    {.name = "d_b",
     .type = MILVUS_TYPE_BOOL,
     .flags = F_DEFAULT,
     .vals = df_b,
     .valid = mask_b,
     .def_i = 1},
    {.name = "d_i8",
     .type = MILVUS_TYPE_INT8,
     .flags = F_DEFAULT,
     .vals = df_i8,
     .valid = mask_a,
     .def_i = -8},
    {.name = "d_i16",
     .type = MILVUS_TYPE_INT16,
     .flags = F_DEFAULT,
     .vals = df_i16,
     .valid = mask_b,
     .def_i = 1616},
    {.name = "d_i32",
     .type = MILVUS_TYPE_INT32,
     .flags = F_DEFAULT,
     .vals = df_i32,
     .valid = mask_a,
     .def_i = INT32_MIN},
    {.name = "d_i64",
     .type = MILVUS_TYPE_INT64,
     .flags = F_DEFAULT,
     .vals = df_i64,
     .valid = mask_b,
     .def_i = INT64_MAX},
    {.name = "d_f",
     .type = MILVUS_TYPE_FLOAT,
     .flags = F_DEFAULT,
     .vals = df_f,
     .valid = mask_a,
     .def_d = 1.5},
    {.name = "d_d",
     .type = MILVUS_TYPE_DOUBLE,
     .flags = F_DEFAULT,
     .vals = df_d,
     .valid = mask_b,
     .def_d = 0.1},
    {.name = "d_s",
     .type = MILVUS_TYPE_VARCHAR,
     .max_len = 64,
     .flags = F_DEFAULT,
     .vals = df_s,
     .valid = mask_a,
     .def_s = "dflt ü"},
    {.name = "nd_i32",
     .type = MILVUS_TYPE_INT32,
     .flags = F_NULLABLE | F_DEFAULT,
     .vals = nd_i32,
     .valid = mask_b,
     .def_i = 7},
    {.name = "nd_s",
     .type = MILVUS_TYPE_VARCHAR,
     .max_len = 64,
     .flags = F_NULLABLE | F_DEFAULT,
     .vals = nd_s,
     .valid = mask_a,
     .def_s = "nd"},
    {.name = "d_omit",
     .type = MILVUS_TYPE_VARCHAR,
     .max_len = 64,
     .flags = F_DEFAULT | F_OMIT,
     .vals = df_omit,
     .valid = mask_none,
     .def_s = "omitted"},
    {.name = "fv", .type = MILVUS_TYPE_FLOAT_VECTOR, .dim = 2, .vals = fv2},
};

/* -- groups "geometry" and "timestamptz" -- */
static const char *const geo_v[NROWS] = {"POINT (1 2)", "POINT (-3.5 4.25)",
                                         "POLYGON ((0 0, 1 0, 1 1, 0 0))", "POINT (0 0)",
                                         "POINT (123456.789 -0.000001)"};
/* microseconds since the epoch, UTC */
static const int64_t ts_v[NROWS] = {0, 1, -1000000, 1700000000123456LL, 253402300799999999LL};
/* nullable columns (placeholders at the NULL rows) */
static const char *const ngeo_v[NROWS] = {"POINT (5 6)", "", "POLYGON ((1 1, 2 1, 2 2, 1 1))", "",
                                          "POINT (-1 -1)"};
static const int64_t nts_v[NROWS] = {0, -62135596800000000LL, 0, 86400000000LL, 0};
static const fdef geometry_fields[] = {
    {.name = "id", .type = MILVUS_TYPE_INT64, .flags = F_PK, .vals = small_id},
    {.name = "geo", .type = MILVUS_TYPE_GEOMETRY, .vals = geo_v},
    {.name = "n_geo",
     .type = MILVUS_TYPE_GEOMETRY,
     .flags = F_NULLABLE,
     .vals = ngeo_v,
     .valid = mask_a},
    {.name = "fv", .type = MILVUS_TYPE_FLOAT_VECTOR, .dim = 2, .vals = fv2},
};
static const fdef timestamptz_fields[] = {
    {.name = "id", .type = MILVUS_TYPE_INT64, .flags = F_PK, .vals = small_id},
    {.name = "ts", .type = MILVUS_TYPE_TIMESTAMPTZ, .vals = ts_v},
    {.name = "n_ts",
     .type = MILVUS_TYPE_TIMESTAMPTZ,
     .flags = F_NULLABLE,
     .vals = nts_v,
     .valid = mask_b},
    {.name = "fv", .type = MILVUS_TYPE_FLOAT_VECTOR, .dim = 2, .vals = fv2},
};

#define FIELDS(a) a, sizeof(a) / sizeof(a[0])
static const gdef groups[] = {
    {"scalars", K_ALL, FIELDS(scalars_fields), sc_dyn, "id > -100"},
    {"binary", K_STANDALONE | K_TEST, FIELDS(binary_fields), NULL, "pk != \"\""},
    {"sparse", K_LITE | K_TEST, FIELDS(sparse_fields), NULL, "pk != \"\""},
    {"float16", K_TEST, FIELDS(float16_fields), NULL, "id > 0"},
    {"bfloat16", K_TEST, FIELDS(bfloat16_fields), NULL, "id > 0"},
    {"int8", K_TEST, FIELDS(int8_fields), NULL, "id > 0"},
    {"nullable", K_LITE | K_TEST, FIELDS(nullable_fields), NULL, "id > 0"},
    {"geometry", K_LITE | K_TEST, FIELDS(geometry_fields), NULL, "id > 0"},
    {"timestamptz", K_LITE | K_TEST, FIELDS(timestamptz_fields), NULL, "id > 0"},
};
#define NGROUPS (sizeof(groups) / sizeof(groups[0]))

/* ---- small helpers ------------------------------------------------------- */

static void die(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));
static void die(const char *fmt, ...)
{
    va_list ap;
    fprintf(stderr, "roundtrip: ");
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    exit(1);
}

static void *xmalloc(size_t n)
{
    void *p = malloc(n ? n : 1);
    if (!p)
        die("%s%s", "out of memory", "");
    return p;
}

static void check(int rc, const char *what, const char *name)
{
    if (rc != MILVUS_OK) {
        fprintf(stderr, "roundtrip: %s %s: %s\n", what, name ? name : "", milvus_strerror(rc));
        exit(1);
    }
}

/* JSON string escaping, byte for byte as Python's json.dumps(s,
 * ensure_ascii=False). */
static void put_json_string(const char *s, size_t len)
{
    putchar('"');
    for (size_t i = 0; i < len; i++) {
        unsigned char ch = (unsigned char)s[i];
        switch (ch) {
        case '"': fputs("\\\"", stdout); break;
        case '\\': fputs("\\\\", stdout); break;
        case '\n': fputs("\\n", stdout); break;
        case '\r': fputs("\\r", stdout); break;
        case '\t': fputs("\\t", stdout); break;
        case '\b': fputs("\\b", stdout); break;
        case '\f': fputs("\\f", stdout); break;
        default:
            if (ch < 0x20)
                printf("\\u%04x", ch);
            else
                putchar(ch);
        }
    }
    putchar('"');
}

static void put_float(float f)
{
    printf("%.9g", (double)f);
}
static void put_double(double d)
{
    printf("%.17g", d);
}

static void put_hex(const void *p, size_t n)
{
    const unsigned char *b = p;
    putchar('"');
    for (size_t i = 0; i < n; i++)
        printf("%02x", b[i]);
    putchar('"');
}

/* A value the typed getter refused: shown as an error object, so that
 * compare.py reports it. */
static void put_unreadable(const milvus_column *c, size_t row, const char *what)
{
    const char *s;
    size_t len;
    printf("{\"unreadable\":\"%s\"", what);
    if (milvus_column_get_string(c, row, &s, &len) == MILVUS_OK) {
        fputs(",\"as_string\":", stdout);
        put_json_string(s, len);
    }
    putchar('}');
}

/* ---- the canonical encoder (input columns and result views alike) ------- */

static void put_array(const milvus_column *c, size_t row)
{
    size_t n;
    milvus_data_type et = milvus_column_element_type(c);
    if (milvus_column_array_length(c, row, &n) != MILVUS_OK) {
        put_unreadable(c, row, "array");
        return;
    }
    putchar('[');
    for (size_t k = 0; k < n; k++) {
        int64_t iv;
        double dv;
        int bv;
        const char *sv;
        size_t sl;
        if (k)
            putchar(',');
        switch (et) {
        case MILVUS_TYPE_BOOL:
            if (milvus_column_array_get_bool(c, row, k, &bv) == MILVUS_OK)
                fputs(bv ? "true" : "false", stdout);
            else
                fputs("{\"unreadable\":\"bool element\"}", stdout);
            break;
        case MILVUS_TYPE_INT8:
        case MILVUS_TYPE_INT16:
        case MILVUS_TYPE_INT32:
        case MILVUS_TYPE_INT64:
            if (milvus_column_array_get_int(c, row, k, &iv) != MILVUS_OK)
                fputs("{\"unreadable\":\"int element\"}", stdout);
            else if (et == MILVUS_TYPE_INT64)
                printf("\"%" PRId64 "\"", iv);
            else
                printf("%" PRId64, iv);
            break;
        case MILVUS_TYPE_FLOAT:
        case MILVUS_TYPE_DOUBLE:
            if (milvus_column_array_get_double(c, row, k, &dv) != MILVUS_OK)
                fputs("{\"unreadable\":\"float element\"}", stdout);
            else if (et == MILVUS_TYPE_FLOAT)
                put_float((float)dv);
            else
                put_double(dv);
            break;
        case MILVUS_TYPE_VARCHAR:
        case MILVUS_TYPE_STRING:
            if (milvus_column_array_get_string(c, row, k, &sv, &sl) == MILVUS_OK)
                put_json_string(sv, sl);
            else
                fputs("{\"unreadable\":\"string element\"}", stdout);
            break;
        default: printf("{\"unreadable\":\"element type %d\"}", (int)et); break;
        }
    }
    putchar(']');
}

static void put_value(const milvus_column *c, size_t row)
{
    milvus_data_type t = milvus_column_type(c);
    int64_t iv;
    float fv;
    double dv;
    int bv;
    const char *sv;
    size_t len;
    const void *vp;
    if (milvus_column_is_null(c, row)) {
        fputs("null", stdout);
        return;
    }
    switch (t) {
    case MILVUS_TYPE_BOOL:
        if (milvus_column_get_bool(c, row, &bv) != MILVUS_OK)
            put_unreadable(c, row, "bool");
        else
            fputs(bv ? "true" : "false", stdout);
        break;
    case MILVUS_TYPE_INT8:
    case MILVUS_TYPE_INT16:
    case MILVUS_TYPE_INT32:
        if (milvus_column_get_int(c, row, &iv) != MILVUS_OK)
            put_unreadable(c, row, "int");
        else
            printf("%" PRId64, iv);
        break;
    case MILVUS_TYPE_INT64:
    case MILVUS_TYPE_TIMESTAMPTZ:
        if (milvus_column_get_int(c, row, &iv) != MILVUS_OK)
            put_unreadable(c, row, milvus_data_type_name(t));
        else
            printf("\"%" PRId64 "\"", iv);
        break;
    case MILVUS_TYPE_FLOAT:
        if (milvus_column_get_float(c, row, &fv) != MILVUS_OK)
            put_unreadable(c, row, "float");
        else
            put_float(fv);
        break;
    case MILVUS_TYPE_DOUBLE:
        if (milvus_column_get_double(c, row, &dv) != MILVUS_OK)
            put_unreadable(c, row, "double");
        else
            put_double(dv);
        break;
    case MILVUS_TYPE_STRING:
    case MILVUS_TYPE_VARCHAR:
    case MILVUS_TYPE_TEXT:
    case MILVUS_TYPE_JSON:
    case MILVUS_TYPE_GEOMETRY:
        if (milvus_column_get_string(c, row, &sv, &len) != MILVUS_OK)
            put_unreadable(c, row, milvus_data_type_name(t));
        else
            put_json_string(sv, len);
        break;
    case MILVUS_TYPE_ARRAY: put_array(c, row); break;
    case MILVUS_TYPE_FLOAT_VECTOR:
        if (milvus_column_get_vector(c, row, &vp, &len) != MILVUS_OK) {
            put_unreadable(c, row, "float vector");
            break;
        }
        putchar('[');
        for (size_t k = 0; k < len / sizeof(float); k++) {
            float x;
            memcpy(&x, (const char *)vp + k * sizeof(float), sizeof(float));
            if (k)
                putchar(',');
            put_float(x);
        }
        putchar(']');
        break;
    case MILVUS_TYPE_BINARY_VECTOR:
    case MILVUS_TYPE_FLOAT16_VECTOR:
    case MILVUS_TYPE_BFLOAT16_VECTOR:
    case MILVUS_TYPE_INT8_VECTOR:
        if (milvus_column_get_vector(c, row, &vp, &len) != MILVUS_OK)
            put_unreadable(c, row, milvus_data_type_name(t));
        else
            put_hex(vp, len);
        break;
    case MILVUS_TYPE_SPARSE_FLOAT_VECTOR: {
        size_t nnz;
        if (milvus_column_get_sparse(c, row, &nnz) != MILVUS_OK) {
            put_unreadable(c, row, "sparse vector");
            break;
        }
        putchar('{');
        for (size_t k = 0; k < nnz; k++) {
            uint32_t ix;
            float x;
            if (k)
                putchar(',');
            if (milvus_column_get_sparse_at(c, row, k, &ix, &x) != MILVUS_OK) {
                printf("\"?%zu\":{\"unreadable\":\"sparse element\"}", k);
                continue;
            }
            printf("\"%" PRIu32 "\":", ix);
            put_float(x);
        }
        putchar('}');
        break;
    }
    default: printf("{\"unreadable\":\"type %d\"}", (int)t); break;
    }
}

static void put_type(const milvus_column *c)
{
    milvus_data_type t = milvus_column_type(c);
    if (t == MILVUS_TYPE_ARRAY)
        printf("\"Array<%s>\"", milvus_data_type_name(milvus_column_element_type(c)));
    else
        printf("\"%s\"", milvus_data_type_name(t));
}

/* Prints the canonical lines of ncols columns (names[i] is the name
 * printed for cols[i]; NULL columns are "missing"), rows in order. */
static void print_canonical(const char *const *names, const milvus_column *const *cols,
                            size_t ncols, const size_t *order, size_t nrows)
{
    fputs("{\"#types\":{", stdout);
    for (size_t i = 0; i < ncols; i++) {
        if (i)
            putchar(',');
        put_json_string(names[i], strlen(names[i]));
        putchar(':');
        if (cols[i])
            put_type(cols[i]);
        else
            fputs("\"missing\"", stdout);
    }
    fputs("}}\n", stdout);
    for (size_t r = 0; r < nrows; r++) {
        putchar('{');
        for (size_t i = 0; i < ncols; i++) {
            if (i)
                putchar(',');
            put_json_string(names[i], strlen(names[i]));
            putchar(':');
            if (!cols[i])
                fputs("{\"missing\":true}", stdout);
            else if (order[r] >= milvus_column_rows(cols[i]))
                fputs("{\"missing_row\":true}", stdout);
            else
                put_value(cols[i], order[r]);
        }
        fputs("}\n", stdout);
    }
}

/* ---- building the columns of a group ------------------------------------- */

static size_t elem_size(milvus_data_type t, int64_t dim)
{
    switch (t) {
    case MILVUS_TYPE_BOOL:
    case MILVUS_TYPE_INT8: return 1;
    case MILVUS_TYPE_INT16: return 2;
    case MILVUS_TYPE_INT32:
    case MILVUS_TYPE_FLOAT: return 4;
    case MILVUS_TYPE_INT64:
    case MILVUS_TYPE_DOUBLE:
    case MILVUS_TYPE_TIMESTAMPTZ: return 8;
    case MILVUS_TYPE_VARCHAR:
    case MILVUS_TYPE_STRING:
    case MILVUS_TYPE_TEXT:
    case MILVUS_TYPE_JSON:
    case MILVUS_TYPE_GEOMETRY: return sizeof(const char *);
    case MILVUS_TYPE_FLOAT_VECTOR: return (size_t)dim * 4;
    case MILVUS_TYPE_BINARY_VECTOR: return (size_t)dim / 8;
    case MILVUS_TYPE_FLOAT16_VECTOR:
    case MILVUS_TYPE_BFLOAT16_VECTOR: return (size_t)dim * 2;
    case MILVUS_TYPE_INT8_VECTOR: return (size_t)dim;
    default: return 0;
    }
}

/* Stores f's default value into dst (one element of f's type). */
static void put_default(const fdef *f, void *dst)
{
    switch (f->type) {
    case MILVUS_TYPE_BOOL: *(uint8_t *)dst = (uint8_t)(f->def_i != 0); break;
    case MILVUS_TYPE_INT8: *(int8_t *)dst = (int8_t)f->def_i; break;
    case MILVUS_TYPE_INT16: *(int16_t *)dst = (int16_t)f->def_i; break;
    case MILVUS_TYPE_INT32: *(int32_t *)dst = (int32_t)f->def_i; break;
    case MILVUS_TYPE_INT64: *(int64_t *)dst = f->def_i; break;
    case MILVUS_TYPE_FLOAT: *(float *)dst = (float)f->def_d; break;
    case MILVUS_TYPE_DOUBLE: *(double *)dst = f->def_d; break;
    case MILVUS_TYPE_VARCHAR: *(const char **)dst = f->def_s; break;
    default: die("field %s: no default for its type%s", f->name, "");
    }
}

static milvus_column *new_column(const fdef *f, const char *name, const void *vals, size_t n,
                                 const uint64_t *off)
{
    milvus_column *c = NULL;
    int rc;
    switch (f->type) {
    case MILVUS_TYPE_BOOL: rc = milvus_column_new_bool(&c, name, vals, n); break;
    case MILVUS_TYPE_INT8: rc = milvus_column_new_int8(&c, name, vals, n); break;
    case MILVUS_TYPE_INT16: rc = milvus_column_new_int16(&c, name, vals, n); break;
    case MILVUS_TYPE_INT32: rc = milvus_column_new_int32(&c, name, vals, n); break;
    case MILVUS_TYPE_INT64: rc = milvus_column_new_int64(&c, name, vals, n); break;
    case MILVUS_TYPE_FLOAT: rc = milvus_column_new_float(&c, name, vals, n); break;
    case MILVUS_TYPE_DOUBLE: rc = milvus_column_new_double(&c, name, vals, n); break;
    case MILVUS_TYPE_TIMESTAMPTZ: rc = milvus_column_new_timestamptz(&c, name, vals, n); break;
    case MILVUS_TYPE_VARCHAR:
    case MILVUS_TYPE_JSON:
    case MILVUS_TYPE_GEOMETRY:
    case MILVUS_TYPE_TEXT: rc = milvus_column_new_strings(&c, name, f->type, vals, n); break;
    case MILVUS_TYPE_ARRAY: rc = milvus_column_new_array(&c, name, f->elem, n, off, vals); break;
    case MILVUS_TYPE_FLOAT_VECTOR:
        rc = milvus_column_new_float_vector(&c, name, f->dim, vals, n);
        break;
    case MILVUS_TYPE_BINARY_VECTOR:
        rc = milvus_column_new_binary_vector(&c, name, f->dim, vals, n);
        break;
    case MILVUS_TYPE_FLOAT16_VECTOR:
        rc = milvus_column_new_float16_vector(&c, name, f->dim, vals, n);
        break;
    case MILVUS_TYPE_BFLOAT16_VECTOR:
        rc = milvus_column_new_bfloat16_vector(&c, name, f->dim, vals, n);
        break;
    case MILVUS_TYPE_INT8_VECTOR:
        rc = milvus_column_new_int8_vector(&c, name, f->dim, vals, n);
        break;
    case MILVUS_TYPE_SPARSE_FLOAT_VECTOR:
        rc = milvus_column_new_sparse_vector(&c, name, n, f->off, f->idx, f->vals);
        break;
    default: rc = MILVUS_ERR_INVALID_ARGUMENT;
    }
    check(rc, "column", name);
    return c;
}

/* The column of f.  expect = 0: what is written (the values of the
 * non-NULL rows and the validity mask; NULL for an omitted field);
 * expect = 1: what a reader must see (NULL rows of fields with a default
 * hold the default). */
static milvus_column *build_column(const fdef *f, int expect)
{
    size_t es, k = 0, nel = 0;
    unsigned char *buf;
    uint64_t *off = NULL;
    milvus_column *c;
    int with_default = (f->flags & F_DEFAULT) && expect;

    if ((f->flags & F_OMIT) && !expect)
        return NULL;
    if (f->type == MILVUS_TYPE_SPARSE_FLOAT_VECTOR || !f->valid)
        return new_column(f, f->name, f->vals, NROWS, f->off);

    if (f->type == MILVUS_TYPE_ARRAY) {
        /* compact the elements of the non-NULL rows */
        if (with_default)
            die("field %s: arrays have no default%s", f->name, "");
        es = elem_size(f->elem, 0);
        buf = xmalloc(es * f->off[NROWS]);
        off = xmalloc(sizeof(*off) * (NROWS + 1));
        off[0] = 0;
        for (size_t r = 0; r < NROWS; r++) {
            if (!f->valid[r])
                continue;
            size_t m = (size_t)(f->off[r + 1] - f->off[r]);
            memcpy(buf + nel * es, (const unsigned char *)f->vals + f->off[r] * es, m * es);
            nel += m;
            off[++k] = nel;
        }
    } else {
        es = elem_size(f->type, f->dim);
        buf = xmalloc(es * NROWS);
        for (size_t r = 0; r < NROWS; r++) {
            if (f->valid[r])
                memcpy(buf + k++ * es, (const unsigned char *)f->vals + r * es, es);
            else if (with_default)
                put_default(f, buf + k++ * es);
        }
    }
    c = new_column(f, f->name, buf, k, off);
    /* with the default filled in every row has a value */
    if (!with_default)
        check(milvus_column_set_valid(c, f->valid, NROWS), "set_valid", f->name);
    free(buf);
    free(off);
    return c;
}

/* ---- commands -------------------------------------------------------------- */

static const gdef *find_group(const char *name, unsigned kind)
{
    for (size_t i = 0; i < NGROUPS; i++) {
        if (strcmp(groups[i].name, name) == 0) {
            if (!(groups[i].kinds & kind))
                die("group %s is not run on this server kind%s", name, "");
            return &groups[i];
        }
    }
    die("unknown group %s%s", name, "");
    return NULL;
}

static void cmd_expect(const gdef *g)
{
    size_t n = g->nfields + (g->dynamic ? 1 : 0);
    const char **names = xmalloc(n * sizeof(*names));
    milvus_column **cols = xmalloc(n * sizeof(*cols));
    size_t order[NROWS];
    size_t i;
    for (i = 0; i < g->nfields; i++) {
        names[i] = g->fields[i].name;
        cols[i] = build_column(&g->fields[i], 1);
    }
    if (g->dynamic) {
        names[i] = "$meta";
        check(milvus_column_new_json(&cols[i], "$meta", g->dynamic, NROWS), "column", "$meta");
    }
    /* the dataset's rows are listed in primary key order */
    for (size_t r = 0; r < NROWS; r++)
        order[r] = r;
    print_canonical(names, (const milvus_column *const *)cols, n, order, NROWS);
    for (i = 0; i < n; i++)
        milvus_column_free(cols[i]);
    free(cols);
    free(names);
}

/* a milvus_sync call: dies with the server's message on failure */
static milvus_result *call_ok(milvus_sync *s, int rc, milvus_result *res, const char *what,
                              const char *coll)
{
    if (rc == MILVUS_OK)
        return res;
    fprintf(stderr, "roundtrip: %s %s failed: %s\n", what, coll,
            res ? milvus_result_message(res) : milvus_sync_last_error(s));
    exit(1);
}
#define CALL(WHAT, COLL, EXPR)                                                                     \
    do {                                                                                           \
        milvus_result *res_ = NULL;                                                                \
        int rc_ = (EXPR);                                                                          \
        milvus_result_unref(call_ok(s, rc_, res_, (WHAT), (COLL)));                                \
    } while (0)

static void index_for(milvus_data_type t, const char **type, const char **metric)
{
    *type = "AUTOINDEX";
    *metric = "L2";
    if (t == MILVUS_TYPE_BINARY_VECTOR) {
        *type = "BIN_FLAT";
        *metric = "HAMMING";
    } else if (t == MILVUS_TYPE_SPARSE_FLOAT_VECTOR) {
        *type = "SPARSE_INVERTED_INDEX";
        *metric = "IP";
    }
}

static void drop_if_exists(milvus_sync *s, const char *coll)
{
    milvus_result *res = NULL;
    int rc = milvus_sync_has_collection(s, coll, &res);
    int exists;
    call_ok(s, rc, res, "has_collection", coll);
    exists = milvus_result_bool(res);
    milvus_result_unref(res);
    if (exists)
        CALL("drop_collection", coll, milvus_sync_drop_collection(s, coll, &res_));
}

static milvus_schema *build_schema(const gdef *g, const char *coll)
{
    milvus_schema *sc;
    check(milvus_schema_new(&sc, coll), "schema", coll);
    if (g->dynamic)
        check(milvus_schema_set_dynamic_field(sc, 1), "dynamic field", coll);
    for (size_t i = 0; i < g->nfields; i++) {
        const fdef *f = &g->fields[i];
        milvus_field *fl;
        check(milvus_field_new(&fl, f->name, f->type), "field", f->name);
        if (f->flags & F_PK)
            check(milvus_field_set_primary_key(fl, 1), "primary key", f->name);
        if (f->dim)
            check(milvus_field_set_dim(fl, f->dim), "dim", f->name);
        if (f->max_len)
            check(milvus_field_set_max_length(fl, f->max_len), "max_length", f->name);
        if (f->type == MILVUS_TYPE_ARRAY) {
            check(milvus_field_set_element_type(fl, f->elem), "element type", f->name);
            check(milvus_field_set_max_capacity(fl, f->max_cap), "max capacity", f->name);
        }
        if (f->flags & F_NULLABLE)
            check(milvus_field_set_nullable(fl, 1), "nullable", f->name);
        if (f->flags & F_DEFAULT) {
            int rc;
            switch (f->type) {
            case MILVUS_TYPE_BOOL: rc = milvus_field_set_default_bool(fl, f->def_i != 0); break;
            case MILVUS_TYPE_FLOAT: rc = milvus_field_set_default_float(fl, (float)f->def_d); break;
            case MILVUS_TYPE_DOUBLE: rc = milvus_field_set_default_double(fl, f->def_d); break;
            case MILVUS_TYPE_VARCHAR: rc = milvus_field_set_default_string(fl, f->def_s); break;
            default: rc = milvus_field_set_default_int(fl, f->def_i); break;
            }
            check(rc, "default", f->name);
        }
        check(milvus_schema_add_field(sc, fl), "add field", f->name);
        milvus_field_free(fl);
    }
    return sc;
}

static void cmd_write(milvus_sync *s, const gdef *g, const char *coll)
{
    milvus_schema *sc = build_schema(g, coll);
    milvus_collection_options *co = milvus_collection_options_new();
    milvus_column **cols = xmalloc((g->nfields + 1) * sizeof(*cols));
    size_t ncols = 0;
    milvus_result *res = NULL;
    int rc;

    drop_if_exists(s, coll);
    check(milvus_collection_options_set_consistency(co, MILVUS_CONSISTENCY_STRONG), "options",
          coll);
    CALL("create_collection", coll, milvus_sync_create_collection(s, coll, sc, co, &res_));
    milvus_collection_options_free(co);
    milvus_schema_free(sc);

    for (size_t i = 0; i < g->nfields; i++) {
        const fdef *f = &g->fields[i];
        const char *itype, *metric;
        milvus_index_options *io;
        if (!milvus_data_type_is_vector(f->type))
            continue;
        index_for(f->type, &itype, &metric);
        io = milvus_index_options_new();
        check(milvus_index_options_set_type(io, itype), "index type", f->name);
        check(milvus_index_options_set_metric(io, metric), "metric", f->name);
        CALL("create_index", coll, milvus_sync_create_index(s, coll, f->name, io, &res_));
        milvus_index_options_free(io);
    }
    CALL("await_index", coll, milvus_sync_await_index(s, coll, NULL, NULL, &res_));
    CALL("load_collection", coll, milvus_sync_load_collection(s, coll, NULL, &res_));
    CALL("await_load", coll, milvus_sync_await_load(s, coll, NULL, 0, NULL, &res_));

    for (size_t i = 0; i < g->nfields; i++) {
        milvus_column *c = build_column(&g->fields[i], 0);
        if (c)
            cols[ncols++] = c;
    }
    if (g->dynamic) {
        check(milvus_column_new_json(&cols[ncols], "$meta", g->dynamic, NROWS), "column", "$meta");
        check(milvus_column_set_dynamic(cols[ncols++], 1), "dynamic", "$meta");
    }
    rc = milvus_sync_insert(s, coll, (const milvus_column *const *)cols, ncols, NULL, &res);
    call_ok(s, rc, res, "insert", coll);
    if (milvus_result_insert_count(res) != NROWS) {
        fprintf(stderr, "roundtrip: insert into %s: insert_count %" PRId64 ", want %d\n", coll,
                milvus_result_insert_count(res), NROWS);
        exit(1);
    }
    milvus_result_unref(res);
    for (size_t i = 0; i < ncols; i++)
        milvus_column_free(cols[i]);
    free(cols);
    CALL("await_load", coll, milvus_sync_await_load(s, coll, NULL, 0, NULL, &res_));
}

/* sorting result rows by primary key */
static const milvus_column *sort_pk;
static int cmp_pk(const void *a, const void *b)
{
    size_t ra = *(const size_t *)a, rb = *(const size_t *)b;
    if (milvus_column_type(sort_pk) == MILVUS_TYPE_INT64) {
        int64_t x = 0, y = 0;
        milvus_column_get_int(sort_pk, ra, &x);
        milvus_column_get_int(sort_pk, rb, &y);
        return x < y ? -1 : x > y;
    } else {
        const char *x = "", *y = "";
        size_t lx = 0, ly = 0;
        int d;
        milvus_column_get_string(sort_pk, ra, &x, &lx);
        milvus_column_get_string(sort_pk, rb, &y, &ly);
        d = memcmp(x, y, lx < ly ? lx : ly);
        return d ? d : (lx < ly ? -1 : lx > ly);
    }
}

static void cmd_dump(milvus_sync *s, const gdef *g, const char *coll)
{
    milvus_query_options *qo = milvus_query_options_new();
    milvus_result *res = NULL;
    size_t nres, nrows, n = 0, cap;
    const char **names;
    const milvus_column **cols;
    size_t *order;
    const char *pkname = NULL;
    int rc;

    check(milvus_query_options_set_filter(qo, g->filter), "filter", coll);
    check(milvus_query_options_add_output_field(qo, "*"), "output field", coll);
    check(milvus_query_options_set_consistency(qo, MILVUS_CONSISTENCY_STRONG), "consistency", coll);
    rc = milvus_sync_query(s, coll, qo, &res);
    call_ok(s, rc, res, "query", coll);
    milvus_query_options_free(qo);

    nres = milvus_result_column_count(res);
    nrows = milvus_result_row_count(res);
    cap = g->nfields + 1 + nres;
    names = xmalloc(cap * sizeof(*names));
    cols = xmalloc(cap * sizeof(*cols));
    /* the table's fields in order, then $meta, then unknown columns */
    for (size_t i = 0; i < g->nfields; i++) {
        names[n] = g->fields[i].name;
        cols[n++] = milvus_result_column(res, g->fields[i].name);
        if (g->fields[i].flags & F_PK)
            pkname = g->fields[i].name;
    }
    if (g->dynamic) {
        names[n] = "$meta";
        cols[n++] = milvus_result_column(res, "$meta");
    }
    for (size_t i = 0; i < nres; i++) {
        const milvus_column *c = milvus_result_column_at(res, i);
        const char *cn = milvus_column_name(c);
        int known = 0;
        for (size_t k = 0; k < n; k++)
            known |= strcmp(names[k], cn) == 0;
        if (!known) {
            names[n] = cn;
            cols[n++] = c;
        }
    }
    order = xmalloc((nrows ? nrows : 1) * sizeof(*order));
    for (size_t r = 0; r < nrows; r++)
        order[r] = r;
    sort_pk = milvus_result_column(res, pkname);
    if (!sort_pk)
        die("query of %s: no primary key column %s", coll, pkname);
    qsort(order, nrows, sizeof(*order), cmp_pk);
    print_canonical(names, cols, n, order, nrows);
    free(order);
    free(names);
    free(cols);
    milvus_result_unref(res);
}

/* ---- main -------------------------------------------------------------------- */

static void usage(void)
{
    fputs("usage: roundtrip [--uri URI] [--token T] --kind standalone|lite|test-server\n"
          "         write|dump GROUP COLLECTION | expect GROUP | drop COLLECTION | groups\n",
          stderr);
    exit(2);
}

static milvus_sync *connect_to(const char *uri, const char *token)
{
    milvus_options *o = milvus_options_new();
    milvus_sync *s = NULL;
    milvus_result *res = NULL;
    int rc;
    if (!uri || !*uri)
        die("no --uri (nor MILVUS_URI)%s%s", "", "");
    check(milvus_options_set_uri(o, uri), "uri", uri);
    if (token && *token)
        check(milvus_options_set_token(o, token), "token", "");
    check(milvus_options_set_call_timeout_ms(o, 60000), "timeout", "");
    check(milvus_sync_new(&s, o), "client", uri);
    milvus_options_free(o);
    check(milvus_sync_set_timeout_ms(s, 300000), "timeout", "");
    rc = milvus_sync_connect(s, &res);
    milvus_result_unref(call_ok(s, rc, res, "connect", uri));
    return s;
}

int main(int argc, char **argv)
{
    const char *uri = getenv("MILVUS_URI"), *token = getenv("MILVUS_TOKEN");
    const char *kind_name = getenv("MILVUS_SERVER_KIND");
    unsigned kind = 0;
    int i = 1;
    const char *cmd;

    for (; i < argc && strncmp(argv[i], "--", 2) == 0; i++) {
        if (i + 1 >= argc)
            usage();
        if (strcmp(argv[i], "--uri") == 0)
            uri = argv[++i];
        else if (strcmp(argv[i], "--token") == 0)
            token = argv[++i];
        else if (strcmp(argv[i], "--kind") == 0)
            kind_name = argv[++i];
        else
            usage();
    }
    if (i >= argc)
        usage();
    cmd = argv[i++];
    if (kind_name && *kind_name) {
        for (size_t k = 0; k < sizeof(kinds) / sizeof(kinds[0]); k++)
            if (strcmp(kinds[k].name, kind_name) == 0)
                kind = kinds[k].bit;
        if (!kind)
            die("unknown kind %s%s", kind_name, "");
    }

    if (strcmp(cmd, "drop") == 0) {
        milvus_sync *s;
        if (i + 1 != argc)
            usage();
        s = connect_to(uri, token);
        drop_if_exists(s, argv[i]);
        milvus_sync_free(s);
        return 0;
    }
    if (!kind)
        usage();
    if (strcmp(cmd, "groups") == 0) {
        if (i != argc)
            usage();
        for (size_t k = 0; k < NGROUPS; k++)
            if (groups[k].kinds & kind)
                printf("%s\n", groups[k].name);
        return 0;
    }
    if (strcmp(cmd, "expect") == 0) {
        if (i != argc - 1 && i != argc - 2)
            usage();
        cmd_expect(find_group(argv[i], kind));
        return fflush(stdout) == 0 ? 0 : 1;
    }
    if (strcmp(cmd, "write") == 0 || strcmp(cmd, "dump") == 0) {
        const gdef *g;
        milvus_sync *s;
        if (i != argc - 2)
            usage();
        g = find_group(argv[i], kind);
        s = connect_to(uri, token);
        if (cmd[0] == 'w')
            cmd_write(s, g, argv[i + 1]);
        else
            cmd_dump(s, g, argv[i + 1]);
        milvus_sync_free(s);
        return fflush(stdout) == 0 ? 0 : 1;
    }
    usage();
    return 2;
}
