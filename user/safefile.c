// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Files written as root at a path a user may control. O_NOFOLLOW refuses a
 * planted final symlink; O_NONBLOCK keeps a planted FIFO from blocking the
 * open (cleared afterwards); the owner check refuses a user's pre-created
 * file, which would keep its owner and mode and let the user read or edit
 * what we write. Truncation happens only after every check passed. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>
#include "safefile.h"

int safefile_open(const char *path, int append)
{
	int flags = O_WRONLY | O_CREAT | O_NOFOLLOW | O_NOCTTY | O_NONBLOCK | O_CLOEXEC;
	int fd = open(path, flags | (append ? O_APPEND : 0), 0600);
	int err = fd < 0 ? -errno : 0;
	struct stat st;

	if (!err && fstat(fd, &st))
		err = -errno;
	else if (!err && S_ISREG(st.st_mode) && st.st_uid != geteuid())
		err = -EPERM;
	else if (!err && !S_ISREG(st.st_mode) && !S_ISCHR(st.st_mode))
		err = -EINVAL;
	if (!err && fcntl(fd, F_SETFL, append ? O_APPEND : 0))
		err = -errno;
	if (!err && !append && S_ISREG(st.st_mode) && ftruncate(fd, 0))
		err = -errno;
	if (err && fd >= 0)
		close(fd);
	return err ? err : fd;
}

FILE *safefile_fopen(const char *path, int append)
{
	int fd = safefile_open(path, append);
	FILE *f = fd >= 0 ? fdopen(fd, append ? "a" : "w") : NULL;

	if (fd < 0)
		errno = -fd;
	else if (!f)
		close(fd);
	return f;
}
