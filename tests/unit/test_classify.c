// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* classify: every rule on the paths real installs and the test app have,
 * and the look-alike paths that must not match. */
#include <criterion/criterion.h>
#include <string.h>
#include "classify.h"

struct ccase {
	const char *file;
	const char *name;
	int is_ml;
	int is_pseudo;
	enum category want;
};

#define DEB "/usr/local/lib/python3.11/dist-packages/mlpy/"
#define APP "/work/main/tests/mlpy_app/mlpy/"
#define VENV "/home/u/.venv/lib/python3.12/site-packages/"

static void check(const struct ccase *c, size_t n)
{
	enum category got;
	size_t i;

	for (i = 0; i < n; i++) {
		got = classify_function(c[i].file, c[i].name, c[i].is_ml, c[i].is_pseudo);
		cr_expect_eq(got, c[i].want, "%s %s (ml %d, pseudo %d): %s, want %s", c[i].file,
			     c[i].name, c[i].is_ml, c[i].is_pseudo, classify_name(got),
			     classify_name(c[i].want));
	}
}

#define CHECK(cases) check(cases, sizeof(cases) / sizeof(cases[0]))

Test(classify, flags_come_first)
{
	static const struct ccase c[] = {
		{ "<startup>", "<startup>", 0, 1, CAT_INTERPRETER },
		{ DEB "ml/grammar/parser.py", "parse", 0, 1, CAT_INTERPRETER },
		{ "", "", 0, 1, CAT_INTERPRETER },
		{ NULL, NULL, 0, 1, CAT_INTERPRETER },
		{ "/tmp/mlpy_sandbox_k2x9ab/sandbox_execution.py", "hot_a", 1, 0, CAT_ML_CODE },
		{ "/home/u/proj/examples/math_utils.py", "gcd", 1, 0, CAT_ML_CODE },
		/* A .py beside a .ml named like an mlpy helper is still ML. */
		{ "/home/u/proj/safe.py", "safe_call", 1, 0, CAT_ML_CODE },
		{ NULL, NULL, 0, 0, CAT_UNCLASSIFIED },
		{ "", "f", 0, 0, CAT_UNCLASSIFIED },
	};

	CHECK(c);
}

Test(classify, parsing)
{
	static const struct ccase c[] = {
		{ DEB "ml/grammar/parser.py", "parse", 0, 0, CAT_PARSING },
		{ DEB "ml/grammar/transformer.py", "visit", 0, 0, CAT_PARSING },
		{ APP "ml/grammar/lalr.py", "closure", 0, 0, CAT_PARSING },
		{ APP "ml/grammar/lr_runtime.py", "parse", 0, 0, CAT_PARSING },
		{ "/usr/lib/python3/dist-packages/mlpy/ml/parser.py", "parse", 0, 0, CAT_PARSING },
		{ "/usr/local/lib/python3.11/dist-packages/lark/lark.py", "parse", 0, 0, CAT_PARSING },
		{ VENV "lark/parsers/lalr_parser.py", "parse", 0, 0, CAT_PARSING },
		{ "/usr/lib/python3/dist-packages/lark/lexer.py", "lex", 0, 0, CAT_PARSING },
		/* lark from a source checkout or vendored */
		{ "/opt/src/lark/lark/parsers/earley.py", "parse", 0, 0, CAT_PARSING },
		{ "/opt/app/vendor/lark/load_grammar.py", "load", 0, 0, CAT_PARSING },
	};

	CHECK(c);
}

Test(classify, security)
{
	static const struct ccase c[] = {
		{ DEB "ml/analysis/security_analyzer.py", "analyze", 0, 0, CAT_SECURITY },
		{ DEB "ml/analysis/pattern_detector.py", "scan", 0, 0, CAT_SECURITY },
		{ APP "ml/analysis/data_flow_tracker.py", "reaching", 0, 0, CAT_SECURITY },
		{ DEB "ml/security.py", "check", 0, 0, CAT_SECURITY },
		{ DEB "ml/security/rules.py", "check", 0, 0, CAT_SECURITY },
	};

	CHECK(c);
}

Test(classify, transpilation)
{
	static const struct ccase c[] = {
		{ APP "ml/codegen/python_generator.py", "visit_function", 0, 0, CAT_TRANSPILATION },
		{ DEB "ml/codegen/optimizer.py", "optimize", 0, 0, CAT_TRANSPILATION },
		{ DEB "ml/transpiler.py", "transpile", 0, 0, CAT_TRANSPILATION },
		{ APP "ml/transpiler.py", "transpile", 0, 0, CAT_TRANSPILATION },
		{ APP "ml/resolution/resolver.py", "resolve", 0, 0, CAT_TRANSPILATION },
		/* safe_attribute_registry.py holds runtime helpers as well. */
		{ APP "ml/codegen/safe_attribute_registry.py", "register", 0, 0, CAT_TRANSPILATION },
		{ APP "ml/codegen/safe_attribute_registry.py", "is_safe_access", 0, 0,
		  CAT_RUNTIME_OVERHEAD },
	};

	CHECK(c);
}

Test(classify, sandbox)
{
	static const struct ccase c[] = {
		{ "/tmp/mlpy_sandbox_k2x9ab/sandbox_execution.py", "setup_capabilities", 0, 0,
		  CAT_SANDBOX },
		{ "/tmp/mlpy_sandbox_k2x9ab/sandbox_execution.py", "<module>", 0, 0, CAT_SANDBOX },
		{ "/var/tmp/t/mlpy_sandbox_q/sandbox_execution.py", "main", 0, 0, CAT_SANDBOX },
		{ "mlpy_sandbox_q/sandbox_execution.py", "main", 0, 0, CAT_SANDBOX },
		/* the generated preamble of a module (mlpyattr.h) */
		{ "/home/u/prog/user_modules/sorting.py", CLASSIFY_MLPY_PREAMBLE, 0, 0, CAT_SANDBOX },
		{ "/home/u/prog/user_modules/sorting.py", "<module>", 0, 0, CAT_UNCLASSIFIED },
		{ DEB "runtime/sandbox/sandbox.py", "execute", 0, 0, CAT_SANDBOX },
		{ APP "runtime/sandbox/context_serializer.py", "serialize", 0, 0, CAT_SANDBOX },
		{ APP "runtime/sandbox/resource_monitor.py", "sample", 0, 0, CAT_SANDBOX },
		{ DEB "runtime/capabilities/context.py", "__init__", 0, 0, CAT_SANDBOX },
		{ DEB "runtime/capabilities/context_serializer.py", "load", 0, 0, CAT_SANDBOX },
		/* Not a sandbox script: wrong name or wrong directory. */
		{ "/tmp/mlpy_sandbox_k2x9ab/other.py", "main", 0, 0, CAT_UNCLASSIFIED },
		{ "/tmp/sandbox/sandbox_execution.py", "main", 0, 0, CAT_UNCLASSIFIED },
		{ "sandbox_execution.py", "main", 0, 0, CAT_UNCLASSIFIED },
		{ "/tmp/mlpy_sandbox_x/y/sandbox_execution.py", "main", 0, 0, CAT_UNCLASSIFIED },
	};

	CHECK(c);
}

Test(classify, runtime_overhead_by_name)
{
	static const char *const names[] = {
		"safe_call", "safe_attr_access", "safe_method_call", "get_safe_length",
		"check_capabilities", "get_current_capability_context", "has_capability",
		"get_all_capabilities", "set_capability_context", "get_current_context",
		"set_current_context", "is_safe_access", "get_attribute_info",
	};
	size_t i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		cr_expect_eq(classify_function("/x/mlpy/runtime/whitelist_validator.py", names[i], 0,
					       0),
			     CAT_RUNTIME_OVERHEAD, "%s", names[i]);
		cr_expect_eq(classify_function(APP "stdlib/runtime_helpers.py", names[i], 0, 0),
			     CAT_RUNTIME_OVERHEAD, "%s", names[i]);
		/* The name rule wins over the file's own category. */
		cr_expect_eq(classify_function(DEB "runtime/capabilities/context.py", names[i], 0,
					       0),
			     CAT_RUNTIME_OVERHEAD, "%s", names[i]);
		/* A user's function of the same name is not mlpy's. */
		cr_expect_eq(classify_function("/home/u/proj/tool.py", names[i], 0, 0),
			     CAT_UNCLASSIFIED, "%s", names[i]);
		cr_expect_eq(classify_function("/usr/lib/python3.11/ast.py", names[i], 0, 0),
			     CAT_PY_STDLIB, "%s", names[i]);
	}
	static const struct ccase c[] = {
		{ "/x/mlpy/runtime/whitelist_validator.py", "safe_call_2", 0, 0, CAT_MLPY_OTHER },
		{ "/x/mlpy/runtime/whitelist_validator.py", "_safe_call", 0, 0, CAT_MLPY_OTHER },
		{ "/x/mlpy/runtime/whitelist_validator.py", "validate", 0, 0, CAT_MLPY_OTHER },
	};

	CHECK(c);
}

Test(classify, ml_stdlib)
{
	static const struct ccase c[] = {
		{ DEB "stdlib/builtin.py", "print", 0, 0, CAT_ML_STDLIB },
		{ APP "stdlib/time_bridge.py", "perf_counter", 0, 0, CAT_ML_STDLIB },
		{ APP "stdlib/math_bridge.py", "sqrt", 0, 0, CAT_ML_STDLIB },
	};

	CHECK(c);
}

Test(classify, mlpy_other)
{
	static const struct ccase c[] = {
		{ DEB "cli/app.py", "cli", 0, 0, CAT_MLPY_OTHER },
		{ APP "cli/app.py", "run", 0, 0, CAT_MLPY_OTHER },
		{ DEB "__main__.py", "<module>", 0, 0, CAT_MLPY_OTHER },
		{ DEB "__init__.py", "<module>", 0, 0, CAT_MLPY_OTHER },
		{ APP "runtime/profiling/phases.py", "phase", 0, 0, CAT_MLPY_OTHER },
		{ APP "ml/errors/exceptions.py", "__init__", 0, 0, CAT_MLPY_OTHER },
		{ DEB "version.py", "<module>", 0, 0, CAT_MLPY_OTHER },
		{ "/usr/local/bin/mlpy", "<module>", 0, 0, CAT_MLPY_OTHER },
		{ "/work/main/tests/mlpy_app/bin/mlpy", "<module>", 0, 0, CAT_MLPY_OTHER },
		/* A source checkout of mlpy under a directory also named mlpy. */
		{ "/home/u/mlpy/src/mlpy/cli/app.py", "cli", 0, 0, CAT_MLPY_OTHER },
		{ "/home/u/mlpy/src/mlpy/ml/grammar/parser.py", "parse", 0, 0, CAT_PARSING },
	};

	CHECK(c);
}

Test(classify, python_stdlib)
{
	static const struct ccase c[] = {
		{ "/usr/lib/python3.11/subprocess.py", "_execute_child", 0, 0, CAT_PY_STDLIB },
		{ "/usr/lib/python3.11/json/decoder.py", "decode", 0, 0, CAT_PY_STDLIB },
		{ "/root/.pyenv/versions/3.12.1/lib/python3.12/re/_parser.py", "_parse", 0, 0,
		  CAT_PY_STDLIB },
		{ "/root/.pyenv/versions/3.13.0t/lib/python3.13t/os.py", "walk", 0, 0,
		  CAT_PY_STDLIB },
		{ "/usr/lib64/python3.12/threading.py", "run", 0, 0, CAT_PY_STDLIB },
		{ "/usr/local/lib/python3.11/abc.py", "__instancecheck__", 0, 0, CAT_PY_STDLIB },
		{ "/opt/py/lib/python3.14/tempfile.py", "mkdtemp", 0, 0, CAT_PY_STDLIB },
		{ "<frozen importlib._bootstrap>", "_find_and_load", 0, 0, CAT_PY_STDLIB },
		{ "<frozen posixpath>", "join", 0, 0, CAT_PY_STDLIB },
		{ "<string>", "<module>", 0, 0, CAT_PY_STDLIB },
		{ "/usr/lib/python3/dist-packages/click/core.py", "main", 0, 0, CAT_PY_STDLIB },
		{ VENV "rich/console.py", "print", 0, 0, CAT_PY_STDLIB },
		{ "/usr/local/lib/python3.11/dist-packages/larkspur/x.py", "f", 0, 0,
		  CAT_PY_STDLIB },
		{ "/usr/local/lib/python3.11/dist-packages/mlpy_tools/x.py", "f", 0, 0,
		  CAT_PY_STDLIB },
	};

	CHECK(c);
}

Test(classify, unclassified)
{
	static const struct ccase c[] = {
		{ "/home/u/proj/app.py", "main", 0, 0, CAT_UNCLASSIFIED },
		{ "/home/u/proj/tool.py", "safe_call", 0, 0, CAT_UNCLASSIFIED },
		/* Directories that only look like the packages. */
		{ "/home/u/mlpy/tool.py", "run", 0, 0, CAT_UNCLASSIFIED },
		{ "/home/u/mlpy/examples/gen.py", "safe_call", 0, 0, CAT_UNCLASSIFIED },
		{ "/home/mlpyuser/ml/grammar/x.py", "f", 0, 0, CAT_UNCLASSIFIED },
		{ "/home/u/notmlpy/ml/grammar/x.py", "f", 0, 0, CAT_UNCLASSIFIED },
		{ "/home/u/lark/notes.py", "f", 0, 0, CAT_UNCLASSIFIED },
		{ "/home/u/mlpy.py", "f", 0, 0, CAT_UNCLASSIFIED },
		{ "/home/u/bin/mlpy-helper", "f", 0, 0, CAT_UNCLASSIFIED },
		{ "/home/u/lib/python3/x.py", "f", 0, 0, CAT_UNCLASSIFIED },
		{ "/home/u/lib/python3.x/y.py", "f", 0, 0, CAT_UNCLASSIFIED },
		{ "/home/u/my-site-packages/y.py", "f", 0, 0, CAT_UNCLASSIFIED },
		{ "/home/u/site-packages.py", "f", 0, 0, CAT_UNCLASSIFIED },
		{ "relative.py", "f", 0, 0, CAT_UNCLASSIFIED },
	};

	CHECK(c);
}

Test(classify, names_and_keys)
{
	static const char *const names[CAT_NR] = {
		"Parsing", "Security Analysis", "Transpilation", "Sandbox Startup",
		"Runtime Overhead", "ML Code Execution", "ML stdlib", "mlpy CLI/other",
		"Python Stdlib", "Interpreter", "Unclassified",
	};
	static const char *const keys[CAT_NR] = {
		"parsing", "security_analysis", "transpilation", "sandbox_startup",
		"runtime_overhead", "ml_code", "ml_stdlib", "mlpy_other", "python_stdlib",
		"interpreter", "unclassified",
	};
	int c;

	for (c = 0; c < CAT_NR; c++) {
		cr_expect_str_eq(classify_name(c), names[c]);
		cr_expect_str_eq(classify_key(c), keys[c]);
	}
	cr_expect_str_eq(classify_name(CAT_NR), "Unknown");
	cr_expect_str_eq(classify_key((enum category)-1), "unknown");
}

Test(classify, overhead_and_passive)
{
	static const int overhead[CAT_NR] = {
		[CAT_PARSING] = 1, [CAT_SECURITY] = 1, [CAT_TRANSPILATION] = 1, [CAT_SANDBOX] = 1,
		[CAT_RUNTIME_OVERHEAD] = 1, [CAT_MLPY_OTHER] = 1,
	};
	static const int passive[CAT_NR] = {
		[CAT_PY_STDLIB] = 1, [CAT_UNCLASSIFIED] = 1, [CAT_INTERPRETER] = 1,
	};
	int c;

	for (c = 0; c < CAT_NR; c++) {
		cr_expect_eq(classify_is_mlpy_overhead(c), overhead[c], "%s", classify_name(c));
		cr_expect_eq(classify_is_passive(c), passive[c], "%s", classify_name(c));
	}
}
