/*
 * mv_suite: the libmilvus side of the comparative benchmark suite
 * (tests/bench/suite/run-suite.sh runs it next to the anchors: the grpc C++
 * client, h2load and the official Node SDK, against the same servers).
 * One event loop thread, one channel or client.
 *
 *   mv_suite unary  --port P --inflight N --calls M [--warmup W] [--req-size B]
 *                   [--path /bench.Raw/Call]
 *       raw unary calls, N kept in flight; client CPU per call, rate,
 *       latency percentiles, and an exactly-once check (no call lost or
 *       completed twice).
 *   mv_suite mem    --port P --inflight N --delay-ms D
 *       N calls held by the server for D ms
 *       (grpc.testing.TestService/StreamingOutputCall, one response after
 *       interval_us); RSS and heap growth per pending call.
 *   mv_suite search --port P --inflight N --calls M [--restore 1]
 *       typed Search (1 query, dim 768, topk 100, 3 output fields) with every
 *       hit's id, score and output fields read through the accessors;
 *       --restore 1 keeps a snapshot-restore await polling on the same loop
 *       during the measured stream.
 *   mv_suite insert --port P --inflight N --calls M [--rows R]
 *       typed Insert of R rows (int64 id + 768-dim float vector) per call;
 *       client CPU per GB of request and GB/s.
 *   mv_suite large  --port P --calls M --size B
 *       unary calls whose response is B bytes (the grpc-go peer's
 *       /bench.Raw/ canned reply); GB/s.
 *   mv_suite loopback --size B --calls M
 *       the anchor for `large`: B bytes over a plain loopback TCP socket per
 *       round (a child process writes, this one reads), GB/s.
 *
 * Output: one line "BENCH key=value ..." per run.  Any failed call makes
 * the run exit 1.
 */
#include "config.h"

#include <arpa/inet.h>
#include <malloc.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <event2/event.h>

#include <milvus/channel.h>
#include <milvus/client.h>
#include <milvus/snapshot.h>

#define DIM 768
#define TOPK 100

struct args {
    const char *mode;
    const char *path;
    int port;
    long inflight, calls, warmup, req_size, delay_ms, rows, size;
    int restore;
};

struct bench {
    struct args a;
    struct event_base *base;
    milvus_channel *ch;
    milvus_client *cl;
    milvus_search_options *so;
    const milvus_column *cols[2];
    int64_t *idv;         /* insert: the caller's buffers behind cols */
    float *vecs;
    uint8_t *req;
    size_t req_len;
    long target, submitted, completed, failed;
    int refill;
    unsigned char *seen;  /* completions per call (exactly-once check) */
    double *t_sub;        /* submission time per call */
    double *lat;          /* latency per completed call */
    long nlat;
    long duplicates;
    double checksum;
    uint64_t bytes;       /* response bytes received */
    char first_msg[256];
};

static double now_s(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static double cpu_s(void)
{
    struct rusage ru;

    getrusage(RUSAGE_SELF, &ru);
    return (double)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
           (double)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
}

static long rss_bytes(void)
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

static long heap_bytes(void)
{
    struct mallinfo2 mi = mallinfo2();

    return (long)mi.uordblks + (long)mi.hblkhd;
}

static void fail(struct bench *b, const char *what)
{
    if (b->failed++ == 0)
        snprintf(b->first_msg, sizeof b->first_msg, "%s", what);
}

/* Bookkeeping shared by every completion: exactly-once check, latency. */
static void complete(struct bench *b, long idx)
{
    if (idx < 0 || idx >= b->target) {
        fail(b, "completion for an unknown call");
        return;
    }
    if (b->seen[idx]++ != 0) {
        b->duplicates++;
        fail(b, "call completed twice");
        return;
    }
    b->completed++;
    b->lat[b->nlat++] = now_s() - b->t_sub[idx];
}

static int submit_one(struct bench *b);

static void after_completion(struct bench *b)
{
    if (b->refill && b->submitted < b->target && !b->failed && submit_one(b) != 0)
        fail(b, "resubmission failed");
    if (b->completed + b->failed >= b->submitted && (b->submitted >= b->target || b->failed))
        event_base_loopbreak(b->base);
}

static void on_reply(milvus_channel *ch, int status, const milvus_reply *r, void *ctx);
static void on_result(milvus_client *c, const milvus_result *res, void *ctx);

static struct bench *g_bench; /* the one benchmark of this process */

static void on_reply(milvus_channel *ch, int status, const milvus_reply *r, void *ctx)
{
    struct bench *b = g_bench;
    size_t len = 0;

    (void)ch;
    complete(b, (long)(intptr_t)ctx - 1);
    if (status != MILVUS_OK) {
        char m[200];
        snprintf(m, sizeof m, "%s: %s", milvus_strerror(status), milvus_reply_message(r));
        fail(b, m);
    } else if (milvus_reply_data(r, &len) != NULL || len == 0) {
        b->bytes += len;
    }
    after_completion(b);
}

/* Reads every hit through the accessors, as an application would. */
static int touch_search(struct bench *b, const milvus_result *res)
{
    size_t nq = milvus_result_num_queries(res);

    if (nq != 1)
        return -1;
    for (size_t q = 0; q < nq; q++) {
        size_t n = milvus_result_hit_count(res, q);
        const milvus_column *ids = milvus_result_hit_ids(res, q);
        const float *scores = milvus_result_hit_scores(res, q);
        const milvus_column *title = milvus_result_hit_column(res, q, "title");
        const milvus_column *price = milvus_result_hit_column(res, q, "price");
        const milvus_column *year = milvus_result_hit_column(res, q, "year");

        if (n != TOPK || !ids || !scores || !title || !price || !year)
            return -1;
        for (size_t i = 0; i < n; i++) {
            int64_t id = 0, y = 0;
            float p = 0;
            const char *s = NULL;
            size_t sl = 0;

            if (milvus_column_get_int(ids, i, &id) != MILVUS_OK ||
                milvus_column_get_string(title, i, &s, &sl) != MILVUS_OK ||
                milvus_column_get_float(price, i, &p) != MILVUS_OK ||
                milvus_column_get_int(year, i, &y) != MILVUS_OK)
                return -1;
            b->checksum += (double)id + scores[i] + (double)sl + p + (double)y;
        }
    }
    return 0;
}

static void on_result(milvus_client *c, const milvus_result *res, void *ctx)
{
    struct bench *b = g_bench;
    int st = milvus_result_status(res);

    (void)c;
    complete(b, (long)(intptr_t)ctx - 1);
    if (st != MILVUS_OK) {
        fail(b, milvus_result_message(res));
    } else if (strcmp(b->a.mode, "search") == 0) {
        if (touch_search(b, res) != 0)
            fail(b, "search result lacks the expected hits or fields");
    } else if (milvus_result_insert_count(res) != b->a.rows ||
               milvus_column_rows(milvus_result_ids(res)) != (size_t)b->a.rows) {
        fail(b, "insert result lacks the ids");
    }
    after_completion(b);
}

static int submit_one(struct bench *b)
{
    long idx = b->submitted;
    void *ctx = (void *)(intptr_t)(idx + 1);
    int rc;

    b->t_sub[idx] = now_s();
    if (b->cl == NULL) {
        rc = milvus_channel_unary(b->ch, b->a.path, b->req, b->req_len, NULL, on_reply, ctx, NULL);
    } else if (strcmp(b->a.mode, "search") == 0) {
        rc = milvus_client_search(b->cl, "bench", b->so, on_result, ctx);
    } else {
        rc = milvus_client_insert(b->cl, "bench", b->cols, 2, NULL, on_result, ctx);
    }
    if (rc != MILVUS_OK) {
        fprintf(stderr, "submit: %s (%s)\n", milvus_strerror(rc),
                b->cl ? milvus_client_last_error(b->cl) : milvus_channel_last_error(b->ch));
        return -1;
    }
    b->submitted++;
    return 0;
}

static int grow(struct bench *b, long n)
{
    free(b->seen);
    free(b->t_sub);
    free(b->lat);
    b->seen = calloc((size_t)n, 1);
    b->t_sub = calloc((size_t)n, sizeof *b->t_sub);
    b->lat = calloc((size_t)n, sizeof *b->lat);
    return b->seen && b->t_sub && b->lat ? 0 : -1;
}

/* count calls with `inflight` kept pending (refilled on each completion). */
static int run_calls(struct bench *b, long count, long inflight)
{
    if (grow(b, count) != 0)
        return -1;
    b->target = count;
    b->submitted = b->completed = b->nlat = 0;
    b->refill = 1;
    for (long i = 0; i < inflight && i < count; i++)
        if (submit_one(b) != 0)
            return -1;
    event_base_dispatch(b->base);
    if (b->failed) {
        fprintf(stderr, "calls failed: %ld, first: %s\n", b->failed, b->first_msg);
        return -1;
    }
    for (long i = 0; i < count; i++)
        if (b->seen[i] != 1) {
            fprintf(stderr, "call %ld completed %d times\n", i, b->seen[i]);
            return -1;
        }
    return b->completed == count ? 0 : -1;
}

static int cmp_double(const void *x, const void *y)
{
    double a = *(const double *)x, c = *(const double *)y;

    return a < c ? -1 : a > c;
}

static double pct(const struct bench *b, double p)
{
    long i = (long)(p * (double)(b->nlat - 1) + 0.5);

    return b->nlat ? b->lat[i] * 1e6 : 0;
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

    inner[m++] = 0x08;
    m += put_varint(inner + m, size);
    inner[m++] = 0x10;
    m += put_varint(inner + m, interval_us);
    out[n++] = 0x12;
    n += put_varint(out + n, m);
    memcpy(out + n, inner, m);
    return n + m;
}

/* ---- snapshot restore await, polling beside the search stream ---------- */

static int restore_done;
static int restore_status;
static long restore_progress_calls;

static void on_restore(milvus_client *c, const milvus_result *res, void *ctx)
{
    (void)c;
    (void)ctx;
    restore_done = 1;
    restore_status = milvus_result_status(res);
}

static void on_restore_progress(milvus_client *c, const milvus_result *res, void *ctx)
{
    (void)c;
    (void)res;
    (void)ctx;
    restore_progress_calls++;
}

static int start_restore(struct bench *b, uint64_t *call)
{
    milvus_job_await_options *ao = milvus_job_await_options_new();
    int rc;

    if (ao == NULL)
        return -1;
    /* poll often so that the await really competes with the searches */
    milvus_job_await_options_set_interval(ao, 5, 20, 2.0);
    milvus_job_await_options_set_progress(ao, on_restore_progress, NULL);
    rc = milvus_client_restore_snapshot_and_wait(b->cl, "bench", "snap", "bench_restored", NULL, ao,
                                                 on_restore, NULL);
    milvus_job_await_options_free(ao);
    if (rc != MILVUS_OK) {
        fprintf(stderr, "restore: %s\n", milvus_client_last_error(b->cl));
        return -1;
    }
    *call = milvus_client_last_call(b->cl);
    return 0;
}

/* ---- modes ---------------------------------------------------------------- */

static int setup_client(struct bench *b, milvus_options *opts)
{
    static float qv[DIM];
    milvus_column *vec = NULL, *ids = NULL;

    if (milvus_client_new(&b->cl, b->base, opts) != MILVUS_OK)
        return -1;
    if (strcmp(b->a.mode, "search") == 0) {
        for (int i = 0; i < DIM; i++)
            qv[i] = (float)((i * 7919) % 1000) / 1000.0f;
        b->so = milvus_search_options_new();
        if (b->so == NULL || milvus_column_new_float_vector(&vec, "vec", DIM, qv, 1) != MILVUS_OK ||
            milvus_search_options_set_vectors(b->so, vec) != MILVUS_OK ||
            milvus_search_options_set_anns_field(b->so, "vec") != MILVUS_OK ||
            milvus_search_options_set_limit(b->so, TOPK) != MILVUS_OK ||
            milvus_search_options_add_output_field(b->so, "title") != MILVUS_OK ||
            milvus_search_options_add_output_field(b->so, "price") != MILVUS_OK ||
            milvus_search_options_add_output_field(b->so, "year") != MILVUS_OK) {
            milvus_column_free(vec);
            return -1;
        }
        milvus_column_free(vec);
        return 0;
    }
    /* insert: the caller's buffers, wrapped without copying */
    int64_t *idv = b->idv = malloc((size_t)b->a.rows * sizeof *idv);
    float *data = b->vecs = malloc((size_t)b->a.rows * DIM * sizeof *data);
    if (idv == NULL || data == NULL)
        return -1;
    for (long r = 0; r < b->a.rows; r++) {
        idv[r] = r;
        for (int i = 0; i < DIM; i++)
            data[r * DIM + i] = (float)((r * 31 + i) % 997) / 997.0f;
    }
    if (milvus_column_wrap(&ids, "id", MILVUS_TYPE_INT64, 0, idv, (size_t)b->a.rows) != MILVUS_OK ||
        milvus_column_wrap(&vec, "vec", MILVUS_TYPE_FLOAT_VECTOR, DIM, data, (size_t)b->a.rows) !=
            MILVUS_OK)
        return -1;
    b->cols[0] = ids;
    b->cols[1] = vec;
    return 0;
}

static int mode_mem(struct bench *b)
{
    uint8_t wreq[32], sreq[32];

    /* warm-up with the same call shape, briefly held */
    b->req = wreq;
    b->req_len = streaming_request(wreq, 16, 1000);
    b->a.path = "/grpc.testing.TestService/StreamingOutputCall";
    if (run_calls(b, b->a.inflight < 64 ? b->a.inflight : 64, 64) != 0 || grow(b, b->a.inflight))
        return -1;
    b->req = sreq;
    b->req_len = streaming_request(sreq, 16, (uint32_t)(b->a.delay_ms * 1000));
    malloc_trim(0);
    long rss0 = rss_bytes(), heap0 = heap_bytes();
    double t0 = now_s();
    b->target = b->a.inflight;
    b->submitted = b->completed = b->nlat = 0;
    b->refill = 0;
    for (long i = 0; i < b->a.inflight; i++)
        if (submit_one(b) != 0)
            return -1;
    /* sample once everything is on the wire and still held by the server */
    struct timeval third = {b->a.delay_ms / 3000, (b->a.delay_ms / 3 % 1000) * 1000};
    event_base_loopexit(b->base, &third);
    event_base_dispatch(b->base);
    long rss1 = rss_bytes(), heap1 = heap_bytes();
    long pending = (long)milvus_channel_pending(b->ch);
    if (b->completed != 0 || pending != b->a.inflight) {
        fprintf(stderr, "calls completed early (%ld done, %ld pending): delay too short?\n",
                b->completed, pending);
        return -1;
    }
    event_base_dispatch(b->base);
    if (b->failed || b->completed != b->a.inflight) {
        fprintf(stderr, "calls failed: %ld, first: %s\n", b->failed, b->first_msg);
        return -1;
    }
    printf("BENCH mode=mem inflight=%ld rss_bytes_per_call=%.0f heap_bytes_per_call=%.0f "
           "req_bytes=%zu rss_base_kib=%ld wall_s=%.3f\n",
           b->a.inflight, (double)(rss1 - rss0) / (double)b->a.inflight,
           (double)(heap1 - heap0) / (double)b->a.inflight, b->req_len, rss0 / 1024,
           now_s() - t0);
    return 0;
}

static int mode_loopback(struct bench *b)
{
    struct sockaddr_in sa = {.sin_family = AF_INET};
    socklen_t sl = sizeof sa;
    int ls = socket(AF_INET, SOCK_STREAM, 0), s;
    size_t chunk = 1 << 20;
    char *buf = malloc(chunk);
    uint64_t total = (uint64_t)b->a.size * (uint64_t)b->a.calls, got = 0;
    pid_t pid;

    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (ls < 0 || buf == NULL || bind(ls, (struct sockaddr *)&sa, sizeof sa) != 0 ||
        listen(ls, 1) != 0 || getsockname(ls, (struct sockaddr *)&sa, &sl) != 0)
        return -1;
    memset(buf, 0x5a, chunk);
    pid = fork();
    if (pid == 0) {
        int c = socket(AF_INET, SOCK_STREAM, 0);
        uint64_t sent = 0;
        if (c < 0 || connect(c, (struct sockaddr *)&sa, sizeof sa) != 0)
            _exit(1);
        while (sent < total) {
            size_t n = total - sent < chunk ? (size_t)(total - sent) : chunk;
            ssize_t w = write(c, buf, n);
            if (w <= 0)
                _exit(1);
            sent += (uint64_t)w;
        }
        _exit(0);
    }
    s = accept(ls, NULL, NULL);
    if (s < 0)
        return -1;
    double t0 = now_s(), c0 = cpu_s();
    /* the reader copies each chunk once more, as a client assembling a
     * message would */
    char *msg = malloc((size_t)b->a.size);
    size_t off = 0;
    while (got < total && msg) {
        ssize_t r = read(s, buf, chunk);
        if (r <= 0)
            break;
        size_t n = (size_t)r;
        if (off + n > (size_t)b->a.size)
            off = 0;
        memcpy(msg + off, buf, n);
        off += n;
        got += (uint64_t)r;
    }
    double t1 = now_s(), c1 = cpu_s();
    waitpid(pid, NULL, 0);
    free(msg);
    free(buf);
    close(s);
    close(ls);
    if (got != total)
        return -1;
    printf("BENCH mode=loopback bytes=%llu gb_per_s=%.3f cpu_s_per_gb=%.4f\n",
           (unsigned long long)total, (double)total / 1e9 / (t1 - t0),
           (c1 - c0) / ((double)total / 1e9));
    return 0;
}

static int run_measured(struct bench *b)
{
    uint64_t rcall = 0;

    if (b->a.warmup && run_calls(b, b->a.warmup, b->a.inflight) != 0)
        return -1;
    if (b->a.restore && start_restore(b, &rcall) != 0)
        return -1;
    b->bytes = 0;
    malloc_trim(0);
    double c0 = cpu_s(), t0 = now_s();
    long rss0 = rss_bytes();
    if (run_calls(b, b->a.calls, b->a.inflight) != 0)
        return -1;
    double c1 = cpu_s(), t1 = now_s();
    long rss1 = rss_bytes();
    if (b->a.restore) {
        if (restore_done) {
            fprintf(stderr, "restore await ended early: %s\n", milvus_strerror(restore_status));
            return -1;
        }
        milvus_client_cancel(b->cl, rcall);
        event_base_loop(b->base, EVLOOP_NONBLOCK);
        if (!restore_done || restore_status != MILVUS_ERR_CANCELLED) {
            fprintf(stderr, "restore await did not end with CANCELLED\n");
            return -1;
        }
    }
    qsort(b->lat, (size_t)b->nlat, sizeof *b->lat, cmp_double);
    double cpu = c1 - c0, wall = t1 - t0, n = (double)b->a.calls;
    printf("BENCH mode=%s inflight=%ld calls=%ld cpu_us_per_call=%.3f wall_s=%.3f "
           "calls_per_s=%.0f p50_us=%.1f p90_us=%.1f p99_us=%.1f lost=0 duplicated=%ld "
           "rss_growth_kib=%ld",
           b->a.mode, b->a.inflight, b->a.calls, cpu * 1e6 / n, wall, n / wall, pct(b, 0.5),
           pct(b, 0.9), pct(b, 0.99), b->duplicates, (rss1 - rss0) / 1024);
    if (strcmp(b->a.mode, "insert") == 0) {
        /* payload: the float vectors and int64 ids of every call */
        double gb = n * (double)b->a.rows * (DIM * 4.0 + 8.0) / 1e9;
        printf(" cpu_s_per_gb=%.4f gb_per_s=%.3f", cpu / gb, gb / wall);
    }
    if (strcmp(b->a.mode, "large") == 0)
        printf(" gb_per_s=%.3f cpu_s_per_gb=%.4f", (double)b->bytes / 1e9 / wall,
               cpu / ((double)b->bytes / 1e9));
    if (b->a.restore)
        printf(" restore_polls=%ld", restore_progress_calls);
    printf(" checksum=%.0f\n", b->checksum);
    return 0;
}

static void usage(void)
{
    fprintf(stderr, "usage: mv_suite unary|mem|search|insert|large|loopback --port P "
                    "[--inflight N] [--calls M] [--warmup W] [--req-size B] [--path P] "
                    "[--delay-ms D] [--rows R] [--size B] [--restore 0|1]\n");
    exit(2);
}

static void parse(struct args *a, int argc, char **argv)
{
    *a = (struct args){.path = "/bench.Raw/Call", .inflight = 1, .calls = 20000,
                       .warmup = -1, .req_size = 100, .delay_ms = 3000, .rows = 10000,
                       .size = 100 << 20};
    if (argc < 2)
        usage();
    a->mode = argv[1];
    for (int i = 2; i + 1 < argc; i += 2) {
        const char *k = argv[i], *v = argv[i + 1];
        if (strcmp(k, "--port") == 0) a->port = atoi(v);
        else if (strcmp(k, "--inflight") == 0) a->inflight = atol(v);
        else if (strcmp(k, "--calls") == 0) a->calls = atol(v);
        else if (strcmp(k, "--warmup") == 0) a->warmup = atol(v);
        else if (strcmp(k, "--req-size") == 0) a->req_size = atol(v);
        else if (strcmp(k, "--path") == 0) a->path = v;
        else if (strcmp(k, "--delay-ms") == 0) a->delay_ms = atol(v);
        else if (strcmp(k, "--rows") == 0) a->rows = atol(v);
        else if (strcmp(k, "--size") == 0) a->size = atol(v);
        else if (strcmp(k, "--restore") == 0) a->restore = atoi(v);
        else usage();
    }
    if (a->warmup < 0)
        a->warmup = a->calls / 10 > a->inflight ? a->calls / 10 : a->inflight;
    if (a->inflight <= 0 || a->calls <= 0 || a->rows <= 0 || a->size <= 0 || a->req_size < 0)
        usage();
}

int main(int argc, char **argv)
{
    static struct bench bench;
    struct bench *b = &bench;
    milvus_options *opts;
    int rc = 1, typed;

    parse(&b->a, argc, argv);
    g_bench = b;
    signal(SIGPIPE, SIG_IGN);
    if (strcmp(b->a.mode, "loopback") == 0)
        return mode_loopback(b) == 0 ? 0 : 1;
    if (b->a.port <= 0)
        usage();
    typed = strcmp(b->a.mode, "search") == 0 || strcmp(b->a.mode, "insert") == 0;
    if (!typed && strcmp(b->a.mode, "unary") && strcmp(b->a.mode, "mem") &&
        strcmp(b->a.mode, "large"))
        usage();

    b->base = event_base_new();
    opts = milvus_options_new();
    if (b->base == NULL || opts == NULL ||
        milvus_options_set_address(opts, "127.0.0.1", b->a.port) != MILVUS_OK ||
        milvus_options_set_max_pending(opts, (size_t)b->a.inflight + 64) != MILVUS_OK) {
        fprintf(stderr, "setup failed\n");
        return 1;
    }
    if (typed) {
        if (setup_client(b, opts) != 0) {
            fprintf(stderr, "client setup failed\n");
            goto out;
        }
    } else if (milvus_channel_new(&b->ch, b->base, opts) != MILVUS_OK) {
        fprintf(stderr, "channel setup failed\n");
        goto out;
    }
    if (strcmp(b->a.mode, "mem") == 0) {
        rc = mode_mem(b) == 0 ? 0 : 1;
        goto out;
    }
    b->req_len = (size_t)b->a.req_size;
    b->req = calloc(1, b->req_len + 1);
    if (b->req == NULL)
        goto out;
    if (strcmp(b->a.mode, "large") == 0 && b->a.warmup > 2)
        b->a.warmup = 1;
    rc = run_measured(b) == 0 ? 0 : 1;
out:
    milvus_options_free(opts);
    milvus_search_options_free(b->so);
    milvus_column_free((milvus_column *)b->cols[0]);
    milvus_column_free((milvus_column *)b->cols[1]);
    free(b->idv);
    free(b->vecs);
    milvus_client_free(b->cl);
    milvus_channel_free(b->ch);
    if (b->base)
        event_base_free(b->base);
    if (strcmp(b->a.mode, "mem") != 0)
        free(b->req);
    free(b->seen);
    free(b->t_sub);
    free(b->lat);
    return rc;
}
