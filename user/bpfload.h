/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* Loads the BPF programs, attaches the process tracepoints, and gives
 * typed access to the maps. The sampler program is attached per target
 * task by sampler.c. */
#ifndef MLPROF_BPFLOAD_H
#define MLPROF_BPFLOAD_H

#include <linux/types.h>
#include <stdbool.h>
#include <stdint.h>
#include "mlprof_abi.h"

struct bpf_config {
	unsigned freq_hz;
	unsigned ringbuf_mb;
	bool exec_all; /* report every exec, not only those of targets */
	bool memory;   /* load the memory programs */
	bool live;     /* and those of --memory=live (return and unmap probes) */
	unsigned fault_period; /* walk one user page fault in this many */
	bool wall;     /* --mode wall: load the off-CPU program (sched_switch) */
	bool tick;     /* --clock tick: the sched_stat_runtime program, no perf sampler */
	bool oneshot;  /* one command's processes, not the machine's: smaller caches */
	unsigned pieces_off; /* enum mlprof_piece_off: benchmarks only (MLPROF_BENCH_OFF) */
	bool verbose;  /* say when a cached BTF could not be used */
	const char *btf_path; /* minimized kernel BTF for CO-RE (btfcache.h), NULL: the kernel's */
};

/* Receives each ring buffer record; returning non-zero stops consumption. */
typedef int (*bpf_event_fn)(void *ctx, void *data, size_t size);

struct bpf_ctx;

/* Opens, configures, loads and attaches. NULL with errno set; a message
 * for people goes to stderr. */
struct bpf_ctx *bpfload__open(const struct bpf_config *cfg, bpf_event_fn fn, void *fn_ctx);
void bpfload__close(struct bpf_ctx *b);
/* The BPF object's ELF bytes (the skeleton's). */
const void *bpfload__object(size_t *n);
int bpfload__ringbuf_fd(const struct bpf_ctx *b);
/* Consumes every record available now. Records consumed or -errno. */
int bpfload__consume(struct bpf_ctx *b);
unsigned bpfload__ncpus(const struct bpf_ctx *b);
/* The perf_event program, for sampler.c. */
int bpfload__sample_prog_fd(const struct bpf_ctx *b);
struct sampler_config;
/* The programs sampler.c attaches (memory ones -1 when not measured);
 * leaves freq_hz and fault_period to the caller. */
void bpfload__sampler_config(const struct bpf_ctx *b, struct sampler_config *cfg);

int bpfload__get_target(struct bpf_ctx *b, uint32_t pid, struct mlprof_target *t);
/* flags: BPF_ANY, BPF_NOEXIST, BPF_EXIST. */
int bpfload__set_target(struct bpf_ctx *b, uint32_t pid, const struct mlprof_target *t,
			uint64_t flags);
int bpfload__del_target(struct bpf_ctx *b, uint32_t pid);
/* Registers a layout (or finds an identical one); *id is never 0. */
int bpfload__layout_id(struct bpf_ctx *b, const struct mlprof_layout *L, uint32_t *id);
/* Sums the per-CPU counters. */
int bpfload__stats(struct bpf_ctx *b, uint64_t out[MLPROF_STAT_NR]);
/* Number of entries in the target map (for status). */
unsigned bpfload__target_count(struct bpf_ctx *b);

#endif
