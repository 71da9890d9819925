// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* modname: module bodies are named by their dotted module. */
#include <criterion/criterion.h>
#include "modname.h"

static const char *name(const char *path)
{
	static char buf[256];

	return modname(path, buf, sizeof(buf));
}

Test(modname, package_and_module)
{
	cr_assert_str_eq(name("/work/shared/mlpy/src/mlpy/ml/grammar/__init__.py"),
			 "mlpy.ml.grammar");
	cr_assert_str_eq(name("/opt/mlprof-mlpy/src/mlpy/runtime/sandbox/sandbox.py"),
			 "mlpy.runtime.sandbox.sandbox");
	cr_assert_str_eq(name("/usr/lib/python3/dist-packages/lark/__init__.py"), "lark");
	cr_assert_str_eq(name("/usr/lib/python3/dist-packages/rich/console.py"), "rich.console");
	cr_assert_str_eq(name("/usr/lib/python3.11/importlib/_bootstrap.py"),
			 "importlib._bootstrap");
	cr_assert_str_eq(name("/usr/lib/python3.11/json/__init__.py"), "json");
	cr_assert_str_eq(name("/root/.pyenv/versions/3.12.1/lib/python3.12/site-packages/a/b.py"),
			 "a.b");
	cr_assert_str_eq(name("<frozen importlib._bootstrap>"), "importlib._bootstrap");
}

Test(modname, no_root)
{
	cr_assert_str_eq(name("/tmp/x/prog.py"), "prog");
	cr_assert_str_eq(name("/tmp/x/pkg/__init__.py"), "pkg");
	cr_assert_str_eq(name("__init__.py"), "__init__");
	cr_assert_str_eq(name("/__init__.py"), "__init__");
	cr_assert_str_eq(name(""), "");
	cr_assert_str_eq(name("weird"), "weird");
}

Test(modname, truncates)
{
	char small[6];

	cr_assert_str_eq(modname("/usr/lib/python3.11/importlib/_bootstrap.py", small,
				 sizeof(small)), "impor");
}
