// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* The HTTP endpoints on libmicrohttpd in "external epoll" mode: MHD's own
 * epoll fd sits in the daemon's loop and MHD_run() is called when it is
 * ready, so request handlers run on the daemon's thread, between ring
 * buffer reads, and never race the store. A profile request takes a
 * snapshot, suspends its connection and arms a loop timer (evtimer.h);
 * when the window ends the handler takes another snapshot, answers with
 * the difference and resumes the connection. Sampling goes on meanwhile: nothing blocks the loop. */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <microhttpd.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include "evloop.h"
#include "evtimer.h"
#include "httpsrv.h"
#include "httptoken.h"
#include "netaddr.h"
#include "peerid.h"
#include "export.h"
#include "snapdelta.h"

struct httpsrv;

/* Connections at once; when full, the one waiting longest for its request
 * headers is closed to make room (MHD's own limit is higher, so the new
 * one is always accepted). */
#define MAX_CONNS 64
#define MHD_CONNS 256
/* Connections one client (a local uid, a remote address: peerid.h) may
 * hold at once; its next one closes its own oldest, so one user's many
 * connections never push out another's (a quarter of MAX_CONNS). */
#define MAX_PER_CLIENT 16
/* A request's headers must be complete this long after the connection (or
 * its previous request) started: a slow sender is closed. */
#define HEADER_MS 5000
/* How often a suspended profile request checks that its client is there. */
#define GONE_CHECK_MS 500

/* One client connection (MHD's socket context). */
struct hconn {
	int fd;
	int busy;          /* headers complete, request being answered */
	int cut;           /* shut down by us, MHD closes it next */
	uint64_t start_ns; /* accepted, or its last request completed */
	struct peerid peer;
	struct hconn *next, **pprev;
};

/* A /debug/pprof/profile request waiting for its window to end. */
struct prof_req {
	struct ev_timer t;   /* every GONE_CHECK_MS until answered */
	struct httpsrv *srv;
	struct MHD_Connection *conn;
	int ready;           /* the answer is in status/body */
	unsigned status;
	const char *ctype;
	struct strbuf body;
	struct snap base;    /* at the start of the window, scoped to since_ns */
	uint64_t since_ns;
	uint64_t end_ns;     /* the window ends */
	int fd;              /* the client's socket, to see it go away */
	int have_base;
	struct prof_req *next;
};

struct httpsrv {
	struct ev_handler h_mhd; /* MHD's epoll fd */
	struct ev_timer tmo;     /* MHD's connection timeouts, the header sweep */
	struct ev_timers *timers;
	int epfd, mhd_fd;
	struct MHD_Daemon *mhd;
	struct httpsrv_ops ops;
	struct prof_req *pending;
	unsigned npending;
	struct hconn *conns;
	unsigned nconns;
	char tok[HTTPTOKEN_MAX + 1]; /* empty: no token, data endpoints refused */
	struct httpsrv_counts counts;
};

static uint64_t mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}


static void conn_cut(struct httpsrv *srv, struct hconn *hc)
{
	if (hc->cut)
		return;
	hc->cut = 1;
	/* MHD sees the end of the stream and closes it on its next run. */
	shutdown(hc->fd, SHUT_RDWR);
	srv->nconns--;
}

/* Closes connections slow to send their headers; ms until the next due. */
static uint64_t sweep(struct httpsrv *srv)
{
	uint64_t now = mono_ns(), next = HEADER_MS, age;
	struct hconn *hc;

	for (hc = srv->conns; hc; hc = hc->next) {
		if (hc->busy || hc->cut)
			continue;
		age = (now - hc->start_ns) / 1000000;
		if (age >= HEADER_MS) {
			srv->counts.cut_slow++;
			conn_cut(srv, hc);
		} else if (HEADER_MS - age < next) {
			next = HEADER_MS - age;
		}
	}
	return next;
}

/* Runs MHD and re-arms the timeout timer (MHD's and the header timeout). */
static void run_mhd(struct httpsrv *srv)
{
	MHD_UNSIGNED_LONG_LONG ms;
	uint64_t next;

	MHD_run(srv->mhd);
	/* A connection cut here wakes MHD's epoll fd: MHD closes it next. */
	next = sweep(srv);
	if (MHD_get_timeout(srv->mhd, &ms) == MHD_YES && ms < next)
		next = ms;
	evtimer_arm(srv->timers, &srv->tmo, mono_ns() + (next + 1) * 1000000ULL, 0);
}

/* Full: make room, first among those still sending headers; among
 * PEER's connections only if PEER is not NULL. */
static void evict_one(struct httpsrv *srv, const struct peerid *peer)
{
	struct hconn *hc, *idle = NULL, *any = NULL;

	for (hc = srv->conns; hc; hc = hc->next) {
		if (hc->cut || (peer && !peerid_same(&hc->peer, peer)))
			continue;
		if (!any || hc->start_ns < any->start_ns)
			any = hc;
		if (!hc->busy && (!idle || hc->start_ns < idle->start_ns))
			idle = hc;
	}
	hc = idle ? idle : any;
	if (hc) {
		if (peer)
			srv->counts.client_cap++;
		else
			srv->counts.evicted++;
		conn_cut(srv, hc);
	}
}

/* How many connections PEER holds. */
static unsigned peer_conns(const struct httpsrv *srv, const struct peerid *peer)
{
	const struct hconn *hc;
	unsigned n = 0;

	for (hc = srv->conns; hc; hc = hc->next)
		n += !hc->cut && peerid_same(&hc->peer, peer);
	return n;
}

static void conn_closed(struct httpsrv *srv, struct hconn *hc)
{
	if (!hc->cut)
		srv->nconns--;
	*hc->pprev = hc->next;
	if (hc->next)
		hc->next->pprev = hc->pprev;
	free(hc);
}

static struct hconn *conn_started(struct httpsrv *srv, struct MHD_Connection *c)
{
	const union MHD_ConnectionInfo *ci =
		MHD_get_connection_info(c, MHD_CONNECTION_INFO_CONNECTION_FD);
	struct hconn *hc = ci ? calloc(1, sizeof(*hc)) : NULL;

	if (!hc) {
		/* Unknown to the limits: refuse it rather than serve it unbounded. */
		if (ci)
			shutdown(ci->connect_fd, SHUT_RDWR);
		srv->counts.evicted++;
	} else {
		hc->fd = ci->connect_fd;
		peerid_of(hc->fd, &hc->peer);
		if (peer_conns(srv, &hc->peer) >= MAX_PER_CLIENT)
			evict_one(srv, &hc->peer);
		else if (srv->nconns >= MAX_CONNS)
			evict_one(srv, NULL);
		hc->start_ns = mono_ns();
		hc->next = srv->conns;
		if (hc->next)
			hc->next->pprev = &hc->next;
		hc->pprev = &srv->conns;
		srv->conns = hc;
		srv->nconns++;
	}
	return hc;
}

static void on_connection(void *cls, struct MHD_Connection *c, void **socket_context,
			  enum MHD_ConnectionNotificationCode code)
{
	struct httpsrv *srv = cls;

	if (code == MHD_CONNECTION_NOTIFY_CLOSED) {
		if (*socket_context)
			conn_closed(srv, *socket_context);
		*socket_context = NULL;
	} else {
		*socket_context = conn_started(srv, c);
	}
}

static struct hconn *hconn_of(struct MHD_Connection *c)
{
	const union MHD_ConnectionInfo *ci =
		MHD_get_connection_info(c, MHD_CONNECTION_INFO_SOCKET_CONTEXT);

	return ci ? ci->socket_context : NULL;
}

static void on_mhd(struct ev_handler *h, uint32_t events)
{
	struct httpsrv *srv = (struct httpsrv *)((char *)h - offsetof(struct httpsrv, h_mhd));

	(void)events;
	run_mhd(srv);
}

static void on_timeout(struct ev_timer *t, uint64_t now_ns)
{
	struct httpsrv *srv = (struct httpsrv *)((char *)t - offsetof(struct httpsrv, tmo));

	(void)now_ns;
	run_mhd(srv);
}

static enum MHD_Result reply(struct MHD_Connection *c, unsigned status, const char *ctype,
			     const void *data, size_t len)
{
	struct MHD_Response *r;
	enum MHD_Result ret = MHD_NO;

	r = MHD_create_response_from_buffer(len, (void *)data, MHD_RESPMEM_MUST_COPY);
	if (r) {
		MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, ctype);
		MHD_add_response_header(r, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
		if (!strcmp(ctype, "application/octet-stream"))
			MHD_add_response_header(r, "Content-Disposition",
						"attachment; filename=\"profile\"");
		ret = MHD_queue_response(c, status, r);
		MHD_destroy_response(r);
	}
	return ret;
}

static enum MHD_Result reply_text(struct MHD_Connection *c, unsigned status, const char *text)
{
	return reply(c, status, "text/plain; charset=utf-8", text, strlen(text));
}

static void req_finish(struct prof_req *rq, unsigned status, const char *ctype)
{
	rq->status = status;
	rq->ctype = ctype;
	rq->ready = 1;
	evtimer_cancel(rq->srv->timers, &rq->t);
}

/* 1 if the client of a pending profile has closed its connection. */
static int client_gone(const struct prof_req *rq)
{
	char b;
	ssize_t r = rq->fd >= 0 ? recv(rq->fd, &b, 1, MSG_PEEK | MSG_DONTWAIT) : -1;

	return r == 0 || (r < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR);
}

/* The profile of the window, or an error text, in rq->body. */
static void build_profile(struct prof_req *rq)
{
	struct httpsrv *srv = rq->srv;
	struct snap now, delta;
	int err;

	err = srv->ops.snapshot(srv->ops.ctx, rq->since_ns, &now);
	if (!err) {
		err = snapdelta_window(&now, &rq->base, &delta);
		snap_free(&now);
	}
	if (!err) {
		err = export_pprof(&delta, &rq->body);
		snap_free(&delta);
	}
	if (err) {
		strbuf_reset(&rq->body);
		strbuf_printf(&rq->body, "cannot build the profile: %s\n", strerror(-err));
		req_finish(rq, MHD_HTTP_INTERNAL_SERVER_ERROR, "text/plain; charset=utf-8");
	} else {
		srv->counts.profiles++;
		req_finish(rq, MHD_HTTP_OK, "application/octet-stream");
	}
}

/* Every GONE_CHECK_MS of the window: answer when it is over, or at once
 * when the client went away (MHD then finds the socket closed and the
 * slot is freed). */
static void on_profile_due(struct ev_timer *t, uint64_t now_ns)
{
	struct prof_req *rq = (struct prof_req *)((char *)t - offsetof(struct prof_req, t));
	struct httpsrv *srv = rq->srv;
	int answer = 0;

	if (now_ns >= rq->end_ns) {
		build_profile(rq);
		answer = 1;
	} else if (client_gone(rq)) {
		srv->counts.abandoned++;
		strbuf_reset(&rq->body);
		strbuf_puts(&rq->body, "client went away\n");
		req_finish(rq, MHD_HTTP_SERVICE_UNAVAILABLE, "text/plain; charset=utf-8");
		answer = 1;
	}
	if (answer) {
		MHD_resume_connection(rq->conn);
		run_mhd(srv);
	}
}

static void req_free(struct prof_req *rq)
{
	struct prof_req **pp;

	for (pp = &rq->srv->pending; *pp; pp = &(*pp)->next) {
		if (*pp == rq) {
			*pp = rq->next;
			rq->srv->npending--;
			break;
		}
	}
	evtimer_cancel(rq->srv->timers, &rq->t);
	if (rq->have_base)
		snap_free(&rq->base);
	strbuf_free(&rq->body);
	free(rq);
}

static enum MHD_Result start_profile(struct httpsrv *srv, struct MHD_Connection *c,
				     void **con_cls)
{
	const char *v = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "seconds");
	struct prof_req *rq;
	unsigned seconds;
	char msg[160];
	int err;

	if (httpargs_seconds(v, &seconds, msg, sizeof(msg)))
		return reply_text(c, MHD_HTTP_BAD_REQUEST, msg);
	if (srv->npending >= HTTPSRV_MAX_PROFILES) {
		srv->counts.rejected++;
		snprintf(msg, sizeof(msg), "too many profile requests in progress (at most %d)\n",
			 HTTPSRV_MAX_PROFILES);
		return reply_text(c, MHD_HTTP_TOO_MANY_REQUESTS, msg);
	}
	rq = calloc(1, sizeof(*rq));
	if (!rq)
		return reply_text(c, MHD_HTTP_SERVICE_UNAVAILABLE, "out of memory\n");
	rq->t.fn = on_profile_due;
	rq->srv = srv;
	rq->conn = c;
	rq->fd = hconn_of(c) ? hconn_of(c)->fd : -1;
	rq->since_ns = mono_ns();
	err = srv->ops.snapshot(srv->ops.ctx, rq->since_ns, &rq->base);
	rq->have_base = !err;
	if (err) {
		free(rq);
		snprintf(msg, sizeof(msg), "cannot start the profile: %s\n", strerror(-err));
		return reply_text(c, MHD_HTTP_SERVICE_UNAVAILABLE, msg);
	}
	rq->end_ns = rq->since_ns + (uint64_t)seconds * 1000000000ULL;
	evtimer_arm(srv->timers, &rq->t, rq->since_ns + GONE_CHECK_MS * 1000000ULL,
		    GONE_CHECK_MS * 1000000ULL);
	rq->next = srv->pending;
	srv->pending = rq;
	srv->npending++;
	*con_cls = rq;
	MHD_suspend_connection(c);
	return MHD_YES;
}

/* The live page: the HTML report with no data; it reads /html-data. */
static enum MHD_Result reply_page(struct MHD_Connection *c)
{
	struct strbuf out = STRBUF_INIT;
	enum MHD_Result ret;

	if (export_html_page(&out))
		ret = reply_text(c, MHD_HTTP_INTERNAL_SERVER_ERROR, "cannot render the page\n");
	else
		ret = reply(c, MHD_HTTP_OK, "text/html; charset=utf-8", out.buf, out.len);
	strbuf_free(&out);
	return ret;
}

/* The page's data for the last ?seconds=N of the history (0 or none: all). */
static enum MHD_Result reply_html_data(struct httpsrv *srv, struct MHD_Connection *c)
{
	const char *v = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "seconds");
	struct strbuf out = STRBUF_INIT;
	unsigned long seconds = 0;
	uint64_t now = mono_ns(), since = 0;
	enum MHD_Result ret;
	struct snap s;
	char msg[160];
	int err;

	if (httpargs_range(v, &seconds, msg, sizeof(msg)))
		return reply_text(c, MHD_HTTP_BAD_REQUEST, msg);
	if (seconds)
		since = now > seconds * 1000000000ULL ? now - seconds * 1000000000ULL : 1;
	err = srv->ops.snapshot(srv->ops.ctx, since, &s);
	if (!err) {
		err = export_html_data(&s, &out);
		snap_free(&s);
	}
	if (err)
		ret = reply_text(c, MHD_HTTP_INTERNAL_SERVER_ERROR, "cannot build the profile\n");
	else
		ret = reply(c, MHD_HTTP_OK, "application/json", out.buf, out.len);
	strbuf_free(&out);
	return ret;
}

static int authorized(const struct httpsrv *srv, struct MHD_Connection *c)
{
	return srv->tok[0] &&
	       httptoken_authorized(MHD_lookup_connection_value(c, MHD_HEADER_KIND,
								 MHD_HTTP_HEADER_AUTHORIZATION),
				    srv->tok);
}

static enum MHD_Result reply_unauthorized(struct httpsrv *srv, struct MHD_Connection *c)
{
	const char *msg = srv->tok[0] ?
		"401: send Authorization: Bearer <the token of --http-token-file>\n" :
		"401: profiles and metrics need a token: start mlprofd with "
		"--http-token-file FILE\n";
	struct MHD_Response *r;
	enum MHD_Result ret = MHD_NO;

	srv->counts.unauthorized++;
	r = MHD_create_response_from_buffer(strlen(msg), (void *)msg, MHD_RESPMEM_PERSISTENT);
	if (r) {
		MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, "text/plain; charset=utf-8");
		MHD_add_response_header(r, MHD_HTTP_HEADER_WWW_AUTHENTICATE, "Bearer");
		ret = MHD_queue_response(c, MHD_HTTP_UNAUTHORIZED, r);
		MHD_destroy_response(r);
	}
	return ret;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url,
				  const char *method, const char *version,
				  const char *upload_data, size_t *upload_data_size,
				  void **con_cls)
{
	struct httpsrv *srv = cls;
	struct strbuf out = STRBUF_INIT;
	enum MHD_Result ret;
	struct hconn *hc;
	int err;

	(void)version;
	(void)upload_data;
	(void)upload_data_size;
	if (*con_cls && *con_cls != srv) {
		/* A profile request resumed: its answer is ready. */
		struct prof_req *rq = *con_cls;

		return reply(c, rq->status, rq->ctype, rq->body.buf ? rq->body.buf : "",
			     rq->body.len);
	}
	*con_cls = srv;
	if ((hc = hconn_of(c)) != NULL)
		hc->busy = 1;
	srv->counts.requests++;
	if (strcmp(method, MHD_HTTP_METHOD_GET) && strcmp(method, MHD_HTTP_METHOD_HEAD))
		return reply_text(c, MHD_HTTP_METHOD_NOT_ALLOWED, "only GET\n");
	if (!strcmp(url, "/healthz"))
		return reply_text(c, MHD_HTTP_OK, "ok\n");
	if (!strcmp(url, "/"))
		return reply_page(c); /* the page holds no data; it asks /html-data */
	if (!authorized(srv, c))
		return reply_unauthorized(srv, c);
	if (!strcmp(url, "/debug/pprof/profile"))
		return start_profile(srv, c, con_cls);
	if (!strcmp(url, "/html-data"))
		return reply_html_data(srv, c);
	if (strcmp(url, "/metrics"))
		return reply_text(c, MHD_HTTP_NOT_FOUND,
				  "not found; try /, /debug/pprof/profile?seconds=N, /metrics, "
				  "/healthz\n");
	err = srv->ops.metrics(srv->ops.ctx, &out);
	if (err)
		ret = reply_text(c, MHD_HTTP_INTERNAL_SERVER_ERROR, "cannot render metrics\n");
	else
		ret = reply(c, MHD_HTTP_OK, "text/plain; version=0.0.4; charset=utf-8",
			    out.buf ? out.buf : "", out.len);
	strbuf_free(&out);
	return ret;
}

static void on_completed(void *cls, struct MHD_Connection *c, void **con_cls,
			 enum MHD_RequestTerminationCode toe)
{
	struct httpsrv *srv = cls;
	struct hconn *hc = hconn_of(c);

	(void)toe;
	if (*con_cls && *con_cls != srv)
		req_free(*con_cls);
	*con_cls = NULL;
	if (hc) {
		/* Kept alive: the next request's headers are timed from now. */
		hc->busy = 0;
		hc->start_ns = mono_ns();
	}
}

static void on_mhd_log(void *cls, const char *fmt, va_list ap)
{
	(void)cls;
	fputs("mlprofd: http: ", stderr);
	vfprintf(stderr, fmt, ap);
}

/* The port, for MHD's messages (it binds to the address given whole). */
static uint16_t port_of(const struct sockaddr_storage *ss)
{
	return ntohs(ss->ss_family == AF_INET6 ? ((const struct sockaddr_in6 *)ss)->sin6_port :
						 ((const struct sockaddr_in *)ss)->sin_port);
}

struct httpsrv *httpsrv__new(int epfd, struct ev_timers *timers, const char *listen,
			     const char *token, const char *cert, const char *key,
			     const struct httpsrv_ops *ops)
{
	/* HTTPS options, or an empty list: MHD_OPTION_ARRAY keeps one call. */
	struct MHD_OptionItem tls[] = {
		{ cert ? MHD_OPTION_HTTPS_MEM_CERT : MHD_OPTION_END, 0, (void *)cert },
		{ MHD_OPTION_HTTPS_MEM_KEY, 0, (void *)key },
		{ MHD_OPTION_END, 0, NULL },
	};
	struct sockaddr_storage ss;
	const union MHD_DaemonInfo *info;
	struct httpsrv *srv;
	socklen_t len;
	unsigned flags = MHD_USE_EPOLL | MHD_ALLOW_SUSPEND_RESUME | MHD_USE_ERROR_LOG;
	int err = netaddr_parse(listen, &ss, &len);

	if (err) {
		fprintf(stderr, "mlprofd: bad --http address '%s'\n", listen);
		errno = EINVAL;
		return NULL;
	}
	srv = calloc(1, sizeof(*srv));
	if (!srv)
		return NULL;
	srv->epfd = epfd;
	srv->ops = *ops;
	if (token)
		snprintf(srv->tok, sizeof(srv->tok), "%s", token);
	srv->h_mhd.fn = on_mhd;
	srv->tmo.fn = on_timeout;
	srv->timers = timers;
	srv->mhd_fd = -1;
	if (ss.ss_family == AF_INET6)
		flags |= MHD_USE_IPv6;
	if (cert && key)
		flags |= MHD_USE_TLS;
	srv->mhd = MHD_start_daemon(flags, port_of(&ss), NULL, NULL, on_request, srv,
					    MHD_OPTION_EXTERNAL_LOGGER, on_mhd_log, srv,
					    MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&ss,
					    MHD_OPTION_CONNECTION_LIMIT, (unsigned)MHD_CONNS,
					    MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)30,
					    MHD_OPTION_NOTIFY_COMPLETED, on_completed, srv,
					    MHD_OPTION_NOTIFY_CONNECTION, on_connection, srv,
					    MHD_OPTION_ARRAY, tls,
					    MHD_OPTION_END);
	info = srv->mhd ? MHD_get_daemon_info(srv->mhd, MHD_DAEMON_INFO_EPOLL_FD) : NULL;
	srv->mhd_fd = info ? info->epoll_fd : -1;
	err = srv->mhd_fd < 0 ? -EADDRNOTAVAIL : evloop_add(epfd, srv->mhd_fd, EPOLLIN, &srv->h_mhd);
	if (err) {
		fprintf(stderr, "mlprofd: cannot serve HTTP on %s%s\n", listen,
			srv->mhd ? "" : " (address in use or not local?)");
		httpsrv__free(srv);
		errno = -err;
		return NULL;
	}
	return srv;
}

void httpsrv__free(struct httpsrv *srv)
{
	struct prof_req *rq;

	if (!srv)
		return;
	if (srv->mhd) {
		/* MHD must not stop with suspended connections. */
		for (rq = srv->pending; rq; rq = rq->next) {
			if (rq->ready)
				continue;
			strbuf_reset(&rq->body);
			strbuf_puts(&rq->body, "mlprofd is shutting down\n");
			req_finish(rq, MHD_HTTP_SERVICE_UNAVAILABLE, "text/plain; charset=utf-8");
			MHD_resume_connection(rq->conn);
		}
		MHD_run(srv->mhd);
		if (srv->mhd_fd >= 0)
			evloop_del(srv->epfd, srv->mhd_fd);
		MHD_stop_daemon(srv->mhd);
	}
	while (srv->pending)
		req_free(srv->pending);
	evtimer_cancel(srv->timers, &srv->tmo);
	explicit_bzero(srv->tok, sizeof(srv->tok));
	free(srv);
}

void httpsrv__counts(const struct httpsrv *srv, struct httpsrv_counts *c)
{
	*c = srv->counts;
}
