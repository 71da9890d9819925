/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* Who is at the other end of an accepted TCP connection, so limits can be
 * per client. On loopback every local user shares one address, so a client
 * on this machine (in this network namespace) is the owner of its socket
 * (a uid, from the kernel's socket diagnostics); a remote one is its
 * address. */
#ifndef MLPROF_PEERID_H
#define MLPROF_PEERID_H

#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

enum peer_kind {
	PEER_UNKNOWN = 0, /* getpeername failed: all such share one budget */
	PEER_ADDR,        /* a remote peer: its address */
	PEER_UID,         /* a local peer: the uid owning its socket */
};

struct peerid {
	enum peer_kind kind;
	uint32_t uid;      /* PEER_UID */
	uint8_t addr[16];  /* PEER_ADDR: IPv4 as ::ffff:a.b.c.d */
};

/* The client of connected socket FD. Never fails: a loopback peer whose
 * owner cannot be looked up is keyed by its address. Does not block (the
 * kernel answers a socket-diagnostics query before sendmsg returns). */
void peerid_of(int fd, struct peerid *out);
/* 1 if a and b are the same client. */
int peerid_same(const struct peerid *a, const struct peerid *b);

/* ---- the pure parts, for tests ---- */

/* The peer's address as 16 bytes (IPv4 mapped) in addr; 1 if it is a
 * loopback address (127/8, ::1, ::ffff:127/104), 0 if not, -EAFNOSUPPORT
 * for a family other than IPv4/IPv6. */
int peerid_addr(const struct sockaddr_storage *ss, uint8_t addr[16]);
/* Builds in buf (at least PEERID_REQ_LEN bytes) the socket-diagnostics
 * request for the socket whose local end is `peer` and remote end `self`
 * (the client's socket). Its length, or -EAFNOSUPPORT. */
#define PEERID_REQ_LEN 128
int peerid_req(const struct sockaddr_storage *peer, const struct sockaddr_storage *self,
	       void *buf, size_t size);
/* The owner uid from a reply of len bytes to that request, checking that
 * it describes the socket asked for (peer's port). 0 or -errno (-ENOENT:
 * no such socket, -EBADMSG: malformed). */
int peerid_parse(const void *buf, size_t len, const struct sockaddr_storage *peer,
		 uint32_t *uid);

#endif
