/* SPDX-License-Identifier: Apache-2.0 */
/*
 * libmilvus — columns: the data of one field for many rows.
 *
 * Inserts and upserts take columns; query and search results hand out
 * columns.  Every data type of <milvus/schema.h> has a constructor.
 *
 * Ownership
 *  - The milvus_column_new_* constructors COPY the caller's buffers before
 *    they return; the caller may reuse them at once.
 *  - milvus_column_wrap() does NOT copy: the buffer must stay valid and
 *    unchanged until the column is freed.  (A request is serialized when
 *    the insert is submitted, so once the submitting function has returned
 *    a wrapped buffer is no longer read by that insert.)
 *  - Columns returned by a result are views into the response: they are
 *    valid while the result is (during the callback, or until
 *    milvus_result_unref() when kept with milvus_result_ref()), and must
 *    not be freed by the caller.
 *
 * Constructors return MILVUS_OK, MILVUS_ERR_INVALID_ARGUMENT (out or data
 * NULL with rows > 0, bad name, dimension out of range, unsorted sparse
 * indices, invalid UTF-8 in a string, bad offsets) or MILVUS_ERR_NOMEM;
 * *out is set only on success.
 */
#ifndef MILVUS_COLUMN_H
#define MILVUS_COLUMN_H

#include <milvus/common.h>
#include <milvus/schema.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct milvus_column milvus_column;

/* ---- scalar columns (copying) ----------------------------------------- */

/* values: one byte per row, 0 = false. */
MILVUS_EXTERN milvus_status milvus_column_new_bool(milvus_column **out, const char *name,
                                                   const uint8_t *values, size_t rows);
MILVUS_EXTERN milvus_status milvus_column_new_int8(milvus_column **out, const char *name,
                                                   const int8_t *values, size_t rows);
MILVUS_EXTERN milvus_status milvus_column_new_int16(milvus_column **out, const char *name,
                                                    const int16_t *values, size_t rows);
MILVUS_EXTERN milvus_status milvus_column_new_int32(milvus_column **out, const char *name,
                                                    const int32_t *values, size_t rows);
MILVUS_EXTERN milvus_status milvus_column_new_int64(milvus_column **out, const char *name,
                                                    const int64_t *values, size_t rows);
MILVUS_EXTERN milvus_status milvus_column_new_float(milvus_column **out, const char *name,
                                                    const float *values, size_t rows);
MILVUS_EXTERN milvus_status milvus_column_new_double(milvus_column **out, const char *name,
                                                     const double *values, size_t rows);
/* Timestamptz: microseconds since the Unix epoch, UTC. */
MILVUS_EXTERN milvus_status milvus_column_new_timestamptz(milvus_column **out, const char *name,
                                                          const int64_t *values, size_t rows);
/* String-valued types: type is MILVUS_TYPE_VARCHAR, _STRING, _TEXT, _JSON
 * (each value one JSON document) or _GEOMETRY (each value WKT text).  Every
 * value must be valid UTF-8 and non-NULL. */
MILVUS_EXTERN milvus_status milvus_column_new_strings(milvus_column **out, const char *name,
                                                      milvus_data_type type,
                                                      const char *const *values, size_t rows);
MILVUS_EXTERN milvus_status milvus_column_new_varchar(milvus_column **out, const char *name,
                                                      const char *const *values, size_t rows);
MILVUS_EXTERN milvus_status milvus_column_new_json(milvus_column **out, const char *name,
                                                   const char *const *values, size_t rows);
/* Array column: row r holds elements [offsets[r], offsets[r+1]) of
 * elements (offsets has rows+1 entries, non-decreasing, offsets[0] == 0).
 * elements is typed by element_type: uint8_t for Bool, int8_t/int16_t/
 * int32_t/int64_t, float, double, const char * for VarChar/String. */
MILVUS_EXTERN milvus_status milvus_column_new_array(milvus_column **out, const char *name,
                                                    milvus_data_type element_type, size_t rows,
                                                    const uint64_t *offsets, const void *elements);

/* ---- vector columns (copying) ----------------------------------------- */

/* rows * dim floats, row-major. */
MILVUS_EXTERN milvus_status milvus_column_new_float_vector(milvus_column **out, const char *name,
                                                           int64_t dim, const float *data,
                                                           size_t rows);
/* dim in bits (multiple of 8); rows * dim/8 bytes. */
MILVUS_EXTERN milvus_status milvus_column_new_binary_vector(milvus_column **out, const char *name,
                                                            int64_t dim, const uint8_t *data,
                                                            size_t rows);
/* IEEE half / bfloat16 values as raw 16-bit words (little-endian order in
 * memory on the wire); rows * dim words. */
MILVUS_EXTERN milvus_status milvus_column_new_float16_vector(milvus_column **out, const char *name,
                                                             int64_t dim, const uint16_t *data,
                                                             size_t rows);
MILVUS_EXTERN milvus_status milvus_column_new_bfloat16_vector(milvus_column **out, const char *name,
                                                              int64_t dim, const uint16_t *data,
                                                              size_t rows);
MILVUS_EXTERN milvus_status milvus_column_new_int8_vector(milvus_column **out, const char *name,
                                                          int64_t dim, const int8_t *data,
                                                          size_t rows);
/* Sparse vectors in CSR form: row r has the non-zeros
 * [offsets[r], offsets[r+1]) of indices/values; indices of a row must be
 * strictly increasing. */
MILVUS_EXTERN milvus_status milvus_column_new_sparse_vector(milvus_column **out, const char *name,
                                                            size_t rows, const uint64_t *offsets,
                                                            const uint32_t *indices,
                                                            const float *values);

/* ---- zero-copy ---------------------------------------------------------- */

/* Wraps a caller buffer without copying (see the ownership rules above).
 * type: MILVUS_TYPE_INT32, _INT64, _FLOAT, _DOUBLE, _TIMESTAMPTZ (dim 0), or
 * a dense vector type (FLOAT, BINARY, FLOAT16, BFLOAT16, INT8 vector) with
 * its dim.  Element layout as for the copying constructors. */
MILVUS_EXTERN milvus_status milvus_column_wrap(milvus_column **out, const char *name,
                                               milvus_data_type type, int64_t dim, const void *data,
                                               size_t rows);

/* ---- modifiers ---------------------------------------------------------- */

/* Makes the column nullable: valid has `rows` bytes (0 = NULL); the values
 * given to the constructor are the non-NULL rows only, in order, so their
 * count must equal the number of non-zero bytes in valid.  The column then
 * has `rows` rows.  valid is copied.  Not for vector columns. */
MILVUS_EXTERN milvus_status milvus_column_set_valid(milvus_column *c, const uint8_t *valid,
                                                    size_t rows);
/* Marks a JSON column as the dynamic field: each row must be a JSON
 * object whose keys are fields not in the schema.  The name is ignored. */
MILVUS_EXTERN milvus_status milvus_column_set_dynamic(milvus_column *c, int on);

/* Frees a column made by a constructor; NULL is a no-op.  Never call it on
 * a column borrowed from a result. */
MILVUS_EXTERN void milvus_column_free(milvus_column *c);

/* ---- accessors (input columns and result views) ------------------------- */

MILVUS_EXTERN const char *milvus_column_name(const milvus_column *c);
MILVUS_EXTERN milvus_data_type milvus_column_type(const milvus_column *c);
/* Element type of an Array column, MILVUS_TYPE_NONE otherwise. */
MILVUS_EXTERN milvus_data_type milvus_column_element_type(const milvus_column *c);
MILVUS_EXTERN size_t milvus_column_rows(const milvus_column *c);
/* Dimension of a dense vector column (bits for binary), 0 otherwise. */
MILVUS_EXTERN int64_t milvus_column_dim(const milvus_column *c);
MILVUS_EXTERN int milvus_column_is_dynamic(const milvus_column *c);
/* 1 when row is NULL (nullable column), 0 otherwise or out of range. */
MILVUS_EXTERN int milvus_column_is_null(const milvus_column *c, size_t row);

/* Typed getters.  Return MILVUS_OK, or MILVUS_ERR_INVALID_ARGUMENT when
 * the row is out of range, the value is NULL or the type does not fit:
 *   get_bool: Bool; get_int: Int8..Int64, Timestamptz (microseconds since
 *   the epoch, also where the server returns RFC 3339 text, as Milvus does
 *   in query results: get_string gives that text); get_float: Float;
 *   get_double: Float, Double; get_string: VarChar, String, Text, JSON,
 *   Geometry (the bytes are not NUL-terminated: use *len);
 *   get_vector: dense vectors, *bytes = size of one row's vector. */
MILVUS_EXTERN milvus_status milvus_column_get_bool(const milvus_column *c, size_t row, int *value);
MILVUS_EXTERN milvus_status milvus_column_get_int(const milvus_column *c, size_t row,
                                                  int64_t *value);
MILVUS_EXTERN milvus_status milvus_column_get_float(const milvus_column *c, size_t row,
                                                    float *value);
MILVUS_EXTERN milvus_status milvus_column_get_double(const milvus_column *c, size_t row,
                                                     double *value);
MILVUS_EXTERN milvus_status milvus_column_get_string(const milvus_column *c, size_t row,
                                                     const char **value, size_t *len);
MILVUS_EXTERN milvus_status milvus_column_get_vector(const milvus_column *c, size_t row,
                                                     const void **data, size_t *bytes);
/* Sparse row: *nnz non-zeros; the k-th is read with
 * milvus_column_get_sparse_at(). */
MILVUS_EXTERN milvus_status milvus_column_get_sparse(const milvus_column *c, size_t row,
                                                     size_t *nnz);
MILVUS_EXTERN milvus_status milvus_column_get_sparse_at(const milvus_column *c, size_t row,
                                                        size_t k, uint32_t *index, float *value);
/* Arrays: the number of elements in row, and element getters. */
MILVUS_EXTERN milvus_status milvus_column_array_length(const milvus_column *c, size_t row,
                                                       size_t *len);
MILVUS_EXTERN milvus_status milvus_column_array_get_int(const milvus_column *c, size_t row,
                                                        size_t k, int64_t *value);
MILVUS_EXTERN milvus_status milvus_column_array_get_double(const milvus_column *c, size_t row,
                                                           size_t k, double *value);
MILVUS_EXTERN milvus_status milvus_column_array_get_bool(const milvus_column *c, size_t row,
                                                         size_t k, int *value);
MILVUS_EXTERN milvus_status milvus_column_array_get_string(const milvus_column *c, size_t row,
                                                           size_t k, const char **value,
                                                           size_t *len);

#ifdef __cplusplus
}
#endif

/* ---- arrays of columns ------------------------------------------------ */

/* The write functions (milvus_client_insert(), milvus_client_upsert() and
 * their milvus_sync_ forms) take an array of columns as
 * `const milvus_column *const *`: they read the columns and never change
 * them.  Both natural spellings of such an array may be passed,
 *
 *     milvus_column *cols[3];          (columns made by the constructors)
 *     const milvus_column *cols[3];    (columns taken from a result)
 *
 * as may NULL with no columns.  C++ converts either by itself.  C does not
 * convert `milvus_column **` to `const milvus_column *const *` implicitly,
 * so in C each write function is also a macro of the same name that
 * accepts exactly these types (checked at compile time with C11
 * _Generic, or GCC's and Clang's extension of it in C99) and passes them
 * on.  The functions themselves remain: `(milvus_client_insert)(...)` or
 * `&milvus_client_insert` bypass the macro. */
#if !defined(__cplusplus)
#if (defined(__STDC_VERSION__) && __STDC_VERSION__ >= 201112L) || defined(__GNUC__) ||             \
    defined(__clang__)
#if defined(__GNUC__) || defined(__clang__)
#define MILVUS_GENERIC_ __extension__ _Generic
#else
#define MILVUS_GENERIC_ _Generic
#endif
#define MILVUS_COLUMN_ARRAY(cols)                                                                  \
    MILVUS_GENERIC_((cols), milvus_column **: (const milvus_column *const *)(cols),                \
                    milvus_column *const *: (const milvus_column *const *)(cols),                  \
                    const milvus_column **: (const milvus_column *const *)(cols),                  \
                    const milvus_column *const *: (const milvus_column *const *)(cols),            \
                    void *: (const milvus_column *const *)(cols))
#else
/* A C99 compiler without the extension: converted unchecked. */
#define MILVUS_COLUMN_ARRAY(cols) ((const milvus_column *const *)(cols))
#endif
#endif

#endif /* MILVUS_COLUMN_H */
