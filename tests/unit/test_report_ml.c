// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* ml-summary and ml-details: the whole text, byte for byte, and the JSON
 * numbers, for the mlpy run of mlrun_snap() (test_view.c, where every number
 * is worked out from the stack table); empty and plain-Python snapshots. */
#include <criterion/criterion.h>
#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "fixtures.h"
#include "report.h"
#include "report_helpers.h"


/* Checked by hand against the stack table of mlrun_snap():
 * - 2,000 samples / 1000 Hz = 2.000 s CPU; wall = 3.5 s - 1.0 s = 2.500 s.
 * - ML code 1,000 = 1.000 s = 50.0 %; overhead 400 + 100 + 50 + 150 + 50 =
 *   750 = 37.5 %; other 2,000 - 1,000 - 750 = 250 = 12.5 %.
 * - Peak memory 51,200 kB / 1024 = 50.0 MB.
 * - fib 500 = 50.0 % of ML, process 300 = 30.0 %, helper 200 = 20.0 %.
 * - prog.ml 500 + 300 = 800 = 80.0 % with 2 functions, util.ml 200.
 * - fib: all own (100.0 %), hot line 4 with 300 + 100 of 500 = 80.0 %.
 * - process: 200 of 300 in re._parse > 100 own -> built-ins, 66.7 %; hot
 *   line 12 (200 of 300 = 66.7 %); runtime 150 * 5 > 300 -> "add 0.150s".
 * - helper: own 100.0 %, hot line util.ml:3 100.0 %.
 * - No global lines: runtime 150 * 5 = 750 <= 1,000 ML; overhead 750 <= ML.
 * - Labels use the ML def line and the .ml basename.
 * - By total: process 850 of 2,000 samples = 42.5 % (#10..#15), fib 500 =
 *   25.0 %, helper 300 = 15.0 % (its 200 own and 100 under process). */
static const char ml_summary_golden[] =
	"======================================================================\n"
	"ML CODE PERFORMANCE SUMMARY\n"
	"======================================================================\n"
	"\n"
	"Runs: 1 mlpy   Samples: 2,000 at 1000 Hz\n"
	"Total Execution Time: 2.500s (wall, exec to exit)\n"
	"CPU Time (sampled): 2.000s\n"
	"ML Code Execution Time: 1.000s (50.0% of CPU)\n"
	"mlpy Overhead: 0.750s (37.5% of CPU)\n"
	"Other (ML stdlib bridges, Python stdlib outside ML code, interpreter): 0.250s (12.5%)\n"
	"Peak Memory (largest process RSS): 50.0 MB\n"
	"Largest Heap (anonymous resident memory of one process): 25.0 MB\n"
	"\n"
	"Top ML Functions (by CPU time; calls are not counted by a sampler):\n"
	"+----------------------+--------+-------+---------+\n"
	"| Function             |   Time |  % ML | Samples |\n"
	"+----------------------+--------+-------+---------+\n"
	"| fib (prog.ml:3)      | 0.500s | 50.0% |     500 |\n"
	"| process (prog.ml:10) | 0.300s | 30.0% |     300 |\n"
	"| helper (util.ml:2)   | 0.200s | 20.0% |     200 |\n"
	"+----------------------+--------+-------+---------+\n"
	"\n"
	"ML Functions by Total Time (the function and everything it called):\n"
	"+----------------------+--------+-------+---------+--------+\n"
	"| Function             |  Total | % CPU | Samples |   Self |\n"
	"+----------------------+--------+-------+---------+--------+\n"
	"| process (prog.ml:10) | 0.850s | 42.5% |     850 | 0.300s |\n"
	"| fib (prog.ml:3)      | 0.500s | 25.0% |     500 | 0.500s |\n"
	"| helper (util.ml:2)   | 0.300s | 15.0% |     300 | 0.200s |\n"
	"+----------------------+--------+-------+---------+--------+\n"
	"\n"
	"ML Files (by CPU time):\n"
	"+---------+--------+-------+---------+-----------+\n"
	"| File    |   Time |  % ML | Samples | Functions |\n"
	"+---------+--------+-------+---------+-----------+\n"
	"| prog.ml | 0.800s | 80.0% |     800 |         2 |\n"
	"| util.ml | 0.200s | 20.0% |     200 |         1 |\n"
	"+---------+--------+-------+---------+-----------+\n"
	"\n"
	"OPTIMIZATION RECOMMENDATIONS:\n"
	"\n"
	"> fib (prog.ml:3) - 50.0% of ML time (0.500s)\n"
	"  - dominated by its own code: 100.0% of its time\n"
	"  - hottest line: prog.ml:4 (80.0% of its samples)\n"
	"\n"
	"> process (prog.ml:10) - 30.0% of ML time (0.300s)\n"
	"  - dominated by Python built-ins and library code it calls: 66.7% of its time\n"
	"  - hottest line: prog.ml:12 (66.7% of its samples)\n"
	"  - mlpy runtime checks on its calls add 0.150s more\n"
	"\n"
	"> helper (util.ml:2) - 20.0% of ML time (0.200s)\n"
	"  - dominated by its own code: 100.0% of its time\n"
	"  - hottest line: util.ml:3 (100.0% of its samples)\n"
	"\n";

/* Also checked: per file, % File = 500 / 800 = 62.5 %, 300 / 800 = 37.5 %,
 * 200 / 200 = 100.0 %; Total is fib 500 (recursion once), process 850
 * (#10..#15), helper 300; hot line 4 (80%), 12 (200 / 300 = 67%), 3 (100%);
 * boxes are 70 columns wide (inner 66) and the files come by ML time. */
static const char ml_details_golden[] =
	"======================================================================\n"
	"ML CODE DETAILED ANALYSIS\n"
	"======================================================================\n"
	"\n"
	"Runs: 1 mlpy   Samples: 2,000 at 1000 Hz\n"
	"Total Execution Time: 2.500s (wall, exec to exit)\n"
	"CPU Time (sampled): 2.000s\n"
	"ML Code Execution Time: 1.000s (50.0% of CPU)\n"
	"mlpy Overhead: 0.750s (37.5% of CPU)\n"
	"Other (ML stdlib bridges, Python stdlib outside ML code, interpreter): 0.250s (12.5%)\n"
	"Peak Memory (largest process RSS): 50.0 MB\n"
	"Largest Heap (anonymous resident memory of one process): 25.0 MB\n"
	"\n"
	"Time: CPU time the function's own code and the built-ins it calls took.\n"
	"Total: samples with the function anywhere on the stack (callees included).\n"
	"\n"
	"┌────────────────────────────────────────────────────────────────────┐\n"
	"│ /w/prog.ml (0.800s, 80.0% of ML time)                              │\n"
	"├────────────────────────────────────────────────────────────────────┤\n"
	"│ Function             Time  % File  Samples   Total  Hot line       │\n"
	"├────────────────────────────────────────────────────────────────────┤\n"
	"│ fib (line 3)       0.500s   62.5%      500  0.500s  4 (80%)        │\n"
	"│ process (line 10)  0.300s   37.5%      300  0.850s  12 (67%)       │\n"
	"└────────────────────────────────────────────────────────────────────┘\n"
	"\n"
	"┌────────────────────────────────────────────────────────────────────┐\n"
	"│ /w/util.ml (0.200s, 20.0% of ML time)                              │\n"
	"├────────────────────────────────────────────────────────────────────┤\n"
	"│ Function           Time  % File  Samples   Total  Hot line         │\n"
	"├────────────────────────────────────────────────────────────────────┤\n"
	"│ helper (line 2)  0.200s  100.0%      200  0.300s  3 (100%)         │\n"
	"└────────────────────────────────────────────────────────────────────┘\n"
	"\n";

Test(report_ml, summary_text_golden)
{
	struct snap s;
	char *txt;

	mlrun_snap(&s);
	txt = render(&s, "ml-summary", REPORT_TEXT);
	assert_text(txt, ml_summary_golden);
	free(txt);
	snap_free(&s);
}

Test(report_ml, details_text_golden)
{
	struct snap s;
	char *txt;

	mlrun_snap(&s);
	txt = render(&s, "ml-details", REPORT_TEXT);
	assert_text(txt, ml_details_golden);
	free(txt);
	snap_free(&s);
}

/* name, line, samples, own, stdlib, bridges, runtime, total, hot line, hot samples */
static const struct {
	const char *name, *file, *py_file;
	int line;
	double samples, own, stdlib, bridges, runtime, total, hot, hot_samples;
} want_funcs[] = {
	{ "fib", "/w/prog.ml", "/tmp/mlpy_sandbox_ab12/sandbox_execution.py", 3, 500, 500, 0, 0,
	  0, 500, 4, 400 },
	{ "process", "/w/prog.ml", "/tmp/mlpy_sandbox_ab12/sandbox_execution.py", 10, 300, 100,
	  200, 100, 150, 850, 12, 200 },
	{ "helper", "/w/util.ml", "/w/util.py", 2, 200, 200, 0, 0, 0, 300, 3, 200 },
};

static void check_ml_json(const cJSON *o, const char *report)
{
	const cJSON *arr, *f;
	double sum = 0;
	size_t i;

	cr_assert_str_eq(str(o, "report"), report);
	cr_assert_eq(num(o, "freq_hz"), 1000);
	cr_assert_eq(num(o, "runs"), 1);
	cr_assert_float_eq(num(o, "wall_s"), 2.5, 1e-9);
	cr_assert_eq(num(o, "samples"), 2000);
	cr_assert_float_eq(num(o, "cpu_s"), 2.0, 1e-9);
	cr_assert_eq(num(o, "ml_samples"), 1000);
	cr_assert_float_eq(num(o, "ml_s"), 1.0, 1e-9);
	cr_assert_float_eq(num(o, "ml_pct"), 50.0, 1e-9);
	cr_assert_eq(num(o, "overhead_samples"), 750);
	cr_assert_float_eq(num(o, "overhead_s"), 0.75, 1e-9);
	cr_assert_float_eq(num(o, "overhead_pct"), 37.5, 1e-9);
	cr_assert_eq(num(o, "peak_rss_bytes"), 51200.0 * 1024);
	cr_assert_eq(num(o, "peak_heap_bytes"), 25600.0 * 1024);
	cr_assert_eq(num(o, "dropped"), 0);

	arr = cJSON_GetObjectItemCaseSensitive(o, "functions");
	cr_assert_eq(cJSON_GetArraySize(arr), 3);
	for (i = 0; i < 3; i++) {
		f = cJSON_GetArrayItem(arr, (int)i);
		cr_assert_str_eq(str(f, "name"), want_funcs[i].name);
		cr_assert_str_eq(str(f, "file"), want_funcs[i].file);
		cr_assert_str_eq(str(f, "py_file"), want_funcs[i].py_file);
		cr_assert_eq(num(f, "line"), want_funcs[i].line);
		cr_assert_eq(num(f, "samples"), want_funcs[i].samples, "%s", want_funcs[i].name);
		cr_assert_float_eq(num(f, "time_s"), want_funcs[i].samples / 1000, 1e-9);
		cr_assert_float_eq(num(f, "pct"), want_funcs[i].samples / 10, 1e-9);
		cr_assert_eq(num(f, "own_samples"), want_funcs[i].own, "%s", want_funcs[i].name);
		cr_assert_eq(num(f, "stdlib_samples"), want_funcs[i].stdlib);
		cr_assert_eq(num(f, "bridge_samples"), want_funcs[i].bridges);
		cr_assert_eq(num(f, "runtime_samples"), want_funcs[i].runtime);
		cr_assert_eq(num(f, "total_samples"), want_funcs[i].total);
		cr_assert_float_eq(num(f, "total_s"), want_funcs[i].total / 1000, 1e-9);
		cr_assert_eq(num(f, "hot_line"), want_funcs[i].hot);
		cr_assert_eq(num(f, "hot_line_samples"), want_funcs[i].hot_samples);
		cr_assert_eq(num(f, "own_samples") + num(f, "stdlib_samples"), num(f, "samples"));
		sum += num(f, "samples");
	}
	cr_assert_eq(sum, num(o, "ml_samples"));

	arr = cJSON_GetObjectItemCaseSensitive(o, "files");
	cr_assert_eq(cJSON_GetArraySize(arr), 2);
	f = cJSON_GetArrayItem(arr, 0);
	cr_assert_str_eq(str(f, "file"), "/w/prog.ml");
	cr_assert_eq(num(f, "samples"), 800);
	cr_assert_float_eq(num(f, "time_s"), 0.8, 1e-9);
	cr_assert_float_eq(num(f, "pct"), 80.0, 1e-9);
	cr_assert_eq(num(f, "functions"), 2);
	f = cJSON_GetArrayItem(arr, 1);
	cr_assert_str_eq(str(f, "file"), "/w/util.ml");
	cr_assert_eq(num(f, "samples"), 200);
	cr_assert_float_eq(num(f, "pct"), 20.0, 1e-9);
	cr_assert_eq(num(f, "functions"), 1);
}

Test(report_ml, summary_json)
{
	struct snap s;
	cJSON *o;

	mlrun_snap(&s);
	o = render_json(&s, "ml-summary");
	check_ml_json(o, "ml-summary");
	cJSON_Delete(o);
	snap_free(&s);
}

Test(report_ml, details_json)
{
	struct snap s;
	cJSON *o;

	mlrun_snap(&s);
	o = render_json(&s, "ml-details");
	check_ml_json(o, "ml-details");
	cJSON_Delete(o);
	snap_free(&s);
}

Test(report_ml, summary_lists_top_ten)
{
	struct snap s;
	char *txt;
	cJSON *o;
	size_t i;

	/* Twelve ML functions with one stack each: the summary's table and
	 * JSON stop at ten, the details list all of them. */
	mlrun_snap(&s);
	s.funcs = realloc(s.funcs, (s.nfuncs + 12) * sizeof(*s.funcs));
	for (i = 0; i < 12; i++) {
		struct snap_func *f = &s.funcs[s.nfuncs];
		uint32_t fn = (uint32_t)s.nfuncs++;
		char name[16];

		snprintf(name, sizeof(name), "g%02zu", i);
		f->name = strdup(name);
		f->qualname = strdup(name);
		f->file = strdup("/w/many.ml");
		f->line = (int32_t)(20 + i);
		f->kind = FUNC_ML;
		f->py_file = strdup("/w/many.py");
		f->py_line = 0;
		fixture_add_stack(&s, 2, 1 + i, 1, &fn);
	}
	txt = render(&s, "ml-summary", REPORT_TEXT);
	cr_assert_not_null(strstr(txt, "| g11 (many.ml:31) "), "%s", txt);
	cr_assert_not_null(strstr(txt, "| g05 (many.ml:25) "), "%s", txt);
	cr_assert_null(strstr(txt, "g04 (many.ml"), "%s", txt);
	cr_assert_not_null(strstr(txt, "| many.ml | 0.078s |"), "%s", txt); /* 1 + ... + 12 */
	free(txt);
	o = render_json(&s, "ml-summary");
	cr_assert_eq(cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(o, "functions")), 10);
	cJSON_Delete(o);
	o = render_json(&s, "ml-details");
	cr_assert_eq(cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(o, "functions")), 15);
	cJSON_Delete(o);
	snap_free(&s);
}

Test(report_ml, overhead_recommendations)
{
	struct snap s;
	char *txt;

	/* safe_call 150 -> 400 and the parser's stack 300 -> 550: 2,500
	 * samples, runtime 400 = 40.0 % of the 1,000 ML samples (400 * 5 >
	 * 1,000), overhead 650 + 100 + 50 + 400 + 50 = 1,250 = 50.0 % > ML. */
	mlrun_snap(&s);
	cr_assert_eq(s.stacks[12].samples, 150);
	cr_assert_eq(s.stacks[1].samples, 300);
	s.stacks[12].samples = 400;
	s.stacks[1].samples = 550;
	txt = render(&s, "ml-summary", REPORT_TEXT);
	cr_assert_not_null(strstr(txt, "\n  - mlpy runtime checks on its calls add 0.400s more\n"),
			   "%s", txt);
	cr_assert_not_null(strstr(txt, "\n> mlpy runtime checks (safe_call and friends) take 0.400s, "
				       "40.0% of the ML code's time:\n  calls between small ML "
				       "functions are expensive; fewer, larger functions cost "
				       "less.\n\n"),
			   "%s", txt);
	cr_assert_not_null(strstr(txt, "\n> mlpy's own work (parsing, analysis, transpilation, "
				       "sandbox) is 50.0% of the run: the program itself is not "
				       "where the time goes.\n\n"),
			   "%s", txt);
	cr_assert_not_null(strstr(txt, "mlpy Overhead: 1.250s (50.0% of CPU)\n"), "%s", txt);
	free(txt);
	snap_free(&s);
}

Test(report_ml, empty_snapshot)
{
	static const char *const types[] = { "ml-summary", "ml-details", "dev-summary",
					     "dev-details", "raw", "all", NULL };
	struct snap s = { .freq_hz = 1000 };
	char *txt;
	cJSON *o;
	size_t i;

	for (i = 0; types[i]; i++) {
		txt = render(&s, types[i], REPORT_TEXT);
		cr_assert_gt(strlen(txt), 0, "%s", types[i]);
		free(txt);
		o = render_json(&s, types[i]);
		cJSON_Delete(o);
	}
	txt = render(&s, "ml-summary", REPORT_TEXT);
	cr_assert_not_null(strstr(txt, "Runs: 0   Samples: 0 at 1000 Hz\n"), "%s", txt);
	cr_assert_not_null(strstr(txt, "  (no ML code sampled)\n"), "%s", txt);
	cr_assert_not_null(strstr(txt, "> No ML code was sampled: nothing to optimise in the "
				       "program itself.\n"),
			   "%s", txt);
	cr_assert_null(strstr(txt, "Data notes"), "%s", txt);
	free(txt);
	txt = render(&s, "ml-details", REPORT_TEXT);
	cr_assert_not_null(strstr(txt, "\n(no ML code sampled)\n"), "%s", txt);
	free(txt);
	o = render_json(&s, "ml-details");
	cr_assert_eq(num(o, "samples"), 0);
	cr_assert_eq(num(o, "ml_samples"), 0);
	cr_assert_eq(num(o, "ml_pct"), 0);
	cr_assert_eq(cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(o, "functions")), 0);
	cr_assert_eq(cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(o, "files")), 0);
	cJSON_Delete(o);
	/* No frequency at all: no division by zero. */
	s.freq_hz = 0;
	txt = render(&s, "ml-summary", REPORT_TEXT);
	cr_assert_not_null(strstr(txt, "CPU Time (sampled): 0.000s\n"), "%s", txt);
	free(txt);
}

Test(report_ml, run_without_samples)
{
	struct snap s;
	size_t i;
	char *txt;

	/* The mlpy run's processes, none of its stacks. */
	mlrun_snap(&s);
	for (i = 0; i < s.nstacks; i++)
		free(s.stacks[i].frames);
	s.nstacks = 0;
	txt = render(&s, "ml-summary", REPORT_TEXT);
	cr_assert_not_null(strstr(txt, "Runs: 1 mlpy   Samples: 0 at 1000 Hz\n"), "%s", txt);
	cr_assert_not_null(strstr(txt, "Total Execution Time: 2.500s"), "%s", txt);
	cr_assert_not_null(strstr(txt, "> No ML code was sampled"), "%s", txt);
	free(txt);
	snap_free(&s);
}

Test(report_ml, plain_python)
{
	struct snap s;
	char *txt;
	cJSON *o;

	/* fixture_snap: two plain Python processes, one run, no mlpy. */
	fixture_snap(&s);
	txt = render(&s, "ml-summary", REPORT_TEXT);
	cr_assert_not_null(strstr(txt, "\nRuns: 1   Samples: 2,000 at 100 Hz\n"), "%s", txt);
	/* 1.0 s .. now 11.0 s, the root still running. */
	cr_assert_not_null(strstr(txt, "\nTotal Execution Time: 10.000s (wall"), "%s", txt);
	cr_assert_not_null(strstr(txt, "\nML Code Execution Time: 0.000s (0.0% of CPU)\n"), "%s",
			   txt);
	cr_assert_not_null(strstr(txt, "\nOther (ML stdlib bridges, Python stdlib outside ML "
				       "code, interpreter): 20.000s (100.0%)\n"),
			   "%s", txt);
	cr_assert_not_null(strstr(txt, "> No ML code was sampled"), "%s", txt);
	cr_assert_not_null(strstr(txt, "\nData notes:\n  - 3 samples dropped"), "%s", txt);
	free(txt);
	txt = render(&s, "ml-details", REPORT_TEXT);
	cr_assert_not_null(strstr(txt, "\n(no ML code sampled)\n"), "%s", txt);
	free(txt);
	o = render_json(&s, "ml-summary");
	cr_assert_eq(num(o, "runs"), 1);
	cr_assert_eq(num(o, "samples"), 2000);
	cr_assert_eq(num(o, "ml_samples"), 0);
	cr_assert_eq(num(o, "overhead_samples"), 0);
	cr_assert_eq(num(o, "dropped"), 5);
	cJSON_Delete(o);
	snap_free(&s);
}

/* A process's ML mapping note is a data note of the reports, once per
 * distinct text, its path escaped (it is the target's). */
Test(report_ml, ml_notes_listed_once_and_escaped)
{
	struct snap s;
	char *txt;

	mlrun_snap(&s);
	free(s.procs[1].ml_note);
	free(s.procs[2].ml_note);
	s.procs[1].ml_note = strdup("/w/prog.py.map does not match /w/pr\x1b[2Jog.ml");
	s.procs[2].ml_note = strdup("/w/prog.py.map does not match /w/pr\x1b[2Jog.ml");
	txt = render(&s, "ml-summary", REPORT_TEXT);
	cr_assert_not_null(strstr(txt, "\nData notes:\n  - pid 2001: /w/prog.py.map does not match "
				       "/w/pr\\x1b[2Jog.ml\n"), "%s", txt);
	cr_assert_null(strstr(strstr(txt, "pid 2001:") + 1, "pid 2001:"), "listed twice: %s", txt);
	cr_assert_null(strchr(txt, '\x1b'), "%s", txt);
	free(txt);
	snap_free(&s);
}

/* File names and command lines come from the target: escaped wherever a
 * text report prints them (file title of ml-details, the hottest line of
 * the recommendations, raw's process table). */
Test(report_ml, target_names_escaped_everywhere)
{
	struct snap s;
	char *txt;
	size_t i;

	mlrun_snap(&s);
	for (i = 0; i < s.nfuncs; i++) {
		if (!strcmp(s.funcs[i].file, "/w/util.ml")) {
			free(s.funcs[i].file);
			s.funcs[i].file = strdup("/w/ut\x1b]0;pwn\x07il.ml");
		}
	}
	free(s.procs[2].cmdline);
	s.procs[2].cmdline = strdup("python3 evil\n   1234  3.11  fake line\x1b[2J");
	txt = render(&s, "all", REPORT_TEXT);
	cr_assert_null(strchr(txt, '\x1b'), "%s", txt);
	cr_assert_null(strchr(txt, '\x07'), "%s", txt);
	cr_assert_not_null(strstr(txt, "ut\\x1b]0;pwn\\x07il.ml"), "%s", txt);
	cr_assert_not_null(strstr(txt, "python3 evil\\x0a   1234"), "%s", txt);
	free(txt);
	snap_free(&s);
}
