// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Validates the HTTP endpoints' query arguments. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include "httpargs.h"

int httpargs_seconds(const char *v, unsigned *out, char *msg, size_t msglen)
{
	unsigned long n;
	char *end;
	int err = 0;

	if (!v || !*v) {
		*out = HTTPSRV_DEFAULT_SECONDS;
		return 0;
	}
	errno = 0;
	n = v[0] >= '0' && v[0] <= '9' ? strtoul(v, &end, 10) : 0;
	if (v[0] < '0' || v[0] > '9' || errno || *end || n < 1 || n > HTTPSRV_MAX_SECONDS) {
		snprintf(msg, msglen, "bad seconds '%.40s': want a whole number of seconds "
				      "from 1 to %d\n", v, HTTPSRV_MAX_SECONDS);
		err = -EINVAL;
	} else {
		*out = (unsigned)n;
	}
	return err;
}

int httpargs_range(const char *v, unsigned long *out, char *msg, size_t msglen)
{
	unsigned long n = 0;
	char *end = NULL;
	int err = 0;

	if (v && *v) {
		errno = 0;
		n = v[0] >= '0' && v[0] <= '9' ? strtoul(v, &end, 10) : 0;
		if (v[0] < '0' || v[0] > '9' || errno || *end || n > HTTPSRV_MAX_RANGE_SECONDS)
			err = -EINVAL;
	}
	if (err)
		snprintf(msg, msglen, "bad seconds '%.40s': want a whole number of seconds "
				      "up to %lu, 0 for all\n", v, HTTPSRV_MAX_RANGE_SECONDS);
	else
		*out = n;
	return err;
}
