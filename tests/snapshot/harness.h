/* SPDX-License-Identifier: Apache-2.0 */
/* Test harness of tests/snapshot: starts the Milvus-protocol test server
 * (tests/server) once per test program, or uses a real Milvus when
 * MILVUS_URI is set; fault injection through its control service;
 * collection fixtures built with the blocking layer. */
#ifndef MVT_HARNESS_H
#define MVT_HARNESS_H

#include <stddef.h>
#include <stdint.h>

#include <milvus/milvus.h>
#include <milvus/snapshot.h>
#include <milvus/sync.h>

#include <criterion/criterion.h>
#include <criterion/hooks.h>

/* Dimension of the fixture collections' "vec" field. */
#define MVT_DIM 8

/* Starts the server with extra_args (NULL-terminated) unless MILVUS_URI
 * is set, and makes the tests run one at a time (they share the server's
 * fault settings and call counters); the server stops when the runner
 * exits.  Called by MVT_SERVER(args...), a ReportHook(PRE_ALL): the runner
 * calls it before the first test and the workers inherit MVT_URI. */
void mvt_setup(const char *const *extra_args);
#define MVT_SERVER(...)                                                                            \
    ReportHook(PRE_ALL)(struct criterion_test_set * set)                                           \
    {                                                                                              \
        static const char *const mvt_args[] = {__VA_ARGS__, NULL};                                 \
        (void)set;                                                                                 \
        mvt_setup(mvt_args);                                                                       \
    }

/* Skips the test (or fails it under MILVUS_REQUIRE_PEERS=1) when no server
 * is available. */
void mvt_require_server(void);
/* Skips the test when it needs the local server's fault injection and
 * the tests run against a real Milvus. */
void mvt_require_local(void);
int mvt_is_local(void);
const char *mvt_uri(void);

milvus_options *mvt_options(void);
milvus_sync *mvt_sync(void);

/* Control service: Set with a JSON object; Get into out.  0 on success. */
int mvt_control_set(const char *json);
int mvt_control_get(char *out, size_t len);
/* Calls received for an RPC since the last reset (-1 on error). */
long mvt_calls(const char *method);

int64_t mvt_now_ms(void);
void mvt_sleep_ms(int64_t ms);
/* A collection name unique to this process and call. */
void mvt_name(char *buf, size_t len, const char *prefix);
/* The deterministic vector of row id. */
void mvt_vector(int64_t id, float *v);

/* Creates name (id Int64 pk, vec FloatVector MVT_DIM, tag Int64). */
int mvt_create(milvus_sync *s, const char *name);
/* Inserts ids [first, first+n) (tag = id % 10). */
int mvt_insert(milvus_sync *s, const char *name, int64_t first, size_t n);
/* Index (L2) + wait for Finished, load + wait for Loaded. */
int mvt_index_load(milvus_sync *s, const char *name);
/* Load + wait for Loaded. */
int mvt_load(milvus_sync *s, const char *name);
/* All of the above with n rows from id 0. */
int mvt_fixture(milvus_sync *s, const char *name, size_t n);
/* count(*) with filter (NULL = all), -1 on error. */
int64_t mvt_count(milvus_sync *s, const char *name, const char *filter);
/* The top hit id of a search by the vector of row id (-1 when none). */
int64_t mvt_top_hit(milvus_sync *s, const char *name, int64_t id);
/* Polls fn until it returns non-zero or ms pass; returns its last value. */
int mvt_eventually(int (*fn)(void *), void *arg, int64_t ms);

#endif /* MVT_HARNESS_H */
