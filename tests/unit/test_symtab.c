// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* symbols: code objects by address, with their decoded line tables. */
#include <criterion/criterion.h>
#include <stdint.h>
#include "symtab.h"

/* 3.12 `simple`: units 0 -> 4, 1..5 -> 5, 6..7 -> 6 (def on line 4). */
static const uint8_t simple312[] = { 0x80, 0x00, 0xd8, 0x08, 0x09, 0x88, 0x41, 0x89,
				     0x05, 0x80, 0x41, 0xd8, 0x0b, 0x0c, 0x80, 0x48 };

Test(symbols, add_find_replace)
{
	struct symtab *st = symtab__new();
	const struct code_info *ci;
	uint64_t a;

	cr_assert_not_null(st);
	cr_assert_null(symtab__find(st, 0x1000));
	for (a = 0; a < 1000; a++)
		cr_assert_not_null(symtab__add(st, 0x7f0000000000ULL + a * 0x100, (uint32_t)a,
					       simple312, sizeof(simple312), 4));
	cr_assert_eq(symtab__size(st), 1000);
	ci = symtab__find(st, 0x7f0000000000ULL + 500 * 0x100);
	cr_assert_not_null(ci);
	cr_assert_eq(ci->func, 500);
	cr_assert_eq(linetable_line(&ci->lines, -1), 4);
	cr_assert_eq(linetable_line(&ci->lines, 0), 4);
	cr_assert_eq(linetable_line(&ci->lines, 3), 5);
	cr_assert_eq(linetable_line(&ci->lines, 7), 6);
	cr_assert_eq(linetable_line(&ci->lines, 8), -1);
	/* A new code object at a reused address replaces the old one. */
	cr_assert_not_null(symtab__add(st, 0x7f0000000000ULL, 9999, NULL, 0, 77));
	cr_assert_eq(symtab__size(st), 1000);
	ci = symtab__find(st, 0x7f0000000000ULL);
	cr_assert_eq(ci->func, 9999);
	cr_assert_eq(linetable_line(&ci->lines, -1), 77);
	cr_assert_eq(linetable_line(&ci->lines, 0), -1);
	cr_assert_null(symtab__find(st, 0x7f0000000001ULL));
	symtab__free(st);
	symtab__free(NULL);
}
