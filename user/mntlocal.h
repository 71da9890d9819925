/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* Is a target's path on a filesystem the kernel answers by itself (a
 * disk, tmpfs, overlay), or on one a server answers (FUSE, NFS, CIFS, 9p,
 * ...), which may never answer? Decided from the target's
 * /proc/PID/mountinfo: the mount with the longest mount point that holds
 * the path, and an allow-list of local filesystem types (anything else,
 * or no answer, counts as not local). The daemon looks up a path as root
 * only on local filesystems (tfread.c): a lookup a server never answers
 * cannot be interrupted. */
#ifndef MLPROF_MNTLOCAL_H
#define MLPROF_MNTLOCAL_H

#include <stddef.h>

/* Bytes of /proc/PID/mountinfo read at most (a host with thousands of
 * mounts); past it the answer is "not local". */
#define MNTLOCAL_MAX (4u << 20)

/* 1 if absolute PATH lies on a local filesystem according to MOUNTINFO
 * (len bytes, not NUL-terminated), else 0. Mount points are unescaped
 * (\040 etc.); a malformed line is skipped. */
int mntlocal_path_is_local(const char *mountinfo, size_t len, const char *path);
/* 1 if a mount of device MAJ:MIN in MOUNTINFO has a local type. */
int mntlocal_dev_is_local(const char *mountinfo, size_t len, unsigned int maj,
			  unsigned int min);
/* The same for process PID's view (its /proc/PID/mountinfo, whose mount
 * points are relative to its root, as PATH is). A chroot'ed process does
 * not see the mount its root lies on: a path no mount of its view holds
 * is on the filesystem of its root, found by the root's device in our own
 * mountinfo. 0 on any error. */
int mntlocal_is_local(int pid, const char *path);

#endif
