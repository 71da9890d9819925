// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <criterion/criterion.h>
#include <arpa/inet.h>
#include <errno.h>
#include <linux/inet_diag.h>
#include <linux/netlink.h>
#include <linux/sock_diag.h>
#include <string.h>
#include <unistd.h>
#include "peerid.h"

static struct sockaddr_storage v4(const char *ip, int port)
{
	struct sockaddr_storage ss;
	struct sockaddr_in *in = (struct sockaddr_in *)&ss;

	memset(&ss, 0, sizeof(ss));
	in->sin_family = AF_INET;
	in->sin_port = htons((uint16_t)port);
	inet_pton(AF_INET, ip, &in->sin_addr);
	return ss;
}

static struct sockaddr_storage v6(const char *ip, int port)
{
	struct sockaddr_storage ss;
	struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)&ss;

	memset(&ss, 0, sizeof(ss));
	in6->sin6_family = AF_INET6;
	in6->sin6_port = htons((uint16_t)port);
	inet_pton(AF_INET6, ip, &in6->sin6_addr);
	return ss;
}

Test(peerid, loopback_addresses)
{
	uint8_t a[16];
	struct sockaddr_storage s;

	s = v4("127.0.0.1", 1);
	cr_assert_eq(peerid_addr(&s, a), 1);
	cr_assert_eq(a[10], 0xff);
	cr_assert_eq(a[12], 127);
	s = v4("127.3.2.1", 1);
	cr_assert_eq(peerid_addr(&s, a), 1);
	s = v4("10.0.0.1", 1);
	cr_assert_eq(peerid_addr(&s, a), 0);
	s = v6("::1", 1);
	cr_assert_eq(peerid_addr(&s, a), 1);
	s = v6("::ffff:127.0.0.1", 1);
	cr_assert_eq(peerid_addr(&s, a), 1);
	s = v6("fe80::1", 1);
	cr_assert_eq(peerid_addr(&s, a), 0);
	memset(&s, 0, sizeof(s));
	s.ss_family = AF_UNIX;
	cr_assert_eq(peerid_addr(&s, a), -EAFNOSUPPORT);
}

Test(peerid, request_names_the_clients_socket)
{
	char buf[PEERID_REQ_LEN];
	struct sockaddr_storage peer = v4("127.0.0.1", 40000), self = v4("127.0.0.1", 6060);
	struct nlmsghdr *h = (struct nlmsghdr *)buf;
	struct inet_diag_req_v2 *r = NLMSG_DATA(h);
	int n = peerid_req(&peer, &self, buf, sizeof(buf));

	cr_assert_gt(n, 0);
	cr_assert_eq(h->nlmsg_len, (unsigned)n);
	cr_assert_eq(h->nlmsg_type, SOCK_DIAG_BY_FAMILY);
	cr_assert_eq(r->sdiag_family, AF_INET);
	cr_assert_eq(r->id.idiag_sport, htons(40000)); /* its local end: the peer */
	cr_assert_eq(r->id.idiag_dport, htons(6060));
	cr_assert_eq(((uint8_t *)r->id.idiag_src)[0], 127);
	/* A v4-mapped peer of a dual-stack listener is asked as IPv4. */
	peer = v6("::ffff:127.0.0.1", 40001);
	self = v6("::ffff:127.0.0.1", 6060);
	cr_assert_gt(peerid_req(&peer, &self, buf, sizeof(buf)), 0);
	cr_assert_eq(r->sdiag_family, AF_INET);
	peer = v6("::1", 40002);
	self = v6("::1", 6060);
	cr_assert_gt(peerid_req(&peer, &self, buf, sizeof(buf)), 0);
	cr_assert_eq(r->sdiag_family, AF_INET6);
	cr_assert_eq(((uint8_t *)r->id.idiag_src)[15], 1);
	cr_assert_eq(peerid_req(&peer, &self, buf, 8), -EAFNOSUPPORT);
}

Test(peerid, reply_parsing)
{
	union {
		struct nlmsghdr h;
		char b[256];
	} rep;
	struct inet_diag_msg *m = NLMSG_DATA(&rep.h);
	struct nlmsgerr *e = NLMSG_DATA(&rep.h);
	struct sockaddr_storage peer = v4("127.0.0.1", 40000);
	uint32_t uid = 7;

	memset(&rep, 0, sizeof(rep));
	rep.h.nlmsg_type = SOCK_DIAG_BY_FAMILY;
	rep.h.nlmsg_len = NLMSG_LENGTH(sizeof(*m));
	m->id.idiag_sport = htons(40000);
	m->idiag_uid = 1000;
	cr_assert_eq(peerid_parse(&rep, rep.h.nlmsg_len, &peer, &uid), 0);
	cr_assert_eq(uid, 1000);
	/* Another socket's answer, a short or lying length: not believed. */
	m->id.idiag_sport = htons(40001);
	cr_assert_eq(peerid_parse(&rep, rep.h.nlmsg_len, &peer, &uid), -EBADMSG);
	m->id.idiag_sport = htons(40000);
	cr_assert_eq(peerid_parse(&rep, rep.h.nlmsg_len - 1, &peer, &uid), -EBADMSG);
	cr_assert_eq(peerid_parse(&rep, 4, &peer, &uid), -EBADMSG);
	rep.h.nlmsg_len = NLMSG_LENGTH(4);
	cr_assert_eq(peerid_parse(&rep, sizeof(rep), &peer, &uid), -EBADMSG);
	/* The kernel's "no such socket". */
	rep.h.nlmsg_type = NLMSG_ERROR;
	rep.h.nlmsg_len = NLMSG_LENGTH(sizeof(*e));
	e->error = -ENOENT;
	cr_assert_eq(peerid_parse(&rep, rep.h.nlmsg_len, &peer, &uid), -ENOENT);
}

Test(peerid, same_client)
{
	struct peerid a = { .kind = PEER_UID, .uid = 1000 }, b = a;

	cr_assert(peerid_same(&a, &b));
	b.uid = 0;
	cr_assert(!peerid_same(&a, &b));
	b.kind = PEER_ADDR;
	cr_assert(!peerid_same(&a, &b));
	a.kind = PEER_ADDR;
	a.addr[15] = 1;
	cr_assert(!peerid_same(&a, &b));
	b.addr[15] = 1;
	cr_assert(peerid_same(&a, &b));
}

/* The real kernel: this process's own loopback connection is its uid. */
Test(peerid, live_loopback_is_our_uid)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t al = sizeof(a);
	int l = socket(AF_INET, SOCK_STREAM, 0), c = socket(AF_INET, SOCK_STREAM, 0), s;
	struct peerid p;

	cr_assert(l >= 0 && c >= 0);
	cr_assert_eq(bind(l, (struct sockaddr *)&a, sizeof(a)), 0);
	cr_assert_eq(listen(l, 1), 0);
	cr_assert_eq(getsockname(l, (struct sockaddr *)&a, &al), 0);
	cr_assert_eq(connect(c, (struct sockaddr *)&a, sizeof(a)), 0);
	s = accept(l, NULL, NULL);
	cr_assert(s >= 0);
	peerid_of(s, &p);
	cr_assert_eq(p.kind, PEER_UID);
	cr_assert_eq(p.uid, (uint32_t)geteuid());
	close(s);
	close(c);
	close(l);
}
