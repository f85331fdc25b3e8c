/* SPDX-License-Identifier: Apache-2.0 */
/* Results: status, error details and typed payloads of one operation. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/api.h"

/* The result of an operation that ran out of memory for its own result:
 * shared, never freed, so that the callback still runs exactly once. */
static char oom_text[] = "out of memory for the result";
static char oom_empty[] = "";
static milvus_result oom_result = {.refs = 1,
                                   .status = MILVUS_ERR_NOMEM,
                                   .message = oom_text,
                                   .op = oom_empty,
                                   .coll = oom_empty,
                                   .grpc_code = MILVUS_GRPC_RESOURCE_EXHAUSTED,
                                   .grpc_msg = oom_empty,
                                   .reason = oom_empty,
                                   .detail = oom_empty};

milvus_result *mv_result_oom(void)
{
    return &oom_result;
}

milvus_result *mv_result_new(const char *op, const char *coll)
{
    milvus_result *r = calloc(1, sizeof(*r));
    if (!r)
        return NULL;
    r->refs = 1;
    r->op = mv_strdup(op);
    r->coll = mv_strdup(coll);
    r->message = mv_strdup("");
    r->grpc_msg = mv_strdup("");
    r->reason = mv_strdup("");
    r->detail = mv_strdup("");
    if (!r->op || !r->coll || !r->message || !r->grpc_msg || !r->reason || !r->detail) {
        milvus_result_unref(r);
        return NULL;
    }
    return r;
}

static void free_cols(milvus_column **cols, size_t n)
{
    if (!cols)
        return;
    for (size_t i = 0; i < n; i++)
        milvus_column_free(cols[i]);
    free(cols);
}

void milvus_result_unref(milvus_result *r)
{
    if (!r || r == &oom_result || --r->refs > 0)
        return;
    free(r->message);
    free(r->op);
    free(r->coll);
    free(r->grpc_msg);
    free(r->reason);
    free(r->detail);
    free(r->str);
    mv_str_free(&r->strs);
    mv_kv_free(&r->kv);
    milvus_schema_free(r->schema);
    milvus_column_free(r->ids);
    free(r->hit_cnt);
    free_cols(r->hit_ids, r->nq);
    free(r->hit_scores);
    free_cols(r->hit_cols, r->nq * r->nhcols);
    free_cols(r->hit_groups, r->hit_groups ? r->nq : 0);
    free_cols(r->cols, r->ncols);
    if (r->msg)
        protobuf_c_message_free_unpacked(r->msg, NULL);
    free(r);
}

milvus_result *milvus_result_ref(const milvus_result *res)
{
    milvus_result *r = (milvus_result *)res;
    if (r && r != &oom_result)
        r->refs++;
    return r;
}

/* Legacy common.ErrorCode -> merr code, as the Go client maps them. */
static int32_t legacy_to_code(int32_t legacy)
{
    switch (legacy) {
    case 0: return 0;
    case 1: return 65535; /* UnexpectedError */
    case 4: return 100;   /* CollectionNotExists */
    case 5: return 1100;  /* IllegalArgument */
    case 25: return 700;  /* IndexNotExist */
    case 49: return 8;    /* RateLimit */
    case 50: return 9;    /* ForceDeny */
    case 53: return 3;    /* InsufficientMemoryToLoad */
    case 54: return 3;    /* MemoryQuotaExhausted */
    case 55: return 7;    /* DiskQuotaExhausted */
    case 56: return 11;   /* TimeTickLongDelay */
    case 48: return 1;    /* NotReadyServe */
    case 41: return 904;  /* NodeIDNotMatch */
    case 47: return 600;  /* SegmentNotFound */
    case 11: return 500;  /* MetaFailed */
    default: return 65535;
    }
}

static void replace(char **dst, const char *s)
{
    char *d = mv_strdup(s);
    if (d) {
        free(*dst);
        *dst = d;
    }
}

/* The message is made to be printed: the server's part of it (reason,
 * grpc-message) is escaped, so it is one line without control bytes; the
 * raw text stays in reason, grpc_message and detail.  Sized to fit, never
 * cut. */
static void format_message(milvus_result *r, const char *what)
{
    if (r == &oom_result)
        return;
    const char *op = r->op[0] ? r->op : "call";
    size_t n = strlen(op) + strlen(r->coll) + strlen(what) + 32;
    char *raw = malloc(n), *esc;
    size_t need;
    if (!raw)
        return; /* out of memory: the previous message stays */
    if (r->coll[0])
        snprintf(raw, n, "%s on collection '%s': %s", op, r->coll, what);
    else
        snprintf(raw, n, "%s: %s", op, what);
    need = milvus_escape_text(NULL, 0, raw, strlen(raw));
    esc = malloc(need + 1);
    if (esc) {
        milvus_escape_text(esc, need + 1, raw, strlen(raw));
        free(r->message);
        r->message = esc;
    }
    free(raw);
}

void mv_result_set_local(milvus_result *r, int status, const char *msg)
{
    if (r == &oom_result)
        return;
    r->status = status;
    format_message(r, msg && *msg ? msg : milvus_strerror(status));
}

void mv_result_set_error(milvus_result *r, int status, int grpc_code, const char *grpc_msg,
                         const mv_pbstatus *st)
{
    char *buf;
    size_t n;
    if (r == &oom_result)
        return;
    r->status = status;
    r->grpc_code = grpc_code;
    replace(&r->grpc_msg, grpc_msg ? grpc_msg : "");
    if (status == MILVUS_ERR_SERVER && st) {
        r->legacy_code = (int32_t)st->error_code;
        r->server_code = st->code ? st->code : legacy_to_code((int32_t)st->error_code);
        r->retriable = st->retriable;
        replace(&r->reason, st->reason ? st->reason : "");
        replace(&r->detail, st->detail ? st->detail : "");
    }
    /* sized to fit: a server's reason is never cut */
    n = strlen(r->grpc_msg) + strlen(r->reason) + strlen(milvus_strerror(status)) + 64;
    if (!(buf = malloc(n)))
        return; /* out of memory: the status is set, the message stays */
    if (status == MILVUS_ERR_SERVER && st)
        snprintf(buf, n, "%s (code %d)", r->reason[0] ? r->reason : "server error",
                 (int)r->server_code);
    else if (status == MILVUS_ERR_GRPC)
        snprintf(buf, n, "gRPC %s: %s", milvus_grpc_code_name(grpc_code),
                 r->grpc_msg[0] ? r->grpc_msg : "(no message)");
    else
        snprintf(buf, n, "%s%s%s", milvus_strerror(status), r->grpc_msg[0] ? ": " : "",
                 r->grpc_msg);
    format_message(r, buf);
    free(buf);
}

int mv_result_fill_columns(milvus_result *r, mv_fd **fds, size_t n)
{
    r->cols = calloc(n ? n : 1, sizeof(*r->cols));
    if (!r->cols)
        return MILVUS_ERR_NOMEM;
    r->rows = 0;
    for (size_t i = 0; i < n; i++, r->ncols++) {
        size_t rows = mv_fd_rows(fds[i]);
        if (!(r->cols[i] = mv_column_view(fds[i], 0, rows)))
            return MILVUS_ERR_NOMEM;
        if (rows > r->rows)
            r->rows = rows;
    }
    return MILVUS_OK;
}

/* An Int64 or VarChar FieldData over IDs, owned by the result's message
 * through a small wrapper kept in r->ids' fd (the arrays are borrowed). */
typedef struct ids_fd {
    mv_fd fd;
    Milvus__Proto__Schema__ScalarField sf;
} ids_fd;

static milvus_column *ids_view(Milvus__Proto__Schema__IDs *ids, size_t off, size_t rows,
                               ids_fd **store)
{
    ids_fd *w = calloc(1, sizeof(*w));
    milvus_column *c;
    mv_fd fi = MILVUS__PROTO__SCHEMA__FIELD_DATA__INIT;
    Milvus__Proto__Schema__ScalarField si = MILVUS__PROTO__SCHEMA__SCALAR_FIELD__INIT;
    if (!w)
        return NULL;
    w->fd = fi;
    w->sf = si;
    w->fd.field_name = (char *)"id";
    w->fd.field_case = MILVUS__PROTO__SCHEMA__FIELD_DATA__FIELD_SCALARS;
    w->fd.scalars = &w->sf;
    if (ids && ids->id_field_case == MILVUS__PROTO__SCHEMA__IDS__ID_FIELD_STR_ID) {
        w->fd.type = MILVUS__PROTO__SCHEMA__DATA_TYPE__VarChar;
        w->sf.data_case = MILVUS__PROTO__SCHEMA__SCALAR_FIELD__DATA_STRING_DATA;
        w->sf.string_data = ids->str_id;
    } else if (ids && ids->id_field_case == MILVUS__PROTO__SCHEMA__IDS__ID_FIELD_INT_ID) {
        w->fd.type = MILVUS__PROTO__SCHEMA__DATA_TYPE__Int64;
        w->sf.data_case = MILVUS__PROTO__SCHEMA__SCALAR_FIELD__DATA_LONG_DATA;
        w->sf.long_data = ids->int_id;
    } else {
        w->fd.type = MILVUS__PROTO__SCHEMA__DATA_TYPE__Int64;
        rows = 0;
    }
    c = mv_column_view(&w->fd, off, rows);
    if (!c) {
        free(w);
        return NULL;
    }
    *store = w;
    return c;
}

static size_t ids_len(const Milvus__Proto__Schema__IDs *ids)
{
    if (!ids)
        return 0;
    if (ids->id_field_case == MILVUS__PROTO__SCHEMA__IDS__ID_FIELD_STR_ID && ids->str_id)
        return ids->str_id->n_data;
    if (ids->id_field_case == MILVUS__PROTO__SCHEMA__IDS__ID_FIELD_INT_ID && ids->int_id)
        return ids->int_id->n_data;
    return 0;
}

/* Ids columns own their wrapper: mark them owned with a borrowed-all fd. */
static milvus_column *ids_column(Milvus__Proto__Schema__IDs *ids, size_t off, size_t rows)
{
    ids_fd *w = NULL;
    milvus_column *c = ids_view(ids, off, rows, &w);
    if (!c)
        return NULL;
    c->owned = 2; /* milvus_column_free frees the wrapper, not the arrays */
    return c;
}

int mv_result_fill_ids(milvus_result *r, Milvus__Proto__Schema__IDs *ids)
{
    r->ids = ids_column(ids, 0, ids_len(ids));
    return r->ids ? MILVUS_OK : MILVUS_ERR_NOMEM;
}

int mv_result_fill_search(milvus_result *r, Milvus__Proto__Schema__SearchResultData *d)
{
    size_t off = 0, nids = ids_len(d->ids);
    r->nq = d ? (size_t)(d->num_queries > 0 ? d->num_queries : 0) : 0;
    /* num_queries is only a claim: beyond the per-query counts the
     * response carries, no more queries than Milvus accepts in one search
     * are indexed, so a few bytes cannot make the client allocate
     * gigabytes. */
    if (r->nq > d->n_topks && r->nq > MV_MAX_NQ)
        r->nq = d->n_topks > MV_MAX_NQ ? d->n_topks : MV_MAX_NQ;
    if (d && r->nq < d->n_topks)
        r->nq = d->n_topks;
    r->nhcols = d ? d->n_fields_data : 0;
    if (r->nhcols && r->nq > MV_MAX_HIT_VIEWS / r->nhcols) {
        r->nq = r->nhcols = 0;
        return MILVUS_ERR_PROTOCOL;
    }
    r->hit_cnt = calloc(r->nq ? r->nq : 1, sizeof(*r->hit_cnt));
    r->hit_ids = calloc(r->nq ? r->nq : 1, sizeof(*r->hit_ids));
    r->hit_scores = calloc(r->nq ? r->nq : 1, sizeof(*r->hit_scores));
    r->hit_cols = calloc((r->nq && r->nhcols) ? r->nq * r->nhcols : 1, sizeof(*r->hit_cols));
    if (!r->hit_cnt || !r->hit_ids || !r->hit_scores || !r->hit_cols)
        return MILVUS_ERR_NOMEM;
    if (d->group_by_field_value &&
        !(r->hit_groups = calloc(r->nq ? r->nq : 1, sizeof(*r->hit_groups))))
        return MILVUS_ERR_NOMEM;
    for (size_t q = 0; q < r->nq; q++) {
        size_t n = q < d->n_topks ? (size_t)d->topks[q] : 0;
        /* never trust counts beyond what the response carries */
        if (off + n > nids)
            n = off < nids ? nids - off : 0;
        if (off + n > d->n_scores)
            n = off < d->n_scores ? d->n_scores - off : 0;
        r->hit_cnt[q] = n;
        r->hit_scores[q] = d->scores ? d->scores + off : NULL;
        if (!(r->hit_ids[q] = ids_column(d->ids, off, n)))
            return MILVUS_ERR_NOMEM;
        for (size_t i = 0; i < r->nhcols; i++) {
            mv_fd *fd = d->fields_data[i];
            size_t rows = mv_fd_rows(fd);
            size_t m = off + n <= rows ? n : (off < rows ? rows - off : 0);
            if (!(r->hit_cols[q * r->nhcols + i] = mv_column_view(fd, off, m)))
                return MILVUS_ERR_NOMEM;
        }
        if (r->hit_groups) {
            mv_fd *fd = d->group_by_field_value;
            size_t rows = mv_fd_rows(fd);
            size_t m = off + n <= rows ? n : (off < rows ? rows - off : 0);
            if (!(r->hit_groups[q] = mv_column_view(fd, off, m)))
                return MILVUS_ERR_NOMEM;
        }
        off += n;
    }
    return MILVUS_OK;
}

/* ---- accessors ------------------------------------------------------------- */

#define STR_OR_EMPTY(x) ((x) ? (x) : "")

int milvus_result_status(const milvus_result *r)
{
    return r ? r->status : MILVUS_ERR_INVALID_ARGUMENT;
}
const char *milvus_result_message(const milvus_result *r)
{
    return r ? STR_OR_EMPTY(r->message) : "";
}
const char *milvus_result_operation(const milvus_result *r)
{
    return r ? STR_OR_EMPTY(r->op) : "";
}
const char *milvus_result_collection(const milvus_result *r)
{
    return r ? STR_OR_EMPTY(r->coll) : "";
}
int milvus_result_grpc_code(const milvus_result *r)
{
    return r ? r->grpc_code : 0;
}
const char *milvus_result_grpc_message(const milvus_result *r)
{
    return r ? STR_OR_EMPTY(r->grpc_msg) : "";
}
int32_t milvus_result_server_code(const milvus_result *r)
{
    return r ? r->server_code : 0;
}
int32_t milvus_result_legacy_code(const milvus_result *r)
{
    return r ? r->legacy_code : 0;
}
const char *milvus_result_reason(const milvus_result *r)
{
    return r ? STR_OR_EMPTY(r->reason) : "";
}
int milvus_result_retriable(const milvus_result *r)
{
    return r ? r->retriable : 0;
}
const char *milvus_result_detail(const milvus_result *r)
{
    return r ? STR_OR_EMPTY(r->detail) : "";
}
int milvus_result_attempts(const milvus_result *r)
{
    return r ? r->attempts : 0;
}
int milvus_result_bool(const milvus_result *r)
{
    return r ? r->b : 0;
}
int64_t milvus_result_int64(const milvus_result *r)
{
    return r ? r->i64 : 0;
}
const char *milvus_result_string(const milvus_result *r)
{
    return r ? STR_OR_EMPTY(r->str) : "";
}
size_t milvus_result_string_count(const milvus_result *r)
{
    return r ? r->strs.n : 0;
}
const char *milvus_result_string_at(const milvus_result *r, size_t i)
{
    return r && i < r->strs.n ? r->strs.v[i] : NULL;
}
size_t milvus_result_property_count(const milvus_result *r)
{
    return r ? r->kv.n : 0;
}
const char *milvus_result_property_key(const milvus_result *r, size_t i)
{
    return r && i < r->kv.n ? r->kv.keys[i] : NULL;
}
const char *milvus_result_property_value(const milvus_result *r, size_t i)
{
    return r && i < r->kv.n ? r->kv.vals[i] : NULL;
}
const char *milvus_result_property(const milvus_result *r, const char *key)
{
    if (!r || !key)
        return NULL;
    for (size_t i = 0; i < r->kv.n; i++)
        if (strcmp(r->kv.keys[i], key) == 0)
            return r->kv.vals[i];
    return NULL;
}
const milvus_schema *milvus_result_schema(const milvus_result *r)
{
    return r ? r->schema : NULL;
}

static Milvus__Proto__Milvus__IndexDescription *idx_at(const milvus_result *r, size_t i)
{
    return r && r->idx && i < r->idx->n_index_descriptions ? r->idx->index_descriptions[i] : NULL;
}
size_t milvus_result_index_count(const milvus_result *r)
{
    return r && r->idx ? r->idx->n_index_descriptions : 0;
}
const char *milvus_result_index_name(const milvus_result *r, size_t i)
{
    Milvus__Proto__Milvus__IndexDescription *d = idx_at(r, i);
    return d ? d->index_name : NULL;
}
const char *milvus_result_index_field(const milvus_result *r, size_t i)
{
    Milvus__Proto__Milvus__IndexDescription *d = idx_at(r, i);
    return d ? d->field_name : NULL;
}
milvus_index_state milvus_result_index_state(const milvus_result *r, size_t i)
{
    Milvus__Proto__Milvus__IndexDescription *d = idx_at(r, i);
    return d ? (milvus_index_state)d->state : MILVUS_INDEX_STATE_NONE;
}
const char *milvus_result_index_fail_reason(const milvus_result *r, size_t i)
{
    Milvus__Proto__Milvus__IndexDescription *d = idx_at(r, i);
    return d ? d->index_state_fail_reason : NULL;
}
const char *milvus_result_index_param(const milvus_result *r, size_t i, const char *key)
{
    Milvus__Proto__Milvus__IndexDescription *d = idx_at(r, i);
    if (!d || !key)
        return NULL;
    for (size_t k = 0; k < d->n_params; k++)
        if (strcmp(d->params[k]->key, key) == 0)
            return d->params[k]->value;
    return NULL;
}
int64_t milvus_result_index_total_rows(const milvus_result *r, size_t i)
{
    Milvus__Proto__Milvus__IndexDescription *d = idx_at(r, i);
    return d ? d->total_rows : 0;
}
int64_t milvus_result_index_indexed_rows(const milvus_result *r, size_t i)
{
    Milvus__Proto__Milvus__IndexDescription *d = idx_at(r, i);
    return d ? d->indexed_rows : 0;
}
int64_t milvus_result_index_pending_rows(const milvus_result *r, size_t i)
{
    Milvus__Proto__Milvus__IndexDescription *d = idx_at(r, i);
    return d ? d->pending_index_rows : 0;
}

const milvus_column *milvus_result_ids(const milvus_result *r)
{
    return r ? r->ids : NULL;
}
int64_t milvus_result_insert_count(const milvus_result *r)
{
    return r ? r->insert_cnt : 0;
}
int64_t milvus_result_upsert_count(const milvus_result *r)
{
    return r ? r->upsert_cnt : 0;
}
int64_t milvus_result_delete_count(const milvus_result *r)
{
    return r ? r->delete_cnt : 0;
}
uint64_t milvus_result_timestamp(const milvus_result *r)
{
    return r ? r->ts : 0;
}

size_t milvus_result_num_queries(const milvus_result *r)
{
    return r ? r->nq : 0;
}
size_t milvus_result_hit_count(const milvus_result *r, size_t q)
{
    return r && q < r->nq ? r->hit_cnt[q] : 0;
}
const milvus_column *milvus_result_hit_ids(const milvus_result *r, size_t q)
{
    return r && q < r->nq ? r->hit_ids[q] : NULL;
}
const float *milvus_result_hit_scores(const milvus_result *r, size_t q)
{
    return r && q < r->nq ? r->hit_scores[q] : NULL;
}
size_t milvus_result_hit_column_count(const milvus_result *r)
{
    return r ? r->nhcols : 0;
}
const milvus_column *milvus_result_hit_column_at(const milvus_result *r, size_t q, size_t i)
{
    return r && q < r->nq && i < r->nhcols ? r->hit_cols[q * r->nhcols + i] : NULL;
}
const milvus_column *milvus_result_hit_column(const milvus_result *r, size_t q, const char *name)
{
    if (!r || !name || q >= r->nq)
        return NULL;
    for (size_t i = 0; i < r->nhcols; i++) {
        const milvus_column *c = r->hit_cols[q * r->nhcols + i];
        if (strcmp(c->fd->field_name, name) == 0)
            return c;
    }
    return NULL;
}

const milvus_column *milvus_result_hit_group_values(const milvus_result *r, size_t q)
{
    return r && r->hit_groups && q < r->nq ? r->hit_groups[q] : NULL;
}

size_t milvus_result_row_count(const milvus_result *r)
{
    return r ? r->rows : 0;
}
size_t milvus_result_column_count(const milvus_result *r)
{
    return r ? r->ncols : 0;
}
const milvus_column *milvus_result_column_at(const milvus_result *r, size_t i)
{
    return r && i < r->ncols ? r->cols[i] : NULL;
}
const milvus_column *milvus_result_column(const milvus_result *r, const char *name)
{
    if (!r || !name)
        return NULL;
    for (size_t i = 0; i < r->ncols; i++)
        if (strcmp(r->cols[i]->fd->field_name, name) == 0)
            return r->cols[i];
    return NULL;
}
