// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* offcpu: off-CPU intervals paired by thread and charged as samples; wait
 * reasons. */
#include <criterion/criterion.h>
#include <string.h>
#include "offcpu.h"
#include "where.h"

#define MS 1000000ULL

struct charged {
	uint32_t proc_id;
	uint32_t n;
	uint32_t leaf;
	uint64_t samples;
	uint64_t ts;
	int calls;
};

static void charge(void *ctx, uint32_t proc_id, const struct frame_ref *frames, uint32_t n,
		   uint64_t samples, uint64_t ts_ns)
{
	struct charged *c = ctx;

	c->proc_id = proc_id;
	c->n = n;
	c->leaf = frames[0].func;
	c->samples += samples;
	c->ts = ts_ns;
	c->calls++;
}

static const struct frame_ref stack[] = { { 7, -1 }, { 1, 10 }, { 2, 20 } };

Test(offcpu, pairs_start_and_end)
{
	struct charged c = { 0 };
	struct offcpu *o = offcpu__new(1000, charge, &c);

	cr_assert_not_null(o);
	cr_assert_eq(offcpu__begin(o, 42, 3, stack, 3, 1000 * MS), 0);
	offcpu__end(o, 42, 0, 1000 * MS, 1500 * MS);
	cr_assert_eq(c.samples, 500); /* 0.5 s at 1000 Hz */
	cr_assert_eq(c.proc_id, 3);
	cr_assert_eq(c.n, 3);
	cr_assert_eq(c.leaf, 7);
	cr_assert_eq(c.ts, 1500 * MS);
	cr_assert_eq(offcpu__counts(o)->intervals, 1);
	/* An end with no open interval (its start was lost): not charged. */
	offcpu__end(o, 42, 0, 1000 * MS, 1600 * MS);
	offcpu__end(o, 43, 0, 1000 * MS, 1600 * MS);
	cr_assert_eq(c.samples, 500);
	cr_assert_eq(offcpu__counts(o)->unpaired, 2);
	offcpu__free(o);
}

Test(offcpu, short_waits_add_up)
{
	struct charged c = { 0 };
	struct offcpu *o = offcpu__new(99, charge, &c);
	uint64_t t = 0;
	int i;

	/* 1,000 waits of 1 ms at 99 Hz: 0.099 samples each, 99 in all. */
	for (i = 0; i < 1000; i++, t += 2 * MS) {
		cr_assert_eq(offcpu__begin(o, 5, 1, stack, 3, t), 0);
		offcpu__end(o, 5, 0, t, t + MS);
	}
	cr_assert_eq(c.samples, 99);
	offcpu__free(o);
}

Test(offcpu, still_blocked_is_charged_up_to_now_once)
{
	struct charged c = { 0 };
	struct offcpu *o = offcpu__new(1000, charge, &c);

	cr_assert_eq(offcpu__begin(o, 9, 2, stack, 3, 0), 0);
	offcpu__flush(o, 200 * MS);
	cr_assert_eq(c.samples, 200);
	offcpu__flush(o, 300 * MS);
	cr_assert_eq(c.samples, 300);
	/* The end of the interval charges only what the flushes did not. */
	offcpu__end(o, 9, 0, 0, 450 * MS);
	cr_assert_eq(c.samples, 450);
	cr_assert_eq(offcpu__counts(o)->unpaired, 0);
	offcpu__flush(o, 900 * MS); /* nothing open */
	cr_assert_eq(c.samples, 450);
	offcpu__free(o);
}

Test(offcpu, a_new_start_replaces_an_open_one)
{
	struct charged c = { 0 };
	struct offcpu *o = offcpu__new(1000, charge, &c);

	cr_assert_eq(offcpu__begin(o, 9, 2, stack, 3, 0), 0);
	cr_assert_eq(offcpu__begin(o, 9, 2, stack, 2, 100 * MS), 0); /* the end was lost */
	cr_assert_eq(offcpu__counts(o)->unpaired, 1);
	offcpu__end(o, 9, 0, 100 * MS, 150 * MS);
	cr_assert_eq(c.samples, 50);
	cr_assert_eq(c.n, 2);
	offcpu__free(o);
}

Test(offcpu, process_end_closes_its_threads)
{
	struct charged c = { 0 };
	struct offcpu *o = offcpu__new(1000, charge, &c);

	cr_assert_eq(offcpu__begin(o, 1, 2, stack, 3, 0), 0);
	cr_assert_eq(offcpu__begin(o, 2, 3, stack, 3, 0), 0);
	offcpu__proc_end(o, 2, 100 * MS);
	cr_assert_eq(c.samples, 100);
	cr_assert_eq(c.proc_id, 2);
	offcpu__flush(o, 100 * MS); /* only proc 3's thread is still open */
	cr_assert_eq(c.samples, 200);
	cr_assert_eq(c.proc_id, 3);
	offcpu__free(o);
}

/* The ring buffer is ordered by reservation and BPF reserves an end after
 * its start, but pairing does not count on it: an end that comes before
 * its start is kept, and the start charges the whole interval then. */
Test(offcpu, an_end_before_its_start)
{
	struct charged c = { 0 };
	struct offcpu *o = offcpu__new(1000, charge, &c);

	offcpu__end(o, 9, 2, 200 * MS, 700 * MS);
	cr_assert_eq(c.samples, 0);
	cr_assert_eq(offcpu__counts(o)->unpaired, 1);
	cr_assert_eq(offcpu__begin(o, 9, 2, stack, 3, 200 * MS), 0);
	cr_assert_eq(c.samples, 500);
	cr_assert_eq(c.leaf, 7);
	cr_assert_eq(c.ts, 700 * MS);
	cr_assert_eq(offcpu__counts(o)->unpaired, 0, "paired after all");
	cr_assert_eq(offcpu__counts(o)->intervals, 1);
	/* Nothing is left open to charge up to a snapshot or the end. */
	offcpu__flush(o, 5000 * MS);
	offcpu__proc_end(o, 2, 6000 * MS);
	cr_assert_eq(c.samples, 500);
	/* Another start (not the one the end named) opens normally. */
	offcpu__end(o, 10, 2, 100 * MS, 150 * MS);
	cr_assert_eq(offcpu__begin(o, 10, 2, stack, 3, 120 * MS), 0);
	offcpu__end(o, 10, 2, 120 * MS, 170 * MS);
	cr_assert_eq(c.samples, 550);
	cr_assert_eq(offcpu__counts(o)->unpaired, 1, "the end of 100 ms never met its start");
	offcpu__free(o);
}

/* Blocked until its process ended: charged up to the end, once; the
 * thread is forgotten (a late end, or a snapshot, charges nothing). */
Test(offcpu, a_start_with_no_end_until_the_process_ends)
{
	struct charged c = { 0 };
	struct offcpu *o = offcpu__new(1000, charge, &c);

	cr_assert_eq(offcpu__begin(o, 4, 2, stack, 3, 100 * MS), 0);
	offcpu__flush(o, 250 * MS); /* a snapshot while it waits */
	cr_assert_eq(c.samples, 150);
	offcpu__proc_end(o, 2, 400 * MS);
	cr_assert_eq(c.samples, 300);
	cr_assert_eq(c.ts, 400 * MS);
	offcpu__end(o, 4, 2, 100 * MS, 900 * MS); /* after the exit: not charged */
	offcpu__flush(o, 2000 * MS);
	cr_assert_eq(c.samples, 300);
	cr_assert_eq(offcpu__counts(o)->unpaired, 1);
	offcpu__free(o);
}

/* Two starts, the first one's end lost: the first is not charged, and its
 * end arriving late neither charges it nor closes the second. */
Test(offcpu, two_starts_without_an_end)
{
	struct charged c = { 0 };
	struct offcpu *o = offcpu__new(1000, charge, &c);

	cr_assert_eq(offcpu__begin(o, 9, 2, stack, 3, 0), 0);
	cr_assert_eq(offcpu__begin(o, 9, 2, stack, 2, 400 * MS), 0);
	offcpu__end(o, 9, 2, 0, 300 * MS);
	cr_assert_eq(c.samples, 0);
	offcpu__end(o, 9, 2, 400 * MS, 600 * MS);
	cr_assert_eq(c.samples, 200);
	cr_assert_eq(c.n, 2, "the second start's stack");
	cr_assert_eq(offcpu__counts(o)->unpaired, 2);
	cr_assert_eq(offcpu__counts(o)->intervals, 1);
	offcpu__free(o);
}

/* Snapshots in the middle of an interval: each charges up to its time,
 * the end the rest; a snapshot time before the start (or before the last
 * one) charges nothing and does not move the charged part back. */
Test(offcpu, snapshots_mid_interval)
{
	struct charged c = { 0 };
	struct offcpu *o = offcpu__new(1000, charge, &c);

	cr_assert_eq(offcpu__begin(o, 9, 2, stack, 3, 1000 * MS), 0);
	offcpu__flush(o, 900 * MS);
	cr_assert_eq(c.samples, 0);
	offcpu__flush(o, 1300 * MS);
	offcpu__flush(o, 1200 * MS);
	cr_assert_eq(c.samples, 300);
	offcpu__end(o, 9, 2, 1000 * MS, 1500 * MS);
	cr_assert_eq(c.samples, 500, "the whole interval, once");
	cr_assert_eq(offcpu__counts(o)->intervals, 1);
	offcpu__free(o);
}

/* Ended images' threads leave the table: a daemon that has followed more
 * threads than it holds still follows new ones. */
Test(offcpu, ended_processes_leave_the_table)
{
	struct charged c = { 0 };
	struct offcpu *o = offcpu__new(1000, charge, &c);
	uint32_t i;

	for (i = 1; i <= OFFCPU_MAX_THREADS + 10; i++) {
		cr_assert_eq(offcpu__begin(o, (int)i, i, stack, 3, 0), 0);
		offcpu__end(o, (int)i, i, 0, MS);
		offcpu__proc_end(o, i, 2 * MS);
	}
	cr_assert_eq(offcpu__counts(o)->full, 0);
	cr_assert_eq(offcpu__counts(o)->intervals, OFFCPU_MAX_THREADS + 10);
	offcpu__free(o);
}

struct seen {
	uint32_t funcs[8];
	uint32_t n;
};

static void see(uint32_t func, void *ctx)
{
	struct seen *s = ctx;

	if (s->n < 8)
		s->funcs[s->n++] = func;
}

/* What the store must keep: the functions of open intervals only. */
Test(offcpu, functions_of_open_intervals)
{
	struct charged c = { 0 };
	struct offcpu *o = offcpu__new(1000, charge, &c);
	struct seen s = { { 0 }, 0 };

	cr_assert_eq(offcpu__begin(o, 1, 2, stack, 3, 0), 0);
	cr_assert_eq(offcpu__begin(o, 2, 2, stack, 1, 0), 0);
	offcpu__end(o, 2, 2, 0, MS);
	offcpu__for_each_func(o, see, &s);
	cr_assert_eq(s.n, 3);
	cr_assert_eq(s.funcs[0], 7);
	cr_assert_eq(s.funcs[1], 1);
	cr_assert_eq(s.funcs[2], 2);
	offcpu__end(o, 1, 2, 0, MS);
	s.n = 0;
	offcpu__for_each_func(o, see, &s);
	cr_assert_eq(s.n, 0);
	offcpu__free(o);
}

static const char *wait(uint64_t state, int32_t nr)
{
	static char buf[96];

	return where_wait_name(state, nr, buf, sizeof(buf));
}

Test(offcpu, wait_reasons)
{
#if defined(__x86_64__)
	cr_assert_str_eq(wait(1, 230), "<wait: sleep (clock_nanosleep)>");
	cr_assert_str_eq(wait(1, 35), "<wait: sleep (nanosleep)>");
	cr_assert_str_eq(wait(1, 202), "<wait: lock (futex)>");
	cr_assert_str_eq(wait(1, 61), "<wait: child wait (wait4)>");
	cr_assert_str_eq(wait(1, 0), "<wait: I/O (read)>");
	cr_assert_str_eq(wait(1, 232), "<wait: I/O (epoll_wait)>");
	cr_assert_str_eq(wait(1, 39), "<wait: other (getpid)>");
	cr_assert_str_eq(wait(2, 39), "<wait: I/O (getpid)>"); /* uninterruptible */
#endif
	cr_assert_str_eq(wait(2, -1), "<wait: page fault>");
	cr_assert_str_eq(wait(1, 100000), "<wait: other (syscall 100000)>");
}
