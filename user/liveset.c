// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Sorted, non-overlapping regions and a heap stack; frames shared by the
 * pieces of a split region are reference counted. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "liveset.h"

struct owner {
	uint32_t refs;
	uint32_t n;
	struct frame_ref frames[];
};

struct region {
	uint64_t start, len;
	struct owner *own;
};

struct liveset {
	struct region *r;    /* sorted by start, disjoint */
	size_t n, cap;
	struct region *heap; /* sbrk growth, in order (start unused) */
	size_t nheap, capheap;
	uint64_t bytes;
	int frozen;
};

static struct owner *owner_new(const struct frame_ref *frames, uint32_t n)
{
	struct owner *o = malloc(sizeof(*o) + (size_t)n * sizeof(frames[0]));

	if (o) {
		o->refs = 1;
		o->n = n;
		memcpy(o->frames, frames, (size_t)n * sizeof(frames[0]));
	}
	return o;
}

static void owner_put(struct owner *o)
{
	if (o && !--o->refs)
		free(o);
}

struct liveset *liveset__new(void)
{
	return calloc(1, sizeof(struct liveset));
}

void liveset__free(struct liveset *ls)
{
	size_t i;

	if (!ls)
		return;
	for (i = 0; i < ls->n; i++)
		owner_put(ls->r[i].own);
	for (i = 0; i < ls->nheap; i++)
		owner_put(ls->heap[i].own);
	free(ls->r);
	free(ls->heap);
	free(ls);
}

static int grow(struct region **arr, size_t *cap, size_t need)
{
	struct region *nr;
	size_t c = *cap ? *cap : 16;

	while (c < need)
		c *= 2;
	if (c == *cap)
		return 0;
	nr = realloc(*arr, c * sizeof(*nr));
	if (!nr)
		return -ENOMEM;
	*arr = nr;
	*cap = c;
	return 0;
}

/* Index of the first region ending after addr. */
static size_t first_after(const struct liveset *ls, uint64_t addr)
{
	size_t lo = 0, hi = ls->n, mid;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (ls->r[mid].start + ls->r[mid].len <= addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static void release(struct liveset *ls, struct owner *o, uint64_t bytes, live_release_fn fn,
		    void *ctx)
{
	ls->bytes -= bytes;
	if (fn && bytes)
		fn(ctx, o->frames, o->n, bytes);
}

/* Takes [addr, end) out of the regions; the pieces taken are released
 * (fn NULL: moved elsewhere by the caller, who gets them in moved[] when
 * not NULL, owners referenced). Needs room for one more region (a split).
 * Returns the number of pieces moved. */
static size_t cut(struct liveset *ls, uint64_t addr, uint64_t end, live_release_fn fn, void *ctx,
		  struct region *moved, size_t max_moved)
{
	size_t i = first_after(ls, addr), nm = 0;
	struct region *g, right;
	uint64_t a, b, gend;

	while (i < ls->n && ls->r[i].start < end) {
		g = &ls->r[i];
		gend = g->start + g->len;
		a = g->start > addr ? g->start : addr;
		b = gend < end ? gend : end;
		if (moved && nm < max_moved) {
			moved[nm] = (struct region){ a, b - a, g->own };
			g->own->refs++;
			nm++;
			ls->bytes -= b - a;
		} else {
			release(ls, g->own, b - a, fn, ctx);
		}
		if (g->start < a && gend > b) {
			/* A hole in the middle: keep both sides (room reserved). */
			right = (struct region){ b, gend - b, g->own };
			g->own->refs++;
			g->len = a - g->start;
			memmove(&ls->r[i + 2], &ls->r[i + 1], (ls->n - i - 1) * sizeof(*g));
			ls->r[i + 1] = right;
			ls->n++;
			i += 2;
		} else if (g->start < a) {
			g->len = a - g->start;
			i++;
		} else if (gend > b) {
			g->start = b;
			g->len = gend - b;
			i++;
		} else {
			owner_put(g->own);
			memmove(g, g + 1, (ls->n - i - 1) * sizeof(*g));
			ls->n--;
		}
	}
	return nm;
}

static int insert(struct liveset *ls, uint64_t addr, uint64_t len, struct owner *o)
{
	size_t i;

	if (grow(&ls->r, &ls->cap, ls->n + 1))
		return -ENOMEM;
	i = first_after(ls, addr);
	memmove(&ls->r[i + 1], &ls->r[i], (ls->n - i) * sizeof(ls->r[0]));
	ls->r[i] = (struct region){ addr, len, o };
	ls->n++;
	ls->bytes += len;
	return 0;
}

int liveset__map(struct liveset *ls, uint64_t addr, uint64_t len, const struct frame_ref *frames,
		 uint32_t n, live_release_fn fn, void *ctx)
{
	struct owner *o;
	int err;

	if (!len || addr + len < addr)
		return -EINVAL;
	if (grow(&ls->r, &ls->cap, ls->n + 2))
		return -ENOMEM;
	cut(ls, addr, addr + len, fn, ctx, NULL, 0);
	o = owner_new(frames, n);
	err = o ? insert(ls, addr, len, o) : -ENOMEM;
	if (err)
		owner_put(o);
	return err;
}

void liveset__unmap(struct liveset *ls, uint64_t addr, uint64_t len, live_release_fn fn,
		    void *ctx)
{
	uint64_t end = addr + len < addr ? UINT64_MAX : addr + len;

	if (!len)
		return;
	if (grow(&ls->r, &ls->cap, ls->n + 1)) {
		/* No room to split: give back whole regions only. */
		size_t i = first_after(ls, addr);

		while (i < ls->n && ls->r[i].start < end) {
			if (ls->r[i].start >= addr && ls->r[i].start + ls->r[i].len <= end)
				cut(ls, ls->r[i].start, ls->r[i].start + ls->r[i].len, fn, ctx, NULL, 0);
			else
				i++;
		}
		return;
	}
	cut(ls, addr, end, fn, ctx, NULL, 0);
}

#define REMAP_PIECES 64

int liveset__remap(struct liveset *ls, uint64_t old, uint64_t old_len, uint64_t addr,
		   uint64_t len, live_release_fn fn, void *ctx)
{
	struct region moved[REMAP_PIECES];
	uint64_t keep = old_len < len ? old_len : len;
	size_t nm, i;
	int err = 0;

	if (!old_len || old + old_len < old || addr + keep < addr)
		return -EINVAL;
	/* Each cut splits at most one region: room for one more each time. */
	if (grow(&ls->r, &ls->cap, ls->n + 1))
		return -ENOMEM;
	/* The part cut off by a shrink is given back; the rest moves. */
	if (old_len > keep)
		cut(ls, old + keep, old + old_len, fn, ctx, NULL, 0);
	if (grow(&ls->r, &ls->cap, ls->n + 1))
		return -ENOMEM;
	nm = cut(ls, old, old + keep, fn, ctx, moved, REMAP_PIECES);
	if (keep && !grow(&ls->r, &ls->cap, ls->n + 1))
		cut(ls, addr, addr + keep, fn, ctx, NULL, 0); /* whatever was there */
	for (i = 0; i < nm; i++) {
		if (!err)
			err = insert(ls, moved[i].start - old + addr, moved[i].len, moved[i].own);
		if (err)
			owner_put(moved[i].own);
	}
	return err;
}

int liveset__heap_grow(struct liveset *ls, uint64_t len, const struct frame_ref *frames,
		       uint32_t n)
{
	struct owner *o;

	if (!len)
		return 0;
	if (grow(&ls->heap, &ls->capheap, ls->nheap + 1))
		return -ENOMEM;
	o = owner_new(frames, n);
	if (!o)
		return -ENOMEM;
	ls->heap[ls->nheap++] = (struct region){ 0, len, o };
	ls->bytes += len;
	return 0;
}

void liveset__heap_shrink(struct liveset *ls, uint64_t len, live_release_fn fn, void *ctx)
{
	struct region *top;
	uint64_t take;

	while (len && ls->nheap) {
		top = &ls->heap[ls->nheap - 1];
		take = top->len < len ? top->len : len;
		release(ls, top->own, take, fn, ctx);
		top->len -= take;
		len -= take;
		if (!top->len) {
			owner_put(top->own);
			ls->nheap--;
		}
	}
}

static void owner_funcs(const struct owner *o, void (*fn)(uint32_t func, void *ctx), void *ctx)
{
	uint32_t i;

	for (i = 0; i < o->n; i++)
		fn(o->frames[i].func, ctx);
}

void liveset__for_each_func(const struct liveset *ls, void (*fn)(uint32_t func, void *ctx),
			    void *ctx)
{
	size_t i;

	for (i = 0; i < ls->n; i++)
		owner_funcs(ls->r[i].own, fn, ctx);
	for (i = 0; i < ls->nheap; i++)
		owner_funcs(ls->heap[i].own, fn, ctx);
}

void liveset__freeze(struct liveset *ls)
{
	ls->frozen = 1;
}

int liveset__frozen(const struct liveset *ls)
{
	return ls->frozen;
}

uint64_t liveset__bytes(const struct liveset *ls)
{
	return ls->bytes;
}
