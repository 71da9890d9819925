// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* procmaps: /proc/PID/maps lines. */
#include <criterion/criterion.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "procmaps.h"

Test(procmaps, file_mapping)
{
	struct mapping m;

	cr_assert_eq(procmaps_parse_line("55d4c8a3e000-55d4c8a40000 r-xp 0001f000 08:01 1234567"
					 "                    /usr/bin/python3.11\n", &m), 0);
	cr_assert_eq(m.start, 0x55d4c8a3e000ULL);
	cr_assert_eq(m.end, 0x55d4c8a40000ULL);
	cr_assert_str_eq(m.perms, "r-xp");
	cr_assert_eq(m.offset, 0x1f000);
	cr_assert_eq(m.dev_major, 8);
	cr_assert_eq(m.dev_minor, 1);
	cr_assert_eq(m.inode, 1234567);
	cr_assert_str_eq(m.path, "/usr/bin/python3.11");
	free(m.path);
}

Test(procmaps, anonymous_and_special)
{
	struct mapping m;

	cr_assert_eq(procmaps_parse_line("7ffd1a2b3000-7ffd1a2d4000 rw-p 00000000 00:00 0 \n", &m),
		     0);
	cr_assert_str_eq(m.path, "");
	cr_assert_eq(m.inode, 0);
	free(m.path);
	/* No trailing space and no newline. */
	cr_assert_eq(procmaps_parse_line("1000-2000 ---p 00000000 00:00 0", &m), 0);
	cr_assert_str_eq(m.path, "");
	cr_assert_str_eq(m.perms, "---p");
	free(m.path);
	cr_assert_eq(procmaps_parse_line("01a2b000-01c3d000 rw-p 00000000 00:00 0"
					 "                          [heap]\n", &m), 0);
	cr_assert_str_eq(m.path, "[heap]");
	free(m.path);
	cr_assert_eq(procmaps_parse_line("ffffffffff600000-ffffffffff601000 --xp 00000000 00:00 0"
					 "                  [vsyscall]", &m), 0);
	cr_assert_eq(m.start, 0xffffffffff600000ULL);
	cr_assert_str_eq(m.path, "[vsyscall]");
	free(m.path);
}

Test(procmaps, path_with_spaces_and_deleted)
{
	struct mapping m;

	cr_assert_eq(procmaps_parse_line("7f0000000000-7f0000001000 r--p 00000000 fd:02 42"
					 "   /tmp/my dir/lib x.so\n", &m), 0);
	cr_assert_str_eq(m.path, "/tmp/my dir/lib x.so");
	cr_assert_eq(m.dev_major, 0xfd);
	cr_assert_eq(m.dev_minor, 2);
	free(m.path);
	/* The kernel's suffix is kept: callers decide what it means. */
	cr_assert_eq(procmaps_parse_line("7f0000000000-7f0000001000 r--p 00000000 08:01 99"
					 " /usr/lib/libpython3.12.so.1.0 (deleted)\n", &m), 0);
	cr_assert_str_eq(m.path, "/usr/lib/libpython3.12.so.1.0 (deleted)");
	free(m.path);
}

Test(procmaps, garbage)
{
	static const char *const bad[] = {
		"",
		"\n",
		"hello world",
		"1000-2000",
		"1000-2000 r-xp",
		"1000-2000 r-xp 0 08:01",
		"zzzz-2000 r-xp 00000000 08:01 1 /x",
		"2000-1000 r-xp 00000000 08:01 1 /x", /* end before start */
		"1000 2000 r-xp 00000000 08:01 1 /x",
	};
	struct mapping m;
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		m.path = NULL;
		cr_assert_eq(procmaps_parse_line(bad[i], &m), -EINVAL, "accepted '%s'", bad[i]);
		cr_assert_null(m.path);
	}
}

Test(procmaps, read_self, .timeout = 5)
{
	struct mapping *maps;
	size_t n, i;
	int found_stack = 0;

	cr_assert_eq(procmaps_read(getpid(), &maps, &n), 0);
	cr_assert_gt(n, 5);
	for (i = 0; i < n; i++) {
		cr_assert_lt(maps[i].start, maps[i].end);
		found_stack |= !strcmp(maps[i].path, "[stack]");
	}
	cr_assert(found_stack);
	procmaps_free(maps, n);
	cr_assert_eq(procmaps_read(0x3fffffff, &maps, &n), -ENOENT);
}

Test(procmaps, basename)
{
	cr_assert_str_eq(procmaps_basename("/usr/bin/python3.11"), "python3.11");
	cr_assert_str_eq(procmaps_basename("python3"), "python3");
	cr_assert_str_eq(procmaps_basename("/a/b/"), "");
	cr_assert_str_eq(procmaps_basename(""), "");
}
