/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* Timers of the event loop: deadlines on CLOCK_MONOTONIC in a list sorted
 * by deadline. The loop waits no longer than the first (evtimer_timeout_ms)
 * and then runs the callbacks of those due (evtimer_run). A timer is its
 * owner's memory (embed it, as struct ev_handler); nothing is allocated. */
#ifndef MLPROF_EVTIMER_H
#define MLPROF_EVTIMER_H

#include <stddef.h>
#include <stdint.h>

struct ev_timer {
	/* Called once per expiry, NOW the loop's time; it may arm or cancel
	 * any timer, this one included. */
	void (*fn)(struct ev_timer *t, uint64_t now_ns);
	uint64_t deadline_ns;   /* of the next expiry, while armed */
	uint64_t period_ns;     /* 0: once */
	int armed;
	struct ev_timer *next;  /* private: the list */
};

struct ev_timers {
	struct ev_timer *head;  /* earliest deadline first; zero-initialised: empty */
	struct ev_timer *due;   /* private: those evtimer_run is running */
};

/* (Re)arms T to expire at DEADLINE, then every PERIOD if not 0. An armed
 * timer is moved. Timers with equal deadlines run in the order armed. */
void evtimer_arm(struct ev_timers *set, struct ev_timer *t, uint64_t deadline_ns,
		 uint64_t period_ns);
/* Disarms T; nothing if it is not armed. */
void evtimer_cancel(struct ev_timers *set, struct ev_timer *t);
/* Milliseconds until the first deadline, rounded up; 0 if one is due,
 * MAX_MS if none is armed or the first is further. */
int evtimer_timeout_ms(const struct ev_timers *set, uint64_t now_ns, int max_ms);
/* Runs the callbacks of the timers due at NOW (deadline <= now), each once,
 * earliest first; a periodic one is re-armed first, at its next deadline
 * after NOW (expiries missed while the loop was busy are not run again).
 * A timer a callback arms due at once waits for the next call; one it
 * cancels or moves before its turn does not run. Not reentrant (a callback
 * does not call evtimer_run). Returns the number of callbacks run. */
size_t evtimer_run(struct ev_timers *set, uint64_t now_ns);

#endif
