// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Target credentials from /proc/PID/status. The text is the kernel's, but
 * parsing stays strict: anything unexpected is an error, never root. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "statusfile.h"
#include "tcred.h"

/* Parses up to MAX decimal ids between P and END. Count, or -errno. */
static int parse_ids(const char *p, const char *end, unsigned long *ids, size_t max)
{
	size_t n = 0;
	int ret = 0;
	unsigned long v;

	while (p < end && !ret) {
		if (*p == ' ' || *p == '\t') {
			p++;
			continue;
		}
		if (*p < '0' || *p > '9') {
			ret = -EINVAL;
			break;
		}
		v = 0;
		while (p < end && *p >= '0' && *p <= '9' && v <= 0xffffffffUL) {
			v = v * 10 + (unsigned long)(*p - '0');
			p++;
		}
		if (v > 0xfffffffeUL) /* (uid_t)-1 is not an id */
			ret = -EINVAL;
		else if (n >= max)
			ret = -E2BIG;
		else
			ids[n++] = v;
	}
	return ret ? ret : (int)n;
}

enum { F_UID, F_GID, F_GROUPS, F_COUNT };

/* The ids of field F: exactly WANT of them if WANT, else up to MAX.
 * Count, or -errno (-EINVAL: absent, repeated or malformed). */
static int field_ids(const struct statusfile_field *f, unsigned long *ids, size_t max, int want)
{
	const char *end, *p = statusfile_one(f, &end);
	int n = p ? parse_ids(p, end, ids, max) : -EINVAL;

	return n >= 0 && want && n != want ? -EINVAL : n;
}

int tcred_parse(const char *buf, size_t len, struct tcred *out)
{
	struct statusfile_field f[F_COUNT] = {
		[F_UID] = { .key = "Uid:" },
		[F_GID] = { .key = "Gid:" },
		[F_GROUPS] = { .key = "Groups:" },
	};
	unsigned long ids[TCRED_MAX_GROUPS];
	size_t i;
	int n;

	memset(out, 0, sizeof(*out));
	statusfile_scan(buf, len, f, F_COUNT);
	n = field_ids(&f[F_UID], ids, 4, 4);
	if (n >= 0) {
		out->fsuid = (uid_t)ids[3];
		n = field_ids(&f[F_GID], ids, 4, 4);
	}
	if (n >= 0) {
		out->fsgid = (gid_t)ids[3];
		n = field_ids(&f[F_GROUPS], ids, TCRED_MAX_GROUPS, 0);
	}
	for (i = 0; n >= 0 && i < (size_t)n; i++)
		out->groups[i] = (gid_t)ids[i];
	if (n >= 0)
		out->ngroups = (size_t)n;
	else
		memset(out, 0, sizeof(*out));
	return n < 0 ? n : 0;
}

int tcred_read(int pid, struct tcred *out)
{
	char *buf = malloc(STATUSFILE_MAX);
	size_t n = 0;
	int ret = buf ? statusfile_read(pid, buf, STATUSFILE_MAX, &n) : -ENOMEM;

	if (!ret)
		ret = tcred_parse(buf, n, out);
	else
		memset(out, 0, sizeof(*out));
	free(buf);
	return ret;
}
