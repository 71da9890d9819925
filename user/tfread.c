// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* One read of a target's file as the target. A forked helper enters the
 * target's root, takes its file credentials (all of uid/gid/groups: the
 * helper is single-threaded and exits after one file, so nothing leaks back
 * to the daemon), opens with O_NOFOLLOW|O_NONBLOCK|O_NOCTTY (no final
 * symlink, no blocking on a FIFO, never a controlling terminal), accepts
 * regular files only, reads at most MAX bytes and sends them through a
 * pipe. The daemon waits on the pipe for at most TFREAD_TIMEOUT_MS, then
 * kills the helper without waiting for it: a read that a FUSE server never
 * answers cannot be killed (once the server has taken the request the
 * reader waits for the answer uninterruptibly), so the helper is a
 * grandchild that init reaps, signalled through a pidfd. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "mntlocal.h"
#include "strbuf.h"
#include "tcred.h"
#include "tfguard.h"
#include "tfread.h"

#define OPEN_FLAGS (O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC)

/* What the helper says before the file's bytes. */
struct tfread_hdr {
	int32_t err;      /* 0 or -errno */
	int32_t pad;
	int64_t mtime_ns; /* the file's modification time (CLOCK_REALTIME) */
	uint64_t len;     /* bytes that follow: the whole file */
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

/* Reads all of fd (at most max bytes) into a fresh mapping (no malloc:
 * this runs in a fork of a multi-threaded process). 0 or -errno. */
static int slurp(int fd, size_t max, char **buf, size_t *len)
{
	size_t cap = max + 1;
	ssize_t n = 1;
	int err = 0;

	*len = 0;
	*buf = mmap(NULL, cap, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (*buf == MAP_FAILED)
		return -ENOMEM;
	while (n > 0 && !err) {
		n = read(fd, *buf + *len, cap - *len);
		if (n < 0 && errno == EINTR)
			n = 1;
		else if (n < 0)
			err = -errno;
		else if ((*len += (size_t)n) > max)
			err = -EFBIG; /* grew past MAX since fstat */
	}
	return err;
}

/* Closes every descriptor but a and b: the helper may outlive the daemon
 * (stuck in a filesystem), and must not keep its BPF links, maps, perf
 * events and sockets alive meanwhile. */
static void keep_only(int a, int b)
{
	unsigned int lo = (unsigned int)(a < b ? a : b), hi = (unsigned int)(a < b ? b : a);

	if (lo > 0)
		syscall(SYS_close_range, 0U, lo - 1, 0U);
	if (hi > lo + 1)
		syscall(SYS_close_range, lo + 1, hi - 1, 0U);
	syscall(SYS_close_range, hi + 1, ~0U, 0U);
}

/* The helper: waits for the daemon's go (it has a pidfd of us by then),
 * then sends a header (0 or -errno, mtime, length) and the file's bytes. */
static void helper(int wfd, int gofd, const char *root, const char *path,
		   const char *unpriv_path, const struct tcred *c, size_t max, int check_only)
{
	struct tfread_hdr hdr = { 0 };
	struct stat st;
	char go, *buf = NULL;
	size_t len = 0;
	int fd = -1, err;

	keep_only(wfd, gofd);
	if (read(gofd, &go, 1) != 1)
		_exit(1); /* the daemon gave up before we started */
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
	if (!err && !check_only)
		err = slurp(fd, max, &buf, &len);
	hdr.err = err;
	hdr.mtime_ns = err ? 0 : (int64_t)st.st_mtim.tv_sec * 1000000000 + st.st_mtim.tv_nsec;
	hdr.len = err ? 0 : len;
	if (write_all(wfd, &hdr, sizeof(hdr)) || (hdr.len && write_all(wfd, buf, len)))
		_exit(1);
	_exit(0);
}

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Reads the helper's pipe (non-blocking) until EOF or the deadline
 * (CLOCK_MONOTONIC ms). 0 or -errno. */
static int drain(int rfd, long long deadline, struct strbuf *sb, size_t max)
{
	struct pollfd p = { .fd = rfd, .events = POLLIN };
	char buf[65536];
	long long left;
	ssize_t n = 1;
	int ret = 0, r;

	while (!ret && n != 0) {
		left = deadline - now_ms();
		r = left > 0 ? poll(&p, 1, (int)left) : 0;
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			ret = -errno;
		else if (r == 0)
			ret = -ETIMEDOUT;
		else if ((n = read(rfd, buf, sizeof(buf))) < 0 && errno != EINTR && errno != EAGAIN)
			ret = -errno;
		else if (n > 0 && sb->len + (size_t)n > max + sizeof(struct tfread_hdr))
			ret = -EFBIG;
		else if (n > 0)
			strbuf_append(sb, buf, (size_t)n);
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

/* Reads exactly n bytes already in the (non-blocking) pipe. 0 or -EIO. */
static int take(int fd, void *p, size_t n)
{
	ssize_t r;

	do
		r = read(fd, p, n);
	while (r < 0 && errno == EINTR);
	return r == (ssize_t)n ? 0 : -EIO;
}

/* Starts the helper as a grandchild: a middle child forks it, sends its
 * pid and exits at once, so the daemon only ever waits for the middle one
 * and init reaps the helper whenever it ends. The helper waits for a go
 * until the daemon holds a pidfd of it (its pid cannot be reused before).
 * *rfd: the helper's pipe (non-blocking), *pidfd; 0 or -errno. */
static int spawn(const char *root, const char *path, const char *unpriv, const struct tcred *c,
		 size_t max, int check_only, int *rfd, int *pidfd)
{
	int out[2], go[2] = { -1, -1 }, ret = 0, st;
	int32_t hpid = 0;
	pid_t mid = -1;

	*rfd = *pidfd = -1;
	if (pipe2(out, O_CLOEXEC))
		return -errno;
	if (pipe2(go, O_CLOEXEC) || fcntl(out[0], F_SETFL, O_NONBLOCK))
		ret = -errno;
	if (!ret && (mid = fork()) == 0) {
		pid_t h;

		close(out[0]);
		close(go[1]);
		h = fork();
		if (h == 0)
			helper(out[1], go[0], root, path, unpriv, c, max, check_only);
		hpid = h < 0 ? -errno : h;
		_exit(write_all(out[1], &hpid, sizeof(hpid)) ? 1 : 0);
	}
	if (!ret && mid < 0)
		ret = -errno;
	close(out[1]);
	if (go[0] >= 0)
		close(go[0]);
	if (mid > 0)
		while (waitpid(mid, &st, 0) < 0 && errno == EINTR)
			;
	if (!ret && take(out[0], &hpid, sizeof(hpid)))
		ret = -EIO; /* the middle child died before saying */
	if (!ret && hpid < 0)
		ret = hpid;
	if (!ret && (*pidfd = (int)syscall(SYS_pidfd_open, hpid, 0)) < 0)
		ret = -errno;
	if (!ret && write(go[1], "g", 1) != 1)
		ret = -errno;
	if (go[1] >= 0)
		close(go[1]); /* on an error the helper reads EOF and exits */
	if (ret && *pidfd >= 0)
		close(*pidfd);
	if (ret) {
		close(out[0]);
		*pidfd = -1;
	} else {
		*rfd = out[0];
	}
	return ret;
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

static int run(int pid, const char *path, size_t max, int check_only, struct tfguard *g,
	       struct strbuf *sb)
{
	char root[64], unpriv[4200];
	struct tfread_hdr hdr;
	struct stat pre;
	struct tcred cred;
	int ret, rfd = -1, pidfd = -1;

	if (path[0] != '/')
		return -EINVAL;
	path = inner_path(pid, path);
	ret = tcred_read(pid, &cred);
	if (ret)
		return ret;
	if (tfguard__held(g, cred.fsuid, now_ns()))
		return -EAGAIN;
	snprintf(root, sizeof(root), "/proc/%d/root", pid);
	if ((size_t)snprintf(unpriv, sizeof(unpriv), "%s%s", root, path) >= sizeof(unpriv))
		return -ENAMETOOLONG;
	/* Absent even for root: absent for the target too, and no helper is
	 * needed. Most lookups are these (the .ml beside each .py of the
	 * standard library), and a helper per lookup, a process to schedule
	 * each time, held the event loop for seconds on a busy machine. The
	 * answer tells the target nothing it could not see itself. (A user's
	 * FUSE mount refuses root at once: only its owner may use it, unless
	 * the administrator allowed allow_other.) Only on a filesystem the
	 * kernel answers itself: root's lookup on a FUSE or network mount
	 * that never answers would hold the daemon for good (it cannot be
	 * interrupted); there the helper, bounded and killed, looks. */
	if (mntlocal_is_local(pid, path) &&
	    fstatat(AT_FDCWD, unpriv, &pre, AT_SYMLINK_NOFOLLOW) &&
	    (errno == ENOENT || errno == ENOTDIR))
		return -ENOENT;
	ret = spawn(root, path, unpriv, &cred, max, check_only, &rfd, &pidfd);
	/* The bound is on what the target's files control: from the go on.
	 * Forking the helper is the daemon's own cost (on a loaded machine,
	 * hundreds of ms), and counting it held a user's files for minutes
	 * over a read that never stalled. */
	if (!ret)
		ret = drain(rfd, now_ms() + TFREAD_TIMEOUT_MS, sb, max);
	if (ret == -ETIMEDOUT)
		tfguard__stalled(g, cred.fsuid, now_ns());
	if (ret && pidfd >= 0)
		syscall(SYS_pidfd_send_signal, pidfd, SIGKILL, NULL, 0);
	if (pidfd >= 0)
		close(pidfd);
	if (rfd >= 0)
		close(rfd);
	if (!ret && sb->len < sizeof(hdr))
		ret = -EIO; /* the helper died before saying anything */
	if (!ret)
		memcpy(&hdr, sb->buf, sizeof(hdr));
	if (!ret && hdr.err)
		ret = hdr.err < 0 ? hdr.err : -EIO;
	else if (!ret && hdr.len != sb->len - sizeof(hdr))
		ret = -EIO; /* the helper died while sending */
	return ret;
}

int tfread_at(int pid, const char *path, size_t max, char **out, size_t *len,
	      int64_t *mtime_ns, struct tfguard *g)
{
	struct strbuf sb = STRBUF_INIT;
	struct tfread_hdr hdr;
	int ret;

	*out = NULL;
	*len = 0;
	if (mtime_ns)
		*mtime_ns = 0;
	ret = run(pid, path, max, 0, g, &sb);
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
	return tfread_at(pid, path, max, out, len, NULL, NULL);
}

int tfread_check(int pid, const char *path, struct tfguard *g)
{
	struct strbuf sb = STRBUF_INIT;
	int ret = run(pid, path, SIZE_MAX / 2, 1, g, &sb);

	strbuf_free(&sb);
	return ret;
}
