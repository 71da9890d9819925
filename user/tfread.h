/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* Reading one of a target's files as the target could: inside its root
 * (/proc/PID/root, never the host's path), with its fsuid/fsgid/groups,
 * regular files only, no final symlink, size-capped and time-bounded. */
#ifndef MLPROF_TFREAD_H
#define MLPROF_TFREAD_H

#include <stddef.h>
#include <stdint.h>

struct tfguard;

/* Wall-clock bound of one read (a stalled FUSE file, a slow disk): the
 * helper is killed past it and the read fails with -ETIMEDOUT. The daemon
 * waits that long on its event loop, so it is short: a helper that reads
 * a local file answers within milliseconds even on a busy machine. */
#define TFREAD_TIMEOUT_MS 500

/* Reads absolute PATH of process PID, at most MAX bytes. PATH is the
 * target's view; a path the daemon read through /proc for a chroot'ed
 * target (the root's host path, then the target's path) is taken too. A NUL-terminated
 * malloc'd buffer in *out (length in *len), or -errno: -EINVAL (relative
 * path, not a regular file), -ELOOP (symlink), -EFBIG (over MAX),
 * -EACCES/-ENOENT (the target could not read it), -ETIMEDOUT. */
int tfread(int pid, const char *path, size_t max, char **out, size_t *len);
/* tfread, and the file's modification time (ns since the epoch) in
 * *mtime_ns (if non-NULL; 0 on an error). With a guard g (may be NULL): a
 * timeout holds the target's user (tfguard.h), and while it is held its
 * files are not read: -EAGAIN at once. */
int tfread_at(int pid, const char *path, size_t max, char **out, size_t *len,
	      int64_t *mtime_ns, struct tfguard *g);
/* 0 if tfread would open PATH (a regular file the target can read), or
 * -errno as tfread_at. */
int tfread_check(int pid, const char *path, struct tfguard *g);

#endif
