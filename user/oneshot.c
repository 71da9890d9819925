// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* The one-shot child: forked, held until the daemon has made it a target,
 * then exec'd, so that sampling covers the command from its first
 * instruction. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>
#include "oneshot.h"

int oneshot_spawn(struct oneshot *os, char *const argv[])
{
	int go[2] = { -1, -1 }, errp[2] = { -1, -1 }, err;
	sigset_t none;
	char b;
	pid_t pid;

	os->pid = -1;
	os->go_fd = os->err_fd = -1;
	if (pipe2(go, O_CLOEXEC) || pipe2(errp, O_CLOEXEC)) {
		err = -errno;
		goto fail;
	}
	pid = fork();
	if (pid < 0) {
		err = -errno;
		goto fail;
	}
	if (pid == 0) {
		close(go[1]);
		close(errp[0]);
		sigemptyset(&none);
		sigprocmask(SIG_SETMASK, &none, NULL);
		signal(SIGPIPE, SIG_DFL);
		if (read(go[0], &b, 1) != 1)
			_exit(127); /* the daemon went away */
		execvp(argv[0], argv);
		err = errno;
		if (write(errp[1], &err, sizeof(err)) < 0)
			_exit(127);
		_exit(127);
	}
	close(go[0]);
	close(errp[1]);
	os->pid = pid;
	os->go_fd = go[1];
	os->err_fd = errp[0];
	return 0;
fail:
	if (go[0] >= 0) {
		close(go[0]);
		close(go[1]);
	}
	if (errp[0] >= 0) {
		close(errp[0]);
		close(errp[1]);
	}
	return err;
}

int oneshot_release(struct oneshot *os)
{
	int child_errno = 0;
	ssize_t n;

	n = write(os->go_fd, "g", 1);
	close(os->go_fd);
	os->go_fd = -1;
	if (n != 1) {
		close(os->err_fd);
		os->err_fd = -1;
		return -EPIPE;
	}
	/* EOF (exec closed the CLOEXEC pipe) means the exec succeeded. */
	do {
		n = read(os->err_fd, &child_errno, sizeof(child_errno));
	} while (n < 0 && errno == EINTR);
	close(os->err_fd);
	os->err_fd = -1;
	return n == sizeof(child_errno) ? -child_errno : 0;
}

/* The detached child: no terminal, no pipe of the caller kept open (a
 * shell's $(...) would wait for it), gone once the parent is. */
_Noreturn static void hold_until_gone(int pidfd, void (*after)(void *), void *arg)
{
	struct pollfd pfd = { .fd = pidfd, .events = POLLIN };
	int null = open("/dev/null", O_RDWR | O_CLOEXEC);

	if (null >= 0) {
		dup2(null, STDIN_FILENO);
		dup2(null, STDOUT_FILENO);
		dup2(null, STDERR_FILENO);
	} else {
		close(STDIN_FILENO);
		close(STDOUT_FILENO);
		close(STDERR_FILENO);
	}
	setsid();
	/* Readable once the whole thread group has exited, after its files
	 * were released (the kernel's exit order): our references are then
	 * the last ones, and our exit pays for the closes. */
	while (poll(&pfd, 1, -1) < 0 && errno == EINTR)
		;
	/* Our exit closes the kernel objects; the work after holds none. */
	if (after && fork() == 0) {
		close_range(3, ~0U, 0);
		after(arg);
	}
	_exit(0);
}

int oneshot_detach_teardown(void (*after)(void *), void *arg)
{
	int pidfd, err = 0;
	pid_t pid;

	fflush(NULL); /* nothing buffered is written twice */
	pidfd = (int)syscall(SYS_pidfd_open, getpid(), 0);
	if (pidfd < 0)
		return -errno;
	pid = fork();
	if (pid == 0)
		hold_until_gone(pidfd, after, arg);
	if (pid < 0)
		err = -errno;
	close(pidfd);
	return err;
}

int oneshot_exit_code(int st)
{
	if (WIFEXITED(st))
		return WEXITSTATUS(st);
	if (WIFSIGNALED(st))
		return 128 + WTERMSIG(st);
	return 1;
}
