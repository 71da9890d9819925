/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* /proc/PID/maps parsing. */
#ifndef MLPROF_PROCMAPS_H
#define MLPROF_PROCMAPS_H

#include <stddef.h>
#include <stdint.h>

struct mapping {
	uint64_t start, end, offset, inode;
	unsigned dev_major, dev_minor;
	char perms[5];
	char *path; /* "" for anonymous mappings */
};

/* Parses one line (without or with its newline). 0 or -EINVAL. On success
 * m->path is malloc'd. */
int procmaps_parse_line(const char *line, struct mapping *m);
/* Reads /proc/PID/maps. 0, -ENOENT/-ESRCH (gone), -EACCES, -ENOMEM. */
int procmaps_read(int pid, struct mapping **maps, size_t *n);
void procmaps_free(struct mapping *maps, size_t n);
/* Final path component. */
const char *procmaps_basename(const char *path);

#endif
