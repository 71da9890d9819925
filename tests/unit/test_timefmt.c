// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* timefmt: counts with separators, fixed-point seconds, durations. */
#include <criterion/criterion.h>
#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <string.h>
#include "timefmt.h"

Test(timefmt, count)
{
	char b[32];

	cr_assert_str_eq(timefmt_count(0, b, sizeof(b)), "0");
	cr_assert_str_eq(timefmt_count(999, b, sizeof(b)), "999");
	cr_assert_str_eq(timefmt_count(1000, b, sizeof(b)), "1,000");
	cr_assert_str_eq(timefmt_count(1234, b, sizeof(b)), "1,234");
	cr_assert_str_eq(timefmt_count(123456, b, sizeof(b)), "123,456");
	cr_assert_str_eq(timefmt_count(1234567, b, sizeof(b)), "1,234,567");
	cr_assert_str_eq(timefmt_count(UINT64_MAX, b, sizeof(b)), "18,446,744,073,709,551,615");
	/* A short buffer is cut, never overrun. */
	memset(b, 'Z', sizeof(b));
	timefmt_count(1234567, b, 4);
	cr_assert_str_eq(b, "1,2");
	cr_assert_eq(b[4], 'Z');
}

Test(timefmt, fixed)
{
	char b[48];

	cr_assert_str_eq(timefmt_fixed(0, 3, b, sizeof(b)), "0.000");
	cr_assert_str_eq(timefmt_fixed(12.34, 3, b, sizeof(b)), "12.340");
	cr_assert_str_eq(timefmt_fixed(1234.5, 3, b, sizeof(b)), "1,234.500");
	cr_assert_str_eq(timefmt_fixed(1234567.891, 2, b, sizeof(b)), "1,234,567.89");
	/* Rounding, including a carry into the integer part. */
	cr_assert_str_eq(timefmt_fixed(0.0126, 2, b, sizeof(b)), "0.01");
	cr_assert_str_eq(timefmt_fixed(0.0174, 2, b, sizeof(b)), "0.02");
	cr_assert_str_eq(timefmt_fixed(1.9996, 3, b, sizeof(b)), "2.000");
	cr_assert_str_eq(timefmt_fixed(999.9999, 3, b, sizeof(b)), "1,000.000");
	cr_assert_str_eq(timefmt_fixed(2.5, 0, b, sizeof(b)), "3");
	cr_assert_str_eq(timefmt_fixed(1234.4, 0, b, sizeof(b)), "1,234");
	/* Negative numbers, and no "-0.000". */
	cr_assert_str_eq(timefmt_fixed(-1.5, 1, b, sizeof(b)), "-1.5");
	cr_assert_str_eq(timefmt_fixed(-1234.25, 2, b, sizeof(b)), "-1,234.25");
	cr_assert_str_eq(timefmt_fixed(-0.0001, 3, b, sizeof(b)), "0.000");
	cr_assert_str_eq(timefmt_fixed(NAN, 3, b, sizeof(b)), "-");
	cr_assert_str_eq(timefmt_fixed(INFINITY, 3, b, sizeof(b)), "-");
}

Test(timefmt, wallclock)
{
	char b[32];

	timefmt_wallclock(1700000000LL * 1000000000LL, b, sizeof(b));
	/* Local time: only the shape is fixed. */
	cr_assert_eq(strlen(b), 19, "%s", b);
	cr_assert_eq(b[4], '-');
	cr_assert_eq(b[10], ' ');
	cr_assert_eq(b[13], ':');
	cr_assert_eq(strncmp(b, "2023-11-1", 9), 0, "%s", b);
}

static uint64_t dur(const char *s)
{
	uint64_t ns = 12345;

	cr_assert_eq(timefmt_parse_duration(s, &ns), 0, "'%s' rejected", s);
	return ns;
}

static void bad_dur(const char *s)
{
	uint64_t ns = 12345;

	cr_assert_eq(timefmt_parse_duration(s, &ns), -EINVAL, "'%s' accepted", s);
	cr_assert_eq(ns, 12345, "'%s' wrote a result", s);
}

Test(timefmt, durations)
{
	cr_assert_eq(dur("90s"), 90000000000ULL);
	cr_assert_eq(dur("90"), 90000000000ULL);
	cr_assert_eq(dur("1.5"), 1500000000ULL);
	cr_assert_eq(dur("15m"), 900000000000ULL);
	cr_assert_eq(dur("2h"), 7200000000000ULL);
	cr_assert_eq(dur("1d"), 86400000000000ULL);
	cr_assert_eq(dur("500ms"), 500000000ULL);
	cr_assert_eq(dur("0"), 0);
	bad_dur("");
	bad_dur("s");
	bad_dur("abc");
	bad_dur("-1s");
	bad_dur("5x");
	bad_dur("5 s");
	bad_dur("5sec");
	bad_dur("1e30");
	bad_dur("inf");
	bad_dur("nan");
	bad_dur("1e12d");
}

Test(timefmt, time_specs)
{
	const int64_t now = 1795000000LL * 1000000000LL; /* 2026-11-18T... UTC */
	int64_t t = 0;

	cr_assert_eq(timefmt_parse_time_spec("10m", now, &t), 0);
	cr_assert_eq(t, now - 600LL * 1000000000LL);
	cr_assert_eq(timefmt_parse_time_spec("0s", now, &t), 0);
	cr_assert_eq(t, now);
	cr_assert_eq(timefmt_parse_time_spec("2026-11-24T19:00:00Z", now, &t), 0);
	cr_assert_eq(t, 1795546800LL * 1000000000LL);
	cr_assert_eq(timefmt_parse_time_spec("2026-11-24T19:00:00", now, &t), 0);
	cr_assert_eq(t, 1795546800LL * 1000000000LL);
	cr_assert_eq(timefmt_parse_time_spec("2026-11-24 19:00:00", now, &t), 0);
	cr_assert_eq(t, 1795546800LL * 1000000000LL);
	cr_assert_eq(timefmt_parse_time_spec("1795546800", now, &t), 0, "Unix seconds");
	cr_assert_eq(t, 1795546800LL * 1000000000LL);
	cr_assert_eq(timefmt_parse_time_spec("1795546800.5", now, &t), 0);
	cr_assert_eq(t, 1795546800500000000LL);
	cr_assert_eq(timefmt_parse_time_spec("3600", now, &t), 0, "a small bare number is seconds ago");
	cr_assert_eq(t, now - 3600LL * 1000000000LL);
	cr_assert_eq(timefmt_parse_time_spec("2026-11-24T19:00:00+02:00", now, &t), -EINVAL);
	cr_assert_eq(timefmt_parse_time_spec("2026-13-24T19:00:00Z", now, &t), -EINVAL);
	cr_assert_eq(timefmt_parse_time_spec("yesterday", now, &t), -EINVAL);
	cr_assert_eq(timefmt_parse_time_spec("", now, &t), -EINVAL);
	cr_assert_eq(timefmt_parse_time_spec("-5m", now, &t), -EINVAL);
	cr_assert_eq(timefmt_parse_time_spec("100000d", now, &t), -EINVAL, "before the epoch");
}

Test(timefmt, time_range)
{
	const int64_t now = 2000000000LL * 1000000000LL;
	const char *since, *until;
	char b[64];

	cr_assert_eq(timefmt_parse_time_range("@10m..5m", now, b, sizeof(b), &since, &until), 0);
	cr_assert_str_eq(since, "10m");
	cr_assert_str_eq(until, "5m");
	cr_assert_eq(timefmt_parse_time_range("@5m", now, b, sizeof(b), &since, &until), 0);
	cr_assert_str_eq(since, "5m");
	cr_assert_null(until);
	cr_assert_eq(timefmt_parse_time_range("@5m..", now, b, sizeof(b), &since, &until), 0);
	cr_assert_str_eq(since, "5m");
	cr_assert_null(until);
	cr_assert_eq(timefmt_parse_time_range("@..5m", now, b, sizeof(b), &since, &until), 0);
	cr_assert_null(since);
	cr_assert_str_eq(until, "5m");
	/* UTC times (with colons) and fractional Unix seconds. */
	cr_assert_eq(timefmt_parse_time_range("@2026-11-24T19:00:00Z..2026-11-24T20:00:00Z", now, b,
				      sizeof(b), &since, &until), 0);
	cr_assert_str_eq(since, "2026-11-24T19:00:00Z");
	cr_assert_str_eq(until, "2026-11-24T20:00:00Z");
	cr_assert_eq(timefmt_parse_time_range("@1999999990.25..1999999995.5", now, b, sizeof(b), &since,
				      &until), 0);
	cr_assert_str_eq(since, "1999999990.25");
	cr_assert_str_eq(until, "1999999995.5");
	/* Not a range, empty, the end not after the start, a bad end, a short
	 * buffer: -EINVAL and both NULL. */
	cr_assert_eq(timefmt_parse_time_range("10m..5m", now, b, sizeof(b), &since, &until), -EINVAL);
	cr_assert_eq(timefmt_parse_time_range("@", now, b, sizeof(b), &since, &until), -EINVAL);
	cr_assert_eq(timefmt_parse_time_range("@..", now, b, sizeof(b), &since, &until), -EINVAL);
	cr_assert_eq(timefmt_parse_time_range("@5m..10m", now, b, sizeof(b), &since, &until), -EINVAL);
	cr_assert_eq(timefmt_parse_time_range("@5m..5m", now, b, sizeof(b), &since, &until), -EINVAL);
	cr_assert_eq(timefmt_parse_time_range("@xyz..5m", now, b, sizeof(b), &since, &until), -EINVAL);
	cr_assert_eq(timefmt_parse_time_range("@10m..x", now, b, sizeof(b), &since, &until), -EINVAL);
	cr_assert_eq(timefmt_parse_time_range("@10m..5m", now, b, 8, &since, &until), 0);
	cr_assert_eq(timefmt_parse_time_range("@10m..5m", now, b, 7, &since, &until), -EINVAL);
	cr_assert_null(since);
	cr_assert_null(until);
}
