/* Writes (insert, upsert, delete) and reads (search, query, get, count). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/api.h"

typedef Milvus__Proto__Milvus__SearchRequest__ExprTemplateValuesEntry tv_entry;
typedef Milvus__Proto__Schema__TemplateValue tv_val;

/* Template values kept by search/query options. */
typedef struct mv_templates {
    tv_entry **e;
    size_t n;
} mv_templates;

static tv_val *tv_add(mv_templates *t, const char *name)
{
    tv_entry *e, **arr;
    tv_val *v;
    if (mv_check_name("template", name, NULL, 0) != MILVUS_OK)
        return NULL;
    arr = realloc(t->e, (t->n + 1) * sizeof(*arr));
    if (!arr)
        return NULL;
    t->e = arr;
    e = malloc(sizeof(*e));
    v = malloc(sizeof(*v));
    if (!e || !v) {
        free(e);
        free(v);
        return NULL;
    }
    milvus__proto__milvus__search_request__expr_template_values_entry__init(e);
    milvus__proto__schema__template_value__init(v);
    e->key = mv_strdup(name);
    if (!e->key) {
        free(e);
        free(v);
        return NULL;
    }
    e->value = v;
    t->e[t->n++] = e;
    return v;
}

static void tv_free(mv_templates *t)
{
    for (size_t i = 0; i < t->n; i++)
        protobuf_c_message_free_unpacked(&t->e[i]->base, NULL);
    free(t->e);
    t->n = 0;
}

/* The same entries as another request's map type (identical layout):
 * shallow copies with the other descriptor. */
static tv_entry **tv_as(const mv_templates *t, const ProtobufCMessageDescriptor *d,
                        tv_entry **store)
{
    tv_entry **arr;
    *store = NULL;
    if (!t->n)
        return NULL;
    arr = calloc(t->n, sizeof(*arr));
    *store = calloc(t->n, sizeof(**store));
    if (!arr || !*store) {
        free(arr);
        free(*store);
        *store = NULL;
        return NULL;
    }
    for (size_t i = 0; i < t->n; i++) {
        (*store)[i] = *t->e[i];
        (*store)[i].base.descriptor = d;
        arr[i] = &(*store)[i];
    }
    return arr;
}

/* ---- write options ------------------------------------------------------------- */

struct milvus_write_options {
    char *partition;
    int partial;
};

milvus_write_options *milvus_write_options_new(void) { return calloc(1, sizeof(milvus_write_options)); }

void milvus_write_options_free(milvus_write_options *o)
{
    if (!o)
        return;
    free(o->partition);
    free(o);
}

int milvus_write_options_set_partition(milvus_write_options *o, const char *name)
{
    char *d;
    if (!o || mv_check_name("partition", name, NULL, 0) != MILVUS_OK)
        return MILVUS_ERR_INVALID_ARGUMENT;
    if (!(d = mv_strdup(name)))
        return MILVUS_ERR_NOMEM;
    free(o->partition);
    o->partition = d;
    return MILVUS_OK;
}

int milvus_write_options_set_partial_update(milvus_write_options *o, int on)
{
    if (!o)
        return MILVUS_ERR_INVALID_ARGUMENT;
    o->partial = on != 0;
    return MILVUS_OK;
}

/* ---- insert / upsert ----------------------------------------------------------- */

typedef struct write_job {
    int upsert;
    Milvus__Proto__Milvus__UpsertRequest req; /* Insert shares fields 1-8 */
    mv_fd **fds;
    size_t n;
    char *partition;
} write_job;

static void write_job_free(void *p)
{
    write_job *j = p;
    for (size_t i = 0; i < j->n; i++)
        protobuf_c_message_free_unpacked(&j->fds[i]->base, NULL);
    free(j->fds);
    free(j->partition);
    free(j);
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
                                    "%s on collection '%s': field '%s' is a result view", op,
                                    coll, cols[i]->fd->field_name);
        for (size_t k = 0; k < i; k++)
            if (!cols[i]->fd->is_dynamic &&
                strcmp(cols[i]->fd->field_name, cols[k]->fd->field_name) == 0)
                return mv_client_seterr(c, MILVUS_ERR_INVALID_ARGUMENT,
                                        "%s on collection '%s': field '%s' given twice", op,
                                        coll, cols[i]->fd->field_name);
    }
    if (*rows == 0)
        return mv_client_seterr(c, MILVUS_ERR_INVALID_ARGUMENT, "%s on collection '%s': no rows",
                                op, coll);
    if (*rows > UINT32_MAX)
        return mv_client_seterr(c, MILVUS_ERR_TOO_LARGE, "%s on collection '%s': too many rows",
                                op, coll);
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
            if (s->enable_dynamic_field)
                continue;
            mv_errf(err, len, "field '%s' is not in the schema", cols[i]->fd->field_name);
            return MILVUS_ERR_INVALID_ARGUMENT;
        }
        if (mv_column_check(cols[i], f, err, len) != MILVUS_OK)
            return MILVUS_ERR_INVALID_ARGUMENT;
    }
    return MILVUS_OK;
}

static void mutation_step(mv_op *op, milvus_result *res)
{
    if (res->status == MILVUS_ERR_SERVER && res->server_code == 109)
        mv_cache_evict(op->c, op->coll); /* schema changed under us */
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

static void send_write(mv_op *op)
{
    write_job *j = op->data;
    j->req.fields_data = j->fds;
    j->req.n_fields_data = j->n;
    if (j->upsert) {
        mv_op_rpc(op, MV_RPC("Upsert"), &j->req.base,
                  &milvus__proto__milvus__mutation_result__descriptor, mutation_step);
    } else {
        /* InsertRequest has the same fields 1-8; only its namespace is at 9
         * where Upsert has partial_update, which stays 0 for inserts. */
        Milvus__Proto__Milvus__InsertRequest ins = MILVUS__PROTO__MILVUS__INSERT_REQUEST__INIT;
        ins.msg_base = j->req.msg_base;
        ins.collection_name = j->req.collection_name;
        ins.partition_name = j->req.partition_name;
        ins.fields_data = j->fds;
        ins.n_fields_data = j->n;
        ins.num_rows = j->req.num_rows;
        ins.schema_timestamp = j->req.schema_timestamp;
        mv_op_rpc(op, MV_RPC("Insert"), &ins.base,
                  &milvus__proto__milvus__mutation_result__descriptor, mutation_step);
    }
}

/* After the DescribeCollection that filled the cache. */
static void write_schema_step(mv_op *op, milvus_result *res)
{
    write_job *j = op->data;
    Milvus__Proto__Milvus__DescribeCollectionResponse *r = (void *)res->msg;
    char err[MV_ERRBUF];
    milvus_column tmp[1];
    const milvus_column **cols;
    if (res->status != MILVUS_OK || !r || !r->schema) {
        mv_op_finish(op, res);
        return;
    }
    mv_cache_put(op->c, op->coll, r->schema, r->update_timestamp);
    j->req.schema_timestamp = r->update_timestamp;
    cols = calloc(j->n ? j->n : 1, sizeof(*cols));
    if (!cols) {
        milvus_result_unref(res);
        mv_op_fail(op, MILVUS_ERR_NOMEM, "out of memory");
        return;
    }
    memset(tmp, 0, sizeof(tmp));
    for (size_t i = 0; i < j->n; i++) {
        milvus_column *v = mv_column_view(j->fds[i], 0, mv_fd_rows(j->fds[i]));
        cols[i] = v;
    }
    int rc = MILVUS_OK;
    for (size_t i = 0; i < j->n; i++)
        if (!cols[i])
            rc = MILVUS_ERR_NOMEM;
    if (rc == MILVUS_OK)
        rc = check_schema(r->schema, (const milvus_column *const *)cols, j->n, err, sizeof(err));
    for (size_t i = 0; i < j->n; i++)
        milvus_column_free((milvus_column *)cols[i]);
    free(cols);
    milvus_result_unref(res);
    if (rc != MILVUS_OK) {
        mv_op_fail(op, rc, "%s", rc == MILVUS_ERR_NOMEM ? "out of memory" : err);
        return;
    }
    send_write(op);
}

static int write_rows(milvus_client *c, int upsert, const char *coll,
                      const milvus_column *const *cols, size_t n, const milvus_write_options *o,
                      milvus_result_cb cb, void *ctx)
{
    const char *opname = upsert ? "upsert" : "insert";
    Milvus__Proto__Milvus__UpsertRequest init = MILVUS__PROTO__MILVUS__UPSERT_REQUEST__INIT;
    const mv_cs *schema;
    uint64_t ts = 0;
    size_t rows = 0;
    write_job *j;
    mv_op *op;
    char err[MV_ERRBUF];
    int rc = mv_client_check(c, cb);
    if (rc || (rc = mv_client_check_name(c, "collection", coll)))
        return rc;
    if ((rc = check_columns(c, opname, coll, cols, n, &rows)) != MILVUS_OK)
        return rc;
    if (o && o->partial && !upsert)
        return mv_client_seterr(c, MILVUS_ERR_INVALID_ARGUMENT,
                                "insert on collection '%s': partial update is for upserts", coll);
    schema = mv_cache_get(c, coll, &ts);
    if (schema && check_schema(schema, cols, n, err, sizeof(err)) != MILVUS_OK)
        return mv_client_seterr(c, MILVUS_ERR_INVALID_ARGUMENT, "%s on collection '%s': %s",
                                opname, coll, err);
    if (!(op = mv_op_new(c, opname, coll, cb, ctx)))
        return MILVUS_ERR_NOMEM;
    j = calloc(1, sizeof(*j));
    if (!j || !(j->fds = calloc(n, sizeof(*j->fds)))) {
        free(j);
        mv_op_discard(op);
        return mv_client_seterr(c, MILVUS_ERR_NOMEM, "out of memory");
    }
    op->data = j;
    op->data_free = write_job_free;
    j->upsert = upsert;
    for (; j->n < n; j->n++) {
        /* the columns are serialized now: the caller may free them */
        if (!(j->fds[j->n] = (mv_fd *)mv_msg_dup(&cols[j->n]->fd->base))) {
            mv_op_discard(op);
            return mv_client_seterr(c, MILVUS_ERR_NOMEM, "out of memory");
        }
    }
    j->req = init;
    j->req.msg_base = &mv_msg_base;
    j->req.collection_name = op->coll;
    if (o && o->partition) {
        if (!(j->partition = mv_strdup(o->partition))) {
            mv_op_discard(op);
            return mv_client_seterr(c, MILVUS_ERR_NOMEM, "out of memory");
        }
        j->req.partition_name = j->partition;
    }
    j->req.num_rows = (uint32_t)rows;
    j->req.schema_timestamp = ts;
    j->req.partial_update = o && o->partial;
    j->req.fields_data = j->fds;
    j->req.n_fields_data = j->n;
    if (schema) {
        if (upsert)
            return mv_op_start(op, MV_RPC("Upsert"), &j->req.base,
                               &milvus__proto__milvus__mutation_result__descriptor,
                               mutation_step);
        Milvus__Proto__Milvus__InsertRequest ins = MILVUS__PROTO__MILVUS__INSERT_REQUEST__INIT;
        ins.msg_base = &mv_msg_base;
        ins.collection_name = j->req.collection_name;
        ins.partition_name = j->req.partition_name;
        ins.fields_data = j->fds;
        ins.n_fields_data = j->n;
        ins.num_rows = j->req.num_rows;
        ins.schema_timestamp = ts;
        return mv_op_start(op, MV_RPC("Insert"), &ins.base,
                           &milvus__proto__milvus__mutation_result__descriptor, mutation_step);
    }
    Milvus__Proto__Milvus__DescribeCollectionRequest dreq =
        MILVUS__PROTO__MILVUS__DESCRIBE_COLLECTION_REQUEST__INIT;
    dreq.msg_base = &mv_msg_base;
    dreq.collection_name = (char *)coll;
    return mv_op_start(op, MV_RPC("DescribeCollection"), &dreq.base,
                       &milvus__proto__milvus__describe_collection_response__descriptor,
                       write_schema_step);
}

int milvus_client_insert(milvus_client *c, const char *coll, const milvus_column *const *cols,
                         size_t n, const milvus_write_options *o, milvus_result_cb cb, void *ctx)
{
    return write_rows(c, 0, coll, cols, n, o, cb, ctx);
}

int milvus_client_upsert(milvus_client *c, const char *coll, const milvus_column *const *cols,
                         size_t n, const milvus_write_options *o, milvus_result_cb cb, void *ctx)
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

int milvus_client_delete(milvus_client *c, const char *coll, const char *expr,
                         const milvus_write_options *o, milvus_result_cb cb, void *ctx)
{
    int rc = mv_client_check(c, cb);
    if (rc || (rc = mv_client_check_name(c, "collection", coll)))
        return rc;
    if (!expr || !*expr || !mv_utf8_valid(expr, strlen(expr)))
        return mv_client_seterr(c, MILVUS_ERR_INVALID_ARGUMENT,
                                "delete on collection '%s': empty or invalid filter", coll);
    return submit_delete(c, coll, expr, o, cb, ctx);
}

/* Appends s to *buf (growing); returns 0 or -1. */
static int append(char **buf, size_t *len, size_t *cap, const char *s, size_t n)
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
static char *ids_expr(const char *pk, const milvus_column *ids)
{
    char *buf = NULL, num[32];
    size_t len = 0, cap = 0;
    int err = append(&buf, &len, &cap, pk, strlen(pk)) || append(&buf, &len, &cap, " in [", 5);
    for (size_t i = 0; i < ids->rows && !err; i++) {
        int64_t v;
        const char *s;
        size_t sl;
        if (i)
            err |= append(&buf, &len, &cap, ",", 1);
        if (milvus_column_get_int(ids, i, &v) == MILVUS_OK) {
            snprintf(num, sizeof(num), "%lld", (long long)v);
            err |= append(&buf, &len, &cap, num, strlen(num));
        } else if (milvus_column_get_string(ids, i, &s, &sl) == MILVUS_OK) {
            err |= append(&buf, &len, &cap, "\"", 1);
            for (size_t k = 0; k < sl && !err; k++) {
                if (s[k] == '"' || s[k] == '\\')
                    err |= append(&buf, &len, &cap, "\\", 1);
                err |= append(&buf, &len, &cap, &s[k], 1);
            }
            err |= append(&buf, &len, &cap, "\"", 1);
        } else {
            err = 1;
        }
    }
    if (!err)
        err = append(&buf, &len, &cap, "]", 1);
    if (err) {
        free(buf);
        return NULL;
    }
    return buf;
}

static int check_ids(milvus_client *c, const char *op, const char *coll, const milvus_column *ids)
{
    int t = ids ? (int)ids->fd->type : 0;
    if (!ids || ids->rows == 0 || (t != MILVUS_TYPE_INT64 && !mv_type_is_string(t)))
        return mv_client_seterr(c, MILVUS_ERR_INVALID_ARGUMENT,
                                "%s on collection '%s': ids must be a non-empty Int64 or "
                                "VarChar column",
                                op, coll);
    return MILVUS_OK;
}

static const char *cached_pk(milvus_client *c, const char *coll)
{
    const mv_cs *s = mv_cache_get(c, coll, NULL);
    for (size_t i = 0; s && i < s->n_fields; i++)
        if (s->fields[i]->is_primary_key)
            return s->fields[i]->name;
    return NULL;
}

int milvus_client_delete_ids(milvus_client *c, const char *coll, const milvus_column *ids,
                             const milvus_write_options *o, milvus_result_cb cb, void *ctx)
{
    const char *pk;
    char *expr;
    int rc = mv_client_check(c, cb);
    if (rc || (rc = mv_client_check_name(c, "collection", coll)))
        return rc;
    if ((rc = check_ids(c, "delete", coll, ids)) != MILVUS_OK)
        return rc;
    /* Without a cached schema the id column's own name is the key. */
    pk = cached_pk(c, coll);
    expr = ids_expr(pk ? pk : ids->fd->field_name, ids);
    if (!expr)
        return mv_client_seterr(c, MILVUS_ERR_NOMEM, "out of memory");
    rc = submit_delete(c, coll, expr, o, cb, ctx);
    free(expr);
    return rc;
}

/* ---- search -------------------------------------------------------------------- */

struct milvus_search_options {
    milvus_column *vectors;
    char *anns_field;
    int64_t limit, offset;
    char *filter;
    mv_templates tv;
    mv_strlist out, parts;
    int consistency; /* -1: collection default */
    char *metric;
    char *group_by;
    int64_t group_size;
    int strict;
    int has_range;
    double radius, range_filter;
    mv_kvlist params;
    char *ranker; /* "rrf" or "weighted" */
    char *ranker_params;
};

milvus_search_options *milvus_search_options_new(void)
{
    milvus_search_options *o = calloc(1, sizeof(*o));
    if (o) {
        o->limit = 10;
        o->consistency = -1;
    }
    return o;
}

void milvus_search_options_free(milvus_search_options *o)
{
    if (!o)
        return;
    milvus_column_free(o->vectors);
    free(o->anns_field);
    free(o->filter);
    tv_free(&o->tv);
    mv_str_free(&o->out);
    mv_str_free(&o->parts);
    free(o->metric);
    free(o->group_by);
    mv_kv_free(&o->params);
    free(o->ranker);
    free(o->ranker_params);
    free(o);
}

static int set_str(char **dst, const char *s)
{
    char *d;
    if (!s || !mv_utf8_valid(s, strlen(s)))
        return MILVUS_ERR_INVALID_ARGUMENT;
    if (!(d = mv_strdup(s)))
        return MILVUS_ERR_NOMEM;
    free(*dst);
    *dst = d;
    return MILVUS_OK;
}

int milvus_search_options_set_vectors(milvus_search_options *o, const milvus_column *v)
{
    milvus_column *copy;
    mv_fd *fd;
    if (!o || !v || !milvus_data_type_is_vector((int)v->fd->type) || v->rows == 0 ||
        v->off != 0 || v->rows != mv_fd_rows(v->fd))
        return MILVUS_ERR_INVALID_ARGUMENT;
    if (!(fd = (mv_fd *)mv_msg_dup(&v->fd->base)))
        return MILVUS_ERR_NOMEM;
    if (!(copy = mv_column_view(fd, 0, v->rows))) {
        protobuf_c_message_free_unpacked(&fd->base, NULL);
        return MILVUS_ERR_NOMEM;
    }
    copy->owned = 1;
    milvus_column_free(o->vectors);
    o->vectors = copy;
    return MILVUS_OK;
}

int milvus_search_options_set_anns_field(milvus_search_options *o, const char *f)
{
    if (!o || mv_check_name("field", f, NULL, 0) != MILVUS_OK)
        return MILVUS_ERR_INVALID_ARGUMENT;
    return set_str(&o->anns_field, f);
}

int milvus_search_options_set_limit(milvus_search_options *o, int64_t limit)
{
    if (!o || limit < 1 || limit > 16384)
        return MILVUS_ERR_INVALID_ARGUMENT;
    o->limit = limit;
    return MILVUS_OK;
}

int milvus_search_options_set_offset(milvus_search_options *o, int64_t offset)
{
    if (!o || offset < 0 || offset > 16384)
        return MILVUS_ERR_INVALID_ARGUMENT;
    o->offset = offset;
    return MILVUS_OK;
}

int milvus_search_options_set_filter(milvus_search_options *o, const char *expr)
{
    return o ? set_str(&o->filter, expr) : MILVUS_ERR_INVALID_ARGUMENT;
}

int milvus_search_options_set_template_int(milvus_search_options *o, const char *name, int64_t v)
{
    tv_val *t = o ? tv_add(&o->tv, name) : NULL;
    if (!t)
        return o ? MILVUS_ERR_INVALID_ARGUMENT : MILVUS_ERR_INVALID_ARGUMENT;
    t->val_case = MILVUS__PROTO__SCHEMA__TEMPLATE_VALUE__VAL_INT64_VAL;
    t->int64_val = v;
    return MILVUS_OK;
}

int milvus_search_options_set_template_double(milvus_search_options *o, const char *name,
                                              double v)
{
    tv_val *t = o ? tv_add(&o->tv, name) : NULL;
    if (!t)
        return MILVUS_ERR_INVALID_ARGUMENT;
    t->val_case = MILVUS__PROTO__SCHEMA__TEMPLATE_VALUE__VAL_FLOAT_VAL;
    t->float_val = v;
    return MILVUS_OK;
}

int milvus_search_options_set_template_bool(milvus_search_options *o, const char *name, int v)
{
    tv_val *t = o ? tv_add(&o->tv, name) : NULL;
    if (!t)
        return MILVUS_ERR_INVALID_ARGUMENT;
    t->val_case = MILVUS__PROTO__SCHEMA__TEMPLATE_VALUE__VAL_BOOL_VAL;
    t->bool_val = v != 0;
    return MILVUS_OK;
}

static int tv_string(mv_templates *tv, const char *name, const char *v)
{
    tv_val *t;
    char *d;
    if (!v || !mv_utf8_valid(v, strlen(v)) || !(d = mv_strdup(v)))
        return MILVUS_ERR_INVALID_ARGUMENT;
    if (!(t = tv_add(tv, name))) {
        free(d);
        return MILVUS_ERR_INVALID_ARGUMENT;
    }
    t->val_case = MILVUS__PROTO__SCHEMA__TEMPLATE_VALUE__VAL_STRING_VAL;
    t->string_val = d;
    return MILVUS_OK;
}

int milvus_search_options_set_template_string(milvus_search_options *o, const char *name,
                                              const char *v)
{
    return o ? tv_string(&o->tv, name, v) : MILVUS_ERR_INVALID_ARGUMENT;
}

int milvus_search_options_add_output_field(milvus_search_options *o, const char *f)
{
    if (!o || mv_check_name("field", f, NULL, 0) != MILVUS_OK)
        return MILVUS_ERR_INVALID_ARGUMENT;
    return mv_str_add(&o->out, f);
}

int milvus_search_options_add_partition(milvus_search_options *o, const char *p)
{
    if (!o || mv_check_name("partition", p, NULL, 0) != MILVUS_OK)
        return MILVUS_ERR_INVALID_ARGUMENT;
    return mv_str_add(&o->parts, p);
}

int milvus_search_options_set_consistency(milvus_search_options *o, milvus_consistency l)
{
    if (!o || l < MILVUS_CONSISTENCY_STRONG || l > MILVUS_CONSISTENCY_EVENTUALLY)
        return MILVUS_ERR_INVALID_ARGUMENT;
    o->consistency = l;
    return MILVUS_OK;
}

int milvus_search_options_set_metric(milvus_search_options *o, const char *m)
{
    return o && m && *m ? set_str(&o->metric, m) : MILVUS_ERR_INVALID_ARGUMENT;
}

int milvus_search_options_set_group_by(milvus_search_options *o, const char *f, int64_t size,
                                       int strict)
{
    if (!o || mv_check_name("field", f, NULL, 0) != MILVUS_OK || size < 0)
        return MILVUS_ERR_INVALID_ARGUMENT;
    o->group_size = size;
    o->strict = strict != 0;
    return set_str(&o->group_by, f);
}

int milvus_search_options_set_range(milvus_search_options *o, double radius, double range_filter)
{
    if (!o || !isfinite(radius) || !isfinite(range_filter))
        return MILVUS_ERR_INVALID_ARGUMENT;
    o->has_range = 1;
    o->radius = radius;
    o->range_filter = range_filter;
    return MILVUS_OK;
}

int milvus_search_options_set_param(milvus_search_options *o, const char *key, const char *json)
{
    if (!o || !key || !*key || !json || !*json || strchr(key, '"'))
        return MILVUS_ERR_INVALID_ARGUMENT;
    return mv_kv_set(&o->params, key, json);
}

int milvus_search_options_set_rrf(milvus_search_options *o, int64_t k)
{
    char buf[48];
    if (!o || k < 1 || k > 16384)
        return MILVUS_ERR_INVALID_ARGUMENT;
    snprintf(buf, sizeof(buf), "{\"k\":%lld}", (long long)k);
    if (set_str(&o->ranker, "rrf"))
        return MILVUS_ERR_NOMEM;
    return set_str(&o->ranker_params, buf);
}

int milvus_search_options_set_weighted(milvus_search_options *o, const double *w, size_t n)
{
    char *buf = NULL, num[40];
    size_t len = 0, cap = 0;
    int err;
    if (!o || !w || !n)
        return MILVUS_ERR_INVALID_ARGUMENT;
    err = append(&buf, &len, &cap, "{\"weights\":[", 12);
    for (size_t i = 0; i < n && !err; i++) {
        if (!isfinite(w[i])) {
            free(buf);
            return MILVUS_ERR_INVALID_ARGUMENT;
        }
        snprintf(num, sizeof(num), "%s%.17g", i ? "," : "", w[i]);
        err = append(&buf, &len, &cap, num, strlen(num));
    }
    if (!err)
        err = append(&buf, &len, &cap, "]}", 2);
    if (err || set_str(&o->ranker, "weighted")) {
        free(buf);
        return MILVUS_ERR_NOMEM;
    }
    free(o->ranker_params);
    o->ranker_params = buf;
    return MILVUS_OK;
}

/* The "params" JSON: ANN parameters plus the range bounds. */
static char *params_json(const milvus_search_options *o)
{
    char *buf = NULL, num[80];
    size_t len = 0, cap = 0;
    int err = append(&buf, &len, &cap, "{", 1);
    for (size_t i = 0; i < o->params.n && !err; i++) {
        if (i)
            err |= append(&buf, &len, &cap, ",", 1);
        err |= append(&buf, &len, &cap, "\"", 1);
        err |= append(&buf, &len, &cap, o->params.keys[i], strlen(o->params.keys[i]));
        err |= append(&buf, &len, &cap, "\":", 2);
        err |= append(&buf, &len, &cap, o->params.vals[i], strlen(o->params.vals[i]));
    }
    if (o->has_range && !err) {
        snprintf(num, sizeof(num), "%s\"radius\":%.17g,\"range_filter\":%.17g",
                 o->params.n ? "," : "", o->radius, o->range_filter);
        err |= append(&buf, &len, &cap, num, strlen(num));
    }
    if (!err)
        err = append(&buf, &len, &cap, "}", 1);
    if (err) {
        free(buf);
        return NULL;
    }
    return buf;
}

/* The placeholder group (query vectors), packed. */
static int placeholder(const milvus_column *v, ProtobufCBinaryData *out)
{
    Milvus__Proto__Common__PlaceholderGroup g = MILVUS__PROTO__COMMON__PLACEHOLDER_GROUP__INIT;
    Milvus__Proto__Common__PlaceholderValue pv = MILVUS__PROTO__COMMON__PLACEHOLDER_VALUE__INIT;
    Milvus__Proto__Common__PlaceholderValue *pvs[1] = {&pv};
    ProtobufCBinaryData *vals = calloc(v->rows, sizeof(*vals));
    if (!vals)
        return MILVUS_ERR_NOMEM;
    for (size_t i = 0; i < v->rows; i++) {
        const void *d;
        size_t n;
        if (v->fd->type == MILVUS__PROTO__SCHEMA__DATA_TYPE__SparseFloatVector) {
            vals[i] = v->fd->vectors->sparse_float_vector->contents[i];
            continue;
        }
        if (milvus_column_get_vector(v, i, &d, &n) != MILVUS_OK) {
            free(vals);
            return MILVUS_ERR_INVALID_ARGUMENT;
        }
        vals[i].data = (uint8_t *)d;
        vals[i].len = n;
    }
    pv.tag = (char *)"$0";
    pv.type = (Milvus__Proto__Common__PlaceholderType)v->fd->type;
    pv.values = vals;
    pv.n_values = v->rows;
    g.placeholders = pvs;
    g.n_placeholders = 1;
    out->data = mv_pack(&g.base, &out->len);
    free(vals);
    return out->data ? MILVUS_OK : MILVUS_ERR_NOMEM;
}

typedef struct search_build {
    Milvus__Proto__Milvus__SearchRequest req;
    mv_kvlist kv;
    mv_kvp **arr, *st;
    tv_entry **tva, *tvs;
    char *pj;
} search_build;

static void build_free(search_build *b)
{
    free(b->req.placeholder_group.data);
    mv_kv_free(&b->kv);
    mv_kv_pb_free(b->arr, b->st);
    free(b->tva);
    free(b->tvs);
    free(b->pj);
}

static int build_search(milvus_client *c, const char *coll, const milvus_search_options *o,
                        search_build *b)
{
    Milvus__Proto__Milvus__SearchRequest init = MILVUS__PROTO__MILVUS__SEARCH_REQUEST__INIT;
    char num[32];
    int rc = 0;
    memset(b, 0, sizeof(*b));
    b->req = init;
    if (!o->vectors)
        return mv_client_seterr(c, MILVUS_ERR_INVALID_ARGUMENT,
                                "search on collection '%s': no query vectors", coll);
    if ((rc = placeholder(o->vectors, &b->req.placeholder_group)) != MILVUS_OK)
        return mv_client_seterr(c, rc, "search on collection '%s': bad query vectors", coll);
    b->req.search_input_case = MILVUS__PROTO__MILVUS__SEARCH_REQUEST__SEARCH_INPUT_PLACEHOLDER_GROUP;
    b->req.msg_base = &mv_msg_base;
    b->req.collection_name = (char *)coll;
    b->req.nq = (int64_t)o->vectors->rows;
    b->req.dsl = o->filter ? o->filter : (char *)"";
    b->req.dsl_type = MILVUS__PROTO__COMMON__DSL_TYPE__BoolExprV1;
    b->req.output_fields = o->out.v;
    b->req.n_output_fields = o->out.n;
    b->req.partition_names = o->parts.v;
    b->req.n_partition_names = o->parts.n;
    if (o->consistency < 0) {
        b->req.use_default_consistency = 1;
    } else {
        b->req.consistency_level = (Milvus__Proto__Common__ConsistencyLevel)o->consistency;
    }
    if (!(b->pj = params_json(o)))
        return mv_client_seterr(c, MILVUS_ERR_NOMEM, "out of memory");
    snprintf(num, sizeof(num), "%lld", (long long)o->limit);
    rc |= mv_kv_set(&b->kv, "topk", num);
    snprintf(num, sizeof(num), "%lld", (long long)o->offset);
    rc |= mv_kv_set(&b->kv, "offset", num);
    rc |= mv_kv_set(&b->kv, "round_decimal", "-1");
    rc |= mv_kv_set(&b->kv, "params", b->pj);
    if (o->anns_field)
        rc |= mv_kv_set(&b->kv, "anns_field", o->anns_field);
    if (o->metric)
        rc |= mv_kv_set(&b->kv, "metric_type", o->metric);
    if (o->group_by) {
        rc |= mv_kv_set(&b->kv, "group_by_field", o->group_by);
        if (o->group_size) {
            snprintf(num, sizeof(num), "%lld", (long long)o->group_size);
            rc |= mv_kv_set(&b->kv, "group_size", num);
        }
        rc |= mv_kv_set(&b->kv, "strict_group_size", o->strict ? "true" : "false");
    }
    if (rc || !(b->arr = mv_kv_to_pb(&b->kv, &b->st)))
        return mv_client_seterr(c, MILVUS_ERR_NOMEM, "out of memory");
    b->req.search_params = b->arr;
    b->req.n_search_params = b->kv.n;
    if (o->tv.n) {
        if (!(b->tva = tv_as(&o->tv, &milvus__proto__milvus__search_request__expr_template_values_entry__descriptor, &b->tvs)))
            return mv_client_seterr(c, MILVUS_ERR_NOMEM, "out of memory");
        b->req.expr_template_values = b->tva;
        b->req.n_expr_template_values = o->tv.n;
    }
    return MILVUS_OK;
}

static void search_step(mv_op *op, milvus_result *res)
{
    if (res->status == MILVUS_OK && res->msg) {
        Milvus__Proto__Milvus__SearchResults *r = (void *)res->msg;
        Milvus__Proto__Schema__SearchResultData empty =
            MILVUS__PROTO__SCHEMA__SEARCH_RESULT_DATA__INIT;
        if (mv_result_fill_search(res, r->results ? r->results : &empty) != MILVUS_OK)
            mv_result_set_local(res, MILVUS_ERR_NOMEM, "out of memory");
    }
    mv_op_finish(op, res);
}

int milvus_client_search(milvus_client *c, const char *coll, const milvus_search_options *o,
                         milvus_result_cb cb, void *ctx)
{
    search_build b;
    mv_op *op;
    int rc = mv_client_check(c, cb);
    if (rc || (rc = mv_client_check_name(c, "collection", coll)))
        return rc;
    if (!o)
        return mv_client_seterr(c, MILVUS_ERR_INVALID_ARGUMENT,
                                "search on collection '%s': options are NULL", coll);
    if ((rc = build_search(c, coll, o, &b)) != MILVUS_OK) {
        build_free(&b);
        return rc;
    }
    if (!(op = mv_op_new(c, "search", coll, cb, ctx))) {
        build_free(&b);
        return MILVUS_ERR_NOMEM;
    }
    rc = mv_op_start(op, MV_RPC("Search"), &b.req.base,
                     &milvus__proto__milvus__search_results__descriptor, search_step);
    build_free(&b);
    return rc;
}

int milvus_client_hybrid_search(milvus_client *c, const char *coll,
                                const milvus_search_options *const *legs, size_t n,
                                const milvus_search_options *top, milvus_result_cb cb, void *ctx)
{
    Milvus__Proto__Milvus__HybridSearchRequest req =
        MILVUS__PROTO__MILVUS__HYBRID_SEARCH_REQUEST__INIT;
    search_build *bs = NULL;
    Milvus__Proto__Milvus__SearchRequest **reqs = NULL;
    mv_kvlist kv = {0};
    mv_kvp **arr = NULL, *st = NULL;
    char num[32];
    mv_op *op;
    size_t built = 0;
    int rc = mv_client_check(c, cb);
    if (rc || (rc = mv_client_check_name(c, "collection", coll)))
        return rc;
    if (!legs || !n || !top || !top->ranker)
        return mv_client_seterr(c, MILVUS_ERR_INVALID_ARGUMENT,
                                "hybrid_search on collection '%s': needs legs and a reranker "
                                "(rrf or weighted) on the top options",
                                coll);
    bs = calloc(n, sizeof(*bs));
    reqs = calloc(n, sizeof(*reqs));
    if (!bs || !reqs) {
        rc = mv_client_seterr(c, MILVUS_ERR_NOMEM, "out of memory");
        goto out;
    }
    for (; built < n; built++) {
        if (!legs[built]) {
            rc = mv_client_seterr(c, MILVUS_ERR_INVALID_ARGUMENT, "hybrid_search: leg %zu is NULL",
                                  built);
            goto out;
        }
        if ((rc = build_search(c, coll, legs[built], &bs[built])) != MILVUS_OK) {
            built++;
            goto out;
        }
        reqs[built] = &bs[built].req;
    }
    snprintf(num, sizeof(num), "%lld", (long long)top->limit);
    rc = mv_kv_set(&kv, "strategy", top->ranker);
    rc |= mv_kv_set(&kv, "params", top->ranker_params);
    rc |= mv_kv_set(&kv, "limit", num);
    snprintf(num, sizeof(num), "%lld", (long long)top->offset);
    rc |= mv_kv_set(&kv, "offset", num);
    rc |= mv_kv_set(&kv, "round_decimal", "-1");
    if (rc || !(arr = mv_kv_to_pb(&kv, &st))) {
        rc = mv_client_seterr(c, MILVUS_ERR_NOMEM, "out of memory");
        goto out;
    }
    req.msg_base = &mv_msg_base;
    req.collection_name = (char *)coll;
    req.requests = reqs;
    req.n_requests = n;
    req.rank_params = arr;
    req.n_rank_params = kv.n;
    req.output_fields = top->out.v;
    req.n_output_fields = top->out.n;
    req.partition_names = top->parts.v;
    req.n_partition_names = top->parts.n;
    if (top->consistency < 0)
        req.use_default_consistency = 1;
    else
        req.consistency_level = (Milvus__Proto__Common__ConsistencyLevel)top->consistency;
    if (!(op = mv_op_new(c, "hybrid_search", coll, cb, ctx))) {
        rc = MILVUS_ERR_NOMEM;
        goto out;
    }
    rc = mv_op_start(op, MV_RPC("HybridSearch"), &req.base,
                     &milvus__proto__milvus__search_results__descriptor, search_step);
out:
    for (size_t i = 0; i < built; i++)
        build_free(&bs[i]);
    free(bs);
    free(reqs);
    mv_kv_pb_free(arr, st);
    mv_kv_free(&kv);
    return rc;
}

/* ---- query ---------------------------------------------------------------------- */

struct milvus_query_options {
    char *filter;
    mv_templates tv;
    mv_strlist out, parts;
    int64_t limit, offset;
    int consistency;
};

milvus_query_options *milvus_query_options_new(void)
{
    milvus_query_options *o = calloc(1, sizeof(*o));
    if (o)
        o->consistency = -1;
    return o;
}

void milvus_query_options_free(milvus_query_options *o)
{
    if (!o)
        return;
    free(o->filter);
    tv_free(&o->tv);
    mv_str_free(&o->out);
    mv_str_free(&o->parts);
    free(o);
}

int milvus_query_options_set_filter(milvus_query_options *o, const char *expr)
{
    return o ? set_str(&o->filter, expr) : MILVUS_ERR_INVALID_ARGUMENT;
}

int milvus_query_options_set_template_int(milvus_query_options *o, const char *name, int64_t v)
{
    tv_val *t = o ? tv_add(&o->tv, name) : NULL;
    if (!t)
        return MILVUS_ERR_INVALID_ARGUMENT;
    t->val_case = MILVUS__PROTO__SCHEMA__TEMPLATE_VALUE__VAL_INT64_VAL;
    t->int64_val = v;
    return MILVUS_OK;
}

int milvus_query_options_set_template_string(milvus_query_options *o, const char *name,
                                             const char *v)
{
    return o ? tv_string(&o->tv, name, v) : MILVUS_ERR_INVALID_ARGUMENT;
}

int milvus_query_options_add_output_field(milvus_query_options *o, const char *f)
{
    if (!o || mv_check_name("field", f, NULL, 0) != MILVUS_OK)
        return MILVUS_ERR_INVALID_ARGUMENT;
    return mv_str_add(&o->out, f);
}

int milvus_query_options_add_partition(milvus_query_options *o, const char *p)
{
    if (!o || mv_check_name("partition", p, NULL, 0) != MILVUS_OK)
        return MILVUS_ERR_INVALID_ARGUMENT;
    return mv_str_add(&o->parts, p);
}

int milvus_query_options_set_limit(milvus_query_options *o, int64_t limit)
{
    if (!o || limit < 0)
        return MILVUS_ERR_INVALID_ARGUMENT;
    o->limit = limit;
    return MILVUS_OK;
}

int milvus_query_options_set_offset(milvus_query_options *o, int64_t offset)
{
    if (!o || offset < 0)
        return MILVUS_ERR_INVALID_ARGUMENT;
    o->offset = offset;
    return MILVUS_OK;
}

int milvus_query_options_set_consistency(milvus_query_options *o, milvus_consistency l)
{
    if (!o || l < MILVUS_CONSISTENCY_STRONG || l > MILVUS_CONSISTENCY_EVENTUALLY)
        return MILVUS_ERR_INVALID_ARGUMENT;
    o->consistency = l;
    return MILVUS_OK;
}

static void query_step(mv_op *op, milvus_result *res)
{
    if (res->status == MILVUS_OK && res->msg) {
        Milvus__Proto__Milvus__QueryResults *r = (void *)res->msg;
        if (mv_result_fill_columns(res, r->fields_data, r->n_fields_data) != MILVUS_OK)
            mv_result_set_local(res, MILVUS_ERR_NOMEM, "out of memory");
    }
    mv_op_finish(op, res);
}

static void count_step(mv_op *op, milvus_result *res)
{
    if (res->status == MILVUS_OK && res->msg) {
        Milvus__Proto__Milvus__QueryResults *r = (void *)res->msg;
        if (r->n_fields_data > 0) {
            milvus_column *v = mv_column_view(r->fields_data[0], 0, mv_fd_rows(r->fields_data[0]));
            if (!v || milvus_column_get_int(v, 0, &res->i64) != MILVUS_OK)
                mv_result_set_local(res, MILVUS_ERR_PROTOCOL, "count(*) answer has no count");
            milvus_column_free(v);
        } else {
            mv_result_set_local(res, MILVUS_ERR_PROTOCOL, "count(*) answer has no count");
        }
    }
    mv_op_finish(op, res);
}

static int submit_query(milvus_client *c, const char *opname, const char *coll,
                        const char *expr, const milvus_query_options *o, char **out,
                        size_t nout, mv_step_fn step, milvus_result_cb cb, void *ctx)
{
    Milvus__Proto__Milvus__QueryRequest req = MILVUS__PROTO__MILVUS__QUERY_REQUEST__INIT;
    mv_kvlist kv = {0};
    mv_kvp **arr = NULL, *st = NULL;
    tv_entry **tva = NULL, *tvs = NULL;
    char num[32];
    mv_op *op;
    int rc = 0;
    req.msg_base = &mv_msg_base;
    req.collection_name = (char *)coll;
    req.expr = (char *)(expr ? expr : "");
    req.output_fields = out;
    req.n_output_fields = nout;
    if (o && o->parts.n) {
        req.partition_names = o->parts.v;
        req.n_partition_names = o->parts.n;
    }
    if (!o || o->consistency < 0)
        req.use_default_consistency = 1;
    else
        req.consistency_level = (Milvus__Proto__Common__ConsistencyLevel)o->consistency;
    if (o && o->limit) {
        snprintf(num, sizeof(num), "%lld", (long long)o->limit);
        rc |= mv_kv_set(&kv, "limit", num);
    }
    if (o && o->offset) {
        snprintf(num, sizeof(num), "%lld", (long long)o->offset);
        rc |= mv_kv_set(&kv, "offset", num);
    }
    if (rc || (kv.n && !(arr = mv_kv_to_pb(&kv, &st)))) {
        mv_kv_free(&kv);
        return mv_client_seterr(c, MILVUS_ERR_NOMEM, "out of memory");
    }
    req.query_params = arr;
    req.n_query_params = kv.n;
    if (o && o->tv.n) {
        tva = tv_as(&o->tv, &milvus__proto__milvus__query_request__expr_template_values_entry__descriptor, &tvs);
        if (!tva) {
            rc = mv_client_seterr(c, MILVUS_ERR_NOMEM, "out of memory");
            goto out;
        }
        req.expr_template_values = (Milvus__Proto__Milvus__QueryRequest__ExprTemplateValuesEntry **)tva;
        req.n_expr_template_values = o->tv.n;
    }
    if (!(op = mv_op_new(c, opname, coll, cb, ctx))) {
        rc = MILVUS_ERR_NOMEM;
        goto out;
    }
    rc = mv_op_start(op, MV_RPC("Query"), &req.base,
                     &milvus__proto__milvus__query_results__descriptor, step);
out:
    free(tva);
    free(tvs);
    mv_kv_pb_free(arr, st);
    mv_kv_free(&kv);
    return rc;
}

int milvus_client_query(milvus_client *c, const char *coll, const milvus_query_options *o,
                        milvus_result_cb cb, void *ctx)
{
    int rc = mv_client_check(c, cb);
    if (rc || (rc = mv_client_check_name(c, "collection", coll)))
        return rc;
    if (!o || ((!o->filter || !*o->filter) && !o->limit))
        return mv_client_seterr(c, MILVUS_ERR_INVALID_ARGUMENT,
                                "query on collection '%s': needs a filter or a limit", coll);
    return submit_query(c, "query", coll, o->filter, o, o->out.v, o->out.n, query_step, cb, ctx);
}

int milvus_client_get(milvus_client *c, const char *coll, const milvus_column *ids,
                      const milvus_query_options *o, milvus_result_cb cb, void *ctx)
{
    const char *pk;
    char *expr;
    int rc = mv_client_check(c, cb);
    if (rc || (rc = mv_client_check_name(c, "collection", coll)))
        return rc;
    if ((rc = check_ids(c, "get", coll, ids)) != MILVUS_OK)
        return rc;
    pk = cached_pk(c, coll);
    if (!(expr = ids_expr(pk ? pk : ids->fd->field_name, ids)))
        return mv_client_seterr(c, MILVUS_ERR_NOMEM, "out of memory");
    rc = submit_query(c, "get", coll, expr, o, o ? o->out.v : NULL, o ? o->out.n : 0, query_step,
                      cb, ctx);
    free(expr);
    return rc;
}

int milvus_client_count(milvus_client *c, const char *coll, const char *filter,
                        milvus_result_cb cb, void *ctx)
{
    char *out[1] = {(char *)"count(*)"};
    int rc = mv_client_check(c, cb);
    if (rc || (rc = mv_client_check_name(c, "collection", coll)))
        return rc;
    if (filter && !mv_utf8_valid(filter, strlen(filter)))
        return mv_client_seterr(c, MILVUS_ERR_INVALID_ARGUMENT,
                                "count on collection '%s': filter is not UTF-8", coll);
    return submit_query(c, "count", coll, filter, NULL, out, 1, count_step, cb, ctx);
}
