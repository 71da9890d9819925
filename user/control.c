// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Control socket server: accepts local clients whose credentials allow it,
 * reads newline-delimited requests (capped), answers each with one line. A
 * malformed request gets a JSON error; the daemon keeps serving. */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>
#include "control.h"
#include "evloop.h"
#include "evtimer.h"
#include "strbuf.h"

#define MAX_CLIENTS 64
/* A client that neither completes a request nor takes any of its reply for
 * this long is closed, so idle connections cannot hold the slots. */
#define IDLE_NS (10ULL * 1000 * 1000 * 1000)
/* Reply bytes a client may leave unread before its next request is
 * answered; beyond that it is cut off (one reply of any size always fits). */
#define OUT_CAP (1u << 20)

struct client {
	struct ev_handler h;
	struct control *ctl;
	struct client *next;
	int fd;
	char *in;
	size_t in_len;
	struct strbuf out;
	size_t out_off;
	int closing; /* close once the output is flushed */
	int discard; /* after an oversized request: drop input until EOF */
	size_t discarded;
	int want_out;
	uint64_t active_ns; /* accept, last complete request, last reply bytes taken */
};

struct control {
	struct ev_handler h;
	int epfd;
	/* On the loop's timers: due at the earliest a client may have been
	 * idle too long (activity only moves a client's deadline later). */
	struct ev_timers *timers;
	struct ev_timer idle_timer;
	int fd;
	int reserve_fd; /* closed to accept-and-refuse when out of fds */
	gid_t gid;
	char *path;
	control_handler_fn handler;
	void *ctx;
	struct client *clients;
	unsigned nclients;
	struct control_stats stats;
};

static uint64_t mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

static void client_close(struct client *cl)
{
	struct control *ctl = cl->ctl;
	struct client **pp;

	for (pp = &ctl->clients; *pp; pp = &(*pp)->next) {
		if (*pp == cl) {
			*pp = cl->next;
			break;
		}
	}
	evloop_del(ctl->epfd, cl->fd);
	close(cl->fd);
	free(cl->in);
	strbuf_free(&cl->out);
	free(cl);
	ctl->nclients--;
}

/* Writes what it can; closes when done and closing. 0, or 1 if closed. */
static int client_flush(struct client *cl)
{
	ssize_t n;
	int want;

	while (cl->out_off < cl->out.len) {
		n = send(cl->fd, cl->out.buf + cl->out_off, cl->out.len - cl->out_off, MSG_NOSIGNAL);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			break;
		if (n <= 0) {
			client_close(cl);
			return 1;
		}
		cl->out_off += (size_t)n;
		cl->active_ns = mono_ns();
	}
	if (cl->out_off == cl->out.len) {
		strbuf_reset(&cl->out);
		cl->out_off = 0;
		if (cl->closing && !cl->discard) {
			client_close(cl);
			return 1;
		}
		if (cl->closing && cl->discard)
			shutdown(cl->fd, SHUT_WR);
	}
	want = cl->out.len > 0;
	if (want != cl->want_out) {
		cl->want_out = want;
		evloop_mod(cl->ctl->epfd, cl->fd, EPOLLIN | EPOLLRDHUP | (want ? EPOLLOUT : 0), &cl->h);
	}
	return 0;
}

static void queue(struct client *cl, char *line)
{
	if (!line)
		line = proto_error_line("internal", "out of memory");
	if (line)
		strbuf_puts(&cl->out, line);
	free(line);
}

static void handle_line(struct client *cl, const char *line, size_t len)
{
	struct proto_request req;
	const char *code = "bad_request";
	char err[160];

	while (len && (line[len - 1] == '\r' || line[len - 1] == ' '))
		len--;
	if (!len)
		return;
	cl->active_ns = mono_ns();
	if (proto_parse_request(line, len, &req, &code, err, sizeof(err)))
		queue(cl, proto_error_line(code, err));
	else
		queue(cl, cl->ctl->handler(cl->ctl->ctx, &req));
}

/* Takes complete lines out of the input buffer. */
static void take_lines(struct client *cl)
{
	char *nl;
	size_t used = 0, len;

	while (!cl->closing && (nl = memchr(cl->in + used, '\n', cl->in_len - used)) != NULL) {
		len = (size_t)(nl - (cl->in + used));
		if (cl->out.len - cl->out_off > OUT_CAP) {
			/* It sends requests but does not read the replies. */
			cl->ctl->stats.cut_unread++;
			cl->closing = 1;
			strbuf_reset(&cl->out);
			cl->out_off = 0;
			break;
		}
		if (len > PROTO_MAX_REQUEST) {
			queue(cl, proto_error_line("too_large", "request longer than 65536 bytes"));
			cl->closing = cl->discard = 1;
			break;
		}
		handle_line(cl, cl->in + used, len);
		used += len + 1;
	}
	memmove(cl->in, cl->in + used, cl->in_len - used);
	cl->in_len -= used;
	if (!cl->closing && cl->in_len > PROTO_MAX_REQUEST) {
		queue(cl, proto_error_line("too_large", "request longer than 65536 bytes"));
		cl->closing = cl->discard = 1;
	}
}

/* Reads and drops what an oversized request still sends, so that closing
 * does not reset the connection before the client has read the error. */
#define DISCARD_MAX (16u << 20)

static int client_discard(struct client *cl)
{
	char buf[16384];
	ssize_t n;

	for (;;) {
		n = recv(cl->fd, buf, sizeof(buf), 0);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return 0;
		cl->discarded += n > 0 ? (size_t)n : 0;
		if (n <= 0 || cl->discarded > DISCARD_MAX) {
			client_close(cl);
			return 1;
		}
	}
}

static void client_event(struct ev_handler *h, uint32_t events)
{
	struct client *cl = (struct client *)h;
	ssize_t n;
	int eof = 0;

	if (events & EPOLLOUT && client_flush(cl))
		return;
	if (cl->discard) {
		if (!client_discard(cl))
			client_flush(cl);
		return;
	}
	while (!cl->closing && (events & (EPOLLIN | EPOLLRDHUP | EPOLLHUP))) {
		n = recv(cl->fd, cl->in + cl->in_len, PROTO_MAX_REQUEST + 2 - cl->in_len, 0);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			break;
		if (n <= 0) {
			eof = 1;
			break;
		}
		cl->in_len += (size_t)n;
		take_lines(cl);
	}
	if (eof && !cl->closing) {
		if (cl->in_len)
			queue(cl, proto_error_line("truncated",
						   "request ended without a newline"));
		cl->closing = 1;
	}
	if (events & EPOLLERR)
		cl->closing = 1;
	client_flush(cl);
}

static int in_groups(pid_t pid, gid_t gid)
{
	char path[64], line[4096], *p, *end;
	FILE *f;
	int found = 0;

	snprintf(path, sizeof(path), "/proc/%d/status", pid);
	f = fopen(path, "re");
	while (f && !found && fgets(line, sizeof(line), f)) {
		if (strncmp(line, "Groups:", 7))
			continue;
		for (p = line + 7;; p = end) {
			long g = strtol(p, &end, 10);

			if (end == p)
				break;
			found |= (gid_t)g == gid;
		}
	}
	if (f)
		fclose(f);
	return found;
}

static int peer_allowed(const struct control *ctl, int fd)
{
	struct ucred cr;
	socklen_t len = sizeof(cr);

	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cr, &len))
		return 0;
	if (cr.uid == 0)
		return 1;
	return ctl->gid != 0 && (cr.gid == ctl->gid || in_groups(cr.pid, ctl->gid));
}

static void refuse(int fd, const char *code, const char *msg)
{
	char *line = proto_error_line(code, msg);

	if (line && send(fd, line, strlen(line), MSG_NOSIGNAL | MSG_DONTWAIT) < 0) {
		/* Best effort: the client is refused either way. */
	}
	free(line);
	close(fd);
}

/* Full: the client idle the longest makes room (one with no reply pending
 * first), so a new `mlprofctl status` always gets in. */
static void evict_one(struct control *ctl)
{
	struct client *cl, *idle = NULL, *any = NULL;

	for (cl = ctl->clients; cl; cl = cl->next) {
		if (!any || cl->active_ns < any->active_ns)
			any = cl;
		if (cl->out.len == cl->out_off && (!idle || cl->active_ns < idle->active_ns))
			idle = cl;
	}
	cl = idle ? idle : any;
	if (cl) {
		ctl->stats.evicted++;
		client_close(cl);
	}
}

static void accept_event(struct ev_handler *h, uint32_t events)
{
	struct control *ctl = (struct control *)h;
	struct client *cl;
	int fd;

	(void)events;
	for (;;) {
		fd = accept4(ctl->fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd < 0 && (errno == EMFILE || errno == ENFILE) && ctl->reserve_fd >= 0) {
			/* Out of descriptors: free one to tell the client, so
			 * the listening socket does not stay readable forever. */
			close(ctl->reserve_fd);
			fd = accept4(ctl->fd, NULL, NULL, SOCK_CLOEXEC);
			if (fd >= 0)
				refuse(fd, "busy", "daemon is out of file descriptors");
			ctl->reserve_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
			continue;
		}
		if (fd < 0)
			return;
		if (!peer_allowed(ctl, fd)) {
			refuse(fd, "permission_denied",
			       "only root or members of the socket's group may use mlprofd");
			continue;
		}
		if (ctl->nclients >= MAX_CLIENTS)
			evict_one(ctl);
		if (ctl->nclients >= MAX_CLIENTS) {
			refuse(fd, "busy", "too many clients");
			continue;
		}
		cl = calloc(1, sizeof(*cl));
		if (cl)
			cl->in = malloc(PROTO_MAX_REQUEST + 2);
		if (!cl || !cl->in) {
			if (cl)
				free(cl);
			refuse(fd, "internal", "out of memory");
			continue;
		}
		cl->h.fn = client_event;
		cl->ctl = ctl;
		cl->fd = fd;
		cl->active_ns = mono_ns();
		if (evloop_add(ctl->epfd, fd, EPOLLIN | EPOLLRDHUP, &cl->h)) {
			free(cl->in);
			free(cl);
			close(fd);
			continue;
		}
		cl->next = ctl->clients;
		ctl->clients = cl;
		ctl->nclients++;
		if (!ctl->idle_timer.armed)
			evtimer_arm(ctl->timers, &ctl->idle_timer, cl->active_ns + IDLE_NS, 0);
	}
}

/* A socket file that nobody answers on is stale. */
static int path_in_use(const struct sockaddr_un *addr)
{
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0), used;

	if (fd < 0)
		return 0;
	used = connect(fd, (const struct sockaddr *)addr, sizeof(*addr)) == 0;
	close(fd);
	return used;
}

static void on_idle_timer(struct ev_timer *t, uint64_t now);

struct control *control__new(int epfd, struct ev_timers *timers, const char *path,
			     const char *group, control_handler_fn handler, void *ctx)
{
	struct sockaddr_un addr = { .sun_family = AF_UNIX };
	struct control *ctl = NULL;
	struct group *gr = NULL;
	mode_t old_umask;
	int err = 0;

	if (strlen(path) >= sizeof(addr.sun_path)) {
		errno = ENAMETOOLONG;
		return NULL;
	}
	if (group && !(gr = getgrnam(group))) {
		errno = ENOENT;
		return NULL;
	}
	strcpy(addr.sun_path, path);
	ctl = calloc(1, sizeof(*ctl));
	if (!ctl || !(ctl->path = strdup(path))) {
		free(ctl);
		errno = ENOMEM;
		return NULL;
	}
	ctl->h.fn = accept_event;
	ctl->epfd = epfd;
	ctl->timers = timers;
	ctl->idle_timer.fn = on_idle_timer;
	ctl->handler = handler;
	ctl->ctx = ctx;
	ctl->gid = gr ? gr->gr_gid : 0;
	ctl->reserve_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
	ctl->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (ctl->fd < 0) {
		err = errno;
	} else if (path_in_use(&addr)) {
		err = EADDRINUSE;
	} else {
		unlink(path);
		old_umask = umask(0117); /* socket mode 0660 */
		if (bind(ctl->fd, (struct sockaddr *)&addr, sizeof(addr)))
			err = errno;
		umask(old_umask);
	}
	if (!err && gr && chown(path, 0, gr->gr_gid))
		err = errno;
	if (!err && listen(ctl->fd, 16))
		err = errno;
	if (!err)
		err = -evloop_add(epfd, ctl->fd, EPOLLIN, &ctl->h);
	if (err) {
		if (err != EADDRINUSE && ctl->fd >= 0)
			unlink(path);
		if (ctl->fd >= 0)
			close(ctl->fd);
		ctl->fd = -1;
		free(ctl->path);
		ctl->path = NULL;
		control__free(ctl);
		errno = err;
		return NULL;
	}
	return ctl;
}

void control__free(struct control *ctl)
{
	if (!ctl)
		return;
	evtimer_cancel(ctl->timers, &ctl->idle_timer);
	while (ctl->clients)
		client_close(ctl->clients);
	if (ctl->fd >= 0) {
		evloop_del(ctl->epfd, ctl->fd);
		close(ctl->fd);
	}
	if (ctl->path)
		unlink(ctl->path);
	if (ctl->reserve_fd >= 0)
		close(ctl->reserve_fd);
	free(ctl->path);
	free(ctl);
}

unsigned control__clients(const struct control *ctl)
{
	return ctl->nclients;
}

/* Closes the clients idle too long, then waits for the next that may be. */
static void on_idle_timer(struct ev_timer *t, uint64_t now)
{
	struct control *ctl = (struct control *)((char *)t - offsetof(struct control, idle_timer));
	struct client *cl, *nx;
	uint64_t next = UINT64_MAX;

	for (cl = ctl->clients; cl; cl = nx) {
		nx = cl->next;
		if (cl->active_ns + IDLE_NS <= now) {
			ctl->stats.cut_idle++;
			client_close(cl);
		} else if (cl->active_ns + IDLE_NS < next) {
			next = cl->active_ns + IDLE_NS;
		}
	}
	if (ctl->clients)
		evtimer_arm(ctl->timers, &ctl->idle_timer, next, 0);
}

const struct control_stats *control__stats(const struct control *ctl)
{
	return &ctl->stats;
}
