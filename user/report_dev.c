// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* dev-summary and dev-details: where mlpy itself spends the time, by
 * category, for mlpy's own developers. */
#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "sclock.h"
#include "report.h"
#include "table.h"
#include "timefmt.h"
#include "view.h"
#include "where.h"

#define TOP_N 10
#define TOP_ALL 20


/* Categories in the order reports list them. */
static const enum category cat_order[] = {
	CAT_PARSING, CAT_SECURITY, CAT_TRANSPILATION, CAT_SANDBOX, CAT_RUNTIME_OVERHEAD,
	CAT_ML_CODE, CAT_ML_STDLIB, CAT_MLPY_OTHER, CAT_PY_STDLIB, CAT_INTERPRETER,
	CAT_UNCLASSIFIED,
};
#define NCAT (sizeof(cat_order) / sizeof(cat_order[0]))

static void dev_totals(const struct view *v, struct strbuf *out)
{
	char a[64], b[48], c[48];

	strbuf_printf(out, "Runs: %zu (%zu mlpy)   Samples: %s\n", v->nruns, v->nruns_mlpy,
		      sclock_describe(v->s->clock, v->s->freq_hz, v->total, v->s->stats.samples, a,
				      sizeof(a)));
	strbuf_printf(out, "Total Execution Time: %s (wall, exec to exit)\n",
		      report_fmt_secs(v->wall_s, a, sizeof(a)));
	if (v->wait)
		strbuf_printf(out, "Waiting (off-CPU, --mode wall): %s (%s of CPU + waiting; the "
				   "shares below include it)\n",
			      report_fmt_secs(view_secs(v, v->wait), a, sizeof(a)),
			      report_fmt_pct1(view_pct(v->wait, v->total), b, sizeof(b)));
	strbuf_printf(out, "CPU Time (sampled): %s   mlpy overhead: %s (%s)\n\n",
		      report_fmt_secs(view_secs(v, v->total - v->wait), a, sizeof(a)),
		      report_fmt_secs(view_secs(v, view_overhead(v)), b, sizeof(b)),
		      report_fmt_pct1(view_pct(view_overhead(v), v->total), c, sizeof(c)));
}


/* Own time outside the interpreter: native code by shared object, the
 * kernel by system call (user/where.h), the largest (function, where). */
static void where_table(const struct view *v, struct strbuf *out)
{
	const char *wh[] = { "Function", "Where", ">Time", ">% of its self" };
	struct where_row *rows = NULL;
	char label[512], leaf[128], a[48], b[48];
	uint64_t self;
	struct table t;
	size_t n = 0, i, k;

	if (where_rows(v->s, &rows, &n))
		n = 0;
	if (n)
		strbuf_puts(out, "\nOwn time outside the interpreter (native code, the kernel):\n");
	table_init(&t, 4, wh);
	for (i = 0; i < n && i < TOP_ALL; i++) {
		for (k = 0, self = 0; k < v->nfuncs && !self; k++)
			self = v->funcs[k].func == rows[i].func ? v->funcs[k].self : 0;
		view_func_label(v, rows[i].func, label, sizeof(label));
		view_func_label(v, rows[i].leaf, leaf, sizeof(leaf));
		table_row(&t, label, leaf, report_fmt_secs(view_secs(v, rows[i].samples), a, sizeof(a)),
			  report_fmt_pct1(view_pct(rows[i].samples, self), b, sizeof(b)));
	}
	if (n)
		table_grid(&t, out);
	table_free(&t);
	free(rows);
}

/* interp_s, native_s, kernel_s (and wait_s in wall mode) of a function's self. */
static void where_json(const struct view *v, const struct func_stat *r, cJSON *f)
{
	cJSON_AddNumberToObject(f, "interp_s", view_secs(v, r->self - r->native_self -
							 r->kernel_self - r->wait_self));
	cJSON_AddNumberToObject(f, "native_s", view_secs(v, r->native_self));
	cJSON_AddNumberToObject(f, "kernel_s", view_secs(v, r->kernel_self));
	if (r->wait_self)
		cJSON_AddNumberToObject(f, "wait_s", view_secs(v, r->wait_self));
}
int report_dev_summary_text(const struct snap *s, struct strbuf *out)
{
	const char *ch[] = { "Category", ">Time", ">% Total", ">Samples", ">Memory" };
	const char *fh[] = { "Function", "Category", ">Self", ">% Total", ">Samples", ">Memory" };
	struct view v;
	struct table t;
	char label[512], a[48], b[48], c[48], m[48];
	size_t i;
	int err = view_build(s, &v);

	if (err)
		return err;
	report_header(out, "MLPY PERFORMANCE SUMMARY REPORT (Developer View)");
	dev_totals(&v, out);
	strbuf_puts(out, "Time Breakdown (by category; a sample belongs to the innermost frame "
			 "that is not Python stdlib):\n");
	table_init(&t, 4 + (size_t)v.memory, ch);
	for (i = 0; i < NCAT; i++) {
		uint64_t n = v.cat[cat_order[i]];

		table_row(&t, classify_name(cat_order[i]), report_fmt_secs(view_secs(&v, n), a, sizeof(a)),
			  report_fmt_pct1(view_pct(n, v.total), b, sizeof(b)), timefmt_count(n, c, sizeof(c)),
			  view_mb(&v, v.cat_alloc[cat_order[i]], m, sizeof(m)));
	}
	table_row(&t, "Total", report_fmt_secs(view_secs(&v, v.total), a, sizeof(a)),
		  report_fmt_pct1(v.total ? 100.0 : 0, b, sizeof(b)), timefmt_count(v.total, c, sizeof(c)),
		  view_mb(&v, v.alloc_total, m, sizeof(m)));
	table_grid(&t, out);
	table_free(&t);
	strbuf_puts(out, "\nTop Functions (all categories, by self time):\n");
	table_init(&t, 5 + (size_t)v.memory, fh);
	for (i = 0; i < v.nfuncs && i < TOP_ALL; i++) {
		if (!v.funcs[i].self)
			break;
		view_func_label(&v, v.funcs[i].func, label, sizeof(label));
		table_row(&t, label, classify_name(v.func_cat[v.funcs[i].func]),
			  report_fmt_secs(view_secs(&v, v.funcs[i].self), a, sizeof(a)),
			  report_fmt_pct1(view_pct(v.funcs[i].self, v.total), b, sizeof(b)),
			  timefmt_count(v.funcs[i].self, c, sizeof(c)),
			  view_mb(&v, v.funcs[i].alloc_self, m, sizeof(m)));
	}
	table_grid(&t, out);
	table_free(&t);
	where_table(&v, out);
	report_data_notes(s, out);
	view_free(&v);
	return out->err;
}

/* What an mlpy developer should look at, from the numbers. */
static void dev_recommendations(const struct view *v, struct strbuf *out)
{
	char label[512], a[48], b[48], pc[48];
	size_t i;
	int any = 0;

	strbuf_puts(out, "RECOMMENDATIONS FOR MLPY DEVELOPERS:\n\n");
	for (i = 0; i < NCAT; i++) {
		enum category c = cat_order[i];
		uint64_t n = v->cat[c];

		if (!classify_is_mlpy_overhead(c) || !v->nby_cat[c] || view_pct(n, v->total) < 5)
			continue;
		any = 1;
		view_func_label(v, v->by_cat[c][0].func, label, sizeof(label));
		strbuf_printf(out, "> %s takes %s of the run (%s); start with %s (%s of the category)\n",
			      classify_name(c), report_fmt_pct1(view_pct(n, v->total), a, sizeof(a)),
			      report_fmt_secs(view_secs(v, n), b, sizeof(b)), label,
			      report_fmt_pct1(view_pct(v->by_cat[c][0].samples, n), pc, sizeof(pc)));
		if (c == CAT_RUNTIME_OVERHEAD && v->cat[CAT_ML_CODE])
			strbuf_printf(out, "  - that is %s of the time the ML code itself runs\n",
				      report_fmt_pct1(view_pct(n, v->cat[CAT_ML_CODE]), a, sizeof(a)));
		if (c == CAT_PARSING || c == CAT_SECURITY || c == CAT_TRANSPILATION)
			strbuf_puts(out, "  - repeated on every run of an unchanged program unless "
					 "the transpiled output is cached\n");
		strbuf_puts(out, "\n");
	}
	if (!any)
		strbuf_puts(out, "> No mlpy category takes 5% or more of the run.\n\n");
}

int report_dev_details_text(const struct snap *s, struct strbuf *out)
{
	const char *heads[] = { "Function", ">Time", ">% Category", ">Samples", ">Memory" };
	struct view v;
	struct table t;
	char title[256], label[512], a[48], b[48], c[48], m[48];
	size_t i, k;
	int err = view_build(s, &v);

	if (err)
		return err;
	report_header(out, "MLPY INTERNAL PERFORMANCE ANALYSIS (Developer View)");
	dev_totals(&v, out);
	for (k = 0; k < NCAT; k++) {
		enum category cat = cat_order[k];

		if (!classify_is_mlpy_overhead(cat) && cat != CAT_ML_STDLIB)
			continue;
		snprintf(title, sizeof(title), "%s (%s, %s of total)", classify_name(cat),
			 report_fmt_secs(view_secs(&v, v.cat[cat]), a, sizeof(a)),
			 report_fmt_pct1(view_pct(v.cat[cat], v.total), b, sizeof(b)));
		for (i = 0; title[i]; i++)
			title[i] = i < strlen(classify_name(cat)) && title[i] >= 'a' && title[i] <= 'z'
					   ? (char)(title[i] - 32)
					   : title[i];
		table_init(&t, 4 + (size_t)v.memory, heads);
		for (i = 0; i < v.nby_cat[cat] && i < TOP_N; i++) {
			view_func_label(&v, v.by_cat[cat][i].func, label, sizeof(label));
			table_row(&t, label, report_fmt_secs(view_secs(&v, v.by_cat[cat][i].samples), a, sizeof(a)),
				  report_fmt_pct1(view_pct(v.by_cat[cat][i].samples, v.cat[cat]), b, sizeof(b)),
				  timefmt_count(v.by_cat[cat][i].samples, c, sizeof(c)),
				  view_mb(&v, v.by_cat[cat][i].alloc_bytes, m, sizeof(m)));
		}
		if (!v.nby_cat[cat])
			table_row(&t, "(no samples)", "", "", "", "");
		table_box(&t, title, 70, out);
		table_free(&t);
		strbuf_puts(out, "\n");
	}
	dev_recommendations(&v, out);
	report_data_notes(s, out);
	view_free(&v);
	return out->err;
}

/* ---- JSON ---- */

static cJSON *cat_json(const struct view *v, enum category c, size_t top)
{
	cJSON *o = cJSON_CreateObject(), *arr;
	char label[512];
	size_t i;

	if (!o)
		return NULL;
	cJSON_AddStringToObject(o, "category", classify_key(c));
	cJSON_AddStringToObject(o, "name", classify_name(c));
	cJSON_AddNumberToObject(o, "samples", (double)v->cat[c]);
	cJSON_AddNumberToObject(o, "time_s", view_secs(v, v->cat[c]));
	cJSON_AddNumberToObject(o, "pct", view_pct(v->cat[c], v->total));
	cJSON_AddNumberToObject(o, "alloc_bytes", (double)v->cat_alloc[c]);
	cJSON_AddNumberToObject(o, "resident_bytes", (double)v->cat_resident[c]);
	arr = cJSON_AddArrayToObject(o, "functions");
	for (i = 0; arr && i < v->nby_cat[c] && i < top; i++) {
		cJSON *f = cJSON_CreateObject();

		if (!f)
			break;
		view_func_label(v, v->by_cat[c][i].func, label, sizeof(label));
		cJSON_AddStringToObject(f, "function", label);
		cJSON_AddStringToObject(f, "name", v->s->funcs[v->by_cat[c][i].func].name);
		cJSON_AddStringToObject(f, "file", v->s->funcs[v->by_cat[c][i].func].file);
		cJSON_AddNumberToObject(f, "samples", (double)v->by_cat[c][i].samples);
		cJSON_AddNumberToObject(f, "time_s", view_secs(v, v->by_cat[c][i].samples));
		cJSON_AddNumberToObject(f, "pct_of_category",
					view_pct(v->by_cat[c][i].samples, v->cat[c]));
		cJSON_AddNumberToObject(f, "alloc_bytes", (double)v->by_cat[c][i].alloc_bytes);
		cJSON_AddItemToArray(arr, f);
	}
	return o;
}

static cJSON *dev_json(const struct snap *s, int details)
{
	cJSON *o = cJSON_CreateObject(), *arr;
	struct view v;
	char label[512];
	size_t i;

	if (!o || view_build(s, &v)) {
		cJSON_Delete(o);
		return NULL;
	}
	cJSON_AddStringToObject(o, "report", details ? "dev-details" : "dev-summary");
	cJSON_AddNumberToObject(o, "freq_hz", s->freq_hz);
	cJSON_AddStringToObject(o, "clock", sclock_name(s->clock));
	cJSON_AddNumberToObject(o, "clock_samples", (double)s->stats.samples);
	cJSON_AddNumberToObject(o, "runs", (double)v.nruns);
	cJSON_AddNumberToObject(o, "mlpy_runs", (double)v.nruns_mlpy);
	cJSON_AddNumberToObject(o, "wall_s", v.wall_s);
	cJSON_AddNumberToObject(o, "samples", (double)v.total);
	cJSON_AddNumberToObject(o, "cpu_s", view_secs(&v, v.total));
	cJSON_AddNumberToObject(o, "overhead_samples", (double)view_overhead(&v));
	cJSON_AddNumberToObject(o, "dropped", (double)(s->stats.sample_drops + s->stats.lost_samples));
	cJSON_AddBoolToObject(o, "memory", v.memory);
	cJSON_AddNumberToObject(o, "alloc_bytes", (double)v.alloc_total);
	cJSON_AddNumberToObject(o, "resident_bytes", (double)v.resident_total);
	arr = cJSON_AddArrayToObject(o, "categories");
	for (i = 0; arr && i < NCAT; i++) {
		if (!details || classify_is_mlpy_overhead(cat_order[i]) || cat_order[i] == CAT_ML_STDLIB)
			cJSON_AddItemToArray(arr, cat_json(&v, cat_order[i], details ? TOP_N : 0));
	}
	if (!details) {
		arr = cJSON_AddArrayToObject(o, "top_functions");
		for (i = 0; arr && i < v.nfuncs && i < TOP_ALL && v.funcs[i].self; i++) {
			cJSON *f = cJSON_CreateObject();

			if (!f)
				break;
			view_func_label(&v, v.funcs[i].func, label, sizeof(label));
			cJSON_AddStringToObject(f, "function", label);
			cJSON_AddStringToObject(f, "category", classify_key(v.func_cat[v.funcs[i].func]));
			cJSON_AddNumberToObject(f, "self_samples", (double)v.funcs[i].self);
			cJSON_AddNumberToObject(f, "self_s", view_secs(&v, v.funcs[i].self));
			cJSON_AddNumberToObject(f, "pct", view_pct(v.funcs[i].self, v.total));
			where_json(&v, &v.funcs[i], f);
			cJSON_AddNumberToObject(f, "alloc_bytes", (double)v.funcs[i].alloc_self);
			cJSON_AddNumberToObject(f, "alloc_bytes_total", (double)v.funcs[i].alloc_total);
			cJSON_AddItemToArray(arr, f);
		}
	}
	view_free(&v);
	return o;
}

cJSON *report_dev_summary_json(const struct snap *s)
{
	return dev_json(s, 0);
}

cJSON *report_dev_details_json(const struct snap *s)
{
	return dev_json(s, 1);
}
