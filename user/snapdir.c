// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Snapshots in a directory (snapdir.h). Everything is done relative to an
 * open directory descriptor, so the directory is fsync'ed after a rename
 * and a SIGHUP can reopen it. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include "snapdir.h"

#define PREFIX "mlprof-"
#define SUFFIX ".json"
#define STAMP_LEN 16 /* 20261124T190500Z */

struct snapdir {
	char *path;
	int dirfd;
	uint64_t keep_s;
	struct snapdir_stats st;
};

static int stamp(int64_t real_s, char *buf, size_t len)
{
	time_t t = (time_t)real_s;
	struct tm tm;
	int n;

	if (real_s < 0 || !gmtime_r(&t, &tm) || tm.tm_year + 1900 > 9999)
		return -EINVAL;
	n = snprintf(buf, len, "%04d%02d%02dT%02d%02d%02dZ", tm.tm_year + 1900, tm.tm_mon + 1,
		     tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
	return n == STAMP_LEN && (size_t)n < len ? 0 : -EINVAL;
}

int snapdir_name(int64_t real_s, char *buf, size_t len)
{
	char s[STAMP_LEN + 1];
	int err = stamp(real_s, s, sizeof(s));
	int n = err ? 0 : snprintf(buf, len, PREFIX "%s" SUFFIX, s);

	return err ? err : (size_t)n < len ? 0 : -EINVAL;
}

int snapdir_tmp_name(int64_t real_s, char *buf, size_t len)
{
	char s[STAMP_LEN + 1];
	int err = stamp(real_s, s, sizeof(s));
	int n = err ? 0 : snprintf(buf, len, "." PREFIX "%s" SUFFIX ".tmp", s);

	return err ? err : (size_t)n < len ? 0 : -EINVAL;
}

/* Reads n decimal digits. */
static int digits(const char *p, int n, int *out)
{
	int v = 0, i;

	for (i = 0; i < n; i++) {
		if (p[i] < '0' || p[i] > '9')
			return -EINVAL;
		v = v * 10 + (p[i] - '0');
	}
	*out = v;
	return 0;
}

static int parse_stamp(const char *p, int64_t *real_s)
{
	struct tm tm = { 0 }, back;
	int y, mo, d, h, mi, s;
	time_t t;

	if (digits(p, 4, &y) || digits(p + 4, 2, &mo) || digits(p + 6, 2, &d) || p[8] != 'T' ||
	    digits(p + 9, 2, &h) || digits(p + 11, 2, &mi) || digits(p + 13, 2, &s) ||
	    p[15] != 'Z')
		return -EINVAL;
	tm.tm_year = y - 1900;
	tm.tm_mon = mo - 1;
	tm.tm_mday = d;
	tm.tm_hour = h;
	tm.tm_min = mi;
	tm.tm_sec = s;
	t = timegm(&tm);
	/* A date that does not exist (month 13, 30 February) normalises to
	 * another one: not one of ours. */
	if (t < 0 || !gmtime_r(&t, &back) || back.tm_year != y - 1900 || back.tm_mon != mo - 1 ||
	    back.tm_mday != d || back.tm_hour != h || back.tm_min != mi || back.tm_sec != s)
		return -EINVAL;
	*real_s = (int64_t)t;
	return 0;
}

int snapdir_parse_name(const char *name, int tmp, int64_t *real_s)
{
	const char *p = name, *tail = tmp ? SUFFIX ".tmp" : SUFFIX;

	if (tmp && *p++ != '.')
		return -EINVAL;
	if (strncmp(p, PREFIX, strlen(PREFIX)))
		return -EINVAL;
	p += strlen(PREFIX);
	if (strnlen(p, STAMP_LEN) < STAMP_LEN || strcmp(p + STAMP_LEN, tail))
		return -EINVAL;
	return parse_stamp(p, real_s);
}

int snapdir_expired(const char *name, int64_t now_s, uint64_t keep_s)
{
	int64_t t;

	if (!keep_s || keep_s > INT64_MAX / 2)
		return 0;
	if (snapdir_parse_name(name, 0, &t) && snapdir_parse_name(name, 1, &t))
		return 0;
	return now_s - t > (int64_t)keep_s;
}

/* ---- the directory ---- */

static int open_dir(const char *path)
{
	return open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
}

struct snapdir *snapdir_open(const char *path, uint64_t keep_s)
{
	struct snapdir *sd = calloc(1, sizeof(*sd));
	int err = 0;

	if (!sd || !(sd->path = strdup(path)))
		err = ENOMEM;
	else if ((sd->dirfd = open_dir(path)) < 0)
		err = errno;
	if (err && sd) {
		free(sd->path);
		free(sd);
		sd = NULL;
	}
	if (err)
		errno = err;
	else
		sd->keep_s = keep_s;
	return sd;
}

int snapdir_reopen(struct snapdir *sd)
{
	int fd = open_dir(sd->path);

	if (fd < 0)
		return -errno;
	close(sd->dirfd);
	sd->dirfd = fd;
	return 0;
}

void snapdir_close(struct snapdir *sd)
{
	if (!sd)
		return;
	close(sd->dirfd);
	free(sd->path);
	free(sd);
}

const char *snapdir_path(const struct snapdir *sd)
{
	return sd->path;
}

const struct snapdir_stats *snapdir_stats(const struct snapdir *sd)
{
	return &sd->st;
}

static int write_all(int fd, const char *data, size_t len)
{
	size_t off = 0;
	ssize_t n;
	int err = 0;

	while (!err && off < len) {
		n = write(fd, data + off, len - off);
		if (n < 0 && errno != EINTR)
			err = -errno;
		else if (n == 0)
			err = -EIO;
		else if (n > 0)
			off += (size_t)n;
	}
	return err;
}

/* The atomic write itself; *step names where it failed. */
static int write_file(struct snapdir *sd, const char *tmp, const char *name, const char *data,
		      size_t len, const char **step)
{
	int fd, err;

	*step = "open";
	/* O_EXCL: never a file someone else made (a planted temp file would
	 * keep its owner and mode); 0600: snapshots hold command lines. */
	fd = openat(sd->dirfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW | O_NOCTTY,
		    0600);
	err = fd < 0 ? -errno : 0;
	if (!err) {
		*step = "write";
		err = write_all(fd, data, len);
	}
	if (!err) {
		*step = "fsync";
		err = fsync(fd) ? -errno : 0;
	}
	if (fd >= 0 && close(fd) && !err) {
		*step = "close";
		err = -errno;
	}
	if (!err) {
		*step = "rename";
		err = renameat(sd->dirfd, tmp, sd->dirfd, name) ? -errno : 0;
	}
	if (err && fd >= 0)
		unlinkat(sd->dirfd, tmp, 0); /* nothing partial stays behind */
	if (!err) {
		/* The file is in place; without this it may not survive a
		 * crash. Counted as a failure, the file stays. */
		*step = "fsync dir";
		err = fsync(sd->dirfd) ? -errno : 0;
	}
	return err;
}

/* Follows the path if it now names another directory (recreated,
 * remounted); refuses a directory that was deleted, where files would be
 * written to no name at all. 0 or -ENOENT. */
static int follow(struct snapdir *sd, FILE *log)
{
	struct stat now, held;
	int err = fstat(sd->dirfd, &held) ? -errno : 0;

	if (!err && !stat(sd->path, &now) && S_ISDIR(now.st_mode) &&
	    (now.st_dev != held.st_dev || now.st_ino != held.st_ino) && !snapdir_reopen(sd)) {
		sd->st.followed++;
		if (log)
			fprintf(log, "mlprofd: snapshot directory %s was replaced; writing to the "
				     "new one\n", sd->path);
		held = now;
	}
	if (!err && !held.st_nlink)
		err = -ENOENT;
	return err;
}

int snapdir_write(struct snapdir *sd, int64_t real_s, const char *data, size_t len, FILE *log)
{
	char name[SNAPDIR_NAME_MAX], tmp[SNAPDIR_NAME_MAX];
	const char *step = "name";
	int err = snapdir_name(real_s, name, sizeof(name));

	if (!err)
		err = snapdir_tmp_name(real_s, tmp, sizeof(tmp));
	if (!err) {
		step = "directory removed";
		err = follow(sd, log);
	}
	if (!err)
		err = write_file(sd, tmp, name, data, len, &step);
	if (err) {
		sd->st.failed++;
		if (!sd->st.streak++ && log)
			fprintf(log, "mlprofd: snapshot %s/%s not written (%s): %s; the profile "
				     "stays in memory and the next snapshot includes it; further "
				     "failures are only counted (mlprofctl status) until a write "
				     "succeeds\n",
				sd->path, name, step, strerror(-err));
		sd->st.last_err = err;
		snprintf(sd->st.last_step, sizeof(sd->st.last_step), "%s", step);
	} else {
		if (sd->st.streak && log)
			fprintf(log, "mlprofd: snapshot %s/%s written; %llu write(s) had failed "
				     "before it\n",
				sd->path, name, (unsigned long long)sd->st.streak);
		sd->st.streak = 0;
		sd->st.written++;
		sd->st.last_bytes = len;
		snprintf(sd->st.last_file, sizeof(sd->st.last_file), "%s", name);
	}
	return err;
}

/* Pruned: only regular files we own (a user's file with our name pattern
 * in a shared directory is not ours to delete). */
static int is_ours(int dirfd, const struct dirent *de)
{
	struct stat st;

	return !fstatat(dirfd, de->d_name, &st, AT_SYMLINK_NOFOLLOW) && S_ISREG(st.st_mode) &&
	       st.st_uid == geteuid();
}

int snapdir_prune(struct snapdir *sd, int64_t now_s)
{
	int fd = openat(sd->dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	DIR *d = fd >= 0 ? fdopendir(fd) : NULL;
	struct dirent *de;
	int n = 0, err = 0;

	if (!d) {
		err = -errno;
		if (fd >= 0)
			close(fd);
	}
	while (d && (de = readdir(d)) != NULL) {
		if (!snapdir_expired(de->d_name, now_s, sd->keep_s) || !is_ours(sd->dirfd, de))
			continue;
		if (unlinkat(sd->dirfd, de->d_name, 0)) {
			sd->st.remove_failed++;
		} else {
			sd->st.removed++;
			n++;
		}
	}
	if (d)
		closedir(d);
	return err ? err : n;
}
