// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* cmdline: splitting /proc/PID/cmdline images, recognising mlpy runs,
 * quoting for display. */
#include <criterion/criterion.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "cmdline.h"
#include "mlpyattr.h"

/* Builds a cmdline from a NULL-terminated argument list, the way the
 * kernel writes it (each argument followed by NUL). */
static void make(struct cmdline *cl, const char *const *args)
{
	char buf[1024];
	size_t len = 0, n;

	for (; *args; args++) {
		n = strlen(*args) + 1;
		cr_assert_lt(len + n, sizeof(buf));
		memcpy(buf + len, *args, n);
		len += n;
	}
	cr_assert_eq(cmdline_parse(cl, buf, len), 0);
}

static int is_mlpy(const char *const *args)
{
	struct cmdline cl;
	int r;

	make(&cl, args);
	r = mlpyattr_is_cli(&cl);
	cmdline_free(&cl);
	return r;
}

#define ARGS(...) ((const char *const[]){ __VA_ARGS__, NULL })

Test(cmdline, mlpy_yes)
{
	cr_assert_eq(is_mlpy(ARGS("python3", "-m", "mlpy", "run", "x.ml")), 1);
	cr_assert_eq(is_mlpy(ARGS("python3.11", "-mmlpy")), 1);
	cr_assert_eq(is_mlpy(ARGS("/usr/bin/python3", "/usr/local/bin/mlpy", "run", "x.ml")), 1);
	cr_assert_eq(is_mlpy(ARGS("python3", "-u", "-X", "dev", "-W", "ignore", "/opt/mlpy",
				  "run")), 1);
	cr_assert_eq(is_mlpy(ARGS("python3", "--", "mlpy")), 1);
	cr_assert_eq(is_mlpy(ARGS("/root/.pyenv/versions/3.12.1/bin/python3.12", "-m", "mlpy")), 1);
	cr_assert_eq(is_mlpy(ARGS("python3", "-Xdev", "-Wignore", "-OO", "-m", "mlpy")), 1);
	cr_assert_eq(is_mlpy(ARGS("python3", "-um", "mlpy")), 1);
	cr_assert_eq(is_mlpy(ARGS("python3", "--check-hash-based-pycs", "never", "mlpy")), 1);
}

Test(cmdline, mlpy_no)
{
	cr_assert_eq(is_mlpy(ARGS("python3", "-c", "import mlpy")), 0);
	cr_assert_eq(is_mlpy(ARGS("python3", "mlpy.py")), 0);
	cr_assert_eq(is_mlpy(ARGS("python3", "-m", "mlpyx")), 0);
	cr_assert_eq(is_mlpy(ARGS("python3", "-m", "mlpy.cli")), 0);
	cr_assert_eq(is_mlpy(ARGS("bash", "mlpy")), 0);
	cr_assert_eq(is_mlpy(ARGS("/usr/local/bin/mlpy", "run", "x.ml")), 0);
	cr_assert_eq(is_mlpy(ARGS("python3")), 0);
	cr_assert_eq(is_mlpy(ARGS("python3", "-")), 0);
	cr_assert_eq(is_mlpy(ARGS("python3", "-m")), 0);
	cr_assert_eq(is_mlpy(ARGS("python3", "--")), 0);
	cr_assert_eq(is_mlpy(ARGS("python3", "-W", "mlpy")), 0); /* an option's value */
	cr_assert_eq(is_mlpy(ARGS("python3", "x.py", "mlpy")), 0); /* the script's argument */
	cr_assert_eq(is_mlpy(ARGS("python3", "-uc", "pass", "mlpy")), 0);
}

Test(cmdline, python_target)
{
	struct cmdline cl;
	int mod, next;

	make(&cl, ARGS("python3", "-u", "-m", "mlpy", "run", "x.ml"));
	cr_assert_str_eq(cmdline_python_target(&cl, &mod, &next), "mlpy");
	cr_assert_eq(mod, 1);
	cr_assert_eq(next, 4);
	cr_assert_str_eq(cl.argv[next], "run");
	cmdline_free(&cl);

	make(&cl, ARGS("python3", "script.py", "a"));
	cr_assert_str_eq(cmdline_python_target(&cl, &mod, &next), "script.py");
	cr_assert_eq(mod, 0);
	cr_assert_eq(next, 2);
	cmdline_free(&cl);

	make(&cl, ARGS("python3", "-c", "print(1)"));
	cr_assert_null(cmdline_python_target(&cl, &mod, &next));
	cmdline_free(&cl);
}

Test(cmdline, is_python)
{
	struct cmdline cl;

	make(&cl, ARGS("/usr/bin/python3.11", "x"));
	cr_assert_eq(cmdline_is_python(&cl), 1);
	cmdline_free(&cl);
	make(&cl, ARGS("/usr/bin/perl", "python"));
	cr_assert_eq(cmdline_is_python(&cl), 0);
	cmdline_free(&cl);
	cr_assert_eq(cmdline_parse(&cl, "", 0), 0);
	cr_assert_eq(cmdline_is_python(&cl), 0);
	cr_assert_eq(mlpyattr_is_cli(&cl), 0);
	cmdline_free(&cl);
}

Test(cmdline, parse_trailing_nul_or_not)
{
	struct cmdline cl;

	cr_assert_eq(cmdline_parse(&cl, "python3\0-m\0mlpy\0", 16), 0);
	cr_assert_eq(cl.argc, 3);
	cr_assert_str_eq(cl.argv[0], "python3");
	cr_assert_str_eq(cl.argv[1], "-m");
	cr_assert_str_eq(cl.argv[2], "mlpy");
	cr_assert_null(cl.argv[3]);
	cmdline_free(&cl);

	/* A process that rewrote its arguments may leave no final NUL. */
	cr_assert_eq(cmdline_parse(&cl, "python3\0-m\0mlpy", 15), 0);
	cr_assert_eq(cl.argc, 3);
	cr_assert_str_eq(cl.argv[2], "mlpy");
	cr_assert_null(cl.argv[3]);
	cmdline_free(&cl);

	/* Empty arguments are arguments. */
	cr_assert_eq(cmdline_parse(&cl, "a\0\0b\0", 5), 0);
	cr_assert_eq(cl.argc, 3);
	cr_assert_str_eq(cl.argv[1], "");
	cr_assert_str_eq(cl.argv[2], "b");
	cmdline_free(&cl);

	cr_assert_eq(cmdline_parse(&cl, "", 0), 0);
	cr_assert_eq(cl.argc, 0);
	cr_assert_not_null(cl.argv);
	cr_assert_null(cl.argv[0]);
	cmdline_free(&cl);
	cmdline_free(&cl); /* twice is harmless */
}

Test(cmdline, join_quotes)
{
	struct cmdline cl;
	char *s;

	make(&cl, ARGS("python3", "-c", "print('hi')", "a b", "", "plain-arg_1.ml", "$HOME"));
	s = cmdline_join(&cl);
	cr_assert_str_eq(s, "python3 -c 'print('\\''hi'\\'')' 'a b' '' plain-arg_1.ml '$HOME'");
	free(s);
	cmdline_free(&cl);

	cr_assert_eq(cmdline_parse(&cl, "", 0), 0);
	s = cmdline_join(&cl);
	cr_assert_str_eq(s, "");
	free(s);
	cmdline_free(&cl);
}

Test(cmdline, read_self, .timeout = 5)
{
	struct cmdline cl;

	cr_assert_eq(cmdline_read(getpid(), &cl), 0);
	cr_assert_geq(cl.argc, 1);
	cr_assert_gt(strlen(cl.argv[0]), 0); /* Criterion's worker renames itself */
	cmdline_free(&cl);
	cr_assert_eq(cmdline_read(0x3fffffff, &cl), -ESRCH);
}
