/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* --mode wall: pairs a thread's off-CPU start (its stack when it blocked)
 * with the end of the interval, and charges the duration to that stack as
 * samples at the sampling frequency (the remainder carried per thread, so
 * many short waits add up). A thread still blocked when a profile is
 * taken is charged up to then (offcpu__flush). docs/design.md decision 27. */
#ifndef MLPROF_OFFCPU_H
#define MLPROF_OFFCPU_H

#include <stddef.h>
#include <stdint.h>
#include "store.h"

/* Threads followed at once; beyond, an interval is not charged (counted). */
#define OFFCPU_MAX_THREADS 65536

struct offcpu;

/* Charges `samples` of waiting to a stack of the image proc_id, at ts_ns. */
typedef void (*offcpu_charge_fn)(void *ctx, uint32_t proc_id, const struct frame_ref *frames,
				 uint32_t n, uint64_t samples, uint64_t ts_ns);

struct offcpu_counts {
	uint64_t intervals;  /* charged */
	uint64_t unpaired;   /* ends without their start (lost), starts replaced */
	uint64_t full;       /* not followed: table full */
};

struct offcpu *offcpu__new(unsigned freq_hz, offcpu_charge_fn charge, void *ctx);
void offcpu__free(struct offcpu *o);
/* Thread tid of image proc_id blocked at start_ns in this stack (frames
 * innermost first, with its wait leaf). 0, -ENOSPC (full) or -ENOMEM. */
int offcpu__begin(struct offcpu *o, int tid, uint32_t proc_id, const struct frame_ref *frames,
		  uint32_t n, uint64_t start_ns);
/* Its interval that began at start_ns (the begin's start_ns, exactly) ended
 * at end_ns: charged. An end with no such open interval is unpaired: not
 * charged, but kept (for a thread of image proc_id, 0 unknown) in case its
 * start comes after it, which then charges the whole interval. */
void offcpu__end(struct offcpu *o, int tid, uint32_t proc_id, uint64_t start_ns,
		 uint64_t end_ns);
/* Charges every open interval up to now_ns (a snapshot is taken): its end
 * charges only the rest. */
void offcpu__flush(struct offcpu *o, uint64_t now_ns);
/* Forgets the threads of an image that ended (exit or exec), their open
 * intervals charged up to end_ns. */
void offcpu__proc_end(struct offcpu *o, uint32_t proc_id, uint64_t end_ns);
const struct offcpu_counts *offcpu__counts(const struct offcpu *o);
/* Calls fn(func, ctx) for every function id in the stacks of the open
 * intervals: the store must keep those until they are charged
 * (store__set_holders). */
void offcpu__for_each_func(const struct offcpu *o, void (*fn)(uint32_t func, void *ctx),
			   void *ctx);

#endif
