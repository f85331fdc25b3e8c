/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Allocation failure along whole calls.
 *
 * A scenario is run once with nothing failing, which numbers its
 * allocations 1..N (see failmalloc.h for which are counted), then once
 * more for every n in 1..N with the n-th allocation failing.  Each run is
 * a fresh process (fork) with its own event_base, options and channel or
 * client, so nothing carries over from one run to the next, and a crash
 * is a failed run rather than a dead test.  A run passes when
 *  - every operation either returned an error from its submitting
 *    function (MILVUS_ERR_NOMEM, and then its callback never ran) or had
 *    its callback called exactly once, with MILVUS_OK (the library got
 *    over the failure) or a clean error: MILVUS_ERR_NOMEM, or for a
 *    failure that cost the connection MILVUS_ERR_CONNECT or
 *    MILVUS_ERR_DISCONNECTED; the scenario stops at the first error;
 *  - every result of a successful operation is complete and right (hits
 *    and rows read one by one);
 *  - no callback is missing after 10 s, none comes twice, and after
 *    teardown no event is left on the base (its loop would return);
 *  - every block allocated during the run was freed by teardown (exact:
 *    the counter tracks each block), and the process neither crashed nor
 *    tripped a sanitizer;
 *  - without an injected failure nothing failed at all.
 *
 * Scenarios
 *   channel  the raw channel against the in-process HTTP/2 test server
 *            (tests/transport/h2_test_server.c, run in a process of its
 *            own so that its allocations are not counted): options,
 *            channel, a unary call with call options and metadata, a
 *            server-streaming call of three messages, a 256 KiB unary
 *            echo (shared request buffer, flow control, large receive
 *            buffer), with DEBUG logging on; then with every allocation
 *            from the n-th on failing, too.
 *   client   the typed API against tests/server (node): options, client,
 *            Connect, DescribeCollection, a schema built and a collection
 *            created, an insert that fetches the schema first, a search
 *            reading every hit and output field, a query reading every
 *            row, a drop.  Every allocation is failed once, except that in
 *            a stretch of consecutive allocations from one call site (the
 *            strings and repeated fields of one decoded message) only the
 *            first FM_RUN_HEAD and the last one are failed, with every
 *            FM_RUN_STRIDE-th in between (deterministic).
 *
 * Environment: FM_ONLY=n runs only that n (every scenario); FM_NO_KNOWN=1
 * fails the known failures too; FM_TRACE=seq adds the call stack of
 * allocation seq to a leak report.  Under valgrind (make check-valgrind)
 * every FM_VALGRIND_STRIDE-th n is run.
 *
 * Failures the library does not handle yet are listed in `known` below by
 * the function that made the failing allocation: they are reported, not
 * failed.
 */
#define _GNU_SOURCE
#include "config.h"

#include <criterion/criterion.h>

#include <errno.h>
#include <execinfo.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <event2/event.h>
#include <event2/event_struct.h>
#include <nghttp2/nghttp2.h>

#include <milvus/milvus.h>
#include <milvus/channel.h>

#include "failmalloc.h"
#include "h2_test_server.h"
#include "server_fixture.h"

FIXTURE_SERVER_FLAGS("--index-ms", "20", "--load-ms", "20");

#define FM_RUN_HEAD 3
#define FM_RUN_STRIDE 8
#define FM_VALGRIND_STRIDE 25
#define FM_WAIT_MS 10000  /* a callback later than this is a hang */
#define FM_RUN_SECONDS 60 /* a run still going then is killed */

/* ---- known failures ------------------------------------------------------------------
 * A run that fails a check, whose failing allocation was made in `site`
 * (a function on the allocation's call stack) and whose complaint
 * contains `symptom`, is reported as known instead of failed. */
typedef struct known_bug {
    const char *scenario; /* NULL: any */
    const char *site;
    const char *symptom;
    int nghttp2_below; /* only with an older nghttp2 (version_num); 0: any */
    const char *reason;
} known_bug;

static const known_bug known[] = {
    {NULL, "nghttp2_submit_data", "before its end", 0x013d00,
     "nghttp2 before 1.61 frees the DATA item of a request still attached to its stream when "
     "queueing it fails, then frees it again with the session"},
    {NULL, NULL, NULL, 0, ""}, /* end */
};
#define NKNOWN ((int)(sizeof(known) / sizeof(known[0])) - 1)

/* Allocations the library keeps for the life of the process, by the
 * function that makes them: not leaks. */
static const char *const process_lifetime[] = {
    "nghttp2_session_callbacks_new", /* h2_callbacks() in conn.c: built once */
};

/* ---- one run ------------------------------------------------------------------------- */

typedef struct report {
    int finished; /* the run got to its end */
    int bug;      /* a check failed */
    int known;    /* index in known[], or -1 */
    int fired;    /* the failure was injected */
    long count;   /* allocations counted */
    char ended[160];
    char text[1536];
    char site[768];
    char crash[512]; /* where a fatal signal came */
} report;

typedef struct waiter {
    const char *step;
    int submitted;
    int calls;
    int status;
    char msg[200];
} waiter;

typedef struct run {
    const char *scenario;
    report *rep;
    struct event_base *base;
    int stop;
    waiter w[16];
    int nw;
    struct event deadline;
    int expired;
    /* calls not completed yet on the channel or client under test */
    size_t (*pending)(const void *handle);
    const void *handle;
} run;

static report *shared_rep;  /* MAP_SHARED: written by the run's process */
static void **shared_sites; /* caller of each allocation of the clean run */
#define FM_SITES_MAX 200000
static const char *cur_scenario;

static void site_text(char *buf, size_t len)
{
    fm_stack_text(fm_fired_stack(), 10, buf, len);
}

static void bug(run *R, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void bug(run *R, const char *fmt, ...)
{
    va_list ap;
    size_t l = strlen(R->rep->text);
    R->stop = 1;
    if (R->rep->bug)
        return; /* the first complaint is the one that counts */
    R->rep->bug = 1;
    va_start(ap, fmt);
    vsnprintf(R->rep->text + l, sizeof(R->rep->text) - l, fmt, ap);
    va_end(ap);
}

static const char *status_name(int st)
{
    switch (st) {
    case MILVUS_OK: return "MILVUS_OK";
    case MILVUS_ERR_INVALID_ARGUMENT: return "MILVUS_ERR_INVALID_ARGUMENT";
    case MILVUS_ERR_NOMEM: return "MILVUS_ERR_NOMEM";
    case MILVUS_ERR_BUSY: return "MILVUS_ERR_BUSY";
    case MILVUS_ERR_CLOSED: return "MILVUS_ERR_CLOSED";
    case MILVUS_ERR_TOO_LARGE: return "MILVUS_ERR_TOO_LARGE";
    case MILVUS_ERR_RESOLVE: return "MILVUS_ERR_RESOLVE";
    case MILVUS_ERR_CONNECT: return "MILVUS_ERR_CONNECT";
    case MILVUS_ERR_TLS: return "MILVUS_ERR_TLS";
    case MILVUS_ERR_PROTOCOL: return "MILVUS_ERR_PROTOCOL";
    case MILVUS_ERR_DISCONNECTED: return "MILVUS_ERR_DISCONNECTED";
    case MILVUS_ERR_TIMEOUT: return "MILVUS_ERR_TIMEOUT";
    case MILVUS_ERR_CANCELLED: return "MILVUS_ERR_CANCELLED";
    case MILVUS_ERR_GRPC: return "MILVUS_ERR_GRPC";
    case MILVUS_ERR_SERVER: return "MILVUS_ERR_SERVER";
    default: return "unknown status";
    }
}

/* A submitting function's return: 1 to go on. */
static int step_rc(run *R, const char *step, int rc, const char *why)
{
    if (R->stop)
        return 0;
    if (rc == MILVUS_OK)
        return 1;
    if (!fm_fired())
        bug(R, "%s: %s without an injected failure (%s)", step, status_name(rc), why ? why : "");
    else if (rc != MILVUS_ERR_NOMEM)
        bug(R, "%s returned %s, not MILVUS_ERR_NOMEM (%s)", step, status_name(rc), why ? why : "");
    else
        snprintf(R->rep->ended, sizeof(R->rep->ended), "%s returned %s", step, status_name(rc));
    R->stop = 1;
    return 0;
}

/* A constructor's result: 1 to go on. */
static int step_ptr(run *R, const char *step, const void *p)
{
    return step_rc(R, step, p ? MILVUS_OK : MILVUS_ERR_NOMEM, "NULL");
}

/* Valgrind puts its preload library in the environment of the programs it
 * runs. */
static int under_valgrind(void)
{
    const char *p = getenv("LD_PRELOAD");
    return (p && strstr(p, "vgpreload")) ||
           (getenv("MILVUS_VALGRIND") && strcmp(getenv("MILVUS_VALGRIND"), "1") == 0);
}

/* Set in a run's process: every allocation from the n-th on fails. */
static int run_persist;

static int clean_error(int st)
{
    return st == MILVUS_ERR_NOMEM || st == MILVUS_ERR_CONNECT || st == MILVUS_ERR_DISCONNECTED ||
           (run_persist && st == MILVUS_ERR_TIMEOUT);
}

/* Call deadline: short when nothing can be allocated any more (a call
 * waiting for a connection that cannot be made ends at its deadline). */
static int64_t call_timeout_ms(void)
{
    if (!run_persist)
        return 5000;
    return under_valgrind() ? 3000 : 500;
}

static void quiet_log(int severity, const char *msg)
{
    (void)severity;
    (void)msg;
}

static waiter *waiter_new(run *R, const char *step)
{
    waiter *w = &R->w[R->nw++];
    memset(w, 0, sizeof(*w));
    w->step = step;
    return w;
}

static void deadline_cb(evutil_socket_t fd, short what, void *arg)
{
    run *R = arg;
    (void)fd;
    (void)what;
    R->expired = 1;
}

/* Runs the loop until w's callback ran; then judges its status: 1 to go
 * on.  rc is the submission's return. */
static int step_wait(run *R, waiter *w, int rc)
{
    struct timeval tv = {FM_WAIT_MS / 1000, (FM_WAIT_MS % 1000) * 1000};
    if (!step_rc(R, w->step, rc, NULL))
        return 0;
    w->submitted = 1;
    if (w->calls)
        bug(R, "%s: callback ran inside the submitting function", w->step);
    R->expired = 0;
    evtimer_assign(&R->deadline, R->base, deadline_cb, R);
    evtimer_add(&R->deadline, &tv);
    while (!w->calls && !R->expired && !(R->pending && R->pending(R->handle) == 0))
        event_base_loop(R->base, EVLOOP_ONCE);
    evtimer_del(&R->deadline);
    if (R->stop)
        return 0;
    if (!w->calls && !R->expired) {
        bug(R, "%s: completed without calling its callback", w->step);
        return 0;
    }
    if (!w->calls) {
        bug(R, "%s: no callback within %d ms", w->step, FM_WAIT_MS);
        return 0;
    }
    if (w->status == MILVUS_OK)
        return 1;
    if (!fm_fired())
        bug(R, "%s: %s without an injected failure: %s", w->step, status_name(w->status), w->msg);
    else if (!clean_error(w->status))
        bug(R, "%s: %s after the injected failure: %s", w->step, status_name(w->status), w->msg);
    else
        snprintf(R->rep->ended, sizeof(R->rep->ended), "%s: %s", w->step, status_name(w->status));
    R->stop = 1;
    return 0;
}

typedef struct left_events {
    int n;
    char first[160];
} left_events;

static int left_event(const struct event_base *b, const struct event *e, void *arg)
{
    left_events *l = arg;
    char name[128];
    (void)b;
    if (e->ev_evcallback.evcb_flags & EVLIST_INTERNAL) /* e.g. a common timeout's own timer */
        return 0;
    if (l->n++ == 0)
        snprintf(l->first, sizeof(l->first), "fd %d, events 0x%x, callback %s",
                 (int)event_get_fd(e), (unsigned)event_get_events(e),
                 fm_symbol((void *)((uintptr_t)event_get_callback(e) + 1), name, sizeof(name)));
    return 0;
}

/* After the scenario freed what it made: callbacks, events, blocks. */
static void run_finish(run *R)
{
    left_events left;
    memset(&left, 0, sizeof(left));
    for (int i = 0; i < R->nw; i++) {
        waiter *w = &R->w[i];
        if (w->calls > 1)
            bug(R, "%s: callback called %d times", w->step, w->calls);
        else if (w->submitted && !w->calls)
            bug(R, "%s: callback never called", w->step);
        else if (!w->submitted && w->calls)
            bug(R, "%s: callback of a refused submission", w->step);
    }
    event_base_loop(R->base, EVLOOP_NONBLOCK);
    event_base_foreach_event(R->base, left_event, &left);
    if (left.n)
        bug(R, "%d events left on the base after teardown (%s)", left.n, left.first);
    event_base_free(R->base);
    R->base = NULL;
    fm_disarm();
    for (size_t i = 0; i < sizeof(process_lifetime) / sizeof(process_lifetime[0]); i++)
        fm_forget(process_lifetime[i]);
    R->rep->count = fm_count();
    R->rep->fired = fm_fired();
    if (fm_live()) {
        char blocks[512] = "";
        FILE *f = fmemopen(blocks, sizeof(blocks), "w");
        if (f) {
            fm_print_live(f, 3);
            fclose(f);
        }
        bug(R, "%ld blocks allocated during the run were not freed:%s", fm_live(), blocks);
    }
}

/* Whether the site text "f1 <- f2 <- ..." names function fn. */
static int site_has(const char *site, const char *fn)
{
    size_t l = strlen(fn);
    for (const char *p = site; (p = strstr(p, fn)) != NULL; p += l)
        if ((p == site || p[-1] == ' ') && (p[l] == '\0' || p[l] == ' '))
            return 1;
    return 0;
}

static const known_bug *known_match(const char *scenario, const report *rep)
{
    if (getenv("FM_NO_KNOWN"))
        return NULL;
    for (int i = 0; i < NKNOWN; i++)
        if ((!known[i].scenario || strcmp(known[i].scenario, scenario) == 0) &&
            (!known[i].nghttp2_below || nghttp2_version(0)->version_num < known[i].nghttp2_below) &&
            site_has(rep->site, known[i].site) &&
            (!known[i].symptom || strstr(rep->text, known[i].symptom)))
            return &known[i];
    return NULL;
}

/* The failing allocation's place, kept where the parent reads it even if
 * the run then crashes or a sanitizer ends it. */
static void record_fired(void)
{
    shared_rep->fired = 1;
    site_text(shared_rep->site, sizeof(shared_rep->site));
}

static void on_fatal(int sig)
{
    report *rep = shared_rep;
    fm_stack here;
    here.n = backtrace(here.pc, FM_STACK_MAX);
    fm_stack_text(&here, 12, rep->crash, sizeof(rep->crash));
    rep->count = fm_count();
    signal(sig, SIG_DFL);
    raise(sig);
}

typedef void (*scenario_fn)(run *R);

/* Runs fn in a new process with allocation `at` failing (0: none; with
 * persist every later one too); the outcome lands in *out. */
static void run_one(scenario_fn fn, long at, int persist, report *out, int *signo)
{
    pid_t pid;
    int st = 0;
    memset(shared_rep, 0, sizeof(*shared_rep));
    shared_rep->known = -1;
    fflush(NULL);
    pid = fork();
    cr_assert_neq(pid, -1, "fork: %s", strerror(errno));
    if (pid == 0) {
        run R;
        memset(&R, 0, sizeof(R));
        R.scenario = cur_scenario;
        R.rep = shared_rep;
        run_persist = persist;
        event_set_log_callback(quiet_log);
        signal(SIGSEGV, on_fatal);
        signal(SIGBUS, on_fatal);
        signal(SIGABRT, on_fatal);
        signal(SIGALRM, on_fatal);
        signal(SIGPIPE, SIG_IGN);
        alarm(FM_RUN_SECONDS);
        R.base = event_base_new();
        if (!R.base)
            _exit(3);
        {
            /* the base's timer heap gets room before counting starts */
            struct event ev[8];
            struct timeval tv = {100, 0};
            for (int i = 0; i < 8; i++) {
                evtimer_assign(&ev[i], R.base, deadline_cb, &R);
                evtimer_add(&ev[i], &tv);
            }
            for (int i = 0; i < 8; i++)
                evtimer_del(&ev[i]);
        }
        fm_on_fire(record_fired);
        fm_arm(at, persist);
        fn(&R);
        run_finish(&R);
        if (R.rep->bug && R.rep->fired)
            site_text(R.rep->site, sizeof(R.rep->site));
        R.rep->finished = 1;
        fflush(NULL);
        /* Under valgrind a run's process ends without its leak check (an
         * exec of a program valgrind does not follow): the blocks of the
         * Criterion worker's threads, gone in the fork, would show as
         * lost; the run's own blocks were counted above. */
        if (under_valgrind())
            execl("/bin/true", "true", (char *)NULL);
        _exit(0);
    }
    while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
        ;
    *out = *shared_rep;
    *signo = WIFSIGNALED(st) ? WTERMSIG(st) : 0;
    if (!out->finished && !out->bug) {
        out->bug = 1;
        if (*signo == SIGALRM)
            snprintf(out->text, sizeof(out->text), "still running after %d s (killed)",
                     FM_RUN_SECONDS);
        else if (*signo)
            snprintf(out->text, sizeof(out->text), "killed before its end by signal %d (%s) at %s",
                     *signo, strsignal(*signo), out->crash[0] ? out->crash : "?");
        else
            snprintf(out->text, sizeof(out->text),
                     "exited with status %d before its end (a sanitizer's report?)",
                     WIFEXITED(st) ? WEXITSTATUS(st) : -1);
    }
    if (out->bug && out->fired) {
        const known_bug *k = known_match(cur_scenario, out);
        out->known = k ? (int)(k - known) : -1;
    }
}

/* ---- the driver --------------------------------------------------------------------- */

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* A line of the test's report: Criterion's log and stderr (a failure's
 * first lines also go into its assertion message, which TAP shows). */
static void note(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void note(const char *fmt, ...)
{
    char buf[2048];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof(buf), fmt, ap);
    va_end(ap);
    cr_log_info("%s", buf);
    fprintf(stderr, "%s\n", buf);
}

static long env_long(const char *name)
{
    const char *v = getenv(name);
    return v && *v ? strtol(v, NULL, 10) : 0;
}

/* Whether n is one of the allocations to fail: see "client" above. */
static int sampled(long n, long total, int sample)
{
    long head = n, tail = n;
    void *site;
    if (!sample || n > FM_SITES_MAX || !shared_sites[n - 1])
        return 1;
    site = shared_sites[n - 1];
    while (head > 1 && head - 1 <= FM_SITES_MAX && shared_sites[head - 2] == site)
        head--;
    while (tail < total && tail < FM_SITES_MAX && shared_sites[tail] == site)
        tail++;
    return n - head < FM_RUN_HEAD || tail - n < 1 || (n - head) % FM_RUN_STRIDE == 0;
}

/* Failed runs of one kind: the same complaint (numbers left out) about a
 * failing allocation made at the same place. */
typedef struct bug_group {
    char key[320];
    long count, first_n;
    int persist;
    char text[1536];
    char site[768];
} bug_group;
#define FM_GROUPS 64

typedef struct tally {
    long runs, ok, clean, known, bugs, unreached;
    int known_seen[64];
    bug_group g[FM_GROUPS];
    int ng;
} tally;

static void group_key(const report *r, char *key, size_t len)
{
    size_t o = 0;
    int frames = 0;
    for (const char *p = r->site; *p && o + 1 < len; p++) {
        if (p[0] == ' ' && p[1] == '<' && ++frames == 3)
            break;
        key[o++] = *p;
    }
    if (o + 1 < len)
        key[o++] = '|';
    for (const char *p = r->text; *p && o + 1 < len && p - r->text < 90; p++)
        if (*p < '0' || *p > '9')
            key[o++] = *p;
    key[o] = '\0';
}

static void tally_add(tally *t, long at, int persist, const report *r)
{
    char key[320];
    int i;
    t->runs++;
    if (!r->fired && at && r->finished && !r->bug) {
        t->unreached++;
        return;
    }
    if (r->bug && r->known >= 0) {
        t->known++;
        if (r->known < 64 && !t->known_seen[r->known]++)
            note("failmalloc %s: known (%s): n=%ld%s: %s [at %s]", cur_scenario,
                 known[r->known].reason, at, persist ? "+" : "", r->text, r->site);
        return;
    }
    if (r->bug) {
        t->bugs++;
        group_key(r, key, sizeof(key));
        for (i = 0; i < t->ng && strcmp(t->g[i].key, key) != 0; i++)
            ;
        if (i == t->ng && t->ng < FM_GROUPS) {
            bug_group *g = &t->g[t->ng++];
            snprintf(g->key, sizeof(g->key), "%s", key);
            snprintf(g->text, sizeof(g->text), "%s", r->text);
            snprintf(g->site, sizeof(g->site), "%s", r->site[0] ? r->site : "?");
            g->first_n = at;
            g->persist = persist;
        }
        if (i < t->ng)
            t->g[i].count++;
        return;
    }
    if (r->ended[0])
        t->clean++;
    else
        t->ok++;
}

static void tally_print(const tally *t)
{
    for (int i = 0; i < t->ng; i++)
        note("failmalloc %s: FAILED %ld run(s), first n=%ld%s: %s [at %s]", cur_scenario,
             t->g[i].count, t->g[i].first_n, t->g[i].persist ? "+" : "", t->g[i].text,
             t->g[i].site);
}

/* The clean run, then every (sampled) n; persist adds a second pass with
 * every allocation from n on failing. */
static void drive(const char *scenario, scenario_fn fn, int sample, int persist_pass)
{
    report r;
    static tally t, tp;
    long total, only = env_long("FM_ONLY"), stride = 1;
    int sig;
    double t0 = now_s();
    memset(&t, 0, sizeof(t));
    memset(&tp, 0, sizeof(tp));
    cur_scenario = scenario;
    shared_rep =
        mmap(NULL, sizeof(*shared_rep), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    shared_sites = mmap(NULL, FM_SITES_MAX * sizeof(void *), PROT_READ | PROT_WRITE,
                        MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    cr_assert_neq(shared_rep, MAP_FAILED);
    cr_assert_neq(shared_sites, MAP_FAILED);
    fm_trace_seq(env_long("FM_TRACE"));
    fm_record_sites(shared_sites, FM_SITES_MAX);
    run_one(fn, 0, 0, &r, &sig);
    fm_record_sites(NULL, 0);
    cr_assert(r.finished && !r.bug, "%s: the run without failures failed: %s", scenario, r.text);
    total = r.count;
    cr_assert_gt(total, 0);
    if (under_valgrind())
        stride = FM_VALGRIND_STRIDE;
    for (long n = 1; n <= total; n++) {
        if (only ? n != only : (n % stride != 0 && n != 1) || !sampled(n, total, sample))
            continue;
        for (int p = 0; p <= persist_pass; p++) {
            double t1 = now_s();
            run_one(fn, n, p, &r, &sig);
            tally_add(p ? &tp : &t, n, p, &r);
            if (now_s() - t1 > 1.0)
                note("failmalloc %s: n=%ld%s took %.1f s (%s%s)", scenario, n, p ? "+" : "",
                     now_s() - t1, r.ended[0] ? "ended: " : "",
                     r.ended[0] ? r.ended
                     : r.bug    ? r.text
                                : "got over it");
        }
    }
    {
        char persisted[256] = "";
        if (persist_pass)
            snprintf(persisted, sizeof(persisted),
                     "; %ld runs failing all from n: %ld got over it, %ld ended cleanly, %ld "
                     "known, %ld failed",
                     tp.runs, tp.ok, tp.clean, tp.known, tp.bugs);
        note("failmalloc %s: N=%ld allocations (counted: libmilvus, %s); %ld runs failing one: "
             "%ld got over it, %ld ended cleanly, %ld never reached it, %ld known, %ld failed%s; "
             "%.1f s",
             scenario, total, fm_hooked_libraries(), t.runs, t.ok, t.clean, t.unreached, t.known,
             t.bugs, persisted, now_s() - t0);
    }
    tally_print(&t);
    tally_print(&tp);
    munmap(shared_sites, FM_SITES_MAX * sizeof(void *));
    munmap(shared_rep, sizeof(*shared_rep));
    cr_assert_eq(t.bugs + tp.bugs, 0, "%s: %ld runs failed; first: %s [at %s]%s%s", scenario,
                 t.bugs + tp.bugs, t.ng ? t.g[0].text : tp.g[0].text,
                 t.ng ? t.g[0].site : tp.g[0].site, t.ng > 1 ? "; then: " : "",
                 t.ng > 1 ? t.g[1].text : "");
}

/* ---- scenario "channel" --------------------------------------------------------------- */

#define BIG_LEN (256 * 1024)
static uint8_t big[BIG_LEN];
static const char small_msg[] = "the quick brown fox";
static int h2_port;
static pid_t h2_pid;

static void h2_handler(h2ts_req *r, void *ctx)
{
    size_t n;
    const uint8_t *m = h2ts_req_message(r, &n);
    const char *path = h2ts_req_header(r, ":path");
    (void)ctx;
    if (path && strcmp(path, "/test.Echo/Stream") == 0) {
        h2ts_send_headers(r, NULL);
        for (int i = 0; i < 3; i++)
            h2ts_send_message(r, m, n);
        h2ts_finish(r, 0, NULL, NULL);
        return;
    }
    h2ts_reply(r, m, n);
}

/* The test server in a process of its own, until the test ends. */
static void h2_server_start(void)
{
    int fds[2];
    cr_assert_eq(pipe(fds), 0);
    h2_pid = fork();
    cr_assert_neq(h2_pid, -1);
    if (h2_pid == 0) {
        struct event_base *b;
        h2ts *s;
        int port;
        prctl(PR_SET_PDEATHSIG, SIGKILL);
        signal(SIGPIPE, SIG_IGN);
        close(fds[0]);
        b = event_base_new();
        s = b ? h2ts_new(b, NULL, h2_handler, NULL) : NULL;
        port = s ? h2ts_port(s) : -1;
        (void)!write(fds[1], &port, sizeof(port));
        close(fds[1]);
        if (s)
            event_base_dispatch(b);
        _exit(0);
    }
    close(fds[1]);
    cr_assert_eq(read(fds[0], &h2_port, sizeof(h2_port)), (ssize_t)sizeof(h2_port));
    close(fds[0]);
    cr_assert_gt(h2_port, 0);
}

static void h2_server_stop(void)
{
    if (h2_pid > 0) {
        kill(h2_pid, SIGKILL);
        waitpid(h2_pid, NULL, 0);
    }
    h2_pid = 0;
}

typedef struct raw_call {
    waiter *w;
    const uint8_t *want;
    size_t want_len;
    int msgs, bad_msgs;
    size_t got_len;
    int data_ok;
    char hdr[64];
} raw_call;

static void raw_reply(milvus_channel *ch, int status, const milvus_reply *rp, void *ctx)
{
    raw_call *rc = ctx;
    const uint8_t *d;
    size_t n = 0, hl = 0;
    (void)ch;
    rc->w->calls++;
    rc->w->status = status;
    snprintf(rc->w->msg, sizeof(rc->w->msg), "%s", milvus_reply_message(rp));
    d = milvus_reply_data(rp, &n);
    rc->got_len = n;
    rc->data_ok = n == rc->want_len && (!n || (d && memcmp(d, rc->want, n) == 0));
    d = milvus_reply_header(rp, "x-fm", 0, &hl);
    if (d && hl < sizeof(rc->hdr)) {
        memcpy(rc->hdr, d, hl);
        rc->hdr[hl] = '\0';
    }
}

static int raw_message(milvus_channel *ch, const uint8_t *data, size_t len, void *ctx)
{
    raw_call *rc = ctx;
    (void)ch;
    rc->msgs++;
    if (len != rc->want_len || memcmp(data, rc->want, len) != 0)
        rc->bad_msgs++;
    return 0;
}

static void log_nop(milvus_log_level level, const char *msg, void *ctx)
{
    (void)level;
    (void)msg;
    ++*(int *)ctx;
}

static int log_lines;

static void raw_unary(run *R, milvus_channel *ch, const char *step, const uint8_t *msg, size_t len,
                      const milvus_call_options *co, const char *hdr)
{
    raw_call rc;
    memset(&rc, 0, sizeof(rc));
    rc.w = waiter_new(R, step);
    rc.want = msg;
    rc.want_len = len;
    if (!step_wait(R, rc.w,
                   milvus_channel_unary(ch, "/test.Echo/Unary", msg, len, co, raw_reply, &rc)))
        return;
    if (!rc.data_ok)
        bug(R, "%s: reply of %zu bytes, not the %zu sent", step, rc.got_len, len);
    else if (hdr && strcmp(rc.hdr, hdr) != 0)
        bug(R, "%s: header x-fm \"%s\", not \"%s\"", step, rc.hdr, hdr);
}

static size_t channel_pending(const void *ch)
{
    return milvus_channel_pending(ch);
}

static void scenario_channel(run *R)
{
    milvus_options *o = milvus_options_new();
    milvus_call_options *co = NULL;
    milvus_channel *ch = NULL;
    raw_call rc;
    if (!step_ptr(R, "milvus_options_new", o))
        return;
    if (step_rc(R, "set_address", milvus_options_set_address(o, "127.0.0.1", h2_port),
                milvus_options_last_error(o)) &&
        step_rc(R, "set_call_timeout", milvus_options_set_call_timeout_ms(o, call_timeout_ms()),
                NULL) &&
        step_rc(R, "set_retry", milvus_options_set_retry(o, 5, 1, 20, 2), NULL) &&
        step_rc(R, "set_reconnect_backoff", milvus_options_set_reconnect_backoff(o, 5, 50, 2),
                NULL) &&
        step_rc(R, "set_log", milvus_options_set_log(o, MILVUS_LOG_DEBUG, log_nop, &log_lines),
                NULL) &&
        step_rc(R, "milvus_channel_new", milvus_channel_new(&ch, R->base, o),
                milvus_options_last_error(o)) &&
        (R->pending = channel_pending, R->handle = ch) &&
        step_ptr(R, "milvus_call_options_new", co = milvus_call_options_new()) &&
        step_rc(R, "call_options_add_metadata",
                milvus_call_options_add_metadata(co, "x-fm", "value-1", 7), NULL))
        raw_unary(R, ch, "unary", (const uint8_t *)small_msg, sizeof(small_msg) - 1, co, "value-1");
    if (!R->stop) {
        memset(&rc, 0, sizeof(rc));
        rc.w = waiter_new(R, "server_stream");
        rc.want = (const uint8_t *)small_msg;
        rc.want_len = sizeof(small_msg) - 1;
        if (step_wait(R, rc.w,
                      milvus_channel_server_stream(ch, "/test.Echo/Stream", small_msg,
                                                   sizeof(small_msg) - 1, NULL, raw_message,
                                                   raw_reply, &rc))) {
            if (rc.msgs != 3 || rc.bad_msgs)
                bug(R, "server_stream: %d messages (%d wrong), not 3", rc.msgs, rc.bad_msgs);
        }
    }
    if (!R->stop)
        raw_unary(R, ch, "unary_256k", big, sizeof(big), NULL, NULL);
    R->pending = NULL;
    milvus_channel_free(ch);
    milvus_call_options_free(co);
    milvus_options_free(o);
}

Test(failmalloc, channel, .timeout = 600)
{
    for (size_t i = 0; i < sizeof(big); i++)
        big[i] = (uint8_t)(i * 7 + (i >> 10));
    h2_server_start();
    drive("channel", scenario_channel, 0, 1);
    h2_server_stop();
}

/* ---- scenario "client" ---------------------------------------------------------------- */

#define DIM 4
#define ROWS 12
static char shared_coll[64];
static int64_t row_ids[ROWS];
static int32_t row_nums[ROWS];
static const char *row_tags[ROWS];
static char row_tagbuf[ROWS][16];
static float row_vecs[ROWS][DIM];

typedef struct typed_call {
    waiter *w;
    int (*check)(run *R, const milvus_result *res);
    run *R;
} typed_call;

static void typed_cb(milvus_client *c, const milvus_result *res, void *ctx)
{
    typed_call *tc = ctx;
    (void)c;
    tc->w->calls++;
    tc->w->status = milvus_result_status(res);
    snprintf(tc->w->msg, sizeof(tc->w->msg), "%s", milvus_result_message(res));
    if (tc->w->status == MILVUS_OK && tc->check)
        tc->check(tc->R, res);
}

static void fill_rows(void)
{
    for (int i = 0; i < ROWS; i++) {
        row_ids[i] = 100 + i;
        row_nums[i] = i;
        snprintf(row_tagbuf[i], sizeof(row_tagbuf[i]), "tag-%02d", i);
        row_tags[i] = row_tagbuf[i];
        for (int d = 0; d < DIM; d++)
            row_vecs[i][d] = (float)((i * 31 + d * 7) % 17) / 17.0f + 0.01f * (float)d;
    }
}

static int row_of_id(int64_t id)
{
    return id >= 100 && id < 100 + ROWS ? (int)(id - 100) : -1;
}

/* A hit or row: its id, and num and tag as written. */
static int check_row(run *R, const char *what, const milvus_column *idc, const milvus_column *num,
                     const milvus_column *tag, size_t i)
{
    int64_t id = -1, v = -1;
    const char *s = NULL;
    size_t sl = 0;
    int row;
    if (!idc || !num || !tag) {
        bug(R, "%s: a column is missing", what);
        return 0;
    }
    if (milvus_column_get_int(idc, i, &id) != MILVUS_OK || (row = row_of_id(id)) < 0) {
        bug(R, "%s %zu: id %lld is not one of the rows", what, i, (long long)id);
        return 0;
    }
    if (milvus_column_get_int(num, i, &v) != MILVUS_OK || v != row_nums[row] ||
        milvus_column_get_string(tag, i, &s, &sl) != MILVUS_OK || sl != strlen(row_tags[row]) ||
        memcmp(s, row_tags[row], sl) != 0) {
        bug(R, "%s %zu: fields of id %lld are wrong", what, i, (long long)id);
        return 0;
    }
    return 1;
}

static int check_describe(run *R, const milvus_result *res)
{
    const milvus_schema *s = milvus_result_schema(res);
    if (!s || milvus_schema_field_count(s) != 4)
        bug(R, "describe_collection: schema of %zu fields, not 4",
            s ? milvus_schema_field_count(s) : 0);
    return 0;
}

static int check_insert(run *R, const milvus_result *res)
{
    if (milvus_result_insert_count(res) != ROWS ||
        milvus_column_rows(milvus_result_ids(res)) != ROWS)
        bug(R, "insert: %lld rows inserted, not %d", (long long)milvus_result_insert_count(res),
            ROWS);
    return 0;
}

#define SEARCH_LIMIT 5
static int check_search(run *R, const milvus_result *res)
{
    if (milvus_result_num_queries(res) != 2) {
        bug(R, "search: %zu queries, not 2", milvus_result_num_queries(res));
        return 0;
    }
    for (size_t q = 0; q < 2; q++) {
        size_t n = milvus_result_hit_count(res, q);
        const float *sc = milvus_result_hit_scores(res, q);
        if (n != SEARCH_LIMIT || !sc) {
            bug(R, "search: query %zu has %zu hits, not %d", q, n, SEARCH_LIMIT);
            return 0;
        }
        for (size_t i = 0; i < n; i++) {
            if (!check_row(R, "search hit", milvus_result_hit_ids(res, q),
                           milvus_result_hit_column(res, q, "num"),
                           milvus_result_hit_column(res, q, "tag"), i))
                return 0;
            if (i && sc[i] + 1e-6f < sc[i - 1]) { /* L2: nearest first */
                bug(R, "search: query %zu scores not in order", q);
                return 0;
            }
        }
    }
    return 0;
}

#define QUERY_ROWS 8
static int check_query(run *R, const milvus_result *res)
{
    size_t n = milvus_result_row_count(res);
    if (n != QUERY_ROWS) {
        bug(R, "query: %zu rows, not %d", n, QUERY_ROWS);
        return 0;
    }
    for (size_t i = 0; i < n; i++)
        if (!check_row(R, "query row", milvus_result_column(res, "id"),
                       milvus_result_column(res, "num"), milvus_result_column(res, "tag"), i))
            return 0;
    return 0;
}

/* One operation: submit (the expression), wait, check. */
#define TYPED(R, step, chk, expr)                                                                  \
    ({                                                                                             \
        typed_call tc_ = {waiter_new(R, step), chk, R};                                            \
        typed_call *tcp_ = &tc_;                                                                   \
        int rc_ = (expr);                                                                          \
        step_wait(R, tc_.w, rc_);                                                                  \
    })

static milvus_schema *make_schema(run *R)
{
    milvus_schema *s = NULL;
    milvus_field *f = NULL;
    static const struct {
        const char *name;
        milvus_data_type type;
    } fields[] = {{"id", MILVUS_TYPE_INT64},
                  {"num", MILVUS_TYPE_INT32},
                  {"tag", MILVUS_TYPE_VARCHAR},
                  {"vec", MILVUS_TYPE_FLOAT_VECTOR}};
    if (!step_rc(R, "milvus_schema_new", milvus_schema_new(&s, NULL), NULL))
        return NULL;
    for (size_t i = 0; i < 4; i++) {
        int ok = step_rc(R, "milvus_field_new",
                         milvus_field_new(&f, fields[i].name, fields[i].type), NULL);
        if (ok && i == 0)
            ok = step_rc(R, "set_primary_key", milvus_field_set_primary_key(f, 1), NULL);
        if (ok && i == 2)
            ok = step_rc(R, "set_max_length", milvus_field_set_max_length(f, 16), NULL);
        if (ok && i == 3)
            ok = step_rc(R, "set_dim", milvus_field_set_dim(f, DIM), NULL);
        if (ok)
            ok = step_rc(R, "milvus_schema_add_field", milvus_schema_add_field(s, f), NULL);
        milvus_field_free(f);
        f = NULL;
        if (!ok) {
            milvus_schema_free(s);
            return NULL;
        }
    }
    return s;
}

static int make_columns(run *R, milvus_column **cols)
{
    return step_rc(R, "column_new_int64", milvus_column_new_int64(&cols[0], "id", row_ids, ROWS),
                   NULL) &&
           step_rc(R, "column_new_int32", milvus_column_new_int32(&cols[1], "num", row_nums, ROWS),
                   NULL) &&
           step_rc(R, "column_new_varchar",
                   milvus_column_new_varchar(&cols[2], "tag", row_tags, ROWS), NULL) &&
           step_rc(R, "column_new_float_vector",
                   milvus_column_new_float_vector(&cols[3], "vec", DIM, &row_vecs[0][0], ROWS),
                   NULL);
}

static size_t client_pending(const void *c)
{
    return milvus_client_pending(c);
}

static void scenario_client(run *R)
{
    milvus_options *o = milvus_options_new();
    milvus_client *c = NULL;
    milvus_schema *s = NULL;
    milvus_column *cols[4] = {NULL, NULL, NULL, NULL}, *qv = NULL;
    milvus_search_options *so = NULL;
    milvus_query_options *qo = NULL;
    char coll[80];
    snprintf(coll, sizeof(coll), "%s_own", shared_coll);
    if (!step_ptr(R, "milvus_options_new", o))
        return;
    if (!step_rc(R, "set_uri", milvus_options_set_uri(o, fixture_uri()), NULL) ||
        !step_rc(R, "set_call_timeout", milvus_options_set_call_timeout_ms(o, call_timeout_ms()),
                 NULL) ||
        !step_rc(R, "set_reconnect_backoff", milvus_options_set_reconnect_backoff(o, 5, 50, 2),
                 NULL) ||
        !step_rc(R, "milvus_client_new", milvus_client_new(&c, R->base, o), NULL))
        goto out;
    R->pending = client_pending;
    R->handle = c;
    if (!TYPED(R, "connect", NULL, milvus_client_connect(c, typed_cb, tcp_)) ||
        !TYPED(R, "describe_collection", check_describe,
               milvus_client_describe_collection(c, shared_coll, typed_cb, tcp_)) ||
        !(s = make_schema(R)) ||
        !TYPED(R, "create_collection", NULL,
               milvus_client_create_collection(c, coll, s, NULL, typed_cb, tcp_)) ||
        !make_columns(R, cols) ||
        !TYPED(R, "insert", check_insert,
               milvus_client_insert(c, coll, (const milvus_column *const *)cols, 4, NULL, typed_cb,
                                    tcp_)))
        goto out;
    if (!step_ptr(R, "milvus_search_options_new", so = milvus_search_options_new()) ||
        !step_rc(R, "column_new_float_vector",
                 milvus_column_new_float_vector(&qv, "q", DIM, &row_vecs[3][0], 2), NULL) ||
        !step_rc(R, "search_options_set_vectors", milvus_search_options_set_vectors(so, qv),
                 NULL) ||
        !step_rc(R, "search_options_set_limit", milvus_search_options_set_limit(so, SEARCH_LIMIT),
                 NULL) ||
        !step_rc(R, "search_options_add_output_field",
                 milvus_search_options_add_output_field(so, "num"), NULL) ||
        !step_rc(R, "search_options_add_output_field",
                 milvus_search_options_add_output_field(so, "tag"), NULL) ||
        !TYPED(R, "search", check_search, milvus_client_search(c, shared_coll, so, typed_cb, tcp_)))
        goto out;
    if (!step_ptr(R, "milvus_query_options_new", qo = milvus_query_options_new()) ||
        !step_rc(R, "query_options_set_filter", milvus_query_options_set_filter(qo, "num < 8"),
                 NULL) ||
        !step_rc(R, "query_options_add_output_field",
                 milvus_query_options_add_output_field(qo, "num"), NULL) ||
        !step_rc(R, "query_options_add_output_field",
                 milvus_query_options_add_output_field(qo, "tag"), NULL) ||
        !TYPED(R, "query", check_query, milvus_client_query(c, shared_coll, qo, typed_cb, tcp_)))
        goto out;
    TYPED(R, "drop_collection", NULL, milvus_client_drop_collection(c, coll, typed_cb, tcp_));
out:
    R->pending = NULL;
    milvus_client_free(c);
    milvus_query_options_free(qo);
    milvus_search_options_free(so);
    milvus_column_free(qv);
    for (int i = 0; i < 4; i++)
        milvus_column_free(cols[i]);
    milvus_schema_free(s);
    milvus_options_free(o);
}

/* The collection every run searches: made, indexed, loaded and filled
 * before counting starts, by a client freed before the runs fork. */
static void client_setup(void)
{
    struct event_base *b = event_base_new();
    milvus_client *c;
    milvus_schema *s;
    milvus_column *cols[4];
    milvus_index_options *io = milvus_index_options_new();
    run R;
    fixture_wait w;
    milvus_result *res;
    memset(&R, 0, sizeof(R));
    R.rep = &(report){0};
    cr_assert_not_null(b);
    c = fixture_client(b);
    fill_rows();
    fixture_name(shared_coll, sizeof(shared_coll), "fm");
    cr_assert_not_null(s = make_schema(&R));
#define SETUP_CALL(expr)                                                                           \
    do {                                                                                           \
        memset(&w, 0, sizeof(w));                                                                  \
        res = fixture_wait_result(b, c, (expr), &w);                                               \
        fixture_assert_ok(res);                                                                    \
        milvus_result_unref(res);                                                                  \
    } while (0)
    SETUP_CALL(milvus_client_create_collection(c, shared_coll, s, fixture_collection_options(),
                                               fixture_wait_cb, &w));
    cr_assert_eq(milvus_index_options_set_metric(io, "L2"), MILVUS_OK);
    SETUP_CALL(milvus_client_create_index(c, shared_coll, "vec", io, fixture_wait_cb, &w));
    SETUP_CALL(milvus_client_load_collection(c, shared_coll, NULL, fixture_wait_cb, &w));
    SETUP_CALL(milvus_client_await_load(c, shared_coll, NULL, 0, NULL, fixture_wait_cb, &w));
    cr_assert(make_columns(&R, cols));
    SETUP_CALL(milvus_client_insert(c, shared_coll, (const milvus_column *const *)cols, 4, NULL,
                                    fixture_wait_cb, &w));
    for (int i = 0; i < 4; i++)
        milvus_column_free(cols[i]);
    milvus_index_options_free(io);
    milvus_schema_free(s);
    milvus_client_free(c);
    event_base_free(b);
}

Test(failmalloc, client, .timeout = 600)
{
    fixture_require_faults();
    client_setup();
    drive("client", scenario_client, 1, 0);
}
