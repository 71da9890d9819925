// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Folded stacks: one "proc;outer;...;inner count" line per distinct stack,
 * sorted, counts in CPU samples. The same stack seen several times (in
 * several time buckets) is one line with the counts added. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "export.h"

struct folded {
	char *line;
	uint64_t n;
};

static int cmp_folded(const void *a, const void *b)
{
	return strcmp(((const struct folded *)a)->line, ((const struct folded *)b)->line);
}

static char *fold(const struct snap *s, const struct snap_stack *st)
{
	struct strbuf sb = STRBUF_INIT;
	char label[1024];
	uint32_t j;

	export_proc_label(&s->procs[st->proc], label, sizeof(label));
	strbuf_puts(&sb, label);
	if (!st->nframes)
		strbuf_puts(&sb, ";" EXPORT_NO_FRAMES);
	for (j = st->nframes; j > 0; j--) {
		export_func_label(&s->funcs[st->frames[j - 1].func], label, sizeof(label));
		strbuf_printf(&sb, ";%s", label);
	}
	return strbuf_detach(&sb);
}

int export_collapsed(const struct snap *s, struct strbuf *out)
{
	struct folded *rows = NULL;
	size_t n = 0, i, k;
	int err = export_check(s);

	if (!err && s->nstacks) {
		rows = calloc(s->nstacks, sizeof(*rows));
		if (!rows)
			err = -ENOMEM;
	}
	for (i = 0; !err && i < s->nstacks; i++) {
		if (!s->stacks[i].samples)
			continue;
		rows[n].n = s->stacks[i].samples;
		rows[n].line = fold(s, &s->stacks[i]);
		if (!rows[n++].line)
			err = -ENOMEM;
	}
	if (!err && n) {
		qsort(rows, n, sizeof(*rows), cmp_folded);
		for (i = 0; i < n; i = k) {
			uint64_t sum = rows[i].n;

			for (k = i + 1; k < n && !strcmp(rows[k].line, rows[i].line); k++)
				sum = export_add_sat(sum, rows[k].n, UINT64_MAX);
			strbuf_printf(out, "%s %llu\n", rows[i].line, (unsigned long long)sum);
		}
		err = out->err;
	}
	for (i = 0; i < n; i++)
		free(rows[i].line);
	free(rows);
	return err;
}
