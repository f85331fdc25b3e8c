/* SPDX-License-Identifier: Apache-2.0 */
/*
 * libmilvus — collection schemas: data types, fields and the schema builder.
 *
 * A milvus_schema describes a collection: its fields (name, data type,
 * primary key, vector dimension, lengths, nullability, defaults, ...) and
 * whether a dynamic field is enabled.  Build one with milvus_schema_new()
 * and milvus_schema_add_field(), pass it to milvus_client_create_collection();
 * milvus_result_schema() returns the one a DescribeCollection answered.
 *
 * Ownership: every string passed to a setter is copied; a field added to a
 * schema is copied, so the caller still owns (and frees) its milvus_field.
 * Setters return MILVUS_OK, MILVUS_ERR_INVALID_ARGUMENT (NULL handle, empty,
 * over-long or non-UTF-8 name, value out of range, setter not applicable to
 * the field's type) or MILVUS_ERR_NOMEM.
 *
 * Refused values: the field or schema keeps its previous value and records
 * a message naming the setter, the value and what is accepted, e.g.
 *   "milvus_field_set_dim: dim 0 is out of range for field "vec"
 *   (FloatVector) (1..32768)"
 * (milvus_field_last_error(), milvus_schema_last_error()), and becomes
 * invalid until that setter accepts a value (set_type_param: for the same
 * key).  milvus_schema_add_field() refuses an invalid field, and a field
 * it refuses (for any reason) makes the schema invalid until a later
 * add_field succeeds; an invalid schema fails milvus_schema_validate() and
 * milvus_client_create_collection() with the message.  NULL handles give
 * MILVUS_ERR_INVALID_ARGUMENT and record nothing.
 */
#ifndef MILVUS_SCHEMA_H
#define MILVUS_SCHEMA_H

#include <milvus/common.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Data types; the values are the wire values of schema.proto DataType. */
typedef enum milvus_data_type {
    MILVUS_TYPE_NONE = 0,
    MILVUS_TYPE_BOOL = 1,
    MILVUS_TYPE_INT8 = 2,
    MILVUS_TYPE_INT16 = 3,
    MILVUS_TYPE_INT32 = 4,
    MILVUS_TYPE_INT64 = 5,
    MILVUS_TYPE_FLOAT = 10,
    MILVUS_TYPE_DOUBLE = 11,
    MILVUS_TYPE_STRING = 20,
    MILVUS_TYPE_VARCHAR = 21,
    MILVUS_TYPE_ARRAY = 22,
    MILVUS_TYPE_JSON = 23,
    MILVUS_TYPE_GEOMETRY = 24,
    MILVUS_TYPE_TEXT = 25,
    MILVUS_TYPE_TIMESTAMPTZ = 26,
    MILVUS_TYPE_BINARY_VECTOR = 100,
    MILVUS_TYPE_FLOAT_VECTOR = 101,
    MILVUS_TYPE_FLOAT16_VECTOR = 102,
    MILVUS_TYPE_BFLOAT16_VECTOR = 103,
    MILVUS_TYPE_SPARSE_FLOAT_VECTOR = 104,
    MILVUS_TYPE_INT8_VECTOR = 105,
} milvus_data_type;

/* The type's name as Milvus spells it ("FloatVector"), or "Unknown". */
MILVUS_EXTERN const char *milvus_data_type_name(int type);
/* 1 for the vector types, 0 otherwise. */
MILVUS_EXTERN int milvus_data_type_is_vector(int type);

/* Consistency levels (common.proto ConsistencyLevel). */
typedef enum milvus_consistency {
    MILVUS_CONSISTENCY_STRONG = 0,
    MILVUS_CONSISTENCY_SESSION = 1,
    MILVUS_CONSISTENCY_BOUNDED = 2,
    MILVUS_CONSISTENCY_EVENTUALLY = 3,
} milvus_consistency;

/* Longest collection, field, partition, index, alias or database name. */
#define MILVUS_MAX_NAME_LEN 255

/* ---- fields ---------------------------------------------------------- */

typedef struct milvus_field milvus_field;

/* A new field.  Returns MILVUS_OK, MILVUS_ERR_INVALID_ARGUMENT (out NULL,
 * bad name, unknown type) or MILVUS_ERR_NOMEM; *out is set only on success. */
MILVUS_EXTERN milvus_status milvus_field_new(milvus_field **out, const char *name,
                                             milvus_data_type type);
MILVUS_EXTERN void milvus_field_free(milvus_field *f);
/* The message of the newest refused value (see above), "" when none or f
 * is NULL; never NULL. */
MILVUS_EXTERN const char *milvus_field_last_error(const milvus_field *f);

/* UTF-8, not NULL (default ""). */
MILVUS_EXTERN milvus_status milvus_field_set_description(milvus_field *f, const char *description);
/* Primary key (on refused except for Int64 or VarChar fields; default
 * off). */
MILVUS_EXTERN milvus_status milvus_field_set_primary_key(milvus_field *f, int on);
/* Server-generated primary keys (needs the primary key flag). */
MILVUS_EXTERN milvus_status milvus_field_set_auto_id(milvus_field *f, int on);
/* Dimension of a dense vector field: 1..32768; BinaryVector 8..262144, a
 * multiple of 8 (bits).  Refused for other types.  No default: a dense
 * vector field needs one. */
MILVUS_EXTERN milvus_status milvus_field_set_dim(milvus_field *f, int64_t dim);
/* Maximum length in bytes of a VarChar, String or Text (or of the VarChar
 * elements of an Array): 1..1048560.  No default: VarChar needs one. */
MILVUS_EXTERN milvus_status milvus_field_set_max_length(milvus_field *f, int64_t max_length);
/* Array fields only: the element type (Bool, Int8..Int64, Float, Double,
 * VarChar or String; no default) and the capacity (1..4096; no
 * default). */
MILVUS_EXTERN milvus_status milvus_field_set_element_type(milvus_field *f, milvus_data_type type);
MILVUS_EXTERN milvus_status milvus_field_set_max_capacity(milvus_field *f, int64_t capacity);
/* Nullable (on refused for vector fields; default off). */
MILVUS_EXTERN milvus_status milvus_field_set_nullable(milvus_field *f, int on);
MILVUS_EXTERN milvus_status milvus_field_set_partition_key(milvus_field *f, int on);
MILVUS_EXTERN milvus_status milvus_field_set_clustering_key(milvus_field *f, int on);
/* Any other type parameter (e.g. "enable_analyzer" = "true"): key
 * non-empty, value not NULL. */
MILVUS_EXTERN milvus_status milvus_field_set_type_param(milvus_field *f, const char *key,
                                                        const char *value);
/* Default values (default: none); the setter must match the field's type
 * family (bool for Bool, int for Int8..Int64 and Timestamptz -- within the
 * range of Int8, Int16, Int32 --, float for Float, double for Double,
 * string (UTF-8, not NULL) for VarChar/String/Text/JSON/Geometry(WKT)). */
MILVUS_EXTERN milvus_status milvus_field_set_default_bool(milvus_field *f, int value);
MILVUS_EXTERN milvus_status milvus_field_set_default_int(milvus_field *f, int64_t value);
MILVUS_EXTERN milvus_status milvus_field_set_default_float(milvus_field *f, float value);
MILVUS_EXTERN milvus_status milvus_field_set_default_double(milvus_field *f, double value);
MILVUS_EXTERN milvus_status milvus_field_set_default_string(milvus_field *f, const char *value);

/* Getters (valid as long as the field or the schema holding it). */
MILVUS_EXTERN const char *milvus_field_name(const milvus_field *f);
MILVUS_EXTERN milvus_data_type milvus_field_type(const milvus_field *f);
MILVUS_EXTERN milvus_data_type milvus_field_element_type(const milvus_field *f);
MILVUS_EXTERN const char *milvus_field_description(const milvus_field *f);
MILVUS_EXTERN int64_t milvus_field_id(const milvus_field *f);
/* 0 when the field has no dimension. */
MILVUS_EXTERN int64_t milvus_field_dim(const milvus_field *f);
MILVUS_EXTERN int64_t milvus_field_max_length(const milvus_field *f);
MILVUS_EXTERN int64_t milvus_field_max_capacity(const milvus_field *f);
MILVUS_EXTERN int milvus_field_is_primary_key(const milvus_field *f);
MILVUS_EXTERN int milvus_field_is_auto_id(const milvus_field *f);
MILVUS_EXTERN int milvus_field_is_nullable(const milvus_field *f);
MILVUS_EXTERN int milvus_field_is_partition_key(const milvus_field *f);
MILVUS_EXTERN int milvus_field_is_clustering_key(const milvus_field *f);
MILVUS_EXTERN int milvus_field_is_dynamic(const milvus_field *f);
MILVUS_EXTERN int milvus_field_has_default(const milvus_field *f);
/* A type parameter's value, or NULL. */
MILVUS_EXTERN const char *milvus_field_type_param(const milvus_field *f, const char *key);

/* ---- schemas --------------------------------------------------------- */

typedef struct milvus_schema milvus_schema;

/* A new, empty schema; name may be NULL (the collection name is used). */
MILVUS_EXTERN milvus_status milvus_schema_new(milvus_schema **out, const char *name);
MILVUS_EXTERN void milvus_schema_free(milvus_schema *s);
/* The message of the newest refused value or field (see above), "" when
 * none or s is NULL; never NULL. */
MILVUS_EXTERN const char *milvus_schema_last_error(const milvus_schema *s);
/* UTF-8, not NULL (default "").  The schema setters refuse a schema that
 * belongs to a result (milvus_result_schema()). */
MILVUS_EXTERN milvus_status milvus_schema_set_description(milvus_schema *s,
                                                          const char *description);
/* Enables the dynamic field ($meta): columns not in the schema are stored
 * as keys of a JSON object. */
MILVUS_EXTERN milvus_status milvus_schema_set_dynamic_field(milvus_schema *s, int on);
/* Copies f into the schema.  Rejects NULL, an invalid field (one holding a
 * refused value), a duplicate name, a second primary key, and a vector
 * field without dimension. */
MILVUS_EXTERN milvus_status milvus_schema_add_field(milvus_schema *s, const milvus_field *f);

/* Checks the whole schema as the server would before anything is sent:
 * exactly one primary key, at least one vector field, dimensions and
 * lengths present, and no refused value kept ("invalid schema: ...").
 * Returns MILVUS_OK or MILVUS_ERR_INVALID_ARGUMENT with a message in err
 * (NUL-terminated, may be NULL). */
MILVUS_EXTERN milvus_status milvus_schema_validate(const milvus_schema *s, char *err,
                                                   size_t err_len);

MILVUS_EXTERN const char *milvus_schema_name(const milvus_schema *s);
MILVUS_EXTERN const char *milvus_schema_description(const milvus_schema *s);
MILVUS_EXTERN int milvus_schema_dynamic_field(const milvus_schema *s);
MILVUS_EXTERN size_t milvus_schema_field_count(const milvus_schema *s);
/* The i-th field (NULL when out of range) or the one named name (NULL when
 * absent); borrowed from the schema. */
MILVUS_EXTERN const milvus_field *milvus_schema_field_at(const milvus_schema *s, size_t i);
MILVUS_EXTERN const milvus_field *milvus_schema_field(const milvus_schema *s, const char *name);
MILVUS_EXTERN const milvus_field *milvus_schema_primary_field(const milvus_schema *s);

#ifdef __cplusplus
}
#endif

#endif /* MILVUS_SCHEMA_H */
