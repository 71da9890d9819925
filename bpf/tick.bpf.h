/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* --clock tick: a sample of a target task at the scheduler's updates of
 * its CPU time (sched_stat_runtime) made in an interrupt of it (the tick),
 * weighed by the CPU time it ran since its last sample. No perf event and
 * no interrupt of its own: the kernel takes the tick anyway
 * (docs/design.md decision 28). */
#ifndef MLPROF_TICK_BPF_H
#define MLPROF_TICK_BPF_H

#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include "maps.bpf.h"
#include "arch.bpf.h"
#include "where.bpf.h"
#include "sendstack.bpf.h"

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

extern int CONFIG_HZ __kconfig __weak;

/* The scheduler updates a task's clock at every tick, but also whenever
 * another task is woken up on its CPU: on a busy machine ten times as
 * often. A thread is walked at most once per 3/4 of a tick of its CPU time
 * (250 HZ: 3 ms); the time of the events in between goes to the next walk,
 * as a timer sample stands for its period. */
static __always_inline __u64 tick_min_ns(void)
{
	return CONFIG_HZ > 0 ? 750000000ULL / (__u64)CONFIG_HZ : 750000ULL;
}

/* Nanoseconds of CPU time to charge to a sample taken now (and then
 * remembers where the thread's clock stands), or 0: too soon to walk. */
static __always_inline __u64 tick_weight(__u32 pid, __u32 tid, __u64 sum_ns, __u64 runtime)
{
	struct tick_last_val *last = bpf_map_lookup_elem(&tick_last, &tid), nv = {};
	__u64 w;

	if (!last || last->pid != pid || sum_ns < last->sum_ns) {
		/* First event of the thread: what it ran since the last update. */
		nv.sum_ns = sum_ns >= runtime ? sum_ns - runtime : 0;
		nv.pid = pid;
		bpf_map_update_elem(&tick_last, &tid, &nv, BPF_ANY);
		last = bpf_map_lookup_elem(&tick_last, &tid);
		if (!last)
			return runtime;
	}
	w = sum_ns - last->sum_ns;
	if (w < tick_min_ns())
		return 0;
	last->sum_ns = sum_ns;
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
	/* Walk only when the task was interrupted (the tick, or a wake-up
	 * from another device's interrupt), not inside a system call: the
	 * clock is also updated when the task reads its own CPU time
	 * (clock_gettime, getrusage) and when it goes to sleep, and those
	 * follow what the program does. Walking there charged a loop timing
	 * its own chunks 95/5 instead of 70/30. Their time goes to the next
	 * walk. */
	if (!arch_entered_by_interrupt(curr)) {
		stat_inc(MLPROF_STAT_TICK_SHORT);
		return 0;
	}
	w = tick_weight(pid, tid, curr->se.sum_exec_runtime, runtime);
	if (!w) {
		stat_inc(MLPROF_STAT_TICK_SHORT);
		return 0;
	}
	stat_inc(MLPROF_STAT_SAMPLES);
	s = scratch_get(SCRATCH_CLOCK);
	if (!s)
		return 0;
	where_capture(&s->sample, t, NULL); /* the user registers it was interrupted in */
	if (send_stack(s, t, pid, tid, MLPROF_MK_CPU_NS, w, 0, 0))
		stat_inc(MLPROF_STAT_SAMPLE_DROPS);
	return 0;
}

#endif /* MLPROF_TICK_BPF_H */
