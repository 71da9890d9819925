// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <criterion/criterion.h>
#include <errno.h>
#include <string.h>
#include "httptoken.h"

static struct stat st_of(mode_t mode, uid_t uid)
{
	struct stat st;

	memset(&st, 0, sizeof(st));
	st.st_mode = mode;
	st.st_uid = uid;
	return st;
}

Test(httptoken, file_rules)
{
	char err[128];
	struct stat st;

	st = st_of(S_IFREG | 0600, 0);
	cr_assert_eq(httptoken_check_stat(&st, 0, err, sizeof(err)), 0);
	st = st_of(S_IFREG | 0400, 0);
	cr_assert_eq(httptoken_check_stat(&st, 0, err, sizeof(err)), 0);
	st = st_of(S_IFREG | 0640, 0);
	cr_assert_eq(httptoken_check_stat(&st, 0, err, sizeof(err)), -EPERM);
	cr_assert(strstr(err, "0640"), "%s", err);
	st = st_of(S_IFREG | 0604, 0);
	cr_assert_eq(httptoken_check_stat(&st, 0, err, sizeof(err)), -EPERM);
	st = st_of(S_IFREG | 0620, 0); /* group-writable: could be replaced */
	cr_assert_eq(httptoken_check_stat(&st, 0, err, sizeof(err)), -EPERM);
	st = st_of(S_IFREG | 0600, 1000);
	cr_assert_eq(httptoken_check_stat(&st, 0, err, sizeof(err)), -EPERM);
	cr_assert(strstr(err, "uid 1000"), "%s", err);
	st = st_of(S_IFIFO | 0600, 0);
	cr_assert_eq(httptoken_check_stat(&st, 0, err, sizeof(err)), -EPERM);
}

Test(httptoken, parse)
{
	char tok[HTTPTOKEN_MAX + 1], err[128], big[HTTPTOKEN_MAX + 2];
	const char *t = "  0123456789abcdef-XYZ\n";

	cr_assert_eq(httptoken_parse(t, strlen(t), tok, err, sizeof(err)), 0);
	cr_assert_str_eq(tok, "0123456789abcdef-XYZ");
	cr_assert_eq(httptoken_parse("short\n", 6, tok, err, sizeof(err)), -EINVAL);
	cr_assert_eq(httptoken_parse("0123456789 abcdef", 17, tok, err, sizeof(err)), -EINVAL);
	cr_assert_eq(httptoken_parse("0123456789\x01" "abcdef", 17, tok, err, sizeof(err)), -EINVAL);
	cr_assert_eq(httptoken_parse("", 0, tok, err, sizeof(err)), -EINVAL);
	memset(big, 'a', sizeof(big));
	cr_assert_eq(httptoken_parse(big, HTTPTOKEN_MAX, tok, err, sizeof(err)), 0);
	cr_assert_eq(strlen(tok), HTTPTOKEN_MAX);
	cr_assert_eq(httptoken_parse(big, HTTPTOKEN_MAX + 1, tok, err, sizeof(err)), -EINVAL);
}

Test(httptoken, authorized)
{
	const char *tok = "0123456789abcdef";

	cr_assert(httptoken_authorized("Bearer 0123456789abcdef", tok));
	cr_assert(httptoken_authorized("bearer 0123456789abcdef", tok));
	cr_assert(!httptoken_authorized("Bearer 0123456789abcdeX", tok));
	cr_assert(!httptoken_authorized("Bearer 0123456789abcde", tok));   /* prefix */
	cr_assert(!httptoken_authorized("Bearer 0123456789abcdef0", tok)); /* longer */
	cr_assert(!httptoken_authorized("Bearer ", tok));
	cr_assert(!httptoken_authorized("Basic 0123456789abcdef", tok));
	cr_assert(!httptoken_authorized("0123456789abcdef", tok));
	cr_assert(!httptoken_authorized(NULL, tok));
}
