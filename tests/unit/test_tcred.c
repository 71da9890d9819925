// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <criterion/criterion.h>
#include <errno.h>
#include <string.h>
#include <unistd.h>
#include "tcred.h"

static const char STATUS[] =
	"Name:\tpython3.11\n"
	"Umask:\t0022\n"
	"Uid:\t1000\t1001\t1002\t1003\n"
	"Gid:\t2000\t2001\t2002\t2003\n"
	"FDSize:\t64\n"
	"Groups:\t24 25 1000 \n"
	"VmHWM:\t   98765 kB\n";

Test(tcred, takes_the_filesystem_ids_and_groups)
{
	struct tcred c;

	cr_assert_eq(tcred_parse(STATUS, strlen(STATUS), &c), 0);
	cr_assert_eq(c.fsuid, 1003);
	cr_assert_eq(c.fsgid, 2003);
	cr_assert_eq(c.ngroups, 3);
	cr_assert_eq(c.groups[0], 24);
	cr_assert_eq(c.groups[2], 1000);
}

Test(tcred, no_groups_is_fine)
{
	static const char s[] = "Uid:\t5\t5\t5\t5\nGid:\t6\t6\t6\t6\nGroups:\t\n";
	struct tcred c;

	cr_assert_eq(tcred_parse(s, strlen(s), &c), 0);
	cr_assert_eq(c.fsuid, 5);
	cr_assert_eq(c.ngroups, 0);
}

Test(tcred, malformed_is_an_error_never_root)
{
	static const char *bad[] = {
		"Gid:\t6\t6\t6\t6\nGroups:\t\n",                 /* no Uid */
		"Uid:\t5\t5\t5\nGid:\t6\t6\t6\t6\nGroups:\t\n",  /* 3 ids */
		"Uid:\t5\t5\t5\tx\nGid:\t6\t6\t6\t6\nGroups:\t\n",
		"Uid:\t5\t5\t5\t4294967295\nGid:\t6\t6\t6\t6\nGroups:\t\n",
		"Uid:\t5\t5\t5\t99999999999\nGid:\t6\t6\t6\t6\nGroups:\t\n",
		"Uid:\t5\t5\t5\t5\nGid:\t6\t6\t6\t6\n",           /* no Groups */
	};
	struct tcred c;
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		cr_assert_neq(tcred_parse(bad[i], strlen(bad[i]), &c), 0, "case %zu", i);
		cr_assert_eq(c.fsuid, 0);
	}
}

Test(tcred, reads_our_own)
{
	struct tcred c;

	cr_assert_eq(tcred_read(getpid(), &c), 0);
	cr_assert_eq(c.fsuid, geteuid());
	cr_assert_eq(c.fsgid, getegid());
}
