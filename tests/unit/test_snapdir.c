// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* snapdir: snapshot names, which files retention may delete, atomic
 * writes and pruning in a scratch directory. */
#include <criterion/criterion.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "snapdir.h"

/* 2026-11-24 19:05:00 UTC */
#define T0 1795547100LL

Test(snapdir, names_are_utc_stamps)
{
	char b[SNAPDIR_NAME_MAX];

	cr_assert_eq(snapdir_name(T0, b, sizeof(b)), 0);
	cr_assert_str_eq(b, "mlprof-20261124T190500Z.json");
	cr_assert_eq(snapdir_tmp_name(T0, b, sizeof(b)), 0);
	cr_assert_str_eq(b, ".mlprof-20261124T190500Z.json.tmp");
	cr_assert_eq(snapdir_name(0, b, sizeof(b)), 0);
	cr_assert_str_eq(b, "mlprof-19700101T000000Z.json");
	/* Leap day, last second of a year. */
	cr_assert_eq(snapdir_name(1709164800LL + 86399, b, sizeof(b)), 0);
	cr_assert_str_eq(b, "mlprof-20240229T235959Z.json");
	/* Out of range or no room: an error, never a cut name. */
	cr_assert_eq(snapdir_name(-1, b, sizeof(b)), -EINVAL);
	cr_assert_eq(snapdir_name(253402300800LL, b, sizeof(b)), -EINVAL); /* year 10000 */
	cr_assert_eq(snapdir_name(T0, b, 28), -EINVAL);
	cr_assert_eq(snapdir_name(T0, b, 29), 0);
}

Test(snapdir, parse_round_trip)
{
	char b[SNAPDIR_NAME_MAX];
	int64_t t, s;

	for (t = 0; t < 4000000000LL; t += 123456789LL) {
		cr_assert_eq(snapdir_name(t, b, sizeof(b)), 0);
		cr_assert_eq(snapdir_parse_name(b, 0, &s), 0, "%s", b);
		cr_assert_eq(s, t);
		cr_assert_eq(snapdir_parse_name(b, 1, &s), -EINVAL, "%s", b);
		cr_assert_eq(snapdir_tmp_name(t, b, sizeof(b)), 0);
		cr_assert_eq(snapdir_parse_name(b, 1, &s), 0, "%s", b);
		cr_assert_eq(s, t);
		cr_assert_eq(snapdir_parse_name(b, 0, &s), -EINVAL, "%s", b);
	}
}

Test(snapdir, other_names_are_not_ours)
{
	static const char *bad[] = {
		"", "mlprof-", "mlprof-.json", "mlprof-20261124T190500Z",
		"mlprof-20261124T190500Z.json~", "mlprof-20261124T190500Z.json.bak",
		"mlprof-20261124T190500.json", "mlprof-20261124190500Z.json",
		"mlprof-2026112xT190500Z.json", "Mlprof-20261124T190500Z.json",
		"xmlprof-20261124T190500Z.json", "mlprof-20261124T190500Z.jsonx",
		"mlprof-20261324T190500Z.json", /* month 13 */
		"mlprof-20260230T000000Z.json", /* 30 February */
		"mlprof-20261124T250000Z.json", /* hour 25 */
		"mlprof-20261124T190560Z.json", /* second 60 */
		"mlprof-+0261124T190500Z.json", "mlprof- 0261124T190500Z.json",
		"snapshot.json", "mlprof-20261124T190500Z.json/", ".mlprof-20261124T190500Z.json",
		"mlprof-20261124T190500Z.json.tmp",
	};
	size_t i;
	int64_t t;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		cr_assert_eq(snapdir_parse_name(bad[i], 0, &t), -EINVAL, "%s", bad[i]);
	cr_assert_eq(snapdir_parse_name(".mlprof-20261124T190500Z.json", 1, &t), -EINVAL);
	cr_assert_eq(snapdir_parse_name("mlprof-20261124T190500Z.json.tmp", 1, &t), -EINVAL);
	cr_assert_eq(snapdir_parse_name(".mlprof-20261124T190500Z.json.tmpx", 1, &t), -EINVAL);
}

Test(snapdir, retention_deletes_only_old_files_of_ours)
{
	const char *n = "mlprof-20261124T190500Z.json";
	const char *tmp = ".mlprof-20261124T190500Z.json.tmp";

	/* keep 24 h: strictly older than that goes. */
	cr_assert_eq(snapdir_expired(n, T0 + 86400, 86400), 0);
	cr_assert_eq(snapdir_expired(n, T0 + 86401, 86400), 1);
	cr_assert_eq(snapdir_expired(tmp, T0 + 86401, 86400), 1);
	cr_assert_eq(snapdir_expired(n, T0, 86400), 0);
	/* A file from the future (the clock went back) stays. */
	cr_assert_eq(snapdir_expired(n, T0 - 100000, 86400), 0);
	/* keep 0: keep everything. */
	cr_assert_eq(snapdir_expired(n, T0 + 1000000000, 0), 0);
	/* Not ours, however old. */
	cr_assert_eq(snapdir_expired("mlprof-19700101T000000Z.json.bak", T0, 1), 0);
	cr_assert_eq(snapdir_expired("notes.txt", T0, 1), 0);
	cr_assert_eq(snapdir_expired("mlprof-19700230T000000Z.json", T0, 1), 0);
	/* Absurd keep values never wrap into "delete". */
	cr_assert_eq(snapdir_expired(n, T0 + 10, UINT64_MAX), 0);
}

static char *scratch(void)
{
	char *d = strdup("/tmp/mlprof-snapdir-XXXXXX");

	cr_assert_not_null(mkdtemp(d));
	return d;
}

static void touch(const char *dir, const char *name, const char *text)
{
	char p[1024];
	FILE *f;

	snprintf(p, sizeof(p), "%s/%s", dir, name);
	f = fopen(p, "w");
	cr_assert_not_null(f);
	fputs(text, f);
	fclose(f);
}

static int exists(const char *dir, const char *name)
{
	char p[1024];

	snprintf(p, sizeof(p), "%s/%s", dir, name);
	return !access(p, F_OK);
}

static void rm_rf(const char *dir)
{
	char cmd[600];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	cr_assert_eq(system(cmd), 0);
}

Test(snapdir, write_is_atomic_and_counted)
{
	char *dir = scratch(), p[512], buf[64] = { 0 };
	struct snapdir *sd = snapdir_open(dir, 3600);
	FILE *log = tmpfile(), *f;

	cr_assert_not_null(sd);
	cr_assert_eq(snapdir_write(sd, T0, "{\"a\":1}\n", 8, log), 0);
	snprintf(p, sizeof(p), "%s/mlprof-20261124T190500Z.json", dir);
	f = fopen(p, "r");
	cr_assert_not_null(f);
	cr_assert_eq(fread(buf, 1, sizeof(buf) - 1, f), 8);
	fclose(f);
	cr_assert_str_eq(buf, "{\"a\":1}\n");
	cr_assert_not(exists(dir, ".mlprof-20261124T190500Z.json.tmp"));
	cr_assert_eq(snapdir_stats(sd)->written, 1);
	cr_assert_eq(snapdir_stats(sd)->last_bytes, 8);
	cr_assert_str_eq(snapdir_stats(sd)->last_file, "mlprof-20261124T190500Z.json");
	/* Same second again: the newer profile replaces it. */
	cr_assert_eq(snapdir_write(sd, T0, "{}\n", 3, log), 0);
	f = fopen(p, "r");
	cr_assert_eq(fread(buf, 1, sizeof(buf) - 1, f), 3);
	fclose(f);
	cr_assert_eq(ftell(log), 0, "no message for successful writes");
	fclose(log);
	snapdir_close(sd);
	rm_rf(dir);
	free(dir);
}

Test(snapdir, failures_are_logged_once_per_streak)
{
	char *dir = scratch(), name[SNAPDIR_NAME_MAX], text[4096] = { 0 };
	struct snapdir *sd = snapdir_open(dir, 0);
	FILE *log = tmpfile();
	size_t n;

	cr_assert_not_null(sd);
	/* A directory where the snapshot should go: rename fails. */
	snapdir_name(T0, name, sizeof(name));
	snprintf(text, sizeof(text), "%s/%s", dir, name);
	cr_assert_eq(mkdir(text, 0700), 0);
	memset(text, 0, sizeof(text));
	cr_assert_lt(snapdir_write(sd, T0, "{}\n", 3, log), 0);
	cr_assert_lt(snapdir_write(sd, T0, "{}\n", 3, log), 0);
	cr_assert_lt(snapdir_write(sd, T0, "{}\n", 3, log), 0);
	cr_assert_eq(snapdir_stats(sd)->failed, 3);
	cr_assert_eq(snapdir_stats(sd)->streak, 3);
	cr_assert_str_eq(snapdir_stats(sd)->last_step, "rename");
	cr_assert_not(exists(dir, ".mlprof-20261124T190500Z.json.tmp"), "temp file removed");
	/* Then a write that works ends the streak. */
	cr_assert_eq(snapdir_write(sd, T0 + 1, "{}\n", 3, log), 0);
	cr_assert_eq(snapdir_stats(sd)->streak, 0);
	cr_assert_eq(snapdir_stats(sd)->written, 1);
	rewind(log);
	n = fread(text, 1, sizeof(text) - 1, log);
	text[n] = '\0';
	cr_assert_not_null(strstr(text, "not written (rename)"), "%s", text);
	cr_assert_eq(strstr(strstr(text, "not written") + 1, "not written"), NULL,
		     "one message per streak: %s", text);
	cr_assert_not_null(strstr(text, "3 write(s) had failed"), "%s", text);
	fclose(log);
	snapdir_close(sd);
	rm_rf(dir);
	free(dir);
}

Test(snapdir, prune_deletes_only_expired_files_of_ours)
{
	char *dir = scratch();
	struct snapdir *sd = snapdir_open(dir, 3600);
	char sub[512];

	cr_assert_not_null(sd);
	touch(dir, "mlprof-20261124T170000Z.json", "old");
	touch(dir, ".mlprof-20261124T170000Z.json.tmp", "old temp");
	touch(dir, "mlprof-20261124T180500Z.json", "exactly keep old");
	touch(dir, "mlprof-20261124T190000Z.json", "young");
	touch(dir, "mlprof-20261124T170000Z.json.bak", "not ours");
	touch(dir, "notes.txt", "not ours");
	snprintf(sub, sizeof(sub), "%s/mlprof-20261124T160000Z.json", dir);
	cr_assert_eq(mkdir(sub, 0700), 0); /* a directory with our name: left alone */
	cr_assert_eq(snapdir_prune(sd, T0), 2);
	cr_assert_not(exists(dir, "mlprof-20261124T170000Z.json"));
	cr_assert_not(exists(dir, ".mlprof-20261124T170000Z.json.tmp"));
	cr_assert(exists(dir, "mlprof-20261124T180500Z.json"));
	cr_assert(exists(dir, "mlprof-20261124T190000Z.json"));
	cr_assert(exists(dir, "mlprof-20261124T170000Z.json.bak"));
	cr_assert(exists(dir, "notes.txt"));
	cr_assert(exists(dir, "mlprof-20261124T160000Z.json"));
	cr_assert_eq(snapdir_stats(sd)->removed, 2);
	cr_assert_eq(snapdir_stats(sd)->remove_failed, 0);
	snapdir_close(sd);
	rm_rf(dir);
	free(dir);
}

Test(snapdir, missing_directory_is_an_error)
{
	errno = 0;
	cr_assert_null(snapdir_open("/nonexistent/mlprof-snapdir", 0));
	cr_assert_eq(errno, ENOENT);
	cr_assert_null(snapdir_open("/etc/hostname", 0));
	cr_assert_eq(errno, ENOTDIR);
}

Test(snapdir, reopen_follows_a_replaced_directory)
{
	char *dir = scratch(), moved[256];
	struct snapdir *sd = snapdir_open(dir, 0);

	cr_assert_not_null(sd);
	snprintf(moved, sizeof(moved), "%s.old", dir);
	cr_assert_eq(rename(dir, moved), 0);
	cr_assert_eq(snapdir_reopen(sd), -ENOENT, "old handle kept on failure");
	cr_assert_eq(snapdir_write(sd, T0, "{}\n", 3, NULL), 0);
	cr_assert(exists(moved, "mlprof-20261124T190500Z.json"));
	cr_assert_eq(mkdir(dir, 0700), 0);
	cr_assert_eq(snapdir_reopen(sd), 0);
	cr_assert_eq(snapdir_write(sd, T0 + 1, "{}\n", 3, NULL), 0);
	cr_assert(exists(dir, "mlprof-20261124T190501Z.json"));
	snapdir_close(sd);
	rm_rf(dir);
	rm_rf(moved);
	free(dir);
}

Test(snapdir, write_follows_a_recreated_directory_and_refuses_a_deleted_one)
{
	char *dir = scratch(), moved[256];
	struct snapdir *sd = snapdir_open(dir, 0);
	FILE *log = tmpfile();

	cr_assert_not_null(sd);
	/* Moved aside and created again: the new one is used, no SIGHUP. */
	snprintf(moved, sizeof(moved), "%s.old", dir);
	cr_assert_eq(rename(dir, moved), 0);
	cr_assert_eq(mkdir(dir, 0700), 0);
	cr_assert_eq(snapdir_write(sd, T0, "{}\n", 3, log), 0);
	cr_assert(exists(dir, "mlprof-20261124T190500Z.json"));
	cr_assert_not(exists(moved, "mlprof-20261124T190500Z.json"));
	cr_assert_eq(snapdir_stats(sd)->followed, 1);
	/* Deleted: an error, not a file written to no name. */
	cr_assert_eq(unlink(strcat(strcat(strcpy(moved, dir), "/"), "mlprof-20261124T190500Z.json")),
		     0);
	cr_assert_eq(rmdir(dir), 0);
	cr_assert_eq(snapdir_write(sd, T0 + 1, "{}\n", 3, log), -ENOENT);
	cr_assert_str_eq(snapdir_stats(sd)->last_step, "directory removed");
	cr_assert_eq(snapdir_stats(sd)->failed, 1);
	/* Back again: written. */
	cr_assert_eq(mkdir(dir, 0700), 0);
	cr_assert_eq(snapdir_write(sd, T0 + 2, "{}\n", 3, log), 0);
	cr_assert(exists(dir, "mlprof-20261124T190502Z.json"));
	fclose(log);
	snapdir_close(sd);
	rm_rf(dir);
	snprintf(moved, sizeof(moved), "%s.old", dir);
	rm_rf(moved);
	free(dir);
}
