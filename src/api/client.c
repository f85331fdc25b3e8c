/* SPDX-License-Identifier: Apache-2.0 */
/* The client: lifecycle, the Connect handshake, and the operation engine
 * (submit -> channel call -> unpack -> Milvus status -> step -> callback),
 * with rate-limit retries and polls on event timers. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <event2/event.h>

#include "api/api.h"
#include "common/backoff.h"
#include "call/submit.h"
#include "common/reqbuf.h"
#include "common/util.h"
#include "wire/grpc_wire.h"
#include "common/options_internal.h"

enum { OP_NEW, OP_WAIT_CONNECT, OP_WAIT_SCHEMA, OP_IN_FLIGHT, OP_TIMER, OP_DONE };
enum { CONN_NONE, CONN_CONNECTING, CONN_READY };

typedef struct cache_ent {
    struct cache_ent *next;
    char *coll;
    mv_cs *schema;
    uint64_t ts;
} cache_ent;

/* A collection whose schema one op is fetching for the others. */
typedef struct fetch_ent {
    struct fetch_ent *next;
    char *coll;
} fetch_ent;

struct milvus_client {
    struct event_base *base;
    milvus_channel *ch;
    milvus_options *opts;
    char *db;
    char err[MV_ERRBUF];
    mv_op *head, *tail;
    size_t npending;
    uint64_t next_id, last_id;
    int conn;
    int closing, freeing, free_pending, depth;
    milvus_client_closed_cb closed_cb;
    void *closed_ctx;
    struct event *close_ev;
    cache_ent *cache;
    fetch_ent *fetching;
    mv_rbpool *rbpool;  /* recycles the buffers of large requests */
    mv_copts *copts;    /* call options for the operations submitted from now on */
    int64_t identifier; /* of the last successful Connect */
};

static void client_destroy(milvus_client *c);

/* ---- errors -------------------------------------------------------------- */

int mv_client_seterr(milvus_client *c, int status, const char *fmt, ...)
{
    va_list ap;
    if (!c)
        return status;
    va_start(ap, fmt);
    vsnprintf(c->err, sizeof(c->err), fmt, ap);
    va_end(ap);
    return status;
}

const char *milvus_client_last_error(const milvus_client *c)
{
    return c ? c->err : "client is NULL";
}

int mv_client_check(milvus_client *c, milvus_result_cb cb)
{
    if (!c)
        return MILVUS_ERR_INVALID_ARGUMENT;
    if (!cb)
        return mv_client_seterr(c, MILVUS_ERR_INVALID_ARGUMENT, "callback is NULL");
    if (c->closing || c->freeing || c->free_pending)
        return mv_client_seterr(c, MILVUS_ERR_CLOSED, "client is closed");
    return MILVUS_OK;
}

int mv_client_check_name(milvus_client *c, const char *what, const char *name)
{
    int rc = mv_check_name(what, name, c->err, sizeof(c->err));
    return rc;
}

const char *mv_client_db(const milvus_client *c)
{
    return c->db ? c->db : "";
}
const char *milvus_client_database(const milvus_client *c)
{
    return c ? mv_client_db(c) : "";
}
size_t milvus_client_pending(const milvus_client *c)
{
    return c ? c->npending : 0;
}
uint64_t milvus_client_last_call(const milvus_client *c)
{
    return c ? c->last_id : 0;
}
int64_t milvus_client_identifier(const milvus_client *c)
{
    return c ? c->identifier : 0;
}

/* ---- schema cache ---------------------------------------------------------- */

const mv_cs *mv_cache_get(milvus_client *c, const char *coll, uint64_t *ts)
{
    for (cache_ent *e = c->cache; e; e = e->next) {
        if (strcmp(e->coll, coll) == 0) {
            if (ts)
                *ts = e->ts;
            return e->schema;
        }
    }
    return NULL;
}

int mv_cache_put(milvus_client *c, const char *coll, const mv_cs *schema, uint64_t ts)
{
    cache_ent *e = calloc(1, sizeof(*e));
    if (!e)
        return MILVUS_ERR_NOMEM;
    e->coll = mv_strdup(coll);
    e->schema = (mv_cs *)mv_msg_dup(&schema->base);
    if (!e->coll || !e->schema) {
        free(e->coll);
        if (e->schema)
            protobuf_c_message_free_unpacked(&e->schema->base, NULL);
        free(e);
        return MILVUS_ERR_NOMEM;
    }
    e->ts = ts;
    mv_cache_evict(c, coll);
    e->next = c->cache;
    c->cache = e;
    return MILVUS_OK;
}

static void cache_ent_free(cache_ent *e)
{
    free(e->coll);
    protobuf_c_message_free_unpacked(&e->schema->base, NULL);
    free(e);
}

void mv_cache_evict(milvus_client *c, const char *coll)
{
    for (cache_ent **p = &c->cache; *p; p = &(*p)->next) {
        if (strcmp((*p)->coll, coll) == 0) {
            cache_ent *e = *p;
            *p = e->next;
            cache_ent_free(e);
            return;
        }
    }
}

void mv_cache_clear(milvus_client *c)
{
    while (c->cache) {
        cache_ent *e = c->cache;
        c->cache = e->next;
        cache_ent_free(e);
    }
}

/* ---- one schema fetch for concurrent first writes -------------------------------- */

int mv_schema_fetch_begin(milvus_client *c, const char *coll)
{
    fetch_ent *f;
    for (f = c->fetching; f; f = f->next)
        if (strcmp(f->coll, coll) == 0)
            return 0;
    if (!(f = calloc(1, sizeof(*f))) || !(f->coll = mv_strdup(coll))) {
        free(f);
        return -1;
    }
    f->next = c->fetching;
    c->fetching = f;
    return 1;
}

static void resume_parked(mv_op *op);

void mv_schema_fetch_end(milvus_client *c, const char *coll)
{
    for (fetch_ent **p = &c->fetching; *p; p = &(*p)->next) {
        if (strcmp((*p)->coll, coll) == 0) {
            fetch_ent *f = *p;
            *p = f->next;
            free(f->coll);
            free(f);
            break;
        }
    }
    if (c->freeing)
        return;                                  /* the parked ops are being failed */
    for (mv_op *op = c->head; op; op = op->next) /* frees nothing */
        if (op->state == OP_WAIT_SCHEMA && strcmp(op->coll, coll) == 0)
            resume_parked(op);
}

static void fetching_clear(milvus_client *c)
{
    while (c->fetching) {
        fetch_ent *f = c->fetching;
        c->fetching = f->next;
        free(f->coll);
        free(f);
    }
}

/* ---- call options -------------------------------------------------------- */

/* The call options in force when an operation was submitted, shared by the
 * client and the operations submitted under them: setting new ones does
 * not change what the operations already submitted send. */
struct mv_copts {
    int refs;
    milvus_call_options *co;
};

static mv_copts *copts_ref(mv_copts *p)
{
    if (p)
        p->refs++;
    return p;
}

static void copts_unref(mv_copts *p)
{
    if (p && --p->refs == 0) {
        milvus_call_options_free(p->co);
        free(p);
    }
}

milvus_status milvus_client_set_call_options(milvus_client *c, const milvus_call_options *co)
{
    mv_copts *p = NULL;
    if (!c)
        return MILVUS_ERR_INVALID_ARGUMENT;
    if (co && *milvus_call_options_last_error(co))
        return mv_client_seterr(c, MILVUS_ERR_INVALID_ARGUMENT,
                                "milvus_client_set_call_options: invalid call options: %s",
                                milvus_call_options_last_error(co));
    if (co) {
        if (!(p = calloc(1, sizeof(*p))) || !(p->co = milvus_call_options_dup(co))) {
            free(p);
            return mv_client_seterr(c, MILVUS_ERR_NOMEM, "out of memory");
        }
        p->refs = 1;
    }
    copts_unref(c->copts);
    c->copts = p;
    return MILVUS_OK;
}

/* ---- operations ------------------------------------------------------------ */

mv_op *mv_op_new(milvus_client *c, const char *opname, const char *coll, milvus_result_cb cb,
                 void *ctx)
{
    mv_op *op = calloc(1, sizeof(*op));
    if (!op) {
        mv_client_seterr(c, MILVUS_ERR_NOMEM, "out of memory");
        return NULL;
    }
    op->c = c;
    op->cb = cb;
    op->ctx = ctx;
    op->copts = copts_ref(c->copts);
    op->opname = mv_strdup(opname);
    op->coll = mv_strdup(coll);
    if (!op->opname || !op->coll) {
        mv_op_discard(op);
        mv_client_seterr(c, MILVUS_ERR_NOMEM, "out of memory");
        return NULL;
    }
    return op;
}

void mv_op_discard(mv_op *op)
{
    if (!op)
        return;
    if (op->timer)
        event_free(op->timer);
    if (op->data_free && op->data)
        op->data_free(op->data);
    mv_reqbuf_unref(op->rb);
    copts_unref(op->copts);
    free(op->opname);
    free(op->coll);
    free(op);
}

static void link_op(milvus_client *c, mv_op *op)
{
    op->id = ++c->next_id;
    if (!op->internal)
        c->last_id = op->id;
    op->prev = c->tail;
    if (c->tail)
        c->tail->next = op;
    else
        c->head = op;
    c->tail = op;
    if (!op->internal)
        c->npending++;
}

static void unlink_op(milvus_client *c, mv_op *op)
{
    if (op->prev)
        op->prev->next = op->next;
    else
        c->head = op->next;
    if (op->next)
        op->next->prev = op->prev;
    else
        c->tail = op->prev;
    op->prev = op->next = NULL;
    if (!op->internal)
        c->npending--;
}

static void maybe_closed(milvus_client *c);

void mv_op_finish(mv_op *op, milvus_result *res)
{
    milvus_client *c = op->c;
    if (op->timer)
        event_del(op->timer);
    op->state = OP_DONE;
    unlink_op(c, op);
    if (!res)
        res = mv_result_oom(); /* the callback runs exactly once, even so */
    if (res != mv_result_oom() && !res->attempts)
        res->attempts = op->total_attempts;
    if (op->cb && res) {
        c->depth++;
        op->cb(c, res, op->ctx);
        c->depth--;
    }
    milvus_result_unref(res);
    mv_op_discard(op);
    if (c->depth == 0 && c->free_pending && !c->freeing) {
        client_destroy(c);
        return;
    }
    maybe_closed(c);
}

void mv_op_fail(mv_op *op, int status, const char *fmt, ...)
{
    char buf[MV_ERRBUF];
    va_list ap;
    milvus_result *res = mv_result_new(op->opname, op->coll);
    va_start(ap, fmt);
    vsnprintf(buf, sizeof(buf), fmt, ap);
    va_end(ap);
    if (!res) {
        /* Without memory for a result the callback cannot run; the op is
         * still completed so that nothing leaks or hangs. */
        mv_op_finish(op, NULL);
        return;
    }
    mv_result_set_local(res, status, buf);
    mv_op_finish(op, res);
}

void mv_step_deliver(mv_op *op, milvus_result *res)
{
    mv_op_finish(op, res);
}

static void timer_cb(evutil_socket_t fd, short what, void *arg)
{
    mv_op *op = arg;
    void (*fn)(mv_op *) = op->on_timer;
    (void)fd;
    (void)what;
    op->on_timer = NULL;
    op->state = OP_NEW;
    if (fn)
        fn(op);
}

static int arm_timer(mv_op *op, int64_t ms, void (*fn)(mv_op *op))
{
    struct timeval tv;
    if (!op->timer) {
        op->timer = evtimer_new(op->c->base, timer_cb, op);
        if (!op->timer)
            return MILVUS_ERR_NOMEM;
    }
    mv_tv_from_ms(&tv, ms);
    op->on_timer = fn;
    op->state = OP_TIMER;
    if (evtimer_add(op->timer, &tv) != 0)
        return MILVUS_ERR_NOMEM;
    return MILVUS_OK;
}

static int check_pending(mv_op *op);

/* A parked op goes on from the loop (never from inside the fetching
 * op's step): its timer, made when it was parked, is made active, which
 * cannot fail -- nothing is called back from here. */
static void resume_parked(mv_op *op)
{
    op->state = OP_TIMER;
    event_active(op->timer, EV_TIMEOUT, 1);
}

int mv_op_park_schema(mv_op *op, void (*resume)(mv_op *op))
{
    if (check_pending(op) != MILVUS_OK)
        return MILVUS_ERR_BUSY;
    if (!op->timer && !(op->timer = evtimer_new(op->c->base, timer_cb, op))) {
        milvus_client *c = op->c;
        mv_op_discard(op);
        return mv_client_seterr(c, MILVUS_ERR_NOMEM, "out of memory");
    }
    link_op(op->c, op);
    op->state = OP_WAIT_SCHEMA;
    op->on_timer = resume;
    return MILVUS_OK;
}

void mv_op_sleep(mv_op *op, int64_t ms, void (*fn)(mv_op *op))
{
    if (op->c->freeing) {
        mv_op_fail(op, MILVUS_ERR_CANCELLED, "cancelled");
        return;
    }
    if (arm_timer(op, ms, fn) != MILVUS_OK)
        mv_op_fail(op, MILVUS_ERR_NOMEM, "out of memory");
}

static void reply_cb(milvus_channel *ch, int status, const milvus_reply *reply, void *ctx);
static int start_handshake(milvus_client *c);

/* Hands the packed request to the channel: large ones by reference (the
 * op keeps its own for re-sends), small ones copied into the call. */
static int channel_send(mv_op *op, const milvus_call_options *co)
{
    size_t len = op->rb->len - MV_FRAME_HDR;
    int rc;
    if (len >= MV_REQ_SHARED_MIN) {
        mv_reqbuf_ref(op->rb);
        rc = mv_channel_unary_owned(op->c->ch, op->method, op->rb, co, reply_cb, op);
    } else {
        rc = milvus_channel_unary(op->c->ch, op->method, mv_reqbuf_payload(op->rb), len, co,
                                  reply_cb, op);
    }
    op->call = rc == MILVUS_OK ? milvus_channel_last_call(op->c->ch) : 0;
    return rc;
}

/* Sends the op's current request (or parks it until the handshake). */
static int op_send(mv_op *op)
{
    milvus_client *c = op->c;
    const milvus_call_options *user;
    int64_t ut;
    int rc;
    if (!op->bypass_gate && c->conn != CONN_READY) {
        op->state = OP_WAIT_CONNECT;
        if (c->conn == CONN_NONE && (rc = start_handshake(c)) != MILVUS_OK) {
            /* nobody would ever release the parked call */
            op->state = OP_NEW;
            return rc;
        }
        return MILVUS_OK;
    }
    op->state = OP_IN_FLIGHT;
    /* The caller's call options, except on the client's own calls (the
     * handshake, schema fetches). */
    user = op->copts && !op->internal ? op->copts->co : NULL;
    ut = mv_call_options_timeout(user);
    if (op->rpc_timeout_ms > 0 && (ut == 0 || ut > op->rpc_timeout_ms)) {
        /* awaits bound each poll by what is left of their own deadline */
        milvus_call_options *co = user ? milvus_call_options_dup(user) : milvus_call_options_new();
        if (!co) {
            op->state = OP_NEW;
            return mv_client_seterr(c, MILVUS_ERR_NOMEM, "out of memory");
        }
        milvus_call_options_set_timeout_ms(co, op->rpc_timeout_ms);
        rc = channel_send(op, co);
        milvus_call_options_free(co);
    } else {
        rc = channel_send(op, user);
    }
    if (rc != MILVUS_OK) {
        op->state = OP_NEW;
        mv_client_seterr(c, rc, "%s", milvus_channel_last_error(c->ch));
    }
    return rc;
}

mv_rbpool *mv_client_rbpool(const milvus_client *c)
{
    return c->rbpool;
}

size_t mv_client_max_send(const milvus_client *c)
{
    return c->opts ? c->opts->max_send : 0;
}

/* Makes rb (the caller's reference) the op's current request. */
static int set_request_packed(mv_op *op, const char *method, mv_reqbuf *rb,
                              const ProtobufCMessageDescriptor *resp_desc, mv_step_fn step)
{
    size_t len = rb->len - MV_FRAME_HDR;
    if (op->c->opts && op->c->opts->max_send && len > op->c->opts->max_send) {
        mv_reqbuf_unref(rb);
        mv_client_seterr(op->c, MILVUS_ERR_TOO_LARGE,
                         "request of %zu bytes exceeds max send size %zu", len,
                         op->c->opts->max_send);
        return MILVUS_ERR_TOO_LARGE;
    }
    mv_reqbuf_unref(op->rb);
    op->rb = rb;
    op->method = method;
    op->resp_desc = resp_desc;
    op->step = step;
    op->attempts = 0;
    return MILVUS_OK;
}

/* Packs req once; NULL with the client's error set and *rc. */
static mv_reqbuf *pack_request(milvus_client *c, const ProtobufCMessage *req, int *rc)
{
    size_t big, max = mv_client_max_send(c);
    mv_reqbuf *rb = mv_pack_rb(req, c->rbpool, max, &big);
    if (!rb && big)
        *rc = mv_client_seterr(c, MILVUS_ERR_TOO_LARGE,
                               "request of %zu bytes exceeds max send size %zu", big,
                               max ? max : (size_t)UINT32_MAX);
    else if (!rb)
        *rc = mv_client_seterr(c, MILVUS_ERR_NOMEM, "out of memory");
    return rb;
}

/* A submission failed: name the operation in the client's message and
 * drop the op. */
static void start_failed(mv_op *op)
{
    milvus_client *c = op->c;
    char msg[MV_ERRBUF];
    snprintf(msg, sizeof(msg), "%s", c->err);
    if (op->coll[0])
        mv_client_seterr(c, MILVUS_OK, "%s on collection '%s': %s", op->opname, op->coll, msg);
    else
        mv_client_seterr(c, MILVUS_OK, "%s: %s", op->opname, msg);
    mv_op_discard(op);
}

/* The op's first request is set (rc from set_request): submit it. */
static int start_op(mv_op *op, int rc)
{
    milvus_client *c = op->c;
    uint64_t prev_last;
    if (rc != MILVUS_OK) {
        if (rc == MILVUS_ERR_NOMEM)
            mv_client_seterr(c, rc, "out of memory");
        start_failed(op);
        return rc;
    }
    prev_last = c->last_id;
    link_op(c, op);
    rc = op_send(op);
    if (rc != MILVUS_OK) {
        unlink_op(c, op);
        c->last_id = prev_last; /* the failed op was never submitted */
        start_failed(op);
    }
    return rc;
}

/* The bound on pending calls; 0 or MILVUS_ERR_BUSY (op discarded). */
static int check_pending(mv_op *op)
{
    milvus_client *c = op->c;
    size_t max = c->opts && !op->internal ? c->opts->max_pending : 0;
    if (max && c->npending >= max) {
        mv_client_seterr(c, MILVUS_ERR_BUSY, "%s: %zu calls pending, the bound of the options",
                         op->opname, c->npending);
        mv_op_discard(op);
        return MILVUS_ERR_BUSY;
    }
    return MILVUS_OK;
}

int mv_op_start(mv_op *op, const char *method, const ProtobufCMessage *req,
                const ProtobufCMessageDescriptor *resp_desc, mv_step_fn step)
{
    mv_reqbuf *rb;
    int rc = check_pending(op);
    if (rc != MILVUS_OK)
        return rc;
    if (!(rb = pack_request(op->c, req, &rc)))
        return start_op(op, rc);
    return start_op(op, set_request_packed(op, method, rb, resp_desc, step));
}

int mv_op_start_packed(mv_op *op, const char *method, mv_reqbuf *rb,
                       const ProtobufCMessageDescriptor *resp_desc, mv_step_fn step)
{
    int rc = check_pending(op);
    if (rc != MILVUS_OK) {
        mv_reqbuf_unref(rb);
        return rc;
    }
    return start_op(op, set_request_packed(op, method, rb, resp_desc, step));
}

void mv_op_rpc(mv_op *op, const char *method, const ProtobufCMessage *req,
               const ProtobufCMessageDescriptor *resp_desc, mv_step_fn step)
{
    mv_reqbuf *rb = NULL;
    int rc = MILVUS_OK;
    if (!op->c->freeing && !(rb = pack_request(op->c, req, &rc))) {
        mv_op_fail(op, rc, "%s", op->c->err);
        return;
    }
    mv_op_rpc_packed(op, method, rb, resp_desc, step);
}

void mv_op_rpc_packed(mv_op *op, const char *method, mv_reqbuf *rb,
                      const ProtobufCMessageDescriptor *resp_desc, mv_step_fn step)
{
    int rc;
    if (op->c->freeing) {
        mv_reqbuf_unref(rb); /* NULL from mv_op_rpc */
        mv_op_fail(op, MILVUS_ERR_CANCELLED, "cancelled");
        return;
    }
    rc = set_request_packed(op, method, rb, resp_desc, step);
    if (rc == MILVUS_OK)
        rc = op_send(op);
    if (rc != MILVUS_OK)
        mv_op_fail(op, rc, "%s", op->c->err);
}

static void deliver_local(mv_op *op)
{
    milvus_result *res = op->data;
    op->data = NULL;
    op->data_free = NULL;
    mv_op_finish(op, res);
}

int mv_op_start_local(mv_op *op, milvus_result *res)
{
    milvus_client *c = op->c;
    if (op->data_free && op->data)
        op->data_free(op->data);
    op->data = res;
    op->data_free = (void (*)(void *))milvus_result_unref;
    link_op(c, op);
    if (arm_timer(op, 0, deliver_local) != MILVUS_OK) {
        unlink_op(c, op);
        mv_op_discard(op);
        return mv_client_seterr(c, MILVUS_ERR_NOMEM, "out of memory");
    }
    return MILVUS_OK;
}

int mv_op_start_timer(mv_op *op, int64_t ms, void (*fn)(mv_op *op))
{
    milvus_client *c = op->c;
    if (check_pending(op) != MILVUS_OK)
        return MILVUS_ERR_BUSY;
    link_op(c, op);
    if (arm_timer(op, ms, fn) != MILVUS_OK) {
        unlink_op(c, op);
        mv_op_discard(op);
        return mv_client_seterr(c, MILVUS_ERR_NOMEM, "out of memory");
    }
    return MILVUS_OK;
}

static int is_rate_limited(const mv_pbstatus *st)
{
    return st->code == 8 || st->error_code == MILVUS__PROTO__COMMON__ERROR_CODE__RateLimit;
}

static void resend(mv_op *op)
{
    int rc = op_send(op);
    if (rc != MILVUS_OK)
        mv_op_fail(op, rc, "%s", op->c->err);
}

static int64_t backoff_ms(const milvus_client *c, int attempt)
{
    const milvus_options *o = c->opts;
    mv_backoff b = {o->rl_initial_ms, o->rl_max_ms, o->rl_multiplier};
    return mv_backoff_delay(&b, attempt, 1.0);
}

static const mv_pbstatus *find_status(const ProtobufCMessage *m)
{
    const ProtobufCFieldDescriptor *f;
    if (m->descriptor == &milvus__proto__common__status__descriptor)
        return (const mv_pbstatus *)m;
    f = protobuf_c_message_descriptor_get_field_by_name(m->descriptor, "status");
    if (!f || f->type != PROTOBUF_C_TYPE_MESSAGE)
        return NULL;
    return *(const mv_pbstatus *const *)((const char *)m + f->offset);
}

/* protobuf_c_message_unpack() returns NULL for bytes it cannot parse and
 * for memory it could not get alike: an allocator that remembers its
 * failures tells them apart.  It allocates with malloc, so the message is
 * freed as any other (protobuf_c_message_free_unpacked(m, NULL)). */
typedef struct unpack_alloc {
    ProtobufCAllocator a;
    int failed;
} unpack_alloc;

static void *unpack_malloc(void *ud, size_t n)
{
    void *p = malloc(n);
    if (!p)
        ((unpack_alloc *)ud)->failed = 1;
    return p;
}

static void unpack_free(void *ud, void *p)
{
    (void)ud;
    free(p);
}

static void reply_cb(milvus_channel *ch, int status, const milvus_reply *reply, void *ctx)
{
    mv_op *op = ctx;
    milvus_result *res;
    ProtobufCMessage *msg;
    const mv_pbstatus *st;
    const uint8_t *data;
    size_t len = 0;
    unpack_alloc ua;
    (void)ch;
    op->call = 0;
    op->state = OP_NEW;
    op->attempts++;
    op->total_attempts++;
    res = mv_result_new(op->opname, op->coll);
    if (!res) {
        mv_op_finish(op, NULL);
        return;
    }
    res->attempts = op->total_attempts;
    if (status != MILVUS_OK) {
        mv_result_set_error(res, status, milvus_reply_grpc_code(reply), milvus_reply_message(reply),
                            NULL);
        op->step(op, res);
        return;
    }
    data = milvus_reply_data(reply, &len);
    ua.a.alloc = unpack_malloc;
    ua.a.free = unpack_free;
    ua.a.allocator_data = &ua;
    ua.failed = 0;
    msg = protobuf_c_message_unpack(op->resp_desc, &ua.a, len, data ? data : (const uint8_t *)"");
    if (!msg && ua.failed) {
        mv_result_set_local(res, MILVUS_ERR_NOMEM, "out of memory decoding the response");
        op->step(op, res);
        return;
    }
    if (!msg) {
        mv_result_set_local(res, MILVUS_ERR_PROTOCOL, "malformed response message");
        op->step(op, res);
        return;
    }
    res->msg = msg;
    st = find_status(msg);
    if (st && (st->code != 0 || st->error_code != 0)) {
        if (is_rate_limited(st) && op->attempts < op->c->opts->rl_max_attempts && !op->c->freeing) {
            milvus_result_unref(res);
            mv_op_sleep(op, backoff_ms(op->c, op->attempts), resend);
            return;
        }
        mv_result_set_error(res, MILVUS_ERR_SERVER, MILVUS_GRPC_OK, "", st);
    }
    op->step(op, res);
}

/* ---- handshake ------------------------------------------------------------------ */

static void fill_client_info(milvus_client *c, Milvus__Proto__Common__ClientInfo *ci, char *host,
                             size_t hostlen, char *tbuf, size_t tlen)
{
    time_t now = time(NULL);
    struct tm tm;
    ci->sdk_type = (char *)"libmilvus";
    ci->sdk_version = (char *)MILVUS_VERSION_STRING;
    if (gethostname(host, hostlen) != 0)
        host[0] = '\0';
    host[hostlen - 1] = '\0';
    ci->host = host;
    if (localtime_r(&now, &tm))
        strftime(tbuf, tlen, "%Y-%m-%d %H:%M:%S %z", &tm);
    else
        tbuf[0] = '\0';
    ci->local_time = tbuf;
    ci->user = c->opts && c->opts->user ? c->opts->user : (char *)"";
}

/* Releases (or fails) the calls parked behind the handshake. */
static void release_waiting(milvus_client *c, const milvus_result *failure)
{
    mv_op *op = c->head, *next;
    while (op) {
        next = op->next;
        if (op->state == OP_WAIT_CONNECT) {
            if (failure) {
                milvus_result *r = mv_result_new(op->opname, op->coll);
                if (r) {
                    mv_result_set_error(r, failure->status, failure->grpc_code, failure->grpc_msg,
                                        NULL);
                    if (failure->status == MILVUS_ERR_SERVER) {
                        r->server_code = failure->server_code;
                        r->legacy_code = failure->legacy_code;
                        free(r->reason);
                        r->reason = mv_strdup(failure->reason);
                        free(r->message);
                        r->message = mv_strdup(failure->message);
                    }
                }
                mv_op_finish(op, r);
            } else {
                int rc = op_send(op);
                if (rc != MILVUS_OK)
                    mv_op_fail(op, rc, "%s", c->err);
            }
        }
        op = next;
    }
}

/* Step of every Connect: records identifier/version, opens the gate. */
static void connect_step(mv_op *op, milvus_result *res)
{
    milvus_client *c = op->c;
    int ok = res->status == MILVUS_OK;
    if (res->status == MILVUS_ERR_GRPC && res->grpc_code == MILVUS_GRPC_UNIMPLEMENTED) {
        /* Servers before Connect existed: accepted, like the Go client. */
        ok = 1;
        res->status = MILVUS_OK;
        free(res->message);
        res->message = mv_strdup("");
    }
    if (ok && res->msg) {
        Milvus__Proto__Milvus__ConnectResponse *r = (void *)res->msg;
        char id[32];
        snprintf(id, sizeof(id), "%lld", (long long)r->identifier);
        c->identifier = r->identifier;
        res->i64 = r->identifier;
        if (r->identifier)
            milvus_channel_set_metadata(c->ch, "identifier", id, strlen(id));
        if (r->server_info)
            res->str = mv_strdup(r->server_info->build_tags);
    }
    if (ok) {
        c->conn = CONN_READY;
        mv_cache_clear(c);
        release_waiting(c, NULL);
    } else {
        c->conn = CONN_NONE;
        release_waiting(c, res);
    }
    mv_op_finish(op, res);
}

static int submit_connect(milvus_client *c, const char *opname, milvus_result_cb cb, void *ctx,
                          int internal)
{
    Milvus__Proto__Milvus__ConnectRequest req = MILVUS__PROTO__MILVUS__CONNECT_REQUEST__INIT;
    Milvus__Proto__Common__ClientInfo ci = MILVUS__PROTO__COMMON__CLIENT_INFO__INIT;
    char host[256], tbuf[64];
    int rc;
    mv_op *op = mv_op_new(c, opname, "", cb, ctx);
    if (!op)
        return MILVUS_ERR_NOMEM;
    op->bypass_gate = 1;
    op->internal = internal;
    fill_client_info(c, &ci, host, sizeof(host), tbuf, sizeof(tbuf));
    req.msg_base = &mv_msg_base;
    req.client_info = &ci;
    c->conn = CONN_CONNECTING;
    rc = mv_op_start(op, MV_RPC("Connect"), &req.base,
                     &milvus__proto__milvus__connect_response__descriptor, connect_step);
    if (rc != MILVUS_OK)
        c->conn = CONN_NONE;
    return rc;
}

/* The lazy handshake: internal (no callback, outside the caller's
 * pending bound). */
static int start_handshake(milvus_client *c)
{
    int rc = submit_connect(c, "connect", NULL, NULL, 1);
    if (rc != MILVUS_OK)
        c->conn = CONN_NONE;
    return rc;
}

milvus_status milvus_client_connect(milvus_client *c, milvus_result_cb cb, void *ctx)
{
    int rc = mv_client_check(c, cb);
    if (rc != MILVUS_OK)
        return rc;
    return submit_connect(c, "connect", cb, ctx, 0);
}

milvus_status milvus_client_use_database(milvus_client *c, const char *db, milvus_result_cb cb,
                                         void *ctx)
{
    char *d;
    int rc = mv_client_check(c, cb);
    if (rc != MILVUS_OK)
        return rc;
    if ((rc = mv_client_check_name(c, "database", db)) != MILVUS_OK)
        return rc;
    if (!(d = mv_strdup(db)))
        return mv_client_seterr(c, MILVUS_ERR_NOMEM, "out of memory");
    rc = milvus_channel_set_metadata(c->ch, "dbname", db, strlen(db));
    if (rc != MILVUS_OK) {
        free(d);
        return mv_client_seterr(c, rc, "use_database: %s", milvus_channel_last_error(c->ch));
    }
    free(c->db);
    c->db = d;
    mv_cache_clear(c);
    return submit_connect(c, "use_database", cb, ctx, 0);
}

/* ---- lifecycle -------------------------------------------------------------------- */

milvus_status milvus_client_new(milvus_client **out, struct event_base *base,
                                const milvus_options *opts)
{
    milvus_client *c;
    int rc;
    if (!out || !base)
        return MILVUS_ERR_INVALID_ARGUMENT;
    /* There is no client to hold a message: the options keep theirs. */
    if (opts && *milvus_options_last_error(opts))
        return MILVUS_ERR_INVALID_ARGUMENT;
    c = calloc(1, sizeof(*c));
    if (!c)
        return MILVUS_ERR_NOMEM;
    c->base = base;
    c->opts = opts ? milvus_options_dup(opts) : milvus_options_new();
    if (!c->opts) {
        free(c);
        return MILVUS_ERR_NOMEM;
    }
    c->db = mv_strdup(c->opts->database ? c->opts->database : "");
    c->rbpool = mv_rbpool_new();
    if (!c->db || !c->rbpool) {
        rc = MILVUS_ERR_NOMEM;
        goto fail;
    }
    {
        /* The client enforces the caller's bound itself; its channel must
         * not refuse the internal handshake or released calls on top. */
        size_t bound = c->opts->max_pending;
        c->opts->max_pending = SIZE_MAX;
        rc = milvus_channel_new(&c->ch, base, c->opts);
        c->opts->max_pending = bound;
    }
    if (rc != MILVUS_OK)
        goto fail;
    /* "authorization" and "dbname" come from the options: the channel
     * sets them (one encoder, padded as Milvus requires). */
    *out = c;
    return MILVUS_OK;
fail:
    milvus_channel_free(c->ch);
    mv_rbpool_release(c->rbpool);
    milvus_options_free(c->opts);
    free(c->db);
    free(c);
    return rc;
}

static void client_destroy(milvus_client *c)
{
    mv_op *op, *next;
    c->freeing = 1;
    c->depth++;
    /* Calls not on the wire complete here; the channel completes the
     * others (through reply_cb) when it is freed. */
    for (op = c->head; op; op = next) {
        next = op->next;
        if (op->state != OP_IN_FLIGHT)
            mv_op_fail(op, MILVUS_ERR_CANCELLED, "cancelled: client freed");
    }
    milvus_channel_free(c->ch);
    c->ch = NULL;
    /* Steps that tried to continue were refused; anything left is failed. */
    while (c->head)
        mv_op_fail(c->head, MILVUS_ERR_CANCELLED, "cancelled: client freed");
    c->depth--;
    if (c->close_ev)
        event_free(c->close_ev);
    mv_cache_clear(c);
    fetching_clear(c);
    mv_rbpool_release(c->rbpool); /* buffers still out return to nothing */
    copts_unref(c->copts);
    milvus_options_free(c->opts);
    free(c->db);
    free(c);
}

void milvus_client_free(milvus_client *c)
{
    if (!c || c->freeing)
        return;
    if (c->depth > 0) {
        c->free_pending = 1;
        return;
    }
    client_destroy(c);
}

static void channel_closed(milvus_channel *ch, void *ctx)
{
    milvus_client *c = ctx;
    (void)ch;
    if (c->closed_cb) {
        c->depth++;
        c->closed_cb(c, c->closed_ctx);
        c->depth--;
    }
    if (c->depth == 0 && c->free_pending)
        client_destroy(c);
}

static void close_ev_cb(evutil_socket_t fd, short what, void *arg)
{
    milvus_client *c = arg;
    (void)fd;
    (void)what;
    if (milvus_channel_close(c->ch, channel_closed, c) != MILVUS_OK)
        channel_closed(c->ch, c);
}

static void maybe_closed(milvus_client *c)
{
    struct timeval tv = {0, 0};
    if (!c->closing || c->head || c->freeing || !c->close_ev)
        return;
    if (!event_pending(c->close_ev, EV_TIMEOUT, NULL))
        event_add(c->close_ev, &tv);
}

milvus_status milvus_client_close(milvus_client *c, milvus_client_closed_cb cb, void *ctx)
{
    if (!c)
        return MILVUS_ERR_INVALID_ARGUMENT;
    if (c->closing || c->freeing)
        return mv_client_seterr(c, MILVUS_ERR_CLOSED, "client is already closing");
    c->close_ev = evtimer_new(c->base, close_ev_cb, c);
    if (!c->close_ev)
        return mv_client_seterr(c, MILVUS_ERR_NOMEM, "out of memory");
    c->closing = 1;
    c->closed_cb = cb;
    c->closed_ctx = ctx;
    maybe_closed(c);
    return MILVUS_OK;
}

static void finish_cancelled(mv_op *op)
{
    mv_op_fail(op, MILVUS_ERR_CANCELLED, "cancelled");
}

milvus_status milvus_client_cancel(milvus_client *c, uint64_t id)
{
    if (!c)
        return MILVUS_ERR_INVALID_ARGUMENT;
    for (mv_op *op = c->head; op; op = op->next) {
        if (op->id != id)
            continue;
        if (op->state == OP_IN_FLIGHT && op->call) {
            /* the channel completes the call with CANCELLED from the loop;
             * mark it so a multi-step op does not continue */
            op->step = mv_step_deliver;
            milvus_channel_cancel(c->ch, op->call);
        } else if (op->state != OP_DONE) {
            op->step = mv_step_deliver;
            if (op->timer)
                event_del(op->timer);
            if (arm_timer(op, 0, finish_cancelled) != MILVUS_OK)
                return MILVUS_ERR_NOMEM;
        }
        return MILVUS_OK;
    }
    return MILVUS_OK;
}

/* ---- simple server calls -------------------------------------------------------- */

static void version_step(mv_op *op, milvus_result *res)
{
    if (res->status == MILVUS_OK && res->msg)
        res->str = mv_strdup(((Milvus__Proto__Milvus__GetVersionResponse *)res->msg)->version);
    mv_op_finish(op, res);
}

milvus_status milvus_client_get_server_version(milvus_client *c, milvus_result_cb cb, void *ctx)
{
    Milvus__Proto__Milvus__GetVersionRequest req = MILVUS__PROTO__MILVUS__GET_VERSION_REQUEST__INIT;
    mv_op *op;
    int rc = mv_client_check(c, cb);
    if (rc != MILVUS_OK)
        return rc;
    if (!(op = mv_op_new(c, "get_server_version", "", cb, ctx)))
        return MILVUS_ERR_NOMEM;
    return mv_op_start(op, MV_RPC("GetVersion"), &req.base,
                       &milvus__proto__milvus__get_version_response__descriptor, version_step);
}

static void health_step(mv_op *op, milvus_result *res)
{
    if (res->status == MILVUS_OK && res->msg) {
        Milvus__Proto__Milvus__CheckHealthResponse *r = (void *)res->msg;
        res->b = r->ishealthy;
        for (size_t i = 0; i < r->n_reasons; i++)
            if (mv_str_add(&res->strs, r->reasons[i]) != MILVUS_OK)
                break;
    }
    mv_op_finish(op, res);
}

milvus_status milvus_client_check_health(milvus_client *c, milvus_result_cb cb, void *ctx)
{
    Milvus__Proto__Milvus__CheckHealthRequest req =
        MILVUS__PROTO__MILVUS__CHECK_HEALTH_REQUEST__INIT;
    mv_op *op;
    int rc = mv_client_check(c, cb);
    if (rc != MILVUS_OK)
        return rc;
    if (!(op = mv_op_new(c, "check_health", "", cb, ctx)))
        return MILVUS_ERR_NOMEM;
    return mv_op_start(op, MV_RPC("CheckHealth"), &req.base,
                       &milvus__proto__milvus__check_health_response__descriptor, health_step);
}
