// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* pyunicode: PEP 393 code units of each kind to UTF-8. */
#include <criterion/criterion.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "pyunicode.h"

static void expect(const void *data, size_t len, unsigned kind, const char *want)
{
	char *s = pyunicode_to_utf8(data, len, kind);

	cr_assert_not_null(s);
	cr_assert_str_eq(s, want);
	free(s);
}

Test(pyunicode, kind1_latin1)
{
	expect("main", 4, 1, "main");
	expect("caf\xe9", 4, 1, "caf\xc3\xa9"); /* é: Latin-1 -> UTF-8 */
	expect("\xff", 1, 1, "\xc3\xbf");
	expect("", 0, 1, "");
}

Test(pyunicode, kind2_bmp)
{
	static const uint16_t nihon[] = { 0x65e5, 0x672c, 0x0041 };
	static const uint16_t lone[] = { 0x0061, 0xd800, 0xdfff, 0x0062 };

	expect(nihon, sizeof(nihon), 2, "\xe6\x97\xa5\xe6\x9c\xac" "A");
	/* Lone surrogates are not scalar values: U+FFFD each. */
	expect(lone, sizeof(lone), 2, "a\xef\xbf\xbd\xef\xbf\xbd" "b");
	/* A trailing half unit is ignored. */
	expect(nihon, 5, 2, "\xe6\x97\xa5\xe6\x9c\xac");
}

Test(pyunicode, kind4_astral)
{
	static const uint32_t emoji[] = { 0x1f600, 0x10ffff, 0x7f, 0x80, 0x7ff, 0x800, 0xffff };
	static const uint32_t bad[] = { 0x110000, 0xdc00, 0, 0xffffffff };

	expect(emoji, sizeof(emoji), 4,
	       "\xf0\x9f\x98\x80\xf4\x8f\xbf\xbf\x7f\xc2\x80\xdf\xbf\xe0\xa0\x80\xef\xbf\xbf");
	/* Beyond U+10FFFF, surrogates and NUL: U+FFFD. */
	expect(bad, sizeof(bad), 4,
	       "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd");
}

Test(pyunicode, nul_does_not_cut)
{
	expect("a\0b", 3, 1, "a\xef\xbf\xbd" "b");
}

Test(pyunicode, bad_kind)
{
	unsigned kinds[] = { 0, 3, 8, 255 };
	size_t i;

	for (i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++) {
		errno = 0;
		cr_assert_null(pyunicode_to_utf8((const uint8_t *)"abcd", 4, kinds[i]));
		cr_assert_eq(errno, EINVAL);
	}
}
