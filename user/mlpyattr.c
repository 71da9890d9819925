// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* mlpy attribution (see mlpyattr.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "classify.h"
#include "cmdline.h"
#include "mlmap.h"
#include "mlpyattr.h"
#include "procmaps.h"
#include "store.h"
#include "symtab.h"

/* CLOCK_REALTIME ns of a CLOCK_MONOTONIC time stamp (0 stays 0). */
static int64_t real_time_of(uint64_t mono_ns)
{
	struct timespec r, m;
	int64_t now_r, now_m;

	if (!mono_ns || clock_gettime(CLOCK_REALTIME, &r) || clock_gettime(CLOCK_MONOTONIC, &m))
		return 0;
	now_r = (int64_t)r.tv_sec * 1000000000 + r.tv_nsec;
	now_m = (int64_t)m.tv_sec * 1000000000 + m.tv_nsec;
	return now_r - (now_m - (int64_t)mono_ns);
}

static char *join_path(const char *dir, const char *path)
{
	char *out;

	if (path[0] == '/' || !dir)
		return strdup(path);
	if (asprintf(&out, "%s/%s", dir, path) < 0)
		return NULL;
	return out;
}

int mlpyattr_is_cli(const struct cmdline *cl)
{
	const char *target;
	int is_module, next;

	if (!cmdline_is_python(cl))
		return 0;
	target = cmdline_python_target(cl, &is_module, &next);
	if (!target)
		return 0;
	if (is_module)
		return !strcmp(target, "mlpy");
	return !strcmp(procmaps_basename(target), "mlpy");
}

/* The first argument after the mlpy entry that ends in .ml, resolved
 * against the process's cwd. */
char *mlpyattr_program(const struct cmdline *cl, const char *cwd)
{
	int is_module, next, i;
	size_t n;

	if (!cmdline_python_target(cl, &is_module, &next))
		return NULL;
	for (i = next; i < cl->argc; i++) {
		n = strlen(cl->argv[i]);
		if (n > 3 && !strcmp(cl->argv[i] + n - 3, ".ml"))
			return join_path(cwd, cl->argv[i]);
	}
	return NULL;
}

const char *mlpyattr_sandbox_script(const struct cmdline *cl)
{
	int is_module, next;
	const char *t = cmdline_python_target(cl, &is_module, &next), *dir;

	if (!t || is_module || strcmp(procmaps_basename(t), "sandbox_execution.py"))
		return NULL;
	dir = strstr(t, "/mlpy_sandbox_");
	return dir && strchr(dir + 1, '/') == strrchr(t, '/') ? t : NULL;
}

void mlpyattr__describe(struct store *st, struct tfguard *g, struct proc_rec *p,
			const struct cmdline *cl)
{
	const struct proc_rec *a;
	const char *script;
	char *path;

	if (mlpyattr_is_cli(cl)) {
		p->mlpy = MLPY_CLI;
		p->in_mlpy = 1;
		free(p->ml_file);
		p->ml_file = mlpyattr_program(cl, p->cwd);
	}
	if (!p->in_mlpy)
		return;
	mlmap__free(p->ml);
	p->ml = mlmap__new(p->pid);
	p->ml_free = mlmap__free;
	mlmap__set_guard(p->ml, g);
	script = mlpyattr_sandbox_script(cl);
	if (!p->ml || !script)
		return;
	p->mlpy = MLPY_SANDBOX;
	/* The program comes from the nearest mlpy CLI up the tree. */
	for (a = p; a && !a->ml_file; a = store__proc_by_id(st, a->parent_id))
		;
	if (a && a->ml_file && !p->ml_file)
		p->ml_file = strdup(a->ml_file);
	path = join_path(p->cwd, script);
	if (path)
		mlmap__set_sandbox(p->ml, path, p->ml_file, a ? real_time_of(a->start_ns) : 0);
	free(path);
	snprintf(p->ml_note, sizeof(p->ml_note), "%s", mlmap__note(p->ml));
	p->ml_lines = mlmap__lines_from(p->ml);
}

void mlpyattr__fork(struct tfguard *g, struct proc_rec *p, const struct proc_rec *parent)
{
	p->in_mlpy = parent->in_mlpy;
	p->ml = parent->in_mlpy ? mlmap__new(p->pid) : NULL;
	p->ml_free = mlmap__free;
	mlmap__set_guard(p->ml, g);
}

uint32_t mlpyattr__intern(struct store *st, struct proc_rec *p, const char *file,
			  const char *name, int32_t firstlineno, struct ml_code *ml)
{
	int is_main, sandbox;
	uint32_t func = UINT32_MAX;

	ml->offset = 0;
	ml->preamble = UINT32_MAX;
	ml->tmpl = UINT32_MAX;
	ml->mod = p->ml ? mlmap__module(p->ml, file, firstlineno, &ml->offset) : NULL;
	/* A read that went wrong while looking (e.g. it stalled) says so in
	 * the process's note, not only the sandbox script's. */
	if (p->ml && !p->ml_note[0] && mlmap__note(p->ml)[0])
		snprintf(p->ml_note, sizeof(p->ml_note), "%s", mlmap__note(p->ml));
	sandbox = ml->mod && mlmap__is_sandbox(p->ml, file);
	is_main = (sandbox && !strcmp(name, "main")) || !strcmp(name, "<module>");
	/* The sandbox script's own <module> (it calls main()) is template, and
	 * so is a function of the template itself (defined before the paste). */
	if (sandbox && (!strcmp(name, "<module>") || (!is_main && firstlineno - ml->offset < 1)))
		ml->mod = NULL;
	if (!ml->mod) {
		/* not ML code */
	} else if (is_main) {
		/* main() runs the program's top-level statements; <module> an ML
		 * module's. */
		func = store__func(st, mlmap_mod_path(ml->mod), "<top level>", "<top level>", 0,
				   FUNC_ML, file, firstlineno);
		ml->preamble = store__func(st, file, CLASSIFY_MLPY_PREAMBLE, CLASSIFY_MLPY_PREAMBLE,
					   ml->offset + 1, FUNC_PYTHON, NULL, 0);
		if (sandbox)
			ml->tmpl = store__func(st, file, name, name, firstlineno, FUNC_PYTHON,
					       NULL, 0);
	} else {
		func = store__func(st, mlmap_mod_path(ml->mod), name, name,
				   mlmap_mod_def_line(ml->mod, name, firstlineno - ml->offset),
				   FUNC_ML, file, firstlineno);
	}
	return func;
}

void mlpyattr__frame_line(const struct code_info *ci, struct frame_ref *f,
			  struct snap_stats *stats)
{
	int32_t py_line = f->line - ci->ml_offset, line = mlmap_mod_line(ci->ml, py_line);
	int in_code = mlmap_mod_in_code(ci->ml, py_line);

	if (line < 0 && in_code && ci->ml_preamble != UINT32_MAX &&
	    mlmap_mod_in_preamble(ci->ml, py_line)) {
		f->func = ci->ml_preamble; /* f->line stays the file's */
	} else if (!in_code && ci->ml_template != UINT32_MAX) {
		f->func = ci->ml_template;
	} else {
		f->line = line;
		/* Unknown ML lines of the program are counted; the sandbox
		 * template's lines are not the program's. */
		stats->ml_lines_unmapped += line < 0 && in_code;
	}
}
