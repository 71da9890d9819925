// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* The counter table (snapstats.h) as data. */
#include "snapstats.h"

_Static_assert(sizeof(struct snap_stats) == SNAP_STAT_NR * sizeof(uint64_t),
	       "snap_stats: one uint64_t per counter, no padding");

const struct snap_stat_desc snap_stat_table[SNAP_STAT_NR] = {
#define SNAP_STAT_DESC(field, bpf, flags, metric, help, note) \
	{ #field, bpf, flags, metric, help, note },
	SNAP_STATS(SNAP_STAT_DESC)
#undef SNAP_STAT_DESC
};
