/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* Maps shared by the sampler and the process tracepoints. */
#ifndef MLPROF_MAPS_BPF_H
#define MLPROF_MAPS_BPF_H

#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include "mlprof_abi.h"

/* One ring buffer for every event kind, so user space sees them in the
 * order they happened (a code event before the samples that need it, an
 * exec before the samples of the new image). Size set by user space. */
struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 16 << 20);
} events SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, MLPROF_MAX_TARGETS);
	__type(key, __u32);
	__type(value, struct mlprof_target);
} targets SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, MLPROF_MAX_LAYOUTS);
	__type(key, __u32);
	__type(value, struct mlprof_layout);
} layouts SEC(".maps");

/* Host tid -> its PyThreadState (0: none found at miss_ns). */
struct tstate_val {
	__u64 tstate;
	__u64 miss_ns;
	__u32 exec_seq;
	__u32 pid;
};

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 65536);
	__type(key, __u32);
	__type(value, struct tstate_val);
} tstates SEC(".maps");

/* Code objects whose names were sent, with an identity that changes when
 * the address is reused by another code object. */
struct code_key {
	__u32 pid;
	__u32 exec_seq;
	__u64 code;
};

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 262144);
	__type(key, struct code_key);
	__type(value, __u64);
} seen_code SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, MLPROF_STAT_NR);
	__type(key, __u32);
	__type(value, __u64);
} stats SEC(".maps");

/* Target memory read at once below the innermost frame not yet covered
 * (to the start of its page): CPython 3.11+ keeps a thread's frames next
 * to each other on its data stack, callers below callees, so one read
 * holds many of them. */
#define MLPROF_WINDOW_READ 4096
/* Code objects remembered per CPU (a power of two). */
#define CODE_SLOTS 256

/* A code object this CPU saw: its names were sent (identity ident), and
 * it was read and found a code object at checked_ns. */
struct code_slot {
	__u64 code;
	__u64 ident;
	__u64 checked_ns;
	__u32 pid;
	__u32 exec_seq;
};

/* The frame walk's scalars between two steps of its bpf_loop. They live in
 * the scratch map value, not on the stack: the verifier does not track
 * what a map value holds, so every step starts from the same state and the
 * loop's body is verified about twice. On the stack, the known constants
 * (the sample flags; the frame count) made each step a state of its own:
 * ~80k instructions and ~70 ms of start-up per walk (docs/design.md
 * decision 30). */
struct walk_state {
	__u64 frame;
	__u64 win_base; /* win holds target memory [win_base, win_base + win_len) */
	__u32 win_len;
	__u32 n;
	__u32 flags;
	__u32 pad;
};

/* Per-CPU scratch: events are built here, then copied out with their real
 * size (a sample with 20 frames ships 20 frames, not 512). */
struct scratch {
	struct walk_state ws;
	struct mlprof_sample sample;
	struct mlprof_code code;
	__u8 win[MLPROF_WINDOW_READ + MLPROF_FRAME_READ];
	__u8 codeobj[MLPROF_CODE_READ];
	__u8 obj[64];
	struct code_slot codes[CODE_SLOTS];
};

/* obj takes a str's or a bytes' header, read in the ABI's sizes (the ones
 * user/pylayout.c checks a layout's offsets against); FIELD64's mask
 * needs a power of two. */
_Static_assert(sizeof(((struct scratch *)0)->obj) >= MLPROF_STR_HEAD_READ &&
		       sizeof(((struct scratch *)0)->obj) >= MLPROF_BYTES_HEAD_READ &&
		       !(sizeof(((struct scratch *)0)->obj) & (sizeof(((struct scratch *)0)->obj) - 1)),
	       "scratch.obj too small for the header reads, or not a power of two");

/* One scratch per kind of program that can interrupt another on the same
 * CPU: a clock sample (timer or tick: both run in interrupt context) can
 * interrupt a uprobe or a page-fault program, and a page fault can happen
 * while a uprobe program runs. The off-CPU walk (sched_switch) runs with
 * interrupts off, so nothing interrupts it, but a uprobe program runs
 * with migration disabled, not preemption (CONFIG_PREEMPT_DYNAMIC): a task
 * preempted in one can leave the memory slot half written while another
 * task blocks on its CPU. So the off-CPU walk keeps a slot of its own, as
 * it kept a map of its own before. These are all the walks' per-CPU
 * scratch (the process tracepoints' proc_scratch_map holds a process
 * event, not a walk). */
enum scratch_slot {
	SCRATCH_CLOCK = 0,
	SCRATCH_MEM = 1,
	SCRATCH_FAULT = 2,
	SCRATCH_OFFCPU = 3,
	SCRATCH_NR,
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, SCRATCH_NR);
	__type(key, __u32);
	__type(value, struct scratch);
} scratch_map SEC(".maps");

static __always_inline struct scratch *scratch_get(__u32 slot)
{
	return bpf_map_lookup_elem(&scratch_map, &slot);
}

/* Bytes waiting in the ring buffer at which a sample wakes user space up. A wake-up is an interrupt of its own (irq_work): 3.7 us
 * per event on this VM, more than the walk. Below it, user space finds the
 * events when it polls (every MLPROF_RB_POLL_MS) or when a process event
 * (always a wake-up) arrives. Set by user space. */
const volatile __u64 wake_bytes = 1 << 20;

/* enum mlprof_piece_off bits: pieces a benchmark measures by their
 * absence (0 in every real profile). Set by user space. */
const volatile __u32 pieces_off = 0;

static __always_inline __u64 rb_flags(void)
{
	return bpf_ringbuf_query(&events, BPF_RB_AVAIL_DATA) >= wake_bytes ? BPF_RB_FORCE_WAKEUP :
									   BPF_RB_NO_WAKEUP;
}

static __always_inline void stat_inc(__u32 idx)
{
	__u64 *v = bpf_map_lookup_elem(&stats, &idx);

	if (v)
		*v += 1;
}

#endif /* MLPROF_MAPS_BPF_H */
