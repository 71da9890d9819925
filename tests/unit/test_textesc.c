// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>
#include "strbuf.h"
#include "table.h"
#include "textesc.h"

static char *esc(const char *s, size_t len, int flags)
{
	struct strbuf sb = STRBUF_INIT;

	cr_assert_eq(textesc_append(&sb, s, len, flags), 0);
	strbuf_puts(&sb, "");
	return strbuf_detach(&sb);
}

Test(textesc, plain_and_utf8_names_pass_unchanged)
{
	static const char name[] = "main_fn caf\xc3\xa9 \xe2\x86\x92 \xf0\x9f\x90\x8d";
	char *r = esc(name, sizeof(name) - 1, 0);

	cr_assert_str_eq(r, "main_fn caf\xc3\xa9 \xe2\x86\x92 \xf0\x9f\x90\x8d");
	cr_assert_eq(textesc_needed("caf\xc3\xa9", 5, 0), 0);
	free(r);
}

Test(textesc, terminal_escapes_and_newlines_are_shown_as_hex)
{
	static const char name[] = "f\x1b]0;pwned\x07\n  99.9%  forged\r\x7f";
	char *r = esc(name, sizeof(name) - 1, 0);

	cr_assert_str_eq(r, "f\\x1b]0;pwned\\x07\\x0a  99.9%  forged\\x0d\\x7f");
	cr_assert_null(strchr(r, '\n'));
	cr_assert_eq(textesc_needed(name, sizeof(name) - 1, 0), 1);
	free(r);
}

Test(textesc, keep_lines_keeps_only_newline_and_tab)
{
	char *r = esc("a\tb\nc\x1b[2J", 9, TEXTESC_KEEP_LINES);

	cr_assert_str_eq(r, "a\tb\nc\\x1b[2J");
	free(r);
}

Test(textesc, invalid_utf8_and_c1_controls_are_escaped)
{
	/* lone continuation, truncated sequence, overlong '/', surrogate, C1 CSI */
	static const char bad[] = "\x80|\xe2\x86|\xc0\xaf|\xed\xa0\x80|\xc2\x9b";
	char *r = esc(bad, sizeof(bad) - 1, 0);

	cr_assert_str_eq(r, "\\x80|\\xe2\\x86|\\xc0\\xaf|\\xed\\xa0\\x80|\\xc2\\x9b");
	free(r);
}

Test(textesc, table_cells_are_escaped)
{
	static const char *const heads[] = { "function", ">samples" };
	struct strbuf out = STRBUF_INIT;
	struct table t;

	table_init(&t, 2, heads);
	table_row(&t, "evil\nforged | 100", "1");
	table_grid(&t, &out);
	cr_assert_not_null(strstr(out.buf, "evil\\x0aforged | 100"));
	table_free(&t);
	strbuf_free(&out);
}
