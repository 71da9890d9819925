// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* ml-summary and ml-details: the user's ML functions, by .ml file and line,
 * with mlpy's own work shown only as overhead. */
#include <cjson/cJSON.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "sclock.h"
#include "procmaps.h"
#include "report.h"
#include "textesc.h"
#include "table.h"
#include "timefmt.h"
#include "view.h"

#define RULE_WIDTH 70
#define TOP_N 10

void report_header(struct strbuf *out, const char *title)
{
	strbuf_repeat(out, '=', RULE_WIDTH);
	strbuf_printf(out, "\n%s\n", title);
	strbuf_repeat(out, '=', RULE_WIDTH);
	strbuf_puts(out, "\n\n");
}

const char *report_fmt_secs(double s, char *buf, size_t len)
{
	char tmp[48];

	snprintf(buf, len, "%ss", timefmt_fixed(s, 3, tmp, sizeof(tmp)));
	return buf;
}

const char *report_fmt_pct1(double p, char *buf, size_t len)
{
	snprintf(buf, len, "%.1f%%", p);
	return buf;
}

/* The lines every ML report starts with. */
static void ml_totals(const struct view *v, struct strbuf *out)
{
	uint64_t ml = v->cat[CAT_ML_CODE], over = view_overhead(v);
	uint64_t other = v->total - ml - over;
	char a[64], b[48], c[48], d[48];

	strbuf_printf(out, "Runs: %zu%s   Samples: %s\n", v->nruns_mlpy ? v->nruns_mlpy : v->nruns,
		      v->nruns_mlpy ? " mlpy" : "",
		      sclock_describe(v->s->clock, v->s->freq_hz, v->total, v->s->stats.samples, a,
				      sizeof(a)));
	strbuf_printf(out, "Total Execution Time: %s (wall, exec to exit)\n",
		      report_fmt_secs(v->wall_s, a, sizeof(a)));
	strbuf_printf(out, "CPU Time (sampled): %s\n",
		      report_fmt_secs(view_secs(v, v->total - v->wait), a, sizeof(a)));
	if (v->wait)
		strbuf_printf(out, "Waiting (off-CPU, --mode wall): %s (%s of CPU + waiting; the "
				   "shares below include it)\n",
			      report_fmt_secs(view_secs(v, v->wait), a, sizeof(a)),
			      report_fmt_pct1(view_pct(v->wait, v->total), b, sizeof(b)));
	strbuf_printf(out, "ML Code Execution Time: %s (%s of CPU)\n",
		      report_fmt_secs(view_secs(v, ml), a, sizeof(a)),
		      report_fmt_pct1(view_pct(ml, v->total), b, sizeof(b)));
	strbuf_printf(out, "mlpy Overhead: %s (%s of CPU)\n", report_fmt_secs(view_secs(v, over), a, sizeof(a)),
		      report_fmt_pct1(view_pct(over, v->total), b, sizeof(b)));
	strbuf_printf(out, "Other (ML stdlib bridges, Python stdlib outside ML code, interpreter): %s (%s)\n",
		      report_fmt_secs(view_secs(v, other), a, sizeof(a)),
		      report_fmt_pct1(view_pct(other, v->total), c, sizeof(c)));
	/* Parts of the above the interpreter names itself (README,
	 * "Interpreter phases"). */
	if (v->shutdown || v->gc)
		strbuf_printf(out, "Interpreter Shutdown: %s (%s of CPU)   Garbage Collection: %s (%s)\n",
			      report_fmt_secs(view_secs(v, v->shutdown), a, sizeof(a)),
			      report_fmt_pct1(view_pct(v->shutdown, v->total), b, sizeof(b)),
			      report_fmt_secs(view_secs(v, v->gc), c, sizeof(c)),
			      report_fmt_pct1(view_pct(v->gc, v->total), d, sizeof(d)));
	if (v->peak_rss_kb)
		strbuf_printf(out, "Peak Memory (largest process RSS): %.1f MB\n",
			      (double)v->peak_rss_kb / 1024.0);
	if (v->peak_heap_kb)
		strbuf_printf(out, "Largest Heap (anonymous resident memory of one process): %.1f MB\n",
			      (double)v->peak_heap_kb / 1024.0);
	if (v->memory)
		strbuf_printf(out, "ML Code Memory: %s mapped, %s made resident (all code: %s, %s)\n",
			      view_mb(v, v->ml_alloc, a, sizeof(a)),
			      view_mb(v, v->ml_resident, b, sizeof(b)),
			      view_mb(v, v->alloc_total, c, sizeof(c)),
			      view_mb(v, v->resident_total, d, sizeof(d)));
	strbuf_puts(out, "\n");
}


/* Time in ML code vs library code it calls (Python library code, native
 * code named by its shared object, the kernel), when the library's share
 * is worth a line (5%). */
static void ml_where_line(const struct view *v, const struct ml_func *m, struct strbuf *out)
{
	uint64_t ml_code = m->own - m->direct_leaf, lib = m->samples - ml_code;
	const char *leaf;
	char a[32], b[32], c[32];

	/* Only profiles that say where native code ran (decision 26). */
	if (m->samples && (m->in_native + m->in_kernel) && view_pct(lib, m->samples) >= 5) {
		strbuf_printf(out, "  - time in ML code %s, in library code it calls %s",
			      report_fmt_pct1(view_pct(ml_code, m->samples), a, sizeof(a)),
			      report_fmt_pct1(view_pct(lib, m->samples), b, sizeof(b)));
		if (m->top_leaf != UINT32_MAX && m->top_leaf_samples * 20 >= m->samples) {
			leaf = v->s->funcs[m->top_leaf].name;
			strbuf_puts(out, ", most in ");
			textesc_append(out, leaf, strlen(leaf), 0);
			strbuf_printf(out, " (%s)", report_fmt_pct1(view_pct(m->top_leaf_samples,
								      m->samples), c, sizeof(c)));
		}
		strbuf_puts(out, "\n");
	}
}
static void ml_recommendations(const struct view *v, struct strbuf *out)
{
	uint64_t ml = v->cat[CAT_ML_CODE], rt = v->cat[CAT_RUNTIME_OVERHEAD];
	char label[512], a[48], b[48];
	size_t i;
	int any = 0;

	strbuf_puts(out, "OPTIMIZATION RECOMMENDATIONS:\n\n");
	for (i = 0; i < v->nml && i < 3; i++) {
		const struct ml_func *m = &v->ml[i];
		const struct snap_func *f = &v->s->funcs[m->func];
		uint64_t part = m->own;
		const char *what = "its own code";

		if (view_pct(m->samples, ml) < 10 && i)
			break;
		any = 1;
		view_func_label(v, m->func, label, sizeof(label));
		strbuf_printf(out, "> %s - %s of ML time (%s)\n", label,
			      report_fmt_pct1(view_pct(m->samples, ml), a, sizeof(a)),
			      report_fmt_secs(view_secs(v, m->samples), b, sizeof(b)));
		if (m->in_stdlib > part) {
			part = m->in_stdlib;
			what = "Python built-ins and library code it calls";
		}
		strbuf_printf(out, "  - dominated by %s: %s of its time\n", what,
			      report_fmt_pct1(view_pct(part, m->samples), a, sizeof(a)));
		ml_where_line(v, m, out);
		if (m->hot_line > 0) {
			strbuf_puts(out, "  - hottest line: ");
			textesc_append(out, procmaps_basename(f->file), strlen(procmaps_basename(f->file)), 0);
			strbuf_printf(out, ":%d (%s of its samples)\n", m->hot_line,
				      report_fmt_pct1(view_pct(m->hot_line_samples, m->samples), a, sizeof(a)));
		}
		if (m->in_runtime * 5 > m->samples)
			strbuf_printf(out, "  - mlpy runtime checks on its calls add %s more\n",
				      report_fmt_secs(view_secs(v, m->in_runtime), a, sizeof(a)));
		strbuf_puts(out, "\n");
	}
	if (!any)
		strbuf_puts(out, "> No ML code was sampled: nothing to optimise in the program itself.\n\n");
	if (rt * 5 > ml && rt) {
		strbuf_printf(out, "> mlpy runtime checks (safe_call and friends) take %s, %s of the ML "
				   "code's time:\n  calls between small ML functions are expensive; "
				   "fewer, larger functions cost less.\n\n",
			      report_fmt_secs(view_secs(v, rt), a, sizeof(a)),
			      report_fmt_pct1(view_pct(rt, ml), b, sizeof(b)));
	}
	if (view_overhead(v) > ml && v->total) {
		strbuf_printf(out, "> mlpy's own work (parsing, analysis, transpilation, sandbox) is "
				   "%s of the run: the program itself is not where the time goes.\n\n",
			      report_fmt_pct1(view_pct(view_overhead(v), v->total), a, sizeof(a)));
	}
}

/* Callers show here: a main() whose own code takes no time but under which
 * all of the ML time runs. */
static void ml_by_total_text(const struct view *v, struct strbuf *out)
{
	const char *th[] = { "Function", ">Total", ">% CPU", ">Samples", ">Self" };
	char label[512], a[48], b[48], c[48], d[48];
	struct table t;
	size_t i;

	strbuf_puts(out, "\nML Functions by Total Time (the function and everything it called):\n");
	table_init(&t, 5, th);
	for (i = 0; i < v->nml && i < TOP_N; i++) {
		const struct ml_func *m = v->ml_by_total[i];

		view_func_label(v, m->func, label, sizeof(label));
		table_row(&t, label, report_fmt_secs(view_secs(v, m->total), a, sizeof(a)),
			  report_fmt_pct1(view_pct(m->total, v->total), b, sizeof(b)),
			  timefmt_count(m->total, c, sizeof(c)),
			  report_fmt_secs(view_secs(v, m->samples), d, sizeof(d)));
	}
	if (v->nml)
		table_grid(&t, out);
	else
		strbuf_puts(out, "  (no ML code sampled)\n");
	table_free(&t);
}

int report_ml_summary_text(const struct snap *s, struct strbuf *out)
{
	struct view v;
	struct table t;
	char label[512], a[48], b[48], c[48], m[48];
	const char *fh[] = { "Function", ">Time", ">% ML", ">Samples", ">Memory" };
	const char *gh[] = { "File", ">Time", ">% ML", ">Samples", ">Functions", ">Memory" };
	uint64_t ml;
	size_t i;
	int err = view_build(s, &v);

	if (err)
		return err;
	ml = v.cat[CAT_ML_CODE];
	report_header(out, "ML CODE PERFORMANCE SUMMARY");
	ml_totals(&v, out);
	strbuf_printf(out, "Top ML Functions (by CPU time; calls are not counted by a sampler):\n");
	/* The Memory column only when memory was measured. */
	table_init(&t, 4 + (size_t)v.memory, fh);
	for (i = 0; i < v.nml && i < TOP_N; i++) {
		view_func_label(&v, v.ml[i].func, label, sizeof(label));
		table_row(&t, label, report_fmt_secs(view_secs(&v, v.ml[i].samples), a, sizeof(a)),
			  report_fmt_pct1(view_pct(v.ml[i].samples, ml), b, sizeof(b)),
			  timefmt_count(v.ml[i].samples, c, sizeof(c)),
			  view_mb(&v, v.ml[i].alloc_bytes, m, sizeof(m)));
	}
	if (v.nml)
		table_grid(&t, out);
	else
		strbuf_puts(out, "  (no ML code sampled)\n");
	table_free(&t);
	ml_by_total_text(&v, out);
	strbuf_puts(out, "\nML Files (by CPU time):\n");
	table_init(&t, 5 + (size_t)v.memory, gh);
	for (i = 0; i < v.nfiles; i++) {
		char nf[32];

		snprintf(nf, sizeof(nf), "%zu", v.files[i].nfuncs);
		table_row(&t, procmaps_basename(v.files[i].file),
			  report_fmt_secs(view_secs(&v, v.files[i].samples), a, sizeof(a)),
			  report_fmt_pct1(view_pct(v.files[i].samples, ml), b, sizeof(b)),
			  timefmt_count(v.files[i].samples, c, sizeof(c)), nf,
			  view_mb(&v, v.files[i].alloc_bytes, m, sizeof(m)));
	}
	if (v.nfiles)
		table_grid(&t, out);
	else
		strbuf_puts(out, "  (none)\n");
	table_free(&t);
	strbuf_puts(out, "\n");
	ml_recommendations(&v, out);
	report_data_notes(s, out);
	view_free(&v);
	return out->err;
}

int report_ml_details_text(const struct snap *s, struct strbuf *out)
{
	const char *heads[] = { "Function", ">Time", ">% File", ">Samples", ">Total", "Hot line",
				">Memory" };
	struct view v;
	struct table t;
	char title[600], a[48], b[48], c[48], d[48], e[64];
	uint64_t ml;
	size_t i, k;
	int err = view_build(s, &v);

	if (err)
		return err;
	ml = v.cat[CAT_ML_CODE];
	report_header(out, "ML CODE DETAILED ANALYSIS");
	ml_totals(&v, out);
	strbuf_puts(out, "Time: CPU time the function's own code and the built-ins it calls took.\n"
			 "Total: samples with the function anywhere on the stack (callees included).\n\n");
	for (k = 0; k < v.nfiles; k++) {
		snprintf(title, sizeof(title), "%s (%s, %s of ML time)", v.files[k].file,
			 report_fmt_secs(view_secs(&v, v.files[k].samples), a, sizeof(a)),
			 report_fmt_pct1(view_pct(v.files[k].samples, ml), b, sizeof(b)));
		table_init(&t, 6 + (size_t)v.memory, heads);
		for (i = 0; i < v.nml; i++) {
			const struct ml_func *m = &v.ml[i];
			const struct snap_func *f = &s->funcs[m->func];
			char name[300], mb[48];

			if (strcmp(f->file, v.files[k].file))
				continue;
			if (f->line > 0)
				snprintf(name, sizeof(name), "%s (line %d)", f->name, f->line);
			else
				snprintf(name, sizeof(name), "%s", f->name);
			if (m->hot_line > 0)
				snprintf(e, sizeof(e), "%d (%.0f%%)", m->hot_line,
					 view_pct(m->hot_line_samples, m->samples));
			else
				snprintf(e, sizeof(e), "-");
			table_row(&t, name, report_fmt_secs(view_secs(&v, m->samples), a, sizeof(a)),
				  report_fmt_pct1(view_pct(m->samples, v.files[k].samples), b, sizeof(b)),
				  timefmt_count(m->samples, c, sizeof(c)),
				  report_fmt_secs(view_secs(&v, m->total), d, sizeof(d)), e,
				  view_mb(&v, m->alloc_bytes, mb, sizeof(mb)));
		}
		table_box(&t, title, RULE_WIDTH, out);
		table_free(&t);
		strbuf_puts(out, "\n");
	}
	if (!v.nfiles)
		strbuf_puts(out, "(no ML code sampled)\n");
	report_data_notes(s, out);
	view_free(&v);
	return out->err;
}

/* ---- JSON ---- */

static void add_totals_json(cJSON *o, const struct view *v)
{
	uint64_t ml = v->cat[CAT_ML_CODE], over = view_overhead(v);

	cJSON_AddNumberToObject(o, "freq_hz", v->s->freq_hz);
	cJSON_AddStringToObject(o, "clock", sclock_name(v->s->clock));
	cJSON_AddNumberToObject(o, "clock_samples", (double)v->s->stats.samples);
	cJSON_AddNumberToObject(o, "runs", (double)(v->nruns_mlpy ? v->nruns_mlpy : v->nruns));
	cJSON_AddNumberToObject(o, "wall_s", v->wall_s);
	cJSON_AddNumberToObject(o, "samples", (double)v->total);
	cJSON_AddNumberToObject(o, "cpu_s", view_secs(v, v->total));
	cJSON_AddNumberToObject(o, "ml_samples", (double)ml);
	cJSON_AddNumberToObject(o, "ml_s", view_secs(v, ml));
	cJSON_AddNumberToObject(o, "ml_pct", view_pct(ml, v->total));
	cJSON_AddNumberToObject(o, "overhead_samples", (double)over);
	cJSON_AddNumberToObject(o, "overhead_s", view_secs(v, over));
	cJSON_AddNumberToObject(o, "overhead_pct", view_pct(over, v->total));
	cJSON_AddNumberToObject(o, "peak_rss_bytes", (double)v->peak_rss_kb * 1024);
	cJSON_AddNumberToObject(o, "peak_heap_bytes", (double)v->peak_heap_kb * 1024);
	cJSON_AddNumberToObject(o, "dropped",
				(double)(v->s->stats.sample_drops + v->s->stats.lost_samples));
	cJSON_AddBoolToObject(o, "memory", v->memory);
	cJSON_AddNumberToObject(o, "ml_alloc_bytes", (double)v->ml_alloc);
	cJSON_AddNumberToObject(o, "ml_resident_bytes", (double)v->ml_resident);
	cJSON_AddNumberToObject(o, "alloc_bytes", (double)v->alloc_total);
	cJSON_AddNumberToObject(o, "resident_bytes", (double)v->resident_total);
	cJSON_AddNumberToObject(o, "shutdown_s", view_secs(v, v->shutdown));
	cJSON_AddNumberToObject(o, "gc_s", view_secs(v, v->gc));
}

static cJSON *ml_func_json(const struct view *v, const struct ml_func *m, uint64_t whole)
{
	const struct snap_func *f = &v->s->funcs[m->func];
	cJSON *o = cJSON_CreateObject();

	if (!o)
		return NULL;
	cJSON_AddStringToObject(o, "name", f->name);
	cJSON_AddStringToObject(o, "file", f->file);
	cJSON_AddNumberToObject(o, "line", f->line);
	cJSON_AddNumberToObject(o, "samples", (double)m->samples);
	cJSON_AddNumberToObject(o, "time_s", view_secs(v, m->samples));
	cJSON_AddNumberToObject(o, "pct", view_pct(m->samples, whole));
	cJSON_AddNumberToObject(o, "own_samples", (double)m->own);
	cJSON_AddNumberToObject(o, "stdlib_samples", (double)m->in_stdlib);
	cJSON_AddNumberToObject(o, "bridge_samples", (double)m->in_bridges);
	cJSON_AddNumberToObject(o, "runtime_samples", (double)m->in_runtime);
	/* ML code vs library code it calls (user/where.h) */
	cJSON_AddNumberToObject(o, "ml_code_samples", (double)(m->own - m->direct_leaf));
	cJSON_AddNumberToObject(o, "native_samples", (double)m->in_native);
	cJSON_AddNumberToObject(o, "kernel_samples", (double)m->in_kernel);
	if (m->top_leaf != UINT32_MAX) {
		cJSON_AddStringToObject(o, "top_library", v->s->funcs[m->top_leaf].name);
		cJSON_AddNumberToObject(o, "top_library_samples", (double)m->top_leaf_samples);
	}
	cJSON_AddNumberToObject(o, "total_samples", (double)m->total);
	cJSON_AddNumberToObject(o, "total_s", view_secs(v, m->total));
	cJSON_AddNumberToObject(o, "total_pct", view_pct(m->total, v->total));
	cJSON_AddNumberToObject(o, "hot_line", m->hot_line);
	cJSON_AddNumberToObject(o, "hot_line_samples", (double)m->hot_line_samples);
	cJSON_AddStringToObject(o, "py_file", f->py_file);
	cJSON_AddNumberToObject(o, "alloc_bytes", (double)m->alloc_bytes);
	cJSON_AddNumberToObject(o, "resident_bytes", (double)m->resident_bytes);
	return o;
}

static cJSON *ml_json(const struct snap *s, int details)
{
	cJSON *o = cJSON_CreateObject(), *arr;
	struct view v;
	size_t i;

	if (!o || view_build(s, &v)) {
		cJSON_Delete(o);
		return NULL;
	}
	cJSON_AddStringToObject(o, "report", details ? "ml-details" : "ml-summary");
	add_totals_json(o, &v);
	arr = cJSON_AddArrayToObject(o, "functions");
	for (i = 0; arr && i < v.nml && (details || i < TOP_N); i++)
		cJSON_AddItemToArray(arr, ml_func_json(&v, &v.ml[i], v.cat[CAT_ML_CODE]));
	arr = cJSON_AddArrayToObject(o, "by_total");
	for (i = 0; arr && i < v.nml && (details || i < TOP_N); i++)
		cJSON_AddItemToArray(arr, ml_func_json(&v, v.ml_by_total[i], v.cat[CAT_ML_CODE]));
	arr = cJSON_AddArrayToObject(o, "files");
	for (i = 0; arr && i < v.nfiles; i++) {
		cJSON *f = cJSON_CreateObject();

		if (!f)
			break;
		cJSON_AddStringToObject(f, "file", v.files[i].file);
		cJSON_AddNumberToObject(f, "samples", (double)v.files[i].samples);
		cJSON_AddNumberToObject(f, "time_s", view_secs(&v, v.files[i].samples));
		cJSON_AddNumberToObject(f, "pct", view_pct(v.files[i].samples, v.cat[CAT_ML_CODE]));
		cJSON_AddNumberToObject(f, "functions", (double)v.files[i].nfuncs);
		cJSON_AddNumberToObject(f, "alloc_bytes", (double)v.files[i].alloc_bytes);
		cJSON_AddItemToArray(arr, f);
	}
	view_free(&v);
	return o;
}

cJSON *report_ml_summary_json(const struct snap *s)
{
	return ml_json(s, 0);
}

cJSON *report_ml_details_json(const struct snap *s)
{
	return ml_json(s, 1);
}
