// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* snapdelta_window: the profile between two snapshots, matched by identity. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "hashmap.h"
#include "snapdelta.h"
#include "satmath.h"

/* A stack identity of one snapshot and the counts summed over its entries. */
struct skey {
	const struct snap *s;
	const struct snap_stack *st;
	uint64_t hash;
	uint64_t samples, alloc_bytes, alloc_count, resident_bytes;
	int64_t live_bytes;
};

/* A process identity of one snapshot. */
struct pkey {
	const struct snap_proc *p;
	uint64_t hash;
};

static uint64_t str_hash(const char *s, uint64_t seed)
{
	return hashmap_hash_bytes(s ? s : "", s ? strlen(s) : 0, seed);
}

static uint64_t proc_hash(const struct snap_proc *p)
{
	uint64_t v[3] = { (uint64_t)(uint32_t)p->pid, p->exec_seq, p->start_ns };

	return hashmap_hash_bytes(v, sizeof(v), 0x70726f63);
}

static int proc_same(const struct snap_proc *a, const struct snap_proc *b)
{
	return a->pid == b->pid && a->exec_seq == b->exec_seq && a->start_ns == b->start_ns;
}

static int str_same(const char *a, const char *b)
{
	return !strcmp(a ? a : "", b ? b : "");
}

static int func_same(const struct snap_func *a, const struct snap_func *b)
{
	return a->line == b->line && a->kind == b->kind && str_same(a->name, b->name) &&
	       str_same(a->file, b->file);
}

static uint64_t stack_hash(const struct snap *s, const struct snap_stack *st)
{
	uint64_t h = proc_hash(&s->procs[st->proc]);
	const struct snap_func *f;
	uint32_t i;

	for (i = 0; i < st->nframes; i++) {
		f = &s->funcs[st->frames[i].func];
		h = str_hash(f->name, h);
		h = str_hash(f->file, h);
		h = hashmap_hash_u64(h ^ ((uint64_t)(uint32_t)f->line << 8 | f->kind));
		h = hashmap_hash_u64(h ^ (uint64_t)(uint32_t)st->frames[i].line);
	}
	return hashmap_hash_u64(h ^ st->nframes);
}

static uint64_t skey_hash(uint64_t k)
{
	return ((const struct skey *)(uintptr_t)k)->hash;
}

static int skey_equal(uint64_t ka, uint64_t kb)
{
	const struct skey *a = (const struct skey *)(uintptr_t)ka;
	const struct skey *b = (const struct skey *)(uintptr_t)kb;
	int same;
	uint32_t i;

	/* A stack's counts in different time buckets are matched bucket by
	 * bucket: a bucket dropped from the later snapshot then takes nothing
	 * off the growth of the others. */
	same = a->hash == b->hash && a->st->nframes == b->st->nframes && a->st->t == b->st->t &&
	       proc_same(&a->s->procs[a->st->proc], &b->s->procs[b->st->proc]);
	for (i = 0; same && i < a->st->nframes; i++)
		same = a->st->frames[i].line == b->st->frames[i].line &&
		       func_same(&a->s->funcs[a->st->frames[i].func],
				 &b->s->funcs[b->st->frames[i].func]);
	return same;
}

static uint64_t pkey_hash(uint64_t k)
{
	return ((const struct pkey *)(uintptr_t)k)->hash;
}

static int pkey_equal(uint64_t a, uint64_t b)
{
	return proc_same(((const struct pkey *)(uintptr_t)a)->p,
			 ((const struct pkey *)(uintptr_t)b)->p);
}

/* Indexes every stack of s by identity, summing duplicates. keys[] gets
 * one entry per stack; *nuniq the distinct ones, first occurrences first
 * (keys[0..nuniq-1]). 0 or -ENOMEM. */
static int index_stacks(const struct snap *s, struct skey *keys, size_t *nuniq,
			struct hashmap *map)
{
	struct skey *k, *have;
	size_t i, n = 0;
	int err = 0;

	for (i = 0; i < s->nstacks && !err; i++) {
		k = &keys[n];
		k->s = s;
		k->st = &s->stacks[i];
		k->hash = stack_hash(s, k->st) ^ hashmap_hash_u64(k->st->t);
		k->samples = k->st->samples;
		k->alloc_bytes = k->st->alloc_bytes;
		k->alloc_count = k->st->alloc_count;
		k->resident_bytes = k->st->resident_bytes;
		k->live_bytes = k->st->live_bytes;
		have = hashmap__find(map, (uint64_t)(uintptr_t)k);
		if (have) {
			have->samples += k->samples;
			have->alloc_bytes += k->alloc_bytes;
			have->alloc_count += k->alloc_count;
			have->resident_bytes += k->resident_bytes;
			have->live_bytes = sat_add_i64(have->live_bytes, k->live_bytes);
		} else {
			err = hashmap__set(map, (uint64_t)(uintptr_t)k, k, NULL);
			n++;
		}
	}
	*nuniq = n;
	return err;
}

static int index_procs(const struct snap *s, struct pkey *keys, struct hashmap *map)
{
	size_t i;
	int err = 0;

	for (i = 0; i < s->nprocs && !err; i++) {
		keys[i].p = &s->procs[i];
		keys[i].hash = proc_hash(keys[i].p);
		err = hashmap__set(map, (uint64_t)(uintptr_t)&keys[i], &keys[i], NULL);
	}
	return err;
}

static uint64_t grown(uint64_t later, uint64_t earlier)
{
	return later > earlier ? later - earlier : 0;
}

static char *dup0(const char *s)
{
	return strdup(s ? s : "");
}

static int copy_funcs(const struct snap *in, struct snap *out)
{
	size_t i;
	int err = 0;

	out->funcs = calloc(in->nfuncs + 1, sizeof(*out->funcs));
	if (!out->funcs)
		return -ENOMEM;
	for (i = 0; i < in->nfuncs; i++) {
		struct snap_func *f = &out->funcs[i];

		*f = in->funcs[i];
		f->name = dup0(in->funcs[i].name);
		f->qualname = dup0(in->funcs[i].qualname);
		f->file = dup0(in->funcs[i].file);
		f->py_file = dup0(in->funcs[i].py_file);
		out->nfuncs++;
		if (!f->name || !f->qualname || !f->file || !f->py_file)
			err = -ENOMEM;
	}
	return err;
}

static int copy_procs(const struct snap *in, struct snap *out)
{
	size_t i;
	int err = 0;

	out->procs = calloc(in->nprocs + 1, sizeof(*out->procs));
	if (!out->procs)
		return -ENOMEM;
	for (i = 0; i < in->nprocs; i++) {
		const struct snap_proc *q = &in->procs[i];
		struct snap_proc *p = &out->procs[i];

		*p = *q;
#define SP_DUP(field, ctype, kind, ...) SP_IF_STR(kind, p->field = dup0(q->field);)
		SNAP_PROC_FIELDS(SP_DUP)
#undef SP_DUP
		out->nprocs++;
#define SP_CHECK(field, ctype, kind, ...) SP_IF_STR(kind, if (!p->field) err = -ENOMEM;)
		SNAP_PROC_FIELDS(SP_CHECK)
#undef SP_CHECK
	}
	return err;
}

static int copy_stack(const struct snap_stack *in, struct snap_stack *out)
{
	*out = *in;
	out->frames = malloc(((size_t)in->nframes + 1) * sizeof(*out->frames));
	if (!out->frames)
		return -ENOMEM;
	memcpy(out->frames, in->frames, (size_t)in->nframes * sizeof(*out->frames));
	return 0;
}

/* Header, functions and processes of `in`; no stacks. */
static int copy_base(const struct snap *in, struct snap *out)
{
	int err;

	memset(out, 0, sizeof(*out));
	out->freq_hz = in->freq_hz;
	out->memory = in->memory;
	out->fault_period = in->fault_period;
	out->start_ns = in->start_ns;
	out->now_ns = in->now_ns;
	out->mono_to_real_ns = in->mono_to_real_ns;
	out->bucket_ns = in->bucket_ns;
	out->retention_ns = in->retention_ns;
	out->stats = in->stats;
	out->host = dup0(in->host);
	err = out->host ? copy_funcs(in, out) : -ENOMEM;
	if (!err)
		err = copy_procs(in, out);
	return err;
}

int snapdelta_copy(const struct snap *in, struct snap *out)
{
	struct snap c;
	size_t i;
	int err = copy_base(in, &c);

	if (!err) {
		c.stacks = calloc(in->nstacks + 1, sizeof(*c.stacks));
		err = c.stacks ? 0 : -ENOMEM;
	}
	for (i = 0; !err && i < in->nstacks; i++) {
		err = copy_stack(&in->stacks[i], &c.stacks[i]);
		if (!err)
			c.nstacks++;
	}
	if (err)
		snap_free(&c);
	else
		*out = c;
	return err;
}

static void stats_delta(struct snap_stats *d, const struct snap_stats *l,
			const struct snap_stats *e)
{
	int k;

	for (k = 0; k < SNAP_STAT_NR; k++)
		d->v[k] = grown(l->v[k], e->v[k]);
}

/* The per-process sample growth. */
static int procs_delta(const struct snap *later, const struct snap *earlier, struct snap *out)
{
	struct hashmap *map = hashmap__new(pkey_hash, pkey_equal);
	struct pkey *ek = calloc(earlier->nprocs + 1, sizeof(*ek));
	struct pkey probe, *have;
	size_t i;
	int err = map && ek ? index_procs(earlier, ek, map) : -ENOMEM;

	for (i = 0; !err && i < out->nprocs; i++) {
		probe.p = &later->procs[i];
		probe.hash = proc_hash(probe.p);
		have = hashmap__find(map, (uint64_t)(uintptr_t)&probe);
#define SP_GROWN(field, ctype, kind, json, flags, ...)                                          \
	SP_IF_NUM(kind, if (have && (flags) & SP_DELTA)                                         \
		out->procs[i].field = (ctype)grown((uint64_t)later->procs[i].field,             \
						   (uint64_t)have->p->field);)
		SNAP_PROC_FIELDS(SP_GROWN)
#undef SP_GROWN
	}
	hashmap__free(map);
	free(ek);
	return err;
}

/* Stacks of later that grew since earlier, summed by identity. */
static int stacks_delta(const struct snap *later, const struct snap *earlier, struct snap *out)
{
	struct hashmap *emap = hashmap__new(skey_hash, skey_equal);
	struct hashmap *lmap = hashmap__new(skey_hash, skey_equal);
	struct skey *ek = calloc(earlier->nstacks + 1, sizeof(*ek));
	struct skey *lk = calloc(later->nstacks + 1, sizeof(*lk));
	size_t i, ne = 0, nl = 0;
	int err = emap && lmap && ek && lk ? 0 : -ENOMEM;

	if (!err)
		err = index_stacks(earlier, ek, &ne, emap);
	if (!err)
		err = index_stacks(later, lk, &nl, lmap);
	if (!err) {
		out->stacks = calloc(nl + 1, sizeof(*out->stacks));
		err = out->stacks ? 0 : -ENOMEM;
	}
	for (i = 0; !err && i < nl; i++) {
		const struct skey *e = hashmap__find(emap, (uint64_t)(uintptr_t)&lk[i]);
		struct skey d = lk[i];
		struct snap_stack *st;

		if (e) {
			d.samples = grown(d.samples, e->samples);
			d.alloc_bytes = grown(d.alloc_bytes, e->alloc_bytes);
			d.alloc_count = grown(d.alloc_count, e->alloc_count);
			d.resident_bytes = grown(d.resident_bytes, e->resident_bytes);
			d.live_bytes = sat_sub_i64(d.live_bytes, e->live_bytes); /* net change */
		}
		if (!d.samples && !d.alloc_bytes && !d.alloc_count && !d.resident_bytes &&
		    !d.live_bytes)
			continue;
		st = &out->stacks[out->nstacks];
		err = copy_stack(d.st, st);
		if (err)
			break;
		st->samples = d.samples;
		st->alloc_bytes = d.alloc_bytes;
		st->alloc_count = d.alloc_count;
		st->resident_bytes = d.resident_bytes;
		st->live_bytes = d.live_bytes;
		out->nstacks++;
	}
	hashmap__free(emap);
	hashmap__free(lmap);
	free(ek);
	free(lk);
	return err;
}

static int snap_valid(const struct snap *s)
{
	size_t i;
	uint32_t k;

	for (i = 0; i < s->nstacks; i++) {
		if (s->stacks[i].proc >= s->nprocs)
			return 0;
		for (k = 0; k < s->stacks[i].nframes; k++)
			if (s->stacks[i].frames[k].func >= s->nfuncs)
				return 0;
	}
	return 1;
}

int snapdelta_window(const struct snap *later, const struct snap *earlier, struct snap *out)
{
	static const struct snap empty;
	struct snap_scope alive = { 0 };
	struct snap d;
	int err = 0;

	if (later->freq_hz != earlier->freq_hz || later->now_ns < earlier->now_ns ||
	    !snap_valid(later) || !snap_valid(earlier))
		return -EINVAL;
	/* Profiles reset in between: everything later holds is new. */
	if (later->start_ns != earlier->start_ns)
		earlier = &empty;
	err = copy_base(later, &d);
	if (!err) {
		stats_delta(&d.stats, &later->stats, &earlier->stats);
		err = procs_delta(later, earlier, &d);
	}
	if (!err)
		err = stacks_delta(later, earlier, &d);
	if (!err && earlier != &empty) {
		d.start_ns = earlier->now_ns;
		/* Only the processes alive in the window. */
		alive.since_ns = earlier->now_ns ? earlier->now_ns : 1;
		err = snap_filter(&d, &alive);
		/* The window exactly, not rounded out to buckets. */
		d.range_from_ns = d.start_ns;
		d.range_to_ns = d.now_ns;
	}
	if (err)
		snap_free(&d);
	else
		*out = d;
	return err;
}
