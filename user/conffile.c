// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Configuration file parser (conffile.h). The text is copied once; names
 * and values point into the copy. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "conffile.h"

static int blank(char ch)
{
	return ch == ' ' || ch == '\t' || ch == '\r';
}

static int name_char(char ch)
{
	return (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || ch == '-';
}

/* Cuts a comment (a '#' at the start or after a blank) and trailing
 * blanks. */
static void cut_comment(char *s)
{
	char *p, *end;

	for (p = s; *p; p++) {
		if (*p == '#' && (p == s || blank(p[-1]))) {
			*p = '\0';
			break;
		}
	}
	end = s + strlen(s);
	while (end > s && blank(end[-1]))
		*--end = '\0';
}

/* Parses one line in place; 1 if it holds an entry, 0 if empty, -EINVAL. */
static int parse_line(char *s, struct conffile_entry *e, char *err, size_t errlen)
{
	char *p;
	int ret = 1;

	while (blank(*s))
		s++;
	cut_comment(s);
	if (!*s)
		return 0;
	for (p = s; name_char(*p); p++)
		;
	if (*s == '-') {
		snprintf(err, errlen, "write option names without dashes ('%.40s')", s);
		ret = -EINVAL;
	} else if (p == s || (*p && !blank(*p))) {
		snprintf(err, errlen, "expected 'name value', got '%.40s'", s);
		ret = -EINVAL;
	} else {
		e->name = s;
		e->value = NULL;
		if (*p) {
			*p++ = '\0';
			while (blank(*p))
				p++;
			e->value = *p ? p : NULL;
		}
	}
	return ret;
}

void conffile_free(struct conffile *c)
{
	free(c->buf);
	free(c->e);
	memset(c, 0, sizeof(*c));
}

int conffile_parse(const char *text, size_t len, struct conffile *c, char *err, size_t errlen)
{
	char *line, *nl, msg[160];
	size_t cap = 0;
	int ret = 0, lineno = 0, r;

	memset(c, 0, sizeof(*c));
	if (len > CONFFILE_MAX_BYTES) {
		snprintf(err, errlen, "larger than %d bytes", CONFFILE_MAX_BYTES);
		ret = -EINVAL;
	} else if (memchr(text, '\0', len)) {
		snprintf(err, errlen, "contains a NUL byte (not a text file)");
		ret = -EINVAL;
	} else if (!(c->buf = malloc(len + 1))) {
		ret = -ENOMEM;
	}
	if (!ret) {
		memcpy(c->buf, text, len);
		c->buf[len] = '\0';
	}
	for (line = c->buf; !ret && line && *line; line = nl) {
		struct conffile_entry e = { 0 };

		lineno++;
		nl = strchr(line, '\n');
		if (nl)
			*nl++ = '\0';
		if (strlen(line) > CONFFILE_MAX_LINE) {
			snprintf(msg, sizeof(msg), "longer than %d bytes", CONFFILE_MAX_LINE);
			r = -EINVAL;
		} else {
			r = parse_line(line, &e, msg, sizeof(msg));
		}
		if (r > 0 && c->n == CONFFILE_MAX_ENTRIES) {
			snprintf(msg, sizeof(msg), "more than %d entries", CONFFILE_MAX_ENTRIES);
			r = -EINVAL;
		}
		if (r > 0 && c->n == cap) {
			struct conffile_entry *ne;

			cap = cap ? cap * 2 : 16;
			ne = realloc(c->e, cap * sizeof(*ne));
			if (!ne)
				r = -ENOMEM;
			else
				c->e = ne;
		}
		if (r > 0) {
			e.line = lineno;
			c->e[c->n++] = e;
		} else if (r == -EINVAL) {
			snprintf(err, errlen, "line %d: %s", lineno, msg);
		}
		ret = r < 0 ? r : 0;
	}
	if (ret)
		conffile_free(c);
	return ret;
}

int conffile_load(const char *path, struct conffile *c, char *err, size_t errlen)
{
	FILE *f = fopen(path, "re");
	char *data = NULL, msg[256];
	size_t len = 0;
	int ret = 0;

	memset(c, 0, sizeof(*c));
	if (!f)
		ret = -errno;
	if (!ret && !(data = malloc(CONFFILE_MAX_BYTES + 1)))
		ret = -ENOMEM;
	if (!ret) {
		errno = 0;
		len = fread(data, 1, CONFFILE_MAX_BYTES + 1, f);
		if (ferror(f))
			ret = errno ? -errno : -EIO;
	}
	if (ret)
		snprintf(err, errlen, "%s: %s", path, strerror(-ret));
	if (!ret) {
		ret = conffile_parse(data, len, c, msg, sizeof(msg));
		if (ret == -EINVAL && !strncmp(msg, "line ", 5))
			snprintf(err, errlen, "%s:%s", path, msg + 5);
		else if (ret)
			snprintf(err, errlen, "%s: %s", path, ret == -EINVAL ? msg : strerror(-ret));
	}
	if (f)
		fclose(f);
	free(data);
	return ret;
}
