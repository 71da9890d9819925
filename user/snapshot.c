// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Snapshot <-> JSON, and scoping. Parsing validates every index, so a
 * hand-edited or truncated snapshot file is rejected, not trusted. */
#include <cjson/cJSON.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "sclock.h"
#include "snapshot.h"
#include "jsonscan.h"
#include "satmath.h"

static void proc_free_strings(struct snap_proc *p)
{
#define SP_FREE(field, ctype, kind, ...) SP_IF_STR(kind, free(p->field);)
	SNAP_PROC_FIELDS(SP_FREE)
#undef SP_FREE
}

void snap_free(struct snap *s)
{
	size_t i;

	if (!s)
		return;
	for (i = 0; i < s->nfuncs; i++) {
		free(s->funcs[i].name);
		free(s->funcs[i].qualname);
		free(s->funcs[i].file);
		free(s->funcs[i].py_file);
	}
	for (i = 0; i < s->nprocs; i++)
		proc_free_strings(&s->procs[i]);
	for (i = 0; i < s->nstacks; i++)
		free(s->stacks[i].frames);
	free(s->funcs);
	free(s->procs);
	free(s->stacks);
	free(s->host);
	memset(s, 0, sizeof(*s));
}

uint64_t snap_total_samples(const struct snap *s)
{
	uint64_t n = 0;
	size_t i;

	for (i = 0; i < s->nstacks; i++)
		n += s->stacks[i].samples;
	return n;
}

/* ---- to JSON ---- */

static int add_num(cJSON *o, const char *k, double v)
{
	return cJSON_AddNumberToObject(o, k, v) ? 0 : -ENOMEM;
}

static int add_str(cJSON *o, const char *k, const char *v)
{
	return cJSON_AddStringToObject(o, k, v ? v : "") ? 0 : -ENOMEM;
}

static cJSON *stats_to_json(const struct snap_stats *st)
{
	cJSON *o = cJSON_CreateObject();
	int err = !o, k;

	for (k = 0; !err && k < SNAP_STAT_NR; k++)
		err = add_num(o, snap_stat_table[k].name, (double)st->v[k]);
	if (err) {
		cJSON_Delete(o);
		return NULL;
	}
	return o;
}

static cJSON *func_to_json(const struct snap_func *f)
{
	cJSON *o = cJSON_CreateObject();
	int err = !o;

	err = err || add_str(o, "name", f->name);
	err = err || add_str(o, "qualname", f->qualname);
	err = err || add_str(o, "file", f->file);
	err = err || add_num(o, "line", f->line);
	err = err || add_num(o, "kind", f->kind);
	if (f->kind == FUNC_ML) {
		err = err || add_str(o, "py_file", f->py_file);
		err = err || add_num(o, "py_line", f->py_line);
	}
	if (err) {
		cJSON_Delete(o);
		return NULL;
	}
	return o;
}

static cJSON *proc_to_json(const struct snap_proc *p)
{
	cJSON *o = cJSON_CreateObject();
	int err = !o;

#define SP_TO_JSON(field, ctype, kind, json, flags, ...)                                   \
	SP_IF_STR(kind, err = err || add_str(o, json, p->field);)                              \
	SP_IF_NUM(kind, if (!((flags) & SP_OMIT0) || p->field)                                 \
		err = err || add_num(o, json, (double)p->field);)
	SNAP_PROC_FIELDS(SP_TO_JSON)
#undef SP_TO_JSON
	if (err) {
		cJSON_Delete(o);
		return NULL;
	}
	return o;
}

static cJSON *stack_to_json(const struct snap_stack *st)
{
	cJSON *o = cJSON_CreateObject(), *f;
	uint32_t i;
	int err = !o;

	err = err || add_num(o, "p", st->proc);
	err = err || add_num(o, "n", (double)st->samples);
	if (st->alloc_bytes || st->alloc_count) {
		err = err || add_num(o, "a", (double)st->alloc_bytes);
		err = err || add_num(o, "c", (double)st->alloc_count);
	}
	if (st->resident_bytes)
		err = err || add_num(o, "r", (double)st->resident_bytes);
	if (st->live_bytes)
		err = err || add_num(o, "l", (double)st->live_bytes);
	if (st->t)
		err = err || add_num(o, "t", (double)st->t);
	f = err ? NULL : cJSON_AddArrayToObject(o, "f");
	err = err || !f;
	for (i = 0; !err && i < st->nframes; i++) {
		err = !cJSON_AddItemToArray(f, cJSON_CreateNumber(st->frames[i].func)) ||
		      !cJSON_AddItemToArray(f, cJSON_CreateNumber(st->frames[i].line));
	}
	if (err) {
		cJSON_Delete(o);
		return NULL;
	}
	return o;
}

cJSON *snap_to_json(const struct snap *s)
{
	cJSON *o = cJSON_CreateObject(), *arr, *item;
	size_t i;
	int err = !o;

	err = err || add_str(o, "format", "mlprof-snapshot");
	err = err || add_num(o, "version", SNAP_FORMAT_VERSION);
	err = err || add_num(o, "freq_hz", s->freq_hz);
	err = err || add_str(o, "clock", sclock_name(s->clock));
	err = err || add_num(o, "memory", s->memory);
	err = err || add_num(o, "fault_period", s->fault_period);
	err = err || add_str(o, "host", s->host);
	err = err || add_num(o, "start_ns", (double)s->start_ns);
	err = err || add_num(o, "now_ns", (double)s->now_ns);
	err = err || add_num(o, "mono_to_real_ns", (double)s->mono_to_real_ns);
	if (s->bucket_ns) {
		err = err || add_num(o, "bucket_ns", (double)s->bucket_ns);
		err = err || add_num(o, "retention_ns", (double)s->retention_ns);
	}
	if (s->range_to_ns) {
		err = err || add_num(o, "range_from_ns", (double)s->range_from_ns);
		err = err || add_num(o, "range_to_ns", (double)s->range_to_ns);
	}
	item = err ? NULL : stats_to_json(&s->stats);
	err = err || !item || !cJSON_AddItemToObject(o, "stats", item);

	arr = err ? NULL : cJSON_AddArrayToObject(o, "functions");
	err = err || !arr;
	for (i = 0; !err && i < s->nfuncs; i++)
		err = !cJSON_AddItemToArray(arr, func_to_json(&s->funcs[i]));
	arr = err ? NULL : cJSON_AddArrayToObject(o, "processes");
	err = err || !arr;
	for (i = 0; !err && i < s->nprocs; i++)
		err = !cJSON_AddItemToArray(arr, proc_to_json(&s->procs[i]));
	arr = err ? NULL : cJSON_AddArrayToObject(o, "stacks");
	err = err || !arr;
	for (i = 0; !err && i < s->nstacks; i++)
		err = !cJSON_AddItemToArray(arr, stack_to_json(&s->stacks[i]));
	if (err) {
		cJSON_Delete(o);
		return NULL;
	}
	return o;
}

/* ---- from JSON ---- */

struct perr {
	char *buf;
	size_t len;
	int failed;
};

static void fail(struct perr *pe, const char *fmt, const char *what, long idx)
{
	if (!pe->failed) {
		snprintf(pe->buf, pe->len, fmt, what, idx);
		pe->failed = 1;
	}
}

static double get_num(const cJSON *o, const char *k, double lo, double hi, struct perr *pe,
		      long idx)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);

	if (!cJSON_IsNumber(v) || v->valuedouble < lo || v->valuedouble > hi ||
	    v->valuedouble != v->valuedouble) {
		fail(pe, "snapshot: bad or missing number \"%s\" (item %ld)", k, idx);
		return 0;
	}
	return v->valuedouble;
}

static char *get_str(const cJSON *o, const char *k, struct perr *pe, long idx)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);
	char *s;

	if (!cJSON_IsString(v) || !v->valuestring) {
		fail(pe, "snapshot: bad or missing string \"%s\" (item %ld)", k, idx);
		return NULL;
	}
	s = strdup(v->valuestring);
	if (!s)
		fail(pe, "snapshot: out of memory at \"%s\" (item %ld)", k, idx);
	return s;
}

/* Fields added after the first snapshot format: absent means empty. */
static char *get_opt_str(const cJSON *o, const char *k, struct perr *pe, long idx)
{
	return cJSON_GetObjectItemCaseSensitive(o, k) ? get_str(o, k, pe, idx) : strdup("");
}

static double get_opt_num(const cJSON *o, const char *k, double lo, double hi, struct perr *pe,
			  long idx)
{
	return cJSON_GetObjectItemCaseSensitive(o, k) ? get_num(o, k, lo, hi, pe, idx) : 0;
}

#define U64MAX 18446744073709551615.0
#define I32MIN -2147483648.0
#define I32MAX 2147483647.0

static void parse_stats(const cJSON *o, struct snap_stats *st, struct perr *pe)
{
	const struct snap_stat_desc *d;
	int k;

	if (!cJSON_IsObject(o)) {
		fail(pe, "snapshot: missing \"%s\"%ld", "stats", 0);
		return;
	}
	for (k = 0; k < SNAP_STAT_NR; k++) {
		d = &snap_stat_table[k];
		st->v[k] = (uint64_t)(d->flags & SS_REQ ? get_num(o, d->name, 0, U64MAX, pe, 0)
							: get_opt_num(o, d->name, 0, U64MAX, pe, 0));
	}
}

static void parse_func(const cJSON *o, struct snap_func *f, struct perr *pe, long i)
{
	f->name = get_str(o, "name", pe, i);
	f->qualname = get_str(o, "qualname", pe, i);
	f->file = get_str(o, "file", pe, i);
	f->line = (int32_t)get_num(o, "line", I32MIN, I32MAX, pe, i);
	f->kind = (uint8_t)get_num(o, "kind", 0, FUNC_ML, pe, i);
	if (f->kind == FUNC_ML) {
		f->py_file = get_str(o, "py_file", pe, i);
		f->py_line = (int32_t)get_num(o, "py_line", I32MIN, I32MAX, pe, i);
	} else {
		f->py_file = strdup("");
	}
}

static void parse_proc(const cJSON *o, struct snap_proc *p, size_t nprocs, struct perr *pe,
		       long i)
{
	p->id = (uint32_t)i;
#define SP_PARSE(field, ctype, kind, json, flags, lo, hi, rec)                                     \
	SP_IF_STR(kind, p->field = (flags) & SP_REQ ? get_str(o, json, pe, i)                  \
						    : get_opt_str(o, json, pe, i);)            \
	SP_IF_NUM(kind, p->field = (ctype)((flags) & SP_REQ ? get_num(o, json, lo, hi, pe, i)  \
							    : get_opt_num(o, json, lo, hi, pe, i));)
	SNAP_PROC_FIELDS(SP_PARSE)
#undef SP_PARSE
}

static void parse_stack(const cJSON *o, struct snap_stack *st, const struct snap *s,
			struct perr *pe, long i)
{
	const cJSON *f = cJSON_GetObjectItemCaseSensitive(o, "f"), *v;
	uint32_t k = 0;
	int n;

	st->proc = (uint32_t)get_num(o, "p", 0, (double)s->nprocs - 1, pe, i);
	st->samples = (uint64_t)get_num(o, "n", 0, U64MAX, pe, i);
	st->alloc_bytes = (uint64_t)get_opt_num(o, "a", 0, U64MAX, pe, i);
	st->alloc_count = (uint64_t)get_opt_num(o, "c", 0, U64MAX, pe, i);
	st->resident_bytes = (uint64_t)get_opt_num(o, "r", 0, U64MAX, pe, i);
	st->live_bytes = (int64_t)get_opt_num(o, "l", -9e18, 9e18, pe, i);
	st->t = (uint64_t)get_opt_num(o, "t", 0, U64MAX, pe, i);
	n = cJSON_IsArray(f) ? cJSON_GetArraySize(f) : -1;
	if (n < 0 || n % 2) {
		fail(pe, "snapshot: bad frame list \"%s\" (stack %ld)", "f", i);
		return;
	}
	st->frames = calloc((size_t)n / 2 + 1, sizeof(*st->frames));
	if (!st->frames) {
		fail(pe, "snapshot: out of memory at \"%s\" (stack %ld)", "f", i);
		return;
	}
	cJSON_ArrayForEach(v, f) {
		double d = cJSON_IsNumber(v) ? v->valuedouble : -1e300;

		if (k % 2 == 0 && (d < 0 || d >= (double)s->nfuncs || d != (uint32_t)d)) {
			fail(pe, "snapshot: frame function out of range in \"%s\" (stack %ld)", "f", i);
			return;
		}
		if (k % 2 == 1 && (d < I32MIN || d > I32MAX)) {
			fail(pe, "snapshot: frame line out of range in \"%s\" (stack %ld)", "f", i);
			return;
		}
		if (k % 2 == 0)
			st->frames[k / 2].func = (uint32_t)d;
		else
			st->frames[k / 2].line = (int32_t)d;
		k++;
	}
	st->nframes = k / 2;
}

static const cJSON *get_array(const cJSON *o, const char *k, struct perr *pe, int *n)
{
	const cJSON *a = cJSON_GetObjectItemCaseSensitive(o, k);

	*n = cJSON_IsArray(a) ? cJSON_GetArraySize(a) : 0;
	if (!cJSON_IsArray(a))
		fail(pe, "snapshot: missing array \"%s\"%ld", k, 0);
	return a;
}

/* Everything of snapshot object o but its three arrays. 0, or -EINVAL
 * with the reason in pe (a failed field) or in err (not a snapshot). */
static int parse_head(const cJSON *o, struct snap *s, struct perr *pe, char *err, size_t errlen)
{
	const cJSON *fmt, *v;
	enum sample_clock clock = SCLOCK_TIMER;

	fmt = cJSON_GetObjectItemCaseSensitive(o, "format");
	if (!cJSON_IsObject(o) || !cJSON_IsString(fmt) || strcmp(fmt->valuestring, "mlprof-snapshot")) {
		snprintf(err, errlen, "not an mlprof snapshot (no \"format\": \"mlprof-snapshot\")");
		return -EINVAL;
	}
	if (get_num(o, "version", 1, SNAP_FORMAT_VERSION, pe, 0) == 0) {
		snprintf(err, errlen, "unsupported snapshot version (this mlprof reads %d)",
			 SNAP_FORMAT_VERSION);
		return -EINVAL;
	}
	s->freq_hz = (uint32_t)get_num(o, "freq_hz", 1, 1000000, pe, 0);
	v = cJSON_GetObjectItemCaseSensitive(o, "clock");
	if (cJSON_IsString(v) && v->valuestring && sclock_parse(v->valuestring, &clock)) {
		snprintf(err, errlen, "unknown sampling clock");
		return -EINVAL;
	}
	s->clock = clock;
	s->memory = (enum snap_memory)get_opt_num(o, "memory", SNAP_MEM_OFF, SNAP_MEM_LIVE, pe, 0);
	s->fault_period = (uint32_t)get_opt_num(o, "fault_period", 0, 1e6, pe, 0);
	s->host = get_str(o, "host", pe, 0);
	s->start_ns = (uint64_t)get_num(o, "start_ns", 0, U64MAX, pe, 0);
	s->now_ns = (uint64_t)get_num(o, "now_ns", 0, U64MAX, pe, 0);
	s->mono_to_real_ns = (int64_t)get_num(o, "mono_to_real_ns", -9.2e18, 9.2e18, pe, 0);
	s->bucket_ns = (uint64_t)get_opt_num(o, "bucket_ns", 0, U64MAX, pe, 0);
	s->retention_ns = (uint64_t)get_opt_num(o, "retention_ns", 0, U64MAX, pe, 0);
	s->range_from_ns = (uint64_t)get_opt_num(o, "range_from_ns", 0, U64MAX, pe, 0);
	s->range_to_ns = (uint64_t)get_opt_num(o, "range_to_ns", 0, U64MAX, pe, 0);
	parse_stats(cJSON_GetObjectItemCaseSensitive(o, "stats"), &s->stats, pe);
	return pe->failed ? -EINVAL : 0;
}

int snap_from_json(const cJSON *o, struct snap *s, char *err, size_t errlen)
{
	struct perr pe = { err, errlen, 0 };
	const cJSON *fa, *pa, *sa, *v;
	int nf = 0, np = 0, ns = 0;
	long i;

	memset(s, 0, sizeof(*s));
	if (parse_head(o, s, &pe, err, errlen) && !pe.failed)
		return -EINVAL; /* not a snapshot: err says so */
	fa = get_array(o, "functions", &pe, &nf);
	pa = get_array(o, "processes", &pe, &np);
	sa = get_array(o, "stacks", &pe, &ns);
	if (!pe.failed) {
		s->funcs = calloc((size_t)nf + 1, sizeof(*s->funcs));
		s->procs = calloc((size_t)np + 1, sizeof(*s->procs));
		s->stacks = calloc((size_t)ns + 1, sizeof(*s->stacks));
		if (!s->funcs || !s->procs || !s->stacks)
			fail(&pe, "snapshot: out of memory%s%ld", "", 0);
	}
	i = 0;
	cJSON_ArrayForEach(v, fa) {
		if (pe.failed)
			break;
		parse_func(v, &s->funcs[i], &pe, i);
		s->nfuncs = (size_t)++i;
	}
	i = 0;
	cJSON_ArrayForEach(v, pa) {
		if (pe.failed)
			break;
		parse_proc(v, &s->procs[i], (size_t)np, &pe, i);
		s->nprocs = (size_t)++i;
	}
	i = 0;
	cJSON_ArrayForEach(v, sa) {
		if (pe.failed)
			break;
		parse_stack(v, &s->stacks[i], s, &pe, i);
		s->nstacks = (size_t)++i;
	}
	if (pe.failed) {
		snap_free(s);
		return -EINVAL;
	}
	return 0;
}

/* ---- from text, one element at a time ---- */

enum { ARR_FUNCS, ARR_PROCS, ARR_STACKS, NARR };
static const char *const ARR_KEYS[NARR] = { "functions", "processes", "stacks" };

struct textload {
	const char *text;
	struct snap *s;
	struct perr *pe;
	cJSON *head;          /* the snapshot object without its arrays */
	size_t arr[NARR][2];  /* each array's extent; [1] == 0: absent */
	size_t obj[2];        /* the snapshot object's extent */
	size_t n[NARR];       /* each array's length */
	int found;            /* a "snapshot" member was seen */
	int which;            /* the array being loaded */
};

static cJSON *parse_piece(const char *text, size_t start, size_t end)
{
	const char *stop = NULL;
	cJSON *v = cJSON_ParseWithLengthOpts(text + start, end - start, &stop, 0);

	if (v && stop != text + end) {
		cJSON_Delete(v);
		v = NULL;
	}
	return v;
}

/* A member's key as a parsed object would hold it (escapes decoded, cut at
 * a NUL), so a file means here what it means to snap_from_json. NULL if it
 * cannot be decoded (out of memory: refused). */
static cJSON *key_of(const char *key, size_t klen)
{
	/* The quotes around it are part of the text (jsonscan_object). */
	cJSON *k = parse_piece(key - 1, 0, klen + 2);

	if (k && !cJSON_IsString(k)) {
		cJSON_Delete(k);
		k = NULL;
	}
	return k;
}

/* A top-level member: `"snapshot": {...}` wraps the snapshot (as saved). */
static int find_wrapped(void *ctx, const char *key, size_t klen, size_t vs, size_t ve)
{
	struct textload *tl = ctx;
	cJSON *k = key_of(key, klen);

	if (k && !strcmp(k->valuestring, "snapshot") && !tl->found) {
		tl->found = 1; /* the first one counts, as in a parsed object */
		if (tl->text[vs] == '{') {
			tl->obj[0] = vs;
			tl->obj[1] = ve;
		}
	}
	cJSON_Delete(k);
	return k ? 0 : -EINVAL;
}

static int take_member(void *ctx, const char *key, size_t klen, size_t vs, size_t ve)
{
	struct textload *tl = ctx;
	cJSON *k = key_of(key, klen), *v = NULL;
	int a = NARR, ret = k ? 0 : -EINVAL;

	for (a = 0; k && a < NARR; a++) {
		if (!strcmp(k->valuestring, ARR_KEYS[a]))
			break;
	}
	if (!k) {
		/* refused */
	} else if (a < NARR) {
		if (!tl->arr[a][1]) { /* the first one counts, as in a parsed object */
			tl->arr[a][0] = vs;
			tl->arr[a][1] = ve;
		}
	} else {
		v = parse_piece(tl->text, vs, ve);
		if (!v)
			ret = -EINVAL;
		else
			cJSON_AddItemToObject(tl->head, k->valuestring, v);
	}
	cJSON_Delete(k);
	return ret;
}

static int count_elem(void *ctx, size_t vs, size_t ve, long idx)
{
	(void)vs, (void)ve, (void)idx;
	(*(size_t *)ctx)++;
	return 0;
}

static int load_elem(void *ctx, size_t vs, size_t ve, long i)
{
	struct textload *tl = ctx;
	struct snap *s = tl->s;
	cJSON *v = parse_piece(tl->text, vs, ve);

	if (!v) {
		fail(tl->pe, "snapshot: malformed JSON in \"%s\" (item %ld)", ARR_KEYS[tl->which], i);
	} else if (tl->which == ARR_FUNCS) {
		parse_func(v, &s->funcs[i], tl->pe, i);
		s->nfuncs = (size_t)i + 1;
	} else if (tl->which == ARR_PROCS) {
		parse_proc(v, &s->procs[i], tl->n[ARR_PROCS], tl->pe, i);
		s->nprocs = (size_t)i + 1;
	} else {
		parse_stack(v, &s->stacks[i], s, tl->pe, i);
		s->nstacks = (size_t)i + 1;
	}
	cJSON_Delete(v);
	return tl->pe->failed ? -EINVAL : 0;
}

/* The snapshot object's extent in tl->obj, its scalar members in tl->head,
 * its arrays' extents in tl->arr. 0 or -EINVAL (not JSON). */
static int split_text(struct textload *tl, size_t len)
{
	size_t pos = 0, start = 0, after;
	int ret = jsonscan_value(tl->text, len, &pos, &start);

	after = pos;
	if (!ret && (tl->text[start] != '{' || jsonscan_value(tl->text, len, &after, &after) != -EINVAL))
		ret = -EINVAL; /* one object, nothing after it */
	if (!ret)
		ret = jsonscan_object(tl->text, start, pos, find_wrapped, tl);
	if (!ret && !tl->obj[1]) {
		tl->obj[0] = start;
		tl->obj[1] = pos;
	}
	return ret ? ret : jsonscan_object(tl->text, tl->obj[0], tl->obj[1], take_member, tl);
}

int snap_from_text(const char *text, size_t len, struct snap *s, char *err, size_t errlen)
{
	struct perr pe = { err, errlen, 0 };
	struct textload tl = { .text = text, .s = s, .pe = &pe };
	int a, ret = 0;

	memset(s, 0, sizeof(*s));
	tl.head = cJSON_CreateObject();
	if (!tl.head) {
		snprintf(err, errlen, "out of memory");
		ret = -ENOMEM;
	} else if (split_text(&tl, len)) {
		snprintf(err, errlen, "not JSON");
		ret = -EINVAL;
	} else if (parse_head(tl.head, s, &pe, err, errlen) && !pe.failed) {
		ret = -EINVAL; /* not a snapshot: err says so */
	}
	cJSON_Delete(tl.head);
	for (a = 0; a < NARR && !ret && !pe.failed; a++) {
		if (!tl.arr[a][1] || tl.text[tl.arr[a][0]] != '[' ||
		    jsonscan_array(text, tl.arr[a][0], tl.arr[a][1], count_elem, &tl.n[a]))
			fail(&pe, "snapshot: missing array \"%s\"%ld", ARR_KEYS[a], 0);
	}
	if (!ret && !pe.failed) {
		s->funcs = calloc(tl.n[ARR_FUNCS] + 1, sizeof(*s->funcs));
		s->procs = calloc(tl.n[ARR_PROCS] + 1, sizeof(*s->procs));
		s->stacks = calloc(tl.n[ARR_STACKS] + 1, sizeof(*s->stacks));
		if (!s->funcs || !s->procs || !s->stacks)
			fail(&pe, "snapshot: out of memory%s%ld", "", 0);
	}
	/* Functions and processes first: stacks refer to them. */
	for (tl.which = 0; tl.which < NARR && !ret && !pe.failed; tl.which++)
		jsonscan_array(text, tl.arr[tl.which][0], tl.arr[tl.which][1], load_elem, &tl);
	if (!ret && pe.failed)
		ret = -EINVAL;
	if (ret)
		snap_free(s);
	return ret;
}

/* ---- scoping ---- */

int32_t snap_last_mlpy_run(const struct snap *s)
{
	uint64_t *end = calloc(s->nprocs + 1, sizeof(*end));
	uint8_t *live = calloc(s->nprocs + 1, 1), *mlpy = calloc(s->nprocs + 1, 1);
	int32_t best = -1;
	size_t i;

	for (i = 0; end && live && mlpy && i < s->nprocs; i++) {
		const struct snap_proc *p = &s->procs[i];

		live[p->root] |= !p->ended;
		mlpy[p->root] |= p->mlpy != MLPY_NONE;
		if (p->end_ns > end[p->root])
			end[p->root] = p->end_ns;
	}
	for (i = 0; end && live && mlpy && i < s->nprocs; i++) {
		if (mlpy[i] && !live[i] && end[i] && (best < 0 || end[i] > end[best]))
			best = (int32_t)i;
	}
	free(end);
	free(live);
	free(mlpy);
	return best;
}

/* 1 if p is the process pid or descends from it (parent links). */
static int in_pid_tree(const struct snap *s, const struct snap_proc *p, int32_t pid)
{
	size_t hops;

	for (hops = 0; p && hops <= s->nprocs; hops++) {
		if (p->pid == pid)
			return 1;
		p = p->parent >= 0 && (size_t)p->parent < s->nprocs ? &s->procs[p->parent] : NULL;
	}
	return 0;
}

/* 1 if p ran at some time in [from, to). */
static int alive_in(const struct snap_proc *p, uint64_t from, uint64_t to)
{
	return p->start_ns < to && (!p->ended || p->end_ns >= from);
}

static int has_range(const struct snap_scope *sc)
{
	return sc->since_ns || sc->until_ns;
}

static uint64_t range_to(const struct snap_scope *sc)
{
	return sc->until_ns ? sc->until_ns : UINT64_MAX;
}

/* 1 if the stack's counts fall in the scope's time range: its bucket
 * overlaps the range; a stack with no bucket, if its process ran in it. */
static int stack_in_range(const struct snap *s, const struct snap_stack *st,
			  const struct snap_scope *sc)
{
	uint64_t to = range_to(sc);

	if (!has_range(sc))
		return 1;
	if (!st->t)
		return alive_in(&s->procs[st->proc], sc->since_ns, to);
	return st->t < to && (s->bucket_ns ? st->t + s->bucket_ns > sc->since_ns
					   : st->t >= sc->since_ns);
}

static int proc_selected(const struct snap *s, const struct snap_proc *p,
			 const struct snap_scope *sc, int has_stacks)
{
	if (sc->run && p->root != sc->run - 1)
		return 0;
	if (sc->pid && !in_pid_tree(s, p, sc->pid))
		return 0;
	if (has_range(sc) && !has_stacks && !alive_in(p, sc->since_ns, range_to(sc)))
		return 0;
	return 1;
}

/* The range a time filter covered, rounded out to whole buckets and
 * clipped to the data held (the oldest bucket, or the start) and now. */
static void set_range(struct snap *s, const struct snap_scope *sc)
{
	uint64_t b = s->bucket_ns, from = sc->since_ns, to = range_to(sc), oldest = s->start_ns;
	size_t i;

	for (i = 0; i < s->nstacks; i++) {
		if (s->stacks[i].t && s->stacks[i].t < oldest)
			oldest = s->stacks[i].t;
	}
	if (b) {
		from -= from % b;
		to = to % b && to < UINT64_MAX - b ? to - to % b + b : to;
	}
	s->range_from_ns = from > oldest ? from : oldest;
	s->range_to_ns = to < s->now_ns ? to : s->now_ns;
	if (s->range_to_ns < s->range_from_ns)
		s->range_to_ns = s->range_from_ns;
}

int snap_filter(struct snap *s, const struct snap_scope *sc)
{
	uint8_t *keep_stack = NULL, *has_stacks = NULL;
	int32_t *map = NULL;
	size_t i, kept = 0;
	int err = 0;

	if (!sc->pid && !has_range(sc) && !sc->run)
		return 0;
	map = malloc((s->nprocs + 1) * sizeof(*map));
	keep_stack = calloc(s->nstacks + 1, 1);
	has_stacks = calloc(s->nprocs + 1, 1);
	if (!map || !keep_stack || !has_stacks) {
		err = -ENOMEM;
		goto out;
	}
	if (has_range(sc))
		set_range(s, sc);
	for (i = 0; i < s->nstacks; i++) {
		keep_stack[i] = (uint8_t)stack_in_range(s, &s->stacks[i], sc);
		if (keep_stack[i])
			has_stacks[s->stacks[i].proc] = 1;
	}
	for (i = 0; i < s->nprocs; i++)
		map[i] = proc_selected(s, &s->procs[i], sc, has_stacks[i]) ? (int32_t)kept++ : -1;
	for (i = 0; i < s->nprocs; i++) {
		struct snap_proc p = s->procs[i];

		if (map[i] < 0) {
			proc_free_strings(&s->procs[i]);
			continue;
		}
		p.id = (uint32_t)map[i];
		p.parent = p.parent >= 0 ? map[p.parent] : -1;
		p.root = map[p.root] >= 0 ? map[p.root] : map[i];
		if (has_range(sc)) {
			p.samples = p.alloc_bytes = p.resident_bytes = 0; /* recounted below */
			p.live_bytes = 0;
		}
		s->procs[map[i]] = p;
	}
	s->nprocs = kept;
	kept = 0;
	for (i = 0; i < s->nstacks; i++) {
		struct snap_stack *st = &s->stacks[i];

		if (keep_stack[i] && map[st->proc] >= 0) {
			st->proc = (uint32_t)map[st->proc];
			if (has_range(sc)) {
				s->procs[st->proc].samples += st->samples;
				s->procs[st->proc].alloc_bytes += st->alloc_bytes;
				s->procs[st->proc].resident_bytes += st->resident_bytes;
				s->procs[st->proc].live_bytes =
					sat_add_i64(s->procs[st->proc].live_bytes, st->live_bytes);
			}
			s->stacks[kept++] = *st;
		} else {
			free(st->frames);
		}
	}
	s->nstacks = kept;
out:
	free(map);
	free(keep_stack);
	free(has_stacks);
	return err;
}
