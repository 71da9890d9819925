/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* Pushing to a Pyroscope ingest endpoint, the pure parts: the URL with the
 * series name and labels, the target label of a process, the retry
 * schedule and the interval option. */
#ifndef MLPROF_PUSHURL_H
#define MLPROF_PUSHURL_H

#include <stddef.h>
#include <stdint.h>
#include "snapshot.h"
#include "strbuf.h"

struct pushurl_labels {
	const char *host;
	const char *target;
	const char *python;
};

/* 1 if app is a valid application name: 1-100 of [A-Za-z0-9._-]. */
int pushurl_app_valid(const char *app);
/* 1 if url starts with http:// or https:// and has a host. */
int pushurl_valid(const char *url);

/* Appends BASE/ingest?name=APP{host=..,python=..,target=..}&from=FROM
 * &until=UNTIL&format=pprof&sampleRate=HZ&spyName=mlprof to out (the name
 * percent-encoded; label values with characters outside [A-Za-z0-9._/:-]
 * have them replaced by '_'; empty values are "unknown"). A base that
 * already ends in /ingest is kept as is. 0 or -ENOMEM. */
int pushurl_build(struct strbuf *out, const char *base, const char *app,
	     const struct pushurl_labels *l, uint64_t from_s, uint64_t until_s, unsigned hz);

/* The `target` label of a process image: an mlpy run's .ml file name, the
 * script (or module) a Python command line runs, else the command name;
 * basenames only. Written to buf (always NUL-terminated). */
void pushurl_target_name(const struct snap_proc *p, char *buf, size_t len);

/* Delay before retry `attempt` (1 = the first retry): base_ms doubled
 * each time, at most max_ms. */
uint64_t pushurl_backoff_ms(unsigned attempt, uint64_t base_ms, uint64_t max_ms);

/* "15s", "2m", "1h" or plain seconds, 1 s to 1 day. 0 or -EINVAL. */
int pushurl_parse_interval(const char *s, unsigned *seconds);

#endif
