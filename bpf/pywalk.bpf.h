/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* Finds a thread's PyThreadState and walks its frame chain. */
#ifndef MLPROF_PYWALK_BPF_H
#define MLPROF_PYWALK_BPF_H

#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include "mlprof_abi.h"
#include "maps.bpf.h"
#include "pycode.bpf.h"

/* A thread without a PyThreadState is looked up again after this long. */
#define TSTATE_RETRY_NS (1000ULL * 1000)
/* A code object read at an address is taken to be there for the rest of
 * the same walk (a sample's timestamp): the frames on the stack hold it
 * alive, so the answer is exact, and a recursion or a loop of calls to one
 * function reads it once per sample. Trusting it across samples (50 ms was
 * tried) saved under 1.5 us of a 35-frame walk in interleaved runs and could
 * name a code object after one freed at its address (docs/design.md
 * decision 29). */
#define CODE_TRUST_NS 1ULL
#define PAGE_MASK_ (~4095ULL)

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

/* Returns the thread state of the current thread, or 0 with
 * MLPROF_SF_NO_RUNTIME (interpreter not initialised) or
 * MLPROF_SF_NO_TSTATE added to *flags. A cached thread state whose native
 * thread id still matches needs one read. */
static __always_inline __u64 find_tstate(const struct mlprof_layout *L,
					 const struct mlprof_target *t, __u32 pid,
					 __u32 tid, __u32 ns_tid, __u64 now, __u32 *flags)
{
	struct tstate_walk w = { .L = L, .ns_tid = ns_tid };
	struct tstate_val *c, nc = {};

	c = bpf_map_lookup_elem(&tstates, &tid);
	if (c && c->pid == pid && c->exec_seq == t->exec_seq) {
		if (c->tstate && (__u32)read_ptr(c->tstate + L->ts_native_tid) == ns_tid)
			return c->tstate;
		if (!c->tstate && now - c->miss_ns < TSTATE_RETRY_NS) {
			*flags |= MLPROF_SF_NO_TSTATE;
			return 0;
		}
	}
	w.interp = read_ptr(t->runtime + L->rt_interp_head);
	if (!w.interp) {
		*flags |= MLPROF_SF_NO_RUNTIME;
		return 0;
	}
	stat_inc(MLPROF_STAT_TSTATE_WALKS);
	bpf_loop(MLPROF_MAX_THREADS + MLPROF_MAX_INTERPS, tstate_step, &w, 0);
	nc.tstate = w.found;
	nc.miss_ns = now;
	nc.exec_seq = t->exec_seq;
	nc.pid = pid;
	bpf_map_update_elem(&tstates, &tid, &nc, BPF_ANY);
	if (!w.found)
		*flags |= MLPROF_SF_NO_TSTATE;
	return w.found;
}

/* The walk's pointers; its scalars are in s->ws (see struct walk_state). */
struct frame_walk {
	struct scratch *s;
	const struct mlprof_layout *L;
	const struct mlprof_target *t;
};

/* Offset in s->win of target memory [frame, frame + size), reading a new
 * window if the current one does not hold it; -1 if it cannot be read.
 * The window runs from the start of the frame's page to the frame's end:
 * the callers below it on that page come with it, and no page is touched
 * that the frames are not on (each page costs more than the bytes). */
static __always_inline long frame_in_window(struct scratch *s, __u64 frame, __u32 size)
{
	struct walk_state *w = &s->ws;
	__u64 end = frame + size, base = frame & PAGE_MASK_;
	__u32 len;

	/* The offset is masked to the window's page below: a frame that
	 * starts past the page (in the bytes a straddling frame brought) is
	 * read again rather than read at a wrapped offset. */
	if (frame >= w->win_base && frame - w->win_base < MLPROF_WINDOW_READ &&
	    end <= w->win_base + w->win_len)
		return (long)(frame - w->win_base);
	w->win_len = 0;
	if (end - base > sizeof(s->win))
		return -1;
	len = (__u32)(end - base);
	if (bpf_probe_read_user(s->win, len, (void *)base))
		return -1;
	w->win_base = base;
	w->win_len = len;
	return (long)(frame - base);
}

static __always_inline struct code_slot *code_slot_of(struct scratch *s, __u64 code)
{
	return &s->codes[((code >> 4) ^ (code >> 12)) & (CODE_SLOTS - 1)];
}

/* Checks that code is a code object of the target and that its names were
 * sent (sends them the first time): a read of the code object unless this
 * CPU checked it within CODE_TRUST_NS, a hash lookup unless this CPU saw it
 * with the same identity. 0 if the frame is to be recorded, else the
 * sample flag to add (or 0 with *skip set: not a code object). */
static __always_inline __u32 check_code(struct frame_walk *w, __u64 code, int *skip)
{
	struct scratch *s = w->s;
	const struct mlprof_layout *L = w->L;
	struct code_slot *cs = code_slot_of(s, code);
	__u32 pid = s->sample.hdr.pid, seq = s->sample.hdr.exec_seq;
	__u64 now = s->sample.hdr.ts_ns;
	int same = cs->code == code && cs->pid == pid && cs->exec_seq == seq;
	struct code_key key;
	__u64 ident, *seen;

	*skip = 0;
	if (same && now - cs->checked_ns < CODE_TRUST_NS)
		return 0;
	if (bpf_probe_read_user(s->codeobj, L->code_read & (MLPROF_CODE_READ - 1), (void *)code))
		return MLPROF_SF_READ_ERR;
	if (FIELD64(s->codeobj, L->ob_type, MLPROF_CODE_READ) != w->t->code_type) {
		*skip = 1;
		return 0;
	}
	ident = code_identity(s, L);
	if (!same || cs->ident != ident) {
		key.pid = pid;
		key.exec_seq = seq;
		key.code = code;
		seen = bpf_map_lookup_elem(&seen_code, &key);
		if (!seen || *seen != ident) {
			if (emit_code(s, L, code))
				return 0; /* recorded; the names are sent again next time */
			bpf_map_update_elem(&seen_code, &key, &ident, BPF_ANY);
		}
	}
	cs->code = code;
	cs->ident = ident;
	cs->pid = pid;
	cs->exec_seq = seq;
	cs->checked_ns = now;
	return 0;
}

/* Looks at one _PyInterpreterFrame: records it if it runs a code object,
 * sends the code's names the first time, and moves to the caller. */
static long frame_step(__u32 i, void *data)
{
	struct frame_walk *w = data;
	const struct mlprof_layout *L = w->L;
	struct walk_state *ws = &w->s->ws;
	struct mlprof_frame *f;
	__u64 code, instr;
	__u32 size, err;
	__s64 lasti;
	__u8 *fr;
	long off;
	int skip;
	__u8 owner;

	if (!ws->frame)
		return 1;
	if (ws->n >= MLPROF_MAX_FRAMES) {
		ws->flags |= MLPROF_SF_TRUNCATED;
		return 1;
	}
	size = L->frame_read;
	if (size > MLPROF_FRAME_READ)
		size = MLPROF_FRAME_READ;
	off = frame_in_window(w->s, ws->frame, size);
	if (off < 0) {
		ws->flags |= MLPROF_SF_READ_ERR;
		return 1;
	}
	fr = w->s->win + (off & (MLPROF_WINDOW_READ - 1));
	ws->frame = FIELD64(fr, L->fr_previous, MLPROF_FRAME_READ);
	owner = fr[L->fr_owner & (MLPROF_FRAME_READ - 1)];
	if (owner >= L->owner_skip_min)
		return 0; /* C-stack shim or interpreter entry frame */
	code = FIELD64(fr, L->fr_code, MLPROF_FRAME_READ) & ~L->code_tag_mask;
	instr = FIELD64(fr, L->fr_instr, MLPROF_FRAME_READ);
	if (!code) {
		ws->flags |= MLPROF_SF_READ_ERR;
		return 0;
	}
	err = check_code(w, code, &skip);
	if (err || skip) {
		ws->flags |= err;
		return 0;
	}
	lasti = -1;
	if (instr >= code + L->co_code_adaptive) {
		instr = (instr - code - L->co_code_adaptive) >> 1;
		if (instr <= 0x7fffffff)
			lasti = (__s64)instr;
	}
	f = &w->s->sample.frames[ws->n & (MLPROF_MAX_FRAMES - 1)];
	f->code = code;
	f->lasti = (__s32)lasti;
	f->owner = owner;
	ws->n++;
	return 0;
}

/* Fills s->sample.frames; returns sample flags. */
static __always_inline __u32 walk_frames(struct scratch *s, const struct mlprof_layout *L,
					 const struct mlprof_target *t, __u64 tstate)
{
	struct frame_walk w = { .s = s, .L = L, .t = t };
	struct walk_state *ws = &s->ws;

	if (L->has_cframe)
		ws->frame = read_ptr(read_ptr(tstate + L->ts_frame) + L->cframe_frame);
	else
		ws->frame = read_ptr(tstate + L->ts_frame);
	ws->win_base = 0;
	ws->win_len = 0;
	ws->n = 0;
	ws->flags = 0;
	bpf_loop(MLPROF_MAX_FRAMES + 64, frame_step, &w, 0);
	if (ws->frame && !(ws->flags & MLPROF_SF_READ_ERR))
		ws->flags |= MLPROF_SF_TRUNCATED;
	s->sample.nframes = ws->n;
	return ws->flags;
}

#endif /* MLPROF_PYWALK_BPF_H */
