/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* Per-function numbers derived from a snapshot's stacks. */
#ifndef MLPROF_ANALYSIS_H
#define MLPROF_ANALYSIS_H

#include <stddef.h>
#include <stdint.h>
#include "snapshot.h"

struct func_stat {
	uint32_t func;
	uint64_t self;  /* samples with the function innermost */
	uint64_t total; /* samples with the function anywhere (once each) */
	/* Memory events, counted the same way. */
	uint64_t alloc_self, alloc_total;       /* bytes mapped */
	uint64_t count_self, count_total;       /* mapping events */
	uint64_t resident_self, resident_total; /* bytes made resident */
	int64_t live_self, live_total;          /* --memory=live: bytes still held */
	/* Of self: samples under a where leaf (user/where.h) in a native
	 * object, in the kernel, and (wall mode) waiting off-CPU; the rest
	 * of self is the interpreter's. */
	uint64_t native_self, kernel_self, wait_self;
};

/* A where leaf (`<native: X>`, `<kernel: X>`, `<wait: X>`) is not a
 * function of its own here: its samples are the self time of the frame
 * above it, counted in native_self/kernel_self/wait_self too. */
/* One row per function with samples or memory, sorted by self then total samples
 * (descending), then by name. 0 or -ENOMEM. */
int analysis_functions(const struct snap *s, struct func_stat **rows, size_t *n);

#endif
