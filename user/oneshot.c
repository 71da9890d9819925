// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* The one-shot child: forked, held until the daemon has made it a target,
 * then exec'd, so that sampling covers the command from its first
 * instruction. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
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

int oneshot_exit_code(int st)
{
	if (WIFEXITED(st))
		return WEXITSTATUS(st);
	if (WIFSIGNALED(st))
		return 128 + WTERMSIG(st);
	return 1;
}
