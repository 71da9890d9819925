/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* Interpreter phases: where a CPython build keeps the two facts that name
 * time spent with no Python code of its own, and how a sample is named
 * from what the BPF side read there.
 *
 * - the runtime is finalizing: _PyRuntime._finalizing holds the thread
 *   state running Py_FinalizeEx from just after the atexit handlers until
 *   the process ends (never cleared on the way out);
 * - the runtime is still starting: _PyRuntime.initialized is 0 until
 *   Py_Initialize is done (site imported), and again once finalizing;
 * - the cyclic GC runs: PyInterpreterState.gc.collecting is 1 for a whole
 *   collection, callbacks included.
 * 3.11 and 3.12: offsets from a table (checked with offsetof against each
 * version's internal headers and on live interpreters); 3.13+: read from
 * the interpreter's _Py_DebugOffsets (runtime_state.finalizing,
 * interpreter_state.gc + gc.collecting, thread_state.interp), at entry
 * positions tabled per minor version (docs/design.md, "Interpreter phases"). */
#ifndef MLPROF_PYPHASE_H
#define MLPROF_PYPHASE_H

#include <linux/types.h>
#include <stddef.h>
#include <stdint.h>
#include "mlprof_abi.h"
#include "store.h"

/* The names of the phase pseudo functions (user/store.c's table). */
#define PYPHASE_SHUTDOWN_NAME "<interpreter shutdown>"
#define PYPHASE_GC_NAME "<garbage collection>"

/* Fills L's phase fields (rt_finalizing, rt_initialized,
 * interp_gc_collecting, ts_interp)
 * for the given PY_VERSION_HEX; for 3.13+ blob holds the start of
 * _PyRuntime (its debug offsets). Returns a pylayout_err: offsets that
 * are misaligned or outside the structures' own sizes are
 * PYLAYOUT_INVALID, and L's phase fields are then left 0. */
int pyphase_fill(uint32_t version_hex, const uint8_t *blob, size_t blob_len,
		 struct mlprof_layout *L);

/* The pseudo function that stands for a sample with no Python frame,
 * from its MLPROF_SF_* flags and its process's inspect_status. */
enum store_pseudo pyphase_pseudo(uint32_t flags, int inspect_status);

/* Puts `gc` on top (index 0, the innermost end) of the n frames in f
 * (room for cap). Returns the new count; n unchanged when f is full. */
uint32_t pyphase_push_gc(struct frame_ref *f, uint32_t n, uint32_t cap, uint32_t gc);

/* What a snapshot stack shows of the phases: PYPHASE_IN_SHUTDOWN (its
 * root is <interpreter shutdown>), PYPHASE_IN_GC (its innermost frame is
 * <garbage collection>). */
#define PYPHASE_IN_SHUTDOWN 1u
#define PYPHASE_IN_GC 2u
unsigned pyphase_of_stack(const struct snap *s, const struct snap_stack *st);

/* Samples in each phase per process: shutdown[i], gc[i] for s->procs[i]
 * (arrays of s->nprocs, filled here). */
void pyphase_proc_samples(const struct snap *s, uint64_t *shutdown, uint64_t *gc);

#endif
