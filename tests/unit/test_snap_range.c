// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* snap_filter's time range over bucketed stacks, and the bucket fields of
 * the snapshot JSON (optional: older snapshots stay readable). */
#include <criterion/criterion.h>
#include <cjson/cJSON.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "fixtures.h"
#include "snapdelta.h"
#include "snapshot.h"

#define S 1000000000ULL

/* fixture_snap() with 2 s buckets: proc 0 (running) has 1,234 samples in
 * bucket 2 s, 166 + 100 in bucket 8 s; proc 1 (ran 2-3 s) 600 in bucket 2 s. */
static void bucketed(struct snap *s)
{
	static const uint32_t eval[] = { FX_EVAL, FX_PARSE, FX_MAIN };

	fixture_snap(s);
	s->bucket_ns = 2 * S;
	s->retention_ns = 3600 * S;
	s->stacks[0].t = 2 * S;
	s->stacks[1].t = 8 * S;
	s->stacks[2].t = 2 * S;
	fixture_add_stack(s, 0, 100, 3, eval);
	s->stacks[3].t = 8 * S;
	s->procs[0].samples = 1500;
}

Test(snap_range, since_keeps_the_buckets_overlapping_the_range)
{
	struct snap s;
	struct snap_scope sc = { .since_ns = 7 * S };

	bucketed(&s);
	cr_assert_eq(snap_filter(&s, &sc), 0);
	cr_assert_eq(s.nprocs, 1, "the child ended at 3 s and has no samples after 7 s");
	cr_assert_eq(s.nstacks, 2);
	cr_assert_eq(snap_total_samples(&s), 266);
	cr_assert_eq(s.procs[0].samples, 266, "process counts follow the range");
	cr_assert_eq(s.range_from_ns, 6 * S, "rounded down to its bucket");
	cr_assert_eq(s.range_to_ns, 11 * S, "up to now");
	snap_free(&s);
}

Test(snap_range, until_only)
{
	struct snap s;
	struct snap_scope sc = { .until_ns = 4 * S };

	bucketed(&s);
	cr_assert_eq(snap_filter(&s, &sc), 0);
	cr_assert_eq(s.nprocs, 2);
	cr_assert_eq(snap_total_samples(&s), 1834);
	cr_assert_eq(s.procs[0].samples, 1234);
	cr_assert_eq(s.procs[1].samples, 600);
	cr_assert_eq(s.range_from_ns, 1 * S, "from the start of the profile");
	cr_assert_eq(s.range_to_ns, 4 * S);
	snap_free(&s);
}

Test(snap_range, a_range_rounds_out_to_whole_buckets)
{
	struct snap s;
	struct snap_scope sc = { .since_ns = 3 * S + S / 2, .until_ns = 8 * S + S / 2 };

	bucketed(&s);
	cr_assert_eq(snap_filter(&s, &sc), 0);
	cr_assert_eq(snap_total_samples(&s), 2100);
	cr_assert_eq(s.range_from_ns, 2 * S);
	cr_assert_eq(s.range_to_ns, 10 * S);
	snap_free(&s);
}

Test(snap_range, a_range_with_no_bucket_keeps_processes_alive_in_it)
{
	struct snap s;
	struct snap_scope sc = { .since_ns = 4 * S + 1, .until_ns = 6 * S };

	bucketed(&s);
	cr_assert_eq(snap_filter(&s, &sc), 0);
	cr_assert_eq(s.nprocs, 1, "the running process, with nothing in the range");
	cr_assert_eq(s.procs[0].pid, 1000);
	cr_assert_eq(s.procs[0].samples, 0);
	cr_assert_eq(s.nstacks, 0);
	snap_free(&s);
}

Test(snap_range, combines_with_pid)
{
	struct snap s;
	struct snap_scope sc = { .pid = 1001, .until_ns = 5 * S };

	bucketed(&s);
	cr_assert_eq(snap_filter(&s, &sc), 0);
	cr_assert_eq(s.nprocs, 1);
	cr_assert_eq(snap_total_samples(&s), 600);
	snap_free(&s);
}

Test(snap_range, json_round_trip_keeps_buckets_and_range)
{
	struct snap s, back;
	struct snap_scope sc = { .since_ns = 7 * S };
	char err[256];
	cJSON *j;
	size_t i;

	bucketed(&s);
	s.stats.evicted_buckets = 3;
	s.stats.cap_evicted_buckets = 1;
	s.stats.evicted_bucket_samples = 77;
	s.stats.expired_funcs = 5;
	cr_assert_eq(snap_filter(&s, &sc), 0);
	j = snap_to_json(&s);
	cr_assert_not_null(j);
	cr_assert_eq(snap_from_json(j, &back, err, sizeof(err)), 0, "%s", err);
	cr_assert_eq(back.bucket_ns, 2 * S);
	cr_assert_eq(back.retention_ns, 3600 * S);
	cr_assert_eq(back.range_from_ns, 6 * S);
	cr_assert_eq(back.range_to_ns, 11 * S);
	cr_assert_eq(memcmp(&back.stats, &s.stats, sizeof(s.stats)), 0);
	cr_assert_eq(back.nstacks, s.nstacks);
	for (i = 0; i < s.nstacks; i++)
		cr_assert_eq(back.stacks[i].t, s.stacks[i].t);
	cJSON_Delete(j);
	snap_free(&back);
	snap_free(&s);
}

Test(snap_range, old_snapshots_without_buckets_still_read_and_filter)
{
	struct snap s, back;
	struct snap_scope sc = { .since_ns = 5 * S };
	char err[256];
	cJSON *j;

	fixture_snap(&s);
	j = snap_to_json(&s);
	cr_assert_null(cJSON_GetObjectItem(j, "bucket_ns"), "absent when not bucketed");
	cr_assert_null(cJSON_GetObjectItem(cJSON_GetArrayItem(cJSON_GetObjectItem(j, "stacks"), 0),
					   "t"));
	cr_assert_eq(snap_from_json(j, &back, err, sizeof(err)), 0, "%s", err);
	cr_assert_eq(back.bucket_ns, 0);
	cr_assert_eq(back.stacks[0].t, 0);
	/* Stacks with no bucket follow their process's lifetime. */
	cr_assert_eq(snap_filter(&back, &sc), 0);
	cr_assert_eq(back.nprocs, 1);
	cr_assert_eq(snap_total_samples(&back), 1400);
	cJSON_Delete(j);
	snap_free(&back);
	snap_free(&s);
}

Test(snap_range, bad_bucket_fields_are_rejected)
{
	struct snap s, back;
	char err[256];
	cJSON *j;

	fixture_snap(&s);
	j = snap_to_json(&s);
	cJSON_AddNumberToObject(cJSON_GetArrayItem(cJSON_GetObjectItem(j, "stacks"), 1), "t", -5);
	cr_assert_eq(snap_from_json(j, &back, err, sizeof(err)), -EINVAL);
	cr_assert(strstr(err, "\"t\""), "%s", err);
	cJSON_Delete(j);
	j = snap_to_json(&s);
	cJSON_AddStringToObject(j, "bucket_ns", "60s");
	cr_assert_eq(snap_from_json(j, &back, err, sizeof(err)), -EINVAL);
	cJSON_Delete(j);
	snap_free(&s);
}

Test(snap_range, delta_matches_buckets_so_a_dropped_bucket_takes_nothing_off)
{
	struct snap earlier, later, d;
	uint64_t eval = 0;
	size_t i;

	bucketed(&earlier);
	earlier.now_ns = 9 * S;
	cr_assert_eq(snapdelta_copy(&earlier, &later), 0);
	/* Later: bucket 2 s was dropped (eval's 1,234 there went with it),
	 * bucket 8 s grew from 100 to 150, bucket 10 s is new with 40. */
	later.stacks[0].t = 10 * S;
	later.stacks[0].samples = 40;
	later.stacks[3].samples = 150;
	later.now_ns = 11 * S;
	cr_assert_eq(snapdelta_window(&later, &earlier, &d), 0);
	for (i = 0; i < d.nstacks; i++) {
		if (d.stacks[i].frames[0].func == FX_EVAL)
			eval += d.stacks[i].samples;
	}
	cr_assert_eq(eval, 90);
	cr_assert_eq(snap_total_samples(&d), 90);
	cr_assert_eq(d.bucket_ns, 2 * S);
	snap_free(&d);
	snap_free(&later);
	snap_free(&earlier);
}
