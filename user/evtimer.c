// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include "evtimer.h"

/* Takes T out of LIST if it is there; 1 if it was. */
static int unlink_from(struct ev_timer **list, struct ev_timer *t)
{
	struct ev_timer **pp = list;
	int found;

	while (*pp && *pp != t)
		pp = &(*pp)->next;
	found = *pp == t;
	if (found)
		*pp = t->next;
	return found;
}

/* An armed timer is in the list or among those being run. */
static void unlink_timer(struct ev_timers *set, struct ev_timer *t)
{
	if (!unlink_from(&set->head, t))
		unlink_from(&set->due, t);
	t->next = NULL;
	t->armed = 0;
}

/* After the last timer whose deadline is not later: equal deadlines keep
 * the order they were armed in. */
static void insert_timer(struct ev_timers *set, struct ev_timer *t)
{
	struct ev_timer **pp = &set->head;

	while (*pp && (*pp)->deadline_ns <= t->deadline_ns)
		pp = &(*pp)->next;
	t->next = *pp;
	*pp = t;
	t->armed = 1;
}

void evtimer_arm(struct ev_timers *set, struct ev_timer *t, uint64_t deadline_ns,
		 uint64_t period_ns)
{
	if (t->armed)
		unlink_timer(set, t);
	t->deadline_ns = deadline_ns;
	t->period_ns = period_ns;
	insert_timer(set, t);
}

void evtimer_cancel(struct ev_timers *set, struct ev_timer *t)
{
	if (t->armed)
		unlink_timer(set, t);
}

int evtimer_timeout_ms(const struct ev_timers *set, uint64_t now_ns, int max_ms)
{
	uint64_t left, ms;
	int ret = max_ms;

	if (set->head && set->head->deadline_ns <= now_ns) {
		ret = 0;
	} else if (set->head) {
		left = set->head->deadline_ns - now_ns;
		ms = left / 1000000 + (left % 1000000 != 0);
		if (ms < (uint64_t)max_ms)
			ret = (int)ms;
	}
	return ret;
}

size_t evtimer_run(struct ev_timers *set, uint64_t now_ns)
{
	struct ev_timer *t, **pp = &set->head;
	uint64_t missed;
	size_t ran = 0;

	/* The due ones leave the list first: what a callback arms goes to the
	 * list and waits for the next call, whatever its deadline. */
	while (*pp && (*pp)->deadline_ns <= now_ns)
		pp = &(*pp)->next;
	if (pp != &set->head) {
		set->due = set->head;
		set->head = *pp;
		*pp = NULL;
	}
	while (set->due) {
		t = set->due;
		set->due = t->next;
		t->next = NULL;
		t->armed = 0;
		if (t->period_ns) {
			missed = (now_ns - t->deadline_ns) / t->period_ns + 1;
			t->deadline_ns += missed * t->period_ns;
			insert_timer(set, t);
		}
		ran++;
		t->fn(t, now_ns);
	}
	return ran;
}
