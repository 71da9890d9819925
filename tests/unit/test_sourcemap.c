// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* sourcemap: maps written by the mlpy test app decode to the lines of their
 * .ml sources; hand-built maps pin VLQ decoding; malformed maps are refused. */
#include <criterion/criterion.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include "fixtures.h"
#include "sourcemap.h"

static char errmsg[256];

static struct sourcemap *parse(const char *json)
{
	return sourcemap_parse(json, strlen(json), errmsg, sizeof(errmsg));
}

/* A bare v3 map with sources "a.ml", "b.ml", ... and names "n0", "n1", .... */
static struct sourcemap *parse_mappings(const char *mappings, int nsources, int nnames)
{
	static char json[4096];
	int i, n;

	n = snprintf(json, sizeof(json), "{\"version\": 3, \"file\": \"a.py\", \"sources\": [");
	for (i = 0; i < nsources; i++)
		n += snprintf(json + n, sizeof(json) - n, "%s\"%c.ml\"", i ? ", " : "", 'a' + i);
	n += snprintf(json + n, sizeof(json) - n, "], \"names\": [");
	for (i = 0; i < nnames; i++)
		n += snprintf(json + n, sizeof(json) - n, "%s\"n%d\"", i ? ", " : "", i);
	snprintf(json + n, sizeof(json) - n, "], \"mappings\": \"%s\"}", mappings);
	return parse(json);
}

static void expect_error_json(const char *json, const char *msg)
{
	struct sourcemap *m;

	errno = 0;
	m = parse(json);
	cr_assert_null(m, "accepted: %s", json);
	cr_assert_eq(errno, EINVAL, "%s: errno %d", json, errno);
	cr_assert_not_null(strstr(errmsg, msg), "%s: message \"%s\", expected \"%s\"", json,
			   errmsg, msg);
}

static void expect_error(const char *mappings, int nsources, int nnames, const char *msg)
{
	struct sourcemap *m;

	errno = 0;
	m = parse_mappings(mappings, nsources, nnames);
	cr_assert_null(m, "accepted mappings \"%s\"", mappings);
	cr_assert_eq(errno, EINVAL, "\"%s\": errno %d", mappings, errno);
	cr_assert_not_null(strstr(errmsg, msg), "\"%s\": message \"%s\", expected \"%s\"",
			   mappings, errmsg, msg);
}

/* What mlpy writes for small.ml (tests/mlpy_app/examples), debugInfo cut. */
#define SMALL_MAPPINGS ";;;;;;;;;;;;AAEAA;IACI;;AAGJC;IACI;IACA;QACI;IAEJ;;AAGJ;AACA"
static const char small_map[] =
	"{\n  \"sourceMap\": {\n    \"version\": 3,\n    \"file\": \"small.py\",\n"
	"    \"sourceRoot\": \"\",\n    \"sources\": [\"small.ml\"],\n"
	"    \"names\": [\"greet\", \"triangle\"],\n"
	"    \"mappings\": \"" SMALL_MAPPINGS "\",\n"
	"    \"sourcesContent\": [\"// small.ml\\nfunction greet(name) {\\n}\\n\"]\n  },\n"
	"  \"debugInfo\": {\"symbolTable\": {\"greet\": {\"line\": 3}}, \"detailedMappings\": []}\n}\n";

static void check_small(const struct sourcemap *m)
{
	/* .py line -> .ml line, from small.py and small.ml. */
	static const int32_t expect[][2] = {
		{ 13, 3 }, { 14, 4 }, { 16, 7 }, { 17, 8 }, { 18, 9 },
		{ 19, 10 }, { 20, 12 }, { 22, 15 }, { 23, 16 },
	};
	size_t i;
	int src = 7;

	cr_assert_eq(sourcemap_lines(m), 23);
	cr_assert_eq(sourcemap_nsources(m), 1);
	cr_assert_str_eq(sourcemap_source(m, 0), "small.ml");
	cr_assert_null(sourcemap_source(m, 1));
	for (i = 0; i < sizeof(expect) / sizeof(expect[0]); i++) {
		cr_assert_eq(sourcemap_line(m, expect[i][0], &src), expect[i][1], "py line %d",
			     expect[i][0]);
		cr_assert_eq(src, 0);
		cr_assert_eq(sourcemap_line_near(m, expect[i][0], NULL), expect[i][1]);
	}
	/* Imports and blank lines have no mapping; near falls back, but not
	 * before the first mapped line. */
	cr_assert_eq(sourcemap_line(m, 12, &src), -1);
	cr_assert_eq(src, -1);
	cr_assert_eq(sourcemap_line_near(m, 12, &src), -1);
	cr_assert_eq(sourcemap_line(m, 15, NULL), -1);
	cr_assert_eq(sourcemap_line_near(m, 15, NULL), 4);
	cr_assert_eq(sourcemap_line(m, 21, NULL), -1);
	cr_assert_eq(sourcemap_line_near(m, 21, NULL), 12);
	/* small.py:24 continues the statement of line 23, past the map's end. */
	cr_assert_eq(sourcemap_line(m, 24, NULL), -1);
	cr_assert_eq(sourcemap_line_near(m, 24, &src), 16);
	cr_assert_eq(src, 0);
	cr_assert_eq(sourcemap_line(m, 0, NULL), -1);
	cr_assert_eq(sourcemap_line_near(m, 0, NULL), -1);
	cr_assert_eq(sourcemap_line_near(m, -5, NULL), -1);
	cr_assert_eq(sourcemap_line(m, INT32_MAX, NULL), -1);
}

Test(sourcemap, mlpy_wrapped_map)
{
	struct sourcemap *m = parse(small_map);

	cr_assert_not_null(m, "%s", errmsg);
	check_small(m);
	sourcemap_free(m);
}

Test(sourcemap, bare_map)
{
	struct sourcemap *m = parse_mappings(SMALL_MAPPINGS, 1, 2);

	cr_assert_not_null(m, "%s", errmsg);
	cr_assert_eq(sourcemap_line(m, 13, NULL), 3);
	cr_assert_eq(sourcemap_line(m, 23, NULL), 16);
	cr_assert_str_eq(sourcemap_source(m, 0), "a.ml");
	sourcemap_free(m);
}

static void remove_outputs(const char *dir, const char *name)
{
	static const char *const exts[] = { ".ml", ".py", ".py.map" };
	char path[512];
	size_t i;

	for (i = 0; i < 3; i++) {
		snprintf(path, sizeof(path), "%s/%s%s", dir, name, exts[i]);
		unlink(path);
	}
	snprintf(path, sizeof(path), "%s/transpile.log", dir);
	unlink(path);
	rmdir(dir);
}

/* Runs the test app's `mlpy transpile NAME.ml --source-map` in a fresh
 * directory (the examples' .py/.py.map are generated, not committed, and
 * other runs rewrite them) and returns that directory. */
static const char *transpile(const char *name)
{
	static char dir[] = "/tmp/mlprof-srcmap-XXXXXX";
	char src[256], dst[512], app[PATH_MAX], file[300];
	uint8_t *text;
	size_t len = 0;
	FILE *f;
	pid_t pid;
	int status;

	snprintf(src, sizeof(src), "tests/mlpy_app/examples/%s.ml", name);
	text = fixture_read_file(src, &len);
	cr_assert_not_null(text, "%s: run the tests from the repository root", src);
	cr_assert_not_null(mkdtemp(dir));
	snprintf(dst, sizeof(dst), "%s/%s.ml", dir, name);
	f = fopen(dst, "wb");
	cr_assert_not_null(f);
	cr_assert_eq(fwrite(text, 1, len, f), len);
	cr_assert_eq(fclose(f), 0);
	free(text);
	cr_assert_not_null(realpath("tests/mlpy_app", app));
	snprintf(file, sizeof(file), "%s.ml", name);
	fflush(NULL);
	pid = fork();
	cr_assert_geq(pid, 0);
	if (pid == 0) {
		if (chdir(dir) || setenv("PYTHONPATH", app, 1) || !freopen("/dev/null", "w", stdout) ||
		    !freopen("transpile.log", "w", stderr))
			_exit(126);
		execlp("python3", "python3", "-m", "mlpy", "transpile", file, "--source-map",
		       (char *)NULL);
		_exit(127);
	}
	cr_assert_eq(waitpid(pid, &status, 0), pid);
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		snprintf(dst, sizeof(dst), "%s/transpile.log", dir);
		text = fixture_read_file(dst, &len);
		remove_outputs(dir, name);
		cr_assert_fail("python3 -m mlpy transpile %s --source-map failed (status 0x%x; "
			       "this test needs python3 >= 3.11): %.*s", file, status,
			       text ? (int)len : 0, text ? (char *)text : "");
	}
	return dir;
}

static char *read_text(const char *dir, const char *name, const char *ext, size_t *len)
{
	char path[512];
	uint8_t *buf;

	snprintf(path, sizeof(path), "%s/%s%s", dir, name, ext);
	buf = fixture_read_file(path, len);
	cr_assert_not_null(buf, "%s not written", path);
	buf[*len] = '\0';
	return (char *)buf;
}

/* If line starts (after blanks) with `kw NAME(`, copies NAME and returns 1. */
static int match_def(const char *line, const char *kw, char *name, size_t size)
{
	size_t kl = strlen(kw), n = 0;

	while (*line == ' ' || *line == '\t')
		line++;
	if (strncmp(line, kw, kl) || (line[kl] != ' ' && line[kl] != '\t'))
		return 0;
	line += kl;
	while (*line == ' ' || *line == '\t')
		line++;
	while ((*line == '_' || (*line >= '0' && *line <= '9') || (*line >= 'a' && *line <= 'z') ||
		(*line >= 'A' && *line <= 'Z')) && n + 1 < size)
		name[n++] = *line++;
	name[n] = '\0';
	while (*line == ' ' || *line == '\t')
		line++;
	return n && *line == '(';
}

struct def {
	char name[64];
	int32_t line;
};

/* The first `kw NAME(` line of each NAME in text; returns how many. */
static size_t scan_defs(char *text, const char *kw, struct def *defs, size_t max)
{
	char *line, *save = NULL, name[64];
	int32_t no = 0;
	size_t n = 0, i;

	/* strtok_r would merge empty lines: count them by hand. */
	for (line = text; line; line = save) {
		save = strchr(line, '\n');
		if (save)
			*save++ = '\0';
		no++;
		if (!match_def(line, kw, name, sizeof(name)))
			continue;
		for (i = 0; i < n && strcmp(defs[i].name, name); i++)
			;
		if (i == n && n < max) {
			snprintf(defs[n].name, sizeof(defs[n].name), "%s", name);
			defs[n++].line = no;
		}
	}
	return n;
}

/* Every `def NAME(` of hotspots.py maps to `function NAME(` in hotspots.ml. */
Test(sourcemap, hotspots_defs_map_to_functions, .timeout = 60)
{
	const char *dir = transpile("hotspots");
	struct def ml[256], py[256];
	char *ml_text, *py_text, *map_text;
	size_t nml, npy, len, i, j, checked = 0;
	struct sourcemap *m;
	int src;

	ml_text = read_text(dir, "hotspots", ".ml", &len);
	py_text = read_text(dir, "hotspots", ".py", &len);
	map_text = read_text(dir, "hotspots", ".py.map", &len);
	m = sourcemap_parse(map_text, len, errmsg, sizeof(errmsg));
	cr_assert_not_null(m, "hotspots.py.map: %s", errmsg);
	cr_assert_eq(sourcemap_nsources(m), 1);
	cr_assert_str_eq(sourcemap_source(m, 0), "hotspots.ml");
	nml = scan_defs(ml_text, "function", ml, 256);
	npy = scan_defs(py_text, "def", py, 256);
	cr_assert_geq(nml, 30, "only %zu ML functions found", nml);
	for (i = 0; i < npy; i++) {
		if (!strncmp(py[i].name, "_arrow_", 7))
			continue;
		for (j = 0; j < nml && strcmp(ml[j].name, py[i].name); j++)
			;
		cr_assert_lt(j, nml, "def %s: no function %s( in hotspots.ml", py[i].name,
			     py[i].name);
		cr_assert_eq(sourcemap_line(m, py[i].line, &src), ml[j].line,
			     "hotspots.py:%d def %s maps to %d, function %s( is at hotspots.ml:%d",
			     py[i].line, py[i].name, sourcemap_line(m, py[i].line, NULL), ml[j].name,
			     ml[j].line);
		cr_assert_eq(src, 0);
		cr_assert_eq(sourcemap_line_near(m, py[i].line, NULL), ml[j].line);
		checked++;
	}
	cr_assert_eq(checked, nml, "%zu defs checked, %zu ML functions", checked, nml);
	sourcemap_free(m);
	free(ml_text);
	free(py_text);
	free(map_text);
	remove_outputs(dir, "hotspots");
}

/* Each VLQ as the source-line delta of line 2, after line 1 set it to 50. */
Test(sourcemap, vlq_values)
{
	static const struct {
		const char *vlq;
		int32_t value;
	} v[] = {
		{ "A", 0 }, { "C", 1 }, { "D", -1 }, { "E", 2 }, { "F", -2 }, { "e", 15 },
		{ "f", -15 }, { "gB", 16 }, { "hB", -16 }, { "2H", 123 }, { "ggB", 512 },
		{ "kD", 50 }, { "lD", -50 }, { "B", 0 }, /* "-0" */
		{ "+/////B", (1 << 30) - 1 },
	};
	char maps[64];
	struct sourcemap *m;
	size_t i;

	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		snprintf(maps, sizeof(maps), "AAkDA;AA%sA", v[i].vlq);
		m = parse_mappings(maps, 1, 0);
		cr_assert_not_null(m, "%s: %s", maps, errmsg);
		cr_assert_eq(sourcemap_line(m, 1, NULL), 51);
		cr_assert_eq(sourcemap_line(m, 2, NULL), 51 + v[i].value, "%s: got delta %d, want %d",
			     v[i].vlq, sourcemap_line(m, 2, NULL) - 51, v[i].value);
		sourcemap_free(m);
	}
}

Test(sourcemap, vlq_extremes)
{
	struct sourcemap *m;

	/* 2^31 - 1 is the largest value; it fits a generated column. */
	m = parse_mappings("+/////D", 1, 0);
	cr_assert_not_null(m, "%s", errmsg);
	cr_assert_eq(sourcemap_line(m, 1, NULL), -1);
	sourcemap_free(m);
	/* A source line of 2^31 - 1 (0-based) has no 1-based int32. */
	expect_error("AA+/////DA", 1, 0, "source line");
	expect_error("AA9/////DA", 1, 0, "source line");
	m = parse_mappings("AA8/////DA", 1, 0); /* 2^31 - 2 */
	cr_assert_not_null(m, "%s", errmsg);
	cr_assert_eq(sourcemap_line(m, 1, NULL), INT32_MAX);
	sourcemap_free(m);
}

Test(sourcemap, five_field_segment_with_name)
{
	struct sourcemap *m = parse_mappings("gBAAgB,AACAC;AACAD", 1, 2);

	cr_assert_not_null(m, "%s", errmsg);
	cr_assert_eq(sourcemap_line(m, 1, NULL), 1, "first segment on the line wins");
	cr_assert_eq(sourcemap_line(m, 2, NULL), 3);
	sourcemap_free(m);
	expect_error("AAAAE", 1, 2, "name index");
	expect_error("AAAAD", 1, 2, "name index");
	expect_error("AAAAA", 1, 0, "name index");
}

Test(sourcemap, negative_deltas)
{
	struct sourcemap *m = parse_mappings("AAIC;AADD;AADA;AAFA", 1, 0);

	cr_assert_not_null(m, "%s", errmsg);
	cr_assert_eq(sourcemap_line(m, 1, NULL), 5);
	cr_assert_eq(sourcemap_line(m, 2, NULL), 4);
	cr_assert_eq(sourcemap_line(m, 3, NULL), 3);
	cr_assert_eq(sourcemap_line(m, 4, NULL), 1);
	sourcemap_free(m);
	/* Going below 0 is an error for every accumulated field. */
	expect_error("AADA", 1, 0, "source line");
	expect_error("AAAD", 1, 0, "source column");
	expect_error("AAIC;AALA", 1, 0, "source line");
	expect_error("ADAA", 2, 0, "source index");
	expect_error("DAAA", 1, 0, "generated column");
}

/* The generated column restarts on each line, the other fields do not. */
Test(sourcemap, accumulation)
{
	struct sourcemap *m;

	m = parse_mappings("CAAA,DAAA;CAAA", 1, 0);
	cr_assert_not_null(m, "%s", errmsg);
	sourcemap_free(m);
	expect_error("CAAA;DAAA", 1, 0, "generated column");
	expect_error("+/////D,CAAA", 1, 0, "generated column");
	m = parse_mappings("AACA;AACA;;AACA", 1, 0);
	cr_assert_not_null(m, "%s", errmsg);
	cr_assert_eq(sourcemap_line(m, 1, NULL), 2);
	cr_assert_eq(sourcemap_line(m, 2, NULL), 3);
	cr_assert_eq(sourcemap_line(m, 3, NULL), -1);
	cr_assert_eq(sourcemap_line_near(m, 3, NULL), 3);
	cr_assert_eq(sourcemap_line(m, 4, NULL), 4);
	cr_assert_eq(sourcemap_lines(m), 4);
	sourcemap_free(m);
}

Test(sourcemap, several_sources)
{
	struct sourcemap *m = parse_mappings("AAAA;ACAA;ADCA;A;ACAA", 2, 0);
	int src = -7;

	cr_assert_not_null(m, "%s", errmsg);
	cr_assert_eq(sourcemap_nsources(m), 2);
	cr_assert_str_eq(sourcemap_source(m, 1), "b.ml");
	cr_assert_eq(sourcemap_line(m, 1, &src), 1);
	cr_assert_eq(src, 0);
	cr_assert_eq(sourcemap_line(m, 2, &src), 1);
	cr_assert_eq(src, 1);
	cr_assert_eq(sourcemap_line(m, 3, &src), 2);
	cr_assert_eq(src, 0);
	cr_assert_eq(sourcemap_line(m, 4, &src), -1, "1-field segments carry no source");
	cr_assert_eq(src, -1);
	cr_assert_eq(sourcemap_line_near(m, 4, &src), 2);
	cr_assert_eq(src, 0);
	cr_assert_eq(sourcemap_line(m, 5, &src), 2);
	cr_assert_eq(src, 1);
	sourcemap_free(m);
	expect_error("AAAA;ACAA", 1, 0, "source index 1 out of range (1 sources)");
}

/* The line's first segment with a source counts; later ones still move
 * the running values. */
Test(sourcemap, first_segment_with_source)
{
	struct sourcemap *m = parse_mappings("A,CAEA,CACA,C;AACA", 1, 0);

	cr_assert_not_null(m, "%s", errmsg);
	cr_assert_eq(sourcemap_line(m, 1, NULL), 3);
	cr_assert_eq(sourcemap_line(m, 2, NULL), 5);
	sourcemap_free(m);
}

Test(sourcemap, empty_and_trailing)
{
	struct sourcemap *m = parse_mappings("", 0, 0);

	cr_assert_not_null(m, "%s", errmsg);
	cr_assert_eq(sourcemap_lines(m), 0);
	cr_assert_eq(sourcemap_nsources(m), 0);
	cr_assert_null(sourcemap_source(m, 0));
	cr_assert_eq(sourcemap_line(m, 1, NULL), -1);
	cr_assert_eq(sourcemap_line_near(m, 1, NULL), -1);
	sourcemap_free(m);
	m = parse_mappings(";;AAAA;", 1, 0);
	cr_assert_not_null(m, "%s", errmsg);
	cr_assert_eq(sourcemap_lines(m), 4);
	cr_assert_eq(sourcemap_line(m, 3, NULL), 1);
	cr_assert_eq(sourcemap_line(m, 4, NULL), -1);
	cr_assert_eq(sourcemap_line_near(m, 4, NULL), 1);
	sourcemap_free(m);
}

Test(sourcemap, source_root)
{
	struct sourcemap *m;

	m = parse("{\"version\":3,\"sourceRoot\":\"src\",\"sources\":[\"a.ml\"],\"mappings\":\"\"}");
	cr_assert_not_null(m, "%s", errmsg);
	cr_assert_str_eq(sourcemap_source(m, 0), "src/a.ml");
	sourcemap_free(m);
	m = parse("{\"version\":3,\"sourceRoot\":\"/x/\",\"sources\":[\"a.ml\"],\"mappings\":\"\","
		  "\"file\":null,\"names\":null,\"sourcesContent\":[null]}");
	cr_assert_not_null(m, "%s", errmsg);
	cr_assert_str_eq(sourcemap_source(m, 0), "/x/a.ml");
	sourcemap_free(m);
}

Test(sourcemap, queries_on_null)
{
	int src = 3;

	cr_assert_eq(sourcemap_line(NULL, 1, &src), -1);
	cr_assert_eq(src, -1);
	cr_assert_eq(sourcemap_line_near(NULL, 1, NULL), -1);
	cr_assert_eq(sourcemap_nsources(NULL), 0);
	cr_assert_null(sourcemap_source(NULL, 0));
	cr_assert_eq(sourcemap_lines(NULL), 0);
	sourcemap_free(NULL);
}

Test(sourcemap, bad_json)
{
	expect_error_json("", "empty");
	expect_error_json("not json", "not valid JSON");
	expect_error_json("{\"version\": 3,", "not valid JSON");
	expect_error_json("{\"version\":3,\"sources\":[],\"mappings\":\"\"} x", "not valid JSON");
	expect_error_json("[1, 2]", "not a JSON object");
	expect_error_json("3", "not a JSON object");
	expect_error_json("{\"sourceMap\": [1]}", "sourceMap: not an object");
	expect_error_json("{\"sourceMap\": {\"version\": 2}}", "version: 2 is not supported");
}

Test(sourcemap, bad_members)
{
	expect_error_json("{\"sources\":[],\"mappings\":\"\"}", "version: missing");
	expect_error_json("{\"version\":2,\"sources\":[],\"mappings\":\"\"}", "version: 2");
	expect_error_json("{\"version\":\"3\",\"sources\":[],\"mappings\":\"\"}",
			  "version: not a number");
	expect_error_json("{\"version\":3.5,\"sources\":[],\"mappings\":\"\"}", "version: 3.5");
	expect_error_json("{\"version\":3,\"sources\":[]}", "mappings: missing");
	expect_error_json("{\"version\":3,\"sources\":[],\"mappings\":7}", "mappings: not a string");
	expect_error_json("{\"version\":3,\"mappings\":\"\"}", "sources: missing");
	expect_error_json("{\"version\":3,\"sources\":\"a.ml\",\"mappings\":\"\"}",
			  "sources: not an array of strings");
	expect_error_json("{\"version\":3,\"sources\":[\"a.ml\",1],\"mappings\":\"\"}",
			  "sources: not an array of strings");
	expect_error_json("{\"version\":3,\"sources\":[],\"names\":[1],\"mappings\":\"\"}",
			  "names: not an array of strings");
	expect_error_json("{\"version\":3,\"sources\":[],\"file\":1,\"mappings\":\"\"}",
			  "file: not a string");
	expect_error_json("{\"version\":3,\"sources\":[],\"sourceRoot\":[],\"mappings\":\"\"}",
			  "sourceRoot: not a string");
	expect_error_json("{\"version\":3,\"sources\":[],\"sourcesContent\":\"x\",\"mappings\":\"\"}",
			  "sourcesContent: not an array");
}

Test(sourcemap, bad_mappings)
{
	expect_error("AAAA;AA!A", 1, 0, "bad base64 char '!' at 7");
	expect_error("AAAA;AA=A", 1, 0, "bad base64 char '=' at 7");
	expect_error("AA A", 1, 0, "bad base64 char ' ' at 2");
	expect_error("g", 1, 0, "truncated VLQ at 0");
	expect_error("AAAg", 1, 0, "truncated VLQ at 3");
	expect_error("AAAg;AAAA", 1, 0, "truncated VLQ at 3");
	expect_error("AAAg,AAAA", 1, 0, "truncated VLQ at 3");
	expect_error("AA", 1, 0, "segment with 2 fields at 0");
	expect_error("AAAA;AAA", 1, 0, "segment with 3 fields at 5");
	expect_error("AAAAAA", 1, 1, "more than 5 fields");
	expect_error("AAAA,,AAAA", 1, 0, "empty segment");
	expect_error("AAAA,", 1, 0, "empty segment");
	expect_error("AAAA,;AAAA", 1, 0, "empty segment");
	expect_error(",AAAA", 1, 0, "empty segment at 0");
	expect_error("AADA", 1, 0, "source line");
	expect_error("ACAA", 1, 0, "source index");
	expect_error("AAAA", 0, 0, "source index 0 out of range (0 sources)");
	/* Beyond 32 bits, whether by value or by digit count. */
	expect_error("AAgggggggBA", 1, 0, "number too large at 2");
	expect_error("AA//////HA", 1, 0, "number too large");
	expect_error("AAggggggggA", 1, 0, "number too large");
}

/* A non-printable byte is shown escaped. */
Test(sourcemap, bad_char_is_escaped)
{
	expect_error_json("{\"version\":3,\"sources\":[\"a\"],\"mappings\":\"AA\\tA\"}",
			  "bad base64 char '\\x09' at 2");
	expect_error_json("{\"version\":3,\"sources\":[\"a\"],\"mappings\":\"AA'A\"}",
			  "bad base64 char '\\x27' at 2");
}

Test(sourcemap, size_cap)
{
	const char *json = "{}";

	/* The length is checked before the buffer is read. */
	errno = 0;
	cr_assert_null(sourcemap_parse(json, (size_t)SOURCEMAP_MAX_INPUT + 1, errmsg, sizeof(errmsg)));
	cr_assert_eq(errno, EINVAL);
	cr_assert_not_null(strstr(errmsg, "larger than"), "%s", errmsg);
	errno = 0;
	cr_assert_null(sourcemap_parse(NULL, 0, NULL, 0));
	cr_assert_eq(errno, EINVAL);
}

/* A short buffer truncates the message; none at all is fine too. */
Test(sourcemap, error_buffer)
{
	char small[8];

	cr_assert_null(sourcemap_parse("[]", 2, small, sizeof(small)));
	cr_assert_eq(strlen(small), sizeof(small) - 1);
	cr_assert_null(sourcemap_parse("[]", 2, NULL, 0));
	cr_assert_eq(errno, EINVAL);
}
