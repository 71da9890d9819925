/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* Periodic snapshots in a directory: file names with UTC timestamps,
 * retention of our own files, atomic writes (temp file in the same
 * directory, fsync, rename, fsync of the directory). The naming and
 * retention rules are pure functions; the writer keeps the counters that
 * status shows and says when a failure streak starts or ends. */
#ifndef MLPROF_SNAPDIR_H
#define MLPROF_SNAPDIR_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* "mlprof-20261124T190500Z.json": 28 characters. */
#define SNAPDIR_NAME_MAX 64

/* The snapshot file name for a UTC time (seconds since the epoch).
 * 0 or -EINVAL (time out of range, buffer too small). */
int snapdir_name(int64_t real_s, char *buf, size_t len);
/* The temp file a snapshot is written to first: "." NAME ".tmp". */
int snapdir_tmp_name(int64_t real_s, char *buf, size_t len);
/* 0 and the time if name is exactly one of our snapshot names (tmp = 0)
 * or temp names (tmp = 1); -EINVAL for anything else. */
int snapdir_parse_name(const char *name, int tmp, int64_t *real_s);
/* 1 if name is our snapshot or temp file and older than keep_s at now_s
 * (strictly); 0 for other files, younger ones, or keep_s == 0 (keep all). */
int snapdir_expired(const char *name, int64_t now_s, uint64_t keep_s);

struct snapdir_stats {
	uint64_t written;      /* snapshots written */
	uint64_t failed;       /* writes that failed */
	uint64_t streak;       /* failures since the last success */
	uint64_t removed;      /* old snapshots deleted by retention */
	uint64_t remove_failed;
	uint64_t last_bytes;   /* size of the last snapshot written */
	uint64_t followed;     /* times the path named a new directory */
	int last_err;          /* -errno of the last failure, 0 */
	char last_step[24];    /* where it failed: open, write, fsync, ... */
	char last_file[SNAPDIR_NAME_MAX];
};

struct snapdir;

/* Opens (and keeps open) the directory. keep_s 0 keeps every file.
 * NULL with errno set. */
struct snapdir *snapdir_open(const char *path, uint64_t keep_s);
/* Opens the directory again (SIGHUP: it may have been replaced or
 * remounted). On failure the old handle stays. 0 or -errno. */
int snapdir_reopen(struct snapdir *sd);
void snapdir_close(struct snapdir *sd);
const char *snapdir_path(const struct snapdir *sd);
const struct snapdir_stats *snapdir_stats(const struct snapdir *sd);

/* Writes data atomically as the snapshot named for real_s. If the path
 * names a new directory now (recreated, remounted), that one is used; a
 * deleted directory is an error (-ENOENT). On failure the temp file is
 * removed. Messages go to log: the first failure of a streak
 * with its reason, and the first success after a streak. 0 or -errno. */
int snapdir_write(struct snapdir *sd, int64_t real_s, const char *data, size_t len, FILE *log);
/* Deletes our snapshot and temp files older than keep at now_s; returns
 * how many were deleted, or -errno if the directory cannot be read. */
int snapdir_prune(struct snapdir *sd, int64_t now_s);

#endif
