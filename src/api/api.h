/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Internal declarations of the typed Milvus API (layer 4).
 */
#ifndef MV_API_H
#define MV_API_H

#include <stdarg.h>
#include <stdbool.h>

#include <milvus/client.h>
#include <milvus/channel.h>

#include "common/options_internal.h"

#include "common.pb-c.h"
#include "schema.pb-c.h"
#include "milvus.pb-c.h"

typedef Milvus__Proto__Schema__FieldData mv_fd;
typedef Milvus__Proto__Schema__FieldSchema mv_fs;
typedef Milvus__Proto__Schema__CollectionSchema mv_cs;
typedef Milvus__Proto__Common__KeyValuePair mv_kvp;
typedef Milvus__Proto__Common__Status mv_pbstatus;

#define MV_ERRBUF 512

/* ---- util.c ------------------------------------------------------------- */

/* Checks a name (collection, field, ...): non-empty, <= 255 bytes, valid
 * UTF-8.  Writes a message naming `what` into err on failure. */
int mv_check_name(const char *what, const char *name, char *err, size_t len);
/* The same check for a name a setter takes (a field, partition, index or
 * template name): MILVUS_OK, or the refusal recorded in e (see
 * mv_refuse()), tied to no key. */
int mv_setter_name(mv_opterr *e, const char *setter, const char *what, const char *name);
/* A text a setter takes (a filter, a description, a string value): not
 * NULL, valid UTF-8.  MILVUS_OK or the refusal, tied to key. */
int mv_setter_text(mv_opterr *e, const char *setter, const char *key, const char *what,
                   const char *s);
int mv_utf8_valid(const char *s, size_t len);
char *mv_strdup(const char *s);
/* Replaces a protobuf string member (protobuf_c_empty_string aware). */
int mv_pb_set_str(char **dst, const char *s);
void mv_pb_free_str(char *s);
/* Milliseconds on the monotonic clock. */
int64_t mv_now_ms(void);
/* Deep copy of a protobuf-c message by pack + unpack; NULL on failure. */
ProtobufCMessage *mv_msg_dup(const ProtobufCMessage *m);
/* Packs m into a fresh buffer. */
uint8_t *mv_pack(const ProtobufCMessage *m, size_t *len);
struct mv_reqbuf;
struct mv_rbpool;
/* Packs m once, straight into a request buffer the transport sends without
 * copying (gRPC prefix reserved in front; large ones from pool, which may be
 * NULL); NULL when out of memory.  With
 * max > 0 a message larger than max (or any over 4 GiB, the limit of a gRPC
 * message) is not packed: *too_large gets its size. */
struct mv_reqbuf *mv_pack_rb(const ProtobufCMessage *m, struct mv_rbpool *pool, size_t max,
                             size_t *too_large);
/* A write request -- head (packed as is) plus the columns fds as repeated
 * FieldData field `field` -- whose dense vectors are not copied: the buffer
 * points at them in fds, which must outlive it.  max and *too_large as for
 * mv_pack_rb. */
struct mv_reqbuf *mv_pack_fields_borrowing(const ProtobufCMessage *head, mv_fd **fds, size_t n,
                                           unsigned field, size_t max, size_t *too_large);
void mv_errf(char *buf, size_t len, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* A growable list of owned key/value strings. */
typedef struct mv_kvlist {
    char **keys;
    char **vals;
    size_t n;
} mv_kvlist;
int mv_kv_set(mv_kvlist *l, const char *key, const char *val); /* replaces */
void mv_kv_free(mv_kvlist *l);
/* A KeyValuePair array view over a list (pointers borrowed); NULL on OOM
 * (or when n is 0). */
mv_kvp **mv_kv_to_pb(const mv_kvlist *l, mv_kvp **storage_out);
void mv_kv_pb_free(mv_kvp **arr, mv_kvp *storage);

typedef struct mv_strlist {
    char **v;
    size_t n;
} mv_strlist;
int mv_str_add(mv_strlist *l, const char *s);
void mv_str_free(mv_strlist *l);

/* ---- schema.c ----------------------------------------------------------- */

struct milvus_field {
    mv_fs *pb;
    mv_opterr err; /* refused setter values */
};
struct milvus_schema {
    mv_cs *pb;
    milvus_field *views; /* one wrapper per field, rebuilt on change */
    size_t nviews;
    int borrowed;  /* pb belongs to a result */
    mv_opterr err; /* refused setter values (add_field included) */
};
/* A schema view over pb (borrowed when borrowed != 0, else adopted). */
milvus_schema *mv_schema_wrap(mv_cs *pb, int borrowed);
int mv_type_valid(int type);
int mv_type_is_string(int type);

/* ---- column.c ----------------------------------------------------------- */

struct milvus_column {
    mv_fd *fd;       /* the data */
    int owned;       /* fd freed with the column */
    void **borrowed; /* zero-copy: member pointing at caller memory */
    size_t off;      /* first row of the view */
    size_t rows;
    size_t *vidx; /* compact nullable: value index per row, SIZE_MAX = NULL */
    int64_t dim;
};
/* A view over rows [off, off+rows) of fd (owned by someone else).
 * NULL on OOM. */
milvus_column *mv_column_view(mv_fd *fd, size_t off, size_t rows);
/* Number of rows of a FieldData (valid_data length when present). */
size_t mv_fd_rows(const mv_fd *fd);
/* Number of values stored (non-null ones for compact nullable). */
size_t mv_fd_values(const mv_fd *fd);
/* Checks a column against a schema field: type, dim, element type;
 * writes the message into err. */
int mv_column_check(const milvus_column *col, const mv_fs *f, char *err, size_t len);

/* ---- result.c ----------------------------------------------------------- */

/* Bounds on what a search response may make the client index: Milvus
 * accepts at most 16384 query vectors per search, and one column view is
 * made per query and output field. */
#define MV_MAX_NQ 16384
#define MV_MAX_HIT_VIEWS ((size_t)1 << 22)

struct milvus_result {
    int refs;
    int status;
    char *message;
    char *op;
    char *coll;
    int grpc_code;
    char *grpc_msg;
    int32_t server_code;
    int32_t legacy_code;
    char *reason;
    char *detail;
    int retriable;
    int attempts;

    ProtobufCMessage *msg; /* unpacked response (owned) */

    int b;
    int64_t i64;
    char *str;
    mv_strlist strs;
    mv_kvlist kv;
    milvus_schema *schema;
    milvus_column *ids;
    uint64_t ts;
    int64_t insert_cnt, upsert_cnt, delete_cnt;

    /* search */
    size_t nq;
    size_t *hit_cnt;
    milvus_column **hit_ids;  /* nq */
    float **hit_scores;       /* nq, into msg */
    milvus_column **hit_cols; /* nq * ncols */
    size_t nhcols;
    milvus_column **hit_groups; /* nq, group-by values (NULL without group by) */

    /* query */
    size_t rows;
    milvus_column **cols;
    size_t ncols;

    /* describe index (into msg) */
    Milvus__Proto__Milvus__DescribeIndexResponse *idx;
};
milvus_result *mv_result_new(const char *op, const char *coll);
/* A shared result for operations that found no memory for their own
 * (MILVUS_ERR_NOMEM; ref and unref do nothing). */
milvus_result *mv_result_oom(void);
/* Fills the error fields and the message. */
void mv_result_set_error(milvus_result *r, int status, int grpc_code, const char *grpc_msg,
                         const mv_pbstatus *st);
void mv_result_set_local(milvus_result *r, int status, const char *msg);
/* Search results: per-query slices of msg's SearchResultData. */
int mv_result_fill_search(milvus_result *r, Milvus__Proto__Schema__SearchResultData *d);
int mv_result_fill_columns(milvus_result *r, mv_fd **fds, size_t n);
int mv_result_fill_ids(milvus_result *r, Milvus__Proto__Schema__IDs *ids);

/* ---- client.c: operations ----------------------------------------------- */

typedef struct mv_op mv_op;
typedef struct mv_copts mv_copts;
/* Step handler: gets the reply of the op's current RPC as a result (status
 * already checked; res->msg is the unpacked response when it parsed).
 * It must either mv_op_finish() (giving res or another result), issue
 * another RPC with mv_op_rpc(), or mv_op_sleep(). It owns res. */
typedef void (*mv_step_fn)(mv_op *op, milvus_result *res);

struct mv_op {
    milvus_client *c;
    mv_op *prev, *next;
    uint64_t id;
    char *opname;
    char *coll;
    milvus_result_cb cb;
    void *ctx;

    /* current RPC */
    const char *method;
    struct mv_reqbuf *rb; /* the packed request, kept for re-sends */
    const ProtobufCMessageDescriptor *resp_desc;
    mv_step_fn step;
    int attempts;
    int total_attempts;
    milvus_call_id call;
    int state;
    int bypass_gate;        /* Connect itself */
    int64_t rpc_timeout_ms; /* deadline of each RPC of the op; 0 = channel default */
    mv_copts *copts;        /* the client's call options when the op was made */
    int internal;           /* not counted in milvus_client_pending() nor bounded */
    struct event *timer;
    void (*on_timer)(mv_op *op);

    /* per-operation data */
    void *data;
    void (*data_free)(void *data);
};

mv_op *mv_op_new(milvus_client *c, const char *opname, const char *coll, milvus_result_cb cb,
                 void *ctx);
/* Frees an op that was never submitted. */
void mv_op_discard(mv_op *op);
/* Submits the op's first RPC (from the submitting function): on error the
 * op is discarded and the error returned (nothing called back). */
int mv_op_start(mv_op *op, const char *method, const ProtobufCMessage *req,
                const ProtobufCMessageDescriptor *resp_desc, mv_step_fn step);
/* Like mv_op_start with a request already packed into rb (see mv_pack_rb);
 * takes over the caller's reference to rb, also on failure. */
int mv_op_start_packed(mv_op *op, const char *method, struct mv_reqbuf *rb,
                       const ProtobufCMessageDescriptor *resp_desc, mv_step_fn step);
/* Later RPCs of a multi-step op (from a step): on a local error the op
 * finishes with it. */
void mv_op_rpc(mv_op *op, const char *method, const ProtobufCMessage *req,
               const ProtobufCMessageDescriptor *resp_desc, mv_step_fn step);
/* Like mv_op_rpc with a packed request; takes over the reference to rb. */
void mv_op_rpc_packed(mv_op *op, const char *method, struct mv_reqbuf *rb,
                      const ProtobufCMessageDescriptor *resp_desc, mv_step_fn step);
/* Starts an op that completes with no RPC (e.g. cached answers): the
 * result is delivered from the loop. */
int mv_op_start_local(mv_op *op, milvus_result *res);
/* Starts an op whose first action is fn(op) from a timer after ms (0: at
 * the next loop turn); counts against the pending bound. */
int mv_op_start_timer(mv_op *op, int64_t ms, void (*fn)(mv_op *op));
/* One DescribeCollection for concurrent first writes to a collection:
 * mv_schema_fetch_begin() returns 1 when the caller is to fetch the schema
 * (and must call mv_schema_fetch_end() once it is cached or the fetch
 * failed or was abandoned), 0 when another op is fetching it (park with
 * mv_op_park_schema(): resume(op) is called from the loop after the
 * fetch ends, cached or not), -1 when out of memory (fetch anyway). */
int mv_schema_fetch_begin(milvus_client *c, const char *coll);
void mv_schema_fetch_end(milvus_client *c, const char *coll);
/* Submits an op that waits for a schema fetch (counts against the pending
 * bound; cancellable); MILVUS_ERR_BUSY discards it. */
int mv_op_park_schema(mv_op *op, void (*resume)(mv_op *op));
/* Calls fn(op) after ms milliseconds (polls). */
void mv_op_sleep(mv_op *op, int64_t ms, void (*fn)(mv_op *op));
/* Delivers res to the user (or to nothing for internal ops) and frees the
 * op.  Takes ownership of res. */
void mv_op_finish(mv_op *op, milvus_result *res);
/* Default step: deliver the reply as is. */
void mv_step_deliver(mv_op *op, milvus_result *res);
/* Fails op with a local error. */
void mv_op_fail(mv_op *op, int status, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* Client internals needed by the operation files. */
int mv_client_check(milvus_client *c, milvus_result_cb cb);
int mv_client_seterr(milvus_client *c, int status, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
int mv_client_check_name(milvus_client *c, const char *what, const char *name);
const char *mv_client_db(const milvus_client *c);
/* The pool recycling the client's large request buffers. */
struct mv_rbpool *mv_client_rbpool(const milvus_client *c);
/* The max send size of the client's options (0: none). */
size_t mv_client_max_send(const milvus_client *c);
/* Schema cache (by collection, within the current database). */
const mv_cs *mv_cache_get(milvus_client *c, const char *coll, uint64_t *ts);
int mv_cache_put(milvus_client *c, const char *coll, const mv_cs *schema, uint64_t ts);
void mv_cache_evict(milvus_client *c, const char *coll);
void mv_cache_clear(milvus_client *c);

/* ---- poll.c: the one await engine ------------------------------------------- */

struct milvus_await_options {
    int64_t timeout_ms;
    int64_t initial_ms, max_ms; /* the poll interval: mv_backoff_delay() of these */
    double factor;
    milvus_progress_cb cb;
    void *ctx;
    mv_opterr err; /* refused setter values */
};

/* What one successful poll says (kind->read). */
enum { MV_POLL_PENDING, MV_POLL_DONE, MV_POLL_FAILED };
typedef struct mv_poll_reading {
    int64_t progress; /* 0..100 */
    int stage;        /* a state whose change is reported too (a job's); 0 when none */
    /* MV_POLL_FAILED: the server's reason and the Milvus code to report it
     * with (0: legacy UnexpectedError) */
    char reason[MV_ERRBUF];
    int32_t code;
} mv_poll_reading;

/* A kind of await: all it supplies to the engine. */
typedef struct mv_poll_kind {
    /* Sends one poll, with mv_await_send(). */
    void (*send)(mv_op *op);
    /* Reads a successful answer into r: MV_POLL_PENDING, _DONE or _FAILED
     * (res may be annotated, e.g. the index view, not failed). */
    int (*read)(mv_op *op, milvus_result *res, mv_poll_reading *r);
    /* Names what is awaited, for the deadline message ("restore job 7"). */
    void (*name)(const mv_op *op, char *buf, size_t len);
    /* The name of a stage, for the deadline message (NULL: no stages). */
    const char *(*stage_name)(int stage);
    /* Fills the final result of a completed await (NULL: int64 = progress). */
    void (*complete)(mv_op *op, milvus_result *res);
} mv_poll_kind;

/* The data of every await op: the engine's state, then what the kinds and
 * composites keep (each uses its own fields; all are freed with the op). */
typedef struct mv_await {
    const mv_poll_kind *kind;
    milvus_await_options ao; /* the numbers and the callback (no refusals) */
    int64_t deadline;        /* monotonic ms; 0 = none */
    int polls;               /* polls sent: the backoff's attempt count */
    int64_t last_progress;   /* -1 before the first answer */
    int last_stage;
    char *last_err;         /* the last transient failure, for the deadline message */
    int starting, start_rc; /* mv_await_start() */
    /* Completed: the composite's next step gets the result (NULL: the
     * await delivers it). */
    mv_step_fn then;
    /* the kinds' fields */
    char *index;      /* index: one index (NULL = all) */
    mv_strlist parts; /* load: partitions */
    int64_t *segs;    /* flush state: the sealed segments */
    size_t nsegs;
    uint64_t flush_ts;
    char *db;       /* flush state: the database (NULL: the client's) */
    int64_t job_id; /* restore / export job */
    int job_kind;
    int quick; /* create_collection_quick: the current step */
    char *metric;
    void *extra; /* a composite's own data */
    void (*extra_free)(void *extra);
} mv_await;

/* The transient-failure rule of every await (see poll.c): 1 when a
 * failed poll does not end the await. */
int mv_await_transient(const milvus_result *res);
/* A new op awaiting with kind k (o NULL: the defaults); op->data is its
 * mv_await and the deadline starts now.  NULL when out of memory (the
 * client's last error says so). */
mv_op *mv_await_op(milvus_client *c, const char *opname, const char *coll, const mv_poll_kind *k,
                   const milvus_await_options *o, milvus_result_cb cb, void *ctx);
/* Submits op with its first poll (from the submitting function; as
 * mv_op_start: on error op is discarded). */
int mv_await_start(mv_op *op);
/* The first RPC of a composite (from the submitting function) and its
 * later steps, bounded by the await's deadline like the polls. */
int mv_await_start_rpc(mv_op *op, const char *method, const ProtobufCMessage *req,
                       const ProtobufCMessageDescriptor *resp_desc, mv_step_fn step);
void mv_await_rpc(mv_op *op, const char *method, const ProtobufCMessage *req,
                  const ProtobufCMessageDescriptor *resp_desc, mv_step_fn step);
/* From a composite's step: the first poll, now. */
void mv_await_poll(mv_op *op);
/* For kind->send: sends the poll request. */
void mv_await_send(mv_op *op, const char *method, const ProtobufCMessage *req,
                   const ProtobufCMessageDescriptor *resp_desc);

/* ---- await.c: the flush-state kind, shared with the snapshot composites --- */

extern const mv_poll_kind mv_flush_kind;
/* The step of a Flush answer in a flush await: records the sealed
 * segments and the flush ts of op->coll, then polls. */
void mv_flush_step(mv_op *op, milvus_result *res);

/* ---- ops.c: shared by the operation files ------------------------------ */

/* Client/callback check and the names involved (what1/what2 NULL: the
 * operation has no such name). */
int mv_prologue(milvus_client *c, milvus_result_cb cb, const char *what1, const char *name1,
                const char *what2, const char *name2);
/* The next RPC of a multi-step op: DescribeCollection of its collection. */
void mv_op_describe(mv_op *op, mv_step_fn step);
/* RFC 3339 time text as microseconds since the epoch; 0 on success. */
int mv_parse_rfc3339_us(const char *t, int64_t *out);
/* A one-RPC operation (step NULL: deliver the reply as is). */
int mv_submit(milvus_client *c, const char *opname, const char *coll, milvus_result_cb cb,
              void *ctx, const char *method, const ProtobufCMessage *req,
              const ProtobufCMessageDescriptor *desc, mv_step_fn step);
void mv_strings_out(milvus_result *res, char **v, size_t n);
void mv_kv_out(milvus_result *res, mv_kvp **kv, size_t n);
/* MILVUS_OK when e (NULL: no option object) holds no refused value; else
 * MILVUS_ERR_INVALID_ARGUMENT with the client's last error
 * "<op>: invalid <what>: <the refusal>". */
int mv_check_opts(milvus_client *c, const char *op, const char *what, const mv_opterr *e);
/* n keys (and values when values != NULL), non-empty. */
int mv_check_keys(milvus_client *c, const char *const *keys, const char *const *values, size_t n);
/* Properties as KeyValuePairs (values != NULL; nothing built otherwise,
 * for a request that deletes keys), freed with mv_props_free(). */
typedef struct mv_props {
    mv_kvlist l;
    mv_kvp **arr, *st;
} mv_props;
int mv_props_build(milvus_client *c, mv_props *p, const char *const *keys,
                   const char *const *values, size_t n);
void mv_props_free(mv_props *p);

/* ---- search.c, query.c: the read option objects, shared with iterator.c --- */

typedef Milvus__Proto__Milvus__SearchRequest__ExprTemplateValuesEntry mv_tv_entry;
typedef Milvus__Proto__Schema__TemplateValue mv_tv_val;

/* Template values kept by search/query options. */
typedef struct mv_templates {
    mv_tv_entry **e;
    size_t n;
} mv_templates;

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
    mv_opterr err; /* refused setter values */
};

struct milvus_query_options {
    char *filter;
    mv_templates tv;
    mv_strlist out, parts;
    int64_t limit, offset;
    int consistency;
    mv_opterr err; /* refused setter values */
};

/* search.c: template values and option setters shared by the search and
 * query options. */
void mv_tv_free(mv_templates *t);
mv_tv_entry **mv_tv_as(const mv_templates *t, const ProtobufCMessageDescriptor *d,
                       mv_tv_entry **store);
mv_tv_val *mv_tv_set(mv_templates *t, mv_opterr *e, const char *setter, const char *name, int *rc);
int mv_tv_int(mv_templates *tv, mv_opterr *e, const char *setter, const char *name, int64_t v);
int mv_tv_double(mv_templates *tv, mv_opterr *e, const char *setter, const char *name, double v);
int mv_tv_bool(mv_templates *tv, mv_opterr *e, const char *setter, const char *name, int v);
int mv_tv_string(mv_templates *tv, mv_opterr *e, const char *setter, const char *name,
                 const char *v);
int mv_set_filter(mv_opterr *e, const char *setter, char **dst, const char *expr);
int mv_add_name(mv_opterr *e, const char *setter, const char *what, mv_strlist *l,
                const char *name);
int mv_set_consistency(mv_opterr *e, const char *setter, int *dst, milvus_consistency l);

/* search.c: a SearchRequest built from search options (search, hybrid
 * search legs, the search iterator's template). */
typedef struct mv_search_build {
    Milvus__Proto__Milvus__SearchRequest req;
    mv_kvlist kv;
    mv_kvp **arr, *st;
    mv_tv_entry **tva, *tvs;
    char *pj;
} mv_search_build;
int mv_build_search(milvus_client *c, const char *coll, const milvus_search_options *o,
                    mv_search_build *b);
void mv_search_build_free(mv_search_build *b);

/* query.c: a QueryRequest started as an op, or only packed into pack_out
 * (the query iterator's template). */
int mv_submit_query(milvus_client *c, const char *opname, const char *coll, const char *expr,
                    const milvus_query_options *o, char **out, size_t nout, mv_step_fn step,
                    milvus_result_cb cb, void *ctx, ProtobufCBinaryData *pack_out);

/* ---- data.c: shared with search.c, query.c and iterator.c ------------ */

/* Appends n bytes of s to the growing *buf; 0 or -1 (out of memory). */
int mv_append(char **buf, size_t *len, size_t *cap, const char *s, size_t n);
/* "pk in [1,2]" / "pk in [\"a\"]" for a column of keys; NULL on OOM. */
char *mv_ids_expr(const char *pk, const milvus_column *ids);
/* ids must be a non-empty Int64 or VarChar column. */
int mv_check_ids(milvus_client *c, const char *op, const char *coll, const milvus_column *ids);
/* The primary key name of the cached schema of coll, or NULL. */
const char *mv_cached_pk(milvus_client *c, const char *coll);

/* MsgBase shared by all requests (zero-filled). */
extern Milvus__Proto__Common__MsgBase mv_msg_base;

#define MV_RPC(name) "/milvus.proto.milvus.MilvusService/" name

#endif /* MV_API_H */
