/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* --memory=live: the memory a process holds, by the stack that mapped it.
 * Regions come from mmap (and mremap growth) with their address, and from
 * sbrk growth of the heap (given back last-in first-out by sbrk(-n)); when
 * memory is given back (munmap, mremap, heap shrink) the bytes are handed
 * to a callback with the frames that mapped them, so the daemon can
 * subtract them from that stack. Pure code, bounded only by the process's
 * own mappings. */
#ifndef MLPROF_LIVESET_H
#define MLPROF_LIVESET_H

#include <stdint.h>
#include "store.h"

struct liveset;

/* bytes of memory mapped by frames[0..n-1] (innermost first) given back. */
typedef void (*live_release_fn)(void *ctx, const struct frame_ref *frames, uint32_t n,
				uint64_t bytes);

struct liveset *liveset__new(void);
/* Forgets everything (the process exec'd or exited): no callback. */
void liveset__free(struct liveset *ls);
/* [addr, addr+len) mapped by frames. Memory already held there (a
 * MAP_FIXED mapping over it) is released first. 0 or -ENOMEM (nothing
 * recorded; the caller counts it). */
int liveset__map(struct liveset *ls, uint64_t addr, uint64_t len, const struct frame_ref *frames,
		 uint32_t n, live_release_fn fn, void *ctx);
/* [addr, addr+len) given back; pieces of regions are released. */
void liveset__unmap(struct liveset *ls, uint64_t addr, uint64_t len, live_release_fn fn,
		    void *ctx);
/* mremap: what was held in [old, old+old_len) now lives at [addr, ...),
 * cut to len bytes (the cut part released). Growth is mapped separately.
 * 0 or -ENOMEM. */
int liveset__remap(struct liveset *ls, uint64_t old, uint64_t old_len, uint64_t addr,
		   uint64_t len, live_release_fn fn, void *ctx);
/* sbrk(+len) by frames / sbrk(-len). 0 or -ENOMEM. */
int liveset__heap_grow(struct liveset *ls, uint64_t len, const struct frame_ref *frames,
		       uint32_t n);
void liveset__heap_shrink(struct liveset *ls, uint64_t len, live_release_fn fn, void *ctx);
/* The program is done (interpreter finalisation): from now on nothing is
 * recorded or released, so the live bytes stay those of its end. */
void liveset__freeze(struct liveset *ls);
/* Calls fn with the function id of every frame that owns live memory
 * (repeats included): the store must keep those ids (store__set_holders)
 * until the memory is given back and charged to them. */
void liveset__for_each_func(const struct liveset *ls, void (*fn)(uint32_t func, void *ctx),
			    void *ctx);
int liveset__frozen(const struct liveset *ls);
/* Bytes held now (regions and heap). */
uint64_t liveset__bytes(const struct liveset *ls);

#endif
