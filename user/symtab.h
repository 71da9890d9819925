/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* Per-process code object table: address -> function and line table. */
#ifndef MLPROF_SYMTAB_H
#define MLPROF_SYMTAB_H

#include <stdint.h>
#include "linetable.h"

struct mlmod;

struct code_info {
	uint64_t addr;
	uint32_t func;
	struct linetable lines;
	const struct mlmod *ml; /* ML code: lines are mapped to the .ml */
	int32_t ml_offset;      /* code line - offset = .py line */
	/* ML top-level code: the functions its lines outside the program are
	 * charged to (mlpyattr.h), UINT32_MAX none. */
	uint32_t ml_preamble;
	uint32_t ml_template;
};

struct symtab;

struct symtab *symtab__new(void);
void symtab__free(struct symtab *st);
/* Adds or replaces the code object at addr (an address can be reused by a
 * new code object). Returns the entry, or NULL on ENOMEM. */
struct code_info *symtab__add(struct symtab *st, uint64_t addr, uint32_t func,
			      const uint8_t *linetable, size_t len, int32_t firstlineno);
const struct code_info *symtab__find(const struct symtab *st, uint64_t addr);
size_t symtab__size(const struct symtab *st);
/* Calls fn on every code object (the table must not change meanwhile). */
void symtab__for_each(const struct symtab *st, void (*fn)(const struct code_info *ci, void *ctx),
		      void *ctx);

#endif
