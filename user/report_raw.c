// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* The raw report: every function with its self and total samples and
 * estimated CPU seconds, in the spirit of pstats. */
#include <cjson/cJSON.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include "sclock.h"
#include "analysis.h"
#include "pyphase.h"
#include "report.h"
#include "textesc.h"
#include "timefmt.h"
#include "where.h"

static double secs(const struct snap *s, uint64_t samples)
{
	return s->freq_hz ? (double)samples / s->freq_hz : 0;
}

static double pct(uint64_t part, uint64_t whole)
{
	return whole ? 100.0 * (double)part / (double)whole : 0;
}

static void func_label(const struct snap_func *f, struct strbuf *out)
{
	/* names and files come from the target: escaped (textesc.h) */
	if (f->kind == FUNC_PSEUDO) {
		strbuf_puts(out, "~:0(");
		textesc_append(out, f->name, strlen(f->name), 0);
	} else {
		textesc_append(out, f->file, strlen(f->file), 0);
		strbuf_printf(out, ":%d(", f->line);
		textesc_append(out, f->qualname, strlen(f->qualname), 0);
	}
	strbuf_puts(out, ")");
}

static uint64_t dropped(const struct snap *s)
{
	return s->stats.sample_drops + s->stats.lost_samples;
}

static void proc_table(const struct snap *s, struct strbuf *out)
{
	char a[32], b[32], c[40], d[32], e[32];
	size_t i;
	double wall;

	strbuf_printf(out, "\nProcesses (%zu):\n", s->nprocs);
	strbuf_printf(out, "%8s  %-10s %10s %10s %9s %9s  %-12s %s\n", "PID", "PYTHON",
		      "SAMPLES", "WALL_S", "PEAK_MB", "HEAP_MB", "STATE", "COMMAND");
	for (i = 0; i < s->nprocs; i++) {
		const struct snap_proc *p = &s->procs[i];
		uint64_t end = p->ended ? p->end_ns : s->now_ns;
		const char *cmd;

		wall = end > p->start_ns ? (double)(end - p->start_ns) / 1e9 : 0;
		cmd = p->cmdline[0] ? p->cmdline : p->comm; /* the target's: escaped */
		strbuf_printf(out, "%8d  %-10s %10s %10s %9s %9s  %-12s ", p->pid,
			      p->python[0] ? p->python : "-", timefmt_count(p->samples, a, sizeof(a)),
			      timefmt_fixed(wall, 3, b, sizeof(b)),
			      p->maxrss_kb ? timefmt_fixed((double)p->maxrss_kb / 1024, 1, d, sizeof(d)) : "-",
			      p->peak_heap_kb ? timefmt_fixed((double)p->peak_heap_kb / 1024, 1, e,
							  sizeof(e)) : "-",
			      report_proc_state(p, c, sizeof(c)));
		textesc_append(out, cmd, strlen(cmd), 0);
		strbuf_puts(out, "\n");
		if (p->container[0]) {
			strbuf_printf(out, "%8s  container: ", "");
			textesc_append(out, p->container, strlen(p->container), 0);
			strbuf_printf(out, ", pid %d inside\n", p->ns_pid);
		}
		if (p->message[0]) {
			strbuf_printf(out, "%8s  ", "");
			textesc_append(out, p->message, strlen(p->message), 0);
			strbuf_puts(out, "\n");
		}
	}
}

/* Own time spent outside the interpreter, per function and object or
 * system call (the where leaves, user/where.h). */
static void where_table(const struct snap *s, struct strbuf *out)
{
	struct where_row *rows = NULL;
	char a[32], b[32];
	size_t n = 0, i;

	if (where_rows(s, &rows, &n) || !n)
		n = 0;
	if (n)
		strbuf_puts(out, "\nOwn time outside the interpreter (native code by shared object, kernel "
			 "by system call; part of the function's self):\n");
	if (n)
		strbuf_printf(out, "%10s %10s  %s\n", "n", "s", "where <- file:line(function)");
	for (i = 0; i < n && i < 30; i++) {
		const char *leaf = s->funcs[rows[i].leaf].name;

		strbuf_printf(out, "%10s %10s  ", timefmt_count(rows[i].samples, a, sizeof(a)),
			      timefmt_fixed(secs(s, rows[i].samples), 3, b, sizeof(b)));
		textesc_append(out, leaf, strlen(leaf), 0);
		strbuf_puts(out, " <- ");
		func_label(&s->funcs[rows[i].func], out);
		strbuf_puts(out, "\n");
	}
	if (n > 30)
		strbuf_printf(out, "(%zu more)\n", n - 30);
	free(rows);
}

int report_raw_text(const struct snap *s, struct strbuf *out)
{
	struct func_stat *rows = NULL;
	uint64_t total = snap_total_samples(s), wait = where_wait_samples(s);
	char a[64], b[32], c[32], d[32];
	size_t n = 0, i;
	int err;

	err = analysis_functions(s, &rows, &n);
	if (err)
		return err;
	if (s->clock == SCLOCK_TICK)
		sclock_describe(s->clock, s->freq_hz, total, s->stats.samples, a, sizeof(a));
	else
		snprintf(a, sizeof(a), "%s samples at %u Hz", timefmt_count(total, d, sizeof(d)),
			 s->freq_hz);
	strbuf_printf(out, "mlprof raw profile: %s = %s s %s, %zu processes, ", a,
		      timefmt_fixed(secs(s, total), 3, b, sizeof(b)), wait ? "CPU and waiting" : "CPU",
		      s->nprocs);
	strbuf_printf(out, "%s dropped\n", timefmt_count(dropped(s), c, sizeof(c)));
	if (wait)
		strbuf_printf(out, "--mode wall: of these, %s samples = %s s waiting off-CPU (<wait: "
				   "...> frames), %s s CPU; self and total include waiting.\n",
			      timefmt_count(wait, d, sizeof(d)), timefmt_fixed(secs(s, wait), 3, b, sizeof(b)),
			      timefmt_fixed(secs(s, total - wait), 3, c, sizeof(c)));
	if (s->clock == SCLOCK_TICK)
		strbuf_puts(out, "self: CPU time with the function running; total: with it anywhere "
				 "on the stack. _n columns: microseconds (tick clock: samples weighed "
				 "by CPU time).\n");
	else
		strbuf_puts(out, "self: samples with the function running; total: with it anywhere "
				 "on the stack. Seconds = samples / frequency.\n");
	if (s->memory)
		strbuf_puts(out, "alloc_MB: memory mapped (anonymous mmap, mremap, brk) with the "
				 "function running (self).\n");
	if (s->memory == SNAP_MEM_LIVE)
		strbuf_puts(out, "live_MB: of that, still held at the end (not given back with "
				 "munmap, mremap or sbrk) (self).\n");
	strbuf_puts(out, "\n");
	strbuf_printf(out, "%10s %10s %6s %10s %10s %6s ", "self_n", "self_s", "self%", "total_n",
		      "total_s", "total%");
	if (s->memory)
		strbuf_printf(out, "%9s ", "alloc_MB");
	if (s->memory == SNAP_MEM_LIVE)
		strbuf_printf(out, "%9s ", "live_MB");
	strbuf_printf(out, " %s\n", "file:line(function)");
	for (i = 0; i < n; i++) {
		const struct func_stat *r = &rows[i];

		strbuf_printf(out, "%10s %10s %5.1f%% %10s %10s %5.1f%% ",
			      timefmt_count(r->self, a, sizeof(a)),
			      timefmt_fixed(secs(s, r->self), 3, b, sizeof(b)), pct(r->self, total),
			      timefmt_count(r->total, c, sizeof(c)),
			      timefmt_fixed(secs(s, r->total), 3, d, sizeof(d)), pct(r->total, total));
		if (s->memory)
			strbuf_printf(out, "%9.1f ", (double)r->alloc_self / (1024.0 * 1024.0));
		if (s->memory == SNAP_MEM_LIVE)
			strbuf_printf(out, "%9.1f ", (double)r->live_self / (1024.0 * 1024.0));
		strbuf_puts(out, " ");
		func_label(&s->funcs[r->func], out);
		strbuf_puts(out, "\n");
	}
	if (!n)
		strbuf_puts(out, "(no samples)\n");
	where_table(s, out);
	proc_table(s, out);
	report_data_notes(s, out);
	free(rows);
	return out->err;
}

static cJSON *func_json(const struct snap *s, const struct func_stat *r, uint64_t total)
{
	const struct snap_func *f = &s->funcs[r->func];
	cJSON *o = cJSON_CreateObject();

	if (!o)
		return NULL;
	cJSON_AddStringToObject(o, "name", f->name);
	cJSON_AddStringToObject(o, "qualname", f->qualname);
	cJSON_AddStringToObject(o, "file", f->file);
	cJSON_AddNumberToObject(o, "line", f->line);
	cJSON_AddStringToObject(o, "kind", f->kind == FUNC_PYTHON   ? "python"
					   : f->kind == FUNC_PSEUDO ? "pseudo"
								    : "unknown");
	cJSON_AddNumberToObject(o, "self_samples", (double)r->self);
	cJSON_AddNumberToObject(o, "total_samples", (double)r->total);
	cJSON_AddNumberToObject(o, "self_s", secs(s, r->self));
	cJSON_AddNumberToObject(o, "total_s", secs(s, r->total));
	cJSON_AddNumberToObject(o, "self_pct", pct(r->self, total));
	/* Where the self time went (user/where.h); wait_s only in wall mode. */
	cJSON_AddNumberToObject(o, "interp_s",
				secs(s, r->self - r->native_self - r->kernel_self - r->wait_self));
	cJSON_AddNumberToObject(o, "native_s", secs(s, r->native_self));
	cJSON_AddNumberToObject(o, "kernel_s", secs(s, r->kernel_self));
	if (r->wait_self)
		cJSON_AddNumberToObject(o, "wait_s", secs(s, r->wait_self));
	cJSON_AddNumberToObject(o, "total_pct", pct(r->total, total));
	cJSON_AddNumberToObject(o, "alloc_bytes", (double)r->alloc_self);
	cJSON_AddNumberToObject(o, "alloc_count", (double)r->count_self);
	cJSON_AddNumberToObject(o, "resident_bytes", (double)r->resident_self);
	cJSON_AddNumberToObject(o, "alloc_bytes_total", (double)r->alloc_total);
	cJSON_AddNumberToObject(o, "alloc_count_total", (double)r->count_total);
	cJSON_AddNumberToObject(o, "resident_bytes_total", (double)r->resident_total);
	if (s->memory == SNAP_MEM_LIVE) {
		cJSON_AddNumberToObject(o, "live_bytes", (double)r->live_self);
		cJSON_AddNumberToObject(o, "live_bytes_total", (double)r->live_total);
	}
	return o;
}

/* One process image and what is derived from it. */
struct raw_proc {
	const struct snap *s;
	const struct snap_proc *p;
	uint64_t shutdown, gc; /* samples in those interpreter phases */
};

/* The raw report's process object, in its key order (a public format: keep
 * it). SNAP(member, key): a field of the snapshot's process table
 * (SNAP_PROC_FIELDS), written as a string or a number as the table says;
 * CALC(fn, key): a value raw_FN derives. */
#define RAW_PROC_KEYS(SNAP, CALC)                                                               \
	SNAP(pid, "pid") SNAP(ppid, "ppid") SNAP(ns_pid, "ns_pid") SNAP(cmdline, "command")     \
	SNAP(comm, "comm") SNAP(exe, "exe") SNAP(python, "python") SNAP(status, "status")       \
	SNAP(message, "message") SNAP(container, "container") SNAP(ml_file, "ml_file")          \
	SNAP(ml_note, "ml_note") SNAP(ml_lines, "ml_lines") SNAP(mlpy, "mlpy")                  \
	CALC(state, "state") CALC(start_time, "start_time") CALC(exit_time, "exit_time")        \
	CALC(wall_s, "wall_s") CALC(exit_code, "exit_code") SNAP(samples, "samples")            \
	CALC(cpu_s, "cpu_s") /* README, "Interpreter phases" */ CALC(shutdown_s, "shutdown_s")  \
	CALC(gc_s, "gc_s") SNAP(maxrss_kb, "maxrss_kb") CALC(peak_rss_bytes, "peak_rss_bytes")  \
	CALC(peak_heap_bytes, "peak_heap_bytes") SNAP(alloc_bytes, "alloc_bytes")               \
	SNAP(resident_bytes, "resident_bytes") CALC(live_bytes, "live_bytes")                   \
	SNAP(parent, "parent") SNAP(root, "run")

/* Table fields not written as they are: shown through a CALC above, or
 * internal to the snapshot. */
#define RAW_PROC_NOT_AS_IS(X) X(exec_seq) X(start_ns) X(end_ns) X(ended) X(exit_code) \
	X(peak_heap_kb) X(live_bytes)

/* Every table field is in one of the two lists, once: a field added to
 * SNAP_PROC_FIELDS fails to compile here until it is placed. */
#define RAW_LISTED(member, ...) RAW_LISTED_##member,
#define RAW_CALC_NONE(...)
enum raw_proc_listed { RAW_PROC_KEYS(RAW_LISTED, RAW_CALC_NONE) RAW_PROC_NOT_AS_IS(RAW_LISTED) };
#define RAW_CHECK(field, ...) +0 * RAW_LISTED_##field
_Static_assert(0 SNAP_PROC_FIELDS(RAW_CHECK) == 0, "every process field is listed");
#undef RAW_CHECK
#undef RAW_CALC_NONE
#undef RAW_LISTED

/* The raw report's stats object, in its key order (a public format: keep
 * it): counters of SNAP_STATS, AS_IS(field) under their snapshot key,
 * RENAMED(field, key) under another. */
#define RAW_STATS_KEYS(AS_IS, RENAMED)                                                          \
	RENAMED(samples, "samples_seen") AS_IS(sample_drops) AS_IS(lost_samples)                \
	AS_IS(code_drops) AS_IS(proc_drops) AS_IS(truncated) AS_IS(read_errors)                 \
	AS_IS(stack_overflow) AS_IS(evicted_procs) AS_IS(evicted_samples)                       \
	AS_IS(unresolved_frames) AS_IS(ml_lines_unmapped) AS_IS(evicted_buckets)                \
	AS_IS(cap_evicted_buckets) AS_IS(evicted_bucket_samples) AS_IS(expired_stacks)          \
	AS_IS(expired_procs) AS_IS(expired_funcs)

/* Counters the raw report does not show (memory ones are in the snapshot,
 * the status reply and the metrics). */
#define RAW_STATS_NOT_SHOWN(X) X(lost_alloc_bytes) X(memop_drops) X(live_untracked_bytes) \
	X(mem_events) X(mem_drops) X(evicted_bucket_alloc_bytes)

/* As for the process fields: a counter added to SNAP_STATS fails to
 * compile here until it is placed in one of the two lists. */
#define RAW_LISTED(field, ...) RAW_STAT_LISTED_##field,
enum raw_stat_listed { RAW_STATS_KEYS(RAW_LISTED, RAW_LISTED) RAW_STATS_NOT_SHOWN(RAW_LISTED) };
#define RAW_CHECK(field, ...) +0 * RAW_STAT_LISTED_##field
_Static_assert(0 SNAP_STATS(RAW_CHECK) == 0, "every counter is listed");
#undef RAW_CHECK
#undef RAW_LISTED

struct raw_stat_key {
	enum snap_stat_id id;
	const char *key; /* NULL: the snapshot's */
};

static const struct raw_stat_key raw_stat_keys[] = {
#define RAW_AS_IS(field) { SNAP_STAT_##field, NULL },
#define RAW_RENAMED(field, key) { SNAP_STAT_##field, key },
	RAW_STATS_KEYS(RAW_AS_IS, RAW_RENAMED)
#undef RAW_RENAMED
#undef RAW_AS_IS
};

static int put_num(cJSON *o, const char *key, double v)
{
	return cJSON_AddNumberToObject(o, key, v) ? 0 : -ENOMEM;
}

static int put_null(cJSON *o, const char *key)
{
	return cJSON_AddNullToObject(o, key) ? 0 : -ENOMEM;
}

/* A NULL string (a snapshot built in memory, never a parsed one) is "",
 * as in snapshot.c. */
static int put_str(cJSON *o, const char *key, const char *v)
{
	return cJSON_AddStringToObject(o, key, v ? v : "") ? 0 : -ENOMEM;
}

/* raw_put_MEMBER: a table field under KEY; 0 or -ENOMEM. */
#define RAW_PUT(field, ctype, kind, ...)                                                        \
	static inline int raw_put_##field(cJSON *o, const char *key, const struct snap_proc *p) \
	{                                                                                       \
		SP_IF_STR(kind, return put_str(o, key, p->field);)                              \
		SP_IF_NUM(kind, return put_num(o, key, (double)p->field);)                      \
	}
SNAP_PROC_FIELDS(RAW_PUT)
#undef RAW_PUT

static double wall_time(const struct raw_proc *r, uint64_t mono_ns)
{
	return (double)((int64_t)mono_ns + r->s->mono_to_real_ns) / 1e9;
}

static int raw_state(cJSON *o, const char *key, const struct raw_proc *r)
{
	char st[40];

	return put_str(o, key, report_proc_state(r->p, st, sizeof(st)));
}

static int raw_start_time(cJSON *o, const char *key, const struct raw_proc *r)
{
	return put_num(o, key, wall_time(r, r->p->start_ns));
}

static int raw_exit_time(cJSON *o, const char *key, const struct raw_proc *r)
{
	return r->p->ended ? put_num(o, key, wall_time(r, r->p->end_ns)) : put_null(o, key);
}

static int raw_wall_s(cJSON *o, const char *key, const struct raw_proc *r)
{
	uint64_t end = r->p->ended ? r->p->end_ns : r->s->now_ns;

	return put_num(o, key, end > r->p->start_ns ? (double)(end - r->p->start_ns) / 1e9 : 0);
}

static int raw_exit_code(cJSON *o, const char *key, const struct raw_proc *r)
{
	return r->p->ended == PROC_EXITED ? put_num(o, key, r->p->exit_code) : put_null(o, key);
}

static int raw_cpu_s(cJSON *o, const char *key, const struct raw_proc *r)
{
	return put_num(o, key, secs(r->s, r->p->samples));
}

static int raw_shutdown_s(cJSON *o, const char *key, const struct raw_proc *r)
{
	return put_num(o, key, secs(r->s, r->shutdown));
}

static int raw_gc_s(cJSON *o, const char *key, const struct raw_proc *r)
{
	return put_num(o, key, secs(r->s, r->gc));
}

static int raw_peak_rss_bytes(cJSON *o, const char *key, const struct raw_proc *r)
{
	return put_num(o, key, (double)r->p->maxrss_kb * 1024);
}

static int raw_peak_heap_bytes(cJSON *o, const char *key, const struct raw_proc *r)
{
	return put_num(o, key, (double)r->p->peak_heap_kb * 1024);
}

/* Only with --memory=live (0 is a value then). */
static int raw_live_bytes(cJSON *o, const char *key, const struct raw_proc *r)
{
	return r->s->memory == SNAP_MEM_LIVE ? raw_put_live_bytes(o, key, r->p) : 0;
}

static cJSON *proc_json(const struct raw_proc *r)
{
	cJSON *o = cJSON_CreateObject();
	int err = o ? 0 : -ENOMEM;

#define RAW_SNAP(member, key) err = err ? err : raw_put_##member(o, key, r->p);
#define RAW_CALC(fn, key) err = err ? err : raw_##fn(o, key, r);
	RAW_PROC_KEYS(RAW_SNAP, RAW_CALC)
#undef RAW_CALC
#undef RAW_SNAP
	if (err) {
		cJSON_Delete(o);
		o = NULL;
	}
	return o;
}

cJSON *report_raw_json(const struct snap *s)
{
	struct func_stat *rows = NULL;
	uint64_t total = snap_total_samples(s), *shutdown = NULL, *gc = NULL;
	cJSON *o = NULL, *arr, *st;
	size_t n = 0, i;

	if (analysis_functions(s, &rows, &n))
		return NULL;
	shutdown = calloc(s->nprocs + 1, sizeof(*shutdown));
	gc = calloc(s->nprocs + 1, sizeof(*gc));
	if (!shutdown || !gc)
		goto out;
	pyphase_proc_samples(s, shutdown, gc);
	o = cJSON_CreateObject();
	if (!o)
		goto out;
	cJSON_AddStringToObject(o, "report", "raw");
	cJSON_AddNumberToObject(o, "freq_hz", s->freq_hz);
	cJSON_AddStringToObject(o, "clock", sclock_name(s->clock));
	cJSON_AddNumberToObject(o, "clock_samples", (double)s->stats.samples);
	cJSON_AddNumberToObject(o, "samples", (double)total);
	/* --mode wall: samples include waiting; cpu_s does not */
	cJSON_AddNumberToObject(o, "cpu_s", secs(s, total - where_wait_samples(s)));
	cJSON_AddNumberToObject(o, "wait_s", secs(s, where_wait_samples(s)));
	cJSON_AddNumberToObject(o, "dropped", (double)dropped(s));
	cJSON_AddBoolToObject(o, "memory", s->memory);
	cJSON_AddBoolToObject(o, "memory_live", s->memory == SNAP_MEM_LIVE);
	arr = cJSON_AddArrayToObject(o, "functions");
	for (i = 0; arr && i < n; i++)
		cJSON_AddItemToArray(arr, func_json(s, &rows[i], total));
	arr = cJSON_AddArrayToObject(o, "processes");
	for (i = 0; arr && i < s->nprocs; i++) {
		struct raw_proc r = { s, &s->procs[i], shutdown[i], gc[i] };

		cJSON_AddItemToArray(arr, proc_json(&r));
	}
	st = cJSON_AddObjectToObject(o, "stats");
	for (i = 0; st && i < sizeof(raw_stat_keys) / sizeof(raw_stat_keys[0]); i++) {
		const struct raw_stat_key *k = &raw_stat_keys[i];

		put_num(st, k->key ? k->key : snap_stat_table[k->id].name, (double)s->stats.v[k->id]);
	}
out:
	free(rows);
	free(shutdown);
	free(gc);
	return o;
}
