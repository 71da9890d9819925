/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* Query arguments of the HTTP endpoints (pure). */
#ifndef MLPROF_HTTPARGS_H
#define MLPROF_HTTPARGS_H

#include <stddef.h>

#define HTTPSRV_MAX_SECONDS 300
#define HTTPSRV_DEFAULT_SECONDS 30

/* ?seconds= of /debug/pprof/profile: NULL or "" is the default; else a
 * whole number 1-HTTPSRV_MAX_SECONDS. 0, or -EINVAL with a message for the
 * client in msg. */
int httpargs_seconds(const char *v, unsigned *out, char *msg, size_t msglen);

/* ?seconds= of /html-data: the last N seconds of the retained history;
 * NULL, "" or "0" is all of it; else a whole number up to
 * HTTPSRV_MAX_RANGE_SECONDS (a year). 0, or -EINVAL with a message. */
#define HTTPSRV_MAX_RANGE_SECONDS (366UL * 86400)
int httpargs_range(const char *v, unsigned long *out, char *msg, size_t msglen);

#endif
