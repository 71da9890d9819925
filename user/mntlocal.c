// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* A mountinfo line: ID PARENT MAJ:MIN ROOT MOUNTPOINT OPTIONS [OPTIONAL...]
 * - FSTYPE SOURCE SUPEROPTIONS, fields separated by single spaces, with
 * space, tab, newline and backslash in paths written as \ooo octal. */
#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "mntlocal.h"

#define MP_MAX 4096

/* Filesystems whose lookups the kernel answers from its own data. */
static const char *const local_types[] = {
	"ext2", "ext3", "ext4", "xfs", "btrfs", "tmpfs", "ramfs", "overlay", "squashfs",
	"erofs", "vfat", "msdos", "exfat", "f2fs", "iso9660", "udf", "jfs", "reiserfs",
	"bcachefs", "nilfs2", "hfsplus", "ntfs3", "zfs", "rootfs", "devtmpfs", "proc",
	"sysfs",
};

static int type_is_local(const char *t, size_t n)
{
	size_t i;
	int local = 0;

	for (i = 0; i < sizeof(local_types) / sizeof(local_types[0]) && !local; i++)
		local = strlen(local_types[i]) == n && !memcmp(local_types[i], t, n);
	return local;
}

/* Unescapes field f (n bytes) into out (MP_MAX); 0, or -EINVAL (too long,
 * a bad escape). */
static int unescape(const char *f, size_t n, char *out)
{
	size_t i = 0, o = 0;
	int ret = 0;

	while (i < n && !ret) {
		if (o + 1 >= MP_MAX) {
			ret = -EINVAL;
		} else if (f[i] != '\\') {
			out[o++] = f[i++];
		} else if (i + 3 < n && f[i + 1] >= '0' && f[i + 1] <= '3' &&
			   f[i + 2] >= '0' && f[i + 2] <= '7' && f[i + 3] >= '0' && f[i + 3] <= '7') {
			out[o++] = (char)((f[i + 1] - '0') * 64 + (f[i + 2] - '0') * 8 + (f[i + 3] - '0'));
			i += 4;
		} else {
			ret = -EINVAL;
		}
	}
	out[o] = '\0';
	return ret;
}

/* Length of the mount point mp's match of path, or -1: "/" holds every
 * path, "/a" holds "/a" and "/a/..." but not "/ab". */
static long match_len(const char *mp, const char *path)
{
	size_t n = strlen(mp);

	if (!strcmp(mp, "/"))
		return 1;
	if (strncmp(path, mp, n) || (path[n] != '/' && path[n] != '\0'))
		return -1;
	return (long)n;
}

/* The token at *p (up to a space or end); *p moves past it. */
static size_t token(const char **p, const char *end, const char **tok)
{
	const char *sp = memchr(*p, ' ', (size_t)(end - *p));
	size_t n = (size_t)((sp ? sp : end) - *p);

	*tok = *p;
	*p = sp ? sp + 1 : end;
	return n;
}

/* Parses one line [p, end): its mount point (5th field) into mp and the
 * span of its type (the field after the lone "-"). 0 or -EINVAL. */
static int parse_line(const char *p, const char *end, char *mp, const char **type,
		      size_t *tlen)
{
	const char *tok = NULL;
	size_t n = 0, k;
	int ret = -EINVAL, dash = 0;

	for (k = 0; k < 5 && p < end; k++)
		n = token(&p, end, &tok);
	if (k == 5 && !unescape(tok, n, mp)) {
		while (p < end && !dash) {
			n = token(&p, end, &tok);
			dash = n == 1 && tok[0] == '-';
		}
		*tlen = dash && p < end ? token(&p, end, type) : 0;
		ret = *tlen ? 0 : -EINVAL;
	}
	return ret;
}

/* The line's device "MAJ:MIN" (3rd field) into *maj, *min. 0 or -EINVAL. */
static int line_dev(const char *p, const char *end, unsigned int *maj, unsigned int *min)
{
	const char *tok = NULL;
	char dev[32];
	size_t n = 0, k;

	for (k = 0; k < 3 && p < end; k++)
		n = token(&p, end, &tok);
	if (k < 3 || n >= sizeof(dev))
		return -EINVAL;
	memcpy(dev, tok, n);
	dev[n] = '\0';
	return sscanf(dev, "%u:%u", maj, min) == 2 ? 0 : -EINVAL;
}

/* Calls fn for each line of mi with its mount point and type; fn returns
 * nonzero to stop. */
typedef int (*line_fn)(void *ctx, const char *line, const char *end, const char *mp,
		       const char *type, size_t tlen);

static void each_line(const char *mi, size_t len, line_fn fn, void *ctx)
{
	const char *p = mi, *end = mi + len, *nl, *type;
	char *mp = malloc(MP_MAX);
	size_t tlen;
	int stop = 0;

	while (mp && p < end && !stop) {
		nl = memchr(p, '\n', (size_t)(end - p));
		if (!nl)
			nl = end;
		if (!parse_line(p, nl, mp, &type, &tlen))
			stop = fn(ctx, p, nl, mp, type, tlen);
		p = nl + 1;
	}
	free(mp);
}

struct path_q {
	const char *path;
	long best;   /* longest match so far, -1 none */
	int local;
};

static int path_line(void *ctx, const char *line, const char *end, const char *mp,
		     const char *type, size_t tlen)
{
	struct path_q *q = ctx;
	long m = match_len(mp, q->path);

	(void)line;
	(void)end;
	if (m >= 0 && m >= q->best) {
		q->best = m; /* the last of equal mount points is on top */
		q->local = type_is_local(type, tlen);
	}
	return 0;
}

/* 1 local, 0 not, -1 no mount holds the path (a chroot'ed process does not
 * see the mount its root lies on). */
static int path_is_local(const char *mi, size_t len, const char *path)
{
	struct path_q q = { .path = path, .best = -1, .local = 0 };

	if (path[0] == '/')
		each_line(mi, len, path_line, &q);
	return q.best < 0 ? -1 : q.local;
}

int mntlocal_path_is_local(const char *mi, size_t len, const char *path)
{
	return path_is_local(mi, len, path) == 1;
}

struct dev_q {
	unsigned int maj, min;
	int local;
};

static int dev_line(void *ctx, const char *line, const char *end, const char *mp,
		    const char *type, size_t tlen)
{
	struct dev_q *q = ctx;
	unsigned int maj, min;

	(void)mp;
	if (!line_dev(line, end, &maj, &min) && maj == q->maj && min == q->min) {
		q->local = type_is_local(type, tlen);
		return 1;
	}
	return 0;
}

int mntlocal_dev_is_local(const char *mi, size_t len, unsigned int maj, unsigned int min)
{
	struct dev_q q = { .maj = maj, .min = min, .local = 0 };

	each_line(mi, len, dev_line, &q);
	return q.local;
}

/* Reads a whole mountinfo file into a malloc'd buffer. 0 or -errno
 * (-EFBIG past MNTLOCAL_MAX). */
static int read_mountinfo(const char *name, char **buf, size_t *len)
{
	ssize_t n = 1;
	int fd, ret = 0;

	*len = 0;
	*buf = malloc(MNTLOCAL_MAX);
	fd = *buf ? open(name, O_RDONLY | O_CLOEXEC) : -1;
	if (fd < 0)
		ret = *buf ? -errno : -ENOMEM;
	while (!ret && n > 0) {
		n = read(fd, *buf + *len, MNTLOCAL_MAX - *len);
		if (n < 0 && errno == EINTR)
			n = 1;
		else if (n < 0)
			ret = -errno;
		else if ((*len += (size_t)n) == MNTLOCAL_MAX)
			ret = -EFBIG; /* a cut file could miss the mount on top */
	}
	if (fd >= 0)
		close(fd);
	if (ret) {
		free(*buf);
		*buf = NULL;
	}
	return ret;
}

/* The filesystem of process pid's root, from its device and our own
 * mountinfo: opening /proc/PID/root (O_PATH) and statx without sync ask
 * no filesystem anything. */
static int root_is_local(int pid)
{
	char name[64], *mi = NULL;
	struct statx stx;
	size_t len;
	int fd, local = 0;

	snprintf(name, sizeof(name), "/proc/%d/root", pid);
	fd = open(name, O_PATH | O_CLOEXEC);
	if (fd >= 0 && !statx(fd, "", AT_EMPTY_PATH | AT_STATX_DONT_SYNC, 0, &stx) &&
	    !read_mountinfo("/proc/self/mountinfo", &mi, &len))
		local = mntlocal_dev_is_local(mi, len, stx.stx_dev_major, stx.stx_dev_minor);
	if (fd >= 0)
		close(fd);
	free(mi);
	return local;
}

int mntlocal_is_local(int pid, const char *path)
{
	char name[64], *mi = NULL;
	size_t len;
	int local = 0;

	snprintf(name, sizeof(name), "/proc/%d/mountinfo", pid);
	if (!read_mountinfo(name, &mi, &len))
		local = path_is_local(mi, len, path);
	free(mi);
	/* no mount of its view holds the path: it lies on its root's */
	return local == -1 ? root_is_local(pid) : local == 1;
}
