/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* Interpreter phases of a sample: the runtime finalizing (a sample with no
 * Python frame on the thread that runs Py_FinalizeEx) and the cyclic
 * garbage collector running in the thread's interpreter, the runtime not
 * initialised yet. Offsets from the
 * layout (user/pyphase.c); 0 there: the phase is not looked at. */
#ifndef MLPROF_PYPHASE_BPF_H
#define MLPROF_PYPHASE_BPF_H

#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include "mlprof_abi.h"
#include "pywalk.bpf.h"

/* The runtime's own phase, for a sample with no Python frame (a __del__
 * run by the teardown keeps its own stack):
 * - _PyRuntime._finalizing holds the finalizing thread's PyThreadState
 *   from after the atexit handlers to the end of the process: shutdown;
 * - _PyRuntime.initialized is 0 until Py_Initialize is done: start-up.
 * Only for the thread that runs them: one whose thread state is the
 * finalizing one, or, with no thread state (none yet, or all deleted), the
 * main thread; any other thread without Python frames is not the
 * runtime's. */
static __always_inline __u32 phase_runtime(const struct mlprof_layout *L,
					   const struct mlprof_target *t, __u64 tstate,
					   __u32 pid, __u32 tid)
{
	__s32 initialized = 1;
	__u32 flags = 0;
	__u64 fin = 0;

	if (L->rt_finalizing && (tstate || tid == pid))
		fin = read_ptr(t->runtime + L->rt_finalizing);
	if (fin && (!tstate || tstate == fin))
		flags = MLPROF_SF_SHUTDOWN;
	else if (!fin && L->rt_initialized && (tstate || tid == pid) &&
		 !bpf_probe_read_user(&initialized, sizeof(initialized),
				      (void *)(t->runtime + L->rt_initialized)) &&
		 !initialized)
		flags = MLPROF_SF_STARTING;
	return flags;
}

/* The thread holding the GIL (0: none, or unreadable). 3.12+: the
 * interpreter's last_holder is not cleared when the GIL is dropped: it is
 * the holder only while `locked` (the int right after it). A build whose
 * holder is not known: the current thread (collecting alone decides). */
static __always_inline __u64 gil_holder(const struct mlprof_layout *L,
					const struct mlprof_target *t, __u64 interp,
					__u64 tstate)
{
	struct {
		__u64 last_holder;
		__s32 locked;
		__s32 pad;
	} gil = {};
	__u64 holder = tstate;

	if (L->rt_gil_holder)
		holder = read_ptr(t->runtime + L->rt_gil_holder);
	else if (L->interp_gil_holder)
		holder = bpf_probe_read_user(&gil, sizeof(gil),
					     (void *)(interp + L->interp_gil_holder)) ||
				 !gil.locked
			 ? 0
			 : gil.last_holder;
	return holder;
}

/* tstate->interp->gc.collecting: set for a whole collection, callbacks
 * included (3.11-3.15). The collection is this thread's only if it holds
 * the GIL: a thread running C code without it (hashing, I/O) while
 * another one collects, or a thread that took the GIL while a finalizer
 * run by the collection let it go, is not collecting. The holder is read
 * only when collecting is set. */
static __always_inline __u32 phase_gc(const struct mlprof_layout *L,
				      const struct mlprof_target *t, __u64 tstate)
{
	__s32 collecting = 0;
	__u64 interp = 0;

	if (L->interp_gc_collecting && tstate)
		interp = read_ptr(tstate + L->ts_interp);
	if (interp && bpf_probe_read_user(&collecting, sizeof(collecting),
					  (void *)(interp + L->interp_gc_collecting)))
		collecting = 0;
	return collecting && gil_holder(L, t, interp, tstate) == tstate ? MLPROF_SF_GC : 0;
}

/* The phase flags of a sample that walked nframes frames of tstate (0:
 * none found). */
static __always_inline __u32 phase_flags(const struct mlprof_layout *L,
					 const struct mlprof_target *t, __u64 tstate,
					 __u32 nframes, __u32 pid, __u32 tid)
{
	__u32 flags = 0;

	if (L && t->runtime && !(pieces_off & MLPROF_OFF_PHASES)) {
		if (!nframes)
			flags |= phase_runtime(L, t, tstate, pid, tid);
		flags |= phase_gc(L, t, tstate);
	}
	return flags;
}

#endif /* MLPROF_PYPHASE_BPF_H */
