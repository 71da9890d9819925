// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* epoll plumbing shared by the ring buffer, control socket, signals and
 * timers. */
#include <errno.h>
#include <stddef.h>
#include <sys/epoll.h>
#include "evloop.h"

int evloop_add(int epfd, int fd, uint32_t events, struct ev_handler *h)
{
	struct epoll_event ev = { .events = events, .data.ptr = h };

	return epoll_ctl(epfd, EPOLL_CTL_ADD, fd, &ev) ? -errno : 0;
}

int evloop_mod(int epfd, int fd, uint32_t events, struct ev_handler *h)
{
	struct epoll_event ev = { .events = events, .data.ptr = h };

	return epoll_ctl(epfd, EPOLL_CTL_MOD, fd, &ev) ? -errno : 0;
}

void evloop_del(int epfd, int fd)
{
	epoll_ctl(epfd, EPOLL_CTL_DEL, fd, NULL);
}

int evloop_run_once(int epfd, int timeout_ms)
{
	struct epoll_event evs[32];
	struct ev_handler *h;
	int n, i;

	n = epoll_wait(epfd, evs, 32, timeout_ms);
	if (n < 0)
		return errno == EINTR ? 0 : -errno;
	for (i = 0; i < n; i++) {
		h = evs[i].data.ptr;
		h->fn(h, evs[i].events);
	}
	return n;
}
