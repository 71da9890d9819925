// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* store: counts per time bucket, retention, caps, and the freeing of what
 * no bucket uses any more (stacks, ended processes, functions). */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "snapshot.h"
#include "store.h"
#include "symtab.h"

#define S 1000000000ULL /* one second in ns */

static struct store *new_store(uint32_t max_stacks, uint32_t max_entries)
{
	struct store_limits lim = STORE_DEFAULT_LIMITS;
	struct store *st;

	lim.max_stacks = max_stacks;
	lim.max_entries = max_entries;
	lim.bucket_ns = 10 * S;
	lim.retention_ns = 30 * S;
	st = store__new(&lim, 100 * S);
	cr_assert_not_null(st);
	return st;
}

static uint32_t func(struct store *st, const char *name)
{
	return store__func(st, "/app.py", name, name, 1, FUNC_PYTHON, NULL, 0);
}

static void sample(struct store *st, struct proc_rec *p, uint32_t f, uint64_t ts, uint64_t n)
{
	struct frame_ref fr[1] = { { f, 3 } };
	struct stack_counts c = { .samples = n, .alloc_bytes = 4096 * n };

	store__add_sample(st, p, fr, 1, &c, ts);
}

static uint64_t snap_samples_at(const struct snap *s, uint64_t t)
{
	uint64_t n = 0;
	size_t i;

	for (i = 0; i < s->nstacks; i++)
		n += s->stacks[i].t == t ? s->stacks[i].samples : 0;
	return n;
}

Test(store, counts_per_bucket)
{
	struct store *st = new_store(1000, 1000);
	struct proc_rec *p = store__proc_start(st, 42, 1, 100 * S, NULL);
	uint32_t a = func(st, "a");
	struct snap s;

	sample(st, p, a, 101 * S, 5);
	sample(st, p, a, 109 * S, 1);  /* same bucket [100, 110) */
	sample(st, p, a, 110 * S, 7);  /* next bucket */
	sample(st, p, a, 105 * S, 2);  /* a late event still lands in its bucket */
	cr_assert_eq(store__stack_count(st), 1);
	cr_assert_eq(store__entry_count(st), 2);
	cr_assert_eq(store__bucket_count(st), 2);
	cr_assert_eq(store__snapshot(st, &s), 0);
	cr_assert_eq(s.bucket_ns, 10 * S);
	cr_assert_eq(s.retention_ns, 30 * S);
	cr_assert_eq(s.nstacks, 2, "one entry per (stack, bucket)");
	cr_assert_eq(snap_samples_at(&s, 100 * S), 8);
	cr_assert_eq(snap_samples_at(&s, 110 * S), 7);
	cr_assert_eq(s.procs[0].samples, 15);
	cr_assert_eq(s.stacks[0].frames[0].line, 3);
	snap_free(&s);
	store__free(st);
}

Test(store, retention_drops_buckets_then_what_they_alone_used)
{
	struct store *st = new_store(1000, 1000);
	struct proc_rec *old = store__proc_start(st, 42, 1, 100 * S, NULL);
	struct proc_rec *live = store__proc_start(st, 43, 1, 100 * S, NULL);
	uint32_t a = func(st, "a"), b = func(st, "b"), c;
	struct snap_stats *stats = store__stats(st);
	size_t funcs = store__func_count(st);
	struct snap s;

	sample(st, old, a, 101 * S, 5);
	sample(st, live, b, 101 * S, 3);
	sample(st, live, b, 125 * S, 4);
	store__proc_end(st, old, 1, 102 * S);
	/* Retention 30 s: bucket [100, 110) goes once now >= 140 s. */
	store__expire(st, 139 * S);
	cr_assert_eq(stats->evicted_buckets, 0);
	store__expire(st, 140 * S);
	cr_assert_eq(stats->evicted_buckets, 1);
	cr_assert_eq(stats->cap_evicted_buckets, 0);
	cr_assert_eq(stats->evicted_bucket_samples, 8);
	cr_assert_eq(stats->evicted_bucket_alloc_bytes, 8 * 4096);
	cr_assert_eq(stats->expired_stacks, 1, "the old process's only stack");
	cr_assert_eq(stats->expired_procs, 1, "ended, and nothing of it is left");
	cr_assert_eq(stats->expired_funcs, 1, "a: no stack or live process uses it");
	cr_assert_eq(store__proc_count(st), 1);
	cr_assert_eq(store__stack_count(st), 1);
	cr_assert_eq(store__func_count(st), funcs - 1);
	cr_assert_eq(live->samples, 4, "the process's totals lose the dropped bucket");
	/* The freed function's id is reused; the snapshot numbers densely. */
	c = func(st, "c");
	cr_assert_eq(c, a);
	sample(st, live, c, 131 * S, 2);
	cr_assert_eq(store__snapshot(st, &s), 0);
	cr_assert_eq(s.nfuncs, store__func_count(st));
	cr_assert_eq(s.nstacks, 2);
	for (size_t i = 0; i < s.nstacks; i++) {
		const char *name = s.funcs[s.stacks[i].frames[0].func].name;

		cr_assert_str_eq(name, s.stacks[i].t == 120 * S ? "b" : "c");
	}
	cr_assert_eq(s.stats.expired_funcs, 1);
	snap_free(&s);
	(void)b;
	store__free(st);
}

Test(store, a_full_count_table_drops_the_oldest_bucket_first)
{
	struct store *st = new_store(1000, 1000);
	struct proc_rec *p = store__proc_start(st, 42, 1, 100 * S, NULL);
	struct snap_stats *stats = store__stats(st);
	char name[32];
	uint32_t i;

	/* 600 stacks in bucket [100, 110), then 600 in [110, 120): the cap of
	 * 1000 counts drops the first bucket. */
	for (i = 0; i < 600; i++) {
		snprintf(name, sizeof(name), "f%u", i);
		sample(st, p, func(st, name), 101 * S, 1);
	}
	for (i = 0; i < 600; i++) {
		snprintf(name, sizeof(name), "g%u", i);
		sample(st, p, func(st, name), 111 * S, 1);
	}
	cr_assert_eq(stats->cap_evicted_buckets, 1);
	cr_assert_eq(stats->evicted_buckets, 1);
	cr_assert_eq(stats->evicted_bucket_samples, 600);
	cr_assert_eq(stats->lost_samples, 0);
	cr_assert_eq(store__entry_count(st), 600);
	cr_assert_eq(store__bucket_count(st), 1);
	cr_assert_eq(p->samples, 600);
	/* Within one bucket nothing older can go: the rest is counted lost. */
	for (i = 0; i < 500; i++) {
		snprintf(name, sizeof(name), "h%u", i);
		sample(st, p, func(st, name), 112 * S, 1);
	}
	cr_assert_eq(store__entry_count(st), 1000);
	cr_assert_eq(stats->lost_samples, 100);
	store__free(st);
}

Test(store, a_full_stack_table_drops_the_oldest_bucket_first)
{
	struct store *st = new_store(1000, 100000);
	struct proc_rec *p = store__proc_start(st, 42, 1, 100 * S, NULL);
	struct snap_stats *stats = store__stats(st);
	char name[32];
	uint32_t i;

	for (i = 0; i < 1000; i++) {
		snprintf(name, sizeof(name), "f%u", i);
		sample(st, p, func(st, name), 101 * S, 1);
	}
	cr_assert_eq(store__stack_count(st), 1000);
	snprintf(name, sizeof(name), "new");
	sample(st, p, func(st, name), 111 * S, 1);
	cr_assert_eq(stats->cap_evicted_buckets, 1);
	cr_assert_eq(stats->expired_stacks, 1000);
	cr_assert_eq(store__stack_count(st), 1);
	cr_assert_eq(stats->lost_samples, 0);
	store__free(st);
}

Test(store, process_table_eviction_counts_and_frees_counts)
{
	struct store_limits lim = STORE_DEFAULT_LIMITS;
	struct store *st;
	struct proc_rec *p;
	int i;

	lim.max_procs = 16;
	lim.bucket_ns = 10 * S;
	lim.retention_ns = 30 * S;
	st = store__new(&lim, 0);
	cr_assert_not_null(st);
	for (i = 0; i < 40; i++) {
		p = store__proc_start(st, 1000 + i, 1, (uint64_t)i * S, NULL);
		cr_assert_not_null(p);
		sample(st, p, func(st, "a"), (uint64_t)i * S, 2);
		store__proc_end(st, p, 1, (uint64_t)i * S + 1);
	}
	cr_assert_eq(store__proc_count(st), 16);
	cr_assert_eq(store__stats(st)->evicted_procs, 24);
	cr_assert_eq(store__stats(st)->evicted_samples, 48);
	cr_assert_eq(store__entry_count(st), 16);
	store__free(st);
}

Test(store, reset_forgets_buckets)
{
	struct store *st = new_store(1000, 1000);
	struct proc_rec *p = store__proc_start(st, 42, 1, 100 * S, NULL);

	sample(st, p, func(st, "a"), 101 * S, 5);
	sample(st, p, func(st, "b"), 121 * S, 5);
	store__reset(st, 130 * S);
	cr_assert_eq(store__entry_count(st), 0);
	cr_assert_eq(store__bucket_count(st), 0);
	cr_assert_eq(store__stack_count(st), 0);
	cr_assert_eq(store__stats(st)->evicted_buckets, 0);
	sample(st, p, func(st, "a"), 131 * S, 1);
	cr_assert_eq(p->samples, 1);
	store__free(st);
}

/* A sample read after the exit (or exec) event of its image still finds
 * the image's code objects for a moment; then they are freed. */
Test(store, ended_images_keep_symbols_for_a_moment)
{
	struct store *st = new_store(1000, 1000);
	struct proc_rec *p = store__proc_start(st, 42, 1, 100 * S, NULL), *q, *e;
	uint32_t a = func(st, "a");

	cr_assert_not_null(symtab__add(p->syms, 0x1000, a, NULL, 0, 1));
	/* exec: image 1 replaced by image 2 */
	q = store__proc_start(st, 42, 2, 101 * S, p);
	cr_assert_not_null(q);
	cr_assert_eq(store__proc(st, 42), q);
	e = store__proc_ended(st, 42, 1);
	cr_assert_eq(e, p);
	cr_assert_not_null(e->syms);
	cr_assert_not_null(symtab__find(e->syms, 0x1000));
	/* exit of image 2 */
	cr_assert_not_null(symtab__add(q->syms, 0x2000, a, NULL, 0, 1));
	store__proc_end(st, q, 1, 102 * S);
	cr_assert_null(store__proc(st, 42));
	cr_assert_eq(store__proc_ended(st, 42, 2), q);
	store__expire(st, 102 * S + S / 2);
	cr_assert_not_null(q->syms, "freed within the grace period");
	cr_assert_null(p->syms, "image 1 ended 1.5 s ago");
	store__expire(st, 103 * S + S / 2);
	cr_assert_null(q->syms);
	cr_assert_null(store__proc_ended(st, 42, 3));
	store__free(st);
}

/* What mlpy support attaches to a record (p->ml) is freed through the
 * destructor it set (p->ml_free), once: with the symbols after the grace
 * period, or with the record. The store knows nothing else of it. */
static int ml_freed;
static struct mlmap *ml_freed_last;

static void count_ml_free(struct mlmap *ml)
{
	ml_freed++;
	ml_freed_last = ml;
}

Test(store, ml_attribution_freed_through_its_destructor)
{
	struct store *st = new_store(1000, 1000);
	struct proc_rec *p = store__proc_start(st, 42, 1, 100 * S, NULL), *q;
	struct mlmap *a = (struct mlmap *)&ml_freed, *b = (struct mlmap *)&ml_freed_last;

	ml_freed = 0;
	ml_freed_last = NULL;
	cr_assert_not_null(p);
	p->ml = a;
	p->ml_free = count_ml_free;
	store__proc_end(st, p, 1, 101 * S);
	store__expire(st, 101 * S + S / 2);
	cr_assert_eq(ml_freed, 0, "kept within the grace period");
	cr_assert_eq(p->ml, a);
	store__expire(st, 102 * S + S / 2);
	cr_assert_eq(ml_freed, 1);
	cr_assert_eq(ml_freed_last, a);
	cr_assert_null(p->ml);
	/* A live record's goes with the store. */
	q = store__proc_start(st, 43, 1, 103 * S, NULL);
	cr_assert_not_null(q);
	q->ml = b;
	q->ml_free = count_ml_free;
	store__free(st);
	cr_assert_eq(ml_freed, 2, "freed once each");
	cr_assert_eq(ml_freed_last, b);
}
