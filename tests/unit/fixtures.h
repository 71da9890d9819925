/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* Shared test data: a synthetic snapshot, file and interpreter helpers. */
#ifndef MLPROF_TEST_FIXTURES_H
#define MLPROF_TEST_FIXTURES_H

#include <stddef.h>
#include <stdint.h>
#include "snapshot.h"

/* Function indices of fixture_snap(). */
enum { FX_MAIN, FX_PARSE, FX_EVAL, FX_STARTUP, FX_NFUNCS };

/* A snapshot of two processes (pid 1000 running, its child 1001 exited at
 * 3 s), four functions and three stacks, 2,000 samples at 100 Hz:
 *   proc 0: 1,234 x eval <- parse <- main;  166 x parse <- main
 *   proc 1:   600 x <startup> (pseudo)
 * Free with snap_free(). */
void fixture_snap(struct snap *s);
/* Adds a stack (frames innermost first, lines 0). */
void fixture_add_stack(struct snap *s, uint32_t proc, uint64_t samples, size_t n,
		       const uint32_t *funcs);

/* The whole file, malloc'd, or NULL. */
uint8_t *fixture_read_file(const char *path, size_t *len);
/* $PYENV_ROOT (or ~/.pyenv) joined with rel, in a static buffer. */
const char *fixture_pyenv(const char *rel);
/* Writes len bytes to a new temporary file; returns its path (static). */
const char *fixture_tmpfile(const void *data, size_t len);

#endif
