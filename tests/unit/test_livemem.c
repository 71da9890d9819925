// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Live memory and the store's function ids: memory mapped by a function
 * and given back after the store dropped the stacks that recorded the
 * mapping (a reset or an expired bucket) is still charged to that
 * function, because the frames that own live memory hold their ids
 * (livemem__for_each_func, registered as the collector does). */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>
#include "livemem.h"
#include "mlprof_abi.h"
#include "snapshot.h"
#include "store.h"

#define S 1000000000ULL

static void held(void *ctx, store_mark_fn mark, void *mark_ctx)
{
	livemem__for_each_func(ctx, mark, mark_ctx);
}

/* live_bytes of the stacks whose innermost frame is named name. */
static int64_t live_of(struct store *st, const char *name)
{
	struct snap s;
	int64_t v = 0;
	size_t i;

	cr_assert_eq(store__snapshot(st, &s), 0);
	for (i = 0; i < s.nstacks; i++) {
		if (s.stacks[i].nframes && !strcmp(s.funcs[s.stacks[i].frames[0].func].name, name))
			v += s.stacks[i].live_bytes;
	}
	snap_free(&s);
	return v;
}

Test(livemem, frames_owning_live_memory_keep_their_function_ids)
{
	struct store_limits lim = STORE_DEFAULT_LIMITS;
	struct store *st = store__new(&lim, 0);
	struct livemem *lm = livemem__new(st);
	struct mlprof_sample *ev = calloc(1, sizeof(*ev));
	struct mlprof_memop_event op;
	struct stack_counts add = { 0 };
	struct frame_ref fr[1];
	struct proc_rec *p;
	size_t n;

	cr_assert(st && lm && ev);
	store__set_holders(st, held, lm);
	p = store__proc_start(st, 100, 1, 1, NULL);
	cr_assert_not_null(p);
	fr[0].func = store__func(st, "/app.py", "mapper", "mapper", 3, FUNC_PYTHON, NULL, 0);
	fr[0].line = 4;
	ev->hdr.pid = 100;
	ev->hdr.exec_seq = 1;
	ev->hdr.ts_ns = 2 * S;
	ev->kind = MLPROF_MK_ALLOC;
	ev->flags = MLPROF_SF_ADDR;
	ev->value = 1 << 20;
	ev->addr = 0x10000000;
	cr_assert_eq(livemem__mapped(lm, p, ev, fr, 1), 0);
	add.live_bytes = 1 << 20;
	store__add_sample(st, p, fr, 1, &add, 2 * S);
	/* The stacks go (a continuous-mode reset); the mapping stays live. */
	store__reset(st, 3 * S);
	cr_assert_eq(store__stats(st)->expired_funcs, 0, "mapper owns live memory");
	store__func(st, "/app.py", "newcomer", "newcomer", 9, FUNC_PYTHON, NULL, 0);
	memset(&op, 0, sizeof(op));
	op.hdr.pid = 100;
	op.hdr.exec_seq = 1;
	op.hdr.ts_ns = 4 * S;
	op.op = MLPROF_MO_UNMAP;
	op.addr = 0x10000000;
	op.len = 1 << 20;
	cr_assert_eq(livemem__memop(lm, p, &op), 0);
	cr_assert_eq(live_of(st, "mapper"), -(1 << 20), "given back by the function that mapped it");
	cr_assert_eq(live_of(st, "newcomer"), 0);
	/* Given back, nothing holds it: a reset frees it and newcomer. */
	n = store__func_count(st);
	store__reset(st, 5 * S);
	cr_assert_eq(store__func_count(st), n - 2);
	livemem__free(lm);
	store__free(st);
	free(ev);
}
