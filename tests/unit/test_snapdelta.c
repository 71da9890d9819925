// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* snapdelta_window: stacks matched by identity across snapshots whose indices
 * differ; missing, new and duplicated (time-bucketed) stacks; evicted
 * processes; resets; bad input. */
#include <criterion/criterion.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "fixtures.h"
#include "snapdelta.h"

/* Reverses the function table (and the frames that use it), so the same
 * stacks have other indices. */
static void reverse_funcs(struct snap *s)
{
	size_t i, k;

	for (i = 0; i < s->nfuncs / 2; i++) {
		struct snap_func t = s->funcs[i];

		s->funcs[i] = s->funcs[s->nfuncs - 1 - i];
		s->funcs[s->nfuncs - 1 - i] = t;
	}
	for (i = 0; i < s->nstacks; i++)
		for (k = 0; k < s->stacks[i].nframes; k++)
			s->stacks[i].frames[k].func =
				(uint32_t)(s->nfuncs - 1 - s->stacks[i].frames[k].func);
}

/* Samples of the stack whose innermost function is `name` in process pid. */
static uint64_t samples_of(const struct snap *s, int32_t pid, const char *name, uint32_t depth)
{
	uint64_t n = 0;
	size_t i;

	for (i = 0; i < s->nstacks; i++) {
		const struct snap_stack *st = &s->stacks[i];

		if (s->procs[st->proc].pid == pid && st->nframes == depth &&
		    !strcmp(s->funcs[st->frames[0].func].name, name))
			n += st->samples;
	}
	return n;
}

static void later_of(struct snap *l)
{
	fixture_snap(l);
	l->now_ns += 5000000000ULL;
	l->stats.samples += 500;
	l->stats.sample_drops += 0;
	l->stats.evicted_procs = 0;
	l->stacks[0].samples += 300; /* eval <- parse <- main grew */
	l->procs[0].samples += 300;
	reverse_funcs(l);
}

Test(snapdelta, matching_stacks_give_their_growth)
{
	struct snap e, l, d;

	fixture_snap(&e);
	later_of(&l);
	cr_assert_eq(snapdelta_window(&l, &e, &d), 0);
	cr_assert_eq(d.nstacks, 1);
	cr_assert_eq(samples_of(&d, 1000, "eval", 3), 300);
	cr_assert_eq(snap_total_samples(&d), 300);
	cr_assert_eq(d.stats.samples, 500);
	cr_assert_eq(d.stats.sample_drops, 0);
	cr_assert_eq(d.start_ns, e.now_ns);
	cr_assert_eq(d.now_ns, l.now_ns);
	cr_assert_str_eq(d.host, "testhost");
	/* The exited child (ended before the window) is not in it. */
	cr_assert_eq(d.nprocs, 1);
	cr_assert_eq(d.procs[0].pid, 1000);
	cr_assert_eq(d.procs[0].samples, 300);
	/* Frames name later's functions. */
	cr_assert_str_eq(d.funcs[d.stacks[0].frames[2].func].name, "main");
	snap_free(&e);
	snap_free(&l);
	snap_free(&d);
}

Test(snapdelta, new_stack_counts_from_zero_and_missing_gives_nothing)
{
	static const uint32_t main_only[] = { FX_MAIN };
	struct snap e, l, d;

	fixture_snap(&e);
	fixture_snap(&l);
	l.now_ns += 1000;
	fixture_add_stack(&l, 0, 42, 1, main_only);
	/* A stack of earlier that later lacks. */
	fixture_add_stack(&e, 0, 7, 1, main_only + 0);
	e.stacks[e.nstacks - 1].frames[0].line = 99;
	cr_assert_eq(snapdelta_window(&l, &e, &d), 0);
	cr_assert_eq(d.nstacks, 1);
	cr_assert_eq(d.stacks[0].samples, 42);
	cr_assert_eq(d.stacks[0].nframes, 1);
	snap_free(&e);
	snap_free(&l);
	snap_free(&d);
}

Test(snapdelta, same_line_other_function_identity_is_new)
{
	struct snap e, l, d;

	fixture_snap(&e);
	fixture_snap(&l);
	l.now_ns += 1000;
	/* Same name and index, other file: another function. */
	free(l.funcs[FX_EVAL].file);
	l.funcs[FX_EVAL].file = strdup("/app/other.py");
	cr_assert_eq(snapdelta_window(&l, &e, &d), 0);
	cr_assert_eq(d.nstacks, 1);
	cr_assert_eq(d.stacks[0].samples, 1234);
	snap_free(&e);
	snap_free(&l);
	snap_free(&d);
}

Test(snapdelta, time_buckets_are_summed_by_identity)
{
	static const uint32_t st0[] = { FX_EVAL, FX_PARSE, FX_MAIN };
	struct snap e, l, d;

	fixture_snap(&e);
	fixture_snap(&l);
	l.now_ns += 1000;
	/* Earlier: 1234 in one bucket. Later: the same stack in two more
	 * buckets (1234 + 100 + 50); and earlier split too. */
	fixture_add_stack(&l, 0, 100, 3, st0);
	fixture_add_stack(&l, 0, 50, 3, st0);
	e.stacks[0].samples = 1000;
	fixture_add_stack(&e, 0, 234, 3, st0);
	cr_assert_eq(snapdelta_window(&l, &e, &d), 0);
	cr_assert_eq(d.nstacks, 1);
	cr_assert_eq(d.stacks[0].samples, 150);
	snap_free(&e);
	snap_free(&l);
	snap_free(&d);
}

Test(snapdelta, evicted_process_contributes_nothing_new_process_everything)
{
	static const uint32_t st[] = { FX_PARSE, FX_MAIN };
	struct snap e, l, d;

	fixture_snap(&e);
	fixture_snap(&l);
	l.now_ns += 1000;
	/* Later lost process 1001 (evicted) and gained 1002, which reuses
	 * index 1 and the same start time but another pid. */
	l.procs[1].pid = 1002;
	l.procs[1].end_ns = 0;
	l.procs[1].ended = 0;
	l.stats.evicted_procs = 1;
	l.stats.evicted_samples = 600;
	fixture_add_stack(&l, 1, 77, 2, st);
	cr_assert_eq(snapdelta_window(&l, &e, &d), 0);
	cr_assert_eq(d.stats.evicted_procs, 1);
	cr_assert_eq(d.stats.evicted_samples, 600);
	cr_assert_eq(samples_of(&d, 1002, "<startup>", 1), 600);
	cr_assert_eq(samples_of(&d, 1002, "parse", 2), 77);
	cr_assert_eq(samples_of(&d, 1001, "<startup>", 1), 0);
	cr_assert_eq(snap_total_samples(&d), 677);
	snap_free(&e);
	snap_free(&l);
	snap_free(&d);
}

Test(snapdelta, same_pid_new_exec_is_another_process)
{
	struct snap e, l, d;

	fixture_snap(&e);
	fixture_snap(&l);
	l.now_ns += 1000;
	l.procs[0].exec_seq = 1;
	cr_assert_eq(snapdelta_window(&l, &e, &d), 0);
	cr_assert_eq(samples_of(&d, 1000, "eval", 3), 1234);
	cr_assert_eq(samples_of(&d, 1000, "parse", 2), 166);
	snap_free(&e);
	snap_free(&l);
	snap_free(&d);
}

Test(snapdelta, reset_in_between_gives_all_of_later)
{
	struct snap e, l, d;

	fixture_snap(&e);
	fixture_snap(&l);
	l.start_ns = e.now_ns + 10;
	l.now_ns = e.now_ns + 1000;
	l.stats.samples = 5;
	l.stacks[0].samples = 3;
	cr_assert_eq(snapdelta_window(&l, &e, &d), 0);
	cr_assert_eq(d.stats.samples, 5);
	cr_assert_eq(samples_of(&d, 1000, "eval", 3), 3);
	cr_assert_eq(d.start_ns, l.start_ns);
	snap_free(&e);
	snap_free(&l);
	snap_free(&d);
}

Test(snapdelta, counts_that_shrank_are_not_negative)
{
	struct snap e, l, d;

	fixture_snap(&e);
	fixture_snap(&l);
	l.now_ns += 1000;
	l.stacks[0].samples = 10;
	l.stats.samples = 1;
	cr_assert_eq(snapdelta_window(&l, &e, &d), 0);
	cr_assert_eq(d.nstacks, 0);
	cr_assert_eq(d.stats.samples, 0);
	snap_free(&e);
	snap_free(&l);
	snap_free(&d);
}

Test(snapdelta, identical_snapshots_give_an_empty_profile)
{
	struct snap e, d;

	fixture_snap(&e);
	cr_assert_eq(snapdelta_window(&e, &e, &d), 0);
	cr_assert_eq(d.nstacks, 0);
	cr_assert_eq(d.start_ns, d.now_ns);
	snap_free(&e);
	snap_free(&d);
}

Test(snapdelta, bad_input_is_rejected)
{
	struct snap e, l, d;

	memset(&d, 0x5a, sizeof(d));
	fixture_snap(&e);
	fixture_snap(&l);
	l.now_ns = e.now_ns - 1; /* earlier is later */
	cr_assert_eq(snapdelta_window(&l, &e, &d), -EINVAL);
	l.now_ns = e.now_ns + 1;
	l.freq_hz = 99; /* another daemon's */
	cr_assert_eq(snapdelta_window(&l, &e, &d), -EINVAL);
	l.freq_hz = e.freq_hz;
	l.stacks[1].frames[0].func = 1000; /* index out of range */
	cr_assert_eq(snapdelta_window(&l, &e, &d), -EINVAL);
	l.stacks[1].frames[0].func = FX_PARSE;
	l.stacks[2].proc = 9;
	cr_assert_eq(snapdelta_window(&l, &e, &d), -EINVAL);
	l.stacks[2].proc = 1;
	cr_assert_eq(((unsigned char *)&d)[0], 0x5a); /* untouched */
	snap_free(&e);
	snap_free(&l);
}

Test(snapdelta, copy_is_deep_and_equal)
{
	struct snap e, c;

	fixture_snap(&e);
	cr_assert_eq(snapdelta_copy(&e, &c), 0);
	cr_assert_eq(c.nstacks, e.nstacks);
	cr_assert_eq(c.nfuncs, e.nfuncs);
	cr_assert_eq(c.nprocs, e.nprocs);
	cr_assert_neq(c.funcs[0].name, e.funcs[0].name);
	cr_assert_str_eq(c.funcs[0].name, e.funcs[0].name);
	cr_assert_neq(c.stacks[0].frames, e.stacks[0].frames);
	cr_assert_eq(snap_total_samples(&c), snap_total_samples(&e));
	snap_free(&e);
	cr_assert_str_eq(c.procs[1].cmdline, "python3 -m mlpy worker");
	snap_free(&c);
}

Test(snapdelta, buckets_are_matched_one_by_one_and_aged_out_ones_take_nothing)
{
	static const uint32_t st0[] = { FX_EVAL, FX_PARSE, FX_MAIN };
	struct snap e, l, d;

	fixture_snap(&e);
	fixture_snap(&l);
	e.bucket_ns = l.bucket_ns = 1000000000ULL;
	e.now_ns = 11500000000ULL;
	l.now_ns = 12500000000ULL;
	/* Earlier (at 11.5 s): eval in buckets 10 s (1234, the fixture's)
	 * and 11 s (50). Later (12.5 s): bucket 10 s aged out; 11 s grew to
	 * 80; 12 s is new with 30. Summing by identity alone would say
	 * 110 - 1284: nothing. */
	e.stacks[0].t = 10000000000ULL;
	fixture_add_stack(&e, 0, 50, 3, st0);
	e.stacks[e.nstacks - 1].t = 11000000000ULL;
	l.stacks[0].t = 11000000000ULL;
	l.stacks[0].samples = 80;
	fixture_add_stack(&l, 0, 30, 3, st0);
	l.stacks[l.nstacks - 1].t = 12000000000ULL;
	l.stats.evicted_buckets = 1;
	l.stats.evicted_bucket_samples = 1234;
	cr_assert_eq(snapdelta_window(&l, &e, &d), 0);
	cr_assert_eq(samples_of(&d, 1000, "eval", 3), 60);
	cr_assert_eq(d.stats.evicted_buckets, 1);
	cr_assert_eq(d.stats.evicted_bucket_samples, 1234);
	cr_assert_eq(d.range_from_ns, e.now_ns);
	cr_assert_eq(d.range_to_ns, l.now_ns);
	snap_free(&e);
	snap_free(&l);
	snap_free(&d);
}

Test(snapdelta, every_counter_is_a_difference)
{
	struct snap e, l, d;
	uint64_t *le, *ee, *de;
	size_t i, n = sizeof(struct snap_stats) / sizeof(uint64_t);

	cr_assert_eq(sizeof(struct snap_stats) % sizeof(uint64_t), 0);
	fixture_snap(&e);
	fixture_snap(&l);
	l.now_ns += 1000;
	le = (uint64_t *)&l.stats;
	ee = (uint64_t *)&e.stats;
	for (i = 0; i < n; i++) {
		le[i] = 1000 + i;
		ee[i] = 400;
	}
	cr_assert_eq(snapdelta_window(&l, &e, &d), 0);
	de = (uint64_t *)&d.stats;
	for (i = 0; i < n; i++)
		cr_assert_eq(de[i], 600 + i, "stats field %zu is not a difference", i);
	snap_free(&e);
	snap_free(&l);
	snap_free(&d);
}
