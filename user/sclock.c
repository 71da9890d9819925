// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include "sclock.h"
#include "timefmt.h"

const char *sclock_name(enum sample_clock clock)
{
	return clock == SCLOCK_TICK ? "tick" : "timer";
}

int sclock_parse(const char *s, enum sample_clock *clock)
{
	int err = 0;

	if (!strcmp(s, "tick"))
		*clock = SCLOCK_TICK;
	else if (!strcmp(s, "timer"))
		*clock = SCLOCK_TIMER;
	else
		err = -EINVAL;
	return err;
}

uint64_t sclock_tick_units(uint64_t ns)
{
	return ns / 1000 + (ns % 1000 >= 500);
}

const char *sclock_describe(enum sample_clock clock, uint32_t freq_hz, uint64_t units, uint64_t samples,
			    char *buf, size_t len)
{
	char a[32];
	double cpu_s = freq_hz ? (double)units / freq_hz : 0;

	if (clock == SCLOCK_TICK)
		snprintf(buf, len, "%s tick samples (%.0f/s of CPU)", timefmt_count(samples, a, sizeof(a)),
			 cpu_s > 0 ? (double)samples / cpu_s : 0.0);
	else
		snprintf(buf, len, "%s at %u Hz", timefmt_count(units, a, sizeof(a)), freq_hz);
	return buf;
}
