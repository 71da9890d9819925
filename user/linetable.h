/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* CPython 3.11+ location tables (co_linetable): code unit -> source line. */
#ifndef MLPROF_LINETABLE_H
#define MLPROF_LINETABLE_H

#include <stddef.h>
#include <stdint.h>

struct linetable_range {
	uint32_t start; /* first code unit of the range */
	int32_t line;   /* -1: no line */
};

struct linetable {
	struct linetable_range *ranges;
	size_t n;
	uint32_t end;   /* code units covered by the table */
	int32_t firstlineno;
};

/* Decodes tab into *map (ranges of equal lines merged). Any input is safe:
 * a malformed table decodes as far as it makes sense. 0 or -ENOMEM. */
int linetable_build(struct linetable *map, const uint8_t *tab, size_t len, int32_t firstlineno);
/* The line of code unit `unit` (lasti); -1 before the first instruction
 * gives the first line; outside the table or in a no-line range gives -1. */
int32_t linetable_line(const struct linetable *map, int64_t unit);
void linetable_free(struct linetable *map);

#endif
