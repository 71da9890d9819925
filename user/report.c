// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Report dispatch and the pieces every report shares. */
#include <cjson/cJSON.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include "report.h"
#include "textesc.h"
#include "timefmt.h"

struct report_def {
	const char *name;
	int (*text)(const struct snap *s, struct strbuf *out);
	cJSON *(*json)(const struct snap *s);
};

static const struct report_def reports[] = {
	{ "ml-summary", report_ml_summary_text, report_ml_summary_json },
	{ "ml-details", report_ml_details_text, report_ml_details_json },
	{ "dev-summary", report_dev_summary_text, report_dev_summary_json },
	{ "dev-details", report_dev_details_text, report_dev_details_json },
	{ "raw", report_raw_text, report_raw_json },
};

#define NREPORTS (sizeof(reports) / sizeof(reports[0]))

const char *const report_types[] = { "ml-summary", "ml-details", "dev-summary", "dev-details",
				     "raw", NULL };

static const struct report_def *find_report(const char *name)
{
	size_t i;

	for (i = 0; i < NREPORTS; i++) {
		if (!strcmp(reports[i].name, name))
			return &reports[i];
	}
	return NULL;
}

int report_type_valid(const char *name)
{
	return !strcmp(name, "all") || find_report(name) != NULL;
}

/* The time range a report covers, when one was asked for. */
static void range_text(const struct snap *s, struct strbuf *out)
{
	char a[32], b[32], c[32];
	double secs;

	if (!s->range_to_ns)
		return;
	/* A range that ends now may be a fraction of a second long: say so
	 * rather than "0 s". */
	secs = (double)(s->range_to_ns - s->range_from_ns) / 1e9;
	strbuf_printf(out, "Time range: %s - %s (%s s",
		      timefmt_wallclock((int64_t)s->range_from_ns + s->mono_to_real_ns, a, sizeof(a)),
		      timefmt_wallclock((int64_t)s->range_to_ns + s->mono_to_real_ns, b, sizeof(b)),
		      timefmt_fixed(secs, secs < 10 ? 1 : 0, c, sizeof(c)));
	if (s->bucket_ns)
		strbuf_printf(out, ", whole buckets of %s s",
			      timefmt_fixed((double)s->bucket_ns / 1e9, s->bucket_ns % 1000000000 ? 3 : 0,
					c, sizeof(c)));
	strbuf_puts(out, ")\n");
}

static cJSON *range_json(const struct snap *s, cJSON *j)
{
	cJSON *r;

	if (!j || !s->range_to_ns)
		return j;
	r = cJSON_AddObjectToObject(j, "range");
	if (!r || !cJSON_AddNumberToObject(r, "from_unix_s",
					   (double)((int64_t)s->range_from_ns + s->mono_to_real_ns) / 1e9) ||
	    !cJSON_AddNumberToObject(r, "to_unix_s",
				     (double)((int64_t)s->range_to_ns + s->mono_to_real_ns) / 1e9) ||
	    !cJSON_AddNumberToObject(r, "bucket_s", (double)s->bucket_ns / 1e9)) {
		cJSON_Delete(j);
		return NULL;
	}
	return j;
}

/* Text reports carry a target's names: whatever a table cell did not
 * already escape (names in free text) loses its control characters here,
 * so no name can drive the reader's terminal. */
static int render_text(const struct snap *s, const struct report_def *r, struct strbuf *out)
{
	struct strbuf raw = STRBUF_INIT;
	int err;

	range_text(s, &raw);
	err = r->text(s, &raw);
	if (!err && raw.err)
		err = -ENOMEM;
	if (!err && raw.len)
		err = textesc_append(out, raw.buf, raw.len, TEXTESC_KEEP_LINES);
	strbuf_free(&raw);
	return err;
}

static int render_one(const struct snap *s, const struct report_def *r,
		      enum report_format fmt, struct strbuf *out)
{
	cJSON *j;
	char *txt;
	int err = 0;

	if (fmt == REPORT_TEXT)
		return render_text(s, r, out);
	j = range_json(s, r->json(s));
	txt = j ? cJSON_Print(j) : NULL;
	if (!txt)
		err = -ENOMEM;
	else
		err = strbuf_puts(out, txt) || strbuf_puts(out, "\n") ? -ENOMEM : 0;
	free(txt);
	cJSON_Delete(j);
	return err;
}

static int render_all_json(const struct snap *s, struct strbuf *out)
{
	cJSON *o = cJSON_CreateObject(), *j;
	char *txt = NULL;
	size_t i;
	int err = o ? 0 : -ENOMEM;

	for (i = 0; !err && i < NREPORTS; i++) {
		j = range_json(s, reports[i].json(s));
		if (!j || !cJSON_AddItemToObject(o, reports[i].name, j)) {
			cJSON_Delete(j);
			err = -ENOMEM;
		}
	}
	txt = err ? NULL : cJSON_Print(o);
	if (!err && (!txt || strbuf_puts(out, txt) || strbuf_puts(out, "\n")))
		err = -ENOMEM;
	free(txt);
	cJSON_Delete(o);
	return err;
}

int report_render(const struct snap *s, const char *type, enum report_format fmt,
		  struct strbuf *out, char *err, size_t errlen)
{
	const struct report_def *r;
	size_t i;
	int ret = 0;

	if (!strcmp(type, "all")) {
		if (fmt == REPORT_JSON)
			return render_all_json(s, out);
		for (i = 0; !ret && i < NREPORTS; i++) {
			if (i)
				strbuf_puts(out, "\n");
			ret = render_one(s, &reports[i], fmt, out);
		}
		return ret;
	}
	r = find_report(type);
	if (!r) {
		snprintf(err, errlen, "unknown report type '%s' (one of:", type);
		for (i = 0; i < NREPORTS; i++)
			snprintf(err + strlen(err), errlen - strlen(err), " %s", reports[i].name);
		snprintf(err + strlen(err), errlen - strlen(err), " all)");
		return -EINVAL;
	}
	return render_one(s, r, fmt, out);
}

int report_render_many(const struct snap *s, const char *const *types, size_t n,
		       enum report_format fmt, struct strbuf *out, char *err, size_t errlen)
{
	cJSON *o = NULL, *j;
	char *txt;
	size_t i, k;
	int ret = 0;

	for (i = 0; i < n; i++) {
		if (!report_type_valid(types[i]))
			return report_render(s, types[i], fmt, out, err, errlen);
	}
	if (fmt == REPORT_TEXT || n == 1) {
		for (i = 0; !ret && i < n; i++) {
			if (i)
				strbuf_puts(out, "\n");
			ret = report_render(s, types[i], fmt, out, err, errlen);
		}
		return ret;
	}
	/* Several JSON reports: one object keyed by report type. */
	o = cJSON_CreateObject();
	for (i = 0; o && !ret && i < n; i++) {
		for (k = 0; !ret && k < NREPORTS; k++) {
			if (strcmp(types[i], "all") && strcmp(types[i], reports[k].name))
				continue;
			if (cJSON_GetObjectItemCaseSensitive(o, reports[k].name))
				continue;
			j = range_json(s, reports[k].json(s));
			if (!j || !cJSON_AddItemToObject(o, reports[k].name, j)) {
				cJSON_Delete(j);
				ret = -ENOMEM;
			}
		}
	}
	txt = o && !ret ? cJSON_Print(o) : NULL;
	if (!txt || strbuf_puts(out, txt) || strbuf_puts(out, "\n"))
		ret = -ENOMEM;
	free(txt);
	cJSON_Delete(o);
	return ret;
}

const char *report_proc_state(const struct snap_proc *p, char *buf, size_t len)
{
	int st = p->exit_code;

	if (!p->ended)
		snprintf(buf, len, "running");
	else if (p->ended == PROC_EXECED)
		snprintf(buf, len, "exec'd");
	else if (WIFSIGNALED(st))
		snprintf(buf, len, "killed(%d)", WTERMSIG(st));
	else
		snprintf(buf, len, "exited(%d)", WEXITSTATUS(st));
	return buf;
}

/* How many processes' ML notes are listed (the rest are counted). */
#define ML_NOTES_MAX 5

/* 1 if note is one of the n shown. */
static int note_shown(const struct snap *s, const size_t *shown, size_t n, const char *note)
{
	size_t j;

	for (j = 0; j < n; j++) {
		if (!strcmp(s->procs[shown[j]].ml_note, note))
			return 1;
	}
	return 0;
}

/* The first ML_NOTES_MAX distinct ML mapping notes of the processes
 * that have samples or memory in the profile (a note of one that has
 * none, e.g. a sandbox gone before its script was read, changes no
 * number; the raw report lists every note), paths in them escaped (they
 * are the target's), then how many processes have another note: linear
 * in the processes. */
static void ml_notes(const struct snap *s, struct strbuf *out, int *any)
{
	size_t shown[ML_NOTES_MAX], nshown = 0, more = 0, i;
	const char *n;

	for (i = 0; i < s->nprocs; i++) {
		n = s->procs[i].ml_note;
		if (!s->procs[i].samples && !s->procs[i].alloc_bytes &&
		    !s->procs[i].resident_bytes)
			continue;
		if (!n || !n[0] || note_shown(s, shown, nshown, n))
			continue;
		if (nshown == ML_NOTES_MAX) {
			more++;
			continue;
		}
		if (!(*any)++)
			strbuf_puts(out, "\nData notes:\n");
		strbuf_printf(out, "  - pid %d: ", s->procs[i].pid);
		textesc_append(out, n, strlen(n), 0);
		strbuf_puts(out, "\n");
		shown[nshown++] = i;
	}
	if (more)
		strbuf_printf(out, "  - %zu more processes with other ML mapping notes (raw report)\n",
			      more);
}

/* The data note of counter k (snapstats.h), if it has one and it is not 0. */
static void stat_note(const struct snap_stats *st, int k, struct strbuf *out, int *any)
{
	const struct snap_stat_note *n = &snap_stat_table[k].note;
	uint64_t v = st->v[k];
	char a[32], b[32];

	if (n->minus != SNAP_STAT_NR)
		v = v > st->v[n->minus] ? v - st->v[n->minus] : 0;
	if (!v)
		return;
	if (!(*any)++)
		strbuf_puts(out, "\nData notes:\n");
	strbuf_puts(out, "  - ");
	timefmt_count(v, a, sizeof(a));
	if (n->other != SNAP_STAT_NR)
		strbuf_printf(out, n->fmt, a, timefmt_count(st->v[n->other], b, sizeof(b)));
	else
		strbuf_printf(out, n->fmt, a);
	strbuf_puts(out, "\n");
}

void report_data_notes(const struct snap *s, struct strbuf *out)
{
	int any = 0, rank, last = 0, k;

	/* In rank order: the counters that matter most to the reader first. */
	for (k = 0; k < SNAP_STAT_NR; k++)
		last = snap_stat_table[k].note.rank > last ? snap_stat_table[k].note.rank : last;
	for (rank = 1; rank <= last; rank++) {
		for (k = 0; k < SNAP_STAT_NR; k++) {
			if (snap_stat_table[k].note.rank == rank)
				stat_note(&s->stats, k, out, &any);
		}
	}
	ml_notes(s, out, &any);
}
