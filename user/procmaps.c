// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Reads a process's memory map to find where its interpreter is loaded. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "procmaps.h"

const char *procmaps_basename(const char *path)
{
	const char *s = strrchr(path, '/');

	return s ? s + 1 : path;
}

int procmaps_parse_line(const char *line, struct mapping *m)
{
	unsigned long long start, end, off, ino;
	unsigned maj, min;
	char perms[5];
	int pos = 0;
	size_t len;
	const char *p;

	if (sscanf(line, "%llx-%llx %4s %llx %x:%x %llu %n", &start, &end, perms, &off, &maj,
		   &min, &ino, &pos) < 7 || pos <= 0 || end < start)
		return -EINVAL;
	p = line + pos;
	while (*p == ' ')
		p++;
	len = strcspn(p, "\n");
	m->path = strndup(p, len);
	if (!m->path)
		return -ENOMEM;
	m->start = start;
	m->end = end;
	m->offset = off;
	m->inode = ino;
	m->dev_major = maj;
	m->dev_minor = min;
	memcpy(m->perms, perms, sizeof(m->perms));
	return 0;
}

int procmaps_read(int pid, struct mapping **maps, size_t *n)
{
	struct mapping *v = NULL, *nv;
	size_t cnt = 0, cap = 0, linecap = 0;
	char path[64], *line = NULL;
	FILE *f;
	int err = 0;

	*maps = NULL;
	*n = 0;
	snprintf(path, sizeof(path), "/proc/%d/maps", pid);
	f = fopen(path, "re");
	if (!f)
		return -errno;
	while (!err && getline(&line, &linecap, f) > 0) {
		if (cnt == cap) {
			cap = cap ? cap * 2 : 64;
			nv = realloc(v, cap * sizeof(*v));
			if (!nv) {
				err = -ENOMEM;
				break;
			}
			v = nv;
		}
		if (!procmaps_parse_line(line, &v[cnt]))
			cnt++;
	}
	/* A process that exits while we read gives a short or empty file. */
	if (!err && ferror(f))
		err = -ESRCH;
	if (!err && cnt == 0)
		err = -ESRCH;
	free(line);
	fclose(f);
	if (err) {
		procmaps_free(v, cnt);
	} else {
		*maps = v;
		*n = cnt;
	}
	return err;
}

void procmaps_free(struct mapping *maps, size_t n)
{
	size_t i;

	for (i = 0; maps && i < n; i++)
		free(maps[i].path);
	free(maps);
}
