/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* The daemon's single epoll loop: every watched fd carries a handler. */
#ifndef MLPROF_EVLOOP_H
#define MLPROF_EVLOOP_H

#include <stdint.h>

struct ev_handler {
	void (*fn)(struct ev_handler *h, uint32_t events);
};

/* Registers fd with handler h (epoll data.ptr = h). 0 or -errno. */
int evloop_add(int epfd, int fd, uint32_t events, struct ev_handler *h);
int evloop_mod(int epfd, int fd, uint32_t events, struct ev_handler *h);
void evloop_del(int epfd, int fd);
/* Waits up to timeout_ms and dispatches; -EINTR is a wake-up, not an
 * error (returns 0). Returns events handled or -errno. */
int evloop_run_once(int epfd, int timeout_ms);

#endif
