// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Running as a service (service.h): log file, periodic snapshots.
 *
 * The loop only copies the profile out of the store (a few ms); turning it
 * into JSON and writing it (about 30 us per stack, seconds for a large
 * store) happens on a writer thread, so sampling never waits for it. The
 * writer owns the snapshot directory; the loop hands it one snapshot at a
 * time (a newer one replaces a snapshot the writer has not started: each
 * is cumulative) and asks it to reopen the directory on SIGHUP. */
#include <cjson/cJSON.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "safefile.h"
#include "evtimer.h"
#include "opts.h"
#include "service.h"
#include "snapdir.h"
#include "snapshot.h"

struct service {
	struct ev_timer timer; /* every --snapshot-interval; first, so the callback finds us */
	struct ev_timers *timers; /* the loop's */
	const struct opts *o;
	service_snapshot_fn fn;
	void *ctx;
	struct snapdir *sd;   /* the writer's, once it runs */
	uint64_t build_failed; /* snapshots that could not be built (memory) */
	int log_err;          /* -errno of the last failed log reopen */
	/* Shared with the writer, under mu. */
	pthread_mutex_t mu;
	pthread_cond_t cv;
	pthread_t writer;
	int writer_running;
	struct snap job;      /* the next snapshot to write */
	int64_t job_time;     /* its wall-clock time (s) */
	int have_job, job_final;
	int reopen, quit;
	int final_err;
	uint64_t replaced;    /* handed over while the writer was still busy */
	uint64_t json_failed; /* could not be turned into JSON (memory) */
	struct snapdir_stats st; /* the writer's counters, for status */
};

int service_log_open(const char *path)
{
	int fd = safefile_open(path, 1); /* no planted symlink, 0600 */
	int err = fd < 0 ? fd : 0;

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

/* ---- the writer thread ---- */

/* Serialises and writes one snapshot; old ones are pruned first (a full
 * disk may get room that way). final: the daemon is exiting, so a failure
 * loses the profile and service__final says so. 0 or -errno. */
static int write_one(struct service *s, const struct snap *snap, int64_t now, int final,
		     int *json_failed)
{
	cJSON *j = snap_to_json(snap);
	char *txt = j ? cJSON_PrintUnformatted(j) : NULL;
	int err = txt ? 0 : -ENOMEM;

	*json_failed = !txt;
	if (err) {
		if (!final)
			fprintf(stderr, "mlprofd: snapshot not written: out of memory (counted in "
					"status)\n");
	} else {
		snapdir_prune(s->sd, now);
		err = snapdir_write(s->sd, now, txt, strlen(txt), final ? NULL : stderr);
	}
	free(txt);
	cJSON_Delete(j);
	return err;
}

static void writer_reopen(struct service *s)
{
	int err = snapdir_reopen(s->sd);

	if (err)
		fprintf(stderr, "mlprofd: SIGHUP: cannot reopen the snapshot directory %s: %s; "
				"still using the old one\n", snapdir_path(s->sd), strerror(-err));
	else
		fprintf(stderr, "mlprofd: SIGHUP: snapshot directory %s reopened\n",
			snapdir_path(s->sd));
}

static void *writer_main(void *arg)
{
	struct service *s = arg;
	struct snap job;
	int64_t t;
	int final, err, json_failed;

	pthread_mutex_lock(&s->mu);
	for (;;) {
		while (!s->have_job && !s->reopen && !s->quit)
			pthread_cond_wait(&s->cv, &s->mu);
		if (s->reopen) {
			s->reopen = 0;
			pthread_mutex_unlock(&s->mu);
			writer_reopen(s);
			pthread_mutex_lock(&s->mu);
		} else if (s->have_job) {
			job = s->job;
			t = s->job_time;
			final = s->job_final;
			s->have_job = 0;
			pthread_mutex_unlock(&s->mu);
			err = write_one(s, &job, t, final, &json_failed);
			snap_free(&job);
			pthread_mutex_lock(&s->mu);
			s->json_failed += (uint64_t)json_failed;
			s->st = *snapdir_stats(s->sd);
			if (final)
				s->final_err = err;
		} else {
			break; /* quit, nothing left to write */
		}
	}
	pthread_mutex_unlock(&s->mu);
	return NULL;
}

/* Hands a snapshot to the writer (it takes ownership). */
static void hand_over(struct service *s, struct snap *snap, int final)
{
	pthread_mutex_lock(&s->mu);
	if (s->have_job) {
		snap_free(&s->job);
		s->replaced++;
	}
	s->job = *snap;
	s->job_time = real_s();
	s->have_job = 1;
	s->job_final = final;
	if (final)
		s->quit = 1;
	pthread_cond_signal(&s->cv);
	pthread_mutex_unlock(&s->mu);
}

/* Copies the profile out of the store (in the loop) and hands it over. */
static int take_snapshot(struct service *s, int final)
{
	struct snap snap;
	int err = s->fn(s->ctx, &snap);

	if (err) {
		if (!s->build_failed++ && !final)
			fprintf(stderr, "mlprofd: snapshot not built: %s (counted in status)\n",
				strerror(-err));
	} else {
		hand_over(s, &snap, final);
	}
	return err;
}

static void stop_writer(struct service *s)
{
	if (!s->writer_running)
		return;
	pthread_mutex_lock(&s->mu);
	s->quit = 1;
	pthread_cond_signal(&s->cv);
	pthread_mutex_unlock(&s->mu);
	pthread_join(s->writer, NULL);
	s->writer_running = 0;
}

/* ---- the loop's side ---- */

static void on_timer(struct ev_timer *t, uint64_t now_ns)
{
	struct service *s = (struct service *)t;

	(void)now_ns;
	take_snapshot(s, 0);
}

static uint64_t mono_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

struct service *service__new(struct ev_timers *timers, const struct opts *o, service_snapshot_fn fn,
			     void *ctx)
{
	struct service *s = calloc(1, sizeof(*s));
	int err = s ? 0 : -ENOMEM;

	if (s) {
		s->timer.fn = on_timer;
		s->timers = timers;
		s->o = o;
		s->fn = fn;
		s->ctx = ctx;
		pthread_mutex_init(&s->mu, NULL);
		pthread_cond_init(&s->cv, NULL);
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
		/* Created with the daemon's signals blocked: they stay with the
		 * loop's signalfd. */
		err = -pthread_create(&s->writer, NULL, writer_main, s);
		s->writer_running = !err;
		if (!err)
			evtimer_arm(timers, &s->timer, mono_now() + o->snapshot_interval_ns,
				    o->snapshot_interval_ns);
		if (err)
			fprintf(stderr, "mlprofd: snapshot writer: %s\n", strerror(-err));
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
	stop_writer(s);
	if (s->have_job)
		snap_free(&s->job);
	evtimer_cancel(s->timers, &s->timer);
	snapdir_close(s->sd);
	pthread_cond_destroy(&s->cv);
	pthread_mutex_destroy(&s->mu);
	free(s);
}

void service__reload(struct service *s)
{
	int err;

	if (!s)
		return;
	if (s->o->log) {
		err = service_log_open(s->o->log);
		s->log_err = err;
		if (err)
			fprintf(stderr, "mlprofd: SIGHUP: cannot reopen the log %s: %s; still "
					"writing to the old one\n", s->o->log, strerror(-err));
		else
			fprintf(stderr, "mlprofd: SIGHUP: log %s reopened\n", s->o->log);
	}
	if (s->writer_running) {
		pthread_mutex_lock(&s->mu);
		s->reopen = 1;
		pthread_cond_signal(&s->cv);
		pthread_mutex_unlock(&s->mu);
	}
}

int service__final(struct service *s)
{
	const struct snapdir_stats *st;
	int err = 0;

	if (!s || !s->writer_running)
		return 0;
	/* The writer finishes what it has, writes this one and stops. */
	err = take_snapshot(s, 1);
	stop_writer(s);
	if (!err)
		err = s->final_err;
	st = snapdir_stats(s->sd);
	if (!err)
		fprintf(stderr, "mlprofd: last snapshot written to %s/%s\n", snapdir_path(s->sd),
			st->last_file);
	else if (st->last_file[0])
		fprintf(stderr, "mlprofd: the last snapshot could not be written to %s (%s): %s; "
				"what was sampled after %s/%s is lost\n",
			snapdir_path(s->sd), st->last_step, strerror(-err), snapdir_path(s->sd),
			st->last_file);
	else
		fprintf(stderr, "mlprofd: the last snapshot could not be written to %s (%s): %s; "
				"no snapshot was written, the profile is lost\n",
			snapdir_path(s->sd), st->last_step, strerror(-err));
	return err;
}

void service__status(struct service *s, cJSON *status)
{
	struct snapdir_stats st;
	uint64_t replaced, json_failed;
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
	pthread_mutex_lock(&s->mu);
	st = s->st;
	replaced = s->replaced;
	json_failed = s->json_failed;
	pthread_mutex_unlock(&s->mu);
	o = cJSON_AddObjectToObject(status, "snapshots");
	cJSON_AddStringToObject(o, "dir", s->o->snapshot_dir);
	cJSON_AddNumberToObject(o, "interval_s", (double)s->o->snapshot_interval_ns / 1e9);
	cJSON_AddNumberToObject(o, "keep_s", (double)s->o->snapshot_keep_ns / 1e9);
	cJSON_AddNumberToObject(o, "written", (double)st.written);
	cJSON_AddNumberToObject(o, "failed", (double)(st.failed + s->build_failed + json_failed));
	cJSON_AddNumberToObject(o, "failing", (double)st.streak);
	cJSON_AddStringToObject(o, "last_error", st.last_err ? strerror(-st.last_err) : "");
	cJSON_AddStringToObject(o, "last_error_step", st.last_step);
	cJSON_AddStringToObject(o, "last_file", st.last_file);
	cJSON_AddNumberToObject(o, "last_bytes", (double)st.last_bytes);
	cJSON_AddNumberToObject(o, "removed", (double)st.removed);
	cJSON_AddNumberToObject(o, "remove_failed", (double)st.remove_failed);
	cJSON_AddNumberToObject(o, "followed", (double)st.followed);
	cJSON_AddNumberToObject(o, "replaced", (double)replaced);
}
