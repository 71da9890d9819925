// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <criterion/criterion.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "httptls.h"

static struct stat st_of(mode_t mode, uid_t uid, off_t size)
{
	struct stat st;

	memset(&st, 0, sizeof(st));
	st.st_mode = mode;
	st.st_uid = uid;
	st.st_size = size;
	return st;
}

Test(httptls, owner_and_mode_rules)
{
	struct stat st;
	char err[160];

	st = st_of(S_IFREG | 0644, 0, 1000);
	cr_expect_eq(httptls_check_stat(&st, 0, 0, err, sizeof(err)), 0, "a certificate may be read");
	cr_expect_eq(httptls_check_stat(&st, 0, 1, err, sizeof(err)), -EPERM, "a key may not");
	cr_expect(strstr(err, "0644"), "%s", err);
	st = st_of(S_IFREG | 0600, 0, 1000);
	cr_expect_eq(httptls_check_stat(&st, 0, 1, err, sizeof(err)), 0);
	st = st_of(S_IFREG | 0664, 0, 1000);
	cr_expect_eq(httptls_check_stat(&st, 0, 0, err, sizeof(err)), -EPERM, "group-writable");
	st = st_of(S_IFREG | 0600, 1000, 1000);
	cr_expect_eq(httptls_check_stat(&st, 0, 1, err, sizeof(err)), -EPERM, "a user's file");
	st = st_of(S_IFIFO | 0600, 0, 0);
	cr_expect_eq(httptls_check_stat(&st, 0, 1, err, sizeof(err)), -EPERM, "a FIFO");
	st = st_of(S_IFREG | 0600, 0, (off_t)HTTPTLS_MAX + 1);
	cr_expect_eq(httptls_check_stat(&st, 0, 1, err, sizeof(err)), -EINVAL, "too big");
	st = st_of(S_IFREG | 0600, 0, 0);
	cr_expect_eq(httptls_check_stat(&st, 0, 1, err, sizeof(err)), -EINVAL, "empty");
}

Test(httptls, load_reads_pem_and_refuses_the_rest)
{
	char dir[] = "/tmp/mlprof-httptls-XXXXXX", p[256], q[256], err[160], *pem = NULL;
	FILE *f;

	if (geteuid() != 0)
		cr_skip_test("the files must be root's");
	cr_assert_not_null(mkdtemp(dir));
	snprintf(p, sizeof(p), "%s/key.pem", dir);
	f = fopen(p, "w");
	cr_assert_not_null(f);
	fputs("-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n", f);
	fclose(f);
	cr_assert_eq(chmod(p, 0600), 0);
	cr_expect_eq(httptls_load(p, 1, &pem, err, sizeof(err)), 0, "%s", err);
	cr_expect(pem && !strncmp(pem, "-----BEGIN PRIVATE KEY-----", 27));
	httptls_free(pem);
	snprintf(q, sizeof(q), "%s/link.pem", dir);
	cr_assert_eq(symlink(p, q), 0);
	cr_expect_eq(httptls_load(q, 1, &pem, err, sizeof(err)), -ELOOP, "a symlink");
	cr_expect_null(pem);
	f = fopen(p, "w");
	cr_assert_not_null(f);
	fputs("not a certificate\n", f);
	fclose(f);
	cr_expect_eq(httptls_load(p, 1, &pem, err, sizeof(err)), -EINVAL, "no PEM block");
	cr_expect_null(pem);
	unlink(q);
	unlink(p);
	rmdir(dir);
}
