// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* analysis: self and total samples per function, recursion, order. */
#include <criterion/criterion.h>
#include <stdlib.h>
#include "analysis.h"
#include "fixtures.h"
#include "satmath.h"

static const struct func_stat *row_of(const struct func_stat *rows, size_t n, uint32_t func)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (rows[i].func == func)
			return &rows[i];
	}
	return NULL;
}

Test(analysis, fixture)
{
	struct snap s;
	struct func_stat *rows;
	size_t n;

	fixture_snap(&s);
	cr_assert_eq(analysis_functions(&s, &rows, &n), 0);
	cr_assert_eq(n, 4);
	/* By self, descending; main has no self time but 1,400 total. */
	cr_assert_eq(rows[0].func, FX_EVAL);
	cr_assert_eq(rows[0].self, 1234);
	cr_assert_eq(rows[0].total, 1234);
	cr_assert_eq(rows[1].func, FX_STARTUP);
	cr_assert_eq(rows[1].self, 600);
	cr_assert_eq(rows[1].total, 600);
	cr_assert_eq(rows[2].func, FX_PARSE);
	cr_assert_eq(rows[2].self, 166);
	cr_assert_eq(rows[2].total, 1400);
	cr_assert_eq(rows[3].func, FX_MAIN);
	cr_assert_eq(rows[3].self, 0);
	cr_assert_eq(rows[3].total, 1400);
	free(rows);
	snap_free(&s);
}

Test(analysis, recursion_counts_once_per_stack)
{
	static const uint32_t rec[] = { FX_EVAL, FX_PARSE, FX_EVAL, FX_PARSE, FX_EVAL, FX_MAIN };
	static const uint32_t self_rec[] = { FX_PARSE, FX_PARSE, FX_PARSE };
	struct snap s;
	struct func_stat *rows;
	const struct func_stat *r;
	size_t n;

	fixture_snap(&s);
	fixture_add_stack(&s, 0, 10, 6, rec);
	fixture_add_stack(&s, 0, 7, 3, self_rec);
	cr_assert_eq(snap_total_samples(&s), 2017);
	cr_assert_eq(analysis_functions(&s, &rows, &n), 0);
	r = row_of(rows, n, FX_EVAL);
	cr_assert_eq(r->self, 1244);
	cr_assert_eq(r->total, 1244, "eval three times in a stack counts once");
	r = row_of(rows, n, FX_PARSE);
	cr_assert_eq(r->self, 173);
	cr_assert_eq(r->total, 1417);
	r = row_of(rows, n, FX_MAIN);
	cr_assert_eq(r->total, 1410);
	/* No total exceeds the samples there are. */
	for (size_t i = 0; i < n; i++)
		cr_assert_leq(rows[i].total, snap_total_samples(&s));
	free(rows);
	snap_free(&s);
}

Test(analysis, ties_sorted_by_total_then_name)
{
	static const uint32_t a[] = { FX_MAIN };
	static const uint32_t b[] = { FX_PARSE, FX_EVAL };
	static const uint32_t c[] = { FX_EVAL };
	struct snap s;
	struct func_stat *rows;
	size_t n;

	fixture_snap(&s);
	/* Drop the fixture's stacks; keep its functions. */
	for (size_t i = 0; i < s.nstacks; i++)
		free(s.stacks[i].frames);
	s.nstacks = 0;
	fixture_add_stack(&s, 0, 5, 1, a);   /* main: self 5, total 5 */
	fixture_add_stack(&s, 0, 5, 2, b);   /* parse: self 5, total 5; eval total 5 */
	fixture_add_stack(&s, 0, 5, 1, c);   /* eval: self 5, total 10 */
	cr_assert_eq(analysis_functions(&s, &rows, &n), 0);
	cr_assert_eq(n, 3);
	cr_assert_eq(rows[0].func, FX_EVAL);   /* self 5, total 10 */
	cr_assert_eq(rows[1].func, FX_PARSE);  /* "Parser.parse" < "main" (strcmp) */
	cr_assert_eq(rows[2].func, FX_MAIN);
	free(rows);
	snap_free(&s);
}

Test(analysis, empty_and_frameless)
{
	struct snap s = { 0 };
	struct func_stat *rows;
	size_t n = 99;

	cr_assert_eq(analysis_functions(&s, &rows, &n), 0);
	cr_assert_eq(n, 0);
	free(rows);

	fixture_snap(&s);
	fixture_add_stack(&s, 0, 50, 0, NULL); /* a stack with no frames */
	cr_assert_eq(analysis_functions(&s, &rows, &n), 0);
	cr_assert_eq(n, 4);
	cr_assert_eq(rows[0].self, 1234);
	free(rows);
	snap_free(&s);
}

/* Live bytes from a snapshot file can be anything: sums saturate instead
 * of overflowing (signed overflow is undefined; UBSan flagged it). */
Test(analysis, live_bytes_sums_saturate)
{
	static const uint32_t one[] = { FX_EVAL, FX_MAIN };
	struct snap s;
	struct func_stat *rows;
	const struct func_stat *r;
	size_t n, i;

	fixture_snap(&s);
	for (i = 0; i < 3; i++) {
		fixture_add_stack(&s, 0, 1, 2, one);
		s.stacks[s.nstacks - 1].live_bytes = INT64_MAX - 5;
	}
	cr_assert_eq(analysis_functions(&s, &rows, &n), 0);
	r = row_of(rows, n, FX_EVAL);
	cr_assert_eq(r->live_self, INT64_MAX);
	cr_assert_eq(row_of(rows, n, FX_MAIN)->live_total, INT64_MAX);
	free(rows);
	for (i = s.nstacks - 3; i < s.nstacks; i++)
		s.stacks[i].live_bytes = INT64_MIN + 5;
	cr_assert_eq(analysis_functions(&s, &rows, &n), 0);
	cr_assert_eq(row_of(rows, n, FX_EVAL)->live_self, INT64_MIN);
	free(rows);
	snap_free(&s);
}

Test(analysis, sat_math)
{
	cr_assert_eq(sat_add_i64(INT64_MAX, 1), INT64_MAX);
	cr_assert_eq(sat_add_i64(INT64_MIN, -1), INT64_MIN);
	cr_assert_eq(sat_add_i64(-5, 3), -2);
	cr_assert_eq(sat_sub_i64(INT64_MIN, 1), INT64_MIN);
	cr_assert_eq(sat_sub_i64(INT64_MAX, -1), INT64_MAX);
	cr_assert_eq(sat_sub_i64(5, 7), -2);
}
