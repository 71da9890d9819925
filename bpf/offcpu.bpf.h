/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* --mode wall: the time a target thread spends blocked, charged to its
 * Python stack at the moment it blocked (docs/design.md decision 27).
 * At sched_switch, prev is still current: a target thread that leaves in
 * a sleeping state has its stack walked (its user memory is readable) and
 * sent with its state and system call; when it is switched in again, a
 * small end event gives the interval. Loaded only in wall mode; every
 * other task returns after one hash lookup per side. */
#ifndef MLPROF_OFFCPU_BPF_H
#define MLPROF_OFFCPU_BPF_H

#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include "mlprof_abi.h"
#include "maps.bpf.h"
#include "where.bpf.h"
#include "sendstack.bpf.h"

#define OFFCPU_TASK_INTERRUPTIBLE 0x1
#define OFFCPU_TASK_UNINTERRUPTIBLE 0x2
#define OFFCPU_EXIT_OR_DEAD 0xf0 /* EXIT_DEAD, EXIT_ZOMBIE, TASK_PARKED, TASK_DEAD */

/* Host tid -> when its off-CPU interval began. */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 65536);
	__type(key, __u32);
	__type(value, __u64);
} offcpu_start SEC(".maps");

/* prev (current) blocks: its stack, state and system call. */
static __always_inline void offcpu_out(struct mlprof_target *t, __u32 pid, __u32 tid,
				       unsigned int state)
{
	struct scratch *s = scratch_get(SCRATCH_OFFCPU);
	__u64 ts;

	if (!s)
		return;
	where_capture_blocked(&s->sample);
	if (send_stack(s, t, pid, tid, MLPROF_MK_OFFCPU, state, 0, 0)) {
		stat_inc(MLPROF_STAT_OFFCPU_DROPS);
		return;
	}
	stat_inc(MLPROF_STAT_OFFCPU_EVENTS);
	ts = s->sample.hdr.ts_ns;
	bpf_map_update_elem(&offcpu_start, &tid, &ts, BPF_ANY);
}

/* next runs again: the end of its interval, if it began one. */
static __always_inline void offcpu_in(struct mlprof_target *t, __u32 pid, __u32 tid)
{
	struct mlprof_offcpu_end ev = {};
	__u64 *start = bpf_map_lookup_elem(&offcpu_start, &tid);

	if (!start)
		return;
	ev.hdr.type = MLPROF_EV_OFFCPU_END;
	ev.hdr.pid = pid;
	ev.hdr.tid = tid;
	ev.hdr.exec_seq = t->exec_seq;
	ev.hdr.ts_ns = bpf_ktime_get_ns();
	ev.start_ns = *start;
	bpf_map_delete_elem(&offcpu_start, &tid);
	if (bpf_ringbuf_output(&events, &ev, sizeof(ev), 0))
		stat_inc(MLPROF_STAT_OFFCPU_DROPS);
}

SEC("tp_btf/sched_switch")
int BPF_PROG(on_switch, bool preempt, struct task_struct *prev, struct task_struct *next,
	     unsigned int prev_state)
{
	__u32 ppid = prev->tgid, npid = next->tgid;
	struct mlprof_target *t;

	/* Blocked: a sleeping state, not preempted, not exiting. A thread
	 * preempted while runnable waits for a CPU, which is the machine's
	 * load, not the program's: not counted (decision 27; walking it on
	 * every preemption also moved CPU samples into the kernel). */
	if (!preempt && (prev_state & (OFFCPU_TASK_INTERRUPTIBLE | OFFCPU_TASK_UNINTERRUPTIBLE)) &&
	    !(prev_state & OFFCPU_EXIT_OR_DEAD) && ppid) {
		t = bpf_map_lookup_elem(&targets, &ppid);
		if (t)
			offcpu_out(t, ppid, (__u32)prev->pid, prev_state);
	}
	if (npid) {
		t = bpf_map_lookup_elem(&targets, &npid);
		if (t)
			offcpu_in(t, npid, (__u32)next->pid);
	}
	return 0;
}

#endif /* MLPROF_OFFCPU_BPF_H */
