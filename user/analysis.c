// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Self and total sample counts per function. Total counts a function once
 * per sample even when it recurses. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "analysis.h"

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

int analysis_functions(const struct snap *s, struct func_stat **rows, size_t *n)
{
	uint64_t *self = calloc(s->nfuncs + 1, sizeof(*self));
	uint64_t *total = calloc(s->nfuncs + 1, sizeof(*total));
	size_t *mark = calloc(s->nfuncs + 1, sizeof(*mark));
	struct sort_ctx_row *tmp = NULL;
	size_t i, k = 0;
	uint32_t j, f;
	int err = 0;

	*rows = NULL;
	*n = 0;
	if (!self || !total || !mark) {
		err = -ENOMEM;
		goto out;
	}
	for (i = 0; i < s->nstacks; i++) {
		const struct snap_stack *st = &s->stacks[i];

		if (!st->nframes)
			continue;
		self[st->frames[0].func] += st->samples;
		for (j = 0; j < st->nframes; j++) {
			f = st->frames[j].func;
			if (mark[f] == i + 1)
				continue; /* recursion: once per stack */
			mark[f] = i + 1;
			total[f] += st->samples;
		}
	}
	tmp = calloc(s->nfuncs + 1, sizeof(*tmp));
	if (!tmp) {
		err = -ENOMEM;
		goto out;
	}
	for (i = 0; i < s->nfuncs; i++) {
		if (!total[i])
			continue;
		tmp[k].st.func = (uint32_t)i;
		tmp[k].st.self = self[i];
		tmp[k].st.total = total[i];
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
	free(self);
	free(total);
	free(mark);
	free(tmp);
	return err;
}
