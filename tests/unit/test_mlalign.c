// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* mlalign: the Python the real mlpy generated for tests/workloads/ml/split.ml
 * (mlpy transpile, commit 4fc35e4) aligns line for line with the .ml; lines
 * no .ml line fits stay unknown; bad and hostile input is safe. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "mlalign.h"

static const char split_ml[] =
	"// split.ml - two identical ML loops run 2:1 from a run_all() caller.\n"
	"//\n"
	"// loop_a and loop_b have the same body; run_all() gives loop_a twice the\n"
	"// iterations of loop_b, so their self-time split is 66.7% / 33.3%.  (The real\n"
	"// mlpy sandbox refuses `import datetime` and `import math` with a\n"
	"// CapabilityError and ML has no built-in clock, so the program cannot time\n"
	"// itself: the split is the iteration ratio it prints.)  The dominant\n"
	"// statement of each loop is the `acc = ...` line (the only arithmetic).\n"
	"function loop_a(n) {\n"
	"    i = 0;\n"
	"    acc = 0;\n"
	"    while (i < n) {\n"
	"        acc = (acc * 31 + i * 7 + (acc % 13) * (i % 11) + 17) % 1000003;\n"
	"        i = i + 1;\n"
	"    }\n"
	"    return acc;\n"
	"}\n"
	"\n"
	"function loop_b(n) {\n"
	"    i = 0;\n"
	"    acc = 0;\n"
	"    while (i < n) {\n"
	"        acc = (acc * 31 + i * 7 + (acc % 13) * (i % 11) + 17) % 1000003;\n"
	"        i = i + 1;\n"
	"    }\n"
	"    return acc;\n"
	"}\n"
	"\n"
	"function run_all(rounds, chunk) {\n"
	"    r = 0;\n"
	"    a = 0;\n"
	"    b = 0;\n"
	"    while (r < rounds) {\n"
	"        a = a + loop_a(chunk * 2);\n"
	"        b = b + loop_b(chunk);\n"
	"        r = r + 1;\n"
	"    }\n"
	"    print(\"MLPY_SPLIT loop_a=\" + str(200.0 / 3.0) + \" loop_b=\" + str(100.0 / 3.0));\n"
	"    return a + b;\n"
	"}\n"
	"\n"
	"run_all(20, 100000);\n";

static const char split_py[] =
	"\"\"\"Generated Python code from mlpy ML transpiler.\"\"\"\n"
	"\n"
	"# This code was automatically generated from ML source\n"
	"# Modifications to this file may be lost on regeneration\n"
	"\n"
	"# ============================================================================\n"
	"# Runtime Whitelist Enforcement\n"
	"# ============================================================================\n"
	"from mlpy.runtime.whitelist_validator import safe_call as _safe_call\n"
	"\n"
	"from mlpy.stdlib.builtin import builtin\n"
	"\n"
	"def loop_a(n):\n"
	"    i = 0\n"
	"    acc = 0\n"
	"    while (i < n):\n"
	"        acc = (((((acc * 31) + (i * 7)) + ((acc % 13) * (i % 11))) + 17) % 1000003)\n"
	"        i = (i + 1)\n"
	"    return acc\n"
	"\n"
	"def loop_b(n):\n"
	"    i = 0\n"
	"    acc = 0\n"
	"    while (i < n):\n"
	"        acc = (((((acc * 31) + (i * 7)) + ((acc % 13) * (i % 11))) + 17) % 1000003)\n"
	"        i = (i + 1)\n"
	"    return acc\n"
	"\n"
	"def run_all(rounds, chunk):\n"
	"    r = 0\n"
	"    a = 0\n"
	"    b = 0\n"
	"    while (r < rounds):\n"
	"        a = (a + loop_a((chunk * 2)))\n"
	"        b = (b + loop_b(chunk))\n"
	"        r = (r + 1)\n"
	"    _safe_call(builtin.print, (str((str((str('MLPY_SPLIT loop_a=') + str(_safe_call(builtin.str, (200.0 / 3.0))))) + str(' loop_b='))) + str(_safe_call(builtin.str, (100.0 / 3.0)))))\n"
	"    return (a + b)\n"
	"\n"
	"run_all(20, 100000)\n"
	"\n"
	"# End of generated code\n";

/* Generated line -> .ml line, 0: unknown (blank, comment or template). */
static const int32_t want[][2] = {
	{ 1, -1 }, { 13, 9 },  { 14, 10 }, { 15, 11 }, { 16, 12 }, { 17, 13 }, { 18, 14 },
	{ 19, 16 }, { 20, -1 }, { 21, 19 }, { 22, 20 }, { 23, 21 }, { 24, 22 }, { 25, 23 },
	{ 26, 24 }, { 27, 26 }, { 29, 29 }, { 30, 30 }, { 31, 31 }, { 32, 32 }, { 33, 33 },
	{ 34, 34 }, { 35, 35 }, { 36, 36 }, { 37, 38 }, { 38, 39 }, { 40, 42 },
};

Test(mlalign, real_mlpy_split)
{
	struct mlalign a;
	size_t i;

	cr_assert_eq(mlalign_build(&a, split_py, strlen(split_py), 1, split_ml, strlen(split_ml)), 0);
	for (i = 0; i < sizeof(want) / sizeof(want[0]); i++)
		cr_assert_eq(mlalign_line(&a, want[i][0]), want[i][1], "py %d: ml %d, want %d",
			     want[i][0], mlalign_line(&a, want[i][0]), want[i][1]);
	cr_assert_eq(mlalign_line(&a, 0), -1);
	cr_assert_eq(mlalign_line(&a, -5), -1);
	cr_assert_eq(mlalign_line(&a, 100000), -1);
	mlalign_free(&a);
}

/* Lines before from_line (a sandbox template) are never aligned. */
Test(mlalign, from_line)
{
	struct mlalign a;

	cr_assert_eq(mlalign_build(&a, split_py, strlen(split_py), 21, split_ml, strlen(split_ml)), 0);
	cr_assert_eq(mlalign_line(&a, 13), -1);
	cr_assert_eq(mlalign_line(&a, 17), -1);
	cr_assert_eq(mlalign_line(&a, 21), 19);
	cr_assert_eq(mlalign_line(&a, 25), 23);
	mlalign_free(&a);
}

/* An .ml that is not this program's (lines moved, statements changed):
 * a generated line whose words no .ml line fits stays unknown. Here the
 * loops were renamed and the arithmetic changed. */
Test(mlalign, other_program_unknown)
{
	static const char other[] = "function walk_a(m) {\n    k = 2;\n    return k * m;\n}\n";
	struct mlalign a;
	int32_t l;

	cr_assert_eq(mlalign_build(&a, split_py, strlen(split_py), 1, other, strlen(other)), 0);
	for (l = 1; l <= 40; l++)
		cr_assert_eq(mlalign_line(&a, l), -1, "py %d -> %d", l, mlalign_line(&a, l));
	cr_assert_gt(a.unmapped, 20);
	cr_assert_eq(a.mapped, 0);
	mlalign_free(&a);
}

/* Hostile input: empty texts, no newline, NULs, unterminated strings, a
 * huge line: no crash, nothing mapped wrongly. */
Test(mlalign, hostile_input)
{
	struct mlalign a;
	char *big = malloc(1 << 20);

	cr_assert_eq(mlalign_build(&a, "", 0, 1, "", 0), 0);
	cr_assert_eq(mlalign_line(&a, 1), -1);
	mlalign_free(&a);
	cr_assert_eq(mlalign_build(&a, "x = 'abc", 8, 1, "x = \"abc", 8), 0);
	mlalign_free(&a);
	cr_assert_eq(mlalign_build(&a, "a\0b = 1\n", 8, 1, "a\0b = 1;\n", 9), 0);
	mlalign_free(&a);
	cr_assert_not_null(big);
	memset(big, 'x', 1 << 20);
	cr_assert_eq(mlalign_build(&a, big, 1 << 20, 1, big, 1 << 20), 0);
	cr_assert_eq(mlalign_line(&a, 1), 1, "one equal word");
	mlalign_free(&a);
	memset(big, '\n', 1 << 20);
	cr_assert_eq(mlalign_build(&a, big, 1 << 20, 1, big, 1 << 20), 0);
	cr_assert_eq(a.n, MLALIGN_MAX_LINES);
	cr_assert_eq(a.mapped + a.unmapped, 0);
	mlalign_free(&a);
	/* Work-bounded: 64-word lines that almost match (one word differs)
	 * cost 64 x 64 compares each per window line; alignment gives up and
	 * counts the rest. */
	{
		size_t n = 0, k;

		while (n + 200 < (1u << 20)) {
			for (k = 0; k < 64; k++)
				n += (size_t)sprintf(big + n, "w%zu ", k);
			big[n++] = '\n';
		}
		memcpy(big + n, "\n", 1);
		cr_assert_eq(mlalign_build(&a, big, n, 1, "q w1 w2 w3\n", 11), 0);
		mlalign_free(&a);
	}
	free(big);
}

/* Shapes from mlpy's own integration programs: an `elif` chain (each .ml
 * line matched once, so `elif (value == 0)` is not the `if (value < 0)`
 * line again), an object key (a string in Python), a table row of numbers
 * alone (never a match: the Python line's .ml line is `grid = [`). */
Test(mlalign, integration_shapes)
{
	static const char ml[] = "function t(value) {\n"	  /* 1 */
				 "    if (value < 0) {\n"	  /* 2 */
				 "        return \"negative\";\n" /* 3 */
				 "    } elif (value == 0) {\n"	  /* 4 */
				 "        return \"zero\";\n"	  /* 5 */
				 "    }\n"			  /* 6 */
				 "    return {sum: value, n: 1};\n" /* 7 */
				 "}\n"				  /* 8 */
				 "old = [\n"			  /* 9 */
				 "    [0, 0, 1],\n"		  /* 10 */
				 "];\n"				  /* 11 */
				 "grid = [\n"			  /* 12 */
				 "    [0, 0, 1]\n"		  /* 13 */
				 "];\n";			  /* 14 */
	static const char py[] = "def t(value):\n"		      /* 1 */
				 "    if (value < 0):\n"	      /* 2 */
				 "        return 'negative'\n"	      /* 3 */
				 "    elif (value == 0):\n"	      /* 4 */
				 "        return 'zero'\n"	      /* 5 */
				 "    return {'sum': value, 'n': 1}\n" /* 6 */
				 "old = [[0, 0, 1]]\n"		      /* 7 */
				 "grid = [[0, 0, 1]]\n";	      /* 8 */
	static const int32_t expect[] = { 0, 1, 2, 3, 4, 5, 7, -1, -1 };
	struct mlalign a;
	int32_t l;

	cr_assert_eq(mlalign_build(&a, py, strlen(py), 1, ml, strlen(ml)), 0);
	for (l = 1; l <= 8; l++)
		cr_assert_eq(mlalign_line(&a, l), expect[l], "py %d: ml %d, want %d", l,
			     mlalign_line(&a, l), expect[l]);
	mlalign_free(&a);
}

/* A statement the generator spread over several lines (open brackets):
 * every line of it is the ML statement's line, its words taken together
 * (the look-alike mlpy writes calls so; a frame's line can be any of them). */
Test(mlalign, statement_over_several_lines)
{
	static const char ml[] =
		"function run(config) {\n"                                   /* 1 */
		"    ra = hot_a(config.iterations_a, config.seed_a + r);\n"  /* 2 */
		"    s = \"(\";\n"                                           /* 3 */
		"    return ra;\n"                                           /* 4 */
		"}\n";
	static const char py[] =
		"def run(config):\n"
		"    ra = _safe_call(hot_a, _safe_attr_access(config, 'iterations_a'),\n"
		"                    (_safe_attr_access(config, 'seed_a') + r))\n"
		"    s = '('  # a bracket in a string or comment ( opens nothing\n"
		"    return ra\n";
	struct mlalign a;

	cr_assert_eq(mlalign_build(&a, py, strlen(py), 1, ml, strlen(ml)), 0);
	cr_expect_eq(mlalign_line(&a, 1), 1);
	cr_expect_eq(mlalign_line(&a, 2), 2);
	cr_expect_eq(mlalign_line(&a, 3), 2, "the continuation is the statement's line");
	cr_expect_eq(mlalign_line(&a, 4), 3);
	cr_expect_eq(mlalign_line(&a, 5), 4);
	cr_expect_eq(a.unmapped, 0);
	mlalign_free(&a);
}
