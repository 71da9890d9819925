// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Per-function deltas between two profiles (diff.h). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "analysis.h"
#include "diff.h"
#include "export.h"

struct entry {
	char *name;
	int side; /* 0: a, 1: b */
	double self, total;
};

static int cmp_name(const void *x, const void *y)
{
	return strcmp(((const struct entry *)x)->name, ((const struct entry *)y)->name);
}

static double dabs(double v)
{
	return v < 0 ? -v : v;
}

static int cmp_change(const void *x, const void *y)
{
	const struct diff_row *a = x, *b = y;
	double da = dabs(a->self_b - a->self_a), db = dabs(b->self_b - b->self_a);
	double ta = dabs(a->total_b - a->total_a), tb = dabs(b->total_b - b->total_a);

	if (da != db)
		return da < db ? 1 : -1;
	if (ta != tb)
		return ta < tb ? 1 : -1;
	return strcmp(a->name, b->name);
}

/* Appends one entry per function of s with samples. */
static int collect(const struct snap *s, int side, struct entry **ents, size_t *n)
{
	struct func_stat *st = NULL;
	struct entry *grown;
	size_t ns = 0, i;
	double hz = s->freq_hz ? (double)s->freq_hz : 1.0;
	char label[1024];
	int err = export_check(s);

	if (!err)
		err = analysis_functions(s, &st, &ns);
	grown = err || !ns ? NULL : realloc(*ents, (*n + ns) * sizeof(**ents));
	if (!err && ns && !grown)
		err = -ENOMEM;
	if (grown)
		*ents = grown;
	for (i = 0; !err && i < ns; i++) {
		struct entry *e = &(*ents)[*n];

		export_func_label(&s->funcs[st[i].func], label, sizeof(label));
		e->name = strdup(label);
		e->side = side;
		e->self = (double)st[i].self / hz;
		e->total = (double)st[i].total / hz;
		if (!e->name)
			err = -ENOMEM;
		else
			(*n)++;
	}
	free(st);
	return err;
}

void diff_free(struct diff_row *rows, size_t n)
{
	size_t i;

	for (i = 0; rows && i < n; i++)
		free(rows[i].name);
	free(rows);
}

int diff_functions(const struct snap *a, const struct snap *b, struct diff_row **rows,
		   size_t *n)
{
	struct entry *ents = NULL;
	struct diff_row *out = NULL;
	size_t ne = 0, no = 0, i;
	int err = collect(a, 0, &ents, &ne);

	if (!err)
		err = collect(b, 1, &ents, &ne);
	if (!err && ne) {
		out = calloc(ne, sizeof(*out));
		if (!out)
			err = -ENOMEM;
	}
	if (!err && ne) {
		qsort(ents, ne, sizeof(*ents), cmp_name);
		for (i = 0; i < ne; i++) {
			struct diff_row *r = &out[no];

			if (!no || strcmp(out[no - 1].name, ents[i].name)) {
				r->name = ents[i].name;
				ents[i].name = NULL;
				no++;
			} else {
				r = &out[no - 1];
			}
			if (ents[i].side) {
				r->self_b += ents[i].self;
				r->total_b += ents[i].total;
			} else {
				r->self_a += ents[i].self;
				r->total_a += ents[i].total;
			}
		}
		qsort(out, no, sizeof(*out), cmp_change);
	}
	for (i = 0; i < ne; i++)
		free(ents[i].name);
	free(ents);
	if (err) {
		diff_free(out, no);
		out = NULL;
		no = 0;
	}
	*rows = out;
	*n = no;
	return err;
}

int diff_render(const struct diff_row *rows, size_t n, int json, struct strbuf *out)
{
	size_t i;

	if (json)
		strbuf_puts(out, "{\"functions\":[");
	else
		strbuf_printf(out, "%10s %10s %10s %10s %10s %10s  %s\n", "SELF_A", "SELF_B",
			      "SELF_DELTA", "TOTAL_A", "TOTAL_B", "TOT_DELTA", "FUNCTION (seconds of CPU)");
	for (i = 0; i < n; i++) {
		const struct diff_row *r = &rows[i];

		if (json) {
			strbuf_puts(out, i ? ",{\"name\":" : "{\"name\":");
			export_json_str(out, r->name);
			strbuf_printf(out, ",\"self_a_s\":%.6f,\"self_b_s\":%.6f,\"self_delta_s\":%.6f,"
				      "\"total_a_s\":%.6f,\"total_b_s\":%.6f,\"total_delta_s\":%.6f}",
				      r->self_a, r->self_b, r->self_b - r->self_a, r->total_a,
				      r->total_b, r->total_b - r->total_a);
		} else {
			strbuf_printf(out, "%10.3f %10.3f %+10.3f %10.3f %10.3f %+10.3f  %s\n",
				      r->self_a, r->self_b, r->self_b - r->self_a, r->total_a,
				      r->total_b, r->total_b - r->total_a, r->name);
		}
	}
	if (json)
		strbuf_puts(out, "]}\n");
	return out->err;
}
