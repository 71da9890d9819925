// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Off-CPU intervals of target threads, paired and charged as samples. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "hashmap.h"
#include "offcpu.h"

struct pending {
	int open;            /* an interval began and has not ended */
	uint32_t proc_id;
	uint64_t begin_ns;   /* when the open interval began: its end names it */
	uint64_t start_ns;   /* charged up to here (a flush moves it on) */
	uint64_t lone_start; /* an end whose start had not come (lone_end 0: */
	uint64_t lone_end;   /* none): charged when that start comes */
	uint64_t carry;      /* ns x Hz not yet a whole sample */
	uint32_t n;
	struct frame_ref *frames;
};

struct offcpu {
	struct hashmap *threads; /* tid -> struct pending */
	unsigned freq_hz;
	offcpu_charge_fn charge;
	void *ctx;
	struct offcpu_counts counts;
};

struct offcpu *offcpu__new(unsigned freq_hz, offcpu_charge_fn charge, void *ctx)
{
	struct offcpu *o = calloc(1, sizeof(*o));

	if (o && !(o->threads = hashmap__new(NULL, NULL))) {
		free(o);
		o = NULL;
	}
	if (o) {
		o->freq_hz = freq_hz;
		o->charge = charge;
		o->ctx = ctx;
	}
	return o;
}

static int free_pending(uint64_t key, void *value, void *ctx)
{
	struct pending *p = value;

	(void)key;
	(void)ctx;
	free(p->frames);
	free(p);
	return 0;
}

void offcpu__free(struct offcpu *o)
{
	if (o) {
		hashmap__for_each(o->threads, free_pending, NULL);
		hashmap__free(o->threads);
		free(o);
	}
}

const struct offcpu_counts *offcpu__counts(const struct offcpu *o)
{
	return &o->counts;
}

/* Charges p's open interval from its start to end_ns. */
static void charge_to(struct offcpu *o, struct pending *p, uint64_t end_ns)
{
	uint64_t d, samples;

	if (end_ns <= p->start_ns)
		return; /* charged up to a later time already (a flush) */
	d = end_ns - p->start_ns;

	/* d * freq stays below 2^64 for d < 584 years / freq: capped at
	 * a day per charge (longer waits are charged by flushes). */
	if (d > 86400ULL * 1000000000ULL)
		d = 86400ULL * 1000000000ULL;
	p->carry += d * o->freq_hz;
	samples = p->carry / 1000000000ULL;
	p->carry %= 1000000000ULL;
	if (samples)
		o->charge(o->ctx, p->proc_id, p->frames, p->n, samples, end_ns);
	p->start_ns = end_ns;
}

/* Its interval is over: only the carry is kept between intervals. */
static void close_pending(struct pending *p)
{
	p->open = 0;
	free(p->frames);
	p->frames = NULL;
	p->n = 0;
}

/* The entry of thread tid, added (for proc_id) if missing and there is
 * room; NULL with *err -ENOSPC (counted) or -ENOMEM. */
static struct pending *thread_of(struct offcpu *o, int tid, uint32_t proc_id, int *err)
{
	struct pending *p = hashmap__find(o->threads, (uint64_t)tid);

	if (!p && hashmap__size(o->threads) >= OFFCPU_MAX_THREADS) {
		o->counts.full++;
		*err = -ENOSPC;
	} else if (!p) {
		p = calloc(1, sizeof(*p));
		if (!p || hashmap__set(o->threads, (uint64_t)tid, p, NULL)) {
			free(p);
			p = NULL;
			*err = -ENOMEM;
		} else {
			p->proc_id = proc_id;
		}
	}
	return p;
}

int offcpu__begin(struct offcpu *o, int tid, uint32_t proc_id, const struct frame_ref *frames,
		  uint32_t n, uint64_t start_ns)
{
	struct frame_ref *copy = malloc((n + 1) * sizeof(*copy));
	struct pending *p = NULL;
	int err = copy ? 0 : -ENOMEM;

	if (!err)
		p = thread_of(o, tid, proc_id, &err);
	if (err) {
		free(copy);
	} else {
		if (p->open)
			o->counts.unpaired++; /* its end was lost: not charged */
		memcpy(copy, frames, n * sizeof(*copy));
		if (p->proc_id != proc_id)
			p->carry = 0;
		free(p->frames);
		p->frames = copy;
		p->n = n;
		p->proc_id = proc_id;
		p->begin_ns = start_ns;
		p->start_ns = start_ns;
		p->open = 1;
	}
	if (!err && p->lone_end && p->lone_start == start_ns) {
		/* Its end came first: the interval is whole, the end no
		 * longer unpaired. */
		charge_to(o, p, p->lone_end);
		close_pending(p);
		p->lone_end = 0;
		o->counts.unpaired--;
		o->counts.intervals++;
	}
	return err;
}

void offcpu__end(struct offcpu *o, int tid, uint32_t proc_id, uint64_t start_ns, uint64_t end_ns)
{
	struct pending *p = hashmap__find(o->threads, (uint64_t)tid);
	int err = 0;

	if (p && p->open && p->begin_ns == start_ns) {
		charge_to(o, p, end_ns);
		close_pending(p);
		o->counts.intervals++;
	} else {
		/* Its start was lost, or is still to come: kept for it (an
		 * open interval stays open: this end is not its). */
		o->counts.unpaired++;
		p = p ? p : (proc_id ? thread_of(o, tid, proc_id, &err) : NULL);
		if (p) {
			p->lone_start = start_ns;
			p->lone_end = end_ns;
		}
	}
}

struct flush_ctx {
	struct offcpu *o;
	uint64_t now_ns;
	uint32_t proc_id; /* 0: all */
	uint64_t *tids;   /* proc_end: the image's threads, forgotten after */
	size_t ntids;
};

static int flush_one(uint64_t key, void *value, void *ctx)
{
	struct flush_ctx *f = ctx;
	struct pending *p = value;

	if (f->proc_id && p->proc_id != f->proc_id)
		return 0;
	if (p->open)
		charge_to(f->o, p, f->now_ns);
	if (f->proc_id) {
		close_pending(p);
		if (f->tids)
			f->tids[f->ntids++] = key;
	}
	return 0;
}

void offcpu__flush(struct offcpu *o, uint64_t now_ns)
{
	struct flush_ctx f = { o, now_ns, 0, NULL, 0 };

	hashmap__for_each(o->threads, flush_one, &f);
}

void offcpu__proc_end(struct offcpu *o, uint32_t proc_id, uint64_t end_ns)
{
	struct flush_ctx f = { o, end_ns, proc_id, NULL, 0 };
	size_t i;

	if (proc_id) {
		/* Without memory the entries stay (closed) for a later end. */
		f.tids = malloc((hashmap__size(o->threads) + 1) * sizeof(*f.tids));
		hashmap__for_each(o->threads, flush_one, &f);
	}
	for (i = 0; i < f.ntids; i++)
		free_pending(0, hashmap__delete(o->threads, f.tids[i]), NULL);
	free(f.tids);
}

struct funcs_ctx {
	void (*fn)(uint32_t func, void *ctx);
	void *ctx;
};

static int funcs_of(uint64_t key, void *value, void *ctx)
{
	const struct pending *p = value;
	struct funcs_ctx *f = ctx;
	uint32_t i;

	(void)key;
	for (i = 0; p->open && i < p->n; i++)
		f->fn(p->frames[i].func, f->ctx);
	return 0;
}

void offcpu__for_each_func(const struct offcpu *o, void (*fn)(uint32_t func, void *ctx),
			   void *ctx)
{
	struct funcs_ctx f = { fn, ctx };

	hashmap__for_each(o->threads, funcs_of, &f);
}
