// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* The counter table (snapstats.h) and the process field table
 * (SNAP_PROC_FIELDS): their invariants, the snapshot JSON they make (keys
 * and order of snapshot format 1), every field both ways, deltas, data
 * notes. */
#include <criterion/criterion.h>
#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "fixtures.h"
#include "metrics.h"
#include "report.h"
#include "snapdelta.h"
#include "snapshot.h"
#include "strbuf.h"

/* The "stats" keys of snapshot format 1, in the order files have them
 * (a saved snapshot must keep comparing byte for byte). */
static const char *const stat_keys[] = {
	"samples", "sample_drops", "code_drops", "proc_drops", "truncated", "read_errors",
	"stack_overflow", "evicted_procs", "evicted_samples", "unresolved_frames",
	"ml_lines_unmapped", "lost_samples", "lost_alloc_bytes", "memop_drops",
	"live_untracked_bytes", "mem_events", "mem_drops", "evicted_buckets",
	"cap_evicted_buckets", "evicted_bucket_samples", "evicted_bucket_alloc_bytes",
	"expired_stacks", "expired_procs", "expired_funcs",
};

/* The process keys of format 1, in order. */
static const char *const proc_keys[] = {
	"pid", "ppid", "ns_pid", "parent", "root", "exec_seq", "comm", "cmdline", "exe",
	"python", "status", "message", "mlpy", "ml_file", "ml_note", "ml_lines", "container",
	"start_ns", "end_ns", "ended", "exit_code", "maxrss_kb", "heap_kb", "samples",
	"alloc_bytes", "resident_bytes", "live_bytes",
};

#define NKEYS(a) (sizeof(a) / sizeof((a)[0]))

Test(snapstats, table_is_consistent)
{
	int k, j, ranks[64] = { 0 };

	for (k = 0; k < SNAP_STAT_NR; k++) {
		const struct snap_stat_desc *d = &snap_stat_table[k];

		cr_assert_not_null(d->name);
		cr_assert(d->help && d->help[0], "%s: no help", d->name);
		cr_assert(d->bpf == STAT_USER || (d->bpf >= 0 && d->bpf < MLPROF_STAT_NR),
			  "%s: bad BPF slot", d->name);
		cr_assert(!(d->flags & SS_DROP) || d->metric, "%s: a drop with no kind", d->name);
		for (j = 0; j < k; j++) {
			cr_assert_str_neq(d->name, snap_stat_table[j].name);
			cr_assert(d->bpf == STAT_USER || d->bpf != snap_stat_table[j].bpf);
		}
		cr_assert(d->note.rank >= 0 && d->note.rank < 64);
		cr_assert(!d->note.rank || !ranks[d->note.rank]++, "%s: rank taken", d->name);
		cr_assert(!d->note.rank || d->note.fmt);
	}
}

Test(snapstats, names_are_the_fields)
{
	struct snap_stats st = { 0 };

	st.mem_drops = 5;
	cr_assert_eq(st.v[SNAP_STAT_mem_drops], 5);
	cr_assert_str_eq(snap_stat_table[SNAP_STAT_mem_drops].name, "mem_drops");
	cr_assert_eq(snap_stat_table[SNAP_STAT_mem_drops].bpf, MLPROF_STAT_MEM_DROPS);
	cr_assert_str_eq(snap_stat_table[SNAP_STAT_samples].name, "samples");
}

/* Builds a one-process snapshot whose every number and string is set and
 * distinct. */
static void full_snap(struct snap *s)
{
	struct snap_proc *p;
	int k;

	memset(s, 0, sizeof(*s));
	s->freq_hz = 99;
	s->memory = SNAP_MEM_LIVE;
	s->host = strdup("h");
	for (k = 0; k < SNAP_STAT_NR; k++)
		s->stats.v[k] = 1000 + (uint64_t)k * 7;
	s->procs = calloc(1, sizeof(*s->procs));
	s->nprocs = 1;
	p = &s->procs[0];
	p->pid = 11;
	p->ppid = 12;
	p->ns_pid = 13;
	p->parent = -1;
	p->root = 0;
	p->exec_seq = 14;
	p->comm = strdup("comm");
	p->cmdline = strdup("cmd line");
	p->exe = strdup("/exe");
	p->python = strdup("3.12.1");
	p->status = strdup("ok");
	p->message = strdup("msg");
	p->mlpy = MLPY_SANDBOX;
	p->ml_file = strdup("/p.ml");
	p->ml_note = strdup("note");
	p->ml_lines = strdup("source map");
	p->container = strdup("root=/c pidns=4");
	p->start_ns = 15;
	p->end_ns = 16;
	p->ended = PROC_EXECED;
	p->exit_code = -17;
	p->maxrss_kb = 18;
	p->peak_heap_kb = 19;
	p->samples = 20;
	p->alloc_bytes = 21;
	p->resident_bytes = 22;
	p->live_bytes = -23;
}

static void assert_keys(const cJSON *o, const char *const *keys, size_t n)
{
	const cJSON *it;
	size_t i = 0;

	cJSON_ArrayForEach(it, o) {
		cr_assert_lt(i, n, "extra key %s", it->string);
		cr_assert_str_eq(it->string, keys[i]);
		i++;
	}
	cr_assert_eq(i, n);
}

Test(snapfields, json_keys_in_format_order_and_back)
{
	struct snap s, b;
	char err[256];
	cJSON *o;

	full_snap(&s);
	o = snap_to_json(&s);
	cr_assert_not_null(o);
	assert_keys(cJSON_GetObjectItemCaseSensitive(o, "stats"), stat_keys, NKEYS(stat_keys));
	assert_keys(cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(o, "processes"), 0),
		    proc_keys, NKEYS(proc_keys));
	cr_assert_eq(snap_from_json(o, &b, err, sizeof(err)), 0, "%s", err);
	cr_assert_eq(memcmp(&b.stats, &s.stats, sizeof(s.stats)), 0);
	cr_assert_eq(b.procs[0].exit_code, -17);
	cr_assert_eq(b.procs[0].live_bytes, -23);
	cr_assert_eq(b.procs[0].peak_heap_kb, 19);
	cr_assert_eq(b.procs[0].ended, PROC_EXECED);
	cr_assert_eq(b.procs[0].mlpy, MLPY_SANDBOX);
	cr_assert_str_eq(b.procs[0].container, "root=/c pidns=4");
	cr_assert_str_eq(b.procs[0].ml_lines, "source map");
	cJSON_Delete(o);
	snap_free(&b);
	snap_free(&s);
}

/* The raw report's stats object: its own key order and subset (a public
 * format), `samples` as `samples_seen`, each value its counter's. */
Test(snapstats, raw_report_stats)
{
	static const char *const raw_keys[] = {
		"samples_seen", "sample_drops", "lost_samples", "code_drops", "proc_drops",
		"truncated", "read_errors", "stack_overflow", "evicted_procs", "evicted_samples",
		"unresolved_frames", "ml_lines_unmapped", "evicted_buckets", "cap_evicted_buckets",
		"evicted_bucket_samples", "expired_stacks", "expired_procs", "expired_funcs",
	};
	const cJSON *it, *stats;
	const char *name;
	struct snap s;
	cJSON *o;
	int k;

	full_snap(&s);
	o = report_raw_json(&s);
	cr_assert_not_null(o);
	stats = cJSON_GetObjectItemCaseSensitive(o, "stats");
	assert_keys(stats, raw_keys, NKEYS(raw_keys));
	cJSON_ArrayForEach(it, stats) {
		name = strcmp(it->string, "samples_seen") ? it->string : "samples";
		for (k = 0; k < SNAP_STAT_NR && strcmp(snap_stat_table[k].name, name); k++)
			;
		cr_assert_lt(k, SNAP_STAT_NR, "%s: no such counter", it->string);
		cr_assert_eq(it->valuedouble, (double)s.stats.v[k], "%s", it->string);
	}
	cJSON_Delete(o);
	snap_free(&s);
}

/* Keys added after the first snapshots may be absent (0 / ""); the first
 * ones may not. */
Test(snapfields, optional_and_required_keys)
{
	struct snap s, b;
	char err[256];
	cJSON *o, *p;

	full_snap(&s);
	o = snap_to_json(&s);
	p = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(o, "processes"), 0);
	cJSON_DeleteItemFromObjectCaseSensitive(p, "container");
	cJSON_DeleteItemFromObjectCaseSensitive(p, "mlpy");
	cJSON_DeleteItemFromObjectCaseSensitive(cJSON_GetObjectItemCaseSensitive(o, "stats"),
						"mem_drops");
	cr_assert_eq(snap_from_json(o, &b, err, sizeof(err)), 0, "%s", err);
	cr_assert_str_eq(b.procs[0].container, "");
	cr_assert_eq(b.procs[0].mlpy, MLPY_NONE);
	cr_assert_eq(b.stats.mem_drops, 0);
	cr_assert_eq(b.stats.samples, s.stats.samples);
	snap_free(&b);
	cJSON_DeleteItemFromObjectCaseSensitive(p, "exe");
	cr_assert_neq(snap_from_json(o, &b, err, sizeof(err)), 0);
	cr_assert(strstr(err, "\"exe\""), "%s", err);
	cJSON_Delete(o);
	full_snap(&b);
	o = snap_to_json(&b);
	cJSON_DeleteItemFromObjectCaseSensitive(cJSON_GetObjectItemCaseSensitive(o, "stats"),
						"read_errors");
	snap_free(&b);
	cr_assert_neq(snap_from_json(o, &b, err, sizeof(err)), 0);
	cr_assert(strstr(err, "\"read_errors\""), "%s", err);
	cJSON_Delete(o);
	snap_free(&s);
}

Test(snapfields, ended_and_role_ranges)
{
	struct snap s, b;
	char err[256];
	cJSON *o, *p;

	full_snap(&s);
	o = snap_to_json(&s);
	p = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(o, "processes"), 0);
	cJSON_ReplaceItemInObjectCaseSensitive(p, "ended", cJSON_CreateNumber(3));
	cr_assert_neq(snap_from_json(o, &b, err, sizeof(err)), 0);
	cJSON_ReplaceItemInObjectCaseSensitive(p, "ended", cJSON_CreateNumber(PROC_EXITED));
	cJSON_ReplaceItemInObjectCaseSensitive(p, "mlpy", cJSON_CreateNumber(3));
	cr_assert_neq(snap_from_json(o, &b, err, sizeof(err)), 0);
	cJSON_Delete(o);
	snap_free(&s);
}

Test(snapfields, copy_and_delta)
{
	struct snap s, c, d;
	int k;

	full_snap(&s);
	cr_assert_eq(snapdelta_copy(&s, &c), 0);
	cr_assert_str_eq(c.procs[0].container, s.procs[0].container);
	cr_assert_neq(c.procs[0].container, s.procs[0].container);
	cr_assert_eq(c.procs[0].live_bytes, -23);
	for (k = 0; k < SNAP_STAT_NR; k++)
		c.stats.v[k] -= (uint64_t)k;
	cr_assert_eq(snapdelta_window(&s, &c, &d), 0);
	for (k = 0; k < SNAP_STAT_NR; k++)
		cr_assert_eq(d.stats.v[k], (uint64_t)k, "%s", snap_stat_table[k].name);
	/* (the per-process delta is recounted from stacks: test_snapdelta) */
	snap_free(&d);
	snap_free(&c);
	snap_free(&s);
}

/* Every counter with a note shows it, in rank order; a counter at 0 does
 * not. */
Test(snapstats, data_notes_in_rank_order)
{
	struct snap s;
	struct strbuf out = { 0 };
	const char *at, *prev = NULL;
	char want[64];
	int rank, k, n = 0;

	full_snap(&s);
	s.stats.code_drops = 0;
	s.stats.evicted_buckets = s.stats.cap_evicted_buckets + 40;
	report_data_notes(&s, &out);
	cr_assert_not_null(out.buf);
	cr_assert_null(strstr(out.buf, "code-name events"));
	for (rank = 1; rank < 64; rank++) {
		for (k = 0; k < SNAP_STAT_NR; k++) {
			if (snap_stat_table[k].note.rank != rank || k == SNAP_STAT_code_drops)
				continue;
			/* the text after the count, up to the next count */
			snprintf(want, sizeof(want), "%s", snap_stat_table[k].note.fmt + 3);
			want[strcspn(want, "%")] = 0;
			at = strstr(out.buf, want);
			cr_assert_not_null(at, "note of %s missing", snap_stat_table[k].name);
			cr_assert(!prev || at > prev, "note of %s out of order",
				  snap_stat_table[k].name);
			prev = at;
			n++;
		}
	}
	cr_assert_gt(n, 10);
	/* evicted_buckets shows those beyond the early ones, with the samples. */
	snprintf(want, sizeof(want), "%d time buckets older",
		 (int)(s.stats.evicted_buckets - s.stats.cap_evicted_buckets));
	cr_assert_not_null(strstr(out.buf, want), "%s", out.buf);
	free(out.buf);
	snap_free(&s);
}

Test(snapstats, every_exported_counter_in_metrics)
{
	struct metrics_in m = { 0 };
	struct strbuf out = { 0 };
	char want[160];
	int k;

	for (k = 0; k < SNAP_STAT_NR; k++)
		m.st.v[k] = 5000 + (uint64_t)k;
	cr_assert_eq(metrics_render(&m, &out), 0);
	for (k = 0; k < SNAP_STAT_NR; k++) {
		const struct snap_stat_desc *d = &snap_stat_table[k];

		if (!d->metric)
			continue;
		if (d->flags & SS_DROP)
			snprintf(want, sizeof(want), "mlprofd_dropped_total{kind=\"%s\"} %d\n",
				 d->metric, 5000 + k);
		else
			snprintf(want, sizeof(want), "\n%s %d\n", d->metric, 5000 + k);
		cr_assert_not_null(strstr(out.buf, want), "missing: %s", want);
	}
	free(out.buf);
}
