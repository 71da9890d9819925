// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* The push worker: a thread, a bounded FIFO under a mutex, libcurl. */
#include <curl/curl.h>
#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "pusher.h"
#include "pushurl.h"

struct push_item {
	char *url;
	char *body;
	size_t len;
};

struct pusher {
	pthread_t thread;
	int started;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	atomic_int stop;
	struct push_item *q; /* ring of cap items */
	unsigned cap, head, n;
	struct pusher_counts c;
	int busy;            /* the worker holds an item */
	unsigned timeout_ms;
	/* Worker only: message rate limiting. */
	time_t last_msg;
	unsigned suppressed;
	int failing;
};

static void item_free(struct push_item *it)
{
	free(it->url);
	free(it->body);
	memset(it, 0, sizeof(*it));
}

/* Worker: prints at most one failure message per interval. */
static void warn(struct pusher *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void warn(struct pusher *p, const char *fmt, ...)
{
	time_t now = time(NULL);
	va_list ap;

	p->failing = 1;
	if (p->last_msg && now - p->last_msg < PUSHER_MSG_INTERVAL_S) {
		p->suppressed++;
		return;
	}
	p->last_msg = now;
	fputs("mlprofd: push: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	if (p->suppressed)
		fprintf(stderr, " (%u similar messages suppressed)", p->suppressed);
	fputc('\n', stderr);
	p->suppressed = 0;
}

static size_t keep_reply(char *data, size_t size, size_t nmemb, void *ctx)
{
	char *buf = ctx;
	size_t have = strlen(buf), n = size * nmemb;
	size_t room = 160 - 1 - have;

	memcpy(buf + have, data, n < room ? n : room);
	buf[have + (n < room ? n : room)] = '\0';
	return n;
}

static int xfer_info(void *ctx, curl_off_t dt, curl_off_t dn, curl_off_t ut, curl_off_t un)
{
	struct pusher *p = ctx;

	(void)dt;
	(void)dn;
	(void)ut;
	(void)un;
	return atomic_load(&p->stop) ? 1 : 0; /* non-zero aborts */
}

enum { POST_OK, POST_RETRY, POST_REFUSED };

/* Length of url without its query, for messages. */
static int base_len(const char *url)
{
	const char *q = strchr(url, '?');

	return q ? (int)(q - url) : (int)strlen(url);
}

/* One attempt. */
static int post(struct pusher *p, CURL *cu, struct curl_slist *hdr, const struct push_item *it,
		unsigned attempt)
{
	char reply[160] = "";
	long code = 0;
	CURLcode rc;
	size_t i;
	int res = POST_RETRY;

	curl_easy_setopt(cu, CURLOPT_URL, it->url);
	curl_easy_setopt(cu, CURLOPT_POST, 1L);
	curl_easy_setopt(cu, CURLOPT_POSTFIELDS, it->body);
	curl_easy_setopt(cu, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)it->len);
	curl_easy_setopt(cu, CURLOPT_HTTPHEADER, hdr);
	curl_easy_setopt(cu, CURLOPT_TIMEOUT_MS, (long)p->timeout_ms);
	curl_easy_setopt(cu, CURLOPT_CONNECTTIMEOUT_MS,
			 (long)(p->timeout_ms < 5000 ? p->timeout_ms : 5000));
	curl_easy_setopt(cu, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(cu, CURLOPT_NOPROGRESS, 0L);
	curl_easy_setopt(cu, CURLOPT_XFERINFOFUNCTION, xfer_info);
	curl_easy_setopt(cu, CURLOPT_XFERINFODATA, p);
	curl_easy_setopt(cu, CURLOPT_WRITEFUNCTION, keep_reply);
	curl_easy_setopt(cu, CURLOPT_WRITEDATA, (void *)reply);
	curl_easy_setopt(cu, CURLOPT_USERAGENT, "mlprofd");
	rc = curl_easy_perform(cu);
	if (rc == CURLE_OK)
		curl_easy_getinfo(cu, CURLINFO_RESPONSE_CODE, &code);
	for (i = 0; reply[i]; i++)
		if (reply[i] == '\n' || reply[i] == '\r')
			reply[i] = ' ';
	if (rc == CURLE_OK && code >= 200 && code < 300) {
		res = POST_OK;
	} else if (atomic_load(&p->stop)) {
		res = POST_RETRY; /* aborted by the stop: not the endpoint's fault */
	} else if (rc != CURLE_OK) {
		warn(p, "%.*s failed (attempt %u of %d): %s", base_len(it->url), it->url, attempt,
		     PUSHER_ATTEMPTS, curl_easy_strerror(rc));
	} else {
		warn(p, "%.*s failed (attempt %u of %d): HTTP %ld %s", base_len(it->url), it->url,
		     attempt, PUSHER_ATTEMPTS, code, reply);
		/* The endpoint refuses this profile; retrying will not help
		 * (except when it asks us to slow down or times out). */
		if (code >= 400 && code < 500 && code != 408 && code != 429)
			res = POST_REFUSED;
	}
	return res;
}

/* The CLOCK_REALTIME time ms from now, for pthread_cond_timedwait. */
static void deadline_in(uint64_t ms, struct timespec *ts)
{
	clock_gettime(CLOCK_REALTIME, ts);
	ts->tv_sec += (time_t)(ms / 1000);
	ts->tv_nsec += (long)(ms % 1000) * 1000000L;
	if (ts->tv_nsec >= 1000000000L) {
		ts->tv_sec++;
		ts->tv_nsec -= 1000000000L;
	}
}

/* Sleeps ms unless stopped; returns 1 if stopped. */
static int nap(struct pusher *p, uint64_t ms)
{
	struct timespec ts;
	int stopped;

	deadline_in(ms, &ts);
	pthread_mutex_lock(&p->mu);
	while (!atomic_load(&p->stop) && pthread_cond_timedwait(&p->cv, &p->mu, &ts) != ETIMEDOUT)
		;
	stopped = atomic_load(&p->stop);
	pthread_mutex_unlock(&p->mu);
	return stopped;
}

static void deliver(struct pusher *p, CURL *cu, struct curl_slist *hdr, struct push_item *it)
{
	unsigned attempt;
	int res = POST_RETRY;

	for (attempt = 1; attempt <= PUSHER_ATTEMPTS && !atomic_load(&p->stop); attempt++) {
		if (attempt > 1) {
			pthread_mutex_lock(&p->mu);
			p->c.retries++;
			pthread_mutex_unlock(&p->mu);
			if (nap(p, pushurl_backoff_ms(attempt - 1, PUSHER_BACKOFF_MS,
						   PUSHER_BACKOFF_MAX_MS)))
				break;
		}
		res = post(p, cu, hdr, it, attempt);
		if (res != POST_RETRY)
			break;
	}
	pthread_mutex_lock(&p->mu);
	if (res == POST_OK)
		p->c.sent++;
	else if (atomic_load(&p->stop))
		p->c.dropped++;
	else
		p->c.failed++;
	pthread_mutex_unlock(&p->mu);
	if (res == POST_OK && p->failing) {
		fprintf(stderr, "mlprofd: push: delivered again to %.*s\n", base_len(it->url),
			it->url);
		p->failing = 0;
		p->last_msg = 0;
	}
}

static void *worker(void *arg)
{
	struct pusher *p = arg;
	struct curl_slist *hdr = curl_slist_append(NULL, "Content-Type: application/octet-stream");
	CURL *cu = curl_easy_init();
	struct push_item it;

	if (!cu || !hdr)
		fprintf(stderr, "mlprofd: push: cannot start libcurl; profiles will not be pushed\n");
	for (;;) {
		pthread_mutex_lock(&p->mu);
		while (!atomic_load(&p->stop) && !p->n)
			pthread_cond_wait(&p->cv, &p->mu);
		if (atomic_load(&p->stop)) {
			pthread_mutex_unlock(&p->mu);
			break;
		}
		it = p->q[p->head];
		memset(&p->q[p->head], 0, sizeof(it));
		p->head = (p->head + 1) % p->cap;
		p->n--;
		p->busy = 1;
		pthread_mutex_unlock(&p->mu);
		if (cu && hdr) {
			deliver(p, cu, hdr, &it);
		} else {
			pthread_mutex_lock(&p->mu);
			p->c.failed++;
			pthread_mutex_unlock(&p->mu);
		}
		item_free(&it);
		pthread_mutex_lock(&p->mu);
		p->busy = 0;
		pthread_cond_broadcast(&p->cv); /* pusher__drain */
		pthread_mutex_unlock(&p->mu);
	}
	if (cu)
		curl_easy_cleanup(cu);
	curl_slist_free_all(hdr);
	return NULL;
}

struct pusher *pusher__new(unsigned timeout_ms, unsigned queue_cap)
{
	struct pusher *p = calloc(1, sizeof(*p));
	int err = 0;

	if (!p || !queue_cap)
		goto fail;
	p->cap = queue_cap;
	p->timeout_ms = timeout_ms;
	atomic_init(&p->stop, 0);
	p->q = calloc(queue_cap, sizeof(*p->q));
	if (!p->q || curl_global_init(CURL_GLOBAL_DEFAULT))
		goto fail;
	pthread_mutex_init(&p->mu, NULL);
	pthread_cond_init(&p->cv, NULL);
	err = pthread_create(&p->thread, NULL, worker, p);
	if (err) {
		pthread_mutex_destroy(&p->mu);
		pthread_cond_destroy(&p->cv);
		curl_global_cleanup();
		goto fail;
	}
	p->started = 1;
	return p;
fail:
	if (p)
		free(p->q);
	free(p);
	errno = err ? err : ENOMEM;
	return NULL;
}

int pusher__submit(struct pusher *p, char *url, struct strbuf *body)
{
	struct push_item it = { url, NULL, body->len };
	unsigned tail;

	if (body->err) {
		free(url);
		strbuf_free(body);
		return -ENOMEM;
	}
	it.body = strbuf_detach(body);
	pthread_mutex_lock(&p->mu);
	if (p->n == p->cap) {
		/* Full: the oldest goes. */
		item_free(&p->q[p->head]);
		p->head = (p->head + 1) % p->cap;
		p->n--;
		p->c.dropped++;
	}
	tail = (p->head + p->n) % p->cap;
	p->q[tail] = it;
	p->n++;
	pthread_cond_broadcast(&p->cv); /* the worker shares the cv with pusher__drain */
	pthread_mutex_unlock(&p->mu);
	return 0;
}

void pusher__counts(struct pusher *p, struct pusher_counts *c)
{
	pthread_mutex_lock(&p->mu);
	*c = p->c;
	c->queued = p->n;
	pthread_mutex_unlock(&p->mu);
}

int pusher__drain(struct pusher *p, unsigned ms)
{
	struct timespec ts;
	int err = 0;

	deadline_in(ms, &ts);
	pthread_mutex_lock(&p->mu);
	while (!err && (p->n || p->busy))
		err = pthread_cond_timedwait(&p->cv, &p->mu, &ts);
	pthread_mutex_unlock(&p->mu);
	return err ? -ETIMEDOUT : 0;
}

void pusher__free(struct pusher *p)
{
	unsigned i;

	if (!p)
		return;
	pthread_mutex_lock(&p->mu);
	atomic_store(&p->stop, 1);
	pthread_cond_broadcast(&p->cv);
	pthread_mutex_unlock(&p->mu);
	pthread_join(p->thread, NULL);
	for (i = 0; i < p->cap; i++)
		item_free(&p->q[i]);
	pthread_mutex_destroy(&p->mu);
	pthread_cond_destroy(&p->cv);
	curl_global_cleanup();
	free(p->q);
	free(p);
}
