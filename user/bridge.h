/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* The bridge: one cpu-clock perf event per CPU, sampling whatever runs
 * there at the timer's frequency, open only while user space opens a
 * process's per-task events and a little after. Its program counts only
 * children that inherited no per-task event (MLPROF_TF_BRIDGE): forked
 * from a thread whose event was not open yet, they would otherwise go
 * unsampled until the daemon has read their fork (docs/design.md
 * decision 34). */
#ifndef MLPROF_BRIDGE_H
#define MLPROF_BRIDGE_H

struct bridge;

/* NULL with errno set. prog_fd: the bridge program (perf_event). */
struct bridge *bridge__new(int prog_fd, unsigned freq_hz);
void bridge__free(struct bridge *b);
/* Opens the events if they are not open: 0 if at least one CPU's is
 * open, else -errno (no CPU could be opened). */
int bridge__open(struct bridge *b);
void bridge__close(struct bridge *b);
int bridge__is_open(const struct bridge *b);
/* Times the events were opened (bridge__open that found them closed),
 * and times no CPU's could be (a set-up without the bridge: a child
 * forked meanwhile from a thread not covered yet is unsampled until it
 * has events of its own). */
unsigned long bridge__opens(const struct bridge *b);
unsigned long bridge__failures(const struct bridge *b);

#endif
