/* SPDX-License-Identifier: Apache-2.0 */
/* The backoff formula shared by retries, reconnects and awaits. */
#include <criterion/criterion.h>

#include "common/backoff.h"

Test(backoff, grows_by_the_multiplier_up_to_the_cap)
{
    mv_backoff b = {100, 1000, 2.0};
    cr_assert_eq(mv_backoff_delay(&b, 1, 1.0), 100);
    cr_assert_eq(mv_backoff_delay(&b, 2, 1.0), 200);
    cr_assert_eq(mv_backoff_delay(&b, 4, 1.0), 800);
    cr_assert_eq(mv_backoff_delay(&b, 5, 1.0), 1000);
    cr_assert_eq(mv_backoff_delay(&b, 1000000, 1.0), 1000);
}

Test(backoff, first_attempt_and_below_count_as_one)
{
    mv_backoff b = {50, 5000, 3.0};
    cr_assert_eq(mv_backoff_delay(&b, 0, 1.0), 50);
    cr_assert_eq(mv_backoff_delay(&b, -7, 1.0), 50);
    cr_assert_eq(mv_backoff_delay(&b, 3, 1.0), 450);
}

Test(backoff, jitter_scales_the_capped_delay)
{
    mv_backoff b = {100, 1000, 2.0};
    cr_assert_eq(mv_backoff_delay(&b, 2, 0.8), 160);
    cr_assert_eq(mv_backoff_delay(&b, 9, 1.2), 1200);
    cr_assert_eq(mv_backoff_delay(&b, 1, 0.0), 0);
}

Test(backoff, multiplier_one_keeps_the_delay)
{
    mv_backoff b = {250, 10000, 1.0};
    cr_assert_eq(mv_backoff_delay(&b, 1, 1.0), 250);
    cr_assert_eq(mv_backoff_delay(&b, 40, 1.0), 250);
}

Test(backoff, huge_values_do_not_overflow)
{
    mv_backoff b = {INT64_MAX / 2, INT64_MAX, 10.0};
    cr_assert_eq(mv_backoff_delay(&b, 100, 1.0), INT64_MAX);
    cr_assert_geq(mv_backoff_delay(&b, 1, 1.0), 0);
}
