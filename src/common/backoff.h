/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Exponential backoff, the one formula of the library: call retries,
 * reconnects, rate-limit retries of the typed API and the polling of
 * awaits all take their delays from here.  Internal to libmilvus.
 */
#ifndef MV_BACKOFF_H
#define MV_BACKOFF_H

#include <stdint.h>

typedef struct mv_backoff {
    int64_t initial_ms; /* the first delay */
    int64_t max_ms;     /* no delay is longer */
    double multiplier;  /* >= 1: each delay is the previous one times this */
} mv_backoff;

/* The delay before attempt n + 1, n >= 1 being the number of attempts
 * made: initial_ms * multiplier^(n - 1), at most max_ms, then times
 * jitter (1.0 for none; the caller draws it, e.g. from U(0.8, 1.2)).
 * Never negative; n < 1 counts as 1. */
int64_t mv_backoff_delay(const mv_backoff *b, int n, double jitter);

#endif /* MV_BACKOFF_H */
