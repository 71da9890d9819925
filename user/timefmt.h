/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* Number and time formatting for reports. */
#ifndef MLPROF_TIMEFMT_H
#define MLPROF_TIMEFMT_H

#include <stddef.h>
#include <stdint.h>

/* 1234567 -> "1,234,567" */
const char *timefmt_count(uint64_t v, char *buf, size_t len);
/* Seconds with `decimals` places and thousands separators: "1,234.567" */
const char *timefmt_fixed(double v, int decimals, char *buf, size_t len);
/* Wall-clock time (ns since the epoch) as local "YYYY-MM-DD HH:MM:SS". */
const char *timefmt_wallclock(int64_t real_ns, char *buf, size_t len);
/* Parses "90s", "15m", "2h", "1d", "500ms" or plain seconds into ns.
 * 0 or -EINVAL. */
int timefmt_parse_duration(const char *s, uint64_t *ns);
/* A point in time for --since/--until, as wall-clock ns since the epoch:
 * a duration before now_real_ns ("10m", "90s", "2h"), a UTC time
 * ("2026-11-24T19:00:00Z", the Z optional, or a space for the T) or Unix
 * seconds (a bare number of at least 1e9). 0 or -EINVAL. */
int timefmt_parse_time_spec(const char *s, int64_t now_real_ns, int64_t *real_ns);
/* A time range "@SINCE..UNTIL" (mlprofctl diff): SINCE and UNTIL are
 * timefmt_parse_time_spec forms, either may be empty (open: the start of the
 * history, now); "@SINCE" alone runs to now. Copies the two ends into buf
 * and points *since / *until at them (NULL: open). 0, or -EINVAL if spec
 * is not such a range, an end does not parse against now_real_ns, UNTIL
 * is not after SINCE, or buf is too small. */
int timefmt_parse_time_range(const char *spec, int64_t now_real_ns, char *buf, size_t len,
		     const char **since, const char **until);

#endif
