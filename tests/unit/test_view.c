// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* view: the derived numbers of the ML and developer reports, on a synthetic
 * snapshot of one `mlpy run /w/prog.ml` whose numbers are worked out by hand
 * in the table below. mlrun_snap() is shared with test_report_ml.c and
 * test_report_dev.c (which declare it). */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>
#include "classify.h"
#include "view.h"

void mlrun_snap(struct snap *s);

/* Function indices of mlrun_snap(). */
enum {
	MR_SBMAIN,  /* main() of the sandbox script: Sandbox Startup, never owns */
	MR_FIB,     /* ML fib, prog.ml:3, recursive */
	MR_PROCESS, /* ML process, prog.ml:10, calls re, safe_call, sqrt, helper */
	MR_HELPER,  /* ML helper, util.ml:2 (imported module, /w/util.py) */
	MR_SAFE,    /* safe_call: Runtime Overhead */
	MR_BRIDGE,  /* MathBridge.sqrt: ML stdlib */
	MR_PARSE,   /* MLParser.parse: Parsing */
	MR_TRANSFORM, /* MLTransformer.transform: Parsing */
	MR_CODEGEN, /* PythonCodeGenerator.visit_function: Transpilation */
	MR_RE,      /* re._parser._parse: Python Stdlib */
	MR_SANDBOX, /* MLSandbox.execute: Sandbox Startup */
	MR_CLI,     /* mlpy/cli/app.py run: mlpy CLI/other */
	MR_STARTUP, /* <interpreter start-up>: Interpreter */
	MR_NFUNCS
};

#define SB "/tmp/mlpy_sandbox_ab12/sandbox_execution.py"

static const struct {
	const char *name, *qualname, *file;
	int32_t line;
	uint8_t kind;
	const char *py_file;
	int32_t py_line;
} mr_funcs[MR_NFUNCS] = {
	[MR_SBMAIN] = { "main", "main", SB, 30, FUNC_PYTHON, "", 0 },
	[MR_FIB] = { "fib", "main.<locals>.fib", "/w/prog.ml", 3, FUNC_ML, SB, 52 },
	[MR_PROCESS] = { "process", "main.<locals>.process", "/w/prog.ml", 10, FUNC_ML, SB, 60 },
	[MR_HELPER] = { "helper", "helper", "/w/util.ml", 2, FUNC_ML, "/w/util.py", 5 },
	[MR_SAFE] = { "safe_call", "safe_call", "/opt/mlpy/runtime/whitelist_validator.py", 40,
		      FUNC_PYTHON, "", 0 },
	[MR_BRIDGE] = { "sqrt", "MathBridge.sqrt", "/opt/mlpy/stdlib/math_bridge.py", 25,
			FUNC_PYTHON, "", 0 },
	[MR_PARSE] = { "parse", "MLParser.parse", "/opt/mlpy/ml/grammar/parser.py", 88,
		       FUNC_PYTHON, "", 0 },
	[MR_TRANSFORM] = { "transform", "MLTransformer.transform",
			   "/opt/mlpy/ml/grammar/transformer.py", 40, FUNC_PYTHON, "", 0 },
	[MR_CODEGEN] = { "visit_function", "PythonCodeGenerator.visit_function",
			 "/opt/mlpy/ml/codegen/python_generator.py", 210, FUNC_PYTHON, "", 0 },
	[MR_RE] = { "_parse", "_parse", "/usr/lib/python3.11/re/_parser.py", 512, FUNC_PYTHON,
		    "", 0 },
	[MR_SANDBOX] = { "execute", "MLSandbox.execute", "/opt/mlpy/runtime/sandbox/sandbox.py",
			 150, FUNC_PYTHON, "", 0 },
	[MR_CLI] = { "run", "run", "/opt/mlpy/cli/app.py", 70, FUNC_PYTHON, "", 0 },
	[MR_STARTUP] = { "<interpreter start-up>", "<interpreter start-up>", "~", 0, FUNC_PSEUDO,
			 "", 0 },
};

/* Stacks, innermost first, {function, line}; 1 sample = 1 ms at 1000 Hz.
 * Owner = innermost frame not Python stdlib/interpreter/unclassified.
 *
 *  #  proc   n   frames                              owner -> category
 *  0  cli    50  <start-up>                          Interpreter
 *  1  cli   300  re._parse < parse < run             parse -> Parsing
 *  2  cli   100  transform < parse < run             transform -> Parsing
 *  3  cli   100  visit_function < run                Transpilation
 *  4  cli    50  run                                 mlpy CLI/other
 *  5  fork   50  execute                             Sandbox Startup
 *  6  child  50  <start-up>                          Interpreter
 *  7  child  50  re._parse                           Python Stdlib
 *  8  child 300  fib:4 < fib:5 < fib:5 < main        fib, ML (own, line 4)
 *  9  child 100  fib:5 < main                        fib, ML (own, line 5)
 * 10  child 200  re._parse < process:12 < main       process, ML (in stdlib)
 * 11  child 100  process:11 < main                   process, ML (own)
 * 12  child 150  safe_call < process:13 < main       Runtime Overhead
 * 13  child 100  sqrt < process:14 < main            ML stdlib
 * 14  child 200  helper:3 < process:15 < main        helper, ML (own)
 * 15  child 100  fib:4 < helper:4 < process:15 < main  fib, ML (own, line 4)
 *
 * Categories (of 2,000): Parsing 400 (parse 300, transform 100), Security 0, Transpilation 100,
 * Sandbox 50, Runtime 150, ML code 1,000, ML stdlib 100, mlpy other 50,
 * Python stdlib 50, Interpreter 100, Unclassified 0. mlpy overhead = 400 +
 * 100 + 50 + 150 + 50 = 750; other = 100 + 50 + 100 = 250.
 * ML functions: fib 500 (own 500, total 500: #8 counted once, hot line 4
 * with 300 + 100 = 400), process 300 (own 100, stdlib 200, runtime 150,
 * bridges 100, total 850 = #10..#15, hot line 12 with 200), helper 200 (own
 * 200, total 300 = #14 + #15, hot line 3). Files: prog.ml 800 (2
 * functions), util.ml 200 (1).
 * Self (innermost) samples: fib 500, re._parse 300 + 50 + 200 = 550,
 * helper 200, safe_call 150, then 100 each: process (total 850), and
 * start-up, transform, sqrt, visit_function (total 100, by qualname), then
 * run 50 (total 550), execute 50; main (total 1,250) and parse (400) are
 * never innermost.
 * Run: cli 1.0 s .. 3.5 s (root), fork 1.2 s .. 1.21 s (exec'd), sandbox
 * child 1.21 s .. 3.0 s: wall 2.5 s; peak RSS 51,200 kB = 50.0 MB. */
static const struct {
	uint32_t proc;
	uint64_t samples;
	uint32_t n;
	struct snap_frame f[4];
} mr_stacks[] = {
	{ 0, 50, 1, { { MR_STARTUP, -1 } } },
	{ 0, 300, 3, { { MR_RE, 530 }, { MR_PARSE, 95 }, { MR_CLI, 75 } } },
	{ 0, 100, 3, { { MR_TRANSFORM, 44 }, { MR_PARSE, 91 }, { MR_CLI, 75 } } },
	{ 0, 100, 2, { { MR_CODEGEN, 220 }, { MR_CLI, 76 } } },
	{ 0, 50, 1, { { MR_CLI, 72 } } },
	{ 1, 50, 1, { { MR_SANDBOX, 160 } } },
	{ 2, 50, 1, { { MR_STARTUP, -1 } } },
	{ 2, 50, 1, { { MR_RE, 520 } } },
	{ 2, 300, 4, { { MR_FIB, 4 }, { MR_FIB, 5 }, { MR_FIB, 5 }, { MR_SBMAIN, 80 } } },
	{ 2, 100, 2, { { MR_FIB, 5 }, { MR_SBMAIN, 80 } } },
	{ 2, 200, 3, { { MR_RE, 530 }, { MR_PROCESS, 12 }, { MR_SBMAIN, 81 } } },
	{ 2, 100, 2, { { MR_PROCESS, 11 }, { MR_SBMAIN, 81 } } },
	{ 2, 150, 3, { { MR_SAFE, 45 }, { MR_PROCESS, 13 }, { MR_SBMAIN, 81 } } },
	{ 2, 100, 3, { { MR_BRIDGE, 30 }, { MR_PROCESS, 14 }, { MR_SBMAIN, 81 } } },
	{ 2, 200, 3, { { MR_HELPER, 3 }, { MR_PROCESS, 15 }, { MR_SBMAIN, 81 } } },
	{ 2, 100, 4, { { MR_FIB, 4 }, { MR_HELPER, 4 }, { MR_PROCESS, 15 }, { MR_SBMAIN, 81 } } },
};

#define MR_NSTACKS (sizeof(mr_stacks) / sizeof(mr_stacks[0]))

static void mr_proc(struct snap *s, int32_t pid, int32_t ppid, int32_t parent, uint32_t exec_seq,
		    const char *cmdline, int32_t mlpy, uint64_t start_ns, uint64_t end_ns,
		    int32_t ended, uint64_t rss_kb, uint64_t samples)
{
	struct snap_proc *p = &s->procs[s->nprocs];

	p->id = (uint32_t)s->nprocs++;
	p->pid = pid;
	p->ppid = ppid;
	p->ns_pid = pid;
	p->parent = parent;
	p->root = 0;
	p->exec_seq = exec_seq;
	p->comm = strdup(mlpy == 2 ? "python3" : "mlpy");
	p->cmdline = strdup(cmdline);
	p->exe = strdup("/usr/bin/python3.11");
	p->python = strdup("3.11.2");
	p->status = strdup("profiled");
	p->message = strdup("");
	p->mlpy = mlpy;
	p->ml_file = strdup("/w/prog.ml");
	p->ml_note = strdup("");
	p->ml_lines = strdup(mlpy == 2 ? "generated Python" : "");
	p->container = strdup("");
	p->start_ns = start_ns;
	p->end_ns = end_ns;
	p->ended = ended;
	p->exit_code = 0;
	p->maxrss_kb = rss_kb;
	p->peak_heap_kb = rss_kb / 2;
	p->samples = samples;
}

void mlrun_snap(struct snap *s)
{
	size_t i;

	memset(s, 0, sizeof(*s));
	s->freq_hz = 1000;
	s->host = strdup("testhost");
	s->start_ns = 500000000ULL;
	s->now_ns = 10000000000ULL;
	s->mono_to_real_ns = 1700000000000000000LL;
	s->stats.samples = 2000;
	s->funcs = calloc(MR_NFUNCS, sizeof(*s->funcs));
	for (i = 0; i < MR_NFUNCS; i++) {
		struct snap_func *f = &s->funcs[s->nfuncs++];

		f->name = strdup(mr_funcs[i].name);
		f->qualname = strdup(mr_funcs[i].qualname);
		f->file = strdup(mr_funcs[i].file);
		f->line = mr_funcs[i].line;
		f->kind = mr_funcs[i].kind;
		f->py_file = strdup(mr_funcs[i].py_file);
		f->py_line = mr_funcs[i].py_line;
	}
	s->procs = calloc(3, sizeof(*s->procs));
	mr_proc(s, 2000, 1500, -1, 0, "/usr/bin/python3 /usr/local/bin/mlpy run /w/prog.ml", 1,
		1000000000ULL, 3500000000ULL, 1, 51200, 600);
	mr_proc(s, 2001, 2000, 0, 0, "/usr/bin/python3 /usr/local/bin/mlpy run /w/prog.ml", 1,
		1200000000ULL, 1210000000ULL, 2, 0, 50);
	mr_proc(s, 2001, 2000, 1, 1, "/usr/bin/python3 " SB, 2, 1210000000ULL, 3000000000ULL, 1,
		30720, 1350);
	s->stacks = calloc(MR_NSTACKS, sizeof(*s->stacks));
	for (i = 0; i < MR_NSTACKS; i++) {
		struct snap_stack *st = &s->stacks[s->nstacks++];

		st->proc = mr_stacks[i].proc;
		st->samples = mr_stacks[i].samples;
		st->nframes = mr_stacks[i].n;
		st->frames = calloc(mr_stacks[i].n, sizeof(*st->frames));
		memcpy(st->frames, mr_stacks[i].f, mr_stacks[i].n * sizeof(*st->frames));
	}
}

static const struct ml_func *ml_of(const struct view *v, uint32_t func)
{
	size_t i;

	for (i = 0; i < v->nml; i++) {
		if (v->ml[i].func == func)
			return &v->ml[i];
	}
	cr_assert_fail("function %u is not in view.ml", func);
	return NULL;
}

static const struct func_stat *stat_of(const struct view *v, uint32_t func)
{
	size_t i;

	for (i = 0; i < v->nfuncs; i++) {
		if (v->funcs[i].func == func)
			return &v->funcs[i];
	}
	cr_assert_fail("function %u is not in view.funcs", func);
	return NULL;
}

Test(view, categories_add_up)
{
	static const uint64_t want[CAT_NR] = {
		[CAT_PARSING] = 400,	 [CAT_SECURITY] = 0,	  [CAT_TRANSPILATION] = 100,
		[CAT_SANDBOX] = 50,	 [CAT_RUNTIME_OVERHEAD] = 150, [CAT_ML_CODE] = 1000,
		[CAT_ML_STDLIB] = 100,	 [CAT_MLPY_OTHER] = 50,	  [CAT_PY_STDLIB] = 50,
		[CAT_INTERPRETER] = 100, [CAT_UNCLASSIFIED] = 0,
	};
	struct snap s;
	struct view v;
	uint64_t sum = 0;
	int c;

	mlrun_snap(&s);
	cr_assert_eq(view_build(&s, &v), 0);
	cr_assert_eq(v.total, 2000);
	cr_assert_eq(v.total, snap_total_samples(&s));
	for (c = 0; c < CAT_NR; c++) {
		cr_assert_eq(v.cat[c], want[c], "%s: %lu, want %lu", classify_name(c),
			     (unsigned long)v.cat[c], (unsigned long)want[c]);
		sum += v.cat[c];
	}
	cr_assert_eq(sum, v.total);
	cr_assert_eq(view_overhead(&v), 750);
	cr_assert_float_eq(view_secs(&v, v.total), 2.0, 1e-12);
	cr_assert_float_eq(view_pct(v.cat[CAT_ML_CODE], v.total), 50.0, 1e-12);
	cr_assert_float_eq(view_pct(1, 0), 0.0, 1e-12);
	/* Each function's own category. */
	cr_assert_eq(v.func_cat[MR_SBMAIN], CAT_SANDBOX);
	cr_assert_eq(v.func_cat[MR_FIB], CAT_ML_CODE);
	cr_assert_eq(v.func_cat[MR_HELPER], CAT_ML_CODE);
	cr_assert_eq(v.func_cat[MR_SAFE], CAT_RUNTIME_OVERHEAD);
	cr_assert_eq(v.func_cat[MR_BRIDGE], CAT_ML_STDLIB);
	cr_assert_eq(v.func_cat[MR_PARSE], CAT_PARSING);
	cr_assert_eq(v.func_cat[MR_TRANSFORM], CAT_PARSING);
	cr_assert_eq(v.func_cat[MR_CODEGEN], CAT_TRANSPILATION);
	cr_assert_eq(v.func_cat[MR_RE], CAT_PY_STDLIB);
	cr_assert_eq(v.func_cat[MR_SANDBOX], CAT_SANDBOX);
	cr_assert_eq(v.func_cat[MR_CLI], CAT_MLPY_OTHER);
	cr_assert_eq(v.func_cat[MR_STARTUP], CAT_INTERPRETER);
	view_free(&v);
	snap_free(&s);
}

Test(view, ml_functions)
{
	const struct ml_func *m;
	struct snap s;
	struct view v;

	mlrun_snap(&s);
	cr_assert_eq(view_build(&s, &v), 0);
	/* Only functions owning ML time, by samples. */
	cr_assert_eq(v.nml, 3);
	cr_assert_eq(v.ml[0].func, MR_FIB);
	cr_assert_eq(v.ml[1].func, MR_PROCESS);
	cr_assert_eq(v.ml[2].func, MR_HELPER);

	m = ml_of(&v, MR_FIB);
	cr_assert_eq(m->samples, 500);
	cr_assert_eq(m->own, 500);
	cr_assert_eq(m->in_stdlib, 0);
	cr_assert_eq(m->in_bridges, 0);
	cr_assert_eq(m->in_runtime, 0);
	cr_assert_eq(m->total, 500, "recursion counted once: %lu", (unsigned long)m->total);
	cr_assert_eq(m->hot_line, 4);
	cr_assert_eq(m->hot_line_samples, 400);

	m = ml_of(&v, MR_PROCESS);
	cr_assert_eq(m->samples, 300);
	cr_assert_eq(m->own, 100);
	cr_assert_eq(m->in_stdlib, 200);
	cr_assert_eq(m->in_bridges, 100);
	cr_assert_eq(m->in_runtime, 150);
	cr_assert_eq(m->total, 850);
	cr_assert_eq(m->hot_line, 12);
	cr_assert_eq(m->hot_line_samples, 200);

	m = ml_of(&v, MR_HELPER);
	cr_assert_eq(m->samples, 200);
	cr_assert_eq(m->own, 200);
	cr_assert_eq(m->in_stdlib + m->in_bridges + m->in_runtime, 0);
	cr_assert_eq(m->total, 300);
	cr_assert_eq(m->hot_line, 3);
	cr_assert_eq(m->hot_line_samples, 200);

	/* ML samples of the functions make up the ML category. */
	cr_assert_eq(v.ml[0].samples + v.ml[1].samples + v.ml[2].samples, v.cat[CAT_ML_CODE]);
	view_free(&v);
	snap_free(&s);
}

Test(view, function_stats)
{
	struct snap s;
	struct view v;

	mlrun_snap(&s);
	cr_assert_eq(view_build(&s, &v), 0);
	static const uint32_t order[] = { MR_RE,	  MR_FIB,    MR_HELPER,	 MR_SAFE,
					  MR_PROCESS, MR_STARTUP, MR_TRANSFORM, MR_BRIDGE,
					  MR_CODEGEN, MR_CLI,	  MR_SANDBOX,	 MR_SBMAIN,
					  MR_PARSE };
	static const uint64_t self[] = { 550, 500, 200, 150, 100, 100, 100,
					 100, 100, 50,	50,  0,	  0 };
	size_t i;

	/* By self, then total, then qualname; the recursion is counted once in
	 * fib's total. */
	cr_assert_eq(v.nfuncs, MR_NFUNCS);
	for (i = 0; i < MR_NFUNCS; i++) {
		cr_assert_eq(v.funcs[i].func, order[i], "row %zu: %u", i, v.funcs[i].func);
		cr_assert_eq(v.funcs[i].self, self[i], "row %zu", i);
	}
	cr_assert_eq(stat_of(&v, MR_FIB)->total, 500);
	cr_assert_eq(stat_of(&v, MR_PROCESS)->total, 850);
	cr_assert_eq(stat_of(&v, MR_PARSE)->total, 400);
	cr_assert_eq(stat_of(&v, MR_CLI)->self, 50);
	cr_assert_eq(stat_of(&v, MR_CLI)->total, 550);
	cr_assert_eq(stat_of(&v, MR_SBMAIN)->self, 0);
	cr_assert_eq(stat_of(&v, MR_SBMAIN)->total, 1250);
	view_free(&v);
	snap_free(&s);
}

Test(view, files)
{
	struct snap s;
	struct view v;

	mlrun_snap(&s);
	cr_assert_eq(view_build(&s, &v), 0);
	cr_assert_eq(v.nfiles, 2);
	cr_assert_str_eq(v.files[0].file, "/w/prog.ml");
	cr_assert_eq(v.files[0].samples, 800);
	cr_assert_eq(v.files[0].nfuncs, 2);
	cr_assert_str_eq(v.files[1].file, "/w/util.ml");
	cr_assert_eq(v.files[1].samples, 200);
	cr_assert_eq(v.files[1].nfuncs, 1);
	cr_assert_eq(v.files[0].samples + v.files[1].samples, v.cat[CAT_ML_CODE]);
	view_free(&v);
	snap_free(&s);
}

Test(view, runs_and_wall)
{
	struct snap s;
	struct view v;

	mlrun_snap(&s);
	cr_assert_eq(view_build(&s, &v), 0);
	cr_assert_eq(v.nruns, 1);
	cr_assert_eq(v.nruns_mlpy, 1);
	cr_assert_float_eq(v.wall_s, 2.5, 1e-9); /* 1.0 s .. 3.5 s */
	cr_assert_eq(v.peak_rss_kb, 51200);
	cr_assert_eq(v.peak_heap_kb, 25600);
	view_free(&v);
	snap_free(&s);
}

Test(view, plain_python_run_wall)
{
	struct snap s;
	struct view v;
	size_t i;

	/* No mlpy process: every run counts, a running one up to now. */
	mlrun_snap(&s);
	for (i = 0; i < s.nprocs; i++)
		s.procs[i].mlpy = 0;
	s.procs[0].ended = 0;
	cr_assert_eq(view_build(&s, &v), 0);
	cr_assert_eq(v.nruns, 1);
	cr_assert_eq(v.nruns_mlpy, 0);
	cr_assert_float_eq(v.wall_s, 9.0, 1e-9); /* 1.0 s .. now 10.0 s */
	view_free(&v);
	snap_free(&s);
}

Test(view, by_category)
{
	struct snap s;
	struct view v;

	mlrun_snap(&s);
	cr_assert_eq(view_build(&s, &v), 0);
	/* parse owns the re._parse it calls; transform is innermost itself. */
	cr_assert_eq(v.nby_cat[CAT_PARSING], 2);
	cr_assert_eq(v.by_cat[CAT_PARSING][0].func, MR_PARSE);
	cr_assert_eq(v.by_cat[CAT_PARSING][0].samples, 300);
	cr_assert_eq(v.by_cat[CAT_PARSING][1].func, MR_TRANSFORM);
	cr_assert_eq(v.by_cat[CAT_PARSING][1].samples, 100);
	cr_assert_eq(v.nby_cat[CAT_SECURITY], 0);
	cr_assert_eq(v.by_cat[CAT_TRANSPILATION][0].func, MR_CODEGEN);
	cr_assert_eq(v.by_cat[CAT_SANDBOX][0].func, MR_SANDBOX);
	cr_assert_eq(v.nby_cat[CAT_SANDBOX], 1);
	cr_assert_eq(v.by_cat[CAT_RUNTIME_OVERHEAD][0].func, MR_SAFE);
	cr_assert_eq(v.by_cat[CAT_RUNTIME_OVERHEAD][0].samples, 150);
	cr_assert_eq(v.by_cat[CAT_ML_STDLIB][0].func, MR_BRIDGE);
	cr_assert_eq(v.by_cat[CAT_MLPY_OTHER][0].func, MR_CLI);
	/* Only the stdlib stack with no owner outside it counts here. */
	cr_assert_eq(v.nby_cat[CAT_PY_STDLIB], 1);
	cr_assert_eq(v.by_cat[CAT_PY_STDLIB][0].func, MR_RE);
	cr_assert_eq(v.by_cat[CAT_PY_STDLIB][0].samples, 50);
	cr_assert_eq(v.by_cat[CAT_INTERPRETER][0].func, MR_STARTUP);
	cr_assert_eq(v.by_cat[CAT_INTERPRETER][0].samples, 100);
	/* ML code is owned by the innermost ML frame. */
	cr_assert_eq(v.nby_cat[CAT_ML_CODE], 3);
	cr_assert_eq(v.by_cat[CAT_ML_CODE][0].func, MR_FIB);
	cr_assert_eq(v.by_cat[CAT_ML_CODE][0].samples, 500);
	cr_assert_eq(v.by_cat[CAT_ML_CODE][1].func, MR_PROCESS);
	cr_assert_eq(v.by_cat[CAT_ML_CODE][1].samples, 300);
	cr_assert_eq(v.by_cat[CAT_ML_CODE][2].func, MR_HELPER);
	view_free(&v);
	snap_free(&s);
}

Test(view, labels)
{
	struct snap s;
	struct view v;
	char buf[128];

	mlrun_snap(&s);
	cr_assert_eq(view_build(&s, &v), 0);
	view_func_label(&v, MR_FIB, buf, sizeof(buf));
	cr_assert_str_eq(buf, "fib (prog.ml:3)");
	view_func_label(&v, MR_HELPER, buf, sizeof(buf));
	cr_assert_str_eq(buf, "helper (util.ml:2)");
	view_func_label(&v, MR_PARSE, buf, sizeof(buf));
	cr_assert_str_eq(buf, "MLParser.parse (parser.py:88)");
	view_func_label(&v, MR_STARTUP, buf, sizeof(buf));
	cr_assert_str_eq(buf, "<interpreter start-up>");
	s.funcs[MR_FIB].line = -1;
	view_func_label(&v, MR_FIB, buf, sizeof(buf));
	cr_assert_str_eq(buf, "fib (prog.ml)");
	view_free(&v);
	snap_free(&s);
}

Test(view, frameless_stack_is_interpreter)
{
	struct snap s;
	struct view v;

	mlrun_snap(&s);
	s.stacks[0].nframes = 0; /* the 50 start-up samples, with no frame at all */
	cr_assert_eq(view_build(&s, &v), 0);
	cr_assert_eq(v.cat[CAT_INTERPRETER], 100);
	cr_assert_eq(v.total, 2000);
	view_free(&v);
	snap_free(&s);
}

Test(view, no_stacks)
{
	struct snap s;
	struct view v;
	size_t i;
	int c;

	/* The run's processes but not one sample. */
	mlrun_snap(&s);
	for (i = 0; i < s.nstacks; i++)
		free(s.stacks[i].frames);
	s.nstacks = 0;
	cr_assert_eq(view_build(&s, &v), 0);
	cr_assert_eq(v.total, 0);
	for (c = 0; c < CAT_NR; c++)
		cr_assert_eq(v.cat[c], 0);
	cr_assert_eq(v.nml, 0);
	cr_assert_eq(v.nfiles, 0);
	cr_assert_eq(v.nfuncs, 0);
	for (c = 0; c < CAT_NR; c++)
		cr_assert_eq(v.nby_cat[c], 0);
	cr_assert_eq(view_overhead(&v), 0);
	cr_assert_eq(v.nruns, 1);
	cr_assert_float_eq(v.wall_s, 2.5, 1e-9);
	view_free(&v);
	snap_free(&s);
}

Test(view, empty_snapshot)
{
	struct snap s = { .freq_hz = 1000 };
	struct view v;
	int c;

	cr_assert_eq(view_build(&s, &v), 0);
	cr_assert_eq(v.total, 0);
	for (c = 0; c < CAT_NR; c++)
		cr_assert_eq(v.cat[c], 0);
	cr_assert_eq(v.nml + v.nfiles + v.nfuncs + v.nruns + v.nruns_mlpy, 0);
	cr_assert_float_eq(v.wall_s, 0.0, 1e-12);
	cr_assert_eq(v.peak_rss_kb, 0);
	cr_assert_eq(v.peak_heap_kb, 0);
	view_free(&v);
	/* No frequency either: seconds are 0, not a division by zero. */
	s.freq_hz = 0;
	cr_assert_eq(view_build(&s, &v), 0);
	cr_assert_float_eq(view_secs(&v, 10), 0.0, 1e-12);
	view_free(&v);
}

/* A caller that ran only through its callees (a main() with no self
 * samples) is listed, with its total: the sandbox's main made an ML
 * function here sits on the 1,250 samples of stacks #8..#15 (300 + 100 +
 * 200 + 100 + 150 + 100 + 200 + 100) and owns none of them. */
Test(view, caller_without_self_samples_listed)
{
	const struct ml_func *m;
	struct snap s;
	struct view v;

	mlrun_snap(&s);
	s.funcs[MR_SBMAIN].kind = FUNC_ML;
	free(s.funcs[MR_SBMAIN].file);
	s.funcs[MR_SBMAIN].file = strdup("/w/prog.ml");
	s.funcs[MR_SBMAIN].line = 20;
	cr_assert_eq(view_build(&s, &v), 0);
	cr_assert_eq(v.nml, 4);
	m = ml_of(&v, MR_SBMAIN);
	cr_assert_eq(m->samples, 0);
	cr_assert_eq(m->total, 1250);
	cr_assert_eq(m->hot_line, -1);
	cr_assert_eq(v.ml[3].func, MR_SBMAIN, "by self: last");
	cr_assert_eq(v.ml_by_total[0]->func, MR_SBMAIN, "by total: first");
	cr_assert_eq(v.ml_by_total[1]->func, MR_PROCESS);
	cr_assert_eq(v.ml_by_total[2]->func, MR_FIB);
	cr_assert_eq(v.ml_by_total[3]->func, MR_HELPER);
	/* Categories do not move: the owner of each sample is unchanged. */
	cr_assert_eq(v.cat[CAT_ML_CODE], 1000);
	cr_assert_eq(v.files[0].nfuncs, 3, "prog.ml: fib, process, main");
	view_free(&v);
	snap_free(&s);
}
