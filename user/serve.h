/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* Continuous profiling on servers: the HTTP endpoints (--http) and the
 * periodic push to a Pyroscope ingest endpoint (--push-url), glued to the
 * daemon through two callbacks. */
#ifndef MLPROF_SERVE_H
#define MLPROF_SERVE_H

#include "metrics.h"
#include "opts.h"
#include "snapshot.h"

struct serve_ops {
	void *ctx;
	/* The profile (ring buffer read first) scoped to since_ns
	 * (CLOCK_MONOTONIC; 0: everything): what snapdelta_window() needs for a
	 * window starting then. 0 or -errno. */
	int (*snapshot)(void *ctx, uint64_t since_ns, struct snap *out);
	/* The daemon's part of the metrics (counters, targets, CPU, RSS). */
	void (*metrics)(void *ctx, struct metrics_in *m);
};

struct serve;
struct cJSON;

struct ev_timers;

/* Starts what the options ask for (--http, --push-url); with neither,
 * an inert object. Its handlers go on EPFD, the push interval on TIMERS
 * (the loop's). NULL with errno set on failure (message on stderr). */
struct serve *serve__new(int epfd, struct ev_timers *timers, const struct opts *o,
			 const struct serve_ops *ops);
void serve__free(struct serve *sv);
/* How long stopping waits for the last profiles to be pushed. */
#define SERVE_FINAL_PUSH_MS 2000
/* At exit: pushes what was sampled since the last push and waits up to
 * SERVE_FINAL_PUSH_MS for the queue to be delivered. */
void serve__final_push(struct serve *sv);
/* Adds "http" and "push" objects to a status reply. */
void serve__status(struct serve *sv, struct cJSON *status);

#endif
