/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* Per-task cpu-clock perf events that run the BPF sampler. Only target
 * processes get timer interrupts: on a VM a 1 kHz cpu-clock event costs the
 * interrupted task several percent, so machine-wide per-CPU events would
 * slow every process on the box (docs/design.md). Events are inherited by
 * threads and children created later, so a target's descendants are
 * sampled from their first instruction. */
#ifndef MLPROF_SAMPLER_H
#define MLPROF_SAMPLER_H

struct sampler;

#include "memprobe.h"

struct sampler_config {
	int clock_prog_fd;   /* run at freq_hz of each task's CPU time */
	unsigned freq_hz;
	/* The bridge's program (bridge.h), -1: none (the tick clock). */
	int bridge_prog_fd;
	/* Memory (all -1 when off): a program run on every fault_period-th
	 * page fault of each task, and uprobe programs on the C library's
	 * mmap, mremap and sbrk entry points, for target processes only. */
	int fault_prog_fd;
	unsigned fault_period;
	int uprobe_prog_fd[MEMPROBE_NR];
	/* --memory=live: return probes (-1: none) for the same entry points. */
	int uretprobe_prog_fd[MEMPROBE_NR];
	/* --memory=live: the interpreter's Py_FinalizeEx (-1: none). */
	int finalize_prog_fd;
};

/* NULL with errno set. */
struct sampler *sampler__new(const struct sampler_config *cfg);
void sampler__free(struct sampler *s);
/* A one-shot's end: the probes waiting to be closed are left open for the
 * process that inherits them (memworker__abandon). */
void sampler__abandon_closes(struct sampler *s);
/* Samples every thread of pid and what they create, until removed.
 * 0, -EEXIST if already sampled, -ESRCH if gone, other -errno. */
int sampler__add_process(struct sampler *s, int pid);
/* Memory on: has the uprobes on pid's C library (as found by
 * memprobe_resolve()) (re)opened for pid's threads, asynchronously. Call
 * for every target process image (root, fork, exec). 0; failures are
 * counted in sampler__unprobed() unless pid is gone. */
int sampler__probe_memory(struct sampler *s, int pid);
void sampler__unprobe_memory(struct sampler *s, int pid);
/* pid's uprobes stay open until sampler__free() (or the process's exit):
 * the one-shot's command, whose exit ends the run; closing them then
 * would make the user wait for the kernel (decision 30). */
void sampler__keep_memory(struct sampler *s, int pid);
/* Waits until the probes asked for so far are open. */
void sampler__wait_memory(struct sampler *s);
/* --memory=live: has Py_FinalizeEx of the interpreter file pid maps as
 * `path` (the name in its /proc/PID/maps) probed, asynchronously. */
void sampler__probe_finalize(struct sampler *s, int pid, const char *path);
/* The bridge (bridge.h) on or off: 0, -EOPNOTSUPP without one (--clock
 * tick), other -errno if it could not open. */
int sampler__bridge(struct sampler *s, int on);
/* Times the bridge was opened, and times it could not be. */
unsigned long sampler__bridge_opens(const struct sampler *s);
unsigned long sampler__bridge_failures(const struct sampler *s);
/* Stops sampling pid's group (its descendants' inherited events too). */
void sampler__remove_process(struct sampler *s, int pid);
/* Number of open perf events. */
unsigned sampler__events(const struct sampler *s);
/* Processes whose C library could not be probed (memory on). */
unsigned sampler__unprobed(const struct sampler *s);
/* Memory probe events open now (memory on; probes open asynchronously). */
unsigned sampler__memory_probes(const struct sampler *s);

#endif
