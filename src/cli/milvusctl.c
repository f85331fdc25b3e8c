/* SPDX-License-Identifier: Apache-2.0 */
/*
 * milvusctl — snapshot and collection operations from the shell.
 * Built only on the public API (<milvus/milvus.h>, <milvus/snapshot.h>,
 * <milvus/sync.h>).  Exit status: 0 success, 1 failure (server, transport,
 * failed job), 2 bad arguments.  See milvusctl(1).
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <milvus/milvus.h>
#include <milvus/snapshot.h>
#include <milvus/sync.h>

#define EXIT_FAIL 1
#define EXIT_USAGE 2
#define MAX_POS 8

/* ---- command table --------------------------------------------------------------- */

typedef struct args args;
typedef int (*run_fn)(args *a);

typedef struct command {
    const char *group; /* NULL, "collection", "snapshot" */
    const char *name;
    int min_pos, max_pos;
    const char *opts; /* the command's own options, " --a= --b " ('=': takes a value) */
    const char *synopsis;
    const char *help;
    run_fn run;
} command;

struct args {
    /* global */
    const char *uri, *token, *user, *password, *db;
    int json;
    double timeout_s;
    int64_t timeout_ms; /* timeout_s, at least 1 */
    /* command */
    const command *cmd;
    const char *pos[MAX_POS];
    int npos;
    const char *description, *target_db, *spec;
    int64_t protect, ttl;
    int rewrite, wait;
    /* runtime */
    milvus_sync *s;
    const char *address;
};

static const char *prog = "milvusctl";

static const char global_usage[] =
    "usage: milvusctl [--uri URI] [--token TOKEN | --user USER --password PASS] [--db DB]\n"
    "                 [--json] [--timeout SECONDS] COMMAND [ARGS]\n";

static const char global_help[] =
    "\n"
    "Global options:\n"
    "  --uri URI          server address (default $MILVUS_URI, else localhost:19530)\n"
    "  --token TOKEN      API key or user:password (default $MILVUS_TOKEN)\n"
    "  --user USER --password PASS   credentials\n"
    "  --db DB            database (default: the server's default)\n"
    "  --json             print one JSON document\n"
    "  --timeout SECONDS  bound on connecting and on each request (default 10)\n"
    "  --help             this help; COMMAND --help for a command's\n"
    "  --version          milvusctl's version and the libmilvus version it runs with\n";

/* ---- output helpers ------------------------------------------------------------------ */

static void usage_error(const args *a, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void print_command_usage(FILE *f, const command *c)
{
    fprintf(f, "usage: milvusctl [GLOBAL OPTIONS] %s%s%s %s\n", c->group ? c->group : "",
            c->group ? " " : "", c->name, c->synopsis);
}

static void usage_error(const args *a, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "%s: ", prog);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    if (a && a->cmd)
        print_command_usage(stderr, a->cmd);
    else
        fputs(global_usage, stderr);
    fprintf(stderr, "Try 'milvusctl --help'.\n");
}

/* Text from the server is untrusted: on a terminal or in a log it must
 * not carry control sequences or extra lines.  tx() returns an escaped
 * copy (milvus_escape_text()) valid until eight more tx() calls; out of
 * memory, a placeholder. */
static const char *tx(const char *s)
{
    static char *ring[8];
    static size_t cap[8];
    static unsigned next;
    unsigned k = next++ % 8;
    size_t len = s ? strlen(s) : 0;
    size_t need = milvus_escape_text(NULL, 0, s, len) + 1;
    if (need > cap[k]) {
        char *n = realloc(ring[k], need);
        if (!n)
            return "(out of memory)";
        ring[k] = n;
        cap[k] = need;
    }
    milvus_escape_text(ring[k], cap[k], s, len);
    return ring[k];
}

/* The length of the well-formed UTF-8 character at p (NUL-terminated),
 * 0 when the bytes there are not one. */
static size_t utf8_width(const unsigned char *p)
{
    size_t len = p[0] < 0x80 ? 1 : p[0] < 0xc2 ? 0 : p[0] < 0xe0 ? 2 : p[0] < 0xf0 ? 3 : p[0] < 0xf5 ? 4 : 0;
    unsigned lo = 0x80, hi = 0xbf;
    if (p[0] == 0xe0)
        lo = 0xa0;
    else if (p[0] == 0xed)
        hi = 0x9f;
    else if (p[0] == 0xf0)
        lo = 0x90;
    else if (p[0] == 0xf4)
        hi = 0x8f;
    if (len > 1 && (p[1] < lo || p[1] > hi))
        return 0;
    for (size_t i = 2; i < len; i++)
        if (p[i] < 0x80 || p[i] > 0xbf)
            return 0;
    return len;
}

/* A JSON string: control characters (C0, DEL and C1) as \u escapes, and
 * bytes that are not UTF-8 as U+FFFD, so that the document is valid JSON
 * and safe on a terminal. */
static void json_string(const char *s)
{
    const unsigned char *p = (const unsigned char *)(s ? s : "");
    putchar('"');
    while (*p) {
        size_t u = utf8_width(p);
        if (u == 0) {
            fputs("\\ufffd", stdout);
            p++;
            continue;
        }
        if (u == 2 && p[0] == 0xc2 && p[1] <= 0x9f) {
            printf("\\u%04x", p[1]);
            p += 2;
            continue;
        }
        if (u > 1) {
            fwrite(p, 1, u, stdout);
            p += u;
            continue;
        }
        switch (*p) {
        case '"': fputs("\\\"", stdout); break;
        case '\\': fputs("\\\\", stdout); break;
        case '\n': fputs("\\n", stdout); break;
        case '\r': fputs("\\r", stdout); break;
        case '\t': fputs("\\t", stdout); break;
        case '\b': fputs("\\b", stdout); break;
        case '\f': fputs("\\f", stdout); break;
        default:
            if (*p < 0x20 || *p == 0x7f)
                printf("\\u%04x", *p);
            else
                putchar(*p);
        }
        p++;
    }
    putchar('"');
}

/* "key": (with a comma before all but the first key of an object) */
static int json_first;
static void jkey(const char *k)
{
    if (!json_first)
        putchar(',');
    json_first = 0;
    json_string(k);
    putchar(':');
}
static void jopen(char c)
{
    putchar(c);
    json_first = 1;
}
static void jclose(char c)
{
    putchar(c);
    json_first = 0;
}
static void jstr(const char *k, const char *v)
{
    jkey(k);
    json_string(v);
}
static void jint(const char *k, int64_t v)
{
    jkey(k);
    printf("%" PRId64, v);
}
/* 64-bit ids as strings: JSON numbers lose precision beyond 2^53 */
static void jid(const char *k, int64_t v)
{
    jkey(k);
    printf("\"%" PRId64 "\"", v);
}
static void jbool(const char *k, int v)
{
    jkey(k);
    fputs(v ? "true" : "false", stdout);
}

/* A failure of an operation: one line.  Transport and authentication
 * problems name the address. */
static int fail_result(args *a, int rc, const milvus_result *res, const char *what)
{
    const char *msg = res ? milvus_result_message(res) : milvus_sync_last_error(a->s);
    int grpc = res ? milvus_result_grpc_code(res) : 0;
    if (!msg || !*msg)
        msg = milvus_strerror(rc);
    if ((rc <= MILVUS_ERR_RESOLVE && rc >= MILVUS_ERR_TIMEOUT) ||
        (rc == MILVUS_ERR_GRPC && (grpc == MILVUS_GRPC_UNAUTHENTICATED ||
                                   grpc == MILVUS_GRPC_UNAVAILABLE ||
                                   grpc == MILVUS_GRPC_PERMISSION_DENIED)))
        fprintf(stderr, "%s: %s: %s\n", prog, tx(a->address), tx(msg));
    else
        fprintf(stderr, "%s: %s: %s\n", prog, what, tx(msg));
    return EXIT_FAIL;
}

/* Runs a sync call's outcome: on failure prints and returns non-zero. */
#define CHECK(a, rc, res, what)                                                                  \
    do {                                                                                         \
        if ((rc) != MILVUS_OK) {                                                                 \
            int ex_ = fail_result((a), (rc), (res), (what));                                     \
            milvus_result_unref(res);                                                            \
            return ex_;                                                                          \
        }                                                                                        \
    } while (0)

static milvus_snapshot_options *snapshot_options(const args *a)
{
    milvus_snapshot_options *o = milvus_snapshot_options_new();
    if (!o)
        return NULL;
    if (a->description)
        milvus_snapshot_options_set_description(o, a->description);
    if (a->protect > 0)
        milvus_snapshot_options_set_compaction_protection(o, a->protect);
    if (a->target_db)
        milvus_snapshot_options_set_target_database(o, a->target_db);
    if (a->rewrite)
        milvus_snapshot_options_set_rewrite_data(o, 1);
    if (a->spec)
        milvus_snapshot_options_set_external_spec(o, a->spec);
    if (a->ttl > 0)
        milvus_snapshot_options_set_ttl(o, a->ttl);
    return o;
}

/* ---- jobs ------------------------------------------------------------------------------ */

enum { KIND_RESTORE, KIND_EXPORT };

static void print_job_text(const milvus_result *r, size_t i, int kind)
{
    printf("job %" PRId64 ": %s %d%%\n", milvus_result_job_id(r, i),
           milvus_job_state_name(milvus_result_job_state(r, i)), milvus_result_job_progress(r, i));
    printf("  snapshot:   %s\n", tx(milvus_result_job_snapshot(r, i)));
    printf("  database:   %s\n", tx(milvus_result_job_database(r, i)));
    printf("  collection: %s\n", tx(milvus_result_job_collection(r, i)));
    printf("  started:    %" PRIu64 " ms since the epoch, took %" PRIu64 " ms\n",
           milvus_result_job_start_time(r, i), milvus_result_job_time_cost(r, i));
    if (kind == KIND_EXPORT) {
        printf("  files:      %" PRId64 "/%" PRId64 ", %" PRId64 " bytes\n",
               milvus_result_job_copied_files(r, i), milvus_result_job_total_files(r, i),
               milvus_result_job_total_bytes(r, i));
        printf("  metadata:   %s\n", tx(milvus_result_job_metadata_uri(r, i)));
    }
    if (*milvus_result_job_reason(r, i))
        printf("  reason:     %s\n", tx(milvus_result_job_reason(r, i)));
}

static void print_job_json_fields(const milvus_result *r, size_t i, int kind)
{
    jid("job_id", milvus_result_job_id(r, i));
    jstr("state", milvus_job_state_name(milvus_result_job_state(r, i)));
    jint("progress", milvus_result_job_progress(r, i));
    jstr("reason", milvus_result_job_reason(r, i));
    jstr("snapshot", milvus_result_job_snapshot(r, i));
    jstr("database", milvus_result_job_database(r, i));
    jstr("collection", milvus_result_job_collection(r, i));
    jint("start_time", (int64_t)milvus_result_job_start_time(r, i));
    jint("time_cost", (int64_t)milvus_result_job_time_cost(r, i));
    if (kind == KIND_EXPORT) {
        jint("total_files", milvus_result_job_total_files(r, i));
        jint("copied_files", milvus_result_job_copied_files(r, i));
        jint("total_bytes", milvus_result_job_total_bytes(r, i));
        jstr("metadata_uri", milvus_result_job_metadata_uri(r, i));
    }
}

static int get_job(args *a, int kind, int64_t id, milvus_result **res)
{
    return kind == KIND_RESTORE ? milvus_sync_get_restore_snapshot_state(a->s, id, res)
                                : milvus_sync_get_export_snapshot_state(a->s, id, res);
}

static void draw_progress(int tty, const char *kind, int64_t id, milvus_job_state st, int pct)
{
    if (tty) {
        char bar[31];
        int fill = pct * 30 / 100;
        for (int i = 0; i < 30; i++)
            bar[i] = i < fill ? '#' : '.';
        bar[30] = '\0';
        fprintf(stderr, "\r%s job %" PRId64 " [%s] %-9s %3d%%", kind, id, bar,
                milvus_job_state_name(st), pct);
    } else {
        fprintf(stderr, "%s job %" PRId64 ": %s %d%%\n", kind, id, milvus_job_state_name(st), pct);
    }
    fflush(stderr);
}

/* What the await's progress callback draws, across the awaits of one
 * wait_job(). */
typedef struct job_watch {
    const char *name;
    int64_t id;
    int tty, last_state, last_pct;
    int answered; /* the current await had a successful poll */
} job_watch;

static void on_job_progress(milvus_client *c, int64_t progress, const milvus_result *res,
                            void *ctx)
{
    job_watch *w = ctx;
    milvus_job_state st = milvus_result_job_state(res, 0);
    (void)c;
    w->answered = 1;
    if ((int)st != w->last_state || (int)progress != w->last_pct)
        draw_progress(w->tty, w->name, w->id, st, (int)progress);
    w->last_state = (int)st;
    w->last_pct = (int)progress;
}

/* Follows job id to its end with the library's await, showing progress on
 * stderr (a bar on a terminal, a line per change otherwise).  Polls that
 * fail for a transient reason are ridden through until --timeout passes
 * without a successful one: each await is given --timeout as its
 * deadline, and one that reached the server is followed by the next.
 * Prints the final job; returns the exit status. */
static int wait_job(args *a, int kind, int64_t id)
{
    job_watch w = {kind == KIND_RESTORE ? "restore" : "export", id, isatty(2), -1, -1, 0};
    milvus_await_options *ao = milvus_await_options_new();
    milvus_result *res = NULL;
    int rc;
    if (!ao) {
        fprintf(stderr, "%s: out of memory\n", prog);
        return EXIT_FAIL;
    }
    milvus_await_options_set_interval(ao, 200, 1000, 1.5);
    milvus_await_options_set_timeout_ms(ao, a->timeout_ms);
    milvus_await_options_set_progress(ao, on_job_progress, &w);
    /* the await's deadline bounds each window, not the handle's */
    milvus_sync_set_timeout_ms(a->s, 0);
    do {
        milvus_result_unref(res);
        res = NULL;
        w.answered = 0;
        rc = kind == KIND_RESTORE ? milvus_sync_await_restore(a->s, id, ao, &res)
                                  : milvus_sync_await_export(a->s, id, ao, &res);
    } while (rc == MILVUS_ERR_TIMEOUT && w.answered);
    milvus_sync_set_timeout_ms(a->s, a->timeout_ms);
    milvus_await_options_free(ao);
    if (w.tty && w.last_state >= 0)
        fputc('\n', stderr);
    int failed = rc == MILVUS_ERR_SERVER && milvus_result_job_count(res) == 1 &&
                 milvus_result_job_state(res, 0) == MILVUS_JOB_FAILED;
    if (rc != MILVUS_OK && !failed)
        CHECK(a, rc, res, w.name);
    if (a->json) {
        jopen('{');
        print_job_json_fields(res, 0, kind);
        jclose('}');
        putchar('\n');
    } else if (!failed) {
        print_job_text(res, 0, kind);
    }
    if (failed) {
        const char *reason = milvus_result_job_reason(res, 0);
        fprintf(stderr, "%s: %s job %" PRId64 " failed: %s\n", prog, w.name, id,
                *reason ? tx(reason) : "no reason given");
    }
    milvus_result_unref(res);
    return failed ? EXIT_FAIL : EXIT_SUCCESS;
}

/* A job-starting answer: wait for it, or print the id. */
static int job_started(args *a, int kind, milvus_result *res)
{
    int64_t id = milvus_result_int64(res);
    milvus_result_unref(res);
    if (a->wait)
        return wait_job(a, kind, id);
    if (a->json) {
        jopen('{');
        jid("job_id", id);
        jclose('}');
        putchar('\n');
    } else {
        printf("%" PRId64 "\n", id);
    }
    return EXIT_SUCCESS;
}

static int parse_id(const char *s, int64_t *out)
{
    char *end;
    long long v;
    errno = 0;
    v = strtoll(s, &end, 10);
    if (errno || end == s || *end || v <= 0)
        return -1;
    *out = v;
    return 0;
}

/* ---- commands ---------------------------------------------------------------------------- */

static int cmd_version(args *a)
{
    milvus_result *res = NULL;
    int rc = milvus_sync_get_server_version(a->s, &res);
    CHECK(a, rc, res, "version");
    if (a->json) {
        jopen('{');
        jstr("server_version", milvus_result_string(res));
        jstr("client_version", milvus_version());
        jstr("address", a->address);
        jclose('}');
        putchar('\n');
    } else {
        printf("server %s\nclient libmilvus %s\n", tx(milvus_result_string(res)), milvus_version());
    }
    milvus_result_unref(res);
    return EXIT_SUCCESS;
}

static int cmd_health(args *a)
{
    milvus_result *res = NULL;
    int rc = milvus_sync_check_health(a->s, &res);
    CHECK(a, rc, res, "health");
    int ok = milvus_result_bool(res);
    if (a->json) {
        jopen('{');
        jbool("healthy", ok);
        jkey("reasons");
        jopen('[');
        for (size_t i = 0; i < milvus_result_string_count(res); i++) {
            if (i)
                putchar(',');
            json_string(milvus_result_string_at(res, i));
        }
        jclose(']');
        jclose('}');
        putchar('\n');
    } else {
        printf("%s\n", ok ? "healthy" : "unhealthy");
        for (size_t i = 0; i < milvus_result_string_count(res); i++)
            printf("  %s\n", tx(milvus_result_string_at(res, i)));
    }
    milvus_result_unref(res);
    return ok ? EXIT_SUCCESS : EXIT_FAIL;
}

/* Names of a list answer: one a line, or {"key": [...], extra...}. */
static void print_names(const args *a, const milvus_result *res, const char *key,
                        const char *ctx_key, const char *ctx_val)
{
    if (a->json) {
        jopen('{');
        if (ctx_key)
            jstr(ctx_key, ctx_val);
        jkey(key);
        jopen('[');
        for (size_t i = 0; i < milvus_result_string_count(res); i++) {
            if (i)
                putchar(',');
            json_string(milvus_result_string_at(res, i));
        }
        jclose(']');
        jclose('}');
        putchar('\n');
        return;
    }
    for (size_t i = 0; i < milvus_result_string_count(res); i++)
        printf("%s\n", tx(milvus_result_string_at(res, i)));
}

static int cmd_collection_list(args *a)
{
    milvus_result *res = NULL;
    int rc = milvus_sync_list_collections(a->s, &res);
    CHECK(a, rc, res, "collection list");
    print_names(a, res, "collections", NULL, NULL);
    milvus_result_unref(res);
    return EXIT_SUCCESS;
}

static int cmd_collection_describe(args *a)
{
    milvus_result *res = NULL;
    int rc = milvus_sync_describe_collection(a->s, a->pos[0], &res);
    CHECK(a, rc, res, "collection describe");
    const milvus_schema *sc = milvus_result_schema(res);
    size_t nf = milvus_schema_field_count(sc);
    if (a->json) {
        jopen('{');
        jstr("name", a->pos[0]);
        jid("id", milvus_result_int64(res));
        jstr("description", milvus_schema_description(sc));
        jbool("dynamic_field", milvus_schema_dynamic_field(sc));
        jkey("fields");
        jopen('[');
        for (size_t i = 0; i < nf; i++) {
            const milvus_field *f = milvus_schema_field_at(sc, i);
            if (i)
                putchar(',');
            jopen('{');
            jstr("name", milvus_field_name(f));
            jstr("type", milvus_data_type_name(milvus_field_type(f)));
            jbool("primary_key", milvus_field_is_primary_key(f));
            jbool("auto_id", milvus_field_is_auto_id(f));
            jbool("nullable", milvus_field_is_nullable(f));
            if (milvus_field_dim(f))
                jint("dim", milvus_field_dim(f));
            if (milvus_field_max_length(f))
                jint("max_length", milvus_field_max_length(f));
            jclose('}');
        }
        jclose(']');
        jkey("properties");
        jopen('{');
        for (size_t i = 0; i < milvus_result_property_count(res); i++)
            jstr(milvus_result_property_key(res, i), milvus_result_property_value(res, i));
        jclose('}');
        jclose('}');
        putchar('\n');
    } else {
        printf("collection %s (id %" PRId64 ")\n", a->pos[0], milvus_result_int64(res));
        if (*milvus_schema_description(sc))
            printf("  description: %s\n", tx(milvus_schema_description(sc)));
        for (size_t i = 0; i < nf; i++) {
            const milvus_field *f = milvus_schema_field_at(sc, i);
            printf("  %-20s %s", tx(milvus_field_name(f)),
                   milvus_data_type_name(milvus_field_type(f)));
            if (milvus_field_dim(f))
                printf(" dim=%" PRId64, milvus_field_dim(f));
            if (milvus_field_max_length(f))
                printf(" max_length=%" PRId64, milvus_field_max_length(f));
            if (milvus_field_is_primary_key(f))
                printf(" primary key%s", milvus_field_is_auto_id(f) ? " (auto id)" : "");
            if (milvus_field_is_nullable(f))
                printf(" nullable");
            putchar('\n');
        }
    }
    milvus_result_unref(res);
    return EXIT_SUCCESS;
}

static int done_message(args *a, const char *action)
{
    if (a->json) {
        jopen('{');
        jstr("collection", a->pos[0]);
        jstr("snapshot", a->pos[1]);
        jbool(action, 1);
        jclose('}');
        putchar('\n');
    } else {
        printf("snapshot %s of %s %s\n", a->pos[1], a->pos[0], action);
    }
    return EXIT_SUCCESS;
}

static int cmd_snapshot_create(args *a)
{
    milvus_result *res = NULL;
    milvus_snapshot_options *o = snapshot_options(a);
    int rc = milvus_sync_create_snapshot(a->s, a->pos[0], a->pos[1], o, &res);
    milvus_snapshot_options_free(o);
    CHECK(a, rc, res, "snapshot create");
    milvus_result_unref(res);
    return done_message(a, "created");
}

static int cmd_snapshot_drop(args *a)
{
    milvus_result *res = NULL;
    int rc = milvus_sync_drop_snapshot(a->s, a->pos[0], a->pos[1], NULL, &res);
    CHECK(a, rc, res, "snapshot drop");
    milvus_result_unref(res);
    return done_message(a, "dropped");
}

static int cmd_snapshot_list(args *a)
{
    milvus_result *res = NULL;
    const char *coll = a->npos ? a->pos[0] : NULL;
    int rc = milvus_sync_list_snapshots(a->s, coll, NULL, &res);
    CHECK(a, rc, res, "snapshot list");
    print_names(a, res, "snapshots", "collection", coll ? coll : "");
    milvus_result_unref(res);
    return EXIT_SUCCESS;
}

static int cmd_snapshot_describe(args *a)
{
    milvus_result *res = NULL;
    int rc = milvus_sync_describe_snapshot(a->s, a->pos[0], a->pos[1], NULL, &res);
    CHECK(a, rc, res, "snapshot describe");
    size_t np = milvus_result_snapshot_partition_count(res);
    if (a->json) {
        jopen('{');
        jstr("name", milvus_result_snapshot_name(res));
        jstr("description", milvus_result_snapshot_description(res));
        jstr("collection", milvus_result_snapshot_collection(res));
        jkey("partitions");
        jopen('[');
        for (size_t i = 0; i < np; i++) {
            if (i)
                putchar(',');
            json_string(milvus_result_snapshot_partition(res, i));
        }
        jclose(']');
        jid("create_ts", milvus_result_snapshot_create_ts(res));
        jstr("s3_location", milvus_result_snapshot_s3_location(res));
        jclose('}');
        putchar('\n');
    } else {
        printf("snapshot %s\n", tx(milvus_result_snapshot_name(res)));
        printf("  collection:  %s\n", tx(milvus_result_snapshot_collection(res)));
        printf("  description: %s\n", tx(milvus_result_snapshot_description(res)));
        printf("  partitions: ");
        for (size_t i = 0; i < np; i++)
            printf(" %s", tx(milvus_result_snapshot_partition(res, i)));
        printf("\n  create_ts:   %" PRId64 "\n", milvus_result_snapshot_create_ts(res));
        printf("  location:    %s\n", tx(milvus_result_snapshot_s3_location(res)));
    }
    milvus_result_unref(res);
    return EXIT_SUCCESS;
}

static int cmd_snapshot_restore(args *a)
{
    milvus_result *res = NULL;
    milvus_snapshot_options *o = snapshot_options(a);
    int rc = milvus_sync_restore_snapshot(a->s, a->pos[0], a->pos[1], a->pos[2], o, &res);
    milvus_snapshot_options_free(o);
    CHECK(a, rc, res, "snapshot restore");
    return job_started(a, KIND_RESTORE, res);
}

static int cmd_snapshot_jobs(args *a)
{
    milvus_result *res = NULL;
    const char *coll = a->npos ? a->pos[0] : NULL;
    int rc = milvus_sync_list_restore_snapshot_jobs(a->s, coll, NULL, &res);
    CHECK(a, rc, res, "snapshot jobs");
    size_t n = milvus_result_job_count(res);
    if (a->json) {
        jopen('{');
        jkey("jobs");
        jopen('[');
        for (size_t i = 0; i < n; i++) {
            if (i)
                putchar(',');
            jopen('{');
            print_job_json_fields(res, i, KIND_RESTORE);
            jclose('}');
        }
        jclose(']');
        jclose('}');
        putchar('\n');
    } else {
        if (n)
            printf("%-20s %-10s %8s  %-20s %s\n", "JOB", "STATE", "PROGRESS", "SNAPSHOT",
                   "TARGET");
        for (size_t i = 0; i < n; i++)
            printf("%-20" PRId64 " %-10s %7d%%  %-20s %s.%s\n", milvus_result_job_id(res, i),
                   milvus_job_state_name(milvus_result_job_state(res, i)),
                   milvus_result_job_progress(res, i), tx(milvus_result_job_snapshot(res, i)),
                   tx(milvus_result_job_database(res, i)), tx(milvus_result_job_collection(res, i)));
    }
    milvus_result_unref(res);
    return EXIT_SUCCESS;
}

static int show_job(args *a, int kind)
{
    milvus_result *res = NULL;
    int64_t id;
    if (parse_id(a->pos[0], &id) != 0) {
        usage_error(a, "invalid job id '%s'", a->pos[0]);
        return EXIT_USAGE;
    }
    if (a->wait)
        return wait_job(a, kind, id);
    int rc = get_job(a, kind, id, &res);
    CHECK(a, rc, res, kind == KIND_RESTORE ? "snapshot job" : "snapshot export-job");
    if (a->json) {
        jopen('{');
        print_job_json_fields(res, 0, kind);
        jclose('}');
        putchar('\n');
    } else {
        print_job_text(res, 0, kind);
    }
    milvus_result_unref(res);
    return EXIT_SUCCESS;
}

static int cmd_snapshot_job(args *a)
{
    return show_job(a, KIND_RESTORE);
}

static int cmd_snapshot_export_job(args *a)
{
    return show_job(a, KIND_EXPORT);
}

static int cmd_snapshot_export(args *a)
{
    milvus_result *res = NULL;
    milvus_snapshot_options *o = snapshot_options(a);
    int rc = milvus_sync_export_snapshot(a->s, a->pos[0], a->pos[1], a->pos[2], o, &res);
    milvus_snapshot_options_free(o);
    CHECK(a, rc, res, "snapshot export");
    return job_started(a, KIND_EXPORT, res);
}

static int cmd_snapshot_restore_external(args *a)
{
    milvus_result *res = NULL;
    milvus_snapshot_options *o = snapshot_options(a);
    int rc = milvus_sync_restore_external_snapshot(a->s, a->pos[0], a->pos[1], o, &res);
    milvus_snapshot_options_free(o);
    CHECK(a, rc, res, "snapshot restore-external");
    return job_started(a, KIND_RESTORE, res);
}

static int cmd_snapshot_pin(args *a)
{
    milvus_result *res = NULL;
    milvus_snapshot_options *o = snapshot_options(a);
    int rc = milvus_sync_pin_snapshot_data(a->s, a->pos[0], a->pos[1], o, &res);
    milvus_snapshot_options_free(o);
    CHECK(a, rc, res, "snapshot pin");
    int64_t pin = milvus_result_int64(res);
    milvus_result_unref(res);
    if (a->json) {
        jopen('{');
        jstr("collection", a->pos[0]);
        jstr("snapshot", a->pos[1]);
        jid("pin_id", pin);
        jclose('}');
        putchar('\n');
    } else {
        printf("%" PRId64 "\n", pin);
    }
    return EXIT_SUCCESS;
}

static int cmd_snapshot_unpin(args *a)
{
    milvus_result *res = NULL;
    int64_t pin;
    if (parse_id(a->pos[0], &pin) != 0) {
        usage_error(a, "invalid pin id '%s'", a->pos[0]);
        return EXIT_USAGE;
    }
    int rc = milvus_sync_unpin_snapshot_data(a->s, pin, &res);
    CHECK(a, rc, res, "snapshot unpin");
    milvus_result_unref(res);
    if (a->json) {
        jopen('{');
        jid("pin_id", pin);
        jbool("unpinned", 1);
        jclose('}');
        putchar('\n');
    } else {
        printf("pin %" PRId64 " released\n", pin);
    }
    return EXIT_SUCCESS;
}

static const command commands[] = {
    {NULL, "version", 0, 0, "", "", "Print the server and client versions.", cmd_version},
    {NULL, "health", 0, 0, "", "", "Check the server's health (exit 1 when unhealthy).", cmd_health},
    {"collection", "list", 0, 0, "", "", "List the collections of the database.",
     cmd_collection_list},
    {"collection", "describe", 1, 1, "", "NAME", "Show a collection's schema.",
     cmd_collection_describe},
    {"snapshot", "create", 2, 2, " --description= --protect= ",
     "COLLECTION NAME [--description TEXT] [--protect SECONDS]",
     "Create a snapshot; --protect keeps its segments from compaction for SECONDS.",
     cmd_snapshot_create},
    {"snapshot", "drop", 2, 2, "", "COLLECTION NAME", "Drop a snapshot.", cmd_snapshot_drop},
    {"snapshot", "list", 0, 1, "", "[COLLECTION]", "List snapshots (of every collection "
                                                    "without COLLECTION).",
     cmd_snapshot_list},
    {"snapshot", "describe", 2, 2, "", "COLLECTION NAME", "Show a snapshot.",
     cmd_snapshot_describe},
    {"snapshot", "restore", 3, 3, " --target-db= --rewrite-data --wait ",
     "COLLECTION NAME TARGET_COLLECTION [--target-db DB] [--rewrite-data] [--wait]",
     "Restore a snapshot into a new collection; print the job id, or with --wait follow the "
     "job to its end.",
     cmd_snapshot_restore},
    {"snapshot", "jobs", 0, 1, "", "[COLLECTION]", "List restore jobs.", cmd_snapshot_jobs},
    {"snapshot", "job", 1, 1, " --wait ", "JOB_ID [--wait]",
     "Show a restore job; --wait follows it to its end.", cmd_snapshot_job},
    {"snapshot", "export", 3, 3, " --spec= --wait ",
     "COLLECTION NAME TARGET_PATH [--spec JSON] [--wait]",
     "Export a snapshot to object storage; print the job id, or with --wait follow the job.",
     cmd_snapshot_export},
    {"snapshot", "export-job", 1, 1, " --wait ", "JOB_ID [--wait]",
     "Show an export job (files, bytes, metadata URI); --wait follows it to its end.",
     cmd_snapshot_export_job},
    {"snapshot", "restore-external", 2, 2, " --spec= --wait ",
     "TARGET_COLLECTION METADATA_URI [--spec JSON] [--wait]",
     "Restore an exported snapshot (its metadata URI) into a new collection.",
     cmd_snapshot_restore_external},
    {"snapshot", "pin", 2, 2, " --ttl= ", "COLLECTION NAME [--ttl SECONDS]",
     "Pin a snapshot's data against garbage collection; print the pin id.", cmd_snapshot_pin},
    {"snapshot", "unpin", 1, 1, "", "PIN_ID", "Release a pin.", cmd_snapshot_unpin},
};
#define NCOMMANDS (sizeof(commands) / sizeof(commands[0]))

static void print_help(const char *group)
{
    fputs(global_usage, stdout);
    printf("\nCommands:\n");
    for (size_t i = 0; i < NCOMMANDS; i++) {
        const command *c = &commands[i];
        if (group && (!c->group || strcmp(c->group, group) != 0))
            continue;
        printf("  %s%s%-16s %s\n", c->group ? c->group : "", c->group ? " " : "", c->name,
               c->synopsis);
    }
    if (!group)
        fputs(global_help, stdout);
}

static void print_command_help(const command *c)
{
    print_command_usage(stdout, c);
    printf("\n%s\n", c->help);
    fputs(global_help, stdout);
}

/* ---- argument parsing ------------------------------------------------------------------------ */

static int parse_seconds(const char *s, int64_t *out)
{
    char *end;
    long long v;
    errno = 0;
    v = strtoll(s, &end, 10);
    if (errno || end == s || *end || v < 0)
        return -1;
    *out = v;
    return 0;
}

/* Is opt (e.g. "--wait") one of the command's options; *takes_value set. */
static int command_has(const command *c, const char *opt, int *takes_value)
{
    char key[64];
    snprintf(key, sizeof(key), " %s ", opt);
    if (strstr(c->opts, key)) {
        *takes_value = 0;
        return 1;
    }
    snprintf(key, sizeof(key), " %s= ", opt);
    if (strstr(c->opts, key)) {
        *takes_value = 1;
        return 1;
    }
    return 0;
}

static const char *const command_options[] = {"--description", "--protect", "--target-db",
                                              "--rewrite-data", "--wait", "--spec", "--ttl"};

static int set_command_option(args *a, const char *opt, const char *val)
{
    if (!strcmp(opt, "--description"))
        a->description = val;
    else if (!strcmp(opt, "--target-db"))
        a->target_db = val;
    else if (!strcmp(opt, "--spec"))
        a->spec = val;
    else if (!strcmp(opt, "--rewrite-data"))
        a->rewrite = 1;
    else if (!strcmp(opt, "--wait"))
        a->wait = 1;
    else if (!strcmp(opt, "--protect") || !strcmp(opt, "--ttl")) {
        if (parse_seconds(val, !strcmp(opt, "--ttl") ? &a->ttl : &a->protect) != 0) {
            usage_error(a, "%s needs a number of seconds, not '%s'", opt, val);
            return -1;
        }
    }
    return 0;
}

static const command *find_command(const char *group, const char *name)
{
    for (size_t i = 0; i < NCOMMANDS; i++) {
        const command *c = &commands[i];
        if (!c->group && !group && !strcmp(c->name, name))
            return c;
        if (c->group && group && !strcmp(c->group, group) && !strcmp(c->name, name))
            return c;
    }
    return NULL;
}

/* Parses argv.  Returns -1 to go on, or an exit status (help, usage). */
static int parse(int argc, char **argv, args *a)
{
    const char *words[MAX_POS + 2];
    const char *opt_seen[16], *opt_val[16];
    int nwords = 0, nopts = 0, help = 0;
    for (int i = 1; i < argc; i++) {
        const char *arg = argv[i], *val = NULL;
        int takes = 0;
        if (strcmp(arg, "--") == 0) {
            for (i++; i < argc; i++) {
                if (nwords >= MAX_POS + 2) {
                    usage_error(a, "too many arguments");
                    return EXIT_USAGE;
                }
                words[nwords++] = argv[i];
            }
            break;
        }
        if (arg[0] != '-' || arg[1] == '\0') {
            if (nwords >= MAX_POS + 2) {
                usage_error(a, "too many arguments");
                return EXIT_USAGE;
            }
            words[nwords++] = arg;
            continue;
        }
        if (!strcmp(arg, "--help") || !strcmp(arg, "-h")) {
            help = 1;
            continue;
        }
        if (!strcmp(arg, "--version")) {
            /* the version it was built as, and that of the library it runs
             * with (they differ after a library upgrade) */
            if (a->json)
                printf("{\"milvusctl\":\"%s\",\"libmilvus\":\"%s\"}\n", MILVUS_VERSION_STRING,
                       milvus_version());
            else
                printf("milvusctl %s\nlibmilvus %s\n", MILVUS_VERSION_STRING, milvus_version());
            return 0;
        }
        if (!strcmp(arg, "--json")) {
            a->json = 1;
            continue;
        }
        int global = !strcmp(arg, "--uri") || !strcmp(arg, "--token") || !strcmp(arg, "--user") ||
                     !strcmp(arg, "--password") || !strcmp(arg, "--db") ||
                     !strcmp(arg, "--timeout");
        int cmdopt = 0;
        for (size_t k = 0; k < sizeof(command_options) / sizeof(*command_options); k++)
            if (!strcmp(arg, command_options[k])) {
                cmdopt = 1;
                takes = strcmp(arg, "--rewrite-data") && strcmp(arg, "--wait");
            }
        if (!global && !cmdopt) {
            usage_error(a, "unknown option '%s'", arg);
            return EXIT_USAGE;
        }
        if (global || takes) {
            if (i + 1 >= argc) {
                usage_error(a, "option '%s' needs a value", arg);
                return EXIT_USAGE;
            }
            val = argv[++i];
        }
        if (global) {
            if (!strcmp(arg, "--uri"))
                a->uri = val;
            else if (!strcmp(arg, "--token"))
                a->token = val;
            else if (!strcmp(arg, "--user"))
                a->user = val;
            else if (!strcmp(arg, "--password"))
                a->password = val;
            else if (!strcmp(arg, "--db"))
                a->db = val;
            else {
                char *end;
                a->timeout_s = strtod(val, &end);
                if (end == val || *end || !(a->timeout_s > 0) || a->timeout_s > 86400) {
                    usage_error(a, "--timeout needs a positive number of seconds, not '%s'", val);
                    return EXIT_USAGE;
                }
            }
        } else {
            if (nopts >= 16) {
                usage_error(a, "too many options");
                return EXIT_USAGE;
            }
            opt_seen[nopts] = arg;
            opt_val[nopts++] = val;
        }
    }

    /* the command words */
    if (nwords == 0) {
        if (help) {
            print_help(NULL);
            return EXIT_SUCCESS;
        }
        usage_error(a, "no command given");
        return EXIT_USAGE;
    }
    int grouped = !strcmp(words[0], "collection") || !strcmp(words[0], "snapshot");
    if (grouped && nwords == 1) {
        if (help) {
            print_help(words[0]);
            return EXIT_SUCCESS;
        }
        usage_error(a, "'%s' needs a subcommand", words[0]);
        return EXIT_USAGE;
    }
    a->cmd = grouped ? find_command(words[0], words[1]) : find_command(NULL, words[0]);
    if (!a->cmd) {
        if (grouped)
            usage_error(a, "unknown %s command '%s'", words[0], words[1]);
        else
            usage_error(a, "unknown command '%s'", words[0]);
        return EXIT_USAGE;
    }
    if (help) {
        print_command_help(a->cmd);
        return EXIT_SUCCESS;
    }
    a->npos = nwords - (grouped ? 2 : 1);
    for (int i = 0; i < a->npos; i++)
        a->pos[i] = words[i + (grouped ? 2 : 1)];
    if (a->npos < a->cmd->min_pos || a->npos > a->cmd->max_pos) {
        usage_error(a, "%s arguments", a->npos < a->cmd->min_pos ? "missing" : "too many");
        return EXIT_USAGE;
    }
    for (int i = 0; i < nopts; i++) {
        int takes;
        if (!command_has(a->cmd, opt_seen[i], &takes)) {
            usage_error(a, "option '%s' does not apply to this command", opt_seen[i]);
            return EXIT_USAGE;
        }
        if (set_command_option(a, opt_seen[i], opt_val[i]) != 0)
            return EXIT_USAGE;
    }
    if (a->token && (a->user || a->password)) {
        usage_error(a, "--token and --user/--password exclude each other");
        return EXIT_USAGE;
    }
    if (!a->user != !a->password) {
        usage_error(a, "--user and --password go together");
        return EXIT_USAGE;
    }
    return -1;
}

int main(int argc, char **argv)
{
    args a;
    milvus_options *o;
    int rc;
    memset(&a, 0, sizeof(a));
    a.timeout_s = 10;
    if ((rc = parse(argc, argv, &a)) >= 0)
        return rc;
    if (!a.uri)
        a.uri = getenv("MILVUS_URI");
    if (!a.uri || !*a.uri)
        a.uri = "localhost:19530";
    if (!a.token && !a.user)
        a.token = getenv("MILVUS_TOKEN");
    a.address = a.uri;

    if (!(o = milvus_options_new())) {
        fprintf(stderr, "%s: out of memory\n", prog);
        return EXIT_FAIL;
    }
    int64_t ms = (int64_t)(a.timeout_s * 1000);
    if (ms < 1)
        ms = 1; /* --timeout 0.0001: the shortest bound there is */
    a.timeout_ms = ms;
    if (milvus_options_set_uri(o, a.uri) != MILVUS_OK) {
        milvus_options_free(o);
        usage_error(&a, "invalid --uri '%s'", a.uri);
        return EXIT_USAGE;
    }
    if ((a.token && *a.token && milvus_options_set_token(o, a.token) != MILVUS_OK) ||
        (a.user && milvus_options_set_user_password(o, a.user, a.password) != MILVUS_OK) ||
        (a.db && milvus_options_set_database(o, a.db) != MILVUS_OK)) {
        milvus_options_free(o);
        usage_error(&a, "invalid credentials or database name");
        return EXIT_USAGE;
    }
    milvus_options_set_connect_timeout_ms(o, ms);
    milvus_options_set_call_timeout_ms(o, ms);
    rc = milvus_sync_new(&a.s, o);
    if (rc != MILVUS_OK) {
        const char *why = milvus_options_last_error(o);
        fprintf(stderr, "%s: %s: %s\n", prog, a.address, *why ? tx(why) : milvus_strerror(rc));
        milvus_options_free(o);
        return EXIT_FAIL;
    }
    milvus_options_free(o);
    /* one bound for each whole request, connecting and retries included */
    milvus_sync_set_timeout_ms(a.s, ms);
    rc = a.cmd->run(&a);
    fflush(stdout);
    milvus_sync_free(a.s);
    return rc;
}
