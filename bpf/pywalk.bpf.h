/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* Finds a thread's PyThreadState and walks its frame chain. */
#ifndef MLPROF_PYWALK_BPF_H
#define MLPROF_PYWALK_BPF_H

/* A thread without a PyThreadState is looked up again after this long. */
#define TSTATE_RETRY_NS (1000ULL * 1000)

static __always_inline __u64 read_ptr(__u64 addr)
{
	__u64 v = 0;

	if (!addr || bpf_probe_read_user(&v, sizeof(v), (void *)addr))
		return 0;
	return v;
}

struct tstate_walk {
	const struct mlprof_layout *L;
	__u64 interp;
	__u64 ts;
	__u64 found;
	__u32 ns_tid;
	__u32 interps;
};

/* One step through all interpreters' thread lists. */
static long tstate_step(__u32 i, void *data)
{
	struct tstate_walk *w = data;
	const struct mlprof_layout *L = w->L;
	__u64 tid;

	if (!w->ts) {
		if (!w->interp || w->interps >= MLPROF_MAX_INTERPS)
			return 1;
		w->interps++;
		w->ts = read_ptr(w->interp + L->interp_threads_head);
		w->interp = read_ptr(w->interp + L->interp_next);
		return 0;
	}
	tid = read_ptr(w->ts + L->ts_native_tid);
	if ((__u32)tid == w->ns_tid) {
		w->found = w->ts;
		return 1;
	}
	w->ts = read_ptr(w->ts + L->ts_next);
	return 0;
}

/* Returns the thread state of the current thread, or 0. */
static __always_inline __u64 find_tstate(const struct mlprof_layout *L,
					 const struct mlprof_target *t, __u32 pid,
					 __u32 tid, __u32 ns_tid, __u64 now)
{
	struct tstate_walk w = { .L = L, .ns_tid = ns_tid };
	struct tstate_val *c, nc = {};

	c = bpf_map_lookup_elem(&tstates, &tid);
	if (c && c->pid == pid && c->exec_seq == t->exec_seq) {
		if (c->tstate && (__u32)read_ptr(c->tstate + L->ts_native_tid) == ns_tid)
			return c->tstate;
		if (!c->tstate && now - c->miss_ns < TSTATE_RETRY_NS)
			return 0;
	}
	stat_inc(MLPROF_STAT_TSTATE_WALKS);
	w.interp = read_ptr(t->runtime + L->rt_interp_head);
	if (!w.interp)
		return 0;
	bpf_loop(MLPROF_MAX_THREADS + MLPROF_MAX_INTERPS, tstate_step, &w, 0);
	nc.tstate = w.found;
	nc.miss_ns = now;
	nc.exec_seq = t->exec_seq;
	nc.pid = pid;
	bpf_map_update_elem(&tstates, &tid, &nc, BPF_ANY);
	return w.found;
}

struct frame_walk {
	struct scratch *s;
	const struct mlprof_layout *L;
	const struct mlprof_target *t;
	__u64 frame;
	__u32 n;
	__u32 flags;
};

/* Looks at one _PyInterpreterFrame: records it if it runs a code object,
 * sends the code's names the first time, and moves to the caller. */
static long frame_step(__u32 i, void *data)
{
	struct frame_walk *w = data;
	struct scratch *s = w->s;
	const struct mlprof_layout *L = w->L;
	struct mlprof_frame *f;
	struct code_key key;
	__u64 code, instr, ident, *seen;
	__u32 size;
	__s64 lasti;
	__u8 owner;

	if (!w->frame)
		return 1;
	if (w->n >= MLPROF_MAX_FRAMES) {
		w->flags |= MLPROF_SF_TRUNCATED;
		return 1;
	}
	size = L->frame_read;
	if (size > MLPROF_FRAME_READ)
		size = MLPROF_FRAME_READ;
	if (bpf_probe_read_user(s->frame, size, (void *)w->frame)) {
		w->flags |= MLPROF_SF_READ_ERR;
		return 1;
	}
	w->frame = FIELD64(s->frame, L->fr_previous, MLPROF_FRAME_READ);
	owner = s->frame[L->fr_owner & (MLPROF_FRAME_READ - 1)];
	if (owner >= L->owner_skip_min)
		return 0; /* C-stack shim or interpreter entry frame */
	code = FIELD64(s->frame, L->fr_code, MLPROF_FRAME_READ) & ~L->code_tag_mask;
	if (!code || bpf_probe_read_user(s->codeobj, L->code_read & (MLPROF_CODE_READ - 1),
					 (void *)code)) {
		w->flags |= MLPROF_SF_READ_ERR;
		return 0;
	}
	if (FIELD64(s->codeobj, L->ob_type, MLPROF_CODE_READ) != w->t->code_type)
		return 0; /* not a code object */
	instr = FIELD64(s->frame, L->fr_instr, MLPROF_FRAME_READ);
	lasti = -1;
	if (instr >= code + L->co_code_adaptive) {
		instr = (instr - code - L->co_code_adaptive) >> 1;
		if (instr <= 0x7fffffff)
			lasti = (__s64)instr;
	}

	key.pid = s->sample.hdr.pid;
	key.exec_seq = s->sample.hdr.exec_seq;
	key.code = code;
	ident = code_identity(s, L);
	seen = bpf_map_lookup_elem(&seen_code, &key);
	if ((!seen || *seen != ident) && !emit_code(s, L, &s->sample.hdr, code))
		bpf_map_update_elem(&seen_code, &key, &ident, BPF_ANY);

	f = &s->sample.frames[w->n & (MLPROF_MAX_FRAMES - 1)];
	f->code = code;
	f->lasti = (__s32)lasti;
	f->owner = owner;
	w->n++;
	return 0;
}

/* Fills s->sample.frames; returns sample flags. */
static __always_inline __u32 walk_frames(struct scratch *s, const struct mlprof_layout *L,
					 const struct mlprof_target *t, __u64 tstate)
{
	struct frame_walk w = { .s = s, .L = L, .t = t };
	__u64 frame;

	if (L->has_cframe)
		frame = read_ptr(read_ptr(tstate + L->ts_frame) + L->cframe_frame);
	else
		frame = read_ptr(tstate + L->ts_frame);
	w.frame = frame;
	bpf_loop(MLPROF_MAX_FRAMES + 64, frame_step, &w, 0);
	if (w.frame && !(w.flags & MLPROF_SF_READ_ERR))
		w.flags |= MLPROF_SF_TRUNCATED;
	s->sample.nframes = w.n;
	return w.flags;
}

#endif /* MLPROF_PYWALK_BPF_H */
