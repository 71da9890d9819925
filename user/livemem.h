/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* --memory=live bookkeeping of the collector: each running target's
 * mappings (liveset.c), so that memory given back is charged to the stack
 * that mapped it, in the store, in the time bucket it went. */
#ifndef MLPROF_LIVEMEM_H
#define MLPROF_LIVEMEM_H

#include <stdint.h>
#include <linux/types.h>
#include "mlprof_abi.h"

struct frame_ref;
struct proc_rec;
struct store;

struct livemem;

/* NULL on ENOMEM. */
struct livemem *livemem__new(struct store *st);
void livemem__free(struct livemem *lm);
/* A process image's memory is gone (exec, exit): what it held stays
 * counted as held at its end. lm may be NULL (not live mode). */
void livemem__forget(struct livemem *lm, int pid);
/* Calls fn with the function id of every frame that owns live memory of
 * any process (for store__set_holders). */
void livemem__for_each_func(const struct livemem *lm, void (*fn)(uint32_t func, void *ctx),
			    void *ctx);
/* An ALLOC event with an address or heap growth: the mapping it made, by
 * its stack (frames, n). 0; -EALREADY when the program is finalising (not
 * its memory); -ENOMEM (counted in live_untracked_bytes: those bytes are
 * not counted live). lm may be NULL: -EALREADY. */
int livemem__mapped(struct livemem *lm, struct proc_rec *p, const struct mlprof_sample *ev,
		    const struct frame_ref *frames, uint32_t n);
/* Memory given back or moved, or the program finalising (ev of p's
 * pid). 0 (also when nothing is recorded for this image), -EINVAL for an
 * unknown operation. */
int livemem__memop(struct livemem *lm, struct proc_rec *p, const struct mlprof_memop_event *ev);

#endif
