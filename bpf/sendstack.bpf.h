/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* A stack sample of the current thread, walked and sent: what every
 * sampling program (timer, tick, memory, off-CPU) ends with. */
#ifndef MLPROF_SENDSTACK_BPF_H
#define MLPROF_SENDSTACK_BPF_H

#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
#include "mlprof_abi.h"
#include "maps.bpf.h"
#include "pywalk.bpf.h"
#include "pyphase.bpf.h"
#include "where.bpf.h"

/* Thread id as the target sees it (inside its own PID namespace). */
static __always_inline __u32 ns_tid_of(struct task_struct *task)
{
	struct pid *p = BPF_CORE_READ(task, thread_pid);
	unsigned int level = BPF_CORE_READ(p, level);
	struct upid up = {};

	bpf_probe_read_kernel(&up, sizeof(up), &p->numbers[level & 31]);
	return (__u32)up.nr;
}

/* The mm's resident-page counters. Before 6.2 they were atomics in a
 * struct mm_rss_stat; since, per-CPU counters whose `count` lags by up to
 * a batch per CPU (32 pages on small machines). */
struct mm_rss_stat___old {
	atomic_long_t count[4];
} __attribute__((preserve_access_index));

struct mm_struct___old {
	struct mm_rss_stat___old rss_stat;
} __attribute__((preserve_access_index));

static __always_inline __u32 mm_pages(struct mm_struct *mm, int which)
{
	long v;

	if (bpf_core_type_exists(struct mm_rss_stat___old))
		v = BPF_CORE_READ((struct mm_struct___old *)mm, rss_stat.count[which].counter);
	else
		v = BPF_CORE_READ(mm, rss_stat[which].count);
	return v > 0 ? (__u32)v : 0;
}

/* Resident pages of the current process (file + anonymous + shmem) and
 * anonymous resident pages: what `VmRSS` and `RssAnon` count. */
static __always_inline void read_rss(struct task_struct *task, __u32 *rss, __u32 *anon)
{
	struct mm_struct *mm = BPF_CORE_READ(task, mm);

	*anon = mm ? mm_pages(mm, MM_ANONPAGES) : 0;
	*rss = mm ? *anon + mm_pages(mm, MM_FILEPAGES) + mm_pages(mm, MM_SHMEMPAGES) : 0;
}

/* Walks the current thread's Python stack into s->sample and sends it as a
 * `kind` event worth `value`. Returns 0 if sent. */
static __always_inline int send_stack(struct scratch *s, struct mlprof_target *t, __u32 pid,
				      __u32 tid, __u32 kind, __u64 value, __u32 flags, __u64 addr)
{
	struct task_struct *task = bpf_get_current_task_btf();
	const struct mlprof_layout *L;
	__u64 tstate = 0, now = bpf_ktime_get_ns();
	__u32 size;

	s->sample.hdr.type = MLPROF_EV_SAMPLE;
	s->sample.hdr.pid = pid;
	s->sample.hdr.tid = tid;
	s->sample.hdr.exec_seq = t->exec_seq;
	s->sample.hdr.ts_ns = now;
	s->sample.ns_tid = ns_tid_of(task);
	s->sample.cpu = bpf_get_smp_processor_id();
	s->sample.nframes = 0;
	s->sample.kind = kind;
	s->sample.value = value;
	s->sample.addr = addr;
	if (kind != MLPROF_MK_CPU && kind != MLPROF_MK_OFFCPU)
		where_clear(&s->sample);
	/* Resident memory grows only by faults: read where they are sampled,
	 * the peaks are seen within a fault period. */
	if (kind == MLPROF_MK_FAULT) {
		read_rss(task, &s->sample.rss_pages, &s->sample.anon_pages);
		flags |= MLPROF_SF_RSS;
	} else {
		s->sample.rss_pages = 0;
		s->sample.anon_pages = 0;
	}
	L = t->layout_id ? bpf_map_lookup_elem(&layouts, &t->layout_id) : NULL;
	if (!L || !t->runtime) {
		flags |= MLPROF_SF_NO_LAYOUT;
	} else {
		tstate = find_tstate(L, t, pid, tid, s->sample.ns_tid, now, &flags);
		if (tstate)
			flags |= walk_frames(s, L, t, tstate);
	}
	flags |= phase_flags(L, t, tstate, s->sample.nframes, pid, tid);
	if (flags & MLPROF_SF_TRUNCATED)
		stat_inc(MLPROF_STAT_TRUNCATED);
	if (flags & MLPROF_SF_READ_ERR)
		stat_inc(MLPROF_STAT_READ_ERRORS);
	s->sample.flags = flags;
	size = s->sample.nframes;
	if (size > MLPROF_MAX_FRAMES)
		size = MLPROF_MAX_FRAMES;
	size = offsetof(struct mlprof_sample, frames) + size * sizeof(struct mlprof_frame);
	return bpf_ringbuf_output(&events, &s->sample, size, rb_flags()) ? -1 : 0;
}

#endif /* MLPROF_SENDSTACK_BPF_H */
