/* SPDX-License-Identifier: Apache-2.0 */
/*
 * milvusctl — what main, the argument parsing and the output helpers
 * (milvusctl.c) share with the command files (cmd_*.c).  Internal to
 * milvusctl.
 */
#ifndef MILVUSCTL_H
#define MILVUSCTL_H

#include <stdint.h>

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

extern const char *prog;

/* ---- output helpers (milvusctl.c) ------------------------------------------------------ */

void usage_error(const args *a, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Server text, escaped for a terminal (valid until eight more calls). */
const char *tx(const char *s);
/* JSON output: a string, and the keys and values of objects. */
void json_string(const char *s);
void jkey(const char *k);
void jopen(char c);
void jclose(char c);
void jstr(const char *k, const char *v);
void jint(const char *k, int64_t v);
void jid(const char *k, int64_t v);
void jbool(const char *k, int v);
/* A failure of an operation, printed in one line; returns the exit status. */
int fail_result(args *a, int rc, const milvus_result *res, const char *what);
/* Names of a list answer. */
void print_names(const args *a, const milvus_result *res, const char *key, const char *ctx_key,
                 const char *ctx_val);

/* Runs a sync call's outcome: on failure prints and returns non-zero. */
#define CHECK(a, rc, res, what)                                                                    \
    do {                                                                                           \
        if ((rc) != MILVUS_OK) {                                                                   \
            int ex_ = fail_result((a), (rc), (res), (what));                                       \
            milvus_result_unref(res);                                                              \
            return ex_;                                                                            \
        }                                                                                          \
    } while (0)

/* ---- commands (cmd_server.c, cmd_collection.c, cmd_snapshot.c) ------------------------- */

int cmd_version(args *a);
int cmd_health(args *a);
int cmd_collection_list(args *a);
int cmd_collection_describe(args *a);
int cmd_snapshot_create(args *a);
int cmd_snapshot_drop(args *a);
int cmd_snapshot_list(args *a);
int cmd_snapshot_describe(args *a);
int cmd_snapshot_restore(args *a);
int cmd_snapshot_jobs(args *a);
int cmd_snapshot_job(args *a);
int cmd_snapshot_export_job(args *a);
int cmd_snapshot_export(args *a);
int cmd_snapshot_restore_external(args *a);
int cmd_snapshot_pin(args *a);
int cmd_snapshot_unpin(args *a);

#endif /* MILVUSCTL_H */
