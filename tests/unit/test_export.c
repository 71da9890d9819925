// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Exports: folded stacks exact, speedscope JSON consistent with the
 * snapshot, pprof decoded back (gunzip + protobuf-c unpack) with the right
 * sample types, values, locations, functions, lines and labels; bad input
 * (empty snapshots, empty names, huge counts, bad indices). */
#include <cjson/cJSON.h>
#include <criterion/criterion.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>
#include "classify.h"
#include "export.h"
#include "fixtures.h"
#include "profile.pb-c.h"
#include "report_helpers.h"
#include "view.h"

typedef Perftools__Profiles__Profile PbProfile;

static char *render_text(const struct snap *s, int (*fn)(const struct snap *, struct strbuf *))
{
	struct strbuf out = STRBUF_INIT;

	cr_assert_eq(fn(s, &out), 0);
	return out.buf ? strbuf_detach(&out) : strdup("");
}

/* ---- collapsed ---- */

Test(export_collapsed, fixture_exact)
{
	struct snap s;
	char *txt;

	fixture_snap(&s);
	txt = render_text(&s, export_collapsed);
	cr_assert_str_eq(txt,
			 "python3 [1000];main (main.py:1);Parser.parse (parse.py:10) 166\n"
			 "python3 [1000];main (main.py:1);Parser.parse (parse.py:10);eval (eval.py:20) 1234\n"
			 "python3 [1001];<startup> 600\n");
	free(txt);
	snap_free(&s);
}

static uint64_t folded_sum(const char *txt)
{
	uint64_t sum = 0;
	const char *line = txt, *sp, *nl;

	while (*line) {
		nl = strchr(line, '\n');
		cr_assert(nl, "line without newline");
		for (sp = nl; sp > line && sp[-1] != ' '; sp--)
			;
		cr_assert(sp > line, "line without a count");
		sum += strtoull(sp, NULL, 10);
		line = nl + 1;
	}
	return sum;
}

Test(export_collapsed, repeated_stacks_are_summed)
{
	static const uint32_t st0[] = { FX_EVAL, FX_PARSE, FX_MAIN };
	struct snap s;
	char *txt;

	fixture_snap(&s);
	/* The same stack again, as a later time bucket would add it. */
	fixture_add_stack(&s, 0, 100, 3, st0);
	fixture_add_stack(&s, 1, 0, 3, st0); /* no samples: no line */
	txt = render_text(&s, export_collapsed);
	cr_assert(strstr(txt, ";eval (eval.py:20) 1334\n"), "%s", txt);
	cr_assert_eq(strstr(txt, "1234"), NULL);
	cr_assert_eq(folded_sum(txt), snap_total_samples(&s));
	cr_assert_eq(strstr(txt, "[1001];main"), NULL);
	free(txt);
	snap_free(&s);
}

Test(export_collapsed, ml_frames_and_categories_source)
{
	struct snap s;
	char *txt;

	mlrun_snap(&s);
	txt = render_text(&s, export_collapsed);
	cr_assert(strstr(txt, "fib (prog.ml:3)"), "%s", txt);
	cr_assert(strstr(txt, "helper (util.ml:2)"), "%s", txt);
	cr_assert(strstr(txt, "MLParser.parse (parser.py:88)"), "%s", txt);
	cr_assert_eq(folded_sum(txt), snap_total_samples(&s));
	free(txt);
	snap_free(&s);
}

Test(export_collapsed, bad_names_and_empty)
{
	static const uint32_t st[] = { FX_EVAL, FX_MAIN };
	struct snap s, empty = { 0 };
	char *txt;

	fixture_snap(&s);
	free(s.funcs[FX_MAIN].name);
	free(s.funcs[FX_MAIN].qualname);
	s.funcs[FX_MAIN].name = strdup("");
	s.funcs[FX_MAIN].qualname = strdup("");
	free(s.funcs[FX_EVAL].qualname);
	s.funcs[FX_EVAL].qualname = strdup("a;b\nc 7");
	free(s.procs[1].comm);
	s.procs[1].comm = strdup("");
	fixture_add_stack(&s, 0, 5, 2, st);
	fixture_add_stack(&s, 1, 9, 0, NULL); /* no frames at all */
	txt = render_text(&s, export_collapsed);
	cr_assert(strstr(txt, "python3 [1000];<unnamed> (main.py:1);a:b c 7 (eval.py:20) 5\n"),
		  "%s", txt);
	cr_assert(strstr(txt, "python3.11 [1001];" EXPORT_NO_FRAMES " 9\n"), "%s", txt);
	cr_assert_eq(folded_sum(txt), snap_total_samples(&s));
	free(txt);
	txt = render_text(&empty, export_collapsed);
	cr_assert_str_eq(txt, "");
	free(txt);
	snap_free(&s);
}

Test(export_collapsed, huge_counts_saturate)
{
	static const uint32_t st[] = { FX_MAIN };
	struct snap s;
	char *txt;

	fixture_snap(&s);
	fixture_add_stack(&s, 0, UINT64_MAX - 1, 1, st);
	fixture_add_stack(&s, 0, UINT64_MAX - 1, 1, st);
	txt = render_text(&s, export_collapsed);
	cr_assert(strstr(txt, "python3 [1000];main (main.py:1) 18446744073709551615\n"), "%s", txt);
	free(txt);
	snap_free(&s);
}

Test(export, bad_indices_are_rejected)
{
	struct strbuf out = STRBUF_INIT;
	struct snap s;

	fixture_snap(&s);
	s.stacks[0].frames[1].func = 99;
	cr_assert_eq(export_collapsed(&s, &out), -EINVAL);
	cr_assert_eq(export_speedscope(&s, &out), -EINVAL);
	cr_assert_eq(export_pprof(&s, &out), -EINVAL);
	s.stacks[0].frames[1].func = FX_PARSE;
	s.stacks[2].proc = 7;
	cr_assert_eq(export_collapsed(&s, &out), -EINVAL);
	cr_assert_eq(export_pprof(&s, &out), -EINVAL);
	cr_assert_eq(out.len, 0);
	strbuf_free(&out);
	snap_free(&s);
}

Test(export, by_name)
{
	struct strbuf out = STRBUF_INIT;
	struct snap s;

	fixture_snap(&s);
	cr_assert(export_format_valid("collapsed") && export_format_valid("speedscope") &&
		  export_format_valid("pprof"));
	cr_assert(!export_format_valid("svg") && !export_format_valid(NULL));
	cr_assert(export_format_binary("pprof") && !export_format_binary("collapsed"));
	cr_assert_eq(export_render(&s, "flamegraph", &out), -EINVAL);
	cr_assert_eq(export_render(&s, "collapsed", &out), 0);
	cr_assert_gt(out.len, 0);
	strbuf_free(&out);
	snap_free(&s);
}

/* ---- speedscope ---- */

static cJSON *speedscope_json(const struct snap *s)
{
	char *txt = render_text(s, export_speedscope);
	cJSON *o = cJSON_Parse(txt);

	cr_assert(o, "not JSON: %.300s", txt);
	free(txt);
	return o;
}

static double weights_sum(const cJSON *prof)
{
	const cJSON *w;
	double sum = 0;

	cJSON_ArrayForEach(w, cJSON_GetObjectItem(prof, "weights"))
		sum += w->valuedouble;
	return sum;
}

Test(export_speedscope, fixture_consistent)
{
	struct snap s;
	cJSON *o, *frames, *profs, *p0, *p1, *smp;
	const cJSON *f;

	fixture_snap(&s);
	o = speedscope_json(&s);
	cr_assert_str_eq(str(o, "$schema"), "https://www.speedscope.app/file-format-schema.json");
	frames = cJSON_GetObjectItem(cJSON_GetObjectItem(o, "shared"), "frames");
	cr_assert_eq(cJSON_GetArraySize(frames), 4);
	profs = cJSON_GetObjectItem(o, "profiles");
	cr_assert_eq(cJSON_GetArraySize(profs), 2);
	p0 = cJSON_GetArrayItem(profs, 0);
	p1 = cJSON_GetArrayItem(profs, 1);
	cr_assert_str_eq(str(p0, "type"), "sampled");
	cr_assert_str_eq(str(p0, "unit"), "nanoseconds");
	cr_assert_str_eq(str(p0, "name"), "python3 [1000] python3 -m mlpy run x.ml");
	/* 100 Hz: a sample is 10 ms. */
	cr_assert_eq(weights_sum(p0), 1400 * 1e7);
	cr_assert_eq(num(p0, "endValue"), 1400 * 1e7);
	cr_assert_eq(num(p0, "startValue"), 0);
	cr_assert_eq(weights_sum(p1), 600 * 1e7);
	cr_assert_eq(num(o, "activeProfileIndex"), 0);
	/* Outermost first: main, parse, eval. */
	smp = cJSON_GetArrayItem(cJSON_GetObjectItem(p0, "samples"), 0);
	cr_assert_eq(cJSON_GetArraySize(smp), 3);
	f = cJSON_GetArrayItem(frames, (int)cJSON_GetArrayItem(smp, 0)->valuedouble);
	cr_assert_str_eq(str(f, "name"), "main (main.py:1)");
	cr_assert_str_eq(str(f, "file"), "/app/main.py");
	cr_assert_eq(num(f, "line"), 1);
	f = cJSON_GetArrayItem(frames, (int)cJSON_GetArrayItem(smp, 2)->valuedouble);
	cr_assert_str_eq(str(f, "name"), "eval (eval.py:20)");
	/* Every frame index is in range; samples and weights pair up. */
	for (int i = 0; i < 2; i++) {
		const cJSON *p = cJSON_GetArrayItem(profs, i), *a, *x;

		cr_assert_eq(cJSON_GetArraySize(cJSON_GetObjectItem(p, "samples")),
			     cJSON_GetArraySize(cJSON_GetObjectItem(p, "weights")));
		cJSON_ArrayForEach(a, cJSON_GetObjectItem(p, "samples"))
			cJSON_ArrayForEach(x, a)
				cr_assert(x->valuedouble >= 0 &&
					  x->valuedouble < cJSON_GetArraySize(frames));
	}
	cJSON_Delete(o);
	snap_free(&s);
}

Test(export_speedscope, memory_profiles_ml_frames_and_repeats)
{
	static const uint32_t st[] = { 1, 0 }; /* MR_FIB < MR_SBMAIN */
	struct snap s;
	cJSON *o, *profs, *p;
	double cpu = 0, bytes = 0;
	int nbytes = 0;

	mlrun_snap(&s);
	s.memory = 1;
	s.stacks[0].alloc_bytes = 4096;
	fixture_add_stack(&s, 2, 7, 2, st); /* a repeat of an existing stack */
	s.stacks[s.nstacks - 1].alloc_bytes = 1 << 20;
	o = speedscope_json(&s);
	profs = cJSON_GetObjectItem(o, "profiles");
	cJSON_ArrayForEach(p, profs) {
		if (!strcmp(str(p, "unit"), "bytes")) {
			nbytes++;
			bytes += weights_sum(p);
			cr_assert(strstr(str(p, "name"), "(memory mapped)"));
		} else {
			cpu += weights_sum(p);
		}
	}
	cr_assert_eq(nbytes, 2);
	cr_assert_eq(bytes, 4096 + (1 << 20));
	cr_assert_eq(cpu, (double)snap_total_samples(&s) * 1e6);
	{
		char *txt = render_text(&s, export_speedscope);

		cr_assert(strstr(txt, "\"name\":\"fib (prog.ml:3)\",\"file\":\"/w/prog.ml\",\"line\":3"),
			  "%.2000s", txt);
		free(txt);
	}
	cJSON_Delete(o);
	snap_free(&s);
}

Test(export_speedscope, empty_and_huge)
{
	static const uint32_t st[] = { FX_MAIN };
	struct snap s = { 0 };
	cJSON *o, *p;

	o = speedscope_json(&s);
	cr_assert_eq(cJSON_GetArraySize(cJSON_GetObjectItem(o, "profiles")), 1);
	p = cJSON_GetArrayItem(cJSON_GetObjectItem(o, "profiles"), 0);
	cr_assert_eq(cJSON_GetArraySize(cJSON_GetObjectItem(p, "samples")), 0);
	cr_assert_eq(num(p, "endValue"), 0);
	cJSON_Delete(o);
	fixture_snap(&s);
	fixture_add_stack(&s, 0, UINT64_MAX, 1, st);
	o = speedscope_json(&s);
	p = cJSON_GetArrayItem(cJSON_GetObjectItem(o, "profiles"), 0);
	cr_assert_geq(num(p, "endValue"), 1.8e19); /* saturated, not wrapped */
	cJSON_Delete(o);
	snap_free(&s);
}

/* ---- pprof ---- */

static PbProfile *pprof_decode(const struct snap *s)
{
	struct strbuf out = STRBUF_INIT;
	z_stream z = { 0 };
	size_t cap = 1 << 20;
	uint8_t *raw = malloc(cap);
	PbProfile *p;
	int ret;

	cr_assert_eq(export_pprof(s, &out), 0);
	cr_assert_gt(out.len, 18);
	cr_assert(out.buf[0] == (char)0x1f && out.buf[1] == (char)0x8b, "not gzip");
	cr_assert_eq(inflateInit2(&z, 15 + 16), Z_OK);
	z.next_in = (Bytef *)out.buf;
	z.avail_in = (uInt)out.len;
	z.next_out = raw;
	z.avail_out = (uInt)cap;
	ret = inflate(&z, Z_FINISH);
	cr_assert_eq(ret, Z_STREAM_END, "gunzip: %d", ret);
	p = perftools__profiles__profile__unpack(NULL, z.total_out, raw);
	cr_assert(p, "pprof does not decode");
	inflateEnd(&z);
	free(raw);
	strbuf_free(&out);
	cr_assert_gt(p->n_string_table, 0);
	cr_assert_str_eq(p->string_table[0], "");
	return p;
}

static const char *pstr(const PbProfile *p, int64_t i)
{
	cr_assert(i >= 0 && (size_t)i < p->n_string_table, "string index %ld", (long)i);
	return p->string_table[i];
}

static const Perftools__Profiles__Function *pfunc(const PbProfile *p, uint64_t id)
{
	for (size_t i = 0; i < p->n_function; i++)
		if (p->function[i]->id == id)
			return p->function[i];
	cr_assert_fail("no function %lu", (unsigned long)id);
	return NULL;
}

static const Perftools__Profiles__Location *ploc(const PbProfile *p, uint64_t id)
{
	for (size_t i = 0; i < p->n_location; i++)
		if (p->location[i]->id == id)
			return p->location[i];
	cr_assert_fail("no location %lu", (unsigned long)id);
	return NULL;
}

/* The string (or "#num") of a sample's label key, NULL if absent. */
static const char *plabel(const PbProfile *p, const Perftools__Profiles__Sample *smp,
			  const char *key, int64_t *num_out)
{
	for (size_t i = 0; i < smp->n_label; i++) {
		if (!strcmp(pstr(p, smp->label[i]->key), key)) {
			if (num_out)
				*num_out = smp->label[i]->num;
			return pstr(p, smp->label[i]->str);
		}
	}
	return NULL;
}

static void assert_type(const PbProfile *p, size_t i, const char *type, const char *unit)
{
	cr_assert_gt(p->n_sample_type, i);
	cr_assert_str_eq(pstr(p, p->sample_type[i]->type), type);
	cr_assert_str_eq(pstr(p, p->sample_type[i]->unit), unit);
}

Test(export_pprof, fixture_decodes)
{
	struct snap s;
	PbProfile *p;
	const Perftools__Profiles__Sample *smp;
	const Perftools__Profiles__Location *loc;
	const Perftools__Profiles__Function *fn;
	int64_t pid = 0;

	fixture_snap(&s);
	p = pprof_decode(&s);
	cr_assert_eq(p->n_sample_type, 2);
	assert_type(p, 0, "samples", "count");
	assert_type(p, 1, "cpu", "nanoseconds");
	cr_assert_str_eq(pstr(p, p->period_type->type), "cpu");
	cr_assert_str_eq(pstr(p, p->period_type->unit), "nanoseconds");
	cr_assert_eq(p->period, 10000000);
	cr_assert_str_eq(pstr(p, p->default_sample_type), "cpu");
	cr_assert_eq(p->duration_nanos, 10000000000LL);
	cr_assert_eq(p->time_nanos, 1700000001000000000LL);
	cr_assert_geq(p->n_comment, 2); /* host, drops */
	cr_assert(strstr(pstr(p, p->comment[0]), "testhost"));
	cr_assert(strstr(pstr(p, p->comment[1]), "5 samples dropped"));
	cr_assert_eq(p->n_sample, 3);
	/* Sample 0: eval < parse < main, 1,234 samples, leaf first. */
	smp = p->sample[0];
	cr_assert_eq(smp->n_value, 2);
	cr_assert_eq(smp->value[0], 1234);
	cr_assert_eq(smp->value[1], 1234LL * 10000000);
	cr_assert_eq(smp->n_location_id, 3);
	loc = ploc(p, smp->location_id[0]);
	cr_assert_eq(loc->n_line, 1);
	cr_assert_eq(loc->line[0]->line, 21); /* fixture: 10 * func + depth + 1 */
	fn = pfunc(p, loc->line[0]->function_id);
	cr_assert_str_eq(pstr(p, fn->name), "eval");
	cr_assert_str_eq(pstr(p, fn->filename), "/app/eval.py");
	cr_assert_eq(fn->start_line, 20);
	cr_assert_str_neq(pstr(p, fn->system_name), "eval");
	fn = pfunc(p, ploc(p, smp->location_id[1])->line[0]->function_id);
	cr_assert_str_eq(pstr(p, fn->name), "Parser.parse");
	fn = pfunc(p, ploc(p, smp->location_id[2])->line[0]->function_id);
	cr_assert_str_eq(pstr(p, fn->name), "main");
	cr_assert_str_eq(plabel(p, smp, "process", NULL), "python3");
	cr_assert(plabel(p, smp, "pid", &pid));
	cr_assert_eq(pid, 1000);
	cr_assert_str_eq(plabel(p, smp, "category", NULL), "unclassified");
	/* Sample 2: the pseudo function, pid 1001, no file. */
	smp = p->sample[2];
	cr_assert_eq(smp->value[0], 600);
	fn = pfunc(p, ploc(p, smp->location_id[0])->line[0]->function_id);
	cr_assert_str_eq(pstr(p, fn->name), "<startup>");
	cr_assert_str_eq(pstr(p, fn->filename), "");
	plabel(p, smp, "pid", &pid);
	cr_assert_eq(pid, 1001);
	cr_assert_str_eq(plabel(p, smp, "category", NULL), "interpreter");
	/* main at line 3 (stack 0) and at line 2 (stack 1): two locations of
	 * one function. */
	cr_assert_neq(p->sample[0]->location_id[2], p->sample[1]->location_id[1]);
	cr_assert_eq(ploc(p, p->sample[0]->location_id[2])->line[0]->function_id,
		     ploc(p, p->sample[1]->location_id[1])->line[0]->function_id);
	cr_assert_eq(p->n_function, 4);
	perftools__profiles__profile__free_unpacked(p, NULL);
	snap_free(&s);
}

Test(export_pprof, categories_match_the_dev_view)
{
	struct snap s;
	struct view v;
	PbProfile *p;
	uint64_t by_cat[CAT_NR] = { 0 };
	int c, found;

	mlrun_snap(&s);
	cr_assert_eq(view_build(&s, &v), 0);
	p = pprof_decode(&s);
	for (size_t i = 0; i < p->n_sample; i++) {
		const char *cat = plabel(p, p->sample[i], "category", NULL);

		cr_assert(cat);
		for (found = 0, c = 0; c < CAT_NR; c++) {
			if (!strcmp(cat, classify_key(c))) {
				by_cat[c] += (uint64_t)p->sample[i]->value[0];
				found = 1;
			}
		}
		cr_assert(found, "unknown category %s", cat);
	}
	for (c = 0; c < CAT_NR; c++)
		cr_assert_eq(by_cat[c], v.cat[c], "%s: %lu vs %lu", classify_key(c),
			     (unsigned long)by_cat[c], (unsigned long)v.cat[c]);
	/* ML functions are named by ML name and .ml file, and the sandbox
	 * child says so. */
	found = 0;
	for (size_t i = 0; i < p->n_function; i++) {
		const Perftools__Profiles__Function *fn = p->function[i];

		if (!strcmp(pstr(p, fn->name), "fib")) {
			cr_assert_str_eq(pstr(p, fn->filename), "/w/prog.ml");
			cr_assert_eq(fn->start_line, 3);
			found = 1;
		}
	}
	cr_assert(found);
	for (size_t i = 0; i < p->n_sample; i++) {
		int64_t pid = 0;

		plabel(p, p->sample[i], "pid", &pid);
		if (pid == 2001 && strcmp(plabel(p, p->sample[i], "category", NULL), "sandbox_startup"))
			cr_assert(plabel(p, p->sample[i], "mlpy", NULL));
	}
	perftools__profiles__profile__free_unpacked(p, NULL);
	view_free(&v);
	snap_free(&s);
}

Test(export_pprof, memory_values_and_repeats)
{
	static const uint32_t st[] = { FX_EVAL, FX_PARSE, FX_MAIN };
	struct snap s;
	PbProfile *p;
	int64_t sum[5] = { 0 };

	fixture_snap(&s);
	s.memory = 1;
	s.stacks[0].alloc_bytes = 1 << 20;
	s.stacks[0].alloc_count = 3;
	s.stacks[0].resident_bytes = 8192;
	/* A stack with memory and no samples, and a repeat of stack 0. */
	fixture_add_stack(&s, 0, 0, 3, st);
	s.stacks[3].alloc_bytes = 4096;
	s.stacks[3].alloc_count = 1;
	fixture_add_stack(&s, 0, 10, 3, st);
	p = pprof_decode(&s);
	cr_assert_eq(p->n_sample_type, 5);
	assert_type(p, 2, "alloc_space", "bytes");
	assert_type(p, 3, "alloc_objects", "count");
	assert_type(p, 4, "resident_space", "bytes");
	cr_assert_str_eq(pstr(p, p->default_sample_type), "cpu");
	cr_assert_eq(p->n_sample, 5);
	for (size_t i = 0; i < p->n_sample; i++)
		for (size_t k = 0; k < 5; k++)
			sum[k] += p->sample[i]->value[k];
	cr_assert_eq(sum[0], 2010);
	cr_assert_eq(sum[1], 2010LL * 10000000);
	cr_assert_eq(sum[2], (1 << 20) + 4096);
	cr_assert_eq(sum[3], 4);
	cr_assert_eq(sum[4], 8192);
	/* Same frames, same locations. */
	cr_assert_eq(p->sample[4]->n_location_id, 3);
	cr_assert_arr_eq(p->sample[4]->location_id, p->sample[0]->location_id,
			 3 * sizeof(uint64_t));
	perftools__profiles__profile__free_unpacked(p, NULL);
	snap_free(&s);
}

Test(export_pprof, time_range_and_buckets)
{
	static const uint32_t st[] = { FX_EVAL, FX_PARSE, FX_MAIN };
	struct snap s;
	PbProfile *p;
	int64_t sum = 0;
	char *txt;

	fixture_snap(&s);
	/* A snapshot cut to [3 s, 5 s) whose stack 0 is in two buckets. */
	s.bucket_ns = 1000000000ULL;
	s.range_from_ns = 3000000000ULL;
	s.range_to_ns = 5000000000ULL;
	s.stacks[0].t = 3000000000ULL;
	fixture_add_stack(&s, 0, 66, 3, st);
	s.stacks[3].t = 4000000000ULL;
	p = pprof_decode(&s);
	cr_assert_eq(p->time_nanos, 1700000003000000000LL);
	cr_assert_eq(p->duration_nanos, 2000000000LL);
	cr_assert_eq(p->n_sample, 4);
	for (size_t i = 0; i < p->n_sample; i++)
		sum += p->sample[i]->value[0];
	cr_assert_eq(sum, 2066);
	perftools__profiles__profile__free_unpacked(p, NULL);
	txt = render_text(&s, export_collapsed);
	cr_assert(strstr(txt, ";eval (eval.py:20) 1300\n"), "%s", txt);
	free(txt);
	snap_free(&s);
}

Test(export_pprof, empty_bad_names_huge)
{
	static const uint32_t st[] = { FX_MAIN };
	struct snap s = { 0 };
	PbProfile *p;
	const Perftools__Profiles__Function *fn;

	p = pprof_decode(&s);
	cr_assert_eq(p->n_sample, 0);
	cr_assert_eq(p->n_sample_type, 2);
	cr_assert_eq(p->period, 0); /* no frequency: no CPU time made up */
	perftools__profiles__profile__free_unpacked(p, NULL);
	fixture_snap(&s);
	free(s.funcs[FX_MAIN].name);
	free(s.funcs[FX_MAIN].qualname);
	s.funcs[FX_MAIN].name = strdup("");
	s.funcs[FX_MAIN].qualname = strdup("");
	fixture_add_stack(&s, 0, UINT64_MAX, 1, st);
	fixture_add_stack(&s, 1, 4, 0, NULL);
	p = pprof_decode(&s);
	cr_assert_eq(p->n_sample, 5);
	cr_assert_eq(p->sample[3]->value[0], INT64_MAX);
	cr_assert_eq(p->sample[3]->value[1], INT64_MAX);
	fn = pfunc(p, ploc(p, p->sample[3]->location_id[0])->line[0]->function_id);
	cr_assert_str_eq(pstr(p, fn->name), "<unnamed>");
	cr_assert_eq(p->sample[4]->n_location_id, 1);
	fn = pfunc(p, ploc(p, p->sample[4]->location_id[0])->line[0]->function_id);
	cr_assert_str_eq(pstr(p, fn->name), EXPORT_NO_FRAMES);
	cr_assert_eq(p->sample[4]->value[0], 4);
	perftools__profiles__profile__free_unpacked(p, NULL);
	snap_free(&s);
}

/* A module body is named by its module in every export, never a bare
 * `<module> (__init__.py:1)` (issue 12). */
Test(export_label, module_bodies_named_by_module)
{
	struct snap_func f = { .name = "<module>", .qualname = "<module>", .line = 1,
			       .file = "/usr/lib/python3/dist-packages/mlpy/ml/grammar/__init__.py" };
	char buf[256];

	export_func_label(&f, buf, sizeof(buf));
	cr_assert_str_eq(buf, "<module mlpy.ml.grammar>");
	f.qualname = "parse";
	export_func_label(&f, buf, sizeof(buf));
	cr_assert_str_eq(buf, "parse (__init__.py:1)");
}
