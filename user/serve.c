// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* --http and --push-url: the windows of profile they serve come from
 * snapdelta_window() between snapshots taken on the daemon's thread. */
#include <cjson/cJSON.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "evtimer.h"
#include "httpsrv.h"
#include "httptls.h"
#include "httptoken.h"
#include "export.h"
#include "pushurl.h"
#include "pusher.h"
#include "serve.h"
#include "snapdelta.h"

#define SERVE_MAX_GROUPS 64

struct serve {
	struct ev_timer push_timer; /* every --push-interval, on the loop's timers */
	struct ev_timers *timers;
	const struct opts *o;
	struct serve_ops ops;
	struct httpsrv *http;
	struct pusher *pusher;
	struct snap prev;      /* the snapshot at the start of this push window */
	int have_prev;
	uint64_t pushes_skipped; /* windows that failed to build */
	/* events per second, between scrapes */
	uint64_t rate_events, rate_ns;
	double rate;
};

struct group {
	char target[64];
	char python[24];
};

static uint64_t mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

static void stack_group(const struct snap *s, const struct snap_stack *st, struct group *g)
{
	const struct snap_proc *p = &s->procs[st->proc];
	const struct snap_proc *root = p->root >= 0 && (size_t)p->root < s->nprocs ?
					       &s->procs[p->root] : p;
	const char *py = p->python && *p->python ? p->python : root->python;

	/* An mlpy run's sandbox child carries the run's program name. */
	pushurl_target_name(root->ml_file && *root->ml_file ? root : p, g->target,
			 sizeof(g->target));
	snprintf(g->python, sizeof(g->python), "%s", py ? py : "");
}

/* Keeps the stacks of s whose group is `want`. */
static void keep_group(struct snap *s, const struct group *want)
{
	struct group g;
	size_t i, kept = 0;

	for (i = 0; i < s->nstacks; i++) {
		stack_group(s, &s->stacks[i], &g);
		if (!strcmp(g.target, want->target) && !strcmp(g.python, want->python))
			s->stacks[kept++] = s->stacks[i];
		else
			free(s->stacks[i].frames);
	}
	s->nstacks = kept;
}

static void push_group(struct serve *sv, const struct snap *d, const struct group *g)
{
	struct pushurl_labels l = { d->host, g->target, g->python };
	struct strbuf url = STRBUF_INIT, body = STRBUF_INIT;
	uint64_t from = (uint64_t)((int64_t)d->start_ns + d->mono_to_real_ns) / 1000000000ULL;
	uint64_t until = (uint64_t)((int64_t)d->now_ns + d->mono_to_real_ns) / 1000000000ULL;
	struct snap part;
	int err = snapdelta_copy(d, &part);

	if (!err) {
		keep_group(&part, g);
		err = export_pprof(&part, &body);
		snap_free(&part);
	}
	if (!err)
		err = pushurl_build(&url, sv->o->push_url, sv->o->app, &l, from,
			       until > from ? until : from + 1, d->freq_hz);
	if (!err)
		err = pusher__submit(sv->pusher, strbuf_detach(&url), &body);
	if (err) {
		sv->pushes_skipped++;
		fprintf(stderr, "mlprofd: push: cannot build the profile of %s: %s\n", g->target,
			strerror(-err));
	}
	strbuf_free(&url);
	strbuf_free(&body);
}

/* One profile per (target, python) of the window. */
static void push_window(struct serve *sv, const struct snap *d)
{
	struct group *gs = calloc(SERVE_MAX_GROUPS, sizeof(*gs)), g;
	size_t i, k, n = 0;

	for (i = 0; gs && i < d->nstacks; i++) {
		stack_group(d, &d->stacks[i], &g);
		for (k = 0; k < n; k++)
			if (!strcmp(gs[k].target, g.target) && !strcmp(gs[k].python, g.python))
				break;
		if (k == n && n < SERVE_MAX_GROUPS)
			gs[n++] = g;
	}
	for (k = 0; k < n; k++)
		push_group(sv, d, &gs[k]);
	if (!gs)
		sv->pushes_skipped++;
	free(gs);
}

/* Pushes what was sampled since the last push. */
static void push_now(struct serve *sv)
{
	struct snap now, d;
	int err;

	/* Only the buckets that can have grown since the window began. */
	err = sv->ops.snapshot(sv->ops.ctx, sv->have_prev ? sv->prev.now_ns : 0, &now);
	if (err) {
		sv->pushes_skipped++;
		return;
	}
	if (sv->have_prev && !snapdelta_window(&now, &sv->prev, &d)) {
		if (d.nstacks)
			push_window(sv, &d);
		snap_free(&d);
	}
	if (sv->have_prev)
		snap_free(&sv->prev);
	sv->prev = now;
	sv->have_prev = 1;
}

static void on_push_timer(struct ev_timer *t, uint64_t now_ns)
{
	struct serve *sv = (struct serve *)t;

	(void)now_ns;
	push_now(sv);
}

void serve__final_push(struct serve *sv)
{
	if (!sv || !sv->pusher)
		return;
	push_now(sv);
	if (pusher__drain(sv->pusher, SERVE_FINAL_PUSH_MS))
		fprintf(stderr, "mlprofd: push: the last profile was not delivered within %u ms\n",
			SERVE_FINAL_PUSH_MS);
}

static int http_snapshot(void *ctx, uint64_t since_ns, struct snap *out)
{
	struct serve *sv = ctx;

	return sv->ops.snapshot(sv->ops.ctx, since_ns, out);
}

static int http_metrics(void *ctx, struct strbuf *out)
{
	struct serve *sv = ctx;
	struct metrics_in m;
	struct httpsrv_counts hc = { 0 };
	struct pusher_counts pc = { 0 };
	uint64_t now = mono_ns();

	memset(&m, 0, sizeof(m));
	sv->ops.metrics(sv->ops.ctx, &m);
	/* Events per second since the previous scrape (at least 1 s ago). */
	if (now - sv->rate_ns >= 1000000000ULL) {
		sv->rate = m.events >= sv->rate_events ?
				   (double)(m.events - sv->rate_events) * 1e9 /
					   (double)(now - sv->rate_ns) : 0;
		sv->rate_events = m.events;
		sv->rate_ns = now;
	}
	m.events_per_s = sv->rate;
	if (sv->http)
		httpsrv__counts(sv->http, &hc);
	m.http_requests = hc.requests;
	m.http_profiles = hc.profiles;
	m.http_rejected = hc.rejected;
	if (sv->pusher) {
		pusher__counts(sv->pusher, &pc);
		m.push_enabled = 1;
		m.push_sent = pc.sent;
		m.push_failed = pc.failed + sv->pushes_skipped;
		m.push_retries = pc.retries;
		m.push_dropped = pc.dropped;
		m.push_queued = pc.queued;
	}
	return metrics_render(&m, out);
}

static int start_push(struct serve *sv)
{
	uint64_t period = (uint64_t)sv->o->push_interval_s * 1000000000ULL, now = mono_ns();
	int err;

	sv->pusher = pusher__new(sv->o->push_timeout_ms, sv->o->push_queue);
	if (!sv->pusher)
		return -errno;
	err = sv->ops.snapshot(sv->ops.ctx, now, &sv->prev);
	sv->have_prev = !err;
	if (!err)
		evtimer_arm(sv->timers, &sv->push_timer, now + period, period);
	return err;
}

/* The HTTPS certificate and key (root's files; the key 0600/0400). 0 or
 * -errno with a message. */
static int load_tls(const struct opts *o, char **cert, char **key)
{
	char msg[160];
	int err = httptls_load(o->http_tls_cert, 0, cert, msg, sizeof(msg));

	if (err) {
		fprintf(stderr, "mlprofd: --http-tls-cert %s: %s\n", o->http_tls_cert, msg);
	} else if ((err = httptls_load(o->http_tls_key, 1, key, msg, sizeof(msg)))) {
		fprintf(stderr, "mlprofd: --http-tls-key %s: %s\n", o->http_tls_key, msg);
	}
	return err;
}

struct serve *serve__new(int epfd, struct ev_timers *timers, const struct opts *o,
			 const struct serve_ops *ops)
{
	struct serve *sv = calloc(1, sizeof(*sv));
	struct httpsrv_ops hops;
	char tok[HTTPTOKEN_MAX + 1] = "", msg[160], *cert = NULL, *key = NULL;
	int tok_given = o->http_token_file != NULL;
	int err = 0;

	if (!sv)
		return NULL;
	sv->timers = timers;
	sv->o = o;
	sv->ops = *ops;
	sv->push_timer.fn = on_push_timer;
	sv->rate_ns = mono_ns();
	if (o->http && o->http_token_file) {
		err = httptoken_load(o->http_token_file, tok, msg, sizeof(msg));
		if (err)
			fprintf(stderr, "mlprofd: --http-token-file %s: %s\n", o->http_token_file,
				msg);
	}
	if (!err && o->http && o->http_tls_cert)
		err = load_tls(o, &cert, &key);
	if (!err && o->http) {
		hops.ctx = sv;
		hops.snapshot = http_snapshot;
		hops.metrics = http_metrics;
		sv->http = httpsrv__new(epfd, timers, o->http, tok, cert, key, &hops);
		if (!sv->http)
			err = -errno;
	}
	explicit_bzero(tok, sizeof(tok));
	httptls_free(cert);
	httptls_free(key);
	if (!err && o->push_url) {
		err = start_push(sv);
		if (err)
			fprintf(stderr, "mlprofd: cannot start pushing to %s: %s\n", o->push_url,
				strerror(-err));
		else
			push_now(sv); /* the first window starts now, not at the first tick */
	}
	if (!err && sv->http && tok_given)
		fprintf(stderr, "mlprofd: serving /debug/pprof/profile, /metrics, /html-data (with "
				"the bearer token), / and /healthz on %s://%s\n",
			o->http_tls_cert ? "https" : "http", o->http);
	else if (!err && sv->http)
		fprintf(stderr, "mlprofd: serving only /healthz and / on %s://%s: profiles, "
				"/metrics and /html-data need a token (--http-token-file)\n",
			o->http_tls_cert ? "https" : "http", o->http);
	if (!err && sv->pusher)
		fprintf(stderr, "mlprofd: pushing profiles to %s every %u s as %s\n",
			o->push_url, o->push_interval_s, o->app);
	if (err) {
		serve__free(sv);
		sv = NULL;
		errno = -err;
	}
	return sv;
}

void serve__free(struct serve *sv)
{
	if (!sv)
		return;
	httpsrv__free(sv->http);
	pusher__free(sv->pusher);
	evtimer_cancel(sv->timers, &sv->push_timer);
	if (sv->have_prev)
		snap_free(&sv->prev);
	free(sv);
}

void serve__status(struct serve *sv, cJSON *status)
{
	struct httpsrv_counts hc;
	struct pusher_counts pc;
	cJSON *o;

	if (!sv)
		return;
	if (sv->http) {
		httpsrv__counts(sv->http, &hc);
		o = cJSON_AddObjectToObject(status, "http");
		cJSON_AddStringToObject(o, "listen", sv->o->http);
		cJSON_AddNumberToObject(o, "requests", (double)hc.requests);
		cJSON_AddNumberToObject(o, "profiles", (double)hc.profiles);
		cJSON_AddNumberToObject(o, "rejected", (double)hc.rejected);
		cJSON_AddBoolToObject(o, "token", sv->o->http_token_file != NULL);
		cJSON_AddBoolToObject(o, "tls", sv->o->http_tls_cert != NULL);
		cJSON_AddNumberToObject(o, "unauthorized", (double)hc.unauthorized);
		cJSON_AddNumberToObject(o, "cut_slow", (double)hc.cut_slow);
		cJSON_AddNumberToObject(o, "evicted", (double)hc.evicted);
		cJSON_AddNumberToObject(o, "client_cap", (double)hc.client_cap);
		cJSON_AddNumberToObject(o, "abandoned", (double)hc.abandoned);
	}
	if (sv->pusher) {
		pusher__counts(sv->pusher, &pc);
		o = cJSON_AddObjectToObject(status, "push");
		cJSON_AddStringToObject(o, "url", sv->o->push_url);
		cJSON_AddStringToObject(o, "app", sv->o->app);
		cJSON_AddNumberToObject(o, "interval_s", sv->o->push_interval_s);
		cJSON_AddNumberToObject(o, "sent", (double)pc.sent);
		cJSON_AddNumberToObject(o, "failed", (double)(pc.failed + sv->pushes_skipped));
		cJSON_AddNumberToObject(o, "retries", (double)pc.retries);
		cJSON_AddNumberToObject(o, "dropped", (double)pc.dropped);
		cJSON_AddNumberToObject(o, "queued", (double)pc.queued);
	}
}
