/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* A target's file-access credentials (fsuid, fsgid, supplementary groups)
 * as /proc/PID/status reports them, so its files are read as it could. */
#ifndef MLPROF_TCRED_H
#define MLPROF_TCRED_H

#include <stddef.h>
#include <sys/types.h>

#define TCRED_MAX_GROUPS 256

struct tcred {
	uid_t fsuid;
	gid_t fsgid;
	size_t ngroups;
	gid_t groups[TCRED_MAX_GROUPS];
};

/* Parses the text of a status file (Uid:, Gid:, Groups: lines; the fourth
 * id of Uid/Gid is the filesystem id; lines as statusfile_scan sees them).
 * 0, -EINVAL if a line is missing, repeated or malformed, -E2BIG if
 * there are more than TCRED_MAX_GROUPS groups. */
int tcred_parse(const char *buf, size_t len, struct tcred *out);
/* Reads /proc/PID/status. 0 or -errno. */
int tcred_read(int pid, struct tcred *out);

#endif
