/* SPDX-License-Identifier: Apache-2.0 */
/* Columns: a protobuf FieldData (owned for input columns, borrowed from a
 * response for result views) plus the row window of the view. */
#include <stdlib.h>
#include <string.h>

#include "api/api.h"

#define SF(x) MILVUS__PROTO__SCHEMA__SCALAR_FIELD__DATA_##x
#define VF(x) MILVUS__PROTO__SCHEMA__VECTOR_FIELD__DATA_##x

/* ---- construction helpers ------------------------------------------------ */

static int col_alloc(milvus_column **out, const char *name, int type, milvus_column **cp)
{
    milvus_column *c;
    if (!out || mv_check_name("column", name, NULL, 0) != MILVUS_OK)
        return MILVUS_ERR_INVALID_ARGUMENT;
    c = calloc(1, sizeof(*c));
    if (!c)
        return MILVUS_ERR_NOMEM;
    c->fd = malloc(sizeof(*c->fd));
    if (!c->fd) {
        free(c);
        return MILVUS_ERR_NOMEM;
    }
    milvus__proto__schema__field_data__init(c->fd);
    c->owned = 1;
    c->fd->type = (Milvus__Proto__Schema__DataType)type;
    if (mv_pb_set_str(&c->fd->field_name, name) != MILVUS_OK) {
        milvus_column_free(c);
        return MILVUS_ERR_NOMEM;
    }
    *cp = c;
    return MILVUS_OK;
}

static Milvus__Proto__Schema__ScalarField *new_scalars(void)
{
    Milvus__Proto__Schema__ScalarField *sf = malloc(sizeof(*sf));
    if (sf)
        milvus__proto__schema__scalar_field__init(sf);
    return sf;
}

static Milvus__Proto__Schema__ScalarField *col_scalars(milvus_column *c)
{
    Milvus__Proto__Schema__ScalarField *sf = new_scalars();
    if (!sf)
        return NULL;
    c->fd->field_case = MILVUS__PROTO__SCHEMA__FIELD_DATA__FIELD_SCALARS;
    c->fd->scalars = sf;
    return sf;
}

static Milvus__Proto__Schema__VectorField *col_vectors(milvus_column *c, int64_t dim)
{
    Milvus__Proto__Schema__VectorField *vf = malloc(sizeof(*vf));
    if (!vf)
        return NULL;
    milvus__proto__schema__vector_field__init(vf);
    vf->dim = dim;
    c->fd->field_case = MILVUS__PROTO__SCHEMA__FIELD_DATA__FIELD_VECTORS;
    c->fd->vectors = vf;
    c->dim = dim;
    return vf;
}

static void *dupmem(const void *p, size_t n)
{
    void *d = malloc(n ? n : 1);
    if (d && n)
        memcpy(d, p, n);
    return d;
}

/* Fills sf with `rows` values of a fixed-width scalar type (copying). */
static int fill_scalar(Milvus__Proto__Schema__ScalarField *sf, int type, const void *v, size_t rows)
{
    size_t i;
    switch (type) {
    case MILVUS_TYPE_BOOL: {
        Milvus__Proto__Schema__BoolArray *a = malloc(sizeof(*a));
        if (!a)
            return MILVUS_ERR_NOMEM;
        milvus__proto__schema__bool_array__init(a);
        sf->data_case = SF(BOOL_DATA);
        sf->bool_data = a;
        a->data = malloc((rows ? rows : 1) * sizeof(*a->data));
        if (!a->data)
            return MILVUS_ERR_NOMEM;
        for (i = 0; i < rows; i++)
            a->data[i] = ((const uint8_t *)v)[i] != 0;
        a->n_data = rows;
        return MILVUS_OK;
    }
    case MILVUS_TYPE_INT8:
    case MILVUS_TYPE_INT16:
    case MILVUS_TYPE_INT32: {
        Milvus__Proto__Schema__IntArray *a = malloc(sizeof(*a));
        if (!a)
            return MILVUS_ERR_NOMEM;
        milvus__proto__schema__int_array__init(a);
        sf->data_case = SF(INT_DATA);
        sf->int_data = a;
        a->data = malloc((rows ? rows : 1) * sizeof(*a->data));
        if (!a->data)
            return MILVUS_ERR_NOMEM;
        for (i = 0; i < rows; i++)
            a->data[i] = type == MILVUS_TYPE_INT8    ? ((const int8_t *)v)[i]
                         : type == MILVUS_TYPE_INT16 ? ((const int16_t *)v)[i]
                                                     : ((const int32_t *)v)[i];
        a->n_data = rows;
        return MILVUS_OK;
    }
    case MILVUS_TYPE_INT64: {
        Milvus__Proto__Schema__LongArray *a = malloc(sizeof(*a));
        if (!a)
            return MILVUS_ERR_NOMEM;
        milvus__proto__schema__long_array__init(a);
        sf->data_case = SF(LONG_DATA);
        sf->long_data = a;
        if (!(a->data = dupmem(v, rows * sizeof(int64_t))))
            return MILVUS_ERR_NOMEM;
        a->n_data = rows;
        return MILVUS_OK;
    }
    case MILVUS_TYPE_TIMESTAMPTZ: {
        Milvus__Proto__Schema__TimestamptzArray *a = malloc(sizeof(*a));
        if (!a)
            return MILVUS_ERR_NOMEM;
        milvus__proto__schema__timestamptz_array__init(a);
        sf->data_case = SF(TIMESTAMPTZ_DATA);
        sf->timestamptz_data = a;
        if (!(a->data = dupmem(v, rows * sizeof(int64_t))))
            return MILVUS_ERR_NOMEM;
        a->n_data = rows;
        return MILVUS_OK;
    }
    case MILVUS_TYPE_FLOAT: {
        Milvus__Proto__Schema__FloatArray *a = malloc(sizeof(*a));
        if (!a)
            return MILVUS_ERR_NOMEM;
        milvus__proto__schema__float_array__init(a);
        sf->data_case = SF(FLOAT_DATA);
        sf->float_data = a;
        if (!(a->data = dupmem(v, rows * sizeof(float))))
            return MILVUS_ERR_NOMEM;
        a->n_data = rows;
        return MILVUS_OK;
    }
    case MILVUS_TYPE_DOUBLE: {
        Milvus__Proto__Schema__DoubleArray *a = malloc(sizeof(*a));
        if (!a)
            return MILVUS_ERR_NOMEM;
        milvus__proto__schema__double_array__init(a);
        sf->data_case = SF(DOUBLE_DATA);
        sf->double_data = a;
        if (!(a->data = dupmem(v, rows * sizeof(double))))
            return MILVUS_ERR_NOMEM;
        a->n_data = rows;
        return MILVUS_OK;
    }
    case MILVUS_TYPE_VARCHAR:
    case MILVUS_TYPE_STRING:
    case MILVUS_TYPE_TEXT: {
        const char *const *s = v;
        Milvus__Proto__Schema__StringArray *a = malloc(sizeof(*a));
        if (!a)
            return MILVUS_ERR_NOMEM;
        milvus__proto__schema__string_array__init(a);
        sf->data_case = SF(STRING_DATA);
        sf->string_data = a;
        a->data = calloc(rows ? rows : 1, sizeof(char *));
        if (!a->data)
            return MILVUS_ERR_NOMEM;
        for (i = 0; i < rows; i++, a->n_data++)
            if (!(a->data[i] = mv_strdup(s[i])))
                return MILVUS_ERR_NOMEM;
        return MILVUS_OK;
    }
    default: return MILVUS_ERR_INVALID_ARGUMENT;
    }
}

static int finish(milvus_column **out, milvus_column *c, int rc, size_t rows)
{
    if (rc != MILVUS_OK) {
        milvus_column_free(c);
        return rc;
    }
    c->rows = rows;
    *out = c;
    return MILVUS_OK;
}

static int new_fixed(milvus_column **out, const char *name, int type, const void *v, size_t rows)
{
    milvus_column *c;
    Milvus__Proto__Schema__ScalarField *sf;
    int rc;
    if (!v && rows)
        return MILVUS_ERR_INVALID_ARGUMENT;
    if ((rc = col_alloc(out, name, type, &c)) != MILVUS_OK)
        return rc;
    sf = col_scalars(c);
    rc = sf ? fill_scalar(sf, type, v, rows) : MILVUS_ERR_NOMEM;
    return finish(out, c, rc, rows);
}

milvus_status milvus_column_new_bool(milvus_column **out, const char *name, const uint8_t *v,
                                     size_t rows)
{
    return new_fixed(out, name, MILVUS_TYPE_BOOL, v, rows);
}
milvus_status milvus_column_new_int8(milvus_column **out, const char *name, const int8_t *v,
                                     size_t rows)
{
    return new_fixed(out, name, MILVUS_TYPE_INT8, v, rows);
}
milvus_status milvus_column_new_int16(milvus_column **out, const char *name, const int16_t *v,
                                      size_t rows)
{
    return new_fixed(out, name, MILVUS_TYPE_INT16, v, rows);
}
milvus_status milvus_column_new_int32(milvus_column **out, const char *name, const int32_t *v,
                                      size_t rows)
{
    return new_fixed(out, name, MILVUS_TYPE_INT32, v, rows);
}
milvus_status milvus_column_new_int64(milvus_column **out, const char *name, const int64_t *v,
                                      size_t rows)
{
    return new_fixed(out, name, MILVUS_TYPE_INT64, v, rows);
}
milvus_status milvus_column_new_float(milvus_column **out, const char *name, const float *v,
                                      size_t rows)
{
    return new_fixed(out, name, MILVUS_TYPE_FLOAT, v, rows);
}
milvus_status milvus_column_new_double(milvus_column **out, const char *name, const double *v,
                                       size_t rows)
{
    return new_fixed(out, name, MILVUS_TYPE_DOUBLE, v, rows);
}
milvus_status milvus_column_new_timestamptz(milvus_column **out, const char *name, const int64_t *v,
                                            size_t rows)
{
    return new_fixed(out, name, MILVUS_TYPE_TIMESTAMPTZ, v, rows);
}

static int strings_valid(const char *const *v, size_t rows)
{
    if (!v && rows)
        return 0;
    for (size_t i = 0; i < rows; i++)
        if (!v[i] || !mv_utf8_valid(v[i], strlen(v[i])))
            return 0;
    return 1;
}

milvus_status milvus_column_new_strings(milvus_column **out, const char *name,
                                        milvus_data_type type, const char *const *v, size_t rows)
{
    milvus_column *c;
    Milvus__Proto__Schema__ScalarField *sf;
    int rc;
    if (!strings_valid(v, rows))
        return MILVUS_ERR_INVALID_ARGUMENT;
    if (mv_type_is_string(type))
        return new_fixed(out, name, type, v, rows);
    if (type != MILVUS_TYPE_JSON && type != MILVUS_TYPE_GEOMETRY)
        return MILVUS_ERR_INVALID_ARGUMENT;
    if ((rc = col_alloc(out, name, type, &c)) != MILVUS_OK)
        return rc;
    if (!(sf = col_scalars(c)))
        return finish(out, c, MILVUS_ERR_NOMEM, 0);
    if (type == MILVUS_TYPE_JSON) {
        Milvus__Proto__Schema__JSONArray *a = malloc(sizeof(*a));
        if (!a)
            return finish(out, c, MILVUS_ERR_NOMEM, 0);
        milvus__proto__schema__jsonarray__init(a);
        sf->data_case = SF(JSON_DATA);
        sf->json_data = a;
        if (!(a->data = calloc(rows ? rows : 1, sizeof(*a->data))))
            return finish(out, c, MILVUS_ERR_NOMEM, 0);
        for (size_t i = 0; i < rows; i++, a->n_data++) {
            a->data[i].len = strlen(v[i]);
            if (!(a->data[i].data = dupmem(v[i], a->data[i].len)))
                return finish(out, c, MILVUS_ERR_NOMEM, 0);
        }
    } else {
        /* Geometry travels as WKT text (ScalarField.geometry_wkt_data) */
        Milvus__Proto__Schema__GeometryWktArray *a = malloc(sizeof(*a));
        if (!a)
            return finish(out, c, MILVUS_ERR_NOMEM, 0);
        milvus__proto__schema__geometry_wkt_array__init(a);
        sf->data_case = SF(GEOMETRY_WKT_DATA);
        sf->geometry_wkt_data = a;
        if (!(a->data = calloc(rows ? rows : 1, sizeof(char *))))
            return finish(out, c, MILVUS_ERR_NOMEM, 0);
        for (size_t i = 0; i < rows; i++, a->n_data++)
            if (!(a->data[i] = mv_strdup(v[i])))
                return finish(out, c, MILVUS_ERR_NOMEM, 0);
    }
    return finish(out, c, MILVUS_OK, rows);
}

milvus_status milvus_column_new_varchar(milvus_column **out, const char *name, const char *const *v,
                                        size_t rows)
{
    return milvus_column_new_strings(out, name, MILVUS_TYPE_VARCHAR, v, rows);
}

milvus_status milvus_column_new_json(milvus_column **out, const char *name, const char *const *v,
                                     size_t rows)
{
    return milvus_column_new_strings(out, name, MILVUS_TYPE_JSON, v, rows);
}

static size_t elem_size(int t)
{
    switch (t) {
    case MILVUS_TYPE_BOOL:
    case MILVUS_TYPE_INT8: return 1;
    case MILVUS_TYPE_INT16: return 2;
    case MILVUS_TYPE_INT32:
    case MILVUS_TYPE_FLOAT: return 4;
    case MILVUS_TYPE_INT64:
    case MILVUS_TYPE_DOUBLE: return 8;
    case MILVUS_TYPE_VARCHAR:
    case MILVUS_TYPE_STRING: return sizeof(char *);
    default: return 0;
    }
}

milvus_status milvus_column_new_array(milvus_column **out, const char *name, milvus_data_type et,
                                      size_t rows, const uint64_t *offsets, const void *elements)
{
    milvus_column *c;
    Milvus__Proto__Schema__ScalarField *sf;
    Milvus__Proto__Schema__ArrayArray *aa;
    size_t es = elem_size(et);
    int rc;
    if (!es || !offsets || offsets[0] != 0)
        return MILVUS_ERR_INVALID_ARGUMENT;
    for (size_t r = 0; r < rows; r++)
        if (offsets[r + 1] < offsets[r])
            return MILVUS_ERR_INVALID_ARGUMENT;
    if (offsets[rows] && !elements)
        return MILVUS_ERR_INVALID_ARGUMENT;
    if (mv_type_is_string(et) && !strings_valid(elements, (size_t)offsets[rows]))
        return MILVUS_ERR_INVALID_ARGUMENT;
    if ((rc = col_alloc(out, name, MILVUS_TYPE_ARRAY, &c)) != MILVUS_OK)
        return rc;
    if (!(sf = col_scalars(c)) || !(aa = malloc(sizeof(*aa))))
        return finish(out, c, MILVUS_ERR_NOMEM, 0);
    milvus__proto__schema__array_array__init(aa);
    sf->data_case = SF(ARRAY_DATA);
    sf->array_data = aa;
    aa->element_type = (Milvus__Proto__Schema__DataType)et;
    if (!(aa->data = calloc(rows ? rows : 1, sizeof(*aa->data))))
        return finish(out, c, MILVUS_ERR_NOMEM, 0);
    for (size_t r = 0; r < rows; r++, aa->n_data++) {
        const uint8_t *base = (const uint8_t *)elements + offsets[r] * es;
        if (!(aa->data[r] = new_scalars()))
            return finish(out, c, MILVUS_ERR_NOMEM, 0);
        rc = fill_scalar(aa->data[r], et, base, (size_t)(offsets[r + 1] - offsets[r]));
        if (rc != MILVUS_OK) {
            aa->n_data++;
            return finish(out, c, rc, 0);
        }
    }
    return finish(out, c, MILVUS_OK, rows);
}

/* Bytes of one row of a dense vector type, 0 when dim is invalid. */
static size_t vec_row_bytes(int type, int64_t dim)
{
    if (dim < 1 || dim > 32768 * 8)
        return 0;
    switch (type) {
    case MILVUS_TYPE_FLOAT_VECTOR: return dim <= 32768 ? (size_t)dim * 4 : 0;
    case MILVUS_TYPE_FLOAT16_VECTOR:
    case MILVUS_TYPE_BFLOAT16_VECTOR: return dim <= 32768 ? (size_t)dim * 2 : 0;
    case MILVUS_TYPE_INT8_VECTOR: return dim <= 32768 ? (size_t)dim : 0;
    case MILVUS_TYPE_BINARY_VECTOR: return dim % 8 == 0 ? (size_t)dim / 8 : 0;
    default: return 0;
    }
}

static int new_dense(milvus_column **out, const char *name, int type, int64_t dim, const void *data,
                     size_t rows, int copy)
{
    milvus_column *c;
    Milvus__Proto__Schema__VectorField *vf;
    size_t rb = vec_row_bytes(type, dim);
    size_t total;
    void *buf;
    int rc;
    if (!rb || (!data && rows))
        return MILVUS_ERR_INVALID_ARGUMENT;
    total = rb * rows;
    if ((rc = col_alloc(out, name, type, &c)) != MILVUS_OK)
        return rc;
    if (!(vf = col_vectors(c, dim)))
        return finish(out, c, MILVUS_ERR_NOMEM, 0);
    buf = copy ? dupmem(data, total) : (void *)data;
    if (!buf)
        return finish(out, c, MILVUS_ERR_NOMEM, 0);
    if (type == MILVUS_TYPE_FLOAT_VECTOR) {
        Milvus__Proto__Schema__FloatArray *a = malloc(sizeof(*a));
        if (!a) {
            if (copy)
                free(buf);
            return finish(out, c, MILVUS_ERR_NOMEM, 0);
        }
        milvus__proto__schema__float_array__init(a);
        vf->data_case = VF(FLOAT_VECTOR);
        vf->float_vector = a;
        a->data = buf;
        a->n_data = total / 4;
        if (!copy)
            c->borrowed = (void **)&a->data;
    } else {
        ProtobufCBinaryData *bd;
        switch (type) {
        case MILVUS_TYPE_BINARY_VECTOR:
            vf->data_case = VF(BINARY_VECTOR);
            bd = &vf->binary_vector;
            break;
        case MILVUS_TYPE_FLOAT16_VECTOR:
            vf->data_case = VF(FLOAT16_VECTOR);
            bd = &vf->float16_vector;
            break;
        case MILVUS_TYPE_BFLOAT16_VECTOR:
            vf->data_case = VF(BFLOAT16_VECTOR);
            bd = &vf->bfloat16_vector;
            break;
        default:
            vf->data_case = VF(INT8_VECTOR);
            bd = &vf->int8_vector;
            break;
        }
        bd->data = buf;
        bd->len = total;
        if (!copy)
            c->borrowed = (void **)&bd->data;
    }
    return finish(out, c, MILVUS_OK, rows);
}

milvus_status milvus_column_new_float_vector(milvus_column **out, const char *name, int64_t dim,
                                             const float *data, size_t rows)
{
    return new_dense(out, name, MILVUS_TYPE_FLOAT_VECTOR, dim, data, rows, 1);
}
milvus_status milvus_column_new_binary_vector(milvus_column **out, const char *name, int64_t dim,
                                              const uint8_t *data, size_t rows)
{
    return new_dense(out, name, MILVUS_TYPE_BINARY_VECTOR, dim, data, rows, 1);
}
milvus_status milvus_column_new_float16_vector(milvus_column **out, const char *name, int64_t dim,
                                               const uint16_t *data, size_t rows)
{
    return new_dense(out, name, MILVUS_TYPE_FLOAT16_VECTOR, dim, data, rows, 1);
}
milvus_status milvus_column_new_bfloat16_vector(milvus_column **out, const char *name, int64_t dim,
                                                const uint16_t *data, size_t rows)
{
    return new_dense(out, name, MILVUS_TYPE_BFLOAT16_VECTOR, dim, data, rows, 1);
}
milvus_status milvus_column_new_int8_vector(milvus_column **out, const char *name, int64_t dim,
                                            const int8_t *data, size_t rows)
{
    return new_dense(out, name, MILVUS_TYPE_INT8_VECTOR, dim, data, rows, 1);
}

static void put_le32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
    p[2] = (uint8_t)(v >> 16);
    p[3] = (uint8_t)(v >> 24);
}

static uint32_t get_le32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

milvus_status milvus_column_new_sparse_vector(milvus_column **out, const char *name, size_t rows,
                                              const uint64_t *offsets, const uint32_t *indices,
                                              const float *values)
{
    milvus_column *c;
    Milvus__Proto__Schema__VectorField *vf;
    Milvus__Proto__Schema__SparseFloatArray *sa;
    int64_t dim = 0;
    int rc;
    if (!offsets || offsets[0] != 0 || (offsets[rows] && (!indices || !values)))
        return MILVUS_ERR_INVALID_ARGUMENT;
    for (size_t r = 0; r < rows; r++) {
        if (offsets[r + 1] < offsets[r])
            return MILVUS_ERR_INVALID_ARGUMENT;
        for (uint64_t k = offsets[r]; k < offsets[r + 1]; k++) {
            if (k > offsets[r] && indices[k] <= indices[k - 1])
                return MILVUS_ERR_INVALID_ARGUMENT;
            if ((int64_t)indices[k] + 1 > dim)
                dim = (int64_t)indices[k] + 1;
        }
    }
    if ((rc = col_alloc(out, name, MILVUS_TYPE_SPARSE_FLOAT_VECTOR, &c)) != MILVUS_OK)
        return rc;
    if (!(vf = col_vectors(c, dim)) || !(sa = malloc(sizeof(*sa))))
        return finish(out, c, MILVUS_ERR_NOMEM, 0);
    c->dim = 0;
    milvus__proto__schema__sparse_float_array__init(sa);
    vf->data_case = VF(SPARSE_FLOAT_VECTOR);
    vf->sparse_float_vector = sa;
    sa->dim = dim;
    if (!(sa->contents = calloc(rows ? rows : 1, sizeof(*sa->contents))))
        return finish(out, c, MILVUS_ERR_NOMEM, 0);
    for (size_t r = 0; r < rows; r++, sa->n_contents++) {
        size_t nnz = (size_t)(offsets[r + 1] - offsets[r]);
        uint8_t *p = malloc(nnz ? nnz * 8 : 1);
        if (!p)
            return finish(out, c, MILVUS_ERR_NOMEM, 0);
        for (size_t k = 0; k < nnz; k++) {
            uint32_t fv;
            memcpy(&fv, &values[offsets[r] + k], 4);
            put_le32(p + 8 * k, indices[offsets[r] + k]);
            put_le32(p + 8 * k + 4, fv);
        }
        sa->contents[r].data = p;
        sa->contents[r].len = nnz * 8;
    }
    return finish(out, c, MILVUS_OK, rows);
}

milvus_status milvus_column_wrap(milvus_column **out, const char *name, milvus_data_type type,
                                 int64_t dim, const void *data, size_t rows)
{
    milvus_column *c;
    Milvus__Proto__Schema__ScalarField *sf;
    int rc;
    if (vec_row_bytes(type, dim))
        return new_dense(out, name, type, dim, data, rows, 0);
    if (dim != 0 || (!data && rows))
        return MILVUS_ERR_INVALID_ARGUMENT;
    if (type != MILVUS_TYPE_INT32 && type != MILVUS_TYPE_INT64 && type != MILVUS_TYPE_FLOAT &&
        type != MILVUS_TYPE_DOUBLE && type != MILVUS_TYPE_TIMESTAMPTZ)
        return MILVUS_ERR_INVALID_ARGUMENT;
    if ((rc = col_alloc(out, name, type, &c)) != MILVUS_OK)
        return rc;
    if (!(sf = col_scalars(c)))
        return finish(out, c, MILVUS_ERR_NOMEM, 0);
    /* Fill with zero rows, then point the array at the caller's buffer. */
    if ((rc = fill_scalar(sf, type, data, 0)) != MILVUS_OK)
        return finish(out, c, rc, 0);
    switch (type) {
    case MILVUS_TYPE_INT32:
        free(sf->int_data->data);
        sf->int_data->data = (int32_t *)data;
        sf->int_data->n_data = rows;
        c->borrowed = (void **)&sf->int_data->data;
        break;
    case MILVUS_TYPE_INT64:
        free(sf->long_data->data);
        sf->long_data->data = (int64_t *)data;
        sf->long_data->n_data = rows;
        c->borrowed = (void **)&sf->long_data->data;
        break;
    case MILVUS_TYPE_TIMESTAMPTZ:
        free(sf->timestamptz_data->data);
        sf->timestamptz_data->data = (int64_t *)data;
        sf->timestamptz_data->n_data = rows;
        c->borrowed = (void **)&sf->timestamptz_data->data;
        break;
    case MILVUS_TYPE_FLOAT:
        free(sf->float_data->data);
        sf->float_data->data = (float *)data;
        sf->float_data->n_data = rows;
        c->borrowed = (void **)&sf->float_data->data;
        break;
    default:
        free(sf->double_data->data);
        sf->double_data->data = (double *)data;
        sf->double_data->n_data = rows;
        c->borrowed = (void **)&sf->double_data->data;
        break;
    }
    return finish(out, c, MILVUS_OK, rows);
}

/* ---- counts ---------------------------------------------------------------- */

size_t mv_fd_values(const mv_fd *fd)
{
    if (fd->field_case == MILVUS__PROTO__SCHEMA__FIELD_DATA__FIELD_SCALARS && fd->scalars) {
        const Milvus__Proto__Schema__ScalarField *s = fd->scalars;
        switch (s->data_case) {
        case SF(BOOL_DATA): return s->bool_data->n_data;
        case SF(INT_DATA): return s->int_data->n_data;
        case SF(LONG_DATA): return s->long_data->n_data;
        case SF(FLOAT_DATA): return s->float_data->n_data;
        case SF(DOUBLE_DATA): return s->double_data->n_data;
        case SF(STRING_DATA): return s->string_data->n_data;
        case SF(BYTES_DATA): return s->bytes_data->n_data;
        case SF(ARRAY_DATA): return s->array_data->n_data;
        case SF(JSON_DATA): return s->json_data->n_data;
        case SF(GEOMETRY_DATA): return s->geometry_data->n_data;
        case SF(GEOMETRY_WKT_DATA): return s->geometry_wkt_data->n_data;
        case SF(TIMESTAMPTZ_DATA): return s->timestamptz_data->n_data;
        default: return 0;
        }
    }
    if (fd->field_case == MILVUS__PROTO__SCHEMA__FIELD_DATA__FIELD_VECTORS && fd->vectors) {
        const Milvus__Proto__Schema__VectorField *v = fd->vectors;
        size_t rb = vec_row_bytes((int)fd->type, v->dim);
        switch (v->data_case) {
        case VF(FLOAT_VECTOR): return v->dim > 0 ? v->float_vector->n_data / (size_t)v->dim : 0;
        case VF(BINARY_VECTOR): return rb ? v->binary_vector.len / rb : 0;
        case VF(FLOAT16_VECTOR): return rb ? v->float16_vector.len / rb : 0;
        case VF(BFLOAT16_VECTOR): return rb ? v->bfloat16_vector.len / rb : 0;
        case VF(INT8_VECTOR): return rb ? v->int8_vector.len / rb : 0;
        case VF(SPARSE_FLOAT_VECTOR): return v->sparse_float_vector->n_contents;
        default: return 0;
        }
    }
    return 0;
}

size_t mv_fd_rows(const mv_fd *fd)
{
    return fd->n_valid_data ? fd->n_valid_data : mv_fd_values(fd);
}

/* Value index of every row of [off, off+rows) for compact nullable data. */
static int build_vidx(milvus_column *c)
{
    const mv_fd *fd = c->fd;
    size_t nvalid = 0, k = 0;
    if (!fd->n_valid_data)
        return MILVUS_OK;
    for (size_t i = 0; i < fd->n_valid_data; i++)
        nvalid += fd->valid_data[i] != 0;
    if (mv_fd_values(fd) == fd->n_valid_data || mv_fd_values(fd) != nvalid)
        return MILVUS_OK; /* full layout (placeholders at NULL rows) */
    free(c->vidx);
    c->vidx = malloc((c->rows ? c->rows : 1) * sizeof(size_t));
    if (!c->vidx)
        return MILVUS_ERR_NOMEM;
    for (size_t i = 0; i < c->off + c->rows && i < fd->n_valid_data; i++) {
        if (i >= c->off)
            c->vidx[i - c->off] = fd->valid_data[i] ? k : SIZE_MAX;
        k += fd->valid_data[i] != 0;
    }
    return MILVUS_OK;
}

milvus_column *mv_column_view(mv_fd *fd, size_t off, size_t rows)
{
    milvus_column *c = calloc(1, sizeof(*c));
    if (!c)
        return NULL;
    c->fd = fd;
    c->off = off;
    c->rows = rows;
    if (fd->field_case == MILVUS__PROTO__SCHEMA__FIELD_DATA__FIELD_VECTORS && fd->vectors &&
        fd->type != MILVUS__PROTO__SCHEMA__DATA_TYPE__SparseFloatVector)
        c->dim = fd->vectors->dim;
    if (build_vidx(c) != MILVUS_OK) {
        free(c);
        return NULL;
    }
    return c;
}

/* ---- modifiers --------------------------------------------------------------- */

milvus_status milvus_column_set_valid(milvus_column *c, const uint8_t *valid, size_t rows)
{
    size_t nvalid = 0;
    protobuf_c_boolean *v;
    if (!c || !c->owned || !valid || milvus_data_type_is_vector((int)c->fd->type))
        return MILVUS_ERR_INVALID_ARGUMENT;
    for (size_t i = 0; i < rows; i++)
        nvalid += valid[i] != 0;
    if (nvalid != mv_fd_values(c->fd))
        return MILVUS_ERR_INVALID_ARGUMENT;
    v = malloc((rows ? rows : 1) * sizeof(*v));
    if (!v)
        return MILVUS_ERR_NOMEM;
    for (size_t i = 0; i < rows; i++)
        v[i] = valid[i] != 0;
    free(c->fd->valid_data);
    c->fd->valid_data = v;
    c->fd->n_valid_data = rows;
    c->rows = rows;
    c->off = 0;
    return build_vidx(c);
}

milvus_status milvus_column_set_dynamic(milvus_column *c, int on)
{
    if (!c || !c->owned || c->fd->type != MILVUS__PROTO__SCHEMA__DATA_TYPE__JSON)
        return MILVUS_ERR_INVALID_ARGUMENT;
    c->fd->is_dynamic = on != 0;
    return MILVUS_OK;
}

void milvus_column_free(milvus_column *c)
{
    if (!c)
        return;
    if (c->owned == 2) {
        free(c->fd); /* an ids wrapper of result.c: arrays belong to the response */
    } else if (c->owned && c->fd) {
        if (c->borrowed)
            *c->borrowed = NULL; /* caller's memory: not ours to free */
        protobuf_c_message_free_unpacked(&c->fd->base, NULL);
    }
    free(c->vidx);
    free(c);
}

/* ---- accessors ---------------------------------------------------------------- */

const char *milvus_column_name(const milvus_column *c)
{
    return c ? c->fd->field_name : NULL;
}
milvus_data_type milvus_column_type(const milvus_column *c)
{
    return c ? (milvus_data_type)c->fd->type : MILVUS_TYPE_NONE;
}
milvus_data_type milvus_column_element_type(const milvus_column *c)
{
    if (!c || c->fd->type != MILVUS__PROTO__SCHEMA__DATA_TYPE__Array || !c->fd->scalars ||
        c->fd->scalars->data_case != SF(ARRAY_DATA))
        return MILVUS_TYPE_NONE;
    return (milvus_data_type)c->fd->scalars->array_data->element_type;
}
size_t milvus_column_rows(const milvus_column *c)
{
    return c ? c->rows : 0;
}
int64_t milvus_column_dim(const milvus_column *c)
{
    return c ? c->dim : 0;
}
int milvus_column_is_dynamic(const milvus_column *c)
{
    return c && c->fd->is_dynamic;
}

/* Value index of row; MILVUS_ERR_INVALID_ARGUMENT when out of range or NULL. */
static int vindex(const milvus_column *c, size_t row, size_t *k)
{
    size_t abs;
    if (!c || row >= c->rows)
        return MILVUS_ERR_INVALID_ARGUMENT;
    if (c->vidx) {
        if (c->vidx[row] == SIZE_MAX)
            return MILVUS_ERR_INVALID_ARGUMENT;
        *k = c->vidx[row];
        return MILVUS_OK;
    }
    abs = c->off + row;
    if (c->fd->n_valid_data && (abs >= c->fd->n_valid_data || !c->fd->valid_data[abs]))
        return MILVUS_ERR_INVALID_ARGUMENT;
    if (abs >= mv_fd_values(c->fd))
        return MILVUS_ERR_INVALID_ARGUMENT;
    *k = abs;
    return MILVUS_OK;
}

int milvus_column_is_null(const milvus_column *c, size_t row)
{
    size_t abs;
    if (!c || row >= c->rows || !c->fd->n_valid_data)
        return 0;
    if (c->vidx)
        return c->vidx[row] == SIZE_MAX;
    abs = c->off + row;
    return abs < c->fd->n_valid_data && !c->fd->valid_data[abs];
}

static const Milvus__Proto__Schema__ScalarField *scalars(const milvus_column *c)
{
    return c->fd->field_case == MILVUS__PROTO__SCHEMA__FIELD_DATA__FIELD_SCALARS ? c->fd->scalars
                                                                                 : NULL;
}

milvus_status milvus_column_get_bool(const milvus_column *c, size_t row, int *value)
{
    size_t k;
    const Milvus__Proto__Schema__ScalarField *s;
    if (!value || vindex(c, row, &k) || !(s = scalars(c)) || s->data_case != SF(BOOL_DATA))
        return MILVUS_ERR_INVALID_ARGUMENT;
    *value = s->bool_data->data[k] != 0;
    return MILVUS_OK;
}

/* n decimal digits at p into *v; 0 on success. */
static int digits(const char *p, int n, int *v)
{
    *v = 0;
    for (int i = 0; i < n; i++) {
        if (p[i] < '0' || p[i] > '9')
            return -1;
        *v = *v * 10 + (p[i] - '0');
    }
    return 0;
}

/* Days from 1970-01-01 to y-m-d of the proleptic Gregorian calendar. */
static int64_t days_from_civil(int64_t y, int m, int d)
{
    int64_t era, yoe, doy, doe;
    y -= m <= 2;
    era = (y >= 0 ? y : y - 399) / 400;
    yoe = y - era * 400;
    doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

/* An RFC 3339 time ("2024-01-02T03:04:05.123456Z", "...+08:00"; years
 * 0001-9999, up to 9 fraction digits, microseconds kept) as microseconds
 * since the Unix epoch: how Milvus returns Timestamptz values in query
 * results (string_data).  0 on success. */
int mv_parse_rfc3339_us(const char *t, int64_t *out)
{
    int y, mo, d, h, mi, sec, oh = 0, om = 0, sign = 0;
    int64_t us = 0, scale = 100000;
    size_t i;
    if (!t || strlen(t) < 19 || digits(t, 4, &y) || t[4] != '-' || digits(t + 5, 2, &mo) ||
        t[7] != '-' || digits(t + 8, 2, &d) || (t[10] != 'T' && t[10] != 't' && t[10] != ' ') ||
        digits(t + 11, 2, &h) || t[13] != ':' || digits(t + 14, 2, &mi) || t[16] != ':' ||
        digits(t + 17, 2, &sec))
        return -1;
    if (y < 1 || mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || sec > 60)
        return -1;
    i = 19;
    if (t[i] == '.') {
        size_t n = 0;
        for (i++; t[i] >= '0' && t[i] <= '9'; i++, n++) {
            if (scale) {
                us += (t[i] - '0') * scale;
                scale /= 10;
            }
        }
        if (n == 0 || n > 9)
            return -1;
    }
    if (t[i] == 'Z' || t[i] == 'z') {
        i++;
    } else if (t[i] == '+' || t[i] == '-') {
        sign = t[i] == '-' ? -1 : 1;
        if (digits(t + i + 1, 2, &oh))
            return -1;
        i += 3;
        if (t[i] == ':')
            i++;
        if (digits(t + i, 2, &om) || oh > 23 || om > 59)
            return -1;
        i += 2;
    }
    if (t[i] != '\0')
        return -1;
    *out = ((days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + sec) -
            (int64_t)sign * (oh * 3600 + om * 60)) *
               1000000 +
           us;
    return 0;
}

milvus_status milvus_column_get_int(const milvus_column *c, size_t row, int64_t *value)
{
    size_t k;
    const Milvus__Proto__Schema__ScalarField *s;
    if (!value || vindex(c, row, &k) || !(s = scalars(c)))
        return MILVUS_ERR_INVALID_ARGUMENT;
    switch (s->data_case) {
    case SF(INT_DATA): *value = s->int_data->data[k]; return MILVUS_OK;
    case SF(LONG_DATA): *value = s->long_data->data[k]; return MILVUS_OK;
    case SF(TIMESTAMPTZ_DATA): *value = s->timestamptz_data->data[k]; return MILVUS_OK;
    case SF(STRING_DATA):
        /* a Timestamptz that the server returns as RFC 3339 text */
        if (milvus_column_type(c) == MILVUS_TYPE_TIMESTAMPTZ &&
            mv_parse_rfc3339_us(s->string_data->data[k], value) == 0)
            return MILVUS_OK;
        return MILVUS_ERR_INVALID_ARGUMENT;
    default: return MILVUS_ERR_INVALID_ARGUMENT;
    }
}

milvus_status milvus_column_get_float(const milvus_column *c, size_t row, float *value)
{
    size_t k;
    const Milvus__Proto__Schema__ScalarField *s;
    if (!value || vindex(c, row, &k) || !(s = scalars(c)) || s->data_case != SF(FLOAT_DATA))
        return MILVUS_ERR_INVALID_ARGUMENT;
    *value = s->float_data->data[k];
    return MILVUS_OK;
}

milvus_status milvus_column_get_double(const milvus_column *c, size_t row, double *value)
{
    size_t k;
    const Milvus__Proto__Schema__ScalarField *s;
    if (!value || vindex(c, row, &k) || !(s = scalars(c)))
        return MILVUS_ERR_INVALID_ARGUMENT;
    if (s->data_case == SF(FLOAT_DATA))
        *value = s->float_data->data[k];
    else if (s->data_case == SF(DOUBLE_DATA))
        *value = s->double_data->data[k];
    else
        return MILVUS_ERR_INVALID_ARGUMENT;
    return MILVUS_OK;
}

milvus_status milvus_column_get_string(const milvus_column *c, size_t row, const char **value,
                                       size_t *len)
{
    size_t k;
    const Milvus__Proto__Schema__ScalarField *s;
    const char *p;
    size_t n;
    if (!value || vindex(c, row, &k) || !(s = scalars(c)))
        return MILVUS_ERR_INVALID_ARGUMENT;
    switch (s->data_case) {
    case SF(STRING_DATA):
        p = s->string_data->data[k];
        n = strlen(p);
        break;
    case SF(GEOMETRY_WKT_DATA):
        p = s->geometry_wkt_data->data[k];
        n = strlen(p);
        break;
    case SF(JSON_DATA):
        p = (const char *)s->json_data->data[k].data;
        n = s->json_data->data[k].len;
        break;
    case SF(GEOMETRY_DATA):
        p = (const char *)s->geometry_data->data[k].data;
        n = s->geometry_data->data[k].len;
        break;
    default: return MILVUS_ERR_INVALID_ARGUMENT;
    }
    *value = p ? p : "";
    if (len)
        *len = n;
    return MILVUS_OK;
}

milvus_status milvus_column_get_vector(const milvus_column *c, size_t row, const void **data,
                                       size_t *bytes)
{
    size_t k, rb;
    const Milvus__Proto__Schema__VectorField *v;
    const uint8_t *base;
    if (!data || vindex(c, row, &k) ||
        c->fd->field_case != MILVUS__PROTO__SCHEMA__FIELD_DATA__FIELD_VECTORS)
        return MILVUS_ERR_INVALID_ARGUMENT;
    v = c->fd->vectors;
    rb = vec_row_bytes((int)c->fd->type, v->dim);
    if (!rb)
        return MILVUS_ERR_INVALID_ARGUMENT;
    switch (v->data_case) {
    case VF(FLOAT_VECTOR): base = (const uint8_t *)v->float_vector->data; break;
    case VF(BINARY_VECTOR): base = v->binary_vector.data; break;
    case VF(FLOAT16_VECTOR): base = v->float16_vector.data; break;
    case VF(BFLOAT16_VECTOR): base = v->bfloat16_vector.data; break;
    case VF(INT8_VECTOR): base = v->int8_vector.data; break;
    default: return MILVUS_ERR_INVALID_ARGUMENT;
    }
    *data = base + k * rb;
    if (bytes)
        *bytes = rb;
    return MILVUS_OK;
}

static const ProtobufCBinaryData *sparse_row(const milvus_column *c, size_t row)
{
    size_t k;
    if (vindex(c, row, &k) ||
        c->fd->field_case != MILVUS__PROTO__SCHEMA__FIELD_DATA__FIELD_VECTORS ||
        c->fd->vectors->data_case != VF(SPARSE_FLOAT_VECTOR))
        return NULL;
    return &c->fd->vectors->sparse_float_vector->contents[k];
}

milvus_status milvus_column_get_sparse(const milvus_column *c, size_t row, size_t *nnz)
{
    const ProtobufCBinaryData *b = sparse_row(c, row);
    if (!b || !nnz)
        return MILVUS_ERR_INVALID_ARGUMENT;
    *nnz = b->len / 8;
    return MILVUS_OK;
}

milvus_status milvus_column_get_sparse_at(const milvus_column *c, size_t row, size_t k,
                                          uint32_t *index, float *value)
{
    const ProtobufCBinaryData *b = sparse_row(c, row);
    uint32_t fv;
    if (!b || k >= b->len / 8)
        return MILVUS_ERR_INVALID_ARGUMENT;
    if (index)
        *index = get_le32(b->data + 8 * k);
    fv = get_le32(b->data + 8 * k + 4);
    if (value)
        memcpy(value, &fv, 4);
    return MILVUS_OK;
}

static const Milvus__Proto__Schema__ScalarField *array_row(const milvus_column *c, size_t row)
{
    size_t k;
    const Milvus__Proto__Schema__ScalarField *s;
    if (vindex(c, row, &k) || !(s = scalars(c)) || s->data_case != SF(ARRAY_DATA))
        return NULL;
    return s->array_data->data[k];
}

milvus_status milvus_column_array_length(const milvus_column *c, size_t row, size_t *len)
{
    const Milvus__Proto__Schema__ScalarField *s = array_row(c, row);
    milvus_column tmp;
    mv_fd fd = MILVUS__PROTO__SCHEMA__FIELD_DATA__INIT;
    if (!s || !len)
        return MILVUS_ERR_INVALID_ARGUMENT;
    fd.field_case = MILVUS__PROTO__SCHEMA__FIELD_DATA__FIELD_SCALARS;
    fd.scalars = (Milvus__Proto__Schema__ScalarField *)s;
    memset(&tmp, 0, sizeof(tmp));
    tmp.fd = &fd;
    *len = mv_fd_values(&fd);
    return MILVUS_OK;
}

/* A temporary column over one array row, so the scalar getters apply. */
static int array_elem(const milvus_column *c, size_t row, size_t k, mv_fd *fd, milvus_column *tmp)
{
    const Milvus__Proto__Schema__ScalarField *s = array_row(c, row);
    mv_fd init = MILVUS__PROTO__SCHEMA__FIELD_DATA__INIT;
    if (!s)
        return MILVUS_ERR_INVALID_ARGUMENT;
    *fd = init;
    fd->field_case = MILVUS__PROTO__SCHEMA__FIELD_DATA__FIELD_SCALARS;
    fd->scalars = (Milvus__Proto__Schema__ScalarField *)s;
    memset(tmp, 0, sizeof(*tmp));
    tmp->fd = fd;
    tmp->rows = mv_fd_values(fd);
    return k < tmp->rows ? MILVUS_OK : MILVUS_ERR_INVALID_ARGUMENT;
}

milvus_status milvus_column_array_get_int(const milvus_column *c, size_t row, size_t k,
                                          int64_t *value)
{
    mv_fd fd;
    milvus_column tmp;
    if (array_elem(c, row, k, &fd, &tmp))
        return MILVUS_ERR_INVALID_ARGUMENT;
    return milvus_column_get_int(&tmp, k, value);
}

milvus_status milvus_column_array_get_double(const milvus_column *c, size_t row, size_t k,
                                             double *value)
{
    mv_fd fd;
    milvus_column tmp;
    if (array_elem(c, row, k, &fd, &tmp))
        return MILVUS_ERR_INVALID_ARGUMENT;
    return milvus_column_get_double(&tmp, k, value);
}

milvus_status milvus_column_array_get_bool(const milvus_column *c, size_t row, size_t k, int *value)
{
    mv_fd fd;
    milvus_column tmp;
    if (array_elem(c, row, k, &fd, &tmp))
        return MILVUS_ERR_INVALID_ARGUMENT;
    return milvus_column_get_bool(&tmp, k, value);
}

milvus_status milvus_column_array_get_string(const milvus_column *c, size_t row, size_t k,
                                             const char **value, size_t *len)
{
    mv_fd fd;
    milvus_column tmp;
    if (array_elem(c, row, k, &fd, &tmp))
        return MILVUS_ERR_INVALID_ARGUMENT;
    return milvus_column_get_string(&tmp, k, value, len);
}

/* ---- schema checks ----------------------------------------------------------- */

static const char *param(const mv_fs *f, const char *key)
{
    for (size_t i = 0; i < f->n_type_params; i++)
        if (strcmp(f->type_params[i]->key, key) == 0)
            return f->type_params[i]->value;
    return NULL;
}

int mv_column_check(const milvus_column *col, const mv_fs *f, char *err, size_t len)
{
    int ct = (int)col->fd->type, ft = (int)f->data_type;
    int str_ok = mv_type_is_string(ct) && mv_type_is_string(ft);
    if (ct != ft && !str_ok) {
        mv_errf(err, len, "field '%s' is %s but the column is %s", f->name,
                milvus_data_type_name(ft), milvus_data_type_name(ct));
        return MILVUS_ERR_INVALID_ARGUMENT;
    }
    if (vec_row_bytes(ft, 1) || ft == MILVUS_TYPE_BINARY_VECTOR) {
        const char *d = param(f, "dim");
        int64_t dim = d ? strtoll(d, NULL, 10) : 0;
        if (d && dim != col->dim) {
            mv_errf(err, len, "field '%s' has dimension %lld but the column has %lld", f->name,
                    (long long)dim, (long long)col->dim);
            return MILVUS_ERR_INVALID_ARGUMENT;
        }
    }
    if (ft == MILVUS_TYPE_ARRAY) {
        milvus_data_type et = milvus_column_element_type(col);
        if ((int)et != (int)f->element_type &&
            !(mv_type_is_string((int)et) && mv_type_is_string((int)f->element_type))) {
            mv_errf(err, len, "array field '%s' holds %s but the column holds %s", f->name,
                    milvus_data_type_name((int)f->element_type), milvus_data_type_name((int)et));
            return MILVUS_ERR_INVALID_ARGUMENT;
        }
    }
    /* NULL rows of a field with a default value take the default */
    if (col->fd->n_valid_data && !f->nullable && !f->default_value) {
        mv_errf(err, len, "field '%s' is not nullable but the column has NULL flags", f->name);
        return MILVUS_ERR_INVALID_ARGUMENT;
    }
    return MILVUS_OK;
}
