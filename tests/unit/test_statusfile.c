// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* The /proc/PID/status reader and line scanner, and the forged-name case:
 * a target names itself so that its Name: line would read as credentials. */
#include <criterion/criterion.h>
#include <errno.h>
#include <grp.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>
#include "procstatus.h"
#include "statusfile.h"
#include "tcred.h"

static const char STATUS[] =
	"Name:\tpython3.11\n"
	"Uid:\t1000\t1001\t1002\t1003\n"
	"Gid:\t2000\t2001\t2002\t2003\n"
	"Groups:\t24 25 \n"
	"VmHWM:\t   98765 kB\n";

Test(statusfile, finds_each_key_at_a_line_start)
{
	struct statusfile_field f[] = { { .key = "Uid:" }, { .key = "VmHWM:" }, { .key = "Nope:" } };
	const char *end, *v;

	statusfile_scan(STATUS, strlen(STATUS), f, 3);
	cr_assert_eq(f[0].count, 1);
	v = statusfile_one(&f[0], &end);
	cr_assert_not_null(v);
	cr_assert_eq(end - v, (long)strlen("\t1000\t1001\t1002\t1003"));
	cr_assert_eq(memcmp(v, "\t1000\t", 6), 0);
	cr_assert_eq(*end, '\n');
	cr_assert_eq(f[1].count, 1);
	cr_assert_eq(f[2].count, 0);
	cr_assert_null(statusfile_one(&f[2], &end));
	cr_assert_null(end);
}

Test(statusfile, a_key_inside_a_line_is_not_a_line)
{
	static const char s[] = "Name:\tUid:\t0\t0\t0\t0\nxUid:\t0\t0\t0\t0\n";
	struct statusfile_field f = { .key = "Uid:" };
	const char *end;

	statusfile_scan(s, strlen(s), &f, 1);
	cr_assert_eq(f.count, 0);
	cr_assert_null(statusfile_one(&f, &end));
}

Test(statusfile, a_repeated_key_is_nobodys_value)
{
	static const char s[] = "Uid:\t0\t0\t0\t0\nUid:\t5\t5\t5\t5\n";
	struct statusfile_field f = { .key = "Uid:" };
	const char *end;

	statusfile_scan(s, strlen(s), &f, 1);
	cr_assert_eq(f.count, 2);
	cr_assert_null(statusfile_one(&f, &end));
}

/* A read cut short: its last line has no '\n' and is not a line, so a
 * half Groups line is never taken for the whole. */
Test(statusfile, truncated_last_line_is_dropped)
{
	struct statusfile_field f[] = { { .key = "Gid:" }, { .key = "Groups:" } };
	size_t cut = (size_t)(strstr(STATUS, "Groups:") - STATUS) + 10;
	size_t i;

	statusfile_scan(STATUS, cut, f, 2);
	cr_assert_eq(f[0].count, 1);
	cr_assert_eq(f[1].count, 0);
	/* Every prefix: never a crash, never a value past the cut. */
	for (i = 0; i <= strlen(STATUS); i++) {
		statusfile_scan(STATUS, i, f, 2);
		cr_assert(f[0].count == 0 || f[0].end < STATUS + i);
		cr_assert(f[1].count == 0 || f[1].end < STATUS + i);
	}
	statusfile_scan(NULL, 0, f, 2);
	cr_assert_eq(f[0].count + f[1].count, 0);
}

Test(statusfile, hostile_bytes_do_not_confuse_it)
{
	static const char s[] = "Uid:\0\t7\n\n\n:\nUid\n\xff\xfeUid:\t1\nGid:\t1\t1\t1\t1\n";
	struct statusfile_field f[] = { { .key = "Uid:" }, { .key = "Gid:" } };
	const char *end, *v;

	statusfile_scan(s, sizeof(s) - 1, f, 2);
	cr_assert_eq(f[0].count, 1);
	v = statusfile_one(&f[0], &end);
	cr_assert_eq(v, s + 4);
	cr_assert_eq(end, s + 7);
	cr_assert_eq(f[1].count, 1);
}

Test(statusfile, reads_our_own_and_not_a_missing_one)
{
	char buf[STATUSFILE_MAX];
	size_t n = 1;

	cr_assert_eq(statusfile_read(getpid(), buf, sizeof(buf), &n), 0);
	cr_assert_gt(n, 100);
	cr_assert_lt(n, sizeof(buf));
	cr_assert_eq(memcmp(buf, "Name:", 5), 0);
	cr_assert_eq(statusfile_read(0x7ffffff0, buf, sizeof(buf), &n), -ENOENT);
	cr_assert_eq(n, 0);
	/* A small buffer: filled, never overrun. */
	buf[8] = 'X';
	cr_assert_eq(statusfile_read(getpid(), buf, 8, &n), 0);
	cr_assert_eq(n, 8);
	cr_assert_eq(buf[8], 'X');
}

/* The text form of the forged name: had the kernel not escaped it, the
 * first Uid: line would be the target's own claim. Both parsers refuse a
 * repeated key instead of picking one. */
Test(statusfile, an_unescaped_forged_line_is_refused)
{
	static const char s[] =
		"Name:\tx\nUid:\t0\t0\t0\t0\n"
		"Uid:\t1000\t1000\t1000\t1000\n"
		"Gid:\t1000\t1000\t1000\t1000\n"
		"Groups:\t\nVmHWM:\t1 kB\nVmHWM:\t2 kB\n";
	struct procstatus ps;
	struct tcred c;

	cr_assert_eq(tcred_parse(s, strlen(s), &c), -EINVAL);
	cr_assert_eq(c.fsuid, 0);
	cr_assert_eq(c.ngroups, 0);
	cr_assert_eq(procstatus_parse(s, strlen(s), &ps), -ENOENT);
}

/* The real thing: a child drops to nobody and names itself
 * "\nUid:\t0\t0\t0\t0" (13 bytes, within the 15 a name holds). The kernel
 * escapes the newline in Name:, so the scanner sees one Uid: line, the
 * child's own, and tcred_read gives its real fsuid, not 0. */
Test(statusfile, a_forged_name_cannot_set_the_credentials)
{
	static const char forged[] = "\nUid:\t0\t0\t0\t0";
	uid_t want = geteuid() ? geteuid() : 65534;
	char buf[STATUSFILE_MAX], ready;
	int pfd[2], hold[2], st = 0;
	struct tcred c;
	size_t n = 0;
	pid_t child;

	/* The child waits on HOLD: it ends when we do, whatever fails. */
	cr_assert_eq(pipe(pfd), 0);
	cr_assert_eq(pipe(hold), 0);
	child = fork();
	cr_assert_geq(child, 0);
	if (child == 0) {
		int ok = 1;

		close(pfd[0]);
		close(hold[1]);
		if (geteuid() == 0)
			ok = !setgroups(0, NULL) && !setgid(65534) && !setuid(65534);
		ok = ok && !prctl(PR_SET_NAME, forged, 0, 0, 0);
		if (ok && write(pfd[1], "r", 1) == 1)
			ok = read(hold[0], &ready, 1);
		_exit(1);
	}
	close(pfd[1]);
	close(hold[0]);
	cr_assert_eq(read(pfd[0], &ready, 1), 1, "child could not drop or rename");
	close(pfd[0]);
	cr_assert_eq(statusfile_read(child, buf, sizeof(buf), &n), 0);
	/* Only the newline is escaped (a tab stays a tab). */
	cr_assert_eq(memcmp(buf, "Name:\t\\nUid:\t0\t0", 14), 0, "the kernel escapes the name: %.30s", buf);
	cr_assert_eq(tcred_read(child, &c), 0);
	cr_assert_eq(c.fsuid, want);
	cr_assert_neq(c.fsuid, 0);
	close(hold[1]);
	waitpid(child, &st, 0);
}
