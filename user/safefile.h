/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* Opening a file the daemon (root) writes at a path a user may have
 * prepared: never through a final symlink, never a FIFO that blocks, never
 * a regular file someone else owns; created 0600. */
#ifndef MLPROF_SAFEFILE_H
#define MLPROF_SAFEFILE_H

#include <stdio.h>

/* Opens PATH for writing (APPEND: append, else truncate). Regular files we
 * own (or create) and character devices (/dev/null, a terminal) only.
 * A file descriptor, or -errno: -ELOOP (a symlink), -EPERM (a regular file
 * owned by another user), -EINVAL (a FIFO, socket, directory). */
int safefile_open(const char *path, int append);
/* The same as a FILE (mode "w"/"a"); NULL with errno set. */
FILE *safefile_fopen(const char *path, int append);

#endif
