/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* Parses a listen address for --http: ADDR:PORT, [IPV6]:PORT, :PORT or
 * PORT (the last two on 127.0.0.1: loopback unless asked otherwise). */
#ifndef MLPROF_NETADDR_H
#define MLPROF_NETADDR_H

#include <sys/socket.h>

/* 0 or -EINVAL. Numeric addresses only; port 1-65535. */
int netaddr_parse(const char *s, struct sockaddr_storage *ss, socklen_t *len);

#endif
