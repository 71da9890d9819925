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

/* prog_fd: the perf_event BPF program. NULL with errno set. */
struct sampler *sampler__new(int prog_fd, unsigned freq_hz);
void sampler__free(struct sampler *s);
/* Samples every thread of pid and what they create, until removed.
 * 0, -EEXIST if already sampled, -ESRCH if gone, other -errno. */
int sampler__add_process(struct sampler *s, int pid);
/* Stops sampling pid's group (its descendants' inherited events too). */
void sampler__remove_process(struct sampler *s, int pid);
/* Number of open perf events. */
unsigned sampler__events(const struct sampler *s);

#endif
