/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* The daemon's numbers in the Prometheus text exposition format (0.0.4):
 * a HELP and a TYPE line per family, counters named *_total. Pure. */
#ifndef MLPROF_METRICS_H
#define MLPROF_METRICS_H

#include <stdint.h>
#include "snapshot.h"
#include "strbuf.h"

struct metrics_in {
	struct snap_stats st;    /* counters since start (or the last reset) */
	uint64_t events;         /* ring-buffer events read */
	uint64_t bad_events;
	double events_per_s;     /* over the last scrape interval */
	uint32_t targets;        /* live target processes */
	uint64_t procs_kept, stacks_kept, funcs_kept;
	uint32_t freq_hz;
	double uptime_s;
	double cpu_s;            /* the daemon's user + system CPU */
	uint64_t rss_bytes;
	/* Serving and pushing. */
	uint64_t http_requests, http_profiles, http_rejected;
	int push_enabled;
	uint64_t push_sent, push_failed, push_retries, push_dropped, push_queued;
};

/* Appends the exposition text. 0 or -ENOMEM. */
int metrics_render(const struct metrics_in *m, struct strbuf *out);
/* Appends v as a Prometheus label value (backslash, quote and newline
 * escaped). 0 or -ENOMEM. */
int metrics_label_value(struct strbuf *out, const char *v);

#endif
