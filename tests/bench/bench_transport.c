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

#include <errno.h>
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include <event2/event.h>

#include <milvus/channel.h>
#include <milvus/common.h>
#include <milvus/options.h>

struct bench {
    struct event_base *base;
    milvus_channel *ch;
    const char *path;
    uint8_t *req;
    size_t req_len;
    long target; /* calls to complete */
    long submitted;
    long completed;
    long failed;
    long inflight; /* wanted concurrency */
    int refill;    /* cpu mode: submit a new call on each completion */
    int first_err;
    char first_msg[256];
};

static void on_reply(milvus_channel *ch, int status, const milvus_reply *r, void *ctx);

static int submit_one(struct bench *b)
{
    int rc = milvus_channel_unary(b->ch, b->path, b->req, b->req_len, NULL, on_reply, b, NULL);

    if (rc != MILVUS_OK) {
        fprintf(stderr, "submit: %s (%s)\n", milvus_strerror(rc), milvus_channel_last_error(b->ch));
        return -1;
    }
    b->submitted++;
    return 0;
}

static void on_reply(milvus_channel *ch, int status, const milvus_reply *r, void *ctx)
{
    struct bench *b = ctx;

    (void)ch;
    b->completed++;
    if (status != MILVUS_OK) {
        if (b->failed++ == 0) {
            b->first_err = status;
            snprintf(b->first_msg, sizeof b->first_msg, "%s / %s: %s", milvus_strerror(status),
                     milvus_grpc_code_name(milvus_reply_grpc_code(r)), milvus_reply_message(r));
        }
    }
    if (b->refill && b->submitted < b->target && !b->failed) {
        if (submit_one(b) != 0) {
            b->failed++;
        }
    }
    if (b->completed == b->submitted && (b->submitted >= b->target || b->failed)) {
        event_base_loopbreak(b->base);
    }
}

static double now_s(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* user and system CPU seconds of this process */
static void cpu_s(double *user, double *sys)
{
    struct rusage ru;

    getrusage(RUSAGE_SELF, &ru);
    *user = (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6;
    *sys = (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6;
}

static long rss_bytes(void)
{
    long pages = 0, resident = 0;
    FILE *f = fopen("/proc/self/statm", "r");

    if (f == NULL) {
        return -1;
    }
    if (fscanf(f, "%ld %ld", &pages, &resident) != 2) {
        resident = -1;
    }
    fclose(f);
    return resident < 0 ? -1 : resident * sysconf(_SC_PAGESIZE);
}

static long heap_bytes(void)
{
    struct mallinfo2 mi = mallinfo2();

    return (long)mi.uordblks + (long)mi.hblkhd;
}

/* Runs `count` calls with `inflight` concurrency (refill mode). */
static int run_calls(struct bench *b, long count, long inflight)
{
    b->target = count;
    b->submitted = b->completed = 0;
    b->refill = 1;
    for (long i = 0; i < inflight && i < count; i++) {
        if (submit_one(b) != 0) {
            return -1;
        }
    }
    event_base_dispatch(b->base);
    if (b->failed) {
        fprintf(stderr, "calls failed: %ld, first: %s\n", b->failed, b->first_msg);
        return -1;
    }
    return b->completed == count ? 0 : -1;
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

    inner[m++] = 0x08; /* field 1, varint */
    m += put_varint(inner + m, size);
    inner[m++] = 0x10; /* field 2, varint */
    m += put_varint(inner + m, interval_us);
    out[n++] = 0x12; /* field 2, length-delimited */
    n += put_varint(out + n, m);
    memcpy(out + n, inner, m);
    return n + m;
}

static void usage(void)
{
    fprintf(stderr, "usage: bench_transport cpu|mem --port P [--host H] [--inflight N] "
                    "[--calls M] [--warmup W] [--path P] [--req-size B] [--delay-ms D] "
                    "[--resp-size B]\n");
    exit(2);
}

int main(int argc, char **argv)
{
    struct bench b;
    const char *host = "127.0.0.1";
    int port = 0;
    long inflight = 1, calls = 20000, warmup = 2000, req_size = 100, delay_ms = 1500,
         resp_size = 100;
    int mem_mode;
    milvus_options *opts;
    uint8_t sreq[64];
    int rc = 1;

    if (argc < 2) {
        usage();
    }
    memset(&b, 0, sizeof b);
    b.path = "/bench.Raw/Call";
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
            b.path = v;
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
    if (port <= 0 || inflight <= 0 || calls <= 0 || req_size < 0 || warmup < 0) {
        usage();
    }

    b.base = event_base_new();
    opts = milvus_options_new();
    if (b.base == NULL || opts == NULL ||
        milvus_options_set_address(opts, host, port) != MILVUS_OK ||
        milvus_options_set_max_pending(opts, (size_t)inflight + 16) != MILVUS_OK ||
        milvus_channel_new(&b.ch, b.base, opts) != MILVUS_OK) {
        fprintf(stderr, "setup failed\n");
        return 1;
    }
    milvus_options_free(opts);

    if (mem_mode) {
        b.req_len = streaming_request(sreq, (uint32_t)resp_size, (uint32_t)(delay_ms * 1000));
        b.req = sreq;
        b.path = "/grpc.testing.TestService/StreamingOutputCall";
    } else {
        b.req_len = (size_t)req_size;
        b.req = calloc(1, b.req_len ? b.req_len : 1);
        if (b.req == NULL) {
            return 1;
        }
    }

    if (!mem_mode) {
        /* warm-up: connection, SETTINGS, allocator pools, lazy init */
        if (warmup && run_calls(&b, warmup, inflight) != 0) {
            goto out;
        }
        double u0, s0, u1, s1, t0, t1;
        cpu_s(&u0, &s0);
        t0 = now_s();
        if (run_calls(&b, calls, inflight) != 0) {
            goto out;
        }
        cpu_s(&u1, &s1);
        t1 = now_s();
        printf("BENCH mode=cpu inflight=%ld calls=%ld cpu_us_per_call=%.3f user_us_per_call=%.3f "
               "sys_us_per_call=%.3f wall_s=%.3f calls_per_s=%.0f\n",
               inflight, calls, ((u1 - u0) + (s1 - s0)) * 1e6 / (double)calls,
               (u1 - u0) * 1e6 / (double)calls, (s1 - s0) * 1e6 / (double)calls, t1 - t0,
               (double)calls / (t1 - t0));
        rc = 0;
        goto out;
    }

    /* mem: warm up with the same held call shape (short delay) so that the
     * connection, its buffers and lazily grown tables exist before the
     * baseline is taken */
    {
        uint8_t wreq[64];
        size_t wlen = streaming_request(wreq, (uint32_t)resp_size, 1000);
        b.req = wreq;
        b.req_len = wlen;
        if (run_calls(&b, inflight < 64 ? inflight : 64, inflight) != 0) {
            goto out;
        }
        b.req = sreq;
        b.req_len = streaming_request(sreq, (uint32_t)resp_size, (uint32_t)(delay_ms * 1000));
    }
    long rss0 = rss_bytes(), heap0 = heap_bytes();
    b.target = inflight;
    b.submitted = b.completed = 0;
    b.refill = 0;
    for (long i = 0; i < inflight; i++) {
        if (submit_one(&b) != 0) {
            goto out;
        }
    }
    /* let every request reach the server; the replies are held for
     * delay_ms, so sample at a third of it */
    struct timeval third = {delay_ms / 3000, (delay_ms / 3 % 1000) * 1000};
    event_base_loopexit(b.base, &third);
    event_base_dispatch(b.base);
    long rss1 = rss_bytes(), heap1 = heap_bytes();
    long pending = (long)milvus_channel_pending(b.ch);
    if (b.completed != 0 || pending != inflight) {
        fprintf(stderr, "calls completed early (%ld done, %ld pending): delay too short?\n",
                b.completed, pending);
        goto out;
    }
    event_base_dispatch(b.base); /* until all complete */
    if (b.failed || b.completed != inflight) {
        fprintf(stderr, "calls failed: %ld, first: %s\n", b.failed, b.first_msg);
        goto out;
    }
    printf("BENCH mode=mem inflight=%ld rss_bytes_per_call=%.0f heap_bytes_per_call=%.0f "
           "rss_base_kib=%ld\n",
           inflight, (double)(rss1 - rss0) / (double)inflight,
           (double)(heap1 - heap0) / (double)inflight, rss0 / 1024);
    rc = 0;
out:
    milvus_channel_free(b.ch);
    event_base_free(b.base);
    if (!mem_mode) {
        free(b.req);
    }
    return rc;
}
