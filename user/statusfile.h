/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* /proc/PID/status: one reader and one line scanner for the file, under
 * procstatus (memory) and tcred (credentials). A target controls part of
 * the text (its Name: line, which the kernel escapes: a newline in a name
 * is shown as the two characters '\' 'n'), so a key matches only at the
 * start of a line the kernel ended with '\n', and a key seen on more than
 * one line is reported as such, never resolved by taking one of them. */
#ifndef MLPROF_STATUSFILE_H
#define MLPROF_STATUSFILE_H

#include <stddef.h>

/* Cap of one read: a status file is ~1.5 KiB plus its Groups line. */
#define STATUSFILE_MAX 16384

struct statusfile_field {
	const char *key;       /* in: e.g. "Uid:", colon included */
	const char *val;       /* out: just past the key, NULL if absent */
	const char *end;       /* out: the end of its line (at its '\n') */
	unsigned int count;    /* out: lines that start with the key */
};

/* Scans LEN bytes of status text once and fills each of the N fields.
 * A last line with no '\n' (a truncated read) is not a line. When a key
 * starts more than one line, val/end are its first. */
void statusfile_scan(const char *buf, size_t len, struct statusfile_field *fields, size_t n);
/* The field's value if its key started exactly one line, else NULL (absent
 * or repeated). *end: the end of that line. */
const char *statusfile_one(const struct statusfile_field *f, const char **end);
/* Reads /proc/PID/status into BUF (at most CAP bytes, not terminated);
 * *len: the bytes read. 0 or -errno. */
int statusfile_read(int pid, char *buf, size_t cap, size_t *len);

#endif
