// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Running as a service (service.h): log file, periodic snapshots. */
#include <cjson/cJSON.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>
#include "evloop.h"
#include "opts.h"
#include "service.h"
#include "snapdir.h"
#include "snapshot.h"

struct service {
	struct ev_handler h;  /* the timer; first, so the handler finds us */
	const struct opts *o;
	service_snapshot_fn fn;
	void *ctx;
	int tfd;
	struct snapdir *sd;
	uint64_t build_failed; /* snapshots that could not be built (memory) */
	uint64_t reloads;
	int log_err;           /* -errno of the last failed log reopen */
};

int service_log_open(const char *path)
{
	int fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOCTTY, 0640);
	int err = fd < 0 ? -errno : 0;

	if (!err && dup2(fd, STDERR_FILENO) < 0)
		err = -errno;
	if (fd >= 0)
		close(fd);
	return err;
}

static int64_t real_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec;
}

/* Builds, serialises and writes one snapshot; old ones are pruned first
 * (a full disk may get room that way). final: the daemon is exiting, so a
 * failure loses the profile; the caller says so. 0 or -errno. */
static int write_snapshot(struct service *s, int final)
{
	struct snap snap;
	cJSON *j = NULL;
	char *txt = NULL;
	int64_t now = real_s();
	int err = s->fn(s->ctx, &snap);

	if (!err) {
		j = snap_to_json(&snap);
		txt = j ? cJSON_PrintUnformatted(j) : NULL;
		snap_free(&snap);
		err = txt ? 0 : -ENOMEM;
	}
	if (err) {
		if (!s->build_failed++ && !final)
			fprintf(stderr, "mlprofd: snapshot not built: %s (counted in status)\n",
				strerror(-err));
	} else {
		snapdir_prune(s->sd, now);
		err = snapdir_write(s->sd, now, txt, strlen(txt), final ? NULL : stderr);
	}
	free(txt);
	cJSON_Delete(j);
	return err;
}

static void on_timer(struct ev_handler *h, uint32_t events)
{
	struct service *s = (struct service *)h;
	uint64_t expirations;

	(void)events;
	if (read(s->tfd, &expirations, sizeof(expirations)) == sizeof(expirations))
		write_snapshot(s, 0);
}

static int arm(struct service *s)
{
	struct itimerspec its = { 0 };
	uint64_t ns = s->o->snapshot_interval_ns;

	its.it_value.tv_sec = (time_t)(ns / 1000000000ULL);
	its.it_value.tv_nsec = (long)(ns % 1000000000ULL);
	its.it_interval = its.it_value;
	return timerfd_settime(s->tfd, 0, &its, NULL) ? -errno : 0;
}

struct service *service__new(int epfd, const struct opts *o, service_snapshot_fn fn, void *ctx)
{
	struct service *s = calloc(1, sizeof(*s));
	int err = s ? 0 : -ENOMEM;

	if (s) {
		s->h.fn = on_timer;
		s->o = o;
		s->fn = fn;
		s->ctx = ctx;
		s->tfd = -1;
	}
	if (!err && o->snapshot_dir) {
		s->sd = snapdir_open(o->snapshot_dir, o->snapshot_keep_ns / 1000000000ULL);
		if (!s->sd) {
			err = -errno;
			fprintf(stderr, "mlprofd: snapshot directory %s: %s\n", o->snapshot_dir,
				strerror(errno));
		}
	}
	if (!err && s->sd) {
		s->tfd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
		err = s->tfd < 0 ? -errno : arm(s);
		if (!err)
			err = evloop_add(epfd, s->tfd, EPOLLIN, &s->h);
		if (err)
			fprintf(stderr, "mlprofd: snapshot timer: %s\n", strerror(-err));
	}
	if (err) {
		service__free(s);
		s = NULL;
		errno = -err;
	}
	return s;
}

void service__free(struct service *s)
{
	if (!s)
		return;
	if (s->tfd >= 0)
		close(s->tfd);
	snapdir_close(s->sd);
	free(s);
}

void service__reload(struct service *s)
{
	int err, bad = 0;

	if (!s)
		return;
	s->reloads++;
	if (s->o->log) {
		err = service_log_open(s->o->log);
		s->log_err = err;
		bad |= err;
		if (err)
			fprintf(stderr, "mlprofd: SIGHUP: cannot reopen the log %s: %s; still "
					"writing to the old one\n", s->o->log, strerror(-err));
	}
	if (s->sd) {
		err = snapdir_reopen(s->sd);
		bad |= err;
		if (err)
			fprintf(stderr, "mlprofd: SIGHUP: cannot reopen the snapshot directory %s: "
					"%s; still using the old one\n", s->o->snapshot_dir,
				strerror(-err));
	}
	if (!bad)
		fprintf(stderr, "mlprofd: SIGHUP: log and snapshot directory reopened\n");
}

int service__final(struct service *s)
{
	const struct snapdir_stats *st;
	int err = 0;

	if (s && s->sd) {
		err = write_snapshot(s, 1);
		st = snapdir_stats(s->sd);
		if (!err)
			fprintf(stderr, "mlprofd: last snapshot written to %s/%s\n",
				snapdir_path(s->sd), st->last_file);
		else if (st->last_file[0])
			fprintf(stderr, "mlprofd: the last snapshot could not be written to %s (%s): "
					"%s; what was sampled after %s/%s is lost\n",
				snapdir_path(s->sd), st->last_step, strerror(-err),
				snapdir_path(s->sd), st->last_file);
		else
			fprintf(stderr, "mlprofd: the last snapshot could not be written to %s (%s): "
					"%s; no snapshot was written, the profile is lost\n",
				snapdir_path(s->sd), st->last_step, strerror(-err));
	}
	return err;
}

void service__status(struct service *s, cJSON *status)
{
	const struct snapdir_stats *st;
	cJSON *o;

	if (!s || !status)
		return;
	if (s->o->log) {
		o = cJSON_AddObjectToObject(status, "log");
		cJSON_AddStringToObject(o, "file", s->o->log);
		cJSON_AddStringToObject(o, "error", s->log_err ? strerror(-s->log_err) : "");
	}
	if (!s->sd)
		return;
	st = snapdir_stats(s->sd);
	o = cJSON_AddObjectToObject(status, "snapshots");
	cJSON_AddStringToObject(o, "dir", snapdir_path(s->sd));
	cJSON_AddNumberToObject(o, "interval_s", (double)s->o->snapshot_interval_ns / 1e9);
	cJSON_AddNumberToObject(o, "keep_s", (double)s->o->snapshot_keep_ns / 1e9);
	cJSON_AddNumberToObject(o, "written", (double)st->written);
	cJSON_AddNumberToObject(o, "failed", (double)(st->failed + s->build_failed));
	cJSON_AddNumberToObject(o, "failing", (double)st->streak);
	cJSON_AddStringToObject(o, "last_error", st->last_err ? strerror(-st->last_err) : "");
	cJSON_AddStringToObject(o, "last_error_step", st->last_step);
	cJSON_AddStringToObject(o, "last_file", st->last_file);
	cJSON_AddNumberToObject(o, "last_bytes", (double)st->last_bytes);
	cJSON_AddNumberToObject(o, "removed", (double)st->removed);
	cJSON_AddNumberToObject(o, "followed", (double)st->followed);
	cJSON_AddNumberToObject(o, "remove_failed", (double)st->remove_failed);
}
