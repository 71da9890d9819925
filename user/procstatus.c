// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include "procstatus.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

/* The value of a "Key:   1234 kB" line, in KiB; 0 if malformed. */
static uint64_t kb_value(const char *p, const char *end)
{
	uint64_t v = 0;

	while (p < end && (*p == ' ' || *p == '\t'))
		p++;
	while (p < end && *p >= '0' && *p <= '9' && v < (UINT64_MAX - 9) / 10)
		v = v * 10 + (uint64_t)(*p++ - '0');
	return v;
}

/* The last number of a "NSpid:\t4242\t7\t1" line (the innermost
 * namespace's pid), 0 if none or out of range. */
static int32_t last_pid(const char *p, const char *end)
{
	uint64_t v = 0;
	int32_t last = 0;

	while (p < end) {
		while (p < end && (*p == ' ' || *p == '\t'))
			p++;
		if (p >= end || *p < '0' || *p > '9')
			break;
		for (v = 0; p < end && *p >= '0' && *p <= '9'; p++)
			v = v > INT32_MAX ? v : v * 10 + (uint64_t)(*p - '0');
		last = v <= INT32_MAX ? (int32_t)v : 0;
	}
	return last;
}

int procstatus_parse(const char *buf, size_t len, struct procstatus *out)
{
	const char *p = buf, *end = buf + len, *nl;
	int have_hwm = 0;

	memset(out, 0, sizeof(*out));
	while (p < end) {
		nl = memchr(p, '\n', (size_t)(end - p));
		if (!nl)
			nl = end;
		if (nl - p >= 6 && !memcmp(p, "VmHWM:", 6)) {
			out->hwm_kb = kb_value(p + 6, nl);
			have_hwm = 1;
		} else if (nl - p >= 6 && !memcmp(p, "VmRSS:", 6)) {
			out->rss_kb = kb_value(p + 6, nl);
		} else if (nl - p >= 8 && !memcmp(p, "RssAnon:", 8)) {
			out->anon_kb = kb_value(p + 8, nl);
		} else if (nl - p >= 6 && !memcmp(p, "NSpid:", 6)) {
			out->ns_pid = last_pid(p + 6, nl);
		}
		p = nl + 1;
	}
	return have_hwm ? 0 : -ENOENT;
}

int procstatus_read(int pid, struct procstatus *out)
{
	char path[32], buf[4096];
	ssize_t n = -1;
	int fd, err;

	snprintf(path, sizeof(path), "/proc/%d/status", pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd >= 0) {
		n = read(fd, buf, sizeof(buf));
		err = n < 0 ? -errno : 0;
		close(fd);
	} else {
		err = -errno;
	}
	if (!err)
		err = procstatus_parse(buf, (size_t)n, out);
	return err;
}
