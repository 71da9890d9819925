// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* --memory=live bookkeeping (see livemem.h). */
#include <errno.h>
#include <stdlib.h>
#include "hashmap.h"
#include "livemem.h"
#include "liveset.h"
#include "store.h"

struct livemem {
	struct store *st;
	struct hashmap *sets; /* pid -> struct liveset */
};

struct livemem *livemem__new(struct store *st)
{
	struct livemem *lm = calloc(1, sizeof(*lm));

	if (lm && !(lm->sets = hashmap__new(NULL, NULL))) {
		free(lm);
		lm = NULL;
	}
	if (lm)
		lm->st = st;
	return lm;
}

static int free_liveset(uint64_t key, void *value, void *ctx)
{
	(void)key;
	(void)ctx;
	liveset__free(value);
	return 0;
}

void livemem__free(struct livemem *lm)
{
	if (lm) {
		hashmap__for_each(lm->sets, free_liveset, NULL);
		hashmap__free(lm->sets);
	}
	free(lm);
}

void livemem__forget(struct livemem *lm, int pid)
{
	if (lm)
		liveset__free(hashmap__delete(lm->sets, (uint32_t)pid));
}

static struct liveset *live_of(struct livemem *lm, int pid)
{
	struct liveset *ls = hashmap__find(lm->sets, (uint32_t)pid);

	if (!ls) {
		ls = liveset__new();
		if (ls && hashmap__set(lm->sets, (uint32_t)pid, ls, NULL)) {
			liveset__free(ls);
			ls = NULL;
		}
	}
	return ls;
}

struct release_ctx {
	struct store *st;
	struct proc_rec *p;
	uint64_t ts_ns;
};

/* Memory given back: taken off the live bytes of the stack that mapped
 * it, in the bucket of the moment it went. */
static void live_release(void *ctx, const struct frame_ref *frames, uint32_t n, uint64_t bytes)
{
	struct release_ctx *r = ctx;
	struct stack_counts add = { .live_bytes = -(int64_t)bytes };

	store__add_sample(r->st, r->p, frames, n, &add, r->ts_ns);
}

int livemem__mapped(struct livemem *lm, struct proc_rec *p, const struct mlprof_sample *ev,
		    const struct frame_ref *frames, uint32_t n)
{
	struct release_ctx rc = { lm ? lm->st : NULL, p, ev->hdr.ts_ns };
	struct liveset *ls = lm ? live_of(lm, p->pid) : NULL;
	int err = lm ? -ENOMEM : -EALREADY;

	if (ls && liveset__frozen(ls))
		err = -EALREADY; /* finalisation: not the program's memory */
	else if (ls && (ev->flags & MLPROF_SF_HEAP))
		err = liveset__heap_grow(ls, ev->value, frames, n);
	else if (ls)
		err = liveset__map(ls, ev->addr, ev->value, frames, n, live_release, &rc);
	if (err && err != -EALREADY)
		store__stats(lm->st)->live_untracked_bytes += ev->value;
	return err;
}

int livemem__memop(struct livemem *lm, struct proc_rec *p, const struct mlprof_memop_event *ev)
{
	struct release_ctx rc = { lm->st, p, ev->hdr.ts_ns };
	struct liveset *ls = hashmap__find(lm->sets, (uint32_t)p->pid);
	int err = 0;

	if (!ls && ev->op == MLPROF_MO_FINALIZE)
		ls = live_of(lm, p->pid); /* mapped nothing so far: still freeze */
	if (ls && (p->exec_seq != ev->hdr.exec_seq || liveset__frozen(ls)))
		ls = NULL; /* nothing recorded for this image, or it is done */
	switch (ev->op) {
	case MLPROF_MO_UNMAP:
		if (ls)
			liveset__unmap(ls, ev->addr, ev->len, live_release, &rc);
		break;
	case MLPROF_MO_REMAP:
		if (ls && liveset__remap(ls, ev->old_addr, ev->old_len, ev->addr, ev->len,
					 live_release, &rc) == -ENOMEM)
			store__stats(lm->st)->live_untracked_bytes += ev->old_len;
		break;
	case MLPROF_MO_HEAP_SHRINK:
		if (ls)
			liveset__heap_shrink(ls, ev->len, live_release, &rc);
		break;
	case MLPROF_MO_FINALIZE:
		if (ls)
			liveset__freeze(ls);
		break;
	default:
		err = ls ? -EINVAL : 0; /* examined only for a recorded image */
	}
	return err;
}
