/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* Maps Python code of an mlpy run back to .ml files and lines: the program
 * pasted into the sandbox script, and ML modules transpiled to sibling .py
 * files. Read while the process lives (the sandbox dir is deleted at exit);
 * files are opened through /proc/PID/root, as the process sees them. */
#ifndef MLPROF_MLMAP_H
#define MLPROF_MLMAP_H

#include <stddef.h>
#include <stdint.h>

struct mlmod;  /* one transpiled ML module */
struct mlmap;  /* what one process image runs */

struct tfguard;

struct mlmap *mlmap__new(int pid);
void mlmap__free(struct mlmap *m);
/* Users whose files stalled a read (tfguard.h), shared by every map of
 * the daemon: their files are not read for a while. NULL: none kept. */
void mlmap__set_guard(struct mlmap *m, struct tfguard *g);
/* Registers the sandbox script (as the process names it) into which the
 * ML program ml_path was pasted. Reads the script now. 0 or -errno;
 * problems reading the .ml or its .py.map are kept as a note. An .ml
 * modified after run_start_ns (CLOCK_REALTIME ns; 0: not checked), when
 * the mlpy run began, is not the source of the running code: its lines
 * stay unknown, with a note. */
int mlmap__set_sandbox(struct mlmap *m, const char *script, const char *ml_path,
			int64_t run_start_ns);
/* The ML module a code object's file belongs to, or NULL if it is not ML
 * code: the sandbox script (only lines inside the pasted program), or a
 * .py with a sibling .ml. *offset receives what to subtract from a line of
 * that file to get the .py line. */
const struct mlmod *mlmap__module(struct mlmap *m, const char *file, int32_t firstlineno,
				  int32_t *offset);
/* 1 if file is this image's sandbox script. */
int mlmap__is_sandbox(const struct mlmap *m, const char *file);
/* What went wrong reading ML files, "" if nothing. */
const char *mlmap__note(const struct mlmap *m);
/* Where the ML lines of the sandboxed program come from: "source map",
 * "generated Python" (aligned with the .ml), "definitions" (function
 * level only), "none" (the .ml changed after the run began), or "" with
 * no program. A static string. */
const char *mlmap__lines_from(const struct mlmap *m);

const char *mlmap_mod_path(const struct mlmod *mod);
/* ML line of a .py line (-1 unknown): the source map when there is one. */
int32_t mlmap_mod_line(const struct mlmod *mod, int32_t py_line);
/* 1 if py_line is a line of the generated program (not a template's). */
int mlmap_mod_in_code(const struct mlmod *mod, int32_t py_line);
/* 1 if py_line is in the transpiler's preamble: the generated lines from
 * its docstring to the program's first statement (comments, imports of
 * mlpy's runtime and of what the program imports, the user-module path
 * set-up). Work there is mlpy starting its runtime in the process, not a
 * statement of the program, unless a line maps to the .ml (an ML
 * `import`). */
int mlmap_mod_in_preamble(const struct mlmod *mod, int32_t py_line);
/* ML line where function `name` is defined (py_line is its def line):
 * the source map, else the `function NAME(` line of the .ml, else -1. */
int32_t mlmap_mod_def_line(const struct mlmod *mod, const char *name, int32_t py_line);

#endif
