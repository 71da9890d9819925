// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include "jsonscan.h"

#include <errno.h>

static size_t skip_ws(const char *s, size_t len, size_t p)
{
	while (p < len && (s[p] == ' ' || s[p] == '\t' || s[p] == '\n' || s[p] == '\r'))
		p++;
	return p;
}

/* One past the closing quote of the string whose opening quote is at p;
 * 0 if unterminated (p is never 0 past a quote). */
static size_t string_end(const char *s, size_t len, size_t p)
{
	size_t end = 0;

	for (p++; p < len && !end; p++) {
		if (s[p] == '\\')
			p++; /* the escaped byte (a \uXXXX's digits are plain) */
		else if (s[p] == '"')
			end = p + 1;
	}
	return end;
}

/* One past the bracket closing the container opened at p; 0 if none. */
static size_t container_end(const char *s, size_t len, size_t p)
{
	size_t depth = 0, end = 0, q;

	while (p < len && !end) {
		if (s[p] == '"') {
			q = string_end(s, len, p);
			if (!q)
				break;
			p = q;
			continue;
		}
		if (s[p] == '{' || s[p] == '[') {
			depth++;
		} else if (s[p] == '}' || s[p] == ']') {
			if (!depth)
				break; /* unreachable from a container's opening */
			if (!--depth)
				end = p + 1;
		}
		p++;
	}
	return end;
}

int jsonscan_value(const char *s, size_t len, size_t *pos, size_t *start)
{
	size_t p = skip_ws(s, len, *pos), end = 0;
	int ret = -EINVAL;

	if (p >= len) {
		/* no value */
	} else if (s[p] == '"') {
		end = string_end(s, len, p);
	} else if (s[p] == '{' || s[p] == '[') {
		end = container_end(s, len, p);
	} else if (s[p] != ',' && s[p] != ':' && s[p] != '}' && s[p] != ']') {
		for (end = p; end < len && s[end] != ',' && s[end] != '}' && s[end] != ']' &&
			      s[end] != ' ' && s[end] != '\t' && s[end] != '\n' && s[end] != '\r' &&
			      s[end] != ':';
		     end++)
			;
	}
	if (end > p) {
		*start = p;
		*pos = end;
		ret = 0;
	}
	return ret;
}

/* The members or elements of the container s[start, end) opened by
 * `open`: each member's key (objects) and value extent to one callback. */
static int scan_items(const char *s, size_t start, size_t end, char open, jsonscan_member_cb mcb,
		      jsonscan_elem_cb ecb, void *ctx)
{
	char close = open == '{' ? '}' : ']';
	size_t p = skip_ws(s, end, start), ks = 0, ke = 0, vs, q;
	long idx = 0;
	int ret = 0, done = 0;

	if (p >= end || s[p] != open)
		return -EINVAL;
	p = skip_ws(s, end, p + 1);
	if (p < end && s[p] == close)
		done = 1, p++;
	while (!done && !ret) {
		if (open == '{') {
			q = p < end && s[p] == '"' ? string_end(s, end, p) : 0;
			if (!q) {
				ret = -EINVAL;
				break;
			}
			ks = p + 1;
			ke = q - 1;
			p = skip_ws(s, end, q);
			if (p >= end || s[p] != ':') {
				ret = -EINVAL;
				break;
			}
			p++;
		}
		if (jsonscan_value(s, end, &p, &vs)) {
			ret = -EINVAL;
			break;
		}
		ret = open == '{' ? mcb(ctx, s + ks, ke - ks, vs, p) : ecb(ctx, vs, p, idx++);
		p = skip_ws(s, end, p);
		if (ret || p >= end)
			ret = ret ? ret : -EINVAL;
		else if (s[p] == close)
			done = 1, p++;
		else if (s[p] == ',')
			p = skip_ws(s, end, p + 1);
		else
			ret = -EINVAL;
	}
	/* Nothing but white space may follow the closing bracket. */
	if (!ret && skip_ws(s, end, p) != end)
		ret = -EINVAL;
	return ret;
}

int jsonscan_object(const char *s, size_t start, size_t end, jsonscan_member_cb cb, void *ctx)
{
	return scan_items(s, start, end, '{', cb, NULL, ctx);
}

int jsonscan_array(const char *s, size_t start, size_t end, jsonscan_elem_cb cb, void *ctx)
{
	return scan_items(s, start, end, '[', NULL, cb, ctx);
}
