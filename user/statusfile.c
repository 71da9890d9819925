// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include "statusfile.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

/* Matches the line [P, NL) against each field's key. */
static void match_line(const char *p, const char *nl, struct statusfile_field *fields, size_t n)
{
	size_t i, klen;

	for (i = 0; i < n; i++) {
		klen = strlen(fields[i].key);
		if ((size_t)(nl - p) < klen || memcmp(p, fields[i].key, klen))
			continue;
		if (!fields[i].count++) {
			fields[i].val = p + klen;
			fields[i].end = nl;
		}
	}
}

void statusfile_scan(const char *buf, size_t len, struct statusfile_field *fields, size_t n)
{
	const char *p = buf, *end = buf + len, *nl;
	size_t i;

	for (i = 0; i < n; i++) {
		fields[i].val = NULL;
		fields[i].end = NULL;
		fields[i].count = 0;
	}
	while (p < end) {
		nl = memchr(p, '\n', (size_t)(end - p));
		if (!nl)
			break;
		match_line(p, nl, fields, n);
		p = nl + 1;
	}
}

const char *statusfile_one(const struct statusfile_field *f, const char **end)
{
	const char *val = f->count == 1 ? f->val : NULL;

	*end = val ? f->end : NULL;
	return val;
}

int statusfile_read(int pid, char *buf, size_t cap, size_t *len)
{
	char path[32];
	ssize_t r = 1;
	size_t n = 0;
	int fd, ret = 0;

	snprintf(path, sizeof(path), "/proc/%d/status", pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		ret = -errno;
	while (!ret && r > 0 && n < cap) {
		r = read(fd, buf + n, cap - n);
		if (r < 0)
			ret = -errno;
		else
			n += (size_t)r;
	}
	if (fd >= 0)
		close(fd);
	*len = ret ? 0 : n;
	return ret;
}
