// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* dev-summary and dev-details: the whole text, byte for byte, and the JSON
 * numbers, for the mlpy run of mlrun_snap() (test_view.c, where every number
 * is worked out from the stack table); empty and plain-Python snapshots. */
#include <criterion/criterion.h>
#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "classify.h"
#include "fixtures.h"
#include "report.h"
#include "report_helpers.h"


/* Checked by hand against the stack table of mlrun_snap():
 * - 1 run, 1 mlpy; 2,000 samples = 2.000 s; wall 2.500 s; overhead 750 =
 *   0.750 s = 37.5 %.
 * - Categories, in report order: 400 (20.0 %), 0, 100 (5.0 %), 50 (2.5 %),
 *   150 (7.5 %), 1,000 (50.0 %), 100 (5.0 %), 50 (2.5 %), 50 (2.5 %),
 *   100 (5.0 %), 0; they add up to the Total row 2,000 (100.0 %).
 * - Top functions by self: re._parse 300 + 50 + 200 = 550 (27.5 %), fib
 *   500, helper 200, safe_call 150, process 100 (ties on self broken by
 *   total: process 850 first, then by qualname "<interpreter start-up>",
 *   "MLTransformer...", "MathBridge...", "PythonCodeGenerator..."), run 50
 *   (total 550) before execute 50 (total 50); parse and main (self 0) are
 *   left out. Each with its own category (re._parse: Python Stdlib).
 * - Labels: "qualname (basename:line)", ML "name (file.ml:defline)",
 *   pseudo the bare name. */
static const char dev_summary_golden[] =
	"======================================================================\n"
	"MLPY PERFORMANCE SUMMARY REPORT (Developer View)\n"
	"======================================================================\n"
	"\n"
	"Runs: 1 (1 mlpy)   Samples: 2,000 at 1000 Hz\n"
	"Total Execution Time: 2.500s (wall, exec to exit)\n"
	"CPU Time (sampled): 2.000s   mlpy overhead: 0.750s (37.5%)\n"
	"\n"
	"Time Breakdown (by category; a sample belongs to the innermost frame that is not Python stdlib):\n"
	"+-------------------+--------+---------+---------+\n"
	"| Category          |   Time | % Total | Samples |\n"
	"+-------------------+--------+---------+---------+\n"
	"| Parsing           | 0.400s |   20.0% |     400 |\n"
	"| Security Analysis | 0.000s |    0.0% |       0 |\n"
	"| Transpilation     | 0.100s |    5.0% |     100 |\n"
	"| Sandbox Startup   | 0.050s |    2.5% |      50 |\n"
	"| Runtime Overhead  | 0.150s |    7.5% |     150 |\n"
	"| ML Code Execution | 1.000s |   50.0% |   1,000 |\n"
	"| ML stdlib         | 0.100s |    5.0% |     100 |\n"
	"| mlpy CLI/other    | 0.050s |    2.5% |      50 |\n"
	"| Python Stdlib     | 0.050s |    2.5% |      50 |\n"
	"| Interpreter       | 0.100s |    5.0% |     100 |\n"
	"| Unclassified      | 0.000s |    0.0% |       0 |\n"
	"| Total             | 2.000s |  100.0% |   2,000 |\n"
	"+-------------------+--------+---------+---------+\n"
	"\n"
	"Top Functions (all categories, by self time):\n"
	"+--------------------------------------------------------------+-------------------+--------+---------+---------+\n"
	"| Function                                                     | Category          |   Self | % Total | Samples |\n"
	"+--------------------------------------------------------------+-------------------+--------+---------+---------+\n"
	"| _parse (_parser.py:512)                                      | Python Stdlib     | 0.550s |   27.5% |     550 |\n"
	"| fib (prog.ml:3)                                              | ML Code Execution | 0.500s |   25.0% |     500 |\n"
	"| helper (util.ml:2)                                           | ML Code Execution | 0.200s |   10.0% |     200 |\n"
	"| safe_call (whitelist_validator.py:40)                        | Runtime Overhead  | 0.150s |    7.5% |     150 |\n"
	"| process (prog.ml:10)                                         | ML Code Execution | 0.100s |    5.0% |     100 |\n"
	"| <interpreter start-up>                                       | Interpreter       | 0.100s |    5.0% |     100 |\n"
	"| MLTransformer.transform (transformer.py:40)                  | Parsing           | 0.100s |    5.0% |     100 |\n"
	"| MathBridge.sqrt (math_bridge.py:25)                          | ML stdlib         | 0.100s |    5.0% |     100 |\n"
	"| PythonCodeGenerator.visit_function (python_generator.py:210) | Transpilation     | 0.100s |    5.0% |     100 |\n"
	"| run (app.py:70)                                              | mlpy CLI/other    | 0.050s |    2.5% |      50 |\n"
	"| MLSandbox.execute (sandbox.py:150)                           | Sandbox Startup   | 0.050s |    2.5% |      50 |\n"
	"+--------------------------------------------------------------+-------------------+--------+---------+---------+\n";

/* Also checked: one box per mlpy category and ML stdlib, titles upper-cased
 * up to the category name; Parsing = parse 300 (75.0 %) + transform 100
 * (25.0 %); Security has no samples; boxes at least 70 wide, wider for the
 * long Transpilation label (62 + 2 + 6 + 2 + 10 + 2 + 7 = 91 inner).
 * Recommendations only for mlpy categories >= 5 %: Parsing 20.0 %,
 * Transpilation 5.0 % (exactly 5), Runtime 7.5 % = 150 / 1,000 = 15.0 % of
 * ML time; Sandbox and CLI/other (2.5 %) are not listed; ML stdlib is not
 * mlpy overhead. */
static const char dev_details_golden[] =
	"======================================================================\n"
	"MLPY INTERNAL PERFORMANCE ANALYSIS (Developer View)\n"
	"======================================================================\n"
	"\n"
	"Runs: 1 (1 mlpy)   Samples: 2,000 at 1000 Hz\n"
	"Total Execution Time: 2.500s (wall, exec to exit)\n"
	"CPU Time (sampled): 2.000s   mlpy overhead: 0.750s (37.5%)\n"
	"\n"
	"┌──────────────────────────────────────────────────────────────────────────┐\n"
	"│ PARSING (0.400s, 20.0% of total)                                         │\n"
	"├──────────────────────────────────────────────────────────────────────────┤\n"
	"│ Function                                       Time  % Category  Samples │\n"
	"├──────────────────────────────────────────────────────────────────────────┤\n"
	"│ MLParser.parse (parser.py:88)                0.300s       75.0%      300 │\n"
	"│ MLTransformer.transform (transformer.py:40)  0.100s       25.0%      100 │\n"
	"└──────────────────────────────────────────────────────────────────────────┘\n"
	"\n"
	"┌────────────────────────────────────────────────────────────────────┐\n"
	"│ SECURITY ANALYSIS (0.000s, 0.0% of total)                          │\n"
	"├────────────────────────────────────────────────────────────────────┤\n"
	"│ Function      Time  % Category  Samples                            │\n"
	"├────────────────────────────────────────────────────────────────────┤\n"
	"│ (no samples)                                                       │\n"
	"└────────────────────────────────────────────────────────────────────┘\n"
	"\n"
	"┌───────────────────────────────────────────────────────────────────────────────────────────┐\n"
	"│ TRANSPILATION (0.100s, 5.0% of total)                                                     │\n"
	"├───────────────────────────────────────────────────────────────────────────────────────────┤\n"
	"│ Function                                                        Time  % Category  Samples │\n"
	"├───────────────────────────────────────────────────────────────────────────────────────────┤\n"
	"│ PythonCodeGenerator.visit_function (python_generator.py:210)  0.100s      100.0%      100 │\n"
	"└───────────────────────────────────────────────────────────────────────────────────────────┘\n"
	"\n"
	"┌────────────────────────────────────────────────────────────────────┐\n"
	"│ SANDBOX STARTUP (0.050s, 2.5% of total)                            │\n"
	"├────────────────────────────────────────────────────────────────────┤\n"
	"│ Function                              Time  % Category  Samples    │\n"
	"├────────────────────────────────────────────────────────────────────┤\n"
	"│ MLSandbox.execute (sandbox.py:150)  0.050s      100.0%       50    │\n"
	"└────────────────────────────────────────────────────────────────────┘\n"
	"\n"
	"┌────────────────────────────────────────────────────────────────────┐\n"
	"│ RUNTIME OVERHEAD (0.150s, 7.5% of total)                           │\n"
	"├────────────────────────────────────────────────────────────────────┤\n"
	"│ Function                                 Time  % Category  Samples │\n"
	"├────────────────────────────────────────────────────────────────────┤\n"
	"│ safe_call (whitelist_validator.py:40)  0.150s      100.0%      150 │\n"
	"└────────────────────────────────────────────────────────────────────┘\n"
	"\n"
	"┌────────────────────────────────────────────────────────────────────┐\n"
	"│ ML STDLIB (0.100s, 5.0% of total)                                  │\n"
	"├────────────────────────────────────────────────────────────────────┤\n"
	"│ Function                               Time  % Category  Samples   │\n"
	"├────────────────────────────────────────────────────────────────────┤\n"
	"│ MathBridge.sqrt (math_bridge.py:25)  0.100s      100.0%      100   │\n"
	"└────────────────────────────────────────────────────────────────────┘\n"
	"\n"
	"┌────────────────────────────────────────────────────────────────────┐\n"
	"│ MLPY CLI/OTHER (0.050s, 2.5% of total)                             │\n"
	"├────────────────────────────────────────────────────────────────────┤\n"
	"│ Function           Time  % Category  Samples                       │\n"
	"├────────────────────────────────────────────────────────────────────┤\n"
	"│ run (app.py:70)  0.050s      100.0%       50                       │\n"
	"└────────────────────────────────────────────────────────────────────┘\n"
	"\n"
	"RECOMMENDATIONS FOR MLPY DEVELOPERS:\n"
	"\n"
	"> Parsing takes 20.0% of the run (0.400s); start with MLParser.parse (parser.py:88) (75.0% of the category)\n"
	"  - repeated on every run of an unchanged program unless the transpiled output is cached\n"
	"\n"
	"> Transpilation takes 5.0% of the run (0.100s); start with PythonCodeGenerator.visit_function (python_generator.py:210) (100.0% of the category)\n"
	"  - repeated on every run of an unchanged program unless the transpiled output is cached\n"
	"\n"
	"> Runtime Overhead takes 7.5% of the run (0.150s); start with safe_call (whitelist_validator.py:40) (100.0% of the category)\n"
	"  - that is 15.0% of the time the ML code itself runs\n"
	"\n";

Test(report_dev, summary_text_golden)
{
	struct snap s;
	char *txt;

	mlrun_snap(&s);
	txt = render(&s, "dev-summary", REPORT_TEXT);
	assert_text(txt, dev_summary_golden);
	free(txt);
	snap_free(&s);
}

Test(report_dev, details_text_golden)
{
	struct snap s;
	char *txt;

	mlrun_snap(&s);
	txt = render(&s, "dev-details", REPORT_TEXT);
	assert_text(txt, dev_details_golden);
	free(txt);
	snap_free(&s);
}

/* Category keys in report order, with their samples in mlrun_snap(). */
static const struct {
	const char *key;
	double samples;
	int details; /* listed by dev-details */
} want_cats[] = {
	{ "parsing", 400, 1 },	       { "security_analysis", 0, 1 }, { "transpilation", 100, 1 },
	{ "sandbox_startup", 50, 1 },  { "runtime_overhead", 150, 1 }, { "ml_code", 1000, 0 },
	{ "ml_stdlib", 100, 1 },       { "mlpy_other", 50, 1 },	      { "python_stdlib", 50, 0 },
	{ "interpreter", 100, 0 },     { "unclassified", 0, 0 },
};

#define NWANT (sizeof(want_cats) / sizeof(want_cats[0]))

static void check_totals(const cJSON *o, const char *report)
{
	cr_assert_str_eq(str(o, "report"), report);
	cr_assert_eq(num(o, "freq_hz"), 1000);
	cr_assert_eq(num(o, "runs"), 1);
	cr_assert_eq(num(o, "mlpy_runs"), 1);
	cr_assert_float_eq(num(o, "wall_s"), 2.5, 1e-9);
	cr_assert_eq(num(o, "samples"), 2000);
	cr_assert_float_eq(num(o, "cpu_s"), 2.0, 1e-9);
	cr_assert_eq(num(o, "overhead_samples"), 750);
	cr_assert_eq(num(o, "dropped"), 0);
}

Test(report_dev, summary_json)
{
	static const struct {
		const char *function, *category;
		double self;
	} top[] = {
		{ "_parse (_parser.py:512)", "python_stdlib", 550 },
		{ "fib (prog.ml:3)", "ml_code", 500 },
		{ "helper (util.ml:2)", "ml_code", 200 },
		{ "safe_call (whitelist_validator.py:40)", "runtime_overhead", 150 },
		{ "process (prog.ml:10)", "ml_code", 100 },
		{ "<interpreter start-up>", "interpreter", 100 },
		{ "MLTransformer.transform (transformer.py:40)", "parsing", 100 },
		{ "MathBridge.sqrt (math_bridge.py:25)", "ml_stdlib", 100 },
		{ "PythonCodeGenerator.visit_function (python_generator.py:210)", "transpilation",
		  100 },
		{ "run (app.py:70)", "mlpy_other", 50 },
		{ "MLSandbox.execute (sandbox.py:150)", "sandbox_startup", 50 },
	};
	const cJSON *arr, *c;
	double sum = 0, over = 0;
	struct snap s;
	cJSON *o;
	size_t i;

	mlrun_snap(&s);
	o = render_json(&s, "dev-summary");
	check_totals(o, "dev-summary");
	arr = cJSON_GetObjectItemCaseSensitive(o, "categories");
	cr_assert_eq(cJSON_GetArraySize(arr), NWANT);
	for (i = 0; i < NWANT; i++) {
		c = cJSON_GetArrayItem(arr, (int)i);
		cr_assert_str_eq(str(c, "category"), want_cats[i].key);
		cr_assert_str_eq(str(c, "name"), classify_name((enum category)i));
		cr_assert_eq(num(c, "samples"), want_cats[i].samples, "%s", want_cats[i].key);
		cr_assert_float_eq(num(c, "time_s"), want_cats[i].samples / 1000, 1e-9);
		cr_assert_float_eq(num(c, "pct"), want_cats[i].samples / 20, 1e-9);
		/* The summary lists no functions per category. */
		cr_assert_eq(cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(c, "functions")), 0);
		sum += num(c, "samples");
		if (classify_is_mlpy_overhead((enum category)i))
			over += num(c, "samples");
	}
	cr_assert_eq(sum, num(o, "samples"));
	cr_assert_eq(over, num(o, "overhead_samples"));
	arr = cJSON_GetObjectItemCaseSensitive(o, "top_functions");
	cr_assert_eq(cJSON_GetArraySize(arr), sizeof(top) / sizeof(top[0]));
	for (i = 0; i < sizeof(top) / sizeof(top[0]); i++) {
		c = cJSON_GetArrayItem(arr, (int)i);
		cr_assert_str_eq(str(c, "function"), top[i].function);
		cr_assert_str_eq(str(c, "category"), top[i].category);
		cr_assert_eq(num(c, "self_samples"), top[i].self, "%s", top[i].function);
		cr_assert_float_eq(num(c, "self_s"), top[i].self / 1000, 1e-9);
		cr_assert_float_eq(num(c, "pct"), top[i].self / 20, 1e-9);
	}
	cJSON_Delete(o);
	snap_free(&s);
}

Test(report_dev, details_json)
{
	const cJSON *arr, *c, *fs, *f;
	struct snap s;
	cJSON *o;
	size_t i, k = 0;

	mlrun_snap(&s);
	o = render_json(&s, "dev-details");
	check_totals(o, "dev-details");
	cr_assert_null(cJSON_GetObjectItemCaseSensitive(o, "top_functions"));
	arr = cJSON_GetObjectItemCaseSensitive(o, "categories");
	cr_assert_eq(cJSON_GetArraySize(arr), 7);
	for (i = 0; i < NWANT; i++) {
		double sum = 0;
		int j;

		if (!want_cats[i].details)
			continue;
		c = cJSON_GetArrayItem(arr, (int)k++);
		cr_assert_str_eq(str(c, "category"), want_cats[i].key);
		cr_assert_eq(num(c, "samples"), want_cats[i].samples, "%s", want_cats[i].key);
		fs = cJSON_GetObjectItemCaseSensitive(c, "functions");
		/* Every owner of the category is listed: they add up to it. */
		for (j = 0; j < cJSON_GetArraySize(fs); j++)
			sum += num(cJSON_GetArrayItem(fs, j), "samples");
		cr_assert_eq(sum, want_cats[i].samples, "%s", want_cats[i].key);
	}
	/* Parsing: parse 300 (75 %) owns the re._parse it calls, transform 100. */
	c = cJSON_GetArrayItem(arr, 0);
	fs = cJSON_GetObjectItemCaseSensitive(c, "functions");
	cr_assert_eq(cJSON_GetArraySize(fs), 2);
	f = cJSON_GetArrayItem(fs, 0);
	cr_assert_str_eq(str(f, "function"), "MLParser.parse (parser.py:88)");
	cr_assert_str_eq(str(f, "name"), "parse");
	cr_assert_str_eq(str(f, "file"), "/opt/mlpy/ml/grammar/parser.py");
	cr_assert_eq(num(f, "samples"), 300);
	cr_assert_float_eq(num(f, "time_s"), 0.3, 1e-9);
	cr_assert_float_eq(num(f, "pct_of_category"), 75.0, 1e-9);
	f = cJSON_GetArrayItem(fs, 1);
	cr_assert_str_eq(str(f, "name"), "transform");
	cr_assert_eq(num(f, "samples"), 100);
	cr_assert_float_eq(num(f, "pct_of_category"), 25.0, 1e-9);
	/* Security Analysis: none. */
	c = cJSON_GetArrayItem(arr, 1);
	cr_assert_eq(cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(c, "functions")), 0);
	/* Runtime Overhead: safe_call. */
	c = cJSON_GetArrayItem(arr, 4);
	f = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(c, "functions"), 0);
	cr_assert_str_eq(str(f, "name"), "safe_call");
	cr_assert_eq(num(f, "samples"), 150);
	cr_assert_float_eq(num(c, "pct"), 7.5, 1e-9);
	/* ML stdlib: the bridge. */
	c = cJSON_GetArrayItem(arr, 5);
	cr_assert_str_eq(str(c, "category"), "ml_stdlib");
	f = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(c, "functions"), 0);
	cr_assert_str_eq(str(f, "file"), "/opt/mlpy/stdlib/math_bridge.py");
	cJSON_Delete(o);
	snap_free(&s);
}

Test(report_dev, long_label_in_recommendation)
{
	struct snap s;
	char *txt, want[700], qual[451];

	/* A 450-character qualname for the parser: the recommendation names it
	 * whole and still gives the share of the category. */
	mlrun_snap(&s);
	memset(qual, 'q', sizeof(qual) - 1);
	qual[sizeof(qual) - 1] = '\0';
	free(s.funcs[6].qualname);
	cr_assert_str_eq(s.funcs[6].name, "parse");
	s.funcs[6].qualname = strdup(qual);
	txt = render(&s, "dev-details", REPORT_TEXT);
	snprintf(want, sizeof(want),
		 "\n> Parsing takes 20.0%% of the run (0.400s); start with %s (parser.py:88) "
		 "(75.0%% of the category)\n",
		 qual);
	cr_assert_not_null(strstr(txt, want), "%s", txt);
	free(txt);
	snap_free(&s);
}

Test(report_dev, data_notes)
{
	struct snap s;
	char *txt;

	mlrun_snap(&s);
	s.stats.evicted_procs = 2;
	s.stats.evicted_samples = 1234;
	s.stats.sample_drops = 7;
	txt = render(&s, "dev-summary", REPORT_TEXT);
	cr_assert_not_null(strstr(txt, "\nData notes:\n  - 7 samples dropped: the ring buffer was "
				       "full (raise --ringbuf-mb)\n"),
			   "%s", txt);
	cr_assert_not_null(strstr(txt, "\n  - 2 finished processes (1,234 samples) evicted: "
				       "process table full\n"),
			   "%s", txt);
	free(txt);
	snap_free(&s);
}

Test(report_dev, empty_snapshot)
{
	struct snap s = { .freq_hz = 1000 };
	const cJSON *arr;
	char *txt;
	cJSON *o;
	int i;

	txt = render(&s, "dev-summary", REPORT_TEXT);
	cr_assert_not_null(strstr(txt, "Runs: 0 (0 mlpy)   Samples: 0 at 1000 Hz\n"), "%s", txt);
	cr_assert_not_null(strstr(txt, "| ML Code Execution | 0.000s |    0.0% |       0 |\n"),
			   "%s", txt);
	cr_assert_not_null(strstr(txt, "| Total             | 0.000s |    0.0% |       0 |\n"),
			   "%s", txt);
	/* An empty top-function table: heading only. */
	cr_assert_not_null(strstr(txt, "| Function | Category | Self | % Total | Samples |\n"
				       "+----------+----------+------+---------+---------+\n"
				       "+----------+----------+------+---------+---------+\n"),
			   "%s", txt);
	free(txt);
	txt = render(&s, "dev-details", REPORT_TEXT);
	cr_assert_not_null(strstr(txt, "│ PARSING (0.000s, 0.0% of total)"), "%s", txt);
	cr_assert_not_null(strstr(txt, "│ (no samples) "), "%s", txt);
	cr_assert_not_null(strstr(txt, "> No mlpy category takes 5% or more of the run.\n"), "%s",
			   txt);
	free(txt);
	o = render_json(&s, "dev-summary");
	cr_assert_eq(num(o, "samples"), 0);
	arr = cJSON_GetObjectItemCaseSensitive(o, "categories");
	cr_assert_eq(cJSON_GetArraySize(arr), NWANT);
	for (i = 0; i < cJSON_GetArraySize(arr); i++) {
		cr_assert_eq(num(cJSON_GetArrayItem(arr, i), "samples"), 0);
		cr_assert_eq(num(cJSON_GetArrayItem(arr, i), "pct"), 0);
	}
	cr_assert_eq(cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(o, "top_functions")), 0);
	cJSON_Delete(o);
	o = render_json(&s, "dev-details");
	cr_assert_eq(cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(o, "categories")), 7);
	cJSON_Delete(o);
}

Test(report_dev, plain_python)
{
	struct snap s;
	const cJSON *arr;
	char *txt;
	cJSON *o;

	/* fixture_snap: the /app files are nobody's category; start-up is pseudo. */
	fixture_snap(&s);
	txt = render(&s, "dev-summary", REPORT_TEXT);
	cr_assert_not_null(strstr(txt, "\nRuns: 1 (0 mlpy)   Samples: 2,000 at 100 Hz\n"), "%s", txt);
	cr_assert_not_null(strstr(txt, "mlpy overhead: 0.000s (0.0%)\n"), "%s", txt);
	cr_assert_not_null(strstr(txt, "| Unclassified      | 14.000s |   70.0% |   1,400 |\n"),
			   "%s", txt);
	cr_assert_not_null(strstr(txt, "| Interpreter       |  6.000s |   30.0% |     600 |\n"),
			   "%s", txt);
	cr_assert_not_null(strstr(txt, "| eval (eval.py:20)          | Unclassified | 12.340s |"
				       "   61.7% |   1,234 |\n"),
			   "%s", txt);
	free(txt);
	txt = render(&s, "dev-details", REPORT_TEXT);
	cr_assert_not_null(strstr(txt, "> No mlpy category takes 5% or more of the run.\n"), "%s",
			   txt);
	free(txt);
	o = render_json(&s, "dev-summary");
	cr_assert_eq(num(o, "mlpy_runs"), 0);
	cr_assert_eq(num(o, "overhead_samples"), 0);
	arr = cJSON_GetObjectItemCaseSensitive(o, "categories");
	cr_assert_eq(num(cJSON_GetArrayItem(arr, CAT_UNCLASSIFIED), "samples"), 1400);
	cr_assert_eq(num(cJSON_GetArrayItem(arr, CAT_INTERPRETER), "samples"), 600);
	cJSON_Delete(o);
	snap_free(&s);
}
