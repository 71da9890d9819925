// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* metrics: Prometheus text exposition; every line is HELP, TYPE or a
 * sample of a declared family; counters end in _total. */
#include <criterion/criterion.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "metrics.h"

static struct metrics_in sample_in(void)
{
	struct metrics_in m;

	memset(&m, 0, sizeof(m));
	m.st.samples = 123456;
	m.st.sample_drops = 7;
	m.st.code_drops = 2;
	m.st.lost_samples = 3;
	m.st.evicted_procs = 4;
	m.st.evicted_samples = 99;
	m.st.evicted_buckets = 12;
	m.st.cap_evicted_buckets = 2;
	m.st.evicted_bucket_samples = 5000;
	m.st.expired_stacks = 70;
	m.st.expired_procs = 8;
	m.st.expired_funcs = 30;
	m.st.mem_events = 640;
	m.st.memop_drops = 1;
	m.events = 130000;
	m.events_per_s = 1002.5;
	m.targets = 3;
	m.freq_hz = 999;
	m.cpu_s = 1.25;
	m.rss_bytes = 40960000;
	m.push_enabled = 1;
	m.push_dropped = 5;
	m.push_sent = 11;
	return m;
}

/* The value of the sample line `name` (with its labels), or -1. */
static double value_of(const char *text, const char *name)
{
	const char *p = text;
	size_t n = strlen(name);

	while ((p = strstr(p, name))) {
		if ((p == text || p[-1] == '\n') && p[n] == ' ')
			return strtod(p + n + 1, NULL);
		p += n;
	}
	return -1;
}

Test(metrics, every_line_is_help_type_or_a_declared_sample)
{
	struct metrics_in m = sample_in();
	struct strbuf out = STRBUF_INIT;
	regex_t help, type, sample;
	char declared[8192] = " ", *line, *save = NULL, *text;
	int nsamples = 0;

	cr_assert_eq(metrics_render(&m, &out), 0);
	cr_assert_eq(regcomp(&help, "^# HELP [a-zA-Z_:][a-zA-Z0-9_:]* [^ ].*$", REG_NOSUB), 0);
	cr_assert_eq(regcomp(&type, "^# TYPE ([a-zA-Z_:][a-zA-Z0-9_:]*) (counter|gauge)$",
			     REG_EXTENDED), 0);
	cr_assert_eq(regcomp(&sample,
			     "^([a-zA-Z_:][a-zA-Z0-9_:]*)(\\{[a-z_]+=\"[^\"]*\"(,[a-z_]+=\"[^\"]*\")*\\})? "
			     "-?[0-9.e+]+$", REG_EXTENDED), 0);
	cr_assert(out.len > 0 && out.buf[out.len - 1] == '\n');
	text = strdup(out.buf);
	for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		regmatch_t mt[3];
		char name[128];

		if (!regexec(&help, line, 0, NULL, 0))
			continue;
		if (!regexec(&type, line, 3, mt, 0)) {
			int len = (int)(mt[1].rm_eo - mt[1].rm_so);

			snprintf(name, sizeof(name), "%.*s", len, line + mt[1].rm_so);
			if (!strcmp(line + mt[2].rm_so, "counter"))
				cr_assert(len > 6 && !strcmp(name + len - 6, "_total"),
					  "counter %s not named *_total", name);
			strcat(declared, name);
			strcat(declared, " ");
			continue;
		}
		cr_assert_eq(regexec(&sample, line, 3, mt, 0), 0, "bad line: %s", line);
		snprintf(name, sizeof(name), " %.*s ", (int)(mt[1].rm_eo - mt[1].rm_so),
			 line + mt[1].rm_so);
		cr_assert_not_null(strstr(declared, name), "sample of undeclared family: %s", line);
		nsamples++;
	}
	cr_assert_gt(nsamples, 20);
	regfree(&help);
	regfree(&type);
	regfree(&sample);
	free(text);
	strbuf_free(&out);
}

Test(metrics, values_are_the_inputs)
{
	struct metrics_in m = sample_in();
	struct strbuf out = STRBUF_INIT;

	cr_assert_eq(metrics_render(&m, &out), 0);
	cr_assert_eq(value_of(out.buf, "mlprofd_samples_total"), 123456);
	cr_assert_eq(value_of(out.buf, "mlprofd_dropped_total{kind=\"ring_buffer_samples\"}"), 7);
	cr_assert_eq(value_of(out.buf, "mlprofd_dropped_total{kind=\"ring_buffer_code\"}"), 2);
	cr_assert_eq(value_of(out.buf, "mlprofd_dropped_total{kind=\"table_full_samples\"}"), 3);
	cr_assert_eq(value_of(out.buf, "mlprofd_evicted_processes_total"), 4);
	cr_assert_eq(value_of(out.buf, "mlprofd_evicted_samples_total"), 99);
	cr_assert_eq(value_of(out.buf, "mlprofd_evicted_buckets_total"), 12);
	cr_assert_eq(value_of(out.buf, "mlprofd_evicted_buckets_early_total"), 2);
	cr_assert_eq(value_of(out.buf, "mlprofd_evicted_bucket_samples_total"), 5000);
	cr_assert_eq(value_of(out.buf, "mlprofd_expired_stacks_total"), 70);
	cr_assert_eq(value_of(out.buf, "mlprofd_expired_processes_total"), 8);
	cr_assert_eq(value_of(out.buf, "mlprofd_expired_functions_total"), 30);
	cr_assert_eq(value_of(out.buf, "mlprofd_memory_events_total"), 640);
	cr_assert_eq(value_of(out.buf, "mlprofd_dropped_total{kind=\"ring_buffer_memory_release\"}"), 1);
	cr_assert_eq(value_of(out.buf, "mlprofd_targets"), 3);
	cr_assert_eq(value_of(out.buf, "mlprofd_events_per_second"), 1002.5);
	cr_assert_eq(value_of(out.buf, "process_cpu_seconds_total"), 1.25);
	cr_assert_eq(value_of(out.buf, "process_resident_memory_bytes"), 40960000);
	cr_assert_eq(value_of(out.buf, "mlprofd_push_dropped_total"), 5);
	cr_assert_eq(value_of(out.buf, "mlprofd_push_sent_total"), 11);
	strbuf_free(&out);
}

Test(metrics, push_families_only_when_pushing)
{
	struct metrics_in m = sample_in();
	struct strbuf out = STRBUF_INIT;

	m.push_enabled = 0;
	cr_assert_eq(metrics_render(&m, &out), 0);
	cr_assert_null(strstr(out.buf, "mlprofd_push_"));
	strbuf_free(&out);
}

Test(metrics, label_values_are_escaped)
{
	struct strbuf out = STRBUF_INIT;

	cr_assert_eq(metrics_label_value(&out, "a\"b\\c\nd"), 0);
	cr_assert_str_eq(out.buf, "a\\\"b\\\\c\\nd");
	strbuf_free(&out);
}
