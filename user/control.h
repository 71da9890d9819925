/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* The control socket: newline-delimited JSON requests from mlprofctl. */
#ifndef MLPROF_CONTROL_H
#define MLPROF_CONTROL_H

#include "proto.h"

/* Builds the reply line (with newline) for a valid request; NULL means out
 * of memory. */
typedef char *(*control_handler_fn)(void *ctx, const struct proto_request *req);

struct control;
struct ev_timers;

/* Creates the socket at path (mode 0660, group `group` if given, else
 * root's), removing a stale one, and registers it with epfd; a timer on
 * the loop's timers (user/evtimer.h) closes clients idle too long. NULL
 * with errno set (EADDRINUSE: another daemon answers there). */
struct control *control__new(int epfd, struct ev_timers *timers, const char *path,
			     const char *group, control_handler_fn handler, void *ctx);
/* Closes every client and removes the socket file. */
void control__free(struct control *ctl);
unsigned control__clients(const struct control *ctl);

/* Clients closed for the limits (each a count since start). */
struct control_stats {
	unsigned long long cut_idle;   /* no request and no reply taken for 10 s */
	unsigned long long cut_unread; /* over 1 MiB of replies left unread */
	unsigned long long evicted;    /* made room for a new client when full */
};
const struct control_stats *control__stats(const struct control *ctl);

#endif
