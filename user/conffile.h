/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* The daemon's configuration file: one `flag value` per line (or a bare
 * `flag` for a switch), with the names of mlprofd's long options and no
 * dashes. `#` starts a comment at the start of a line or after blanks;
 * blank lines are ignored; the value is the rest of the line, trimmed (it
 * may contain spaces). Which names exist is mlprofd's business (opts.c). */
#ifndef MLPROF_CONFFILE_H
#define MLPROF_CONFFILE_H

#include <stddef.h>

#define CONFFILE_MAX_BYTES (1024 * 1024)
#define CONFFILE_MAX_LINE 4096
#define CONFFILE_MAX_ENTRIES 1024

struct conffile_entry {
	const char *name;  /* into conf.buf */
	const char *value; /* into conf.buf; NULL for a bare flag */
	int line;          /* 1-based */
};

struct conffile {
	char *buf;
	struct conffile_entry *e;
	size_t n;
};

/* Parses text (len bytes). On error returns -EINVAL with "line N: why" in
 * err, or -ENOMEM; c is then empty. */
int conffile_parse(const char *text, size_t len, struct conffile *c, char *err, size_t errlen);
/* Reads and parses a file; errors name it ("FILE: ..." or "FILE:N: ..."). */
int conffile_load(const char *path, struct conffile *c, char *err, size_t errlen);
void conffile_free(struct conffile *c);

#endif
