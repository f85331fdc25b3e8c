/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Transport benchmark: one libmilvus channel on one event-loop thread
 * against a gRPC server (tests/bench/run-bench.sh starts the grpc-go peer
 * from tests/peers/go and runs this program several times).
 *
 *   bench_transport cpu --port P [--inflight N] [--calls M] [--path /bench.Raw/Call]
 *                       [--req-size B]
 *       keeps N unary calls in flight until M have completed, and prints the
 *       client process CPU time (getrusage user+sys) per completed call and
 *       the call rate.
 *
 *   bench_transport mem --port P [--inflight N] [--delay-ms D] [--resp-size B]
 *       submits N calls that the server holds for D ms
 *       (grpc.testing.TestService/StreamingOutputCall with one
 *       ResponseParameters{size, interval_us}: exactly one response message,
 *       i.e. unary on the wire), and prints the growth of RSS and of malloc'd
 *       heap per in-flight call, measured while all N wait.
 *
 * Output: one "BENCH key=value ..." line per run (parsed by run-bench.sh).
 * Every call must succeed; any failure makes the run exit 1.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/event.h>

#include <milvus/channel.h>
#include <milvus/common.h>
#include <milvus/options.h>

#include "driver.h"

static void usage(void)
{
    fprintf(stderr, "usage: bench_transport cpu|mem --port P [--host H] [--inflight N] "
                    "[--calls M] [--warmup W] [--path P] [--req-size B] [--delay-ms D] "
                    "[--resp-size B]\n");
    exit(2);
}

int main(int argc, char **argv)
{
    struct mv_drv d;
    const char *host = "127.0.0.1";
    int port = 0;
    long inflight = 1, calls = 20000, warmup = 2000, req_size = 100, delay_ms = 1500,
         resp_size = 100;
    int mem_mode;
    milvus_options *opts;
    uint8_t *req = NULL;
    int rc = 1;

    if (argc < 2) {
        usage();
    }
    memset(&d, 0, sizeof d);
    d.path = "/bench.Raw/Call";
    mem_mode = strcmp(argv[1], "mem") == 0;
    if (!mem_mode && strcmp(argv[1], "cpu") != 0) {
        usage();
    }
    for (int i = 2; i + 1 < argc; i += 2) {
        const char *k = argv[i], *v = argv[i + 1];

        if (strcmp(k, "--port") == 0) {
            port = atoi(v);
        } else if (strcmp(k, "--host") == 0) {
            host = v;
        } else if (strcmp(k, "--inflight") == 0) {
            inflight = atol(v);
        } else if (strcmp(k, "--calls") == 0) {
            calls = atol(v);
        } else if (strcmp(k, "--warmup") == 0) {
            warmup = atol(v);
        } else if (strcmp(k, "--path") == 0) {
            d.path = v;
        } else if (strcmp(k, "--req-size") == 0) {
            req_size = atol(v);
        } else if (strcmp(k, "--delay-ms") == 0) {
            delay_ms = atol(v);
        } else if (strcmp(k, "--resp-size") == 0) {
            resp_size = atol(v);
        } else {
            usage();
        }
    }
    if (port <= 0 || inflight <= 0 || calls <= 0 || req_size < 0 || warmup < 0 || resp_size < 0 ||
        delay_ms <= 0) {
        usage();
    }

    d.base = event_base_new();
    opts = milvus_options_new();
    if (d.base == NULL || opts == NULL ||
        milvus_options_set_address(opts, host, port) != MILVUS_OK ||
        milvus_options_set_max_pending(opts, (size_t)inflight + 16) != MILVUS_OK ||
        milvus_channel_new(&d.ch, d.base, opts) != MILVUS_OK) {
        fprintf(stderr, "setup failed\n");
        goto out;
    }

    if (mem_mode) {
        struct mv_drv_mem m;

        if (mv_drv_mem_run(&d, inflight, delay_ms, (uint32_t)resp_size, &m) != 0) {
            goto out;
        }
        printf("BENCH mode=mem inflight=%ld rss_bytes_per_call=%.0f heap_bytes_per_call=%.0f "
               "rss_base_kib=%ld\n",
               inflight, m.rss_per_call, m.heap_per_call, m.rss_base / 1024);
        rc = 0;
        goto out;
    }

    d.req_len = (size_t)req_size;
    d.req = req = calloc(1, d.req_len ? d.req_len : 1);
    if (req == NULL) {
        goto out;
    }
    /* warm-up: connection, SETTINGS, allocator pools, lazy init */
    if (warmup && mv_drv_run(&d, warmup, inflight) != 0) {
        goto out;
    }
    double u0, s0, u1, s1, t0, t1;
    mv_cpu_s(&u0, &s0);
    t0 = mv_now_s();
    if (mv_drv_run(&d, calls, inflight) != 0) {
        goto out;
    }
    mv_cpu_s(&u1, &s1);
    t1 = mv_now_s();
    printf("BENCH mode=cpu inflight=%ld calls=%ld cpu_us_per_call=%.3f user_us_per_call=%.3f "
           "sys_us_per_call=%.3f wall_s=%.3f calls_per_s=%.0f\n",
           inflight, calls, ((u1 - u0) + (s1 - s0)) * 1e6 / (double)calls,
           (u1 - u0) * 1e6 / (double)calls, (s1 - s0) * 1e6 / (double)calls, t1 - t0,
           (double)calls / (t1 - t0));
    rc = 0;
out:
    milvus_options_free(opts);
    milvus_channel_free(d.ch);
    if (d.base) {
        event_base_free(d.base);
    }
    mv_drv_free(&d);
    free(req);
    return rc;
}
