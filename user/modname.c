// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Dotted module names from file paths. */
#include <stdio.h>
#include <string.h>
#include "modname.h"

/* Start of the module part of path: after the last root folder. */
static const char *below_root(const char *path)
{
	static const char *const roots[] = { "/site-packages/", "/dist-packages/", "/src/",
					     "/lib-dynload/" };
	const char *best = NULL, *p, *q;
	size_t i;

	for (i = 0; i < sizeof(roots) / sizeof(roots[0]); i++) {
		for (p = strstr(path, roots[i]); p; p = strstr(p + 1, roots[i])) {
			if (!best || p + strlen(roots[i]) > best)
				best = p + strlen(roots[i]);
		}
	}
	/* .../lib/python3.11/x.py */
	for (p = strstr(path, "/lib/python"); p; p = strstr(p + 1, "/lib/python")) {
		q = strchr(p + 11, '/');
		if (q && (!best || q + 1 > best))
			best = q + 1;
	}
	return best;
}

const char *modname(const char *path, char *buf, size_t len)
{
	const char *start = below_root(path), *slash;
	size_t n, i;

	if (!strncmp(path, "<frozen ", 8) && path[strlen(path) - 1] == '>') {
		snprintf(buf, len, "%.*s", (int)(strlen(path) - 9), path + 8);
		return buf;
	}
	if (!start) { /* no root: the file, or the package folder of __init__ */
		start = strrchr(path, '/');
		start = start ? start + 1 : path;
		if (!strcmp(start, "__init__.py") && start > path + 1) {
			for (slash = start - 2; slash > path && *slash != '/'; slash--)
				;
			start = *slash == '/' ? slash + 1 : slash;
		}
	}
	snprintf(buf, len, "%s", start);
	n = strlen(buf);
	if (n >= 12 && !strcmp(buf + n - 12, "/__init__.py"))
		buf[n -= 12] = '\0';
	else if (n >= 3 && !strcmp(buf + n - 3, ".py"))
		buf[n -= 3] = '\0';
	for (i = 0; i < n; i++)
		buf[i] = buf[i] == '/' ? '.' : buf[i];
	return buf;
}
