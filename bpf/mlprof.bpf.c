// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* mlprof's BPF side: a cpu-clock sampler that walks CPython stacks of target
 * processes, and the sched tracepoints that keep the target set. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include "mlprof_abi.h"
#include "maps.bpf.h"
#include "pycode.bpf.h"
#include "pywalk.bpf.h"
#include "pyphase.bpf.h"
#include "where.bpf.h"
#include "arch.bpf.h"
#include "sendstack.bpf.h"
#include "tick.bpf.h"
#include "offcpu.bpf.h"

char LICENSE[] SEC("license") = "Dual BSD/GPL";

/* Send an exec event for every exec on the machine (user space decides
 * whether the new program is a target), not only for targets. */
const volatile bool exec_all = false;
/* Page size in KiB, for RSS counters kept in pages. */
const volatile __u32 page_kb = 4;

/* Process id as the target sees it (inside its own PID namespace). */
static __always_inline __u32 ns_pid_of(struct task_struct *task)
{
	struct pid *p = BPF_CORE_READ(task, group_leader, thread_pid);
	unsigned int level = BPF_CORE_READ(p, level);
	struct upid up = {};

	bpf_probe_read_kernel(&up, sizeof(up), &p->numbers[level & 31]);
	return (__u32)up.nr;
}

/* The perf_event programs' walk, verified once (issue 15: ~80k
 * instructions and ~100 ms of start-up each): on_sample (timer clock) and
 * on_fault are stubs that leave their event's arguments in their scratch
 * slot, name the slot in perf_walk_slot and tail call perf_walk. A
 * perf_event program never runs inside another one on the same CPU (the
 * kernel's per-CPU bpf_prog_active guard skips it), so one per-CPU word
 * is enough. User space puts perf_walk in slot 0. A failed tail call is a
 * lost event, counted as the stub's drop. */
struct {
	__uint(type, BPF_MAP_TYPE_PROG_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u32);
} perf_walkers SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u32);
} perf_walk_slot SEC(".maps");

/* Fills s with what the walk needs besides the stack and tail calls the
 * walk; returns only if the tail call failed. */
static __always_inline void perf_tail(struct bpf_perf_event_data *ctx, struct scratch *s,
				      __u32 slot, __u32 kind, __u64 value, __u32 flags)
{
	__u32 zero = 0, *w = bpf_map_lookup_elem(&perf_walk_slot, &zero);

	if (!w)
		return;
	*w = slot;
	s->sample.kind = kind;
	s->sample.value = value;
	s->sample.flags = flags;
	bpf_tail_call(ctx, &perf_walkers, 0);
}

SEC("perf_event")
int perf_walk(struct bpf_perf_event_data *ctx)
{
	__u64 id = bpf_get_current_pid_tgid();
	__u32 pid = id >> 32, zero = 0, *slot, fault;
	struct mlprof_target *t;
	struct scratch *s;
	int err;

	(void)ctx;
	slot = bpf_map_lookup_elem(&perf_walk_slot, &zero);
	t = bpf_map_lookup_elem(&targets, &pid);
	s = slot && t ? scratch_get(*slot) : NULL;
	if (!s)
		return 0;
	fault = *slot == SCRATCH_FAULT;
	err = send_stack(s, t, pid, (__u32)id, s->sample.kind, s->sample.value, s->sample.flags,
			 0);
	if (err)
		stat_inc(fault ? MLPROF_STAT_MEM_DROPS : MLPROF_STAT_SAMPLE_DROPS);
	else if (fault)
		stat_inc(MLPROF_STAT_MEM_EVENTS);
	return 0;
}

/* The process a per-task event was opened for: an event a task inherited
 * at a fork is a copy whose parent is the event user space opened. 0 if
 * unknown. */
static __always_inline __u32 event_owner(struct bpf_perf_event_data *ctx)
{
	struct bpf_perf_event_data_kern *k = (void *)ctx;
	struct perf_event *e = BPF_CORE_READ(k, event), *top;

	if (!e)
		return 0;
	top = BPF_CORE_READ(e, parent);
	return BPF_CORE_READ(top ? top : e, hw.target, tgid);
}

/* Whether a sample of t is a duplicate: t was given events of its own
 * (t->cover) and this one is another, inherited before. An owner that
 * cannot be read counts (a lost sample is worse than a rare double). */
static __always_inline int duplicate(struct bpf_perf_event_data *ctx,
				     const struct mlprof_target *t)
{
	__u32 owner;

	if (!t->cover)
		return 0;
	owner = event_owner(ctx);
	if (!owner || owner == t->cover)
		return 0;
	stat_inc(MLPROF_STAT_DUP_SAMPLES);
	return 1;
}

/* A timer sample of target t: the walk, by tail call. */
static __always_inline void clock_sample(struct bpf_perf_event_data *ctx,
					 const struct mlprof_target *t)
{
	struct scratch *s;
	__u32 flags = 0;

	stat_inc(MLPROF_STAT_SAMPLES);
	s = scratch_get(SCRATCH_CLOCK);
	if (!s)
		return;
	if (arch_in_kernel(ctx))
		flags |= MLPROF_SF_KERNEL;
	where_capture_perf(&s->sample, t, ctx);
	perf_tail(ctx, s, SCRATCH_CLOCK, MLPROF_MK_CPU, 1, flags);
	stat_inc(MLPROF_STAT_SAMPLE_DROPS);
}

SEC("perf_event")
int on_sample(struct bpf_perf_event_data *ctx)
{
	__u32 pid = bpf_get_current_pid_tgid() >> 32;
	struct mlprof_target *t;

	if (!pid)
		return 0;
	t = bpf_map_lookup_elem(&targets, &pid);
	if (t && !duplicate(ctx, t))
		clock_sample(ctx, t);
	return 0;
}

/* The bridge: per-CPU cpu-clock events at the same frequency, open only
 * while user space sets up a process's per-task events and a little after
 * (user/bridge.c). They sample whatever runs; only a child that inherited
 * no event (MLPROF_TF_BRIDGE) and has none of its own yet counts. */
SEC("perf_event")
int on_bridge(struct bpf_perf_event_data *ctx)
{
	__u32 pid = bpf_get_current_pid_tgid() >> 32;
	struct mlprof_target *t;

	if (!pid)
		return 0;
	t = bpf_map_lookup_elem(&targets, &pid);
	if (!t || !(t->flags & MLPROF_TF_BRIDGE) || t->cover)
		return 0;
	stat_inc(MLPROF_STAT_BRIDGE_SAMPLES);
	clock_sample(ctx, t);
	return 0;
}

/* ---- memory: who maps memory and who makes it resident ----
 * uprobes on the C library's mmap, mremap and brk entry points, and a
 * perf_event program on per-task page-fault events, all opened by
 * user/sampler.c on target processes only: other processes never run
 * these programs (syscall tracepoints would move every task of the
 * machine to the slow syscall path; this kernel refuses fentry). */

const volatile __u32 fault_period = MLPROF_FAULT_PERIOD_DEFAULT;
const volatile __u32 page_size = 4096;

static __always_inline void send_mem(__u32 slot, __u32 kind, __u64 bytes, __u32 flags,
				     __u64 addr)
{
	__u64 id = bpf_get_current_pid_tgid();
	__u32 pid = id >> 32;
	struct mlprof_target *t;
	struct scratch *s;

	if (!bytes)
		return;
	t = bpf_map_lookup_elem(&targets, &pid);
	if (!t)
		return;
	s = scratch_get(slot);
	if (!s)
		return;
	if (send_stack(s, t, pid, (__u32)id, kind, bytes, flags, addr))
		stat_inc(MLPROF_STAT_MEM_DROPS);
	else
		stat_inc(MLPROF_STAT_MEM_EVENTS);
}

/* The memory uprobes' walk, verified once: each uprobe program is a stub
 * that leaves its event's arguments in the memory scratch slot and tail
 * calls mem_walk (same program type), instead of inlining the walk and
 * having the verifier walk it once per program (issue 15: about 80 ms of
 * start-up each). User space puts mem_walk in slot 0. */
struct {
	__uint(type, BPF_MAP_TYPE_PROG_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u32);
} mem_walkers SEC(".maps");

/* A memory uprobe's allocation event: a target's only. A failed tail call
 * (no walker) is a lost event. */
static __always_inline void send_alloc(struct pt_regs *ctx, __u64 bytes, __u32 flags,
				       __u64 addr)
{
	__u32 pid = bpf_get_current_pid_tgid() >> 32;
	struct scratch *s;

	if (!bytes || !bpf_map_lookup_elem(&targets, &pid))
		return;
	s = scratch_get(SCRATCH_MEM);
	if (!s)
		return;
	s->sample.value = bytes;
	s->sample.flags = flags;
	s->sample.addr = addr;
	bpf_tail_call(ctx, &mem_walkers, 0);
	stat_inc(MLPROF_STAT_MEM_DROPS);
}

SEC("uprobe")
int mem_walk(struct pt_regs *ctx)
{
	struct scratch *s = scratch_get(SCRATCH_MEM);

	(void)ctx;
	if (s)
		send_mem(SCRATCH_MEM, MLPROF_MK_ALLOC, s->sample.value, s->sample.flags,
			 s->sample.addr);
	return 0;
}

/* --memory=live: memory given back. A lost one would leave bytes counted
 * as live for good, so losses are counted apart (MEMOP_DROPS). */
static __always_inline void send_memop(__u32 op, __u64 addr, __u64 len, __u64 old_addr,
				       __u64 old_len)
{
	__u64 id = bpf_get_current_pid_tgid();
	__u32 pid = id >> 32;
	struct mlprof_memop_event ev = {};
	struct mlprof_target *t;

	t = bpf_map_lookup_elem(&targets, &pid);
	if (!t)
		return;
	ev.hdr.type = MLPROF_EV_MEMOP;
	ev.hdr.pid = pid;
	ev.hdr.tid = (__u32)id;
	ev.hdr.exec_seq = t->exec_seq;
	ev.hdr.ts_ns = bpf_ktime_get_ns();
	ev.op = op;
	ev.addr = addr;
	ev.len = len;
	ev.old_addr = old_addr;
	ev.old_len = old_len;
	if (bpf_ringbuf_output(&events, &ev, sizeof(ev), rb_flags()))
		stat_inc(MLPROF_STAT_MEMOP_DROPS);
}

/* --memory=live: a mapping call between its entry and its return, where
 * the address is known. */
const volatile bool live_mode = false;

struct pending_map {
	__u64 len;
	__u64 old_addr, old_len;
};

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 8192);
	__type(key, __u32); /* tid */
	__type(value, struct pending_map);
} pending_maps SEC(".maps");

static __always_inline void pend(__u64 len, __u64 old_addr, __u64 old_len)
{
	__u64 id = bpf_get_current_pid_tgid();
	__u32 tid = (__u32)id, pid = id >> 32;
	struct pending_map pm = { len, old_addr, old_len };

	if (bpf_map_lookup_elem(&targets, &pid))
		bpf_map_update_elem(&pending_maps, &tid, &pm, BPF_ANY);
}

/* This thread's pending call, removed; 0 if none. */
static __always_inline int unpend(struct pending_map *out)
{
	__u32 tid = (__u32)bpf_get_current_pid_tgid();
	struct pending_map *pm = bpf_map_lookup_elem(&pending_maps, &tid);

	if (!pm)
		return 0;
	*out = *pm;
	bpf_map_delete_elem(&pending_maps, &tid);
	return 1;
}

#define PROT_NONE_ 0x0
#define MAP_ANONYMOUS_ 0x20
#define MAP_NORESERVE_ 0x4000
#define MAP_STACK_ 0x20000
#define MAP_FAILED_ ((unsigned long)-4095) /* errors are -4095..-1 */

/* mmap(addr, len, prot, flags, fd, off): heap memory only: anonymous,
 * accessible, not a thread stack or a reservation (glibc's per-thread
 * arenas map PROT_NONE first). Live mode walks at the return, where the
 * address is known. */
SEC("uprobe")
int BPF_KPROBE(on_mmap, void *addr, unsigned long len, int prot, int flags)
{
	(void)addr;
	if (!(flags & MAP_ANONYMOUS_) || prot == PROT_NONE_ || (flags & (MAP_STACK_ | MAP_NORESERVE_)))
		return 0;
	if (live_mode)
		pend(len, 0, 0);
	else
		send_alloc(ctx, len, 0, 0);
	return 0;
}

SEC("uretprobe")
int BPF_KRETPROBE(on_mmap_ret, unsigned long ret)
{
	struct pending_map pm;

	if (unpend(&pm) && ret < MAP_FAILED_)
		send_alloc(ctx, pm.len, MLPROF_SF_ADDR, ret);
	return 0;
}

/* munmap(addr, len) (live mode). */
SEC("uprobe")
int BPF_KPROBE(on_munmap, unsigned long addr, unsigned long len)
{
	send_memop(MLPROF_MO_UNMAP, addr, len, 0, 0);
	return 0;
}

/* mremap(old, old_len, new_len, flags, ...): growth (live mode: at the
 * return, the move and the growth at its new place). */
SEC("uprobe")
int BPF_KPROBE(on_mremap, void *old, unsigned long old_len, unsigned long new_len)
{
	if (live_mode)
		pend(new_len, (__u64)old, old_len);
	else if (new_len > old_len)
		send_alloc(ctx, new_len - old_len, 0, 0);
	return 0;
}

SEC("uretprobe")
int BPF_KRETPROBE(on_mremap_ret, unsigned long ret)
{
	struct pending_map pm;

	if (!unpend(&pm) || ret >= MAP_FAILED_)
		return 0;
	send_memop(MLPROF_MO_REMAP, ret, pm.len, pm.old_addr, pm.old_len);
	if (pm.len > pm.old_len)
		send_alloc(ctx, pm.len - pm.old_len, MLPROF_SF_ADDR, ret + pm.old_len);
	return 0;
}

/* Py_FinalizeEx (live mode): the interpreter tears everything down next. */
SEC("uprobe")
int BPF_KPROBE(on_finalize)
{
	send_memop(MLPROF_MO_FINALIZE, 0, 0, 0, 0);
	return 0;
}

/* sbrk(increment): how glibc's malloc grows its main heap (it does not
 * go through brk()); live mode also sees it shrink. */
SEC("uprobe")
int BPF_KPROBE(on_brk, long increment)
{
	if (increment > 0)
		send_alloc(ctx, (__u64)increment, live_mode ? MLPROF_SF_HEAP : 0, 0);
	else if (increment < 0 && live_mode)
		send_memop(MLPROF_MO_HEAP_SHRINK, 0, (__u64)-increment, 0, 0);
	return 0;
}

/* Runs on the overflow of a target task's page-fault event, once every
 * fault_period faults (the event's period), standing for that many pages. */
SEC("perf_event")
int on_fault(struct bpf_perf_event_data *ctx)
{
	__u32 pid = bpf_get_current_pid_tgid() >> 32;
	struct mlprof_target *t;
	struct scratch *s;

	t = bpf_map_lookup_elem(&targets, &pid);
	if (!t || duplicate(ctx, t))
		return 0;
	s = scratch_get(SCRATCH_FAULT);
	if (!s)
		return 0;
	perf_tail(ctx, s, SCRATCH_FAULT, MLPROF_MK_FAULT, (__u64)fault_period * page_size, 0);
	stat_inc(MLPROF_STAT_MEM_DROPS);
	return 0;
}

static __always_inline void emit_proc(struct mlprof_proc_event *ev)
{
	if (bpf_ringbuf_output(&events, ev, sizeof(*ev), BPF_RB_FORCE_WAKEUP))
		stat_inc(MLPROF_STAT_PROC_DROPS);
}

/* Separate from the sampler's scratch: a timer sample can interrupt a
 * tracepoint program on the same CPU. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct mlprof_proc_event);
} proc_scratch_map SEC(".maps");

static __always_inline struct mlprof_proc_event *proc_scratch(void)
{
	__u32 zero = 0;

	return bpf_map_lookup_elem(&proc_scratch_map, &zero);
}

/* Per-task perf events exist (the timer clock, memory): a child that
 * inherited none is flagged MLPROF_TF_BRIDGE (docs/design.md decision
 * 34). */
const volatile bool per_task_events = false;

/* Before 6.2 a task had one perf context per kind (hardware, software);
 * the cpu-clock and page-fault events are in the software one. */
struct task_struct___pre62 {
	struct perf_event_context *perf_event_ctxp[2];
};

/* Whether the task has perf events, inherited at its fork: read at the
 * end of the fork, after the kernel copied them (perf_event_init_task). */
static __always_inline int has_perf_events(struct task_struct *task)
{
	struct task_struct___pre62 *old = (void *)task;
	struct perf_event_context *ctx;

	if (bpf_core_field_size(task->perf_event_ctxp) == sizeof(void *))
		ctx = BPF_CORE_READ(task, perf_event_ctxp);
	else
		ctx = BPF_CORE_READ(old, perf_event_ctxp[1]);
	return ctx && BPF_CORE_READ(ctx, nr_events) > 0;
}

/* The process programs are raw_tp, not tp_btf: the same tracepoints and
 * arguments, every field read with BPF_CORE_READ, and libbpf needs no
 * kernel BTF for their attach (a one-shot relocates against a cached,
 * minimized BTF: docs/design.md decision 30). */
SEC("raw_tp/sched_process_fork")
int BPF_PROG(on_fork, struct task_struct *parent, struct task_struct *child)
{
	__u32 ppid = BPF_CORE_READ(parent, tgid), pid = BPF_CORE_READ(child, tgid);
	struct mlprof_proc_event *ev;
	struct mlprof_target *t, nt;
	int uncovered;

	if (ppid == pid)
		return 0; /* a new thread */
	t = bpf_map_lookup_elem(&targets, &ppid);
	if (!t)
		return 0;
	nt = *t;
	nt.flags = MLPROF_TF_INHERITED;
	uncovered = per_task_events && !has_perf_events(child);
	if (uncovered) {
		nt.flags |= MLPROF_TF_BRIDGE;
		nt.cover = 0; /* its own events, when open, set it */
	}
	if (bpf_map_update_elem(&targets, &pid, &nt, BPF_ANY))
		stat_inc(MLPROF_STAT_TARGETS_FULL);
	ev = proc_scratch();
	if (!ev)
		return 0;
	__builtin_memset(ev, 0, sizeof(*ev));
	ev->hdr.type = MLPROF_EV_FORK;
	ev->hdr.pid = pid;
	ev->hdr.tid = pid;
	ev->hdr.exec_seq = nt.exec_seq;
	ev->hdr.ts_ns = bpf_ktime_get_ns();
	ev->ppid = ppid;
	ev->ns_pid = ns_pid_of(child);
	ev->is_target = 1;
	ev->uncovered = uncovered;
	BPF_CORE_READ_STR_INTO(&ev->comm, child, comm);
	emit_proc(ev);
	return 0;
}

SEC("raw_tp/sched_process_exec")
int BPF_PROG(on_exec, struct task_struct *p, pid_t old_pid, struct linux_binprm *bprm)
{
	__u32 pid = BPF_CORE_READ(p, tgid);
	struct mlprof_proc_event *ev;
	struct mlprof_target *t;
	__u32 seq = 0;

	t = bpf_map_lookup_elem(&targets, &pid);
	if (t) {
		/* A new image: its layout is unknown until user space has
		 * inspected it; until then samples count as start-up. */
		t->exec_seq++;
		t->layout_id = 0;
		t->runtime = 0;
		t->code_type = 0;
		t->text_lo = 0;
		t->text_hi = 0;
		seq = t->exec_seq;
	} else if (!exec_all) {
		return 0;
	}
	ev = proc_scratch();
	if (!ev)
		return 0;
	__builtin_memset(ev, 0, sizeof(*ev));
	ev->hdr.type = MLPROF_EV_EXEC;
	ev->hdr.pid = pid;
	ev->hdr.tid = BPF_CORE_READ(p, pid);
	ev->hdr.exec_seq = seq;
	ev->hdr.ts_ns = bpf_ktime_get_ns();
	ev->ppid = BPF_CORE_READ(p, real_parent, tgid);
	ev->ns_pid = ns_pid_of(p);
	ev->is_target = t != NULL;
	BPF_CORE_READ_STR_INTO(&ev->comm, p, comm);
	bpf_probe_read_kernel_str(ev->filename, sizeof(ev->filename), BPF_CORE_READ(bprm, filename));
	emit_proc(ev);
	return 0;
}

SEC("raw_tp/sched_process_exit")
int BPF_PROG(on_exit, struct task_struct *p)
{
	__u32 pid = BPF_CORE_READ(p, tgid), tid = BPF_CORE_READ(p, pid);
	struct mlprof_proc_event *ev;
	struct mlprof_target *t;
	__u64 rss, hiwater;

	bpf_map_delete_elem(&tstates, &tid);
	bpf_map_delete_elem(&tick_last, &tid);
	t = bpf_map_lookup_elem(&targets, &pid);
	if (!t)
		return 0;
	if (BPF_CORE_READ(p, signal, live.counter) != 0)
		return 0; /* other threads still run */
	ev = proc_scratch();
	if (ev) {
		__builtin_memset(ev, 0, sizeof(*ev));
		ev->hdr.type = MLPROF_EV_EXIT;
		ev->hdr.pid = pid;
		ev->hdr.tid = tid;
		ev->hdr.exec_seq = t->exec_seq;
		ev->hdr.ts_ns = bpf_ktime_get_ns();
		ev->ppid = BPF_CORE_READ(p, real_parent, tgid);
		ev->exit_code = BPF_CORE_READ(p, signal, group_exit_code);
		if (!ev->exit_code)
			ev->exit_code = BPF_CORE_READ(p, exit_code);
		rss = BPF_CORE_READ(p, signal, maxrss);
		hiwater = BPF_CORE_READ(p, mm, hiwater_rss);
		ev->maxrss_kb = (rss > hiwater ? rss : hiwater) * page_kb;
		ev->is_target = 1;
		BPF_CORE_READ_STR_INTO(&ev->comm, p, comm);
		emit_proc(ev);
	}
	bpf_map_delete_elem(&targets, &pid);
	return 0;
}
