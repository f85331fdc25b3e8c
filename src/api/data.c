/* SPDX-License-Identifier: Apache-2.0 */
/* Writes: insert, upsert (with the schema cache and the schema-mismatch
 * retry), delete by filter or by ids. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/api.h"
#include "common/reqbuf.h"
#include "wire/grpc_wire.h"

/* The definitions below are the functions behind the write macros of
 * <milvus/client.h>. */
#undef milvus_client_insert
#undef milvus_client_upsert

/* ---- write options ------------------------------------------------------------- */

struct milvus_write_options {
    char *partition;
    int partial;
    int zero_copy;
    mv_opterr err; /* refused setter values */
};

milvus_write_options *milvus_write_options_new(void)
{
    return calloc(1, sizeof(milvus_write_options));
}

void milvus_write_options_free(milvus_write_options *o)
{
    if (!o)
        return;
    free(o->partition);
    mv_opterr_free(&o->err);
    free(o);
}

const char *milvus_write_options_last_error(const milvus_write_options *o)
{
    return mv_opterr_msg(o ? &o->err : NULL);
}

milvus_status milvus_write_options_set_partition(milvus_write_options *o, const char *name)
{
    char *d;
    int rc;
    if (!o)
        return MILVUS_ERR_INVALID_ARGUMENT;
    if ((rc = mv_setter_name(&o->err, __func__, "partition", name)) != MILVUS_OK)
        return rc;
    if (!(d = mv_strdup(name)))
        return MILVUS_ERR_NOMEM;
    free(o->partition);
    o->partition = d;
    mv_accept(&o->err, __func__, NULL);
    return MILVUS_OK;
}

milvus_status milvus_write_options_set_partial_update(milvus_write_options *o, int on)
{
    if (!o)
        return MILVUS_ERR_INVALID_ARGUMENT;
    o->partial = on != 0;
    return MILVUS_OK;
}

milvus_status milvus_write_options_set_zero_copy(milvus_write_options *o, int on)
{
    if (!o)
        return MILVUS_ERR_INVALID_ARGUMENT;
    o->zero_copy = on != 0;
    return MILVUS_OK;
}

/* ---- insert / upsert ----------------------------------------------------------- */

/* The columns are packed once, when the write is submitted, straight into
 * the buffer the transport sends from; no copy of them is kept.  With
 * zero copy the large arrays are not even copied there: the buffer points
 * into the caller's columns (kept in fds), which the caller keeps valid
 * until the callback.  Only the rare paths -- the schema had to be fetched
 * first, or the server answered "schema mismatch" -- look at the columns
 * again (unpacking the copied request) to check them against the fetched
 * schema and re-pack the request with its schema timestamp. */
typedef struct write_job {
    int upsert;
    int partial;
    int schema_retries; /* re-sends after a schema mismatch (code 109) */
    uint32_t rows;
    int fetching; /* this op fetches the schema for concurrent writes */
    milvus_client *c;
    const char *coll; /* the op's (valid while the op is) */
    char *partition;
    mv_fd **fds; /* zero copy: the caller's columns; NULL otherwise */
    size_t n;
    mv_reqbuf *rb; /* the packed Insert/UpsertRequest */
} write_job;

/* Ends the fetch this op made for the writes parked behind it: cached or
 * not, they go on (a write that was cancelled, failed or freed mid-fetch
 * ends it too, from write_job_free). */
static void end_fetch(write_job *j)
{
    if (j->fetching) {
        j->fetching = 0;
        mv_schema_fetch_end(j->c, j->coll);
    }
}

static void write_job_free(void *p)
{
    write_job *j = p;
    end_fetch(j);
    mv_reqbuf_unref(j->rb);
    free(j->fds);
    free(j->partition);
    free(j);
}

static const char *write_method(const write_job *j)
{
    return j->upsert ? MV_RPC("Upsert") : MV_RPC("Insert");
}

/* Packs the job's request with these columns and schema timestamp: the
 * head, then the columns (copied, or with zero copy their vectors
 * borrowed). */
static mv_reqbuf *pack_write(const write_job *j, char *coll, mv_fd **fds, size_t n, uint64_t ts,
                             size_t max, size_t *big)
{
    ProtobufCMessage *m;
    /* InsertRequest has the same fields 1-8; its namespace (9) stays unset */
    Milvus__Proto__Milvus__UpsertRequest up = MILVUS__PROTO__MILVUS__UPSERT_REQUEST__INIT;
    Milvus__Proto__Milvus__InsertRequest in = MILVUS__PROTO__MILVUS__INSERT_REQUEST__INIT;
    if (j->upsert) {
        up.msg_base = &mv_msg_base;
        up.collection_name = coll;
        up.partition_name = j->partition;
        up.num_rows = j->rows;
        up.schema_timestamp = ts;
        up.partial_update = j->partial;
        m = &up.base;
    } else {
        in.msg_base = &mv_msg_base;
        in.collection_name = coll;
        in.partition_name = j->partition;
        in.num_rows = j->rows;
        in.schema_timestamp = ts;
        m = &in.base;
    }
    if (j->fds) /* fields_data is field 5 of both */
        return mv_pack_fields_borrowing(m, fds, n, 5, max, big);
    up.fields_data = in.fields_data = fds;
    up.n_fields_data = in.n_fields_data = n;
    return mv_pack_rb(m, mv_client_rbpool(j->c), max, big);
}

/* Checks the columns among themselves: non-NULL, same row count, unique
 * names.  Returns the row count through rows. */
static int check_columns(milvus_client *c, const char *op, const char *coll,
                         const milvus_column *const *cols, size_t n, size_t *rows)
{
    if (!cols || !n)
        return mv_client_seterr(c, MILVUS_ERR_INVALID_ARGUMENT, "%s on collection '%s': no columns",
                                op, coll);
    for (size_t i = 0; i < n; i++) {
        if (!cols[i])
            return mv_client_seterr(c, MILVUS_ERR_INVALID_ARGUMENT,
                                    "%s on collection '%s': column %zu is NULL", op, coll, i);
        if (i == 0)
            *rows = cols[0]->rows;
        else if (cols[i]->rows != *rows)
            return mv_client_seterr(c, MILVUS_ERR_INVALID_ARGUMENT,
                                    "%s on collection '%s': field '%s' has %zu rows but field "
                                    "'%s' has %zu",
                                    op, coll, cols[i]->fd->field_name, cols[i]->rows,
                                    cols[0]->fd->field_name, *rows);
        if (cols[i]->off != 0 || cols[i]->rows != mv_fd_rows(cols[i]->fd))
            return mv_client_seterr(c, MILVUS_ERR_INVALID_ARGUMENT,
                                    "%s on collection '%s': field '%s' is a result view", op, coll,
                                    cols[i]->fd->field_name);
        for (size_t k = 0; k < i; k++)
            if (!cols[i]->fd->is_dynamic &&
                strcmp(cols[i]->fd->field_name, cols[k]->fd->field_name) == 0)
                return mv_client_seterr(c, MILVUS_ERR_INVALID_ARGUMENT,
                                        "%s on collection '%s': field '%s' given twice", op, coll,
                                        cols[i]->fd->field_name);
    }
    if (*rows == 0)
        return mv_client_seterr(c, MILVUS_ERR_INVALID_ARGUMENT, "%s on collection '%s': no rows",
                                op, coll);
    if (*rows > UINT32_MAX)
        return mv_client_seterr(c, MILVUS_ERR_TOO_LARGE, "%s on collection '%s': too many rows", op,
                                coll);
    return MILVUS_OK;
}

/* Checks columns against the schema; err gets the message. */
static int check_schema(const mv_cs *s, const milvus_column *const *cols, size_t n, char *err,
                        size_t len)
{
    for (size_t i = 0; i < n; i++) {
        const mv_fs *f = NULL;
        if (cols[i]->fd->is_dynamic)
            continue;
        for (size_t k = 0; k < s->n_fields; k++)
            if (strcmp(s->fields[k]->name, cols[i]->fd->field_name) == 0)
                f = s->fields[k];
        if (!f) {
            /* dynamic values travel inside the one $meta JSON column */
            mv_errf(err, len,
                    s->enable_dynamic_field
                        ? "field '%s' is not in the schema: put dynamic keys into a JSON column "
                          "marked with milvus_column_set_dynamic()"
                        : "field '%s' is not in the schema",
                    cols[i]->fd->field_name);
            return MILVUS_ERR_INVALID_ARGUMENT;
        }
        if (mv_column_check(cols[i], f, err, len) != MILVUS_OK)
            return MILVUS_ERR_INVALID_ARGUMENT;
    }
    return MILVUS_OK;
}

static void write_schema_step(mv_op *op, milvus_result *res);
static void describe_for_write(mv_op *op);
static void write_job_free(void *p);

/* Max re-sends of a write after "schema mismatch" (the Go client retries
 * with a fresh schema too). */
#define MV_SCHEMA_RETRIES 3

static void mutation_step(mv_op *op, milvus_result *res)
{
    if (res->status == MILVUS_ERR_SERVER && res->server_code == 109) {
        write_job *j = op->data_free == write_job_free ? op->data : NULL;
        mv_cache_evict(op->c, op->coll); /* schema changed under us */
        if (j && j->schema_retries++ < MV_SCHEMA_RETRIES) {
            /* fetch the new schema, check the columns again, re-send */
            milvus_result_unref(res);
            describe_for_write(op);
            return;
        }
    }
    if (res->status == MILVUS_OK && res->msg) {
        Milvus__Proto__Milvus__MutationResult *r = (void *)res->msg;
        res->insert_cnt = r->insert_cnt;
        res->upsert_cnt = r->upsert_cnt;
        res->delete_cnt = r->delete_cnt;
        res->ts = r->timestamp;
        if (mv_result_fill_ids(res, r->ids) != MILVUS_OK) {
            mv_result_set_local(res, MILVUS_ERR_NOMEM, "out of memory");
        }
    }
    mv_op_finish(op, res);
}

/* After the DescribeCollection that filled the cache: check the columns
 * against the schema, re-pack with its timestamp, send. */
static void write_with_schema(mv_op *op, const mv_cs *schema, uint64_t ts);

static void write_schema_step(mv_op *op, milvus_result *res)
{
    Milvus__Proto__Milvus__DescribeCollectionResponse *r = (void *)res->msg;
    if (res->status != MILVUS_OK || !r || !r->schema) {
        mv_op_finish(op, res);
        return;
    }
    mv_cache_put(op->c, op->coll, r->schema, r->update_timestamp);
    end_fetch(op->data);
    write_with_schema(op, r->schema, r->update_timestamp);
    milvus_result_unref(res);
}

/* Fetches the schema for this write alone. */
static void describe_for_write(mv_op *op)
{
    mv_op_describe(op, write_schema_step);
}

/* A write parked behind another's schema fetch: go on with the cached
 * schema, or fetch it if that fetch failed. */
static void write_resume(mv_op *op)
{
    uint64_t ts = 0;
    const mv_cs *s = mv_cache_get(op->c, op->coll, &ts);
    if (s)
        write_with_schema(op, s, ts);
    else
        describe_for_write(op);
}

/* Checks the write's columns against the schema, re-packs the request with
 * its timestamp and sends it. */
static void write_with_schema(mv_op *op, const mv_cs *schema, uint64_t ts)
{
    write_job *j = op->data;
    ProtobufCMessage *m = NULL;
    mv_fd **fds = j->fds;
    size_t n = j->n, big;
    milvus_column **cols = NULL;
    mv_reqbuf *rb = NULL;
    char err[MV_ERRBUF];
    int rc = MILVUS_OK;
    if (!fds) {
        /* the columns as sent: unpack the copied request once more */
        m = protobuf_c_message_unpack(j->upsert
                                          ? &milvus__proto__milvus__upsert_request__descriptor
                                          : &milvus__proto__milvus__insert_request__descriptor,
                                      NULL, j->rb->len - MV_FRAME_HDR, mv_reqbuf_payload(j->rb));
        if (m && j->upsert) {
            fds = ((Milvus__Proto__Milvus__UpsertRequest *)m)->fields_data;
            n = ((Milvus__Proto__Milvus__UpsertRequest *)m)->n_fields_data;
        } else if (m) {
            fds = ((Milvus__Proto__Milvus__InsertRequest *)m)->fields_data;
            n = ((Milvus__Proto__Milvus__InsertRequest *)m)->n_fields_data;
        } else {
            rc = MILVUS_ERR_NOMEM;
        }
    }
    if (rc == MILVUS_OK && !(cols = calloc(n ? n : 1, sizeof(*cols))))
        rc = MILVUS_ERR_NOMEM;
    for (size_t i = 0; rc == MILVUS_OK && i < n; i++)
        if (!(cols[i] = mv_column_view(fds[i], 0, mv_fd_rows(fds[i]))))
            rc = MILVUS_ERR_NOMEM;
    if (rc == MILVUS_OK)
        rc = check_schema(schema, (const milvus_column *const *)cols, n, err, sizeof(err));
    if (rc == MILVUS_OK && !(rb = pack_write(j, op->coll, fds, n, ts, 0, &big)))
        rc = big ? MILVUS_ERR_TOO_LARGE : MILVUS_ERR_NOMEM;
    for (size_t i = 0; cols && i < n; i++)
        milvus_column_free(cols[i]);
    free(cols);
    if (m)
        protobuf_c_message_free_unpacked(m, NULL);
    if (rc != MILVUS_OK) {
        mv_op_fail(op, rc, "%s",
                   rc == MILVUS_ERR_NOMEM       ? "out of memory"
                   : rc == MILVUS_ERR_TOO_LARGE ? "request too large"
                                                : err);
        return;
    }
    mv_reqbuf_unref(j->rb);
    j->rb = rb;
    mv_reqbuf_ref(rb);
    mv_op_rpc_packed(op, write_method(j), rb, &milvus__proto__milvus__mutation_result__descriptor,
                     mutation_step);
}

static int write_rows(milvus_client *c, int upsert, const char *coll,
                      const milvus_column *const *cols, size_t n, const milvus_write_options *o,
                      milvus_result_cb cb, void *ctx)
{
    const char *opname = upsert ? "upsert" : "insert";
    const mv_cs *schema;
    uint64_t ts = 0;
    size_t rows = 0, big, max_send;
    write_job *j;
    mv_fd **fds;
    mv_op *op;
    char err[MV_ERRBUF];
    int rc = mv_client_check(c, cb);
    if (rc || (rc = mv_client_check_name(c, "collection", coll)))
        return rc;
    if (o && (rc = mv_check_opts(c, opname, "write options", &o->err)) != MILVUS_OK)
        return rc;
    if ((rc = check_columns(c, opname, coll, cols, n, &rows)) != MILVUS_OK)
        return rc;
    if (o && o->partial && !upsert)
        return mv_client_seterr(c, MILVUS_ERR_INVALID_ARGUMENT,
                                "insert on collection '%s': partial update is for upserts", coll);
    max_send = mv_client_max_send(c);
    schema = mv_cache_get(c, coll, &ts);
    if (schema && check_schema(schema, cols, n, err, sizeof(err)) != MILVUS_OK)
        return mv_client_seterr(c, MILVUS_ERR_INVALID_ARGUMENT, "%s on collection '%s': %s", opname,
                                coll, err);
    if (!(op = mv_op_new(c, opname, coll, cb, ctx)))
        return MILVUS_ERR_NOMEM;
    j = calloc(1, sizeof(*j));
    fds = malloc(n * sizeof(*fds));
    if (!j || !fds || (o && o->partition && !(j->partition = mv_strdup(o->partition)))) {
        free(j);
        free(fds);
        mv_op_discard(op);
        return mv_client_seterr(c, MILVUS_ERR_NOMEM, "out of memory");
    }
    op->data = j;
    op->data_free = write_job_free;
    j->c = c;
    j->coll = op->coll;
    j->upsert = upsert;
    j->partial = o && o->partial;
    j->rows = (uint32_t)rows;
    j->n = n;
    for (size_t i = 0; i < n; i++)
        fds[i] = cols[i]->fd;
    if (o && o->zero_copy)
        j->fds = fds; /* borrowed until the callback, as the caller agreed */
    j->rb = pack_write(j, op->coll, fds, n, ts, max_send, &big);
    if (!j->fds)
        free(fds); /* packed: the caller may free the columns from here on */
    if (!j->rb) {
        mv_op_discard(op);
        if (big)
            return mv_client_seterr(c, MILVUS_ERR_TOO_LARGE,
                                    "%s on collection '%s': request of %zu bytes exceeds max "
                                    "send size %zu",
                                    opname, coll, big, max_send ? max_send : (size_t)UINT32_MAX);
        return mv_client_seterr(c, MILVUS_ERR_NOMEM, "out of memory");
    }
    if (schema) {
        mv_reqbuf_ref(j->rb);
        return mv_op_start_packed(op, write_method(j), j->rb,
                                  &milvus__proto__milvus__mutation_result__descriptor,
                                  mutation_step);
    }
    /* Not cached: one write fetches the schema, concurrent ones wait. */
    rc = mv_schema_fetch_begin(c, coll);
    if (rc == 0)
        return mv_op_park_schema(op, write_resume);
    j->fetching = rc == 1;
    Milvus__Proto__Milvus__DescribeCollectionRequest dreq =
        MILVUS__PROTO__MILVUS__DESCRIBE_COLLECTION_REQUEST__INIT;
    dreq.msg_base = &mv_msg_base;
    dreq.collection_name = (char *)coll;
    return mv_op_start(op, MV_RPC("DescribeCollection"), &dreq.base,
                       &milvus__proto__milvus__describe_collection_response__descriptor,
                       write_schema_step);
}

milvus_status milvus_client_insert(milvus_client *c, const char *coll,
                                   const milvus_column *const *cols, size_t n,
                                   const milvus_write_options *o, milvus_result_cb cb, void *ctx)
{
    return write_rows(c, 0, coll, cols, n, o, cb, ctx);
}

milvus_status milvus_client_upsert(milvus_client *c, const char *coll,
                                   const milvus_column *const *cols, size_t n,
                                   const milvus_write_options *o, milvus_result_cb cb, void *ctx)
{
    return write_rows(c, 1, coll, cols, n, o, cb, ctx);
}

/* ---- delete -------------------------------------------------------------------- */

static int submit_delete(milvus_client *c, const char *coll, const char *expr,
                         const milvus_write_options *o, milvus_result_cb cb, void *ctx)
{
    Milvus__Proto__Milvus__DeleteRequest req = MILVUS__PROTO__MILVUS__DELETE_REQUEST__INIT;
    mv_op *op;
    req.msg_base = &mv_msg_base;
    req.collection_name = (char *)coll;
    req.expr = (char *)expr;
    if (o && o->partition)
        req.partition_name = o->partition;
    if (!(op = mv_op_new(c, "delete", coll, cb, ctx)))
        return MILVUS_ERR_NOMEM;
    return mv_op_start(op, MV_RPC("Delete"), &req.base,
                       &milvus__proto__milvus__mutation_result__descriptor, mutation_step);
}

milvus_status milvus_client_delete(milvus_client *c, const char *coll, const char *expr,
                                   const milvus_write_options *o, milvus_result_cb cb, void *ctx)
{
    int rc = mv_client_check(c, cb);
    if (rc || (rc = mv_client_check_name(c, "collection", coll)))
        return rc;
    if (o && (rc = mv_check_opts(c, "delete", "write options", &o->err)) != MILVUS_OK)
        return rc;
    if (!expr || !*expr || !mv_utf8_valid(expr, strlen(expr)))
        return mv_client_seterr(c, MILVUS_ERR_INVALID_ARGUMENT,
                                "delete on collection '%s': empty or invalid filter", coll);
    return submit_delete(c, coll, expr, o, cb, ctx);
}

/* Appends s to *buf (growing); returns 0 or -1. */
int mv_append(char **buf, size_t *len, size_t *cap, const char *s, size_t n)
{
    if (*len + n + 1 > *cap) {
        size_t nc = (*cap ? *cap * 2 : 256) + n;
        char *nb = realloc(*buf, nc);
        if (!nb)
            return -1;
        *buf = nb;
        *cap = nc;
    }
    memcpy(*buf + *len, s, n);
    *len += n;
    (*buf)[*len] = '\0';
    return 0;
}

/* "pk in [1,2,3]" / "pk in ['a','b']" for a column of primary keys. */
char *mv_ids_expr(const char *pk, const milvus_column *ids)
{
    char *buf = NULL, num[32];
    size_t len = 0, cap = 0;
    int err =
        mv_append(&buf, &len, &cap, pk, strlen(pk)) || mv_append(&buf, &len, &cap, " in [", 5);
    for (size_t i = 0; i < ids->rows && !err; i++) {
        int64_t v;
        const char *s;
        size_t sl;
        if (i)
            err |= mv_append(&buf, &len, &cap, ",", 1);
        if (milvus_column_get_int(ids, i, &v) == MILVUS_OK) {
            snprintf(num, sizeof(num), "%lld", (long long)v);
            err |= mv_append(&buf, &len, &cap, num, strlen(num));
        } else if (milvus_column_get_string(ids, i, &s, &sl) == MILVUS_OK) {
            err |= mv_append(&buf, &len, &cap, "\"", 1);
            for (size_t k = 0; k < sl && !err; k++) {
                if (s[k] == '"' || s[k] == '\\')
                    err |= mv_append(&buf, &len, &cap, "\\", 1);
                err |= mv_append(&buf, &len, &cap, &s[k], 1);
            }
            err |= mv_append(&buf, &len, &cap, "\"", 1);
        } else {
            err = 1;
        }
    }
    if (!err)
        err = mv_append(&buf, &len, &cap, "]", 1);
    if (err) {
        free(buf);
        return NULL;
    }
    return buf;
}

int mv_check_ids(milvus_client *c, const char *op, const char *coll, const milvus_column *ids)
{
    int t = ids ? (int)ids->fd->type : 0;
    if (!ids || ids->rows == 0 || (t != MILVUS_TYPE_INT64 && !mv_type_is_string(t)))
        return mv_client_seterr(c, MILVUS_ERR_INVALID_ARGUMENT,
                                "%s on collection '%s': ids must be a non-empty Int64 or "
                                "VarChar column",
                                op, coll);
    return MILVUS_OK;
}

const char *mv_cached_pk(milvus_client *c, const char *coll)
{
    const mv_cs *s = mv_cache_get(c, coll, NULL);
    for (size_t i = 0; s && i < s->n_fields; i++)
        if (s->fields[i]->is_primary_key)
            return s->fields[i]->name;
    return NULL;
}

milvus_status milvus_client_delete_ids(milvus_client *c, const char *coll, const milvus_column *ids,
                                       const milvus_write_options *o, milvus_result_cb cb,
                                       void *ctx)
{
    const char *pk;
    char *expr;
    int rc = mv_client_check(c, cb);
    if (rc || (rc = mv_client_check_name(c, "collection", coll)))
        return rc;
    if (o && (rc = mv_check_opts(c, "delete", "write options", &o->err)) != MILVUS_OK)
        return rc;
    if ((rc = mv_check_ids(c, "delete", coll, ids)) != MILVUS_OK)
        return rc;
    /* Without a cached schema the id column's own name is the key. */
    pk = mv_cached_pk(c, coll);
    expr = mv_ids_expr(pk ? pk : ids->fd->field_name, ids);
    if (!expr)
        return mv_client_seterr(c, MILVUS_ERR_NOMEM, "out of memory");
    rc = submit_delete(c, coll, expr, o, cb, ctx);
    free(expr);
    return rc;
}
