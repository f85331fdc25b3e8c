/* SPDX-License-Identifier: Apache-2.0 */
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
 *   mv_suite search --port P --inflight N --calls M [--restore 1 | --rounds K]
 *       typed Search (1 query, dim 768, topk 100, 3 output fields) with every
 *       hit's id, score and output fields read through the accessors.
 *       --restore 1 keeps a snapshot-restore await polling on the same loop
 *       during the measured stream.  --rounds K alternates K times a round
 *       of M searches without the await (A) and one with it (B), A B A B
 *       ..., so that both see the same machine load; it reports the median
 *       and min-max of the per-round p99s of each, and checks that the await
 *       polled during every B window.
 *   mv_suite insert --port P --inflight N --calls M [--rows R] [--zero-copy]
 *       typed Insert of R rows (int64 id + 768-dim float vector) per call;
 *       client CPU per GB of request and GB/s.  --zero-copy sends the
 *       columns from the caller's buffers (milvus_write_options_set_zero_copy)
 *       instead of copying them into the request.
 *   mv_suite large  --port P --calls M --size B
 *       unary calls whose response is B bytes (the grpc-go peer's
 *       /bench.Raw/ canned reply); GB/s.
 *   mv_suite loopback --size B --calls M [--writer-cpu C]
 *       the anchor for `large`: B bytes over a plain loopback TCP socket per
 *       round (a child process writes, this one reads and assembles each
 *       message in one buffer), GB/s.  --writer-cpu C runs the writer on
 *       CPU C (where the servers run), so that writer and reader use two
 *       CPUs as server and client do in `large`.
 *
 * Output: one line "BENCH key=value ..." per run (lists of per-round values
 * are joined by '/').  Any failed call makes the run exit 1.
 */
#define _GNU_SOURCE /* sched_setaffinity */
#include "config.h"

#include <arpa/inet.h>
#include <malloc.h>
#include <netinet/in.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <event2/event.h>

#include <milvus/channel.h>
#include <milvus/client.h>
#include <milvus/snapshot.h>

#include "../driver.h"

#define DIM 768
#define TOPK 100

struct args {
    const char *mode;
    const char *path;
    int port;
    long inflight, calls, warmup, req_size, delay_ms, rows, size, rounds;
    int restore, zero_copy, writer_cpu;
};

struct bench {
    struct mv_drv d; /* keeps the calls in flight (../driver.h) */
    struct args a;
    struct event_base *base;
    milvus_channel *ch;
    milvus_client *cl;
    milvus_search_options *so;
    milvus_write_options *wo; /* insert: NULL (copying) or zero-copy */
    const milvus_column *cols[2];
    int64_t *idv; /* insert: the caller's buffers behind cols */
    float *vecs;
    uint8_t *req;
    double checksum;
};

static struct bench *g_bench; /* the one benchmark of this process */

static double now_s(void)
{
    return mv_now_s();
}

static double cpu_s(void)
{
    double u, s;

    mv_cpu_s(&u, &s);
    return u + s;
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
    const char *bad = NULL;

    (void)c;
    if (milvus_result_status(res) != MILVUS_OK)
        bad = milvus_result_message(res);
    else if (strcmp(b->a.mode, "search") == 0 && touch_search(b, res) != 0)
        bad = "search result lacks the expected hits or fields";
    else if (strcmp(b->a.mode, "insert") == 0 &&
             (milvus_result_insert_count(res) != b->a.rows ||
              milvus_column_rows(milvus_result_ids(res)) != (size_t)b->a.rows))
        bad = "insert result lacks the ids";
    mv_drv_complete(&b->d, ctx, bad == NULL, bad);
}

/* typed calls (search, insert) for the driver */
static int submit_typed(struct mv_drv *d, void *ctx)
{
    struct bench *b = g_bench;
    int rc;

    (void)d;
    if (strcmp(b->a.mode, "search") == 0)
        rc = milvus_client_search(b->cl, "bench", b->so, on_result, ctx);
    else
        rc = milvus_client_insert(b->cl, "bench", b->cols, 2, b->wo, on_result, ctx);
    if (rc != MILVUS_OK)
        fprintf(stderr, "%s\n", milvus_client_last_error(b->cl));
    return rc;
}

static int run_calls(struct bench *b, long count, long inflight)
{
    return mv_drv_run(&b->d, count, inflight);
}

static int cmp_double(const void *x, const void *y)
{
    double a = *(const double *)x, c = *(const double *)y;

    return a < c ? -1 : a > c;
}

/* ---- snapshot restore await, polling beside the search stream ---------- */

/* The await polls every POLL_MS, so that it really competes with the
 * searches.  The canned server answers the polls with a job whose progress
 * changes on every poll, so the progress callback sees each poll answer. */
#define POLL_MS 10

static struct restore {
    uint64_t call;
    int done, status;
    int wait_poll; /* break the loop at the next poll answer */
    int timed_out;
    double win0;      /* start of the measured window; 0 outside one */
    double last;      /* time of the last poll answer */
    long polls;       /* poll answers inside measured windows */
    long round_polls; /* ... inside the current window */
    long min_round_polls;
    double max_gap; /* longest stretch of a window without a poll answer */
} rs = {.min_round_polls = -1};

static void on_restore(milvus_client *c, const milvus_result *res, void *ctx)
{
    (void)c;
    (void)ctx;
    rs.done = 1;
    rs.status = milvus_result_status(res);
}

static void note_poll_gap(double t)
{
    double from = rs.last > rs.win0 ? rs.last : rs.win0;

    if (t - from > rs.max_gap)
        rs.max_gap = t - from;
}

static void on_restore_progress(milvus_client *c, int64_t progress, const milvus_result *res,
                                void *ctx)
{
    struct bench *b = ctx;
    double t = now_s();

    (void)c;
    (void)progress;
    (void)res;
    if (rs.win0 > 0) {
        note_poll_gap(t);
        rs.polls++;
        rs.round_polls++;
    }
    rs.last = t;
    if (rs.wait_poll) {
        rs.wait_poll = 0;
        event_base_loopbreak(b->base);
    }
}

static void on_poll_timeout(evutil_socket_t fd, short what, void *ctx)
{
    struct bench *b = ctx;

    (void)fd;
    (void)what;
    rs.timed_out = 1;
    event_base_loopbreak(b->base);
}

/* Starts RestoreSnapshot + await and runs the loop until the first poll has
 * been answered: the await is then in its polling phase. */
static int restore_begin(struct bench *b)
{
    milvus_await_options *ao = milvus_await_options_new();
    struct timeval limit = {5, 0};
    struct event *tmo = evtimer_new(b->base, on_poll_timeout, b);
    int rc = MILVUS_ERR_NOMEM;

    rs.done = rs.timed_out = 0;
    rs.win0 = 0;
    if (ao != NULL && tmo != NULL) {
        milvus_await_options_set_interval(ao, POLL_MS, POLL_MS, 1.0);
        milvus_await_options_set_progress(ao, on_restore_progress, b);
        rc = milvus_client_restore_snapshot_and_wait(b->cl, "bench", "snap", "bench_restored", NULL,
                                                     ao, on_restore, NULL);
    }
    milvus_await_options_free(ao);
    if (rc != MILVUS_OK) {
        fprintf(stderr, "restore: %s\n", b->cl ? milvus_client_last_error(b->cl) : "no memory");
        if (tmo)
            event_free(tmo);
        return -1;
    }
    rs.call = milvus_client_last_call(b->cl);
    rs.wait_poll = 1;
    evtimer_add(tmo, &limit);
    event_base_dispatch(b->base);
    event_free(tmo);
    if (rs.wait_poll || rs.timed_out || rs.done) {
        fprintf(stderr, "restore await: no poll answered within 5 s (%s)\n",
                rs.done ? milvus_strerror(rs.status) : "still waiting");
        return -1;
    }
    return 0;
}

/* Ends the measured window at t: checks that the await polled in it and is
 * still waiting, then cancels it. */
static int restore_end(struct bench *b, double t)
{
    note_poll_gap(t);
    rs.win0 = 0;
    if (rs.min_round_polls < 0 || rs.round_polls < rs.min_round_polls)
        rs.min_round_polls = rs.round_polls;
    if (rs.done) {
        fprintf(stderr, "restore await ended early: %s\n", milvus_strerror(rs.status));
        return -1;
    }
    if (rs.round_polls == 0) {
        fprintf(stderr, "restore await: no poll answered during the measured window\n");
        return -1;
    }
    milvus_client_cancel(b->cl, rs.call);
    for (int i = 0; i < 100 && !rs.done; i++)
        event_base_loop(b->base, EVLOOP_NONBLOCK);
    if (!rs.done || rs.status != MILVUS_ERR_CANCELLED) {
        fprintf(stderr, "restore await did not end with CANCELLED\n");
        return -1;
    }
    return 0;
}

/* Opens a measured window (polls are counted from t on). */
static void restore_window(double t)
{
    rs.win0 = t;
    rs.round_polls = 0;
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
    /* zero-copy: the wrapped buffers stay valid and unchanged until the
     * program ends, longer than any write's callback */
    if (b->a.zero_copy && ((b->wo = milvus_write_options_new()) == NULL ||
                           milvus_write_options_set_zero_copy(b->wo, 1) != MILVUS_OK))
        return -1;
    return 0;
}

static int mode_mem(struct bench *b)
{
    struct mv_drv_mem m;

    if (mv_drv_mem_run(&b->d, b->a.inflight, b->a.delay_ms, 16, &m) != 0)
        return -1;
    printf("BENCH mode=mem inflight=%ld rss_bytes_per_call=%.0f heap_bytes_per_call=%.0f "
           "req_bytes=%zu rss_base_kib=%ld wall_s=%.3f\n",
           b->a.inflight, m.rss_per_call, m.heap_per_call, m.req_bytes, m.rss_base / 1024,
           m.wall_s);
    return 0;
}

static int mode_loopback(struct bench *b)
{
    struct sockaddr_in sa = {.sin_family = AF_INET};
    socklen_t sl = sizeof sa;
    int ls = socket(AF_INET, SOCK_STREAM, 0), s;
    size_t chunk = 1 << 20;
    char *buf = malloc(chunk);
    /* one untimed round first, as `large` makes one warm-up call: the
     * message buffer's pages are then faulted in, as a reused one's are */
    uint64_t warm = (uint64_t)b->a.size;
    uint64_t total = warm + (uint64_t)b->a.size * (uint64_t)b->a.calls, got = 0;
    pid_t pid;

    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (ls < 0 || buf == NULL || bind(ls, (struct sockaddr *)&sa, sizeof sa) != 0 ||
        listen(ls, 1) != 0 || getsockname(ls, (struct sockaddr *)&sa, &sl) != 0)
        return -1;
    memset(buf, 0x5a, chunk);
    pid = fork();
    if (pid < 0)
        return -1;
    if (pid == 0) {
        int c = socket(AF_INET, SOCK_STREAM, 0);
        uint64_t sent = 0;
        if (b->a.writer_cpu >= 0) {
            /* the writer plays the server: on the servers' CPU, not on the
             * client's one it inherited */
            cpu_set_t set;
            CPU_ZERO(&set);
            CPU_SET((size_t)b->a.writer_cpu, &set);
            if (sched_setaffinity(0, sizeof set, &set) != 0)
                _exit(3);
        }
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
    double t0 = 0, c0 = 0;
    int timing = 0;
    /* the reader copies each chunk once more, as a client assembling a
     * message would */
    char *msg = malloc((size_t)b->a.size);
    size_t off = 0;
    while (got < total && msg) {
        if (!timing && got >= warm) {
            t0 = now_s();
            c0 = cpu_s();
            timing = 1;
        }
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
    int wst = 0;
    waitpid(pid, &wst, 0);
    free(msg);
    free(buf);
    close(s);
    close(ls);
    if (!WIFEXITED(wst) || WEXITSTATUS(wst) != 0) {
        fprintf(stderr, "loopback writer failed (status %d%s)\n", WEXITSTATUS(wst),
                WEXITSTATUS(wst) == 3 ? ": cannot run on the --writer-cpu" : "");
        return -1;
    }
    if (got != total || !timing)
        return -1;
    /* cpu_s_per_gb: the reader's (client's) CPU only, as for `large` */
    double gb = (double)(total - warm) / 1e9;
    printf("BENCH mode=loopback bytes=%llu writer_cpu=%d gb_per_s=%.3f cpu_s_per_gb=%.4f\n",
           (unsigned long long)(total - warm), b->a.writer_cpu, gb / (t1 - t0), (c1 - c0) / gb);
    return 0;
}

static int run_measured(struct bench *b)
{
    if (b->a.warmup && run_calls(b, b->a.warmup, b->a.inflight) != 0)
        return -1;
    if (b->a.restore && restore_begin(b) != 0)
        return -1;
    b->d.bytes = 0;
    malloc_trim(0);
    double c0 = cpu_s(), t0 = now_s();
    long rss0 = mv_rss_bytes();
    if (b->a.restore)
        restore_window(t0);
    if (run_calls(b, b->a.calls, b->a.inflight) != 0)
        return -1;
    double c1 = cpu_s(), t1 = now_s();
    long rss1 = mv_rss_bytes();
    if (b->a.restore && restore_end(b, t1) != 0)
        return -1;
    mv_drv_sort(&b->d);
    double cpu = c1 - c0, wall = t1 - t0, n = (double)b->a.calls;
    printf("BENCH mode=%s inflight=%ld calls=%ld cpu_us_per_call=%.3f wall_s=%.3f "
           "calls_per_s=%.0f p50_us=%.1f p90_us=%.1f p99_us=%.1f lost=0 duplicated=%ld "
           "rss_growth_kib=%ld",
           b->a.mode, b->a.inflight, b->a.calls, cpu * 1e6 / n, wall, n / wall,
           mv_drv_pct(&b->d, 0.5), mv_drv_pct(&b->d, 0.9), mv_drv_pct(&b->d, 0.99), b->d.duplicates,
           (rss1 - rss0) / 1024);
    if (strcmp(b->a.mode, "insert") == 0) {
        /* payload: the float vectors and int64 ids of every call */
        double gb = n * (double)b->a.rows * (DIM * 4.0 + 8.0) / 1e9;
        printf(" cpu_s_per_gb=%.4f gb_per_s=%.3f", cpu / gb, gb / wall);
    }
    if (strcmp(b->a.mode, "large") == 0)
        printf(" gb_per_s=%.3f cpu_s_per_gb=%.4f", (double)b->d.bytes / 1e9 / wall,
               cpu / ((double)b->d.bytes / 1e9));
    if (strcmp(b->a.mode, "insert") == 0)
        printf(" zero_copy=%d", b->a.zero_copy);
    if (b->a.restore)
        printf(" restore_polls=%ld restore_max_gap_ms=%.1f", rs.polls, rs.max_gap * 1e3);
    printf(" checksum=%.0f\n", b->checksum);
    return 0;
}

static double median(const double *v, long n, double *min, double *max)
{
    double *c = malloc((size_t)n * sizeof *c), m;

    if (c == NULL || n == 0) {
        free(c);
        *min = *max = 0;
        return 0;
    }
    memcpy(c, v, (size_t)n * sizeof *c);
    qsort(c, (size_t)n, sizeof *c, cmp_double);
    m = (n % 2) ? c[n / 2] : (c[n / 2 - 1] + c[n / 2]) / 2;
    *min = c[0];
    *max = c[n - 1];
    free(c);
    return m;
}

static void print_list(const char *key, const double *v, long n)
{
    printf(" %s=", key);
    for (long i = 0; i < n; i++)
        printf("%s%.1f", i ? "/" : "", v[i]);
}

/* search --rounds K: K times a round without the restore await (A), then
 * one with it (B); the same calls and depth in every round.  Alternating
 * short rounds puts both under the same machine load, and the median of the
 * per-round p99s ignores the odd round a neighbour disturbed. */
static int run_rounds(struct bench *b)
{
    long k = b->a.rounds;
    double *p99 = calloc((size_t)k * 2, sizeof *p99), *p50 = calloc((size_t)k * 2, sizeof *p50);
    double cpu[2] = {0, 0}, lo[2], hi[2], med[2], m50[2], x, y;
    int rc = -1;

    if (p99 == NULL || p50 == NULL)
        goto out;
    if (b->a.warmup && run_calls(b, b->a.warmup, b->a.inflight) != 0)
        goto out;
    for (long i = 0; i < k; i++) {
        for (int with = 0; with < 2; with++) {
            if (with && restore_begin(b) != 0)
                goto out;
            double c0 = cpu_s(), t0 = now_s();
            if (with)
                restore_window(t0);
            if (run_calls(b, b->a.calls, b->a.inflight) != 0)
                goto out;
            double t1 = now_s();
            cpu[with] += cpu_s() - c0;
            if (with && restore_end(b, t1) != 0)
                goto out;
            mv_drv_sort(&b->d);
            p99[with * k + i] = mv_drv_pct(&b->d, 0.99);
            p50[with * k + i] = mv_drv_pct(&b->d, 0.5);
        }
    }
    for (int w = 0; w < 2; w++) {
        med[w] = median(p99 + w * k, k, &lo[w], &hi[w]);
        m50[w] = median(p50 + w * k, k, &x, &y);
    }
    printf("BENCH mode=search_ab inflight=%ld rounds=%ld calls_per_round=%ld searches_a=%ld "
           "searches_b=%ld p99_us_a=%.1f p99_us_a_min=%.1f p99_us_a_max=%.1f p99_us_b=%.1f "
           "p99_us_b_min=%.1f p99_us_b_max=%.1f p50_us_a=%.1f p50_us_b=%.1f "
           "cpu_us_per_call_a=%.3f cpu_us_per_call_b=%.3f restore_polls=%ld "
           "restore_min_polls_per_round=%ld restore_max_gap_ms=%.1f",
           b->a.inflight, k, b->a.calls, k * b->a.calls, k * b->a.calls, med[0], lo[0], hi[0],
           med[1], lo[1], hi[1], m50[0], m50[1], cpu[0] * 1e6 / (double)(k * b->a.calls),
           cpu[1] * 1e6 / (double)(k * b->a.calls), rs.polls, rs.min_round_polls, rs.max_gap * 1e3);
    print_list("p99_rounds_a", p99, k);
    print_list("p99_rounds_b", p99 + k, k);
    printf(" duplicated=%ld checksum=%.0f\n", b->d.duplicates, b->checksum);
    rc = 0;
out:
    free(p99);
    free(p50);
    return rc;
}

static void usage(void)
{
    fprintf(stderr, "usage: mv_suite unary|mem|search|insert|large|loopback --port P "
                    "[--inflight N] [--calls M] [--warmup W] [--req-size B] [--path P] "
                    "[--delay-ms D] [--rows R] [--size B] [--restore 0|1] [--rounds K] "
                    "[--zero-copy] [--writer-cpu C]\n");
    exit(2);
}

static void parse(struct args *a, int argc, char **argv)
{
    *a = (struct args){.path = "/bench.Raw/Call",
                       .inflight = 1,
                       .calls = 20000,
                       .warmup = -1,
                       .req_size = 100,
                       .delay_ms = 3000,
                       .rows = 10000,
                       .size = 100 << 20,
                       .writer_cpu = -1};
    if (argc < 2)
        usage();
    a->mode = argv[1];
    for (int i = 2; i < argc; i += 2) {
        const char *k = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (strcmp(k, "--zero-copy") == 0) {
            a->zero_copy = 1;
            i--; /* a flag: no value */
            continue;
        }
        if (v == NULL)
            usage();
        if (strcmp(k, "--port") == 0)
            a->port = atoi(v);
        else if (strcmp(k, "--inflight") == 0)
            a->inflight = atol(v);
        else if (strcmp(k, "--calls") == 0)
            a->calls = atol(v);
        else if (strcmp(k, "--warmup") == 0)
            a->warmup = atol(v);
        else if (strcmp(k, "--req-size") == 0)
            a->req_size = atol(v);
        else if (strcmp(k, "--path") == 0)
            a->path = v;
        else if (strcmp(k, "--delay-ms") == 0)
            a->delay_ms = atol(v);
        else if (strcmp(k, "--rows") == 0)
            a->rows = atol(v);
        else if (strcmp(k, "--size") == 0)
            a->size = atol(v);
        else if (strcmp(k, "--restore") == 0)
            a->restore = atoi(v);
        else if (strcmp(k, "--rounds") == 0)
            a->rounds = atol(v);
        else if (strcmp(k, "--writer-cpu") == 0)
            a->writer_cpu = atoi(v);
        else
            usage();
    }
    if (a->warmup < 0)
        a->warmup = a->calls / 10 > a->inflight ? a->calls / 10 : a->inflight;
    if (a->inflight <= 0 || a->calls <= 0 || a->rows <= 0 || a->size <= 0 || a->req_size < 0 ||
        a->rounds < 0 || (a->rounds && (a->restore || strcmp(a->mode, "search") != 0)) ||
        (a->zero_copy && strcmp(a->mode, "insert") != 0))
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
    b->d.base = b->base;
    b->d.ch = b->ch;
    b->d.submit = typed ? submit_typed : NULL;
    if (strcmp(b->a.mode, "mem") == 0) {
        rc = mode_mem(b) == 0 ? 0 : 1;
        goto out;
    }
    b->d.path = b->a.path;
    b->d.req_len = (size_t)b->a.req_size;
    b->d.req = b->req = calloc(1, b->d.req_len + 1);
    if (b->req == NULL)
        goto out;
    if (strcmp(b->a.mode, "large") == 0 && b->a.warmup > 2)
        b->a.warmup = 1;
    rc = (b->a.rounds ? run_rounds(b) : run_measured(b)) == 0 ? 0 : 1;
out:
    milvus_options_free(opts);
    milvus_search_options_free(b->so);
    milvus_write_options_free(b->wo);
    milvus_column_free((milvus_column *)b->cols[0]);
    milvus_column_free((milvus_column *)b->cols[1]);
    free(b->idv);
    free(b->vecs);
    milvus_client_free(b->cl);
    milvus_channel_free(b->ch);
    if (b->base)
        event_base_free(b->base);
    free(b->req);
    mv_drv_free(&b->d);
    return rc;
}
