// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include "peerid.h"

#include <errno.h>
#include <linux/inet_diag.h>
#include <linux/netlink.h>
#include <linux/sock_diag.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static const uint8_t V4MAPPED[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };

struct diag_req {
	struct nlmsghdr nlh;
	struct inet_diag_req_v2 r;
};

int peerid_addr(const struct sockaddr_storage *ss, uint8_t addr[16])
{
	const struct sockaddr_in *in = (const struct sockaddr_in *)ss;
	const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)ss;
	int ret = -EAFNOSUPPORT;

	if (ss->ss_family == AF_INET) {
		memcpy(addr, V4MAPPED, 12);
		memcpy(addr + 12, &in->sin_addr, 4);
	} else if (ss->ss_family == AF_INET6) {
		memcpy(addr, &in6->sin6_addr, 16);
	}
	if (ss->ss_family == AF_INET || ss->ss_family == AF_INET6) {
		static const uint8_t one[16] = { [15] = 1 };

		ret = (!memcmp(addr, V4MAPPED, 12) && addr[12] == 127) || !memcmp(addr, one, 16);
	}
	return ret;
}

static uint16_t port_of(const struct sockaddr_storage *ss)
{
	return ss->ss_family == AF_INET6 ? ((const struct sockaddr_in6 *)ss)->sin6_port
					 : ((const struct sockaddr_in *)ss)->sin_port;
}

int peerid_req(const struct sockaddr_storage *peer, const struct sockaddr_storage *self,
	       void *buf, size_t size)
{
	struct diag_req *q = buf;
	uint8_t pa[16], sa[16];
	int v4, ret = -EAFNOSUPPORT;

	if (size >= sizeof(*q) && peerid_addr(peer, pa) >= 0 && peerid_addr(self, sa) >= 0) {
		/* A v4-mapped peer of a dual-stack listener is an IPv4 socket. */
		v4 = !memcmp(pa, V4MAPPED, 12) && !memcmp(sa, V4MAPPED, 12);
		memset(q, 0, sizeof(*q));
		q->nlh.nlmsg_len = sizeof(*q);
		q->nlh.nlmsg_type = SOCK_DIAG_BY_FAMILY;
		q->nlh.nlmsg_flags = NLM_F_REQUEST;
		q->r.sdiag_family = v4 ? AF_INET : AF_INET6;
		q->r.sdiag_protocol = IPPROTO_TCP;
		q->r.idiag_states = ~0u;
		/* The client's socket: local end = peer, remote end = us. */
		q->r.id.idiag_sport = port_of(peer);
		q->r.id.idiag_dport = port_of(self);
		memcpy(q->r.id.idiag_src, v4 ? pa + 12 : pa, v4 ? 4 : 16);
		memcpy(q->r.id.idiag_dst, v4 ? sa + 12 : sa, v4 ? 4 : 16);
		q->r.id.idiag_cookie[0] = INET_DIAG_NOCOOKIE;
		q->r.id.idiag_cookie[1] = INET_DIAG_NOCOOKIE;
		ret = (int)sizeof(*q);
	}
	return ret;
}

int peerid_parse(const void *buf, size_t len, const struct sockaddr_storage *peer,
		 uint32_t *uid)
{
	const struct nlmsghdr *h = buf;
	const struct inet_diag_msg *m;
	const struct nlmsgerr *e;
	int ret = -EBADMSG;

	if (len < sizeof(*h) || h->nlmsg_len < sizeof(*h) || h->nlmsg_len > len) {
		/* malformed */
	} else if (h->nlmsg_type == NLMSG_ERROR) {
		e = NLMSG_DATA(h);
		if (h->nlmsg_len >= NLMSG_LENGTH(sizeof(*e)) && e->error < 0)
			ret = e->error;
	} else if (h->nlmsg_type == SOCK_DIAG_BY_FAMILY &&
		   h->nlmsg_len >= NLMSG_LENGTH(sizeof(*m))) {
		m = NLMSG_DATA(h);
		if (m->id.idiag_sport == port_of(peer)) {
			*uid = m->idiag_uid;
			ret = 0;
		}
	}
	return ret;
}

/* The uid owning the client's socket, by one socket-diagnostics query. */
static int owner_uid(const struct sockaddr_storage *peer, const struct sockaddr_storage *self,
		     uint32_t *uid)
{
	union {
		struct nlmsghdr h;
		char b[1024];
	} rep;
	char req[PEERID_REQ_LEN];
	struct sockaddr_nl kernel = { .nl_family = AF_NETLINK };
	int fd, n, ret;
	ssize_t r;

	n = peerid_req(peer, self, req, sizeof(req));
	fd = n > 0 ? socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC, NETLINK_SOCK_DIAG) : -1;
	if (n < 0) {
		ret = n;
	} else if (fd < 0) {
		ret = -errno;
	} else if (sendto(fd, req, (size_t)n, 0, (struct sockaddr *)&kernel, sizeof(kernel)) != n) {
		ret = -errno;
	} else {
		/* Answered synchronously inside sendto: never waits. */
		r = recv(fd, &rep, sizeof(rep), MSG_DONTWAIT);
		ret = r < 0 ? -errno : peerid_parse(&rep, (size_t)r, peer, uid);
	}
	if (fd >= 0)
		close(fd);
	return ret;
}

void peerid_of(int fd, struct peerid *out)
{
	struct sockaddr_storage peer, self;
	socklen_t pl = sizeof(peer), sl = sizeof(self);
	memset(out, 0, sizeof(*out));
	if (getpeername(fd, (struct sockaddr *)&peer, &pl) || getsockname(fd, (struct sockaddr *)&self, &sl))
		return;
	if (peerid_addr(&peer, out->addr) < 0)
		return;
	out->kind = PEER_ADDR;
	/* Found only if the client's socket is on this machine (loopback,
	 * or one of its own addresses): then its owner names the client. */
	if (owner_uid(&peer, &self, &out->uid) == 0)
		out->kind = PEER_UID;
}

int peerid_same(const struct peerid *a, const struct peerid *b)
{
	int same = a->kind == b->kind;

	if (same && a->kind == PEER_UID)
		same = a->uid == b->uid;
	else if (same && a->kind == PEER_ADDR)
		same = !memcmp(a->addr, b->addr, 16);
	return same;
}
