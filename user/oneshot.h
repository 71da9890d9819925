/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* Starting the one-shot command so that it is a target before it execs. */
#ifndef MLPROF_ONESHOT_H
#define MLPROF_ONESHOT_H

#include <sys/types.h>

struct oneshot {
	pid_t pid;
	int go_fd;   /* write a byte to let the child exec */
	int err_fd;  /* the child writes errno here if exec fails */
};

/* Forks a child that waits for oneshot_release(), then execs argv with
 * the signal mask and dispositions of a fresh process. 0 or -errno. */
int oneshot_spawn(struct oneshot *os, char *const argv[]);
/* Lets the child exec; returns 0, or -errno if exec failed (it then exits
 * 127). */
int oneshot_release(struct oneshot *os);
/* Hands the process's kernel objects (BPF programs, links and maps, perf
 * events: everything open) to a detached child that holds them until this
 * process has exited, then exits and so closes them: closing a uprobe or
 * a BPF link waits for an RCU grace period, ~40 ms each here, and the
 * user waits for none of it. Flushes stdio first; the child never
 * returns. If after is not NULL, a process forked by the child once this
 * one is gone, holding no file of it, runs after(arg) (work no one waits
 * for). 0 (the caller may exit without closing anything) or -errno
 * (nothing changed: close as usual). */
int oneshot_detach_teardown(void (*after)(void *), void *arg);
/* Exit status of the command the way a shell reports it. */
int oneshot_exit_code(int wait_status);

#endif
