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

#endif
