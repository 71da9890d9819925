// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* conffile: `flag value` lines, comments, blanks, and bad input. */
#include <criterion/criterion.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "conffile.h"

static void parse_ok(const char *text, struct conffile *c)
{
	char err[256] = "";

	cr_assert_eq(conffile_parse(text, strlen(text), c, err, sizeof(err)), 0, "%s", err);
}

static void parse_bad(const char *text, size_t len, const char *want)
{
	struct conffile c;
	char err[256] = "";

	if (len == (size_t)-1)
		len = strlen(text);
	cr_assert_eq(conffile_parse(text, len, &c, err, sizeof(err)), -EINVAL, "%s", text);
	cr_assert_not_null(strstr(err, want), "'%s' -> '%s'", text, err);
	cr_assert_eq(c.n, 0);
	cr_assert_null(c.e);
	cr_assert_null(c.buf);
}

Test(conffile, flags_values_comments)
{
	struct conffile c;

	parse_ok("# mlprofd\n"
		 "target mlpy\n"
		 "\n"
		 "   freq\t 99   # gently\n"
		 "memory\n"
		 "snapshot-dir /var/lib/mlprof/my snapshots\r\n"
		 "socket-group prof#1\n"
		 "  # indented comment\n"
		 "log /var/log/mlprofd.log",
		 &c);
	cr_assert_eq(c.n, 6);
	cr_assert_str_eq(c.e[0].name, "target");
	cr_assert_str_eq(c.e[0].value, "mlpy");
	cr_assert_eq(c.e[0].line, 2);
	cr_assert_str_eq(c.e[1].name, "freq");
	cr_assert_str_eq(c.e[1].value, "99");
	cr_assert_eq(c.e[1].line, 4);
	cr_assert_str_eq(c.e[2].name, "memory");
	cr_assert_null(c.e[2].value);
	/* Spaces inside a value stay; CR and trailing blanks go. */
	cr_assert_str_eq(c.e[3].value, "/var/lib/mlprof/my snapshots");
	/* '#' inside a word is not a comment. */
	cr_assert_str_eq(c.e[4].value, "prof#1");
	cr_assert_str_eq(c.e[5].name, "log");
	cr_assert_str_eq(c.e[5].value, "/var/log/mlprofd.log");
	cr_assert_eq(c.e[5].line, 9);
	conffile_free(&c);
}

Test(conffile, empty_inputs)
{
	struct conffile c;

	parse_ok("", &c);
	cr_assert_eq(c.n, 0);
	conffile_free(&c);
	parse_ok("\n\n# only comments\n   \n\t\n", &c);
	cr_assert_eq(c.n, 0);
	conffile_free(&c);
	/* A name with a comment right after it is a bare flag. */
	parse_ok("memory # on\n", &c);
	cr_assert_eq(c.n, 1);
	cr_assert_null(c.e[0].value);
	conffile_free(&c);
}

Test(conffile, bad_lines_are_errors_with_their_line)
{
	char big[CONFFILE_MAX_LINE + 20];

	parse_bad("target mlpy\n--freq 99\n", (size_t)-1, "line 2: write option names without dashes");
	parse_bad("-F 99\n", (size_t)-1, "line 1: write option names without dashes");
	parse_bad("Target mlpy\n", (size_t)-1, "line 1: expected 'name value'");
	parse_bad("freq=99\n", (size_t)-1, "line 1: expected 'name value'");
	parse_bad("\n\nsnap_dir /x\n", (size_t)-1, "line 3: expected");
	parse_bad("freq 99\0target mlpy\n", 20, "NUL byte");
	memset(big, 'a', sizeof(big));
	memcpy(big, "log ", 4);
	parse_bad(big, sizeof(big), "line 1: longer than");
}

Test(conffile, limits)
{
	size_t n = (CONFFILE_MAX_ENTRIES + 1) * 8, i;
	char *text = malloc(n + 1), *p = text;
	struct conffile c;
	char err[128];

	cr_assert_not_null(text);
	for (i = 0; i <= CONFFILE_MAX_ENTRIES; i++)
		p += sprintf(p, "memory\n");
	parse_bad(text, (size_t)(p - text), "more than");
	free(text);
	cr_assert_eq(conffile_parse("x", CONFFILE_MAX_BYTES + 1, &c, err, sizeof(err)), -EINVAL);
	cr_assert_not_null(strstr(err, "larger than"));
}

Test(conffile, load_names_the_file)
{
	char path[] = "/tmp/mlprof-conf-XXXXXX", err[512];
	struct conffile c;
	int fd = mkstemp(path);

	cr_assert_geq(fd, 0);
	cr_assert_eq(write(fd, "target python\nfreq\tx y\n!\n", 25), 25);
	close(fd);
	cr_assert_eq(conffile_load(path, &c, err, sizeof(err)), -EINVAL);
	cr_assert_not_null(strstr(err, ":3: expected"), "%s", err);
	cr_assert_eq(strncmp(err, path, strlen(path)), 0, "%s", err);
	unlink(path);
	cr_assert_eq(conffile_load(path, &c, err, sizeof(err)), -ENOENT);
	cr_assert_not_null(strstr(err, "No such file"), "%s", err);
	cr_assert_eq(conffile_load("/tmp", &c, err, sizeof(err)), -EISDIR, "%s", err);
}
