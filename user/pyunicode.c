// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Decodes the raw code units of a CPython str into UTF-8. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "pyunicode.h"

static size_t put_utf8(char *out, uint32_t cp)
{
	if (cp == 0 || (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff)
		cp = 0xfffd;
	if (cp < 0x80) {
		out[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		out[0] = (char)(0xc0 | (cp >> 6));
		out[1] = (char)(0x80 | (cp & 0x3f));
		return 2;
	}
	if (cp < 0x10000) {
		out[0] = (char)(0xe0 | (cp >> 12));
		out[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
		out[2] = (char)(0x80 | (cp & 0x3f));
		return 3;
	}
	out[0] = (char)(0xf0 | (cp >> 18));
	out[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
	out[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
	out[3] = (char)(0x80 | (cp & 0x3f));
	return 4;
}

char *pyunicode_to_utf8(const uint8_t *data, size_t len, unsigned kind)
{
	size_t n, i, o = 0;
	uint32_t cp;
	char *out;

	if (kind != 1 && kind != 2 && kind != 4) {
		errno = EINVAL;
		return NULL;
	}
	n = len / kind;
	out = malloc(n * 4 + 1);
	if (!out) {
		errno = ENOMEM;
		return NULL;
	}
	for (i = 0; i < n; i++) {
		if (kind == 1) {
			cp = data[i];
		} else if (kind == 2) {
			uint16_t u;

			memcpy(&u, data + 2 * i, 2);
			cp = u;
		} else {
			memcpy(&cp, data + 4 * i, 4);
		}
		o += put_utf8(out + o, cp);
	}
	out[o] = '\0';
	return out;
}
