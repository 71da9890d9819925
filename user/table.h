/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* Aligned text tables for reports: "+---+" grids and boxed sections. */
#ifndef MLPROF_TABLE_H
#define MLPROF_TABLE_H

#include <stddef.h>
#include "strbuf.h"

#define TABLE_MAX_COLS 8

struct table {
	size_t ncols;
	const char *head[TABLE_MAX_COLS];
	int right[TABLE_MAX_COLS];   /* 1: right-aligned (numbers) */
	size_t width[TABLE_MAX_COLS];
	char **cells;                /* nrows * ncols, malloc'd strings */
	size_t nrows, cap;
	int err;
};

/* Columns: a heading each; a heading starting with '>' is right-aligned
 * (the '>' is not printed). */
void table_init(struct table *t, size_t ncols, const char *const *heads);
/* Appends a row of ncols cells, copied as they are (NULL is empty). */
void table_row(struct table *t, ...);
/* +---+---+ grid with a heading row. */
void table_grid(const struct table *t, struct strbuf *out);
/* A box: title bar, then the table's rows inside, at least min_width wide. */
void table_box(const struct table *t, const char *title, size_t min_width, struct strbuf *out);
void table_free(struct table *t);
/* Display width of a UTF-8 string (code points). */
size_t table_text_width(const char *s);

#endif
