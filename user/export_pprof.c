// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* pprof: the profile.proto message (proto/profile.proto, C code generated
 * by protoc-c into build/), gzipped. One location per (function, line), one
 * sample per stack (a stack seen in several time buckets is several
 * samples; pprof adds them up), labelled with the category that owns it
 * (as the developer reports count it), the pid and the process name. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>
#include "classify.h"
#include "export.h"
#include "hashmap.h"
#include "profile.pb-c.h"
#include "view.h"

typedef Perftools__Profiles__Profile PbProfile;
typedef Perftools__Profiles__ValueType PbValueType;
typedef Perftools__Profiles__Sample PbSample;
typedef Perftools__Profiles__Label PbLabel;
typedef Perftools__Profiles__Location PbLocation;
typedef Perftools__Profiles__Line PbLine;
typedef Perftools__Profiles__Function PbFunction;

#define NO_FRAMES_FUNC UINT32_MAX
#define MAX_VALUES 5
#define MAX_LABELS 4
#define MAX_COMMENTS 4

struct pp {
	const struct snap *s;
	char **strings;
	size_t nstrings, capstrings;
	struct hashmap *string_ids; /* key: a string of strings[], value: index + 1 */
	PbFunction *funcs;          /* funcs[i] has id i + 1 */
	PbFunction **func_ptrs;
	size_t nfuncs;
	uint64_t *func_id;          /* snapshot function -> id, 0 none yet */
	uint64_t no_frames_id;
	PbLocation *locs;           /* locs[i] has id i + 1 */
	PbLine *lines;
	PbLine **line_ptrs;
	PbLocation **loc_ptrs;
	size_t nlocs, caplocs;
	struct hashmap *loc_ids;    /* key: func << 32 | line, value: id */
	PbSample *samples;
	PbSample **sample_ptrs;
	size_t nsamples;
	uint64_t *loc_id_pool;
	int64_t *value_pool;
	PbLabel *label_pool;
	PbLabel **label_ptr_pool;
	size_t nvalues;
	uint8_t *func_cat;
	PbValueType types[MAX_VALUES], period_type;
	PbValueType *type_ptrs[MAX_VALUES];
	int64_t comments[MAX_COMMENTS];
	size_t ncomments;
	Perftools__Profiles__Mapping mapping;
	Perftools__Profiles__Mapping *mapping_ptr;
	struct strbuf tmp;
};

static uint64_t str_hash(uint64_t key)
{
	const char *str = (const char *)(uintptr_t)key;

	return hashmap_hash_bytes(str, strlen(str), 0);
}

static int str_equal(uint64_t a, uint64_t b)
{
	return !strcmp((const char *)(uintptr_t)a, (const char *)(uintptr_t)b);
}

/* The string table index of str (added if new); -1 on ENOMEM. */
static int64_t intern(struct pp *p, const char *str)
{
	void *found;
	char **grown, *copy;

	if (!str)
		str = "";
	found = hashmap__find(p->string_ids, (uint64_t)(uintptr_t)str);
	if (found)
		return (int64_t)(uintptr_t)found - 1;
	if (p->nstrings == p->capstrings) {
		p->capstrings = p->capstrings ? p->capstrings * 2 : 256;
		grown = realloc(p->strings, p->capstrings * sizeof(*grown));
		if (!grown)
			return -1;
		p->strings = grown;
	}
	copy = strdup(str);
	if (!copy)
		return -1;
	if (hashmap__set(p->string_ids, (uint64_t)(uintptr_t)copy,
			 (void *)(uintptr_t)(p->nstrings + 1), NULL)) {
		free(copy);
		return -1;
	}
	p->strings[p->nstrings] = copy;
	return (int64_t)p->nstrings++;
}

/* The function id of snapshot function f (NO_FRAMES_FUNC: the stand-in
 * for a stack without frames); 0 on ENOMEM. */
static uint64_t function_id(struct pp *p, uint32_t f)
{
	const struct snap_func *sf = f == NO_FRAMES_FUNC ? NULL : &p->s->funcs[f];
	uint64_t *slot = sf ? &p->func_id[f] : &p->no_frames_id;
	PbFunction *fn;
	int64_t name, sys, file;

	if (*slot)
		return *slot;
	name = intern(p, sf ? export_func_name(sf) : EXPORT_NO_FRAMES);
	file = intern(p, sf && sf->kind != FUNC_PSEUDO ? sf->file : "");
	/* pprof takes a name equal to its system name for a C++ symbol to
	 * simplify, and "<module>" would lose its <...>: the system name is
	 * "file:name" (pseudo functions "mlprof:name"). */
	strbuf_printf(&p->tmp, "%s:%s",
		      sf && sf->kind != FUNC_PSEUDO && sf->file && sf->file[0] ? sf->file : "mlprof",
		      sf ? export_func_name(sf) : EXPORT_NO_FRAMES);
	sys = p->tmp.err ? -1 : intern(p, p->tmp.buf);
	strbuf_reset(&p->tmp);
	if (name < 0 || sys < 0 || file < 0)
		return 0;
	fn = &p->funcs[p->nfuncs];
	perftools__profiles__function__init(fn);
	fn->id = ++p->nfuncs;
	fn->name = name;
	fn->system_name = sys;
	fn->filename = file;
	fn->start_line = sf && sf->line > 0 ? sf->line : 0;
	*slot = fn->id;
	return fn->id;
}

static int grow_locs(struct pp *p)
{
	size_t cap = p->caplocs ? p->caplocs * 2 : 1024;
	PbLocation *l = realloc(p->locs, cap * sizeof(*l));
	PbLine *n;

	if (!l)
		return -ENOMEM;
	p->locs = l;
	n = realloc(p->lines, cap * sizeof(*n));
	if (!n)
		return -ENOMEM;
	p->lines = n;
	p->caplocs = cap;
	return 0;
}

/* The location id of (function, line); 0 on ENOMEM. */
static uint64_t location_id(struct pp *p, uint32_t f, int32_t line)
{
	uint64_t key = (uint64_t)f << 32 | (uint32_t)(line > 0 ? line : 0), fid;
	void *found = hashmap__find(p->loc_ids, key);
	PbLocation *loc;

	if (found)
		return (uint64_t)(uintptr_t)found;
	fid = function_id(p, f);
	if (!fid || (p->nlocs == p->caplocs && grow_locs(p)))
		return 0;
	loc = &p->locs[p->nlocs];
	perftools__profiles__location__init(loc);
	perftools__profiles__line__init(&p->lines[p->nlocs]);
	p->lines[p->nlocs].function_id = fid;
	p->lines[p->nlocs].line = line > 0 ? line : 0;
	loc->id = p->nlocs + 1;
	loc->mapping_id = 1;
	if (hashmap__set(p->loc_ids, key, (void *)(uintptr_t)loc->id, NULL))
		return 0;
	p->nlocs++;
	return loc->id;
}

static int64_t clamp64(uint64_t v)
{
	return v > INT64_MAX ? INT64_MAX : (int64_t)v;
}

static int set_labels(struct pp *p, PbSample *smp, const struct snap_stack *st)
{
	const struct snap_proc *pr = &p->s->procs[st->proc];
	PbLabel *l = &p->label_pool[p->nsamples * MAX_LABELS];
	PbLabel **lp = &p->label_ptr_pool[p->nsamples * MAX_LABELS];
	int64_t k[MAX_LABELS], v[MAX_LABELS];
	size_t i, n = 3;

	k[0] = intern(p, "category");
	v[0] = intern(p, classify_key(view_stack_cat(p->func_cat, st)));
	k[1] = intern(p, "process");
	v[1] = intern(p, export_proc_name(pr));
	k[2] = intern(p, "pid");
	v[2] = 0;
	if (pr->mlpy) {
		k[3] = intern(p, "mlpy");
		v[3] = intern(p, pr->mlpy == MLPY_SANDBOX ? "sandbox" : "cli");
		n = 4;
	}
	for (i = 0; i < n; i++) {
		if (k[i] < 0 || v[i] < 0)
			return -ENOMEM;
		perftools__profiles__label__init(&l[i]);
		l[i].key = k[i];
		if (i == 2)
			l[i].num = pr->pid;
		else
			l[i].str = v[i];
		lp[i] = &l[i];
	}
	smp->n_label = n;
	smp->label = lp;
	return 0;
}

static int add_sample(struct pp *p, const struct snap_stack *st, uint64_t **loc_ids)
{
	PbSample *smp = &p->samples[p->nsamples];
	int64_t *val = &p->value_pool[p->nsamples * p->nvalues];
	uint64_t period = export_period_ns(p->s);
	uint32_t j;

	perftools__profiles__sample__init(smp);
	smp->location_id = *loc_ids;
	if (!st->nframes) {
		(*loc_ids)[0] = location_id(p, NO_FRAMES_FUNC, 0);
		if (!(*loc_ids)[0])
			return -ENOMEM;
		smp->n_location_id = 1;
	}
	for (j = 0; j < st->nframes; j++) { /* pprof: leaf first, like the snapshot */
		(*loc_ids)[j] = location_id(p, st->frames[j].func, st->frames[j].line);
		if (!(*loc_ids)[j])
			return -ENOMEM;
		smp->n_location_id = j + 1;
	}
	*loc_ids += smp->n_location_id;
	val[0] = clamp64(st->samples);
	val[1] = clamp64(export_mul_sat(st->samples, period, INT64_MAX));
	if (p->nvalues == MAX_VALUES) {
		val[2] = clamp64(st->alloc_bytes);
		val[3] = clamp64(st->alloc_count);
		val[4] = clamp64(st->resident_bytes);
	}
	smp->n_value = p->nvalues;
	smp->value = val;
	if (set_labels(p, smp, st))
		return -ENOMEM;
	p->sample_ptrs[p->nsamples] = smp;
	p->nsamples++;
	return 0;
}

static int stack_used(const struct pp *p, const struct snap_stack *st)
{
	return st->samples ||
	       (p->nvalues == MAX_VALUES && (st->alloc_bytes || st->alloc_count || st->resident_bytes));
}

static int alloc_all(struct pp *p)
{
	const struct snap *s = p->s;
	size_t n = 0, frames = 0, i;

	for (i = 0; i < s->nstacks; i++) {
		if (stack_used(p, &s->stacks[i])) {
			n++;
			frames += s->stacks[i].nframes ? s->stacks[i].nframes : 1;
		}
	}
	p->string_ids = hashmap__new(str_hash, str_equal);
	p->loc_ids = hashmap__new(NULL, NULL);
	p->funcs = calloc(s->nfuncs + 2, sizeof(*p->funcs));
	p->func_ptrs = calloc(s->nfuncs + 2, sizeof(*p->func_ptrs));
	p->func_id = calloc(s->nfuncs + 1, sizeof(*p->func_id));
	p->samples = calloc(n + 1, sizeof(*p->samples));
	p->sample_ptrs = calloc(n + 1, sizeof(*p->sample_ptrs));
	p->loc_id_pool = calloc(frames + 1, sizeof(*p->loc_id_pool));
	p->value_pool = calloc((n + 1) * p->nvalues, sizeof(*p->value_pool));
	p->label_pool = calloc((n + 1) * MAX_LABELS, sizeof(*p->label_pool));
	p->label_ptr_pool = calloc((n + 1) * MAX_LABELS, sizeof(*p->label_ptr_pool));
	p->func_cat = view_func_cats(s);
	if (!p->string_ids || !p->loc_ids || !p->funcs || !p->func_ptrs || !p->func_id ||
	    !p->samples || !p->sample_ptrs || !p->loc_id_pool || !p->value_pool ||
	    !p->label_pool || !p->label_ptr_pool || !p->func_cat)
		return -ENOMEM;
	return intern(p, "") == 0 ? 0 : -ENOMEM;
}

static void free_all(struct pp *p)
{
	size_t i;

	for (i = 0; i < p->nstrings; i++)
		free(p->strings[i]);
	free(p->strings);
	hashmap__free(p->string_ids);
	hashmap__free(p->loc_ids);
	free(p->funcs);
	free(p->func_ptrs);
	free(p->func_id);
	free(p->locs);
	free(p->lines);
	free(p->line_ptrs);
	free(p->loc_ptrs);
	free(p->samples);
	free(p->sample_ptrs);
	free(p->loc_id_pool);
	free(p->value_pool);
	free(p->label_pool);
	free(p->label_ptr_pool);
	free(p->func_cat);
	strbuf_free(&p->tmp);
}

static int set_type(struct pp *p, PbValueType *t, const char *type, const char *unit)
{
	int64_t a = intern(p, type), b = intern(p, unit);

	perftools__profiles__value_type__init(t);
	t->type = a;
	t->unit = b;
	return a < 0 || b < 0 ? -ENOMEM : 0;
}

static int add_comment(struct pp *p, const char *text)
{
	int64_t i = intern(p, text);

	if (i < 0)
		return -ENOMEM;
	p->comments[p->ncomments++] = i;
	return 0;
}

/* Everything but the samples: value types, period, times, comments. */
static int header(struct pp *p, PbProfile *prof)
{
	static const char *const types[MAX_VALUES][2] = {
		{ "samples", "count" },      { "cpu", "nanoseconds" },
		{ "alloc_space", "bytes" },  { "alloc_objects", "count" },
		{ "resident_space", "bytes" },
	};
	const struct snap *s = p->s;
	struct strbuf sb = STRBUF_INIT;
	uint64_t drops = export_add_sat(s->stats.sample_drops, s->stats.lost_samples, UINT64_MAX);
	uint64_t from, to;
	size_t i;
	int err = 0;

	export_window(s, &from, &to);
	for (i = 0; !err && i < p->nvalues; i++) {
		err = set_type(p, &p->types[i], types[i][0], types[i][1]);
		p->type_ptrs[i] = &p->types[i];
	}
	err = err ? err : set_type(p, &p->period_type, "cpu", "nanoseconds");
	prof->n_sample_type = p->nvalues;
	prof->sample_type = p->type_ptrs;
	prof->period_type = &p->period_type;
	prof->period = clamp64(export_period_ns(s));
	prof->default_sample_type = intern(p, "cpu");
	prof->time_nanos = (int64_t)from + s->mono_to_real_ns;
	prof->duration_nanos = clamp64(to - from);
	strbuf_printf(&sb, "mlprof profile of %s at %u Hz", s->host && s->host[0] ? s->host : "?",
		      s->freq_hz);
	err = err ? err : sb.err ? sb.err : add_comment(p, sb.buf);
	strbuf_reset(&sb);
	if (!err && drops) {
		strbuf_printf(&sb, "%llu samples dropped (not in this profile)",
			      (unsigned long long)drops);
		err = sb.err ? sb.err : add_comment(p, sb.buf);
	}
	strbuf_free(&sb);
	/* One mapping that says names and lines are all there (so pprof does
	 * not look for a binary to symbolize). */
	perftools__profiles__mapping__init(&p->mapping);
	p->mapping.id = 1;
	p->mapping.filename = intern(p, "python");
	p->mapping.has_functions = p->mapping.has_filenames = p->mapping.has_line_numbers = 1;
	p->mapping_ptr = &p->mapping;
	prof->n_mapping = 1;
	prof->mapping = &p->mapping_ptr;
	if (!err && p->mapping.filename < 0)
		err = -ENOMEM;
	prof->n_comment = p->ncomments;
	prof->comment = p->comments;
	if (!err && prof->default_sample_type < 0)
		err = -ENOMEM;
	return err;
}

/* Points the profile at the tables, now that they no longer move. */
static int link_tables(struct pp *p, PbProfile *prof)
{
	size_t i;

	p->loc_ptrs = calloc(p->nlocs + 1, sizeof(*p->loc_ptrs));
	p->line_ptrs = calloc(p->nlocs + 1, sizeof(*p->line_ptrs));
	if (!p->loc_ptrs || !p->line_ptrs)
		return -ENOMEM;
	for (i = 0; i < p->nlocs; i++) {
		p->line_ptrs[i] = &p->lines[i];
		p->locs[i].n_line = 1;
		p->locs[i].line = &p->line_ptrs[i];
		p->loc_ptrs[i] = &p->locs[i];
	}
	for (i = 0; i < p->nfuncs; i++)
		p->func_ptrs[i] = &p->funcs[i];
	prof->n_location = p->nlocs;
	prof->location = p->loc_ptrs;
	prof->n_function = p->nfuncs;
	prof->function = p->func_ptrs;
	prof->n_sample = p->nsamples;
	prof->sample = p->sample_ptrs;
	prof->n_string_table = p->nstrings;
	prof->string_table = p->strings;
	return 0;
}

static int gzip_into(const uint8_t *data, size_t len, struct strbuf *out)
{
	z_stream z = { 0 };
	uint8_t *buf = NULL;
	uLong bound;
	int err = 0;

	if (len > UINT32_MAX) /* one deflate call takes a uInt */
		return -E2BIG;
	if (deflateInit2(&z, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK)
		return -ENOMEM;
	bound = deflateBound(&z, (uLong)len) + 64;
	buf = malloc(bound);
	if (!buf) {
		err = -ENOMEM;
	} else {
		z.next_in = (Bytef *)data;
		z.avail_in = (uInt)len;
		z.next_out = buf;
		z.avail_out = (uInt)bound;
		if (deflate(&z, Z_FINISH) != Z_STREAM_END)
			err = -EIO;
		else
			err = strbuf_append(out, (const char *)buf, z.total_out);
	}
	deflateEnd(&z);
	free(buf);
	return err;
}

int export_pprof(const struct snap *s, struct strbuf *out)
{
	PbProfile prof = PERFTOOLS__PROFILES__PROFILE__INIT;
	struct pp p = { .s = s, .nvalues = s->memory ? MAX_VALUES : 2 };
	uint64_t *loc_ids;
	uint8_t *packed = NULL;
	size_t i, len;
	int err = export_check(s);

	err = err ? err : alloc_all(&p);
	err = err ? err : header(&p, &prof);
	loc_ids = p.loc_id_pool;
	for (i = 0; !err && i < s->nstacks; i++) {
		if (stack_used(&p, &s->stacks[i]))
			err = add_sample(&p, &s->stacks[i], &loc_ids);
	}
	err = err ? err : link_tables(&p, &prof);
	if (!err) {
		len = perftools__profiles__profile__get_packed_size(&prof);
		packed = malloc(len + 1);
		if (!packed)
			err = -ENOMEM;
		else if (perftools__profiles__profile__pack(&prof, packed) != len)
			err = -EIO;
		else
			err = gzip_into(packed, len, out);
	}
	free(packed);
	free_all(&p);
	return err;
}
