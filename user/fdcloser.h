/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* Closes file descriptors on a worker thread. Closing a uprobe perf event
 * waits for an SRCU grace period (40-100 ms on this kind of VM): done on
 * the event loop, every exiting target would stall sampling that long. */
#ifndef MLPROF_FDCLOSER_H
#define MLPROF_FDCLOSER_H

struct fdcloser;

/* NULL with errno set. */
struct fdcloser *fdcloser__new(void);
/* Queues fd to be closed; closes it at once if the queue cannot grow. */
void fdcloser__close(struct fdcloser *fc, int fd);
/* Closes what is queued, then stops the thread. */
void fdcloser__free(struct fdcloser *fc);

#endif
