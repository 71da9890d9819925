// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Self and total sample counts per function. Total counts a function once
 * per sample even when it recurses. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "analysis.h"
#include "satmath.h"
#include "where.h"

struct sort_ctx_row {
	struct func_stat st;
	const char *name;
};

static int cmp_rows(const void *a, const void *b)
{
	const struct sort_ctx_row *x = a, *y = b;

	if (x->st.self != y->st.self)
		return (x->st.self < y->st.self) - (x->st.self > y->st.self);
	if (x->st.total != y->st.total)
		return (x->st.total < y->st.total) - (x->st.total > y->st.total);
	return strcmp(x->name, y->name);
}

static void add_self(struct func_stat *r, const struct snap_stack *st)
{
	r->self += st->samples;
	r->alloc_self += st->alloc_bytes;
	r->count_self += st->alloc_count;
	r->resident_self += st->resident_bytes;
	r->live_self = sat_add_i64(r->live_self, st->live_bytes);
}

static void add_total(struct func_stat *r, const struct snap_stack *st)
{
	r->total += st->samples;
	r->alloc_total += st->alloc_bytes;
	r->count_total += st->alloc_count;
	r->resident_total += st->resident_bytes;
	r->live_total = sat_add_i64(r->live_total, st->live_bytes);
}

static void where_add(struct func_stat *r, int kind, uint64_t samples)
{
	if (kind == WHERE_NATIVE)
		r->native_self += samples;
	else if (kind == WHERE_KERNEL)
		r->kernel_self += samples;
	else if (kind == WHERE_WAIT)
		r->wait_self += samples;
}

int analysis_functions(const struct snap *s, struct func_stat **rows, size_t *n)
{
	struct func_stat *acc = calloc(s->nfuncs + 1, sizeof(*acc));
	size_t *mark = calloc(s->nfuncs + 1, sizeof(*mark));
	uint8_t *wk = where_func_kinds(s);
	struct sort_ctx_row *tmp = NULL;
	size_t i, k = 0;
	uint32_t j, f;
	int err = 0;

	*rows = NULL;
	*n = 0;
	if (!acc || !mark || !wk) {
		err = -ENOMEM;
		goto out;
	}
	for (i = 0; i < s->nstacks; i++) {
		const struct snap_stack *st = &s->stacks[i];
		uint32_t top = 0;

		if (!st->nframes)
			continue;
		if (st->nframes > 1 && wk[st->frames[0].func] != WHERE_NONE) {
			top = 1; /* a where leaf: self time of the frame above */
			where_add(&acc[st->frames[1].func], wk[st->frames[0].func], st->samples);
		}
		add_self(&acc[st->frames[top].func], st);
		for (j = top; j < st->nframes; j++) {
			f = st->frames[j].func;
			if (mark[f] == i + 1)
				continue; /* recursion: once per stack */
			mark[f] = i + 1;
			add_total(&acc[f], st);
		}
	}
	tmp = calloc(s->nfuncs + 1, sizeof(*tmp));
	if (!tmp) {
		err = -ENOMEM;
		goto out;
	}
	for (i = 0; i < s->nfuncs; i++) {
		if (!acc[i].total && !acc[i].alloc_total && !acc[i].resident_total &&
		    !acc[i].live_total)
			continue;
		tmp[k].st = acc[i];
		tmp[k].st.func = (uint32_t)i;
		tmp[k].name = s->funcs[i].qualname;
		k++;
	}
	qsort(tmp, k, sizeof(*tmp), cmp_rows);
	*rows = malloc((k + 1) * sizeof(**rows));
	if (!*rows) {
		err = -ENOMEM;
		goto out;
	}
	for (i = 0; i < k; i++)
		(*rows)[i] = tmp[i].st;
	*n = k;
out:
	free(acc);
	free(mark);
	free(wk);
	free(tmp);
	return err;
}
