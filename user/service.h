/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* Running as a service: the log file (--log, reopened on SIGHUP) and
 * periodic snapshots to a directory (--snapshot-dir, user/snapdir.c) on a
 * timer in the daemon's epoll loop, with a last one at exit. */
#ifndef MLPROF_SERVICE_H
#define MLPROF_SERVICE_H

#include <stddef.h>

struct cJSON;
struct opts;
struct snap;
struct service;

/* Builds a snapshot of everything kept (the daemon's make_snapshot). */
typedef int (*service_snapshot_fn)(void *ctx, struct snap *s);

/* Sends stderr (every message of the daemon) to path, appending. Called at
 * start and on SIGHUP. 0 or -errno; stderr is unchanged on failure. */
int service_log_open(const char *path);

struct ev_timers;

/* Opens the snapshot directory and arms its timer on TIMERS (the loop's)
 * if o->snapshot_dir is set. NULL with errno set (message already
 * printed). */
struct service *service__new(struct ev_timers *timers, const struct opts *o, service_snapshot_fn fn,
			     void *ctx);
void service__free(struct service *s);
/* SIGHUP: reopens the log and the snapshot directory. */
void service__reload(struct service *s);
/* At exit: writes a last snapshot (with a directory); on failure says
 * what is lost. 0 or -errno. */
int service__final(struct service *s);
/* Adds "snapshots" (and "log") to a status object. */
void service__status(struct service *s, struct cJSON *status);

#endif
