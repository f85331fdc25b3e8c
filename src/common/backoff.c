/* SPDX-License-Identifier: Apache-2.0 */
#include "common/backoff.h"

int64_t mv_backoff_delay(const mv_backoff *b, int n, double jitter)
{
    double ms = (double)b->initial_ms;
    /* Multiplied step by step and stopped at the cap: no pow() overflow
     * for a large n, and the same value pow() would give below it. */
    for (int i = 1; i < n && ms < (double)b->max_ms; i++)
        ms *= b->multiplier;
    if (ms > (double)b->max_ms)
        ms = (double)b->max_ms;
    ms *= jitter;
    if (!(ms > 0.0)) /* also NaN */
        return 0;
    if (ms >= 9.2e18)
        return INT64_MAX;
    return (int64_t)ms;
}
