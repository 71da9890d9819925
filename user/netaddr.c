// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Listen addresses: numeric IPv4 or IPv6 and a port. */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include "netaddr.h"

static int parse_port(const char *s, uint16_t *port)
{
	unsigned long v;
	char *end;

	errno = 0;
	if (*s < '0' || *s > '9')
		return -EINVAL;
	v = strtoul(s, &end, 10);
	if (errno || *end || v < 1 || v > 65535)
		return -EINVAL;
	*port = (uint16_t)v;
	return 0;
}

int netaddr_parse(const char *s, struct sockaddr_storage *ss, socklen_t *len)
{
	struct sockaddr_in *in4 = (struct sockaddr_in *)ss;
	struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)ss;
	char host[64];
	const char *colon, *port_s = s;
	uint16_t port;
	size_t n;
	int err = -EINVAL;

	memset(ss, 0, sizeof(*ss));
	host[0] = '\0';
	if (s && s[0] == '[') {
		colon = strstr(s, "]:");
		n = colon ? (size_t)(colon - s - 1) : sizeof(host);
		if (n < sizeof(host)) {
			memcpy(host, s + 1, n);
			host[n] = '\0';
			port_s = colon + 2;
		}
	} else if (s && (colon = strrchr(s, ':'))) {
		n = (size_t)(colon - s);
		if (n < sizeof(host) && !memchr(s, ':', n)) {
			memcpy(host, s, n);
			host[n] = '\0';
			port_s = colon + 1;
		} else {
			port_s = "";
		}
	}
	if (!s || parse_port(port_s, &port))
		return -EINVAL;
	if (s[0] == '[' && host[0] && inet_pton(AF_INET6, host, &in6->sin6_addr) == 1) {
		in6->sin6_family = AF_INET6;
		in6->sin6_port = htons(port);
		*len = sizeof(*in6);
		err = 0;
	} else if (s[0] != '[') {
		if (!host[0])
			strcpy(host, "127.0.0.1");
		if (inet_pton(AF_INET, host, &in4->sin_addr) == 1) {
			in4->sin_family = AF_INET;
			in4->sin_port = htons(port);
			*len = sizeof(*in4);
			err = 0;
		}
	}
	return err;
}
