// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Formatting of counts, seconds and times as reports print them. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "timefmt.h"

const char *timefmt_count(uint64_t v, char *buf, size_t len)
{
	char digits[32];
	size_t n, i, o = 0;

	n = (size_t)snprintf(digits, sizeof(digits), "%llu", (unsigned long long)v);
	for (i = 0; i < n && o + 2 < len; i++) {
		if (i && (n - i) % 3 == 0)
			buf[o++] = ',';
		buf[o++] = digits[i];
	}
	buf[o] = '\0';
	return buf;
}

const char *timefmt_fixed(double v, int decimals, char *buf, size_t len)
{
	char tmp[64], *dot;
	uint64_t ip;
	double scale = pow(10, decimals), r;
	int neg = v < 0;

	if (!isfinite(v)) {
		snprintf(buf, len, "-");
		return buf;
	}
	r = round(fabs(v) * scale) / scale;
	ip = (uint64_t)r;
	timefmt_count(ip, tmp, sizeof(tmp));
	if (decimals > 0) {
		char frac[32];

		snprintf(frac, sizeof(frac), "%.*f", decimals, r - (double)ip);
		dot = strchr(frac, '.');
		snprintf(buf, len, "%s%s%s", neg && r > 0 ? "-" : "", tmp, dot ? dot : "");
	} else {
		snprintf(buf, len, "%s%s", neg && r > 0 ? "-" : "", tmp);
	}
	return buf;
}

const char *timefmt_wallclock(int64_t real_ns, char *buf, size_t len)
{
	time_t t = (time_t)(real_ns / 1000000000LL);
	struct tm tm;

	if (!localtime_r(&t, &tm) || !strftime(buf, len, "%Y-%m-%d %H:%M:%S", &tm))
		snprintf(buf, len, "-");
	return buf;
}

int timefmt_parse_duration(const char *s, uint64_t *ns)
{
	char *end;
	double v, mult = 1e9;

	errno = 0;
	v = strtod(s, &end);
	if (errno || end == s || v < 0 || !isfinite(v))
		return -EINVAL;
	if (!strcmp(end, "") || !strcmp(end, "s"))
		mult = 1e9;
	else if (!strcmp(end, "ms"))
		mult = 1e6;
	else if (!strcmp(end, "m"))
		mult = 60e9;
	else if (!strcmp(end, "h"))
		mult = 3600e9;
	else if (!strcmp(end, "d"))
		mult = 86400e9;
	else
		return -EINVAL;
	if (v * mult > 1.8e19)
		return -EINVAL;
	*ns = (uint64_t)(v * mult);
	return 0;
}

int timefmt_parse_time_spec(const char *s, int64_t now_real_ns, int64_t *real_ns)
{
	struct tm tm;
	const char *end;
	char *nend;
	uint64_t ago;
	double v;
	time_t t;

	memset(&tm, 0, sizeof(tm));
	end = strptime(s, "%Y-%m-%dT%H:%M:%S", &tm);
	if (!end)
		end = strptime(s, "%Y-%m-%d %H:%M:%S", &tm);
	if (end) {
		/* UTC: "Z" or nothing after the seconds. */
		if (strcmp(end, "Z") && strcmp(end, ""))
			return -EINVAL;
		t = timegm(&tm);
		if (t == (time_t)-1 || t < 0)
			return -EINVAL;
		*real_ns = (int64_t)t * 1000000000LL;
		return 0;
	}
	errno = 0;
	v = strtod(s, &nend);
	if (!errno && nend != s && !*nend && v >= 1e9 && v < 9e9) {
		/* A bare number that large is a Unix time, not a duration. */
		*real_ns = (int64_t)(v * 1e9);
		return 0;
	}
	if (timefmt_parse_duration(s, &ago) || ago > (uint64_t)INT64_MAX ||
	    (int64_t)ago > now_real_ns)
		return -EINVAL;
	*real_ns = now_real_ns - (int64_t)ago;
	return 0;
}

int timefmt_parse_time_range(const char *spec, int64_t now_real_ns, char *buf, size_t len,
		     const char **since, const char **until)
{
	int64_t from = 0, to = 0;
	char *dots;
	int err = 0;

	*since = *until = NULL;
	if (spec[0] != '@' || !spec[1] || strlen(spec + 1) >= len)
		err = -EINVAL;
	if (!err) {
		strcpy(buf, spec + 1);
		dots = strstr(buf, "..");
		if (dots) {
			*dots = '\0';
			*until = *(dots + 2) ? dots + 2 : NULL;
		}
		*since = *buf ? buf : NULL;
		if (!*since && !*until)
			err = -EINVAL; /* "@.." is everything: say "-" */
	}
	if (!err && *since && timefmt_parse_time_spec(*since, now_real_ns, &from))
		err = -EINVAL;
	if (!err && *until && timefmt_parse_time_spec(*until, now_real_ns, &to))
		err = -EINVAL;
	if (!err && *since && *until && to <= from)
		err = -EINVAL;
	if (err)
		*since = *until = NULL;
	return err;
}
