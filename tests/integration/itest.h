/* SPDX-License-Identifier: Apache-2.0 */
/* Shorthands of the integration tests: one event_base and one client per
 * test (each Criterion test runs in its own process), and CALL() to run
 * one operation to completion. */
#ifndef MV_ITEST_H
#define MV_ITEST_H

#include <criterion/criterion.h>
#include <event2/event.h>
#include <stdlib.h>
#include <string.h>

#include <milvus/milvus.h>

#include "server_fixture.h"

typedef struct itest {
    struct event_base *base;
    milvus_client *c;
} itest;

static itest T;

/* Test setup/teardown: skip without a server; base + client. */
static inline void itest_setup(void)
{
    fixture_require();
    T.base = event_base_new();
    cr_assert_not_null(T.base);
    T.c = fixture_client(T.base);
}

static inline void itest_teardown(void)
{
    milvus_client_free(T.c);
    T.c = NULL;
    if (T.base)
        event_base_free(T.base);
    T.base = NULL;
}

/* CALL(fn, args...) runs fn(T.c, args..., cb, ctx) to completion and
 * yields the result (unref it). */
#define CALL(fn, ...)                                                                              \
    ({                                                                                             \
        fixture_wait w_ = {0, 0, NULL};                                                            \
        fixture_wait_result(T.base, T.c, fn(T.c, ##__VA_ARGS__, fixture_wait_cb, &w_), &w_);       \
    })

/* Runs an operation that must succeed and drops its result. */
#define CALL_OK(fn, ...)                                                                           \
    do {                                                                                           \
        milvus_result *r_ = CALL(fn, ##__VA_ARGS__);                                               \
        fixture_assert_ok(r_);                                                                     \
        milvus_result_unref(r_);                                                                   \
    } while (0)

#endif /* MV_ITEST_H */
