// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <criterion/criterion.h>
#include "evtimer.h"

#define MS 1000000ULL

struct rec {
	struct ev_timer t;
	struct ev_timers *set;
	int id, fired, *log, *nlog;
	uint64_t last_now;
	int rearm_now;          /* arm itself due at once from the callback */
	struct ev_timer *cancel; /* cancel this one from the callback */
};

static void on_fire(struct ev_timer *t, uint64_t now)
{
	struct rec *r = (struct rec *)t;

	r->fired++;
	r->last_now = now;
	r->log[(*r->nlog)++] = r->id;
	if (r->rearm_now)
		evtimer_arm(r->set, t, now, 0);
	if (r->cancel)
		evtimer_cancel(r->set, r->cancel);
}

static void init(struct rec *r, struct ev_timers *set, int id, int *log, int *nlog)
{
	*r = (struct rec){ .t.fn = on_fire, .set = set, .id = id, .log = log, .nlog = nlog };
}

Test(evtimer, runs_due_timers_earliest_first_ties_in_arming_order)
{
	struct ev_timers set = { 0 };
	struct rec a, b, c, d;
	int log[8], n = 0;

	init(&a, &set, 1, log, &n);
	init(&b, &set, 2, log, &n);
	init(&c, &set, 3, log, &n);
	init(&d, &set, 4, log, &n);
	evtimer_arm(&set, &a.t, 30 * MS, 0);
	evtimer_arm(&set, &b.t, 10 * MS, 0);
	evtimer_arm(&set, &c.t, 30 * MS, 0);
	evtimer_arm(&set, &d.t, 50 * MS, 0);
	cr_assert_eq(evtimer_run(&set, 9 * MS), 0);
	cr_assert_eq(evtimer_run(&set, 30 * MS), 3);
	cr_assert_eq(n, 3);
	cr_assert_eq(log[0], 2);
	cr_assert_eq(log[1], 1);
	cr_assert_eq(log[2], 3);
	cr_assert_eq(a.last_now, 30 * MS);
	cr_assert_eq(a.t.armed, 0);
	cr_assert_eq(d.t.armed, 1);
	cr_assert_eq(evtimer_run(&set, 30 * MS), 0, "one-shot timers run once");
	cr_assert_eq(evtimer_run(&set, 60 * MS), 1);
	cr_assert_null(set.head);
}

Test(evtimer, timeout_is_the_first_deadline_rounded_up_and_capped)
{
	struct ev_timers set = { 0 };
	struct rec a;
	int log[4], n = 0;

	init(&a, &set, 1, log, &n);
	cr_assert_eq(evtimer_timeout_ms(&set, 0, 50), 50, "none armed: the cap");
	evtimer_arm(&set, &a.t, 10 * MS + 1, 0);
	cr_assert_eq(evtimer_timeout_ms(&set, 0, 50), 11);
	cr_assert_eq(evtimer_timeout_ms(&set, 10 * MS, 50), 1, "never 0 before it is due");
	cr_assert_eq(evtimer_timeout_ms(&set, 10 * MS + 1, 50), 0);
	cr_assert_eq(evtimer_timeout_ms(&set, 99 * MS, 50), 0);
	cr_assert_eq(evtimer_timeout_ms(&set, 0, 5), 5);
	evtimer_arm(&set, &a.t, UINT64_MAX, 0);
	cr_assert_eq(evtimer_timeout_ms(&set, 0, 1000), 1000, "far: the cap, no overflow");
}

/* A periodic timer: re-armed after now, missed expiries not run again. */
Test(evtimer, periodic_skips_what_a_busy_loop_missed)
{
	struct ev_timers set = { 0 };
	struct rec a;
	int log[8], n = 0;

	init(&a, &set, 1, log, &n);
	evtimer_arm(&set, &a.t, 100 * MS, 100 * MS);
	cr_assert_eq(evtimer_run(&set, 100 * MS), 1);
	cr_assert_eq(a.t.deadline_ns, 200 * MS);
	cr_assert_eq(evtimer_run(&set, 450 * MS), 1, "three periods late: runs once");
	cr_assert_eq(a.t.deadline_ns, 500 * MS);
	cr_assert_eq(evtimer_timeout_ms(&set, 450 * MS, 1000), 50);
	evtimer_cancel(&set, &a.t);
	cr_assert_eq(evtimer_run(&set, 10000 * MS), 0);
	cr_assert_eq(a.fired, 2);
	evtimer_cancel(&set, &a.t); /* twice: nothing */
}

Test(evtimer, callbacks_may_rearm_and_cancel)
{
	struct ev_timers set = { 0 };
	struct rec a, b, c;
	int log[8], n = 0;

	init(&a, &set, 1, log, &n);
	init(&b, &set, 2, log, &n);
	init(&c, &set, 3, log, &n);
	a.rearm_now = 1;   /* due again at once: waits for the next run */
	a.cancel = &b.t;   /* b was due too: it does not run */
	evtimer_arm(&set, &a.t, 10 * MS, 0);
	evtimer_arm(&set, &b.t, 10 * MS, 0);
	evtimer_arm(&set, &c.t, 10 * MS, 0);
	cr_assert_eq(evtimer_run(&set, 10 * MS), 2);
	cr_assert_eq(a.fired, 1);
	cr_assert_eq(b.fired, 0);
	cr_assert_eq(c.fired, 1);
	cr_assert_eq(a.t.armed, 1);
	cr_assert_eq(evtimer_run(&set, 10 * MS), 1);
	cr_assert_eq(a.fired, 2);
	/* Moving an armed timer keeps the list sorted. */
	a.rearm_now = 0;
	a.cancel = NULL;
	evtimer_arm(&set, &b.t, 5 * MS, 0);
	evtimer_arm(&set, &a.t, 1 * MS, 0);
	evtimer_arm(&set, &b.t, 0, 0);
	cr_assert_eq(set.head, &b.t);
	cr_assert_eq(set.head->next, &a.t);
	cr_assert_null(set.head->next->next);
}
