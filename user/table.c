// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Renders rows of cells as aligned tables, counting display columns (code
 * points) so that non-ASCII names keep the columns straight. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "table.h"
#include "textesc.h"

size_t table_text_width(const char *s)
{
	size_t w = 0;

	for (; *s; s++)
		w += ((unsigned char)*s & 0xc0) != 0x80;
	return w;
}

void table_init(struct table *t, size_t ncols, const char *const *heads)
{
	size_t i;

	memset(t, 0, sizeof(*t));
	t->ncols = ncols > TABLE_MAX_COLS ? TABLE_MAX_COLS : ncols;
	for (i = 0; i < t->ncols; i++) {
		t->right[i] = heads[i][0] == '>';
		t->head[i] = heads[i] + t->right[i];
		t->width[i] = table_text_width(t->head[i]);
	}
}

void table_row(struct table *t, ...)
{
	va_list ap;
	char **nc, *cell;
	const char *fmt;
	size_t i, w;

	if (t->err)
		return;
	if (t->nrows == t->cap) {
		t->cap = t->cap ? t->cap * 2 : 16;
		nc = realloc(t->cells, t->cap * t->ncols * sizeof(*nc));
		if (!nc) {
			t->err = 1;
			return;
		}
		t->cells = nc;
	}
	va_start(ap, t);
	for (i = 0; i < t->ncols; i++) {
		fmt = va_arg(ap, const char *);
		cell = textesc_dup(fmt ? fmt : ""); /* names are untrusted */
		if (!cell)
			t->err = 1;
		t->cells[t->nrows * t->ncols + i] = cell;
		w = cell ? table_text_width(cell) : 0;
		if (w > t->width[i])
			t->width[i] = w;
	}
	va_end(ap);
	t->nrows++;
}

static void pad(struct strbuf *out, const char *s, size_t width, int right)
{
	size_t w = table_text_width(s);

	if (right)
		strbuf_repeat(out, ' ', width - w);
	strbuf_puts(out, s);
	if (!right)
		strbuf_repeat(out, ' ', width - w);
}

static void rule(const struct table *t, struct strbuf *out)
{
	size_t i;

	for (i = 0; i < t->ncols; i++) {
		strbuf_puts(out, "+");
		strbuf_repeat(out, '-', t->width[i] + 2);
	}
	strbuf_puts(out, "+\n");
}

static void line(const struct table *t, char *const *cells, const char *const *heads,
		 struct strbuf *out, const char *sep)
{
	size_t i;

	for (i = 0; i < t->ncols; i++) {
		strbuf_puts(out, i ? " " : "");
		strbuf_puts(out, sep);
		strbuf_puts(out, " ");
		pad(out, cells ? cells[i] : heads[i], t->width[i], t->right[i]);
	}
	strbuf_puts(out, " ");
	strbuf_puts(out, sep);
	strbuf_puts(out, "\n");
}

void table_grid(const struct table *t, struct strbuf *out)
{
	size_t r;

	rule(t, out);
	line(t, NULL, t->head, out, "|");
	rule(t, out);
	for (r = 0; r < t->nrows; r++)
		line(t, t->cells + r * t->ncols, NULL, out, "|");
	rule(t, out);
}

/* Inner width of a box row: cells separated by two spaces. */
static size_t box_inner(const struct table *t)
{
	size_t i, w = 0;

	for (i = 0; i < t->ncols; i++)
		w += t->width[i] + (i ? 2 : 0);
	return w;
}

static void box_bar(struct strbuf *out, const char *l, const char *m, const char *r, size_t w)
{
	size_t i;

	strbuf_puts(out, l);
	for (i = 0; i < w + 2; i++)
		strbuf_puts(out, m);
	strbuf_puts(out, r);
	strbuf_puts(out, "\n");
}

static void box_cells(const struct table *t, char *const *cells, const char *const *heads,
		      size_t inner, struct strbuf *out)
{
	size_t i;

	strbuf_puts(out, "│ ");
	for (i = 0; i < t->ncols; i++) {
		if (i)
			strbuf_puts(out, "  ");
		pad(out, cells ? cells[i] : heads[i], t->width[i], t->right[i]);
	}
	strbuf_repeat(out, ' ', inner - box_inner(t));
	strbuf_puts(out, " │\n");
}

void table_box(const struct table *t, const char *raw_title, size_t min_width,
	       struct strbuf *out)
{
	char *esc = textesc_dup(raw_title); /* a title holds file names: untrusted */
	const char *title = esc ? esc : "";
	size_t inner = box_inner(t), r;

	if (table_text_width(title) > inner)
		inner = table_text_width(title);
	if (min_width > inner + 4)
		inner = min_width - 4;
	box_bar(out, "┌", "─", "┐", inner);
	strbuf_puts(out, "│ ");
	pad(out, title, inner, 0);
	strbuf_puts(out, " │\n");
	box_bar(out, "├", "─", "┤", inner);
	box_cells(t, NULL, t->head, inner, out);
	box_bar(out, "├", "─", "┤", inner);
	for (r = 0; r < t->nrows; r++)
		box_cells(t, t->cells + r * t->ncols, NULL, inner, out);
	box_bar(out, "└", "─", "┘", inner);
	free(esc);
}

void table_free(struct table *t)
{
	size_t i;

	for (i = 0; t->cells && i < t->nrows * t->ncols; i++)
		free(t->cells[i]);
	free(t->cells);
	t->cells = NULL;
	t->nrows = t->cap = 0;
}
