// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* tfread on our own process: what it accepts and what it refuses. (Reading
 * as another user is tested end to end in tests/e2e/test_security.py.) */
#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "tfguard.h"
#include "tfread.h"

static char dir[] = "/tmp/mlprof-tfread-XXXXXX";

static void path_of(char *out, size_t n, const char *name)
{
	snprintf(out, n, "%s/%s", dir, name);
}

static void setup(void)
{
	char p[256], q[256];
	FILE *f;

	cr_assert_not_null(mkdtemp(dir));
	path_of(p, sizeof(p), "ok.ml");
	f = fopen(p, "w");
	cr_assert_not_null(f);
	fputs("function main() {}\n", f);
	fclose(f);
	path_of(q, sizeof(q), "link.ml");
	cr_assert_eq(symlink(p, q), 0);
	path_of(p, sizeof(p), "fifo.ml");
	cr_assert_eq(mkfifo(p, 0600), 0);
	path_of(p, sizeof(p), "big.ml");
	f = fopen(p, "w");
	cr_assert_not_null(f);
	cr_assert_eq(fseek(f, 100000, SEEK_SET), 0);
	fputc('x', f);
	fclose(f);
}

static void teardown(void)
{
	static const char *names[] = { "ok.ml", "link.ml", "fifo.ml", "big.ml" };
	char p[256];
	size_t i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		path_of(p, sizeof(p), names[i]);
		unlink(p);
	}
	rmdir(dir);
}

TestSuite(tfread, .init = setup, .fini = teardown);

Test(tfread, reads_a_regular_file)
{
	char p[256], *buf;
	size_t len;

	path_of(p, sizeof(p), "ok.ml");
	cr_assert_eq(tfread(getpid(), p, 1024, &buf, &len), 0);
	cr_assert_eq(len, 19);
	cr_assert_str_eq(buf, "function main() {}\n");
	free(buf);
	cr_assert_eq(tfread_check(getpid(), p, NULL), 0);
}

Test(tfread, refuses_what_is_not_a_plain_readable_file)
{
	char p[256], *buf = (char *)1;
	size_t len = 7;

	path_of(p, sizeof(p), "link.ml");
	cr_assert_eq(tfread(getpid(), p, 1024, &buf, &len), -ELOOP);
	cr_assert_null(buf);
	cr_assert_eq(len, 0);
	/* a FIFO with no writer: refused at once, never blocks */
	path_of(p, sizeof(p), "fifo.ml");
	cr_assert_eq(tfread(getpid(), p, 1024, &buf, &len), -EINVAL);
	cr_assert_eq(tfread_check(getpid(), p, NULL), -EINVAL);
	cr_assert_eq(tfread(getpid(), "/dev/zero", 1024, &buf, &len), -EINVAL);
	cr_assert_eq(tfread(getpid(), "/dev/tty", 1024, &buf, &len) < 0, 1);
	path_of(p, sizeof(p), "big.ml");
	cr_assert_eq(tfread(getpid(), p, 1024, &buf, &len), -EFBIG);
	cr_assert_eq(tfread(getpid(), "relative.ml", 1024, &buf, &len), -EINVAL);
	path_of(p, sizeof(p), "missing.ml");
	cr_assert_eq(tfread(getpid(), p, 1024, &buf, &len), -ENOENT);
}

Test(tfread, a_gone_process_is_an_error_not_the_host_view)
{
	char p[256], *buf;
	size_t len;

	path_of(p, sizeof(p), "ok.ml");
	/* pid_max is at most 4194304: this pid never exists */
	cr_assert_lt(tfread(99999999, p, 1024, &buf, &len), 0);
}

/* A chroot'ed target: its files are read inside its root, by the target's
 * path or by the path the daemon sees through /proc (root prefixed, as a
 * cwd read from /proc/PID/cwd is); the host's files are out of reach. */
Test(tfread, a_chrooted_target_is_read_inside_its_root)
{
	char p[256], *buf = NULL;
	int ready[2], hold[2];
	size_t len;
	pid_t child;
	char c;

	if (geteuid() != 0)
		cr_skip_test("needs root to chroot");
	cr_assert_eq(pipe(ready), 0);
	cr_assert_eq(pipe(hold), 0);
	child = fork();
	cr_assert_geq(child, 0);
	if (child == 0) {
		close(ready[0]);
		close(hold[1]);
		c = (char)(chroot(dir) == 0 && chdir("/") == 0);
		if (write(ready[1], &c, 1) != 1)
			_exit(1);
		_exit(read(hold[0], &c, 1) < 0);
	}
	close(ready[1]);
	close(hold[0]);
	cr_assert_eq(read(ready[0], &c, 1), 1);
	cr_assert_eq(c, 1, "chroot failed");
	cr_expect_eq(tfread(child, "/ok.ml", 1024, &buf, &len), 0);
	cr_expect_str_eq(buf ? buf : "", "function main() {}\n");
	free(buf);
	buf = NULL;
	path_of(p, sizeof(p), "ok.ml"); /* dir/ok.ml: the root as the daemon sees it */
	cr_expect_eq(tfread(child, p, 1024, &buf, &len), 0);
	cr_expect_str_eq(buf ? buf : "", "function main() {}\n");
	free(buf);
	cr_expect_eq(tfread_check(child, "/etc/passwd", NULL), -ENOENT, "a host file through a chroot");
	close(hold[1]);
	close(ready[0]);
	waitpid(child, NULL, 0);
}

Test(tfread, a_held_user_is_not_read)
{
	struct tfguard *g = tfguard__new();
	struct timespec ts;
	char p[256], *buf = NULL;
	size_t len;
	uint64_t now;

	path_of(p, sizeof(p), "ok.ml");
	cr_assert_eq(tfread_at(getpid(), p, 1024, &buf, &len, NULL, g), 0, "not held yet");
	free(buf);
	clock_gettime(CLOCK_MONOTONIC, &ts);
	now = (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
	tfguard__stalled(g, geteuid(), now); /* as a timeout would */
	cr_expect_eq(tfread_at(getpid(), p, 1024, &buf, &len, NULL, g), -EAGAIN);
	cr_expect_null(buf);
	cr_expect_eq(tfread_check(getpid(), p, g), -EAGAIN);
	cr_expect_eq(tfread_check(getpid(), p, NULL), 0, "without the guard it is read");
	tfguard__free(g);
}
