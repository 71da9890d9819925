// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Escaping untrusted names for text output. A name with ESC could retitle
 * or clear root's terminal; one with a newline could forge report lines.
 * Valid UTF-8 passes unchanged (non-ASCII names stay readable). */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include "textesc.h"

/* Length of the valid UTF-8 sequence at S (1..4), 0 if invalid. Rejects
 * overlong forms, surrogates and code points above U+10FFFF. */
static size_t utf8_len(const unsigned char *s, size_t left)
{
	size_t n = 0, i;
	uint32_t cp = 0, min = 0;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf) {
		n = 2;
		cp = s[0] & 0x1f;
		min = 0x80;
	} else if (s[0] >= 0xe0 && s[0] <= 0xef) {
		n = 3;
		cp = s[0] & 0x0f;
		min = 0x800;
	} else if (s[0] >= 0xf0 && s[0] <= 0xf4) {
		n = 4;
		cp = s[0] & 0x07;
		min = 0x10000;
	}
	if (!n || n > left)
		return 0;
	for (i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = (cp << 6) | (s[i] & 0x3f);
	}
	if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	if (cp >= 0x80 && cp <= 0x9f) /* C1 controls (0x9b is a CSI) */
		return 0;
	return n;
}

static int is_ctl(unsigned char c, int flags)
{
	if ((flags & TEXTESC_KEEP_LINES) && (c == '\n' || c == '\t'))
		return 0;
	return c < 0x20 || c == 0x7f;
}

int textesc_needed(const char *s, size_t len, int flags)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0, n;
	int need = 0;

	while (i < len && !need) {
		n = utf8_len(p + i, len - i);
		need = !n || (n == 1 && is_ctl(p[i], flags));
		i += n;
	}
	return need;
}

int textesc_append(struct strbuf *out, const char *s, size_t len, int flags)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0, n, run = 0;
	char hex[8];

	while (i < len) {
		n = utf8_len(p + i, len - i);
		if (n && !(n == 1 && is_ctl(p[i], flags))) {
			run += n;
			i += n;
			continue;
		}
		if (run)
			strbuf_append(out, s + i - run, run);
		run = 0;
		snprintf(hex, sizeof(hex), "\\x%02x", p[i]);
		strbuf_puts(out, hex);
		i++;
	}
	if (run)
		strbuf_append(out, s + i - run, run);
	return out->err ? -ENOMEM : 0;
}

char *textesc_dup(const char *s)
{
	struct strbuf sb = STRBUF_INIT;
	char *r = NULL;

	if (!textesc_append(&sb, s, strlen(s), 0) && strbuf_puts(&sb, "") == 0)
		r = strbuf_detach(&sb);
	strbuf_free(&sb);
	return r;
}
