/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Rate limiting as a real Milvus applies it (TAP): run by real-server.sh
 * against a Milvus standalone started with an insert rate limit
 * (quotaAndLimits.dml.insertRate.max) so small that the second insert is
 * refused.  The client retries a rate-limited call on timers and, when
 * its attempts run out, reports the server's refusal (RateLimit, code 8)
 * naming the operation, the collection and the reason; a read on the
 * same client still works.
 *
 * usage: rate_limit URI [TOKEN]
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/event.h>

#include <milvus/milvus.h>

static struct event_base *base;
static milvus_client *client, *once, *thrice;
static int tap_n, tap_failed;

static void tap(int ok, const char *what, const char *detail)
{
    tap_n++;
    if (!ok)
        tap_failed++;
    printf("%s %d - %s%s%s\n", ok ? "ok" : "not ok", tap_n, what, detail && !ok ? ": " : "",
           detail && !ok ? detail : "");
}

/* Whether the message carries the reason as it shows it (escaped). */
static int message_has_reason(const milvus_result *r)
{
    char esc[1024];
    const char *reason = milvus_result_reason(r);
    milvus_escape_text(esc, sizeof(esc), reason, strlen(reason));
    return strstr(milvus_result_message(r), esc) != NULL;
}

typedef struct waiter {
    int done;
    milvus_result *res;
} waiter;

static void on_result(milvus_client *c, const milvus_result *res, void *ctx)
{
    waiter *w = ctx;
    (void)c;
    w->res = milvus_result_ref(res);
    w->done = 1;
}

static milvus_result *wait_for(int rc, waiter *w)
{
    if (rc != MILVUS_OK) {
        fprintf(stderr, "rate_limit: %s\n", milvus_client_last_error(client));
        exit(1);
    }
    while (!w->done)
        event_base_loop(base, EVLOOP_ONCE);
    return w->res;
}

#define RUN(fn, ...) (w = (waiter){0, NULL}, wait_for(fn(client, __VA_ARGS__, on_result, &w), &w))

int main(int argc, char **argv)
{
    milvus_options *o = milvus_options_new();
    milvus_schema *s;
    milvus_field *id, *v;
    milvus_column *cols[2];
    milvus_result *r;
    waiter w;
    char name[64], msg[512];
    int64_t key = 1;
    float vec[4] = {0.1f, 0.2f, 0.3f, 0.4f};
    int limited = 0, tries;

    if (argc < 2) {
        fprintf(stderr, "usage: rate_limit URI [TOKEN]\n");
        return 2;
    }
    base = event_base_new();
    if (!o || !base || milvus_options_set_uri(o, argv[1]) != MILVUS_OK)
        return 1;
    if (argc > 2 && *argv[2])
        milvus_options_set_token(o, argv[2]);
    /* Two clients: rate-limit retries off, and three attempts. */
    if (milvus_options_set_rate_limit_retry(o, 1, 10, 10, 1.0) != MILVUS_OK ||
        milvus_client_new(&once, base, o) != MILVUS_OK ||
        milvus_options_set_rate_limit_retry(o, 3, 20, 40, 2.0) != MILVUS_OK ||
        milvus_client_new(&thrice, base, o) != MILVUS_OK)
        return 1;
    milvus_options_free(o);
    client = once;
    printf("1..6\n");

    snprintf(name, sizeof(name), "rate_limit_%ld", (long)getpid());
    milvus_schema_new(&s, NULL);
    milvus_field_new(&id, "id", MILVUS_TYPE_INT64);
    milvus_field_set_primary_key(id, 1);
    milvus_field_new(&v, "vec", MILVUS_TYPE_FLOAT_VECTOR);
    milvus_field_set_dim(v, 4);
    milvus_schema_add_field(s, id);
    milvus_schema_add_field(s, v);
    milvus_field_free(id);
    milvus_field_free(v);
    r = RUN(milvus_client_create_collection, name, s, NULL);
    tap(milvus_result_status(r) == MILVUS_OK, "create the collection", milvus_result_message(r));
    milvus_result_unref(r);
    milvus_schema_free(s);
    milvus_column_new_int64(&cols[0], "id", &key, 1);
    milvus_column_new_float_vector(&cols[1], "vec", 4, vec, 1);

    /* Retries off: inserts until the limiter refuses one (the first may
     * pass on the limiter's initial allowance). */
    for (tries = 0; tries < 5 && !limited; tries++) {
        r = RUN(milvus_client_insert, name, cols, 2, NULL);
        if (milvus_result_status(r) == MILVUS_ERR_SERVER && milvus_result_server_code(r) == 8) {
            limited = 1;
            snprintf(msg, sizeof(msg), "%s", milvus_result_message(r));
            tap(1, "an insert is refused as RateLimit (code 8)", msg);
            tap(strstr(milvus_result_message(r), "insert") &&
                    strstr(milvus_result_message(r), name) && message_has_reason(r) &&
                    strstr(milvus_result_reason(r), "rate"),
                "the message names the operation, the collection and the server's reason", msg);
            printf("# %s\n", msg);
        } else if (milvus_result_status(r) != MILVUS_OK) {
            tap(0, "an insert is refused as RateLimit (code 8)", milvus_result_message(r));
            tries = 5;
        }
        milvus_result_unref(r);
    }
    if (!limited) {
        tap(0, "an insert is refused as RateLimit (code 8)", "five inserts passed");
        tap(0, "the message names the operation, the collection and the server's reason", NULL);
    }

    /* Retries on: three attempts on timers, then the same refusal. */
    client = thrice;
    /* Its first insert would fetch the schema first, an attempt more in
     * the count: the schema is fetched now. */
    r = RUN(milvus_client_describe_collection, name);
    milvus_result_unref(r);
    r = RUN(milvus_client_insert, name, cols, 2, NULL);
    snprintf(msg, sizeof(msg), "status %d, %d attempts: %s", milvus_result_status(r),
             milvus_result_attempts(r), milvus_result_message(r));
    tap(milvus_result_status(r) == MILVUS_ERR_SERVER && milvus_result_server_code(r) == 8,
        "with retries on, still refused once the attempts run out", msg);
    tap(milvus_result_attempts(r) == 3, "three attempts were made", msg);
    milvus_result_unref(r);

    /* Reads are not limited: the client is usable. */
    r = RUN(milvus_client_describe_collection, name);
    tap(milvus_result_status(r) == MILVUS_OK, "a read on the same client works",
        milvus_result_message(r));
    milvus_result_unref(r);
    r = RUN(milvus_client_drop_collection, name);
    milvus_result_unref(r);

    milvus_column_free(cols[0]);
    milvus_column_free(cols[1]);
    milvus_client_free(once);
    milvus_client_free(thrice);
    event_base_free(base);
    return tap_failed ? 1 : 0;
}
