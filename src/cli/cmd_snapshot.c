/* SPDX-License-Identifier: Apache-2.0 */
/* milvusctl: the snapshot commands, and the restore and export jobs they
 * start and follow. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "milvusctl.h"

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

static void on_job_progress(milvus_client *c, int64_t progress, const milvus_result *res, void *ctx)
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
    int rc = MILVUS_OK;
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

int cmd_snapshot_create(args *a)
{
    milvus_result *res = NULL;
    milvus_snapshot_options *o = snapshot_options(a);
    int rc = milvus_sync_create_snapshot(a->s, a->pos[0], a->pos[1], o, &res);
    milvus_snapshot_options_free(o);
    CHECK(a, rc, res, "snapshot create");
    milvus_result_unref(res);
    return done_message(a, "created");
}

int cmd_snapshot_drop(args *a)
{
    milvus_result *res = NULL;
    int rc = milvus_sync_drop_snapshot(a->s, a->pos[0], a->pos[1], NULL, &res);
    CHECK(a, rc, res, "snapshot drop");
    milvus_result_unref(res);
    return done_message(a, "dropped");
}

int cmd_snapshot_list(args *a)
{
    milvus_result *res = NULL;
    const char *coll = a->npos ? a->pos[0] : NULL;
    int rc = milvus_sync_list_snapshots(a->s, coll, NULL, &res);
    CHECK(a, rc, res, "snapshot list");
    print_names(a, res, "snapshots", "collection", coll ? coll : "");
    milvus_result_unref(res);
    return EXIT_SUCCESS;
}

int cmd_snapshot_describe(args *a)
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

int cmd_snapshot_restore(args *a)
{
    milvus_result *res = NULL;
    milvus_snapshot_options *o = snapshot_options(a);
    int rc = milvus_sync_restore_snapshot(a->s, a->pos[0], a->pos[1], a->pos[2], o, &res);
    milvus_snapshot_options_free(o);
    CHECK(a, rc, res, "snapshot restore");
    return job_started(a, KIND_RESTORE, res);
}

int cmd_snapshot_jobs(args *a)
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
            printf("%-20s %-10s %8s  %-20s %s\n", "JOB", "STATE", "PROGRESS", "SNAPSHOT", "TARGET");
        for (size_t i = 0; i < n; i++)
            printf("%-20" PRId64 " %-10s %7d%%  %-20s %s.%s\n", milvus_result_job_id(res, i),
                   milvus_job_state_name(milvus_result_job_state(res, i)),
                   milvus_result_job_progress(res, i), tx(milvus_result_job_snapshot(res, i)),
                   tx(milvus_result_job_database(res, i)),
                   tx(milvus_result_job_collection(res, i)));
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

int cmd_snapshot_job(args *a)
{
    return show_job(a, KIND_RESTORE);
}

int cmd_snapshot_export_job(args *a)
{
    return show_job(a, KIND_EXPORT);
}

int cmd_snapshot_export(args *a)
{
    milvus_result *res = NULL;
    milvus_snapshot_options *o = snapshot_options(a);
    int rc = milvus_sync_export_snapshot(a->s, a->pos[0], a->pos[1], a->pos[2], o, &res);
    milvus_snapshot_options_free(o);
    CHECK(a, rc, res, "snapshot export");
    return job_started(a, KIND_EXPORT, res);
}

int cmd_snapshot_restore_external(args *a)
{
    milvus_result *res = NULL;
    milvus_snapshot_options *o = snapshot_options(a);
    int rc = milvus_sync_restore_external_snapshot(a->s, a->pos[0], a->pos[1], o, &res);
    milvus_snapshot_options_free(o);
    CHECK(a, rc, res, "snapshot restore-external");
    return job_started(a, KIND_RESTORE, res);
}

int cmd_snapshot_pin(args *a)
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

int cmd_snapshot_unpin(args *a)
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
