// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* One read of a target's file as the target. A forked helper enters the
 * target's root, takes its file credentials (all of uid/gid/groups: the
 * helper is single-threaded and exits after one file, so nothing leaks back
 * to the daemon), opens with O_NOFOLLOW|O_NONBLOCK|O_NOCTTY (no final
 * symlink, no blocking on a FIFO, never a controlling terminal), accepts
 * regular files only and streams at most MAX bytes through a pipe. The
 * daemon waits on the pipe for at most TFREAD_TIMEOUT_MS, then kills it. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "strbuf.h"
#include "tcred.h"
#include "tfread.h"

#define OPEN_FLAGS (O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC)

/* What the helper says before the file's bytes. */
struct tfread_hdr {
	int32_t err;      /* 0 or -errno */
	int32_t pad;
	int64_t mtime_ns; /* the file's modification time (CLOCK_REALTIME) */
};

static int write_all(int fd, const void *p, size_t n)
{
	const char *c = p;
	ssize_t w;
	int ret = 0;

	while (n && !ret) {
		w = write(fd, c, n);
		if (w < 0 && errno != EINTR)
			ret = -errno;
		else if (w > 0) {
			c += w;
			n -= (size_t)w;
		}
	}
	return ret;
}

/* Becomes the target (root, then credentials). Only raw syscalls: this
 * runs in a fork of a multi-threaded process. 0 or -errno. */
static int become_target(const char *root, const struct tcred *c)
{
	int ret = 0;

	if (geteuid() != 0)
		return 0; /* unprivileged: the kernel already limits us */
	if (chroot(root) || chdir("/"))
		ret = -errno;
	else if (syscall(SYS_setgroups, c->ngroups, c->groups))
		ret = -errno;
	else if (syscall(SYS_setresgid, c->fsgid, c->fsgid, c->fsgid))
		ret = -errno;
	else if (syscall(SYS_setresuid, c->fsuid, c->fsuid, c->fsuid))
		ret = -errno;
	return ret;
}

/* The helper: a status int (0 or -errno), then the file's bytes. */
static void helper(int wfd, const char *root, const char *path, const char *unpriv_path,
		   const struct tcred *c, size_t max, int check_only)
{
	struct tfread_hdr hdr = { 0 };
	char buf[65536];
	struct stat st;
	size_t total = 0;
	ssize_t n = 1;
	int fd = -1, err;

	err = become_target(root, c);
	if (!err) {
		fd = open(geteuid() == 0 ? path : unpriv_path, OPEN_FLAGS);
		err = fd < 0 ? -errno : 0;
	}
	if (!err && fstat(fd, &st))
		err = -errno;
	else if (!err && !S_ISREG(st.st_mode))
		err = -EINVAL;
	else if (!err && (uint64_t)st.st_size > max)
		err = -EFBIG;
	hdr.err = err;
	hdr.mtime_ns = err ? 0 : (int64_t)st.st_mtim.tv_sec * 1000000000 + st.st_mtim.tv_nsec;
	if (write_all(wfd, &hdr, sizeof(hdr)) || err || check_only)
		_exit(err ? 1 : 0);
	while (n > 0 && total <= max) {
		n = read(fd, buf, sizeof(buf));
		if (n < 0 && errno == EINTR)
			n = 1;
		else if (n > 0 && write_all(wfd, buf, (size_t)n))
			_exit(1);
		else if (n > 0)
			total += (size_t)n;
	}
	_exit(n < 0 ? 2 : total > max ? 3 : 0);
}

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Reads the helper's pipe until EOF or the deadline. 0 or -errno. */
static int drain(int rfd, struct strbuf *sb, size_t max)
{
	long long deadline = now_ms() + TFREAD_TIMEOUT_MS, left;
	struct pollfd p = { .fd = rfd, .events = POLLIN };
	char buf[65536];
	ssize_t n = 1;
	int ret = 0, r;

	while (!ret && n > 0) {
		left = deadline - now_ms();
		r = left > 0 ? poll(&p, 1, (int)left) : 0;
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			ret = -errno;
		else if (r == 0)
			ret = -ETIMEDOUT;
		else if ((n = read(rfd, buf, sizeof(buf))) < 0 && errno != EINTR)
			ret = -errno;
		else if (n > 0 && sb->len + (size_t)n > max + sizeof(struct tfread_hdr))
			ret = -EFBIG;
		else if (n > 0)
			strbuf_append(sb, buf, (size_t)n);
		if (n < 0 && errno == EINTR)
			n = 1;
	}
	if (!ret && sb->err)
		ret = -ENOMEM;
	return ret;
}

/* PATH as the target sees it: a path the daemon got through /proc (a
 * chroot'ed target's cwd reads "/srv/jail/home/u") starts with the
 * target's root as the daemon sees it; that prefix is dropped. Whatever
 * is left is opened inside the target's root as the target, so a path
 * made to look prefixed reaches nothing the target could not. */
static const char *inner_path(int pid, const char *path)
{
	char link[64], root[4096];
	ssize_t n;
	size_t k;

	snprintf(link, sizeof(link), "/proc/%d/root", pid);
	n = readlink(link, root, sizeof(root) - 1);
	if (n <= 1)
		return path; /* "/" (or unreadable): nothing to drop */
	root[n] = '\0';
	k = (size_t)n;
	return !strncmp(path, root, k) && path[k] == '/' ? path + k : path;
}

static int run(int pid, const char *path, size_t max, int check_only, struct strbuf *sb)
{
	char root[64], unpriv[4200];
	struct stat pre;
	struct tcred cred;
	int fds[2], ret, st = 0, herr = 0;
	pid_t child;

	if (path[0] != '/')
		return -EINVAL;
	path = inner_path(pid, path);
	ret = tcred_read(pid, &cred);
	if (ret)
		return ret;
	snprintf(root, sizeof(root), "/proc/%d/root", pid);
	if ((size_t)snprintf(unpriv, sizeof(unpriv), "%s%s", root, path) >= sizeof(unpriv))
		return -ENAMETOOLONG;
	/* Absent even for root: absent for the target too, and no helper is
	 * needed. Most lookups are these (the .ml beside each .py of the
	 * standard library), and a helper per lookup, a process to schedule
	 * each time, held the event loop for seconds on a busy machine. The
	 * answer tells the target nothing it could not see itself. */
	if (fstatat(AT_FDCWD, unpriv, &pre, AT_SYMLINK_NOFOLLOW) &&
	    (errno == ENOENT || errno == ENOTDIR))
		return -ENOENT;
	if (pipe2(fds, O_CLOEXEC))
		return -errno;
	child = fork();
	if (child == 0) {
		close(fds[0]);
		helper(fds[1], root, path, unpriv, &cred, max, check_only);
	}
	close(fds[1]);
	ret = child < 0 ? -errno : drain(fds[0], sb, max);
	close(fds[0]);
	if (child > 0) {
		if (ret)
			kill(child, SIGKILL);
		while (waitpid(child, &st, 0) < 0 && errno == EINTR)
			;
	}
	if (!ret && sb->len < sizeof(struct tfread_hdr))
		ret = -EIO; /* the helper died before saying anything */
	if (!ret)
		memcpy(&herr, sb->buf, sizeof(herr)); /* hdr.err comes first */
	if (!ret && herr)
		ret = herr < 0 ? herr : -EIO;
	else if (!ret && (!WIFEXITED(st) || WEXITSTATUS(st)))
		ret = -EIO; /* a read error or a file that grew past MAX */
	return ret;
}

int tfread_at(int pid, const char *path, size_t max, char **out, size_t *len,
	      int64_t *mtime_ns)
{
	struct strbuf sb = STRBUF_INIT;
	struct tfread_hdr hdr;
	int ret;

	*out = NULL;
	*len = 0;
	if (mtime_ns)
		*mtime_ns = 0;
	ret = run(pid, path, max, 0, &sb);
	if (!ret) {
		memcpy(&hdr, sb.buf, sizeof(hdr));
		if (mtime_ns)
			*mtime_ns = hdr.mtime_ns;
		memmove(sb.buf, sb.buf + sizeof(hdr), sb.len - sizeof(hdr));
		sb.len -= sizeof(hdr);
		sb.buf[sb.len] = '\0';
		*len = sb.len;
		*out = strbuf_detach(&sb);
	}
	strbuf_free(&sb);
	return ret;
}

int tfread(int pid, const char *path, size_t max, char **out, size_t *len)
{
	return tfread_at(pid, path, max, out, len, NULL);
}

int tfread_check(int pid, const char *path)
{
	struct strbuf sb = STRBUF_INIT;
	int ret = run(pid, path, SIZE_MAX / 2, 1, &sb);

	strbuf_free(&sb);
	return ret;
}
