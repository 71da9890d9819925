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
	const struct {
		const char *kind;
		uint64_t v;
	} k[] = {
		{ "ring_buffer_samples", st->sample_drops },
		{ "ring_buffer_code", st->code_drops },
		{ "ring_buffer_process", st->proc_drops },
		{ "ring_buffer_memory", st->mem_drops },
		{ "ring_buffer_memory_release", st->memop_drops },
		{ "table_full_samples", st->lost_samples },
		{ "stack_table_folded", st->stack_overflow },
	};
	size_t i;

	family(out, name, "counter",
	       "Events lost, by kind (ring buffer full, tables full, stacks folded).");
	for (i = 0; i < sizeof(k) / sizeof(k[0]); i++)
		strbuf_printf(out, "%s{kind=\"%s\"} %" PRIu64 "\n", name, k[i].kind, k[i].v);
}

int metrics_render(const struct metrics_in *m, struct strbuf *out)
{
	const struct snap_stats *st = &m->st;

	counter(out, "mlprofd_samples_total", "Stack samples of target threads taken in the kernel.",
		st->samples);
	drops(out, st);
	counter(out, "mlprofd_truncated_stacks_total", "Samples whose stack was deeper than the walk.",
		st->truncated);
	counter(out, "mlprofd_read_errors_total", "Stack walks cut by unreadable target memory.",
		st->read_errors);
	counter(out, "mlprofd_unresolved_frames_total", "Frames whose code names never arrived.",
		st->unresolved_frames);
	counter(out, "mlprofd_ml_lines_unmapped_total",
		"ML frames whose .ml line is unknown (counted for the function only).",
		st->ml_lines_unmapped);
	counter(out, "mlprofd_evicted_processes_total",
		"Finished process records evicted because the process table was full.",
		st->evicted_procs);
	counter(out, "mlprofd_evicted_samples_total", "Samples of the evicted process records.",
		st->evicted_samples);
	counter(out, "mlprofd_evicted_buckets_total",
		"Time buckets dropped: older than the retention, or a table was full.",
		st->evicted_buckets);
	counter(out, "mlprofd_evicted_buckets_early_total",
		"Of those, dropped before the retention because a table was full.",
		st->cap_evicted_buckets);
	counter(out, "mlprofd_evicted_bucket_samples_total", "Samples the dropped buckets held.",
		st->evicted_bucket_samples);
	counter(out, "mlprofd_expired_stacks_total", "Stack records freed: no bucket used them.",
		st->expired_stacks);
	counter(out, "mlprofd_expired_processes_total",
		"Ended process records freed: nothing of them left in the retention.",
		st->expired_procs);
	counter(out, "mlprofd_expired_functions_total",
		"Function records freed: no stack or running process used them.", st->expired_funcs);
	counter(out, "mlprofd_memory_events_total",
		"Memory events (mappings, sampled page faults) sent by the kernel.", st->mem_events);
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
