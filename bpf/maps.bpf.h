/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* Maps shared by the sampler and the process tracepoints. */
#ifndef MLPROF_MAPS_BPF_H
#define MLPROF_MAPS_BPF_H

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

/* Per-CPU scratch: events are built here, then copied out with their real
 * size (a sample with 20 frames ships 20 frames, not 512). */
struct scratch {
	struct mlprof_sample sample;
	struct mlprof_code code;
	__u8 frame[MLPROF_FRAME_READ];
	__u8 codeobj[MLPROF_CODE_READ];
	__u8 obj[64];
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct scratch);
} scratch_map SEC(".maps");

static __always_inline void stat_inc(__u32 idx)
{
	__u64 *v = bpf_map_lookup_elem(&stats, &idx);

	if (v)
		*v += 1;
}

#endif /* MLPROF_MAPS_BPF_H */
