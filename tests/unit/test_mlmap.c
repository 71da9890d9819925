// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* mlmap: the sandbox paste offset, .py.map source maps and `function NAME(`
 * definition lines, on files written to a temporary directory and read
 * through this process's /proc/PID/root; then every bad input. */
#include <criterion/criterion.h>
#include <time.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "mlmap.h"

static char dir[64];

static const char *path_in(const char *rel)
{
	static char buf[4][256];
	static int next;
	char *p = buf[next++ % 4];

	snprintf(p, 256, "%s/%s", dir, rel);
	return p;
}

/* The sandbox script's path, in a buffer of its own. */
static const char *script_path(void)
{
	static char buf[256];

	snprintf(buf, sizeof(buf), "%s/mlpy_sandbox_ab12/sandbox_execution.py", dir);
	return buf;
}

static void put(const char *rel, const char *text)
{
	char path[256];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, rel);
	f = fopen(path, "w");
	cr_assert_not_null(f, "%s", path);
	cr_assert_eq(fputs(text, f) >= 0, 1);
	cr_assert_eq(fclose(f), 0);
}

static void setup(void)
{
	snprintf(dir, sizeof(dir), "/tmp/mlprof-mlmap-XXXXXX");
	cr_assert_not_null(mkdtemp(dir));
	cr_assert_eq(mkdir(path_in("mlpy_sandbox_ab12"), 0700), 0);
}

static void teardown(void)
{
	static const char *const files[] = {
		"mlpy_sandbox_ab12/sandbox_execution.py", "mlpy_sandbox_ab12/plain.py",
		"prog.ml", "prog.py.map", "bad.ml", "bad.py.map", "util.py", "util.ml",
		"util.py.map", "other.py", NULL,
	};
	size_t i;

	for (i = 0; files[i]; i++)
		unlink(path_in(files[i]));
	rmdir(path_in("mlpy_sandbox_ab12"));
	rmdir(dir);
}

/* The sandbox template: the marker on line 8, so sandbox line L is line
 * L - 7 of the transpiled prog.py. */
static const char sandbox_script[] =
	"import sys\n"                                                  /* 1 */
	"CAPABILITY_CONTEXT_DATA = {}\n"                                /* 2 */
	"\n"                                                            /* 3 */
	"def setup_capabilities():\n"                                   /* 4 */
	"    pass\n"                                                    /* 5 */
	"def main():\n"                                                 /* 6 */
	"    try:\n"                                                    /* 7 */
	"        \"\"\"Generated Python code from mlpy ML transpiler.\"\"\"\n" /* 8 = py 1 */
	"        from mlpy.runtime.whitelist_validator import safe_call as _safe_call\n"
	"        def fib(n):\n"                                         /* 10 = py 3 */
	"            return n if n < 2 else fib(n - 1) + fib(n - 2)\n"  /* 11 = py 4 */
	"\n"                                                            /* 12 = py 5 */
	"        def process(x):\n"                                     /* 13 = py 6 */
	"            return _safe_call(fib, x)\n"                       /* 14 = py 7 */
	"    except Exception:\n"
	"        sys.exit(1)\n";

/* `function NAME(` on lines 3 and 10. */
static const char prog_ml[] = "// prog.ml\n"
			      "\n"
			      "function fib(n) {\n"
			      "    if (n < 2) { return n; }\n"
			      "    return fib(n - 1) + fib(n - 2);\n"
			      "}\n"
			      "\n"
			      "// not a definition: functionally(\n"
			      "x = 1;\n"
			      "  function process(x) {\n"
			      "    y = x * 2;\n"
			      "    return fib(y);\n"
			      "}\n";

/* py 3 -> ml 3 (AAEA: +2 from line 1), py 4 -> 4 (AACA), py 6 -> 10
 * (AAMA: +6), py 7 -> 12 (AAEA: +2); py 1, 2 and 5 have no segment. */
static const char prog_map[] =
	"{\"sourceMap\":{\"version\":3,\"file\":\"prog.py\",\"sources\":[\"prog.ml\"],"
	"\"mappings\":\";;AAEA;AACA;;AAMA;AAEA\"}}";

Test(mlmap, sandbox_with_source_map, .init = setup, .fini = teardown)
{
	const char *script = script_path();
	const struct mlmod *mod;
	struct mlmap *m;
	int32_t off = -99;

	put("mlpy_sandbox_ab12/sandbox_execution.py", sandbox_script);
	put("prog.ml", prog_ml);
	put("prog.py.map", prog_map);
	m = mlmap__new(getpid());
	cr_assert_not_null(m);
	cr_assert_eq(mlmap__is_sandbox(m, script), 0);
	cr_assert_eq(mlmap__set_sandbox(m, script, path_in("prog.ml"), 0), 0);
	cr_assert_str_eq(mlmap__note(m), "");
	cr_assert_eq(mlmap__is_sandbox(m, script), 1);

	/* Every code object of the script is the program, offset 8 - 1. */
	mod = mlmap__module(m, script, 10, &off);
	cr_assert_not_null(mod);
	cr_assert_eq(off, 7);
	cr_assert_str_eq(mlmap_mod_path(mod), path_in("prog.ml"));
	cr_assert_eq(mlmap__module(m, script, 6, &off), mod); /* main() too */
	cr_assert_eq(off, 7);

	/* Sandbox line -> .py line -> .ml line through the map. */
	cr_assert_eq(mlmap_mod_line(mod, 10 - off), 3);
	cr_assert_eq(mlmap_mod_line(mod, 11 - off), 4);
	cr_assert_eq(mlmap_mod_line(mod, 12 - off), 4); /* no segment: nearest earlier */
	cr_assert_eq(mlmap_mod_line(mod, 13 - off), 10);
	cr_assert_eq(mlmap_mod_line(mod, 14 - off), 12);
	cr_assert_eq(mlmap_mod_line(mod, 500), 12); /* past the map */
	cr_assert_eq(mlmap_mod_line(mod, 1), -1);	/* before the first mapping */
	cr_assert_eq(mlmap_mod_line(mod, 0), -1);
	cr_assert_eq(mlmap_mod_line(mod, -3), -1);

	/* Definition lines: the map first, `function NAME(` where it has
	 * nothing for the def line. */
	cr_assert_eq(mlmap_mod_def_line(mod, "fib", 3), 3);
	cr_assert_eq(mlmap_mod_def_line(mod, "process", 6), 10);
	cr_assert_eq(mlmap_mod_def_line(mod, "process", 1), 10);
	cr_assert_eq(mlmap_mod_def_line(mod, "fib", 0), 3);
	cr_assert_eq(mlmap_mod_def_line(mod, "functionally", 0), -1);
	cr_assert_eq(mlmap_mod_def_line(mod, "nosuch", 0), -1);
	mlmap__free(m);
}

/* An .ml modified after the run began is not the source of the code that
 * runs: no line at all from it (the map neither), a note, "none". The
 * same file not modified since: lines as usual. */
Test(mlmap, ml_changed_after_the_run_began, .init = setup, .fini = teardown)
{
	const char *script = script_path();
	const struct mlmod *mod;
	struct timespec now;
	struct mlmap *m;
	int64_t now_ns;
	int32_t off;

	put("mlpy_sandbox_ab12/sandbox_execution.py", sandbox_script);
	put("prog.ml", prog_ml);
	put("prog.py.map", prog_map);
	clock_gettime(CLOCK_REALTIME, &now);
	now_ns = (int64_t)now.tv_sec * 1000000000 + now.tv_nsec;
	m = mlmap__new(getpid());
	cr_assert_eq(mlmap__set_sandbox(m, script, path_in("prog.ml"), now_ns - 60000000000LL), 0);
	cr_assert_not_null(strstr(mlmap__note(m), "changed after the run began"), "%s",
			   mlmap__note(m));
	cr_assert_str_eq(mlmap__lines_from(m), "none");
	mod = mlmap__module(m, script, 10, &off);
	cr_assert_not_null(mod);
	cr_assert_eq(mlmap_mod_line(mod, 10 - off), -1);
	cr_assert_eq(mlmap_mod_def_line(mod, "fib", 3), -1);
	mlmap__free(m);
	m = mlmap__new(getpid());
	cr_assert_eq(mlmap__set_sandbox(m, script, path_in("prog.ml"), now_ns + 60000000000LL), 0);
	cr_assert_str_eq(mlmap__note(m), "");
	cr_assert_str_eq(mlmap__lines_from(m), "source map");
	mod = mlmap__module(m, script, 10, &off);
	cr_assert_eq(mlmap_mod_line(mod, 10 - off), 3);
	mlmap__free(m);
}

Test(mlmap, marker_line_sets_offset, .init = setup, .fini = teardown)
{
	const char *script = script_path();
	struct mlmap *m;
	int32_t off;
	char text[4096] = "";
	int n;

	/* Marker on line N (N = 1, 2, 37): the offset is N - 1. */
	for (n = 1; n <= 37; n += n == 1 ? 1 : 35) {
		int i;

		text[0] = '\0';
		for (i = 1; i < n; i++)
			strcat(text, "x = 1\n");
		strcat(text, "        \"\"\"Generated Python code from mlpy ML transpiler.\"\"\"\n"
			     "        pass\n");
		put("mlpy_sandbox_ab12/sandbox_execution.py", text);
		m = mlmap__new(getpid());
		cr_assert_eq(mlmap__set_sandbox(m, script, NULL, 0), 0);
		/* No ML path: the script is known, its program is not. */
		cr_assert_null(mlmap__module(m, script, 1, &off));
		cr_assert_eq(off, n - 1, "marker on line %d: offset %d", n, off);
		cr_assert_eq(mlmap__is_sandbox(m, script), 1);
		mlmap__free(m);
	}
}

Test(mlmap, missing_ml, .init = setup, .fini = teardown)
{
	const char *script = script_path();
	const struct mlmod *mod;
	struct mlmap *m;
	int32_t off;

	put("mlpy_sandbox_ab12/sandbox_execution.py", sandbox_script);
	m = mlmap__new(getpid());
	cr_assert_eq(mlmap__set_sandbox(m, script, path_in("gone.ml"), 0), 0);
	cr_assert_not_null(strstr(mlmap__note(m), "cannot read "), "%s", mlmap__note(m));
	cr_assert_not_null(strstr(mlmap__note(m), path_in("gone.ml")), "%s", mlmap__note(m));
	cr_assert_not_null(strstr(mlmap__note(m), "ML lines unknown"), "%s", mlmap__note(m));
	/* The script's code is still ML code, with unknown lines. */
	mod = mlmap__module(m, script, 10, &off);
	cr_assert_not_null(mod);
	cr_assert_eq(off, 7);
	cr_assert_eq(mlmap_mod_line(mod, 3), -1);
	cr_assert_eq(mlmap_mod_def_line(mod, "fib", 3), -1);
	mlmap__free(m);
}

Test(mlmap, malformed_map, .init = setup, .fini = teardown)
{
	const char *script = script_path();
	const struct mlmod *mod;
	struct mlmap *m;
	int32_t off;

	put("mlpy_sandbox_ab12/sandbox_execution.py", sandbox_script);
	put("bad.ml", prog_ml);
	put("bad.py.map", "{\"sourceMap\":{\"version\":3,\"sources\":[\"bad.ml\"],"
			  "\"mappings\":\";;AA!A\"}}");
	m = mlmap__new(getpid());
	cr_assert_eq(mlmap__set_sandbox(m, script, path_in("bad.ml"), 0), 0);
	/* The note names the map and says what is left. */
	cr_assert_not_null(strstr(mlmap__note(m), path_in("bad.py.map")), "%s", mlmap__note(m));
	cr_assert_not_null(strstr(mlmap__note(m), "ML lines from function definitions only"), "%s",
			   mlmap__note(m));
	mod = mlmap__module(m, script, 10, &off);
	cr_assert_not_null(mod);
	cr_assert_eq(mlmap_mod_line(mod, 3), 3, "from the generated Python, not the map");
	cr_assert_eq(mlmap_mod_line(mod, 7), -1);
	cr_assert_eq(mlmap_mod_def_line(mod, "fib", 3), 3);
	cr_assert_eq(mlmap_mod_def_line(mod, "process", 6), 10);
	mlmap__free(m);

	/* Not JSON at all. */
	put("bad.py.map", "not json {");
	m = mlmap__new(getpid());
	cr_assert_eq(mlmap__set_sandbox(m, script, path_in("bad.ml"), 0), 0);
	cr_assert_not_null(strstr(mlmap__note(m), path_in("bad.py.map")), "%s", mlmap__note(m));
	mod = mlmap__module(m, script, 10, &off);
	cr_assert_eq(mlmap_mod_def_line(mod, "process", 6), 10);
	mlmap__free(m);
}

Test(mlmap, no_map_is_fine, .init = setup, .fini = teardown)
{
	const char *script = script_path();
	const struct mlmod *mod;
	struct mlmap *m;
	int32_t off;

	/* Source maps off: no .py.map, no note, def lines from the .ml. */
	put("mlpy_sandbox_ab12/sandbox_execution.py", sandbox_script);
	put("prog.ml", prog_ml);
	m = mlmap__new(getpid());
	cr_assert_eq(mlmap__set_sandbox(m, script, path_in("prog.ml"), 0), 0);
	cr_assert_str_eq(mlmap__note(m), "");
	mod = mlmap__module(m, script, 10, &off);
	/* Lines from the generated Python aligned with the .ml: py 3 `def
	 * fib(n):` is ml 3; py 4 holds every word of ml 5 (`return fib(n - 1) +
	 * fib(n - 2)`), not enough of ml 4's; py 7 `return _safe_call(fib, x)`
	 * holds no .ml line's words (ml 12 has y): unknown, not a guess. */
	cr_assert_eq(mlmap_mod_line(mod, 3), 3);
	cr_assert_eq(mlmap_mod_line(mod, 4), 5);
	cr_assert_eq(mlmap_mod_line(mod, 5), -1);
	cr_assert_eq(mlmap_mod_line(mod, 6), 10);
	cr_assert_eq(mlmap_mod_line(mod, 7), -1);
	cr_assert_eq(mlmap_mod_def_line(mod, "fib", 3), 3);
	cr_assert_eq(mlmap_mod_def_line(mod, "process", 6), 10);
	mlmap__free(m);
}

Test(mlmap, script_without_marker, .init = setup, .fini = teardown)
{
	const char *script = script_path();
	struct mlmap *m;
	int32_t off;

	put("mlpy_sandbox_ab12/sandbox_execution.py",
	    "def main():\n    \"\"\"Generated Python code from somewhere else.\"\"\"\n"
	    "x = '\"\"\"Generated Python code from mlpy ML transpiler.\"\"\"'\n");
	put("prog.ml", prog_ml);
	m = mlmap__new(getpid());
	cr_assert_eq(mlmap__set_sandbox(m, script, path_in("prog.ml"), 0), -ENOENT);
	cr_assert_not_null(strstr(mlmap__note(m), script), "%s", mlmap__note(m));
	cr_assert_not_null(strstr(mlmap__note(m), "holds no transpiled ML program"), "%s",
			   mlmap__note(m));
	cr_assert_eq(mlmap__is_sandbox(m, script), 0);
	/* Its code is then plain Python (no sandbox_execution.ml beside it). */
	cr_assert_null(mlmap__module(m, script, 1, &off));
	cr_assert_eq(off, 0);
	mlmap__free(m);
}

Test(mlmap, missing_script, .init = setup, .fini = teardown)
{
	const char *script = script_path();
	struct mlmap *m;

	m = mlmap__new(getpid());
	cr_assert_eq(mlmap__set_sandbox(m, script, path_in("prog.ml"), 0), -ENOENT);
	/* A sandbox that exited before its script was read (mlpy deletes it):
	 * said without naming mlpy's temporary file (ML reports show notes). */
	cr_assert_not_null(strstr(mlmap__note(m), "the sandbox's script was deleted before"),
			   "%s", mlmap__note(m));
	cr_assert_null(strstr(mlmap__note(m), "sandbox_execution"), "%s", mlmap__note(m));
	cr_assert_eq(mlmap__is_sandbox(m, script), 0);
	mlmap__free(m);
}

Test(mlmap, imported_module, .init = setup, .fini = teardown)
{
	const struct mlmod *mod;
	struct mlmap *m;
	int32_t off = -1;

	/* util.py transpiled from util.ml, `function helper(` on line 2; the
	 * map puts py line 5 (def helper) on ml line 2 (AAAA on line 5,
	 * nothing before). */
	put("util.py", "\"\"\"Generated Python code from mlpy ML transpiler.\"\"\"\n\n\n\n"
		       "def helper(x):\n    return x\n");
	put("util.ml", "// util\nfunction helper(x) {\n    return x;\n}\n");
	put("util.py.map", "{\"sourceMap\":{\"version\":3,\"sources\":[\"util.ml\"],"
			   "\"mappings\":\";;;;AACA;AACA\"}}");
	put("other.py", "def f():\n    pass\n");
	m = mlmap__new(getpid());
	mod = mlmap__module(m, path_in("util.py"), 5, &off);
	cr_assert_not_null(mod);
	cr_assert_eq(off, 0);
	cr_assert_str_eq(mlmap_mod_path(mod), path_in("util.ml"));
	cr_assert_eq(mlmap_mod_line(mod, 5), 2);
	cr_assert_eq(mlmap_mod_line(mod, 6), 3);
	cr_assert_eq(mlmap_mod_def_line(mod, "helper", 5), 2);
	/* Looked up once: the same module again. */
	cr_assert_eq(mlmap__module(m, path_in("util.py"), 5, &off), mod);
	/* A .py with no .ml beside it is not ML code; nor a relative path, a
	 * pseudo file name or a file that is not .py. */
	cr_assert_null(mlmap__module(m, path_in("other.py"), 1, &off));
	cr_assert_null(mlmap__module(m, path_in("other.py"), 1, &off));
	cr_assert_null(mlmap__module(m, "util.py", 1, &off));
	cr_assert_null(mlmap__module(m, "<frozen importlib._bootstrap>", 1, &off));
	cr_assert_null(mlmap__module(m, path_in("util.ml"), 1, &off));
	cr_assert_null(mlmap__module(m, path_in("nothere.py"), 1, &off));
	/* No sandbox was set: nothing is the sandbox script. */
	cr_assert_eq(mlmap__is_sandbox(m, path_in("util.py")), 0);
	cr_assert_str_eq(mlmap__note(m), "");
	mlmap__free(m);
}

Test(mlmap, imported_module_without_map, .init = setup, .fini = teardown)
{
	const struct mlmod *mod;
	struct mlmap *m;
	int32_t off;

	put("util.py", "def helper(x):\n    return x\n");
	put("util.ml", "// util\nfunction helper(x) {\n    return x;\n}\n");
	m = mlmap__new(getpid());
	mod = mlmap__module(m, path_in("util.py"), 1, &off);
	cr_assert_not_null(mod);
	/* Aligned with util.ml: def -> function line, return -> return. */
	cr_assert_eq(mlmap_mod_line(mod, 1), 2);
	cr_assert_eq(mlmap_mod_line(mod, 2), 3);
	cr_assert_eq(mlmap_mod_line(mod, 3), -1);
	cr_assert_eq(mlmap_mod_def_line(mod, "helper", 1), 2);
	cr_assert_str_eq(mlmap__note(m), "");
	mlmap__free(m);
}

Test(mlmap, free_null)
{
	mlmap__free(NULL);
}

/* A map of another program (valid, but its lines disagree with the
 * generated Python) is dropped with a note: never a wrong line. prog.py's
 * lines 3, 4 and 6 align with ml 3, 5 and 10; this map says 9, 9, 9. */
Test(mlmap, mismatched_map_dropped, .init = setup, .fini = teardown)
{
	const char *script = script_path();
	const struct mlmod *mod;
	struct mlmap *m;
	int32_t off;

	put("mlpy_sandbox_ab12/sandbox_execution.py", sandbox_script);
	put("prog.ml", prog_ml);
	put("prog.py.map", "{\"sourceMap\":{\"version\":3,\"file\":\"prog.py\","
			   "\"sources\":[\"prog.ml\"],\"mappings\":\";;AAQA;AACA;;AACA\"}}");
	m = mlmap__new(getpid());
	cr_assert_eq(mlmap__set_sandbox(m, script, path_in("prog.ml"), 0), 0);
	cr_assert_not_null(strstr(mlmap__note(m), "does not match"), "%s", mlmap__note(m));
	mod = mlmap__module(m, script, 10, &off);
	cr_assert_eq(mlmap_mod_line(mod, 3), 3);
	cr_assert_eq(mlmap_mod_line(mod, 4), 5);
	cr_assert_eq(mlmap_mod_line(mod, 6), 10);
	mlmap__free(m);
}

/* The transpiler's preamble: from the generated docstring through the
 * comments, imports and module path set-up to the program's first
 * statement, in the sandbox paste (indented) and in a module's .py; not
 * without the docstring, and never past a statement. */
Test(mlmap, preamble, .init = setup, .fini = teardown)
{
	const char *script = script_path();
	const struct mlmod *mod;
	struct mlmap *m;
	int32_t off;

	/* Sandbox: py 1 the docstring, py 2 the runtime import, py 3 `def
	 * fib`. */
	put("mlpy_sandbox_ab12/sandbox_execution.py", sandbox_script);
	put("prog.ml", prog_ml);
	m = mlmap__new(getpid());
	cr_assert_eq(mlmap__set_sandbox(m, script, path_in("prog.ml"), 0), 0);
	mod = mlmap__module(m, script, 10, &off);
	cr_assert_not_null(mod);
	cr_assert_eq(mlmap_mod_in_preamble(mod, 0), 0);
	cr_assert_eq(mlmap_mod_in_preamble(mod, 1), 1);
	cr_assert_eq(mlmap_mod_in_preamble(mod, 2), 1);
	cr_assert_eq(mlmap_mod_in_preamble(mod, 3), 0);
	cr_assert_eq(mlmap_mod_in_preamble(mod, 7), 0);
	mlmap__free(m);

	/* A module in separate mode: comments, blank lines, imports of the
	 * runtime and of user modules, the sys.path set-up; then a class of
	 * the program whose body is an import-looking line: not preamble. */
	put("util.py", "\"\"\"Generated Python code from mlpy ML transpiler.\"\"\"\n" /* 1 */
		       "\n"                                                           /* 2 */
		       "# ==================\n"                                        /* 3 */
		       "from mlpy.runtime.whitelist_validator import safe_call\n"     /* 4 */
		       "\n"                                                           /* 5 */
		       "import sys\n"                                                 /* 6 */
		       "from pathlib import Path\n"                                   /* 7 */
		       "if str(Path('/x').resolve()) not in sys.path:\n"              /* 8 */
		       "    sys.path.insert(0, str(Path('/x').resolve()))\n"          /* 9 */
		       "import user_modules.sorting\n"                                /* 10 */
		       "\n"                                                           /* 11 */
		       "x = 1\n"                                                      /* 12 */
		       "import later\n");                                             /* 13 */
	put("util.ml", "// util\nx = 1;\n");
	m = mlmap__new(getpid());
	mod = mlmap__module(m, path_in("util.py"), 1, &off);
	cr_assert_not_null(mod);
	for (int32_t l = 1; l <= 10; l++)
		cr_assert_eq(mlmap_mod_in_preamble(mod, l), 1, "line %d", l);
	cr_assert_eq(mlmap_mod_in_preamble(mod, 11), 0);
	cr_assert_eq(mlmap_mod_in_preamble(mod, 12), 0);
	cr_assert_eq(mlmap_mod_in_preamble(mod, 13), 0);
	cr_assert_eq(mlmap_mod_line(mod, 12), 2);
	mlmap__free(m);

	/* No generated docstring first: no preamble, whatever follows. */
	put("util.py", "\nimport os\nfrom mlpy.runtime import x\ndef f():\n    pass\n");
	m = mlmap__new(getpid());
	mod = mlmap__module(m, path_in("util.py"), 1, &off);
	cr_assert_not_null(mod);
	for (int32_t l = 1; l <= 5; l++)
		cr_assert_eq(mlmap_mod_in_preamble(mod, l), 0, "line %d", l);
	mlmap__free(m);
}
