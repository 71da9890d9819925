/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* Opens and closes the per-process memory uprobes on a worker thread.
 * Both are slow: closing a uprobe event waits for an SRCU grace period
 * (40-100 ms on this kind of VM) and opening one can wait behind a close
 * of the same probe. On the event loop they delayed exec events so much
 * that short-lived targets exited before they were seen. The event loop
 * only queues requests; the worker owns every uprobe descriptor. */
#ifndef MLPROF_MEMWORKER_H
#define MLPROF_MEMWORKER_H

#include "memprobe.h"

struct memworker;

/* prog_fd[i]: the program for entry point i, ret_fd[i] for its return
 * (-1: none). NULL with errno set. */
struct memworker *memworker__new(const int prog_fd[MEMPROBE_NR], const int ret_fd[MEMPROBE_NR],
				 int finalize_fd);
/* Queues: (re)probe pid's C library / close pid's probes. Never blocks
 * on the kernel. A request that cannot be queued (no memory) is counted
 * as unprobed. */
void memworker__probe(struct memworker *w, int pid);
void memworker__unprobe(struct memworker *w, int pid);
/* Queues a probe on Py_FinalizeEx of the interpreter file at path for pid
 * (closed with pid's other probes). */
void memworker__probe_finalize(struct memworker *w, int pid, const char *path);
/* Waits until every queued request is handled (one-shot: the command is
 * released only once its probes are in place). */
void memworker__wait(struct memworker *w);
/* Probe events open now; processes that could not be probed so far. */
unsigned memworker__events(const struct memworker *w);
unsigned memworker__unprobed(const struct memworker *w);
/* Finishes the queue, closes every probe, stops the thread. */
void memworker__free(struct memworker *w);
/* A one-shot's end: the closers stop without closing what waits for them;
 * those descriptors stay open for the process that inherits them
 * (oneshot.h). Returns once no close is in progress, after at most the
 * ones that were (the worker thread and the probes stay). */
void memworker__abandon(struct memworker *w);

#endif
