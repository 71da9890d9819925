/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* A perf event that runs a BPF program at each of its samples. */
#ifndef MLPROF_PERFBPF_H
#define MLPROF_PERFBPF_H

struct perf_event_attr;

/* Opens attr (disabled, close-on-exec) on pid and cpu as perf_event_open
 * takes them, attaches prog_fd and enables it: the fd, or -errno with
 * nothing left open. attr->size and attr->disabled are set here. */
int perfbpf_open(struct perf_event_attr *attr, int pid, int cpu, int prog_fd);

#endif
