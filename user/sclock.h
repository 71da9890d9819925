/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* The sampling clock: a perf timer at a fixed frequency, or the kernel's
 * scheduler tick with samples weighed by CPU time (--clock). */
#ifndef MLPROF_SCLOCK_H
#define MLPROF_SCLOCK_H

#include <stddef.h>
#include <stdint.h>

enum sample_clock {
	SCLOCK_TIMER = 0, /* per-task cpu-clock perf events at --freq */
	SCLOCK_TICK = 1,  /* sched_stat_runtime: scheduler tick and switch-out */
};

/* Tick mode: a profile counts CPU time in microseconds. Every report and
 * export converts "samples" to seconds as samples / freq_hz, so a tick
 * profile carries this freq_hz and its counts are microseconds; the number
 * of samples taken is in the stats (snap_stats.samples). */
#define SCLOCK_TICK_UNIT_HZ 1000000u

const char *sclock_name(enum sample_clock clock);
/* 0 or -EINVAL. */
int sclock_parse(const char *s, enum sample_clock *clock);
/* Microseconds of CPU time for a tick sample weighing ns nanoseconds
 * (rounded to the nearest). */
uint64_t sclock_tick_units(uint64_t ns);
/* "12,345 at 999 Hz" or "2,345 tick samples (250/s of CPU)": how
 * units of CPU time counted at freq_hz were sampled. */
const char *sclock_describe(enum sample_clock clock, uint32_t freq_hz, uint64_t units, uint64_t samples,
			    char *buf, size_t len);

#endif
