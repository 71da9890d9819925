// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Prometheus text exposition of the daemon's counters. */
#include <errno.h>
#include <inttypes.h>
#include "metrics.h"

int metrics_label_value(struct strbuf *out, const char *v)
{
	for (; v && *v; v++) {
		if (*v == '\\')
			strbuf_puts(out, "\\\\");
		else if (*v == '"')
			strbuf_puts(out, "\\\"");
		else if (*v == '\n')
			strbuf_puts(out, "\\n");
		else
			strbuf_append(out, v, 1);
	}
	return out->err;
}

static void family(struct strbuf *out, const char *name, const char *type, const char *help)
{
	strbuf_printf(out, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

static void counter(struct strbuf *out, const char *name, const char *help, uint64_t v)
{
	family(out, name, "counter", help);
	strbuf_printf(out, "%s %" PRIu64 "\n", name, v);
}

static void gauge(struct strbuf *out, const char *name, const char *help, double v)
{
	family(out, name, "gauge", help);
	strbuf_printf(out, "%s %.10g\n", name, v);
}

static void drops(struct strbuf *out, const struct snap_stats *st)
{
	static const char *name = "mlprofd_dropped_total";
	int k;

	family(out, name, "counter",
	       "Events lost, by kind (ring buffer full, tables full, stacks folded).");
	for (k = 0; k < SNAP_STAT_NR; k++) {
		if (snap_stat_table[k].metric && snap_stat_table[k].flags & SS_DROP)
			strbuf_printf(out, "%s{kind=\"%s\"} %" PRIu64 "\n", name,
				      snap_stat_table[k].metric, st->v[k]);
	}
}

/* The counters of the profile (snapstats.h): one family each, and the
 * drops as one family by kind, where the first drop is. */
static void stat_counters(struct strbuf *out, const struct snap_stats *st)
{
	const struct snap_stat_desc *d;
	int k, dropped = 0;

	for (k = 0; k < SNAP_STAT_NR; k++) {
		d = &snap_stat_table[k];
		if (d->metric && d->flags & SS_DROP && !dropped++)
			drops(out, st);
		else if (d->metric && !(d->flags & SS_DROP))
			counter(out, d->metric, d->help, st->v[k]);
	}
}

int metrics_render(const struct metrics_in *m, struct strbuf *out)
{
	const struct snap_stats *st = &m->st;

	stat_counters(out, st);
	counter(out, "mlprofd_events_total", "Ring-buffer events read by the daemon.", m->events);
	counter(out, "mlprofd_bad_events_total", "Malformed ring-buffer events.", m->bad_events);
	gauge(out, "mlprofd_events_per_second",
	      "Ring-buffer events read per second over the last scrape interval.", m->events_per_s);
	gauge(out, "mlprofd_targets", "Live target processes.", m->targets);
	gauge(out, "mlprofd_processes_kept", "Process images in the store.", (double)m->procs_kept);
	gauge(out, "mlprofd_stacks_kept", "Distinct stacks in the store.", (double)m->stacks_kept);
	gauge(out, "mlprofd_functions_kept", "Distinct functions in the store.",
	      (double)m->funcs_kept);
	gauge(out, "mlprofd_sample_frequency_hertz", "Samples per second of target CPU time.",
	      m->freq_hz);
	gauge(out, "mlprofd_uptime_seconds", "Seconds since the daemon started.", m->uptime_s);
	counter(out, "mlprofd_http_requests_total", "HTTP requests answered.", m->http_requests);
	counter(out, "mlprofd_http_profiles_total", "Profiles served on /debug/pprof/profile.",
		m->http_profiles);
	counter(out, "mlprofd_http_rejected_total",
		"Profile requests refused: too many in progress.", m->http_rejected);
	if (m->push_enabled) {
		counter(out, "mlprofd_push_sent_total", "Profiles pushed and accepted.", m->push_sent);
		counter(out, "mlprofd_push_failed_total",
			"Profiles given up after their last retry.", m->push_failed);
		counter(out, "mlprofd_push_retries_total", "Push attempts retried.", m->push_retries);
		counter(out, "mlprofd_push_dropped_total",
			"Profiles dropped unsent because the push queue was full.", m->push_dropped);
		gauge(out, "mlprofd_push_queued", "Profiles waiting to be pushed.",
		      (double)m->push_queued);
	}
	family(out, "process_cpu_seconds_total", "counter", "User and system CPU time of mlprofd.");
	strbuf_printf(out, "process_cpu_seconds_total %.10g\n", m->cpu_s);
	gauge(out, "process_resident_memory_bytes", "Resident memory of mlprofd.",
	      (double)m->rss_bytes);
	return out->err;
}
