// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Classifies Python functions into the categories of an mlpy run by real
 * paths. A directory named mlpy (or lark) only counts as the package when
 * it sits in site-/dist-packages or holds one of the package's own entries,
 * so a user's ~/mlpy/tool.py is not taken for mlpy. */
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include "classify.h"

struct cat_desc {
	const char *name;
	const char *key;
};

static const struct cat_desc cats[CAT_NR] = {
	[CAT_PARSING] = { "Parsing", "parsing" },
	[CAT_SECURITY] = { "Security Analysis", "security_analysis" },
	[CAT_TRANSPILATION] = { "Transpilation", "transpilation" },
	[CAT_SANDBOX] = { "Sandbox Startup", "sandbox_startup" },
	[CAT_RUNTIME_OVERHEAD] = { "Runtime Overhead", "runtime_overhead" },
	[CAT_ML_CODE] = { "ML Code Execution", "ml_code" },
	[CAT_ML_STDLIB] = { "ML stdlib", "ml_stdlib" },
	[CAT_MLPY_OTHER] = { "mlpy CLI/other", "mlpy_other" },
	[CAT_PY_STDLIB] = { "Python Stdlib", "python_stdlib" },
	[CAT_INTERPRETER] = { "Interpreter", "interpreter" },
	[CAT_UNCLASSIFIED] = { "Unclassified", "unclassified" },
};

/* Entries of a package directory: "x/" is a subdirectory, "x" a file. */
static const char *const mlpy_entries[] = {
	"ml/", "runtime/", "stdlib/", "cli/", "debugging/", "integration/", "lsp/",
	"__init__.py", "__main__.py", NULL,
};

static const char *const lark_entries[] = {
	"parsers/", "grammars/", "tools/", "__init__.py", "ast_utils.py", "common.py",
	"exceptions.py", "grammar.py", "indenter.py", "lark.py", "lexer.py",
	"load_grammar.py", "parse_tree_builder.py", "parser_frontends.py",
	"reconstruct.py", "tree.py", "tree_matcher.py", "tree_templates.py", "utils.py",
	"visitors.py", NULL,
};

/* mlpy's functions that guard every call and attribute access of ML code. */
static const char *const runtime_names[] = {
	"safe_call", "safe_attr_access", "safe_method_call", "get_safe_length",
	"check_capabilities", "get_current_capability_context", "has_capability",
	"get_all_capabilities", "set_capability_context", "get_current_context",
	"set_current_context", "is_safe_access", "get_attribute_info", NULL,
};

/* Path under the mlpy package (after "mlpy/") -> category. */
static const struct {
	const char *prefix;
	enum category cat;
} mlpy_rules[] = {
	{ "ml/grammar/", CAT_PARSING },
	{ "ml/parser", CAT_PARSING },
	{ "ml/analysis/", CAT_SECURITY },
	{ "ml/security", CAT_SECURITY },
	{ "ml/codegen/", CAT_TRANSPILATION },
	{ "ml/transpiler.py", CAT_TRANSPILATION },
	{ "ml/resolution/", CAT_TRANSPILATION },
	{ "runtime/sandbox/", CAT_SANDBOX },
	{ "runtime/capabilities/context", CAT_SANDBOX },
	{ "stdlib/", CAT_ML_STDLIB },
};

static int starts_with(const char *s, const char *prefix)
{
	return strncmp(s, prefix, strlen(prefix)) == 0;
}

static int in_list(const char *s, const char *const *list)
{
	int found = 0;

	for (; *list && !found; list++)
		found = strcmp(s, *list) == 0;
	return found;
}

/* rest (what follows "pkg/") names one of the package's entries. */
static int known_entry(const char *rest, const char *const *entries)
{
	size_t n;
	int found = 0;

	for (; *entries && !found; entries++) {
		n = strlen(*entries);
		found = (*entries)[n - 1] == '/' ? strncmp(rest, *entries, n) == 0
						 : strcmp(rest, *entries) == 0;
	}
	return found;
}

/* The directory component ending just before p is site- or dist-packages. */
static int after_packages_dir(const char *file, const char *p)
{
	static const char *const dirs[] = { "site-packages", "dist-packages" };
	size_t i, n;
	int found = 0;

	for (i = 0; i < 2 && !found; i++) {
		n = strlen(dirs[i]);
		found = (size_t)(p - file) >= n && memcmp(p - n, dirs[i], n) == 0 &&
			((size_t)(p - file) == n || p[-(ptrdiff_t)n - 1] == '/');
	}
	return found;
}

/* What follows the directory "/pkg/" that is the package itself, or NULL. */
static const char *package_rest(const char *file, const char *pkg,
				const char *const *entries)
{
	char needle[32];
	const char *p = file, *rest = NULL;
	size_t n;

	n = (size_t)snprintf(needle, sizeof(needle), "/%s/", pkg);
	while (!rest && (p = strstr(p, needle))) {
		if (after_packages_dir(file, p) || known_entry(p + n, entries))
			rest = p + n;
		p++;
	}
	return rest;
}

static const char *basename_of(const char *file)
{
	const char *slash = strrchr(file, '/');

	return slash ? slash + 1 : file;
}

/* The script the sandbox runs: <tmp>/mlpy_sandbox_<random>/sandbox_execution.py */
static int is_sandbox_script(const char *file)
{
	const char *base = basename_of(file), *dir = base;
	int found = 0;

	if (base != file && !strcmp(base, "sandbox_execution.py")) {
		dir = base - 1;
		while (dir > file && dir[-1] != '/')
			dir--;
		found = starts_with(dir, "mlpy_sandbox_");
	}
	return found;
}

/* ".../lib/python3.N/" or ".../lib64/python3.N/" (N digits, "t" for
 * free-threaded builds): any interpreter's library, pyenv's and venvs' too. */
static int in_python_lib(const char *file)
{
	static const char *const needles[] = { "/lib/python3.", "/lib64/python3." };
	const char *p, *q;
	size_t i;
	int found = 0;

	for (i = 0; i < 2 && !found; i++) {
		for (p = file; !found && (p = strstr(p, needles[i])); p++) {
			q = p + strlen(needles[i]);
			if (*q < '0' || *q > '9')
				continue;
			while (*q >= '0' && *q <= '9')
				q++;
			if (*q == 't')
				q++;
			found = *q == '/';
		}
	}
	return found;
}

static int is_component(const char *file, const char *dir)
{
	size_t n = strlen(dir);
	const char *p;
	int found = 0;

	for (p = file; !found && (p = strstr(p, dir)); p++)
		found = (p == file || p[-1] == '/') && p[n] == '/';
	return found;
}

static int is_python_stdlib(const char *file)
{
	return file[0] == '<' || starts_with(file, "/usr/lib/python3") ||
	       starts_with(file, "/usr/local/lib/python3") || in_python_lib(file) ||
	       is_component(file, "site-packages") || is_component(file, "dist-packages");
}

static enum category classify_mlpy(const char *rest, const char *name)
{
	enum category cat = CAT_MLPY_OTHER;
	size_t i;

	if (in_list(name, runtime_names))
		cat = CAT_RUNTIME_OVERHEAD;
	for (i = 0; cat == CAT_MLPY_OTHER && i < sizeof(mlpy_rules) / sizeof(mlpy_rules[0]); i++) {
		if (starts_with(rest, mlpy_rules[i].prefix))
			cat = mlpy_rules[i].cat;
	}
	return cat;
}

enum category classify_function(const char *file, const char *name, int is_ml, int is_pseudo)
{
	enum category cat = CAT_UNCLASSIFIED;
	const char *rest;

	file = file ? file : "";
	name = name ? name : "";
	if (is_pseudo)
		cat = CAT_INTERPRETER;
	else if (is_ml)
		cat = CAT_ML_CODE;
	else if ((rest = package_rest(file, "mlpy", mlpy_entries)))
		cat = classify_mlpy(rest, name);
	else if (is_sandbox_script(file) || !strcmp(name, CLASSIFY_MLPY_PREAMBLE))
		cat = CAT_SANDBOX; /* the template, or the generated preamble's imports */
	else if (package_rest(file, "lark", lark_entries))
		cat = CAT_PARSING;
	else if (!strcmp(basename_of(file), "mlpy"))
		cat = CAT_MLPY_OTHER;
	else if (is_python_stdlib(file))
		cat = CAT_PY_STDLIB;
	return cat;
}

const char *classify_name(enum category c)
{
	return (unsigned)c < CAT_NR ? cats[c].name : "Unknown";
}

const char *classify_key(enum category c)
{
	return (unsigned)c < CAT_NR ? cats[c].key : "unknown";
}

int classify_is_mlpy_overhead(enum category c)
{
	return c == CAT_PARSING || c == CAT_SECURITY || c == CAT_TRANSPILATION ||
	       c == CAT_SANDBOX || c == CAT_RUNTIME_OVERHEAD || c == CAT_MLPY_OTHER;
}

int classify_is_passive(enum category c)
{
	return c == CAT_PY_STDLIB || c == CAT_UNCLASSIFIED || c == CAT_INTERPRETER;
}
