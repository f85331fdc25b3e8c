/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Utilities shared by the transport and call layers (see util.h).
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include <milvus/common.h>

#include "common/options_internal.h"
#include "common/util.h"

int64_t mv_now_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

uint64_t mv_rng_seed(const void *salt)
{
    uint64_t s = (uint64_t)mv_now_us() ^ ((uint64_t)(uintptr_t)salt << 16) ^ 0x9E3779B97F4A7C15ULL;
    return s ? s : 1;
}

double mv_jitter(uint64_t *rng)
{
    /* xorshift64*: no global state, no locks. */
    uint64_t x = *rng;
    x ^= x >> 12;
    x ^= x << 25;
    x ^= x >> 27;
    *rng = x;
    return 0.8 + 0.4 * (double)((x * 0x2545F4914F6CDD1DULL) >> 11) / 9007199254740992.0;
}

void mv_tv_from_ms(struct timeval *tv, int64_t ms)
{
    if (ms < 0)
        ms = 0;
    tv->tv_sec = (time_t)(ms / 1000);
    tv->tv_usec = (suseconds_t)(ms % 1000) * 1000;
}

/* Log lines carry server text (grpc-message, reasons, names): escaped
 * here, once, so that a peer cannot put control sequences on the user's
 * terminal or forge lines in a log.  Formatted in full, not cut at a
 * fixed size. */
void mv_log(const milvus_options *o, milvus_log_level lvl, const char *fmt, ...)
{
    char buf[512], out[768];
    char *text = buf, *esc = out;
    size_t need;
    va_list ap;
    int n;
    if (!o->log_cb || lvl > o->log_level)
        return;
    va_start(ap, fmt);
    n = vsnprintf(buf, sizeof(buf), fmt, ap);
    va_end(ap);
    if (n < 0)
        return;
    if ((size_t)n >= sizeof(buf)) {
        text = malloc((size_t)n + 1);
        if (!text) {
            text = buf; /* out of memory: the line as far as it fits */
            n = (int)sizeof(buf) - 1;
        } else {
            va_start(ap, fmt);
            vsnprintf(text, (size_t)n + 1, fmt, ap);
            va_end(ap);
        }
    }
    need = milvus_escape_text(out, sizeof(out), text, (size_t)n);
    if (need >= sizeof(out) && (esc = malloc(need + 1)) != NULL)
        milvus_escape_text(esc, need + 1, text, (size_t)n);
    else if (!esc)
        esc = out;
    o->log_cb(lvl, esc, o->log_ctx);
    if (esc != out)
        free(esc);
    if (text != buf)
        free(text);
}
