// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* The minimized kernel BTF cache: reading, checking and making its files
 * (btfcache.h; the pure parts in btfkey.c). */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include "btfcache.h"

#define KERNEL_NOTES "/sys/kernel/notes"
#define KERNEL_BTF "/sys/kernel/btf/vmlinux"
/* Notes of a kernel are a few hundred bytes. */
#define NOTES_MAX 4096
/* bpftool takes 0.1 s here; a stuck one is killed after this. */
#define BPFTOOL_TIMEOUT_S 60

/* Reads up to cap bytes of fd: the count or -errno. */
static ssize_t read_all(int fd, void *buf, size_t cap)
{
	size_t got = 0;
	ssize_t n = 1;

	while (n > 0 && got < cap) {
		n = read(fd, (char *)buf + got, cap - got);
		if (n < 0 && errno == EINTR)
			n = 1;
		else if (n > 0)
			got += (size_t)n;
	}
	return n < 0 ? -errno : (ssize_t)got;
}

static int write_all(int fd, const void *buf, size_t n)
{
	size_t done = 0;
	ssize_t w;
	int err = 0;

	while (!err && done < n) {
		w = write(fd, (const char *)buf + done, n - done);
		if (w < 0 && errno != EINTR)
			err = -errno;
		else if (w > 0)
			done += (size_t)w;
	}
	return err;
}

int btfcache_key(const void *obj, size_t objlen, struct btfkey *k)
{
	uint8_t notes[NOTES_MAX];
	int fd = open(KERNEL_NOTES, O_RDONLY | O_CLOEXEC), err = fd < 0 ? -errno : 0;
	ssize_t n = 0;

	memset(k, 0, sizeof(*k));
	if (!err) {
		n = read_all(fd, notes, sizeof(notes));
		err = n < 0 ? (int)n : 0;
		close(fd);
	}
	if (!err)
		err = btfkey_build_id(notes, (size_t)n, k->id, &k->idlen);
	if (!err) {
		k->obj_hash = btfkey_hash(obj, objlen);
		k->obj_len = objlen;
	}
	return err;
}

/* Only root (the daemon's user) may have written what is in it: the
 * directory is ours and closed to others, and its parent cannot swap it
 * (ours or root's, writable by no one else unless sticky). */
static int dir_is_safe(int dfd)
{
	struct stat st, up;
	int pfd = openat(dfd, "..", O_RDONLY | O_DIRECTORY | O_CLOEXEC), err = 0;

	if (pfd < 0 || fstat(dfd, &st) || fstat(pfd, &up))
		err = -errno;
	else if (st.st_uid != geteuid() || (st.st_mode & 077) ||
		 (up.st_uid != 0 && up.st_uid != geteuid()) ||
		 ((up.st_mode & 022) && !(up.st_mode & S_ISVTX)))
		err = -EPERM;
	if (pfd >= 0)
		close(pfd);
	return err;
}

static int open_dir(const char *dir)
{
	int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	int err = dfd < 0 ? -errno : dir_is_safe(dfd);

	if (err && dfd >= 0)
		close(dfd);
	return err ? err : dfd;
}

/* A memfd with n bytes of buf, or -errno. */
static int memfd_with(const void *buf, size_t n)
{
	int fd = memfd_create("mlprof-btf", MFD_CLOEXEC), err = fd < 0 ? -errno : 0;

	if (!err)
		err = write_all(fd, buf, n);
	if (err && fd >= 0)
		close(fd);
	return err ? err : fd;
}

int btfcache_load(const char *dir, const struct btfkey *k)
{
	char name[BTFKEY_NAME_MAX];
	struct stat st;
	size_t btf_len = 0;
	void *buf = NULL;
	int dfd = open_dir(dir), fd = -1, err = dfd < 0 ? dfd : btfkey_name(k, name);
	ssize_t n = 0;

	if (!err) {
		fd = openat(dfd, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
		err = fd < 0 ? -errno : 0;
	}
	if (!err && fstat(fd, &st))
		err = -errno;
	if (!err && (!S_ISREG(st.st_mode) || st.st_uid != geteuid() || (st.st_mode & 022)))
		err = -EPERM;
	if (!err && (st.st_size < (off_t)sizeof(struct btfkey_hdr) ||
		     st.st_size > (off_t)(sizeof(struct btfkey_hdr) + BTFKEY_BTF_MAX)))
		err = -EINVAL;
	if (!err) {
		buf = malloc((size_t)st.st_size);
		err = buf ? 0 : -ENOMEM;
	}
	if (!err) {
		n = read_all(fd, buf, (size_t)st.st_size);
		err = n < 0 ? (int)n : 0;
	}
	if (!err)
		err = btfkey_check(buf, (size_t)n, k, &btf_len);
	if (!err)
		err = memfd_with((char *)buf + sizeof(struct btfkey_hdr), btf_len);
	free(buf);
	if (fd >= 0)
		close(fd);
	if (dfd >= 0)
		close(dfd);
	return err;
}

/* The directory, made 0700 (and its parent 0755) if missing. */
static int make_dir(const char *dir)
{
	char parent[PATH_MAX];
	char *slash;
	int n = snprintf(parent, sizeof(parent), "%s", dir);

	if (n > 0 && (size_t)n < sizeof(parent)) {
		slash = strrchr(parent, '/');
		if (slash && slash != parent) {
			*slash = '\0';
			(void)mkdir(parent, 0755); /* EEXIST; any other error shows below */
		}
	}
	(void)mkdir(dir, 0700);
	return open_dir(dir);
}

/* Runs bpftool gen min_core_btf KERNEL_BTF out obj: 0 or -errno. */
static int run_bpftool(const char *out, const char *obj)
{
	char *const argv[] = { "bpftool", "gen", "min_core_btf", KERNEL_BTF, (char *)out,
			       (char *)obj, NULL };
	char *const envp[] = { "PATH=/usr/sbin:/usr/bin:/sbin:/bin", NULL };
	struct stat st;
	int status = 0, err = 0;
	pid_t pid;

	/* The tool runs as root: only one that root alone could have put there. */
	if (stat(BTFCACHE_BPFTOOL, &st))
		err = -errno;
	else if (st.st_uid != 0 || (st.st_mode & 022))
		err = -EPERM;
	pid = err ? -1 : fork();
	if (!err && pid < 0)
		err = -errno;
	if (pid == 0) {
		alarm(BPFTOOL_TIMEOUT_S);
		execve(BTFCACHE_BPFTOOL, argv, envp);
		_exit(127);
	}
	while (pid > 0 && waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (!err && (!WIFEXITED(status) || WEXITSTATUS(status)))
		err = -EIO;
	return err;
}

/* Writes obj to DIR/name, 0600, new. */
static int write_new(int dfd, const char *name, const void *a, size_t an, const void *b,
		     size_t bn)
{
	int fd = openat(dfd, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	int err = fd < 0 ? -errno : write_all(fd, a, an);

	if (!err && bn)
		err = write_all(fd, b, bn);
	if (!err && fsync(fd))
		err = -errno;
	if (fd >= 0)
		close(fd);
	return err;
}

/* Reads DIR/name (at most cap bytes) into a new buffer. */
static int read_new(int dfd, const char *name, size_t cap, void **out, size_t *n)
{
	int fd = openat(dfd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC), err = fd < 0 ? -errno : 0;
	ssize_t got = 0;

	*out = err ? NULL : malloc(cap);
	if (!err && !*out)
		err = -ENOMEM;
	if (!err) {
		got = read_all(fd, *out, cap);
		err = got < 0 ? (int)got : got == 0 || (size_t)got == cap ? -EINVAL : 0;
	}
	if (err) {
		free(*out);
		*out = NULL;
	}
	*n = err ? 0 : (size_t)got;
	if (fd >= 0)
		close(fd);
	return err;
}

int btfcache_make(const char *dir, const struct btfkey *k, const void *obj, size_t objlen)
{
	char name[BTFKEY_NAME_MAX], tobj[64], traw[64], tout[64], pobj[PATH_MAX], praw[PATH_MAX];
	struct btfkey_hdr h;
	void *btf = NULL;
	size_t n = 0;
	int dfd = make_dir(dir), err = dfd < 0 ? dfd : btfkey_name(k, name);
	int pid = (int)getpid();

	snprintf(tobj, sizeof(tobj), ".tmp-%d.o", pid);
	snprintf(traw, sizeof(traw), ".tmp-%d.raw", pid);
	snprintf(tout, sizeof(tout), ".tmp-%d.btf", pid);
	if (!err && ((size_t)snprintf(pobj, sizeof(pobj), "%s/%s", dir, tobj) >= sizeof(pobj) ||
		     (size_t)snprintf(praw, sizeof(praw), "%s/%s", dir, traw) >= sizeof(praw)))
		err = -ENAMETOOLONG;
	if (!err)
		err = write_new(dfd, tobj, obj, objlen, NULL, 0);
	if (!err)
		err = run_bpftool(praw, pobj);
	if (!err)
		err = read_new(dfd, traw, BTFKEY_BTF_MAX + 1, &btf, &n);
	if (!err)
		err = btfkey_header(k, btf, n, &h);
	if (!err)
		err = write_new(dfd, tout, &h, sizeof(h), btf, n);
	if (!err && renameat(dfd, tout, dfd, name))
		err = -errno;
	if (dfd >= 0) {
		unlinkat(dfd, tobj, 0);
		unlinkat(dfd, traw, 0);
		unlinkat(dfd, tout, 0);
		close(dfd);
	}
	free(btf);
	return err;
}

const char *btfcache_strerror(int err)
{
	const char *s;

	switch (err) {
	case -ENOENT:
		s = "no file for this kernel and object";
		break;
	case -EPERM:
		s = "directory or file not root's alone";
		break;
	case -EINVAL:
		s = "corrupt";
		break;
	case -ESTALE:
		s = "made for another kernel or object";
		break;
	default:
		s = strerror(-err);
		break;
	}
	return s;
}
