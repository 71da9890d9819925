/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* Pushes profiles (HTTP POST, libcurl) from a worker thread of its own,
 * fed by a bounded queue: the daemon's loop only enqueues, never waits on
 * the network. A full queue drops its oldest profile (counted). Failed
 * posts are retried with exponential backoff; failures print a message at
 * most every PUSHER_MSG_INTERVAL_S seconds. Every transfer has a timeout
 * and stopping aborts the one in flight, so SIGTERM never waits on a slow
 * or dead endpoint for long. */
#ifndef MLPROF_PUSHER_H
#define MLPROF_PUSHER_H

#include <stdint.h>
#include "strbuf.h"

#define PUSHER_ATTEMPTS 3          /* tries per profile */
#define PUSHER_BACKOFF_MS 1000     /* before the first retry; doubles */
#define PUSHER_BACKOFF_MAX_MS 30000
#define PUSHER_MSG_INTERVAL_S 30

struct pusher_counts {
	uint64_t sent;    /* accepted (2xx) */
	uint64_t failed;  /* given up after the last attempt, or refused (4xx) */
	uint64_t retries; /* attempts after a failure */
	uint64_t dropped; /* dropped unsent: queue full, or pending at stop */
	uint64_t queued;  /* waiting now */
};

struct pusher;

/* Starts the worker. timeout_ms bounds each transfer. NULL with errno. */
struct pusher *pusher__new(unsigned timeout_ms, unsigned queue_cap);
/* Queues a POST of body to url; takes both (url malloc'd; body's buffer is
 * taken and body reset). Never blocks. 0 or -ENOMEM. */
int pusher__submit(struct pusher *p, char *url, struct strbuf *body);
void pusher__counts(struct pusher *p, struct pusher_counts *c);
/* Waits until every queued profile has been tried (sent, refused or given
 * up) or ms have passed. 0 or -ETIMEDOUT. */
int pusher__drain(struct pusher *p, unsigned ms);
/* Stops the worker (aborting a transfer in flight) and frees. */
void pusher__free(struct pusher *p);

#endif
