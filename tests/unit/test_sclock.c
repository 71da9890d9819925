// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* sclock: --clock names, tick weights in microseconds, report wording. */
#include <criterion/criterion.h>
#include <errno.h>
#include <string.h>
#include "sclock.h"

Test(sclock, parse_and_name)
{
	enum sample_clock c = SCLOCK_TIMER;

	cr_assert_eq(sclock_parse("tick", &c), 0);
	cr_assert_eq(c, SCLOCK_TICK);
	cr_assert_str_eq(sclock_name(c), "tick");
	cr_assert_eq(sclock_parse("timer", &c), 0);
	cr_assert_eq(c, SCLOCK_TIMER);
	cr_assert_str_eq(sclock_name(c), "timer");
	c = 7;
	cr_assert_eq(sclock_parse("Tick", &c), -EINVAL);
	cr_assert_eq(sclock_parse("", &c), -EINVAL);
	cr_assert_eq(c, 7, "a bad name leaves the clock alone");
	cr_assert_str_eq(sclock_name(42), "timer");
}

Test(sclock, tick_units_round_to_nearest_microsecond)
{
	cr_assert_eq(sclock_tick_units(0), 0);
	cr_assert_eq(sclock_tick_units(499), 0);
	cr_assert_eq(sclock_tick_units(500), 1);
	cr_assert_eq(sclock_tick_units(4000007), 4000);
	cr_assert_eq(sclock_tick_units(4000500), 4001);
	cr_assert_eq(sclock_tick_units(UINT64_MAX), UINT64_MAX / 1000 + 1);
}

Test(sclock, describe)
{
	char b[64];

	cr_assert_str_eq(sclock_describe(SCLOCK_TIMER, 999, 2000, 5, b, sizeof(b)),
			 "2,000 at 999 Hz");
	/* 2 s of CPU in microseconds, 500 samples: 250 per second of CPU. */
	cr_assert_str_eq(sclock_describe(SCLOCK_TICK, SCLOCK_TICK_UNIT_HZ, 2000000, 500, b,
					 sizeof(b)),
			 "500 tick samples (250/s of CPU)");
	cr_assert_str_eq(sclock_describe(SCLOCK_TICK, SCLOCK_TICK_UNIT_HZ, 0, 0, b, sizeof(b)),
			 "0 tick samples (0/s of CPU)");
	memset(b, 'Z', sizeof(b));
	sclock_describe(SCLOCK_TICK, SCLOCK_TICK_UNIT_HZ, 2000000, 500, b, 6);
	cr_assert_str_eq(b, "500 t");
	cr_assert_eq(b[6], 'Z');
}
