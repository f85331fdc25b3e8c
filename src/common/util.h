/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Small utilities of the transport and call layers: the monotonic clock,
 * the jitter generator, timeval conversion and the log sink.  Here rather
 * than in either layer so that both use them without one including the
 * other.  Internal to libmilvus.
 */
#ifndef MV_UTIL_H
#define MV_UTIL_H

#include <stdint.h>
#include <sys/time.h>

#include <milvus/options.h>

int64_t mv_now_us(void);

/* A seed for mv_jitter, different per object (salt: its address). */
uint64_t mv_rng_seed(const void *salt);
/* U(0.8, 1.2) from the generator state *rng (never 0). */
double mv_jitter(uint64_t *rng);

/* ms (>= 0) as a timeval for evtimer_add. */
void mv_tv_from_ms(struct timeval *tv, int64_t ms);

/* The options' log callback, when lvl passes its level: the line is
 * escaped (it carries server text) and formatted in full. */
void mv_log(const milvus_options *o, milvus_log_level lvl, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#endif /* MV_UTIL_H */
