// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* strbuf: growth, formatting, detach. */
#include <criterion/criterion.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "strbuf.h"

Test(strbuf, append_and_grow)
{
	struct strbuf sb = STRBUF_INIT;
	size_t i;

	for (i = 0; i < 1000; i++)
		cr_assert_eq(strbuf_append(&sb, "0123456789", 10), 0);
	cr_assert_eq(sb.len, 10000);
	cr_assert_eq(strlen(sb.buf), 10000);
	cr_assert_eq(memcmp(sb.buf + 9990, "0123456789", 10), 0);
	cr_assert_geq(sb.cap, sb.len + 1);
	strbuf_free(&sb);
	cr_assert_null(sb.buf);
}

Test(strbuf, printf_and_repeat)
{
	struct strbuf sb = STRBUF_INIT;
	char big[600];

	cr_assert_eq(strbuf_printf(&sb, "%s=%d", "n", 42), 0);
	cr_assert_eq(strbuf_repeat(&sb, '-', 3), 0);
	cr_assert_eq(strbuf_puts(&sb, "x"), 0);
	cr_assert_str_eq(sb.buf, "n=42---x");
	memset(big, 'a', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	cr_assert_eq(strbuf_printf(&sb, "[%s]", big), 0); /* past the first 256 */
	cr_assert_eq(sb.len, 8 + 601);
	cr_assert_eq(sb.buf[sb.len - 1], ']');
	cr_assert_eq(sb.buf[sb.len], '\0');
	strbuf_reset(&sb);
	cr_assert_eq(sb.len, 0);
	cr_assert_str_eq(sb.buf, "");
	strbuf_free(&sb);
}

Test(strbuf, detach)
{
	struct strbuf sb = STRBUF_INIT;
	char *s;

	/* Nothing appended: still a real, empty string. */
	s = strbuf_detach(&sb);
	cr_assert_not_null(s);
	cr_assert_str_eq(s, "");
	free(s);
	strbuf_puts(&sb, "hello");
	s = strbuf_detach(&sb);
	cr_assert_str_eq(s, "hello");
	cr_assert_null(sb.buf);
	cr_assert_eq(sb.len, 0);
	free(s);
	/* After a failure the buffer is gone and detach says so. */
	sb.err = -ENOMEM;
	cr_assert_null(strbuf_detach(&sb));
	/* A length that cannot be allocated is refused before realloc. */
	cr_assert_eq(strbuf_append(&sb, "x", (size_t)-1), -ENOMEM);
	cr_assert_eq(sb.err, -ENOMEM, "sticky");
	cr_assert_eq(strbuf_puts(&sb, "x"), -ENOMEM);
	strbuf_free(&sb);
	cr_assert_eq(strbuf_append(&sb, "x", (size_t)-1 / 2 + 1), -ENOMEM);
	strbuf_free(&sb);
}
