// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Target credentials from /proc/PID/status. The text is the kernel's, but
 * parsing stays strict: anything unexpected is an error, never root. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "tcred.h"

#define STATUS_MAX 16384

/* The line starting with KEY (e.g. "Uid:"), or NULL. *end: its end. */
static const char *find_line(const char *buf, size_t len, const char *key, const char **end)
{
	const char *p = buf, *stop = buf + len, *nl, *found = NULL;
	size_t klen = strlen(key);

	while (p < stop && !found) {
		nl = memchr(p, '\n', (size_t)(stop - p));
		nl = nl ? nl : stop;
		if ((size_t)(nl - p) >= klen && !memcmp(p, key, klen)) {
			found = p + klen;
			*end = nl;
		}
		p = nl + 1;
	}
	return found;
}

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

int tcred_parse(const char *buf, size_t len, struct tcred *out)
{
	unsigned long ids[TCRED_MAX_GROUPS];
	const char *p, *end = NULL;
	int n, ret = 0;
	size_t i;

	memset(out, 0, sizeof(*out));
	p = find_line(buf, len, "Uid:", &end);
	n = p ? parse_ids(p, end, ids, 4) : -EINVAL;
	if (n != 4)
		ret = n < 0 ? n : -EINVAL;
	else
		out->fsuid = (uid_t)ids[3];
	p = ret ? NULL : find_line(buf, len, "Gid:", &end);
	n = p ? parse_ids(p, end, ids, 4) : -EINVAL;
	if (!ret && n != 4)
		ret = n < 0 ? n : -EINVAL;
	else if (!ret)
		out->fsgid = (gid_t)ids[3];
	p = ret ? NULL : find_line(buf, len, "Groups:", &end);
	n = p ? parse_ids(p, end, ids, TCRED_MAX_GROUPS) : -EINVAL;
	if (!ret && n < 0)
		ret = n;
	for (i = 0; !ret && i < (size_t)n; i++)
		out->groups[i] = (gid_t)ids[i];
	if (!ret)
		out->ngroups = (size_t)n;
	else
		memset(out, 0, sizeof(*out));
	return ret;
}

int tcred_read(int pid, struct tcred *out)
{
	char path[64], *buf;
	ssize_t n = 0, r = 1;
	int fd, ret = 0;

	snprintf(path, sizeof(path), "/proc/%d/status", pid);
	buf = malloc(STATUS_MAX);
	fd = buf ? open(path, O_RDONLY | O_CLOEXEC) : -1;
	if (!buf)
		ret = -ENOMEM;
	else if (fd < 0)
		ret = -errno;
	while (!ret && r > 0 && n < STATUS_MAX) {
		r = read(fd, buf + n, (size_t)(STATUS_MAX - n));
		if (r < 0)
			ret = -errno;
		else
			n += r;
	}
	if (!ret)
		ret = tcred_parse(buf, (size_t)n, out);
	if (fd >= 0)
		close(fd);
	free(buf);
	return ret;
}
