// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* report: the raw report as text (golden pieces) and JSON, and dispatch. */
#include <criterion/criterion.h>
#include <cjson/cJSON.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "fixtures.h"
#include "report.h"

static char *render(const struct snap *s, const char *type, enum report_format fmt)
{
	struct strbuf out = STRBUF_INIT;
	char err[256] = "";

	cr_assert_eq(report_render(s, type, fmt, &out, err, sizeof(err)), 0, "%s", err);
	return strbuf_detach(&out);
}

/* The line of text that contains `needle`, or the test fails. */
static char *line_with(const char *text, const char *needle)
{
	const char *p = strstr(text, needle), *a, *b;

	cr_assert_not_null(p, "no line with '%s' in:\n%s", needle, text);
	for (a = p; a > text && a[-1] != '\n'; a--)
		;
	b = strchr(p, '\n');
	return strndup(a, b ? (size_t)(b - a) : strlen(a));
}

Test(report, raw_text)
{
	static const char header[] = "mlprof raw profile: 2,000 samples at 100 Hz = 20.000 s CPU, "
				     "2 processes, 5 dropped\n";
	struct snap s;
	char *txt, *l;

	fixture_snap(&s);
	txt = render(&s, "raw", REPORT_TEXT);
	cr_assert_eq(strncmp(txt, header, strlen(header)), 0, "header:\n%s", txt);
	/* eval: 1,234 self = 12.340 s = 61.7 %. */
	l = line_with(txt, "/app/eval.py:20(eval)");
	cr_assert_str_eq(l, "     1,234     12.340  61.7%      1,234     12.340  61.7%  "
			    "/app/eval.py:20(eval)");
	free(l);
	/* parse: 166 self, 1,400 total = 70.0 %. */
	l = line_with(txt, "(Parser.parse)");
	cr_assert_not_null(strstr(l, "   166 "));
	cr_assert_not_null(strstr(l, "  1,400 "));
	cr_assert_not_null(strstr(l, " 14.000 "));
	cr_assert_not_null(strstr(l, "70.0%"));
	free(l);
	/* A pseudo function has no file. */
	l = line_with(txt, "~:0(<startup>)");
	cr_assert_not_null(strstr(l, "30.0%"));
	free(l);
	/* Rows in order: eval, startup, parse, main. */
	cr_assert_lt(strstr(txt, "(eval)"), strstr(txt, "(<startup>)"));
	cr_assert_lt(strstr(txt, "(<startup>)"), strstr(txt, "(Parser.parse)"));
	cr_assert_lt(strstr(txt, "(Parser.parse)"), strstr(txt, "(main)"));
	/* Process table: the child ran 1 s and exited 0. */
	cr_assert_not_null(strstr(txt, "\nProcesses (2):\n"));
	l = line_with(txt, "    1001  ");
	cr_assert_not_null(strstr(l, "3.11.2"));
	cr_assert_not_null(strstr(l, "  1.000 "));
	cr_assert_not_null(strstr(l, "exited(0)"));
	cr_assert_not_null(strstr(l, "python3 -m mlpy worker"));
	free(l);
	l = line_with(txt, "    1000  ");
	cr_assert_not_null(strstr(l, "running"));
	cr_assert_not_null(strstr(l, " 10.000 "));
	free(l);
	/* Data notes for the drops and the truncated stack. */
	cr_assert_not_null(strstr(txt, "\nData notes:\n"));
	cr_assert_not_null(strstr(txt, "  - 3 samples dropped: the ring buffer was full"));
	cr_assert_not_null(strstr(txt, "  - 2 samples not stored"));
	cr_assert_not_null(strstr(txt, "  - 1 samples had stacks deeper"));
	free(txt);
	snap_free(&s);
}

Test(report, raw_text_empty)
{
	struct snap s = { .freq_hz = 100 };
	char *txt = render(&s, "raw", REPORT_TEXT);

	cr_assert_not_null(strstr(txt, "0 samples at 100 Hz = 0.000 s CPU, 0 processes, 0 dropped"));
	cr_assert_not_null(strstr(txt, "(no samples)\n"));
	cr_assert_null(strstr(txt, "Data notes"));
	free(txt);
}

static double num(const cJSON *o, const char *k)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);

	cr_assert(cJSON_IsNumber(v), "\"%s\" is not a number", k);
	return v->valuedouble;
}

Test(report, raw_json)
{
	struct snap s;
	cJSON *o, *funcs, *procs, *f, *p;
	char *txt;

	fixture_snap(&s);
	txt = render(&s, "raw", REPORT_JSON);
	o = cJSON_Parse(txt);
	cr_assert_not_null(o, "not JSON:\n%s", txt);
	cr_assert_str_eq(cJSON_GetObjectItemCaseSensitive(o, "report")->valuestring, "raw");
	cr_assert_eq(num(o, "freq_hz"), 100);
	cr_assert_eq(num(o, "samples"), 2000);
	cr_assert_eq(num(o, "dropped"), 5);
	cr_assert_float_eq(num(o, "cpu_s"), 20.0, 1e-9);
	funcs = cJSON_GetObjectItemCaseSensitive(o, "functions");
	cr_assert_eq(cJSON_GetArraySize(funcs), 4);
	f = cJSON_GetArrayItem(funcs, 0);
	cr_assert_str_eq(cJSON_GetObjectItemCaseSensitive(f, "qualname")->valuestring, "eval");
	cr_assert_str_eq(cJSON_GetObjectItemCaseSensitive(f, "file")->valuestring, "/app/eval.py");
	cr_assert_str_eq(cJSON_GetObjectItemCaseSensitive(f, "kind")->valuestring, "python");
	cr_assert_eq(num(f, "line"), 20);
	cr_assert_eq(num(f, "self_samples"), 1234);
	cr_assert_eq(num(f, "total_samples"), 1234);
	cr_assert_float_eq(num(f, "self_s"), 12.34, 1e-9);
	cr_assert_float_eq(num(f, "total_s"), 12.34, 1e-9);
	cr_assert_float_eq(num(f, "self_pct"), 61.7, 1e-9);
	f = cJSON_GetArrayItem(funcs, 2);
	cr_assert_str_eq(cJSON_GetObjectItemCaseSensitive(f, "qualname")->valuestring,
			 "Parser.parse");
	cr_assert_eq(num(f, "total_samples"), 1400);
	cr_assert_float_eq(num(f, "total_s"), 14.0, 1e-9);
	cr_assert_float_eq(num(f, "total_pct"), 70.0, 1e-9);
	f = cJSON_GetArrayItem(funcs, 1);
	cr_assert_str_eq(cJSON_GetObjectItemCaseSensitive(f, "kind")->valuestring, "pseudo");

	procs = cJSON_GetObjectItemCaseSensitive(o, "processes");
	cr_assert_eq(cJSON_GetArraySize(procs), 2);
	p = cJSON_GetArrayItem(procs, 0);
	cr_assert_eq(num(p, "pid"), 1000);
	cr_assert_str_eq(cJSON_GetObjectItemCaseSensitive(p, "state")->valuestring, "running");
	cr_assert(cJSON_IsNull(cJSON_GetObjectItemCaseSensitive(p, "exit_code")));
	cr_assert(cJSON_IsNull(cJSON_GetObjectItemCaseSensitive(p, "exit_time")));
	cr_assert_float_eq(num(p, "wall_s"), 10.0, 1e-9);
	cr_assert_float_eq(num(p, "start_time"), 1700000001.0, 1e-6);
	p = cJSON_GetArrayItem(procs, 1);
	cr_assert_eq(num(p, "exit_code"), 0);
	cr_assert_float_eq(num(p, "exit_time"), 1700000003.0, 1e-6);
	cr_assert_float_eq(num(p, "cpu_s"), 6.0, 1e-9);
	cr_assert_eq(num(p, "run"), 0);
	cr_assert_eq(num(p, "parent"), 0);
	cr_assert_eq(num(cJSON_GetObjectItemCaseSensitive(o, "stats"), "sample_drops"), 3);
	cJSON_Delete(o);
	free(txt);
	snap_free(&s);
}

Test(report, all_json_wraps_each_type)
{
	struct snap s;
	cJSON *o;
	char *txt;
	size_t i;

	fixture_snap(&s);
	txt = render(&s, "all", REPORT_JSON);
	o = cJSON_Parse(txt);
	cr_assert_not_null(o);
	for (i = 0; report_types[i]; i++)
		cr_assert(cJSON_IsObject(cJSON_GetObjectItemCaseSensitive(o, report_types[i])),
			  "%s", report_types[i]);
	cJSON_Delete(o);
	free(txt);
	txt = render(&s, "all", REPORT_TEXT);
	cr_assert_not_null(strstr(txt, "mlprof raw profile"));
	free(txt);
	snap_free(&s);
}

Test(report, unknown_type)
{
	struct snap s = { .freq_hz = 100 };
	struct strbuf out = STRBUF_INIT;
	char err[256] = "";

	cr_assert_eq(report_render(&s, "flamegraph-xyz", REPORT_TEXT, &out, err, sizeof(err)),
		     -EINVAL);
	cr_assert_not_null(strstr(err, "flamegraph-xyz"), "%s", err);
	cr_assert_not_null(strstr(err, " raw"), "%s", err);
	cr_assert_not_null(strstr(err, " all)"), "%s", err);
	cr_assert_eq(out.len, 0);
	/* A small error buffer is cut, not overrun. */
	memset(err, 'Z', sizeof(err));
	cr_assert_eq(report_render(&s, "nope", REPORT_JSON, &out, err, 16), -EINVAL);
	cr_assert_eq(strlen(err), 15);
	cr_assert_eq(err[16], 'Z');
	strbuf_free(&out);
	cr_assert_eq(report_type_valid("raw"), 1);
	cr_assert_eq(report_type_valid("all"), 1);
	cr_assert_eq(report_type_valid("nope"), 0);
}

Test(report, proc_state)
{
	struct snap_proc p = { 0 };
	char buf[40];

	cr_assert_str_eq(report_proc_state(&p, buf, sizeof(buf)), "running");
	p.ended = 1;
	p.exit_code = 3 << 8;
	cr_assert_str_eq(report_proc_state(&p, buf, sizeof(buf)), "exited(3)");
	p.exit_code = 9;
	cr_assert_str_eq(report_proc_state(&p, buf, sizeof(buf)), "killed(9)");
	p.ended = 2;
	cr_assert_str_eq(report_proc_state(&p, buf, sizeof(buf)), "exec'd");
}
