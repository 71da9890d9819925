/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* --clock tick: a sample at each scheduler update of a target task's CPU
 * time (sched_stat_runtime: in the scheduler tick for the running task, and
 * when it leaves the CPU), weighed by the CPU time it ran since its last
 * sample. No perf event and no interrupt of its own: the kernel takes the
 * tick anyway. */
#ifndef MLPROF_TICK_BPF_H
#define MLPROF_TICK_BPF_H

#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include "maps.bpf.h"

/* Per thread (key: host tid): its sum_exec_runtime when it was last
 * sampled, so that a sample weighs all the time since, including events
 * that could not walk its stack. */
struct tick_last_val {
	__u64 sum_ns;
	__u32 pid;
	__u32 pad0;
};

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 65536);
	__type(key, __u32);
	__type(value, struct tick_last_val);
} tick_last SEC(".maps");

/* Defined by the program file: walks the current thread's stack and sends
 * it. */
static __always_inline int send_stack(struct scratch *s, struct mlprof_target *t, __u32 pid,
				      __u32 tid, __u32 kind, __u64 value, __u32 flags,
				      __u64 addr);

/* Nanoseconds of CPU time to charge to this sample, and remembers where
 * the thread's clock stands. */
static __always_inline __u64 tick_weight(__u32 pid, __u32 tid, __u64 sum_ns, __u64 runtime)
{
	struct tick_last_val *last = bpf_map_lookup_elem(&tick_last, &tid), nv = {};
	__u64 w = runtime;

	if (last && last->pid == pid && sum_ns >= last->sum_ns) {
		w = sum_ns - last->sum_ns;
		last->sum_ns = sum_ns;
	} else {
		nv.sum_ns = sum_ns;
		nv.pid = pid;
		bpf_map_update_elem(&tick_last, &tid, &nv, BPF_ANY);
	}
	return w;
}

SEC("tp_btf/sched_stat_runtime")
int BPF_PROG(on_tick, struct task_struct *curr, __u64 runtime)
{
	__u32 pid = curr->tgid, tid = curr->pid;
	struct mlprof_target *t;
	struct scratch *s;
	__u64 w;

	t = pid ? bpf_map_lookup_elem(&targets, &pid) : NULL;
	if (!t) {
		stat_inc(MLPROF_STAT_TICK_OTHER);
		return 0;
	}
	/* Another CPU updating this task's clock (a remote wake-up): its user
	 * memory is not this CPU's to read. Its time goes to its next sample. */
	if (curr != bpf_get_current_task_btf()) {
		stat_inc(MLPROF_STAT_TICK_REMOTE);
		return 0;
	}
	w = tick_weight(pid, tid, curr->se.sum_exec_runtime, runtime);
	stat_inc(MLPROF_STAT_SAMPLES);
	s = scratch_get(SCRATCH_CLOCK);
	if (!s)
		return 0;
	if (send_stack(s, t, pid, tid, MLPROF_MK_CPU_NS, w, 0, 0))
		stat_inc(MLPROF_STAT_SAMPLE_DROPS);
	return 0;
}

#endif /* MLPROF_TICK_BPF_H */
