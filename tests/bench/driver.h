/* SPDX-License-Identifier: Apache-2.0 */
/*
 * driver.h: the call driver shared by the benchmark programs
 * (bench_transport and suite/mv_suite): keeps N calls in flight on one event
 * loop until M have completed, checks that each completed exactly once,
 * records per-call latency; plus the process measurements (CPU, RSS, heap)
 * and the "held call" request of the memory runs.
 */
#ifndef MV_BENCH_DRIVER_H
#define MV_BENCH_DRIVER_H

#include <stddef.h>
#include <stdint.h>

#include <event2/event.h>

#include <milvus/channel.h>

struct mv_drv;

/* Submits call ctx (typed calls); MILVUS_OK or an error code.  The call's
 * callback passes ctx to mv_drv_complete(). */
typedef int (*mv_drv_submit_fn)(struct mv_drv *d, void *ctx);

struct mv_drv {
    struct event_base *base;
    milvus_channel *ch; /* raw unary calls when submit is NULL */
    const char *path;
    const uint8_t *req;
    size_t req_len;
    mv_drv_submit_fn submit; /* typed calls; NULL: milvus_channel_unary */
    long target, submitted, completed, failed;
    int refill;          /* submit a new call on each completion */
    unsigned char *seen; /* completions per call (exactly-once check) */
    double *t_sub;       /* submission time per call */
    double *lat;         /* latency per completed call (seconds) */
    long nlat;
    long duplicates;
    uint64_t bytes; /* response bytes received (raw calls) */
    char first_msg[256];
};

/* Sizes the per-call tables for n calls; 0 or -1 (no memory). */
int mv_drv_prepare(struct mv_drv *d, long n);
/* count calls with inflight kept pending; 0 when every call completed
 * exactly once and successfully, else -1 (reason on stderr). */
int mv_drv_run(struct mv_drv *d, long count, long inflight);
/* Submits the next call; 0 or -1 (reason on stderr). */
int mv_drv_submit(struct mv_drv *d);
/* Bookkeeping of a completion: ctx as given to the submit function, ok
 * false with msg for a failed call. */
void mv_drv_complete(struct mv_drv *d, void *ctx, int ok, const char *msg);
/* Sorts the latencies; then mv_drv_pct() gives percentiles (microseconds). */
void mv_drv_sort(struct mv_drv *d);
double mv_drv_pct(const struct mv_drv *d, double p);
void mv_drv_free(struct mv_drv *d);

/* Memory per held call: n calls that the server holds for delay_ms
 * (grpc.testing.TestService/StreamingOutputCall, one response of resp_size
 * bytes), RSS and heap growth sampled while all n wait. */
struct mv_drv_mem {
    double rss_per_call, heap_per_call;
    size_t req_bytes;
    long rss_base;
    double wall_s;
};
int mv_drv_mem_run(struct mv_drv *d, long n, long delay_ms, uint32_t resp_size,
                   struct mv_drv_mem *out);

double mv_now_s(void);
void mv_cpu_s(double *user, double *sys);
long mv_rss_bytes(void);
long mv_heap_bytes(void);

#endif
