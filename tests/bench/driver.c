/* SPDX-License-Identifier: Apache-2.0 */
/*
 * driver.c: the call driver shared by the benchmark programs (driver.h).
 */
#include "config.h"

#include "driver.h"

#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

/* The one driver of the process: a call's ctx carries only its index. */
static struct mv_drv *g_drv;

double mv_now_s(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

void mv_cpu_s(double *user, double *sys)
{
    struct rusage ru;

    getrusage(RUSAGE_SELF, &ru);
    *user = (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6;
    *sys = (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6;
}

long mv_rss_bytes(void)
{
    long pages = 0, resident = -1;
    FILE *f = fopen("/proc/self/statm", "r");

    if (f == NULL)
        return -1;
    if (fscanf(f, "%ld %ld", &pages, &resident) != 2)
        resident = -1;
    fclose(f);
    return resident < 0 ? -1 : resident * sysconf(_SC_PAGESIZE);
}

long mv_heap_bytes(void)
{
    struct mallinfo2 mi = mallinfo2();

    return (long)mi.uordblks + (long)mi.hblkhd;
}

static void fail(struct mv_drv *d, const char *what)
{
    if (d->failed++ == 0)
        snprintf(d->first_msg, sizeof d->first_msg, "%s", what);
}

void mv_drv_complete(struct mv_drv *d, void *ctx, int ok, const char *msg)
{
    long idx = (long)(intptr_t)ctx - 1;

    if (idx < 0 || idx >= d->target) {
        fail(d, "completion for an unknown call");
    } else if (d->seen[idx]++ != 0) {
        d->duplicates++;
        fail(d, "call completed twice");
    } else {
        d->completed++;
        d->lat[d->nlat++] = mv_now_s() - d->t_sub[idx];
        if (!ok)
            fail(d, msg ? msg : "call failed");
    }
    if (d->refill && d->submitted < d->target && !d->failed && mv_drv_submit(d) != 0)
        fail(d, "resubmission failed");
    if (d->completed + d->failed >= d->submitted && (d->submitted >= d->target || d->failed))
        event_base_loopbreak(d->base);
}

static void on_reply(milvus_channel *ch, int status, const milvus_reply *r, void *ctx)
{
    struct mv_drv *d = g_drv;
    size_t len = 0;
    char m[256];

    (void)ch;
    if (status != MILVUS_OK) {
        snprintf(m, sizeof m, "%s / %s: %s", milvus_strerror(status),
                 milvus_grpc_code_name(milvus_reply_grpc_code(r)), milvus_reply_message(r));
        mv_drv_complete(d, ctx, 0, m);
        return;
    }
    if (milvus_reply_data(r, &len) != NULL || len == 0)
        d->bytes += len;
    mv_drv_complete(d, ctx, 1, NULL);
}

int mv_drv_submit(struct mv_drv *d)
{
    long idx = d->submitted;
    void *ctx = (void *)(intptr_t)(idx + 1);
    int rc;

    d->t_sub[idx] = mv_now_s();
    if (d->submit)
        rc = d->submit(d, ctx);
    else
        rc = milvus_channel_unary(d->ch, d->path, d->req, d->req_len, NULL, on_reply, ctx);
    if (rc != MILVUS_OK) {
        fprintf(stderr, "submit: %s\n", milvus_strerror(rc));
        return -1;
    }
    d->submitted++;
    return 0;
}

int mv_drv_prepare(struct mv_drv *d, long n)
{
    g_drv = d;
    free(d->seen);
    free(d->t_sub);
    free(d->lat);
    d->seen = calloc((size_t)n, 1);
    d->t_sub = calloc((size_t)n, sizeof *d->t_sub);
    d->lat = calloc((size_t)n, sizeof *d->lat);
    d->target = n;
    d->submitted = d->completed = d->nlat = 0;
    return d->seen && d->t_sub && d->lat ? 0 : -1;
}

int mv_drv_run(struct mv_drv *d, long count, long inflight)
{
    if (mv_drv_prepare(d, count) != 0)
        return -1;
    d->refill = 1;
    for (long i = 0; i < inflight && i < count; i++)
        if (mv_drv_submit(d) != 0)
            return -1;
    event_base_dispatch(d->base);
    if (d->failed) {
        fprintf(stderr, "calls failed: %ld, first: %s\n", d->failed, d->first_msg);
        return -1;
    }
    for (long i = 0; i < count; i++)
        if (d->seen[i] != 1) {
            fprintf(stderr, "call %ld completed %d times\n", i, d->seen[i]);
            return -1;
        }
    return d->completed == count ? 0 : -1;
}

static int cmp_double(const void *x, const void *y)
{
    double a = *(const double *)x, c = *(const double *)y;

    return a < c ? -1 : a > c;
}

void mv_drv_sort(struct mv_drv *d)
{
    qsort(d->lat, (size_t)d->nlat, sizeof *d->lat, cmp_double);
}

double mv_drv_pct(const struct mv_drv *d, double p)
{
    long i = (long)(p * (double)(d->nlat - 1) + 0.5);

    return d->nlat ? d->lat[i] * 1e6 : 0;
}

void mv_drv_free(struct mv_drv *d)
{
    free(d->seen);
    free(d->t_sub);
    free(d->lat);
    d->seen = NULL;
    d->t_sub = d->lat = NULL;
}

static size_t put_varint(uint8_t *p, uint64_t v)
{
    size_t n = 0;

    while (v >= 0x80) {
        p[n++] = (uint8_t)(v | 0x80);
        v >>= 7;
    }
    p[n++] = (uint8_t)v;
    return n;
}

/* StreamingOutputCallRequest{response_parameters: [{size, interval_us}]} */
static size_t streaming_request(uint8_t *out, uint32_t size, uint32_t interval_us)
{
    uint8_t inner[24];
    size_t n = 0, m = 0;

    inner[m++] = 0x08; /* field 1 (size), varint */
    m += put_varint(inner + m, size);
    inner[m++] = 0x10; /* field 2 (interval_us), varint */
    m += put_varint(inner + m, interval_us);
    out[n++] = 0x12; /* field 2 (response_parameters), length-delimited */
    n += put_varint(out + n, m);
    memcpy(out + n, inner, m);
    return n + m;
}

int mv_drv_mem_run(struct mv_drv *d, long n, long delay_ms, uint32_t resp_size,
                   struct mv_drv_mem *out)
{
    static uint8_t wreq[32], sreq[32];

    /* warm-up with the same call shape, briefly held: the connection, its
     * buffers and lazily grown tables exist before the baseline */
    d->submit = NULL;
    d->path = "/grpc.testing.TestService/StreamingOutputCall";
    d->req = wreq;
    d->req_len = streaming_request(wreq, resp_size, 1000);
    if (mv_drv_run(d, n < 64 ? n : 64, 64) != 0 || mv_drv_prepare(d, n) != 0)
        return -1;
    d->req = sreq;
    d->req_len = streaming_request(sreq, resp_size, (uint32_t)(delay_ms * 1000));
    malloc_trim(0);
    long rss0 = mv_rss_bytes(), heap0 = mv_heap_bytes();
    double t0 = mv_now_s();
    d->refill = 0;
    for (long i = 0; i < n; i++)
        if (mv_drv_submit(d) != 0)
            return -1;
    /* sample once everything is on the wire and still held by the server */
    struct timeval third = {delay_ms / 3000, (delay_ms / 3 % 1000) * 1000};
    event_base_loopexit(d->base, &third);
    event_base_dispatch(d->base);
    long rss1 = mv_rss_bytes(), heap1 = mv_heap_bytes();
    long pending = (long)milvus_channel_pending(d->ch);
    if (d->completed != 0 || pending != n) {
        fprintf(stderr, "calls completed early (%ld done, %ld pending): delay too short?\n",
                d->completed, pending);
        return -1;
    }
    event_base_dispatch(d->base); /* until all complete */
    if (d->failed || d->completed != n) {
        fprintf(stderr, "calls failed: %ld, first: %s\n", d->failed, d->first_msg);
        return -1;
    }
    out->rss_per_call = (double)(rss1 - rss0) / (double)n;
    out->heap_per_call = (double)(heap1 - heap0) / (double)n;
    out->req_bytes = d->req_len;
    out->rss_base = rss0;
    out->wall_s = mv_now_s() - t0;
    return 0;
}
