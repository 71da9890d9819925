// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Builds the derived numbers the ML and developer reports print. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "modname.h"
#include "procmaps.h"
#include "pyphase.h"
#include "view.h"
#include "textesc.h"
#include "where.h"

double view_secs(const struct view *v, uint64_t samples)
{
	return v->s->freq_hz ? (double)samples / v->s->freq_hz : 0;
}

double view_pct(uint64_t part, uint64_t whole)
{
	return whole ? 100.0 * (double)part / (double)whole : 0;
}

const char *view_mb(const struct view *v, uint64_t bytes, char *buf, size_t len)
{
	if (!v->memory)
		snprintf(buf, len, "-");
	else
		snprintf(buf, len, "%.1f MB", (double)bytes / (1024.0 * 1024.0));
	return buf;
}

uint64_t view_overhead(const struct view *v)
{
	uint64_t n = 0;
	int c;

	for (c = 0; c < CAT_NR; c++) {
		if (classify_is_mlpy_overhead(c))
			n += v->cat[c];
	}
	return n;
}

/* Labels go into text reports: a target's name loses its control
 * characters (see textesc.h), truncated to the buffer like the label. */
static void escape_label(char *buf, size_t len)
{
	struct strbuf sb = STRBUF_INIT;

	if (len && textesc_needed(buf, strlen(buf), 0) && !textesc_append(&sb, buf, strlen(buf), 0))
		snprintf(buf, len, "%.*s", (int)sb.len, sb.buf);
	strbuf_free(&sb);
}

void view_func_label(const struct view *v, uint32_t func, char *buf, size_t len)
{
	const struct snap_func *f = &v->s->funcs[func];

	if (f->kind == FUNC_ML && f->line > 0)
		snprintf(buf, len, "%s (%s:%d)", f->name, procmaps_basename(f->file), f->line);
	else if (f->kind == FUNC_ML)
		snprintf(buf, len, "%s (%s)", f->name, procmaps_basename(f->file));
	else if (f->kind == FUNC_PSEUDO)
		snprintf(buf, len, "%s", f->name);
	else if (!strcmp(f->qualname, "<module>")) { /* which module: its name */
		char mod[256];

		snprintf(buf, len, "<module %s>", modname(f->file, mod, sizeof(mod)));
	}
	else
		snprintf(buf, len, "%s (%s:%d)", f->qualname, procmaps_basename(f->file), f->line);
	escape_label(buf, len);
}

static int cmp_ml(const void *a, const void *b)
{
	const struct ml_func *x = a, *y = b;

	if (x->samples != y->samples)
		return (x->samples < y->samples) - (x->samples > y->samples);
	return (x->func > y->func) - (x->func < y->func);
}

static int cmp_ml_total(const void *a, const void *b)
{
	const struct ml_func *x = *(const struct ml_func *const *)a;
	const struct ml_func *y = *(const struct ml_func *const *)b;

	if (x->total != y->total)
		return (x->total < y->total) - (x->total > y->total);
	return cmp_ml(x, y);
}

static int cmp_files(const void *a, const void *b)
{
	const struct ml_file *x = a, *y = b;

	if (x->samples != y->samples)
		return (x->samples < y->samples) - (x->samples > y->samples);
	return strcmp(x->file, y->file);
}

static int cmp_catf(const void *a, const void *b)
{
	const struct cat_func *x = a, *y = b;

	if (x->samples != y->samples)
		return (x->samples < y->samples) - (x->samples > y->samples);
	return (x->func > y->func) - (x->func < y->func);
}

/* Index of the frame that owns a sample's time. */
static uint32_t owner_frame(const uint8_t *func_cat, const struct snap_stack *st)
{
	uint32_t j;

	for (j = 0; j < st->nframes; j++) {
		if (!classify_is_passive(func_cat[st->frames[j].func]))
			return j;
	}
	return 0;
}

uint8_t *view_func_cats(const struct snap *s)
{
	uint8_t *cat = calloc(s->nfuncs + 1, 1);
	size_t i;

	for (i = 0; cat && i < s->nfuncs; i++)
		cat[i] = (uint8_t)classify_function(s->funcs[i].py_file[0] ? s->funcs[i].py_file
									    : s->funcs[i].file,
						    s->funcs[i].name, s->funcs[i].kind == FUNC_ML,
						    s->funcs[i].kind == FUNC_PSEUDO);
	return cat;
}

enum category view_stack_cat(const uint8_t *func_cat, const struct snap_stack *st)
{
	if (!st->nframes)
		return CAT_INTERPRETER;
	return (enum category)func_cat[st->frames[owner_frame(func_cat, st)].func];
}

/* Per-ML-function line counts, kept as a small open list per function. */
struct line_count {
	uint32_t func;
	int32_t line;
	uint64_t n;
};

static int count_line(struct line_count **lc, size_t *n, size_t *cap, uint32_t func,
		      int32_t line, uint64_t k)
{
	struct line_count *p;
	size_t i;

	for (i = 0; i < *n; i++) {
		if ((*lc)[i].func == func && (*lc)[i].line == line) {
			(*lc)[i].n += k;
			return 0;
		}
	}
	if (*n == *cap) {
		*cap = *cap ? *cap * 2 : 64;
		p = realloc(*lc, *cap * sizeof(*p));
		if (!p)
			return -ENOMEM;
		*lc = p;
	}
	(*lc)[(*n)++] = (struct line_count){ func, line, k };
	return 0;
}

static void run_walls(struct view *v)
{
	const struct snap *s = v->s;
	uint64_t *lo = calloc(s->nprocs + 1, sizeof(*lo)), *hi = calloc(s->nprocs + 1, sizeof(*hi));
	uint8_t *mlpy = calloc(s->nprocs + 1, 1);
	size_t i, r;

	if (!lo || !hi || !mlpy)
		goto out;
	for (i = 0; i < s->nprocs; i++) {
		const struct snap_proc *p = &s->procs[i];
		uint64_t end = p->ended ? p->end_ns : s->now_ns;

		r = (size_t)p->root;
		if (!lo[r] || p->start_ns < lo[r])
			lo[r] = p->start_ns;
		if (end > hi[r])
			hi[r] = end;
		mlpy[r] |= p->mlpy != MLPY_NONE;
		if (p->maxrss_kb > v->peak_rss_kb)
			v->peak_rss_kb = p->maxrss_kb;
		if (p->peak_heap_kb > v->peak_heap_kb)
			v->peak_heap_kb = p->peak_heap_kb;
	}
	for (r = 0; r < s->nprocs; r++) {
		if (!lo[r])
			continue;
		v->nruns++;
		v->nruns_mlpy += mlpy[r];
	}
	for (r = 0; r < s->nprocs; r++) {
		if (lo[r] && hi[r] > lo[r] && (mlpy[r] || !v->nruns_mlpy))
			v->wall_s += (double)(hi[r] - lo[r]) / 1e9;
	}
out:
	free(lo);
	free(hi);
	free(mlpy);
}

/* Samples of the interpreter's own phases: shutdown is the root of its
 * stacks, garbage collection the innermost frame. */
static void count_phases(const struct snap *s, const struct snap_stack *st, struct view *v)
{
	unsigned in = pyphase_of_stack(s, st);

	v->shutdown += in & PYPHASE_IN_SHUTDOWN ? st->samples : 0;
	v->gc += in & PYPHASE_IN_GC ? st->samples : 0;
}

int view_build(const struct snap *s, struct view *v)
{
	const struct snap_stack *st;
	struct line_count *lines = NULL, *leaves = NULL;
	size_t nleaves = 0, capleaves = 0;
	size_t nlines = 0, caplines = 0, i, k;
	uint64_t *ml_idx = NULL, *catf = NULL, *cata = NULL;
	uint32_t j, own, f, inner_ml;
	int err = 0, c;

	memset(v, 0, sizeof(*v));
	v->s = s;
	v->func_cat = view_func_cats(s);
	v->where_kind = where_func_kinds(s);
	ml_idx = calloc(s->nfuncs + 1, sizeof(*ml_idx));      /* func -> ml index + 1 */
	catf = calloc((s->nfuncs + 1) * CAT_NR, sizeof(*catf)); /* samples per (cat, func) */
	cata = calloc((s->nfuncs + 1) * CAT_NR, sizeof(*cata)); /* bytes per (cat, func) */
	v->ml = calloc(s->nfuncs + 1, sizeof(*v->ml));
	v->memory = s->memory != SNAP_MEM_OFF;
	if (!v->func_cat || !v->where_kind || !ml_idx || !catf || !cata || !v->ml) {
		err = -ENOMEM;
		goto out;
	}
	for (i = 0; i < s->nstacks && !err; i++) {
		st = &s->stacks[i];
		v->total += st->samples;
		if (st->nframes && v->where_kind[st->frames[0].func] == WHERE_WAIT)
			v->wait += st->samples;
		v->alloc_total += st->alloc_bytes;
		v->resident_total += st->resident_bytes;
		count_phases(s, st, v);
		if (!st->nframes) {
			v->cat[CAT_INTERPRETER] += st->samples;
			v->cat_alloc[CAT_INTERPRETER] += st->alloc_bytes;
			v->cat_resident[CAT_INTERPRETER] += st->resident_bytes;
			continue;
		}
		own = owner_frame(v->func_cat, st);
		f = st->frames[own].func;
		c = v->func_cat[f];
		v->cat[c] += st->samples;
		v->cat_alloc[c] += st->alloc_bytes;
		v->cat_resident[c] += st->resident_bytes;
		catf[(size_t)c * (s->nfuncs + 1) + f] += st->samples;
		cata[(size_t)c * (s->nfuncs + 1) + f] += st->alloc_bytes;
		/* The innermost ML frame is charged for what runs on its behalf
		 * (ML code, bridges and runtime checks it called). */
		for (inner_ml = 0; inner_ml < st->nframes; inner_ml++) {
			if (s->funcs[st->frames[inner_ml].func].kind == FUNC_ML)
				break;
		}
		if (inner_ml == st->nframes)
			continue;
		f = st->frames[inner_ml].func;
		if (!ml_idx[f]) {
			v->ml[v->nml].func = f;
			v->ml[v->nml].hot_line = -1;
			ml_idx[f] = ++v->nml;
		}
		/* Memory goes to the ML function whatever it called to get it
		 * (append() in a bridge allocates the user's data). */
		v->ml[ml_idx[f] - 1].alloc_bytes += st->alloc_bytes;
		v->ml[ml_idx[f] - 1].resident_bytes += st->resident_bytes;
		v->ml_alloc += st->alloc_bytes;
		v->ml_resident += st->resident_bytes;
		if (c == CAT_ML_CODE) {
			struct ml_func *m = &v->ml[ml_idx[f] - 1];
			int leaf = st->nframes > 1 ? v->where_kind[st->frames[0].func] : WHERE_NONE;

			m->samples += st->samples;
			/* else Python code it called is innermost (a where leaf
			 * is not Python code) */
			if (inner_ml == (leaf != WHERE_NONE))
				m->own += st->samples;
			else
				m->in_stdlib += st->samples;
			if (leaf != WHERE_NONE) {
				m->in_native += leaf == WHERE_NATIVE ? st->samples : 0;
				m->in_kernel += leaf == WHERE_KERNEL ? st->samples : 0;
				m->direct_leaf += inner_ml == 1 ? st->samples : 0;
				err = count_line(&leaves, &nleaves, &capleaves, f,
						 (int32_t)st->frames[0].func, st->samples);
			}
			if (err)
				break;
			err = count_line(&lines, &nlines, &caplines, f, st->frames[inner_ml].line,
					 st->samples);
		} else if (c == CAT_ML_STDLIB) {
			v->ml[ml_idx[f] - 1].in_bridges += st->samples;
		} else if (c == CAT_RUNTIME_OVERHEAD) {
			v->ml[ml_idx[f] - 1].in_runtime += st->samples;
		}
	}
	if (err)
		goto out;
	err = analysis_functions(s, &v->funcs, &v->nfuncs);
	/* Every ML function on a sampled stack is listed, also one that ran
	 * only through its callees (a main() with no self samples). */
	for (i = 0; !err && i < v->nfuncs; i++) {
		f = v->funcs[i].func;
		if (!ml_idx[f] && s->funcs[f].kind == FUNC_ML && v->funcs[i].total) {
			v->ml[v->nml].func = f;
			v->ml[v->nml].hot_line = -1;
			ml_idx[f] = ++v->nml;
		}
		if (ml_idx[f])
			v->ml[ml_idx[f] - 1].total = v->funcs[i].total;
	}
	for (i = 0; i < v->nml; i++)
		v->ml[i].top_leaf = UINT32_MAX;
	for (i = 0; i < nleaves; i++) {
		struct ml_func *m = &v->ml[ml_idx[leaves[i].func] - 1];

		if (leaves[i].n > m->top_leaf_samples) {
			m->top_leaf = (uint32_t)leaves[i].line;
			m->top_leaf_samples = leaves[i].n;
		}
	}
	for (i = 0; i < nlines; i++) {
		struct ml_func *m = &v->ml[ml_idx[lines[i].func] - 1];

		if (lines[i].line > 0 && lines[i].n > m->hot_line_samples) {
			m->hot_line = lines[i].line;
			m->hot_line_samples = lines[i].n;
		}
	}
	qsort(v->ml, v->nml, sizeof(*v->ml), cmp_ml);
	v->ml_by_total = calloc(v->nml + 1, sizeof(*v->ml_by_total));
	if (!v->ml_by_total)
		err = -ENOMEM;
	for (i = 0; !err && i < v->nml; i++)
		v->ml_by_total[i] = &v->ml[i];
	if (!err)
		qsort(v->ml_by_total, v->nml, sizeof(*v->ml_by_total), cmp_ml_total);
	v->files = calloc(v->nml + 1, sizeof(*v->files));
	for (i = 0; !err && v->files && i < v->nml; i++) {
		const char *file = s->funcs[v->ml[i].func].file;

		for (k = 0; k < v->nfiles && strcmp(v->files[k].file, file); k++)
			;
		if (k == v->nfiles)
			v->files[v->nfiles++].file = file;
		v->files[k].samples += v->ml[i].samples;
		v->files[k].alloc_bytes += v->ml[i].alloc_bytes;
		v->files[k].nfuncs++;
	}
	if (!v->files)
		err = -ENOMEM;
	else
		qsort(v->files, v->nfiles, sizeof(*v->files), cmp_files);
	for (c = 0; !err && c < CAT_NR; c++) {
		v->by_cat[c] = calloc(s->nfuncs + 1, sizeof(**v->by_cat));
		if (!v->by_cat[c]) {
			err = -ENOMEM;
			break;
		}
		for (j = 0; j < s->nfuncs; j++) {
			uint64_t n = catf[(size_t)c * (s->nfuncs + 1) + j];
			uint64_t a = cata[(size_t)c * (s->nfuncs + 1) + j];

			if (n || a)
				v->by_cat[c][v->nby_cat[c]++] = (struct cat_func){ j, n, a };
		}
		qsort(v->by_cat[c], v->nby_cat[c], sizeof(**v->by_cat), cmp_catf);
	}
	if (!err)
		run_walls(v);
out:
	free(lines);
	free(leaves);
	free(ml_idx);
	free(catf);
	free(cata);
	if (err)
		view_free(v);
	return err;
}

void view_free(struct view *v)
{
	int c;

	free(v->func_cat);
	free(v->where_kind);
	free(v->funcs);
	free(v->ml);
	free(v->ml_by_total);
	free(v->files);
	for (c = 0; c < CAT_NR; c++)
		free(v->by_cat[c]);
	memset(v, 0, sizeof(*v));
}
