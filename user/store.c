// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Profile store: interned functions, process images (in creation order,
 * for eviction) and interned stacks with their counts per time bucket. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "hashmap.h"
#include "inspect.h"
#include "store.h"
#include "pyphase.h"
#include "symtab.h"

struct func_rec {
	struct snap_func f;
	uint64_t hash;
	uint32_t id;
};

/* A stack's counts in one time bucket. */
struct bucket_count {
	uint64_t t; /* bucket start */
	struct stack_counts c;
};

struct stack_rec {
	struct stack_rec *next_in_proc;
	uint32_t proc_id;
	uint32_t nframes;
	struct bucket_count *b; /* b[off] .. b[off + nb - 1], oldest first */
	uint32_t off, nb, capb;
	uint64_t hash;
	struct frame_ref frames[];
};

struct proc_node {
	struct proc_rec rec;
	struct proc_node *older, *newer; /* creation order */
	struct stack_rec *stacks;
};

struct store {
	struct store_limits lim;
	struct snap_stats stats;
	uint64_t start_ns;
	uint32_t next_id;
	struct func_rec **funcs;     /* by id; NULL: freed, id on free_ids */
	uint32_t nfuncs, cap_funcs;  /* slots used, allocated */
	uint32_t live_funcs;
	uint32_t *free_ids;
	uint32_t nfree_ids;
	struct hashmap *func_index;  /* key: struct func_rec * */
	uint32_t pseudo[PSEUDO_NR];
	struct hashmap *by_id;       /* id -> proc_node */
	struct hashmap *by_pid;      /* pid -> live proc_node */
	struct proc_node *oldest, *newest;
	uint32_t nprocs;
	struct hashmap *stack_index; /* key: struct stack_rec * */
	uint32_t nstacks;
	uint64_t *buckets;           /* starts of the buckets kept, ascending */
	uint32_t nbuckets, cap_buckets;
	uint64_t nentries;           /* (stack, bucket) counts */
	uint64_t last_gc_ns;
	uint32_t unreaped;           /* ended images still holding symbols */
	uint64_t last_reap_ns;
	store_holders_fn holders;    /* function ids held outside (may be NULL) */
	void *holders_ctx;
};

/* An ended image keeps its symbols this long: a sample taken while the
 * process exits (a timer tick in exit_mm, after the exit event) or just
 * before an exec can be read after the event that ended the image. */
#define SYMS_GRACE_NS 1000000000ULL

/* ---- functions ---- */

static uint64_t func_hash_of(const struct snap_func *f)
{
	uint64_t h = hashmap_hash_bytes(f->file, strlen(f->file), (uint64_t)(uint32_t)f->line);

	h = hashmap_hash_bytes(f->name, strlen(f->name), h);
	h = hashmap_hash_bytes(f->qualname, strlen(f->qualname), h);
	return h ^ f->kind;
}

static uint64_t func_key_hash(uint64_t key)
{
	return ((const struct func_rec *)(uintptr_t)key)->hash;
}

static int func_key_equal(uint64_t a, uint64_t b)
{
	const struct snap_func *x = &((const struct func_rec *)(uintptr_t)a)->f;
	const struct snap_func *y = &((const struct func_rec *)(uintptr_t)b)->f;

	return x->line == y->line && x->kind == y->kind && !strcmp(x->file, y->file) &&
	       !strcmp(x->name, y->name) && !strcmp(x->qualname, y->qualname);
}

static void func_rec_free(struct func_rec *r)
{
	if (r) {
		free(r->f.name);
		free(r->f.qualname);
		free(r->f.file);
		free(r->f.py_file);
		free(r);
	}
}

/* Returns the id, or UINT32_MAX when full or out of memory. */
static uint32_t add_func(struct store *st, const char *file, const char *name,
			 const char *qualname, int32_t line, int kind, const char *py_file,
			 int32_t py_line)
{
	struct func_rec probe = { .f = { (char *)name, (char *)qualname, (char *)file, line,
					 (uint8_t)kind } };
	struct func_rec *r, **nf;
	uint32_t cap, *ids;

	probe.hash = func_hash_of(&probe.f);
	r = hashmap__find(st->func_index, (uintptr_t)&probe);
	if (r)
		return r->id;
	if (st->live_funcs >= st->lim.max_funcs)
		return UINT32_MAX;
	if (!st->nfree_ids && st->nfuncs == st->cap_funcs) {
		cap = st->cap_funcs ? st->cap_funcs * 2 : 256;
		/* free_ids holds at most every slot: grow it first. */
		ids = realloc(st->free_ids, cap * sizeof(*ids));
		if (!ids)
			return UINT32_MAX;
		st->free_ids = ids;
		nf = realloc(st->funcs, cap * sizeof(*nf));
		if (!nf)
			return UINT32_MAX;
		st->funcs = nf;
		st->cap_funcs = cap;
	}
	r = calloc(1, sizeof(*r));
	if (!r)
		return UINT32_MAX;
	r->f.file = strdup(file);
	r->f.name = strdup(name);
	r->f.qualname = strdup(qualname);
	r->f.line = line;
	r->f.kind = (uint8_t)kind;
	r->f.py_file = strdup(py_file ? py_file : "");
	r->f.py_line = py_line;
	r->hash = probe.hash;
	r->id = st->nfree_ids ? st->free_ids[st->nfree_ids - 1] : st->nfuncs;
	if (!r->f.file || !r->f.name || !r->f.qualname || !r->f.py_file ||
	    hashmap__set(st->func_index, (uintptr_t)r, r, NULL)) {
		func_rec_free(r);
		return UINT32_MAX;
	}
	if (st->nfree_ids)
		st->nfree_ids--;
	else
		st->nfuncs++;
	st->funcs[r->id] = r;
	st->live_funcs++;
	return r->id;
}

uint32_t store__func(struct store *st, const char *file, const char *name,
		     const char *qualname, int32_t line, int kind, const char *py_file,
		     int32_t py_line)
{
	uint32_t id = add_func(st, file, name, qualname, line, kind, py_file, py_line);

	return id == UINT32_MAX ? st->pseudo[PSEUDO_FUNCS_FULL] : id;
}

uint32_t store__pseudo(const struct store *st, enum store_pseudo which)
{
	return st->pseudo[which];
}

static const char *const pseudo_names[PSEUDO_NR] = {
	[PSEUDO_STARTUP] = "<interpreter start-up>",
	[PSEUDO_NATIVE] = "<native thread>",
	[PSEUDO_NO_FRAME] = "<no Python frame>",
	[PSEUDO_TRUNCATED] = "<truncated stack>",
	[PSEUDO_UNKNOWN_CODE] = "<unknown code object>",
	[PSEUDO_READ_ERROR] = "<unreadable frame>",
	[PSEUDO_FUNCS_FULL] = "<function table full>",
	[PSEUDO_NOT_PYTHON] = "<not a supported CPython>",
	[PSEUDO_SHUTDOWN] = PYPHASE_SHUTDOWN_NAME,
	[PSEUDO_GC] = PYPHASE_GC_NAME,
};

static int add_pseudo(struct store *st)
{
	int i;

	for (i = 0; i < PSEUDO_NR; i++) {
		/* Pseudo functions are exempt from the table's limit. */
		uint32_t saved = st->lim.max_funcs;

		st->lim.max_funcs = UINT32_MAX;
		st->pseudo[i] = add_func(st, "~", pseudo_names[i], pseudo_names[i], 0, FUNC_PSEUDO,
					 NULL, 0);
		st->lim.max_funcs = saved;
		if (st->pseudo[i] == UINT32_MAX)
			return -ENOMEM;
	}
	return 0;
}

/* ---- stacks ---- */

static uint64_t stack_hash_of(uint32_t proc_id, const struct frame_ref *f, uint32_t n)
{
	return hashmap_hash_bytes(f, n * sizeof(*f), proc_id);
}

static uint64_t stack_key_hash(uint64_t key)
{
	return ((const struct stack_rec *)(uintptr_t)key)->hash;
}

static int stack_key_equal(uint64_t a, uint64_t b)
{
	const struct stack_rec *x = (const void *)(uintptr_t)a, *y = (const void *)(uintptr_t)b;

	return x->proc_id == y->proc_id && x->nframes == y->nframes &&
	       !memcmp(x->frames, y->frames, x->nframes * sizeof(x->frames[0]));
}

static void free_stack(struct store *st, struct stack_rec *s)
{
	hashmap__delete(st->stack_index, (uintptr_t)s);
	st->nstacks--;
	st->nentries -= s->nb;
	free(s->b);
	free(s);
}

/* ---- time buckets ---- */

static uint64_t bucket_of(const struct store *st, uint64_t ts)
{
	return ts - ts % st->lim.bucket_ns;
}

/* Records that bucket t holds counts. 0 or -ENOMEM. */
static int bucket_note(struct store *st, uint64_t t)
{
	uint32_t lo = 0, hi = st->nbuckets, mid, cap;
	uint64_t *nb;

	if (st->nbuckets && st->buckets[st->nbuckets - 1] == t)
		return 0;
	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (st->buckets[mid] < t)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo < st->nbuckets && st->buckets[lo] == t)
		return 0;
	if (st->nbuckets == st->cap_buckets) {
		cap = st->cap_buckets ? st->cap_buckets * 2 : 64;
		nb = realloc(st->buckets, cap * sizeof(*nb));
		if (!nb)
			return -ENOMEM;
		st->buckets = nb;
		st->cap_buckets = cap;
	}
	memmove(&st->buckets[lo + 1], &st->buckets[lo], (st->nbuckets - lo) * sizeof(*nb));
	st->buckets[lo] = t;
	st->nbuckets++;
	return 0;
}

static void sub_counts(struct proc_rec *p, const struct stack_counts *c)
{
	p->samples -= c->samples <= p->samples ? c->samples : p->samples;
	p->alloc_bytes -= c->alloc_bytes <= p->alloc_bytes ? c->alloc_bytes : p->alloc_bytes;
	p->alloc_count -= c->alloc_count <= p->alloc_count ? c->alloc_count : p->alloc_count;
	p->resident_bytes -= c->resident_bytes <= p->resident_bytes ? c->resident_bytes
								     : p->resident_bytes;
	p->live_bytes -= c->live_bytes;
}

/* Drops the oldest bucket: every stack's counts in it (taken off their
 * process's totals, and counted), then the stacks left with no counts
 * (except keep). */
static void drop_oldest_bucket(struct store *st, const struct stack_rec *keep)
{
	uint64_t t0 = st->buckets[0];
	struct stack_rec **link, *s;
	struct proc_node *pn;

	for (pn = st->oldest; pn; pn = pn->newer) {
		for (link = &pn->stacks; (s = *link);) {
			if (s->nb && s->b[s->off].t == t0) {
				const struct stack_counts *c = &s->b[s->off].c;

				st->stats.evicted_bucket_samples += c->samples;
				st->stats.evicted_bucket_alloc_bytes += c->alloc_bytes;
				sub_counts(&pn->rec, c);
				s->off++;
				s->nb--;
				st->nentries--;
			}
			if (!s->nb && s != keep) {
				*link = s->next_in_proc;
				free_stack(st, s);
				st->stats.expired_stacks++;
			} else {
				link = &s->next_in_proc;
			}
		}
	}
	memmove(st->buckets, st->buckets + 1, (st->nbuckets - 1) * sizeof(*st->buckets));
	st->nbuckets--;
	st->stats.evicted_buckets++;
}

/* A table is full: drops buckets older than t, oldest first, until there
 * is room for a count (and a stack if new_stack). */
static void make_room(struct store *st, uint64_t t, const struct stack_rec *keep, int new_stack)
{
	while (st->nbuckets && st->buckets[0] < t &&
	       (st->nentries >= st->lim.max_entries ||
		(new_stack && st->nstacks >= st->lim.max_stacks))) {
		st->stats.cap_evicted_buckets++;
		drop_oldest_bucket(st, keep);
	}
}

/* Position of bucket t in the stack's counts (where it would go). */
static uint32_t entry_pos(const struct stack_rec *s, uint64_t t)
{
	uint32_t lo = 0, hi = s->nb, mid;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (s->b[s->off + mid].t < t)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* The stack's counts in bucket t, added if there is room; NULL if not. */
static struct stack_counts *stack_entry(struct store *st, struct stack_rec *s, uint64_t t)
{
	struct bucket_count *nb;
	uint32_t i, cap;

	if (s->nb && s->b[s->off + s->nb - 1].t == t)
		return &s->b[s->off + s->nb - 1].c;
	i = entry_pos(s, t);
	if (i < s->nb && s->b[s->off + i].t == t)
		return &s->b[s->off + i].c;
	make_room(st, t, s, 0);
	if (st->nentries >= st->lim.max_entries || bucket_note(st, t))
		return NULL;
	if (s->off && s->off + s->nb == s->capb) {
		memmove(s->b, s->b + s->off, s->nb * sizeof(*s->b));
		s->off = 0;
	}
	if (s->nb == s->capb) {
		cap = s->capb ? s->capb * 2 : 2;
		nb = realloc(s->b, cap * sizeof(*nb));
		if (!nb)
			return NULL;
		s->b = nb;
		s->capb = cap;
	}
	i = entry_pos(s, t); /* make_room may have dropped counts */
	memmove(&s->b[s->off + i + 1], &s->b[s->off + i], (s->nb - i) * sizeof(*s->b));
	memset(&s->b[s->off + i], 0, sizeof(*s->b));
	s->b[s->off + i].t = t;
	s->nb++;
	st->nentries++;
	return &s->b[s->off + i].c;
}

/* Finds the stack, or creates it if there is room. */
static struct stack_rec *get_stack(struct store *st, struct proc_node *pn,
				   const struct frame_ref *frames, uint32_t n, uint64_t t)
{
	struct stack_rec *probe, *s;
	uint64_t h = stack_hash_of(pn->rec.id, frames, n);

	probe = malloc(sizeof(*probe) + n * sizeof(frames[0]));
	if (!probe)
		return NULL;
	probe->proc_id = pn->rec.id;
	probe->nframes = n;
	probe->hash = h;
	memcpy(probe->frames, frames, n * sizeof(frames[0]));
	s = hashmap__find(st->stack_index, (uintptr_t)probe);
	if (!s)
		make_room(st, t, NULL, 1);
	if (s || st->nstacks >= st->lim.max_stacks) {
		free(probe);
		return s;
	}
	probe->b = NULL;
	probe->off = probe->nb = probe->capb = 0;
	if (hashmap__set(st->stack_index, (uintptr_t)probe, probe, NULL)) {
		free(probe);
		return NULL;
	}
	probe->next_in_proc = pn->stacks;
	pn->stacks = probe;
	st->nstacks++;
	return probe;
}

void store__add_sample(struct store *st, struct proc_rec *p, const struct frame_ref *frames,
		       uint32_t n, const struct stack_counts *add, uint64_t ts_ns)
{
	struct proc_node *pn = (struct proc_node *)p;
	uint64_t t = bucket_of(st, ts_ns);
	struct stack_rec *s = get_stack(st, pn, frames, n, t);
	struct stack_counts *c;
	int folded = 0;

	if (!s && n > 1) {
		/* Table full: keep the sample's self time on its leaf. */
		s = get_stack(st, pn, frames, 1, t);
		folded = 1;
	}
	c = s ? stack_entry(st, s, t) : NULL;
	if (!c) {
		/* A stack left with no counts goes with the next bucket. */
		st->stats.lost_samples += add->samples;
		st->stats.lost_alloc_bytes += add->alloc_bytes;
		return;
	}
	if (folded)
		st->stats.stack_overflow += add->samples;
	c->samples += add->samples;
	c->alloc_bytes += add->alloc_bytes;
	c->alloc_count += add->alloc_count;
	c->resident_bytes += add->resident_bytes;
	c->live_bytes += add->live_bytes;
	p->samples += add->samples;
	p->alloc_bytes += add->alloc_bytes;
	p->alloc_count += add->alloc_count;
	p->resident_bytes += add->resident_bytes;
	p->live_bytes += add->live_bytes;
}

/* ---- processes ---- */

static void drop_stacks(struct store *st, struct proc_node *pn)
{
	struct stack_rec *s = pn->stacks, *next;

	while (s) {
		next = s->next_in_proc;
		free_stack(st, s);
		s = next;
	}
	pn->stacks = NULL;
}

static void unlink_node(struct store *st, struct proc_node *pn)
{
	if (pn->older)
		pn->older->newer = pn->newer;
	else
		st->oldest = pn->newer;
	if (pn->newer)
		pn->newer->older = pn->older;
	else
		st->newest = pn->older;
}

/* The record's ML attribution, freed by what its owner set (mlpyattr). */
static void free_ml(struct proc_rec *r)
{
	if (r->ml && r->ml_free)
		r->ml_free(r->ml);
	r->ml = NULL;
}

static void free_node(struct store *st, struct proc_node *pn)
{
	drop_stacks(st, pn);
	hashmap__delete(st->by_id, pn->rec.id);
	if (hashmap__find(st->by_pid, (uint32_t)pn->rec.pid) == pn)
		hashmap__delete(st->by_pid, (uint32_t)pn->rec.pid);
	unlink_node(st, pn);
	symtab__free(pn->rec.syms);
	free_ml(&pn->rec);
	free(pn->rec.cmdline);
	free(pn->rec.exe);
	free(pn->rec.cwd);
	free(pn->rec.container);
	free(pn->rec.ml_file);
	free(pn);
	st->nprocs--;
}

/* Evicts the oldest ended image; 0 if one was evicted. */
static int evict_one(struct store *st)
{
	struct proc_node *pn;

	for (pn = st->oldest; pn; pn = pn->newer) {
		if (pn->rec.ended) {
			st->stats.evicted_procs++;
			st->stats.evicted_samples += pn->rec.samples;
			free_node(st, pn);
			return 0;
		}
	}
	return -ENOSPC;
}

struct proc_rec *store__proc(struct store *st, int32_t pid)
{
	struct proc_node *pn = hashmap__find(st->by_pid, (uint32_t)pid);

	return pn ? &pn->rec : NULL;
}

struct proc_rec *store__proc_start(struct store *st, int32_t pid, uint32_t exec_seq,
				   uint64_t ts_ns, const struct proc_rec *parent)
{
	struct proc_node *pn, *prev = hashmap__find(st->by_pid, (uint32_t)pid);

	if (st->nprocs >= st->lim.max_procs && evict_one(st))
		return NULL;
	pn = calloc(1, sizeof(*pn));
	if (!pn)
		return NULL;
	pn->rec.syms = symtab__new();
	pn->rec.id = ++st->next_id ? st->next_id : ++st->next_id;
	pn->rec.pid = pid;
	pn->rec.ppid = parent ? parent->pid : 0;
	pn->rec.exec_seq = exec_seq;
	pn->rec.start_ns = ts_ns;
	pn->rec.parent_id = parent ? parent->id : 0;
	pn->rec.inspect_status = INSPECT_NOT_READY;
	if (!pn->rec.syms || hashmap__set(st->by_id, pn->rec.id, pn, NULL)) {
		symtab__free(pn->rec.syms);
		free(pn);
		return NULL;
	}
	if (hashmap__set(st->by_pid, (uint32_t)pid, pn, NULL)) {
		hashmap__delete(st->by_id, pn->rec.id);
		symtab__free(pn->rec.syms);
		free(pn);
		return NULL;
	}
	if (prev && !prev->rec.ended) {
		prev->rec.ended = PROC_EXECED;
		prev->rec.end_ns = ts_ns;
		st->unreaped++;
	}
	pn->older = st->newest;
	if (st->newest)
		st->newest->newer = pn;
	else
		st->oldest = pn;
	st->newest = pn;
	st->nprocs++;
	return &pn->rec;
}

void store__proc_end(struct store *st, struct proc_rec *p, enum proc_end how, uint64_t ts_ns)
{
	struct proc_node *pn = (struct proc_node *)p;

	if (p->ended)
		return;
	p->ended = how;
	p->end_ns = ts_ns;
	st->unreaped++;
	if (hashmap__find(st->by_pid, (uint32_t)p->pid) == pn)
		hashmap__delete(st->by_pid, (uint32_t)p->pid);
}

struct proc_rec *store__proc_ended(struct store *st, int32_t pid, uint32_t exec_seq)
{
	struct proc_node *pn;

	for (pn = st->newest; pn; pn = pn->older) {
		if (pn->rec.pid == pid && pn->rec.exec_seq == exec_seq && pn->rec.ended)
			return &pn->rec;
	}
	return NULL;
}

struct proc_rec *store__proc_by_id(struct store *st, uint32_t id)
{
	struct proc_node *pn = hashmap__find(st->by_id, id);

	return pn ? &pn->rec : NULL;
}

size_t store__proc_count(const struct store *st)
{
	return st->nprocs;
}

size_t store__stack_count(const struct store *st)
{
	return st->nstacks;
}

size_t store__func_count(const struct store *st)
{
	return st->live_funcs;
}

size_t store__bucket_count(const struct store *st)
{
	return st->nbuckets;
}

size_t store__entry_count(const struct store *st)
{
	return st->nentries;
}

/* ---- expiry ---- */

struct marks {
	uint8_t *m;
	uint32_t n;
};

static void mark_func(uint32_t func, void *ctx)
{
	struct marks *mk = ctx;

	if (func < mk->n)
		mk->m[func] = 1;
}

static void mark_code(const struct code_info *ci, void *ctx)
{
	mark_func(ci->func, ctx);
}

void store__set_holders(struct store *st, store_holders_fn fn, void *ctx)
{
	st->holders = fn;
	st->holders_ctx = ctx;
}

/* Frees the functions that no stack, no live process's code table and no
 * holder (store__set_holders) uses (pseudo functions stay). */
static void expire_funcs(struct store *st)
{
	struct marks mk = { calloc(st->nfuncs + 1, 1), st->nfuncs };
	const struct stack_rec *s;
	struct proc_node *pn;
	uint32_t i;

	if (!mk.m)
		return; /* try again at the next bucket */
	for (i = 0; i < PSEUDO_NR; i++)
		mk.m[st->pseudo[i]] = 1;
	for (pn = st->oldest; pn; pn = pn->newer) {
		for (s = pn->stacks; s; s = s->next_in_proc) {
			for (i = 0; i < s->nframes; i++) {
				if (s->frames[i].func < mk.n)
					mk.m[s->frames[i].func] = 1;
			}
		}
		symtab__for_each(pn->rec.syms, mark_code, &mk);
	}
	if (st->holders)
		st->holders(st->holders_ctx, mark_func, &mk);
	for (i = 0; i < st->nfuncs; i++) {
		if (!st->funcs[i] || mk.m[i])
			continue;
		hashmap__delete(st->func_index, (uintptr_t)st->funcs[i]);
		func_rec_free(st->funcs[i]);
		st->funcs[i] = NULL;
		st->free_ids[st->nfree_ids++] = i;
		st->live_funcs--;
		st->stats.expired_funcs++;
	}
	free(mk.m);
}

/* Frees ended images with no stacks that ended before cutoff. */
static void expire_procs(struct store *st, uint64_t cutoff)
{
	struct proc_node *pn, *next;

	for (pn = st->oldest; pn; pn = next) {
		next = pn->newer;
		if (pn->rec.ended && !pn->stacks && pn->rec.end_ns <= cutoff) {
			free_node(st, pn);
			st->stats.expired_procs++;
		}
	}
}

/* Frees the symbols of images ended more than SYMS_GRACE_NS ago. */
static void reap_syms(struct store *st, uint64_t now_ns)
{
	struct proc_node *pn;
	uint32_t left = 0;

	for (pn = st->oldest; pn && st->unreaped; pn = pn->newer) {
		if (!pn->rec.ended || (!pn->rec.syms && !pn->rec.ml))
			continue;
		if (pn->rec.end_ns + SYMS_GRACE_NS > now_ns) {
			left++;
			continue;
		}
		symtab__free(pn->rec.syms);
		pn->rec.syms = NULL;
		free_ml(&pn->rec);
	}
	st->unreaped = left;
}

void store__expire(struct store *st, uint64_t now_ns)
{
	uint64_t cutoff = now_ns > st->lim.retention_ns ? now_ns - st->lim.retention_ns : 0;
	uint64_t gc_period = st->lim.bucket_ns > 1000000000ULL ? st->lim.bucket_ns : 1000000000ULL;
	int dropped = 0;

	while (st->nbuckets && st->buckets[0] + st->lim.bucket_ns <= cutoff) {
		drop_oldest_bucket(st, NULL);
		dropped = 1;
	}
	/* Once a bucket, at most once a second (one-shot buckets are short). */
	if (dropped || now_ns < st->last_gc_ns || now_ns - st->last_gc_ns >= gc_period) {
		st->last_gc_ns = now_ns;
		expire_procs(st, cutoff);
		expire_funcs(st);
	}
	if (st->unreaped && (now_ns < st->last_reap_ns || now_ns - st->last_reap_ns >= SYMS_GRACE_NS / 4)) {
		st->last_reap_ns = now_ns;
		reap_syms(st, now_ns);
	}
}

void store__for_each_live(struct store *st, void (*fn)(struct proc_rec *p, void *ctx), void *ctx)
{
	struct proc_node *pn, *next;

	for (pn = st->oldest; pn; pn = next) {
		next = pn->newer;
		if (!pn->rec.ended)
			fn(&pn->rec, ctx);
	}
}

struct snap_stats *store__stats(struct store *st)
{
	return &st->stats;
}

/* ---- lifetime ---- */

struct store *store__new(const struct store_limits *lim, uint64_t now_ns)
{
	struct store *st = calloc(1, sizeof(*st));

	if (!st)
		goto fail;
	st->lim = *lim;
	if (!st->lim.bucket_ns)
		st->lim.bucket_ns = 60ULL * 1000000000;
	if (st->lim.retention_ns < st->lim.bucket_ns)
		st->lim.retention_ns = st->lim.bucket_ns;
	st->start_ns = now_ns;
	st->last_gc_ns = now_ns;
	st->func_index = hashmap__new(func_key_hash, func_key_equal);
	st->stack_index = hashmap__new(stack_key_hash, stack_key_equal);
	st->by_id = hashmap__new(NULL, NULL);
	st->by_pid = hashmap__new(NULL, NULL);
	if (!st->func_index || !st->stack_index || !st->by_id || !st->by_pid || add_pseudo(st))
		goto fail;
	return st;
fail:
	store__free(st);
	errno = ENOMEM;
	return NULL;
}

void store__free(struct store *st)
{
	uint32_t i;

	if (!st)
		return;
	while (st->oldest)
		free_node(st, st->oldest);
	for (i = 0; i < st->nfuncs; i++)
		func_rec_free(st->funcs[i]);
	free(st->funcs);
	free(st->free_ids);
	free(st->buckets);
	hashmap__free(st->func_index);
	hashmap__free(st->stack_index);
	hashmap__free(st->by_id);
	hashmap__free(st->by_pid);
	free(st);
}

void store__reset(struct store *st, uint64_t now_ns)
{
	struct proc_node *pn, *next;

	for (pn = st->oldest; pn; pn = next) {
		next = pn->newer;
		if (pn->rec.ended) {
			free_node(st, pn);
		} else {
			drop_stacks(st, pn);
			pn->rec.samples = 0;
			pn->rec.alloc_bytes = pn->rec.alloc_count = pn->rec.resident_bytes = 0;
			pn->rec.live_bytes = 0;
			pn->rec.parent_id = 0; /* its parent record may be gone */
		}
	}
	st->nbuckets = 0;
	expire_funcs(st);
	memset(&st->stats, 0, sizeof(st->stats));
	st->start_ns = now_ns;
}

/* ---- snapshot ---- */

static char *dup_or_empty(const char *s)
{
	return strdup(s ? s : "");
}

static int copy_proc(const struct store *st, const struct proc_node *pn, struct snap_proc *out,
		     uint32_t index, const struct hashmap *index_of, const struct snap *snap)
{
	const struct proc_rec *r = &pn->rec;
	uintptr_t parent = (uintptr_t)hashmap__find(index_of, r->parent_id);
	int ok = 1;

	(void)st;
	out->id = index;
	/* index_of stores index + 1 so that 0 means absent. */
	out->parent = parent ? (int32_t)(parent - 1) : -1;
	out->root = out->parent >= 0 ? snap->procs[out->parent].root : (int32_t)index;
	out->status = dup_or_empty(inspect_status_str(r->inspect_status));
	/* The fields the live record has under the same name. */
#define SP_COPY(field, ctype, kind, json, flags, lo, hi, rec)                                  \
	SP_IF_REC(rec, SP_IF_STR(kind, out->field = dup_or_empty(r->field);)                     \
		       SP_IF_NUM(kind, out->field = r->field;))
	SNAP_PROC_FIELDS(SP_COPY)
#undef SP_COPY
#define SP_CHECK(field, ctype, kind, ...) SP_IF_STR(kind, ok = ok && out->field;)
	SNAP_PROC_FIELDS(SP_CHECK)
#undef SP_CHECK
	return ok ? 0 : -ENOMEM;
}

static int copy_func(const struct func_rec *r, struct snap_func *f)
{
	f->name = strdup(r->f.name);
	f->qualname = strdup(r->f.qualname);
	f->file = strdup(r->f.file);
	f->line = r->f.line;
	f->kind = r->f.kind;
	f->py_file = strdup(r->f.py_file);
	f->py_line = r->f.py_line;
	return f->name && f->qualname && f->file && f->py_file ? 0 : -ENOMEM;
}

static int copy_stack(const struct stack_rec *s, const struct bucket_count *b, uint32_t proc,
		      const uint32_t *func_index, struct snap_stack *o)
{
	uint32_t i;

	o->proc = proc;
	o->t = b->t;
	o->samples = b->c.samples;
	o->alloc_bytes = b->c.alloc_bytes;
	o->alloc_count = b->c.alloc_count;
	o->resident_bytes = b->c.resident_bytes;
	o->live_bytes = b->c.live_bytes;
	o->nframes = s->nframes;
	o->frames = malloc((s->nframes + 1) * sizeof(*o->frames));
	if (!o->frames)
		return -ENOMEM;
	for (i = 0; i < s->nframes; i++) {
		o->frames[i].func = func_index[s->frames[i].func];
		o->frames[i].line = s->frames[i].line;
	}
	return 0;
}

int store__snapshot(const struct store *st, struct snap *out)
{
	return store__snapshot_since(st, 0, out);
}

/* 1 if bucket entry b has counts at or after since_ns (0: everything). */
static int entry_since(const struct store *st, const struct bucket_count *b, uint64_t since_ns)
{
	return !since_ns || !st->lim.bucket_ns || b->t + st->lim.bucket_ns > since_ns;
}

int store__snapshot_since(const struct store *st, uint64_t since_ns, struct snap *out)
{
	struct hashmap *index_of = hashmap__new(NULL, NULL);
	uint32_t *func_index = calloc(st->nfuncs + 1, sizeof(*func_index));
	const struct proc_node *pn;
	const struct stack_rec *s;
	uint32_t i, b, k = 0;
	size_t ns = 0;
	int err = index_of && func_index ? 0 : -ENOMEM;

	memset(out, 0, sizeof(*out));
	out->start_ns = st->start_ns;
	out->stats = st->stats;
	out->bucket_ns = st->lim.bucket_ns;
	out->retention_ns = st->lim.retention_ns;
	out->funcs = calloc(st->live_funcs + 1, sizeof(*out->funcs));
	out->procs = calloc(st->nprocs + 1, sizeof(*out->procs));
	out->stacks = calloc(st->nentries + 1, sizeof(*out->stacks));
	if (!out->funcs || !out->procs || !out->stacks)
		err = -ENOMEM;
	/* Function ids have holes (freed functions): number them densely. */
	for (i = 0; !err && i < st->nfuncs; i++) {
		if (!st->funcs[i])
			continue;
		func_index[i] = (uint32_t)out->nfuncs;
		err = copy_func(st->funcs[i], &out->funcs[out->nfuncs++]);
	}
	for (pn = st->oldest; !err && pn; pn = pn->newer, k++) {
		err = hashmap__set(index_of, pn->rec.id, (void *)(uintptr_t)(k + 1), NULL);
		if (!err)
			err = copy_proc(st, pn, &out->procs[k], k, index_of, out);
		out->nprocs = k + 1;
		for (s = pn->stacks; !err && s; s = s->next_in_proc) {
			for (b = 0; !err && b < s->nb && ns < st->nentries; b++) {
				if (!entry_since(st, &s->b[s->off + b], since_ns))
					continue;
				err = copy_stack(s, &s->b[s->off + b], k, func_index, &out->stacks[ns]);
				out->nstacks = ++ns;
			}
		}
	}
	hashmap__free(index_of);
	free(func_index);
	if (err)
		snap_free(out);
	return err;
}
