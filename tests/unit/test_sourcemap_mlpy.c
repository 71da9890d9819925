// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* sourcemap, mlpy's own form: the map `mlpy transpile --sourcemap` writes
 * (non-VLQ "mappings", debugInfo.detailedMappings counted from the first
 * emitted statement) decodes, anchors in the generated text by its
 * function definitions, and is refused when malformed or when it belongs
 * to another text. The shapes are those of the real mlpy's split.ml. */
#include <criterion/criterion.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include "sourcemap.h"

static char errmsg[256];

#define M(gl, gc, ol, oc, extra)                                                           \
	"{\"generated\": {\"line\": " #gl ", \"column\": " #gc ", \"offset\": 0, \"length\": 0}," \
	" \"original\": {\"line\": " #ol ", \"column\": " #oc ", \"offset\": 0, \"length\": 0}," \
	" \"source_file\": \"split.ml\"" extra "}"

/* loop_a (ML lines 9-16) and loop_b (19-26), as mlpy maps them. */
static const char MAP[] =
	"{\"sourceMap\": {\"version\": 3, \"sources\": [\"split.ml\"], \"names\": [],"
	" \"sourcesContent\": [\"\"], \"mappings\": \"0,0,9,1;4,0,10,5;4,0,11,5\"},"
	" \"debugInfo\": {\"symbolTable\": {}, \"typeInformation\": {}, \"scopeInformation\": [],"
	" \"detailedMappings\": ["
	M(1, 0, 9, 1, ", \"name\": \"loop_a\", \"node_type\": \"FunctionDefinition\"") ","
	M(2, 4, 10, 5, ", \"name\": \"i\", \"node_type\": \"AssignmentStatement\"") ","
	M(3, 4, 11, 5, ", \"name\": \"acc\", \"node_type\": \"AssignmentStatement\"") ","
	M(4, 4, 12, 5, ", \"node_type\": \"WhileStatement\"") ","
	M(5, 8, 13, 9, ", \"name\": \"acc\", \"node_type\": \"AssignmentStatement\"") ","
	M(5, 20, 99, 1, ", \"node_type\": \"BinaryExpression\"") ","
	M(6, 8, 14, 9, ", \"name\": \"i\", \"node_type\": \"AssignmentStatement\"") ","
	M(7, 4, 16, 5, ", \"node_type\": \"ReturnStatement\"") ","
	M(9, 0, 19, 1, ", \"name\": \"loop_b\", \"node_type\": \"FunctionDefinition\"") ","
	M(10, 4, 20, 5, ", \"name\": \"i\", \"node_type\": \"AssignmentStatement\"") "]}}";

/* The generated file: a 12-line header, then the program. */
static const char PY[] =
	"\"\"\"Generated Python code from mlpy ML transpiler.\"\"\"\n"
	"\n# This code was automatically generated from ML source\n"
	"# Modifications to this file may be lost on regeneration\n\n"
	"# ====\n# Runtime Whitelist Enforcement\n# ====\n"
	"from mlpy.runtime.whitelist_validator import safe_call as _safe_call\n\n"
	"from mlpy.stdlib.builtin import builtin\n\n"
	"def loop_a(n):\n"          /* 13 */
	"    i = 0\n"
	"    acc = 0\n"
	"    while (i < n):\n"
	"        acc = (acc * 31) % 1000003\n"
	"        i = (i + 1)\n"
	"    return acc\n"
	"\n"
	"def loop_b(n):\n"          /* 21 */
	"    i = 0\n";

static struct sourcemap *parse(const char *json)
{
	return sourcemap_parse(json, strlen(json), errmsg, sizeof(errmsg));
}

Test(sourcemap_mlpy, decodes_and_anchors_in_the_file)
{
	struct sourcemap *m = parse(MAP);

	cr_assert_not_null(m, "%s", errmsg);
	cr_expect(sourcemap_needs_anchor(m));
	cr_expect_eq(sourcemap_line(m, 17, NULL), -1, "no lookup before anchoring");
	cr_assert_eq(sourcemap_anchor(m, PY, strlen(PY), 1), 0);
	cr_expect_not(sourcemap_needs_anchor(m));
	cr_expect_eq(sourcemap_line(m, 13, NULL), 9);
	cr_expect_eq(sourcemap_line(m, 14, NULL), 10);
	cr_expect_eq(sourcemap_line(m, 17, NULL), 13, "the statement, not its sub-expression");
	cr_expect_eq(sourcemap_line(m, 19, NULL), 16);
	cr_expect_eq(sourcemap_line(m, 20, NULL), -1);
	cr_expect_eq(sourcemap_line(m, 21, NULL), 19);
	cr_expect_eq(sourcemap_line(m, 12, NULL), -1, "the header is not ML");
	cr_expect_eq(sourcemap_line_near(m, 18, NULL), 14);
	cr_expect_eq(sourcemap_nsources(m), 1);
	cr_expect_str_eq(sourcemap_source(m, 0), "split.ml");
	cr_expect_eq(sourcemap_anchor(m, PY, strlen(PY), 1), 0, "anchoring twice is a no-op");
	cr_expect_eq(sourcemap_line(m, 13, NULL), 9);
	sourcemap_free(m);
}

/* In the sandbox script the program is pasted indented from a later line:
 * generated line 1 is the text's line from_line. */
Test(sourcemap_mlpy, anchors_in_an_indented_paste)
{
	static const char SANDBOX[] =
		"import sys\n"
		"def main():\n"
		"    \"\"\"Generated Python code from mlpy ML transpiler.\"\"\"\n" /* 3 */
		"    from mlpy.stdlib.builtin import builtin\n"
		"    def loop_a(n):\n"                                           /* 5 */
		"        i = 0\n"
		"        acc = 0\n"
		"        while (i < n):\n"
		"            acc = 1\n"
		"            i = (i + 1)\n"
		"        return acc\n"
		"\n"
		"    def loop_b(n):\n"                                           /* 13 */
		"        i = 0\n";
	struct sourcemap *m = parse(MAP);

	cr_assert_not_null(m, "%s", errmsg);
	cr_assert_eq(sourcemap_anchor(m, SANDBOX, strlen(SANDBOX), 3), 0);
	/* text line 5 is generated line 3 */
	cr_expect_eq(sourcemap_line(m, 3, NULL), 9);
	cr_expect_eq(sourcemap_line(m, 7, NULL), 13);
	cr_expect_eq(sourcemap_line(m, 11, NULL), 19);
	sourcemap_free(m);
}

/* The real mlpy lists the mappings twice: counted from the first
 * statement, then again as lines of the file (12 further down). One pass is
 * used, never a mix (a mix would put loop_b's lines on loop_a's). */
static const char TWO_PASSES[] =
	"{\"sourceMap\": {\"version\": 3, \"sources\": [\"split.ml\"], \"mappings\": \"0,0,9,1\"},"
	" \"debugInfo\": {\"detailedMappings\": ["
	M(1, 0, 9, 1, ", \"name\": \"loop_a\", \"node_type\": \"FunctionDefinition\"") ","
	M(5, 8, 13, 9, "") ","
	M(9, 0, 19, 1, ", \"name\": \"loop_b\", \"node_type\": \"FunctionDefinition\"") ","
	M(13, 8, 23, 9, "") ","
	M(13, 0, 9, 1, ", \"name\": \"loop_a\", \"node_type\": \"FunctionDefinition\"") ","
	M(17, 8, 13, 9, "") ","
	M(21, 0, 19, 1, ", \"name\": \"loop_b\", \"node_type\": \"FunctionDefinition\"") ","
	M(25, 8, 23, 9, "") "]}}";

Test(sourcemap_mlpy, of_two_passes_one_is_used)
{
	struct sourcemap *m = parse(TWO_PASSES);

	cr_assert_not_null(m, "%s", errmsg);
	cr_assert_eq(sourcemap_anchor(m, PY, strlen(PY), 1), 0);
	cr_expect_eq(sourcemap_line(m, 13, NULL), 9, "loop_a's def, not loop_b's acc line");
	cr_expect_eq(sourcemap_line(m, 17, NULL), 13);
	cr_expect_eq(sourcemap_line(m, 21, NULL), 19);
	cr_expect_eq(sourcemap_line(m, 5, NULL), -1, "the first pass is not mixed in");
	sourcemap_free(m);
}

Test(sourcemap_mlpy, renamed_keyword_function)
{
	static const char J[] =
		"{\"sourceMap\": {\"version\": 3, \"sources\": [\"k.ml\"], \"mappings\": \"\"},"
		" \"debugInfo\": {\"detailedMappings\": ["
		"{\"generated\": {\"line\": 1, \"column\": 0}, \"original\": {\"line\": 4, \"column\": 1},"
		" \"name\": \"from\", \"node_type\": \"FunctionDefinition\"},"
		"{\"generated\": {\"line\": 2, \"column\": 4}, \"original\": {\"line\": 5, \"column\": 5}}]}}";
	static const char T[] = "x = 1\ndef ml_from(a):\n    return a\n";
	struct sourcemap *m = parse(J);

	cr_assert_not_null(m, "%s", errmsg);
	cr_assert_eq(sourcemap_anchor(m, T, strlen(T), 1), 0);
	cr_expect_eq(sourcemap_line(m, 2, NULL), 4);
	cr_expect_eq(sourcemap_line(m, 3, NULL), 5);
	sourcemap_free(m);
}

Test(sourcemap_mlpy, another_text_is_refused)
{
	static const char MOVED[] = "def loop_a(n):\n    pass\ndef other(n):\n    pass\n";
	static const char NONE[] = "x = 1\n";
	struct sourcemap *m = parse(MAP);

	cr_assert_not_null(m, "%s", errmsg);
	/* loop_b is not 8 lines after loop_a: no origin fits both */
	cr_expect_eq(sourcemap_anchor(m, MOVED, strlen(MOVED), 1), -ENOENT);
	cr_expect_eq(sourcemap_anchor(m, NONE, strlen(NONE), 1), -ENOENT);
	cr_expect_eq(sourcemap_anchor(m, NULL, 0, 1), -ENOENT);
	cr_expect(sourcemap_needs_anchor(m));
	cr_expect_eq(sourcemap_line(m, 13, NULL), -1);
	sourcemap_free(m);
}

Test(sourcemap_mlpy, a_map_without_definitions_cannot_anchor)
{
	static const char J[] =
		"{\"sourceMap\": {\"version\": 3, \"sources\": [\"k.ml\"], \"mappings\": \"\"},"
		" \"debugInfo\": {\"detailedMappings\": ["
		"{\"generated\": {\"line\": 1, \"column\": 0}, \"original\": {\"line\": 4, \"column\": 1}}]}}";
	struct sourcemap *m = parse(J);

	cr_assert_not_null(m, "%s", errmsg);
	cr_expect_eq(sourcemap_anchor(m, PY, strlen(PY), 1), -ENOENT);
	sourcemap_free(m);
}

static void refused(const char *detailed, const char *msg)
{
	char json[1024];
	struct sourcemap *m;

	snprintf(json, sizeof(json),
		 "{\"sourceMap\": {\"version\": 3, \"sources\": [\"k.ml\"], \"mappings\": \"\"},"
		 " \"debugInfo\": {\"detailedMappings\": %s}}", detailed);
	m = parse(json);
	cr_expect_null(m, "accepted: %s", detailed);
	cr_expect_eq(errno, EINVAL);
	cr_expect(strstr(errmsg, msg) != NULL, "'%s' lacks '%s'", errmsg, msg);
	sourcemap_free(m);
}

Test(sourcemap_mlpy, malformed_is_refused)
{
	refused("{}", "not an array");
	refused("[1]", "detailedMappings[0]: not an object");
	refused("[{}]", "detailedMappings[0].generated: not an object");
	refused("[{\"generated\": {\"line\": 0}}]", "generated.line: not a line number");
	refused("[{\"generated\": {\"line\": -3}}]", "not a line number");
	refused("[{\"generated\": {\"line\": 1.5}}]", "not a line number");
	refused("[{\"generated\": {\"line\": 1e300}}]", "not a line number");
	refused("[{\"generated\": {\"line\": \"1\"}}]", "not a line number");
	refused("[{\"generated\": {\"line\": 1}}, {\"generated\": {\"line\": 2}, \"original\": 7}]",
		"detailedMappings[1].original: not an object");
	refused("[{\"generated\": {\"line\": 1}, \"name\": 3}]", "name: not a string");
	refused("[{\"generated\": {\"line\": 1}, \"node_type\": []}]", "node_type: not a string");
}

Test(sourcemap_mlpy, sources_still_checked)
{
	static const char J[] = "{\"sourceMap\": {\"version\": 3, \"mappings\": \"\"},"
				" \"debugInfo\": {\"detailedMappings\": []}}";

	cr_expect_null(parse(J));
	cr_expect(strstr(errmsg, "sources: missing") != NULL, "%s", errmsg);
}
