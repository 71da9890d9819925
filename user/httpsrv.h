/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* mlprofd's HTTP endpoints (libmicrohttpd, driven by the daemon's epoll
 * loop, no thread of its own):
 *   /debug/pprof/profile?seconds=N  gzipped pprof of the next N seconds
 *                                   (default 30, 1-300), answered when they
 *                                   are over; at most HTTPSRV_MAX_PROFILES
 *                                   at once (429 beyond)
 *   /metrics                        Prometheus text
 *   /healthz                        "ok"
 *   /                               the live page (no data in it)
 *   /html-data?seconds=N            the live page's data
 * Profiles, metrics and the page's data need "Authorization: Bearer TOKEN"
 * (401 otherwise, and always without a token configured); /healthz and /
 * reveal nothing about processes and are open. Anything else is 404; other
 * methods than GET/HEAD 405. At most 64 connections (the one longest
 * without complete headers makes room) and 16 per client (a local user,
 * a remote address: its own oldest makes room), 5 s to send a request's
 * headers. */
#ifndef MLPROF_HTTPSRV_H
#define MLPROF_HTTPSRV_H

#include <stdint.h>
#include "httpargs.h"
#include "snapshot.h"
#include "strbuf.h"

#define HTTPSRV_MAX_PROFILES 4

struct httpsrv_ops {
	void *ctx;
	/* The profile scoped to since_ns (serve_ops.snapshot). 0/-errno. */
	int (*snapshot)(void *ctx, uint64_t since_ns, struct snap *out);
	/* Appends the /metrics text. 0 or -errno. */
	int (*metrics)(void *ctx, struct strbuf *out);
};

struct httpsrv_counts {
	uint64_t requests, profiles, rejected;
	uint64_t unauthorized; /* 401s */
	uint64_t cut_slow;     /* headers not complete within 5 s */
	uint64_t evicted;      /* closed to make room for a new connection */
	uint64_t client_cap;   /* closed: its client opened more than 16 */
	uint64_t abandoned;    /* profile windows ended as their client left */
};

struct httpsrv;
struct ev_timers;

/* Listens on `listen` (netaddr_parse syntax) and registers with epfd.
 * NULL with errno set (a message on stderr). */
/* token: the bearer token, NULL or "" for none (then only /healthz and /).
 * cert, key: PEM certificate (chain) and key to serve HTTPS, or NULL for
 * plain HTTP; libmicrohttpd copies what it needs at start. */
struct httpsrv *httpsrv__new(int epfd, struct ev_timers *timers, const char *listen,
			     const char *token, const char *cert, const char *key,
			     const struct httpsrv_ops *ops);
/* Answers pending profile requests with 503, then stops. */
void httpsrv__free(struct httpsrv *srv);
void httpsrv__counts(const struct httpsrv *srv, struct httpsrv_counts *c);

#endif
