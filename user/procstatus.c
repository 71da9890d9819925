// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include "procstatus.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "statusfile.h"

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

enum { F_HWM, F_RSS, F_ANON, F_NSPID, F_COUNT };

int procstatus_parse(const char *buf, size_t len, struct procstatus *out)
{
	struct statusfile_field f[F_COUNT] = {
		[F_HWM] = { .key = "VmHWM:" },
		[F_RSS] = { .key = "VmRSS:" },
		[F_ANON] = { .key = "RssAnon:" },
		[F_NSPID] = { .key = "NSpid:" },
	};
	const char *p, *end;

	memset(out, 0, sizeof(*out));
	statusfile_scan(buf, len, f, F_COUNT);
	p = statusfile_one(&f[F_RSS], &end);
	out->rss_kb = p ? kb_value(p, end) : 0;
	p = statusfile_one(&f[F_ANON], &end);
	out->anon_kb = p ? kb_value(p, end) : 0;
	p = statusfile_one(&f[F_NSPID], &end);
	out->ns_pid = p ? last_pid(p, end) : 0;
	p = statusfile_one(&f[F_HWM], &end);
	out->hwm_kb = p ? kb_value(p, end) : 0;
	return p ? 0 : -ENOENT;
}

int procstatus_read(int pid, struct procstatus *out)
{
	char *buf = malloc(STATUSFILE_MAX);
	size_t n = 0;
	int err = buf ? statusfile_read(pid, buf, STATUSFILE_MAX, &n) : -ENOMEM;

	if (!err)
		err = procstatus_parse(buf, n, out);
	free(buf);
	return err;
}
