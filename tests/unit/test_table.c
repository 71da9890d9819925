// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* table: grids and boxes, alignment, widths in code points, empty tables. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "table.h"

static char *grid(const struct table *t)
{
	struct strbuf out = STRBUF_INIT;

	table_grid(t, &out);
	cr_assert_eq(out.err, 0);
	return strbuf_detach(&out);
}

static char *box(const struct table *t, const char *title, size_t min_width)
{
	struct strbuf out = STRBUF_INIT;

	table_box(t, title, min_width, &out);
	cr_assert_eq(out.err, 0);
	return strbuf_detach(&out);
}

Test(table, table_text_width)
{
	cr_assert_eq(table_text_width(""), 0);
	cr_assert_eq(table_text_width("hello"), 5);
	cr_assert_eq(table_text_width("héllo"), 5);  /* 6 bytes */
	cr_assert_eq(table_text_width("日本"), 2);   /* 6 bytes */
	cr_assert_eq(table_text_width("│ ─"), 3);    /* box drawing, 3 bytes each */
	cr_assert_eq(table_text_width("a😀b"), 3);   /* 4-byte sequence */
}

Test(table, grid_right_alignment)
{
	static const char *const heads[] = { "Name", ">N" };
	struct table t;
	char *txt;

	table_init(&t, 2, heads);
	cr_assert_eq(t.right[0], 0);
	cr_assert_eq(t.right[1], 1);
	cr_assert_str_eq(t.head[1], "N");
	table_row(&t, "a", "1");
	table_row(&t, "longer", "123");
	txt = grid(&t);
	cr_assert_str_eq(txt, "+--------+-----+\n"
			      "| Name   |   N |\n"
			      "+--------+-----+\n"
			      "| a      |   1 |\n"
			      "| longer | 123 |\n"
			      "+--------+-----+\n");
	free(txt);
	table_free(&t);
}

Test(table, heading_wider_than_cells)
{
	static const char *const heads[] = { "Function", ">Samples" };
	struct table t;
	char *txt;

	table_init(&t, 2, heads);
	table_row(&t, "f", "7");
	txt = grid(&t);
	cr_assert_str_eq(txt, "+----------+---------+\n"
			      "| Function | Samples |\n"
			      "+----------+---------+\n"
			      "| f        |       7 |\n"
			      "+----------+---------+\n");
	free(txt);
	table_free(&t);
}

Test(table, grid_utf8_widths)
{
	static const char *const heads[] = { "Name", ">Value" };
	struct table t;
	char *txt;

	/* "héllo" is 5 columns wide (6 bytes), "日本" 2 (6 bytes): padding by
	 * code points keeps the rules straight for one-column characters. */
	table_init(&t, 2, heads);
	table_row(&t, "héllo", "日本");
	table_row(&t, "x", "1");
	cr_assert_eq(t.width[0], 5);
	cr_assert_eq(t.width[1], 5);
	txt = grid(&t);
	cr_assert_str_eq(txt, "+-------+-------+\n"
			      "| Name  | Value |\n"
			      "+-------+-------+\n"
			      "| héllo |    日本 |\n"
			      "| x     |     1 |\n"
			      "+-------+-------+\n");
	free(txt);
	table_free(&t);
}

Test(table, cells_are_literal)
{
	static const char *const heads[] = { "A", "B", ">C" };
	struct table t;
	char *txt;

	/* Cells are copied as they are (no printf), and NULL is empty. */
	table_init(&t, 3, heads);
	table_row(&t, "50%", (const char *)NULL, "%s");
	txt = grid(&t);
	cr_assert_str_eq(txt, "+-----+---+----+\n"
			      "| A   | B |  C |\n"
			      "+-----+---+----+\n"
			      "| 50% |   | %s |\n"
			      "+-----+---+----+\n");
	free(txt);
	table_free(&t);
}

Test(table, many_rows)
{
	static const char *const heads[] = { ">N" };
	struct table t;
	char cell[16], *txt, *p;
	int i, n = 0;

	table_init(&t, 1, heads);
	for (i = 1; i <= 100; i++) {
		snprintf(cell, sizeof(cell), "%d", i);
		table_row(&t, cell);
	}
	cr_assert_eq(t.err, 0);
	cr_assert_eq(t.nrows, 100);
	txt = grid(&t);
	for (p = txt; (p = strchr(p, '\n')); p++)
		n++;
	cr_assert_eq(n, 100 + 4);
	cr_assert_not_null(strstr(txt, "|   1 |\n|   2 |\n"));
	cr_assert_not_null(strstr(txt, "| 100 |\n+-----+\n"));
	free(txt);
	table_free(&t);
	cr_assert_eq(t.nrows, 0);
	cr_assert_null(t.cells);
}

Test(table, columns_capped)
{
	static const char *const heads[] = { "1", "2", "3", "4", "5", "6", "7", "8", "9", "10" };
	struct table t;

	table_init(&t, 10, heads);
	cr_assert_eq(t.ncols, TABLE_MAX_COLS);
	table_row(&t, "a", "b", "c", "d", "e", "f", "g", "h", "i", "j");
	cr_assert_str_eq(t.cells[TABLE_MAX_COLS - 1], "h");
	table_free(&t);
}

Test(table, box)
{
	static const char *const heads[] = { "Function", ">Time" };
	struct table t;
	char *txt;

	/* Inner width 8 + 2 + 5 = 15: bars of 17, cells two spaces apart. */
	table_init(&t, 2, heads);
	table_row(&t, "f", "1.0s");
	table_row(&t, "gé", "22.5s");
	txt = box(&t, "T", 0);
	cr_assert_str_eq(txt, "┌─────────────────┐\n"
			      "│ T               │\n"
			      "├─────────────────┤\n"
			      "│ Function   Time │\n"
			      "├─────────────────┤\n"
			      "│ f          1.0s │\n"
			      "│ gé        22.5s │\n"
			      "└─────────────────┘\n");
	free(txt);
	/* At least 21 columns: inner 17, the rows padded on the right. */
	txt = box(&t, "T", 21);
	cr_assert_str_eq(txt, "┌───────────────────┐\n"
			      "│ T                 │\n"
			      "├───────────────────┤\n"
			      "│ Function   Time   │\n"
			      "├───────────────────┤\n"
			      "│ f          1.0s   │\n"
			      "│ gé        22.5s   │\n"
			      "└───────────────────┘\n");
	free(txt);
	table_free(&t);
}

Test(table, box_wide_title)
{
	static const char *const heads[] = { "A", ">B" };
	struct table t;
	char *txt;

	/* The title (22 columns, with "é") sets the width. */
	table_init(&t, 2, heads);
	table_row(&t, "x", "1");
	txt = box(&t, "A títle wider than all", 0);
	cr_assert_str_eq(txt, "┌────────────────────────┐\n"
			      "│ A títle wider than all │\n"
			      "├────────────────────────┤\n"
			      "│ A  B                   │\n"
			      "├────────────────────────┤\n"
			      "│ x  1                   │\n"
			      "└────────────────────────┘\n");
	free(txt);
	table_free(&t);
}

Test(table, empty)
{
	static const char *const heads[] = { "Function", ">Samples" };
	struct table t;
	char *txt;

	table_init(&t, 2, heads);
	txt = grid(&t);
	cr_assert_str_eq(txt, "+----------+---------+\n"
			      "| Function | Samples |\n"
			      "+----------+---------+\n"
			      "+----------+---------+\n");
	free(txt);
	txt = box(&t, "", 0);
	cr_assert_str_eq(txt, "┌───────────────────┐\n"
			      "│                   │\n"
			      "├───────────────────┤\n"
			      "│ Function  Samples │\n"
			      "├───────────────────┤\n"
			      "└───────────────────┘\n");
	free(txt);
	table_free(&t);
	table_free(&t); /* twice is harmless */
}
