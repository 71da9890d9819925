/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* Saturating sums of signed byte counts (--memory=live: mapped minus given
 * back). Values can come from a snapshot file anyone could have edited, so
 * a sum must never overflow (undefined behaviour in C): it sticks at the
 * limit instead. */
#ifndef MLPROF_SATMATH_H
#define MLPROF_SATMATH_H

#include <stdint.h>

static inline int64_t sat_add_i64(int64_t a, int64_t b)
{
	int64_t r;

	if (__builtin_add_overflow(a, b, &r))
		r = b > 0 ? INT64_MAX : INT64_MIN;
	return r;
}

static inline int64_t sat_sub_i64(int64_t a, int64_t b)
{
	int64_t r;

	if (__builtin_sub_overflow(a, b, &r))
		r = b < 0 ? INT64_MAX : INT64_MIN;
	return r;
}

#endif
