/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* What mlpy support adds to the generic collector, in one place: which
 * images belong to an mlpy run (the CLI and its sandbox child), the .ml
 * program they run, and naming their code objects and lines by .ml file
 * and line (through mlmap.c). Everything else in the collector is about
 * CPython processes in general. */
#ifndef MLPROF_MLPYATTR_H
#define MLPROF_MLPYATTR_H

#include <stdint.h>

struct cmdline;
struct code_info;
struct frame_ref;
struct mlmod;
struct proc_rec;
struct snap_stats;
struct store;
struct tfguard;

/* An image's command line is known (exec, or found running): marks an
 * mlpy CLI (its .ml program resolved against p->cwd) and sets up ML
 * attribution for every image of an mlpy run; a sandbox child also gets
 * its script read and the program of the nearest mlpy CLI up the tree.
 * g: users whose files stalled a read (tfguard.h), or NULL. */
void mlpyattr__describe(struct store *st, struct tfguard *g, struct proc_rec *p,
			const struct cmdline *cl);
/* A fork of an mlpy run's image: same run, its own (empty) map. */
void mlpyattr__fork(struct tfguard *g, struct proc_rec *p, const struct proc_rec *parent);
/* How the frames of a code object of ML code are named. */
struct ml_code {
	const struct mlmod *mod; /* NULL: not ML code */
	int32_t offset;          /* code line - offset = .py line */
	/* Top-level code only (else UINT32_MAX): a frame on a line of the
	 * transpiler's preamble that maps to no .ml line is mlpy's own
	 * start-up, the Python function CLASSIFY_MLPY_PREAMBLE of the code's
	 * file; one on a line of the sandbox template around the pasted
	 * program (main()'s `try:`, the result it prints) is the template's
	 * main(). */
	uint32_t preamble;
	uint32_t tmpl;
};

/* Interns a code object of an mlpy run as ML code if it is one; returns
 * the function id (*ml set for its frames), or UINT32_MAX if it is not ML
 * code (ml->mod NULL). */
uint32_t mlpyattr__intern(struct store *st, struct proc_rec *p, const char *file,
			  const char *name, int32_t firstlineno, struct ml_code *ml);
/* A sampled frame of ML code: its line (of the generated Python) becomes
 * the .ml line; an unknown line of the program is counted in
 * stats->ml_lines_unmapped; a line outside the program moves the frame to
 * the function named in struct ml_code, with its own line. */
void mlpyattr__frame_line(const struct code_info *ci, struct frame_ref *f,
			  struct snap_stats *stats);

/* 1 if this is a Python command line that runs the mlpy CLI (`-m mlpy`
 * or a script whose basename is `mlpy`), else 0. */
int mlpyattr_is_cli(const struct cmdline *cl);
/* The .ml program of `mlpy run prog.ml` (malloc'd), or NULL. */
char *mlpyattr_program(const struct cmdline *cl, const char *cwd);
/* The script of an mlpy sandbox child (python .../mlpy_sandbox_* /
 * sandbox_execution.py), pointing into cl, or NULL. */
const char *mlpyattr_sandbox_script(const struct cmdline *cl);

#endif
