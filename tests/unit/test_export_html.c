// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* The HTML page's data, its escaping, the per-function diff and the live
 * page's range argument. */
#include <cjson/cJSON.h>
#include <criterion/criterion.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "diff.h"
#include "export.h"
#include "fixtures.h"
#include "httpargs.h"

#define OPEN "<script id=\"mlprof-data\" type=\"application/json\">"

static char *page_of(const struct snap *s, const struct snap *base)
{
	struct strbuf out = STRBUF_INIT;

	cr_assert_eq(base ? export_html_diff(s, base, &out) : export_html(s, &out), 0);
	return strbuf_detach(&out);
}

/* The data object inline in a page, parsed. */
static cJSON *data_of(const char *page)
{
	const char *a = strstr(page, OPEN), *b;
	cJSON *d;

	cr_assert(a, "no data script");
	a += strlen(OPEN);
	b = strstr(a, "</script>");
	cr_assert(b, "data script not closed");
	d = cJSON_ParseWithLength(a, (size_t)(b - a));
	cr_assert(d, "data is not JSON: %.200s", a);
	return d;
}

static size_t count(const char *hay, const char *needle)
{
	size_t n = 0;

	for (hay = strstr(hay, needle); hay; hay = strstr(hay + 1, needle))
		n++;
	return n;
}

Test(export_html, fixture_data)
{
	struct snap s;
	cJSON *d, *st, *f;
	char *page;
	double sum = 0;
	int i;

	fixture_snap(&s);
	page = page_of(&s, NULL);
	cr_assert(!strstr(page, "://"), "the page names a URL");
	d = data_of(page);
	cr_assert_eq(cJSON_GetObjectItem(d, "hz")->valuedouble, 100);
	f = cJSON_GetObjectItem(d, "funcs");
	cr_assert_eq(cJSON_GetArraySize(f), FX_NFUNCS);
	cr_assert_str_eq(cJSON_GetArrayItem(cJSON_GetArrayItem(f, FX_EVAL), 0)->valuestring,
			 "eval (eval.py:20)");
	st = cJSON_GetObjectItem(d, "stacks");
	cr_assert_eq(cJSON_GetArraySize(st), 3);
	for (i = 0; i < 3; i++)
		sum += cJSON_GetArrayItem(cJSON_GetArrayItem(st, i), 1)->valuedouble;
	cr_assert_eq(sum, 2000);
	/* [proc, samples, alloc, t, outer ... inner]: main, parse, eval. */
	cr_assert_eq(cJSON_GetArraySize(cJSON_GetArrayItem(st, 0)), 7);
	cr_assert_eq(cJSON_GetArrayItem(cJSON_GetArrayItem(st, 0), 4)->valueint, FX_MAIN);
	cr_assert_eq(cJSON_GetArrayItem(cJSON_GetArrayItem(st, 0), 6)->valueint, FX_EVAL);
	cr_assert(strstr(cJSON_GetObjectItem(d, "reports")->valuestring, "eval"));
	cr_assert_null(cJSON_GetObjectItem(d, "base"));
	cJSON_Delete(d);
	free(page);
	snap_free(&s);
}

Test(export_html, hostile_names_cannot_end_the_script)
{
	static const char evil[] = "</script><script>alert(1)</script>&\"\\\x01";
	struct strbuf empty = STRBUF_INIT;
	struct snap s;
	cJSON *d;
	char *page;

	fixture_snap(&s);
	free(s.funcs[FX_EVAL].qualname);
	s.funcs[FX_EVAL].qualname = strdup(evil);
	free(s.procs[0].comm);
	s.procs[0].comm = strdup("<!--");
	page = page_of(&s, NULL);
	cr_assert_eq(export_html_page(&empty), 0);
	cr_assert_eq(count(page, "</script>"), count(empty.buf, "</script>"));
	cr_assert_eq(count(page, "<!--"), 0);
	d = data_of(page);
	/* The label keeps the name (control characters blanked). */
	cr_assert(strstr(cJSON_GetArrayItem(cJSON_GetArrayItem(cJSON_GetObjectItem(d, "funcs"),
								  FX_EVAL), 0)->valuestring,
			 "</script><script>alert(1)</script>&\"\\ "));
	cJSON_Delete(d);
	free(page);
	strbuf_free(&empty);
	snap_free(&s);
}

Test(export_html, diff_page_carries_the_base)
{
	struct snap a, b;
	cJSON *d, *base;
	char *page;

	fixture_snap(&a);
	fixture_snap(&b);
	page = page_of(&b, &a);
	d = data_of(page);
	base = cJSON_GetObjectItem(d, "base");
	cr_assert(base);
	cr_assert_eq(cJSON_GetArraySize(cJSON_GetObjectItem(base, "stacks")), 3);
	cJSON_Delete(d);
	free(page);
	snap_free(&a);
	snap_free(&b);
}

Test(export_html, bad_index_is_einval)
{
	struct strbuf out = STRBUF_INIT;
	struct snap s;

	fixture_snap(&s);
	s.stacks[0].proc = 99;
	cr_assert_eq(export_html(&s, &out), -EINVAL);
	strbuf_free(&out);
	snap_free(&s);
}

Test(export_html, empty_page_has_no_data)
{
	struct strbuf out = STRBUF_INIT;

	cr_assert_eq(export_html_page(&out), 0);
	cr_assert(strstr(out.buf, OPEN "</script>"));
	cr_assert(!strstr(out.buf, "@@DATA@@"));
	strbuf_free(&out);
}

Test(diff, changed_function_first)
{
	static const uint32_t more[] = { FX_STARTUP };
	struct strbuf out = STRBUF_INIT;
	struct diff_row *rows;
	struct snap a, b;
	cJSON *j, *r0;
	size_t n;

	fixture_snap(&a);
	fixture_snap(&b);
	fixture_add_stack(&b, 1, 500, 1, more); /* <startup>: +5 s at 100 Hz */
	cr_assert_eq(diff_functions(&a, &b, &rows, &n), 0);
	cr_assert_eq(n, FX_NFUNCS);
	cr_assert_str_eq(rows[0].name, "<startup>");
	cr_assert_float_eq(rows[0].self_a, 6.0, 1e-9);
	cr_assert_float_eq(rows[0].self_b, 11.0, 1e-9);
	cr_assert_float_eq(rows[1].self_b - rows[1].self_a, 0.0, 1e-9);
	cr_assert_eq(diff_render(rows, n, 1, &out), 0);
	j = cJSON_Parse(out.buf);
	cr_assert(j);
	r0 = cJSON_GetArrayItem(cJSON_GetObjectItem(j, "functions"), 0);
	cr_assert_str_eq(cJSON_GetObjectItem(r0, "name")->valuestring, "<startup>");
	cr_assert_float_eq(cJSON_GetObjectItem(r0, "self_delta_s")->valuedouble, 5.0, 1e-9);
	cr_assert_float_eq(cJSON_GetObjectItem(r0, "total_delta_s")->valuedouble, 5.0, 1e-9);
	cJSON_Delete(j);
	strbuf_reset(&out);
	cr_assert_eq(diff_render(rows, n, 0, &out), 0);
	cr_assert(strstr(out.buf, "\n     6.000     11.000     +5.000      6.000     11.000     +5.000"
				  "  <startup>\n"), "%s", out.buf);
	diff_free(rows, n);
	strbuf_free(&out);
	snap_free(&a);
	snap_free(&b);
}

Test(diff, function_only_on_one_side)
{
	struct diff_row *rows;
	struct snap a, empty = { 0 };
	size_t n, i;

	fixture_snap(&a);
	cr_assert_eq(diff_functions(&a, &empty, &rows, &n), 0);
	cr_assert_eq(n, FX_NFUNCS);
	for (i = 0; i < n; i++)
		cr_assert_eq(rows[i].self_b, 0);
	cr_assert_str_eq(rows[0].name, "eval (eval.py:20)"); /* -12.34 s: the largest */
	diff_free(rows, n);
	snap_free(&a);
}

Test(httpargs, range)
{
	unsigned long v = 7;
	char msg[160];

	cr_assert_eq(httpargs_range(NULL, &v, msg, sizeof(msg)), 0);
	cr_assert_eq(v, 0);
	cr_assert_eq(httpargs_range("300", &v, msg, sizeof(msg)), 0);
	cr_assert_eq(v, 300);
	cr_assert_eq(httpargs_range("0", &v, msg, sizeof(msg)), 0);
	cr_assert_eq(v, 0);
	cr_assert_eq(httpargs_range("-1", &v, msg, sizeof(msg)), -EINVAL);
	cr_assert_eq(httpargs_range("1.5", &v, msg, sizeof(msg)), -EINVAL);
	cr_assert_eq(httpargs_range("99999999999", &v, msg, sizeof(msg)), -EINVAL);
	cr_assert(strstr(msg, "seconds"));
}
