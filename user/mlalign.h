/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* ML lines without a source map: aligns the Python mlpy generated with the
 * .ml source. mlpy emits a function's statements in source order, so each
 * generated line is matched, in order, to the next .ml line whose words
 * (identifiers and numbers, keywords and string contents left out) it
 * holds. A line no .ml line fits stays unmapped (-1): never a guess. Both
 * texts are the target's, so the work is capped. */
#ifndef MLPROF_MLALIGN_H
#define MLPROF_MLALIGN_H

#include <stddef.h>
#include <stdint.h>

/* How far past the last matched .ml line a match is looked for. */
#define MLALIGN_WINDOW 64
/* Word comparisons before the rest of the lines are left unknown (about
 * 0.1 s: a normal program takes well under 1% of it). */
#define MLALIGN_WORK_MAX (200ull * 1000 * 1000)
/* Lines of either text beyond this are not aligned (left unmapped). */
#define MLALIGN_MAX_LINES 100000

struct mlalign {
	int32_t *ml_line; /* per generated line (index line - 1), -1 unmapped */
	size_t n;
	size_t mapped;    /* generated lines with words that found a .ml line */
	size_t unmapped;  /* generated lines with words that found none */
	int gave_up;      /* MLALIGN_WORK_MAX reached */
};

/* Aligns generated lines from_line.. (1-based; earlier lines, e.g. a
 * template, stay unmapped) of py with ml. 0 or -ENOMEM; on failure *a is
 * empty (every line unmapped). */
int mlalign_build(struct mlalign *a, const char *py, size_t pylen, int32_t from_line,
		  const char *ml, size_t mllen);
/* The .ml line of generated line py_line, -1 unknown. */
int32_t mlalign_line(const struct mlalign *a, int32_t py_line);
void mlalign_free(struct mlalign *a);
/* Generated lines (1-based, counted from line from_line of py) that make
 * the transpiler's preamble (mlpy's python_generator: the line starting
 * with mark, its docstring, then comments, imports and, in
 * separate-module mode, `if str(Path(...)) not in sys.path:` with its
 * `sys.path.insert(...)`): up to the last such line before the first
 * other statement. 0 when the text there does not start with mark. */
int32_t mlalign_preamble(const char *py, size_t len, int32_t from_line, const char *mark);

#endif
