// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* store__snapshot_since: only the buckets a window starting then can have
 * grown, and snapdelta_window over such snapshots gives what it gives over whole
 * ones (what --http and --push-url rely on). */
#include <criterion/criterion.h>
#include <stdlib.h>
#include "snapdelta.h"
#include "store.h"

#define S 1000000000ULL

static void sample(struct store *st, struct proc_rec *p, uint32_t f, uint64_t ts, uint64_t n)
{
	struct frame_ref fr[1] = { { f, 3 } };
	struct stack_counts c = { .samples = n };

	store__add_sample(st, p, fr, 1, &c, ts);
}

static void snap_at(struct store *st, uint64_t since, uint64_t now, struct snap *s)
{
	struct snap_scope sc = { .since_ns = since };

	cr_assert_eq(store__snapshot_since(st, since, s), 0);
	s->now_ns = now;
	s->freq_hz = 100;
	cr_assert_eq(snap_filter(s, &sc), 0);
}

Test(store_since, keeps_buckets_that_end_after_since_and_deltas_agree)
{
	struct store_limits lim = STORE_DEFAULT_LIMITS;
	struct store *st;
	struct proc_rec *p;
	struct snap base, full_base, later, full_later, d, fd;
	uint32_t a, b;

	lim.bucket_ns = 10 * S;
	lim.retention_ns = 3600 * S;
	st = store__new(&lim, 100 * S);
	p = store__proc_start(st, 42, 1, 100 * S, NULL);
	a = store__func(st, "/app.py", "a", "a", 1, FUNC_PYTHON, NULL, 0);
	b = store__func(st, "/app.py", "b", "b", 5, FUNC_PYTHON, NULL, 0);
	sample(st, p, a, 101 * S, 5); /* bucket 100 */
	sample(st, p, a, 111 * S, 7); /* bucket 110 */
	sample(st, p, b, 114 * S, 2); /* bucket 110 */
	/* A window starting at 115 s: bucket 100 ended before, not copied. */
	snap_at(st, 115 * S, 115 * S, &base);
	cr_assert_eq(base.nstacks, 2);
	cr_assert_eq(snap_total_samples(&base), 9);
	snap_at(st, 0, 115 * S, &full_base);
	cr_assert_eq(full_base.nstacks, 3);
	sample(st, p, a, 116 * S, 3); /* bucket 110 grows */
	sample(st, p, b, 121 * S, 4); /* bucket 120 is new */
	snap_at(st, 115 * S, 122 * S, &later);
	snap_at(st, 0, 122 * S, &full_later);
	cr_assert_eq(snapdelta_window(&later, &base, &d), 0);
	cr_assert_eq(snapdelta_window(&full_later, &full_base, &fd), 0);
	cr_assert_eq(snap_total_samples(&d), 7);
	cr_assert_eq(snap_total_samples(&fd), 7);
	cr_assert_eq(d.nstacks, fd.nstacks);
	cr_assert_eq(d.nprocs, 1);
	cr_assert_eq(d.procs[0].samples, 7);
	snap_free(&base);
	snap_free(&full_base);
	snap_free(&later);
	snap_free(&full_later);
	snap_free(&d);
	snap_free(&fd);
	store__free(st);
}
